/* screen.c - what a post must pass before any policy touches it: not our
 * own copy coming back (loop), not an automatic reply, and then the
 * moderation rules (issue 10): size, who may post, administrivia.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A post is held with every reason that applies, so that a moderator sees
 * them all at once.  A post the list refuses (nonmember_action = reject)
 * is answered by the MTA's bounce to its envelope sender, only if that is
 * neither the null sender nor one of our own addresses, and at most
 * autoresponse_limit times a day; otherwise it is logged and dropped: no
 * backscatter to forged senders, no loop with another list.
 */
#include "deliver/deliver-private.h"
#include "policy/policy.h"
#include "archive/archive.h"
#include "moderation/moderation.h"
#include "roles/roles.h"

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

/* Whether one of @senders is a member (members, moderated) or may post to
 * an announce list (an owner, or in posters). */
static gboolean
may_post (RfStore *store, const RfList *list, GHashTable *settings, const char *posting,
          GPtrArray *senders, GError **error)
{
  if (g_str_equal (posting, "announce"))
    {
      g_autoptr (GPtrArray) owners = _rf_list_owner_addresses (store, list, settings, FALSE, error);
      g_autoptr (GPtrArray) posters =
          rf_setting_value_addresses (g_hash_table_lookup (settings, "posters"));

      if (owners == NULL)
        return FALSE;
      for (guint i = 0; i < posters->len; i++)
        g_ptr_array_add (owners, g_strdup (g_ptr_array_index (posters, i)));
      for (guint i = 0; i < senders->len; i++)
        for (guint j = 0; j < owners->len; j++)
          if (g_ascii_strcasecmp (g_ptr_array_index (senders, i),
                                  g_ptr_array_index (owners, j)) == 0)
            return TRUE;
      return FALSE;
    }
  for (guint i = 0; i < senders->len; i++)
    {
      g_autofree char *member = NULL;

      if (!rf_member_find (store, list, g_ptr_array_index (senders, i), &member, error))
        return FALSE;
      if (member != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The list refuses the post: the MTA's bounce says so to the envelope
 * sender, unless that would be backscatter; then it is only logged. */
static gboolean
refuse (const RfActor *actor, RfStore *store, const RfList *list, GHashTable *settings,
        const char *envelope_sender, const char *reason, RfDeliverReport *report,
        GError **error)
{
  const char *limit = g_hash_table_lookup (settings, "autoresponse_limit");
  g_autofree char *detail = NULL;
  gboolean ours = FALSE, allowed = envelope_sender == NULL;

  /* NULL: run by hand without -f; the answer is the exit status alone */
  if (envelope_sender != NULL && !_rf_is_null_sender (envelope_sender) &&
      !_rf_address_is_ours (store, envelope_sender, &ours, error))
    return FALSE;
  if (envelope_sender != NULL && !_rf_is_null_sender (envelope_sender) && !ours &&
      !rf_autoresponse_take (store, list->address, envelope_sender,
                             limit != NULL ? rf_setting_value_uint (limit) : 5, rf_now (),
                             &allowed, error))
    return FALSE;
  if (!allowed)
    {
      detail = g_strdup_printf ("%s; not answered (%s)", reason,
                                _rf_is_null_sender (envelope_sender) ? "the null sender"
                                : ours ? "sent from one of our own addresses"
                                       : "autoresponse_limit reached today");
      rf_activity_log (store, actor, "reject-dropped", list->address, detail);
      report->outcome = RF_DROPPED;
      return TRUE;
    }
  rf_activity_log (store, actor, "reject", list->address, reason);
  g_set_error (error, RF_ERROR, RF_ERROR_REJECTED, "%s", reason);
  return FALSE;
}

gboolean
_rf_screen (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
            GHashTable *settings, GMimeMessage *message, GBytes *raw,
            const char *envelope_sender, const char *key, gboolean *pass_out,
            RfDeliverReport *report, GError **error)
{
  const char *max = g_hash_table_lookup (settings, "max_message_size");
  const char *posting = g_hash_table_lookup (settings, "posting");
  const char *nonmember = g_hash_table_lookup (settings, "nonmember_action");
  guint64 limit = max != NULL ? rf_setting_value_uint (max) : 0;
  gsize raw_size = g_bytes_get_size (raw);
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) senders = senders_of (message, envelope_sender);
  const char *first_sender = senders->len > 0 ? (const char *) g_ptr_array_index (senders, 0)
                                              : "a sender without an address";
  gboolean done = FALSE;
  GError *local = NULL;

  *pass_out = FALSE;
  if (posting == NULL)
    posting = "members";
  if (nonmember == NULL)
    nonmember = "hold";
  if (is_loop (message, list))
    {
      rf_activity_log (store, actor, "loop-drop", list->address,
                       "a post carrying this list's own List-Id or X-Loop was dropped");
      report->outcome = RF_LOOP_DROPPED;
      return TRUE;
    }
  /* an out-of-office answer or a bounce sent to the list: never a post,
   * never answered */
  if (_rf_is_null_sender (envelope_sender) || _rf_is_auto_reply (message))
    {
      rf_activity_log (store, actor, "auto-drop", list->address,
                       _rf_is_null_sender (envelope_sender)
                           ? "a post from the null sender (a bounce) was dropped"
                           : "an automatic reply (out of office) to the list was dropped");
      report->outcome = RF_DROPPED;
      return TRUE;
    }


  /* too many parts or attachments: refused before anything is stored,
   * held posts included (issue 11) */
  if (!check_parts (list, settings, message, error))
    return FALSE;

  if (!g_str_equal (posting, "open") &&
      !may_post (store, list, settings, posting, senders, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      if (g_str_equal (nonmember, "reject") || g_str_equal (nonmember, "discard"))
        {
          g_autofree char *reason =
              g_str_equal (posting, "announce")
                  ? g_strdup_printf ("only the owners and the posters of %s may post to it, "
                                     "and %s is not one of them",
                                     list->address, first_sender)
                  : g_strdup_printf ("%s accepts posts from members only, and %s is not "
                                     "subscribed to it",
                                     list->address, first_sender);

          if (g_str_equal (nonmember, "reject"))
            return refuse (actor, store, list, settings, envelope_sender, reason, report,
                           error);
          rf_activity_log (store, actor, "discard", list->address, reason);
          report->outcome = RF_DROPPED;
          return TRUE;
        }
      g_ptr_array_add (reasons, g_str_equal (posting, "announce")
                                    ? g_strdup_printf ("%s may not post to this announce list "
                                                       "(owners and posters only)",
                                                       first_sender)
                                    : g_strdup_printf ("%s is not a member", first_sender));
    }
  if (g_str_equal (posting, "moderated"))
    g_ptr_array_add (reasons, g_strdup ("the list is moderated: every post waits for a "
                                        "moderator"));
  if (limit > 0 && raw_size > limit)
    g_ptr_array_add (reasons, g_strdup_printf ("the message has %" G_GSIZE_FORMAT
                                               " bytes, more than max_message_size (%"
                                               G_GUINT64_FORMAT ")",
                                               raw_size, limit));
  if (_rf_is_auto_generated (message))
    g_ptr_array_add (reasons, g_strdup ("it was sent by a program (Auto-Submitted)"));
  if (rf_setting_value_bool (g_hash_table_lookup (settings, "administrivia")))
    {
      g_autoptr (RfArchiveDoc) doc = _rf_archive_extract (raw, NULL);

      if (doc != NULL && _rf_command_is_administrivia (doc->subject, doc->text))
        g_ptr_array_add (reasons, g_strdup ("it looks like a command (subscribe, unsubscribe, "
                                            "...) sent to the list instead of to its "
                                            "-request address"));
    }
  if (reasons->len == 0)
    {
      *pass_out = TRUE;
      return TRUE;
    }
  if (key == NULL)
    {
      /* a preview: what would happen, and nothing held */
      report->outcome = RF_HELD;
      return TRUE;
    }
  /* approved and delivered before: the MTA handed the same message again */
  if (!rf_delivery_is_done (store, key, &done, error))
    return FALSE;
  if (done)
    {
      report->outcome = RF_ALREADY_DELIVERED;
      return TRUE;
    }
  if (!_rf_moderation_hold (config, actor, store, list, settings, raw, envelope_sender, key,
                            reasons, error))
    return FALSE;
  report->outcome = RF_HELD;
  return TRUE;
}
