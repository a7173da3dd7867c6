/* confirm.c - LIST-confirm+<token>@domain, and listweb's /c/<token>: a
 * reply or a button press does what a token was made for, once.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token (256 bits, rf_token_new_caseless: an MTA may lower-case the
 * address) is the only authority: whoever holds it confirms, whatever
 * their address, and the store keeps only its hash.  A subscription's
 * token is spent with the change of membership in one transaction; a
 * moderator's stays until the held post is gone (rf_moderate removes it
 * with its tokens), so that an approval the transport cut short resumes
 * when the MTA retries the reply.  A bounce notice's (issue 17) re-enables
 * the member it was sent to, who is then the actor: it says nothing the
 * holder of the notice did not know.
 */
#include "roles/roles.h"
#include "bounce/bounce.h"
#include "crypto/crypto.h"

typedef enum { CONFIRM_DONE, CONFIRM_UNKNOWN, CONFIRM_EXPIRED } ConfirmStatus;

static char *
hash_of (const char *token)
{
  g_autofree char *lower = g_ascii_strdown (token, -1);
  char *hash = rf_token_hash (lower);

  rf_wipe_string (lower);
  return hash;
}

gboolean
rf_confirmation_lookup (RfStore *store, const char *token, RfConfirmation **out,
                        GError **error)
{
  g_autofree char *hash = NULL;

  if (!rf_token_caseless_shaped (token))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "this confirmation is unknown: it was used already, or it expired");
      return FALSE;
    }
  hash = hash_of (token);
  return rf_confirmation_get (store, hash, out, error);
}

/* Join or leave, and the welcome or goodbye: the same answer whether the
 * address was a member or not. */
static gboolean
change_membership (const RfConfig *config, const RfActor *actor, RfStore *store,
                   const RfList *list, const RfConfirmation *c, const char *hash,
                   const char *in_reply_to, gboolean *spent_out, GError **error)
{
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject = NULL;
  gboolean join = c->action == RF_CONFIRM_SUBSCRIBE;
  gboolean ok;

  if ((settings = rf_list_settings (store, list, error)) == NULL)
    return FALSE;
  if (!rf_store_begin (store, error))
    return FALSE;
  if (!rf_confirmation_spend (store, hash, spent_out, error))
    {
      rf_store_rollback (store);
      return FALSE;
    }
  if (!*spent_out)
    {
      rf_store_rollback (store);
      return TRUE;
    }
  ok = join ? rf_member_add (store, list, c->address, actor, &local)
            : rf_member_remove (store, list, c->address, actor, &local);
  if (!ok && !g_error_matches (local, RF_ERROR, join ? RF_ERROR_EXISTS : RF_ERROR_NOT_FOUND))
    {
      rf_store_rollback (store);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!rf_store_commit (store, error))
    return FALSE;
  {
    g_autofree char *detail = g_strdup_printf ("%s confirmed by %s", join ? "subscription"
                                                                          : "unsubscription",
                                               c->address);

    rf_activity_log (store, actor, join ? "subscribe-confirmed" : "unsubscribe-confirmed",
                     list->address, detail);
  }
  body = join ? _rf_text_welcome (list, settings, c->address)
              : _rf_text_goodbye (list, settings, c->address);
  subject = g_strdup_printf (join ? "Welcome to %s" : "Goodbye from %s", list->address);
  g_clear_error (&local);
  /* the change is made: a welcome the transport could not take is logged,
   * not retried (the token is spent) */
  if (!_rf_answer (config, actor, store, list, settings, c->address, in_reply_to, NULL, subject,
                   body, NULL, &local))
    {
      g_autofree char *detail = g_strdup_printf ("the %s to %s was not sent: %s",
                                                 join ? "welcome" : "goodbye", c->address,
                                                 local->message);

      rf_activity_log (store, actor, "answer-failed", list->address, detail);
    }
  return TRUE;
}

/* issue 17: a member disabled by bounces gets copies again, the token
 * spent in the same transaction.  A token of a member removed since is
 * spent and done nothing: *spent_out FALSE, as for a used one.  By mail
 * (@answer) the member is told that it worked. */
