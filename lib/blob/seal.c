/* seal.c - blobs encrypted at rest: libsodium secretstream
 * (XChaCha20-Poly1305) over 64 KiB chunks.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: "RFB1" | secretstream header (24 bytes) | chunks.  Every chunk
 * but the last holds CHUNK plaintext bytes (so CHUNK + ABYTES sealed); the
 * last holds 0..CHUNK bytes and carries TAG_FINAL.  Memory is one chunk on
 * either side, whatever the size of the file; a blob cut short, reordered
 * or altered fails to open, and so does a blob opened with another key.
 */
#include "blob-private.h"

#include <string.h>

#define CHUNK (64 * 1024)
#define SEALED_CHUNK (CHUNK + RF_SEAL_OVERHEAD)
static const char magic[4] = { 'R', 'F', 'B', '1' };

struct _RfSealer {
  RfBlobWriter *writer;
  RfSealState *state;
  guint8 *plain;        /* CHUNK */
  gsize fill;
  guint8 *sealed;       /* SEALED_CHUNK */
};

struct _RfUnsealer {
  RfBlobReader *reader;
  RfSealState *state;
  guint8 *plain;        /* CHUNK: the chunk being handed out */
  gsize plain_len, plain_pos;
  guint8 *sealed;
  gboolean final_seen;
};

static void
sealer_free (RfSealer *sealer)
{
  rf_seal_state_free (sealer->state);
  rf_wipe (sealer->plain, CHUNK);
  g_free (sealer->plain);
  g_free (sealer->sealed);
  g_free (sealer);
}

RfSealer *
rf_sealer_new (RfBlobWriter *writer, const guint8 key[RF_KEY_BYTES], GError **error)
{
  RfSealer *sealer = g_new0 (RfSealer, 1);
  guint8 header[RF_SEAL_HEADER_BYTES];

  sealer->writer = writer;
  sealer->plain = g_malloc (CHUNK);
  sealer->sealed = g_malloc (SEALED_CHUNK);
  sealer->state = rf_seal_begin (key, header);
  if (!rf_blob_writer_write (writer, magic, sizeof magic, error) ||
      !rf_blob_writer_write (writer, header, sizeof header, error))
    {
      rf_blob_writer_abort (writer);
      sealer_free (sealer);
      return NULL;
    }
  return sealer;
}

static gboolean
push (RfSealer *sealer, gboolean final, GError **error)
{
  gsize out_len = sealer->fill + RF_SEAL_OVERHEAD;

  rf_seal_chunk (sealer->state, sealer->sealed, sealer->plain, sealer->fill, final);
  sealer->fill = 0;
  return rf_blob_writer_write (sealer->writer, sealer->sealed, out_len, error);
}

gboolean
rf_sealer_write (RfSealer *sealer, const void *data, gsize len, GError **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gsize take;

      /* a full chunk is sealed only when more data comes: the last chunk
       * must carry TAG_FINAL, and only finish knows which one that is */
      if (sealer->fill == CHUNK && !push (sealer, FALSE, error))
        return FALSE;
      take = MIN (len, CHUNK - sealer->fill);
      memcpy (sealer->plain + sealer->fill, p, take);
      sealer->fill += take;
      p += take;
      len -= take;
    }
  return TRUE;
}

gboolean
rf_sealer_finish (RfSealer *sealer, GError **error)
{
  gboolean ok = push (sealer, TRUE, error);

  if (ok)
    ok = rf_blob_writer_finish (sealer->writer, error);
  else
    rf_blob_writer_abort (sealer->writer);
  sealer_free (sealer);
  return ok;
}

void
rf_sealer_abort (RfSealer *sealer)
{
  if (sealer == NULL)
    return;
  rf_blob_writer_abort (sealer->writer);
  sealer_free (sealer);
}

/* Read up to @len bytes, fewer only at the end of the blob. */
static gssize
read_full (RfBlobReader *reader, guint8 *buf, gsize len, GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = rf_blob_reader_read (reader, buf + got, len - got, error);

      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += (gsize) n;
    }
  return (gssize) got;
}

static gboolean
damaged (GError **error)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
               "blob damaged: it fails authentication or is cut short");
  return FALSE;
}

