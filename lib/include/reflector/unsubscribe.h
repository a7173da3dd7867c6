/* unsubscribe.h - one-click unsubscribe (RFC 8058): the per-member token of
 * each copy's List-Unsubscribe link.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/store.h>

G_BEGIN_DECLS

/* Whose token is it.  RF_ERROR_NOT_FOUND (with a message that does not
 * repeat the token) for an unknown or spent token. */
gboolean rf_unsubscribe_lookup (RfStore *store, const char *token, RfList **list_out,
                                char **address_out, GError **error);
/* Unsubscribe the token's member (journal and activity log name @actor),
 * without logging the token. */
gboolean rf_unsubscribe_by_token (RfStore *store, const char *token, const RfActor *actor,
                                  RfList **list_out, char **address_out, GError **error);

/* Make every member's unsubscribe hash anew with the site key in use,
 * after it was rotated (rf_keys_rotate): the links of the posts sent
 * before stop working, the next posts carry new ones. */
gboolean rf_store_rehash_unsubscribe (RfStore *store, GError **error);

G_END_DECLS
