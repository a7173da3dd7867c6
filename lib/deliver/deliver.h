/* deliver.h - the module header of lib/deliver/, the path of a post:
 * which list and role an address names, VERP senders, the spool, one text
 * mail through the transport.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* ---- addresses of a list and their roles ---- */

typedef enum {
  RF_ROLE_POST,       /* LIST@domain */
  RF_ROLE_BOUNCES,    /* LIST-bounces+<auth>+<local>=<domain>@domain (VERP) */
  RF_ROLE_CONFIRM,    /* LIST-confirm+<token>@domain */
  RF_ROLE_REQUEST,    /* LIST-request@domain */
  RF_ROLE_OWNER,      /* LIST-owner@domain */
  RF_ROLE_JOIN,       /* LIST-join@domain */
  RF_ROLE_LEAVE,      /* LIST-leave@domain */
} RfRole;

typedef struct {
  char *list_address;  /* "dev@lists.example.org", lower-cased */
  RfRole role;
  char *tag;           /* after the '+': VERP "alice=example.org" or token; else NULL */
} RfRecipient;
void rf_recipient_free (RfRecipient *recipient);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRecipient, rf_recipient_free)

/* Split an address the MTA handed over into list and role.  Pure syntax:
 * whether the list exists is the store's question.  RF_ERROR_NO_SUCH_LIST
 * for something that is no address.  Returns: (transfer full). */
RfRecipient *rf_recipient_parse (const char *address, GError **error);
/* "-request", "-bounces+", ... for messages; "" for RF_ROLE_POST. */
const char *rf_role_suffix (RfRole role);

/* The envelope sender of @member's copy of a post to @list_address:
 * LIST-bounces+<auth>+<local>=<domain>@<list domain>, or, when that local
 * part would pass RFC 5321's 64 characters or the member's local part
 * holds characters unsafe in it, LIST-bounces+<auth>+h<base32 of a 128-bit
 * BLAKE2b of the member, cut to fit>@<list domain>.  <auth> (issue 11) is
 * 8 base32 characters: the week and a keyed hash of list, member and week
 * under a key derived from the site key of @config (verp.c).  NULL when
 * the site key cannot be read.  Returns: (transfer full). */
char *rf_verp_sender (const RfConfig *config, const char *list_address, const char *member,
                      GError **error);
/* issue 14: rf_verp_sender for every copy of one fan-out, with what the
 * copies share (the key, the list, the week, the hash so far) made once:
 * _rf_verp_maker_append appends @member's sender, the bytes
 * rf_verp_sender gives in the same week, to @out.  NULL when the site key
 * cannot be read. */
typedef struct _RfVerpMaker RfVerpMaker;
RfVerpMaker *_rf_verp_maker_new (const RfConfig *config, const char *list_address,
                                 GError **error);
void _rf_verp_maker_append (RfVerpMaker *maker, const char *member, GString *out);
void _rf_verp_maker_free (RfVerpMaker *maker);
/* The address a VERP tag "alice=example.org" names, past an authenticator
 * ("<auth>+alice=example.org"); NULL for the hashed form, which only the
 * member table can resolve.  Returns: (transfer full). */
char *rf_verp_decode (const char *tag);

/* How far to believe a VERP tag (rf_verp_resolve). */
typedef enum {
  RF_VERP_AUTHENTIC,   /* its authenticator holds: a copy we sent this member */
  RF_VERP_UNSIGNED,    /* made before issue 11: no authenticator */
  RF_VERP_FORGED,      /* an authenticator that does not hold, or too old */
} RfVerpCheck;
/* Weeks a VERP address is believed after its copy went out. */
#define RF_VERP_WEEKS 5

/* The member of @list that VERP tag @tag names (as stored), in
 * *member_out (transfer full; NULL when the tag names nobody, or an
 * address that is no member: then that address), and how far to believe
 * it.  A hashed tag that several members' hashes begin with is the one
 * whose authenticator holds. */
gboolean rf_verp_resolve (RfStore *store, const RfConfig *config, const RfList *list,
                          const char *tag, char **member_out, RfVerpCheck *check_out,
                          GError **error);

/* ---- spool: the incoming message made durable before anything else ---- */

/* The key of one incoming message for one recipient address: 32 hex chars
 * of a BLAKE2b over both, so that the MTA's retry of the same message
 * finds the same delivery.  Returns: (transfer full). */
