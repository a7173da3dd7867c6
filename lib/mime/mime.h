/* mime.h - GMime for the lib/ files that may use it (lib/mime*.c,
 * lib/address.c, lib/policy/, lib/bounce/).  GMime 3 ships no g_autoptr
 * cleanups.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/core.h"

#include <gmime/gmime.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimePart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMultipart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, g_mime_format_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParserOptions, g_mime_parser_options_free)

/* g_mime_init() once per process; safe to call from any lib/ entry point. */
void _rf_mime_init (void);

/* Parse the MTA's bytes (RF_ERROR_BAD_MESSAGE when impossible) and
 * render the transformed message once.  Both return (transfer full).
 * *lossy_out (may be NULL) tells that the parser skipped some input. */
GMimeMessage *_rf_mime_parse (GBytes *raw, gboolean *lossy_out, GError **error);
/* Bare-CR line ends (old Mac mail) turned into LF; other input as is.
 * Returns: (transfer full). */
GBytes *_rf_mime_fix_line_ends (GBytes *raw);
GBytes *_rf_mime_render (GMimeMessage *message, GError **error);

/* A file name made safe for a URL path segment, a Content-Disposition and
 * a text block: the last path component, valid UTF-8, without control,
 * bidi-override, quote, slash, backslash and other shell- or
 * header-special characters, no leading dot, at most 120 bytes (the
 * extension kept).  Empty results become "attachment-N" + an extension
 * from @content_type.  Returns: (transfer full). */
char *rf_attachment_safe_name (const char *name, const char *content_type, guint n);

/* A write-only stream that passes every block written to it to @func
 * (FALSE from @func fails the write): GMime's decoded output, streamed.
 * Returns: (transfer full). */
typedef gboolean (*RfMimeSinkFunc) (const char *data, gsize len, gpointer user_data);
GMimeStream *_rf_mime_sink_new (RfMimeSinkFunc func, gpointer user_data);
