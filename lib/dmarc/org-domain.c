/* org-domain.c - the names DMARC asks DNS about: the From domain in its
 * DNS form, its organisational domain (RFC 7489 3.2, through libpsl), the
 * site's exempt domains and the resolver's address.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dmarc/dmarc.h"

#include <libpsl.h>
#include <string.h>

/* "_dmarc." and the name must fit the 253 characters of a DNS name */
#define MAX_DOMAIN (253 - 7)

char *
_rf_dmarc_domain_ascii (const char *domain)
{
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  gsize len;
  int label = 0;

  if (domain == NULL || *domain == '\0' || !g_utf8_validate (domain, -1, NULL))
    return NULL;
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL)
    return NULL;
  lower = g_ascii_strdown (ascii, -1);
  len = strlen (lower);
  if (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';
  if (len == 0 || len > MAX_DOMAIN)
    return NULL;
  for (const char *p = lower;; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          if (label == 0 || label > 63)
            return NULL;
          if (*p == '\0')
            break;
          label = 0;
          continue;
        }
      /* letters, digits, hyphen; '_' too, as some private names use it */
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return NULL;
      label++;
    }
  /* an address literal ([192.0.2.1]) has no DNS name to ask about */
  if (g_hostname_is_ip_address (lower))
    return NULL;
  return g_steal_pointer (&lower);
}

char *
_rf_dmarc_org_domain (const char *domain)
{
  /* the newer of libpsl's built-in list and the distribution's file
   * (Debian's publicsuffix package keeps it current) */
  psl_ctx_t *psl = psl_latest (NULL);
  const psl_ctx_t *use = psl != NULL ? psl : psl_builtin ();
  const char *registrable = use != NULL ? psl_registrable_domain (use, domain) : NULL;
  char *org;

  if (registrable != NULL)
    org = g_strdup (registrable);
  else if (use != NULL)
    /* a public suffix itself (co.uk), or a name libpsl refuses: ask about
     * the name itself only */
    org = g_strdup (domain);
  else
    {
      /* no list at all: the last two labels, as the list's "*" rule does */
      const char *last = strrchr (domain, '.');
      const char *p = last;

      while (p != NULL && p > domain && p[-1] != '.')
        p--;
      org = g_strdup (last != NULL && p != NULL && p > domain ? p : domain);
    }
  psl_free (psl);
  return org;
}

gboolean
_rf_dmarc_exempt (const RfConfig *config, const char *domain)
{
  gsize len;

  if (config == NULL || config->dmarc_exempt_domains == NULL || domain == NULL)
    return FALSE;
  len = strlen (domain);
  for (char **e = config->dmarc_exempt_domains; *e != NULL; e++)
    {
      g_autofree char *written = g_strstrip (g_strdup (*e));
      /* the form @domain is in: IDNA ASCII, lower case, no final dot */
      g_autofree char *exempt = _rf_dmarc_domain_ascii (written);
      gsize elen = exempt != NULL ? strlen (exempt) : 0;

      if (elen == 0 || elen > len)
        continue;
      if (g_ascii_strcasecmp (domain + len - elen, exempt) == 0 &&
          (elen == len || domain[len - elen - 1] == '.'))
        return TRUE;
    }
  return FALSE;
}

char *
_rf_dmarc_resolver_csv (const char *value, GError **error)
{
  g_autofree char *host = NULL;
  g_autoptr (GInetAddress) address = NULL;
  guint64 port = 53;
  const char *colon;

  if (value == NULL)
    goto bad;
  if (value[0] == '[')
    {
      const char *close = strchr (value, ']');

      if (close == NULL)
        goto bad;
      host = g_strndup (value + 1, close - value - 1);
      if (close[1] == ':')
        {
          if (!g_ascii_string_to_unsigned (close + 2, 10, 1, 65535, &port, NULL))
            goto bad;
        }
      else if (close[1] != '\0')
        goto bad;
    }
  else if ((colon = strchr (value, ':')) != NULL && strchr (colon + 1, ':') == NULL)
    {
      /* one colon: IPv4 and a port */
      host = g_strndup (value, colon - value);
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        goto bad;
    }
  else
    host = g_strdup (value);   /* IPv4, or a bare IPv6 */
  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    goto bad;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%" G_GUINT64_FORMAT, host, port);
  return g_strdup_printf ("%s:%" G_GUINT64_FORMAT, host, port);

bad:
  g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
               "[dmarc] resolver: '%s' is not an IP address with an optional port "
               "(192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353)",
               value != NULL ? value : "");
  return NULL;
}

gboolean
_rf_dmarc_lookups_off (const RfConfig *config)
{
  return config->dmarc_resolver != NULL && g_ascii_strcasecmp (config->dmarc_resolver, "none") == 0;
}
