/* keys.c - the site's key files and the keys derived from them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two files of 256 random bits, in the key directory ([paths] key_dir, by
 * default the directory of the configuration file: /etc/reflector in a
 * system install): KEY_DIR/site.key (one-click unsubscribe links, the
 * authenticator of VERP addresses, the archive's attachment links) and
 * [blobs] key_file, default KEY_DIR/blob.key (readable attachments, kept
 * posts), and KEY_DIR/backup.key (listctl backup: the snapshots' sealing
 * and names; made by the first backup).  Never in the state directory
 * (issue 11): a copy of the state directory, or a backup of it, must open
 * nothing.  Every key in use is
 * derived from one of them for one purpose, never the file's bytes
 * themselves.  Losing a file invalidates what was made with it: links stop
 * working, sealed blobs stay sealed.
 *
 * A key file is 0600 (made by the service user) or root:GROUP 0640 (made
 * by listctl run as root, GROUP the service user's); one that others may
 * read, or the group write, is refused.  Before issue 11 the keys sat in
 * the state directory: a key found only there is moved, by whoever may
 * write the key directory (listctl as root, rf_keys_prepare), once.
 *
 * Rotation (rf_keys_rotate): the file becomes NAME.previous and a new key
 * takes its place; what opens or checks (VERP addresses, archive links,
 * sealed blobs) tries the previous key after the current one.
 *
 * The keys are read once per process and kept (a fan-out asks for one per
 * copy): a long-running listweb sees a rotated key after a restart.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the files ---- */

static const char *
key_file_name (RfKeyName name)
{
  switch (name)
    {
    case RF_KEY_SITE: return "site.key";
    case RF_KEY_BLOB: return "blob.key";
    case RF_KEY_BACKUP: return "backup.key";
    }
  g_assert_not_reached ();
}

char *
rf_key_path (const RfConfig *config, RfKeyName name, gboolean previous)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  if (name == RF_KEY_BLOB && config->blob_key_file != NULL)
    path = g_strdup (config->blob_key_file);
  else
    {
      dir = rf_config_key_dir (config);
      path = g_build_filename (dir, key_file_name (name), NULL);
    }
  return previous ? g_strconcat (path, ".previous", NULL) : g_steal_pointer (&path);
}

/* Where the key was before issue 11, or NULL when it never was there. */
static char *
legacy_path (const RfConfig *config, RfKeyName name)
{
  if (name == RF_KEY_BLOB && config->blob_key_file != NULL)
    return NULL;
  return g_build_filename (config->state_dir, key_file_name (name), NULL);
}

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
  /* readable by its owner, and by the service's group when root owns it;
   * never by others, never writable by the group */
  if ((st.st_mode & 027) != 0)
    {
      rf_wipe (key, RF_KEY_BYTES);
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: the key file may be %s by others (mode %04o): chmod 0640 it "
                   "(root:GROUP, GROUP the service user's) or 0600",
                   path, (st.st_mode & 022) != 0 ? "changed" : "read",
                   (unsigned) (st.st_mode & 07777));
      errno = EPERM;
      return FALSE;
    }
  return TRUE;
}

/* Write @key at @path whole under a temporary name, then link it, so that
 * no process ever reads a short key and, when two create it at once, the
 * first one's key wins.  Mode 0600, or 0640 with group @group (>= 0: the
 * caller is root and the service user's group reads it). */
static gboolean
write_key_file (const char *path, const guint8 key[RF_KEY_BYTES], int group, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
  gboolean ok;
  int fd, saved;

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", tmp,
                   g_strerror (saved));
      errno = saved;
      return FALSE;
    }
  ok = (group < 0 || (fchown (fd, (uid_t) -1, (gid_t) group) == 0 && fchmod (fd, 0640) == 0)) &&
       rf_write_all (fd, key, RF_KEY_BYTES) && fsync (fd) == 0;
  saved = errno;
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
      errno = saved;
      return FALSE;
    }
  {
    /* the directory entry too, before the key is used */
    g_autofree char *dir = g_path_get_dirname (path);
    int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd >= 0)
      {
        fsync (dfd);
        close (dfd);
      }
  }
  return TRUE;
}

