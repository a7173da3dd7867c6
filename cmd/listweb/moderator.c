/* moderator.c - the moderator panel: /m/ (the lists the account may
 * manage), /m/<list>/ (settings, members, reports), /m/password.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Who: a site account (never a list's web user) with the owner or
 * moderator role on the list, or a site admin; anyone else gets 403.  A
 * moderator sees and may change only the settings the table gives
 * moderators (never a privacy setting: RfSettingWho).
 * Every POST carries the session's CSRF token.  The settings form is
 * generated from the settings table and validated by it (as `listctl set`
 * is); members are added and removed by typed address, and the page shows
 * only their count.  Reports, the subscriber list included, are mailed to
 * the account's address and never rendered: no page here shows a member
 * list or a post.
 */
#include "listweb.h"

#include <string.h>

/* the most bad lines of a pasted list named on the page */
#define MAX_BAD_SHOWN 10

typedef struct {
  ListwebRequest *request;
  RfStore *store;
  RfSession *session;
  RfUser *user;
  RfList *list;
  char *ip;
  char *actor_name;       /* "web:<user>" */
  RfActor actor;          /* actor_name from ip */
  gboolean owner;         /* an owner of p->list or a site admin: may change
                           * every setting (rf_setting_may_change) */
} Panel;

static void
panel_clear (Panel *p)
{
  g_clear_pointer (&p->list, rf_list_free);
  g_clear_pointer (&p->user, rf_user_free);
  g_clear_pointer (&p->session, rf_session_free);
  g_clear_pointer (&p->store, rf_store_close);
  g_clear_pointer (&p->ip, g_free);
  g_clear_pointer (&p->actor_name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Panel, panel_clear)

static ListwebHtml *
message_html (const Panel *p, const char *kind, const char *text, GError **error)
{
  g_autoptr (ListwebVars) vars = NULL;

  if (text == NULL)
    return listweb_html_new ();
  vars = listweb_vars_new ();
  listweb_vars_set (vars, "kind", kind);
  listweb_vars_set (vars, "text", text);
  return listweb_render (p->request->templates, "message", vars, error);
}

static enum MHD_Result
refused (Panel *p, const char *text)
{
  return listweb_message_page (p->request, MHD_HTTP_FORBIDDEN, "Not allowed", p->session, text);
}

/* ---- /m/: the lists ---- */

static enum MHD_Result
lists_page (Panel *p)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ListwebHtml) rows = listweb_html_new ();
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (GPtrArray) all = NULL;
  ListwebHtml *content;

  if (p->user->admin && (all = rf_list_all (p->store, &error)) == NULL)
    return listweb_trouble (p->request, "panel", error);
  for (guint i = 0; i < (all != NULL ? all->len : p->user->roles->len); i++)
    {
      g_autoptr (ListwebVars) rv = listweb_vars_new ();
      g_autoptr (ListwebHtml) row = NULL;
      const char *address, *role;

      if (all != NULL)
        {
          address = ((const RfList *) g_ptr_array_index (all, i))->address;
          role = "site admin";
        }
      else
        {
          const RfUserRole *r = g_ptr_array_index (p->user->roles, i);

          /* roles are sorted by list: an owner who is also a moderator
           * is listed once, as owner (the greater role) */
          if (i + 1 < p->user->roles->len &&
              g_str_equal (((const RfUserRole *) g_ptr_array_index (p->user->roles, i + 1))
                               ->list_address,
                           r->list_address))
            continue;
          address = r->list_address;
          role = r->role;
        }
      listweb_vars_set (rv, "list", address);
      listweb_vars_set (rv, "role", role);
      if ((row = listweb_render (p->request->templates, "mod_list_row", rv, &error)) == NULL)
        return listweb_trouble (p->request, "template", error);
      listweb_html_append (rows, row);
    }
  listweb_vars_set_html (vars, "rows", g_steal_pointer (&rows));
  listweb_vars_set_html (
      vars, "message",
      message_html (p, "info",
                    (all != NULL ? all->len : p->user->roles->len) == 0
                        ? "Your account has no role on any list."
                        : NULL,
                    &error));
  if ((content = listweb_render (p->request->templates, "mod_lists", vars, &error)) == NULL)
    return listweb_trouble (p->request, "template", error);
  return listweb_render_page (p->request, MHD_HTTP_OK, "Your lists", p->session, content, NULL);
}

/* ---- /m/<list>/: the panel ---- */

