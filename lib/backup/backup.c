/* backup.c - listctl backup: a consistent snapshot of the database,
 * sealed with the backup key, in a directory or the S3 blob store; the
 * record of each backup and its rotation (issue 15).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshot (rf_store_snapshot) is made in a private directory of the
 * state directory, where the database itself lies in clear; only the
 * sealed file leaves it.  The sealed file is written under a temporary
 * name, fsync'ed and renamed (a crash leaves no half backup under a
 * backup's name), then recorded.  A backup's name is its time, UTC, to
 * the second; its S3 key is a keyed hash of the name, so that a server
 * that lost its database finds the copy again from the name and the key
 * ("s3:NAME"), and the bucket's listing says nothing of when.
 */
#include "backup/backup.h"
#include "blob/blob.h"
#include "crypto/crypto.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_PREFIX "reflector-"
#define FILE_SUFFIX ".backup"

static gboolean
io_error (GError **error, const char *what, const char *path, int saved)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

static void
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
}

/* rm -r of a directory of plain files (our temporary ones) */
static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* A private temporary directory in the state directory.
 * Returns: (transfer full). */
static char *
private_tmp (const RfConfig *config, GError **error)
{
  g_autofree char *tmpl = g_build_filename (config->state_dir, "backup-tmp.XXXXXX", NULL);

  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      io_error (error, "cannot create", tmpl, errno);
      return NULL;
    }
  return g_steal_pointer (&tmpl);
}

gint64
_rf_backup_week_start (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  gint64 day_start = t - (gint64) g_date_time_get_hour (dt) * 3600 -
                     (gint64) g_date_time_get_minute (dt) * 60 - g_date_time_get_second (dt);

  return day_start - (gint64) (g_date_time_get_day_of_week (dt) - 1) * RF_DAY;
}

/* The S3 key of the backup @name: 128 bits of a keyed hash, hex.
 * Returns: (transfer full), or NULL without a backup key. */
static char *
blob_id_of (const RfConfig *config, const char *name, gboolean create, GError **error)
{
  guint8 key[RF_KEY_BYTES];
  guint8 hash[16];

  if (!rf_backup_key (config, create, RF_BACKUP_NAME, key, error))
    return NULL;
  rf_hash (hash, sizeof hash, name, strlen (name), key, sizeof key);
  rf_wipe (key, sizeof key);
  return rf_hex (hash, sizeof hash);
}

/* Seal @plain_path into the new file @out_path (0600, fsync'ed). */
static gboolean
seal_to (const RfConfig *config, const char *plain_path, const char *out_path, GError **error)
{
  guint8 key[RF_KEY_BYTES];
  int in = -1, out = -1;
  gboolean ok = FALSE;

  if (!rf_backup_key (config, TRUE, RF_BACKUP_SEAL, key, error))
    return FALSE;
  in = open (plain_path, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    {
      io_error (error, "cannot read", plain_path, errno);
      goto out;
    }
  out = open (out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0)
    {
      io_error (error, "cannot create", out_path, errno);
      goto out;
    }
  if (!rf_seal_file (key, in, out, error))
    {
      g_prefix_error (error, "%s: ", out_path);
      goto out;
    }
  if (fsync (out) != 0)
    {
      io_error (error, "cannot write", out_path, errno);
      goto out;
    }
  ok = TRUE;

out:
  rf_wipe (key, sizeof key);
  if (in >= 0)
    close (in);
  if (out >= 0 && close (out) != 0 && ok)
    ok = io_error (error, "cannot write", out_path, errno);
  if (!ok && out >= 0)
    g_unlink (out_path);
  return ok;
}

/* Upload the file @path as blob @id. */
static gboolean
upload (const RfConfig *config, const char *path, const char *id, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  RfBlobWriter *writer;
  g_autofree guint8 *buf = g_malloc (65536);
  int fd;
  ssize_t n;

  if (!g_str_equal (config->blob_store, "s3"))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "--to s3: the blob store of reflector.conf is '%s', not s3: set [blobs] "
                   "store = s3 with its endpoint, bucket and credentials_file",
                   config->blob_store);
      return FALSE;
    }
  if ((blobs = rf_blob_store_open (config, error)) == NULL)
    return FALSE;
  if ((writer = rf_blob_put_begin (blobs, id, error)) == NULL)
    return FALSE;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      rf_blob_writer_abort (writer);
      return io_error (error, "cannot read", path, errno);
    }
  while ((n = read (fd, buf, 65536)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          rf_blob_writer_abort (writer);
          return io_error (error, "cannot read", path, saved);
        }
      if (!rf_blob_writer_write (writer, buf, (gsize) n, error))
        {
          close (fd);
          rf_blob_writer_abort (writer);
          return FALSE;
        }
    }
  close (fd);
  return rf_blob_writer_finish (writer, error);
}

