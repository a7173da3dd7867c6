/* store.h - the module header of lib/store/: what the rest of lib/ asks of
 * the store beyond the public API (reflector/store.h): transactions it
 * joins, the rows of each feature, expiry.  Only lib/store/ includes
 * sqlite3.h (store-private.h).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

const char *rf_store_state_dir (RfStore *store);
/* For the tests of upgrades: make STATE_DIR/reflector.db with the first
 * @version migrations applied, as a database of that older schema would
 * be. */
gboolean _rf_store_create_at_version (const char *state_dir, int version, GError **error);
/* For the tests: the page cache the store's connection keeps, in KiB
 * (RF_STORE_SMALL_CACHE), or -1 when it cannot be read. */
int _rf_store_cache_kib (RfStore *store);
/* True while the store's connection is inside a transaction: the store's
 * write functions then join the caller's transaction instead of opening
 * their own. */
gboolean rf_store_in_transaction (RfStore *store);
/* The store's write functions join a transaction the caller holds, or open
 * their own: rf_store_join begins one unless the caller holds one (*own_out
 * says which); rf_store_end ends the function's own one, committing when
 * @ok and rolling back otherwise, and returns @ok (FALSE when the commit
 * failed).  A joined transaction is the caller's to end. */
gboolean rf_store_join (RfStore *store, gboolean *own_out, GError **error);
gboolean rf_store_end (RfStore *store, gboolean own, gboolean ok, GError **error);

/* Append one event to the membership journal (inside the caller's
 * transaction).  @subject and @value may be NULL. */
gboolean rf_journal_append (RfStore *store, const char *list_address, const RfActor *actor,
                            const char *event, const char *subject, const char *value,
                            GError **error);

/* ---- delivery progress: what makes a retry resume, never restart ---- */

typedef enum {
  RF_RCPT_PENDING = 0,
  RF_RCPT_SENT = 1,
  RF_RCPT_FAILED = 2,   /* permanent failure reported by the transport */
} RfRecipientState;

/* A delivery is one incoming message (by its key, rf_spool_key()) being
 * fanned out to one list.  The first run snapshots the members as pending;
 * every outcome is committed as soon as the transport reports it, so a run
 * that is killed or exits 75 leaves exactly the members not reached yet.
 * *created_out says whether this call made the row; *done_out whether an
 * earlier run finished it (a retry then sends nothing). */
gboolean rf_delivery_open (RfStore *store, const RfList *list, const char *msg_key,
                           gint64 *id_out, gboolean *created_out, gboolean *done_out,
                           GError **error);
/* Whether an earlier run finished the delivery of @msg_key (without
 * creating anything): a message the MTA hands over again is then not even
 * rendered, so its policies store nothing twice. */
gboolean rf_delivery_is_done (RfStore *store, const char *msg_key, gboolean *done_out,
                              GError **error);
/* Returns: (transfer full) (element-type utf8) the pending addresses, sorted. */
GPtrArray *rf_delivery_pending (RfStore *store, gint64 delivery_id, GError **error);
/* Record one recipient's outcome (@detail: the transport's reason, or NULL). */
gboolean rf_delivery_record (RfStore *store, gint64 delivery_id, const char *address,
                             RfRecipientState state, const char *detail, GError **error);
gboolean rf_delivery_counts (RfStore *store, gint64 delivery_id, guint64 *pending_out,
                             guint64 *sent_out, guint64 *failed_out, GError **error);
/* issue 14: the members still pending, counted up to @cap (what the
 * transports need to size their connections, without reading a big
 * list's every row). */
gboolean _rf_delivery_pending_upto (RfStore *store, gint64 delivery_id, guint64 cap,
                                    guint64 *pending_out, GError **error);
gboolean rf_delivery_finish (RfStore *store, gint64 delivery_id, GError **error);

/* ---- delivery runs (issue 14): one run of a fan-out, its progress
 * written in group commits (store/delivery.c)
 *
 * A run reads the pending members of a delivery in batches of @every,
 * never all at once.  Before a batch is handed out, one transaction
 * commits the outcomes reported so far and marks the whole batch "in
 * flight" (state 3): a copy never leaves before its row says it may have.
 * Outcomes are committed with the @every-th one not yet committed, or
 * with the first one reported @interval_ms or more after the oldest of
 * them, and with every batch.
 *
 * After a crash, the rows still in flight are sent again by the next run,
 * which first turns them back into pending in a transaction of its own:
 * while that write fails (a full disk) nothing at all is sent.  The copies
 * that can go out twice are those whose outcome was not committed: at most
 * @every reported since the last commit, and those the transport had in
 * hand (at most `parallel`).
 */

