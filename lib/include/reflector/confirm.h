/* confirm.h - confirmations: the tokens of LIST-confirm+<token>@domain and
 * of listweb's page /c/<token>, which a subscription, an unsubscription or
 * a moderator's decision waits for.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef enum {
  RF_CONFIRM_SUBSCRIBE,     /* the address concerned joins (and is welcomed) */
  RF_CONFIRM_UNSUBSCRIBE,   /* the address concerned leaves (and is told goodbye) */
  RF_CONFIRM_APPROVE,       /* a held post: rf_moderate's three actions */
  RF_CONFIRM_REJECT,
  RF_CONFIRM_DISCARD,
  RF_CONFIRM_REENABLE,      /* issue 17: a member disabled by bounces gets copies again */
} RfConfirmAction;

typedef struct {
  RfConfirmAction action;
  char *list_address;
  char *address;            /* subscribe, unsubscribe, reenable: the address concerned;
                             * else NULL */
  gint64 held_id;           /* approve, reject, discard: the held post; else 0 */
  gint64 created;
  gint64 expires;
} RfConfirmation;
void rf_confirmation_free (RfConfirmation *confirmation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfConfirmation, rf_confirmation_free)

/* "subscribe", "unsubscribe", "approve", "reject", "discard", "reenable". */
const char *rf_confirm_action_name (RfConfirmAction action);

/* What @token (rf_token_new_caseless, in any case) confirms.  An expired
 * confirmation is found all the same (compare its expires with rf_now());
 * RF_ERROR_NOT_FOUND, not repeating the token, when it is unknown: used
 * already, or expired and removed by cleanup.  *out: (transfer full). */
gboolean rf_confirmation_lookup (RfStore *store, const char *token, RfConfirmation **out,
                                 GError **error);

/* Do what @token confirms, once: subscribe or unsubscribe the address
 * concerned (and mail it the list's welcome or goodbye, whether or not it
 * was a member already: no answer tells), decide about a held post
 * (rf_moderate), or re-enable a member disabled by bounces (the actor is
 * then the member, from @actor's origin; a token of a member removed
 * since is unknown).  The token is spent.  RF_ERROR_NOT_FOUND for an unknown
 * token, and for an expired one (its message says so).  *done_out (may be
 * NULL): what was confirmed, (transfer full). */
gboolean rf_confirmation_act (const RfConfig *config, const RfActor *actor, RfStore *store,
                              const char *token, RfConfirmation **done_out, GError **error);

G_END_DECLS
