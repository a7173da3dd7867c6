/* bounce.h - the module header of lib/bounce/: reading a returned
 * message (parse, classify), the scoring rules, which post a bounce returns.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"
#include "store/store.h"

/* What a returned message says about a member's address.  Only
 * RF_BOUNCE_PERMANENT ever counts against a member. */
typedef enum {
  RF_BOUNCE_UNKNOWN = 0,   /* a bounce, but nothing says why */
  RF_BOUNCE_PERMANENT,     /* the address is gone: 5.1.x user or domain unknown,
                            * mailbox disabled, moved */
  RF_BOUNCE_TEMPORARY,     /* may pass later: 4.x.x, "delivery delayed" warnings,
                            * mailbox full, too big, network trouble */
  RF_BOUNCE_POLICY,        /* the receiver refused the list's mail, not the
                            * address: 5.7.x, spam or content, DMARC/DKIM/SPF,
                            * blocklisted sending IP */
  RF_BOUNCE_NOT_BOUNCE,    /* auto-reply, out-of-office, ARF feedback report,
                            * "delivered" DSN */
} RfBounceClass;

/* What the reporting MTA did with one recipient (RFC 3464 Action, issue
 * 17): the notice code reads it, so that a delay warning never passes for
 * a failure. */
typedef enum {
  RF_BOUNCE_ACTION_UNKNOWN = 0,  /* no Action field, or an unknown value */
  RF_BOUNCE_ACTION_FAILED,       /* given up: the message was not delivered */
  RF_BOUNCE_ACTION_DELAYED,      /* still trying: a warning, not a failure */
  RF_BOUNCE_ACTION_DELIVERED,
  RF_BOUNCE_ACTION_RELAYED,      /* passed to a system that sends no DSN */
  RF_BOUNCE_ACTION_EXPANDED,     /* delivered to an alias or list */
} RfBounceAction;

typedef struct {
  char *address;           /* the failed recipient, domain lower-cased: the
                            * DSN's Original-Recipient (the address we sent
                            * to) when it has one, else Final-Recipient */
  RfBounceClass bounce_class;
  char *status;            /* enhanced status code "5.1.1", or NULL */
  char *diagnostic;        /* one line, at most 200 characters, or NULL: the
                            * remote server's answer, never body text */
  RfBounceAction action;   /* the DSN's Action; a free-text bounce says
                            * DELAYED when its words are a delay warning,
                            * FAILED otherwise */
} RfBounceRecipient;

/* "failed", "delayed", "delivered", "relayed", "expanded", "unknown". */
const char *rf_bounce_action_name (RfBounceAction action);

typedef struct {
  RfBounceClass bounce_class;  /* of the first recipient (of the message
                                * when no recipient was found) */
  GPtrArray *recipients;       /* (element-type RfBounceRecipient), may be empty */
  const char *mta;             /* guessed family: "exim", "postfix", "sendmail",
                                * "qmail", "exchange", "gmail", "yahoo",
                                * "amazonses", "rfc3464" (another DSN),
                                * "unknown"; static string */
} RfBounce;

void rf_bounce_free (RfBounce *bounce);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBounce, rf_bounce_free)
/* "permanent", "temporary", "policy", "not-bounce", "unknown". */
const char *rf_bounce_class_name (RfBounceClass bounce_class);

/* Read a returned message: RFC 3464 delivery-status reports first, then the
 * free-text bounces of the common MTAs and providers.  Never fails on odd
 * input: anything that is not a bounce comes back as RF_BOUNCE_UNKNOWN with
 * no recipient; only an empty message is RF_ERROR_BAD_MESSAGE.
 * Returns: (transfer full) free with rf_bounce_free(). */
RfBounce *rf_bounce_parse (GBytes *raw, GError **error);

/* What rf_bounce_record() did. */
typedef enum {
  RF_BOUNCE_IGNORED,       /* not a member, or a class that counts nothing */
  RF_BOUNCE_COUNTED,       /* recorded (policy counted, temporary noted, or a
                            * permanent bounce on a day already scored) */
  RF_BOUNCE_SCORED,        /* the score rose */
  RF_BOUNCE_DISABLED,      /* the score reached bounce_threshold: disabled */
} RfBounceOutcome;


/* Apply one parsed bounce of @member (normalised address) on @list, in one
 * transaction, with the list's bounce_* settings and rf_now():
 *   - a score whose last increase is older than bounce_stale_days restarts
 *     at 0;
 *   - permanent adds 1, at most once per 24 hours;
 *   - temporary, unknown and not-bounce add nothing;
 *   - policy never raises the score; it is counted per list and per
 *     receiving domain (rf_bounce_policy_counts);
 *   - at bounce_threshold the member is disabled (journal "disable-bounce",
 *     activity log).
 * The journal and the log name @actor.  @diagnostic may be NULL.  Not a
 * member: RF_BOUNCE_IGNORED, no error. */
gboolean rf_bounce_record (RfStore *store, const RfList *list, const char *member,
                           RfBounceClass bounce_class, const char *status,
                           const char *diagnostic, const RfActor *actor,
                           RfBounceOutcome *outcome_out, GError **error);

/* The Message-IDs (without <>) a returned message names for the message
 * it returns: the Message-ID lines after its own header (the original's
 * copy in a message/rfc822 or text/rfc822-headers part, or quoted in a
 * free-text bounce), then its own In-Reply-To and References.
 * Returns: (transfer full) (element-type utf8), maybe empty. */
GPtrArray *rf_bounce_original_ids (GBytes *raw);
