/* redelivery.h - the module header of Bounce Redelivery: the hooks that
 * the path of a post calls (lib/deliver/deliver.c) and the cleaners.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "blob/blob.h"
#include "bounce/bounce.h"
#include "store/store.h"

/* Before the fan-out (a bounce may come back before the last copy has
 * gone): with bounce_redelivery = on, keep the post as the members get it
 * (@out_path, the spool's rendered copy) for [retention] redelivery_days,
 * sealed in the blob store.  Idempotent by
 * @key: a retry keeps nothing twice.  Failure is RF_ERROR_TEMPORARY (the
 * MTA's retry keeps it; no copy goes out before it is kept). */
gboolean _rf_redelivery_keep (const RfConfig *config, RfStore *store, const RfList *list,
                              GHashTable *settings, const char *key, const char *out_path,
                              GError **error);

/* A bounce arrived for @member: @bounce_class and @action are what it says
 * of @member's copy.  When the copy is lost (any class but "not a bounce",
 * and no mere delay warning: a delayed copy is still on its way), link it
 * to the kept post it returns, and send the member at most one notice a
 * day with a link to their page.  Trouble with the notice is logged, never
 * an error: a bounce must not be bounced. */
gboolean _rf_redelivery_bounced (const RfConfig *config, const RfActor *actor, RfStore *store,
                                 const RfList *list, const char *member, GBytes *raw,
                                 RfBounceClass bounce_class, RfBounceAction action,
                                 GError **error);
