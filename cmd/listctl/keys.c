/* keys.c - listctl rotate-key: a new site or blob key (issue 11).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key in use becomes NAME.previous, and a new one takes its place, as
 * root:GROUP 0640 when run as root (rf_keys_rotate).  What is checked or
 * opened with the key tries the previous one after it; a new site key
 * also means new unsubscribe links, whose hashes are made anew here.
 * reflector(7) says when to rotate and what follows.
 */
#include "listctl.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
listctl_rotate_key (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  RfKeyName name;
  struct stat st;
  int group = -1;
  g_autofree char *path = NULL;
  g_autofree char *previous = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 1, 1, error))
    return FALSE;
  if (g_str_equal (argv[1], "site"))
    name = RF_KEY_SITE;
  else if (g_str_equal (argv[1], "blob"))
    name = RF_KEY_BLOB;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "'%s' is no key: usage: listctl rotate-key site|blob", argv[1]);
      return FALSE;
    }
  if (ctx->config == NULL && (ctx->config = rf_config_load (ctx->config_path, error)) == NULL)
    {
      listctl_hint (error, "fix the file (see reflector.conf(5))");
      return FALSE;
    }
  /* as root, before listctl becomes the state directory's owner: the key
   * directory is root's */
  if (geteuid () == 0 && stat (ctx->config->state_dir, &st) == 0 && st.st_uid != 0)
    {
      struct passwd *pw = getpwuid (st.st_uid);

      group = (int) (pw != NULL ? pw->pw_gid : st.st_gid);
    }
  if (!rf_keys_rotate (ctx->config, name, group, error))
    return FALSE;
  path = rf_key_path (ctx->config, name, FALSE);
  previous = rf_key_path (ctx->config, name, TRUE);
  printf ("rotated %s: the key it replaced is %s\n", path, previous);
  if (listctl_store (ctx, error) == NULL ||
      (name == RF_KEY_SITE && !rf_store_rehash_unsubscribe (ctx->store, error)))
    {
      if (name == RF_KEY_SITE)
        {
          g_prefix_error (error, "the key was rotated, but the unsubscribe links were not made "
                                 "anew: ");
          listctl_hint (error, "fix that and run 'listctl rotate-key site' again");
        }
      return FALSE;
    }
  rf_activity_log (ctx->store, &ctx->actor, "rotate-key", argv[1],
                   name == RF_KEY_SITE ? "a new site key; the unsubscribe links made anew"
                                       : "a new blob key");
  if (name == RF_KEY_SITE)
    printf ("the unsubscribe links of every member were made anew: those of the posts sent "
            "before no longer work\n");
  return TRUE;
}
