/* mta-map.c - STATE/mta/<domain>/<local>: the lists, as the MTA sees them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exim routes list mail with "domains = dsearch;STATE/mta" and
 * "local_parts = dsearch;STATE/mta/$domain_data": a directory lookup needs
 * no database driver in the MTA and taints nothing.
 */
#include "mta/mta.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
component_ok (const char *s)
{
  return *s != '\0' && !g_str_equal (s, ".") && !g_str_equal (s, "..") &&
         strchr (s, '/') == NULL;
}

static gboolean
split_checked (const char *list_address, char **local, char **domain, GError **error)
{
  g_autofree char *l = NULL;
  g_autofree char *d = NULL;

  if (!rf_address_split (list_address, &l, &d) || !component_ok (l) || !component_ok (d))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "'%s': not a list address usable as a file name", list_address);
      return FALSE;
    }
  *local = g_steal_pointer (&l);
  *domain = g_steal_pointer (&d);
  return TRUE;
}

static gboolean
io_error (const char *what, const char *path, int saved, GError **error)
{
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot %s '%s': %s", what, path,
               g_strerror (saved));
  return FALSE;
}

gboolean
rf_mta_map_add (const char *state_dir, const char *list_address, GError **error)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  int fd;

  if (!split_checked (list_address, &local, &domain, error))
    return FALSE;
  dir = g_build_filename (state_dir, "mta", domain, NULL);
  file = g_build_filename (dir, local, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return io_error ("create directory", dir, errno, error);
  fd = g_open (file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error ("create", file, errno, error);
  if (close (fd) != 0)
    return io_error ("write", file, errno, error);
  return TRUE;
}

gboolean
rf_mta_map_remove (const char *state_dir, const char *list_address, GError **error)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;

  if (!split_checked (list_address, &local, &domain, error))
    return FALSE;
  dir = g_build_filename (state_dir, "mta", domain, NULL);
  file = g_build_filename (dir, local, NULL);
  if (g_unlink (file) != 0 && errno != ENOENT)
    return io_error ("remove", file, errno, error);
  /* the domain stays routed while another list of it exists */
  if (g_rmdir (dir) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
    return io_error ("remove directory", dir, errno, error);
  return TRUE;
}

gboolean
rf_mta_map_sync (RfStore *store, GError **error)
{
  const char *state_dir = rf_store_state_dir (store);
  g_autofree char *top = g_build_filename (state_dir, "mta", NULL);
  g_autoptr (GPtrArray) lists = rf_list_all (store, error);
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GDir) domains = NULL;
  const char *d;

  if (lists == NULL)
    return FALSE;
  for (guint i = 0; i < lists->len; i++)
    {
      RfList *list = g_ptr_array_index (lists, i);

      g_hash_table_add (wanted, list->address);
      if (!rf_mta_map_add (state_dir, list->address, error))
        return FALSE;
    }
  domains = g_dir_open (top, 0, NULL);
  if (domains == NULL)
    return TRUE;
  while ((d = g_dir_read_name (domains)) != NULL)
    {
      g_autofree char *dir = g_build_filename (top, d, NULL);
      g_autoptr (GDir) locals = g_dir_open (dir, 0, NULL);
      g_autoptr (GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
      const char *l;

      if (locals == NULL)
        continue;
      while ((l = g_dir_read_name (locals)) != NULL)
        {
          char *address = g_strconcat (l, "@", d, NULL);

          if (g_hash_table_contains (wanted, address))
            g_free (address);
          else
            g_ptr_array_add (stale, address);
        }
      for (guint i = 0; i < stale->len; i++)
        if (!rf_mta_map_remove (state_dir, g_ptr_array_index (stale, i), error))
          return FALSE;
    }
  return TRUE;
}
