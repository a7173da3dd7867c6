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
  char *transport;          /* [delivery] transport: "sendmail" (only one so far) */
  char *sendmail;           /* [delivery] sendmail, default /usr/sbin/sendmail */
  char **sendmail_args;     /* [delivery] sendmail_args: extra argv before -oi
                             * (e.g. "-C;/path/exim.conf"), NULL-terminated */
  int parallel;             /* [delivery] parallel, default 8 */
  char *listen;             /* [web] listen, default 127.0.0.1:8025 */
  char *base_url;           /* [web] base_url, default http://127.0.0.1:8025 */
  int message_days;         /* [retention] message_days, default 30 */
  int activity_days;        /* [retention] activity_days, default 42 */
  int redelivery_days;      /* [retention] redelivery_days, default 14 */
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
 * SYSCONFDIR/reflector/reflector.conf.  A missing default file is fine
 * (defaults); a missing explicit file, an unknown group or key, or a bad
 * value is RF_ERROR_CONFIG naming the file, group and key.
 * Returns: (transfer full) free with rf_config_free(). */
RfConfig *rf_config_load (const char *explicit_path, GError **error);
void rf_config_free (RfConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfConfig, rf_config_free)

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
  RF_STORE_CREATE = 1 << 1,      /* create the state dir and database if missing */
} RfStoreFlags;

/* Open STATE_DIR/reflector.db (WAL, busy timeout, foreign keys) and apply
 * pending migrations when writable.  A missing database without
 * RF_STORE_CREATE is RF_ERROR_NOT_FOUND; SQLITE_BUSY and I/O trouble are
 * RF_ERROR_TEMPORARY.  Returns: (transfer full) free with rf_store_close(). */
RfStore *rf_store_open (const char *state_dir, RfStoreFlags flags, GError **error);
void rf_store_close (RfStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfStore, rf_store_close)
const char *rf_store_state_dir (RfStore *store);
/* The schema version after migrations. */
int rf_store_schema_version (RfStore *store);

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

G_END_DECLS
