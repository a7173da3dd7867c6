/* deliver-private.h - shared by the files of lib/deliver/: the spool
 * (spool.c), the screen step (screen.c) and the transports
 * (transport-sendmail.c, transport-smtp.c).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "deliver/deliver.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "store/store.h"

/* ---- spool.c ---- */
/* SPOOL/<key>.<ext>.  Returns: (transfer full). */
char *_rf_spool_path (const char *spool_dir, const char *key, const char *ext);
/* Write @path atomically and durably (temporary file, fsync, rename,
 * fsync of the directory).  RF_ERROR_TEMPORARY on any trouble. */
gboolean _rf_spool_write_file (const char *path, const void *data, gsize len,
                               GError **error);
/* Take the exclusive lock of one message's delivery; the returned fd holds
 * it until closed (or the process dies).  -1 and RF_ERROR_TEMPORARY when
 * another run holds it. */
int _rf_spool_lock (const char *spool_dir, const char *key, GError **error);


/* ---- preview.c ---- */
/* The one rendering of a parsed post (@fixed: its bytes after
 * _rf_mime_fix_line_ends; @lossy: the parser skipped input, so the post
 * passes through as received, unless the list has disappearing ink):
 * Return-Path removed, every policy applied, serialised.  *kept_out: for
 * an ink post the copy the archive and Bounce Redelivery keep (without
 * the page's link), else NULL.  Returns: (transfer full). */
GBytes *_rf_deliver_render (GMimeMessage *message, GBytes *fixed, gboolean lossy,
                            const RfPolicyContext *ctx, GBytes **kept_out, GError **error);

/* ---- screen.c ---- */
/* Screen one post to @list (@raw as received, @key its spool key).
 * *pass_out is TRUE when it goes on to the members; otherwise it was
 * handled here and report->outcome says how: RF_LOOP_DROPPED (our own
 * copy back), RF_DROPPED (an automatic reply, the null sender, discarded,
 * or refused without an answer), RF_HELD (kept for the moderators),
 * RF_ALREADY_DELIVERED (held, approved and sent before).
 * RF_ERROR_REJECTED with the reason for the MTA's bounce when the list
 * refuses it (nonmember_action = reject); RF_ERROR_TEMPORARY when the
 * store, the blob store or the transport cannot do their part.  A NULL
 * @key is a preview (rf_deliver_preview): a post that would be held comes
 * back as RF_HELD without being held, nobody told. */
gboolean _rf_screen (const RfConfig *config, const RfActor *actor, RfStore *store,
                     const RfList *list, GHashTable *settings, GMimeMessage *message,
                     GBytes *raw, const char *envelope_sender, const char *key,
                     gboolean *pass_out, RfDeliverReport *report, GError **error);

/* ---- the transports ---- */
/* Called once per recipient as soon as its outcome is known:
 * RF_RCPT_SENT (accepted), RF_RCPT_FAILED (permanent: the transport said
 * the address is bad), RF_RCPT_PENDING (temporary: try again later).
 * @detail is the transport's reason, or NULL.  Returning FALSE (with
 * @error set) stops the fan-out: no new copy is started. */
typedef gboolean (*RfSendResultFunc) (const char *address, RfRecipientState state,
                                      const char *detail, gpointer user_data,
                                      GError **error);

/* The header lines (each ending in "\n") that go in front of @address's
 * copy only, or NULL for none; NULL with @error set makes the copy pending
 * (temporary) with the error as its reason. */
typedef char *(*RfCopyHeaderFunc) (const char *address, gpointer user_data, GError **error);

/* issue 14: the next recipient of a fan-out, or NULL when there is none
 * left; NULL with @error set stops the fan-out (nothing more is started,
 * the copies on their way finish and are reported).  The string is valid
 * until the next call (the transport copies it); @header_for, when given,
 * is called for it before the next call. */
typedef const char *(*RfNextRecipientFunc) (gpointer user_data, GError **error);

/* Send the file @message_path to each of @recipients with
 * `sendmail [sendmail_args] -oi -f <VERP> -- <recipient>` (execv, no
 * shell), config->parallel at a time, each with its own VERP sender for
 * @list_address, and the lines of @header_for (may be NULL) in front.
 * FALSE only when @on_result stopped it; per-recipient trouble goes to
 * @on_result. */
gboolean _rf_sendmail_fanout (const RfConfig *config, const char *message_path,
                              const char *list_address, GPtrArray *recipients,
                              RfCopyHeaderFunc header_for, RfSendResultFunc on_result,
                              gpointer user_data, GError **error);

/* issue 14: the same, the recipients drawn from @next one at a time (a
 * list of a million members is never in memory); @expected is how many
 * there will be, at most (fewer connections or processes for a few). */
gboolean _rf_sendmail_send (const RfConfig *config, const char *message_path,
                            const char *list_address, guint expected, RfNextRecipientFunc next,
                            RfCopyHeaderFunc header_for, RfSendResultFunc on_result,
                            gpointer user_data, GError **error);

/* The same over SMTP (transport-smtp.c): config->parallel connections to
 * config->relays, each reused for copy after copy, with PIPELINING when
 * offered.  FALSE also when no relay could be reached for the copies not
 * yet handed over (RF_ERROR_TEMPORARY). */
gboolean _rf_smtp_fanout (const RfConfig *config, const char *message_path,
                          const char *list_address, GPtrArray *recipients,
                          RfCopyHeaderFunc header_for, RfSendResultFunc on_result,
                          gpointer user_data, GError **error);

/* issue 14: _rf_smtp_fanout with the recipients drawn from @next, as
 * _rf_sendmail_send. */
gboolean _rf_smtp_send (const RfConfig *config, const char *message_path,
                        const char *list_address, guint expected, RfNextRecipientFunc next,
                        RfCopyHeaderFunc header_for, RfSendResultFunc on_result,
                        gpointer user_data, GError **error);

/* issue 14: a GPtrArray of addresses as an RfNextRecipientFunc (the
 * _fanout wrappers); @state is zeroed by the caller. */
typedef struct {
  GPtrArray *recipients;
  guint next;
  RfCopyHeaderFunc header_for;
  RfSendResultFunc on_result;
  gpointer user_data;
} RfArrayFeed;
const char *_rf_array_feed_next (gpointer feed, GError **error);
char *_rf_array_feed_header (const char *address, gpointer feed, GError **error);
gboolean _rf_array_feed_result (const char *address, RfRecipientState state, const char *detail,
                                gpointer feed, GError **error);
