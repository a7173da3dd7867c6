/* log.c - listctl log and listctl journal: the readers of the activity
 * log and of the membership journal (issue 13).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both print one line per entry, oldest first, times in UTC; --json for
 * scripts.  The activity log holds no password, token or body (its one
 * redaction point is log.c's), so printing it hides nothing.
 */
#include "listctl.h"

#include <stdio.h>
#include <string.h>

/* --since: "2026-11-01", "2026-11-01T10:00:00Z", or an age: "7d", "12h",
 * "30m".  Seconds since the epoch in *since_out. */
gboolean
listctl_parse_since (const char *text, gint64 *since_out, GError **error)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (text, &end, 10);
  g_autoptr (GDateTime) dt = NULL;

  if (end != text && end != NULL && end[0] != '\0' && end[1] == '\0' &&
      strchr ("dhm", end[0]) != NULL && n < 100000)
    {
      gint64 unit = end[0] == 'd' ? RF_DAY : end[0] == 'h' ? 3600 : 60;

      *since_out = rf_now () - (gint64) n * unit;
      return TRUE;
    }
  if (strlen (text) == 10)
    {
      g_autofree char *iso = g_strconcat (text, "T00:00:00Z", NULL);

      dt = g_date_time_new_from_iso8601 (iso, NULL);
    }
  else
    dt = g_date_time_new_from_iso8601 (text, g_time_zone_new_utc ());
  if (dt == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--since: '%s' is not a date (2026-11-01, 2026-11-01T10:00:00Z) or an age "
                   "(7d, 12h, 30m)",
                   text);
      return FALSE;
    }
  *since_out = g_date_time_to_unix (dt);
  return TRUE;
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

gboolean
listctl_log (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *since_text = NULL;
  const GOptionEntry entries[] = {
    { "since", 's', 0, G_OPTION_ARG_STRING, &since_text,
      "only entries from DATE on (2026-11-01, or an age: 7d, 12h)", "DATE" },
    { NULL },
  };
  g_autoptr (RfList) list = NULL;
  g_autoptr (GPtrArray) entries_found = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gint64 since = 0;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 1, 1, error))
    return FALSE;
  if (since_text != NULL && !listctl_parse_since (since_text, &since, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((entries_found = rf_activity_of_list (ctx->store, list, since, error)) == NULL)
    return FALSE;
  json_builder_begin_array (b);
  for (guint i = 0; i < entries_found->len; i++)
    {
      const RfActivityEntry *e = g_ptr_array_index (entries_found, i);
      g_autofree char *at = listctl_format_time (e->at);

      if (ctx->json)
        {
          json_builder_begin_object (b);
          listctl_json_int (b, "at", e->at);
          add_string (b, "actor", e->actor);
          add_string (b, "action", e->action);
          add_string (b, "origin", e->origin);
          add_string (b, "detail", e->detail);
          json_builder_end_object (b);
          continue;
        }
      printf ("%s %s %s (%s)%s%s\n", at, e->action, e->actor,
              e->origin != NULL ? e->origin : "-", e->detail != NULL ? ": " : "",
              e->detail != NULL ? e->detail : "");
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
listctl_journal (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *address = NULL;
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 1, 1, error))
    return FALSE;
  /* the journal outlives the list: a deleted list's history is read too */
  if ((address = rf_address_normalize (argv[1], error)) == NULL)
    return FALSE;
  store = listctl_store (ctx, &local);
  if (store == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no list '%s' ever", address);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if ((events = rf_journal_events (store, address, error)) == NULL)
    return FALSE;
  if (events->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no list '%s' ever: no journal",
                   address);
      listctl_hint (error, "see 'listctl lists'");
      return FALSE;
    }
  json_builder_begin_array (b);
  for (guint i = 0; i < events->len; i++)
    {
      const RfJournalEvent *e = g_ptr_array_index (events, i);
      g_autofree char *at = listctl_format_time (e->at);
      g_autofree char *value = e->value != NULL ? listctl_escape_value (e->value) : NULL;

      if (ctx->json)
        {
          json_builder_begin_object (b);
          listctl_json_int (b, "at", e->at);
          add_string (b, "actor", e->actor);
          add_string (b, "event", e->event);
          add_string (b, "subject", e->subject);
          add_string (b, "value", e->value);
          json_builder_end_object (b);
          continue;
        }
      printf ("%s %s %s%s%s%s%s\n", at, e->event, e->actor, e->subject != NULL ? " " : "",
              e->subject != NULL ? e->subject : "", value != NULL ? " = " : "",
              value != NULL ? value : "");
    }
  json_builder_end_array (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  return TRUE;
}
