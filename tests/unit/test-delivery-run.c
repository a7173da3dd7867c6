/* test-delivery-run.c - issue 14: a fan-out's progress in group commits
 * (lib/store/delivery.c, _rf_delivery_run_*).  A member is marked in flight
 * before it is handed out, a whole batch in one transaction; outcomes are
 * committed every @every copies; what a run that died left in flight is
 * pending again for the next run (and counted as pending meanwhile); what
 * was marked but never handed out is unmarked at the end.  The state of
 * each row is read through a second connection, as another process (the
 * next run after a crash) would read it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "store/store.h"

#include <string.h>

#define MEMBERS 10

typedef struct {
  RF_FIXTURE_FIELDS;
  gint64 id;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean created, done;

  RF_FIXTURE_SETUP (f, 1700000000, "dev@lists.test", NULL);
  for (int i = 0; i < MEMBERS; i++)
    {
      g_autofree char *a = g_strdup_printf ("m%02d@example.test", i);

      g_assert_true (rf_member_add (f->store, f->list, a, RF_TEST_ACTOR, &error));
    }
  g_assert_true (rf_delivery_open (f->store, f->list, "k1", &f->id, &created, &done, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

/* pending, sent, failed as another connection sees them */
static char *
counts (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfStore) other = rf_store_open (f->dir, RF_STORE_READ_WRITE, &error);
  guint64 p = 0, s = 0, x = 0;

  g_assert_no_error (error);
  g_assert_true (rf_delivery_counts (other, f->id, &p, &s, &x, &error));
  return g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, p, s,
                          x);
}

static void
test_batches (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfDeliveryRun) run = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  const char *token = NULL;
  const char *a;
  g_autofree char *c = NULL;

  run = _rf_delivery_run_start (f->store, f->list, f->id, TRUE, 4, 60000, &error);
  g_assert_no_error (error);
  /* the first batch of 4 is marked in flight (pending to a count) before
   * the first of them is handed out; the token comes with the address */
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m00@example.test");
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), ==, 27);
  g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_SENT, NULL, &error));
  for (int i = 1; i < 4; i++)
    {
      a = _rf_delivery_run_next (run, &token, &error);
      g_assert_true (_rf_delivery_run_record (run, a, i == 2 ? RF_RCPT_FAILED : RF_RCPT_SENT,
                                             i == 2 ? "550 no such user" : NULL, &error));
    }
  /* 4 outcomes: the group is committed */
  c = counts (f);
  g_assert_cmpstr (c, ==, "6 3 1");
  g_clear_pointer (&c, g_free);
  /* two of the next batch handed out, one outcome reported: a crash now */
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m04@example.test");
  g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_SENT, NULL, &error));
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m05@example.test");
  g_assert_no_error (error);
  c = counts (f);
  g_assert_cmpstr (c, ==, "6 3 1");   /* m04's outcome is not committed yet */
  g_clear_pointer (&c, g_free);
  /* the pending list holds the rows in flight too */
  pending = rf_delivery_pending (f->store, f->id, &error);
  g_assert_cmpuint (pending->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (pending, 0), ==, "m04@example.test");
}

/* a run that dies leaves its batch in flight; the next one sends it */
static void
test_resume (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RfDeliveryRun *first;
  g_autoptr (RfDeliveryRun) second = NULL;
  const char *token, *a;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *c = NULL;

  first = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 4, 60000, &error);
  a = _rf_delivery_run_next (first, &token, &error);
  g_assert_null (token);   /* no tokens asked for */
  g_assert_true (_rf_delivery_run_record (first, a, RF_RCPT_SENT, NULL, &error));
  _rf_delivery_run_next (first, &token, &error);
  /* "killed": neither the outcome nor the end is written */
  _rf_delivery_run_free (first);

  second = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 4, 60000, &error);
  g_assert_no_error (error);
  while ((a = _rf_delivery_run_next (second, &token, &error)) != NULL)
    {
      g_ptr_array_add (seen, g_strdup (a));
      g_assert_true (_rf_delivery_run_record (second, a, RF_RCPT_SENT, NULL, &error));
    }
  g_assert_no_error (error);
  g_assert_true (_rf_delivery_run_end (second, &error));
  /* everyone, m00 again among them (its outcome was lost) */
  g_assert_cmpuint (seen->len, ==, MEMBERS);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "m00@example.test");
  c = counts (f);
  g_assert_cmpstr (c, ==, "0 10 0");
}

/* stopped early: what was marked and never handed out is pending again */
static void
test_end_unmarks (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfDeliveryRun) run = NULL;
  const char *token, *a;
  g_autofree char *c = NULL;
  g_autoptr (GPtrArray) pending = NULL;

  run = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 8, 60000, &error);
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_PENDING, "451 later", &error));
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_SENT, NULL, &error));
  g_assert_true (_rf_delivery_run_end (run, &error));
  g_assert_no_error (error);
  c = counts (f);
  g_assert_cmpstr (c, ==, "9 1 0");
  pending = rf_delivery_pending (f->store, f->id, &error);
  g_assert_cmpuint (pending->len, ==, 9);
}

/* each row's state and reason, "m00:0 m01:1 ...", as another process
 * reads them */
static char *
states (Fixture *f)
{
  return rf_test_sql (f->dir, "SELECT group_concat(substr(address, 1, 3) || ':' || state "
                              "|| coalesce(':' || last_error, ''), ' ') FROM "
                              "(SELECT * FROM delivery_recipients ORDER BY address)");
}

/* issue 14: the members reported sent are written as runs of neighbours
 * (one ranged UPDATE each), the others one by one; outcomes come in any
 * order, a member still out stays in flight, one not handed out is not
 * touched, and a second report of a member wins as before */
