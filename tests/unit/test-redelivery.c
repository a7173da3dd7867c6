/* test-redelivery.c - issue 5, Bounce Redelivery: which post a bounce
 * returns, the rows (kept posts, links, tokens, notice times) with an
 * injected clock, keeping a post (on and off) and reading it back as the
 * page shows it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "bounce/bounce.h"
#include "redelivery/redelivery.h"

#include <string.h>

#define NOW 1800000000
#define DAY RF_DAY

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  /* a sendmail that takes every notice and sends nothing */
  RF_FIXTURE_SETUP (f, NOW, "dev@lists.test", "[delivery]\nsendmail = /bin/true\n");
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

/* What the cleaner @name removes (or with @dry_run would remove) at @now. */
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

static GPtrArray *
ids_of (const char *text)
{
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));

  return rf_bounce_original_ids (raw);
}

static void
test_original_ids (void)
{
  g_autoptr (GPtrArray) rfc822 = ids_of (
      "From: MAILER-DAEMON@mx.test\nMessage-ID: <own@mx.test>\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
      "--B\nContent-Type: message/delivery-status\n\nStatus: 5.7.1\n\n"
      "--B\nContent-Type: message/rfc822\n\nFrom: a@b.test\nMessage-Id: <post-1@b.test>\n\nbody\n"
      "--B--\n");
  g_autoptr (GPtrArray) folded = ids_of ("Subject: x\n\nReturned headers:\nMessage-ID:\n"
                                         "  <post-2@b.test>\nSubject: y\n");
  g_autoptr (GPtrArray) quoted = ids_of ("Subject: x\n\n> From: a@b.test\n"
                                         "> message-id: <post-3@b.test>\n");
  g_autoptr (GPtrArray) refs = ids_of ("Subject: x\nIn-Reply-To: <post-4@b.test>\n"
                                       "References: <t1@b.test>\n <post-4@b.test>\n\nno copy\n");
  g_autoptr (GPtrArray) none = ids_of ("Message-ID: <own@mx.test>\nSubject: x\n\nnothing\n");
  g_autoptr (GPtrArray) empty = rf_bounce_original_ids (NULL);

  g_assert_cmpuint (rfc822->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (rfc822, 0), ==, "post-1@b.test");
  g_assert_cmpuint (folded->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (folded, 0), ==, "post-2@b.test");
  g_assert_cmpuint (quoted->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (quoted, 0), ==, "post-3@b.test");
  /* each id once, In-Reply-To first */
  g_assert_cmpuint (refs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (refs, 0), ==, "post-4@b.test");
  g_assert_cmpstr (g_ptr_array_index (refs, 1), ==, "t1@b.test");
  /* the bounce's own Message-ID names no post */
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
add_post (Fixture *f, const char *key, const char *mid, gint64 stored, gboolean *added)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *blob = rf_blob_id_new ();
  RfRedeliveryPost p = { 0, "dev@lists.test", (char *) mid, (char *) "Subject", blob,
                         stored, stored + 14 * DAY };

  g_assert_true (rf_redelivery_post_add (f->store, &p, key, added, &error));
  g_assert_no_error (error);
}

