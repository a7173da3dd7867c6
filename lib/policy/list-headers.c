/* list-headers.c - the List-* headers of RFC 2369 and RFC 2919.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A post that went through another list first carries that list's List-*
 * headers; a reader's "unsubscribe" button must act on this list, so the
 * old ones go.
 *
 * List-Unsubscribe differs per member when the site has a web base URL:
 * each copy then carries its member's one-click link (RFC 8058), put in
 * front of the shared rendering by the transport, and the shared copy has
 * none.
 */
#include "policy/policy.h"

#include <string.h>

static const char *const list_header_names[] = {
  "List-Id", "List-Post", "List-Help", "List-Subscribe", "List-Unsubscribe",
  "List-Unsubscribe-Post", "List-Owner", "List-Archive", "Precedence",
};

/* The phrase of List-Id: a quoted string, or RFC 2047 words for non-ASCII. */
static char *
list_id_phrase (const char *description)
{
  GString *q;

  for (const char *p = description; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return g_mime_utils_header_encode_phrase (NULL, description, "utf-8");
  q = g_string_new ("\"");
  for (const char *p = description; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (q, '\\');
      g_string_append_c (q, *p);
    }
  g_string_append_c (q, '"');
  return g_string_free (q, FALSE);
}

gboolean
_rf_policy_one_click (const RfPolicyContext *ctx)
{
  return rf_setting_value_bool (_rf_policy_setting (ctx, "list_headers")) &&
         ctx->config != NULL && ctx->config->base_url != NULL &&
         *ctx->config->base_url != '\0';
}

char *
_rf_policy_one_click_lines (const RfPolicyContext *ctx, const char *token)
{
  const RfList *list = ctx->list;
  g_autofree char *base = NULL;

  if (token == NULL)
    return g_strdup_printf ("List-Unsubscribe: <mailto:%s-leave@%s>\n", list->local,
                            list->domain);
  base = g_strdup (ctx->config->base_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  /* folded after the comma: a long base URL keeps the line under 998 */
  return g_strdup_printf ("List-Unsubscribe: <%s/u/%s>,\n <mailto:%s-leave@%s>\n"
                          "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
                          base, token, list->local, list->domain);
}

gboolean
_rf_policy_list_headers (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  GMimeObject *object = GMIME_OBJECT (message);
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  const RfList *list = ctx->list;
  const char *description = _rf_policy_setting (ctx, "description");
  g_autofree char *list_id = NULL;
  g_autofree char *mailto_base = NULL;
  g_autofree char *value = NULL;

  if (!rf_setting_value_bool (_rf_policy_setting (ctx, "list_headers")))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (list_header_names); i++)
    while (g_mime_header_list_remove (headers, list_header_names[i]))
      ;

  /* RFC 2919: the list's address with '@' turned into '.' */
  list_id = g_strdup_printf ("%s.%s", list->local, list->domain);
  if (*description != '\0')
    {
      g_autofree char *phrase = list_id_phrase (description);

      value = g_strdup_printf ("%s <%s>", phrase, list_id);
    }
  else
    value = g_strdup_printf ("<%s>", list_id);

  mailto_base = g_strdup_printf ("<mailto:%s", list->local);
  {
    g_autofree char *post = g_strdup_printf ("<mailto:%s>", list->address);
    g_autofree char *help = g_strdup_printf ("%s-request@%s?subject=help>", mailto_base,
                                             list->domain);
    g_autofree char *subscribe = g_strdup_printf ("%s-join@%s>", mailto_base, list->domain);
    g_autofree char *unsubscribe = g_strdup_printf ("%s-leave@%s>", mailto_base, list->domain);
    g_autofree char *owner = g_strdup_printf ("%s-owner@%s>", mailto_base, list->domain);
    /* keeps vacation programs and auto-responders from answering the list */
    const char *fields[][2] = {
      { "List-Id", value },
      { "List-Post", post },
      { "List-Help", help },
      { "List-Subscribe", subscribe },
      { "List-Unsubscribe", _rf_policy_one_click (ctx) ? NULL : unsubscribe },
      { "List-Owner", owner },
      { "Precedence", "list" },
    };

    /* at the top, in this order, like trace fields: a reader that gives up
     * at the first malformed header line of a post still sees them */
    for (gsize i = G_N_ELEMENTS (fields); i > 0; i--)
      if (fields[i - 1][1] != NULL)
        g_mime_object_prepend_header (object, fields[i - 1][0], fields[i - 1][1], NULL);
  }
  return TRUE;
}
