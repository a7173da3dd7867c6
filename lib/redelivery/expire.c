/* expire.c - cleanup of Bounce Redelivery: kept posts and page tokens past
 * [retention] redelivery_days.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blob first, row second (as for attachments): a run killed between the
 * two leaves a row whose post the page no longer shows (it has expired)
 * and whose blob is gone; the next run deletes the missing blob (a no-op)
 * and the row.
 */
#include "redelivery-private.h"

#define BATCH 500

gboolean
_rf_redelivery_clean_posts (const RfConfig *config, RfStore *store, gint64 now,
                            gboolean dry_run, guint64 *removed_out, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;

  for (;;)
    {
      g_autoptr (GPtrArray) expired =
          rf_redelivery_expired (store, now, dry_run ? G_MAXINT : BATCH, error);

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
          const RfRedeliveryPost *p = g_ptr_array_index (expired, i);

          if (!rf_blob_delete (blobs, p->blob_id, error) ||
              !rf_redelivery_post_remove (store, p->id, error))
            return FALSE;
          (*removed_out)++;
        }
      if (expired->len < BATCH)
        return TRUE;
    }
}

gboolean
_rf_redelivery_clean_tokens (const RfConfig *config, RfStore *store, gint64 now,
                             gboolean dry_run, guint64 *removed_out, GError **error)
{
  return rf_redelivery_tokens_expire (store, now, dry_run, removed_out, error);
}
