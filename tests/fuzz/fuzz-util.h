/* fuzz-util.h - what the fuzz targets share (tests/fuzz/).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken promise is a finding: say which, and abort, so that libFuzzer
 * keeps the input (and a replay fails). */
#define RF_FUZZ_CHECK(cond, ...)                                          \
  do                                                                      \
    {                                                                     \
      if (!(cond))                                                        \
        {                                                                 \
          fprintf (stderr, "fuzz: %s:%d: ", __FILE__, __LINE__);          \
          fprintf (stderr, __VA_ARGS__);                                  \
          fputc ('\n', stderr);                                           \
          abort ();                                                       \
        }                                                                 \
    }                                                                     \
  while (0)

/* rm -r @path, without following symlinks out of it */
static inline void
rf_fuzz_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          char *child = g_build_filename (path, name, NULL);

          rf_fuzz_remove_tree (child);
          g_free (child);
        }
      if (d != NULL)
        g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}
