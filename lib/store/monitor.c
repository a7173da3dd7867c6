/* monitor.c - the rows of inbox monitoring (issue 15): the copies sent to
 * the seed addresses, and the bounces that came back from them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here is about members: the seeds are the site's own mailboxes,
 * named in reflector.conf, and never in the members table, so that no
 * member list, count, report or export can show them.
 */
#include "store-private.h"

gboolean
rf_monitor_sent (RfStore *store, const char *msg_key, const char *seed, gboolean *sent_out,
                 GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store, "SELECT 1 FROM monitor_sends WHERE msg_key = ? AND seed = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, seed, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the monitor's copies");
      return FALSE;
    }
  *sent_out = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
rf_monitor_record_send (RfStore *store, const char *msg_key, const char *seed,
                        const char *list_address, gint64 post_id, RfRecipientState state,
                        const char *detail, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "INSERT OR REPLACE INTO monitor_sends (msg_key, seed, list_address, "
                            "post_id, at, state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, seed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, post_id);
  sqlite3_bind_int64 (stmt, 5, rf_now ());
  sqlite3_bind_int (stmt, 6, (int) state);
  sqlite3_bind_text (stmt, 7, detail, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record the monitor's copy");
}

gboolean
rf_monitor_record_bounce (RfStore *store, const char *list_address, const char *seed,
                          const char *bounce_class, const char *status, const char *diagnostic,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "INSERT INTO monitor_bounces (list_address, seed, at, class, status, "
                            "diagnostic) VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, seed, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, rf_now ());
  sqlite3_bind_text (stmt, 4, bounce_class, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, status, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, diagnostic, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record the monitor's bounce");
}

void
rf_monitor_seed_free (RfMonitorSeed *s)
{
  if (s == NULL)
    return;
  g_free (s->seed);
  g_free (s->last_class);
  g_free (s->last_diagnostic);
  g_free (s);
}

GPtrArray *
rf_monitor_summary (RfStore *store, gint64 since, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) rows =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_monitor_seed_free);
  int rc;

  stmt = _rf_store_prepare (
      store,
      "WITH seeds AS (SELECT seed FROM monitor_sends WHERE at >= ?1 "
      "  UNION SELECT seed FROM monitor_bounces WHERE at >= ?1) "
      "SELECT s.seed, "
      "  (SELECT count(*) FROM monitor_sends WHERE seed = s.seed AND at >= ?1 AND state = 1), "
      "  (SELECT count(*) FROM monitor_sends WHERE seed = s.seed AND at >= ?1 AND state <> 1), "
      "  (SELECT count(*) FROM monitor_bounces WHERE seed = s.seed AND at >= ?1), "
      "  (SELECT count(*) FROM monitor_bounces WHERE seed = s.seed AND at >= ?1 "
      "     AND class = 'permanent'), "
      "  (SELECT count(*) FROM monitor_bounces WHERE seed = s.seed AND at >= ?1 "
      "     AND class = 'policy'), "
      "  (SELECT count(*) FROM monitor_bounces WHERE seed = s.seed AND at >= ?1 "
      "     AND class = 'temporary'), "
      "  b.at, b.class, b.diagnostic "
      "FROM seeds s LEFT JOIN monitor_bounces b ON b.id = (SELECT max(id) FROM monitor_bounces "
      "  WHERE seed = s.seed AND at >= ?1) ORDER BY s.seed",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfMonitorSeed *s = g_new0 (RfMonitorSeed, 1);
      const unsigned char *t;

      s->seed = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      s->sent = sqlite3_column_int64 (stmt, 1);
      s->not_sent = sqlite3_column_int64 (stmt, 2);
      s->bounces = sqlite3_column_int64 (stmt, 3);
      s->permanent = sqlite3_column_int64 (stmt, 4);
      s->policy = sqlite3_column_int64 (stmt, 5);
      s->temporary = sqlite3_column_int64 (stmt, 6);
      s->last_bounce = sqlite3_column_int64 (stmt, 7);
      t = sqlite3_column_text (stmt, 8);
      s->last_class = t != NULL ? g_strdup ((const char *) t) : NULL;
      t = sqlite3_column_text (stmt, 9);
      s->last_diagnostic = t != NULL ? g_strdup ((const char *) t) : NULL;
      g_ptr_array_add (rows, s);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the monitor's records");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
rf_monitor_expire (RfStore *store, gint64 before, guint64 *removed_out, GError **error)
{
  return _rf_store_delete_older (store, "monitor_sends", "at", before, removed_out, error) &&
         _rf_store_delete_older (store, "monitor_bounces", "at", before, removed_out, error);
}
