/* test-archive.c - the searchable archive on real corpus messages
 * (tests/data/corpus): fields, threads, months, FTS5 search with snippets
 * and paging, hostile queries, HTML-only posts, mboxrd export.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"

#include <string.h>

static const RfActor actor = { "listctl:test", "cli" };
#define ACTOR (&actor)
#define T0 1700000000          /* 2023-11-14 */
#define NM "notmuch/test__corpora__default__"

typedef struct {
  RF_FIXTURE_FIELDS;
  guint keys;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_SETUP (f, T0, "dev@lists.example.org", NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  RF_FIXTURE_TEARDOWN (f);
}

static GBytes *
corpus (const char *name)
{
  const char *data_dir = g_getenv ("RF_TEST_DATA");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_nonnull (data_dir);
  path = g_build_filename (data_dir, "corpus", name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Archive a corpus message into @list; returns its number. */
static gint64
add_to (Fixture *f, const RfList *list, const char *name)
{
  g_autoptr (GBytes) bytes = corpus (name);
  g_autoptr (GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("key-%u", ++f->keys);
  gint64 number = 0;

  g_assert_true (rf_archive_add (f->store, list, bytes, key, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, >, 0);
  return number;
}

static gint64
add (Fixture *f, const char *name)
{
  return add_to (f, f->list, name);
}

static GPtrArray *
search (Fixture *f, const char *query, RfArchiveOrder order, guint offset, guint limit,
        guint64 *total)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *hits = rf_archive_search (f->store, f->list, query, order, offset, limit, total,
                                       &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static RfArchivePost *
hit (GPtrArray *hits, guint i)
{
  return g_ptr_array_index (hits, i);
}

static void
test_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfArchivePost) post = NULL;
  g_autoptr (GBytes) original = corpus (NM "cur__53_2_");
  g_autoptr (GPtrArray) months = NULL;
  gint64 n, again = 0;

  n = add (f, NM "cur__53_2_");
  g_assert_cmpint (n, ==, 1);
  post = rf_archive_post (f->store, f->list, 1, &error);
  g_assert_no_error (error);
  /* RFC 2047 subject and ISO-8859-1 quoted-printable body, decoded */
  g_assert_cmpstr (post->subject, ==, "Essai accentu\xc3\xa9");
  g_assert_cmpstr (post->from_name, ==, "Olivier Berger");
  g_assert_cmpstr (post->from_addr, ==, "olivier.berger@it-sudparis.eu");
  g_assert_cmpstr (post->message_id, ==, "877h1wv7mg.fsf@inf-8657.int-evry.fr");
  g_assert_cmpstr (post->date_header, ==, "Fri, 16 Dec 2010 16:49:59 +0100");
  g_assert_nonnull (strstr (post->text, "Du texte accentu\xc3\xa9 pour \xc3\xa7" "a"));
  g_assert_cmpint (post->archived, ==, T0);
  g_assert_cmpint (post->thread, ==, 1);
  g_assert_cmpint (post->parent, ==, 0);
  /* the bytes as delivered */
  g_assert_true (g_bytes_equal (post->raw, original));

  /* the same delivery key again (the MTA's retry): still one post */
  g_assert_true (rf_archive_add (f->store, f->list, original, "key-1", &again, &error));
  g_assert_cmpint (again, ==, 1);
  months = rf_archive_months (f->store, f->list, &error);
  g_assert_cmpuint (months->len, ==, 1);
  g_assert_cmpuint (((RfArchiveMonth *) g_ptr_array_index (months, 0))->count, ==, 1);

  g_clear_pointer (&post, rf_archive_post_free);
  g_assert_null (post = rf_archive_post (f->store, f->list, 2, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) thread = NULL;
  gint64 p1, p2, p7, p11, p40, m3, m4, m8, m9, other;
  const struct {
    gint64 *number;
    guint depth;
  } *e, expect[] = { { &p1, 0 }, { &p2, 1 }, { &p7, 1 }, { &p11, 2 }, { &p40, 3 } };

  /* "[PATCH 1/2] Close message file after parsing": the patch, its 2/2, a
   * reply, a reply to that, and one more */
  p1 = add (f, NM "01_2_");
  rf_test_set_now (T0 + 60);
  p2 = add (f, NM "02_2_");
  other = add (f, NM "bar__baz__05_2_");
  rf_test_set_now (T0 + 120);
  p7 = add (f, NM "foo__cur__07_2_");
  rf_test_set_now (T0 + 180);
  p11 = add (f, NM "foo__baz__11_2_");
  rf_test_set_now (T0 + 240);
  p40 = add (f, NM "cur__40_2_");

  thread = rf_archive_thread (f->store, f->list, p40, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (thread->len, ==, G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      RfArchivePost *p = g_ptr_array_index (thread, i);

      e = &expect[i];
      g_assert_cmpint (p->number, ==, *e->number);
      g_assert_cmpuint (p->depth, ==, e->depth);
      g_assert_cmpint (p->thread, ==, p1);
    }
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (thread, 4))->parent, ==, p11);
  g_clear_pointer (&thread, g_ptr_array_unref);

  /* a post with no references is a thread of its own */
  thread = rf_archive_thread (f->store, f->list, other, &error);
  g_assert_cmpuint (thread->len, ==, 1);
  g_clear_pointer (&thread, g_ptr_array_unref);

  /* "Working with Maildir storage?": In-Reply-To with a trailing comment
   * ("(Lars Kellogg-Stedman's message of ...)") still links */
  m3 = add (f, NM "foo__new__03_2_");
  m4 = add (f, NM "new__04_2_");
  m8 = add (f, NM "foo__cur__08_2_");
  m9 = add (f, NM "foo__new__09_2_");
  thread = rf_archive_thread (f->store, f->list, m3, &error);
  g_assert_cmpuint (thread->len, ==, 4);
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (thread, 1))->number, ==, m4);
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (thread, 2))->number, ==, m8);
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (thread, 3))->number, ==, m9);
  g_assert_cmpuint (((RfArchivePost *) g_ptr_array_index (thread, 3))->depth, ==, 3);
  g_clear_pointer (&thread, g_ptr_array_unref);

  g_assert_null (thread = rf_archive_thread (f->store, f->list, 999, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_NOT_FOUND);
}

