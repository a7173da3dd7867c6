/* archive.c - the searchable archive: posts, threads, months, FTS5 search,
 * mbox export.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * archive_posts holds the indexed text once; archive_fts is an FTS5 table
 * over it with external content (triggers keep it in step), so snippet()
 * reads the text from archive_posts.  The bytes live in archive_raw, so
 * that listings read small rows.  Posts are grouped and ordered by the time
 * they were archived, not by their Date field: a sender's clock (or a
 * spammer) does not decide where a post appears.
 */
#include "archive/archive.h"
#include "store-private.h"

#include <string.h>

/* The columns of an RfArchivePost summary, for every listing. */
#define SUMMARY_COLUMNS                                                                  \
  "p.number, p.message_id, p.archived, p.date_header, p.from_name, p.from_addr, "     \
  "p.subject, t.number, COALESCE(q.number, 0) "
#define SUMMARY_FROM                                                                     \
  "FROM archive_posts p JOIN archive_posts t ON t.id = p.thread_id "                  \
  "LEFT JOIN archive_posts q ON q.id = p.parent_id "

void
rf_archive_post_free (RfArchivePost *post)
{
  if (post == NULL)
    return;
  g_free (post->message_id);
  g_free (post->date_header);
  g_free (post->from_name);
  g_free (post->from_addr);
  g_free (post->subject);
  g_free (post->text);
  g_clear_pointer (&post->raw, g_bytes_unref);
  g_free (post->snippet);
  g_free (post);
}

void
rf_archive_month_free (RfArchiveMonth *month)
{
  if (month == NULL)
    return;
  g_free (month->month);
  g_free (month);
}

static char *
column_dup (sqlite3_stmt *stmt, int i)
{
  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static RfArchivePost *
summary_from_row (sqlite3_stmt *stmt)
{
  RfArchivePost *post = g_new0 (RfArchivePost, 1);

  post->number = sqlite3_column_int64 (stmt, 0);
  post->message_id = column_dup (stmt, 1);
  post->archived = sqlite3_column_int64 (stmt, 2);
  post->date_header = column_dup (stmt, 3);
  post->from_name = column_dup (stmt, 4);
  post->from_addr = column_dup (stmt, 5);
  post->subject = column_dup (stmt, 6);
  post->thread = sqlite3_column_int64 (stmt, 7);
  post->parent = sqlite3_column_int64 (stmt, 8);
  return post;
}

/* Step @stmt to the end, one summary per row. */
static GPtrArray *
read_summaries (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) posts =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_archive_post_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (posts, summary_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the archive");
      return NULL;
    }
  return g_steal_pointer (&posts);
}

static char *
month_of (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m") : g_strdup ("1970-01");
}

static gboolean
check_month (const char *month, GError **error)
{
  if (month != NULL && strlen (month) == 7 && g_ascii_isdigit (month[0]) &&
      g_ascii_isdigit (month[1]) && g_ascii_isdigit (month[2]) && g_ascii_isdigit (month[3]) &&
      month[4] == '-' && ((month[5] == '0' && month[6] >= '1' && month[6] <= '9') ||
                          (month[5] == '1' && month[6] >= '0' && month[6] <= '2')))
    return TRUE;
  g_set_error (error, RF_ERROR, RF_ERROR_INVALID, "'%s' is no month: write YYYY-MM",
               month != NULL ? month : "");
  return FALSE;
}

/* The post already archived under @key: its number in *number_out, or 0. */
static gboolean
number_of_key (RfStore *store, const char *key, gint64 *number_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT number FROM archive_posts WHERE msg_key = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the archive");
      return FALSE;
    }
  *number_out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* The first of @doc's candidate parents that is in the archive. */
static gboolean
find_parent (RfStore *store, const RfList *list, const RfArchiveDoc *doc, gint64 *parent_out,
             gint64 *thread_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  *parent_out = *thread_out = 0;
  stmt = _rf_store_prepare (store,
                            "SELECT id, thread_id FROM archive_posts "
                            "WHERE list_id = ? AND message_id = ? ORDER BY id LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  for (guint i = 0; i < doc->parents->len; i++)
    {
      const char *id = g_ptr_array_index (doc->parents, i);
      int rc;

      if (doc->message_id != NULL && g_str_equal (id, doc->message_id))
        continue;
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *parent_out = sqlite3_column_int64 (stmt, 0);
          *thread_out = sqlite3_column_int64 (stmt, 1);
          return TRUE;
        }
      if (rc != SQLITE_DONE)
        {
          _rf_store_set_error (store, rc, error, "cannot read the archive");
          return FALSE;
        }
      sqlite3_reset (stmt);
    }
  return TRUE;
}

