/* notice.c - a bounce arrived: which post it returns, and the member's
 * notice with a link to their redelivery page.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The notice is no post: it goes straight to the transport as one copy
 * (its own VERP sender, so that its own bounce is understood), never
 * through the policies, the archive or the redelivery store, and it
 * carries the list's X-Loop so that it can never come back as a post.
 * The page token is 256 bits from rf_token_new(); only its hash is kept,
 * and it is wiped from memory once the notice is sent.
 */
#include "bounce/bounce.h"
#include "redelivery/redelivery.h"

#include <string.h>


static char *
notice_body (const RfConfig *config, const RfList *list, GPtrArray *posts, const char *token)
{
  g_autoptr (GString) body = g_string_new (NULL);
  const char *base = config->base_url;
  gsize base_len = strlen (base);

  while (base_len > 0 && base[base_len - 1] == '/')
    base_len--;
  g_string_append_printf (body,
                          "Hello,\n\n"
                          "the list %s tried to send you these messages, and your mail\n"
                          "provider refused them:\n\n",
                          list->address);
  for (guint i = 0; i < posts->len; i++)
    {
      const RfRedeliveryPost *p = g_ptr_array_index (posts, i);

      g_string_append_printf (body, "  - %s\n", *p->subject != '\0' ? p->subject
                                                                     : "(no subject)");
    }
  g_string_append_printf (body,
                          "\nYou can read them here for %d days:\n\n"
                          "  %.*s/r/%s\n\n"
                          "The link is yours alone: please do not forward this mail.\n"
                          "This notice is sent at most once a day.\n",
                          config->redelivery_days, (int) base_len, base, token);
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static gboolean
send_notice (const RfConfig *config, const RfActor *actor, RfStore *store, const RfList *list,
             const char *member, GError **error)
{
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (GPtrArray) to = g_ptr_array_new ();
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *subject = NULL;
  char *body;
  gint64 now = rf_now ();
  guint sent = 0;
  gboolean ok;

  posts = rf_redelivery_member_posts (store, list->address, member, now, error);
  if (posts == NULL)
    return FALSE;
  if (posts->len == 0)
    return TRUE;
  token = rf_token_new ();
  hash = rf_token_hash (token);
  /* recorded before it is sent: a link in a mailbox always opens a page */
  if (!rf_redelivery_token_add (store, hash, list->address, member, now,
                                now + (gint64) config->redelivery_days * RF_DAY, error))
    {
      rf_wipe_string (token);
      return FALSE;
    }
  body = notice_body (config, list, posts, token);
  rf_wipe_string (token);
  subject = g_strdup_printf ("Messages of %s your provider refused", list->address);
  g_ptr_array_add (to, (gpointer) member);
  ok = rf_mail_send_text (config, list->address, to, subject, body, &sent, error);
  rf_wipe_string (body);
  g_free (body);
  if (ok)
    {
      g_autofree char *detail = g_strdup_printf ("redelivery notice to %s: %u post%s", member,
                                                 posts->len, posts->len == 1 ? "" : "s");

      rf_activity_log (store, actor, "redelivery-notice", list->address,
                       detail);
    }
  return ok;
}

gboolean
_rf_redelivery_bounced (const RfConfig *config, const RfActor *actor, RfStore *store,
                        const RfList *list, const char *member, GBytes *raw,
                        RfBounceClass bounce_class, RfBounceAction action, GError **error)
{
  g_autofree char *value = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GError) local = NULL;
  gint64 last = 0;
  guint linked = 0;

  /* an auto-reply, or a warning that the copy is delayed: nothing missed */
  if (bounce_class == RF_BOUNCE_NOT_BOUNCE || action == RF_BOUNCE_ACTION_DELAYED)
    return TRUE;
  value = rf_list_get_setting (store, list, "bounce_redelivery", error);
  if (value == NULL)
    return FALSE;
  if (!rf_setting_value_bool (value))
    return TRUE;
  ids = rf_bounce_original_ids (raw);
  if (!rf_redelivery_link (store, list->address, member, ids, &linked, error))
    return FALSE;
  /* a bounce of no post we keep (a notice's own, an expired post's) asks
   * for no notice */
  if (linked == 0)
    return TRUE;
  if (!rf_redelivery_last_notice (store, list->address, member, &last, error))
    return FALSE;
  if (last != 0 && rf_now () - last < RF_DAY)
    return TRUE;
  if (!send_notice (config, actor, store, list, member, &local))
    {
      g_autofree char *detail =
          g_strdup_printf ("redelivery notice to %s not sent: %s", member, local->message);

      rf_activity_log (store, actor, "redelivery-notice-failed", list->address,
                       detail);
    }
  return TRUE;
}
