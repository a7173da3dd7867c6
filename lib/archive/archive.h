/* archive-private.h - between the archive's MIME side (lib/archive-mime.c,
 * which may use GMime) and its store side (lib/store/archive.c, which may
 * use SQLite).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* What the archive keeps of one post besides its bytes. */
typedef struct {
  char *message_id;       /* without <>, or NULL */
  char *date_header;      /* as written, or NULL */
  char *from_name;        /* decoded, "" when none */
  char *from_addr;        /* "" when none */
  char *subject;          /* decoded, "" when none */
  char *text;             /* text/plain parts, else text from the HTML; no
                           * control characters but newline and tab */
  GPtrArray *parents;     /* (element-type utf8) message-ids that may be the
                           * parent, best first: In-Reply-To, then References
                           * from the last */
} RfArchiveDoc;

void _rf_archive_doc_free (RfArchiveDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfArchiveDoc, _rf_archive_doc_free)

/* Parse @rendered.  RF_ERROR_BAD_MESSAGE if it is no message at all.
 * Returns: (transfer full). */
RfArchiveDoc *_rf_archive_extract (GBytes *rendered, GError **error);

/* Text of an HTML document: tags dropped (script and style with their
 * content), entities decoded, block elements as line breaks.
 * Returns: (transfer full). */
char *_rf_html_to_text (const char *html, gssize len);

/* The attachment links of an archived post (links.c, issue 11): the
 * archive stores ".../a/~<sealed>/<name>" where the post had
 * ".../a/<token>/<name>", the token sealed with a key derived from the
 * site key (@config's key directory), and puts the token back when it is
 * read (@opening).  Whether @text holds such a link; @text with them
 * changed; @raw (a message) with them changed in its text parts, or @raw
 * itself when there is none.  Returns: (transfer full). */
gboolean _rf_archive_has_links (const char *text, gboolean sealed);
char *_rf_archive_links_text (const RfConfig *config, const char *text, gboolean opening,
                              GError **error);
GBytes *_rf_archive_links_bytes (const RfConfig *config, GBytes *raw, gboolean opening,
                                 GError **error);

/* The deliver.c hook: when @settings says archive = on, archive the
 * rendered copy at @out_path under @key.  Idempotent, so that a retry after
 * a failure here archives without resending. */
gboolean _rf_archive_delivered (RfStore *store, const RfActor *actor, const RfList *list,
                                GHashTable *settings, const char *key, const char *out_path,
                                GError **error);
