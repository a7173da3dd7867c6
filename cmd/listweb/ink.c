/* ink.c - GET /ink/<token> and /ink/<token>/<n>/<name>: a Disappearing Ink
 * post (issue 16) and its files, for the list's web user only.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token opens the post (its keys are derived from it); the list's web
 * user name and password open the page: without a session of that user
 * the reader is sent to the login page (the archive's: the same sessions,
 * lockout and blocklist), which brings them back.  Nothing is consumed by
 * a fetch: a link scanner or a preview that follows the link gets the
 * redirect, and the member the page afterwards, as often as they like.
 *
 * Unknown token: 404; past its expiry: 410 Gone (until cleanup deletes the
 * rows, then 404).  The post is shown as text through the template
 * engine's escaping, never as HTML; its files are downloads
 * (Content-Disposition: attachment).  The token is never logged.
 */
#include "listweb.h"

#define BLOCK (64 * 1024)

typedef struct {
  ListwebRequest *request;
  RfStore *store;
  RfInk *ink;
  RfSession *session;
} Ink;

static void
ink_clear (Ink *k)
{
  g_clear_pointer (&k->session, rf_session_free);
  g_clear_pointer (&k->ink, rf_ink_free);
  g_clear_pointer (&k->store, rf_store_close);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ink, ink_clear)

static enum MHD_Result
unknown_link (ListwebRequest *request)
{
  return listweb_message_page (request, MHD_HTTP_NOT_FOUND, "Unknown link", NULL,
                               "This link is not valid. It may be mistyped, or the message it "
                               "showed has disappeared and was deleted from the server.");
}

