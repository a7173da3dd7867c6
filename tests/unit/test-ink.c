/* test-ink.c - issue 16, Disappearing Ink: the policy on real message
 * shapes (the copy keeps the header and gets the notice; the post and its
 * files are sealed), reading the post back with the token and nothing
 * without it, what a copied state directory reveals (nothing), the copy
 * the archive and Bounce Redelivery keep (no link), and cleanup.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "ink/ink.h"
#include "policy/policy.h"
#include "store/store.h"

#include <string.h>

#define NOW 1800000000
#define PHRASE "the walrus sings at dawn 7f3a"
#define HTML_PHRASE "crimson heron 55b1"
#define FILE_MARK "INKFILE-d41d8cd98f00b204e980"

typedef struct {
  RF_FIXTURE_FIELDS;
  RfPolicyContext ctx;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, NOW, "dev@lists.test", "[web]\nbase_url = https://lists.test/\n");
  g_hash_table_insert (f->settings, (gpointer) "disappearing_ink", g_strdup ("1d"));
  f->ctx = (RfPolicyContext) {
    .list = f->list, .settings = f->settings, .config = f->config, .store = f->store,
    .actor = RF_TEST_ACTOR
  };
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static GMimeMessage *
parse (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = g_bytes_new (text, strlen (text));
  GMimeMessage *m = _rf_mime_parse (raw, NULL, &error);

  g_assert_no_error (error);
  return m;
}

static char *
render (GMimeMessage *m)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = _rf_mime_render (m, &error);

  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* The token of the page link in @copy. */
static char *
token_of (const char *copy)
{
  const char *at = strstr (copy, "https://lists.test/ink/");

  g_assert_nonnull (at);
  at += strlen ("https://lists.test/ink/");
  return g_strndup (at, RF_TOKEN_CHARS);
}

/* a binary file with a marker inside, base64 in the post */
static GBytes *
the_file (void)
{
  GByteArray *b = g_byte_array_new ();

  for (int i = 0; i < 3000; i++)
    {
      guint8 c = (guint8) (i * 7 + 3);
      g_byte_array_append (b, &c, 1);
    }
  g_byte_array_append (b, (const guint8 *) FILE_MARK, strlen (FILE_MARK));
  return g_byte_array_free_to_bytes (b);
}

static char *
post_text (void)
{
  g_autoptr (GBytes) file = the_file ();
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  g_autoptr (GString) wrapped = g_string_new (NULL);

  for (gsize i = 0; i < strlen (b64); i += 76)
    g_string_append_printf (wrapped, "%.76s\n", b64 + i);
  return g_strdup_printf (
      "From: Ann Poster <ann@other.test>\n"
      "To: dev@lists.test\n"
      "Cc: Bob <bob@other.test>\n"
      "Subject: Plans for the =?utf-8?q?caf=C3=A9?=\n"
      "Date: Sun, 29 Nov 2026 10:00:00 +0000\n"
      "Message-ID: <ink.1@other.test>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\n"
      "\n"
      "--outer\n"
      "Content-Type: multipart/related; boundary=\"rel\"\n"
      "\n"
      "--rel\n"
      "Content-Type: multipart/alternative; boundary=\"alt\"\n"
      "\n"
      "--alt\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "Hello list,\n" PHRASE ".\n"
      "--alt\n"
      "Content-Type: text/html; charset=utf-8\n"
      "\n"
      "<html><body><p>Hello list, " HTML_PHRASE " <img src=\"cid:pic\"></p></body></html>\n"
      "--alt--\n"
      "--rel\n"
      "Content-Type: image/png\n"
      "Content-ID: <pic>\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "iVBORw0KGgo=\n"
      "--rel--\n"
      "--outer\n"
      "Content-Type: application/octet-stream; name=\"secret plan.bin\"\n"
      "Content-Disposition: attachment; filename=\"secret plan.bin\"\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "%s"
      "--outer\n"
      "Content-Type: message/rfc822\n"
      "Content-Disposition: attachment\n"
      "\n"
      "From: x@other.test\n"
      "Subject: forwarded minutes\n"
      "\n"
      "Forwarded text.\n"
      "--outer--\n",
      wrapped->str);
}

static guint64
count (Fixture *f, const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autofree char *out = rf_test_sql (f->dir, sql);

  return g_ascii_strtoull (out, NULL, 10);
}

