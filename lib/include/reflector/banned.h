/* banned.h - functions that invite overflows or hidden global state
 * (git's banned.h): a use fails to compile.  Not part of reflector.h:
 * lib/core/core.h and each program's own header include it last, after
 * the system headers, whose declarations it would otherwise break.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* The system headers that declare the banned functions come first: with
 * _FORTIFY_SOURCE (Debian's build flags) they define them as inline
 * functions, which the macros below would break (issue 13, the package). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
