/* verp.c - the envelope sender that tells us, when a copy bounces, whose
 * copy it was (Variable Envelope Return Path).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "deliver/deliver.h"
#include "crypto/crypto.h"

#include <string.h>

/* RFC 5321 4.5.3.1.1: a local part has at most 64 octets. */
#define MAX_LOCAL 64

/* Characters that survive in a local part without quoting (RFC 5322 atext
 * and '.'), minus '=' and '+', which carry the VERP structure. */
static gboolean
verp_safe (const char *s)
{
  for (; *s != '\0'; s++)
    {
      guchar c = (guchar) *s;

      if (!(g_ascii_isalnum (c) || strchr ("!#$%&'*-/?^_`{|}~.", c) != NULL))
        return FALSE;
    }
  return TRUE;
}

/* RFC 4648 base32, lower case, no padding: 16 bytes -> 26 characters. */
static void
base32_lower (const guint8 *in, gsize len, char *out)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  guint32 buffer = 0;
  int bits = 0;

  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | in[i];
      bits += 8;
      while (bits >= 5)
        {
          *out++ = alphabet[(buffer >> (bits - 5)) & 31];
          bits -= 5;
        }
    }
  if (bits > 0)
    *out++ = alphabet[(buffer << (5 - bits)) & 31];
  *out = '\0';
}

char *
rf_verp_sender (const char *list_address, const char *member)
{
  const char *list_at = strrchr (list_address, '@');
  const char *member_at = strrchr (member, '@');
  g_autofree char *list_local = NULL;
  g_autofree char *member_local = NULL;
  g_autofree char *local = NULL;

  g_return_val_if_fail (list_at != NULL && member_at != NULL, NULL);
  list_local = g_strndup (list_address, list_at - list_address);
  member_local = g_strndup (member, member_at - member);
  local = g_strdup_printf ("%s-bounces+%s=%s", list_local, member_local, member_at + 1);
  if (strlen (local) > MAX_LOCAL || !verp_safe (member_local) || !verp_safe (member_at + 1))
    {
      guint8 hash[16];
      char b32[27];

      gsize room = MAX_LOCAL - strlen (list_local) - strlen ("-bounces+h");

      rf_hash (hash, sizeof hash, member, strlen (member), NULL, 0);
      base32_lower (hash, sizeof hash, b32);
      /* a list's local part has at most 40 characters (rf_list_create), so
       * at least 14 remain: 70 bits, plenty to tell one list's members
       * apart; short list names keep all 128 */
      if (room < sizeof b32 - 1)
        b32[room] = '\0';
      g_free (local);
      local = g_strdup_printf ("%s-bounces+h%s", list_local, b32);
    }
  return g_strconcat (local, list_at, NULL);
}

char *
rf_verp_decode (const char *tag)
{
  const char *eq;

  if (tag == NULL)
    return NULL;
  eq = strrchr (tag, '=');
  if (eq == NULL || eq == tag || eq[1] == '\0')
    return NULL;
  return g_strdup_printf ("%.*s@%s", (int) (eq - tag), tag, eq + 1);
}

char *
rf_member_by_verp_hash (RfStore *store, const RfList *list, const char *tag, GError **error)
{
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *want = NULL;

  if (tag == NULL || tag[0] != 'h')
    return NULL;
  members = rf_member_list (store, list, error);
  if (members == NULL)
    return NULL;
  /* the hash is one-way: make each member's sender and compare (bounces
   * are rare, lists small enough) */
  {
    const char *at = strrchr (list->address, '@');
    want = g_strdup_printf ("%.*s-bounces+%s%s", (int)(at - list->address), list->address, tag, at);
  }
  for (guint i = 0; i < members->len; i++)
    {
      const char *member = g_ptr_array_index (members, i);
      g_autofree char *sender = rf_verp_sender (list->address, member);

      if (sender != NULL && g_ascii_strcasecmp (sender, want) == 0)
        return g_strdup (member);
    }
  return NULL;
}
