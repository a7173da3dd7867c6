/* mail-text.c - one short text mail from a list (a redelivery notice, the
 * bounce report, an answer of a role address, a moderation notice), or a
 * message forwarded as it came (LIST-owner), through the configured
 * transport.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mail is built with GMime (so the subject is encoded as RFC 2047
 * asks), written once to the spool, and handed to the same fan-out as a
 * post: each copy gets its own VERP sender and its own To line.  It is
 * marked Auto-Submitted and carries the list's X-Loop, so it can never
 * come back as a post (listdeliver drops its own X-Loop).
 */
#include "mime/mime.h"
#include "policy/policy.h"
#include "crypto/crypto.h"
#include "deliver/deliver-private.h"

#include <unistd.h>

typedef struct {
  guint sent;
  guint failed;
  char *last_reason;
} Outcome;

static gboolean
on_result (const char *address, RfRecipientState state, const char *detail, gpointer user_data,
           GError **error)
{
  Outcome *o = user_data;

  if (state == RF_RCPT_SENT)
    o->sent++;
  else
    {
      o->failed++;
      g_free (o->last_reason);
      o->last_reason = g_strdup (detail);
    }
  return TRUE;
}

static char *
to_line (const char *address, gpointer user_data, GError **error)
{
  return g_strdup_printf ("To: <%s>\n", address);
}

static GBytes *
build (const char *list_address, const RfMailOptions *options, const char *subject,
       const char *body, GError **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GMimeTextPart) part = NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (rf_now ());
  GMimeObject *object;

  _rf_mime_init ();
  rf_address_split (list_address, &local, &domain);
  owner = g_strdup_printf ("%s%s@%s", local,
                           options->from_role != NULL ? options->from_role : "-owner", domain);
  message = g_mime_message_new (TRUE);
  object = GMIME_OBJECT (message);
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, list_address, owner);
  g_mime_message_set_subject (message, subject, "utf-8");
  g_mime_message_set_date (message, now);
  mid = g_mime_utils_generate_message_id (domain);
  g_mime_message_set_message_id (message, mid);
  if (options->in_reply_to != NULL && *options->in_reply_to != '\0')
    {
      g_autofree char *ref = g_strdup_printf ("<%s>", options->in_reply_to);

      g_mime_object_set_header (object, "In-Reply-To", ref, NULL);
      g_mime_object_set_header (object, "References", ref, NULL);
    }
  if (options->reply_to != NULL)
    g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, options->reply_to);
  g_mime_object_set_header (object, "Auto-Submitted",
                            options->auto_submitted != NULL ? options->auto_submitted
                                                            : "auto-generated",
                            NULL);
  g_mime_object_set_header (object, "X-Loop", list_address, NULL);
  part = g_mime_text_part_new_with_subtype ("plain");
  g_mime_text_part_set_text (part, body);
  g_mime_message_set_mime_part (message, GMIME_OBJECT (part));
  return _rf_mime_render (message, error);
}

/* Hand the spool file @path to the transport for each of @recipients. */
static gboolean
send_file (const RfConfig *config, const char *list_address, const char *path,
           GPtrArray *recipients, RfCopyHeaderFunc header_for, guint *sent_out, GError **error)
{
  Outcome o = { 0, 0, NULL };
  gboolean ok;

  if (g_str_equal (config->transport, "smtp"))
    ok = _rf_smtp_fanout (config, path, list_address, recipients, header_for, on_result, &o,
                          error);
  else
    ok = _rf_sendmail_fanout (config, path, list_address, recipients, header_for, on_result, &o,
                              error);
  unlink (path);
  if (ok && o.sent == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "the transport took no copy: %s",
                   o.last_reason != NULL ? o.last_reason : "refused");
      ok = FALSE;
    }
  g_free (o.last_reason);
  if (ok && sent_out != NULL)
    *sent_out = o.sent;
  return ok;
}

