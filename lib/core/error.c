/* error.c - the RF_ERROR domain and the clock.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "core/core.h"

#include <stdlib.h>

G_DEFINE_QUARK (rf-error-quark, rf_error)

/* One clock for every timestamp, so that tests can inject time (expiry,
 * retention, scoring) without sleeping. */
gint64
rf_now (void)
{
  const char *fake = g_getenv ("REFLECTOR_TEST_NOW");

  if (fake != NULL && *fake != '\0')
    return g_ascii_strtoll (fake, NULL, 10);
  return g_get_real_time () / G_USEC_PER_SEC;
}
