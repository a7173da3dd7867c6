/* person.c - everything the store's tables hold about one address, and
 * its erasure (issue 15: listctl person export / erase).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pair of functions per group of tables: "about" returns the rows as
 * a JSON array (column names as keys, straight from the SELECT), "erase"
 * removes them, or, for the journal and the activity log, puts the keyed
 * hash (lib/person/) where the address was, so that the journal keeps its
 * shape and a restore stays consistent.  Addresses are matched in any
 * ASCII case, as members are (rf_member_find).  lib/person/person.c holds
 * the table of kinds that calls them.
 */
#include "store-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Every row @stmt returns, as objects named by its columns. */
static JsonNode *
rows_json (RfStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  int rc;

  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          json_builder_set_member_name (b, sqlite3_column_name (stmt, i));
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_INTEGER:
              json_builder_add_int_value (b, sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_NULL:
              json_builder_add_null_value (b);
              break;
            case SQLITE_BLOB:
              {
                g_autofree char *hex = rf_hex (sqlite3_column_blob (stmt, i),
                                               (gsize) sqlite3_column_bytes (stmt, i));

                json_builder_add_string_value (b, hex);
                break;
              }
            default:
              {
                g_autofree char *text =
                    g_utf8_make_valid ((const char *) sqlite3_column_text (stmt, i), -1);

                json_builder_add_string_value (b, text);
              }
            }
        }
      json_builder_end_object (b);
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the rows about the address");
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/* The rows of @sql, whose every parameter is the address. */
static JsonNode *
about (RfStore *store, const char *sql, const char *address, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (store, sql, error);

  if (stmt == NULL)
    return NULL;
  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    sqlite3_bind_text (stmt, i, address, -1, SQLITE_STATIC);
  return rows_json (store, stmt, error);
}

/* Run each of @sqls (every parameter: ?1 the address, ?2 the hash) and
 * add the rows they changed to *count_out. */
static gboolean
change (RfStore *store, const char *const *sqls, const char *address, const char *hash,
        guint64 *count_out, GError **error)
{
  for (; *sqls != NULL; sqls++)
    {
      g_autoptr (sqlite3_stmt) stmt = _rf_store_prepare (store, *sqls, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, address, -1, SQLITE_STATIC);
      if (sqlite3_bind_parameter_count (stmt) >= 2)
        sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_STATIC);
      if (!_rf_store_step_done (store, stmt, error, "cannot erase the address"))
        return FALSE;
      *count_out += (guint64) sqlite3_changes (store->db);
    }
  return TRUE;
}

/* ---- memberships (and the bounce state that goes with each) ---- */

JsonNode *
rf_person_members_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT l.address AS list, m.address, m.since, b.state AS bounce_state, "
                "b.score AS bounce_score, b.last_bounce, b.last_class, b.last_reason "
                "FROM members m JOIN lists l ON l.id = m.list_id "
                "LEFT JOIN member_bounces b ON b.list_id = m.list_id AND b.address = m.address "
                "WHERE m.address = ?1 COLLATE NOCASE ORDER BY l.address",
                address, error);
}

