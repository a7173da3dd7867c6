/* policy.c - the policy table (DESIGN.md "The path of one post", step 4).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

#include <string.h>

/* Order matters: the footer goes into the body before anything looks at
 * the headers, and the List-* and X-Loop headers come last, so that they
 * describe the copy as sent. */
static const RfPolicy policies[] = {
  /* issue 16: before everything, so that the rest sees the notice: no
   * attachment for the attachments policy, the footer under the notice */
  { "ink", _rf_policy_ink, FALSE },
  /* first: the footer and the text block both go at the end of the text,
   * and the links should come before the footer */
  { "attachments", _rf_policy_attachments, FALSE },
  { "subject_prefix", _rf_policy_subject_prefix, FALSE },
  { "footer", _rf_policy_footer, FALSE },
  { "dmarc", _rf_policy_dmarc, FALSE },
  { "list_headers", _rf_policy_list_headers, TRUE },
  { "loop_guard", _rf_policy_loop_guard, TRUE },
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

GBytes *
_rf_policy_pass_through (GBytes *raw, const RfPolicyContext *ctx, GError **error)
{
  g_autoptr (GMimeMessage) shell = NULL;
  g_autoptr (GMimeFormatOptions) format = g_mime_format_options_new ();
  g_autofree char *fields = NULL;
  g_autoptr (GBytes) edited = NULL;
  GByteArray *out;
  gsize len;
  const guint8 *data;

  _rf_mime_init ();
  /* the header-only policies write into an empty message, whose header
   * block is then put in front of the original */
  shell = g_mime_message_new (FALSE);
  /* issue 10: the DMARC rewrite takes From (and maybe Cc) out of the
   * original and puts the new fields into the shell */
  edited = _rf_policy_dmarc_pass_through (raw, ctx, shell);
  data = g_bytes_get_data (edited, &len);
  for (gsize i = 0; i < G_N_ELEMENTS (policies); i++)
    if (policies[i].headers_only && !policies[i].apply (shell, ctx, error))
      {
        g_prefix_error (error, "policy %s: ", policies[i].name);
        return NULL;
      }
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_UNIX);
  fields = g_mime_object_get_headers (GMIME_OBJECT (shell), format);
  out = g_byte_array_sized_new (strlen (fields) + len + 1);
  g_byte_array_append (out, (const guint8 *) fields, strlen (fields));
  g_byte_array_append (out, data, len);
  if (len == 0 || data[len - 1] != '\n')
    g_byte_array_append (out, (const guint8 *) "\n", 1);
  return g_byte_array_free_to_bytes (out);
}
