/* test-bounce-notice.c - issue 17: the notices to a member disabled by
 * bounces are mailed through the transport (a sendmail stub), counted only
 * once the transport took them, and carry a reenable confirmation that
 * works once, by the page or by a reply, until the removal date; a notice
 * the transport cannot take is tried again at the next sweep; no token is
 * kept or logged; the notice's own bounce raises no score.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "bounce/bounce.h"
#include "deliver/deliver.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIST "dev@lists.test"
#define ANN "ann@x.test"
#define BOB "bob@x.test"
#define T0 1800000000
#define DAY RF_DAY

typedef struct {
  RF_FIXTURE_FIELDS;
  char *out;            /* the sendmail stub writes each message here */
} Fixture;

static const RfActor mta = { "listdeliver", "mta" };
static const RfActor page = { "confirm-page", "192.0.2.7" };

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stub = NULL;
  g_autofree char *script = NULL;
  g_autofree char *conf = NULL;

  /* the activity log redacts a long run of letters and digits, such as a
   * path with a random name: the stub's path (in the transport's failure)
   * has no digit */
  for (;;)
    {
      char name[] = "rfn-xxxxxxxx";

      for (char *p = name + 4; *p != '\0'; p++)
        *p = (char) ('a' + g_random_int_range (0, 26));
      f->out = g_build_filename (g_get_tmp_dir (), name, NULL);
      if (g_mkdir (f->out, 0700) == 0)
        break;
      g_assert_cmpint (errno, ==, EEXIST);
      g_free (f->out);
    }
  stub = g_build_filename (f->out, "sendmail", NULL);
  /* a recipient with a file fail-<address> is refused for now (75), one
   * with refuse-<address> for good (67); argv goes to argv; while a file
   * slow exists each message takes a second */
  script = g_strdup_printf ("#!/bin/sh\nfor a; do r=$a; done\n"
                            "echo \"$*\" >> \"%s/argv\"\n"
                            "if [ -e \"%s/slow\" ]; then sleep 1; fi\n"
                            "if [ -e \"%s/fail-$r\" ]; then cat > /dev/null; "
                            "echo 'connection refused' >&2; exit 75; fi\n"
                            "if [ -e \"%s/refuse-$r\" ]; then cat > /dev/null; "
                            "echo 'user unknown' >&2; exit 67; fi\n"
                            "cat > \"%s/$r.$$\"\n",
                            f->out, f->out, f->out, f->out, f->out);
  g_assert_true (g_file_set_contents (stub, script, -1, NULL));
  g_assert_cmpint (g_chmod (stub, 0755), ==, 0);
  conf = g_strdup_printf ("[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test/\n"
                          "[dmarc]\nresolver = none\n",
                          stub);
  RF_FIXTURE_SETUP (f, T0, LIST, conf);
  g_assert_true (rf_member_add (f->store, f->list, ANN, RF_TEST_ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, BOB, RF_TEST_ACTOR, &error));
  /* one permanent bounce disables; 3 notices a week apart (the defaults) */
  g_assert_true (rf_list_set_setting (f->store, f->list, "bounce_threshold", "1", RF_TEST_ACTOR,
                                      &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
  remove_tree (f->out);
  g_free (f->out);
}

static void
touch (Fixture *f, const char *name, gboolean on)
{
  g_autofree char *path = g_build_filename (f->out, name, NULL);

  if (on)
    g_assert_true (g_file_set_contents (path, "", 0, NULL));
  else
    g_unlink (path);
}

/* The messages the stub kept for @to, oldest first. */
static GPtrArray *
mail_for (Fixture *f, const char *to)
{
  g_autoptr (GDir) d = g_dir_open (f->out, 0, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, to) && name[strlen (to)] == '.')
      g_ptr_array_add (names, g_build_filename (f->out, name, NULL));
  for (guint i = 0; i < names->len; i++)
    {
      char *text = NULL;

      g_assert_true (g_file_get_contents (g_ptr_array_index (names, i), &text, NULL, NULL));
      g_ptr_array_add (out, text);
    }
  return out;
}

