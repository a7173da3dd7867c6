/* test-policy.c - the policies of the table, each on real message shapes,
 * and the screen (loop, size, posting) through rf_deliver's building
 * blocks.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "policy/policy.h"

#include <string.h>

typedef struct {
  RfList list;
  GHashTable *settings;
  RfPolicyContext ctx;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  f->list = (RfList) { 1, (char *) "dev@lists.test", (char *) "dev", (char *) "lists.test", 0 };
  f->settings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (f->settings, (gpointer) defs[i].name, g_strdup (defs[i].default_value));
  f->ctx = (RfPolicyContext) { .list = &f->list, .settings = f->settings };
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_hash_table_unref (f->settings);
}

static void
set (Fixture *f, const char *name, const char *value)
{
  g_autoptr (GError) error = NULL;
  char *norm = rf_setting_normalize (rf_setting_lookup (name), value, &error);

  g_assert_no_error (error);
  g_hash_table_insert (f->settings, (gpointer) rf_setting_lookup (name)->name, norm);
}

static GMimeMessage *
parse (const char *text)
{
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  GMimeMessage *m = _rf_mime_parse (raw, NULL, &error);

  g_assert_no_error (error);
  return m;
}

static char *
render (GMimeMessage *m)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = _rf_mime_render (m, &error);
  gsize len;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (out, &len);
  return g_strndup (data, len);
}

/* Apply the whole table and return the rendered copy re-parsed. */
static GMimeMessage *
apply (Fixture *f, const char *text, char **rendered_out)
{
  g_autoptr (GMimeMessage) m = parse (text);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  GMimeMessage *again;

  g_assert_true (_rf_policy_apply_all (m, &f->ctx, &error));
  g_assert_no_error (error);
  out = render (m);
  again = parse (out);
  if (rendered_out != NULL)
    *rendered_out = g_steal_pointer (&out);
  return again;
}

static int
count_header (GMimeMessage *m, const char *name)
{
  GMimeHeaderList *h = g_mime_object_get_header_list (GMIME_OBJECT (m));
  int n = 0;

  for (int i = 0; i < g_mime_header_list_get_count (h); i++)
    if (g_ascii_strcasecmp (g_mime_header_get_name (g_mime_header_list_get_header_at (h, i)),
                            name) == 0)
      n++;
  return n;
}

static const char plain[] =
  "From: Ann <ann@example.test>\n"
  "To: dev@lists.test\n"
  "Subject: Hello\n"
  "Message-ID: <1@example.test>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "\n"
  "First line.\n";

static void
test_defaults (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autoptr (GMimeMessage) m = apply (f, plain, &out);

  /* defaults: no prefix, no footer, List-* on, X-Loop always */
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Hello");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "List-Id"), ==, "<dev.lists.test>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "List-Post"), ==,
                   "<mailto:dev@lists.test>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "List-Unsubscribe"), ==,
                   "<mailto:dev-leave@lists.test>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "List-Help"), ==,
                   "<mailto:dev-request@lists.test?subject=help>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "X-Loop"), ==, "dev@lists.test");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Precedence"), ==, "list");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Message-ID"), ==,
                   "<1@example.test>");
  /* our fields lead the header block; the post's own follow, in order */
  g_assert_true (g_str_has_prefix (out, "X-Loop: dev@lists.test\nList-Id: <dev.lists.test>\n"
                                        "List-Post: <mailto:dev@lists.test>\n"));
  g_assert_nonnull (strstr (out, "Precedence: list\nFrom: Ann <ann@example.test>\nTo: dev@lists.test\n"));
  /* the body is untouched */
  g_assert_nonnull (g_strrstr (out, "\n\nFirst line.\n"));
  g_assert_true (g_str_has_suffix (out, "\n\nFirst line.\n"));
}

static void
test_list_headers_replace_and_off (Fixture *f, gconstpointer data)
{
  static const char via_other[] =
    "From: ann@example.test\n"
    "Subject: x\n"
    "List-Id: Other <other.elsewhere.test>\n"
    "List-Unsubscribe: <mailto:other-leave@elsewhere.test>\n"
    "Return-Path: <x@y.test>\n"
    "\n"
    "b\n";
  g_autoptr (GMimeMessage) m = apply (f, via_other, NULL);
  g_autoptr (GMimeMessage) off = NULL;

  g_assert_cmpint (count_header (m, "List-Id"), ==, 1);
  g_assert_cmpint (count_header (m, "List-Unsubscribe"), ==, 1);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "List-Unsubscribe"), ==,
                   "<mailto:dev-leave@lists.test>");

  set (f, "list_headers", "off");
  set (f, "description", "Dev \"core\" team");
  off = apply (f, plain, NULL);
  g_assert_cmpint (count_header (off, "List-Id"), ==, 0);
  g_assert_cmpint (count_header (off, "List-Post"), ==, 0);
  g_assert_cmpint (count_header (off, "X-Loop"), ==, 1);
}

