/* reflector.h - the one public header of libreflector.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Conventions (STYLE.md): functions return gboolean or a pointer and take
 * GError **error last; output parameters are written only on success; every
 * returned pointer says below who frees it.  lib/ never prints and never
 * exits: the programs in cmd/ do that.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

#define RF_ERROR (rf_error_quark ())
GQuark rf_error_quark (void);

typedef enum {
  /* Something a later retry may cure: store busy or unreadable, disk full,
   * transport down, a child that could not be started.  listdeliver: 75. */
  RF_ERROR_TEMPORARY,
  /* The address names no list.  listdeliver: 67. */
  RF_ERROR_NO_SUCH_LIST,
  /* The message cannot be parsed at all.  listdeliver: 65. */
  RF_ERROR_BAD_MESSAGE,
  /* A list policy refuses the message (non-member, too big).  listdeliver: 77. */
  RF_ERROR_REJECTED,
  /* The address is a role of a list that this build does not handle yet
   * (-request, -owner, -confirm+, -join, -leave).  listdeliver: 67. */
  RF_ERROR_UNSUPPORTED,
  /* An administrator's input is wrong: bad address, bad setting value,
   * unknown setting.  listctl prints it; never seen by listdeliver. */
  RF_ERROR_INVALID,
  /* The thing to create exists already (list, member). */
  RF_ERROR_EXISTS,
  /* The thing to change does not exist (member, setting). */
  RF_ERROR_NOT_FOUND,
  /* The configuration file is broken.  listdeliver: 75 (the sysadmin fixes
   * it and the MTA's retry then succeeds). */
  RF_ERROR_CONFIG,
} RfErrorCode;

/* ------------------------------------------------------------------ */
/* Site configuration (reflector.conf, a GLib key file)                */
/* ------------------------------------------------------------------ */

typedef struct {
  char *state_dir;          /* [paths] state_dir, default /var/lib/reflector */
  char *transport;          /* [delivery] transport: "sendmail" or "smtp" */
  char *sendmail;           /* [delivery] sendmail, default /usr/sbin/sendmail */
  char **sendmail_args;     /* [delivery] sendmail_args: extra argv before -oi
                             * (e.g. "-C;/path/exim.conf"), NULL-terminated */
  int parallel;             /* [delivery] parallel, default 8 */
  char **relays;            /* [delivery] relays (smtp): host:port list,
                             * default 127.0.0.1:25 */
  char *listen;             /* [web] listen, default 127.0.0.1:8025 */
  char *base_url;           /* [web] base_url, default http://127.0.0.1:8025 */
  char *web_templates;      /* [web] templates: listweb's templates directory, or
                             * NULL for the installed DATADIR/reflector/templates */
  char *tls_certificate;    /* [web] tls_certificate: PEM file, with tls_key: HTTPS */
  char *tls_key;            /* [web] tls_key */
  char **trusted_proxies;   /* [web] trusted_proxies: peers whose X-Forwarded-For
                             * names the client (a reverse proxy), default none */
  int connections_per_ip;   /* [web] connections_per_ip, default 64; 0: no limit */
  int request_timeout;      /* [web] request_timeout (s), default 60 */
  int message_days;         /* [retention] message_days, default 30 */
  int activity_days;        /* [retention] activity_days, default 42 */
  int redelivery_days;      /* [retention] redelivery_days, default 14 */
  int login_attempts;       /* [security] login_attempts, default 5 (per account) */
  int ip_login_attempts;    /* [security] ip_login_attempts, default 20 */
  int login_window_minutes; /* [security] login_window_minutes, default 15 */
  int lockout_minutes;      /* [security] lockout_minutes, default 15 */
  int session_idle_minutes; /* [security] session_idle_minutes, default 30 */
  int session_max_hours;    /* [security] session_max_hours, default 12 */
  char *path;               /* the file read, or NULL when defaults only */
  /* [blobs]: the blob store of attachments (issue 3) */
  char *blob_store;         /* [blobs] store: "local" (default) or "s3" */
  char *blob_dir;           /* [blobs] dir, default STATE_DIR/blobs (local) */
  char *blob_key_file;      /* [blobs] key_file, default STATE_DIR/blob.key */
  char *s3_endpoint;        /* [blobs] endpoint, e.g. https://s3.eu-west-1.amazonaws.com */
  char *s3_bucket;          /* [blobs] bucket */
  char *s3_region;          /* [blobs] region, default us-east-1 */
  char *s3_addressing;      /* [blobs] addressing: "path" (default) or "virtual" */
  char *s3_credentials_file;/* [blobs] credentials_file (mode 0600 or 0400) */
} RfConfig;

/* The file to read: @explicit_path if not NULL, else $REFLECTOR_CONFIG, else
 * rf_config_default_path().  A missing default file is fine
 * (defaults); a missing explicit file, an unknown group or key, or a bad
 * value is RF_ERROR_CONFIG naming the file, group and key.
 * Returns: (transfer full) free with rf_config_free(). */
RfConfig *rf_config_load (const char *explicit_path, GError **error);
void rf_config_free (RfConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfConfig, rf_config_free)
/* Issue 13 (install): the compiled-in configuration file,
 * CONFIG_DIR/reflector.conf of the prefix the program was built with; and
 * the file rf_config_load (@explicit_path) reads.  Static strings (or
 * @explicit_path, or the environment's). */
const char *rf_config_default_path (void);
const char *rf_config_path_in_use (const char *explicit_path);
/* Whether @url answers HTTP at all (any status, in *status_out), within
 * @timeout_seconds: 'listctl check' asks it of [web] base_url.  The
 * error says why not (refused, no such host, timeout). */
gboolean rf_http_probe (const char *url, guint timeout_seconds, long *status_out,
                        GError **error);

/* ------------------------------------------------------------------ */
/* List settings: ONE table; listctl set/get/show, validation and the  */
/* man page's table all read it.                                       */
/* ------------------------------------------------------------------ */

typedef enum {
  RF_SETTING_BOOL,    /* "on" / "off" (also accepts yes/no/true/false/1/0) */
  RF_SETTING_INT,     /* a non-negative integer */
  RF_SETTING_SIZE,    /* bytes, with optional k/M/G suffix (1024-based) */
  RF_SETTING_ENUM,    /* one of allowed[] */
  RF_SETTING_STRING,  /* free text, one line; "\n" in input means newline */
} RfSettingType;