typedef struct _RfDeliveryRun RfDeliveryRun;

/* A run of @delivery_id.  The rows in flight from a run that died become
 * pending again in the transaction of the first batch, before anything is
 * handed out.  @with_tokens: compute each member's one-click unsubscribe
 * token along.
 * Returns: (transfer full) free with _rf_delivery_run_free(). */
RfDeliveryRun *_rf_delivery_run_start (RfStore *store, const RfList *list, gint64 delivery_id,
                                      gboolean with_tokens, guint every, guint interval_ms,
                                      GError **error);

/* The next member to send to, marked in flight, and its token in
 * *@token_out (NULL when the member has none or tokens were not asked
 * for).  NULL at the end, or with @error set when the progress could not
 * be written (nothing more may be sent).  Both strings are the run's,
 * valid until the next call. */
const char *_rf_delivery_run_next (RfDeliveryRun *run, const char **token_out, GError **error);

/* One member's outcome, committed with the next group.  FALSE (with
 * @error) when a group commit failed: stop sending. */
gboolean _rf_delivery_run_record (RfDeliveryRun *run, const char *address,
                                 RfRecipientState state, const char *detail, GError **error);

/* Commit what is left; the members marked in flight but never handed to
 * the transport become pending again. */
gboolean _rf_delivery_run_end (RfDeliveryRun *run, GError **error);

void _rf_delivery_run_free (RfDeliveryRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfDeliveryRun, _rf_delivery_run_free)

/* ---- one-click unsubscribe ---- */

/* The token of @address's one-click unsubscribe link (RFC 8058): 160 bits,
 * URL-safe base64, the same in every post until the member leaves and
 * comes back.  Not stored: the database keeps a hash only.
 * RF_ERROR_NOT_FOUND if @address is not a member. */
char *rf_unsubscribe_token (RfStore *store, const RfList *list, const char *address,
                            GError **error);

/* ---- bounces: the rows (the rules are lib/bounce/score.c's) ---- */

/* The bounce row of the member @address names (in any case), or a fresh
 * one (not yet stored) for a member who never bounced; NULL with no error
 * when @address is not a member.  Returns: (transfer full). */
RfMemberBounceInfo *rf_bounce_info_load (RfStore *store, const RfList *list,
                                         const char *address, GError **error);
gboolean rf_bounce_info_save (RfStore *store, const RfList *list,
                              const RfMemberBounceInfo *info, GError **error);
/* Count one policy refusal of @list by the domain of @address. */
gboolean rf_bounce_policy_add (RfStore *store, const RfList *list, const char *address,
                               gint64 now, GError **error);

/* ---- accounts ---- */

/* Check a password, without throttling (rf_login_user is the web's way in).
 * *ok_out is FALSE for an unknown name too; the time taken is the same. */
gboolean rf_user_verify (RfStore *store, const char *name, const char *password,
                         gboolean *ok_out, GError **error);

/* ---- attachments ---- */

/* The next post number of @list_address (1, 2, ...; never reused, even
 * after the list is deleted and created again). */
gboolean rf_post_number_next (RfStore *store, const char *list_address, gint64 *number_out,
                              GError **error);
/* Insert a row (its blob must be stored already).  @token_hash is NULL in
 * readable mode.  *id_out (may be NULL) receives the row id. */
gboolean rf_attachment_add (RfStore *store, const RfAttachment *attachment,
                            const char *token_hash, gint64 *id_out, GError **error);
/* Rows whose expiry is at or before @now, oldest first, at most @limit.
 * Returns: (transfer full) (element-type RfAttachment). */
GPtrArray *rf_attachment_expired (RfStore *store, gint64 now, guint limit, GError **error);
/* Remove one row (a missing row is fine). */
gboolean rf_attachment_remove (RfStore *store, gint64 id, GError **error);

/* ---- Bounce Redelivery ---- */

/* Whether a copy of the delivery @msg_key is kept already. */
gboolean rf_redelivery_post_exists (RfStore *store, const char *msg_key, gboolean *exists_out,
                                    GError **error);
/* Insert the row of a kept post (its blob stored already).  *added_out is
 * FALSE when a row of @msg_key was there: the caller then deletes its blob. */
