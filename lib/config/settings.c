/* settings.c - THE table of list settings.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * listctl set/get/show, the store's validation and the settings table of
 * reflector.conf(5) all come from this table (tests/e2e/t-man.sh fails when
 * the man page and the table differ).  To add a setting: a row here, then
 * regenerate the man page block with 'listctl help settings --mdoc'.
 */
#include "core/core.h"

#include <errno.h>

static const char *const posting_allowed[] = { "open", "members", NULL };
static const char *const archive_access_allowed[] = { "password", "moderators", "public", NULL };
static const char *const attachments_allowed[] = { "keep", "link", NULL };
static const char *const retention_allowed[] = { "30d", "1y", "forever", NULL };
static const char *const signed_allowed[] = { "pass", "hold", NULL };
static const char *const dmarc_allowed[] = { "auto", "always", "never", NULL };
static const char *const ink_allowed[] = { "off", "1d", "3d", "7d", NULL };

static const RfSettingDef settings[] = {
  { "posting", RF_SETTING_ENUM, "members", posting_allowed,
    "who may post: anyone (open) or only members (members)", FALSE },
  { "subject_prefix", RF_SETTING_STRING, "", NULL,
    "text put before the Subject of each post, then one space, unless already there, e.g. \"[dev]\"", FALSE },
  { "footer", RF_SETTING_STRING, "", NULL,
    "text appended to each post; \\n in the value starts a new line", TRUE },
  { "max_message_size", RF_SETTING_SIZE, "10485760", NULL,
    "largest post accepted, in bytes (k, M, G suffixes allowed), at most 1G; 0 means no "
    "limit of the list's own: the MTA's message size limit is then the only one", FALSE },
  { "list_headers", RF_SETTING_BOOL, "on", NULL,
    "add the List-Id, List-Post and List-Unsubscribe headers of RFC 2369 and RFC 2919",
    FALSE },
  { "description", RF_SETTING_STRING, "", NULL,
    "a short name of the list, the phrase of its List-Id header", FALSE },
  { "bounce_threshold", RF_SETTING_INT, "5", NULL,
    "bounce score at which delivery to a member is disabled; a permanent bounce adds 1, "
    "at most once a day; 0 never disables", FALSE },
  { "bounce_stale_days", RF_SETTING_INT, "7", NULL,
    "a bounce score not raised for this many days starts again at 0", FALSE },
  { "bounce_notices", RF_SETTING_INT, "3", NULL,
    "notices counted for a member disabled by bounces before removal; 0 removes at the "
    "next listctl sweep", FALSE },
  { "bounce_notice_interval_days", RF_SETTING_INT, "7", NULL,
    "days between two notices to a disabled member, and from the last notice to removal",
    FALSE },
  { "bounce_redelivery", RF_SETTING_BOOL, "on", NULL,
    "keep each post for [retention] redelivery_days, so that a member whose copy bounced "
    "is sent a notice with a link to read it; off keeps nothing and sends no notice", FALSE },
  { "archive", RF_SETTING_BOOL, "off", NULL,
    "keep each delivered post (as the members got it) in the list's searchable web archive",
    FALSE },
  { "archive_access", RF_SETTING_ENUM, "password", archive_access_allowed,
    "who may read the web archive: the list's web user (password, see listctl web-access), "
    "its moderators and owners (moderators), or anyone (public)", FALSE },
  { "attachments", RF_SETTING_ENUM, "keep", attachments_allowed,
    "keep attachments in posts (keep), or store them and put links in their place (link)",
    FALSE },
  { "attachment_unguessable", RF_SETTING_BOOL, "on", NULL,
    "links carry a 256-bit token and the file is encrypted with a key only the link holds; "
    "off: readable links /a/LIST/POST/N/NAME, encrypted with the site key", FALSE },
  { "attachment_retention", RF_SETTING_ENUM, "30d", retention_allowed,
    "how long stored attachments stay downloadable: 30d, 1y or forever", FALSE },
  { "attachment_signed", RF_SETTING_ENUM, "pass", signed_allowed,
    "with attachments=link, a signed or encrypted post (which cannot be changed without "
    "breaking it) goes out untouched (pass) or is refused (hold, for now the non-member "
    "answer)", FALSE },
  { "dmarc_mitigation", RF_SETTING_ENUM, "auto", dmarc_allowed,
    "rewrite From to \"NAME via LIST\" <the list's address>, the author kept in Reply-To "
    "(or Cc): when the author's domain publishes DMARC p=reject or p=quarantine or its "
    "lookup fails (auto), for every post (always), or never; see [dmarc] in "
    "reflector.conf(5)", FALSE },
  /* issue 16; a privacy setting: owners and site admins only (issue 11's
   * "who may change" field, RF_SETTING_OWNER, once it is in the table) */
  { "disappearing_ink", RF_SETTING_ENUM, "off", ink_allowed,
    "each member gets the Subject and a link; the post and its attachments live, sealed, on a "
    "page behind the list's web user and password for 1, 3 or 7 days (1d, 3d, 7d), then "
    "are deleted; the archive and kept copies hold only the notice", FALSE },
  { "monitor_inboxes", RF_SETTING_BOOL, "on", NULL,
    "send each post also to the seed mailboxes of [monitor] addresses in reflector.conf(5), "
    "with an X-Reflector-Monitor header, to see where the list's mail lands; they are never "
    "members", FALSE },
};

