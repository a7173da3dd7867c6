/* test-attachments.c - issue 3: the local blob store, sealed blobs, tokens,
 * safe file names, the attachments policy on real message shapes, what a
 * copied database and blob store reveal, and cleanup.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include "blob/blob.h"
#include "policy/policy.h"
#include "store/store.h"

#include <string.h>
#include <utime.h>

typedef struct {
  RF_FIXTURE_FIELDS;
  RfBlobStore *blobs;
  RfPolicyContext ctx;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  RF_FIXTURE_SETUP (f, 1800000000, "dev@lists.test", "[web]\nbase_url = https://lists.test/\n");
  f->blobs = rf_blob_store_open (f->config, &error);
  g_assert_no_error (error);
  g_hash_table_insert (f->settings, (gpointer) "attachments", g_strdup ("link"));
  f->ctx = (RfPolicyContext) {
    .list = f->list, .settings = f->settings, .config = f->config, .store = f->store
  };
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rf_blob_store_free (f->blobs);
  RF_FIXTURE_TEARDOWN (f);
}

static void
set (Fixture *f, const char *name, const char *value)
{
  g_hash_table_insert (f->settings, (gpointer) rf_setting_lookup (name)->name, g_strdup (value));
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_random_int ();
  return g_bytes_new_take (data, len);
}

/* ---- blob store ---- */

