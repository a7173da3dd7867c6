/* autoresponses.c - how many automatic answers an address was sent today
 * (issue 10, setting autoresponse_limit).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per list, address and day, lower-cased: mail that forges an
 * address cannot make a list flood it.  A day's rows limit nothing the
 * next day; cleanup removes them.
 */
#include "store-private.h"

gboolean
rf_autoresponse_take (RfStore *store, const char *list_address, const char *address,
                      guint64 limit, gint64 now, gboolean *allowed_out, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (address, -1);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;

  if (limit == 0)
    {
      *allowed_out = FALSE;
      return TRUE;
    }
  if (!rf_store_join (store, &own, error))
    return FALSE;
  /* the count goes up only while under the limit: one statement, so that
   * two runs at once cannot both take the last answer */
  stmt = _rf_store_prepare (
      store,
      "INSERT INTO autoresponses (list_address, address, day, count) VALUES (?1, ?2, ?3, 1) "
      "ON CONFLICT (list_address, address, day) DO UPDATE SET count = count + 1 "
      "WHERE count < ?4",
      error);
  if (stmt == NULL)
    return rf_store_end (store, own, FALSE, error);
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, lower, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now / RF_DAY);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) MIN (limit, (guint64) G_MAXINT64));
  if (!_rf_store_step_done (store, stmt, error, "cannot count an automatic answer"))
    return rf_store_end (store, own, FALSE, error);
  *allowed_out = sqlite3_changes (store->db) > 0;
  return rf_store_end (store, own, TRUE, error);
}

gboolean
rf_autoresponses_expire (RfStore *store, gint64 now, guint64 *removed_out, GError **error)
{
  return _rf_store_delete_older (store, "autoresponses", "day", now / RF_DAY, removed_out,
                                 error);
}
