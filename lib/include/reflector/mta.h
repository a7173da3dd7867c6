/* mta.h - what the MTA sees of the lists: STATE/mta/<domain>/<local>, one
 * empty file per list, so that Exim routes with dsearch
 * (domains = dsearch;STATE/mta).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* Make STATE/mta hold exactly the lists of @store (adds the missing, removes
 * the stale), and rewrite STATE/mta/postfix-recipients: every address of
 * every list, "ADDRESS<TAB>OK" a line, Postfix's relay_recipient_maps. */
gboolean rf_mta_map_sync (RfStore *store, GError **error);

/* The Postfix recipient map's file name in STATE/mta. */
#define RF_MTA_POSTFIX_MAP "postfix-recipients"
/* Where Postfix keeps postmap on Debian. */
#define RF_MTA_POSTMAP "/usr/sbin/postmap"
/* Run [mta] postmap (unset: RF_MTA_POSTMAP when it is there; "none": no
 * postmap) on STATE/mta/postfix-recipients: the indexed map Postfix reads,
 * and re-reads when it changes.  RF_ERROR_TEMPORARY when postmap fails. */
gboolean rf_mta_postmap (const RfConfig *config, GError **error);

G_END_DECLS
