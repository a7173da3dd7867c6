/* members.c - the members of a list.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

/* How often the bulk functions report progress. */
#define PROGRESS_EVERY 5000

/* The journal row of the bulk functions: the same statement as
 * _rf_journal_append's, prepared once per bulk call rather than once per
 * address (100,000 addresses must import in seconds). */
#define JOURNAL_INSERT                                                          \
  "INSERT INTO journal (list_address, at, actor, event, subject, value) "     \
  "VALUES (?, ?, ?, ?, ?, NULL)"

static const char *const add_sql =
  "INSERT OR IGNORE INTO members (list_id, address, since, unsub_hash) VALUES (?, ?, ?, ?)";
static const char *const remove_sql = "DELETE FROM members WHERE list_id = ? AND address = ?";

/* One statement for both directions; the journal event names which. */
static gboolean
change_many (RfStore *store, const RfList *list, GPtrArray *addresses, gboolean add,
             const char *actor, RfProgressFunc progress, gpointer user_data,
             guint64 *changed_out, guint64 *unchanged_out, GError **error)
{
  const char *event = add ? "subscribe" : "unsubscribe";
  g_autoptr (sqlite3_stmt) change = NULL;
  g_autoptr (sqlite3_stmt) journal = NULL;
  gboolean own = !rf_store_in_transaction (store);
  guint64 changed = 0, unchanged = 0;
  gint64 now = rf_now ();
  g_autofree char *detail = NULL;
  guint8 unsub_key[RF_SITE_KEY_BYTES];

  /* the key before the transaction: it may create the key file */
  if (add && !_rf_unsub_key (store, unsub_key, error))
    return FALSE;
  if (own && !rf_store_begin (store, error))
    return FALSE;
  change = _rf_store_prepare (store, add ? add_sql : remove_sql, error);
  if (change == NULL)
    goto fail;
  journal = _rf_store_prepare (store, JOURNAL_INSERT, error);
  if (journal == NULL)
    goto fail;
  sqlite3_bind_int64 (change, 1, list->id);
  if (add)
    sqlite3_bind_int64 (change, 3, now);
  sqlite3_bind_text (journal, 1, list->address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (journal, 2, now);
  sqlite3_bind_text (journal, 3, actor != NULL ? actor : "unknown", -1, SQLITE_STATIC);
  sqlite3_bind_text (journal, 4, event, -1, SQLITE_STATIC);

  for (guint i = 0; i < addresses->len; i++)
    {
      const char *address = g_ptr_array_index (addresses, i);

      sqlite3_bind_text (change, 2, address, -1, SQLITE_STATIC);
      if (add)
        {
          g_autofree char *token = _rf_unsub_token (unsub_key, list->address, address, now);
          guint8 hash[RF_UNSUB_HASH_BYTES];

          _rf_unsub_hash (token, hash);
          sqlite3_bind_blob (change, 4, hash, sizeof hash, SQLITE_TRANSIENT);
        }
      if (!_rf_store_step_done (store, change, error, add ? "cannot add a member"
                                                          : "cannot remove a member"))
        goto fail;
      sqlite3_reset (change);
      if (sqlite3_changes (store->db) > 0)
        {
          sqlite3_bind_text (journal, 5, address, -1, SQLITE_STATIC);
          if (!_rf_store_step_done (store, journal, error, "cannot write the journal"))
            goto fail;
          sqlite3_reset (journal);
          changed++;
        }
      else
        unchanged++;
      if (progress != NULL && (i + 1) % PROGRESS_EVERY == 0)
        progress (i + 1, addresses->len, user_data);
    }
  if (progress != NULL)
    progress (addresses->len, addresses->len, user_data);

  if (addresses->len == 1)
    detail = g_strdup (g_ptr_array_index (addresses, 0));
  else
    detail = g_strdup_printf ("%" G_GUINT64_FORMAT " addresses, %" G_GUINT64_FORMAT " unchanged",
                              changed, unchanged);
  if (changed > 0)
    rf_activity_log (store, actor, event, list->address, NULL, detail);
  if (own && !rf_store_commit (store, error))
    return FALSE;
  if (changed_out != NULL)
    *changed_out = changed;
  if (unchanged_out != NULL)
    *unchanged_out = unchanged;
  return TRUE;

fail:
  if (own)
    rf_store_rollback (store);
  return FALSE;
}

gboolean
rf_member_add_many (RfStore *store, const RfList *list, GPtrArray *addresses, const char *actor,
                    RfProgressFunc progress, gpointer user_data, guint64 *changed_out,
                    guint64 *unchanged_out, GError **error)
{
  return change_many (store, list, addresses, TRUE, actor, progress, user_data, changed_out,
                      unchanged_out, error);
}

gboolean
rf_member_remove_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                       const char *actor, RfProgressFunc progress, gpointer user_data,
                       guint64 *changed_out, guint64 *unchanged_out, GError **error)
{
  return change_many (store, list, addresses, FALSE, actor, progress, user_data, changed_out,
                      unchanged_out, error);
}

static gboolean
change_one (RfStore *store, const RfList *list, const char *address, gboolean add,
            const char *actor, GError **error)
{
  g_autoptr (GPtrArray) one = g_ptr_array_new ();
  guint64 changed = 0;

  g_ptr_array_add (one, (gpointer) address);
  if (!change_many (store, list, one, add, actor, NULL, NULL, &changed, NULL, error))
    return FALSE;
  if (changed == 0)
    {
      if (add)
        g_set_error (error, RF_ERROR, RF_ERROR_EXISTS, "'%s' is already a member of '%s'",
                     address, list->address);
      else
        g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' is not a member of '%s'",
                     address, list->address);
      return FALSE;
    }
  return TRUE;
}

gboolean
rf_member_add (RfStore *store, const RfList *list, const char *address, const char *actor,
               GError **error)
{
  return change_one (store, list, address, TRUE, actor, error);
}

gboolean
rf_member_remove (RfStore *store, const RfList *list, const char *address, const char *actor,
                  GError **error)
{
  return change_one (store, list, address, FALSE, actor, error);
}

gboolean
rf_member_is (RfStore *store, const RfList *list, const char *address,
              gboolean *is_member_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT 1 FROM members WHERE list_id = ? AND address = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot look up the member");
      return FALSE;
    }
  *is_member_out = rc == SQLITE_ROW;
  return TRUE;
}

gint64
rf_member_count (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT count(*) FROM members WHERE list_id = ?", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, list->id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot count the members");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
rf_member_list (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT address FROM members WHERE list_id = ? ORDER BY address",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (members, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the members");
      return NULL;
    }
  return g_steal_pointer (&members);
}

gboolean
rf_member_find_any_case (RfStore *store, const RfList *list, const char *address,
                         char **member_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean exact = FALSE;
  int rc;

  *member_out = NULL;
  if (!rf_member_is (store, list, address, &exact, error))
    return FALSE;
  if (exact)
    {
      *member_out = g_strdup (address);
      return TRUE;
    }
  /* the exact match failed: scan the list's members without case (ASCII) */
  stmt = _rf_store_prepare (store,
                            "SELECT address FROM members WHERE list_id = ? "
                            "AND address = ? COLLATE NOCASE LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot look up the member");
      return FALSE;
    }
  if (rc == SQLITE_ROW)
    *member_out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

gboolean
rf_member_is_any_case (RfStore *store, const RfList *list, const char *address,
                       gboolean *is_member_out, GError **error)
{
  g_autofree char *member = NULL;

  if (!rf_member_find_any_case (store, list, address, &member, error))
    return FALSE;
  *is_member_out = member != NULL;
  return TRUE;
}
