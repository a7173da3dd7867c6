/* blob-local.c - the local blob store: one file per blob in a directory
 * under the state dir (default STATE/blobs/<2 hex>/<id>).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A blob is written to BLOBS/tmp/<id>.<random>, fsync'ed, renamed into
 * place and the directory fsync'ed (OpenSMTPD's maildir recipe): a crash
 * leaves the whole blob or a temp file, never half a blob under its id.
 * Files are 0600, directories 0700: only the service user reads them.
 */
#include "blob-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  RfBlobStore parent;
  char *dir;
} LocalStore;

typedef struct {
  RfBlobWriter parent;
  int fd;
  char *tmp_path;
  char *final_path;
} LocalWriter;

typedef struct {
  RfBlobReader parent;
  int fd;
} LocalReader;

static gboolean
io_error (GError **error, const char *what, const char *path, int errsv)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "blob store: %s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

static char *
blob_path (LocalStore *store, const char *id)
{
  char sub[3] = { id[0], id[1], '\0' };

  return g_build_filename (store->dir, sub, id, NULL);
}

static gboolean
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

static void
local_free (RfBlobStore *base)
{
  LocalStore *store = (LocalStore *) base;

  g_free (store->dir);
  g_free (store);
}

static RfBlobWriter *
local_put_begin (RfBlobStore *base, const char *id, GError **error)
{
  LocalStore *store = (LocalStore *) base;
  g_autofree char *tmp_dir = g_build_filename (store->dir, "tmp", NULL);
  g_autofree char *final_path = blob_path (store, id);
  g_autofree char *sub = g_path_get_dirname (final_path);
  g_autofree char *name = NULL;
  LocalWriter *writer;
  guint32 salt = rf_random_below (G_MAXUINT32);
  int fd;

  if (g_mkdir_with_parents (tmp_dir, 0700) != 0)
    {
      io_error (error, "cannot create", tmp_dir, errno);
      return NULL;
    }
  if (g_mkdir_with_parents (sub, 0700) != 0)
    {
      io_error (error, "cannot create", sub, errno);
      return NULL;
    }
  name = g_strdup_printf ("%s.%08x", id, salt);
  writer = g_new0 (LocalWriter, 1);
  writer->parent.store = base;
  writer->tmp_path = g_build_filename (tmp_dir, name, NULL);
  writer->final_path = g_steal_pointer (&final_path);
  fd = open (writer->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      io_error (error, "cannot create", writer->tmp_path, errno);
      g_free (writer->tmp_path);
      g_free (writer->final_path);
      g_free (writer);
      return NULL;
    }
  writer->fd = fd;
  return &writer->parent;
}

static gboolean
local_write (RfBlobWriter *base, const void *data, gsize len, GError **error)
{
  LocalWriter *writer = (LocalWriter *) base;

  if (!rf_write_all (writer->fd, data, len))
    return io_error (error, "cannot write", writer->tmp_path, errno);
  return TRUE;
}

static void
local_abort (RfBlobWriter *base)
{
  LocalWriter *writer = (LocalWriter *) base;

  if (writer->fd >= 0)
    close (writer->fd);
  g_unlink (writer->tmp_path);
  g_free (writer->tmp_path);
  g_free (writer->final_path);
  g_free (writer);
}

static gboolean
local_finish (RfBlobWriter *base, GError **error)
{
  LocalWriter *writer = (LocalWriter *) base;
  g_autofree char *sub = g_path_get_dirname (writer->final_path);
  int fd = writer->fd;

  writer->fd = -1;
  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      io_error (error, "cannot fsync", writer->tmp_path, saved);
      local_abort (base);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      io_error (error, "cannot close", writer->tmp_path, errno);
      local_abort (base);
      return FALSE;
    }
  if (g_rename (writer->tmp_path, writer->final_path) != 0)
    {
      io_error (error, "cannot rename to", writer->final_path, errno);
      local_abort (base);
      return FALSE;
    }
  if (!fsync_dir (sub))
    {
      /* the blob is in place; only its durability is in doubt: report it,
       * as a retry will write it again */
      io_error (error, "cannot fsync", sub, errno);
      g_free (writer->tmp_path);
      g_free (writer->final_path);
      g_free (writer);
      return FALSE;
    }
  g_free (writer->tmp_path);
  g_free (writer->final_path);
  g_free (writer);
  return TRUE;
}

