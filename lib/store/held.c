/* held.c - the rows of held posts (issue 10): what a moderator decides by;
 * the post itself is a sealed blob (lib/moderation/hold.c).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

#define COLUMNS                                                                        \
  "id, list_address, msg_key, sender, from_header, subject, reasons, size, blob_id, " \
  "held, expires, state"

void
rf_held_post_free (RfHeldPost *post)
{
  if (post == NULL)
    return;
  g_free (post->list_address);
  g_free (post->msg_key);
  g_free (post->sender);
  g_free (post->from);
  g_free (post->subject);
  g_free (post->reasons);
  g_free (post->blob_id);
  g_free (post->state);
  g_free (post);
}

static char *
column_dup (sqlite3_stmt *stmt, int i)
{
  const char *text = (const char *) sqlite3_column_text (stmt, i);

  return g_strdup (text != NULL ? text : "");
}

static GPtrArray *
posts_of (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) posts = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_held_post_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfHeldPost *p = g_new0 (RfHeldPost, 1);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->list_address = column_dup (stmt, 1);
      p->msg_key = column_dup (stmt, 2);
      p->sender = column_dup (stmt, 3);
      p->from = column_dup (stmt, 4);
      p->subject = column_dup (stmt, 5);
      p->reasons = column_dup (stmt, 6);
      p->size = sqlite3_column_int64 (stmt, 7);
      p->blob_id = column_dup (stmt, 8);
      p->held = sqlite3_column_int64 (stmt, 9);
      p->expires = sqlite3_column_int64 (stmt, 10);
      p->state = column_dup (stmt, 11);
      g_ptr_array_add (posts, p);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the held posts");
      return NULL;
    }
  return g_steal_pointer (&posts);
}

gboolean
rf_held_add (RfStore *store, const RfHeldPost *post, gboolean *added_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* OR IGNORE: the MTA's retry of a message held already holds nothing
   * twice; the caller learns it from *added_out and drops its blob */
  stmt = _rf_store_prepare (store,
                            "INSERT OR IGNORE INTO held_posts (list_address, msg_key, sender, "
                            "from_header, subject, reasons, size, blob_id, held, expires) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, post->list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, post->msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, post->sender != NULL ? post->sender : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, post->from != NULL ? post->from : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, post->subject != NULL ? post->subject : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, post->reasons, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, post->size);
  sqlite3_bind_text (stmt, 8, post->blob_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, post->held);
  sqlite3_bind_int64 (stmt, 10, post->expires);
  if (!_rf_store_step_done (store, stmt, error, "cannot record the held post"))
    return FALSE;
  *added_out = sqlite3_changes (store->db) > 0;
  return TRUE;
}

/* One row by @column = @value (text) or by id. */
static RfHeldPost *
held_one (RfStore *store, const char *where, const char *text, gint64 id, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " COLUMNS " FROM held_posts WHERE %s", where);
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (store, sql, error);
  g_autoptr (GPtrArray) posts = NULL;

  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  posts = posts_of (store, stmt, error);
  if (posts == NULL)
    return NULL;
  if (posts->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "no such held post: it was approved, rejected or discarded already, or "
                   "it expired");
      return NULL;
    }
  return g_ptr_array_steal_index (posts, 0);
}

RfHeldPost *
rf_held_get (RfStore *store, gint64 id, GError **error)
{
  return held_one (store, "id = ?", NULL, id, error);
}

RfHeldPost *
rf_held_by_key (RfStore *store, const char *msg_key, GError **error)
{
  return held_one (store, "msg_key = ?", msg_key, 0, error);
}

GPtrArray *
rf_held_list (RfStore *store, const RfList *list, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT " COLUMNS " FROM held_posts WHERE list_address = ? AND expires > ? ORDER BY id",
      error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, list->address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  return posts_of (store, stmt, error);
}

gboolean
rf_held_set_state (RfStore *store, gint64 id, const char *state, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "UPDATE held_posts SET state = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  return _rf_store_step_done (store, stmt, error, "cannot change a held post");
}

gboolean
rf_held_set_notified (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "UPDATE held_posts SET notified = 1 WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _rf_store_step_done (store, stmt, error, "cannot change a held post");
}

gboolean
rf_held_notified (RfStore *store, gint64 id, gboolean *notified_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT notified FROM held_posts WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read a held post");
      return FALSE;
    }
  *notified_out = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

gboolean
rf_held_remove (RfStore *store, gint64 id, gboolean *removed_out, GError **error)
{
  g_autoptr (sqlite3_stmt) post = NULL;
  g_autoptr (sqlite3_stmt) tokens = NULL;
  gboolean own = FALSE;
  gboolean removed;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  post = _rf_store_prepare (store, "DELETE FROM held_posts WHERE id = ?", error);
  tokens = _rf_store_prepare (store, "DELETE FROM confirmations WHERE held_id = ?", error);
  if (post == NULL || tokens == NULL)
    return rf_store_end (store, own, FALSE, error);
  sqlite3_bind_int64 (post, 1, id);
  sqlite3_bind_int64 (tokens, 1, id);
  if (!_rf_store_step_done (store, post, error, "cannot remove a held post"))
    return rf_store_end (store, own, FALSE, error);
  removed = sqlite3_changes (store->db) > 0;
  if (!_rf_store_step_done (store, tokens, error, "cannot remove a held post's tokens"))
    return rf_store_end (store, own, FALSE, error);
  if (!rf_store_end (store, own, TRUE, error))
    return FALSE;
  if (removed_out != NULL)
    *removed_out = removed;
  return TRUE;
}

gboolean
rf_held_remove_id (RfStore *store, gint64 id, GError **error)
{
  return rf_held_remove (store, id, NULL, error);
}

GPtrArray *
rf_held_expired (RfStore *store, gint64 now, guint limit, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store, "SELECT " COLUMNS " FROM held_posts WHERE expires <= ? ORDER BY expires, id LIMIT ?",
      error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  return posts_of (store, stmt, error);
}
