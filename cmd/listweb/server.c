/* server.c - libmicrohttpd: a thread pool, the route table, and the
 * security headers of every response.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listweb.h"

#include <string.h>
#include <unistd.h>

struct _ListwebServer {
  struct MHD_Daemon *daemon;
  const RfConfig *config;
  const ListwebTemplates *templates;
};

/* What one request has read so far. */
typedef struct {
  GString *body;
  gboolean too_big;
} Upload;

/* No page of ours runs scripts, is framed, or leaks where a reader came
 * from; and no browser second-guesses a Content-Type. */
static const struct { const char *name, *value; } security_headers[] = {
  { "X-Content-Type-Options", "nosniff" },
  { "Referrer-Policy", "no-referrer" },
  { "Content-Security-Policy",
    "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'" },
  { "X-Frame-Options", "DENY" },
};

enum MHD_Result
listweb_queue (ListwebRequest *request, unsigned int status, struct MHD_Response *response)
{
  enum MHD_Result ret;

  for (gsize i = 0; i < G_N_ELEMENTS (security_headers); i++)
    MHD_add_response_header (response, security_headers[i].name, security_headers[i].value);
  ret = MHD_queue_response (request->connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

enum MHD_Result
listweb_page (ListwebRequest *request, unsigned int status, const char *title,
              const char *body_html)
{
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html>\n<html lang=\"en\"><head>"
                                           "<meta charset=\"utf-8\">"
                                           "<meta name=\"viewport\" content=\"width=device-width\">"
                                           "<title>%s</title></head>\n<body>\n<h1>%s</h1>\n%s\n"
                                           "</body></html>\n",
                                           t, t, body_html);
  struct MHD_Response *response =
      MHD_create_response_from_buffer (strlen (page), page, MHD_RESPMEM_MUST_COPY);

  MHD_add_response_header (response, "Content-Type", "text/html; charset=utf-8");
  MHD_add_response_header (response, "Cache-Control", "no-store");
  return listweb_queue (request, status, response);
}

enum MHD_Result
listweb_answer (ListwebRequest *request, unsigned int status, const char *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);
  struct MHD_Response *response =
      MHD_create_response_from_buffer (strlen (body), body, MHD_RESPMEM_MUST_COPY);

  MHD_add_response_header (response, "Content-Type", "text/plain; charset=utf-8");
  MHD_add_response_header (response, "Cache-Control", "no-store");
  return listweb_queue (request, status, response);
}

static enum MHD_Result
access_handler (void *cls, struct MHD_Connection *connection, const char *url,
                const char *method, const char *version, const char *upload_data,
                size_t *upload_data_size, void **con_cls)
{
  ListwebServer *server = cls;
  ListwebRequest request = { connection, server->config, method, url, NULL, 0, server->templates };
  const ListwebRoute *route = listweb_route_find (url);
  gboolean post = g_str_equal (method, "POST");
  Upload *upload = *con_cls;

  /* the first call only announces the request (headers read) */
  if (upload == NULL)
    {
      upload = g_new0 (Upload, 1);
      upload->body = g_string_new (NULL);
      *con_cls = upload;
      return MHD_YES;
    }
  if (*upload_data_size != 0)
    {
      /* kept only for a route that takes it, and only up to the limit */
      if (post && route != NULL && route->post && !upload->too_big)
        {
          if (upload->body->len + *upload_data_size > LISTWEB_MAX_BODY)
            upload->too_big = TRUE;
          else
            g_string_append_len (upload->body, upload_data, (gssize) *upload_data_size);
        }
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD") &&
      !(post && route != NULL && route->post))
    {
      struct MHD_Response *response =
          MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);

      MHD_add_response_header (response, "Allow",
                               route != NULL && route->post ? "GET, HEAD, POST" : "GET, HEAD");
      return listweb_queue (&request, MHD_HTTP_METHOD_NOT_ALLOWED, response);
    }
  if (route == NULL)
    return listweb_answer (&request, MHD_HTTP_NOT_FOUND, "not found");
  if (upload->too_big)
    return listweb_answer (&request, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
  request.path = url + strlen (route->prefix);
  if (post)
    {
      request.body = upload->body->str;
      request.body_len = upload->body->len;
    }
  return route->handler (&request);
}

static void
request_done (void *cls, struct MHD_Connection *connection, void **con_cls,
              enum MHD_RequestTerminationCode toe)
{
  Upload *upload = *con_cls;

  if (upload == NULL)
    return;
  /* a login form's body holds a password */
  explicit_bzero (upload->body->str, upload->body->len);
  g_string_free (upload->body, TRUE);
  g_free (upload);
  *con_cls = NULL;
}

ListwebTls *
listweb_tls_load (const RfConfig *config, GError **error)
{
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr (GError) local = NULL;
  ListwebTls *tls;

  if (config->tls_certificate == NULL)
    return NULL;
  if (!MHD_is_feature_supported (MHD_FEATURE_TLS))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "[web] tls_certificate: this libmicrohttpd has no TLS; serve plain HTTP "
                   "on loopback behind a TLS proxy (contrib/nginx)");
      return NULL;
    }
  if (!g_file_get_contents (config->tls_certificate, &cert, NULL, &local) ||
      !g_file_get_contents (config->tls_key, &key, NULL, &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "[web] tls_certificate/tls_key: %s",
                   local->message);
      return NULL;
    }
  tls = g_new0 (ListwebTls, 1);
  tls->certificate = g_steal_pointer (&cert);
  tls->key = g_steal_pointer (&key);
  return tls;
}

void
listweb_tls_free (ListwebTls *tls)
{
  if (tls == NULL)
    return;
  g_free (tls->certificate);
  if (tls->key != NULL)
    explicit_bzero (tls->key, strlen (tls->key));
  g_free (tls->key);
  g_free (tls);
}

ListwebServer *
listweb_server_start (const RfConfig *config, const ListwebTemplates *templates,
                      const ListwebTls *tls, int fd, gboolean ipv6, guint threads, GError **error)
{
  ListwebServer *server = g_new0 (ListwebServer, 1);
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;

  if (ipv6)
    flags |= MHD_USE_IPv6;
  if (tls != NULL)
    flags |= MHD_USE_TLS;
  server->config = config;
  server->templates = templates;
  /* a slow or idle client is cut after request_timeout; one address holds
   * at most connections_per_ip (a reverse proxy: see trusted_proxies) */
  server->daemon = MHD_start_daemon (
      flags, 0, NULL, NULL, access_handler, server, MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) threads, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned int) config->request_timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 512,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) config->connections_per_ip,
      MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
      tls != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
      tls != NULL ? tls->certificate : NULL,
      MHD_OPTION_HTTPS_MEM_KEY, tls != NULL ? tls->key : NULL, MHD_OPTION_END);
  if (server->daemon == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot start the HTTP server");
      close (fd);
      g_free (server);
      return NULL;
    }
  return server;
}

void
listweb_server_stop (ListwebServer *server)
{
  if (server == NULL)
    return;
  MHD_stop_daemon (server->daemon);
  g_free (server);
}
