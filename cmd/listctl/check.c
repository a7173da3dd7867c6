/* check.c - listctl check: is this install right? (issue 13)
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a sysadmin would look at after an install or a change, each found
 * problem one line on stdout with what to do:
 *   - the configuration file parses;
 *   - listdeliver and listweb beside listctl read the same compiled-in
 *     configuration file, and the MTA passes them no other;
 *   - the state directory and its files belong to one non-root account,
 *     and nobody else may write (or read) them; the keys are 0600/0640;
 *   - the database opens (not missing, damaged, foreign or old);
 *   - the MTA routes each list's addresses to listdeliver (Postfix:
 *     postmap -q on transport_maps and postconf -M; Exim: exim -bt);
 *   - [web] base_url is no loopback address and answers.
 * Silent when all is well (a one-line summary with -v); exit 78 when a
 * problem was found.  External programs run through g_spawn (execv, no
 * shell).
 */
#include "listctl.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  gboolean verbose;
  guint problems;
} Check;

G_GNUC_PRINTF (2, 3)
static void
problem (Check *c, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  printf ("problem: %s\n", text);
  c->problems++;
}

G_GNUC_PRINTF (2, 3)
static void
good (Check *c, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  if (!c->verbose)
    return;
  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  printf ("ok: %s\n", text);
}

/* stdout of @argv, or NULL (with *status_out) when it cannot run or fails */
static char *
run (const char *const *argv, gboolean drop_config_env, int *status_out)
{
  g_auto (GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  int status = -1;

  if (drop_config_env)
    env = g_environ_unsetenv (env, "REFLECTOR_CONFIG");
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, NULL))
    status = -1;
  if (status_out != NULL)
    *status_out = status;
  if (status != 0)
    return NULL;
  return g_steal_pointer (&out);
}

static char *
find_program (const char *name)
{
  const char *dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
  char *found = g_find_program_in_path (name);

  for (gsize i = 0; found == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *p = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_EXECUTABLE))
        found = g_steal_pointer (&p);
    }
  return found;
}

static char *
user_name (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);

  return pw != NULL ? g_strdup (pw->pw_name) : g_strdup_printf ("uid %u", (unsigned) uid);
}

/* listdeliver and listweb beside this listctl read the same file */
static void
check_programs (Check *c)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  const char *mine = rf_config_default_path ();
  const char *names[] = { "listdeliver", "listweb" };

  if (dir == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      const char *argv[] = { path, "--version", NULL };
      g_autofree char *out = NULL;
      const char *line;

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        {
          problem (c, "%s is missing: install all three programs from one build", path);
          continue;
        }
      out = run (argv, TRUE, NULL);
      line = out != NULL ? strstr (out, "configuration file: ") : NULL;
      if (line == NULL)
        {
          problem (c, "%s --version does not run: reinstall it", path);
          continue;
        }
      line += strlen ("configuration file: ");
      {
        g_autofree char *theirs = g_strndup (line, strcspn (line, "\n"));

        if (!g_str_equal (theirs, mine))
          problem (c, "%s reads %s, but listctl reads %s: install all three programs from "
                   "one build",
                   names[i], theirs, mine);
        else
          good (c, "%s reads %s too", names[i], mine);
      }
    }
}

