/* deliver.c - the path of one post (DESIGN.md): address, screen, policies,
 * render once, fan out with recorded progress.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The order is what makes "nothing lost, nothing twice" hold:
 *   1. the message is on disk (spool/<key>.msg) before we look at anything,
 *      so a crash at any later point leaves it for the MTA's retry and for
 *      the sysadmin;
 *   2. one run per message at a time (spool/<key>.lock);
 *   3. the rendered copy (spool/<key>.out) exists before the delivery row,
 *      so every run that finds the row sends the same bytes;
 *   4. each recipient's outcome is committed as the transport reports it.
 * Permanent outcomes (bounced, dropped, delivered) remove the spool files:
 * the MTA holds the message until we answer, we keep nothing after.
 */
#include "archive/archive.h"
#include "bounce/bounce.h"
#include "crypto/crypto.h"
#include "policy/policy.h"
#include "redelivery/redelivery.h"
#include "roles/roles.h"
#include "deliver/deliver-private.h"
#include "deliver/monitor-private.h"
#include "keep/keep.h"

#include <string.h>
#include <unistd.h>

/* issue 14: outcomes are committed with the COMMIT_EVERY-th one not yet
 * committed, or with the first one reported COMMIT_MS after the oldest;
 * the copies of one batch (COMMIT_EVERY) are marked in flight in one
 * transaction before the first of them is handed to the transport.  After
 * a crash at most parallel + COMMIT_EVERY copies go out twice
 * (listdeliver(8), RETRIES; tests/e2e/t-kill.sh). */
#define COMMIT_EVERY 256
#define COMMIT_MS 100

typedef struct {
  RfStore *store;
  const RfPolicyContext *ctx;
  gint64 delivery_id;
  RfDeliveryRun *run;
  const char *current;    /* the address last drawn from the run, and */
  const char *token;      /* its one-click token (both the run's) */
  guint64 sent_now;
  guint64 temporary;
  char *last_temporary;   /* the reason of the last temporary failure */
  /* issue 14: the one-click lines, asked once; a copy's are the text
   * before its token and the text after it */
  gboolean one_click;
  char *click_before, *click_after;
} Progress;

static const char *
next_recipient (gpointer user_data, GError **error)
{
  Progress *progress = user_data;

  progress->current = _rf_delivery_run_next (progress->run, &progress->token, error);
  return progress->current;
}

static gboolean
record_result (const char *address, RfRecipientState state, const char *detail,
               gpointer user_data, GError **error)
{
  Progress *progress = user_data;

  if (state == RF_RCPT_SENT)
    progress->sent_now++;
  else if (state == RF_RCPT_PENDING)
    {
      progress->temporary++;
      g_free (progress->last_temporary);
      progress->last_temporary = g_strdup (detail);
    }
  return _rf_delivery_run_record (progress->run, address, state, detail, error);
}

