/* bounces.c - the rows of bounce scoring: each member's score and state,
 * the policy refusals per list and receiving domain.  The rules that
 * change them are lib/bounce/score.c's; this file records what it is told.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store-private.h"

#include <string.h>

void
rf_member_bounce_info_free (RfMemberBounceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->address);
  g_free (info->last_class);
  g_free (info->last_reason);
  g_free (info);
}

#define INFO_COLUMNS                                                                               \
  "address, state, score, last_bounce, last_scored, last_class, last_reason, disabled_at, "        \
  "notices, last_notice"

static RfMemberBounceInfo *
info_from_row (sqlite3_stmt *stmt)
{
  RfMemberBounceInfo *info = g_new0 (RfMemberBounceInfo, 1);

  info->address = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  info->state = sqlite3_column_int (stmt, 1);
  info->score = sqlite3_column_int (stmt, 2);
  info->last_bounce = sqlite3_column_int64 (stmt, 3);
  info->last_scored = sqlite3_column_int64 (stmt, 4);
  info->last_class = g_strdup ((const char *)sqlite3_column_text (stmt, 5));
  info->last_reason = g_strdup ((const char *)sqlite3_column_text (stmt, 6));
  info->disabled_at = sqlite3_column_int64 (stmt, 7);
  info->notices = sqlite3_column_int (stmt, 8);
  info->last_notice = sqlite3_column_int64 (stmt, 9);
  return info;
}

RfMemberBounceInfo *
rf_bounce_info_load (RfStore *store, const RfList *list, const char *address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *member = NULL;
  int rc;

  if (!rf_member_find (store, list, address, &member, error) || member == NULL)
    return NULL;
  address = member;
  stmt = _rf_store_prepare (store,
                            "SELECT " INFO_COLUMNS " FROM member_bounces "
                            "WHERE list_id = ? AND address = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return info_from_row (stmt);
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read a member's bounces");
      return NULL;
    }
  {
    RfMemberBounceInfo *info = g_new0 (RfMemberBounceInfo, 1);
    info->address = g_strdup (address);
    return info;
  }
}

gboolean
rf_bounce_info_save (RfStore *store, const RfList *list, const RfMemberBounceInfo *info,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "INSERT OR REPLACE INTO member_bounces (list_id, " INFO_COLUMNS ") "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, info->address, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, info->state);
  sqlite3_bind_int (stmt, 4, (int)info->score);
  sqlite3_bind_int64 (stmt, 5, info->last_bounce);
  sqlite3_bind_int64 (stmt, 6, info->last_scored);
  sqlite3_bind_text (stmt, 7, info->last_class, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, info->last_reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, info->disabled_at);
  sqlite3_bind_int (stmt, 10, (int)info->notices);
  sqlite3_bind_int64 (stmt, 11, info->last_notice);
  return _rf_store_step_done (store, stmt, error, "cannot record a member's bounces");
}

gboolean
rf_bounce_policy_add (RfStore *store, const RfList *list, const char *address, gint64 now,
                      GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *at = strrchr (address, '@');
  g_autofree char *domain = g_ascii_strdown (at != NULL ? at + 1 : address, -1);

  stmt = _rf_store_prepare (store,
                            "INSERT INTO bounce_policy (list_id, domain, count, last) "
                            "VALUES (?1, ?2, 1, ?3) ON CONFLICT (list_id, domain) "
                            "DO UPDATE SET count = count + 1, last = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, domain, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  return _rf_store_step_done (store, stmt, error, "cannot count a policy refusal");
}

GPtrArray *
rf_bounce_members (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) out
      = g_ptr_array_new_with_free_func ((GDestroyNotify)rf_member_bounce_info_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT " INFO_COLUMNS " FROM member_bounces WHERE list_id = ? "
                            "ORDER BY address",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, info_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the bounces");
      return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
rf_bounce_policy_counts (RfStore *store, const RfList *list, GArray **counts_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint64));
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT domain, count FROM bounce_policy WHERE list_id = ? "
                            "ORDER BY count DESC, domain",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint64 n = (guint64)sqlite3_column_int64 (stmt, 1);

      g_ptr_array_add (domains, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      g_array_append_val (counts, n);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the policy refusals");
      return NULL;
    }
  *counts_out = g_steal_pointer (&counts);
  return g_steal_pointer (&domains);
}
