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

/* "rfc822; <Ann@Example.org>" -> "Ann@example.org"; NULL if no address. */
static char *
clean_address (const char *value)
{
  const char *semi = strchr (value, ';');
  g_autofree char *v = g_strstrip (g_strdup (semi != NULL ? semi + 1 : value));
  char *start = v, *end, *at;

  while (*start == '<' || *start == '"' || g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start
         && (end[-1] == '>' || end[-1] == '"' || end[-1] == '.' || g_ascii_isspace (end[-1])))
    end--;
  *end = '\0';
  /* a comment or a display name after the address */
  for (char *p = start; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == '(' || *p == '>' || *p == ',')
      {
        *p = '\0';
        break;
      }
  at = strrchr (start, '@');
  if (at == NULL || at == start || at[1] == '\0')
    return NULL;
  {
    g_autofree char *domain = g_ascii_strdown (at + 1, -1);
    return g_strdup_printf ("%.*s@%s", (int)(at - start), start, domain);
  }
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
_rf_bounce_dsn_parse (const char *text, GPtrArray *recipients, GPtrArray *actions)
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
      const char *action = g_hash_table_lookup (b, "action");
      g_autofree char *address = NULL;
      RfBounceRecipient *r;

      if (final != NULL)
        address = clean_address (final);
      if (address == NULL && original != NULL)
        address = clean_address (original);
      if (address == NULL)
        continue;
      r = g_new0 (RfBounceRecipient, 1);
      r->address = g_steal_pointer (&address);
      if (status != NULL)
        {
          char reply = 0;
          r->status = _rf_bounce_find_status (status, &reply);
        }
      if (diag != NULL && *skip_type (diag) != '\0')
        r->diagnostic = _rf_bounce_one_line (skip_type (diag));
      g_ptr_array_add (recipients, r);
      g_ptr_array_add (actions, g_ascii_strdown (action != NULL ? action : "", -1));
    }
}
