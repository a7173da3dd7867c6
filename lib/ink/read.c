/* read.c - an ink post unsealed with its link's token, as the page shows
 * it, and its files as they are downloaded.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows text only: the text/plain parts, or the text of an
 * HTML-only post (lib/archive's converter), so no HTML of a post is ever
 * served as HTML and nothing it points to is fetched.  Unlike the
 * archive, the text is not cut: the page is the only place the post is.
 */
#include "ink/ink.h"
#include "archive/archive.h"
#include "mime/mime.h"

#include <string.h>

void
rf_ink_post_free (RfInkPost *post)
{
  if (post == NULL)
    return;
  g_free (post->from);
  g_free (post->to);
  g_free (post->cc);
  g_free (post->date);
  g_free (post->subject);
  if (post->text != NULL)
    rf_wipe_string (post->text);
  g_free (post->text);
  g_clear_pointer (&post->files, g_ptr_array_unref);
  g_free (post);
}

static void
file_free (RfInkFile *f)
{
  g_free (f->name);
  g_free (f->content_type);
  g_free (f);
}

/* Unseal blob @n of @ink (0: the post) for reading.  Returns: the store
 * the reader reads from in *blobs_out, which must outlive it. */
static RfUnsealer *
open_blob (const RfConfig *config, const char *blob_id, const char *token, guint64 n,
           RfBlobStore **blobs_out, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  RfBlobReader *reader;
  RfUnsealer *unsealer;
  guint8 key[RF_KEY_BYTES];

  if (!_rf_ink_key (token, n, key))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such ink post");
      return NULL;
    }
  blobs = rf_blob_store_open (config, error);
  reader = blobs != NULL ? rf_blob_get (blobs, blob_id, error) : NULL;
  unsealer = reader != NULL ? rf_unsealer_new (reader, key, error) : NULL;
  rf_wipe (key, sizeof key);
  if (unsealer == NULL)
    return NULL;
  *blobs_out = g_steal_pointer (&blobs);
  return unsealer;
}

/* ---- the text the page shows ---- */

/* Valid UTF-8; CRLF as LF; control characters but newline and tab (and,
 * with @one_line, those too) as spaces. */
static char *
clean (const char *text, gssize len, gboolean one_line)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", text != NULL ? len : 0);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\r' && p[1] == '\n' && !one_line)
        continue;
      if ((c < 0x20 && (one_line || (c != '\n' && c != '\t'))) || c == 0x7f)
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  if (one_line)
    g_strstrip (out->str);
  return g_string_free (out, FALSE);
}

typedef struct {
  GString *plain;
  GString *html;
} Texts;

static void
collect_text (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
  Texts *texts = user_data;
  GMimeContentType *type = g_mime_object_get_content_type (part);
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);
  g_autofree char *text = NULL;
  GString *into;

  if (!GMIME_IS_TEXT_PART (part) ||
      (disposition != NULL && g_mime_content_disposition_is_attachment (disposition)))
    return;
  if (g_mime_content_type_is_type (type, "text", "plain"))
    into = texts->plain;
  else if (g_mime_content_type_is_type (type, "text", "html"))
    into = texts->html;
  else
    return;
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  if (text == NULL)
    return;
  if (into->len > 0)
    g_string_append_c (into, '\n');
  g_string_append (into, text);
  rf_wipe_string (text);
}

static char *
addresses (GMimeMessage *message, GMimeAddressType type)
{
  InternetAddressList *list = g_mime_message_get_addresses (message, type);
  g_autofree char *text = NULL;

  if (list == NULL || internet_address_list_length (list) == 0)
    return g_strdup ("");
  text = internet_address_list_to_string (list, NULL, FALSE);
  return clean (text, -1, TRUE);
}

static char *
sender (GMimeMessage *message)
{
  InternetAddressList *from = g_mime_message_get_from (message);

  for (int i = 0; from != NULL && i < internet_address_list_length (from); i++)
    {
      InternetAddress *a = internet_address_list_get_address (from, i);
      const char *name = internet_address_get_name (a);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (a))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a));
      if (name != NULL && *name != '\0')
        {
          g_autofree char *both = g_strdup_printf ("%s <%s>", name, addr);
          return clean (both, -1, TRUE);
        }
      return clean (addr, -1, TRUE);
    }
  return g_strdup ("");
}

static gboolean
read_message (RfInkPost *post, GBytes *bytes, GError **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GBytes) fixed = _rf_mime_fix_line_ends (bytes);
  const char *date;
  Texts texts = { g_string_new (NULL), g_string_new (NULL) };

  message = _rf_mime_parse (fixed, NULL, error);
  if (message == NULL)
    {
      g_string_free (texts.plain, TRUE);
      g_string_free (texts.html, TRUE);
      return FALSE;
    }
  post->from = sender (message);
  post->to = addresses (message, GMIME_ADDRESS_TYPE_TO);
  post->cc = addresses (message, GMIME_ADDRESS_TYPE_CC);
  date = g_mime_object_get_header (GMIME_OBJECT (message), "Date");
  post->date = clean (date, -1, TRUE);
  post->subject = clean (g_mime_message_get_subject (message), -1, TRUE);
  if (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (message)))
    collect_text (NULL, g_mime_message_get_mime_part (message), &texts);
  else
    g_mime_message_foreach (message, collect_text, &texts);
  if (texts.plain->len > 0)
    post->text = clean (texts.plain->str, texts.plain->len, FALSE);
  else
    {
      g_autofree char *text = _rf_html_to_text (texts.html->str, texts.html->len);

      post->text = clean (text, -1, FALSE);
      rf_wipe_string (text);
    }
  rf_wipe (texts.plain->str, texts.plain->len);
  rf_wipe (texts.html->str, texts.html->len);
  g_string_free (texts.plain, TRUE);
  g_string_free (texts.html, TRUE);
  return TRUE;
}

