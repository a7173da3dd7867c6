/* users.c - listctl user (add, passwd, del, list, grant, revoke) and
 * listctl web-access: the accounts of listweb.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A password is never an argument (other users see argv in ps): it is read
 * from the terminal without echo, twice, or as one line from standard
 * input with --password-stdin.  It is wiped from memory once hashed.
 */
#include "listctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void
wipe (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef char Secret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Secret, wipe)

/* One line of @fd, without its line end.  Returns: (transfer full) or NULL
 * at end of input. */
static char *
read_line_fd (int fd, gboolean *too_long)
{
  char buf[RF_PASSWORD_MAX + 2];
  gsize n = 0;
  char c;
  ssize_t r;

  *too_long = FALSE;
  while ((r = read (fd, &c, 1)) == 1 && c != '\n')
    {
      if (n < sizeof buf - 1)
        buf[n++] = c;
      else
        *too_long = TRUE;
    }
  if (r < 0 || (r == 0 && n == 0))
    {
      explicit_bzero (buf, sizeof buf);
      return NULL;
    }
  if (n > 0 && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  {
    char *line = g_strdup (buf);
    explicit_bzero (buf, sizeof buf);
    return line;
  }
}

static char *
ask_tty (int tty, const char *prompt, GError **error)
{
  struct termios old, quiet;
  gboolean too_long = FALSE;
  char *line;

  if (tcgetattr (tty, &old) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "cannot turn off the terminal's echo: use --password-stdin");
      return NULL;
    }
  quiet = old;
  quiet.c_lflag &= ~(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (write (tty, prompt, strlen (prompt)) < 0 || tcsetattr (tty, TCSAFLUSH, &quiet) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "cannot turn off the terminal's echo: use --password-stdin");
      return NULL;
    }
  line = read_line_fd (tty, &too_long);
  tcsetattr (tty, TCSAFLUSH, &old);
  if (write (tty, "\n", 1) < 0)
    {
      /* nothing to do: the prompt's line break is cosmetic */
    }
  if (line == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "no password given");
      return NULL;
    }
  if (too_long)
    {
      wipe (line);
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   "the password is too long: at most %d bytes", RF_PASSWORD_MAX);
      return NULL;
    }
  return line;
}

/* The new password for @whom: one line of stdin, or asked twice on the
 * terminal.  Checked (length, characters) before it is returned.
 * Returns: (transfer full): free with wipe(). */
static char *
read_password (gboolean from_stdin, const char *whom, GError **error)
{
  g_autoptr (Secret) first = NULL;
  g_autoptr (Secret) second = NULL;
  gboolean too_long = FALSE;

  if (from_stdin)
    {
      first = read_line_fd (STDIN_FILENO, &too_long);
      if (first == NULL)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                       "--password-stdin: standard input holds no line");
          return NULL;
        }
      if (too_long)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                       "the password is too long: at most %d bytes", RF_PASSWORD_MAX);
          return NULL;
        }
    }
  else
    {
      g_autofree char *prompt = g_strdup_printf ("New password for %s: ", whom);
      int tty = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

      if (tty < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       "no terminal to ask the password on: give it as one line on "
                       "standard input with --password-stdin");
          return NULL;
        }
      first = ask_tty (tty, prompt, error);
      if (first != NULL && rf_password_check (first, error))
        second = ask_tty (tty, "Again: ", error);
      close (tty);
      if (second == NULL)
        return NULL;
      if (!g_str_equal (first, second))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                       "the two passwords differ: nothing was changed");
          return NULL;
        }
    }
  if (!rf_password_check (first, error))
    return NULL;
  return g_steal_pointer (&first);
}

/* listctl's table has one row per command; the subcommands of 'user' need
 * different things of the store, so each has a row of its own here, which
 * becomes ctx->command while it runs. */
static const ListctlCommand user_commands[] = {
  { "user add", NULL, LISTCTL_STORE_CREATE,
    "NAME --email ADDRESS [--admin] [--owner LIST] [--moderator LIST] [--password-stdin]",
    "create a web account" },
  { "user passwd", NULL, LISTCTL_STORE_WRITE, "NAME [--password-stdin]",
    "change an account's password (its sessions end)" },
  { "user del", NULL, LISTCTL_STORE_WRITE, "NAME", "delete an account" },
  { "user list", NULL, LISTCTL_STORE_READ, "", "list the accounts and their roles" },
  { "user grant", NULL, LISTCTL_STORE_WRITE, "NAME owner|moderator LIST",
    "give an account a role on a list" },
  { "user revoke", NULL, LISTCTL_STORE_WRITE, "NAME owner|moderator LIST",
    "take a role on a list from an account" },
};

static const ListctlCommand *
user_command (const char *sub)
{
  for (gsize i = 0; i < G_N_ELEMENTS (user_commands); i++)
    if (g_str_equal (user_commands[i].name + strlen ("user "), sub))
      return &user_commands[i];
  return NULL;
}

