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
  RF_ROLE_BOUNCES,    /* LIST-bounces+<local>=<domain>@domain (VERP) */
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
 * LIST-bounces+<local>=<domain>@<list domain>, or, when that local part
 * would pass RFC 5321's 64 characters or the member's local part holds
 * characters unsafe in it, LIST-bounces+h<26 base32 chars of a 128-bit
 * BLAKE2b of the member>@<list domain>.  Returns: (transfer full). */
char *rf_verp_sender (const char *list_address, const char *member);
/* The member a VERP tag "alice=example.org" names (NULL for the hashed
 * form, which only the member table can resolve).  Returns: (transfer full). */
char *rf_verp_decode (const char *tag);

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

/* ---- the path of a post without sending it (preview.c) ---- */

/* One post to @list from @envelope_sender (may be NULL), taken as
 * rf_deliver takes it up to the fan-out: line ends, parse, screen, the
 * DMARC lookup, the policies and the one rendering, but nothing spooled,
 * no delivery row, nothing sent.  Returns the copy every member would get
 * (before each member's own lines), or NULL: with *loop_out TRUE and no
 * error for the list's own post coming back; else with the error
 * rf_deliver would answer (RF_ERROR_BAD_MESSAGE, RF_ERROR_REJECTED with the
 * screen's reason, RF_ERROR_TEMPORARY).  Like rf_deliver, attachments =
 * link stores the files (blobs, rows, a post number): a caller that wants
 * nothing kept holds a transaction it rolls back (rf_store_join,
 * rf_store_end) and removes the blobs.  The post fuzzer's entry point
 * (tests/fuzz/fuzz-post.c).  Returns: (transfer full). */
GBytes *rf_deliver_preview (const RfConfig *config, const RfActor *actor, RfStore *store,
                            const RfList *list, const char *envelope_sender, GBytes *raw,
                            gboolean *loop_out, GError **error);
