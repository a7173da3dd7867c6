/* schema.c - the database schema, as the list of its migrations.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

/* Versioned migrations: migration N brings the schema from N-1 to N and runs
 * in one transaction with "PRAGMA user_version = N".  Never edit a
 * migration that has shipped; add one. */
const char *const _rf_store_migrations[] = {
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
  /* 7: one mailbox, one membership: members are found whatever the case
   * of the letters of their address (rf_member_find), in one lookup */
  "CREATE INDEX members_nocase ON members (list_id, address COLLATE NOCASE);",
  /* 8: issue 16, Disappearing Ink: one row per ink post, holding only the
   * hash of its link's token and the ids of its blobs (the post and each
   * of its files, sealed with keys derived from the token): nothing of
   * the post itself, not even its attachments' names */
  "CREATE TABLE ink_posts ("
  "  id INTEGER PRIMARY KEY,"
  "  token_hash TEXT NOT NULL UNIQUE,"
  "  list_address TEXT NOT NULL,"
  "  blob_id TEXT NOT NULL UNIQUE,"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL);"
  "CREATE INDEX ink_posts_by_expiry ON ink_posts (expires);"
  "CREATE TABLE ink_files ("
  "  post_id INTEGER NOT NULL REFERENCES ink_posts (id) ON DELETE CASCADE,"
  "  n INTEGER NOT NULL,"
  "  blob_id TEXT NOT NULL UNIQUE,"
  "  PRIMARY KEY (post_id, n)) WITHOUT ROWID;",
  /* 9: issue 15, keep less, lose nothing.  The troubleshooting store: each
   * incoming message sealed in the blob store for [retention]
   * message_days (whole, or its header only for a list with disappearing
   * ink), the row saying what became of it; keyed by the list's address,
   * like the other kept things, so that a deleted list's copies still
   * expire.  The backups listctl took and where each is.  Inbox
   * monitoring: the copies sent to the seed addresses (by delivery, so
   * that a retry sends none twice) and what came back.  The keyed hashes
   * of erased addresses (listctl person erase): a restore from a snapshot
   * taken before leaves them out. */
  "CREATE TABLE kept_messages ("
  "  id INTEGER PRIMARY KEY,"
  "  list_address TEXT NOT NULL,"
  "  msg_key TEXT NOT NULL UNIQUE,"
  "  role TEXT NOT NULL,"
  "  received INTEGER NOT NULL,"
  "  sender TEXT,"                   /* the envelope sender */
  "  from_addr TEXT,"
  "  subject TEXT,"
  "  size INTEGER NOT NULL,"
  "  headers_only INTEGER NOT NULL,"
  "  outcome TEXT NOT NULL,"
  "  blob_id TEXT NOT NULL UNIQUE);"
  "CREATE INDEX kept_messages_by_list ON kept_messages (list_address, received);"
  "CREATE INDEX kept_messages_by_time ON kept_messages (received);"
  "CREATE TABLE backups ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  taken INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"            /* daily | weekly */
  "  size INTEGER NOT NULL,"
  "  archive INTEGER NOT NULL,"
  "  path TEXT,"                     /* the file, or NULL (S3 only) */
  "  blob_id TEXT);"                 /* the S3 copy, or NULL */
  "CREATE TABLE monitor_sends ("
  "  msg_key TEXT NOT NULL,"
  "  seed TEXT NOT NULL,"
  "  list_address TEXT NOT NULL,"
  "  post_id INTEGER NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  state INTEGER NOT NULL,"
  "  detail TEXT,"
  "  PRIMARY KEY (msg_key, seed)) WITHOUT ROWID;"
  "CREATE INDEX monitor_sends_by_time ON monitor_sends (at);"
  "CREATE TABLE monitor_bounces ("
  "  id INTEGER PRIMARY KEY,"
  "  list_address TEXT NOT NULL,"
  "  seed TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  class TEXT,"
  "  status TEXT,"
  "  diagnostic TEXT);"
  "CREATE INDEX monitor_bounces_by_time ON monitor_bounces (at);"
  "CREATE TABLE erasures ("
  "  hash TEXT PRIMARY KEY,"
  "  at INTEGER NOT NULL) WITHOUT ROWID;",
};

const gsize _rf_store_migrations_n = G_N_ELEMENTS (_rf_store_migrations);
