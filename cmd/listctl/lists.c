/* lists.c - listctl create, delete, lists, show.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>
#include <unistd.h>

/* The MTA map is rebuilt from the store rather than patched, so that a
 * create or delete also repairs a map that an earlier failure left behind.
 * ([mta] postmap then indexes Postfix's recipient map.) */
static gboolean
sync_mta_map (RfStore *store, const RfConfig *config, GError **error)
{
  if (rf_mta_map_sync (store, error) && (config == NULL || rf_mta_postmap (config, error)))
    return TRUE;
  g_prefix_error (error, "the MTA routing map is out of date: ");
  listctl_hint (error, "fix the cause and run the command again");
  return FALSE;
}

gboolean
listctl_create (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  RfStore *store;
  g_autoptr (GError) local = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 1, 1, error))
    return FALSE;
  if ((store = listctl_store (ctx, error)) == NULL)
    return FALSE;
  if (!rf_list_create (store, argv[1], &ctx->actor, &local))
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_EXISTS))
        {
          (void) rf_mta_map_sync (store, NULL);
          listctl_hint (&local, "choose another name, or delete it first");
        }
      else if (g_error_matches (local, RF_ERROR, RF_ERROR_INVALID) &&
               !g_str_has_prefix (local->message, "list name"))
        listctl_hint (&local, "give an address like dev@lists.example.org");
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return sync_mta_map (store, ctx->config, error);
}

/* "Delete LIST and its N members? [y/N]" on the terminal (issue 13):
 * TRUE only for y or yes. */
static gboolean
confirm_delete (const RfList *list, gint64 members, GError **error)
{
  g_autofree char *answer = NULL;
  FILE *tty;
  char line[64];

  if (!isatty (STDIN_FILENO) || (tty = fopen ("/dev/tty", "r+")) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "refusing to delete '%s' without confirmation: no terminal to ask on, "
                   "give --yes",
                   list->address);
      return FALSE;
    }
  fprintf (tty, "Delete %s and its %" G_GINT64_FORMAT " member%s? [y/N] ", list->address,
           members, members == 1 ? "" : "s");
  fflush (tty);
  answer = g_strdup (fgets (line, sizeof line, tty) != NULL ? g_strstrip (line) : "");
  fclose (tty);
  if (g_ascii_strcasecmp (answer, "y") != 0 && g_ascii_strcasecmp (answer, "yes") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "'%s' not deleted: the answer was not yes", list->address);
      return FALSE;
    }
  return TRUE;
}

gboolean
listctl_delete (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "do not ask for confirmation", NULL },
    { NULL },
  };

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 1, 1, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if (!yes)
    {
      gint64 members = rf_member_count (ctx->store, list, error);

      if (members < 0 || !confirm_delete (list, members, error))
        return FALSE;
    }
  if (!rf_list_delete (ctx->store, list->address, &ctx->actor, error))
    return FALSE;
  return sync_mta_map (ctx->store, ctx->config, error);
}

gboolean
listctl_lists (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GPtrArray) lists = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 0, 0, error))
    return FALSE;
  store = listctl_store (ctx, &local);
  if (store == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* no database yet: no lists */
  if (store == NULL)
    lists = g_ptr_array_new ();
  else if ((lists = rf_list_all (store, error)) == NULL)
    return FALSE;

  json_builder_begin_array (b);
  for (guint i = 0; i < lists->len; i++)
    {
      RfList *list = g_ptr_array_index (lists, i);
      gint64 n = rf_member_count (store, list, error);

      if (n < 0)
        return FALSE;
      if (!ctx->json)
        {
          printf ("%s\n", list->address);
          continue;
        }
      json_builder_begin_object (b);
      listctl_json_string (b, "address", list->address);
      listctl_json_int (b, "created", list->created);
      listctl_json_int (b, "members", n);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      listctl_print_json (root);
    }
  return TRUE;
}

gboolean
listctl_show (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (GHashTable) values = NULL;
  g_autofree char *created = NULL;
  gsize n_defs;
  const RfSettingDef *defs = rf_settings_table (&n_defs);
  gint64 members;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 1, 1, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((members = rf_member_count (ctx->store, list, error)) < 0)
    return FALSE;
  if ((values = rf_list_settings (ctx->store, list, error)) == NULL)
    return FALSE;
  created = listctl_format_time (list->created);

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      listctl_json_string (b, "address", list->address);
      listctl_json_int (b, "created", list->created);
      listctl_json_int (b, "members", members);
      json_builder_set_member_name (b, "settings");
      json_builder_begin_object (b);
      for (gsize i = 0; i < n_defs; i++)
        {
          listctl_json_string (b, defs[i].name, g_hash_table_lookup (values, defs[i].name));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }

  printf ("list: %s\ncreated: %s\nmembers: %" G_GINT64_FORMAT "\nsettings:\n", list->address,
          created, members);
  for (gsize i = 0; i < n_defs; i++)
    {
      g_autofree char *shown = listctl_escape_value (g_hash_table_lookup (values, defs[i].name));

      if (defs[i].type == RF_SETTING_STRING)
        printf ("  %s = \"%s\"\n", defs[i].name, shown);
      else
        printf ("  %s = %s\n", defs[i].name, shown);
    }
  return TRUE;
}