static void
test_description (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GMimeMessage) u = NULL;
  g_autofree char *out = NULL;

  set (f, "description", "Dev \"core\" team");
  m = apply (f, plain, &out);
  g_assert_nonnull (strstr (out, "List-Id: \"Dev \\\"core\\\" team\" <dev.lists.test>\n"));

  set (f, "description", "Développeurs");
  u = apply (f, plain, NULL);
  /* non-ASCII is encoded (RFC 2047), and decodes back */
  g_assert_nonnull (strstr (g_mime_object_get_header (GMIME_OBJECT (u), "List-Id"),
                            "Développeurs"));
}

static void
test_subject_prefix (Fixture *f, gconstpointer data)
{
  static const char reply[] = "From: a@b.test\nSubject: Re: [dev] Hello\n\nx\n";
  static const char none[] = "From: a@b.test\n\nx\n";
  static const char utf8[] = "From: a@b.test\nSubject: =?utf-8?q?caf=C3=A9?=\n\nx\n";
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GMimeMessage) r = NULL;
  g_autoptr (GMimeMessage) n = NULL;
  g_autoptr (GMimeMessage) u = NULL;

  set (f, "subject_prefix", "[dev] ");
  m = apply (f, plain, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "[dev] Hello");
  r = apply (f, reply, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (r), ==, "Re: [dev] Hello");
  n = apply (f, none, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (n), ==, "[dev] (no subject)");
  u = apply (f, utf8, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (u), ==, "[dev] café");

  /* with or without a trailing space in the setting: one space after it */
  {
    g_autoptr (GMimeMessage) bare = NULL;
    g_autoptr (GMimeMessage) spaced = NULL;

    set (f, "subject_prefix", "[dev]");
    bare = apply (f, plain, NULL);
    g_assert_cmpstr (g_mime_message_get_subject (bare), ==, "[dev] Hello");
    set (f, "subject_prefix", "  [dev]   ");
    spaced = apply (f, plain, NULL);
    g_assert_cmpstr (g_mime_message_get_subject (spaced), ==, "[dev] Hello");
  }
}

/* The decoded text of the first text/plain leaf, and how many there are. */
static char *
plain_texts (GMimeMessage *m, int *n_out)
{
  GMimePartIter *iter = g_mime_part_iter_new (GMIME_OBJECT (m));
  GString *all = g_string_new ("");

  *n_out = 0;
  if (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (m)))
    {
      g_autofree char *t = g_mime_text_part_get_text (GMIME_TEXT_PART (g_mime_message_get_mime_part (m)));

      g_string_append (all, t);
      *n_out = 1;
    }
  else
    do
      {
        GMimeObject *o = g_mime_part_iter_get_current (iter);

        if (o != NULL && GMIME_IS_TEXT_PART (o) &&
            g_mime_content_type_is_type (g_mime_object_get_content_type (o), "text", "plain"))
          {
            g_autofree char *t = g_mime_text_part_get_text (GMIME_TEXT_PART (o));

            g_string_append (all, t);
            g_string_append (all, "|");
            (*n_out)++;
          }
      }
    while (g_mime_part_iter_next (iter));
  g_mime_part_iter_free (iter);
  return g_string_free (all, FALSE);
}

static void
test_footer_plain (Fixture *f, gconstpointer data)
{
  static const char latin1_qp[] =
    "From: a@b.test\nSubject: s\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\n";
  static const char no_newline[] = "From: a@b.test\nSubject: s\n\nno newline at end";
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GMimeMessage) q = NULL;
  g_autoptr (GMimeMessage) nn = NULL;
  g_autofree char *t = NULL;
  g_autofree char *tq = NULL;
  g_autofree char *tn = NULL;
  int n;

  set (f, "footer", "-- \\nSent through dev@lists.test — ünïcode");
  m = apply (f, plain, NULL);
  t = plain_texts (m, &n);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpstr (t, ==, "First line.\n-- \nSent through dev@lists.test — ünïcode\n");

  q = apply (f, latin1_qp, NULL);
  tq = plain_texts (q, &n);
  g_assert_cmpstr (tq, ==, "café\n-- \nSent through dev@lists.test — ünïcode\n");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (g_mime_message_get_mime_part (q))),
                   ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);

  nn = apply (f, no_newline, NULL);
  tn = plain_texts (nn, &n);
  g_assert_cmpstr (tn, ==, "no newline at end\n-- \nSent through dev@lists.test — ünïcode\n");
}

