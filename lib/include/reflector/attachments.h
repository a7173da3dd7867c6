/* attachments.h - stripped attachments (setting attachments=link): their
 * rows, and reading one back for its download link.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *blob_id;
  char *list_address;
  gboolean unguessable;  /* TRUE: keyed by token (token_hash); FALSE: site key */
  gint64 post;           /* readable mode: the list's post number, else 0 */
  gint64 n;              /* readable mode: 1-based index in the post, else 0 */
  char *filename;        /* rf_attachment_safe_name(); "" for an unguessable
                          * attachment (issue 11): sealed with its bytes, read
                          * back by rf_attachment_reader_name() */
  char *content_type;    /* "type/subtype", lower case; "" likewise */
  guint64 size;          /* plaintext bytes */
  gint64 created;
  gint64 expires;        /* rf_now() seconds; 0 = forever */
} RfAttachment;
void rf_attachment_free (RfAttachment *attachment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfAttachment, rf_attachment_free)
/* RF_ERROR_NOT_FOUND when no row.  Returns: (transfer full). */
RfAttachment *rf_attachment_by_token (RfStore *store, const char *token, GError **error);
RfAttachment *rf_attachment_by_post (RfStore *store, const char *list_address, gint64 post,
                                     gint64 n, GError **error);

/* The bytes of @attachment, unsealed as they are read.  @token is the
 * link's token of an unguessable attachment (its key is derived from it),
 * NULL for a readable one (its key comes from the site key).
 * RF_ERROR_NOT_FOUND when the blob is gone or the token does not open it;
 * RF_ERROR_TEMPORARY for trouble with the blob store.
 * Returns: (transfer full) free with rf_attachment_reader_free(). */
typedef struct _RfAttachmentReader RfAttachmentReader;
RfAttachmentReader *rf_attachment_open (const RfConfig *config, const RfAttachment *attachment,
                                        const char *token, GError **error);
/* Plaintext bytes, 0 at the verified end, -1 on error (a forged or
 * truncated blob is RF_ERROR_TEMPORARY "blob damaged"). */
gssize rf_attachment_read (RfAttachmentReader *reader, void *buf, gsize len, GError **error);
/* The file's name and type: the row's, or for an unguessable attachment
 * the ones sealed in front of its bytes.  Owned by @reader. */
const char *rf_attachment_reader_name (RfAttachmentReader *reader);
const char *rf_attachment_reader_type (RfAttachmentReader *reader);

/* The sealed head of an unguessable attachment's blob: these 4 bytes, then
 * the name and the type, each as 2 bytes of length (big-endian) and its
 * UTF-8; then the file. */
#define RF_ATTACHMENT_HEAD "RFA1"
void rf_attachment_reader_free (RfAttachmentReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfAttachmentReader, rf_attachment_reader_free)

G_END_DECLS
