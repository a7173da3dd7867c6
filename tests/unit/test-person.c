/* test-person.c - one person's data (issue 15): an address used in every
 * feature (members of two lists in two cases, bounces, a kept post and a
 * redelivery link, an archived post, troubleshooting copies it sent and
 * one that names it, delivery records, a web account, a monitor record,
 * the journal and the activity log) is all in 'person export', and after
 * 'person erase' it is nowhere: not in any table, not in the database
 * file's bytes, not in the write-ahead log; its blobs are gone; the
 * journal keeps its events with the hash in place, a restore to a moment
 * when it was a member leaves it out (from the journal and from a
 * snapshot taken before), and nobody else's data changed.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "blob/blob.h"
#include "bounce/bounce.h"
#include "keep/keep.h"
#include "person/person.h"
#include "store/store.h"

#include <string.h>

#define T0 1795000000
#define LIST "dev@lists.test"
#define WHO "Ann.Person@example.test"

typedef struct {
  RF_FIXTURE_FIELDS;
  RfList *ops;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  RF_FIXTURE_SETUP (f, T0, LIST, NULL);
  g_assert_true (rf_list_create (f->store, "ops@lists.test", RF_TEST_ACTOR, &error));
  f->ops = rf_list_lookup (f->store, "ops@lists.test", &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->ops, rf_list_free);
  RF_FIXTURE_TEARDOWN (f);
}

/* Whether the file @path holds @needle, in any ASCII case. */
static gboolean
file_holds (const char *path, const char *needle)
{
  g_autofree char *text = NULL;
  gsize len = 0, n = strlen (needle);

  if (!g_file_get_contents (path, &text, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + n <= len; i++)
    if (g_ascii_strncasecmp (text + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      n += g_file_test (path, G_FILE_TEST_IS_DIR) ? count_files (path) : 1;
    }
  return n;
}

static void
keep (Fixture *f, const char *key, const char *sender, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfRecipient) r = rf_recipient_parse (LIST, &error);
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));

  g_assert_true (_rf_keep_received (f->config, f->store, f->list, r, sender, raw, key, &error));
  g_assert_no_error (error);
}

