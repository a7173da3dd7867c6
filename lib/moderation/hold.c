/* hold.c - keep a post for the moderators, and tell them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As with Bounce Redelivery's kept posts, the blob goes first and the row
 * after: cleanup starts from rows, so a run killed between the two leaves
 * at worst a blob no row names.  The post is sealed with a key derived
 * from the site's blob key and its id: a copy of the bucket reads nothing.
 *
 * The notice shows the post's header fields, never its text, unless the
 * list's setting moderation_excerpt says so: moderators decide by who
 * wrote, to whom and about what.  It carries three addresses
 * LIST-confirm+<token>, one per decision; each token holds 256 bits and
 * is kept only as a hash.
 */
#include "moderation/moderation.h"
#include "archive/archive.h"
#include "roles/roles.h"

#include <string.h>

/* The most of the header block a notice shows. */
#define MAX_HEADER_BYTES 8192
/* The excerpt: at most so many lines and bytes of the text. */
#define EXCERPT_LINES 15
#define EXCERPT_BYTES 1200

gboolean
_rf_held_seal (const RfConfig *config, const char *blob_id, GBytes *bytes, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);

  return blobs != NULL && rf_blob_put_sealed (blobs, config, blob_id, bytes, error);
}

GBytes *
_rf_held_unseal (const RfConfig *config, const char *blob_id, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);

  return blobs != NULL ? rf_blob_get_sealed (blobs, config, blob_id, error) : NULL;
}

void
_rf_held_blob_delete (const RfConfig *config, const char *blob_id)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, NULL);

  if (blobs != NULL)
    rf_blob_delete (blobs, blob_id, NULL);
}

/* one line, printable: it goes into a row and a notice */
static char *
one_line (const char *text, gsize max)
{
  g_autofree char *s = rf_text_printable (text != NULL ? text : "");

  g_strstrip (s);
  if (strlen (s) > max)
    {
      const char *end = g_utf8_find_prev_char (s, s + max);

      return g_strndup (s, end != NULL ? (gsize) (end - s) : 0);
    }
  return g_steal_pointer (&s);
}

/* The header block of @raw as lines of text, control characters made
 * spaces, cut at MAX_HEADER_BYTES. */
