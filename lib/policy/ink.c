/* ink.c - Disappearing Ink (issue 16; setting disappearing_ink = 1d, 3d
 * or 7d): the post and its files go, sealed, to a page behind the list's
 * web user and password; each copy keeps the header (Subject, From, Date,
 * and the rest) and gets a short notice with the link instead of a body.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What goes to the page: everything of the body.  The text/plain and
 * text/html parts that a reader shows inline stay in the sealed message
 * (the page shows their text); every other leaf (attachments, inline
 * pictures, attached messages, signatures, encrypted parts) becomes a file
 * of its own, sealed apart so that a download streams.  Nothing of the
 * body reaches the copy: not a file name, not a line of text.
 *
 * Like attachments=link, this policy does I/O: it writes blobs and rows
 * before the copy is rendered, and a failure is RF_ERROR_TEMPORARY
 * (listdeliver 75): the MTA retries, and nothing half-written stays behind
 * (the writer deletes its blobs).  It runs first, so that the other
 * policies see the notice: the attachments policy finds no attachment, the
 * footer goes under the notice.
 *
 * The token of the link is in the copies the members get and nowhere
 * else: the archive and the kept redelivery copy take the copy that
 * _rf_policy_ink_kept_copy renders, whose notice has no link.
 */
#include "ink/ink.h"
#include "policy/policy.h"

#include <string.h>

/* the link, on the message object, for the kept copy */
#define LINK_KEY "rf-ink-link"

static gint64
ink_days (const RfPolicyContext *ctx)
{
  const char *value = _rf_policy_setting (ctx, "disappearing_ink");

  if (g_str_equal (value, "1d"))
    return 1;
  if (g_str_equal (value, "3d"))
    return 3;
  if (g_str_equal (value, "7d"))
    return 7;
  return 0;
}

gboolean
_rf_policy_ink_on (const RfPolicyContext *ctx)
{
  return ink_days (ctx) > 0;
}

/* ---- the files ---- */

typedef struct {
  GMimeObject *part;
  GMimeObject *parent;   /* its multipart, or NULL: the whole body */
} Piece;

static gboolean
is_attachment (GMimeObject *object)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

  return disposition != NULL && g_mime_content_disposition_is_attachment (disposition);
}

/* what the page shows as the post's text (read.c reads the same parts) */
static gboolean
is_text (GMimeObject *object)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  return GMIME_IS_TEXT_PART (object) && !is_attachment (object) &&
         (g_mime_content_type_is_type (type, "text", "plain") ||
          g_mime_content_type_is_type (type, "text", "html"));
}

static void
collect (GMimeObject *object, GMimeObject *parent, GArray *pieces)
{
  if (GMIME_IS_MULTIPART (object))
    {
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n; i++)
        collect (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), object, pieces);
      return;
    }
  if (!is_text (object))
    g_array_append_val (pieces, ((Piece) { object, parent }));
}

static char *
raw_name (GMimeObject *part)
{
  if (GMIME_IS_MESSAGE_PART (part))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));
      const char *given = g_mime_object_get_content_disposition_parameter (part, "filename");
      const char *subject = inner != NULL ? g_mime_message_get_subject (inner) : NULL;

      if (given == NULL)
        given = g_mime_object_get_content_type_parameter (part, "name");
      if (given != NULL && *given != '\0')
        return g_str_has_suffix (given, ".eml") ? g_strdup (given)
                                                : g_strconcat (given, ".eml", NULL);
      return g_strconcat (subject != NULL && *subject != '\0' ? subject : "message", ".eml",
                          NULL);
    }
  if (GMIME_IS_PART (part))
    return g_strdup (g_mime_part_get_filename (GMIME_PART (part)));
  return NULL;
}

static gboolean
unencoded (GMimeObject *part)
{
  GMimeContentEncoding e;

  if (!GMIME_IS_PART (part))
    return FALSE;
  e = g_mime_part_get_content_encoding (GMIME_PART (part));
  return e == GMIME_CONTENT_ENCODING_DEFAULT || e == GMIME_CONTENT_ENCODING_7BIT ||
         e == GMIME_CONTENT_ENCODING_8BIT || e == GMIME_CONTENT_ENCODING_BINARY;
}

