/* test-dmarc.c - DMARC mitigation (issue 10): the records (RFC 7489), the
 * organisational domain, the lookup against a DNS server on loopback that
 * the test runs, and the From rewrite on real message shapes.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* records                                                              */
/* ------------------------------------------------------------------ */

static RfDmarcPolicy
policy_of (const char *text, gboolean subdomain)
{
  RfDmarcRecord record;

  g_assert_true (_rf_dmarc_parse_record (text, &record));
  return _rf_dmarc_record_policy (&record, subdomain);
}

static void
test_record_parse (void)
{
  RfDmarcRecord r;

  g_assert_true (_rf_dmarc_parse_record ("v=DMARC1; p=reject", &r));
  g_assert_cmpint (r.p, ==, RF_DMARC_TAG_REJECT);
  g_assert_cmpint (r.sp, ==, RF_DMARC_TAG_ABSENT);
  g_assert_true (_rf_dmarc_parse_record ("v=DMARC1;p=quarantine;sp=none;pct=20;"
                                         "rua=mailto:d@example.org",
                                         &r));
  g_assert_cmpint (r.p, ==, RF_DMARC_TAG_QUARANTINE);
  g_assert_cmpint (r.sp, ==, RF_DMARC_TAG_NONE);
  /* blanks around '=' and ';', tag names and values in any case, a final ';' */
  g_assert_cmpint (policy_of (" v = DMARC1 ;\tP = Reject ; ", FALSE), ==, RF_DMARC_REJECT);
  /* pct is not read: any pct is 100 */
  g_assert_cmpint (policy_of ("v=DMARC1; p=quarantine; pct=0", FALSE), ==, RF_DMARC_QUARANTINE);
  g_assert_cmpint (policy_of ("v=DMARC1; pct=10; p=reject", FALSE), ==, RF_DMARC_REJECT);
  /* a syntax error in the rest is skipped (6.3); the first of a repeated tag */
  g_assert_cmpint (policy_of ("v=DMARC1; garbage; p=reject; p=none", FALSE), ==,
                   RF_DMARC_REJECT);
  g_assert_cmpint (policy_of ("v=DMARC1; p=none", FALSE), ==, RF_DMARC_NONE);

  /* not DMARC records at all: v=DMARC1 first, its value exactly so */
  g_assert_false (_rf_dmarc_parse_record ("", &r));
  g_assert_false (_rf_dmarc_parse_record ("v=spf1 -all", &r));
  g_assert_false (_rf_dmarc_parse_record ("v=dmarc1; p=reject", &r));
  g_assert_false (_rf_dmarc_parse_record ("v=DMARC10; p=reject", &r));
  g_assert_false (_rf_dmarc_parse_record ("p=reject; v=DMARC1", &r));
  g_assert_false (_rf_dmarc_parse_record ("v=DMARC1 p=reject", &r));
  g_assert_false (_rf_dmarc_parse_record ("DMARC1; p=reject", &r));
  g_assert_false (_rf_dmarc_parse_record (NULL, &r));
}

