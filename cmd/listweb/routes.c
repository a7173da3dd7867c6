/* routes.c - listweb's route table.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * To add a route group (archive, accounts, moderator pages): a file with
 * its handlers, declared in listweb.h, and its rows here, most specific
 * prefix first.  Anything that matches no row is 404: there is no file
 * serving and no directory listing anywhere.
 */
#include "listweb.h"

static const ListwebRoute routes[] = {
  /* /a/<token>/<name> and /a/<list>/<post>/<n>/<name> */
  { "/a/", listweb_attachment, "attachment", FALSE },
  /* /u/<token>: GET shows a button, POST (RFC 8058 one-click) unsubscribes */
  { "/u/", listweb_unsubscribe, "unsubscribe", TRUE },
  /* the archive of a list: /l/<list>/, /l/<list>/<yyyy-mm>/, .../m/<n>, ... */
  { "/l/", listweb_archive, "archive", FALSE },
  { "/login", listweb_login, "login", TRUE },
  { "/logout", listweb_logout, "logout", TRUE },
  { "/static/", listweb_static, "static", FALSE },
  /* the moderator panel: /m/, /m/<list>/ and its forms, /m/password */
  { "/m/", listweb_moderator, "moderator", TRUE },
  /* /r/<token>: the posts that bounced for one member (Bounce Redelivery) */
  { "/r/", listweb_redelivery, "redelivery", FALSE },
  /* /ink/<token> and /ink/<token>/<n>/<name>: a Disappearing Ink post and
   * its files, for the list's web user (issue 16) */
  { "/ink/", listweb_ink, "ink", FALSE },
};

const ListwebRoute *
listweb_route_find (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    if (g_str_has_prefix (path, routes[i].prefix))
      return &routes[i];
  return NULL;
}
