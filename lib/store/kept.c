/* kept.c - the rows of the troubleshooting store (issue 15): one per
 * incoming message, whose bytes are a sealed blob (lib/keep/).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keyed by the delivery's key (rf_spool_key): the MTA's retry of the same
 * message finds its row and keeps nothing twice, and the outcome of the
 * last run is the one shown.
 */
#include "store-private.h"

void
rf_kept_message_free (RfKeptMessage *m)
{
  if (m == NULL)
    return;
  g_free (m->list_address);
  g_free (m->role);
  g_free (m->sender);
  g_free (m->from_addr);
  g_free (m->subject);
  g_free (m->outcome);
  g_free (m->blob_id);
  g_free (m);
}

static char *
dup_column (sqlite3_stmt *stmt, int i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

#define KEPT_COLUMNS                                                                      \
  "id, list_address, role, received, sender, from_addr, subject, size, headers_only, " \
  "outcome, blob_id"

static RfKeptMessage *
kept_from_row (sqlite3_stmt *stmt)
{
  RfKeptMessage *m = g_new0 (RfKeptMessage, 1);

  m->id = sqlite3_column_int64 (stmt, 0);
  m->list_address = dup_column (stmt, 1);
  m->role = dup_column (stmt, 2);
  m->received = sqlite3_column_int64 (stmt, 3);
  m->sender = dup_column (stmt, 4);
  m->from_addr = dup_column (stmt, 5);
  m->subject = dup_column (stmt, 6);
  m->size = sqlite3_column_int64 (stmt, 7);
  m->headers_only = sqlite3_column_int (stmt, 8) != 0;
  m->outcome = dup_column (stmt, 9);
  m->blob_id = dup_column (stmt, 10);
  return m;
}

/* The rows @stmt selects (KEPT_COLUMNS). */
static GPtrArray *
read_kept (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) rows =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_kept_message_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, kept_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the kept messages");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
rf_kept_exists (RfStore *store, const char *msg_key, gboolean *exists_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT 1 FROM kept_messages WHERE msg_key = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot look the kept message up");
      return FALSE;
    }
  *exists_out = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
rf_kept_add (RfStore *store, const RfKeptMessage *m, const char *msg_key, gboolean *added_out,
             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* OR IGNORE: two runs of one message racing keep one row; the loser
   * learns it from *added_out and deletes its own blob */
  stmt = _rf_store_prepare (store,
                            "INSERT OR IGNORE INTO kept_messages (list_address, msg_key, role, "
                            "received, sender, from_addr, subject, size, headers_only, outcome, "
                            "blob_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, m->list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, m->role, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, m->received);
  sqlite3_bind_text (stmt, 5, m->sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, m->from_addr, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, m->subject, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, m->size);
  sqlite3_bind_int (stmt, 9, m->headers_only ? 1 : 0);
  sqlite3_bind_text (stmt, 10, m->outcome, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, m->blob_id, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot record the kept message"))
    return FALSE;
  *added_out = sqlite3_changes (store->db) > 0;
  return TRUE;
}

gboolean
rf_kept_set_outcome (RfStore *store, const char *msg_key, const char *outcome, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store, "UPDATE kept_messages SET outcome = ? WHERE msg_key = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, outcome, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, msg_key, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record the message's outcome");
}

GPtrArray *
rf_kept_messages (RfStore *store, const char *list_address, gint64 since, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *key = g_utf8_strdown (list_address, -1);

  stmt = _rf_store_prepare (store,
                            "SELECT " KEPT_COLUMNS " FROM kept_messages "
                            "WHERE list_address = ? AND received >= ? ORDER BY received, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since);
  return read_kept (store, stmt, error);
}

RfKeptMessage *
rf_kept_message_get (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT " KEPT_COLUMNS " FROM kept_messages WHERE id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return kept_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                 "no kept message %" G_GINT64_FORMAT " (expired, or never kept)", id);
  else
    _rf_store_set_error (store, rc, error, "cannot read the kept message");
  return NULL;
}

GPtrArray *
rf_kept_expired (RfStore *store, gint64 before, guint limit, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "SELECT " KEPT_COLUMNS " FROM kept_messages WHERE received < ? "
                            "ORDER BY received, id LIMIT ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, before);
  sqlite3_bind_int (stmt, 2, (int) limit);
  return read_kept (store, stmt, error);
}

GPtrArray *
rf_kept_all (RfStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store, "SELECT " KEPT_COLUMNS " FROM kept_messages ORDER BY id",
                            error);
  if (stmt == NULL)
    return NULL;
  return read_kept (store, stmt, error);
}

gboolean
rf_kept_remove (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM kept_messages WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _rf_store_step_done (store, stmt, error, "cannot remove the kept message");
}
