/* redelivery.h - Bounce Redelivery as listweb shows it: a member's page of
 * the posts that bounced for them (setting bounce_redelivery).
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *list_address;
  char *message_id;      /* without <>, or NULL */
  char *subject;         /* decoded, one line, "" when none */
  char *blob_id;         /* sealed with rf_site_blob_key() */
  gint64 stored;
  gint64 expires;
} RfRedeliveryPost;
void rf_redelivery_post_free (RfRedeliveryPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRedeliveryPost, rf_redelivery_post_free)

/* Whose page @token opens.  RF_ERROR_NOT_FOUND (not repeating the token)
 * for an unknown one; an expired one is found, with its *expires_out. */
gboolean rf_redelivery_token_lookup (RfStore *store, const char *token, char **list_out,
                                     char **member_out, gint64 *expires_out, GError **error);
/* The unexpired kept posts that bounced for @member, oldest first.
 * Returns: (transfer full) (element-type RfRedeliveryPost). */
GPtrArray *rf_redelivery_member_posts (RfStore *store, const char *list_address,
                                       const char *member, gint64 now, GError **error);

/* One kept post as the page shows it: from the sealed copy. */
typedef struct {
  char *from;            /* "Name <addr>" or "addr" or "" */
  char *date;            /* as written, or "" */
  char *subject;         /* decoded, or "" */
  char *text;            /* text/plain parts, else the HTML as text */
} RfRedeliveryCopy;
void rf_redelivery_copy_free (RfRedeliveryCopy *copy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfRedeliveryCopy, rf_redelivery_copy_free)
/* Read and unseal the kept copy of @post.  RF_ERROR_NOT_FOUND when its blob
 * is gone.  Returns: (transfer full). */
RfRedeliveryCopy *rf_redelivery_copy_read (const RfConfig *config,
                                           const RfRedeliveryPost *post, GError **error);

G_END_DECLS