static void
test_months (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) months = NULL;
  g_autoptr (GPtrArray) posts = NULL;
  RfArchiveMonth *m;

  add (f, NM "01_2_");                    /* 2023-11 */
  rf_test_set_now (T0 + 40 * 86400);              /* 2023-12 */
  add (f, NM "bar__17_2_");
  add (f, NM "bar__18_2_");
  rf_test_set_now (T0 + 80 * 86400);              /* 2024-02 */
  add (f, NM "cur__31_2_");
  rf_test_set_now (T0 + 80 * 86400 - 3600);       /* an hour earlier, archived later */
  add (f, NM "cur__34_2_");

  months = rf_archive_months (f->store, f->list, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (months->len, ==, 3);
  m = g_ptr_array_index (months, 0);
  g_assert_cmpstr (m->month, ==, "2024-02");
  g_assert_cmpuint (m->count, ==, 2);
  m = g_ptr_array_index (months, 1);
  g_assert_cmpstr (m->month, ==, "2023-12");
  g_assert_cmpuint (m->count, ==, 2);
  m = g_ptr_array_index (months, 2);
  g_assert_cmpstr (m->month, ==, "2023-11");
  g_assert_cmpuint (m->count, ==, 1);

  posts = rf_archive_month_posts (f->store, f->list, "2024-02", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 2);
  /* oldest first */
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (posts, 0))->number, ==, 5);
  g_assert_cmpint (((RfArchivePost *) g_ptr_array_index (posts, 1))->number, ==, 4);
  g_assert_cmpstr (((RfArchivePost *) g_ptr_array_index (posts, 0))->subject, ==,
                   "[notmuch] Mac OS X/Darwin compatibility issues");
  g_clear_pointer (&posts, g_ptr_array_unref);
  posts = rf_archive_month_posts (f->store, f->list, "2022-01", &error);
  g_assert_cmpuint (posts->len, ==, 0);
  g_clear_pointer (&posts, g_ptr_array_unref);
  for (const char *const *bad = (const char *const[]) { "2024-13", "2024-2", "24-02", "x",
                                                        "2024-02' OR 1=1", NULL };
       *bad != NULL; bad++)
    {
      g_assert_null (posts = rf_archive_month_posts (f->store, f->list, *bad, &error));
      g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
      g_clear_error (&error);
    }
}

