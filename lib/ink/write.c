/* write.c - sealing an ink post: its keys, its blobs and its rows.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The blobs go first, the rows after (as attachments do): cleanup starts
 * from rows, so a run killed between the two leaves at worst blobs that
 * no row names and nobody can open, never a row without its blobs.
 */
#include "ink/ink.h"

#include <string.h>

/* the token is 32 random bytes (rf_token_new): the master of its keys */
#define TOKEN_BYTES 32

gboolean
_rf_ink_key (const char *token, guint64 n, guint8 key_out[RF_KEY_BYTES])
{
  guint8 master[TOKEN_BYTES];

  if (token == NULL || !rf_base64url_decode (token, master, sizeof master))
    return FALSE;
  /* a context of its own: an ink token is never an attachment's key */
  rf_kdf (key_out, RF_KEY_BYTES, n, "rfink", master);
  rf_wipe (master, sizeof master);
  return TRUE;
}

struct _RfInkWriter {
  RfBlobStore *blobs;
  char *token;
  GPtrArray *file_blobs;     /* (element-type utf8) in order */
  GPtrArray *written;        /* every blob id written, to delete on failure */
  GString *manifest;
  gboolean finished;
  /* the file being written */
  RfSealer *sealer;
  char *file_id;
  guint64 file_size;
};

RfInkWriter *
_rf_ink_writer_new (const RfConfig *config, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);
  RfInkWriter *w;

  if (blobs == NULL)
    return NULL;
  w = g_new0 (RfInkWriter, 1);
  w->blobs = g_steal_pointer (&blobs);
  w->token = rf_token_new ();
  w->file_blobs = g_ptr_array_new_with_free_func (g_free);
  w->written = g_ptr_array_new_with_free_func (g_free);
  w->manifest = g_string_new ("reflector-ink 1\n");
  return w;
}

void
_rf_ink_writer_free (RfInkWriter *w)
{
  if (w == NULL)
    return;
  rf_sealer_abort (w->sealer);
  g_free (w->file_id);
  if (!w->finished)
    for (guint i = 0; i < w->written->len; i++)
      rf_blob_delete (w->blobs, g_ptr_array_index (w->written, i), NULL);
  rf_wipe_string (w->token);
  g_free (w->token);
  g_ptr_array_unref (w->file_blobs);
  g_ptr_array_unref (w->written);
  /* the file names are the post's: gone from memory too */
  rf_wipe (w->manifest->str, w->manifest->len);
  g_string_free (w->manifest, TRUE);
  rf_blob_store_free (w->blobs);
  g_free (w);
}

const char *
_rf_ink_writer_token (RfInkWriter *w)
{
  return w->token;
}

/* Start sealing blob @n under a new id (w->sealer, w->file_id). */
static gboolean
seal_begin (RfInkWriter *w, guint64 n, GError **error)
{
  guint8 key[RF_KEY_BYTES];

  g_return_val_if_fail (w->sealer == NULL, FALSE);
  if (!_rf_ink_key (w->token, n, key))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot derive an ink key");
      return FALSE;
    }
  w->file_id = rf_blob_id_new ();
  w->sealer = rf_sealer_begin (w->blobs, w->file_id, key, error);   /* wipes the key */
  if (w->sealer == NULL)
    {
      g_clear_pointer (&w->file_id, g_free);
      return FALSE;
    }
  return TRUE;
}

static gboolean
seal_write (RfInkWriter *w, const void *data, gsize len, GError **error)
{
  if (!rf_sealer_write (w->sealer, data, len, error))
    {
      rf_sealer_abort (g_steal_pointer (&w->sealer));
      g_clear_pointer (&w->file_id, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Finish the blob being sealed; its id in *id_out. */
static gboolean
seal_end (RfInkWriter *w, char **id_out, GError **error)
{
  g_autofree char *id = g_steal_pointer (&w->file_id);

  if (!rf_sealer_finish (g_steal_pointer (&w->sealer), error))
    return FALSE;
  g_ptr_array_add (w->written, g_strdup (id));
  *id_out = g_steal_pointer (&id);
  return TRUE;
}

/* "type/subtype" of RFC 2045 token characters, lower case; else
 * application/octet-stream.  It goes into a tab-separated line and, on
 * download, a header field. */
static char *
safe_type (const char *type)
{
  static const char tspecials[] = "()<>@,;:\\\"/[]?= ";
  int slashes = 0;

  if (type == NULL || *type == '\0' || *type == '/' || g_str_has_suffix (type, "/"))
    return g_strdup ("application/octet-stream");
  for (const char *p = type; *p != '\0'; p++)
    {
      if (*p == '/')
        slashes++;
      else if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr (tspecials, *p) != NULL)
        return g_strdup ("application/octet-stream");
    }
  return slashes == 1 ? g_ascii_strdown (type, -1) : g_strdup ("application/octet-stream");
}

gboolean
_rf_ink_writer_file_begin (RfInkWriter *w, GError **error)
{
  w->file_size = 0;
  return seal_begin (w, w->file_blobs->len + 1, error);
}

gboolean
_rf_ink_writer_file_write (RfInkWriter *w, const void *data, gsize len, GError **error)
{
  g_return_val_if_fail (w->sealer != NULL, FALSE);
  if (!seal_write (w, data, len, error))
    return FALSE;
  w->file_size += len;
  return TRUE;
}

gboolean
_rf_ink_writer_file_end (RfInkWriter *w, const char *name, const char *content_type,
                         GError **error)
{
  g_autofree char *type = safe_type (content_type);
  g_autofree char *id = NULL;

  g_return_val_if_fail (w->sealer != NULL, FALSE);
  /* a safe name has no control character, so no tab or newline */
  if (name == NULL || *name == '\0' || strpbrk (name, "\t\n\r") != NULL)
    {
      rf_sealer_abort (g_steal_pointer (&w->sealer));
      g_clear_pointer (&w->file_id, g_free);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "a file name that is not safe");
      return FALSE;
    }
  if (!seal_end (w, &id, error))
    return FALSE;
  g_string_append_printf (w->manifest, "file\t%" G_GUINT64_FORMAT "\t%s\t%s\n", w->file_size,
                          type, name);
  g_ptr_array_add (w->file_blobs, g_steal_pointer (&id));
  return TRUE;
}

gboolean
_rf_ink_writer_finish (RfInkWriter *w, RfStore *store, const char *list_address,
                       gint64 created, gint64 expires, GBytes *message, GError **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *post_id = NULL;
  g_autoptr (GPtrArray) files = NULL;
  gsize len;
  const void *data = g_bytes_get_data (message, &len);
  RfInk ink = { 0 };

  if (!seal_begin (w, 0, error) || !seal_write (w, w->manifest->str, w->manifest->len, error) ||
      !seal_write (w, "\n", 1, error) || !seal_write (w, data != NULL ? data : "", len, error) ||
      !seal_end (w, &post_id, error))
    return FALSE;
  /* borrowed ids: the writer's array owns them */
  files = g_ptr_array_sized_new (w->file_blobs->len + 1);
  for (guint i = 0; i < w->file_blobs->len; i++)
    g_ptr_array_add (files, g_ptr_array_index (w->file_blobs, i));
  g_ptr_array_add (files, NULL);
  ink.list_address = (char *) list_address;
  ink.blob_id = post_id;
  ink.file_blobs = (char **) files->pdata;
  ink.created = created;
  ink.expires = expires;
  hash = rf_token_hash (w->token);
  if (!rf_ink_add (store, hash, &ink, error))
    return FALSE;
  w->finished = TRUE;
  return TRUE;
}
