/* fuzz-post.c - libFuzzer target: the path of a post, parse -> screen ->
 * policies -> render -> re-parse (issue 12).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The entry point is rf_deliver_preview (lib/deliver/deliver.h), the path
 * rf_deliver takes up to the fan-out.  A state directory of the target's
 * own (under $TMPDIR) holds five lists whose settings cover the policies:
 * subject prefix and footer, attachments kept or turned into links (with
 * an unguessable token or the site key), signed posts held, DMARC From
 * rewriting always or never, List-* headers off, open and members-only
 * posting, disappearing ink (the post sealed, a notice sent instead).
 * The input's length picks the list and the envelope sender, so that a
 * seed is the message as it is, byte for byte.
 *
 * Beyond the sanitizers, every copy is held to what the list promises:
 *   - it parses again (a list never sends what it could not read);
 *   - fed back to the same list it is recognised as the list's own post
 *     (List-Id or X-Loop) and dropped, so no copy can loop.
 * Each input runs in a transaction that is rolled back, and the blobs the
 * attachments policy stored are removed, so that the store stays as set up.
 */
#include "deliver/deliver.h"
#include "mime/mime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-util.h"

static const RfActor actor = { "fuzz", "cli" };

typedef struct {
  const char *address;
  const char *const *settings;   /* name, value, ..., NULL */
  gboolean link;                 /* attachments = link: blobs to remove */
} ListDef;

static const char *const open_settings[] = {
  "posting", "open", "subject_prefix", "[open]", "footer", "-- \\nopen list\\nbye",
  "dmarc_mitigation", "never", "administrivia", "off", NULL
};
static const char *const members_settings[] = {
  "subject_prefix", "[m\xc3\xbc]", "footer", "unsubscribe: see the List-Unsubscribe field",
  "attachments", "link", "dmarc_mitigation", "always", "description", "D\xc3\xa9v list", NULL
};
static const char *const plain_settings[] = { "list_headers", "off", NULL };
static const char *const link_settings[] = {
  "posting", "open", "attachments", "link", "attachment_unguessable", "off",
  "attachment_signed", "hold", "dmarc_mitigation", "always", "subject_prefix", "[link] \xe2\x80\x94",
  "administrivia", "off", NULL
};

static const char *const ink_settings[] = {
  "posting", "open", "disappearing_ink", "1d", "attachments", "link", "footer", "-- \\nink",
  "administrivia", "off", NULL
};

static const ListDef list_defs[] = {
  { "open@lists.test", open_settings, FALSE },
  { "members@lists.test", members_settings, TRUE },
  { "plain@lists.test", plain_settings, FALSE },
  { "link@lists.test", link_settings, TRUE },
  { "ink@lists.test", ink_settings, TRUE },
};

static char *state_dir;
static char *blob_dir;
static RfConfig *config;
static RfStore *store;
static RfList *lists[G_N_ELEMENTS (list_defs)];
/* what the inputs came to: copies, loops, and errors by RfErrorCode */
static guint64 n_copies, n_loops, n_held, n_dropped, n_errors[32];

/* With $RF_FUZZ_STATS set, the counts at exit; with $RF_FUZZ_MIN_COPIES,
 * fewer copies than that fail the run (the replay test: a target that
 * refused every seed would test nothing past the screen). */
static void
print_stats (void)
{
  const char *min = g_getenv ("RF_FUZZ_MIN_COPIES");

  if (min != NULL && n_copies < g_ascii_strtoull (min, NULL, 10))
    {
      fprintf (stderr, "fuzz-post: %" G_GUINT64_FORMAT " copies, fewer than the %s expected\n",
               n_copies, min);
      _exit (1);
    }
  if (g_getenv ("RF_FUZZ_STATS") == NULL)
    return;
  fprintf (stderr,
           "fuzz-post: copies %" G_GUINT64_FORMAT ", loops %" G_GUINT64_FORMAT
           ", held %" G_GUINT64_FORMAT ", dropped %" G_GUINT64_FORMAT,
           n_copies, n_loops, n_held, n_dropped);
  for (gsize i = 0; i < G_N_ELEMENTS (n_errors); i++)
    if (n_errors[i] > 0)
      fprintf (stderr, ", error %zu: %" G_GUINT64_FORMAT, i, n_errors[i]);
  fputc ('\n', stderr);
}

