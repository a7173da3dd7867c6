/* spool.c - the incoming message on disk before anything else happens.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * STATE/spool/<key>.out is the rendered copy that every member receives
 * (and <key>.kept, for an ink post, the copy the archive keeps), made once
 * and reused by a retry; <key>.lock the lock that keeps two runs of the
 * same message (the MTA's retry racing a slow first run) from fanning out
 * side by side.  The message itself is not spooled: the MTA holds it
 * until listdeliver answers.  (<key>.msg, the raw message, is only
 * removed: versions before issue 14 wrote it.)
 *
 * Files are written to a temporary name, fsync'ed and renamed, so a crash
 * leaves either nothing or the whole file, never a short one.  The
 * directory is not synced: a rename lost with the power makes the retry
 * render the copy again, which is all the file saves.
 */
#include "deliver/deliver-private.h"
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *
rf_spool_key (const char *recipient, GBytes *message)
{
  RfHasher *hasher = rf_hasher_new (16, NULL, 0);
  guint8 hash[16];
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  /* the address with its terminating NUL: no recipient/body boundary games */
  rf_hasher_update (hasher, recipient, strlen (recipient) + 1);
  rf_hasher_update (hasher, data, len);
  rf_hasher_finish (hasher, hash);
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x",
                          GUINT64_FROM_BE (*(guint64 *) (void *) hash),
                          GUINT64_FROM_BE (*(guint64 *) (void *) (hash + 8)));
}

static gboolean
temporary (GError **error, const char *what, const char *path, int errsv)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

char *
_rf_spool_dir (const char *state_dir, GError **error)
{
  g_autofree char *dir = g_build_filename (state_dir, "spool", NULL);

  if (g_mkdir (dir, 0700) != 0 && errno != EEXIST)
    {
      temporary (error, "cannot create the spool directory", dir, errno);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

char *
_rf_spool_path (const char *spool_dir, const char *key, const char *ext)
{
  g_autofree char *name = g_strconcat (key, ".", ext, NULL);

  return g_build_filename (spool_dir, name, NULL);
}

gboolean
_rf_spool_write_file (const char *path, const void *data, gsize len, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  int fd;

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return temporary (error, "cannot write", tmp, errno);
  if (!rf_write_all (fd, data, len) || fsync (fd) != 0)
    {
      int errsv = errno != 0 ? errno : EIO;

      close (fd);
      unlink (tmp);
      return temporary (error, "cannot write", tmp, errsv);
    }
  if (close (fd) != 0)
    {
      int errsv = errno;

      unlink (tmp);
      return temporary (error, "cannot write", tmp, errsv);
    }
  if (rename (tmp, path) != 0)
    {
      int errsv = errno;

      unlink (tmp);
      return temporary (error, "cannot rename", tmp, errsv);
    }
  return TRUE;
}

int
_rf_spool_lock (const char *spool_dir, const char *key, GError **error)
{
  g_autofree char *path = _rf_spool_path (spool_dir, key, "lock");
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      temporary (error, "cannot open the lock", path, errno);
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;

      close (fd);
      if (errsv == EWOULDBLOCK)
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                     "delivery of this message is already in progress in another "
                     "listdeliver; the MTA will retry");
      else
        temporary (error, "cannot lock", path, errsv);
      return -1;
    }
  return fd;
}

void
_rf_spool_remove (const char *spool_dir, const char *key)
{
  static const char *const exts[] = { "msg", "out", "kept", "lock" };

  for (gsize i = 0; i < G_N_ELEMENTS (exts); i++)
    {
      g_autofree char *path = _rf_spool_path (spool_dir, key, exts[i]);

      unlink (path);
    }
}
