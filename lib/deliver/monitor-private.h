/* monitor-private.h - inbox monitoring's hooks in the path of a post
 * (issue 15), shared by deliver.c and monitor.c.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bounce/bounce.h"
#include "deliver/deliver-private.h"
#include "policy/policy.h"

/* After the members' fan-out of a post: with monitor_inboxes on, send the
 * rendered copy (@out_path) to each seed of [monitor] addresses that did
 * not have it yet, with "X-Reflector-Monitor: <list>/<@post_id>" in front.
 * Best effort: trouble is recorded and logged, never an error, so that no
 * post waits in the MTA's queue for its monitoring. */
void _rf_monitor_send (const RfConfig *config, RfStore *store, const RfPolicyContext *ctx,
                       gint64 post_id, const char *key, const char *out_path);

/* A bounce to LIST-bounces+TAG: when TAG is a seed's VERP tag, record it
 * for the monitor's report and set *handled_out (it is no member's). */
gboolean _rf_monitor_bounced (const RfConfig *config, RfStore *store, const RfList *list,
                              const char *tag, const RfBounce *bounce, gboolean *handled_out,
                              GError **error);