/* A stored value as one would type it (what rf_setting_normalize reads
 * back to the same value): a newline as \n, a backslash doubled. */
static char *
as_typed (const RfSettingDef *def, const char *value)
{
  GString *out;

  if (def->type != RF_SETTING_STRING)
    return g_strdup (value);
  out = g_string_new (NULL);
  for (const char *c = value; *c != '\0'; c++)
    if (*c == '\n')
      g_string_append (out, "\\n");
    else if (*c == '\\')
      g_string_append (out, "\\\\");
    else
      g_string_append_c (out, *c);
  return g_string_free (out, FALSE);
}

static ListwebHtml *
field_html (const Panel *p, const RfSettingDef *def, const char *value, const char *error_text,
            GError **error)
{
  static const char *const bool_values[] = { "on", "off", NULL };
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  const char *const *choices =
      def->type == RF_SETTING_ENUM ? def->allowed
                                   : def->type == RF_SETTING_BOOL ? bool_values : NULL;

  listweb_vars_set (vars, "name", def->name);
  listweb_vars_set (vars, "help", def->help);
  if (error_text != NULL)
    {
      g_autoptr (ListwebVars) ev = listweb_vars_new ();
      ListwebHtml *e;

      listweb_vars_set (ev, "name", def->name);
      listweb_vars_set (ev, "text", error_text);
      if ((e = listweb_render (p->request->templates, "mod_field_error", ev, error)) == NULL)
        return NULL;
      listweb_vars_set_html (vars, "error", e);
    }
  else
    listweb_vars_set_html (vars, "error", listweb_html_new ());
  if (choices == NULL)
    {
      listweb_vars_set (vars, "value", value);
      return listweb_render (p->request->templates, "mod_field_text", vars, error);
    }
  {
    g_autoptr (ListwebHtml) options = listweb_html_new ();

    for (const char *const *c = choices; *c != NULL; c++)
      {
        g_autoptr (ListwebVars) ov = listweb_vars_new ();
        g_autoptr (ListwebHtml) option = NULL;

        listweb_vars_set (ov, "value", *c);
        listweb_vars_set_html (ov, "selected", listweb_html_text (g_ascii_strcasecmp (*c, value) == 0
                                                                      ? " selected"
                                                                      : ""));
        if ((option = listweb_render (p->request->templates, "mod_option", ov, error)) == NULL)
          return NULL;
        listweb_html_append (options, option);
      }
    listweb_vars_set_html (vars, "options", g_steal_pointer (&options));
  }
  return listweb_render (p->request->templates, "mod_field_select", vars, error);
}

/* The panel of p->list.  @form: the settings as posted (shown again when
 * some were refused), or NULL; @field_errors: name -> the table's message. */
static enum MHD_Result
panel_page (Panel *p, unsigned int status, const char *kind, const char *text,
            GHashTable *form, GHashTable *field_errors, const char *pasted)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) current = rf_list_settings (p->store, p->list, &error);
  g_autoptr (ListwebHtml) fields = listweb_html_new ();
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autofree char *email = NULL;
  ListwebHtml *content, *message;
  const RfSettingDef *table;
  gsize n;
  gint64 count;

  if (current == NULL)
    return listweb_trouble (p->request, "panel", error);
  if ((count = rf_member_count (p->store, p->list, &error)) < 0 || error != NULL)
    return listweb_trouble (p->request, "panel", error);
  table = rf_settings_table (&n);
  for (gsize i = 0; i < n; i++)
    {
      const RfSettingDef *def = &table[i];
      const char *posted = form != NULL ? g_hash_table_lookup (form, def->name) : NULL;
      const char *stored = g_hash_table_lookup (current, def->name);
      g_autofree char *typed = NULL;
      g_autoptr (ListwebHtml) field = NULL;

      /* only what this account may change (issue 11) */
      if (!rf_setting_may_change (def, p->owner))
        continue;
      typed = as_typed (def, stored != NULL ? stored : def->default_value);
      field = field_html (p, def, posted != NULL ? posted : typed,
                          field_errors != NULL ? g_hash_table_lookup (field_errors, def->name)
                                               : NULL,
                          &error);
      if (field == NULL)
        return listweb_trouble (p->request, "template", error);
      listweb_html_append (fields, field);
    }
  if ((message = message_html (p, kind, text, &error)) == NULL)
    return listweb_trouble (p->request, "template", error);
  email = listweb_masked_address (p->user->email);
  listweb_vars_set_html (vars, "message", message);
  listweb_vars_set_html (vars, "fields", g_steal_pointer (&fields));
  listweb_vars_set (vars, "list", p->list->address);
  listweb_vars_set (vars, "csrf", p->session->csrf_token);
  listweb_vars_setf (vars, "count", "%" G_GINT64_FORMAT " member%s", count,
                     count == 1 ? "" : "s");
  listweb_vars_set (vars, "email", email);
  listweb_vars_set (vars, "addresses", pasted);
  if ((content = listweb_render (p->request->templates, "mod_list", vars, &error)) == NULL)
    return listweb_trouble (p->request, "template", error);
  return listweb_render_page (p->request, status, p->list->address, p->session, content, NULL);
}

