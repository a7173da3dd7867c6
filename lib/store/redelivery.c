/* redelivery.c - the rows of Bounce Redelivery (issue 5): kept posts,
 * which post bounced for whom, page tokens and notice times.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are keyed by the list's address, like attachments: a deleted
 * list's kept posts stay findable until they expire, so that cleanup still
 * deletes their blobs.  A token row holds only the token's hash
 * (rf_token_hash).
 */
#include "store-private.h"

void
rf_redelivery_post_free (RfRedeliveryPost *post)
{
  if (post == NULL)
    return;
  g_free (post->list_address);
  g_free (post->message_id);
  g_free (post->subject);
  g_free (post->blob_id);
  g_free (post);
}

gboolean
rf_redelivery_post_exists (RfStore *store, const char *msg_key, gboolean *exists_out,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT 1 FROM redelivery_posts WHERE msg_key = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot look the kept post up");
      return FALSE;
    }
  *exists_out = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
rf_redelivery_post_add (RfStore *store, const RfRedeliveryPost *post, const char *msg_key,
                        gboolean *added_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* OR IGNORE: two runs of one delivery racing keep one row; the loser
   * learns it from *added_out and deletes its own blob */
  stmt = _rf_store_prepare (store,
                            "INSERT OR IGNORE INTO redelivery_posts (list_address, msg_key, "
                            "message_id, subject, blob_id, stored, expires) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, post->list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, msg_key, -1, SQLITE_STATIC);
  if (post->message_id != NULL)
    sqlite3_bind_text (stmt, 3, post->message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, post->subject != NULL ? post->subject : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, post->blob_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, post->stored);
  sqlite3_bind_int64 (stmt, 7, post->expires);
  if (!_rf_store_step_done (store, stmt, error, "cannot record the kept post"))
    return FALSE;
  *added_out = sqlite3_changes (store->db) > 0;
  return TRUE;
}

gboolean
rf_redelivery_link (RfStore *store, const char *list_address, const char *member,
                    GPtrArray *message_ids, guint *linked_out, GError **error)
{
  guint linked = 0;

  for (guint i = 0; i < message_ids->len; i++)
    {
      /* issue 11: only a post that was sent to this member: kept while
       * they were a member (who received which post is not kept once a
       * delivery is done), and not while their delivery was disabled by
       * bounces.  A member's bounce, forged or not, does not link the
       * posts from before they joined to their page */
      g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
          store,
          "INSERT OR IGNORE INTO redelivery_bounces (post_id, member, at) "
          "SELECT p.id, ?1, ?2 FROM redelivery_posts p "
          "JOIN lists l ON l.address = p.list_address "
          "JOIN members m ON m.list_id = l.id AND m.address = ?1 "
          "LEFT JOIN member_bounces b ON b.list_id = l.id AND b.address = m.address "
          "WHERE p.list_address = ?3 AND p.message_id = ?4 AND p.stored >= m.since "
          "AND NOT (COALESCE (b.state, 0) != 0 AND b.disabled_at > 0 "
          "AND p.stored >= b.disabled_at)",
          error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, member, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, rf_now ());
      sqlite3_bind_text (stmt, 3, list_address, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, g_ptr_array_index (message_ids, i), -1, SQLITE_STATIC);
      if (!_rf_store_step_done (store, stmt, error, "cannot link the bounce to its post"))
        return FALSE;
      linked += (guint) sqlite3_changes (store->db);
    }
  if (linked_out != NULL)
    *linked_out = linked;
  return TRUE;
}

#define COLUMNS "p.id, p.list_address, p.message_id, p.subject, p.blob_id, p.stored, p.expires"

