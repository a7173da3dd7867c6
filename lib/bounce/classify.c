/* classify.c - status codes, reply codes and diagnostic words to a bounce
 * class.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rule behind every table: a member's score may only rise when the
 * answer says the ADDRESS is gone (permanent).  A refusal of the list's
 * mail for what it is or where it comes from (policy) says nothing about
 * the address; anything that may pass later (temporary) neither.  When the
 * evidence disagrees, the class that costs the member nothing wins; when
 * there is none, the class is unknown.
 *
 * The knowledge in the tables is this project's own, written from RFC 3463
 * and the IANA registry of enhanced status codes (RFC 5248), RFC 5321's
 * reply codes, and what the public bounce parsers have learnt of the
 * servers' words (sisimai's reason classes, flufl.bounce's and Mailman's
 * detectors, Mail::DeliveryStatus::BounceParser, Haraka): no code of
 * theirs.
 *
 * Precedence (reflector.conf(5) says the same for administrators):
 *   1. Action delivered/relayed/expanded, or a 2.x.x status: no bounce;
 *      Action delayed: temporary (bounce.c).
 *   2. The words of the remote server's answer (else of the whole
 *      diagnostic, else of the report's own text) are put in one group of
 *      RfWords, the first that matches in the order of that enum.
 *   3. A 4xx reply or 4.x.x status: temporary; policy when it is 4.7.x or
 *      the words say filter or sender.
 *   4. Words that say "later" (delay, full, temporary trouble) or "refused
 *      for what it is" (filter, sender) win over any 5.x.x code.
 *   5. A specific status code (5.1.1, 5.2.2, 5.7.26 ...) decides.
 *   6. Otherwise the words decide: gone is permanent unless it came in
 *      answer to the message's content (after DATA: the receiver's filter,
 *      as the Japanese carriers' "reception settings" answer) or under a
 *      policy code (5.7.x): then policy; disabled is permanent; transient
 *      is temporary; refused is policy (permanent with an address code
 *      5.1.x).
 *   7. No words: the code's own default, if it has one; else unknown.  A
 *      bare 5xx reply says nothing of why.
 */
#include "bounce-private.h"

#include <string.h>

/* RFC 3463 class.subject.detail -> class.  "specific": the code names the
 * cause precisely enough to trust over the words (the words can still
 * lower a permanent code, never raise another to permanent); the generic
 * ones (x.0.0, 5.7.1 that servers send for anything) give a default for
 * when the words say nothing. */
typedef struct
{
  const char *prefix; /* "5.1.1", or "5.7." for the whole subject */
  RfBounceClass bounce_class;
  gboolean specific;
} StatusRule;