static void
test_out_of_order (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfDeliveryRun) run = NULL;
  const char *token, *a;
  char *s;

  run = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 4, 60000, &error);
  for (int i = 0; i < 4; i++)
    g_assert_nonnull (_rf_delivery_run_next (run, &token, &error));
  g_assert_true (_rf_delivery_run_record (run, "m03@example.test", RF_RCPT_SENT, NULL, &error));
  g_assert_true (_rf_delivery_run_record (run, "m01@example.test", RF_RCPT_SENT, NULL, &error));
  g_assert_true (_rf_delivery_run_record (run, "m00@example.test", RF_RCPT_PENDING, "451 later",
                                         &error));
  /* the batch is used up: the next one is marked with these outcomes */
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m04@example.test");
  s = states (f);
  g_assert_cmpstr (s, ==, "m00:0:451 later m01:1 m02:3 m03:1 m04:3 m05:3 m06:3 m07:3 m08:0 m09:0");
  g_free (s);
  g_assert_true (_rf_delivery_run_record (run, "m04@example.test", RF_RCPT_SENT, NULL, &error));
  g_assert_true (_rf_delivery_run_record (run, "m02@example.test", RF_RCPT_SENT, "250 queued",
                                         &error));
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m05@example.test");
  a = _rf_delivery_run_next (run, &token, &error);
  g_assert_cmpstr (a, ==, "m06@example.test");
  g_assert_true (_rf_delivery_run_record (run, "m06@example.test", RF_RCPT_SENT, NULL, &error));
  /* m05 reported sent, then failed: the last word counts */
  g_assert_true (_rf_delivery_run_record (run, "m05@example.test", RF_RCPT_SENT, NULL, &error));
  s = states (f);   /* 4 outcomes since the last commit: committed */
  g_assert_cmpstr (s, ==, "m00:0:451 later m01:1 m02:1:250 queued m03:1 m04:1 m05:1 m06:1 "
                          "m07:3 m08:0 m09:0");
  g_free (s);
  g_assert_true (_rf_delivery_run_record (run, "m05@example.test", RF_RCPT_FAILED, "550 gone",
                                         &error));
  g_assert_true (_rf_delivery_run_end (run, &error));
  g_assert_no_error (error);
  s = states (f);   /* m07, marked and never handed out, is pending again */
  g_assert_cmpstr (s, ==, "m00:0:451 later m01:1 m02:1:250 queued m03:1 m04:1 m05:2:550 gone "
                          "m06:1 m07:0 m08:0 m09:0");
  g_free (s);
}

/* issue 14: the commit that a batch's last outcome brings, when the whole
 * batch is out, marks the next batch in the same transaction (not in a
 * second commit a moment later); what it marked and the run never handed
 * out is pending again at the end, its try not counted; the last commit
 * finds nobody left and the run ends */
static void
test_commit_marks_next (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RfDeliveryRun *run;
  const char *token, *a;
  char *s;

  run = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 4, 60000, &error);
  for (int i = 0; i < 4; i++)
    {
      a = _rf_delivery_run_next (run, &token, &error);
      g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_SENT, NULL, &error));
    }
  g_assert_no_error (error);
  s = states (f);
  g_assert_cmpstr (s, ==, "m00:1 m01:1 m02:1 m03:1 m04:3 m05:3 m06:3 m07:3 m08:0 m09:0");
  g_free (s);
  g_assert_true (_rf_delivery_run_end (run, &error));
  g_assert_no_error (error);
  _rf_delivery_run_free (run);
  s = states (f);
  g_assert_cmpstr (s, ==, "m00:1 m01:1 m02:1 m03:1 m04:0 m05:0 m06:0 m07:0 m08:0 m09:0");
  g_free (s);
  s = rf_test_sql (f->dir, "SELECT sum(tries) FROM delivery_recipients");
  g_assert_cmpstr (s, ==, "4");
  g_free (s);

  /* the rest, 6, in batches of 3: the second batch's last outcome finds
   * nobody left to mark */
  run = _rf_delivery_run_start (f->store, f->list, f->id, FALSE, 3, 60000, &error);
  for (int i = 0; i < 6; i++)
    {
      a = _rf_delivery_run_next (run, &token, &error);
      g_assert_nonnull (a);
      g_assert_true (_rf_delivery_run_record (run, a, RF_RCPT_SENT, NULL, &error));
    }
  g_assert_null (_rf_delivery_run_next (run, &token, &error));
  g_assert_no_error (error);
  g_assert_true (_rf_delivery_run_end (run, &error));
  _rf_delivery_run_free (run);
  s = states (f);
  g_assert_cmpstr (s, ==, "m00:1 m01:1 m02:1 m03:1 m04:1 m05:1 m06:1 m07:1 m08:1 m09:1");
  g_free (s);
  s = rf_test_sql (f->dir, "SELECT sum(tries) FROM delivery_recipients");
  g_assert_cmpstr (s, ==, "10");
  g_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/delivery-run/batches", Fixture, NULL, setup, test_batches, teardown);
  g_test_add ("/delivery-run/resume", Fixture, NULL, setup, test_resume, teardown);
  g_test_add ("/delivery-run/end-unmarks", Fixture, NULL, setup, test_end_unmarks, teardown);
  g_test_add ("/delivery-run/out-of-order", Fixture, NULL, setup, test_out_of_order, teardown);
  g_test_add ("/delivery-run/commit-marks-next", Fixture, NULL, setup, test_commit_marks_next,
              teardown);
  return g_test_run ();
}
