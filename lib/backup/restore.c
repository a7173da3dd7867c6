/* restore.c - a list brought back as it was: as of a moment, by replaying
 * its journal, or as a snapshot holds it (issue 15).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both make a plan first (what is added, removed, changed), which listctl
 * prints; applying it goes through the store's own functions in one
 * transaction, so that the journal records the restore like any other
 * change and another restore undoes it.  Members are one mailbox whatever
 * the ASCII case of their letters (rf_member_find, SQLite's NOCASE): the
 * replay keys them by the lower-cased address and keeps the case they were
 * subscribed with.  An address erased since (listctl person erase) is left
 * out: the journal holds its keyed hash instead, and a snapshot's copy of
 * it is found in the erasures.
 */
#include "backup/backup.h"
#include "person/person.h"
#include "store/store.h"

#include <string.h>

void
rf_restore_plan_free (RfRestorePlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->list_address);
  g_ptr_array_unref (plan->add);
  g_ptr_array_unref (plan->remove);
  g_ptr_array_unref (plan->settings);
  g_free (plan->source);
  g_free (plan);
}

static void
setting_change_free (RfSettingChange *c)
{
  g_free (c->name);
  g_free (c->from);
  g_free (c->to);
  g_free (c);
}

gboolean
rf_restore_plan_empty (const RfRestorePlan *plan)
{
  if (plan->exists_now != plan->exists_then)
    return FALSE;
  return plan->add->len == 0 && plan->remove->len == 0 && plan->settings->len == 0;
}

gboolean
rf_restore_parse_time (const char *text, gint64 *time_out, GError **error)
{
  g_autoptr (GString) iso = g_string_new (text);
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  const char *t;
  gsize time_len;

  /* "2026-11-20 14:00" -> "2026-11-20T14:00:00": UTC unless it says */
  g_strstrip (iso->str);
  g_string_set_size (iso, strlen (iso->str));
  if (iso->len == 10)
    g_string_append (iso, "T00:00:00");
  if (iso->len > 10 && iso->str[10] == ' ')
    iso->str[10] = 'T';
  t = strchr (iso->str, 'T');
  if (t != NULL)
    {
      time_len = strcspn (t + 1, "Zz+-");
      /* hh:mm without seconds */
      if (time_len == 5)
        g_string_insert (iso, (t + 1 - iso->str) + 5, ":00");
    }
  dt = t != NULL ? g_date_time_new_from_iso8601 (iso->str, utc) : NULL;
  if (dt == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "'%s' is not a moment in UTC: write 2026-11-20 14:00, 2026-11-20 14:00:05 "
                   "or 2026-11-20T14:00:05Z",
                   text);
      return FALSE;
    }
  *time_out = g_date_time_to_unix (dt);
  return TRUE;
}

/* ---- a list's state: as the journal replays it, or as a store holds it ---- */

typedef struct {
  gboolean exists;
  GHashTable *members;    /* lower-cased address -> address as subscribed */
  GHashTable *settings;   /* name -> value in force, every setting of the table */
} ListState;

static void
list_state_clear (ListState *s)
{
  g_clear_pointer (&s->members, g_hash_table_unref);
  g_clear_pointer (&s->settings, g_hash_table_unref);
}

static char *
member_key (const char *address)
{
  return g_ascii_strdown (address, -1);
}

static void
reset_settings (ListState *s)
{
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  g_hash_table_remove_all (s->settings);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert (s->settings, g_strdup (defs[i].name), g_strdup (defs[i].default_value));
}

static void
list_state_init (ListState *s)
{
  s->exists = FALSE;
  s->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  reset_settings (s);
}

/* Replay @events (oldest first) up to and including @at. */
static void
replay (ListState *s, GPtrArray *events, gint64 at)
{
  for (guint i = 0; i < events->len; i++)
    {
      const RfJournalEvent *e = g_ptr_array_index (events, i);

      if (e->at > at)
        break;
      if (g_str_equal (e->event, "create"))
        {
          s->exists = TRUE;
          g_hash_table_remove_all (s->members);
          reset_settings (s);
        }
      else if (g_str_equal (e->event, "delete"))
        {
          s->exists = FALSE;
          g_hash_table_remove_all (s->members);
          reset_settings (s);
        }
      else if (g_str_equal (e->event, "subscribe") && e->subject != NULL)
        {
          char *key = member_key (e->subject);

          /* one mailbox, one membership: the first case stays */
          if (!g_hash_table_contains (s->members, key))
            g_hash_table_insert (s->members, key, g_strdup (e->subject));
          else
            g_free (key);
        }
      else if (g_str_equal (e->event, "unsubscribe") && e->subject != NULL)
        {
          g_autofree char *key = member_key (e->subject);

          g_hash_table_remove (s->members, key);
        }
      else if (g_str_equal (e->event, "set") && e->subject != NULL && e->value != NULL &&
               rf_setting_lookup (e->subject) != NULL)
        g_hash_table_insert (s->settings, g_strdup (e->subject), g_strdup (e->value));
      /* restore, disable-bounce, enable, bounce-notice ...: no change of
       * membership or settings */
    }
}

