/* store.h - the store: one SQLite database in the state directory, with
 * the lists, their settings and members, the journal and the activity log.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>

G_BEGIN_DECLS

typedef struct _RfStore RfStore;

typedef enum {
  RF_STORE_READ_ONLY = 0,
  RF_STORE_READ_WRITE = 1 << 0,
  RF_STORE_CREATE = 1 << 1,      /* listctl init/create: make the state dir and a
                                  * database with the current schema if missing */
  RF_STORE_UPGRADE = 1 << 2,     /* listctl upgrade: apply pending migrations */
  RF_STORE_SMALL_CACHE = 1 << 3, /* listdeliver: a page cache of 256 KiB, not
                                  * SQLite's 2 MiB (issue 14: its memory must
                                  * not grow with the list) */
} RfStoreFlags;

/* Open STATE_DIR/reflector.db (WAL, busy timeout, foreign keys).  Opening
 * tells new from damaged: only RF_STORE_CREATE makes a schema, and only in
 * a missing file or an SQLite database without a single table; only
 * RF_STORE_UPGRADE applies migrations.  A missing database without
 * RF_STORE_CREATE is RF_ERROR_NOT_FOUND.  A zero-length file, a file that
 * is no SQLite database, a damaged one, a foreign one (no reflector
 * schema), an older schema without RF_STORE_UPGRADE, a newer one, a file
 * this user may not read (or write, when writable), SQLITE_BUSY and I/O
 * trouble are RF_ERROR_TEMPORARY, with one line that names the file and
 * the problem ("...: schema version 4, this program needs 6: run 'listctl
 * upgrade'").  Returns: (transfer full) free with rf_store_close(). */
RfStore *rf_store_open (const char *state_dir, RfStoreFlags flags, GError **error);
/* The same for the programs: STATE_DIR of @config, and the site key of its
 * key directory (keys.h), which adding members and making unsubscribe
 * links need (issue 11: the keys are not in the state directory).
 * @config must outlive the store. */
RfStore *rf_store_open_with_keys (const RfConfig *config, RfStoreFlags flags, GError **error);
void rf_store_close (RfStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfStore, rf_store_close)
/* The schema version after migrations. */
int rf_store_schema_version (RfStore *store);
/* The schema version this program needs; the version the open found (0
 * for a database it created); whether the open created the database. */
int rf_store_current_version (void);
int rf_store_upgraded_from (RfStore *store);
gboolean rf_store_created (RfStore *store);

/* A budget for what the store is asked next (issue 11): once the
 * monotonic clock (g_get_monotonic_time) passes @deadline, or @cancelled
 * (may be NULL) returns TRUE, the statement running stops and its
 * function fails with RF_ERROR_CANCELLED.  Checked inside SQLite, every
 * few thousand steps of its virtual machine, so a costly query ends within
 * a millisecond or so of its budget; @cancelled is asked at most every
 * 20 ms (it may make a system call: is the client still there?).
 * @deadline 0 and @cancelled NULL: no budget (the default). */
typedef gboolean (*RfStoreCancelFunc) (gpointer user_data);
void rf_store_set_budget (RfStore *store, gint64 deadline, RfStoreCancelFunc cancelled,
                          gpointer user_data);

/* Transactions (BEGIN IMMEDIATE, so writers queue on the busy timeout).
 * The store's write functions join a transaction the caller holds. */
gboolean rf_store_begin (RfStore *store, GError **error);
gboolean rf_store_commit (RfStore *store, GError **error);
void rf_store_rollback (RfStore *store);

/* Who acts, and from where.  Every change the store records names one, in
 * the journal and the activity log; the programs in cmd/ say who they are,
 * the library never guesses. */
typedef struct {
  const char *name;     /* "listctl:root", "web:alice", "listdeliver", "one-click" */
  const char *origin;   /* "cli", "mta", "cron", or the client's IP address */
} RfActor;

/* ---- lists ---- */

typedef struct {
  gint64 id;
  char *address;     /* normalised "dev@lists.example.org" */
  char *local;       /* "dev" */
  char *domain;      /* "lists.example.org" */
  gint64 created;    /* rf_now() at creation */
} RfList;

void rf_list_free (RfList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfList, rf_list_free)

/* A list's local part: 1..40 of [a-z0-9._-], starting with a letter or
 * digit, and not ending in a role suffix (-request, -owner, -bounces,
 * -confirm, -join, -leave).  Journals "create". */
gboolean rf_list_create (RfStore *store, const char *address, const RfActor *actor,
                         GError **error);
/* Removes the list, its settings and members; the journal keeps its history
 * (a "delete" event), so it can be restored later. */
gboolean rf_list_delete (RfStore *store, const char *address, const RfActor *actor,
                         GError **error);
