/* blob-private.h - the back-end interface of the blob store.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A back end is one file (blob-local.c, blob-s3.c) that fills an
 * RfBlobOps.  blob.c checks ids and dispatches; callers see reflector.h.
 */
#pragma once

#include "blob/blob.h"

typedef struct {
  const char *kind;
  void (*free) (RfBlobStore *store);
  RfBlobWriter *(*put_begin) (RfBlobStore *store, const char *id, GError **error);
  gboolean (*write) (RfBlobWriter *writer, const void *data, gsize len, GError **error);
  gboolean (*finish) (RfBlobWriter *writer, GError **error);   /* frees */
  void (*abort) (RfBlobWriter *writer);                        /* frees */
  RfBlobReader *(*get) (RfBlobStore *store, const char *id, GError **error);
  gssize (*read) (RfBlobReader *reader, void *buf, gsize len, GError **error);
  void (*reader_free) (RfBlobReader *reader);
  gboolean (*remove) (RfBlobStore *store, const char *id, GError **error);
  gboolean (*exists) (RfBlobStore *store, const char *id, gboolean *exists_out,
                      GError **error);
  /* may be NULL: a back end that leaves no temporary files */
  gboolean (*sweep) (RfBlobStore *store, gint64 older_than, gboolean dry_run,
                     guint64 *removed_out, GError **error);
} RfBlobOps;

/* Every back end's store, writer and reader start with these. */
struct _RfBlobStore {
  const RfBlobOps *ops;
};
struct _RfBlobWriter {
  RfBlobStore *store;
};
struct _RfBlobReader {
  RfBlobStore *store;
};

RfBlobStore *_rf_blob_local_open (const RfConfig *config, GError **error);
/* A local store in @dir, whatever [blobs] says (the troubleshooting store). */
RfBlobStore *_rf_blob_local_open_dir (const char *dir, GError **error);
RfBlobStore *_rf_blob_s3_open (const RfConfig *config, GError **error);

/* The spool of files on their way (the local store's temp files, the S3
 * store's uploads and downloads): STATE/blobs-tmp, mode 0700. */
char *_rf_blob_tmp_dir (const RfConfig *config, GError **error);