static const char alternative[] =
  "From: a@b.test\nSubject: s\nMIME-Version: 1.0\n"
  "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
  "--b1\nContent-Type: text/plain\n\nplain text\n"
  "--b1\nContent-Type: text/html\n\n<p>html text</p>\n"
  "--b1--\n";

static const char mixed[] =
  "From: a@b.test\nSubject: s\nMIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=\"b2\"\n\n"
  "--b2\nContent-Type: text/plain\n\nthe text\n"
  "--b2\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=x.bin\n"
  "Content-Transfer-Encoding: base64\n\nAAECAw==\n"
  "--b2--\n";

static const char signed_msg[] =
  "From: a@b.test\nSubject: s\nMIME-Version: 1.0\n"
  "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"b3\"\n\n"
  "--b3\nContent-Type: text/plain\n\nsigned text\n"
  "--b3\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n"
  "--b3--\n";

static void
test_footer_multipart (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) a = NULL;
  g_autoptr (GMimeMessage) x = NULL;
  g_autoptr (GMimeMessage) s = NULL;
  g_autofree char *ta = NULL;
  g_autofree char *tx = NULL;
  g_autofree char *out = NULL;
  GMimeObject *top;
  int n;

  set (f, "footer", "the footer");
  /* alternative: wrapped in mixed, alternative first, footer part last */
  a = apply (f, alternative, NULL);
  top = g_mime_message_get_mime_part (a);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (top), "multipart", "mixed"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (top)), ==, 2);
  g_assert_true (g_mime_content_type_is_type (
      g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (top), 0)),
      "multipart", "alternative"));
  ta = plain_texts (a, &n);
  g_assert_cmpstr (ta, ==, "plain text|the footer\n|");

  /* mixed: one more part at the end, the attachment untouched */
  x = apply (f, mixed, NULL);
  top = g_mime_message_get_mime_part (x);
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (top)), ==, 3);
  tx = plain_texts (x, &n);
  g_assert_cmpstr (tx, ==, "the text|the footer\n|");

  /* signed: the signed part is kept byte for byte inside the wrapper */
  s = apply (f, signed_msg, &out);
  top = g_mime_message_get_mime_part (s);
  g_assert_true (GMIME_IS_MULTIPART (top) && !GMIME_IS_MULTIPART_SIGNED (top));
  g_assert_true (GMIME_IS_MULTIPART_SIGNED (g_mime_multipart_get_part (GMIME_MULTIPART (top), 0)));
  g_assert_nonnull (strstr (out, "--b3\nContent-Type: text/plain\n\nsigned text\n--b3\n"));
}

static void
test_parse_errors (void)
{
  const char *bad[] = { "", "just text\n", "\n\nbody only\n", " leading space: x\n\nb\n", NULL };

  for (int i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GBytes) raw = g_bytes_new (bad[i], strlen (bad[i]));
      g_autoptr (GError) error = NULL;
      g_autoptr (GMimeMessage) m = _rf_mime_parse (raw, NULL, &error);

      g_assert_null (m);
      g_assert_error (error, RF_ERROR, RF_ERROR_BAD_MESSAGE);
    }
}

/* A header block GMime would skip lines of (no blank line before the body,
 * a folded line without its leading space) goes out byte for byte, after
 * the list's own header fields; subject prefix and footer are left out. */