gboolean
rf_archive_add (RfStore *store, const RfList *list, GBytes *rendered, const char *key,
                gint64 *number_out, GError **error)
{
  g_autoptr (RfArchiveDoc) doc = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *month = NULL;
  g_autofree char *sender = NULL;
  gboolean own = FALSE;
  gint64 number = 0, parent = 0, thread = 0, id;
  gint64 now = rf_now ();
  gsize len;
  const void *data;

  g_return_val_if_fail (key != NULL, FALSE);
  doc = _rf_archive_extract (rendered, error);
  if (doc == NULL)
    return FALSE;
  /* issue 11: attachment links are kept without their tokens */
  if (doc->text != NULL && _rf_archive_has_links (doc->text, FALSE))
    {
      sealed = _rf_archive_links_bytes (store->config, rendered, FALSE, error);
      if (sealed == NULL)
        return FALSE;
      rendered = sealed;
      g_clear_pointer (&doc, _rf_archive_doc_free);
      doc = _rf_archive_extract (rendered, error);
      if (doc == NULL)
        return FALSE;
    }
  month = month_of (now);
  sender = g_strjoin (" ", doc->from_name, doc->from_addr, NULL);
  g_strstrip (sender);

  if (!rf_store_join (store, &own, error))
    return FALSE;
  if (!number_of_key (store, key, &number, error))
    goto fail;
  if (number > 0)
    goto done;   /* a retry: archived already */
  if (!find_parent (store, list, doc, &parent, &thread, error))
    goto fail;

  stmt = _rf_store_prepare (store,
                            "INSERT INTO archive_posts (list_id, number, msg_key, message_id, "
                            "archived, month, date_header, from_name, from_addr, sender, "
                            "subject, body, list_tag, thread_id, parent_id) VALUES (?1, "
                            "(SELECT COALESCE(MAX(number), 0) + 1 FROM archive_posts "
                            "WHERE list_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                            "'l' || ?1, ?12, ?13) RETURNING id, number",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, doc->message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_text (stmt, 5, month, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, doc->date_header, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, doc->from_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, doc->from_addr, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, doc->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, doc->text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, thread);   /* 0: its own thread, set below */
  if (parent > 0)
    sqlite3_bind_int64 (stmt, 13, parent);
  else
    sqlite3_bind_null (stmt, 13);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _rf_store_set_error (store, sqlite3_extended_errcode (store->db), error,
                           "cannot archive the post");
      goto fail;
    }
  id = sqlite3_column_int64 (stmt, 0);
  number = sqlite3_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (thread == 0)
    {
      stmt = _rf_store_prepare (store, "UPDATE archive_posts SET thread_id = id WHERE id = ?",
                                error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!_rf_store_step_done (store, stmt, error, "cannot archive the post"))
        goto fail;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  stmt = _rf_store_prepare (store, "INSERT INTO archive_raw (post_id, raw) VALUES (?, ?)",
                            error);
  if (stmt == NULL)
    goto fail;
  data = g_bytes_get_data (rendered, &len);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_blob64 (stmt, 2, data != NULL ? data : "", len, SQLITE_STATIC);
  if (!_rf_store_step_done (store, stmt, error, "cannot archive the post"))
    goto fail;

done:
  if (own && !rf_store_commit (store, error))
    return FALSE;
  if (number_out != NULL)
    *number_out = number;
  return TRUE;

fail:
  return rf_store_end (store, own, FALSE, error);
}

GPtrArray *
rf_archive_months (RfStore *store, const RfList *list, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) months =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_archive_month_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT month, count(*) FROM archive_posts WHERE list_id = ? "
                            "GROUP BY month ORDER BY month DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RfArchiveMonth *m = g_new0 (RfArchiveMonth, 1);

      m->month = column_dup (stmt, 0);
      m->count = sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (months, m);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the archive");
      return NULL;
    }
  return g_steal_pointer (&months);
}

