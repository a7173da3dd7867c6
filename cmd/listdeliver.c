/* listdeliver - the MTA's pipe command: one message on stdin, for one list
 * address, answered with a sysexits code (listdeliver(8)).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the MTA needs to decide is in the exit code: 0 done, 65/67/77
 * bounce with our one line of stderr as the reason, 75 try again later.
 * Anything unexpected is 75: a message is never lost because of us.
 */
#include <reflector/reflector.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reflector/banned.h>

static const char usage_line[] =
  "usage: listdeliver [-c FILE] [-f SENDER] [--] [RECIPIENT]";

/* --help: the usage line, then each option (listdeliver.8 has the same) */
static const char help_text[] =
  "\n"
  "Deliver one message from standard input to the list address RECIPIENT\n"
  "(default: $RECIPIENT).  Exit status: 0 done, 65 unparseable, 67 no such\n"
  "list, 75 try again later, 77 refused by the list.\n"
  "\n"
  "  -c, --config FILE  read FILE instead of the compiled-in configuration file\n"
  "  -f SENDER          the envelope sender (default: $SENDER)\n"
  "  -h, --help         show this help\n"
  "  -V, --version      print the version and the configuration file\n";

/* fds 0-2 open, on /dev/null where they were closed, before anything is
 * opened: the database, a spool file or the syslog socket must never
 * become standard error, or our one line of reason would be written into
 * it (STYLE.md, the delivery program).  FALSE when /dev/null cannot be
 * opened; *stdin_closed_out says whether there was no standard input. */