gboolean rf_redelivery_post_add (RfStore *store, const RfRedeliveryPost *post,
                                 const char *msg_key, gboolean *added_out, GError **error);
/* Record that the kept posts of @list_address whose Message-ID is one of
 * @message_ids (element-type utf8, without <>) bounced for @member.
 * *linked_out (may be NULL): how many posts matched. */
gboolean rf_redelivery_link (RfStore *store, const char *list_address, const char *member,
                             GPtrArray *message_ids, guint *linked_out, GError **error);
/* When @member of @list_address was last sent a notice (0: never). */
gboolean rf_redelivery_last_notice (RfStore *store, const char *list_address,
                                    const char *member, gint64 *last_out, GError **error);
/* Store the hash of a new page token and the notice's time, in one
 * transaction. */
gboolean rf_redelivery_token_add (RfStore *store, const char *token_hash,
                                  const char *list_address, const char *member,
                                  gint64 now, gint64 expires, GError **error);
/* Kept posts expired at @now, at most @limit.
 * Returns: (transfer full) (element-type RfRedeliveryPost). */
GPtrArray *rf_redelivery_expired (RfStore *store, gint64 now, guint limit, GError **error);
/* Remove one kept post's row and its bounce links (a missing row is fine). */
gboolean rf_redelivery_post_remove (RfStore *store, gint64 id, GError **error);

/* ---- Disappearing Ink (issue 16; rf_ink_lookup is public) ---- */

/* Insert the rows of an ink post (its blobs stored already): @ink's list,
 * blob ids and times, under @token_hash (rf_token_hash of its link's
 * token), in one transaction. */
gboolean rf_ink_add (RfStore *store, const char *token_hash, const RfInk *ink, GError **error);
/* Ink posts expired at @now, oldest first, at most @limit.
 * Returns: (transfer full) (element-type RfInk). */
GPtrArray *rf_ink_expired (RfStore *store, gint64 now, guint limit, GError **error);
/* Remove an ink post's rows (a missing row is fine). */
gboolean rf_ink_remove (RfStore *store, gint64 id, GError **error);

/* ---- rows that expire by age (store/expiry.c, sessions.c), run inside
 * the cleanup engine's transaction (rf_cleanup_run): each removes what is
 * older than @before (seconds since the epoch) and adds to *removed_out ---- */

gboolean rf_activity_expire (RfStore *store, gint64 before, guint64 *removed_out,
                             GError **error);
/* Deliveries (finished, or abandoned by the MTA) created before @before,
 * with their per-recipient rows.  Returns: (transfer full) (element-type
 * utf8) their message keys, whose spool files the caller removes; NULL on
 * error. */
GPtrArray *rf_deliveries_expire (RfStore *store, gint64 before, guint64 *removed_out,
                                 GError **error);
/* Expired sessions, old failure records and ended blocks, as @policy says. */
gboolean rf_sessions_expire (RfStore *store, const RfSecurityPolicy *policy,
                             guint64 *removed_out, GError **error);
/* Expired redelivery page tokens, and notice times older than a day (they
 * limit nothing any more). */
gboolean rf_redelivery_tokens_expire (RfStore *store, gint64 now, guint64 *removed_out,
                                      GError **error);

/* ---- issue 15: the troubleshooting store's rows (kept.c) ---- */

gboolean rf_kept_exists (RfStore *store, const char *msg_key, gboolean *exists_out,
                         GError **error);
/* Insert the row of a kept message (its blob stored already); *added_out
 * is FALSE when a row of @msg_key was there: the caller deletes its blob. */
gboolean rf_kept_add (RfStore *store, const RfKeptMessage *message, const char *msg_key,
                      gboolean *added_out, GError **error);
gboolean rf_kept_set_outcome (RfStore *store, const char *msg_key, const char *outcome,
                              GError **error);
/* Rows received before @before, oldest first, at most @limit; every row.
 * Returns: (transfer full) (element-type RfKeptMessage). */
GPtrArray *rf_kept_expired (RfStore *store, gint64 before, guint limit, GError **error);
GPtrArray *rf_kept_all (RfStore *store, GError **error);
gboolean rf_kept_remove (RfStore *store, gint64 id, GError **error);

/* ---- issue 15: snapshots and the backups table (snapshot.c) ---- */

