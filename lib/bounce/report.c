/* bounce-report.c - the bounce report a list's moderators and owners are
 * mailed (listctl report LIST bounces), and who they are.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report holds members' addresses, so it is mailed to the people
 * responsible for the list and never printed: a terminal's scrollback and
 * a cron job's output are no place for a member list.
 */
#include "bounce/bounce.h"

static char *
day_of (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("-");
}

char *
rf_bounce_report_text (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) domains = NULL;
  g_autoptr (GArray) counts = NULL;
  g_autofree char *threshold = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  guint disabled = 0;

  if ((members = rf_bounce_members (store, list, error)) == NULL ||
      (domains = rf_bounce_policy_counts (store, list, &counts, error)) == NULL ||
      (threshold = rf_list_get_setting (store, list, "bounce_threshold", error)) == NULL)
    return NULL;
  for (guint i = 0; i < members->len; i++)
    if (((RfMemberBounceInfo *) g_ptr_array_index (members, i))->state ==
        RF_MEMBER_DISABLED_BOUNCE)
      disabled++;
  g_string_append_printf (out,
                          "Bounce report of %s\n\n"
                          "%u member%s with bounces, %u disabled by bounces "
                          "(threshold %s).\n\n",
                          list->address, members->len, members->len == 1 ? "" : "s", disabled,
                          threshold);
  if (members->len > 0)
    g_string_append_printf (out, "%-36s %-16s %-6s %-21s %-10s %s\n", "MEMBER", "STATE", "SCORE",
                            "LAST BOUNCE", "CLASS", "REASON");
  for (guint i = 0; i < members->len; i++)
    {
      RfMemberBounceInfo *m = g_ptr_array_index (members, i);
      g_autofree char *last = m->last_bounce != 0 ? day_of (m->last_bounce) : g_strdup ("-");
      g_autofree char *reason = rf_text_printable (m->last_reason);
      g_autofree char *score = g_strdup_printf ("%u/%s", m->score, threshold);

      g_string_append_printf (out, "%-36s %-16s %-6s %-21s %-10s %s\n", m->address,
                              m->state == RF_MEMBER_DISABLED_BOUNCE ? "disabled-bounce"
                                                                    : "enabled",
                              score, last, m->last_class != NULL ? m->last_class : "-",
                              reason);
    }
  g_string_append (out, "\nPolicy refusals by receiving domain (the receiver refused the "
                        "list's mail,\nnot the address; never counted against members):\n");
  if (domains->len == 0)
    g_string_append (out, "  none\n");
  for (guint i = 0; i < domains->len; i++)
    g_string_append_printf (out, "  %-40s %" G_GUINT64_FORMAT "\n",
                            (const char *) g_ptr_array_index (domains, i),
                            g_array_index (counts, guint64, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
rf_list_staff_addresses (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (GPtrArray) users = rf_user_all (store, error);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (users == NULL)
    return NULL;
  for (guint i = 0; i < users->len; i++)
    {
      const RfUser *u = g_ptr_array_index (users, i);
      gboolean staff = FALSE;

      for (guint j = 0; j < u->roles->len && !staff; j++)
        {
          const RfUserRole *r = g_ptr_array_index (u->roles, j);

          staff = g_str_equal (r->list_address, list->address) &&
                  (g_str_equal (r->role, "owner") || g_str_equal (r->role, "moderator"));
        }
      if (!staff || u->email == NULL || *u->email == '\0')
        continue;
      if (!g_ptr_array_find_with_equal_func (out, u->email, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (u->email));
    }
  g_ptr_array_sort (out, compare_strings);
  return g_steal_pointer (&out);
}
