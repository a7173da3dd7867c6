/* score.c - fair bounce scoring: Mailman 3's rules, the policy exemption,
 * disable, notices, removal.  The rows are the store's (store/bounces.c);
 * the rules are here.
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
 *
 * The sweep (issue 17) mails each notice (notice.c) before it counts it,
 * outside any transaction of its own, so that a slow transport never
 * holds the database: a notice the transport cannot take is not counted
 * and goes at the next sweep.
 */
#include "bounce/bounce-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct
{
  guint64 threshold, stale_days, notices, interval_days;
} Rules;

static gboolean
setting_uint (RfStore *store, const RfList *list, const char *name, guint64 *out,
              GError **error)
{
  g_autofree char *value = rf_list_get_setting (store, list, name, error);

  if (value == NULL)
    return FALSE;
  *out = rf_setting_value_uint (value);
  return TRUE;
}

static gboolean
read_rules (RfStore *store, const RfList *list, Rules *r, GError **error)
{
  return setting_uint (store, list, "bounce_threshold", &r->threshold, error) &&
         setting_uint (store, list, "bounce_stale_days", &r->stale_days, error) &&
         setting_uint (store, list, "bounce_notices", &r->notices, error) &&
         setting_uint (store, list, "bounce_notice_interval_days", &r->interval_days, error);
}

