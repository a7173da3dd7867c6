/* log.c - syslog or stderr, one line per event, through one redaction
 * point (log.h).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#define REDACTED "[redacted]"
/* 128 bits are 22 characters of base64 or 32 of hex: a run of 20 such
 * characters that mixes letters and digits is taken for a secret. */
#define SECRET_RUN 20
#define MAX_DETAIL 200
#define MAX_LINE 1000

static RfLogTarget target = RF_LOG_NOWHERE;
static char *log_ident;
static int test_socket = -1;   /* REFLECTOR_SYSLOG_SOCKET (test builds) */
static struct sockaddr_un test_addr;

static const char *const secret_words[] = {
  "password", "passwd", "token", "secret", "cookie", "session", "authorization",
  "bearer", "apikey", "api_key", "credential",
};

void
rf_log_open (const char *ident, gboolean foreground, gboolean stderr_if_tty)
{
  g_free (log_ident);
  log_ident = g_strdup (ident);
  if (foreground || (stderr_if_tty && isatty (STDERR_FILENO)))
    {
      target = RF_LOG_STDERR;
      return;
    }
  target = RF_LOG_SYSLOG;
#ifdef REFLECTOR_TEST_HOOKS
  {
    const char *path = g_getenv ("REFLECTOR_SYSLOG_SOCKET");

    if (path != NULL && *path != '\0' && strlen (path) < sizeof test_addr.sun_path)
      {
        test_socket = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        test_addr.sun_family = AF_UNIX;
        memcpy (test_addr.sun_path, path, strlen (path) + 1);
        return;
      }
  }
#endif
  openlog (log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

RfLogTarget
rf_log_target (void)
{
  return target;
}

static gboolean
run_char (char c)
{
  /* base64url and hex, and '/': a token in a URL path goes whole; '+'
   * and '=' end a run, so that "dev-confirm+TOKEN" keeps the address's
   * local part and "password=x" shows the word before its value */
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("/_-", c) != NULL);
}

char *
rf_redact_line (const char *line)
{
  GString *out = g_string_new (NULL);
  const char *p = line;
  int in_angle = 0;

  while (*p != '\0' && out->len < MAX_LINE)
    {
      if (*p == '<')
        in_angle++;
      else if (*p == '>' && in_angle > 0)
        in_angle--;
      if (run_char (*p))
        {
          const char *start = p;
          gboolean letter = FALSE, digit = FALSE;

          while (run_char (*p))
            {
              letter |= g_ascii_isalpha (*p);
              digit |= g_ascii_isdigit (*p);
              p++;
            }
          if (in_angle == 0 && p - start >= SECRET_RUN && letter && digit)
            g_string_append (out, REDACTED);
          else
            g_string_append_len (out, start, p - start);
          /* "password=x", "token: x", "cookie x": the value goes too */
          {
            g_autofree char *word = g_ascii_strdown (start, p - start);

            for (gsize i = 0; i < G_N_ELEMENTS (secret_words); i++)
              if (g_str_has_suffix (word, secret_words[i]) && (*p == '=' || *p == ':'))
                {
                  g_string_append_c (out, *p++);
                  while (*p == ' ')
                    g_string_append_c (out, *p++);
                  if (*p != '\0' && *p != ' ')
                    {
                      g_string_append (out, REDACTED);
                      while (*p != '\0' && *p != ' ' && *p != ',' && *p != ';' && *p != ')')
                        p++;
                    }
                  break;
                }
          }
          continue;
        }
      g_string_append_c (out, (guchar) *p < 0x20 || *p == 0x7f ? '?' : *p);
      p++;
    }
  if (*p != '\0')
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}

static gboolean
looks_secret (const char *detail)
{
  g_autofree char *lower = g_ascii_strdown (detail, -1);
  gsize run = 0;
  gboolean letter = FALSE, digit = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (secret_words); i++)
    if (strstr (lower, secret_words[i]) != NULL)
      return TRUE;
  /* a message body: several lines, or a header block */
  if (strchr (detail, '\n') != NULL || strchr (detail, '\r') != NULL)
    return TRUE;
  for (const char *p = detail;; p++)
    {
      if (*p != '\0' && run_char (*p))
        {
          run++;
          letter |= g_ascii_isalpha (*p);
          digit |= g_ascii_isdigit (*p);
          if (run >= SECRET_RUN && letter && digit)
            return TRUE;
          continue;
        }
      if (*p == '\0')
        break;
      run = 0;
      letter = digit = FALSE;
    }
  return FALSE;
}