static gboolean
user_add (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *email = NULL;
  g_auto (GStrv) owner_of = NULL;
  g_auto (GStrv) moderator_of = NULL;
  gboolean admin = FALSE, from_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "email", 'e', 0, G_OPTION_ARG_STRING, &email,
      "where the account's reports are mailed (required)", "ADDRESS" },
    { "admin", 0, 0, G_OPTION_ARG_NONE, &admin, "a site administrator: every list", NULL },
    { "owner", 0, 0, G_OPTION_ARG_STRING_ARRAY, &owner_of, "owner of LIST (repeatable)",
      "LIST" },
    { "moderator", 0, 0, G_OPTION_ARG_STRING_ARRAY, &moderator_of,
      "moderator of LIST (repeatable)", "LIST" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      "read the password as one line of standard input", NULL },
    { NULL },
  };
  g_autoptr (Secret) password = NULL;
  g_autoptr (GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_list_free);
  g_autoptr (GPtrArray) roles = g_ptr_array_new ();
  RfStore *store;
  const char *name;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 1, 1, error))
    return FALSE;
  name = argv[1];
  if (email == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--email is required: the account's reports are mailed there");
      return FALSE;
    }
  {
    g_autofree char *norm = rf_address_normalize (email, error);

    if (norm == NULL)
      {
        g_prefix_error (error, "--email: ");
        return FALSE;
      }
  }
  if ((password = read_password (from_stdin, name, error)) == NULL)
    return FALSE;
  if ((store = listctl_store (ctx, error)) == NULL)
    return FALSE;
  for (int pass = 0; pass < 2; pass++)
    for (char **l = pass == 0 ? owner_of : moderator_of; l != NULL && *l != NULL; l++)
      {
        RfList *list = listctl_list (ctx, *l, error);

        if (list == NULL)
          return FALSE;
        g_ptr_array_add (lists, list);
        g_ptr_array_add (roles, pass == 0 ? "owner" : "moderator");
      }
  if (!rf_store_begin (store, error))
    return FALSE;
  if (!rf_user_add (store, name, email, admin, password, &ctx->actor, error))
    goto fail;
  for (guint i = 0; i < lists->len; i++)
    if (!rf_user_grant (store, name, g_ptr_array_index (lists, i), g_ptr_array_index (roles, i),
                        &ctx->actor, error))
      goto fail;
  if (!rf_store_commit (store, error))
    return FALSE;
  printf ("added account %s%s", name, admin ? " (site admin)" : "");
  for (guint i = 0; i < lists->len; i++)
    printf ("%s %s of %s", i == 0 ? ":" : ",", (const char *) g_ptr_array_index (roles, i),
            ((RfList *) g_ptr_array_index (lists, i))->address);
  putchar ('\n');
  return TRUE;

fail:
  rf_store_rollback (store);
  return FALSE;
}

static gboolean
user_passwd (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean from_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      "read the password as one line of standard input", NULL },
    { NULL },
  };
  g_autoptr (Secret) password = NULL;
  g_autoptr (RfUser) user = NULL;
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 1, 1, error))
    return FALSE;
  /* say "no account" before asking for a password */
  if ((store = listctl_store (ctx, error)) == NULL)
    return FALSE;
  if ((user = rf_user_lookup (store, argv[1], error)) == NULL)
    {
      listctl_hint (error, "see 'listctl user list'");
      return FALSE;
    }
  if ((password = read_password (from_stdin, argv[1], error)) == NULL)
    return FALSE;
  if (!rf_user_set_password (store, argv[1], password, &ctx->actor, error))
    return FALSE;
  printf ("changed the password of %s; its sessions are ended\n", argv[1]);
  return TRUE;
}

static gboolean
user_del (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 1, 1, error))
    return FALSE;
  if ((store = listctl_store (ctx, error)) == NULL)
    return FALSE;
  if (!rf_user_delete (store, argv[1], &ctx->actor, error))
    {
      listctl_hint (error, "see 'listctl user list'");
      return FALSE;
    }
  printf ("deleted account %s\n", argv[1]);
  return TRUE;
}

