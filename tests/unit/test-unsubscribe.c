/* test-unsubscribe.c - one-click unsubscribe tokens: size, lookup, removal,
 * nothing in clear in the database, a new token after a re-subscription,
 * and the backfill of members from before the hash column.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "crypto/crypto.h"
#include "store/store.h"

#include <string.h>
#include <sys/stat.h>

#define ACTOR RF_TEST_ACTOR
static const RfActor one_click = { "one-click", "web" };

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  RF_FIXTURE_SETUP (f, 1700000000, "dev@lists.test", NULL);
  g_assert_true (rf_member_add (f->store, f->list, "alice@example.test", ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, "bob@example.test", ACTOR, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static char *
token_of (Fixture *f, const char *address)
{
  g_autoptr (GError) error = NULL;
  char *token = rf_unsubscribe_token (f->store, f->list, address, &error);

  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

/* every file of the state dir but the key, as one buffer */
static GByteArray *
database_bytes (Fixture *f)
{
  const char *names[] = { "reflector.db", "reflector.db-wal" };
  GByteArray *all = g_byte_array_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (f->dir, names[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_get_contents (p, &data, &len, NULL))
        g_byte_array_append (all, (const guint8 *) data, (guint) len);
    }
  return all;
}

static void
test_token_shape (Fixture *f, gconstpointer data)
{
  g_autofree char *a = token_of (f, "alice@example.test");
  g_autofree char *a2 = token_of (f, "alice@example.test");
  g_autofree char *b = token_of (f, "bob@example.test");

  /* 27 URL-safe base64 characters: 160 bits */
  g_assert_cmpuint (strlen (a), ==, 27);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpstr (a, ==, a2);   /* long-lived: the same in every post */
  g_assert_cmpstr (a, !=, b);
}