static void
test_off (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *before = render (m);
  g_autofree char *after = NULL;
  g_autoptr (GBytes) kept = NULL;

  g_hash_table_insert (f->settings, (gpointer) "disappearing_ink", g_strdup ("off"));
  g_assert_false (_rf_policy_ink_on (&f->ctx));
  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  g_assert_no_error (error);
  after = render (m);
  g_assert_cmpstr (before, ==, after);
  g_assert_true (_rf_policy_ink_kept_copy (m, &kept, &error));
  g_assert_null (kept);
  g_assert_cmpuint (count (f, "ink_posts"), ==, 0);
}

/* The setting: off and three lifetimes, nothing else. */
static void
test_setting (void)
{
  const RfSettingDef *def = rf_setting_lookup ("disappearing_ink");
  g_autoptr (GError) error = NULL;
  g_autofree char *v = NULL;
  char *bad;

  g_assert_nonnull (def);
  g_assert_cmpstr (def->default_value, ==, "off");
  v = rf_setting_normalize (def, "7D", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (v, ==, "7d");
  bad = rf_setting_normalize (def, "2d", &error);
  g_assert_null (bad);
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
}

static void
test_notice_and_page (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autoptr (RfInk) ink = NULL;
  g_autoptr (RfInkPost) post = NULL;
  g_autoptr (GBytes) file = the_file ();
  GMimeObject *body;
  const RfInkFile *fl;

  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  g_assert_no_error (error);
  copy = render (m);

  /* the copy: the header as it came, the notice, nothing of the body */
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Plans for the café");
  g_assert_nonnull (strstr (copy, "From: Ann Poster <ann@other.test>\n"));
  g_assert_nonnull (strstr (copy, "Cc: Bob <bob@other.test>\n"));
  g_assert_nonnull (strstr (copy, "Date: Sun, 29 Nov 2026 10:00:00 +0000\n"));
  g_assert_nonnull (strstr (copy, "Message-ID: <ink.1@other.test>\n"));
  body = g_mime_message_get_mime_part (m);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart",
                                              "alternative"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
  g_assert_null (strstr (copy, "multipart/mixed"));
  g_assert_null (strstr (copy, PHRASE));
  g_assert_null (strstr (copy, HTML_PHRASE));
  g_assert_null (strstr (copy, "secret plan"));
  g_assert_null (strstr (copy, "forwarded minutes"));
  g_assert_null (strstr (copy, "iVBORw0KGgo"));
  g_assert_nonnull (strstr (copy, "This message to dev@lists.test is on a protected page until "
                                  "2027-01-16 08:00 UTC:"));
  g_assert_nonnull (strstr (copy, "ask the list's owners: dev-owner@lists.test"));
  g_assert_nonnull (strstr (copy, "Its 3 attachments are on the page too"));
  token = token_of (copy);
  g_assert_true (rf_token_shaped (token, RF_TOKEN_CHARS));
  /* the text notice is wrapped for a mail reader (the link on a line of
   * its own) */
  {
    GMimeObject *plain = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
    g_autofree char *notice = g_mime_text_part_get_text (GMIME_TEXT_PART (plain));
    g_auto (GStrv) lines = g_strsplit (notice, "\n", -1);

    for (char **l = lines; *l != NULL; l++)
      if (strstr (*l, token) == NULL)
        g_assert_cmpuint (g_utf8_strlen (*l, -1), <=, 72);
      else
        g_assert_true (g_str_has_prefix (*l, "  https://lists.test/ink/"));
  }
  /* the link in the text, and in the HTML as the href and its text */
  {
    g_auto (GStrv) split = g_strsplit (copy, token, -1);
    g_assert_cmpuint (g_strv_length (split), ==, 4);
  }

  /* the rows: the hash of the token, never the token */
  g_assert_cmpuint (count (f, "ink_posts"), ==, 1);
  g_assert_cmpuint (count (f, "ink_files"), ==, 3);
  {
    g_autofree char *hash = rf_token_hash (token);
    g_autofree char *stored = rf_test_sql (f->dir, "SELECT token_hash FROM ink_posts");
    g_autofree char *expires = rf_test_sql (f->dir, "SELECT expires - created FROM ink_posts");

    g_assert_cmpstr (stored, ==, hash);
    g_assert_cmpstr (expires, ==, "86400");
  }

  /* the page, with the token */
  ink = rf_ink_lookup (f->store, token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ink->list_address, ==, "dev@lists.test");
  g_assert_cmpint (ink->expires, ==, NOW + RF_DAY);
  post = rf_ink_post_read (f->config, ink, token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post->from, ==, "Ann Poster <ann@other.test>");
  g_assert_cmpstr (post->to, ==, "dev@lists.test");
  g_assert_cmpstr (post->cc, ==, "Bob <bob@other.test>");
  g_assert_cmpstr (post->subject, ==, "Plans for the café");
  g_assert_cmpstr (post->date, ==, "Sun, 29 Nov 2026 10:00:00 +0000");
  /* the plain text, not the HTML */
  g_assert_cmpstr (post->text, ==, "Hello list,\n" PHRASE ".");
  g_assert_cmpuint (post->files->len, ==, 3);
  fl = g_ptr_array_index (post->files, 0);
  g_assert_cmpuint (fl->n, ==, 1);
  g_assert_cmpstr (fl->content_type, ==, "image/png");
  fl = g_ptr_array_index (post->files, 1);
  g_assert_cmpstr (fl->name, ==, "secret plan.bin");
  g_assert_cmpstr (fl->content_type, ==, "application/octet-stream");
  g_assert_cmpuint (fl->size, ==, g_bytes_get_size (file));
  fl = g_ptr_array_index (post->files, 2);
  g_assert_cmpstr (fl->name, ==, "forwarded minutes.eml");
  g_assert_cmpstr (fl->content_type, ==, "message/rfc822");

  /* the file back, byte for byte */
  {
    g_autoptr (RfInkFileReader) r = rf_ink_file_open (f->config, ink, token, 2, &error);
    GByteArray *got = g_byte_array_new ();
    g_autoptr (GBytes) back = NULL;
    guint8 buf[1000];
    gssize n;

    g_assert_no_error (error);
    while ((n = rf_ink_file_read (r, buf, sizeof buf, &error)) > 0)
      g_byte_array_append (got, buf, (guint) n);
    g_assert_no_error (error);
    back = g_byte_array_free_to_bytes (got);
    g_assert_true (g_bytes_equal (back, file));
  }
  {
    g_autoptr (RfInkFileReader) r = rf_ink_file_open (f->config, ink, token, 4, &error);

    g_assert_null (r);
    g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
    g_clear_error (&error);
    r = rf_ink_file_open (f->config, ink, token, 0, &error);
    g_assert_null (r);
    g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  }
}

/* Without the token: no row by another one; a row's blobs do not open
 * with another token, nor with the key an attachment would have. */
static void
test_wrong_token (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other = rf_token_new ();
  g_autoptr (RfInk) ink = NULL;
  g_autoptr (RfInk) none = NULL;
  g_autoptr (RfInkPost) post = NULL;
  g_autoptr (RfInkFileReader) r = NULL;

  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  copy = render (m);
  token = token_of (copy);
  none = rf_ink_lookup (f->store, other, &error);
  g_assert_null (none);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, other));
  g_clear_error (&error);

  ink = rf_ink_lookup (f->store, token, &error);
  g_assert_no_error (error);
  post = rf_ink_post_read (f->config, ink, other, &error);
  g_assert_null (post);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  post = rf_ink_post_read (f->config, ink, "not a token", &error);
  g_assert_null (post);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  r = rf_ink_file_open (f->config, ink, other, 1, &error);
  g_assert_null (r);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* the key of an unguessable attachment with the same token opens nothing */
  {
    RfAttachment a = { 0 };
    g_autoptr (RfAttachmentReader) ar = NULL;

    a.blob_id = ink->file_blobs[0];
    ar = rf_attachment_open (f->config, &a, token, &error);
    g_assert_null (ar);
    g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  }
}

