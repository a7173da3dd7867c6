/* person.c - listctl person export and erase (issue 15): one person's
 * data, everything every store holds about one address, as JSON; and its
 * erasure, with a receipt that says what was done, what is still written
 * somewhere, and what is out of reach.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>
#include <unistd.h>

gboolean
listctl_confirm (const char *question, const char *refusal, GError **error)
{
  char line[64];
  FILE *tty;
  gboolean yes;

  if (!isatty (STDIN_FILENO) || (tty = fopen ("/dev/tty", "r+")) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "%s without confirmation: no terminal to ask on, give --yes", refusal);
      return FALSE;
    }
  fprintf (tty, "%s [y/N] ", question);
  fflush (tty);
  if (fgets (line, sizeof line, tty) == NULL)
    line[0] = '\0';
  fclose (tty);
  g_strstrip (line);
  yes = g_ascii_strcasecmp (line, "y") == 0 || g_ascii_strcasecmp (line, "yes") == 0;
  if (!yes)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s: the answer was not yes",
                 refusal);
  return yes;
}

static const ListctlCommand person_commands[] = {
  { "person export", NULL, LISTCTL_STORE_READ, "ADDRESS",
    "print everything every store holds about ADDRESS, as JSON" },
  { "person erase", NULL, LISTCTL_STORE_WRITE, "ADDRESS [--yes]",
    "remove or anonymise everything about ADDRESS, and print a receipt" },
};

static void
print_pretty (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  puts (text);
}

static gboolean
erase (ListctlContext *ctx, const char *input, gboolean yes, GError **error)
{
  g_autoptr (RfPersonReceipt) r = NULL;
  g_autofree char *address = rf_address_normalize (input, error);
  g_autofree char *at = NULL;

  if (address == NULL)
    return FALSE;
  if (!yes)
    {
      g_autofree char *question = g_strdup_printf (
          "Erase everything about %s (memberships, bounces, posts, messages, accounts; the "
          "journal keeps a hash)?",
          address);
      g_autofree char *refusal = g_strdup_printf ("refusing to erase '%s'", address);

      if (!listctl_confirm (question, refusal, error))
        return FALSE;
    }
  if (listctl_store (ctx, error) == NULL ||
      (r = rf_person_erase (ctx->config, ctx->store, address, &ctx->actor, error)) == NULL)
    return FALSE;
  at = listctl_format_time (r->at);
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      listctl_json_string (b, "address", address);
      listctl_json_string (b, "hash", r->address_hash);
      listctl_json_int (b, "at", r->at);
      json_builder_set_member_name (b, "erased");
      json_builder_begin_object (b);
      for (guint i = 0; i < r->erased->len; i++)
        {
          const RfPersonErased *e = g_ptr_array_index (r->erased, i);

          listctl_json_int (b, e->kind, (gint64) e->count);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "remaining");
      json_builder_begin_array (b);
      for (guint i = 0; i < r->remaining->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (r->remaining, i));
      json_builder_end_array (b);
      listctl_json_bool (b, "wal_truncated", r->wal_truncated);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }
  printf ("receipt: erased %s at %s\n", address, at);
  printf ("  the journal and the activity log keep their entries with %s in its place\n",
          r->address_hash);
  for (guint i = 0; i < r->erased->len; i++)
    {
      const RfPersonErased *e = g_ptr_array_index (r->erased, i);

      printf ("  %s: %" G_GUINT64_FORMAT " %s\n", e->kind, e->count, e->what);
    }
  if (r->remaining->len == 0)
    printf ("  the address is written nowhere else in the database\n");
  for (guint i = 0; i < r->remaining->len; i++)
    printf ("  still written in %s: someone else's words; edit or remove them by hand\n",
            (const char *) g_ptr_array_index (r->remaining, i));
  if (!r->wal_truncated)
    printf ("  the write-ahead log was in use: it is cleared at the next write\n");
  printf ("  out of reach: the backups taken before now hold it, sealed, until their rotation "
          "deletes them (a restore leaves it out); the system's mail log is the MTA's\n");
  return TRUE;
}

gboolean
listctl_person (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "erase: do not ask for confirmation", NULL },
    { NULL },
  };
  gboolean is_erase;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 2, 2, error))
    return FALSE;
  is_erase = g_str_equal (argv[1], "erase");
  if (!is_erase && !g_str_equal (argv[1], "export"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unknown subcommand 'person %s': export or erase", argv[1]);
      return FALSE;
    }
  /* the store as the subcommand needs it: export only reads */
  ctx->command = &person_commands[is_erase ? 1 : 0];
  if (is_erase)
    return erase (ctx, argv[2], yes, error);
  {
    g_autoptr (JsonNode) root = NULL;

    if (listctl_store (ctx, error) == NULL ||
        (root = rf_person_export (ctx->config, ctx->store, argv[2], error)) == NULL)
      return FALSE;
    print_pretty (root);
  }
  return TRUE;
}
