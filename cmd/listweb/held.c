/* held.c - /m/<list>/held: the posts held for a list's moderators, and
 * their decision (issue 10), in the moderator panel.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * moderator.c has checked the session, the role and (for a POST) the CSRF
 * token.  A post shows what the moderators' notice shows: its sender,
 * subject and why it is held; its text stays sealed.
 */
#include "listweb.h"

#include <string.h>

static char *
time_text (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

static enum MHD_Result
held_page (ListwebRequest *request, RfStore *store, const RfSession *session,
           const RfList *list, unsigned int status, const char *kind, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = rf_held_list (store, list, rf_now (), &error);
  g_autoptr (ListwebHtml) rows = listweb_html_new ();
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autofree char *title = NULL;
  ListwebHtml *content, *message;

  if (held == NULL)
    return listweb_trouble (request, "held", error);
  for (guint i = 0; i < held->len; i++)
    {
      const RfHeldPost *p = g_ptr_array_index (held, i);
      g_autoptr (ListwebVars) rv = listweb_vars_new ();
      g_autoptr (ListwebHtml) row = NULL;
      g_autofree char *at = time_text (p->held);
      g_autofree char *until = time_text (p->expires);
      g_autofree char *reasons = g_strdelimit (g_strdup (p->reasons), "\n", ';');

      listweb_vars_setf (rv, "id", "%" G_GINT64_FORMAT, p->id);
      listweb_vars_set (rv, "list", list->address);
      listweb_vars_set (rv, "csrf", session->csrf_token);
      listweb_vars_set (rv, "from", *p->from != '\0' ? p->from : p->sender);
      listweb_vars_set (rv, "subject", *p->subject != '\0' ? p->subject : "(no subject)");
      listweb_vars_set (rv, "reasons", reasons);
      listweb_vars_set (rv, "held", at);
      listweb_vars_set (rv, "expires", until);
      listweb_vars_set (rv, "state", g_str_equal (p->state, "approved")
                                         ? "; approved, its delivery unfinished"
                                         : "");
      if ((row = listweb_render (request->templates, "mod_held_row", rv, &error)) == NULL)
        return listweb_trouble (request, "template", error);
      listweb_html_append (rows, row);
    }
  if (text != NULL)
    {
      g_autoptr (ListwebVars) mv = listweb_vars_new ();

      listweb_vars_set (mv, "kind", kind);
      listweb_vars_set (mv, "text", text);
      message = listweb_render (request->templates, "message", mv, &error);
    }
  else
    message = listweb_html_new ();
  if (message == NULL)
    return listweb_trouble (request, "template", error);
  listweb_vars_set_html (vars, "message", message);
  listweb_vars_set_html (vars, "rows", g_steal_pointer (&rows));
  listweb_vars_set (vars, "list", list->address);
  listweb_vars_setf (vars, "count", "%u post%s held", held->len, held->len == 1 ? "" : "s");
  if ((content = listweb_render (request->templates, "mod_held", vars, &error)) == NULL)
    return listweb_trouble (request, "template", error);
  title = g_strdup_printf ("Held posts of %s", list->address);
  return listweb_render_page (request, status, title, session, content, NULL);
}

enum MHD_Result
listweb_held (ListwebRequest *request, RfStore *store, const RfSession *session,
              const RfList *list, const RfActor *actor, GHashTable *form)
{
  const char *id_text, *action_text;
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;
  RfDeliverReport report = { 0 };
  RfModerateAction action;
  gint64 id;
  char *end = NULL;

  if (form == NULL)
    return held_page (request, store, session, list, MHD_HTTP_OK, NULL, NULL);
  id_text = g_hash_table_lookup (form, "id");
  action_text = g_hash_table_lookup (form, "action");
  id = id_text != NULL ? g_ascii_strtoll (id_text, &end, 10) : 0;
  if (id <= 0 || end == NULL || *end != '\0' || !rf_moderate_action_parse (action_text, &action))
    return listweb_answer (request, MHD_HTTP_BAD_REQUEST, "unknown post or decision");
  if (!rf_moderate (request->config, actor, store, list, id, action, NULL, &report, &error))
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return held_page (request, store, session, list, MHD_HTTP_NOT_FOUND, "error",
                          "That post is not held any more: another moderator decided, or it "
                          "expired.");
      if (g_error_matches (error, RF_ERROR, RF_ERROR_INVALID))
        return held_page (request, store, session, list, MHD_HTTP_CONFLICT, "error",
                          "That post was approved and is being sent: approve it again to "
                          "finish.");
      g_printerr ("listweb: held: %s\n", error->message);
      return held_page (request, store, session, list, MHD_HTTP_SERVICE_UNAVAILABLE, "error",
                        "The post could not be sent to every member yet. Approve it again "
                        "later: nobody gets it twice.");
    }
  said = action == RF_MODERATE_APPROVE
             ? g_strdup_printf ("Post %" G_GINT64_FORMAT " approved: %" G_GUINT64_FORMAT
                                " cop%s sent.",
                                id, report.sent, report.sent == 1 ? "y" : "ies")
         : action == RF_MODERATE_REJECT
             ? g_strdup_printf ("Post %" G_GINT64_FORMAT " rejected; its sender is told.", id)
             : g_strdup_printf ("Post %" G_GINT64_FORMAT " discarded.", id);
  return held_page (request, store, session, list, MHD_HTTP_OK, "info", said);
}
