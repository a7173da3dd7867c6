/* core.h - what every file of lib/ includes first: the public API, the
 * few helpers lib/ shares and the programs do not see, and the banned
 * functions.  Each folder's module header includes it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/reflector.h>

/* Split a normalised address at its last '@'.  Both outputs transfer full. */
gboolean rf_address_split (const char *address, char **local_out, char **domain_out);

/* write(2) all of @data, again after EINTR and short writes; FALSE with
 * errno set. */
gboolean rf_write_all (int fd, const void *data, gsize len);

/* @s ("-" for NULL) with every control character a space: one line of a
 * report or log.  Returns: (transfer full). */
char *rf_text_printable (const char *s);

#include <reflector/banned.h>