typedef struct {
  const char *name;
  RfSettingType type;
  const char *default_value;     /* in normalised form */
  const char *const *allowed;    /* RF_SETTING_ENUM only, NULL-terminated */
  const char *help;              /* one line, for listctl and the man page */
  gboolean multiline;            /* RF_SETTING_STRING: "\n" may make a newline
                                  * (footer); otherwise a value is one line, so
                                  * that no header can be injected */
} RfSettingDef;

/* The whole table, in display order; *n_out receives its length. */
const RfSettingDef *rf_settings_table (gsize *n_out);
/* NULL if no such setting. */
const RfSettingDef *rf_setting_lookup (const char *name);
/* Check @value against @def and return its normalised form
 * (e.g. "10m" -> "10485760", "yes" -> "on").  RF_ERROR_INVALID with a
 * sentence naming the allowed values otherwise.  Returns: (transfer full). */
char *rf_setting_normalize (const RfSettingDef *def, const char *value, GError **error);
/* Typed readers of a normalised value. */
gboolean rf_setting_value_bool (const char *normalized);
guint64 rf_setting_value_uint (const char *normalized);

/* ------------------------------------------------------------------ */
/* Addresses (GMime's parser)                                          */
/* ------------------------------------------------------------------ */

/* Parse one bare or named address ("Ann <ann@Example.ORG>") and return its
 * normalised addr-spec: the domain lower-cased, the local part kept as
 * written (RFC 5321 says it may be case-sensitive).  RF_ERROR_INVALID for
 * anything that is not exactly one address with a local part and a dotted
 * domain.  Returns: (transfer full). */
char *rf_address_normalize (const char *input, GError **error);
/* Split a normalised address at its last '@'.  Both outputs transfer full. */
gboolean rf_address_split (const char *address, char **local_out, char **domain_out);

/* ------------------------------------------------------------------ */
/* Store: one SQLite database in the state directory                    */
/* ------------------------------------------------------------------ */

typedef struct _RfStore RfStore;

typedef enum {
  RF_STORE_READ_ONLY = 0,
  RF_STORE_READ_WRITE = 1 << 0,
  RF_STORE_CREATE = 1 << 1,      /* listctl init/create: make the state dir and a
                                  * database with the current schema if missing */
  RF_STORE_UPGRADE = 1 << 2,     /* listctl upgrade: apply pending migrations */
} RfStoreFlags;

/* Open STATE_DIR/reflector.db (WAL, busy timeout, foreign keys).  Opening
 * tells new from damaged (issue 12): only RF_STORE_CREATE makes a schema,
 * and only in a missing file or an SQLite database without a single table;
 * only RF_STORE_UPGRADE applies migrations.  A missing database without
 * RF_STORE_CREATE is RF_ERROR_NOT_FOUND.  A zero-length file, a file that
 * is no SQLite database, a damaged one, a foreign one (no reflector
 * schema), an older schema without RF_STORE_UPGRADE, a newer one, a file
 * this user may not read (or write, when writable), SQLITE_BUSY and I/O
 * trouble are RF_ERROR_TEMPORARY, with one line that names the file and
 * the problem ("...: schema version 4, this program needs 6: run 'listctl
 * upgrade'").  Returns: (transfer full) free with rf_store_close(). */
RfStore *rf_store_open (const char *state_dir, RfStoreFlags flags, GError **error);
void rf_store_close (RfStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfStore, rf_store_close)
const char *rf_store_state_dir (RfStore *store);
/* The schema version after migrations. */
int rf_store_schema_version (RfStore *store);
/* Issue 13 (install, upgrades): the schema version this program needs;
 * the version the open found (0 for a database it created); whether the
 * open created the database. */
int rf_store_current_version (void);
int rf_store_upgraded_from (RfStore *store);
gboolean rf_store_created (RfStore *store);

/* Transactions (BEGIN IMMEDIATE, so writers queue on the busy timeout). */
gboolean rf_store_begin (RfStore *store, GError **error);
gboolean rf_store_commit (RfStore *store, GError **error);
void rf_store_rollback (RfStore *store);
/* True while the store's connection is inside a transaction: the store's
 * write functions then join the caller's transaction instead of opening
 * their own. */
gboolean rf_store_in_transaction (RfStore *store);


/* The clock every timestamp comes from: seconds since the epoch.  Tests set
 * REFLECTOR_TEST_NOW (seconds) to inject a clock. */
gint64 rf_now (void);

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
gboolean rf_list_create (RfStore *store, const char *address, const char *actor,
                         GError **error);
/* Removes the list, its settings and members; the journal keeps its history
 * (a "delete" event), so it can be restored later. */
gboolean rf_list_delete (RfStore *store, const char *address, const char *actor,
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
                              const char *value, const char *actor, GError **error);
/* Every setting of the table with its value in force.
 * Returns: (transfer full) name -> value, both strings owned by the table. */
GHashTable *rf_list_settings (RfStore *store, const RfList *list, GError **error);

/* ---- members ---- */

/* @address must be normalised (rf_address_normalize).  RF_ERROR_EXISTS if a
 * member already.  Journals "subscribe". */
gboolean rf_member_add (RfStore *store, const RfList *list, const char *address,
                        const char *actor, GError **error);
/* RF_ERROR_NOT_FOUND if not a member.  Journals "unsubscribe". */
gboolean rf_member_remove (RfStore *store, const RfList *list, const char *address,
                           const char *actor, GError **error);
gboolean rf_member_is (RfStore *store, const RfList *list, const char *address,
                       gboolean *is_member_out, GError **error);
/* The same, but a local part that differs only in ASCII case matches too
 * ("Ann@example.org" for ann@example.org): what the posting check uses,
 * since mail clients and people change the case of addresses at will,
 * though RFC 5321 lets a server tell them apart. */
gboolean rf_member_is_any_case (RfStore *store, const RfList *list, const char *address,
                                gboolean *is_member_out, GError **error);
/* The member as stored that rf_member_is_any_case matches, or NULL in
 * *member_out (transfer full) when there is none. */
gboolean rf_member_find_any_case (RfStore *store, const RfList *list, const char *address,
                                  char **member_out, GError **error);
gint64 rf_member_count (RfStore *store, const RfList *list, GError **error);
/* Returns: (transfer full) (element-type utf8) sorted addresses. */
GPtrArray *rf_member_list (RfStore *store, const RfList *list, GError **error);

