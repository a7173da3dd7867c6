/* verp.c - the envelope sender that tells us, when a copy bounces, whose
 * copy it was (Variable Envelope Return Path), and that it is our own.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LIST-bounces+<auth>+<local>=<domain>@<list domain>, or, when the
 * member's local part would not fit or not survive,
 * LIST-bounces+<auth>+h<base32 of a hash of the member>@<list domain>.
 *
 * <auth> (issue 11, finding 8: anyone could send a bounce to
 * LIST-bounces+victim=... and push a member toward removal) is 8 base32
 * characters: the week the copy went out (one character, the week number
 * modulo 32) and 35 bits of a keyed BLAKE2b of the list, the member and
 * that week, under a key derived from the site key (key directory, never
 * the state directory).  A bounce is believed for RF_VERP_WEEKS weeks;
 * after a rotation of the site key, the previous key's still hold.  The
 * member is hashed in lower case: an MTA may change the case of the local
 * part on the way back, and members are found whatever the case.
 */
#include "deliver/deliver.h"
#include "crypto/crypto.h"
#include "store/store.h"

#include <string.h>

/* RFC 5321 4.5.3.1.1: a local part has at most 64 octets. */
#define MAX_LOCAL 64
#define AUTH_CHARS 8
#define WEEK ((gint64) 7 * RF_DAY)
#define KDF_CONTEXT "verpauth"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Characters that survive in a local part without quoting (RFC 5322 atext
 * and '.'), minus '=' and '+', which carry the VERP structure. */
