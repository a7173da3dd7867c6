/* test-retention.c - one retention engine (issue 15): with an injected
 * clock, every kind of data that expires is made at ages just past and
 * just short of its lifetime; 'listctl cleanup' (every cleaner of
 * rf_cleaners, in one run as listctl runs them) deletes exactly what
 * expired, rows and files, nothing else, a dry run counts the same and
 * deletes nothing, and a second run finds nothing.  Then the backups'
 * rotation over a simulated year: a backup a day, cleanup a day, and at
 * the end exactly the 7 dailies of the last week and one weekly for each
 * week of the year.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "backup/backup.h"
#include "blob/blob.h"
#include "keep/keep.h"
#include "store/store.h"

#include <string.h>
#include <utime.h>

/* a Thursday, 03:00 UTC: 2026-11-26 */
#define NOW 1795662000
#define DAY RF_DAY
#define LIST "dev@lists.test"

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

static const char conf[] = "[retention]\nmessage_days = 30\nactivity_days = 42\n"
                           "redelivery_days = 14\n[backup]\ndaily_days = 7\nweekly_weeks = 4\n";

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, NOW - 400 * DAY, LIST, data != NULL ? data : conf);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static gint64
sql_int (Fixture *f, const char *format, ...) G_GNUC_PRINTF (2, 3);
static gint64
sql_int (Fixture *f, const char *format, ...)
{
  va_list ap;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;

  va_start (ap, format);
  sql = g_strdup_vprintf (format, ap);
  va_end (ap);
  out = rf_test_sql (f->dir, sql);
  return g_ascii_strtoll (out, NULL, 10);
}

/* The lines @sql prints, as a list. */
static GPtrArray *
sql_lines (Fixture *f, const char *sql)
{
  g_autofree char *out = rf_test_sql (f->dir, sql);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);

  for (char **l = lines; *l != NULL; l++)
    if (**l != '\0')
      g_ptr_array_add (a, g_strdup (*l));
  return a;
}

/* A blob's file in the local store under STATE/@store ("blobs", or the
 * troubleshooting store's "messages"). */
static char *
blob_path (Fixture *f, const char *store, const char *id)
{
  char sub[3] = { id[0], id[1], '\0' };

  return g_build_filename (f->dir, store, sub, id, NULL);
}

static void
put_blob (Fixture *f, const char *id, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (f->config, &error);

  g_assert_true (rf_blob_put_sealed (blobs, f->config, id, bytes, &error));
  g_assert_no_error (error);
}

/* ---- the kinds: each makes one item at the clock's time (@i tells the
 * items apart), and says how many there are, how many of them are expired
 * at @now, and which files the expired (or the kept) ones have ---- */

typedef struct {
  const char *cleaner;
  gint64 lifetime;
  void (*make) (Fixture *f, int i);
  gint64 (*count) (Fixture *f, gint64 now, gboolean expired);
  GPtrArray *(*files) (Fixture *f, gint64 now, gboolean expired);   /* may be NULL */
} Kind;

static void
make_attachment (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = rf_blob_id_new ();
  RfAttachment a = { 0, id, (char *) LIST, TRUE, 0, 0, (char *) "a.bin",
                     (char *) "application/octet-stream", 4, rf_now (), rf_now () + 30 * DAY };
  g_autofree char *token_hash = g_strdup_printf ("%064d", i);

  put_blob (f, id, "data");
  g_assert_true (rf_attachment_add (f->store, &a, token_hash, NULL, &error));
  g_assert_no_error (error);
}

static gint64
count_attachments (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM attachments WHERE expires <= %" G_GINT64_FORMAT, now)
                 : sql_int (f, "SELECT count(*) FROM attachments");
}

static GPtrArray *
blob_files (Fixture *f, const char *store, const char *table, const char *expired_sql, gint64 now,
            gboolean expired)
{
  g_autofree char *cond = g_strdup_printf (expired_sql, now);
  g_autofree char *sql = g_strdup_printf ("SELECT blob_id FROM %s WHERE %s(%s)", table,
                                          expired ? "" : "NOT ", cond);
  GPtrArray *ids = sql_lines (f, sql);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (paths, blob_path (f, store, g_ptr_array_index (ids, i)));
  g_ptr_array_unref (ids);
  return paths;
}

static GPtrArray *
files_attachments (Fixture *f, gint64 now, gboolean expired)
{
  return blob_files (f, "blobs", "attachments", "expires <= %" G_GINT64_FORMAT, now, expired);
}