/* the owner, the modes, and the files of the state directory */
static void
check_state_dir (Check *c, const RfConfig *config, uid_t *owner_out)
{
  const char *state = config->state_dir;
  g_autofree char *blob_key = config->blob_key_file != NULL
                                  ? g_strdup (config->blob_key_file)
                                  : g_build_filename (state, "blob.key", NULL);
  g_autofree char *site_key = g_build_filename (state, "site.key", NULL);
  g_autofree char *backup_key = rf_backup_key_path (config);   /* issue 15 */
  const char *keys[] = { site_key, blob_key, backup_key };
  g_autofree char *owner = NULL;
  g_autoptr (GDir) d = NULL;
  struct stat st;
  const char *name;
  guint before;

  *owner_out = (uid_t) -1;
  if (stat (state, &st) != 0)
    {
      problem (c, "the state directory %s does not exist: run 'listctl init' as root", state);
      return;
    }
  *owner_out = st.st_uid;
  owner = user_name (st.st_uid);
  before = c->problems;
  if (st.st_uid == 0)
    problem (c, "the state directory %s belongs to root: listdeliver refuses to run as root; "
             "chown -R reflector:reflector %s",
             state, state);
  if (st.st_mode & 022)
    problem (c, "the state directory %s is writable by others (mode %04o): chmod 0750 %s", state,
             (unsigned) (st.st_mode & 07777), state);
  else if (st.st_mode & 007)
    problem (c, "the state directory %s is open to every user (mode %04o): chmod 0750 %s", state,
             (unsigned) (st.st_mode & 07777), state);
  if (c->problems == before)
    good (c, "the state directory %s belongs to %s, mode %04o", state, owner,
          (unsigned) (st.st_mode & 07777));

  /* every file listdeliver writes must be its owner's */
  d = g_dir_open (state, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (state, name, NULL);
      struct stat fst;

      if (lstat (path, &fst) != 0)
        continue;
      if (fst.st_uid != st.st_uid)
        {
          g_autofree char *who = user_name (fst.st_uid);

          problem (c, "%s belongs to %s, not to %s (the state directory's owner): chown -R %s %s",
                   path, who, owner, owner, path);
        }
      else if (S_ISREG (fst.st_mode) && (fst.st_mode & 006))
        problem (c, "%s is readable or writable by every user (mode %04o): chmod 0640 %s", path,
                 (unsigned) (fst.st_mode & 07777), path);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      struct stat kst;

      if (stat (keys[i], &kst) != 0)
        continue;   /* made on first use */
      if (kst.st_size != 32)
        problem (c, "%s is no key (%" G_GINT64_FORMAT " bytes, 32 expected): restore it from "
                 "the backup",
                 keys[i], (gint64) kst.st_size);
      else if (kst.st_mode & 037)
        problem (c, "the key %s may be read by others (mode %04o): chmod 0600 %s", keys[i],
                 (unsigned) (kst.st_mode & 07777), keys[i]);
      else if (kst.st_uid != st.st_uid)
        problem (c, "the key %s does not belong to %s: chown %s %s", keys[i], owner, owner,
                 keys[i]);
      else
        good (c, "the key %s: 32 bytes, mode %04o", keys[i], (unsigned) (kst.st_mode & 07777));
    }
}

/* ---- the MTA ---- */

typedef struct {
  char *postconf, *postmap, *exim;
  char **transport_maps;   /* Postfix */
  GPtrArray *services;     /* Postfix: master.cf services running listdeliver */
} Mta;

static void
mta_clear (Mta *m)
{
  g_free (m->postconf);
  g_free (m->postmap);
  g_free (m->exim);
  g_strfreev (m->transport_maps);
  g_clear_pointer (&m->services, g_ptr_array_unref);
}