static void
test_pass_through (Fixture *f, gconstpointer data)
{
  static const char broken[] =
    "From: a@b.test\n"
    "Subject: no separator\n"
    "counter to RFC 2822, there's no separating newline here\n"
    "more body\n";
  g_autoptr (GBytes) raw = g_bytes_new_static (broken, strlen (broken));
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autofree char *text = NULL;
  gboolean lossy = FALSE;
  gsize len;
  const char *bytes;

  set (f, "subject_prefix", "[dev] ");
  set (f, "footer", "the footer");
  m = _rf_mime_parse (raw, &lossy, &error);
  g_assert_no_error (error);
  g_assert_true (lossy);
  out = _rf_policy_pass_through (raw, &f->ctx, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (out, &len);
  text = g_strndup (bytes, len);
  g_assert_true (g_str_has_prefix (text, "X-Loop: dev@lists.test\nList-Id: <dev.lists.test>\n"));
  g_assert_true (g_str_has_suffix (text, broken));
  g_assert_nonnull (strstr (text, "\nPrecedence: list\nFrom: a@b.test\n"));
  g_assert_null (strstr (text, "[dev]"));
  g_assert_null (strstr (text, "the footer"));

  /* a well-formed post is not lossy */
  g_clear_object (&m);
  g_bytes_unref (raw);
  raw = g_bytes_new_static (plain, strlen (plain));
  m = _rf_mime_parse (raw, &lossy, &error);
  g_assert_no_error (error);
  g_assert_false (lossy);
}

static void
test_bare_cr (void)
{
  static const char mac[] = "From: a@b.test\rSubject: old Mac\r\rline one\rline two\r";
  g_autoptr (GBytes) raw = g_bytes_new_static (mac, strlen (mac));
  g_autoptr (GBytes) fixed = _rf_mime_fix_line_ends (raw);
  g_autoptr (GBytes) lf = g_bytes_new_static ("a: b\r\n\r\nx\r\n", 11);
  g_autoptr (GBytes) lf_same = _rf_mime_fix_line_ends (lf);

  g_assert_cmpmem (g_bytes_get_data (fixed, NULL), g_bytes_get_size (fixed),
                   "From: a@b.test\nSubject: old Mac\n\nline one\nline two\n", 51);
  /* CRLF mail is left alone */
  g_assert_true (lf_same == lf);
}

/* issue 11, finding 2: a NUL byte or a CR that ends no line, in a header,
 * must not change where the header ends.  Before the fix GMime dropped the
 * NUL with the line end after it, and the body's lines became headers. */
static void
test_nul_and_cr (void)
{
  static const char nul[] = "From: a@b.test\nTo: dev@lists.test\nSubject: smuggle\0\n\n"
                            "Content-Type: multipart/mixed; boundary=ZZ\n"
                            "List-Unsubscribe: <https://evil.example/u>\n\n"
                            "--ZZ\nContent-Type: text/plain\n\nhello\n--ZZ--\n";
  static const char cr[] = "From: a@b.test\r\nSubject: hi\rList-Unsubscribe: <https://evil.example/u>"
                           "\rContent-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\n"
                           "Content-Type: text/plain\r\n\r\nhello\r\n--ZZ--\r\n";
  static const char part[] = "From: a@b.test\nSubject: ok\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=ZZ\n\n"
                             "--ZZ\nContent-Type: text/plain\0\n\n"
                             "Content-Disposition: attachment; filename=x.exe\n\nMZ\n--ZZ--\n";
  const struct { const char *data; gsize len; } cases[] = {
    { nul, sizeof nul - 1 }, { cr, sizeof cr - 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) raw = g_bytes_new_static (cases[i].data, cases[i].len);
      g_autoptr (GBytes) fixed = _rf_mime_fix_line_ends (raw);
      g_autoptr (GError) error = NULL;
      g_autoptr (GMimeMessage) m = _rf_mime_parse (fixed, NULL, &error);
      gsize len;
      const char *data = g_bytes_get_data (fixed, &len);

      g_assert_no_error (error);
      /* the body's lines stay in the body, as parsed and as rendered (GMime
       * wrote a header value up to its NUL, and the line end after it was
       * lost: the copy's body became headers) */
      g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "List-Unsubscribe"));
      g_assert_false (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (m)));
      {
        g_autoptr (GBytes) rendered = _rf_mime_render (m, &error);
        g_autoptr (GMimeMessage) again = _rf_mime_parse (rendered, NULL, &error);

        g_assert_no_error (error);
        g_assert_null (g_mime_object_get_header (GMIME_OBJECT (again), "List-Unsubscribe"));
        g_assert_false (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (again)));
        {
          gsize rlen;
          const char *r = g_bytes_get_data (rendered, &rlen);

          for (gsize k = 0; k < rlen; k++)
            if (r[k] == '\r')
              g_assert_true (k + 1 < rlen && r[k + 1] == '\n');   /* no bare CR left */
        }
      }
      g_assert_null (memchr (data, '\0', len));
      g_assert_true (g_str_has_prefix (g_mime_message_get_subject (m), i == 0 ? "smuggle" : "hi "));
      /* with the same length: nothing is moved */
      g_assert_cmpuint (len, ==, cases[i].len);
    }
  /* in a part's header too: the part keeps its own headers */
  {
    g_autoptr (GBytes) raw = g_bytes_new_static (part, sizeof part - 1);
    g_autoptr (GBytes) fixed = _rf_mime_fix_line_ends (raw);
    g_autoptr (GMimeMessage) m = _rf_mime_parse (fixed, NULL, NULL);
    GMimeObject *body = g_mime_message_get_mime_part (m);
    GMimeObject *first;

    g_assert_true (GMIME_IS_MULTIPART (body));
    first = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
    g_assert_null (g_mime_object_get_disposition (first));
  }
}