/* "file\tSIZE\tTYPE\tNAME" */
static RfInkFile *
parse_file_line (const char *line, guint n)
{
  g_auto (GStrv) fields = g_strsplit (line, "\t", 4);
  guint64 size;
  RfInkFile *f;

  if (g_strv_length (fields) != 4 || !g_str_equal (fields[0], "file") ||
      !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT64, &size, NULL) ||
      *fields[2] == '\0' || *fields[3] == '\0')
    return NULL;
  f = g_new0 (RfInkFile, 1);
  f->n = n;
  f->size = size;
  f->content_type = g_strdup (fields[2]);
  f->name = g_strdup (fields[3]);
  return f;
}

static gboolean
damaged (GError **error)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "ink post damaged: not a post");
  return FALSE;
}

RfInkPost *
rf_ink_post_read (const RfConfig *config, const RfInk *ink, const char *token, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  g_autoptr (RfUnsealer) unsealer = NULL;
  g_autoptr (RfInkPost) post = NULL;
  g_autoptr (GBytes) message = NULL;
  GByteArray *plain = g_byte_array_new ();
  guint8 buf[64 * 1024];
  const char *data, *end, *line;
  gssize n;
  guint count = 0;

  unsealer = open_blob (config, ink->blob_id, token, 0, &blobs, error);
  if (unsealer == NULL)
    {
      g_byte_array_unref (plain);
      return NULL;
    }
  while ((n = rf_unsealer_read (unsealer, buf, sizeof buf, error)) > 0)
    g_byte_array_append (plain, buf, (guint) n);
  rf_wipe (buf, sizeof buf);
  if (n < 0)
    {
      rf_wipe (plain->data, plain->len);
      g_byte_array_unref (plain);
      return NULL;
    }
  /* the file list, up to the empty line; then the message */
  post = g_new0 (RfInkPost, 1);
  post->files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_free);
  data = (const char *) plain->data;
  end = data + plain->len;
  line = memchr (data, '\n', plain->len);
  if (line == NULL || line - data != 15 || memcmp (data, "reflector-ink 1", 15) != 0)
    {
      damaged (error);
      goto out;
    }
  for (line = line + 1; line < end && *line != '\n';)
    {
      const char *eol = memchr (line, '\n', end - line);
      g_autofree char *text = NULL;
      RfInkFile *f;

      if (eol == NULL)
        {
          damaged (error);
          goto out;
        }
      text = g_strndup (line, eol - line);
      f = parse_file_line (text, ++count);
      if (f == NULL)
        {
          damaged (error);
          goto out;
        }
      g_ptr_array_add (post->files, f);
      line = eol + 1;
    }
  if (line >= end || post->files->len != g_strv_length (ink->file_blobs))
    {
      damaged (error);
      goto out;
    }
  message = g_bytes_new (line + 1, end - line - 1);
  if (!read_message (post, message, error))
    goto out;
  rf_wipe (plain->data, plain->len);
  g_byte_array_unref (plain);
  return g_steal_pointer (&post);

out:
  rf_wipe (plain->data, plain->len);
  g_byte_array_unref (plain);
  return NULL;
}

struct _RfInkFileReader {
  RfBlobStore *blobs;     /* outlives the unsealer's reader */
  RfUnsealer *unsealer;
};

RfInkFileReader *
rf_ink_file_open (const RfConfig *config, const RfInk *ink, const char *token, guint n,
                  GError **error)
{
  RfInkFileReader *reader;
  RfBlobStore *blobs = NULL;
  RfUnsealer *unsealer;

  if (n == 0 || n > g_strv_length (ink->file_blobs))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no such file");
      return NULL;
    }
  unsealer = open_blob (config, ink->file_blobs[n - 1], token, n, &blobs, error);
  if (unsealer == NULL)
    return NULL;
  reader = g_new0 (RfInkFileReader, 1);
  reader->blobs = blobs;
  reader->unsealer = unsealer;
  return reader;
}

gssize
rf_ink_file_read (RfInkFileReader *reader, void *buf, gsize len, GError **error)
{
  return rf_unsealer_read (reader->unsealer, buf, len, error);
}

void
rf_ink_file_reader_free (RfInkFileReader *reader)
{
  if (reader == NULL)
    return;
  rf_unsealer_free (reader->unsealer);
  rf_blob_store_free (reader->blobs);
  g_free (reader);
}
