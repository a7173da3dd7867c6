/* copy.c - a kept post, unsealed and read for the redelivery page.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows text only: the archive's extractor gives the text/plain
 * parts, or the text of an HTML-only post, so no HTML of a post is ever
 * served as HTML.
 */
#include "redelivery/redelivery.h"
#include "archive/archive.h"


void
rf_redelivery_copy_free (RfRedeliveryCopy *copy)
{
  if (copy == NULL)
    return;
  g_free (copy->from);
  g_free (copy->date);
  g_free (copy->subject);
  g_free (copy->text);
  g_free (copy);
}

static GBytes *
unseal (const RfConfig *config, const char *blob_id, GError **error)
{
  g_autoptr (RfBlobStore) blobs = rf_blob_store_open (config, error);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (RfUnsealer) unsealer = NULL;
  guint8 buf[64 * 1024];
  gssize n;

  if (blobs == NULL || (unsealer = rf_unsealer_open_site (blobs, config, blob_id, error)) == NULL)
    return NULL;
  while ((n = rf_unsealer_read (unsealer, buf, sizeof buf, error)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  if (n < 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

RfRedeliveryCopy *
rf_redelivery_copy_read (const RfConfig *config, const RfRedeliveryPost *post, GError **error)
{
  g_autoptr (GBytes) bytes = unseal (config, post->blob_id, error);
  g_autoptr (RfArchiveDoc) doc = NULL;
  RfRedeliveryCopy *copy;

  if (bytes == NULL)
    return NULL;
  doc = _rf_archive_extract (bytes, error);
  if (doc == NULL)
    return NULL;
  copy = g_new0 (RfRedeliveryCopy, 1);
  if (*doc->from_name != '\0' && *doc->from_addr != '\0')
    copy->from = g_strdup_printf ("%s <%s>", doc->from_name, doc->from_addr);
  else
    copy->from = g_strdup (*doc->from_addr != '\0' ? doc->from_addr : doc->from_name);
  copy->date = g_strdup (doc->date_header != NULL ? doc->date_header : "");
  copy->subject = g_strdup (doc->subject);
  copy->text = g_strdup (doc->text != NULL ? doc->text : "");
  return copy;
}
