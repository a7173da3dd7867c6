/* test-restore.c - restore --at against a model (issue 15): a random
 * history of a few thousand events (members in any case of their letters,
 * settings, the list deleted and created again), each at a moment of an
 * injected clock, several to a second; at random moments the restore's
 * plan and its result are the model's state at that moment exactly, and
 * another restore undoes it.  The seed is printed, and RF_TEST_SEED
 * replays one.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#define T0 1790000000
#define LIST "dev@lists.test"
#define EVENTS 3000
#define MOMENTS 40

typedef struct {
  RF_FIXTURE_FIELDS;
} Fixture;

/* The model: the list as the test's own bookkeeping says it is. */
typedef struct {
  gboolean exists;
  GHashTable *members;    /* lower-cased -> as subscribed */
  GHashTable *settings;   /* name -> value in force (every setting) */
} Model;

static void
model_defaults (Model *m)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  g_hash_table_remove_all (m->settings);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (m->settings, g_strdup (defs[i].name), g_strdup (defs[i].default_value));
}

static Model *
model_new (void)
{
  Model *m = g_new0 (Model, 1);

  m->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  model_defaults (m);
  return m;
}

static Model *
model_copy (const Model *src)
{
  Model *m = model_new ();
  GHashTableIter it;
  gpointer k, v;

  m->exists = src->exists;
  g_hash_table_iter_init (&it, src->members);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (m->members, g_strdup (k), g_strdup (v));
  g_hash_table_iter_init (&it, src->settings);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (m->settings, g_strdup (k), g_strdup (v));
  return m;
}

static void
model_free (Model *m)
{
  g_hash_table_unref (m->members);
  g_hash_table_unref (m->settings);
  g_free (m);
}

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, T0, LIST, NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

/* The store's list against @m, exactly: existence, members with the case
 * they were subscribed with, every setting. */
static void
assert_store_is (Fixture *f, const Model *m, const char *when)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) list = rf_list_lookup (f->store, LIST, &error);
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GHashTable) settings = NULL;
  GHashTableIter it;
  gpointer k, v;

  if (!m->exists)
    {
      if (list != NULL)
        g_error ("%s: the list exists, the model says it does not", when);
      g_assert_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST);
      return;
    }
  if (list == NULL)
    g_error ("%s: no list, the model has one: %s", when, error->message);
  members = rf_member_list (f->store, list, &error);
  g_assert_no_error (error);
  if (members->len != g_hash_table_size (m->members))
    g_error ("%s: %u members, the model has %u", when, members->len,
             g_hash_table_size (m->members));
  for (guint i = 0; i < members->len; i++)
    {
      const char *a = g_ptr_array_index (members, i);
      g_autofree char *key = g_ascii_strdown (a, -1);
      const char *expected = g_hash_table_lookup (m->members, key);

      if (g_strcmp0 (expected, a) != 0)
        g_error ("%s: member %s, the model has %s", when, a, expected ? expected : "none");
    }
  settings = rf_list_settings (f->store, list, &error);
  g_assert_no_error (error);
  g_hash_table_iter_init (&it, m->settings);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_strcmp0 (g_hash_table_lookup (settings, k), v) != 0)
      g_error ("%s: setting %s = '%s', the model has '%s'", when, (char *) k,
               (char *) g_hash_table_lookup (settings, k), (char *) v);
}

/* An address of a small pool, in a random case of its letters. */
static char *
random_address (GRand *r)
{
  g_autofree char *plain = g_strdup_printf ("user%02d@example%d.test",
                                            g_rand_int_range (r, 0, 40), g_rand_int_range (r, 0, 2));
  char *at = strchr (plain, '@');

  /* the local part in any case; the domain as normalisation leaves it */
  for (char *p = plain; p < at; p++)
    if (g_rand_boolean (r))
      *p = g_ascii_toupper (*p);
  return g_steal_pointer (&plain);
}

static void
random_setting (GRand *r, const char **name, const char **value)
{
  static const char *const names[] = { "posting", "subject_prefix", "archive", "max_message_size",
                                       "bounce_threshold", "footer" };
  static const char *const values[][4] = {
    { "open", "members", "open", "members" },
    { "", "[dev]", "[Dev]", "[x]" },
    { "on", "off", "on", "off" },
    { "1024", "10485760", "2048", "0" },
    { "5", "1", "3", "9" },
    { "", "bye", "-- \\nlist", "" },
  };
  int i = g_rand_int_range (r, 0, G_N_ELEMENTS (names));

  *name = names[i];
  *value = values[i][g_rand_int_range (r, 0, 4)];
}

