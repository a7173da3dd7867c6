/* dmarc.h - DMARC policy discovery for the From rewrite (issue 10).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a list needs of RFC 7489: which policy the author's domain asks
 * receivers to apply to mail that fails DMARC, since a list's copy (new
 * envelope, changed subject and body) always fails it.  listdeliver asks
 * once per post, before the policies run (they never do network I/O), and
 * hands the verdict to the dmarc policy (lib/policy/dmarc.c), which
 * rewrites From.  record.c parses records, org-domain.c finds the
 * organisational domain (libpsl), lookup.c asks DNS (c-ares).
 */
#pragma once

#include "core/core.h"

/* What a post's From domains ask for, mildest first. */
typedef enum {
  /* nothing to act on: no record, several records, p=none, a malformed
   * record (RFC 7489 6.6.3: no DMARC processing) */
  RF_DMARC_NONE = 0,
  /* the lookup failed: SERVFAIL, refused, no answer in time, a name
   * that cannot be asked.  The list rewrites (fail safe). */
  RF_DMARC_FAILED,
  RF_DMARC_QUARANTINE,
  RF_DMARC_REJECT,
} RfDmarcPolicy;

/* Whether a post whose domain asks for @policy gets its From rewritten. */
gboolean _rf_dmarc_rewrites (RfDmarcPolicy policy);
/* "none", "lookup failed", "quarantine", "reject" */
const char *_rf_dmarc_policy_name (RfDmarcPolicy policy);

/* ---- record.c: one TXT record (RFC 7489 6.3, 6.4) ---- */

/* A p= or sp= tag as written in a record. */
typedef enum {
  RF_DMARC_TAG_ABSENT = 0,
  RF_DMARC_TAG_INVALID,
  RF_DMARC_TAG_NONE,
  RF_DMARC_TAG_QUARANTINE,
  RF_DMARC_TAG_REJECT,
} RfDmarcTag;

typedef struct {
  RfDmarcTag p;
  RfDmarcTag sp;
} RfDmarcRecord;

/* Parse one TXT record (its strings already joined).  FALSE when it is
 * not a DMARC record at all: its first tag is not v=DMARC1 (exactly that
 * case, 6.4).  Unknown tags and tags without '=' are ignored (6.3);
 * pct, rua, adkim, ... are not read: a list acts on p and sp alone, and
 * treats any pct as 100. */
gboolean _rf_dmarc_parse_record (const char *text, RfDmarcRecord *out);
/* Of the TXT records at one name (@texts, NULL-terminated), the DMARC
 * ones: returns how many there are, and fills *out when there is exactly
 * one (6.6.3 steps 2 and 4: several records mean no policy). */
guint _rf_dmarc_select (const char *const *texts, RfDmarcRecord *out);
/* The policy a record asks for: p, or sp when @subdomain (the record was
 * found at the organisational domain, not at the From domain itself) and
 * sp is present.  An invalid or missing p, or an invalid sp, is
 * RF_DMARC_NONE (6.6.3 step 6). */
RfDmarcPolicy _rf_dmarc_record_policy (const RfDmarcRecord *record, gboolean subdomain);

/* ---- org-domain.c: names ---- */

/* The domain as DNS is asked for it: IDNA ASCII, lower case, no final dot,
 * LDH (and '_') labels of 1..63, short enough to prefix with "_dmarc.";
 * NULL when it is not such a name.  Returns: (transfer full). */
char *_rf_dmarc_domain_ascii (const char *domain);
/* The organisational domain of an ASCII @domain (RFC 7489 3.2): the
 * public suffix (Public Suffix List through libpsl, the newer of its
 * built-in and the system's copy) and one label more; @domain itself when
 * it is a public suffix.  Returns: (transfer full). */
char *_rf_dmarc_org_domain (const char *domain);
/* Whether the ASCII @domain is one of [dmarc] exempt_domains or a
 * subdomain of one (case-insensitive; an IDN may be written in either
 * form).  @config may be NULL (nothing is exempt). */
gboolean _rf_dmarc_exempt (const RfConfig *config, const char *domain);
/* [dmarc] resolver: "IPv4", "IPv4:port", "IPv6" or "[IPv6]:port" ->
 * c-ares' server list form "host:port" / "[v6]:port" (port 53 when
 * absent).  RF_ERROR_CONFIG naming the value otherwise.
 * Returns: (transfer full). */
char *_rf_dmarc_resolver_csv (const char *value, GError **error);
/* [dmarc] resolver = none: no DNS lookup at all (a site without DNS, or a
 * test that must not ask the world); dmarc_mitigation auto then rewrites
 * nothing, always still rewrites every post. */
gboolean _rf_dmarc_lookups_off (const RfConfig *config);

/* ---- lookup.c: DNS ---- */

typedef struct {
  RfDmarcPolicy policy;   /* the strictest of the domains' answers */
  char *detail;           /* why, one line for the activity log:
                           * "p=reject at _dmarc.example.org", "lookup of
                           * _dmarc.example.org timed out after 2000 ms" */
} RfDmarcVerdict;

void _rf_dmarc_verdict_free (RfDmarcVerdict *verdict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfDmarcVerdict, _rf_dmarc_verdict_free)

/* Policy discovery (RFC 7489 6.6.3) for each of @domains (NULL-terminated,
 * as written in From), all at once, within [dmarc] timeout_ms in total,
 * through [dmarc] resolver or the servers of /etc/resolv.conf: _dmarc.DOMAIN
 * first, then _dmarc.ORGANISATIONAL-DOMAIN when the first has no DMARC
 * record.  Never fails: trouble is RF_DMARC_FAILED with its reason.
 * Returns: (transfer full) free with _rf_dmarc_verdict_free(). */
RfDmarcVerdict *_rf_dmarc_lookup (const RfConfig *config, const char *const *domains);
