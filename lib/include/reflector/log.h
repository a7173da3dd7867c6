/* log.h - the one logging module (issue 13; STYLE.md §6).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every program logs one line per event a sysadmin needs: to syslog,
 * facility mail (beside the MTA's own lines), or to stderr when asked
 * (--foreground) or when stderr is a terminal.  Every line goes through
 * one redaction point, the one the activity log uses too: no message body,
 * token, password or cookie ever reaches a log.  Until rf_log_open() the
 * functions log nothing, so the library stays quiet in unit tests and in
 * any program that does not ask for logs.  errno is preserved.
 */
#pragma once

#include <reflector/error.h>

G_BEGIN_DECLS

typedef enum {
  RF_LOG_NOWHERE,   /* before rf_log_open */
  RF_LOG_SYSLOG,    /* syslog(3), LOG_MAIL, with the pid */
  RF_LOG_STDERR,    /* "ident: line" on stderr */
} RfLogTarget;

/* Start logging as @ident ("listdeliver"): to stderr when @foreground or
 * stderr is a terminal and @stderr_if_tty, else to syslog.  In a build with
 * REFLECTOR_TEST_HOOKS, $REFLECTOR_SYSLOG_SOCKET names a datagram socket
 * that gets the syslog lines instead of /dev/log (the test suite's way of
 * reading them). */
void rf_log_open (const char *ident, gboolean foreground, gboolean stderr_if_tty);
RfLogTarget rf_log_target (void);

void rf_log_info (const char *format, ...) G_GNUC_PRINTF (1, 2);
void rf_log_notice (const char *format, ...) G_GNUC_PRINTF (1, 2);
void rf_log_warning (const char *format, ...) G_GNUC_PRINTF (1, 2);
void rf_log_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* The redaction point.  rf_redact_detail: what a free-text detail may say
 * in a log (the activity log's and syslog's): NULL for none, "[redacted]"
 * when it looks like it holds a password, token, cookie or a message body
 * (several lines), else the text cut at 200 characters.  rf_redact_line:
 * a whole log line, with each token-like word (20 or more characters of
 * base64 or hex that mix letters and digits, outside <...> message-ids)
 * and the value after "password", "token", "cookie", "secret" replaced,
 * control characters turned into '?', cut at 1000 bytes.
 * Returns: (transfer full). */
char *rf_redact_detail (const char *detail);
char *rf_redact_line (const char *line);

/* The Message-ID of a raw message (its header only is read), without the
 * angle brackets and made safe for one log line, or NULL.  For the log
 * lines of listdeliver, which does not parse mail itself.
 * Returns: (transfer full). */
char *rf_log_message_id (GBytes *raw);

G_END_DECLS
