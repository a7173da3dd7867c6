/* test-bounce-corpus.c - the bounce parser on sisimai's 798 real bounces,
 * scored against tests/data/bounce-expected.tsv.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected table comes from outside this project (sisimai's own test
 * suite for the class, the samples' machine-readable fields for the
 * address: tools/sisimai-expected.py), never from this parser.  Every file
 * is parsed (none may crash: run it in build-san too); the scored ones
 * count as correct when the class is right and, where an address is
 * expected, the parser names it.  The shares by family and overall are
 * printed; the test fails below the floors committed here.
 */
#include "reflector.h"

#include <string.h>

/* Set a little under what the parser reached when they were committed
 * (see the commit message for the exact numbers). */
#define FLOOR_CORRECT 0.83
#define FLOOR_CLASS 0.83
#define FLOOR_ADDRESS 0.98

typedef struct
{
  guint scored, class_ok, addr_expected, addr_ok, both_ok;
} Tally;

static void
tally_add (GHashTable *by_family, const char *family, gboolean class_ok, gboolean addr_expected,
           gboolean addr_ok)
{
  Tally *t = g_hash_table_lookup (by_family, family);

  if (t == NULL)
    {
      t = g_new0 (Tally, 1);
      g_hash_table_insert (by_family, g_strdup (family), t);
    }
  t->scored++;
  t->class_ok += class_ok;
  t->addr_expected += addr_expected;
  t->addr_ok += addr_expected && addr_ok;
  t->both_ok += class_ok && (!addr_expected || addr_ok);
}

static double
share (guint n, guint of)
{
  return of == 0 ? 1.0 : (double)n / of;
}

