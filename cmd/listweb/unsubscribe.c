/* unsubscribe.c - /u/<token>: the one-click unsubscribe link of each copy
 * (RFC 8058).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET only shows a page with a button: mail scanners and link previews
 * follow links, and following one must unsubscribe no one.  POST with the
 * body "List-Unsubscribe=One-Click" (what a mail provider sends when the
 * reader clicks its unsubscribe button, and what our button sends)
 * unsubscribes at once.  The token is the only secret: no cookie, no CSRF
 * token (RFC 8058 3.1), and it is never logged or echoed.
 */
#include "listweb.h"

#include <string.h>

/* the token of rf_unsubscribe_token: 27 URL-safe base64 characters */
#define TOKEN_CHARS 27

/* RFC 8058: the body is "List-Unsubscribe=One-Click", form-encoded or as
 * a multipart/form-data field. */
static gboolean
one_click_body (const ListwebRequest *request)
{
  g_auto (GStrv) fields = NULL;

  if (request->body == NULL)
    return FALSE;
  if (strstr (request->body, "name=\"List-Unsubscribe\"") != NULL &&
      strstr (request->body, "One-Click") != NULL)
    return TRUE;
  fields = g_strsplit (request->body, "&", 0);
  for (char **f = fields; *f != NULL; f++)
    if (g_str_equal (g_strstrip (*f), "List-Unsubscribe=One-Click"))
      return TRUE;
  return FALSE;
}

static enum MHD_Result
unknown_link (ListwebRequest *request)
{
  return listweb_page (request, MHD_HTTP_NOT_FOUND, "Unknown link",
                       "<p>This unsubscribe link is not valid (any more): the address may "
                       "have left the list already.</p>");
}

static enum MHD_Result
try_later (ListwebRequest *request, const GError *error)
{
  rf_log_error ("unsubscribe: %s", error != NULL ? error->message : "?");
  return listweb_page (request, MHD_HTTP_SERVICE_UNAVAILABLE, "Try again later",
                       "<p>The list server is busy. Please try again in a few minutes.</p>");
}

enum MHD_Result
listweb_unsubscribe (ListwebRequest *request)
{
  gboolean post = g_str_equal (request->method, "POST");
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfList) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *list_html = NULL;
  g_autofree char *who_html = NULL;
  g_autofree char *who = NULL;
  g_autofree char *body = NULL;
  /* the journal and the log say the member left through their link */
  g_autofree char *ip = listweb_client_ip (request);
  const RfActor one_click = { "one-click", ip };
  gboolean ok;

  if (!rf_token_shaped (request->path, TOKEN_CHARS))
    return unknown_link (request);
  if (post && !one_click_body (request))
    return listweb_page (request, MHD_HTTP_BAD_REQUEST, "Not a one-click request",
                         "<p>To leave the list, use the button on this link's page.</p>");
  store = rf_store_open (request->config->state_dir,
                         post ? RF_STORE_READ_WRITE : RF_STORE_READ_ONLY, &error);
  if (store == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  ok = post ? rf_unsubscribe_by_token (store, request->path, &one_click, &list, &address, &error)
            : rf_unsubscribe_lookup (store, request->path, &list, &address, &error);
  if (!ok)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  list_html = g_markup_escape_text (list->address, -1);
  who = listweb_masked_address (address);
  who_html = g_markup_escape_text (who, -1);
  if (post)
    {
      body = g_strdup_printf ("<p><strong>%s</strong> has left <strong>%s</strong>: no more "
                              "posts of this list will be sent to it.</p>",
                              who_html, list_html);
      return listweb_page (request, MHD_HTTP_OK, "Unsubscribed", body);
    }
  /* an empty action posts back to this very URL; the hidden field is the
   * body RFC 8058 asks for, so the button and a mail provider's one-click
   * are the same request */
  body = g_strdup_printf ("<p>Stop sending the posts of <strong>%s</strong> to "
                          "<strong>%s</strong>?</p>\n"
                          "<form method=\"post\" action=\"\">"
                          "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                          "<button type=\"submit\" id=\"unsubscribe\">Unsubscribe</button>"
                          "</form>",
                          list_html, who_html);
  return listweb_page (request, MHD_HTTP_OK, "Unsubscribe", body);
}