gboolean
rf_person_members_erase (RfStore *store, const char *address, const char *hash,
                         const RfActor *actor, guint64 *count_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (GPtrArray) lists = g_ptr_array_new_with_free_func (g_free);
  int rc;

  /* each membership leaves with an "unsubscribe" in its journal, as any
   * other would, but naming the hash */
  find = _rf_store_prepare (store,
                            "SELECT l.address FROM members m JOIN lists l ON l.id = m.list_id "
                            "WHERE m.address = ?1 COLLATE NOCASE",
                            error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_text (find, 1, address, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    g_ptr_array_add (lists, g_strdup ((const char *) sqlite3_column_text (find, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the memberships");
      return FALSE;
    }
  for (guint i = 0; i < lists->len; i++)
    if (!rf_journal_append (store, g_ptr_array_index (lists, i), actor, "unsubscribe", hash,
                            NULL, error))
      return FALSE;
  {
    /* member_bounces go with them (ON DELETE CASCADE) */
    static const char *const sqls[] = {
      "DELETE FROM members WHERE address = ?1 COLLATE NOCASE",
      NULL,
    };

    return change (store, sqls, address, hash, count_out, error);
  }
}

/* ---- bounces: what Bounce Redelivery keeps of a member ---- */

JsonNode *
rf_person_bounces_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT 'bounced post' AS what, p.list_address AS list, p.subject, b.at "
                "FROM redelivery_bounces b JOIN redelivery_posts p ON p.id = b.post_id "
                "WHERE b.member = ?1 COLLATE NOCASE "
                "UNION ALL SELECT 'notice sent', list_address, NULL, last_sent "
                "FROM redelivery_notices WHERE member = ?1 COLLATE NOCASE "
                "UNION ALL SELECT 'page link', list_address, NULL, created "
                "FROM redelivery_tokens WHERE member = ?1 COLLATE NOCASE",
                address, error);
}

gboolean
rf_person_bounces_erase (RfStore *store, const char *address, const char *hash,
                         guint64 *count_out, GError **error)
{
  static const char *const sqls[] = {
    "DELETE FROM redelivery_bounces WHERE member = ?1 COLLATE NOCASE",
    "DELETE FROM redelivery_notices WHERE member = ?1 COLLATE NOCASE",
    "DELETE FROM redelivery_tokens WHERE member = ?1 COLLATE NOCASE",
    "DELETE FROM member_bounces WHERE address = ?1 COLLATE NOCASE",
    NULL,
  };

  return change (store, sqls, address, hash, count_out, error);
}

/* ---- the journal: its events keep their shape, the address becomes the
 * hash (in the subject, and wherever a value names it) ---- */

JsonNode *
rf_person_journal_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT list_address AS list, at, actor, event, subject, value FROM journal "
                "WHERE subject = ?1 COLLATE NOCASE OR instr(lower(value), lower(?1)) > 0 "
                "ORDER BY at, id",
                address, error);
}

/* @text with every occurrence of @needle, in any ASCII case, replaced by
 * @by.  Returns: (transfer full). */
static char *
replace_nocase (const char *text, const char *needle, const char *by)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_autofree char *lneedle = g_ascii_strdown (needle, -1);
  GString *out = g_string_new (NULL);
  gsize n = strlen (lneedle);
  const char *p = lower;
  const char *hit;

  if (n == 0)
    return g_strdup (text);
  while ((hit = strstr (p, lneedle)) != NULL)
    {
      g_string_append_len (out, text + (p - lower), hit - p);
      g_string_append (out, by);
      p = hit + n;
    }
  g_string_append (out, text + (p - lower));
  return g_string_free (out, FALSE);
}

/* Rewrite the text columns @columns of the rows of @table where any names
 * @address (an integer primary key "id"): the address becomes @hash.  The
 * rows are read whole first, then changed. */
static gboolean
rewrite_rows (RfStore *store, const char *table, const char *const *columns,
              const char *address, const char *hash, guint64 *count_out, GError **error)
{
  g_autoptr (GString) select = g_string_new ("SELECT id");
  g_autoptr (GString) where = g_string_new (NULL);
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  guint n_columns = g_strv_length ((char **) columns);
  int rc;

  for (const char *const *c = columns; *c != NULL; c++)
    {
      g_string_append_printf (select, ", %s", *c);
      g_string_append_printf (where, "%sinstr(lower(%s), lower(?1)) > 0",
                              where->len > 0 ? " OR " : "", *c);
    }
  g_string_append_printf (select, " FROM %s WHERE %s", table, where->str);
  find = _rf_store_prepare (store, select->str, error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_text (find, 1, address, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (find, 0);

      g_array_append_val (ids, id);
      for (guint i = 0; i < n_columns; i++)
        {
          const char *value = (const char *) sqlite3_column_text (find, (int) i + 1);

          g_ptr_array_add (values, value != NULL ? g_strdup (value) : NULL);
        }
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the rows about the address");
      return FALSE;
    }
  for (guint r = 0; r < ids->len; r++)
    {
      for (guint i = 0; i < n_columns; i++)
        {
          const char *value = g_ptr_array_index (values, r * n_columns + i);
          g_autofree char *fixed = NULL;
          g_autofree char *sql = NULL;
          g_autoptr (sqlite3_stmt) update = NULL;

          if (value == NULL)
            continue;
          fixed = replace_nocase (value, address, hash);
          if (g_str_equal (fixed, value))
            continue;
          sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE id = ?", table, columns[i]);
          if ((update = _rf_store_prepare (store, sql, error)) == NULL)
            return FALSE;
          sqlite3_bind_text (update, 1, fixed, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (update, 2, g_array_index (ids, gint64, r));
          if (!_rf_store_step_done (store, update, error, "cannot erase the address"))
            return FALSE;
        }
      (*count_out)++;
    }
  return TRUE;
}

gboolean
rf_person_journal_erase (RfStore *store, const char *address, const char *hash,
                         guint64 *count_out, GError **error)
{
  static const char *const columns[] = { "subject", "value", "actor", NULL };

  return rewrite_rows (store, "journal", columns, address, hash, count_out, error);
}

/* ---- the activity log ---- */

JsonNode *
rf_person_activity_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT at, actor, action, target, origin, detail FROM activity "
                "WHERE instr(lower(target), lower(?1)) > 0 OR instr(lower(detail), lower(?1)) > 0 "
                "OR instr(lower(actor), lower(?1)) > 0 ORDER BY at, id",
                address, error);
}

