/* mta.h - the module header of lib/mta/: the MTA routing map, one
 * empty file per list under STATE/mta.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* Create STATE_DIR/mta/<domain>/<local> for the normalised list address
 * (directories 0755, file 0644, so the MTA's user can search them).
 * RF_ERROR_INVALID for an address that would escape the directory,
 * RF_ERROR_TEMPORARY for I/O trouble. */
gboolean rf_mta_map_add (const char *state_dir, const char *list_address, GError **error);
/* Remove the file, and the domain's directory once empty.  A missing file
 * is fine. */
gboolean rf_mta_map_remove (const char *state_dir, const char *list_address,
                            GError **error);
