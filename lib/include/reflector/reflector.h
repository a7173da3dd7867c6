/* reflector.h - the public API of libreflector: what the programs in cmd/,
 * the unit tests and the benchmarks may use.  One header per concern;
 * this one includes them all.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Conventions (STYLE.md): functions return gboolean or a pointer and take
 * GError **error last; output parameters are written only on success; every
 * returned pointer says in its header who frees it.  lib/ never prints and
 * never exits: the programs in cmd/ do that.  What lib/ keeps to itself is
 * declared in each folder's module header (lib/store/store.h, ...).
 */
#pragma once

#include <reflector/error.h>
#include <reflector/log.h>
#include <reflector/config.h>
#include <reflector/settings.h>
#include <reflector/address.h>
#include <reflector/token.h>
#include <reflector/store.h>
#include <reflector/mta.h>
#include <reflector/deliver.h>
#include <reflector/bounce.h>
#include <reflector/unsubscribe.h>
#include <reflector/accounts.h>
#include <reflector/archive.h>
#include <reflector/attachments.h>
#include <reflector/redelivery.h>
#include <reflector/ink.h>
#include <reflector/reports.h>
#include <reflector/cleanup.h>
#include <reflector/keep.h>
#include <reflector/backup.h>
#include <reflector/monitor.h>
#include <reflector/person.h>
