/* config.h - the module header of lib/config/: what the tests of
 * reflector.conf ask of the parser beyond the public API.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

/* config.c's table of keys, as @n_out pairs of group and key (element 2i
 * is the group of key 2i+1), for the test that holds reflector.conf.in to
 * the parser both ways. */
const char *const *_rf_config_keys (gsize *n_out);
/* The value of one key in @config as text (lists joined with ';'), or NULL
 * when unset.  Returns: (transfer full). */
char *_rf_config_value_text (const RfConfig *config, const char *group, const char *key);
