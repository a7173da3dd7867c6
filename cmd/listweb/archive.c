/* archive.c - the web archive of a list: /l/<list>/ (months),
 * /l/<list>/<yyyy-mm>/ (posts), /l/<list>/<yyyy-mm>.mbox (export),
 * /l/<list>/m/<n> (one post), /l/<list>/t/<n> (its thread),
 * /l/<list>/search?q=&page= (search).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list without archive = on is 404, as an unknown list is.  Who may read
 * is archive_access: "public" anyone; "password" the list's web user
 * only; "moderators" site users with a role on the list (owners,
 * moderators, admins) and not the web user.  Moderators manage a list but
 * never see a post (the seed) unless the list says so with "moderators".  Without a session the reader is sent to the login page, which
 * brings them back.  Every value of a post reaches the page through the
 * template engine's escaping; a post is shown as the text the archive
 * indexed (text/plain parts, or text converted from an HTML-only post),
 * never as its HTML.
 */
#include "listweb.h"

#include <string.h>

#define HITS_PER_PAGE 20

typedef struct {
  ListwebRequest *request;
  RfStore *store;
  RfList *list;
  RfSession *session;
} Archive;

static void
archive_clear (Archive *a)
{
  g_clear_pointer (&a->session, rf_session_free);
  g_clear_pointer (&a->list, rf_list_free);
  g_clear_pointer (&a->store, rf_store_close);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Archive, archive_clear)

static enum MHD_Result
not_found (ListwebRequest *request, const RfSession *session)
{
  return listweb_message_page (request, MHD_HTTP_NOT_FOUND, "Not found", session,
                               "There is no such page in this archive.");
}

static char *
from_text (const RfArchivePost *post)
{
  if (post->from_name != NULL && *post->from_name != '\0')
    return g_strdup_printf ("%s <%s>", post->from_name, post->from_addr);
  return g_strdup (post->from_addr != NULL ? post->from_addr : "");
}

static char *
date_text (const RfArchivePost *post)
{
  g_autoptr (GDateTime) dt = NULL;

  if (post->date_header != NULL && *post->date_header != '\0')
    return g_strdup (post->date_header);
  dt = g_date_time_new_from_unix_utc (post->archived);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("");
}

static char *
month_of (const RfArchivePost *post)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (post->archived);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m") : g_strdup ("");
}

/* The variables every row and page of a post shares. */
static void
post_vars (ListwebVars *vars, const RfList *list, const RfArchivePost *post)
{
  g_autofree char *from = from_text (post);
  g_autofree char *date = date_text (post);

  listweb_vars_set (vars, "list", list->address);
  listweb_vars_setf (vars, "number", "%" G_GINT64_FORMAT, post->number);
  listweb_vars_set (vars, "subject", *post->subject != '\0' ? post->subject : "(no subject)");
  listweb_vars_set (vars, "from", from);
  listweb_vars_set (vars, "date", date);
}

static ListwebHtml *
list_nav (const Archive *a, const char *q, GError **error)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();

  listweb_vars_set (vars, "list", a->list->address);
  listweb_vars_set (vars, "q", q);
  return listweb_render (a->request->templates, "list_nav", vars, error);
}

/* Render @name with list_nav and @vars (taken), and answer. */
static enum MHD_Result
answer (Archive *a, const char *title, const char *name, ListwebVars *vars_in, const char *q)
{
  g_autoptr (ListwebVars) vars = vars_in;
  g_autoptr (GError) error = NULL;
  ListwebHtml *nav = list_nav (a, q, &error);
  ListwebHtml *content;

  if (nav == NULL)
    return listweb_trouble (a->request, "template", error);
  listweb_vars_set_html (vars, "list_nav", nav);
  listweb_vars_set (vars, "list", a->list->address);
  content = listweb_render (a->request->templates, name, vars, &error);
  if (content == NULL)
    return listweb_trouble (a->request, "template", error);
  return listweb_render_page (a->request, MHD_HTTP_OK, title, a->session, content, NULL);
}

static enum MHD_Result
months_page (Archive *a)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) months = rf_archive_months (a->store, a->list, &error);
  g_autoptr (ListwebHtml) rows = listweb_html_new ();
  ListwebVars *vars;

  if (months == NULL)
    return listweb_trouble (a->request, "archive", error);
  for (guint i = 0; i < months->len; i++)
    {
      const RfArchiveMonth *m = g_ptr_array_index (months, i);
      g_autoptr (ListwebVars) rv = listweb_vars_new ();
      g_autoptr (ListwebHtml) row = NULL;

      listweb_vars_set (rv, "list", a->list->address);
      listweb_vars_set (rv, "month", m->month);
      listweb_vars_setf (rv, "count", "%" G_GUINT64_FORMAT, m->count);
      row = listweb_render (a->request->templates, "month_row", rv, &error);
      if (row == NULL)
        return listweb_trouble (a->request, "template", error);
      listweb_html_append (rows, row);
    }
  vars = listweb_vars_new ();
  listweb_vars_set_html (vars, "rows", g_steal_pointer (&rows));
  return answer (a, a->list->address, "months", vars, "");
}

