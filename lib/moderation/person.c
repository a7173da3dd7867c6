/* person.c - the held posts of one person (issue 15's listctl person):
 * those they sent, and those whose sealed bytes name them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "moderation/moderation.h"

#include <string.h>

/* The held posts (expired or not) from @address or naming it; each is
 * unsealed to look.  Returns: (transfer full) (element-type RfHeldPost). */
static GPtrArray *
concerning (const RfConfig *config, RfStore *store, const char *address, GError **error)
{
  g_autoptr (GPtrArray) all = rf_held_expired (store, G_MAXINT64, G_MAXINT, error);
  g_autoptr (GPtrArray) found =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_held_post_free);
  g_autofree char *needle = g_ascii_strdown (address, -1);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      RfHeldPost *p = g_ptr_array_index (all, i);
      g_autoptr (GError) local = NULL;
      g_autoptr (GBytes) bytes = NULL;
      g_autofree char *lower = NULL;

      if (g_ascii_strcasecmp (p->sender, address) != 0)
        {
          bytes = _rf_held_unseal (config, p->blob_id, &local);
          if (bytes == NULL)
            {
              if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
                continue;
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          lower = g_ascii_strdown (g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes));
          if (strstr (lower, needle) == NULL)
            continue;
        }
      g_ptr_array_add (found, g_steal_pointer (&all->pdata[i]));
    }
  return g_steal_pointer (&found);
}

JsonNode *
_rf_held_person_about (const RfConfig *config, RfStore *store, const char *address,
                       GError **error)
{
  g_autoptr (GPtrArray) found = concerning (config, store, address, error);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (found == NULL)
    return NULL;
  json_builder_begin_array (b);
  for (guint i = 0; i < found->len; i++)
    {
      const RfHeldPost *p = g_ptr_array_index (found, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "list");
      json_builder_add_string_value (b, p->list_address);
      json_builder_set_member_name (b, "number");
      json_builder_add_int_value (b, p->id);
      json_builder_set_member_name (b, "sender");
      json_builder_add_string_value (b, p->sender);
      json_builder_set_member_name (b, "from");
      json_builder_add_string_value (b, p->from);
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, p->subject);
      json_builder_set_member_name (b, "reasons");
      json_builder_add_string_value (b, p->reasons);
      json_builder_set_member_name (b, "held");
      json_builder_add_int_value (b, p->held);
      json_builder_set_member_name (b, "expires");
      json_builder_add_int_value (b, p->expires);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

gboolean
_rf_held_person_erase (const RfConfig *config, RfStore *store, const char *address,
                       guint64 *count_out, GError **error)
{
  g_autoptr (GPtrArray) found = concerning (config, store, address, error);
  g_autoptr (RfBlobStore) blobs = NULL;

  if (found == NULL)
    return FALSE;
  if (found->len > 0 && (blobs = rf_blob_store_open (config, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      const RfHeldPost *p = g_ptr_array_index (found, i);

      if (!rf_blob_delete (blobs, p->blob_id, error) || !rf_held_remove (store, p->id, NULL, error))
        return FALSE;
      (*count_out)++;
    }
  return TRUE;
}
