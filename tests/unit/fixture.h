/* fixture.h - what the unit tests share: a state directory with its
 * configuration, an open store, a list and its settings table, an injected
 * clock, and removing it all again.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A test's Fixture starts with RF_FIXTURE_FIELDS and adds its own fields:
 *
 *   typedef struct { RF_FIXTURE_FIELDS; RfSecurityPolicy policy; } Fixture;
 *   static void setup (Fixture *f, gconstpointer data)
 *   { RF_FIXTURE_SETUP (f, T0, "dev@lists.test", NULL); ... }
 *   static void teardown (Fixture *f, gconstpointer data)
 *   { RF_FIXTURE_TEARDOWN (f); }
 */
#pragma once

#include <reflector/reflector.h>

#include <glib/gstdio.h>
#include <string.h>

#define RF_FIXTURE_FIELDS                                                          \
  char *dir;            /* the state directory, removed at teardown */             \
  RfConfig *config;     /* its reflector.conf: [paths] state_dir = dir, and more */ \
  RfStore *store;       /* open read-write on dir */                               \
  RfList *list;         /* the fixture's list, or NULL */                          \
  GHashTable *settings  /* every setting at its default: name -> value */

/* Who the tests act as, in the journal and the activity log. */
static const RfActor rf_test_actor = { "test", "cli" };
#define RF_TEST_ACTOR (&rf_test_actor)

/* The injected clock every timestamp reads (rf_now_set: the unit tests
 * need no REFLECTOR_TEST_NOW, which a build without test hooks ignores). */
static inline void
rf_test_set_now (gint64 now)
{
  rf_now_set (now);
}

/* rm -r @path, without following symlinks out of it */
static inline void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* The clock at @now, a fresh state directory whose reflector.conf holds
 * @conf_extra (groups and keys, or NULL) after its [paths], the store,
 * and the list @list_address (NULL: none). */
static inline void
_rf_fixture_setup (char **dir, RfConfig **config, RfStore **store, RfList **list,
                   GHashTable **settings, gint64 now, const char *list_address,
                   const char *conf_extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;
  const RfSettingDef *defs;
  gsize n;

  rf_test_set_now (now);
  *dir = g_dir_make_tmp ("rf-test-XXXXXX", &error);
  g_assert_no_error (error);
  conf = g_build_filename (*dir, "reflector.conf", NULL);
  text = g_strdup_printf ("[paths]\nstate_dir = %s\n%s", *dir,
                          conf_extra != NULL ? conf_extra : "");
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  *config = rf_config_load (conf, &error);
  g_assert_no_error (error);
  *store = rf_store_open_with_keys (*config, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);
  g_assert_no_error (error);
  *list = NULL;
  if (list_address != NULL)
    {
      g_assert_true (rf_list_create (*store, list_address, RF_TEST_ACTOR, &error));
      *list = rf_list_lookup (*store, list_address, &error);
      g_assert_no_error (error);
    }
  *settings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  defs = rf_settings_table (&n);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (*settings, (gpointer) defs[i].name, g_strdup (defs[i].default_value));
}

static inline void
_rf_fixture_teardown (char **dir, RfConfig **config, RfStore **store, RfList **list,
                      GHashTable **settings)
{
  g_clear_pointer (settings, g_hash_table_unref);
  g_clear_pointer (list, rf_list_free);
  g_clear_pointer (store, rf_store_close);
  g_clear_pointer (config, rf_config_free);
  /* a failed test keeps its state directory for a look */
  if (g_test_failed ())
    g_test_message ("kept %s", *dir);
  else
    remove_tree (*dir);
  g_clear_pointer (dir, g_free);
  rf_now_set (0);
}

#define RF_FIXTURE_SETUP(f, now, list_address, conf_extra)                                  \
  _rf_fixture_setup (&(f)->dir, &(f)->config, &(f)->store, &(f)->list, &(f)->settings, now, \
                     list_address, conf_extra)
#define RF_FIXTURE_TEARDOWN(f)                                                              \
  _rf_fixture_teardown (&(f)->dir, &(f)->config, &(f)->store, &(f)->list, &(f)->settings)

/* Run @sql on the database of the state directory @dir with the sqlite3
 * command (read behind the library's back, as a sysadmin would), and
 * return what it printed, without the last newline.  The command must be
 * there (contrib/install-deps.sh installs it). */
static inline char *
rf_test_sql (const char *dir, const char *sql)
{
  g_autofree char *db = g_build_filename (dir, "reflector.db", NULL);
  const char *argv[] = { "sqlite3", "-batch", db, sql, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  if (error != NULL)
    g_error ("the sqlite3 command is needed by this test: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("sqlite3 failed on '%s': %s", sql, err);
  if (*out != '\0' && out[strlen (out) - 1] == '\n')
    out[strlen (out) - 1] = '\0';
  return out;
}

/* Whether @address (in any case) is a member of @list. */
static inline gboolean
rf_test_is_member (RfStore *store, const RfList *list, const char *address)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stored = NULL;

  g_assert_true (rf_member_find (store, list, address, &stored, &error));
  g_assert_no_error (error);
  return stored != NULL;
}
