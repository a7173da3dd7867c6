/* test-bounce-score.c - fair bounce scoring with an injected clock: one a day,
 * temporary and policy exempt, stale reset, disable, notices, removal,
 * re-enable, and the fan-out skipping disabled members.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "bounce/bounce.h"
#include "deliver/deliver.h"

#include <string.h>

#define LIST "dev@lists.example.org"
#define ANN "ann@example.com"
#define BOB "bob@example.net"
#define T0 1700000000
#define DAY RF_DAY

typedef struct
{
  RF_FIXTURE_FIELDS;
} Fixture;

/* what bounces do, as listdeliver does it */
static const RfActor mta = { "listdeliver", "mta" };

#define at rf_test_set_now

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  RF_FIXTURE_SETUP (f, T0, LIST, NULL);
  g_assert_true (rf_member_add (f->store, f->list, ANN, RF_TEST_ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, BOB, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static RfBounceOutcome
bounce (Fixture *f, const char *member, RfBounceClass c)
{
  g_autoptr (GError) error = NULL;
  RfBounceOutcome outcome = RF_BOUNCE_IGNORED;

  g_assert_true (rf_bounce_record (f->store, f->list, member, c,
                                   c == RF_BOUNCE_PERMANENT ? "5.1.1" : "5.7.1", "550 test answer",
                                   &mta, &outcome, &error));
  g_assert_no_error (error);
  return outcome;
}

/* The member's bounce row; a fresh zeroed one when there is none. */
static RfMemberBounceInfo *
info (Fixture *f, const char *member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = rf_bounce_members (f->store, f->list, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      RfMemberBounceInfo *x = g_ptr_array_index (all, i);

      if (g_str_equal (x->address, member))
        {
          g_ptr_array_steal_index (all, i);
          return x;
        }
    }
  {
    RfMemberBounceInfo *x = g_new0 (RfMemberBounceInfo, 1);
    x->address = g_strdup (member);
    return x;
  }
}

static guint
score (Fixture *f, const char *member)
{
  g_autoptr (RfMemberBounceInfo) i = info (f, member);
  return i->score;
}

static gboolean
journal_has (Fixture *f, const char *event, const char *subject)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = rf_journal_events (f->store, LIST, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      RfJournalEvent *e = g_ptr_array_index (events, i);

      if (g_str_equal (e->event, event) && g_strcmp0 (e->subject, subject) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
activity_count (Fixture *f, const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = rf_activity_since (f->store, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    n += g_str_equal (((const RfActivityEntry *) g_ptr_array_index (rows, i))->action, action);
  return n;
}

static void
test_once_a_day (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
  g_assert_cmpuint (score (f, ANN), ==, 1);
  /* the other posts of the same day */
  at (T0 + 3600);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_COUNTED);
  at (T0 + DAY - 1);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_COUNTED);
  g_assert_cmpuint (score (f, ANN), ==, 1);
  at (T0 + DAY);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
  g_assert_cmpuint (score (f, ANN), ==, 2);
  g_assert_cmpuint (score (f, BOB), ==, 0);
  g_assert_cmpuint (activity_count (f, "bounce"), ==, 4);
}

static void
test_temporary_adds_nothing (Fixture *f, gconstpointer data)
{
  for (int d = 0; d < 10; d++)
    {
      at (T0 + d * DAY);
      g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_TEMPORARY), ==, RF_BOUNCE_COUNTED);
      g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_UNKNOWN), ==, RF_BOUNCE_COUNTED);
    }
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpuint (i->score, ==, 0);
    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
    g_assert_cmpstr (i->last_class, ==, "unknown");
    g_assert_cmpint (i->last_bounce, ==, T0 + 9 * DAY);
  }
  /* auto-replies are not even recorded */
  g_assert_cmpint (bounce (f, BOB, RF_BOUNCE_NOT_BOUNCE), ==, RF_BOUNCE_IGNORED);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, BOB);
    g_assert_cmpint (i->last_bounce, ==, 0);
  }
}

