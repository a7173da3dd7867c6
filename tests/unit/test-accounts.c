/* test-accounts.c - accounts, roles, a list's web user, sessions and login
 * throttling, all on the injected clock (REFLECTOR_TEST_NOW).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "store/store.h"

#include <string.h>

static const RfActor actor = { "listctl:test", "cli" };
#define ACTOR (&actor)
#define T0 1700000000
#define PW "correct horse battery"
#define WRONG "hunter2-wrong-guess"

typedef struct {
  RF_FIXTURE_FIELDS;
  RfSecurityPolicy policy;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, T0, "dev@lists.example.org", NULL);
  rf_security_defaults (&f->policy);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static void
add_alice (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (rf_user_add (f->store, "alice", "Alice <alice@Example.ORG>", FALSE, PW, ACTOR,
                              &error));
  g_assert_no_error (error);
}

/* Every byte the store wrote: the database and its WAL. */
static GByteArray *
store_bytes (Fixture *f)
{
  GByteArray *all = g_byte_array_new ();
  const char *names[] = { "reflector.db", "reflector.db-wal" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &data, &len, NULL))
        g_byte_array_append (all, (const guint8 *) data, len);
    }
  return all;
}

static gboolean
bytes_contain (GByteArray *hay, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= hay->len; i++)
    if (memcmp (hay->data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* The activity log as text, one row per line. */
static char *
activity_text (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = rf_activity_since (f->store, 0, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      const RfActivityEntry *e = g_ptr_array_index (rows, i);

      g_string_append_printf (out, "%s|%s|%s|%s|%s\n", e->actor, e->action,
                              e->target != NULL ? e->target : "",
                              e->origin != NULL ? e->origin : "",
                              e->detail != NULL ? e->detail : "");
    }
  return g_string_free (out, FALSE);
}

static char *
login_ok (Fixture *f, const char *name, const char *password, const char *ip)
{
  g_autoptr (GError) error = NULL;
  RfLoginResult result = -1;
  char *cookie = NULL;

  g_assert_true (rf_login_user (f->store, &f->policy, name, password, ip, &result, &cookie,
                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RF_LOGIN_OK);
  g_assert_nonnull (cookie);
  return cookie;
}

static RfLoginResult
login_result (Fixture *f, const char *name, const char *password, const char *ip)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cookie = NULL;
  RfLoginResult result = -1;

  g_assert_true (rf_login_user (f->store, &f->policy, name, password, ip, &result, &cookie,
                                &error));
  g_assert_no_error (error);
  g_assert_true ((result == RF_LOGIN_OK) == (cookie != NULL));
  return result;
}

static RfSession *
lookup (Fixture *f, const char *cookie)
{
  g_autoptr (GError) error = NULL;
  RfSession *session = NULL;

  g_assert_true (rf_session_lookup (f->store, &f->policy, cookie, &session, &error));
  g_assert_no_error (error);
  return session;
}

static void
test_user_add (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfUser) user = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GByteArray) bytes = NULL;

  add_alice (f);
  g_assert_true (rf_user_grant (f->store, "alice", f->list, "moderator", ACTOR, &error));
  g_assert_no_error (error);
  g_assert_true (rf_user_add (f->store, "root.admin", "admin@example.org", TRUE, PW "!", ACTOR,
                              &error));
  user = rf_user_lookup (f->store, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user->email, ==, "alice@example.org");
  g_assert_false (user->admin);
  g_assert_cmpuint (user->roles->len, ==, 1);
  g_assert_true (rf_user_has_role (user, "dev@lists.example.org", "moderator"));
  g_assert_false (rf_user_has_role (user, "dev@lists.example.org", "owner"));
  g_assert_false (rf_user_has_role (user, "other@lists.example.org", "moderator"));
  all = rf_user_all (f->store, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((RfUser *) g_ptr_array_index (all, 0))->name, ==, "alice");
  g_assert_true (((RfUser *) g_ptr_array_index (all, 1))->admin);
  g_assert_true (rf_user_has_role (g_ptr_array_index (all, 1), "any@lists.example.org", "owner"));

  /* an owner may do what a moderator may */
  g_assert_true (rf_user_grant (f->store, "alice", f->list, "owner", ACTOR, &error));
  g_clear_pointer (&user, rf_user_free);
  user = rf_user_lookup (f->store, "alice", &error);
  g_assert_cmpuint (user->roles->len, ==, 2);
  g_assert_true (rf_user_has_role (user, "dev@lists.example.org", "owner"));
  g_assert_true (rf_user_revoke (f->store, "alice", f->list, "owner", ACTOR, &error));
  g_assert_false (rf_user_revoke (f->store, "alice", f->list, "owner", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* only the Argon2id hash is stored */
  bytes = store_bytes (f);
  g_assert_false (bytes_contain (bytes, PW));
  g_assert_true (bytes_contain (bytes, "$argon2id$"));
}

static void
test_user_invalid (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  add_alice (f);
  g_assert_false (rf_user_add (f->store, "alice", "a@example.org", FALSE, PW, ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (rf_user_add (f->store, "-bob", "b@example.org", FALSE, PW, ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_user_add (f->store, "bob smith", "b@example.org", FALSE, PW, ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_user_add (f->store, "bob", "not an address", FALSE, PW, ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_user_add (f->store, "bob", "b@example.org", FALSE, "xq7z", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  /* the message says why, never what was typed */
  g_assert_null (strstr (error->message, "xq7z"));
  g_clear_error (&error);
  g_assert_false (rf_user_add (f->store, "bob", "b@example.org", FALSE, "tab\there-is-long", ACTOR,
                               &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_user_grant (f->store, "alice", f->list, "king", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_user_grant (f->store, "nobody", f->list, "owner", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rf_user_delete (f->store, "nobody", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (rf_user_delete (f->store, "alice", ACTOR, &error));
  g_assert_null (rf_user_lookup (f->store, "alice", &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_verify (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = FALSE;

  add_alice (f);
  g_assert_true (rf_user_verify (f->store, "alice", PW, &ok, &error));
  g_assert_true (ok);
  g_assert_true (rf_user_verify (f->store, "alice", WRONG, &ok, &error));
  g_assert_false (ok);
  g_assert_true (rf_user_verify (f->store, "nobody", PW, &ok, &error));
  g_assert_false (ok);
  g_assert_no_error (error);
}

static void
test_session (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *cookie2 = NULL;
  g_autoptr (RfSession) s = NULL;
  g_autoptr (RfSession) s2 = NULL;
  g_autoptr (GByteArray) bytes = NULL;
  g_autofree char *log = NULL;

  add_alice (f);
  cookie = login_ok (f, "alice", PW, "192.0.2.7");
  cookie2 = login_ok (f, "alice", PW, "192.0.2.7");
  /* 256 bits, URL-safe */
  g_assert_cmpuint (strlen (cookie), ==, 43);
  g_assert_true (strspn (cookie, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_") == 43);
  g_assert_cmpstr (cookie, !=, cookie2);
  s = lookup (f, cookie);
  g_assert_nonnull (s);
  g_assert_cmpstr (s->user_name, ==, "alice");
  g_assert_null (s->list_address);
  g_assert_nonnull (s->csrf_token);
  g_assert_cmpuint (strlen (s->csrf_token), >=, 22);
  g_assert_cmpstr (s->csrf_token, !=, cookie);
  g_assert_true (rf_session_csrf_check (s, s->csrf_token));
  s2 = lookup (f, cookie2);
  g_assert_cmpstr (s->csrf_token, !=, s2->csrf_token);
  /* another session's token, a truncated one, none: refused */
  g_assert_false (rf_session_csrf_check (s, s2->csrf_token));
  {
    g_autofree char *cut = g_strndup (s->csrf_token, strlen (s->csrf_token) - 1);
    g_assert_false (rf_session_csrf_check (s, cut));
  }
  g_assert_false (rf_session_csrf_check (s, ""));
  g_assert_false (rf_session_csrf_check (s, NULL));
  g_assert_false (rf_session_csrf_check (NULL, s->csrf_token));

  /* unknown and malformed cookies are no session */
  g_clear_pointer (&s2, rf_session_free);
  s2 = lookup (f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_assert_null (s2);
  s2 = lookup (f, "'; DROP TABLE sessions; --");
  g_assert_null (s2);
  s2 = lookup (f, NULL);
  g_assert_null (s2);

  /* the store holds neither the cookie nor the CSRF token */
  bytes = store_bytes (f);
  g_assert_false (bytes_contain (bytes, cookie));
  g_assert_false (bytes_contain (bytes, cookie2));
  g_assert_false (bytes_contain (bytes, s->csrf_token));
  log = activity_text (f);
  g_assert_nonnull (strstr (log, "listweb|login|alice|192.0.2.7|"));
  g_assert_null (strstr (log, cookie));
  g_assert_null (strstr (log, PW));

  /* logout */
  g_assert_true (rf_session_drop (f->store, cookie, &error));
  g_assert_no_error (error);
  g_clear_pointer (&s2, rf_session_free);
  s2 = lookup (f, cookie);
  g_assert_null (s2);
  g_clear_pointer (&s2, rf_session_free);
  s2 = lookup (f, cookie2);
  g_assert_nonnull (s2);
}

static void
test_session_expiry (Fixture *f, gconstpointer data)
{
  g_autofree char *cookie = NULL;
  g_autofree char *cookie2 = NULL;
  RfSession *s;
  gint64 t = T0;
  guint64 removed = 0;
  g_autoptr (GError) error = NULL;

  add_alice (f);
  cookie = login_ok (f, "alice", PW, "192.0.2.7");
  /* idle: 29:59 later it lives and is touched; 30:00 after that it is gone */
  rf_test_set_now (t += 1799);
  s = lookup (f, cookie);
  g_assert_nonnull (s);
  g_assert_cmpint (s->last_seen, ==, t);
  rf_session_free (s);
  rf_test_set_now (t += 1799);
  s = lookup (f, cookie);
  g_assert_nonnull (s);
  rf_session_free (s);
  rf_test_set_now (t += 1800);
  s = lookup (f, cookie);
  g_assert_null (s);
  /* gone for good, even back in time */
  rf_test_set_now (t - 1000);
  s = lookup (f, cookie);
  g_assert_null (s);

  /* absolute: used every 20 minutes, it still ends 12 hours after login */
  rf_test_set_now (t = T0 + 100000);
  cookie2 = login_ok (f, "alice", PW, "192.0.2.7");
  for (gint64 at = t + 1200; at < t + 43200; at += 1200)
    {
      rf_test_set_now (at);
      s = lookup (f, cookie2);
      g_assert_nonnull (s);
      rf_session_free (s);
    }
  rf_test_set_now (t + 43200);
  s = lookup (f, cookie2);
  g_assert_null (s);

  /* cleanup removes what expired without being looked up */
  g_free (cookie2);
  cookie2 = login_ok (f, "alice", PW, "192.0.2.7");
  rf_test_set_now (t + 43200 + 1799);
  g_assert_true (rf_sessions_expire (f->store, &f->policy, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
  rf_test_set_now (t + 43200 + 1800);
  g_assert_true (rf_sessions_expire (f->store, &f->policy, &removed, &error));
  g_assert_cmpuint (removed, ==, 1);
  g_assert_no_error (error);
}

static void
test_password_change_drops_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *other = NULL;
  RfSession *s;
  gboolean ok = FALSE;

  add_alice (f);
  g_assert_true (rf_user_add (f->store, "bob", "bob@example.org", FALSE, PW, ACTOR, &error));
  a = login_ok (f, "alice", PW, "192.0.2.7");
  b = login_ok (f, "alice", PW, "198.51.100.1");
  other = login_ok (f, "bob", PW, "192.0.2.7");
  g_assert_true (rf_user_set_password (f->store, "alice", "a new pass phrase", ACTOR, &error));
  g_assert_no_error (error);
  g_assert_null ((s = lookup (f, a)));
  g_assert_null ((s = lookup (f, b)));
  s = lookup (f, other);
  g_assert_nonnull (s);
  rf_session_free (s);
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.7"), ==, RF_LOGIN_BAD_PASSWORD);
  g_assert_true (rf_user_verify (f->store, "alice", "a new pass phrase", &ok, &error));
  g_assert_true (ok);
  g_assert_false (rf_user_set_password (f->store, "nobody", "a new pass phrase", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* deleting the account ends its sessions too */
  g_free (a);
  a = login_ok (f, "bob", PW, "192.0.2.7");
  g_assert_true (rf_user_delete (f->store, "bob", ACTOR, &error));
  g_assert_null ((s = lookup (f, a)));
  g_assert_null ((s = lookup (f, other)));
}

static void
test_account_lockout (Fixture *f, gconstpointer data)
{
  g_autofree char *log = NULL;
  g_autoptr (GByteArray) bytes = NULL;
  gint64 t = T0;

  add_alice (f);
  /* failures from several addresses all count against the account */
  for (guint i = 1; i <= f->policy.account_attempts; i++)
    {
      g_autofree char *ip = g_strdup_printf ("203.0.113.%u", i);

      rf_test_set_now (t += 10);
      g_assert_cmpint (login_result (f, "alice", WRONG, ip), ==, RF_LOGIN_BAD_PASSWORD);
    }
  /* locked: even the right password is refused, from anywhere */
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.99"), ==, RF_LOGIN_ACCOUNT_LOCKED);
  rf_test_set_now (t + f->policy.lockout_seconds - 1);
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.99"), ==, RF_LOGIN_ACCOUNT_LOCKED);
  /* another account is not locked */
  g_assert_true (rf_user_add (f->store, "bob", "bob@example.org", FALSE, PW, NULL, NULL));
  g_assert_cmpint (login_result (f, "bob", PW, "203.0.113.1"), ==, RF_LOGIN_OK);
  rf_test_set_now (t + f->policy.lockout_seconds);
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.99"), ==, RF_LOGIN_OK);

  /* failures spread wider than the window never lock */
  t += f->policy.lockout_seconds;
  for (guint i = 0; i < 2 * f->policy.account_attempts; i++)
    {
      rf_test_set_now (t += f->policy.window_seconds / (f->policy.account_attempts - 1) + 1);
      g_assert_cmpint (login_result (f, "alice", WRONG, "198.51.100.9"), ==,
                       RF_LOGIN_BAD_PASSWORD);
    }
  g_assert_cmpint (login_result (f, "alice", PW, "198.51.100.9"), ==, RF_LOGIN_OK);

  log = activity_text (f);
  g_assert_nonnull (strstr (log, "listweb|login-failed|alice|203.0.113.1|"));
  g_assert_nonnull (strstr (log, "listweb|lockout|alice|203.0.113.5|"));
  g_assert_nonnull (strstr (log, "listweb|login-refused|alice|192.0.2.99|account locked"));
  /* the password tried is nowhere: not in the log, not in the database */
  g_assert_null (strstr (log, WRONG));
  bytes = store_bytes (f);
  g_assert_false (bytes_contain (bytes, WRONG));
}

static void
test_ip_blocklist (Fixture *f, gconstpointer data)
{
  g_autofree char *log = NULL;
  g_autoptr (GByteArray) bytes = NULL;

  f->policy.ip_attempts = 4;
  add_alice (f);
  /* guessing names: no account to lock, but the address is counted */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("guess%u", i);
      g_assert_cmpint (login_result (f, name, WRONG, "203.0.113.66"), ==,
                       RF_LOGIN_BAD_PASSWORD);
    }
  /* blocked: a right password from there is refused before it is checked */
  g_assert_cmpint (login_result (f, "alice", PW, "203.0.113.66"), ==, RF_LOGIN_IP_BLOCKED);
  g_assert_cmpint (login_result (f, "alice", PW, "203.0.113.67"), ==, RF_LOGIN_OK);
  rf_test_set_now (T0 + f->policy.lockout_seconds);
  g_assert_cmpint (login_result (f, "alice", PW, "203.0.113.66"), ==, RF_LOGIN_OK);

  log = activity_text (f);
  g_assert_nonnull (strstr (log, "listweb|login-failed|unknown account|203.0.113.66|no such"));
  g_assert_nonnull (strstr (log, "listweb|ip-blocked|203.0.113.66|"));
  g_assert_nonnull (strstr (log, "listweb|login-refused|alice|203.0.113.66|address blocked"));
  /* a name typed wrong may be a password in the wrong field: not kept */
  g_assert_null (strstr (log, "guess"));
  g_assert_null (strstr (log, WRONG));
  bytes = store_bytes (f);
  g_assert_false (bytes_contain (bytes, "guess1"));
  g_assert_false (bytes_contain (bytes, WRONG));
}

static void
test_list_web_access (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *cookie = NULL;
  RfLoginResult result = -1;
  RfSession *s;
  char *c = NULL;

  g_assert_true (rf_list_web_access_get (f->store, f->list, &name, &error));
  g_assert_null (name);
  g_assert_false (rf_login_list (f->store, &f->policy, f->list, "readers", PW, "192.0.2.1",
                                 &result, &c, &error) == FALSE);
  g_assert_cmpint (result, ==, RF_LOGIN_BAD_PASSWORD);
  g_assert_true (rf_list_web_access_set (f->store, f->list, "readers", PW, ACTOR, &error));
  g_assert_no_error (error);
  g_assert_true (rf_list_web_access_get (f->store, f->list, &name, &error));
  g_assert_cmpstr (name, ==, "readers");
  /* wrong name, right password: refused like a wrong password */
  g_assert_true (rf_login_list (f->store, &f->policy, f->list, "reader", PW, "192.0.2.1",
                                &result, &c, &error));
  g_assert_cmpint (result, ==, RF_LOGIN_BAD_PASSWORD);
  g_assert_null (c);
  g_assert_true (rf_login_list (f->store, &f->policy, f->list, "readers", PW, "192.0.2.1",
                                &result, &cookie, &error));
  g_assert_cmpint (result, ==, RF_LOGIN_OK);
  s = lookup (f, cookie);
  g_assert_nonnull (s);
  g_assert_null (s->user_name);
  g_assert_cmpstr (s->list_address, ==, "dev@lists.example.org");
  rf_session_free (s);
  /* a new password ends the sessions of the old one */
  g_assert_true (rf_list_web_access_set (f->store, f->list, "readers", "another pass phrase",
                                         ACTOR, &error));
  g_assert_null ((s = lookup (f, cookie)));
  g_assert_true (rf_list_web_access_clear (f->store, f->list, ACTOR, &error));
  g_assert_false (rf_list_web_access_clear (f->store, f->list, ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

/* [security] in reflector.conf sets the policy; without it, the defaults. */
static void
test_security_config (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "reflector.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) config = NULL;
  RfSecurityPolicy from_file, defaults;

  g_assert_true (g_file_set_contents (path, "# nothing\n", -1, NULL));
  config = rf_config_load (path, &error);
  g_assert_no_error (error);
  rf_security_from_config (config, &from_file);
  rf_security_defaults (&defaults);
  g_assert_cmpmem (&from_file, sizeof from_file, &defaults, sizeof defaults);
  g_assert_cmpuint (defaults.account_attempts, ==, 5);
  g_assert_cmpint (defaults.session_idle_seconds, ==, 30 * 60);
  g_clear_pointer (&config, rf_config_free);

  g_assert_true (g_file_set_contents (path,
                                      "[security]\nlogin_attempts = 3\nip_login_attempts = 50\n"
                                      "login_window_minutes = 60\nlockout_minutes = 120\n"
                                      "session_idle_minutes = 10\nsession_max_hours = 2\n",
                                      -1, NULL));
  config = rf_config_load (path, &error);
  g_assert_no_error (error);
  rf_security_from_config (config, &f->policy);
  g_assert_cmpuint (f->policy.account_attempts, ==, 3);
  g_assert_cmpuint (f->policy.ip_attempts, ==, 50);
  g_assert_cmpint (f->policy.window_seconds, ==, 3600);
  g_assert_cmpint (f->policy.lockout_seconds, ==, 7200);
  g_assert_cmpint (f->policy.session_idle_seconds, ==, 600);
  g_assert_cmpint (f->policy.session_max_seconds, ==, 7200);
  g_clear_pointer (&config, rf_config_free);

  /* the configured lockout is the one applied */
  add_alice (f);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (login_result (f, "alice", WRONG, "192.0.2.1"), ==, RF_LOGIN_BAD_PASSWORD);
  rf_test_set_now (T0 + 7199);
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.1"), ==, RF_LOGIN_ACCOUNT_LOCKED);
  rf_test_set_now (T0 + 7200);
  g_assert_cmpint (login_result (f, "alice", PW, "192.0.2.1"), ==, RF_LOGIN_OK);

  /* nonsense is a configuration error naming the key */
  g_assert_true (g_file_set_contents (path, "[security]\nlockout_minutes = 0\n", -1, NULL));
  g_assert_null (config = rf_config_load (path, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "lockout_minutes"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "[security]\nlockout = 5\n", -1, NULL));
  g_assert_null (config = rf_config_load (path, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/accounts/user/add-roles-hash", test_user_add);
  ADD ("/accounts/user/invalid", test_user_invalid);
  ADD ("/accounts/user/verify", test_verify);
  ADD ("/accounts/session/cookie-csrf-logout", test_session);
  ADD ("/accounts/session/idle-and-absolute-expiry", test_session_expiry);
  ADD ("/accounts/session/password-change-drops-all", test_password_change_drops_sessions);
  ADD ("/accounts/login/account-lockout", test_account_lockout);
  ADD ("/accounts/login/ip-blocklist", test_ip_blocklist);
  ADD ("/accounts/list-web-access", test_list_web_access);
  ADD ("/accounts/security-config", test_security_config);
  return g_test_run ();
}
