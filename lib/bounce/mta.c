/* mta.c - what each MTA family's bounce looks like, as data.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Free-text bounces differ in their words, not in their structure: a
 * sentence saying that delivery failed, the failed address, the remote
 * server's answer, then a copy of the message.  So the family is only
 * guessed (for the activity log and the statistics), the address is the
 * first one the report names that is not the bounce's own sender or
 * recipient, and the copy of the original message is cut off first, so
 * that its headers are not read as the report.
 */
#include "bounce-private.h"

#include <string.h>

typedef struct
{
  const char *mta;
  const char *header;   /* header that tells, or NULL for the report's text */
  const char *contains; /* case-insensitive substring of the header or text;
                         * NULL: the header's presence is enough */
} MtaRule;

/* First match wins: providers before the MTA software they run. */
static const MtaRule mta_rules[] = {
  { "amazonses", "X-SES-Outgoing", NULL },
  { "amazonses", "From", "amazonses.com" },
  { "amazonses", NULL, "amazonses.com" },
  { "exchange", "X-MS-Exchange-Message-Is-Ndr", NULL },
  { "exchange", NULL, "Delivery has failed to these recipients" },
  { "exchange", NULL, "couldn't be delivered to" },
  { "exchange", NULL, "protection.outlook.com" },
  { "exchange", NULL, "Microsoft Exchange" },
  { "exchange", "X-MS-Exchange-Organization-AuthSource", NULL },
  { "googlegroups", NULL, "groups.google.com" },
  { "gmail", "From", "mailer-daemon@googlemail.com" },
  { "gmail", NULL, "Delivery to the following recipient failed permanently" },
  { "gmail", NULL, "Google tried to deliver your message" },
  { "gmail", NULL, "mx.google.com" },
  { "yahoo", "From", "yahoo" },
  { "yahoo", NULL, "Sorry, we were unable to deliver your message" },
  { "qmail", NULL, "This is the qmail-send program" },
  { "qmail", NULL, "qmail" },
  { "exim", "X-Failed-Recipients", NULL },
  { "exim", NULL, "This message was created automatically by mail delivery software" },
  { "exim", NULL, "Exim" },
  { "postfix", NULL, "This is the mail system at host" },
  { "postfix", NULL, "X-Postfix" },
  { "postfix", NULL, "Postfix" },
  { "sendmail", NULL, "The original message was received at" },
  { "sendmail", NULL, "----- Transcript of session follows -----" },
  { "sendmail", "Subject", "Returned mail: " },
  { "sendmail", NULL, "Sendmail" },
};

static gboolean
contains_nocase (const char *haystack, const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL)
    return FALSE;
  h = g_utf8_casefold (haystack, -1);
  n = g_utf8_casefold (needle, -1);
  return strstr (h, n) != NULL;
}

const char *
_rf_bounce_guess_mta (GMimeMessage *message, const char *text, gboolean is_dsn)
{
  GMimeObject *object = message != NULL ? GMIME_OBJECT (message) : NULL;
  /* the text folded once, not once per rule (a 256 KB report took a
   * casefold per rule) */
  g_autofree char *folded = text != NULL ? g_utf8_casefold (text, -1) : NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (mta_rules); i++)
    {
      const MtaRule *rule = &mta_rules[i];

      if (rule->header != NULL)
        {
          const char *value
              = object != NULL ? g_mime_object_get_header (object, rule->header) : NULL;

          if (value != NULL && (rule->contains == NULL || contains_nocase (value, rule->contains)))
            return rule->mta;
        }
      else if (folded != NULL)
        {
          g_autofree char *needle = g_utf8_casefold (rule->contains, -1);

          if (strstr (folded, needle) != NULL)
            return rule->mta;
        }
    }
  return is_dsn ? "rfc3464" : "unknown";
}

static GRegex *subject_re, *bounce_re;

