/* policy.h - the policy table: ordered functions over one parsed message.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each policy is one file in lib/policy/ and one row in policy.c's table.
 * A policy reads the list's settings from the context, changes the message
 * in place, and never does I/O.  It is called for every post; when its
 * setting is off it returns TRUE at once.
 */
#pragma once

#include "dmarc/dmarc.h"
#include "mime/mime.h"

typedef struct {
  const RfList *list;
  GHashTable *settings;   /* name -> value in force (rf_list_settings) */
  const RfConfig *config;
  RfStore *store;         /* attachments: rows and post numbers; NULL in tests
                           * of the other policies */
  const RfActor *actor;   /* whom what a policy records names (the activity
                           * log): listdeliver's; NULL with a NULL store */
  /* issue 10: what the From domains' DMARC records ask for, looked up by
   * deliver.c before the policies run (they never do network I/O).  NULL
   * when nobody asked (dmarc_mitigation is not auto, every From domain is
   * exempt, tests of other policies): auto then leaves From alone, so a
   * caller that renders a post under auto must look up first
   * (_rf_policy_dmarc_domains, _rf_dmarc_lookup). */
  const RfDmarcVerdict *dmarc;
} RfPolicyContext;

typedef gboolean (*RfPolicyFunc) (GMimeMessage *message, const RfPolicyContext *ctx,
                                  GError **error);

typedef struct {
  const char *name;
  RfPolicyFunc apply;
  /* only adds header fields: also runs on a post that passes through
   * unparsed (see _rf_policy_pass_through) */
  gboolean headers_only;
} RfPolicy;

/* The table, in the order the policies run. */
const RfPolicy *_rf_policy_table (gsize *n_out);
/* Run every policy; the first failure stops and is returned, prefixed
 * with the policy's name. */
gboolean _rf_policy_apply_all (GMimeMessage *message, const RfPolicyContext *ctx,
                               GError **error);

/* The copy of a post that GMime cannot represent line for line (its
 * parser skipped input: _rf_mime_parse's *lossy_out): the original bytes,
 * untouched, after the header fields of the headers_only policies.
 * Nothing of the post is lost; the subject prefix and footer are not
 * applied.  Returns: (transfer full). */
GBytes *_rf_policy_pass_through (GBytes *raw, const RfPolicyContext *ctx, GError **error);

/* A setting's value in force ("" if absent, which the table never allows). */
const char *_rf_policy_setting (const RfPolicyContext *ctx, const char *name);

/* The rows. */
/* issue 16: Disappearing Ink (ink.c).  The row: the post and its files
 * sealed to a page, a notice with the link for a body. */
gboolean _rf_policy_ink (GMimeMessage *message, const RfPolicyContext *ctx, GError **error);
/* Whether the list's posts go to a page (disappearing_ink is not off): such
 * a post never passes through unparsed (_rf_policy_pass_through), since
 * that would send its body. */
gboolean _rf_policy_ink_on (const RfPolicyContext *ctx);
/* After the policies ran over @message: the copy the archive and Bounce
 * Redelivery keep of an ink post, which is the copy without the page's
 * link (the token is the key: it lives in the members' copies alone).
 * *kept_out is NULL when @message is no ink post.  Changes @message. */
gboolean _rf_policy_ink_kept_copy (GMimeMessage *message, GBytes **kept_out, GError **error);
gboolean _rf_policy_attachments (GMimeMessage *message, const RfPolicyContext *ctx,
                                 GError **error);
gboolean _rf_policy_subject_prefix (GMimeMessage *message, const RfPolicyContext *ctx,
                                    GError **error);
gboolean _rf_policy_footer (GMimeMessage *message, const RfPolicyContext *ctx,
                            GError **error);
/* Whether each copy gets its own List-Unsubscribe with a one-click link
 * (RFC 8058) in front, instead of the shared mailto-only field. */
gboolean _rf_policy_one_click (const RfPolicyContext *ctx);
/* The lines in front of one copy: List-Unsubscribe with the link of
 * @token (and the mailto) and List-Unsubscribe-Post; mailto only when
 * @token is NULL (a member who left while the post was going out). */
char *_rf_policy_one_click_lines (const RfPolicyContext *ctx, const char *token);
gboolean _rf_policy_list_headers (GMimeMessage *message, const RfPolicyContext *ctx,
                                  GError **error);
gboolean _rf_policy_loop_guard (GMimeMessage *message, const RfPolicyContext *ctx,
                                GError **error);
/* issue 10: DMARC mitigation (dmarc.c).  The row: From becomes
 * "NAME via LIST" <list address>, the author in Reply-To or Cc. */
gboolean _rf_policy_dmarc (GMimeMessage *message, const RfPolicyContext *ctx,
                           GError **error);
/* The From domains deliver.c must look up before the policies run: NULL
 * when dmarc_mitigation is not auto or no domain needs asking (exempt, no
 * From).  Returns: (transfer full) NULL-terminated, free with g_strfreev(). */
char **_rf_policy_dmarc_domains (GMimeMessage *message, const RfPolicyContext *ctx);
/* The same rewrite for a post that passes through unparsed: reads From,
 * Reply-To and Cc from @raw's header block, puts the new From (and the
 * author's Reply-To, or the one merged Cc) into @shell, and returns @raw
 * without the fields replaced (unchanged when there is nothing to do).
 * Returns: (transfer full). */
GBytes *_rf_policy_dmarc_pass_through (GBytes *raw, const RfPolicyContext *ctx,
                                       GMimeMessage *shell);