/* rows of @row_template for @posts */
static ListwebHtml *
post_rows (const Archive *a, GPtrArray *posts, const char *row_template, GError **error)
{
  g_autoptr (ListwebHtml) rows = listweb_html_new ();

  for (guint i = 0; i < posts->len; i++)
    {
      const RfArchivePost *p = g_ptr_array_index (posts, i);
      g_autoptr (ListwebVars) rv = listweb_vars_new ();
      g_autoptr (ListwebHtml) row = NULL;

      post_vars (rv, a->list, p);
      listweb_vars_setf (rv, "depth", "%u", MIN (p->depth, 6u));
      if (p->snippet != NULL)
        listweb_vars_set_html (
            rv, "snippet",
            listweb_html_marked (p->snippet, RF_ARCHIVE_MARK_START, RF_ARCHIVE_MARK_END));
      row = listweb_render (a->request->templates, row_template, rv, error);
      if (row == NULL)
        return NULL;
      listweb_html_append (rows, row);
    }
  return g_steal_pointer (&rows);
}

static gboolean
month_shaped (const char *s, gsize len)
{
  return len == 7 && g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) &&
         g_ascii_isdigit (s[2]) && g_ascii_isdigit (s[3]) && s[4] == '-' &&
         g_ascii_isdigit (s[5]) && g_ascii_isdigit (s[6]);
}

static enum MHD_Result
month_page (Archive *a, const char *month)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) posts = rf_archive_month_posts (a->store, a->list, month, &error);
  ListwebHtml *rows;
  ListwebVars *vars;
  g_autofree char *title = NULL;

  if (posts == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_INVALID))
        return not_found (a->request, a->session);
      return listweb_trouble (a->request, "archive", error);
    }
  if (posts->len == 0)
    return not_found (a->request, a->session);
  rows = post_rows (a, posts, "post_row", &error);
  if (rows == NULL)
    return listweb_trouble (a->request, "template", error);
  vars = listweb_vars_new ();
  listweb_vars_set_html (vars, "rows", rows);
  title = g_strdup_printf ("%s, %s", a->list->address, month);
  return answer (a, title, "posts", vars, "");
}

static enum MHD_Result
mbox_export (Archive *a, const char *month)
{
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) posts = rf_archive_month_posts (a->store, a->list, month, &error);
  g_autofree char *disposition = NULL;
  struct MHD_Response *response;
  gsize len;
  void *data;

  if (posts == NULL || posts->len == 0)
    return not_found (a->request, a->session);
  if (!rf_archive_export_mbox (a->store, a->list, month, out, NULL, &error) ||
      !g_output_stream_close (out, NULL, &error))
    return listweb_trouble (a->request, "mbox", error);
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  response = MHD_create_response_from_buffer_with_free_callback (len, data, g_free);
  /* the list's local part is [a-z0-9._-]: nothing to quote */
  disposition = g_strdup_printf ("attachment; filename=\"%s-%s.mbox\"", a->list->local, month);
  MHD_add_response_header (response, "Content-Type", "application/mbox");
  MHD_add_response_header (response, "Content-Disposition", disposition);
  MHD_add_response_header (response, "Cache-Control", "no-store");
  return listweb_queue (a->request, MHD_HTTP_OK, response);
}

static gboolean
parse_number (const char *s, gint64 *out)
{
  return s != NULL && *s != '\0' && strspn (s, "0123456789") == strlen (s) &&
         g_ascii_string_to_signed (s, 10, 1, G_MAXINT64, out, NULL);
}

static enum MHD_Result
post_page (Archive *a, const char *number_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfArchivePost) post = NULL;
  g_autofree char *month = NULL;
  ListwebVars *vars;
  gint64 number;

  if (!parse_number (number_text, &number))
    return not_found (a->request, a->session);
  post = rf_archive_post (a->store, a->list, number, &error);
  if (post == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return not_found (a->request, a->session);
      return listweb_trouble (a->request, "archive", error);
    }
  vars = listweb_vars_new ();
  post_vars (vars, a->list, post);
  month = month_of (post);
  listweb_vars_set (vars, "month", month);
  listweb_vars_set (vars, "text", post->text);
  return answer (a, *post->subject != '\0' ? post->subject : "(no subject)", "post", vars, "");
}

