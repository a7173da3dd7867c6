/* links.c - the archive keeps attachment links without their tokens
 * (issue 11, finding 4a).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The archive keeps each post as the members got it, and with
 * attachments = link that copy holds each attachment's link
 * .../a/<token>/<name>: the 256-bit token both finds the file and is its
 * key, so a copy of the state directory opened every "unguessable"
 * attachment of an archived post.  What the archive stores instead is
 * .../a/~<sealed>/<name>: the token sealed (XChaCha20-Poly1305, a random
 * nonce) with a key derived from the site key, which lives in the key
 * directory, not the state directory.  The archive's reading functions
 * put the token back (rf_archive_post, rf_archive_export_mbox), so the
 * archive's pages show working links; the /a/ route knows no "~" form,
 * so a stored link opens nothing by itself.
 *
 * The links sit in the text parts, which may be quoted-printable or
 * base64: the post is parsed, each text part's decoded bytes changed, and
 * the post rendered again, every other part as it was.
 */
#include "archive/archive.h"
#include "crypto/crypto.h"
#include "mime/mime.h"

#include <reflector/token.h>
#include <string.h>

#define LINK_CONTEXT "archlink"
#define TOKEN_BYTES 32
/* base64url of RF_BOX_OVERHEAD + TOKEN_BYTES bytes */
#define SEALED_CHARS 96

G_STATIC_ASSERT (RF_TOKEN_CHARS == 43);

static gboolean
b64url_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Whether @p (before @end) starts with @n characters of base64url and then
 * a '/'. */
