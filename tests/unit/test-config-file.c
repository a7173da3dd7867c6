/* test-config-file.c - lib/config/reflector.conf.in, the commented configuration
 * file the package installs, against config.c's parser, both ways: every
 * key of the parser is in the file, every key of the file is the parser's,
 * and each default written in the file is the default the parser uses.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include "config/config.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char *group;
  char *key;
  char *value;   /* as written after '=', stripped; "" when none */
} SampleKey;

static void
sample_key_free (SampleKey *k)
{
  g_free (k->group);
  g_free (k->key);
  g_free (k->value);
  g_free (k);
}

static char *
sample_text (const RfConfig *defaults)
{
  g_autofree char *path = g_build_filename (g_getenv ("RF_TEST_DATA"), "..", "..", "lib",
                                            "config", "reflector.conf.in", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GString) out = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  out = g_string_new (text);
  /* what configure_file puts in; the two values are compiled in too */
  g_string_replace (out, "@REFLECTOR_STATE_DIR@", defaults->state_dir, 0);
  g_string_replace (out, "@REFLECTOR_SENDMAIL@", defaults->sendmail, 0);
  g_string_replace (out, "@REFLECTOR_CONFIG_DIR@", "/etc/reflector", 0);
  g_string_replace (out, "@REFLECTOR_TEMPLATES_DIR@", "/usr/share/reflector/templates", 0);
  g_assert_null (strchr (out->str, '@'));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "#key = value" lines under "[group]" lines */
static GPtrArray *
sample_keys (const char *text)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_key_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;

  for (char **l = lines; *l != NULL; l++)
    {
      const char *eq;

      if ((*l)[0] == '[')
        {
          g_free (group);
          group = g_strndup (*l + 1, strcspn (*l + 1, "]"));
          continue;
        }
      if ((*l)[0] != '#' || (*l)[1] == ' ' || (*l)[1] == '\0' || (eq = strchr (*l, '=')) == NULL)
        continue;
      {
        SampleKey *k = g_new0 (SampleKey, 1);

        g_assert_nonnull (group);
        k->group = g_strdup (group);
        k->key = g_strstrip (g_strndup (*l + 1, eq - (*l + 1)));
        k->value = g_strstrip (g_strdup (eq + 1));
        g_ptr_array_add (keys, k);
      }
    }
  return keys;
}

static void
test_every_key_both_ways (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rf-config-file-XXXXXX", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.conf", NULL);
  g_autoptr (RfConfig) defaults = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  gsize n;
  const char *const *table = _rf_config_keys (&n);

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  defaults = rf_config_load (empty, &error);
  g_assert_no_error (error);
  g_unlink (empty);
  g_rmdir (dir);
  text = sample_text (defaults);
  keys = sample_keys (text);

  /* the parser's keys are in the file, once */
  for (gsize i = 0; i < n; i++)
    {
      guint found = 0;

      for (guint j = 0; j < keys->len; j++)
        {
          SampleKey *k = g_ptr_array_index (keys, j);
          found += g_str_equal (k->group, table[2 * i]) && g_str_equal (k->key, table[2 * i + 1]);
        }
      if (found != 1)
        g_error ("[%s] %s is %s in reflector.conf.in", table[2 * i], table[2 * i + 1],
                 found == 0 ? "missing" : "repeated");
    }
  /* the file's keys are the parser's */
  for (guint j = 0; j < keys->len; j++)
    {
      SampleKey *k = g_ptr_array_index (keys, j);
      gboolean known = FALSE;

      for (gsize i = 0; i < n; i++)
        known |= g_str_equal (k->group, table[2 * i]) && g_str_equal (k->key, table[2 * i + 1]);
      if (!known)
        g_error ("reflector.conf.in: [%s] %s is no key of config.c", k->group, k->key);
    }
  g_assert_cmpuint (keys->len, ==, n);
}

/* Uncommented, the file parses, and each value it shows is the default. */
static void
test_defaults_written_are_defaults (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rf-config-file-XXXXXX", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.conf", NULL);
  g_autofree char *full = g_build_filename (dir, "uncommented.conf", NULL);
  g_autoptr (RfConfig) defaults = NULL;
  g_autoptr (RfConfig) loaded = NULL;
  g_autoptr (GString) uncommented = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  defaults = rf_config_load (empty, &error);
  g_assert_no_error (error);
  g_unlink (empty);
  text = sample_text (defaults);
  keys = sample_keys (text);
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      const char *eq = strchr (*l, '=');

      /* a key with a value: uncomment it */
      if ((*l)[0] == '#' && (*l)[1] != ' ' && eq != NULL && eq[strspn (eq + 1, " ") + 1] != '\0')
        g_string_append_printf (uncommented, "%s\n", *l + 1);
      else
        g_string_append_printf (uncommented, "%s\n", *l);
    }
  g_assert_true (g_file_set_contents (full, uncommented->str, -1, NULL));
  loaded = rf_config_load (full, &error);
  g_assert_no_error (error);
  g_unlink (full);
  g_rmdir (dir);

  for (guint j = 0; j < keys->len; j++)
    {
      SampleKey *k = g_ptr_array_index (keys, j);
      g_autofree char *want = _rf_config_value_text (defaults, k->group, k->key);
      g_autofree char *got = _rf_config_value_text (loaded, k->group, k->key);

      if (*k->value == '\0')
        {
          /* shown unset: unset or empty by default */
          if (want != NULL && *want != '\0')
            g_error ("[%s] %s: the file shows no value, the default is '%s'", k->group, k->key,
                     want);
          continue;
        }
      g_assert_cmpstr (got, ==, want);
    }
  g_unlink (empty);
  g_unlink (full);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config-file/every-key-both-ways", test_every_key_both_ways);
  g_test_add_func ("/config-file/defaults-written-are-defaults",
                   test_defaults_written_are_defaults);
  return g_test_run ();
}
