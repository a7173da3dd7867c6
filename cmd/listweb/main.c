/* main.c - listweb: options, configuration, the listening socket, the
 * privilege drop, and the server until SIGTERM.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Started as root (to bind a low port, or by an init system), listweb
 * binds first and then becomes the owner of the state directory (or
 * --user), the account listdeliver writes as: it never serves a request as
 * root.
 */
#include "listweb.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


/* "127.0.0.1:8025", "[::1]:8025", "localhost:8025" */
static int
bind_listen (const char *listen_on, gboolean *ipv6_out, GError **error)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (listen_on, ':');
  const char *port;
  struct addrinfo hints = { 0 }, *res = NULL;
  int fd = -1, one = 1, rc;

  if (colon == NULL || colon[1] == '\0')
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "[web] listen: '%s' is not HOST:PORT", listen_on);
      return -1;
    }
  port = colon + 1;
  host = g_strndup (listen_on, colon - listen_on);
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  rc = getaddrinfo (*host != '\0' ? host : NULL, port, &hints, &res);
  if (rc != 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "[web] listen: '%s': %s", listen_on,
                   gai_strerror (rc));
      return -1;
    }
  fd = socket (res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind (fd, res->ai_addr, res->ai_addrlen) != 0 || listen (fd, 128) != 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot listen on %s: %s", listen_on,
                   g_strerror (saved));
      if (fd >= 0)
        close (fd);
      freeaddrinfo (res);
      return -1;
    }
  *ipv6_out = res->ai_family == AF_INET6;
  freeaddrinfo (res);
  return fd;
}

static gboolean
drop_privileges (const char *user, const char *state_dir, GError **error)
{
  struct passwd *pw = NULL;
  struct stat st;
  uid_t uid;
  gid_t gid;

  if (geteuid () != 0)
    return TRUE;
  if (user != NULL)
    {
      pw = getpwnam (user);
      if (pw == NULL)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "no user '%s'", user);
          return FALSE;
        }
      uid = pw->pw_uid;
      gid = pw->pw_gid;
    }
  else if (stat (state_dir, &st) == 0)
    {
      uid = st.st_uid;
      pw = getpwuid (uid);
      gid = pw != NULL ? pw->pw_gid : st.st_gid;
    }
  else
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "%s: %s: create a list first, or give --user", state_dir, g_strerror (errno));
      return FALSE;
    }
  if (uid == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "refusing to serve as root: give --user, or chown the state directory "
                   "'%s' to the service user", state_dir);
      return FALSE;
    }
  if (setgid (gid) != 0 ||
      (pw != NULL ? initgroups (pw->pw_name, gid) : setgroups (0, NULL)) != 0 ||
      setuid (uid) != 0 || setuid (0) == 0)
    {
      int saved = errno;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot drop privileges to uid %u: %s",
                   (unsigned) uid, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static int
exit_code (const GError *error)
{
  if (error->domain == G_OPTION_ERROR)
    return EX_USAGE;
  if (error->domain == RF_ERROR && error->code == RF_ERROR_CONFIG)
    return EX_CONFIG;
  return EX_TEMPFAIL;
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  g_autofree char *listen_on = NULL;
  g_autofree char *user = NULL;
  g_autofree char *templates_dir = NULL;
  g_autoptr (ListwebTemplates) templates = NULL;
  g_autoptr (GError) templates_error = NULL;
  int threads = 4;
  gboolean version = FALSE, foreground = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "read FILE instead of the default reflector.conf", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen_on,
      "listen on HOST:PORT instead of [web] listen", "HOST:PORT" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      "when started as root, serve as USER (default: the owner of the state directory)",
      "USER" },
    { "templates", 0, 0, G_OPTION_ARG_FILENAME, &templates_dir,
      "read the page templates from DIR instead of [web] templates", "DIR" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "serve with N threads (default 4)", "N" },
    { "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
      "log to standard error instead of syslog", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "print the version and the configuration file", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) oc = g_option_context_new ("- serve reflector's web pages");
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) config = NULL;
  ListwebTls *tls = NULL;
  ListwebServer *server;
  sigset_t signals;
  gboolean ipv6 = FALSE;
  int fd, sig = 0;

  g_set_prgname ("listweb");
  /* the state directory's files are 0640 at most, the directories 0750
   * (DESIGN.md: Keys, State); the MTA reaches STATE/mta through the group */
  umask (027);
  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    goto fail;
  if (version)
    {
      printf ("listweb %s\nconfiguration file: %s\n", REFLECTOR_VERSION,
              rf_config_path_in_use (config_path));
      return 0;
    }
  rf_log_open ("listweb", foreground, TRUE);
  if (argc > 1 || threads < 1 || threads > 256)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   argc > 1 ? "unexpected argument '%s'" : "--threads: 1 to 256", argv[1]);
      goto fail;
    }
  config = rf_config_load (config_path, &error);
  if (config == NULL)
    goto fail;
  /* read once, before serving; without them only the pages that need no
   * template (/u/, /a/) work, and the others answer 500 */
  templates = listweb_templates_load (templates_dir != NULL   ? templates_dir
                                      : config->web_templates ? config->web_templates
                                                              : LISTWEB_TEMPLATES_DIR,
                                      &templates_error);
  if (templates == NULL)
    rf_log_error ("%s", templates_error->message);
  tls = listweb_tls_load (config, &error);
  if (tls == NULL && error != NULL)
    goto fail;
  fd = bind_listen (listen_on != NULL ? listen_on : config->listen, &ipv6, &error);
  if (fd < 0)
    goto fail;
  if (!drop_privileges (user, config->state_dir, &error))
    goto fail;
  /* a missing, empty, foreign, damaged or older database: refuse to start
   * with the line that names it, rather than answer 500 to every request
   * (only listctl creates or upgrades it) */
  {
    g_autoptr (RfStore) store = rf_store_open (config->state_dir, RF_STORE_READ_ONLY, &error);

    if (store == NULL)
      {
        if (error->domain == RF_ERROR && error->code == RF_ERROR_NOT_FOUND)
          error->code = RF_ERROR_TEMPORARY;
        goto fail;
      }
  }

  /* the server's threads inherit the mask: only this thread takes them */
  sigemptyset (&signals);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &signals, NULL);
  signal (SIGPIPE, SIG_IGN);
  server = listweb_server_start (config, templates, tls, fd, ipv6, (guint) threads, &error);
  if (server == NULL)
    goto fail;
  rf_log_info ("serving on %s://%s", tls != NULL ? "https" : "http",
               listen_on != NULL ? listen_on : config->listen);
  sigwait (&signals, &sig);
  rf_log_info ("stopping (signal %d)", sig);
  listweb_server_stop (server);
  listweb_tls_free (tls);
  return 0;

fail:
  /* the one line that says why it does not run: on stderr (systemd's
   * journal, the terminal) and in the mail log */
  g_printerr ("listweb: %s\n", error->message);
  if (rf_log_target () == RF_LOG_SYSLOG)
    rf_log_error ("%s", error->message);
  return exit_code (error);
}
