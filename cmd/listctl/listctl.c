/* listctl.c - manage lists: main, the command table, the exit codes.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The commands, in the order 'listctl help' shows them.
 *
 * To add a command:
 *   1. write listctl_<name> () in the file of its group (or a new file in
 *      cmd/listctl/, which CMake picks up), declared in listctl.h;
 *   2. add its row here, saying what it needs of the store;
 *   3. document it in man/listctl.8 (SYNOPSIS and COMMANDS);
 *   4. test every outcome and exit code in tests/e2e/t-listctl.sh;
 *   5. add it to the shell completion once there is one.
 */
const ListctlCommand listctl_commands[] = {
  { "init", listctl_init, LISTCTL_STORE_CREATE, "",
    "create the state directory and an empty database (the package's postinst runs it)" },
  { "upgrade", listctl_upgrade, LISTCTL_STORE_UPGRADE, "",
    "bring the database to this version's schema (run after installing a new version)" },
  { "create", listctl_create, LISTCTL_STORE_CREATE, "LIST", "create a list" },
  { "delete", listctl_delete, LISTCTL_STORE_WRITE, "LIST [--yes]",
    "delete a list, its settings and members, after asking (the journal keeps its history)" },
  { "lists", listctl_lists, LISTCTL_STORE_READ, "", "list the lists" },
  { "show", listctl_show, LISTCTL_STORE_READ, "LIST", "show a list and its settings" },
  { "set", listctl_set, LISTCTL_STORE_WRITE, "LIST NAME VALUE", "change a setting of a list" },
  { "get", listctl_get, LISTCTL_STORE_READ, "LIST NAME", "print a setting of a list" },
  { "members", listctl_members, LISTCTL_STORE_READ, "LIST",
    "print the members of a list, one per line" },
  { "subscribe", listctl_subscribe, LISTCTL_STORE_WRITE, "LIST [ADDRESS...|-]",
    "add members: addresses, or one per line from --file FILE or - (stdin)" },
  { "unsubscribe", listctl_unsubscribe, LISTCTL_STORE_WRITE, "LIST [ADDRESS...|-]",
    "remove members: addresses, or one per line from --file FILE or - (stdin)" },
  { "bounces", listctl_bounces, LISTCTL_STORE_READ, "LIST",
    "show the members who bounced: score, state, last class and reason, last date" },
  { "reenable", listctl_reenable, LISTCTL_STORE_WRITE, "LIST ADDRESS",
    "deliver to a member disabled by bounces again, with score 0" },
  { "sweep", listctl_sweep, LISTCTL_STORE_WRITE, "[LIST]",
    "bounces: mail notices to disabled members, remove those past the last (cleanup does it too)" },
  { "report", listctl_report, LISTCTL_STORE_READ, "LIST bounces [--dry-run]",
    "mail the bounce report (scores, states, policy refusals) to the list's moderators and owners" },
  { "held", listctl_held, LISTCTL_STORE_READ, "LIST",
    "show the posts held for the moderators: number, sender, subject, why" },
  { "moderate", listctl_moderate, LISTCTL_STORE_WRITE,
    "LIST NUMBER approve|reject|discard [--reason TEXT]",
    "decide about a held post: send it to every member, reject it (the sender is told), "
    "or discard it" },
  { "user", listctl_user, LISTCTL_STORE_WRITE, "add|passwd|del|list|grant|revoke ...",
    "manage the web accounts: site admins, list owners and moderators" },
  { "web-access", listctl_web_access, LISTCTL_STORE_WRITE,
    "LIST [NAME] [--password-stdin] [--off]",
    "show or set the user name and password of a list's web archive" },
  { "cleanup", listctl_cleanup, LISTCTL_STORE_WRITE, "",
    "daily: delete what has expired, process bounces (quiet unless something was done)" },
  { "log", listctl_log, LISTCTL_STORE_READ, "LIST [--since DATE]",
    "print the activity log of a list: who did what, when" },
  { "journal", listctl_journal, LISTCTL_STORE_READ, "LIST",
    "print the membership and settings journal of a list (also of a deleted one)" },
  /* issue 15: keep less, lose nothing */
  { "backup", listctl_backup, LISTCTL_STORE_WRITE, "[--to DIR|s3] [--archive] [--quiet]",
    "daily: an encrypted snapshot of lists, settings, members, accounts and the journal" },
  { "backups", listctl_backups, LISTCTL_STORE_READ, "",
    "list the backups: name, time, daily or weekly, size, where" },
  { "restore", listctl_restore, LISTCTL_STORE_WRITE,
    "[LIST] --at TIME|--from SNAPSHOT [--yes]",
    "bring a list back as of a moment (UTC) or a snapshot: shows what changes, acts with --yes" },
  { "message", listctl_message, LISTCTL_STORE_READ, "LIST [--since DATE] | --show ID",
    "the troubleshooting store: the messages a list received, or one of them" },
  { "monitor", listctl_monitor, LISTCTL_STORE_READ, "[--report] [--since DATE]",
    "inbox monitoring: the seed addresses, and what came back from them" },
  { "person", listctl_person, LISTCTL_STORE_READ, "export|erase ADDRESS [--yes]",
    "one person's data: everything about an address as JSON, or its erasure with a receipt" },
  { "check", listctl_check, LISTCTL_STORE_READ, "",
    "check the install: config, programs, state directory, keys, MTA routing, base_url" },
  { "rotate-key", listctl_rotate_key, LISTCTL_STORE_WRITE, "site|blob",
    "replace the site or blob key (the old one still opens and checks what it made)" },
  { "help", listctl_help, LISTCTL_NO_STORE, "[COMMAND|settings]",
    "show the commands, one command's options, or the list settings" },
};
const gsize listctl_n_commands = G_N_ELEMENTS (listctl_commands);

