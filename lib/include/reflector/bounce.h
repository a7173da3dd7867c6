/* bounce.h - what listctl and the moderator panel see of bounces: each
 * member's score and state (Mailman 3's fair rules, settings bounce_*),
 * the periodic step, the policy refusals per domain, the bounce report.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

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
  guint notices;           /* notices counted since disabled */
  gint64 last_notice;      /* 0 if none */
} RfMemberBounceInfo;
void rf_member_bounce_info_free (RfMemberBounceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfMemberBounceInfo, rf_member_bounce_info_free)

/* The periodic step (listctl bounces --process, cron): for each member
 * disabled by bounces, count a notice every bounce_notice_interval_days
 * (sending the notice mail itself is not done yet), and after
 * bounce_notices notices and one more interval remove the member (journal
 * "unsubscribe", activity log, both naming @actor).  *noticed_out and
 * *removed_out may be NULL. */
gboolean rf_bounce_process (RfStore *store, const RfList *list, const RfActor *actor,
                            guint *noticed_out, guint *removed_out, GError **error);

/* Back to enabled with score 0 (journal "enable", activity log).
 * RF_ERROR_NOT_FOUND if not a member. */
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
