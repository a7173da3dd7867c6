/* mime.c - one message in, one rendered message out.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "mime/mime.h"
#include "policy/policy.h"

#include <string.h>

/* A message "cannot be parsed at all" (exit 65) when it does not start with
 * a header field: GMime would take anything, and a list must not send a
 * blob of text with no From or Subject to its members. */
static gboolean
starts_with_header (const guint8 *data, gsize len)
{
  gsize i = 0, start;

  /* a UTF-8 byte-order mark, as some Windows tools write one */
  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    i = 3;
  /* field-name: printable ASCII except ':' (RFC 5322 2.2) ... */
  start = i;
  while (i < len && data[i] > 32 && data[i] < 127 && data[i] != ':')
    i++;
  if (i == start)
    return FALSE;
  /* ... then the obsolete syntax's blanks before the colon (4.5.8) */
  while (i < len && (data[i] == ' ' || data[i] == '\t'))
    i++;
  return i < len && data[i] == ':';
}

/* Parser issues after which GMime's tree no longer holds every line of the
 * input: a header line with an invalid name is skipped, a multipart without
 * boundary or a part with neither headers nor content loses structure. */
static void
note_lossy (gint64 offset, GMimeParserWarning issue, const char *item, gpointer user_data)
{
  gboolean *lossy = user_data;

  switch (issue)
    {
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      *lossy = TRUE;
      break;
    default:
      break;
    }
}

/* Issue 11: a NUL byte, and a CR that ends no line, become a space.  GMime
 * wrote a header value up to a NUL and lost the line end after it (the
 * body's lines became headers of every copy), and a bare CR is a line end
 * to some readers and not to others.  Replaced, not refused: every byte
 * stays where it was, so the structure GMime sees is the one any reader
 * sees.  @raw itself when there is none. */
static GBytes *
blank_nul_and_cr (GBytes *raw)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  guint8 *copy = NULL;

  for (gsize i = 0; i < len; i++)
    if (data[i] == '\0' || (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n')))
      {
        if (copy == NULL)
          copy = g_memdup2 (data, len);
        copy[i] = ' ';
      }
  return copy != NULL ? g_bytes_new_take (copy, len) : g_bytes_ref (raw);
}

GBytes *
_rf_mime_fix_line_ends (GBytes *raw)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  const guint8 *lf, *cr;
  GByteArray *out;

  if (len == 0)
    return g_bytes_ref (raw);
  lf = memchr (data, '\n', MIN (len, 1000));
  cr = memchr (data, '\r', MIN (len, 1000));

  /* an old Mac's bare CRs: GMime would read the whole message as one
   * header line and the copy would be empty */
  if (cr == NULL || (lf != NULL && lf < cr + 2))
    return blank_nul_and_cr (raw);
  out = g_byte_array_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\r')
        {
          g_byte_array_append (out, (const guint8 *) "\n", 1);
          if (i + 1 < len && data[i + 1] == '\n')
            i++;
        }
      else
        g_byte_array_append (out, data[i] == '\0' ? (const guint8 *) " " : data + i, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

/* the array of a borrowed buffer, without the buffer */
static void
release_borrowed (gpointer array)
{
  g_byte_array_free (array, FALSE);
}

GMimeMessage *
_rf_mime_parse (GBytes *raw, gboolean *lossy_out, GError **error)
{
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeParser) parser = NULL;
  g_autoptr (GMimeParserOptions) options = NULL;
  GMimeMessage *message;
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);

  _rf_mime_init ();
  if (len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE, "the message is empty");
      return NULL;
    }
  if (len > G_MAXUINT)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE,
                   "the message has %" G_GSIZE_FORMAT " bytes, more than can be parsed", len);
      return NULL;
    }
  if (!starts_with_header (data, len))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE,
                   "the message has no header: it does not start with a header field");
      return NULL;
    }
  /* the stream reads the caller's bytes in place, and the message keeps
   * the stream (persistent parsing), so no body is copied: not
   * g_mime_stream_mem_new_with_buffer, which copies the whole message (a
   * 10 MB post was 16 MB more of peak per parse, issue 14).  The array
   * only borrows @raw's bytes (the stream does not own it; parsing only
   * reads), and the stream holds a reference to @raw for as long as the
   * message may read it */
  {
    GByteArray *borrowed = g_byte_array_new_take ((guint8 *) data, len);

    stream = g_mime_stream_mem_new_with_byte_array (borrowed);
    g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
    g_object_set_data_full (G_OBJECT (stream), "rf-borrowed", borrowed, release_borrowed);
    g_object_set_data_full (G_OBJECT (stream), "rf-raw", g_bytes_ref (raw),
                            (GDestroyNotify) g_bytes_unref);
  }
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  if (lossy_out != NULL)
    {
      *lossy_out = FALSE;
      g_mime_parser_options_set_warning_callback (options, note_lossy, lossy_out);
    }
  message = g_mime_parser_construct_message (parser, options);
  if (message == NULL || g_mime_message_get_mime_part (message) == NULL)
    {
      g_clear_object (&message);
      g_set_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE,
                   "the message cannot be parsed as MIME");
      return NULL;
    }
  return message;
}

GBytes *
_rf_mime_render (GMimeMessage *message, GError **error)
{
  g_autoptr (GMimeFormatOptions) format = g_mime_format_options_new ();
  GByteArray *bytes = g_byte_array_new ();
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (bytes);

  /* sendmail -oi takes lines ending in LF and adds the CR itself */
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_UNIX);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  if (g_mime_object_write_to_stream (GMIME_OBJECT (message), format, stream) < 0)
    {
      g_byte_array_unref (bytes);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot render the message");
      return NULL;
    }
  /* a message must end with a line break, or the last line is lost by some
   * MTAs' dot-stuffing */
  if (bytes->len == 0 || bytes->data[bytes->len - 1] != '\n')
    g_byte_array_append (bytes, (const guint8 *) "\n", 1);
  return g_byte_array_free_to_bytes (bytes);
}
