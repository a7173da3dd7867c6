/* attachment-name.c - file names of stripped attachments, made safe.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The name comes from the sender and goes into a URL, a text block, an
 * HTML list and the Content-Disposition of the download.  What is kept is
 * printable UTF-8 without anything that one of those places (or a shell
 * a user pastes it into) gives a meaning: no path, no quote, no control
 * character, no bidi override that would show "exe.pdf" as "fdp.exe".
 */
#include "mime/mime.h"

#include <string.h>

#define MAX_NAME_BYTES 120

static gboolean
unwanted (gunichar c)
{
  if (c < 0x20 || (c >= 0x7f && c < 0xa0))
    return TRUE;
  if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
    return TRUE;   /* zero-width and bidi controls */
  return strchr ("/\\\"'`<>|:*?;%$&#{}[]^~=+,", (int) c) != NULL && c < 0x80;
}

static const char *
extension_for (const char *content_type)
{
  static const struct { const char *type, *ext; } map[] = {
    { "message/rfc822", ".eml" }, { "application/pdf", ".pdf" },
    { "image/png", ".png" },      { "image/jpeg", ".jpg" },
    { "image/gif", ".gif" },      { "text/plain", ".txt" },
    { "text/html", ".html" },     { "application/zip", ".zip" },
  };

  for (gsize i = 0; content_type != NULL && i < G_N_ELEMENTS (map); i++)
    if (g_ascii_strcasecmp (map[i].type, content_type) == 0)
      return map[i].ext;
  return ".bin";
}

char *
rf_attachment_safe_name (const char *name, const char *content_type, guint n)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *base, *p, *dot;
  gboolean space = FALSE;

  if (name == NULL)
    name = "";
  valid = g_utf8_make_valid (name, -1);
  /* the last component, whichever separator the sender's system used */
  base = valid;
  for (p = valid; *p != '\0'; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  for (p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c < 0x20)
        {
          /* runs of white space and line breaks become one space */
          space = TRUE;
          continue;
        }
      if (unwanted (c))
        continue;
      if (space && out->len > 0)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  /* no hidden file, no "..": leading dots go */
  while (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    return g_strdup_printf ("attachment-%u%s", n, extension_for (content_type));

  if (out->len > MAX_NAME_BYTES)
    {
      /* keep the extension (up to 16 bytes), cut the stem on a character */
      g_autofree char *ext = NULL;
      gsize keep;
      const char *cut;

      dot = strrchr (out->str, '.');
      ext = dot != NULL && strlen (dot) <= 16 ? g_strdup (dot) : g_strdup ("");
      keep = MAX_NAME_BYTES - strlen (ext);
      cut = out->str + keep;
      while (cut > out->str && (((guchar) *cut) & 0xc0) == 0x80)
        cut--;
      g_string_truncate (out, cut - out->str);
      g_string_append (out, ext);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