/* Add or remove many normalised addresses in one transaction.  Addresses
 * already in (for add) or already out (for remove) are counted in
 * *unchanged_out, not errors.  @progress, if set, is called every few
 * thousand addresses with the number done so far. */
typedef void (*RfProgressFunc) (guint64 done, guint64 total, gpointer user_data);
gboolean rf_member_add_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                             const char *actor, RfProgressFunc progress,
                             gpointer user_data, guint64 *changed_out,
                             guint64 *unchanged_out, GError **error);
gboolean rf_member_remove_many (RfStore *store, const RfList *list, GPtrArray *addresses,
                                const char *actor, RfProgressFunc progress,
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

/* The one function every administrative action logs through: who (@actor,
 * e.g. "listctl:root" or "listdeliver"), what (@action, e.g. "subscribe"),
 * on what (@target), from where (@origin: "cli", "mta", an IP).  @detail is
 * free text that MUST NOT carry a password, token or message body; the
 * function itself drops any detail that looks like one (see activity.c).
 * A NULL @origin is derived from the actor's program: "listctl..." is "cli",
 * "listdeliver..." is "mta" (the store's write functions log that way).
 * Failing to log never fails the action: errors are swallowed. */
void rf_activity_log (RfStore *store, const char *actor, const char *action,
                      const char *target, const char *origin, const char *detail);

/* ------------------------------------------------------------------ */
/* MTA routing map: STATE/mta/<domain>/<local>, one empty file per list,  */
/* so that Exim routes with dsearch (domains = dsearch;STATE/mta)         */
/* ------------------------------------------------------------------ */

/* Create STATE_DIR/mta/<domain>/<local> for the normalised list address
 * (directories 0755, file 0644, so the MTA's user can search them).
 * RF_ERROR_INVALID for an address that would escape the directory,
 * RF_ERROR_TEMPORARY for I/O trouble. */
gboolean rf_mta_map_add (const char *state_dir, const char *list_address, GError **error);
/* Remove the file, and the domain's directory once empty.  A missing file
 * is fine. */
gboolean rf_mta_map_remove (const char *state_dir, const char *list_address,
                            GError **error);
/* Make STATE/mta hold exactly the lists of @store (adds the missing, removes
 * the stale). */
gboolean rf_mta_map_sync (RfStore *store, GError **error);

/* ------------------------------------------------------------------ */
/* Delivery progress: what makes a retry resume, never restart          */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Addresses of a list and their roles                                  */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Spool: the incoming message made durable before anything else       */
/* ------------------------------------------------------------------ */

/* The key of one incoming message for one recipient address: 32 hex chars
 * of a BLAKE2b over both, so that the MTA's retry of the same message
 * finds the same delivery.  Returns: (transfer full). */
char *rf_spool_key (const char *recipient, GBytes *message);

/* ------------------------------------------------------------------ */
/* listdeliver: one message from the MTA                                */
/* ------------------------------------------------------------------ */

typedef enum {
  RF_DELIVERED,          /* every member reached (or failed permanently) */
  RF_ALREADY_DELIVERED,  /* an earlier run of the same message finished */
  RF_LOOP_DROPPED,       /* carried our own List-Id or X-Loop */
  RF_BOUNCE_RECEIVED,    /* a VERP bounce, logged */
} RfDeliverOutcome;

typedef struct {
  RfDeliverOutcome outcome;
  guint64 sent;          /* copies accepted by the transport, all runs */
  guint64 failed;        /* permanent transport failures, all runs */
  guint64 sent_now;      /* of them, in this run */
} RfDeliverReport;

/* Handle one message the MTA piped for @recipient (the full address, role
 * suffix included), from @envelope_sender (may be NULL or "").  @raw is
 * the message without any mbox "From " line.  The error's code says what
 * the MTA should do: RF_ERROR_TEMPORARY (75: retry; what was sent stays
 * sent), RF_ERROR_BAD_MESSAGE (65), RF_ERROR_NO_SUCH_LIST and
 * RF_ERROR_UNSUPPORTED (67), RF_ERROR_REJECTED (77), RF_ERROR_CONFIG (75).
 * The message is one sentence for the bounce: no body, no token. */
gboolean rf_deliver (const RfConfig *config, const char *recipient,
                     const char *envelope_sender, GBytes *raw,
                     RfDeliverReport *report, GError **error);

/* ------------------------------------------------------------------ */
/* Site key (keys.c) and one-click unsubscribe (store/unsubscribe.c)    */
/* ------------------------------------------------------------------ */

#define RF_SITE_KEY_BYTES 32
#define RF_UNSUB_HASH_BYTES 16

/* A key for one purpose, derived (crypto_kdf) from STATE_DIR/site.key,
 * which is created (32 random bytes, 0600) on first use.  @context is at
 * most 8 characters and names the purpose ("unsubscr").  Losing the file
 * invalidates every link computed from it. */
gboolean rf_site_subkey (const char *state_dir, const char *context, guint64 id,
                         guint8 out[RF_SITE_KEY_BYTES], GError **error);

/* The token of @address's one-click unsubscribe link (RFC 8058): 160 bits,
 * URL-safe base64, the same in every post until the member leaves and
 * comes back.  Not stored: the database keeps a hash only.
 * RF_ERROR_NOT_FOUND if @address is not a member. */
char *rf_unsubscribe_token (RfStore *store, const RfList *list, const char *address,
                            GError **error);
/* Whose token is it.  RF_ERROR_NOT_FOUND (with a message that does not
 * repeat the token) for an unknown or spent token. */
gboolean rf_unsubscribe_lookup (RfStore *store, const char *token, RfList **list_out,
                                char **address_out, GError **error);
/* Unsubscribe the token's member (journal actor "one-click"), log it
 * without the token. */
gboolean rf_unsubscribe_by_token (RfStore *store, const char *token, const char *origin,
                                  RfList **list_out, char **address_out, GError **error);

/* ------------------------------------------------------------------ */
/* Bounces (issue 5): parsing (lib/bounce/), fair scoring              */
/* (lib/store/bounces.c)                                               */
/* ------------------------------------------------------------------ */

/* What a returned message says about a member's address.  Only
 * RF_BOUNCE_PERMANENT ever counts against a member. */
typedef enum {
  RF_BOUNCE_UNKNOWN = 0,   /* a bounce, but nothing says why */
  RF_BOUNCE_PERMANENT,     /* the address is gone: 5.1.x user or domain unknown,
                            * mailbox disabled, moved */
  RF_BOUNCE_TEMPORARY,     /* may pass later: 4.x.x, "delivery delayed" warnings,
                            * mailbox full, too big, network trouble */
  RF_BOUNCE_POLICY,        /* the receiver refused the list's mail, not the
                            * address: 5.7.x, spam or content, DMARC/DKIM/SPF,
                            * blocklisted sending IP */
  RF_BOUNCE_NOT_BOUNCE,    /* auto-reply, out-of-office, ARF feedback report,
                            * "delivered" DSN */
} RfBounceClass;

typedef struct {
  char *address;           /* the failed recipient, domain lower-cased */
  RfBounceClass bounce_class;
  char *status;            /* enhanced status code "5.1.1", or NULL */
  char *diagnostic;        /* one line, at most 200 characters, or NULL: the
                            * remote server's answer, never body text */
} RfBounceRecipient;

typedef struct {
  RfBounceClass bounce_class;  /* of the first recipient (of the message
                                * when no recipient was found) */
  GPtrArray *recipients;       /* (element-type RfBounceRecipient), may be empty */
  const char *mta;             /* guessed family: "exim", "postfix", "sendmail",
                                * "qmail", "exchange", "gmail", "yahoo",
                                * "amazonses", "rfc3464" (another DSN),
                                * "unknown"; static string */
} RfBounce;

void rf_bounce_free (RfBounce *bounce);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBounce, rf_bounce_free)
/* "permanent", "temporary", "policy", "not-bounce", "unknown". */
const char *rf_bounce_class_name (RfBounceClass bounce_class);