/* The member's own List-Unsubscribe lines (one-click link), or NULL. */
static char *
copy_header (const char *address, gpointer user_data, GError **error)
{
  Progress *progress = user_data;
  g_autoptr (GError) local = NULL;
  g_autofree char *token = NULL;

  if (!progress->one_click)
    return NULL;
  /* the transport asks right after drawing the address: the run computed
   * the token with the batch, without a query per copy */
  if (progress->current != NULL && g_str_equal (address, progress->current))
    {
      if (progress->token != NULL && progress->click_before != NULL)
        return g_strconcat (progress->click_before, progress->token, progress->click_after,
                            NULL);
      return _rf_policy_one_click_lines (progress->ctx, progress->token);
    }
  token = rf_unsubscribe_token (progress->store, progress->ctx->list, address, &local);
  if (token == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return _rf_policy_one_click_lines (progress->ctx, token);
}

/* issue 16: what the archive and Bounce Redelivery keep of the post: the
 * copy without the link of an ink post, else the rendered copy. */
static const char *
kept_or_out (const char *kept_path, const char *out_path)
{
  return g_file_test (kept_path, G_FILE_TEST_EXISTS) ? kept_path : out_path;
}

/* The rendered copy: made once, reused by every retry.  For an ink post
 * (issue 16) also the copy that is kept (@kept_path), written first, so
 * that a rendered copy always has it. */
static gboolean
render_once (GMimeMessage *message, GBytes *raw, gboolean lossy, const RfPolicyContext *ctx,
             const char *out_path, const char *kept_path, GError **error)
{
  g_autoptr (GBytes) rendered = NULL;
  g_autoptr (GBytes) kept = NULL;
  gsize len;
  const void *data;

  if (g_file_test (out_path, G_FILE_TEST_EXISTS))
    return TRUE;
  /* preview.c: the same rendering as rf_deliver_preview's; an ink post
   * (issue 16) also gives the copy that is kept */
  rendered = _rf_deliver_render (message, raw, lossy, ctx, &kept, error);
  if (rendered == NULL)
    return FALSE;
  data = kept != NULL ? g_bytes_get_data (kept, &len) : NULL;
  if (kept != NULL && !_rf_spool_write_file (kept_path, data, len, error))
    return FALSE;
  data = g_bytes_get_data (rendered, &len);
  return _rf_spool_write_file (out_path, data, len, error);
}

static gboolean
fan_out (const RfConfig *config, RfStore *store, const RfPolicyContext *ctx, gint64 delivery_id,
         const char *out_path, RfDeliverReport *report, GError **error)
{
  const RfList *list = ctx->list;
  g_autoptr (RfDeliveryRun) run = NULL;
  Progress progress = { store, ctx, delivery_id, NULL, NULL, NULL, 0, 0, NULL, FALSE, NULL, NULL };
  guint64 n_pending, n_sent, n_failed;
  g_autoptr (GError) ended = NULL;
  gboolean ok = TRUE;

  /* enough to size the transport's connections (a connection per 16
   * copies, up to 256), not a count of a big list's every row */
  if (!_rf_delivery_pending_upto (store, delivery_id, 16 * 256, &n_pending, error))
    return FALSE;
  /* the VERP senders need the site key (issue 11): trouble with it is 75
   * before any copy, not a pending copy each */
  {
    g_autofree char *probe = rf_verp_sender (config, list->address, list->address, error);

    if (probe == NULL)
      return FALSE;
  }
  run = _rf_delivery_run_start (store, list, delivery_id, _rf_policy_one_click (ctx), COMMIT_EVERY,
                               COMMIT_MS, error);
  if (run == NULL)
    return FALSE;
  progress.run = run;
  progress.one_click = _rf_policy_one_click (ctx);
  if (progress.one_click)
    {
      /* the lines with a token no token is (base64url has no \001),
       * split where it stands */
      g_autofree char *lines = _rf_policy_one_click_lines (ctx, "\001");
      char *mark = strchr (lines, '\001');

      if (mark != NULL && strchr (mark + 1, '\001') == NULL)
        {
          progress.click_before = g_strndup (lines, (gsize) (mark - lines));
          progress.click_after = g_strdup (mark + 1);
        }
    }
  if (n_pending == 0)
    ;
  else if (g_str_equal (config->transport, "smtp"))
    ok = _rf_smtp_send (config, out_path, list->address, (guint) MIN (n_pending, G_MAXUINT),
                        next_recipient, copy_header, record_result, &progress, error);
  else
    ok = _rf_sendmail_send (config, out_path, list->address, (guint) MIN (n_pending, G_MAXUINT),
                            next_recipient, copy_header, record_result, &progress, error);
  /* the outcomes not committed yet, whatever happened: what went out must
   * not go out again */
  if (!_rf_delivery_run_end (run, ok ? error : &ended))
    ok = FALSE;
  g_free (progress.click_before);
  g_free (progress.click_after);
  report->sent_now = progress.sent_now;
  if (!ok)
    {
      g_free (progress.last_temporary);
      return FALSE;
    }
  if (!rf_delivery_counts (store, delivery_id, &n_pending, &n_sent, &n_failed, error))
    {
      g_free (progress.last_temporary);
      return FALSE;
    }
  report->sent = n_sent;
  report->failed = n_failed;
  if (n_pending > 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " members not reached yet (%s); the MTA will retry and only they will "
                   "be sent to",
                   n_pending, n_pending + n_sent + n_failed,
                   progress.last_temporary != NULL ? progress.last_temporary
                                                   : "temporary failure");
      g_free (progress.last_temporary);
      return FALSE;
    }
  g_free (progress.last_temporary);
  return TRUE;
}

