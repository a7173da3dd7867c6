/* test-address.c - rf_address_normalize and rf_address_split.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include "core/core.h"

static void
test_valid (void)
{
  static const struct {
    const char *input, *expected;
  } cases[] = {
    { "ann@example.org", "ann@example.org" },
    { "Ann@Example.ORG", "Ann@example.org" },           /* local part kept */
    { "Ann Example <ann@B.Example>", "ann@b.example" },
    { "\"Example, Ann\" <ann@b.example>", "ann@b.example" },
    { "  bob@example.org  ", "bob@example.org" },       /* surrounding space */
    { "bob@example.org\r", "bob@example.org" },         /* a CRLF file's line */
    { "bob+tag@sub.example.org", "bob+tag@sub.example.org" },
    { "<carol@example.org>", "carol@example.org" },
    { "first.last@example-domain.co.uk", "first.last@example-domain.co.uk" },
    { "ann@example.org.", "ann@example.org" },          /* GMime drops the root dot */
    { "ann@b\xc3\xbc" "cher.example", "ann@b\xc3\xbc" "cher.example" },    /* an IDN in UTF-8 */
    { "J\xc3\xbcrgen <juergen@example.org>", "juergen@example.org" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *norm = rf_address_normalize (cases[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (norm, ==, cases[i].expected);
    }
}

static void
test_invalid (void)
{
  static const char *const cases[] = {
    "",
    "   ",
    "ann",                               /* no @ */
    "ann@",                              /* no domain */
    "@example.org",                      /* no local part */
    "ann@localhost",                     /* domain not dotted */
    "ann@example..org",
    "ann@.example.org",
    "ann@example.org, bob@example.org",  /* two addresses */
    "ann@example.org bob@example.org",
    "ann smith@example.org",             /* space */
    "ann@exa mple.org",
    "ann\t@example.org",                 /* control characters */
    "ann@exa\rmple.org",
    "ann\x01@example.org",
    "Ann <ann\x7f@example.org>",
    "group: ann@example.org;",           /* a group */
    "ann@exa/mple.org",
    /* issue 11, finding 9: what the parser used to repair or cut */
    "<ann@example.org",                  /* an unclosed angle bracket */
    "Ann <ann@example.org",
    "ann@example.org>",
    "<ann@example.org> junk",            /* something after the address */
    "ann@example.org;rm",                /* cut at the ';' */
    "ann@example.org;",
    "ann@example.org,",
    "ann@example.org (Ann)",             /* a comment, taken for part of the address */
    "ann@-example.org",                  /* a label starting or ending with '-' */
    "ann@example-.org",
    "ann@sub.-example.org",
    "ann@example.org-",
    "\xef\xbb\xbf" "ann@example.org",     /* a byte-order mark glued to the address */
    "an\xe2\x80\x8bn@example.org",        /* a zero-width space */
    "ann@exam\xe2\x80\x8eple.org",        /* a left-to-right mark in the domain */
    "ann@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.org", /* a label of 64 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *norm = rf_address_normalize (cases[i], &error);

      if (norm != NULL)
        g_error ("'%s' was accepted as '%s'", cases[i], norm);
      g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
    }
}

static void
test_message (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *norm = rf_address_normalize ("nobody", &error);

  g_assert_null (norm);
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "'nobody': not a valid address"));
}

static void
test_split (void)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;

  g_assert_true (rf_address_split ("\"a@b\"@example.org", &local, &domain));
  g_assert_cmpstr (local, ==, "\"a@b\"");
  g_assert_cmpstr (domain, ==, "example.org");
  g_assert_false (rf_address_split ("nobody", NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/address/valid", test_valid);
  g_test_add_func ("/address/invalid", test_invalid);
  g_test_add_func ("/address/message", test_message);
  g_test_add_func ("/address/split", test_split);
  return g_test_run ();
}