/* @to's only message since the last call (the stub's files are removed). */
static char *
take_one (Fixture *f, const char *to)
{
  g_autoptr (GPtrArray) mail = mail_for (f, to);
  g_autoptr (GDir) d = g_dir_open (f->out, 0, NULL);
  const char *name;

  g_assert_cmpuint (mail->len, ==, 1);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, to) && name[strlen (to)] == '.')
      {
        g_autofree char *path = g_build_filename (f->out, name, NULL);
        g_unlink (path);
      }
  return g_strdup (g_ptr_array_index (mail, 0));
}

static guint
count_mail (Fixture *f, const char *to)
{
  g_autoptr (GPtrArray) mail = mail_for (f, to);

  return mail->len;
}

static char *
token_in (const char *text)
{
  const char *p = strstr (text, "dev-confirm+");

  g_assert_nonnull (p);
  return g_strndup (p + strlen ("dev-confirm+"), RF_TOKEN_CASELESS_CHARS);
}

static void
disable (Fixture *f, const char *member)
{
  g_autoptr (GError) error = NULL;
  RfBounceOutcome outcome = RF_BOUNCE_IGNORED;

  g_assert_true (rf_bounce_record (f->store, f->list, member, RF_BOUNCE_PERMANENT, "5.1.1",
                                   "550 5.1.1 <ann@x.test>: Recipient address rejected:\n"
                                   "  User unknown in virtual mailbox table",
                                   &mta, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RF_BOUNCE_DISABLED);
}

static RfMemberBounceInfo *
info (Fixture *f, const char *member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = rf_bounce_members (f->store, f->list, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    if (g_str_equal (((RfMemberBounceInfo *) g_ptr_array_index (all, i))->address, member))
      return g_ptr_array_steal_index (all, i);
  g_assert_not_reached ();
}

/* One sweep at @t: TRUE when it ended well; *error_out (may be NULL) gets
 * its error. */
static gboolean
sweep (Fixture *f, gint64 t, guint want_noticed, guint want_removed, GError **error_out)
{
  g_autoptr (GError) error = NULL;
  guint noticed = 99, removed = 99;
  gboolean ok;

  rf_test_set_now (t);
  ok = rf_bounce_process (f->config, f->store, f->list, RF_TEST_ACTOR, &noticed, &removed,
                          &error);
  g_assert_cmpuint (noticed, ==, want_noticed);
  g_assert_cmpuint (removed, ==, want_removed);
  if (error_out != NULL)
    *error_out = g_steal_pointer (&error);
  else
    g_assert_no_error (error);
  return ok;
}

/* Nothing in the database, its WAL or the activity log holds @token. */
static void
assert_token_nowhere (Fixture *f, const char *token)
{
  const char *files[] = { "reflector.db", "reflector.db-wal" };
  g_autofree char *activity = rf_test_sql (f->dir, "SELECT group_concat(detail, ' ') FROM activity");
  g_autofree char *journal = rf_test_sql (f->dir, "SELECT group_concat(value, ' ') FROM journal");

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, files[i], NULL);
      g_autofree char *bytes = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &bytes, &len, NULL))
        continue;
      g_assert_null (memmem (bytes, len, token, strlen (token)));
    }
  g_assert_null (strstr (activity, token));
  g_assert_null (strstr (journal, token));
}

