/* roles.h - the module header of lib/roles/: every address of a list but
 * the post address answers (issue 10).  One file per role (request.c,
 * join.c, leave.c, confirm.c, owner.c); the role table (roles.c) is the
 * one place that names them, their syntax and who handles them.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "deliver/deliver.h"
#include "mime/mime.h"
#include "store/store.h"

/* One message to a role address, parsed. */
typedef struct {
  const RfConfig *config;
  const RfActor *actor;
  RfStore *store;
  const RfList *list;
  GHashTable *settings;          /* the list's settings in force */
  const RfRecipient *recipient;
  const char *envelope_sender;   /* NULL or "" for the null sender */
  GBytes *raw;                   /* as received */
  GMimeMessage *message;
  char *subject;                 /* decoded, "" when none */
  char *text;                    /* its text (text/plain parts, else the HTML's) */
  char *message_id;              /* safe to put in a header, or NULL */
  char *sender;                  /* who an answer goes to: the From address, else
                                  * the envelope sender; NULL when neither */
  RfDeliverReport *report;
} RfRoleMail;

typedef gboolean (*RfRoleFunc) (RfRoleMail *mail, GError **error);

typedef struct {
  RfRole role;
  const char *suffix;    /* after the list's local part and '-' */
  gboolean tagged;       /* followed by '+' and a tag (VERP, token) */
  gboolean answers;      /* mail to it may be answered: never when _rf_never_answer
                          * says so */
  RfRoleFunc handle;     /* NULL for the two that deliver.c handles itself: the
                          * post address and the bounces (VERP) */
  const char *help;      /* one line: what it does, for the help text */
} RfRoleDef;

/* The table, in the order that rf_recipient_parse tries the suffixes. */
const RfRoleDef *_rf_roles_table (gsize *n_out);
const RfRoleDef *_rf_role_def (RfRole role);

/* Handle one message to a role address of @list that has a handler in the
 * table (every role but post and bounces).  Mail that must never be
 * answered is logged and dropped (report->outcome RF_DROPPED).  Errors as
 * rf_deliver's. */
gboolean _rf_roles_handle (const RfConfig *config, const RfActor *actor, RfStore *store,
                           const RfList *list, const RfRecipient *recipient,
                           const char *envelope_sender, GBytes *raw, RfDeliverReport *report,
                           GError **error);

/* the handlers, one file each */
gboolean _rf_role_request (RfRoleMail *mail, GError **error);
gboolean _rf_role_join (RfRoleMail *mail, GError **error);
gboolean _rf_role_leave (RfRoleMail *mail, GError **error);
gboolean _rf_role_confirm (RfRoleMail *mail, GError **error);
gboolean _rf_role_owner (RfRoleMail *mail, GError **error);

/* The addresses LIST-owner forwards to: the account addresses of the
 * list's owners (and moderators, with @moderators_too: whom a moderation
 * notice goes to), then those of the setting owner_addresses, without
 * duplicates.  Returns: (transfer full) (element-type utf8). */
GPtrArray *_rf_list_owner_addresses (RfStore *store, const RfList *list, GHashTable *settings,
                                     gboolean moderators_too, GError **error);

/* ---- guard.c: mail that is never answered ---- */

/* Why @message (to an address of @list) must never be answered, or NULL:
 * the null sender, Auto-Submitted other than "no", Precedence bulk, junk
 * or list, or our own X-Loop or List-Id. */
const char *_rf_never_answer (GMimeMessage *message, const RfList *list,
                              const char *envelope_sender);
/* Whether @message is an automatic reply (Auto-Submitted: auto-replied,
 * X-Autoreply, X-Autorespond, Precedence: auto_reply): an out-of-office
 * message is never a post. */
gboolean _rf_is_auto_reply (GMimeMessage *message);
/* Whether @message says it was made by a program (Auto-Submitted other
 * than "no" and "auto-replied"). */
gboolean _rf_is_auto_generated (GMimeMessage *message);
/* Whether the null sender sent it: "" or "<>" (NULL: the MTA did not say). */
gboolean _rf_is_null_sender (const char *envelope_sender);

/* ---- command.c: commands in the Subject or the first lines ---- */

typedef enum {
  RF_COMMAND_NONE,          /* no command */
  RF_COMMAND_SUBSCRIBE,     /* subscribe, join */
  RF_COMMAND_UNSUBSCRIBE,   /* unsubscribe, leave, remove me, ... */
  RF_COMMAND_HELP,          /* help */
} RfCommand;

/* The first command in @subject (Re:, Fwd: and [tags] stripped) or in the
 * first lines of @text that are neither empty nor quoted, before a
 * signature ("-- ").  *argument_out (may be NULL): the address the
 * command names ("subscribe ann@example.org", "... address=ann@..."), or
 * NULL; (transfer full). */
RfCommand _rf_command_find (const char *subject, const char *text, char **argument_out);
/* Whether a post is administrivia: its text is short and its subject or
 * one of its first lines is a command. */
gboolean _rf_command_is_administrivia (const char *subject, const char *text);

/* ---- answer.c: every automatic answer goes through here ---- */

/* Send @subject and @body to @to as an answer (Auto-Submitted:
 * auto-replied, In-Reply-To @in_reply_to, Reply-To @reply_to; From
 * LIST-owner), unless @to is one of our own addresses or was sent
 * autoresponse_limit answers today: then it is logged and not sent.
 * *sent_out (may be NULL) says which.  Transport trouble is
 * RF_ERROR_TEMPORARY. */
gboolean _rf_answer (const RfConfig *config, const RfActor *actor, RfStore *store,
                     const RfList *list, GHashTable *settings, const char *to,
                     const char *in_reply_to, const char *reply_to, const char *subject,
                     const char *body, gboolean *sent_out, GError **error);
/* Whether @address is an address of one of our lists (any role). */
gboolean _rf_address_is_ours (RfStore *store, const char *address, gboolean *ours_out,
                              GError **error);

/* ---- subscription.c: double opt-in ---- */

/* Ask @address to confirm that it joins (RF_CONFIRM_SUBSCRIBE) or leaves
 * (RF_CONFIRM_UNSUBSCRIBE) @list: a token good for confirm_days, and a
 * message to @address alone with LIST-confirm+<token> as Reply-To and a
 * link to listweb's page.  The same whether or not @address is a member:
 * membership is not even looked at. */
gboolean _rf_subscription_ask (const RfConfig *config, const RfActor *actor, RfStore *store,
                               const RfList *list, GHashTable *settings,
                               RfConfirmAction action, const char *address,
                               const char *in_reply_to, GError **error);

/* ---- texts.c: what the answers say ---- */

/* Each returns (transfer full); @settings are the list's. */
char *_rf_text_confirm (const RfConfig *config, const RfList *list, GHashTable *settings,
                        RfConfirmAction action, const char *address, const char *token);
char *_rf_text_welcome (const RfList *list, GHashTable *settings, const char *address);
char *_rf_text_goodbye (const RfList *list, GHashTable *settings, const char *address);
char *_rf_text_help (const RfList *list, GHashTable *settings);
char *_rf_text_expired (const RfList *list, GHashTable *settings);
char *_rf_text_unknown_token (const RfList *list);
/* issue 17: a bounce notice's token past its removal date. */
char *_rf_text_reenable_expired (const RfList *list);
