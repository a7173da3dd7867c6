/* ink.h - the module header of lib/ink/, Disappearing Ink (issue 16): what
 * the policy (lib/policy/ink.c) and the cleanup engine ask of it.  What
 * listweb reads is <reflector/ink.h>.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ink post is blobs and rows.  Blob 0 is the post: "reflector-ink 1",
 * one line per file ("file", size, type, name, separated by tabs), an
 * empty line, then the message without its files.  Blobs 1..n are the
 * files, decoded.  Blob i is sealed with _rf_ink_key (token, i): whoever
 * lacks the link's token reads nothing, whatever else they hold.  The rows
 * (store/ink.c) hold the token's hash, the list, the times and the blob
 * ids.
 */
#pragma once

#include "blob/blob.h"
#include "store/store.h"

/* The key of blob @n of the ink post whose link holds @token (0: the
 * post, 1..: its files).  FALSE for a string that is no token. */
gboolean _rf_ink_key (const char *token, guint64 n, guint8 key_out[RF_KEY_BYTES]);

/* Writing one ink post: a fresh token, then its files, then the post and
 * its rows.  A writer freed before _rf_ink_writer_finish succeeded deletes
 * every blob it wrote (a failed delivery leaves nothing behind). */
typedef struct _RfInkWriter RfInkWriter;
/* Returns: (transfer full) free with _rf_ink_writer_free(). */
RfInkWriter *_rf_ink_writer_new (const RfConfig *config, GError **error);
void _rf_ink_writer_free (RfInkWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfInkWriter, _rf_ink_writer_free)
/* The link's token (rf_token_new): the only copy of it, wiped when the
 * writer is freed. */
const char *_rf_ink_writer_token (RfInkWriter *writer);
/* Seal the next file, streamed: begin, write its bytes, end with its name
 * (made safe already, rf_attachment_safe_name) and type.  A failure
 * anywhere leaves the file unwritten (the writer deletes it). */
gboolean _rf_ink_writer_file_begin (RfInkWriter *writer, GError **error);
gboolean _rf_ink_writer_file_write (RfInkWriter *writer, const void *data, gsize len,
                                    GError **error);
gboolean _rf_ink_writer_file_end (RfInkWriter *writer, const char *name,
                                  const char *content_type, GError **error);
/* Seal the post (@message: what is left of it without its files) and
 * record the rows of @list_address, made at @created, expiring at
 * @expires. */
gboolean _rf_ink_writer_finish (RfInkWriter *writer, RfStore *store, const char *list_address,
                                gint64 created, gint64 expires, GBytes *message,
                                GError **error);

/* The cleaner (lib/cleanup/cleanup.c's row "ink"): expired ink posts,
 * every blob first (in a real run), then the rows. */
gboolean _rf_ink_clean (RfCleanupRun *run, GError **error);