static void
test_sent (Fixture *f, gconstpointer data)
{
  g_autofree char *notice = NULL;
  g_autofree char *token = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *argv = NULL;
  g_autofree char *argv_path = g_build_filename (f->out, "argv", NULL);

  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  notice = take_one (f, ANN);
  g_test_message ("%s", notice);
  g_assert_cmpuint (count_mail (f, BOB), ==, 0);
  /* to the member, from the list's owner address, marked automatic */
  g_assert_nonnull (strstr (notice, "To: <" ANN ">"));
  g_assert_nonnull (strstr (notice, "dev-owner@lists.test"));
  g_assert_nonnull (strstr (notice, "Auto-Submitted: auto-generated"));
  g_assert_nonnull (strstr (notice, "Subject: Mail from dev@lists.test to you is stopped"));
  token = token_in (notice);
  g_assert_true (rf_token_caseless_shaped (token));
  {
    /* GMime folds the long Reply-To: its next line has the address */
    g_autofree char *head = g_strndup (notice, strstr (notice, "\n\n") - notice);
    g_autofree char *want = g_strdup_printf ("Reply-To:\n\tdev-confirm+%s@lists.test\n", token);

    g_assert_nonnull (strstr (head, want));
  }
  /* what happened, in plain words: the class and the server's short answer
   * on one line, the removal date (3 notices 7 days apart, then 7 days) */
  g_assert_nonnull (strstr (notice, "The last bounce was a permanent failure"));
  g_assert_nonnull (strstr (notice, "5.1.1 550 5.1.1 <ann@x.test>: Recipient address rejected: "
                                    "User unknown in virtual mailbox table"));
  {
    g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (T0 + 21 * DAY);
    g_autofree char *date = g_date_time_format (d, "removed from the list on %Y-%m-%d (UTC)");

    g_assert_nonnull (strstr (notice, date));
  }
  g_assert_nonnull (strstr (notice, "notice 1 of 3"));
  {
    g_autofree char *link = g_strdup_printf ("https://lists.test/c/%s", token);

    g_assert_nonnull (strstr (notice, link));
  }
  /* no tracking: no HTML, no image, no other link */
  g_assert_null (strstr (notice, "<img"));
  g_assert_null (strstr (notice, "text/html"));
  g_assert_null (strstr (strstr (notice, "\n\n"), "http://"));
  /* the VERP sender of the roles' mails */
  g_assert_true (g_file_get_contents (argv_path, &argv, NULL, NULL));
  g_assert_nonnull (strstr (argv, "-f dev-bounces+"));
  g_assert_nonnull (strstr (argv, "+ann=x.test@lists.test -- " ANN));

  /* a reenable confirmation until the removal date, kept as a hash */
  rows = rf_test_sql (f->dir, "SELECT action, address, expires - created FROM confirmations");
  g_assert_cmpstr (rows, ==, "reenable|" ANN "|1814400");
  assert_token_nowhere (f, token);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpuint (i->notices, ==, 1);
    g_assert_cmpint (i->state, ==, RF_MEMBER_DISABLED_BOUNCE);
  }
  /* the next ones a week apart, each with its own date */
  g_assert_true (sweep (f, T0 + 6 * DAY, 0, 0, NULL));
  g_assert_cmpuint (count_mail (f, ANN), ==, 0);
  g_assert_true (sweep (f, T0 + 7 * DAY, 1, 0, NULL));
  g_clear_pointer (&notice, g_free);
  notice = take_one (f, ANN);
  g_assert_nonnull (strstr (notice, "notice 2 of 3"));
  {
    g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (T0 + 21 * DAY);
    g_autofree char *date = g_date_time_format (d, "on %Y-%m-%d (UTC)");

    g_assert_nonnull (strstr (notice, date));
  }
}

