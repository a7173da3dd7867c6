/* test-store-open.c - opening the store tells new from damaged, and only
 * an upgrade migrates (issues 12 and 13): every schema version the project
 * has had is upgraded to the current one with its data kept, and each kind
 * of damaged file is refused with a line that names it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "store/store.h"

#include <string.h>

static char *
new_dir (void)
{
  return g_dir_make_tmp ("rf-store-open-XXXXXX", NULL);
}

static char *
db_path (const char *dir)
{
  return g_build_filename (dir, "reflector.db", NULL);
}

/* The schema as SQL text, sorted: what a fresh database and an upgraded
 * one must share. */
static char *
schema_of (const char *dir)
{
  return rf_test_sql (dir, "SELECT type, name, tbl_name, ifnull (sql, '(null)') "
                          "FROM sqlite_master ORDER BY type, name");
}

static void
exec_sql (const char *dir, const char *sql)
{
  g_free (rf_test_sql (dir, sql));
}

static void
assert_refused (const char *dir, RfStoreFlags flags, int code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfStore) store = rf_store_open (dir, flags, &error);
  g_autofree char *path = db_path (dir);

  g_assert_null (store);
  g_assert_error (error, RF_ERROR, code);
  /* one line, naming the file and the problem */
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_prefix (error->message, path));
  if (strstr (error->message, needle) == NULL)
    g_error ("'%s' not in '%s'", needle, error->message);
}

/* A database of schema version @version (built by applying the first
 * @version migrations, as that release made it) with a list and a member,
 * is refused by every open but an upgrade; the upgrade brings it to the
 * current schema, the same as a new database's, with the data kept. */
static void
test_upgrade_from (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  int current = rf_store_current_version ();
  g_autofree char *dir = new_dir ();
  g_autofree char *fresh = new_dir ();
  g_autofree char *fresh_schema = NULL;
  g_autofree char *upgraded_schema = NULL;
  g_autofree char *needle =
      g_strdup_printf ("schema version %d, this program needs %d: run 'listctl upgrade'",
                       version, current);
  g_autoptr (GError) error = NULL;

  g_assert_true (_rf_store_create_at_version (dir, version, &error));
  g_assert_no_error (error);
  /* the columns of version 1 */
  exec_sql (dir, "INSERT INTO lists (id, address, local, domain, created) "
                 "VALUES (1, 'dev@lists.test', 'dev', 'lists.test', 1000);"
                 "INSERT INTO members (list_id, address, since) VALUES (1, 'ann@example.org', 1000);");

  assert_refused (dir, RF_STORE_READ_ONLY, RF_ERROR_TEMPORARY, needle);
  assert_refused (dir, RF_STORE_READ_WRITE, RF_ERROR_TEMPORARY, needle);
  assert_refused (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, RF_ERROR_TEMPORARY, needle);

  {
    /* the keys (issue 11): beside a configuration of this state directory */
    g_autofree char *conf = g_build_filename (dir, "reflector.conf", NULL);
    g_autofree char *text = g_strdup_printf ("[paths]\nstate_dir = %s\n", dir);
    g_autoptr (RfConfig) config =
        (g_file_set_contents (conf, text, -1, NULL), rf_config_load (conf, &error));
    g_autoptr (RfStore) store =
        rf_store_open_with_keys (config, RF_STORE_READ_WRITE | RF_STORE_UPGRADE, &error);
    g_autoptr (RfList) list = NULL;
    g_autofree char *token = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (rf_store_upgraded_from (store), ==, version);
    g_assert_cmpint (rf_store_schema_version (store), ==, current);
    g_assert_false (rf_store_created (store));
    list = rf_list_lookup (store, "dev@lists.test", &error);
    g_assert_no_error (error);
    g_assert_true (rf_test_is_member (store, list, "ann@example.org"));
    /* migration 2's column, filled in C for members from before it */
    token = rf_unsubscribe_token (store, list, "ann@example.org", &error);
    g_assert_no_error (error);
    g_assert_nonnull (token);
  }
  /* now every program opens it */
  {
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_ONLY, &error);

    g_assert_no_error (error);
    g_assert_cmpint (rf_store_upgraded_from (store), ==, current);
  }

  {
    g_autoptr (RfStore) store = rf_store_open (fresh, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_true (rf_store_created (store));
  }
  fresh_schema = schema_of (fresh);
  upgraded_schema = schema_of (dir);
  g_assert_cmpstr (upgraded_schema, ==, fresh_schema);
  remove_tree (dir);
  remove_tree (fresh);
}

static void
test_missing (void)
{
  g_autofree char *dir = new_dir ();
  g_autofree char *path = db_path (dir);
  g_autoptr (GError) error = NULL;

  assert_refused (dir, RF_STORE_READ_ONLY, RF_ERROR_NOT_FOUND, "no such database: run 'listctl init'");
  assert_refused (dir, RF_STORE_READ_WRITE, RF_ERROR_NOT_FOUND, "no such database");
  assert_refused (dir, RF_STORE_READ_WRITE | RF_STORE_UPGRADE, RF_ERROR_NOT_FOUND,
                  "no such database");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  {
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_true (rf_store_created (store));
    g_assert_cmpint (rf_store_schema_version (store), ==, rf_store_current_version ());
  }
  {
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_false (rf_store_created (store));
  }
  remove_tree (dir);
}