/* Read a returned message: RFC 3464 delivery-status reports first, then the
 * free-text bounces of the common MTAs and providers.  Never fails on odd
 * input: anything that is not a bounce comes back as RF_BOUNCE_UNKNOWN with
 * no recipient; only an empty message is RF_ERROR_BAD_MESSAGE.
 * Returns: (transfer full) free with rf_bounce_free(). */
RfBounce *rf_bounce_parse (GBytes *raw, GError **error);

/* ---- scoring (Mailman 3's rules; settings bounce_*) ---- */

typedef enum {
  RF_MEMBER_ENABLED = 0,
  RF_MEMBER_DISABLED_BOUNCE = 1,   /* no copies until re-enabled */
} RfMemberState;

typedef struct {
  char *address;
  RfMemberState state;
  guint score;             /* permanent bounces counted, at most one a day */
  gint64 last_bounce;      /* rf_now() of the last bounce of any class, 0 if none */
  gint64 last_scored;      /* of the last one that raised the score, 0 if none */
  char *last_class;        /* rf_bounce_class_name() of the last bounce, or NULL */
  char *last_reason;       /* its status and diagnostic, or NULL */
  gint64 disabled_at;      /* 0 unless disabled */
  guint notices;           /* notices counted since disabled */
  gint64 last_notice;      /* 0 if none */
} RfMemberBounceInfo;
void rf_member_bounce_info_free (RfMemberBounceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfMemberBounceInfo, rf_member_bounce_info_free)

/* What rf_bounce_record() did. */
typedef enum {
  RF_BOUNCE_IGNORED,       /* not a member, or a class that counts nothing */
  RF_BOUNCE_COUNTED,       /* recorded (policy counted, temporary noted, or a
                            * permanent bounce on a day already scored) */
  RF_BOUNCE_SCORED,        /* the score rose */
  RF_BOUNCE_DISABLED,      /* the score reached bounce_threshold: disabled */
} RfBounceOutcome;

/* Apply one parsed bounce of @member (normalised address) on @list, in one
 * transaction, with the list's bounce_* settings and rf_now():
 *   - a score whose last increase is older than bounce_stale_days restarts
 *     at 0;
 *   - permanent adds 1, at most once per 24 hours;
 *   - temporary, unknown and not-bounce add nothing;
 *   - policy never raises the score; it is counted per list and per
 *     receiving domain (rf_bounce_policy_counts);
 *   - at bounce_threshold the member is disabled (journal "disable-bounce",
 *     activity log).
 * @diagnostic may be NULL.  Not a member: RF_BOUNCE_IGNORED, no error. */
gboolean rf_bounce_record (RfStore *store, const RfList *list, const char *member,
                           RfBounceClass bounce_class, const char *status,
                           const char *diagnostic, RfBounceOutcome *outcome_out,
                           GError **error);

/* The periodic step (listctl bounces --process, cron): for each member
 * disabled by bounces, count a notice every bounce_notice_interval_days
 * (sending the notice mail itself is not done yet), and after
 * bounce_notices notices and one more interval remove the member (journal
 * "unsubscribe" by "bounces", activity log).  *noticed_out and
 * *removed_out may be NULL. */
gboolean rf_bounce_process (RfStore *store, const RfList *list, guint *noticed_out,
                            guint *removed_out, GError **error);

/* Back to enabled with score 0 (journal "enable", activity log).
 * RF_ERROR_NOT_FOUND if not a member. */
gboolean rf_member_reenable (RfStore *store, const RfList *list, const char *address,
                             const char *actor, GError **error);

/* Every member of @list with bounce data, sorted by address.
 * Returns: (transfer full) (element-type RfMemberBounceInfo). */
GPtrArray *rf_bounce_members (RfStore *store, const RfList *list, GError **error);

/* Policy refusals of @list per receiving domain, most first: an array of
 * "domain" strings and a parallel array of counts.
 * Returns: (transfer full) (element-type utf8); *counts_out: (transfer full)
 * a GArray of guint64. */
GPtrArray *rf_bounce_policy_counts (RfStore *store, const RfList *list, GArray **counts_out,
                                    GError **error);

/* The member whose hashed VERP tag ("h" + base32, as rf_verp_sender makes
 * it) is @tag, or NULL (no error) when none is.  Returns: (transfer full). */
char *rf_member_by_verp_hash (RfStore *store, const RfList *list, const char *tag,
                              GError **error);

/* ------------------------------------------------------------------ */
/* Issue 4 (listweb's library part): accounts, list web access,        */
/* sessions, login throttling, and the searchable archive               */
/* ------------------------------------------------------------------ */

/* ---- accounts ---- */

