/* archive-mime.c - what the archive indexes of a post: header fields, the
 * text of its text/plain parts (or of its HTML), its thread references.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "archive/archive.h"
#include "mime/mime.h"
#include "policy/policy.h"

#include <string.h>

/* More text than this per post adds nothing to a search but size. */
#define MAX_TEXT (256 * 1024)

void
_rf_archive_doc_free (RfArchiveDoc *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->message_id);
  g_free (doc->date_header);
  g_free (doc->from_name);
  g_free (doc->from_addr);
  g_free (doc->subject);
  g_free (doc->text);
  g_clear_pointer (&doc->parents, g_ptr_array_unref);
  g_free (doc);
}

/* Valid UTF-8 with no control characters but newline and tab: what a page
 * can show, and never the snippet markers (RF_ARCHIVE_MARK_*). */
static void
append_clean (GString *out, const char *text, gssize len)
{
  g_autofree char *valid = g_utf8_make_valid (text, len);

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
        }
      else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
}

static char *
clean (const char *text)
{
  GString *out = g_string_new (NULL);

  if (text != NULL)
    append_clean (out, text, -1);
  return g_string_free (out, FALSE);
}

/* ---- HTML to text ---- */

static const struct {
  const char *name;
  const char *text;
} entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", " " }, { "shy", "" }, { "ndash", "\xe2\x80\x93" }, { "mdash", "\xe2\x80\x94" },
  { "hellip", "\xe2\x80\xa6" }, { "laquo", "\xc2\xab" }, { "raquo", "\xc2\xbb" },
  { "copy", "\xc2\xa9" }, { "eacute", "\xc3\xa9" }, { "egrave", "\xc3\xa8" },
  { "auml", "\xc3\xa4" }, { "ouml", "\xc3\xb6" }, { "uuml", "\xc3\xbc" }, { "szlig", "\xc3\x9f" },
};

static const char *const block_tags[] = {
  "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
  "table", "ul", "ol", "hr", "title",
};

/* Decode the entity at @p (just after '&'); returns the characters used, 0
 * when it is not one we know (the '&' is then kept as written). */
static gsize
decode_entity (const char *p, const char *end, GString *out)
{
  const char *semi = memchr (p, ';', MIN ((gsize) (end - p), 12));
  gsize n;

  if (semi == NULL)
    return 0;
  n = semi - p;
  if (n >= 2 && p[0] == '#')
    {
      gboolean hex = p[1] == 'x' || p[1] == 'X';
      g_autofree char *digits = g_strndup (p + (hex ? 2 : 1), n - (hex ? 2 : 1));
      char *rest = NULL;
      guint64 c = g_ascii_strtoull (digits, &rest, hex ? 16 : 10);

      if (*digits == '\0' || *rest != '\0')
        return 0;
      /* no control characters, no surrogates, nothing beyond Unicode */
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c < 0xe000) ||
          c > 0x10ffff)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, (gunichar) c);
      return n + 1;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == n && strncmp (entities[i].name, p, n) == 0)
      {
        g_string_append (out, entities[i].text);
        return n + 1;
      }
  return 0;
}

static gboolean
tag_is (const char *tag, gsize len, const char *name)
{
  gsize n = strlen (name);

  return len >= n && g_ascii_strncasecmp (tag, name, n) == 0 &&
         (len == n || !g_ascii_isalnum (tag[n]));
}