static gboolean
std_fds_open (gboolean *stdin_closed_out)
{
  *stdin_closed_out = FALSE;
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
      {
        /* the lowest free descriptor: @fd itself, the ones below are open */
        int null = open ("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

        if (null < 0)
          return FALSE;
        if (null != fd)
          {
            if (dup2 (null, fd) < 0)
              return FALSE;
            close (null);
          }
        if (fd == 0)
          *stdin_closed_out = TRUE;
      }
  return TRUE;
}

/* One line on stderr: the MTA copies it into the bounce or its log. */
G_GNUC_PRINTF (2, 3)
static int
fail (int code, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  for (char *p = text; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  fprintf (stderr, "listdeliver: %s\n", text);
  /* and the mail log, unless that is stderr already */
  if (rf_log_target () == RF_LOG_SYSLOG)
    rf_log_warning ("%s (exit %d)", text, code);
  return code;
}

static int
exit_code_of (const GError *error)
{
  if (error->domain != RF_ERROR)
    return EX_TEMPFAIL;
  switch ((RfErrorCode) error->code)
    {
    case RF_ERROR_BAD_MESSAGE: return EX_DATAERR;
    case RF_ERROR_NO_SUCH_LIST:
    case RF_ERROR_UNSUPPORTED: return EX_NOUSER;
    case RF_ERROR_REJECTED: return EX_NOPERM;
    default: return EX_TEMPFAIL;
    }
}

/* All of stdin.  NULL with errno set on a read error. */
static GBytes *
read_all (int fd)
{
  g_autoptr (GByteArray) buf = g_byte_array_sized_new (64 * 1024);
  guint8 chunk[64 * 1024];

  for (;;)
    {
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* Without a leading mbox "From " line (some MTAs and test tools add one). */
static GBytes *
without_mbox_from (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *nl, *cr;

  if (len < 5 || memcmp (data, "From ", 5) != 0)
    return g_bytes_ref (raw);
  /* the line may end in CR only (old Mac mail): whichever comes first */
  nl = memchr (data, '\n', len);
  cr = memchr (data, '\r', nl != NULL ? (gsize) (nl - data) : len);
  if (cr != NULL)
    nl = cr + 1 < data + len && cr[1] == '\n' ? cr + 1 : cr;
  if (nl == NULL)
    return g_bytes_new (NULL, 0);
  return g_bytes_new_from_bytes (raw, nl + 1 - data, len - (gsize) (nl + 1 - data));
}

/* Exim's pipe sets RECIPIENT to the whole address; should an MTA give it
 * without the suffix that routed it, LOCAL_PART_SUFFIX puts it back. */
static char *
recipient_from_env (void)
{
  const char *rcpt = g_getenv ("RECIPIENT");
  const char *suffix = g_getenv ("LOCAL_PART_SUFFIX");
  const char *at;
  g_autofree char *local = NULL;

  if (rcpt == NULL || *rcpt == '\0')
    return NULL;
  at = strrchr (rcpt, '@');
  if (suffix == NULL || *suffix == '\0' || at == NULL)
    return g_strdup (rcpt);
  local = g_strndup (rcpt, at - rcpt);
  if (g_str_has_suffix (local, suffix))
    return g_strdup (rcpt);
  return g_strconcat (local, suffix, at, NULL);
}

static const char *
outcome_name (RfDeliverOutcome outcome)
{
  switch (outcome)
    {
    case RF_DELIVERED: return "delivered";
    case RF_ALREADY_DELIVERED: return "delivered-before";
    case RF_LOOP_DROPPED: return "loop-dropped";
    case RF_BOUNCE_RECEIVED: return "bounce-received";
    case RF_HELD: return "held";
    case RF_DROPPED: return "dropped";
    case RF_ANSWERED: return "answered";
    }
  return "?";
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    { "config", required_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  const char *config_path = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *recipient = NULL;
  g_autoptr (RfConfig) config = NULL;
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GError) error = NULL;
  /* who the store's journal and activity log name for what a post does */
  const RfActor actor = { "listdeliver", "mta" };
  RfDeliverReport report;
  g_autofree char *msgid = NULL;
  gint64 started;
  gboolean stdin_closed;
  int c;

  /* before anything opens a file: nothing can be said without stderr, and
   * 75 keeps the message */
  if (!std_fds_open (&stdin_closed))
    return EX_TEMPFAIL;
  opterr = 0;
  rf_log_open ("listdeliver", FALSE, TRUE);
  /* the state directory's files are 0640 at most, the directories 0750
   * (DESIGN.md: Keys, State); the MTA reaches STATE/mta through the group */
  umask (027);
  while ((c = getopt_long (argc, argv, "+c:f:hV", options, NULL)) != -1)
    switch (c)
      {
      case 'c': config_path = optarg; break;
      case 'f': g_free (sender); sender = g_strdup (optarg); break;
      case 'h': printf ("%s\n%s", usage_line, help_text); return EX_OK;
      case 'V':
        printf ("listdeliver %s\nconfiguration file: %s\n", REFLECTOR_VERSION,
                rf_config_path_in_use (config_path));
        return EX_OK;
      default:
        /* a broken pipe command is the sysadmin's to fix: keep the mail */
        return fail (EX_TEMPFAIL, "unknown option '%s'; %s", argv[optind - 1], usage_line);
      }
  if (argc - optind > 1)
    return fail (EX_TEMPFAIL, "more than one recipient; %s", usage_line);
  if (geteuid () == 0)
    return fail (EX_TEMPFAIL, "refusing to run as root: run me as the list service user "
                              "(the owner of the state directory), e.g. with the pipe "
                              "transport's user option");
  recipient = argc - optind == 1 ? g_strdup (argv[optind]) : recipient_from_env ();
  if (recipient == NULL)
    return fail (EX_TEMPFAIL, "no recipient: give the list address as argument or in "
                              "$RECIPIENT; %s", usage_line);
  if (sender == NULL)
    sender = g_strdup (g_getenv ("SENDER"));

  config = rf_config_load (config_path, &error);
  if (config == NULL)
    return fail (EX_TEMPFAIL, "%s", error->message);

  /* no standard input is a broken pipe command, not an empty message: a
   * message is never bounced because we could not read it */
  if (stdin_closed)
    return fail (EX_TEMPFAIL, "standard input is closed: no message to read");
  input = read_all (STDIN_FILENO);
  if (input == NULL)
    return fail (EX_TEMPFAIL, "cannot read the message from stdin: %s", g_strerror (errno));
  raw = without_mbox_from (input);

  started = g_get_monotonic_time ();
  msgid = rf_log_message_id (raw);
  if (!rf_deliver (config, &actor, recipient, sender, raw, &report, &error))
    {
      int code = exit_code_of (error);

      /* one line per message: what the MTA will do, and why */
      rf_log_notice ("%s: msgid=<%s> from=<%s> size=%" G_GSIZE_FORMAT " status=%s (exit %d, "
                     "%.3fs): %s",
                     recipient, msgid != NULL ? msgid : "", sender != NULL ? sender : "",
                     g_bytes_get_size (raw), code == EX_TEMPFAIL ? "deferred" : "refused", code,
                     (g_get_monotonic_time () - started) / 1e6, error->message);
      fprintf (stderr, "listdeliver: %s\n", error->message);
      return code;
    }
  rf_log_info ("%s: msgid=<%s> from=<%s> size=%" G_GSIZE_FORMAT " status=%s copies=%" G_GUINT64_FORMAT
               " (%" G_GUINT64_FORMAT " now) refused=%" G_GUINT64_FORMAT " (%.3fs)",
               recipient, msgid != NULL ? msgid : "", sender != NULL ? sender : "",
               g_bytes_get_size (raw), outcome_name (report.outcome), report.sent,
               report.sent_now, report.failed, (g_get_monotonic_time () - started) / 1e6);
  return EX_OK;
}
