/* cleanup.c - listctl cleanup: delete what has expired (cron runs it).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It runs every cleaner of the library's table (rf_cleaners) in turn;
 * each kind of data that expires is one row there, not a change here.
 * Safe to run while listdeliver delivers and listweb serves, and as often
 * as you like: what is gone stays gone, a second run finds nothing.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_cleanup (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      "only count what would be deleted", NULL },
    { NULL },
  };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const RfCleaner *cleaners;
  RfCleanupRun run = { 0 };
  gsize n;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 0, 0, error))
    return FALSE;
  if (listctl_store (ctx, error) == NULL)
    return FALSE;
  run = (RfCleanupRun) { ctx->config, ctx->store, rf_now (), dry_run, 0 };
  cleaners = rf_cleaners (&n);
  json_builder_begin_object (b);
  for (gsize i = 0; i < n; i++)
    {
      gboolean ok = rf_cleanup_run (&cleaners[i], &run, error);
      guint64 removed = run.removed;

      /* what was deleted before a failure is reported all the same */
      if (ctx->json)
        {
          listctl_json_int (b, cleaners[i].name, (gint64) removed);
        }
      else
        printf ("%s: %" G_GUINT64_FORMAT " %s %s\n", cleaners[i].name, removed,
                cleaners[i].what, dry_run ? "would be deleted" : "deleted");
      if (!ok)
        {
          g_prefix_error (error, "cleanup of ");
          return FALSE;
        }
      if (!dry_run && removed > 0)
        {
          g_autofree char *detail =
              g_strdup_printf ("%" G_GUINT64_FORMAT " %s deleted", removed, cleaners[i].what);

          rf_activity_log (ctx->store, &ctx->actor, "cleanup", cleaners[i].name, detail);
        }
    }
  json_builder_end_object (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  return TRUE;
}
