/* ink.c - the rows of Disappearing Ink (issue 16): one per ink post, and
 * one per file of it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row holds the hash of the link's token (rf_token_hash), the list, the
 * times and blob ids: nothing that tells what the post says, not even its
 * files' names (they are sealed with the post).  Rows are keyed by the
 * list's address, like attachments: a deleted list's ink posts stay
 * findable until they expire, so that cleanup still deletes their blobs.
 */
#include "store-private.h"

void
rf_ink_free (RfInk *ink)
{
  if (ink == NULL)
    return;
  g_free (ink->list_address);
  g_free (ink->blob_id);
  g_strfreev (ink->file_blobs);
  g_free (ink);
}

gboolean
rf_ink_add (RfStore *store, const char *token_hash, const RfInk *ink, GError **error)
{
  g_autoptr (sqlite3_stmt) post = NULL;
  g_autoptr (sqlite3_stmt) file = NULL;
  gboolean own = FALSE;
  gint64 id;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  post = _rf_store_prepare (store,
                            "INSERT INTO ink_posts (token_hash, list_address, blob_id, created, "
                            "expires) VALUES (?, ?, ?, ?, ?)",
                            error);
  if (post == NULL)
    goto fail;
  sqlite3_bind_text (post, 1, token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (post, 2, ink->list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (post, 3, ink->blob_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (post, 4, ink->created);
  sqlite3_bind_int64 (post, 5, ink->expires);
  if (!_rf_store_step_done (store, post, error, "cannot record the ink post"))
    goto fail;
  id = sqlite3_last_insert_rowid (store->db);
  file = _rf_store_prepare (store, "INSERT INTO ink_files (post_id, n, blob_id) VALUES (?, ?, ?)",
                            error);
  if (file == NULL)
    goto fail;
  for (guint i = 0; ink->file_blobs != NULL && ink->file_blobs[i] != NULL; i++)
    {
      sqlite3_reset (file);
      sqlite3_bind_int64 (file, 1, id);
      sqlite3_bind_int64 (file, 2, i + 1);
      sqlite3_bind_text (file, 3, ink->file_blobs[i], -1, SQLITE_STATIC);
      if (!_rf_store_step_done (store, file, error, "cannot record a file of the ink post"))
        goto fail;
    }
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

/* The file blobs of post @id, in order. */
static char **
file_blobs (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store, "SELECT blob_id FROM ink_files WHERE post_id = ? ORDER BY n", error);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot list the files of an ink post");
      return NULL;
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

#define COLUMNS "id, list_address, blob_id, created, expires"

static RfInk *
from_row (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (RfInk) ink = g_new0 (RfInk, 1);

  ink->id = sqlite3_column_int64 (stmt, 0);
  ink->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  ink->blob_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  ink->created = sqlite3_column_int64 (stmt, 3);
  ink->expires = sqlite3_column_int64 (stmt, 4);
  ink->file_blobs = file_blobs (store, ink->id, error);
  if (ink->file_blobs == NULL)
    return NULL;
  return g_steal_pointer (&ink);
}

RfInk *
rf_ink_lookup (RfStore *store, const char *token, GError **error)
{
  g_autofree char *hash = rf_token_hash (token);
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT " COLUMNS " FROM ink_posts WHERE token_hash = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return from_row (store, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such ink post");
  else
    _rf_store_set_error (store, rc, error, "cannot look the ink post up");
  return NULL;
}

GPtrArray *
rf_ink_expired (RfStore *store, gint64 now, guint limit, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_ink_free);
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT " COLUMNS " FROM ink_posts WHERE expires <= ? ORDER BY expires, id LIMIT ?",
      error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfInk *ink = from_row (store, stmt, error);

      if (ink == NULL)
        return NULL;
      g_ptr_array_add (out, ink);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot list expired ink posts");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
rf_ink_remove (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM ink_posts WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  /* its files' rows go with it (ON DELETE CASCADE) */
  return _rf_store_step_done (store, stmt, error, "cannot remove the ink post");
}