static GBytes *
read_blob (RfBlobStore *blobs, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfBlobReader) r = rf_blob_get (blobs, id, &error);
  GByteArray *out = g_byte_array_new ();
  guint8 buf[1000];
  gssize n;

  g_assert_no_error (error);
  while ((n = rf_blob_reader_read (r, buf, sizeof buf, &error)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  g_assert_no_error (error);
  return g_byte_array_free_to_bytes (out);
}

static void
test_local_roundtrip (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = rf_blob_id_new ();
  g_autoptr (GBytes) in = random_bytes (1000 * 1000 + 17);
  g_autoptr (GBytes) back = NULL;
  gsize len, off = 0, step = 1;
  const guint8 *p = g_bytes_get_data (in, &len);
  RfBlobWriter *w;
  gboolean exists = TRUE;
  g_autofree char *tmp_dir = g_build_filename (f->dir, "blobs", "tmp", NULL);
  g_autoptr (GDir) d = NULL;

  g_assert_cmpuint (strlen (id), ==, 32);
  g_assert_true (rf_blob_exists (f->blobs, id, &exists, &error));
  g_assert_false (exists);
  w = rf_blob_put_begin (f->blobs, id, &error);
  g_assert_no_error (error);
  /* streamed in pieces of growing size */
  while (off < len)
    {
      gsize take = MIN (step, len - off);

      g_assert_true (rf_blob_writer_write (w, p + off, take, &error));
      off += take;
      step = step * 3 + 1;
    }
  /* not visible before finish */
  g_assert_true (rf_blob_exists (f->blobs, id, &exists, &error));
  g_assert_false (exists);
  g_assert_true (rf_blob_writer_finish (w, &error));
  g_assert_no_error (error);
  g_assert_true (rf_blob_exists (f->blobs, id, &exists, &error));
  g_assert_true (exists);
  back = read_blob (f->blobs, id);
  g_assert_true (g_bytes_equal (in, back));
  /* no temp file left */
  d = g_dir_open (tmp_dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));

  g_assert_true (rf_blob_delete (f->blobs, id, &error));
  g_assert_true (rf_blob_exists (f->blobs, id, &exists, &error));
  g_assert_false (exists);
  g_assert_true (rf_blob_delete (f->blobs, id, &error));   /* idempotent */
  g_assert_null (rf_blob_get (f->blobs, id, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_local_abort_and_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = rf_blob_id_new ();
  g_autofree char *tmp_dir = g_build_filename (f->dir, "blobs", "tmp", NULL);
  g_autoptr (GDir) d = NULL;
  RfBlobWriter *w = rf_blob_put_begin (f->blobs, id, &error);
  gboolean exists = TRUE;

  g_assert_true (rf_blob_writer_write (w, "half", 4, &error));
  rf_blob_writer_abort (w);
  g_assert_true (rf_blob_exists (f->blobs, id, &exists, &error));
  g_assert_false (exists);
  d = g_dir_open (tmp_dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));

  /* nothing but 32 hex digits reaches the file system */
  for (const char *const *bad = (const char *const[]) { "../../../etc/passwd", "..", "",
                                                         "0123456789abcdef0123456789abcdeF",
                                                         "0123456789abcdef0123456789abcdef/",
                                                         NULL };
       *bad != NULL; bad++)
    {
      g_assert_null (rf_blob_get (f->blobs, *bad, &error));
      g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
      g_clear_error (&error);
      g_assert_null (rf_blob_put_begin (f->blobs, *bad, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

/* ---- sealed blobs ---- */

static void
seal (Fixture *f, const char *id, GBytes *plain, const guint8 *key)
{
  g_autoptr (GError) error = NULL;
  RfSealer *s = rf_sealer_new (rf_blob_put_begin (f->blobs, id, &error), key, &error);
  gsize len, off = 0;
  const guint8 *p = g_bytes_get_data (plain, &len);

  g_assert_no_error (error);
  while (off < len)
    {
      gsize take = MIN ((gsize) 10007, len - off);

      g_assert_true (rf_sealer_write (s, p + off, take, &error));
      off += take;
    }
  g_assert_true (rf_sealer_finish (s, &error));
  g_assert_no_error (error);
}

static GBytes *
unseal (Fixture *f, const char *id, const guint8 *key, GError **error)
{
  RfBlobReader *r = rf_blob_get (f->blobs, id, error);
  g_autoptr (RfUnsealer) u = NULL;
  GByteArray *out;
  guint8 buf[4096];
  gssize n;

  if (r == NULL)
    return NULL;
  u = rf_unsealer_new (r, key, error);
  if (u == NULL)
    return NULL;
  out = g_byte_array_new ();
  while ((n = rf_unsealer_read (u, buf, sizeof buf, error)) > 0)
    g_byte_array_append (out, buf, (guint) n);
  if (n < 0)
    {
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}

static char *
blob_file (Fixture *f, const char *id)
{
  char sub[3] = { id[0], id[1], 0 };

  return g_build_filename (f->dir, "blobs", sub, id, NULL);
}

static void
test_seal_sizes (Fixture *f, gconstpointer data)
{
  const gsize sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 + 7 };
  guint8 key[RF_KEY_BYTES];
  g_autofree char *token = rf_token_new ();

  g_assert_true (rf_token_blob_key (token, key));
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = rf_blob_id_new ();
      g_autoptr (GBytes) plain = random_bytes (sizes[i]);
      g_autoptr (GBytes) back = NULL;

      seal (f, id, plain, key);
      back = unseal (f, id, key, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (plain, back));
    }
}

static void
test_seal_wrong_key_and_tamper (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = rf_blob_id_new ();
  g_autofree char *path = blob_file (f, id);
  g_autoptr (GBytes) plain = random_bytes (200000);
  g_autoptr (GBytes) back = NULL;
  g_autofree char *sealed = NULL;
  gsize sealed_len;
  guint8 key[RF_KEY_BYTES], other[RF_KEY_BYTES];
  g_autofree char *t1 = rf_token_new ();
  g_autofree char *t2 = rf_token_new ();

  g_assert_true (rf_token_blob_key (t1, key));
  g_assert_true (rf_token_blob_key (t2, other));
  seal (f, id, plain, key);
  back = unseal (f, id, other, &error);
  g_assert_null (back);
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (path, &sealed, &sealed_len, NULL));
  /* not the plaintext, and not a byte-for-byte copy of any 64 bytes of it */
  g_assert_null (memmem (sealed, sealed_len, g_bytes_get_data (plain, NULL), 64));
  g_assert_null (memmem (sealed, sealed_len, (const char *) g_bytes_get_data (plain, NULL) + 100000,
                         64));

  /* one bit flipped in the second chunk */
  sealed[70000] ^= 1;
  g_assert_true (g_file_set_contents (path, sealed, (gssize) sealed_len, NULL));
  back = unseal (f, id, key, &error);
  g_assert_null (back);
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_clear_error (&error);
  sealed[70000] ^= 1;

  /* cut after the first three whole chunks: no final tag */
  g_assert_true (g_file_set_contents (path, sealed, 4 + 24 + 3 * (65536 + 17), NULL));
  back = unseal (f, id, key, &error);
  g_assert_null (back);
  g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  g_clear_error (&error);

  /* a byte appended after the final chunk */
  {
    g_autofree char *longer = g_malloc (sealed_len + 1);

    memcpy (longer, sealed, sealed_len);
    longer[sealed_len] = 'x';
    g_assert_true (g_file_set_contents (path, longer, (gssize) sealed_len + 1, NULL));
    back = unseal (f, id, key, &error);
    g_assert_null (back);
    g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  }
}

/* ---- tokens ---- */

static void
test_tokens (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 1000; i++)
    {
      char *token = rf_token_new ();
      g_autofree char *hash = rf_token_hash (token);
      g_autofree char *again = rf_token_hash (token);
      gsize raw_len = 0;
      g_autofree char *b64 = g_strdup (token);
      guint8 key[RF_KEY_BYTES];
      g_autofree char *key_hex = NULL;

      /* 43 base64url characters = 256 bits (at least 128 asked) */
      g_assert_cmpuint (strlen (token), ==, RF_TOKEN_CHARS);
      for (char *p = b64; *p != '\0'; p++)
        {
          g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
          *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
        }
      {
        g_autofree char *padded = g_strconcat (b64, "=", NULL);
        g_autofree guchar *raw = g_base64_decode (padded, &raw_len);
      }
      g_assert_cmpuint (raw_len * 8, >=, 128);
      g_assert_cmpuint (raw_len, ==, 32);
      g_assert_cmpuint (strlen (hash), ==, 64);
      g_assert_cmpstr (hash, ==, again);
      g_assert_null (strstr (hash, token));
      g_assert_true (rf_token_blob_key (token, key));
      key_hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, key, sizeof key);
      g_assert_cmpstr (key_hex, !=, hash);
      g_assert_false (g_hash_table_contains (seen, token));
      g_hash_table_add (seen, token);
    }
  {
    guint8 key[RF_KEY_BYTES];

    g_assert_false (rf_token_blob_key ("short", key));
    g_assert_false (rf_token_blob_key ("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", key));
  }
}

/* ---- file names ---- */

static void
assert_safe (const char *name)
{
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), >, 0);
  g_assert_cmpuint (strlen (name), <=, 120);
  g_assert_false (name[0] == '.');
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0));
      g_assert_null (strchr ("/\\\"'`<>|:*?;%", (int) (c < 0x80 ? c : 'a')));
      g_assert_false (c >= 0x202a && c <= 0x202e);
    }
}

