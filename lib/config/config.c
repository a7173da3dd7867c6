/* config.c - reflector.conf, the site-wide settings (a GLib key file).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config/config.h"
#include "dmarc/dmarc.h"

#include <errno.h>
#include <limits.h>

/* The compiled-in paths (CMakeLists.txt, issue 13): those of the prefix
 * the programs were built with, the same in every program. */
#ifndef REFLECTOR_CONFIG_DIR
#define REFLECTOR_CONFIG_DIR "/etc/reflector"
#endif
#ifndef REFLECTOR_STATE_DIR
#define REFLECTOR_STATE_DIR "/var/lib/reflector"
#endif
#ifndef REFLECTOR_SENDMAIL
#define REFLECTOR_SENDMAIL "/usr/sbin/sendmail"
#endif

/* Every key the file may hold.  An unknown group or key is an error rather
 * than ignored: a typo ("paralel = 4") would otherwise silently keep the
 * default, and the sysadmin would never know why. */
typedef enum { KEY_STRING, KEY_LIST, KEY_INT } KeyType;

typedef struct {
  const char *group;
  const char *key;
  KeyType type;
  gsize offset;
  int min, max;     /* KEY_INT only */
} ConfigKey;

static const ConfigKey config_keys[] = {
  { "paths", "state_dir", KEY_STRING, G_STRUCT_OFFSET (RfConfig, state_dir), 0, 0 },
  { "paths", "key_dir", KEY_STRING, G_STRUCT_OFFSET (RfConfig, key_dir), 0, 0 },
  { "delivery", "transport", KEY_STRING, G_STRUCT_OFFSET (RfConfig, transport), 0, 0 },
  { "delivery", "sendmail", KEY_STRING, G_STRUCT_OFFSET (RfConfig, sendmail), 0, 0 },
  { "delivery", "sendmail_args", KEY_LIST, G_STRUCT_OFFSET (RfConfig, sendmail_args), 0, 0 },
  { "delivery", "parallel", KEY_INT, G_STRUCT_OFFSET (RfConfig, parallel), 1,
    RF_CONFIG_PARALLEL_MAX },
  { "delivery", "relays", KEY_LIST, G_STRUCT_OFFSET (RfConfig, relays), 0, 0 },
  { "web", "listen", KEY_STRING, G_STRUCT_OFFSET (RfConfig, listen), 0, 0 },
  { "web", "base_url", KEY_STRING, G_STRUCT_OFFSET (RfConfig, base_url), 0, 0 },
  { "web", "templates", KEY_STRING, G_STRUCT_OFFSET (RfConfig, web_templates), 0, 0 },
  { "web", "tls_certificate", KEY_STRING, G_STRUCT_OFFSET (RfConfig, tls_certificate), 0, 0 },
  { "web", "tls_key", KEY_STRING, G_STRUCT_OFFSET (RfConfig, tls_key), 0, 0 },
  { "web", "trusted_proxies", KEY_LIST, G_STRUCT_OFFSET (RfConfig, trusted_proxies), 0, 0 },
  { "web", "connections_per_ip", KEY_INT, G_STRUCT_OFFSET (RfConfig, connections_per_ip), 0,
    65535 },
  { "web", "request_timeout", KEY_INT, G_STRUCT_OFFSET (RfConfig, request_timeout), 1, 3600 },
  { "web", "search_budget_ms", KEY_INT, G_STRUCT_OFFSET (RfConfig, search_budget_ms), 1,
    600000 },
  { "blobs", "store", KEY_STRING, G_STRUCT_OFFSET (RfConfig, blob_store), 0, 0 },
  { "blobs", "dir", KEY_STRING, G_STRUCT_OFFSET (RfConfig, blob_dir), 0, 0 },
  { "blobs", "key_file", KEY_STRING, G_STRUCT_OFFSET (RfConfig, blob_key_file), 0, 0 },
  { "blobs", "endpoint", KEY_STRING, G_STRUCT_OFFSET (RfConfig, s3_endpoint), 0, 0 },
  { "blobs", "bucket", KEY_STRING, G_STRUCT_OFFSET (RfConfig, s3_bucket), 0, 0 },
  { "blobs", "region", KEY_STRING, G_STRUCT_OFFSET (RfConfig, s3_region), 0, 0 },
  { "blobs", "addressing", KEY_STRING, G_STRUCT_OFFSET (RfConfig, s3_addressing), 0, 0 },
  { "blobs", "credentials_file", KEY_STRING, G_STRUCT_OFFSET (RfConfig, s3_credentials_file),
    0, 0 },
  { "retention", "message_days", KEY_INT, G_STRUCT_OFFSET (RfConfig, message_days), 0, 36500 },
  { "retention", "activity_days", KEY_INT, G_STRUCT_OFFSET (RfConfig, activity_days), 0, 36500 },
  { "retention", "redelivery_days", KEY_INT, G_STRUCT_OFFSET (RfConfig, redelivery_days), 0,
    36500 },
  { "security", "login_attempts", KEY_INT, G_STRUCT_OFFSET (RfConfig, login_attempts), 1, 1000 },
  { "security", "ip_login_attempts", KEY_INT, G_STRUCT_OFFSET (RfConfig, ip_login_attempts), 1,
    100000 },
  { "security", "login_window_minutes", KEY_INT,
    G_STRUCT_OFFSET (RfConfig, login_window_minutes), 1, 10080 },
  { "security", "lockout_minutes", KEY_INT, G_STRUCT_OFFSET (RfConfig, lockout_minutes), 1,
    10080 },
  { "security", "session_idle_minutes", KEY_INT,
    G_STRUCT_OFFSET (RfConfig, session_idle_minutes), 1, 10080 },
  { "security", "session_max_hours", KEY_INT, G_STRUCT_OFFSET (RfConfig, session_max_hours), 1,
    8760 },
  /* issue 10: DMARC mitigation */
  { "dmarc", "resolver", KEY_STRING, G_STRUCT_OFFSET (RfConfig, dmarc_resolver), 0, 0 },
  { "dmarc", "timeout_ms", KEY_INT, G_STRUCT_OFFSET (RfConfig, dmarc_timeout_ms), 1, 60000 },
  { "dmarc", "exempt_domains", KEY_LIST, G_STRUCT_OFFSET (RfConfig, dmarc_exempt_domains), 0,
    0 },
  /* issue 15: backups and their rotation, inbox monitoring */
  { "backup", "dir", KEY_STRING, G_STRUCT_OFFSET (RfConfig, backup_dir), 0, 0 },
  { "backup", "daily_days", KEY_INT, G_STRUCT_OFFSET (RfConfig, backup_daily_days), 1, 36500 },
  { "backup", "weekly_weeks", KEY_INT, G_STRUCT_OFFSET (RfConfig, backup_weekly_weeks), 0,
    5200 },
  { "monitor", "addresses", KEY_LIST, G_STRUCT_OFFSET (RfConfig, monitor_addresses), 0, 0 },
  /* issue 10: the Postfix recipient map's indexed form (lib/mta/map.c) */
  { "mta", "postmap", KEY_STRING, G_STRUCT_OFFSET (RfConfig, postmap), 0, 0 },
  /* issue 12: the deadline of one copy through sendmail */
  { "delivery", "sendmail_timeout", KEY_INT, G_STRUCT_OFFSET (RfConfig, sendmail_timeout), 1,
    3600 },
};