gboolean
rf_person_activity_erase (RfStore *store, const char *address, const char *hash,
                          guint64 *count_out, GError **error)
{
  static const char *const columns[] = { "target", "detail", "actor", NULL };

  return rewrite_rows (store, "activity", columns, address, hash, count_out, error);
}

/* ---- deliveries: the recipient rows of each post's fan-out ---- */

JsonNode *
rf_person_deliveries_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT l.address AS list, d.created, r.address, r.state, r.tries, r.last_error "
                "FROM delivery_recipients r JOIN deliveries d ON d.id = r.delivery_id "
                "JOIN lists l ON l.id = d.list_id WHERE r.address = ?1 COLLATE NOCASE "
                "ORDER BY d.created",
                address, error);
}

gboolean
rf_person_deliveries_erase (RfStore *store, const char *address, const char *hash,
                            guint64 *count_out, GError **error)
{
  static const char *const sqls[] = {
    "DELETE FROM delivery_recipients WHERE address = ?1 COLLATE NOCASE",
    NULL,
  };

  return change (store, sqls, address, hash, count_out, error);
}

/* ---- the archive: the posts they sent ---- */

JsonNode *
rf_person_archive_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT l.address AS list, p.number, p.archived, p.message_id, p.date_header, "
                "p.from_name, p.from_addr, p.subject, p.body FROM archive_posts p "
                "JOIN lists l ON l.id = p.list_id WHERE p.from_addr = ?1 COLLATE NOCASE "
                "ORDER BY p.archived",
                address, error);
}

gboolean
rf_person_archive_erase (RfStore *store, const char *address, const char *hash,
                         guint64 *count_out, GError **error)
{
  /* the FTS5 index loses them through archive_posts' delete trigger, the
   * raw copies through the foreign key; a reply to one keeps its place in
   * the thread (parent_id names a post that is gone, as after expiry) */
  static const char *const sqls[] = {
    "DELETE FROM archive_posts WHERE from_addr = ?1 COLLATE NOCASE",
    NULL,
  };

  return change (store, sqls, address, hash, count_out, error);
}

/* ---- web accounts whose mail goes to the address ---- */

JsonNode *
rf_person_accounts_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT u.name, u.email, u.admin, u.created, "
                "(SELECT group_concat(r.role || ':' || l.address, ',') FROM user_roles r "
                "JOIN lists l ON l.id = r.list_id WHERE r.user_id = u.id) AS roles "
                "FROM users u WHERE u.email = ?1 COLLATE NOCASE ORDER BY u.name",
                address, error);
}

gboolean
rf_person_accounts_erase (RfStore *store, const char *address, const char *hash,
                          guint64 *count_out, GError **error)
{
  /* roles and sessions go with the account (ON DELETE CASCADE) */
  static const char *const sqls[] = {
    "DELETE FROM users WHERE email = ?1 COLLATE NOCASE",
    NULL,
  };

  return change (store, sqls, address, hash, count_out, error);
}

/* ---- inbox monitoring: a seed address's copies and bounces ---- */

JsonNode *
rf_person_monitor_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT 'copy' AS what, list_address AS list, at, state, detail "
                "FROM monitor_sends WHERE seed = ?1 COLLATE NOCASE "
                "UNION ALL SELECT 'bounce', list_address, at, class, diagnostic "
                "FROM monitor_bounces WHERE seed = ?1 COLLATE NOCASE",
                address, error);
}

gboolean
rf_person_monitor_erase (RfStore *store, const char *address, const char *hash,
                         guint64 *count_out, GError **error)
{
  static const char *const sqls[] = {
    "DELETE FROM monitor_sends WHERE seed = ?1 COLLATE NOCASE",
    "DELETE FROM monitor_bounces WHERE seed = ?1 COLLATE NOCASE",
    NULL,
  };

  return change (store, sqls, address, hash, count_out, error);
}

