/* store.c - open the database, apply migrations, transactions.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"


#include <errno.h>
#include <glib/gstdio.h>

void
_rf_store_set_error (RfStore *store, int rc, GError **error, const char *what)
{
  int primary = rc & 0xff;
  RfErrorCode code = RF_ERROR_TEMPORARY;

  if (primary == SQLITE_CONSTRAINT)
    code = RF_ERROR_EXISTS;
  g_set_error (error, RF_ERROR, code, "%s: %s", what,
               store != NULL && store->db != NULL ? sqlite3_errmsg (store->db)
                                                  : sqlite3_errstr (rc));
}

sqlite3_stmt *
_rf_store_prepare (RfStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _rf_store_set_error (store, rc, error, "cannot prepare a database query");
      return NULL;
    }
  return stmt;
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

static gboolean
migrate (RfStore *store, GError **error)
{
  int have = 0;
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (store, "PRAGMA user_version", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    have = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (have > (int) _rf_store_migrations_n)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "database schema version %d is newer than this program (%d): "
                   "install the newer reflector",
                   have, (int) _rf_store_migrations_n);
      return FALSE;
    }
  for (int v = have; v < (int) _rf_store_migrations_n; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!store->writable)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "database schema is at version %d, %d needed: run 'listctl lists' "
                       "once as the service user to upgrade it",
                       have, (int) _rf_store_migrations_n);
          return FALSE;
        }
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
  store->schema_version = _rf_store_migrations_n;
  /* hashes need the site key, which SQL cannot compute: members from
   * before migration 2 get theirs here (a partial index makes the check
   * free when there is none) */
  if (store->writable && !_rf_unsub_backfill (store, error))
    return FALSE;
  return TRUE;
}

RfStore *
rf_store_open (const char *state_dir, RfStoreFlags flags, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "reflector.db", NULL);
  g_autoptr (RfStore) store = g_new0 (RfStore, 1);
  int sqlflags = SQLITE_OPEN_NOMUTEX;
  int rc;

  store->state_dir = g_strdup (state_dir);
  store->writable = (flags & RF_STORE_READ_WRITE) != 0;
  if (flags & RF_STORE_CREATE)
    {
      if (g_mkdir_with_parents (state_dir, 0750) != 0)
        {
          int saved = errno;
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "cannot create state directory '%s': %s", state_dir,
                       g_strerror (saved));
          return NULL;
        }
    }
  else if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "no database at '%s': create a list first with 'listctl create'", path);
      return NULL;
    }

  sqlflags |= store->writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (flags & RF_STORE_CREATE)
    sqlflags |= SQLITE_OPEN_CREATE;
  rc = sqlite3_open_v2 (path, &store->db, sqlflags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot open database '%s': %s", path,
                   store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  /* Writers wait for each other rather than fail: many listdeliver runs
   * share one database. */
  sqlite3_busy_timeout (store->db, 10000);
  /* WAL + synchronous=NORMAL: a commit survives the process being killed
   * (the delivery-progress guarantee); only a power loss may lose the last
   * commits, and the spool file makes that a re-send, never a loss. */
  if (store->writable &&
      !_rf_store_exec (store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", error))
    {
      g_prefix_error (error, "'%s': ", path);
      return NULL;
    }
  if (!_rf_store_exec (store, "PRAGMA foreign_keys = ON;", error))
    return NULL;
  if (!migrate (store, error))
    {
      g_prefix_error (error, "'%s': ", path);
      return NULL;
    }
  return g_steal_pointer (&store);
}

void
rf_store_close (RfStore *store)
{
  if (store == NULL)
    return;
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
  return _rf_store_exec (store, "BEGIN IMMEDIATE", error);
}

gboolean
rf_store_commit (RfStore *store, GError **error)
{
  if (!_rf_store_exec (store, "COMMIT", error))
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
