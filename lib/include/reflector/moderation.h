/* moderation.h - held posts: what listctl held and moderate and the
 * moderator panel of listweb see and do (listdeliver holds them).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/deliver.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* One post held for the moderators.  The post itself is a sealed blob; the
 * row keeps what a moderator decides by. */
typedef struct {
  gint64 id;
  char *list_address;
  char *msg_key;         /* the incoming message's spool key: its delivery's key */
  char *sender;          /* the envelope sender, "" for the null sender */
  char *from;            /* the From field, decoded, one line, or "" */
  char *subject;         /* decoded, one line, or "" */
  char *reasons;         /* why it is held, one reason a line */
  gint64 size;           /* bytes as received */
  char *blob_id;
  gint64 held;
  gint64 expires;
  char *state;           /* "held", or "approved" while its fan-out is under way */
} RfHeldPost;
void rf_held_post_free (RfHeldPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfHeldPost, rf_held_post_free)

/* The held posts of @list not expired at @now, oldest first.
 * Returns: (transfer full) (element-type RfHeldPost). */
GPtrArray *rf_held_list (RfStore *store, const RfList *list, gint64 now, GError **error);

typedef enum {
  RF_MODERATE_APPROVE,   /* goes through the normal fan-out, once */
  RF_MODERATE_REJECT,    /* deleted; the poster is answered (autoresponse_limit) */
  RF_MODERATE_DISCARD,   /* deleted, nobody is told */
} RfModerateAction;
/* "approve", "reject", "discard" (any case); FALSE for anything else. */
gboolean rf_moderate_action_parse (const char *name, RfModerateAction *action_out);
const char *rf_moderate_action_name (RfModerateAction action);

/* Decide about the held post @id of @list.  Approving sends it to every
 * member here and now (report->sent counts the copies); when the transport
 * fails half-way the error is RF_ERROR_TEMPORARY and approving again
 * resumes, sending no member a second copy.  Rejecting answers the poster
 * (@reason, may be NULL, is put in the answer); discarding tells nobody.
 * Then the post, its blob and its tokens are gone.  RF_ERROR_NOT_FOUND when
 * there is no such held post (decided already, or expired); RF_ERROR_INVALID
 * for rejecting or discarding a post whose approval is under way.  @report
 * may be NULL. */
gboolean rf_moderate (const RfConfig *config, const RfActor *actor, RfStore *store,
                      const RfList *list, gint64 id, RfModerateAction action,
                      const char *reason, RfDeliverReport *report, GError **error);

G_END_DECLS
