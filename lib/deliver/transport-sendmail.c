/* transport-sendmail.c - one sendmail per copy, several at a time.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * posix_spawn (vfork under the hood), never a shell: the recipient is an
 * argument of its own after "--", so no address can become an option or a
 * command.  A copy without lines of its own opens the rendered file itself
 * as its stdin.  A copy with lines of its own (the one-click unsubscribe
 * link) reads a memfd that holds the whole copy before its sendmail
 * starts: those lines, then the rendered file copied in by the kernel
 * (sendfile).  Never a pipe fed after the start: a listdeliver killed
 * between the two would leave the sendmail an end of input in the middle
 * of the copy, and sendmail -oi takes end of input as the end of the
 * message, so the member would get a cut copy, then the whole one on the
 * retry (found by bench/kill.sh: 36 cut copies in 37 kills).  One poll()
 * loop notices every exit (pidfd).  Each child's stderr goes to a memfd
 * that we read after it exits, which gives the bounce a reason.
 *
 * issue 12: each copy has a deadline ([delivery] sendmail_timeout).  A
 * sendmail still running then is stuck (its MTA's queue, a lock, a
 * lookup): it is sent SIGTERM, and SIGKILL KILL_GRACE_MS later, with the
 * processes it started (each child leads a process group of its own); its
 * member is pending whatever it exits with, since its copy may or may not
 * have been queued; and no new copy is started, because a stuck MTA would
 * hold every further copy for the whole deadline too: the run ends 75 and
 * the MTA's retry sends the rest.
 */
#include "deliver/deliver-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct {
  pid_t pid;
  int pidfd;                 /* readable when the child has exited, or -1 */
  int err_fd;
  char *address;
  /* issue 12: monotonic times (us) of its deadline and of the SIGKILL
   * after the SIGTERM (0: none sent yet) */
  gint64 deadline;
  gint64 kill_at;
  gboolean timed_out;
} Child;

/* issue 12: between the SIGTERM at the deadline and the SIGKILL, time for a
 * sendmail to remove what it had half queued (Exim and Postfix's postdrop
 * do on SIGTERM) */
#define KILL_GRACE_MS 5000

/* [delivery] sendmail_timeout (a configuration built by hand may leave it
 * 0: the default) */
static int
timeout_s (const RfConfig *config)
{
  return config->sendmail_timeout > 0 ? config->sendmail_timeout : 300;
}

/* sysexits a sendmail uses for "this address will never work" */
static gboolean
is_permanent (int code)
{
  return code == 65 /* EX_DATAERR */ || code == 67 /* EX_NOUSER */ ||
         code == 68 /* EX_NOHOST */ || code == 77 /* EX_NOPERM */;
}

