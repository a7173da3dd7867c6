/* bounce.c - read a returned message: who failed, why, and whether it
 * counts.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Order: an RFC 3464 report (machine-readable: recipients, Action, Status,
 * Diagnostic-Code) wins; an ARF feedback report or an auto-reply is no
 * bounce; then the free text of the known MTAs (mta.c) for the address and
 * the remote answer.  The class comes from the status code when it is
 * specific, else from the words (classify.c).  Only the report's own text
 * is read: the copy of the original post that bounces carry is skipped.
 */
#include "bounce-private.h"
#include "policy/policy.h"

#include <string.h>

/* Enough of a report's text for any bounce; the rest is attachments. */
#define MAX_TEXT (256 * 1024)

typedef struct
{
  GString *text;     /* text/plain parts outside message/rfc822 */
  GString *html;     /* text/html, used only when there is no plain text */
  GString *dsn;      /* message/delivery-status parts */
  gboolean feedback; /* an ARF message/feedback-report part */
} Collected;

static char *
part_bytes (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  g_autoptr (GMimeStream) stream = NULL;
  GByteArray *bytes;

  if (content == NULL)
    return g_strdup ("");
  bytes = g_byte_array_new ();
  stream = g_mime_stream_mem_new_with_byte_array (bytes);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_data_wrapper_write_to_stream (content, stream);
  if (bytes->len > MAX_TEXT)
    g_byte_array_set_size (bytes, MAX_TEXT);
  g_byte_array_append (bytes, (const guint8 *)"", 1);
  {
    char *raw = (char *)g_byte_array_free (bytes, FALSE);
    char *valid = g_utf8_make_valid (raw, -1);

    g_free (raw);
    return valid;
  }
}

static void
append_capped (GString *to, const char *text)
{
  if (to->len >= MAX_TEXT || text == NULL)
    return;
  g_string_append_len (to, text, MIN (strlen (text), MAX_TEXT - to->len));
  g_string_append_c (to, '\n');
}

static void
collect (GMimeObject *object, Collected *c, int depth)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);

  if (depth > 20)
    return;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      const char *report_type = g_mime_content_type_get_parameter (type, "report-type");

      if (report_type != NULL && g_ascii_strcasecmp (report_type, "feedback-report") == 0)
        c->feedback = TRUE;
      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        collect (g_mime_multipart_get_part (multipart, i), c, depth + 1);
      return;
    }
  /* the copy of the original message: never the report */
  if (GMIME_IS_MESSAGE_PART (object))
    return;
  if (!GMIME_IS_PART (object))
    return;
  if (g_mime_content_type_is_type (type, "message", "delivery-status")
      || g_mime_content_type_is_type (type, "message", "global-delivery-status")
      || g_mime_content_type_is_type (type, "text", "delivery-status"))
    {
      g_autofree char *s = part_bytes (GMIME_PART (object));
      append_capped (c->dsn, s);
    }
  else if (g_mime_content_type_is_type (type, "message", "feedback-report"))
    c->feedback = TRUE;
  else if (g_mime_content_type_is_type (type, "text", "plain") && GMIME_IS_TEXT_PART (object))
    {
      g_autofree char *s = g_mime_text_part_get_text (GMIME_TEXT_PART (object));
      g_autofree char *valid = s != NULL ? g_utf8_make_valid (s, -1) : NULL;
      append_capped (c->text, valid);
    }
  else if (g_mime_content_type_is_type (type, "text", "html"))
    {
      g_autofree char *s = part_bytes (GMIME_PART (object));
      append_capped (c->html, s);
    }
}

