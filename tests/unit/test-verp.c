/* test-verp.c - list addresses, their roles, and VERP envelope senders.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "deliver/deliver.h"
#include "store/store.h"

#include <string.h>

#define T0 1800000000

typedef struct
{
  RF_FIXTURE_FIELDS;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, T0, "dev@lists.test", NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

/* the VERP sender, which cannot fail with the fixture's keys */
static char *
sender (Fixture *f, const char *list, const char *member)
{
  g_autoptr (GError) error = NULL;
  char *v = rf_verp_sender (f->config, list, member, &error);

  g_assert_no_error (error);
  return v;
}

/* the tag of a VERP sender: between the first '+' and the '@' */
static char *
tag_of (const char *verp)
{
  const char *plus = strchr (verp, '+');

  return g_strndup (plus + 1, strrchr (verp, '@') - plus - 1);
}

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
test_verp_plain (Fixture *f, gconstpointer data)
{
  g_autofree char *v = sender (f, "dev@lists.test", "alice@example.test");
  g_autofree char *back = rf_verp_decode ("alice=example.test");
  g_autofree char *back_signed = rf_verp_decode ("abcdefgh+alice=example.test");
  g_autoptr (GRegex) shape = g_regex_new ("^dev-bounces\\+[a-z2-7]{8}\\+alice=example\\.test@lists\\.test$",
                                          0, 0, NULL);

  g_assert_true (g_regex_match (shape, v, 0, NULL));
  g_assert_cmpstr (back, ==, "alice@example.test");
  g_assert_cmpstr (back_signed, ==, "alice@example.test");
  /* the member's local part keeps its case */
  g_free (v);
  v = sender (f, "dev@lists.test", "Bob.Smith@example.test");
  g_assert_true (g_str_has_suffix (v, "+Bob.Smith=example.test@lists.test"));
}

static void
assert_hashed (Fixture *f, const char *list, const char *member)
{
  g_autofree char *v = sender (f, list, member);
  g_autofree char *v2 = sender (f, list, member);
  const char *at = strrchr (v, '@');
  g_autofree char *prefix = g_strdup_printf ("%.*s-bounces+", (int) (strchr (list, '@') - list),
                                             list);
  const char *h;
  gsize hash_len;

  g_assert_cmpstr (v, ==, v2);   /* stable: a bounce must find the member again */
  g_assert_true (g_str_has_prefix (v, prefix));
  g_assert_cmpuint (at - v, <=, 64);
  g_assert_cmpstr (at, ==, strchr (list, '@'));
  h = v + strlen (prefix) + 8;
  g_assert_true (h[0] == '+' && h[1] == 'h');
  hash_len = (gsize) (at - h) - 2;
  g_assert_cmpuint (hash_len, >=, 5);
  g_assert_cmpuint (hash_len, <=, 26);
  for (const char *p = h + 2; p < at; p++)
    g_assert_true ((*p >= 'a' && *p <= 'z') || (*p >= '2' && *p <= '7'));
  g_assert_null (rf_verp_decode (h + 1));
}

static void
test_verp_hashed (Fixture *f, gconstpointer data)
{
  g_autofree char *longlocal = g_strnfill (50, 'x');
  g_autofree char *member = g_strconcat (longlocal, "@example.test", NULL);
  g_autofree char *longlist = g_strconcat ("a-forty-character-list-name-is-allowed-x@lists.test",
                                           NULL);
  g_autofree char *a = sender (f, "dev@lists.test", member);
  g_autofree char *b = sender (f, "dev@lists.test", "y@example.test");

  assert_hashed (f, "dev@lists.test", member);
  g_assert_cmpuint (strlen (a) - strlen ("dev-bounces+12345678+h@lists.test"), ==, 26);
  /* characters that would break the VERP structure or need quoting */
  assert_hashed (f, "dev@lists.test", "a+b=c@example.test");
  assert_hashed (f, "dev@lists.test", "\"john doe\"@example.test");
  /* the longest list name still fits */
  g_assert_cmpuint (strlen (longlist) - strlen ("@lists.test"), ==, 40);
  assert_hashed (f, longlist, member);
  /* different members, different addresses */
  g_assert_cmpstr (a, !=, b);
}

/* issue 11, finding 8: a bounce counts only when its VERP address is one
 * we made for that member, in the last RF_VERP_WEEKS weeks */
static void
resolve (Fixture *f, const char *tag, char **member_out, RfVerpCheck *check_out)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (rf_verp_resolve (f->store, f->config, f->list, tag, member_out, check_out,
                                  &error));
  g_assert_no_error (error);
}

