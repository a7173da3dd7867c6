/* roles.c - THE role table: every address a list has, its syntax and who
 * answers it; and the path of one message to a role address.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list's local part never holds '+' and never ends in a role suffix
 * (rf_list_create refuses both), so rf_recipient_parse (lib/deliver/
 * recipient.c) splits an address by this table unambiguously.  To add a
 * role: an RfRole, a row here, a file with its handler, the suffix in the
 * Exim router (contrib/exim/router-reflector) and in the Postfix map
 * (lib/mta/map.c reads this table), and its lines in listdeliver(8).
 */
#include "roles/roles.h"
#include "archive/archive.h"

#include <string.h>

static const RfRoleDef roles[] = {
  { RF_ROLE_BOUNCES, "bounces", TRUE, FALSE, NULL,
    "bounces of the copies sent to members (VERP)" },
  { RF_ROLE_CONFIRM, "confirm", TRUE, TRUE, _rf_role_confirm,
    "a reply confirms a request" },
  { RF_ROLE_REQUEST, "request", FALSE, TRUE, _rf_role_request,
    "commands: subscribe, unsubscribe, help" },
  { RF_ROLE_OWNER, "owner", FALSE, FALSE, _rf_role_owner, "reaches the list's owners" },
  { RF_ROLE_JOIN, "join", FALSE, TRUE, _rf_role_join, "any message: join the list" },
  { RF_ROLE_LEAVE, "leave", FALSE, TRUE, _rf_role_leave, "any message: leave the list" },
};

const RfRoleDef *
_rf_roles_table (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (roles);
  return roles;
}

const RfRoleDef *
_rf_role_def (RfRole role)
{
  for (gsize i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return &roles[i];
  return NULL;
}

/* A Message-ID fit to be put back into a header: printable ASCII without
 * space, '<' and '>'. */
static char *
safe_message_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 250)
    return NULL;
  for (const char *p = id; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '<' || *p == '>')
      return NULL;
  return g_strdup (id);
}

/* Who an answer goes to: the first mailbox of From, else the envelope
 * sender; NULL when neither is an address. */
static char *
sender_of (GMimeMessage *message, const char *envelope_sender)
{
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
        return norm;
    }
  if (envelope_sender != NULL && !_rf_is_null_sender (envelope_sender))
    return rf_address_normalize (envelope_sender, NULL);
  return NULL;
}

static void
role_mail_clear (RfRoleMail *mail)
{
  g_clear_object (&mail->message);
  g_clear_pointer (&mail->settings, g_hash_table_unref);
  g_clear_pointer (&mail->subject, g_free);
  g_clear_pointer (&mail->text, g_free);
  g_clear_pointer (&mail->message_id, g_free);
  g_clear_pointer (&mail->sender, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RfRoleMail, role_mail_clear)

gboolean
_rf_roles_handle (const RfConfig *config, const RfActor *actor, RfStore *store,
                  const RfList *list, const RfRecipient *recipient,
                  const char *envelope_sender, GBytes *raw, RfDeliverReport *report,
                  GError **error)
{
  const RfRoleDef *def = _rf_role_def (recipient->role);
  g_auto (RfRoleMail) mail = { 0 };
  g_autoptr (GBytes) fixed = NULL;
  g_autoptr (RfArchiveDoc) doc = NULL;
  const char *never;

  g_return_val_if_fail (def != NULL && def->handle != NULL, FALSE);
  mail.config = config;
  mail.actor = actor;
  mail.store = store;
  mail.list = list;
  mail.recipient = recipient;
  mail.envelope_sender = envelope_sender;
  mail.raw = raw;
  mail.report = report;
  mail.settings = rf_list_settings (store, list, error);
  if (mail.settings == NULL)
    return FALSE;
  fixed = _rf_mime_fix_line_ends (raw);
  mail.message = _rf_mime_parse (fixed, NULL, error);
  if (mail.message == NULL)
    return FALSE;
  if (def->answers && (never = _rf_never_answer (mail.message, list, envelope_sender)) != NULL)
    {
      g_autofree char *detail = g_strdup_printf ("mail to -%s not answered: %s", def->suffix,
                                                 never);

      rf_activity_log (store, actor, "auto-drop", list->address, detail);
      report->outcome = RF_DROPPED;
      return TRUE;
    }
  /* the text as the archive reads it: decoded, the HTML's when there is
   * no text/plain part */
  doc = _rf_archive_extract (fixed, NULL);
  mail.subject = g_strdup (doc != NULL ? doc->subject : "");
  mail.text = g_strdup (doc != NULL && doc->text != NULL ? doc->text : "");
  mail.message_id = safe_message_id (g_mime_message_get_message_id (mail.message));
  mail.sender = sender_of (mail.message, envelope_sender);
  report->outcome = RF_ANSWERED;
  return def->handle (&mail, error);
}