static const char *const transports[] = { "sendmail", "smtp", NULL };

/* [blobs]: the back end named, and for s3 everything it needs, so that a
 * half-configured S3 store fails at start, not at the first attachment. */
static gboolean
check_blobs (const RfConfig *config, const char *path, GError **error)
{
  const char *const addressings[] = { "path", "virtual", NULL };

  if (!g_str_equal (config->blob_store, "local") && !g_str_equal (config->blob_store, "s3"))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [blobs] store: '%s' is not a known blob store (local, s3)", path,
                   config->blob_store);
      return FALSE;
    }
  if (!g_strv_contains (addressings, config->s3_addressing))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [blobs] addressing: '%s' is not path or virtual", path,
                   config->s3_addressing);
      return FALSE;
    }
  {
    const char *paths[] = { config->blob_dir, config->blob_key_file,
                            config->s3_credentials_file };

    for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
      if (paths[i] != NULL && !g_path_is_absolute (paths[i]))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                       "%s: [blobs]: '%s' is not an absolute path", path, paths[i]);
          return FALSE;
        }
  }
  if (g_str_equal (config->blob_store, "s3") &&
      (config->s3_endpoint == NULL || config->s3_bucket == NULL ||
       config->s3_credentials_file == NULL))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [blobs] store = s3 needs endpoint, bucket and credentials_file", path);
      return FALSE;
    }
  if (config->s3_endpoint != NULL && !g_str_has_prefix (config->s3_endpoint, "http://") &&
      !g_str_has_prefix (config->s3_endpoint, "https://"))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [blobs] endpoint: '%s' is not an http:// or https:// URL", path,
                   config->s3_endpoint);
      return FALSE;
    }
  return TRUE;
}

