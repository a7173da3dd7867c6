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
#include "spool-private.h"

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

#define DAY (24 * 3600)

/* [retention] activity_days; 0 keeps it for ever */
static gboolean
clean_activity (const RfConfig *config, RfStore *store, gint64 now, gboolean dry_run,
                guint64 *removed_out, GError **error)
{
  if (config->activity_days == 0)
    return TRUE;
  return rf_activity_expire (store, now - (gint64) config->activity_days * DAY, dry_run,
                             removed_out, error);
}

/* A delivery's row says "this message went out" to a retry of the MTA,
 * which gives up within days (Exim 4, Postfix 5 by default); after
 * [retention] message_days it goes, with the spool files of a delivery the
 * MTA abandoned (a message and the addresses it had not reached). */
static gboolean
clean_deliveries (const RfConfig *config, RfStore *store, gint64 now, gboolean dry_run,
                  guint64 *removed_out, GError **error)
{
  g_autoptr (GPtrArray) keys = NULL;
  g_autofree char *spool_dir = NULL;

  if (config->message_days == 0)
    return TRUE;
  keys = rf_deliveries_expire (store, now - (gint64) config->message_days * DAY, dry_run,
                               removed_out, error);
  if (keys == NULL)
    return FALSE;
  if (dry_run || keys->len == 0)
    return TRUE;
  spool_dir = _rf_spool_dir (config->state_dir, error);
  if (spool_dir == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    _rf_spool_remove (spool_dir, g_ptr_array_index (keys, i));
  return TRUE;
}

/* ended web sessions, spent login failures and blocks ([security]) */
static gboolean
clean_sessions (const RfConfig *config, RfStore *store, gint64 now, gboolean dry_run,
                guint64 *removed_out, GError **error)
{
  RfSecurityPolicy policy;

  rf_security_from_config (config, &policy);
  return rf_sessions_expire_counted (store, &policy, dry_run, removed_out, error);
}

static const RfCleaner cleaners[] = {
  { "attachments", clean_attachments, "expired attachments (blob and row)" },
  { "blob-temp", clean_blob_temp, "unfinished blob files older than a day" },
  /* issue 5, Bounce Redelivery */
  { "redelivery", _rf_redelivery_clean_posts,
    "expired bounce-redelivery copies of posts (blob and row)" },
  { "redelivery-tokens", _rf_redelivery_clean_tokens, "expired bounce-redelivery page links" },
  { "activity", clean_activity, "activity log entries older than [retention] activity_days" },
  { "deliveries", clean_deliveries,
    "delivery records (and abandoned spool files) older than [retention] message_days" },
  { "sessions", clean_sessions, "ended web sessions, spent login failures and blocks" },
};

const RfCleaner *
rf_cleaners (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (cleaners);
  return cleaners;
}
