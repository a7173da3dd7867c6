/* screen.c - what a post must pass before any policy touches it: not our
 * own copy coming back (loop), not too big, from someone allowed to post.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "deliver/deliver-private.h"
#include "policy/policy.h"

#include <string.h>

/* Every part of @object, at any depth (multiparts, attached messages and
 * their parts); counting stops past @stop. */
static guint64
count_parts (GMimeObject *object, guint64 stop)
{
  guint64 n = 1;

  if (GMIME_IS_MULTIPART (object))
    {
      int count = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < count && n <= stop; i++)
        n += count_parts (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), stop - n);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;

      if (body != NULL && n <= stop)
        n += count_parts (body, stop - n);
    }
  return n;
}

/* Issue 11: at most max_parts parts and max_attachments attachments, so
 * that the work of a post (a blob and a row per attachment, a pass over
 * each part) has a bound whatever it holds; the size is max_message_size's. */
static gboolean
check_parts (const RfList *list, GHashTable *settings, GMimeMessage *message, GError **error)
{
  guint64 max_parts = rf_setting_value_uint (g_hash_table_lookup (settings, "max_parts"));
  guint64 max_attachments =
      rf_setting_value_uint (g_hash_table_lookup (settings, "max_attachments"));
  GMimeObject *body = g_mime_message_get_mime_part (message);
  guint64 parts = body != NULL ? count_parts (body, max_parts > 0 ? max_parts : G_MAXUINT64 - 1) : 0;
  guint attachments;

  if (max_parts > 0 && parts > max_parts)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_REJECTED,
                   "the message has more than %" G_GUINT64_FORMAT
                   " MIME parts, the most that %s accepts (max_parts)",
                   max_parts, list->address);
      return FALSE;
    }
  attachments = _rf_policy_count_attachments (message);
  if (max_attachments > 0 && attachments > max_attachments)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_REJECTED,
                   "the message has %u attachments, more than the %" G_GUINT64_FORMAT
                   " that %s accepts (max_attachments)",
                   attachments, max_attachments, list->address);
      return FALSE;
    }
  return TRUE;
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

static gboolean
is_loop (GMimeMessage *message, const RfList *list)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autofree char *our_id = g_strdup_printf ("%s.%s", list->local, list->domain);
  int n = g_mime_header_list_get_count (headers);

  for (int i = 0; i < n; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *name = g_mime_header_get_name (header);
      const char *value = g_mime_header_get_value (header);

      if (value == NULL)
        continue;
      if (g_ascii_strcasecmp (name, "List-Id") == 0)
        {
          g_autofree char *id = list_id_of (value);

          if (g_ascii_strcasecmp (id, our_id) == 0)
            return TRUE;
        }
      else if (g_ascii_strcasecmp (name, "X-Loop") == 0)
        {
          g_autofree char *v = g_strstrip (g_strdup (value));

          if (g_ascii_strcasecmp (v, list->address) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* The addresses a post claims to come from: each mailbox of From:, then
 * the envelope sender.  Normalised; unparseable ones are skipped. */
static GPtrArray *
senders_of (GMimeMessage *message, const char *envelope_sender)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  InternetAddressList *from = g_mime_message_get_from (message);
  int n = from != NULL ? internet_address_list_length (from) : 0;

  for (int i = 0; i < n; i++)
    {
      InternetAddress *ia = internet_address_list_get_address (from, i);
      const char *addr;
      char *norm;

      if (!INTERNET_ADDRESS_IS_MAILBOX (ia))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
      norm = addr != NULL ? rf_address_normalize (addr, NULL) : NULL;
      if (norm != NULL)
        g_ptr_array_add (out, norm);
    }
  if (envelope_sender != NULL && *envelope_sender != '\0')
    {
      char *norm = rf_address_normalize (envelope_sender, NULL);

      if (norm != NULL)
        g_ptr_array_add (out, norm);
    }
  return out;
}

gboolean
_rf_screen (RfStore *store, const RfList *list, GHashTable *settings, GMimeMessage *message,
            gsize raw_size, const char *envelope_sender, gboolean *loop_out, GError **error)
{
  const char *max = g_hash_table_lookup (settings, "max_message_size");
  const char *posting = g_hash_table_lookup (settings, "posting");
  guint64 limit = max != NULL ? rf_setting_value_uint (max) : 0;

  *loop_out = FALSE;
  if (is_loop (message, list))
    {
      *loop_out = TRUE;
      return TRUE;
    }
  if (limit > 0 && raw_size > limit)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_REJECTED,
                   "the message has %" G_GSIZE_FORMAT " bytes, more than the %" G_GUINT64_FORMAT
                   " bytes that %s accepts (max_message_size)",
                   raw_size, limit, list->address);
      return FALSE;
    }
  if (!check_parts (list, settings, message, error))
    return FALSE;
  if (g_strcmp0 (posting, "open") != 0)
    {
      g_autoptr (GPtrArray) senders = senders_of (message, envelope_sender);

      for (guint i = 0; i < senders->len; i++)
        {
          g_autofree char *member = NULL;

          if (!rf_member_find (store, list, g_ptr_array_index (senders, i), &member, error))
            return FALSE;
          if (member != NULL)
            return TRUE;
        }
      g_set_error (error, RF_ERROR, RF_ERROR_REJECTED,
                   "%s accepts posts from members only, and %s is not subscribed to it",
                   list->address,
                   senders->len > 0 ? (const char *) g_ptr_array_index (senders, 0)
                                    : "a sender without an address");
      return FALSE;
    }
  return TRUE;
}
