/* bounces.c - fair bounce scoring: Mailman 3's rules, the policy
 * exemption, disable, notices, removal.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A member's score only counts what says the ADDRESS is gone: permanent
 * bounces, one a day at most (a member whose mailbox vanished must not be
 * removed by the ten posts of one busy afternoon).  A score not raised for
 * bounce_stale_days starts again, so that two bounces a month apart never
 * add up.  Policy refusals say the list's mail was refused, not that the
 * address is bad: they never touch the score, and are counted per list and
 * per receiving domain for the moderators (many members of one domain at
 * once is a list problem).  Every change of state is a journal event and an
 * activity-log line, in the transaction of the change.
 */
#include "store-private.h"

#include <string.h>

#define DAY (24 * 60 * 60)

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

static guint64
setting_uint (RfStore *store, const RfList *list, const char *name, GError **error)
{
  g_autofree char *value = rf_list_get_setting (store, list, name, error);

  return value != NULL ? rf_setting_value_uint (value) : G_MAXUINT64;
}

typedef struct
{
  guint64 threshold, stale_days, notices, interval_days;
} Settings;

static gboolean
read_settings (RfStore *store, const RfList *list, Settings *s, GError **error)
{
  s->threshold = setting_uint (store, list, "bounce_threshold", error);
  if (s->threshold == G_MAXUINT64)
    return FALSE;
  s->stale_days = setting_uint (store, list, "bounce_stale_days", error);
  if (s->stale_days == G_MAXUINT64)
    return FALSE;
  s->notices = setting_uint (store, list, "bounce_notices", error);
  if (s->notices == G_MAXUINT64)
    return FALSE;
  s->interval_days = setting_uint (store, list, "bounce_notice_interval_days", error);
  return s->interval_days != G_MAXUINT64;
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

/* The member's row, or a fresh one (not yet stored) for a member who never
 * bounced; NULL with no error when @address is not a member. */
static RfMemberBounceInfo *
load_info (RfStore *store, const RfList *list, const char *address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean member = FALSE;
  int rc;

  if (!rf_member_is (store, list, address, &member, error))
    return NULL;
  if (!member)
    return NULL;
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

static gboolean
save_info (RfStore *store, const RfList *list, const RfMemberBounceInfo *info, GError **error)
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

static gboolean
count_policy (RfStore *store, const RfList *list, const char *address, gint64 now, GError **error)
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

gboolean
rf_bounce_record (RfStore *store, const RfList *list, const char *member,
                  RfBounceClass bounce_class, const char *status, const char *diagnostic,
                  RfBounceOutcome *outcome_out, GError **error)
{
  g_autoptr (RfMemberBounceInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  gboolean own = !rf_store_in_transaction (store);
  RfBounceOutcome outcome = RF_BOUNCE_COUNTED;
  gint64 now = rf_now ();
  Settings s;
  g_autofree char *detail = NULL;

  if (own && !rf_store_begin (store, error))
    return FALSE;
  info = load_info (store, list, member, &local);
  if (info == NULL)
    {
      if (local != NULL)
        goto fail;
      /* not (or no longer) a member: nothing to count */
      if (own && !rf_store_commit (store, error))
        return FALSE;
      *outcome_out = RF_BOUNCE_IGNORED;
      return TRUE;
    }
  if (bounce_class == RF_BOUNCE_NOT_BOUNCE)
    {
      if (own)
        rf_store_rollback (store);
      *outcome_out = RF_BOUNCE_IGNORED;
      return TRUE;
    }
  if (!read_settings (store, list, &s, &local))
    goto fail;

  /* Mailman's bounce_info_stale_after: an old score is forgotten */
  if (info->state == RF_MEMBER_ENABLED && info->score > 0
      && now - info->last_scored > (gint64)s.stale_days * DAY)
    {
      g_autofree char *d
          = g_strdup_printf ("%s: score %u reset, last raised %" G_GINT64_FORMAT " days ago",
                             member, info->score, (now - info->last_scored) / DAY);

      info->score = 0;
      rf_activity_log (store, "listdeliver", "bounce-score-reset", list->address, "mta", d);
    }
  info->last_bounce = now;
  g_free (info->last_class);
  info->last_class = g_strdup (rf_bounce_class_name (bounce_class));
  g_free (info->last_reason);
  info->last_reason = status != NULL || diagnostic != NULL
                          ? g_strdup_printf ("%s%s%s", status != NULL ? status : "",
                                             status != NULL && diagnostic != NULL ? " " : "",
                                             diagnostic != NULL ? diagnostic : "")
                          : NULL;

  switch (bounce_class)
    {
    case RF_BOUNCE_PERMANENT:
      /* one a day: the posts of one busy day are one failure */
      if (info->state == RF_MEMBER_ENABLED
          && (info->last_scored == 0 || now - info->last_scored >= DAY))
        {
          info->score++;
          info->last_scored = now;
          outcome = RF_BOUNCE_SCORED;
          if (s.threshold > 0 && info->score >= s.threshold)
            {
              g_autofree char *value = g_strdup_printf ("score %u", info->score);

              info->state = RF_MEMBER_DISABLED_BOUNCE;
              info->disabled_at = now;
              info->notices = 0;
              info->last_notice = 0;
              if (!_rf_journal_append (store, list->address, "listdeliver:bounces",
                                       "disable-bounce", member, value, &local))
                goto fail;
              outcome = RF_BOUNCE_DISABLED;
            }
        }
      break;
    case RF_BOUNCE_POLICY:
      if (!count_policy (store, list, member, now, &local))
        goto fail;
      break;
    case RF_BOUNCE_TEMPORARY:
    case RF_BOUNCE_UNKNOWN:
    case RF_BOUNCE_NOT_BOUNCE:
    default:
      break;
    }
  if (!save_info (store, list, info, &local))
    goto fail;

  detail = g_strdup_printf ("%s: %s%s%s, score %u of %" G_GUINT64_FORMAT "%s", member,
                            rf_bounce_class_name (bounce_class), status != NULL ? " " : "",
                            status != NULL ? status : "", info->score, s.threshold,
                            outcome == RF_BOUNCE_DISABLED ? ", delivery disabled" : "");
  rf_activity_log (store, "listdeliver",
                   outcome == RF_BOUNCE_DISABLED ? "bounce-disable" : "bounce", list->address,
                   "mta", detail);
  if (own && !rf_store_commit (store, error))
    return FALSE;
  *outcome_out = outcome;
  return TRUE;

fail:
  if (own)
    rf_store_rollback (store);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
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

gboolean
rf_member_reenable (RfStore *store, const RfList *list, const char *address, const char *actor,
                    GError **error)
{
  g_autoptr (RfMemberBounceInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  gboolean own = !rf_store_in_transaction (store);
  gboolean was_disabled;

  if (own && !rf_store_begin (store, error))
    return FALSE;
  info = load_info (store, list, address, &local);
  if (info == NULL)
    {
      if (local == NULL)
        g_set_error (&local, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' is not a member of '%s'", address,
                     list->address);
      goto fail;
    }
  was_disabled = info->state == RF_MEMBER_DISABLED_BOUNCE;
  info->state = RF_MEMBER_ENABLED;
  info->score = 0;
  info->last_scored = 0;
  info->disabled_at = 0;
  info->notices = 0;
  info->last_notice = 0;
  if (!save_info (store, list, info, &local))
    goto fail;
  if (!_rf_journal_append (store, list->address, actor, "enable", address,
                           was_disabled ? "was disabled by bounces" : "score reset", &local))
    goto fail;
  rf_activity_log (store, actor, "reenable", list->address, NULL, address);
  if (own && !rf_store_commit (store, error))
    return FALSE;
  return TRUE;

fail:
  if (own)
    rf_store_rollback (store);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

gboolean
rf_bounce_process (RfStore *store, const RfList *list, guint *noticed_out, guint *removed_out,
                   GError **error)
{
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) local = NULL;
  gboolean own = !rf_store_in_transaction (store);
  guint noticed = 0, removed = 0;
  gint64 now = rf_now ();
  Settings s;

  if (own && !rf_store_begin (store, error))
    return FALSE;
  if (!read_settings (store, list, &s, &local))
    goto fail;
  all = rf_bounce_members (store, list, &local);
  if (all == NULL)
    goto fail;
  for (guint i = 0; i < all->len; i++)
    {
      RfMemberBounceInfo *info = g_ptr_array_index (all, i);
      gint64 since = info->last_notice != 0 ? info->last_notice : info->disabled_at;
      gboolean due;

      if (info->state != RF_MEMBER_DISABLED_BOUNCE)
        continue;
      /* the first notice at once, the next ones an interval apart */
      due = info->last_notice == 0 || now - since >= (gint64)s.interval_days * DAY;
      if (!due)
        continue;
      if (info->notices < s.notices)
        {
          g_autofree char *value
              = g_strdup_printf ("notice %u of %" G_GUINT64_FORMAT, info->notices + 1, s.notices);

          /* TODO (issue 5, part 2): send the notice mail through the MTA */
          info->notices++;
          info->last_notice = now;
          if (!save_info (store, list, info, &local)
              || !_rf_journal_append (store, list->address, "bounces", "bounce-notice",
                                      info->address, value, &local))
            goto fail;
          {
            g_autofree char *d = g_strdup_printf ("%s: %s", info->address, value);
            rf_activity_log (store, "bounces", "bounce-notice", list->address, "cron", d);
          }
          noticed++;
        }
      else
        {
          /* every notice given and one more interval passed: out */
          if (!rf_member_remove (store, list, info->address, "bounces", &local))
            goto fail;
          {
            g_autofree char *d
                = g_strdup_printf ("%s: removed after %u notices", info->address, info->notices);
            rf_activity_log (store, "bounces", "bounce-remove", list->address, "cron", d);
          }
          removed++;
        }
    }
  if (own && !rf_store_commit (store, error))
    return FALSE;
  if (noticed_out != NULL)
    *noticed_out = noticed;
  if (removed_out != NULL)
    *removed_out = removed;
  return TRUE;

fail:
  if (own)
    rf_store_rollback (store);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
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

char *
rf_member_by_verp_hash (RfStore *store, const RfList *list, const char *tag, GError **error)
{
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *want = NULL;

  if (tag == NULL || tag[0] != 'h')
    return NULL;
  members = rf_member_list (store, list, error);
  if (members == NULL)
    return NULL;
  /* the hash is one-way: make each member's sender and compare (bounces
   * are rare, lists small enough) */
  {
    const char *at = strrchr (list->address, '@');
    want = g_strdup_printf ("%.*s-bounces+%s%s", (int)(at - list->address), list->address, tag, at);
  }
  for (guint i = 0; i < members->len; i++)
    {
      const char *member = g_ptr_array_index (members, i);
      g_autofree char *sender = rf_verp_sender (list->address, member);

      if (sender != NULL && g_ascii_strcasecmp (sender, want) == 0)
        return g_strdup (member);
    }
  return NULL;
}
