/* transport-smtp.c - copies handed to relay MTAs over SMTP: the fast path.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * config->parallel connections, spread over the relays, each reused for
 * copy after copy: one TCP and EHLO per connection instead of one process
 * per copy.  With PIPELINING (every MTA worth relaying through has it)
 * MAIL, RCPT and DATA go in one write.  One thread and poll(): the
 * callbacks (progress into SQLite, the per-copy header lines) run on the
 * caller's thread, as with the sendmail transport.
 *
 * The body is prepared once for SMTP (CRLF, dot-stuffed) and written from
 * that one buffer to every connection; only the few header lines of a
 * copy are its own.
 *
 * Outcomes per copy, as the sendmail transport: the reply to the final
 * dot decides (2xx sent, 5xx failed, anything else pending); a 5xx to
 * RCPT fails the copy; a refused MAIL FROM is our trouble, not the
 * member's, so pending.  A copy whose connection dies before its reply is
 * pending: it may have gone out, which is the "copies in flight" of a
 * retry.
 */
#include "deliver/deliver-private.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* RFC 5321 4.5.3.2 asks for 5 minutes per command and 10 for the final
 * dot; one limit for all keeps a stuck relay from holding the MTA's pipe
 * forever. */
#define REPLY_TIMEOUT_MS (300 * 1000)
#define RECONNECTS 3
#define COPIES_PER_CONN 16

typedef enum {
  R_GREETING, R_EHLO, R_MAIL, R_RCPT, R_DATA, R_DOT, R_RSET, R_QUIT,
} Awaited;

typedef enum {
  C_CONNECTING, C_OPEN, C_CLOSED,
} ConnState;

/* The replies awaited, in order: a ring that grows, no allocation per
 * command (a fan-out awaits four replies a copy). */
typedef struct {
  guint8 *v;
  guint head, len, cap;
} AwaitQueue;

static void
aq_push (AwaitQueue *q, Awaited what)
{
  if (q->len == q->cap)
    {
      guint cap = MAX (q->cap * 2, 16u);
      guint8 *v = g_new (guint8, cap);

      for (guint i = 0; i < q->len; i++)
        v[i] = q->v[(q->head + i) % q->cap];
      g_free (q->v);
      q->v = v;
      q->cap = cap;
      q->head = 0;
    }
  q->v[(q->head + q->len++) % q->cap] = (guint8) what;
}

static Awaited
aq_pop (AwaitQueue *q)
{
  Awaited what;

  g_return_val_if_fail (q->len > 0, R_QUIT);
  what = (Awaited) q->v[q->head];
  q->head = (q->head + 1) % q->cap;
  q->len--;
  return what;
}

static gboolean
aq_empty (const AwaitQueue *q)
{
  return q->len == 0;
}

static void
aq_clear (AwaitQueue *q)
{
  q->head = q->len = 0;
}

typedef struct {
  char *host;
  char *port;
} Relay;

/* One copy on a connection: one allocation, its strings in data. */
typedef struct {
  char *address;
  char *verp;
  char *head;                /* its own header lines, CRLF, or NULL */
  gsize head_len;
  int mail_code, rcpt_code;
  char *mail_detail, *rcpt_detail;   /* their replies, for the reason */
  int moves;                 /* times handed to another connection */
  char data[];
} Copy;

/* With PIPELINING a connection carries two copies at a time (issue 14,
 * RFC 2920 across transactions): one whose body and dot are written
 * and whose final reply is awaited, and the next, whose MAIL, RCPT and
 * DATA left in the same write as that body and dot.  Its body waits for
 * its 354, so it cannot have arrived before its reply is read: at most one
 * copy per connection is ever "maybe delivered". */
typedef struct {
  int fd;
  ConnState state;
  const Relay *relay;
  guint relay_index;         /* of relay in run->relays */
  int reconnects;
  gboolean pipelining;
  gboolean pipelining_seen;  /* in the EHLO reply being read */
  gboolean ready;            /* EHLO done, not quitting */
  AwaitQueue awaited;
  GString *in;
  /* what to write, in one writev: own bytes, then (if with_body) the
   * shared body and the dot, then the commands that follow them */
  GString *out;
  gsize out_off;
  gboolean with_body;
  gsize body_off;
  gsize dot_off;
  GString *tail;
  gsize tail_off;
  Copy *dot_copy;            /* body sent or being sent: its final reply awaited */
  Copy *env_copy;            /* MAIL/RCPT/DATA sent: their replies awaited */
  Copy *next_copy;           /* drawn and made ready while the replies are
                              * awaited, so that its envelope leaves at once
                              * with the body before it */
  char *reply_text;          /* the last reply's first line, for the reason */
  gint64 deadline;           /* monotonic ms */
} Conn;

