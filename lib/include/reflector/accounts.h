/* accounts.h - listweb's people: web accounts (site admins, list owners,
 * moderators), a list's web user, sessions and login throttling.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/config.h>
#include <reflector/store.h>

G_BEGIN_DECLS

/* ---- accounts ---- */

/* Passwords: 8 to 1024 bytes of UTF-8 without control characters,
 * hashed with crypto_pwhash_str (Argon2id, OPSLIMIT/MEMLIMIT_INTERACTIVE).
 * No function here logs a password; callers wipe theirs with
 * sodium_memzero when done. */
#define RF_PASSWORD_MIN 8
#define RF_PASSWORD_MAX 1024
/* RF_ERROR_INVALID (saying why, without quoting it) unless acceptable. */
gboolean rf_password_check (const char *password, GError **error);

typedef struct {
  char *list_address;
  char *role;          /* "owner" | "moderator" */
} RfUserRole;

typedef struct {
  gint64 id;
  char *name;          /* 1..64 of [A-Za-z0-9._@-], starting with a letter or digit */
  char *email;         /* normalised; where reports are mailed */
  gboolean admin;      /* site administrator */
  gint64 created;
  GPtrArray *roles;    /* (element-type RfUserRole), sorted by list then role */
} RfUser;
void rf_user_free (RfUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfUser, rf_user_free)

/* Create an account.  @email must be one address (normalised here);
 * RF_ERROR_EXISTS for a taken name, RF_ERROR_INVALID for a bad name, email
 * or password.  Logged ("user-add"), the password never. */
gboolean rf_user_add (RfStore *store, const char *name, const char *email, gboolean admin,
                      const char *password, const RfActor *actor, GError **error);
/* Give @name a role on @list ("owner" or "moderator"; RF_ERROR_INVALID
 * otherwise).  Granting a role held already is not an error. */
gboolean rf_user_grant (RfStore *store, const char *name, const RfList *list,
                        const char *role, const RfActor *actor, GError **error);
gboolean rf_user_revoke (RfStore *store, const char *name, const RfList *list,
                         const char *role, const RfActor *actor, GError **error);
/* Change the password and drop every session of the account. */
gboolean rf_user_set_password (RfStore *store, const char *name, const char *password,
                               const RfActor *actor, GError **error);
/* Remove the account, its roles and sessions.  RF_ERROR_NOT_FOUND if absent. */
gboolean rf_user_delete (RfStore *store, const char *name, const RfActor *actor,
                         GError **error);
/* RF_ERROR_NOT_FOUND if absent.  Returns: (transfer full). */
RfUser *rf_user_lookup (RfStore *store, const char *name, GError **error);
/* Returns: (transfer full) (element-type RfUser) sorted by name. */
GPtrArray *rf_user_all (RfStore *store, GError **error);
/* Whether @user may act on @list as @role: site admins may, and owners may
 * do what moderators may. */
gboolean rf_user_has_role (const RfUser *user, const char *list_address, const char *role);

/* ---- a list's web user (archive_access = password) ---- */

/* Set the user name and password of @list's subscribers' web access,
 * dropping the sessions opened with the old one. */
gboolean rf_list_web_access_set (RfStore *store, const RfList *list, const char *name,
                                 const char *password, const RfActor *actor, GError **error);
/* Remove it (RF_ERROR_NOT_FOUND when there is none). */
gboolean rf_list_web_access_clear (RfStore *store, const RfList *list, const RfActor *actor,
                                   GError **error);
/* The user name, or NULL in *name_out when the list has no web access.
 * *name_out: (transfer full). */
gboolean rf_list_web_access_get (RfStore *store, const RfList *list, char **name_out,
                                 GError **error);

typedef enum {
  RF_LOGIN_OK,
  RF_LOGIN_BAD_PASSWORD,     /* unknown name or wrong password: say the same to both */
  RF_LOGIN_ACCOUNT_LOCKED,   /* too many failures for this account: wait (tell the
                              * reader what RF_LOGIN_BAD_PASSWORD tells, or the
                              * answer shows which names are accounts) */
  RF_LOGIN_IP_BLOCKED,       /* too many failures from this address: wait */
} RfLoginResult;

typedef struct {
  gint64 id;
  char *user_name;       /* the account, or NULL for a list's web user */
  char *list_address;    /* the list of a web-user session, else NULL */
  gint64 created;
  gint64 last_seen;
  char *csrf_token;      /* derived from the cookie (nothing more stored):
                          * put it in every form, check it with
                          * rf_session_csrf_check */
} RfSession;
void rf_session_free (RfSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfSession, rf_session_free)

/* Log in to an account from @ip.  A blocked IP or locked account is
 * refused before the password is looked at.  On RF_LOGIN_OK,
 * *cookie_out is the new session's cookie value (43 URL-safe characters,
 * 256 bits; only its hash is stored): (transfer full), free with g_free
 * after wiping.  Every outcome is in the activity log (action "login",
 * "login-failed", "login-refused", "lockout", "ip-blocked"), never the
 * password tried.  *result_out is set whenever TRUE is returned. */
gboolean rf_login_user (RfStore *store, const RfSecurityPolicy *policy, const char *name,
                        const char *password, const char *ip, RfLoginResult *result_out,
                        char **cookie_out, GError **error);
/* The same for a list's web user. */
gboolean rf_login_list (RfStore *store, const RfSecurityPolicy *policy, const RfList *list,
                        const char *name, const char *password, const char *ip,
                        RfLoginResult *result_out, char **cookie_out, GError **error);
/* The session of @cookie, touched (its idle time starts again), or NULL in
 * *session_out when unknown or expired (an expired one is deleted).
 * *session_out: (transfer full). */
gboolean rf_session_lookup (RfStore *store, const RfSecurityPolicy *policy,
                            const char *cookie, RfSession **session_out, GError **error);
/* Constant-time comparison of a form's token with the session's. */
gboolean rf_session_csrf_check (const RfSession *session, const char *token);
/* Log out: forget the session of @cookie (unknown is fine). */
gboolean rf_session_drop (RfStore *store, const char *cookie, GError **error);
/* Delete expired sessions, old failure records and ended blocks (cleanup). */

G_END_DECLS
