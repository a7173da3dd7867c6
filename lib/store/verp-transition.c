/* verp-transition.c - the VERP addresses without an authenticator of the
 * posts that were already out when issue 11 added one.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Migration 8 records when the authenticator came ('verp-auth' in
 * site_events), on a site that had sent posts.  For
 * RF_VERP_TRANSITION_DAYS after it, a bounce to an address without one
 * counts as before: the bounces of the copies sent by the old version
 * come back within days.  After, and on a new site from the start, only
 * an authentic address counts.
 */
#include "store-private.h"

gboolean
_rf_verp_unsigned_accepted (RfStore *store, gboolean *accepted_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT at FROM site_events WHERE name = 'verp-auth'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the site's events");
      return FALSE;
    }
  *accepted_out = rc == SQLITE_ROW &&
                  rf_now () < sqlite3_column_int64 (stmt, 0) + RF_VERP_TRANSITION_DAYS * RF_DAY;
  return TRUE;
}