static void
test_parse_lenient (void)
{
  /* obsolete blanks before the colon (RFC 5322 4.5.8), a UTF-8 BOM */
  const char *good[] = { "Subject :x\n\nb\n", "From  : a@b.test\n\nb\n",
                         "\xEF\xBB\xBF" "From: a@b.test\n\nb\n", NULL };

  for (int i = 0; good[i] != NULL; i++)
    {
      g_autoptr (GBytes) raw = g_bytes_new (good[i], strlen (good[i]));
      g_autoptr (GError) error = NULL;
      g_autoptr (GMimeMessage) m = _rf_mime_parse (raw, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (m);
    }
}

/* issue 14: the parser reads the caller's bytes in place (a 10 MB post
 * was copied whole by each parse), and the message keeps them alive after
 * the caller lets go (a use after free here is what ASan reports) */
static void
test_parse_in_place (void)
{
  GString *text = g_string_new ("From: a@b.test\nSubject: big\nMIME-Version: 1.0\n"
                                "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
                                "--b1\nContent-Type: text/plain\n\nThe data.\n"
                                "--b1\nContent-Type: application/octet-stream\n"
                                "Content-Transfer-Encoding: base64\n\n");
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GBytes) rendered = NULL;
  g_autofree char *line = NULL;
  GMimeObject *part;
  GMimeStream *content;
  const guint8 *data;
  gsize len;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (text, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJz%04d\n", i);
  g_string_append (text, "--b1--\n");
  len = text->len;
  raw = g_bytes_new_take (g_string_free (text, FALSE), len);
  data = g_bytes_get_data (raw, NULL);
  m = _rf_mime_parse (raw, NULL, &error);
  g_assert_no_error (error);
  part = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (m)), 1);
  content = g_mime_data_wrapper_get_stream (g_mime_part_get_content (GMIME_PART (part)));
  /* the part's bytes are a window on the caller's buffer, not a copy */
  g_assert_nonnull (content->super_stream);
  g_assert_true (GMIME_IS_STREAM_MEM (content->super_stream));
  g_assert_true (g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (content->super_stream))->data ==
                 data);
  /* the caller lets go; the message still reads its parts */
  g_clear_pointer (&raw, g_bytes_unref);
  rendered = _rf_mime_render (m, &error);
  g_assert_no_error (error);
  line = g_strdup_printf ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJz%04d\n", 1999);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (rendered, NULL), g_bytes_get_size (rendered),
                                  line));
  g_assert_cmpuint (g_bytes_get_size (rendered), >=, len - 100);
}

static void
test_table_order (void)
{
  gsize n;
  const RfPolicy *table = _rf_policy_table (&n);

  g_assert_cmpuint (n, ==, 7);
  /* issue 16: ink first, so that the others see the notice */
  g_assert_cmpstr (table[0].name, ==, "ink");
  g_assert_cmpstr (table[1].name, ==, "attachments");
  g_assert_cmpstr (table[2].name, ==, "subject_prefix");
  g_assert_cmpstr (table[n - 1].name, ==, "loop_guard");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/policy/defaults", test_defaults);
  ADD ("/policy/list-headers/replace-and-off", test_list_headers_replace_and_off);
  ADD ("/policy/list-headers/description", test_description);
  ADD ("/policy/subject-prefix", test_subject_prefix);
  ADD ("/policy/footer/plain", test_footer_plain);
  ADD ("/policy/footer/multipart", test_footer_multipart);
  ADD ("/policy/pass-through", test_pass_through);
  g_test_add_func ("/mime/parse-errors", test_parse_errors);
  g_test_add_func ("/mime/bare-cr", test_bare_cr);
  g_test_add_func ("/mime/nul-and-cr-in-headers", test_nul_and_cr);
  g_test_add_func ("/mime/parse-lenient", test_parse_lenient);
  g_test_add_func ("/mime/parse-in-place", test_parse_in_place);
  g_test_add_func ("/policy/table", test_table_order);
  return g_test_run ();
}
