/* ref-sender - the reference of bench/smtp.sh: what an SMTP client can do
 * on this machine, written as plainly as a fast client can be.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ref-sender HOST PORT CONNECTIONS MESSAGE ADDRESSES LIST
 *
 * Sends MESSAGE once to each address of the file ADDRESSES (one a line),
 * as reflector does: each copy with its own VERP envelope sender
 * (LIST-bounces+local=domain@dom) and its own two header lines (a
 * one-click List-Unsubscribe of the same length as reflector's), over
 * CONNECTIONS connections, one thread each, taking the next address from
 * one shared counter.  Per copy it makes one write and one read:
 *
 *   write:  [own header lines][body][.\r\n][MAIL FROM][RCPT TO][DATA]
 *   read:   250 (the previous dot), 250 (MAIL), 250 (RCPT), 354 (DATA)
 *
 * that is, the next envelope leaves with the previous body and dot
 * (RFC 2920 lets DATA end a group; the body waits for its 354), and the
 * replies are read in one batch.  TCP_NODELAY, as any pipelining client
 * must.  No progress is recorded anywhere: this is the wire's limit for a
 * client, not a reflector.
 *
 * Prints "ref-sender: SENT sent, REFUSED refused, SECONDS s" and exits 0
 * when every copy was accepted, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *host, *port, *list_local, *list_domain;
static char **addresses;
static size_t n_addresses;
static char *body;            /* CRLF, dot-stuffed, ends in CRLF */
static size_t body_len;
static size_t next_address;   /* shared, atomic */
static size_t sent, refused;  /* atomic */

static void
die (const char *what)
{
  fprintf (stderr, "ref-sender: %s: %s\n", what, strerror (errno));
  exit (1);
}

/* the whole file; LF becomes CRLF, a leading dot is doubled */
static void
load_body (const char *path)
{
  FILE *f = fopen (path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  size_t size = 0, alloc = 1 << 16;

  if (f == NULL)
    die (path);
  body = malloc (alloc);
  while ((n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] == '\n')
        n--;
      if (n > 0 && line[n - 1] == '\r')
        n--;
      while (size + (size_t) n + 4 > alloc)
        body = realloc (body, alloc *= 2);
      if (n > 0 && line[0] == '.')
        body[size++] = '.';
      memcpy (body + size, line, (size_t) n);
      size += (size_t) n;
      body[size++] = '\r';
      body[size++] = '\n';
    }
  free (line);
  fclose (f);
  body_len = size;
}

static void
load_addresses (const char *path)
{
  FILE *f = fopen (path, "r");
  char *line = NULL;
  size_t cap = 0, alloc = 1024;
  ssize_t n;

  if (f == NULL)
    die (path);
  addresses = malloc (alloc * sizeof *addresses);
  while ((n = getline (&line, &cap, f)) > 0)
    {
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
      if (n == 0)
        continue;
      if (n_addresses == alloc)
        addresses = realloc (addresses, (alloc *= 2) * sizeof *addresses);
      addresses[n_addresses++] = strdup (line);
    }
  free (line);
  fclose (f);
}

typedef struct {
  int fd;
  char in[65536];
  size_t in_len;
} Conn;

/* Read until @want final replies have come; their codes into @codes. */
static int
read_replies (Conn *c, int want, int *codes)
{
  int got = 0;

  while (got < want)
    {
      char *nl;
      size_t start = 0;
      ssize_t n = read (c->fd, c->in + c->in_len, sizeof c->in - c->in_len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      c->in_len += (size_t) n;
      while (got < want && (nl = memchr (c->in + start, '\n', c->in_len - start)) != NULL)
        {
          const char *line = c->in + start;

          if (nl - line >= 3 && (nl - line == 3 || line[3] == ' ' || line[3] == '\r'))
            codes[got++] = atoi (line);
          start = (size_t) (nl - c->in) + 1;
        }
      memmove (c->in, c->in + start, c->in_len - start);
      c->in_len -= start;
    }
  return 0;
}

static void
write_all (int fd, struct iovec *iov, int n_iov)
{
  while (n_iov > 0)
    {
      ssize_t n = writev (fd, iov, n_iov);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("writev");
      while (n_iov > 0 && (size_t) n >= iov->iov_len)
        {
          n -= (ssize_t) iov->iov_len;
          iov++;
          n_iov--;
        }
      if (n_iov > 0)
        {
          iov->iov_base = (char *) iov->iov_base + n;
          iov->iov_len -= (size_t) n;
        }
    }
}

/* MAIL, RCPT, DATA of @address into @buf; its own header lines into @head */
static size_t
envelope (char *buf, size_t size, const char *address)
{
  const char *at = strrchr (address, '@');
  int local_len = at != NULL ? (int) (at - address) : (int) strlen (address);

  return (size_t) snprintf (buf, size,
                            "MAIL FROM:<%s-bounces+%.*s=%s@%s>\r\nRCPT TO:<%s>\r\nDATA\r\n",
                            list_local, local_len, address, at != NULL ? at + 1 : "",
                            list_domain, address);
}

static size_t
own_head (char *buf, size_t size, size_t i)
{
  /* 27 characters, as reflector's 160-bit base64url token */
  return (size_t) snprintf (buf, size,
                            "List-Unsubscribe: <http://127.0.0.1:8025/u/tok%024zu>, "
                            "<mailto:%s-leave@%s>\r\n"
                            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                            i, list_local, list_domain);
}

static int
connect_to (void)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
  int fd = -1;

  if (getaddrinfo (host, port, &hints, &res) != 0)
    die ("getaddrinfo");
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd < 0)
        continue;
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof (int));
      if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
        break;
      close (fd);
      fd = -1;
    }
  freeaddrinfo (res);
  if (fd < 0)
    die ("connect");
  return fd;
}