static void
test_safe_names (Fixture *f, gconstpointer data)
{
  struct { const char *in, *type, *out; } cases[] = {
    { "../../etc/passwd", "text/plain", "passwd" },
    { "..\\..\\windows\\system.ini", NULL, "system.ini" },
    { "report \"final\".pdf", "application/pdf", "report final.pdf" },
    { "it's.doc", NULL, "its.doc" },
    { "a\r\nContent-Type: text/html\r\n\r\n<script>.txt", NULL, NULL },
    { "", "application/pdf", "attachment-3.pdf" },
    { "..", "message/rfc822", "attachment-3.eml" },
    { "/", NULL, "attachment-3.bin" },
    { "\xe2\x80\xae" "fdp.exe", NULL, "fdp.exe" },
    { "caf\xc3\xa9 menu.pdf", NULL, "caf\xc3\xa9 menu.pdf" },
    { "bad\xff" "utf8.txt", NULL, NULL },
    { ".bashrc", NULL, "bashrc" },
  };
  g_autoptr (GString) long_name = g_string_new (NULL);
  g_autofree char *safe_long = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *safe = rf_attachment_safe_name (cases[i].in, cases[i].type, 3);

      assert_safe (safe);
      if (cases[i].out != NULL)
        g_assert_cmpstr (safe, ==, cases[i].out);
      g_assert_null (strchr (safe, '\r'));
      g_assert_null (strchr (safe, '\n'));
    }
  for (int i = 0; i < 296; i++)
    g_string_append_c (long_name, "abcdefghij\xc3\xa9"[i % 11]);
  g_string_append (long_name, ".pdf");
  safe_long = rf_attachment_safe_name (long_name->str, NULL, 1);
  assert_safe (safe_long);
  g_assert_true (g_str_has_suffix (safe_long, ".pdf"));
  g_assert_true (g_str_has_prefix (safe_long, "abcdefghij"));
}

/* ---- the policy ---- */

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