/* Every field is checked by the table first; only when all pass are the
 * changed ones stored, so an invalid value changes nothing. */
static enum MHD_Result
settings_post (Panel *p, GHashTable *form)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) current = rf_list_settings (p->store, p->list, &error);
  g_autoptr (GHashTable) errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (GPtrArray) changed = g_ptr_array_new ();
  g_autoptr (GString) names = g_string_new (NULL);
  const RfSettingDef *table;
  gsize n;

  if (current == NULL)
    return listweb_trouble (p->request, "panel", error);
  table = rf_settings_table (&n);
  /* a setting this account may not change, in the form at all, is refused
   * whole: the form the panel shows never holds one (issue 11) */
  for (gsize i = 0; i < n; i++)
    if (g_hash_table_contains (form, table[i].name) && !rf_setting_may_change (&table[i], p->owner))
      {
        g_autofree char *text = g_strdup_printf (
            "Nothing was saved: only the list's owners may change '%s'.", table[i].name);
        const RfActor web = { p->actor_name, p->ip };

        rf_activity_log (p->store, &web, "setting-refused", p->list->address, table[i].name);
        return refused (p, text);
      }
  for (gsize i = 0; i < n; i++)
    {
      const char *value = g_hash_table_lookup (form, table[i].name);
      g_autoptr (GError) local = NULL;
      g_autofree char *norm = NULL;

      if (value == NULL)     /* not in the form: left as it is */
        continue;
      if ((norm = rf_setting_normalize (&table[i], value, &local)) == NULL)
        g_hash_table_insert (errors, (gpointer) table[i].name, g_strdup (local->message));
      else if (g_strcmp0 (norm, g_hash_table_lookup (current, table[i].name)) != 0)
        g_ptr_array_add (changed, (gpointer) &table[i]);
    }
  if (g_hash_table_size (errors) > 0)
    return panel_page (p, MHD_HTTP_BAD_REQUEST, "error",
                       "Nothing was saved: correct the values marked below.", form, errors,
                       NULL);
  for (guint i = 0; i < changed->len; i++)
    {
      const RfSettingDef *def = g_ptr_array_index (changed, i);

      if (!rf_list_set_setting (p->store, p->list, def->name,
                                g_hash_table_lookup (form, def->name), &p->actor, &error))
        return listweb_trouble (p->request, "panel", error);
      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", def->name);
    }
  if (changed->len == 0)
    return panel_page (p, MHD_HTTP_OK, "info", "Nothing changed.", NULL, NULL, NULL);
  {
    g_autofree char *text = g_strdup_printf ("Saved: %s.", names->str);
    return panel_page (p, MHD_HTTP_OK, "info", text, NULL, NULL, NULL);
  }
}