typedef struct {
  const RfConfig *config;
  const char *list_address;
  RfNextRecipientFunc next_recipient;
  gboolean exhausted;
  RfCopyHeaderFunc header_for;
  RfSendResultFunc on_result;
  gpointer user_data;
  GBytes *body;              /* CRLF, dot-stuffed, ends in CRLF */
  RfVerpMaker *verp;         /* issue 14: the copies' senders, made once */
  char *verp_error;          /* or why it could not be made */
  GString *scratch;          /* where a copy is put together */
  GPtrArray *relays;
  char *helo;
  gboolean stop;
  GError *stopped;
  char *last_error;          /* why the last connection failed */
  /* copies whose connection failed before their 354: certainly not
   * delivered, so another connection takes them (a relay that hangs up, or
   * answers 421 after so many messages a connection, costs no retry) */
  GQueue moved;              /* of Copy */
  /* outcomes wait here until they are handed to on_result (progress into
   * SQLite): those a connection's replies gave, before that connection
   * writes again (issue 12); those of a failed connection, once per
   * poll() */
  GArray *outbox;            /* of Outcome */
} Run;

typedef struct {
  const char *address;       /* copy's, or owned */
  Copy *copy;                /* owned, or NULL */
  RfRecipientState state;
  char *detail;
} Outcome;

/* A copy moves at most this often; then it is pending, for the retry. */
#define MOVES 2

static gboolean
work_left (Run *run)
{
  return !run->stop && (!run->exhausted || !g_queue_is_empty (&run->moved));
}

static const char dot_line[] = ".\r\n";

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* @data as SMTP DATA, appended to @s: LF or CRLF line ends become CRLF, a
 * line starting with '.' gets another (RFC 5321 4.5.2), and it ends in
 * CRLF. */
static void
append_smtp (GString *s, const char *data, gsize len)
{
  gsize i = 0;

  while (i < len)
    {
      const char *nl = memchr (data + i, '\n', len - i);
      gsize end = nl != NULL ? (gsize) (nl - data) : len;
      gsize line_end = end;

      if (line_end > i && data[line_end - 1] == '\r')
        line_end--;
      if (data[i] == '.')
        g_string_append_c (s, '.');
      rf_gstring_put (s, data + i, line_end - i);
      rf_gstring_put (s, "\r\n", 2);
      i = nl != NULL ? end + 1 : len;
    }
}

static GBytes *
smtp_body (const char *data, gsize len)
{
  GString *s = g_string_sized_new (len + len / 32 + 8);

  append_smtp (s, data, len);
  return g_string_free_to_bytes (s);
}

/* No CR, LF, space, angle bracket or control character: an address that
 * could not smuggle a command into the session. */