static const StatusRule status_rules[] = {
  /* 5.1 addressing */
  { "5.1.0", RF_BOUNCE_PERMANENT, FALSE }, /* other address status */
  { "5.1.1", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination mailbox */
  { "5.1.2", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination system */
  { "5.1.3", RF_BOUNCE_PERMANENT, TRUE },  /* bad destination mailbox syntax */
  { "5.1.4", RF_BOUNCE_PERMANENT, FALSE }, /* destination mailbox ambiguous */
  { "5.1.5", RF_BOUNCE_UNKNOWN, FALSE },   /* destination address valid */
  { "5.1.6", RF_BOUNCE_PERMANENT, TRUE },  /* mailbox has moved, no forwarding */
  { "5.1.7", RF_BOUNCE_POLICY, TRUE },     /* bad sender mailbox syntax: ours */
  { "5.1.8", RF_BOUNCE_POLICY, TRUE },     /* bad sender's system address */
  { "5.1.9", RF_BOUNCE_UNKNOWN, FALSE },   /* relayed to a non-compliant mailer */
  { "5.1.10", RF_BOUNCE_PERMANENT, TRUE }, /* recipient's domain has a null MX */
  { "5.1.", RF_BOUNCE_PERMANENT, FALSE },
  /* 5.2 mailbox */
  { "5.2.1", RF_BOUNCE_UNKNOWN, FALSE },   /* mailbox disabled: exists but refuses,
                                            * for good or for now; also the
                                            * carriers' filters: words decide */
  { "5.2.2", RF_BOUNCE_TEMPORARY, TRUE },  /* mailbox full */
  { "5.2.3", RF_BOUNCE_TEMPORARY, TRUE },  /* message longer than the mailbox takes */
  { "5.2.4", RF_BOUNCE_TEMPORARY, FALSE }, /* mailing list expansion problem */
  { "5.2.", RF_BOUNCE_UNKNOWN, FALSE },
  /* 5.3 mail system */
  { "5.3.1", RF_BOUNCE_TEMPORARY, TRUE },  /* mail system full */
  { "5.3.4", RF_BOUNCE_TEMPORARY, TRUE },  /* message too big for system */
  { "5.3.", RF_BOUNCE_TEMPORARY, FALSE },  /* not accepting, misconfigured ... */
  /* 5.4 network and routing */
  { "5.4.4", RF_BOUNCE_UNKNOWN, FALSE },   /* unable to route: a domain that does
                                            * not exist, or a DNS failure */
  { "5.4.7", RF_BOUNCE_TEMPORARY, TRUE },  /* delivery time expired */
  { "5.4.", RF_BOUNCE_TEMPORARY, FALSE },  /* no answer, bad connection, loops;
                                            * Microsoft's 5.4.1 "access denied" */
  /* 5.5 protocol: our side's trouble unless the words say more; the
   * generic 5.5.0 says nothing at all */
  { "5.5.0", RF_BOUNCE_UNKNOWN, FALSE },
  { "5.5.", RF_BOUNCE_TEMPORARY, FALSE },
  /* 5.6 media: the content refused */
  { "5.6.", RF_BOUNCE_POLICY, TRUE },
  /* 5.7 security and policy */
  { "5.7.0", RF_BOUNCE_POLICY, FALSE },    /* other security status */
  { "5.7.1", RF_BOUNCE_POLICY, FALSE },    /* delivery not authorised: any refusal */
  { "5.7.13", RF_BOUNCE_PERMANENT, TRUE }, /* user account disabled */
  { "5.7.16", RF_BOUNCE_TEMPORARY, TRUE }, /* too big for the priority */
  { "5.7.17", RF_BOUNCE_PERMANENT, TRUE }, /* mailbox owner has changed */
  { "5.7.18", RF_BOUNCE_PERMANENT, TRUE }, /* domain owner has changed */
  { "5.7.19", RF_BOUNCE_UNKNOWN, FALSE },  /* RRVS test cannot be completed */
  { "5.7.27", RF_BOUNCE_POLICY, TRUE },    /* OUR sender domain has a null MX */
  { "5.7.", RF_BOUNCE_POLICY, TRUE },      /* authentication, DKIM/SPF/DMARC,
                                            * encryption, flood, ARC */
  { "5.", RF_BOUNCE_UNKNOWN, FALSE },
  /* transient: never permanent */
  { "4.7.", RF_BOUNCE_POLICY, TRUE },      /* refused for now: reputation,
                                            * blocklist, rate of a sender */
  { "4.", RF_BOUNCE_TEMPORARY, TRUE },
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

/* The words, one pattern per group of RfWords, tried in that order: the
 * first group that matches anywhere in the text is what the text says.
 * Case-insensitive; written to match the servers' own sentences, not the
 * boilerplate of the reports ("including all the headers", "The following
 * address(es) failed", "This is a permanent error; I've given up"). */
typedef struct
{
  RfWords words;
  const char *pattern;
} WordsRule;

static const WordsRule words_rules[] = {
  /* a warning: the MTA goes on trying */
  { _RF_WORDS_DELAY,
    "delivery (has been |is )?(temporarily )?delayed|has not (yet )?been delivered"
    "|not (yet )?been able to deliver|will (continue|keep) (to )?(try|retry)ing"
    "|warning: (message|could not)|delivery status notification \\(delay\\)"
    "|still trying|delivery attempts will continue|will be retried|warning message only"
    "|you do not need to resend|message will be retried|has been delayed" },
  /* our envelope sender refused: nothing about the member */
  { _RF_WORDS_SENDER,
    "unroutable sender|sender (address|domain) (rejected|denied|invalid|does not exist)"
    "|domain of sender address|from: domain is invalid|sender verify failed"
    "|sender address has null mx|sender (address )?(is )?(blacklisted|blocked|not allowed)"
    "|(mail from|envelope sender|return-path) (address )?(rejected|refused|denied)"
    /* the sending service's own block list (Amazon SES and the like) */
    "|suppression list|suppressed address" },
  /* full: it passes once the member makes room */
  { _RF_WORDS_FULL,
    "(mailbox|mail ?box|inbox|account|disk|folder|user|recipient|storage)( is| has)? "
    "(full|over ?quota|exceeded)|over ?quota|quota (exceeded|full|limit)"
    "|exceed(s|ed)? (the |his |her |its |their |allowed |maximum )?(storage|quota|mailbox size)"
    "|mailbox exceeds|exceeds allowed size|insufficient (disk )?space|out of (disk )?space"
    "|storage (is )?full|no space left|mailbox size limit|mailfolder is full"
    "|has exceeded (his|her|its|the) (quota|storage)"
    "|(reached|exceeded|over) (the |its |his |her |their )?(disk |mailbox |storage )?quota"
    "|storage allocation|mailbox (has )?exceeded|too many messages (in|on) (the |this )?(mailbox|account)"
    "|full mailbox|mailbox size exceeded|not enough (disk )?space"
    /* de, fr, es, it, pt, nl */
    "|postfach (ist )?voll|speicherplatz|bo[iî]te (aux lettres )?(est )?pleine|buz[oó]n (est[aá] )?lleno"
    "|casella (di posta )?(è )?piena|caixa (de correio )?(est[aá] )?cheia|mailbox is vol" },
  /* says itself that it is for now, or that the trouble is on a mail
   * system's side rather than the address's */
  { _RF_WORDS_LATER,
    "try (again )?later|please try again|retry later|temporar(il)?y (unavailable|rejected"
    "|deferred|suspended|locked|blocked|disabled|failed|not available|inactive|unable)"
    "|temporary (failure|error|problem|local problem|lookup failure)|temporary locked"
    "|local (configuration|delivery) (error|failed)|mailer error|procmail|maildrop"
    "|couldn't create|could not create|cannot create|mail (program|command) (failed|died)"
    "|delivery program(\\(s\\)|s)? (failed|produced)|can't exec|broken pipe"
    "|malformed or unexpected name server reply|name server (failure|timeout)|servfail"
    "|failure in name resolution"
    "|host not found, try again|host not\\s+found,\\s+try again"
    "|insufficient (system )?(storage|resources)|system resources"
    "|message (size|is too (large|big)|too (large|big))|too (large|big)|size limit"
    "|exceeds? (the )?(maximum|size|message size)|message length exceeds"
    "|rate limit|rate-limit|ratelimit|too quickly|rate that prevents|too many (connections|messages|recipients|concurrent"
    "|sessions|errors)|frequency limit|receiving mail at a rate|greylist|graylist|deferred"
    "|does not support tls|starttls|tls (negotiation|handshake) failed|line limit"
    "|transaction failed|did not accept our requests to connect|socket error"
    "|unable to connect|operation timed|in the queue too long|host not reachable"
    "|not responding|not delivered within|delivery failed \\d+ attempts|hop count exceeded"
    "|retry timeout not reached|all hosts have been failing|routing loop|mail loop"
    "|loops back to myself|system (is )?busy"
    "|server (is )?busy|too busy|resources (temporarily )?unavailable" },
  /* refused for what the list's mail is or where it comes from */
  { _RF_WORDS_FILTER,
    "spam|junk mail|bulk mail|unsolicited|virus (found|detected)|(found|detected|contains?|containing"
    "|infected with) (a )?virus|malware|infected|phish|blacklist|blocklist"
    "|block list|black list|denylist|deny list|\\brbl\\b|dnsbl|\\bdnsrbl|spamhaus|spamcop"
    "|barracuda|sorbs|\\buribl|\\bsurbl|proofpoint|mimecast|cloudmark|(?<!not )listed (at|in|on|by)"
    "|(?<!account )(?<!mailbox )(?<!account is )(?<!has been )\\bblocked"
    "|\\bdmarc|\\bdkim|\\bspf\\b|sender policy|authentication (failed|required|failure|error)"
    "|not authenticated|unauthenticated|reverse (dns|lookup)|\\bptr\\b|\\brdns"
    "|reputation|policy|policies|content (rejected|filter)|message content"
    "|\\bbanned\\b|abuse|suspicious|rfc ?5322|rfc ?2822|not compliant|non-compliant"
    "|(invalid|bad|malformed|missing|duplicate|illegal|broken|too many|too long|syntax error in)"
    " (\\S+ )?header|header (error|violation|(is )?(missing|invalid|malformed))"
    "|tls (is )?required|encryption required|requiretls|permission to post"
    "|not (be )?(allowed|authori[sz]ed|permitted) to post|soyez pas autoris"
    "|groups\\.google\\.com|violation|invalid ip|not accepted due to|filtered|\\buce\\b|\\bubE\\b"
    "|content scanner|banned (url|word|content|attachment|file)|postini|messagelabs|ironport"
    "|spamassassin|looks like spam|appears to be (spam|unsolicited|bulk)|phishing|dangerous content"
    "|reject(ed)? by (the )?(recipient'?s? )?(content )?filter|junk|reception"
    "|rejected by (this|the) (user|recipient)|geographical location|geoip|\\bbad ip\\b"
    "|(your|sending|the) (server'?s? )?ip( address)? (is|was|has been) (listed|blocked|blacklisted|rejected)"
    "|connections not accepted from|not allowed to connect|not in (the )?whitelist|listing in"
    " settings|mismatches client ip|client host rejected|not allowed to send|open relay" },
  /* the mailbox or the domain is gone */
  { _RF_WORDS_GONE,
    "user (is )?unknown|unknown (user|recipient|local[- ]part|mailbox|address|alias)"
    "|no such (user|recipient|mailbox|account|address|person|domain|host)|addressee unknown"
    "|(user|recipient|mailbox|account|address|addressee) (does not|doesn't|did not) exist"
    "|(user|recipient|mailbox|address|account)( name)? (not found|unknown|invalid)"
    "|does not exist|doesn't exist|not a (valid|known) (mailbox|recipient|user|address)"
    "|invalid (recipient|mailbox|address|user)|bad destination mailbox|user not exist"
    "|recipient (address )?rejected: (user unknown|undeliverable|invalid|unknown)"
    "|no (such )?(mailbox|account|user) (here )?(by (that|this) name|for)|mailbox (not found|does not)"
    "|unrouteable address|address (is )?(no longer|not) (valid|available|in use)"
    "|undeliverable address|(unknown|invalid) local part|not our customer"
    "|no longer (available|active|in use|exists|valid)|couldn't be found"
    "|(address|mailbox|user) has moved|moved permanently|no forwarding address"
    "|(host|domain)( name)? (not found|unknown|does not exist)|couldn't find any host"
    "|couldn't find a mail exchanger|invalid (recipient |destination )?domain"
    "|host or domain name not found|no such domain|unknown (host|domain)|nxdomain"
    "|all relevant mx records point to non-existent hosts"
    "|domain (is )?(not|no longer) (accept|receiv)ing mail|does not accept mail"
    "|doesn't receive email|null mx|no mx (record|host)|mx lookup failed|unable to route"
    "|no route to (host|domain)|recipient not found|recipnotfound"
    "|destination (mailbox|address) (is )?(not|unavailable)"
    "|the email account that you tried to reach does not exist"
    "|doesn't have an? [^ ]+ account|domain is not reachable|invalid final delivery userid"
    "|not listed in (the )?(domino directory|public name & address book)"
    "|check if (the )?address is correct|no valid recipients|nosuchuser"
    "|unknown (e-?mail )?(address|user|recipient)|(recipient|user) name is not recognized"
    "|is not a (known|valid) (user|recipient|mailbox)|unrouteable mail domain|no valid (host|mx)"
    "|mail for .{1,80} loops back|address does not exist|e-?mail account does not exist"
    /* de, fr, es, it, pt, nl, pl, zh */
    "|(empf(ae|ä|a)nger|benutzer|adresse|mailbox|postfach) (ist )?unbekannt|existiert nicht|gibt es nicht"
    "|(destinataire|utilisateur|adresse) inconnu|n'existe pas|(usuario|destinatario|direcci[oó]n) desconocid"
    "|no existe|(utente|destinatario|indirizzo) (sconosciuto|inesistente)|non esiste"
    "|(usu[aá]rio|destinat[aá]rio) (desconhecido|inexistente)|n[aã]o existe|bestaat niet|onbekend"
    "|nie istnieje|nieznany (u[zż]ytkownik|odbiorca|adres)|用户不存在|帐户不存在|账户不存在|收件人不存在" },
  /* the account is closed, disabled, suspended */
  { _RF_WORDS_DISABLED,
    "account (has been |is )?(disabled|deactivated|suspended|expired|closed|inactive|locked"
    "|blocked|frozen|terminated|discontinued)"
    "|mailbox (is |has been )?(disabled|inactive|deactivated|suspended|closed|locked|frozen)"
    "|(user|recipient)( account)? (is |has been )?(disabled|suspended|inactive|terminated"
    "|deactivated)|this account (has been|is) (disabled|suspended)|deactivated mailbox"
    "|invalid/inactive user|inactive (account|user|mailbox)|user suspended|mailbox suspended"
    "|no longer accepts mail|archived recipient|that you tried to reach is disabled"
    "|currently suspended|(account|mailbox|address)( that you tried to reach)? is (inactive|disabled)"
    "|expired (account|mailbox|user)"
    "|mailbox unavailable or access denied" },
  /* weaker hints of trouble that passes */
  { _RF_WORDS_TRANSIENT,
    "temporar(il)?y|timed? ?out|connection (refused|reset|closed|lost|dropped)|could not connect"
    "|network is unreachable|retry time(out)? (not reached|exceeded)|message (has )?expired"
    "|expired|could not be delivered (within|for) \\d+|gave up|giving up|delivery time expired"
    "|system (is )?(full|error)|resources|local error|internal error|server error"
    "|service (currently|temporarily) unavailable" },
  /* refused, with no reason given */
  { _RF_WORDS_REFUSED,
    "rejected|denied|not permitted|not allowed|refused|prohibited|not authori[sz]ed"
    "|relay(ing)? (denied|not permitted|access)|no relay|not accepted|unacceptable"
    "|administrative prohibition|not a registered|forbidden|security|\\bfilter|restricted"
    "|(do|does|will) not relay|relay(ing)? (is )?(prohibited|not allowed)|not a relay" },
};

static GRegex *compiled[G_N_ELEMENTS (words_rules)];

static void
compile_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (words_rules); i++)
        {
          g_autoptr (GError) error = NULL;

          compiled[i]
              = g_regex_new (words_rules[i].pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &error);
          /* a pattern of this file that does not compile is a programmer's
           * error, caught by the unit tests */
          g_assert_no_error (error);
        }
      g_once_init_leave (&done, 1);
    }
}

