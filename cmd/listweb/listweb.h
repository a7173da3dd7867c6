/* listweb.h - what the files of listweb share.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main.c reads options and config, binds, drops privileges and runs the
 * server; server.c is libmicrohttpd and the headers every response
 * carries; routes.c is the table; one file per route group (attachments.c)
 * holds the handlers.  A later route group is a file and rows in routes.c.
 */
#pragma once

#include "reflector.h"

#include <microhttpd.h>

typedef struct {
  struct MHD_Connection *connection;
  const RfConfig *config;
  const char *method;        /* "GET" or "HEAD", or "POST" where the route takes it */
  const char *path;          /* after the route's prefix, percent-decoded */
  const char *body;          /* POST: the request body (NUL-terminated), else NULL */
  gsize body_len;
} ListwebRequest;

typedef enum MHD_Result (*ListwebHandler) (ListwebRequest *request);

typedef struct {
  const char *prefix;        /* "/a/": the path starts with it */
  ListwebHandler handler;
  const char *name;          /* for the log line, instead of the path (which may
                              * hold a token) */
  gboolean post;             /* also takes POST (a body of at most
                              * LISTWEB_MAX_BODY bytes) */
} ListwebRoute;

/* The largest request body listweb reads: its forms are small. */
#define LISTWEB_MAX_BODY (64 * 1024)

/* routes.c */
const ListwebRoute *listweb_route_find (const char *path);

/* server.c */
typedef struct _ListwebServer ListwebServer;
/* Serve on the bound, listening socket @fd (taken).  Returns: (transfer full). */
ListwebServer *listweb_server_start (const RfConfig *config, int fd, gboolean ipv6,
                                     guint threads, GError **error);
void listweb_server_stop (ListwebServer *server);
/* Every response goes through this: the security headers, then queued. */
enum MHD_Result listweb_queue (ListwebRequest *request, unsigned int status,
                               struct MHD_Response *response);
/* A short text/plain answer (404, 410, 405, 500...). */
enum MHD_Result listweb_answer (ListwebRequest *request, unsigned int status,
                                const char *text);

/* attachments.c */
enum MHD_Result listweb_attachment (ListwebRequest *request);

/* unsubscribe.c: GET and POST /u/<token> (RFC 8058 one-click) */
enum MHD_Result listweb_unsubscribe (ListwebRequest *request);

/* redelivery.c: GET /r/<token>, the posts that bounced for a member */
enum MHD_Result listweb_redelivery (ListwebRequest *request);

/* An HTML page: @title and @body_html (already escaped by the caller),
 * with the security headers. */
enum MHD_Result listweb_page (ListwebRequest *request, unsigned int status, const char *title,
                              const char *body_html);