static gboolean
safe_path (const char *address)
{
  if (*address == '\0')
    return FALSE;
  for (const guchar *p = (const guchar *) address; *p != '\0'; p++)
    if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

static void
copy_free (Copy *copy)
{
  if (copy == NULL)
    return;
  g_free (copy->mail_detail);
  g_free (copy->rcpt_detail);
  g_free (copy);
}

static void
report (Run *run, const char *address, RfRecipientState state, const char *detail)
{
  Outcome o = { g_strdup (address), NULL, state, g_strdup (detail) };

  g_array_append_val (run->outbox, o);
}

/* report, for a copy the outcome takes over (its address with it) */
static void
report_copy (Run *run, Copy *copy, RfRecipientState state, const char *detail)
{
  Outcome o = { copy->address, copy, state, g_strdup (detail) };

  g_array_append_val (run->outbox, o);
}

/* The outcomes reported since the last call, to on_result. */
static void
flush_reports (Run *run)
{
  for (guint i = 0; i < run->outbox->len; i++)
    {
      Outcome *o = &g_array_index (run->outbox, Outcome, i);

      if (run->stopped == NULL &&
          !run->on_result (o->address, o->state, o->detail, run->user_data, &run->stopped))
        run->stop = TRUE;
      if (o->copy != NULL)
        copy_free (o->copy);
      else
        g_free ((char *) o->address);
      g_free (o->detail);
    }
  g_array_set_size (run->outbox, 0);
}

static RfRecipientState
state_of (int code)
{
  if (code >= 200 && code < 300)
    return RF_RCPT_SENT;
  if (code >= 500 && code < 600)
    return RF_RCPT_FAILED;
  return RF_RCPT_PENDING;
}

/* The copy in flight (if any) is pending; the connection is closed and
 * may be opened again. */
static void
conn_fail (Run *run, Conn *c, const char *why)
{
  g_autofree char *detail = g_strdup_printf ("relay %s:%s: %s", c->relay->host, c->relay->port,
                                             why);

  if (c->dot_copy != NULL)
    report_copy (run, g_steal_pointer (&c->dot_copy), RF_RCPT_PENDING, detail);
  if (c->env_copy != NULL)
    {
      /* its body never left: it was not delivered, another connection
       * may take it */
      if (c->env_copy->moves < MOVES && !run->stop)
        {
          Copy *e = g_steal_pointer (&c->env_copy);

          e->moves++;
          e->mail_code = e->rcpt_code = 0;
          g_clear_pointer (&e->mail_detail, g_free);
          g_clear_pointer (&e->rcpt_detail, g_free);
          g_queue_push_tail (&run->moved, e);
        }
      else
        report_copy (run, g_steal_pointer (&c->env_copy), RF_RCPT_PENDING, detail);
    }
  g_free (run->last_error);
  run->last_error = g_steal_pointer (&detail);
  /* the next attempt goes to the next relay of the pool: a relay that is
   * down costs its copies in flight, not the rest of the fan-out */
  c->relay_index = (c->relay_index + 1) % run->relays->len;
  c->relay = g_ptr_array_index (run->relays, c->relay_index);
  g_clear_pointer (&c->dot_copy, copy_free);
  g_clear_pointer (&c->env_copy, copy_free);
  if (c->next_copy != NULL)
    g_queue_push_head (&run->moved, g_steal_pointer (&c->next_copy));
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  c->state = C_CLOSED;
  c->ready = FALSE;
  aq_clear (&c->awaited);
  g_string_truncate (c->in, 0);
  g_string_truncate (c->out, 0);
  c->out_off = 0;
  g_string_truncate (c->tail, 0);
  c->tail_off = 0;
  c->with_body = FALSE;
}

/* A command (@verb, then @arg and @end if not NULL) and its CRLF. */
static void
send_cmd (Conn *c, Awaited awaited, const char *verb, const char *arg, const char *end)
{
  GString *to = c->with_body ? c->tail : c->out;

  rf_gstring_put_str (to, verb);
  if (arg != NULL)
    rf_gstring_put_str (to, arg);
  if (end != NULL)
    rf_gstring_put_str (to, end);
  rf_gstring_put (to, "\r\n", 2);
  aq_push (&c->awaited, awaited);
  c->deadline = now_ms () + REPLY_TIMEOUT_MS;
}

static void
conn_open (Run *run, Conn *c)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  int rc, fd = -1, errsv = 0;

  hints.ai_socktype = SOCK_STREAM;
  rc = getaddrinfo (c->relay->host, c->relay->port, &hints, &res);
  if (rc != 0)
    {
      c->fd = -1;
      conn_fail (run, c, gai_strerror (rc));
      return;
    }
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   ai->ai_protocol);
      if (fd < 0)
        {
          errsv = errno;
          continue;
        }
      /* commands and the dot are small writes that wait for a reply: with
       * Nagle's algorithm each would wait for the peer's delayed ACK */
      if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
        setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof (int));
      if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS)
        break;
      errsv = errno;
      close (fd);
      fd = -1;
    }
  freeaddrinfo (res);
  c->fd = fd;
  if (fd < 0)
    {
      conn_fail (run, c, g_strerror (errsv));
      return;
    }
  c->state = C_CONNECTING;
  c->ready = FALSE;
  c->pipelining = FALSE;
  aq_clear (&c->awaited);
  aq_push (&c->awaited, R_GREETING);
  c->deadline = now_ms () + REPLY_TIMEOUT_MS;
}

/* The next copy, drawn and made ready (VERP, its own lines), or NULL when
 * there is none left (or the run stopped). */
