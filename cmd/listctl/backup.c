/* backup.c - listctl backup, backups and restore (issue 15).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A restore prints what it will change (members added and removed,
 * settings) and changes nothing without --yes; with --yes it prints the
 * same and does it, journalled, so that another restore undoes it.  On a
 * server without a database, 'restore --from SNAPSHOT' puts the whole
 * snapshot in place (a disk lost): lists, members, accounts, journal.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_backup (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *to = NULL;
  gboolean archive = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to,
      "write it into DIR instead of [backup] dir, or s3: into the S3 blob store", "DIR|s3" },
    { "archive", 0, 0, G_OPTION_ARG_NONE, &archive, "also the lists' web archives", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing unless it fails (cron)", NULL },
    { NULL },
  };
  g_autoptr (RfBackup) b = NULL;
  gboolean s3;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 0, 0, error))
    return FALSE;
  s3 = to != NULL && g_str_equal (to, "s3");
  if (to != NULL && !s3 && !g_path_is_absolute (to))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--to: '%s' is neither an absolute directory nor s3", to);
      return FALSE;
    }
  if (listctl_store (ctx, error) == NULL)
    return FALSE;
  b = rf_backup_take (ctx->config, ctx->store, s3 ? NULL : to, s3, archive, &ctx->actor, error);
  if (b == NULL)
    return FALSE;
  if (quiet)
    return TRUE;
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) jb = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (jb);
      listctl_json_string (jb, "name", b->name);
      listctl_json_int (jb, "taken", b->taken);
      listctl_json_string (jb, "kind", b->kind);
      listctl_json_int (jb, "size", b->size);
      listctl_json_bool (jb, "archive", b->archive);
      listctl_json_string (jb, "where", b->path != NULL ? b->path : "s3");
      json_builder_end_object (jb);
      root = json_builder_get_root (jb);
      listctl_print_json (root);
      return TRUE;
    }
  if (b->path != NULL)
    printf ("backup %s (%s, %" G_GINT64_FORMAT " bytes) written to %s\n", b->name, b->kind,
            b->size, b->path);
  else
    printf ("backup %s (%s, %" G_GINT64_FORMAT " bytes) copied to the S3 blob store "
            "(s3:%s)\n",
            b->name, b->kind, b->size, b->name);
  return TRUE;
}

gboolean
listctl_backups (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (GPtrArray) backups = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 0, 0, error))
    return FALSE;
  if (listctl_store (ctx, error) == NULL || (backups = rf_backups (ctx->store, error)) == NULL)
    return FALSE;
  json_builder_begin_array (b);
  for (guint i = 0; i < backups->len; i++)
    {
      const RfBackup *bk = g_ptr_array_index (backups, i);
      g_autofree char *taken = listctl_format_time (bk->taken);
      const char *where = bk->path != NULL ? bk->path : "s3";

      if (ctx->json)
        {
          json_builder_begin_object (b);
          listctl_json_string (b, "name", bk->name);
          listctl_json_int (b, "taken", bk->taken);
          listctl_json_string (b, "kind", bk->kind);
          listctl_json_int (b, "size", bk->size);
          listctl_json_bool (b, "archive", bk->archive);
          listctl_json_string (b, "where", where);
          json_builder_end_object (b);
          continue;
        }
      printf ("%s %s %-6s %10" G_GINT64_FORMAT " %s%s\n", bk->name, taken, bk->kind, bk->size,
              where, bk->archive ? " (with the archive)" : "");
    }
  json_builder_end_array (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  return TRUE;
}

static void
print_plan (const RfRestorePlan *plan)
{
  printf ("%s as of %s:\n", plan->list_address, plan->source);
  if (rf_restore_plan_empty (plan))
    printf ("  nothing to change%s\n", plan->exists_now ? "" : " (no such list then or now)");
  else if (!plan->exists_then)
    printf ("  delete the list (it did not exist then) and its %u members\n",
            plan->remove->len);
  else if (!plan->exists_now)
    printf ("  create the list (deleted since, or not there)\n");
  if (plan->exists_then && !rf_restore_plan_empty (plan))
    {
      for (guint i = 0; i < plan->remove->len; i++)
        printf ("  - %s\n", (const char *) g_ptr_array_index (plan->remove, i));
      for (guint i = 0; i < plan->add->len; i++)
        printf ("  + %s\n", (const char *) g_ptr_array_index (plan->add, i));
      for (guint i = 0; i < plan->settings->len; i++)
        {
          const RfSettingChange *c = g_ptr_array_index (plan->settings, i);
          g_autofree char *from = listctl_escape_value (c->from);
          g_autofree char *to = listctl_escape_value (c->to);

          printf ("  set %s: %s -> %s\n", c->name, from, to);
        }
    }
  if (plan->erased > 0)
    printf ("  %u erased address%s left out (listctl person erase)\n", plan->erased,
            plan->erased == 1 ? "" : "es");
}

static void
plan_json (JsonBuilder *b, const RfRestorePlan *plan)
{
  json_builder_begin_object (b);
  listctl_json_string (b, "list", plan->list_address);
  listctl_json_string (b, "as_of", plan->source);
  listctl_json_bool (b, "exists_now", plan->exists_now);
  listctl_json_bool (b, "exists_then", plan->exists_then);
  json_builder_set_member_name (b, "add");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->add->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (plan->add, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "remove");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->remove->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (plan->remove, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "settings");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->settings->len; i++)
    {
      const RfSettingChange *c = g_ptr_array_index (plan->settings, i);

      json_builder_begin_object (b);
      listctl_json_string (b, "name", c->name);
      listctl_json_string (b, "from", c->from);
      listctl_json_string (b, "to", c->to);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  listctl_json_int (b, "erased", plan->erased);
  json_builder_end_object (b);
}

/* A server without a database: the whole snapshot goes in place. */
static gboolean
install_whole (ListctlContext *ctx, const char *from, gboolean yes, GError **error)
{
  g_autoptr (RfStore) store = NULL;
  g_autoptr (GPtrArray) lists = NULL;

  if (!yes)
    {
      printf ("there is no database: 'listctl restore --from %s --yes' puts the whole "
              "snapshot in place (lists, settings, members, accounts, journal)\n"
              "dry run: nothing changed\n",
              from);
      return TRUE;
    }
  if (!rf_backup_install (ctx->config, from, error))
    return FALSE;
  store = rf_store_open (ctx->config->state_dir, RF_STORE_READ_WRITE | RF_STORE_UPGRADE, error);
  if (store == NULL || (lists = rf_list_all (store, error)) == NULL)
    return FALSE;
  rf_activity_log (store, &ctx->actor, "restore", NULL, "the whole database from a backup");
  if (!rf_mta_map_sync (store, error))
    {
      g_prefix_error (error, "restored, but the MTA routing map is out of date: ");
      return FALSE;
    }
  printf ("restored the whole database from %s: %u list%s\n", from, lists->len,
          lists->len == 1 ? "" : "s");
  ctx->store = g_steal_pointer (&store);
  return TRUE;
}

