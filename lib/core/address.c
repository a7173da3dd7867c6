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

/* A character no one sees: a byte-order mark glued to the first line of
 * an import, a zero-width space, a bidi mark.  (Valid UTF-8 assumed.) */
static gboolean
has_invisible (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x80 && (!g_unichar_isgraph (c) || g_unichar_type (c) == G_UNICODE_FORMAT))
        return TRUE;
    }
  return FALSE;
}

/* A dotted domain of labels of 1 to 63 characters that neither start nor
 * end with '-'; letters, digits, '-' and (for internationalised names)
 * any visible UTF-8 beyond ASCII. */
static gboolean
domain_ok (const char *domain)
{
  gsize len = strlen (domain);
  gboolean dot = FALSE;
  const char *label = domain;

  if (len == 0 || len > 253 || domain[0] == '.' || domain[len - 1] == '.' ||
      has_invisible (domain))
    return FALSE;
  for (const char *p = domain;; p++)
    {
      guchar c = (guchar) *p;

      if (c == '.' || c == '\0')
        {
          if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
            return FALSE;
          if (c == '\0')
            break;
          dot = TRUE;
          label = p + 1;
        }
      else if (!(g_ascii_isalnum (c) || c == '-' || c >= 0x80))
        return FALSE;
    }
  return dot;
}

/* The addr-spec as the administrator wrote it: the whole text, or what
 * is between the angle brackets that end it.  GMime's parser repairs
 * what it reads (a missing '>', a list cut at ';'), as a header parser
 * must; an administrator's address is taken exactly, so the written one is
 * checked too.  NULL when the brackets do not close the text. */
static char *
written_addr_spec (const char *text)
{
  const char *open = strrchr (text, '<');
  gsize len = strlen (text);

  if (open == NULL)
    return strchr (text, '>') != NULL ? NULL : g_strdup (text);
  if (text[len - 1] != '>' || strchr (open, '>') != text + len - 1 ||
      strchr (text, '<') != open)
    return NULL;
  return g_strndup (open + 1, text + len - 1 - (open + 1));
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
  if (has_invisible (local))
    {
      invalid (text, "an invisible character, such as a byte-order mark", error);
      return NULL;
    }
  domain = g_utf8_strdown (at + 1, -1);
  if (!domain_ok (domain))
    {
      invalid (text, "no valid dotted domain", error);
      return NULL;
    }
  /* what was written must be what was parsed: "<a@x.test" and
   * "a@x.test;rm" are not "a@x.test" */
  {
    g_autofree char *spec = written_addr_spec (text);
    const char *spec_at = spec != NULL ? strrchr (spec, '@') : NULL;
    g_autofree char *spec_domain = NULL;

    if (spec == NULL || spec_at == NULL)
      {
        invalid (text, "the angle brackets do not enclose the address", error);
        return NULL;
      }
    spec_domain = g_strdup (spec_at + 1);
    if (g_str_has_suffix (spec_domain, ".") && strlen (spec_domain) > 1)
      spec_domain[strlen (spec_domain) - 1] = '\0';   /* the root's dot */
    if ((gsize) (spec_at - spec) != strlen (local) || strncmp (spec, local, strlen (local)) != 0 ||
        !domain_ok (spec_domain))
      {
        invalid (text, "more than the address, or characters not allowed in one", error);
        return NULL;
      }
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
