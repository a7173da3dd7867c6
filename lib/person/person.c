/* person.c - one person's data (issue 15): listctl person export and
 * erase over one table of kinds of data.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each kind of data that can name an address is one row of `kinds`: what
 * the export calls it, the function that says everything that kind holds
 * about the address, the function that erases it.  A new store that keeps
 * addresses (held posts, issue 10) is one row here, with its two functions
 * in its own folder: nothing else changes.  The rows run in order for an
 * erasure: those that must read the address in clear (the sealed copies
 * whose bytes are searched) first, the journal and the activity log,
 * which keep their rows with the hash in place of the address, last.
 */
#include "person/person.h"
#include "blob/blob.h"
#include "keep/keep.h"
#include "store/store.h"

#include <string.h>

typedef struct {
  const RfConfig *config;
  RfStore *store;
  const char *address;
  const char *hash;
  const RfActor *actor;
} Query;

typedef struct {
  const char *name;
  JsonNode *(*about) (const Query *q, GError **error);
  gboolean (*erase) (const Query *q, guint64 *count_out, GError **error);
  const char *what;   /* for the receipt */
} Kind;

char *
_rf_person_hash (RfStore *store, const char *address, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (address, -1);
  g_autofree char *hex = NULL;
  guint8 key[RF_KEY_BYTES];
  guint8 hash[16];

  if (!rf_site_subkey (rf_store_state_dir (store), "rferase", 1, key, error))
    return NULL;
  rf_hash (hash, sizeof hash, lower, strlen (lower), key, sizeof key);
  rf_wipe (key, sizeof key);
  hex = rf_hex (hash, sizeof hash);
  return g_strconcat (RF_PERSON_ERASED_PREFIX, hex, NULL);
}

gboolean
_rf_person_is_erased (RfStore *store, const char *address, gboolean *erased_out,
                      GError **error)
{
  g_autofree char *hash = _rf_person_hash (store, address, error);

  return hash != NULL && rf_erasure_exists (store, hash, erased_out, error);
}

/* ---- the rows of the table: adapters to each store's pair ---- */

static JsonNode *
messages_about (const Query *q, GError **error)
{
  return _rf_keep_person_about (q->config, q->store, q->address, error);
}

static gboolean
messages_erase (const Query *q, guint64 *count_out, GError **error)
{
  return _rf_keep_person_erase (q->config, q->store, q->address, count_out, error);
}

/* The Bounce Redelivery copies of posts whose bytes name the address
 * (a post they sent, or one quoting them): unsealed to look. */
