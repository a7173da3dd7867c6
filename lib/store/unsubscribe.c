/* unsubscribe.c - the per-member tokens of one-click unsubscribe (RFC 8058).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each copy carries a link with a token for its recipient.  The token is
 * not stored: it is computed when a copy is sent, as a keyed BLAKE2b of
 * (list, member, subscription time) under a key derived from the site key,
 * so it is the same in every post (long-lived, as RFC 8058 wants) and a new
 * one after a re-subscription.  The database keeps only a hash of it, the
 * lookup key of POST /u/<token>: whoever copies the database cannot forge
 * or recover a link.
 */
#include "store-private.h"

#include <string.h>

#define TOKEN_BYTES 20   /* 160 bits */
#define KDF_CONTEXT "unsubscr"

/* Read and derived once per open store: a fan-out asks for every copy. */
gboolean
_rf_unsub_key (RfStore *store, guint8 key[RF_KEY_BYTES], GError **error)
{
  if (!store->have_unsub_key)
    {
      if (store->config == NULL)
        {
          /* a programmer's error, but never an abort in listdeliver */
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "the store was opened without its keys (rf_store_open_with_keys)");
          return FALSE;
        }
      if (!rf_site_subkey (store->config, KDF_CONTEXT, 1, store->unsub_key, error))
        return FALSE;
      store->have_unsub_key = TRUE;
    }
  memcpy (key, store->unsub_key, RF_KEY_BYTES);
  return TRUE;
}

RfHasher *
_rf_unsub_hasher (const guint8 key[RF_KEY_BYTES], const char *list_address)
{
  RfHasher *hasher = rf_hasher_new (TOKEN_BYTES, key, RF_KEY_BYTES);

  /* the terminating NULs included: ("a", "bc") and ("ab", "c") must differ */
  rf_hasher_update (hasher, list_address, strlen (list_address) + 1);
  return hasher;
}

char *
_rf_unsub_token_from (RfHasher *work, const RfHasher *prefix, const char *address,
                      gint64 since)
{
  guint8 mac[TOKEN_BYTES];
  char stamp[24];
  char *p = stamp + sizeof stamp;
  guint64 v = since < 0 ? -(guint64) since : (guint64) since;

  /* "%" G_GINT64_FORMAT, with its NUL, without printf (once a copy) */
  *--p = '\0';
  do
    *--p = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  if (since < 0)
    *--p = '-';
  rf_hasher_set (work, prefix);
  rf_hasher_update (work, address, strlen (address) + 1);
  rf_hasher_update (work, p, (gsize) (stamp + sizeof stamp - p));
  rf_hasher_final (work, mac);
  return rf_base64url (mac, sizeof mac);
}

char *
_rf_unsub_token (const guint8 key[RF_KEY_BYTES], const char *list_address,
                 const char *address, gint64 since)
{
  RfHasher *prefix = _rf_unsub_hasher (key, list_address);
  RfHasher *work = rf_hasher_clone (prefix);
  char *token = _rf_unsub_token_from (work, prefix, address, since);

  rf_hasher_free (work);
  rf_hasher_free (prefix);
  return token;
}

void
_rf_unsub_hash (const char *token, guint8 hash[RF_UNSUB_HASH_BYTES])
{
  rf_hash (hash, RF_UNSUB_HASH_BYTES, token, strlen (token), NULL, 0);
}

