/* settings.c - THE table of list settings.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * listctl set/get/show, the store's validation and the settings table of
 * reflector.conf(5) all come from this table (tests/e2e/t-man.sh fails when
 * the man page and the table differ).  To add a setting: a row here, then
 * regenerate the man page block with 'listctl help settings --mdoc'.
 *
 * The last field of a row says who may change it (RfSettingWho in
 * settings.h; the build refuses a row without it): RF_SETTING_OWNER, the
 * list's owners and site admins, or RF_SETTING_MODERATOR, its moderators
 * too.  A privacy setting (what is kept, how long, who may read it) is
 * always RF_SETTING_OWNER.
 */
#include "core/core.h"

#include <errno.h>

static const char *const posting_allowed[] = { "open", "members", "moderated", "announce",
                                                NULL };
static const char *const nonmember_allowed[] = { "hold", "reject", "discard", NULL };
static const char *const archive_access_allowed[] = { "password", "moderators", "public", NULL };
static const char *const attachments_allowed[] = { "keep", "link", NULL };
static const char *const retention_allowed[] = { "30d", "1y", "forever", NULL };
static const char *const signed_allowed[] = { "pass", "hold", NULL };
static const char *const dmarc_allowed[] = { "auto", "always", "never", NULL };
static const char *const ink_allowed[] = { "off", "1d", "3d", "7d", NULL };

