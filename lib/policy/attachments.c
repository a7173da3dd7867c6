/* attachments.c - attachments out of the post, into the blob store, and a
 * link in their place (issue 3; setting 'attachments = link').
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What counts as an attachment is what a mail reader shows as one: a part
 * with Content-Disposition: attachment, or a non-text leaf that is not the
 * body, at any depth of multipart; an attached message/rfc822 is one
 * attachment (stored as .eml, not looked into).  Left alone: signatures
 * (application/pgp-signature, application/pkcs7-signature); the inline
 * resources of a multipart/related (the pictures an HTML body shows by
 * cid:, which no reader lists as attachments); and everything under
 * multipart/signed or multipart/encrypted, which cannot change without
 * breaking it (a post that is signed or encrypted as a whole passes, or is
 * refused, as 'attachment_signed' says).
 *
 * The removed parts' places get a short block: appended to the first
 * text/plain body part and, when there is one, a matching list before
 * </body> of the first text/html body part.  Everything else of the post
 * stays as it was: the block is appended to the decoded bytes of the part
 * in the part's own charset, and the part keeps its transfer encoding.
 *
 * This is the one policy that does I/O: it writes blobs and rows before
 * the copy is rendered.  A failure is RF_ERROR_TEMPORARY (listdeliver 75):
 * the MTA retries and the post goes out whole, never without its files.
 */
#include "blob/blob.h"
#include "policy/policy.h"
#include "store/store.h"

#include <string.h>

/* ---- a GMimeStream that seals what is written to it ---- */

typedef struct {
  GMimeStream parent;
  RfSealer *sealer;
  guint64 size;
  GError *error;
  /* a CR held back: in CRLF mail the CR before the closing "\n--boundary"
   * is GMime's content of an unencoded part, but RFC 2046 gives that CRLF
   * to the boundary, so a final lone CR is not the file's */
  gboolean held_cr;
} SealStream;
typedef struct {
  GMimeStreamClass parent_class;
} SealStreamClass;

static GType seal_stream_get_type (void);
G_DEFINE_TYPE (SealStream, seal_stream, GMIME_TYPE_STREAM)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SealStream, g_object_unref)

static gboolean
seal_bytes (SealStream *s, const char *buf, size_t len)
{
  if (len == 0)
    return TRUE;
  if (s->error != NULL || !rf_sealer_write (s->sealer, buf, len, &s->error))
    return FALSE;
  s->size += len;
  return TRUE;
}

static ssize_t
seal_stream_write (GMimeStream *stream, const char *buf, size_t len)
{
  SealStream *s = (SealStream *) stream;
  gboolean ends_cr = len > 0 && buf[len - 1] == '\r';

  if (len == 0)
    return 0;
  if (s->held_cr && !seal_bytes (s, "\r", 1))
    return -1;
  s->held_cr = ends_cr;
  if (!seal_bytes (s, buf, ends_cr ? len - 1 : len))
    return -1;
  stream->position += (gint64) len;
  return (ssize_t) len;
}

static int
seal_stream_flush (GMimeStream *stream)
{
  return 0;
}

static int
seal_stream_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
seal_stream_eos (GMimeStream *stream)
{
  return FALSE;
}

static gint64
seal_stream_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
seal_stream_length (GMimeStream *stream)
{
  return -1;
}

static void
seal_stream_finalize (GObject *object)
{
  g_clear_error (&((SealStream *) object)->error);
  G_OBJECT_CLASS (seal_stream_parent_class)->finalize (object);
}

static void
seal_stream_class_init (SealStreamClass *klass)
{
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = seal_stream_finalize;
  stream_class->write = seal_stream_write;
  stream_class->flush = seal_stream_flush;
  stream_class->close = seal_stream_close;
  stream_class->eos = seal_stream_eos;
  stream_class->tell = seal_stream_tell;
  stream_class->length = seal_stream_length;
}

static void
seal_stream_init (SealStream *s)
{
}

/* ---- finding the attachments ---- */

typedef struct {
  GMimeObject *part;
  GMimeMultipart *parent;   /* NULL: the whole body of the post */
  /* filled when stored */
  char *name;
  char *type;
  guint64 size;
  char *url;
} Found;

