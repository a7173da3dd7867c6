/* expiry.c - rows that expire by age: the activity log, finished and
 * abandoned deliveries, sessions.  The cleaners of lib/cleanup.c call these.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each runs its DELETE in a transaction and, for a dry run, rolls it back:
 * the count of a dry run is exactly what a real run removes, without a
 * second copy of every condition as a SELECT.
 */
#include "store-private.h"

/* @sql: one DELETE whose ?1 is @before. */
static gboolean
delete_before (RfStore *store, const char *sql, gint64 before, gboolean dry_run,
               guint64 *removed_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!rf_store_begin (store, error))
    return FALSE;
  stmt = _rf_store_prepare (store, sql, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!_rf_store_step_done (store, stmt, error, "cannot remove expired rows"))
    goto fail;
  *removed_out += (guint64) sqlite3_changes (store->db);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (dry_run)
    {
      rf_store_rollback (store);
      return TRUE;
    }
  return rf_store_commit (store, error);
fail:
  rf_store_rollback (store);
  return FALSE;
}

gboolean
rf_activity_expire (RfStore *store, gint64 before, gboolean dry_run, guint64 *removed_out,
                    GError **error)
{
  return delete_before (store, "DELETE FROM activity WHERE at < ?1", before, dry_run,
                        removed_out, error);
}

GPtrArray *
rf_deliveries_expire (RfStore *store, gint64 before, gboolean dry_run, guint64 *removed_out,
                      GError **error)
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
  g_clear_pointer (&find, sqlite3_finalize);
  /* delivery_recipients go with their delivery (ON DELETE CASCADE) */
  if (!delete_before (store, "DELETE FROM deliveries WHERE created < ?1", before, dry_run,
                      removed_out, error))
    return NULL;
  return g_steal_pointer (&keys);
}

gboolean
rf_sessions_expire_counted (RfStore *store, const RfSecurityPolicy *policy, gboolean dry_run,
                            guint64 *removed_out, GError **error)
{
  if (!rf_store_begin (store, error))
    return FALSE;
  if (!rf_sessions_expire (store, policy, removed_out, error))
    {
      rf_store_rollback (store);
      return FALSE;
    }
  if (dry_run)
    {
      rf_store_rollback (store);
      return TRUE;
    }
  return rf_store_commit (store, error);
}