char *
_rf_html_to_text (const char *html, gssize len)
{
  g_autoptr (GString) raw = g_string_new (NULL);
  const char *p, *end;
  GString *out;
  gboolean space = FALSE;

  if (len < 0)
    len = strlen (html);
  p = html;
  end = html + len;
  while (p < end)
    {
      if (*p == '<')
        {
          const char *close;
          const char *name = p + 1;
          gboolean closing = FALSE;
          gsize n;

          if (end - p >= 4 && strncmp (p, "<!--", 4) == 0)
            {
              const char *c = g_strstr_len (p + 4, end - p - 4, "-->");
              p = c != NULL ? c + 3 : end;
              continue;
            }
          /* the '>' that ends the tag, not one inside a quoted attribute
           * value (<input value="a>b">) */
          close = NULL;
          for (const char *q = p + 1, *quote = NULL; q < end; q++)
            {
              if (quote != NULL)
                {
                  if (*q == *quote)
                    quote = NULL;
                }
              else if (*q == '"' || *q == '\'')
                quote = q;
              else if (*q == '>')
                {
                  close = q;
                  break;
                }
            }
          if (close == NULL)
            break;
          if (*name == '/')
            {
              closing = TRUE;
              name++;
            }
          n = close - name;
          if (!closing && (tag_is (name, n, "script") || tag_is (name, n, "style")))
            {
              const char *stop = tag_is (name, n, "script") ? "</script" : "</style";
              const char *q = close + 1;

              /* skip to the closing tag, case-insensitively */
              while (q < end && !(end - q >= (gssize) strlen (stop) &&
                                  g_ascii_strncasecmp (q, stop, strlen (stop)) == 0))
                q++;
              close = q < end ? memchr (q, '>', end - q) : NULL;
              p = close != NULL ? close + 1 : end;
              continue;
            }
          for (gsize i = 0; i < G_N_ELEMENTS (block_tags); i++)
            if (tag_is (name, n, block_tags[i]))
              {
                g_string_append_c (raw, '\n');
                space = FALSE;
                break;
              }
          if (!space)
            {
              g_string_append_c (raw, ' ');
              space = TRUE;
            }
          p = close + 1;
          continue;
        }
      if (*p == '&')
        {
          gsize used = decode_entity (p + 1, end, raw);

          if (used > 0)
            {
              p += used + 1;
              space = FALSE;
              continue;
            }
        }
      /* HTML's white space, and control characters, are one blank */
      space = g_ascii_isspace (*p) || (guchar) *p < 0x20 || *p == 0x7f;
      g_string_append_c (raw, space && *p != '\n' ? ' ' : *p);
      p++;
    }

  /* collapse runs of blanks and of empty lines */
  out = g_string_new (NULL);
  {
    g_auto (GStrv) lines = g_strsplit (raw->str, "\n", -1);
    gboolean blank = TRUE;

    for (char **l = lines; *l != NULL; l++)
      {
        GString *line = g_string_new (NULL);
        gboolean sp = FALSE;

        for (const char *c = g_strstrip (*l); *c != '\0'; c++)
          {
            if (*c == ' ' || *c == '\t')
              {
                if (!sp)
                  g_string_append_c (line, ' ');
                sp = TRUE;
              }
            else
              {
                g_string_append_c (line, *c);
                sp = FALSE;
              }
          }
        if (line->len == 0)
          {
            if (!blank)
              g_string_append_c (out, '\n');
            blank = TRUE;
          }
        else
          {
            g_string_append_len (out, line->str, line->len);
            g_string_append_c (out, '\n');
            blank = FALSE;
          }
        g_string_free (line, TRUE);
      }
  }
  while (out->len >= 2 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* ---- the parts ---- */

typedef struct {
  GString *plain;
  GString *html;
} Texts;

static gboolean
is_attachment (GMimeObject *part)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  return disposition != NULL && g_mime_content_disposition_is_attachment (disposition);
}

static void
collect_text (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
  Texts *texts = user_data;
  GMimeContentType *type;
  g_autofree char *text = NULL;
  GString *into;

  if (!GMIME_IS_TEXT_PART (part) || is_attachment (part))
    return;
  type = g_mime_object_get_content_type (part);
  if (g_mime_content_type_is_type (type, "text", "plain"))
    into = texts->plain;
  else if (g_mime_content_type_is_type (type, "text", "html"))
    into = texts->html;
  else
    return;
  if (into->len >= MAX_TEXT)
    return;
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  if (text == NULL)
    return;
  if (into->len > 0)
    g_string_append_c (into, '\n');
  g_string_append (into, text);
}

static void
add_references (GPtrArray *parents, GMimeObject *object, const char *field)
{
  const char *value = g_mime_object_get_header (object, field);
  GMimeReferences *refs;
  int n;

  if (value == NULL)
    return;
  refs = g_mime_references_parse (NULL, value);
  if (refs == NULL)
    return;
  n = g_mime_references_length (refs);
  /* the last of References is the direct parent */
  for (int i = n - 1; i >= 0; i--)
    {
      const char *id = g_mime_references_get_message_id (refs, i);

      if (id != NULL && *id != '\0' && !g_ptr_array_find_with_equal_func (parents, id,
                                                                          g_str_equal, NULL))
        g_ptr_array_add (parents, g_strdup (id));
    }
  g_mime_references_free (refs);
}

RfArchiveDoc *
_rf_archive_extract (GBytes *rendered, GError **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (RfArchiveDoc) doc = g_new0 (RfArchiveDoc, 1);
  g_autoptr (GBytes) fixed = NULL;
  InternetAddressList *from;
  const char *id;
  gboolean lossy = FALSE;
  Texts texts;

  _rf_mime_init ();
  fixed = _rf_mime_fix_line_ends (rendered);
  message = _rf_mime_parse (fixed, &lossy, error);
  if (message == NULL)
    return NULL;

  id = g_mime_message_get_message_id (message);
  doc->message_id = id != NULL && *id != '\0' ? clean (id) : NULL;
  {
    const char *date = g_mime_object_get_header (GMIME_OBJECT (message), "Date");

    doc->date_header = date != NULL ? clean (date) : NULL;
  }
  doc->subject = clean (g_mime_message_get_subject (message));
  g_strstrip (doc->subject);
  from = g_mime_message_get_from (message);
  doc->from_name = g_strdup ("");
  doc->from_addr = g_strdup ("");
  for (int i = 0; from != NULL && i < internet_address_list_length (from); i++)
    {
      InternetAddress *a = internet_address_list_get_address (from, i);

      if (!INTERNET_ADDRESS_IS_MAILBOX (a))
        continue;
      g_free (doc->from_name);
      g_free (doc->from_addr);
      doc->from_name = clean (internet_address_get_name (a));
      doc->from_addr = clean (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a)));
      break;
    }

  doc->parents = g_ptr_array_new_with_free_func (g_free);
  add_references (doc->parents, GMIME_OBJECT (message), "In-Reply-To");
  add_references (doc->parents, GMIME_OBJECT (message), "References");

  texts.plain = g_string_new (NULL);
  texts.html = g_string_new (NULL);
  if (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (message)))
    collect_text (NULL, g_mime_message_get_mime_part (message), &texts);
  else
    g_mime_message_foreach (message, collect_text, &texts);
  {
    GString *out = g_string_new (NULL);

    if (texts.plain->len > 0)
      append_clean (out, texts.plain->str, MIN (texts.plain->len, MAX_TEXT));
    else if (texts.html->len > 0)
      {
        g_autofree char *text = _rf_html_to_text (texts.html->str, texts.html->len);

        append_clean (out, text, MIN (strlen (text), MAX_TEXT));
      }
    doc->text = g_string_free (out, FALSE);
  }
  g_string_free (texts.plain, TRUE);
  g_string_free (texts.html, TRUE);
  return g_steal_pointer (&doc);
}