static void
found_free (Found *f)
{
  g_free (f->name);
  g_free (f->type);
  g_free (f->url);
  g_free (f);
}

static gboolean
is_sealed (GMimeObject *object)
{
  return GMIME_IS_MULTIPART_SIGNED (object) || GMIME_IS_MULTIPART_ENCRYPTED (object) ||
         g_mime_content_type_is_type (g_mime_object_get_content_type (object), "multipart",
                                      "signed") ||
         g_mime_content_type_is_type (g_mime_object_get_content_type (object), "multipart",
                                      "encrypted");
}

static gboolean
is_attachment_disposition (GMimeObject *object)
{
  const char *disposition = g_mime_object_get_disposition (object);

  return disposition != NULL && g_ascii_strcasecmp (disposition, "attachment") == 0;
}

static void
collect (GMimeObject *object, GMimeMultipart *parent, gboolean related_resource,
         GPtrArray *found)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  Found *f;

  if (is_sealed (object))
    return;
  if (GMIME_IS_MULTIPART (object))
    {
      gboolean related = g_mime_content_type_is_type (type, "multipart", "related");
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n; i++)
        collect (g_mime_multipart_get_part (GMIME_MULTIPART (object), i),
                 GMIME_MULTIPART (object), related && i > 0, found);
      return;
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      if (parent == NULL && !is_attachment_disposition (object))
        return;   /* a post that IS a message/rfc822 (digest-like): leave it */
    }
  else
    {
      if (g_mime_content_type_is_type (type, "application", "pgp-signature") ||
          g_mime_content_type_is_type (type, "application", "pkcs7-signature") ||
          g_mime_content_type_is_type (type, "application", "x-pkcs7-signature"))
        return;
      if (!is_attachment_disposition (object) &&
          (g_mime_content_type_is_type (type, "text", "*") || related_resource))
        return;
    }
  f = g_new0 (Found, 1);
  f->part = object;
  f->parent = parent;
  g_ptr_array_add (found, f);
}

/* The attachments of a post, as this policy finds them (issue 11: the
 * screen refuses a post with more than max_attachments). */
guint
_rf_policy_count_attachments (GMimeMessage *message)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr (GPtrArray) found = NULL;

  if (body == NULL || is_sealed (body))
    return 0;
  found = g_ptr_array_new_with_free_func ((GDestroyNotify) found_free);
  collect (body, NULL, FALSE, found);
  return found->len;
}

/* ---- storing one ---- */

static char *
message_name (GMimeMessagePart *mp)
{
  const char *given =
      g_mime_object_get_content_disposition_parameter (GMIME_OBJECT (mp), "filename");
  GMimeMessage *inner = g_mime_message_part_get_message (mp);
  const char *subject = inner != NULL ? g_mime_message_get_subject (inner) : NULL;

  if (given == NULL)
    given = g_mime_object_get_content_type_parameter (GMIME_OBJECT (mp), "name");
  if (given != NULL && *given != '\0')
    return g_str_has_suffix (given, ".eml") ? g_strdup (given) : g_strconcat (given, ".eml", NULL);
  return g_strconcat (subject != NULL && *subject != '\0' ? subject : "message", ".eml", NULL);
}

static char *
url_for (const RfPolicyContext *ctx, const char *token, gint64 post, gint64 n, const char *name)
{
  g_autofree char *base = g_strdup (ctx->config->base_url);
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);

  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  if (token != NULL)
    return g_strdup_printf ("%s/a/%s/%s", base, token, escaped);
  {
    g_autofree char *list = g_uri_escape_string (ctx->list->address, "@", FALSE);

    return g_strdup_printf ("%s/a/%s/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%s", base, list,
                            post, n, escaped);
  }
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

/* Write the decoded content of @f->part, sealed, under a new blob id, and
 * record its row. */
