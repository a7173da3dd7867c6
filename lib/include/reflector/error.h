/* error.h - the library's error domain, its clock and its units.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Conventions (STYLE.md): functions return gboolean or a pointer and take
 * GError **error last; output parameters are written only on success; every
 * returned pointer says who frees it.  lib/ never prints and never exits:
 * the programs in cmd/ do that.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RF_ERROR (rf_error_quark ())
GQuark rf_error_quark (void);

typedef enum {
  /* Something a later retry may cure: store busy or unreadable, disk full,
   * transport down, a child that could not be started.  listdeliver: 75. */
  RF_ERROR_TEMPORARY,
  /* The address names no list.  listdeliver: 67. */
  RF_ERROR_NO_SUCH_LIST,
  /* The message cannot be parsed at all.  listdeliver: 65. */
  RF_ERROR_BAD_MESSAGE,
  /* A list policy refuses the message (non-member, too big).  listdeliver: 77. */
  RF_ERROR_REJECTED,
  /* Something this build does not handle (since issue 10 every role
   * address of a list answers).  listdeliver: 67. */
  RF_ERROR_UNSUPPORTED,
  /* An administrator's input is wrong: bad address, bad setting value,
   * unknown setting.  listctl prints it; never seen by listdeliver. */
  RF_ERROR_INVALID,
  /* The thing to create exists already (list, member). */
  RF_ERROR_EXISTS,
  /* The thing to change does not exist (member, setting). */
  RF_ERROR_NOT_FOUND,
  /* The configuration file is broken.  listdeliver: 75 (the sysadmin fixes
   * it and the MTA's retry then succeeds). */
  RF_ERROR_CONFIG,
  /* A request ran out of the time it was given, or its client went away
   * (rf_store_set_budget): the caller answers that, or nobody.  Anything
   * else that meets it: as RF_ERROR_TEMPORARY (listdeliver: 75). */
  RF_ERROR_CANCELLED,
} RfErrorCode;

/* Seconds in a day: every lifetime in days is converted with this. */
#define RF_DAY ((gint64) 24 * 60 * 60)

/* The clock every timestamp comes from: seconds since the epoch.  Tokens,
 * sessions, lockouts and every expiry read it, so only tests may move it:
 * in-process with rf_now_set(), and, in builds with the CMake option
 * REFLECTOR_TEST_HOOKS (on for a build from source, whose ctest runs the
 * end-to-end tests; off in the Debian package), through the environment
 * variable REFLECTOR_TEST_NOW (seconds), which the other builds ignore. */
gint64 rf_now (void);
/* Fix this process's clock at @now (seconds since the epoch); 0 gives the
 * real clock back.  For unit tests and benchmarks: no program calls it. */
void rf_now_set (gint64 now);

/* Called every few thousand items of a long operation with the number done
 * so far. */
typedef void (*RfProgressFunc) (guint64 done, guint64 total, gpointer user_data);

G_END_DECLS
