/* bounce-private.h - shared by the files of lib/bounce/.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parser in four steps, one file each:
 *   bounce.c    the message: text of the report, headers, the order of steps
 *   dsn.c       RFC 3464 message/delivery-status fields
 *   mta.c       the data table of MTA families and the free-text recipient
 *   classify.c  status codes and diagnostic text to RfBounceClass (tables)
 */
#pragma once

#include "bounce/bounce.h"
#include "mime/mime.h"

/* The longest diagnostic kept (characters): the remote server's answer, not
 * a body. */
#define _RF_BOUNCE_DIAG_MAX 200

/* One recipient block of a delivery-status report.  @recipients receives
 * (element-type RfBounceRecipient) with bounce_class left at UNKNOWN and
 * the Action parsed; @details receives, parallel to it, the whole
 * Diagnostic-Code (element-type utf8, unfolded, "" when absent): the
 * classifier reads all of it, the recipient keeps one capped line. */
void _rf_bounce_dsn_parse (const char *text, GPtrArray *recipients, GPtrArray *details);
/* RFC 3464 Action value to RfBounceAction (comments and case ignored). */
RfBounceAction _rf_bounce_action_parse (const char *value);
/* "smtp=Ann@Example.COM", "'ann@example.com'", "\"a..b\"@x.org." -> the bare
 * address, domain lower-cased; NULL when it is none. */
char *_rf_bounce_tidy_address (const char *found);

/* What the words of a text say, in order of precedence: see classify.c. */
typedef enum
{
  _RF_WORDS_NONE = 0,
  _RF_WORDS_DELAY,     /* a delay warning: still trying */
  _RF_WORDS_SENDER,    /* our sender address or domain refused */
  _RF_WORDS_FULL,      /* mailbox full, over quota */
  _RF_WORDS_LATER,     /* says itself temporary: try later, local mailer or
                        * name service trouble, too big, rate limits */
  _RF_WORDS_FILTER,    /* spam, blocklists, authentication, reputation,
                        * content: the list's mail refused for what it is */
  _RF_WORDS_GONE,      /* no such user, mailbox, domain */
  _RF_WORDS_DISABLED,  /* account disabled, closed, suspended */
  _RF_WORDS_TRANSIENT, /* weaker hints of trouble that passes: time-outs,
                        * connections, expiry */
  _RF_WORDS_REFUSED,   /* rejected, denied, not allowed, with no reason */
} RfWords;

/* The strongest group of words in @text (first in the order above). */
RfWords _rf_bounce_words (const char *text);
/* The class of a group of words on its own. */
RfBounceClass _rf_bounce_words_class (RfWords words);
/* One recipient's class from everything known of it; see classify.c for the
 * precedence (also in reflector.conf(5)). */
RfBounceClass _rf_bounce_classify (const char *status, char reply, const char *diagnostic,
                                   const char *report);
/* The class an enhanced status code says on its own, and whether the code
 * is specific enough to trust over the diagnostic's words (x.0.0 and the
 * catch-all 5.7.1 are not). */
RfBounceClass _rf_bounce_class_from_status (const char *status, gboolean *specific_out);
/* The class the words of @text say, or RF_BOUNCE_UNKNOWN. */
RfBounceClass _rf_bounce_class_from_text (const char *text);
/* Whether the refusal came after the message's content was sent (SMTP
 * DATA): "user unknown" there is the receiver's filter refusing the sender
 * (the Japanese carriers' "reception settings"), not a missing mailbox. */
gboolean _rf_bounce_after_data (const char *text);
/* The first enhanced status code ("5.1.1") in @text, or NULL; else the
 * class digit of the first SMTP reply code in *reply_out ('4', '5' or 0).
 * A version number ("Mailman 2.0.12") and quoted header lines of the
 * returned message are no status. */
char *_rf_bounce_find_status (const char *text, char *reply_out);
/* Where the remote server's answer starts in @text: the offset of its
 * reply code ("550 5.1.1 ..."), or 0 when there is none. */
gsize _rf_bounce_answer_offset (const char *text);
/* Where the remote server's answer starts in a long line of prose: the
 * offset of its reply code ("550 5.1.1 ...") when the line is longer than a
 * diagnostic may be, else 0. */
gsize _rf_bounce_code_offset (const char *line);
/* One line, whitespace collapsed, at most @max characters. */
char *_rf_bounce_one_line_max (const char *text, guint max);
/* One line, whitespace collapsed, at most _RF_BOUNCE_DIAG_MAX characters. */
char *_rf_bounce_one_line (const char *text);

/* The MTA family, from the table in mta.c. */
const char *_rf_bounce_guess_mta (GMimeMessage *message, const char *text, gboolean is_dsn);
/* An auto-reply (RFC 3834 Auto-Submitted, the common X- headers, subjects
 * of out-of-office replies)? */
gboolean _rf_bounce_is_autoreply (GMimeMessage *message, const char *text);
/* Failed recipients named in free text, in order, without the addresses in
 * @exclude (NULL-terminated, lower-case), without mailer-daemon or
 * postmaster, and without the list's own addresses (@list_local: the local
 * part of the list at @list_domain, or NULL); the first
 * _RF_BOUNCE_TEXT_RECIPIENTS_MAX of them.
 * Returns: (transfer full) (element-type utf8). */
#define _RF_BOUNCE_TEXT_RECIPIENTS_MAX 64
GPtrArray *_rf_bounce_text_recipients (const char *text, const char *const *exclude,
                                       const char *list_local, const char *list_domain);
/* The text of @text that best explains the failure of @address: from the
 * first line after its mention with a status code or known words, with the
 * lines that continue it (folded or wrapped), whitespace collapsed, at most
 * a few hundred characters; or NULL. */
char *_rf_bounce_text_diagnostic (const char *text, const char *address);
/* The same on the report part of a text already cut at
 * _rf_bounce_report_end (@region) and lower-cased (@lower, as
 * g_ascii_strdown makes it): what a bounce naming several recipients
 * computes once for all of them. */
char *_rf_bounce_region_diagnostic (const char *region, const char *lower, const char *address);
/* Whether the report reads as a delay warning (still trying). */
gboolean _rf_bounce_says_delayed (const char *text);
/* Where the copy of the original message starts in a free-text bounce
 * (offset into @text), so that its headers are not taken for the report;
 * strlen (text) when no marker is found. */
gsize _rf_bounce_report_end (const char *text);

/* ---- notice.c (issue 17): the notice to a member disabled by bounces ---- */

/* Mail notice @number of @of to @info's address (a member of @list
 * disabled by bounces, to be removed at @removal), with a new reenable
 * confirmation good until then.  TRUE when the transport took it, or
 * refused the address for good (*refused_out TRUE, *reason_out (may be
 * NULL) its reason, (transfer full); the token is dropped); FALSE with
 * RF_ERROR_TEMPORARY when it could not take it now (the token is dropped:
 * the next sweep makes another), or with the store's error. */
gboolean _rf_bounce_notice_send (const RfConfig *config, RfStore *store, const RfList *list,
                                 const RfMemberBounceInfo *info, guint number, guint64 of,
                                 gint64 removal, gboolean *refused_out, char **reason_out,
                                 GError **error);
