/* expiry.c - rows that expire by age: the activity log, finished and
 * abandoned deliveries.  They run inside the transaction of the cleanup
 * engine (rf_cleanup_run), which rolls it back for a dry run.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

gboolean
_rf_store_delete_older (RfStore *store, const char *table, const char *column, gint64 before,
                        guint64 *removed_out, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE %s < ?", table, column);
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!_rf_store_step_done (store, stmt, error, "cannot remove expired rows"))
    return FALSE;
  *removed_out += (guint64) sqlite3_changes (store->db);
  return TRUE;
}

gboolean
rf_activity_expire (RfStore *store, gint64 before, guint64 *removed_out, GError **error)
{
  return _rf_store_delete_older (store, "activity", "at", before, removed_out, error);
}

GPtrArray *
rf_deliveries_expire (RfStore *store, gint64 before, guint64 *removed_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  int rc;

  /* the keys first: the spool files of abandoned deliveries go with them */
  find = _rf_store_prepare (store, "SELECT msg_key FROM deliveries WHERE created < ?1", error);
  if (find == NULL)
    return NULL;
  sqlite3_bind_int64 (find, 1, before);
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    g_ptr_array_add (keys, g_strdup ((const char *) sqlite3_column_text (find, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the deliveries");
      return NULL;
    }
  /* delivery_recipients go with their delivery (ON DELETE CASCADE) */
  if (!_rf_store_delete_older (store, "deliveries", "created", before, removed_out, error))
    return NULL;
  return g_steal_pointer (&keys);
}
