/* mta-map.c - STATE/mta/<domain>/<local>: the lists, as the MTA sees them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exim routes list mail with "domains = dsearch;STATE/mta" and
 * "local_parts = dsearch;STATE/mta/$domain_data": a directory lookup needs
 * no database driver in the MTA and taints nothing.
 *
 * Postfix (issue 10) refuses at RCPT time every address of the list domain
 * that is not in STATE/mta/postfix-recipients (relay_recipient_maps): every
 * address of every list, one a line with "OK", the tagged roles without
 * their tag (Postfix looks "dev-confirm+TOKEN@" up as "dev-confirm@" with
 * recipient_delimiter = +).  listctl runs postmap on it after each change
 * ([mta] postmap; by default Postfix's own when it is installed); Postfix
 * notices the indexed file change by itself.
 */
#include "mta/mta.h"
#include "roles/roles.h"
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

/* STATE/mta/postfix-recipients: every address of every list. */
static gboolean
write_postfix_map (const char *state_dir, GPtrArray *lists, GError **error)
{
  g_autofree char *dir = g_build_filename (state_dir, "mta", NULL);
  g_autofree char *path = g_build_filename (dir, RF_MTA_POSTFIX_MAP, NULL);
  g_autoptr (GString) text = g_string_new ("# written by listctl create and delete: every address "
                                           "of every list\n");
  g_autoptr (GError) local = NULL;
  const RfRoleDef *roles;
  gsize n_roles;

  roles = _rf_roles_table (&n_roles);
  for (guint i = 0; i < lists->len; i++)
    {
      const RfList *list = g_ptr_array_index (lists, i);

      g_string_append_printf (text, "%s\tOK\n", list->address);
      for (gsize r = 0; r < n_roles; r++)
        g_string_append_printf (text, "%s-%s@%s\tOK\n", list->local, roles[r].suffix,
                                list->domain);
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return io_error ("create directory", dir, errno, error);
  if (!g_file_set_contents_full (path, text->str, (gssize) text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write '%s': %s", path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

/* Index a copy (NAME.new) and rename its index over NAME's: a new inode,
 * which a running smtpd notices at its next connection even when the map
 * changed twice in one second (Postfix compares the file's mtime in
 * seconds, and whether the file it opened is still linked). */
gboolean
rf_mta_postmap (const RfConfig *config, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = NULL;
  const char *name, *postmap;
  gsize len = 0;
  int status = 0;

  /* unset: Postfix's own, where it is installed; "none": never */
  if (config->postmap != NULL && g_str_equal (config->postmap, "none"))
    return TRUE;
  postmap = config->postmap != NULL ? config->postmap : RF_MTA_POSTMAP;
  if (config->postmap == NULL && !g_file_test (postmap, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  dir = g_build_filename (config->state_dir, "mta", NULL);
  path = g_build_filename (dir, RF_MTA_POSTFIX_MAP, NULL);
  copy = g_strconcat (path, ".new", NULL);
  if (!g_file_get_contents (path, &text, &len, &local) ||
      !g_file_set_contents_full (copy, text, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644,
                                 &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot copy '%s': %s", path,
                   local->message);
      return FALSE;
    }
  {
    const char *argv[] = { postmap, copy, NULL };

    /* no shell: g_spawn_sync execs postmap itself */
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &err, &status, &local))
      {
        g_unlink (copy);
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot run %s: %s", postmap,
                     local->message);
        return FALSE;
      }
  }
  g_unlink (copy);
  if (!g_spawn_check_wait_status (status, &local))
    {
      g_strstrip (err);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "%s %s failed: %s", postmap, path,
                   *err != '\0' ? err : local->message);
      return FALSE;
    }
  /* NAME.new.db (or .lmdb, .cdb: the site's default_database_type) -> NAME.db */
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, RF_MTA_POSTFIX_MAP ".new."))
      {
        g_autofree char *from = g_build_filename (dir, name, NULL);
        g_autofree char *to_name = g_strconcat (RF_MTA_POSTFIX_MAP ".",
                                                name + strlen (RF_MTA_POSTFIX_MAP ".new."), NULL);
        g_autofree char *to = g_build_filename (dir, to_name, NULL);

        if (g_rename (from, to) != 0)
          return io_error ("rename", from, errno, error);
      }
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
  if (!write_postfix_map (state_dir, lists, error))
    return FALSE;
  domains = g_dir_open (top, 0, NULL);
  if (domains == NULL)
    return TRUE;
  while ((d = g_dir_read_name (domains)) != NULL)
    {
      g_autofree char *dir = g_build_filename (top, d, NULL);
      g_autoptr (GDir) locals = NULL;
      g_autoptr (GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
      const char *l;

      /* the Postfix map and its indexed forms are files, not domains */
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR) ||
          (locals = g_dir_open (dir, 0, NULL)) == NULL)
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
