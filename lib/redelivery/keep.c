/* keep.c - keep each delivered post for Bounce Redelivery.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The blob goes first, the row after (as attachments do): cleanup starts
 * from rows, so a run killed between the two leaves at worst a blob no
 * row names, never a row without its blob.  The blob is sealed with a key
 * derived from the site key and its id (rf_site_blob_key): a copy of the
 * bucket alone reads nothing.
 */
#include "redelivery/redelivery.h"
#include "archive/archive.h"



/* one line, no control characters: it goes into a notice's text */
static char *
one_line (const char *text)
{
  char *s = g_strdup (text != NULL ? text : "");

  for (char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return g_strstrip (s);
}

static gboolean
seal (const RfConfig *config, const char *blob_id, GBytes *bytes, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);
  guint8 key[RF_KEY_BYTES];
  RfSealer *sealer;
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  gboolean ok;

  if (blobs == NULL || !rf_site_blob_key (config, blob_id, FALSE, key, error))
    return FALSE;
  sealer = rf_sealer_begin (blobs, blob_id, key, error);
  if (sealer == NULL)
    return FALSE;
  ok = rf_sealer_write (sealer, data, len, error);
  if (!ok)
    {
      rf_sealer_abort (sealer);
      return FALSE;
    }
  return rf_sealer_finish (sealer, error);
}

static gboolean
keep (const RfConfig *config, RfStore *store, const RfList *list, const char *key,
      const char *out_path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (RfArchiveDoc) doc = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *subject = NULL;
  RfRedeliveryPost post = { 0 };
  gboolean exists = FALSE, added = FALSE;
  gsize len = 0;

  if (!rf_redelivery_post_exists (store, key, &exists, error))
    return FALSE;
  if (exists)
    return TRUE;
  if (!g_file_get_contents (out_path, &data, &len, error))
    return FALSE;
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  /* only the Message-ID (to find the post from a bounce) and the subject
   * (for the notice) are read; a post GMime cannot make sense of is kept
   * all the same, without them */
  doc = _rf_archive_extract (bytes, &local);
  subject = one_line (doc != NULL ? doc->subject : NULL);
  post.list_address = list->address;
  post.message_id = doc != NULL ? doc->message_id : NULL;
  post.subject = subject;
  post.blob_id = rf_blob_id_new ();
  post.stored = rf_now ();
  post.expires = post.stored + (gint64) config->redelivery_days * RF_DAY;
  if (!seal (config, post.blob_id, bytes, error) ||
      !rf_redelivery_post_add (store, &post, key, &added, error))
    {
      g_free (post.blob_id);
      return FALSE;
    }
  if (!added)
    {
      /* another run of this delivery kept it first */
      g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, NULL);

      if (blobs != NULL)
        rf_blob_delete (blobs, post.blob_id, NULL);
    }
  g_free (post.blob_id);
  return TRUE;
}

gboolean
_rf_redelivery_keep (const RfConfig *config, RfStore *store, const RfList *list,
                     GHashTable *settings, const char *key, const char *out_path,
                     GError **error)
{
  g_autoptr (GError) local = NULL;

  /* off means off: nothing is read, sealed or recorded */
  if (!rf_setting_value_bool (g_hash_table_lookup (settings, "bounce_redelivery")))
    return TRUE;
  if (config->redelivery_days <= 0)
    return TRUE;
  if (keep (config, store, list, key, out_path, &local))
    return TRUE;
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
               "cannot keep the redelivery copy of the post: %s",
               local->message);
  return FALSE;
}
