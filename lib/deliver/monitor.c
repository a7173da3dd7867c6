/* monitor.c - inbox monitoring (issue 15): the seed mailboxes of
 * [monitor] addresses get a copy of each post, and what comes back from
 * them is recorded for 'listctl monitor --report'.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds are the site's, not the list's: they are never members, so no
 * member list, count, report or export names them, and their copies are
 * not in a delivery's recipients (nor in its counts).  Their copy is the
 * members' copy, with the one header that lets the site tell which post
 * it is, "X-Reflector-Monitor: <list>/<post id>", and the list's
 * unsubscribe mailto (no one-click link: a seed has no token).  Each copy
 * is recorded by the delivery's key, so that the MTA's retry of a post
 * sends none twice.
 */
#include "deliver/monitor-private.h"
#include "store/store.h"

#include <string.h>

gboolean
rf_monitor_is_seed (const RfConfig *config, const char *address)
{
  for (char **s = config->monitor_addresses; s != NULL && *s != NULL; s++)
    if (g_ascii_strcasecmp (*s, address) == 0)
      return TRUE;
  return FALSE;
}

typedef struct {
  RfStore *store;
  const RfPolicyContext *ctx;
  const char *key;
  gint64 post_id;
  char *header;
} Seeds;

static char *
seed_header (const char *address, gpointer user_data, GError **error)
{
  Seeds *seeds = user_data;

  return g_strdup (seeds->header);
}

static gboolean
seed_result (const char *address, RfRecipientState state, const char *detail,
             gpointer user_data, GError **error)
{
  Seeds *seeds = user_data;
  g_autoptr (GError) local = NULL;

  if (!rf_monitor_record_send (seeds->store, seeds->key, address, seeds->ctx->list->address,
                               seeds->post_id, state, detail, &local))
    rf_log_warning ("%s: inbox monitoring: %s", seeds->ctx->list->address, local->message);
  return TRUE;
}

void
_rf_monitor_send (const RfConfig *config, RfStore *store, const RfPolicyContext *ctx,
                  gint64 post_id, const char *key, const char *out_path)
{
  g_autoptr (GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autofree char *unsubscribe = NULL;
  Seeds seeds = { store, ctx, key, post_id, NULL };
  gboolean ok;

  if (config->monitor_addresses == NULL || config->monitor_addresses[0] == NULL ||
      !rf_setting_value_bool (g_hash_table_lookup (ctx->settings, "monitor_inboxes")))
    return;
  for (char **s = config->monitor_addresses; *s != NULL; s++)
    {
      g_autofree char *member = NULL;
      gboolean sent = FALSE;

      if (!rf_monitor_sent (store, key, *s, &sent, &local) ||
          !rf_member_find (store, ctx->list, *s, &member, &local))
        {
          rf_log_warning ("%s: inbox monitoring: %s", ctx->list->address, local->message);
          return;
        }
      /* a seed that is also a member has its copy as a member */
      if (!sent && member == NULL)
        g_ptr_array_add (pending, g_strdup (*s));
    }
  if (pending->len == 0)
    return;
  if (_rf_policy_one_click (ctx))
    unsubscribe = _rf_policy_one_click_lines (ctx, NULL);
  seeds.header = g_strdup_printf ("X-Reflector-Monitor: %s/%" G_GINT64_FORMAT "\n%s",
                                  ctx->list->address, post_id,
                                  unsubscribe != NULL ? unsubscribe : "");
  if (g_str_equal (config->transport, "smtp"))
    ok = _rf_smtp_fanout (config, out_path, ctx->list->address, pending, seed_header,
                          seed_result, &seeds, &local);
  else
    ok = _rf_sendmail_fanout (config, out_path, ctx->list->address, pending, seed_header,
                              seed_result, &seeds, &local);
  if (!ok)
    rf_log_warning ("%s: inbox monitoring: %s", ctx->list->address, local->message);
  g_free (seeds.header);
}

/* The tag of @seed's VERP address for @list ("seed=example.org" or the
 * hashed form).  Returns: (transfer full). */
static char *
verp_tag (const RfList *list, const char *seed)
{
  g_autofree char *sender = rf_verp_sender (list->address, seed);
  const char *plus = strchr (sender, '+');
  const char *at = strrchr (sender, '@');

  if (plus == NULL || at == NULL || at < plus)
    return NULL;
  return g_strndup (plus + 1, at - plus - 1);
}

gboolean
_rf_monitor_bounced (const RfConfig *config, RfStore *store, const RfList *list,
                     const char *tag, const RfBounce *bounce, gboolean *handled_out,
                     GError **error)
{
  const RfBounceRecipient *first = NULL;
  const char *seed = NULL;

  *handled_out = FALSE;
  if (tag == NULL)
    return TRUE;
  for (char **s = config->monitor_addresses; s != NULL && *s != NULL && seed == NULL; s++)
    {
      g_autofree char *mine = verp_tag (list, *s);

      /* an MTA may have lower-cased the local part on the way back */
      if (mine != NULL && g_ascii_strcasecmp (mine, tag) == 0)
        seed = *s;
    }
  if (seed == NULL)
    return TRUE;
  if (bounce != NULL && bounce->recipients->len > 0)
    first = g_ptr_array_index (bounce->recipients, 0);
  *handled_out = TRUE;
  return rf_monitor_record_bounce (
      store, list->address, seed,
      bounce != NULL ? rf_bounce_class_name (first != NULL ? first->bounce_class
                                                           : bounce->bounce_class)
                     : "unknown",
      first != NULL ? first->status : NULL, first != NULL ? first->diagnostic : NULL, error);
}

GPtrArray *
rf_monitor_report (const RfConfig *config, RfStore *store, gint64 since, GError **error)
{
  g_autoptr (GPtrArray) rows = rf_monitor_summary (store, since, error);

  if (rows == NULL)
    return NULL;
  /* the seeds that got nothing yet are in the report too */
  for (char **s = config->monitor_addresses; s != NULL && *s != NULL; s++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < rows->len && !found; i++)
        found = g_ascii_strcasecmp (((RfMonitorSeed *) g_ptr_array_index (rows, i))->seed, *s) == 0;
      if (!found)
        {
          RfMonitorSeed *seed = g_new0 (RfMonitorSeed, 1);

          seed->seed = g_strdup (*s);
          g_ptr_array_add (rows, seed);
        }
    }
  return g_steal_pointer (&rows);
}
