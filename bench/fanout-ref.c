/* fanout-ref - the reference of bench/fanout.sh: the work of a sendmail
 * fan-out and nothing else.  K processes at a time, no shell, each the
 * sendmail stand-in reading the message file as its stdin.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   fanout-ref K MESSAGE ADDRESSES LIST SENDMAIL [ARG...]
 *
 * For each address of the file ADDRESSES (one a line), runs
 * `SENDMAIL [ARG...] -oi -f LIST-bounces+local=domain@dom -- ADDRESS` with
 * posix_spawn, K at a time, as listdeliver's sendmail transport does, minus
 * what listdeliver does besides (spool, store, progress, per-member lines).
 * Prints "fanout-ref: SENT sent, FAILED failed" and exits 0 only when every
 * copy was accepted.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int
reap (int *sent, int *failed)
{
  int status;

  if (wait (&status) < 0)
    return -1;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    (*sent)++;
  else
    (*failed)++;
  return 0;
}

int
main (int argc, char **argv)
{
  int k, running = 0, sent = 0, failed = 0, extra;
  const char *message, *list, *at_list;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  FILE *addresses;
  char **args;

  if (argc < 6 || (k = atoi (argv[1])) < 1)
    {
      fprintf (stderr, "usage: fanout-ref K MESSAGE ADDRESSES LIST SENDMAIL [ARG...]\n");
      return 64;
    }
  message = argv[2];
  list = argv[4];
  at_list = strchr (list, '@');
  if (at_list == NULL || (addresses = fopen (argv[3], "r")) == NULL)
    {
      fprintf (stderr, "fanout-ref: cannot read %s, or no '@' in %s\n", argv[3], list);
      return 66;
    }
  /* SENDMAIL [ARG...] -oi -f VERP -- ADDRESS */
  extra = argc - 5;
  args = calloc ((size_t) extra + 6, sizeof *args);
  for (int i = 0; i < extra; i++)
    args[i] = argv[5 + i];
  args[extra] = "-oi";
  args[extra + 1] = "-f";
  args[extra + 3] = "--";
  while ((len = getline (&line, &cap, addresses)) > 0)
    {
      char verp[1024], *at;
      posix_spawn_file_actions_t fa;
      pid_t pid;

      if (line[len - 1] == '\n')
        line[--len] = '\0';
      if (len == 0 || (at = strchr (line, '@')) == NULL)
        continue;
      snprintf (verp, sizeof verp, "%.*s-bounces+%.*s=%s%s", (int) (at_list - list), list,
                (int) (at - line), line, at + 1, at_list);
      args[extra + 2] = verp;
      args[extra + 4] = line;
      while (running >= k)
        {
          if (reap (&sent, &failed) < 0)
            return 71;
          running--;
        }
      posix_spawn_file_actions_init (&fa);
      posix_spawn_file_actions_addopen (&fa, 0, message, O_RDONLY, 0);
      if (posix_spawn (&pid, args[0], &fa, NULL, args, environ) != 0)
        failed++;
      else
        running++;
      posix_spawn_file_actions_destroy (&fa);
    }
  while (running > 0)
    {
      if (reap (&sent, &failed) < 0)
        return 71;
      running--;
    }
  printf ("fanout-ref: %d sent, %d failed\n", sent, failed);
  return failed == 0 ? 0 : 1;
}
