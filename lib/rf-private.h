/* rf-private.h - what lib/ files share and the programs do not see.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "reflector.h"

/* The system headers that declare the banned functions come first: with
 * _FORTIFY_SOURCE (Debian's build flags) they define them as inline
 * functions, which the macros below would break (issue 13, the package). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Functions that invite overflows or hidden global state (git's banned.h).
 * A use fails to compile. */
#define BANNED(func) sorry_##func##_is_banned_in_reflector
#undef strcpy
#define strcpy(x, y) BANNED (strcpy)
#undef strcat
#define strcat(x, y) BANNED (strcat)
#undef sprintf
#define sprintf(...) BANNED (sprintf)
#undef vsprintf
#define vsprintf(...) BANNED (vsprintf)
#undef strtok
#define strtok(x, y) BANNED (strtok)
#undef gmtime
#define gmtime(x) BANNED (gmtime)
#undef localtime
#define localtime(x) BANNED (localtime)
#undef mktemp
#define mktemp(x) BANNED (mktemp)
#undef system
#define system(x) BANNED (system)
#undef popen
#define popen(x, y) BANNED (popen)

/* Issue 13: config.c's table of keys, as @n_out pairs of group and key
 * (element 2i is the group of key 2i+1), for the test that holds
 * reflector.conf.in to the parser both ways. */
const char *const *_rf_config_keys (gsize *n_out);
/* The value of one key in @config as text (lists joined with ';'), or NULL
 * when unset.  Returns: (transfer full). */
char *_rf_config_value_text (const RfConfig *config, const char *group, const char *key);
