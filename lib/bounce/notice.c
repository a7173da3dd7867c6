/* notice.c - the notice to a member whose delivery bounces stopped (issue
 * 17): what happened, when the address will be removed, and how to keep
 * the subscription: a reply to LIST-confirm+<token> or listweb's /c/<token>.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token is a confirmation of its own kind (reenable), made like a
 * subscription's (256 bits, kept only as its hash) and good until the
 * removal date the notice names.  The mail goes through the transport
 * like every mail of a list, to the member's address alone, with the VERP
 * sender the roles' answers have: its bounce comes back to the list and
 * finds the member disabled, whose score a bounce never raises
 * (rf_bounce_record); it links no post, so it asks for no redelivery
 * notice.  The text gives the last bounce's class and the remote server's
 * short answer, never a returned message; it has no image, no per-reader
 * link but the token's: nothing tells anyone that it was read.
 */
#include "bounce/bounce-private.h"
#include "crypto/crypto.h"
#include "deliver/deliver.h"

#include <string.h>

/* The last bounce's class, in words a member understands (lines of the
 * text: at most 72 characters with what goes before). */
static const char *
class_words (const char *class_name)
{
  if (g_strcmp0 (class_name, "permanent") == 0)
    return "a permanent failure: the receiving\n"
           "server said that the address does not exist or takes no mail";
  if (g_strcmp0 (class_name, "temporary") == 0)
    return "a temporary failure: the receiving\n"
           "server could not take the mail then";
  if (g_strcmp0 (class_name, "policy") == 0)
    return "a refusal of the list's mail by the\n"
           "receiving server";
  return "a failure without a stated reason";
}

/* The remote server's answer on one line, at most 200 characters: what a
 * bounce says about the address, never its body. */
static char *
short_reason (const char *reason)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean space = FALSE;

  if (reason == NULL)
    return NULL;
  for (const char *p = reason; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || c == ' ')
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, (char) c);
    }
  if (out->len == 0)
    return NULL;
  if (g_utf8_strlen (out->str, -1) > 200)
    {
      const char *end = g_utf8_offset_to_pointer (out->str, 197);

      g_string_truncate (out, end - out->str);
      g_string_append (out, "...");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The text of notice @number of @of to @info's address, the member to be
 * removed at @removal.  Returns: (transfer full). */
static char *
notice_text (const RfConfig *config, const RfList *list, const RfMemberBounceInfo *info,
             guint number, guint64 of, gint64 removal, const char *token)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (removal);
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%Y-%m-%d") : g_strdup ("?");
  g_autofree char *reason = short_reason (info->last_reason);
  g_autofree char *base = g_strdup (config->base_url != NULL ? config->base_url : "");

  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  g_string_append_printf (out,
                          "Hello,\n\n"
                          "the list %s has stopped sending its mail to\n"
                          "  %s\n"
                          "because mail to this address came back undelivered.\n"
                          "The last bounce was %s",
                          list->address, info->address, class_words (info->last_class));
  if (reason != NULL)
    g_string_append_printf (out, ";\nits answer was:\n  %s\n\n", reason);
  else
    g_string_append (out, ".\n\n");
  g_string_append_printf (out,
                          "Unless you confirm that you want to stay, the address will be\n"
                          "removed from the list on %s (UTC).  This is notice %u of %"
                          G_GUINT64_FORMAT ".\n\n"
                          "To keep your subscription and get the list's mail again, reply\n"
                          "to this message: the reply goes to\n"
                          "  %s-confirm+%s@%s\n",
                          date, number, of, list->local, token, list->domain);
  if (*base != '\0')
    g_string_append_printf (out,
                            "Or open this page and press its button:\n"
                            "  %s/c/%s\n",
                            base, token);
  g_string_append_printf (out,
                          "\nIf you do nothing, the address is removed on that date; you can\n"
                          "join again later by sending any message to %s-join@%s.\n"
                          "Questions go to the people who run the list: %s-owner@%s.\n",
                          list->local, list->domain, list->local, list->domain);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
_rf_bounce_notice_send (const RfConfig *config, RfStore *store, const RfList *list,
                        const RfMemberBounceInfo *info, guint number, guint64 of,
                        gint64 removal, gboolean *refused_out, char **reason_out,
                        GError **error)
{
  gint64 now = rf_now ();
  /* a token outlives the first sweep that may remove, even with
   * bounce_notice_interval_days 0 */
  RfConfirmation c = { RF_CONFIRM_REENABLE, list->address, info->address, 0, now,
                       MAX (removal, now + RF_DAY) };
  RfMailOptions options = { NULL, NULL, NULL, "auto-generated" };
  g_autofree char *hash = NULL;
  g_autofree char *subject = NULL;
  char *token = rf_token_new_caseless ();
  char *reply_to = NULL;
  char *body = NULL;
  gboolean refused = FALSE, ok, spent = FALSE;

  hash = rf_token_hash (token);
  /* recorded before it is sent: a notice in a mailbox always works */
  ok = rf_confirmation_add (store, hash, &c, error);
  if (ok)
    {
      reply_to = g_strdup_printf ("%s-confirm+%s@%s", list->local, token, list->domain);
      body = notice_text (config, list, info, number, of, removal, token);
      subject = g_strdup_printf ("Mail from %s to you is stopped: please confirm", list->address);
      options.reply_to = reply_to;
      ok = _rf_mail_send_one (config, list->address, &options, info->address, subject, body,
                              &refused, reason_out, error);
      /* a token nobody got, or that cannot arrive, is of no use: gone */
      if ((!ok || refused) && !rf_confirmation_spend (store, hash, &spent, ok ? error : NULL))
        ok = FALSE;
    }
  rf_wipe_string (token);
  g_free (token);
  rf_wipe_string (reply_to);
  g_free (reply_to);
  rf_wipe_string (body);
  g_free (body);
  if (ok)
    *refused_out = refused;
  return ok;
}
