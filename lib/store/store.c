/* store.c - open the database, apply migrations, transactions.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

void
_rf_store_set_error (RfStore *store, int rc, GError **error, const char *what)
{
  int primary = rc & 0xff;
  RfErrorCode code = RF_ERROR_TEMPORARY;

  if (primary == SQLITE_CONSTRAINT)
    code = RF_ERROR_EXISTS;
  else if (primary == SQLITE_INTERRUPT && store != NULL && store->budget_spent)
    code = RF_ERROR_CANCELLED;   /* rf_store_set_budget */
  g_set_error (error, RF_ERROR, code, "%s: %s", what,
               store != NULL && store->db != NULL ? sqlite3_errmsg (store->db)
                                                  : sqlite3_errstr (rc));
}

sqlite3_stmt *
_rf_store_prepare (RfStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (_rf_store_budget_spent (store))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CANCELLED,
                   "the request ran out of its time, or its client went away");
      return NULL;
    }
  rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _rf_store_set_error (store, rc, error, "cannot prepare a database query");
      return NULL;
    }
  return stmt;
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

sqlite3_stmt *
_rf_store_cached (RfStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt;

  if (store->stmt_cache == NULL)
    store->stmt_cache = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               finalize_stmt);
  stmt = g_hash_table_lookup (store->stmt_cache, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = _rf_store_prepare (store, sql, error);
  if (stmt != NULL)
    g_hash_table_insert (store->stmt_cache, (gpointer) sql, stmt);
  return stmt;
}

/* BEGIN, COMMIT and ROLLBACK through the statement cache: each is a
 * statement like any other, and a fan-out runs hundreds of them */
static gboolean
exec_cached (RfStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = _rf_store_cached (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "database: %s",
                   sqlite3_errmsg (store->db));
      return FALSE;
    }
  return TRUE;
}

gboolean
_rf_store_exec (RfStore *store, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "database: %s",
                   msg != NULL ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

gboolean
_rf_store_step_done (RfStore *store, sqlite3_stmt *stmt, GError **error, const char *what)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, what);
      return FALSE;
    }
  return TRUE;
}

/* The schema version this program needs: the number of migrations. */
#define CURRENT_VERSION ((int) _rf_store_migrations_n)

/* Apply migrations @from+1 .. @to, each in its own transaction. */
static gboolean
migrate_range (RfStore *store, int from, int to, GError **error)
{
  for (int v = from; v < to; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!rf_store_begin (store, error))
        return FALSE;
      if (!_rf_store_exec (store, _rf_store_migrations[v], error) || !_rf_store_exec (store, bump, error))
        {
          rf_store_rollback (store);
          g_prefix_error (error, "migration %d: ", v + 1);
          return FALSE;
        }
      if (!rf_store_commit (store, error))
        return FALSE;
    }
  return TRUE;
}

/* What one SQLite failure means to the person reading the line: the
 * words of the issue (not a database, malformed, read-only) rather than
 * SQLite's. */
static const char *
sqlite_problem (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB: return "not an SQLite database";
    case SQLITE_CORRUPT: return "the database is damaged";
    case SQLITE_READONLY: return "the database is read-only";
    case SQLITE_PERM:
    case SQLITE_AUTH: return "permission denied";
    case SQLITE_CANTOPEN: return "cannot open the file";
    case SQLITE_FULL: return "the disk is full";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "the database is busy";
    default: return NULL;
    }
}

static void
set_sqlite_error (RfStore *store, int rc, const char *path, GError **error)
{
  const char *problem = sqlite_problem (rc);
  const char *detail = store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc);
  const char *hint = "";

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      hint = ": restore it from a backup (reflector(7), BACKUPS)";
      break;
    default:
      break;
    }
  if (problem != NULL)
    g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s (%s)%s", path, problem, detail,
                 hint);
  else
    g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path, detail);
}

/* Why this process may not read (or, @write, write) @path, in words, or
 * NULL when it may. */
static char *
access_problem (const char *path, const struct stat *st, gboolean write)
{
  int saved;

  if (access (path, write ? (R_OK | W_OK) : R_OK) == 0)
    return NULL;
  saved = errno;
  if (saved == EROFS)
    return g_strdup_printf ("%s: read-only: the file system is mounted read-only", path);
  if (saved == EACCES || saved == EPERM)
    {
      gboolean can_read = access (path, R_OK) == 0;

      return g_strdup_printf ("%s: %s: the file is owned by uid %u with mode %04o, and this "
                              "is uid %u: run as root or as the owner of the state directory",
                              path,
                              write && can_read ? "read-only for this user"
                                                : "permission denied",
                              (unsigned) st->st_uid, (unsigned) (st->st_mode & 07777),
                              (unsigned) geteuid ());
    }
  return g_strdup_printf ("%s: %s", path, g_strerror (saved));
}

/* The schema's version and whether the database holds any table at all:
 * reading the first page is where a file that is no database, or a
 * damaged one, shows. */
