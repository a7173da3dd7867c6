/* crypto.h - the one adapter to libsodium (DESIGN.md "Tokens and
 * secrets"): the only folder whose files include sodium.h.  Random bytes
 * and tokens, hashing (BLAKE2b), key derivation, the site's key files,
 * sealing (XChaCha20-Poly1305 secretstream), password hashing (Argon2id),
 * wiping and constant-time comparison.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* Every key: 256 bits. */
#define RF_KEY_BYTES 32

/* Start libsodium, once per process (thread-safe, cheap after the first
 * call).  The programs' entry points (rf_config_load, rf_store_open) call
 * it so that a failure is an error they report (RF_ERROR_TEMPORARY); every
 * function below calls it too and aborts if it still cannot start. */
gboolean rf_crypto_init (GError **error);

/* ---- random ---- */
void rf_random (void *buf, gsize len);
/* A uniform number in [0, @upper). */
guint32 rf_random_below (guint32 upper);
/* @n_bytes random bytes as lower-case hex.  Returns: (transfer full). */
char *rf_random_hex (gsize n_bytes);
/* @n_bytes random bytes as base64url without padding.  Returns: (transfer full). */
char *rf_random_base64url (gsize n_bytes);

/* ---- encodings ---- */
/* Returns: (transfer full). */
char *rf_hex (const void *data, gsize len);
char *rf_base64url (const void *data, gsize len);
/* Decode base64url without padding into exactly @out_len bytes; FALSE for
 * anything else (wrong length, a character outside the alphabet). */
gboolean rf_base64url_decode (const char *text, void *out, gsize out_len);
/* Characters of the base64url form of @n_bytes bytes, without padding. */
gsize rf_base64url_length (gsize n_bytes);

/* ---- hashing (BLAKE2b) ---- */
/* @out_len from 16 to 64 bytes; @key NULL or 16 to 64 bytes. */
void rf_hash (void *out, gsize out_len, const void *data, gsize len, const void *key,
              gsize key_len);
/* The same over several pieces. */
typedef struct _RfHasher RfHasher;
RfHasher *rf_hasher_new (gsize out_len, const void *key, gsize key_len);
void rf_hasher_update (RfHasher *hasher, const void *data, gsize len);
/* Writes the hash and frees the hasher. */
void rf_hasher_finish (RfHasher *hasher, void *out);
/* issue 14: a hash of many messages with a common start (the key and
 * the first pieces), fed once: rf_hasher_clone makes a hasher (transfer
 * full) whose state is @hasher's so far; rf_hasher_set gives @hasher the
 * state of @from (both made with the same out_len); rf_hasher_final
 * writes the hash and keeps the hasher (to be set again, or freed with
 * rf_hasher_free). */
RfHasher *rf_hasher_clone (const RfHasher *hasher);
void rf_hasher_set (RfHasher *hasher, const RfHasher *from);
void rf_hasher_final (RfHasher *hasher, void *out);
void rf_hasher_free (RfHasher *hasher);

/* ---- keys ---- */
/* A subkey of @key for one purpose: @context names it in at most 8
 * characters ("unsubscr"), @id numbers its instances. */
void rf_kdf (void *out, gsize out_len, guint64 id, const char *context,
             const guint8 key[RF_KEY_BYTES]);
/* A key for one purpose, derived from the site key KEY_DIR/site.key
 * (keys.c: made, or moved there from the state directory, on first use;
 * read once per process).  Losing the file invalidates every link computed
 * from it. */
gboolean rf_site_subkey (const RfConfig *config, const char *context, guint64 id,
                         guint8 out[RF_KEY_BYTES], GError **error);
/* The same from the site key that the last rotation replaced
 * (site.key.previous): FALSE, without @error, when there is none. */
gboolean rf_site_subkey_previous (const RfConfig *config, const char *context, guint64 id,
                                  guint8 out[RF_KEY_BYTES], GError **error);
/* The blob key of a readable attachment or a kept post: derived from the
 * blob key file ([blobs] key_file, default KEY_DIR/blob.key) and the blob
 * id; with @previous from the key the last rotation replaced (FALSE,
 * without @error, when there is none). */
gboolean rf_site_blob_key (const RfConfig *config, const char *blob_id, gboolean previous,
                           guint8 key_out[RF_KEY_BYTES], GError **error);
/* (The backup key file's path: rf_backup_key_path, <reflector/backup.h>.)
 * A key for one @purpose (RF_BACKUP_SEAL, RF_BACKUP_NAME) derived from
 * the backup key file.  @create: make the file (256 random bits, 0600)
 * when there is none, as a backup does; a restore never makes one: a
 * missing file is RF_ERROR_CONFIG with the path and what to do. */