static RfBlobReader *
local_get (RfBlobStore *base, const char *id, GError **error)
{
  g_autofree char *path = blob_path ((LocalStore *) base, id);
  LocalReader *reader;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    {
      if (errno == ENOENT)
        g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such blob");
      else
        io_error (error, "cannot open", path, errno);
      return NULL;
    }
  reader = g_new0 (LocalReader, 1);
  reader->parent.store = base;
  reader->fd = fd;
  return &reader->parent;
}

static gssize
local_read (RfBlobReader *base, void *buf, gsize len, GError **error)
{
  LocalReader *reader = (LocalReader *) base;
  ssize_t n;

  do
    n = read (reader->fd, buf, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      io_error (error, "cannot read", "a blob", errno);
      return -1;
    }
  return n;
}

static void
local_reader_free (RfBlobReader *base)
{
  LocalReader *reader = (LocalReader *) base;

  close (reader->fd);
  g_free (reader);
}

static gboolean
local_remove (RfBlobStore *base, const char *id, GError **error)
{
  g_autofree char *path = blob_path ((LocalStore *) base, id);

  if (g_unlink (path) != 0 && errno != ENOENT)
    return io_error (error, "cannot delete", path, errno);
  return TRUE;
}

static gboolean
local_exists (RfBlobStore *base, const char *id, gboolean *exists_out, GError **error)
{
  g_autofree char *path = blob_path ((LocalStore *) base, id);
  struct stat st;

  if (lstat (path, &st) == 0)
    *exists_out = S_ISREG (st.st_mode);
  else if (errno == ENOENT)
    *exists_out = FALSE;
  else
    return io_error (error, "cannot look at", path, errno);
  return TRUE;
}

/* Temporary files of writers that never finished (a listdeliver killed in
 * the middle of a file).  A writer that is still at work touches its file
 * with every write, so only files untouched since @older_than go. */
static gboolean
local_sweep (RfBlobStore *base, gint64 older_than, gboolean dry_run, guint64 *removed_out,
             GError **error)
{
  g_autofree char *tmp_dir = g_build_filename (((LocalStore *) base)->dir, "tmp", NULL);
  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return TRUE;   /* no writer ever started */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      struct stat st;

      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_mtime >= older_than)
        continue;
      if (!dry_run && g_unlink (path) != 0 && errno != ENOENT)
        return io_error (error, "cannot delete", path, errno);
      (*removed_out)++;
    }
  return TRUE;
}

static const RfBlobOps local_ops = {
  "local",         local_free,  local_put_begin, local_write,       local_finish, local_abort,
  local_get,       local_read,  local_reader_free, local_remove,    local_exists, local_sweep,
};

RfBlobStore *
_rf_blob_local_open (const RfConfig *config, GError **error)
{
  g_autofree char *dir = config->blob_dir != NULL
                             ? g_strdup (config->blob_dir)
                             : g_build_filename (config->state_dir, "blobs", NULL);

  return _rf_blob_local_open_dir (dir, error);
}

RfBlobStore *
_rf_blob_local_open_dir (const char *path, GError **error)
{
  LocalStore *store;
  g_autofree char *dir = g_strdup (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      io_error (error, "cannot create", dir, errno);
      return NULL;
    }
  store = g_new0 (LocalStore, 1);
  store->parent.ops = &local_ops;
  store->dir = g_steal_pointer (&dir);
  return &store->parent;
}