static void
autoreply_compile (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      subject_re = g_regex_new ("^\\s*((re|aw|fw|fwd|sv|vs):\\s*)?(auto(matic)?[ _-]?(reply|response"
                                "|antwort)|autoreply|autoresponder|out of (the )?office|vacation"
                                "|abwesen|absence|auto:|r[ée]ponse automatique|i am (currently )?(out|away)"
                                "|automatische antwort|automatisch antwoord|risposta automatica"
                                "|respuesta autom[aá]tica|autorespuesta|odpowied[zź] automatyczna"
                                "|autosvar|automaattinen vastaus|resposta autom[aá]tica|on leave)",
                                G_REGEX_CASELESS, 0, NULL);
      bounce_re = g_regex_new ("undeliver|delivery|failure|failed|returned mail|mail system"
                               "|not (be )?delivered|non ?remis|unzustellbar",
                               G_REGEX_CASELESS, 0, NULL);
      g_once_init_leave (&done, 1);
    }
}

static gboolean
subject_autoreply (GMimeMessage *message)
{
  const char *subject = g_mime_message_get_subject (message);

  autoreply_compile ();
  return subject != NULL && g_regex_match (subject_re, subject, 0, NULL);
}

/* What the message's header says. */
static gboolean
looks_autoreply (GMimeMessage *message)
{
  GMimeObject *object = GMIME_OBJECT (message);
  const char *subject = g_mime_message_get_subject (message);
  const char *auto_submitted = g_mime_object_get_header (object, "Auto-Submitted");
  InternetAddressList *from = g_mime_message_get_from (message);
  g_autofree char *from_text
      = from != NULL ? internet_address_list_to_string (from, NULL, FALSE) : NULL;

  autoreply_compile ();
  if (subject != NULL && g_regex_match (subject_re, subject, 0, NULL))
    return TRUE;
  if (g_mime_object_get_header (object, "X-Autoreply") != NULL
      || g_mime_object_get_header (object, "X-Autorespond") != NULL)
    return TRUE;
  {
    const char *precedence = g_mime_object_get_header (object, "Precedence");

    if (precedence != NULL && contains_nocase (precedence, "auto_reply"))
      return TRUE;
  }
  /* RFC 3834; delivery reports carry "auto-replied" too, so only a message
   * that neither comes from a mailer-daemon nor reads like a bounce */
  if (auto_submitted != NULL && contains_nocase (auto_submitted, "auto-replied")
      && !contains_nocase (from_text, "mailer-daemon") && !contains_nocase (from_text, "postmaster")
      && (subject == NULL || !g_regex_match (bounce_re, subject, 0, NULL)))
    return TRUE;
  return FALSE;
}

/* What the body of a message from a person's address says of itself:
 * an automatic reply (vacation, challenge-response). */
