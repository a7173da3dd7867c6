/* answer.c - the one way an automatic answer leaves: never to one of our
 * own addresses, at most autoresponse_limit a day to one address, marked
 * as an answer (RFC 3834).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "roles/roles.h"

gboolean
_rf_address_is_ours (RfStore *store, const char *address, gboolean *ours_out, GError **error)
{
  g_autoptr (RfRecipient) r = rf_recipient_parse (address, NULL);
  g_autoptr (RfList) list = NULL;
  g_autoptr (GError) local = NULL;

  *ours_out = FALSE;
  if (r == NULL)
    return TRUE;
  list = rf_list_lookup (store, r->list_address, &local);
  if (list != NULL)
    *ours_out = TRUE;
  else if (!g_error_matches (local, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
_rf_answer (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
            GHashTable *settings, const char *to, const char *in_reply_to, const char *reply_to,
            const char *subject, const char *body, gboolean *sent_out, GError **error)
{
  const char *limit = g_hash_table_lookup (settings, "autoresponse_limit");
  RfMailOptions options = { NULL, reply_to, in_reply_to, "auto-replied" };
  g_autoptr (GPtrArray) recipients = g_ptr_array_new ();
  gboolean ours = FALSE, allowed = FALSE;

  if (sent_out != NULL)
    *sent_out = FALSE;
  if (!_rf_address_is_ours (store, to, &ours, error))
    return FALSE;
  if (ours)
    {
      rf_activity_log (store, actor, "answer-dropped", list->address,
                       "an answer to one of our own addresses was not sent");
      return TRUE;
    }
  if (!rf_autoresponse_take (store, list->address, to,
                             limit != NULL ? rf_setting_value_uint (limit) : 5, rf_now (),
                             &allowed, error))
    return FALSE;
  if (!allowed)
    {
      g_autofree char *detail = g_strdup_printf (
          "no answer to %s: it was sent autoresponse_limit (%s) answers today", to,
          limit != NULL ? limit : "5");

      rf_activity_log (store, actor, "answer-limited", list->address, detail);
      return TRUE;
    }
  g_ptr_array_add (recipients, (gpointer) to);
  if (!_rf_mail_send (config, list->address, &options, recipients, subject, body, NULL, error))
    return FALSE;
  if (sent_out != NULL)
    *sent_out = TRUE;
  return TRUE;
}
