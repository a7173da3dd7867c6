/* test-bounce.c - the bounce parser on small made-up reports: the rules of
 * classify.c one by one, what is not a bounce, and what it must never do
 * (crash on junk, keep body text, pass 200 characters).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include "bounce/bounce.h"

#include <string.h>

static RfBounce *
parse (const char *text)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  RfBounce *b = rf_bounce_parse (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (b);
  return b;
}

static RfBounceRecipient *
first (RfBounce *b)
{
  g_assert_cmpuint (b->recipients->len, >=, 1);
  return g_ptr_array_index (b->recipients, 0);
}

/* An RFC 3464 report with one recipient. */
static char *
dsn (const char *action, const char *status, const char *diagnostic)
{
  return g_strdup_printf (
      "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\nThe mail system could not deliver your message.\n"
      "\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.net\n\n"
      "Final-Recipient: rfc822; Ann@Example.COM\n"
      "Action: %s\nStatus: %s\n%s%s%s"
      "\n--B\nContent-Type: message/rfc822\n\n"
      "From: bob@example.test\nTo: dev@lists.example.org\nSubject: secret plans\n\n"
      "The body of the post: user unknown, spam, blocked, 5.7.1.\n"
      "--B--\n",
      action, status, diagnostic != NULL ? "Diagnostic-Code: smtp; " : "",
      diagnostic != NULL ? diagnostic : "", diagnostic != NULL ? "\n" : "");
}

static void
check_dsn (const char *action, const char *status, const char *diagnostic, RfBounceClass want)
{
  g_autofree char *text = dsn (action, status, diagnostic);
  g_autoptr (RfBounce) b = parse (text);

  g_assert_cmpstr (rf_bounce_class_name (b->bounce_class), ==, rf_bounce_class_name (want));
  if (want != RF_BOUNCE_NOT_BOUNCE)
    {
      /* the domain lower-cased, the local part as written */
      g_assert_cmpstr (first (b)->address, ==, "Ann@example.com");
    }
}

static void
test_dsn_classes (void)
{
  check_dsn ("failed", "5.1.1", "550 5.1.1 <ann@example.com>: user unknown", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.1.2", NULL, RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.2.2", "552 5.2.2 mailbox full", RF_BOUNCE_TEMPORARY);
  check_dsn ("delayed", "4.4.7", NULL, RF_BOUNCE_TEMPORARY);
  check_dsn ("failed", "4.2.0", "450 4.2.0 try again later", RF_BOUNCE_TEMPORARY);
  check_dsn ("failed", "5.7.26",
             "550 5.7.26 Unauthenticated email is not accepted due to the domain's DMARC policy",
             RF_BOUNCE_POLICY);
  check_dsn ("failed", "5.7.1",
             "554 5.7.1 Service unavailable; client host blocked using "
             "zen.spamhaus.org",
             RF_BOUNCE_POLICY);
  /* the catch-all 5.7.1 for a mailbox that does not exist */
  check_dsn ("failed", "5.7.1",
             "550 5.7.1 <ann@example.com>: Recipient address rejected: "
             "User unknown",
             RF_BOUNCE_PERMANENT);
  /* our sender refused: says nothing about ann's address */
  check_dsn ("failed", "5.1.8", "553 5.1.8 Domain of sender address does not exist",
             RF_BOUNCE_POLICY);
  /* the remote server's own code beats the reporter's guess */
  check_dsn ("failed", "5.1.1", "550 5.7.1 IP address blacklisted by recipient", RF_BOUNCE_POLICY);
  /* a generic code: the words decide */
  check_dsn ("failed", "5.0.0", "550 Requested action not taken: no such user here",
             RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "550 Message rejected as spam", RF_BOUNCE_POLICY);
  check_dsn ("failed", "5.0.0", NULL, RF_BOUNCE_UNKNOWN);
  check_dsn ("delivered", "2.0.0", NULL, RF_BOUNCE_NOT_BOUNCE);
}

static void
test_diagnostic_one_line_capped (void)
{
  g_autoptr (GString) longer = g_string_new ("550 5.1.1 ");
  g_autofree char *text = NULL;
  g_autoptr (RfBounce) b = NULL;
  RfBounceRecipient *r;

  for (int i = 0; i < 100; i++)
    g_string_append (longer, "user unknown ");
  text = dsn ("failed", "5.1.1", longer->str);
  b = parse (text);
  r = first (b);
  g_assert_nonnull (r->diagnostic);
  g_assert_cmpuint (g_utf8_strlen (r->diagnostic, -1), <=, 200);
  g_assert_null (strchr (r->diagnostic, '\n'));
  /* nothing of the post that came back */
  g_assert_null (strstr (r->diagnostic, "secret"));
  g_assert_null (strstr (r->diagnostic, "body of the post"));
}

static void
test_exim_free_text (void)
{
  g_autoptr (RfBounce) b
      = parse ("From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
               "To: dev-bounces+ann=example.com@lists.example.org\n"
               "Subject: Mail delivery failed: returning message to sender\n"
               "X-Failed-Recipients: ann@example.com\n"
               "\n"
               "This message was created automatically by mail delivery software.\n\n"
               "A message that you sent could not be delivered to one or more of its\n"
               "recipients. This is a permanent error. The following address(es) failed:\n\n"
               "  ann@example.com\n"
               "    host mx.example.com [192.0.2.1]\n"
               "    SMTP error from remote mail server after RCPT TO:<ann@example.com>:\n"
               "    550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown\n\n"
               "------ This is a copy of the message, including all the headers. ------\n\n"
               "From: bob@example.test\nSubject: hi\n\nblocked spam 5.7.1\n");
  RfBounceRecipient *r = first (b);

  g_assert_cmpstr (b->mta, ==, "exim");
  g_assert_cmpstr (r->address, ==, "ann@example.com");
  g_assert_cmpstr (r->status, ==, "5.1.1");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
}

