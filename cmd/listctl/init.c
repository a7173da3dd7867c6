/* init.c - listctl init and listctl upgrade: the only commands that make
 * a schema or change it (issues 12 and 13).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * listdeliver and listweb never create or migrate the database: a missing,
 * empty, foreign or older one makes them stop with a line naming the file
 * (listdeliver exits 75, so the MTA keeps the post).  The package's postinst
 * runs 'listctl upgrade' then 'listctl init'; both are quiet when there is
 * nothing to do, so they can run on every install and upgrade.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_init (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "say so when the database exists already", NULL },
    { NULL },
  };
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 0, 0, error))
    return FALSE;
  if ((store = listctl_store (ctx, error)) == NULL)
    return FALSE;
  /* STATE/mta must exist before the first list: Exim's dsearch reads it,
   * and Postfix's smtpd the indexed recipient map (issue 10) */
  if (!rf_mta_map_sync (store, error) || !rf_mta_postmap (ctx->config, error))
    {
      g_prefix_error (error, "the MTA routing map: ");
      return FALSE;
    }
  if (rf_store_created (store))
    {
      printf ("created %s/reflector.db (schema version %d)\n", ctx->config->state_dir,
              rf_store_schema_version (store));
      rf_activity_log (store, &ctx->actor, "init", ctx->config->state_dir, NULL);
    }
  else if (verbose)
    printf ("%s/reflector.db exists already (schema version %d)\n", ctx->config->state_dir,
            rf_store_schema_version (store));
  return TRUE;
}

gboolean
listctl_upgrade (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "say so when there is nothing to upgrade", NULL },
    { NULL },
  };
  g_autoptr (GError) local = NULL;
  RfStore *store;
  int from;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 0, 0, error))
    return FALSE;
  store = listctl_store (ctx, &local);
  if (store == NULL && g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      /* a fresh install: nothing to upgrade, and not ours to create here */
      if (verbose)
        printf ("no database yet in %s: nothing to upgrade ('listctl init' creates one)\n",
                ctx->config->state_dir);
      return TRUE;
    }
  if (store == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  from = rf_store_upgraded_from (store);
  if (from < rf_store_schema_version (store))
    {
      g_autofree char *detail = g_strdup_printf ("schema version %d to %d", from,
                                                 rf_store_schema_version (store));

      printf ("%s/reflector.db: upgraded from schema version %d to %d\n",
              ctx->config->state_dir, from, rf_store_schema_version (store));
      rf_activity_log (store, &ctx->actor, "upgrade", ctx->config->state_dir, detail);
    }
  else if (verbose)
    printf ("%s/reflector.db: schema version %d, up to date\n", ctx->config->state_dir,
            rf_store_schema_version (store));
  return TRUE;
}