static gboolean
mta_find (Check *c, Mta *m, const char *config_in_use)
{
  g_autofree char *pconf = find_program ("postconf");

  if (pconf != NULL && g_file_test ("/etc/postfix/main.cf", G_FILE_TEST_EXISTS))
    {
      const char *maps_argv[] = { pconf, "-hx", "transport_maps", NULL };
      const char *master_argv[] = { pconf, "-M", NULL };
      g_autofree char *maps = run (maps_argv, FALSE, NULL);
      g_autofree char *master = run (master_argv, FALSE, NULL);
      g_auto (GStrv) lines = NULL;

      m->postconf = g_steal_pointer (&pconf);
      m->postmap = find_program ("postmap");
      m->services = g_ptr_array_new_with_free_func (g_free);
      m->transport_maps = g_regex_split_simple ("[\\s,]+", maps != NULL ? g_strstrip (maps) : "",
                                                0, 0);
      lines = g_strsplit (master != NULL ? master : "", "\n", -1);
      for (char **l = lines; *l != NULL; l++)
        {
          g_auto (GStrv) f = NULL;

          if (strstr (*l, "listdeliver") == NULL)
            continue;
          f = g_regex_split_simple ("\\s+", g_strstrip (*l), 0, 0);
          if (f[0] != NULL)
            g_ptr_array_add (m->services, g_strdup (f[0]));
          /* the file the MTA makes listdeliver read, if it names one */
          for (char **a = f; *a != NULL; a++)
            if ((g_str_equal (*a, "--config") || g_str_equal (*a, "-c")) && a[1] != NULL &&
                !g_str_equal (a[1], config_in_use))
              problem (c, "Postfix's service '%s' runs listdeliver with --config %s, but listctl "
                       "reads %s: remove --config from master.cf",
                       f[0], a[1], config_in_use);
        }
      if (m->services->len == 0)
        problem (c, "no service of Postfix's master.cf runs listdeliver: append "
                 "/usr/share/reflector/contrib/postfix/master.cf to /etc/postfix/master.cf");
      else
        good (c, "Postfix: master.cf service '%s' runs listdeliver",
              (char *) g_ptr_array_index (m->services, 0));
      return TRUE;
    }
  m->exim = find_program ("exim4");
  if (m->exim == NULL)
    m->exim = find_program ("exim");
  if (m->exim != NULL)
    {
      good (c, "Exim: %s", m->exim);
      return TRUE;
    }
  problem (c, "no Postfix (postconf) or Exim found: install one and connect it "
           "(README.Debian)");
  return FALSE;
}

static void
check_route_postfix (Check *c, Mta *m, const RfList *list)
{
  const char *keys[] = { list->address, list->domain };

  if (m->postmap == NULL)
    {
      problem (c, "postmap is missing: cannot check Postfix's routing");
      return;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (keys); k++)
    for (char **map = m->transport_maps; map != NULL && *map != NULL; map++)
      {
        const char *argv[] = { m->postmap, "-q", keys[k], *map, NULL };
        g_autofree char *value = NULL;
        g_autofree char *service = NULL;

        if (**map == '\0' || (value = run (argv, FALSE, NULL)) == NULL)
          continue;
        g_strstrip (value);
        service = g_strndup (value, strcspn (value, ":"));
        for (guint s = 0; s < m->services->len; s++)
          if (g_str_equal (service, g_ptr_array_index (m->services, s)))
            {
              good (c, "%s: Postfix's %s routes %s to %s, which runs listdeliver", list->address,
                    *map, keys[k], value);
              return;
            }
        problem (c, "%s: Postfix's %s routes %s to '%s', not to listdeliver's service: fix the "
                 "entry and run 'postfix reload'",
                 list->address, *map, keys[k], value);
        return;
      }
  problem (c, "%s: Postfix does not route it to listdeliver (no entry for %s in transport_maps "
           "= %s): add '%s reflector:' to the map (contrib/postfix/README) and run 'postfix "
           "reload'",
           list->address, list->domain,
           m->transport_maps != NULL && m->transport_maps[0] != NULL ? m->transport_maps[0]
                                                                    : "(empty)",
           list->domain);
}

static void
check_route_exim (Check *c, Mta *m, const RfList *list)
{
  g_autofree char *bounces = g_strdup_printf ("%s-bounces+nobody=example.org@%s", list->local,
                                              list->domain);
  const char *addresses[] = { list->address, bounces };

  for (gsize i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      const char *bt[] = { m->exim, "-bt", addresses[i], NULL };
      g_autofree char *out = run (bt, FALSE, NULL);
      g_autoptr (GMatchInfo) mi = NULL;
      g_autoptr (GRegex) re = g_regex_new ("transport = (\\S+)", 0, 0, NULL);
      g_autofree char *transport = NULL;

      if (out == NULL || !g_regex_match (re, out, 0, &mi))
        {
          problem (c, "%s: Exim does not route %s (exim -bt): install the router and transport "
                   "of /usr/share/reflector/contrib/exim (README.Debian) and make the domain "
                   "local",
                   list->address, addresses[i]);
          return;
        }
      transport = g_match_info_fetch (mi, 1);
      {
        const char *bp[] = { m->exim, "-bP", "transport", transport, NULL };
        g_autofree char *def = run (bp, FALSE, NULL);

        if (def == NULL || strstr (def, "listdeliver") == NULL)
          {
            problem (c, "%s: Exim routes %s to the transport %s, which does not run "
                     "listdeliver: check the router's order (350_reflector before the others)",
                     list->address, addresses[i], transport);
            return;
          }
      }
    }
  good (c, "%s: Exim routes it and its -bounces+ addresses to listdeliver", list->address);
}

