/* config.h - reflector.conf, the site-wide settings (a GLib key file),
 * and the login and session limits read from it.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <reflector/error.h>

G_BEGIN_DECLS

/* The most copies in the transport's hands at once ([delivery] parallel):
 * sendmail processes, or SMTP connections.  The configuration refuses
 * more; the transports never start more. */
#define RF_CONFIG_PARALLEL_MAX 256

typedef struct {
  char *state_dir;          /* [paths] state_dir, default /var/lib/reflector */
  char *key_dir;            /* [paths] key_dir, or NULL: see rf_config_key_dir () */
  char *transport;          /* [delivery] transport: "sendmail" or "smtp" */
  char *sendmail;           /* [delivery] sendmail, default /usr/sbin/sendmail */
  char **sendmail_args;     /* [delivery] sendmail_args: extra argv before -oi
                             * (e.g. "-C;/path/exim.conf"), NULL-terminated */
  int parallel;             /* [delivery] parallel, default 8, 1 to
                             * RF_CONFIG_PARALLEL_MAX */
  char **relays;            /* [delivery] relays (smtp): host:port list,
                             * default 127.0.0.1:25 */
  char *listen;             /* [web] listen, default 127.0.0.1:8025 */
  char *base_url;           /* [web] base_url, default http://127.0.0.1:8025 */
  char *web_templates;      /* [web] templates: listweb's templates directory, or
                             * NULL for the installed DATADIR/reflector/templates */
  char *tls_certificate;    /* [web] tls_certificate: PEM file, with tls_key: HTTPS */
  char *tls_key;            /* [web] tls_key */
  char **trusted_proxies;   /* [web] trusted_proxies: peers whose X-Forwarded-For
                             * names the client (a reverse proxy), default none */
  int connections_per_ip;   /* [web] connections_per_ip, default 64; 0: no limit */
  int request_timeout;      /* [web] request_timeout (s), default 60 */
  int search_budget_ms;     /* [web] search_budget_ms: the most time one archive
                             * search may take (rf_store_set_budget), default 2000 */
  int message_days;         /* [retention] message_days, default 30 */
  int activity_days;        /* [retention] activity_days, default 42 */
  int redelivery_days;      /* [retention] redelivery_days, default 14 */
  int login_attempts;       /* [security] login_attempts, default 5 (per account) */
  int ip_login_attempts;    /* [security] ip_login_attempts, default 20 */
  int login_window_minutes; /* [security] login_window_minutes, default 15 */
  int lockout_minutes;      /* [security] lockout_minutes, default 15 */
  int session_idle_minutes; /* [security] session_idle_minutes, default 30 */
  int session_max_hours;    /* [security] session_max_hours, default 12 */
  char *path;               /* the file read, or NULL when defaults only */
  /* [blobs]: the blob store of attachments (issue 3) */
  char *blob_store;         /* [blobs] store: "local" (default) or "s3" */
  char *blob_dir;           /* [blobs] dir, default STATE_DIR/blobs (local) */
  char *blob_key_file;      /* [blobs] key_file, or NULL: KEY_DIR/blob.key */
  char *s3_endpoint;        /* [blobs] endpoint, e.g. https://s3.eu-west-1.amazonaws.com */
  char *s3_bucket;          /* [blobs] bucket */
  char *s3_region;          /* [blobs] region, default us-east-1 */
  char *s3_addressing;      /* [blobs] addressing: "path" (default) or "virtual" */
  char *s3_credentials_file;/* [blobs] credentials_file (mode 0600 or 0400) */
  /* [dmarc]: DMARC mitigation (lib/dmarc/, lib/policy/dmarc.c) */
  char *dmarc_resolver;     /* [dmarc] resolver: IP[:port] of the DNS server to
                             * ask, NULL (default): those of /etc/resolv.conf */
  int dmarc_timeout_ms;     /* [dmarc] timeout_ms: the whole lookup, default 2000 */
  char **dmarc_exempt_domains; /* [dmarc] exempt_domains: From domains (and their
                             * subdomains) never rewritten nor looked up; NULL or
                             * empty: none */
  /* [backup]: listctl backup and its rotation (issue 15) */
  char *backup_dir;         /* [backup] dir, default STATE_DIR/backups */
  int backup_daily_days;    /* [backup] daily_days: a daily snapshot is kept this
                             * many days, default 7 */
  int backup_weekly_weeks;  /* [backup] weekly_weeks: a weekly one this many
                             * weeks, default 0: for ever */
  /* [monitor]: inbox monitoring (issue 15) */
  char **monitor_addresses; /* [monitor] addresses: the seed mailboxes that get a
                             * copy of every post of the lists whose
                             * monitor_inboxes is on; NULL or empty: none */
  char *postmap;            /* [mta] postmap: Postfix's postmap, run on the recipient
                             * map STATE/mta/postfix-recipients after each change;
                             * NULL (default): /usr/sbin/postmap when it is there;
                             * "none": not run */
  /* issue 12: a sendmail that hangs */
  int sendmail_timeout;     /* [delivery] sendmail_timeout: seconds one sendmail
                             * may take over its copy before it is killed,
                             * default 300 */
} RfConfig;

/* The file to read: @explicit_path if not NULL, else $REFLECTOR_CONFIG, else
 * rf_config_default_path().  A missing default file is fine
 * (defaults); a missing explicit file, an unknown group or key, or a bad
 * value is RF_ERROR_CONFIG naming the file, group and key.
 * Returns: (transfer full) free with rf_config_free(). */
RfConfig *rf_config_load (const char *explicit_path, GError **error);
void rf_config_free (RfConfig *config);
/* The key directory in use (issue 11, keys.h): [paths] key_dir, else the
 * directory of the file read, else the compiled-in configuration
 * directory.  Returns: (transfer full). */
char *rf_config_key_dir (const RfConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RfConfig, rf_config_free)
/* The compiled-in configuration file, CONFIG_DIR/reflector.conf of the
 * prefix the program was built with; and the file rf_config_load
 * (@explicit_path) reads.  Static strings (or @explicit_path, or the
 * environment's). */
const char *rf_config_default_path (void);
const char *rf_config_path_in_use (const char *explicit_path);
/* Whether @url answers HTTP at all (any status, in *status_out), within
 * @timeout_seconds: 'listctl check' asks it of [web] base_url.  The
 * error says why not (refused, no such host, timeout). */
gboolean rf_http_probe (const char *url, guint timeout_seconds, long *status_out,
                        GError **error);

/* The login and session limits: [security] in reflector.conf
 * (rf_security_from_config), or the defaults (rf_security_defaults). */
typedef struct {
  guint account_attempts;      /* failures per account in the window before it locks: 5 */
  guint ip_attempts;           /* failures per IP in the window before it is blocked: 20 */
  gint64 window_seconds;       /* how far back failures count: 900 */
  gint64 lockout_seconds;      /* how long a lock or block lasts: 900 */
  gint64 session_idle_seconds; /* a session unused this long ends: 1800 */
  gint64 session_max_seconds;  /* a session ends this long after login anyway: 43200 */
} RfSecurityPolicy;
void rf_security_defaults (RfSecurityPolicy *policy);
/* The policy of reflector.conf's [security] group. */
void rf_security_from_config (const RfConfig *config, RfSecurityPolicy *policy);

G_END_DECLS