/* One random event through the store, and the same on the model. */
static void
random_event (Fixture *f, GRand *r, Model *m)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfList) list = NULL;
  int pick = g_rand_int_range (r, 0, 100);

  if (!m->exists)
    {
      /* a deleted list stays deleted for a while */
      if (pick < 80)
        return;
      g_assert_true (rf_list_create (f->store, LIST, RF_TEST_ACTOR, &error));
      g_assert_no_error (error);
      m->exists = TRUE;
      g_hash_table_remove_all (m->members);
      model_defaults (m);
      return;
    }
  list = rf_list_lookup (f->store, LIST, &error);
  g_assert_no_error (error);
  if (pick < 2)
    {
      g_assert_true (rf_list_delete (f->store, LIST, RF_TEST_ACTOR, &error));
      m->exists = FALSE;
      g_hash_table_remove_all (m->members);
      model_defaults (m);
    }
  else if (pick < 50)
    {
      g_autofree char *a = random_address (r);
      g_autofree char *key = g_ascii_strdown (a, -1);
      gboolean ok = rf_member_add (f->store, list, a, RF_TEST_ACTOR, &error);

      g_assert_true (ok == !g_hash_table_contains (m->members, key));
      if (ok)
        g_hash_table_insert (m->members, g_steal_pointer (&key), g_strdup (a));
    }
  else if (pick < 85)
    {
      g_autofree char *a = random_address (r);
      g_autofree char *key = g_ascii_strdown (a, -1);
      gboolean ok = rf_member_remove (f->store, list, a, RF_TEST_ACTOR, &error);

      g_assert_true (ok == g_hash_table_contains (m->members, key));
      g_hash_table_remove (m->members, key);
    }
  else
    {
      const char *name, *value;
      g_autofree char *norm = NULL;

      random_setting (r, &name, &value);
      g_assert_true (rf_list_set_setting (f->store, list, name, value, RF_TEST_ACTOR, &error));
      g_assert_no_error (error);
      norm = rf_list_get_setting (f->store, list, name, &error);
      g_hash_table_insert (m->settings, g_strdup (name), g_steal_pointer (&norm));
    }
}

/* Restore to @at through the library, as listctl restore --yes does. */
static RfRestorePlan *
restore_to (Fixture *f, gint64 at)
{
  g_autoptr (GError) error = NULL;
  RfRestorePlan *plan = rf_restore_plan_at (f->store, LIST, at, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  rf_restore_apply (f->store, plan, RF_TEST_ACTOR, &error);
  g_assert_no_error (error);
  return plan;
}

static void
test_property (Fixture *f, gconstpointer data)
{
  const char *env = g_getenv ("RF_TEST_SEED");
  guint32 seed = env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : g_random_int ();
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  g_autoptr (GPtrArray) states = g_ptr_array_new_with_free_func ((GDestroyNotify) model_free);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  Model *m = model_new ();
  gint64 now = T0, end;
  guint restored = 0, deleted_then = 0, created = 0;

  g_test_message ("seed %u (RF_TEST_SEED=%u replays it)", seed, seed);
  m->exists = TRUE;   /* the fixture created the list at T0 */
  {
    Model *first = model_copy (m);

    g_ptr_array_add (states, first);
    g_array_append_val (times, now);
  }
  for (int i = 0; i < EVENTS; i++)
    {
      /* several events to a second, and quiet stretches */
      now += g_rand_int_range (r, 0, 10) < 6 ? 0 : g_rand_int_range (r, 1, 120);
      rf_test_set_now (now);
      random_event (f, r, m);
      /* the state as of this second: the last event of the second wins */
      if (((gint64 *) times->data)[times->len - 1] == now)
        g_ptr_array_remove_index (states, states->len - 1), g_array_set_size (times, times->len - 1);
      g_ptr_array_add (states, model_copy (m));
      g_array_append_val (times, now);
    }
  assert_store_is (f, m, "after the history");
  end = now;

  for (int k = 0; k < MOMENTS; k++)
    {
      gint64 at = T0 - 5 + (gint64) g_rand_double_range (r, 0, (double) (end - T0 + 10));
      const Model *then = NULL;
      g_autoptr (RfRestorePlan) plan = NULL;
      g_autoptr (RfRestorePlan) undo = NULL;
      g_autofree char *when = NULL;

      /* the model as of @at: the last state at or before it (none before
       * the list was created) */
      for (guint i = 0; i < times->len && g_array_index (times, gint64, i) <= at; i++)
        then = g_ptr_array_index (states, i);
      if (then == NULL)
        continue;
      now = end + 10 + 10 * k;
      rf_test_set_now (now);
      plan = restore_to (f, at);
      when = g_strdup_printf ("restore to %" G_GINT64_FORMAT " (T0%+" G_GINT64_FORMAT ")", at,
                              at - T0);
      assert_store_is (f, then, when);
      restored++;
      deleted_then += !then->exists;
      created += then->exists && !plan->exists_now;
      /* and undone by another: back to the moment before the restore */
      now += 2;
      rf_test_set_now (now);
      undo = restore_to (f, now - 3);
      assert_store_is (f, m, "undo");
      /* nothing left to change: a plan at the undo's moment is empty */
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (RfRestorePlan) again = rf_restore_plan_at (f->store, LIST, now, &error);

        g_assert_no_error (error);
        g_assert_true (rf_restore_plan_empty (again));
      }
    }
  g_test_message ("%u restores, %u to a moment without the list, %u that created it", restored,
                  deleted_then, created);
  g_assert_cmpuint (restored, >=, MOMENTS / 2);
  model_free (m);
}

