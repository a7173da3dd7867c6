/* template.h - listweb's HTML templates: files with {{name}} (always
 * HTML-escaped) and {{&name}} (a fragment the engine rendered, inserted as
 * it is).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only way to put markup into a page is a ListwebHtml, and the only
 * ways to make one are rendering a template, escaping text
 * (listweb_html_text) or the snippet marker conversion
 * (listweb_html_marked): a caller cannot hand the engine a raw string as
 * HTML.  grep '{{&' cmd/listweb/templates lists every raw insertion.
 * Kept free of libmicrohttpd so that a unit test links it alone.
 */
#pragma once

#include <glib.h>

typedef struct _ListwebTemplates ListwebTemplates;
typedef struct _ListwebHtml ListwebHtml;
typedef struct _ListwebVars ListwebVars;

/* Read and check every *.html of @dir (an unclosed {{, a bad name: error).
 * Returns: (transfer full). */
ListwebTemplates *listweb_templates_load (const char *dir, GError **error);
void listweb_templates_free (ListwebTemplates *templates);
const char *listweb_templates_dir (const ListwebTemplates *templates);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListwebTemplates, listweb_templates_free)

/* HTML the engine made.  Returns: (transfer full). */
ListwebHtml *listweb_html_new (void);
/* @text escaped (invalid UTF-8 replaced first). */
ListwebHtml *listweb_html_text (const char *text);
/* @text escaped, then each @start / @end marker byte sequence (which
 * escaping leaves alone: control characters) turned into <mark> and
 * </mark>, balanced. */
ListwebHtml *listweb_html_marked (const char *text, const char *start, const char *end);
void listweb_html_append (ListwebHtml *html, const ListwebHtml *more);
const char *listweb_html_str (const ListwebHtml *html);
gsize listweb_html_len (const ListwebHtml *html);
void listweb_html_free (ListwebHtml *html);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListwebHtml, listweb_html_free)

ListwebVars *listweb_vars_new (void);
void listweb_vars_free (ListwebVars *vars);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListwebVars, listweb_vars_free)
/* {{name}}: @text, escaped when rendered (NULL is ""). */
void listweb_vars_set (ListwebVars *vars, const char *name, const char *text);
void listweb_vars_setf (ListwebVars *vars, const char *name, const char *format, ...)
    G_GNUC_PRINTF (3, 4);
/* {{&name}}: @html (taken), as it is. */
void listweb_vars_set_html (ListwebVars *vars, const char *name, ListwebHtml *html);

/* Render template @name ("login" reads login.html).  A name the template
 * uses but @vars lacks, or {{&x}} for a text value, is an error: a
 * template cannot be tricked into printing something unescaped.
 * Returns: (transfer full). */
ListwebHtml *listweb_render (const ListwebTemplates *templates, const char *name,
                             const ListwebVars *vars, GError **error);
