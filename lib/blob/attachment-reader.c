/* attachment-reader.c - the bytes of one stripped attachment, unsealed as
 * its download link is served.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blob/blob.h"

struct _RfAttachmentReader {
  RfBlobStore *blobs;     /* outlives the unsealer's reader */
  RfUnsealer *unsealer;
};

RfAttachmentReader *
rf_attachment_open (const RfConfig *config, const RfAttachment *attachment, const char *token,
                    GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  g_autoptr (RfBlobReader) reader = NULL;
  RfAttachmentReader *out;
  RfUnsealer *unsealer;
  guint8 key[RF_KEY_BYTES];

  if (token != NULL)
    {
      /* an unguessable attachment's key is derived from its link's token */
      if (!rf_token_blob_key (token, key))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such attachment");
          return NULL;
        }
    }
  else if (!rf_site_blob_key (config, attachment->blob_id, key, error))
    return NULL;
  blobs = rf_blob_store_open (config, error);
  if (blobs != NULL)
    reader = rf_blob_get (blobs, attachment->blob_id, error);
  unsealer = reader != NULL ? rf_unsealer_new (g_steal_pointer (&reader), key, error) : NULL;
  rf_wipe (key, sizeof key);
  if (unsealer == NULL)
    return NULL;
  out = g_new0 (RfAttachmentReader, 1);
  out->blobs = g_steal_pointer (&blobs);
  out->unsealer = unsealer;
  return out;
}

gssize
rf_attachment_read (RfAttachmentReader *reader, void *buf, gsize len, GError **error)
{
  return rf_unsealer_read (reader->unsealer, buf, len, error);
}

void
rf_attachment_reader_free (RfAttachmentReader *reader)
{
  if (reader == NULL)
    return;
  rf_unsealer_free (reader->unsealer);
  rf_blob_store_free (reader->blobs);
  g_free (reader);
}
