/* transport-sendmail.c - one sendmail per copy, several at a time.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * posix_spawn (vfork under the hood), never a shell: the recipient is an
 * argument of its own after "--", so no address can become an option or a
 * command.  Each child opens the rendered file itself, so each reads it
 * from the start; its stderr goes to a memfd that we read after it exits,
 * which gives the bounce a reason without a poll loop.  A copy with lines
 * of its own (the one-click unsubscribe link) is assembled in a memfd
 * instead: those lines, then the file, copied in the kernel by sendfile(),
 * so the parent never blocks on a child reading a pipe.
 */
#include "transport-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct {
  pid_t pid;
  int err_fd;
  char *address;
} Child;

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

static gboolean
reap_one (Child *children, int n_children, int *running, const char *program,
          RfSendResultFunc on_result, gpointer user_data, GError **error)
{
  int status;
  pid_t pid;
  RfRecipientState state;
  g_autofree char *said = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *address = NULL;
  Child *child = NULL;

  do
    pid = waitpid (-1, &status, 0);
  while (pid < 0 && errno == EINTR);
  if (pid < 0)
    {
      /* no child left to wait for: forget them all, or we would wait forever */
      for (int i = 0; i < n_children; i++)
        if (children[i].pid != 0)
          {
            close (children[i].err_fd);
            children[i].pid = 0;
            g_clear_pointer (&children[i].address, g_free);
          }
      *running = 0;
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "waitpid: %s", g_strerror (errno));
      return FALSE;
    }
  for (int i = 0; i < n_children; i++)
    if (children[i].pid == pid)
      child = &children[i];
  if (child == NULL)
    return TRUE;   /* not one of ours */

  said = first_line (child->err_fd);
  close (child->err_fd);
  child->pid = 0;
  (*running)--;
  address = g_steal_pointer (&child->address);
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

/* A memfd holding @head then all of @message_fd, positioned at 0; -1 with
 * errno set on failure. */
static int
assemble_copy (const char *head, int message_fd, off_t size)
{
  int fd = memfd_create ("copy", MFD_CLOEXEC);
  gsize len = strlen (head);
  off_t offset = 0;
  int errsv;

  if (fd < 0)
    return -1;
  while (len > 0)
    {
      ssize_t n = write (fd, head, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      head += n;
      len -= (gsize) n;
    }
  while (offset < size)
    {
      ssize_t n = sendfile (fd, message_fd, &offset, (size_t) (size - offset));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;   /* the file shrank under us */
          goto fail;
        }
    }
  if (lseek (fd, 0, SEEK_SET) != 0)
    goto fail;
  return fd;
fail:
  errsv = errno;
  close (fd);
  errno = errsv;
  return -1;
}

/* @copy_fd >= 0: the child's stdin; else it opens @message_path. */
static pid_t
spawn_one (const RfConfig *config, const char *message_path, int copy_fd, const char *verp,
           const char *address, int err_fd, int *errno_out)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  posix_spawn_file_actions_t actions;
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
  rc = posix_spawn (&pid, config->sendmail, &actions, NULL, (char **) argv->pdata, environ);
  posix_spawn_file_actions_destroy (&actions);
  *errno_out = rc;
  return rc == 0 ? pid : -1;
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
  int parallel = CLAMP (config->parallel, 1, 256);
  gboolean exhausted = FALSE;
  int message_fd = -1;
  off_t message_size = 0;
  g_autofree Child *children = g_new0 (Child, parallel);
  int running = 0;
  gboolean stop = FALSE;
  g_autoptr (GError) stopped = NULL;

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
  while ((!stop && !exhausted) || running > 0)
    {
      while (!stop && !exhausted && running < parallel)
        {
          g_autofree char *address = NULL;
          g_autofree char *verp = NULL;
          int slot = 0, err_fd, copy_fd = -1, spawn_errno = 0;
          pid_t pid;

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
          verp = rf_verp_sender (list_address, address);

          while (children[slot].pid != 0)
            slot++;
          err_fd = memfd_create ("sendmail-stderr", MFD_CLOEXEC);
          if (err_fd < 0)
            {
              g_autofree char *detail = g_strdup_printf ("cannot create a buffer: %s",
                                                         g_strerror (errno));

              stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
              continue;
            }
          if (header_for != NULL)
            {
              g_autoptr (GError) head_error = NULL;
              g_autofree char *head = header_for (address, user_data, &head_error);
              g_autofree char *detail = NULL;

              if (head != NULL)
                copy_fd = assemble_copy (head, message_fd, message_size);
              if (head_error != NULL || (head != NULL && copy_fd < 0))
                {
                  detail = head_error != NULL
                               ? g_strdup (head_error->message)
                               : g_strdup_printf ("cannot assemble the copy: %s",
                                                  g_strerror (errno));
                  close (err_fd);
                  stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
                  continue;
                }
            }
          pid = spawn_one (config, message_path, copy_fd, verp, address, err_fd, &spawn_errno);
          if (copy_fd >= 0)
            close (copy_fd);
          if (pid < 0)
            {
              g_autofree char *detail = g_strdup_printf ("cannot run %s: %s", config->sendmail,
                                                         g_strerror (spawn_errno));

              close (err_fd);
              stop = !on_result (address, RF_RCPT_PENDING, detail, user_data, &stopped);
              continue;
            }
          children[slot].pid = pid;
          children[slot].err_fd = err_fd;
          children[slot].address = g_steal_pointer (&address);
          running++;
        }
      if (running > 0 &&
          !reap_one (children, parallel, &running, config->sendmail, on_result, user_data,
                     stopped == NULL ? &stopped : NULL))
        stop = TRUE;
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
