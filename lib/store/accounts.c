/* accounts.c - web accounts (site admins, list owners, moderators), their
 * roles per list, and each list's one web user for its subscribers.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords are hashed with crypto_pwhash_str (Argon2id at libsodium's
 * "interactive" cost: about 64 MiB and a tenth of a second, the price of
 * one login and too high for guessing a stolen hash).  No function here
 * puts a password into an error message or the activity log.
 */
#include "accounts-private.h"

#include <string.h>

#define NAME_MAX_LEN 64

static const char *const roles[] = { "owner", "moderator", NULL };

gboolean
rf_password_check (const char *password, GError **error)
{
  gsize len;

  if (password == NULL)
    password = "";
  len = strlen (password);
  if (len < RF_PASSWORD_MIN)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "the password is too short: at least %d characters", RF_PASSWORD_MIN);
      return FALSE;
    }
  if (len > RF_PASSWORD_MAX)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "the password is too long: at most %d bytes", RF_PASSWORD_MAX);
      return FALSE;
    }
  if (!g_utf8_validate (password, len, NULL))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "the password is not valid UTF-8");
      return FALSE;
    }
  for (const char *p = password; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                     "the password holds a control character");
        return FALSE;
      }
  return TRUE;
}

/* The hash of an acceptable password (rf_password_check). */
static char *
password_hash_checked (const char *password, GError **error)
{
  if (!rf_password_check (password, error))
    return NULL;
  return rf_password_hash (password, error);
}

static gboolean
check_name (const char *name, const char *what, GError **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > NAME_MAX_LEN || !g_ascii_isalnum (name[0]))
    goto bad;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._@-", *p) == NULL)
      goto bad;
  return TRUE;

bad:
  g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
               "bad %s name: use 1 to %d letters, digits and . _ @ -, starting with a "
               "letter or digit",
               what, NAME_MAX_LEN);
  return FALSE;
}

static gboolean
check_role (const char *role, GError **error)
{
  if (role != NULL && g_strv_contains (roles, role))
    return TRUE;
  g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "no role '%s': owner or moderator",
               role != NULL ? role : "");
  return FALSE;
}

static void
user_role_free (RfUserRole *role)
{
  g_free (role->list_address);
  g_free (role->role);
  g_free (role);
}

void
rf_user_free (RfUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->email);
  g_clear_pointer (&user->roles, g_ptr_array_unref);
  g_free (user);
}

/* The id of @name, or 0 in *id_out when there is no such account. */
static gboolean
user_id (RfStore *store, const char *name, gint64 *id_out, char **hash_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT id, pwhash FROM users WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot look up the account");
      return FALSE;
    }
  *id_out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (hash_out != NULL)
    *hash_out = rc == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (stmt, 1))
                                 : NULL;
  return TRUE;
}

static gboolean
require_user (RfStore *store, const char *name, gint64 *id_out, GError **error)
{
  if (!user_id (store, name, id_out, NULL, error))
    return FALSE;
  if (*id_out == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no account '%s'", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
rf_user_add (RfStore *store, const char *name, const char *email, gboolean admin,
             const char *password, const RfActor *actor, GError **error)
{
  g_autofree char *norm = NULL;
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 now = rf_now ();

  if (!check_name (name, "account", error))
    return FALSE;
  if ((norm = rf_address_normalize (email, error)) == NULL)
    {
      g_prefix_error (error, "email of '%s': ", name);
      return FALSE;
    }
  if ((hash = password_hash_checked (password, error)) == NULL)
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "INSERT INTO users (name, email, admin, pwhash, created, pw_changed) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, norm, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, admin ? 1 : 0);
  sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, now);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int rc = sqlite3_extended_errcode (store->db);

      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        g_set_error (error, RF_ERROR, RF_ERROR_EXISTS, "account '%s' exists already", name);
      else
        _rf_store_set_error (store, rc, error, "cannot add the account");
      return FALSE;
    }
  rf_activity_log (store, actor, "user-add", name, admin ? "site admin" : NULL);
  return TRUE;
}

