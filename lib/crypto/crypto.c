/* crypto.c - libsodium's primitives as the rest of lib/ uses them: start
 * once, random bytes, encodings, BLAKE2b, key derivation, secretstream,
 * wiping.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "crypto/crypto.h"

#include <sodium.h>
#include <string.h>

G_STATIC_ASSERT (RF_KEY_BYTES == crypto_kdf_KEYBYTES);
G_STATIC_ASSERT (RF_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES);
G_STATIC_ASSERT (RF_SEAL_HEADER_BYTES == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
G_STATIC_ASSERT (RF_SEAL_OVERHEAD == crypto_secretstream_xchacha20poly1305_ABYTES);
G_STATIC_ASSERT (RF_BOX_OVERHEAD == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                        crypto_aead_xchacha20poly1305_ietf_ABYTES);

gboolean
rf_crypto_init (GError **error)
{
  /* sodium_init is idempotent and thread-safe; it fails only where the
   * system has no source of randomness */
  if (sodium_init () < 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "cannot initialise libsodium (no source of randomness?)");
      return FALSE;
    }
  return TRUE;
}

/* The entry points have reported a failure already; a caller that skipped
 * them gets an abort rather than weak randomness. */
static void
ready (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      if (sodium_init () < 0)
        g_error ("libsodium cannot start: no source of randomness");
      g_once_init_leave (&done, 1);
    }
}

void
rf_random (void *buf, gsize len)
{
  ready ();
  randombytes_buf (buf, len);
}

guint32
rf_random_below (guint32 upper)
{
  ready ();
  return randombytes_uniform (upper);
}

/* @n_bytes random bytes in the text form @encode makes of them */
static char *
random_text (gsize n_bytes, char *(*encode) (const void *data, gsize len))
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char *out;

  rf_random (bytes, n_bytes);
  out = encode (bytes, n_bytes);
  rf_wipe (bytes, n_bytes);
  return out;
}

char *
rf_random_hex (gsize n_bytes)
{
  return random_text (n_bytes, rf_hex);
}

char *
rf_random_base64url (gsize n_bytes)
{
  return random_text (n_bytes, rf_base64url);
}

char *
rf_hex (const void *data, gsize len)
{
  char *out = g_malloc (2 * len + 1);

  sodium_bin2hex (out, 2 * len + 1, data, len);
  return out;
}