static void
test_transport_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *log = NULL;

  disable (f, ANN);
  disable (f, BOB);
  touch (f, "fail-" ANN, TRUE);
  /* the addresses come in order: ann's notice fails, bob's waits with it */
  g_assert_false (sweep (f, T0, 0, 0, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "dev@lists.test: 2 bounce notices not sent, tried "
                                            "again at the next sweep"));
  g_assert_nonnull (strstr (error->message, "connection refused"));
  g_assert_cmpuint (count_mail (f, ANN), ==, 0);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpuint (i->notices, ==, 0);
    g_assert_cmpint (i->last_notice, ==, 0);
  }
  /* the token nobody got is gone */
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0");
  log = rf_test_sql (f->dir, "SELECT detail FROM activity WHERE action = 'bounce-notice-failed'");
  g_assert_nonnull (strstr (log, ANN ": notice 1 of 3 not sent"));
  g_assert_null (strstr (log, "confirm+"));
  /* the next sweep, the transport back: both sent and counted */
  touch (f, "fail-" ANN, FALSE);
  g_assert_true (sweep (f, T0 + DAY, 2, 0, NULL));
  g_assert_cmpuint (count_mail (f, ANN), ==, 1);
  g_assert_cmpuint (count_mail (f, BOB), ==, 1);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpuint (i->notices, ==, 1);
    g_assert_cmpint (i->last_notice, ==, T0 + DAY);
  }
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *rows = NULL;
  g_autofree char *journal = NULL;

  /* an address the transport refuses for good gets its notices counted:
   * it is removed in time, not kept forever */
  disable (f, ANN);
  touch (f, "refuse-" ANN, TRUE);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0");
  journal = rf_test_sql (f->dir, "SELECT value FROM journal WHERE event = 'bounce-notice'");
  g_assert_cmpstr (journal, ==, "notice 1 of 3, refused by the transport");
  g_assert_true (sweep (f, T0 + 7 * DAY, 1, 0, NULL));
  g_assert_true (sweep (f, T0 + 14 * DAY, 1, 0, NULL));
  g_assert_true (sweep (f, T0 + 21 * DAY, 0, 1, NULL));
  g_assert_false (rf_test_is_member (f->store, f->list, ANN));
}

static void
test_reenable_page (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfirmation) done = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *n1 = NULL;
  g_autofree char *n2 = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *upper = NULL;

  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  n1 = take_one (f, ANN);
  g_assert_true (sweep (f, T0 + 7 * DAY, 1, 0, NULL));
  n2 = take_one (f, ANN);
  first = token_in (n1);
  second = token_in (n2);
  g_assert_cmpstr (first, !=, second);

  /* the first notice's token, in capitals (a mail client may): enabled */
  upper = g_ascii_strup (first, -1);
  g_assert_true (rf_confirmation_act (f->config, &page, f->store, upper, &done, &error));
  g_assert_no_error (error);
  g_assert_cmpint (done->action, ==, RF_CONFIRM_REENABLE);
  g_assert_cmpstr (done->address, ==, ANN);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
    g_assert_cmpuint (i->score, ==, 0);
    g_assert_cmpuint (i->notices, ==, 0);
  }
  /* as listctl reenable does it, the member by the page acting */
  journal = rf_test_sql (f->dir, "SELECT actor, event, subject, value FROM journal "
                                 "WHERE event = 'enable'");
  g_assert_cmpstr (journal, ==, "member:" ANN "|enable|" ANN "|was disabled by bounces");
  g_clear_pointer (&journal, g_free);
  journal = rf_test_sql (f->dir, "SELECT actor, origin, target, detail FROM activity "
                                 "WHERE action = 'reenable'");
  g_assert_cmpstr (journal, ==, "member:" ANN "|192.0.2.7|" LIST "|" ANN);
  /* the page says so: no mail */
  g_assert_cmpuint (count_mail (f, ANN), ==, 0);
  /* every token of the member is spent: once, and the other notice's too */
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0");
  g_assert_false (rf_confirmation_act (f->config, &page, f->store, first, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "used already"));
  g_clear_error (&error);
  g_assert_false (rf_confirmation_act (f->config, &page, f->store, second, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* delivered to again: the sweep has nothing more for ann */
  g_assert_true (sweep (f, T0 + 30 * DAY, 0, 0, NULL));
  g_assert_true (rf_test_is_member (f->store, f->list, ANN));
  assert_token_nowhere (f, first);
  assert_token_nowhere (f, second);
}

static void
test_reenable_mail (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *token = NULL;
  g_autofree char *to = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *journal = NULL;
  RfDeliverReport report;

  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  notice = take_one (f, ANN);
  token = token_in (notice);
  /* the reply, as a mail client writes it, to the Reply-To */
  rf_test_set_now (T0 + DAY);
  to = g_strdup_printf ("dev-confirm+%s@lists.test", token);
  reply = g_strdup_printf ("From: Ann <" ANN ">\nTo: %s\nSubject: Re: Mail from dev@lists.test "
                           "to you is stopped: please confirm\nMessage-ID: <r1@x.test>\n\n"
                           "yes please\n",
                           to);
  raw = g_bytes_new (reply, strlen (reply));
  g_assert_true (rf_deliver (f->config, &mta, to, ANN, raw, &report, &error));
  g_assert_no_error (error);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpint (i->state, ==, RF_MEMBER_ENABLED);
  }
  journal = rf_test_sql (f->dir, "SELECT actor FROM journal WHERE event = 'enable'");
  g_assert_cmpstr (journal, ==, "member:" ANN);
  g_clear_pointer (&journal, g_free);
  journal = rf_test_sql (f->dir, "SELECT origin FROM activity WHERE action = 'reenable'");
  g_assert_cmpstr (journal, ==, "mta");
  /* by mail the member is told */
  answer = take_one (f, ANN);
  g_assert_nonnull (strstr (answer, "Subject: Mail from dev@lists.test to you is on again"));
  g_assert_nonnull (strstr (answer, "In-Reply-To: <r1@x.test>"));
  /* the same reply again: used already, said so, nothing done */
  g_assert_true (rf_deliver (f->config, &mta, to, ANN, raw, &report, &error));
  g_assert_no_error (error);
  g_clear_pointer (&answer, g_free);
  answer = take_one (f, ANN);
  g_assert_nonnull (strstr (answer, "Subject: Unknown confirmation for dev@lists.test"));
  g_clear_pointer (&journal, g_free);
  journal = rf_test_sql (f->dir, "SELECT count(*) FROM journal WHERE event = 'enable'");
  g_assert_cmpstr (journal, ==, "1");
}

