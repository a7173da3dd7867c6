/* original.c - which message a bounce returns: its Message-ID.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every MTA puts the returned message's header somewhere after its own:
 * a message/rfc822 or text/rfc822-headers part (RFC 3464), or quoted in
 * a free-text body (Exim, qmail, Postfix).  A plain scan for Message-ID
 * lines after the bounce's own header finds them all without knowing
 * which; a false hit is harmless, because the caller only matches ids
 * against the posts it kept.  Some MTAs also answer with In-Reply-To or
 * References naming it.
 */
#include "bounce-private.h"

#include <string.h>

static void
add_unique (GPtrArray *ids, const char *id, gsize len)
{
  g_autofree char *s = g_strndup (id, len);

  g_strstrip (s);
  if (*s == '\0' || strpbrk (s, " \t\r\n<>") != NULL)
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), s))
      return;
  g_ptr_array_add (ids, g_steal_pointer (&s));
}

/* The end of the bounce's own header block (the first empty line). */
static gsize
header_end (const char *text, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    if (text[i] == '\n' && (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < len &&
                                                    text[i + 2] == '\n')))
      return i + 1;
  return len;
}

GPtrArray *
rf_bounce_original_ids (GBytes *raw)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRegex) mid = g_regex_new ("^[ \t>]*Message-ID:[ \t]*(?:\r?\n[ \t]+)?<([^>\r\n]{1,250})>",
                                        G_REGEX_CASELESS | G_REGEX_MULTILINE | G_REGEX_RAW, 0,
                                        NULL);
  g_autoptr (GRegex) ref = g_regex_new ("^(?:In-Reply-To|References):((?:[^\n]*\n[ \t])*[^\n]*)",
                                        G_REGEX_CASELESS | G_REGEX_MULTILINE | G_REGEX_RAW, 0,
                                        NULL);
  g_autoptr (GRegex) angle = g_regex_new ("<([^>\r\n]{1,250})>", G_REGEX_RAW, 0, NULL);
  g_autoptr (GMatchInfo) info = NULL;
  gsize len = 0;
  const char *data = raw != NULL ? g_bytes_get_data (raw, &len) : NULL;
  g_autofree char *text = NULL;
  gsize body;

  if (data == NULL || len == 0)
    return ids;
  /* a NUL-terminated copy: GRegex takes a string */
  text = g_strndup (data, len);
  len = strlen (text);
  body = header_end (text, len);
  g_regex_match_full (mid, text, (gssize) len, (gint) body, 0, &info, NULL);
  while (g_match_info_matches (info))
    {
      gint start, end;

      g_match_info_fetch_pos (info, 1, &start, &end);
      add_unique (ids, text + start, (gsize) (end - start));
      g_match_info_next (info, NULL);
    }
  g_clear_pointer (&info, g_match_info_free);
  /* the bounce's own header: In-Reply-To, References */
  {
    g_autofree char *head = g_strndup (text, body);

    g_regex_match (ref, head, 0, &info);
    while (g_match_info_matches (info))
      {
        g_autofree char *value = g_match_info_fetch (info, 1);
        g_autoptr (GMatchInfo) each = NULL;

        g_regex_match (angle, value, 0, &each);
        while (g_match_info_matches (each))
          {
            gint start, end;

            g_match_info_fetch_pos (each, 1, &start, &end);
            add_unique (ids, value + start, (gsize) (end - start));
            g_match_info_next (each, NULL);
          }
        g_match_info_next (info, NULL);
      }
  }
  return ids;
}
