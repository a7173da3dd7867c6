/* attachment-reader.c - the bytes of one stripped attachment, unsealed as
 * its download link is served.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blob/blob.h"

#include <string.h>

struct _RfAttachmentReader {
  RfBlobStore *blobs;     /* outlives the unsealer's reader */
  RfUnsealer *unsealer;
  char *name;             /* the row's, or the blob's own (sealed) */
  char *type;
};

/* Exactly @len plaintext bytes, or FALSE. */
static gboolean
read_exact (RfUnsealer *u, void *buf, gsize len, GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = rf_unsealer_read (u, (guint8 *) buf + got, len - got, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob damaged: cut short");
          return FALSE;
        }
      got += (gsize) n;
    }
  return TRUE;
}

/* A string of the sealed head: two bytes of length (big-endian), then it. */
static char *
read_field (RfUnsealer *u, GError **error)
{
  guint8 len[2];
  g_autofree char *text = NULL;
  gsize n;

  if (!read_exact (u, len, sizeof len, error))
    return NULL;
  n = (gsize) len[0] << 8 | len[1];
  text = g_malloc (n + 1);
  if (!read_exact (u, text, n, error))
    return NULL;
  text[n] = '\0';
  if (!g_utf8_validate (text, (gssize) n, NULL) || strlen (text) != n)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob damaged: its head is not text");
      return NULL;
    }
  return g_steal_pointer (&text);
}

RfAttachmentReader *
rf_attachment_open (const RfConfig *config, const RfAttachment *attachment, const char *token,
                    GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  g_autoptr (RfBlobReader) reader = NULL;
  g_autoptr (RfAttachmentReader) out = NULL;
  RfUnsealer *unsealer = NULL;
  guint8 key[RF_KEY_BYTES];

  blobs = rf_blob_store_open (config, error);
  if (blobs == NULL)
    return NULL;
  if (token != NULL)
    {
      /* an unguessable attachment's key is derived from its link's token */
      if (!rf_token_blob_key (token, key))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such attachment");
          return NULL;
        }
      reader = rf_blob_get (blobs, attachment->blob_id, error);
      unsealer = reader != NULL ? rf_unsealer_new (g_steal_pointer (&reader), key, error) : NULL;
      rf_wipe (key, sizeof key);
    }
  else
    unsealer = rf_unsealer_open_site (blobs, config, attachment->blob_id, error);
  if (unsealer == NULL)
    return NULL;
  out = g_new0 (RfAttachmentReader, 1);
  out->unsealer = unsealer;
  /* issue 11: an unguessable attachment's name and type are sealed with
   * it (RF_ATTACHMENT_HEAD), and its row holds "" for both */
  if (*attachment->filename == '\0')
    {
      char magic[sizeof RF_ATTACHMENT_HEAD - 1];

      if (!read_exact (unsealer, magic, sizeof magic, error))
        return NULL;
      if (memcmp (magic, RF_ATTACHMENT_HEAD, sizeof magic) != 0)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob damaged: no head");
          return NULL;
        }
      if ((out->name = read_field (unsealer, error)) == NULL ||
          (out->type = read_field (unsealer, error)) == NULL)
        return NULL;
    }
  else
    {
      out->name = g_strdup (attachment->filename);
      out->type = g_strdup (attachment->content_type);
    }
  out->blobs = g_steal_pointer (&blobs);
  return g_steal_pointer (&out);
}

const char *
rf_attachment_reader_name (RfAttachmentReader *reader)
{
  return reader->name;
}

const char *
rf_attachment_reader_type (RfAttachmentReader *reader)
{
  return reader->type;
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
  g_free (reader->name);
  g_free (reader->type);
  g_free (reader);
}