static gboolean
body_autoreply (GMimeMessage *message, const char *report)
{
  static GRegex *re;
  static gsize done = 0;
  InternetAddressList *from = g_mime_message_get_from (message);
  g_autofree char *from_text
      = from != NULL ? internet_address_list_to_string (from, NULL, FALSE) : NULL;
  const char *subject = g_mime_message_get_subject (message);

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("this is an? auto(matic(ally generated)?)?[ -]?(reply|response)"
                        "|(apologi[sz]e for|sorry for) this auto(matic)?[ -]?(reply|response)"
                        "|i('m| am) (currently )?(out of (the )?office|on (vacation|holiday|leave)|away)"
                        "|i will be (out of (the )?office|away|on (vacation|holiday|leave))"
                        "|limited access to (my )?e-?mail|thank you for your (e-?mail|message|mail)"
                        /* challenge-response: the mail waits for the sender to
                         * prove itself, nothing failed */
                        "|approved senders|(guest|approved|safe|white) ?list|verify (that )?you are"
                        "|sender verification|boxbe|bluebottle|spam ?arrest|choicemail|mailblocks",
                        G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  autoreply_compile ();
  if (contains_nocase (from_text, "mailer-daemon") || contains_nocase (from_text, "postmaster")
      || (subject != NULL && g_regex_match (bounce_re, subject, 0, NULL)))
    return FALSE;
  return report != NULL && g_regex_match (re, report, 0, NULL);
}

gboolean
_rf_bounce_is_autoreply (GMimeMessage *message, const char *text)
{
  g_autofree char *report = NULL;
  RfWords words;

  report = text != NULL ? g_strndup (text, _rf_bounce_report_end (text)) : NULL;
  words = _rf_bounce_words (report);
  if (!looks_autoreply (message))
    return words != _RF_WORDS_GONE && words != _RF_WORDS_DISABLED
           && body_autoreply (message, report);
  /* a header is a claim about the message; a body that plainly says the
   * address is gone is a bounce, whatever its header says (only an
   * out-of-office subject keeps it an auto-reply) */
  if ((words == _RF_WORDS_GONE || words == _RF_WORDS_DISABLED) && !subject_autoreply (message))
    return FALSE;
  return TRUE;
}

/* Where a copy of the original message begins in a free-text report. */
static const char *const copy_markers[] = {
  "------ This is a copy of the message",
  "------ This is a copy of your message",
  "This is a copy of the message, including all the headers",
  "This is a copy of your message, including all the headers",
  "Message headers follow",
  "--- Below this line is a copy of the message",
  "----- Original message -----",
  "-----Original Message-----",
  "Original message headers:",
  "----- Unsent message follows -----",
  "----- Message header follows -----",
  "------- Returned Message --------",
  "The original message was:",
  "Original message follows.",
  "Content-Type: message/rfc822",
  "\nReceived: ",
  "\nReturn-Path: ",
};

gsize
_rf_bounce_report_end (const char *text)
{
  gsize end = strlen (text);

  for (gsize i = 0; i < G_N_ELEMENTS (copy_markers); i++)
    {
      const char *hit = strstr (text, copy_markers[i]);

      if (hit != NULL && (gsize)(hit - text) < end)
        end = hit - text;
    }
  return end;
}

char *
_rf_bounce_tidy_address (const char *found)
{
  static const char *const prefixes[] = { "smtp=", "smtp:", "rfc822;", "rfc822=", "rfc822:",
                                          "mailto:", "ex=", "x400=" };
  g_autofree char *v = NULL;
  char *start, *end, *at;
  gboolean again = TRUE;

  if (found == NULL)
    return NULL;
  v = g_strdup (found);
  start = v;
  while (again)
    {
      again = FALSE;
      while (*start != '\0' && strchr ("<>\"'`([{ \t,;:", *start) != NULL)
        {
          start++;
          again = TRUE;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
        if (g_ascii_strncasecmp (start, prefixes[i], strlen (prefixes[i])) == 0)
          {
            start += strlen (prefixes[i]);
            again = TRUE;
          }
    }
  end = start + strlen (start);
  while (end > start && strchr (">\"'`)]}. \t,;:", end[-1]) != NULL)
    end--;
  *end = '\0';
  at = strrchr (start, '@');
  if (at == NULL || at == start || at[1] == '\0')
    return NULL;
  *at = '\0';
  /* a quoted local part: "neko..nyaan"@example.org */
  {
    char *local = start;
    gsize llen = strlen (local);

    if (llen > 0 && local[llen - 1] == '"')
      local[--llen] = '\0';
    if (*local == '"')
      local++;
    if (*local == '\0' || strpbrk (local, " \t\r\n<>\"") != NULL)
      return NULL;
    {
      g_autofree char *domain = g_ascii_strdown (at + 1, -1);

      if (strpbrk (domain, " \t\r\n<>\"@") != NULL)
        return NULL;
      return g_strdup_printf ("%s@%s", local, domain);
    }
  }
}

static gboolean
excluded (const char *address, const char *const *exclude, const char *list_local,
          const char *list_domain)
{
  g_autofree char *lower = g_ascii_strdown (address, -1);
  const char *at = strchr (lower, '@');
  static const char *const robots[] = {
    "mailer-daemon@", "postmaster@", "mailer_daemon@", "maildelivery@",
    "noreply@",       "no-reply@",   "root@",          "double-bounce@",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (robots); i++)
    if (g_str_has_prefix (lower, robots[i]))
      return TRUE;
  /* an address of the report's own machinery, or a Message-ID */
  if (at == NULL || strchr (at + 1, '.') == NULL)
    return TRUE;
  for (; exclude != NULL && *exclude != NULL; exclude++)
    if (g_str_equal (lower, *exclude))
      return TRUE;
  /* the list's own addresses (LIST@, LIST-request@, LIST-bounces+...@),
   * quoted from the returned post */
  if (list_local != NULL && list_domain != NULL && g_str_equal (at + 1, list_domain))
    {
      gsize n = strlen (list_local);

      if (strncmp (lower, list_local, n) == 0
          && (lower[n] == '@' || lower[n] == '-' || lower[n] == '+'))
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
_rf_bounce_text_recipients (const char *text, const char *const *exclude, const char *list_local,
                            const char *list_domain)
{
  static GRegex *address_re, *ses_re, *msgid_re;
  static gsize done = 0;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *region = NULL;

  if (g_once_init_enter (&done))
    {
      address_re = g_regex_new ("\"[^\"\\s@]{1,64}\"@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+"
                                "|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+",
                                G_REGEX_OPTIMIZE, 0, NULL);
      ses_re = g_regex_new ("\"emailAddress\"\\s*:\\s*\"([^\"@\\s]+@[^\"\\s]+)\"", 0, 0, NULL);
      msgid_re = g_regex_new ("(message-id|in-reply-to|references)\\s*:\\s*$", G_REGEX_CASELESS, 0,
                              NULL);
      g_once_init_leave (&done, 1);
    }
  if (text == NULL)
    return g_steal_pointer (&out);
  /* Amazon SES notifications are JSON */
  if (g_regex_match (ses_re, text, 0, &match))
    {
      while (g_match_info_matches (match))
        {
          g_autofree char *a = g_match_info_fetch (match, 1);
          g_autofree char *n = _rf_bounce_tidy_address (a);

          if (n != NULL && !excluded (n, exclude, list_local, list_domain))
            g_ptr_array_add (out, g_steal_pointer (&n));
          g_match_info_next (match, NULL);
        }
      return g_steal_pointer (&out);
    }
  g_clear_pointer (&match, g_match_info_free);
  region = g_strndup (text, _rf_bounce_report_end (text));
  g_regex_match (address_re, region, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *a = g_match_info_fetch (match, 0);
      g_autofree char *n = NULL;
      gint start = 0, end = 0;

      g_match_info_fetch_pos (match, 0, &start, &end);
      /* "<id@host>" after a Message-ID: is no recipient */
      {
        g_autofree char *before = g_strndup (region + MAX (0, start - 40), MIN (start, 40));
        gsize blen = strlen (before);

        while (blen > 0 && (before[blen - 1] == '<' || before[blen - 1] == ' '))
          before[--blen] = '\0';
        if (g_regex_match (msgid_re, before, 0, NULL))
          {
            g_match_info_next (match, NULL);
            continue;
          }
      }
      n = _rf_bounce_tidy_address (a);
      if (n != NULL && !excluded (n, exclude, list_local, list_domain))
        {
          gboolean seen = FALSE;

          for (guint i = 0; i < out->len; i++)
            seen |= g_ascii_strcasecmp (g_ptr_array_index (out, i), n) == 0;
          if (!seen)
            g_ptr_array_add (out, g_steal_pointer (&n));
        }
      /* a bounce of a post's copy names its member; a report naming
       * hundreds is read for its first ones (issue 12: each costs a search
       * of the report) */
      if (out->len >= _RF_BOUNCE_TEXT_RECIPIENTS_MAX)
        break;
      g_match_info_next (match, NULL);
    }
  return g_steal_pointer (&out);
}

/* Whether @next continues the answer that @joined holds: an indented
 * (folded) line always; an unindented one when the sentence before it is
 * unfinished and it does not start another item of the report. */
static gboolean
continues (const char *joined, const char *next)
{
  gsize jlen = strlen (joined);
  const char *body = next + strspn (next, " \t");
  char last;

  if (*body == '\0' || *body == '\r')
    return FALSE;
  if (next[0] == ' ' || next[0] == '\t')
    return TRUE;
  while (jlen > 0 && g_ascii_isspace (joined[jlen - 1]))
    jlen--;
  last = jlen > 0 ? joined[jlen - 1] : '.';
  if (strchr (".!):;>", last) != NULL)
    return FALSE;
  if (*body == '<' || *body == '-' || *body == '=' || *body == '>' || strchr (body, '@') != NULL)
    return FALSE;
  /* another answer, not the rest of this one */
  if (g_ascii_isdigit (body[0]) && g_ascii_isdigit (body[1]) && g_ascii_isdigit (body[2])
      && (body[3] == ' ' || body[3] == '-'))
    return FALSE;
  return TRUE;
}

char *
_rf_bounce_text_diagnostic (const char *text, const char *address)
{
  g_autofree char *region = NULL;
  g_autofree char *lower = NULL;

  if (text == NULL)
    return NULL;
  region = g_strndup (text, _rf_bounce_report_end (text));
  lower = g_ascii_strdown (region, -1);
  return _rf_bounce_region_diagnostic (region, lower, address);
}

/* The line of @region that starts at @l, without its '\n'.  *next_out: the
 * start of the next line, or NULL after the last. */
static char *
line_at (const char *l, const char **next_out)
{
  const char *nl = strchr (l, '\n');

  *next_out = nl != NULL ? nl + 1 : NULL;
  return nl != NULL ? g_strndup (l, nl - l) : g_strdup (l);
}

char *
_rf_bounce_region_diagnostic (const char *region, const char *lower, const char *address)
{
  const char *from = NULL;

  if (region == NULL)
    return NULL;
  if (address != NULL)
    {
      g_autofree char *lower_address = g_ascii_strdown (address, -1);
      const char *hit = strstr (lower, lower_address);

      if (hit != NULL)
        {
          /* from the start of the line that names it: its code may come
           * first ("554 <ann@example.com>... Connection reset") */
          from = region + (hit - lower);
          while (from > region && from[-1] != '\n')
            from--;
        }
    }
  if (from == NULL)
    from = region;
  /* line by line from there, read as far as needed (issue 12: splitting
   * the whole rest for every recipient made a report naming thousands of
   * them cost seconds) */
  for (int pass = 0; pass < 2; pass++)
    for (const char *l = from, *next; l != NULL; l = next)
      {
        g_autofree char *line = line_at (l, &next);
        char reply = 0;
        g_autofree char *status = _rf_bounce_find_status (line, &reply);

        /* the first pass wants a status or reply code; the second any
         * line with words of the tables */
        if ((pass == 0 && (status != NULL || reply != 0))
            || (pass == 1 && _rf_bounce_words (line) != _RF_WORDS_NONE))
          {
            /* the answer goes on in the lines below: folded (Exim,
             * sendmail, Postfix) or wrapped */
            g_autoptr (GString) joined = g_string_new (line + _rf_bounce_code_offset (line));
            const char *m = next;

            for (int more = 1; more <= 8 && m != NULL; more++)
              {
                const char *after;
                g_autofree char *following = line_at (m, &after);

                if (!continues (joined->str, following))
                  break;
                g_string_append_c (joined, ' ');
                g_string_append (joined, following);
                m = after;
              }
            return _rf_bounce_one_line_max (joined->str, 2000);
          }
      }
  return NULL;
}

gboolean
_rf_bounce_says_delayed (const char *text)
{
  return _rf_bounce_words (text) == _RF_WORDS_DELAY;
}