static char *
when (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

static enum MHD_Result
gone (ListwebRequest *request, const RfInk *ink)
{
  g_autofree char *until = when (ink->expires);
  g_autofree char *text = g_strdup_printf (
      "This message to %s was on this page until %s. It has disappeared: it is deleted "
      "from the server with its attachments, and nobody can read it here any more.",
      ink->list_address, until);

  return listweb_message_page (request, MHD_HTTP_GONE, "Gone", NULL, text);
}

static enum MHD_Result
try_later (ListwebRequest *request, const GError *error)
{
  rf_log_error ("ink: %s", error != NULL ? error->message : "?");
  return listweb_message_page (request, MHD_HTTP_SERVICE_UNAVAILABLE, "Try again later", NULL,
                               "The list server cannot show this page now. Please try again "
                               "in a few minutes.");
}

/* The list's web user, logged in for this list. */
static gboolean
is_reader (const Ink *k)
{
  return k->session != NULL && k->session->user_name == NULL &&
         k->session->list_address != NULL &&
         g_ascii_strcasecmp (k->session->list_address, k->ink->list_address) == 0;
}

/* To the login page, and back to the post's page after it (from a file's
 * link too: the page lists the files, and its path is only safe
 * characters, the token's). */
static enum MHD_Result
to_login (Ink *k, const char *token)
{
  g_autofree char *list_q = g_uri_escape_string (k->ink->list_address, NULL, FALSE);
  g_autofree char *to = g_strdup_printf ("/login?list=%s&next=/ink/%s", list_q, token);

  return listweb_redirect (k->request, to, NULL);
}

/* Nobody can open the page of a list without a web user: say so, and
 * whom to ask, rather than refuse every password. */
static gboolean
has_web_user (Ink *k, gboolean *has_out, char **owners_out, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *name = NULL;

  *has_out = FALSE;
  list = rf_list_lookup (k->store, k->ink->list_address, &local);
  if (list == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
        {
          *owners_out = NULL;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!rf_list_web_access_get (k->store, list, &name, error))
    return FALSE;
  *has_out = name != NULL;
  *owners_out = g_strdup_printf ("%s-owner@%s", list->local, list->domain);
  return TRUE;
}

static enum MHD_Result
no_web_user (Ink *k, const char *owners)
{
  g_autofree char *text = NULL;

  if (owners == NULL)
    return listweb_message_page (k->request, MHD_HTTP_GONE, "Gone", NULL,
                                 "The list this message went to has been deleted.");
  text = g_strdup_printf ("The list %s has no web user name and password yet, so nobody can "
                          "open this page. Ask the list's owners: %s",
                          k->ink->list_address, owners);
  return listweb_message_page (k->request, MHD_HTTP_FORBIDDEN, "Not open yet", NULL, text);
}

static enum MHD_Result
post_page (Ink *k, const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfInkPost) post = NULL;
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (ListwebHtml) rows = listweb_html_new ();
  g_autofree char *until = when (k->ink->expires);
  ListwebHtml *content;

  post = rf_ink_post_read (k->request->config, k->ink, token, &error);
  if (post == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return gone (k->request, k->ink);
      return try_later (k->request, error);
    }
  for (guint i = 0; i < post->files->len; i++)
    {
      const RfInkFile *f = g_ptr_array_index (post->files, i);
      g_autoptr (ListwebVars) rv = listweb_vars_new ();
      g_autofree char *name_q = g_uri_escape_string (f->name, NULL, FALSE);
      g_autofree char *size = g_format_size (f->size);
      g_autoptr (ListwebHtml) row = NULL;

      listweb_vars_setf (rv, "href", "/ink/%s/%u/%s", token, f->n, name_q);
      listweb_vars_setf (rv, "n", "%u", f->n);
      listweb_vars_set (rv, "name", f->name);
      listweb_vars_set (rv, "size", size);
      listweb_vars_set (rv, "type", f->content_type);
      row = listweb_render (k->request->templates, "ink_file", rv, &error);
      if (row == NULL)
        return listweb_trouble (k->request, "template", error);
      listweb_html_append (rows, row);
    }
  listweb_vars_set (vars, "list", k->ink->list_address);
  listweb_vars_set (vars, "until", until);
  listweb_vars_set (vars, "from", post->from);
  listweb_vars_set (vars, "to", post->to);
  listweb_vars_set (vars, "cc", post->cc);
  listweb_vars_set (vars, "date", post->date);
  listweb_vars_set (vars, "subject", *post->subject != '\0' ? post->subject : "(no subject)");
  listweb_vars_set (vars, "text", post->text);
  listweb_vars_setf (vars, "n_files", "%u", post->files->len);
  listweb_vars_set_html (vars, "files", g_steal_pointer (&rows));
  content = listweb_render (k->request->templates, "ink", vars, &error);
  if (content == NULL)
    return listweb_trouble (k->request, "template", error);
  return listweb_render_page (k->request, MHD_HTTP_OK,
                              *post->subject != '\0' ? post->subject : "(no subject)",
                              k->session, content, NULL);
}

/* ---- a file ---- */

typedef struct {
  RfInkFileReader *reader;
  guint64 left;
} Download;

static ssize_t
read_block (void *cls, uint64_t pos, char *buf, size_t max)
{
  Download *d = cls;
  g_autoptr (GError) error = NULL;
  gssize n;

  if (d->left == 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  n = rf_ink_file_read (d->reader, buf, MIN (max, d->left), &error);
  /* a damaged blob: cut the connection, so that the client sees a failed
   * download and not a short file */
  if (n <= 0)
    {
      if (error != NULL)
        rf_log_error ("ink download failed: %s", error->message);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    }
  d->left -= (guint64) n;
  return n;
}

static void
free_download (void *cls)
{
  Download *d = cls;

  rf_ink_file_reader_free (d->reader);
  g_free (d);
}

static enum MHD_Result
file_download (Ink *k, const char *token, const char *number)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfInkPost) post = NULL;
  g_autofree char *disposition = NULL;
  const RfInkFile *f;
  struct MHD_Response *response;
  RfInkFileReader *reader;
  Download *d;
  guint64 n;

  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &n, NULL))
    return unknown_link (k->request);
  post = rf_ink_post_read (k->request->config, k->ink, token, &error);
  if (post == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return gone (k->request, k->ink);
      return try_later (k->request, error);
    }
  if (n > post->files->len)
    return unknown_link (k->request);
  f = g_ptr_array_index (post->files, n - 1);
  reader = rf_ink_file_open (k->request->config, k->ink, token, (guint) n, &error);
  if (reader == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return gone (k->request, k->ink);
      return try_later (k->request, error);
    }
  d = g_new0 (Download, 1);
  d->reader = reader;
  d->left = f->size;
  response = MHD_create_response_from_callback (f->size, BLOCK, read_block, d, free_download);
  disposition = listweb_content_disposition (f->name);
  /* the type was made safe when the post was sealed */
  MHD_add_response_header (response, "Content-Type", f->content_type);
  MHD_add_response_header (response, "Content-Disposition", disposition);
  MHD_add_response_header (response, "Cache-Control", "private, no-store");
  return listweb_queue (k->request, MHD_HTTP_OK, response);
}

enum MHD_Result
listweb_ink (ListwebRequest *request)
{
  g_auto (Ink) k = { request, NULL, NULL, NULL };
  g_auto (GStrv) parts = g_strsplit (request->path, "/", 3);
  g_autoptr (GError) error = NULL;
  g_autofree char *owners = NULL;
  guint n = g_strv_length (parts);
  const char *token;
  gboolean has_user = FALSE;

  /* /ink/<token>, /ink/<token>/<n>, /ink/<token>/<n>/<name> */
  if (n == 0 || !rf_token_shaped (parts[0], RF_TOKEN_CHARS) || (n >= 2 && *parts[1] == '\0'))
    return unknown_link (request);
  token = parts[0];
  k.store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (k.store == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  k.ink = rf_ink_lookup (k.store, token, &error);
  if (k.ink == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return unknown_link (request);
      return try_later (request, error);
    }
  /* gone is gone, whoever asks: the page says no more than that */
  if (k.ink->expires <= rf_now ())
    return gone (request, k.ink);
  if (!listweb_session_get (request, k.store, &k.session, &error))
    return try_later (request, error);
  if (!is_reader (&k))
    {
      if (!has_web_user (&k, &has_user, &owners, &error))
        return try_later (request, error);
      if (!has_user)
        return no_web_user (&k, owners);
      return to_login (&k, token);
    }
  if (request->templates == NULL)
    return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "The server has no page templates.");
  if (n == 1)
    return post_page (&k, token);
  return file_download (&k, token, parts[1]);
}
