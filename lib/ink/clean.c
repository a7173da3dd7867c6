/* clean.c - the cleaner of expired ink posts (the row "ink" of
 * lib/cleanup/cleanup.c's table).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's idiom: rows are deleted inside its transaction, blobs only
 * in a real run; a dry run's rows come back with the rollback.  The blobs
 * go before the rows, so that a run cut short leaves rows to find them
 * again by, never ciphertext that no row names.
 */
#include "ink/ink.h"

/* posts per batch: a real run commits between batches */
#define BATCH 200

static gboolean
delete_blobs (RfBlobStore *blobs, const RfInk *ink, GError **error)
{
  for (guint i = 0; ink->file_blobs[i] != NULL; i++)
    if (!rf_blob_delete (blobs, ink->file_blobs[i], error))
      return FALSE;
  return rf_blob_delete (blobs, ink->blob_id, error);
}

gboolean
_rf_ink_clean (RfCleanupRun *run, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;

  for (;;)
    {
      g_autoptr (GPtrArray) expired = rf_ink_expired (run->store, run->now, BATCH, error);

      if (expired == NULL)
        return FALSE;
      if (expired->len > 0 && !run->dry_run && blobs == NULL &&
          (blobs = rf_blob_store_open (run->config, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < expired->len; i++)
        {
          const RfInk *ink = g_ptr_array_index (expired, i);

          if ((!run->dry_run && !delete_blobs (blobs, ink, error)) ||
              !rf_ink_remove (run->store, ink->id, error))
            return FALSE;
          run->removed++;
        }
      if (expired->len < BATCH)
        return TRUE;
      if (!rf_cleanup_checkpoint (run, error))
        return FALSE;
    }
}
