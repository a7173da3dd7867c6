/* keep-person.c - one person's part of the troubleshooting store (issue
 * 15): the kept messages that name an address, for 'listctl person export'
 * and 'erase'.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from keep.c so that listdeliver, which only keeps messages, does
 * not link the JSON library (issue 14: each shared library is start-up
 * time of every post).
 */
#include "keep/keep-private.h"
#include "blob/blob.h"
#include "store/store.h"

#include <string.h>

/* Whether @bytes hold @needle in any ASCII case. */
static gboolean
bytes_name (GBytes *bytes, const char *needle)
{
  gsize len, n = strlen (needle);
  const char *data = g_bytes_get_data (bytes, &len);

  if (n == 0 || len < n)
    return FALSE;
  for (gsize i = 0; i + n <= len; i++)
    if (g_ascii_strncasecmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
names (const char *text, const char *address)
{
  g_autofree char *a = text != NULL ? g_ascii_strdown (text, -1) : NULL;
  g_autofree char *b = g_ascii_strdown (address, -1);

  return a != NULL && strstr (a, b) != NULL;
}

/* The kept messages that concern @address: sent by it, or naming it
 * anywhere in their bytes (a bounce of its copy).  Each with its bytes
 * when @with_bytes.  Returns: (transfer full) (element-type RfKeptMessage),
 * and *bytes_out (element-type GBytes) when asked. */
static GPtrArray *
concerning (const RfConfig *config, RfStore *store, const char *address, GPtrArray **bytes_out,
            GError **error)
{
  g_autoptr (GPtrArray) all = rf_kept_all (store, error);
  g_autoptr (GPtrArray) found =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_kept_message_free);
  g_autoptr (GPtrArray) bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      RfKeptMessage *m = g_ptr_array_index (all, i);
      g_autoptr (GError) local = NULL;
      g_autoptr (GBytes) b = rf_kept_message_read (config, m, &local);

      if (b == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (!names (m->sender, address) && !names (m->from_addr, address) &&
          !names (m->outcome, address) && !names (m->subject, address) &&
          (b == NULL || !bytes_name (b, address)))
        continue;
      g_ptr_array_add (found, g_steal_pointer (&all->pdata[i]));
      g_ptr_array_add (bytes, b != NULL ? g_bytes_ref (b) : g_bytes_new (NULL, 0));
    }
  if (bytes_out != NULL)
    *bytes_out = g_steal_pointer (&bytes);
  return g_steal_pointer (&found);
}

JsonNode *
_rf_keep_person_about (const RfConfig *config, RfStore *store, const char *address,
                       GError **error)
{
  g_autoptr (GPtrArray) bytes = NULL;
  g_autoptr (GPtrArray) found = concerning (config, store, address, &bytes, error);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (found == NULL)
    return NULL;
  json_builder_begin_array (b);
  for (guint i = 0; i < found->len; i++)
    {
      const RfKeptMessage *m = g_ptr_array_index (found, i);
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (bytes, i), &len);
      g_autofree char *text = g_utf8_make_valid (data != NULL ? data : "", (gssize) len);

      json_builder_begin_object (b);
#define STR(name, value)                                                                    \
  do                                                                                        \
    {                                                                                       \
      json_builder_set_member_name (b, name);                                               \
      if ((value) != NULL)                                                                  \
        json_builder_add_string_value (b, value);                                           \
      else                                                                                  \
        json_builder_add_null_value (b);                                                    \
    }                                                                                       \
  while (0)
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, m->id);
      STR ("list", m->list_address);
      STR ("role", m->role);
      json_builder_set_member_name (b, "received");
      json_builder_add_int_value (b, m->received);
      STR ("sender", m->sender);
      STR ("from_addr", m->from_addr);
      STR ("subject", m->subject);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, m->size);
      STR ("outcome", m->outcome);
      json_builder_set_member_name (b, "headers_only");
      json_builder_add_boolean_value (b, m->headers_only);
      STR ("message", text);
#undef STR
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

gboolean
_rf_keep_person_erase (const RfConfig *config, RfStore *store, const char *address,
                       guint64 *count_out, GError **error)
{
  g_autoptr (GPtrArray) found = concerning (config, store, address, NULL, error);
  g_autoptr (RfBlobStore) blobs = NULL;

  if (found == NULL)
    return FALSE;
  if (found->len > 0 && (blobs = _rf_keep_messages_open (config, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      const RfKeptMessage *m = g_ptr_array_index (found, i);

      if (!rf_blob_delete (blobs, m->blob_id, error) || !rf_kept_remove (store, m->id, error))
        return FALSE;
      (*count_out)++;
    }
  return TRUE;
}