static void
cleanup (void)
{
  print_stats ();
  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    g_clear_pointer (&lists[i], rf_list_free);
  g_clear_pointer (&store, rf_store_close);
  g_clear_pointer (&config, rf_config_free);
  if (state_dir != NULL)
    rf_fuzz_remove_tree (state_dir);
  g_clear_pointer (&state_dir, g_free);
  g_clear_pointer (&blob_dir, g_free);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;

  state_dir = g_dir_make_tmp ("rf-fuzz-post-XXXXXX", &error);
  RF_FUZZ_CHECK (state_dir != NULL, "no state directory: %s", error->message);
  atexit (cleanup);
  blob_dir = g_build_filename (state_dir, "blobs", NULL);
  conf = g_build_filename (state_dir, "reflector.conf", NULL);
  text = g_strdup_printf ("[paths]\nstate_dir = %s\n"
                          "[web]\nbase_url = https://lists.test/\n"
                          "[dmarc]\nresolver = none\n",
                          state_dir);
  RF_FUZZ_CHECK (g_file_set_contents (conf, text, -1, NULL), "cannot write %s", conf);
  config = rf_config_load (conf, &error);
  RF_FUZZ_CHECK (config != NULL, "config: %s", error->message);
  store = rf_store_open_with_keys (config, RF_STORE_READ_WRITE | RF_STORE_CREATE, &error);
  RF_FUZZ_CHECK (store != NULL, "store: %s", error->message);
  for (gsize i = 0; i < G_N_ELEMENTS (list_defs); i++)
    {
      const ListDef *def = &list_defs[i];

      RF_FUZZ_CHECK (rf_list_create (store, def->address, &actor, &error), "list: %s",
                     error->message);
      lists[i] = rf_list_lookup (store, def->address, &error);
      RF_FUZZ_CHECK (lists[i] != NULL, "list: %s", error->message);
      for (const char *const *s = def->settings; *s != NULL; s += 2)
        RF_FUZZ_CHECK (rf_list_set_setting (store, lists[i], s[0], s[1], &actor, &error),
                       "setting %s: %s", s[0], error->message);
      RF_FUZZ_CHECK (rf_member_add (store, lists[i], "alice@example.org", &actor, &error),
                     "member: %s", error->message);
      RF_FUZZ_CHECK (rf_member_add (store, lists[i], "Bob@Example.NET", &actor, &error),
                     "member: %s", error->message);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const senders[] = { "alice@example.org", NULL };
  g_autoptr (GBytes) raw = g_bytes_new (data, size);
  g_autoptr (GBytes) copy = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) back_error = NULL;
  gsize which = size % G_N_ELEMENTS (lists);
  const char *sender = senders[(size / G_N_ELEMENTS (lists)) % G_N_ELEMENTS (senders)];
  RfDeliverOutcome outcome = RF_DELIVERED, back_outcome = RF_DELIVERED;

  RF_FUZZ_CHECK (rf_store_begin (store, &error), "begin: %s", error->message);
  copy = rf_deliver_preview (config, &actor, store, lists[which], sender, raw, &outcome, &error);
  if (copy != NULL)
    {
      /* the copy again, as if a member's server sent it back to the list */
      again = rf_deliver_preview (config, &actor, store, lists[which], sender, copy, &back_outcome,
                                  &back_error);
      RF_FUZZ_CHECK (again == NULL && back_outcome == RF_LOOP_DROPPED && back_error == NULL,
                     "%s: the copy is not recognised as the list's own (%s)",
                     list_defs[which].address,
                     back_error != NULL ? back_error->message : "it went through again");
    }
  else
    RF_FUZZ_CHECK (outcome != RF_DELIVERED || error != NULL,
                   "no copy, no outcome and no error");
  if (copy != NULL)
    n_copies++;
  else if (outcome == RF_LOOP_DROPPED)
    n_loops++;
  else if (outcome == RF_HELD)
    n_held++;
  else if (error == NULL)
    n_dropped++;
  else if (error->domain == RF_ERROR && error->code >= 0 &&
           error->code < (int) G_N_ELEMENTS (n_errors))
    n_errors[error->code]++;
  if (error != NULL && g_getenv ("RF_FUZZ_STATS") != NULL && g_getenv ("RF_FUZZ_VERBOSE"))
    fprintf (stderr, "fuzz-post: %zu bytes to %s: %s\n", size, list_defs[which].address,
             error->message);
  rf_store_rollback (store);
  if (list_defs[which].link)
    rf_fuzz_remove_tree (blob_dir);
  return 0;
}