static void *
worker (void *arg)
{
  Conn *c = calloc (1, sizeof *c);
  int codes[4];
  char env[1024], head[512], hello[300];
  size_t env_len, head_len = 0, i, prev = (size_t) -1;
  struct iovec iov[4];

  (void) arg;
  c->fd = connect_to ();
  if (read_replies (c, 1, codes) != 0 || codes[0] != 220)
    die ("greeting");
  snprintf (hello, sizeof hello, "EHLO ref-sender.test\r\n");
  iov[0] = (struct iovec) { hello, strlen (hello) };
  write_all (c->fd, iov, 1);
  if (read_replies (c, 1, codes) != 0 || codes[0] != 250)
    die ("EHLO");
  for (;;)
    {
      int n_iov = 0, want = 0;

      i = __atomic_fetch_add (&next_address, 1, __ATOMIC_RELAXED);
      /* the previous copy's body and dot, then this copy's envelope */
      if (prev != (size_t) -1)
        {
          iov[n_iov++] = (struct iovec) { head, head_len };
          iov[n_iov++] = (struct iovec) { body, body_len };
          iov[n_iov++] = (struct iovec) { (char *) ".\r\n", 3 };
          want++;
        }
      if (i < n_addresses)
        {
          env_len = envelope (env, sizeof env, addresses[i]);
          iov[n_iov++] = (struct iovec) { env, env_len };
          want += 3;
        }
      else
        {
          iov[n_iov++] = (struct iovec) { (char *) "QUIT\r\n", 6 };
          want++;
        }
      write_all (c->fd, iov, n_iov);
      if (read_replies (c, want, codes) != 0)
        die ("reply");
      if (prev != (size_t) -1)
        __atomic_fetch_add (codes[0] / 100 == 2 ? &sent : &refused, 1, __ATOMIC_RELAXED);
      if (i >= n_addresses)
        break;
      {
        int *e = prev != (size_t) -1 ? codes + 1 : codes;

        if (e[0] / 100 == 2 && e[1] / 100 == 2 && e[2] == 354)
          {
            prev = i;
            head_len = own_head (head, sizeof head, i);
          }
        else
          {
            /* refused: end an accepted DATA empty, and go on */
            __atomic_fetch_add (&refused, 1, __ATOMIC_RELAXED);
            prev = (size_t) -1;
            if (e[2] == 354)
              {
                iov[0] = (struct iovec) { (char *) ".\r\nRSET\r\n", 9 };
                write_all (c->fd, iov, 1);
                if (read_replies (c, 2, codes) != 0)
                  die ("reply");
              }
            else
              {
                iov[0] = (struct iovec) { (char *) "RSET\r\n", 6 };
                write_all (c->fd, iov, 1);
                if (read_replies (c, 1, codes) != 0)
                  die ("reply");
              }
          }
      }
    }
  close (c->fd);
  free (c);
  return NULL;
}

int
main (int argc, char **argv)
{
  int n_conns;
  pthread_t *threads;
  struct timespec t0, t1;
  char *at;

  if (argc != 7)
    {
      fprintf (stderr, "usage: ref-sender HOST PORT CONNECTIONS MESSAGE ADDRESSES LIST\n");
      return 64;
    }
  host = argv[1];
  port = argv[2];
  n_conns = atoi (argv[3]);
  load_body (argv[4]);
  load_addresses (argv[5]);
  at = strrchr (argv[6], '@');
  if (n_conns < 1 || at == NULL)
    {
      fprintf (stderr, "ref-sender: CONNECTIONS >= 1 and LIST an address\n");
      return 64;
    }
  list_local = strndup (argv[6], (size_t) (at - argv[6]));
  list_domain = at + 1;
  threads = calloc ((size_t) n_conns, sizeof *threads);
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n_conns; i++)
    pthread_create (&threads[i], NULL, worker, NULL);
  for (int i = 0; i < n_conns; i++)
    pthread_join (threads[i], NULL);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  printf ("ref-sender: %zu sent, %zu refused, %.3f s\n", sent, refused,
          (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return sent == n_addresses ? 0 : 1;
}
