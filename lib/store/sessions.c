/* sessions.c - web sessions and the throttling of logins.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session is a random cookie (256 bits from randombytes_buf) of which the
 * store keeps only a BLAKE2b hash: a stolen database opens no session.  Its
 * CSRF token is a keyed BLAKE2b of the cookie, so it needs no storage and
 * cannot be computed from the stored hash.
 *
 * Throttling: every failed login is a row under the account's key
 * ("user:NAME" or "list:ADDRESS") and the IP's ("ip:ADDRESS").  Reaching
 * the policy's count within its window puts the key in login_blocks until
 * the lockout ends; a blocked key is refused before its password is looked
 * at (in the time a check takes), so a blocked attacker learns nothing
 * more; listweb answers a locked account as a wrong password (issue 11),
 * so the answer never tells which names exist.  Failures for names that
 * do not exist count against the IP only: a mistyped name can be a
 * password typed into the wrong field, and we keep no such key.
 */
#include "accounts-private.h"

#include <string.h>

#define COOKIE_BYTES 32
/* BLAKE2b keys are 16 to 64 bytes */
static const char csrf_key[] = "reflector csrf token, v1";

void
rf_security_defaults (RfSecurityPolicy *policy)
{
  policy->account_attempts = 5;
  policy->ip_attempts = 20;
  policy->window_seconds = 15 * 60;
  policy->lockout_seconds = 15 * 60;
  policy->session_idle_seconds = 30 * 60;
  policy->session_max_seconds = 12 * 60 * 60;
}

void
rf_security_from_config (const RfConfig *config, RfSecurityPolicy *policy)
{
  policy->account_attempts = config->login_attempts;
  policy->ip_attempts = config->ip_login_attempts;
  policy->window_seconds = (gint64) config->login_window_minutes * 60;
  policy->lockout_seconds = (gint64) config->lockout_minutes * 60;
  policy->session_idle_seconds = (gint64) config->session_idle_minutes * 60;
  policy->session_max_seconds = (gint64) config->session_max_hours * 3600;
}

void
rf_session_free (RfSession *session)
{
  if (session == NULL)
    return;
  g_free (session->user_name);
  g_free (session->list_address);
  if (session->csrf_token != NULL)
    rf_wipe_string (session->csrf_token);
  g_free (session->csrf_token);
  g_free (session);
}

/* A cookie as we make them: 43 characters of URL-safe base64.  Anything
 * else is not looked up at all. */
static gboolean
cookie_well_formed (const char *cookie)
{
  gsize n = 0;

  if (cookie == NULL)
    return FALSE;
  for (const char *p = cookie; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return n == rf_base64url_length (COOKIE_BYTES);
}

static char *
cookie_hash (const char *cookie)
{
  guchar h[32];

  rf_hash (h, sizeof h, cookie, strlen (cookie), NULL, 0);
  return rf_hex (h, sizeof h);
}

static char *
csrf_token (const char *cookie)
{
  guchar h[32];
  char *token;

  rf_hash (h, sizeof h, cookie, strlen (cookie), csrf_key, sizeof csrf_key - 1);
  token = rf_base64url (h, sizeof h);
  rf_wipe (h, sizeof h);
  return token;
}

gboolean
_rf_sessions_drop_for (RfStore *store, gint64 user_id, gint64 list_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            user_id > 0 ? "DELETE FROM sessions WHERE user_id = ?"
                                        : "DELETE FROM sessions WHERE list_id = ? AND "
                                          "user_id IS NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id > 0 ? user_id : list_id);
  return _rf_store_step_done (store, stmt, error, "cannot end the sessions");
}

static gboolean
session_create (RfStore *store, gint64 user_id, gint64 list_id, const char *ip,
                char **cookie_out, GError **error)
{
  char *cookie = rf_random_base64url (COOKIE_BYTES);
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 now = rf_now ();

  hash = cookie_hash (cookie);
  stmt = _rf_store_prepare (store,
                            "INSERT INTO sessions (hash, user_id, list_id, created, last_seen, ip) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  if (user_id > 0)
    sqlite3_bind_int64 (stmt, 2, user_id);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, list_id);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_text (stmt, 6, ip, -1, SQLITE_STATIC);
  if (user_id > 0)
    sqlite3_bind_null (stmt, 3);
  if (!_rf_store_step_done (store, stmt, error, "cannot open a session"))
    goto fail;
  *cookie_out = cookie;
  return TRUE;

fail:
  rf_wipe_string (cookie);
  g_free (cookie);
  return FALSE;
}

/* Whether @key is blocked now. */
static gboolean
is_blocked (RfStore *store, const char *key, gboolean *blocked_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT 1 FROM login_blocks WHERE key = ? AND until > ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rf_now ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the login blocks");
      return FALSE;
    }
  *blocked_out = rc == SQLITE_ROW;
  return TRUE;
}

