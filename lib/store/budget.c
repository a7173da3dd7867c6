/* budget.c - a time budget for what the store is asked, enforced inside
 * SQLite (issue 11: one search request occupied a worker for minutes, and
 * went on after its client had gone).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sqlite3_progress_handler calls back every PROGRESS_STEPS steps of the
 * virtual machine, a few microseconds apart; a non-zero answer interrupts
 * the statement (SQLITE_INTERRUPT, which _rf_store_set_error turns into
 * RF_ERROR_CANCELLED).  The clock is read at every call; the caller's
 * question (a system call on the client's socket) at most every
 * CANCEL_CHECK_US.
 */
#include "store-private.h"

#define PROGRESS_STEPS 1000
#define CANCEL_CHECK_US (20 * 1000)

static int
on_progress (void *data)
{
  RfStore *store = data;
  static gsize slow_once = 0;
  static gint64 slow_us = 0;

  /* tests only: REFLECTOR_TEST_SLOW_QUERIES (microseconds) makes every
   * PROGRESS_STEPS steps this long, so that a small archive's search is a
   * slow one */
  if (g_once_init_enter (&slow_once))
    {
      const char *env = g_getenv ("REFLECTOR_TEST_SLOW_QUERIES");

      slow_us = env != NULL ? MAX (0, g_ascii_strtoll (env, NULL, 10)) : 0;
      g_once_init_leave (&slow_once, 1);
    }
  if (slow_us > 0)
    g_usleep ((gulong) slow_us);
  return _rf_store_budget_spent (store) ? 1 : 0;
}

gboolean
_rf_store_budget_spent (RfStore *store)
{
  gint64 now;

  if (store->budget_spent)
    return TRUE;
  if (store->deadline == 0 && store->cancelled == NULL)
    return FALSE;
  now = g_get_monotonic_time ();
  if (store->deadline != 0 && now >= store->deadline)
    store->budget_spent = TRUE;
  else if (store->cancelled != NULL && now >= store->next_cancel_check)
    {
      store->next_cancel_check = now + CANCEL_CHECK_US;
      if (store->cancelled (store->cancelled_data))
        store->budget_spent = TRUE;
    }
  return store->budget_spent;
}

void
rf_store_set_budget (RfStore *store, gint64 deadline, RfStoreCancelFunc cancelled,
                     gpointer user_data)
{
  store->deadline = deadline;
  store->cancelled = cancelled;
  store->cancelled_data = user_data;
  store->next_cancel_check = 0;
  store->budget_spent = FALSE;
  if (deadline == 0 && cancelled == NULL)
    sqlite3_progress_handler (store->db, 0, NULL, NULL);
  else
    sqlite3_progress_handler (store->db, PROGRESS_STEPS, on_progress, store);
}
