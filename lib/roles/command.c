/* command.c - commands in the Subject or the first lines of a message, as
 * Mailman reads them: "subscribe", "unsubscribe", "help" and their
 * spellings; quoted lines and the signature are not read.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same reader decides whether a post to the list is administrivia
 * ("unsubscribe" sent to everyone): a short post whose subject or first
 * lines are a command.  A command takes a few words at most (Mailman's
 * rule), so that "Subscribe to the new release announcements of the
 * project, which ..." is text, not a command.
 */
#include "roles/roles.h"

#include <string.h>

/* The most words after a command word for the line to be that command. */
#define MAX_ARGS 4
/* Lines of the body read for a command. */
#define MAX_LINES 5
/* A post longer than this (lines of text, or bytes) is no administrivia. */
#define ADMIN_MAX_LINES 10
#define ADMIN_MAX_BYTES 1000

static const struct {
  const char *word;
  RfCommand command;
  int max_args;
} words[] = {
  { "subscribe", RF_COMMAND_SUBSCRIBE, MAX_ARGS },
  { "join", RF_COMMAND_SUBSCRIBE, MAX_ARGS },
  { "unsubscribe", RF_COMMAND_UNSUBSCRIBE, MAX_ARGS },
  { "leave", RF_COMMAND_UNSUBSCRIBE, MAX_ARGS },
  { "signoff", RF_COMMAND_UNSUBSCRIBE, MAX_ARGS },
  { "help", RF_COMMAND_HELP, 0 },
  { "stop", RF_COMMAND_UNSUBSCRIBE, 0 },
};

/* "remove me ...", "take me off ...": unsubscribe in words */
static const char *const unsubscribe_phrases[] = { "remove me", "take me off", "delete me",
                                                   NULL };

/* Re:, Fwd: and the like, and [tags], off the front of a subject. */
static const char *
strip_subject (const char *subject)
{
  static const char *const prefixes[] = { "re:", "aw:", "sv:", "vs:", "fwd:", "fw:", "wg:",
                                          "tr:", "antw:", "rif:", "odp:", NULL };
  const char *p = subject;
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      while (g_ascii_isspace (*p))
        p++;
      for (const char *const *x = prefixes; *x != NULL; x++)
        if (g_ascii_strncasecmp (p, *x, strlen (*x)) == 0)
          {
            p += strlen (*x);
            again = TRUE;
          }
      if (*p == '[')
        {
          const char *close = strchr (p, ']');

          if (close != NULL)
            {
              p = close + 1;
              again = TRUE;
            }
        }
    }
  return p;
}

/* The command @line is, with its address argument; RF_COMMAND_NONE. */
static RfCommand
line_command (const char *line, char **argument_out)
{
  g_autofree char *lower = g_ascii_strdown (line, -1);
  g_auto (GStrv) w = NULL;
  guint n, first = 0;

  g_strstrip (lower);
  /* "Unsubscribe!", "help." */
  for (gsize len = strlen (lower); len > 0 && strchr (".!?:;,", lower[len - 1]) != NULL; len--)
    lower[len - 1] = '\0';
  w = g_regex_split_simple ("\\s+", lower, 0, 0);
  n = g_strv_length (w);
  if (n > 0 && *w[0] == '\0')
    first++;
  if (first < n && g_str_equal (w[first], "please"))
    first++;
  if (first >= n)
    return RF_COMMAND_NONE;
  {
    g_autofree char *rest = g_strjoinv (" ", w + first);

    for (const char *const *p = unsubscribe_phrases; *p != NULL; p++)
      {
        gsize len = strlen (*p);
        guint phrase_words = 1;

        for (const char *c = *p; *c != '\0'; c++)
          phrase_words += *c == ' ';
        if (strncmp (rest, *p, len) == 0 && (rest[len] == '\0' || rest[len] == ' ') &&
            n - first <= phrase_words + MAX_ARGS)
          return RF_COMMAND_UNSUBSCRIBE;
      }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (!g_str_equal (w[first], words[i].word) || (int) (n - first - 1) > words[i].max_args)
        continue;
      if (argument_out != NULL)
        {
          *argument_out = NULL;
          /* the original spelling: an address keeps the case of its local part */
          {
            g_autofree char *stripped = g_strstrip (g_strdup (line));
            g_auto (GStrv) orig = g_regex_split_simple ("\\s+", stripped, 0, 0);

            for (guint j = 1; orig[j] != NULL && *argument_out == NULL; j++)
              {
                const char *a = orig[j];

                if (g_ascii_strncasecmp (a, "address=", 8) == 0)
                  a += 8;
                if (strchr (a, '@') != NULL)
                  *argument_out = rf_address_normalize (a, NULL);
              }
          }
        }
      return words[i].command;
    }
  return RF_COMMAND_NONE;
}

/* The lines a command is looked for in: not empty, not quoted, before the
 * signature, at most @max.  Returns: (transfer full). */
static GPtrArray *
text_lines (const char *text, guint max, guint *total_out)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", 0);
  guint total = 0;

  for (char **l = lines; *l != NULL; l++)
    {
      char *line = *l;
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (g_str_equal (line, "-- ") || g_str_equal (line, "--"))
        break;
      g_strstrip (line);
      if (*line == '\0' || *line == '>')
        continue;
      total++;
      if (out->len < max)
        g_ptr_array_add (out, g_strdup (line));
    }
  if (total_out != NULL)
    *total_out = total;
  return out;
}

RfCommand
_rf_command_find (const char *subject, const char *text, char **argument_out)
{
  g_autoptr (GPtrArray) lines = text_lines (text, MAX_LINES, NULL);
  RfCommand c;

  if (argument_out != NULL)
    *argument_out = NULL;
  if (subject != NULL && (c = line_command (strip_subject (subject), argument_out)) != RF_COMMAND_NONE)
    return c;
  for (guint i = 0; i < lines->len; i++)
    if ((c = line_command (g_ptr_array_index (lines, i), argument_out)) != RF_COMMAND_NONE)
      return c;
  return RF_COMMAND_NONE;
}

gboolean
_rf_command_is_administrivia (const char *subject, const char *text)
{
  guint total = 0;

  /* a long post is a post, whatever its first lines say; only the count
   * of its lines is needed here */
  if (text != NULL && strlen (text) > ADMIN_MAX_BYTES)
    return FALSE;
  g_ptr_array_unref (text_lines (text, MAX_LINES, &total));
  if (total > ADMIN_MAX_LINES)
    return FALSE;
  return _rf_command_find (subject, text, NULL) != RF_COMMAND_NONE;
}