static void
make_blob_temp (Fixture *f, int i)
{
  g_autofree char *dir = g_build_filename (f->dir, "blobs", "tmp", NULL);
  g_autofree char *path = g_strdup_printf ("%s/%032d.%d", dir, i, i);
  struct utimbuf when = { rf_now (), rf_now () };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "half a blob", -1, NULL));
  g_assert_cmpint (utime (path, &when), ==, 0);
}

static GPtrArray *
files_blob_temp (Fixture *f, gint64 now, gboolean expired)
{
  g_autofree char *dir = g_build_filename (f->dir, "blobs", "tmp", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      if ((st.st_mtime < now - DAY) == expired)
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  return paths;
}

static gint64
count_blob_temp (Fixture *f, gint64 now, gboolean expired)
{
  g_autoptr (GPtrArray) a = files_blob_temp (f, now, TRUE);
  g_autoptr (GPtrArray) b = files_blob_temp (f, now, FALSE);

  return expired ? a->len : a->len + b->len;
}

static void
make_redelivery (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = rf_blob_id_new ();
  g_autofree char *key = g_strdup_printf ("redelivery-%d", i);
  RfRedeliveryPost p = { 0, (char *) LIST, (char *) "m@x.test", (char *) "s", id, rf_now (),
                         rf_now () + 14 * DAY };
  gboolean added = FALSE;

  put_blob (f, id, "Subject: s\n\nthe post\n");
  g_assert_true (rf_redelivery_post_add (f->store, &p, key, &added, &error));
  g_assert_true (added);
}

static gint64
count_redelivery (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM redelivery_posts WHERE expires <= %" G_GINT64_FORMAT, now)
                 : sql_int (f, "SELECT count(*) FROM redelivery_posts");
}

static GPtrArray *
files_redelivery (Fixture *f, gint64 now, gboolean expired)
{
  return blob_files (f, "blobs", "redelivery_posts", "expires <= %" G_GINT64_FORMAT, now, expired);
}

static void
make_redelivery_token (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = g_strdup_printf ("%064d", i);
  g_autofree char *member = g_strdup_printf ("m%d@example.test", i);

  g_assert_true (rf_redelivery_token_add (f->store, hash, LIST, member, rf_now (),
                                          rf_now () + 14 * DAY, &error));
  g_assert_no_error (error);
}

/* The tokens are what the cleaner counts; the notice times it deletes
 * with them (after a day they limit nothing) are checked apart. */
static gint64
count_redelivery_tokens (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM redelivery_tokens WHERE expires <= %" G_GINT64_FORMAT, now)
                 : sql_int (f, "SELECT count(*) FROM redelivery_tokens");
}

static void
make_activity (Fixture *f, int i)
{
  rf_activity_log (f->store, RF_TEST_ACTOR, "test", LIST, "an entry");
}

static gint64
count_activity (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM activity WHERE at < %" G_GINT64_FORMAT, now - 42 * DAY)
                 : sql_int (f, "SELECT count(*) FROM activity");
}

static void
make_delivery (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("delivery-%d", i);
  gint64 id;
  gboolean created, done;

  g_assert_true (rf_delivery_open (f->store, f->list, key, &id, &created, &done, &error));
  g_assert_true (rf_delivery_finish (f->store, id, &error));
  g_assert_no_error (error);
}

static gint64
count_deliveries (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM deliveries WHERE created < %" G_GINT64_FORMAT, now - 30 * DAY)
                 : sql_int (f, "SELECT count(*) FROM deliveries");
}

static void
make_session (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cookie = NULL;
  RfLoginResult result;

  /* one session and one failed attempt */
  g_assert_true (rf_login_list (f->store, NULL, f->list, "readers", "a long pass phrase",
                                "127.0.0.1", &result, &cookie, &error));
  g_assert_cmpint (result, ==, RF_LOGIN_OK);
  g_clear_pointer (&cookie, g_free);
  g_assert_true (rf_login_list (f->store, NULL, f->list, "readers", "wrong pass phrase",
                                "127.0.0.2", &result, &cookie, &error));
  g_assert_no_error (error);
}

static gint64
count_sessions (Fixture *f, gint64 now, gboolean expired)
{
  /* the defaults: idle 30 minutes, 12 hours at most, failures 15 minutes */
  if (!expired)
    return sql_int (f, "SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM "
                       "login_failures) + (SELECT count(*) FROM login_blocks)");
  return sql_int (f, "SELECT (SELECT count(*) FROM sessions WHERE last_seen <= %" G_GINT64_FORMAT
                     " OR created <= %" G_GINT64_FORMAT ") + (SELECT count(*) FROM login_failures "
                     "WHERE at <= %" G_GINT64_FORMAT ") + (SELECT count(*) FROM login_blocks "
                     "WHERE until <= %" G_GINT64_FORMAT ")",
                  now - 1800, now - 12 * 3600, now - 900, now);
}

static void
make_message (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfRecipient) r = rf_recipient_parse (LIST, &error);
  g_autofree char *text = g_strdup_printf ("From: a@b.test\nSubject: post %d\n\nbody %d\n", i, i);
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));
  g_autofree char *key = g_strdup_printf ("message-%d", i);

  g_assert_true (_rf_keep_received (f->config, f->store, f->list, r, "a@b.test", raw, key, &error));
  g_assert_no_error (error);
}