static enum MHD_Result
thread_page (Archive *a, const char *number_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) posts = NULL;
  ListwebHtml *rows;
  ListwebVars *vars;
  const RfArchivePost *first;
  gint64 number;

  if (!parse_number (number_text, &number))
    return not_found (a->request, a->session);
  posts = rf_archive_thread (a->store, a->list, number, &error);
  if (posts == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return not_found (a->request, a->session);
      return listweb_trouble (a->request, "archive", error);
    }
  if (posts->len == 0)
    return not_found (a->request, a->session);
  rows = post_rows (a, posts, "thread_row", &error);
  if (rows == NULL)
    return listweb_trouble (a->request, "template", error);
  first = g_ptr_array_index (posts, 0);
  vars = listweb_vars_new ();
  listweb_vars_set_html (vars, "rows", rows);
  {
    g_autofree char *title = g_strdup_printf (
        "Thread: %s", *first->subject != '\0' ? first->subject : "(no subject)");
    return answer (a, title, "thread", vars, "");
  }
}

static ListwebHtml *
page_link (const Archive *a, const char *q_escaped, guint page, const char *id,
           const char *label, GError **error)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();

  listweb_vars_set (vars, "list", a->list->address);
  listweb_vars_set (vars, "q", q_escaped);
  listweb_vars_setf (vars, "page", "%u", page);
  listweb_vars_set (vars, "id", id);
  listweb_vars_set (vars, "label", label);
  return listweb_render (a->request->templates, "page_link", vars, error);
}

static enum MHD_Result
search_page (Archive *a)
{
  const char *q = MHD_lookup_connection_value (a->request->connection, MHD_GET_ARGUMENT_KIND, "q");
  const char *page_text =
      MHD_lookup_connection_value (a->request->connection, MHD_GET_ARGUMENT_KIND, "page");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  g_autofree char *q_valid = g_utf8_make_valid (q != NULL ? q : "", -1);
  g_autofree char *q_escaped = NULL;
  g_autofree char *title = NULL;
  guint64 total = 0;
  gint64 page = 1, started;
  ListwebHtml *rows, *prev, *next;
  ListwebVars *vars;

  if (page_text != NULL && !parse_number (page_text, &page))
    page = 1;
  page = CLAMP (page, 1, 100000);
  if (strlen (q_valid) > 500)
    {
      /* cut on a character boundary */
      char *end = q_valid + 500;

      while (end > q_valid && (*end & 0xC0) == 0x80)
        end--;
      *end = '\0';
    }
  /* issue 11: a search gets [web] search_budget_ms, and stops when its
   * reader goes away, whatever its words */
  started = g_get_monotonic_time ();
  rf_store_set_budget (a->store, started + (gint64) a->request->config->search_budget_ms * 1000,
                       listweb_client_gone, a->request->connection);
  hits = rf_archive_search (a->store, a->list, q_valid, RF_ARCHIVE_BY_RANK,
                            (guint) (page - 1) * HITS_PER_PAGE, HITS_PER_PAGE, &total, &error);
  rf_store_set_budget (a->store, 0, NULL, NULL);
  if (hits == NULL && g_error_matches (error, RF_ERROR, RF_ERROR_CANCELLED))
    {
      gboolean gone = listweb_client_gone (a->request->connection);

      /* the words are the reader's: never in the log */
      rf_log_warning ("search of %s stopped after %" G_GINT64_FORMAT " ms: %s",
                      a->list->address, (g_get_monotonic_time () - started) / 1000,
                      gone ? "the client went away" : "it ran out of [web] search_budget_ms");
      if (gone)
        return MHD_NO;
      return listweb_message_page (a->request, MHD_HTTP_SERVICE_UNAVAILABLE, "Search stopped",
                                   a->session,
                                   "This search took longer than the server allows one search. "
                                   "Search with fewer words, or rarer ones, or without a * "
                                   "after a short word.");
    }
  if (hits == NULL)
    return listweb_trouble (a->request, "search", error);
  rows = post_rows (a, hits, "search_row", &error);
  if (rows == NULL)
    return listweb_trouble (a->request, "template", error);
  q_escaped = g_uri_escape_string (q_valid, NULL, FALSE);
  prev = page > 1 ? page_link (a, q_escaped, (guint) page - 1, "prev", "Previous page", &error)
                  : listweb_html_new ();
  next = (guint64) page * HITS_PER_PAGE < total
             ? page_link (a, q_escaped, (guint) page + 1, "next", "Next page", &error)
             : listweb_html_new ();
  if (prev == NULL || next == NULL)
    {
      listweb_html_free (rows);
      listweb_html_free (prev);
      listweb_html_free (next);
      return listweb_trouble (a->request, "template", error);
    }
  vars = listweb_vars_new ();
  listweb_vars_set_html (vars, "rows", rows);
  listweb_vars_set_html (vars, "prev", prev);
  listweb_vars_set_html (vars, "next", next);
  listweb_vars_setf (vars, "total", "%" G_GUINT64_FORMAT, total);
  listweb_vars_setf (vars, "start", "%" G_GINT64_FORMAT, (page - 1) * HITS_PER_PAGE + 1);
  title = g_strdup_printf ("Search %s", a->list->address);
  return answer (a, title, "search", vars, q_valid);
}

