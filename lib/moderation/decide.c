/* decide.c - what a moderator decides about a held post: approve (the
 * normal fan-out, once), reject (the poster is answered), discard.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Once" holds because an approved post is delivered under the key of the
 * message that brought it (its spool key), like any post: the delivery
 * row records each member's copy, so approving again after a transport
 * failure, or two moderators approving at once, sends nobody a second
 * copy.  The held post, its blob and its tokens go only after the
 * delivery is complete.
 */
#include "moderation/moderation.h"
#include "roles/roles.h"

#include <string.h>

static const char *const action_names[] = {
  [RF_MODERATE_APPROVE] = "approve",
  [RF_MODERATE_REJECT] = "reject",
  [RF_MODERATE_DISCARD] = "discard",
};

gboolean
rf_moderate_action_parse (const char *name, RfModerateAction *action_out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (name != NULL && g_ascii_strcasecmp (name, action_names[i]) == 0)
      {
        *action_out = (RfModerateAction) i;
        return TRUE;
      }
  return FALSE;
}

const char *
rf_moderate_action_name (RfModerateAction action)
{
  if ((gsize) action < G_N_ELEMENTS (action_names))
    return action_names[action];
  return "?";
}

/* The poster's answer: to the envelope sender the post came with. */
static gboolean
answer_poster (const RfConfig *config, const RfActor *actor, RfStore *store,
               const RfList *list, const RfHeldPost *post, const char *reason, GError **error)
{
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *to = NULL;
  g_autofree char *subject = NULL;

  if (*post->sender == '\0' || (to = rf_address_normalize (post->sender, NULL)) == NULL)
    return TRUE;
  if ((settings = rf_list_settings (store, list, error)) == NULL)
    return FALSE;
  g_string_append_printf (body,
                          "Your message to the list %s was not sent to its members:\n"
                          "its moderators rejected it.\n\n"
                          "  Subject: %s\n",
                          list->address, *post->subject != '\0' ? post->subject : "(none)");
  if (reason != NULL && *reason != '\0')
    {
      g_autofree char *line = rf_text_printable (reason);

      g_string_append_printf (body, "  Reason: %s\n", line);
    }
  g_string_append_printf (body, "\nTo reach the people who run the list, write to\n"
                                "%s-owner@%s.\n",
                          list->local, list->domain);
  subject = g_strdup_printf ("Your message to %s was rejected", list->address);
  return _rf_answer (config, actor, store, list, settings, to, NULL, NULL, subject, body->str,
                     NULL, error);
}

gboolean
rf_moderate (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
             gint64 id, RfModerateAction action, const char *reason, RfDeliverReport *report,
             GError **error)
{
  g_autoptr (RfHeldPost) post = rf_held_get (store, id, error);
  RfDeliverReport own_report;
  g_autofree char *detail = NULL;
  gboolean removed = FALSE;

  if (report == NULL)
    report = &own_report;
  memset (report, 0, sizeof *report);
  if (post == NULL)
    return FALSE;
  if (!g_str_equal (post->list_address, list->address))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no held post %" G_GINT64_FORMAT
                                                        " on %s", id, list->address);
      return FALSE;
    }
  if (action != RF_MODERATE_APPROVE && g_str_equal (post->state, "approved"))
    {
      /* some members may have it already: only finishing is left */
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "held post %" G_GINT64_FORMAT " was approved and is being sent: approve it "
                   "again to finish sending it",
                   post->id);
      return FALSE;
    }
  if (action == RF_MODERATE_APPROVE)
    {
      g_autoptr (GBytes) raw = NULL;

      if (g_str_equal (post->state, "held") &&
          !rf_held_set_state (store, post->id, "approved", error))
        return FALSE;
      raw = _rf_held_unseal (config, post->blob_id, error);
      if (raw == NULL)
        {
          g_prefix_error (error, "cannot read the held post: ");
          if (error != NULL && *error != NULL &&
              !g_error_matches (*error, RF_ERROR, RF_ERROR_NOT_FOUND))
            (*error)->code = RF_ERROR_TEMPORARY;
          return FALSE;
        }
      if (!_rf_deliver_approved (config, actor, store, list, raw, post->msg_key, report, error))
        return FALSE;
    }
  if (!rf_held_remove (store, post->id, &removed, error))
    return FALSE;
  if (!removed && action != RF_MODERATE_APPROVE)
    {
      /* another moderator decided first */
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "no such held post: it was approved, rejected or discarded already");
      return FALSE;
    }
  _rf_held_blob_delete (config, post->blob_id);
  detail = action == RF_MODERATE_APPROVE
               ? g_strdup_printf ("held post %" G_GINT64_FORMAT " approved: %" G_GUINT64_FORMAT
                                  " copies sent",
                                  post->id, report->sent)
               : g_strdup_printf ("held post %" G_GINT64_FORMAT " %s", post->id,
                                  action == RF_MODERATE_REJECT ? "rejected" : "discarded");
  rf_activity_log (store, actor, rf_moderate_action_name (action), list->address, detail);
  if (action == RF_MODERATE_REJECT)
    {
      g_autoptr (GError) local = NULL;

      /* decided and gone: an answer the transport could not take is logged */
      if (!answer_poster (config, actor, store, list, post, reason, &local))
        {
          g_autofree char *why = g_strdup_printf ("the answer to the poster of held post %"
                                                  G_GINT64_FORMAT " was not sent: %s",
                                                  post->id, local->message);

          rf_activity_log (store, actor, "answer-failed", list->address, why);
        }
    }
  return TRUE;
}
