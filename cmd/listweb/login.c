/* login.c - GET and POST /login, POST /logout.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One form for both kinds of account: a site user (admin, owner,
 * moderator) and a list's subscriber web user (archive_access =
 * password).  The form comes from /l/<list>/, which names the list: then a
 * user name equal to the list's web user logs in as it, any other as a
 * site user.  Throttling, lockout, the IP blocklist and the activity log
 * are the library's (rf_login_user, rf_login_list); this file never logs
 * or echoes a password.
 *
 * CSRF: before login there is no session, so the login form is protected
 * by a double-submit token: GET /login sets a random cookie and puts the
 * same value in the form; a POST whose field does not match the cookie
 * (another site's form cannot read or set our SameSite=Strict cookie) is
 * 403.  After login, every form carries the session's token.
 */
#include "listweb.h"

#include <string.h>

static gboolean
same_token (const char *a, const char *b)
{
  gsize la, lb;
  guint8 diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  if (la != lb || la == 0)
    return FALSE;
  for (gsize i = 0; i < la; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

/* Only a path of ours made of safe characters: no scheme, no "//host",
 * and nothing a browser skips or a header splits at (a TAB makes
 * "/\t/host" read as "//host"): letters, digits, and "/-._~%?=&@+" (a
 * query's words arrive percent-encoded). */
static const char *
safe_next (const char *next)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789/-._~%?=&@+";

  if (next == NULL || next[0] != '/' || next[1] == '/' || strspn (next, safe) != strlen (next))
    return NULL;
  return next;
}

static enum MHD_Result
login_form (ListwebRequest *request, unsigned int status, const RfSession *session,
            const char *list, const char *next, const char *message)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (ListwebVars) mvars = listweb_vars_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *cookie = NULL;
  const char *old =
      MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, LISTWEB_LOGIN_COOKIE);
  ListwebHtml *content;

  if (request->templates == NULL)
    return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "The server has no page templates.");
  /* keep the form's token across a failed attempt; a fresh one otherwise */
  if (old != NULL && strlen (old) == 43)
    token = g_strdup (old);
  else
    {
      token = rf_token_new ();
      cookie = listweb_cookie_header (request, LISTWEB_LOGIN_COOKIE, token);
    }
  if (message != NULL)
    {
      listweb_vars_set (mvars, "kind", status >= 400 ? "error" : "info");
      listweb_vars_set (mvars, "text", message);
      listweb_vars_set_html (vars, "message",
                             listweb_render (request->templates, "message", mvars, &error));
      if (error != NULL)
        return listweb_trouble (request, "template", error);
    }
  else if (session != NULL)
    {
      g_autofree char *text =
          g_strdup_printf ("You are logged in as %s.", session->user_name != NULL
                                                           ? session->user_name
                                                           : session->list_address);
      listweb_vars_set (mvars, "kind", "info");
      listweb_vars_set (mvars, "text", text);
      listweb_vars_set_html (vars, "message",
                             listweb_render (request->templates, "message", mvars, &error));
      if (error != NULL)
        return listweb_trouble (request, "template", error);
    }
  else
    listweb_vars_set_html (vars, "message", listweb_html_new ());
  listweb_vars_set (vars, "csrf", token);
  listweb_vars_set (vars, "list", list != NULL ? list : "");
  listweb_vars_set (vars, "next", safe_next (next) != NULL ? next : "");
  content = listweb_render (request->templates, "login", vars, &error);
  if (content == NULL)
    return listweb_trouble (request, "template", error);
  return listweb_render_page (request, status, "Log in", session, content, cookie);
}