/* The one place an error becomes an exit code (sysexits.h, as listctl.8's
 * EXIT STATUS documents them). */
static int
exit_code (const GError *error)
{
  if (error->domain == G_OPTION_ERROR)
    return EX_USAGE;
  if (error->domain != RF_ERROR)
    return EX_TEMPFAIL;
  switch ((RfErrorCode) error->code)
    {
    case RF_ERROR_INVALID:
    case RF_ERROR_BAD_MESSAGE:
      return EX_DATAERR;
    case RF_ERROR_NO_SUCH_LIST:
    case RF_ERROR_NOT_FOUND:
      return EX_NOUSER;
    case RF_ERROR_EXISTS:
      return EX_CANTCREAT;
    case RF_ERROR_CONFIG:
      return EX_CONFIG;
    case RF_ERROR_UNSUPPORTED:
      return EX_USAGE;
    case RF_ERROR_TEMPORARY:
    case RF_ERROR_REJECTED:
    case RF_ERROR_CANCELLED:
      return EX_TEMPFAIL;
    }
  return EX_TEMPFAIL;
}

const ListctlCommand *
listctl_find_command (const char *name)
{
  for (gsize i = 0; i < listctl_n_commands; i++)
    if (g_str_equal (listctl_commands[i].name, name))
      return &listctl_commands[i];
  return NULL;
}

void
listctl_hint (GError **error, const char *hint)
{
  char *old;

  if (error == NULL || *error == NULL || hint == NULL)
    return;
  old = (*error)->message;
  (*error)->message = g_strconcat (old, ": ", hint, NULL);
  g_free (old);
}

gboolean
listctl_parse (ListctlContext *ctx, int *argc, char ***argv, const GOptionEntry *entries,
               gboolean json, int min_args, int max_args, GError **error)
{
  const ListctlCommand *cmd = ctx->command;
  g_autofree char *params = g_strdup_printf ("%s - %s", cmd->params, cmd->summary);
  g_autoptr (GOptionContext) oc = g_option_context_new (params);
  const GOptionEntry common[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &ctx->config_path,
      "read FILE instead of the default reflector.conf", "FILE" },
    { NULL },
  };
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "print JSON", NULL },
    { NULL },
  };
  g_autofree char *prgname = g_strdup_printf ("listctl %s", cmd->name);
  int nargs;

  g_set_prgname (prgname);
  g_option_context_add_main_entries (oc, common, NULL);
  if (json)
    g_option_context_add_main_entries (oc, json_entry, NULL);
  if (entries != NULL)
    g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, argc, argv, error))
    {
      listctl_hint (error, "see 'listctl help'");
      return FALSE;
    }
  /* GOption leaves the "--" that lets a value start with '-' */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (&(*argv)[i], &(*argv)[i + 1], (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }
  nargs = *argc - 1;
  if (nargs < min_args || (max_args >= 0 && nargs > max_args))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "%s: usage: listctl %s %s", nargs < min_args ? "missing argument"
                                                               : "too many arguments",
                   cmd->name, cmd->params);
      return FALSE;
    }
  return TRUE;
}

