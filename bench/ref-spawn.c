/* ref-spawn - the reference of bench/sendmail.sh: K sendmail processes at a
 * time, no shell, each reading the same message file as its stdin.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ref-spawn K MESSAGE ADDRESSES LIST SENDMAIL [ARG...]
 *
 * For each address of the file ADDRESSES (one a line), runs
 * `SENDMAIL [ARG...] -oi -f LIST-bounces+local=domain@dom -- ADDRESS`
 * with posix_spawn, K at a time, as reflector's sendmail transport does,
 * minus everything reflector does besides (no progress, no per-member
 * lines).  Prints "ref-spawn: SENT sent, FAILED failed, SECONDS s" and
 * exits 0 when every copy was accepted.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int
main (int argc, char **argv)
{
  int k, running = 0, sent = 0, failed = 0;
  size_t n = 0, cap = 0, alloc = 1024, next = 0;
  char **addresses, *line = NULL, *at, *list_local;
  const char *message, *list_domain;
  FILE *f;
  ssize_t len;
  struct timespec t0, t1;

  if (argc < 6)
    {
      fprintf (stderr, "usage: ref-spawn K MESSAGE ADDRESSES LIST SENDMAIL [ARG...]\n");
      return 64;
    }
  k = atoi (argv[1]);
  message = argv[2];
  at = strrchr (argv[4], '@');
  if (k < 1 || at == NULL || (f = fopen (argv[3], "r")) == NULL)
    {
      fprintf (stderr, "ref-spawn: bad arguments\n");
      return 64;
    }
  list_local = strndup (argv[4], (size_t) (at - argv[4]));
  list_domain = at + 1;
  addresses = malloc (alloc * sizeof *addresses);
  while ((len = getline (&line, &cap, f)) > 0)
    {
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
      if (len == 0)
        continue;
      if (n == alloc)
        addresses = realloc (addresses, (alloc *= 2) * sizeof *addresses);
      addresses[n++] = strdup (line);
    }
  fclose (f);

  clock_gettime (CLOCK_MONOTONIC, &t0);
  while (next < n || running > 0)
    {
      int status;

      while (next < n && running < k)
        {
          const char *a = addresses[next++];
          const char *d = strrchr (a, '@');
          char verp[1024];
          char *args[argc + 8];
          int j = 0;
          posix_spawn_file_actions_t actions;
          pid_t pid;

          snprintf (verp, sizeof verp, "%s-bounces+%.*s=%s@%s", list_local,
                    (int) (d != NULL ? d - a : (long) strlen (a)), a, d != NULL ? d + 1 : "",
                    list_domain);
          for (int i = 5; i < argc; i++)
            args[j++] = argv[i];
          args[j++] = (char *) "-oi";
          args[j++] = (char *) "-f";
          args[j++] = verp;
          args[j++] = (char *) "--";
          args[j++] = (char *) a;
          args[j] = NULL;
          posix_spawn_file_actions_init (&actions);
          posix_spawn_file_actions_addopen (&actions, 0, message, O_RDONLY, 0);
          posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
          if (posix_spawn (&pid, argv[5], &actions, NULL, args, environ) != 0)
            failed++;
          else
            running++;
          posix_spawn_file_actions_destroy (&actions);
        }
      if (running > 0 && wait (&status) > 0)
        {
          running--;
          if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
            sent++;
          else
            failed++;
        }
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  printf ("ref-spawn: %d sent, %d failed, %.3f s\n", sent, failed,
          (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return failed == 0 && (size_t) sent == n ? 0 : 1;
}