RfWords
_rf_bounce_words (const char *text)
{
  static GRegex *address_re;
  static gsize done = 0;
  g_autofree char *plain = NULL;

  if (text == NULL || *text == '\0')
    return _RF_WORDS_NONE;
  compile_once ();
  if (g_once_init_enter (&done))
    {
      address_re = g_regex_new ("[^\\s<>\"'(),;:\\[\\]]+@[A-Za-z0-9.-]+", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  /* an address is a name, not a statement ("filtered@example.org",
   * "spam@..."); links are read, since a blocklist's address
   * ("spamhaus.org/query") says as much as its name */
  plain = g_regex_replace_literal (address_re, text, -1, 0, "ADDRESS", 0, NULL);
  if (plain == NULL)
    plain = g_strdup (text);
  for (gsize i = 0; i < G_N_ELEMENTS (words_rules); i++)
    if (g_regex_match (compiled[i], plain, 0, NULL))
      return words_rules[i].words;
  return _RF_WORDS_NONE;
}

RfBounceClass
_rf_bounce_words_class (RfWords words)
{
  switch (words)
    {
    case _RF_WORDS_DELAY:
    case _RF_WORDS_FULL:
    case _RF_WORDS_LATER:
    case _RF_WORDS_TRANSIENT:
      return RF_BOUNCE_TEMPORARY;
    case _RF_WORDS_SENDER:
    case _RF_WORDS_FILTER:
    case _RF_WORDS_REFUSED:
      return RF_BOUNCE_POLICY;
    case _RF_WORDS_GONE:
    case _RF_WORDS_DISABLED:
      return RF_BOUNCE_PERMANENT;
    case _RF_WORDS_NONE:
    default:
      return RF_BOUNCE_UNKNOWN;
    }
}

RfBounceClass
_rf_bounce_class_from_text (const char *text)
{
  return _rf_bounce_words_class (_rf_bounce_words (text));
}

/* The words of a diagnostic: the remote server's own answer first (after
 * its reply code), since the reporting MTA's label around it ("Unknown
 * address error 550-'5.7.1 ... Access denied'") is a guess. */
static RfWords
diagnostic_words (const char *diagnostic)
{
  gsize at;
  RfWords words;

  if (diagnostic == NULL)
    return _RF_WORDS_NONE;
  at = _rf_bounce_answer_offset (diagnostic);
  if (at > 0 && (words = _rf_bounce_words (diagnostic + at)) != _RF_WORDS_NONE)
    return words;
  return _rf_bounce_words (diagnostic);
}

/* Whether @text names the SMTP command its answer came to. */
static gboolean
stage_named (const char *text)
{
  static GRegex *re;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("(in reply to|after|did not like our) (rcpt to|mail from|end of data|data)"
                        "|rcpt to:<", G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  return text != NULL && g_regex_match (re, text, 0, NULL);
}

RfBounceClass
_rf_bounce_classify (const char *status, char reply, const char *diagnostic, const char *report)
{
  gboolean specific = FALSE;
  RfBounceClass by_status = _rf_bounce_class_from_status (status, &specific);
  RfWords words = diagnostic_words (diagnostic);
  char digit = status != NULL ? status[0] : reply;
  gboolean after_data;

  if (words == _RF_WORDS_NONE)
    {
      /* the report's own prose is weaker evidence than the server's
       * answer: it never overrides a specific code */
      if (specific && digit == '5')
        return by_status;
      words = _rf_bounce_words (report);
    }
  /* the stage the answer came at: the recipient's own diagnostic says it
   * best; the report's prose may be about another recipient */
  after_data = _rf_bounce_after_data (diagnostic)
               || (!stage_named (diagnostic) && _rf_bounce_after_data (report));

  if (digit == '2')
    return RF_BOUNCE_NOT_BOUNCE;
  /* transient by the protocol: never permanent */
  if (digit == '4')
    {
      if ((status != NULL && g_str_has_prefix (status, "4.7.")) || words == _RF_WORDS_FILTER
          || words == _RF_WORDS_SENDER)
        return RF_BOUNCE_POLICY;
      return RF_BOUNCE_TEMPORARY;
    }
  /* words that say "later" or "refused for what it is" beat any code */
  switch (words)
    {
    case _RF_WORDS_DELAY:
    case _RF_WORDS_FULL:
    case _RF_WORDS_LATER:
      return RF_BOUNCE_TEMPORARY;
    case _RF_WORDS_SENDER:
    case _RF_WORDS_FILTER:
      return RF_BOUNCE_POLICY;
    default:
      break;
    }
  if (specific)
    return by_status;
  switch (words)
    {
    case _RF_WORDS_GONE:
      if (after_data || (status != NULL && g_str_has_prefix (status, "5.7.")))
        return RF_BOUNCE_POLICY;
      return RF_BOUNCE_PERMANENT;
    case _RF_WORDS_DISABLED:
      return RF_BOUNCE_PERMANENT;
    case _RF_WORDS_TRANSIENT:
      return RF_BOUNCE_TEMPORARY;
    case _RF_WORDS_REFUSED:
      /* "550 5.1.0 Address rejected": the code says it is the address */
      if (status != NULL && g_str_has_prefix (status, "5.1.") && by_status == RF_BOUNCE_PERMANENT)
        return RF_BOUNCE_PERMANENT;
      return RF_BOUNCE_POLICY;
    default:
      return by_status;
    }
}

/* A session transcript (sendmail, Courier): the answer to ">>> DATA" is the
 * LAST "<<<" line after it, since with PIPELINING the answers to RCPT TO
 * come first.  Whether that answer says the user is unknown. */
static gboolean
data_answer_gone (const char *text)
{
  const char *p = text;

  while ((p = strstr (p, ">>> DATA")) != NULL)
    {
      const char *line = p, *last = NULL;

      while ((line = strchr (line, '\n')) != NULL)
        {
          line++;
          if (*line == '\n' || *line == '\r' || *line == '\0' || g_str_has_prefix (line, ">>>"))
            break;
          if (g_str_has_prefix (line, "<<<"))
            last = line;
        }
      if (last != NULL)
        {
          g_autofree char *answer = g_strndup (last, strcspn (last, "\r\n"));

          if (_rf_bounce_words (answer) == _RF_WORDS_GONE)
            return TRUE;
        }
      p += 8;
    }
  return FALSE;
}

gboolean
_rf_bounce_after_data (const char *text)
{
  static GRegex *data_re;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      data_re = g_regex_new ("(in reply to|after) end of data|after data command"
                             "|smtp command\\W*\\s*\\bdata\\b",
                             G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  return text != NULL && (g_regex_match (data_re, text, 0, NULL) || data_answer_gone (text));
}

/* A header line of a returned message quoted in the report: its numbers
 * are no status code. */
static gboolean
in_quoted_header (const char *text, gsize at)
{
  static GRegex *re;
  static gsize done = 0;
  gsize start = at;
  g_autofree char *line = NULL;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("^[\\s>]*(subject|from|to|cc|bcc|date|sent|message-id|x-[a-z0-9-]+"
                        "|user-agent|reply-to|organi[sz]ation|list-[a-z-]+|content-[a-z-]+"
                        "|in-reply-to|references|received|return-path|mime-version"
                        "|thread-[a-z]+|importance|precedence|sender|delivered-to)\\s*:",
                        G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  while (start > 0 && text[start - 1] != '\n')
    start--;
  line = g_strndup (text + start, at - start);
  return g_regex_match (re, line, 0, NULL);
}

/* A bare "2.0.12" after a word is a version ("Mailman 2.0.12", "Exim
 * 4.92.3"), unless the word is one that introduces a code. */
static gboolean
after_product_name (const char *text, gsize at)
{
  static const char *const introducers[]
      = { "status", "code",  "error", "smtp",    "said",   "reply", "response", "reason",
          "is",     "with",  "failed", "failure", "was",   "dsn",   "result",   "returned" };
  gsize end, begin;
  g_autofree char *word = NULL;

  if (at < 2 || text[at - 1] != ' ' || !g_ascii_isalpha (text[at - 2]))
    return FALSE;
  end = at - 1;
  begin = end;
  while (begin > 0 && g_ascii_isalpha (text[begin - 1]))
    begin--;
  word = g_ascii_strdown (text + begin, end - begin);
  for (gsize i = 0; i < G_N_ELEMENTS (introducers); i++)
    if (g_str_equal (word, introducers[i]))
      return FALSE;
  return TRUE;
}

char *
_rf_bounce_find_status (const char *text, char *reply_out)
{
  static GRegex *status_re, *reply_re, *answer_re;
  static gsize done = 0;
  g_autoptr (GMatchInfo) match = NULL;

  if (g_once_init_enter (&done))
    {
      /* a failure's code: 4.x.x or 5.x.x (a 2.x.x in prose is a transcript
       * of what went well, or a version number) */
      status_re = g_regex_new ("(?<![0-9A-Za-z._/-])([45])\\.([0-9]{1,3})\\.([0-9]{1,3})(?![0-9.])",
                               G_REGEX_OPTIMIZE, 0, NULL);
      /* "550-'5.7.1" or "550 5.7.1": the code the remote server gave */
      answer_re
          = g_regex_new ("(?<![0-9.])[45][0-9][0-9][ -]['#]?([45]\\.[0-9]{1,3}\\.[0-9]{1,3})"
                         "(?![0-9.])",
                         G_REGEX_OPTIMIZE, 0, NULL);
      reply_re
          = g_regex_new ("(?<![0-9.:-])([45])[0-9][0-9](?![0-9.:])[ -]", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  *reply_out = 0;
  if (text == NULL)
    return NULL;
  g_regex_match (answer_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      gint start = 0, end = 0;

      g_match_info_fetch_pos (match, 0, &start, &end);
      if (!in_quoted_header (text, start))
        return g_match_info_fetch (match, 1);
      g_match_info_next (match, NULL);
    }
  g_clear_pointer (&match, g_match_info_free);
  g_regex_match (status_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      gint start = 0, end = 0;

      g_match_info_fetch_pos (match, 0, &start, &end);
      if (!in_quoted_header (text, start) && !after_product_name (text, start))
        return g_match_info_fetch (match, 0);
      g_match_info_next (match, NULL);
    }
  g_clear_pointer (&match, g_match_info_free);
  g_regex_match (reply_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      gint start = 0, end = 0;

      g_match_info_fetch_pos (match, 0, &start, &end);
      if (!in_quoted_header (text, start))
        {
          g_autofree char *code = g_match_info_fetch (match, 1);
          *reply_out = code[0];
          break;
        }
      g_match_info_next (match, NULL);
    }
  return NULL;
}

gsize
_rf_bounce_answer_offset (const char *text)
{
  static GRegex *re;
  static gsize done = 0;
  g_autoptr (GMatchInfo) match = NULL;
  gint start = 0, end = 0;

  if (g_once_init_enter (&done))
    {
      re = g_regex_new ("(?<![0-9.:-])[45][0-9][0-9](?![0-9.:])[ -]", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }
  if (text == NULL || !g_regex_match (re, text, 0, &match))
    return 0;
  g_match_info_fetch_pos (match, 0, &start, &end);
  return start;
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
  return _rf_bounce_one_line_max (text, _RF_BOUNCE_DIAG_MAX);
}

char *
_rf_bounce_one_line_max (const char *text, guint max)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0' && out->len < 4 * max; p++)
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

    if (g_utf8_strlen (whole, -1) > (glong)max)
      {
        g_autofree char *head = g_utf8_substring (whole, 0, max);
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
