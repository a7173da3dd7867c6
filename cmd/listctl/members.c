/* members.c - listctl members, subscribe, unsubscribe.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bad lines printed before the rest are only counted. */
#define MAX_SHOWN 20

gboolean
listctl_members (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (RfList) list = NULL;
  g_autoptr (GPtrArray) members = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 1, 1, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if ((members = rf_member_list (ctx->store, list, error)) == NULL)
    return FALSE;
  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < members->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (members, i));
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }
  for (guint i = 0; i < members->len; i++)
    {
      fputs (g_ptr_array_index (members, i), stdout);
      putchar ('\n');
    }
  return TRUE;
}

static gboolean
read_stdin (GString *out, GError **error)
{
  char buf[65536];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (out, buf, n);
  if (ferror (stdin))
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read standard input: %s",
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  GPtrArray *good;        /* normalised addresses */
  guint n_bad;
} Addresses;

static void
bad_line (Addresses *a, const char *where, const GError *why)
{
  a->n_bad++;
  if (a->n_bad <= MAX_SHOWN)
    {
      g_autofree char *safe = g_strdup (why->message);

      for (char *p = safe; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      if (where != NULL)
        fprintf (stderr, "listctl: %s: %s\n", where, safe);
      else
        fprintf (stderr, "listctl: %s\n", safe);
    }
}

static void
take (Addresses *a, const char *text, const char *where)
{
  g_autoptr (GError) local = NULL;
  char *norm = rf_address_normalize (text, &local);

  if (norm != NULL)
    g_ptr_array_add (a->good, norm);
  else
    bad_line (a, where, local);
}

/* One address per line; blank lines and lines starting with # are
 * skipped.  Every line is checked before anything is changed. */
static gboolean
read_address_file (Addresses *a, const char *file, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *name = g_str_equal (file, "-") ? "stdin" : file;
  char *line, *next;
  guint lineno = 0;

  if (g_str_equal (file, "-"))
    {
      g_autoptr (GString) s = g_string_new (NULL);

      if (!read_stdin (s, error))
        return FALSE;
      len = s->len;
      contents = g_string_free (g_steal_pointer (&s), FALSE);
    }
  else
    {
      g_autoptr (GError) local = NULL;

      if (!g_file_get_contents (file, &contents, &len, &local))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "%s", local->message);
          listctl_hint (error, "check the file name");
          return FALSE;
        }
    }
  if (memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "%s: holds a NUL byte: give a text file, one address per line", name);
      return FALSE;
    }
  for (line = contents; line != NULL && *line != '\0'; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      lineno++;
      g_strstrip (line);
      if (*line == '\0' || *line == '#')
        continue;
      {
        g_autofree char *where = g_strdup_printf ("%s:%u", name, lineno);
        take (a, line, where);
      }
    }
  return TRUE;
}

static void
progress_line (guint64 done, guint64 total, gpointer user_data)
{
  fprintf (stderr, "\rlistctl: %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
           (const char *) user_data, done, total);
  if (done == total)
    fputc ('\n', stderr);
}

static gboolean
change_members (int argc, char **argv, ListctlContext *ctx, gboolean add, GError **error)
{
  g_autofree char *file = NULL;
  gboolean skip_invalid = FALSE;
  const GOptionEntry entries[] = {
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file,
      "read the addresses from FILE, one per line (- for stdin)", "FILE" },
    { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &skip_invalid,
      "change the valid addresses even when some lines are invalid", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) good = g_ptr_array_new_with_free_func (g_free);
  Addresses a = { good, 0 };
  g_autoptr (RfList) list = NULL;
  guint64 changed = 0, unchanged = 0;
  gboolean strict_one;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 1, -1, error))
    return FALSE;
  if ((file == NULL && argc < 3) || (file != NULL && argc > 2))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "give addresses, or --file FILE, or - for stdin: usage: listctl %s "
                   "LIST ADDRESS... | --file FILE | -",
                   ctx->command->name);
      return FALSE;
    }
  if (file == NULL && argc == 3 && g_str_equal (argv[2], "-"))
    file = g_strdup ("-");

  /* read and check everything before the store is opened (and, as root,
   * before privileges are dropped: the file may be root's) */
  if (file != NULL)
    {
      if (!read_address_file (&a, file, error))
        return FALSE;
    }
  else
    for (int i = 2; i < argc; i++)
      take (&a, argv[i], NULL);
  if (a.n_bad > MAX_SHOWN)
    fprintf (stderr, "listctl: ... and %u more invalid addresses\n", a.n_bad - MAX_SHOWN);
  if (a.n_bad > 0 && !skip_invalid)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "%u invalid address%s: nothing was changed", a.n_bad,
                   a.n_bad == 1 ? "" : "es");
      listctl_hint (error, "fix them, or use --skip-invalid to change the others");
      return FALSE;
    }

  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;

  /* one address named on the command line is a request about that
   * address: say when it is already (or not) a member */
  strict_one = file == NULL && argc == 3 && good->len == 1;
  if (strict_one)
    {
      const char *addr = g_ptr_array_index (good, 0);

      if (add ? !rf_member_add (ctx->store, list, addr, &ctx->actor, error)
              : !rf_member_remove (ctx->store, list, addr, &ctx->actor, error))
        return FALSE;
      changed = 1;
    }
  else if (good->len > 0)
    {
      gboolean tty = isatty (STDERR_FILENO) && good->len >= 10000;
      const char *doing = add ? "subscribing" : "unsubscribing";

      if (!(add ? rf_member_add_many : rf_member_remove_many) (
            ctx->store, list, good, &ctx->actor, tty ? progress_line : NULL, (gpointer) doing,
            &changed, &unchanged, error))
        return FALSE;
    }

  if (add)
    printf ("subscribed %" G_GUINT64_FORMAT " address%s to %s (%" G_GUINT64_FORMAT " %s)\n",
            changed, changed == 1 ? "" : "es", list->address, unchanged,
            unchanged == 1 ? "was already a member" : "were already members");
  else
    printf ("unsubscribed %" G_GUINT64_FORMAT " address%s from %s (%" G_GUINT64_FORMAT " %s)\n",
            changed, changed == 1 ? "" : "es", list->address, unchanged,
            unchanged == 1 ? "was not a member" : "were not members");
  if (a.n_bad > 0)
    fprintf (stderr, "listctl: skipped %u invalid address%s\n", a.n_bad,
             a.n_bad == 1 ? "" : "es");
  return TRUE;
}

gboolean
listctl_subscribe (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  return change_members (argc, argv, ctx, TRUE, error);
}

gboolean
listctl_unsubscribe (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  return change_members (argc, argv, ctx, FALSE, error);
}