/* Where a file's bytes go: the writer, with a CR held back (below). */
typedef struct {
  RfInkWriter *writer;
  gboolean held_cr;
  GError *error;
} Sink;

static gboolean
sink_bytes (Sink *sink, const char *data, gsize len)
{
  if (len == 0)
    return TRUE;
  return sink->error == NULL &&
         _rf_ink_writer_file_write (sink->writer, data, len, &sink->error);
}

/* In CRLF mail the CR before "\n--boundary" is GMime's content of an
 * unencoded part, but RFC 2046 gives that CRLF to the boundary: a CR at
 * the end of a block waits to see whether more follows. */
static gboolean
sink_write (const char *data, gsize len, gpointer user_data)
{
  Sink *sink = user_data;
  gboolean ends_cr = len > 0 && data[len - 1] == '\r';

  if (sink->held_cr && !sink_bytes (sink, "\r", 1))
    return FALSE;
  sink->held_cr = ends_cr;
  return sink_bytes (sink, data, ends_cr ? len - 1 : len);
}

/* Seal the bytes a reader saves: the decoded content of a part, an
 * attached message whole; streamed, never whole in memory. */
static gboolean
seal_file (RfInkWriter *writer, GMimeObject *part, const char *name, const char *type,
           GError **error)
{
  Sink state = { writer, FALSE, NULL };
  g_autoptr (GMimeStream) sink = NULL;
  g_autoptr (GMimeFormatOptions) format = g_mime_format_options_new ();
  gssize written;

  if (!_rf_ink_writer_file_begin (writer, error))
    return FALSE;
  sink = _rf_mime_sink_new (sink_write, &state);
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_UNIX);
  if (GMIME_IS_MESSAGE_PART (part))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));

      written = inner != NULL ? g_mime_object_write_to_stream (GMIME_OBJECT (inner), format, sink)
                              : 0;
    }
  else if (GMIME_IS_PART (part))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));

      written = content != NULL ? g_mime_data_wrapper_write_to_stream (content, sink) : 0;
    }
  else
    written = g_mime_object_write_to_stream (part, format, sink);
  /* a decoded (base64, quoted-printable) file may well end in a CR */
  if (written >= 0 && state.held_cr && !unencoded (part))
    sink_bytes (&state, "\r", 1);
  if (written < 0 || state.error != NULL)
    {
      if (state.error != NULL)
        g_propagate_error (error, state.error);
      else
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot decode a part of the post");
      /* the writer deletes what it began */
      return FALSE;
    }
  return _rf_ink_writer_file_end (writer, name, type, error);
}

static char *
type_of (GMimeObject *part)
{
  g_autofree char *type = NULL;

  if (GMIME_IS_MESSAGE_PART (part))
    return g_strdup ("message/rfc822");
  type = g_mime_content_type_get_mime_type (g_mime_object_get_content_type (part));
  return g_ascii_strdown (type, -1);
}

static gboolean
seal_files (RfInkWriter *writer, GArray *pieces, GError **error)
{
  for (guint i = 0; i < pieces->len; i++)
    {
      GMimeObject *part = g_array_index (pieces, Piece, i).part;
      g_autofree char *type = type_of (part);
      g_autofree char *given = raw_name (part);
      g_autofree char *name = rf_attachment_safe_name (given, type, i + 1);

      if (!seal_file (writer, part, name, type, error))
        return FALSE;
    }
  return TRUE;
}

/* A multipart left without parts is no valid MIME: remove it too. */
static gboolean
prune_empty (GMimeObject *object)
{
  int n;

  if (!GMIME_IS_MULTIPART (object))
    return FALSE;
  n = g_mime_multipart_get_count (GMIME_MULTIPART (object));
  for (int i = n - 1; i >= 0; i--)
    if (prune_empty (g_mime_multipart_get_part (GMIME_MULTIPART (object), i)))
      g_mime_multipart_remove_at (GMIME_MULTIPART (object), i);
  return g_mime_multipart_get_count (GMIME_MULTIPART (object)) == 0;
}

