/* recipient.c - which list, and which role of it, an address names.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list's local part never holds '+' and never ends in a role suffix
 * (rf_list_create refuses both), so the split is unambiguous: the part
 * before the first '+' ends in -bounces or -confirm, or the local part
 * ends in -request, -owner, -join or -leave, or it is the post address.
 * The suffixes are the role table's (lib/roles/roles.c).
 */
#include "deliver/deliver.h"
#include "roles/roles.h"

#include <string.h>

void
rf_recipient_free (RfRecipient *recipient)
{
  if (recipient == NULL)
    return;
  g_free (recipient->list_address);
  g_free (recipient->tag);
  g_free (recipient);
}

const char *
rf_role_suffix (RfRole role)
{
  /* the role table's suffixes, with their '-' and, when tagged, '+' */
  switch (role)
    {
    case RF_ROLE_POST: return "";
    case RF_ROLE_BOUNCES: return "-bounces+";
    case RF_ROLE_CONFIRM: return "-confirm+";
    case RF_ROLE_REQUEST: return "-request";
    case RF_ROLE_OWNER: return "-owner";
    case RF_ROLE_JOIN: return "-join";
    case RF_ROLE_LEAVE: return "-leave";
    }
  return "";
}

/* Strip "-<suffix>" from the end of @base; TRUE if it was there. */
static gboolean
strip_suffix (char *base, const char *suffix)
{
  gsize n = strlen (base), m = strlen (suffix);

  /* any case: Postfix hands the address over as the sender wrote it */
  if (n < m + 2 || base[n - m - 1] != '-' || g_ascii_strcasecmp (base + n - m, suffix) != 0)
    return FALSE;
  base[n - m - 1] = '\0';
  return TRUE;
}

RfRecipient *
rf_recipient_parse (const char *address, GError **error)
{
  g_autoptr (RfRecipient) r = g_new0 (RfRecipient, 1);
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  const RfRoleDef *roles;
  gsize n_roles;
  char *plus;

  if (at == NULL || at == address || at[1] == '\0' || strlen (address) > 320)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no such list: '%s' is not an address",
                   address != NULL ? address : "");
      return NULL;
    }
  local = g_strndup (address, at - address);
  domain = g_ascii_strdown (at + 1, -1);
  r->role = RF_ROLE_POST;
  roles = _rf_roles_table (&n_roles);

  plus = strchr (local, '+');
  if (plus != NULL)
    {
      *plus = '\0';
      for (gsize i = 0; i < n_roles; i++)
        if (roles[i].tagged && strip_suffix (local, roles[i].suffix))
          {
            r->role = roles[i].role;
            r->tag = g_strdup (plus + 1);
            break;
          }
      if (r->role == RF_ROLE_POST)
        *plus = '+';   /* no role of ours: the whole thing names no list */
    }
  else
    {
      for (gsize i = 0; i < n_roles; i++)
        if (!roles[i].tagged && strip_suffix (local, roles[i].suffix))
          {
            r->role = roles[i].role;
            break;
          }
    }

  {
    /* list local parts are lower-case ASCII: the MTA may hand over any case */
    g_autofree char *lower = g_ascii_strdown (local, -1);

    r->list_address = g_strconcat (lower, "@", domain, NULL);
  }
  return g_steal_pointer (&r);
}
