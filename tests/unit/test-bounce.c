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

  g_test_message ("%s %s %s", action, status, diagnostic != NULL ? diagnostic : "-");
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
  /* the catch-all 5.7.1 with "user unknown": the code says policy, the
   * words say gone; when they disagree, the class that costs the member
   * nothing wins (issue 17) */
  check_dsn ("failed", "5.7.1",
             "550 5.7.1 <ann@example.com>: Recipient address rejected: "
             "User unknown",
             RF_BOUNCE_POLICY);
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

/* The precedence of reflector.conf(5), one rule a line. */
static void
test_precedence (void)
{
  /* words that say "later" lower a permanent code */
  check_dsn ("failed", "5.1.1", "552 sorry, mailbox ann@example.com is over quota temporarily (#5.1.1)",
             RF_BOUNCE_TEMPORARY);
  /* a transient reply is never permanent, whatever the words */
  check_dsn ("failed", "4.1.1", "450 4.1.1 <ann@example.com>: Recipient address rejected: User "
             "unknown in virtual alias table", RF_BOUNCE_TEMPORARY);
  check_dsn ("failed", "4.7.0", "421 4.7.0 Messages temporarily deferred due to user complaints",
             RF_BOUNCE_POLICY);
  /* the remote server's own words beat the reporting MTA's label */
  check_dsn ("failed", "5.1.0",
             "5.1.0 - Unknown address error 550-'5.7.1 <x@bounces.example.net>... Access denied'",
             RF_BOUNCE_POLICY);
  /* an address code with a bare refusal: the address is what is refused */
  check_dsn ("failed", "5.1.0", "550 #5.1.0 Address rejected.", RF_BOUNCE_PERMANENT);
  /* 5.2.1: the words decide between disabled and filtered */
  check_dsn ("failed", "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled",
             RF_BOUNCE_PERMANENT);
  /* a DNS failure is not a missing domain */
  check_dsn ("failed", "5.4.4",
             "Name service error for name=example.com type=MX: Malformed or unexpected name "
             "server reply",
             RF_BOUNCE_TEMPORARY);
  check_dsn ("failed", "5.4.4", "Host or domain name not found. Name service error for "
             "name=example.com type=A: Host not found", RF_BOUNCE_PERMANENT);
  /* RFC 7505: 5.7.27 is OUR sender domain's null MX */
  check_dsn ("failed", "5.7.27", "550 5.7.27 sender address has null MX", RF_BOUNCE_POLICY);
  /* a bare 5xx says nothing of why */
  check_dsn ("failed", "5.0.0", "550 Requested action not taken: mailbox unavailable",
             RF_BOUNCE_UNKNOWN);
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

/* ---- issue 17: one test per bug found by reading the misses ---- */

/* A folded Diagnostic-Code: the words that decide (the refusal came after
 * DATA: the receiver's filter, not a missing mailbox) are past the first
 * line and past the 200 characters a recipient keeps. */
static void
test_bug_folded_diagnostic (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: MAILER-DAEMON@mx.example.net\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
      "\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.net\n\n"
      "Final-Recipient: rfc822; ann@example.com\n"
      "Action: failed\n"
      "Status: 5.0.0\n"
      "Diagnostic-Code: smtp; 550 5.0.0 <ann@example.com>... Unknown user ann@example.com.\n"
      "    Sorry, mail to this address cannot be accepted at this time because of the\n"
      "    settings the recipient chose for mail from senders who are not in the\n"
      "    recipient's address book (in reply to end of DATA command)\n"
      "--B--\n");
  RfBounceRecipient *r = first (b);

  g_assert_cmpint (r->bounce_class, ==, RF_BOUNCE_POLICY);
  /* what the recipient keeps is still one capped line */
  g_assert_cmpuint (g_utf8_strlen (r->diagnostic, -1), <=, 200);
  g_assert_null (strchr (r->diagnostic, '\n'));
}

/* The same in free text: Postfix folds the remote answer over as many
 * lines as it takes, and the stage it came at is on the last one. */
static void
test_bug_folded_free_text (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: MAILER-DAEMON@mx.example.net\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Undelivered Mail Returned to Sender\n\n"
      "This is the mail system at host mx.example.net.\n\n"
      "<ann@example.com>: host mx.example.com[192.0.2.1] said: 550 5.0.0\n"
      "    <ann@example.com>... Unknown user ann@example.com. Sorry, mail to\n"
      "    this address cannot be accepted because of the settings the\n"
      "    recipient chose for unknown senders (in reply to end of\n"
      "    DATA command)\n");

  /* the first three lines alone read "unknown user" */
  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_POLICY);
  g_assert_nonnull (strstr (first (b)->diagnostic, "550 5.0.0"));
}

