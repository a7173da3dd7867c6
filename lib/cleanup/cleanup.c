/* cleanup.c - the retention engine that 'listctl cleanup' (cron) runs: a
 * table of cleaners, one per kind of data that expires, each run in a
 * transaction of its own.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One idiom for every cleaner: it deletes rows through the store inside
 * the engine's transaction, and files only when the run is real; a dry run
 * rolls the transaction back, so it counts exactly what a real run would
 * remove, and leaves everything as it was.
 */
#include "backup/backup.h"
#include "blob/blob.h"
#include "keep/keep.h"
#include "deliver/deliver.h"
#include "ink/ink.h"
#include "store/store.h"

/* Rows handled per batch: a real run commits between batches, so that
 * deliveries never wait long for the database. */
#define BATCH 500

gboolean
rf_cleanup_checkpoint (RfCleanupRun *run, GError **error)
{
  if (run->dry_run)
    return TRUE;
  return rf_store_commit (run->store, error) && rf_store_begin (run->store, error);
}

gboolean
rf_cleanup_run (const RfCleaner *cleaner, RfCleanupRun *run, GError **error)
{
  run->removed = 0;
  if (!rf_store_begin (run->store, error))
    return FALSE;
  if (!cleaner->clean (run, error))
    {
      rf_store_rollback (run->store);
      g_prefix_error (error, "%s: ", cleaner->name);
      return FALSE;
    }
  if (run->dry_run)
    {
      rf_store_rollback (run->store);
      return TRUE;
    }
  return rf_store_commit (run->store, error);
}

/* Rows that each hold one blob: the expired ones, batch by batch, their
 * blob first (in a real run) and then the row. */
typedef struct {
  GPtrArray *(*expired) (RfStore *store, gint64 now, guint limit, GError **error);
  const char *(*blob_id) (gconstpointer row);
  gint64 (*row_id) (gconstpointer row);
  gboolean (*remove) (RfStore *store, gint64 id, GError **error);
} BlobRows;

