/* backup.h - the module header of lib/backup/: what the cleanup engine
 * and the person eraser ask of backups and restores (issue 15).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* The cleaner of backups (lib/cleanup/cleanup.c's row): a daily snapshot
 * older than [backup] daily_days, a weekly one older than weekly_weeks
 * (never, when 0): its file or S3 copy in a real run, then its row. */
gboolean _rf_backup_clean (RfCleanupRun *run, GError **error);
/* The UTC start of the ISO week (Monday 00:00) that @t falls in. */
gint64 _rf_backup_week_start (gint64 t);