static gboolean
shaped (const char *p, const char *end, gsize n)
{
  if ((gsize) (end - p) < n + 1 || p[n] != '/')
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!b64url_char (p[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  guint8 key[RF_KEY_BYTES];
  guint8 previous[RF_KEY_BYTES];
  gboolean have_previous;
} LinkKeys;

static gboolean
link_keys (const RfConfig *config, gboolean opening, LinkKeys *keys, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (config == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "the store was opened without its keys (rf_store_open_with_keys)");
      return FALSE;
    }
  if (!rf_site_subkey (config, LINK_CONTEXT, 1, keys->key, error))
    return FALSE;
  keys->have_previous =
      opening && rf_site_subkey_previous (config, LINK_CONTEXT, 1, keys->previous, &local);
  return TRUE;
}

static void
link_keys_wipe (LinkKeys *keys)
{
  rf_wipe (keys, sizeof *keys);
}

/* @data with each "/a/<token>/" sealed (or, @opening, each "/a/~<sealed>/"
 * opened: a link no key opens stays as it is); *changed_out says whether
 * any was.  Returns: (transfer full). */
static GByteArray *
transform (const LinkKeys *keys, const char *data, gsize len, gboolean opening,
           gboolean *changed_out)
{
  GByteArray *out = g_byte_array_sized_new ((guint) len);
  const char *p = data, *end = data + len, *at;

  *changed_out = FALSE;
  /* memmem, not a string search: decoded text may hold a NUL */
  while ((at = memmem (p, end - p, "/a/", 3)) != NULL)
    {
      const char *t = at + 3;

      g_byte_array_append (out, (const guint8 *) p, (guint) (t - p));
      p = t;
      if (!opening && shaped (t, end, RF_TOKEN_CHARS))
        {
          g_autofree char *token = g_strndup (t, RF_TOKEN_CHARS);
          guint8 bin[TOKEN_BYTES], sealed[RF_BOX_OVERHEAD + TOKEN_BYTES];
          g_autofree char *text = NULL;

          /* a link of ours is exactly a token; a longer run is something else */
          if (!rf_base64url_decode (token, bin, sizeof bin))
            continue;
          rf_box_seal (keys->key, bin, sizeof bin, sealed);
          rf_wipe (bin, sizeof bin);
          text = rf_base64url (sealed, sizeof sealed);
          g_byte_array_append (out, (const guint8 *) "~", 1);
          g_byte_array_append (out, (const guint8 *) text, SEALED_CHARS);
          p = t + RF_TOKEN_CHARS;
          *changed_out = TRUE;
        }
      else if (opening && t < end && *t == '~' && shaped (t + 1, end, SEALED_CHARS))
        {
          g_autofree char *text = g_strndup (t + 1, SEALED_CHARS);
          guint8 sealed[RF_BOX_OVERHEAD + TOKEN_BYTES], bin[TOKEN_BYTES];
          g_autofree char *token = NULL;

          if (!rf_base64url_decode (text, sealed, sizeof sealed) ||
              (!rf_box_open (keys->key, sealed, sizeof sealed, bin) &&
               !(keys->have_previous && rf_box_open (keys->previous, sealed, sizeof sealed, bin))))
            continue;
          token = rf_base64url (bin, sizeof bin);
          rf_wipe (bin, sizeof bin);
          g_byte_array_append (out, (const guint8 *) token, RF_TOKEN_CHARS);
          rf_wipe_string (token);
          p = t + 1 + SEALED_CHARS;
          *changed_out = TRUE;
        }
    }
  g_byte_array_append (out, (const guint8 *) p, (guint) (end - p));
  return out;
}

gboolean
_rf_archive_has_links (const char *text, gboolean sealed)
{
  const char *end = text + strlen (text);

  for (const char *at = strstr (text, "/a/"); at != NULL; at = strstr (at + 3, "/a/"))
    if (sealed ? (at[3] == '~' && shaped (at + 4, end, SEALED_CHARS))
               : shaped (at + 3, end, RF_TOKEN_CHARS))
      return TRUE;
  return FALSE;
}

char *
_rf_archive_links_text (const RfConfig *config, const char *text, gboolean opening,
                        GError **error)
{
  LinkKeys keys;
  GByteArray *out;
  gboolean changed;

  if (!_rf_archive_has_links (text, opening))
    return g_strdup (text);
  if (!link_keys (config, opening, &keys, error))
    return NULL;
  out = transform (&keys, text, strlen (text), opening, &changed);
  link_keys_wipe (&keys);
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (out, FALSE);
}

/* Change the decoded bytes of each text part of @object (not inside an
 * attached message, which is its own document). */
static gboolean
rewrite_parts (GMimeObject *object, const LinkKeys *keys, gboolean opening)
{
  gboolean any = FALSE;

  if (GMIME_IS_MULTIPART (object))
    {
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n; i++)
        any |= rewrite_parts (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), keys,
                              opening);
      return any;
    }
  if (GMIME_IS_PART (object) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (object), "text", "*"))
    {
      GMimePart *part = GMIME_PART (object);
      GMimeContentEncoding was = g_mime_part_get_content_encoding (part);
      GMimeDataWrapper *content = g_mime_part_get_content (part);
      g_autoptr (GByteArray) bytes = g_byte_array_new ();
      g_autoptr (GMimeStream) mem = g_mime_stream_mem_new_with_byte_array (bytes);
      g_autoptr (GByteArray) out = NULL;
      g_autoptr (GMimeStream) stream = NULL;
      g_autoptr (GMimeDataWrapper) wrapper = NULL;
      gboolean changed = FALSE;

      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
      if (content == NULL || g_mime_data_wrapper_write_to_stream (content, mem) < 0)
        return FALSE;
      out = transform (keys, (const char *) bytes->data, bytes->len, opening, &changed);
      if (!changed)
        return FALSE;
      stream = g_mime_stream_mem_new_with_buffer ((const char *) out->data, out->len);
      wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      g_mime_part_set_content_encoding (part, was);
      return TRUE;
    }
  return FALSE;
}

GBytes *
_rf_archive_links_bytes (const RfConfig *config, GBytes *raw, gboolean opening, GError **error)
{
  g_autoptr (GBytes) fixed = _rf_mime_fix_line_ends (raw);
  g_autoptr (GMimeMessage) message = NULL;
  GMimeObject *body;
  LinkKeys keys;
  gboolean changed;

  if (!link_keys (config, opening, &keys, error))
    return NULL;
  message = _rf_mime_parse (fixed, NULL, NULL);
  body = message != NULL ? g_mime_message_get_mime_part (message) : NULL;
  changed = body != NULL && rewrite_parts (body, &keys, opening);
  link_keys_wipe (&keys);
  if (!changed)
    return g_bytes_ref (raw);
  return _rf_mime_render (message, error);
}