static gboolean
probe (RfStore *store, const char *path, int *version_out, int *tables_out,
       gboolean *has_lists_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (store->db,
                           "SELECT (SELECT user_version FROM pragma_user_version),"
                           "  (SELECT count(*) FROM sqlite_master),"
                           "  (SELECT count(*) FROM sqlite_master"
                           "   WHERE type = 'table' AND name = 'lists')",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store, rc, path, error);
      return FALSE;
    }
  *version_out = sqlite3_column_int (stmt, 0);
  *tables_out = sqlite3_column_int (stmt, 1);
  *has_lists_out = sqlite3_column_int (stmt, 2) > 0;
  return TRUE;
}

/* A file of 0 bytes (with no write-ahead log holding pages) is what a
 * crash, a full disk or a careless copy leaves: never a new database. */
static gboolean
zero_length (const char *path, const struct stat *st)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  struct stat wst;

  if (st->st_size != 0)
    return FALSE;
  return stat (wal, &wst) != 0 || wst.st_size == 0;
}

RfStore *
rf_store_open (const char *state_dir, RfStoreFlags flags, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "reflector.db", NULL);
  g_autoptr (RfStore) store = g_new0 (RfStore, 1);
  int sqlflags = SQLITE_OPEN_NOMUTEX;
  gboolean is_new = FALSE, has_lists = FALSE;
  int rc, version = 0, tables = 0;
  struct stat st;

  store->state_dir = g_strdup (state_dir);
  store->writable = (flags & (RF_STORE_READ_WRITE | RF_STORE_CREATE | RF_STORE_UPGRADE)) != 0;
  if (stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved != ENOENT)
        {
          if (saved == EACCES)
            g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                         "%s: permission denied: the state directory is not searchable by "
                         "uid %u: run as root or as the owner of the state directory",
                         path, (unsigned) geteuid ());
          else
            g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: %s", path,
                         g_strerror (saved));
          return NULL;
        }
      if (!(flags & RF_STORE_CREATE))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                       "%s: no such database: run 'listctl init' (or create a list with "
                       "'listctl create'), or check [paths] state_dir",
                       path);
          return NULL;
        }
      if (g_mkdir_with_parents (state_dir, 0750) != 0)
        {
          saved = errno;
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "cannot create state directory '%s': %s", state_dir,
                       g_strerror (saved));
          return NULL;
        }
      is_new = TRUE;
    }
  else
    {
      g_autofree char *why = NULL;

      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s: not a regular file", path);
          return NULL;
        }
      if (zero_length (path, &st))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "%s: empty file (0 bytes), not a reflector database: restore it from "
                       "a backup, or remove it and run 'listctl init' to start afresh",
                       path);
          return NULL;
        }
      if ((why = access_problem (path, &st, store->writable)) != NULL)
        {
          g_set_error_literal (error, RF_ERROR, RF_ERROR_TEMPORARY, why);
          return NULL;
        }
    }

  sqlflags |= store->writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (is_new)
    sqlflags |= SQLITE_OPEN_CREATE;
  rc = sqlite3_open_v2 (path, &store->db, sqlflags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (store, rc, path, error);
      return NULL;
    }
  _rf_store_private_files (path);   /* issue 11: before the WAL is made */
  sqlite3_extended_result_codes (store->db, 1);
  /* Writers wait for each other rather than fail: many listdeliver runs
   * share one database. */
  sqlite3_busy_timeout (store->db, 10000);

  /* new or damaged, ours or foreign, old or current: decided before
   * anything is written, so that nothing but listctl ever makes a schema */
  if (!probe (store, path, &version, &tables, &has_lists, error))
    return NULL;
  if (version == 0 && tables == 0)
    {
      /* a database without a single table: a new one, or one whose
       * creation stopped before its first commit; nothing in it to lose */
      if (!(flags & RF_STORE_CREATE))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "%s: an empty database without reflector's schema: run 'listctl init'",
                       path);
          return NULL;
        }
      is_new = TRUE;
    }
  else if (!has_lists)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "%s: an SQLite database, but not reflector's (no 'lists' table, schema "
                   "version %d): check [paths] state_dir, or restore it from a backup",
                   path, version);
      return NULL;
    }
  else if (version > CURRENT_VERSION)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "%s: schema version %d is newer than this program (%d): install the newer "
                   "reflector",
                   path, version, CURRENT_VERSION);
      return NULL;
    }
  else if (version < CURRENT_VERSION && !(flags & RF_STORE_UPGRADE))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "%s: schema version %d, this program needs %d: run 'listctl upgrade'", path,
                   version, CURRENT_VERSION);
      return NULL;
    }

  /* WAL + synchronous=NORMAL: a commit survives the process being killed
   * (the delivery-progress guarantee); only a power loss may lose the last
   * commits, and the spool file makes that a re-send, never a loss. */
  if (store->writable &&
      !_rf_store_exec (store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  /* issue 14: the WAL file and its index stay from one run to the next,
   * emptied (truncated to 0 bytes) by the checkpoint of the last
   * connection instead of deleted: a post no longer creates, syncs the
   * directory for, and deletes two files.  Empty, the WAL keeps no page of
   * the database at rest. */
  if (store->writable)
    {
      int persist = 1;

      if (sqlite3_file_control (store->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist) !=
              SQLITE_OK ||
          !_rf_store_exec (store, "PRAGMA journal_size_limit = 0;", error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot keep the WAL file");
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  /* issue 14: a fan-out reads the store in passes (256 members at a
   * time, each page once); SQLite's default of 2 MiB filled up on a big
   * list and was the one part of listdeliver's peak that grew with it (a
   * 10 MB post: 19.2 MB at 1,000 members, 21.4 MB at 100,000).  The
   * bigger cache only helps the bulk snapshot and finish of a very big
   * list: about 10% of the run at a million members */
  if ((flags & RF_STORE_SMALL_CACHE) && !_rf_store_exec (store, "PRAGMA cache_size = -256;", error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!_rf_store_exec (store, "PRAGMA foreign_keys = ON;", error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (is_new)
    version = 0;
  store->upgraded_from = version;
  if (version < CURRENT_VERSION && !migrate_range (store, version, CURRENT_VERSION, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  store->schema_version = CURRENT_VERSION;
  store->created = is_new;
  return g_steal_pointer (&store);
}

gboolean
_rf_store_create_at_version (const char *state_dir, int version, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "reflector.db", NULL);
  g_autoptr (RfStore) store = g_new0 (RfStore, 1);
  int rc;

  g_return_val_if_fail (version >= 0 && version <= CURRENT_VERSION, FALSE);
  store->state_dir = g_strdup (state_dir);
  store->writable = TRUE;
  if (g_mkdir_with_parents (state_dir, 0750) != 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create '%s'", state_dir);
      return FALSE;
    }
  rc = sqlite3_open_v2 (path, &store->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (store, rc, path, error);
      return FALSE;
    }
  return _rf_store_exec (store, "PRAGMA journal_mode = WAL;", error) &&
         migrate_range (store, 0, version, error);
}

int
rf_store_current_version (void)
{
  return CURRENT_VERSION;
}

int
rf_store_upgraded_from (RfStore *store)
{
  return store->upgraded_from;
}

gboolean
rf_store_created (RfStore *store)
{
  return store->created;
}

int
_rf_store_cache_kib (RfStore *store)
{
  sqlite3_stmt *size = _rf_store_cached (store, "PRAGMA cache_size", NULL);
  sqlite3_stmt *page = _rf_store_cached (store, "PRAGMA page_size", NULL);
  gint64 n = 0, page_size = 0;

  if (size == NULL || page == NULL)
    return -1;
  if (sqlite3_step (size) == SQLITE_ROW)
    n = sqlite3_column_int64 (size, 0);
  if (sqlite3_step (page) == SQLITE_ROW)
    page_size = sqlite3_column_int64 (page, 0);
  sqlite3_reset (size);
  sqlite3_reset (page);
  /* negative: KiB; positive: pages */
  if (n < 0)
    return (int) -n;
  return page_size > 0 ? (int) (n * page_size / 1024) : -1;
}

RfStore *
rf_store_open_with_keys (const RfConfig *config, RfStoreFlags flags, GError **error)
{
  g_autoptr (RfStore) store = rf_store_open (config->state_dir, flags, error);

  if (store == NULL)
    return NULL;
  store->config = config;
  /* hashes need the site key, which SQL cannot compute: members from
   * before migration 2 get theirs here (a partial index makes the check
   * free when there is none) */
  if (store->writable && !_rf_unsub_backfill (store, FALSE, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
rf_store_close (RfStore *store)
{
  if (store == NULL)
    return;
  /* the cached statements first: a connection with live statements
   * would only be closed when they are */
  g_clear_pointer (&store->stmt_cache, g_hash_table_destroy);
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  rf_wipe (store->unsub_key, sizeof store->unsub_key);
  g_free (store->state_dir);
  g_free (store);
}

const char *
rf_store_state_dir (RfStore *store)
{
  return store->state_dir;
}

int
rf_store_schema_version (RfStore *store)
{
  return store->schema_version;
}

gboolean
rf_store_begin (RfStore *store, GError **error)
{
  return exec_cached (store, "BEGIN IMMEDIATE", error);
}

gboolean
rf_store_commit (RfStore *store, GError **error)
{
  if (!exec_cached (store, "COMMIT", error))
    {
      rf_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

void
rf_store_rollback (RfStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
rf_store_join (RfStore *store, gboolean *own_out, GError **error)
{
  *own_out = !rf_store_in_transaction (store);
  return !*own_out || rf_store_begin (store, error);
}

gboolean
rf_store_end (RfStore *store, gboolean own, gboolean ok, GError **error)
{
  if (!own)
    return ok;
  if (!ok)
    {
      rf_store_rollback (store);
      return FALSE;
    }
  return rf_store_commit (store, error);
}

gboolean
rf_store_in_transaction (RfStore *store)
{
  return !sqlite3_get_autocommit (store->db);
}