/* Copy the database as it is when this begins into the new file @path
 * (0600), keeping what a backup holds (lists, settings, members, accounts,
 * the journal; the archive when @archive); every other table is empty. */
gboolean rf_store_snapshot (RfStore *store, const char *path, gboolean archive, GError **error);
/* PRAGMA integrity_check of the database file @path: *problem_out NULL
 * when it is ok, else what it says. */
gboolean rf_store_file_check (const char *path, char **problem_out, GError **error);
gboolean rf_backup_add (RfStore *store, const RfBackup *backup, GError **error);
/* RF_ERROR_NOT_FOUND when there is no backup @name. */
RfBackup *rf_backup_find (RfStore *store, const char *name, GError **error);
/* Whether a weekly backup was taken in [@from, @to). */
gboolean rf_backup_weekly_between (RfStore *store, gint64 from, gint64 to, gboolean *found_out,
                                   GError **error);
/* Daily backups taken at or before @daily_before, weekly ones at or
 * before @weekly_before (a daily kept 7 days is gone at 7 days old).  Returns: (transfer full) (element-type RfBackup). */
GPtrArray *rf_backups_expired (RfStore *store, gint64 daily_before, gint64 weekly_before,
                               GError **error);
gboolean rf_backup_remove (RfStore *store, gint64 id, GError **error);

/* ---- issue 15: inbox monitoring's rows (monitor.c) ---- */

gboolean rf_monitor_sent (RfStore *store, const char *msg_key, const char *seed,
                          gboolean *sent_out, GError **error);
gboolean rf_monitor_record_send (RfStore *store, const char *msg_key, const char *seed,
                                 const char *list_address, gint64 post_id,
                                 RfRecipientState state, const char *detail, GError **error);
gboolean rf_monitor_record_bounce (RfStore *store, const char *list_address, const char *seed,
                                   const char *bounce_class, const char *status,
                                   const char *diagnostic, GError **error);
/* Per seed address, from @since on.  Returns: (transfer full) (element-type
 * RfMonitorSeed). */
GPtrArray *rf_monitor_summary (RfStore *store, gint64 since, GError **error);
gboolean rf_monitor_expire (RfStore *store, gint64 before, guint64 *removed_out,
                            GError **error);

/* ---- issue 15: one person's rows (person.c).  Each "about" returns a
 * JSON array of the rows that name @address in any case; each "erase"
 * removes them, or puts @hash where the address was, adding the rows
 * changed to *count_out ---- */

JsonNode *rf_person_members_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_members_erase (RfStore *store, const char *address, const char *hash,
                                  const RfActor *actor, guint64 *count_out, GError **error);
JsonNode *rf_person_bounces_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_bounces_erase (RfStore *store, const char *address, const char *hash,
                                  guint64 *count_out, GError **error);
JsonNode *rf_person_journal_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_journal_erase (RfStore *store, const char *address, const char *hash,
                                  guint64 *count_out, GError **error);
JsonNode *rf_person_activity_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_activity_erase (RfStore *store, const char *address, const char *hash,
                                   guint64 *count_out, GError **error);
JsonNode *rf_person_deliveries_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_deliveries_erase (RfStore *store, const char *address, const char *hash,
                                     guint64 *count_out, GError **error);
JsonNode *rf_person_archive_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_archive_erase (RfStore *store, const char *address, const char *hash,
                                  guint64 *count_out, GError **error);
JsonNode *rf_person_accounts_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_accounts_erase (RfStore *store, const char *address, const char *hash,
                                   guint64 *count_out, GError **error);
JsonNode *rf_person_monitor_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_monitor_erase (RfStore *store, const char *address, const char *hash,
                                  guint64 *count_out, GError **error);
JsonNode *rf_person_kept_about (RfStore *store, const char *address, GError **error);
/* issue 10: pending confirmations of the address, its daily answer counts
 * ("day" in days since the epoch) */
JsonNode *rf_person_requests_about (RfStore *store, const char *address, GError **error);
gboolean rf_person_requests_erase (RfStore *store, const char *address, const char *hash,
                                   guint64 *count_out, GError **error);
gboolean rf_erasure_add (RfStore *store, const char *hash, GError **error);
gboolean rf_erasure_exists (RfStore *store, const char *hash, gboolean *exists_out,
                            GError **error);
/* PRAGMA secure_delete for this connection: deleted rows are zeroed. */
gboolean rf_store_secure_delete (RfStore *store, gboolean on, GError **error);
/* After an erasure: merge the archive's FTS5 segments, VACUUM, checkpoint
 * and truncate the write-ahead log (*complete_out FALSE when a reader
 * kept it from finishing). */