/* The URLs of the block in the rendered copy's first text/plain part. */
static GPtrArray *
urls_of (GMimeMessage *m)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);
  GMimeObject *body = g_mime_message_get_body (m);
  g_autoptr (GRegex) re = g_regex_new ("https://lists\\.test/a/\\S+", 0, 0, NULL);
  g_autoptr (GMatchInfo) mi = NULL;
  g_autofree char *text = NULL;
  GMimePartIter *iter;

  if (GMIME_IS_TEXT_PART (body))
    text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
  else
    {
      iter = g_mime_part_iter_new (g_mime_message_get_mime_part (m));
      do
        {
          GMimeObject *p = g_mime_part_iter_get_current (iter);

          if (p != NULL && GMIME_IS_TEXT_PART (p) &&
              g_mime_content_type_is_type (g_mime_object_get_content_type (p), "text", "plain"))
            {
              text = g_mime_text_part_get_text (GMIME_TEXT_PART (p));
              break;
            }
        }
      while (g_mime_part_iter_next (iter));
      g_mime_part_iter_free (iter);
    }
  g_assert_nonnull (text);
  g_regex_match (re, text, 0, &mi);
  while (g_match_info_matches (mi))
    {
      g_ptr_array_add (urls, g_match_info_fetch (mi, 0));
      g_match_info_next (mi, NULL);
    }
  return urls;
}

/* Fetch an attachment as listweb does, by the URL's token. */
static GBytes *
fetch (Fixture *f, const char *url, RfAttachment **row_out)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) parts = g_strsplit (url + strlen ("https://lists.test/a/"), "/", 0);
  g_autoptr (RfAttachment) a = rf_attachment_by_token (f->store, parts[0], &error);
  guint8 key[RF_KEY_BYTES];
  GBytes *bytes;

  g_assert_no_error (error);
  g_assert_true (rf_token_blob_key (parts[0], key));
  bytes = unseal (f, a->blob_id, key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, a->size);
  if (row_out != NULL)
    *row_out = g_steal_pointer (&a);
  return bytes;
}

#define PDF_B64 "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg=="
static const char mixed[] =
    "From: a@example.test\nTo: dev@lists.test\nSubject: files\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
    "--outer\nContent-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n\nCaf=E9 first line.\nSecond line.\n"
    "--outer\nContent-Type: application/pdf; name=\"report.pdf\"\n"
    "Content-Disposition: attachment; filename=\"../report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\n" PDF_B64 "\n"
    "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n"
    "--inner\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
    "--inner--\n"
    "--outer\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
    "From: b@example.test\nSubject: forwarded\nMessage-ID: <fwd@example.test>\n\n"
    "The forwarded body.\n"
    "--outer--\n";

static void
test_policy_mixed (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m = parse (mixed);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr (GMimeMessage) again = NULL;
  g_autoptr (GPtrArray) urls = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GBytes) pdf = NULL, png = NULL, eml = NULL;
  g_autofree guchar *pdf_expected = NULL;
  gsize pdf_len;
  RfAttachment *row = NULL;

  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  g_assert_no_error (error);
  out = render (m);
  g_assert_null (strstr (out, PDF_B64));
  g_assert_null (strstr (out, "iVBORw0KGgo="));
  g_assert_null (strstr (out, "The forwarded body"));
  again = parse (out);
  urls = urls_of (again);
  g_assert_cmpuint (urls->len, ==, 3);

  /* the text: still iso-8859-1, the original text first, byte for byte */
  {
    GMimeObject *first = g_mime_multipart_get_part (
        GMIME_MULTIPART (g_mime_message_get_mime_part (again)), 0);

    g_assert_cmpstr (g_mime_object_get_content_type_parameter (first, "charset"), ==,
                     "iso-8859-1");
    g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (first)), ==,
                     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    text = g_mime_text_part_get_text (GMIME_TEXT_PART (first));
    g_assert_true (g_str_has_prefix (text, "Caf\xc3\xa9 first line.\nSecond line.\n\n["));
    g_assert_nonnull (strstr (text, "* report.pdf ("));
    g_assert_nonnull (strstr (text, "2027-02-14"));   /* 1800000000 + 30 days */
  }
  /* only the text part is left at the top, the inner multipart is gone */
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (g_mime_message_get_mime_part (again))),
                   ==, 1);

  pdf = fetch (f, g_ptr_array_index (urls, 0), &row);
  pdf_expected = g_base64_decode (PDF_B64, &pdf_len);
  g_assert_cmpmem (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), pdf_expected, pdf_len);
  g_assert_cmpstr (row->filename, ==, "report.pdf");
  g_assert_cmpstr (row->content_type, ==, "application/pdf");
  g_assert_cmpint (row->expires, ==, 1800000000 + 30 * 86400);
  g_assert_true (row->unguessable);
  rf_attachment_free (row);
  png = fetch (f, g_ptr_array_index (urls, 1), &row);
  g_assert_cmpuint (g_bytes_get_size (png), ==, 8);
  g_assert_true (g_str_has_suffix (row->filename, ".png"));
  rf_attachment_free (row);
  eml = fetch (f, g_ptr_array_index (urls, 2), &row);
  g_assert_cmpstr (row->filename, ==, "forwarded.eml");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (eml, NULL), (gssize) g_bytes_get_size (eml),
                                  "The forwarded body."));
  rf_attachment_free (row);
}