static gint64
count_messages (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM kept_messages WHERE received < %" G_GINT64_FORMAT, now - 30 * DAY)
                 : sql_int (f, "SELECT count(*) FROM kept_messages");
}

static GPtrArray *
files_messages (Fixture *f, gint64 now, gboolean expired)
{
  return blob_files (f, "messages", "kept_messages", "received < %" G_GINT64_FORMAT, now - 30 * DAY, expired);
}

static void
make_monitor (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("monitor-%d", i);

  g_assert_true (rf_monitor_record_send (f->store, key, "seed@seeds.test", LIST, i, RF_RCPT_SENT,
                                         NULL, &error));
  g_assert_true (rf_monitor_record_bounce (f->store, LIST, "seed@seeds.test", "policy", "5.7.1",
                                           "spam", &error));
  g_assert_no_error (error);
}

static gint64
count_monitor (Fixture *f, gint64 now, gboolean expired)
{
  if (!expired)
    return sql_int (f, "SELECT (SELECT count(*) FROM monitor_sends) + "
                       "(SELECT count(*) FROM monitor_bounces)");
  return sql_int (f, "SELECT (SELECT count(*) FROM monitor_sends WHERE at < %" G_GINT64_FORMAT ") + "
                     "(SELECT count(*) FROM monitor_bounces WHERE at < %" G_GINT64_FORMAT ")",
                  now - 30 * DAY, now - 30 * DAY);
}

static void
make_backup (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfBackup) b = rf_backup_take (f->config, f->store, NULL, FALSE, FALSE, RF_TEST_ACTOR, &error);

  g_assert_no_error (error);
  g_assert_nonnull (b);
}

#define BACKUP_EXPIRED                                                                   \
  "(kind = 'daily' AND taken <= %" G_GINT64_FORMAT " - 7 * 86400) OR (kind = 'weekly' " \
  "AND taken <= %" G_GINT64_FORMAT " - 28 * 86400)"

static gint64
count_backups (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM backups WHERE " BACKUP_EXPIRED, now, now)
                 : sql_int (f, "SELECT count(*) FROM backups");
}

static GPtrArray *
files_backups (Fixture *f, gint64 now, gboolean expired)
{
  g_autofree char *sql = g_strdup_printf ("SELECT path FROM backups WHERE %s(" BACKUP_EXPIRED ")",
                                          expired ? "" : "NOT ", now, now);

  return sql_lines (f, sql);
}

/* issue 16: an ink post, its sealed post and one sealed file (the
 * cleaner deletes every blob, then the rows) */
static void
make_ink (Fixture *f, int i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *post = rf_blob_id_new ();
  g_autofree char *file = rf_blob_id_new ();
  char *files[] = { file, NULL };
  RfInk ink = { 0, (char *) LIST, post, files, rf_now (), rf_now () + DAY };
  g_autofree char *token_hash = g_strdup_printf ("%064d", i);

  put_blob (f, post, "sealed post");
  put_blob (f, file, "sealed file");
  g_assert_true (rf_ink_add (f->store, token_hash, &ink, &error));
  g_assert_no_error (error);
}

static gint64
count_ink (Fixture *f, gint64 now, gboolean expired)
{
  return expired ? sql_int (f, "SELECT count(*) FROM ink_posts WHERE expires <= %" G_GINT64_FORMAT, now)
                 : sql_int (f, "SELECT count(*) FROM ink_posts");
}

static GPtrArray *
files_ink (Fixture *f, gint64 now, gboolean expired)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT p.blob_id FROM ink_posts p WHERE %s(p.expires <= %" G_GINT64_FORMAT ") "
      "UNION ALL SELECT x.blob_id FROM ink_files x JOIN ink_posts p ON p.id = x.post_id "
      "WHERE %s(p.expires <= %" G_GINT64_FORMAT ")",
      expired ? "" : "NOT ", now, expired ? "" : "NOT ", now);
  g_autoptr (GPtrArray) ids = sql_lines (f, sql);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (paths, blob_path (f, "blobs", g_ptr_array_index (ids, i)));
  return paths;
}