static GPtrArray *
redelivery_concerning (const Query *q, GError **error)
{
  g_autoptr (GPtrArray) all = rf_redelivery_expired (q->store, G_MAXINT64, G_MAXINT, error);
  g_autoptr (GPtrArray) found =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_redelivery_post_free);
  g_autofree char *needle = g_ascii_strdown (q->address, -1);
  g_autoptr (RfBlobStore) blobs = NULL;

  if (all == NULL)
    return NULL;
  if (all->len > 0 && (blobs = rf_blob_store_open (q->config, error)) == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      RfRedeliveryPost *p = g_ptr_array_index (all, i);
      g_autoptr (GError) local = NULL;
      g_autoptr (GBytes) bytes = rf_blob_get_sealed (blobs, q->config, p->blob_id, &local);
      g_autofree char *lower = NULL;

      if (bytes == NULL)
        {
          if (g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      lower = g_ascii_strdown (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
      if (strstr (lower, needle) == NULL)
        continue;
      g_ptr_array_add (found, g_steal_pointer (&all->pdata[i]));
    }
  return g_steal_pointer (&found);
}

static JsonNode *
redelivery_about (const Query *q, GError **error)
{
  g_autoptr (GPtrArray) found = redelivery_concerning (q, error);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (found == NULL)
    return NULL;
  json_builder_begin_array (b);
  for (guint i = 0; i < found->len; i++)
    {
      const RfRedeliveryPost *p = g_ptr_array_index (found, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "list");
      json_builder_add_string_value (b, p->list_address);
      json_builder_set_member_name (b, "message_id");
      json_builder_add_string_value (b, p->message_id != NULL ? p->message_id : "");
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, p->subject);
      json_builder_set_member_name (b, "stored");
      json_builder_add_int_value (b, p->stored);
      json_builder_set_member_name (b, "expires");
      json_builder_add_int_value (b, p->expires);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static gboolean
redelivery_erase (const Query *q, guint64 *count_out, GError **error)
{
  g_autoptr (GPtrArray) found = redelivery_concerning (q, error);
  g_autoptr (RfBlobStore) blobs = NULL;

  if (found == NULL)
    return FALSE;
  if (found->len > 0 && (blobs = rf_blob_store_open (q->config, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      const RfRedeliveryPost *p = g_ptr_array_index (found, i);

      if (!rf_blob_delete (blobs, p->blob_id, error) ||
          !rf_redelivery_post_remove (q->store, p->id, error))
        return FALSE;
      (*count_out)++;
    }
  return TRUE;
}

#define STORE_KIND(kind)                                                                   \
  static JsonNode *kind##_about (const Query *q, GError **error)                           \
  {                                                                                        \
    return rf_person_##kind##_about (q->store, q->address, error);                         \
  }                                                                                        \
  static gboolean kind##_erase (const Query *q, guint64 *count_out, GError **error)        \
  {                                                                                        \
    return rf_person_##kind##_erase (q->store, q->address, q->hash, count_out, error);     \
  }

STORE_KIND (bounces)
STORE_KIND (deliveries)
STORE_KIND (archive)
STORE_KIND (accounts)
STORE_KIND (monitor)
STORE_KIND (journal)
STORE_KIND (activity)

static JsonNode *
members_about (const Query *q, GError **error)
{
  return rf_person_members_about (q->store, q->address, error);
}

static gboolean
members_erase (const Query *q, guint64 *count_out, GError **error)
{
  return rf_person_members_erase (q->store, q->address, q->hash, q->actor, count_out, error);
}

static const Kind kinds[] = {
  /* sealed copies first: their bytes are searched for the address */
  { "messages", messages_about, messages_erase,
    "troubleshooting copies sent by or naming the address, removed" },
  { "redelivery_copies", redelivery_about, redelivery_erase,
    "Bounce Redelivery copies of posts naming the address, removed" },
  { "memberships", members_about, members_erase,
    "memberships removed (journalled as an unsubscribe of the hash)" },
  { "bounces", bounces_about, bounces_erase, "bounce and redelivery records removed" },
  { "deliveries", deliveries_about, deliveries_erase, "delivery records removed" },
  { "archive_posts", archive_about, archive_erase, "archived posts they sent, removed" },
  { "accounts", accounts_about, accounts_erase, "web accounts mailed there, removed" },
  { "monitor", monitor_about, monitor_erase, "inbox-monitoring records removed" },
  /* issue 10, held posts: { "held_posts", held_about, held_erase, "held posts removed" }, */
  /* last: the rows that stay, with the hash where the address was */
  { "journal", journal_about, journal_erase, "journal events, address replaced by its hash" },
  { "activity", activity_about, activity_erase,
    "activity log entries, address replaced by its hash" },
};

JsonNode *
rf_person_export (const RfConfig *config, RfStore *store, const char *address, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *norm = rf_address_normalize (address, error);
  Query q = { config, store, NULL, NULL, NULL };

  if (norm == NULL)
    return NULL;
  q.address = norm;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, norm);
  json_builder_set_member_name (b, "exported");
  json_builder_add_int_value (b, rf_now ());
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonNode *rows = kinds[i].about (&q, error);

      if (rows == NULL)
        {
          g_prefix_error (error, "%s: ", kinds[i].name);
          return NULL;
        }
      json_builder_set_member_name (b, kinds[i].name);
      json_builder_add_value (b, rows);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
erased_free (RfPersonErased *e)
{
  g_free (e->kind);
  g_free (e);
}

void
rf_person_receipt_free (RfPersonReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->address_hash);
  g_clear_pointer (&receipt->erased, g_ptr_array_unref);
  g_clear_pointer (&receipt->remaining, g_ptr_array_unref);
  g_free (receipt);
}

/* Add the places where @needle is still written to @out. */
static gboolean
still_there (RfStore *store, const char *needle, GPtrArray *out, GError **error)
{
  g_autoptr (GPtrArray) found = rf_store_find_text (store, needle, error);

  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (out, g_strdup (g_ptr_array_index (found, i)));
  return TRUE;
}

RfPersonReceipt *
rf_person_erase (const RfConfig *config, RfStore *store, const char *address,
                 const RfActor *actor, GError **error)
{
  g_autoptr (RfPersonReceipt) receipt = g_new0 (RfPersonReceipt, 1);
  g_autofree char *norm = rf_address_normalize (address, error);
  g_autofree char *verp = NULL;
  Query q = { config, store, NULL, NULL, actor };
  guint64 total = 0;

  if (norm == NULL)
    return NULL;
  receipt->erased = g_ptr_array_new_with_free_func ((GDestroyNotify) erased_free);
  receipt->remaining = g_ptr_array_new_with_free_func (g_free);
  receipt->at = rf_now ();
  if ((receipt->address_hash = _rf_person_hash (store, norm, error)) == NULL)
    return NULL;
  q.address = norm;
  q.hash = receipt->address_hash;
  /* deleted rows are zeroed in the file, not left in free pages */
  if (!rf_store_secure_delete (store, TRUE, error) || !rf_store_begin (store, error))
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      RfPersonErased *e = g_new0 (RfPersonErased, 1);

      e->kind = g_strdup (kinds[i].name);
      e->what = kinds[i].what;
      g_ptr_array_add (receipt->erased, e);
      if (!kinds[i].erase (&q, &e->count, error))
        {
          rf_store_rollback (store);
          g_prefix_error (error, "%s: ", kinds[i].name);
          return NULL;
        }
      total += e->count;
    }
  if (!rf_erasure_add (store, receipt->address_hash, error))
    {
      rf_store_rollback (store);
      return NULL;
    }
  {
    g_autofree char *detail =
        g_strdup_printf ("one person's data erased: %" G_GUINT64_FORMAT " rows", total);

    rf_activity_log (store, actor, "person-erase", NULL, detail);
  }
  if (!rf_store_commit (store, error) ||
      !rf_store_scrub (store, &receipt->wal_truncated, error))
    return NULL;
  /* what is left: the address in someone else's words, and its VERP
   * form (local=domain) */
  {
    g_autofree char *local = NULL;
    g_autofree char *domain = NULL;

    if (rf_address_split (norm, &local, &domain))
      verp = g_strdup_printf ("%s=%s", local, domain);
  }
  if (!still_there (store, norm, receipt->remaining, error) ||
      (verp != NULL && !still_there (store, verp, receipt->remaining, error)))
    return NULL;
  return g_steal_pointer (&receipt);
}
