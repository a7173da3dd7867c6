/* transport-feed.c - issue 14: a list of addresses as the transports'
 * recipient feed, for the callers that have them all at hand (the
 * notices of lib/mail-text.c: one copy).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "deliver/deliver-private.h"

const char *
_rf_array_feed_next (gpointer feed, GError **error)
{
  RfArrayFeed *f = feed;

  if (f->next >= f->recipients->len)
    return NULL;
  return g_ptr_array_index (f->recipients, f->next++);
}

char *
_rf_array_feed_header (const char *address, gpointer feed, GError **error)
{
  RfArrayFeed *f = feed;

  return f->header_for (address, f->user_data, error);
}

gboolean
_rf_array_feed_result (const char *address, RfRecipientState state, const char *detail,
                       gpointer feed, GError **error)
{
  RfArrayFeed *f = feed;

  return f->on_result (address, state, detail, f->user_data, error);
}