/* Tags out, line breaks kept where blocks end: enough to read the words. */
static char *
html_to_text (const char *html)
{
  GString *out = g_string_new (NULL);
  gboolean in_tag = FALSE;

  for (const char *p = html; *p != '\0'; p++)
    {
      if (*p == '<')
        {
          in_tag = TRUE;
          if (g_ascii_strncasecmp (p, "<br", 3) == 0 || g_ascii_strncasecmp (p, "<p", 2) == 0
              || g_ascii_strncasecmp (p, "</p", 3) == 0 || g_ascii_strncasecmp (p, "<div", 4) == 0
              || g_ascii_strncasecmp (p, "<tr", 3) == 0)
            g_string_append_c (out, '\n');
        }
      else if (*p == '>')
        in_tag = FALSE;
      else if (!in_tag)
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

void
rf_bounce_free (RfBounce *bounce)
{
  if (bounce == NULL)
    return;
  g_ptr_array_unref (bounce->recipients);
  g_free (bounce);
}

static void
recipient_free (RfBounceRecipient *r)
{
  g_free (r->address);
  g_free (r->status);
  g_free (r->diagnostic);
  g_free (r);
}

const char *
rf_bounce_class_name (RfBounceClass bounce_class)
{
  switch (bounce_class)
    {
    case RF_BOUNCE_PERMANENT:
      return "permanent";
    case RF_BOUNCE_TEMPORARY:
      return "temporary";
    case RF_BOUNCE_POLICY:
      return "policy";
    case RF_BOUNCE_NOT_BOUNCE:
      return "not-bounce";
    case RF_BOUNCE_UNKNOWN:
    default:
      return "unknown";
    }
}

const char *
rf_bounce_action_name (RfBounceAction action)
{
  switch (action)
    {
    case RF_BOUNCE_ACTION_FAILED:
      return "failed";
    case RF_BOUNCE_ACTION_DELAYED:
      return "delayed";
    case RF_BOUNCE_ACTION_DELIVERED:
      return "delivered";
    case RF_BOUNCE_ACTION_RELAYED:
      return "relayed";
    case RF_BOUNCE_ACTION_EXPANDED:
      return "expanded";
    case RF_BOUNCE_ACTION_UNKNOWN:
    default:
      return "unknown";
    }
}

/* One recipient's class: the DSN's Action, then the codes and words in the
 * precedence of classify.c.  @whole is the whole diagnostic (the
 * recipient keeps one capped line of it). */
static RfBounceClass
classify (RfBounceRecipient *r, const char *whole, const char *report)
{
  char reply = 0;

  if (r->action == RF_BOUNCE_ACTION_DELIVERED || r->action == RF_BOUNCE_ACTION_RELAYED
      || r->action == RF_BOUNCE_ACTION_EXPANDED)
    return RF_BOUNCE_NOT_BOUNCE;
  if (r->action == RF_BOUNCE_ACTION_DELAYED)
    return RF_BOUNCE_TEMPORARY;
  if (whole != NULL && *whole != '\0')
    {
      /* the remote server's own code beats the one the reporting MTA
       * wrote in Status: (often a guess, "5.1.1" for anything) */
      g_autofree char *said = _rf_bounce_find_status (whole, &reply);

      if (said != NULL && g_strcmp0 (said, r->status) != 0)
        {
          g_free (r->status);
          r->status = g_steal_pointer (&said);
        }
    }
  return _rf_bounce_classify (r->status, reply, whole, report);
}

static gboolean
has_dsn_fields (const char *text)
{
  static GRegex *re;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("^Final-Recipient:\\s*rfc822;", G_REGEX_CASELESS | G_REGEX_MULTILINE, 0,
                        NULL);
      g_once_init_leave (&done, 1);
    }
  return text != NULL && g_regex_match (re, text, 0, NULL);
}

/* Amazon SES sends its notifications as JSON: the type says whether it is
 * a bounce at all. */
static gboolean
ses_not_bounce (const char *text)
{
  return text != NULL
         && (strstr (text, "\"notificationType\":\"Delivery\"") != NULL
             || strstr (text, "\"notificationType\":\"Complaint\"") != NULL
             || strstr (text, "\"eventType\":\"Delivery\"") != NULL);
}

/* The list a VERP bounce is addressed to ("dev-bounces+ann=example.com@
 * lists.example.org" -> "dev", "lists.example.org"), from the headers that
 * carry the envelope recipient; both NULL when none says. */
static void
list_address (GMimeMessage *message, char **local_out, char **domain_out)
{
  static const char *const headers[] = { "To", "Delivered-To", "X-Original-To", "Envelope-To" };

  for (gsize h = 0; h < G_N_ELEMENTS (headers) && *local_out == NULL; h++)
    {
      const char *value = g_mime_object_get_header (GMIME_OBJECT (message), headers[h]);
      g_autofree char *lower = value != NULL ? g_ascii_strdown (value, -1) : NULL;
      const char *mark = lower != NULL ? strstr (lower, "-bounces") : NULL;
      const char *at = mark != NULL ? strchr (mark, '@') : NULL;
      const char *begin = mark;

      if (at == NULL)
        continue;
      while (begin > lower && strchr ("<\"' \t,:", begin[-1]) == NULL)
        begin--;
      if (begin == mark)
        continue;
      *local_out = g_strndup (begin, mark - begin);
      *domain_out = g_strndup (at + 1, strcspn (at + 1, ">\"' \t,;\r\n"));
    }
}

RfBounce *
rf_bounce_parse (GBytes *raw, GError **error)
{
  g_autoptr (GBytes) fixed = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GPtrArray) details = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list_local = NULL;
  g_autofree char *list_domain = NULL;
  g_autoptr (GPtrArray) exclude = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *report = NULL;
  const char *region = NULL;
  g_autofree char *lower_region = NULL;
  Collected c = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL), FALSE };
  RfBounce *bounce;
  gsize len = 0;
  gboolean delayed = FALSE;

  if (raw == NULL || (g_bytes_get_data (raw, &len), len == 0))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE, "the bounce is empty");
      g_string_free (c.text, TRUE);
      g_string_free (c.html, TRUE);
      g_string_free (c.dsn, TRUE);
      return NULL;
    }
  bounce = g_new0 (RfBounce, 1);
  bounce->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify)recipient_free);
  {
    /* blank lines before the header (a saved file's leftovers), then an
     * mbox "From " line, as a mailbox file has it */
    const char *data = g_bytes_get_data (raw, &len);
    gsize skip = 0, at = 0;
    const char *nl;
    g_autoptr (GBytes) body = NULL;

    while (at < len && (data[at] == ' ' || data[at] == '\t' || data[at] == '\r' || data[at] == '\n'))
      {
        if (data[at] == '\n')
          skip = at + 1;
        at++;
      }
    nl = len - skip > 5 && memcmp (data + skip, "From ", 5) == 0
             ? memchr (data + skip, '\n', len - skip)
             : NULL;
    if (nl != NULL)
      skip = nl + 1 - data;
    body = g_bytes_new_from_bytes (raw, skip, len - skip);
    fixed = _rf_mime_fix_line_ends (body);
  }
  message = _rf_mime_parse (fixed, NULL, NULL);
  if (message != NULL)
    {
      GMimeObject *body = g_mime_message_get_mime_part (message);
      InternetAddressList *lists[2]
          = { g_mime_message_get_to (message), g_mime_message_get_from (message) };

      if (body != NULL)
        collect (body, &c, 0);
      /* the bounce's own envelope: our VERP address and the daemon */
      for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l] != NULL && i < internet_address_list_length (lists[l]); i++)
          {
            InternetAddress *a = internet_address_list_get_address (lists[l], i);

            if (INTERNET_ADDRESS_IS_MAILBOX (a))
              g_ptr_array_add (exclude, g_ascii_strdown (internet_address_mailbox_get_addr (
                                                             INTERNET_ADDRESS_MAILBOX (a)),
                                                         -1));
          }
      list_address (message, &list_local, &list_domain);
    }
  else
    {
      /* not even a header: read the bytes as the report */
      gsize n;
      const char *data = g_bytes_get_data (fixed, &n);
      g_autofree char *valid = g_utf8_make_valid (data, MIN (n, MAX_TEXT));
      append_capped (c.text, valid);
    }
  g_ptr_array_add (exclude, NULL);
  if (message != NULL && c.text->len == 0 && c.dsn->len == 0 && c.html->len == 0)
    {
      /* a structure GMime could not split (a multipart without its
       * boundary lines): the body as it stands is the report */
      gsize n;
      const char *data = g_bytes_get_data (fixed, &n);
      const char *body = g_strstr_len (data, n, "\n\n");

      if (body != NULL)
        {
          g_autofree char *valid
              = g_utf8_make_valid (body + 2, MIN (n - (body + 2 - data), MAX_TEXT));
          append_capped (c.text, valid);
        }
    }
  /* delivery-status fields in plain text: a report whose MIME parts were
   * lost on the way */
  if (c.dsn->len == 0 && has_dsn_fields (c.text->str))
    append_capped (c.dsn, c.text->str);
  if (c.text->len == 0 && c.html->len > 0)
    {
      g_autofree char *t = html_to_text (c.html->str);
      append_capped (c.text, t);
    }
  g_string_free (c.html, TRUE);
  /* the report's prose; a report that has none outside its delivery-status
   * part (some put their sentence there) is read from that part */
  if (c.text->len > 0)
    report = g_strndup (c.text->str, _rf_bounce_report_end (c.text->str));
  else
    report = g_strdup (c.dsn->str);
  /* the text's report part, cut and lower-cased once for every recipient's
   * diagnostic (_rf_bounce_region_diagnostic) */
  region = c.text->len > 0 ? report : "";
  lower_region = g_ascii_strdown (region, -1);

  bounce->mta = _rf_bounce_guess_mta (message, c.text->str, c.dsn->len > 0);
  if (c.dsn->len > 0)
    _rf_bounce_dsn_parse (c.dsn->str, bounce->recipients, details);

  if (c.feedback || ses_not_bounce (c.text->str)
      || (bounce->recipients->len == 0 && message != NULL
          && _rf_bounce_is_autoreply (message, c.text->str)))
    {
      g_ptr_array_set_size (bounce->recipients, 0);
      bounce->bounce_class = RF_BOUNCE_NOT_BOUNCE;
      goto out;
    }

  if (bounce->recipients->len == 0)
    {
      const char *failed = message != NULL ? g_mime_object_get_header (GMIME_OBJECT (message),
                                                                       "X-Failed-Recipients")
                                           : NULL;
      g_autoptr (GPtrArray) found = NULL;

      /* Exim names them in a header; the others in the text */
      if (failed != NULL)
        found = _rf_bounce_text_recipients (failed, NULL, list_local, list_domain);
      if (found == NULL || found->len == 0)
        {
          g_clear_pointer (&found, g_ptr_array_unref);
          found = _rf_bounce_text_recipients (c.text->str, (const char *const *)exclude->pdata,
                                              list_local, list_domain);
        }
      if (found->len > 0)
        {
          /* a free-text report says whether it is a warning only in words */
          const char *subject = message != NULL ? g_mime_message_get_subject (message) : NULL;
          g_autofree char *said = g_strconcat (subject != NULL ? subject : "", "\n", report, NULL);

          delayed = _rf_bounce_says_delayed (said);
        }
      for (guint i = 0; i < found->len; i++)
        {
          RfBounceRecipient *r = g_new0 (RfBounceRecipient, 1);
          char *whole;

          r->address = g_strdup (g_ptr_array_index (found, i));
          r->action = delayed ? RF_BOUNCE_ACTION_DELAYED : RF_BOUNCE_ACTION_FAILED;
          whole = _rf_bounce_region_diagnostic (region, lower_region, r->address);
          r->diagnostic = whole != NULL ? _rf_bounce_one_line (whole) : NULL;
          g_ptr_array_add (bounce->recipients, r);
          g_ptr_array_add (details, whole != NULL ? whole : g_strdup (""));
        }
    }
  else
    {
      /* a DSN without Diagnostic-Code: the text may say more (for its
       * first recipients: each costs a search of the text) */
      for (guint i = 0; i < MIN (bounce->recipients->len, _RF_BOUNCE_TEXT_RECIPIENTS_MAX); i++)
        {
          RfBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

          if (r->diagnostic == NULL)
            {
              char *whole = _rf_bounce_region_diagnostic (region, lower_region, r->address);

              if (whole != NULL)
                {
                  r->diagnostic = _rf_bounce_one_line (whole);
                  g_free (g_ptr_array_index (details, i));
                  g_ptr_array_index (details, i) = whole;
                }
            }
        }
    }

  for (guint i = 0; i < bounce->recipients->len; i++)
    {
      RfBounceRecipient *r = g_ptr_array_index (bounce->recipients, i);

      r->bounce_class = classify (r, g_ptr_array_index (details, i), report);
    }
  if (bounce->recipients->len > 0)
    bounce->bounce_class
        = ((RfBounceRecipient *)g_ptr_array_index (bounce->recipients, 0))->bounce_class;
  else
    bounce->bounce_class = _rf_bounce_classify (NULL, 0, NULL, report);

out:
  g_string_free (c.text, TRUE);
  g_string_free (c.dsn, TRUE);
  return bounce;
}
