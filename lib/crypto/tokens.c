/* tokens.c - the random tokens of links, cookies and forms, and what the
 * store keeps of them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "crypto/crypto.h"

#include <string.h>

#define TOKEN_BYTES 32

char *
rf_token_new (void)
{
  return rf_random_base64url (TOKEN_BYTES);
}

gboolean
rf_token_shaped (const char *text, gsize n_chars)
{
  gsize n = 0;

  if (text == NULL)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return n == n_chars;
}

/* RFC 4648 base32, lower case, no padding. */
static char *
base32_lower (const guint8 *in, gsize len)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  GString *out = g_string_sized_new (len * 8 / 5 + 2);
  guint32 buffer = 0;
  int bits = 0;

  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | in[i];
      bits += 8;
      while (bits >= 5)
        {
          g_string_append_c (out, alphabet[(buffer >> (bits - 5)) & 31]);
          bits -= 5;
        }
    }
  if (bits > 0)
    g_string_append_c (out, alphabet[(buffer << (5 - bits)) & 31]);
  return g_string_free (out, FALSE);
}

char *
rf_token_new_caseless (void)
{
  guint8 bytes[TOKEN_BYTES];
  char *token;

  rf_random (bytes, sizeof bytes);
  token = base32_lower (bytes, sizeof bytes);
  rf_wipe (bytes, sizeof bytes);
  return token;
}

gboolean
rf_token_caseless_shaped (const char *text)
{
  gsize n = 0;

  if (text == NULL)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++, n++)
    {
      char c = g_ascii_tolower (*p);

      if (!(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7'))
        return FALSE;
    }
  return n == RF_TOKEN_CASELESS_CHARS;
}

char *
rf_token_hash (const char *token)
{
  static const char context[] = "reflector token lookup v1";
  guint8 hash[32];

  /* the token is the key of a keyed hash over a fixed context: the same
   * token always finds its row, and the hash is not the blob key */
  rf_hash (hash, sizeof hash, context, sizeof context - 1, token, strlen (token));
  return rf_hex (hash, sizeof hash);
}
