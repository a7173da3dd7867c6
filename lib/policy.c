/* policy.c - the policy table (DESIGN.md "The path of one post", step 4).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

/* Order matters: the footer goes into the body before anything looks at
 * the headers, and the List-* and X-Loop headers come last, so that they
 * describe the copy as sent. */
static const RfPolicy policies[] = {
  { "subject_prefix", _rf_policy_subject_prefix },
  { "footer", _rf_policy_footer },
  { "list_headers", _rf_policy_list_headers },
  { "loop_guard", _rf_policy_loop_guard },
};

const RfPolicy *
_rf_policy_table (gsize *n_out)
{
  *n_out = G_N_ELEMENTS (policies);
  return policies;
}

const char *
_rf_policy_setting (const RfPolicyContext *ctx, const char *name)
{
  const char *value = ctx->settings != NULL ? g_hash_table_lookup (ctx->settings, name) : NULL;

  if (value == NULL)
    {
      const RfSettingDef *def = rf_setting_lookup (name);

      value = def != NULL ? def->default_value : "";
    }
  return value;
}

gboolean
_rf_policy_apply_all (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (policies); i++)
    if (!policies[i].apply (message, ctx, error))
      {
        g_prefix_error (error, "policy %s: ", policies[i].name);
        return FALSE;
      }
  return TRUE;
}