/* @approved: a held post a moderator approved (issue 10), past the screen */
static gboolean
deliver_post (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
              const char *envelope_sender, GBytes *raw, const char *spool_dir, const char *key,
              gboolean approved, RfDeliverReport *report, GError **error)
{
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *out_path = _rf_spool_path (spool_dir, key, "out");
  /* issue 16: what the archive and Bounce Redelivery keep of an ink post */
  g_autofree char *kept_path = _rf_spool_path (spool_dir, key, "kept");
  RfPolicyContext ctx;
  g_autoptr (GBytes) fixed = NULL;
  gboolean created = FALSE, done = FALSE, lossy = FALSE;
  gint64 delivery_id = 0;
  g_autoptr (RfDmarcVerdict) dmarc = NULL;

  settings = rf_list_settings (store, list, error);
  if (settings == NULL)
    return FALSE;
  fixed = _rf_mime_fix_line_ends (raw);
  message = _rf_mime_parse (fixed, &lossy, error);
  if (message == NULL)
    return FALSE;
  /* issue 10: loops, automatic replies and moderation; what is held,
   * dropped or refused ends here */
  if (!approved)
    {
      gboolean pass = FALSE;

      if (!_rf_screen (config, actor, store, list, settings, message, raw, envelope_sender, key,
                       &pass, report, error))
        return FALSE;
      if (!pass)
        return TRUE;
    }

  /* the same message again after it went out: nothing to render (the
   * attachments policy would store its files a second time) */
  if (!rf_delivery_is_done (store, key, &done, error))
    return FALSE;
  if (done)
    {
      /* issue 4 archive hook: the retry after an archiving failure (75)
       * finds the rendered copy still in the spool */
      if (g_file_test (out_path, G_FILE_TEST_EXISTS) &&
          !_rf_archive_delivered (store, actor, list, settings, key,
                                  kept_or_out (kept_path, out_path), error))
        return FALSE;
      report->outcome = RF_ALREADY_DELIVERED;
      return TRUE;
    }

  /* issue 3: the attachments policy stores rows through ctx.store */
  ctx = (RfPolicyContext) {
    .list = list, .settings = settings, .config = config, .store = store, .actor = actor
  };
  /* issue 10 DMARC hook: the post's one network lookup, before the
   * policies (which never do I/O), and only when the copy is still to be
   * rendered; it never fails (a failed lookup is a verdict: rewrite) */
  if (!g_file_test (out_path, G_FILE_TEST_EXISTS))
    {
      g_auto (GStrv) domains = _rf_policy_dmarc_domains (message, &ctx);

      if (domains != NULL && !_rf_dmarc_lookups_off (config))
        dmarc = _rf_dmarc_lookup (config, (const char *const *) domains);
      ctx.dmarc = dmarc;
    }
  if (!render_once (message, fixed, lossy, &ctx, out_path, kept_path, error))
    return FALSE;
  /* issue 14: from here on the post is the rendered file: the parsed tree
   * and its bytes would only add to the peak of a big post's fan-out */
  g_clear_object (&message);
  g_clear_pointer (&fixed, g_bytes_unref);
  if (!rf_delivery_open (store, list, key, &delivery_id, &created, &done, error))
    return FALSE;
  if (done)
    {
      /* issue 4 archive hook: a retry after an archiving failure */
      if (!_rf_archive_delivered (store, actor, list, settings, key,
                                  kept_or_out (kept_path, out_path), error))
        return FALSE;
      report->outcome = RF_ALREADY_DELIVERED;
      return TRUE;
    }
  /* (issue 16: an ink post is parsed as well as it can be, never passed
   * through) */
  if (created && lossy && !g_file_test (kept_path, G_FILE_TEST_EXISTS))
    rf_activity_log (store, actor, "pass-through", list->address,
                     "malformed header lines: the post goes out as received, with the "
                     "list's header fields but without subject prefix and footer");
  /* issue 5 redelivery hook: bounce_redelivery = on keeps the post as sent
   * for redelivery_days.  Before the fan-out, not after: a refusal can come
   * back while the last copies are still going out, and its bounce must
   * find the post.  Idempotent by key; a failure is 75 (the MTA's retry
   * keeps it, and resends nothing that went out) */
  if (!_rf_redelivery_keep (config, store, list, settings, key,
                            kept_or_out (kept_path, out_path), error))
    return FALSE;
  if (!fan_out (config, store, &ctx, delivery_id, out_path, report, error))
    return FALSE;
  /* issue 15 inbox monitoring hook: the seeds' copies, best effort */
  _rf_monitor_send (config, store, &ctx, delivery_id, key, out_path);
  if (!rf_delivery_finish (store, delivery_id, error))
    return FALSE;
  {
    g_autofree char *detail =
        g_strdup_printf ("%" G_GUINT64_FORMAT " copies sent, %" G_GUINT64_FORMAT
                         " refused by the transport",
                         report->sent, report->failed);

    rf_activity_log (store, actor, "post", list->address, detail);
  }
  /* issue 4 archive hook: archive = on keeps the post as sent; idempotent
   * by key, so when it fails (75) the MTA's retry archives, resending
   * nothing */
  if (!_rf_archive_delivered (store, actor, list, settings, key,
                              kept_or_out (kept_path, out_path), error))
    return FALSE;
  report->outcome = RF_DELIVERED;
  return TRUE;
}

