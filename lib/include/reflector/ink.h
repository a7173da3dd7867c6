/* ink.h - Disappearing Ink (issue 16, setting disappearing_ink): a post
 * that lives, sealed, on a page behind the list's web user and password
 * for 1, 3 or 7 days, as listweb shows it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The link's token is the key: the post and each of its files are sealed
 * with keys derived from it, and the store keeps only its hash.  Nothing
 * here can read a post without the token.
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* One ink post's rows: everything the store knows of it. */
typedef struct {
  gint64 id;
  char *list_address;
  char *blob_id;         /* the sealed post: its file list and its message */
  char **file_blobs;     /* NULL-terminated: the sealed files, file 1 first */
  gint64 created;
  gint64 expires;        /* rf_now() seconds: 410 Gone from then on */
} RfInk;
void rf_ink_free (RfInk *ink);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfInk, rf_ink_free)

/* The post of the link whose token is @token.  RF_ERROR_NOT_FOUND for an
 * unknown one (the message never repeats the token); an expired one is
 * found, and the caller compares its expires with rf_now().
 * Returns: (transfer full). */
RfInk *rf_ink_lookup (RfStore *store, const char *token, GError **error);

/* One file of an ink post, as the page lists it. */
typedef struct {
  guint n;               /* 1-based: /ink/<token>/<n>/<name> */
  char *name;            /* rf_attachment_safe_name(): fit for a URL segment */
  char *content_type;    /* "type/subtype", lower case */
  guint64 size;          /* bytes */
} RfInkFile;

/* The post as the page shows it, unsealed with the token.  Every string is
 * valid UTF-8 without control characters but newline and tab in @text;
 * the page escapes them.  No HTML of the post survives: an HTML-only post
 * is its text. */
typedef struct {
  char *from;            /* "Name <addr>", "addr" or "" */
  char *to;              /* as written (decoded), or "" */
  char *cc;
  char *date;            /* as written, or "" */
  char *subject;         /* decoded, or "" */
  char *text;            /* its text/plain parts, else the text of its HTML */
  GPtrArray *files;      /* (element-type RfInkFile) */
} RfInkPost;
void rf_ink_post_free (RfInkPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfInkPost, rf_ink_post_free)
/* Read and unseal @ink's post with @token.  RF_ERROR_NOT_FOUND when the
 * blob is gone or @token does not open it; RF_ERROR_TEMPORARY for trouble
 * with the blob store or a damaged blob.  Returns: (transfer full). */
RfInkPost *rf_ink_post_read (const RfConfig *config, const RfInk *ink, const char *token,
                             GError **error);

/* File @n (1-based) of @ink, unsealed as it is read: the same errors as
 * rf_ink_post_read, and RF_ERROR_NOT_FOUND for a number it has not.
 * Returns: (transfer full) free with rf_ink_file_reader_free(). */
typedef struct _RfInkFileReader RfInkFileReader;
RfInkFileReader *rf_ink_file_open (const RfConfig *config, const RfInk *ink, const char *token,
                                   guint n, GError **error);
/* Plaintext bytes, 0 at the verified end, -1 on error. */
gssize rf_ink_file_read (RfInkFileReader *reader, void *buf, gsize len, GError **error);
void rf_ink_file_reader_free (RfInkFileReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfInkFileReader, rf_ink_file_reader_free)

G_END_DECLS