static GPtrArray *
posts_of (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) posts = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rf_redelivery_post_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfRedeliveryPost *p = g_new0 (RfRedeliveryPost, 1);
      const char *mid = (const char *) sqlite3_column_text (stmt, 2);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      p->message_id = mid != NULL ? g_strdup (mid) : NULL;
      p->subject = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      p->blob_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      p->stored = sqlite3_column_int64 (stmt, 5);
      p->expires = sqlite3_column_int64 (stmt, 6);
      g_ptr_array_add (posts, p);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the kept posts");
      return NULL;
    }
  return g_steal_pointer (&posts);
}

GPtrArray *
rf_redelivery_member_posts (RfStore *store, const char *list_address, const char *member,
                            gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT " COLUMNS " FROM redelivery_posts p JOIN redelivery_bounces b ON b.post_id = p.id "
      "WHERE p.list_address = ? AND b.member = ? AND p.expires > ? ORDER BY p.stored, p.id",
      error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  return posts_of (store, stmt, error);
}

GPtrArray *
rf_redelivery_expired (RfStore *store, gint64 now, guint limit, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store, "SELECT " COLUMNS " FROM redelivery_posts p WHERE p.expires <= ? "
             "ORDER BY p.expires, p.id LIMIT ?",
      error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  return posts_of (store, stmt, error);
}

gboolean
rf_redelivery_post_remove (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM redelivery_posts WHERE id = ?", error);

  /* the bounce links go with it (ON DELETE CASCADE) */
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _rf_store_step_done (store, stmt, error, "cannot remove the kept post");
}

gboolean
rf_redelivery_last_notice (RfStore *store, const char *list_address, const char *member,
                           gint64 *last_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store, "SELECT last_sent FROM redelivery_notices WHERE list_address = ? AND member = ?",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, member, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the last notice");
      return FALSE;
    }
  *last_out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
rf_redelivery_token_add (RfStore *store, const char *token_hash, const char *list_address,
                         const char *member, gint64 now, gint64 expires, GError **error)
{
  gboolean own = FALSE;
  g_autoptr (sqlite3_stmt) tok = NULL;
  g_autoptr (sqlite3_stmt) notice = NULL;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  tok = _rf_store_prepare (store,
                           "INSERT INTO redelivery_tokens (token_hash, list_address, member, "
                           "created, expires) VALUES (?, ?, ?, ?, ?)",
                           error);
  if (tok == NULL)
    goto fail;
  sqlite3_bind_text (tok, 1, token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (tok, 2, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (tok, 3, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (tok, 4, now);
  sqlite3_bind_int64 (tok, 5, expires);
  if (!_rf_store_step_done (store, tok, error, "cannot record the page token"))
    goto fail;
  notice = _rf_store_prepare (store,
                              "INSERT INTO redelivery_notices (list_address, member, last_sent) "
                              "VALUES (?, ?, ?) ON CONFLICT (list_address, member) "
                              "DO UPDATE SET last_sent = excluded.last_sent",
                              error);
  if (notice == NULL)
    goto fail;
  sqlite3_bind_text (notice, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (notice, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (notice, 3, now);
  if (!_rf_store_step_done (store, notice, error, "cannot record the notice"))
    goto fail;
  return !own || rf_store_commit (store, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

gboolean
rf_redelivery_token_lookup (RfStore *store, const char *token, char **list_out,
                            char **member_out, gint64 *expires_out, GError **error)
{
  g_autofree char *hash = rf_token_hash (token);
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT list_address, member, expires FROM redelivery_tokens WHERE token_hash = ?",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such redelivery page");
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot look the redelivery page up");
      return FALSE;
    }
  *list_out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *member_out = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *expires_out = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
rf_redelivery_tokens_expire (RfStore *store, gint64 now, guint64 *removed_out, GError **error)
{
  guint64 notices = 0;

  /* a notice time only matters for a day; it is no user data worth
   * counting, so only the tokens are reported */
  return _rf_store_delete_older (store, "redelivery_tokens", "expires", now + 1, removed_out,
                                 error) &&
         _rf_store_delete_older (store, "redelivery_notices", "last_sent", now - RF_DAY + 1,
                                 &notices, error);
}