/* Record one failure of @key; block it once it reaches @limit failures
 * within the window.  *blocked_out says whether this failure blocked it. */
static gboolean
count_failure (RfStore *store, const RfSecurityPolicy *policy, const char *key, guint limit,
               gboolean *blocked_out, GError **error)
{
  g_autoptr (sqlite3_stmt) add = NULL;
  g_autoptr (sqlite3_stmt) count = NULL;
  g_autoptr (sqlite3_stmt) block = NULL;
  gint64 now = rf_now ();
  gint64 n;

  *blocked_out = FALSE;
  add = _rf_store_prepare (store, "INSERT INTO login_failures (key, at) VALUES (?, ?)", error);
  if (add == NULL)
    return FALSE;
  sqlite3_bind_text (add, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (add, 2, now);
  if (!_rf_store_step_done (store, add, error, "cannot record the failed login"))
    return FALSE;
  count = _rf_store_prepare (store, "SELECT count(*) FROM login_failures WHERE key = ? AND at > ?",
                             error);
  if (count == NULL)
    return FALSE;
  sqlite3_bind_text (count, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (count, 2, now - policy->window_seconds);
  if (sqlite3_step (count) != SQLITE_ROW)
    {
      _rf_store_set_error (store, sqlite3_errcode (store->db), error,
                           "cannot count the failed logins");
      return FALSE;
    }
  n = sqlite3_column_int64 (count, 0);
  if (limit == 0 || n < (gint64) limit)
    return TRUE;
  block = _rf_store_prepare (store,
                             "INSERT INTO login_blocks (key, until) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET until = excluded.until",
                             error);
  if (block == NULL)
    return FALSE;
  sqlite3_bind_text (block, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (block, 2, now + policy->lockout_seconds);
  if (!_rf_store_step_done (store, block, error, "cannot block the login"))
    return FALSE;
  /* the count starts again after the block */
  {
    g_autoptr (sqlite3_stmt) clear =
        _rf_store_prepare (store, "DELETE FROM login_failures WHERE key = ?", error);

    if (clear == NULL)
      return FALSE;
    sqlite3_bind_text (clear, 1, key, -1, SQLITE_STATIC);
    if (!_rf_store_step_done (store, clear, error, "cannot reset the failed logins"))
      return FALSE;
  }
  *blocked_out = TRUE;
  return TRUE;
}

static gboolean
clear_failures (RfStore *store, const char *key, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM login_failures WHERE key = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot reset the failed logins");
}

typedef struct {
  const char *account_key;   /* NULL for an unknown name */
  const char *target;        /* what the log names: account, or list's web user */
  const char *hash;          /* NULL for an unknown name */
  gint64 user_id;
  gint64 list_id;
} LoginSubject;

static gboolean
login (RfStore *store, const RfSecurityPolicy *policy, const LoginSubject *who,
       const char *password, const char *ip, RfLoginResult *result_out, char **cookie_out,
       GError **error)
{
  RfSecurityPolicy defaults;
  g_autofree char *ip_key = g_strconcat ("ip:", ip != NULL ? ip : "unknown", NULL);
  /* the web server is who acts before anyone is logged in */
  const RfActor web = { "listweb", ip != NULL ? ip : "web" };
  gboolean own = FALSE;
  gboolean blocked = FALSE, ok;
  g_autofree char *cookie = NULL;

  if (!rf_crypto_init (error))
    return FALSE;
  if (policy == NULL)
    {
      rf_security_defaults (&defaults);
      policy = &defaults;
    }
  if (!is_blocked (store, ip_key, &blocked, error))
    return FALSE;
  if (blocked)
    {
      rf_activity_log (store, &web, "login-refused", who->target,
                       "address blocked after repeated failures");
      *result_out = RF_LOGIN_IP_BLOCKED;
      return TRUE;
    }
  if (who->account_key != NULL && !is_blocked (store, who->account_key, &blocked, error))
    return FALSE;
  if (blocked)
    {
      /* refused without looking at the password, but in the time a check
       * of it takes: a lock must not tell that the name is an account */
      rf_password_verify (NULL, password);
      rf_activity_log (store, &web, "login-refused", who->target,
                       "account locked after repeated failures");
      *result_out = RF_LOGIN_ACCOUNT_LOCKED;
      return TRUE;
    }

  ok = rf_password_verify (who->hash, password);

  if (!rf_store_join (store, &own, error))
    return FALSE;
  if (!ok)
    {
      gboolean ip_blocked = FALSE, account_locked = FALSE;

      if (!count_failure (store, policy, ip_key, policy->ip_attempts, &ip_blocked, error))
        goto fail;
      if (who->account_key != NULL &&
          !count_failure (store, policy, who->account_key, policy->account_attempts,
                          &account_locked, error))
        goto fail;
      rf_activity_log (store, &web, "login-failed", who->target,
                       who->hash != NULL ? "wrong pass phrase" : "no such account");
      if (account_locked)
        rf_activity_log (store, &web, "lockout", who->target,
                         "locked after repeated failures");
      if (ip_blocked)
        rf_activity_log (store, &web, "ip-blocked", ip != NULL ? ip : "unknown",
                         "blocked after repeated failures");
      if (own && !rf_store_commit (store, error))
        return FALSE;
      *result_out = RF_LOGIN_BAD_PASSWORD;
      return TRUE;
    }
  if ((who->account_key != NULL && !clear_failures (store, who->account_key, error)) ||
      !session_create (store, who->user_id, who->list_id, ip, &cookie, error))
    goto fail;
  rf_activity_log (store, &web, "login", who->target, NULL);
  if (own && !rf_store_commit (store, error))
    {
      rf_wipe_string (cookie);
      return FALSE;
    }
  *result_out = RF_LOGIN_OK;
  *cookie_out = g_steal_pointer (&cookie);
  return TRUE;

fail:
  if (own)
    rf_store_rollback (store);
  if (cookie != NULL)
    rf_wipe_string (cookie);
  return FALSE;
}

gboolean
rf_login_user (RfStore *store, const RfSecurityPolicy *policy, const char *name,
               const char *password, const char *ip, RfLoginResult *result_out,
               char **cookie_out, GError **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *key = NULL;
  LoginSubject who = { 0 };

  if (!_rf_user_credentials (store, name != NULL ? name : "", &who.user_id, &hash, error))
    return FALSE;
  if (hash != NULL)
    key = g_strconcat ("user:", name, NULL);
  who.account_key = key;
  who.target = hash != NULL ? name : "unknown account";
  who.hash = hash;
  return login (store, policy, &who, password, ip, result_out, cookie_out, error);
}

gboolean
rf_login_list (RfStore *store, const RfSecurityPolicy *policy, const RfList *list,
               const char *name, const char *password, const char *ip,
               RfLoginResult *result_out, char **cookie_out, GError **error)
{
  g_autofree char *stored_name = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *key = g_strconcat ("list:", list->address, NULL);
  g_autofree char *target = g_strconcat ("web user of ", list->address, NULL);
  LoginSubject who = { 0 };

  if (!_rf_list_web_access_read (store, list->id, &stored_name, &hash, error))
    return FALSE;
  /* a wrong name is a wrong password: check the hash anyway (or a dummy) so
   * that the time does not tell which half was wrong */
  if (stored_name == NULL || name == NULL || !g_str_equal (stored_name, name))
    g_clear_pointer (&hash, g_free);
  who.account_key = stored_name != NULL ? key : NULL;
  who.target = target;
  who.hash = hash;
  who.list_id = list->id;
  return login (store, policy, &who, password, ip, result_out, cookie_out, error);
}

gboolean
rf_session_lookup (RfStore *store, const RfSecurityPolicy *policy, const char *cookie,
                   RfSession **session_out, GError **error)
{
  RfSecurityPolicy defaults;
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (RfSession) session = NULL;
  gint64 now = rf_now ();
  int rc;

  if (!rf_crypto_init (error))
    return FALSE;
  if (policy == NULL)
    {
      rf_security_defaults (&defaults);
      policy = &defaults;
    }
  *session_out = NULL;
  if (!cookie_well_formed (cookie))
    return TRUE;
  hash = cookie_hash (cookie);
  stmt = _rf_store_prepare (store,
                            "SELECT s.id, s.created, s.last_seen, u.name, l.address "
                            "FROM sessions s LEFT JOIN users u ON u.id = s.user_id "
                            "LEFT JOIN lists l ON l.id = s.list_id WHERE s.hash = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot look up the session");
      return FALSE;
    }
  session = g_new0 (RfSession, 1);
  session->id = sqlite3_column_int64 (stmt, 0);
  session->created = sqlite3_column_int64 (stmt, 1);
  session->last_seen = sqlite3_column_int64 (stmt, 2);
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    session->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    session->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (now - session->last_seen >= policy->session_idle_seconds ||
      now - session->created >= policy->session_max_seconds)
    {
      stmt = _rf_store_prepare (store, "DELETE FROM sessions WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, session->id);
      if (!_rf_store_step_done (store, stmt, error, "cannot end the session"))
        return FALSE;
      return TRUE;
    }
  stmt = _rf_store_prepare (store, "UPDATE sessions SET last_seen = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, session->id);
  if (!_rf_store_step_done (store, stmt, error, "cannot touch the session"))
    return FALSE;
  session->last_seen = now;
  session->csrf_token = csrf_token (cookie);
  *session_out = g_steal_pointer (&session);
  return TRUE;
}

gboolean
rf_session_csrf_check (const RfSession *session, const char *token)
{
  gsize len;

  if (session == NULL || session->csrf_token == NULL || token == NULL)
    return FALSE;
  len = strlen (session->csrf_token);
  return strlen (token) == len && rf_equal (session->csrf_token, token, len);
}

gboolean
rf_session_drop (RfStore *store, const char *cookie, GError **error)
{
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!cookie_well_formed (cookie))
    return TRUE;
  if (!rf_crypto_init (error))
    return FALSE;
  hash = cookie_hash (cookie);
  stmt = _rf_store_prepare (store, "DELETE FROM sessions WHERE hash = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot end the session"))
    return FALSE;
  if (sqlite3_changes (store->db) > 0)
    {
      const RfActor web = { "listweb", "web" };

      rf_activity_log (store, &web, "logout", NULL, NULL);
    }
  return TRUE;
}

gboolean
rf_sessions_expire (RfStore *store, const RfSecurityPolicy *policy, guint64 *removed_out,
                    GError **error)
{
  RfSecurityPolicy defaults;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 now = rf_now ();
  guint64 removed = 0;
  struct {
    const char *sql;
    gint64 limit;
  } steps[3];

  if (policy == NULL)
    {
      rf_security_defaults (&defaults);
      policy = &defaults;
    }
  steps[0].sql = "DELETE FROM sessions WHERE last_seen <= ?1 OR created <= ?2";
  steps[0].limit = now - policy->session_idle_seconds;
  steps[1].sql = "DELETE FROM login_failures WHERE at <= ?1";
  steps[1].limit = now - policy->window_seconds;
  steps[2].sql = "DELETE FROM login_blocks WHERE until <= ?1";
  steps[2].limit = now;
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      stmt = _rf_store_prepare (store, steps[i].sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, steps[i].limit);
      if (i == 0)
        sqlite3_bind_int64 (stmt, 2, now - policy->session_max_seconds);
      if (!_rf_store_step_done (store, stmt, error, "cannot expire the sessions"))
        return FALSE;
      removed += sqlite3_changes (store->db);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  if (removed_out != NULL)
    *removed_out = removed;
  return TRUE;
}
