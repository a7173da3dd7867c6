/* test-template.c - listweb's template engine: {{name}} is always escaped,
 * {{&name}} takes only what the engine rendered, and a template cannot
 * print a text value raw.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "template.h"

#include <reflector/reflector.h>

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char *dir;
} Fixture;

static void
write_template (Fixture *f, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("rf-template-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  write_template (f, "page.html", "<p title=\"{{t}}\">{{t}}</p>{{&frag}}");
  write_template (f, "row.html", "<li>{{x}}</li>");
  write_template (f, "text.html", "{{t}}");
  write_template (f, "note.txt", "not a template {{");
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *e;

  while (d != NULL && (e = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, e, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static const char *const payloads[] = {
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\"><svg onload=alert(1)>",
  "' onmouseover='alert(1)",
  "javascript:alert(1)",
  "&lt;already&gt; & more",
};

static void
test_escapes_everything (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ListwebTemplates) t = listweb_templates_load (f->dir, &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr (ListwebVars) vars = listweb_vars_new ();
      g_autoptr (ListwebHtml) html = NULL;
      const char *s;

      listweb_vars_set (vars, "t", payloads[i]);
      listweb_vars_set_html (vars, "frag", listweb_html_text (payloads[i]));
      html = listweb_render (t, "page", vars, &error);
      g_assert_no_error (error);
      s = listweb_html_str (html);
      g_assert_null (strstr (s, "<script"));
      g_assert_null (strstr (s, "<img"));
      g_assert_null (strstr (s, "<svg"));
      /* the attribute value holds no quote that could end it early */
      {
        const char *value = s + strlen ("<p title=\""), *end = strstr (value, "\">");
        g_assert_nonnull (end);
        g_assert_null (memchr (value, '"', (gsize) (end - value)));
        g_assert_null (memchr (value, '\'', (gsize) (end - value)));
      }
    }
}

static void
test_exact_output (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ListwebTemplates) t = listweb_templates_load (f->dir, &error);
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (ListwebVars) rv = listweb_vars_new ();
  g_autoptr (ListwebHtml) html = NULL;
  ListwebHtml *row;

  g_assert_no_error (error);
  listweb_vars_set (rv, "x", "<b>&'\"");
  row = listweb_render (t, "row", rv, &error);
  g_assert_no_error (error);
  listweb_vars_set (vars, "t", "a<b");
  listweb_vars_set_html (vars, "frag", row);
  html = listweb_render (t, "page", vars, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (listweb_html_str (html), ==,
                   "<p title=\"a&lt;b\">a&lt;b</p><li>&lt;b&gt;&amp;&#39;&quot;</li>");
}

static void
test_raw_needs_rendered (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ListwebTemplates) t = listweb_templates_load (f->dir, &error);
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (ListwebHtml) html = NULL;

  g_assert_no_error (error);
  /* {{&frag}} given text: refused, not printed raw */
  listweb_vars_set (vars, "t", "x");
  listweb_vars_set (vars, "frag", "<script>alert(1)</script>");
  html = listweb_render (t, "page", vars, &error);
  g_assert_null (html);
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_clear_error (&error);
  /* a missing value is an error too */
  {
    g_autoptr (ListwebVars) none = listweb_vars_new ();
    g_autoptr (ListwebHtml) h = listweb_render (t, "text", none, &error);
    g_assert_null (h);
    g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* {{t}} given HTML: refused rather than double-escaped or raw */
  {
    g_autoptr (ListwebVars) v = listweb_vars_new ();
    g_autoptr (ListwebHtml) h = NULL;
    listweb_vars_set_html (v, "t", listweb_html_text ("x"));
    h = listweb_render (t, "text", v, &error);
    g_assert_null (h);
    g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  }
}

static void
test_marked_snippet (void)
{
  g_autoptr (ListwebHtml) h =
      listweb_html_marked ("a <b>\002air\003ship\002 & <i>", "\002", "\003");

  /* escaped first, then markers; an unclosed mark is closed */
  g_assert_cmpstr (listweb_html_str (h), ==,
                   "a &lt;b&gt;<mark>air</mark>ship<mark> &amp; &lt;i&gt;</mark>");
}

static void
test_invalid_utf8 (void)
{
  g_autoptr (ListwebHtml) h = listweb_html_text ("ok \xff<x>");

  g_assert_true (g_utf8_validate (listweb_html_str (h), -1, NULL));
  g_assert_null (strchr (listweb_html_str (h), '<'));
}

static void
test_bad_templates (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ListwebTemplates) t = NULL;

  write_template (f, "broken.html", "<p>{{unclosed</p>");
  t = listweb_templates_load (f->dir, &error);
  g_assert_null (t);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);
  write_template (f, "broken.html", "<p>{{Bad Name}}</p>");
  t = listweb_templates_load (f->dir, &error);
  g_assert_null (t);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/template/escapes-everything", Fixture, NULL, setup, test_escapes_everything,
              teardown);
  g_test_add ("/template/exact-output", Fixture, NULL, setup, test_exact_output, teardown);
  g_test_add ("/template/raw-needs-rendered", Fixture, NULL, setup, test_raw_needs_rendered,
              teardown);
  g_test_add ("/template/bad-templates", Fixture, NULL, setup, test_bad_templates, teardown);
  g_test_add_func ("/template/marked-snippet", test_marked_snippet);
  g_test_add_func ("/template/invalid-utf8", test_invalid_utf8);
  return g_test_run ();
}