static void
test_policy_keep_and_none (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m = parse (mixed);
  g_autoptr (GMimeMessage) plain = parse ("From: a@example.test\nSubject: x\n\nJust text.\n");
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL, *pb = NULL, *pa = NULL;

  set (f, "attachments", "keep");
  before = render (m);
  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  after = render (m);
  g_assert_cmpstr (before, ==, after);

  set (f, "attachments", "link");
  pb = render (plain);
  g_assert_true (_rf_policy_attachments (plain, &f->ctx, &error));
  pa = render (plain);
  g_assert_cmpstr (pb, ==, pa);
}

static const char signed_post[] =
    "From: a@example.test\nSubject: signed\nMIME-Version: 1.0\n"
    "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256;"
    " boundary=\"s\"\n\n"
    "--s\nContent-Type: multipart/mixed; boundary=\"m\"\n\n"
    "--m\nContent-Type: text/plain\n\nSigned text.\n"
    "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n"
    "Content-Transfer-Encoding: base64\n\n" PDF_B64 "\n--m--\n"
    "--s\nContent-Type: application/pgp-signature; name=signature.asc\n\n"
    "-----BEGIN PGP SIGNATURE-----\nxxx\n-----END PGP SIGNATURE-----\n--s--\n";

static void
test_policy_signed (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m = parse (signed_post);
  g_autoptr (GError) error = NULL;
  g_autofree char *before = render (m);
  g_autofree char *after = NULL;

  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  after = render (m);
  g_assert_cmpstr (before, ==, after);

  set (f, "attachment_signed", "hold");
  g_assert_false (_rf_policy_attachments (m, &f->ctx, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_REJECTED);
}

static void
test_policy_related_html_and_signature (Fixture *f, gconstpointer data)
{
  static const char post[] =
      "From: a@example.test\nSubject: html\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"x\"\n\n"
      "--x\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
      "--alt\nContent-Type: text/plain; charset=utf-8\n\nHello.\n"
      "--alt\nContent-Type: multipart/related; boundary=\"rel\"\n\n"
      "--rel\nContent-Type: text/html; charset=utf-8\n\n"
      "<html><body><p>Hello <img src=\"cid:logo\"></p></BODY></html>\n"
      "--rel\nContent-Type: image/png\nContent-ID: <logo>\n"
      "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
      "--rel--\n--alt--\n"
      "--x\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n"
      "--x\nContent-Type: application/pgp-signature\n\nnot really\n"
      "--x--\n";
  g_autoptr (GMimeMessage) m = parse (post);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  out = render (m);
  g_assert_nonnull (strstr (out, "iVBORw0KGgo="));   /* the inline logo stays */
  g_assert_null (strstr (out, "UEsDBA=="));          /* the zip goes */
  g_assert_nonnull (strstr (out, "not really"));     /* the signature stays */
  g_assert_nonnull (strstr (out, "Hello.\n\n[1 attachment was removed"));
  g_assert_nonnull (strstr (out, "attachment-1.zip"));
  /* the HTML list comes before </BODY> */
  g_assert_nonnull (strstr (out, "</ul></div>\n</BODY></html>"));
  g_assert_nonnull (strstr (out, "<a href=\"https://lists.test/a/"));
}

static void
test_policy_lone_attachment (Fixture *f, gconstpointer data)
{
  static const char post[] =
      "From: a@example.test\nSubject: a pdf\nMIME-Version: 1.0\n"
      "Content-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\n"
      PDF_B64 "\n";
  g_autoptr (GMimeMessage) m = parse (post);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr (GMimeMessage) again = NULL;
  g_autoptr (GPtrArray) urls = NULL;
  g_autoptr (GBytes) pdf = NULL;

  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  out = render (m);
  again = parse (out);
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (again)));
  urls = urls_of (again);
  g_assert_cmpuint (urls->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (urls, 0), "/x.pdf"));
  pdf = fetch (f, g_ptr_array_index (urls, 0), NULL);
  g_assert_cmpuint (g_bytes_get_size (pdf), ==, 52);
}