/* The first line the child wrote on stderr, at most 200 bytes, or NULL. */
static char *
first_line (int fd)
{
  char buf[201];
  ssize_t n;
  char *nl;

  if (lseek (fd, 0, SEEK_SET) != 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  nl = strpbrk (buf, "\r\n");
  if (nl != NULL)
    *nl = '\0';
  g_strstrip (buf);
  return buf[0] != '\0' ? g_strdup (buf) : NULL;
}

/* The outcome of one child that has exited. */
static gboolean
report_exit (Child *child, int status, int *running, const RfConfig *config,
             RfSendResultFunc on_result, gpointer user_data, GError **error)
{
  const char *program = config->sendmail;
  RfRecipientState state;
  g_autofree char *said = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *address = NULL;

  said = first_line (child->err_fd);
  close (child->err_fd);
  if (child->pidfd >= 0)
    close (child->pidfd);
  child->pid = 0;
  child->pidfd = -1;
  (*running)--;
  address = g_steal_pointer (&child->address);
  if (child->timed_out)
    {
      /* whatever it says now: it may or may not have queued the copy */
      child->timed_out = FALSE;
      detail = g_strdup_printf ("%s did not finish within %d s and was killed", program,
                                timeout_s (config));
      return on_result (address, RF_RCPT_PENDING, detail, user_data, error);
    }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    state = RF_RCPT_SENT;
  else if (WIFEXITED (status) && is_permanent (WEXITSTATUS (status)))
    state = RF_RCPT_FAILED;
  else
    state = RF_RCPT_PENDING;
  if (state != RF_RCPT_SENT)
    {
      if (WIFEXITED (status))
        detail = g_strdup_printf ("%s exited with %d%s%s", program, WEXITSTATUS (status),
                                  said != NULL ? ": " : "", said != NULL ? said : "");
      else
        detail = g_strdup_printf ("%s was killed by signal %d", program,
                                  WIFSIGNALED (status) ? WTERMSIG (status) : 0);
    }
  return on_result (address, state, detail, user_data, error);
}

/* A memfd that holds the whole copy: @head, then the @size bytes of
 * @message_fd, read from its start; positioned at 0, ready to be a
 * child's stdin.  -1 with *@detail_out on failure. */
static int
whole_copy (const char *head, int message_fd, off_t size, char **detail_out)
{
  gsize head_len = strlen (head);
  off_t in_off = 0;
  int fd = memfd_create ("sendmail-copy", MFD_CLOEXEC);

  if (fd < 0)
    goto fail;
  for (gsize done = 0; done < head_len;)
    {
      ssize_t n = write (fd, head + done, head_len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += (gsize) n;
    }
  while (in_off < size)
    {
      ssize_t n = sendfile (fd, message_fd, &in_off, (size_t) (size - in_off));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      if (n == 0)
        {
          errno = EIO;   /* the rendered file shrank under us */
          goto fail;
        }
    }
  if (lseek (fd, 0, SEEK_SET) != 0)
    goto fail;
  return fd;

fail:
  *detail_out = g_strdup_printf ("cannot prepare the copy: %s", g_strerror (errno));
  if (fd >= 0)
    close (fd);
  return -1;
}

/* @copy_fd >= 0: the child's stdin; else it opens @message_path.  The
 * child gets @sigmask. */
static pid_t
spawn_one (const RfConfig *config, const char *message_path, int copy_fd, const char *verp,
           const char *address, int err_fd, const sigset_t *sigmask, int *errno_out)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  pid_t pid = 0;
  int rc;

  g_ptr_array_add (argv, config->sendmail);
  for (char **a = config->sendmail_args; a != NULL && *a != NULL; a++)
    g_ptr_array_add (argv, *a);
  g_ptr_array_add (argv, (char *) "-oi");
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, (char *) verp);
  g_ptr_array_add (argv, (char *) "--");
  g_ptr_array_add (argv, (char *) address);
  g_ptr_array_add (argv, NULL);

  posix_spawn_file_actions_init (&actions);
  if (copy_fd >= 0)
    posix_spawn_file_actions_adddup2 (&actions, copy_fd, 0);
  else
    posix_spawn_file_actions_addopen (&actions, 0, message_path, O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2 (&actions, err_fd, 2);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setsigmask (&attr, sigmask);
  /* issue 12: a process group of its own, so that a sendmail killed at its
   * deadline takes with it whatever it started */
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  rc = posix_spawn (&pid, config->sendmail, &actions, &attr, (char **) argv->pdata, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  *errno_out = rc;
  return rc == 0 ? pid : -1;
}

/* issue 12: SIGTERM to the children past their deadline, SIGKILL to those
 * still there KILL_GRACE_MS later, each with its process group.  TRUE
 * when a deadline passed now.  *@timeout_ms becomes the poll timeout to
 * the next deadline or SIGKILL (or stays -1 when there is none). */
static gboolean
expire (Child *children, int parallel, int *timeout_ms)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = G_MAXINT64;
  gboolean expired = FALSE;

  for (int i = 0; i < parallel; i++)
    {
      Child *c = &children[i];

      if (c->pid == 0)
        continue;
      if (!c->timed_out && now >= c->deadline)
        {
          if (kill (-c->pid, SIGTERM) != 0)
            kill (c->pid, SIGTERM);
          c->timed_out = TRUE;
          c->kill_at = now + (gint64) KILL_GRACE_MS * 1000;
          expired = TRUE;
        }
      else if (c->timed_out && c->kill_at != 0 && now >= c->kill_at)
        {
          if (kill (-c->pid, SIGKILL) != 0)
            kill (c->pid, SIGKILL);
          c->kill_at = 0;   /* it cannot outlive that: its exit is all we wait for */
        }
      if (!c->timed_out)
        next = MIN (next, c->deadline);
      else if (c->kill_at != 0)
        next = MIN (next, c->kill_at);
    }
  if (next != G_MAXINT64)
    {
      /* rounded up: a poll that returns a little early would spin */
      int ms = (int) MIN ((next - now + 999) / 1000, (gint64) G_MAXINT);

      *timeout_ms = *timeout_ms < 0 ? ms : MIN (*timeout_ms, ms);
    }
  return expired;
}

gboolean
_rf_sendmail_fanout (const RfConfig *config, const char *message_path, const char *list_address,
                     GPtrArray *recipients, RfCopyHeaderFunc header_for,
                     RfSendResultFunc on_result, gpointer user_data, GError **error)
{
  RfArrayFeed feed = { recipients, 0, header_for, on_result, user_data };

  return _rf_sendmail_send (config, message_path, list_address, recipients->len,
                            _rf_array_feed_next, header_for != NULL ? _rf_array_feed_header : NULL,
                            _rf_array_feed_result, &feed, error);
}

gboolean
_rf_sendmail_send (const RfConfig *config, const char *message_path, const char *list_address,
                   guint expected, RfNextRecipientFunc next_recipient, RfCopyHeaderFunc header_for,
                   RfSendResultFunc on_result, gpointer user_data, GError **error)
{
  int parallel = (int) MIN ((guint) CLAMP (config->parallel, 1, 256), MAX (expected, 1u));
  int message_fd = -1;
  off_t message_size = 0;
  g_autofree Child *children = g_new0 (Child, parallel);
  g_autofree struct pollfd *pfds = g_new0 (struct pollfd, (gsize) parallel);
  int running = 0;
  gboolean exhausted = FALSE, stop = FALSE;
  g_autoptr (GError) stopped = NULL;
  sigset_t mask;
  /* issue 12: the deadline of each copy */
  gint64 timeout_us = (gint64) timeout_s (config) * G_USEC_PER_SEC;

  for (int i = 0; i < parallel; i++)
    children[i].pidfd = children[i].err_fd = -1;
  if (header_for != NULL)
    {
      struct stat st;

      message_fd = open (message_path, O_RDONLY | O_CLOEXEC);
      if (message_fd < 0 || fstat (message_fd, &st) != 0)
        {
          g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot read %s: %s", message_path,
                       g_strerror (errno));
          if (message_fd >= 0)
            close (message_fd);
          return FALSE;
        }
      message_size = st.st_size;
    }
  /* the children get our signal mask as it is */
  pthread_sigmask (SIG_SETMASK, NULL, &mask);

  while ((!stop && !exhausted) || running > 0)
    {
      int n_pfds = 0, timeout = -1;
      pid_t pid;
      int status;

      while (!stop && !exhausted && running < parallel)
        {
          g_autofree char *address = NULL;
          g_autoptr (GError) verp_error = NULL;
          g_autofree char *verp = NULL;
          g_autofree char *head = NULL;
          g_autofree char *detail = NULL;
          int slot = 0, err_fd, copy_fd = -1, spawn_errno = 0;
          Child *child;

          {
            const char *a = next_recipient (user_data, stopped == NULL ? &stopped : NULL);

            if (a == NULL)
              {
                exhausted = TRUE;
                stop = stopped != NULL;
                break;
              }
            address = g_strdup (a);
          }
          verp = rf_verp_sender (config, list_address, address, &verp_error);
          if (verp == NULL)
            {
              stop = !on_result (address, RF_RCPT_PENDING, verp_error->message, user_data,
                                 &stopped);
              continue;
            }
          while (children[slot].pid != 0)
            slot++;
          err_fd = memfd_create ("sendmail-stderr", MFD_CLOEXEC);
          if (err_fd < 0)
            {
              detail = g_strdup_printf ("cannot create a buffer: %s", g_strerror (errno));
              stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
              continue;
            }
          if (header_for != NULL)
            {
              g_autoptr (GError) head_error = NULL;

              head = header_for (address, user_data, &head_error);
              if (head_error != NULL)
                detail = g_strdup (head_error->message);
              else if (head != NULL)
                copy_fd = whole_copy (head, message_fd, message_size, &detail);
              if (detail != NULL)
                {
                  close (err_fd);
                  stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
                  continue;
                }
            }
          pid = spawn_one (config, message_path, copy_fd, verp, address, err_fd, &mask,
                           &spawn_errno);
          if (copy_fd >= 0)
            close (copy_fd);
          if (pid < 0)
            {
              detail = g_strdup_printf ("cannot run %s: %s", config->sendmail,
                                        g_strerror (spawn_errno));
              close (err_fd);
              stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
              continue;
            }
          child = &children[slot];
          child->pid = pid;
          child->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
          child->err_fd = err_fd;
          child->address = g_steal_pointer (&address);
          child->deadline = g_get_monotonic_time () + timeout_us;
          child->kill_at = 0;
          child->timed_out = FALSE;
          running++;
        }
      if (running == 0)
        continue;

      /* issue 12: a copy past its deadline: its sendmail is stopped, and
       * no new copy is started */
      if (expire (children, parallel, &timeout))
        {
          stop = TRUE;
          if (stopped == NULL)
            g_set_error (&stopped, RF_ERROR, RF_ERROR_TEMPORARY,
                         "%s did not finish a copy within %d s and was killed; no more "
                         "copies were started: the MTA will retry",
                         config->sendmail, timeout_s (config));
        }

      /* wait for a child that exits, or the next deadline; without a
       * pidfd (an old kernel), look for exits every 10 ms */
      for (int i = 0; i < parallel; i++)
        {
          if (children[i].pid == 0)
            continue;
          if (children[i].pidfd >= 0)
            pfds[n_pfds++] = (struct pollfd) { children[i].pidfd, POLLIN, 0 };
          else
            timeout = timeout < 0 ? 10 : MIN (timeout, 10);
        }
      if (poll (pfds, (nfds_t) n_pfds, timeout) < 0 && errno != EINTR)
        timeout = 10;   /* cannot happen; the reaping below still works */
      while ((pid = waitpid (-1, &status, WNOHANG)) != 0)
        {
          Child *child = NULL;

          if (pid < 0 && errno == EINTR)
            continue;
          if (pid < 0 && running == 0)
            break;   /* all reaped */
          if (pid < 0)
            {
              /* no child left to wait for: forget them all, or we would
               * wait for ever */
              for (int i = 0; i < parallel; i++)
                if (children[i].pid != 0)
                  {
                    close (children[i].err_fd);
                    if (children[i].pidfd >= 0)
                      close (children[i].pidfd);
                    g_clear_pointer (&children[i].address, g_free);
                    children[i].pid = 0;
                  }
              running = 0;
              if (stopped == NULL)
                g_set_error (&stopped, RF_ERROR, RF_ERROR_TEMPORARY, "waitpid: %s",
                             g_strerror (errno));
              stop = TRUE;
              break;
            }
          for (int i = 0; i < parallel; i++)
            if (children[i].pid == pid)
              child = &children[i];
          if (child == NULL)
            continue;   /* not one of ours */
          if (!report_exit (child, status, &running, config, on_result, user_data,
                            stopped == NULL ? &stopped : NULL))
            stop = TRUE;
        }
    }

  if (message_fd >= 0)
    close (message_fd);
  if (stopped != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&stopped));
      return FALSE;
    }
  return TRUE;
}