/* The corpus's default folder, archived one minute apart. */
static void
add_default_corpus (Fixture *f)
{
  const char *names[] = {
    "01_2_", "02_2_", "bar__17_2_", "bar__18_2_", "bar__baz__05_2_", "bar__baz__23_2_",
    "bar__baz__24_2_", "cur__31_2_", "cur__34_2_", "cur__35_2_", "cur__36_2_",
    "foo__06_2_", "cur__40_2_", "cur__41_2_", "cur__43_2_", "cur__53_2_",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = g_strconcat (NM, names[i], NULL);

      rf_test_set_now (T0 + 60 * (gint64) i);
      add (f, name);
    }
}

/* issue 11, finding 1: a query's cost is bounded whatever it holds */
static gboolean
cancel_after (gpointer data)
{
  guint *calls = data;

  return ++*calls >= 1;
}

static void
test_search_bounded (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) many = g_string_new (NULL);
  guint64 total = 0, once = 0;
  guint calls = 0;

  add_default_corpus (f);
  /* the same word many times is the word once */
  hits = search (f, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &once);
  g_clear_pointer (&hits, g_ptr_array_unref);
  for (int i = 0; i < 250; i++)
    g_string_append (many, i % 2 ? "Darwin " : "darwin ");
  hits = search (f, many->str, RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, once);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* words after the eighth are not searched: a ninth word that is in no
   * post does not make the query find nothing */
  hits = search (f, "darwin darwin a b c d e f g zzznowhere", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_clear_pointer (&hits, g_ptr_array_unref);
  {
    guint64 with_ninth = total;

    hits = search (f, "darwin a b c d e f g", RF_ARCHIVE_BY_RANK, 0, 10, &total);
    g_assert_cmpuint (with_ninth, ==, total);
    g_clear_pointer (&hits, g_ptr_array_unref);
  }
  /* and prefixes after the second are not searched either */
  hits = search (f, "dar* fre* zzzno*", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, >, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* a spent budget ends the search with RF_ERROR_CANCELLED ... */
  rf_store_set_budget (f->store, g_get_monotonic_time () - 1, NULL, NULL);
  hits = rf_archive_search (f->store, f->list, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total,
                            &error);
  g_assert_null (hits);
  g_assert_error (error, RF_ERROR, RF_ERROR_CANCELLED);
  g_clear_error (&error);
  /* ... and so does a caller that says its client is gone */
  rf_store_set_budget (f->store, 0, cancel_after, &calls);
  hits = rf_archive_search (f->store, f->list, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total,
                            &error);
  g_assert_null (hits);
  g_assert_error (error, RF_ERROR, RF_ERROR_CANCELLED);
  g_assert_cmpuint (calls, ==, 1);
  g_clear_error (&error);
  /* a budget that is not spent changes nothing; none at all neither */
  rf_store_set_budget (f->store, g_get_monotonic_time () + 60 * G_USEC_PER_SEC, NULL, NULL);
  hits = search (f, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, once);
  g_clear_pointer (&hits, g_ptr_array_unref);
  rf_store_set_budget (f->store, 0, NULL, NULL);
  hits = search (f, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, once);
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  const char *s;

  add_default_corpus (f);

  /* a word of the text: the five posts that mention FreeBSD, each with a
   * snippet that marks the word */
  hits = search (f, "freebsd", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 5);
  g_assert_cmpuint (hits->len, ==, 5);
  /* the one with it in its subject ranks first */
  g_assert_cmpstr (hit (hits, 0)->subject, ==, "[notmuch] preliminary FreeBSD support");
  for (guint i = 0; i < hits->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (hit (hits, i)->snippet, -1);

      s = hit (hits, i)->snippet;
      g_assert_nonnull (s);
      g_assert_nonnull (strstr (lower, RF_ARCHIVE_MARK_START "freebsd" RF_ARCHIVE_MARK_END));
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* by date: newest first */
  hits = search (f, "FreeBSD", RF_ARCHIVE_BY_DATE, 0, 10, &total);
  g_assert_cmpint (hit (hits, 0)->number, ==, 12);
  g_assert_cmpint (hit (hits, 1)->number, ==, 11);
  g_assert_cmpint (hit (hits, 4)->number, ==, 5);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* the sender's name and address are searched: Carl Worth's four posts */
  hits = search (f, "carl worth", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  {
    guint from_carl = 0;

    for (guint i = 0; i < hits->len; i++)
      if (g_str_has_suffix (hit (hits, i)->from_addr, "@cworth.org"))
        from_carl++;
    g_assert_cmpuint (from_carl, ==, 4);
  }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* all words must match; accents fold; a prefix with '*'; a phrase */
  hits = search (f, "darwin compatibility", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 4);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "darwin freebsd", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 3);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "darwin preliminary", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "accentue", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (hit (hits, 0)->subject, ==, "Essai accentu\xc3\xa9");
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "compatib*", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 4);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* a prefix needs three characters: "da*" is the word "da" */
  hits = search (f, "dar*", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 4);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "da*", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "\"message file\"", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, >=, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* paging: 4 hits, 3 per page */
  hits = search (f, "darwin", RF_ARCHIVE_BY_DATE, 0, 3, &total);
  g_assert_cmpuint (total, ==, 4);
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (hit (hits, 0)->number, ==, 11);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "darwin", RF_ARCHIVE_BY_DATE, 3, 3, &total);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (hit (hits, 0)->number, ==, 8);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* FTS5 syntax typed by a visitor is text, never an error */
  for (const char *const *q = (const char *const[]) {
         "AND", "OR OR", "NOT darwin", "(darwin", "darwin)", "\"", "\"\"", "subject:darwin",
         "NEAR(darwin compatibility)", "*", "-darwin", "^darwin", "darwin +", "'; DROP TABLE x",
         "\xff\xfe", "\x02mark\x03", "", "   ", NULL };
       *q != NULL; q++)
    {
      hits = rf_archive_search (f->store, f->list, *q, RF_ARCHIVE_BY_RANK, 0, 10, &total, &error);
      g_assert_no_error (error);
      g_assert_nonnull (hits);
      g_clear_pointer (&hits, g_ptr_array_unref);
    }
  hits = search (f, "", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* "OR" is a word here, not an operator */
  hits = search (f, "darwin OR preliminary", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* another list's archive is another archive */
  {
    g_autoptr (RfList) other = NULL;

    g_assert_true (rf_list_create (f->store, "other@lists.example.org", ACTOR, &error));
    other = rf_list_lookup (f->store, "other@lists.example.org", &error);
    add_to (f, other, NM "cur__31_2_");
    hits = search (f, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total);
    g_assert_cmpuint (total, ==, 4);
    g_clear_pointer (&hits, g_ptr_array_unref);
    hits = rf_archive_search (f->store, other, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total,
                              &error);
    g_assert_cmpuint (total, ==, 1);
    g_assert_cmpint (hit (hits, 0)->number, ==, 1);
    g_clear_pointer (&hits, g_ptr_array_unref);
  }
}

static void
test_html (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RfArchivePost) post = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  guint64 total = 0;
  gint64 n;

  /* HTML only: its text is indexed, the tags are not */
  n = add (f, "mimekit/UnitTests__TestData__messages__body.2.txt");
  post = rf_archive_post (f->store, f->list, n, &error);
  g_assert_cmpstr (g_strstrip (post->text), ==, "This is an html body.");
  g_clear_pointer (&post, rf_archive_post_free);
  hits = search (f, "html body", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "b", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* notmuch's own case: an attribute value is no text, even with a '>' */
  n = add (f, "notmuch/test__corpora__html__attribute-text");
  hits = search (f, "hunter2", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "swordfish", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* an HTML attachment beside the text is not the text */
  n = add (f, "mailman3/src__mailman__handlers__tests__data__html_to_plain.eml");
  post = rf_archive_post (f->store, f->list, n, &error);
  g_assert_cmpstr (g_strstrip (post->text), ==, "This is a plain text body");
}

static void
test_html_to_text (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RfArchivePost) post = NULL;
  guint64 total = 0;
  const char *msg =
      "From: Eve <eve@example.org>\nSubject: <script>alert(1)</script>\n"
      "Message-ID: <x1@example.org>\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
      "<html><head><style>p { color: red }</style><script>var secretvar = 1;</script>"
      "</head><body><p>Fish &amp; chips &lt;3 &#233;t&eacute; &#x263A;</p><!-- hidden -->"
      "<p>caf&#xe9; \x02 \x03</p></body></html>\n";
  g_autoptr (GBytes) bytes = g_bytes_new_static (msg, strlen (msg));
  gint64 n = 0;

  g_assert_true (rf_archive_add (f->store, f->list, bytes, "k", &n, &error));
  g_assert_no_error (error);
  post = rf_archive_post (f->store, f->list, n, &error);
  g_assert_cmpstr (post->text, ==,
                   "Fish & chips <3 \xc3\xa9t\xc3\xa9 \xe2\x98\xba\n\ncaf\xc3\xa9\n");
  /* the subject is kept as text (listweb escapes it) */
  g_assert_cmpstr (post->subject, ==, "<script>alert(1)</script>");
  hits = search (f, "secretvar", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f, "hidden", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* the text never holds the snippet markers, so only matches are marked */
  hits = search (f, "cafe", RF_ARCHIVE_BY_RANK, 0, 10, &total);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (hit (hits, 0)->snippet, ==,
                   "Fish & chips <3 \xc3\xa9t\xc3\xa9 \xe2\x98\xba\n\n" RF_ARCHIVE_MARK_START
                   "caf\xc3\xa9" RF_ARCHIVE_MARK_END "\n");
}

static char *
export (Fixture *f, const char *month)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  gsize len;
  char *data;

  g_assert_true (rf_archive_export_mbox (f->store, f->list, month, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpuint (strlen (data), ==, len - 1);
  return data;
}

/* issue 11, finding 4a: the archive keeps attachment links without their
 * tokens, and gives them back with them */
static void
test_links_sealed (Fixture *f, gconstpointer data)
{
  g_autofree char *token = rf_token_new ();
  g_autofree char *link = g_strdup_printf ("https://lists.test/a/%s/report.pdf", token);
  g_autofree char *b64 = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *in_db = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RfArchivePost) post = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *text = NULL;
  gint64 n = 0;

  /* the link in a base64 text part, where no byte-level search finds it */
  text = g_strdup_printf ("Here it is.\n\n[1 attachment was removed from this message:]\n"
                          "* report.pdf (12 bytes, application/pdf)\n  %s\n", link);
  b64 = g_base64_encode ((const guchar *) text, strlen (text));
  msg = g_strdup_printf ("From: a@example.test\nTo: dev@lists.example.org\nSubject: files\n"
                         "Message-ID: <links@example.test>\nMIME-Version: 1.0\n"
                         "Content-Type: text/plain; charset=utf-8\n"
                         "Content-Transfer-Encoding: base64\n\n%s\n", b64);
  bytes = g_bytes_new (msg, strlen (msg));
  g_assert_true (rf_archive_add (f->store, f->list, bytes, "links-1", &n, &error));
  g_assert_no_error (error);

  /* the database, its text, its bytes and its index: no token */
  g_clear_pointer (&f->store, rf_store_close);
  in_db = rf_test_sql (f->dir, "SELECT p.body || hex(r.raw) FROM archive_posts p "
                               "JOIN archive_raw r ON r.post_id = p.id");
  g_assert_null (strstr (in_db, token));
  g_assert_nonnull (strstr (in_db, "/a/~"));
  {
    g_autofree char *all = rf_test_sql (f->dir, "SELECT group_concat(hex(block), '') "
                                                "FROM archive_fts_data");
    g_autofree char *token_hex = NULL;
    GString *th = g_string_new (NULL);

    for (const char *p = token; *p != '\0'; p++)
      g_string_append_printf (th, "%02X", (guchar) *p);
    token_hex = g_string_free (th, FALSE);
    g_assert_null (strstr (all, token_hex));
  }
  f->store = rf_store_open_with_keys (f->config, RF_STORE_READ_WRITE, &error);
  g_assert_no_error (error);

  /* read back through the archive: the link works again */
  post = rf_archive_post (f->store, f->list, n, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (post->text, link));
  {
    g_autoptr (GPtrArray) months = rf_archive_months (f->store, f->list, &error);
    const RfArchiveMonth *m = g_ptr_array_index (months, 0);
    g_autofree char *mbox = NULL;
    g_autofree char *decoded = NULL;
    const char *start;
    gsize len;

    g_assert_true (rf_archive_export_mbox (f->store, f->list, m->month, out, NULL, &error));
    g_assert_no_error (error);
    g_output_stream_close (out, NULL, NULL);
    mbox = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                      g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
    start = strstr (mbox, "\n\n");
    g_assert_nonnull (start);
    decoded = (char *) g_base64_decode (start + 2, &len);
    g_assert_nonnull (g_strstr_len (decoded, (gssize) len, link));
  }
}

static void
test_mbox (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *mbox = NULL;
  g_autofree char *empty = NULL;
  g_auto (GStrv) lines = NULL;
  guint from_lines = 0;
  const char *quoted =
      "From: Q <q@example.org>\nSubject: quoting\nMessage-ID: <q@example.org>\n\n"
      "From the start\n>From one\n>>From two\nFromage\n From space\nno newline at the end";
  g_autoptr (GBytes) bytes = g_bytes_new_static (quoted, strlen (quoted));
  g_autoptr (GOutputStream) nowhere = NULL;

  /* "From Russia with love" in the body of a real message */
  add (f, "mimekit/UnitTests__TestData__mbox__unmunged.mbox.txt.001.eml");
  rf_test_set_now (T0 + 60);
  g_assert_true (rf_archive_add (f->store, f->list, bytes, "quoted", NULL, &error));
  rf_test_set_now (T0 + 40 * 86400);
  add (f, NM "01_2_");

  mbox = export (f, "2023-11");
  g_assert_true (g_str_has_prefix (mbox, "From jeff@xamarin.com Tue Nov 14 22:13:20 2023\n"
                                         "From: Jeffrey Stedfast <jeff@xamarin.com>\n"));
  g_assert_nonnull (strstr (mbox, "\n\n>From Russia with love\n"));
  g_assert_nonnull (strstr (mbox, "\nFrom q@example.org Tue Nov 14 22:14:20 2023\n"));
  g_assert_nonnull (strstr (mbox, "\n>From the start\n>>From one\n>>>From two\nFromage\n"
                                  " From space\nno newline at the end\n\n"));
  g_assert_true (g_str_has_suffix (mbox, "no newline at the end\n\n"));
  /* the other month's post is not in it; exactly two "From " lines */
  g_assert_null (strstr (mbox, "dottedmag"));
  lines = g_strsplit (mbox, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "From "))
      from_lines++;
  g_assert_cmpuint (from_lines, ==, 2);

  empty = export (f, "2020-01");
  g_assert_cmpstr (empty, ==, "");
  nowhere = g_memory_output_stream_new_resizable ();
  g_assert_false (rf_archive_export_mbox (f->store, f->list, "2023", nowhere, NULL, &error));
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
}

/* The whole corpus goes in without an error: whatever the MIME, a post the
 * members got can be archived (or it is refused as unparseable). */
static void
test_whole_corpus (Fixture *f, gconstpointer data)
{
  const char *data_dir = g_getenv ("RF_TEST_DATA");
  g_autofree char *manifest_path = g_build_filename (data_dir, "corpus", "MANIFEST.tsv", NULL);
  g_autofree char *manifest = NULL;
  g_auto (GStrv) rows = NULL;
  g_autoptr (GPtrArray) months = NULL;
  g_autoptr (GError) error = NULL;
  guint archived = 0, refused = 0;

  g_assert_true (g_file_get_contents (manifest_path, &manifest, NULL, NULL));
  rows = g_strsplit (manifest, "\n", -1);
  g_assert_true (rf_store_begin (f->store, &error));
  for (char **row = rows + 1; *row != NULL && **row != '\0'; row++)
    {
      g_auto (GStrv) cols = g_strsplit (*row, "\t", -1);
      g_autoptr (GBytes) bytes = corpus (cols[3]);
      g_autoptr (GError) local = NULL;
      gint64 n = 0;

      if (rf_archive_add (f->store, f->list, bytes, cols[3], &n, &local))
        archived++;
      else
        {
          g_assert_error (local, RF_ERROR, RF_ERROR_BAD_MESSAGE);
          refused++;
        }
    }
  g_assert_true (rf_store_commit (f->store, &error));
  g_test_message ("%u archived, %u refused as unparseable", archived, refused);
  g_assert_cmpuint (archived, >, 1400);
  months = rf_archive_months (f->store, f->list, &error);
  g_assert_cmpuint (((RfArchiveMonth *) g_ptr_array_index (months, 0))->count, ==, archived);
}

/* Deleting a list deletes its archive, index entries included. */
static void
test_list_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (RfList) again = NULL;
  guint64 total = 0;

  add (f, NM "cur__31_2_");
  add (f, NM "cur__34_2_");
  g_assert_true (rf_list_delete (f->store, "dev@lists.example.org", ACTOR, &error));
  g_assert_no_error (error);
  /* read behind the library's back: the index has nothing left */
  {
    g_autofree char *count =
        rf_test_sql (f->dir, "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH 'darwin'");

    g_assert_cmpstr (count, ==, "0");
  }
  /* a new list of the same name starts an empty archive */
  g_assert_true (rf_list_create (f->store, "dev@lists.example.org", ACTOR, &error));
  again = rf_list_lookup (f->store, "dev@lists.example.org", &error);
  hits = rf_archive_search (f->store, again, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = rf_archive_months (f->store, again, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  /* the index holds no entry for the deleted posts (an external-content
   * table left stale would still match them) */
  {
    g_autoptr (RfList) other = NULL;

    g_assert_true (rf_list_create (f->store, "other@lists.example.org", ACTOR, &error));
    other = rf_list_lookup (f->store, "other@lists.example.org", &error);
    add_to (f, other, NM "cur__35_2_");
    g_clear_pointer (&hits, g_ptr_array_unref);
    hits = rf_archive_search (f->store, other, "darwin", RF_ARCHIVE_BY_RANK, 0, 10, &total,
                              &error);
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/archive/fields-and-idempotence", test_fields);
  ADD ("/archive/threads", test_threads);
  ADD ("/archive/months", test_months);
  ADD ("/archive/search", test_search);
  ADD ("/archive/search-bounded", test_search_bounded);
  ADD ("/archive/html-only-and-attachments", test_html);
  ADD ("/archive/html-to-text", test_html_to_text);
  ADD ("/archive/mbox-export", test_mbox);
  ADD ("/archive/attachment-links-sealed", test_links_sealed);
  ADD ("/archive/whole-corpus", test_whole_corpus);
  ADD ("/archive/list-delete", test_list_delete);
  return g_test_run ();
}
