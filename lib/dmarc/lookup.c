/* lookup.c - DMARC policy discovery over DNS (RFC 7489 6.6.3), through
 * c-ares.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why c-ares: listdeliver needs a stub resolver that asks one or two TXT
 * questions of the site's recursive resolver, all at once, and gives up
 * at a deadline of its own.  c-ares is exactly that (asynchronous, a
 * poll() loop we drive, resolv.conf by default, servers with ports for
 * the tests, TXT records with their string boundaries).  libunbound is a
 * full recursive resolver with a cache that a short-lived listdeliver
 * would throw away after every post.
 *
 * The total time is bounded by [dmarc] timeout_ms whatever the resolver
 * does; a question not answered by then is cancelled, and the post is
 * rewritten (fail safe).
 */
/* Debian 12's c-ares (1.18) has only this API; later versions mark it
 * deprecated but keep it (their ABI promise) */
#define CARES_NO_DEPRECATED 1
#include "dmarc/dmarc.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

/* more From domains than this: the post is rewritten without asking */
#define MAX_DOMAINS 8

typedef struct _Lookup Lookup;

typedef struct {
  Lookup *lookup;
  char *domain;        /* the From domain, ASCII */
  char *org;           /* its organisational domain */
  gboolean at_org;     /* the question in flight is about @org */
  gboolean done;
  RfDmarcPolicy policy;
  char *detail;
} Query;

struct _Lookup {
  ares_channel channel;
  guint pending;
  gboolean timed_out;
  int timeout_ms;
};

static void query_start (Query *q);

static void
query_free (Query *q)
{
  g_free (q->domain);
  g_free (q->org);
  g_free (q->detail);
  g_free (q);
}

static void
finish (Query *q, RfDmarcPolicy policy, char *detail)
{
  q->done = TRUE;
  q->policy = policy;
  g_free (q->detail);
  q->detail = detail;
}

static char *
record_text (GString *record)
{
  /* strlen would stop at an inner NUL and read a shorter record */
  if (strlen (record->str) != record->len)
    g_string_truncate (record, 0);
  return g_string_free (record, FALSE);
}

/* The TXT records of an answer, each with its strings joined (RFC 7489
 * 6.1 publishes one record; long ones are split into strings of 255).
 * A record holding a NUL byte cannot be a DMARC record: "" stands for it.
 * Returns an ares status: ARES_ENODATA for an answer without TXT. */
static int
txt_records (unsigned char *abuf, int alen, GPtrArray *out)
{
  struct ares_txt_ext *txt = NULL;
  GString *record = NULL;
  int status = ares_parse_txt_reply_ext (abuf, alen, &txt);

  if (status != ARES_SUCCESS)
    return status;
  for (struct ares_txt_ext *t = txt; t != NULL; t = t->next)
    {
      if (t->record_start || record == NULL)
        {
          if (record != NULL)
            g_ptr_array_add (out, record_text (record));
          record = g_string_new (NULL);
        }
      g_string_append_len (record, (const char *) t->txt, t->length);
    }
  if (record != NULL)
    g_ptr_array_add (out, record_text (record));
  ares_free_data (txt);
  return ARES_SUCCESS;
}

