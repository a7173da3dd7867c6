/* request.c - LIST-request@domain: commands in the Subject or the first
 * lines.  "subscribe [ADDRESS]" and "unsubscribe [ADDRESS]" ask the
 * address concerned (the sender's own without ADDRESS) to confirm; "help",
 * and anything else, is answered with the help text.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A request for another address sends its confirmation to that address,
 * never to the sender: the sender learns nothing, not even whether it is
 * a member.
 */
#include "roles/roles.h"

gboolean
_rf_role_request (RfRoleMail *mail, GError **error)
{
  g_autofree char *argument = NULL;
  g_autofree char *help = NULL;
  g_autofree char *subject = NULL;
  RfCommand command = _rf_command_find (mail->subject, mail->text, &argument);
  const char *concerned = argument != NULL ? argument : mail->sender;

  if (concerned == NULL)
    {
      rf_activity_log (mail->store, mail->actor, "auto-drop", mail->list->address,
                       "mail to -request without a sender address: not answered");
      mail->report->outcome = RF_DROPPED;
      return TRUE;
    }
  if (command == RF_COMMAND_SUBSCRIBE || command == RF_COMMAND_UNSUBSCRIBE)
    return _rf_subscription_ask (mail->config, mail->actor, mail->store, mail->list,
                                 mail->settings,
                                 command == RF_COMMAND_SUBSCRIBE ? RF_CONFIRM_SUBSCRIBE
                                                                 : RF_CONFIRM_UNSUBSCRIBE,
                                 concerned, mail->message_id, error);
  if (mail->sender == NULL)
    {
      mail->report->outcome = RF_DROPPED;
      return TRUE;
    }
  help = _rf_text_help (mail->list, mail->settings);
  subject = g_strdup_printf ("Help of %s", mail->list->address);
  rf_activity_log (mail->store, mail->actor, "help", mail->list->address,
                   command == RF_COMMAND_HELP ? "help asked" : "no command: help sent");
  return _rf_answer (mail->config, mail->actor, mail->store, mail->list, mail->settings,
                     mail->sender, mail->message_id, NULL, subject, help, NULL, error);
}
