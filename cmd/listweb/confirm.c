/* confirm.c - /c/<token>: the link of a confirmation message (issue 10).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET only shows what the token would do, with a button: mail scanners and
 * link previews follow links, and following one must change nothing.  The
 * button POSTs the token in the form to /c/; that token is the only
 * authority (no cookie, no session), so a page of another site can make a
 * browser post only a token it already holds.  Unknown token: 404;
 * expired: 410.  The token is never logged or echoed but in the form.
 */
#include "listweb.h"

#include <string.h>

static enum MHD_Result
unknown_link (ListwebRequest *request)
{
  return listweb_page (request, MHD_HTTP_NOT_FOUND, "Unknown link",
                       "<p id=\"unknown\">This confirmation link is not valid (any more): it "
                       "was used already, or it expired. Nothing was done.</p>");
}

static enum MHD_Result
expired_link (ListwebRequest *request, const RfConfirmation *c)
{
  /* a bounce notice's (issue 17): its removal date has passed */
  if (c->action == RF_CONFIRM_REENABLE)
    {
      const char *at = strrchr (c->list_address, '@');
      g_autofree char *join = at != NULL ? g_strdup_printf ("%.*s-join%s",
                                                            (int) (at - c->list_address),
                                                            c->list_address, at)
                                         : g_strdup (c->list_address);
      g_autofree char *join_html = g_markup_escape_text (join, -1);
      g_autofree char *body = g_strdup_printf (
          "<p id=\"expired\">This link has expired: it was good until the removal date its "
          "notice gave. Nothing was done; to join the list again, send any message to "
          "<strong>%s</strong>.</p>", join_html);

      return listweb_page (request, MHD_HTTP_GONE, "Expired link", body);
    }
  return listweb_page (request, MHD_HTTP_GONE, "Expired link",
                       "<p id=\"expired\">This confirmation link has expired: requests must be "
                       "confirmed within a few days. Nothing was done; to try again, send the "
                       "request again.</p>");
}

static enum MHD_Result
try_later (ListwebRequest *request, const GError *error)
{
  g_printerr ("listweb: confirm: %s\n", error != NULL ? error->message : "?");
  return listweb_page (request, MHD_HTTP_SERVICE_UNAVAILABLE, "Try again later",
                       "<p>The list server is busy. Please try again in a few minutes.</p>");
}

/* What the confirmation does, as a question (GET) or as done (POST);
 * (transfer full), escaped. */
static char *
describe (const RfConfirmation *c, gboolean done)
{
  g_autofree char *list = g_markup_escape_text (c->list_address, -1);
  g_autofree char *masked = c->address != NULL ? listweb_masked_address (c->address) : NULL;
  g_autofree char *who = masked != NULL ? g_markup_escape_text (masked, -1) : NULL;

  switch (c->action)
    {
    case RF_CONFIRM_SUBSCRIBE:
      return done ? g_strdup_printf ("<strong>%s</strong> is subscribed to <strong>%s</strong>. "
                                     "A welcome message is on its way.",
                                     who, list)
                  : g_strdup_printf ("Subscribe <strong>%s</strong> to <strong>%s</strong>?",
                                     who, list);
    case RF_CONFIRM_UNSUBSCRIBE:
      return done ? g_strdup_printf ("<strong>%s</strong> is not subscribed to "
                                     "<strong>%s</strong> any more.",
                                     who, list)
                  : g_strdup_printf ("Unsubscribe <strong>%s</strong> from "
                                     "<strong>%s</strong>?",
                                     who, list);
    case RF_CONFIRM_APPROVE:
      return done ? g_strdup_printf ("The held post %" G_GINT64_FORMAT " was sent to the members "
                                     "of <strong>%s</strong>.", c->held_id, list)
                  : g_strdup_printf ("Send the held post %" G_GINT64_FORMAT " to every member of "
                                     "<strong>%s</strong>?", c->held_id, list);
    case RF_CONFIRM_REJECT:
      return done ? g_strdup_printf ("The held post %" G_GINT64_FORMAT " of <strong>%s</strong> "
                                     "was rejected; its sender is told.", c->held_id, list)
                  : g_strdup_printf ("Reject the held post %" G_GINT64_FORMAT " of "
                                     "<strong>%s</strong> (its sender is told)?",
                                     c->held_id, list);
    case RF_CONFIRM_DISCARD:
      return done ? g_strdup_printf ("The held post %" G_GINT64_FORMAT " of <strong>%s</strong> "
                                     "was discarded.", c->held_id, list)
                  : g_strdup_printf ("Discard the held post %" G_GINT64_FORMAT " of "
                                     "<strong>%s</strong> (nobody is told)?",
                                     c->held_id, list);
    case RF_CONFIRM_REENABLE:
      return done ? g_strdup_printf ("<strong>%s</strong> sends its mail to <strong>%s</strong> "
                                     "again; the address will not be removed.", list, who)
                  : g_strdup_printf ("Keep <strong>%s</strong> subscribed to <strong>%s</strong> "
                                     "and get the list's mail again?", who, list);
    }
  return g_strdup ("");
}