static void
on_answer (void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
  Query *q = arg;
  const char *name = q->at_org ? q->org : q->domain;
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  RfDmarcRecord record;
  guint n;

  q->lookup->pending--;
  if (status == ARES_SUCCESS)
    status = txt_records (abuf, alen, texts);
  /* NXDOMAIN and an empty answer: no record here (not an error) */
  if (status != ARES_SUCCESS && status != ARES_ENOTFOUND && status != ARES_ENODATA)
    {
      if (status == ARES_ECANCELLED && q->lookup->timed_out)
        finish (q, RF_DMARC_FAILED,
                g_strdup_printf ("lookup of _dmarc.%s timed out after %d ms", name,
                                 q->lookup->timeout_ms));
      else
        finish (q, RF_DMARC_FAILED,
                g_strdup_printf ("lookup of _dmarc.%s failed: %s", name,
                                 ares_strerror (status)));
      return;
    }
  g_ptr_array_add (texts, NULL);
  n = _rf_dmarc_select ((const char *const *) texts->pdata, &record);
  if (n == 0 && !q->at_org && !g_str_equal (q->org, q->domain))
    {
      /* 6.6.3 step 3: none at the From domain, ask the organisational one */
      q->at_org = TRUE;
      query_start (q);
      return;
    }
  if (n == 0)
    finish (q, RF_DMARC_NONE, g_strdup_printf ("no DMARC record for %s", q->domain));
  else if (n > 1)
    finish (q, RF_DMARC_NONE,
            g_strdup_printf ("%u DMARC records at _dmarc.%s: none applies", n, name));
  else
    {
      /* sp= is for the subdomains of the organisational domain */
      gboolean subdomain = q->at_org;
      RfDmarcPolicy policy = _rf_dmarc_record_policy (&record, subdomain);

      finish (q, policy,
              g_strdup_printf ("%s=%s at _dmarc.%s",
                               subdomain && record.sp != RF_DMARC_TAG_ABSENT ? "sp" : "p",
                               policy == RF_DMARC_NONE ? "none or invalid"
                                                       : _rf_dmarc_policy_name (policy),
                               name));
    }
}

static void
query_start (Query *q)
{
  g_autofree char *name = g_strconcat ("_dmarc.", q->at_org ? q->org : q->domain, NULL);

  /* before the call: c-ares may answer at once (a bad name, no server) */
  q->lookup->pending++;
  ares_query (q->lookup->channel, name, ns_c_in, ns_t_txt, on_answer, q);
}

/* Drive the channel until every question is answered or the deadline. */
static void
run (Lookup *lookup, gint64 deadline)
{
  while (lookup->pending > 0)
    {
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      struct pollfd fds[ARES_GETSOCK_MAXNUM];
      nfds_t n = 0;
      struct timeval max, tv, *wait;
      gint64 left = deadline - g_get_monotonic_time ();
      unsigned int bits;
      int ms, r;

      if (left <= 0)
        {
          lookup->timed_out = TRUE;
          ares_cancel (lookup->channel);   /* on_answer(ARES_ECANCELLED) each */
          return;
        }
      /* unsigned: c-ares' ARES_GETSOCK_WRITABLE shifts a signed 1 by 31 */
      bits = (unsigned int) ares_getsock (lookup->channel, socks, ARES_GETSOCK_MAXNUM);
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++)
        {
          short events = 0;

          if (bits & (1u << i))
            events |= POLLIN;
          if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
            events |= POLLOUT;
          if (events == 0)
            continue;
          fds[n].fd = socks[i];
          fds[n].events = events;
          fds[n].revents = 0;
          n++;
        }
      max.tv_sec = left / G_USEC_PER_SEC;
      max.tv_usec = left % G_USEC_PER_SEC;
      wait = ares_timeout (lookup->channel, &max, &tv);
      ms = (int) (wait->tv_sec * 1000 + (wait->tv_usec + 999) / 1000);
      r = poll (fds, n, ms);
      if (r < 0 && errno != EINTR)
        {
          ares_cancel (lookup->channel);
          return;
        }
      if (r <= 0)
        {
          /* c-ares' own per-try timeouts: resend or give up */
          ares_process_fd (lookup->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
          continue;
        }
      for (nfds_t i = 0; i < n; i++)
        if (fds[i].revents != 0)
          ares_process_fd (lookup->channel,
                           fds[i].revents & (POLLIN | POLLERR | POLLHUP) ? fds[i].fd
                                                                          : ARES_SOCKET_BAD,
                           fds[i].revents & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD);
    }
}

