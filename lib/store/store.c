/* store.c - open the database, apply migrations, transactions.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

#include <sodium.h>

#include <errno.h>
#include <glib/gstdio.h>

/* Versioned migrations: migration N brings the schema from N-1 to N and runs
 * in one transaction with "PRAGMA user_version = N".  Never edit a
 * migration that has shipped; add one. */
static const char *const migrations[] = {
  /* 1: lists, settings, members, journal, activity, delivery progress */
  "CREATE TABLE lists ("
  "  id INTEGER PRIMARY KEY,"
  "  address TEXT NOT NULL UNIQUE,"
  "  local TEXT NOT NULL,"
  "  domain TEXT NOT NULL,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE list_settings ("
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (list_id, name)) WITHOUT ROWID;"
  "CREATE TABLE members ("
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  address TEXT NOT NULL,"
  "  since INTEGER NOT NULL,"
  "  PRIMARY KEY (list_id, address)) WITHOUT ROWID;"
  /* keyed by the list's address, not its id: the history of a deleted list
   * stays, so it can be restored as of any moment */
  "CREATE TABLE journal ("
  "  id INTEGER PRIMARY KEY,"
  "  list_address TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  event TEXT NOT NULL,"
  "  subject TEXT,"
  "  value TEXT);"
  "CREATE INDEX journal_by_list ON journal (list_address, at);"
  "CREATE TABLE activity ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  target TEXT,"
  "  origin TEXT,"
  "  detail TEXT);"
  "CREATE INDEX activity_by_time ON activity (at);"
  /* one row per incoming message being (or having been) fanned out; the
   * key is a hash of the bytes the MTA piped, so the MTA's retry of the
   * same message finds its progress */
  "CREATE TABLE deliveries ("
  "  id INTEGER PRIMARY KEY,"
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  msg_key TEXT NOT NULL UNIQUE,"
  "  state TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  finished INTEGER);"
  "CREATE TABLE delivery_recipients ("
  "  delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,"
  "  address TEXT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  tries INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  PRIMARY KEY (delivery_id, address)) WITHOUT ROWID;",
  /* 2: issue 4, one-click unsubscribe: the hash of each member's token
   * (filled in C for existing members: see _rf_unsub_backfill) */
  "ALTER TABLE members ADD COLUMN unsub_hash BLOB;"
  "CREATE UNIQUE INDEX members_by_unsub_hash ON members (unsub_hash)"
  "  WHERE unsub_hash IS NOT NULL;"
  "CREATE INDEX members_without_unsub_hash ON members (list_id)"
  "  WHERE unsub_hash IS NULL;",
  /* 3: issue 5 bounces: each member's bounce score and delivery state
   * (a row only once a member has bounced; removing the member removes
   * it), and the policy refusals of each list per receiving domain */
  "CREATE TABLE member_bounces ("
  "  list_id INTEGER NOT NULL,"
  "  address TEXT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  score INTEGER NOT NULL DEFAULT 0,"
  "  last_bounce INTEGER NOT NULL DEFAULT 0,"
  "  last_scored INTEGER NOT NULL DEFAULT 0,"
  "  last_class TEXT,"
  "  last_reason TEXT,"
  "  disabled_at INTEGER NOT NULL DEFAULT 0,"
  "  notices INTEGER NOT NULL DEFAULT 0,"
  "  last_notice INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (list_id, address),"
  "  FOREIGN KEY (list_id, address) REFERENCES members (list_id, address)"
  "    ON DELETE CASCADE) WITHOUT ROWID;"
  "CREATE TABLE bounce_policy ("
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  domain TEXT NOT NULL,"
  "  count INTEGER NOT NULL DEFAULT 0,"
  "  last INTEGER NOT NULL,"
  "  PRIMARY KEY (list_id, domain)) WITHOUT ROWID;",
  /* 4: issue 4, listweb's accounts, sessions, login throttling and the
   * searchable archive */
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  email TEXT NOT NULL,"
  "  admin INTEGER NOT NULL DEFAULT 0,"
  "  pwhash TEXT NOT NULL,"          /* crypto_pwhash_str (Argon2id) */
  "  created INTEGER NOT NULL,"
  "  pw_changed INTEGER NOT NULL);"
  "CREATE TABLE user_roles ("
  "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  role TEXT NOT NULL,"            /* owner | moderator */
  "  PRIMARY KEY (user_id, list_id, role)) WITHOUT ROWID;"
  /* the one web user of a list's subscribers (archive_access = password) */
  "CREATE TABLE list_web_access ("
  "  list_id INTEGER PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  pwhash TEXT NOT NULL,"
  "  pw_changed INTEGER NOT NULL);"
  /* only a hash of the cookie: a stolen database opens no session */
  "CREATE TABLE sessions ("
  "  id INTEGER PRIMARY KEY,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
  "  list_id INTEGER REFERENCES lists(id) ON DELETE CASCADE,"
  "  created INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL,"
  "  ip TEXT);"
  "CREATE INDEX sessions_by_user ON sessions (user_id);"
  "CREATE INDEX sessions_by_list ON sessions (list_id);"
  /* key: 'user:NAME', 'list:ADDRESS' (its web user) or 'ip:ADDRESS' */
  "CREATE TABLE login_failures ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX login_failures_by_key ON login_failures (key, at);"
  "CREATE TABLE login_blocks ("
  "  key TEXT PRIMARY KEY,"
  "  until INTEGER NOT NULL) WITHOUT ROWID;"
  /* the archive: one row per archived post; the rendered bytes apart, so
   * that month and thread listings read small rows */
  "CREATE TABLE archive_posts ("
  "  id INTEGER PRIMARY KEY,"
  "  list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
  "  number INTEGER NOT NULL,"
  "  msg_key TEXT NOT NULL UNIQUE,"  /* the delivery's key: archiving is idempotent */
  "  message_id TEXT,"
  "  archived INTEGER NOT NULL,"
  "  month TEXT NOT NULL,"           /* 'YYYY-MM' of archived, UTC */
  "  date_header TEXT,"
  "  from_name TEXT,"
  "  from_addr TEXT,"
  "  sender TEXT NOT NULL,"          /* 'name address', indexed */
  "  subject TEXT NOT NULL,"
  "  body TEXT NOT NULL,"            /* the text that is indexed */
  "  list_tag TEXT NOT NULL,"         /* 'l' || list_id: indexed, so that FTS5
                                      * itself keeps to one list's posts */
  "  thread_id INTEGER NOT NULL,"    /* id of the thread's first post */
  "  parent_id INTEGER,"
  "  UNIQUE (list_id, number));"
  "CREATE INDEX archive_by_month ON archive_posts (list_id, month, archived);"
  "CREATE INDEX archive_by_message_id ON archive_posts (list_id, message_id);"
  "CREATE INDEX archive_by_thread ON archive_posts (thread_id, archived);"
  "CREATE TABLE archive_raw ("
  "  post_id INTEGER PRIMARY KEY REFERENCES archive_posts(id) ON DELETE CASCADE,"
  "  raw BLOB NOT NULL);"
  /* external content: the text lives once, in archive_posts; snippet()
   * reads it from there.  Prefix indexes of 3 and 4 characters: without
   * them "pro*" merges the lists of thousands of words (a third of a
   * second in 100,000 posts, bench/search.sh); they cost a quarter more
   * disk */
  "CREATE VIRTUAL TABLE archive_fts USING fts5 ("
  "  subject, sender, body, list_tag, content='archive_posts', content_rowid='id',"
  "  tokenize='unicode61 remove_diacritics 2', prefix='3 4');"
  /* ORDER BY rank: a match in the subject weighs most, the list tag nothing */
  "INSERT INTO archive_fts (archive_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 0.0)');"
  "CREATE TRIGGER archive_fts_insert AFTER INSERT ON archive_posts BEGIN"
  "  INSERT INTO archive_fts (rowid, subject, sender, body, list_tag)"
  "  VALUES (new.id, new.subject, new.sender, new.body, new.list_tag);"
  "END;"
  "CREATE TRIGGER archive_fts_delete AFTER DELETE ON archive_posts BEGIN"
  "  INSERT INTO archive_fts (archive_fts, rowid, subject, sender, body, list_tag)"
  "  VALUES ('delete', old.id, old.subject, old.sender, old.body, old.list_tag);"
  "END;",
  /* 5: issue 3, attachments: stripped attachments (the blob is in the blob
   * store; token_hash is NULL for a readable link, which post and n name)
   * and a post counter per list address (readable links need a number) */
  "CREATE TABLE attachments ("
  "  id INTEGER PRIMARY KEY,"
  "  blob_id TEXT NOT NULL UNIQUE,"
  "  token_hash TEXT UNIQUE,"
  "  list_address TEXT NOT NULL,"
  "  post INTEGER,"
  "  n INTEGER,"
  "  filename TEXT NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER);"
  "CREATE UNIQUE INDEX attachments_by_post ON attachments (list_address, post, n);"
  "CREATE INDEX attachments_by_expiry ON attachments (expires);"
  "CREATE TABLE post_counters ("
  "  list_address TEXT PRIMARY KEY,"
  "  last INTEGER NOT NULL) WITHOUT ROWID;",
  /* 6: issue 5, Bounce Redelivery: each kept post (its bytes are a sealed
   * blob; msg_key makes keeping idempotent per delivery), which post
   * bounced for whom, the hashed tokens of the members' pages, and when a
   * member was last sent a notice (at most one a day) */
  "CREATE TABLE redelivery_posts ("
  "  id INTEGER PRIMARY KEY,"
  "  list_address TEXT NOT NULL,"
  "  msg_key TEXT NOT NULL UNIQUE,"
  "  message_id TEXT,"
  "  subject TEXT NOT NULL,"
  "  blob_id TEXT NOT NULL UNIQUE,"
  "  stored INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL);"
  "CREATE INDEX redelivery_posts_by_id ON redelivery_posts (list_address, message_id);"
  "CREATE INDEX redelivery_posts_by_expiry ON redelivery_posts (expires);"
  "CREATE TABLE redelivery_bounces ("
  "  post_id INTEGER NOT NULL REFERENCES redelivery_posts (id) ON DELETE CASCADE,"
  "  member TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  PRIMARY KEY (post_id, member));"
  "CREATE INDEX redelivery_bounces_by_member ON redelivery_bounces (member);"
  "CREATE TABLE redelivery_tokens ("
  "  token_hash TEXT PRIMARY KEY,"
  "  list_address TEXT NOT NULL,"
  "  member TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL);"
  "CREATE INDEX redelivery_tokens_by_expiry ON redelivery_tokens (expires);"
  "CREATE TABLE redelivery_notices ("
  "  list_address TEXT NOT NULL,"
  "  member TEXT NOT NULL,"
  "  last_sent INTEGER NOT NULL,"
  "  PRIMARY KEY (list_address, member)) WITHOUT ROWID;",
};

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

  if (have > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "database schema version %d is newer than this program (%d): "
                   "install the newer reflector",
                   have, (int) G_N_ELEMENTS (migrations));
      return FALSE;
    }
  for (int v = have; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!store->writable)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "database schema is at version %d, %d needed: run 'listctl lists' "
                       "once as the service user to upgrade it",
                       have, (int) G_N_ELEMENTS (migrations));
          return FALSE;
        }
      if (!rf_store_begin (store, error))
        return FALSE;
      if (!_rf_store_exec (store, migrations[v], error) || !_rf_store_exec (store, bump, error))
        {
          rf_store_rollback (store);
          g_prefix_error (error, "migration %d: ", v + 1);
          return FALSE;
        }
      if (!rf_store_commit (store, error))
        return FALSE;
    }
  store->schema_version = G_N_ELEMENTS (migrations);
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
  /* the cached statements first: a connection with live statements
   * would only be closed when they are */
  g_clear_pointer (&store->stmt_cache, g_hash_table_destroy);
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  sodium_memzero (store->unsub_key, sizeof store->unsub_key);
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
