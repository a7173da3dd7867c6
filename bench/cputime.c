/* cputime - run a command, print the user+sys CPU it used with all the
 * children it waited for, in microseconds (GNU time's %U and %S have a
 * resolution of 10 ms, too coarse for one post).  bench/cpu.sh's meter.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   cputime OUTFILE COMMAND [ARG...]
 *
 * Appends "USER_US SYS_US EXIT" to OUTFILE; exits with the command's status.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct rusage ru;
  pid_t pid;
  int status = 0;
  FILE *out;

  if (argc < 3)
    {
      fprintf (stderr, "usage: cputime OUTFILE COMMAND [ARG...]\n");
      return 64;
    }
  pid = fork ();
  if (pid == 0)
    {
      execv (argv[2], argv + 2);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0 || getrusage (RUSAGE_CHILDREN, &ru) != 0)
    return 70;
  out = fopen (argv[1], "a");
  if (out == NULL)
    return 73;
  fprintf (out, "%ld %ld %d\n", ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
           ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec,
           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  fclose (out);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