/* "header" in the report's boilerplate is no header refusal. */
static void
test_bug_boilerplate_header (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: Mail Delivery System <mailer-daemon@mx.example.net>\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Mail delivery failed\n\n"
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients, listed below with the following header fields of your\n"
      "message:\n\n"
      "  ann@example.com\n"
      "    No account by this name here\n\n"
      "------ This is a copy of your message, including all the headers. ------\n\n"
      "From: bob@example.test\nTo: dev@lists.example.org\nSubject: hi\n\nhello\n");

  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  g_assert_null (strstr (first (b)->diagnostic, "header"));
}

/* A version number in a quoted Subject is no status code: the DSN's own
 * 5.0.0 stays, and the words decide. */
static void
test_bug_version_number (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: postmaster@mx.example.net\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Undeliverable: [dev] Mailman 2.0.12 released\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\n"
      "Your message\n\n"
      "  Subject: [dev] Mailman 2.0.12 released\n"
      "  Sent:    Thu, 1 Jan 2026 10:00:00 +0100\n\n"
      "could not be delivered: the address does not exist. Exim 4.92.3 gave up.\n"
      "\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.net\n\n"
      "Final-Recipient: rfc822; ann@example.com\n"
      "Action: failed\n"
      "Status: 5.0.0\n"
      "--B--\n");
  RfBounceRecipient *r = first (b);

  g_assert_cmpstr (r->status, ==, "5.0.0");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  g_assert_nonnull (strstr (r->diagnostic, "does not exist"));
}

/* Addresses lose "smtp=" and quotes; a quoted local part loses its quotes;
 * the list's own address quoted in the report is no recipient. */
static void
test_bug_addresses (void)
{
  {
    g_autoptr (RfBounce) b = parse (
        "From: postmaster@mx.example.net\n"
        "To: dev-bounces+ann=example.com@lists.example.org\n"
        "Subject: Delivery failure\n\n"
        "Your message was not delivered to the following recipients:\n\n"
        "  smtp='Ann@Example.COM' (user unknown)\n");

    g_assert_cmpstr (first (b)->address, ==, "Ann@example.com");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  }
  {
    g_autoptr (RfBounce) b = parse (
        "From: postmaster@mx.example.net\n"
        "To: dev-bounces+ann.smith=example.com@lists.example.org\n"
        "Subject: Delivery failure\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
        "\n--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; <\"ann..smith\"@Example.com>\n"
        "Action: failed\nStatus: 5.1.1\n"
        "--B--\n");

    g_assert_cmpstr (first (b)->address, ==, "ann..smith@example.com");
  }
  {
    g_autoptr (RfBounce) b = parse (
        "From: postmaster@mx.example.net\n"
        "To: dev-bounces+ann=example.com@lists.example.org\n"
        "Subject: Delivery failure\n\n"
        "Your message to dev@lists.example.org (reply to dev-request@lists.example.org)\n"
        "could not be delivered to ann@example.com: no such user.\n");

    g_assert_cmpuint (b->recipients->len, ==, 1);
    g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  }
}

/* Original-Recipient names the address we sent to; Final-Recipient the
 * one it was forwarded to. */
static void
test_bug_original_recipient (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: MAILER-DAEMON@mail.example.com\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
      "\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mail.example.com\n\n"
      "Final-Recipient: rfc822; ann.smith@mail.example.com\n"
      "Original-Recipient: rfc822;ann@example.com\n"
      "Action: failed\nStatus: 5.1.1\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <ann.smith@mail.example.com>: user unknown\n"
      "--B--\n");

  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
}

/* Auto-Submitted: auto-replied is a claim; a body that plainly says the
 * address does not exist makes it a bounce. */
static void
test_bug_auto_submitted_body (void)
{
  g_autoptr (RfBounce) b = parse (
      "From: \"Mail System\" <mail@example.com>\n"
      "To: dev-bounces+ann=example.com@lists.example.org\n"
      "Subject: Re: [dev] plans\n"
      "Auto-Submitted: auto-replied\n\n"
      "The address ann@example.com does not exist on this server.\n"
      "Your message was not delivered.\n");

  g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  g_assert_cmpstr (first (b)->address, ==, "ann@example.com");
}

/* The DSN Action reaches each recipient; a free-text warning is delayed,
 * a free-text failure failed. */