GPtrArray *
rf_archive_month_posts (RfStore *store, const RfList *list, const char *month, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (!check_month (month, error))
    return NULL;
  stmt = _rf_store_prepare (store,
                            "SELECT " SUMMARY_COLUMNS SUMMARY_FROM
                            "WHERE p.list_id = ? AND p.month = ? ORDER BY p.archived, p.number",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, month, -1, SQLITE_STATIC);
  return read_summaries (store, stmt, error);
}

/* Put @posts (oldest first) in thread order: each post after its parent
 * and its parent's earlier replies, depth counted from the top. */
static void
thread_order (GPtrArray *posts, GPtrArray *out, gint64 parent, guint depth)
{
  for (guint i = 0; i < posts->len; i++)
    {
      RfArchivePost *p = g_ptr_array_index (posts, i);

      if (p == NULL || p->parent != parent)
        continue;
      p->depth = depth;
      g_ptr_array_add (out, p);
      posts->pdata[i] = NULL;
      thread_order (posts, out, p->number, depth + 1);
    }
}

GPtrArray *
rf_archive_thread (RfStore *store, const RfList *list, gint64 number, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) posts = NULL;
  g_autoptr (GHashTable) numbers = NULL;
  GPtrArray *out;

  stmt = _rf_store_prepare (store,
                            "SELECT " SUMMARY_COLUMNS SUMMARY_FROM
                            "WHERE p.thread_id = (SELECT thread_id FROM archive_posts "
                            "WHERE list_id = ?1 AND number = ?2) ORDER BY p.archived, p.number",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_int64 (stmt, 2, number);
  posts = read_summaries (store, stmt, error);
  if (posts == NULL)
    return NULL;
  if (posts->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no post %" G_GINT64_FORMAT " in '%s'",
                   number, list->address);
      return NULL;
    }
  /* a post whose parent is not in the thread starts a branch of its own */
  numbers = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < posts->len; i++)
    {
      RfArchivePost *p = g_ptr_array_index (posts, i);
      g_hash_table_add (numbers, &p->number);
    }
  for (guint i = 0; i < posts->len; i++)
    {
      RfArchivePost *p = g_ptr_array_index (posts, i);
      if (p->parent != 0 && !g_hash_table_contains (numbers, &p->parent))
        p->parent = 0;
    }
  g_clear_pointer (&numbers, g_hash_table_unref);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) rf_archive_post_free);
  thread_order (posts, out, 0, 0);
  /* what a cycle of references left out */
  for (guint i = 0; i < posts->len; i++)
    if (posts->pdata[i] != NULL)
      {
        g_ptr_array_add (out, posts->pdata[i]);
        posts->pdata[i] = NULL;
      }
  return out;
}

RfArchivePost *
rf_archive_post (RfStore *store, const RfList *list, gint64 number, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  RfArchivePost *post;
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT " SUMMARY_COLUMNS ", p.body, r.raw " SUMMARY_FROM
                            "JOIN archive_raw r ON r.post_id = p.id "
                            "WHERE p.list_id = ? AND p.number = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_int64 (stmt, 2, number);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NOT_FOUND, "no post %" G_GINT64_FORMAT " in '%s'",
                   number, list->address);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot read the archive");
      return NULL;
    }
  post = summary_from_row (stmt);
  post->text = column_dup (stmt, 9);
  post->raw = g_bytes_new (sqlite3_column_blob (stmt, 10), sqlite3_column_bytes (stmt, 10));
  /* issue 11: the attachment links with their tokens again */
  if (post->text != NULL && _rf_archive_has_links (post->text, TRUE))
    {
      g_autofree char *text = _rf_archive_links_text (store->config, post->text, TRUE, error);
      g_autoptr (GBytes) raw = text != NULL ? _rf_archive_links_bytes (store->config, post->raw,
                                                                       TRUE, error)
                                            : NULL;

      if (raw == NULL)
        {
          rf_archive_post_free (post);
          return NULL;
        }
      g_free (post->text);
      post->text = g_steal_pointer (&text);
      g_bytes_unref (post->raw);
      post->raw = g_steal_pointer (&raw);
    }
  return post;
}

/* ---- search ---- */

/* The words of @s (runs of letters and digits, as the tokenizer reads
 * them); 0 when it has none. */