static void
test_record_policy (void)
{
  /* malformed: no p, a p or an sp that is not a policy (6.6.3 step 6) */
  g_assert_cmpint (policy_of ("v=DMARC1", FALSE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; sp=reject", TRUE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; p=rejected", FALSE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; p=", FALSE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; p=reject; sp=bogus", FALSE), ==, RF_DMARC_NONE);
  /* sp only for the subdomains of the organisational domain */
  g_assert_cmpint (policy_of ("v=DMARC1; p=none; sp=reject", FALSE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; p=none; sp=reject", TRUE), ==, RF_DMARC_REJECT);
  g_assert_cmpint (policy_of ("v=DMARC1; p=reject; sp=none", TRUE), ==, RF_DMARC_NONE);
  g_assert_cmpint (policy_of ("v=DMARC1; p=reject; sp=none", FALSE), ==, RF_DMARC_REJECT);
  /* no sp: p covers the subdomains too */
  g_assert_cmpint (policy_of ("v=DMARC1; p=quarantine", TRUE), ==, RF_DMARC_QUARANTINE);

  g_assert_false (_rf_dmarc_rewrites (RF_DMARC_NONE));
  g_assert_true (_rf_dmarc_rewrites (RF_DMARC_FAILED));
  g_assert_true (_rf_dmarc_rewrites (RF_DMARC_QUARANTINE));
  g_assert_true (_rf_dmarc_rewrites (RF_DMARC_REJECT));
}

static void
test_record_select (void)
{
  const char *const one[] = { "v=spf1 -all", "v=DMARC1; p=reject", "hello", NULL };
  const char *const two[] = { "v=DMARC1; p=reject", "v=DMARC1; p=none", NULL };
  const char *const none[] = { "v=spf1 -all", NULL };
  const char *const empty[] = { NULL };
  RfDmarcRecord r = { RF_DMARC_TAG_ABSENT, RF_DMARC_TAG_ABSENT };

  g_assert_cmpuint (_rf_dmarc_select (one, &r), ==, 1);
  g_assert_cmpint (r.p, ==, RF_DMARC_TAG_REJECT);
  /* several records: no policy, whatever they say (6.6.3 step 4) */
  g_assert_cmpuint (_rf_dmarc_select (two, &r), ==, 2);
  g_assert_cmpuint (_rf_dmarc_select (none, &r), ==, 0);
  g_assert_cmpuint (_rf_dmarc_select (empty, &r), ==, 0);
  g_assert_cmpuint (_rf_dmarc_select (NULL, &r), ==, 0);
}

/* ------------------------------------------------------------------ */
/* names                                                                */
/* ------------------------------------------------------------------ */

static void
check_ascii (const char *in, const char *expected)
{
  g_autofree char *out = _rf_dmarc_domain_ascii (in);

  g_assert_cmpstr (out, ==, expected);
}

static void
check_org (const char *in, const char *expected)
{
  g_autofree char *out = _rf_dmarc_org_domain (in);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_names (void)
{
  RfConfig config = { 0 };
  char *exempt[] = { (char *) " Example.ORG ", (char *) "partner.test.", (char *) "",
                     (char *) "bücher.example", NULL };

  check_ascii ("Example.COM.", "example.com");
  check_ascii ("bücher.example", "xn--bcher-kva.example");
  check_ascii ("a_b.example", "a_b.example");
  check_ascii ("bad domain.example", NULL);
  check_ascii ("[192.0.2.1]", NULL);
  check_ascii ("192.0.2.1", NULL);
  check_ascii ("a..example", NULL);
  check_ascii ("", NULL);
  check_ascii (NULL, NULL);
  {
    g_autofree char *label = g_strnfill (64, 'a');
    g_autofree char *name = g_strconcat (label, ".example", NULL);

    check_ascii (name, NULL);
  }

  /* the Public Suffix List (RFC 7489 3.2) */
  check_org ("example.com", "example.com");
  check_org ("mail.lists.example.com", "example.com");
  check_org ("example.co.uk", "example.co.uk");
  check_org ("a.b.example.co.uk", "example.co.uk");
  check_org ("co.uk", "co.uk");
  /* a TLD the list does not know: its "*" rule */
  check_org ("sub.org.test", "org.test");

  config.dmarc_exempt_domains = exempt;
  g_assert_true (_rf_dmarc_exempt (&config, "example.org"));
  g_assert_true (_rf_dmarc_exempt (&config, "lists.example.org"));
  g_assert_false (_rf_dmarc_exempt (&config, "badexample.org"));
  g_assert_false (_rf_dmarc_exempt (&config, "org"));
  g_assert_true (_rf_dmarc_exempt (&config, "partner.test"));
  g_assert_false (_rf_dmarc_exempt (&config, "other.test"));
  g_assert_false (_rf_dmarc_exempt (NULL, "example.org"));
  g_assert_true (_rf_dmarc_exempt (&config, "lists.xn--bcher-kva.example"));
}

static void
check_csv (const char *in, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = _rf_dmarc_resolver_csv (in, &error);

  g_assert_cmpstr (out, ==, expected);
  if (expected == NULL)
    g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  else
    g_assert_no_error (error);
}

static void
test_resolver_value (void)
{
  check_csv ("127.0.0.1", "127.0.0.1:53");
  check_csv ("127.0.0.1:5353", "127.0.0.1:5353");
  check_csv ("::1", "[::1]:53");
  check_csv ("[::1]:5353", "[::1]:5353");
  check_csv ("[::1]", "[::1]:53");
  check_csv ("localhost", NULL);
  check_csv ("127.0.0.1:0", NULL);
  check_csv ("127.0.0.1:65536", NULL);
  check_csv ("127.0.0.1:", NULL);
  check_csv ("[::1", NULL);
  check_csv ("[::1]x", NULL);
  check_csv ("", NULL);
}

static void
test_config (void)
{
  g_autofree char *dir = g_dir_make_tmp ("rf-dmarc-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "reflector.conf", NULL);
  g_autoptr (RfConfig) defaults = NULL;
  g_autoptr (RfConfig) config = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "[paths]\nstate_dir = /tmp\n", -1, NULL));
  defaults = rf_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (defaults->dmarc_resolver);
  g_assert_cmpint (defaults->dmarc_timeout_ms, ==, 2000);
  g_assert_true (defaults->dmarc_exempt_domains == NULL ||
                 defaults->dmarc_exempt_domains[0] == NULL);

  g_assert_true (g_file_set_contents (path,
                                      "[dmarc]\nresolver = 127.0.0.1:5353\ntimeout_ms = 250\n"
                                      "exempt_domains = example.org;partner.test\n",
                                      -1, NULL));
  config = rf_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->dmarc_resolver, ==, "127.0.0.1:5353");
  g_assert_cmpint (config->dmarc_timeout_ms, ==, 250);
  g_assert_cmpuint (g_strv_length (config->dmarc_exempt_domains), ==, 2);
  g_assert_cmpstr (config->dmarc_exempt_domains[1], ==, "partner.test");

  /* a resolver that is no address, a timeout out of range: refused at load */
  g_assert_true (g_file_set_contents (path, "[dmarc]\nresolver = dns.example\n", -1, NULL));
  g_assert_null (rf_config_load (path, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "[dmarc] resolver"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "[dmarc]\ntimeout_ms = 0\n", -1, NULL));
  g_assert_null (rf_config_load (path, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------ */
/* the lookup, against a DNS server of the test's own on 127.0.0.1      */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *name;
  int rcode;                    /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN; -1: no answer */
  const char *records[3][3];    /* up to 3 TXT records of up to 3 strings */
} Zone;

static const Zone zones[] = {
  /* one record in two strings (a long record is split so) */
  { "_dmarc.reject.test", 0, { { "v=DMARC1; ", "p=reject", NULL } } },
  { "_dmarc.quarantine.test", 0, { { "v=DMARC1; p=quarantine; pct=5", NULL } } },
  { "_dmarc.none.test", 0, { { "v=DMARC1; p=none", NULL } } },
  { "_dmarc.org.test", 0, { { "v=DMARC1; p=none; sp=reject", NULL } } },
  { "_dmarc.own.org.test", 0, { { "v=DMARC1; p=quarantine", NULL } } },
  { "_dmarc.spf.test", 0, { { "v=spf1 -all", NULL } } },
  { "_dmarc.mixed.test", 0, { { "v=spf1 -all", NULL }, { "v=DMARC1; p=quarantine", NULL } } },
  { "_dmarc.twice.test", 0, { { "v=DMARC1; p=reject", NULL }, { "v=DMARC1; p=none", NULL } } },
  { "_dmarc.servfail.test", 2, { { NULL } } },
  { "_dmarc.silent.test", -1, { { NULL } } },
};

typedef struct {
  int fd;
  guint16 port;
  volatile gint stop;
  GThread *thread;
} Server;

static const Zone *
zone_of (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (zones); i++)
    if (g_ascii_strcasecmp (zones[i].name, name) == 0)
      return &zones[i];
  return NULL;
}

/* Answer one query datagram; FALSE for no answer. */
static gboolean
answer (const guint8 *q, gsize qlen, GByteArray *out)
{
  g_autoptr (GString) name = g_string_new (NULL);
  gsize pos = 12;
  const Zone *zone;
  guint8 header[12];
  guint16 ancount = 0;
  int rcode;

  if (qlen < 12)
    return FALSE;
  while (pos < qlen && q[pos] != 0)
    {
      if (name->len > 0)
        g_string_append_c (name, '.');
      g_string_append_len (name, (const char *) q + pos + 1, MIN (q[pos], qlen - pos - 1));
      pos += q[pos] + 1;
    }
  pos += 1 + 4;   /* the root label, QTYPE, QCLASS */
  if (pos > qlen)
    return FALSE;
  zone = zone_of (name->str);
  rcode = zone != NULL ? zone->rcode : 3;
  if (rcode < 0)
    return FALSE;
  for (int r = 0; zone != NULL && rcode == 0 && r < 3 && zone->records[r][0] != NULL; r++)
    ancount++;
  memcpy (header, q, 2);               /* the query's id */
  header[2] = 0x81 | (q[2] & 0x01);    /* QR, AA, RD as asked */
  header[3] = 0x80 | rcode;            /* RA */
  header[4] = 0, header[5] = 1;        /* one question */
  header[6] = ancount >> 8, header[7] = ancount & 0xff;
  memset (header + 8, 0, 4);
  g_byte_array_append (out, header, 12);
  g_byte_array_append (out, q + 12, pos - 12);
  for (int r = 0; r < ancount; r++)
    {
      guint8 rr[12] = { 0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0x0e, 0x10 };
      gsize rdlen = 0;

      for (int s = 0; s < 3 && zone->records[r][s] != NULL; s++)
        rdlen += 1 + strlen (zone->records[r][s]);
      rr[10] = rdlen >> 8, rr[11] = rdlen & 0xff;
      g_byte_array_append (out, rr, 12);
      for (int s = 0; s < 3 && zone->records[r][s] != NULL; s++)
        {
          guint8 l = strlen (zone->records[r][s]);

          g_byte_array_append (out, &l, 1);
          g_byte_array_append (out, (const guint8 *) zone->records[r][s], l);
        }
    }
  return TRUE;
}

static gpointer
serve (gpointer data)
{
  Server *server = data;

  while (!g_atomic_int_get (&server->stop))
    {
      struct pollfd pfd = { server->fd, POLLIN, 0 };
      guint8 buf[512];
      struct sockaddr_in peer;
      socklen_t peer_len = sizeof peer;
      ssize_t n;
      g_autoptr (GByteArray) out = g_byte_array_new ();

      if (poll (&pfd, 1, 50) <= 0)
        continue;
      n = recvfrom (server->fd, buf, sizeof buf, 0, (struct sockaddr *) &peer, &peer_len);
      if (n > 0 && answer (buf, n, out))
        sendto (server->fd, out->data, out->len, 0, (struct sockaddr *) &peer, peer_len);
    }
  return NULL;
}

static Server *
server_start (void)
{
  Server *server = g_new0 (Server, 1);
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;

  server->fd = socket (AF_INET, SOCK_DGRAM, 0);
  g_assert_cmpint (server->fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (server->fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (server->fd, (struct sockaddr *) &addr, &len), ==, 0);
  server->port = ntohs (addr.sin_port);
  server->thread = g_thread_new ("dns", serve, server);
  return server;
}

static void
server_stop (Server *server)
{
  g_atomic_int_set (&server->stop, 1);
  g_thread_join (server->thread);
  close (server->fd);
  g_free (server);
}

typedef struct {
  Server *server;
  RfConfig config;
  char *resolver;
} Dns;

static void
dns_setup (Dns *d, gconstpointer data)
{
  d->server = server_start ();
  d->resolver = g_strdup_printf ("127.0.0.1:%u", d->server->port);
  d->config.dmarc_resolver = d->resolver;
  d->config.dmarc_timeout_ms = 300;
}

static void
dns_teardown (Dns *d, gconstpointer data)
{
  server_stop (d->server);
  g_free (d->resolver);
}

static RfDmarcVerdict *
lookup (Dns *d, const char *domain, const char *domain2)
{
  const char *domains[] = { domain, domain2, NULL };

  return _rf_dmarc_lookup (&d->config, domains);
}

static void
check_lookup (Dns *d, const char *domain, RfDmarcPolicy policy, const char *detail)
{
  g_autoptr (RfDmarcVerdict) v = lookup (d, domain, NULL);

  g_assert_cmpint (v->policy, ==, policy);
  g_assert_cmpstr (v->detail, ==, detail);
}

static void
test_lookup (Dns *d, gconstpointer data)
{
  check_lookup (d, "reject.test", RF_DMARC_REJECT, "p=reject at _dmarc.reject.test");
  check_lookup (d, "Quarantine.TEST", RF_DMARC_QUARANTINE,
                "p=quarantine at _dmarc.quarantine.test");
  check_lookup (d, "none.test", RF_DMARC_NONE, "p=none or invalid at _dmarc.none.test");
  check_lookup (d, "nothing.test", RF_DMARC_NONE, "no DMARC record for nothing.test");
  /* the organisational domain's record, sp for its subdomains */
  check_lookup (d, "sub.org.test", RF_DMARC_REJECT, "sp=reject at _dmarc.org.test");
  check_lookup (d, "deep.sub.org.test", RF_DMARC_REJECT, "sp=reject at _dmarc.org.test");
  check_lookup (d, "org.test", RF_DMARC_NONE, "p=none or invalid at _dmarc.org.test");
  /* a subdomain with a record of its own: that one, and its p */
  check_lookup (d, "own.org.test", RF_DMARC_QUARANTINE, "p=quarantine at _dmarc.own.org.test");
  /* only records that are not DMARC: as none */
  check_lookup (d, "spf.test", RF_DMARC_NONE, "no DMARC record for spf.test");
  check_lookup (d, "mixed.test", RF_DMARC_QUARANTINE, "p=quarantine at _dmarc.mixed.test");
  check_lookup (d, "twice.test", RF_DMARC_NONE, "2 DMARC records at _dmarc.twice.test: none applies");
  /* trouble is a verdict of its own: the list rewrites */
  {
    /* c-ares takes SERVFAIL for a broken server, and says so */
    g_autoptr (RfDmarcVerdict) v = lookup (d, "servfail.test", NULL);

    g_assert_cmpint (v->policy, ==, RF_DMARC_FAILED);
    g_assert_true (g_str_has_prefix (v->detail, "lookup of _dmarc.servfail.test failed: "));
  }
  check_lookup (d, "bad domain.test", RF_DMARC_FAILED,
                "'bad domain.test' is not a domain DNS can be asked about");
}

static void
test_lookup_several (Dns *d, gconstpointer data)
{
  g_autoptr (RfDmarcVerdict) a = lookup (d, "none.test", "reject.test");
  g_autoptr (RfDmarcVerdict) b = lookup (d, "reject.test", "REJECT.test");
  g_autoptr (RfDmarcVerdict) c = lookup (d, "quarantine.test", "servfail.test");

  /* the strictest of the From domains */
  g_assert_cmpint (a->policy, ==, RF_DMARC_REJECT);
  g_assert_cmpint (b->policy, ==, RF_DMARC_REJECT);
  g_assert_cmpint (c->policy, ==, RF_DMARC_QUARANTINE);
}

static void
test_lookup_timeout (Dns *d, gconstpointer data)
{
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (RfDmarcVerdict) v = lookup (d, "silent.test", NULL);
  gint64 ms = (g_get_monotonic_time () - t0) / 1000;
  g_autoptr (RfDmarcVerdict) w = NULL;

  g_assert_cmpint (v->policy, ==, RF_DMARC_FAILED);
  g_assert_cmpstr (v->detail, ==, "lookup of _dmarc.silent.test timed out after 300 ms");
  /* the whole lookup, not each try: [dmarc] timeout_ms bounds it */
  g_assert_cmpint (ms, >=, 290);
  g_assert_cmpint (ms, <, 1500);
  /* the answers that came are kept; the one that did not is a failure */
  w = lookup (d, "none.test", "silent.test");
  g_assert_cmpint (w->policy, ==, RF_DMARC_FAILED);
}

static void
test_lookup_no_server (void)
{
  /* a port nobody listens on: refused at once, not after the timeout */
  RfConfig config = { 0 };
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  g_autofree char *resolver = NULL;
  g_autoptr (RfDmarcVerdict) v = NULL;
  const char *domains[] = { "reject.test", NULL };

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  resolver = g_strdup_printf ("127.0.0.1:%u", ntohs (addr.sin_port));
  config.dmarc_resolver = resolver;
  config.dmarc_timeout_ms = 5000;
  v = _rf_dmarc_lookup (&config, domains);
  g_assert_cmpint (v->policy, ==, RF_DMARC_FAILED);
  g_assert_true (g_str_has_prefix (v->detail, "lookup of _dmarc.reject.test failed: "));
}

/* ------------------------------------------------------------------ */
/* the rewrite                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
  RfList list;
  GHashTable *settings;
  RfConfig config;
  RfDmarcVerdict verdict;
  RfPolicyContext ctx;
} Fixture;

static char *exempt_domains[] = { (char *) "exempt.test", NULL };

static void
setup (Fixture *f, gconstpointer data)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  f->list = (RfList) { 1, (char *) "dev@lists.test", (char *) "dev", (char *) "lists.test", 0 };
  f->settings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (f->settings, (gpointer) defs[i].name, g_strdup (defs[i].default_value));
  f->config.dmarc_exempt_domains = exempt_domains;
  f->verdict = (RfDmarcVerdict) { RF_DMARC_REJECT, (char *) "p=reject at _dmarc.reject.test" };
  f->ctx = (RfPolicyContext) {
    .list = &f->list, .settings = f->settings, .config = &f->config, .dmarc = &f->verdict
  };
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_hash_table_unref (f->settings);
}

static void
set (Fixture *f, const char *name, const char *value)
{
  g_autoptr (GError) error = NULL;
  char *norm = rf_setting_normalize (rf_setting_lookup (name), value, &error);

  g_assert_no_error (error);
  g_hash_table_insert (f->settings, (gpointer) rf_setting_lookup (name)->name, norm);
}

static GMimeMessage *
parse (const char *text)
{
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  GMimeMessage *m = _rf_mime_parse (raw, NULL, &error);

  g_assert_no_error (error);
  return m;
}

/* The whole policy table, rendered and parsed again, as members get it. */
static GMimeMessage *
apply (Fixture *f, const char *text, char **rendered_out)
{
  g_autoptr (GMimeMessage) m = parse (text);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autofree char *rendered = NULL;
  GMimeMessage *again;
  gsize len;
  const char *data;

  g_assert_true (_rf_policy_apply_all (m, &f->ctx, &error));
  g_assert_no_error (error);
  out = _rf_mime_render (m, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (out, &len);
  rendered = g_strndup (data, len);
  again = parse (rendered);
  if (rendered_out != NULL)
    *rendered_out = g_steal_pointer (&rendered);
  return again;
}

static int
count_header (GMimeMessage *m, const char *name)
{
  GMimeHeaderList *h = g_mime_object_get_header_list (GMIME_OBJECT (m));
  int n = 0;

  for (int i = 0; i < g_mime_header_list_get_count (h); i++)
    if (g_ascii_strcasecmp (g_mime_header_get_name (g_mime_header_list_get_header_at (h, i)),
                            name) == 0)
      n++;
  return n;
}

/* "name <addr>, name <addr>" of one address list, decoded */
static char *
addresses (InternetAddressList *list)
{
  GString *out = g_string_new (NULL);

  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);
      const char *name = internet_address_get_name (ia);

      if (out->len > 0)
        g_string_append (out, ", ");
      if (name != NULL && *name != '\0')
        g_string_append_printf (out, "%s ", name);
      g_string_append_printf (out, "<%s>",
                              INTERNET_ADDRESS_IS_MAILBOX (ia)
                                ? internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia))
                                : "group");
    }
  return g_string_free (out, FALSE);
}