static gboolean
user_list (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) local = NULL;
  RfStore *store;

  if (!listctl_parse (ctx, &argc, &argv, NULL, TRUE, 0, 0, error))
    return FALSE;
  store = listctl_store (ctx, &local);
  if (store == NULL && g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    users = g_ptr_array_new ();   /* no database yet: no accounts */
  else if (store == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  else if ((users = rf_user_all (store, error)) == NULL)
    return FALSE;

  if (ctx->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < users->len; i++)
        {
          const RfUser *u = g_ptr_array_index (users, i);
          g_autofree char *created = listctl_format_time (u->created);

          json_builder_begin_object (b);
          listctl_json_string (b, "name", u->name);
          listctl_json_string (b, "email", u->email);
          listctl_json_bool (b, "admin", u->admin);
          listctl_json_string (b, "created", created);
          json_builder_set_member_name (b, "roles");
          json_builder_begin_array (b);
          for (guint j = 0; j < u->roles->len; j++)
            {
              const RfUserRole *r = g_ptr_array_index (u->roles, j);

              json_builder_begin_object (b);
              listctl_json_string (b, "list", r->list_address);
              listctl_json_string (b, "role", r->role);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      listctl_print_json (root);
      return TRUE;
    }
  for (guint i = 0; i < users->len; i++)
    {
      const RfUser *u = g_ptr_array_index (users, i);

      printf ("%s %s %s", u->name, u->email, u->admin ? "admin" : "-");
      for (guint j = 0; j < u->roles->len; j++)
        {
          const RfUserRole *r = g_ptr_array_index (u->roles, j);
          printf ("%s%s:%s", j == 0 ? " " : ",", r->role, r->list_address);
        }
      putchar ('\n');
    }
  return TRUE;
}

static gboolean
user_role (int argc, char **argv, ListctlContext *ctx, gboolean grant, GError **error)
{
  g_autoptr (RfList) list = NULL;

  if (!listctl_parse (ctx, &argc, &argv, NULL, FALSE, 3, 3, error))
    return FALSE;
  if ((list = listctl_list (ctx, argv[3], error)) == NULL)
    return FALSE;
  if (!(grant ? rf_user_grant : rf_user_revoke) (ctx->store, argv[1], list, argv[2], &ctx->actor,
                                                 error))
    return FALSE;
  printf (grant ? "%s is now %s of %s\n" : "%s is no longer %s of %s\n", argv[1], argv[2],
          list->address);
  return TRUE;
}

gboolean
listctl_user (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  const ListctlCommand *sub;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, "usage:\n");
      for (gsize i = 0; i < G_N_ELEMENTS (user_commands); i++)
        fprintf (out, "  listctl %s %s\n      %s\n", user_commands[i].name,
                 user_commands[i].params, user_commands[i].summary);
      if (argc < 2)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       "missing argument: usage: listctl user add|passwd|del|list|grant|revoke");
          return FALSE;
        }
      return TRUE;
    }
  sub = user_command (argv[1]);
  if (sub == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unknown subcommand 'user %s': add, passwd, del, list, grant or revoke",
                   argv[1]);
      return FALSE;
    }
  ctx->command = sub;
  argc--;
  argv++;
  if (g_str_equal (argv[0], "add"))
    return user_add (argc, argv, ctx, error);
  if (g_str_equal (argv[0], "passwd"))
    return user_passwd (argc, argv, ctx, error);
  if (g_str_equal (argv[0], "del"))
    return user_del (argc, argv, ctx, error);
  if (g_str_equal (argv[0], "list"))
    return user_list (argc, argv, ctx, error);
  return user_role (argc, argv, ctx, g_str_equal (argv[0], "grant"), error);
}

static const ListctlCommand web_access_show = {
  "web-access", NULL, LISTCTL_STORE_READ, "LIST [NAME] [--password-stdin] [--off]",
  "show or set the user name and password of a list's web archive",
};

gboolean
listctl_web_access (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  gboolean from_stdin = FALSE, off = FALSE;
  const GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      "read the password as one line of standard input", NULL },
    { "off", 0, 0, G_OPTION_ARG_NONE, &off, "remove the list's web user", NULL },
    { NULL },
  };
  g_autoptr (Secret) password = NULL;
  g_autoptr (RfList) list = NULL;
  const ListctlCommand *row = ctx->command;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 1, 2, error))
    return FALSE;
  if (off && argc == 3)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "give a NAME or --off, not both: usage: listctl web-access %s",
                   row->params);
      return FALSE;
    }
  if (argc == 2 && !off)
    {
      g_autofree char *name = NULL;

      ctx->command = &web_access_show;
      if ((list = listctl_list (ctx, argv[1], error)) == NULL)
        return FALSE;
      if (!rf_list_web_access_get (ctx->store, list, &name, error))
        return FALSE;
      printf ("%s\n", name != NULL ? name : "none");
      return TRUE;
    }
  if ((list = listctl_list (ctx, argv[1], error)) == NULL)
    return FALSE;
  if (off)
    {
      if (!rf_list_web_access_clear (ctx->store, list, &ctx->actor, error))
        return FALSE;
      printf ("removed the web user of %s\n", list->address);
      return TRUE;
    }
  if ((password = read_password (from_stdin, argv[2], error)) == NULL)
    return FALSE;
  if (!rf_list_web_access_set (ctx->store, list, argv[2], password, &ctx->actor, error))
    return FALSE;
  printf ("the web user of %s is %s; earlier logins are ended\n", list->address, argv[2]);
  return TRUE;
}