/* A deleted list comes back, members and settings. */
static void
test_deleted_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfRestorePlan) plan = NULL;
  g_autoptr (RfList) list = rf_list_lookup (f->store, LIST, &error);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *posting = NULL;

  g_assert_true (rf_member_add (f->store, list, "Ann@example.test", RF_TEST_ACTOR, &error));
  g_assert_true (rf_list_set_setting (f->store, list, "posting", "open", RF_TEST_ACTOR, &error));
  rf_test_set_now (T0 + 100);
  g_assert_true (rf_list_delete (f->store, LIST, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  rf_test_set_now (T0 + 200);
  plan = rf_restore_plan_at (f->store, LIST, T0 + 50, &error);
  g_assert_no_error (error);
  g_assert_false (plan->exists_now);
  g_assert_true (plan->exists_then);
  g_assert_cmpuint (plan->add->len, ==, 1);
  g_assert_cmpuint (plan->settings->len, ==, 1);
  g_assert_true (rf_restore_apply (f->store, plan, RF_TEST_ACTOR, &error));
  g_assert_no_error (error);
  g_clear_pointer (&list, rf_list_free);
  list = rf_list_lookup (f->store, LIST, &error);
  g_assert_no_error (error);
  members = rf_member_list (f->store, list, &error);
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (members, 0), ==, "Ann@example.test");
  posting = rf_list_get_setting (f->store, list, "posting", &error);
  g_assert_cmpstr (posting, ==, "open");
  /* a list that never was: no journal */
  g_clear_pointer (&plan, rf_restore_plan_free);
  plan = rf_restore_plan_at (f->store, "never@lists.test", T0, &error);
  g_assert_null (plan);
  g_assert_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST);
}

static void
test_parse_time (void)
{
  static const struct {
    const char *text;
    gint64 expected;   /* -1: refused */
  } cases[] = {
    { "2026-11-20 14:00", 1795183200 },
    { "2026-11-20 14:00:05", 1795183205 },
    { "2026-11-20T14:00:05Z", 1795183205 },
    { "2026-11-20T14:00", 1795183200 },
    { " 2026-11-20 14:00 ", 1795183200 },
    { "2026-11-20", 1795132800 },
    { "2026-11-20T15:00:05+01:00", 1795183205 },
    { "yesterday", -1 },
    { "2026-13-20 14:00", -1 },
    { "", -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 t = 0;
      gboolean ok = rf_restore_parse_time (cases[i].text, &t, &error);

      if (cases[i].expected < 0)
        {
          g_assert_false (ok);
          g_assert_nonnull (error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpint (t, ==, cases[i].expected);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/restore/at/property", Fixture, NULL, setup, test_property, teardown);
  g_test_add ("/restore/at/deleted-list", Fixture, NULL, setup, test_deleted_list, teardown);
  g_test_add_func ("/restore/parse-time", test_parse_time);
  return g_test_run ();
}