/* The key @name in its place, made (or moved from the state directory)
 * when it is not there.  *note_out (may be NULL): what was done, for a
 * person, or NULL when nothing was. */
static gboolean
ensure_key (const RfConfig *config, RfKeyName name, int group, guint8 key[RF_KEY_BYTES],
            char **note_out, GError **error)
{
  g_autofree char *path = rf_key_path (config, name, FALSE);
  g_autofree char *legacy = legacy_path (config, name);
  g_autoptr (GError) local = NULL;
  guint8 old[RF_KEY_BYTES];
  gboolean have_old = FALSE;

  if (note_out != NULL)
    *note_out = NULL;
  if (!rf_crypto_init (error))
    return FALSE;
  if (read_key_file (path, key, &local))
    {
      if (note_out != NULL && legacy != NULL && g_file_test (legacy, G_FILE_TEST_EXISTS))
        *note_out = g_strdup_printf ("%s is left over (the key in use is %s): remove it, "
                                     "and remove it from the backups of the state directory",
                                     legacy, path);
      return TRUE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (legacy != NULL && (have_old = read_key_file (legacy, old, &local)) == FALSE &&
      local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!have_old)
    rf_random (old, sizeof old);
  if (!write_key_file (path, old, group, &local))
    {
      int saved = errno;

      rf_wipe (old, sizeof old);
      if ((saved == EACCES || saved == EPERM || saved == EROFS) && have_old)
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                     "the key %s must move to %s (keys are kept out of the state directory), "
                     "and this user cannot write there: run any listctl command as root once",
                     legacy, path);
      else if (saved == EACCES || saved == EPERM || saved == EROFS)
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                     "no key %s, and this user cannot make it: run any listctl command as "
                     "root once (it makes the keys, root:GROUP 0640)",
                     path);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  rf_wipe (old, sizeof old);
  if (have_old)
    {
      unlink (legacy);
      if (note_out != NULL)
        *note_out = g_strdup_printf ("moved the key %s to %s: keys are kept out of the state "
                                     "directory (reflector(7)); remove it from the backups of "
                                     "the state directory too",
                                     legacy, path);
    }
  else if (note_out != NULL)
    *note_out = g_strdup_printf ("made the key %s", path);
  return read_key_file (path, key, error);
}

/* ---- the keys of this process ---- */

G_LOCK_DEFINE_STATIC (keys);
/* path -> 32 bytes (wiped when replaced); a missing previous key is not kept */
static GHashTable *key_cache;

static void
wipe_free (gpointer key)
{
  rf_wipe (key, RF_KEY_BYTES);
  g_free (key);
}

static void
cache_put (const char *path, const guint8 key[RF_KEY_BYTES])
{
  if (key_cache == NULL)
    key_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_free);
  g_hash_table_replace (key_cache, g_strdup (path), g_memdup2 (key, RF_KEY_BYTES));
}

/* The key (or with @previous the one it replaced: FALSE without @error when
 * there is none) into @key. */
static gboolean
get_key (const RfConfig *config, RfKeyName name, gboolean previous, guint8 key[RF_KEY_BYTES],
         GError **error)
{
  g_autofree char *path = rf_key_path (config, name, previous);
  const guint8 *cached;
  gboolean ok;

  G_LOCK (keys);
  cached = key_cache != NULL ? g_hash_table_lookup (key_cache, path) : NULL;
  if (cached != NULL)
    {
      memcpy (key, cached, RF_KEY_BYTES);
      G_UNLOCK (keys);
      return TRUE;
    }
  ok = previous ? read_key_file (path, key, error)
                : ensure_key (config, name, -1, key, NULL, error);
  if (ok)
    cache_put (path, key);
  G_UNLOCK (keys);
  return ok;
}

char *
rf_backup_key_path (const RfConfig *config)
{
  return rf_key_path (config, RF_KEY_BACKUP, FALSE);
}

