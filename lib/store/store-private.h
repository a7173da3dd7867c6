/* store-private.h - shared by the files of lib/store/, the only files that
 * include sqlite3.h (STYLE.md §1: one adapter per dependency).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store/store.h"
#include "crypto/crypto.h"

#include <sqlite3.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _RfStore {
  sqlite3 *db;
  char *state_dir;
  const RfConfig *config;   /* rf_store_open_with_keys: where the site key is
                             * (borrowed; outlives the store), else NULL */
  gboolean writable;
  int schema_version;
  int upgraded_from;        /* the version found on open (0: new) */
  gboolean created;         /* this open made the database */
  /* the unsubscribe-link key, derived from the site key once per open
   * store rather than once per copy (unsubscribe.c) */
  guint8 unsub_key[RF_KEY_BYTES];
  gboolean have_unsub_key;
  /* issue 14: statements prepared once for the store's life (sql text ->
   * sqlite3_stmt), finalized on close: _rf_store_cached */
  GHashTable *stmt_cache;
  /* rf_store_set_budget (budget.c) */
  gint64 deadline;
  RfStoreCancelFunc cancelled;
  gpointer cancelled_data;
  gint64 next_cancel_check;
  gboolean budget_spent;
};

/* Turn the database's last error into a GError: SQLITE_BUSY, SQLITE_LOCKED,
 * SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY (and anything
 * unexpected) are RF_ERROR_TEMPORARY so that listdeliver exits 75;
 * constraint violations are RF_ERROR_EXISTS.  @what says what was tried. */
void _rf_store_set_error (RfStore *store, int rc, GError **error, const char *what);

/* The database file @path and its -wal, -shm and -journal without rights
 * for others, whatever the umask; a new (empty) one 0600 (modes.c). */
void _rf_store_private_files (const char *path);

/* Whether the budget of rf_store_set_budget is spent (budget.c). */
gboolean _rf_store_budget_spent (RfStore *store);

/* Prepare @sql; on failure set @error and return NULL (RF_ERROR_CANCELLED
 * once the budget of rf_store_set_budget is spent). */
sqlite3_stmt *_rf_store_prepare (RfStore *store, const char *sql, GError **error);

/* issue 14: @sql prepared once per open store and kept: the hot paths (a
 * fan-out's progress, BEGIN and COMMIT) would otherwise spend more time
 * preparing than running.  The statement comes back reset, its bindings
 * cleared; it belongs to the store (never finalize it, and reset it when
 * done if it may be left mid-step).  @sql must outlive the store (a string
 * literal).  NULL with @error set when it does not prepare. */
sqlite3_stmt *_rf_store_cached (RfStore *store, const char *sql, GError **error);

/* Run @sql (no parameters, no rows). */
gboolean _rf_store_exec (RfStore *store, const char *sql, GError **error);

/* Step a statement that returns no row (INSERT/UPDATE/DELETE). */
gboolean _rf_store_step_done (RfStore *store, sqlite3_stmt *stmt, GError **error,
                              const char *what);

/* The migrations (schema.c): migration N brings the schema from N-1 to N. */
extern const char *const _rf_store_migrations[];
extern const gsize _rf_store_migrations_n;

/* unsubscribe.c: the key, token and hash of one-click unsubscribe links;
 * the hash of members subscribed before the column existed. */
#define RF_UNSUB_HASH_BYTES 16
gboolean _rf_unsub_key (RfStore *store, guint8 key[RF_KEY_BYTES], GError **error);
char *_rf_unsub_token (const guint8 key[RF_KEY_BYTES], const char *list_address,
                       const char *address, gint64 since);
/* issue 14: _rf_unsub_token for many members of one list: the hasher fed
 * the key and the list (transfer full, rf_hasher_free), and a token from
 * it through @work (a clone of it, set anew each time). */
RfHasher *_rf_unsub_hasher (const guint8 key[RF_KEY_BYTES], const char *list_address);
char *_rf_unsub_token_from (RfHasher *work, const RfHasher *prefix, const char *address,
                            gint64 since);
void _rf_unsub_hash (const char *token, guint8 hash[RF_UNSUB_HASH_BYTES]);
/* The hashes of members who have none (subscribed before the column
 * existed), or with @all of every member (the site key was rotated). */
gboolean _rf_unsub_backfill (RfStore *store, gboolean all, GError **error);

/* Delete the rows of @table whose @column is before @before, adding their
 * number to *removed_out (expiry.c). */
gboolean _rf_store_delete_older (RfStore *store, const char *table, const char *column,
                                 gint64 before, guint64 *removed_out, GError **error);

/* The name the journal and the activity log keep for @actor. */
static inline const char *
_rf_actor_name (const RfActor *actor)
{
  return actor != NULL && actor->name != NULL ? actor->name : "unknown";
}