/* ---- issue 5: bounces (hook) ----
 * A returned copy: parse it, find the member from the VERP address (the
 * hashed form through the member table), else from the report, and score
 * it.  Always exit 0 unless the store is in trouble: the MTA must never
 * bounce a bounce, and a bounce for a non-member is only logged. */
static gboolean
bounce_received (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
                 const RfRecipient *recipient, GBytes *raw, RfDeliverReport *report, GError **error)
{
  g_autoptr (RfBounce) bounce = NULL;
  g_autofree char *member = NULL;
  g_autofree char *detail = NULL;
  RfBounceRecipient *first = NULL;
  RfBounceOutcome outcome = RF_BOUNCE_IGNORED;
  RfVerpCheck check = RF_VERP_FORGED;
  gboolean is_member = FALSE;

  report->outcome = RF_BOUNCE_RECEIVED;
  bounce = rf_bounce_parse (raw, NULL);
  /* issue 15 inbox monitoring hook: a seed's copy came back */
  {
    gboolean seed = FALSE;

    if (!_rf_monitor_bounced (config, store, list, recipient->tag, bounce, &seed, error))
      return FALSE;
    if (seed)
      return TRUE;
  }
  if (bounce != NULL && bounce->recipients->len > 0)
    first = g_ptr_array_index (bounce->recipients, 0);
  /* issue 11: the member is the one the VERP address names, and the
   * bounce counts only when the address's authenticator holds (a copy we
   * sent them), or it has none and was made before there were any (a
   * transition of RF_VERP_TRANSITION_DAYS) */
  if (!rf_verp_resolve (store, config, list, recipient->tag, &member, &check, error))
    return FALSE;
  if (check == RF_VERP_UNSIGNED)
    {
      gboolean accepted = FALSE;

      if (!_rf_verp_unsigned_accepted (store, &accepted, error))
        return FALSE;
      if (accepted)
        check = RF_VERP_AUTHENTIC;
    }
  if (member != NULL)
    {
      g_autofree char *stored = NULL;

      if (!rf_member_find (store, list, member, &stored, error))
        return FALSE;
      is_member = stored != NULL;
      if (is_member)
        {
          g_free (member);
          member = g_steal_pointer (&stored);
        }
    }
  if (bounce == NULL || member == NULL || !is_member)
    {
      detail = g_strdup_printf ("bounce for %s, not a member: dropped (%s)",
                                member != NULL ? member : "an unknown address",
                                bounce != NULL ? rf_bounce_class_name (bounce->bounce_class)
                                               : "unreadable");
      rf_activity_log (store, actor, "bounce-drop", list->address, detail);
      return TRUE;
    }
  if (check != RF_VERP_AUTHENTIC)
    {
      /* parsed, and counted for nothing: anyone can write to a VERP address */
      detail = g_strdup_printf ("bounce for %s %s: not counted (%s)", member,
                                check == RF_VERP_UNSIGNED
                                    ? "to a VERP address without an authenticator"
                                    : "to a VERP address whose authenticator does not hold",
                                rf_bounce_class_name (bounce->bounce_class));
      rf_activity_log (store, actor, "bounce-unauthenticated", list->address, detail);
      return TRUE;
    }
  /* the report's line for this member, if it names them; else its first */
  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      RfBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      if (g_ascii_strcasecmp (r->address, member) == 0)
        first = r;
    }
  /* Bounce Redelivery: whatever the class, the member missed a post,
   * unless the copy is only delayed.  Before the bounce is recorded: the
   * link skips posts kept once the member's delivery was disabled, and
   * the post this bounce returns was sent while it was not (recorded
   * first, a bounce back within the post's second would disable the
   * member "before" it).  Both steps are idempotent for the MTA's retry:
   * the link by its key, the notice by its once a day */
  if (!_rf_redelivery_bounced (config, actor, store, list, member, raw,
                               first != NULL ? first->bounce_class : bounce->bounce_class,
                               first != NULL ? first->action : RF_BOUNCE_ACTION_UNKNOWN, error))
    return FALSE;
  return rf_bounce_record (store, list, member,
                           first != NULL ? first->bounce_class : bounce->bounce_class,
                           first != NULL ? first->status : NULL,
                           first != NULL ? first->diagnostic : NULL, actor, &outcome, error);
}
/* ---- end of issue 5 hook ---- */