/* Open the next chunk into sealer->plain. */
static gboolean
pull (RfUnsealer *u, gboolean first, GError **error)
{
  gssize n = read_full (u->reader, u->sealed, SEALED_CHUNK, error);
  gsize plain_len = 0;
  gboolean final = FALSE;

  if (n < 0)
    return FALSE;
  if (!rf_unseal_chunk (u->state, u->plain, &plain_len, u->sealed, (gsize) n, &final))
    {
      if (first)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                       "no such blob for this key");
          return FALSE;
        }
      return damaged (error);
    }
  if (final)
    {
      guint8 extra;

      /* nothing may follow the final chunk */
      n = read_full (u->reader, &extra, 1, error);
      if (n < 0)
        return FALSE;
      if (n > 0)
        return damaged (error);
      u->final_seen = TRUE;
    }
  else if (n < SEALED_CHUNK)
    return damaged (error);   /* cut short: a chunk that is neither full nor final */
  u->plain_len = plain_len;
  u->plain_pos = 0;
  return TRUE;
}

RfUnsealer *
rf_unsealer_new (RfBlobReader *reader, const guint8 key[RF_KEY_BYTES], GError **error)
{
  g_autoptr (RfUnsealer) u = g_new0 (RfUnsealer, 1);
  guint8 head[sizeof magic + RF_SEAL_HEADER_BYTES];
  gssize n;

  u->reader = reader;
  u->plain = g_malloc (CHUNK);
  u->sealed = g_malloc (SEALED_CHUNK);
  n = read_full (reader, head, sizeof head, error);
  if (n < 0)
    return NULL;
  if (n != sizeof head || memcmp (head, magic, sizeof magic) != 0)
    {
      damaged (error);
      return NULL;
    }
  u->state = rf_unseal_begin (key, head + sizeof magic);
  if (u->state == NULL)
    {
      damaged (error);
      return NULL;
    }
  /* open the first chunk now, so that a wrong key is an answer of open,
   * not a broken download half-way */
  if (!pull (u, TRUE, error))
    return NULL;
  return g_steal_pointer (&u);
}

RfUnsealer *
rf_unsealer_open_site (RfBlobStore *blobs, const RfConfig *config, const char *id,
                       GError **error)
{
  for (int previous = 0; previous <= 1; previous++)
    {
      g_autoptr (GError) local = NULL;
      guint8 key[RF_KEY_BYTES];
      RfBlobReader *reader;
      RfUnsealer *u;

      if (!rf_site_blob_key (config, id, previous, key, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          break;   /* no previous key */
        }
      reader = rf_blob_get (blobs, id, error);
      if (reader == NULL)
        {
          rf_wipe (key, sizeof key);
          return NULL;
        }
      u = rf_unsealer_new (reader, key, &local);
      rf_wipe (key, sizeof key);
      if (u != NULL)
        return u;
      if (!g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such blob for the site's blob key");
  return NULL;
}

gssize
rf_unsealer_read (RfUnsealer *u, void *buf, gsize len, GError **error)
{
  gsize take;

  while (u->plain_pos == u->plain_len)
    {
      if (u->final_seen)
        return 0;
      if (!pull (u, FALSE, error))
        return -1;
    }
  take = MIN (len, u->plain_len - u->plain_pos);
  memcpy (buf, u->plain + u->plain_pos, take);
  u->plain_pos += take;
  return (gssize) take;
}

void
rf_unsealer_free (RfUnsealer *u)
{
  if (u == NULL)
    return;
  rf_seal_state_free (u->state);
  if (u->plain != NULL)
    rf_wipe (u->plain, CHUNK);
  g_free (u->plain);
  g_free (u->sealed);
  rf_blob_reader_free (u->reader);
  g_free (u);
}

RfSealer *
rf_sealer_begin (RfBlobStore *blobs, const char *id, guint8 key[RF_KEY_BYTES], GError **error)
{
  RfBlobWriter *writer = rf_blob_put_begin (blobs, id, error);
  RfSealer *sealer = writer != NULL ? rf_sealer_new (writer, key, error) : NULL;

  rf_wipe (key, RF_KEY_BYTES);
  return sealer;
}