static gboolean
verp_safe_len (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];

      if (!(g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*-/?^_`{|}~.", c) != NULL)))
        return FALSE;
    }
  return TRUE;
}

/* RFC 4648 base32, lower case, no padding: 16 bytes -> 26 characters. */
static void
base32_lower (const guint8 *in, gsize len, char *out)
{
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

/* The 26 base32 characters of the member's hash (the "h" form). */
static void
member_hash (const char *member, char b32[27])
{
  guint8 hash[16];

  rf_hash (hash, sizeof hash, member, strlen (member), NULL, 0);
  base32_lower (hash, sizeof hash, b32);
}

/* The authenticator's hasher for @list_address under @key, fed up to the
 * member (rf_hasher_clone and _set start each member's from it). */
static RfHasher *
authenticator_prefix (const guint8 key[RF_KEY_BYTES], const char *list_address)
{
  g_autofree char *list = g_ascii_strdown (list_address, -1);
  RfHasher *hasher = rf_hasher_new (16, key, RF_KEY_BYTES);

  /* the terminating NULs included: no boundary games */
  rf_hasher_update (hasher, list, strlen (list) + 1);
  return hasher;
}

/* The authenticator of @member's copies in @week (@stamp, its decimal
 * form), from @hasher that authenticator_prefix's state was set into. */
static void
authenticator_finish (RfHasher *hasher, const char *member, gint64 week, const char *stamp,
                      char out[AUTH_CHARS + 1])
{
  guint8 mac[16];
  char b32[27];
  char lower[128];
  gsize n = strlen (member) + 1;

  /* the member in lower case, with its NUL, in pieces of a stack buffer */
  for (gsize off = 0; off < n;)
    {
      gsize k = MIN (n - off, sizeof lower);

      for (gsize i = 0; i < k; i++)
        lower[i] = g_ascii_tolower (member[off + i]);
      rf_hasher_update (hasher, lower, k);
      off += k;
    }
  rf_hasher_update (hasher, stamp, strlen (stamp) + 1);
  rf_hasher_final (hasher, mac);
  base32_lower (mac, 5, b32);   /* 8 characters; the first 7 are 35 bits */
  out[0] = alphabet[week % 32];
  memcpy (out + 1, b32, AUTH_CHARS - 1);
  out[AUTH_CHARS] = '\0';
}

/* The authenticator of @member's copies of @list in @week. */
static void
authenticator (const guint8 key[RF_KEY_BYTES], const char *list_address, const char *member,
               gint64 week, char out[AUTH_CHARS + 1])
{
  RfHasher *hasher = authenticator_prefix (key, list_address);
  char stamp[24];

  g_snprintf (stamp, sizeof stamp, "%" G_GINT64_FORMAT, week);
  authenticator_finish (hasher, member, week, stamp, out);
  rf_hasher_free (hasher);
}

/* issue 14: what every copy of one fan-out shares, made once: the key
 * derived, the list's parts, the week, the hasher fed up to the member. */
struct _RfVerpMaker {
  char *list_local;
  char *list_at;             /* "@" and the list's domain */
  gint64 week;
  char stamp[24];
  RfHasher *prefix;
  RfHasher *work;
};

RfVerpMaker *
_rf_verp_maker_new (const RfConfig *config, const char *list_address, GError **error)
{
  const char *list_at = strrchr (list_address, '@');
  guint8 key[RF_KEY_BYTES];
  RfVerpMaker *maker;

  g_return_val_if_fail (list_at != NULL, NULL);
  if (!rf_site_subkey (config, KDF_CONTEXT, 1, key, error))
    return NULL;
  maker = g_new0 (RfVerpMaker, 1);
  maker->list_local = g_strndup (list_address, list_at - list_address);
  maker->list_at = g_strdup (list_at);
  maker->week = rf_now () / WEEK;
  g_snprintf (maker->stamp, sizeof maker->stamp, "%" G_GINT64_FORMAT, maker->week);
  maker->prefix = authenticator_prefix (key, list_address);
  maker->work = rf_hasher_clone (maker->prefix);
  rf_wipe (key, sizeof key);
  return maker;
}

void
_rf_verp_maker_free (RfVerpMaker *maker)
{
  if (maker == NULL)
    return;
  g_free (maker->list_local);
  g_free (maker->list_at);
  rf_hasher_free (maker->prefix);
  rf_hasher_free (maker->work);
  g_free (maker);
}

void
_rf_verp_maker_append (RfVerpMaker *maker, const char *member, GString *out)
{
  const char *member_at = strrchr (member, '@');
  gsize start = out->len;
  gsize member_local_len;
  char auth[AUTH_CHARS + 1];

  g_return_if_fail (member_at != NULL);
  member_local_len = (gsize) (member_at - member);
  rf_hasher_set (maker->work, maker->prefix);
  authenticator_finish (maker->work, member, maker->week, maker->stamp, auth);
  rf_gstring_put_str (out, maker->list_local);
  rf_gstring_put (out, "-bounces+", 9);
  rf_gstring_put (out, auth, AUTH_CHARS);
  g_string_append_c (out, '+');
  rf_gstring_put (out, member, member_local_len);
  g_string_append_c (out, '=');
  rf_gstring_put_str (out, member_at + 1);
  if (out->len - start > MAX_LOCAL || !verp_safe_len (member, member_local_len) ||
      !verp_safe_len (member_at + 1, strlen (member_at + 1)))
    {
      char b32[27];
      gsize room = MAX_LOCAL - strlen (maker->list_local) - strlen ("-bounces++h") - AUTH_CHARS;

      member_hash (member, b32);
      /* a list's local part has at most 40 characters (rf_list_create), so
       * at least 5 remain; short list names keep all 128 bits.  Members
       * whose hashes share the characters kept are told apart by the
       * authenticator (rf_verp_resolve) */
      if (room < sizeof b32 - 1)
        b32[room] = '\0';
      g_string_truncate (out, start);
      rf_gstring_put_str (out, maker->list_local);
      rf_gstring_put (out, "-bounces+", 9);
      rf_gstring_put (out, auth, AUTH_CHARS);
      rf_gstring_put (out, "+h", 2);
      rf_gstring_put_str (out, b32);
    }
  rf_gstring_put_str (out, maker->list_at);
}

char *
rf_verp_sender (const RfConfig *config, const char *list_address, const char *member,
                GError **error)
{
  RfVerpMaker *maker;
  GString *out;

  g_return_val_if_fail (strrchr (list_address, '@') != NULL && strrchr (member, '@') != NULL,
                        NULL);
  maker = _rf_verp_maker_new (config, list_address, error);
  if (maker == NULL)
    return NULL;
  out = g_string_sized_new (128);
  _rf_verp_maker_append (maker, member, out);
  _rf_verp_maker_free (maker);
  return g_string_free (out, FALSE);
}

char *
rf_verp_decode (const char *tag)
{
  const char *eq;

  if (tag == NULL)
    return NULL;
  /* past an authenticator */
  if (strchr (tag, '+') != NULL)
    tag = strchr (tag, '+') + 1;
  eq = strrchr (tag, '=');
  if (eq == NULL || eq == tag || eq[1] == '\0')
    return NULL;
  return g_strdup_printf ("%.*s@%s", (int) (eq - tag), tag, eq + 1);
}

/* Whether @auth holds for @member: made in one of the last RF_VERP_WEEKS
 * weeks, with the site key or the one it replaced. */
static gboolean
authentic (const RfConfig *config, const char *list_address, const char *member,
           const char *auth, GError **error)
{
  g_autofree char *given = g_ascii_strdown (auth, -1);
  guint8 keys[2][RF_KEY_BYTES];
  int n_keys = 1;
  gint64 now = rf_now () / WEEK;
  gboolean ok = FALSE;

  if (strlen (given) != AUTH_CHARS)
    return FALSE;
  if (!rf_site_subkey (config, KDF_CONTEXT, 1, keys[0], error))
    return FALSE;
  if (rf_site_subkey_previous (config, KDF_CONTEXT, 1, keys[1], NULL))
    n_keys = 2;
  for (gint64 week = now; week > now - RF_VERP_WEEKS && !ok; week--)
    {
      if (given[0] != alphabet[week % 32])
        continue;
      for (int k = 0; k < n_keys && !ok; k++)
        {
          char want[AUTH_CHARS + 1];

          authenticator (keys[k], list_address, member, week, want);
          ok = rf_equal (want, given, AUTH_CHARS);
        }
    }
  rf_wipe (keys, sizeof keys);
  return ok;
}

gboolean
rf_verp_resolve (RfStore *store, const RfConfig *config, const RfList *list, const char *tag,
                 char **member_out, RfVerpCheck *check_out, GError **error)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *auth = NULL;
  const char *rest = tag, *plus;

  *member_out = NULL;
  *check_out = RF_VERP_FORGED;
  if (tag == NULL || *tag == '\0')
    return TRUE;
  plus = strchr (tag, '+');
  if (plus != NULL)
    {
      auth = g_strndup (tag, plus - tag);
      rest = plus + 1;
    }
  if (rest[0] == 'h' && strchr (rest, '=') == NULL)
    {
      /* the hash is one-way: hash each member and compare what the
       * address kept of it (bounces are rare, lists small enough) */
      g_autofree char *kept = g_ascii_strdown (rest + 1, -1);
      g_autoptr (GPtrArray) members = NULL;

      if (strlen (kept) < 5 || strspn (kept, alphabet) != strlen (kept))
        return TRUE;
      members = rf_member_list (store, list, error);
      if (members == NULL)
        return FALSE;
      for (guint i = 0; i < members->len; i++)
        {
          const char *member = g_ptr_array_index (members, i);
          char b32[27];

          member_hash (member, b32);
          if (g_str_has_prefix (b32, kept))
            g_ptr_array_add (candidates, g_strdup (member));
        }
    }
  else
    {
      g_autofree char *address = rf_verp_decode (rest);
      g_autofree char *stored = NULL;

      if (address == NULL)
        return TRUE;
      /* an MTA may have changed the case of the local part on the way back */
      if (!rf_member_find (store, list, address, &stored, error))
        return FALSE;
      g_ptr_array_add (candidates, stored != NULL ? g_steal_pointer (&stored)
                                                  : g_steal_pointer (&address));
    }
  if (candidates->len == 0)
    return TRUE;
  if (auth == NULL)
    {
      *member_out = g_strdup (g_ptr_array_index (candidates, 0));
      *check_out = RF_VERP_UNSIGNED;
      return TRUE;
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      g_autoptr (GError) local = NULL;

      if (authentic (config, list->address, g_ptr_array_index (candidates, i), auth, &local))
        {
          *member_out = g_strdup (g_ptr_array_index (candidates, i));
          *check_out = RF_VERP_AUTHENTIC;
          return TRUE;
        }
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  *member_out = g_strdup (g_ptr_array_index (candidates, 0));
  *check_out = RF_VERP_FORGED;
  return TRUE;
}