/* Passwords: 8 to 1024 bytes of UTF-8 without control characters,
 * hashed with crypto_pwhash_str (Argon2id, OPSLIMIT/MEMLIMIT_INTERACTIVE).
 * No function here logs a password; callers wipe theirs with
 * sodium_memzero when done. */
#define RF_PASSWORD_MIN 8
#define RF_PASSWORD_MAX 1024
/* RF_ERROR_INVALID (saying why, without quoting it) unless acceptable. */
gboolean rf_password_check (const char *password, GError **error);

typedef struct {
  char *list_address;
  char *role;          /* "owner" | "moderator" */
} RfUserRole;

typedef struct {
  gint64 id;
  char *name;          /* 1..64 of [A-Za-z0-9._@-], starting with a letter or digit */
  char *email;         /* normalised; where reports are mailed */
  gboolean admin;      /* site administrator */
  gint64 created;
  GPtrArray *roles;    /* (element-type RfUserRole), sorted by list then role */
} RfUser;
void rf_user_free (RfUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfUser, rf_user_free)

/* Create an account.  @email must be one address (normalised here);
 * RF_ERROR_EXISTS for a taken name, RF_ERROR_INVALID for a bad name, email
 * or password.  Logged ("user-add"), the password never. */
gboolean rf_user_add (RfStore *store, const char *name, const char *email, gboolean admin,
                      const char *password, const char *actor, GError **error);
/* Give @name a role on @list ("owner" or "moderator"; RF_ERROR_INVALID
 * otherwise).  Granting a role held already is not an error. */
gboolean rf_user_grant (RfStore *store, const char *name, const RfList *list,
                        const char *role, const char *actor, GError **error);
gboolean rf_user_revoke (RfStore *store, const char *name, const RfList *list,
                         const char *role, const char *actor, GError **error);
/* Change the password and drop every session of the account. */
gboolean rf_user_set_password (RfStore *store, const char *name, const char *password,
                               const char *actor, GError **error);
/* Remove the account, its roles and sessions.  RF_ERROR_NOT_FOUND if absent. */
gboolean rf_user_delete (RfStore *store, const char *name, const char *actor,
                         GError **error);
/* RF_ERROR_NOT_FOUND if absent.  Returns: (transfer full). */
RfUser *rf_user_lookup (RfStore *store, const char *name, GError **error);
/* Returns: (transfer full) (element-type RfUser) sorted by name. */
GPtrArray *rf_user_all (RfStore *store, GError **error);
/* Whether @user may act on @list as @role: site admins may, and owners may
 * do what moderators may. */
gboolean rf_user_has_role (const RfUser *user, const char *list_address, const char *role);
/* Check a password, without throttling (rf_login_user is the web's way in).
 * *ok_out is FALSE for an unknown name too; the time taken is the same. */
gboolean rf_user_verify (RfStore *store, const char *name, const char *password,
                         gboolean *ok_out, GError **error);

/* ---- a list's web user (archive_access = password) ---- */

/* Set the user name and password of @list's subscribers' web access,
 * dropping the sessions opened with the old one. */
gboolean rf_list_web_access_set (RfStore *store, const RfList *list, const char *name,
                                 const char *password, const char *actor, GError **error);
/* Remove it (RF_ERROR_NOT_FOUND when there is none). */
gboolean rf_list_web_access_clear (RfStore *store, const RfList *list, const char *actor,
                                   GError **error);
/* The user name, or NULL in *name_out when the list has no web access.
 * *name_out: (transfer full). */
gboolean rf_list_web_access_get (RfStore *store, const RfList *list, char **name_out,
                                 GError **error);

/* ---- sessions and login throttling ---- */

/* The login and session limits: [security] in reflector.conf
 * (rf_security_from_config), or the defaults (rf_security_defaults). */
typedef struct {
  guint account_attempts;      /* failures per account in the window before it locks: 5 */
  guint ip_attempts;           /* failures per IP in the window before it is blocked: 20 */
  gint64 window_seconds;       /* how far back failures count: 900 */
  gint64 lockout_seconds;      /* how long a lock or block lasts: 900 */
  gint64 session_idle_seconds; /* a session unused this long ends: 1800 */
  gint64 session_max_seconds;  /* a session ends this long after login anyway: 43200 */
} RfSecurityPolicy;
void rf_security_defaults (RfSecurityPolicy *policy);
/* The policy of reflector.conf's [security] group. */
void rf_security_from_config (const RfConfig *config, RfSecurityPolicy *policy);

typedef enum {
  RF_LOGIN_OK,
  RF_LOGIN_BAD_PASSWORD,     /* unknown name or wrong password: say the same to both */
  RF_LOGIN_ACCOUNT_LOCKED,   /* too many failures for this account: wait */
  RF_LOGIN_IP_BLOCKED,       /* too many failures from this address: wait */
} RfLoginResult;

typedef struct {
  gint64 id;
  char *user_name;       /* the account, or NULL for a list's web user */
  char *list_address;    /* the list of a web-user session, else NULL */
  gint64 created;
  gint64 last_seen;
  char *csrf_token;      /* derived from the cookie (nothing more stored):
                          * put it in every form, check it with
                          * rf_session_csrf_check */
} RfSession;
void rf_session_free (RfSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfSession, rf_session_free)

/* Log in to an account from @ip.  A blocked IP or locked account is
 * refused before the password is looked at.  On RF_LOGIN_OK,
 * *cookie_out is the new session's cookie value (43 URL-safe characters,
 * 256 bits; only its hash is stored): (transfer full), free with g_free
 * after wiping.  Every outcome is in the activity log (action "login",
 * "login-failed", "login-refused", "lockout", "ip-blocked"), never the
 * password tried.  *result_out is set whenever TRUE is returned. */
gboolean rf_login_user (RfStore *store, const RfSecurityPolicy *policy, const char *name,
                        const char *password, const char *ip, RfLoginResult *result_out,
                        char **cookie_out, GError **error);
/* The same for a list's web user. */
gboolean rf_login_list (RfStore *store, const RfSecurityPolicy *policy, const RfList *list,
                        const char *name, const char *password, const char *ip,
                        RfLoginResult *result_out, char **cookie_out, GError **error);
/* The session of @cookie, touched (its idle time starts again), or NULL in
 * *session_out when unknown or expired (an expired one is deleted).
 * *session_out: (transfer full). */
