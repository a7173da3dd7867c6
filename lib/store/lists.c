/* lists.c - the lists table.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

#include <string.h>

/* The role suffixes of DESIGN.md: a list named "dev-request" would make
 * "dev"'s request address ambiguous. */
static const char *const role_suffixes[] = {
  "-request", "-owner", "-bounces", "-confirm", "-join", "-leave",
};

void
rf_list_free (RfList *list)
{
  if (list == NULL)
    return;
  g_free (list->address);
  g_free (list->local);
  g_free (list->domain);
  g_free (list);
}

static gboolean
local_part_ok (const char *local, GError **error)
{
  gsize len = strlen (local);

  if (len < 1 || len > 40)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "list name '%s' must be 1 to 40 characters long", local);
      return FALSE;
    }
  if (!g_ascii_islower (local[0]) && !g_ascii_isdigit (local[0]))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "list name '%s' must start with a letter or a digit", local);
      return FALSE;
    }
  for (const char *p = local; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '.' && *p != '_' && *p != '-')
      {
        g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                     "list name '%s' may hold only a-z, 0-9, '.', '_' and '-'", local);
        return FALSE;
      }
  for (gsize i = 0; i < G_N_ELEMENTS (role_suffixes); i++)
    if (g_str_has_suffix (local, role_suffixes[i]))
      {
        g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                     "list name '%s' ends in '%s', which is the address of a list role",
                     local, role_suffixes[i]);
        return FALSE;
      }
  return TRUE;
}

/* List addresses are ours, so unlike members' addresses they are matched
 * without regard to case. */
static char *
list_key (const char *address)
{
  return g_utf8_strdown (address, -1);
}

gboolean
rf_list_create (RfStore *store, const char *address, const RfActor *actor, GError **error)
{
  g_autofree char *norm = NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;

  norm = rf_address_normalize (address, error);
  if (norm == NULL)
    return FALSE;
  {
    g_autofree char *lower = list_key (norm);
    g_free (norm);
    norm = g_steal_pointer (&lower);
  }
  rf_address_split (norm, &local, &domain);
  if (!local_part_ok (local, error))
    return FALSE;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "INSERT INTO lists (address, local, domain, created) "
                            "VALUES (?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, norm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, local, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, domain, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, rf_now ());
  {
    g_autoptr (GError) local_error = NULL;

    if (!_rf_store_step_done (store, stmt, &local_error, "cannot create the list"))
      {
        if (g_error_matches (local_error, RF_ERROR, RF_ERROR_EXISTS))
          g_set_error (error, RF_ERROR, RF_ERROR_EXISTS, "list '%s' exists already", norm);
        else
          g_propagate_error (error, g_steal_pointer (&local_error));
        goto fail;
      }
  }
  if (!rf_journal_append (store, norm, actor, "create", NULL, NULL, error))
    goto fail;
  rf_activity_log (store, actor, "create", norm, NULL);
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

gboolean
rf_list_delete (RfStore *store, const char *address, const RfActor *actor, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean own = FALSE;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  list = rf_list_lookup (store, address, error);
  if (list == NULL)
    goto fail;
  stmt = _rf_store_prepare (store, "DELETE FROM lists WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, list->id);
  if (!_rf_store_step_done (store, stmt, error, "cannot delete the list"))
    goto fail;
  if (!rf_journal_append (store, list->address, actor, "delete", NULL, NULL, error))
    goto fail;
  rf_activity_log (store, actor, "delete", list->address, NULL);
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}

static RfList *
list_from_row (sqlite3_stmt *stmt)
{
  RfList *list = g_new0 (RfList, 1);

  list->id = sqlite3_column_int64 (stmt, 0);
  list->address = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  list->local = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  list->domain = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  list->created = sqlite3_column_int64 (stmt, 4);
  return list;
}

RfList *
rf_list_lookup (RfStore *store, const char *address, GError **error)
{
  g_autofree char *key = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (address != NULL, NULL);
  key = list_key (address);
  stmt = _rf_store_prepare (store,
                            "SELECT id, address, local, domain, created FROM lists "
                            "WHERE address = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return list_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no list '%s'", address);
  else
    _rf_store_set_error (store, rc, error, "cannot look up the list");
  return NULL;
}

GPtrArray *
rf_list_all (RfStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_list_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT id, address, local, domain, created FROM lists "
                            "ORDER BY address",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (lists, list_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the lists");
      return NULL;
    }
  return g_steal_pointer (&lists);
}
