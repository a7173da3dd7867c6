/* classify.c - status codes and diagnostic words to a bounce class.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two tables, read in order, first match wins.  The rule behind both: a
 * member's score may only rise when the answer says the ADDRESS is gone
 * (permanent).  A refusal of the list's mail for what it is or where it
 * comes from (policy) says nothing about the address; anything that may
 * pass later (temporary) neither.  When in doubt, not permanent.
 */
#include "bounce-private.h"

#include <string.h>

/* RFC 3463 subject.detail -> class.  "specific": trust the code over the
 * words; the generic ones (x.0.0, 5.7.1 that servers send for anything)
 * leave the decision to the diagnostic text. */
typedef struct
{
  const char *prefix; /* "5.1.1", or "5.7." for the whole subject */
  RfBounceClass bounce_class;
  gboolean specific;
} StatusRule;

static const StatusRule status_rules[] = {
  { "5.1.0", RF_BOUNCE_PERMANENT, FALSE }, /* other address status */
  { "5.1.1", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination mailbox */
  { "5.1.2", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination system */
  { "5.1.3", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination mailbox syntax */
  { "5.1.4", RF_BOUNCE_PERMANENT, FALSE }, /* ambiguous */
  { "5.1.6", RF_BOUNCE_PERMANENT, TRUE },  /* mailbox has moved */
  { "5.1.7", RF_BOUNCE_POLICY, TRUE },     /* bad sender address: ours refused */
  { "5.1.8", RF_BOUNCE_POLICY, TRUE },     /* bad sender's system address */
  { "5.1.10", RF_BOUNCE_PERMANENT, TRUE }, /* null MX (RFC 7505) */
  { "5.1.", RF_BOUNCE_PERMANENT, FALSE },
  { "5.2.1", RF_BOUNCE_PERMANENT, FALSE }, /* mailbox disabled (also used for
                                            * filtering: words decide) */
  { "5.2.2", RF_BOUNCE_TEMPORARY, TRUE },  /* mailbox full */
  { "5.2.3", RF_BOUNCE_TEMPORARY, TRUE },  /* message too long for mailbox */
  { "5.2.", RF_BOUNCE_UNKNOWN, FALSE },
  { "5.3.4", RF_BOUNCE_TEMPORARY, TRUE },  /* message too big for system */
  { "5.3.", RF_BOUNCE_TEMPORARY, FALSE },  /* mail system status */
  { "5.4.1", RF_BOUNCE_PERMANENT, TRUE },  /* Exchange Online: "Recipient
                                            * address rejected: Access
                                            * denied", no such recipient */
  { "5.4.4", RF_BOUNCE_PERMANENT, FALSE }, /* unable to route */
  { "5.4.", RF_BOUNCE_TEMPORARY, FALSE },  /* network and routing */
  { "5.5.", RF_BOUNCE_TEMPORARY, FALSE },  /* protocol: our side's trouble,
                                            * unless the words say more */
  { "5.6.", RF_BOUNCE_POLICY, TRUE },      /* media: content refused */
  { "5.7.13", RF_BOUNCE_PERMANENT, TRUE }, /* user account disabled */
  { "5.7.27", RF_BOUNCE_PERMANENT, TRUE }, /* sender domain has null MX */
  { "5.7.1", RF_BOUNCE_POLICY, FALSE },    /* delivery not authorised */
  { "5.7.0", RF_BOUNCE_POLICY, FALSE },
  { "5.7.", RF_BOUNCE_POLICY, TRUE }, /* security and policy */
  { "5.", RF_BOUNCE_UNKNOWN, FALSE },
  { "4.7.", RF_BOUNCE_POLICY, TRUE },      /* refused for now: reputation,
                                            * blocklist, rate of a sender */
  { "4.0.0", RF_BOUNCE_TEMPORARY, FALSE }, /* the words may say "blocked" */
  { "4.", RF_BOUNCE_TEMPORARY, TRUE },     /* persistent transient failure */
  { "2.", RF_BOUNCE_NOT_BOUNCE, TRUE },    /* delivered, relayed, expanded */
};

RfBounceClass
_rf_bounce_class_from_status (const char *status, gboolean *specific_out)
{
  *specific_out = FALSE;
  if (status == NULL)
    return RF_BOUNCE_UNKNOWN;
  for (gsize i = 0; i < G_N_ELEMENTS (status_rules); i++)
    {
      const char *p = status_rules[i].prefix;
      gsize n = strlen (p);

      /* "5.1.1" must not match "5.1.10" */
      if (strncmp (status, p, n) == 0 && (p[n - 1] == '.' || status[n] == '\0'))
        {
          *specific_out = status_rules[i].specific;
          return status_rules[i].bounce_class;
        }
    }
  return RF_BOUNCE_UNKNOWN;
}

/* The words.  Case-insensitive regular expressions, first match wins, so
 * the order matters: what names the address (strong) first, then what says
 * "later", then what says "refused for what it is". */
typedef struct
{
  const char *pattern;
  RfBounceClass bounce_class;
  gboolean strong;
} TextRule;

static const TextRule text_rules[] = {
  /* delivery delayed: warnings, not failures */
  { "delivery (has been |is )?(temporarily )?delayed|has not (yet )?been delivered"
    "|not (yet )?been able to deliver|will (continue|keep) (to )?(try|retry)ing"
    "|warning: (message|could not)|delivery status notification \\(delay\\)"
    "|still trying|delivery attempts will continue|retry timeout not reached"
    "|all hosts have been failing for a long time|has been delayed|will be retried"
    "|warning message only|host not found, try again|receiving mail at a rate"
    "|does not support tls|starttls|line limit|transaction failed"
    "|did not accept our requests to connect|socket error|unable to connect"
    "|operation timed|in the queue too long|host not reachable|not responding"
    "|not delivered within|host not\\s+found,\\s+try again|mailbox exceeds|exceeds allowed size"
    "|delivery failed \\d+ attempts|hop count exceeded|frequency limited",
    RF_BOUNCE_TEMPORARY, FALSE },
  /* our sender address or domain refused: says nothing of the member */
  { "unroutable sender|sender (address|domain) (rejected|denied|invalid|does not exist)"
    "|domain of sender address|from: domain is invalid|sender verify failed",
    RF_BOUNCE_POLICY, FALSE },
  /* the mailbox or the domain is gone */
  { "user (is )?unknown|unknown (user|recipient|local[- ]part|mailbox|address)"
    "|no such (user|recipient|mailbox|account|address|person)"
    "|(user|recipient|mailbox|account|address|addressee) (does not|doesn't|did not) exist"
    "|(user|recipient|mailbox|address|account)( name)? (not found|unknown|invalid)"
    "|does not exist|doesn't exist|not a valid (mailbox|recipient|user|address)"
    "|invalid (recipient|mailbox|address|user)|bad destination mailbox"
    "|recipient (address )?rejected: (user unknown|undeliverable|invalid|unknown)"
    "|no (mailbox|account) (here )?(by that name|for)|mailbox (not found|unavailable|does not)"
    "|unrouteable address|address (is )?(no longer|not) (valid|available|in use)"
    "|undeliverable address|(unknown|invalid) local part|not our customer"
    "|no longer (available|active|in use|exists|valid)|couldn't be found"
    "|account (has been |is )?(disabled|deactivated|suspended|expired|closed|inactive|locked)"
    "|mailbox (is |has been )?(disabled|inactive|deactivated|suspended|closed|locked)"
    "|(user|recipient)( account)? (is |has been )?(disabled|suspended|inactive|terminated)"
    "|this account (has been|is) (disabled|suspended)|address (has )?moved"
    "|(host|domain)( name)? (not found|unknown|does not exist)"
    "|host or domain name not found|no such domain|unknown (host|domain)"
    "|all relevant mx records point to non-existent hosts"
    "|domain (is )?(not|no longer) (accept|receiv)ing mail|does not accept mail"
    "|null mx|no mx (record|host)|mx lookup failed|dns (error|lookup failed)"
    "|unable to route|no route to (host|domain)|recipient not found"
    "|destination (mailbox|address) (is )?(not|unavailable)"
    "|the email account that you tried to reach (does not exist|is disabled)"
    "|mailbox is frozen|account (is |has been )?blocked|doesn't have an? [^ ]+ account"
    "|domain is not reachable|invalid final delivery userid"
    "|not listed in (the )?(domino directory|public name & address book)"
    "|check if (the )?address is correct|no valid recipients",
    RF_BOUNCE_PERMANENT, TRUE },
  /* later: a full mailbox, a slow or busy server, a message too big */
  { "(mailbox|mail ?box|inbox|account|disk|folder) (is )?(full|over ?quota|exceeded)"
    "|over ?quota|quota (exceeded|full)|exceed(s|ed)? (the |his |her |its )?(storage|quota)"
    "|insufficient (disk |system )?(space|storage)|out of (disk )?space|storage (is )?full"
    "|too many (connections|messages|recipients|concurrent)|rate limit|rate-limit"
    "|try again later|please try (again )?later|temporar(il)?y|timed? ?out"
    "|connection (refused|reset|closed|lost|dropped)|could not connect|network is unreachable"
    "|retry time(out)? (not reached|exceeded)|message (has )?expired|expired"
    "|could not be delivered (within|for) \\d+|gave up|giving up|delivery time expired"
    "|message (size|is too (large|big)|too (large|big))|exceeds? (the )?(maximum|size|message size)"
    "|size limit|too (large|big)|system (is )?(busy|full|error)|resources"
    "|local (configuration|delivery) (error|failed)|mailer error|deferred|greylist",
    RF_BOUNCE_TEMPORARY, FALSE },
  /* refused for what the mail is or where it comes from */
  { "spam|junk|bulk mail|virus|malware|blacklist|blocklist|block list|black list"
    "|\\brbl\\b|dnsbl|spamhaus|spamcop|barracuda|sorbs|listed (at|in|on|by)"
    "|blocked|\\bblock\\b|dmarc|dkim|\\bspf\\b|sender policy|authentication"
    "|not authenticated|reverse (dns|lookup)|\\bptr\\b|rdns|reputation|poor reputation"
    "|policy|content (rejected|filter)|message content|rejected|denied|not permitted"
    "|not allowed|refused|relay(ing)? (denied|not permitted|access)|not authori[sz]ed"
    "|prohibited|filter|security|\\bbanned\\b|abuse|suspicious|rfc ?5322|rfc ?2822"
    "|header|not compliant|unsolicited|tls (is )?required|encryption required"
    "|permission to post|groups\\.google\\.com|violation|invalid ip",
    RF_BOUNCE_POLICY, FALSE },
};

static GRegex *compiled[G_N_ELEMENTS (text_rules)];

static void
compile_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (text_rules); i++)
        {
          g_autoptr (GError) error = NULL;

          compiled[i]
              = g_regex_new (text_rules[i].pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &error);
          /* a pattern of this file that does not compile is a programmer's
           * error, caught by the unit tests */
          g_assert_no_error (error);
        }
      g_once_init_leave (&done, 1);
    }
}

