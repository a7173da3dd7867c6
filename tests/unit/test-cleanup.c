/* test-cleanup.c - the cleaners of rows that expire by age: the activity
 * log ([retention] activity_days), delivery records and the spool files of
 * abandoned deliveries ([retention] message_days), web sessions.  A dry run
 * counts exactly what a real run removes and removes nothing; a second run
 * finds nothing.  On an injected clock.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "reflector.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define T0 1700000000
#define DAY (24 * 3600)

typedef struct {
  char *dir;
  RfConfig *config;
  RfStore *store;
} Fixture;

static void
at (gint64 when)
{
  g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, when);

  g_setenv ("REFLECTOR_TEST_NOW", s, TRUE);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;
  g_autoptr (RfList) list = NULL;
  gint64 id;
  gboolean created, done;

  at (T0);
  f->dir = g_dir_make_tmp ("rf-cleanup-XXXXXX", NULL);
  conf = g_build_filename (f->dir, "reflector.conf", NULL);
  text = g_strdup_printf ("[paths]\nstate_dir = %s\n[retention]\nactivity_days = 42\n"
                          "message_days = 30\n",
                          f->dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  f->config = rf_config_load (conf, &error);
  g_assert_no_error (error);
  f->store = rf_store_open (f->dir, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (rf_list_create (f->store, "dev@lists.test", "test", &error));
  list = rf_list_lookup (f->store, "dev@lists.test", &error);
  g_assert_true (rf_member_add (f->store, list, "ann@example.test", "test", &error));
  g_assert_no_error (error);
  /* one delivery that went out, one the MTA abandoned (still pending, its
   * message in the spool) */
  g_assert_true (rf_delivery_open (f->store, list, "went-out", &id, &created, &done, &error));
  g_assert_true (rf_delivery_finish (f->store, id, &error));
  g_assert_true (rf_delivery_open (f->store, list, "abandoned", &id, &created, &done, &error));
  g_assert_no_error (error);
  {
    g_autofree char *spool = g_build_filename (f->dir, "spool", NULL);
    g_autofree char *msg = g_build_filename (spool, "abandoned.msg", NULL);

    g_assert_cmpint (g_mkdir_with_parents (spool, 0700), ==, 0);
    g_assert_true (g_file_set_contents (msg, "Subject: x\n\nbody\n", -1, NULL));
  }
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rf_store_close (f->store);
  rf_config_free (f->config);
  remove_tree (f->dir);
  g_free (f->dir);
  g_unsetenv ("REFLECTOR_TEST_NOW");
}

/* run the cleaner called @name at the injected time; its count */
static guint64
run (Fixture *f, const char *name, gboolean dry_run)
{
  g_autoptr (GError) error = NULL;
  gsize n = 0;
  const RfCleaner *cleaners = rf_cleaners (&n);
  guint64 removed = 0;

  for (gsize i = 0; i < n; i++)
    if (g_str_equal (cleaners[i].name, name))
      {
        g_assert_true (cleaners[i].clean (f->config, f->store, rf_now (), dry_run, &removed,
                                          &error));
        g_assert_no_error (error);
        return removed;
      }
  g_assert_not_reached ();
}

static void
test_activity (Fixture *f, gconstpointer data)
{
  guint64 n;

  at (T0 + 41 * DAY);
  g_assert_cmpuint (run (f, "activity", FALSE), ==, 0);   /* not 42 days yet */
  at (T0 + 43 * DAY);
  n = run (f, "activity", TRUE);
  g_assert_cmpuint (n, >=, 2);   /* create and subscribe at least */
  g_assert_cmpuint (run (f, "activity", TRUE), ==, n);   /* the dry run removed nothing */
  g_assert_cmpuint (run (f, "activity", FALSE), ==, n);
  g_assert_cmpuint (run (f, "activity", FALSE), ==, 0);
}

static void
test_deliveries (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *msg = g_build_filename (f->dir, "spool", "abandoned.msg", NULL);
  g_autoptr (RfList) list = rf_list_lookup (f->store, "dev@lists.test", &error);
  gboolean done = TRUE;

  at (T0 + 29 * DAY);
  g_assert_cmpuint (run (f, "deliveries", FALSE), ==, 0);
  at (T0 + 31 * DAY);
  g_assert_cmpuint (run (f, "deliveries", TRUE), ==, 2);
  g_assert_true (g_file_test (msg, G_FILE_TEST_EXISTS));
  g_assert_true (rf_delivery_is_done (f->store, "went-out", &done, &error));
  g_assert_true (done);   /* still there after the dry run */
  g_assert_cmpuint (run (f, "deliveries", FALSE), ==, 2);
  g_assert_false (g_file_test (msg, G_FILE_TEST_EXISTS));
  g_assert_true (rf_delivery_is_done (f->store, "went-out", &done, &error));
  g_assert_false (done);
  g_assert_cmpuint (run (f, "deliveries", FALSE), ==, 0);
  (void) list;
}

static void
test_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) list = rf_list_lookup (f->store, "dev@lists.test", &error);
  g_autofree char *cookie = NULL;
  RfLoginResult result;

  g_assert_true (rf_list_web_access_set (f->store, list, "readers", "a long pass phrase",
                                         "test", &error));
  g_assert_no_error (error);
  g_assert_true (rf_login_list (f->store, NULL, list, "readers", "a long pass phrase",
                                "127.0.0.1", &result, &cookie, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RF_LOGIN_OK);
  g_assert_nonnull (cookie);
  at (T0 + 10 * 60);
  g_assert_cmpuint (run (f, "sessions", FALSE), ==, 0);   /* in use */
  at (T0 + DAY);
  g_assert_cmpuint (run (f, "sessions", TRUE), ==, 1);
  g_assert_cmpuint (run (f, "sessions", FALSE), ==, 1);
  g_assert_cmpuint (run (f, "sessions", FALSE), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/cleanup/activity", test_activity);
  ADD ("/cleanup/deliveries", test_deliveries);
  ADD ("/cleanup/sessions", test_sessions);
  return g_test_run ();
}
