/* leave.c - LIST-leave@domain (the mailto of List-Unsubscribe): any
 * message asks to leave the list; the sender (the From address) is asked
 * to confirm, whether or not it is a member.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "roles/roles.h"

gboolean
_rf_role_leave (RfRoleMail *mail, GError **error)
{
  if (mail->sender == NULL)
    {
      rf_activity_log (mail->store, mail->actor, "auto-drop", mail->list->address,
                       "mail to -leave without a sender address: not answered");
      mail->report->outcome = RF_DROPPED;
      return TRUE;
    }
  return _rf_subscription_ask (mail->config, mail->actor, mail->store, mail->list,
                               mail->settings, RF_CONFIRM_UNSUBSCRIBE, mail->sender,
                               mail->message_id, error);
}
