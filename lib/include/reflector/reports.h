/* reports.h - the reports a list's moderators and owners ask for: mailed to
 * their account's address through the transport, never shown on a page.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* The subscribers report: the member count, then every member, one a line.
 * Returns: (transfer full). */
char *rf_subscribers_report_text (RfStore *store, const RfList *list, GError **error);
/* The activity report: @list's activity log rows of the last @days days.
 * Returns: (transfer full). */
char *rf_activity_report_text (RfStore *store, const RfList *list, guint days, GError **error);
/* The account e-mail addresses of @list's moderators and owners, sorted,
 * without duplicates.  Returns: (transfer full) (element-type utf8). */
GPtrArray *rf_list_staff_addresses (RfStore *store, const RfList *list, GError **error);

/* Send one text/plain mail (UTF-8) with @subject and @body to each of
 * @recipients through the configured transport, each copy with its own
 * VERP sender of @list_address; From is LIST-owner.  *sent_out (may be
 * NULL): copies accepted.  A transport failure for every recipient is an
 * error (RF_ERROR_TEMPORARY). */
gboolean rf_mail_send_text (const RfConfig *config, const char *list_address,
                            GPtrArray *recipients, const char *subject, const char *body,
                            guint *sent_out, GError **error);

G_END_DECLS
