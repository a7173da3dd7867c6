/* screen-private.h - the screen step of listdeliver (screen.c).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mime-private.h"

/* Screen one post to @list.  *loop_out is TRUE for our own copy coming
 * back (drop it, exit 0).  RF_ERROR_REJECTED with the reason for the
 * bounce when the size or the posting rule refuses it; RF_ERROR_TEMPORARY
 * when the store cannot answer.  @raw_size is the size as received. */
gboolean _rf_screen (RfStore *store, const RfList *list, GHashTable *settings,
                     GMimeMessage *message, gsize raw_size, const char *envelope_sender,
                     gboolean *loop_out, GError **error);
