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

#include <reflector/reflector.h>

#include "template.h"

#include <microhttpd.h>
#include <sysexits.h>

#include <reflector/banned.h>

typedef struct {
  struct MHD_Connection *connection;
  const RfConfig *config;
  const char *method;        /* "GET" or "HEAD", or "POST" where the route takes it */
  const char *path;          /* after the route's prefix, percent-decoded */
  const char *body;          /* POST: the request body (NUL-terminated), else NULL */
  gsize body_len;
  const ListwebTemplates *templates; /* the pages' templates, or NULL when the
                                      * directory could not be read */
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
/* The certificate and key of HTTPS, read before privileges are dropped
 * (the key is often readable by root only). */
typedef struct {
  char *certificate;         /* PEM */
  char *key;                 /* PEM; wiped when freed */
} ListwebTls;
/* NULL without error when the config has no TLS. */
ListwebTls *listweb_tls_load (const RfConfig *config, GError **error);
void listweb_tls_free (ListwebTls *tls);
/* Serve on the bound, listening socket @fd (taken), over HTTPS when @tls is
 * not NULL.  Returns: (transfer full). */
ListwebServer *listweb_server_start (const RfConfig *config,
                                     const ListwebTemplates *templates, const ListwebTls *tls,
                                     int fd, gboolean ipv6, guint threads, GError **error);
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

/* confirm.c: GET /c/<token> shows what it confirms, POST /c/ (the token in
 * the form) does it (issue 10) */
enum MHD_Result listweb_confirm (ListwebRequest *request);

/* redelivery.c: GET /r/<token>, the posts that bounced for a member */
enum MHD_Result listweb_redelivery (ListwebRequest *request);

/* ink.c: GET /ink/<token> and its files (Disappearing Ink, issue 16) */
enum MHD_Result listweb_ink (ListwebRequest *request);

/* An HTML page: @title and @body_html (already escaped by the caller),
 * with the security headers. */
enum MHD_Result listweb_page (ListwebRequest *request, unsigned int status, const char *title,
                              const char *body_html);

/* ---- pages: web.c (sessions, forms, the layout), login.c, archive.c ---- */

/* The session cookie's name; the login form's double-submit cookie. */
#define LISTWEB_SESSION_COOKIE "rf_session"
#define LISTWEB_LOGIN_COOKIE "rf_login"

/* The peer's address, from the connection.  Returns: (transfer full). */
char *listweb_client_ip (ListwebRequest *request);
/* Whether the client of @connection (a struct MHD_Connection *) has closed
 * its end: an RfStoreCancelFunc, so that a request whose reader went away
 * stops its work in the store (issue 11). */
gboolean listweb_client_gone (gpointer connection);
/* "ann@example.org" -> "a…@example.org": whoever holds a page sees whose
 * it is, but a page left open on a screen does not spell the address.
 * Returns: (transfer full). */
char *listweb_masked_address (const char *address);
/* The Content-Disposition of a download named @name (UTF-8):
 * filename="<ASCII, no quote or backslash>"; filename*=UTF-8''<pct>
 * (RFC 6266).  Returns: (transfer full). */
char *listweb_content_disposition (const char *name);
/* An application/x-www-form-urlencoded body; the values are wiped when the
 * table is destroyed (a password is one).  Returns: (transfer full). */
GHashTable *listweb_form_parse (const char *body);
/* The session of the request's cookie (touched), or NULL in *session_out. */
gboolean listweb_session_get (ListwebRequest *request, RfStore *store,
                              RfSession **session_out, GError **error);
void listweb_security_policy (const ListwebRequest *request, RfSecurityPolicy *policy);
/* "rf_session=...; HttpOnly; SameSite=Strict; Path=/" (+ "; Secure" when
 * base_url is https).  @value NULL: the header that removes it. */
char *listweb_cookie_header (const ListwebRequest *request, const char *name,
                             const char *value);
/* Render @content into layout.html with the header for @session (may be
 * NULL) and answer.  @set_cookie: a Set-Cookie value, or NULL. */
enum MHD_Result listweb_render_page (ListwebRequest *request, unsigned int status,
                                     const char *title, const RfSession *session,
                                     ListwebHtml *content, const char *set_cookie);
/* A page that is only a message (text, escaped). */
enum MHD_Result listweb_message_page (ListwebRequest *request, unsigned int status,
                                      const char *title, const RfSession *session,
                                      const char *text);
/* 303 to @location (a path of ours). */
enum MHD_Result listweb_redirect (ListwebRequest *request, const char *location,
                                  const char *set_cookie);
/* 500 after logging @error (never a secret: store errors only). */
enum MHD_Result listweb_trouble (ListwebRequest *request, const char *what,
                                 const GError *error);

/* login.c: GET and POST /login, POST /logout */
enum MHD_Result listweb_login (ListwebRequest *request);
enum MHD_Result listweb_logout (ListwebRequest *request);
/* archive.c: /l/<list>/... */
enum MHD_Result listweb_archive (ListwebRequest *request);
/* moderator.c: /m/... (the moderator panel) */
enum MHD_Result listweb_moderator (ListwebRequest *request);
/* held.c: /m/<list>/held, the panel's held posts (issue 10): GET lists
 * them, POST (@form: csrf checked already, id, action) decides.  @actor
 * names the moderator. */
enum MHD_Result listweb_held (ListwebRequest *request, RfStore *store, const RfSession *session,
                              const RfList *list, const RfActor *actor, GHashTable *form);
/* web.c: /static/style.css from the templates directory */
enum MHD_Result listweb_static (ListwebRequest *request);
