/* keys.c - the site key: one secret per installation, from which each use
 * derives its own key.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key file sits beside the database but is not in it: a copy of the
 * database alone does not let anyone compute a subscriber's unsubscribe
 * link.  It is created on first use, 0600, by whoever owns the state
 * directory (listctl drops to that user), with O_EXCL so that two first
 * users agree on one key.
 */
#include "rf-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
read_key (const char *path, int fd, guint8 key[RF_SITE_KEY_BYTES], GError **error)
{
  gsize got = 0;

  while (got < RF_SITE_KEY_BYTES)
    {
      ssize_t n = read (fd, key + got, RF_SITE_KEY_BYTES - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                       "%s: %s: the site key file must hold %d bytes; restore it from a "
                       "backup (a new one breaks every unsubscribe link already sent)",
                       path, n < 0 ? g_strerror (errno) : "too short", RF_SITE_KEY_BYTES);
          return FALSE;
        }
      got += (gsize) n;
    }
  return TRUE;
}

static gboolean
create_key (const char *path, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
  guint8 key[RF_SITE_KEY_BYTES];
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  gboolean ok;

  if (fd < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", tmp,
                   g_strerror (errno));
      return FALSE;
    }
  randombytes_buf (key, sizeof key);
  ok = write (fd, key, sizeof key) == (ssize_t) sizeof key && fsync (fd) == 0;
  sodium_memzero (key, sizeof key);
  close (fd);
  /* link(), not rename(): if another process got there first, its key wins */
  if (ok && link (tmp, path) != 0 && errno != EEXIST)
    ok = FALSE;
  if (!ok)
    g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write %s: %s", path,
                 g_strerror (errno));
  unlink (tmp);
  return ok;
}

gboolean
rf_site_subkey (const char *state_dir, const char *context, guint64 id,
                guint8 out[RF_SITE_KEY_BYTES], GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, "site.key", NULL);
  guint8 master[RF_SITE_KEY_BYTES];
  char ctx[crypto_kdf_CONTEXTBYTES];
  int fd;
  gboolean ok;

  g_return_val_if_fail (strlen (context) <= sizeof ctx, FALSE);
  if (sodium_init () < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot initialise libsodium");
      return FALSE;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      if (!create_key (path, error))
        return FALSE;
      fd = open (path, O_RDONLY | O_CLOEXEC);
    }
  if (fd < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read the site key %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  ok = read_key (path, fd, master, error);
  close (fd);
  if (!ok)
    return FALSE;
  memset (ctx, 0, sizeof ctx);
  memcpy (ctx, context, strlen (context));
  crypto_kdf_derive_from_key (out, RF_SITE_KEY_BYTES, id, ctx, master);
  sodium_memzero (master, sizeof master);
  return TRUE;
}
