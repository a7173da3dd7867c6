/* journal.c - the membership and settings history.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change to a list is one row, written in the transaction of the
 * change itself: replaying the rows of a list up to a moment gives the list
 * as it was then, even after the list was deleted.
 */
#include "store-private.h"

gboolean
rf_journal_append (RfStore *store, const char *list_address, const RfActor *actor,
                   const char *event, const char *subject, const char *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "INSERT INTO journal (list_address, at, actor, event, subject, value) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, list_address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rf_now ());
  sqlite3_bind_text (stmt, 3, _rf_actor_name (actor), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, event, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, value, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot write the journal");
}

void
rf_journal_event_free (RfJournalEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->list_address);
  g_free (event->actor);
  g_free (event->event);
  g_free (event->subject);
  g_free (event->value);
  g_free (event);
}

GPtrArray *
rf_journal_events (RfStore *store, const char *list_address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rf_journal_event_free);
  g_autofree char *key = list_address != NULL ? g_utf8_strdown (list_address, -1) : NULL;
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT id, at, list_address, actor, event, subject, value "
                            "FROM journal WHERE ?1 IS NULL OR list_address = ?1 "
                            "ORDER BY at, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfJournalEvent *e = g_new0 (RfJournalEvent, 1);

      e->id = sqlite3_column_int64 (stmt, 0);
      e->at = sqlite3_column_int64 (stmt, 1);
      e->list_address = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      e->actor = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      e->event = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      e->subject = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      e->value = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      g_ptr_array_add (events, e);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the journal");
      return NULL;
    }
  return g_steal_pointer (&events);
}