static enum MHD_Result
add_many (Panel *p, const char *pasted)
{
  g_autoptr (GPtrArray) good = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = g_strsplit (pasted != NULL ? pasted : "", "\n", 0);
  guint n_bad = 0;
  guint64 added = 0, unchanged = 0;

  /* every line is checked before anything is changed, as listctl does */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      char *line = g_strstrip (lines[i]);
      char *norm;

      if (*line == '\0' || *line == '#')
        continue;
      if ((norm = rf_address_normalize (line, &local)) != NULL)
        g_ptr_array_add (good, norm);
      else if (++n_bad <= MAX_BAD_SHOWN)
        g_string_append_printf (bad, "%sline %u: %s", n_bad > 1 ? "; " : "", i + 1,
                                local->message);
    }
  if (n_bad > 0)
    {
      g_autofree char *text = g_strdup_printf (
          "Nothing was added: %u line%s %s not an address (%s%s).", n_bad,
          n_bad == 1 ? "" : "s", n_bad == 1 ? "is" : "are", bad->str,
          n_bad > MAX_BAD_SHOWN ? "; …" : "");
      return panel_page (p, MHD_HTTP_BAD_REQUEST, "error", text, NULL, NULL, pasted);
    }
  if (good->len == 0)
    return panel_page (p, MHD_HTTP_BAD_REQUEST, "error", "Paste one address a line.", NULL,
                       NULL, NULL);
  if (!rf_member_add_many (p->store, p->list, good, &p->actor, NULL, NULL, &added, &unchanged,
                           &error))
    return listweb_trouble (p->request, "panel", error);
  {
    g_autofree char *text = g_strdup_printf (
        "Added %" G_GUINT64_FORMAT " address%s; %" G_GUINT64_FORMAT " %s members already.",
        added, added == 1 ? "" : "es", unchanged, unchanged == 1 ? "was" : "were");
    return panel_page (p, MHD_HTTP_OK, "info", text, NULL, NULL, NULL);
  }
}

static enum MHD_Result
members_post (Panel *p, GHashTable *form)
{
  const char *action = g_hash_table_lookup (form, "action");
  const char *typed = g_hash_table_lookup (form, "address");
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  gboolean add;

  if (g_strcmp0 (action, "add-many") == 0)
    return add_many (p, g_hash_table_lookup (form, "addresses"));
  add = g_strcmp0 (action, "add") == 0;
  if (!add && g_strcmp0 (action, "remove") != 0)
    return listweb_answer (p->request, MHD_HTTP_BAD_REQUEST, "unknown action");
  if (typed == NULL || *g_strstrip ((char *) typed) == '\0')
    return panel_page (p, MHD_HTTP_BAD_REQUEST, "error", "Type an address.", NULL, NULL, NULL);
  if ((address = rf_address_normalize (typed, &error)) == NULL)
    return panel_page (p, MHD_HTTP_BAD_REQUEST, "error", error->message, NULL, NULL, NULL);
  if (add ? rf_member_add (p->store, p->list, address, &p->actor, &error)
          : rf_member_remove (p->store, p->list, address, &p->actor, &error))
    return panel_page (p, MHD_HTTP_OK, "info",
                       add ? "The address was added." : "The address was removed.", NULL, NULL,
                       NULL);
  if (add && g_error_matches (error, RF_ERROR, RF_ERROR_EXISTS))
    return panel_page (p, MHD_HTTP_OK, "info", "That address is a member already.", NULL,
                       NULL, NULL);
  if (!add && g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
    return panel_page (p, MHD_HTTP_OK, "info", "That address is not a member.", NULL, NULL,
                       NULL);
  return listweb_trouble (p->request, "panel", error);
}

/* The report is mailed to the account's own address through the
 * configured transport, never put in the page. */
static enum MHD_Result
report_post (Panel *p, GHashTable *form)
{
  const char *which = g_hash_table_lookup (form, "report");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) to = g_ptr_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *action = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *said = NULL;

  if (g_strcmp0 (which, "subscribers") == 0)
    text = rf_subscribers_report_text (p->store, p->list, &error);
  else if (g_strcmp0 (which, "bounces") == 0)
    text = rf_bounce_report_text (p->store, p->list, &error);
  else if (g_strcmp0 (which, "activity") == 0)
    text = rf_activity_report_text (p->store, p->list,
                                    (guint) MAX (p->request->config->activity_days, 1), &error);
  else
    return listweb_answer (p->request, MHD_HTTP_BAD_REQUEST, "unknown report");
  if (text == NULL)
    return listweb_trouble (p->request, "report", error);
  if (p->user->email == NULL || *p->user->email == '\0')
    return panel_page (p, MHD_HTTP_CONFLICT, "error",
                       "Your account has no e-mail address to mail the report to.", NULL, NULL,
                       NULL);
  g_ptr_array_add (to, p->user->email);
  subject = g_strdup_printf ("%c%s report of %s", g_ascii_toupper (which[0]), which + 1,
                             p->list->address);
  shown = listweb_masked_address (p->user->email);
  if (!rf_mail_send_text (p->request->config, p->list->address, to, subject, text, NULL,
                          &error))
    {
      rf_log_error ("report: %s", error->message);
      return panel_page (p, MHD_HTTP_SERVICE_UNAVAILABLE, "error",
                         "The report could not be mailed. Please try again later.", NULL, NULL,
                         NULL);
    }
  action = g_strdup_printf ("report-%s", which);
  rf_activity_log (p->store, &p->actor, action, p->list->address,
                   "mailed to the account's address");
  said = g_strdup_printf ("The %s report was mailed to %s.", which, shown);
  return panel_page (p, MHD_HTTP_OK, "info", said, NULL, NULL, NULL);
}

