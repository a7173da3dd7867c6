/* blob.c - the blob store interface: open the configured back end, check
 * ids, dispatch.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blob-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* An id is what rf_blob_id_new makes: 32 lower-case hex digits.  Nothing
 * else reaches a back end, so no id can name a path outside the store or
 * another bucket's key. */
static gboolean
check_id (const char *id, GError **error)
{
  gsize i = 0;

  for (; id != NULL && id[i] != '\0'; i++)
    if (!g_ascii_isdigit (id[i]) && !(id[i] >= 'a' && id[i] <= 'f'))
      break;
  if (id != NULL && i == 32 && id[i] == '\0')
    return TRUE;
  g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such blob: malformed id");
  return FALSE;
}

char *
rf_blob_id_new (void)
{
  return rf_random_hex (16);
}

char *
_rf_blob_tmp_dir (const RfConfig *config, GError **error)
{
  g_autofree char *dir = g_build_filename (config->state_dir, "blobs-tmp", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot create %s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

RfBlobStore *
rf_blob_store_open (const RfConfig *config, GError **error)
{
  if (!rf_crypto_init (error))
    return NULL;
  if (g_str_equal (config->blob_store, "s3"))
    return _rf_blob_s3_open (config, error);
  return _rf_blob_local_open (config, error);
}

RfBlobStore *
rf_blob_store_open_dir (const char *dir, GError **error)
{
  if (!rf_crypto_init (error))
    return NULL;
  return _rf_blob_local_open_dir (dir, error);
}

void
rf_blob_store_free (RfBlobStore *store)
{
  if (store != NULL)
    store->ops->free (store);
}

const char *
rf_blob_store_kind (RfBlobStore *store)
{
  return store->ops->kind;
}

RfBlobWriter *
rf_blob_put_begin (RfBlobStore *store, const char *id, GError **error)
{
  if (!check_id (id, error))
    return NULL;
  return store->ops->put_begin (store, id, error);
}

gboolean
rf_blob_writer_write (RfBlobWriter *writer, const void *data, gsize len, GError **error)
{
  return len == 0 || writer->store->ops->write (writer, data, len, error);
}

gboolean
rf_blob_writer_finish (RfBlobWriter *writer, GError **error)
{
  return writer->store->ops->finish (writer, error);
}

void
rf_blob_writer_abort (RfBlobWriter *writer)
{
  if (writer != NULL)
    writer->store->ops->abort (writer);
}

RfBlobReader *
rf_blob_get (RfBlobStore *store, const char *id, GError **error)
{
  if (!check_id (id, error))
    return NULL;
  return store->ops->get (store, id, error);
}

gssize
rf_blob_reader_read (RfBlobReader *reader, void *buf, gsize len, GError **error)
{
  return reader->store->ops->read (reader, buf, len, error);
}

void
rf_blob_reader_free (RfBlobReader *reader)
{
  if (reader != NULL)
    reader->store->ops->reader_free (reader);
}

gboolean
rf_blob_delete (RfBlobStore *store, const char *id, GError **error)
{
  if (!check_id (id, error))
    return FALSE;
  return store->ops->remove (store, id, error);
}

gboolean
rf_blob_exists (RfBlobStore *store, const char *id, gboolean *exists_out, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!check_id (id, &local))
    {
      *exists_out = FALSE;
      return TRUE;
    }
  return store->ops->exists (store, id, exists_out, error);
}

gboolean
rf_blob_sweep (RfBlobStore *store, gint64 older_than, gboolean dry_run, guint64 *removed_out,
               GError **error)
{
  if (store->ops->sweep == NULL)
    return TRUE;
  return store->ops->sweep (store, older_than, dry_run, removed_out, error);
}
