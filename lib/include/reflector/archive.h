/* archive.h - the searchable archive (setting archive): posts, threads,
 * months, full-text search, mbox export, import.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* ---- the searchable archive ---- */

/* listweb escapes a snippet, then turns these into <mark> and </mark>.
 * They are control characters, which the indexed text never holds. */
#define RF_ARCHIVE_MARK_START "\002"
#define RF_ARCHIVE_MARK_END "\003"

typedef struct {
  gint64 number;         /* 1, 2, ... per list */
  char *message_id;      /* without <>, or NULL */
  gint64 archived;       /* when it was archived (rf_now): orders and groups posts */
  char *date_header;     /* the Date field as written, or NULL */
  char *from_name;       /* may be "" */
  char *from_addr;       /* may be "" */
  char *subject;         /* decoded, "" when none */
  gint64 thread;         /* number of the thread's first post */
  gint64 parent;         /* number of the post it answers, 0 for none */
  guint depth;           /* rf_archive_thread only: replies deep */
  char *text;            /* rf_archive_post: the indexed text (text/plain, or
                          * converted from HTML); else NULL */
  GBytes *raw;           /* rf_archive_post: the archived bytes; else NULL */
  char *snippet;         /* rf_archive_search: text around the match, with the
                          * RF_ARCHIVE_MARK_* markers; else NULL */
} RfArchivePost;
void rf_archive_post_free (RfArchivePost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfArchivePost, rf_archive_post_free)

typedef struct {
  char *month;           /* "2026-11" */
  guint64 count;
} RfArchiveMonth;
void rf_archive_month_free (RfArchiveMonth *month);

/* Ranking reads every match, so a query that matches more posts than this
 * ranks the newest this many of them. */
#define RF_ARCHIVE_RANK_WINDOW 5000

typedef enum {
  RF_ARCHIVE_BY_RANK,    /* best match first (bm25, subject weighs most), among
                          * the newest RF_ARCHIVE_RANK_WINDOW matches */
  RF_ARCHIVE_BY_DATE,    /* newest first (the order they were archived in) */
} RfArchiveOrder;

/* Archive @rendered (the post as the members got it) under @key (the
 * delivery's spool key: archiving the same key twice keeps one post).
 * The thread is found from In-Reply-To, then References.  *number_out (may
 * be NULL) receives the post's number. */
gboolean rf_archive_add (RfStore *store, const RfList *list, GBytes *rendered,
                         const char *key, gint64 *number_out, GError **error);
/* Months with posts, newest first.
 * Returns: (transfer full) (element-type RfArchiveMonth). */
GPtrArray *rf_archive_months (RfStore *store, const RfList *list, GError **error);
/* The posts of @month ("YYYY-MM"), oldest first; RF_ERROR_INVALID for a
 * malformed month.  Returns: (transfer full) (element-type RfArchivePost). */
GPtrArray *rf_archive_month_posts (RfStore *store, const RfList *list, const char *month,
                                   GError **error);
/* The thread of post @number, in thread order (each reply after its
 * parent, depth set).  RF_ERROR_NOT_FOUND for no such post.
 * Returns: (transfer full) (element-type RfArchivePost). */
GPtrArray *rf_archive_thread (RfStore *store, const RfList *list, gint64 number,
                              GError **error);
/* One post with its text and bytes.  RF_ERROR_NOT_FOUND if absent.
 * Returns: (transfer full). */
RfArchivePost *rf_archive_post (RfStore *store, const RfList *list, gint64 number,
                                GError **error);
/* What one search looks for at most (issue 11: the cost of a query grows
 * with its words): words after the first RF_ARCHIVE_MAX_WORDS (a quoted
 * phrase's count each), and prefixes after the first
 * RF_ARCHIVE_MAX_PREFIXES, are not searched; a word or phrase given twice
 * is searched once. */
#define RF_ARCHIVE_MAX_WORDS 8
#define RF_ARCHIVE_MAX_PREFIXES 2

/* Search subject, sender and text for every word of @query (a word ending
 * in '*' matches as a prefix when 3 characters or more precede the '*';
 * "quoted words" match as a phrase; nothing else is syntax, so any input
 * is safe; the limits above apply).  @offset and @limit page the
 * hits; *total_out (may be NULL) receives their number.  An empty query
 * finds nothing.  With a budget (rf_store_set_budget) spent:
 * RF_ERROR_CANCELLED.  Returns: (transfer full) (element-type RfArchivePost)
 * with snippet set. */
GPtrArray *rf_archive_search (RfStore *store, const RfList *list, const char *query,
                              RfArchiveOrder order, guint offset, guint limit,
                              guint64 *total_out, GError **error);
/* Write the posts of @month to @out as an mbox (mboxrd: every line
 * matching ^>*From  gains one '>'), oldest first. */
gboolean rf_archive_export_mbox (RfStore *store, const RfList *list, const char *month,
                                 GOutputStream *out, GCancellable *cancellable,
                                 GError **error);

G_END_DECLS