/* @bytes in a new file of the spool.  Returns: its path, (transfer full). */
static char *
spool_bytes (const RfConfig *config, GBytes *bytes, GError **error)
{
  g_autofree char *spool = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = rf_random_hex (16);
  gsize len;
  const void *data;

  spool = _rf_spool_dir (config->state_dir, error);
  if (spool == NULL)
    return NULL;
  name = g_strconcat ("mail-", id, NULL);
  path = _rf_spool_path (spool, name, "out");
  data = g_bytes_get_data (bytes, &len);
  if (!_rf_spool_write_file (path, data != NULL ? data : "", len, error))
    return NULL;
  return g_steal_pointer (&path);
}

static gboolean
send_bytes (const RfConfig *config, const char *list_address, GPtrArray *recipients,
            GBytes *bytes, RfCopyHeaderFunc header_for, guint *sent_out, GError **error)
{
  g_autofree char *path = spool_bytes (config, bytes, error);

  if (path == NULL)
    return FALSE;
  return send_file (config, list_address, path, recipients, header_for, sent_out, error);
}

gboolean
_rf_mail_send (const RfConfig *config, const char *list_address, const RfMailOptions *options,
               GPtrArray *recipients, const char *subject, const char *body, guint *sent_out,
               GError **error)
{
  static const RfMailOptions defaults = { 0 };
  g_autoptr (GBytes) bytes = NULL;

  if (recipients->len == 0)
    {
      if (sent_out != NULL)
        *sent_out = 0;
      return TRUE;
    }
  bytes = build (list_address, options != NULL ? options : &defaults, subject, body, error);
  if (bytes == NULL)
    return FALSE;
  return send_bytes (config, list_address, recipients, bytes, to_line, sent_out, error);
}

gboolean
_rf_mail_send_bytes (const RfConfig *config, const char *list_address, GPtrArray *recipients,
                     GBytes *message, guint *sent_out, GError **error)
{
  if (recipients->len == 0)
    {
      if (sent_out != NULL)
        *sent_out = 0;
      return TRUE;
    }
  return send_bytes (config, list_address, recipients, message, NULL, sent_out, error);
}

gboolean
rf_mail_send_text (const RfConfig *config, const char *list_address, GPtrArray *recipients,
                   const char *subject, const char *body, guint *sent_out, GError **error)
{
  return _rf_mail_send (config, list_address, NULL, recipients, subject, body, sent_out, error);
}

/* issue 17: what the transport did with the one copy of _rf_mail_send_one */
typedef struct {
  RfRecipientState state;
  char *reason;
} OneOutcome;

static gboolean
on_one_result (const char *address, RfRecipientState state, const char *detail,
               gpointer user_data, GError **error)
{
  OneOutcome *o = user_data;

  o->state = state;
  g_free (o->reason);
  o->reason = g_strdup (detail);
  return TRUE;
}

gboolean
_rf_mail_send_one (const RfConfig *config, const char *list_address,
                   const RfMailOptions *options, const char *to, const char *subject,
                   const char *body, gboolean *refused_out, char **reason_out, GError **error)
{
  static const RfMailOptions defaults = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) recipients = g_ptr_array_new ();
  g_autofree char *path = NULL;
  OneOutcome o = { RF_RCPT_PENDING, NULL };
  gboolean ok;

  bytes = build (list_address, options != NULL ? options : &defaults, subject, body, error);
  if (bytes == NULL || (path = spool_bytes (config, bytes, error)) == NULL)
    return FALSE;
  g_ptr_array_add (recipients, (gpointer) to);
  if (g_str_equal (config->transport, "smtp"))
    ok = _rf_smtp_fanout (config, path, list_address, recipients, to_line, on_one_result, &o,
                          error);
  else
    ok = _rf_sendmail_fanout (config, path, list_address, recipients, to_line, on_one_result,
                              &o, error);
  unlink (path);
  if (ok && o.state == RF_RCPT_PENDING)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "the transport did not take it: %s",
                   o.reason != NULL ? o.reason : "no answer");
      ok = FALSE;
    }
  if (ok)
    {
      *refused_out = o.state == RF_RCPT_FAILED;
      if (reason_out != NULL)
        *reason_out = g_steal_pointer (&o.reason);
    }
  g_free (o.reason);
  return ok;
}