gsize
rf_base64url_length (gsize n_bytes)
{
  return sodium_base64_ENCODED_LEN (n_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
}

char *
rf_base64url (const void *data, gsize len)
{
  gsize size = rf_base64url_length (len) + 1;
  char *out = g_malloc (size);

  sodium_bin2base64 (out, size, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

gboolean
rf_base64url_decode (const char *text, void *out, gsize out_len)
{
  size_t len = 0;

  if (text == NULL || strlen (text) != rf_base64url_length (out_len))
    return FALSE;
  return sodium_base642bin (out, out_len, text, strlen (text), NULL, &len, NULL,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
         len == out_len;
}

void
rf_hash (void *out, gsize out_len, const void *data, gsize len, const void *key, gsize key_len)
{
  crypto_generichash (out, out_len, data, len, key, key_len);
}

struct _RfHasher {
  crypto_generichash_state state;
  gsize out_len;
};

RfHasher *
rf_hasher_new (gsize out_len, const void *key, gsize key_len)
{
  /* the state wants 64-byte alignment */
  RfHasher *hasher = g_aligned_alloc0 (1, sizeof (RfHasher), 64);

  hasher->out_len = out_len;
  crypto_generichash_init (&hasher->state, key, key_len, out_len);
  return hasher;
}

void
rf_hasher_update (RfHasher *hasher, const void *data, gsize len)
{
  crypto_generichash_update (&hasher->state, data, len);
}

void
rf_hasher_finish (RfHasher *hasher, void *out)
{
  rf_hasher_final (hasher, out);
  rf_hasher_free (hasher);
}

RfHasher *
rf_hasher_clone (const RfHasher *hasher)
{
  RfHasher *copy = g_aligned_alloc (1, sizeof (RfHasher), 64);

  memcpy (copy, hasher, sizeof *copy);
  return copy;
}

void
rf_hasher_set (RfHasher *hasher, const RfHasher *from)
{
  memcpy (hasher, from, sizeof *hasher);
}

void
rf_hasher_final (RfHasher *hasher, void *out)
{
  crypto_generichash_final (&hasher->state, out, hasher->out_len);
}

void
rf_hasher_free (RfHasher *hasher)
{
  if (hasher == NULL)
    return;
  sodium_memzero (hasher, sizeof *hasher);
  g_aligned_free (hasher);
}

void
rf_kdf (void *out, gsize out_len, guint64 id, const char *context,
        const guint8 key[RF_KEY_BYTES])
{
  char ctx[crypto_kdf_CONTEXTBYTES];

  g_return_if_fail (strlen (context) <= sizeof ctx);
  memset (ctx, 0, sizeof ctx);
  memcpy (ctx, context, strlen (context));
  crypto_kdf_derive_from_key (out, out_len, id, ctx, key);
}

struct _RfSealState {
  crypto_secretstream_xchacha20poly1305_state state;
};

RfSealState *
rf_seal_begin (const guint8 key[RF_KEY_BYTES], guint8 header_out[RF_SEAL_HEADER_BYTES])
{
  RfSealState *s = g_new0 (RfSealState, 1);

  ready ();
  crypto_secretstream_xchacha20poly1305_init_push (&s->state, header_out, key);
  return s;
}

void
rf_seal_chunk (RfSealState *s, guint8 *out, const guint8 *in, gsize len, gboolean final)
{
  crypto_secretstream_xchacha20poly1305_push (
      &s->state, out, NULL, in, len, NULL, 0,
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
}

RfSealState *
rf_unseal_begin (const guint8 key[RF_KEY_BYTES], const guint8 header[RF_SEAL_HEADER_BYTES])
{
  RfSealState *s = g_new0 (RfSealState, 1);

  ready ();
  if (crypto_secretstream_xchacha20poly1305_init_pull (&s->state, header, key) != 0)
    {
      rf_seal_state_free (s);
      return NULL;
    }
  return s;
}

gboolean
rf_unseal_chunk (RfSealState *s, guint8 *out, gsize *out_len, const guint8 *in, gsize len,
                 gboolean *final_out)
{
  unsigned long long n = 0;
  guint8 tag = 0;

  if (len < RF_SEAL_OVERHEAD ||
      crypto_secretstream_xchacha20poly1305_pull (&s->state, out, &n, &tag, in, len, NULL, 0)
          != 0)
    return FALSE;
  *out_len = (gsize) n;
  *final_out = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  return TRUE;
}

void
rf_seal_state_free (RfSealState *s)
{
  if (s == NULL)
    return;
  sodium_memzero (s, sizeof *s);
  g_free (s);
}

void
rf_box_seal (const guint8 key[RF_KEY_BYTES], const void *in, gsize len, guint8 *out)
{
  unsigned long long n = 0;

  ready ();
  /* a random 192-bit nonce in front: never the same twice for one key */
  randombytes_buf (out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                              &n, in, len, NULL, 0, NULL, out, key);
}

gboolean
rf_box_open (const guint8 key[RF_KEY_BYTES], const guint8 *in, gsize len, guint8 *out)
{
  unsigned long long n = 0;

  ready ();
  if (len < RF_BOX_OVERHEAD)
    return FALSE;
  return crypto_aead_xchacha20poly1305_ietf_decrypt (
             out, &n, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
             len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, 0, in, key) == 0;
}

void
rf_wipe (void *buf, gsize len)
{
  sodium_memzero (buf, len);
}

void
rf_wipe_string (char *text)
{
  if (text != NULL)
    sodium_memzero (text, strlen (text));
}

gboolean
rf_equal (const void *a, const void *b, gsize len)
{
  return sodium_memcmp (a, b, len) == 0;
}
