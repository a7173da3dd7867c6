/* help.c - listctl help: the commands, one command, the settings table.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <stdio.h>
#include <string.h>

static const char *
type_name (RfSettingType type)
{
  switch (type)
    {
    case RF_SETTING_BOOL: return "bool";
    case RF_SETTING_INT: return "int";
    case RF_SETTING_SIZE: return "size";
    case RF_SETTING_ENUM: return "enum";
    case RF_SETTING_STRING: return "string";
    case RF_SETTING_ADDRESSES: return "addresses";
    }
  return "?";
}

void
listctl_print_usage (FILE *out)
{
  fprintf (out, "usage: listctl [--config FILE] COMMAND [ARGS] [--json]\n\ncommands:\n");
  for (gsize i = 0; i < listctl_n_commands; i++)
    fprintf (out, "  %-12s %s\n", listctl_commands[i].name, listctl_commands[i].summary);
  fprintf (out, "\n'listctl help COMMAND' shows a command's arguments and options;\n"
                "'listctl help settings' shows the list settings.\n");
}

static char *
allowed_text (const RfSettingDef *def, const char *sep)
{
  switch (def->type)
    {
    case RF_SETTING_BOOL: return g_strjoin (sep, "on", "off", NULL);
    case RF_SETTING_INT: return g_strdup_printf ("0 to %d", RF_SETTING_INT_MAX);
    case RF_SETTING_SIZE: return g_strdup ("0 to 1G (k, M, G)");
    case RF_SETTING_ENUM: return g_strjoinv (sep, (char **) def->allowed);
    case RF_SETTING_STRING: return g_strdup (def->multiline ? "text, \\n for a new line"
                                                            : "one line of text");
    case RF_SETTING_ADDRESSES: return g_strdup ("addresses separated by commas");
    }
  return g_strdup ("?");
}

/* mdoc text: a backslash is \e, and a line must not start with a dot. */
static char *
mdoc_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  if (*text == '.' || *text == '\'')
    g_string_append (out, "\\&");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\e");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The block between the SETTINGS markers of reflector.conf(5); t-man.sh
 * fails when the page and this output differ. */
static void
print_settings_mdoc (void)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  printf (".Bl -tag -width Ds\n");
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *help = mdoc_escape (defs[i].help);
      g_autofree char *allowed = allowed_text (&defs[i], ", ");
      g_autofree char *allowed_esc = mdoc_escape (allowed);

      /* a sentence in the page */
      help[0] = g_ascii_toupper (help[0]);
      if (*defs[i].default_value == '\0')
        printf (".It Cm %s Pq Vt %s , default empty\n", defs[i].name, type_name (defs[i].type));
      else
        {
          g_autofree char *def = mdoc_escape (defs[i].default_value);
          printf (".It Cm %s Pq Vt %s , default Ql %s\n", defs[i].name,
                  type_name (defs[i].type), def);
        }
      printf ("%s.\nValues: %s.\n%s\n", help, allowed_esc,
              defs[i].who == RF_SETTING_MODERATOR
                  ? "Changed by the list's moderators, owners and site admins."
                  : "Changed by the list's owners and site admins only.");
    }
  printf (".El\n");
}

static void
print_settings (void)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  printf ("%-18s %-7s %-10s %-24s %-9s %s\n", "NAME", "TYPE", "DEFAULT", "VALUES", "WHO",
          "MEANING");
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *allowed = allowed_text (&defs[i], "|");
      g_autofree char *def = *defs[i].default_value == '\0'
                               ? g_strdup ("\"\"")
                               : listctl_escape_value (defs[i].default_value);

      printf ("%-18s %-7s %-10s %-24s %-9s %s\n", defs[i].name, type_name (defs[i].type), def,
              allowed, rf_setting_who_name (&defs[i]), defs[i].help);
    }
}

gboolean
listctl_help (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean mdoc = FALSE;
  const GOptionEntry entries[] = {
    { "mdoc", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &mdoc,
      "print the settings table as mdoc, for reflector.conf.5", NULL },
    { NULL },
  };
  const ListctlCommand *cmd;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 0, 1, error))
    return FALSE;
  if (argc == 1)
    {
      listctl_print_usage (stdout);
      return TRUE;
    }
  if (g_str_equal (argv[1], "settings"))
    {
      if (mdoc)
        print_settings_mdoc ();
      else
        print_settings ();
      return TRUE;
    }
  cmd = listctl_find_command (argv[1]);
  if (cmd == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unknown command '%s': see 'listctl help'", argv[1]);
      return FALSE;
    }
  {
    /* the command's own --help, which prints and exits */
    char *help_argv[] = { (char *) cmd->name, (char *) "--help", NULL };

    ctx->command = cmd;
    return cmd->func (2, help_argv, ctx, error);
  }
}
