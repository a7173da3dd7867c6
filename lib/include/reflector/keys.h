/* keys.h - the site's key files (issue 11): where they are, making them,
 * moving them out of the state directory, rotating them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The keys of 256 random bits live in the key directory, [paths] key_dir
 * of reflector.conf (by default the directory of the configuration file:
 * /etc/reflector in a system install), never in the state directory:
 * site.key (unsubscribe links, VERP authenticators, the archive's
 * attachment links), blob.key ([blobs] key_file: readable attachments,
 * kept posts, the troubleshooting copies) and backup.key (the backups).
 * reflector(7) says what each opens.
 */
#pragma once

#include <reflector/config.h>

G_BEGIN_DECLS

typedef enum {
  RF_KEY_SITE,     /* KEY_DIR/site.key */
  RF_KEY_BLOB,     /* [blobs] key_file, default KEY_DIR/blob.key */
  RF_KEY_BACKUP,   /* KEY_DIR/backup.key (listctl backup; made by the first
                    * backup, never rotated: the old backups need it) */
} RfKeyName;

/* The file of key @name, or with @previous of the key its last rotation
 * replaced (NAME.previous).  Returns: (transfer full). */
char *rf_key_path (const RfConfig *config, RfKeyName name, gboolean previous);

/* Make each key that is missing, moving it from the state directory when
 * it is there (where keys were kept before issue 11), so that the programs
 * that run as the service user find them.  @group >= 0 (the caller is
 * root): the files are made root:@group 0640; else 0600, the caller's.
 * Each thing done is a sentence added to @notes (may be NULL) for the
 * administrator: a key made, a key moved, a key left over in the state
 * directory. */
gboolean rf_keys_prepare (const RfConfig *config, int group, GPtrArray *notes, GError **error);

/* Rotate key @name: the file becomes NAME.previous (replacing an older
 * one, whose key then opens nothing) and a new key takes its place
 * (@group as above).  What checks or opens with the key tries the
 * previous one after it: VERP addresses and archive links made before,
 * blobs sealed before.  Unsubscribe links are not: their stored hashes
 * are made anew (rf_store_rehash_unsubscribe). */
gboolean rf_keys_rotate (const RfConfig *config, RfKeyName name, int group, GError **error);

G_END_DECLS