static guint
count_words (const char *s, gsize len)
{
  guint n = 0;
  gboolean in_word = FALSE;

  for (const char *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      gboolean w = g_unichar_isalnum (g_utf8_get_char (p));

      if (w && !in_word)
        n++;
      in_word = w;
    }
  return n;
}

typedef struct {
  GString *q;           /* the FTS5 query so far */
  GString *snip;        /* the same for snippet(): prefixes cut to 4 letters */
  GHashTable *seen;     /* the phrases in it, folded: each once */
  guint words;          /* the words in it */
  guint prefixes;       /* its prefix phrases */
} FtsQuery;

/* @s quoted as an FTS5 string, appended to @q */
static void
append_string (GString *q, const char *s, gsize len, gboolean prefix)
{
  if (q->len > 0)
    g_string_append_c (q, ' ');
  g_string_append_c (q, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '"')
        g_string_append_c (q, '"');
      g_string_append_c (q, s[i]);
    }
  g_string_append_c (q, '"');
  if (prefix)
    g_string_append_c (q, '*');
}

/* Where the last word of @s starts, and its length in characters. */
static const char *
last_word (const char *s, gsize len, glong *chars_out)
{
  const char *end = s + len, *start = end;

  while (start > s)
    {
      const char *prev = g_utf8_find_prev_char (s, start);

      if (prev == NULL || !g_unichar_isalnum (g_utf8_get_char (prev)))
        break;
      start = prev;
    }
  *chars_out = g_utf8_strlen (start, end - start);
  return start;
}

/* Add one phrase, unless it is there already (issue 11: the same word
 * twelve times cost twelve walks of its posting list) or the query has
 * RF_ARCHIVE_MAX_WORDS words (or RF_ARCHIVE_MAX_PREFIXES prefixes) already:
 * what is left over is not searched. */
static void
append_phrase (FtsQuery *fq, const char *s, gsize len, gboolean prefix)
{
  guint words = count_words (s, len);
  g_autofree char *folded = NULL;
  g_autofree char *key = NULL;
  glong last_chars = 0;
  const char *last = last_word (s, len, &last_chars);

  /* a prefix of one or two letters would merge the lists of thousands
   * of words: it is taken as a word */
  if (prefix && last_chars < 3)
    prefix = FALSE;
  if (words == 0 || fq->words >= RF_ARCHIVE_MAX_WORDS ||
      (prefix && fq->prefixes >= RF_ARCHIVE_MAX_PREFIXES))
    return;
  if (fq->words + words > RF_ARCHIVE_MAX_WORDS)
    {
      /* a phrase longer than what is left: its first words */
      guint keep = RF_ARCHIVE_MAX_WORDS - fq->words, seen_words = 0;
      gboolean in_word = FALSE;
      const char *p;

      for (p = s; p < s + len; p = g_utf8_next_char (p))
        {
          gboolean w = g_unichar_isalnum (g_utf8_get_char (p));

          if (w && !in_word && ++seen_words > keep)
            break;
          in_word = w;
        }
      len = p - s;
      words = keep;
      prefix = FALSE;
    }
  folded = g_utf8_casefold (s, (gssize) len);
  key = g_strconcat (prefix ? "*" : " ", folded, NULL);
  if (!g_hash_table_add (fq->seen, g_steal_pointer (&key)))
    return;
  fq->words += words;
  fq->prefixes += prefix;
  append_string (fq->q, s, len, prefix);
  /* snippet() looks the match up again in each row it shows, and a prefix
   * longer than the prefix index's 4 letters costs a merge of every word
   * that starts so, per row (60 ms in 100,000 posts): its first 4 letters
   * find the same row and mark its words nearly as well */
  if (prefix && last_chars > 4)
    append_string (fq->snip, s, g_utf8_offset_to_pointer (last, 4) - s, TRUE);
  else
    append_string (fq->snip, s, len, prefix);
}

/* The user's words as an FTS5 query in which nothing is syntax: each word
 * or "quoted phrase" becomes an FTS5 string, all of them required; a
 * trailing * keeps its meaning of prefix.  NULL when no word is left. */