/* [backup] dir absolute; [monitor] addresses each one address, stored
 * normalised, so that the monitor compares them as the members are. */
static gboolean
check_backup_monitor (RfConfig *config, const char *path, GError **error)
{
  if (config->backup_dir != NULL && !g_path_is_absolute (config->backup_dir))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [backup] dir: '%s' is not an absolute path", path, config->backup_dir);
      return FALSE;
    }
  for (char **a = config->monitor_addresses; a != NULL && *a != NULL; a++)
    {
      g_autoptr (GError) local = NULL;
      char *norm;

      g_strstrip (*a);
      norm = rf_address_normalize (*a, &local);
      if (norm == NULL)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "%s: [monitor] addresses: %s", path,
                       local->message);
          return FALSE;
        }
      g_free (*a);
      *a = norm;
    }
  return TRUE;
}

static RfConfig *
config_defaults (void)
{
  RfConfig *config = g_new0 (RfConfig, 1);

  config->state_dir = g_strdup (REFLECTOR_STATE_DIR);
  config->transport = g_strdup ("sendmail");
  config->sendmail = g_strdup (REFLECTOR_SENDMAIL);
  config->sendmail_args = g_new0 (char *, 1);
  config->parallel = 8;
  config->relays = g_new0 (char *, 2);
  config->relays[0] = g_strdup ("127.0.0.1:25");
  config->listen = g_strdup ("127.0.0.1:8025");
  config->connections_per_ip = 64;
  config->request_timeout = 60;
  config->search_budget_ms = 2000;
  config->base_url = g_strdup ("http://127.0.0.1:8025");
  config->blob_store = g_strdup ("local");
  config->s3_region = g_strdup ("us-east-1");
  config->s3_addressing = g_strdup ("path");
  config->message_days = 30;
  config->activity_days = 42;
  config->redelivery_days = 14;
  config->login_attempts = 5;
  config->ip_login_attempts = 20;
  config->login_window_minutes = 15;
  config->lockout_minutes = 15;
  config->session_idle_minutes = 30;
  config->session_max_hours = 12;
  config->dmarc_timeout_ms = 2000;
  config->backup_daily_days = 7;
  config->backup_weekly_weeks = 0;
  config->sendmail_timeout = 300;
  return config;
}

static const ConfigKey *
find_key (const char *group, const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (g_str_equal (config_keys[i].group, group) &&
        (key == NULL || g_str_equal (config_keys[i].key, key)))
      return &config_keys[i];
  return NULL;
}