static void
test_verp_authenticator (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *v = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *other = NULL;
  char *member = NULL;
  RfVerpCheck check;

  g_assert_true (rf_member_add (f->store, f->list, "alice@example.test", RF_TEST_ACTOR, &error));
  g_assert_true (rf_member_add (f->store, f->list, "bob@example.test", RF_TEST_ACTOR, &error));
  v = sender (f, "dev@lists.test", "alice@example.test");
  tag = tag_of (v);
  resolve (f, tag, &member, &check);
  g_assert_cmpstr (member, ==, "alice@example.test");
  g_assert_cmpint (check, ==, RF_VERP_AUTHENTIC);
  g_clear_pointer (&member, g_free);
  /* an MTA that lower- or upper-cases the tag on the way back */
  {
    g_autofree char *upper = g_ascii_strup (tag, -1);

    resolve (f, upper, &member, &check);
    g_assert_cmpstr (member, ==, "alice@example.test");
    g_assert_cmpint (check, ==, RF_VERP_AUTHENTIC);
    g_clear_pointer (&member, g_free);
  }
  /* the old form, without an authenticator: anyone can write it */
  resolve (f, "alice=example.test", &member, &check);
  g_assert_cmpstr (member, ==, "alice@example.test");
  g_assert_cmpint (check, ==, RF_VERP_UNSIGNED);
  g_clear_pointer (&member, g_free);
  /* alice's authenticator on bob's address, or one made up */
  other = g_strdup_printf ("%.8s+bob=example.test", tag);
  resolve (f, other, &member, &check);
  g_assert_cmpstr (member, ==, "bob@example.test");
  g_assert_cmpint (check, ==, RF_VERP_FORGED);
  g_clear_pointer (&member, g_free);
  forged = g_strdup_printf ("%caaaaaaa+alice=example.test", tag[0]);
  resolve (f, forged, &member, &check);
  g_assert_cmpint (check, ==, RF_VERP_FORGED);
  g_clear_pointer (&member, g_free);
  /* four weeks on it still holds; six weeks on it is too old */
  rf_test_set_now (T0 + 4 * 7 * RF_DAY);
  resolve (f, tag, &member, &check);
  g_assert_cmpint (check, ==, RF_VERP_AUTHENTIC);
  g_clear_pointer (&member, g_free);
  rf_test_set_now (T0 + 6 * 7 * RF_DAY);
  resolve (f, tag, &member, &check);
  g_assert_cmpint (check, ==, RF_VERP_FORGED);
  g_clear_pointer (&member, g_free);
  /* a rotated site key: the previous one's addresses hold */
  rf_test_set_now (T0);
  g_assert_true (rf_keys_rotate (f->config, RF_KEY_SITE, -1, &error));
  g_assert_no_error (error);
  resolve (f, tag, &member, &check);
  g_assert_cmpint (check, ==, RF_VERP_AUTHENTIC);
  g_clear_pointer (&member, g_free);
  {
    g_autofree char *v2 = sender (f, "dev@lists.test", "alice@example.test");

    g_assert_cmpstr (v2, !=, v);
  }
}

/* the unsigned addresses of the posts already out count for
 * RF_VERP_TRANSITION_DAYS after the site got authenticators, and only on a
 * site that had sent posts */
static void
test_verp_transition (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean accepted = TRUE;
  g_autofree char *sql = NULL;

  g_assert_true (_rf_verp_unsigned_accepted (f->store, &accepted, &error));
  g_assert_false (accepted);   /* a new site: never */
  sql = g_strdup_printf ("INSERT INTO site_events VALUES ('verp-auth', %d)", T0);
  g_free (rf_test_sql (f->dir, sql));
  g_assert_true (_rf_verp_unsigned_accepted (f->store, &accepted, &error));
  g_assert_true (accepted);
  rf_test_set_now (T0 + RF_VERP_TRANSITION_DAYS * RF_DAY);
  g_assert_true (_rf_verp_unsigned_accepted (f->store, &accepted, &error));
  g_assert_false (accepted);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  g_test_add_func ("/recipient/roles", test_roles);
  g_test_add_func ("/recipient/not-an-address", test_not_an_address);
  ADD ("/verp/plain", test_verp_plain);
  ADD ("/verp/hashed", test_verp_hashed);
  ADD ("/verp/authenticator", test_verp_authenticator);
  ADD ("/verp/transition", test_verp_transition);
  return g_test_run ();
}
