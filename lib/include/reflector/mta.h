/* mta.h - what the MTA sees of the lists: STATE/mta/<domain>/<local>, one
 * empty file per list, so that Exim routes with dsearch
 * (domains = dsearch;STATE/mta).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/store.h>

G_BEGIN_DECLS

/* Make STATE/mta hold exactly the lists of @store (adds the missing, removes
 * the stale). */
gboolean rf_mta_map_sync (RfStore *store, GError **error);

G_END_DECLS