/* ---- the troubleshooting store's rows (their blobs: lib/keep/) ---- */

JsonNode *
rf_person_kept_about (RfStore *store, const char *address, GError **error)
{
  return about (store,
                "SELECT id, list_address AS list, role, received, sender, from_addr, subject, "
                "size, headers_only, outcome FROM kept_messages "
                "WHERE sender = ?1 COLLATE NOCASE OR from_addr = ?1 COLLATE NOCASE "
                "ORDER BY received",
                address, error);
}

/* ---- erasures ---- */

gboolean
rf_erasure_add (RfStore *store, const char *hash, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "INSERT OR IGNORE INTO erasures (hash, at) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rf_now ());
  return _rf_store_step_done (store, stmt, error, "cannot record the erasure");
}

gboolean
rf_erasure_exists (RfStore *store, const char *hash, gboolean *exists_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt =
      _rf_store_prepare (store, "SELECT 1 FROM erasures WHERE hash = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the erasures");
      return FALSE;
    }
  *exists_out = rc == SQLITE_ROW;
  return TRUE;
}

/* ---- after an erasure: no copy of the rows left in the file ---- */

gboolean
rf_store_secure_delete (RfStore *store, gboolean on, GError **error)
{
  return _rf_store_exec (store, on ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = OFF",
                         error);
}

gboolean
rf_store_scrub (RfStore *store, gboolean *complete_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  /* the FTS5 index drops deleted entries only when its segments merge;
   * VACUUM rewrites the file without free pages; the checkpoint moves
   * the WAL into it and truncates it, unless a reader still needs it */
  if (!_rf_store_exec (store,
                       "INSERT INTO archive_fts (archive_fts) VALUES ('optimize'); VACUUM;",
                       error))
    return FALSE;
  stmt = _rf_store_prepare (store, "PRAGMA wal_checkpoint(TRUNCATE)", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _rf_store_set_error (store, rc, error, "cannot checkpoint the database");
      return FALSE;
    }
  *complete_out = sqlite3_column_int (stmt, 0) == 0;
  return TRUE;
}

GPtrArray *
rf_store_find_text (RfStore *store, const char *needle, GError **error)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) list = NULL;
  int rc;

  /* every text column of every ordinary table (the FTS5 index is its
   * content, archive_posts, and binary segments) */
  list = _rf_store_prepare (store,
                            "SELECT name FROM sqlite_master WHERE type = 'table' "
                            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'archive_fts%' "
                            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
                            error);
  if (list == NULL)
    return NULL;
  while ((rc = sqlite3_step (list)) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (list, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read the schema");
      return NULL;
    }
  for (guint t = 0; t < tables->len; t++)
    {
      const char *table = g_ptr_array_index (tables, t);
      g_autofree char *info_sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);
      g_autoptr (sqlite3_stmt) info = _rf_store_prepare (store, info_sql, error);

      if (info == NULL)
        return NULL;
      while ((rc = sqlite3_step (info)) == SQLITE_ROW)
        {
          const char *column = (const char *) sqlite3_column_text (info, 1);
          const char *type = (const char *) sqlite3_column_text (info, 2);
          g_autofree char *sql = NULL;
          g_autoptr (sqlite3_stmt) count = NULL;
          gint64 n;

          if (type == NULL || g_ascii_strcasecmp (type, "TEXT") != 0)
            continue;
          sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE instr(lower(\"%s\"), "
                                 "lower(?)) > 0",
                                 table, column);
          if ((count = _rf_store_prepare (store, sql, error)) == NULL)
            return NULL;
          sqlite3_bind_text (count, 1, needle, -1, SQLITE_STATIC);
          if ((rc = sqlite3_step (count)) != SQLITE_ROW)
            {
              _rf_store_set_error (store, rc, error, "cannot search the database");
              return NULL;
            }
          n = sqlite3_column_int64 (count, 0);
          if (n > 0)
            g_ptr_array_add (found, g_strdup_printf ("%s.%s (%" G_GINT64_FORMAT " row%s)",
                                                     table, column, n, n == 1 ? "" : "s"));
        }
      if (rc != SQLITE_DONE)
        {
          _rf_store_set_error (store, rc, error, "cannot read the schema");
          return NULL;
        }
    }
  return g_steal_pointer (&found);
}