static enum MHD_Result
login_post (ListwebRequest *request)
{
  g_autoptr (GHashTable) form = listweb_form_parse (request->body);
  const char *cookie_token =
      MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, LISTWEB_LOGIN_COOKIE);
  const char *user = g_hash_table_lookup (form, "user");
  const char *password = g_hash_table_lookup (form, "password");
  const char *list_address = g_hash_table_lookup (form, "list");
  const char *next = safe_next (g_hash_table_lookup (form, "next"));
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfList) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ip = listweb_client_ip (request);
  g_autofree char *web_name = NULL;
  g_autofree char *set_cookie = NULL;
  g_autofree char *target = NULL;
  char *cookie = NULL;
  RfSecurityPolicy policy;
  RfLoginResult result = RF_LOGIN_BAD_PASSWORD;
  gboolean ok;

  store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (store == NULL)
    return listweb_trouble (request, "login", error);
  if (!same_token (cookie_token, g_hash_table_lookup (form, "csrf")))
    {
      rf_activity_log (store, &(const RfActor) { "listweb", ip }, "csrf-refused", "/login", NULL);
      return listweb_message_page (request, MHD_HTTP_FORBIDDEN, "Refused", NULL,
                                   "This form has expired or did not come from this site. "
                                   "Open the login page again.");
    }
  if (user == NULL || password == NULL || *user == '\0' || *password == '\0')
    return login_form (request, MHD_HTTP_BAD_REQUEST, NULL, list_address, next,
                       "Give a user name and a password.");
  listweb_security_policy (request, &policy);
  if (list_address != NULL && *list_address != '\0')
    {
      list = rf_list_lookup (store, list_address, NULL);
      if (list != NULL && !rf_list_web_access_get (store, list, &web_name, &error))
        return listweb_trouble (request, "login", error);
    }
  if (list != NULL && web_name != NULL && g_str_equal (web_name, user))
    ok = rf_login_list (store, &policy, list, user, password, ip, &result, &cookie, &error);
  else
    ok = rf_login_user (store, &policy, user, password, ip, &result, &cookie, &error);
  if (!ok)
    return listweb_trouble (request, "login", error);
  switch (result)
    {
    case RF_LOGIN_OK:
      set_cookie = listweb_cookie_header (request, LISTWEB_SESSION_COOKIE, cookie);
      explicit_bzero (cookie, strlen (cookie));
      g_free (cookie);
      if (next != NULL)
        target = g_strdup (next);
      else if (list != NULL)
        target = g_strdup_printf ("/l/%s/", list->address);
      else
        target = g_strdup ("/login");
      {
        enum MHD_Result ret = listweb_redirect (request, target, set_cookie);
        explicit_bzero (set_cookie, strlen (set_cookie));
        return ret;
      }
    case RF_LOGIN_IP_BLOCKED:
      return login_form (request, MHD_HTTP_TOO_MANY_REQUESTS, NULL, list_address, next,
                         "Too many failed logins from your address. Try again later.");
    case RF_LOGIN_ACCOUNT_LOCKED:
    case RF_LOGIN_BAD_PASSWORD:
    default:
      /* a locked account and a name that does not exist get the same
       * answer (and take the same time: rf_login_user): the page must not
       * tell which names are accounts */
      return login_form (request, MHD_HTTP_UNAUTHORIZED, NULL, list_address, next,
                         "Wrong user name or password. After repeated failures a name "
                         "is refused for a while: try again later.");
    }
}

enum MHD_Result
listweb_login (ListwebRequest *request)
{
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfSession) session = NULL;
  g_autoptr (GError) error = NULL;

  if (*request->path != '\0')
    return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
  if (g_str_equal (request->method, "POST"))
    return login_post (request);
  store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (store == NULL && !g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
    return listweb_trouble (request, "login", error);
  if (store != NULL && !listweb_session_get (request, store, &session, &error))
    return listweb_trouble (request, "login", error);
  return login_form (
      request, MHD_HTTP_OK, session,
      MHD_lookup_connection_value (request->connection, MHD_GET_ARGUMENT_KIND, "list"),
      MHD_lookup_connection_value (request->connection, MHD_GET_ARGUMENT_KIND, "next"), NULL);
}

enum MHD_Result
listweb_logout (ListwebRequest *request)
{
  g_autoptr (GHashTable) form = NULL;
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ip = listweb_client_ip (request);
  g_autofree char *clear = NULL;
  const char *cookie;

  if (*request->path != '\0')
    return listweb_answer (request, MHD_HTTP_NOT_FOUND, "not found");
  if (!g_str_equal (request->method, "POST"))
    return listweb_answer (request, MHD_HTTP_METHOD_NOT_ALLOWED, "log out with the button");
  form = listweb_form_parse (request->body);
  store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (store == NULL)
    return listweb_trouble (request, "logout", error);
  if (!listweb_session_get (request, store, &session, &error))
    return listweb_trouble (request, "logout", error);
  if (session == NULL)
    return listweb_redirect (request, "/login", NULL);
  if (!rf_session_csrf_check (session, g_hash_table_lookup (form, "csrf")))
    {
      rf_activity_log (store, &(const RfActor) { "listweb", ip }, "csrf-refused", "/logout", NULL);
      return listweb_message_page (request, MHD_HTTP_FORBIDDEN, "Refused", session,
                                   "This form has expired or did not come from this site.");
    }
  cookie =
      MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, LISTWEB_SESSION_COOKIE);
  if (!rf_session_drop (store, cookie, &error))
    return listweb_trouble (request, "logout", error);
  rf_activity_log (store, &(const RfActor) { "listweb", ip }, "logout",
                   session->user_name != NULL ? session->user_name : session->list_address, NULL);
  clear = listweb_cookie_header (request, LISTWEB_SESSION_COOKIE, NULL);
  {
    g_autoptr (ListwebVars) vars = listweb_vars_new ();
    ListwebHtml *content;

    if (request->templates == NULL)
      return listweb_answer (request, MHD_HTTP_OK, "Logged out.");
    listweb_vars_set (vars, "kind", "info");
    listweb_vars_set (vars, "text", "You are logged out.");
    content = listweb_render (request->templates, "message", vars, &error);
    if (content == NULL)
      return listweb_trouble (request, "template", error);
    return listweb_render_page (request, MHD_HTTP_OK, "Logged out", NULL, content, clear);
  }
}
