/* join.c - LIST-join@domain: any message asks to join the list; the
 * sender (the From address) is asked to confirm.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "roles/roles.h"

gboolean
_rf_role_join (RfRoleMail *mail, GError **error)
{
  if (mail->sender == NULL)
    {
      rf_activity_log (mail->store, mail->actor, "auto-drop", mail->list->address,
                       "mail to -join without a sender address: not answered");
      mail->report->outcome = RF_DROPPED;
      return TRUE;
    }
  return _rf_subscription_ask (mail->config, mail->actor, mail->store, mail->list,
                               mail->settings, RF_CONFIRM_SUBSCRIBE, mail->sender,
                               mail->message_id, error);
}