static gboolean
loopback_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  return g_str_has_prefix (host, "127.") || g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_str_equal (host, "::1") || g_str_equal (host, "[::1]");
}

static void
check_base_url (Check *c, const RfConfig *config)
{
  g_autoptr (GError) local = NULL;
  long status = 0;

  if (loopback_url (config->base_url))
    {
      problem (c, "[web] base_url is %s, a loopback address: the unsubscribe and attachment "
               "links of every post would point there; set base_url in %s to the address "
               "subscribers reach (README.Debian)",
               config->base_url,
               config->path != NULL ? config->path : rf_config_default_path ());
      return;
    }
  if (!rf_http_probe (config->base_url, 5, &status, &local))
    {
      problem (c, "[web] base_url %s does not answer (%s): start listweb ('systemctl start "
               "listweb') and the proxy in front of it",
               config->base_url, local->message);
      return;
    }
  good (c, "[web] base_url %s answers (HTTP %ld)", config->base_url, status);
}

gboolean
listctl_check (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  Check c = { 0 };
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &c.verbose,
      "also say what is right, and a summary", NULL },
    { NULL },
  };
  g_autoptr (GError) local = NULL;
  g_autoptr (GPtrArray) lists = NULL;
  Mta mta = { 0 };
  const char *path_in_use;
  RfStore *store;
  uid_t owner;

  if (!listctl_parse (ctx, &argc, &argv, entries, FALSE, 0, 0, error))
    return FALSE;
  path_in_use = rf_config_path_in_use (ctx->config_path);
  ctx->config = rf_config_load (ctx->config_path, &local);
  if (ctx->config == NULL)
    {
      problem (&c, "%s: fix the file (reflector.conf(5))", local->message);
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "1 problem found");
      return FALSE;
    }
  good (&c, "%s %s", path_in_use,
        ctx->config->path != NULL ? "parses" : "does not exist: every key has its default");
  check_programs (&c);
  check_state_dir (&c, ctx->config, &owner);

  /* as the state directory's owner from here on (listctl_store switches
   * when run as root): a database opened by root would leave it files it
   * cannot write */
  store = listctl_store (ctx, &local);
  if (store == NULL)
    problem (&c, "%s", local->message);
  else if ((lists = rf_list_all (store, &local)) == NULL)
    problem (&c, "%s", local->message);
  else
    good (&c, "the database opens: schema version %d, %u list%s",
          rf_store_schema_version (store), lists->len, lists->len == 1 ? "" : "s");

  if (lists != NULL && lists->len > 0 && mta_find (&c, &mta, path_in_use))
    for (guint i = 0; i < lists->len; i++)
      {
        if (mta.postconf != NULL)
          check_route_postfix (&c, &mta, g_ptr_array_index (lists, i));
        else
          check_route_exim (&c, &mta, g_ptr_array_index (lists, i));
      }
  check_base_url (&c, ctx->config);
  mta_clear (&mta);

  if (c.problems > 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "%u problem%s found", c.problems,
                   c.problems == 1 ? "" : "s");
      return FALSE;
    }
  if (c.verbose)
    printf ("no problem found: %s, %s, %u list%s\n", path_in_use, ctx->config->state_dir,
            lists != NULL ? lists->len : 0, lists != NULL && lists->len == 1 ? "" : "s");
  return TRUE;
}