const RfSettingDef *
rf_settings_table (gsize *n_out)
{
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (settings);
  return settings;
}

const RfSettingDef *
rf_setting_lookup (const char *name)
{
  if (name == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    if (g_str_equal (settings[i].name, name))
      return &settings[i];
  return NULL;
}

static const char *const bool_on[] = { "on", "yes", "true", "1", NULL };
static const char *const bool_off[] = { "off", "no", "false", "0", NULL };

static gboolean
in_list_nocase (const char *const *list, const char *value)
{
  for (; *list != NULL; list++)
    if (g_ascii_strcasecmp (*list, value) == 0)
      return TRUE;
  return FALSE;
}

static char *
normalize_uint (const RfSettingDef *def, const char *value, gboolean with_suffix,
                GError **error)
{
  guint64 n, mult = 1;
  char *end = NULL;

  if (!g_ascii_isdigit (*value))
    goto bad;
  errno = 0;
  n = g_ascii_strtoull (value, &end, 10);
  if (errno == ERANGE)
    goto too_big;
  if (errno != 0)
    goto bad;
  if (with_suffix && *end != '\0' && end[1] == '\0')
    {
      switch (g_ascii_tolower (*end))
        {
        case 'k': mult = 1024; break;
        case 'm': mult = 1024 * 1024; break;
        case 'g': mult = 1024 * 1024 * 1024; break;
        default: goto bad;
        }
      end++;
    }
  if (*end != '\0')
    goto bad;
  if (n > (with_suffix ? RF_SETTING_SIZE_MAX : RF_SETTING_INT_MAX) / mult)
    goto too_big;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n * mult);

too_big:
  if (with_suffix)
    g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                 "setting '%s': '%s' is more than 1G (%" G_GUINT64_FORMAT " bytes), the "
                 "largest size a setting takes; 0 means no limit of the list's own",
                 def->name, value, RF_SETTING_SIZE_MAX);
  else
    g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                 "setting '%s': '%s' is out of range: a whole number from 0 to %d",
                 def->name, value, RF_SETTING_INT_MAX);
  return NULL;

bad:
  g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
               with_suffix ? "setting '%s': '%s' is not a size: write a number of bytes, "
                             "optionally with k, M or G (e.g. 10M)"
                           : "setting '%s': '%s' is not a non-negative whole number",
               def->name, value);
  return NULL;
}

/* "\n" becomes a newline where the setting allows one, "\\" a backslash;
 * anything else after a backslash is kept as written. */
static char *
normalize_string (const RfSettingDef *def, const char *value, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "setting '%s': the value is not valid UTF-8", def->name);
      return NULL;
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                       def->multiline ? "setting '%s': the value holds a control character: "
                                        "write it on one line, with \\n for a new line"
                                      : "setting '%s': the value holds a control character: "
                                        "write it on one line",
                       def->name);
          return NULL;
        }
      if (*p == '\\' && p[1] == 'n')
        {
          if (!def->multiline)
            {
              g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                           "setting '%s': the value must be one line (no \\n)", def->name);
              return NULL;
            }
          g_string_append_c (out, '\n');
          p++;
        }
      else if (*p == '\\' && p[1] == '\\')
        {
          g_string_append_c (out, '\\');
          p++;
        }
      else
        g_string_append_c (out, *p);
    }
  if (out->len > 4000)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "setting '%s': the value is longer than 4000 bytes", def->name);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
rf_setting_normalize (const RfSettingDef *def, const char *value, GError **error)
{
  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  switch (def->type)
    {
    case RF_SETTING_BOOL:
      if (in_list_nocase (bool_on, value))
        return g_strdup ("on");
      if (in_list_nocase (bool_off, value))
        return g_strdup ("off");
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "setting '%s': '%s' is not on or off (also yes/no, true/false, 1/0)",
                   def->name, value);
      return NULL;
    case RF_SETTING_INT:
      return normalize_uint (def, value, FALSE, error);
    case RF_SETTING_SIZE:
      return normalize_uint (def, value, TRUE, error);
    case RF_SETTING_ENUM:
      for (const char *const *a = def->allowed; *a != NULL; a++)
        if (g_ascii_strcasecmp (*a, value) == 0)
          return g_strdup (*a);
      {
        g_autofree char *allowed = g_strjoinv (", ", (char **) def->allowed);
        g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                     "setting '%s': '%s' is not one of: %s", def->name, value, allowed);
      }
      return NULL;
    case RF_SETTING_STRING:
      return normalize_string (def, value, error);
    }
  g_assert_not_reached ();
}

gboolean
rf_setting_value_bool (const char *normalized)
{
  return normalized != NULL && g_str_equal (normalized, "on");
}

guint64
rf_setting_value_uint (const char *normalized)
{
  return normalized != NULL ? g_ascii_strtoull (normalized, NULL, 10) : 0;
}
