/* subscription.c - double opt-in: a request to join or leave waits for
 * the address concerned to confirm it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whoever asks, the confirmation goes to the address concerned and to it
 * alone: nobody can subscribe or unsubscribe someone else.  Membership is
 * not looked at here: the request, its confirmation and the work done are
 * the same for a member and a non-member, so that neither the answer nor
 * its timing tells anyone who is on the list.
 */
#include "roles/roles.h"
#include "crypto/crypto.h"

gboolean
_rf_subscription_ask (const RfConfig *config, const RfActor *actor, RfStore *store,
                      const RfList *list, GHashTable *settings, RfConfirmAction action,
                      const char *address, const char *in_reply_to, GError **error)
{
  const char *days = g_hash_table_lookup (settings, "confirm_days");
  gint64 now = rf_now ();
  RfConfirmation c = { action, list->address, (char *) address, 0, now,
                       now + (gint64) rf_setting_value_uint (days != NULL ? days : "7") * RF_DAY };
  g_autofree char *hash = NULL;
  g_autofree char *reply_to = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *detail = NULL;
  char *token = rf_token_new_caseless ();
  char *body;
  gboolean ok, sent = FALSE;

  hash = rf_token_hash (token);
  /* recorded before it is sent: a confirmation in a mailbox always works */
  if (!rf_confirmation_add (store, hash, &c, error))
    {
      rf_wipe_string (token);
      g_free (token);
      return FALSE;
    }
  reply_to = g_strdup_printf ("%s-confirm+%s@%s", list->local, token, list->domain);
  body = _rf_text_confirm (config, list, settings, action, address, token);
  subject = g_strdup_printf (action == RF_CONFIRM_SUBSCRIBE
                                 ? "Confirm: subscribe to %s"
                                 : "Confirm: unsubscribe from %s",
                             list->address);
  ok = _rf_answer (config, actor, store, list, settings, address, in_reply_to, reply_to,
                   subject, body, &sent, error);
  rf_wipe_string (token);
  g_free (token);
  rf_wipe_string (reply_to);
  rf_wipe_string (body);
  g_free (body);
  if (ok && sent)
    {
      detail = g_strdup_printf ("confirmation asked of %s", address);
      rf_activity_log (store, actor, action == RF_CONFIRM_SUBSCRIBE ? "subscribe-asked"
                                                                    : "unsubscribe-asked",
                       list->address, detail);
    }
  return ok;
}