static char *
fts_query (const char *input, char **snippet_query_out)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) snip = g_string_new (NULL);
  FtsQuery fq = { g_string_new (NULL), snip, seen, 0, 0 };
  const char *p = input;

  if (!g_utf8_validate (input, -1, NULL))
    return g_string_free (fq.q, TRUE), NULL;
  while (*p != '\0')
    {
      const char *start;

      while (*p != '\0' && (g_ascii_isspace (*p) || (guchar) *p < 0x20))
        p++;
      if (*p == '\0')
        break;
      if (*p == '"')
        {
          const char *close = strchr (p + 1, '"');
          const char *end = close != NULL ? close : p + strlen (p);

          append_phrase (&fq, p + 1, end - p - 1, FALSE);
          p = close != NULL ? close + 1 : end;
          continue;
        }
      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p) && *p != '"')
        p++;
      if (p - start > 1 && p[-1] == '*')
        append_phrase (&fq, start, p - start - 1, TRUE);
      else
        append_phrase (&fq, start, p - start, FALSE);
    }
  if (fq.q->len == 0)
    return g_string_free (fq.q, TRUE), NULL;
  *snippet_query_out = g_strdup (fq.snip->str);
  return g_string_free (fq.q, FALSE);
}

GPtrArray *
rf_archive_search (RfStore *store, const RfList *list, const char *query, RfArchiveOrder order,
                   guint offset, guint limit, guint64 *total_out, GError **error)
{
  g_autofree char *words = NULL;
  g_autofree char *snip_words = NULL;
  g_autofree char *match = NULL;
  g_autofree char *snip_match = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) one = NULL;
  g_autoptr (sqlite3_stmt) snip = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) hits =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_archive_post_free);
  int rc;

  words = query != NULL ? fts_query (query, &snip_words) : NULL;
  if (words == NULL)
    {
      if (total_out != NULL)
        *total_out = 0;
      return g_steal_pointer (&hits);
    }
  /* the list is a term of the query, so FTS5 alone answers: a join with
   * archive_posts to filter by list costs one row lookup per match, which
   * for a common word in 100,000 posts is most of a second */
  match = g_strdup_printf ("list_tag : \"l%" G_GINT64_FORMAT "\" AND "
                           "{subject sender body} : (%s)",
                           list->id, words);
  snip_match = g_strdup_printf ("list_tag : \"l%" G_GINT64_FORMAT "\" AND "
                                "{subject sender body} : (%s)",
                                list->id, snip_words);
  if (total_out != NULL)
    {
      stmt = _rf_store_prepare (store,
                                "SELECT count(*) FROM archive_fts WHERE archive_fts MATCH ?", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        {
          _rf_store_set_error (store, rc, error, "cannot search the archive");
          return NULL;
        }
      *total_out = sqlite3_column_int64 (stmt, 0);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  /* the page's ids first, so that snippet() runs for these rows only; by
   * date is by rowid, the order of archiving, which FTS5 walks backwards
   * and stops after the page.  By rank, bm25 costs a few microseconds per
   * match: a word found in 80,000 posts would take a quarter of a second,
   * so the newest RF_ARCHIVE_RANK_WINDOW matches are ranked (all of them
   * for most queries) */
  stmt = _rf_store_prepare (store,
                            order == RF_ARCHIVE_BY_DATE
                                ? "SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?1 "
                                  "ORDER BY rowid DESC LIMIT ?2 OFFSET ?3"
                                : "SELECT rowid FROM (SELECT rowid, rank AS r FROM archive_fts "
                                  "WHERE archive_fts MATCH ?1 ORDER BY rowid DESC "
                                  "LIMIT " G_STRINGIFY (RF_ARCHIVE_RANK_WINDOW) ") "
                                  "ORDER BY r, rowid DESC LIMIT ?2 OFFSET ?3",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot search the archive");
      return NULL;
    }

  one = _rf_store_prepare (store, "SELECT " SUMMARY_COLUMNS SUMMARY_FROM "WHERE p.id = ?",
                           error);
  snip = _rf_store_prepare (store,
                            "SELECT snippet(archive_fts, 2, '" RF_ARCHIVE_MARK_START "', '"
                            RF_ARCHIVE_MARK_END "', '\xe2\x80\xa6', 24) FROM archive_fts "
                            "WHERE archive_fts MATCH ?1 AND rowid = ?2",
                            error);
  if (one == NULL || snip == NULL)
    return NULL;
  sqlite3_bind_text (snip, 1, snip_match, -1, SQLITE_STATIC);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      RfArchivePost *post;

      sqlite3_bind_int64 (one, 1, id);
      if ((rc = sqlite3_step (one)) != SQLITE_ROW)
        {
          _rf_store_set_error (store, rc, error, "cannot read the archive");
          return NULL;
        }
      post = summary_from_row (one);
      g_ptr_array_add (hits, post);
      sqlite3_reset (one);
      sqlite3_bind_int64 (snip, 2, id);
      if ((rc = sqlite3_step (snip)) != SQLITE_ROW)
        {
          _rf_store_set_error (store, rc, error, "cannot read the archive");
          return NULL;
        }
      post->snippet = column_dup (snip, 0);
      sqlite3_reset (snip);
    }
  return g_steal_pointer (&hits);
}