static gboolean
change_role (RfStore *store, const char *name, const RfList *list, const char *role,
             gboolean grant, const RfActor *actor, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 id = 0;

  if (!check_role (role, error) || !require_user (store, name, &id, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            grant ? "INSERT OR IGNORE INTO user_roles (user_id, list_id, role) "
                                    "VALUES (?, ?, ?)"
                                  : "DELETE FROM user_roles WHERE user_id = ? AND list_id = ? "
                                    "AND role = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, list->id);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot change the role"))
    return FALSE;
  if (!grant && sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' is no %s of '%s'", name, role,
                   list->address);
      return FALSE;
    }
  {
    g_autofree char *detail = g_strdup_printf ("%s of %s", role, list->address);

    rf_activity_log (store, actor, grant ? "role-grant" : "role-revoke", name, detail);
  }
  return TRUE;
}

gboolean
rf_user_grant (RfStore *store, const char *name, const RfList *list, const char *role,
               const RfActor *actor, GError **error)
{
  return change_role (store, name, list, role, TRUE, actor, error);
}

gboolean
rf_user_revoke (RfStore *store, const char *name, const RfList *list, const char *role,
                const RfActor *actor, GError **error)
{
  return change_role (store, name, list, role, FALSE, actor, error);
}

gboolean
rf_user_set_password (RfStore *store, const char *name, const char *password,
                      const RfActor *actor, GError **error)
{
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;
  gint64 id = 0;

  if ((hash = password_hash_checked (password, error)) == NULL)
    return FALSE;
  if (!rf_store_join (store, &own, error))
    return FALSE;
  if (!require_user (store, name, &id, error))
    goto fail;
  stmt = _rf_store_prepare (store, "UPDATE users SET pwhash = ?, pw_changed = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rf_now ());
  sqlite3_bind_int64 (stmt, 3, id);
  /* whoever knew the old password is logged out everywhere */
  if (!_rf_store_step_done (store, stmt, error, "cannot change the password") ||
      !_rf_sessions_drop_for (store, id, 0, error))
    goto fail;
  rf_activity_log (store, actor, "user-passwd", name, "logged out everywhere");
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

gboolean
rf_user_delete (RfStore *store, const char *name, const RfActor *actor, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 id = 0;

  if (!require_user (store, name, &id, error))
    return FALSE;
  /* roles and sessions go with it (ON DELETE CASCADE) */
  stmt = _rf_store_prepare (store, "DELETE FROM users WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_rf_store_step_done (store, stmt, error, "cannot delete the account"))
    return FALSE;
  rf_activity_log (store, actor, "user-del", name, NULL);
  return TRUE;
}

/* Users, with their roles, of one name or all. */
static GPtrArray *
read_users (RfStore *store, const char *name, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_user_free);
  RfUser *last = NULL;
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT u.id, u.name, u.email, u.admin, u.created, l.address, r.role "
                            "FROM users u LEFT JOIN user_roles r ON r.user_id = u.id "
                            "LEFT JOIN lists l ON l.id = r.list_id "
                            "WHERE ?1 IS NULL OR u.name = ?1 "
                            "ORDER BY u.name, l.address, r.role",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (last == NULL || last->id != id)
        {
          last = g_new0 (RfUser, 1);
          last->id = id;
          last->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          last->email = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          last->admin = sqlite3_column_int (stmt, 3) != 0;
          last->created = sqlite3_column_int64 (stmt, 4);
          last->roles = g_ptr_array_new_with_free_func ((GDestroyNotify) user_role_free);
          g_ptr_array_add (users, last);
        }
      if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
        {
          RfUserRole *role = g_new0 (RfUserRole, 1);

          role->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          role->role = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
          g_ptr_array_add (last->roles, role);
        }
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the accounts");
      return NULL;
    }
  return g_steal_pointer (&users);
}

RfUser *
rf_user_lookup (RfStore *store, const char *name, GError **error)
{
  g_autoptr (GPtrArray) users = read_users (store, name, error);

  if (users == NULL)
    return NULL;
  if (users->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no account '%s'", name);
      return NULL;
    }
  return g_ptr_array_steal_index (users, 0);
}

GPtrArray *
rf_user_all (RfStore *store, GError **error)
{
  return read_users (store, NULL, error);
}

gboolean
rf_user_has_role (const RfUser *user, const char *list_address, const char *role)
{
  if (user == NULL)
    return FALSE;
  if (user->admin)
    return TRUE;
  for (guint i = 0; i < user->roles->len; i++)
    {
      const RfUserRole *r = g_ptr_array_index (user->roles, i);

      if (g_ascii_strcasecmp (r->list_address, list_address) != 0)
        continue;
      if (g_str_equal (r->role, role) || g_str_equal (r->role, "owner"))
        return TRUE;
    }
  return FALSE;
}

gboolean
rf_user_verify (RfStore *store, const char *name, const char *password, gboolean *ok_out,
                GError **error)
{
  g_autofree char *hash = NULL;
  gint64 id = 0;

  if (!user_id (store, name, &id, &hash, error))
    return FALSE;
  *ok_out = rf_password_verify (hash, password);
  return TRUE;
}

gboolean
rf_list_web_access_set (RfStore *store, const RfList *list, const char *name,
                        const char *password, const RfActor *actor, GError **error)
{
  g_autofree char *hash = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;

  if (!check_name (name, "user", error))
    return FALSE;
  if ((hash = password_hash_checked (password, error)) == NULL)
    return FALSE;
  if (!rf_store_join (store, &own, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "INSERT INTO list_web_access (list_id, name, pwhash, pw_changed) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (list_id) DO UPDATE SET "
                            "name = excluded.name, pwhash = excluded.pwhash, "
                            "pw_changed = excluded.pw_changed",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, rf_now ());
  if (!_rf_store_step_done (store, stmt, error, "cannot set the web access") ||
      !_rf_sessions_drop_for (store, 0, list->id, error))
    goto fail;
  {
    g_autofree char *detail = g_strdup_printf ("user %s, old logins ended", name);

    rf_activity_log (store, actor, "web-access", list->address, detail);
  }
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

gboolean
rf_list_web_access_clear (RfStore *store, const RfList *list, const RfActor *actor,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* its sessions go with it (ON DELETE CASCADE would not: they hang off
   * the list), so drop them first */
  if (!_rf_sessions_drop_for (store, 0, list->id, error))
    return FALSE;
  stmt = _rf_store_prepare (store, "DELETE FROM list_web_access WHERE list_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  if (!_rf_store_step_done (store, stmt, error, "cannot remove the web access"))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' has no web access",
                   list->address);
      return FALSE;
    }
  rf_activity_log (store, actor, "web-access-off", list->address, NULL);
  return TRUE;
}

/* The web user's name and hash; both NULL when there is none. */
gboolean
_rf_list_web_access_read (RfStore *store, gint64 list_id, char **name_out, char **hash_out,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT name, pwhash FROM list_web_access WHERE list_id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the web access");
      return FALSE;
    }
  *name_out = rc == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (stmt, 0)) : NULL;
  if (hash_out != NULL)
    *hash_out = rc == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (stmt, 1))
                                 : NULL;
  return TRUE;
}

gboolean
rf_list_web_access_get (RfStore *store, const RfList *list, char **name_out, GError **error)
{
  return _rf_list_web_access_read (store, list->id, name_out, NULL, error);
}

/* For sessions.c: the account's id and hash (0 and NULL when unknown). */
gboolean
_rf_user_credentials (RfStore *store, const char *name, gint64 *id_out, char **hash_out,
                      GError **error)
{
  return user_id (store, name, id_out, hash_out, error);
}
