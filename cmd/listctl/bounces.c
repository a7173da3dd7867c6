/* bounces.c - listctl bounces, reenable, sweep.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>

static const char *
state_name (RfMemberState state)
{
  return state == RF_MEMBER_DISABLED_BOUNCE ? "disabled-bounce" : "enabled";
}

/* An activity-log-safe, one-line reason for the terminal. */
static char *
printable (const char *s)
{
  char *out = g_strdup (s != NULL ? s : "-");

  for (char *p = out; *p != '\0'; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      *p = ' ';
  return out;
}

gboolean
listctl_bounces (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) domains = NULL;
  g_autoptr (GArray) counts = NULL;
  g_autofree char *threshold = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 1, 1, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((members = rf_bounce_members (ctx->store, list, error)) == NULL)
    return FALSE;
  if ((domains = rf_bounce_policy_counts (ctx->store, list, &counts, error)) == NULL)
    return FALSE;
  if ((threshold = rf_list_get_setting (ctx->store, list, "bounce_threshold", error)) == NULL)
    return FALSE;

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      listctl_json_string (b, "list", list->address);
      listctl_json_int (b, "threshold", (gint64)rf_setting_value_uint (threshold));
      json_builder_set_member_name (b, "members");
      json_builder_begin_array (b);
      for (guint i = 0; i < members->len; i++)
        {
          RfMemberBounceInfo *m = g_ptr_array_index (members, i);
          g_autofree char *last = m->last_bounce != 0 ? listctl_format_time (m->last_bounce) : NULL;

          json_builder_begin_object (b);
          listctl_json_string (b, "address", m->address);
          listctl_json_string (b, "state", state_name (m->state));
          listctl_json_int (b, "score", m->score);
          json_builder_set_member_name (b, "last_bounce");
          if (last != NULL)
            json_builder_add_string_value (b, last);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "last_class");
          if (m->last_class != NULL)
            json_builder_add_string_value (b, m->last_class);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "last_reason");
          if (m->last_reason != NULL)
            json_builder_add_string_value (b, m->last_reason);
          else
            json_builder_add_null_value (b);
          listctl_json_int (b, "notices", m->notices);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "policy_refusals");
      json_builder_begin_array (b);
      for (guint i = 0; i < domains->len; i++)
        {
          json_builder_begin_object (b);
          listctl_json_string (b, "domain", g_ptr_array_index (domains, i));
          listctl_json_int (b, "count", (gint64)g_array_index (counts, guint64, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }

  if (members->len == 0)
    printf ("no member of %s has bounced\n", list->address);
  else
    printf ("%-32s %-16s %5s  %-20s %-10s %s\n", "ADDRESS", "STATE", "SCORE", "LAST BOUNCE",
            "CLASS", "REASON");
  for (guint i = 0; i < members->len; i++)
    {
      RfMemberBounceInfo *m = g_ptr_array_index (members, i);
      g_autofree char *last
          = m->last_bounce != 0 ? listctl_format_time (m->last_bounce) : g_strdup ("-");
      g_autofree char *reason = printable (m->last_reason);

      printf ("%-32s %-16s %2u/%-2s  %-20s %-10s %s\n", m->address, state_name (m->state), m->score,
              threshold, last, m->last_class != NULL ? m->last_class : "-", reason);
    }
  if (domains->len > 0)
    {
      printf ("\npolicy refusals (never counted against members), by receiving domain:\n");
      for (guint i = 0; i < domains->len; i++)
        printf ("  %-40s %" G_GUINT64_FORMAT "\n", (const char *)g_ptr_array_index (domains, i),
                g_array_index (counts, guint64, i));
    }
  return TRUE;
}

gboolean
listctl_reenable (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autofree char *address = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 2, 2, error))
    return FALSE;
  if ((address = rf_address_normalize (argv[2], error)) == NULL)
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if (!rf_member_reenable (ctx->store, list, address, &ctx->actor, error))
    {
      if (g_error_matches (*error, RF_ERROR, RF_ERROR_NOT_FOUND))
        listctl_hint (error, "see 'listctl members LIST'");
      return FALSE;
    }
  printf ("re-enabled %s on %s (bounce score 0)\n", address, list->address);
  return TRUE;
}

gboolean
listctl_sweep (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (GPtrArray) lists = NULL;
  g_autoptr (GError) unsent = NULL;
  guint total_noticed = 0, total_removed = 0, failed = 0;
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "say so when there is nothing to do",
      NULL },
    { NULL },
  };

  /* quiet for cron: 'listctl cleanup' does this for every list too */
  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 0, 1, error))
    return FALSE;
  if (argc == 2)
    {
      RfList *one = listctl_list (ctx, argv[1], error);

      if (one == NULL)
        return FALSE;
      lists = g_ptr_array_new_with_free_func ((GDestroyNotify)rf_list_free);
      g_ptr_array_add (lists, one);
    }
  else
    {
      RfStore *store = listctl_store (ctx, error);

      if (store == NULL || (lists = rf_list_all (store, error)) == NULL)
        return FALSE;
    }
  for (guint i = 0; i < lists->len; i++)
    {
      RfList *list = g_ptr_array_index (lists, i);
      guint noticed = 0, removed = 0;
      g_autoptr (GError) local = NULL;
      gboolean ok = rf_bounce_process (ctx->config, ctx->store, list, &ctx->actor, &noticed,
                                       &removed, &local);

      total_noticed += noticed;
      total_removed += removed;
      if (noticed > 0 || removed > 0)
        printf ("%s: %u notice%s sent, %u member%s removed\n", list->address, noticed,
                noticed == 1 ? "" : "s", removed, removed == 1 ? "" : "s");
      if (ok)
        continue;
      /* notices the transport did not take: the other lists are swept all
       * the same, and the run ends in failure for cron to see */
      if (!g_error_matches (local, RF_ERROR, RF_ERROR_TEMPORARY))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (unsent == NULL)
        unsent = g_steal_pointer (&local);
      failed++;
    }
  if (total_noticed == 0 && total_removed == 0 && unsent == NULL && verbose)
    printf ("nothing to do\n");
  if (unsent != NULL)
    {
      if (failed > 1)
        g_prefix_error (&unsent, "%u lists have bounce notices not sent; ", failed);
      g_propagate_error (error, g_steal_pointer (&unsent));
      return FALSE;
    }
  return TRUE;
}
