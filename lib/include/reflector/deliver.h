/* deliver.h - listdeliver's library side: one message from the MTA.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef enum {
  RF_DELIVERED,          /* every member reached (or failed permanently) */
  RF_ALREADY_DELIVERED,  /* an earlier run of the same message finished */
  RF_LOOP_DROPPED,       /* carried our own List-Id or X-Loop */
  RF_BOUNCE_RECEIVED,    /* a VERP bounce, logged */
  /* issue 10 */
  RF_HELD,               /* kept for the moderators (reasons in the activity log) */
  RF_DROPPED,            /* logged and dropped: an automatic reply, the null
                          * sender, a discarded post, mail never to be answered */
  RF_ANSWERED,           /* a role address did its work (confirmation asked,
                          * confirmed, help sent, forwarded to the owners) */
} RfDeliverOutcome;

typedef struct {
  RfDeliverOutcome outcome;
  guint64 sent;          /* copies accepted by the transport, all runs */
  guint64 failed;        /* permanent transport failures, all runs */
  guint64 sent_now;      /* of them, in this run */
} RfDeliverReport;

/* Handle one message the MTA piped for @recipient (the full address, role
 * suffix included), from @envelope_sender (may be NULL or "").  @raw is
 * the message without any mbox "From " line.  The error's code says what
 * the MTA should do: RF_ERROR_TEMPORARY (75: retry; what was sent stays
 * sent), RF_ERROR_BAD_MESSAGE (65), RF_ERROR_NO_SUCH_LIST and
 * RF_ERROR_UNSUPPORTED (67), RF_ERROR_REJECTED (77), RF_ERROR_CONFIG (75).
 * The message is one sentence for the bounce: no body, no token.
 * What the store records of it (bounces, refusals) names @actor. */
gboolean rf_deliver (const RfConfig *config, const RfActor *actor, const char *recipient,
                     const char *envelope_sender, GBytes *raw,
                     RfDeliverReport *report, GError **error);

G_END_DECLS
