/* address.c - parse and normalise one subscriber or list address.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "mime/mime.h"

#include <string.h>

static gboolean
invalid (const char *input, const char *why, GError **error)
{
  g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "'%s': not a valid address (%s)", input,
               why);
  return FALSE;
}

static gboolean
has_space_or_control (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s <= 0x20 || *s == 0x7f)
      return TRUE;
  return FALSE;
}

/* A dotted domain of non-empty labels; letters, digits, '-' and (for
 * internationalised names) any UTF-8 beyond ASCII. */
static gboolean
domain_ok (const char *domain)
{
  gsize len = strlen (domain);
  gboolean dot = FALSE;

  if (len == 0 || len > 253 || domain[0] == '.' || domain[len - 1] == '.')
    return FALSE;
  for (const char *p = domain; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '.')
        {
          if (p[1] == '.')
            return FALSE;
          dot = TRUE;
        }
      else if (!(g_ascii_isalnum (c) || c == '-' || c >= 0x80))
        return FALSE;
    }
  return dot;
}

char *
rf_address_normalize (const char *input, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (InternetAddressList) list = NULL;
  InternetAddress *ia;
  const char *addr;
  const char *at;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (input != NULL, NULL);

  if (!g_utf8_validate (input, -1, NULL))
    {
      invalid ("?", "not UTF-8", error);
      return NULL;
    }
  text = g_strstrip (g_strdup (input));
  if (*text == '\0')
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "empty address");
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        invalid (text, "control character", error);
        return NULL;
      }
  /* GMime's parser is lenient (it repairs "a b@c.d" and the like, as it
   * must for headers); an administrator's bare address is taken exactly. */
  if (strchr (text, '<') == NULL && has_space_or_control (text))
    {
      invalid (text, "contains a space", error);
      return NULL;
    }

  _rf_mime_init ();
  list = internet_address_list_parse (NULL, text);
  if (list == NULL || internet_address_list_length (list) == 0)
    {
      invalid (text, "cannot be parsed", error);
      return NULL;
    }
  if (internet_address_list_length (list) != 1)
    {
      invalid (text, "more than one address", error);
      return NULL;
    }
  ia = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (ia))
    {
      invalid (text, "a group, not an address", error);
      return NULL;
    }
  addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
  if (addr == NULL || (at = strrchr (addr, '@')) == NULL)
    {
      invalid (text, "no @domain", error);
      return NULL;
    }
  if (has_space_or_control (addr))
    {
      invalid (text, "contains a space", error);
      return NULL;
    }
  local = g_strndup (addr, at - addr);
  if (*local == '\0' || strlen (local) > 64)
    {
      invalid (text, *local == '\0' ? "no local part" : "local part longer than 64", error);
      return NULL;
    }
  domain = g_utf8_strdown (at + 1, -1);
  if (!domain_ok (domain))
    {
      invalid (text, "no valid dotted domain", error);
      return NULL;
    }
  return g_strconcat (local, "@", domain, NULL);
}

gboolean
rf_address_split (const char *address, char **local_out, char **domain_out)
{
  const char *at;

  if (address == NULL || (at = strrchr (address, '@')) == NULL)
    return FALSE;
  if (local_out != NULL)
    *local_out = g_strndup (address, at - address);
  if (domain_out != NULL)
    *domain_out = g_strdup (at + 1);
  return TRUE;
}
