/* replay-main.c - main() for a fuzz target built without libFuzzer (gcc,
 * the sanitizer build): each argument, a file or a directory (read
 * recursively, in name order), is one input or many, run once each.  This
 * is how the normal builds keep the seeds and the regression inputs of
 * tests/fuzz/regress/ passing.  A run with no input at all fails.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint64 n_inputs;

static int
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
replay (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      if (d != NULL)
        g_dir_close (d);
      g_ptr_array_sort (names, by_name);
      for (guint i = 0; i < names->len; i++)
        replay (g_ptr_array_index (names, i));
      return;
    }
  {
    g_autofree char *data = NULL;
    g_autoptr (GError) error = NULL;
    gsize len;

    if (!g_file_get_contents (path, &data, &len, &error))
      {
        fprintf (stderr, "replay: %s\n", error->message);
        exit (2);
      }
    LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
    n_inputs++;
  }
}

int
main (int argc, char **argv)
{
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    replay (argv[i]);
  printf ("replayed %" G_GUINT64_FORMAT " inputs\n", n_inputs);
  return n_inputs > 0 ? 0 : 1;
}