/* A name no recorded backup has: the time, and -2, -3 ... within a second.
 * Returns: (transfer full). */
static char *
fresh_name (RfStore *store, gint64 now, GError **error)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (now);
  g_autofree char *base = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");

  for (int i = 1; i < 100; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup (base) : g_strdup_printf ("%s-%d", base, i);
      g_autoptr (GError) local = NULL;
      g_autoptr (RfBackup) found = rf_backup_find (store, name, &local);

      if (found == NULL && g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        return g_steal_pointer (&name);
      if (found == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "too many backups at %s", base);
  return NULL;
}

RfBackup *
rf_backup_take (const RfConfig *config, RfStore *store, const char *dir, gboolean to_s3,
                gboolean archive, const RfActor *actor, GError **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *default_dir = NULL;
  g_autoptr (RfBackup) b = g_new0 (RfBackup, 1);
  g_autofree char *detail = NULL;
  gboolean weekly_found = FALSE;
  guint8 probe[RF_KEY_BYTES];
  struct stat st;
  gint64 week;

  /* the key first: a backup nobody can open is no backup */
  if (!rf_backup_key (config, TRUE, RF_BACKUP_SEAL, probe, error))
    return NULL;
  rf_wipe (probe, sizeof probe);
  if (dir == NULL)
    dir = config->backup_dir != NULL
              ? config->backup_dir
              : (default_dir = g_build_filename (config->state_dir, "backups", NULL));
  if (!to_s3 && g_mkdir_with_parents (dir, 0700) != 0)
    {
      io_error (error, "cannot create", dir, errno);
      return NULL;
    }
  if ((tmp = private_tmp (config, error)) == NULL)
    return NULL;
  plain = g_build_filename (tmp, "snapshot.db", NULL);
  b->taken = rf_now ();
  b->archive = archive;
  if (!rf_store_snapshot (store, plain, archive, error) ||
      (b->name = fresh_name (store, b->taken, error)) == NULL)
    goto fail;
  week = _rf_backup_week_start (b->taken);
  if (!rf_backup_weekly_between (store, week, week + 7 * RF_DAY, &weekly_found, error))
    goto fail;
  b->kind = g_strdup (weekly_found ? "daily" : "weekly");

  if (to_s3)
    {
      sealed = g_build_filename (tmp, "sealed", NULL);
      if (!seal_to (config, plain, sealed, error) ||
          (b->blob_id = blob_id_of (config, b->name, TRUE, error)) == NULL ||
          !upload (config, sealed, b->blob_id, error))
        goto fail;
    }
  else
    {
      g_autofree char *file = g_strconcat (FILE_PREFIX, b->name, FILE_SUFFIX, NULL);
      g_autofree char *part = g_strconcat (".", file, ".part", NULL);

      b->path = g_build_filename (dir, file, NULL);
      sealed = g_build_filename (dir, part, NULL);
      g_unlink (sealed);
      if (!seal_to (config, plain, sealed, error))
        goto fail;
      if (rename (sealed, b->path) != 0)
        {
          io_error (error, "cannot rename", sealed, errno);
          g_unlink (sealed);
          goto fail;
        }
      fsync_dir (dir);
    }
  if (stat (to_s3 ? sealed : b->path, &st) == 0)
    b->size = st.st_size;
  if (!rf_backup_add (store, b, error))
    goto fail;
  remove_dir (tmp);
  detail = g_strdup_printf ("%s, %s, %" G_GINT64_FORMAT " bytes%s%s", b->name, b->kind,
                            b->size, archive ? ", with the archive" : "",
                            to_s3 ? ", to the S3 blob store" : "");
  rf_activity_log (store, actor, "backup", NULL, detail);
  return g_steal_pointer (&b);

fail:
  remove_dir (tmp);
  return NULL;
}

/* Download blob @id into the new file @path. */
static gboolean
download (const RfConfig *config, const char *id, const char *path, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  g_autoptr (RfBlobReader) reader = NULL;
  g_autofree guint8 *buf = g_malloc (65536);
  gssize n;
  int fd;
  gboolean ok = TRUE;

  if (!g_str_equal (config->blob_store, "s3"))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "the blob store of reflector.conf is '%s', not s3: no S3 copy to read",
                   config->blob_store);
      return FALSE;
    }
  if ((blobs = rf_blob_store_open (config, error)) == NULL ||
      (reader = rf_blob_get (blobs, id, error)) == NULL)
    return FALSE;
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return io_error (error, "cannot create", path, errno);
  while (ok && (n = rf_blob_reader_read (reader, buf, 65536, error)) != 0)
    {
      if (n < 0)
        ok = FALSE;
      else if (!rf_write_all (fd, buf, (gsize) n))
        ok = io_error (error, "cannot write", path, errno);
    }
  close (fd);
  if (!ok)
    g_unlink (path);
  return ok;
}

