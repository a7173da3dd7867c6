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
gboolean rf_delivery_finish (RfStore *store, gint64 delivery_id, GError **error);

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
