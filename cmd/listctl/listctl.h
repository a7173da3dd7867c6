/* listctl.h - what the files of listctl share.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/reflector.h>

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sysexits.h>

#include <reflector/banned.h>

/* What a command needs of the store; main opens it once, as this says, the
 * first time the command asks (after its arguments are checked, so that
 * "listctl create --help" or a usage error never creates a database). */
typedef enum {
  LISTCTL_NO_STORE,       /* help */
  LISTCTL_STORE_READ,     /* read-only */
  LISTCTL_STORE_WRITE,    /* read-write; the database must exist */
  LISTCTL_STORE_CREATE,   /* read-write; creates the state dir and database */
  LISTCTL_STORE_UPGRADE,  /* read-write; applies pending migrations (upgrade only) */
} ListctlStoreNeed;

typedef struct _ListctlContext ListctlContext;
typedef gboolean (*ListctlFunc) (int argc, char **argv, ListctlContext *ctx, GError **error);

typedef struct {
  const char *name;
  ListctlFunc func;
  ListctlStoreNeed need;
  const char *params;     /* for the usage line, e.g. "LIST NAME VALUE" */
  const char *summary;    /* one line, for 'listctl help' */
} ListctlCommand;

struct _ListctlContext {
  const ListctlCommand *command;
  char *config_path;      /* --config, or NULL */
  RfConfig *config;
  RfStore *store;
  RfActor actor;          /* "listctl:<user>" from "cli", for the journal and the log */
  gboolean json;          /* --json of the read commands */
};

extern const ListctlCommand listctl_commands[];
extern const gsize listctl_n_commands;

const ListctlCommand *listctl_find_command (const char *name);

/* Parse the options of ctx->command (--config and --help always, --json when
 * @json, plus @entries) and check that between @min_args and @max_args
 * (-1: any) arguments remain.  A usage error is G_OPTION_ERROR (exit 64). */
gboolean listctl_parse (ListctlContext *ctx, int *argc, char ***argv, const GOptionEntry *entries,
                        gboolean json, int min_args, int max_args, GError **error);
/* The store, opened as ctx->command says on first use. */
RfStore *listctl_store (ListctlContext *ctx, GError **error);
/* The list named on the command line, with a hint when it does not exist. */
RfList *listctl_list (ListctlContext *ctx, const char *address, GError **error);
/* Append ": @hint" to (*error)->message: the "what to do" of a message. */
void listctl_hint (GError **error, const char *hint);
/* One member of the JSON object being built: "@name": @value. */
void listctl_json_string (JsonBuilder *b, const char *name, const char *value);
void listctl_json_int (JsonBuilder *b, const char *name, gint64 value);
void listctl_json_bool (JsonBuilder *b, const char *name, gboolean value);
/* Print @node as one line of JSON on stdout. */
void listctl_print_json (JsonNode *node);
/* A value as the user types it for 'set' (newline as \n, backslash as \\). */
char *listctl_escape_value (const char *value);
/* UTC ISO 8601, "2026-11-25T10:00:00Z". */
char *listctl_format_time (gint64 t);
/* --since: "2026-11-01", "2026-11-01T10:00:00Z", or an age: "7d", "12h",
 * "30m" (log.c).  Seconds since the epoch in *since_out. */
gboolean listctl_parse_since (const char *text, gint64 *since_out, GError **error);
/* Ask "@question [y/N]" on the terminal: TRUE only for y or yes; without
 * a terminal, a usage error that says to give --yes (person.c). */
gboolean listctl_confirm (const char *question, const char *refusal, GError **error);

gboolean listctl_create (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_delete (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_lists (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_show (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_set (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_get (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_members (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_subscribe (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_unsubscribe (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_user (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_web_access (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_cleanup (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_help (int argc, char **argv, ListctlContext *ctx, GError **error);
/* bounces.c (issue 5) */
gboolean listctl_bounces (int argc, char **argv, ListctlContext *ctx, GError **error);
/* report.c */
gboolean listctl_report (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_reenable (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_sweep (int argc, char **argv, ListctlContext *ctx, GError **error);
/* init.c, check.c, log.c (issue 13: install, upgrades, day 2) */
gboolean listctl_init (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_upgrade (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_check (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_log (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_journal (int argc, char **argv, ListctlContext *ctx, GError **error);
/* backup.c, message.c, monitor.c, person.c (issue 15: keep less, lose nothing) */
gboolean listctl_backup (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_backups (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_restore (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_message (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_monitor (int argc, char **argv, ListctlContext *ctx, GError **error);
gboolean listctl_person (int argc, char **argv, ListctlContext *ctx, GError **error);

/* 'listctl help' without a command: the command table. */
void listctl_print_usage (FILE *out);
