/* keep.c - the troubleshooting store (issue 15): every incoming message of
 * a list, sealed, for [retention] message_days.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The copies are blobs of a local store of their own, STATE/messages/,
 * whatever [blobs] says: they are the site admin's, for a few weeks, on the
 * server that received the mail, never served by listweb.
 * The blob goes first, the row after (as attachments and kept posts do):
 * cleanup starts from rows, so a run killed between the two leaves at
 * worst a blob no row names, never a row without its blob.  The blob is
 * sealed with a key derived from the blob key and its id
 * (rf_site_blob_key): a copy of the blob store alone reads nothing, and
 * the row keeps only what 'listctl message' lists (date, sender, subject,
 * size, outcome).  A list with disappearing ink keeps the header alone:
 * its posts must not stay on the server, sealed or not.
 * One person's part of it is keep-person.c's.
 */
#include "keep/keep-private.h"
#include "archive/archive.h"
#include "blob/blob.h"
#include "store/store.h"

#include <string.h>

/* Rows handled per batch of the cleaner (as lib/cleanup/cleanup.c). */
#define BATCH 500

/* The troubleshooting store's own blob store: STATE/messages. */
RfBlobStore *
_rf_keep_messages_open (const RfConfig *config, GError **error)
{
  g_autofree char *dir = g_build_filename (config->state_dir, "messages", NULL);

  return rf_blob_store_open_dir (dir, error);
}

gboolean
rf_keep_headers_only (GHashTable *settings)
{
  const char *ink = settings != NULL ? g_hash_table_lookup (settings, "disappearing_ink") : NULL;

  return ink != NULL && !g_str_equal (ink, "off");
}

/* The header of @raw: up to and with the empty line that ends it (all of
 * it when there is none).  Returns: (transfer full). */
static GBytes *
header_of (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *p = data, *end = data + len;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);

      if (eol == NULL)
        break;
      if (eol == p || (eol == p + 1 && p[0] == '\r'))
        return g_bytes_new_from_bytes (raw, 0, eol + 1 - data);
      p = eol + 1;
    }
  return g_bytes_ref (raw);
}

/* "post", "bounces", "request", ... */
static char *
role_name (RfRole role)
{
  const char *suffix = rf_role_suffix (role);

  if (*suffix == '\0')
    return g_strdup ("post");
  return g_strndup (suffix + 1, strcspn (suffix + 1, "+"));
}

/* one line, no control characters, at most 200 characters */
static char *
one_line (const char *text)
{
  g_autofree char *s = NULL;

  if (text == NULL || *text == '\0')
    return NULL;
  s = g_utf8_make_valid (text, -1);
  for (char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  g_strstrip (s);
  if (g_utf8_strlen (s, -1) > 200)
    {
      g_autofree char *head = g_utf8_substring (s, 0, 200);

      return g_strconcat (head, "...", NULL);
    }
  return g_steal_pointer (&s);
}

static gboolean
keep (const RfConfig *config, RfStore *store, const RfList *list, const RfRecipient *recipient,
      const char *envelope_sender, GBytes *raw, const char *key, GError **error)
{
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GBytes) header = header_of (raw);
  g_autoptr (GBytes) kept = NULL;
  g_autoptr (RfArchiveDoc) doc = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *role = role_name (recipient->role);
  g_autofree char *subject = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *blob_id = NULL;
  g_autoptr (RfBlobStore) blobs = NULL;
  RfKeptMessage m = { 0 };
  gboolean exists = FALSE, added = FALSE;

  if (!rf_kept_exists (store, key, &exists, error))
    return FALSE;
  if (exists)
    return TRUE;
  if ((settings = rf_list_settings (store, list, error)) == NULL)
    return FALSE;
  m.headers_only = rf_keep_headers_only (settings);
  kept = m.headers_only ? g_bytes_ref (header) : g_bytes_ref (raw);
  /* the header alone is read: who, and what about; a header GMime cannot
   * make sense of is kept all the same, without them */
  doc = _rf_archive_extract (header, &local);
  subject = one_line (doc != NULL ? doc->subject : NULL);
  sender = one_line (envelope_sender);
  blob_id = rf_blob_id_new ();
  m.list_address = list->address;
  m.role = role;
  m.received = rf_now ();
  m.sender = sender;
  m.from_addr = doc != NULL && *doc->from_addr != '\0' ? doc->from_addr : NULL;
  m.subject = subject;
  m.size = (gint64) g_bytes_get_size (raw);
  m.outcome = "received";
  m.blob_id = blob_id;
  if ((blobs = _rf_keep_messages_open (config, error)) == NULL ||
      !rf_blob_put_sealed (blobs, config, blob_id, kept, error) ||
      !rf_kept_add (store, &m, key, &added, error))
    return FALSE;
  /* another run of this message kept it first */
  if (!added)
    rf_blob_delete (blobs, blob_id, NULL);
  return TRUE;
}