static char *
header_block (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  GString *out = g_string_new (NULL);
  gsize i = 0;

  while (i < len && out->len < MAX_HEADER_BYTES)
    {
      const char *nl = memchr (data + i, '\n', len - i);
      gsize end = nl != NULL ? (gsize) (nl - data) : len;
      g_autofree char *line = g_strndup (data + i, end - i);
      g_autofree char *valid = NULL;

      g_strchomp (line);
      if (*line == '\0')
        break;
      valid = g_utf8_make_valid (line, -1);
      for (char *p = valid; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = ' ';
      g_string_append_printf (out, "  %s\n", valid);
      i = end + 1;
    }
  if (out->len >= MAX_HEADER_BYTES)
    g_string_append (out, "  [...]\n");
  return g_string_free (out, FALSE);
}

static char *
excerpt_of (const char *text)
{
  GString *out = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", 0);
  guint n = 0;

  for (char **l = lines; *l != NULL && n < EXCERPT_LINES && out->len < EXCERPT_BYTES; l++)
    {
      if (n == 0 && **l == '\0')
        continue;
      g_string_append_printf (out, "  | %s\n", *l);
      n++;
    }
  return g_string_free (out, FALSE);
}

static char *
day_of (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

/* A fresh token for @action on @post, recorded; (transfer full). */
static char *
new_token (RfStore *store, const RfHeldPost *post, RfConfirmAction action, GError **error)
{
  char *token = rf_token_new_caseless ();
  g_autofree char *hash = rf_token_hash (token);
  RfConfirmation c = { action, post->list_address, NULL, post->id, rf_now (), post->expires };

  if (!rf_confirmation_add (store, hash, &c, error))
    {
      rf_wipe_string (token);
      g_free (token);
      return NULL;
    }
  return token;
}

static gboolean
send_notices (const RfConfig *config, const RfActor *actor, RfStore *store,
              const RfList *list, GHashTable *settings, const RfHeldPost *post, GBytes *raw,
              const char *text, GError **error)
{
  static const RfConfirmAction actions[3] = { RF_CONFIRM_APPROVE, RF_CONFIRM_REJECT,
                                              RF_CONFIRM_DISCARD };
  g_autoptr (GPtrArray) to = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *headers = header_block (raw);
  g_autofree char *until = day_of (post->expires);
  g_autofree char *subject = NULL;
  g_autofree char *base = g_strdup (config->base_url != NULL ? config->base_url : "");
  char *tokens[3] = { NULL, NULL, NULL };
  g_auto (GStrv) reasons = g_strsplit (post->reasons, "\n", 0);
  guint sent = 0;
  gboolean ok = FALSE;

  to = _rf_list_owner_addresses (store, list, settings, TRUE, error);
  if (to == NULL)
    return FALSE;
  if (to->len == 0)
    {
      rf_activity_log (store, actor, "hold-unnoticed", list->address,
                       "a post is held, and the list has no moderator or owner to tell");
      return rf_held_set_notified (store, post->id, error);
    }
  for (int i = 0; i < 3; i++)
    if ((tokens[i] = new_token (store, post, actions[i], error)) == NULL)
      goto out;
  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  g_string_append_printf (body, "A post to %s is held for its moderators (number %" G_GINT64_FORMAT
                                ").\n\nWhy:\n",
                          list->address, post->id);
  for (char **r = reasons; *r != NULL; r++)
    if (**r != '\0')
      g_string_append_printf (body, "  - %s\n", *r);
  g_string_append_printf (body, "\nIts header fields (%" G_GINT64_FORMAT " bytes in all):\n%s",
                          post->size, headers);
  if (rf_setting_value_bool (g_hash_table_lookup (settings, "moderation_excerpt")))
    {
      g_autofree char *excerpt = excerpt_of (text);

      g_string_append_printf (body, "\nIts first lines:\n%s", excerpt);
    }
  g_string_append_printf (body,
                          "\nTo send it to every member, send any message to\n"
                          "  %s-confirm+%s@%s\n"
                          "To reject it (its sender is told), send any message to\n"
                          "  %s-confirm+%s@%s\n"
                          "To discard it (nobody is told), send any message to\n"
                          "  %s-confirm+%s@%s\n"
                          "or use the moderator panel: %s/m/%s/held\n\n"
                          "Unless a moderator decides, it is deleted on %s.\n",
                          list->local, tokens[0], list->domain, list->local, tokens[1],
                          list->domain, list->local, tokens[2], list->domain, base,
                          list->address, until);
  subject = g_strdup_printf ("Held for moderation: a post to %s (number %" G_GINT64_FORMAT ")",
                             list->address, post->id);
  if (!_rf_mail_send (config, list->address, NULL, to, subject, body->str, &sent, error))
    goto out;
  {
    g_autofree char *detail = g_strdup_printf ("held post %" G_GINT64_FORMAT
                                               ": notice sent to %u moderator address%s",
                                               post->id, sent, sent == 1 ? "" : "es");

    rf_activity_log (store, actor, "hold-notice", list->address, detail);
  }
  ok = rf_held_set_notified (store, post->id, error);
out:
  for (int i = 0; i < 3; i++)
    if (tokens[i] != NULL)
      {
        rf_wipe_string (tokens[i]);
        g_free (tokens[i]);
      }
  rf_wipe (body->str, body->len);
  return ok;
}

gboolean
_rf_moderation_hold (const RfConfig *config, const RfActor *actor, RfStore *store,
                     const RfList *list, GHashTable *settings, GBytes *raw,
                     const char *envelope_sender, const char *key, GPtrArray *reasons,
                     GError **error)
{
  g_autoptr (RfHeldPost) post = NULL;
  g_autoptr (RfArchiveDoc) doc = _rf_archive_extract (raw, NULL);
  g_autoptr (GError) local = NULL;
  gboolean notified = FALSE;

  post = rf_held_by_key (store, key, &local);
  if (post == NULL && !g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (post == NULL)
    {
      const char *days = g_hash_table_lookup (settings, "hold_days");
      g_autoptr (GString) why = g_string_new (NULL);
      g_autofree char *from = NULL;
      RfHeldPost row = { 0 };
      gboolean added = FALSE;

      for (guint i = 0; i < reasons->len; i++)
        g_string_append_printf (why, "%s%s", i > 0 ? "\n" : "",
                                (const char *) g_ptr_array_index (reasons, i));
      if (doc != NULL && *doc->from_name != '\0')
        from = g_strdup_printf ("%s <%s>", doc->from_name, doc->from_addr);
      else
        from = g_strdup (doc != NULL ? doc->from_addr : "");
      row.list_address = list->address;
      row.msg_key = (char *) key;
      row.sender = (char *) (envelope_sender != NULL ? envelope_sender : "");
      row.from = one_line (from, 200);
      row.subject = one_line (doc != NULL ? doc->subject : "", 200);
      row.reasons = why->str;
      row.size = (gint64) g_bytes_get_size (raw);
      row.blob_id = rf_blob_id_new ();
      row.held = rf_now ();
      row.expires = row.held + (gint64) rf_setting_value_uint (days != NULL ? days : "7") * RF_DAY;
      if (!_rf_held_seal (config, row.blob_id, raw, error) ||
          !rf_held_add (store, &row, &added, error))
        {
          g_prefix_error (error, "cannot hold the post: ");
          if (error != NULL && *error != NULL)
            (*error)->code = RF_ERROR_TEMPORARY;
          g_free (row.from);
          g_free (row.subject);
          g_free (row.blob_id);
          return FALSE;
        }
      if (!added)
        _rf_held_blob_delete (config, row.blob_id);
      g_free (row.from);
      g_free (row.subject);
      g_free (row.blob_id);
      post = rf_held_by_key (store, key, error);
      if (post == NULL)
        return FALSE;
      if (added)
        {
          g_autofree char *reasons_line = g_strdelimit (g_strdup (post->reasons), "\n", ';');
          g_autofree char *detail = g_strdup_printf ("post %" G_GINT64_FORMAT " held: %s",
                                                     post->id, reasons_line);

          rf_activity_log (store, actor, "hold", list->address, detail);
        }
    }
  if (!rf_held_notified (store, post->id, &notified, error))
    return FALSE;
  if (notified)
    return TRUE;
  return send_notices (config, actor, store, list, settings, post, raw,
                       doc != NULL ? doc->text : "", error);
}
