/* test-cleanup.c - the cleaners of rows that expire by age: the activity
 * log ([retention] activity_days), delivery records and the spool files of
 * abandoned deliveries ([retention] message_days), web sessions.  A dry run
 * counts exactly what a real run removes and removes nothing; a second run
 * finds nothing.  On an injected clock.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "store/store.h"

#include <string.h>

#define T0 1700000000
#define DAY RF_DAY

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

#define at rf_test_set_now

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RfList *list;
  gint64 id;
  gboolean created, done;

  RF_FIXTURE_SETUP (f, T0, "dev@lists.test", "[retention]\nactivity_days = 42\nmessage_days = 30\n");
  list = f->list;
  g_assert_true (rf_member_add (f->store, list, "ann@example.test", RF_TEST_ACTOR, &error));
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
  RF_FIXTURE_TEARDOWN (f);
}

/* run the cleaner called @name at the injected time; its count */
static guint64
run (Fixture *f, const char *name, gboolean dry_run)
{
  g_autoptr (GError) error = NULL;
  gsize n = 0;
  const RfCleaner *cleaners = rf_cleaners (&n);
  RfCleanupRun r = { f->config, f->store, rf_now (), dry_run, 0 };

  for (gsize i = 0; i < n; i++)
    if (g_str_equal (cleaners[i].name, name))
      {
        g_assert_true (rf_cleanup_run (&cleaners[i], &r, &error));
        g_assert_no_error (error);
        return r.removed;
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
                                         RF_TEST_ACTOR, &error));
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