static gboolean
read_key (RfConfig *config, GKeyFile *kf, const ConfigKey *def, const char *path,
          GError **error)
{
  g_autoptr (GError) local = NULL;
  gpointer field = G_STRUCT_MEMBER_P (config, def->offset);

  switch (def->type)
    {
    case KEY_STRING:
      {
        g_autofree char *value = g_key_file_get_string (kf, def->group, def->key, &local);

        if (value == NULL)
          break;
        g_strstrip (value);
        if (*value == '\0')
          {
            g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                         "%s: [%s] %s: empty value: remove the line to use the default",
                         path, def->group, def->key);
            return FALSE;
          }
        g_free (*(char **) field);
        *(char **) field = g_steal_pointer (&value);
        return TRUE;
      }
    case KEY_LIST:
      {
        char **value = g_key_file_get_string_list (kf, def->group, def->key, NULL, &local);

        if (value == NULL)
          break;
        g_strfreev (*(char ***) field);
        *(char ***) field = value;
        return TRUE;
      }
    case KEY_INT:
      {
        g_autofree char *raw = g_key_file_get_value (kf, def->group, def->key, &local);
        gint64 n;
        char *end = NULL;

        if (raw == NULL)
          break;
        g_strstrip (raw);
        errno = 0;
        n = g_ascii_strtoll (raw, &end, 10);
        if (*raw == '\0' || *end != '\0' || errno != 0 || n < def->min || n > def->max)
          {
            g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                         "%s: [%s] %s: '%s' is not a number from %d to %d", path,
                         def->group, def->key, raw, def->min, def->max);
            return FALSE;
          }
        *(int *) field = (int) n;
        return TRUE;
      }
    }
  g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "%s: [%s] %s: %s", path, def->group,
               def->key, local != NULL ? local->message : "unreadable value");
  return FALSE;
}

static gboolean
config_read (RfConfig *config, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) groups = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "%s: %s", path, local->message);
      return FALSE;
    }
  groups = g_key_file_get_groups (kf, NULL);
  for (char **g = groups; *g != NULL; g++)
    {
      g_auto (GStrv) keys = NULL;

      if (find_key (*g, NULL) == NULL)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                       "%s: unknown group [%s]: see reflector.conf(5)", path, *g);
          return FALSE;
        }
      keys = g_key_file_get_keys (kf, *g, NULL, NULL);
      for (char **k = keys; k != NULL && *k != NULL; k++)
        {
          const ConfigKey *def = find_key (*g, *k);

          if (def == NULL)
            {
              g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                           "%s: [%s] %s: unknown key: see reflector.conf(5)", path, *g, *k);
              return FALSE;
            }
          if (!read_key (config, kf, def, path, error))
            return FALSE;
        }
    }

  if (!g_strv_contains (transports, config->transport))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [delivery] transport: '%s' is not a known transport (sendmail, smtp)", path,
                   config->transport);
      return FALSE;
    }
  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [web] tls_certificate and tls_key go together: give both, or neither",
                   path);
      return FALSE;
    }
  if (g_str_equal (config->transport, "smtp") &&
      (config->relays == NULL || config->relays[0] == NULL || *config->relays[0] == '\0'))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [delivery] relays: transport smtp needs at least one host:port", path);
      return FALSE;
    }
  if (!g_path_is_absolute (config->state_dir))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [paths] state_dir: '%s' is not an absolute path", path,
                   config->state_dir);
      return FALSE;
    }
  if (config->key_dir != NULL && !g_path_is_absolute (config->key_dir))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [paths] key_dir: '%s' is not an absolute path", path, config->key_dir);
      return FALSE;
    }
  if (!check_blobs (config, path, error))
    return FALSE;
  if (!check_backup_monitor (config, path, error))
    return FALSE;
  if (config->dmarc_resolver != NULL && !_rf_dmarc_lookups_off (config))
    {
      g_autofree char *csv = _rf_dmarc_resolver_csv (config->dmarc_resolver, error);

      if (csv == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
    }
  if (config->postmap != NULL && !g_path_is_absolute (config->postmap) &&
      !g_str_equal (config->postmap, "none"))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [mta] postmap: '%s' is neither an absolute path nor none", path,
                   config->postmap);
      return FALSE;
    }
  if (!g_path_is_absolute (config->sendmail))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: [delivery] sendmail: '%s' is not an absolute path", path,
                   config->sendmail);
      return FALSE;
    }
  return TRUE;
}