static void
test_qmail_free_text (void)
{
  g_autoptr (RfBounce) b
      = parse ("From: MAILER-DAEMON@mx.example.net\n"
               "To: dev-bounces+ann=example.com@lists.example.org\n"
               "Subject: failure notice\n"
               "\n"
               "Hi. This is the qmail-send program at mx.example.net.\n"
               "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
               "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
               "<ann@example.com>:\n"
               "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
               "--- Below this line is a copy of the message.\n\n"
               "From: bob@example.test\nTo: carol@example.org\n\nhello\n");

  g_assert_cmpstr (b->mta, ==, "qmail");
  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
}

static void
test_delay_warning (void)
{
  g_autoptr (RfBounce) b
      = parse ("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
               "To: dev-bounces+ann=example.com@lists.example.org\n"
               "Subject: Delivery Status Notification (Delay)\n"
               "\n"
               "This is an automatically generated Delivery Status Notification\n\n"
               "THIS IS A WARNING MESSAGE ONLY.\n\n"
               "YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
               "Delivery to the following recipient has been delayed:\n\n"
               "     ann@example.com\n\n"
               "Message will be retried for 2 more day(s)\n");

  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_TEMPORARY);
}

/* A report whose boundary lines were lost: the fields are read from the
 * body as it stands. */
static void
test_lost_structure (void)
{
  g_autoptr (RfBounce) b = parse ("From: MAILER-DAEMON@mx.example.net\n"
                                  "Subject: Returned mail\n"
                                  "MIME-Version: 1.0\n"
                                  "Content-Type: multipart/report; boundary=\"gone\"\n\n"
                                  "Reporting-MTA: dns; mx.example.net\n\n"
                                  "Final-Recipient: RFC822; ann@example.com\n"
                                  "Action: failed\nStatus: 5.1.1\n");

  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
}

static void
test_sender_refused (void)
{
  check_dsn ("failed", "5.0.0", "550 Unroutable sender address", RF_BOUNCE_POLICY);
  check_dsn ("failed", "5.0.0", "553 sender verify failed", RF_BOUNCE_POLICY);
}

static void
test_not_bounces (void)
{
  {
    g_autoptr (RfBounce) b = parse ("From: Ann <ann@example.com>\n"
                                    "To: dev-bounces+ann=example.com@lists.example.org\n"
                                    "Subject: Out of Office: your post\n"
                                    "Auto-Submitted: auto-replied\n\n"
                                    "I am away until Monday.\n");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_NOT_BOUNCE);
    g_assert_cmpuint (b->recipients->len, ==, 0);
  }
  {
    g_autoptr (RfBounce) b = parse ("From: Ann <ann@example.com>\n"
                                    "Subject: Re: your post\n"
                                    "Auto-Submitted: auto-replied\n\n"
                                    "Thanks, I will answer soon.\n");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_NOT_BOUNCE);
  }
  {
    g_autoptr (RfBounce) b
        = parse ("From: abuse@example.net\nSubject: FW: report\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n"
                 "--F\nContent-Type: text/plain\n\nThis is an abuse report\n"
                 "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
                 "User-Agent: test/1.0\nVersion: 1\n"
                 "--F--\n");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_NOT_BOUNCE);
  }
  {
    g_autoptr (RfBounce) b
        = parse ("From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
                 "{\"notificationType\":\"Delivery\",\"delivery\":{\"recipients\":"
                 "[\"ann@example.com\"]}}\n");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_NOT_BOUNCE);
  }
}

static void
test_junk (void)
{
  static const char *const junk[] = {
    "x",
    "\n\n\n",
    "From \n",
    "From: \n\n",
    "Subject: no body",
    "Content-Type: multipart/report; boundary=\"\"\n\n--\n--\n",
    "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822;\nStatus: 9.9.9999\n",
    "Content-Type: message/delivery-status\n\nFinal-Recipient: <@>\nAction: failed\n",
    "\xff\xfe\x00\x01 binary",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) empty = g_bytes_new ("", 0);

  for (gsize i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (junk[i], strlen (junk[i]) + (i == 8 ? 8 : 0));
      g_autoptr (RfBounce) b = rf_bounce_parse (bytes, NULL);

      g_assert_nonnull (b);
      for (guint j = 0; j < b->recipients->len; j++)
        g_assert_nonnull (
            strchr (((RfBounceRecipient *)g_ptr_array_index (b->recipients, j))->address, '@'));
    }
  g_assert_null (rf_bounce_parse (empty, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bounce/dsn/classes", test_dsn_classes);
  g_test_add_func ("/bounce/dsn/diagnostic-one-line-capped", test_diagnostic_one_line_capped);
  g_test_add_func ("/bounce/text/exim", test_exim_free_text);
  g_test_add_func ("/bounce/text/qmail", test_qmail_free_text);
  g_test_add_func ("/bounce/text/delay-warning", test_delay_warning);
  g_test_add_func ("/bounce/dsn/lost-structure", test_lost_structure);
  g_test_add_func ("/bounce/dsn/sender-refused", test_sender_refused);
  g_test_add_func ("/bounce/not-bounces", test_not_bounces);
  g_test_add_func ("/bounce/junk", test_junk);
  return g_test_run ();
}