static void
check_list (InternetAddressList *list, const char *expected)
{
  g_autofree char *got = addresses (list);

  g_assert_cmpstr (got, ==, expected);
}

#define POST(headers) \
  headers "To: dev@lists.test\nSubject: Hello\nMessage-ID: <1@reject.test>\n" \
          "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nFirst line.\n"

static const char plain[] = POST ("From: Ann <ann@reject.test>\n");

static void
test_rewrite (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autoptr (GMimeMessage) m = apply (f, plain, &out);

  check_list (g_mime_message_get_from (m), "Ann via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (m), "Ann <ann@reject.test>");
  g_assert_cmpint (count_header (m, "From"), ==, 1);
  g_assert_cmpint (count_header (m, "Reply-To"), ==, 1);
  g_assert_cmpint (count_header (m, "Cc"), ==, 0);
  /* the way a reader's client shows it */
  g_assert_nonnull (strstr (out, "\nFrom: Ann via dev <dev@lists.test>\n"));
  g_assert_nonnull (strstr (out, "\nReply-To: Ann <ann@reject.test>\n"));
  /* nothing else moves */
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Hello");
  g_assert_true (g_str_has_suffix (out, "\n\nFirst line.\n"));
}

static void
test_modes (Fixture *f, gconstpointer data)
{
  static const RfDmarcPolicy rewritten[] = { RF_DMARC_REJECT, RF_DMARC_QUARANTINE,
                                             RF_DMARC_FAILED };
  g_autoptr (GMimeMessage) none = NULL;
  g_autoptr (GMimeMessage) unasked = NULL;
  g_autoptr (GMimeMessage) never = NULL;
  g_autoptr (GMimeMessage) always = NULL;
  g_autoptr (GMimeMessage) exempt = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (rewritten); i++)
    {
      g_autoptr (GMimeMessage) m = NULL;

      f->verdict.policy = rewritten[i];
      m = apply (f, plain, NULL);
      check_list (g_mime_message_get_from (m), "Ann via dev <dev@lists.test>");
    }
  /* auto: p=none (or no record) leaves it; so does no verdict at all */
  f->verdict.policy = RF_DMARC_NONE;
  none = apply (f, plain, NULL);
  check_list (g_mime_message_get_from (none), "Ann <ann@reject.test>");
  g_assert_cmpint (count_header (none, "Reply-To"), ==, 0);
  f->ctx.dmarc = NULL;
  unasked = apply (f, plain, NULL);
  check_list (g_mime_message_get_from (unasked), "Ann <ann@reject.test>");

  f->ctx.dmarc = &f->verdict;
  f->verdict.policy = RF_DMARC_REJECT;
  set (f, "dmarc_mitigation", "never");
  never = apply (f, plain, NULL);
  check_list (g_mime_message_get_from (never), "Ann <ann@reject.test>");

  set (f, "dmarc_mitigation", "always");
  f->ctx.dmarc = NULL;
  always = apply (f, plain, NULL);
  check_list (g_mime_message_get_from (always), "Ann via dev <dev@lists.test>");
  /* an exempt domain (and its subdomains) never, not even with always */
  exempt = apply (f, POST ("From: Eve <eve@mail.exempt.test>\n"), NULL);
  check_list (g_mime_message_get_from (exempt), "Eve <eve@mail.exempt.test>");
}

