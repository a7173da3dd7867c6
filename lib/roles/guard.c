/* guard.c - mail that is never answered, and mail that is no post.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An answer to an automatic message is how two programs start a loop, and
 * an answer to a forged sender is backscatter: RFC 3834 says not to answer
 * mail marked Auto-Submitted, mail from the null sender, or list traffic
 * (Precedence: bulk, junk, list).  A confirmation is never taken from a
 * vacation program either: it could subscribe its owner without them.
 */
#include "roles/roles.h"

#include <string.h>

/* The header's value, first word, lower case and trimmed ("auto-replied"
 * of "Auto-Replied; owner-email=..."), or NULL when absent. */
static char *
header_word (GMimeMessage *message, const char *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);
  g_autofree char *lower = NULL;
  char *end;

  if (value == NULL)
    return NULL;
  lower = g_ascii_strdown (value, -1);
  g_strstrip (lower);
  end = lower + strcspn (lower, "; \t\r\n(");
  *end = '\0';
  return g_steal_pointer (&lower);
}

gboolean
_rf_is_null_sender (const char *envelope_sender)
{
  /* NULL is "not told" (listdeliver run by hand without -f), not "<>" */
  return envelope_sender != NULL &&
         (*envelope_sender == '\0' || g_str_equal (envelope_sender, "<>"));
}

gboolean
_rf_is_auto_reply (GMimeMessage *message)
{
  GMimeObject *object = GMIME_OBJECT (message);
  g_autofree char *submitted = header_word (message, "Auto-Submitted");
  g_autofree char *precedence = header_word (message, "Precedence");

  return g_strcmp0 (submitted, "auto-replied") == 0 ||
         g_strcmp0 (precedence, "auto_reply") == 0 ||
         g_mime_object_get_header (object, "X-Autoreply") != NULL ||
         g_mime_object_get_header (object, "X-Autorespond") != NULL;
}

gboolean
_rf_is_auto_generated (GMimeMessage *message)
{
  g_autofree char *submitted = header_word (message, "Auto-Submitted");

  return submitted != NULL && !g_str_equal (submitted, "no") &&
         !g_str_equal (submitted, "auto-replied");
}

/* Whether @value names @list or one of its role addresses. */
static gboolean
names_list (const char *value, const RfList *list)
{
  g_autofree char *v = g_strstrip (g_strdup (value));
  g_autofree char *bare = NULL;
  g_autoptr (RfRecipient) r = NULL;

  if (*v == '<' && v[strlen (v) - 1] == '>')
    bare = g_strndup (v + 1, strlen (v) - 2);
  else
    bare = g_strdup (v);
  r = rf_recipient_parse (bare, NULL);
  return r != NULL && g_str_equal (r->list_address, list->address);
}

/* The id inside the angle brackets of a List-Id value, or the whole value. */
static char *
list_id_of (const char *value)
{
  const char *open = strrchr (value, '<');
  const char *close = open != NULL ? strchr (open, '>') : NULL;

  if (open != NULL && close != NULL)
    return g_strstrip (g_strndup (open + 1, close - open - 1));
  return g_strstrip (g_strdup (value));
}

const char *
_rf_never_answer (GMimeMessage *message, const RfList *list, const char *envelope_sender)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autofree char *submitted = header_word (message, "Auto-Submitted");
  g_autofree char *precedence = header_word (message, "Precedence");
  g_autofree char *our_id = g_strdup_printf ("%s.%s", list->local, list->domain);
  int n = g_mime_header_list_get_count (headers);

  if (_rf_is_null_sender (envelope_sender))
    return "from the null sender (a bounce or an automatic message)";
  if (submitted != NULL && !g_str_equal (submitted, "no"))
    return "marked Auto-Submitted";
  if (g_strcmp0 (precedence, "bulk") == 0 || g_strcmp0 (precedence, "junk") == 0 ||
      g_strcmp0 (precedence, "list") == 0)
    return "marked Precedence bulk, junk or list";
  if (_rf_is_auto_reply (message))
    return "an automatic reply";
  for (int i = 0; i < n; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *name = g_mime_header_get_name (header);
      const char *value = g_mime_header_get_value (header);

      if (value == NULL)
        continue;
      if (g_ascii_strcasecmp (name, "X-Loop") == 0 && names_list (value, list))
        return "carrying the list's own X-Loop";
      if (g_ascii_strcasecmp (name, "List-Id") == 0)
        {
          g_autofree char *id = list_id_of (value);

          if (g_ascii_strcasecmp (id, our_id) == 0)
            return "carrying the list's own List-Id";
        }
    }
  return NULL;
}
