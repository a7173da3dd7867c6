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

#include <json-glib/json-glib.h>

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

/* A held post's blob in the configured blob store, sealed with the site's
 * blob key of its id (rf_blob_put_sealed); read back; deleted, errors
 * ignored (cleanup deletes what is left).  _rf_held_unseal:
 * RF_ERROR_NOT_FOUND when it is gone.  Returns: (transfer full). */
gboolean _rf_held_seal (const RfConfig *config, const char *blob_id, GBytes *bytes,
                        GError **error);
GBytes *_rf_held_unseal (const RfConfig *config, const char *blob_id, GError **error);
void _rf_held_blob_delete (const RfConfig *config, const char *blob_id);

/* One person's held posts (person.c, for listctl person): those with
 * @address as envelope sender, or whose sealed bytes name it; "about" is
 * a JSON array of what the moderators see of each, "erase" deletes their
 * blobs, rows and tokens, adding their number to *count_out. */
JsonNode *_rf_held_person_about (const RfConfig *config, RfStore *store, const char *address,
                                 GError **error);
gboolean _rf_held_person_erase (const RfConfig *config, RfStore *store, const char *address,
                                guint64 *count_out, GError **error);
