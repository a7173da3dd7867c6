/* seal-file.c - a whole file sealed with libsodium's secretstream
 * (XChaCha20-Poly1305): the backups of listctl backup.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: "RFSEAL1\n" | stream header (24 bytes) | chunks.  Every chunk
 * but the last holds CHUNK plaintext bytes; the last holds 0..CHUNK and
 * carries TAG_FINAL, so a file cut at a chunk boundary fails to open too.
 * The reader keeps one chunk ahead of the writer, so that it knows which
 * chunk is the last without knowing the size.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SEALED_CHUNK (CHUNK + RF_SEAL_OVERHEAD)
static const char magic[8] = { 'R', 'F', 'S', 'E', 'A', 'L', '1', '\n' };

/* Read up to @len bytes, fewer only at the end of the file: the count, or
 * -1 with @error set. */
static gssize
read_full (int fd, guint8 *buf, gsize len, GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, buf + got, len - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read: %s",
                       g_strerror (saved));
          return -1;
        }
      if (n == 0)
        break;
      got += (gsize) n;
    }
  return (gssize) got;
}

static gboolean
write_out (int fd, const void *data, gsize len, GError **error)
{
  if (rf_write_all (fd, data, len))
    return TRUE;
  {
    int saved = errno;

    g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write: %s",
                 g_strerror (saved != 0 ? saved : EIO));
  }
  return FALSE;
}

gboolean
rf_seal_file (const guint8 key[RF_KEY_BYTES], int in_fd, int out_fd, GError **error)
{
  g_autofree guint8 *cur = g_malloc (CHUNK);
  g_autofree guint8 *next = g_malloc (CHUNK);
  g_autofree guint8 *sealed = g_malloc (SEALED_CHUNK);
  guint8 header[RF_SEAL_HEADER_BYTES];
  RfSealState *state = rf_seal_begin (key, header);
  gssize cur_len, next_len;
  gboolean ok = FALSE;

  if (!write_out (out_fd, magic, sizeof magic, error) ||
      !write_out (out_fd, header, sizeof header, error))
    goto out;
  if ((cur_len = read_full (in_fd, cur, CHUNK, error)) < 0)
    goto out;
  for (;;)
    {
      gboolean final;

      /* a full chunk may be the last: look one ahead */
      next_len = cur_len == CHUNK ? read_full (in_fd, next, CHUNK, error) : 0;
      if (next_len < 0)
        goto out;
      final = next_len == 0;
      rf_seal_chunk (state, sealed, cur, (gsize) cur_len, final);
      if (!write_out (out_fd, sealed, (gsize) cur_len + RF_SEAL_OVERHEAD, error))
        goto out;
      if (final)
        break;
      {
        guint8 *t = cur;

        cur = next;
        next = t;
        cur_len = next_len;
      }
    }
  ok = TRUE;

out:
  rf_wipe (cur, CHUNK);
  rf_wipe (next, CHUNK);
  rf_seal_state_free (state);
  return ok;
}

gboolean
rf_unseal_file (const guint8 key[RF_KEY_BYTES], int in_fd, int out_fd, GError **error)
{
  g_autofree guint8 *plain = g_malloc (CHUNK);
  g_autofree guint8 *sealed = g_malloc (SEALED_CHUNK);
  guint8 head[sizeof magic + RF_SEAL_HEADER_BYTES];
  RfSealState *state = NULL;
  gboolean ok = FALSE, first = TRUE, final = FALSE;
  gssize n;

  if ((n = read_full (in_fd, head, sizeof head, error)) < 0)
    return FALSE;
  if (n != sizeof head || memcmp (head, magic, sizeof magic) != 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "not a sealed file of reflector");
      return FALSE;
    }
  state = rf_unseal_begin (key, head + sizeof magic);
  if (state == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "does not open with this key");
      return FALSE;
    }
  while (!final)
    {
      gsize plain_len = 0;

      if ((n = read_full (in_fd, sealed, SEALED_CHUNK, error)) < 0)
        goto out;
      if (!rf_unseal_chunk (state, plain, &plain_len, sealed, (gsize) n, &final))
        {
          if (first)
            g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                         "does not open with this key (another key, or not a backup)");
          else
            g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                         "damaged: a part fails authentication or the file is cut short");
          goto out;
        }
      first = FALSE;
      if (!final && n < SEALED_CHUNK)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "damaged: the file is cut short");
          goto out;
        }
      if (!write_out (out_fd, plain, plain_len, error))
        goto out;
    }
  /* nothing may follow the final chunk */
  if ((n = read_full (in_fd, sealed, 1, error)) < 0)
    goto out;
  if (n > 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "damaged: bytes after the end of the sealed stream");
      goto out;
    }
  ok = TRUE;

out:
  rf_wipe (plain, CHUNK);
  rf_seal_state_free (state);
  return ok;
}
