/* preview.c - the path of a post up to its one rendering: the rendering
 * itself (deliver.c writes it to the spool once), and the same path
 * without the spool, the delivery rows and the transport, for the post
 * fuzzer (tests/fuzz/fuzz-post.c) and any caller that wants to see the
 * copy a list would send.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "deliver/deliver-private.h"
#include "policy/policy.h"

GBytes *
_rf_deliver_render (GMimeMessage *message, GBytes *fixed, gboolean lossy,
                    const RfPolicyContext *ctx, GBytes **kept_out, GError **error)
{
  g_autoptr (GBytes) rendered = NULL;
  GMimeHeaderList *headers;

  *kept_out = NULL;
  /* issue 16: an ink post never goes out as it came */
  if (lossy && !_rf_policy_ink_on (ctx))
    return _rf_policy_pass_through (fixed, ctx, error);
  /* the envelope of the previous hop is the MTA's to write, per copy */
  headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  while (g_mime_header_list_remove (headers, "Return-Path"))
    ;
  if (!_rf_policy_apply_all (message, ctx, error))
    return NULL;
  rendered = _rf_mime_render (message, error);
  if (rendered != NULL && !_rf_policy_ink_kept_copy (message, kept_out, error))
    return NULL;
  return g_steal_pointer (&rendered);
}

GBytes *
rf_deliver_preview (const RfConfig *config, const RfActor *actor, RfStore *store,
                    const RfList *list, const char *envelope_sender, GBytes *raw,
                    RfDeliverOutcome *outcome_out, GError **error)
{
  g_autoptr (GHashTable) settings = NULL;
  g_autoptr (GBytes) fixed = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (RfDmarcVerdict) dmarc = NULL;
  g_auto (GStrv) domains = NULL;
  g_autoptr (GBytes) kept = NULL;
  RfPolicyContext ctx;
  RfDeliverReport report = { 0 };
  gboolean lossy = FALSE, pass = FALSE;

  *outcome_out = RF_DELIVERED;
  settings = rf_list_settings (store, list, error);
  if (settings == NULL)
    return NULL;
  fixed = _rf_mime_fix_line_ends (raw);
  message = _rf_mime_parse (fixed, &lossy, error);
  if (message == NULL)
    return NULL;
  if (!_rf_screen (config, actor, store, list, settings, message, raw, envelope_sender, NULL,
                   &pass, &report, error))
    return NULL;
  if (!pass)
    {
      *outcome_out = report.outcome;
      return NULL;
    }
  ctx = (RfPolicyContext) {
    .list = list, .settings = settings, .config = config, .store = store, .actor = actor
  };
  /* the one lookup of rf_deliver, before the policies */
  domains = _rf_policy_dmarc_domains (message, &ctx);
  if (domains != NULL && !_rf_dmarc_lookups_off (config))
    dmarc = _rf_dmarc_lookup (config, (const char *const *) domains);
  ctx.dmarc = dmarc;
  return _rf_deliver_render (message, fixed, lossy, &ctx, &kept, error);
}
