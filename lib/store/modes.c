/* modes.c - the database and its WAL and SHM are the service user's
 * alone, whatever the umask (issue 11: they were made 0644 in a 0755
 * directory, so any local user read every member's address and the
 * password hashes).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQLite makes the -wal and -shm files with the mode of the database
 * file, so the database is made private as soon as SQLite has opened (or
 * made) it, before the first write makes them: a new one 0600, one of an
 * older install without what others and the group may do beyond reading
 * (0644 becomes 0640: a group that reads it, a backup's, keeps reading).
 */
#include "store-private.h"

#include <sys/stat.h>
#include <unistd.h>

void
_rf_store_private_files (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      struct stat st;

      /* only its owner may; a file SQLite has just made (empty) gets 0600 */
      if (lstat (file, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ())
        continue;
      if (i == 0 && st.st_size == 0 && (st.st_mode & 077) != 0)
        chmod (file, 0600);
      else if ((st.st_mode & 027) != 0)
        chmod (file, st.st_mode & 07750);
    }
}
