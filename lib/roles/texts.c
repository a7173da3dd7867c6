/* texts.c - what the answers of a list say.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No text depends on whether the address concerned is a member: a
 * confirmation, a welcome and a goodbye read the same either way, so that
 * no answer tells anyone who is on the list.
 */
#include "roles/roles.h"

#include <string.h>

static const char *
setting (GHashTable *settings, const char *name)
{
  const char *value = settings != NULL ? g_hash_table_lookup (settings, name) : NULL;

  return value != NULL ? value : "";
}

/* LIST-<suffix>@domain */
static char *
role_address (const RfList *list, const char *suffix)
{
  return g_strdup_printf ("%s-%s@%s", list->local, suffix, list->domain);
}

/* The list's own text, then a blank line, or nothing. */
static void
append_list_text (GString *out, const char *text)
{
  if (*text == '\0')
    return;
  g_string_append (out, text);
  if (text[strlen (text) - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_c (out, '\n');
}

char *
_rf_text_confirm (const RfConfig *config, const RfList *list, GHashTable *settings,
                  RfConfirmAction action, const char *address, const char *token)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *base = g_strdup (config->base_url != NULL ? config->base_url : "");
  const char *days = setting (settings, "confirm_days");
  gboolean join = action == RF_CONFIRM_SUBSCRIBE;

  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  g_string_append_printf (out,
                          "Hello,\n\n"
                          "someone, probably you, asked to %s\n"
                          "  %s\n"
                          "%s the list %s.\n\n"
                          "To confirm, reply to this message: the reply goes to\n"
                          "  %s-confirm+%s@%s\n"
                          "Or open this page and press its button:\n"
                          "  %s/c/%s\n\n"
                          "If you did not ask for this, ignore this message: nothing\n"
                          "happens without a confirmation, and the request expires in\n"
                          "%s days.\n",
                          join ? "subscribe" : "unsubscribe", address, join ? "to" : "from",
                          list->address, list->local, token, list->domain, base, token,
                          *days != '\0' ? days : "7");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
_rf_text_welcome (const RfList *list, GHashTable *settings, const char *address)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *leave = role_address (list, "leave");
  g_autofree char *request = role_address (list, "request");
  g_autofree char *owner = role_address (list, "owner");

  g_string_append_printf (out, "Welcome: %s is subscribed to the list %s.\n\n", address,
                          list->address);
  append_list_text (out, setting (settings, "welcome"));
  g_string_append_printf (out,
                          "To post, write to %s.\n"
                          "To leave, send any message to %s.\n"
                          "For help, send \"help\" to %s.\n"
                          "To reach the people who run the list, write to %s.\n",
                          list->address, leave, request, owner);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
_rf_text_goodbye (const RfList *list, GHashTable *settings, const char *address)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *join = role_address (list, "join");

  g_string_append_printf (out, "Goodbye: %s is not subscribed to the list %s.\n\n", address,
                          list->address);
  append_list_text (out, setting (settings, "goodbye"));
  g_string_append_printf (out, "To join again, send any message to %s.\n", join);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
_rf_text_help (const RfList *list, GHashTable *settings)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *description = setting (settings, "description");
  g_autofree char *join = role_address (list, "join");
  g_autofree char *leave = role_address (list, "leave");
  g_autofree char *request = role_address (list, "request");
  g_autofree char *owner = role_address (list, "owner");
  int w = (int) MAX (strlen (list->address), strlen (request));

  g_string_append_printf (out, "The list %s%s%s answers at these addresses:\n\n",
                          list->address, *description != '\0' ? ", " : "", description);
  g_string_append_printf (out,
                          "  %-*s  posts to the list\n"
                          "  %-*s  any message: join the list\n"
                          "  %-*s  any message: leave the list\n"
                          "  %-*s  commands, in the Subject or the first lines:\n"
                          "  %-*s    subscribe [ADDRESS]     (or: join)\n"
                          "  %-*s    unsubscribe [ADDRESS]   (or: leave)\n"
                          "  %-*s    help\n"
                          "  %-*s  reaches the people who run the list\n\n",
                          w, list->address, w, join, w, leave, w, request, w, "", w, "", w, "",
                          w, owner);
  g_string_append (out,
                   "Joining and leaving are confirmed by the address concerned: the\n"
                   "confirmation is sent to it alone, and nothing happens without it.\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
_rf_text_expired (const RfList *list, GHashTable *settings)
{
  const char *days = setting (settings, "confirm_days");
  g_autofree char *request = role_address (list, "request");

  return g_strdup_printf ("This confirmation for the list %s has expired: a request\n"
                          "must be confirmed within %s days, and nothing was done.\n\n"
                          "To ask again, send \"subscribe\" or \"unsubscribe\" to\n"
                          "%s.\n",
                          list->address, *days != '\0' ? days : "7", request);
}

char *
_rf_text_unknown_token (const RfList *list)
{
  g_autofree char *request = role_address (list, "request");

  return g_strdup_printf ("This confirmation address of the list %s is not known: it was\n"
                          "used already, or it expired long ago.  Nothing was done.\n\n"
                          "To ask again, send \"subscribe\" or \"unsubscribe\" to\n"
                          "%s.\n",
                          list->address, request);
}

char *
_rf_text_reenable_expired (const RfList *list)
{
  g_autofree char *join = role_address (list, "join");

  return g_strdup_printf ("This confirmation for the list %s has expired: it was good until\n"
                          "the removal date its notice gave, and nothing was done.\n\n"
                          "To join the list again, send any message to\n"
                          "%s.\n",
                          list->address, join);
}
