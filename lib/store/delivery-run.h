/* delivery-run.h - issue 14: one run of a fan-out, its progress written in
 * group commits (store/delivery.c).  Private to lib/.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run reads the pending members of a delivery in batches of @every,
 * never all at once.  Before a batch is handed out, one transaction
 * commits the outcomes reported so far and marks the whole batch "in
 * flight" (state 3): a copy never leaves before its row says it may have.
 * Outcomes are committed with the @every-th one not yet committed, or
 * with the first one reported @interval_ms or more after the oldest of
 * them, and with every batch.
 *
 * After a crash, the rows still in flight are sent again by the next run,
 * which first turns them back into pending in a transaction of its own:
 * while that write fails (a full disk) nothing at all is sent.  The copies
 * that can go out twice are those whose outcome was not committed: at most
 * @every reported since the last commit, and those the transport had in
 * hand (at most `parallel`).
 */
#pragma once

#include "../rf-private.h"

typedef struct _RfDeliveryRun RfDeliveryRun;

/* A run of @delivery_id.  The rows in flight from a run that died become
 * pending again in the transaction of the first batch, before anything is
 * handed out.  @with_tokens: compute each member's one-click unsubscribe
 * token along.
 * Returns: (transfer full) free with _rf_delivery_run_free(). */
RfDeliveryRun *_rf_delivery_run_start (RfStore *store, const RfList *list, gint64 delivery_id,
                                      gboolean with_tokens, guint every, guint interval_ms,
                                      GError **error);

/* The next member to send to, marked in flight, and its token in
 * *@token_out (NULL when the member has none or tokens were not asked
 * for).  NULL at the end, or with @error set when the progress could not
 * be written (nothing more may be sent).  Both strings are the run's,
 * valid until the next call. */
const char *_rf_delivery_run_next (RfDeliveryRun *run, const char **token_out, GError **error);

/* One member's outcome, committed with the next group.  FALSE (with
 * @error) when a group commit failed: stop sending. */
gboolean _rf_delivery_run_record (RfDeliveryRun *run, const char *address,
                                 RfRecipientState state, const char *detail, GError **error);

/* Commit what is left; the members marked in flight but never handed to
 * the transport become pending again. */
gboolean _rf_delivery_run_end (RfDeliveryRun *run, GError **error);

void _rf_delivery_run_free (RfDeliveryRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfDeliveryRun, _rf_delivery_run_free)