/* ---- mbox ---- */

/* "From " line date in asctime(3) form, in English whatever the locale. */
static char *
asctime_utc (gint64 t)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  if (dt == NULL)
    return g_strdup ("Thu Jan  1 00:00:00 1970");
  return g_strdup_printf ("%s %s %2d %02d:%02d:%02d %d", days[g_date_time_get_day_of_week (dt) - 1],
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt),
                          g_date_time_get_year (dt));
}

/* mboxrd: a line that is ">*From " gains one '>', so that reading it back
 * removes exactly one. */
static gboolean
is_from_line (const guint8 *line, gsize len)
{
  gsize i = 0;

  while (i < len && line[i] == '>')
    i++;
  return len - i >= 5 && memcmp (line + i, "From ", 5) == 0;
}

static gboolean
write_all (GOutputStream *out, const void *data, gsize len, GCancellable *cancellable,
           GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_output_stream_write_all (out, data, len, NULL, cancellable, &local))
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY, "cannot write the mbox: %s",
                   local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
rf_archive_export_mbox (RfStore *store, const RfList *list, const char *month,
                        GOutputStream *out, GCancellable *cancellable, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (!check_month (month, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "SELECT p.from_addr, p.archived, r.raw, p.body FROM archive_posts p "
                            "JOIN archive_raw r ON r.post_id = p.id "
                            "WHERE p.list_id = ? AND p.month = ? ORDER BY p.archived, p.number",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list->id);
  sqlite3_bind_text (stmt, 2, month, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *addr = (const char *) sqlite3_column_text (stmt, 0);
      const guint8 *raw = sqlite3_column_blob (stmt, 2);
      gsize len = sqlite3_column_bytes (stmt, 2), start = 0;
      const char *body = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *date = asctime_utc (sqlite3_column_int64 (stmt, 1));
      g_autofree char *from = NULL;
      g_autoptr (GBytes) opened = NULL;

      /* issue 11: the attachment links with their tokens again */
      if (body != NULL && _rf_archive_has_links (body, TRUE))
        {
          g_autoptr (GBytes) stored = g_bytes_new (raw, len);

          opened = _rf_archive_links_bytes (store->config, stored, TRUE, error);
          if (opened == NULL)
            return FALSE;
          raw = g_bytes_get_data (opened, &len);
        }

      /* the envelope sender is not kept: the From address, or the
       * conventional placeholder; never a space inside it */
      if (addr == NULL || *addr == '\0' || strpbrk (addr, " \t\r\n") != NULL)
        addr = "MAILER-DAEMON";
      from = g_strdup_printf ("From %s %s\n", addr, date);
      if (!write_all (out, from, strlen (from), cancellable, error))
        return FALSE;
      while (start < len)
        {
          const guint8 *nl = memchr (raw + start, '\n', len - start);
          gsize end = nl != NULL ? (gsize) (nl - raw) + 1 : len;

          if (is_from_line (raw + start, end - start) &&
              !write_all (out, ">", 1, cancellable, error))
            return FALSE;
          if (!write_all (out, raw + start, end - start, cancellable, error))
            return FALSE;
          start = end;
        }
      if ((len > 0 && raw[len - 1] != '\n' && !write_all (out, "\n", 1, cancellable, error)) ||
          !write_all (out, "\n", 1, cancellable, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the archive");
      return FALSE;
    }
  return TRUE;
}
