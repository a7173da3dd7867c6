/* token.h - the random tokens of links and forms.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/error.h>

G_BEGIN_DECLS

/* Tokens: 256 bits from libsodium's randombytes_buf, base64url without
 * padding (43 characters).  The store keeps only a hash of each.
 * Returns: (transfer full). */
#define RF_TOKEN_CHARS 43
char *rf_token_new (void);

/* Whether @text is @n_chars URL-safe base64 characters and nothing else:
 * what a route checks before it looks a token up (a token of
 * rf_token_new has RF_TOKEN_CHARS of them). */
gboolean rf_token_shaped (const char *text, gsize n_chars);

/* Tokens that survive an MTA lower-casing the local part of an address
 * (LIST-confirm+<token>@domain: Exim lower-cases local parts): 256 bits
 * from libsodium, base32 in lower case without padding (52 characters).
 * Compare them lower-cased.  Returns: (transfer full). */
#define RF_TOKEN_CASELESS_CHARS 52
char *rf_token_new_caseless (void);
/* Whether @text is RF_TOKEN_CASELESS_CHARS base32 characters (in any case)
 * and nothing else. */
gboolean rf_token_caseless_shaped (const char *text);

G_END_DECLS