/* ---- /m/password ---- */

static enum MHD_Result
password_form (Panel *p, unsigned int status, const char *text)
{
  g_autoptr (ListwebVars) vars = listweb_vars_new ();
  g_autoptr (GError) error = NULL;
  ListwebHtml *content, *message;

  if ((message = message_html (p, status >= 400 ? "error" : "info", text, &error)) == NULL)
    return listweb_trouble (p->request, "template", error);
  listweb_vars_set_html (vars, "message", message);
  listweb_vars_set (vars, "csrf", p->session->csrf_token);
  if ((content = listweb_render (p->request->templates, "mod_password", vars, &error)) == NULL)
    return listweb_trouble (p->request, "template", error);
  return listweb_render_page (p->request, status, "Change your password", p->session, content,
                              NULL);
}

static enum MHD_Result
password_post (Panel *p, GHashTable *form)
{
  const char *current = g_hash_table_lookup (form, "current");
  const char *new1 = g_hash_table_lookup (form, "new1");
  const char *new2 = g_hash_table_lookup (form, "new2");
  g_autoptr (GError) error = NULL;
  g_autofree char *clear = NULL;
  char *cookie = NULL;
  RfSecurityPolicy policy;
  RfLoginResult result = RF_LOGIN_BAD_PASSWORD;

  if (current == NULL || new1 == NULL || new2 == NULL || *current == '\0')
    return password_form (p, MHD_HTTP_BAD_REQUEST, "Give the current password and the new one twice.");
  if (!g_str_equal (new1, new2))
    return password_form (p, MHD_HTTP_BAD_REQUEST, "The two new passwords differ.");
  if (!rf_password_check (new1, &error))
    return password_form (p, MHD_HTTP_BAD_REQUEST, error->message);
  /* the current password is checked as a login is, so that a session
   * left open cannot be used to guess it: the same per-account and per-IP
   * limits and log lines.  The session this opens is dropped with all the
   * others when the password changes just below. */
  listweb_security_policy (p->request, &policy);
  if (!rf_login_user (p->store, &policy, p->user->name, current, p->ip, &result, &cookie,
                      &error))
    return listweb_trouble (p->request, "password", error);
  if (cookie != NULL)
    {
      explicit_bzero (cookie, strlen (cookie));
      g_free (cookie);
    }
  switch (result)
    {
    case RF_LOGIN_OK:
      break;
    case RF_LOGIN_ACCOUNT_LOCKED:
    case RF_LOGIN_IP_BLOCKED:
      return password_form (p, MHD_HTTP_TOO_MANY_REQUESTS,
                            "Too many wrong passwords. Try again later.");
    case RF_LOGIN_BAD_PASSWORD:
    default:
      return password_form (p, MHD_HTTP_FORBIDDEN, "The current password is wrong.");
    }
  if (!rf_user_set_password (p->store, p->user->name, new1, &p->actor, &error))
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_INVALID))
        return password_form (p, MHD_HTTP_BAD_REQUEST, error->message);
      return listweb_trouble (p->request, "password", error);
    }
  /* every session of the account is gone, this one too */
  clear = listweb_cookie_header (p->request, LISTWEB_SESSION_COOKIE, NULL);
  {
    g_autoptr (ListwebVars) vars = listweb_vars_new ();
    ListwebHtml *content;

    listweb_vars_set (vars, "kind", "info");
    listweb_vars_set (vars, "text", "Your password was changed and you were logged out "
                                    "everywhere. Log in again with the new password.");
    if ((content = listweb_render (p->request->templates, "message", vars, &error)) == NULL)
      return listweb_trouble (p->request, "template", error);
    return listweb_render_page (p->request, MHD_HTTP_OK, "Password changed", NULL, content,
                                clear);
  }
}

/* ---- the route ---- */

static enum MHD_Result
to_login (ListwebRequest *request)
{
  g_autofree char *here = g_strdup_printf ("/m/%s", request->path);
  g_autofree char *here_q = g_uri_escape_string (here, "/@", FALSE);
  g_autofree char *to = g_strdup_printf ("/login?next=%s", here_q);

  return listweb_redirect (request, to, NULL);
}

