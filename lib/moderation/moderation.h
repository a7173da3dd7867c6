/* moderation.h - the module header of lib/moderation/: posts held for the
 * moderators (issue 10).  The screen (lib/deliver/screen.c) decides that a
 * post is held and why; hold.c keeps it sealed and tells the moderators;
 * decide.c does what a moderator decides (rf_moderate, public).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "blob/blob.h"
#include "deliver/deliver.h"
#include "store/store.h"

/* Hold the post @raw (the incoming message whose spool key is @key) for the
 * moderators of @list with @reasons (element-type utf8, one sentence
 * each): sealed in the blob store for hold_days, a row, and a notice to
 * each moderator and owner with its header fields (and, with
 * moderation_excerpt on, its first lines) and the addresses that approve,
 * reject or discard it.  Idempotent by @key: the MTA's retry holds nothing
 * twice, and sends the notices only if they did not go out.  Trouble with
 * the blob store or the transport is RF_ERROR_TEMPORARY. */
gboolean _rf_moderation_hold (const RfConfig *config, const RfActor *actor, RfStore *store,
                              const RfList *list, GHashTable *settings, GBytes *raw,
                              const char *envelope_sender, const char *key, GPtrArray *reasons,
                              GError **error);