gboolean rf_session_lookup (RfStore *store, const RfSecurityPolicy *policy,
                            const char *cookie, RfSession **session_out, GError **error);
/* Constant-time comparison of a form's token with the session's. */
gboolean rf_session_csrf_check (const RfSession *session, const char *token);
/* Log out: forget the session of @cookie (unknown is fine). */
gboolean rf_session_drop (RfStore *store, const char *cookie, GError **error);
/* Delete expired sessions, old failure records and ended blocks (cleanup). */
gboolean rf_sessions_expire (RfStore *store, const RfSecurityPolicy *policy,
                             guint64 *removed_out, GError **error);

/* ---- the searchable archive ---- */

/* listweb escapes a snippet, then turns these into <mark> and </mark>.
 * They are control characters, which the indexed text never holds. */
#define RF_ARCHIVE_MARK_START "\002"
#define RF_ARCHIVE_MARK_END "\003"

typedef struct {
  gint64 number;         /* 1, 2, ... per list */
  char *message_id;      /* without <>, or NULL */
  gint64 archived;       /* when it was archived (rf_now): orders and groups posts */
  char *date_header;     /* the Date field as written, or NULL */
  char *from_name;       /* may be "" */
  char *from_addr;       /* may be "" */
  char *subject;         /* decoded, "" when none */
  gint64 thread;         /* number of the thread's first post */
  gint64 parent;         /* number of the post it answers, 0 for none */
  guint depth;           /* rf_archive_thread only: replies deep */
  char *text;            /* rf_archive_post: the indexed text (text/plain, or
                          * converted from HTML); else NULL */
  GBytes *raw;           /* rf_archive_post: the archived bytes; else NULL */
  char *snippet;         /* rf_archive_search: text around the match, with the
                          * RF_ARCHIVE_MARK_* markers; else NULL */
} RfArchivePost;
void rf_archive_post_free (RfArchivePost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfArchivePost, rf_archive_post_free)

typedef struct {
  char *month;           /* "2026-11" */
  guint64 count;
} RfArchiveMonth;
void rf_archive_month_free (RfArchiveMonth *month);

/* Ranking reads every match, so a query that matches more posts than this
 * ranks the newest this many of them. */
#define RF_ARCHIVE_RANK_WINDOW 5000

typedef enum {
  RF_ARCHIVE_BY_RANK,    /* best match first (bm25, subject weighs most), among
                          * the newest RF_ARCHIVE_RANK_WINDOW matches */
  RF_ARCHIVE_BY_DATE,    /* newest first (the order they were archived in) */
} RfArchiveOrder;

/* Archive @rendered (the post as the members got it) under @key (the
 * delivery's spool key: archiving the same key twice keeps one post).
 * The thread is found from In-Reply-To, then References.  *number_out (may
 * be NULL) receives the post's number. */
gboolean rf_archive_add (RfStore *store, const RfList *list, GBytes *rendered,
                         const char *key, gint64 *number_out, GError **error);
/* Months with posts, newest first.
 * Returns: (transfer full) (element-type RfArchiveMonth). */
GPtrArray *rf_archive_months (RfStore *store, const RfList *list, GError **error);
/* The posts of @month ("YYYY-MM"), oldest first; RF_ERROR_INVALID for a
 * malformed month.  Returns: (transfer full) (element-type RfArchivePost). */
GPtrArray *rf_archive_month_posts (RfStore *store, const RfList *list, const char *month,
                                   GError **error);
/* The thread of post @number, in thread order (each reply after its
 * parent, depth set).  RF_ERROR_NOT_FOUND for no such post.
 * Returns: (transfer full) (element-type RfArchivePost). */
GPtrArray *rf_archive_thread (RfStore *store, const RfList *list, gint64 number,
                              GError **error);
/* One post with its text and bytes.  RF_ERROR_NOT_FOUND if absent.
 * Returns: (transfer full). */
RfArchivePost *rf_archive_post (RfStore *store, const RfList *list, gint64 number,
                                GError **error);
/* Search subject, sender and text for every word of @query (a word ending
 * in '*' matches as a prefix when 3 characters or more precede the '*';
 * "quoted words" match as a phrase; nothing else is syntax, so any input
 * is safe).  @offset and @limit page the
 * hits; *total_out (may be NULL) receives their number.  An empty query
 * finds nothing.  Returns: (transfer full) (element-type RfArchivePost)
 * with snippet set. */
GPtrArray *rf_archive_search (RfStore *store, const RfList *list, const char *query,
                              RfArchiveOrder order, guint offset, guint limit,
                              guint64 *total_out, GError **error);
/* Write the posts of @month to @out as an mbox (mboxrd: every line
 * matching ^>*From  gains one '>'), oldest first. */
gboolean rf_archive_export_mbox (RfStore *store, const RfList *list, const char *month,
                                 GOutputStream *out, GCancellable *cancellable,
                                 GError **error);

/* ------------------------------------------------------------------ */
/* Attachments (issue 3): the blob store, sealed blobs, tokens, the     */
/* attachment rows, cleanup                                             */
/* ------------------------------------------------------------------ */

/* A blob store holds opaque files by id ([a-z0-9]{32}): a directory under
 * the state dir ("local") or an S3-compatible bucket ("s3"), as
 * reflector.conf's [blobs] says.  Every failure is RF_ERROR_TEMPORARY
 * except a missing blob on get (RF_ERROR_NOT_FOUND) and a bad
 * configuration (RF_ERROR_CONFIG). */
typedef struct _RfBlobStore RfBlobStore;
typedef struct _RfBlobWriter RfBlobWriter;
typedef struct _RfBlobReader RfBlobReader;

/* Returns: (transfer full) free with rf_blob_store_free(), after its
 * writers and readers. */
RfBlobStore *rf_blob_store_open (const RfConfig *config, GError **error);
void rf_blob_store_free (RfBlobStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBlobStore, rf_blob_store_free)
/* "local" or "s3". */
const char *rf_blob_store_kind (RfBlobStore *store);
/* A fresh random blob id (128 bits, hex).  Returns: (transfer full). */
char *rf_blob_id_new (void);

/* Streamed put: the blob appears under @id only when finish succeeds
 * (written to a temporary name, fsync'ed, renamed; or uploaded whole).
 * finish and abort free the writer. */