static void
test_policy_exempt_and_counted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) counts = NULL;
  g_autoptr (GPtrArray) domains = NULL;

  for (int d = 0; d < 10; d++)
    {
      at (T0 + d * DAY);
      g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_POLICY), ==, RF_BOUNCE_COUNTED);
    }
  g_assert_cmpint (bounce (f, BOB, RF_BOUNCE_POLICY), ==, RF_BOUNCE_COUNTED);
  g_assert_cmpuint (score (f, ANN), ==, 0);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
    g_assert_cmpstr (i->last_class, ==, "policy");
  }
  domains = rf_bounce_policy_counts (f->store, f->list, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (domains->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (domains, 0), ==, "example.com");
  g_assert_cmpuint (g_array_index (counts, guint64, 0), ==, 10);
  g_assert_cmpstr (g_ptr_array_index (domains, 1), ==, "example.net");
  g_assert_cmpuint (g_array_index (counts, guint64, 1), ==, 1);
}

static void
test_stale_reset (Fixture *f, gconstpointer data)
{
  bounce (f, ANN, RF_BOUNCE_PERMANENT);
  at (T0 + DAY);
  bounce (f, ANN, RF_BOUNCE_PERMANENT);
  g_assert_cmpuint (score (f, ANN), ==, 2);
  /* 7 days after the last increase the score still holds */
  at (T0 + 8 * DAY);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
  g_assert_cmpuint (score (f, ANN), ==, 3);
  /* more than bounce_stale_days after it: forgotten, this one counts 1 */
  at (T0 + 15 * DAY + 1);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
  g_assert_cmpuint (score (f, ANN), ==, 1);
  g_assert_cmpuint (activity_count (f, "bounce-score-reset"), ==, 1);
}

/* Five permanent bounces on five days: disabled, journaled, logged, and
 * the next post's fan-out leaves the member out. */
static void
disable_ann (Fixture *f)
{
  for (int d = 0; d < 5; d++)
    {
      at (T0 + d * DAY);
      g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==,
                       d < 4 ? RF_BOUNCE_SCORED : RF_BOUNCE_DISABLED);
    }
}

static GPtrArray *
pending_of_new_post (Fixture *f, const char *key)
{
  g_autoptr (GError) error = NULL;
  gint64 id = 0;
  gboolean created = FALSE, done = FALSE;
  GPtrArray *pending;

  g_assert_true (rf_delivery_open (f->store, f->list, key, &id, &created, &done, &error));
  g_assert_no_error (error);
  g_assert_true (created);
  pending = rf_delivery_pending (f->store, id, &error);
  g_assert_no_error (error);
  return pending;
}

static void
test_disable_at_threshold (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pending = NULL;

  disable_ann (f);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpint (i->state, ==, RF_MEMBER_DISABLED_BOUNCE);
    g_assert_cmpuint (i->score, ==, 5);
    g_assert_cmpint (i->disabled_at, ==, T0 + 4 * DAY);
  }
  g_assert_true (journal_has (f, "disable-bounce", ANN));
  g_assert_cmpuint (activity_count (f, "bounce-disable"), ==, 1);
  /* a disabled member's score no longer moves */
  at (T0 + 6 * DAY);
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_COUNTED);
  g_assert_cmpuint (score (f, ANN), ==, 5);
  pending = pending_of_new_post (f, "post-1");
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pending, 0), ==, BOB);
}

