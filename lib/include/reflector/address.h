/* address.h - subscriber and list addresses (GMime's parser).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/error.h>

G_BEGIN_DECLS

/* Parse one bare or named address ("Ann <ann@Example.ORG>") and return its
 * normalised addr-spec: the domain lower-cased, the local part kept as
 * written (RFC 5321 says it may be case-sensitive).  RF_ERROR_INVALID for
 * anything that is not exactly one address with a local part and a dotted
 * domain.  Returns: (transfer full). */
char *rf_address_normalize (const char *input, GError **error);

G_END_DECLS