gboolean
listctl_restore (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *at_text = NULL;
  g_autofree char *from = NULL;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &at_text,
      "the moment, in UTC: '2026-11-20 14:00', '2026-11-20 14:00:05', 2026-11-20T14:00:05Z",
      "TIME" },
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
      "a backup: a name 'listctl backups' lists, a file, or s3:NAME", "SNAPSHOT" },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "make the changes (without it: only show them)",
      NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) plans = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rf_restore_plan_free);
  g_autoptr (RfSnapshot) snapshot = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *list = NULL;
  gint64 at = 0;
  gboolean changes = FALSE;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 0, 1, error))
    return FALSE;
  list = argc == 2 ? argv[1] : NULL;
  if ((at_text == NULL) == (from == NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "give --at TIME or --from SNAPSHOT (one of them): usage: listctl restore %s",
                   ctx->command->params);
      return FALSE;
    }
  if (at_text != NULL && list == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--at restores one list: usage: listctl restore LIST --at TIME");
      return FALSE;
    }
  if (at_text != NULL && !rf_restore_parse_time (at_text, &at, error))
    return FALSE;
  if (listctl_store (ctx, &local) == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND) && from != NULL && list == NULL)
        return install_whole (ctx, from, yes, error);
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        listctl_hint (&local, "a whole snapshot goes in place with 'listctl restore --from "
                              "SNAPSHOT' (without a list)");
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (at_text != NULL)
    {
      RfRestorePlan *plan = rf_restore_plan_at (ctx->store, list, at, error);

      if (plan == NULL)
        return FALSE;
      g_ptr_array_add (plans, plan);
    }
  else
    {
      g_autoptr (GPtrArray) from_plans = NULL;

      if ((snapshot = rf_snapshot_open (ctx->config, ctx->store, from, error)) == NULL)
        return FALSE;
      from_plans = rf_restore_plan_from (ctx->store, rf_snapshot_store (snapshot), from, list,
                                         error);
      if (from_plans == NULL)
        return FALSE;
      for (guint i = 0; i < from_plans->len; i++)
        g_ptr_array_add (plans, g_steal_pointer (&from_plans->pdata[i]));
    }
  if (from != NULL && list == NULL && !ctx->json)
    {
      g_autoptr (GPtrArray) lists = rf_list_all (ctx->store, error);

      if (lists == NULL)
        return FALSE;
      if (lists->len == 0)
        printf ("(this database has no list: to put the whole snapshot in place, accounts and "
                "journal too, stop listweb and remove %s/reflector.db* first)\n",
                ctx->config->state_dir);
    }
  json_builder_begin_array (b);
  for (guint i = 0; i < plans->len; i++)
    {
      const RfRestorePlan *plan = g_ptr_array_index (plans, i);

      changes |= !rf_restore_plan_empty (plan);
      if (ctx->json)
        plan_json (b, plan);
      else
        print_plan (plan);
    }
  json_builder_end_array (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  if (!yes)
    {
      if (!ctx->json && changes)
        printf ("dry run: nothing changed; run again with --yes to restore\n");
      return TRUE;
    }
  if (!rf_store_begin (ctx->store, error))
    return FALSE;
  for (guint i = 0; i < plans->len; i++)
    if (!rf_restore_apply (ctx->store, g_ptr_array_index (plans, i), &ctx->actor, error))
      {
        rf_store_rollback (ctx->store);
        return FALSE;
      }
  if (!rf_store_commit (ctx->store, error))
    return FALSE;
  if (!rf_mta_map_sync (ctx->store, error))
    {
      g_prefix_error (error, "restored, but the MTA routing map is out of date: ");
      listctl_hint (error, "fix the cause and run 'listctl restore' again");
      return FALSE;
    }
  if (!ctx->json)
    for (guint i = 0; i < plans->len; i++)
      {
        const RfRestorePlan *plan = g_ptr_array_index (plans, i);

        if (!rf_restore_plan_empty (plan))
          printf ("restored %s as of %s: %u added, %u removed, %u setting%s changed%s\n",
                  plan->list_address, plan->source, plan->add->len, plan->remove->len,
                  plan->settings->len, plan->settings->len == 1 ? "" : "s",
                  !plan->exists_then ? ", list deleted"
                  : !plan->exists_now ? ", list created"
                                      : "");
      }
  return TRUE;
}