static const char *
button_of (RfConfirmAction action)
{
  switch (action)
    {
    case RF_CONFIRM_SUBSCRIBE: return "Subscribe";
    case RF_CONFIRM_UNSUBSCRIBE: return "Unsubscribe";
    case RF_CONFIRM_APPROVE: return "Approve";
    case RF_CONFIRM_REJECT: return "Reject";
    case RF_CONFIRM_DISCARD: return "Discard";
    case RF_CONFIRM_REENABLE: return "Keep my subscription";
    }
  return "Confirm";
}

static enum MHD_Result
show (ListwebRequest *request, const char *token)
{
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfConfirmation) c = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *question = NULL;
  g_autofree char *body = NULL;

  store = rf_store_open_with_keys (request->config, RF_STORE_READ_ONLY, &error);
  if (store == NULL)
    return g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND) ? unknown_link (request)
                                                                  : try_later (request, error);
  if (!rf_confirmation_lookup (store, token, &c, &error))
    return g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND) ? unknown_link (request)
                                                                  : try_later (request, error);
  if (c->expires <= rf_now ())
    return expired_link (request, c);
  question = describe (c, FALSE);
  /* the token is [a-z2-7] (rf_token_caseless_shaped): nothing to escape */
  body = g_strdup_printf ("<p id=\"question\">%s</p>\n"
                          "<form method=\"post\" action=\"/c/\">"
                          "<input type=\"hidden\" name=\"token\" value=\"%s\">"
                          "<button type=\"submit\" id=\"confirm\">%s</button>"
                          "</form>\n"
                          "<p>If you did not ask for this, close this page: nothing happens "
                          "without the button.</p>",
                          question, token, button_of (c->action));
  return listweb_page (request, MHD_HTTP_OK, "Confirm", body);
}

static enum MHD_Result
act (ListwebRequest *request)
{
  g_autoptr (GHashTable) form = listweb_form_parse (request->body);
  const char *token = g_hash_table_lookup (form, "token");
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfConfirmation) c = NULL;
  g_autoptr (RfConfirmation) done = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ip = listweb_client_ip (request);
  g_autofree char *said = NULL;
  g_autofree char *body = NULL;
  /* the journal says the address confirmed on the web page */
  const RfActor actor = { "confirm-page", ip };

  if (token == NULL || !rf_token_caseless_shaped (token))
    return unknown_link (request);
  store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (store == NULL)
    return g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND) ? unknown_link (request)
                                                                  : try_later (request, error);
  if (!rf_confirmation_lookup (store, token, &c, &error))
    return g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND) ? unknown_link (request)
                                                                  : try_later (request, error);
  if (c->expires <= rf_now ())
    return expired_link (request, c);
  if (!rf_confirmation_act (request->config, &actor, store, token, &done, &error))
    return g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND) ? unknown_link (request)
                                                                  : try_later (request, error);
  said = describe (done, TRUE);
  body = g_strdup_printf ("<p id=\"done\">%s</p>", said);
  return listweb_page (request, MHD_HTTP_OK, "Confirmed", body);
}

enum MHD_Result
listweb_confirm (ListwebRequest *request)
{
  if (g_str_equal (request->method, "POST"))
    {
      if (*request->path != '\0' && !rf_token_caseless_shaped (request->path))
        return unknown_link (request);
      return act (request);
    }
  if (!rf_token_caseless_shaped (request->path))
    return unknown_link (request);
  return show (request, request->path);
}