static void
test_names_in_from (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autoptr (GMimeMessage) quoted =
    apply (f, POST ("From: \"O'Brien, \\\"Bob\\\"\" <bob@reject.test>\n"), NULL);
  g_autoptr (GMimeMessage) encoded =
    apply (f, POST ("From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@reject.test>\n"), &out);
  g_autoptr (GMimeMessage) bare = apply (f, POST ("From: carol@reject.test\n"), NULL);
  g_autoptr (GMimeMessage) angle = apply (f, POST ("From: <dave@reject.test>\n"), NULL);
  g_autoptr (GMimeMessage) broken = NULL;
  g_autoptr (GMimeMessage) described = NULL;

  check_list (g_mime_message_get_from (quoted), "O'Brien, \"Bob\" via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (quoted), "O'Brien, \"Bob\" <bob@reject.test>");
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_from (quoted)), ==, 1);

  /* decoded for the phrase, encoded again on the way out (RFC 2047) */
  check_list (g_mime_message_get_from (encoded), "Jörg Müller via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (encoded), "Jörg Müller <joerg@reject.test>");
  for (const char *p = out; *p != '\0'; p++)
    g_assert_cmpuint ((guchar) *p, <, 0x80);
  g_assert_nonnull (strstr (out, "\nFrom: =?"));

  /* no display name: the local part */
  check_list (g_mime_message_get_from (bare), "carol via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (bare), "<carol@reject.test>");
  check_list (g_mime_message_get_from (angle), "dave via dev <dev@lists.test>");

  /* a line break hidden in an encoded word does not reach the phrase */
  broken = apply (f, POST ("From: =?utf-8?q?Mallory=0D=0ABcc:_x@y.test?= <m@reject.test>\n"),
                  &out2);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_from (broken)), ==, 1);
  g_assert_cmpint (count_header (broken, "Bcc"), ==, 0);
  g_assert_null (strstr (out2, "\nBcc:"));

  /* the list's description names it */
  set (f, "description", "Developers");
  described = apply (f, plain, NULL);
  check_list (g_mime_message_get_from (described), "Ann via Developers <dev@lists.test>");
}

