/* person.h - one person's data (issue 15): everything every store holds
 * about one address, as JSON, and its erasure with a receipt.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An object with the address and one member per kind of data
 * ("memberships", "journal", "bounces", "activity", "deliveries",
 * "archive_posts", "messages", "accounts", "monitor", ...), each an array
 * of the rows that name the address, in any case.
 * Returns: (transfer full). */
JsonNode *rf_person_export (const RfConfig *config, RfStore *store, const char *address,
                            GError **error);

typedef struct {
  char *kind;          /* "memberships" */
  guint64 count;       /* rows (or files) removed or rewritten */
  const char *what;    /* "removed" or "address replaced by its hash" */
} RfPersonErased;

typedef struct {
  char *address_hash;  /* what the journal keeps instead: "erased:" + 32 hex */
  gint64 at;
  GPtrArray *erased;   /* (element-type RfPersonErased) one per kind */
  GPtrArray *remaining;/* (element-type utf8) "table.column (N rows)" where the
                        * address is still written after the erasure (in a
                        * post of someone else, a setting): empty when none */
  gboolean wal_truncated; /* FALSE: a reader held the write-ahead log; the
                        * next checkpoint (any later write) clears it */
} RfPersonReceipt;
void rf_person_receipt_free (RfPersonReceipt *receipt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfPersonReceipt, rf_person_receipt_free)

/* Remove or anonymise everything about @address: memberships (journalled
 * as an "unsubscribe" of the hash), bounce records, delivery records, the
 * posts they sent to archives, the kept messages and redelivery copies
 * that name them, accounts mailed there, monitor records; the journal and
 * the activity log keep their rows with the address replaced by its keyed
 * hash; the hash is recorded, so that a restore from an older snapshot
 * leaves the address out.  The database file is then rewritten (VACUUM,
 * secure_delete), so that no deleted page keeps it.  Returns: (transfer
 * full) the receipt. */
RfPersonReceipt *rf_person_erase (const RfConfig *config, RfStore *store, const char *address,
                                  const RfActor *actor, GError **error);

G_END_DECLS
