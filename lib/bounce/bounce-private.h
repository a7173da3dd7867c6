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
 * the DSN's Action in a private side list: @actions (element-type utf8,
 * "" when absent), parallel to @recipients. */
void _rf_bounce_dsn_parse (const char *text, GPtrArray *recipients, GPtrArray *actions);

/* The class an enhanced status code says on its own, and whether the code
 * is specific enough to trust over the diagnostic's words (x.0.0 and the
 * catch-all 5.7.1 are not). */
RfBounceClass _rf_bounce_class_from_status (const char *status, gboolean *specific_out);
/* The class the words of @text say (table of patterns), or
 * RF_BOUNCE_UNKNOWN; *strong_out: the pattern names the address itself
 * (user unknown, no such domain), which beats a generic 5.7.1. */
RfBounceClass _rf_bounce_class_from_text (const char *text, gboolean *strong_out);
/* Whether the refusal came after the message's content was sent (SMTP
 * DATA): "user unknown" there is the receiver's filter refusing the sender
 * (the Japanese carriers' "reception settings"), not a missing mailbox. */
gboolean _rf_bounce_after_data (const char *text);
/* Whether @text says the account is disabled, inactive or closed. */
gboolean _rf_bounce_says_disabled (const char *text);
/* The first enhanced status code ("5.1.1") in @text, or NULL; else the
 * class digit of the first SMTP reply code in *reply_out ('4', '5' or 0). */
char *_rf_bounce_find_status (const char *text, char *reply_out);
/* Where the remote server's answer starts in a long line of prose: the
 * offset of its reply code ("550 5.1.1 ...") when the line is longer than a
 * diagnostic may be, else 0. */
gsize _rf_bounce_code_offset (const char *line);
/* One line, whitespace collapsed, at most _RF_BOUNCE_DIAG_MAX characters. */
char *_rf_bounce_one_line (const char *text);

/* The MTA family, from the table in mta.c. */
const char *_rf_bounce_guess_mta (GMimeMessage *message, const char *text, gboolean is_dsn);
/* An auto-reply (RFC 3834 Auto-Submitted, the common X- headers, subjects
 * of out-of-office replies)? */
gboolean _rf_bounce_is_autoreply (GMimeMessage *message, const char *text);
/* Failed recipients named in free text, in order, without the addresses in
 * @exclude (NULL-terminated, lower-case) and without mailer-daemon or
 * postmaster.  Returns: (transfer full) (element-type utf8). */
GPtrArray *_rf_bounce_text_recipients (const char *text, const char *const *exclude);
/* The line of @text that best explains the failure of @address (the first
 * line from its mention on with a status code or known words), or NULL. */
char *_rf_bounce_text_diagnostic (const char *text, const char *address);
/* Where the copy of the original message starts in a free-text bounce
 * (offset into @text), so that its headers are not taken for the report;
 * strlen (text) when no marker is found. */
gsize _rf_bounce_report_end (const char *text);
