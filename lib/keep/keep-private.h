/* keep-private.h - what the files of lib/keep/ share.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "keep/keep.h"
#include "blob/blob.h"

/* The troubleshooting store's own blob store, STATE/messages (whatever
 * [blobs] says).  Returns: (transfer full), or NULL with @error set. */
RfBlobStore *_rf_keep_messages_open (const RfConfig *config, GError **error);
