/* test-log.c - the one redaction point (lib/log.c): what may reach a log
 * line or the activity log, and the Message-ID read for listdeliver's line.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <reflector/reflector.h>

#include <string.h>

static void
assert_line (const char *in, const char *want)
{
  g_autofree char *got = rf_redact_line (in);

  g_assert_cmpstr (got, ==, want);
}

static void
test_line (void)
{
  /* what a sysadmin needs stays */
  assert_line ("dev@lists.test: msgid=<CAJ8x4kQ9z7Yv3pLm2Qw8Rt6Uy1Io0Pa5Sd@mail.example> size=442",
               "dev@lists.test: msgid=<CAJ8x4kQ9z7Yv3pLm2Qw8Rt6Uy1Io0Pa5Sd@mail.example> size=442");
  assert_line ("subscribe dev@lists.test by listctl:root (cli): ann@example.org",
               "subscribe dev@lists.test by listctl:root (cli): ann@example.org");
  /* tokens go, wherever they are */
  assert_line ("dev-confirm+E8ichIcWw5hAlX8zatMe8iUoCJyautUkSEy6TBixEhg@lists.test: refused",
               "dev-confirm+[redacted]@lists.test: refused");
  assert_line ("GET /u/kq3J9x-Z_02mPqLrT4uVw8yA1bC5dE7fG9hI0jK", "GET [redacted]");
  /* a value after a secret word goes, even a short one */
  assert_line ("login password=hunter2 for ann", "login password=[redacted] for ann");
  assert_line ("Cookie: rf_session=abc", "Cookie: [redacted]");
  /* one line, no control characters */
  assert_line ("a\nb\rc\033d", "a?b?c?d");
  /* a long line is cut */
  {
    g_autofree char *in = g_strnfill (3000, 'a');
    g_autofree char *got = NULL;

    memset (in, ' ', 3000);
    in[0] = 'x';
    got = rf_redact_line (in);
    g_assert_cmpuint (strlen (got), <=, 1003);
    g_assert_true (g_str_has_suffix (got, "..."));
  }
}

static void
test_detail (void)
{
  g_autofree char *none = rf_redact_detail (NULL);
  g_autofree char *plain = rf_redact_detail ("3 copies sent");
  g_autofree char *body = rf_redact_detail ("Subject: hi\n\nthe body");
  g_autofree char *pw = rf_redact_detail ("new password set");
  g_autofree char *token = rf_redact_detail ("link kq3J9xZ02mPqLrT4uVw8yA1bC5");
  g_autofree char *longer = NULL;
  g_autofree char *cut = NULL;

  g_assert_null (none);
  g_assert_cmpstr (plain, ==, "3 copies sent");
  g_assert_cmpstr (body, ==, "[redacted]");
  g_assert_cmpstr (pw, ==, "[redacted]");
  g_assert_cmpstr (token, ==, "[redacted]");
  longer = g_strnfill (300, 'a');
  for (int i = 5; i < 300; i += 6)
    longer[i] = ' ';
  cut = rf_redact_detail (longer);
  g_assert_cmpuint (g_utf8_strlen (cut, -1), ==, 203);
}

static void
test_message_id (void)
{
  static const char folded[] = "From: a@b.c\r\nMessage-ID:\r\n <x.1@host.example>\r\n"
                               "\r\nMessage-ID: <body@not.header>\r\n";
  static const char none[] = "From: a@b.c\n\nMessage-ID: <in@body>\n";
  static const char odd[] = "message-id: <a b\001c@d>\n\n";
  g_autoptr (GBytes) b1 = g_bytes_new_static (folded, strlen (folded));
  g_autoptr (GBytes) b2 = g_bytes_new_static (none, strlen (none));
  g_autoptr (GBytes) b3 = g_bytes_new_static (odd, strlen (odd));
  g_autofree char *id1 = rf_log_message_id (b1);
  g_autofree char *id2 = rf_log_message_id (b2);
  g_autofree char *id3 = rf_log_message_id (b3);

  g_assert_cmpstr (id1, ==, "x.1@host.example");
  g_assert_null (id2);
  g_assert_cmpstr (id3, ==, "a?b?c@d");
}

/* Before rf_log_open nothing is logged (and nothing crashes). */
static void
test_silent_before_open (void)
{
  g_assert_cmpint (rf_log_target (), ==, RF_LOG_NOWHERE);
  rf_log_info ("%s", "nothing");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/redact-line", test_line);
  g_test_add_func ("/log/redact-detail", test_detail);
  g_test_add_func ("/log/message-id", test_message_id);
  g_test_add_func ("/log/silent-before-open", test_silent_before_open);
  return g_test_run ();
}