static void
test_lookup_and_unsubscribe (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = token_of (f, "alice@example.test");
  g_autoptr (RfList) list = NULL;
  g_autoptr (RfList) list2 = NULL;
  g_autofree char *who = NULL;
  g_autofree char *who2 = NULL;

  g_assert_true (rf_unsubscribe_lookup (f->store, a, &list, &who, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (list->address, ==, "dev@lists.test");
  g_assert_cmpstr (who, ==, "alice@example.test");

  g_assert_true (rf_unsubscribe_by_token (f->store, a, &one_click, &list2, &who2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (who2, ==, "alice@example.test");
  g_assert_false (rf_test_is_member (f->store, f->list, "alice@example.test"));
  g_assert_true (rf_test_is_member (f->store, f->list, "bob@example.test"));

  /* spent: a second click finds nobody, and the message has no token */
  g_clear_pointer (&list2, rf_list_free);
  g_clear_pointer (&who2, g_free);
  g_assert_false (rf_unsubscribe_by_token (f->store, a, &one_click, &list2, &who2, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, a));
}

static void
test_unknown_token (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) list = NULL;
  g_autofree char *who = NULL;
  g_autofree char *a = token_of (f, "alice@example.test");

  /* one character changed */
  a[0] = a[0] == 'A' ? 'B' : 'A';
  g_assert_false (rf_unsubscribe_lookup (f->store, a, &list, &who, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rf_unsubscribe_lookup (f->store, "", &list, &who, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_nothing_in_clear (Fixture *f, gconstpointer data)
{
  g_autofree char *a = token_of (f, "alice@example.test");
  g_autofree char *b = token_of (f, "bob@example.test");
  g_autoptr (GByteArray) db = database_bytes (f);

  g_assert_cmpuint (db->len, >, 0);
  g_assert_null (memmem (db->data, db->len, a, strlen (a)));
  g_assert_null (memmem (db->data, db->len, b, strlen (b)));
}

static void
test_new_token_after_resubscribe (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *old = token_of (f, "alice@example.test");
  g_autofree char *new = NULL;
  g_autoptr (RfList) list = NULL;
  g_autofree char *who = NULL;

  g_assert_true (rf_member_remove (f->store, f->list, "alice@example.test", ACTOR, &error));
  rf_test_set_now (1700086400);
  g_assert_true (rf_member_add (f->store, f->list, "alice@example.test", ACTOR, &error));
  g_assert_no_error (error);
  new = token_of (f, "alice@example.test");
  g_assert_cmpstr (old, !=, new);
  g_assert_false (rf_unsubscribe_lookup (f->store, old, &list, &who, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (rf_unsubscribe_lookup (f->store, new, &list, &who, &error));
  g_assert_cmpstr (who, ==, "alice@example.test");
}

/* members without a hash (subscribed before migration 2) get one when the
 * database is next opened for writing, and their links work */
static void
test_backfill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL;
  g_autoptr (RfList) list = NULL;
  g_autofree char *who = NULL;

  g_clear_pointer (&f->list, rf_list_free);
  g_clear_pointer (&f->store, rf_store_close);
  /* members from before the column: their hash is NULL */
  g_free (rf_test_sql (f->dir, "UPDATE members SET unsub_hash = NULL;"));

  f->store = rf_store_open_with_keys (f->config, RF_STORE_READ_WRITE, &error);
  g_assert_no_error (error);
  f->list = rf_list_lookup (f->store, "dev@lists.test", &error);
  a = token_of (f, "alice@example.test");
  g_assert_true (rf_unsubscribe_lookup (f->store, a, &list, &who, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (who, ==, "alice@example.test");
}

/* A configuration of the fixture's state directory whose keys are in
 * @key_dir (made, 0700). */
static RfConfig *
config_with_keys (Fixture *f, const char *key_dir)
{
  g_autofree char *conf = g_build_filename (f->dir, "keys.conf", NULL);
  g_autofree char *text = g_strdup_printf ("[paths]\nstate_dir = %s\nkey_dir = %s\n", f->dir,
                                           key_dir);
  g_autoptr (GError) error = NULL;
  RfConfig *config;

  g_assert_cmpint (g_mkdir_with_parents (key_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  config = rf_config_load (conf, &error);
  g_assert_no_error (error);
  return config;
}

/* the key file: in the key directory, never the state directory (issue
 * 11); created 0600; the same key after a reopen */
static void
test_site_key (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *keys = g_build_filename (f->dir, "etc", NULL);
  g_autofree char *path = g_build_filename (keys, "site.key", NULL);
  g_autofree char *in_state = g_build_filename (f->dir, "site.key", NULL);
  g_autoptr (RfConfig) config = config_with_keys (f, keys);
  guint8 k1[RF_KEY_BYTES], k2[RF_KEY_BYTES], k3[RF_KEY_BYTES];
  GStatBuf st;

  g_assert_true (rf_site_subkey (config, "test", 1, k1, &error));
  g_assert_true (rf_site_subkey (config, "test", 1, k2, &error));
  g_assert_true (rf_site_subkey (config, "other", 1, k3, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (k1, sizeof k1, k2, sizeof k2);
  g_assert_true (memcmp (k1, k3, sizeof k1) != 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, RF_KEY_BYTES);
  g_assert_false (g_file_test (in_state, G_FILE_TEST_EXISTS));
}

/* a truncated key file is an error that says what to do; one that others
 * may read is refused; root:GROUP 0640 is fine */
static void
test_key_file_checks (Fixture *f, gconstpointer data)
{
  static const struct { const char *contents; gsize len; int mode; RfErrorCode code; } cases[] = {
    { "short", 5, 0600, RF_ERROR_CONFIG },
    { "0123456789abcdef0123456789abcdef", 32, 0644, RF_ERROR_CONFIG },
    { "0123456789abcdef0123456789abcdef", 32, 0660, RF_ERROR_CONFIG },
    { "0123456789abcdef0123456789abcdef", 32, 0640, -1 },
    { "0123456789abcdef0123456789abcdef", 32, 0400, -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("etc%zu", i);
      g_autofree char *keys = g_build_filename (f->dir, name, NULL);
      g_autofree char *path = g_build_filename (keys, "site.key", NULL);
      g_autoptr (RfConfig) config = config_with_keys (f, keys);
      guint8 k[RF_KEY_BYTES];
      gboolean ok;

      g_assert_true (g_file_set_contents (path, cases[i].contents, cases[i].len, NULL));
      g_assert_cmpint (chmod (path, cases[i].mode), ==, 0);
      ok = rf_site_subkey (config, "test", 1, k, &error);
      if ((int) cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, RF_ERROR, cases[i].code);
          g_assert_nonnull (strstr (error->message, i == 0 ? "restore it from a backup"
                                                          : "chmod 0640"));
        }
    }
}

/* a key of the state directory (where keys were before issue 11) is moved
 * to the key directory once, and is the same key */
static void
test_key_moved (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *keys = g_build_filename (f->dir, "etc-moved", NULL);
  g_autofree char *old_site = g_build_filename (f->dir, "site.key", NULL);
  g_autofree char *old_blob = g_build_filename (f->dir, "blob.key", NULL);
  g_autofree char *new_site = g_build_filename (keys, "site.key", NULL);
  g_autofree char *new_blob = g_build_filename (keys, "blob.key", NULL);
  g_autoptr (RfConfig) config = config_with_keys (f, keys);
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *moved = NULL;
  gsize len = 0;
  static const char site[] = "site-key-of-the-state-directory!";

  g_assert_true (g_file_set_contents (old_site, site, 32, NULL));
  g_assert_cmpint (chmod (old_site, 0600), ==, 0);
  g_assert_true (rf_keys_prepare (config, -1, notes, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (old_site, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (new_site, &moved, &len, NULL));
  g_assert_cmpmem (moved, len, site, 32);
  /* no blob key anywhere: a new one, in the key directory */
  g_assert_true (g_file_test (new_blob, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (old_blob, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "moved the key"));
  g_assert_nonnull (strstr (g_ptr_array_index (notes, 1), "made the key"));
  /* and again: nothing to do */
  g_ptr_array_set_size (notes, 0);
  g_assert_true (rf_keys_prepare (config, -1, notes, &error));
  g_assert_cmpuint (notes->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/unsubscribe/token-shape", test_token_shape);
  ADD ("/unsubscribe/lookup-and-unsubscribe", test_lookup_and_unsubscribe);
  ADD ("/unsubscribe/unknown-token", test_unknown_token);
  ADD ("/unsubscribe/nothing-in-clear", test_nothing_in_clear);
  ADD ("/unsubscribe/new-token-after-resubscribe", test_new_token_after_resubscribe);
  ADD ("/unsubscribe/backfill", test_backfill);
  ADD ("/unsubscribe/site-key", test_site_key);
  ADD ("/unsubscribe/key-file-checks", test_key_file_checks);
  ADD ("/unsubscribe/key-moved-out-of-the-state-directory", test_key_moved);
  return g_test_run ();
}