char *
rf_redact_detail (const char *detail)
{
  if (detail == NULL || *detail == '\0')
    return NULL;
  if (looks_secret (detail) || !g_utf8_validate (detail, -1, NULL))
    return g_strdup (REDACTED);
  if (g_utf8_strlen (detail, -1) > MAX_DETAIL)
    {
      g_autofree char *head = g_utf8_substring (detail, 0, MAX_DETAIL);

      return g_strconcat (head, "...", NULL);
    }
  return g_strdup (detail);
}

static void
log_line (int priority, const char *format, va_list ap)
{
  int saved = errno;
  g_autofree char *text = NULL;
  g_autofree char *clean = NULL;

  if (target == RF_LOG_NOWHERE)
    return;
  text = g_strdup_vprintf (format, ap);
  clean = rf_redact_line (text);
  if (target == RF_LOG_STDERR)
    fprintf (stderr, "%s: %s\n", log_ident, clean);
  else if (test_socket >= 0)
    {
      g_autofree char *msg = g_strdup_printf ("<%d>%s[%d]: %s", LOG_MAIL | priority, log_ident,
                                              (int) getpid (), clean);

      (void) sendto (test_socket, msg, strlen (msg), MSG_NOSIGNAL,
                     (struct sockaddr *) &test_addr, sizeof test_addr);
    }
  else
    syslog (priority, "%s", clean);
  errno = saved;
}

#define DEFINE_LOG(name, priority)                                                         \
  void name (const char *format, ...)                                                      \
  {                                                                                        \
    va_list ap;                                                                            \
    va_start (ap, format);                                                                 \
    log_line (priority, format, ap);                                                       \
    va_end (ap);                                                                           \
  }

DEFINE_LOG (rf_log_info, LOG_INFO)
DEFINE_LOG (rf_log_notice, LOG_NOTICE)
DEFINE_LOG (rf_log_warning, LOG_WARNING)
DEFINE_LOG (rf_log_error, LOG_ERR)

char *
rf_log_message_id (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *end = data + len, *p = data;

  while (p != NULL && p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize n = (eol != NULL ? eol : end) - p;

      /* the header ends at the first empty line */
      if (n == 0 || (n == 1 && p[0] == '\r'))
        return NULL;
      if (n > 11 && g_ascii_strncasecmp (p, "Message-ID:", 11) == 0)
        {
          g_autoptr (GString) value = g_string_new_len (p + 11, n - 11);
          const char *lt, *gt;

          /* folded onto the next lines */
          while (eol != NULL && eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t'))
            {
              const char *next = memchr (eol + 1, '\n', end - eol - 1);
              g_string_append_len (value, eol + 1, (next != NULL ? next : end) - eol - 1);
              eol = next;
            }
          lt = strchr (value->str, '<');
          gt = lt != NULL ? strchr (lt, '>') : NULL;
          if (lt == NULL || gt == NULL || gt - lt < 2)
            return NULL;
          {
            g_autofree char *id = g_strndup (lt + 1, MIN (gt - lt - 1, 250));

            for (char *c = id; *c != '\0'; c++)
              if ((guchar) *c <= 0x20 || (guchar) *c >= 0x7f || *c == '<' || *c == '>')
                *c = '?';
            return g_steal_pointer (&id);
          }
        }
      p = eol != NULL ? eol + 1 : NULL;
    }
  return NULL;
}
