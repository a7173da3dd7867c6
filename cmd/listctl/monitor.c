/* monitor.c - listctl monitor: inbox monitoring (issue 15).  Without
 * --report, the seed addresses of reflector.conf and the lists whose
 * monitor_inboxes is on; with it, per seed, the copies sent and what came
 * back (bounces to the seed's VERP address, by class, the last one's
 * reason).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>

static gboolean
report (ListctlContext *ctx, gint64 since, GError **error)
{
  g_autoptr (GPtrArray) seeds = rf_monitor_report (ctx->config, ctx->store, since, error);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (seeds == NULL)
    return FALSE;
  if (seeds->len == 0 && !ctx->json)
    printf ("no seed addresses: set [monitor] addresses in reflector.conf\n");
  json_builder_begin_array (b);
  for (guint i = 0; i < seeds->len; i++)
    {
      const RfMonitorSeed *s = g_ptr_array_index (seeds, i);

      if (ctx->json)
        {
          json_builder_begin_object (b);
          listctl_json_string (b, "seed", s->seed);
          listctl_json_int (b, "sent", (gint64) s->sent);
          listctl_json_int (b, "not_sent", (gint64) s->not_sent);
          listctl_json_int (b, "bounces", (gint64) s->bounces);
          listctl_json_int (b, "permanent", (gint64) s->permanent);
          listctl_json_int (b, "policy", (gint64) s->policy);
          listctl_json_int (b, "temporary", (gint64) s->temporary);
          listctl_json_int (b, "last_bounce", s->last_bounce);
          json_builder_set_member_name (b, "last_reason");
          if (s->last_diagnostic != NULL)
            json_builder_add_string_value (b, s->last_diagnostic);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
          continue;
        }
      printf ("%s: %" G_GUINT64_FORMAT " cop%s sent, %" G_GUINT64_FORMAT " not sent, %"
              G_GUINT64_FORMAT " bounce%s (%" G_GUINT64_FORMAT " permanent, %" G_GUINT64_FORMAT
              " policy, %" G_GUINT64_FORMAT " temporary)\n",
              s->seed, s->sent, s->sent == 1 ? "y" : "ies", s->not_sent, s->bounces,
              s->bounces == 1 ? "" : "s", s->permanent, s->policy, s->temporary);
      if (s->last_bounce > 0)
        {
          g_autofree char *at = listctl_format_time (s->last_bounce);

          printf ("    last bounce %s, %s: %s\n", at, s->last_class != NULL ? s->last_class : "?",
                  s->last_diagnostic != NULL ? s->last_diagnostic : "no reason given");
        }
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
listctl_monitor (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean want_report = FALSE;
  g_autofree char *since_text = NULL;
  const GOptionEntry entries[] = {
    { "report", 'r', 0, G_OPTION_ARG_NONE, &want_report,
      "what each seed got and what came back", NULL },
    { "since", 's', 0, G_OPTION_ARG_STRING, &since_text,
      "with --report: from DATE on (2026-11-01, or an age: 7d)", "DATE" },
    { NULL },
  };
  g_autoptr (GPtrArray) lists = NULL;
  g_autoptr (GPtrArray) on = g_ptr_array_new ();
  char **seeds;
  gint64 since = 0;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 0, 0, error))
    return FALSE;
  if (since_text != NULL && !listctl_parse_since (since_text, &since, error))
    return FALSE;
  if (listctl_store (ctx, error) == NULL)
    return FALSE;
  if (want_report)
    return report (ctx, since, error);
  if ((lists = rf_list_all (ctx->store, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < lists->len; i++)
    {
      RfList *list = g_ptr_array_index (lists, i);
      g_autofree char *value = rf_list_get_setting (ctx->store, list, "monitor_inboxes", error);

      if (value == NULL)
        return FALSE;
      if (rf_setting_value_bool (value))
        g_ptr_array_add (on, list->address);
    }
  seeds = ctx->config->monitor_addresses;
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seeds");
      json_builder_begin_array (b);
      for (char **s = seeds; s != NULL && *s != NULL; s++)
        json_builder_add_string_value (b, *s);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "lists");
      json_builder_begin_array (b);
      for (guint i = 0; i < on->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (on, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }
  printf ("seeds:");
  for (char **s = seeds; s != NULL && *s != NULL; s++)
    printf (" %s", *s);
  printf ("%s\nlists with monitor_inboxes on:", seeds == NULL || seeds[0] == NULL
                                                   ? " none (set [monitor] addresses)"
                                                   : "");
  for (guint i = 0; i < on->len; i++)
    printf (" %s", (const char *) g_ptr_array_index (on, i));
  printf ("%s\n", on->len == 0 ? " none" : "");
  return TRUE;
}