typedef enum { ACCESS_OK, ACCESS_LOGIN, ACCESS_DENIED } Access;

static gboolean
may_read (Archive *a, Access *access_out, GError **error)
{
  g_autofree char *mode = rf_list_get_setting (a->store, a->list, "archive_access", error);
  g_autoptr (RfUser) user = NULL;
  g_autoptr (GError) local = NULL;

  if (mode == NULL)
    return FALSE;
  if (g_str_equal (mode, "public"))
    {
      *access_out = ACCESS_OK;
      return TRUE;
    }
  if (a->session == NULL)
    {
      *access_out = ACCESS_LOGIN;
      return TRUE;
    }
  /* a list's web user reads its own list's archive, and only with "password" */
  if (a->session->user_name == NULL)
    {
      *access_out = g_str_equal (mode, "password") && a->session->list_address != NULL &&
                            g_ascii_strcasecmp (a->session->list_address, a->list->address) == 0
                        ? ACCESS_OK
                        : ACCESS_DENIED;
      return TRUE;
    }
  user = rf_user_lookup (a->store, a->session->user_name, &local);
  if (user == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *access_out = g_str_equal (mode, "moderators") &&
                        rf_user_has_role (user, a->list->address, "moderator")
                    ? ACCESS_OK
                    : ACCESS_DENIED;
  return TRUE;
}

enum MHD_Result
listweb_archive (ListwebRequest *request)
{
  g_auto (Archive) a = { request, NULL, NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *list_address = NULL;
  g_autofree char *archive_on = NULL;
  const char *slash = strchr (request->path, '/');
  const char *rest;
  Access access = ACCESS_DENIED;

  if (slash == NULL || slash == request->path)
    {
      if (*request->path == '\0' || strchr (request->path, '/') != NULL)
        return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
      {
        g_autofree char *to = g_strdup_printf ("/l/%s/", request->path);
        if (strpbrk (to, "\r\n") != NULL)
          return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
        return listweb_redirect (request, to, NULL);
      }
    }
  list_address = g_strndup (request->path, slash - request->path);
  rest = slash + 1;
  a.store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (a.store == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return not_found (request, NULL);
      return listweb_trouble (request, "archive", error);
    }
  if (!listweb_session_get (request, a.store, &a.session, &error))
    return listweb_trouble (request, "archive", error);
  a.list = rf_list_lookup (a.store, list_address, NULL);
  if (a.list == NULL)
    return not_found (request, a.session);
  archive_on = rf_list_get_setting (a.store, a.list, "archive", &error);
  if (archive_on == NULL)
    return listweb_trouble (request, "archive", error);
  if (!g_str_equal (archive_on, "on"))
    return not_found (request, a.session);
  if (!may_read (&a, &access, &error))
    return listweb_trouble (request, "archive", error);
  if (access == ACCESS_LOGIN)
    {
      g_autofree char *list_q = g_uri_escape_string (a.list->address, NULL, FALSE);
      g_autofree char *to = NULL;
      const char *q =
          MHD_lookup_connection_value (request->connection, MHD_GET_ARGUMENT_KIND, "q");
      g_autofree char *q_q = q != NULL ? g_uri_escape_string (q, NULL, FALSE) : NULL;
      /* back to this page after the login, a search with its words */
      g_autofree char *here = g_strdup_printf ("/l/%s/%s%s%s", a.list->address, rest,
                                               q_q != NULL ? "?q=" : "", q_q != NULL ? q_q : "");
      g_autofree char *here_q = g_uri_escape_string (here, "/@", FALSE);

      to = g_strdup_printf ("/login?list=%s&next=%s", list_q, here_q);
      return listweb_redirect (request, to, NULL);
    }
  if (access == ACCESS_DENIED)
    return listweb_message_page (request, MHD_HTTP_FORBIDDEN, "Not allowed", a.session,
                                 "Your account may not read this list's archive.");
  if (*rest == '\0')
    return months_page (&a);
  if (g_str_equal (rest, "search"))
    return search_page (&a);
  if (g_str_has_prefix (rest, "m/"))
    return post_page (&a, rest + 2);
  if (g_str_has_prefix (rest, "t/"))
    return thread_page (&a, rest + 2);
  if (g_str_has_suffix (rest, ".mbox") && month_shaped (rest, strlen (rest) - 5))
    {
      g_autofree char *month = g_strndup (rest, 7);
      return mbox_export (&a, month);
    }
  if (strlen (rest) == 8 && rest[7] == '/' && month_shaped (rest, 7))
    {
      g_autofree char *month = g_strndup (rest, 7);
      return month_page (&a, month);
    }
  return not_found (request, a.session);
}
