/* loop-guard.c - X-Loop: the list's address, on every copy, whatever the
 * settings: with list_headers off there is no List-Id to recognise our own
 * post by when it comes back (a member's forward, another list).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

gboolean
_rf_policy_loop_guard (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  g_mime_object_prepend_header (GMIME_OBJECT (message), "X-Loop", ctx->list->address, NULL);
  return TRUE;
}
