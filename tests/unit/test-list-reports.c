/* test-list-reports.c - the subscribers and activity reports the moderator
 * panel mails (lib/list-reports.c) and the activity rows of one list
 * (rf_activity_of_list), on the injected clock (REFLECTOR_TEST_NOW).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include <string.h>

static const RfActor actor = { "listctl:test", "cli" };
#define ACTOR (&actor)
#define T0 1700000000
#define DAY RF_DAY

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  RF_FIXTURE_SETUP (f, T0, "dev@lists.example.org", NULL);
  g_assert_true (rf_list_create (f->store, "ops@lists.example.org", ACTOR, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static void
test_subscribers (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) ops = rf_list_lookup (f->store, "ops@lists.example.org", &error);
  g_autofree char *empty = rf_subscribers_report_text (f->store, f->list, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (empty, ==, "Subscribers of dev@lists.example.org\n\n0 members.\n\n");
  g_assert_true (rf_member_add (f->store, f->list, "bob@example.org", ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, "ann@example.org", ACTOR, &error));
  g_assert_true (rf_member_add (f->store, ops, "zed@example.org", ACTOR, &error));
  text = rf_subscribers_report_text (f->store, f->list, &error);
  g_assert_no_error (error);
  /* sorted, and only this list's */
  g_assert_cmpstr (text, ==,
                   "Subscribers of dev@lists.example.org\n\n2 members.\n\n"
                   "ann@example.org\nbob@example.org\n");
}

static void
test_activity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) ops = rf_list_lookup (f->store, "ops@lists.example.org", &error);
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *text = NULL;
  const RfActor mod = { "web:mod", NULL };

  /* day 0: created (setup); day 10: a setting; day 40: a member, and one
   * on the other list; a report row (its target in another case) */
  rf_test_set_now (T0 + 10 * DAY);
  g_assert_true (rf_list_set_setting (f->store, f->list, "subject_prefix", "[dev]", &mod,
                                      &error));
  rf_test_set_now (T0 + 40 * DAY);
  g_assert_true (rf_member_add (f->store, f->list, "ann@example.org", &mod, &error));
  g_assert_true (rf_member_add (f->store, ops, "zed@example.org", ACTOR, &error));
  rf_activity_log (f->store, &(const RfActor) { "listweb", "127.0.0.1" }, "report-subscribers",
                   "DEV@lists.example.org", "line\none");
  g_assert_no_error (error);

  rows = rf_activity_of_list (f->store, f->list, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstr (((RfActivityEntry *) rows->pdata[0])->action, ==, "create");
  g_assert_cmpint (((RfActivityEntry *) rows->pdata[1])->at, ==, T0 + 10 * DAY);
  g_assert_cmpstr (((RfActivityEntry *) rows->pdata[1])->actor, ==, "web:mod");
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = rf_activity_of_list (f->store, f->list, T0 + 5 * DAY, &error);
  g_assert_cmpuint (rows->len, ==, 3);

  /* the last 35 days: the setting and the member, not the creation */
  text = rf_activity_report_text (f->store, f->list, 35, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (
      text, "Activity of dev@lists.example.org in the last 35 days\n\n3 entries.\n\nWHEN (UTC)"));
  g_assert_nonnull (strstr (text, "2023-11-24 22:13:20  web:mod"));
  g_assert_nonnull (strstr (text, "subject_prefix"));
  g_assert_nonnull (strstr (text, "ann@example.org"));
  g_assert_null (strstr (text, "zed@example.org"));
  g_assert_null (strstr (text, "\ncreate"));
  g_assert_null (strstr (text, " create "));
  /* one line per row: the title, the count, the heading and three rows
   * (the activity log itself withheld the detail with a newline) */
  {
    guint lines = 0;

    for (const char *c = text; *c != '\0'; c++)
      lines += *c == '\n';
    g_assert_cmpuint (lines, ==, 8);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/list-reports/subscribers", test_subscribers);
  ADD ("/list-reports/activity", test_activity);
  return g_test_run ();
}
