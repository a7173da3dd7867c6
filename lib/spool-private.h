/* spool-private.h - the durable copies of incoming messages (spool.c).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rf-private.h"

/* STATE/spool, created 0700 if missing.  Returns: (transfer full). */
char *_rf_spool_dir (const char *state_dir, GError **error);
/* SPOOL/<key>.<ext>.  Returns: (transfer full). */
char *_rf_spool_path (const char *spool_dir, const char *key, const char *ext);
/* Write @path atomically and durably (temporary file, fsync, rename,
 * fsync of the directory).  RF_ERROR_TEMPORARY on any trouble. */
gboolean _rf_spool_write_file (const char *path, const void *data, gsize len,
                               GError **error);
/* Take the exclusive lock of one message's delivery; the returned fd holds
 * it until closed (or the process dies).  -1 and RF_ERROR_TEMPORARY when
 * another run holds it. */
int _rf_spool_lock (const char *spool_dir, const char *key, GError **error);
/* Remove the .msg, .out and .lock of @key (a finished delivery). */
void _rf_spool_remove (const char *spool_dir, const char *key);
