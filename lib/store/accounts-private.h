/* accounts-private.h - what accounts.c and sessions.c share.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store-private.h"

/* Drop the sessions of an account (@user_id > 0) or of a list's web user
 * (@list_id > 0), inside the caller's transaction if any. */
gboolean _rf_sessions_drop_for (RfStore *store, gint64 user_id, gint64 list_id,
                                GError **error);
/* The account's id and password hash (0 and NULL when unknown).
 * *hash_out: (transfer full). */
gboolean _rf_user_credentials (RfStore *store, const char *name, gint64 *id_out,
                               char **hash_out, GError **error);
/* The web user's name and hash of a list; both NULL when there is none. */
gboolean _rf_list_web_access_read (RfStore *store, gint64 list_id, char **name_out,
                                   char **hash_out, GError **error);
