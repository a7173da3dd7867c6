/* list-reports.c - the subscribers and activity reports of a list, mailed
 * to its moderators from listweb's panel (as the bounce report is, see
 * bounce-report.c).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both name members, so they are only ever text for a mail: the panel
 * never renders them.
 */
#include "core/core.h"

char *
rf_subscribers_report_text (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (GPtrArray) members = rf_member_list (store, list, error);
  g_autoptr (GString) out = g_string_new (NULL);

  if (members == NULL)
    return NULL;
  g_string_append_printf (out, "Subscribers of %s\n\n%u member%s.\n\n", list->address,
                          members->len, members->len == 1 ? "" : "s");
  for (guint i = 0; i < members->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (members, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
rf_activity_report_text (RfStore *store, const RfList *list, guint days, GError **error)
{
  g_autoptr (GPtrArray) entries =
      rf_activity_of_list (store, list, rf_now () - (gint64) days * RF_DAY, error);
  g_autoptr (GString) out = g_string_new (NULL);

  if (entries == NULL)
    return NULL;
  g_string_append_printf (out, "Activity of %s in the last %u days\n\n%u entr%s.\n\n",
                          list->address, days, entries->len, entries->len == 1 ? "y" : "ies");
  if (entries->len > 0)
    g_string_append_printf (out, "%-20s %-24s %-20s %-10s %s\n", "WHEN (UTC)", "WHO", "WHAT",
                            "FROM", "DETAIL");
  for (guint i = 0; i < entries->len; i++)
    {
      const RfActivityEntry *e = g_ptr_array_index (entries, i);
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (e->at);
      g_autofree char *when = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S")
                                         : g_strdup ("-");
      g_autofree char *actor = rf_text_printable (e->actor);
      g_autofree char *action = rf_text_printable (e->action);
      g_autofree char *origin = rf_text_printable (e->origin);
      g_autofree char *detail = rf_text_printable (e->detail);

      g_string_append_printf (out, "%-20s %-24s %-20s %-10s %s\n", when, actor, action, origin,
                              detail);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
