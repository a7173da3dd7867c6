/* test-verp.c - list addresses, their roles, and VERP envelope senders.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include "deliver/deliver.h"

#include <string.h>

static void
assert_role (const char *address, const char *list, RfRole role, const char *tag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfRecipient) r = rf_recipient_parse (address, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (r->list_address, ==, list);
  g_assert_cmpint (r->role, ==, role);
  g_assert_cmpstr (r->tag, ==, tag);
}

static void
test_roles (void)
{
  assert_role ("dev@lists.test", "dev@lists.test", RF_ROLE_POST, NULL);
  assert_role ("DEV@Lists.Test", "dev@lists.test", RF_ROLE_POST, NULL);
  assert_role ("dev-request@lists.test", "dev@lists.test", RF_ROLE_REQUEST, NULL);
  assert_role ("dev-owner@lists.test", "dev@lists.test", RF_ROLE_OWNER, NULL);
  assert_role ("dev-join@lists.test", "dev@lists.test", RF_ROLE_JOIN, NULL);
  assert_role ("dev-leave@lists.test", "dev@lists.test", RF_ROLE_LEAVE, NULL);
  assert_role ("my-dev-list-bounces+alice=example.test@lists.test", "my-dev-list@lists.test",
               RF_ROLE_BOUNCES, "alice=example.test");
  assert_role ("dev-confirm+Tok3n@lists.test", "dev@lists.test", RF_ROLE_CONFIRM, "Tok3n");
  /* Postfix keeps the case the sender wrote: a role suffix in capitals */
  assert_role ("DEV-CONFIRM+TOK3N@lists.test", "dev@lists.test", RF_ROLE_CONFIRM, "TOK3N");
  assert_role ("Dev-Request@Lists.Test", "dev@lists.test", RF_ROLE_REQUEST, NULL);
  /* a '+' that is no role of ours names no list: the whole address stays */
  assert_role ("dev+x@lists.test", "dev+x@lists.test", RF_ROLE_POST, NULL);
  /* "-request" alone is no list name with a suffix */
  assert_role ("-request@lists.test", "-request@lists.test", RF_ROLE_POST, NULL);
}

static void
test_not_an_address (void)
{
  const char *bad[] = { "", "dev", "@lists.test", "dev@", NULL };

  for (int i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RfRecipient) r = rf_recipient_parse (bad[i], &error);

      g_assert_null (r);
      g_assert_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST);
    }
}

static void
test_verp_plain (void)
{
  g_autofree char *v = rf_verp_sender ("dev@lists.test", "alice@example.test");
  g_autofree char *back = rf_verp_decode ("alice=example.test");

  g_assert_cmpstr (v, ==, "dev-bounces+alice=example.test@lists.test");
  g_assert_cmpstr (back, ==, "alice@example.test");
  /* the member's local part keeps its case */
  g_free (v);
  v = rf_verp_sender ("dev@lists.test", "Bob.Smith@example.test");
  g_assert_cmpstr (v, ==, "dev-bounces+Bob.Smith=example.test@lists.test");
}

static void
assert_hashed (const char *list, const char *member)
{
  g_autofree char *v = rf_verp_sender (list, member);
  g_autofree char *v2 = rf_verp_sender (list, member);
  const char *at = strrchr (v, '@');
  g_autofree char *prefix = g_strdup_printf ("%.*s-bounces+h", (int) (strchr (list, '@') - list),
                                             list);
  gsize hash_len;

  g_assert_cmpstr (v, ==, v2);   /* stable: a bounce must find the member again */
  g_assert_true (g_str_has_prefix (v, prefix));
  g_assert_cmpuint (at - v, <=, 64);
  g_assert_cmpstr (at, ==, strchr (list, '@'));
  hash_len = (gsize) (at - v) - strlen (prefix);
  g_assert_cmpuint (hash_len, >=, 14);
  g_assert_cmpuint (hash_len, <=, 26);
  for (const char *p = v + strlen (prefix); p < at; p++)
    g_assert_true ((*p >= 'a' && *p <= 'z') || (*p >= '2' && *p <= '7'));
  g_assert_null (rf_verp_decode (v + strlen (prefix) - 1));
}

static void
test_verp_hashed (void)
{
  g_autofree char *longlocal = g_strnfill (50, 'x');
  g_autofree char *member = g_strconcat (longlocal, "@example.test", NULL);
  g_autofree char *longlist = g_strconcat ("a-forty-character-list-name-is-allowed-x@lists.test",
                                           NULL);
  g_autofree char *a = rf_verp_sender ("dev@lists.test", member);
  g_autofree char *b = rf_verp_sender ("dev@lists.test", "y@example.test");

  assert_hashed ("dev@lists.test", member);
  g_assert_cmpuint (strlen (a) - strlen ("dev-bounces+h@lists.test"), ==, 26);
  /* characters that would break the VERP structure or need quoting */
  assert_hashed ("dev@lists.test", "a+b=c@example.test");
  assert_hashed ("dev@lists.test", "\"john doe\"@example.test");
  /* the longest list name still fits */
  g_assert_cmpuint (strlen (longlist) - strlen ("@lists.test"), ==, 40);
  assert_hashed (longlist, member);
  /* different members, different addresses */
  g_assert_cmpstr (a, !=, b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recipient/roles", test_roles);
  g_test_add_func ("/recipient/not-an-address", test_not_an_address);
  g_test_add_func ("/verp/plain", test_verp_plain);
  g_test_add_func ("/verp/hashed", test_verp_hashed);
  return g_test_run ();
}