RfConfig *
rf_config_load (const char *explicit_path, GError **error)
{
  g_autoptr (RfConfig) config = config_defaults ();
  const char *path = explicit_path;
  gboolean must_exist = TRUE;

  if (path == NULL || *path == '\0')
    path = g_getenv ("REFLECTOR_CONFIG");
  if (path == NULL || *path == '\0')
    {
      path = rf_config_default_path ();
      must_exist = FALSE;
    }

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!must_exist)
        return g_steal_pointer (&config);
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: no such configuration file: check the path", path);
      return NULL;
    }
  if (!config_read (config, path, error))
    return NULL;
  config->path = g_strdup (path);
  return g_steal_pointer (&config);
}

void
rf_config_free (RfConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->state_dir);
  g_free (config->key_dir);
  g_free (config->transport);
  g_free (config->sendmail);
  g_strfreev (config->sendmail_args);
  g_strfreev (config->relays);
  g_free (config->listen);
  g_free (config->base_url);
  g_free (config->web_templates);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_strfreev (config->trusted_proxies);
  g_free (config->path);
  g_free (config->blob_store);
  g_free (config->blob_dir);
  g_free (config->blob_key_file);
  g_free (config->s3_endpoint);
  g_free (config->s3_bucket);
  g_free (config->s3_region);
  g_free (config->s3_addressing);
  g_free (config->s3_credentials_file);
  g_free (config->dmarc_resolver);
  g_strfreev (config->dmarc_exempt_domains);
  g_free (config->backup_dir);
  g_strfreev (config->monitor_addresses);
  g_free (config->postmap);
  g_free (config);
}

char *
rf_config_key_dir (const RfConfig *config)
{
  g_autofree char *dir = NULL;

  if (config->key_dir != NULL)
    return g_strdup (config->key_dir);
  /* issue 11: the keys beside the configuration, out of the state
   * directory and its backups */
  if (config->path == NULL)
    return g_strdup (REFLECTOR_CONFIG_DIR);
  dir = g_path_get_dirname (config->path);
  return g_canonicalize_filename (dir, NULL);
}

const char *
rf_config_default_path (void)
{
  return REFLECTOR_CONFIG_DIR "/reflector.conf";
}

const char *
rf_config_path_in_use (const char *explicit_path)
{
  const char *env = g_getenv ("REFLECTOR_CONFIG");

  if (explicit_path != NULL && *explicit_path != '\0')
    return explicit_path;
  if (env != NULL && *env != '\0')
    return env;
  return rf_config_default_path ();
}

const char *const *
_rf_config_keys (gsize *n_out)
{
  static const char *names[G_N_ELEMENTS (config_keys) * 2 + 1];

  if (names[0] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (config_keys); i++)
      {
        names[2 * i] = config_keys[i].group;
        names[2 * i + 1] = config_keys[i].key;
      }
  *n_out = G_N_ELEMENTS (config_keys);
  return names;
}

char *
_rf_config_value_text (const RfConfig *config, const char *group, const char *key)
{
  const ConfigKey *def = find_key (group, key);
  gconstpointer field;

  if (def == NULL)
    return NULL;
  field = G_STRUCT_MEMBER_P ((gpointer) config, def->offset);
  switch (def->type)
    {
    case KEY_STRING:
      return g_strdup (*(char *const *) field);
    case KEY_LIST:
      return *(char **const *) field != NULL ? g_strjoinv (";", *(char **const *) field) : NULL;
    case KEY_INT:
      return g_strdup_printf ("%d", *(const int *) field);
    }
  return NULL;
}
