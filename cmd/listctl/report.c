/* report.c - listctl report LIST bounces: the bounce report, mailed to the
 * list's moderators and owners.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report names members, so it is mailed, never printed: --dry-run
 * prints only to whom it would go.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_report (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      "print to whom the report would go, send nothing", NULL },
    { NULL },
  };
  g_autoptr (RfList) list = NULL;
  g_autoptr (GPtrArray) to = NULL;
  g_autofree char *text = NULL;
  g_autofree char *subject = NULL;
  guint sent = 0;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 2, 2, error))
    return FALSE;
  if (!g_str_equal (argv[2], "bounces"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "unknown report '%s': the one report is 'bounces'", argv[2]);
      return FALSE;
    }
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((to = rf_list_staff_addresses (ctx->store, list, error)) == NULL)
    return FALSE;
  if (to->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "%s has no moderator or owner with an e-mail address", list->address);
      listctl_hint (error, "give one a role with 'listctl user grant NAME moderator LIST'");
      return FALSE;
    }
  if (dry_run)
    {
      for (guint i = 0; i < to->len; i++)
        printf ("would mail the bounce report of %s to %s\n", list->address,
                (const char *) g_ptr_array_index (to, i));
      return TRUE;
    }
  if ((text = rf_bounce_report_text (ctx->store, list, error)) == NULL)
    return FALSE;
  subject = g_strdup_printf ("Bounce report of %s", list->address);
  if (!rf_mail_send_text (ctx->config, list->address, to, subject, text, &sent, error))
    return FALSE;
  rf_activity_log (ctx->store, &ctx->actor, "report-bounces", list->address,
                   "bounce report mailed to the moderators and owners");
  printf ("mailed the bounce report of %s to %u of %u moderators and owners\n",
          list->address, sent, to->len);
  return TRUE;
}
