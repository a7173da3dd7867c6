/* keep.h - the module header of the troubleshooting store (issue 15): the
 * hooks of the path of a message (lib/deliver/deliver.c), its cleaner and
 * its part of one person's data.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"
#include "deliver/deliver.h"

/* Keep @raw, the message the MTA piped for @recipient of @list, before
 * anything is done with it: sealed in the blob store (the header alone
 * for a list with disappearing ink, rf_keep_headers_only), its row saying
 * "received".  Idempotent by @key (rf_spool_key): the MTA's retry keeps
 * nothing twice.  Failure is RF_ERROR_TEMPORARY (the MTA keeps the
 * message and retries): every message is kept, or none is handled. */
gboolean _rf_keep_received (const RfConfig *config, RfStore *store, const RfList *list,
                            const RfRecipient *recipient, const char *envelope_sender,
                            GBytes *raw, const char *key, GError **error);
/* What became of it: @ok and @report, or the error the MTA is told.
 * Never fails (a message handled is not deferred for its record). */
void _rf_keep_outcome (RfStore *store, const char *key, gboolean ok,
                       const RfDeliverReport *report, const GError *error);

/* The cleaner (lib/cleanup/cleanup.c's row): kept messages older than
 * [retention] message_days, blob and row. */
gboolean _rf_keep_clean (RfCleanupRun *run, GError **error);

/* One person's data: the kept messages they sent, and every kept message
 * whose bytes name @address (unsealed to look), each as a JSON object. */
JsonNode *_rf_keep_person_about (const RfConfig *config, RfStore *store, const char *address,
                                 GError **error);
/* Delete those, blob and row; *count_out: how many. */
gboolean _rf_keep_person_erase (const RfConfig *config, RfStore *store, const char *address,
                                guint64 *count_out, GError **error);