gboolean
_rf_unsub_backfill (RfStore *store, gboolean all, GError **error)
{
  g_autoptr (sqlite3_stmt) any = NULL;
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (sqlite3_stmt) update = NULL;
  guint8 key[RF_KEY_BYTES];
  gboolean have_key = FALSE, ok = FALSE;
  int rc;

  any = _rf_store_prepare (store,
                           all ? "SELECT 1 FROM members LIMIT 1"
                               : "SELECT 1 FROM members WHERE unsub_hash IS NULL LIMIT 1",
                           error);
  if (any == NULL)
    return FALSE;
  rc = sqlite3_step (any);
  g_clear_pointer (&any, sqlite3_finalize);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (!rf_store_begin (store, error))
    return FALSE;
  /* with @all: the new hashes first go in without clashing with the old
   * ones of others (the column is unique) */
  if (all && !_rf_store_exec (store, "UPDATE members SET unsub_hash = NULL", error))
    goto out;
  find = _rf_store_prepare (store,
                            "SELECT l.address, m.address, m.since, m.list_id FROM members m "
                            "JOIN lists l ON l.id = m.list_id WHERE m.unsub_hash IS NULL",
                            error);
  update = _rf_store_prepare (store,
                              "UPDATE members SET unsub_hash = ? WHERE list_id = ? AND address = ?",
                              error);
  if (find == NULL || update == NULL)
    goto out;
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    {
      g_autofree char *token = NULL;
      guint8 hash[RF_UNSUB_HASH_BYTES];

      if (!have_key && !(have_key = _rf_unsub_key (store, key, error)))
        goto out;
      token = _rf_unsub_token (key, (const char *) sqlite3_column_text (find, 0),
                               (const char *) sqlite3_column_text (find, 1),
                               sqlite3_column_int64 (find, 2));
      _rf_unsub_hash (token, hash);
      sqlite3_bind_blob (update, 1, hash, sizeof hash, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (update, 2, sqlite3_column_int64 (find, 3));
      sqlite3_bind_text (update, 3, (const char *) sqlite3_column_text (find, 1), -1,
                         SQLITE_TRANSIENT);
      if (!_rf_store_step_done (store, update, error, "cannot store an unsubscribe hash"))
        goto out;
      sqlite3_reset (update);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the members");
      goto out;
    }
  ok = TRUE;
out:
  rf_wipe (key, sizeof key);
  g_clear_pointer (&find, sqlite3_finalize);
  g_clear_pointer (&update, sqlite3_finalize);
  if (!ok)
    {
      rf_store_rollback (store);
      return FALSE;
    }
  return rf_store_commit (store, error);
}

gboolean
_rf_store_site_subkey (RfStore *store, const char *context, guint64 id, gboolean previous,
                       guint8 out[RF_KEY_BYTES], GError **error)
{
  if (store->config == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "the store was opened without its keys (rf_store_open_with_keys)");
      return FALSE;
    }
  return previous ? rf_site_subkey_previous (store->config, context, id, out, error)
                  : rf_site_subkey (store->config, context, id, out, error);
}

gboolean
rf_store_rehash_unsubscribe (RfStore *store, GError **error)
{
  store->have_unsub_key = FALSE;
  return _rf_unsub_backfill (store, TRUE, error);
}

char *
rf_unsubscribe_token (RfStore *store, const RfList *list, const char *address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 key[RF_KEY_BYTES];
  char *token;
  int rc;

  stmt = _rf_store_prepare (store, "SELECT since FROM members WHERE list_id = ? AND address = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' is not a member of '%s'", address,
                   list->address);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot read a member");
      return NULL;
    }
  if (!_rf_unsub_key (store, key, error))
    return NULL;
  token = _rf_unsub_token (key, list->address, address, sqlite3_column_int64 (stmt, 0));
  rf_wipe (key, sizeof key);
  return token;
}

gboolean
rf_unsubscribe_lookup (RfStore *store, const char *token, RfList **list_out, char **address_out,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 hash[RF_UNSUB_HASH_BYTES];
  int rc;

  _rf_unsub_hash (token, hash);
  stmt = _rf_store_prepare (store,
                            "SELECT l.address, m.address FROM members m JOIN lists l "
                            "ON l.id = m.list_id WHERE m.unsub_hash = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      /* the token itself is a secret: it goes in no message */
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "this unsubscribe link is unknown: the address may have left the list "
                   "already");
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot read a member");
      return FALSE;
    }
  *list_out = rf_list_lookup (store, (const char *) sqlite3_column_text (stmt, 0), error);
  if (*list_out == NULL)
    return FALSE;
  *address_out = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

gboolean
rf_unsubscribe_by_token (RfStore *store, const char *token, const RfActor *actor,
                         RfList **list_out, char **address_out, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autofree char *address = NULL;

  if (!rf_unsubscribe_lookup (store, token, &list, &address, error))
    return FALSE;
  if (!rf_member_remove (store, list, address, actor, error))
    return FALSE;
  rf_activity_log (store, actor, "unsubscribe", list->address,
                   "a member left through the link in a post");
  *list_out = g_steal_pointer (&list);
  *address_out = g_steal_pointer (&address);
  return TRUE;
}