/* The post without its files, as it is sealed: its own header, its text. */
static void
remove_files (GMimeMessage *message, GArray *pieces)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  gboolean body_gone = FALSE;

  for (guint i = 0; i < pieces->len; i++)
    {
      Piece *p = &g_array_index (pieces, Piece, i);

      if (p->parent == NULL)
        body_gone = TRUE;
      else
        g_mime_multipart_remove (GMIME_MULTIPART (p->parent), p->part);
    }
  if (body_gone || prune_empty (body))
    {
      g_autoptr (GMimeTextPart) empty = g_mime_text_part_new_with_subtype ("plain");

      g_mime_text_part_set_text (empty, "");
      g_mime_message_set_mime_part (message, GMIME_OBJECT (empty));
    }
}

/* ---- the notice ---- */

static char *
expiry_text (gint64 expires)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (expires);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

static char *
page_url (const RfPolicyContext *ctx, const char *token)
{
  g_autofree char *base = g_strdup (ctx->config->base_url);

  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  return g_strdup_printf ("%s/ink/%s", base, token);
}

/* The sentences of the notice, in order; the link goes after the first. */
static void
sentences (const RfPolicyContext *ctx, gint64 expires, guint n_files, char **head_out,
           char **ask_out, char **files_out, char **after_out)
{
  g_autofree char *until = expiry_text (expires);
  g_autofree char *owners = g_strdup_printf ("%s-owner@%s", ctx->list->local, ctx->list->domain);

  *head_out = g_strdup_printf ("This message to %s is on a protected page until %s:",
                               ctx->list->address, until);
  *ask_out = g_strdup_printf ("The page asks for the list's web user name and password. If you "
                              "do not have them, ask the list's owners: %s",
                              owners);
  *files_out = n_files == 0 ? NULL
               : n_files == 1
                   ? g_strdup ("Its attachment is on the page too, and only there.")
                   : g_strdup_printf ("Its %u attachments are on the page too, and only there.",
                                      n_files);
  *after_out = g_strdup ("After that date the message is deleted from the server and the link "
                         "stops working. Opening the page does not use it up.");
}

/* @text in lines of at most 72 columns, broken at spaces (a word longer
 * than a line stays whole). */
static char *
wrap (const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  GString *out = g_string_new (NULL);
  glong column = 0;

  for (char **w = words; *w != NULL; w++)
    {
      glong len = g_utf8_strlen (*w, -1);

      if (**w == '\0')
        continue;
      if (column > 0 && column + 1 + len > 72)
        {
          g_string_append_c (out, '\n');
          column = 0;
        }
      else if (column > 0)
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, *w);
      column += len;
    }
  return g_string_free (out, FALSE);
}

/* HTML-escaped, with &#39; for the apostrophe (&apos; is not HTML 4). */
static char *
html_escape (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto (GStrv) pieces = g_strsplit (escaped, "&apos;", -1);

  return g_strjoinv ("&#39;", pieces);
}