gboolean
_rf_keep_received (const RfConfig *config, RfStore *store, const RfList *list,
                   const RfRecipient *recipient, const char *envelope_sender, GBytes *raw,
                   const char *key, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (keep (config, store, list, recipient, envelope_sender, raw, key, &local))
    return TRUE;
  g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
               "cannot keep the troubleshooting copy of the message: %s", local->message);
  return FALSE;
}

void
_rf_keep_outcome (RfStore *store, const char *key, gboolean ok, const RfDeliverReport *report,
                  const GError *error)
{
  g_autofree char *outcome = NULL;

  if (ok)
    switch (report->outcome)
      {
      case RF_DELIVERED:
        outcome = g_strdup_printf ("delivered: %" G_GUINT64_FORMAT " copies, %" G_GUINT64_FORMAT
                                   " refused by the transport",
                                   report->sent, report->failed);
        break;
      case RF_ALREADY_DELIVERED:
        return;   /* what the first run said stays */
      case RF_LOOP_DROPPED:
        outcome = g_strdup ("loop dropped");
        break;
      case RF_BOUNCE_RECEIVED:
        outcome = g_strdup ("bounce");
        break;
      default:
        outcome = g_strdup ("handled");
        break;
      }
  else
    {
      const char *what = "refused";

      if (error != NULL && error->domain == RF_ERROR &&
          (error->code == RF_ERROR_TEMPORARY || error->code == RF_ERROR_CONFIG))
        what = "deferred";
      else if (error != NULL && error->domain == RF_ERROR && error->code == RF_ERROR_REJECTED)
        what = "rejected";
      {
        g_autofree char *why = one_line (error != NULL ? error->message : NULL);

        outcome = g_strdup_printf ("%s: %s", what, why != NULL ? why : "unknown");
      }
    }
  (void) rf_kept_set_outcome (store, key, outcome, NULL);
}

GBytes *
rf_kept_message_read (const RfConfig *config, const RfKeptMessage *message, GError **error)
{
  g_autoptr (RfBlobStore) blobs = _rf_keep_messages_open (config, error);

  if (blobs == NULL)
    return NULL;
  return rf_blob_get_sealed (blobs, config, message->blob_id, error);
}

gboolean
_rf_keep_clean (RfCleanupRun *run, GError **error)
{
  g_autoptr (RfBlobStore) blobs = NULL;
  gint64 before;

  if (run->config->message_days == 0)
    return TRUE;
  before = run->now - (gint64) run->config->message_days * RF_DAY;
  for (;;)
    {
      g_autoptr (GPtrArray) expired = rf_kept_expired (run->store, before, BATCH, error);

      if (expired == NULL)
        return FALSE;
      if (expired->len > 0 && !run->dry_run && blobs == NULL &&
          (blobs = _rf_keep_messages_open (run->config, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < expired->len; i++)
        {
          const RfKeptMessage *m = g_ptr_array_index (expired, i);

          if ((!run->dry_run && !rf_blob_delete (blobs, m->blob_id, error)) ||
              !rf_kept_remove (run->store, m->id, error))
            return FALSE;
          run->removed++;
        }
      if (expired->len < BATCH)
        break;
      if (!rf_cleanup_checkpoint (run, error))
        return FALSE;
    }
  /* and the temporary files of puts killed half-way, after a day */
  if (blobs == NULL && (blobs = _rf_keep_messages_open (run->config, error)) == NULL)
    return FALSE;
  return rf_blob_sweep (blobs, run->now - RF_DAY, run->dry_run, &run->removed, error);
}
