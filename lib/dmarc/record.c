/* record.c - DMARC TXT records (RFC 7489 6.3, 6.4, 6.6.3).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dmarc/dmarc.h"

#include <string.h>

gboolean
_rf_dmarc_rewrites (RfDmarcPolicy policy)
{
  return policy != RF_DMARC_NONE;
}

const char *
_rf_dmarc_policy_name (RfDmarcPolicy policy)
{
  switch (policy)
    {
    case RF_DMARC_NONE:
      return "none";
    case RF_DMARC_FAILED:
      return "lookup failed";
    case RF_DMARC_QUARANTINE:
      return "quarantine";
    case RF_DMARC_REJECT:
      return "reject";
    }
  return "none";
}

/* *WSP of the ABNF: space and tab only */
static char *
trim_wsp (char *s)
{
  char *end;

  while (*s == ' ' || *s == '\t')
    s++;
  end = s + strlen (s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  *end = '\0';
  return s;
}

static RfDmarcTag
policy_tag (const char *value)
{
  /* ABNF strings are case-insensitive: "Reject" is "reject" */
  if (g_ascii_strcasecmp (value, "none") == 0)
    return RF_DMARC_TAG_NONE;
  if (g_ascii_strcasecmp (value, "quarantine") == 0)
    return RF_DMARC_TAG_QUARANTINE;
  if (g_ascii_strcasecmp (value, "reject") == 0)
    return RF_DMARC_TAG_REJECT;
  return RF_DMARC_TAG_INVALID;
}

gboolean
_rf_dmarc_parse_record (const char *text, RfDmarcRecord *out)
{
  g_auto (GStrv) parts = NULL;
  RfDmarcRecord record = { RF_DMARC_TAG_ABSENT, RF_DMARC_TAG_ABSENT };

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, ";", -1);
  if (parts[0] == NULL)
    return FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = trim_wsp (parts[i]);
      char *eq = strchr (part, '=');
      char *tag, *value;

      if (eq == NULL)
        {
          /* the first must be v=DMARC1; later ones are syntax errors
           * (ignored, 6.3) or the empty rest after a final ';' */
          if (i == 0)
            return FALSE;
          continue;
        }
      *eq = '\0';
      tag = trim_wsp (part);
      value = trim_wsp (eq + 1);
      if (i == 0)
        {
          /* dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31:
           * the tag in any case, the value exactly "DMARC1" */
          if (g_ascii_strcasecmp (tag, "v") != 0 || strcmp (value, "DMARC1") != 0)
            return FALSE;
          continue;
        }
      /* the first of a repeated tag counts */
      if (g_ascii_strcasecmp (tag, "p") == 0 && record.p == RF_DMARC_TAG_ABSENT)
        record.p = policy_tag (value);
      else if (g_ascii_strcasecmp (tag, "sp") == 0 && record.sp == RF_DMARC_TAG_ABSENT)
        record.sp = policy_tag (value);
    }
  if (out != NULL)
    *out = record;
  return TRUE;
}

guint
_rf_dmarc_select (const char *const *texts, RfDmarcRecord *out)
{
  RfDmarcRecord found = { RF_DMARC_TAG_ABSENT, RF_DMARC_TAG_ABSENT }, record;
  guint n = 0;

  for (gsize i = 0; texts != NULL && texts[i] != NULL; i++)
    if (_rf_dmarc_parse_record (texts[i], &record))
      {
        if (n == 0)
          found = record;
        n++;
      }
  if (n == 1 && out != NULL)
    *out = found;
  return n;
}

static RfDmarcPolicy
from_tag (RfDmarcTag tag)
{
  switch (tag)
    {
    case RF_DMARC_TAG_QUARANTINE:
      return RF_DMARC_QUARANTINE;
    case RF_DMARC_TAG_REJECT:
      return RF_DMARC_REJECT;
    default:
      return RF_DMARC_NONE;
    }
}

RfDmarcPolicy
_rf_dmarc_record_policy (const RfDmarcRecord *record, gboolean subdomain)
{
  /* 6.6.3 step 6: no valid p, or an sp that is not valid: at most p=none
   * (when rua is usable), else no DMARC processing; for a list, both mean
   * leave From alone */
  if (record->p == RF_DMARC_TAG_ABSENT || record->p == RF_DMARC_TAG_INVALID ||
      record->sp == RF_DMARC_TAG_INVALID)
    return RF_DMARC_NONE;
  if (subdomain && record->sp != RF_DMARC_TAG_ABSENT)
    return from_tag (record->sp);
  return from_tag (record->p);
}