enum MHD_Result
listweb_moderator (ListwebRequest *request)
{
  g_auto (Panel) p = { .request = request };
  g_autoptr (GHashTable) form = NULL;
  g_autoptr (GError) error = NULL;
  gboolean post = g_str_equal (request->method, "POST");
  const char *slash, *rest;
  g_autofree char *address = NULL;

  if (request->templates == NULL)
    return listweb_answer (request, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "The server has no page templates.");
  p.ip = listweb_client_ip (request);
  p.store = rf_store_open_with_keys (request->config, RF_STORE_READ_WRITE, &error);
  if (p.store == NULL)
    return listweb_trouble (request, "panel", error);
  if (!listweb_session_get (request, p.store, &p.session, &error))
    return listweb_trouble (request, "panel", error);
  if (p.session == NULL)
    return post ? listweb_message_page (request, MHD_HTTP_FORBIDDEN, "Refused", NULL,
                                        "You are not logged in.")
                : to_login (request);
  if (p.session->user_name == NULL)
    return refused (&p, "A list's web user has no moderator panel: log in with your own account.");
  p.user = rf_user_lookup (p.store, p.session->user_name, &error);
  if (p.user == NULL)
    {
      if (g_error_matches (error, RF_ERROR, RF_ERROR_NOT_FOUND))
        return refused (&p, "Your account is gone.");
      return listweb_trouble (request, "panel", error);
    }
  p.actor_name = g_strdup_printf ("web:%s", p.user->name);
  p.actor = (RfActor) { p.actor_name, p.ip };
  if (post)
    {
      form = listweb_form_parse (request->body);
      if (!rf_session_csrf_check (p.session, g_hash_table_lookup (form, "csrf")))
        {
          const RfActor web = { "listweb", p.ip };

          rf_activity_log (p.store, &web, "csrf-refused", "/m/", NULL);
          return listweb_message_page (request, MHD_HTTP_FORBIDDEN, "Refused", p.session,
                                       "This form has expired or did not come from this site.");
        }
    }
  if (*request->path == '\0')
    return post ? listweb_answer (request, MHD_HTTP_METHOD_NOT_ALLOWED, "not here")
                : lists_page (&p);
  if (g_str_equal (request->path, "password"))
    return post ? password_post (&p, form) : password_form (&p, MHD_HTTP_OK, NULL);

  slash = strchr (request->path, '/');
  address = slash != NULL ? g_strndup (request->path, slash - request->path)
                          : g_strdup (request->path);
  rest = slash != NULL ? slash + 1 : NULL;
  p.list = rf_list_lookup (p.store, address, NULL);
  /* a list the account has no role on is 403 whether or not it exists, so
   * the panel tells no one which lists there are */
  if (!rf_user_has_role (p.user, p.list != NULL ? p.list->address : address, "moderator"))
    return refused (&p, "Your account may not manage this list.");
  if (p.list == NULL)
    return listweb_message_page (request, MHD_HTTP_NOT_FOUND, "Not found", p.session,
                                 "There is no such list.");
  p.owner = rf_user_has_role (p.user, p.list->address, "owner");
  if (rest == NULL)
    {
      g_autofree char *to = g_strdup_printf ("/m/%s/", p.list->address);
      return listweb_redirect (request, to, NULL);
    }
  if (*rest == '\0')
    return post ? listweb_answer (request, MHD_HTTP_METHOD_NOT_ALLOWED, "not here")
                : panel_page (&p, MHD_HTTP_OK, NULL, NULL, NULL, NULL, NULL);
  if (!post && (g_str_equal (rest, "settings") || g_str_equal (rest, "members") ||
                g_str_equal (rest, "report")))
    return listweb_answer (request, MHD_HTTP_METHOD_NOT_ALLOWED, "use the panel's forms");
  if (g_str_equal (rest, "settings"))
    return settings_post (&p, form);
  if (g_str_equal (rest, "members"))
    return members_post (&p, form);
  if (g_str_equal (rest, "report"))
    return report_post (&p, form);
  if (g_str_equal (rest, "held"))
    return listweb_held (request, p.store, p.session, p.list, &p.actor, post ? form : NULL);
  return listweb_message_page (request, MHD_HTTP_NOT_FOUND, "Not found", p.session,
                               "There is no such page.");
}