static void
test_rows (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (GPtrArray) expired = NULL;
  g_autofree char *token = rf_token_new ();
  g_autofree char *hash = rf_token_hash (token);
  g_autofree char *list = NULL;
  g_autofree char *member = NULL;
  gboolean added = FALSE, exists = FALSE;
  gint64 last = -1, expires = 0;
  guint linked = 0;

  add_post (f, "k1", "m1@x.test", NOW, &added);
  g_assert_true (added);
  add_post (f, "k1", "m1@x.test", NOW, &added);
  g_assert_false (added);   /* the same delivery key: kept once */
  g_assert_true (rf_redelivery_post_exists (f->store, "k1", &exists, &error));
  g_assert_true (exists);
  add_post (f, "k2", "m2@x.test", NOW + DAY, &added);
  g_assert_true (added);

  g_ptr_array_add (ids, (gpointer) "unknown@x.test");
  g_ptr_array_add (ids, (gpointer) "m1@x.test");
  g_assert_true (rf_redelivery_link (f->store, "dev@lists.test", "bob@b.test", ids, &linked,
                                     &error));
  g_assert_cmpuint (linked, ==, 1);
  /* linking again changes nothing; another list's post is never matched */
  g_assert_true (rf_redelivery_link (f->store, "dev@lists.test", "bob@b.test", ids, &linked,
                                     &error));
  g_assert_cmpuint (linked, ==, 0);
  g_assert_true (rf_redelivery_link (f->store, "ops@lists.test", "bob@b.test", ids, &linked,
                                     &error));
  g_assert_cmpuint (linked, ==, 0);

  posts = rf_redelivery_member_posts (f->store, "dev@lists.test", "bob@b.test", NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpstr (((RfRedeliveryPost *) g_ptr_array_index (posts, 0))->message_id, ==,
                   "m1@x.test");
  g_clear_pointer (&posts, g_ptr_array_unref);
  posts = rf_redelivery_member_posts (f->store, "dev@lists.test", "alice@b.test", NOW, &error);
  g_assert_cmpuint (posts->len, ==, 0);
  g_clear_pointer (&posts, g_ptr_array_unref);
  /* an expired post is no longer shown */
  posts = rf_redelivery_member_posts (f->store, "dev@lists.test", "bob@b.test", NOW + 14 * DAY,
                                      &error);
  g_assert_cmpuint (posts->len, ==, 0);

  /* tokens and the notice time */
  g_assert_true (rf_redelivery_last_notice (f->store, "dev@lists.test", "bob@b.test", &last,
                                            &error));
  g_assert_cmpint (last, ==, 0);
  g_assert_true (rf_redelivery_token_add (f->store, hash, "dev@lists.test", "bob@b.test", NOW,
                                          NOW + 14 * DAY, &error));
  g_assert_no_error (error);
  g_assert_true (rf_redelivery_last_notice (f->store, "dev@lists.test", "bob@b.test", &last,
                                            &error));
  g_assert_cmpint (last, ==, NOW);
  g_assert_true (rf_redelivery_token_lookup (f->store, token, &list, &member, &expires, &error));
  g_assert_cmpstr (list, ==, "dev@lists.test");
  g_assert_cmpstr (member, ==, "bob@b.test");
  g_assert_cmpint (expires, ==, NOW + 14 * DAY);
  g_clear_pointer (&list, g_free);
  g_clear_pointer (&member, g_free);
  g_assert_false (rf_redelivery_token_lookup (f->store, hash, &list, &member, &expires, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, hash));
  g_clear_error (&error);

  /* expiry: dry run counts, the real run deletes, the next finds nothing */
  g_assert_cmpuint (clean (f, "redelivery-tokens", NOW + 14 * DAY - 1, FALSE), ==, 0);
  g_assert_cmpuint (clean (f, "redelivery-tokens", NOW + 14 * DAY, TRUE), ==, 1);
  g_assert_cmpuint (clean (f, "redelivery-tokens", NOW + 14 * DAY, FALSE), ==, 1);
  g_assert_cmpuint (clean (f, "redelivery-tokens", NOW + 14 * DAY, FALSE), ==, 0);
  g_assert_false (rf_redelivery_token_lookup (f->store, token, &list, &member, &expires, &error));
  g_clear_error (&error);

  expired = rf_redelivery_expired (f->store, NOW + 14 * DAY, 100, &error);
  g_assert_cmpuint (expired->len, ==, 1);   /* k1; k2 was kept a day later */
  g_assert_true (rf_redelivery_post_remove (
      f->store, ((RfRedeliveryPost *) g_ptr_array_index (expired, 0))->id, &error));
  g_assert_true (rf_redelivery_post_exists (f->store, "k1", &exists, &error));
  g_assert_false (exists);
}

static char *
write_out (Fixture *f, const char *name, const char *text)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_keep (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *plain = write_out (
      f, "plain.out",
      "From: Ann <ann@b.test>\nSubject: [dev] Plans\nDate: Sun, 29 Nov 2026 10:00:00 +0000\n"
      "Message-ID: <plain@b.test>\nContent-Type: text/plain; charset=utf-8\n\n"
      "Plans for <script>alert(1)</script> Monday.\n");
  g_autofree char *html = write_out (
      f, "html.out",
      "From: ann@b.test\nSubject: Rich\nMessage-ID: <html@b.test>\n"
      "Content-Type: text/html; charset=utf-8\n\n"
      "<html><body><p>Hello <b>bold</b> world</p><script>alert(2)</script></body></html>\n");
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (RfRedeliveryCopy) copy = NULL;
  g_autoptr (RfRedeliveryCopy) copy2 = NULL;
  gboolean exists = TRUE;

  /* off: nothing kept */
  g_hash_table_insert (f->settings, (gpointer) "bounce_redelivery", g_strdup ("off"));
  g_assert_true (_rf_redelivery_keep (f->config, f->store, f->list, f->settings, "kp", plain,
                                      &error));
  g_assert_true (rf_redelivery_post_exists (f->store, "kp", &exists, &error));
  g_assert_false (exists);
  /* on: kept, and a second call keeps nothing more */
  g_hash_table_insert (f->settings, (gpointer) "bounce_redelivery", g_strdup ("on"));
  for (int i = 0; i < 2; i++)
    g_assert_true (_rf_redelivery_keep (f->config, f->store, f->list, f->settings, "kp", plain,
                                        &error));
  g_assert_true (_rf_redelivery_keep (f->config, f->store, f->list, f->settings, "kh", html,
                                      &error));
  g_assert_no_error (error);
  g_ptr_array_add (ids, (gpointer) "plain@b.test");
  g_ptr_array_add (ids, (gpointer) "html@b.test");
  g_assert_true (rf_redelivery_link (f->store, "dev@lists.test", "bob@b.test", ids, NULL,
                                     &error));
  posts = rf_redelivery_member_posts (f->store, "dev@lists.test", "bob@b.test", NOW, &error);
  g_assert_cmpuint (posts->len, ==, 2);
  g_assert_cmpstr (((RfRedeliveryPost *) g_ptr_array_index (posts, 0))->subject, ==,
                   "[dev] Plans");
  g_assert_cmpint (((RfRedeliveryPost *) g_ptr_array_index (posts, 0))->expires, ==,
                   NOW + 14 * DAY);

  copy = rf_redelivery_copy_read (f->config, g_ptr_array_index (posts, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copy->from, ==, "Ann <ann@b.test>");
  g_assert_cmpstr (copy->subject, ==, "[dev] Plans");
  g_assert_nonnull (strstr (copy->text, "Plans for <script>alert(1)</script> Monday."));
  /* HTML-only: its text, no markup */
  copy2 = rf_redelivery_copy_read (f->config, g_ptr_array_index (posts, 1), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (copy2->text, "Hello"));
  g_assert_nonnull (strstr (copy2->text, "world"));
  g_assert_null (strstr (copy2->text, "<b>"));
  g_assert_null (strstr (copy2->text, "alert(2)"));
}

/* A DSN of the post "plain@b.test" kept for the list, for bob@b.test, with
 * the RFC 3464 Action @action and Status @status. */
static GBytes *
dsn_for_bob (const char *action, const char *status)
{
  char *text = g_strdup_printf (
      "From: MAILER-DAEMON@mx.b.test\nTo: dev-bounces+bob=b.test@lists.test\n"
      "Subject: Delivery Status Notification\nMessage-ID: <dsn-%s@mx.b.test>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
      "--B\nContent-Type: text/plain\n\nAbout your message to bob@b.test.\n\n"
      "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.b.test\n\n"
      "Final-Recipient: rfc822; bob@b.test\nAction: %s\nStatus: %s\n\n"
      "--B\nContent-Type: text/rfc822-headers\n\nFrom: Ann <ann@b.test>\n"
      "Subject: [dev] Plans\nMessage-ID: <plain@b.test>\n\n--B--\n",
      action, action, status);

  return g_bytes_new_take (text, strlen (text));
}

/* Issue 17: a warning that the copy is delayed (Action: delayed) is no lost
 * post: it links nothing and sends no notice; a failure does both. */
static void
test_delay_is_no_loss (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *plain = write_out (f, "plain.out",
                                      "From: Ann <ann@b.test>\nSubject: [dev] Plans\n"
                                      "Message-ID: <plain@b.test>\n\nPlans.\n");
  const RfActor mta = { "listdeliver", "mta" };
  const char *verdicts[] = { "delayed", "failed" };
  gint64 last = 0;

  g_assert_true (_rf_redelivery_keep (f->config, f->store, f->list, f->settings, "kp", plain,
                                      &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (verdicts); i++)
    {
      g_autoptr (GBytes) raw =
          dsn_for_bob (verdicts[i], i == 0 ? "4.4.7" : "5.2.2");
      g_autoptr (RfBounce) bounce = rf_bounce_parse (raw, &error);
      const RfBounceRecipient *r;
      g_autoptr (GPtrArray) posts = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (bounce->recipients->len, ==, 1);
      r = g_ptr_array_index (bounce->recipients, 0);
      g_assert_cmpint (r->action, ==, i == 0 ? RF_BOUNCE_ACTION_DELAYED : RF_BOUNCE_ACTION_FAILED);
      g_assert_true (_rf_redelivery_bounced (f->config, &mta, f->store, f->list, "bob@b.test", raw,
                                             r->bounce_class, r->action, &error));
      g_assert_no_error (error);
      posts = rf_redelivery_member_posts (f->store, "dev@lists.test", "bob@b.test", NOW, &error);
      g_assert_true (rf_redelivery_last_notice (f->store, "dev@lists.test", "bob@b.test", &last,
                                                &error));
      /* delayed: nothing; failed: the post linked and a notice recorded */
      g_assert_cmpuint (posts->len, ==, i == 0 ? 0 : 1);
      if (i == 0)
        g_assert_cmpint (last, ==, 0);
      else
        g_assert_cmpint (last, ==, NOW);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/redelivery/original-ids", test_original_ids);
  g_test_add ("/redelivery/rows", Fixture, NULL, setup, test_rows, teardown);
  g_test_add ("/redelivery/keep", Fixture, NULL, setup, test_keep, teardown);
  g_test_add ("/redelivery/delay-is-no-loss", Fixture, NULL, setup, test_delay_is_no_loss,
              teardown);
  return g_test_run ();
}