static void
test_several_from (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m =
    apply (f, POST ("From: Ann <ann@reject.test>, bob@none.test\nSender: ann@reject.test\n"),
           NULL);
  g_autoptr (GMimeMessage) group = apply (
    f, POST ("From: Authors: Ann <ann@reject.test>, Bob <bob@none.test>;\n"), NULL);

  /* one From, naming both; both can be answered */
  check_list (g_mime_message_get_from (m), "Ann, bob via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (m), "Ann <ann@reject.test>, <bob@none.test>");
  g_assert_cmpint (count_header (m, "From"), ==, 1);
  g_assert_cmpint (count_header (m, "Reply-To"), ==, 1);
  check_list (g_mime_message_get_from (group), "Ann, Bob via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (group), "Ann <ann@reject.test>, Bob <bob@none.test>");
}

static void
test_reply_to_and_cc (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) rt = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                "Reply-To: Team <team@reject.test>\n"),
                                       NULL);
  g_autoptr (GMimeMessage) cc = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                "Cc: Zed <zed@else.test>\n"),
                                       NULL);
  g_autoptr (GMimeMessage) both = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                  "Reply-To: Team <team@reject.test>\n"
                                                  "Cc: Zed <zed@else.test>,\n y@else.test\n"),
                                         NULL);
  g_autoptr (GMimeMessage) in_rt = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                   "Reply-To: ANN@reject.test\n"),
                                          NULL);
  g_autoptr (GMimeMessage) in_cc = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                   "Reply-To: team@reject.test\n"
                                                   "Cc: ann@reject.test\n"),
                                          NULL);
  g_autoptr (GMimeMessage) two_cc = apply (f, POST ("From: Ann <ann@reject.test>\n"
                                                    "Reply-To: team@reject.test\n"
                                                    "Cc: a@else.test\nCc: b@else.test\n"),
                                           NULL);

  /* a Reply-To already: kept as it is, the author goes to Cc */
  check_list (g_mime_message_get_reply_to (rt), "Team <team@reject.test>");
  check_list (g_mime_message_get_cc (rt), "Ann <ann@reject.test>");
  g_assert_cmpint (count_header (rt, "Reply-To"), ==, 1);
  g_assert_cmpint (count_header (rt, "Cc"), ==, 1);

  /* a Cc but no Reply-To: Reply-To, and the Cc as it was */
  check_list (g_mime_message_get_reply_to (cc), "Ann <ann@reject.test>");
  check_list (g_mime_message_get_cc (cc), "Zed <zed@else.test>");
  g_assert_cmpint (count_header (cc, "Cc"), ==, 1);

  /* both: one Reply-To, one Cc, the author added to the Cc */
  check_list (g_mime_message_get_from (both), "Ann via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (both), "Team <team@reject.test>");
  check_list (g_mime_message_get_cc (both),
              "Zed <zed@else.test>, <y@else.test>, Ann <ann@reject.test>");
  g_assert_cmpint (count_header (both, "Reply-To"), ==, 1);
  g_assert_cmpint (count_header (both, "Cc"), ==, 1);

  /* the author there already (whatever the case): nothing added */
  check_list (g_mime_message_get_from (in_rt), "Ann via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (in_rt), "<ANN@reject.test>");
  g_assert_cmpint (count_header (in_rt, "Cc"), ==, 0);
  check_list (g_mime_message_get_cc (in_cc), "<ann@reject.test>");
  g_assert_cmpint (count_header (in_cc, "Reply-To"), ==, 1);
  g_assert_cmpint (count_header (in_cc, "Cc"), ==, 1);

  /* two Cc fields in (against RFC 5322): one out, with every address */
  check_list (g_mime_message_get_cc (two_cc),
              "<a@else.test>, <b@else.test>, Ann <ann@reject.test>");
  g_assert_cmpint (count_header (two_cc, "Cc"), ==, 1);
}

static void
test_domains_to_ask (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m =
    parse (POST ("From: a@reject.test, b@Exempt.test, c@none.test, d\n"));
  g_autoptr (GMimeMessage) all_exempt = parse (POST ("From: a@exempt.test\n"));
  g_auto (GStrv) domains = _rf_policy_dmarc_domains (m, &f->ctx);
  g_auto (GStrv) none = _rf_policy_dmarc_domains (all_exempt, &f->ctx);
  g_auto (GStrv) never = NULL;
  const char *const expected[] = { "reject.test", "none.test", NULL };

  g_assert_nonnull (domains);
  g_assert_cmpstrv (domains, expected);
  g_assert_null (none);
  set (f, "dmarc_mitigation", "never");
  never = _rf_policy_dmarc_domains (m, &f->ctx);
  g_assert_null (never);
}

static char *
pass_through (Fixture *f, const char *text)
{
  g_autoptr (GBytes) raw = g_bytes_new_static (text, strlen (text));
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GBytes) out = NULL;
  gboolean lossy = FALSE;
  gsize len;
  const char *bytes;

  m = _rf_mime_parse (raw, &lossy, &error);
  g_assert_no_error (error);
  g_assert_true (lossy);
  out = _rf_policy_pass_through (raw, &f->ctx, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (out, &len);
  return g_strndup (bytes, len);
}

static int
count_lines (const char *text, const char *prefix)
{
  int n = 0;
  g_autofree char *head = NULL;
  const char *end = strstr (text, "\n\n");

  /* the header block only */
  head = g_strndup (text, end != NULL ? (gsize) (end - text) + 1 : strlen (text));
  for (const char *p = head; p != NULL && *p != '\0'; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    if (g_ascii_strncasecmp (p, prefix, strlen (prefix)) == 0)
      n++;
  return n;
}

static void
test_pass_through (Fixture *f, gconstpointer data)
{
  static const char broken[] = "From: Ann\n <ann@reject.test>\n"
                               "Subject: broken\n"
                               "this line is no header field\n"
                               "To: dev@lists.test\n"
                               "\n"
                               "From: a line of the body\n";
  static const char broken_rt_cc[] = "From: Ann <ann@reject.test>\n"
                                     "Reply-To: team@reject.test\n"
                                     "Cc: Zed <zed@else.test>,\n y@else.test\n"
                                     "Bad Header: x\n"
                                     "\n"
                                     "body\n";
  static const char no_empty_line[] = "Subject: no separator\n"
                                      "counter to RFC 2822, there's no separating newline\n"
                                      "From: Ann <ann@reject.test>\n";
  g_autofree char *out = pass_through (f, broken);
  g_autofree char *out_cc = pass_through (f, broken_rt_cc);
  g_autofree char *kept = NULL;
  g_autofree char *guess = pass_through (f, no_empty_line);
  g_autoptr (GMimeMessage) m = parse (out);
  g_autoptr (GMimeMessage) mc = parse (out_cc);
  const char *orig_end = strstr (broken, "Subject:");

  /* one From, the list's; the author in Reply-To; the rest byte for byte */
  g_assert_cmpint (count_lines (out, "From:"), ==, 1);
  check_list (g_mime_message_get_from (m), "Ann via dev <dev@lists.test>");
  check_list (g_mime_message_get_reply_to (m), "Ann <ann@reject.test>");
  g_assert_true (g_str_has_suffix (out, orig_end));
  g_assert_nonnull (strstr (out, "\n\nFrom: a line of the body\n"));

  /* with Reply-To and Cc: one of each, the Cc merged */
  g_assert_cmpint (count_lines (out_cc, "From:"), ==, 1);
  g_assert_cmpint (count_lines (out_cc, "Reply-To:"), ==, 1);
  g_assert_cmpint (count_lines (out_cc, "Cc:"), ==, 1);
  check_list (g_mime_message_get_cc (mc),
              "Zed <zed@else.test>, <y@else.test>, Ann <ann@reject.test>");
  g_assert_nonnull (strstr (out_cc, "Reply-To: team@reject.test\nBad Header: x\n\nbody\n"));

  /* no empty line: a From after a line that is no field is left alone */
  g_assert_true (g_str_has_suffix (guess, no_empty_line));

  /* p=none: the original From, untouched */
  f->verdict.policy = RF_DMARC_NONE;
  kept = pass_through (f, broken);
  g_assert_true (g_str_has_suffix (kept, broken));
  g_assert_cmpint (count_lines (kept, "From:"), ==, 1);
  g_assert_cmpint (count_lines (kept, "Reply-To:"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmarc/record/parse", test_record_parse);
  g_test_add_func ("/dmarc/record/policy", test_record_policy);
  g_test_add_func ("/dmarc/record/several", test_record_select);
  g_test_add_func ("/dmarc/names", test_names);
  g_test_add_func ("/dmarc/resolver-value", test_resolver_value);
  g_test_add_func ("/dmarc/config", test_config);
  g_test_add ("/dmarc/lookup/policies", Dns, NULL, dns_setup, test_lookup, dns_teardown);
  g_test_add ("/dmarc/lookup/several-domains", Dns, NULL, dns_setup, test_lookup_several,
              dns_teardown);
  g_test_add ("/dmarc/lookup/timeout", Dns, NULL, dns_setup, test_lookup_timeout, dns_teardown);
  g_test_add_func ("/dmarc/lookup/no-server", test_lookup_no_server);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/dmarc/rewrite/plain", test_rewrite);
  ADD ("/dmarc/rewrite/modes", test_modes);
  ADD ("/dmarc/rewrite/names", test_names_in_from);
  ADD ("/dmarc/rewrite/several-from", test_several_from);
  ADD ("/dmarc/rewrite/reply-to-and-cc", test_reply_to_and_cc);
  ADD ("/dmarc/rewrite/domains-to-ask", test_domains_to_ask);
  ADD ("/dmarc/rewrite/pass-through", test_pass_through);
  return g_test_run ();
}
