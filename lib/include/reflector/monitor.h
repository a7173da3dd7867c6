/* monitor.h - inbox monitoring (issue 15): each post of a list whose
 * monitor_inboxes is on also goes to the seed mailboxes of [monitor]
 * addresses, with an X-Reflector-Monitor header; what comes back from them
 * is summed up for 'listctl monitor --report'.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* What one seed address got and sent back since a moment. */
typedef struct {
  char *seed;
  guint64 sent;            /* copies the transport accepted */
  guint64 not_sent;        /* copies it refused or could not hand over */
  guint64 bounces;         /* bounces to the seed's VERP address, of every class */
  guint64 permanent, policy, temporary;   /* of them, by class */
  gint64 last_bounce;      /* 0: none */
  char *last_class;        /* or NULL */
  char *last_diagnostic;   /* or NULL */
} RfMonitorSeed;
void rf_monitor_seed_free (RfMonitorSeed *seed);

/* Every seed of [monitor] addresses (also those that got nothing yet), and
 * any other address the records name, from @since on.
 * Returns: (transfer full) (element-type RfMonitorSeed). */
GPtrArray *rf_monitor_report (const RfConfig *config, RfStore *store, gint64 since,
                              GError **error);
/* Whether @address (in any case) is one of [monitor] addresses. */
gboolean rf_monitor_is_seed (const RfConfig *config, const char *address);

G_END_DECLS
