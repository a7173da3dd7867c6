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
  RF_SETTING_INT,     /* a non-negative integer */
  RF_SETTING_SIZE,    /* bytes, with optional k/M/G suffix (1024-based) */
  RF_SETTING_ENUM,    /* one of allowed[] */
  RF_SETTING_STRING,  /* free text, one line; "\n" in input means newline */
  RF_SETTING_ADDRESSES, /* mail addresses separated by commas or spaces,
                         * normalised to "a@x, b@y"; may be empty */
} RfSettingType;

typedef struct {
  const char *name;
  RfSettingType type;
  const char *default_value;     /* in normalised form */
  const char *const *allowed;    /* RF_SETTING_ENUM only, NULL-terminated */
  const char *help;              /* one line, for listctl and the man page */
  gboolean multiline;            /* RF_SETTING_STRING: "\n" may make a newline
                                  * (footer); otherwise a value is one line, so
                                  * that no header can be injected */
} RfSettingDef;

/* The whole table, in display order; *n_out receives its length. */
const RfSettingDef *rf_settings_table (gsize *n_out);
/* NULL if no such setting. */
const RfSettingDef *rf_setting_lookup (const char *name);
/* Check @value against @def and return its normalised form
 * (e.g. "10m" -> "10485760", "yes" -> "on").  RF_ERROR_INVALID with a
 * sentence naming the allowed values otherwise.  Returns: (transfer full). */
char *rf_setting_normalize (const RfSettingDef *def, const char *value, GError **error);
/* Typed readers of a normalised value. */
gboolean rf_setting_value_bool (const char *normalized);
guint64 rf_setting_value_uint (const char *normalized);
/* The addresses of an RF_SETTING_ADDRESSES value.
 * Returns: (transfer full) (element-type utf8). */
GPtrArray *rf_setting_value_addresses (const char *normalized);

G_END_DECLS
