/* test-config.c - reflector.conf: defaults, the file chosen, errors.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static char *
write_conf (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
assert_defaults (const RfConfig *c)
{
  g_assert_cmpstr (c->state_dir, ==, "/var/lib/reflector");
  g_assert_cmpstr (c->transport, ==, "sendmail");
  g_assert_cmpstr (c->sendmail, ==, "/usr/sbin/sendmail");
  g_assert_nonnull (c->sendmail_args);
  g_assert_null (c->sendmail_args[0]);
  g_assert_cmpint (c->parallel, ==, 8);
  g_assert_cmpstr (c->listen, ==, "127.0.0.1:8025");
  g_assert_cmpstr (c->base_url, ==, "http://127.0.0.1:8025");
  g_assert_cmpint (c->message_days, ==, 30);
  g_assert_cmpint (c->activity_days, ==, 42);
  g_assert_cmpint (c->redelivery_days, ==, 14);
}

static void
test_defaults_empty_file (void)
{
  g_autofree char *path = write_conf ("empty.conf", "# nothing\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = rf_config_load (path, &error);

  g_assert_no_error (error);
  assert_defaults (c);
  g_assert_cmpstr (c->path, ==, path);
}

static void
test_explicit (void)
{
  g_autofree char *path = write_conf ("full.conf",
                                      "[paths]\nstate_dir = /srv/lists\n"
                                      "[delivery]\ntransport = sendmail\n"
                                      "sendmail = /usr/sbin/exim4\n"
                                      "sendmail_args = -C;/tmp/exim.conf;\n"
                                      "parallel = 3\n"
                                      "[web]\nlisten = 0.0.0.0:80\n"
                                      "base_url = https://lists.example.org\n"
                                      "[retention]\nmessage_days = 7\n"
                                      "activity_days = 10\nredelivery_days = 0\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = NULL;

  g_setenv ("REFLECTOR_CONFIG", "/nonexistent/ignored.conf", TRUE);
  c = rf_config_load (path, &error);
  g_unsetenv ("REFLECTOR_CONFIG");
  g_assert_no_error (error);
  g_assert_cmpstr (c->state_dir, ==, "/srv/lists");
  g_assert_cmpstr (c->sendmail, ==, "/usr/sbin/exim4");
  g_assert_cmpuint (g_strv_length (c->sendmail_args), ==, 2);
  g_assert_cmpstr (c->sendmail_args[0], ==, "-C");
  g_assert_cmpstr (c->sendmail_args[1], ==, "/tmp/exim.conf");
  g_assert_cmpint (c->parallel, ==, 3);
  g_assert_cmpstr (c->listen, ==, "0.0.0.0:80");
  g_assert_cmpstr (c->base_url, ==, "https://lists.example.org");
  g_assert_cmpint (c->message_days, ==, 7);
  g_assert_cmpint (c->activity_days, ==, 10);
  g_assert_cmpint (c->redelivery_days, ==, 0);
}

static void
test_environment (void)
{
  g_autofree char *path = write_conf ("env.conf", "[paths]\nstate_dir = /srv/env\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = NULL;

  g_setenv ("REFLECTOR_CONFIG", path, TRUE);
  c = rf_config_load (NULL, &error);
  g_unsetenv ("REFLECTOR_CONFIG");
  g_assert_no_error (error);
  g_assert_cmpstr (c->state_dir, ==, "/srv/env");
  g_assert_cmpstr (c->path, ==, path);
}

static void
test_missing_explicit (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "absent.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = rf_config_load (path, &error);

  g_assert_null (c);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));

  /* a missing file named by the environment is just as wrong */
  g_clear_error (&error);
  g_setenv ("REFLECTOR_CONFIG", path, TRUE);
  c = rf_config_load (NULL, &error);
  g_unsetenv ("REFLECTOR_CONFIG");
  g_assert_null (c);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
}

static void
assert_broken (const char *text, const char *const *parts)
{
  g_autofree char *path = write_conf ("broken.conf", text);
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = rf_config_load (path, &error);

  g_assert_null (c);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));
  for (; *parts != NULL; parts++)
    if (strstr (error->message, *parts) == NULL)
      g_error ("message '%s' lacks '%s'", error->message, *parts);
}

static void
test_broken (void)
{
  assert_broken ("this is not a key file\n", (const char *const[]){ NULL });
  assert_broken ("[delivery]\nparallel = many\n",
                 (const char *const[]){ "[delivery]", "parallel", "many", NULL });
  assert_broken ("[delivery]\nparallel = 0\n",
                 (const char *const[]){ "parallel", "from 1", NULL });
  /* issue 12: one range, the transports' own */
  assert_broken ("[delivery]\nparallel = 257\n",
                 (const char *const[]){ "parallel", "'257'", "from 1 to 256", NULL });
  assert_broken ("[delivery]\nparalel = 4\n",
                 (const char *const[]){ "[delivery]", "paralel", "unknown key", NULL });
  assert_broken ("[nonsense]\nx = 1\n", (const char *const[]){ "[nonsense]", NULL });
  assert_broken ("[delivery]\ntransport = pigeon\n",
                 (const char *const[]){ "transport", "pigeon", NULL });
  assert_broken ("[paths]\nstate_dir = relative/dir\n",
                 (const char *const[]){ "state_dir", "absolute", NULL });
  assert_broken ("[paths]\nstate_dir =\n", (const char *const[]){ "state_dir", "empty", NULL });
  assert_broken ("[retention]\nmessage_days = -1\n",
                 (const char *const[]){ "[retention]", "message_days", NULL });
}

/* issue 12: [delivery] parallel has the transports' range, 1 to 256 */
static void
test_parallel_range (void)
{
  g_autofree char *path = write_conf ("parallel.conf", "[delivery]\nparallel = 256\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) c = rf_config_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (c->parallel, ==, RF_CONFIG_PARALLEL_MAX);
  g_assert_cmpint (RF_CONFIG_PARALLEL_MAX, ==, 256);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("rf-config-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_unsetenv ("REFLECTOR_CONFIG");
  g_test_add_func ("/config/defaults-empty-file", test_defaults_empty_file);
  g_test_add_func ("/config/explicit", test_explicit);
  g_test_add_func ("/config/environment", test_environment);
  g_test_add_func ("/config/missing-explicit", test_missing_explicit);
  g_test_add_func ("/config/broken", test_broken);
  g_test_add_func ("/config/parallel-range", test_parallel_range);
  rc = g_test_run ();
  {
    g_autoptr (GDir) d = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (tmpdir);
    g_free (tmpdir);
  }
  return rc;
}