RfBlobWriter *rf_blob_put_begin (RfBlobStore *store, const char *id, GError **error);
gboolean rf_blob_writer_write (RfBlobWriter *writer, const void *data, gsize len,
                               GError **error);
gboolean rf_blob_writer_finish (RfBlobWriter *writer, GError **error);
void rf_blob_writer_abort (RfBlobWriter *writer);
/* Streamed get.  read returns the bytes read, 0 at the end, -1 on error. */
RfBlobReader *rf_blob_get (RfBlobStore *store, const char *id, GError **error);
gssize rf_blob_reader_read (RfBlobReader *reader, void *buf, gsize len, GError **error);
void rf_blob_reader_free (RfBlobReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBlobReader, rf_blob_reader_free)
/* Deleting a blob that is not there succeeds (cleanup is idempotent). */
gboolean rf_blob_delete (RfBlobStore *store, const char *id, GError **error);
gboolean rf_blob_exists (RfBlobStore *store, const char *id, gboolean *exists_out,
                         GError **error);
/* Delete (or with @dry_run only count, in *removed_out) the temporary files
 * of puts that never finished and were last written before @older_than. */
gboolean rf_blob_sweep (RfBlobStore *store, gint64 older_than, gboolean dry_run,
                        guint64 *removed_out, GError **error);

/* Sealed blobs: libsodium secretstream (XChaCha20-Poly1305) in 64 KiB
 * chunks, so that neither side holds a whole file.  A sealed blob is
 * "RFB1", the stream header, then the chunks; the last is tagged FINAL, so
 * a truncated or altered blob fails to open. */
#define RF_BLOB_KEY_BYTES 32
typedef struct _RfSealer RfSealer;
typedef struct _RfUnsealer RfUnsealer;
/* Takes @writer (finished or aborted with the sealer). */
RfSealer *rf_sealer_new (RfBlobWriter *writer, const guint8 key[RF_BLOB_KEY_BYTES],
                         GError **error);
gboolean rf_sealer_write (RfSealer *sealer, const void *data, gsize len, GError **error);
/* Seals the last chunk, finishes the writer, frees. */
gboolean rf_sealer_finish (RfSealer *sealer, GError **error);
void rf_sealer_abort (RfSealer *sealer);
/* Takes @reader.  A wrong key is RF_ERROR_NOT_FOUND (as for a blob that is
 * not there: the caller cannot tell which, and need not). */
RfUnsealer *rf_unsealer_new (RfBlobReader *reader, const guint8 key[RF_BLOB_KEY_BYTES],
                             GError **error);
/* Plaintext bytes, 0 at the verified end, -1 on error (a forged or
 * truncated blob is RF_ERROR_TEMPORARY "blob damaged"). */
gssize rf_unsealer_read (RfUnsealer *unsealer, void *buf, gsize len, GError **error);
void rf_unsealer_free (RfUnsealer *unsealer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfUnsealer, rf_unsealer_free)

/* Tokens: 256 bits from randombytes_buf, base64url without padding (43
 * characters).  Returns: (transfer full). */
#define RF_TOKEN_CHARS 43
char *rf_token_new (void);
/* What the store keeps instead of a token: 64 hex chars of a keyed
 * BLAKE2b (its own context, so the hash is no key).  Returns: (transfer full). */
char *rf_token_hash (const char *token);
/* The blob key of an unguessable attachment, derived from its token
 * (crypto_kdf, context "rfattach").  FALSE for a string that is no token. */
gboolean rf_token_blob_key (const char *token, guint8 key_out[RF_BLOB_KEY_BYTES]);
/* The blob key of a readable attachment: derived from the site key
 * ([blobs] key_file, created 0600 with 256 random bits on first use) and
 * the blob id. */
gboolean rf_site_blob_key (const RfConfig *config, const char *blob_id,
                           guint8 key_out[RF_BLOB_KEY_BYTES], GError **error);

/* A file name made safe for a URL path segment, a Content-Disposition and
 * a text block: the last path component, valid UTF-8, without control,
 * bidi-override, quote, slash, backslash and other shell- or
 * header-special characters, no leading dot, at most 120 bytes (the
 * extension kept).  Empty results become "attachment-N" + an extension
 * from @content_type.  Returns: (transfer full). */
char *rf_attachment_safe_name (const char *name, const char *content_type, guint n);

typedef struct {
  gint64 id;
  char *blob_id;
  char *list_address;
  gboolean unguessable;  /* TRUE: keyed by token (token_hash); FALSE: site key */
  gint64 post;           /* readable mode: the list's post number, else 0 */
  gint64 n;              /* readable mode: 1-based index in the post, else 0 */
  char *filename;        /* rf_attachment_safe_name() */
  char *content_type;    /* "type/subtype", lower case */
  guint64 size;          /* plaintext bytes */
  gint64 created;
  gint64 expires;        /* rf_now() seconds; 0 = forever */
} RfAttachment;
void rf_attachment_free (RfAttachment *attachment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfAttachment, rf_attachment_free)

/* The next post number of @list_address (1, 2, ...; never reused, even
 * after the list is deleted and created again). */
gboolean rf_post_number_next (RfStore *store, const char *list_address, gint64 *number_out,
                              GError **error);
/* Insert a row (its blob must be stored already).  @token_hash is NULL in
 * readable mode.  *id_out (may be NULL) receives the row id. */
gboolean rf_attachment_add (RfStore *store, const RfAttachment *attachment,
                            const char *token_hash, gint64 *id_out, GError **error);
/* RF_ERROR_NOT_FOUND when no row.  Returns: (transfer full). */
RfAttachment *rf_attachment_by_token (RfStore *store, const char *token, GError **error);
RfAttachment *rf_attachment_by_post (RfStore *store, const char *list_address, gint64 post,
                                     gint64 n, GError **error);
/* Rows whose expiry is at or before @now, oldest first, at most @limit.
 * Returns: (transfer full) (element-type RfAttachment). */
GPtrArray *rf_attachment_expired (RfStore *store, gint64 now, guint limit, GError **error);
/* Remove one row (a missing row is fine). */
gboolean rf_attachment_remove (RfStore *store, gint64 id, GError **error);

/* Rows that expire by age (store/expiry.c).  Each removes what is older
 * than @before (seconds since the epoch), or with @dry_run only counts it,
 * adding to *removed_out. */
gboolean rf_activity_expire (RfStore *store, gint64 before, gboolean dry_run,
                             guint64 *removed_out, GError **error);