gboolean
rf_deliver (const RfConfig *config, const RfActor *actor, const char *recipient,
            const char *envelope_sender, GBytes *raw, RfDeliverReport *report, GError **error)
{
  g_autoptr (RfRecipient) r = NULL;
  g_autoptr (RfStore) store = NULL;
  g_autoptr (RfList) list = NULL;
  g_autofree char *spool_dir = NULL;
  g_autofree char *key = NULL;
  g_autoptr (GError) local = NULL;
  int lock_fd;
  gboolean ok;

  memset (report, 0, sizeof *report);
  if (!rf_crypto_init (error))
    return FALSE;
  r = rf_recipient_parse (recipient, error);
  if (r == NULL)
    return FALSE;

  /* 1. the message's key.  Its bytes are not copied to the spool: the
   * MTA holds the message until we answer and gives the same bytes again
   * on a retry (issue 14: a copy written, synced twice and deleted per
   * post was CPU for nothing, and left the raw post in the clear beside
   * the sealed troubleshooting copy) */
  spool_dir = _rf_spool_dir (config->state_dir, error);
  if (spool_dir == NULL)
    return FALSE;
  key = rf_spool_key (recipient, raw);

  /* 2. one run per message */
  lock_fd = _rf_spool_lock (spool_dir, key, error);
  if (lock_fd < 0)
    return FALSE;

  store = rf_store_open_with_keys (config, RF_STORE_READ_WRITE | RF_STORE_SMALL_CACHE, &local);
  if (store == NULL)
    {
      /* a missing database is trouble to fix, never "no such list": the
       * post waits in the MTA's queue (75) until it is fixed */
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
        g_set_error_literal (error, RF_ERROR, RF_ERROR_TEMPORARY, local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      close (lock_fd);
      return FALSE;
    }

  list = rf_list_lookup (store, r->list_address, &local);
  if (list == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
        {
          g_clear_error (&local);
          g_set_error (&local, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no such list: %s",
                       r->list_address);
        }
      ok = FALSE;
    }
  /* issue 15 troubleshooting store hook: kept before anything is done */
  else if (!_rf_keep_received (config, store, list, r, envelope_sender, raw, key, &local))
    ok = FALSE;
  else if (r->role == RF_ROLE_BOUNCES)
    ok = bounce_received (config, actor, store, list, r, raw, report, &local);
  else if (r->role != RF_ROLE_POST)
    /* issue 10: every other address of the list answers (lib/roles/) */
    ok = _rf_roles_handle (config, actor, store, list, r, envelope_sender, raw, report, &local);
  else
    ok = deliver_post (config, actor, store, list, envelope_sender, raw, spool_dir, key, FALSE,
                       report, &local);

  /* issue 15 troubleshooting store hook: what became of it */
  if (list != NULL)
    _rf_keep_outcome (store, key, ok, report, local);
  /* keep the spool only while the MTA will come back with the message */
  if (ok || !g_error_matches (local, RF_ERROR, RF_ERROR_TEMPORARY))
    _rf_spool_remove (spool_dir, key);
  close (lock_fd);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/* ---- issue 10: a held post a moderator approved ----
 * The path of a post from the policies on, under the key of the message
 * that brought it, with that key's lock: approving twice, or after a
 * failure half-way, sends nobody a second copy. */
gboolean
_rf_deliver_approved (const RfConfig *config, const RfActor *actor, RfStore *store,
                      const RfList *list, GBytes *raw, const char *key, RfDeliverReport *report,
                      GError **error)
{
  g_autofree char *spool_dir = NULL;
  int lock_fd;
  gboolean ok;

  memset (report, 0, sizeof *report);
  spool_dir = _rf_spool_dir (config->state_dir, error);
  if (spool_dir == NULL)
    return FALSE;
  lock_fd = _rf_spool_lock (spool_dir, key, error);
  if (lock_fd < 0)
    return FALSE;
  ok = deliver_post (config, actor, store, list, NULL, raw, spool_dir, key, TRUE, report, error);
  if (ok)
    _rf_spool_remove (spool_dir, key);
  close (lock_fd);
  return ok;
}
