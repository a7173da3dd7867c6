/* test-store.c - lists, settings, members, journal and activity log.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "mta/mta.h"
#include "store/store.h"

#include <string.h>

#define ACTOR_NAME "listctl:test"
static const RfActor actor = { ACTOR_NAME, "cli" };
#define ACTOR (&actor)

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, 1700000000, NULL, NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static RfList *
make_list (Fixture *f, const char *address)
{
  g_autoptr (GError) error = NULL;
  RfList *list;

  g_assert_true (rf_list_create (f->store, address, ACTOR, &error));
  g_assert_no_error (error);
  list = rf_list_lookup (f->store, address, &error);
  g_assert_no_error (error);
  return list;
}

/* Rows of the activity table, read behind the library's back. */
static GPtrArray *
activity_rows (Fixture *f)
{
  g_autofree char *text = rf_test_sql (f->dir,
                                       "SELECT at, actor, action, ifnull(target,''), "
                                       "ifnull(origin,''), ifnull(detail,'') FROM activity "
                                       "ORDER BY id");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (char **l = lines; *l != NULL; l++)
    if (**l != '\0')
      g_ptr_array_add (rows, g_strdup (*l));
  return rows;
}

static void
test_lists (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@Lists.Example.org");
  g_autoptr (RfList) again = NULL;
  g_autoptr (RfList) gone = NULL;
  g_autoptr (GPtrArray) all = NULL;

  g_assert_cmpstr (dev->address, ==, "dev@lists.example.org");
  g_assert_cmpstr (dev->local, ==, "dev");
  g_assert_cmpstr (dev->domain, ==, "lists.example.org");
  g_assert_cmpint (dev->created, ==, 1700000000);
  rf_list_free (make_list (f, "announce@lists.example.org"));

  /* lookup ignores case */
  again = rf_list_lookup (f->store, "DEV@lists.example.ORG", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, dev->id);

  g_assert_false (rf_list_create (f->store, "dev@lists.example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "dev@lists.example.org"));
  g_clear_error (&error);

  all = rf_list_all (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (((RfList *) all->pdata[0])->address, ==, "announce@lists.example.org");
  g_assert_cmpstr (((RfList *) all->pdata[1])->address, ==, "dev@lists.example.org");

  g_assert_true (rf_list_delete (f->store, "dev@lists.example.org", ACTOR, &error));
  g_assert_no_error (error);
  gone = rf_list_lookup (f->store, "dev@lists.example.org", &error);
  g_assert_null (gone);
  g_assert_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST);
  g_clear_error (&error);
  g_assert_false (rf_list_delete (f->store, "dev@lists.example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST);
}

static void
test_list_names (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "dev-request@lists.example.org", "dev-owner@lists.example.org",
    "dev-bounces@lists.example.org", "dev-confirm@lists.example.org",
    "dev-join@lists.example.org", "dev-leave@lists.example.org",
    "-dev@lists.example.org", "dev+x@lists.example.org",
    "a12345678901234567890123456789012345678901@lists.example.org",
    "nodomain", "dev@localhost", "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      if (rf_list_create (f->store, bad[i], ACTOR, &error))
        g_error ("list '%s' was created", bad[i]);
      g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
    }
  rf_list_free (make_list (f, "a.b_c-d9@lists.example.org"));
  rf_list_free (make_list (f, "9lives@lists.example.org"));
}

static void
test_settings (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (GHashTable) all = NULL;
  g_autofree char *v = NULL;

  v = rf_list_get_setting (f->store, dev, "posting", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (v, ==, "members");
  g_clear_pointer (&v, g_free);

  g_assert_true (rf_list_set_setting (f->store, dev, "max_message_size", "2M", ACTOR, &error));
  g_assert_no_error (error);
  v = rf_list_get_setting (f->store, dev, "max_message_size", &error);
  g_assert_cmpstr (v, ==, "2097152");
  g_clear_pointer (&v, g_free);

  g_assert_true (rf_list_set_setting (f->store, dev, "posting", "OPEN", ACTOR, &error));
  g_assert_true (rf_list_set_setting (f->store, dev, "footer", "--\\nbye", ACTOR, &error));
  all = rf_list_settings (f->store, dev, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (all, "posting"), ==, "open");
  g_assert_cmpstr (g_hash_table_lookup (all, "footer"), ==, "--\nbye");
  g_assert_cmpstr (g_hash_table_lookup (all, "list_headers"), ==, "on");
  {
    /* every setting of the table, whatever other parts add to it */
    gsize n_settings = 0;

    rf_settings_table (&n_settings);
    g_assert_cmpuint (g_hash_table_size (all), ==, n_settings);
  }

  /* back to the default */
  g_assert_true (rf_list_set_setting (f->store, dev, "posting", "members", ACTOR, &error));
  v = rf_list_get_setting (f->store, dev, "posting", &error);
  g_assert_cmpstr (v, ==, "members");
  g_clear_pointer (&v, g_free);

  g_assert_false (rf_list_set_setting (f->store, dev, "posting", "closed", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rf_list_set_setting (f->store, dev, "colour", "red", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  v = rf_list_get_setting (f->store, dev, "colour", &error);
  g_assert_null (v);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a rejected value was not stored */
  v = rf_list_get_setting (f->store, dev, "posting", &error);
  g_assert_cmpstr (v, ==, "members");
}

static void
test_members (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (RfList) other = make_list (f, "other@lists.example.org");
  g_autoptr (GPtrArray) members = NULL;
  g_assert_true (rf_member_add (f->store, dev, "bob@example.org", ACTOR, &error));
  g_assert_true (rf_member_add (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_no_error (error);
  g_assert_false (rf_member_add (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 2);
  g_assert_cmpint (rf_member_count (f->store, other, &error), ==, 0);
  g_assert_true (rf_test_is_member (f->store, dev, "ann@example.org"));
  g_assert_false (rf_test_is_member (f->store, other, "ann@example.org"));
  /* one mailbox, one membership: the case of the letters does not matter,
   * and the address keeps the case it was subscribed with */
  g_assert_true (rf_test_is_member (f->store, dev, "Ann@Example.org"));
  g_assert_false (rf_member_add (f->store, dev, "ANN@example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (rf_member_add (f->store, other, "Cy@Example.org", ACTOR, &error));
  {
    g_autofree char *stored = NULL;

    g_assert_true (rf_member_find (f->store, other, "cy@example.org", &stored, &error));
    g_assert_cmpstr (stored, ==, "Cy@Example.org");
  }
  /* removing by another case removes the member, and the journal names
   * the address as it was stored */
  g_assert_true (rf_member_remove (f->store, other, "CY@EXAMPLE.ORG", ACTOR, &error));
  g_assert_no_error (error);
  g_assert_false (rf_test_is_member (f->store, other, "Cy@Example.org"));
  {
    g_autoptr (GPtrArray) events = rf_journal_events (f->store, other->address, &error);
    const RfJournalEvent *last = g_ptr_array_index (events, events->len - 1);

    g_assert_cmpstr (last->event, ==, "unsubscribe");
    g_assert_cmpstr (last->subject, ==, "Cy@Example.org");
  }

  members = rf_member_list (f->store, dev, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_cmpstr (members->pdata[0], ==, "ann@example.org");
  g_assert_cmpstr (members->pdata[1], ==, "bob@example.org");

  g_assert_true (rf_member_remove (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_false (rf_member_remove (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 1);
}

typedef struct {
  RfStore *reader;
  RfList *list;
  guint calls;
  guint64 last;
} Progress;

static void
on_progress (guint64 done, guint64 total, gpointer user_data)
{
  Progress *p = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (done, >=, p->last);
  g_assert_cmpuint (total, ==, 100000);
  p->last = done;
  p->calls++;
  /* one transaction: another connection sees nothing until the commit */
  g_assert_cmpint (rf_member_count (p->reader, p->list, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_add_many (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (GPtrArray) addrs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (RfStore) reader = rf_store_open (f->dir, RF_STORE_READ_ONLY, &error);
  Progress p = { reader, dev, 0, 0 };
  guint64 changed = 0, unchanged = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < 100000; i++)
    g_ptr_array_add (addrs, g_strdup_printf ("user%u@example.org", i));

  g_assert_true (rf_member_add_many (f->store, dev, addrs, ACTOR, on_progress, &p, &changed,
                                     &unchanged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 100000);
  g_assert_cmpuint (unchanged, ==, 0);
  g_assert_cmpuint (p.calls, >=, 2);
  g_assert_cmpuint (p.last, ==, 100000);
  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 100000);
  g_assert_cmpint (rf_member_count (reader, dev, &error), ==, 100000);
  g_assert_true (rf_test_is_member (f->store, dev, "user99999@example.org"));

  /* again: all unchanged, no new journal events */
  g_assert_true (rf_member_add_many (f->store, dev, addrs, ACTOR, NULL, NULL, &changed,
                                     &unchanged, &error));
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (unchanged, ==, 100000);

  events = rf_journal_events (f->store, dev->address, &error);
  g_assert_no_error (error);
  /* create, then one subscribe per address */
  g_assert_cmpuint (events->len, ==, 1 + 100000);

  /* remove half, with duplicates in the input */
  g_ptr_array_set_size (addrs, 50000);
  g_ptr_array_add (addrs, g_strdup ("user1@example.org"));
  g_assert_true (rf_member_remove_many (f->store, dev, addrs, ACTOR, NULL, NULL, &changed,
                                        &unchanged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 50000);
  g_assert_cmpuint (unchanged, ==, 1);
  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 50000);
}

static void
test_journal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) all = NULL;
  static const char *const expected[][4] = {
    { "create", NULL, NULL, "1700000000" },
    { "subscribe", "ann@example.org", NULL, "1700000001" },
    { "set", "posting", "open", "1700000002" },
    { "unsubscribe", "ann@example.org", NULL, "1700000003" },
    { "subscribe", "bob@example.org", NULL, "1700000004" },
    { "delete", NULL, NULL, "1700000005" },
  };

  rf_list_free (make_list (f, "other@lists.example.org"));
  rf_test_set_now (1700000001);
  g_assert_true (rf_member_add (f->store, dev, "ann@example.org", &(const RfActor) { "listctl:alice", "cli" }, &error));
  rf_test_set_now (1700000002);
  g_assert_true (rf_list_set_setting (f->store, dev, "posting", "open", ACTOR, &error));
  rf_test_set_now (1700000003);
  g_assert_true (rf_member_remove (f->store, dev, "ann@example.org", ACTOR, &error));
  rf_test_set_now (1700000004);
  g_assert_true (rf_member_add (f->store, dev, "bob@example.org", ACTOR, &error));
  rf_test_set_now (1700000005);
  g_assert_true (rf_list_delete (f->store, dev->address, ACTOR, &error));
  g_assert_no_error (error);

  /* the history outlives the list */
  events = rf_journal_events (f->store, "dev@lists.example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < events->len; i++)
    {
      RfJournalEvent *e = events->pdata[i];

      g_assert_cmpstr (e->list_address, ==, "dev@lists.example.org");
      g_assert_cmpstr (e->event, ==, expected[i][0]);
      g_assert_cmpstr (e->subject, ==, expected[i][1]);
      g_assert_cmpstr (e->value, ==, expected[i][2]);
      g_assert_cmpint (e->at, ==, g_ascii_strtoll (expected[i][3], NULL, 10));
      g_assert_cmpstr (e->actor, ==, i == 1 ? "listctl:alice" : ACTOR_NAME);
    }
  all = rf_journal_events (f->store, NULL, &error);
  g_assert_cmpuint (all->len, ==, events->len + 1);

  /* a failed change journals nothing */
  {
    g_autoptr (RfList) other = rf_list_lookup (f->store, "other@lists.example.org", &error);
    g_autoptr (GPtrArray) after = NULL;

    g_assert_false (rf_list_set_setting (f->store, other, "posting", "bad", ACTOR, &error));
    g_clear_error (&error);
    after = rf_journal_events (f->store, NULL, &error);
    g_assert_cmpuint (after->len, ==, all->len);
  }
}

static void
test_activity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (GPtrArray) rows = NULL;

  g_assert_true (rf_member_add (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_true (rf_list_set_setting (f->store, dev, "posting", "open", ACTOR, &error));
  rf_activity_log (f->store, &(const RfActor) { "listweb:mod", "192.0.2.1" }, "login", "dev@lists.example.org",
                   "password=hunter2");
  rf_activity_log (f->store, &(const RfActor) { "listweb:mod", "192.0.2.1" }, "confirm", NULL,
                   "used Token abc");
  rf_activity_log (f->store, &(const RfActor) { "listweb:mod", "192.0.2.1" }, "confirm", NULL,
                   "link q5Zr8kP0aXw3LmN7bV2cT9 clicked");
  rf_activity_log (f->store, &(const RfActor) { "listweb:mod", "192.0.2.1" }, "confirm", NULL,
                   "digest 0123456789abcdef0123456789abcdef");
  rf_activity_log (f->store, &(const RfActor) { "listdeliver", "mta" }, "post", "dev@lists.example.org",
                   "Subject: hi\n\nthe body of a message");
  rf_activity_log (f->store, &(const RfActor) { "listctl:root", "cli" }, "set", "dev@lists.example.org",
                   "subject_prefix=[dev-team] ");
  rf_activity_log (NULL, ACTOR, "y", NULL, NULL);   /* never fails */

  rows = activity_rows (f);
  g_assert_cmpuint (rows->len, ==, 9);
  g_assert_cmpstr (rows->pdata[0], ==, "1700000000|listctl:test|create|dev@lists.example.org|cli|");
  g_assert_cmpstr (rows->pdata[1], ==,
                   "1700000000|listctl:test|subscribe|dev@lists.example.org|cli|ann@example.org");
  g_assert_cmpstr (rows->pdata[2], ==,
                   "1700000000|listctl:test|set|dev@lists.example.org|cli|posting=open");
  g_assert_cmpstr (rows->pdata[3], ==,
                   "1700000000|listweb:mod|login|dev@lists.example.org|192.0.2.1|[redacted]");
  g_assert_cmpstr (rows->pdata[4], ==, "1700000000|listweb:mod|confirm||192.0.2.1|[redacted]");
  g_assert_cmpstr (rows->pdata[5], ==, "1700000000|listweb:mod|confirm||192.0.2.1|[redacted]");
  g_assert_cmpstr (rows->pdata[6], ==, "1700000000|listweb:mod|confirm||192.0.2.1|[redacted]");
  g_assert_cmpstr (rows->pdata[7], ==,
                   "1700000000|listdeliver|post|dev@lists.example.org|mta|[redacted]");
  g_assert_cmpstr (rows->pdata[8], ==,
                   "1700000000|listctl:root|set|dev@lists.example.org|cli|subject_prefix=[dev-team] ");
  for (guint i = 0; i < rows->len; i++)
    {
      g_assert_null (strstr (rows->pdata[i], "hunter2"));
      g_assert_null (strstr (rows->pdata[i], "body"));
    }
}

static void
test_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  int version = rf_store_schema_version (f->store);

  g_assert_cmpint (version, >=, 1);
  g_assert_true (rf_member_add (f->store, dev, "ann@example.org", ACTOR, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (RfList) again = NULL;

      rf_store_close (f->store);
      f->store = rf_store_open (f->dir, RF_STORE_READ_WRITE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rf_store_schema_version (f->store), ==, version);
      again = rf_list_lookup (f->store, "dev@lists.example.org", &error);
      g_assert_no_error (error);
      g_assert_cmpint (rf_member_count (f->store, again, &error), ==, 1);
    }
}

static void
test_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (RfStore) ro = rf_store_open (f->dir, RF_STORE_READ_ONLY, &error);
  g_autoptr (RfList) seen = NULL;
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);
  g_autoptr (RfStore) none = NULL;

  g_assert_no_error (error);
  seen = rf_list_lookup (ro, "dev@lists.example.org", &error);
  g_assert_no_error (error);
  g_assert_false (rf_member_add (ro, seen, "ann@example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_assert_false (rf_list_create (ro, "new@lists.example.org", ACTOR, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 0);

  /* no database and no RF_STORE_CREATE */
  none = rf_store_open (empty, RF_STORE_READ_ONLY, &error);
  g_assert_null (none);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (empty, G_FILE_TEST_EXISTS));
}

static void
test_nested (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) dev = make_list (f, "dev@lists.example.org");
  g_autoptr (GPtrArray) events = NULL;

  /* inside the caller's transaction the write functions join it: a
   * rollback undoes the change and its journal event together */
  g_assert_true (rf_store_begin (f->store, &error));
  g_assert_true (rf_store_in_transaction (f->store));
  g_assert_true (rf_member_add (f->store, dev, "ann@example.org", ACTOR, &error));
  g_assert_no_error (error);
  rf_store_rollback (f->store);
  g_assert_false (rf_store_in_transaction (f->store));
  g_assert_cmpint (rf_member_count (f->store, dev, &error), ==, 0);
  events = rf_journal_events (f->store, dev->address, &error);
  g_assert_cmpuint (events->len, ==, 1);
}

static void
test_mta_map (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dev = g_build_filename (f->dir, "mta", "lists.example.org", "dev", NULL);
  g_autofree char *stale = g_build_filename (f->dir, "mta", "old.example.org", "gone", NULL);
  g_autofree char *stale_dir = g_path_get_dirname (stale);

  rf_list_free (make_list (f, "dev@lists.example.org"));
  g_assert_true (rf_mta_map_add (f->dir, "gone@old.example.org", &error));
  g_assert_true (g_file_test (stale, G_FILE_TEST_IS_REGULAR));
  g_assert_true (rf_mta_map_sync (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dev, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale_dir, G_FILE_TEST_EXISTS));

  g_assert_false (rf_mta_map_add (f->dir, "x@..", &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (rf_mta_map_remove (f->dir, "dev@lists.example.org", &error));
  g_assert_false (g_file_test (dev, G_FILE_TEST_EXISTS));
  g_assert_true (rf_mta_map_remove (f->dir, "dev@lists.example.org", &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/store/lists", test_lists);
  ADD ("/store/list-names", test_list_names);
  ADD ("/store/settings", test_settings);
  ADD ("/store/members", test_members);
  ADD ("/store/add-many", test_add_many);
  ADD ("/store/journal", test_journal);
  ADD ("/store/activity", test_activity);
  ADD ("/store/reopen", test_reopen);
  ADD ("/store/read-only", test_read_only);
  ADD ("/store/nested", test_nested);
  ADD ("/store/mta-map", test_mta_map);
  return g_test_run ();
}