#define RF_BACKUP_SEAL 1
#define RF_BACKUP_NAME 2
gboolean rf_backup_key (const RfConfig *config, gboolean create, guint64 purpose,
                        guint8 key_out[RF_KEY_BYTES], GError **error);
/* The blob key of an unguessable attachment, derived from its link's token
 * (rf_token_new).  FALSE for a string that is no token. */
gboolean rf_token_blob_key (const char *token, guint8 key_out[RF_KEY_BYTES]);
/* What the store keeps instead of a token: 64 hex chars of a keyed BLAKE2b
 * (its own context, so the hash is no key).  Returns: (transfer full). */
char *rf_token_hash (const char *token);

/* ---- sealing: XChaCha20-Poly1305 secretstream ---- */
#define RF_SEAL_HEADER_BYTES 24
#define RF_SEAL_OVERHEAD 17     /* bytes added to each sealed chunk */
typedef struct _RfSealState RfSealState;
/* Start sealing with @key; the header goes in front of the chunks. */
RfSealState *rf_seal_begin (const guint8 key[RF_KEY_BYTES],
                            guint8 header_out[RF_SEAL_HEADER_BYTES]);
/* Seal @len bytes into @out (room for @len + RF_SEAL_OVERHEAD); @final
 * marks the last chunk, so that a truncated stream fails to open. */
void rf_seal_chunk (RfSealState *state, guint8 *out, const guint8 *in, gsize len,
                    gboolean final);
/* Start opening; NULL for a header that does not fit the key. */
RfSealState *rf_unseal_begin (const guint8 key[RF_KEY_BYTES],
                              const guint8 header[RF_SEAL_HEADER_BYTES]);
/* Open one sealed chunk of @len bytes into @out (room for @len -
 * RF_SEAL_OVERHEAD); FALSE for a forged or damaged chunk. */
gboolean rf_unseal_chunk (RfSealState *state, guint8 *out, gsize *out_len, const guint8 *in,
                          gsize len, gboolean *final_out);
/* Wipes and frees. */
void rf_seal_state_free (RfSealState *state);

/* ---- sealed files: the same secretstream over a whole file ----
 * "RFSEAL1\n", the stream header, then chunks of 64 KiB (each sealed, the
 * last tagged FINAL): a file cut short, altered or opened with another key
 * fails to open.  One chunk in memory either way. */
/* Seal everything @in_fd holds (read to its end) onto @out_fd. */
gboolean rf_seal_file (const guint8 key[RF_KEY_BYTES], int in_fd, int out_fd, GError **error);
/* Open a sealed file from @in_fd onto @out_fd.  RF_ERROR_INVALID when it
 * is no sealed file or does not open with @key, RF_ERROR_TEMPORARY when it
 * is damaged or cut short (what was written to @out_fd is then worthless)
 * or on I/O trouble. */
gboolean rf_unseal_file (const guint8 key[RF_KEY_BYTES], int in_fd, int out_fd, GError **error);

/* ---- sealing a short secret: XChaCha20-Poly1305, a random nonce ---- */
#define RF_BOX_OVERHEAD 40      /* the nonce (24) and the tag (16) */
/* Seal @len bytes of @in into @out (room for @len + RF_BOX_OVERHEAD). */
void rf_box_seal (const guint8 key[RF_KEY_BYTES], const void *in, gsize len, guint8 *out);
/* Open what rf_box_seal made (@len bytes) into @out (room for @len -
 * RF_BOX_OVERHEAD); FALSE for another key's, or a forged one. */
gboolean rf_box_open (const guint8 key[RF_KEY_BYTES], const guint8 *in, gsize len, guint8 *out);

/* ---- passwords: Argon2id, libsodium's interactive limits ---- */
/* Returns: (transfer full), or NULL (RF_ERROR_TEMPORARY: out of memory). */
char *rf_password_hash (const char *password, GError **error);
/* Whether @password matches @hash.  A NULL @hash (no such account) takes
 * the same time as a wrong password and never matches. */
gboolean rf_password_verify (const char *hash, const char *password);

/* ---- secrets in memory ---- */
void rf_wipe (void *buf, gsize len);
/* Wipe a string's bytes (NULL is fine); then free it with g_free. */
void rf_wipe_string (char *text);
/* Constant-time comparison of two buffers of @len bytes. */
gboolean rf_equal (const void *a, const void *b, gsize len);
