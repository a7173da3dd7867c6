/* members.c - the members of a list.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

/* How often the bulk functions report progress. */
#define PROGRESS_EVERY 5000

/* The journal row of the bulk functions: the same statement as
 * rf_journal_append's, prepared once per bulk call rather than once per
 * address (100,000 addresses must import in seconds). */
#define JOURNAL_INSERT                                                          \
  "INSERT INTO journal (list_address, at, actor, event, subject, value) "     \
  "VALUES (?, ?, ?, ?, ?, NULL)"

/* One mailbox, one membership: an address is in when it is there in any
 * case of its letters (the index members_nocase makes that one lookup).
 * Removing returns the address as stored, which is what the journal keeps. */
static const char *const add_sql =
  "INSERT INTO members (list_id, address, since, unsub_hash) SELECT ?1, ?2, ?3, ?4 "
  "WHERE NOT EXISTS (SELECT 1 FROM members WHERE list_id = ?1 AND address = ?2 COLLATE NOCASE)";
static const char *const remove_sql =
  "DELETE FROM members WHERE list_id = ? AND address = ? COLLATE NOCASE RETURNING address";

/* Run @change for @address (bound already) and journal what it changed:
 * the address added, or each address as stored that the removal took. */
static gboolean
change_one_row (RfStore *store, sqlite3_stmt *change, sqlite3_stmt *journal, gboolean add,
                const char *address, guint64 *changed, guint64 *unchanged, GError **error)
{
  g_autoptr (GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (change)) == SQLITE_ROW)
    g_ptr_array_add (done, g_strdup ((const char *) sqlite3_column_text (change, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, add ? "cannot add a member" : "cannot remove a member");
      sqlite3_reset (change);
      return FALSE;
    }
  if (add && sqlite3_changes (store->db) > 0)
    g_ptr_array_add (done, g_strdup (address));
  sqlite3_reset (change);
  for (guint j = 0; j < done->len; j++)
    {
      sqlite3_bind_text (journal, 5, g_ptr_array_index (done, j), -1, SQLITE_STATIC);
      if (!_rf_store_step_done (store, journal, error, "cannot write the journal"))
        return FALSE;
      sqlite3_reset (journal);
    }
  if (done->len > 0)
    (*changed)++;
  else
    (*unchanged)++;
  return TRUE;
}

/* One statement for both directions; the journal event names which. */
static gboolean
change_many (RfStore *store, const RfList *list, GPtrArray *addresses, gboolean add,
             const RfActor *actor, RfProgressFunc progress, gpointer user_data,
             guint64 *changed_out, guint64 *unchanged_out, GError **error)
{
  const char *event = add ? "subscribe" : "unsubscribe";
  g_autoptr (sqlite3_stmt) change = NULL;
  g_autoptr (sqlite3_stmt) journal = NULL;
  gboolean own = FALSE;
  guint64 changed = 0, unchanged = 0;
  gint64 now = rf_now ();
  g_autofree char *detail = NULL;
  guint8 unsub_key[RF_KEY_BYTES];

  /* the key before the transaction: it may create the key file */
  if (add && !_rf_unsub_key (store, unsub_key, error))
    return FALSE;
  if (!rf_store_join (store, &own, error))
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
  sqlite3_bind_text (journal, 3, _rf_actor_name (actor), -1, SQLITE_STATIC);
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
      if (!change_one_row (store, change, journal, add, address, &changed, &unchanged, error))
        goto fail;
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
    rf_activity_log (store, actor, event, list->address, detail);
  if (own && !rf_store_commit (store, error))
    return FALSE;
  if (changed_out != NULL)
    *changed_out = changed;
  if (unchanged_out != NULL)
    *unchanged_out = unchanged;
  return TRUE;

fail:
  return rf_store_end (store, own, FALSE, error);
}

gboolean
rf_member_add_many (RfStore *store, const RfList *list, GPtrArray *addresses, const RfActor *actor,
                    RfProgressFunc progress, gpointer user_data, guint64 *changed_out,
                    guint64 *unchanged_out, GError **error)
{
  return change_many (store, list, addresses, TRUE, actor, progress, user_data, changed_out,
                      unchanged_out, error);
}

gboolean
rf_member_remove_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                       const RfActor *actor, RfProgressFunc progress, gpointer user_data,
                       guint64 *changed_out, guint64 *unchanged_out, GError **error)
{
  return change_many (store, list, addresses, FALSE, actor, progress, user_data, changed_out,
                      unchanged_out, error);
}

static gboolean
change_one (RfStore *store, const RfList *list, const char *address, gboolean add,
            const RfActor *actor, GError **error)
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
rf_member_add (RfStore *store, const RfList *list, const char *address, const RfActor *actor,
               GError **error)
{
  return change_one (store, list, address, TRUE, actor, error);
}

gboolean
rf_member_remove (RfStore *store, const RfList *list, const char *address, const RfActor *actor,
                  GError **error)
{
  return change_one (store, list, address, FALSE, actor, error);
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
rf_member_find (RfStore *store, const RfList *list, const char *address, char **member_out,
                GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  /* ASCII case only, as SQLite's NOCASE: addresses are normalised ASCII in
   * their domain, and a local part's non-ASCII letters are rare enough to
   * be compared as written */
  stmt = _rf_store_prepare (store,
                            "SELECT address FROM members WHERE list_id = ? "
                            "AND address = ? COLLATE NOCASE ORDER BY address = ?2 DESC LIMIT 1",
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
  *member_out = rc == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (stmt, 0)) : NULL;
  return TRUE;
}
