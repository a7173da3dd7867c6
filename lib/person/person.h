/* person.h - the module header of one person's data (issue 15): the keyed
 * hash that stands for an erased address, and whether an address was
 * erased (what a restore asks).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* What the journal and the activity log hold where an erased address was:
 * this prefix and 32 hex characters. */
#define RF_PERSON_ERASED_PREFIX "erased:"

/* The keyed hash of @address (in any ASCII case): BLAKE2b with a key
 * derived from the site key, so that nobody without the key can tell
 * whose it was by hashing guesses, and the same address always gives the
 * same hash.  Returns: (transfer full). */
char *_rf_person_hash (RfStore *store, const char *address, GError **error);
/* Whether @address was erased (its hash is in the erasures). */
gboolean _rf_person_is_erased (RfStore *store, const char *address, gboolean *erased_out,
                               GError **error);