static void
test_expired (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autofree char *token = NULL;
  g_autofree char *last = NULL;
  g_autofree char *to = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *n = NULL;
  guint64 removed = 0;
  RfDeliverReport report;

  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  n = take_one (f, ANN);
  token = token_in (n);
  g_assert_true (sweep (f, T0 + 7 * DAY, 1, 0, NULL));
  g_assert_true (sweep (f, T0 + 14 * DAY, 1, 0, NULL));
  g_clear_pointer (&n, g_free);
  g_assert_cmpuint (count_mail (f, ANN), ==, 2);
  /* the removal date has come: the token says it expired, nothing done */
  rf_test_set_now (T0 + 21 * DAY);
  g_assert_false (rf_confirmation_act (f->config, &page, f->store, token, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpint (i->state, ==, RF_MEMBER_DISABLED_BOUNCE);
  }
  /* a reply to it is answered plainly */
  to = g_strdup_printf ("dev-confirm+%s@lists.test", token);
  reply = g_strdup_printf ("From: " ANN "\nTo: %s\nSubject: Re: stop\nMessage-ID: <r2@x.test>\n\n"
                           "keep me\n", to);
  raw = g_bytes_new (reply, strlen (reply));
  g_assert_true (rf_deliver (f->config, &mta, to, ANN, raw, &report, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GPtrArray) mail = mail_for (f, ANN);

    g_assert_cmpuint (mail->len, ==, 3);
    for (guint i = 0; i < mail->len; i++)
      if (strstr (g_ptr_array_index (mail, i), "Subject: Expired confirmation") != NULL)
        answer = g_strdup (g_ptr_array_index (mail, i));
  }
  g_assert_nonnull (answer);
  g_assert_nonnull (strstr (answer, "dev-join@lists.test"));
  /* the sweep removes ann, and with ann every token left */
  g_assert_true (sweep (f, T0 + 21 * DAY, 0, 1, NULL));
  g_assert_false (rf_test_is_member (f->store, f->list, ANN));
  last = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (last, ==, "0");
  g_assert_true (rf_confirmations_expire (f->store, T0 + 22 * DAY, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (rf_test_is_member (f->store, f->list, BOB));
}

static void
test_removed_otherwise (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *n = NULL;
  g_autofree char *token = NULL;

  /* a token of a member that left since tells nothing: unknown */
  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  n = take_one (f, ANN);
  token = token_in (n);
  g_assert_true (rf_member_remove (f->store, f->list, ANN, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  g_assert_false (rf_confirmation_act (f->config, &page, f->store, token, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "used already"));
  g_assert_false (rf_test_is_member (f->store, f->list, ANN));
}

static void
test_notice_bounce (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RfBounceOutcome outcome = RF_BOUNCE_SCORED;

  /* the notice's own bounce, days later, comes back to ann's VERP address:
   * a disabled member's score never rises */
  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  rf_test_set_now (T0 + 2 * DAY);
  g_assert_true (rf_bounce_record (f->store, f->list, ANN, RF_BOUNCE_PERMANENT, "5.1.1",
                                   "550 user unknown", &mta, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RF_BOUNCE_COUNTED);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpuint (i->score, ==, 1);
    g_assert_cmpuint (i->notices, ==, 1);
    g_assert_cmpint (i->state, ==, RF_MEMBER_DISABLED_BOUNCE);
  }
}

static void
test_listctl_reenable_drops (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *n = NULL;
  g_autofree char *rows = NULL;

  /* re-enabled by the sysadmin: the notices' tokens are of no use */
  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  n = take_one (f, ANN);
  g_assert_true (rf_member_reenable (f->store, f->list, ANN, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0");
}

static void
test_person (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) export = NULL;
  g_autoptr (RfPersonReceipt) receipt = NULL;
  g_autofree char *text = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *actors = NULL;
  g_autofree char *n = NULL;
  g_autofree char *token = NULL;

  /* a member re-enabled by one notice's token, with the next notice's
   * token pending: listctl person export shows it, erase removes it and
   * the member's name as the journal's actor */
  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  n = take_one (f, ANN);
  token = token_in (n);
  g_assert_true (rf_confirmation_act (f->config, &page, f->store, token, NULL, &error));
  g_assert_no_error (error);
  disable (f, ANN);
  g_assert_true (sweep (f, T0, 1, 0, NULL));
  export = rf_person_export (f->config, f->store, ANN, &error);
  g_assert_no_error (error);
  text = json_to_string (export, FALSE);
  g_assert_nonnull (strstr (text, "\"action\":\"reenable\""));
  g_assert_nonnull (strstr (text, "member:" ANN));
  receipt = rf_person_erase (f->config, f->store, ANN, RF_TEST_ACTOR, &error);
  g_assert_no_error (error);
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0");
  actors = rf_test_sql (f->dir, "SELECT group_concat(actor, ' ') FROM journal");
  g_assert_null (strstr (actors, ANN));
  g_assert_nonnull (strstr (actors, "member:erased:"));
}

/* The bounce that disables a member returns a post that was sent to them:
 * it links that post to their redelivery page and mails the notice, even
 * when the bounce comes back within the second the post was kept (the
 * store's times are seconds; this once depended on the clock's tick). */
static void
test_disabling_bounce_links (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) post = NULL;
  g_autoptr (GBytes) dsn = NULL;
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (GPtrArray) mail = NULL;
  g_autofree char *argv_path = g_build_filename (f->out, "argv", NULL);
  g_autofree char *argv_text = NULL;
  g_autofree char *verp = NULL;
  g_autofree char *text = NULL;
  const char *msg = "From: Ann <" ANN ">\nTo: " LIST "\nSubject: Plans\n"
                    "Message-ID: <plans@x.test>\n\nThe plans.\n";
  const char *at;
  RfDeliverReport report;

  rf_test_set_now (T0);
  post = g_bytes_new_static (msg, strlen (msg));
  g_assert_true (rf_deliver (f->config, &mta, LIST, ANN, post, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_mail (f, BOB), ==, 1);
  /* bob's copy went with his VERP sender: "-oi -f VERP -- bob@x.test" */
  g_assert_true (g_file_get_contents (argv_path, &argv_text, NULL, NULL));
  at = strstr (argv_text, " -- " BOB);
  g_assert_nonnull (at);
  while (at > argv_text && at[-1] != ' ')
    at--;
  verp = g_strndup (at, strcspn (at, " "));
  g_assert_true (g_str_has_prefix (verp, "dev-bounces+"));
  text = g_strdup_printf (
      "From: MAILER-DAEMON@mx.x.test\nTo: %s\nSubject: Undelivered Mail Returned to Sender\n"
      "Message-ID: <dsn-1@mx.x.test>\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
      "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
      "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.x.test\n\n"
      "Final-Recipient: rfc822; " BOB "\nAction: failed\nStatus: 5.1.1\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <" BOB ">: User unknown\n\n"
      "--B\nContent-Type: text/rfc822-headers\n\nFrom: Ann <" ANN ">\n"
      "Subject: [dev] Plans\nMessage-ID: <plans@x.test>\n\n--B--\n",
      verp);
  dsn = g_bytes_new (text, strlen (text));
  /* the same second */
  g_assert_true (rf_deliver (f->config, &mta, verp, "", dsn, &report, &error));
  g_assert_no_error (error);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, BOB);

    g_assert_cmpint (i->state, ==, RF_MEMBER_DISABLED_BOUNCE);
  }
  posts = rf_redelivery_member_posts (f->store, LIST, BOB, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  mail = mail_for (f, BOB);
  g_assert_cmpuint (mail->len, ==, 2);
  g_assert_true (strstr (g_ptr_array_index (mail, 0), "your provider refused") != NULL ||
                 strstr (g_ptr_array_index (mail, 1), "your provider refused") != NULL);
}

/* Two sweeps at once (cron's and an admin's, or cleanup's): each notice is
 * mailed once.  The second sweep waits for the first and then finds the
 * notice sent; without that wait both read "due" and both mail it. */
static void
test_sweeps_at_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  pid_t pid;
  int status = 0;

  disable (f, ANN);
  touch (f, "slow", TRUE);
  rf_test_set_now (T0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* a process of its own, with its own connection, as a second
       * listctl would be */
      RfStore *store = rf_store_open_with_keys (f->config, RF_STORE_READ_WRITE, NULL);
      guint noticed = 0, removed = 0;
      gboolean ok = store != NULL &&
                    rf_bounce_process (f->config, store, f->list, RF_TEST_ACTOR, &noticed,
                                       &removed, NULL);

      _exit (ok ? 0 : 1);
    }
  {
    guint noticed = 0, removed = 0;

    g_assert_true (rf_bounce_process (f->config, f->store, f->list, RF_TEST_ACTOR, &noticed,
                                      &removed, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  touch (f, "slow", FALSE);
  g_assert_cmpuint (count_mail (f, ANN), ==, 1);
  {
    g_autoptr (RfMemberBounceInfo) i = info (f, ANN);

    g_assert_cmpuint (i->notices, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/bounce-notice/sent", Fixture, NULL, setup, test_sent, teardown);
  g_test_add ("/bounce-notice/transport-down", Fixture, NULL, setup, test_transport_down,
              teardown);
  g_test_add ("/bounce-notice/refused", Fixture, NULL, setup, test_refused, teardown);
  g_test_add ("/bounce-notice/reenable-page", Fixture, NULL, setup, test_reenable_page, teardown);
  g_test_add ("/bounce-notice/reenable-mail", Fixture, NULL, setup, test_reenable_mail, teardown);
  g_test_add ("/bounce-notice/expired", Fixture, NULL, setup, test_expired, teardown);
  g_test_add ("/bounce-notice/removed-otherwise", Fixture, NULL, setup, test_removed_otherwise,
              teardown);
  g_test_add ("/bounce-notice/notice-bounce", Fixture, NULL, setup, test_notice_bounce, teardown);
  g_test_add ("/bounce-notice/listctl-reenable", Fixture, NULL, setup,
              test_listctl_reenable_drops, teardown);
  g_test_add ("/bounce-notice/person", Fixture, NULL, setup, test_person, teardown);
  g_test_add ("/bounce-notice/disabling-bounce-links", Fixture, NULL, setup,
              test_disabling_bounce_links, teardown);
  g_test_add ("/bounce-notice/sweeps-at-once", Fixture, NULL, setup, test_sweeps_at_once,
              teardown);
  return g_test_run ();
}
