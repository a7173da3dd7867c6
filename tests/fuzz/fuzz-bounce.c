/* fuzz-bounce.c - libFuzzer target: the bounce parser, rf_bounce_parse
 * (lib/bounce/bounce.h), on anything a server may send back (issue 12).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Beyond the sanitizers, each result is held to bounce.h's promises: it
 * never fails but on an empty message; classes and actions are the
 * enum's; every recipient has an address whose domain is lower-cased; a
 * status is an enhanced status code; a diagnostic is one line of valid
 * UTF-8, at most 200 characters, without control characters.
 */
#include "bounce/bounce.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
is_status (const char *s)
{
  /* class "." subject "." detail (RFC 3463): 2, 4 or 5; 1-3 digits; 1-3 digits */
  if (s[0] != '2' && s[0] != '4' && s[0] != '5')
    return FALSE;
  if (s[1] != '.')
    return FALSE;
  s += 2;
  for (int part = 0; part < 2; part++)
    {
      int n = 0;

      while (g_ascii_isdigit (*s) && n < 4)
        s++, n++;
      if (n < 1 || n > 3)
        return FALSE;
      if (part == 0 && *s++ != '.')
        return FALSE;
    }
  return *s == '\0';
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) raw = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (RfBounce) bounce = rf_bounce_parse (raw, &error);

  if (bounce == NULL)
    {
      RF_FUZZ_CHECK (error != NULL && size == 0, "no bounce for %zu bytes, error: %s", size,
                     error != NULL ? error->message : "none");
      return 0;
    }
  RF_FUZZ_CHECK (bounce->bounce_class <= RF_BOUNCE_NOT_BOUNCE, "class %d", bounce->bounce_class);
  RF_FUZZ_CHECK (bounce->mta != NULL, "no mta family");
  RF_FUZZ_CHECK (bounce->recipients != NULL, "no recipient array");
  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      const RfBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);
      const char *at;

      RF_FUZZ_CHECK (r->address != NULL && *r->address != '\0', "recipient %u: no address", i);
      RF_FUZZ_CHECK (r->bounce_class <= RF_BOUNCE_NOT_BOUNCE, "recipient %u: class %d", i,
                     r->bounce_class);
      RF_FUZZ_CHECK (r->action <= RF_BOUNCE_ACTION_EXPANDED, "recipient %u: action %d", i,
                     r->action);
      at = strrchr (r->address, '@');
      if (at != NULL)
        for (const char *p = at; *p != '\0'; p++)
          RF_FUZZ_CHECK (!g_ascii_isupper (*p), "recipient %u: domain not lower-cased: %s", i,
                         r->address);
      RF_FUZZ_CHECK (r->status == NULL || is_status (r->status),
                     "recipient %u: status '%s' is no enhanced status code", i, r->status);
      if (r->diagnostic != NULL)
        {
          RF_FUZZ_CHECK (g_utf8_validate (r->diagnostic, -1, NULL),
                         "recipient %u: diagnostic not UTF-8", i);
          RF_FUZZ_CHECK (g_utf8_strlen (r->diagnostic, -1) <= 200,
                         "recipient %u: diagnostic of %ld characters", i,
                         g_utf8_strlen (r->diagnostic, -1));
          for (const char *p = r->diagnostic; *p != '\0'; p++)
            RF_FUZZ_CHECK ((guchar) *p >= 0x20 && *p != 0x7f,
                           "recipient %u: control character in the diagnostic", i);
        }
    }
  return 0;
}