static void
test_action (void)
{
  {
    g_autoptr (RfBounce) b = parse (
        "From: MAILER-DAEMON@mx.example.net\n"
        "To: dev-bounces+ann=example.com@lists.example.org\n"
        "Subject: Delivery Status Notification\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
        "\n--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; ann@example.com\nAction: delayed\nStatus: 4.4.7\n\n"
        "Final-Recipient: rfc822; bob@example.com\nAction: Failed (permanent)\n"
        "Status: 5.1.1\n\n"
        "Final-Recipient: rfc822; cat@example.com\nAction: relayed\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; dan@example.com\nAction: expanded\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; eve@example.com\nAction: delivered\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; fay@example.com\nStatus: 5.1.1\n"
        "--B--\n");
    static const RfBounceAction want[] = { RF_BOUNCE_ACTION_DELAYED, RF_BOUNCE_ACTION_FAILED,
                                           RF_BOUNCE_ACTION_RELAYED, RF_BOUNCE_ACTION_EXPANDED,
                                           RF_BOUNCE_ACTION_DELIVERED, RF_BOUNCE_ACTION_UNKNOWN };

    g_assert_cmpuint (b->recipients->len, ==, G_N_ELEMENTS (want));
    for (guint i = 0; i < G_N_ELEMENTS (want); i++)
      g_assert_cmpstr (
          rf_bounce_action_name (((RfBounceRecipient *)g_ptr_array_index (b->recipients, i))->action),
          ==, rf_bounce_action_name (want[i]));
    g_assert_cmpint (first (b)->bounce_class, ==, RF_BOUNCE_TEMPORARY);
  }
  {
    g_autoptr (RfBounce) b
        = parse ("From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
                 "To: dev-bounces+ann=example.com@lists.example.org\n"
                 "Subject: Warning: message 1abcde-000123-AB delayed 24 hours\n"
                 "X-Failed-Recipients: ann@example.com\n\n"
                 "This message was created automatically by mail delivery software.\n"
                 "A message that you sent has not yet been delivered to one or more of its\n"
                 "recipients after more than 24 hours on the queue on mx.example.net.\n\n"
                 "  ann@example.com\n    Delay reason: mailbox is full\n\n"
                 "No action is required on your part. Delivery attempts will continue for\n"
                 "some time, and this warning may be repeated at intervals if the message\n"
                 "remains undelivered.\n");

    g_assert_cmpint (first (b)->action, ==, RF_BOUNCE_ACTION_DELAYED);
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_TEMPORARY);
  }
  {
    g_autoptr (RfBounce) b
        = parse ("From: MAILER-DAEMON@mx.example.net\n"
                 "To: dev-bounces+ann=example.com@lists.example.org\n"
                 "Subject: failure notice\n\n"
                 "Hi. This is the qmail-send program at mx.example.net.\n"
                 "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                 "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                 "<ann@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n");

    g_assert_cmpint (first (b)->action, ==, RF_BOUNCE_ACTION_FAILED);
    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_PERMANENT);
  }
}

/* Words of other languages and other products, and replies from people's
 * addresses that are no bounce. */
static void
test_vocabulary (void)
{
  check_dsn ("failed", "5.0.0", "550 Empfaenger unbekannt", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "550 Benutzer unbekannt", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "550 Utilisateur inconnu", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "550 Usuario desconocido", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "552 Postfach voll", RF_BOUNCE_TEMPORARY);
  check_dsn ("failed", "5.0.0", "550 The recipient name is not recognized", RF_BOUNCE_PERMANENT);
  check_dsn ("failed", "5.0.0", "554 Message rejected: looks like spam (SpamAssassin)",
             RF_BOUNCE_POLICY);
  check_dsn ("failed", "5.0.0", "550 we do not relay for example.com", RF_BOUNCE_POLICY);
  check_dsn ("failed", "5.1.1",
             "Amazon SES did not send the message to this address because it is on the "
             "suppression list for your account",
             RF_BOUNCE_POLICY);
  {
    g_autoptr (RfBounce) b
        = parse ("From: Ann <ann@example.com>\n"
                 "To: dev-bounces+ann=example.com@lists.example.org\n"
                 "Subject: Re: [dev] plans\n\n"
                 "I apologize for this automatic reply to your email.\n"
                 "To control spam, I now allow incoming messages only from senders I\n"
                 "have approved beforehand.\n");

    g_assert_cmpint (b->bounce_class, ==, RF_BOUNCE_NOT_BOUNCE);
    g_assert_cmpuint (b->recipients->len, ==, 0);
  }
  {
    g_autoptr (RfBounce) b = parse ("From: Ann <ann@example.com>\n"
                                    "To: dev-bounces+ann=example.com@lists.example.org\n"
                                    "Subject: Automatische Antwort: [dev] plans\n\n"
                                    "Ich bin bis Montag nicht im Buero.\n");

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
  g_test_add_func ("/bounce/precedence", test_precedence);
  g_test_add_func ("/bounce/bug/folded-diagnostic", test_bug_folded_diagnostic);
  g_test_add_func ("/bounce/bug/folded-free-text", test_bug_folded_free_text);
  g_test_add_func ("/bounce/bug/boilerplate-header", test_bug_boilerplate_header);
  g_test_add_func ("/bounce/bug/version-number", test_bug_version_number);
  g_test_add_func ("/bounce/bug/addresses", test_bug_addresses);
  g_test_add_func ("/bounce/bug/original-recipient", test_bug_original_recipient);
  g_test_add_func ("/bounce/bug/auto-submitted-body", test_bug_auto_submitted_body);
  g_test_add_func ("/bounce/action", test_action);
  g_test_add_func ("/bounce/vocabulary", test_vocabulary);
  return g_test_run ();
}
