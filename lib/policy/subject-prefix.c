/* subject-prefix.c - "[dev] " in front of the subject, once.
 *
 * The setting is trimmed and one space follows it, whether the sysadmin
 * typed "[dev]" or "[dev] " (as Mailman 3 does): a prefix glued to the
 * subject is never what anyone wants.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

#include <string.h>

gboolean
_rf_policy_subject_prefix (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  const char *prefix = _rf_policy_setting (ctx, "subject_prefix");
  const char *subject = g_mime_message_get_subject (message);
  g_autofree char *bare = g_strstrip (g_strdup (prefix));
  g_autofree char *subject_new = NULL;

  if (*bare == '\0')
    return TRUE;
  /* a reply ("Re: [dev] ...") carries it already; a second one would grow
   * with every round of the thread */
  if (subject != NULL && strstr (subject, bare) != NULL)
    return TRUE;
  subject_new = g_strconcat (bare, " ", subject != NULL && *subject != '\0' ? subject : "(no subject)",
                             NULL);
  g_mime_message_set_subject (message, subject_new, NULL);
  return TRUE;
}
