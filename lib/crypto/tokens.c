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
