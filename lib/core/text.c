/* text.c - text made safe for the reports and logs lib/ writes.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "core/core.h"

char *
rf_text_printable (const char *s)
{
  char *out = g_strdup (s != NULL ? s : "-");

  for (char *p = out; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return out;
}
