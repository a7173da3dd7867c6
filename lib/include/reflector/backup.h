/* backup.h - backups and restores (issue 15): encrypted snapshots of the
 * lists, settings, members, accounts and journal; their rotation; a list
 * brought back as of a moment (journal replay) or as a snapshot holds it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* ---- backups ---- */

typedef struct {
  gint64 id;
  char *name;        /* "20261120T140000Z", from the time taken (UTC) */
  gint64 taken;
  char *kind;        /* "weekly" (the first of its ISO week, UTC) or "daily" */
  gint64 size;       /* bytes of the sealed file */
  gboolean archive;  /* the archive is in it (--archive) */
  char *path;        /* the sealed file, or NULL when only on S3 */
  char *blob_id;     /* the copy in the S3 blob store, or NULL */
} RfBackup;
void rf_backup_free (RfBackup *backup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfBackup, rf_backup_free)

/* Take a snapshot of the database as it is when this begins (deliveries
 * and other writers go on meanwhile): lists, settings, members, accounts
 * and the journal, and the archive when @archive; no kept post, message or
 * blob.  It is sealed with the backup key (rf_backup_key, created on first
 * use) into @dir (NULL: [backup] dir), or, with @to_s3, into the S3 blob
 * store of [blobs] (which must be s3).  Recorded, so that 'listctl
 * backups' lists it and cleanup rotates it; the activity log names
 * @actor.  Returns: (transfer full). */
RfBackup *rf_backup_take (const RfConfig *config, RfStore *store, const char *dir,
                          gboolean to_s3, gboolean archive, const RfActor *actor,
                          GError **error);
/* The backup key file, beside the site's other keys (listctl check looks
 * at it).  Returns: (transfer full). */
char *rf_backup_key_path (const RfConfig *config);
/* Every recorded backup, oldest first.
 * Returns: (transfer full) (element-type RfBackup). */
GPtrArray *rf_backups (RfStore *store, GError **error);
/* Open the backup @what into a plain database file @db_path (created
 * 0600; it must not exist).  @what is the name of a recorded backup
 * (@store may be NULL when there is no database), a path to a sealed file,
 * or "s3:NAME" for the S3 copy of a backup of that name.  RF_ERROR_NOT_FOUND
 * for none; RF_ERROR_INVALID when it does not open with the backup key. */
gboolean rf_backup_open (const RfConfig *config, RfStore *store, const char *what,
                         const char *db_path, GError **error);
/* A backup opened for reading: a plain copy in a private directory of the
 * state directory, open as a store (migrated when it is of an older
 * schema), removed again by rf_snapshot_close.  @what as for
 * rf_backup_open.  Returns: (transfer full). */
typedef struct _RfSnapshot RfSnapshot;
RfSnapshot *rf_snapshot_open (const RfConfig *config, RfStore *store, const char *what,
                              GError **error);
RfStore *rf_snapshot_store (RfSnapshot *snapshot);
void rf_snapshot_close (RfSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfSnapshot, rf_snapshot_close)
/* Install the backup @what as the database of [paths] state_dir, which
 * must have none (a server that lost its database): opened, checked with
 * PRAGMA integrity_check, then moved into place.  Open the store with
 * RF_STORE_UPGRADE afterwards (the snapshot may be of an older schema). */
gboolean rf_backup_install (const RfConfig *config, const char *what, GError **error);

/* ---- restore ---- */

/* A moment as the sysadmin writes it, in UTC: "2026-11-20 14:00",
 * "2026-11-20 14:00:05", "2026-11-20T14:00:05Z" (a date alone is its
 * midnight; an explicit offset is honoured).  Seconds since the epoch. */
gboolean rf_restore_parse_time (const char *text, gint64 *time_out, GError **error);

typedef struct {
  char *name;
  char *from;        /* the value in force now (NULL: the list does not exist) */
  char *to;          /* the value then */
} RfSettingChange;

/* What a restore of one list changes, before it changes anything. */
typedef struct {
  char *list_address;
  gboolean exists_now;
  gboolean exists_then;   /* FALSE: the restore deletes the list */
  GPtrArray *add;         /* (element-type utf8) members to subscribe, as then */
  GPtrArray *remove;      /* (element-type utf8) members to unsubscribe, as now */
  GPtrArray *settings;    /* (element-type RfSettingChange) */
  guint erased;           /* members then whose address was erased since
                           * (listctl person erase): left out */
  char *source;           /* "2026-11-20T14:00:00Z" or "snapshot NAME" */
} RfRestorePlan;
void rf_restore_plan_free (RfRestorePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRestorePlan, rf_restore_plan_free)
/* Whether @plan changes nothing. */
gboolean rf_restore_plan_empty (const RfRestorePlan *plan);

/* @list_address as of @at, by replaying its journal (also of a deleted
 * list), against the list now.  Members are one mailbox whatever the case
 * of their letters, as rf_member_find says.  RF_ERROR_NO_SUCH_LIST when it
 * has no journal at all.  Returns: (transfer full). */
RfRestorePlan *rf_restore_plan_at (RfStore *store, const char *list_address, gint64 at,
                                   GError **error);
/* The lists of @snapshot (an open store of a backup, rf_backup_open) —
 * @list_address alone, or every list of the snapshot when NULL — against
 * @store now.  Returns: (transfer full) (element-type RfRestorePlan). */
GPtrArray *rf_restore_plan_from (RfStore *store, RfStore *snapshot, const char *name,
                                 const char *list_address, GError **error);
/* Make it so, in one transaction, through the store's own functions: the
 * journal records every change (and a "restore" event naming
 * @plan->source), so that another restore undoes it. */
gboolean rf_restore_apply (RfStore *store, const RfRestorePlan *plan, const RfActor *actor,
                           GError **error);

G_END_DECLS