/* @list_address as @store holds it now. */
static gboolean
load_state (RfStore *store, const char *list_address, ListState *s, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (RfList) list = rf_list_lookup (store, list_address, &local);
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GHashTable) settings = NULL;
  GHashTableIter it;
  gpointer k, v;

  list_state_init (s);
  if (list == NULL)
    {
      if (g_error_matches (local, RF_ERROR, RF_ERROR_NO_SUCH_LIST))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  s->exists = TRUE;
  if ((members = rf_member_list (store, list, error)) == NULL ||
      (settings = rf_list_settings (store, list, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < members->len; i++)
    {
      const char *m = g_ptr_array_index (members, i);

      g_hash_table_insert (s->members, member_key (m), g_strdup (m));
    }
  g_hash_table_iter_init (&it, settings);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (s->settings, g_strdup (k), g_strdup (v));
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The plan that makes @now into @then.  @snapshot_erasures: check each
 * member of @then against the erasures of @store (a snapshot holds erased
 * addresses in clear; the journal holds them hashed already). */
static RfRestorePlan *
make_plan (RfStore *store, const char *list_address, const ListState *now,
           const ListState *then, gboolean check_erasures, char *source, GError **error)
{
  g_autoptr (RfRestorePlan) plan = g_new0 (RfRestorePlan, 1);
  GHashTableIter it;
  gpointer k, v;
  gsize n;
  const RfSettingDef *defs = rf_settings_table (&n);

  plan->list_address = g_strdup (list_address);
  plan->source = source;
  plan->exists_now = now->exists;
  plan->exists_then = then->exists;
  plan->add = g_ptr_array_new_with_free_func (g_free);
  plan->remove = g_ptr_array_new_with_free_func (g_free);
  plan->settings = g_ptr_array_new_with_free_func ((GDestroyNotify) setting_change_free);

  /* the members then who are not members now (or are, in another case) */
  g_hash_table_iter_init (&it, then->members);
  while (then->exists && g_hash_table_iter_next (&it, &k, &v))
    {
      const char *stored = g_hash_table_lookup (now->members, k);

      if (g_str_has_prefix (v, RF_PERSON_ERASED_PREFIX))
        {
          plan->erased++;
          continue;
        }
      if (check_erasures)
        {
          gboolean erased = FALSE;

          if (!_rf_person_is_erased (store, v, &erased, error))
            return NULL;
          if (erased)
            {
              plan->erased++;
              continue;
            }
        }
      if (stored == NULL || !g_str_equal (stored, v))
        g_ptr_array_add (plan->add, g_strdup (v));
    }
  /* the members now who were not then (or were, in another case) */
  g_hash_table_iter_init (&it, now->members);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const char *was = then->exists ? g_hash_table_lookup (then->members, k) : NULL;

      if (was == NULL || !g_str_equal (was, v))
        g_ptr_array_add (plan->remove, g_strdup (v));
    }
  if (then->exists)
    for (gsize i = 0; i < n; i++)
      {
        const char *from = now->exists ? g_hash_table_lookup (now->settings, defs[i].name) : NULL;
        const char *to = g_hash_table_lookup (then->settings, defs[i].name);

        if (to == NULL)
          continue;
        if (from == NULL)
          from = defs[i].default_value;
        if (!g_str_equal (from, to))
          {
            RfSettingChange *c = g_new0 (RfSettingChange, 1);

            c->name = g_strdup (defs[i].name);
            c->from = g_strdup (from);
            c->to = g_strdup (to);
            g_ptr_array_add (plan->settings, c);
          }
      }
  g_ptr_array_sort (plan->add, compare_strings);
  g_ptr_array_sort (plan->remove, compare_strings);
  return g_steal_pointer (&plan);
}

RfRestorePlan *
rf_restore_plan_at (RfStore *store, const char *list_address, gint64 at, GError **error)
{
  g_autofree char *key = g_utf8_strdown (list_address, -1);
  g_autoptr (GPtrArray) events = rf_journal_events (store, key, error);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (at);
  ListState now = { 0 }, then = { 0 };
  RfRestorePlan *plan = NULL;

  if (events == NULL)
    return NULL;
  if (events->len == 0)
    {
      g_set_error (error, RF_ERROR, RF_ERROR_NO_SUCH_LIST, "no list '%s' ever: no journal",
                   list_address);
      return NULL;
    }
  list_state_init (&then);
  replay (&then, events, at);
  if (load_state (store, key, &now, error))
    plan = make_plan (store, key, &now, &then, FALSE,
                      g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ"), error);
  list_state_clear (&now);
  list_state_clear (&then);
  return plan;
}

GPtrArray *
rf_restore_plan_from (RfStore *store, RfStore *snapshot, const char *name,
                      const char *list_address, GError **error)
{
  g_autoptr (GPtrArray) plans =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rf_restore_plan_free);
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);

  if (list_address != NULL)
    g_ptr_array_add (addresses, g_utf8_strdown (list_address, -1));
  else
    {
      g_autoptr (GPtrArray) lists = rf_list_all (snapshot, error);

      if (lists == NULL)
        return NULL;
      for (guint i = 0; i < lists->len; i++)
        g_ptr_array_add (addresses,
                         g_strdup (((RfList *) g_ptr_array_index (lists, i))->address));
    }
  for (guint i = 0; i < addresses->len; i++)
    {
      const char *address = g_ptr_array_index (addresses, i);
      ListState now = { 0 }, then = { 0 };
      RfRestorePlan *plan = NULL;

      if (load_state (store, address, &now, error) && load_state (snapshot, address, &then, error))
        plan = make_plan (store, address, &now, &then, TRUE, g_strdup_printf ("snapshot %s", name),
                          error);
      list_state_clear (&now);
      list_state_clear (&then);
      if (plan == NULL)
        return NULL;
      g_ptr_array_add (plans, plan);
    }
  return g_steal_pointer (&plans);
}

/* A stored value as rf_list_set_setting takes it: the journal and the
 * store keep the normalised form, in which a newline is typed as
 * backslash-n and a backslash as two.  Returns: (transfer full). */
static char *
typed_form (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    if (*p == '\n')
      g_string_append (out, "\\n");
    else if (*p == '\\')
      g_string_append (out, "\\\\");
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

gboolean
rf_restore_apply (RfStore *store, const RfRestorePlan *plan, const RfActor *actor,
                  GError **error)
{
  g_autoptr (RfList) list = NULL;
  gboolean own = FALSE;

  if (rf_restore_plan_empty (plan))
    return TRUE;
  if (!rf_store_join (store, &own, error))
    return FALSE;
  if (!plan->exists_then)
    {
      if (!rf_list_delete (store, plan->list_address, actor, error))
        goto fail;
    }
  else
    {
      if (!plan->exists_now && !rf_list_create (store, plan->list_address, actor, error))
        goto fail;
      if ((list = rf_list_lookup (store, plan->list_address, error)) == NULL)
        goto fail;
      /* removals first: a member whose case differs goes, then comes back
       * as then */
      if ((plan->remove->len > 0 &&
           !rf_member_remove_many (store, list, plan->remove, actor, NULL, NULL, NULL, NULL,
                                   error)) ||
          (plan->add->len > 0 &&
           !rf_member_add_many (store, list, plan->add, actor, NULL, NULL, NULL, NULL, error)))
        goto fail;
      for (guint i = 0; i < plan->settings->len; i++)
        {
          const RfSettingChange *c = g_ptr_array_index (plan->settings, i);
          g_autofree char *typed = typed_form (c->to);

          if (!rf_list_set_setting (store, list, c->name, typed, actor, error))
            goto fail;
        }
    }
  if (!rf_journal_append (store, plan->list_address, actor, "restore", NULL, plan->source,
                          error))
    goto fail;
  {
    g_autofree char *detail =
        g_strdup_printf ("as of %s: %u added, %u removed, %u settings%s", plan->source,
                         plan->add->len, plan->remove->len, plan->settings->len,
                         !plan->exists_then ? ", list deleted"
                         : !plan->exists_now ? ", list created"
                                             : "");

    rf_activity_log (store, actor, "restore", plan->list_address, detail);
  }
  return rf_store_end (store, own, TRUE, error);

fail:
  return rf_store_end (store, own, FALSE, error);
}
