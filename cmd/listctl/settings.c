/* settings.c - listctl set, get.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>

static void
setting_hint (GError **error)
{
  if (error != NULL && g_error_matches (*error, RF_ERROR, RF_ERROR_NOT_FOUND))
    listctl_hint (error, "see 'listctl help settings'");
}

/* The list @address, once @name is known to be a setting. */
static RfList *
setting_list (ListctlContext *ctx, const char *address, const char *name, GError **error)
{
  if (rf_setting_lookup (name) == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no setting '%s'", name);
      setting_hint (error);
      return NULL;
    }
  return listctl_list (ctx, address, error);
}

gboolean
listctl_set (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 3, 3, error))
    return FALSE;
  if ((list = setting_list (ctx, argv[1], argv[2], error)) == NULL)
    return FALSE;
  if (!rf_list_set_setting (ctx->store, list, argv[2], argv[3], &ctx->actor, error))
    {
      setting_hint (error);
      return FALSE;
    }
  return TRUE;
}

gboolean
listctl_get (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autofree char *value = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 2, 2, error))
    return FALSE;
  if ((list = setting_list (ctx, argv[1], argv[2], error)) == NULL)
    return FALSE;
  if ((value = rf_list_get_setting (ctx->store, list, argv[2], error)) == NULL)
    {
      setting_hint (error);
      return FALSE;
    }
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      listctl_json_string (b, "list", list->address);
      listctl_json_string (b, "name", argv[2]);
      listctl_json_string (b, "value", value);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
    }
  else
    {
      g_autofree char *shown = listctl_escape_value (value);
      printf ("%s\n", shown);
    }
  return TRUE;
}