static Copy *
prepare_copy (Run *run)
{
  if (!run->stop && !g_queue_is_empty (&run->moved))
    return g_queue_pop_head (&run->moved);
  while (!run->stop && !run->exhausted)
    {
      const char *address = run->next_recipient (run->user_data,
                                                 run->stopped == NULL ? &run->stopped : NULL);
      g_autoptr (GError) head_error = NULL;
      g_autofree char *head = NULL;
      GString *b = run->scratch;
      gsize verp_at, head_at;
      Copy *copy;

      if (address == NULL)
        {
          run->exhausted = TRUE;
          run->stop = run->stopped != NULL;
          return NULL;
        }
      if (run->verp == NULL)
        {
          report (run, address, RF_RCPT_PENDING, run->verp_error);
          continue;
        }
      /* the copy's strings, one after the other: address, VERP sender,
       * its own lines as SMTP has them */
      g_string_truncate (b, 0);
      rf_gstring_put (b, address, strlen (address) + 1);
      verp_at = b->len;
      _rf_verp_maker_append (run->verp, address, b);
      g_string_append_c (b, '\0');
      if (!safe_path (address) || !safe_path (b->str + verp_at))
        {
          report (run, address, RF_RCPT_FAILED,
                  "not an address that can be given to SMTP (space, angle bracket or "
                  "control character)");
          continue;
        }
      if (run->header_for != NULL)
        {
          head = run->header_for (address, run->user_data, &head_error);
          if (head_error != NULL)
            {
              report (run, address, RF_RCPT_PENDING, head_error->message);
              continue;
            }
        }
      head_at = b->len;
      if (head != NULL)
        append_smtp (b, head, strlen (head));
      copy = g_malloc (sizeof (Copy) + b->len);
      memset (copy, 0, sizeof (Copy));
      memcpy (copy->data, b->str, b->len);
      copy->address = copy->data;
      copy->verp = copy->data + verp_at;
      if (head != NULL)
        {
          copy->head = copy->data + head_at;
          copy->head_len = b->len - head_at;
        }
      return copy;
    }
  return NULL;
}

/* Start the next copy on a connection: its envelope goes out. */
static void
start_copy (Run *run, Conn *c)
{
  c->env_copy = c->next_copy != NULL ? g_steal_pointer (&c->next_copy) : prepare_copy (run);
  if (c->env_copy == NULL)
    return;
  send_cmd (c, R_MAIL, "MAIL FROM:<", c->env_copy->verp, ">");
  if (c->pipelining)
    {
      send_cmd (c, R_RCPT, "RCPT TO:<", c->env_copy->address, ">");
      send_cmd (c, R_DATA, "DATA", NULL, NULL);
    }
}

/* The envelope's copy was accepted (354): its body and dot go out, and
 * with PIPELINING the next copy's envelope right behind them, in the same
 * write.  The previous copy's final reply came before this 354 (replies
 * come in order), so no other body is pending. */
static void
begin_body (Run *run, Conn *c)
{
  c->dot_copy = g_steal_pointer (&c->env_copy);
  if (c->dot_copy->head != NULL)
    rf_gstring_put (c->out, c->dot_copy->head, c->dot_copy->head_len);
  c->with_body = TRUE;
  c->body_off = 0;
  c->dot_off = 0;
  aq_push (&c->awaited, R_DOT);
  c->deadline = now_ms () + REPLY_TIMEOUT_MS;
  if (c->pipelining && !run->stop && (c->next_copy != NULL || work_left (run)))
    start_copy (run, c);
}

