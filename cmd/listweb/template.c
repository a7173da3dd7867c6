/* template.c - the template engine of listweb (see template.h).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "template.h"

#include <reflector/reflector.h>

#include <string.h>

struct _ListwebTemplates {
  char *dir;
  GHashTable *files; /* "login" -> text */
};

struct _ListwebHtml {
  GString *s;
};

typedef struct {
  gboolean html;
  char *text;        /* !html */
  ListwebHtml *frag; /* html */
} Value;

struct _ListwebVars {
  GHashTable *values; /* name -> Value */
};

static void
value_free (gpointer p)
{
  Value *v = p;

  g_free (v->text);
  if (v->frag != NULL)
    listweb_html_free (v->frag);
  g_free (v);
}

/* Walk @text's {{...}}: for each, @fn (name, raw, user_data) appends; the
 * literal text between goes to @out.  Also the syntax check of load. */
typedef gboolean (*TagFn) (const char *name, gboolean raw, GString *out, gpointer user_data,
                           GError **error);

static gboolean
walk (const char *file, const char *text, GString *out, TagFn fn, gpointer user_data,
      GError **error)
{
  const char *p = text;

  for (;;)
    {
      const char *open = strstr (p, "{{"), *close, *name;
      g_autofree char *tag = NULL;
      gboolean raw = FALSE;

      if (open == NULL)
        {
          if (out != NULL)
            g_string_append (out, p);
          return TRUE;
        }
      if (out != NULL)
        g_string_append_len (out, p, open - p);
      close = strstr (open + 2, "}}");
      if (close == NULL)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "template '%s': unclosed '{{'", file);
          return FALSE;
        }
      name = open + 2;
      if (*name == '&')
        {
          raw = TRUE;
          name++;
        }
      tag = g_strndup (name, close - name);
      if (*tag == '\0' || strspn (tag, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen (tag))
        {
          g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "template '%s': bad name '{{%s}}'",
                       file, tag);
          return FALSE;
        }
      if (fn != NULL && !fn (tag, raw, out, user_data, error))
        {
          g_prefix_error (error, "template '%s': ", file);
          return FALSE;
        }
      p = close + 2;
    }
}

ListwebTemplates *
listweb_templates_load (const char *dir, GError **error)
{
  g_autoptr (ListwebTemplates) t = g_new0 (ListwebTemplates, 1);
  g_autoptr (GDir) d = NULL;
  const char *entry;

  t->dir = g_strdup (dir);
  t->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    {
      g_prefix_error (error, "templates: ");
      return NULL;
    }
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      char *text = NULL;

      if (!g_str_has_suffix (entry, ".html"))
        continue;
      path = g_build_filename (dir, entry, NULL);
      if (!g_file_get_contents (path, &text, NULL, error))
        return NULL;
      if (!g_utf8_validate (text, -1, NULL) || !walk (entry, text, NULL, NULL, NULL, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "template '%s': not UTF-8", path);
          g_free (text);
          return NULL;
        }
      g_hash_table_insert (t->files, g_strndup (entry, strlen (entry) - 5), text);
    }
  return g_steal_pointer (&t);
}

void
listweb_templates_free (ListwebTemplates *templates)
{
  if (templates == NULL)
    return;
  g_free (templates->dir);
  if (templates->files != NULL)
    g_hash_table_unref (templates->files);
  g_free (templates);
}

const char *
listweb_templates_dir (const ListwebTemplates *templates)
{
  return templates->dir;
}

ListwebHtml *
listweb_html_new (void)
{
  ListwebHtml *html = g_new0 (ListwebHtml, 1);

  html->s = g_string_new (NULL);
  return html;
}

/* Escape for text and for double- or single-quoted attribute values. */
static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (const char *p = valid; *p != '\0'; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&#39;"); break;
      default: g_string_append_c (out, *p); break;
      }
}

ListwebHtml *
listweb_html_text (const char *text)
{
  ListwebHtml *html = listweb_html_new ();

  append_escaped (html->s, text);
  return html;
}

