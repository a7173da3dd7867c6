/* settings-store.c - the stored values of list settings.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only values that differ from the table's default are stored, so that a
 * default changed in a later release reaches every list that never chose.
 */
#include "store-private.h"

static const RfSettingDef *
lookup_def (const char *name, GError **error)
{
  const RfSettingDef *def = rf_setting_lookup (name);

  if (def == NULL)
    g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no setting '%s'", name);
  return def;
}

char *
rf_list_get_setting (RfStore *store, const RfList *list, const char *name, GError **error)
{
  const RfSettingDef *def = lookup_def (name, error);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (def == NULL)
    return NULL;
  stmt = _rf_store_prepare (store,
                            "SELECT value FROM list_settings WHERE list_id = ? AND name = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, def->name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc == SQLITE_DONE)
    return g_strdup (def->default_value);
  _rf_store_set_error (store, rc, error, "cannot read the setting");
  return NULL;
}

gboolean
rf_list_set_setting (RfStore *store, const RfList *list, const char *name, const char *value,
                     const RfActor *actor, GError **error)
{
  const RfSettingDef *def = lookup_def (name, error);
  g_autofree char *norm = NULL;
  g_autofree char *detail = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;
  gboolean is_default;

  if (def == NULL)
    return FALSE;
  norm = rf_setting_normalize (def, value, error);
  if (norm == NULL)
    return FALSE;
  is_default = g_str_equal (norm, def->default_value);

  if (!rf_store_join (store, &own, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            is_default
                              ? "DELETE FROM list_settings WHERE list_id = ?1 AND name = ?2"
                              : "INSERT OR REPLACE INTO list_settings (list_id, name, value) "
                                "VALUES (?1, ?2, ?3)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, def->name, -1, SQLITE_STATIC);
  if (!is_default)
    sqlite3_bind_text (stmt, 3, norm, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot store the setting"))
    goto fail;
  if (!rf_journal_append (store, list->address, actor, "set", def->name, norm, error))
    goto fail;
  detail = g_strdup_printf ("%s=%s", def->name, norm);
  rf_activity_log (store, actor, "set", list->address, detail);
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

GHashTable *
rf_list_settings (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gsize n;
  const RfSettingDef *table = rf_settings_table (&n);
  int rc;

  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (values, g_strdup (table[i].name), g_strdup (table[i].default_value));
  stmt = _rf_store_prepare (store, "SELECT name, value FROM list_settings WHERE list_id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      /* a row of a setting that a later release dropped is ignored */
      if (rf_setting_lookup (name) != NULL)
        g_hash_table_insert (values, g_strdup (name),
                             g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the settings");
      return NULL;
    }
  return g_steal_pointer (&values);
}
