/* cleanup.c - the table of cleaners that 'listctl cleanup' (cron) runs.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * To let another kind of data expire: write its cleaner (delete what
 * expired at @now, count it in *removed_out, do nothing but count when
 * @dry_run) and add its row below.
 *
 * Safe while deliveries run: a delivery stores a blob first and inserts
 * its row after, with an expiry in the future; a cleaner starts from rows
 * whose expiry has passed, so it never sees a blob being written.  Each
 * expired attachment goes blob first, row second: a run killed between the
 * two leaves a row whose link already answers 410 and whose blob is gone,
 * and the next run deletes the missing blob (a no-op) and the row.
 */
#include "rf-private.h"
#include "redelivery/redelivery-private.h"

#define BATCH 500

static gboolean
clean_attachments (const RfConfig *config, RfStore *store, gint64 now, gboolean dry_run,
                   guint64 *removed_out, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;

  for (;;)
    {
      g_autoptr (GPtrArray) expired =
          rf_attachment_expired (store, now, dry_run ? G_MAXINT : BATCH, error);

      if (expired == NULL)
        return FALSE;
      if (dry_run)
        {
          *removed_out += expired->len;
          return TRUE;
        }
      if (expired->len > 0 && blobs == NULL &&
          (blobs = rf_blob_store_open (config, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < expired->len; i++)
        {
          const RfAttachment *a = g_ptr_array_index (expired, i);

          if (!rf_blob_delete (blobs, a->blob_id, error) ||
              !rf_attachment_remove (store, a->id, error))
            return FALSE;
          (*removed_out)++;
        }
      if (expired->len < BATCH)
        return TRUE;
    }
}

/* A day: far longer than any delivery writes one file. */
#define TEMP_AGE (24 * 3600)

static gboolean
clean_blob_temp (const RfConfig *config, RfStore *store, gint64 now, gboolean dry_run,
                 guint64 *removed_out, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);

  return blobs != NULL && rf_blob_sweep (blobs, now - TEMP_AGE, dry_run, removed_out, error);
}

static const RfCleaner cleaners[] = {
  { "attachments", clean_attachments, "expired attachments (blob and row)" },
  { "blob-temp", clean_blob_temp, "unfinished blob files older than a day" },
  /* issue 5, Bounce Redelivery */
  { "redelivery", _rf_redelivery_clean_posts,
    "expired bounce-redelivery copies of posts (blob and row)" },
  { "redelivery-tokens", _rf_redelivery_clean_tokens, "expired bounce-redelivery page links" },
};

const RfCleaner *
rf_cleaners (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (cleaners);
  return cleaners;
}
