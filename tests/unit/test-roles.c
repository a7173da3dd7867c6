/* test-roles.c - issue 10: commands in a subject or the first lines, the
 * administrivia test, mail that is never answered, the daily count of
 * automatic answers, confirmations (asked, looked up in any case, expired
 * under an injected clock, spent once, kept only as a hash), a post held
 * and decided, and the cleanup rows.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "moderation/moderation.h"
#include "roles/roles.h"

#include <string.h>

#define NOW 1800000000

typedef struct {
  RF_FIXTURE_FIELDS;
  char *out;            /* the sendmail stub writes each message here */
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stub = NULL;
  g_autofree char *script = NULL;
  g_autofree char *conf = NULL;

  f->out = g_dir_make_tmp ("rf-roles-out-XXXXXX", &error);
  g_assert_no_error (error);
  stub = g_build_filename (f->out, "sendmail", NULL);
  /* a member with a file fail-<address> is refused for now (75) */
  script = g_strdup_printf ("#!/bin/sh\nfor a; do r=$a; done\n"
                            "if [ -e \"%s/fail-$r\" ]; then cat > /dev/null; exit 75; fi\n"
                            "cat > \"%s/$r.$$\"\n",
                            f->out, f->out);
  g_assert_true (g_file_set_contents (stub, script, -1, NULL));
  g_assert_cmpint (g_chmod (stub, 0755), ==, 0);
  conf = g_strdup_printf ("[delivery]\nsendmail = %s\n[web]\nbase_url = https://lists.test/\n",
                          stub);
  RF_FIXTURE_SETUP (f, NOW, "dev@lists.test", conf);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
  remove_tree (f->out);
  g_free (f->out);
}

/* The messages the stub kept for @to, oldest first. */
static GPtrArray *
mail_for (Fixture *f, const char *to)
{
  g_autoptr (GDir) d = g_dir_open (f->out, 0, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, to) && name[strlen (to)] == '.')
      {
        g_autofree char *path = g_build_filename (f->out, name, NULL);
        char *text = NULL;

        g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
        g_ptr_array_add (out, text);
      }
  return out;
}

static char *
token_in (const char *text)
{
  const char *p = strstr (text, "dev-confirm+");

  g_assert_nonnull (p);
  return g_strndup (p + strlen ("dev-confirm+"), RF_TOKEN_CASELESS_CHARS);
}

