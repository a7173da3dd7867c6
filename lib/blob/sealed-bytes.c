/* sealed-bytes.c - a small blob sealed whole with the site's blob key:
 * what a held post is kept as (lib/moderation/).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blob/blob.h"

gboolean
rf_blob_seal_bytes (const RfConfig *config, const char *blob_id, GBytes *bytes, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);
  guint8 key[RF_KEY_BYTES];
  RfSealer *sealer;
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  if (blobs == NULL || !rf_site_blob_key (config, blob_id, key, error))
    return FALSE;
  sealer = rf_sealer_begin (blobs, blob_id, key, error);
  if (sealer == NULL)
    return FALSE;
  if (!rf_sealer_write (sealer, data != NULL ? data : "", len, error))
    {
      rf_sealer_abort (sealer);
      return FALSE;
    }
  return rf_sealer_finish (sealer, error);
}

GBytes *
rf_blob_unseal_bytes (const RfConfig *config, const char *blob_id, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (RfUnsealer) unsealer = NULL;
  guint8 key[RF_KEY_BYTES];
  guint8 buf[64 * 1024];
  RfBlobReader *reader;
  gssize n;

  if (blobs == NULL || !rf_site_blob_key (config, blob_id, key, error))
    return NULL;
  reader = rf_blob_get (blobs, blob_id, error);
  if (reader == NULL)
    {
      rf_wipe (key, sizeof key);
      return NULL;
    }
  unsealer = rf_unsealer_new (reader, key, error);
  rf_wipe (key, sizeof key);
  if (unsealer == NULL)
    return NULL;
  while ((n = rf_unsealer_read (unsealer, buf, sizeof buf, error)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  rf_wipe (buf, sizeof buf);
  if (n < 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
rf_blob_delete_quietly (const RfConfig *config, const char *blob_id)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, NULL);

  return blobs != NULL && rf_blob_delete (blobs, blob_id, NULL);
}
