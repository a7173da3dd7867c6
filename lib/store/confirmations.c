/* confirmations.c - the rows of confirmations (issue 10): a token's hash,
 * what it confirms, until when.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only rf_token_hash of a token is kept: a copy of the database confirms
 * nothing.  A token is spent by deleting its row, which only one of two
 * racing confirmations can do.
 */
#include "store-private.h"

static const char *const action_names[] = {
  [RF_CONFIRM_SUBSCRIBE] = "subscribe",
  [RF_CONFIRM_UNSUBSCRIBE] = "unsubscribe",
  [RF_CONFIRM_APPROVE] = "approve",
  [RF_CONFIRM_REJECT] = "reject",
  [RF_CONFIRM_DISCARD] = "discard",
  [RF_CONFIRM_REENABLE] = "reenable",
};

const char *
rf_confirm_action_name (RfConfirmAction action)
{
  if ((gsize) action < G_N_ELEMENTS (action_names))
    return action_names[action];
  return "?";
}

void
rf_confirmation_free (RfConfirmation *confirmation)
{
  if (confirmation == NULL)
    return;
  g_free (confirmation->list_address);
  g_free (confirmation->address);
  g_free (confirmation);
}

gboolean
rf_confirmation_add (RfStore *store, const char *token_hash, const RfConfirmation *c,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "INSERT INTO confirmations (token_hash, list_address, action, address, held_id, "
      "created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, rf_confirm_action_name (c->action), -1, SQLITE_STATIC);
  if (c->address != NULL)
    sqlite3_bind_text (stmt, 4, c->address, -1, SQLITE_STATIC);
  if (c->held_id != 0)
    sqlite3_bind_int64 (stmt, 5, c->held_id);
  sqlite3_bind_int64 (stmt, 6, c->created);
  sqlite3_bind_int64 (stmt, 7, c->expires);
  return _rf_store_step_done (store, stmt, error, "cannot record a confirmation");
}

gboolean
rf_confirmation_get (RfStore *store, const char *token_hash, RfConfirmation **out,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "SELECT list_address, action, address, held_id, created, expires FROM confirmations "
      "WHERE token_hash = ?",
      error);
  RfConfirmation *c;
  const char *action, *address;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND,
                   "this confirmation is unknown: it was used already, or it expired");
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot read a confirmation");
      return FALSE;
    }
  c = g_new0 (RfConfirmation, 1);
  c->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  action = (const char *) sqlite3_column_text (stmt, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (g_strcmp0 (action, action_names[i]) == 0)
      c->action = (RfConfirmAction) i;
  address = (const char *) sqlite3_column_text (stmt, 2);
  c->address = address != NULL ? g_strdup (address) : NULL;
  c->held_id = sqlite3_column_int64 (stmt, 3);
  c->created = sqlite3_column_int64 (stmt, 4);
  c->expires = sqlite3_column_int64 (stmt, 5);
  *out = c;
  return TRUE;
}

gboolean
rf_confirmation_spend (RfStore *store, const char *token_hash, gboolean *spent_out,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "DELETE FROM confirmations WHERE token_hash = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot spend a confirmation"))
    return FALSE;
  *spent_out = sqlite3_changes (store->db) > 0;
  return TRUE;
}

gboolean
rf_confirmations_expire (RfStore *store, gint64 now, guint64 *removed_out, GError **error)
{
  return _rf_store_delete_older (store, "confirmations", "expires", now + 1, removed_out,
                                 error);
}

gboolean
rf_confirmations_drop (RfStore *store, const char *list_address, RfConfirmAction action,
                       const char *address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (
      store,
      "DELETE FROM confirmations WHERE list_address = ? AND action = ? "
      "AND address = ? COLLATE NOCASE",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, rf_confirm_action_name (action), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, address, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot drop confirmations");
}