static const Kind kinds[] = {
  { "attachments", 30 * DAY, make_attachment, count_attachments, files_attachments },
  { "blob-temp", DAY, make_blob_temp, count_blob_temp, files_blob_temp },
  { "redelivery", 14 * DAY, make_redelivery, count_redelivery, files_redelivery },
  { "redelivery-tokens", 14 * DAY, make_redelivery_token, count_redelivery_tokens, NULL },
  { "activity", 42 * DAY, make_activity, count_activity, NULL },
  { "deliveries", 30 * DAY, make_delivery, count_deliveries, NULL },
  { "sessions", 1800, make_session, count_sessions, NULL },
  { "messages", 30 * DAY, make_message, count_messages, files_messages },
  { "monitor", 30 * DAY, make_monitor, count_monitor, NULL },
  { "backups", 7 * DAY, make_backup, count_backups, files_backups },
  { "ink", DAY, make_ink, count_ink, files_ink },
};

/* Every cleaner once, as 'listctl cleanup' runs them: what each removed. */
static GHashTable *
cleanup (Fixture *f, gboolean dry_run)
{
  GHashTable *removed = g_hash_table_new (g_str_hash, g_str_equal);
  gsize n;
  const RfCleaner *cleaners = rf_cleaners (&n);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      RfCleanupRun run = { f->config, f->store, rf_now (), dry_run, 0 };

      g_assert_true (rf_cleanup_run (&cleaners[i], &run, &error));
      g_assert_no_error (error);
      g_hash_table_insert (removed, (gpointer) cleaners[i].name,
                           GSIZE_TO_POINTER ((gsize) run.removed));
    }
  return removed;
}

static gboolean
all_exist (GPtrArray *paths, gboolean exist)
{
  for (guint i = 0; i < paths->len; i++)
    if (g_file_test (g_ptr_array_index (paths, i), G_FILE_TEST_EXISTS) != exist)
      {
        g_test_message ("%s %s", (char *) g_ptr_array_index (paths, i),
                        exist ? "is gone" : "is still there");
        return FALSE;
      }
  return TRUE;
}

typedef struct {
  gint64 at;
  const Kind *kind;
  int i;
} Making;

static gint
by_time (gconstpointer a, gconstpointer b)
{
  const Making *x = a, *y = b;

  return x->at < y->at ? -1 : x->at > y->at;
}

static void
test_every_kind (Fixture *f, gconstpointer data)
{
  /* ages around each lifetime: two past it, two short of it */
  const gint64 margins[] = { 3 * DAY, 600, -600, -2 * 3600 };
  g_autoptr (GArray) plan = g_array_new (FALSE, FALSE, sizeof (Making));
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) dry = NULL;
  g_autoptr (GHashTable) real = NULL;
  g_autoptr (GHashTable) again = NULL;
  gint64 expired[G_N_ELEMENTS (kinds)], total[G_N_ELEMENTS (kinds)];
  GPtrArray *gone[G_N_ELEMENTS (kinds)], *kept[G_N_ELEMENTS (kinds)];
  int n = 0;

  g_assert_true (rf_list_web_access_set (f->store, f->list, "readers", "a long pass phrase",
                                         RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (gsize m = 0; m < G_N_ELEMENTS (margins); m++)
      {
        /* backups: a weekly one too, past its 4 weeks and short of them */
        Making one = { NOW - kinds[k].lifetime - margins[m], &kinds[k], n++ };

        g_array_append_val (plan, one);
        if (kinds[k].make == make_backup)
          {
            Making weekly = { NOW - 28 * DAY - margins[m] - 7 * DAY, &kinds[k], n++ };

            g_array_append_val (plan, weekly);
          }
      }
  /* made in the order of time, each at its moment */
  g_array_sort (plan, by_time);
  for (guint i = 0; i < plan->len; i++)
    {
      const Making *m = &g_array_index (plan, Making, i);

      rf_test_set_now (m->at);
      m->kind->make (f, m->i);
    }

  rf_test_set_now (NOW);
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      expired[k] = kinds[k].count (f, NOW, TRUE);
      total[k] = kinds[k].count (f, NOW, FALSE);
      g_test_message ("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " expired", kinds[k].cleaner,
                      expired[k], total[k]);
      /* every kind has something expired and something not */
      g_assert_cmpint (expired[k], >, 0);
      g_assert_cmpint (expired[k], <, total[k]);
      gone[k] = kinds[k].files != NULL ? kinds[k].files (f, NOW, TRUE) : g_ptr_array_new ();
      kept[k] = kinds[k].files != NULL ? kinds[k].files (f, NOW, FALSE) : g_ptr_array_new ();
      g_assert_true (all_exist (gone[k], TRUE));
      g_assert_true (all_exist (kept[k], TRUE));
    }

  /* a dry run counts exactly that, and deletes nothing */
  dry = cleanup (f, TRUE);
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_assert_cmpint ((gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (dry, kinds[k].cleaner)), ==,
                       expired[k]);
      g_assert_cmpint (kinds[k].count (f, NOW, FALSE), ==, total[k]);
      g_assert_true (all_exist (gone[k], TRUE));
    }
  /* the real run deletes exactly what expired: rows and files */
  real = cleanup (f, FALSE);
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_assert_cmpint ((gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (real, kinds[k].cleaner)), ==,
                       expired[k]);
      g_assert_cmpint (kinds[k].count (f, NOW, TRUE), ==, 0);
      g_assert_cmpint (kinds[k].count (f, NOW, FALSE), ==, total[k] - expired[k]);
      g_assert_true (all_exist (gone[k], FALSE));
      g_assert_true (all_exist (kept[k], TRUE));
    }
  g_assert_cmpint (sql_int (f, "SELECT count(*) FROM redelivery_notices WHERE last_sent <= %"
                              G_GINT64_FORMAT, NOW - DAY), ==, 0);
  /* and a second run finds nothing */
  again = cleanup (f, FALSE);
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    g_assert_cmpint ((gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (again, kinds[k].cleaner)), ==,
                     0);
  /* every cleaner of the engine is one of these kinds */
  {
    gsize n_cleaners;

    rf_cleaners (&n_cleaners);
    g_assert_cmpuint (n_cleaners, ==, G_N_ELEMENTS (kinds));
  }
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_ptr_array_unref (gone[k]);
      g_ptr_array_unref (kept[k]);
    }
}

