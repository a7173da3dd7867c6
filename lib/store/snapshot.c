/* snapshot.c - a consistent copy of the database for listctl backup, and
 * the rows that say which backups exist (issue 15).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VACUUM INTO copies the database as one read transaction sees it: in WAL
 * mode deliveries and listctl go on writing meanwhile, and the copy holds
 * exactly what was committed when it began.  The copy then keeps only what
 * a backup is for (the seed backs up subscribers, not mail): the tables of
 * keep_tables, and the archive when asked; every other table is emptied,
 * so that a table added later is left out until someone decides it
 * belongs in a backup.
 */
#include "store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* What a backup holds: lists, settings, members, accounts, the journal,
 * and what restoring them needs (bounce states, post numbers, erasures,
 * the record of the backups themselves). */
static const char *const keep_tables[] = {
  "lists", "list_settings", "members", "member_bounces", "bounce_policy", "journal", "users",
  "user_roles", "list_web_access", "post_counters", "erasures", "backups", NULL,
};
/* With --archive, also the archive (its FTS5 index is rebuilt from it). */
static const char *const archive_tables[] = { "archive_posts", "archive_raw", NULL };

/* Run @sql on a connection of our own (not an RfStore). */
static gboolean
exec_on (sqlite3 *db, const char *path, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path,
                   msg != NULL ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Empty every table of the copy at @path that a backup does not hold. */
static gboolean
prune (const char *path, gboolean archive, GError **error)
{
  sqlite3 *db = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "cannot open");
      goto out;
    }
  /* the copy is ours alone: no WAL, no foreign keys to cascade, no
   * fsync (it is thrown away once sealed; the sealed file is fsync'ed) */
  if (!exec_on (db, path,
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;",
                error))
    goto out;
  rc = sqlite3_prepare_v2 (db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'archive_fts%' "
                           "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path, sqlite3_errmsg (db));
      goto out;
    }
  if (!exec_on (db, path, "BEGIN", error))
    goto out;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *sql = NULL;

      if (g_strv_contains (keep_tables, name) ||
          (archive && g_strv_contains (archive_tables, name)))
        continue;
      /* archive_posts' trigger takes each row out of the FTS5 index */
      sql = g_strdup_printf ("DELETE FROM \"%s\"", name);
      if (!exec_on (db, path, sql, error))
        goto out;
    }
  /* without the archive its index is rebuilt empty: no word of a post
   * stays in the FTS5 segments */
  if ((!archive &&
       !exec_on (db, path, "INSERT INTO archive_fts (archive_fts) VALUES ('rebuild')", error)) ||
      !exec_on (db, path, "COMMIT; VACUUM;", error))
    goto out;
  ok = TRUE;

out:
  sqlite3_close_v2 (db);
  return ok;
}

gboolean
rf_store_snapshot (RfStore *store, const char *path, gboolean archive, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int fd;

  /* made empty and private first: VACUUM INTO takes an empty file, and
   * the copy holds every address in clear until it is sealed */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  stmt = _rf_store_prepare (store, "VACUUM INTO ?", error);
  if (stmt != NULL)
    sqlite3_bind_text (stmt, 1, path, -1, SQLITE_STATIC);
  if (stmt == NULL || !_rf_store_step_done (store, stmt, error, "cannot copy the database") ||
      !prune (path, archive, error))
    {
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

gboolean
rf_store_file_check (const char *path, char **problem_out, GError **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        const char *line = (const char *) sqlite3_column_text (stmt, 0);

        if (g_strcmp0 (line, "ok") != 0)
          g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "", line);
      }
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_finalize (stmt);
      sqlite3_close_v2 (db);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  sqlite3_close_v2 (db);
  *problem_out = problems->len > 0 ? g_strdup (problems->str) : NULL;
  return TRUE;
}

/* ---- the backups table ---- */

void
rf_backup_free (RfBackup *backup)
{
  if (backup == NULL)
    return;
  g_free (backup->name);
  g_free (backup->kind);
  g_free (backup->path);
  g_free (backup->blob_id);
  g_free (backup);
}

#define BACKUP_COLUMNS "id, name, taken, kind, size, archive, path, blob_id"

static RfBackup *
backup_from_row (sqlite3_stmt *stmt)
{
  RfBackup *b = g_new0 (RfBackup, 1);
  const unsigned char *s;

  b->id = sqlite3_column_int64 (stmt, 0);
  b->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  b->taken = sqlite3_column_int64 (stmt, 2);
  b->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  b->size = sqlite3_column_int64 (stmt, 4);
  b->archive = sqlite3_column_int (stmt, 5) != 0;
  s = sqlite3_column_text (stmt, 6);
  b->path = s != NULL ? g_strdup ((const char *) s) : NULL;
  s = sqlite3_column_text (stmt, 7);
  b->blob_id = s != NULL ? g_strdup ((const char *) s) : NULL;
  return b;
}

static GPtrArray *
read_backups (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_backup_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, backup_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the backups");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
rf_backup_add (RfStore *store, const RfBackup *b, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "INSERT INTO backups (name, taken, kind, size, archive, path, blob_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, b->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, b->taken);
  sqlite3_bind_text (stmt, 3, b->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, b->size);
  sqlite3_bind_int (stmt, 5, b->archive ? 1 : 0);
  sqlite3_bind_text (stmt, 6, b->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, b->blob_id, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record the backup");
}

GPtrArray *
rf_backups (RfStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT " BACKUP_COLUMNS " FROM backups ORDER BY taken, id",
                         error);

  if (stmt == NULL)
    return NULL;
  return read_backups (store, stmt, error);
}

RfBackup *
rf_backup_find (RfStore *store, const char *name, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT " BACKUP_COLUMNS " FROM backups WHERE name = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return backup_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no backup '%s'", name);
  else
    _rf_store_set_error (store, rc, error, "cannot read the backups");
  return NULL;
}

gboolean
rf_backup_weekly_between (RfStore *store, gint64 from, gint64 to, gboolean *found_out,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT 1 FROM backups WHERE kind = 'weekly' AND taken >= ? "
                            "AND taken < ? LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the backups");
      return FALSE;
    }
  *found_out = rc == SQLITE_ROW;
  return TRUE;
}

GPtrArray *
rf_backups_expired (RfStore *store, gint64 daily_before, gint64 weekly_before, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* weekly_before 0: weekly snapshots are kept for ever */
  stmt = _rf_store_prepare (store,
                            "SELECT " BACKUP_COLUMNS " FROM backups "
                            "WHERE (kind = 'daily' AND taken <= ?1) "
                            "OR (kind = 'weekly' AND taken <= ?2) ORDER BY taken, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, daily_before);
  sqlite3_bind_int64 (stmt, 2, weekly_before);
  return read_backups (store, stmt, error);
}

gboolean
rf_backup_remove (RfStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM backups WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _rf_store_step_done (store, stmt, error, "cannot remove the backup's record");
}