/* Deliveries (finished, or abandoned by the MTA) created before @before,
 * with their per-recipient rows.  Returns: (transfer full) (element-type
 * utf8) their message keys, whose spool files the caller removes; NULL on
 * error. */
GPtrArray *rf_deliveries_expire (RfStore *store, gint64 before, gboolean dry_run,
                                 guint64 *removed_out, GError **error);
/* rf_sessions_expire in a transaction of its own, rolled back for a dry run. */
gboolean rf_sessions_expire_counted (RfStore *store, const RfSecurityPolicy *policy,
                                     gboolean dry_run, guint64 *removed_out, GError **error);

/* Cleanup (listctl cleanup): a table of cleaners, one per kind of data
 * that expires.  Each deletes what expired at @now (or only counts it
 * when @dry_run) and adds to *removed_out. */
typedef gboolean (*RfCleanerFunc) (const RfConfig *config, RfStore *store, gint64 now,
                                   gboolean dry_run, guint64 *removed_out, GError **error);
typedef struct {
  const char *name;       /* "attachments" */
  RfCleanerFunc clean;
  const char *what;       /* one line for the output: "expired attachments" */
} RfCleaner;
const RfCleaner *rf_cleaners (gsize *n_out);

/* ------------------------------------------------------------------ */
/* Bounce Redelivery (issue 5, part 2): the kept posts (store/         */
/* redelivery.c), keeping and the notice (redelivery/), the page's     */
/* copies, the bounce report, one text mail through the transport      */
/* ------------------------------------------------------------------ */

typedef struct {
  gint64 id;
  char *list_address;
  char *message_id;      /* without <>, or NULL */
  char *subject;         /* decoded, one line, "" when none */
  char *blob_id;         /* sealed with rf_site_blob_key() */
  gint64 stored;
  gint64 expires;
} RfRedeliveryPost;
void rf_redelivery_post_free (RfRedeliveryPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRedeliveryPost, rf_redelivery_post_free)

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
/* The unexpired kept posts that bounced for @member, oldest first.
 * Returns: (transfer full) (element-type RfRedeliveryPost). */
GPtrArray *rf_redelivery_member_posts (RfStore *store, const char *list_address,
                                       const char *member, gint64 now, GError **error);
/* When @member of @list_address was last sent a notice (0: never). */
gboolean rf_redelivery_last_notice (RfStore *store, const char *list_address,
                                    const char *member, gint64 *last_out, GError **error);
/* Store the hash of a new page token and the notice's time, in one
 * transaction. */
gboolean rf_redelivery_token_add (RfStore *store, const char *token_hash,
                                  const char *list_address, const char *member,
                                  gint64 now, gint64 expires, GError **error);
/* Whose page @token opens.  RF_ERROR_NOT_FOUND (not repeating the token)
 * for an unknown one; an expired one is found, with its *expires_out. */
gboolean rf_redelivery_token_lookup (RfStore *store, const char *token, char **list_out,
                                     char **member_out, gint64 *expires_out, GError **error);
/* Kept posts expired at @now, at most @limit.
 * Returns: (transfer full) (element-type RfRedeliveryPost). */
GPtrArray *rf_redelivery_expired (RfStore *store, gint64 now, guint limit, GError **error);
/* Remove one kept post's row and its bounce links (a missing row is fine). */
gboolean rf_redelivery_post_remove (RfStore *store, gint64 id, GError **error);
/* Delete (or with @dry_run count) expired tokens, and notice times older
 * than a day (they limit nothing any more). */
gboolean rf_redelivery_tokens_expire (RfStore *store, gint64 now, gboolean dry_run,
                                      guint64 *removed_out, GError **error);

/* One kept post as the page shows it: from the sealed copy. */
typedef struct {
  char *from;            /* "Name <addr>" or "addr" or "" */
  char *date;            /* as written, or "" */
  char *subject;         /* decoded, or "" */
  char *text;            /* text/plain parts, else the HTML as text */
} RfRedeliveryCopy;
void rf_redelivery_copy_free (RfRedeliveryCopy *copy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRedeliveryCopy, rf_redelivery_copy_free)
/* Read and unseal the kept copy of @post.  RF_ERROR_NOT_FOUND when its blob
 * is gone.  Returns: (transfer full). */
RfRedeliveryCopy *rf_redelivery_copy_read (const RfConfig *config,
                                           const RfRedeliveryPost *post, GError **error);

/* Send one text/plain mail (UTF-8) with @subject and @body to each of
 * @recipients through the configured transport, each copy with its own
 * VERP sender of @list_address; From is LIST-owner.  *sent_out (may be
 * NULL): copies accepted.  A transport failure for every recipient is an
 * error (RF_ERROR_TEMPORARY). */
gboolean rf_mail_send_text (const RfConfig *config, const char *list_address,
                            GPtrArray *recipients, const char *subject, const char *body,
                            guint *sent_out, GError **error);

/* The bounce report of @list (members with scores and states, policy
 * refusals per domain) as text.  Returns: (transfer full). */
char *rf_bounce_report_text (RfStore *store, const RfList *list, GError **error);
/* The account e-mail addresses of @list's moderators and owners, sorted,
 * without duplicates.  Returns: (transfer full) (element-type utf8). */
GPtrArray *rf_list_staff_addresses (RfStore *store, const RfList *list, GError **error);

/* The Message-IDs (without <>) a returned message names for the message
 * it returns: the Message-ID lines after its own header (the original's
 * copy in a message/rfc822 or text/rfc822-headers part, or quoted in a
 * free-text bounce), then its own In-Reply-To and References.
 * Returns: (transfer full) (element-type utf8), maybe empty. */
GPtrArray *rf_bounce_original_ids (GBytes *raw);

/* ------------------------------------------------------------------ */
/* Issue 4, part 3 (the moderator panel): the subscribers and activity  */
/* reports, mailed like the bounce report, never shown on screen         */
/* ------------------------------------------------------------------ */

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
/* The subscribers report: the member count, then every member, one a line.
 * Returns: (transfer full). */
char *rf_subscribers_report_text (RfStore *store, const RfList *list, GError **error);
/* The activity report: @list's activity log rows of the last @days days.
 * Returns: (transfer full). */
char *rf_activity_report_text (RfStore *store, const RfList *list, guint days, GError **error);

G_END_DECLS
