/* core.h - what every file of lib/ includes first: the public API, the
 * few helpers lib/ shares and the programs do not see, and the banned
 * functions.  Each folder's module header includes it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/reflector.h>

#include <string.h>

/* Split a normalised address at its last '@'.  Both outputs transfer full. */
gboolean rf_address_split (const char *address, char **local_out, char **domain_out);

/* write(2) all of @data, again after EINTR and short writes; FALSE with
 * errno set. */
gboolean rf_write_all (int fd, const void *data, gsize len);

/* @s ("-" for NULL) with every control character a space: one line of a
 * report or log.  Returns: (transfer full). */
char *rf_text_printable (const char *s);

/* g_string_append_len without its checks, for the few bytes a fan-out
 * adds to one buffer for every copy (issue 14): the VERP sender and the
 * SMTP lines of each member. */
static inline void
rf_gstring_put (GString *s, const char *p, gsize n)
{
  if (s->len + n < s->allocated_len)
    {
      memcpy (s->str + s->len, p, n);
      s->len += n;
      s->str[s->len] = '\0';
    }
  else
    g_string_append_len (s, p, (gssize) n);
}

static inline void
rf_gstring_put_str (GString *s, const char *p)
{
  rf_gstring_put (s, p, strlen (p));
}

#include <reflector/banned.h>
