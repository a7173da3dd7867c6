/* owner.c - LIST-owner@domain: mail for the people who run the list is
 * forwarded to them as it came: the accounts with the owner role on the
 * list, and the addresses of the setting owner_addresses.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each forwarded copy carries X-Loop: LIST-owner@domain, and mail to
 * LIST-owner carrying it is dropped: an owner's own address forwarding
 * back here cannot make a loop.  The copies go out with the list's VERP
 * senders, so that their bounces come back to -bounces, where an address
 * that is no member is logged and dropped, never answered.
 */
#include "roles/roles.h"

#include <string.h>

static void
add_unique (GPtrArray *out, const char *address)
{
  for (guint i = 0; i < out->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (out, i), address) == 0)
      return;
  g_ptr_array_add (out, g_strdup (address));
}

GPtrArray *
_rf_list_owner_addresses (RfStore *store, const RfList *list, GHashTable *settings,
                          gboolean moderators_too, GError **error)
{
  g_autoptr (GPtrArray) users = rf_user_all (store, error);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) extra = NULL;

  if (users == NULL)
    return NULL;
  for (guint i = 0; i < users->len; i++)
    {
      const RfUser *u = g_ptr_array_index (users, i);

      for (guint j = 0; j < u->roles->len; j++)
        {
          const RfUserRole *r = g_ptr_array_index (u->roles, j);

          if (g_str_equal (r->list_address, list->address) &&
              (g_str_equal (r->role, "owner") ||
               (moderators_too && g_str_equal (r->role, "moderator"))) &&
              u->email != NULL && *u->email != '\0')
            add_unique (out, u->email);
        }
    }
  extra = rf_setting_value_addresses (g_hash_table_lookup (settings, "owner_addresses"));
  for (guint i = 0; i < extra->len; i++)
    add_unique (out, g_ptr_array_index (extra, i));
  return g_steal_pointer (&out);
}

gboolean
_rf_role_owner (RfRoleMail *mail, GError **error)
{
  const RfList *list = mail->list;
  g_autofree char *owner = g_strdup_printf ("%s-owner@%s", list->local, list->domain);
  g_autofree char *loop_line = g_strdup_printf ("X-Loop: %s\n", owner);
  g_autoptr (GPtrArray) to = NULL;
  g_autoptr (GByteArray) copy = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (mail->message));
  int n = g_mime_header_list_get_count (headers);
  gsize len;
  const guint8 *data;
  guint sent = 0;

  for (int i = 0; i < n; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *value = g_mime_header_get_value (header);

      if (g_ascii_strcasecmp (g_mime_header_get_name (header), "X-Loop") == 0 && value != NULL)
        {
          g_autofree char *v = g_strstrip (g_strdup (value));

          if (g_ascii_strcasecmp (v, owner) == 0)
            {
              rf_activity_log (mail->store, mail->actor, "loop-drop", list->address,
                               "mail to -owner carrying its own X-Loop was dropped");
              mail->report->outcome = RF_DROPPED;
              return TRUE;
            }
        }
    }
  to = _rf_list_owner_addresses (mail->store, list, mail->settings, FALSE, error);
  if (to == NULL)
    return FALSE;
  if (to->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST,
                   "the list %s has no owner yet to forward this to", list->address);
      return FALSE;
    }
  data = g_bytes_get_data (mail->raw, &len);
  copy = g_byte_array_sized_new (strlen (loop_line) + len);
  g_byte_array_append (copy, (const guint8 *) loop_line, strlen (loop_line));
  if (len > 0)
    g_byte_array_append (copy, data, len);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&copy));
  if (!_rf_mail_send_bytes (mail->config, list->address, to, bytes, &sent, error))
    return FALSE;
  {
    g_autofree char *detail = g_strdup_printf ("forwarded to %u owner address%s", sent,
                                               sent == 1 ? "" : "es");

    rf_activity_log (mail->store, mail->actor, "owner-forward", list->address, detail);
  }
  return TRUE;
}
