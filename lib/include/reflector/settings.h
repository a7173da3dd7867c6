/* settings.h - list settings: ONE table; listctl set/get/show, the
 * moderator panel, validation and the man page's table all read it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/error.h>

G_BEGIN_DECLS

typedef enum {
  RF_SETTING_BOOL,    /* "on" / "off" (also accepts yes/no/true/false/1/0) */
  RF_SETTING_INT,     /* a whole number, 0 to RF_SETTING_INT_MAX */
  RF_SETTING_SIZE,    /* bytes, with optional k/M/G suffix (1024-based),
                       * 0 to RF_SETTING_SIZE_MAX */
  RF_SETTING_ENUM,    /* one of allowed[] */
  RF_SETTING_STRING,  /* free text, one line; "\n" in input means newline */
  RF_SETTING_ADDRESSES, /* mail addresses separated by commas or spaces,
                         * normalised to "a@x, b@y"; may be empty */
} RfSettingType;

/* Who may change a setting (issue 11).  The site admin (listctl, and a
 * site admin's account in the moderator panel) may change every one.
 *
 * Every row of the table says it in its last field (the build refuses a
 * row without it, -Wmissing-field-initializers).  A privacy setting, one
 * that decides what is kept, for how long, or who may read it (archive,
 * archive_access, attachments and their retention, bounce_redelivery,
 * disappearing ink, and every such setting a later issue adds) is always
 * RF_SETTING_OWNER; only a setting about the list's texts, who may post,
 * sizes or bounce handling may be RF_SETTING_MODERATOR.  The moderator
 * panel shows an account only the settings it may change, and refuses
 * (403, nothing saved) a form that holds another. */
typedef enum {
  RF_SETTING_OWNER = 0,   /* the list's owners and site admins */
  RF_SETTING_MODERATOR,   /* its moderators too */
} RfSettingWho;
/* One range per type (issue 12), refused beyond with a sentence that says
 * it: counts and days up to a million (a reader may multiply days by
 * RF_DAY, and no count of bounces or notices needs more), sizes up to 1G
 * (listdeliver holds a post in memory).  What 0 means is each setting's
 * own, said in its help: for max_message_size, no limit of the list's own
 * (the MTA's message size limit is then the only one). */
#define RF_SETTING_INT_MAX 1000000
#define RF_SETTING_SIZE_MAX (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  const char *name;
  RfSettingType type;
  const char *default_value;     /* in normalised form */
  const char *const *allowed;    /* RF_SETTING_ENUM only, NULL-terminated */
  const char *help;              /* one line, for listctl and the man page */
  gboolean multiline;            /* RF_SETTING_STRING: "\n" may make a newline
                                  * (footer); otherwise a value is one line, so
                                  * that no header can be injected */
  RfSettingWho who;              /* who may change it (above) */
} RfSettingDef;

/* The whole table, in display order; *n_out receives its length. */
const RfSettingDef *rf_settings_table (gsize *n_out);
/* NULL if no such setting. */
const RfSettingDef *rf_setting_lookup (const char *name);
/* Check @value against @def and return its normalised form
 * (e.g. "10m" -> "10485760", "yes" -> "on").  RF_ERROR_INVALID with a
 * sentence naming the allowed values otherwise.  Returns: (transfer full). */
char *rf_setting_normalize (const RfSettingDef *def, const char *value, GError **error);
/* Whether an account may change @def: @owner is TRUE for the list's owners
 * and site admins, FALSE for its moderators. */
gboolean rf_setting_may_change (const RfSettingDef *def, gboolean owner);
/* "owner" or "moderator": the least role that may change @def. */
const char *rf_setting_who_name (const RfSettingDef *def);
/* Typed readers of a normalised value. */
gboolean rf_setting_value_bool (const char *normalized);
guint64 rf_setting_value_uint (const char *normalized);
/* The addresses of an RF_SETTING_ADDRESSES value.
 * Returns: (transfer full) (element-type utf8). */
GPtrArray *rf_setting_value_addresses (const char *normalized);

G_END_DECLS
