/* web.c - what listweb's pages share: the client address, form bodies,
 * the session cookie, the layout, redirects, and /static/style.css.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listweb.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

/* The rightmost address of X-Forwarded-For: the one our proxy appended
 * (any before it came from the client and prove nothing); NULL if it is
 * not an IP address. */
static char *
forwarded_for (ListwebRequest *request)
{
  const char *xff = MHD_lookup_connection_value (request->connection, MHD_HEADER_KIND,
                                                 "X-Forwarded-For");
  const char *last;
  g_autofree char *ip = NULL;
  guchar buf[sizeof (struct in6_addr)];

  if (xff == NULL)
    return NULL;
  last = strrchr (xff, ',');
  ip = g_strstrip (g_strdup (last != NULL ? last + 1 : xff));
  if (inet_pton (AF_INET, ip, buf) != 1 && inet_pton (AF_INET6, ip, buf) != 1)
    return NULL;
  return g_steal_pointer (&ip);
}

gboolean
listweb_client_gone (gpointer connection)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info (connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  struct pollfd p = { 0 };

  if (info == NULL)
    return FALSE;
  /* a closed (or reset) peer reads as end of stream: POLLRDHUP, without
   * reading anything, so a pipelined next request is left where it is */
  p.fd = info->connect_fd;
  p.events = POLLRDHUP;
  return poll (&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

char *
listweb_client_ip (ListwebRequest *request)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info (request->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char buf[INET6_ADDRSTRLEN] = "";

  if (info == NULL || info->client_addr == NULL)
    return g_strdup ("unknown");
  if (info->client_addr->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) info->client_addr)->sin_addr, buf,
               sizeof buf);
  else if (info->client_addr->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) info->client_addr)->sin6_addr, buf,
               sizeof buf);
  if (buf[0] == '\0')
    return g_strdup ("unknown");
  /* behind a reverse proxy every peer is the proxy: the client is in the
   * header it adds, believed from the proxies the config names only */
  if (request->config->trusted_proxies != NULL &&
      g_strv_contains ((const char *const *) request->config->trusted_proxies, buf))
    {
      char *client = forwarded_for (request);

      if (client != NULL)
        return client;
    }
  return g_strdup (buf);
}

/* a form value may be a password: gone from memory with the table */
static void
wiped_free (gpointer p)
{
  if (p == NULL)
    return;
  explicit_bzero (p, strlen (p));
  g_free (p);
}

static char *
form_decode (const char *s)
{
  g_autofree char *plus = g_strdup (s);
  char *out;

  for (char *p = plus; *p != '\0'; p++)
    if (*p == '+')
      *p = ' ';
  out = g_uri_unescape_string (plus, NULL);
  explicit_bzero (plus, strlen (plus));
  return out != NULL ? out : g_strdup ("");
}

GHashTable *
listweb_form_parse (const char *body)
{
  GHashTable *form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wiped_free);
  g_auto (GStrv) pairs = NULL;

  if (body == NULL)
    return form;
  pairs = g_strsplit (body, "&", 0);
  for (char **p = pairs; *p != NULL; p++)
    {
      char *eq = strchr (*p, '=');
      char *value;

      if (eq == NULL)
        continue;
      *eq = '\0';
      value = form_decode (eq + 1);
      /* the first of a repeated name counts */
      if (!g_hash_table_contains (form, *p))
        g_hash_table_insert (form, form_decode (*p), value);
      else
        wiped_free (value);
      explicit_bzero (eq + 1, strlen (eq + 1));
    }
  return form;
}

void
listweb_security_policy (const ListwebRequest *request, RfSecurityPolicy *policy)
{
  rf_security_from_config (request->config, policy);
}

gboolean
listweb_session_get (ListwebRequest *request, RfStore *store, RfSession **session_out,
                     GError **error)
{
  const char *cookie =
      MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, LISTWEB_SESSION_COOKIE);
  RfSecurityPolicy policy;

  *session_out = NULL;
  if (cookie == NULL || *cookie == '\0')
    return TRUE;
  listweb_security_policy (request, &policy);
  return rf_session_lookup (store, &policy, cookie, session_out, error);
}

char *
listweb_cookie_header (const ListwebRequest *request, const char *name, const char *value)
{
  gboolean secure = g_str_has_prefix (request->config->base_url, "https://");

  /* no Max-Age on a session: the server ends it (idle, absolute), and the
   * browser forgets it when closed */
  return g_strdup_printf ("%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s", name,
                          value != NULL ? value : "", value == NULL ? "; Max-Age=0" : "",
                          secure ? "; Secure" : "");
}

