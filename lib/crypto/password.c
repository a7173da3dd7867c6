/* password.c - Argon2id password hashes (libsodium's crypto_pwhash_str at
 * its interactive limits).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "crypto/crypto.h"

#include <sodium.h>
#include <string.h>

char *
rf_password_hash (const char *password, GError **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (!rf_crypto_init (error))
    return NULL;
  if (crypto_pwhash_str (hash, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      /* libsodium fails here only when it cannot get the memory */
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot hash the password: out of memory");
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
rf_password_verify (const char *hash, const char *password)
{
  static char dummy[crypto_pwhash_STRBYTES];
  static gsize dummy_ready = 0;

  if (password == NULL || !rf_crypto_init (NULL))
    return FALSE;
  if (hash == NULL)
    {
      /* same work for an unknown name as for a wrong password: the answer's
       * time must not tell which names exist */
      if (g_once_init_enter (&dummy_ready))
        {
          char pw[16];

          rf_random (pw, sizeof pw);
          if (crypto_pwhash_str (dummy, pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            dummy[0] = '\0';
          rf_wipe (pw, sizeof pw);
          g_once_init_leave (&dummy_ready, 1);
        }
      /* even a guessed random password opens no account */
      if (dummy[0] != '\0' && crypto_pwhash_str_verify (dummy, password, strlen (password)) == 0)
        return FALSE;
      return FALSE;
    }
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}
