/* attachments.c - GET /a/<token>/<name> and /a/<list>/<post>/<n>/<name>:
 * a stripped attachment, decrypted as it streams.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The name at the end of the URL is for the reader's eyes: the row says
 * what the file is called.  Unknown token, list, post or number: 404;
 * known but expired (or its blob gone): 410.  The file is always a
 * download (Content-Disposition: attachment), so an HTML or SVG
 * attachment never runs as a page of ours.
 */
#include "listweb.h"

#include <string.h>

#define BLOCK (64 * 1024)

typedef struct {
  RfAttachmentReader *reader;
  guint64 left;
} Download;

static ssize_t
read_block (void *cls, uint64_t pos, char *buf, size_t max)
{
  Download *d = cls;
  g_autoptr (GError) error = NULL;
  gssize n;

  if (d->left == 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  n = rf_attachment_read (d->reader, buf, MIN (max, d->left), &error);
  /* a blob shorter than its row, or damaged: cut the connection, so that
   * the client sees a failed download and not a short file */
  if (n <= 0)
    {
      if (error != NULL)
        rf_log_error ("attachment download failed: %s", error->message);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    }
  d->left -= (guint64) n;
  return n;
}

static void
free_download (void *cls)
{
  Download *d = cls;

  rf_attachment_reader_free (d->reader);
  g_free (d);
}

/* "type/subtype" of RFC 2045 tokens, else application/octet-stream. */
static const char *
safe_type (const char *type)
{
  static const char tspecials[] = "()<>@,;:\\\"/[]?= ";
  int slashes = 0;

  for (const char *p = type; *p != '\0'; p++)
    {
      if (*p == '/')
        slashes++;
      else if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr (tspecials, *p) != NULL)
        return "application/octet-stream";
    }
  return slashes == 1 && *type != '/' && !g_str_has_suffix (type, "/")
             ? type : "application/octet-stream";
}

static gboolean
parse_number (const char *s, gint64 *out)
{
  char *end = NULL;
  gint64 n;

  if (s == NULL || !g_ascii_isdigit (*s))
    return FALSE;
  n = g_ascii_strtoll (s, &end, 10);
  if (*end != '\0' || n <= 0)
    return FALSE;
  *out = n;
  return TRUE;
}

static enum MHD_Result
serve (ListwebRequest *request, RfAttachment *a, const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *disposition = NULL;
  struct MHD_Response *response;
  Download *d;
  RfAttachmentReader *reader;

  if (a->expires != 0 && a->expires <= rf_now ())
    return listweb_answer (request, MHD_HTTP_GONE, "gone: this link has expired");
  reader = rf_attachment_open (request->config, a, token, &error);
  if (reader == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return listweb_answer (request, MHD_HTTP_GONE, "gone: this file has been deleted");
      rf_log_error ("attachment: %s", error->message);
      return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "the file cannot be read now: try again later");
    }

  d = g_new0 (Download, 1);
  d->reader = reader;
  d->left = a->size;
  response = MHD_create_response_from_callback (a->size, BLOCK, read_block, d, free_download);
  /* the reader's: an unguessable file's name and type are sealed in it */
  disposition = listweb_content_disposition (rf_attachment_reader_name (reader));
  MHD_add_response_header (response, "Content-Type",
                           safe_type (rf_attachment_reader_type (reader)));
  MHD_add_response_header (response, "Content-Disposition", disposition);
  MHD_add_response_header (response, "Cache-Control", "private, no-store");
  return listweb_queue (request, MHD_HTTP_OK, response);
}

enum MHD_Result
listweb_attachment (ListwebRequest *request)
{
  g_auto (GStrv) parts = g_strsplit (request->path, "/", 0);
  guint n = g_strv_length (parts);
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfAttachment) a = NULL;
  g_autoptr (GError) error = NULL;
  const char *token = NULL;

  store = rf_store_open_with_keys (request->config, RF_STORE_READ_ONLY, &error);
  if (store == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
      rf_log_error ("%s", error->message);
      return listweb_answer (request, MHD_HTTP_SERVICE_UNAVAILABLE, "try again later");
    }
  if (n >= 1 && n <= 2 && rf_token_shaped (parts[0], RF_TOKEN_CHARS))
    {
      token = parts[0];
      a = rf_attachment_by_token (store, token, &error);
    }
  else if (n >= 3 && n <= 4 && strchr (parts[0], '@') != NULL)
    {
      gint64 post, index;
      g_autofree char *list = g_ascii_strdown (parts[0], -1);

      if (parse_number (parts[1], &post) && parse_number (parts[2], &index))
        a = rf_attachment_by_post (store, list, post, index, &error);
    }
  if (a == NULL)
    {
      if (error != NULL && !g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        {
          rf_log_error ("%s", error->message);
          return listweb_answer (request, MHD_HTTP_SERVICE_UNAVAILABLE, "try again later");
        }
      return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
    }
  return serve (request, a, token);
}
