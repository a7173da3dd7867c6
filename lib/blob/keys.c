/* keys.c - tokens of attachment links and the keys of sealed blobs.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An unguessable link carries a 256-bit token.  Three things come from it,
 * each through its own context, so that knowing one gives none of the
 * others: the row's lookup hash (what the database keeps), and the blob's
 * key (kept nowhere).  Whoever copies the database and the blob store has
 * hashes and ciphertext; only the link opens the file.
 *
 * A readable link (/a/<list>/<post>/<n>/<name>) is guessable by design, so
 * its blob is sealed with a key derived from the site key and the blob
 * id: a copied blob store alone reveals nothing, a copied site key file
 * does.
 */
#include "blob-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_BYTES 32

char *
rf_token_new (void)
{
  guint8 bytes[TOKEN_BYTES];
  char out[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (out, sizeof out, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (out);
}

static gboolean
token_bytes (const char *token, guint8 out[TOKEN_BYTES])
{
  size_t len = 0;

  if (token == NULL || strlen (token) != RF_TOKEN_CHARS)
    return FALSE;
  return sodium_base642bin (out, TOKEN_BYTES, token, RF_TOKEN_CHARS, NULL, &len, NULL,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
         len == TOKEN_BYTES;
}

char *
rf_token_hash (const char *token)
{
  static const guint8 context[] = "reflector token lookup v1";
  guint8 hash[32];
  char hex[65];

  /* the token is the key of a keyed hash over a fixed context: the same
   * token always finds its row, and the hash is not the blob key */
  crypto_generichash (hash, sizeof hash, context, sizeof context - 1,
                      (const guint8 *) token, strlen (token));
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  return g_strdup (hex);
}

gboolean
rf_token_blob_key (const char *token, guint8 key_out[RF_BLOB_KEY_BYTES])
{
  guint8 master[TOKEN_BYTES];
  gboolean ok;

  G_STATIC_ASSERT (TOKEN_BYTES == crypto_kdf_KEYBYTES);
  if (!token_bytes (token, master))
    return FALSE;
  ok = crypto_kdf_derive_from_key (key_out, RF_BLOB_KEY_BYTES, 1, "rfattach", master) == 0;
  sodium_memzero (master, sizeof master);
  return ok;
}

static gboolean
read_site_key (const char *path, guint8 key[RF_BLOB_KEY_BYTES], GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == RF_BLOB_KEY_BYTES &&
       read (fd, key, RF_BLOB_KEY_BYTES) == RF_BLOB_KEY_BYTES;
  close (fd);
  if (!ok)
    g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                 "%s: not a site key (%d bytes expected): restore it from a backup", path,
                 RF_BLOB_KEY_BYTES);
  else if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: the site key is readable by others: chmod 600 it", path);
      ok = FALSE;
    }
  return ok;
}

/* Created with O_EXCL, so that two first posts racing agree on one key:
 * the loser reads the winner's file. */
static gboolean
site_key (const RfConfig *config, guint8 key[RF_BLOB_KEY_BYTES], GError **error)
{
  g_autofree char *path = config->blob_key_file != NULL
                              ? g_strdup (config->blob_key_file)
                              : g_build_filename (config->state_dir, "blob.key", NULL);
  g_autofree char *tmp = NULL;
  g_autoptr (GError) local = NULL;
  guint8 fresh[RF_BLOB_KEY_BYTES];
  int fd;

  if (read_site_key (path, key, &local))
    return TRUE;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  /* write it whole under a temporary name, then link: never a short key */
  tmp = g_strdup_printf ("%s.%u.tmp", path, (unsigned) getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }
  randombytes_buf (fresh, sizeof fresh);
  if (!_rf_blob_write_all (fd, fresh, sizeof fresh) || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      unlink (tmp);
      sodium_memzero (fresh, sizeof fresh);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write %s: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  sodium_memzero (fresh, sizeof fresh);
  if (link (tmp, path) != 0 && errno != EEXIST)
    {
      int saved = errno;
      unlink (tmp);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  unlink (tmp);
  return read_site_key (path, key, error);
}

gboolean
rf_site_blob_key (const RfConfig *config, const char *blob_id,
                  guint8 key_out[RF_BLOB_KEY_BYTES], GError **error)
{
  guint8 key[RF_BLOB_KEY_BYTES];

  if (sodium_init () < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot initialise libsodium");
      return FALSE;
    }
  if (!site_key (config, key, error))
    return FALSE;
  crypto_generichash (key_out, RF_BLOB_KEY_BYTES, (const guint8 *) blob_id, strlen (blob_id),
                      key, sizeof key);
  sodium_memzero (key, sizeof key);
  return TRUE;
}