/* The address in every feature, and bob in some, at T0 .. T0+100. */
static void
use_everywhere (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  static const char post[] = "From: Ann Person <Ann.Person@example.test>\nTo: dev@lists.test\n"
                             "Subject: hello from ann\nMessage-ID: <ann.1@example.test>\n\n"
                             "A post by Ann.\n";
  static const char bounce[] = "From: MAILER-DAEMON@mx.test\nSubject: failure\n\n"
                               "<ann.person@EXAMPLE.test>: user unknown\n";
  g_autoptr (GBytes) rendered = g_bytes_new_static (post, strlen (post));
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autofree char *blob = rf_blob_id_new ();
  RfRedeliveryPost kept = { 0, (char *) LIST, (char *) "ann.1@example.test",
                            (char *) "hello from ann", blob, T0, T0 + 14 * RF_DAY };
  RfBounceOutcome outcome;
  gboolean added;
  gint64 id;
  gboolean created, done;

  g_assert_true (rf_member_add (f->store, f->list, WHO, RF_TEST_ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, "bob@example.test", RF_TEST_ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->ops, "ann.person@example.test", RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  rf_test_set_now (T0 + 10);
  g_assert_true (rf_bounce_record (f->store, f->list, "ANN.PERSON@example.test",
                                   RF_BOUNCE_PERMANENT, "5.1.1", "550 user unknown", RF_TEST_ACTOR,
                                   &outcome, &error));
  g_assert_no_error (error);
  /* her post: delivered (to both), archived, kept for redelivery, kept
   * for troubleshooting; and a bounce that names her */
  keep (f, "k-post", WHO, post);
  keep (f, "k-bounce", "MAILER-DAEMON@mx.test", bounce);
  keep (f, "k-bob", "bob@example.test", "From: bob@example.test\nSubject: bob's\n\nhi\n");
  g_assert_true (rf_delivery_open (f->store, f->list, "k-post", &id, &created, &done, &error));
  g_assert_true (rf_archive_add (f->store, f->list, rendered, "k-post", NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr (RfBlobStore) blobs = rf_blob_store_open (f->config, &error);

    g_assert_true (rf_blob_put_sealed (blobs, f->config, blob, rendered, &error));
  }
  g_assert_true (rf_redelivery_post_add (f->store, &kept, "k-post", &added, &error));
  g_ptr_array_add (ids, (gpointer) "ann.1@example.test");
  g_assert_true (rf_redelivery_link (f->store, LIST, "bob@example.test", ids, NULL, &error));
  g_assert_true (rf_redelivery_token_add (f->store, "00aa", LIST, WHO, T0 + 10, T0 + 20 * RF_DAY,
                                          &error));
  g_assert_true (rf_user_add (f->store, "annp", WHO, FALSE, "a long pass phrase", RF_TEST_ACTOR,
                              &error));
  g_assert_true (rf_user_grant (f->store, "annp", f->list, "moderator", RF_TEST_ACTOR, &error));
  g_assert_true (rf_monitor_record_send (f->store, "k-post", WHO, LIST, id, RF_RCPT_SENT, NULL,
                                         &error));
  rf_activity_log (f->store, RF_TEST_ACTOR, "bounce-drop", LIST,
                   "bounce for ann.person@example.test, not a member: dropped");
  g_assert_no_error (error);
  rf_test_set_now (T0 + 100);
}

static gint64
array_len (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  g_assert_nonnull (n);
  return json_array_get_length (json_node_get_array (n));
}

static void
test_export_erase (Fixture *f, gconstpointer data)
{
  static const char *const kinds[] = { "messages", "redelivery_copies", "memberships", "bounces",
                                       "deliveries", "archive_posts", "accounts", "monitor",
                                       "journal", "activity" };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) before = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autoptr (RfPersonReceipt) receipt = NULL;
  g_autoptr (RfBackup) backup = NULL;
  g_autofree char *db = g_build_filename (f->dir, "reflector.db", NULL);
  g_autofree char *wal = g_build_filename (f->dir, "reflector.db-wal", NULL);
  g_autofree char *blobs = g_build_filename (f->dir, "blobs", NULL);
  g_autofree char *messages = g_build_filename (f->dir, "messages", NULL);
  guint message_files;
  g_autofree char *journal_before = NULL;
  guint blob_files;
  JsonObject *o;

  use_everywhere (f);
  backup = rf_backup_take (f->config, f->store, NULL, FALSE, FALSE, RF_TEST_ACTOR, &error);
  g_assert_no_error (error);
  rf_test_set_now (T0 + 200);
  before = rf_person_export (f->config, f->store, "ann.person@EXAMPLE.test", &error);
  g_assert_no_error (error);
  o = json_node_get_object (before);
  g_assert_cmpstr (json_object_get_string_member (o, "address"), ==, "ann.person@example.test");
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_test_message ("export: %s: %" G_GINT64_FORMAT, kinds[i], array_len (o, kinds[i]));
      g_assert_cmpint (array_len (o, kinds[i]), >, 0);
    }
  g_assert_cmpint (array_len (o, "memberships"), ==, 2);
  g_assert_cmpint (array_len (o, "messages"), ==, 2);      /* hers, and the bounce naming her */
  g_assert_cmpint (array_len (o, "archive_posts"), ==, 1);
  g_assert_cmpint (array_len (o, "accounts"), ==, 1);

  journal_before = rf_test_sql (f->dir, "SELECT count(*) FROM journal");
  blob_files = count_files (blobs);
  message_files = count_files (messages);
  receipt = rf_person_erase (f->config, f->store, "ANN.PERSON@example.test", RF_TEST_ACTOR,
                             &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (receipt->address_hash, RF_PERSON_ERASED_PREFIX));
  g_assert_cmpuint (strlen (receipt->address_hash), ==, strlen (RF_PERSON_ERASED_PREFIX) + 32);
  g_assert_cmpuint (receipt->remaining->len, ==, 0);
  g_assert_true (receipt->wal_truncated);

  /* nowhere: no table, no byte of the database or its log, no blob of hers */
  {
    g_autoptr (GPtrArray) found = rf_store_find_text (f->store, "ann.person", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 0);
  }
  g_assert_false (file_holds (db, "ann.person"));
  g_assert_false (file_holds (wal, "ann.person"));
  g_assert_false (file_holds (db, "hello from ann"));
  g_assert_cmpuint (count_files (blobs), ==, blob_files - 1);        /* the redelivery copy */
  g_assert_cmpuint (count_files (messages), ==, message_files - 2);  /* hers, the bounce */
  after = rf_person_export (f->config, f->store, WHO, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_assert_cmpint (array_len (json_node_get_object (after), kinds[i]), ==, 0);

  /* the journal kept its shape: every event, two more unsubscribes */
  {
    g_autofree char *journal_after = rf_test_sql (f->dir, "SELECT count(*) FROM journal");
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM journal WHERE subject = '%s'",
                                            receipt->address_hash);
    g_autofree char *hashed = rf_test_sql (f->dir, sql);

    g_assert_cmpint (g_ascii_strtoll (journal_after, NULL, 10), ==,
                     g_ascii_strtoll (journal_before, NULL, 10) + 2);
    g_assert_cmpint (g_ascii_strtoll (hashed, NULL, 10), >=, 4);
  }
  /* nobody else's data changed */
  g_assert_true (rf_test_is_member (f->store, f->list, "bob@example.test"));
  {
    g_autoptr (GPtrArray) kept = rf_kept_messages (f->store, LIST, 0, &error);

    g_assert_cmpuint (kept->len, ==, 1);
    g_assert_cmpstr (((RfKeptMessage *) g_ptr_array_index (kept, 0))->sender, ==,
                     "bob@example.test");
  }
  /* a restore to when she was a member leaves her out, and says so */
  {
    g_autoptr (RfRestorePlan) plan = rf_restore_plan_at (f->store, LIST, T0 + 50, &error);
    gboolean erased = FALSE;

    g_assert_no_error (error);
    g_assert_cmpuint (plan->erased, ==, 1);
    g_assert_cmpuint (plan->add->len, ==, 0);
    g_assert_true (_rf_person_is_erased (f->store, "ann.person@example.test", &erased, &error));
    g_assert_true (erased);
  }
  {
    g_autoptr (RfSnapshot) snapshot = rf_snapshot_open (f->config, f->store, backup->name, &error);
    g_autoptr (GPtrArray) plans = NULL;

    g_assert_no_error (error);
    plans = rf_restore_plan_from (f->store, rf_snapshot_store (snapshot), backup->name, NULL,
                                  &error);
    g_assert_no_error (error);
    g_assert_cmpuint (plans->len, ==, 2);
    for (guint i = 0; i < plans->len; i++)
      {
        const RfRestorePlan *plan = g_ptr_array_index (plans, i);

        g_assert_cmpuint (plan->erased, ==, 1);
        g_assert_cmpuint (plan->add->len, ==, 0);
        g_assert_true (rf_restore_apply (f->store, plan, RF_TEST_ACTOR, &error));
        g_assert_no_error (error);
      }
  }
  /* and a second erasure finds nothing to do */
  {
    g_autoptr (RfPersonReceipt) again = rf_person_erase (f->config, f->store, WHO, RF_TEST_ACTOR,
                                                         &error);

    g_assert_no_error (error);
    for (guint i = 0; i < again->erased->len; i++)
      g_assert_cmpuint (((RfPersonErased *) g_ptr_array_index (again->erased, i))->count, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/person/export-erase", Fixture, NULL, setup, test_export_erase, teardown);
  return g_test_run ();
}