static const RfSettingDef settings[] = {
  { "posting", RF_SETTING_ENUM, "members", posting_allowed,
    "who may post: anyone (open); members (members); members, each post held for the "
    "moderators (moderated); the owners and the addresses of posters only (announce)", FALSE,
    RF_SETTING_MODERATOR },
  { "subject_prefix", RF_SETTING_STRING, "", NULL,
    "text put before the Subject of each post, then one space, unless already there, e.g. \"[dev]\"",
    FALSE, RF_SETTING_MODERATOR },
  { "footer", RF_SETTING_STRING, "", NULL,
    "text appended to each post; \\n in the value starts a new line", TRUE, RF_SETTING_MODERATOR },
  { "max_message_size", RF_SETTING_SIZE, "10485760", NULL,
    "largest post accepted, in bytes (k, M, G suffixes allowed), at most 1G; 0 means no "
    "limit of the list's own: the MTA's message size limit is then the only one", FALSE,
    RF_SETTING_MODERATOR },
  { "max_parts", RF_SETTING_INT, "200", NULL,
    "most MIME parts a post may have, counted at every depth (a multipart counts too); a "
    "post with more is refused; 0 means no limit", FALSE, RF_SETTING_MODERATOR },
  { "max_attachments", RF_SETTING_INT, "50", NULL,
    "most attachments a post may carry (the parts a mail reader lists as attachments); a "
    "post with more is refused; 0 means no limit", FALSE, RF_SETTING_MODERATOR },
  { "list_headers", RF_SETTING_BOOL, "on", NULL,
    "add the List-Id, List-Post and List-Unsubscribe headers of RFC 2369 and RFC 2919",
    FALSE, RF_SETTING_OWNER },
  { "description", RF_SETTING_STRING, "", NULL,
    "a short name of the list, the phrase of its List-Id header", FALSE, RF_SETTING_MODERATOR },
  { "bounce_threshold", RF_SETTING_INT, "5", NULL,
    "bounce score at which delivery to a member is disabled; a permanent bounce adds 1, "
    "at most once a day; 0 never disables", FALSE, RF_SETTING_MODERATOR },
  { "bounce_stale_days", RF_SETTING_INT, "7", NULL,
    "a bounce score not raised for this many days starts again at 0", FALSE, RF_SETTING_MODERATOR },
  { "bounce_notices", RF_SETTING_INT, "3", NULL,
    "notices mailed to a member disabled by bounces before removal, each with a reply address "
    "and a link that keep the subscription; 0 removes at the next listctl sweep", FALSE,
    RF_SETTING_MODERATOR },
  { "bounce_notice_interval_days", RF_SETTING_INT, "7", NULL,
    "days between two notices to a disabled member, and from the last notice to removal",
    FALSE, RF_SETTING_MODERATOR },
  { "bounce_redelivery", RF_SETTING_BOOL, "on", NULL,
    "keep each post for [retention] redelivery_days, so that a member whose copy bounced "
    "is sent a notice with a link to read it; off keeps nothing and sends no notice",
    FALSE, RF_SETTING_OWNER },
  { "archive", RF_SETTING_BOOL, "off", NULL,
    "keep each delivered post (as the members got it) in the list's searchable web archive",
    FALSE, RF_SETTING_OWNER },
  { "archive_access", RF_SETTING_ENUM, "password", archive_access_allowed,
    "who may read the web archive: the list's web user (password, see listctl web-access), "
    "its moderators and owners (moderators), or anyone (public)", FALSE, RF_SETTING_OWNER },
  { "attachments", RF_SETTING_ENUM, "keep", attachments_allowed,
    "keep attachments in posts (keep), or store them and put links in their place (link)",
    FALSE, RF_SETTING_OWNER },
  { "attachment_unguessable", RF_SETTING_BOOL, "on", NULL,
    "links carry a 256-bit token and the file is encrypted with a key only the link holds; "
    "off: readable links /a/LIST/POST/N/NAME, encrypted with the site key",
    FALSE, RF_SETTING_OWNER },
  { "attachment_retention", RF_SETTING_ENUM, "30d", retention_allowed,
    "how long stored attachments stay downloadable: 30d, 1y or forever", FALSE, RF_SETTING_OWNER },
  { "attachment_signed", RF_SETTING_ENUM, "pass", signed_allowed,
    "with attachments=link, a signed or encrypted post (which cannot be changed without "
    "breaking it) goes out untouched (pass) or is refused (hold, for now the non-member "
    "answer)", FALSE, RF_SETTING_OWNER },
  { "dmarc_mitigation", RF_SETTING_ENUM, "auto", dmarc_allowed,
    "rewrite From to \"NAME via LIST\" <the list's address>, the author kept in Reply-To "
    "(or Cc): when the author's domain publishes DMARC p=reject or p=quarantine or its "
    "lookup fails (auto), for every post (always), or never; see [dmarc] in "
    "reflector.conf(5)", FALSE, RF_SETTING_OWNER },
  /* issue 16; a privacy setting: owners and site admins only */
  { "disappearing_ink", RF_SETTING_ENUM, "off", ink_allowed,
    "each member gets the Subject and a link; the post and its attachments live, sealed, on a "
    "page behind the list's web user and password for 1, 3 or 7 days (1d, 3d, 7d), then "
    "are deleted; the archive and kept copies hold only the notice", FALSE, RF_SETTING_OWNER },
  /* copies to mailboxes that are no members: the owners' */
  { "monitor_inboxes", RF_SETTING_BOOL, "on", NULL,
    "send each post also to the seed mailboxes of [monitor] addresses in reflector.conf(5), "
    "with an X-Reflector-Monitor header, to see where the list's mail lands; they are never "
    "members", FALSE, RF_SETTING_OWNER },
  /* issue 10: a list's daily life by mail (lib/roles/, lib/moderation/) */
  { "nonmember_action", RF_SETTING_ENUM, "hold", nonmember_allowed,
    "a post from someone not allowed to post is held for the moderators (hold), refused "
    "with an answer to its envelope sender (reject) or dropped (discard)", FALSE,
    RF_SETTING_MODERATOR },
  { "posters", RF_SETTING_ADDRESSES, "", NULL,
    "with posting=announce, the addresses besides the owners that may post", FALSE,
    RF_SETTING_OWNER },
  { "owner_addresses", RF_SETTING_ADDRESSES, "", NULL,
    "addresses that LIST-owner forwards to and that moderation notices go to, besides the "
    "accounts with a role on the list", FALSE, RF_SETTING_OWNER },
  { "administrivia", RF_SETTING_BOOL, "on", NULL,
    "hold a short post whose subject or first lines are a command (unsubscribe, subscribe, "
    "remove me, ...) for the moderators instead of sending it to every member", FALSE,
    RF_SETTING_MODERATOR },
  { "hold_days", RF_SETTING_INT, "7", NULL,
    "days a held post waits for a moderator; then listctl cleanup deletes it", FALSE,
    RF_SETTING_MODERATOR },
  { "moderation_excerpt", RF_SETTING_BOOL, "off", NULL,
    "put the first lines of a held post's text in the moderators' notice (off: its header "
    "fields only)", FALSE, RF_SETTING_OWNER },
  { "confirm_days", RF_SETTING_INT, "7", NULL,
    "days within which a subscription or unsubscription must be confirmed", FALSE,
    RF_SETTING_MODERATOR },
  { "autoresponse_limit", RF_SETTING_INT, "5", NULL,
    "automatic answers (confirmations, help, welcome, goodbye, refusals) sent to one "
    "address per day; more are not sent", FALSE, RF_SETTING_MODERATOR },
  { "welcome", RF_SETTING_STRING, "", NULL,
    "text of the list put in the welcome message a new member is sent; \\n in the value "
    "starts a new line", TRUE, RF_SETTING_MODERATOR },
  { "goodbye", RF_SETTING_STRING, "", NULL,
    "text of the list put in the message a leaving member is sent; \\n in the value starts "
    "a new line", TRUE, RF_SETTING_MODERATOR },
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

/* Addresses separated by commas, new lines or spaces ("Ann <ann@x>" is one),
 * each normalised, without duplicates; written back as "a@x, b@y". */
static gboolean
add_address (const RfSettingDef *def, GPtrArray *out, const char *text, GError **error)
{
  char *norm = rf_address_normalize (text, NULL);

  if (norm == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "setting '%s': '%s' is not an address (write addresses separated by "
                   "commas)",
                   def->name, text);
      return FALSE;
    }
  if (g_ptr_array_find_with_equal_func (out, norm, g_str_equal, NULL))
    g_free (norm);
  else
    g_ptr_array_add (out, norm);
  return TRUE;
}

