/* moderation.c - listctl held LIST, listctl moderate LIST ID ACTION: the
 * posts held for a list's moderators, and a moderator's decision.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * held shows what a moderation notice shows: who, what subject, why; never
 * the text of a post.
 */
#include "listctl.h"

#include <stdio.h>

gboolean
listctl_held (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (GPtrArray) held = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 1, 1, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((held = rf_held_list (ctx->store, list, rf_now (), error)) == NULL)
    return FALSE;
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      listctl_json_string (b, "list", list->address);
      json_builder_set_member_name (b, "held");
      json_builder_begin_array (b);
      for (guint i = 0; i < held->len; i++)
        {
          const RfHeldPost *p = g_ptr_array_index (held, i);
          g_autofree char *at = listctl_format_time (p->held);
          g_autofree char *until = listctl_format_time (p->expires);
          g_auto (GStrv) reasons = g_strsplit (p->reasons, "\n", 0);

          json_builder_begin_object (b);
          listctl_json_int (b, "id", p->id);
          listctl_json_string (b, "held", at);
          listctl_json_string (b, "expires", until);
          listctl_json_string (b, "state", p->state);
          listctl_json_string (b, "sender", p->sender);
          listctl_json_string (b, "from", p->from);
          listctl_json_string (b, "subject", p->subject);
          listctl_json_int (b, "size", p->size);
          json_builder_set_member_name (b, "reasons");
          json_builder_begin_array (b);
          for (char **r = reasons; *r != NULL; r++)
            json_builder_add_string_value (b, *r);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }
  if (held->len == 0)
    {
      printf ("no post of %s is held\n", list->address);
      return TRUE;
    }
  for (guint i = 0; i < held->len; i++)
    {
      const RfHeldPost *p = g_ptr_array_index (held, i);
      g_autofree char *at = listctl_format_time (p->held);
      g_autofree char *until = listctl_format_time (p->expires);
      g_auto (GStrv) reasons = g_strsplit (p->reasons, "\n", 0);

      printf ("%" G_GINT64_FORMAT "  held %s, deleted %s%s\n", p->id, at, until,
              g_str_equal (p->state, "approved") ? " (approved, its delivery unfinished)" : "");
      printf ("    From: %s\n    Subject: %s\n    Sender: %s, %" G_GINT64_FORMAT " bytes\n",
              *p->from != '\0' ? p->from : "-", *p->subject != '\0' ? p->subject : "-",
              *p->sender != '\0' ? p->sender : "<> (the null sender)", p->size);
      for (char **r = reasons; *r != NULL; r++)
        printf ("    why: %s\n", *r);
    }
  return TRUE;
}

gboolean
listctl_moderate (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason,
      "with reject: the reason told to the poster", "TEXT" },
    { NULL },
  };
  g_autoptr (RfList) list = NULL;
  RfModerateAction action;
  RfDeliverReport report = { 0 };
  gint64 id;
  char *end = NULL;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 3, 3, error))
    return FALSE;
  id = g_ascii_strtoll (argv[2], &end, 10);
  if (end == argv[2] || *end != '\0' || id <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "'%s' is not the number of a held post: see 'listctl held LIST'", argv[2]);
      return FALSE;
    }
  if (!rf_moderate_action_parse (argv[3], &action))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "unknown decision '%s': approve, reject or discard", argv[3]);
      return FALSE;
    }
  if (reason != NULL && action != RF_MODERATE_REJECT)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--reason goes with reject only");
      return FALSE;
    }
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if (!rf_moderate (ctx->config, &ctx->actor, ctx->store, list, id, action, reason, &report,
                    error))
    {
      if (error != NULL && g_error_matches (*error, RF_ERROR, RF_ERROR_TEMPORARY) &&
          action == RF_MODERATE_APPROVE)
        listctl_hint (error, "run the command again later: the members who have their copy "
                             "are not sent another");
      return FALSE;
    }
  switch (action)
    {
    case RF_MODERATE_APPROVE:
      printf ("approved post %" G_GINT64_FORMAT " of %s: %" G_GUINT64_FORMAT
              " copies sent%s\n",
              id, list->address, report.sent,
              report.outcome == RF_ALREADY_DELIVERED ? " before" : "");
      break;
    case RF_MODERATE_REJECT:
      printf ("rejected post %" G_GINT64_FORMAT " of %s; its sender is told\n", id,
              list->address);
      break;
    case RF_MODERATE_DISCARD:
      printf ("discarded post %" G_GINT64_FORMAT " of %s\n", id, list->address);
      break;
    }
  return TRUE;
}