/* One whole reply (the code and its first line) has arrived. */
static void
on_reply (Run *run, Conn *c, int code, const char *text, int text_len, gboolean saw_pipelining)
{
  Awaited what = aq_pop (&c->awaited);
  /* the reasons are written out only for a reply that is not a success:
   * a fan-out reads four replies a copy */
  gboolean success = (code / 100 == 2 || code == 354) && what != R_GREETING && what != R_EHLO;
  g_autofree char *said = success ? NULL : g_strdup_printf ("said %d %.*s", code, text_len, text);
  g_autofree char *detail = said == NULL
                                ? NULL : g_strdup_printf ("relay %s:%s %s", c->relay->host,
                                                          c->relay->port, said);

  if (code == 421)
    {
      conn_fail (run, c, said);
      return;
    }
  switch (what)
    {
    case R_GREETING:
      if (code != 220)
        {
          conn_fail (run, c, said);
          return;
        }
      c->state = C_OPEN;
      send_cmd (c, R_EHLO, "EHLO ", run->helo, NULL);
      break;
    case R_EHLO:
      if (code != 250)
        {
          conn_fail (run, c, said);
          return;
        }
      c->pipelining = saw_pipelining;
      c->ready = TRUE;
      c->reconnects = 0;
      break;
    case R_MAIL:
      {
        Copy *e = c->env_copy;

        e->mail_code = code;
        e->mail_detail = g_strdup (detail);   /* NULL on success */
        if (!c->pipelining)
          {
            if (code / 100 == 2)
              send_cmd (c, R_RCPT, "RCPT TO:<", e->address, ">");
            else
              {
                report_copy (run, g_steal_pointer (&c->env_copy), RF_RCPT_PENDING, detail);
                send_cmd (c, R_RSET, "RSET", NULL, NULL);
              }
          }
      }
      break;
    case R_RCPT:
      {
        Copy *e = c->env_copy;

        e->rcpt_code = code;
        e->rcpt_detail = g_strdup (detail);
        if (!c->pipelining)
          {
            if (code / 100 == 2)
              send_cmd (c, R_DATA, "DATA", NULL, NULL);
            else
              {
                report_copy (run, g_steal_pointer (&c->env_copy), state_of (code), detail);
                send_cmd (c, R_RSET, "RSET", NULL, NULL);
              }
          }
      }
      break;
    case R_DATA:
      {
        Copy *e = c->env_copy;

        if (e->mail_code / 100 == 2 && e->rcpt_code / 100 == 2 && code == 354)
          {
            begin_body (run, c);
            break;
          }
        if (code == 354)
          {
            /* DATA accepted without a recipient: end it empty, then reset */
            g_string_append (c->with_body ? c->tail : c->out, dot_line);
            aq_push (&c->awaited, R_RSET);
          }
        /* the first refusal says why; DATA's "no valid recipients" does not */
        c->env_copy = NULL;
        if (e->mail_code / 100 != 2)
          report_copy (run, e, RF_RCPT_PENDING, e->mail_detail);
        else if (e->rcpt_code / 100 != 2)
          report_copy (run, e, state_of (e->rcpt_code), e->rcpt_detail);
        else
          report_copy (run, e, state_of (code), detail);
        send_cmd (c, R_RSET, "RSET", NULL, NULL);
      }
      break;
    case R_DOT:
      report_copy (run, g_steal_pointer (&c->dot_copy), state_of (code),
                   code / 100 == 2 ? NULL : detail);
      break;
    case R_RSET:
      break;
    case R_QUIT:
      close (c->fd);
      c->fd = -1;
      c->state = C_CLOSED;
      return;
    }
}

/* Parse whole replies out of c->in.  Multi-line replies ("250-...") end
 * at the line "250 ..." (RFC 5321 4.2.1). */
static void
read_replies (Run *run, Conn *c)
{
  gsize start = 0;

  for (;;)
    {
      char *nl = memchr (c->in->str + start, '\n', c->in->len - start);
      gsize line_len;
      char *line;

      if (nl == NULL)
        break;
      line = c->in->str + start;
      line_len = (gsize) (nl - line);
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
      if (line_len >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1]) &&
          g_ascii_isdigit (line[2]))
        {
          const char *text = line + MIN (line_len, 4);
          gsize text_len = line_len > 4 ? line_len - 4 : 0;

          if (text_len >= 10 && g_ascii_strncasecmp (text, "PIPELINING", 10) == 0)
            c->pipelining_seen = TRUE;
          if (c->reply_text == NULL && line_len > 3 && line[3] == '-')
            c->reply_text = g_strndup (text, MIN (text_len, 200));
          if (line_len == 3 || line[3] == ' ')
            {
              int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
              /* the first line's text, without a copy for a one-line reply */
              g_autofree char *first = g_steal_pointer (&c->reply_text);
              const char *first_text = first != NULL ? first : text;
              int first_len = first != NULL ? (int) strlen (first) : (int) MIN (text_len, 200);
              gboolean pl = c->pipelining_seen;

              c->pipelining_seen = FALSE;
              start = (gsize) (nl - c->in->str) + 1;
              if (aq_empty (&c->awaited))
                {
                  conn_fail (run, c, "a reply nobody asked for");
                  return;
                }
              on_reply (run, c, code, first_text, first_len, pl);
              if (c->state == C_CLOSED)
                return;
              continue;
            }
        }
      else
        {
          conn_fail (run, c, "not an SMTP reply");
          return;
        }
      start = (gsize) (nl - c->in->str) + 1;
    }
  g_string_erase (c->in, 0, (gssize) start);
  if (c->in->len > 64 * 1024)
    conn_fail (run, c, "a reply line longer than 64 KiB");
}

