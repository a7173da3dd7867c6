/* keep.h - the troubleshooting store (issue 15): every incoming message of
 * a list, kept sealed for [retention] message_days, for the site admin
 * (listctl message).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *list_address;
  char *role;            /* which address of the list it came to: "post",
                          * "bounces", "request", ... */
  gint64 received;
  char *sender;          /* the envelope sender, or NULL */
  char *from_addr;       /* the From address, or NULL */
  char *subject;         /* decoded, one line, or NULL */
  gint64 size;           /* bytes as received */
  gboolean headers_only; /* a list with disappearing ink: the header alone */
  char *outcome;         /* "received", "delivered: 3 copies", "rejected: ...",
                          * "deferred: ..." (the MTA retries), "loop dropped",
                          * "bounce" */
  char *blob_id;         /* sealed with rf_site_blob_key() */
} RfKeptMessage;
void rf_kept_message_free (RfKeptMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfKeptMessage, rf_kept_message_free)

/* Whether a list keeps the header of its messages only, not their text:
 * a list with disappearing ink (its setting disappearing_ink is there and
 * not "off"), whose posts must not stay on the server in clear or sealed.
 * @settings: the list's settings (rf_list_settings). */
gboolean rf_keep_headers_only (GHashTable *settings);

/* The kept messages of @list_address received from @since on, oldest
 * first (also of a deleted list).  Returns: (transfer full) (element-type
 * RfKeptMessage). */
GPtrArray *rf_kept_messages (RfStore *store, const char *list_address, gint64 since,
                             GError **error);
/* One kept message.  RF_ERROR_NOT_FOUND when there is none (expired).
 * Returns: (transfer full). */
RfKeptMessage *rf_kept_message_get (RfStore *store, gint64 id, GError **error);
/* Its bytes, unsealed: the message as received, or its header alone.
 * Returns: (transfer full). */
GBytes *rf_kept_message_read (const RfConfig *config, const RfKeptMessage *message,
                              GError **error);

G_END_DECLS