RfBounceClass
_rf_bounce_class_from_text (const char *text, gboolean *strong_out)
{
  *strong_out = FALSE;
  if (text == NULL || *text == '\0')
    return RF_BOUNCE_UNKNOWN;
  compile_once ();
  for (gsize i = 0; i < G_N_ELEMENTS (text_rules); i++)
    if (g_regex_match (compiled[i], text, 0, NULL))
      {
        *strong_out = text_rules[i].strong;
        return text_rules[i].bounce_class;
      }
  return RF_BOUNCE_UNKNOWN;
}

gboolean
_rf_bounce_after_data (const char *text)
{
  static GRegex *data_re;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      data_re = g_regex_new ("(in reply to|after) end of data|>>> DATA\\s*\\n\\s*<<< [45]"
                             "|after data command",
                             G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  return text != NULL && g_regex_match (data_re, text, 0, NULL);
}

gboolean
_rf_bounce_says_disabled (const char *text)
{
  static GRegex *re;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("disabled|inactive|suspended|deactivated|closed|terminated",
                        G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  return text != NULL && g_regex_match (re, text, 0, NULL);
}

char *
_rf_bounce_find_status (const char *text, char *reply_out)
{
  static GRegex *status_re, *reply_re, *answer_re;
  static gsize done = 0;
  g_autoptr (GMatchInfo) match = NULL;

  if (g_once_init_enter (&done))
    {
      status_re = g_regex_new ("(?<![0-9.])([245])\\.([0-9]{1,3})\\.([0-9]{1,3})(?![0-9.])",
                               G_REGEX_OPTIMIZE, 0, NULL);
      /* "550-'5.7.1" or "550 5.7.1": the code the remote server gave */
      answer_re
          = g_regex_new ("(?<![0-9.])[245][0-9][0-9][ -]['#]?([245]\\.[0-9]{1,3}\\.[0-9]{1,3})"
                         "(?![0-9.])",
                         G_REGEX_OPTIMIZE, 0, NULL);
      reply_re
          = g_regex_new ("(?<![0-9.-])([245])[0-9][0-9](?![0-9.])[ -]", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  *reply_out = 0;
  if (text == NULL)
    return NULL;
  if (g_regex_match (answer_re, text, 0, &match))
    return g_match_info_fetch (match, 1);
  g_clear_pointer (&match, g_match_info_free);
  if (g_regex_match (status_re, text, 0, &match))
    return g_match_info_fetch (match, 0);
  g_clear_pointer (&match, g_match_info_free);
  if (g_regex_match (reply_re, text, 0, &match))
    {
      g_autofree char *code = g_match_info_fetch (match, 1);
      *reply_out = code[0];
    }
  return NULL;
}

gsize
_rf_bounce_code_offset (const char *line)
{
  static GRegex *code_re;
  static gsize done = 0;
  g_autoptr (GMatchInfo) match = NULL;
  gint start = 0, end = 0;

  if (g_once_init_enter (&done))
    {
      code_re = g_regex_new (
          "(?<![0-9.-])([245][0-9][0-9][ -]|[245]\\.[0-9]{1,3}\\.[0-9]{1,3}(?![0-9.]))",
          G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  if (g_utf8_strlen (line, -1) <= _RF_BOUNCE_DIAG_MAX || !g_regex_match (code_re, line, 0, &match))
    return 0;
  g_match_info_fetch_pos (match, 0, &start, &end);
  return start;
}

char *
_rf_bounce_one_line (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0' && out->len < 4 * _RF_BOUNCE_DIAG_MAX; p++)
    {
      if (g_ascii_isspace (*p) || (guchar)*p < 0x20 || *p == 0x7f)
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  /* the byte limit above may have cut a character in two */
  {
    g_autofree char *whole = g_utf8_make_valid (out->str, out->len);

    if (g_utf8_strlen (whole, -1) > _RF_BOUNCE_DIAG_MAX)
      {
        g_autofree char *head = g_utf8_substring (whole, 0, _RF_BOUNCE_DIAG_MAX);
        g_string_assign (out, head);
      }
    else
      g_string_assign (out, whole);
  }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}
