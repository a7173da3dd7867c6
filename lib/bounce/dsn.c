/* dsn.c - the fields of an RFC 3464 message/delivery-status part.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The part is a series of header-like blocks separated by blank lines: one
 * per message, then one per recipient.  Real reports bend this (one block
 * for everything, CRLF, folded values, a missing per-message block), so any
 * block that names a recipient is taken as a recipient block.
 */
#include "bounce-private.h"

#include <string.h>

/* "rfc822; <Ann@Example.org>" -> "Ann@example.org"; NULL if no address
 * or a type other than an Internet address ("x400; ..."). */
static char *
clean_address (const char *value)
{
  const char *semi = strchr (value, ';');
  g_autofree char *v = NULL;
  char *start;

  if (semi != NULL)
    {
      g_autofree char *type = g_strstrip (g_strndup (value, semi - value));

      if (*type != '\0' && g_ascii_strcasecmp (type, "rfc822") != 0
          && g_ascii_strcasecmp (type, "utf-8") != 0)
        return NULL;
    }
  v = g_strstrip (g_strdup (semi != NULL ? semi + 1 : value));
  start = v;
  while (*start == '<' || g_ascii_isspace (*start))
    start++;
  /* a comment or a display name after the address */
  for (char *p = start; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == '(' || *p == '>' || *p == ',')
      {
        *p = '\0';
        break;
      }
  return _rf_bounce_tidy_address (start);
}

RfBounceAction
_rf_bounce_action_parse (const char *value)
{
  static const struct
  {
    const char *name;
    RfBounceAction action;
  } actions[] = {
    { "failed", RF_BOUNCE_ACTION_FAILED },       { "failure", RF_BOUNCE_ACTION_FAILED },
    { "delayed", RF_BOUNCE_ACTION_DELAYED },     { "delivered", RF_BOUNCE_ACTION_DELIVERED },
    { "relayed", RF_BOUNCE_ACTION_RELAYED },     { "expanded", RF_BOUNCE_ACTION_EXPANDED },
  };
  gsize n;

  if (value == NULL)
    return RF_BOUNCE_ACTION_UNKNOWN;
  while (g_ascii_isspace (*value))
    value++;
  /* "failed (bad destination)": the word before any comment */
  n = strcspn (value, " \t(;");
  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    if (n == strlen (actions[i].name) && g_ascii_strncasecmp (value, actions[i].name, n) == 0)
      return actions[i].action;
  return RF_BOUNCE_ACTION_UNKNOWN;
}

/* "5.1.1 (bad destination)" -> "5.1.1": the Status field's own code. */
static char *
status_field (const char *value)
{
  static GRegex *re;
  static gsize done = 0;
  g_autoptr (GMatchInfo) match = NULL;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("^\\s*([245]\\.[0-9]{1,3}\\.[0-9]{1,3})(?![0-9.])", 0, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  if (g_regex_match (re, value, 0, &match))
    return g_match_info_fetch (match, 1);
  return NULL;
}

/* "smtp; 550 5.1.1 ..." -> "550 5.1.1 ...". */
static const char *
skip_type (const char *value)
{
  const char *semi = strchr (value, ';');

  /* a diagnostic-type is one short token; a ';' further on is text */
  if (semi != NULL && semi - value < 16 && memchr (value, ' ', semi - value) == NULL)
    return semi + 1;
  return value;
}

typedef struct
{
  GHashTable *fields; /* lower-case name -> value (first wins) */
} Block;

static void
parse_blocks (const char *text, GPtrArray *blocks)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GHashTable *current = NULL;
  g_autofree char *name = NULL;
  GString *value = NULL;

#define FLUSH()                                                                                    \
  do                                                                                               \
    {                                                                                              \
      if (name != NULL && current != NULL && !g_hash_table_contains (current, name))               \
        g_hash_table_insert (current, g_steal_pointer (&name),                                     \
                             g_strstrip (g_string_free (value, FALSE)));                           \
      else if (value != NULL)                                                                      \
        g_string_free (value, TRUE);                                                               \
      g_clear_pointer (&name, g_free);                                                             \
      value = NULL;                                                                                \
    }                                                                                              \
  while (0)

  for (char **l = lines; *l != NULL; l++)
    {
      char *line = *l;
      gsize len = strlen (line);
      char *colon;

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (len == 0 || strspn (line, " \t") == len)
        {
          FLUSH ();
          current = NULL;
          continue;
        }
      if ((line[0] == ' ' || line[0] == '\t') && value != NULL)
        {
          g_string_append_c (value, ' ');
          g_string_append (value, line + strspn (line, " \t"));
          continue;
        }
      colon = strchr (line, ':');
      FLUSH ();
      if (colon == NULL || colon == line)
        continue;
      if (current == NULL)
        {
          current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_ptr_array_add (blocks, current);
        }
      name = g_ascii_strdown (line, colon - line);
      g_strstrip (name);
      value = g_string_new (colon + 1);
    }
  FLUSH ();
#undef FLUSH
}

void
_rf_bounce_dsn_parse (const char *text, GPtrArray *recipients, GPtrArray *details)
{
  g_autoptr (GPtrArray) blocks
      = g_ptr_array_new_with_free_func ((GDestroyNotify)g_hash_table_unref);

  parse_blocks (text, blocks);
  for (guint i = 0; i < blocks->len; i++)
    {
      GHashTable *b = g_ptr_array_index (blocks, i);
      const char *final = g_hash_table_lookup (b, "final-recipient");
      const char *original = g_hash_table_lookup (b, "original-recipient");
      const char *status = g_hash_table_lookup (b, "status");
      const char *diag = g_hash_table_lookup (b, "diagnostic-code");
      g_autofree char *address = NULL;
      RfBounceRecipient *r;

      /* the address we sent to (RCPT TO's ORCPT) over the one the receiver
       * forwarded it to */
      if (original != NULL)
        address = clean_address (original);
      if (address == NULL && final != NULL)
        address = clean_address (final);
      if (address == NULL)
        continue;
      r = g_new0 (RfBounceRecipient, 1);
      r->address = g_steal_pointer (&address);
      r->action = _rf_bounce_action_parse (g_hash_table_lookup (b, "action"));
      if (status != NULL)
        {
          r->status = status_field (status);
          if (r->status == NULL)
            {
              char reply = 0;
              r->status = _rf_bounce_find_status (status, &reply);
            }
        }
      if (diag != NULL && *skip_type (diag) != '\0')
        {
          char *whole = _rf_bounce_one_line_max (skip_type (diag), 2000);

          r->diagnostic = _rf_bounce_one_line (skip_type (diag));
          g_ptr_array_add (details, whole != NULL ? whole : g_strdup (""));
        }
      else
        g_ptr_array_add (details, g_strdup (""));
      g_ptr_array_add (recipients, r);
    }
}