gboolean rf_store_scrub (RfStore *store, gboolean *complete_out, GError **error);
/* Where @needle is written, in any ASCII case, in a text column of any
 * table: "table.column (N rows)".  Returns: (transfer full) (element-type
 * utf8). */
GPtrArray *rf_store_find_text (RfStore *store, const char *needle, GError **error);

/* Whether a bounce to a VERP address without an authenticator still
 * counts: in the RF_VERP_TRANSITION_DAYS after the site got them, when it
 * had sent posts before (issue 11; verp-transition.c). */
#define RF_VERP_TRANSITION_DAYS 14
gboolean _rf_verp_unsigned_accepted (RfStore *store, gboolean *accepted_out, GError **error);

/* A subkey of the site key of the configuration the store was opened with
 * (rf_store_open_with_keys; RF_ERROR_TEMPORARY without one), or with
 * @previous of the one the last rotation replaced (FALSE without @error
 * when there is none). */
gboolean _rf_store_site_subkey (RfStore *store, const char *context, guint64 id,
                                gboolean previous, guint8 out[32], GError **error);
/* ---- issue 10: confirmations, held posts, automatic answers ---- */

/* Record a confirmation under @token_hash (rf_token_hash of the token). */
gboolean rf_confirmation_add (RfStore *store, const char *token_hash, const RfConfirmation *c,
                              GError **error);
/* The confirmation of @token_hash, expired or not; RF_ERROR_NOT_FOUND when
 * there is none.  *out: (transfer full). */
gboolean rf_confirmation_get (RfStore *store, const char *token_hash, RfConfirmation **out,
                              GError **error);
/* Delete the row: *spent_out is TRUE for the one caller that did. */
gboolean rf_confirmation_spend (RfStore *store, const char *token_hash, gboolean *spent_out,
                                GError **error);
/* Confirmations expired at @now (cleanup). */
gboolean rf_confirmations_expire (RfStore *store, gint64 now, guint64 *removed_out,
                                  GError **error);
/* issue 17: delete every confirmation of @action for @address (any case)
 * on @list_address: the re-enable tokens of a member once one is used, or
 * the member is re-enabled or removed otherwise. */
gboolean rf_confirmations_drop (RfStore *store, const char *list_address,
                                RfConfirmAction action, const char *address, GError **error);

/* Insert the row of a held post (its blob stored already); *added_out is
 * FALSE when a row of its msg_key was there (the caller drops its blob). */
gboolean rf_held_add (RfStore *store, const RfHeldPost *post, gboolean *added_out,
                      GError **error);
/* RF_ERROR_NOT_FOUND when absent.  Returns: (transfer full). */
RfHeldPost *rf_held_get (RfStore *store, gint64 id, GError **error);
RfHeldPost *rf_held_by_key (RfStore *store, const char *msg_key, GError **error);
gboolean rf_held_set_state (RfStore *store, gint64 id, const char *state, GError **error);
/* Whether the moderators were sent their notice of @id (FALSE for no row). */
gboolean rf_held_notified (RfStore *store, gint64 id, gboolean *notified_out, GError **error);
gboolean rf_held_set_notified (RfStore *store, gint64 id, GError **error);
/* Remove the row and its confirmations (a missing row is fine: *removed_out,
 * may be NULL, says whether this call removed it). */
gboolean rf_held_remove (RfStore *store, gint64 id, gboolean *removed_out, GError **error);
/* The same, for the cleanup engine's table of blob rows. */
gboolean rf_held_remove_id (RfStore *store, gint64 id, GError **error);
/* Held posts expired at @now, at most @limit.
 * Returns: (transfer full) (element-type RfHeldPost). */
GPtrArray *rf_held_expired (RfStore *store, gint64 now, guint limit, GError **error);

/* Count one automatic answer to @address from @list_address today, unless
 * @limit were passed: *allowed_out says whether the answer may go. */
gboolean rf_autoresponse_take (RfStore *store, const char *list_address, const char *address,
                               guint64 limit, gint64 now, gboolean *allowed_out,
                               GError **error);
/* The counters of days before the day of @now (cleanup). */
gboolean rf_autoresponses_expire (RfStore *store, gint64 now, guint64 *removed_out,
                                  GError **error);
