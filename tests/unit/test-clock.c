/* test-clock.c - the clock (rf_now): moved in-process by rf_now_set, and
 * by $REFLECTOR_TEST_NOW only where the build has test hooks (issue 12).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built twice (tests/CMakeLists.txt): test-clock against the library as
 * this build made it, and test-clock-nohooks against lib/core/error.c
 * compiled without REFLECTOR_TEST_HOOKS, as the Debian package compiles
 * it; each expects what its own compilation promises.
 */
#include <reflector/reflector.h>

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
test_set (void)
{
  rf_now_set (1234567890);
  g_assert_cmpint (rf_now (), ==, 1234567890);
  rf_now_set (0);
  g_assert_cmpint (ABS (rf_now () - real_now ()), <=, 2);
}

static void
test_environment (void)
{
  g_setenv ("REFLECTOR_TEST_NOW", "1000000000", TRUE);
#ifdef REFLECTOR_TEST_HOOKS
  /* the end-to-end tests move the programs' clock this way */
  g_assert_cmpint (rf_now (), ==, 1000000000);
#else
  /* a packaged program: whoever sets the environment moves nothing */
  g_assert_cmpint (ABS (rf_now () - real_now ()), <=, 2);
#endif
  /* rf_now_set wins over the environment either way */
  rf_now_set (1500000000);
  g_assert_cmpint (rf_now (), ==, 1500000000);
  rf_now_set (0);
  g_unsetenv ("REFLECTOR_TEST_NOW");
  g_assert_cmpint (ABS (rf_now () - real_now ()), <=, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clock/set", test_set);
#ifdef REFLECTOR_TEST_HOOKS
  g_test_add_func ("/clock/environment/test-hooks", test_environment);
#else
  g_test_add_func ("/clock/environment/no-test-hooks", test_environment);
#endif
  return g_test_run ();
}
