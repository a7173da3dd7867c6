/* activity.c - the activity log: who did what, to what, when, from where.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one redaction point (STYLE.md §6), rf_redact_detail() of log.c,
 * shared with syslog: a detail that looks like it holds a password, a
 * token or a message body is replaced before it reaches the database or
 * the log, whatever the caller meant.  Each entry is also a syslog line
 * (issue 13): every admin action, refusal and bounce reaches the mail log.
 */
#include "store-private.h"

#include <string.h>

void
rf_activity_log (RfStore *store, const RfActor *actor, const char *action, const char *target,
                 const char *detail)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = NULL;

  if (store == NULL || action == NULL)
    return;
  clean = rf_redact_detail (detail);
  stmt = _rf_store_prepare (store,
                            "INSERT INTO activity (at, actor, action, target, origin, detail) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, rf_now ());
  sqlite3_bind_text (stmt, 2, _rf_actor_name (actor), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, target, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, actor != NULL ? actor->origin : NULL, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, clean, -1, SQLITE_STATIC);
  /* failing to log never fails the action */
  (void) sqlite3_step (stmt);
  rf_log_info ("%s %s by %s (%s)%s%s", action, target != NULL ? target : "-",
               _rf_actor_name (actor),
               actor != NULL && actor->origin != NULL ? actor->origin : "-",
               clean != NULL ? ": " : "", clean != NULL ? clean : "");
}

void
rf_activity_entry_free (RfActivityEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->actor);
  g_free (entry->action);
  g_free (entry->target);
  g_free (entry->origin);
  g_free (entry->detail);
  g_free (entry);
}

static char *
column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *s = sqlite3_column_text (stmt, i);

  return s != NULL ? g_strdup ((const char *) s) : NULL;
}

/* The rows @stmt selects (at, actor, action, target, origin, detail). */
static GPtrArray *
read_entries (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) entries =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_activity_entry_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfActivityEntry *e = g_new0 (RfActivityEntry, 1);

      e->at = sqlite3_column_int64 (stmt, 0);
      e->actor = column_dup (stmt, 1);
      e->action = column_dup (stmt, 2);
      e->target = column_dup (stmt, 3);
      e->origin = column_dup (stmt, 4);
      e->detail = column_dup (stmt, 5);
      g_ptr_array_add (entries, e);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the activity log");
      return NULL;
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
rf_activity_of_list (RfStore *store, const RfList *list, gint64 since, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  /* the rows whose target is the list: its settings, members, bounces,
   * reports and web access (login rows name accounts, not lists) */
  stmt = _rf_store_prepare (store,
                            "SELECT at, actor, action, target, origin, detail FROM activity "
                            "WHERE target = ? COLLATE NOCASE AND at >= ? ORDER BY at, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, list->address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since);
  return read_entries (store, stmt, error);
}

GPtrArray *
rf_activity_since (RfStore *store, gint64 since, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "SELECT at, actor, action, target, origin, detail FROM activity "
                            "WHERE at >= ? ORDER BY at, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  return read_entries (store, stmt, error);
}