static void
test_policy_readable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  set (f, "attachment_unguessable", "off");
  set (f, "attachment_retention", "forever");
  for (int post = 1; post <= 2; post++)
    {
      g_autoptr (GMimeMessage) m = parse (mixed);
      g_autoptr (GMimeMessage) again = NULL;
      g_autoptr (GPtrArray) urls = NULL;
      g_autofree char *out = NULL;
      g_autofree char *want = g_strdup_printf ("https://lists.test/a/dev@lists.test/%d/1/report.pdf",
                                               post);
      g_autoptr (RfAttachment) a = NULL;
      g_autoptr (GBytes) pdf = NULL;
      guint8 key[RF_KEY_BYTES];

      g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
      g_assert_no_error (error);
      out = render (m);
      g_assert_nonnull (strstr (out, "do not expire"));
      again = parse (out);
      urls = urls_of (again);
      g_assert_cmpstr (g_ptr_array_index (urls, 0), ==, want);
      a = rf_attachment_by_post (f->store, "dev@lists.test", post, 1, &error);
      g_assert_no_error (error);
      g_assert_false (a->unguessable);
      g_assert_cmpint (a->expires, ==, 0);
      g_assert_true (rf_site_blob_key (f->config, a->blob_id, key, &error));
      pdf = unseal (f, a->blob_id, key, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (pdf), ==, 52);
    }
  /* the site key file: created 0600 */
  {
    g_autofree char *key_path = g_build_filename (f->dir, "blob.key", NULL);
    GStatBuf st;

    g_assert_cmpint (g_stat (key_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_cmpint (st.st_size, ==, 32);
  }
}

/* Everything an attacker copies: the database (with its WAL) and every blob
 * file.  Neither holds a token or the attachment; the hashes in the
 * database do not open the blobs. */
static void
test_copied_store_reveals_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (GMimeMessage) m = parse (mixed);
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) again = NULL;
  g_autoptr (GPtrArray) urls = NULL;
  g_autofree char *out = NULL;
  g_autoptr (GString) copied = g_string_new (NULL);
  const char *files[] = { "reflector.db", "reflector.db-wal" };
  g_autofree guchar *pdf = NULL;
  gsize pdf_len;

  g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  out = render (m);
  again = parse (out);
  urls = urls_of (again);
  g_assert_cmpuint (urls->len, ==, 3);
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &data, &len, NULL))
        g_string_append_len (copied, data, (gssize) len);
    }
  {
    g_autofree char *blob_root = g_build_filename (f->dir, "blobs", NULL);
    g_autoptr (GDir) top = g_dir_open (blob_root, 0, NULL);
    const char *sub;

    while ((sub = g_dir_read_name (top)) != NULL)
      {
        g_autofree char *subdir = g_build_filename (blob_root, sub, NULL);
        g_autoptr (GDir) d = g_dir_open (subdir, 0, NULL);
        const char *name;

        while (d != NULL && (name = g_dir_read_name (d)) != NULL)
          {
            g_autofree char *path = g_build_filename (subdir, name, NULL);
            g_autofree char *data = NULL;
            gsize len = 0;

            g_assert_true (g_file_get_contents (path, &data, &len, NULL));
            g_string_append_len (copied, data, (gssize) len);
          }
      }
  }
  g_assert_cmpuint (copied->len, >, 4096);
  pdf = g_base64_decode (PDF_B64, &pdf_len);
  g_assert_null (memmem (copied->str, copied->len, pdf, pdf_len));
  g_assert_null (memmem (copied->str, copied->len, PDF_B64, strlen (PDF_B64)));
  g_assert_null (memmem (copied->str, copied->len, "The forwarded body", 18));
  for (guint i = 0; i < urls->len; i++)
    {
      const char *url = g_ptr_array_index (urls, i);
      g_autofree char *token = g_strndup (url + strlen ("https://lists.test/a/"), RF_TOKEN_CHARS);
      g_autofree char *hash = rf_token_hash (token);
      g_autoptr (RfAttachment) a = rf_attachment_by_token (f->store, token, &error);
      guint8 key[RF_KEY_BYTES];
      g_autoptr (GBytes) opened = NULL;

      g_assert_no_error (error);
      /* the token is nowhere, its hash is what the row holds */
      g_assert_null (memmem (copied->str, copied->len, token, strlen (token)));
      g_assert_nonnull (memmem (copied->str, copied->len, hash, strlen (hash)));
      /* the hash, taken as a key, opens nothing */
      g_assert_cmpuint (strlen (hash), ==, 2 * RF_KEY_BYTES);
      for (int k = 0; k < RF_KEY_BYTES; k++)
        {
          char byte[3] = { hash[2 * k], hash[2 * k + 1], 0 };
          key[k] = (guint8) g_ascii_strtoull (byte, NULL, 16);
        }
      opened = unseal (f, a->blob_id, key, &error);
      g_assert_null (opened);
      g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }
}