gboolean
rf_backup_key (const RfConfig *config, gboolean create, guint64 purpose,
               guint8 key_out[RF_KEY_BYTES], GError **error)
{
  g_autofree char *path = rf_backup_key_path (config);
  g_autofree char *legacy = legacy_path (config, RF_KEY_BACKUP);
  guint8 master[RF_KEY_BYTES];
  gboolean ok;

  if (!rf_crypto_init (error))
    return FALSE;
  /* a backup makes the key when there is none; a restore never does, but
   * takes one still in the state directory (moved) */
  if (!create && !g_file_test (path, G_FILE_TEST_EXISTS) &&
      (legacy == NULL || !g_file_test (legacy, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "no backup key %s: put back the copy of it you keep apart from the "
                   "backups (without it no backup opens)",
                   path);
      return FALSE;
    }
  G_LOCK (keys);
  ok = ensure_key (config, RF_KEY_BACKUP, -1, master, NULL, error);
  G_UNLOCK (keys);
  if (!ok)
    return FALSE;
  rf_kdf (key_out, RF_KEY_BYTES, purpose, "rfbackup", master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

gboolean
rf_site_subkey (const RfConfig *config, const char *context, guint64 id,
                guint8 out[RF_KEY_BYTES], GError **error)
{
  guint8 master[RF_KEY_BYTES];

  if (!get_key (config, RF_KEY_SITE, FALSE, master, error))
    return FALSE;
  rf_kdf (out, RF_KEY_BYTES, id, context, master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

gboolean
rf_site_subkey_previous (const RfConfig *config, const char *context, guint64 id,
                         guint8 out[RF_KEY_BYTES], GError **error)
{
  guint8 master[RF_KEY_BYTES];

  if (!get_key (config, RF_KEY_SITE, TRUE, master, error))
    return FALSE;
  rf_kdf (out, RF_KEY_BYTES, id, context, master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

gboolean
rf_site_blob_key (const RfConfig *config, const char *blob_id, gboolean previous,
                  guint8 key_out[RF_KEY_BYTES], GError **error)
{
  guint8 key[RF_KEY_BYTES];

  if (!get_key (config, RF_KEY_BLOB, previous, key, error))
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

/* ---- listctl: make, move, rotate ---- */

gboolean
rf_keys_prepare (const RfConfig *config, int group, GPtrArray *notes, GError **error)
{
  g_autofree char *dir = rf_config_key_dir (config);

  /* root's, as /etc/reflector: made when there is no configuration file
   * to sit beside */
  if (group >= 0 && g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create the key directory %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }
  for (int name = RF_KEY_SITE; name <= RF_KEY_BACKUP; name++)
    {
      g_autofree char *note = NULL;
      g_autofree char *path = rf_key_path (config, (RfKeyName) name, FALSE);
      g_autofree char *legacy = legacy_path (config, (RfKeyName) name);
      guint8 key[RF_KEY_BYTES];

      /* the backup key is a backup's to make (lib/backup); one left in
       * the state directory is moved all the same */
      if (name == RF_KEY_BACKUP && !g_file_test (path, G_FILE_TEST_EXISTS) &&
          (legacy == NULL || !g_file_test (legacy, G_FILE_TEST_EXISTS)))
        continue;
      G_LOCK (keys);
      if (!ensure_key (config, (RfKeyName) name, group, key, &note, error))
        {
          G_UNLOCK (keys);
          return FALSE;
        }
      G_UNLOCK (keys);
      rf_wipe (key, sizeof key);
      if (note != NULL && notes != NULL)
        g_ptr_array_add (notes, g_steal_pointer (&note));
    }
  return TRUE;
}

gboolean
rf_keys_rotate (const RfConfig *config, RfKeyName name, int group, GError **error)
{
  g_autofree char *path = rf_key_path (config, name, FALSE);
  g_autofree char *previous = rf_key_path (config, name, TRUE);
  guint8 key[RF_KEY_BYTES];
  gboolean ok;

  /* the key in use, checked, becomes the previous one */
  if (!read_key_file (path, key, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no key %s to rotate", path);
      return FALSE;
    }
  rf_wipe (key, sizeof key);
  if (rename (path, previous) != 0)
    {
      int saved = errno;

      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot rename %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  rf_random (key, sizeof key);
  ok = write_key_file (path, key, group, error);
  G_LOCK (keys);
  if (key_cache != NULL)
    {
      g_hash_table_remove (key_cache, previous);
      if (ok)
        cache_put (path, key);
      else
        g_hash_table_remove (key_cache, path);
    }
  G_UNLOCK (keys);
  rf_wipe (key, sizeof key);
  return ok;
}