/* Run as the owner of the state directory when started as root, so that
 * the files listctl creates stay writable by listdeliver (the MTA's user). */
static gboolean
become_state_owner (const char *state_dir, GError **error)
{
  struct stat st;
  struct passwd *pw;
  gid_t gid;

  if (geteuid () != 0 || stat (state_dir, &st) != 0 || st.st_uid == 0)
    return TRUE;
  pw = getpwuid (st.st_uid);
  gid = pw != NULL ? pw->pw_gid : st.st_gid;
  if (setgid (gid) != 0 ||
      (pw != NULL ? initgroups (pw->pw_name, gid) : setgroups (0, NULL)) != 0 ||
      setuid (st.st_uid) != 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "cannot switch to the owner (uid %u) of '%s': %s", (unsigned) st.st_uid,
                   state_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Issue 11: the site's keys live in the key directory (root-owned in a
 * system install), which the service user may not write.  Run as root,
 * listctl makes them (or moves them out of the state directory), root and
 * the group of the state directory's owner 0640, before it drops to that
 * owner; otherwise it makes what it can, and a program that needs a key
 * that is missing says to run listctl as root.  It also warns of a state
 * directory that others may read. */
static void
prepare_keys (const RfConfig *config)
{
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  struct stat st;
  int group = -1;

  if (stat (config->state_dir, &st) == 0 && (st.st_mode & 007) != 0)
    fprintf (stderr,
             "listctl: warning: others may %s the state directory %s (mode %04o): "
             "chmod o-rwx %s (reflector(7): the state directory at rest)\n",
             (st.st_mode & 004) != 0 ? "read" : "enter", config->state_dir,
             (unsigned) (st.st_mode & 07777), config->state_dir);
  if (geteuid () == 0)
    {
      struct passwd *pw;

      if (stat (config->state_dir, &st) != 0 || st.st_uid == 0)
        return;   /* no service user yet: the keys come with the state directory */
      pw = getpwuid (st.st_uid);
      group = (int) (pw != NULL ? pw->pw_gid : st.st_gid);
    }
  if (!rf_keys_prepare (config, group, notes, &error))
    fprintf (stderr, "listctl: %s%s\n", geteuid () == 0 ? "" : "warning: ", error->message);
  for (guint i = 0; i < notes->len; i++)
    fprintf (stderr, "listctl: %s\n", (const char *) g_ptr_array_index (notes, i));
}

RfStore *
listctl_store (ListctlContext *ctx, GError **error)
{
  RfStoreFlags flags = RF_STORE_READ_ONLY;

  if (ctx->store != NULL)
    return ctx->store;
  if (ctx->config == NULL)
    {
      ctx->config = rf_config_load (ctx->config_path, error);
      if (ctx->config == NULL)
        {
          listctl_hint (error, "fix the file (see reflector.conf(5))");
          return NULL;
        }
    }
  prepare_keys (ctx->config);
  if (!become_state_owner (ctx->config->state_dir, error))
    return NULL;
  switch (ctx->command->need)
    {
    case LISTCTL_STORE_CREATE:
      flags = RF_STORE_READ_WRITE | RF_STORE_CREATE;
      break;
    case LISTCTL_STORE_WRITE:
      flags = RF_STORE_READ_WRITE;
      break;
    case LISTCTL_STORE_UPGRADE:
      flags = RF_STORE_READ_WRITE | RF_STORE_UPGRADE;
      break;
    case LISTCTL_STORE_READ:
    case LISTCTL_NO_STORE:
      flags = RF_STORE_READ_ONLY;
      break;
    }
  ctx->store = rf_store_open_with_keys (ctx->config, flags, error);
  return ctx->store;
}

RfList *
listctl_list (ListctlContext *ctx, const char *address, GError **error)
{
  g_autoptr (GError) local = NULL;
  RfStore *store = listctl_store (ctx, &local);
  RfList *list;

  /* without a database there are no lists yet */
  if (store == NULL && g_error_matches (local, RF_ERROR, RF_ERROR_NOT_FOUND))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no list '%s'", address);
      listctl_hint (error, "create it with 'listctl create'");
      return NULL;
    }
  if (store == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  list = rf_list_lookup (store, address, error);
  if (list == NULL && error != NULL && g_error_matches (*error, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
    listctl_hint (error, "see 'listctl lists'");
  return list;
}

void
listctl_json_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

void
listctl_json_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
listctl_json_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

void
listctl_print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  puts (text);
}

char *
listctl_escape_value (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\\')
        g_string_append (out, "\\\\");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
listctl_format_time (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

static void
ensure_std_fds (void)
{
  /* a file opened later must never become stdout or stderr */
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
      {
        FILE *f = freopen ("/dev/null", fd == 0 ? "r" : "w",
                           fd == 0 ? stdin : fd == 1 ? stdout : stderr);
        (void) f;
      }
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  gboolean want_help = FALSE, want_version = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "read FILE instead of the default reflector.conf", "FILE" },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &want_help, "show the commands", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &want_version,
      "print the version and the configuration file", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) oc = g_option_context_new ("COMMAND [ARGS]");
  g_autoptr (GError) error = NULL;
  ListctlContext ctx = { 0 };
  const ListctlCommand *cmd;
  g_autofree char *actor_name = NULL;
  int status = 0;

  ensure_std_fds ();
  /* the state directory's files are 0640 at most, the directories 0750
   * (DESIGN.md: Keys, State); the MTA reaches STATE/mta through the group */
  umask (027);
  setlocale (LC_ALL, "");
  g_set_prgname ("listctl");
  /* global options stop at the command; the command parses the rest */
  g_option_context_set_strict_posix (oc, TRUE);
  g_option_context_set_help_enabled (oc, FALSE);
  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    {
      fprintf (stderr, "listctl: %s: see 'listctl help'\n", error->message);
      return EX_USAGE;
    }
  if (want_version)
    {
      printf ("listctl %s\nconfiguration file: %s\n", REFLECTOR_VERSION,
              rf_config_path_in_use (config_path));
      return 0;
    }
  /* the admin actions reach the mail log (the activity log's lines);
   * what listctl says to its user stays on its stdout and stderr */
  rf_log_open ("listctl", FALSE, FALSE);
  if (want_help)
    {
      listctl_print_usage (stdout);
      return 0;
    }
  if (argc < 2)
    {
      listctl_print_usage (stderr);
      return EX_USAGE;
    }
  cmd = listctl_find_command (argv[1]);
  if (cmd == NULL)
    {
      fprintf (stderr, "listctl: unknown command '%s': see 'listctl help'\n", argv[1]);
      return EX_USAGE;
    }

  ctx.command = cmd;
  ctx.config_path = g_steal_pointer (&config_path);
  actor_name = g_strdup_printf ("listctl:%s", g_get_user_name ());
  ctx.actor = (RfActor) { actor_name, "cli" };
  if (!cmd->func (argc - 1, argv + 1, &ctx, &error))
    {
      g_autofree char *safe = g_strdup (error->message);

      /* the message may quote a line of the user's file */
      for (char *p = safe; *p != '\0'; p++)
        if ((guchar) *p < 0x20)
          *p = '?';
      fprintf (stderr, "listctl: %s\n", safe);
      status = exit_code (error);
    }
  if (fflush (stdout) != 0 && status == 0)
    {
      fprintf (stderr, "listctl: cannot write the output: %s\n", g_strerror (errno));
      status = EX_TEMPFAIL;
    }
  rf_store_close (ctx.store);
  rf_config_free (ctx.config);
  g_free (ctx.config_path);
  return status;
}