ListwebHtml *
listweb_html_marked (const char *text, const char *start, const char *end)
{
  g_autoptr (GString) escaped = g_string_new (NULL);
  ListwebHtml *html = listweb_html_new ();
  gsize ls = strlen (start), le = strlen (end);
  gboolean open = FALSE;

  append_escaped (escaped, text);
  for (const char *p = escaped->str; *p != '\0';)
    if (!open && strncmp (p, start, ls) == 0)
      {
        g_string_append (html->s, "<mark>");
        open = TRUE;
        p += ls;
      }
    else if (open && strncmp (p, end, le) == 0)
      {
        g_string_append (html->s, "</mark>");
        open = FALSE;
        p += le;
      }
    else if (strncmp (p, start, ls) == 0 || strncmp (p, end, le) == 0)
      p += strncmp (p, start, ls) == 0 ? ls : le; /* unbalanced: dropped */
    else
      g_string_append_c (html->s, *p++);
  if (open)
    g_string_append (html->s, "</mark>");
  return html;
}

void
listweb_html_append (ListwebHtml *html, const ListwebHtml *more)
{
  g_string_append_len (html->s, more->s->str, (gssize) more->s->len);
}

const char *
listweb_html_str (const ListwebHtml *html)
{
  return html->s->str;
}

gsize
listweb_html_len (const ListwebHtml *html)
{
  return html->s->len;
}

void
listweb_html_free (ListwebHtml *html)
{
  if (html == NULL)
    return;
  g_string_free (html->s, TRUE);
  g_free (html);
}

ListwebVars *
listweb_vars_new (void)
{
  ListwebVars *vars = g_new0 (ListwebVars, 1);

  vars->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
  return vars;
}

void
listweb_vars_free (ListwebVars *vars)
{
  if (vars == NULL)
    return;
  g_hash_table_unref (vars->values);
  g_free (vars);
}

void
listweb_vars_set (ListwebVars *vars, const char *name, const char *text)
{
  Value *v = g_new0 (Value, 1);

  v->text = g_strdup (text != NULL ? text : "");
  g_hash_table_replace (vars->values, g_strdup (name), v);
}

void
listweb_vars_setf (ListwebVars *vars, const char *name, const char *format, ...)
{
  Value *v = g_new0 (Value, 1);
  va_list ap;

  va_start (ap, format);
  v->text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_hash_table_replace (vars->values, g_strdup (name), v);
}

void
listweb_vars_set_html (ListwebVars *vars, const char *name, ListwebHtml *html)
{
  Value *v = g_new0 (Value, 1);

  v->html = TRUE;
  v->frag = html;
  g_hash_table_replace (vars->values, g_strdup (name), v);
}

static gboolean
substitute (const char *name, gboolean raw, GString *out, gpointer user_data, GError **error)
{
  const ListwebVars *vars = user_data;
  Value *v = g_hash_table_lookup (vars->values, name);

  if (v == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "no value for '%s'", name);
      return FALSE;
    }
  if (raw != v->html)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_INVALID,
                   raw ? "'{{&%s}}' for text: text is always escaped"
                       : "'{{%s}}' for HTML: write '{{&%s}}'",
                   name, name);
      return FALSE;
    }
  if (raw)
      g_string_append_len (out, v->frag->s->str, (gssize) v->frag->s->len);
  else
    append_escaped (out, v->text);
  return TRUE;
}

ListwebHtml *
listweb_render (const ListwebTemplates *templates, const char *name, const ListwebVars *vars,
                GError **error)
{
  const char *text = g_hash_table_lookup (templates->files, name);
  g_autoptr (ListwebHtml) html = listweb_html_new ();

  if (text == NULL)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG, "no template '%s.html' in %s", name,
                   templates->dir);
      return NULL;
    }
  if (!walk (name, text, html->s, substitute, (gpointer) vars, error))
    return NULL;
  return g_steal_pointer (&html);
}