static gboolean
unseal_to (const RfConfig *config, const char *sealed_path, const char *what,
           const char *db_path, GError **error)
{
  guint8 key[RF_KEY_BYTES];
  int in, out;
  gboolean ok;

  if (!rf_backup_key (config, FALSE, RF_BACKUP_SEAL, key, error))
    return FALSE;
  in = open (sealed_path, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    {
      int saved = errno;

      rf_wipe (key, sizeof key);
      if (saved == ENOENT)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "backup '%s': %s is gone", what,
                       sealed_path);
          return FALSE;
        }
      return io_error (error, "cannot read", sealed_path, saved);
    }
  out = open (db_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0)
    {
      int saved = errno;

      rf_wipe (key, sizeof key);
      close (in);
      return io_error (error, "cannot create", db_path, saved);
    }
  ok = rf_unseal_file (key, in, out, error);
  rf_wipe (key, sizeof key);
  if (ok && fsync (out) != 0)
    ok = io_error (error, "cannot write", db_path, errno);
  close (in);
  close (out);
  if (!ok)
    {
      g_autofree char *key_path = rf_backup_key_path (config);

      g_unlink (db_path);
      if (error != NULL && *error != NULL && (*error)->code == RF_ERROR_INVALID)
        g_prefix_error (error, "backup '%s' with the key %s: ", what, key_path);
      else
        g_prefix_error (error, "backup '%s': ", what);
    }
  return ok;
}

