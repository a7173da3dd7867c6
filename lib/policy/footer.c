/* footer.c - the list's footer at the end of every post.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where it goes, by the shape of the post (as Mailman does):
 *   a text/plain body                -> appended to its text
 *   multipart/mixed                  -> a text/plain part added at the end
 *   anything else (alternative, HTML, signed, encrypted, a lone
 *   attachment)                       -> wrapped in multipart/mixed with the
 *                                        footer part after it, so that a
 *                                        signature stays valid and an HTML
 *                                        reader shows it too
 */
#include "policy/policy.h"

#include <string.h>

static gboolean
is_inline_plain (GMimeObject *object)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  const char *disposition = g_mime_object_get_disposition (object);

  return GMIME_IS_TEXT_PART (object) && g_mime_content_type_is_type (type, "text", "plain") &&
         (disposition == NULL || g_ascii_strcasecmp (disposition, "attachment") != 0);
}

/* Keep base64 and quoted-printable as they were; otherwise pick what 7-bit
 * transport needs, since the footer may bring the first non-ASCII byte. */
static void
choose_encoding (GMimePart *part, GMimeContentEncoding was)
{
  if (was == GMIME_CONTENT_ENCODING_BASE64 || was == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
    g_mime_part_set_content_encoding (part, was);
  else
    g_mime_part_set_content_encoding (
        part, g_mime_part_get_best_content_encoding (part, GMIME_ENCODING_CONSTRAINT_7BIT));
}

static gboolean
append_to_text (GMimeTextPart *part, const char *footer)
{
  GMimeContentEncoding was = g_mime_part_get_content_encoding (GMIME_PART (part));
  g_autofree char *text = g_mime_text_part_get_text (part);
  g_autoptr (GString) out = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  out = g_string_new (text);
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append (out, footer);
  if (out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_mime_text_part_set_text (part, out->str);
  choose_encoding (GMIME_PART (part), was);
  return TRUE;
}

static GMimeObject *
footer_part (const char *footer)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype ("plain");
  g_autofree char *text = NULL;

  text = g_str_has_suffix (footer, "\n") ? g_strdup (footer) : g_strconcat (footer, "\n", NULL);
  g_mime_text_part_set_text (part, text);
  g_mime_object_set_disposition (GMIME_OBJECT (part), "inline");
  choose_encoding (GMIME_PART (part), GMIME_CONTENT_ENCODING_DEFAULT);
  return GMIME_OBJECT (part);
}

gboolean
_rf_policy_footer (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  const char *footer = _rf_policy_setting (ctx, "footer");
  GMimeObject *body = g_mime_message_get_mime_part (message);
  g_autoptr (GMimeObject) part = NULL;

  if (*footer == '\0' || body == NULL)
    return TRUE;
  if (is_inline_plain (body) && append_to_text (GMIME_TEXT_PART (body), footer))
    return TRUE;

  part = footer_part (footer);
  if (GMIME_IS_MULTIPART (body) && !GMIME_IS_MULTIPART_SIGNED (body) &&
      !GMIME_IS_MULTIPART_ENCRYPTED (body) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart", "mixed"))
    {
      g_mime_multipart_add (GMIME_MULTIPART (body), part);
      return TRUE;
    }

  {
    g_autoptr (GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

    g_object_ref (body);   /* the message drops its reference below */
    g_mime_multipart_add (mixed, body);
    g_mime_multipart_add (mixed, part);
    g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
    g_object_unref (body);
  }
  return TRUE;
}
