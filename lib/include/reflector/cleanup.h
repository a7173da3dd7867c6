/* cleanup.h - what 'listctl cleanup' (cron) runs: a table of cleaners, one
 * per kind of data that expires.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* One run of one cleaner.  The engine (rf_cleanup_run) holds a
 * transaction around each cleaner and rolls it back for a dry run, so a
 * cleaner deletes rows the same way in both; it deletes files only when
 * @dry_run is FALSE, and calls rf_cleanup_checkpoint between batches. */
typedef struct {
  const RfConfig *config;
  RfStore *store;
  gint64 now;            /* what "expired" is measured against */
  gboolean dry_run;      /* count only: no file is touched, every row comes back */
  guint64 removed;       /* what the cleaner removed (or would remove) */
} RfCleanupRun;

typedef gboolean (*RfCleanerFunc) (RfCleanupRun *run, GError **error);
typedef struct {
  const char *name;       /* "attachments" */
  RfCleanerFunc clean;
  const char *what;       /* one line for the output: "expired attachments" */
} RfCleaner;
const RfCleaner *rf_cleaners (gsize *n_out);

/* Run @cleaner over @run (its removed count starts at 0): in a transaction
 * of its own, committed, or rolled back for a dry run or on error. */
gboolean rf_cleanup_run (const RfCleaner *cleaner, RfCleanupRun *run, GError **error);
/* Between two batches of a cleaner: commit what was done (so that
 * deliveries are not kept waiting) and go on in a new transaction; nothing
 * for a dry run, whose rows must all come back. */
gboolean rf_cleanup_checkpoint (RfCleanupRun *run, GError **error);

G_END_DECLS