gboolean
rf_backup_open (const RfConfig *config, RfStore *store, const char *what, const char *db_path,
                GError **error)
{
  g_autoptr (RfBackup) found = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *id = NULL;
  gboolean ok;

  if (g_str_has_prefix (what, "s3:"))
    {
      if ((id = blob_id_of (config, what + 3, FALSE, error)) == NULL)
        return FALSE;
    }
  else
    {
      if (store != NULL)
        {
          g_autoptr (GError) local = NULL;

          found = rf_backup_find (store, what, &local);
          if (found == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      if (found != NULL && found->path != NULL)
        return unseal_to (config, found->path, what, db_path, error);
      if (found != NULL)
        id = g_strdup (found->blob_id);
      else if (g_file_test (what, G_FILE_TEST_IS_REGULAR))
        return unseal_to (config, what, what, db_path, error);
      else
        {
          g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                       "no backup '%s': neither a name 'listctl backups' lists nor a file",
                       what);
          return FALSE;
        }
    }
  if ((tmp = private_tmp (config, error)) == NULL)
    return FALSE;
  sealed = g_build_filename (tmp, "sealed", NULL);
  ok = download (config, id, sealed, error);
  if (!ok)
    g_prefix_error (error, "backup '%s': ", what);
  else
    ok = unseal_to (config, sealed, what, db_path, error);
  remove_dir (tmp);
  return ok;
}

gboolean
rf_backup_install (const RfConfig *config, const char *what, GError **error)
{
  g_autofree char *db = g_build_filename (config->state_dir, "reflector.db", NULL);
  g_autofree char *tmp = g_build_filename (config->state_dir, "reflector.db.restore", NULL);
  g_autofree char *problem = NULL;

  if (g_file_test (db, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_EXISTS,
                   "%s exists: a whole snapshot goes only where there is no database (restore "
                   "lists from it with 'listctl restore [LIST] --from')",
                   db);
      return FALSE;
    }
  if (g_mkdir_with_parents (config->state_dir, 0750) != 0)
    return io_error (error, "cannot create", config->state_dir, errno);
  /* the write-ahead log of a database removed by hand belongs to no
   * database any more: SQLite would replay it into this one */
  {
    const char *const leftovers[] = { "-wal", "-shm", "-journal" };

    for (gsize i = 0; i < G_N_ELEMENTS (leftovers); i++)
      {
        g_autofree char *path = g_strconcat (db, leftovers[i], NULL);

        g_unlink (path);
      }
  }
  g_unlink (tmp);
  if (!rf_backup_open (config, NULL, what, tmp, error))
    return FALSE;
  if (!rf_store_file_check (tmp, &problem, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (problem != NULL)
    {
      g_unlink (tmp);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "backup '%s' opens but fails PRAGMA integrity_check: %s", what, problem);
      return FALSE;
    }
  if (rename (tmp, db) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      return io_error (error, "cannot rename", tmp, saved);
    }
  fsync_dir (config->state_dir);
  return TRUE;
}

/* The private directories of backups and restores killed half-way (a
 * plain copy of the database is in them): gone after a day. */
static gboolean
clean_tmp (RfCleanupRun *run, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (run->config->state_dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat st;

      if (!g_str_has_prefix (name, "backup-tmp."))
        continue;
      path = g_build_filename (run->config->state_dir, name, NULL);
      if (lstat (path, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_mtime >= run->now - RF_DAY)
        continue;
      if (!run->dry_run)
        remove_dir (path);
      run->removed++;
    }
  return TRUE;
}

gboolean
_rf_backup_clean (RfCleanupRun *run, GError **error)
{
  const RfConfig *config = run->config;
  gint64 daily_before = run->now - (gint64) config->backup_daily_days * RF_DAY;
  gint64 weekly_before =
      config->backup_weekly_weeks > 0 ? run->now - (gint64) config->backup_weekly_weeks * 7 * RF_DAY
                                      : G_MININT64;
  g_autoptr (GPtrArray) expired = rf_backups_expired (run->store, daily_before, weekly_before,
                                                      error);
  g_autoptr (RfBlobStore) blobs = NULL;

  if (expired == NULL)
    return FALSE;
  for (guint i = 0; i < expired->len; i++)
    {
      const RfBackup *b = g_ptr_array_index (expired, i);

      if (!run->dry_run)
        {
          if (b->path != NULL && g_unlink (b->path) != 0 && errno != ENOENT)
            return io_error (error, "cannot delete", b->path, errno);
          if (b->blob_id != NULL)
            {
              if (blobs == NULL && (blobs = rf_blob_store_open (run->config, error)) == NULL)
                return FALSE;
              if (!rf_blob_delete (blobs, b->blob_id, error))
                return FALSE;
            }
        }
      if (!rf_backup_remove (run->store, b->id, error))
        return FALSE;
      run->removed++;
    }
  return clean_tmp (run, error);
}

struct _RfSnapshot {
  char *dir;
  RfStore *store;
};

RfSnapshot *
rf_snapshot_open (const RfConfig *config, RfStore *store, const char *what, GError **error)
{
  g_autofree char *db = NULL;
  RfSnapshot *snapshot;
  char *dir = private_tmp (config, error);

  if (dir == NULL)
    return NULL;
  snapshot = g_new0 (RfSnapshot, 1);
  snapshot->dir = dir;
  db = g_build_filename (dir, "reflector.db", NULL);
  if (!rf_backup_open (config, store, what, db, error) ||
      (snapshot->store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_UPGRADE, error)) ==
          NULL)
    {
      rf_snapshot_close (snapshot);
      return NULL;
    }
  return snapshot;
}

RfStore *
rf_snapshot_store (RfSnapshot *snapshot)
{
  return snapshot->store;
}

void
rf_snapshot_close (RfSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  rf_store_close (snapshot->store);
  remove_dir (snapshot->dir);
  g_free (snapshot->dir);
  g_free (snapshot);
}