gboolean
rf_bounce_record (RfStore *store, const RfList *list, const char *member,
                  RfBounceClass bounce_class, const char *status, const char *diagnostic,
                  const RfActor *actor, RfBounceOutcome *outcome_out, GError **error)
{
  g_autoptr (RfMemberBounceInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  gboolean own = FALSE;
  RfBounceOutcome outcome = RF_BOUNCE_COUNTED;
  gint64 now = rf_now ();
  Rules r;
  g_autofree char *detail = NULL;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  info = rf_bounce_info_load (store, list, member, &local);
  if (info == NULL)
    {
      if (local != NULL)
        goto fail;
      /* not (or no longer) a member: nothing to count */
      if (!rf_store_end (store, own, TRUE, error))
        return FALSE;
      *outcome_out = RF_BOUNCE_IGNORED;
      return TRUE;
    }
  if (bounce_class == RF_BOUNCE_NOT_BOUNCE)
    {
      rf_store_end (store, own, FALSE, NULL);
      *outcome_out = RF_BOUNCE_IGNORED;
      return TRUE;
    }
  if (!read_rules (store, list, &r, &local))
    goto fail;

  /* Mailman's bounce_info_stale_after: an old score is forgotten */
  if (info->state == RF_MEMBER_ENABLED && info->score > 0 &&
      now - info->last_scored > (gint64) r.stale_days * RF_DAY)
    {
      g_autofree char *d =
          g_strdup_printf ("%s: score %u reset, last raised %" G_GINT64_FORMAT " days ago",
                           info->address, info->score, (now - info->last_scored) / RF_DAY);

      info->score = 0;
      rf_activity_log (store, actor, "bounce-score-reset", list->address, d);
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
      if (info->state == RF_MEMBER_ENABLED &&
          (info->last_scored == 0 || now - info->last_scored >= RF_DAY))
        {
          info->score++;
          info->last_scored = now;
          outcome = RF_BOUNCE_SCORED;
          if (r.threshold > 0 && info->score >= r.threshold)
            {
              g_autofree char *value = g_strdup_printf ("score %u", info->score);

              info->state = RF_MEMBER_DISABLED_BOUNCE;
              info->disabled_at = now;
              info->notices = 0;
              info->last_notice = 0;
              if (!rf_journal_append (store, list->address, actor, "disable-bounce",
                                      info->address, value, &local))
                goto fail;
              outcome = RF_BOUNCE_DISABLED;
            }
        }
      break;
    case RF_BOUNCE_POLICY:
      if (!rf_bounce_policy_add (store, list, info->address, now, &local))
        goto fail;
      break;
    case RF_BOUNCE_TEMPORARY:
    case RF_BOUNCE_UNKNOWN:
    case RF_BOUNCE_NOT_BOUNCE:
    default:
      break;
    }
  if (!rf_bounce_info_save (store, list, info, &local))
    goto fail;

  detail = g_strdup_printf ("%s: %s%s%s, score %u of %" G_GUINT64_FORMAT "%s", info->address,
                            rf_bounce_class_name (bounce_class), status != NULL ? " " : "",
                            status != NULL ? status : "", info->score, r.threshold,
                            outcome == RF_BOUNCE_DISABLED ? ", delivery disabled" : "");
  rf_activity_log (store, actor, outcome == RF_BOUNCE_DISABLED ? "bounce-disable" : "bounce",
                   list->address, detail);
  if (!rf_store_end (store, own, TRUE, error))
    return FALSE;
  *outcome_out = outcome;
  return TRUE;

fail:
  g_propagate_error (error, g_steal_pointer (&local));
  return rf_store_end (store, own, FALSE, NULL);
}

gboolean
rf_member_reenable (RfStore *store, const RfList *list, const char *address,
                    const RfActor *actor, GError **error)
{
  g_autoptr (RfMemberBounceInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  gboolean own = FALSE;
  gboolean was_disabled;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  info = rf_bounce_info_load (store, list, address, &local);
  if (info == NULL)
    {
      if (local == NULL)
        g_set_error (&local, RF_ERROR, RF_ERROR_NOT_FOUND, "'%s' is not a member of '%s'",
                     address, list->address);
      goto fail;
    }
  was_disabled = info->state == RF_MEMBER_DISABLED_BOUNCE;
  info->state = RF_MEMBER_ENABLED;
  info->score = 0;
  info->last_scored = 0;
  info->disabled_at = 0;
  info->notices = 0;
  info->last_notice = 0;
  if (!rf_bounce_info_save (store, list, info, &local))
    goto fail;
  if (!rf_journal_append (store, list->address, actor, "enable", info->address,
                          was_disabled ? "was disabled by bounces" : "score reset", &local) ||
      !rf_confirmations_drop (store, list->address, RF_CONFIRM_REENABLE, info->address, &local))
    goto fail;
  rf_activity_log (store, actor, "reenable", list->address, info->address);
  return rf_store_end (store, own, TRUE, error);

fail:
  g_propagate_error (error, g_steal_pointer (&local));
  return rf_store_end (store, own, FALSE, NULL);
}

/* Count notice @number of @of to @address, sent at @now (@refused: the
 * transport refused the address for good), if the member is still
 * disabled and no other sweep counted it meanwhile. */
static gboolean
count_notice (RfStore *store, const RfList *list, const char *address, guint number,
              guint64 of, gboolean refused, const char *refusal, gint64 now,
              const RfActor *actor, gboolean *counted_out, GError **error)
{
  g_autoptr (RfMemberBounceInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *value = NULL;
  g_autofree char *d = NULL;
  gboolean own = FALSE;

  *counted_out = FALSE;
  if (!rf_store_join (store, &own, error))
    return FALSE;
  info = rf_bounce_info_load (store, list, address, &local);
  if (info == NULL)
    {
      if (local != NULL)
        goto fail;
      return rf_store_end (store, own, TRUE, error);
    }
  if (info->state != RF_MEMBER_DISABLED_BOUNCE || info->notices + 1 != number)
    return rf_store_end (store, own, TRUE, error);
  value = g_strdup_printf ("notice %u of %" G_GUINT64_FORMAT "%s", number, of,
                           refused ? ", refused by the transport" : ", sent");
  info->notices = number;
  info->last_notice = now;
  if (!rf_bounce_info_save (store, list, info, &local) ||
      !rf_journal_append (store, list->address, actor, "bounce-notice", info->address, value,
                          &local))
    goto fail;
  d = g_strdup_printf ("%s: %s%s%s", info->address, value, refusal != NULL ? ": " : "",
                       refusal != NULL ? refusal : "");
  rf_activity_log (store, actor, "bounce-notice", list->address, d);
  *counted_out = TRUE;
  return rf_store_end (store, own, TRUE, error);

fail:
  g_propagate_error (error, g_steal_pointer (&local));
  return rf_store_end (store, own, FALSE, NULL);
}

/* Remove @info's member: every notice given and one more interval passed. */
static gboolean
remove_member (RfStore *store, const RfList *list, const RfMemberBounceInfo *info,
               const RfActor *actor, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *d =
      g_strdup_printf ("%s: removed after %u notices", info->address, info->notices);
  gboolean own = FALSE;

  if (!rf_store_join (store, &own, error))
    return FALSE;
  if (!rf_member_remove (store, list, info->address, actor, &local) ||
      !rf_confirmations_drop (store, list->address, RF_CONFIRM_REENABLE, info->address, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return rf_store_end (store, own, FALSE, NULL);
    }
  rf_activity_log (store, actor, "bounce-remove", list->address, d);
  return rf_store_end (store, own, TRUE, error);
}

/* The sweeps' lock, STATE/bounce-sweep.lock, held (waited for) while one
 * list is swept: two sweeps at once (cron's and an admin's, or cleanup's)
 * would both read a notice as due and both mail it.  The second one reads
 * the members after the first is done, and finds it sent.  Returns: the
 * open, locked file (closing it unlocks), or -1 with @error set. */
static int
sweep_lock (const RfConfig *config, GError **error)
{
  g_autofree char *path = g_build_filename (config->state_dir, "bounce-sweep.lock", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  int rc;

  if (fd < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot open %s: %s", path,
                   g_strerror (errno));
      return -1;
    }
  while ((rc = flock (fd, LOCK_EX)) != 0 && errno == EINTR)
    ;
  if (rc != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot lock %s: %s", path,
                   g_strerror (saved));
      return -1;
    }
  return fd;
}

static gboolean process_locked (const RfConfig *config, RfStore *store, const RfList *list,
                                const RfActor *actor, guint *noticed_out, guint *removed_out,
                                GError **error);

gboolean
rf_bounce_process (const RfConfig *config, RfStore *store, const RfList *list,
                   const RfActor *actor, guint *noticed_out, guint *removed_out, GError **error)
{
  int lock = sweep_lock (config, error);
  gboolean ok;

  if (noticed_out != NULL)
    *noticed_out = 0;
  if (removed_out != NULL)
    *removed_out = 0;
  if (lock < 0)
    return FALSE;
  ok = process_locked (config, store, list, actor, noticed_out, removed_out, error);
  close (lock);
  return ok;
}

static gboolean
process_locked (const RfConfig *config, RfStore *store, const RfList *list,
                const RfActor *actor, guint *noticed_out, guint *removed_out, GError **error)
{
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) unsent_error = NULL;
  guint noticed = 0, removed = 0, unsent = 0;
  gint64 now = rf_now ();
  gboolean ok = TRUE;
  Rules r;

  if (noticed_out != NULL)
    *noticed_out = 0;
  if (removed_out != NULL)
    *removed_out = 0;
  if (!read_rules (store, list, &r, error))
    return FALSE;
  all = rf_bounce_members (store, list, error);
  if (all == NULL)
    return FALSE;
  for (guint i = 0; ok && i < all->len; i++)
    {
      RfMemberBounceInfo *info = g_ptr_array_index (all, i);
      gint64 since = info->last_notice != 0 ? info->last_notice : info->disabled_at;
      gboolean due;

      if (info->state != RF_MEMBER_DISABLED_BOUNCE)
        continue;
      /* the first notice at once, the next ones an interval apart */
      due = info->last_notice == 0 || now - since >= (gint64) r.interval_days * RF_DAY;
      if (!due)
        continue;
      if (info->notices < r.notices)
        {
          /* this notice, the ones after it and one more interval */
          gint64 removal = now + (gint64) (r.notices - info->notices) *
                                     (gint64) r.interval_days * RF_DAY;
          g_autoptr (GError) local = NULL;
          g_autofree char *refusal = NULL;
          gboolean refused = FALSE, counted = FALSE;

          /* once the transport failed, the list's other notices wait too */
          if (unsent_error != NULL)
            {
              unsent++;
              continue;
            }
          if (!_rf_bounce_notice_send (config, store, list, info, info->notices + 1, r.notices,
                                       removal, &refused, &refusal, &local))
            {
              if (!g_error_matches (local, RF_ERROR, RF_ERROR_TEMPORARY))
                {
                  g_propagate_error (error, g_steal_pointer (&local));
                  ok = FALSE;
                  break;
                }
              {
                g_autofree char *d = g_strdup_printf (
                    "%s: notice %u of %" G_GUINT64_FORMAT " not sent (sent at the next "
                    "sweep): %s", info->address, info->notices + 1, r.notices, local->message);

                rf_activity_log (store, actor, "bounce-notice-failed", list->address, d);
              }
              unsent_error = g_steal_pointer (&local);
              unsent++;
              continue;
            }
          ok = count_notice (store, list, info->address, info->notices + 1, r.notices, refused,
                             refusal, now, actor, &counted, error);
          if (ok && counted)
            noticed++;
        }
      else
        {
          ok = remove_member (store, list, info, actor, error);
          if (ok)
            removed++;
        }
    }
  if (noticed_out != NULL)
    *noticed_out = noticed;
  if (removed_out != NULL)
    *removed_out = removed;
  if (!ok)
    return FALSE;
  if (unsent_error != NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "%s: %u bounce notice%s not sent, tried again at the next sweep: %s",
                   list->address, unsent, unsent == 1 ? "" : "s", unsent_error->message);
      return FALSE;
    }
  return TRUE;
}