static gboolean
store_one (Found *f, guint index, RfBlobStore *blobs, const RfPolicyContext *ctx,
           gboolean unguessable, gint64 post, gint64 expires, GError **error)
{
  g_autofree char *blob_id = rf_blob_id_new ();
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *raw_name = NULL;
  g_autoptr (SealStream) sink = NULL;
  RfSealer *sealer;
  RfAttachment row = { 0 };
  guint8 key[RF_KEY_BYTES];
  gboolean ok;

  if (GMIME_IS_MESSAGE_PART (f->part))
    {
      raw_name = message_name (GMIME_MESSAGE_PART (f->part));
      f->type = g_strdup ("message/rfc822");
    }
  else
    {
      GMimeContentType *type = g_mime_object_get_content_type (f->part);
      g_autofree char *mime_type = g_mime_content_type_get_mime_type (type);

      raw_name = g_strdup (GMIME_IS_PART (f->part) ? g_mime_part_get_filename (GMIME_PART (f->part))
                                                   : NULL);
      f->type = g_ascii_strdown (mime_type, -1);
    }
  f->name = rf_attachment_safe_name (raw_name, f->type, index);

  if (unguessable)
    {
      token = rf_token_new ();
      token_hash = rf_token_hash (token);
      if (!rf_token_blob_key (token, key))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot derive a blob key");
          return FALSE;
        }
    }
  else if (!rf_site_blob_key (ctx->config, blob_id, FALSE, key, error))
    return FALSE;

  sealer = rf_sealer_begin (blobs, blob_id, key, error);
  if (sealer == NULL)
    return FALSE;
  /* issue 11: an unguessable file's name and type go in with its bytes,
   * sealed, and not in the row, where a copy of the database would read
   * them */
  if (unguessable)
    {
      g_autoptr (GByteArray) head = g_byte_array_new ();
      const char *fields[] = { f->name, f->type };

      g_byte_array_append (head, (const guint8 *) RF_ATTACHMENT_HEAD,
                           sizeof RF_ATTACHMENT_HEAD - 1);
      for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          gsize n = MIN (strlen (fields[i]), 0xffff);
          guint8 len[2] = { (guint8) (n >> 8), (guint8) (n & 0xff) };

          g_byte_array_append (head, len, 2);
          g_byte_array_append (head, (const guint8 *) fields[i], (guint) n);
        }
      if (!rf_sealer_write (sealer, head->data, head->len, error))
        {
          rf_sealer_abort (sealer);
          return FALSE;
        }
    }
  sink = g_object_new (seal_stream_get_type (), NULL);
  sink->sealer = sealer;

  if (GMIME_IS_MESSAGE_PART (f->part))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (f->part));
      g_autoptr (GMimeFormatOptions) format = g_mime_format_options_new ();

      g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_UNIX);
      ok = inner == NULL ||
           g_mime_object_write_to_stream (GMIME_OBJECT (inner), format, GMIME_STREAM (sink)) >= 0;
    }
  else
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (f->part));

      ok = content == NULL ||
           g_mime_data_wrapper_write_to_stream (content, GMIME_STREAM (sink)) >= 0;
    }
  /* a decoded (base64, quoted-printable) file may well end in a CR */
  if (ok && sink->held_cr && !unencoded (f->part))
    ok = seal_bytes (sink, "\r", 1);
  if (!ok || sink->error != NULL)
    {
      if (sink->error != NULL)
        g_propagate_error (error, g_steal_pointer (&sink->error));
      else
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot decode an attachment");
      rf_sealer_abort (sealer);
      return FALSE;
    }
  if (!rf_sealer_finish (sealer, error))
    return FALSE;
  f->size = sink->size;

  row.blob_id = blob_id;
  row.list_address = ctx->list->address;
  row.unguessable = unguessable;
  row.post = post;
  row.n = index;
  row.filename = unguessable ? "" : f->name;
  row.content_type = unguessable ? "" : f->type;
  row.size = f->size;
  row.created = rf_now ();
  row.expires = expires;
  if (!rf_attachment_add (ctx->store, &row, token_hash, NULL, error))
    {
      g_autoptr (GError) ignored = NULL;

      rf_blob_delete (blobs, blob_id, &ignored);
      return FALSE;
    }
  f->url = url_for (ctx, token, post, index, f->name);
  return TRUE;
}

/* ---- the blocks ---- */

static char *
expiry_date (gint64 expires)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (expires);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d") : g_strdup ("?");
}

