/* delivery.c - progress of one message's fan-out, so that a retry resumes.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MTA runs listdeliver again with the same bytes after an exit 75, or
 * after a kill.  The first run snapshots the members into
 * delivery_recipients; every later run sends only to the rows still
 * pending.  In WAL mode with synchronous=NORMAL a commit survives the
 * death of the process, which is what the kill test asks.  A run's
 * outcomes are committed in groups (issue 14: _rf_delivery_run_*, below,
 * and delivery-run.h for the window of copies that may go out twice).
 */
#include "store-private.h"

#include <string.h>

gboolean
rf_delivery_open (RfStore *store, const RfList *list, const char *msg_key, gint64 *id_out,
                  gboolean *created_out, gboolean *done_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autoptr (sqlite3_stmt) snapshot = NULL;
  gint64 id;
  int rc;

  if (!rf_store_begin (store, error))
    return FALSE;
  find = _rf_store_prepare (store, "SELECT id, state FROM deliveries WHERE msg_key = ?", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_text (find, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gboolean done = g_strcmp0 ((const char *) sqlite3_column_text (find, 1), "done") == 0;

      id = sqlite3_column_int64 (find, 0);
      rf_store_rollback (store);
      *id_out = id;
      *created_out = FALSE;
      *done_out = done;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read delivery progress");
      goto fail;
    }

  insert = _rf_store_prepare (store,
                              "INSERT INTO deliveries (list_id, msg_key, state, created) "
                              "VALUES (?, ?, 'sending', ?)",
                              error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_int64 (insert, 1, list->id);
  sqlite3_bind_text (insert, 2, msg_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 3, rf_now ());
  if (!_rf_store_step_done (store, insert, error, "cannot record a delivery"))
    goto fail;
  id = sqlite3_last_insert_rowid (store->db);

  /* the members as of now: who subscribes during a long fan-out gets the
   * next post, who leaves still gets this one (it was sent to them);
   * members disabled by bounces get nothing until re-enabled */
  snapshot = _rf_store_prepare (store,
                                "INSERT INTO delivery_recipients (delivery_id, address) "
                                "SELECT ?, m.address FROM members m WHERE m.list_id = ?2 "
                                "AND m.address NOT IN (SELECT b.address FROM member_bounces b "
                                "WHERE b.list_id = ?2 AND b.state = 1)",
                                error);
  if (snapshot == NULL)
    goto fail;
  sqlite3_bind_int64 (snapshot, 1, id);
  sqlite3_bind_int64 (snapshot, 2, list->id);
  if (!_rf_store_step_done (store, snapshot, error, "cannot record the recipients"))
    goto fail;
  if (!rf_store_commit (store, error))
    goto fail;
  *id_out = id;
  *created_out = TRUE;
  *done_out = FALSE;
  return TRUE;

fail:
  rf_store_rollback (store);
  return FALSE;
}

gboolean
rf_delivery_is_done (RfStore *store, const char *msg_key, gboolean *done_out, GError **error)
{
  g_autoptr (sqlite3_stmt) find =
      _rf_store_prepare (store, "SELECT 1 FROM deliveries WHERE msg_key = ? AND state = 'done'",
                         error);
  int rc;

  if (find == NULL)
    return FALSE;
  sqlite3_bind_text (find, 1, msg_key, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read delivery progress");
      return FALSE;
    }
  *done_out = rc == SQLITE_ROW;
  return TRUE;
}

GPtrArray *
rf_delivery_pending (RfStore *store, gint64 delivery_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = _rf_store_prepare (store,
                            "SELECT address FROM delivery_recipients "
                            "WHERE delivery_id = ? AND state IN (0, 3) ORDER BY address",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (store, rc, error, "cannot read pending recipients");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
rf_delivery_record (RfStore *store, gint64 delivery_id, const char *address,
                    RfRecipientState state, const char *detail, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = _rf_store_prepare (store,
                            "UPDATE delivery_recipients SET state = ?, tries = tries + 1, "
                            "last_error = ? WHERE delivery_id = ? AND address = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, (int) state);
  sqlite3_bind_text (stmt, 2, detail, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, delivery_id);
  sqlite3_bind_text (stmt, 4, address, -1, SQLITE_STATIC);
  return _rf_store_step_done (store, stmt, error, "cannot record a recipient's outcome");
}

gboolean
rf_delivery_counts (RfStore *store, gint64 delivery_id, guint64 *pending_out,
                    guint64 *sent_out, guint64 *failed_out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint64 n[3] = { 0, 0, 0 };
  int rc;

  /* a row left in flight (3) by a run that stopped is pending; sums, not
   * a GROUP BY: no sort of a big list's rows (issue 14) */
  stmt = _rf_store_prepare (store,
                            "SELECT coalesce(sum(state IN (0, 3)), 0), coalesce(sum(state = 1), 0), "
                            "coalesce(sum(state = 2), 0) "
                            "FROM delivery_recipients WHERE delivery_id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < 3; i++)
      n[i] = (guint64) sqlite3_column_int64 (stmt, i);
  else
    {
      _rf_store_set_error (store, rc, error, "cannot count recipients");
      return FALSE;
    }
  *pending_out = n[RF_RCPT_PENDING];
  *sent_out = n[RF_RCPT_SENT];
  *failed_out = n[RF_RCPT_FAILED];
  return TRUE;
}

gboolean
_rf_delivery_pending_upto (RfStore *store, gint64 delivery_id, guint64 cap,
                           guint64 *pending_out, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _rf_store_cached (store,
                           "SELECT count(*) FROM (SELECT 1 FROM delivery_recipients "
                           "WHERE delivery_id = ? AND state IN (0, 3) LIMIT ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) MIN (cap, (guint64) G_MAXINT64));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *pending_out = (guint64) sqlite3_column_int64 (stmt, 0);
  else
    _rf_store_set_error (store, rc, error, "cannot count recipients");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* Whether foreign keys are enforced on @store's connection. */
static gboolean
foreign_keys_on (RfStore *store)
{
  sqlite3_stmt *stmt = _rf_store_cached (store, "PRAGMA foreign_keys", NULL);
  gboolean on = TRUE;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    on = sqlite3_column_int (stmt, 0) != 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return on;
}

static gboolean
finish (RfStore *store, gint64 delivery_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) forget = NULL;

  if (!rf_store_begin (store, error))
    return FALSE;
  stmt = _rf_store_prepare (store,
                            "UPDATE deliveries SET state = 'done', finished = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, rf_now ());
  sqlite3_bind_int64 (stmt, 2, delivery_id);
  if (!_rf_store_step_done (store, stmt, error, "cannot finish a delivery"))
    goto fail;
  /* keep less: who received which post is nobody's business once it is
   * done; the permanent failures stay for the bounce handling */
  forget = _rf_store_prepare (store,
                              "DELETE FROM delivery_recipients "
                              "WHERE delivery_id = ? AND state = 1",
                              error);
  if (forget == NULL)
    goto fail;
  sqlite3_bind_int64 (forget, 1, delivery_id);
  if (!_rf_store_step_done (store, forget, error, "cannot finish a delivery"))
    goto fail;
  return rf_store_commit (store, error);

fail:
  rf_store_rollback (store);
  return FALSE;
}

/* issue 14: with foreign keys enforced SQLite deletes rows of a table
 * that has one in two passes, four times the work of one (a big list's
 * rows are most of a fan-out's last write).  Removing rows of the child
 * table breaks no foreign key, and delivery_recipients is nobody's
 * parent: the forgetting runs with them off, and they are put back as
 * they were (the pragma does nothing inside a transaction: around it). */
gboolean
rf_delivery_finish (RfStore *store, gint64 delivery_id, GError **error)
{
  gboolean fk = foreign_keys_on (store);
  gboolean ok;

  if (fk && !_rf_store_exec (store, "PRAGMA foreign_keys = OFF;", error))
    return FALSE;
  ok = finish (store, delivery_id, error);
  if (fk && !_rf_store_exec (store, "PRAGMA foreign_keys = ON;", ok ? error : NULL))
    ok = FALSE;
  return ok;
}

/* ---- issue 14: a run of the fan-out, progress in group commits ---- */

/* A row whose copy may be on its way: marked before the copy is handed to
 * the transport, replaced by the outcome when it is committed.  Not in
 * RfRecipientState: nobody outside this file sees it (counts read it as
 * pending). */
#define STATE_IN_FLIGHT 3
/* no subscription time: the member left since the snapshot */
#define NO_SINCE G_MININT64

typedef struct {
  char *address;
  RfRecipientState state;
  char *detail;
} Outcome;

/* issue 14: a member handed to the transport, until its outcome is
 * written.  The members are handed out in the order of their addresses
 * (the batches' ORDER BY), so the array of them is sorted too, and the
 * rows in flight between two neighbours in it are none: a run of
 * neighbours reported sent is one ranged UPDATE, not one per member. */
enum { HANDED_OUT, HANDED_SENT, HANDED_WRITTEN };

typedef struct {
  char *address;
  int status;
} Handed;

struct _RfDeliveryRun {
  RfStore *store;
  gint64 list_id;
  char *list_address;
  gint64 delivery_id;
  gboolean with_tokens;
  guint8 key[RF_KEY_BYTES];
  RfHasher *token_prefix;    /* the key and the list, hashed once */
  RfHasher *token_work;
  guint every;
  gint64 interval_us;
  GPtrArray *batch;          /* addresses marked in flight, in order */
  GArray *since;             /* their subscription times (gint64, NO_SINCE
                              * for none), same order: each token is made
                              * when its member is handed out, not in the
                              * batch's transaction (issue 14) */
  char *token;               /* the token last handed out */
  guint handed;              /* how many of the batch went out */
  char *cursor;              /* the last address of the last batch */
  gboolean exhausted;
  GArray *outcomes;          /* of Outcome, not committed yet */
  GArray *handed_out;        /* of Handed, in the order handed out */
  guint uncommitted;         /* outcomes reported since the last commit */
  gint64 first_outcome_us;   /* when the oldest of them came */
  gboolean broken;           /* a group commit failed: nothing more */
  gboolean resumed;          /* rows a dead run left in flight are pending again */
};

static void
outcome_clear (gpointer p)
{
  Outcome *o = p;

  g_free (o->address);
  g_free (o->detail);
}

static void
handed_clear (gpointer p)
{
  g_free (((Handed *) p)->address);
}

/* The member handed out as @address, or NULL. */
static Handed *
handed_find (RfDeliveryRun *run, const char *address)
{
  guint lo = 0, hi = run->handed_out->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Handed *h = &g_array_index (run->handed_out, Handed, mid);
      int cmp = strcmp (h->address, address);

      if (cmp == 0)
        return h;
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

void
_rf_delivery_run_free (RfDeliveryRun *run)
{
  if (run == NULL)
    return;
  rf_wipe (run->key, sizeof run->key);
  rf_hasher_free (run->token_prefix);
  rf_hasher_free (run->token_work);
  g_free (run->list_address);
  g_ptr_array_unref (run->batch);
  g_array_unref (run->since);
  g_free (run->token);
  g_free (run->cursor);
  g_array_unref (run->outcomes);
  g_array_unref (run->handed_out);
  g_free (run);
}

RfDeliveryRun *
_rf_delivery_run_start (RfStore *store, const RfList *list, gint64 delivery_id,
                       gboolean with_tokens, guint every, guint interval_ms, GError **error)
{
  g_autoptr (RfDeliveryRun) run = g_new0 (RfDeliveryRun, 1);

  run->store = store;
  run->list_id = list->id;
  run->list_address = g_strdup (list->address);
  run->delivery_id = delivery_id;
  run->with_tokens = with_tokens;
  run->every = MAX (every, 1u);
  run->interval_us = (gint64) interval_ms * 1000;
  run->batch = g_ptr_array_new_with_free_func (g_free);
  run->since = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->cursor = g_strdup ("");
  run->outcomes = g_array_new (FALSE, FALSE, sizeof (Outcome));
  g_array_set_clear_func (run->outcomes, outcome_clear);
  run->handed_out = g_array_new (FALSE, FALSE, sizeof (Handed));
  g_array_set_clear_func (run->handed_out, handed_clear);
  /* the key before any transaction: it may create the key file */
  if (with_tokens && !_rf_unsub_key (store, run->key, error))
    return NULL;
  if (with_tokens)
    {
      run->token_prefix = _rf_unsub_hasher (run->key, run->list_address);
      run->token_work = rf_hasher_clone (run->token_prefix);
    }
  return g_steal_pointer (&run);
}

/* Inside the first batch's transaction: a run that died left its last
 * copies in flight; they may or may not have gone out, and go out (again)
 * now.  Committed before anything is handed out: when the disk is full
 * this fails and nothing is sent at all. */
static gboolean
resume (RfDeliveryRun *run, GError **error)
{
  sqlite3_stmt *reset;
  gboolean ok;

  if (run->resumed)
    return TRUE;
  reset = _rf_store_cached (run->store,
                            "UPDATE delivery_recipients SET state = 0 "
                            "WHERE delivery_id = ? AND state = 3",
                            error);
  if (reset == NULL)
    return FALSE;
  sqlite3_bind_int64 (reset, 1, run->delivery_id);
  ok = _rf_store_step_done (run->store, reset, error, "cannot resume a delivery");
  sqlite3_reset (reset);
  return ok;
}

/* Inside the caller's transaction: the members from @first to @last of
 * handed_out, all reported sent, into their rows in one statement.  The
 * rows in flight from the one to the other are theirs alone; if the
 * statement finds others, something else wrote them: the transaction is
 * rolled back rather than count a member sent who was not. */
static gboolean
write_sent_range (RfDeliveryRun *run, guint first, guint last, GError **error)
{
  sqlite3_stmt *stmt;
  Handed *a = &g_array_index (run->handed_out, Handed, first);
  Handed *b = &g_array_index (run->handed_out, Handed, last);

  stmt = _rf_store_cached (run->store,
                           "UPDATE delivery_recipients SET state = 1, last_error = NULL "
                           "WHERE delivery_id = ? AND state = 3 AND address >= ? AND address <= ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run->delivery_id);
  sqlite3_bind_text (stmt, 2, a->address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, b->address, -1, SQLITE_STATIC);
  if (!_rf_store_step_done (run->store, stmt, error, "cannot record a recipient's outcome"))
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  if ((guint) sqlite3_changes (run->store->db) != last - first + 1)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "the copies in flight from %s to %s are %d, not %u: the delivery progress "
                   "changed under this run",
                   a->address, b->address, sqlite3_changes (run->store->db), last - first + 1);
      return FALSE;
    }
  return TRUE;
}

/* Inside the caller's transaction: the outcomes waiting, into their rows. */
static gboolean
write_outcomes (RfDeliveryRun *run, GError **error)
{
  sqlite3_stmt *stmt;
  guint start = G_MAXUINT;

  /* the sent ones first, as runs of neighbours */
  for (guint i = 0; i <= run->handed_out->len; i++)
    {
      gboolean sent = i < run->handed_out->len &&
                      g_array_index (run->handed_out, Handed, i).status == HANDED_SENT;

      if (sent && start == G_MAXUINT)
        start = i;
      else if (!sent && start != G_MAXUINT)
        {
          if (!write_sent_range (run, start, i - 1, error))
            return FALSE;
          start = G_MAXUINT;
        }
    }
  if (run->outcomes->len == 0)
    return TRUE;
  stmt = _rf_store_cached (run->store,
                           "UPDATE delivery_recipients SET state = ?, last_error = ? "
                           "WHERE delivery_id = ? AND address = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, run->delivery_id);
  for (guint i = 0; i < run->outcomes->len; i++)
    {
      Outcome *o = &g_array_index (run->outcomes, Outcome, i);

      sqlite3_bind_int (stmt, 1, (int) o->state);
      sqlite3_bind_text (stmt, 2, o->detail, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, o->address, -1, SQLITE_STATIC);
      if (!_rf_store_step_done (run->store, stmt, error, "cannot record a recipient's outcome"))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
    }
  return TRUE;
}

/* The subscription times of the batch's members, for their tokens, in
 * run->since (NO_SINCE for a member who left since the snapshot: there is
 * nothing left to unsubscribe, the post goes out without a link).  Both sides in the order of their
 * addresses, merged here: one pass over the members from the batch's
 * first address to its last, not a lookup per member (issue 14); the
 * batches' ranges do not overlap, so a whole fan-out reads each member
 * once at most. */
static gboolean
batch_tokens (RfDeliveryRun *run, GError **error)
{
  sqlite3_stmt *since;
  guint i = 0;
  int rc = SQLITE_DONE;

  g_array_set_size (run->since, run->batch->len);
  for (guint k = 0; k < run->batch->len; k++)
    g_array_index (run->since, gint64, k) = NO_SINCE;
  if (!run->with_tokens || run->batch->len == 0)
    return TRUE;
  since = _rf_store_cached (run->store,
                            "SELECT address, since FROM members "
                            "WHERE list_id = ?1 AND address >= ?2 AND address <= ?3 "
                            "ORDER BY address",
                            error);
  if (since == NULL)
    return FALSE;
  sqlite3_bind_int64 (since, 1, run->list_id);
  sqlite3_bind_text (since, 2, g_ptr_array_index (run->batch, 0), -1, SQLITE_STATIC);
  sqlite3_bind_text (since, 3, g_ptr_array_index (run->batch, run->batch->len - 1), -1,
                     SQLITE_STATIC);
  while (i < run->batch->len && (rc = sqlite3_step (since)) == SQLITE_ROW)
    {
      const char *member = (const char *) sqlite3_column_text (since, 0);
      int cmp = -1;

      /* (SQLite's BINARY order is strcmp's for text without NUL) */
      while (i < run->batch->len &&
             (cmp = strcmp (g_ptr_array_index (run->batch, i), member)) < 0)
        i++;
      if (i < run->batch->len && cmp == 0)
        {
          g_array_index (run->since, gint64, i) = sqlite3_column_int64 (since, 1);
          i++;
        }
    }
  if (i < run->batch->len && rc != SQLITE_DONE)
    {
      sqlite3_reset (since);
      _rf_store_set_error (run->store, rc, error, "cannot read the members' tokens");
      return FALSE;
    }
  sqlite3_reset (since);
  return TRUE;
}

/* The next @every pending members after the cursor, marked in flight. */
static gboolean
mark_batch (RfDeliveryRun *run, GError **error)
{
  sqlite3_stmt *find, *mark;
  int rc;

  g_ptr_array_set_size (run->batch, 0);
  g_array_set_size (run->since, 0);
  run->handed = 0;
  find = _rf_store_cached (run->store,
                           "SELECT address FROM delivery_recipients "
                           "WHERE delivery_id = ?1 AND state = 0 AND address > ?2 "
                           "ORDER BY address LIMIT ?3",
                           error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_int64 (find, 1, run->delivery_id);
  sqlite3_bind_text (find, 2, run->cursor, -1, SQLITE_STATIC);
  sqlite3_bind_int (find, 3, (int) run->every);
  while ((rc = sqlite3_step (find)) == SQLITE_ROW)
    g_ptr_array_add (run->batch, g_strdup ((const char *) sqlite3_column_text (find, 0)));
  sqlite3_reset (find);
  if (rc != SQLITE_DONE)
    {
      _rf_store_set_error (run->store, rc, error, "cannot read pending recipients");
      return FALSE;
    }
  if (!batch_tokens (run, error))
    return FALSE;
  if (run->batch->len == 0)
    {
      run->exhausted = TRUE;
      return TRUE;
    }
  mark = _rf_store_cached (run->store,
                           "UPDATE delivery_recipients SET state = 3, tries = tries + 1 "
                           "WHERE delivery_id = ? AND state = 0 AND address > ? AND address <= ?",
                           error);
  if (mark == NULL)
    return FALSE;
  sqlite3_bind_int64 (mark, 1, run->delivery_id);
  sqlite3_bind_text (mark, 2, run->cursor, -1, SQLITE_STATIC);
  sqlite3_bind_text (mark, 3, g_ptr_array_index (run->batch, run->batch->len - 1), -1,
                     SQLITE_STATIC);
  if (!_rf_store_step_done (run->store, mark, error, "cannot mark copies in flight"))
    {
      sqlite3_reset (mark);
      return FALSE;
    }
  sqlite3_reset (mark);
  g_free (run->cursor);
  run->cursor = g_strdup (g_ptr_array_index (run->batch, run->batch->len - 1));
  return TRUE;
}

/* issue 12: the line of a run that a full disk stopped says so, and which
 * disk (the MTA puts it in its log and, after days, in the bounce).
 * Before the rollback: it reads the failed statement's code.  FALSE when
 * the disk is not full. */
static gboolean
explain_full (RfDeliveryRun *run, GError **error)
{
  if (error == NULL || *error == NULL ||
      (sqlite3_extended_errcode (run->store->db) & 0xff) != SQLITE_FULL)
    return FALSE;
  g_free ((*error)->message);
  (*error)->message = g_strdup_printf (
      "the disk of the state directory %s is full (SQLite: %s): the progress of the "
      "delivery cannot be written, so nothing more is sent; the MTA will retry",
      run->store->state_dir, sqlite3_errstr (SQLITE_FULL));
  return TRUE;
}

/* After the commit of the outcomes: only the members still out stay. */
static void
forget_written (RfDeliveryRun *run)
{
  guint kept = 0;

  g_array_set_size (run->outcomes, 0);
  run->uncommitted = 0;
  for (guint i = 0; i < run->handed_out->len; i++)
    {
      Handed *h = &g_array_index (run->handed_out, Handed, i);

      if (h->status == HANDED_OUT)
        g_array_index (run->handed_out, Handed, kept++) = *h;
      else
        g_free (h->address);
    }
  /* (the entries past kept were moved or freed: no clear func on them) */
  run->handed_out->len = kept;
}

/* One transaction: the outcomes so far, and (@mark) the next batch. */
static gboolean
group_commit (RfDeliveryRun *run, gboolean mark, GError **error)
{
  if (run->broken)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_TEMPORARY,
                   "the delivery progress could not be written; nothing more is sent");
      return FALSE;
    }
  if (!rf_store_begin (run->store, error))
    goto fail;
  if (!write_outcomes (run, error))
    goto fail;
  if (mark && (!resume (run, error) || !mark_batch (run, error)))
    goto fail;
  if (!rf_store_commit (run->store, error))
    goto fail;
  forget_written (run);
  if (mark)
    run->resumed = TRUE;
  return TRUE;

fail:
  if (!explain_full (run, error))
    g_prefix_error (error, "delivery progress: ");
  rf_store_rollback (run->store);
  run->broken = TRUE;
  return FALSE;
}

/* group_commit with the next batch marked */
static gboolean
commit_and_mark (RfDeliveryRun *run, GError **error)
{
  if (group_commit (run, TRUE, error))
    return TRUE;
  /* rolled back: the batch read inside is not marked, so not ours */
  g_ptr_array_set_size (run->batch, 0);
  g_array_set_size (run->since, 0);
  run->handed = 0;
  return FALSE;
}

const char *
_rf_delivery_run_next (RfDeliveryRun *run, const char **token_out, GError **error)
{
  *token_out = NULL;
  if (run->handed >= run->batch->len)
    {
      if (run->exhausted || !commit_and_mark (run, error) || run->exhausted)
        return NULL;
    }
  g_clear_pointer (&run->token, g_free);
  if (g_array_index (run->since, gint64, run->handed) != NO_SINCE)
    run->token = _rf_unsub_token_from (run->token_work, run->token_prefix,
                                       g_ptr_array_index (run->batch, run->handed),
                                       g_array_index (run->since, gint64, run->handed));
  *token_out = run->token;
  {
    /* the batch's string moves to handed_out, which keeps it until its
     * outcome is written */
    Handed h = { g_ptr_array_index (run->batch, run->handed), HANDED_OUT };

    run->batch->pdata[run->handed++] = NULL;
    g_array_append_val (run->handed_out, h);
    return h.address;
  }
}

gboolean
_rf_delivery_run_record (RfDeliveryRun *run, const char *address, RfRecipientState state,
                        const char *detail, GError **error)
{
  Handed *h = handed_find (run, address);
  gint64 now = g_get_monotonic_time ();

  if (run->uncommitted == 0)
    run->first_outcome_us = now;
  run->uncommitted++;
  if (h != NULL && h->status == HANDED_OUT && state == RF_RCPT_SENT && detail == NULL)
    h->status = HANDED_SENT;   /* written with its neighbours */
  else
    {
      Outcome o = { g_strdup (address), state, g_strdup (detail) };

      if (h != NULL && h->status == HANDED_OUT)
        h->status = HANDED_WRITTEN;
      g_array_append_val (run->outcomes, o);
    }
  if (run->uncommitted < run->every && now - run->first_outcome_us < run->interval_us)
    return TRUE;
  /* issue 14: outcomes trail the copies handed out by a few per
   * connection, so in a fast fan-out the count is reached just after the
   * batch was all handed out, and the next copy's mark came a moment
   * later as a second commit: when the batch is all out, this commit
   * marks the next one too (what is marked and never handed out is
   * unmarked at the end) */
  if (run->handed >= run->batch->len && !run->exhausted)
    return commit_and_mark (run, error);
  return group_commit (run, FALSE, error);
}

gboolean
_rf_delivery_run_end (RfDeliveryRun *run, GError **error)
{
  sqlite3_stmt *unmark;

  if (run->broken)
    return group_commit (run, FALSE, error);   /* sets the error */
  if (run->uncommitted == 0 && run->handed >= run->batch->len)
    return TRUE;   /* nothing to write */
  if (!rf_store_begin (run->store, error))
    return FALSE;
  if (!write_outcomes (run, error))
    goto fail;
  /* what was marked and never handed over did not leave */
  if (run->handed < run->batch->len)
    {
      unmark = _rf_store_cached (run->store,
                                 "UPDATE delivery_recipients SET state = 0, tries = tries - 1 "
                                 "WHERE delivery_id = ? AND state = 3 "
                                 "AND address >= ? AND address <= ?",
                                 error);
      if (unmark == NULL)
        goto fail;
      sqlite3_bind_int64 (unmark, 1, run->delivery_id);
      sqlite3_bind_text (unmark, 2, g_ptr_array_index (run->batch, run->handed), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (unmark, 3, run->cursor, -1, SQLITE_STATIC);
      if (!_rf_store_step_done (run->store, unmark, error, "cannot finish a delivery run"))
        {
          sqlite3_reset (unmark);
          goto fail;
        }
      sqlite3_reset (unmark);
    }
  if (!rf_store_commit (run->store, error))
    goto fail;
  forget_written (run);
  return TRUE;

fail:
  rf_store_rollback (run->store);
  run->broken = TRUE;
  return FALSE;
}
