/* blob.h - the module header of lib/blob/: the blob store (a local
 * directory or an S3-compatible bucket) and sealed blobs.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"
#include "crypto/crypto.h"

/* A blob store holds opaque files by id ([a-z0-9]{32}): a directory under
 * the state dir ("local") or an S3-compatible bucket ("s3"), as
 * reflector.conf's [blobs] says.  Every failure is RF_ERROR_TEMPORARY
 * except a missing blob on get (RF_ERROR_NOT_FOUND) and a bad
 * configuration (RF_ERROR_CONFIG). */
typedef struct _RfBlobStore RfBlobStore;
typedef struct _RfBlobWriter RfBlobWriter;
typedef struct _RfBlobReader RfBlobReader;

/* Returns: (transfer full) free with rf_blob_store_free(), after its
 * writers and readers. */
RfBlobStore *rf_blob_store_open (const RfConfig *config, GError **error);
/* A local blob store in @dir whatever [blobs] says: the troubleshooting
 * store's (lib/keep/), kept on the server that received the mail. */
RfBlobStore *rf_blob_store_open_dir (const char *dir, GError **error);
void rf_blob_store_free (RfBlobStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBlobStore, rf_blob_store_free)
/* "local" or "s3". */
const char *rf_blob_store_kind (RfBlobStore *store);
/* A fresh random blob id (128 bits, hex).  Returns: (transfer full). */
char *rf_blob_id_new (void);

/* Streamed put: the blob appears under @id only when finish succeeds
 * (written to a temporary name, fsync'ed, renamed; or uploaded whole).
 * finish and abort free the writer. */
RfBlobWriter *rf_blob_put_begin (RfBlobStore *store, const char *id, GError **error);
gboolean rf_blob_writer_write (RfBlobWriter *writer, const void *data, gsize len,
                               GError **error);
gboolean rf_blob_writer_finish (RfBlobWriter *writer, GError **error);
void rf_blob_writer_abort (RfBlobWriter *writer);
/* Streamed get.  read returns the bytes read, 0 at the end, -1 on error. */
RfBlobReader *rf_blob_get (RfBlobStore *store, const char *id, GError **error);
gssize rf_blob_reader_read (RfBlobReader *reader, void *buf, gsize len, GError **error);
void rf_blob_reader_free (RfBlobReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBlobReader, rf_blob_reader_free)
/* Deleting a blob that is not there succeeds (cleanup is idempotent). */
gboolean rf_blob_delete (RfBlobStore *store, const char *id, GError **error);
gboolean rf_blob_exists (RfBlobStore *store, const char *id, gboolean *exists_out,
                         GError **error);
/* Delete (or with @dry_run only count, in *removed_out) the temporary files
 * of puts that never finished and were last written before @older_than. */
gboolean rf_blob_sweep (RfBlobStore *store, gint64 older_than, gboolean dry_run,
                        guint64 *removed_out, GError **error);

/* Sealed blobs: libsodium secretstream (XChaCha20-Poly1305) in 64 KiB
 * chunks, so that neither side holds a whole file.  A sealed blob is
 * "RFB1", the stream header, then the chunks; the last is tagged FINAL, so
 * a truncated or altered blob fails to open. */
typedef struct _RfSealer RfSealer;
typedef struct _RfUnsealer RfUnsealer;
/* A new blob @id of @blobs, sealed with @key, which is wiped here whatever
 * happens.  Finish or abort the sealer. */
RfSealer *rf_sealer_begin (RfBlobStore *blobs, const char *id, guint8 key[RF_KEY_BYTES],
                           GError **error);
/* Takes @writer (finished or aborted with the sealer). */
RfSealer *rf_sealer_new (RfBlobWriter *writer, const guint8 key[RF_KEY_BYTES],
                         GError **error);
gboolean rf_sealer_write (RfSealer *sealer, const void *data, gsize len, GError **error);
/* Seals the last chunk, finishes the writer, frees. */
gboolean rf_sealer_finish (RfSealer *sealer, GError **error);
void rf_sealer_abort (RfSealer *sealer);
/* Takes @reader.  A wrong key is RF_ERROR_NOT_FOUND (as for a blob that is
 * not there: the caller cannot tell which, and need not). */
RfUnsealer *rf_unsealer_new (RfBlobReader *reader, const guint8 key[RF_KEY_BYTES],
                             GError **error);
/* Plaintext bytes, 0 at the verified end, -1 on error (a forged or
 * truncated blob is RF_ERROR_TEMPORARY "blob damaged"). */
gssize rf_unsealer_read (RfUnsealer *unsealer, void *buf, gsize len, GError **error);
void rf_unsealer_free (RfUnsealer *unsealer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfUnsealer, rf_unsealer_free)

/* Whole blobs of @blobs in memory, sealed with the site's blob key of
 * their id (rf_site_blob_key of @config): a kept message, a kept post
 * (sealed-bytes.c).  rf_blob_get_sealed: RF_ERROR_NOT_FOUND when the blob
 * is gone.  Returns: (transfer full). */
gboolean rf_blob_put_sealed (RfBlobStore *blobs, const RfConfig *config, const char *id,
                             GBytes *bytes, GError **error);
GBytes *rf_blob_get_sealed (RfBlobStore *blobs, const RfConfig *config, const char *id,
                            GError **error);
