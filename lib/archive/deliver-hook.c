/* archive-hook.c - after a delivery, the post goes into the archive when
 * the list has archive = on.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "archive/archive.h"

gboolean
_rf_archive_delivered (RfStore *store, const RfActor *actor, const RfList *list,
                       GHashTable *settings, const char *key, const char *out_path, GError **error)
{
  const char *archive = g_hash_table_lookup (settings, "archive");
  g_autofree char *data = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;
  gsize len = 0;

  if (!rf_setting_value_bool (archive))
    return TRUE;
  /* the .out file is what every member received: attachments already
   * turned into links, prefix and footer in place */
  if (!g_file_get_contents (out_path, &data, &len, &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read the post to archive: %s",
                   local->message);
      return FALSE;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  if (!rf_archive_add (store, list, bytes, key, NULL, &local))
    {
      /* the members have the post: one the archive cannot parse must not
       * turn into a bounce */
      if (g_error_matches (local, RF_ERROR, RF_ERROR_BAD_MESSAGE))
        {
          rf_activity_log (store, actor, "archive-skip", list->address,
                           local->message);
          return TRUE;
        }
      /* anything else is trouble on our side: 75, and the MTA's retry
       * (which resends nothing) archives it */
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "the post went out but is not archived yet: %s", local->message);
      return FALSE;
    }
  return TRUE;
}
