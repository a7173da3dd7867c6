/* attachments.c - the rows of stripped attachments and the per-list post
 * counter (issue 3).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are keyed by the list's address, not its id, like the journal: a
 * deleted list's attachments stay findable until they expire, so that
 * cleanup still deletes their blobs.  An unguessable attachment's row
 * holds only the hash of its token (rf_token_hash).
 */
#include "store-private.h"

void
rf_attachment_free (RfAttachment *a)
{
  if (a == NULL)
    return;
  g_free (a->blob_id);
  g_free (a->list_address);
  g_free (a->filename);
  g_free (a->content_type);
  g_free (a);
}

gboolean
rf_post_number_next (RfStore *store, const char *list_address, gint64 *number_out,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* one statement: concurrent deliveries each get their own number */
  stmt = _rf_store_prepare (store,
                            "INSERT INTO post_counters (list_address, last) VALUES (?, 1) "
                            "ON CONFLICT (list_address) DO UPDATE SET last = last + 1 "
                            "RETURNING last",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _rf_store_set_error (store, sqlite3_errcode (store->db), error,
                           "cannot number the post");
      return FALSE;
    }
  *number_out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
rf_attachment_add (RfStore *store, const RfAttachment *a, const char *token_hash,
                   gint64 *id_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (
      store,
      "INSERT INTO attachments (blob_id, token_hash, list_address, post, n, filename, "
      "content_type, size, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, a->blob_id, -1, SQLITE_STATIC);
  if (token_hash != NULL)
    sqlite3_bind_text (stmt, 2, token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, a->list_address, -1, SQLITE_STATIC);
  if (!a->unguessable)
    {
      sqlite3_bind_int64 (stmt, 4, a->post);
      sqlite3_bind_int64 (stmt, 5, a->n);
    }
  sqlite3_bind_text (stmt, 6, a->filename, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, a->content_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, (gint64) a->size);
  sqlite3_bind_int64 (stmt, 9, a->created);
  if (a->expires != 0)
    sqlite3_bind_int64 (stmt, 10, a->expires);
  if (!_rf_store_step_done (store, stmt, error, "cannot record the attachment"))
    return FALSE;
  if (id_out != NULL)
    *id_out = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

#define COLUMNS                                                                              \
  "id, blob_id, token_hash IS NOT NULL, list_address, coalesce(post, 0), coalesce(n, 0), "   \
  "filename, content_type, size, created, coalesce(expires, 0)"

static RfAttachment *
from_row (sqlite3_stmt *stmt)
{
  RfAttachment *a = g_new0 (RfAttachment, 1);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->blob_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  a->unguessable = sqlite3_column_int (stmt, 2) != 0;
  a->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  a->post = sqlite3_column_int64 (stmt, 4);
  a->n = sqlite3_column_int64 (stmt, 5);
  a->filename = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  a->content_type = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  a->size = (guint64) sqlite3_column_int64 (stmt, 8);
  a->created = sqlite3_column_int64 (stmt, 9);
  a->expires = sqlite3_column_int64 (stmt, 10);
  return a;
}

static RfAttachment *
one (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such attachment");
  else
    _rf_store_set_error (store, rc, error, "cannot look the attachment up");
  return NULL;
}

RfAttachment *
rf_attachment_by_token (RfStore *store, const char *token, GError **error)
{
  g_autofree char *hash = rf_token_hash (token);
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT " COLUMNS " FROM attachments WHERE token_hash = ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  return one (store, stmt, error);
}

RfAttachment *
rf_attachment_by_post (RfStore *store, const char *list_address, gint64 post, gint64 n,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT " COLUMNS " FROM attachments WHERE list_address = ? AND post = ? AND n = ? "
      "AND token_hash IS NULL",
      error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, post);
  sqlite3_bind_int64 (stmt, 3, n);
  return one (store, stmt, error);
}

GPtrArray *
rf_attachment_expired (RfStore *store, gint64 now, guint limit, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_attachment_free);
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT " COLUMNS " FROM attachments WHERE expires IS NOT NULL AND expires <= ? "
      "ORDER BY expires, id LIMIT ?",
      error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot list expired attachments");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
rf_attachment_remove (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM attachments WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _rf_store_step_done (store, stmt, error, "cannot remove the attachment");
}
