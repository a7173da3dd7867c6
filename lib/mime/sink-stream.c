/* sink-stream.c - a write-only GMimeStream that hands every block to a
 * callback: how a part's content, decoded by GMime, streams somewhere else
 * (a sealed blob) without a copy of it in memory.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "mime/mime.h"

typedef struct {
  GMimeStream parent;
  RfMimeSinkFunc func;
  gpointer user_data;
} SinkStream;
typedef struct {
  GMimeStreamClass parent_class;
} SinkStreamClass;

static GType sink_stream_get_type (void);
G_DEFINE_TYPE (SinkStream, sink_stream, GMIME_TYPE_STREAM)

static ssize_t
sink_write (GMimeStream *stream, const char *buf, size_t len)
{
  SinkStream *s = (SinkStream *) stream;

  if (len == 0)
    return 0;
  if (!s->func (buf, len, s->user_data))
    return -1;
  stream->position += (gint64) len;
  return (ssize_t) len;
}

static ssize_t
sink_read (GMimeStream *stream, char *buf, size_t len)
{
  return -1;
}

static int
sink_flush (GMimeStream *stream)
{
  return 0;
}

static int
sink_close (GMimeStream *stream)
{
  return 0;
}

static gboolean
sink_eos (GMimeStream *stream)
{
  return FALSE;
}

static gint64
sink_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
sink_length (GMimeStream *stream)
{
  return -1;
}

static void
sink_stream_class_init (SinkStreamClass *klass)
{
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  stream_class->write = sink_write;
  stream_class->read = sink_read;
  stream_class->flush = sink_flush;
  stream_class->close = sink_close;
  stream_class->eos = sink_eos;
  stream_class->tell = sink_tell;
  stream_class->length = sink_length;
}

static void
sink_stream_init (SinkStream *s)
{
}

GMimeStream *
_rf_mime_sink_new (RfMimeSinkFunc func, gpointer user_data)
{
  SinkStream *s;

  _rf_mime_init ();
  s = g_object_new (sink_stream_get_type (), NULL);
  s->func = func;
  s->user_data = user_data;
  return GMIME_STREAM (s);
}
