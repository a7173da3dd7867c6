/* cleanup.c - listctl cleanup: delete what has expired, and process the
 * members disabled by bounces (cron or the systemd timer runs it daily).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It runs every cleaner of the library's table (rf_cleaners) in turn;
 * each kind of data that expires is one row there, not a change here.
 * Then what 'listctl sweep' does for every list (bounce notices sent,
 * members past the last notice removed), so that one daily job does all;
 * notices the transport did not take make it fail at the end (cron mails
 * the line), after every list and the JSON.
 * Safe to run while listdeliver delivers and listweb serves, and as often
 * as you like: what is gone stays gone, a second run finds nothing.
 *
 * Quiet for cron (issue 13): nothing on stdout when nothing was deleted;
 * a line per kind that deleted something; every kind with -v or --dry-run.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_cleanup (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean dry_run = FALSE, verbose = FALSE;
  const GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      "only count what would be deleted", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "a line for every kind of data, also when nothing was deleted", NULL },
    { NULL },
  };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) lists = NULL;
  const RfCleaner *cleaners;
  RfCleanupRun run = { 0 };
  g_autoptr (GError) unsent = NULL;
  guint noticed = 0, removed_members = 0;
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
      else if (removed > 0 || verbose || dry_run)
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

  /* the bounces of every list (what 'listctl sweep' does): a dry run
   * changes nothing, so it does not count them */
  if (!dry_run)
    {
      if ((lists = rf_list_all (ctx->store, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < lists->len; i++)
        {
          g_autoptr (GError) local = NULL;
          guint nn = 0, rr = 0;
          gboolean ok = rf_bounce_process (ctx->config, ctx->store, g_ptr_array_index (lists, i),
                                           &ctx->actor, &nn, &rr, &local);

          noticed += nn;
          removed_members += rr;
          if (ok)
            continue;
          /* notices the transport did not take: the other lists all the
           * same, then the failure (cron sees it) */
          if (!g_error_matches (local, RF_ERROR, RF_ERROR_TEMPORARY))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                          "cleanup of bounces: ");
              return FALSE;
            }
          if (unsent == NULL)
            unsent = g_steal_pointer (&local);
        }
      if (ctx->json)
        {
          listctl_json_int (b, "bounce-notices", noticed);
          listctl_json_int (b, "bounce-removals", removed_members);
        }
      else if (noticed > 0 || removed_members > 0 || verbose)
        printf ("bounces: %u notice%s sent, %u member%s removed\n", noticed,
                noticed == 1 ? "" : "s", removed_members, removed_members == 1 ? "" : "s");
    }
  json_builder_end_object (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  if (unsent != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&unsent), "cleanup of bounces: ");
      return FALSE;
    }
  return TRUE;
}