static enum MHD_Result
queue_html (ListwebRequest *request, unsigned int status, const ListwebHtml *page,
            const char *set_cookie)
{
  struct MHD_Response *response = MHD_create_response_from_buffer (
      listweb_html_len (page), (void *) listweb_html_str (page), MHD_RESPMEM_MUST_COPY);

  MHD_add_response_header (response, "Content-Type", "text/html; charset=utf-8");
  MHD_add_response_header (response, "Cache-Control", "no-store");
  if (set_cookie != NULL)
    MHD_add_response_header (response, "Set-Cookie", set_cookie);
  return listweb_queue (request, status, response);
}

enum MHD_Result
listweb_trouble (ListwebRequest *request, const char *what, const GError *error)
{
  rf_log_error ("%s: %s", what, error != NULL ? error->message : "?");
  return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                         "The server could not answer. Please try again later.");
}

enum MHD_Result
listweb_render_page (ListwebRequest *request, unsigned int status, const char *title,
                     const RfSession *session, ListwebHtml *content, const char *set_cookie)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (ListwebVars) nav_vars = listweb_vars_new ();
  g_autoptr (ListwebHtml) page = NULL;
  g_autoptr (GError) error = NULL;
  ListwebHtml *nav;

  if (request->templates == NULL)
    {
      listweb_html_free (content);
      return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "The server has no page templates.");
    }
  if (session != NULL)
    {
      listweb_vars_set (nav_vars, "who",
                        session->user_name != NULL ? session->user_name : session->list_address);
      listweb_vars_set (nav_vars, "csrf", session->csrf_token);
    }
  nav = listweb_render (request->templates, session != NULL ? "nav_user" : "nav_anon", nav_vars,
                        &error);
  if (nav == NULL)
    {
      listweb_html_free (content);
      return listweb_trouble (request, "template", error);
    }
  listweb_vars_set (vars, "title", title);
  listweb_vars_set_html (vars, "nav", nav);
  listweb_vars_set_html (vars, "content", content);
  page = listweb_render (request->templates, "layout", vars, &error);
  if (page == NULL)
    return listweb_trouble (request, "template", error);
  return queue_html (request, status, page, set_cookie);
}

enum MHD_Result
listweb_message_page (ListwebRequest *request, unsigned int status, const char *title,
                      const RfSession *session, const char *text)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (GError) error = NULL;
  ListwebHtml *content;

  if (request->templates == NULL)
    return listweb_answer (request, status, text);
  listweb_vars_set (vars, "kind", status >= 400 ? "error" : "info");
  listweb_vars_set (vars, "text", text);
  content = listweb_render (request->templates, "message", vars, &error);
  if (content == NULL)
    return listweb_trouble (request, "template", error);
  return listweb_render_page (request, status, title, session, content, NULL);
}

enum MHD_Result
listweb_redirect (ListwebRequest *request, const char *location, const char *set_cookie)
{
  struct MHD_Response *response =
      MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);

  MHD_add_response_header (response, "Location", location);
  MHD_add_response_header (response, "Cache-Control", "no-store");
  if (set_cookie != NULL)
    MHD_add_response_header (response, "Set-Cookie", set_cookie);
  return listweb_queue (request, MHD_HTTP_SEE_OTHER, response);
}

enum MHD_Result
listweb_static (ListwebRequest *request)
{
  g_autofree char *path = NULL;
  g_autofree char *css = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  struct MHD_Response *response;

  /* one file, by name: nothing else of the directory is served */
  if (!g_str_equal (request->path, "style.css") || request->templates == NULL)
    return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
  path = g_build_filename (listweb_templates_dir (request->templates), "style.css", NULL);
  if (!g_file_get_contents (path, &css, &len, &error))
    return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
  response = MHD_create_response_from_buffer (len, css, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header (response, "Content-Type", "text/css; charset=utf-8");
  MHD_add_response_header (response, "Cache-Control", "max-age=3600");
  return listweb_queue (request, MHD_HTTP_OK, response);
}

char *
listweb_masked_address (const char *address)
{
  const char *at = strrchr (address, '@');

  if (at == NULL || at == address)
    return g_strdup ("…");
  return g_strdup_printf ("%.*s…%s", (int) (g_utf8_next_char (address) - address), address,
                          at);
}

char *
listweb_content_disposition (const char *name)
{
  g_autoptr (GString) ascii = g_string_new (NULL);
  g_autofree char *pct = g_uri_escape_string (name, NULL, FALSE);

  /* one '_' per character that is not printable ASCII (the name is UTF-8) */
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_c (ascii, c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_');
    }
  return g_strdup_printf ("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii->str, pct);
}