/* RF_ERROR_NO_SUCH_LIST if absent.  Returns: (transfer full). */
RfList *rf_list_lookup (RfStore *store, const char *address, GError **error);
/* Returns: (transfer full) (element-type RfList) sorted by address. */
GPtrArray *rf_list_all (RfStore *store, GError **error);

/* ---- list settings ---- */

/* The value in force (the stored one, else the table's default), normalised.
 * RF_ERROR_NOT_FOUND for an unknown name.  Returns: (transfer full). */
char *rf_list_get_setting (RfStore *store, const RfList *list, const char *name,
                           GError **error);
/* Validate through the settings table, store, journal ("set") and log.
 * Setting the default value removes the stored row. */
gboolean rf_list_set_setting (RfStore *store, const RfList *list, const char *name,
                              const char *value, const RfActor *actor, GError **error);
/* Every setting of the table with its value in force.
 * Returns: (transfer full) name -> value, both strings owned by the table. */
GHashTable *rf_list_settings (RfStore *store, const RfList *list, GError **error);

/* ---- members ---- */

/* One mailbox, one membership.  A member is found whatever the ASCII case
 * of the letters of its address ("Ann@Example.org" finds ann@example.org):
 * mail clients and people change the case of addresses at will, though
 * RFC 5321 lets a server tell local parts apart.  The address keeps the
 * case it was subscribed with.
 *
 * rf_member_find: the member as stored that @address names, or NULL in
 * *member_out (transfer full) when there is none. */
gboolean rf_member_find (RfStore *store, const RfList *list, const char *address,
                         char **member_out, GError **error);
/* @address must be normalised (rf_address_normalize).  RF_ERROR_EXISTS if a
 * member already (in any case).  Journals "subscribe". */
gboolean rf_member_add (RfStore *store, const RfList *list, const char *address,
                        const RfActor *actor, GError **error);
/* Removes the member @address names (in any case).  RF_ERROR_NOT_FOUND if
 * none.  Journals "unsubscribe". */
gboolean rf_member_remove (RfStore *store, const RfList *list, const char *address,
                           const RfActor *actor, GError **error);
gint64 rf_member_count (RfStore *store, const RfList *list, GError **error);
/* Returns: (transfer full) (element-type utf8) sorted addresses. */
GPtrArray *rf_member_list (RfStore *store, const RfList *list, GError **error);

/* Add or remove many normalised addresses in one transaction.  Addresses
 * already in (for add) or already out (for remove) are counted in
 * *unchanged_out, not errors.  @progress, if set, is called every few
 * thousand addresses with the number done so far. */
gboolean rf_member_add_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                             const RfActor *actor, RfProgressFunc progress,
                             gpointer user_data, guint64 *changed_out,
                             guint64 *unchanged_out, GError **error);
gboolean rf_member_remove_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                                const RfActor *actor, RfProgressFunc progress,
                                gpointer user_data, guint64 *changed_out,
                                guint64 *unchanged_out, GError **error);

/* ---- journal (membership and settings history) ---- */

typedef struct {
  gint64 id;
  gint64 at;
  char *list_address;
  char *actor;
  char *event;       /* "create" | "delete" | "subscribe" | "unsubscribe" | "set" */
  char *subject;     /* address or setting name, or NULL */
  char *value;       /* setting value, or NULL */
} RfJournalEvent;
void rf_journal_event_free (RfJournalEvent *event);
/* Events of one list (or all lists when @list_address is NULL), oldest first.
 * Returns: (transfer full) (element-type RfJournalEvent). */
GPtrArray *rf_journal_events (RfStore *store, const char *list_address, GError **error);

/* ---- activity log ---- */

/* The one function every administrative action logs through: who and from
 * where (@actor), what (@action, e.g. "subscribe"), on what (@target).
 * @detail is free text that MUST NOT carry a password, token or message
 * body; the function itself drops any detail that looks like one (see
 * activity.c).  Failing to log never fails the action: errors are
 * swallowed. */
void rf_activity_log (RfStore *store, const RfActor *actor, const char *action,
                      const char *target, const char *detail);

typedef struct {
  gint64 at;
  char *actor;
  char *action;
  char *target;
  char *origin;   /* or NULL */
  char *detail;   /* or NULL */
} RfActivityEntry;
void rf_activity_entry_free (RfActivityEntry *entry);
/* The activity log's rows about @list (target = its address) from @since
 * on, oldest first.  Returns: (transfer full) (element-type RfActivityEntry). */
GPtrArray *rf_activity_of_list (RfStore *store, const RfList *list, gint64 since,
                                GError **error);
/* Every row of the activity log from @since on, oldest first.
 * Returns: (transfer full) (element-type RfActivityEntry). */
GPtrArray *rf_activity_since (RfStore *store, gint64 since, GError **error);

G_END_DECLS