/* A backup a day at 03:00 UTC for a year, cleanup after each: at the end
 * the dailies of the last 7 days and the first backup of every ISO week. */
static void
test_rotation_year (Fixture *f, gconstpointer data)
{
  const gint64 start = NOW - 364 * DAY;
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) kept = NULL;
  g_autoptr (GError) error = NULL;
  gsize n_cleaners;
  const RfCleaner *cleaners = rf_cleaners (&n_cleaners);
  const RfCleaner *backups = NULL;
  gint64 prev_week = 0;
  guint weeks = 0;

  for (gsize i = 0; i < n_cleaners; i++)
    if (g_str_equal (cleaners[i].name, "backups"))
      backups = &cleaners[i];
  g_assert_nonnull (backups);
  for (int d = 0; d < 365; d++)
    {
      gint64 t = start + d * DAY;
      g_autoptr (RfBackup) b = NULL;
      RfCleanupRun run = { f->config, f->store, t, FALSE, 0 };
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
      /* the ISO week, computed here from the calendar, not by the library */
      gint64 week = g_date_time_get_week_numbering_year (dt) * 100 +
                    g_date_time_get_week_of_year (dt);
      gboolean weekly = week != prev_week;

      rf_test_set_now (t);
      b = rf_backup_take (f->config, f->store, NULL, FALSE, FALSE, RF_TEST_ACTOR, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (b->kind, ==, weekly ? "weekly" : "daily");
      g_assert_true (rf_cleanup_run (backups, &run, &error));
      g_assert_no_error (error);
      weeks += weekly;
      prev_week = week;
      if (weekly || t > NOW - 7 * DAY)
        g_ptr_array_add (expected, g_strdup (b->name));
    }
  kept = rf_backups (f->store, &error);
  g_assert_no_error (error);
  g_test_message ("%u backups kept: %u weekly, 7 daily", kept->len, weeks);
  g_assert_cmpuint (kept->len, ==, expected->len);
  for (guint i = 0; i < kept->len; i++)
    {
      const RfBackup *b = g_ptr_array_index (kept, i);

      g_assert_cmpstr (b->name, ==, g_ptr_array_index (expected, i));
      g_assert_true (g_file_test (b->path, G_FILE_TEST_IS_REGULAR));
    }
  /* and the directory holds those files and no other */
  {
    g_autofree char *dir = g_build_filename (f->dir, "backups", NULL);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    guint files = 0;

    while (g_dir_read_name (d) != NULL)
      files++;
    g_assert_cmpuint (files, ==, kept->len);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/retention/every-kind", Fixture, NULL, setup, test_every_kind, teardown);
  g_test_add ("/retention/backups/a-year", Fixture,
              "[backup]\ndaily_days = 7\nweekly_weeks = 0\n", setup, test_rotation_year,
              teardown);
  return g_test_run ();
}
