/* message.c - listctl message: the troubleshooting store (issue 15), for
 * the site admin: what a list received, when, from whom, what became of
 * it, and any one message as it came (or its header, for a list with
 * disappearing ink).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "listctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static gboolean
show (ListctlContext *ctx, const char *id_text, GError **error)
{
  g_autoptr (RfKeptMessage) m = NULL;
  g_autoptr (GBytes) bytes = NULL;
  char *end = NULL;
  gint64 id = g_ascii_strtoll (id_text, &end, 10);
  gsize len;
  const char *data;

  if (end == id_text || *end != '\0' || id <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--show: '%s' is not the number of a message ('listctl message LIST' lists "
                   "them)",
                   id_text);
      return FALSE;
    }
  if (listctl_store (ctx, error) == NULL || (m = rf_kept_message_get (ctx->store, id, error)) == NULL)
    return FALSE;
  if ((bytes = rf_kept_message_read (ctx->config, m, error)) == NULL)
    {
      g_prefix_error (error, "message %" G_GINT64_FORMAT ": ", id);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len > 0 && fwrite (data, 1, len, stdout) != len)
    {
      int saved = errno;

      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write the message: %s",
                   g_strerror (saved));
      return FALSE;
    }
  if (m->headers_only)
    fprintf (stderr, "listctl: %s has disappearing ink: its header alone was kept\n",
             m->list_address);
  return TRUE;
}

gboolean
listctl_message (int argc, char **argv, ListctlContext *ctx, GError **error)
{
  g_autofree char *since_text = NULL;
  g_autofree char *show_id = NULL;
  const GOptionEntry entries[] = {
    { "since", 's', 0, G_OPTION_ARG_STRING, &since_text,
      "only messages from DATE on (2026-11-01, or an age: 7d, 12h)", "DATE" },
    { "show", 0, 0, G_OPTION_ARG_STRING, &show_id, "print message ID as it came", "ID" },
    { NULL },
  };
  g_autoptr (GPtrArray) messages = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *address = NULL;
  gint64 since = 0;

  if (!listctl_parse (ctx, &argc, &argv, entries, TRUE, 0, 1, error))
    return FALSE;
  if (show_id != NULL)
    return show (ctx, show_id, error);
  if (argc != 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "missing argument: usage: listctl message %s", ctx->command->params);
      return FALSE;
    }
  if (since_text != NULL && !listctl_parse_since (since_text, &since, error))
    return FALSE;
  /* a deleted list's messages are kept as long as any other's */
  if ((address = rf_address_normalize (argv[1], error)) == NULL)
    return FALSE;
  if (listctl_store (ctx, error) == NULL ||
      (messages = rf_kept_messages (ctx->store, address, since, error)) == NULL)
    return FALSE;
  json_builder_begin_array (b);
  for (guint i = 0; i < messages->len; i++)
    {
      const RfKeptMessage *m = g_ptr_array_index (messages, i);
      g_autofree char *at = listctl_format_time (m->received);

      if (ctx->json)
        {
          json_builder_begin_object (b);
          listctl_json_int (b, "id", m->id);
          listctl_json_int (b, "received", m->received);
          add_string (b, "role", m->role);
          add_string (b, "sender", m->sender);
          add_string (b, "from", m->from_addr);
          add_string (b, "subject", m->subject);
          listctl_json_int (b, "size", m->size);
          add_string (b, "outcome", m->outcome);
          listctl_json_bool (b, "headers_only", m->headers_only);
          json_builder_end_object (b);
          continue;
        }
      printf ("%" G_GINT64_FORMAT " %s %s%s from <%s> %" G_GINT64_FORMAT " bytes: %s\n    %s%s\n",
              m->id, at, g_str_equal (m->role, "post") ? "" : m->role,
              g_str_equal (m->role, "post") ? "post" : "", m->sender != NULL ? m->sender : "",
              m->size, m->outcome, m->subject != NULL ? m->subject : "(no subject)",
              m->headers_only ? " [header only]" : "");
    }
  json_builder_end_array (b);
  if (ctx->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);

      listctl_print_json (root);
    }
  return TRUE;
}