static gboolean
clean_blob_rows (RfCleanupRun *run, const BlobRows *rows, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;

  for (;;)
    {
      g_autoptr (GPtrArray) expired = rows->expired (run->store, run->now, BATCH, error);

      if (expired == NULL)
        return FALSE;
      if (expired->len > 0 && !run->dry_run && blobs == NULL &&
          (blobs = rf_blob_store_open (run->config, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < expired->len; i++)
        {
          gconstpointer row = g_ptr_array_index (expired, i);

          if ((!run->dry_run && !rf_blob_delete (blobs, rows->blob_id (row), error)) ||
              !rows->remove (run->store, rows->row_id (row), error))
            return FALSE;
          run->removed++;
        }
      if (expired->len < BATCH)
        return TRUE;
      if (!rf_cleanup_checkpoint (run, error))
        return FALSE;
    }
}

static const char *
attachment_blob (gconstpointer row)
{
  return ((const RfAttachment *) row)->blob_id;
}

static gint64
attachment_id (gconstpointer row)
{
  return ((const RfAttachment *) row)->id;
}

static gboolean
clean_attachments (RfCleanupRun *run, GError **error)
{
  static const BlobRows rows = { rf_attachment_expired, attachment_blob, attachment_id,
                                 rf_attachment_remove };

  return clean_blob_rows (run, &rows, error);
}

static const char *
kept_post_blob (gconstpointer row)
{
  return ((const RfRedeliveryPost *) row)->blob_id;
}

static gint64
kept_post_id (gconstpointer row)
{
  return ((const RfRedeliveryPost *) row)->id;
}

static gboolean
clean_redelivery (RfCleanupRun *run, GError **error)
{
  static const BlobRows rows = { rf_redelivery_expired, kept_post_blob, kept_post_id,
                                 rf_redelivery_post_remove };

  return clean_blob_rows (run, &rows, error);
}

static gboolean
clean_redelivery_tokens (RfCleanupRun *run, GError **error)
{
  return rf_redelivery_tokens_expire (run->store, run->now, &run->removed, error);
}

/* The temporary files of blob puts killed half-way: a day is far longer
 * than any put takes. */
static gboolean
clean_blob_temp (RfCleanupRun *run, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (run->config, error);

  return blobs != NULL &&
         rf_blob_sweep (blobs, run->now - RF_DAY, run->dry_run, &run->removed, error);
}

static gboolean
clean_activity (RfCleanupRun *run, GError **error)
{
  if (run->config->activity_days == 0)
    return TRUE;
  return rf_activity_expire (run->store, run->now - run->config->activity_days * RF_DAY,
                             &run->removed, error);
}

static gboolean
clean_deliveries (RfCleanupRun *run, GError **error)
{
  g_autoptr (GPtrArray) keys = NULL;
  g_autofree char *spool_dir = NULL;

  if (run->config->message_days == 0)
    return TRUE;
  keys = rf_deliveries_expire (run->store, run->now - run->config->message_days * RF_DAY,
                               &run->removed, error);
  if (keys == NULL)
    return FALSE;
  if (run->dry_run || keys->len == 0)
    return TRUE;
  spool_dir = _rf_spool_dir (run->config->state_dir, error);
  if (spool_dir == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    _rf_spool_remove (spool_dir, g_ptr_array_index (keys, i));
  return TRUE;
}

static gboolean
clean_sessions (RfCleanupRun *run, GError **error)
{
  RfSecurityPolicy policy;
  guint64 removed = 0;

  rf_security_from_config (run->config, &policy);
  if (!rf_sessions_expire (run->store, &policy, &removed, error))
    return FALSE;
  run->removed += removed;
  return TRUE;
}

/* issue 15: the copies sent to inbox-monitoring seeds and their bounces */
static gboolean
clean_monitor (RfCleanupRun *run, GError **error)
{
  if (run->config->message_days == 0)
    return TRUE;
  return rf_monitor_expire (run->store, run->now - run->config->message_days * RF_DAY,
                            &run->removed, error);
}

/* ---- issue 10: held posts, confirmations, automatic answer counts ---- */

static const char *
held_blob (gconstpointer row)
{
  return ((const RfHeldPost *) row)->blob_id;
}

static gint64
held_id (gconstpointer row)
{
  return ((const RfHeldPost *) row)->id;
}

static gboolean
clean_held (RfCleanupRun *run, GError **error)
{
  static const BlobRows rows = { rf_held_expired, held_blob, held_id, rf_held_remove_id };

  return clean_blob_rows (run, &rows, error);
}

static gboolean
clean_confirmations (RfCleanupRun *run, GError **error)
{
  return rf_confirmations_expire (run->store, run->now, &run->removed, error);
}

static gboolean
clean_autoresponses (RfCleanupRun *run, GError **error)
{
  return rf_autoresponses_expire (run->store, run->now, &run->removed, error);
}

static const RfCleaner cleaners[] = {
  { "attachments", clean_attachments, "expired attachments (blob and row)" },
  { "blob-temp", clean_blob_temp, "unfinished blob files older than a day" },
  { "redelivery", clean_redelivery, "expired bounce-redelivery copies of posts (blob and row)" },
  { "redelivery-tokens", clean_redelivery_tokens, "expired bounce-redelivery page links" },
  /* issue 16 */
  { "ink", _rf_ink_clean, "expired disappearing-ink posts (every blob, then the rows)" },
  { "activity", clean_activity, "activity log entries older than [retention] activity_days" },
  { "deliveries", clean_deliveries,
    "delivery records (and abandoned spool files) older than [retention] message_days" },
  { "sessions", clean_sessions, "ended web sessions, spent login failures and blocks" },
  /* issue 15 */
  { "messages", _rf_keep_clean,
    "troubleshooting copies of messages older than [retention] message_days (blob and row)" },
  { "monitor", clean_monitor,
    "inbox-monitoring records older than [retention] message_days" },
  { "backups", _rf_backup_clean,
    "backups past their rotation ([backup] daily_days, weekly_weeks)" },
  /* issue 10 */
  { "held", clean_held, "held posts past the list's hold_days (blob, row and tokens)" },
  { "confirmations", clean_confirmations,
    "expired confirmations (of subscriptions, unsubscriptions and bounce notices)" },
  { "autoresponses", clean_autoresponses, "counts of automatic answers of past days" },
};

const RfCleaner *
rf_cleaners (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (cleaners);
  return cleaners;
}