static void
test_corpus (void)
{
  const char *data = g_getenv ("RF_TEST_DATA");
  g_autofree char *table_path = NULL;
  g_autofree char *table = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GHashTable) by_family
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Tally all = { 0 };
  /* expected class x parsed class, in the order of RfBounceClass */
  guint confusion[5][5] = { { 0 } };
  static const char *const names[]
      = { "unknown", "permanent", "temporary", "policy", "not-bounce" };
  guint parsed = 0;
  g_autoptr (GList) families = NULL;
  const char *verbose = g_getenv ("RF_BOUNCE_VERBOSE");

  g_assert_nonnull (data);
  table_path = g_build_filename (data, "bounce-expected.tsv", NULL);
  g_assert_true (g_file_get_contents (table_path, &table, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (table, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = NULL;
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (RfBounce) bounce = NULL;
      g_autoptr (GError) perr = NULL;
      gboolean class_ok, addr_expected, addr_ok = FALSE;
      const char *got_class, *got_addr;

      if (**l == '#' || **l == '\0')
        continue;
      f = g_strsplit (*l, "\t", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 6);
      path = g_build_filename (data, "corpus", "sisimai", f[0], NULL);
      g_assert_true (g_file_get_contents (path, &contents, &len, &error));
      bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
      bounce = rf_bounce_parse (bytes, &perr);
      parsed++;
      /* only an empty file may be refused */
      if (bounce == NULL)
        {
          g_assert_cmpuint (len, ==, 0);
          continue;
        }
      for (guint i = 0; i < bounce->recipients->len; i++)
        {
          RfBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);
          g_assert_nonnull (r->address);
          g_assert_nonnull (strchr (r->address, '@'));
          if (r->diagnostic != NULL)
            {
              g_assert_cmpuint (g_utf8_strlen (r->diagnostic, -1), <=, 200);
              g_assert_null (strchr (r->diagnostic, '\n'));
            }
        }
      if (g_str_equal (f[3], "-"))
        continue;
      got_class = rf_bounce_class_name (bounce->bounce_class);
      got_addr = bounce->recipients->len > 0
                     ? ((RfBounceRecipient *)g_ptr_array_index (bounce->recipients, 0))->address
                     : "-";
      class_ok = g_str_equal (got_class, f[3]);
      for (int e = 0; e < 5; e++)
        if (g_str_equal (f[3], names[e]))
          confusion[e][bounce->bounce_class]++;
      addr_expected = !g_str_equal (f[2], "-");
      for (guint i = 0; addr_expected && i < bounce->recipients->len; i++)
        addr_ok
            |= g_ascii_strcasecmp (
                   ((RfBounceRecipient *)g_ptr_array_index (bounce->recipients, i))->address, f[2])
               == 0;
      tally_add (by_family, f[1], class_ok, addr_expected, addr_ok);
      all.scored++;
      all.class_ok += class_ok;
      all.addr_expected += addr_expected;
      all.addr_ok += addr_expected && addr_ok;
      all.both_ok += class_ok && (!addr_expected || addr_ok);
      if (verbose != NULL && (!class_ok || (addr_expected && !addr_ok)))
        g_printerr (
            "MISS %s %s: expected %s %s (%s %s), got %s %s [%s] %s\n", f[0], f[1], f[3], f[2], f[4],
            f[5], got_class, got_addr, bounce->mta,
            bounce->recipients->len > 0
                ? ((RfBounceRecipient *)g_ptr_array_index (bounce->recipients, 0))->diagnostic
                : "");
    }

  families = g_list_sort (g_hash_table_get_keys (by_family), (GCompareFunc)g_strcmp0);
  g_test_message ("%-28s %6s %8s %8s %8s", "family", "scored", "correct", "class", "address");
  for (GList *i = families; i != NULL; i = i->next)
    {
      Tally *t = g_hash_table_lookup (by_family, i->data);

      g_test_message ("%-28s %6u %7.1f%% %7.1f%% %7.1f%% (of %u)", (const char *)i->data, t->scored,
                      100 * share (t->both_ok, t->scored), 100 * share (t->class_ok, t->scored),
                      100 * share (t->addr_ok, t->addr_expected), t->addr_expected);
    }
  g_test_message ("%-28s %6u %7.1f%% %7.1f%% %7.1f%% (of %u); %u files parsed", "ALL", all.scored,
                  100 * share (all.both_ok, all.scored), 100 * share (all.class_ok, all.scored),
                  100 * share (all.addr_ok, all.addr_expected), all.addr_expected, parsed);
  /* the errors that matter most: a score raised for what is not a gone
   * address (column permanent), and a gone address not counted (row) */
  g_test_message ("expected \\ parsed  %10s %10s %10s %10s %10s", names[0], names[1], names[2],
                  names[3], names[4]);
  for (int e = 0; e < 5; e++)
    g_test_message ("%-18s %10u %10u %10u %10u %10u", names[e], confusion[e][0], confusion[e][1],
                    confusion[e][2], confusion[e][3], confusion[e][4]);
  g_assert_cmpuint (parsed, >=, 798);
  g_assert_cmpuint (all.scored, >=, 500);
  g_assert_cmpfloat (share (all.both_ok, all.scored), >=, FLOOR_CORRECT);
  g_assert_cmpfloat (share (all.class_ok, all.scored), >=, FLOOR_CLASS);
  g_assert_cmpfloat (share (all.addr_ok, all.addr_expected), >=, FLOOR_ADDRESS);
}

/* RF_BOUNCE_DUMP=FILE[:FILE...]: print what the parser says of each file
 * and exit (a debugging aid, never part of the test run). */
static int
dump (const char *files)
{
  g_auto (GStrv) paths = g_strsplit (files, ":", -1);

  for (char **p = paths; *p != NULL; p++)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (RfBounce) b = NULL;

      if (!g_file_get_contents (*p, &contents, &len, NULL))
        continue;
      bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
      b = rf_bounce_parse (bytes, NULL);
      if (b == NULL)
        continue;
      g_print ("%s: %s [%s]\n", *p, rf_bounce_class_name (b->bounce_class), b->mta);
      for (guint i = 0; i < b->recipients->len; i++)
        {
          RfBounceRecipient *r = g_ptr_array_index (b->recipients, i);

          g_print ("  %s %s %s %s | %s\n", r->address, rf_bounce_class_name (r->bounce_class),
                   rf_bounce_action_name (r->action), r->status != NULL ? r->status : "-",
                   r->diagnostic != NULL ? r->diagnostic : "-");
        }
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (g_getenv ("RF_BOUNCE_DUMP") != NULL)
    return dump (g_getenv ("RF_BOUNCE_DUMP"));
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bounce/corpus/sisimai", test_corpus);
  return g_test_run ();
}
