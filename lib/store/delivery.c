/* delivery.c - progress of one message's fan-out, so that a retry resumes.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MTA runs listdeliver again with the same bytes after an exit 75, or
 * after a kill.  The first run snapshots the members into
 * delivery_recipients; every later run sends only to the rows still
 * pending.  Each outcome is its own small commit: in WAL mode with
 * synchronous=NORMAL a commit survives the death of the process, which is
 * what the kill test asks; only the copies whose sendmail was running at
 * that moment may go out twice.
 */
#include "store-private.h"

gboolean
rf_delivery_open (RfStore *store, const RfList *list, const char *msg_key, gint64 *id_out,
                  gboolean *created_out, gboolean *done_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autoptr (sqlite3_stmt) snapshot = NULL;
  gint64 id;
  int rc;

  if (!rf_store_begin (store, error))
    return FALSE;
  find = _rf_store_prepare (store, "SELECT id, state FROM deliveries WHERE msg_key = ?", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_text (find, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gboolean done = g_strcmp0 ((const char *) sqlite3_column_text (find, 1), "done") == 0;

      id = sqlite3_column_int64 (find, 0);
      rf_store_rollback (store);
      *id_out = id;
      *created_out = FALSE;
      *done_out = done;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read delivery progress");
      goto fail;
    }

  insert = _rf_store_prepare (store,
                              "INSERT INTO deliveries (list_id, msg_key, state, created) "
                              "VALUES (?, ?, 'sending', ?)",
                              error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_int64 (insert, 1, list->id);
  sqlite3_bind_text (insert, 2, msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 3, rf_now ());
  if (!_rf_store_step_done (store, insert, error, "cannot record a delivery"))
    goto fail;
  id = sqlite3_last_insert_rowid (store->db);

  /* the members as of now: who subscribes during a long fan-out gets the
   * next post, who leaves still gets this one (it was sent to them);
   * members disabled by bounces get nothing until re-enabled */
  snapshot = _rf_store_prepare (store,
                                "INSERT INTO delivery_recipients (delivery_id, address) "
                                "SELECT ?, m.address FROM members m WHERE m.list_id = ?2 "
                                "AND NOT EXISTS (SELECT 1 FROM member_bounces b "
                                "WHERE b.list_id = ?2 AND b.address = m.address "
                                "AND b.state = 1)",
                                error);
  if (snapshot == NULL)
    goto fail;
  sqlite3_bind_int64 (snapshot, 1, id);
  sqlite3_bind_int64 (snapshot, 2, list->id);
  if (!_rf_store_step_done (store, snapshot, error, "cannot record the recipients"))
    goto fail;
  if (!rf_store_commit (store, error))
    goto fail;
  *id_out = id;
  *created_out = TRUE;
  *done_out = FALSE;
  return TRUE;

fail:
  rf_store_rollback (store);
  return FALSE;
}

gboolean
rf_delivery_is_done (RfStore *store, const char *msg_key, gboolean *done_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find =
      _rf_store_prepare (store, "SELECT 1 FROM deliveries WHERE msg_key = ? AND state = 'done'",
                         error);
  int rc;

  if (find == NULL)
    return FALSE;
  sqlite3_bind_text (find, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read delivery progress");
      return FALSE;
    }
  *done_out = rc == SQLITE_ROW;
  return TRUE;
}

GPtrArray *
rf_delivery_pending (RfStore *store, gint64 delivery_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT address FROM delivery_recipients "
                            "WHERE delivery_id = ? AND state = 0 ORDER BY address",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read pending recipients");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
rf_delivery_record (RfStore *store, gint64 delivery_id, const char *address,
                    RfRecipientState state, const char *detail, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "UPDATE delivery_recipients SET state = ?, tries = tries + 1, "
                            "last_error = ? WHERE delivery_id = ? AND address = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, (int) state);
  sqlite3_bind_text (stmt, 2, detail, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, delivery_id);
  sqlite3_bind_text (stmt, 4, address, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record a recipient's outcome");
}

gboolean
rf_delivery_counts (RfStore *store, gint64 delivery_id, guint64 *pending_out,
                    guint64 *sent_out, guint64 *failed_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint64 n[3] = { 0, 0, 0 };
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT state, count(*) FROM delivery_recipients "
                            "WHERE delivery_id = ? GROUP BY state",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int state = sqlite3_column_int (stmt, 0);

      if (state >= 0 && state < 3)
        n[state] = (guint64) sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot count recipients");
      return FALSE;
    }
  *pending_out = n[RF_RCPT_PENDING];
  *sent_out = n[RF_RCPT_SENT];
  *failed_out = n[RF_RCPT_FAILED];
  return TRUE;
}

gboolean
rf_delivery_finish (RfStore *store, gint64 delivery_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) forget = NULL;

  if (!rf_store_begin (store, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "UPDATE deliveries SET state = 'done', finished = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, rf_now ());
  sqlite3_bind_int64 (stmt, 2, delivery_id);
  if (!_rf_store_step_done (store, stmt, error, "cannot finish a delivery"))
    goto fail;
  /* keep less: who received which post is nobody's business once it is
   * done; the permanent failures stay for the bounce handling */
  forget = _rf_store_prepare (store,
                              "DELETE FROM delivery_recipients "
                              "WHERE delivery_id = ? AND state = 1",
                              error);
  if (forget == NULL)
    goto fail;
  sqlite3_bind_int64 (forget, 1, delivery_id);
  if (!_rf_store_step_done (store, forget, error, "cannot finish a delivery"))
    goto fail;
  return rf_store_commit (store, error);

fail:
  rf_store_rollback (store);
  return FALSE;
}
