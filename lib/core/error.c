/* error.c - the RF_ERROR domain and the clock.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "core/core.h"

#include <stdlib.h>

G_DEFINE_QUARK (rf-error-quark, rf_error)

/* One clock for every timestamp, so that tests can inject time (expiry,
 * retention, scoring) without sleeping.  The environment can move it only
 * in a test build: anyone who may set a program's environment would
 * otherwise move token, session and expiry clocks (issue 12). */
static gint64 fixed_now;

void
rf_now_set (gint64 now)
{
  fixed_now = now;
}

gint64
rf_now (void)
{
  if (fixed_now != 0)
    return fixed_now;
#ifdef REFLECTOR_TEST_HOOKS
  {
    const char *fake = g_getenv ("REFLECTOR_TEST_NOW");

    if (fake != NULL && *fake != '\0')
      return g_ascii_strtoll (fake, NULL, 10);
  }
#endif
  return g_get_real_time () / G_USEC_PER_SEC;
}