static RfDmarcVerdict *
verdict_new (RfDmarcPolicy policy, char *detail)
{
  RfDmarcVerdict *verdict = g_new0 (RfDmarcVerdict, 1);

  verdict->policy = policy;
  verdict->detail = detail;
  return verdict;
}

RfDmarcVerdict *
_rf_dmarc_lookup (const RfConfig *config, const char *const *domains)
{
  g_autoptr (GPtrArray) queries = g_ptr_array_new_with_free_func ((GDestroyNotify) query_free);
  Lookup lookup = { NULL, 0, FALSE, config->dmarc_timeout_ms };
  struct ares_options options;
  RfDmarcVerdict *verdict;
  int status;

  /* one question per distinct domain */
  for (gsize i = 0; domains != NULL && domains[i] != NULL; i++)
    {
      g_autofree char *ascii = _rf_dmarc_domain_ascii (domains[i]);
      gboolean seen = FALSE;

      if (ascii == NULL)
        return verdict_new (RF_DMARC_FAILED,
                            g_strdup_printf ("'%s' is not a domain DNS can be asked about",
                                             domains[i]));
      for (guint j = 0; j < queries->len && !seen; j++)
        seen = g_str_equal (((Query *) g_ptr_array_index (queries, j))->domain, ascii);
      if (seen)
        continue;
      if (queries->len == MAX_DOMAINS)
        return verdict_new (RF_DMARC_FAILED,
                            g_strdup_printf ("more than %d From domains", MAX_DOMAINS));
      {
        Query *q = g_new0 (Query, 1);

        q->lookup = &lookup;
        q->org = _rf_dmarc_org_domain (ascii);
        q->domain = g_steal_pointer (&ascii);
        g_ptr_array_add (queries, q);
      }
    }
  if (queries->len == 0)
    return verdict_new (RF_DMARC_NONE, g_strdup ("no From domain"));

  status = ares_library_init (ARES_LIB_INIT_ALL);
  if (status != ARES_SUCCESS)
    return verdict_new (RF_DMARC_FAILED,
                        g_strdup_printf ("resolver: %s", ares_strerror (status)));
  /* a few tries within the total: one lost datagram does not use it up */
  memset (&options, 0, sizeof options);
  options.timeout = MAX (config->dmarc_timeout_ms / 3, 1);
  options.tries = 3;
  status = ares_init_options (&lookup.channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (status == ARES_SUCCESS && config->dmarc_resolver != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *csv = _rf_dmarc_resolver_csv (config->dmarc_resolver, &error);

      status = csv != NULL ? ares_set_servers_ports_csv (lookup.channel, csv) : ARES_EBADSTR;
    }
  if (status != ARES_SUCCESS)
    {
      if (lookup.channel != NULL)
        ares_destroy (lookup.channel);
      ares_library_cleanup ();
      return verdict_new (RF_DMARC_FAILED,
                          g_strdup_printf ("resolver: %s", ares_strerror (status)));
    }

  for (guint i = 0; i < queries->len; i++)
    query_start (g_ptr_array_index (queries, i));
  run (&lookup, g_get_monotonic_time () + (gint64) config->dmarc_timeout_ms * 1000);
  /* answers every question still open with ARES_EDESTRUCTION */
  ares_destroy (lookup.channel);
  ares_library_cleanup ();

  /* the strictest answer, and the first domain that gave it */
  verdict = verdict_new (RF_DMARC_NONE, NULL);
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = g_ptr_array_index (queries, i);

      if (!q->done)
        finish (q, RF_DMARC_FAILED,
                g_strdup_printf ("lookup of _dmarc.%s did not finish", q->domain));
      if (verdict->detail == NULL || q->policy > verdict->policy)
        {
          verdict->policy = q->policy;
          g_free (verdict->detail);
          verdict->detail = g_strdup (q->detail);
        }
    }
  return verdict;
}

void
_rf_dmarc_verdict_free (RfDmarcVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->detail);
  g_free (verdict);
}