/* issue 14: listdeliver's store keeps a page cache of 256 KiB, not
 * SQLite's 2 MiB, which grew its peak with the list; the others keep the
 * default */
static void
test_small_cache (void)
{
  g_autofree char *dir = new_dir ();
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_cmpint (_rf_store_cache_kib (store), >=, 2000);
  }
  {
    g_autoptr (RfStore) store =
        rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_SMALL_CACHE, &error);

    g_assert_no_error (error);
    g_assert_cmpint (_rf_store_cache_kib (store), ==, 256);
  }
  remove_tree (dir);
}

/* Damaged files: nobody builds a schema there, not even listctl create. */
static void
test_damaged (void)
{
  static const RfStoreFlags all[] = {
    RF_STORE_READ_ONLY, RF_STORE_READ_WRITE, RF_STORE_READ_WRITE | RF_STORE_CREATE,
    RF_STORE_READ_WRITE | RF_STORE_UPGRADE,
  };
  g_autofree char *dir = new_dir ();
  g_autofree char *path = db_path (dir);
  g_autofree char *good = NULL;
  gsize good_len;
  guint8 garbage[4096];

  /* a real database to cut */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_true (rf_list_create (store, "dev@lists.test", RF_TEST_ACTOR, &error));
  }
  /* everything in the database file itself */
  exec_sql (dir, "PRAGMA wal_checkpoint(TRUNCATE)");
  g_assert_true (g_file_get_contents (path, &good, &good_len, NULL));
  g_assert_cmpuint (good_len, >, 8192);

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
      assert_refused (dir, all[i], RF_ERROR_TEMPORARY, "empty file (0 bytes)");
      /* and it stays empty: no schema was built in it */
      {
        g_autofree char *after = NULL;
        gsize len = 1;

        g_assert_true (g_file_get_contents (path, &after, &len, NULL));
        g_assert_cmpuint (len, ==, 0);
      }

      for (gsize j = 0; j < sizeof garbage; j++)
        garbage[j] = (guint8) (j * 7 + 13);
      g_assert_true (g_file_set_contents (path, (const char *) garbage, sizeof garbage, NULL));
      assert_refused (dir, all[i], RF_ERROR_TEMPORARY, "not an SQLite database");

      /* the first page only: its schema names tables whose pages are gone */
      g_assert_true (g_file_set_contents (path, good, 4096 * 2, NULL));
      assert_refused (dir, all[i], RF_ERROR_TEMPORARY, "damaged");
    }

  /* SQLite, but another program's */
  g_unlink (path);
  exec_sql (dir, "CREATE TABLE mailbox (x)");
  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    assert_refused (dir, all[i], RF_ERROR_TEMPORARY, "not reflector's");

  /* a newer reflector's */
  g_unlink (path);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *needle = g_strdup_printf ("schema version %d is newer than this program",
                                               rf_store_current_version () + 1);

    g_assert_true (_rf_store_create_at_version (dir, rf_store_current_version (), &error));
    exec_sql (dir, "PRAGMA user_version = 99");
    g_free (needle);
    needle = g_strdup ("schema version 99 is newer than this program");
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      assert_refused (dir, all[i], RF_ERROR_TEMPORARY, needle);
  }
  remove_tree (dir);
}

/* An SQLite database without a single table (a listctl init that stopped
 * before its first commit) holds nothing to lose: only init/create may
 * make the schema there. */
static void
test_empty_schema (void)
{
  g_autofree char *dir = new_dir ();
  g_autofree char *path = db_path (dir);
  g_autoptr (GError) error = NULL;

  g_assert_true (_rf_store_create_at_version (dir, 0, &error));
  assert_refused (dir, RF_STORE_READ_WRITE, RF_ERROR_TEMPORARY,
                  "an empty database without reflector's schema: run 'listctl init'");
  assert_refused (dir, RF_STORE_READ_WRITE | RF_STORE_UPGRADE, RF_ERROR_TEMPORARY,
                  "run 'listctl init'");
  {
    g_autoptr (RfStore) store = rf_store_open (dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);

    g_assert_no_error (error);
    g_assert_true (rf_store_created (store));
  }
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (int v = 1; v < rf_store_current_version (); v++)
    {
      g_autofree char *name = g_strdup_printf ("/store-open/upgrade-from/%d", v);

      g_test_add_data_func (name, GINT_TO_POINTER (v), test_upgrade_from);
    }
  g_test_add_func ("/store-open/missing", test_missing);
  g_test_add_func ("/store-open/small-cache", test_small_cache);
  g_test_add_func ("/store-open/damaged", test_damaged);
  g_test_add_func ("/store-open/empty-schema", test_empty_schema);
  return g_test_run ();
}