static char *
human_size (guint64 size)
{
  g_autofree char *glib = NULL;
  char *nbsp;

  if (size < 1000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", size);
  /* GLib separates number and unit with a no-break space: a plain space
   * keeps an ASCII block ASCII, so the part keeps its 7bit encoding */
  glib = g_format_size_full (size, G_FORMAT_SIZE_DEFAULT);
  while ((nbsp = strstr (glib, "\xc2\xa0")) != NULL)
    {
      *nbsp = ' ';
      memmove (nbsp + 1, nbsp + 2, strlen (nbsp + 2) + 1);
    }
  return g_steal_pointer (&glib);
}

static char *
intro (GPtrArray *found, gint64 expires)
{
  g_autofree char *date = expires != 0 ? expiry_date (expires) : NULL;

  if (found->len == 1)
    return date != NULL
               ? g_strdup_printf ("1 attachment was removed from this message; its link works "
                                  "until %s (UTC):", date)
               : g_strdup ("1 attachment was removed from this message; its link does not "
                           "expire:");
  return date != NULL
             ? g_strdup_printf ("%u attachments were removed from this message; their links "
                                "work until %s (UTC):", found->len, date)
             : g_strdup_printf ("%u attachments were removed from this message; their links do "
                                "not expire:", found->len);
}

static char *
text_block (GPtrArray *found, gint64 expires, const char *eol)
{
  g_autoptr (GString) out = g_string_new (eol);
  g_autofree char *head = intro (found, expires);

  g_string_append_printf (out, "[%s]%s", head, eol);
  for (guint i = 0; i < found->len; i++)
    {
      const Found *f = g_ptr_array_index (found, i);
      g_autofree char *size = human_size (f->size);

      g_string_append_printf (out, "* %s (%s, %s)%s  %s%s", f->name, size, f->type, eol, f->url,
                              eol);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* HTML-escaped, every non-ASCII character as a numeric reference: the
 * list then fits any charset the HTML part is in. */
static void
append_html_escaped (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '&': g_string_append (out, "&amp;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default:
          if (c < 0x80)
            g_string_append_c (out, (char) c);
          else
            g_string_append_printf (out, "&#%u;", c);
        }
    }
}

static char *
html_block (GPtrArray *found, gint64 expires, const char *eol)
{
  g_autoptr (GString) out = g_string_new (eol);
  g_autofree char *head = intro (found, expires);

  g_string_append (out, "<div class=\"reflector-attachments\"><p>");
  append_html_escaped (out, head);
  g_string_append_printf (out, "</p>%s<ul>%s", eol, eol);
  for (guint i = 0; i < found->len; i++)
    {
      const Found *f = g_ptr_array_index (found, i);
      g_autofree char *size = human_size (f->size);

      g_string_append (out, "<li><a href=\"");
      append_html_escaped (out, f->url);
      g_string_append (out, "\">");
      append_html_escaped (out, f->name);
      g_string_append (out, "</a> (");
      append_html_escaped (out, size);
      g_string_append (out, ", ");
      append_html_escaped (out, f->type);
      g_string_append_printf (out, ")</li>%s", eol);
    }
  g_string_append_printf (out, "</ul></div>%s", eol);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GByteArray *
decoded_content (GMimePart *part)
{
  GByteArray *bytes = g_byte_array_new ();
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new_with_byte_array (bytes);
  GMimeDataWrapper *content = g_mime_part_get_content (part);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  if (content != NULL && g_mime_data_wrapper_write_to_stream (content, mem) < 0)
    {
      g_byte_array_unref (bytes);
      return NULL;
    }
  return bytes;
}

static gboolean
all_ascii (const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* Add @block (UTF-8) to the part's decoded bytes: at the end, or for HTML
 * before the last </body>.  The part's charset is kept: the block is
 * converted to it (characters it lacks become '?'). */
static gboolean
append_to_part (GMimePart *part, const char *block, gboolean html)
{
  GMimeContentEncoding was = g_mime_part_get_content_encoding (part);
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  g_autoptr (GByteArray) bytes = decoded_content (part);
  g_autofree char *converted = NULL;
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeDataWrapper) wrapper = NULL;
  gsize at;

  if (bytes == NULL)
    return FALSE;
  if (charset == NULL || g_ascii_strcasecmp (charset, "us-ascii") == 0 ||
      g_ascii_strcasecmp (charset, "ascii") == 0)
    {
      if (all_ascii ((const guint8 *) block, strlen (block)))
        converted = g_strdup (block);
      else if (all_ascii (bytes->data, bytes->len))
        {
          /* ASCII is a subset of UTF-8: the text stays the same bytes */
          g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "charset", "utf-8");
          converted = g_strdup (block);
        }
      else
        converted = g_str_to_ascii (block, "C");
    }
  else if (g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0)
    converted = g_strdup (block);
  else
    {
      converted = g_convert_with_fallback (block, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
      if (converted == NULL)
        converted = g_str_to_ascii (block, "C");
    }

  at = bytes->len;
  if (html)
    {
      /* before the last </body>, in any case */
      for (gsize i = bytes->len; i >= 7; i--)
        if (g_ascii_strncasecmp ((const char *) bytes->data + i - 7, "</body>", 7) == 0)
          {
            at = i - 7;
            break;
          }
    }
  else if (at > 0 && bytes->data[at - 1] != '\n')
    {
      /* the block starts on a line of its own */
      g_byte_array_append (bytes, (const guint8 *) "\n", 1);
      at = bytes->len;
    }
  {
    gsize tail = bytes->len - at;
    gsize add = strlen (converted);

    g_byte_array_set_size (bytes, bytes->len + add);
    memmove (bytes->data + at + add, bytes->data + at, tail);
    memcpy (bytes->data + at, converted, add);
  }

  stream = g_mime_stream_mem_new_with_buffer ((const char *) bytes->data, bytes->len);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  if (was == GMIME_CONTENT_ENCODING_BASE64 || was == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
    g_mime_part_set_content_encoding (part, was);
  else
    g_mime_part_set_content_encoding (
        part, g_mime_part_get_best_content_encoding (part, GMIME_ENCODING_CONSTRAINT_7BIT));
  return TRUE;
}

/* The first inline text/@subtype leaf, outside signed/encrypted parts and
 * attached messages. */
static GMimePart *
find_body_part (GMimeObject *object, const char *subtype)
{
  if (is_sealed (object))
    return NULL;
  if (GMIME_IS_MULTIPART (object))
    {
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n; i++)
        {
          GMimePart *p = find_body_part (g_mime_multipart_get_part (GMIME_MULTIPART (object), i),
                                         subtype);
          if (p != NULL)
            return p;
        }
      return NULL;
    }
  if (GMIME_IS_TEXT_PART (object) && !is_attachment_disposition (object) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (object), "text", subtype))
    return GMIME_PART (object);
  return NULL;
}

static const char *
line_end_of (GMimePart *part)
{
  g_autoptr (GByteArray) bytes = decoded_content (part);

  return bytes != NULL && bytes->len > 0 && g_strstr_len ((const char *) bytes->data,
                                                          MIN (bytes->len, 4096), "\r\n") != NULL
             ? "\r\n" : "\n";
}

/* A multipart left without parts is not valid MIME: remove it too.  And a
 * post cut short lacks closing boundaries, which GMime faithfully leaves
 * out: the changed copy gets them, so that it is valid MIME. */
static gboolean
prune_empty (GMimeObject *object)
{
  int n;

  if (!GMIME_IS_MULTIPART (object) || is_sealed (object))
    return FALSE;
  GMIME_MULTIPART (object)->write_end_boundary = TRUE;
  n = g_mime_multipart_get_count (GMIME_MULTIPART (object));
  for (int i = n - 1; i >= 0; i--)
    if (prune_empty (g_mime_multipart_get_part (GMIME_MULTIPART (object), i)))
      g_mime_multipart_remove_at (GMIME_MULTIPART (object), i);
  return g_mime_multipart_get_count (GMIME_MULTIPART (object)) == 0;
}

static GMimeObject *
new_text_part (const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype ("plain");

  g_mime_text_part_set_text (part, text);
  g_mime_object_set_disposition (GMIME_OBJECT (part), "inline");
  g_mime_part_set_content_encoding (
      GMIME_PART (part),
      g_mime_part_get_best_content_encoding (GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static void
add_blocks (GMimeMessage *message, GPtrArray *found, gint64 expires)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  GMimePart *plain = NULL, *html = NULL;

  if (body != NULL)
    {
      plain = find_body_part (body, "plain");
      html = find_body_part (body, "html");
    }
  if (plain != NULL)
    {
      g_autofree char *block = text_block (found, expires, line_end_of (plain));
      if (!append_to_part (plain, block, FALSE))
        plain = NULL;
    }
  if (html != NULL)
    {
      g_autofree char *block = html_block (found, expires, line_end_of (html));
      if (!append_to_part (html, block, TRUE))
        html = NULL;
    }
  if (plain != NULL || html != NULL)
    return;

  /* no text to add to: the block becomes a part of its own */
  {
    g_autofree char *block = text_block (found, expires, "\n");
    g_autoptr (GMimeObject) part = new_text_part (block + 1);

    if (body == NULL)
      g_mime_message_set_mime_part (message, part);
    else if (GMIME_IS_MULTIPART (body) &&
             g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart",
                                          "mixed"))
      g_mime_multipart_insert (GMIME_MULTIPART (body), 0, part);
    else
      {
        g_autoptr (GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

        g_object_ref (body);
        g_mime_multipart_add (mixed, part);
        g_mime_multipart_add (mixed, body);
        g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
        g_object_unref (body);
      }
  }
}

gboolean
_rf_policy_attachments (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (RfBlobStore) blobs = NULL;
  const char *retention;
  gboolean unguessable;
  gint64 post = 0, expires = 0, now = rf_now ();
  gboolean body_removed = FALSE;

  if (!g_str_equal (_rf_policy_setting (ctx, "attachments"), "link") || body == NULL)
    return TRUE;
  if (is_sealed (body))
    {
      if (g_str_equal (_rf_policy_setting (ctx, "attachment_signed"), "hold"))
        {
          /* holding for a moderator comes with the moderation issue; until
           * then the post is refused, as a non-member's is */
          g_set_error (error, RF_ERROR, RF_ERROR_REJECTED,
                       "%s does not take signed or encrypted posts (its attachments cannot be "
                       "removed without breaking them)",
                       ctx->list->address);
          return FALSE;
        }
      return TRUE;
    }
  found = g_ptr_array_new_with_free_func ((GDestroyNotify) found_free);
  collect (body, NULL, FALSE, found);
  if (found->len == 0)
    return TRUE;
  if (ctx->store == NULL || ctx->config == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "attachments=link needs the store and the configuration");
      return FALSE;
    }

  retention = _rf_policy_setting (ctx, "attachment_retention");
  if (g_str_equal (retention, "30d"))
    expires = now + 30 * RF_DAY;
  else if (g_str_equal (retention, "1y"))
    expires = now + 365 * RF_DAY;
  unguessable = rf_setting_value_bool (_rf_policy_setting (ctx, "attachment_unguessable"));
  if (!unguessable && !rf_post_number_next (ctx->store, ctx->list->address, &post, error))
    return FALSE;
  blobs = rf_blob_store_open (ctx->config, error);
  if (blobs == NULL)
    return FALSE;

  /* every file is stored before the post changes: a failure leaves the
   * post whole for the retry */
  for (guint i = 0; i < found->len; i++)
    if (!store_one (g_ptr_array_index (found, i), i + 1, blobs, ctx, unguessable, post, expires,
                    error))
      {
        g_prefix_error (error, "storing an attachment: ");
        return FALSE;
      }

  for (guint i = 0; i < found->len; i++)
    {
      Found *f = g_ptr_array_index (found, i);

      if (f->parent == NULL)
        body_removed = TRUE;
      else
        g_mime_multipart_remove (f->parent, f->part);
    }
  if (body_removed || prune_empty (body))
    {
      g_autofree char *block = text_block (found, expires, "\n");
      g_autoptr (GMimeObject) part = new_text_part (block + 1);

      g_mime_message_set_mime_part (message, part);
      return TRUE;
    }
  add_blocks (message, found, expires);
  return TRUE;
}