static char *
normalize_addresses (const RfSettingDef *def, const char *value, GError **error)
{
  g_auto (GStrv) parts = g_regex_split_simple ("[,;\\n]+", value, 0, 0);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (char **p = parts; *p != NULL; p++)
    {
      g_autofree char *one = NULL;

      g_strstrip (*p);
      if (**p == '\0')
        continue;
      if ((one = rf_address_normalize (*p, NULL)) != NULL)
        {
          if (!add_address (def, out, one, error))
            return NULL;
          continue;
        }
      /* "a@x b@y": addresses separated by spaces */
      {
        g_auto (GStrv) words = g_regex_split_simple ("\\s+", *p, 0, 0);

        for (char **w = words; *w != NULL; w++)
          if (**w != '\0' && !add_address (def, out, *w, error))
            return NULL;
      }
    }
  g_ptr_array_add (out, NULL);
  return g_strjoinv (", ", (char **) out->pdata);
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
    case RF_SETTING_ADDRESSES:
      return normalize_addresses (def, value, error);
    }
  g_assert_not_reached ();
}

gboolean
rf_setting_may_change (const RfSettingDef *def, gboolean owner)
{
  return owner || def->who == RF_SETTING_MODERATOR;
}

const char *
rf_setting_who_name (const RfSettingDef *def)
{
  return def->who == RF_SETTING_MODERATOR ? "moderator" : "owner";
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

GPtrArray *
rf_setting_value_addresses (const char *normalized)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) parts = g_strsplit (normalized != NULL ? normalized : "", ",", 0);

  for (char **p = parts; *p != NULL; p++)
    {
      g_strstrip (*p);
      if (**p != '\0')
        g_ptr_array_add (out, g_strdup (*p));
    }
  return out;
}