static void
do_read (Run *run, Conn *c)
{
  char buf[8192];
  ssize_t n = read (c->fd, buf, sizeof buf);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      conn_fail (run, c, n == 0 ? "closed the connection" : g_strerror (errno));
      return;
    }
  g_string_append_len (c->in, buf, n);
  read_replies (run, c);
}

static void
do_write (Run *run, Conn *c)
{
  gsize body_len;
  const char *body = g_bytes_get_data (run->body, &body_len);

  for (;;)
    {
      struct iovec iov[4];
      int n_iov = 0;
      ssize_t n;
      gsize done;

      /* one writev for the copy's own bytes, the body and the dot: one
       * segment where there would be three */
      if (c->out_off < c->out->len)
        iov[n_iov++] = (struct iovec) { c->out->str + c->out_off, c->out->len - c->out_off };
      if (c->with_body && c->body_off < body_len)
        iov[n_iov++] = (struct iovec) { (char *) body + c->body_off, body_len - c->body_off };
      if (c->with_body && c->dot_off < sizeof dot_line - 1)
        iov[n_iov++] = (struct iovec) { (char *) dot_line + c->dot_off,
                                        sizeof dot_line - 1 - c->dot_off };
      if (c->tail_off < c->tail->len)
        iov[n_iov++] = (struct iovec) { c->tail->str + c->tail_off,
                                        c->tail->len - c->tail_off };
      if (n_iov == 0)
        {
          /* all written: what followed the body is now simply "out" */
          g_string_truncate (c->out, 0);
          c->out_off = 0;
          c->with_body = FALSE;
          g_string_truncate (c->tail, 0);
          c->tail_off = 0;
          return;
        }
      /* sendmsg, not writev: a relay that hung up must give EPIPE, not
       * a SIGPIPE that kills us mid-fan-out */
      n = sendmsg (c->fd, &(struct msghdr) { .msg_iov = iov, .msg_iovlen = (size_t) n_iov },
                   MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (n < 0)
        {
          conn_fail (run, c, g_strerror (errno));
          return;
        }
      done = (gsize) n;
      if (c->out_off < c->out->len)
        {
          gsize k = MIN (done, c->out->len - c->out_off);

          c->out_off += k;
          done -= k;
        }
      if (c->with_body && c->body_off < body_len)
        {
          gsize k = MIN (done, body_len - c->body_off);

          c->body_off += k;
          done -= k;
        }
      if (c->with_body && c->dot_off < sizeof dot_line - 1)
        {
          gsize k = MIN (done, sizeof dot_line - 1 - c->dot_off);

          c->dot_off += k;
          done -= k;
        }
      c->tail_off += done;
    }
}

static gboolean
has_output (Run *run, Conn *c)
{
  return c->out_off < c->out->len || c->with_body || c->tail_off < c->tail->len;
}

static gboolean
parse_relays (Run *run, GError **error)
{
  run->relays = g_ptr_array_new ();
  for (char **r = run->config->relays; r != NULL && *r != NULL; r++)
    {
      const char *spec = *r;
      const char *colon = strrchr (spec, ':');
      Relay *relay = g_new0 (Relay, 1);

      if (spec[0] == '[' && strchr (spec, ']') != NULL)
        {
          const char *close = strchr (spec, ']');

          relay->host = g_strndup (spec + 1, (gsize) (close - spec - 1));
          relay->port = g_strdup (close[1] == ':' ? close + 2 : "25");
        }
      else if (colon != NULL && strchr (spec, ':') == colon)
        {
          relay->host = g_strndup (spec, (gsize) (colon - spec));
          relay->port = g_strdup (colon + 1);
        }
      else
        {
          relay->host = g_strdup (spec);
          relay->port = g_strdup ("25");
        }
      g_ptr_array_add (run->relays, relay);
    }
  if (run->relays->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_CONFIG,
                   "[delivery] relays is empty: name at least one host:port");
      return FALSE;
    }
  return TRUE;
}

static void
free_relays (GPtrArray *relays)
{
  for (guint i = 0; relays != NULL && i < relays->len; i++)
    {
      Relay *r = g_ptr_array_index (relays, i);

      g_free (r->host);
      g_free (r->port);
      g_free (r);
    }
  if (relays != NULL)
    g_ptr_array_free (relays, TRUE);
}