static gboolean
reenable (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
          const RfConfirmation *c, const char *hash, gboolean answer, const char *in_reply_to,
          gboolean *spent_out, GError **error)
{
  g_autofree char *name = g_strdup_printf ("member:%s", c->address);
  /* the member did it, from the page (the client's address) or by mail */
  const RfActor member = { name, actor->origin };
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject = NULL;

  if (!rf_store_begin (store, error))
    return FALSE;
  if (!rf_confirmation_spend (store, hash, spent_out, error))
    {
      rf_store_rollback (store);
      return FALSE;
    }
  if (!*spent_out)
    {
      rf_store_rollback (store);
      return TRUE;
    }
  if (!rf_member_reenable (store, list, c->address, &member, &local))
    {
      if (!g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        {
          rf_store_rollback (store);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *spent_out = FALSE;
    }
  if (!rf_store_commit (store, error))
    return FALSE;
  if (!*spent_out || !answer)
    return TRUE;
  if ((settings = rf_list_settings (store, list, error)) == NULL)
    return FALSE;
  body = g_strdup_printf ("Thank you: the list %s sends its mail to\n"
                          "  %s\n"
                          "again, and the address will not be removed.\n",
                          list->address, c->address);
  subject = g_strdup_printf ("Mail from %s to you is on again", list->address);
  /* the change is made: an answer the transport could not take is logged */
  if (!_rf_answer (config, &member, store, list, settings, c->address, in_reply_to, NULL,
                   subject, body, NULL, &local))
    {
      g_autofree char *detail = g_strdup_printf ("the answer to %s was not sent: %s",
                                                 c->address, local->message);

      rf_activity_log (store, &member, "answer-failed", list->address, detail);
    }
  return TRUE;
}

/* @expected: the list whose confirm address the token came to, or NULL
 * (the web page): a token of another list confirms nothing there.
 * *done_out: what was confirmed; for an expired token, what it was for. */
static gboolean
confirm (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *expected,
         const char *token, const char *in_reply_to, RfConfirmation **done_out,
         ConfirmStatus *status_out, GError **error)
{
  g_autoptr (RfConfirmation) c = NULL;
  g_autoptr (RfList) list = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *hash = NULL;
  gboolean spent = TRUE;

  *status_out = CONFIRM_UNKNOWN;
  if (!rf_confirmation_lookup (store, token, &c, &local))
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (expected != NULL && !g_str_equal (expected->address, c->list_address))
    return TRUE;
  if (c->expires <= rf_now ())
    {
      *status_out = CONFIRM_EXPIRED;
      if (done_out != NULL)
        *done_out = g_steal_pointer (&c);
      return TRUE;
    }
  list = rf_list_lookup (store, c->list_address, &local);
  if (list == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  hash = hash_of (token);
  switch (c->action)
    {
    case RF_CONFIRM_SUBSCRIBE:
    case RF_CONFIRM_UNSUBSCRIBE:
      if (!change_membership (config, actor, store, list, c, hash, in_reply_to, &spent, error))
        return FALSE;
      break;
    case RF_CONFIRM_APPROVE:
    case RF_CONFIRM_REJECT:
    case RF_CONFIRM_DISCARD:
      {
        RfModerateAction action = c->action == RF_CONFIRM_APPROVE  ? RF_MODERATE_APPROVE
                                  : c->action == RF_CONFIRM_REJECT ? RF_MODERATE_REJECT
                                                                   : RF_MODERATE_DISCARD;

        if (!rf_moderate (config, actor, store, list, c->held_id, action, NULL, NULL, &local))
          {
            if (!g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
              {
                g_propagate_error (error, g_steal_pointer (&local));
                return FALSE;
              }
            spent = FALSE;
          }
      }
      break;
    case RF_CONFIRM_REENABLE:
      if (!reenable (config, actor, store, list, c, hash, expected != NULL, in_reply_to, &spent,
                     error))
        return FALSE;
      break;
    }
  if (!spent)
    return TRUE;
  *status_out = CONFIRM_DONE;
  if (done_out != NULL)
    *done_out = g_steal_pointer (&c);
  return TRUE;
}

gboolean
rf_confirmation_act (const RfConfig *config, const RfActor *actor, RfStore *store,
                     const char *token, RfConfirmation **done_out, GError **error)
{
  g_autoptr (RfConfirmation) done = NULL;
  ConfirmStatus status;

  if (!confirm (config, actor, store, NULL, token, NULL, &done, &status, error))
    return FALSE;
  if (status == CONFIRM_EXPIRED)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "this confirmation has expired: nothing was done");
      return FALSE;
    }
  if (status == CONFIRM_UNKNOWN)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "this confirmation is unknown: it was used already, or it expired");
      return FALSE;
    }
  if (done_out != NULL)
    *done_out = g_steal_pointer (&done);
  return TRUE;
}

gboolean
_rf_role_confirm (RfRoleMail *mail, GError **error)
{
  g_autoptr (RfConfirmation) done = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject = NULL;
  ConfirmStatus status;

  if (!confirm (mail->config, mail->actor, mail->store, mail->list, mail->recipient->tag,
                mail->message_id, &done, &status, error))
    return FALSE;
  if (status == CONFIRM_DONE)
    return TRUE;
  /* the one who holds the address: tell them it did nothing */
  rf_activity_log (mail->store, mail->actor, "confirm-refused", mail->list->address,
                   status == CONFIRM_EXPIRED ? "an expired confirmation"
                                             : "an unknown confirmation");
  if (mail->sender == NULL)
    {
      mail->report->outcome = RF_DROPPED;
      return TRUE;
    }
  if (status == CONFIRM_EXPIRED && done != NULL && done->action == RF_CONFIRM_REENABLE)
    body = _rf_text_reenable_expired (mail->list);
  else
    body = status == CONFIRM_EXPIRED ? _rf_text_expired (mail->list, mail->settings)
                                     : _rf_text_unknown_token (mail->list);
  subject = g_strdup_printf (status == CONFIRM_EXPIRED ? "Expired confirmation for %s"
                                                       : "Unknown confirmation for %s",
                             mail->list->address);
  return _rf_answer (mail->config, mail->actor, mail->store, mail->list, mail->settings,
                     mail->sender, mail->message_id, NULL, subject, body, NULL, error);
}