static GMimeObject *
text_part (const char *subtype, const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);

  g_mime_text_part_set_text (part, text);
  g_mime_part_set_content_encoding (
      GMIME_PART (part),
      g_mime_part_get_best_content_encoding (GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static GMimeObject *
notice (const RfPolicyContext *ctx, const char *url, gint64 expires, guint n_files)
{
  g_autofree char *head = NULL, *ask = NULL, *files = NULL, *after = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *html = NULL;
  g_autoptr (GMimeObject) plain_part = NULL;
  g_autoptr (GMimeObject) html_part = NULL;
  GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");

  sentences (ctx, expires, n_files, &head, &ask, &files, &after);
  {
    g_autofree char *h = wrap (head);
    g_autofree char *a = wrap (ask);
    g_autofree char *f = files != NULL ? wrap (files) : NULL;
    g_autofree char *t = wrap (after);

    plain = g_strdup_printf ("%s\n\n  %s\n\n%s\n\n%s%s%s\n", h, url, a, f != NULL ? f : "",
                             f != NULL ? "\n\n" : "", t);
  }
  {
    g_autofree char *h = html_escape (head);
    g_autofree char *u = html_escape (url);
    g_autofree char *a = html_escape (ask);
    g_autofree char *f = files != NULL ? html_escape (files) : NULL;
    g_autofree char *t = html_escape (after);

    html = g_strdup_printf ("<html><body>\n<p>%s</p>\n<p><a href=\"%s\">%s</a></p>\n<p>%s</p>\n"
                            "%s%s%s<p>%s</p>\n</body></html>\n",
                            h, u, u, a, f != NULL ? "<p>" : "", f != NULL ? f : "",
                            f != NULL ? "</p>\n" : "", t);
  }
  plain_part = text_part ("plain", plain);
  html_part = text_part ("html", html);
  g_mime_multipart_add (alternative, plain_part);
  g_mime_multipart_add (alternative, html_part);
  return GMIME_OBJECT (alternative);
}

gboolean
_rf_policy_ink (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  gint64 days = ink_days (ctx);
  g_autoptr (RfInkWriter) writer = NULL;
  g_autoptr (GArray) pieces = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GMimeObject) body = NULL;
  g_autofree char *url = NULL;
  gint64 now = rf_now (), expires;
  guint n_files;

  if (days == 0)
    return TRUE;
  if (ctx->store == NULL || ctx->config == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "disappearing_ink needs the store and the configuration");
      return FALSE;
    }
  expires = now + days * RF_DAY;
  writer = _rf_ink_writer_new (ctx->config, error);
  if (writer == NULL)
    return FALSE;
  pieces = g_array_new (FALSE, FALSE, sizeof (Piece));
  if (g_mime_message_get_mime_part (message) != NULL)
    collect (g_mime_message_get_mime_part (message), NULL, pieces);
  if (!seal_files (writer, pieces, error))
    {
      g_prefix_error (error, "sealing a file of the post: ");
      return FALSE;
    }
  n_files = pieces->len;
  remove_files (message, pieces);
  sealed = _rf_mime_render (message, error);
  if (sealed == NULL ||
      !_rf_ink_writer_finish (writer, ctx->store, ctx->list->address, now, expires, sealed,
                                  error))
    {
      g_prefix_error (error, "sealing the post: ");
      return FALSE;
    }

  /* the copy: the same header, the notice for a body */
  url = page_url (ctx, _rf_ink_writer_token (writer));
  body = notice (ctx, url, expires, n_files);
  g_mime_message_set_mime_part (message, body);
  g_object_set_data_full (G_OBJECT (message), LINK_KEY, g_steal_pointer (&url), g_free);
  if (ctx->actor != NULL)
    {
      g_autofree char *detail =
          g_strdup_printf ("the post went to a protected page for %" G_GINT64_FORMAT " day%s, "
                           "%u file%s with it",
                           days, days == 1 ? "" : "s", n_files, n_files == 1 ? "" : "s");

      rf_activity_log (ctx->store, ctx->actor, "ink", ctx->list->address, detail);
    }
  return TRUE;
}

/* Replace every @link in the text parts of @object by @instead. */
static void
unlink_part (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
  const char *const *pair = user_data;
  g_autofree char *text = NULL;
  g_auto (GStrv) pieces = NULL;
  g_autofree char *joined = NULL;
  GMimeContentEncoding was;

  if (!GMIME_IS_TEXT_PART (part))
    return;
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  if (text == NULL || strstr (text, pair[0]) == NULL)
    return;
  was = g_mime_part_get_content_encoding (GMIME_PART (part));
  pieces = g_strsplit (text, pair[0], -1);
  joined = g_strjoinv (pair[1], pieces);
  g_mime_text_part_set_text (GMIME_TEXT_PART (part), joined);
  g_mime_part_set_content_encoding (GMIME_PART (part), was);
}

gboolean
_rf_policy_ink_kept_copy (GMimeMessage *message, GBytes **kept_out, GError **error)
{
  const char *url = g_object_get_data (G_OBJECT (message), LINK_KEY);
  const char *pair[] = { url, "(the link is only in the copies sent to the members)" };
  GMimeObject *body = g_mime_message_get_mime_part (message);

  *kept_out = NULL;
  if (url == NULL)
    return TRUE;
  if (GMIME_IS_TEXT_PART (body))
    unlink_part (NULL, body, pair);
  else
    g_mime_message_foreach (message, unlink_part, pair);
  *kept_out = _rf_mime_render (message, error);
  return *kept_out != NULL;
}