static void
test_command (void)
{
  static const struct {
    const char *subject, *text;
    RfCommand command;
    const char *argument;
  } cases[] = {
    { "subscribe", "", RF_COMMAND_SUBSCRIBE, NULL },
    { "Re: [dev] Unsubscribe!", "", RF_COMMAND_UNSUBSCRIBE, NULL },
    { "AW: Fwd: join", "", RF_COMMAND_SUBSCRIBE, NULL },
    { "help", "", RF_COMMAND_HELP, NULL },
    { "", "\n\nPlease remove me from this list.\n", RF_COMMAND_UNSUBSCRIBE, NULL },
    { "question", "subscribe Ann@Example.ORG\n", RF_COMMAND_SUBSCRIBE, "Ann@example.org" },
    { "", "subscribe address=ann@x.test\n", RF_COMMAND_SUBSCRIBE, "ann@x.test" },
    { "", "unsubscribe bob@x.test please\n", RF_COMMAND_UNSUBSCRIBE, "bob@x.test" },
    { "", "leave\n", RF_COMMAND_UNSUBSCRIBE, NULL },
    { "", "STOP\n", RF_COMMAND_UNSUBSCRIBE, NULL },
    /* quoted text and the signature are not read */
    { "Re: hello", "> unsubscribe\n> help\n", RF_COMMAND_NONE, NULL },
    { "hi", "thanks\n-- \nunsubscribe: see the footer\n", RF_COMMAND_NONE, NULL },
    /* a command is a few words at most */
    { "Subscribe to the new release announcements of the project", "", RF_COMMAND_NONE, NULL },
    { "", "help me compile the thing\n", RF_COMMAND_NONE, NULL },
    { "remove members who bounce", "", RF_COMMAND_NONE, NULL },
    /* the first five lines only */
    { "", "a\nb\nc\nd\ne\nunsubscribe\n", RF_COMMAND_NONE, NULL },
    { "", "", RF_COMMAND_NONE, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *argument = NULL;
      RfCommand c = _rf_command_find (cases[i].subject, cases[i].text, &argument);

      g_test_message ("case %" G_GSIZE_FORMAT ": '%s' / '%s'", i, cases[i].subject, cases[i].text);
      g_assert_cmpint (c, ==, cases[i].command);
      g_assert_cmpstr (argument, ==, cases[i].argument);
    }
}

static void
test_administrivia (void)
{
  g_autoptr (GString) long_text = g_string_new ("unsubscribe\n");

  g_assert_true (_rf_command_is_administrivia ("unsubscribe", ""));
  g_assert_true (_rf_command_is_administrivia ("Re: [dev] hello", "remove me\n\n-- \nAnn\n"));
  g_assert_false (_rf_command_is_administrivia ("Release 2.0", "It is out.\n"));
  for (int i = 0; i < 12; i++)
    g_string_append (long_text, "a line of a real post\n");
  g_assert_false (_rf_command_is_administrivia ("a question", long_text->str));
}

static GMimeMessage *
parse (const char *text)
{
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  GMimeMessage *m = _rf_mime_parse (raw, NULL, &error);

  g_assert_no_error (error);
  return m;
}

static void
test_guard (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *headers;
    const char *sender;
    gboolean never;
    gboolean auto_reply;
  } cases[] = {
    { "", "ann@x.test", FALSE, FALSE },
    { "Auto-Submitted: no\n", "ann@x.test", FALSE, FALSE },
    { "", "", TRUE, FALSE },
    { "", "<>", TRUE, FALSE },
    { "", NULL, FALSE, FALSE },   /* not told: listdeliver run by hand */
    { "Auto-Submitted: Auto-Replied; owner-email=ann@x.test\n", "ann@x.test", TRUE, TRUE },
    { "Auto-Submitted: auto-generated\n", "ann@x.test", TRUE, FALSE },
    { "Precedence: bulk\n", "ann@x.test", TRUE, FALSE },
    { "Precedence: junk\n", "ann@x.test", TRUE, FALSE },
    { "Precedence: list\n", "ann@x.test", TRUE, FALSE },
    { "Precedence: auto_reply\n", "ann@x.test", TRUE, TRUE },
    { "X-Autoreply: yes\n", "ann@x.test", TRUE, TRUE },
    { "X-Loop: dev-owner@lists.test\n", "ann@x.test", TRUE, FALSE },
    { "X-Loop: <DEV@lists.test>\n", "ann@x.test", TRUE, FALSE },
    { "X-Loop: other@lists.test\n", "ann@x.test", FALSE, FALSE },
    { "List-Id: Dev <dev.lists.test>\n", "ann@x.test", TRUE, FALSE },
    { "List-Id: <other.lists.test>\n", "ann@x.test", FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("From: ann@x.test\n%sSubject: x\n\nhello\n",
                                               cases[i].headers);
      g_autoptr (GMimeMessage) m = parse (text);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].headers);
      g_assert_cmpint (_rf_never_answer (m, f->list, cases[i].sender) != NULL, ==,
                       cases[i].never);
      g_assert_cmpint (_rf_is_auto_reply (m), ==, cases[i].auto_reply);
    }
}