char *rf_spool_key (const char *recipient, GBytes *message);
/* STATE/spool, created 0700 if missing.  Returns: (transfer full). */
char *_rf_spool_dir (const char *state_dir, GError **error);
/* Remove the .msg, .out, .kept (issue 16) and .lock of @key (a finished
 * delivery). */
void _rf_spool_remove (const char *spool_dir, const char *key);

/* The member whose hashed VERP tag ("h" + base32, as rf_verp_sender makes
 * it) is @tag, or NULL (no error) when none is.  Returns: (transfer full). */
char *rf_member_by_verp_hash (RfStore *store, const RfList *list, const char *tag,
                              GError **error);

/* ---- one mail from a list (mail-text.c) ---- */

/* What sets a mail apart from rf_mail_send_text's (all may be NULL). */
typedef struct {
  const char *from_role;       /* the From address's suffix: "-owner" (NULL), "-request" */
  const char *reply_to;        /* a Reply-To address */
  const char *in_reply_to;     /* the Message-ID answered, without <>: In-Reply-To
                                * and References */
  const char *auto_submitted;  /* "auto-generated" (NULL), or "auto-replied" for an
                                * answer (RFC 3834) */
} RfMailOptions;
/* rf_mail_send_text with @options (NULL: the defaults). */
gboolean _rf_mail_send (const RfConfig *config, const char *list_address,
                        const RfMailOptions *options, GPtrArray *recipients,
                        const char *subject, const char *body, guint *sent_out, GError **error);
/* issue 17: _rf_mail_send to @to alone, saying what became of the copy:
 * TRUE with *refused_out FALSE when the transport took it, TRUE with
 * *refused_out TRUE when it refused the address for good (a permanent
 * failure; *reason_out, may be NULL, its reason, (transfer full)),
 * RF_ERROR_TEMPORARY when it could not take it now (transport down, a
 * temporary refusal). */
gboolean _rf_mail_send_one (const RfConfig *config, const char *list_address,
                            const RfMailOptions *options, const char *to, const char *subject,
                            const char *body, gboolean *refused_out, char **reason_out,
                            GError **error);
/* Send @message as it is to each of @recipients, each copy with its own
 * VERP sender of @list_address (a forward).  Errors as rf_mail_send_text. */
gboolean _rf_mail_send_bytes (const RfConfig *config, const char *list_address,
                              GPtrArray *recipients, GBytes *message, guint *sent_out,
                              GError **error);

/* ---- issue 10: a held post a moderator approved (deliver.c) ---- */

/* Send @raw, held and now approved, to the members of @list: the path of
 * a post after the screen, under the delivery key @key of the message
 * that brought it, so that nobody gets a copy twice whoever approves and
 * however often.  Errors as rf_deliver's. */
gboolean _rf_deliver_approved (const RfConfig *config, const RfActor *actor, RfStore *store,
                               const RfList *list, GBytes *raw, const char *key,
                               RfDeliverReport *report, GError **error);
/* ---- the path of a post without sending it (preview.c) ---- */

/* One post to @list from @envelope_sender (may be NULL), taken as
 * rf_deliver takes it up to the fan-out: line ends, parse, screen, the
 * DMARC lookup, the policies and the one rendering, but nothing spooled,
 * no delivery row, nothing sent.  Returns the copy every member would get
 * (before each member's own lines; *outcome_out RF_DELIVERED), or NULL:
 * without an error when the screen stops it, *outcome_out saying how
 * (RF_LOOP_DROPPED for the list's own post coming back, RF_DROPPED,
 * RF_HELD: what would be held is not); else with the error rf_deliver
 * would answer (RF_ERROR_BAD_MESSAGE, RF_ERROR_REJECTED with the
 * screen's reason, RF_ERROR_TEMPORARY).  Like rf_deliver, attachments =
 * link stores the files (blobs, rows, a post number): a caller that wants
 * nothing kept holds a transaction it rolls back (rf_store_join,
 * rf_store_end) and removes the blobs.  The post fuzzer's entry point
 * (tests/fuzz/fuzz-post.c).  Returns: (transfer full). */
GBytes *rf_deliver_preview (const RfConfig *config, const RfActor *actor, RfStore *store,
                            const RfList *list, const char *envelope_sender, GBytes *raw,
                            RfDeliverOutcome *outcome_out, GError **error);