static void
test_threshold_zero_never_disables (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (rf_list_set_setting (f->store, f->list, "bounce_threshold", "0", RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  for (int d = 0; d < 20; d++)
    {
      at (T0 + d * DAY);
      g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
    }
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
  }
}

static void
process (Fixture *f, gint64 t, guint want_noticed, guint want_removed)
{
  g_autoptr (GError) error = NULL;
  guint noticed = 99, removed = 99;

  at (t);
  g_assert_true (rf_bounce_process (f->config, f->store, f->list, RF_TEST_ACTOR, &noticed, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (noticed, ==, want_noticed);
  g_assert_cmpuint (removed, ==, want_removed);
}

static void
test_notices_then_removal (Fixture *f, gconstpointer data)
{
  gint64 d0 = T0 + 4 * DAY; /* disabled at */
  g_autoptr (GError) error = NULL;

  disable_ann (f);
  process (f, d0, 1, 0);           /* first notice at once */
  process (f, d0 + 1 * DAY, 0, 0); /* not again the next day */
  process (f, d0 + 7 * DAY, 1, 0); /* second, 7 days later */
  process (f, d0 + 13 * DAY, 0, 0);
  process (f, d0 + 14 * DAY, 1, 0); /* third */
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpuint (i->notices, ==, 3);
  }
  g_assert_true (journal_has (f, "bounce-notice", ANN));
  g_assert_cmpuint (activity_count (f, "bounce-notice"), ==, 3);
  process (f, d0 + 20 * DAY, 0, 0);
  process (f, d0 + 21 * DAY, 0, 1); /* removed an interval after the last */
  g_assert_false (rf_test_is_member (f->store, f->list, ANN));
  g_assert_true (journal_has (f, "unsubscribe", ANN));
  g_assert_cmpuint (activity_count (f, "bounce-remove"), ==, 1);
  /* the row went with the member; BOB untouched */
  {
    g_autoptr (GPtrArray) all = rf_bounce_members (f->store, f->list, &error);
    g_assert_cmpuint (all->len, ==, 0);
  }
  g_assert_true (rf_test_is_member (f->store, f->list, BOB));
}

static void
test_reenable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = NULL;

  disable_ann (f);
  at (T0 + 5 * DAY);
  g_assert_true (rf_member_reenable (f->store, f->list, ANN, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);
    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
    g_assert_cmpuint (i->score, ==, 0);
  }
  g_assert_true (journal_has (f, "enable", ANN));
  g_assert_cmpuint (activity_count (f, "reenable"), ==, 1);
  pending = pending_of_new_post (f, "post-2");
  g_assert_cmpuint (pending->len, ==, 2);
  /* scoring starts over */
  g_assert_cmpint (bounce (f, ANN, RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_SCORED);
  g_assert_cmpuint (score (f, ANN), ==, 1);

  g_assert_false (rf_member_reenable (f->store, f->list, "nobody@example.org", RF_TEST_ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_non_member_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;

  g_assert_cmpint (bounce (f, "stranger@example.org", RF_BOUNCE_PERMANENT), ==, RF_BOUNCE_IGNORED);
  all = rf_bounce_members (f->store, f->list, &error);
  g_assert_cmpuint (all->len, ==, 0);
}

static void
test_verp_hash (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *odd = "o\"dd+name@example.org";
  g_autofree char *sender = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *found = NULL;
  const char *plus, *at_sign;
  RfVerpCheck check;

  g_assert_true (rf_member_add (f->store, f->list, odd, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  sender = rf_verp_sender (f->config, LIST, odd, &error);
  g_assert_no_error (error);
  plus = strchr (sender, '+');
  at_sign = strrchr (sender, '@');
  tag = g_strndup (plus + 1, at_sign - plus - 1);
  g_assert_true (strchr (tag, '+')[1] == 'h');
  g_assert_true (rf_verp_resolve (f->store, f->config, f->list, tag, &found, &check, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, odd);
  g_assert_cmpint (check, ==, RF_VERP_AUTHENTIC);
  g_clear_pointer (&found, g_free);
  g_assert_true (rf_verp_resolve (f->store, f->config, f->list, "haaaaaaaaaaaaaaaaaaaaaaaaaa",
                                  &found, &check, &error));
  g_assert_no_error (error);
  g_assert_null (found);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/bounces/score/once-a-day", test_once_a_day);
  ADD ("/bounces/score/temporary-adds-nothing", test_temporary_adds_nothing);
  ADD ("/bounces/score/policy-exempt-and-counted", test_policy_exempt_and_counted);
  ADD ("/bounces/score/stale-reset", test_stale_reset);
  ADD ("/bounces/state/disable-at-threshold", test_disable_at_threshold);
  ADD ("/bounces/state/threshold-zero", test_threshold_zero_never_disables);
  ADD ("/bounces/state/notices-then-removal", test_notices_then_removal);
  ADD ("/bounces/state/reenable", test_reenable);
  ADD ("/bounces/member/non-member-ignored", test_non_member_ignored);
  ADD ("/bounces/member/verp-hash", test_verp_hash);
  return g_test_run ();
}