static void
test_autoresponse (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean allowed;
  guint64 removed = 0;

  for (int i = 0; i < 3; i++)
    {
      g_assert_true (rf_autoresponse_take (f->store, "dev@lists.test", "Ann@X.test", 2, NOW,
                                           &allowed, &error));
      g_assert_no_error (error);
      g_assert_cmpint (allowed, ==, i < 2);
    }
  /* the same mailbox in another case: the same count */
  g_assert_true (rf_autoresponse_take (f->store, "dev@lists.test", "ann@x.test", 2, NOW,
                                       &allowed, &error));
  g_assert_false (allowed);
  /* another address, another list, the next day: counted apart */
  g_assert_true (rf_autoresponse_take (f->store, "dev@lists.test", "bob@x.test", 2, NOW,
                                       &allowed, &error));
  g_assert_true (allowed);
  g_assert_true (rf_autoresponse_take (f->store, "ops@lists.test", "ann@x.test", 2, NOW,
                                       &allowed, &error));
  g_assert_true (allowed);
  g_assert_true (rf_autoresponse_take (f->store, "dev@lists.test", "ann@x.test", 2,
                                       NOW + RF_DAY, &allowed, &error));
  g_assert_true (allowed);
  g_assert_true (rf_autoresponse_take (f->store, "dev@lists.test", "ann@x.test", 0, NOW,
                                       &allowed, &error));
  g_assert_false (allowed);
  /* the counts of past days go with cleanup */
  g_assert_true (rf_autoresponses_expire (f->store, NOW + RF_DAY, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 3);
}

static void
test_confirm (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) mail = NULL;
  g_autoptr (RfConfirmation) c = NULL;
  g_autoptr (RfConfirmation) done = NULL;
  g_autofree char *token = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *in_db = NULL;
  g_autofree char *sql = NULL;

  g_assert_true (_rf_subscription_ask (f->config, RF_TEST_ACTOR, f->store, f->list, f->settings,
                                       RF_CONFIRM_SUBSCRIBE, "Ann@x.test", "m1@x.test", &error));
  g_assert_no_error (error);
  mail = mail_for (f, "Ann@x.test");
  g_assert_cmpuint (mail->len, ==, 1);
  token = token_in (g_ptr_array_index (mail, 0));
  g_assert_true (rf_token_caseless_shaped (token));
  g_assert_nonnull (strstr (g_ptr_array_index (mail, 0), "https://lists.test/c/"));
  g_assert_nonnull (strstr (g_ptr_array_index (mail, 0), "In-Reply-To: <m1@x.test>"));
  g_assert_nonnull (strstr (g_ptr_array_index (mail, 0), "Auto-Submitted: auto-replied"));
  g_assert_false (rf_test_is_member (f->store, f->list, "ann@x.test"));

  /* only its hash is kept */
  sql = g_strdup_printf ("SELECT count(*) FROM confirmations WHERE token_hash = '%s'", token);
  in_db = rf_test_sql (f->dir, sql);
  g_assert_cmpstr (in_db, ==, "0");
  g_clear_pointer (&in_db, g_free);
  in_db = rf_test_sql (f->dir, "SELECT action, address, expires - created FROM confirmations");
  g_assert_cmpstr (in_db, ==, "subscribe|Ann@x.test|604800");

  /* looked up in any case */
  upper = g_ascii_strup (token, -1);
  g_assert_true (rf_confirmation_lookup (f->store, upper, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c->action, ==, RF_CONFIRM_SUBSCRIBE);
  g_assert_cmpstr (c->address, ==, "Ann@x.test");

  /* after confirm_days it does nothing, and says so */
  rf_test_set_now (NOW + 7 * RF_DAY);
  g_assert_false (rf_confirmation_act (f->config, RF_TEST_ACTOR, f->store, token, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);
  g_assert_false (rf_test_is_member (f->store, f->list, "ann@x.test"));

  /* in time: once */
  rf_test_set_now (NOW + 7 * RF_DAY - 1);
  g_assert_true (rf_confirmation_act (f->config, RF_TEST_ACTOR, f->store, upper, &done, &error));
  g_assert_no_error (error);
  g_assert_cmpint (done->action, ==, RF_CONFIRM_SUBSCRIBE);
  g_assert_true (rf_test_is_member (f->store, f->list, "ann@x.test"));
  g_clear_pointer (&mail, g_ptr_array_unref);
  mail = mail_for (f, "Ann@x.test");
  g_assert_cmpuint (mail->len, ==, 2);   /* and the welcome */
  g_assert_false (rf_confirmation_act (f->config, RF_TEST_ACTOR, f->store, token, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "unknown"));
  g_clear_error (&error);
  g_assert_false (rf_confirmation_lookup (f->store, "not-a-token", &c, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_confirm_expire (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 removed = 0;

  g_assert_true (_rf_subscription_ask (f->config, RF_TEST_ACTOR, f->store, f->list, f->settings,
                                       RF_CONFIRM_UNSUBSCRIBE, "bob@x.test", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rf_confirmations_expire (f->store, NOW + 7 * RF_DAY - 1, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
  g_assert_true (rf_confirmations_expire (f->store, NOW + 7 * RF_DAY, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
}

static guint64
clean (Fixture *f, const char *name, gint64 now, gboolean dry_run)
{
  g_autoptr (GError) error = NULL;
  gsize n = 0;
  const RfCleaner *cleaners = rf_cleaners (&n);
  RfCleanupRun r = { f->config, f->store, now, dry_run, 0 };

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
test_hold (Fixture *f, gconstpointer data)
{
  static const char post[] = "From: Stranger <s@x.test>\nSubject: Buy\nMessage-ID: <p1@x.test>\n\n"
                             "the text of the post\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (post, sizeof post - 1);
  g_autoptr (GPtrArray) reasons = g_ptr_array_new ();
  g_autoptr (GPtrArray) held = NULL;
  g_autoptr (GPtrArray) mail = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RfHeldPost) p = NULL;
  g_autofree char *blob = NULL;
  g_autofree char *rows = NULL;

  g_assert_true (rf_list_set_setting (f->store, f->list, "owner_addresses", "mod@x.test",
                                      RF_TEST_ACTOR, &error));
  g_ptr_array_add (reasons, (gpointer) "s@x.test is not a member");
  g_ptr_array_add (reasons, (gpointer) "the list is moderated");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (GHashTable) settings = rf_list_settings (f->store, f->list, &error);

      g_assert_true (_rf_moderation_hold (f->config, RF_TEST_ACTOR, f->store, f->list, settings,
                                          raw, "s@x.test", "key1", reasons, &error));
      g_assert_no_error (error);
    }
  /* held once, notified once, whatever the MTA's retries */
  held = rf_held_list (f->store, f->list, NOW, &error);
  g_assert_cmpuint (held->len, ==, 1);
  p = g_ptr_array_steal_index (held, 0);
  g_assert_cmpstr (p->from, ==, "Stranger <s@x.test>");
  g_assert_cmpstr (p->subject, ==, "Buy");
  g_assert_cmpstr (p->reasons, ==, "s@x.test is not a member\nthe list is moderated");
  g_assert_cmpint (p->expires - p->held, ==, 7 * RF_DAY);
  mail = mail_for (f, "mod@x.test");
  g_assert_cmpuint (mail->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (mail, 0), "Subject: Buy"));
  g_assert_null (strstr (g_ptr_array_index (mail, 0), "the text of the post"));
  rows = rf_test_sql (f->dir, "SELECT group_concat(action) FROM confirmations WHERE held_id = 1");
  g_assert_cmpstr (rows, ==, "approve,reject,discard");
  /* sealed: the file in the blob store is not the post; the site key reads it */
  {
    g_autofree char *prefix = g_strndup (p->blob_id, 2);
    g_autofree char *path = g_build_filename (f->dir, "blobs", prefix, p->blob_id, NULL);
    g_autofree char *sealed = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &sealed, &len, NULL));
    g_assert_null (g_strstr_len (sealed, (gssize) len, "the text of the post"));
  }
  {
    g_autoptr (GBytes) back = _rf_held_unseal (f->config, p->blob_id, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (back, raw));
  }

  /* discarded: gone, blob and tokens too; a second decision finds nothing */
  g_assert_true (rf_moderate (f->config, RF_TEST_ACTOR, f->store, f->list, p->id,
                              RF_MODERATE_DISCARD, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&rows, g_free);
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM held_posts; SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0\n0");
  g_assert_false (rf_moderate (f->config, RF_TEST_ACTOR, f->store, f->list, p->id,
                               RF_MODERATE_APPROVE, NULL, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr (GBytes) gone = _rf_held_unseal (f->config, p->blob_id, &error);

    g_assert_null (gone);
    g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* another, left alone: cleanup deletes it after hold_days, not before */
  {
    g_autoptr (GHashTable) settings = rf_list_settings (f->store, f->list, &error);

    g_assert_true (_rf_moderation_hold (f->config, RF_TEST_ACTOR, f->store, f->list, settings,
                                        raw, "s@x.test", "key2", reasons, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (clean (f, "held", NOW + 7 * RF_DAY - 1, FALSE), ==, 0);
  g_assert_cmpuint (clean (f, "held", NOW + 7 * RF_DAY, TRUE), ==, 1);
  g_clear_pointer (&rows, g_free);
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM held_posts");
  g_assert_cmpstr (rows, ==, "1");
  g_assert_cmpuint (clean (f, "held", NOW + 7 * RF_DAY, FALSE), ==, 1);
  g_clear_pointer (&rows, g_free);
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM held_posts; SELECT count(*) FROM confirmations");
  g_assert_cmpstr (rows, ==, "0\n0");
  /* numbers are never given twice */
  {
    g_autoptr (GHashTable) settings = rf_list_settings (f->store, f->list, &error);
    g_autoptr (GPtrArray) again = NULL;

    g_assert_true (_rf_moderation_hold (f->config, RF_TEST_ACTOR, f->store, f->list, settings,
                                        raw, "s@x.test", "key3", reasons, &error));
    again = rf_held_list (f->store, f->list, NOW, &error);
    g_assert_cmpuint (again->len, ==, 1);
    g_assert_cmpint (((RfHeldPost *) g_ptr_array_index (again, 0))->id, ==, 3);
  }
}

/* An approval that the transport cut short resumes: nobody gets it twice,
 * and meanwhile the post can be neither rejected nor discarded. */
static void
test_approve_resumes (Fixture *f, gconstpointer data)
{
  static const char post[] = "From: s@x.test\nSubject: Approved\nMessage-ID: <p2@x.test>\n\n"
                             "hello\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (post, sizeof post - 1);
  g_autoptr (GPtrArray) reasons = g_ptr_array_new ();
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *fail = g_build_filename (f->out, "fail-bob@x.test", NULL);
  g_autofree char *rows = NULL;
  RfDeliverReport report;
  const char *members[] = { "ann@x.test", "bob@x.test", "cy@x.test" };

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (rf_member_add (f->store, f->list, members[i], RF_TEST_ACTOR, &error));
  settings = rf_list_settings (f->store, f->list, &error);
  g_ptr_array_add (reasons, (gpointer) "the list is moderated");
  g_assert_true (_rf_moderation_hold (f->config, RF_TEST_ACTOR, f->store, f->list, settings, raw,
                                      "s@x.test", "key-approve", reasons, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (fail, "", 0, NULL));
  g_assert_false (rf_moderate (f->config, RF_TEST_ACTOR, f->store, f->list, 1,
                               RF_MODERATE_APPROVE, NULL, &report, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_assert_cmpuint (report.sent, ==, 2);
  g_assert_false (rf_moderate (f->config, RF_TEST_ACTOR, f->store, f->list, 1,
                               RF_MODERATE_DISCARD, NULL, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_unlink (fail);
  g_assert_true (rf_moderate (f->config, RF_TEST_ACTOR, f->store, f->list, 1,
                              RF_MODERATE_APPROVE, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent_now, ==, 1);
  g_assert_cmpuint (report.sent, ==, 3);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autoptr (GPtrArray) copies = mail_for (f, members[i]);

      g_assert_cmpuint (copies->len, ==, 1);
      g_assert_nonnull (strstr (g_ptr_array_index (copies, 0), "Subject: Approved"));
      g_assert_nonnull (strstr (g_ptr_array_index (copies, 0), "List-Id: <dev.lists.test>"));
    }
  rows = rf_test_sql (f->dir, "SELECT count(*) FROM held_posts");
  g_assert_cmpstr (rows, ==, "0");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/roles/command", test_command);
  g_test_add_func ("/roles/administrivia", test_administrivia);
  g_test_add ("/roles/guard", Fixture, NULL, setup, test_guard, teardown);
  g_test_add ("/roles/autoresponse", Fixture, NULL, setup, test_autoresponse, teardown);
  g_test_add ("/roles/confirm", Fixture, NULL, setup, test_confirm, teardown);
  g_test_add ("/roles/confirm-expire", Fixture, NULL, setup, test_confirm_expire, teardown);
  g_test_add ("/roles/hold", Fixture, NULL, setup, test_hold, teardown);
  g_test_add ("/roles/approve-resumes", Fixture, NULL, setup, test_approve_resumes, teardown);
  return g_test_run ();
}
