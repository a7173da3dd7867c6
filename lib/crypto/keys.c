/* keys.c - the site's key files and the keys derived from them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three files of 256 random bits, each created on first use: STATE/site.key
 * (one-click unsubscribe links), [blobs] key_file, default
 * STATE/blob.key (readable attachments, kept posts), and backup.key beside
 * site.key (listctl backup: the snapshots' sealing and names).  Every key in use is
 * derived from one of them for one purpose, never the file's bytes
 * themselves.  Losing a file invalidates what was made with it: links
 * stop working, sealed blobs stay sealed.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read the key at @path; FALSE with errno ENOENT and no @error when there
 * is no file. */
static gboolean
read_key_file (const char *path, guint8 key[RF_KEY_BYTES], GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  gssize n;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      if (saved != ENOENT)
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read the key file %s: %s",
                     path, g_strerror (saved));
      errno = saved;
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size != RF_KEY_BYTES ||
      (n = read (fd, key, RF_KEY_BYTES)) != RF_KEY_BYTES)
    {
      close (fd);
      rf_wipe (key, RF_KEY_BYTES);
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: not a key file (%d bytes expected): restore it from a backup (a new "
                   "one breaks every link made with the old one)",
                   path, RF_KEY_BYTES);
      errno = EINVAL;
      return FALSE;
    }
  close (fd);
  if ((st.st_mode & 077) != 0)
    {
      rf_wipe (key, RF_KEY_BYTES);
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: the key file is readable by others: chmod 600 it", path);
      errno = EPERM;
      return FALSE;
    }
  return TRUE;
}

/* The key at @path, made when there is none: written whole under a
 * temporary name, then linked, so that no process ever reads a short key
 * and, when two create it at once, the first one's key wins. */
static gboolean
load_key (const char *path, guint8 key[RF_KEY_BYTES], GError **error)
{
  g_autofree char *tmp = NULL;
  g_autoptr (GError) local = NULL;
  guint8 fresh[RF_KEY_BYTES];
  gboolean ok;
  int fd, saved;

  if (!rf_crypto_init (error))
    return FALSE;
  if (read_key_file (path, key, &local))
    return TRUE;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }
  rf_random (fresh, sizeof fresh);
  ok = rf_write_all (fd, fresh, sizeof fresh) && fsync (fd) == 0;
  saved = errno;
  rf_wipe (fresh, sizeof fresh);
  close (fd);
  if (ok && link (tmp, path) != 0 && errno != EEXIST)
    {
      ok = FALSE;
      saved = errno;
    }
  unlink (tmp);
  if (!ok)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return read_key_file (path, key, error);
}

/* Where the key file @name of the site lives: beside site.key, so that
 * when the key files move (DESIGN.md: the configuration directory, never
 * the state directory) this is the one line to change for the backup key.
 * Returns: (transfer full). */
static char *
key_file_path (const RfConfig *config, const char *name)
{
  return g_build_filename (config->state_dir, name, NULL);
}

char *
rf_backup_key_path (const RfConfig *config)
{
  return key_file_path (config, "backup.key");
}

gboolean
rf_backup_key (const RfConfig *config, gboolean create, guint64 purpose,
               guint8 key_out[RF_KEY_BYTES], GError **error)
{
  g_autofree char *path = rf_backup_key_path (config);
  guint8 master[RF_KEY_BYTES];
  g_autoptr (GError) local = NULL;

  if (!rf_crypto_init (error))
    return FALSE;
  if (create)
    {
      if (!load_key (path, master, error))
        return FALSE;
    }
  else if (!read_key_file (path, master, &local))
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                     "no backup key %s: put back the copy of it you keep apart from the "
                     "backups (without it no backup opens)",
                     path);
      return FALSE;
    }
  rf_kdf (key_out, RF_KEY_BYTES, purpose, "rfbackup", master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

gboolean
rf_site_subkey (const char *state_dir, const char *context, guint64 id,
                guint8 out[RF_KEY_BYTES], GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "site.key", NULL);
  guint8 master[RF_KEY_BYTES];

  if (!load_key (path, master, error))
    return FALSE;
  rf_kdf (out, RF_KEY_BYTES, id, context, master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

gboolean
rf_site_blob_key (const RfConfig *config, const char *blob_id, guint8 key_out[RF_KEY_BYTES],
                  GError **error)
{
  g_autofree char *path = config->blob_key_file != NULL
                              ? g_strdup (config->blob_key_file)
                              : g_build_filename (config->state_dir, "blob.key", NULL);
  guint8 key[RF_KEY_BYTES];

  if (!load_key (path, key, error))
    return FALSE;
  /* a keyed hash of the blob id: one key per blob */
  rf_hash (key_out, RF_KEY_BYTES, blob_id, strlen (blob_id), key, sizeof key);
  rf_wipe (key, sizeof key);
  return TRUE;
}

gboolean
rf_token_blob_key (const char *token, guint8 key_out[RF_KEY_BYTES])
{
  guint8 master[RF_KEY_BYTES];

  if (!rf_base64url_decode (token, master, sizeof master))
    return FALSE;
  rf_kdf (key_out, RF_KEY_BYTES, 1, "rfattach", master);
  rf_wipe (master, sizeof master);
  return TRUE;
}