/* ---- cleanup ---- */

/* What @cleaner removes (or with @dry_run would remove)
 * at @now. */
static guint64
clean_at (Fixture *f, const RfCleaner *cleaner, gint64 now, gboolean dry_run)
{
  g_autoptr (GError) error = NULL;
  RfCleanupRun r = { f->config, f->store, now, dry_run, 0 };

  g_assert_true (rf_cleanup_run (cleaner, &r, &error));
  g_assert_no_error (error);
  return r.removed;
}

static void
test_cleanup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gsize n;
  const RfCleaner *cleaners = rf_cleaners (&n);
  g_autoptr (GPtrArray) rows = NULL;

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpstr (cleaners[0].name, ==, "attachments");
  {
    g_autoptr (GMimeMessage) m = parse (mixed);
    g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  }
  set (f, "attachment_retention", "1y");
  {
    g_autoptr (GMimeMessage) m = parse (mixed);
    g_assert_true (_rf_policy_attachments (m, &f->ctx, &error));
  }
  /* nothing expired yet */
  g_assert_cmpuint (clean_at (f, &cleaners[0], 1800000000, FALSE), ==, 0);
  /* 31 days on: the 30-day ones, first counted, then deleted */
  g_assert_cmpuint (clean_at (f, &cleaners[0], 1800000000 + 31 * RF_DAY, TRUE), ==, 3);
  rows = rf_attachment_expired (f->store, 1800000000 + 31 * RF_DAY, 100, &error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      const RfAttachment *a = g_ptr_array_index (rows, i);
      gboolean exists = FALSE;

      /* the dry run left the files */
      g_assert_true (rf_blob_exists (f->blobs, a->blob_id, &exists, &error));
      g_assert_true (exists);
    }
  g_assert_cmpuint (clean_at (f, &cleaners[0], 1800000000 + 31 * RF_DAY, FALSE), ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      const RfAttachment *a = g_ptr_array_index (rows, i);
      gboolean exists = TRUE;

      g_assert_true (rf_blob_exists (f->blobs, a->blob_id, &exists, &error));
      g_assert_false (exists);
    }
  /* again: nothing (idempotent); the 1-year ones are still there */
  g_assert_cmpuint (clean_at (f, &cleaners[0], 1800000000 + 31 * RF_DAY, FALSE), ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = rf_attachment_expired (f->store, 1800000000 + 366 * 86400, 100, &error);
  g_assert_cmpuint (rows->len, ==, 3);

  /* the second cleaner: a writer's temp file abandoned two days ago goes,
   * one written to an hour ago stays */
  g_assert_cmpstr (cleaners[1].name, ==, "blob-temp");
  {
    g_autofree char *old_tmp = g_build_filename (f->dir, "blobs", "tmp", "aaaa.1", NULL);
    g_autofree char *new_tmp = g_build_filename (f->dir, "blobs", "tmp", "bbbb.2", NULL);
    struct utimbuf two_days = { 1800000000 - 2 * 86400, 1800000000 - 2 * 86400 };
    struct utimbuf an_hour = { 1800000000 - 3600, 1800000000 - 3600 };

    g_assert_true (g_file_set_contents (old_tmp, "half a file", -1, NULL));
    g_assert_true (g_file_set_contents (new_tmp, "being written", -1, NULL));
    g_assert_cmpint (g_utime (old_tmp, &two_days), ==, 0);
    g_assert_cmpint (g_utime (new_tmp, &an_hour), ==, 0);
    g_assert_cmpuint (clean_at (f, &cleaners[1], 1800000000, TRUE), ==, 1);
    g_assert_true (g_file_test (old_tmp, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (clean_at (f, &cleaners[1], 1800000000, FALSE), ==, 1);
    g_assert_false (g_file_test (old_tmp, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (new_tmp, G_FILE_TEST_EXISTS));
  }
}

/* ---- configuration of the blob store ---- */

static RfConfig *
load (Fixture *f, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (f->dir, "other.conf", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return rf_config_load (path, error);
}

static void
test_blob_config (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfConfig) config = NULL;
  g_autoptr (RfBlobStore) blobs = NULL;
  g_autofree char *creds = g_build_filename (f->dir, "s3.credentials", NULL);
  g_autofree char *text = NULL;

  g_assert_cmpstr (f->config->blob_store, ==, "local");
  g_assert_cmpstr (f->config->s3_addressing, ==, "path");
  g_assert_cmpstr (rf_blob_store_kind (f->blobs), ==, "local");

  config = load (f, "[blobs]\nstore = floppy\n", &error);
  g_assert_null (config);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "[blobs] store"));
  g_clear_error (&error);
  config = load (f, "[blobs]\nstore = s3\nbucket = b\n", &error);
  g_assert_null (config);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);
  config = load (f, "[blobs]\naddressing = sideways\n", &error);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);
  config = load (f, "[blobs]\ndir = relative/path\n", &error);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);
  config = load (f, "[blobs]\nendpoint = ftp://x\n", &error);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_clear_error (&error);

  /* credentials readable by others are refused when the store opens */
  g_assert_true (g_file_set_contents (
      creds, "[default]\naws_access_key_id = A\naws_secret_access_key = S\n", -1, NULL));
  g_assert_cmpint (g_chmod (creds, 0644), ==, 0);
  text = g_strdup_printf ("[paths]\nstate_dir = %s\n[blobs]\nstore = s3\nendpoint = "
                          "http://127.0.0.1:9\nbucket = b\ncredentials_file = %s\n",
                          f->dir, creds);
  config = load (f, text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->s3_region, ==, "us-east-1");
  blobs = rf_blob_store_open (config, &error);
  g_assert_null (blobs);
  g_assert_error (error, RF_ERROR, RF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (creds, 0600), ==, 0);
  blobs = rf_blob_store_open (config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rf_blob_store_kind (blobs), ==, "s3");
  /* nothing listens on port 9: a temporary failure, never a crash */
  {
    gboolean exists = TRUE;

    g_assert_false (rf_blob_exists (blobs, "0123456789abcdef0123456789abcdef", &exists, &error));
    g_assert_error (error, RF_ERROR, RF_ERROR_TEMPORARY);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/blob/local/roundtrip", test_local_roundtrip);
  ADD ("/blob/local/abort-and-ids", test_local_abort_and_ids);
  ADD ("/blob/seal/sizes", test_seal_sizes);
  ADD ("/blob/seal/wrong-key-and-tamper", test_seal_wrong_key_and_tamper);
  ADD ("/blob/config", test_blob_config);
  ADD ("/attachments/tokens", test_tokens);
  ADD ("/attachments/safe-names", test_safe_names);
  ADD ("/attachments/policy/mixed-nested-rfc822", test_policy_mixed);
  ADD ("/attachments/policy/keep-and-none", test_policy_keep_and_none);
  ADD ("/attachments/policy/signed", test_policy_signed);
  ADD ("/attachments/policy/related-html-signature", test_policy_related_html_and_signature);
  ADD ("/attachments/policy/lone-attachment", test_policy_lone_attachment);
  ADD ("/attachments/policy/readable", test_policy_readable);
  ADD ("/attachments/copied-store-reveals-nothing", test_copied_store_reveals_nothing);
  ADD ("/attachments/cleanup", test_cleanup);
  return g_test_run ();
}