/* Every byte of @path and below, one buffer. */
static void
slurp_tree (const char *path, GByteArray *out)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          slurp_tree (child, out);
        }
    }
  else
    {
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &data, &len, NULL))
        g_byte_array_append (out, (const guint8 *) data, (guint) len);
    }
}

static gboolean
holds (GByteArray *all, const void *needle, gsize len)
{
  if (len == 0 || all->len < len)
    return FALSE;
  for (gsize i = 0; i + len <= all->len; i++)
    if (memcmp (all->data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* A copy of the whole state directory (database, WAL, blobs, keys) holds
 * neither the post, nor its files, nor their names, nor the token. */
static void
test_stolen_disk (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autoptr (GByteArray) all = g_byte_array_new ();
  g_autoptr (GBytes) file = the_file ();
  const char *const needles[] = { PHRASE, HTML_PHRASE, FILE_MARK, "secret plan",
                                  "forwarded minutes", "Forwarded text", "walrus" };

  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  g_assert_no_error (error);
  copy = render (m);
  token = token_of (copy);
  slurp_tree (f->dir, all);
  g_assert_cmpuint (all->len, >, 3000);
  for (gsize i = 0; i < G_N_ELEMENTS (needles); i++)
    if (holds (all, needles[i], strlen (needles[i])))
      g_error ("the state directory holds '%s'", needles[i]);
  g_assert_false (holds (all, token, strlen (token)));
  g_assert_false (holds (all, g_bytes_get_data (file, NULL), 64));
}

/* What the archive and Bounce Redelivery keep: the notice, without link. */
static void
test_kept_copy (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autoptr (GBytes) kept = NULL;
  g_autofree char *kept_text = NULL;

  /* the footer runs after the notice, as in the table */
  g_hash_table_insert (f->settings, (gpointer) "footer", g_strdup ("dev list footer ☺"));
  g_assert_true (_rf_policy_apply_all (m, &f->ctx, &error));
  g_assert_no_error (error);
  copy = render (m);
  token = token_of (copy);
  g_assert_true (_rf_policy_ink_kept_copy (m, &kept, &error));
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  kept_text = g_strndup (g_bytes_get_data (kept, NULL), g_bytes_get_size (kept));
  g_assert_null (strstr (kept_text, token));
  g_assert_nonnull (strstr (kept_text, "Subject: Plans for the"));
  {
    g_autoptr (GMimeMessage) back = parse (kept_text);
    g_autoptr (GString) all_text = g_string_new (NULL);
    GMimePartIter *iter = g_mime_part_iter_new (GMIME_OBJECT (back));

    do
      {
        GMimeObject *p = g_mime_part_iter_get_current (iter);

        if (GMIME_IS_TEXT_PART (p))
          {
            g_autofree char *t = g_mime_text_part_get_text (GMIME_TEXT_PART (p));
            g_string_append (all_text, t);
          }
      }
    while (g_mime_part_iter_next (iter));
    g_mime_part_iter_free (iter);
    g_assert_nonnull (strstr (all_text->str, "is on a protected page until"));
    g_assert_nonnull (strstr (all_text->str, "(the link is only in the copies sent to the members)"));
    g_assert_nonnull (strstr (all_text->str, "dev list footer ☺"));
    g_assert_null (strstr (all_text->str, token));
    g_assert_null (strstr (all_text->str, "/ink/"));
  }
}

/* An HTML-only post: its text on the page, no markup; a post that is one
 * file: the file, and an empty text. */
static void
test_shapes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) html = parse (
      "From: a@other.test\nTo: dev@lists.test\nSubject: html\nMIME-Version: 1.0\n"
      "Content-Type: text/html; charset=utf-8\n\n"
      "<html><head><style>p{}</style><script>alert(1)</script></head><body><p><b>Bold</b> "
      HTML_PHRASE " &amp; more</p></body></html>\n");
  g_autoptr (GMimeMessage) pdf = parse (
      "From: a@other.test\nTo: dev@lists.test\nSubject: just a file\nMIME-Version: 1.0\n"
      "Content-Type: application/pdf; name=\"r.pdf\"\nContent-Transfer-Encoding: base64\n\n"
      "JVBERi0xLjQK\n");
  g_autofree char *c1 = NULL;
  g_autofree char *c2 = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autoptr (RfInk) i1 = NULL;
  g_autoptr (RfInk) i2 = NULL;
  g_autoptr (RfInkPost) p1 = NULL;
  g_autoptr (RfInkPost) p2 = NULL;

  g_assert_true (_rf_policy_ink (html, &f->ctx, &error));
  g_assert_true (_rf_policy_ink (pdf, &f->ctx, &error));
  g_assert_no_error (error);
  c1 = render (html);
  c2 = render (pdf);
  g_assert_null (strstr (c1, HTML_PHRASE));
  g_assert_null (strstr (c2, "JVBERi0xLjQK"));
  g_assert_null (strstr (c1, "attachment"));
  g_assert_nonnull (strstr (c2, "Its attachment is on the page too"));
  t1 = token_of (c1);
  t2 = token_of (c2);
  g_assert_cmpstr (t1, !=, t2);
  i1 = rf_ink_lookup (f->store, t1, &error);
  i2 = rf_ink_lookup (f->store, t2, &error);
  g_assert_no_error (error);
  p1 = rf_ink_post_read (f->config, i1, t1, &error);
  g_assert_no_error (error);
  p2 = rf_ink_post_read (f->config, i2, t2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p1->text, ==, "Bold " HTML_PHRASE " & more\n");
  g_assert_cmpuint (p1->files->len, ==, 0);
  g_assert_cmpstr (p2->text, ==, "");
  g_assert_cmpuint (p2->files->len, ==, 1);
  g_assert_cmpstr (((RfInkFile *) g_ptr_array_index (p2->files, 0))->name, ==, "r.pdf");
  g_assert_cmpuint (((RfInkFile *) g_ptr_array_index (p2->files, 0))->size, ==, 9);
}

/* CRLF mail: an unencoded attachment keeps its own line ends, not the CR
 * that belongs to the boundary; a base64 one keeps a final CR of its own. */
static void
test_crlf (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = parse (
      "From: a@other.test\r\nTo: dev@lists.test\r\nSubject: patch\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nthe patch\r\n"
      "--b\r\nContent-Type: text/x-diff; name=fix.diff\r\nContent-Disposition: attachment; "
      "filename=fix.diff\r\nContent-Transfer-Encoding: 7bit\r\n\r\n-old\r\n+new\r\n"
      "--b\r\nContent-Type: application/octet-stream; name=cr.bin\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nYWJjDQ==\r\n"
      "--b--\r\n");
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autoptr (RfInk) ink = NULL;
  /* the CRLF before "--b" is the boundary's */
  const char *expect[] = { "-old\r\n+new", "abc\r" };

  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  g_assert_no_error (error);
  copy = render (m);
  token = token_of (copy);
  ink = rf_ink_lookup (f->store, token, &error);
  g_assert_no_error (error);
  for (guint n = 1; n <= 2; n++)
    {
      g_autoptr (RfInkFileReader) r = rf_ink_file_open (f->config, ink, token, n, &error);
      char buf[100];
      gssize got;

      g_assert_no_error (error);
      got = rf_ink_file_read (r, buf, sizeof buf, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (buf, got, expect[n - 1], strlen (expect[n - 1]));
    }
}

/* What the cleaner @name removes (or with @dry_run would remove) at @now. */
static guint64
clean (Fixture *f, gint64 now, gboolean dry_run)
{
  g_autoptr (GError) error = NULL;
  gsize n = 0;
  const RfCleaner *cleaners = rf_cleaners (&n);
  RfCleanupRun r = { f->config, f->store, now, dry_run, 0 };

  for (gsize i = 0; i < n; i++)
    if (g_str_equal (cleaners[i].name, "ink"))
      {
        g_assert_true (rf_cleanup_run (&cleaners[i], &r, &error));
        g_assert_no_error (error);
        return r.removed;
      }
  g_assert_not_reached ();
}

static guint
blob_count (Fixture *f)
{
  g_autofree char *dir = g_build_filename (f->dir, "blobs", NULL);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  const char *argv[] = { "find", dir, "-path", tmp, "-prune", "-o", "-type", "f", "-print",
                         NULL };
  g_autofree char *out = NULL;
  guint n = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, NULL, NULL));
  for (const char *p = out; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static void
test_cleanup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = post_text ();
  g_autoptr (GMimeMessage) m = parse (text);
  g_autofree char *copy = NULL;
  g_autofree char *token = NULL;
  g_autoptr (RfInk) gone = NULL;

  g_hash_table_insert (f->settings, (gpointer) "disappearing_ink", g_strdup ("3d"));
  g_assert_true (_rf_policy_ink (m, &f->ctx, &error));
  g_assert_no_error (error);
  copy = render (m);
  token = token_of (copy);
  g_assert_cmpuint (blob_count (f), ==, 4);
  g_assert_cmpuint (clean (f, NOW + 3 * RF_DAY - 1, FALSE), ==, 0);
  g_assert_cmpuint (clean (f, NOW + 3 * RF_DAY, TRUE), ==, 1);
  g_assert_cmpuint (blob_count (f), ==, 4);
  g_assert_cmpuint (count (f, "ink_files"), ==, 3);
  g_assert_cmpuint (clean (f, NOW + 3 * RF_DAY, FALSE), ==, 1);
  g_assert_cmpuint (blob_count (f), ==, 0);
  g_assert_cmpuint (count (f, "ink_posts"), ==, 0);
  g_assert_cmpuint (count (f, "ink_files"), ==, 0);
  gone = rf_ink_lookup (f->store, token, &error);
  g_assert_null (gone);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_assert_cmpuint (clean (f, NOW + 3 * RF_DAY, FALSE), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  g_test_add_func ("/ink/setting", test_setting);
  ADD ("/ink/off", test_off);
  ADD ("/ink/notice-and-page", test_notice_and_page);
  ADD ("/ink/wrong-token", test_wrong_token);
  ADD ("/ink/stolen-disk", test_stolen_disk);
  ADD ("/ink/kept-copy", test_kept_copy);
  ADD ("/ink/shapes", test_shapes);
  ADD ("/ink/crlf", test_crlf);
  ADD ("/ink/cleanup", test_cleanup);
  return g_test_run ();
}
