/* redelivery.c - GET /r/<token>: the posts that bounced for one member
 * (Bounce Redelivery, issue 5), linked from the member's notice.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything from a post is shown as text: header fields escaped, the
 * text in an escaped <pre>, an HTML-only post as the text of its HTML, so
 * nothing a sender wrote runs or loads as part of our page (and the
 * server's Content-Security-Policy forbids it anyway).  Unknown token:
 * 404; expired: 410.  The token is never logged or echoed.
 */
#include "listweb.h"

#include <string.h>

/* Escaped, valid UTF-8. */
static char *
esc (const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s != NULL ? s : "", -1);

  return g_markup_escape_text (valid, -1);
}

static enum MHD_Result
unknown_link (ListwebRequest *request)
{
  return listweb_page (request, MHD_HTTP_NOT_FOUND, "Unknown link",
                       "<p>This link is not valid.</p>");
}

static enum MHD_Result
try_later (ListwebRequest *request, const GError *error)
{
  rf_log_error ("redelivery: %s", error != NULL ? error->message : "?");
  return listweb_page (request, MHD_HTTP_SERVICE_UNAVAILABLE, "Try again later",
                       "<p>The list server is busy. Please try again in a few minutes.</p>");
}

static void
append_post (GString *body, const RfConfig *config, const RfRedeliveryPost *post, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfRedeliveryCopy) copy = rf_redelivery_copy_read (config, post, &error);
  g_autofree char *subject = NULL;

  if (copy == NULL)
    {
      rf_log_error ("redelivery: a kept post cannot be read: %s", error->message);
      subject = esc (post->subject);
      g_string_append_printf (body,
                              "<article class=\"post\" id=\"post-%u\"><h2>%s</h2>"
                              "<p>This message cannot be shown any more.</p></article>\n",
                              n, subject);
      return;
    }
  {
    g_autofree char *from = esc (copy->from);
    g_autofree char *date = esc (copy->date);
    g_autofree char *text = esc (copy->text);

    subject = esc (*copy->subject != '\0' ? copy->subject : "(no subject)");
    g_string_append_printf (body,
                            "<article class=\"post\" id=\"post-%u\">\n<h2>%s</h2>\n"
                            "<dl><dt>From</dt><dd class=\"from\">%s</dd>"
                            "<dt>Date</dt><dd class=\"date\">%s</dd></dl>\n"
                            "<pre class=\"text\">%s</pre>\n</article>\n",
                            n, subject, from, date, text);
  }
}

enum MHD_Result
listweb_redelivery (ListwebRequest *request)
{
  g_autoptr (RfStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *list_address = NULL;
  g_autofree char *member = NULL;
  g_autofree char *list_html = NULL;
  gint64 expires = 0, now = rf_now ();

  if (!rf_token_shaped (request->path, RF_TOKEN_CHARS))
    return unknown_link (request);
  store = rf_store_open (request->config->state_dir, RF_STORE_READ_ONLY, &error);
  if (store == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  if (!rf_redelivery_token_lookup (store, request->path, &list_address, &member, &expires,
                                   &error))
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  if (expires <= now)
    return listweb_page (request, MHD_HTTP_GONE, "Link expired",
                         "<p>This link has expired, and the messages it showed are "
                         "deleted.</p>");
  posts = rf_redelivery_member_posts (store, list_address, member, now, &error);
  if (posts == NULL)
    return try_later (request, error);
  list_html = esc (list_address);
  g_string_append_printf (body,
                          "<p>The list <strong>%s</strong> tried to send you these messages, "
                          "and your mail provider refused them.</p>\n",
                          list_html);
  if (posts->len == 0)
    g_string_append (body, "<p>There are no messages to show any more.</p>\n");
  for (guint i = 0; i < posts->len; i++)
    append_post (body, request->config, g_ptr_array_index (posts, i), i + 1);
  return listweb_page (request, MHD_HTTP_OK, "Messages you missed", body->str);
}
