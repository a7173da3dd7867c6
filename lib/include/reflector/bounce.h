/* bounce.h - what listctl and the moderator panel see of bounces: each
 * member's score and state (Mailman 3's fair rules, settings bounce_*),
 * the periodic step, the policy refusals per domain, the bounce report.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef enum {
  RF_MEMBER_ENABLED = 0,
  RF_MEMBER_DISABLED_BOUNCE = 1,   /* no copies until re-enabled */
} RfMemberState;

typedef struct {
  char *address;
  RfMemberState state;
  guint score;             /* permanent bounces counted, at most one a day */
  gint64 last_bounce;      /* rf_now() of the last bounce of any class, 0 if none */
  gint64 last_scored;      /* of the last one that raised the score, 0 if none */
  char *last_class;        /* rf_bounce_class_name() of the last bounce, or NULL */
  char *last_reason;       /* its status and diagnostic, or NULL */
  gint64 disabled_at;      /* 0 unless disabled */
  guint notices;           /* notices sent since disabled */
  gint64 last_notice;      /* 0 if none */
} RfMemberBounceInfo;
void rf_member_bounce_info_free (RfMemberBounceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfMemberBounceInfo, rf_member_bounce_info_free)

/* The periodic step (listctl sweep, listctl cleanup): for each member
 * disabled by bounces, mail a notice at once and then every
 * bounce_notice_interval_days, up to bounce_notices, through @config's
 * transport (issue 17): what happened, the removal date, and a reenable
 * confirmation (LIST-confirm+<token>, listweb's /c/<token>) good until
 * then; a notice counts once the transport took it, or refused the address
 * for good.  After bounce_notices notices and one more interval remove the
 * member (journal "unsubscribe", activity log, both naming @actor).  When
 * the transport cannot take a notice, that one and the list's later ones
 * are not counted (the next sweep sends them), everything else is done,
 * and it ends with RF_ERROR_TEMPORARY saying how many and why; no token is
 * ever logged.  *noticed_out and *removed_out (may be NULL) say what was
 * done, on failure too. */
gboolean rf_bounce_process (const RfConfig *config, RfStore *store, const RfList *list,
                            const RfActor *actor, guint *noticed_out, guint *removed_out,
                            GError **error);

/* Back to enabled with score 0 (journal "enable", activity log); the
 * member's reenable confirmations are dropped.  RF_ERROR_NOT_FOUND if not
 * a member. */
gboolean rf_member_reenable (RfStore *store, const RfList *list, const char *address,
                             const RfActor *actor, GError **error);

/* Every member of @list with bounce data, sorted by address.
 * Returns: (transfer full) (element-type RfMemberBounceInfo). */
GPtrArray *rf_bounce_members (RfStore *store, const RfList *list, GError **error);

/* Policy refusals of @list per receiving domain, most first: an array of
 * "domain" strings and a parallel array of counts.
 * Returns: (transfer full) (element-type utf8); *counts_out: (transfer full)
 * a GArray of guint64. */
GPtrArray *rf_bounce_policy_counts (RfStore *store, const RfList *list, GArray **counts_out,
                                    GError **error);


/* The bounce report of @list (members with scores and states, policy
 * refusals per domain) as text.  Returns: (transfer full). */
char *rf_bounce_report_text (RfStore *store, const RfList *list, GError **error);

G_END_DECLS