gboolean
_rf_smtp_fanout (const RfConfig *config, const char *message_path, const char *list_address,
                 GPtrArray *recipients, RfCopyHeaderFunc header_for, RfSendResultFunc on_result,
                 gpointer user_data, GError **error)
{
  RfArrayFeed feed = { recipients, 0, header_for, on_result, user_data };

  return _rf_smtp_send (config, message_path, list_address, recipients->len, _rf_array_feed_next,
                        header_for != NULL ? _rf_array_feed_header : NULL, _rf_array_feed_result,
                        &feed, error);
}

gboolean
_rf_smtp_send (const RfConfig *config, const char *message_path, const char *list_address,
               guint expected, RfNextRecipientFunc next_recipient, RfCopyHeaderFunc header_for,
               RfSendResultFunc on_result, gpointer user_data, GError **error)
{
  Run run = { .config = config, .list_address = list_address, .next_recipient = next_recipient,
              .header_for = header_for, .on_result = on_result, .user_data = user_data };
  g_autofree char *data = NULL;
  gsize len = 0;
  int n_conns;
  g_autofree Conn *conns = NULL;
  g_autofree struct pollfd *pfds = NULL;
  gboolean ok = TRUE;

  {
    g_autoptr (GError) local = NULL;

    if (!g_file_get_contents (message_path, &data, &len, &local))
      {
        g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read the rendered message: %s",
                     local->message);
        return FALSE;
      }
  }
  if (!parse_relays (&run, error))
    return FALSE;
  run.body = smtp_body (data, len);
  g_clear_pointer (&data, g_free);
  {
    g_autoptr (GError) local = NULL;

    /* a site key that cannot be read: each copy pending, with why */
    run.verp = _rf_verp_maker_new (config, list_address, &local);
    if (run.verp == NULL)
      run.verp_error = g_strdup (local->message);
  }
  run.scratch = g_string_sized_new (1024);
  run.helo = g_strdup (g_get_host_name ());
  run.outbox = g_array_new (FALSE, FALSE, sizeof (Outcome));

  /* a connection per COPIES_PER_CONN copies, up to parallel: pipelined,
   * one connection takes a small list's copies in a few milliseconds, and
   * each more costs a TCP handshake and an EHLO on both sides */
  n_conns = (int) MIN ((guint) CLAMP (config->parallel, 1, 256),
                       MAX ((expected + COPIES_PER_CONN - 1) / COPIES_PER_CONN, 1u));
  conns = g_new0 (Conn, n_conns);
  pfds = g_new0 (struct pollfd, n_conns);
  for (int i = 0; i < n_conns; i++)
    {
      conns[i].fd = -1;
      conns[i].state = C_CLOSED;
      conns[i].relay_index = (guint) i % run.relays->len;
      conns[i].relay = g_ptr_array_index (run.relays, conns[i].relay_index);
      conns[i].in = g_string_new (NULL);
      conns[i].out = g_string_new (NULL);
      conns[i].tail = g_string_new (NULL);
    }

  for (;;)
    {
      gboolean more = work_left (&run);
      int active = 0, timeout = -1;
      gint64 now = now_ms ();

      for (int i = 0; i < n_conns; i++)
        {
          Conn *c = &conns[i];

          if (c->state == C_CLOSED && more && c->reconnects < RECONNECTS)
            {
              c->reconnects++;
              conn_open (&run, c);
            }
          /* idle: after EHLO, a refusal, or a last copy (with PIPELINING
           * the next envelope otherwise leaves with the previous body) */
          if (c->state == C_OPEN && c->ready && c->env_copy == NULL && c->dot_copy == NULL &&
              aq_empty (&c->awaited))
            {
              if (more || (c->next_copy != NULL && !run.stop))
                start_copy (&run, c);
              more = work_left (&run);
              /* the feed may have run dry just now: then no reply is
               * awaited, and poll() would wait for ever */
              if (!more && c->env_copy == NULL && (c->next_copy == NULL || run.stop))
                {
                  c->ready = FALSE;
                  send_cmd (c, R_QUIT, "QUIT", NULL, NULL);
                }
            }
          pfds[i].fd = c->fd;
          pfds[i].events = 0;
          pfds[i].revents = 0;
          if (c->state == C_CLOSED)
            continue;
          active++;
          pfds[i].events = c->state == C_CONNECTING ? POLLOUT
                                                    : POLLIN | (has_output (&run, c) ? POLLOUT : 0);
          if (!aq_empty (&c->awaited))
            timeout = timeout < 0 ? (int) MAX (c->deadline - now, 0)
                                  : (int) MIN (timeout, MAX (c->deadline - now, 0));
        }
      if (active == 0)
        break;
      if (poll (pfds, (nfds_t) n_conns, timeout) < 0 && errno != EINTR)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "poll: %s", g_strerror (errno));
          ok = FALSE;
          break;
        }
      now = now_ms ();
      for (int i = 0; i < n_conns; i++)
        {
          Conn *c = &conns[i];

          if (c->state == C_CLOSED)
            continue;
          if (c->state == C_CONNECTING && pfds[i].revents != 0)
            {
              int err = 0;
              socklen_t l = sizeof err;

              getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
              if (err != 0)
                {
                  conn_fail (&run, c, g_strerror (err));
                  continue;
                }
              c->state = C_OPEN;
            }
          else if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
            do_read (&run, c);
          /* issue 12: the outcomes just read go to the progress before the
           * next body leaves: a copy whose reply was read is recorded
           * before another copy of its connection can arrive, so at any
           * moment a connection has at most one copy out whose outcome
           * the progress does not hold (listdeliver(8): parallel + 256).
           * A group commit there is rare in a fast fan-out: the next
           * batch's mark (prepare_copy, after the writes below) commits
           * the outcomes with it (issue 14). */
          flush_reports (&run);
          /* issue 12: the progress cannot be written (a full disk): no
           * copy whose final dot has not left gets it; closing the
           * connection is how SMTP takes back a DATA already begun */
          if (run.stop && c->state == C_OPEN && c->with_body && c->dot_off == 0)
            {
              conn_fail (&run, c, "closed before the end of a copy: the fan-out stopped");
              continue;
            }
          /* what the replies just read made us say goes out now, not after
           * another poll(): the socket is almost always writable, and a
           * full one answers EAGAIN */
          if (c->state == C_OPEN && ((pfds[i].revents & POLLOUT) || has_output (&run, c)))
            do_write (&run, c);
          if (c->state != C_CLOSED && now >= c->deadline && !aq_empty (&c->awaited))
            conn_fail (&run, c, "no reply within 300 s");
        }
      /* while the replies travel: the next copy of each busy connection
       * made ready, and the outcomes of failed connections into the
       * progress; not between a reply and the write it calls for */
      for (int i = 0; i < n_conns; i++)
        {
          Conn *c = &conns[i];

          if (c->state == C_OPEN && c->pipelining && c->env_copy != NULL &&
              c->next_copy == NULL && work_left (&run))
            c->next_copy = prepare_copy (&run);
        }
      flush_reports (&run);
    }

  /* copies made ready that no connection took */
  for (int i = 0; i < n_conns; i++)
    if (conns[i].next_copy != NULL)
      g_queue_push_tail (&run.moved, g_steal_pointer (&conns[i].next_copy));
  /* copies moved off a failed connection that no connection took */
  while (!g_queue_is_empty (&run.moved))
    {
      Copy *e = g_queue_pop_head (&run.moved);

      report_copy (&run, e, RF_RCPT_PENDING,
                   run.last_error != NULL ? run.last_error : "no connection");
    }
  flush_reports (&run);
  /* copies never started because every connection gave up */
  if (ok && run.stopped == NULL && !run.exhausted && !run.stop)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "no relay took the copies (%s); the MTA will retry",
                   run.last_error != NULL ? run.last_error : "no connection");
      ok = FALSE;
    }
  if (run.stopped != NULL)
    {
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&run.stopped));
      ok = FALSE;
    }
  for (int i = 0; i < n_conns; i++)
    {
      if (conns[i].fd >= 0)
        close (conns[i].fd);
      copy_free (conns[i].dot_copy);
      copy_free (conns[i].env_copy);
      copy_free (conns[i].next_copy);
      g_free (conns[i].reply_text);
      g_string_free (conns[i].in, TRUE);
      g_string_free (conns[i].out, TRUE);
      g_string_free (conns[i].tail, TRUE);
      g_free (conns[i].awaited.v);
    }
  free_relays (run.relays);
  g_bytes_unref (run.body);
  _rf_verp_maker_free (run.verp);
  g_free (run.verp_error);
  g_string_free (run.scratch, TRUE);
  g_free (run.helo);
  g_free (run.last_error);
  g_array_unref (run.outbox);
  return ok;
}
