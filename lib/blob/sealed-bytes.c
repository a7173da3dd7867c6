/* sealed-bytes.c - a whole blob in memory, sealed with the blob key of
 * its id: what the troubleshooting store keeps of each message.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blob/blob.h"

gboolean
rf_blob_put_sealed (RfBlobStore *blobs, const RfConfig *config, const char *id, GBytes *bytes,
                    GError **error)
{
  guint8 key[RF_KEY_BYTES];
  RfSealer *sealer;
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  if (!rf_site_blob_key (config, id, key, error))
    return FALSE;
  sealer = rf_sealer_begin (blobs, id, key, error);
  if (sealer == NULL)
    return FALSE;
  if (len > 0 && !rf_sealer_write (sealer, data, len, error))
    {
      rf_sealer_abort (sealer);
      return FALSE;
    }
  return rf_sealer_finish (sealer, error);
}

GBytes *
rf_blob_get_sealed (RfBlobStore *blobs, const RfConfig *config, const char *id, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (RfUnsealer) unsealer = NULL;
  g_autofree guint8 *buf = g_malloc (64 * 1024);
  guint8 key[RF_KEY_BYTES];
  RfBlobReader *reader;
  gssize n;

  if (!rf_site_blob_key (config, id, key, error))
    return NULL;
  reader = rf_blob_get (blobs, id, error);
  if (reader == NULL)
    {
      rf_wipe (key, sizeof key);
      return NULL;
    }
  unsealer = rf_unsealer_new (reader, key, error);
  rf_wipe (key, sizeof key);
  if (unsealer == NULL)
    return NULL;
  while ((n = rf_unsealer_read (unsealer, buf, 64 * 1024, error)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  if (n < 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
