/* dmarc.c - DMARC mitigation: From becomes "NAME via LIST" <list address>.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A list's copy fails DMARC for the author's domain (new envelope, changed
 * subject and body), so receivers that honour p=reject or p=quarantine
 * refuse or bin it, and count it against the member.  The cure most lists
 * use (Mailman's dmarc_moderation_action = munge_from): From names the
 * list, whose domain the copy does pass for, and the author's address
 * stays where replies find it.
 *
 *   dmarc_mitigation = auto    rewrite when the verdict that deliver.c
 *                              looked up before the policies
 *                              (lib/dmarc/lookup.c) is reject, quarantine
 *                              or a failed lookup (fail safe)
 *                      always  rewrite every post
 *                      never   rewrite none
 * A post whose From domains are all in [dmarc] exempt_domains is never
 * rewritten.
 *
 * The author's address goes into Reply-To; when the post has a Reply-To
 * already, into Cc (the existing Cc, or a new one).  Never a second
 * Reply-To or Cc, and nothing is added for an address that is in Reply-To
 * or Cc already.
 */
#include "policy/policy.h"

#include <string.h>

static void
add_mailboxes (InternetAddressList *list, GPtrArray *out)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (ia))
        g_ptr_array_add (out, g_object_ref (ia));
      else if (INTERNET_ADDRESS_IS_GROUP (ia))
        add_mailboxes (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)), out);
    }
}

/* The mailboxes of @list, groups opened.
 * Returns: (transfer full) (element-type InternetAddressMailbox). */
static GPtrArray *
mailboxes_of (InternetAddressList *list)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  add_mailboxes (list, out);
  return out;
}

static const char *
addr_of (gpointer mailbox)
{
  const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (mailbox));

  return addr != NULL ? addr : "";
}

/* The domain as written, or NULL for an address without one. */
static const char *
domain_of (gpointer mailbox)
{
  const char *at = strrchr (addr_of (mailbox), '@');

  return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

static gboolean
exempt (const RfPolicyContext *ctx, const char *domain)
{
  g_autofree char *ascii = _rf_dmarc_domain_ascii (domain);

  return ascii != NULL && _rf_dmarc_exempt (ctx->config, ascii);
}

/* Whether any author has a domain that is not exempt. */
static gboolean
any_not_exempt (const RfPolicyContext *ctx, GPtrArray *authors)
{
  for (guint i = 0; i < authors->len; i++)
    {
      const char *domain = domain_of (g_ptr_array_index (authors, i));

      if (domain != NULL && !exempt (ctx, domain))
        return TRUE;
    }
  return FALSE;
}

char **
_rf_policy_dmarc_domains (GMimeMessage *message, const RfPolicyContext *ctx)
{
  g_autoptr (GPtrArray) authors = mailboxes_of (g_mime_message_get_from (message));
  g_autoptr (GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);

  if (!g_str_equal (_rf_policy_setting (ctx, "dmarc_mitigation"), "auto"))
    return NULL;
  for (guint i = 0; i < authors->len; i++)
    {
      const char *domain = domain_of (g_ptr_array_index (authors, i));

      if (domain != NULL && !exempt (ctx, domain))
        g_ptr_array_add (domains, g_strdup (domain));
    }
  if (domains->len == 0)
    return NULL;
  g_ptr_array_add (domains, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&domains), FALSE);
}

/* Whether the post by @authors gets the list's From; *why_out: the reason,
 * for the activity log. */
static gboolean
wants_rewrite (const RfPolicyContext *ctx, GPtrArray *authors, const char **why_out)
{
  const char *mode = _rf_policy_setting (ctx, "dmarc_mitigation");

  if (g_str_equal (mode, "never") || !any_not_exempt (ctx, authors))
    return FALSE;
  if (g_str_equal (mode, "always"))
    {
      *why_out = "dmarc_mitigation always";
      return TRUE;
    }
  /* auto: no verdict means nobody asked (see policy.h): leave it */
  if (ctx->dmarc == NULL || !_rf_dmarc_rewrites (ctx->dmarc->policy))
    return FALSE;
  *why_out = ctx->dmarc->detail;
  return TRUE;
}

/* A phrase for a header: control characters (an encoded word may hold
 * a line break) become spaces. */
static void
clean_phrase (char *text)
{
  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  g_strstrip (text);
}

/* "Ann via dev" <dev@lists.example.org>: the authors' display names (or
 * their local parts), and the list's description or its name.
 * Returns: (transfer full). */
static InternetAddress *
list_from (const RfPolicyContext *ctx, GPtrArray *authors)
{
  g_autoptr (GString) names = g_string_new (NULL);
  g_autofree char *list_name = g_strdup (_rf_policy_setting (ctx, "description"));
  g_autofree char *phrase = NULL;

  for (guint i = 0; i < authors->len; i++)
    {
      InternetAddress *ia = g_ptr_array_index (authors, i);
      const char *name = internet_address_get_name (ia);
      g_autofree char *one = g_strdup (name != NULL ? name : "");

      clean_phrase (one);
      if (*one == '\0')
        {
          const char *addr = addr_of (ia);
          const char *at = strrchr (addr, '@');

          g_free (one);
          one = at != NULL ? g_strndup (addr, at - addr) : g_strdup (addr);
          clean_phrase (one);
        }
      if (*one == '\0')
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, one);
    }
  clean_phrase (list_name);
  if (*list_name == '\0')
    {
      g_free (list_name);
      list_name = g_strdup (ctx->list->local);
    }
  phrase = names->len > 0 ? g_strdup_printf ("%s via %s", names->str, list_name)
                          : g_strdup_printf ("via %s", list_name);
  return internet_address_mailbox_new (phrase, ctx->list->address);
}

static gboolean
contains (GPtrArray *mailboxes, const char *addr)
{
  for (guint i = 0; i < mailboxes->len; i++)
    if (g_ascii_strcasecmp (addr_of (g_ptr_array_index (mailboxes, i)), addr) == 0)
      return TRUE;
  return FALSE;
}

/* The authors not in @known (Reply-To and Cc), each once; @known grows.
 * Returns: (transfer full) (element-type InternetAddressMailbox). */
static GPtrArray *
additions (GPtrArray *authors, GPtrArray *known)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < authors->len; i++)
    {
      InternetAddress *ia = g_ptr_array_index (authors, i);

      if (*addr_of (ia) == '\0' || contains (known, addr_of (ia)))
        continue;
      g_ptr_array_add (known, g_object_ref (ia));
      g_ptr_array_add (out, internet_address_mailbox_new (internet_address_get_name (ia),
                                                          addr_of (ia)));
    }
  return out;
}

static void
add_all (InternetAddressList *list, GPtrArray *mailboxes)
{
  for (guint i = 0; i < mailboxes->len; i++)
    internet_address_list_add (list, g_ptr_array_index (mailboxes, i));
}

/* The activity log's line: addresses and the reason, never body text. */
static void
log_rewrite (const RfPolicyContext *ctx, GPtrArray *authors, const char *why, const char *kept)
{
  g_autofree char *detail = NULL;

  if (ctx->store == NULL)
    return;
  detail = g_strdup_printf ("From %s%s rewritten to the list (%s); the author's address %s",
                            addr_of (g_ptr_array_index (authors, 0)),
                            authors->len > 1 ? " and others" : "", why, kept);
  rf_activity_log (ctx->store, ctx->actor, "dmarc-rewrite", ctx->list->address, detail);
}

gboolean
_rf_policy_dmarc (GMimeMessage *message, const RfPolicyContext *ctx, GError **error)
{
  InternetAddressList *from = g_mime_message_get_from (message);
  g_autoptr (GPtrArray) authors = mailboxes_of (from);
  g_autoptr (GPtrArray) known = NULL;
  g_autoptr (GPtrArray) added = NULL;
  InternetAddress *replacement;
  const char *why = NULL;
  gboolean has_reply_to;
  InternetAddressList *reply_to, *cc;

  if (!wants_rewrite (ctx, authors, &why))
    return TRUE;
  /* a Reply-To field that GMime reads as empty is still the author's
   * choice: it is not replaced */
  has_reply_to = g_mime_object_get_header (GMIME_OBJECT (message), "Reply-To") != NULL;
  reply_to = g_mime_message_get_reply_to (message);
  cc = g_mime_message_get_cc (message);
  known = mailboxes_of (reply_to);
  add_mailboxes (cc, known);
  added = additions (authors, known);
  /* GMime writes the changed lists back into their (single) fields */
  add_all (has_reply_to ? cc : reply_to, added);
  replacement = list_from (ctx, authors);
  internet_address_list_clear (from);
  internet_address_list_add (from, replacement);
  g_object_unref (replacement);
  log_rewrite (ctx, authors, why,
               added->len == 0 ? "was in Reply-To or Cc already"
               : has_reply_to  ? "kept in Cc"
                               : "kept in Reply-To");
  return TRUE;
}

/* ---- the post that passes through unparsed ---- */

/* One header field of the original bytes: [start, end) with its line
 * breaks; @name NULL for a line that is no field (what made GMime's
 * parse lossy). */
typedef struct {
  gsize start, end;
  char *name;
  char *value;   /* unfolded */
} RawField;

static void
raw_field_clear (gpointer data)
{
  RawField *f = data;

  g_free (f->name);
  g_free (f->value);
}

/* The fields of the header block, up to the empty line. */
static GArray *
raw_fields (const guint8 *data, gsize len)
{
  GArray *fields = g_array_new (FALSE, TRUE, sizeof (RawField));
  gsize pos = 0;

  g_array_set_clear_func (fields, raw_field_clear);
  while (pos < len && data[pos] != '\n' && !(data[pos] == '\r' && pos + 1 < len &&
                                              data[pos + 1] == '\n'))
    {
      RawField f = { pos, 0, NULL, NULL };
      g_autoptr (GString) value = g_string_new (NULL);
      const guint8 *nl = memchr (data + pos, '\n', len - pos);
      gsize line_end = nl != NULL ? (gsize) (nl - data) + 1 : len;
      const guint8 *colon = memchr (data + pos, ':', line_end - pos);
      gboolean valid_name = TRUE;

      if (colon != NULL)
        {
          gsize n = colon - (data + pos);

          /* the obsolete syntax's blanks before the colon */
          while (n > 0 && (data[pos + n - 1] == ' ' || data[pos + n - 1] == '\t'))
            n--;
          /* field-name: printable ASCII but ':' (RFC 5322 2.2) */
          for (gsize i = 0; i < n && valid_name; i++)
            valid_name = data[pos + i] > 32 && data[pos + i] < 127;
          if (n > 0 && valid_name)
            f.name = g_strndup ((const char *) data + pos, n);
          g_string_append_len (value, (const char *) colon + 1, data + line_end - (colon + 1));
        }
      pos = line_end;
      /* its continuation lines */
      while (pos < len && (data[pos] == ' ' || data[pos] == '\t'))
        {
          nl = memchr (data + pos, '\n', len - pos);
          line_end = nl != NULL ? (gsize) (nl - data) + 1 : len;
          g_string_append_len (value, (const char *) data + pos, line_end - pos);
          pos = line_end;
        }
      f.end = pos;
      /* unfold: line breaks go, the blanks after them stay */
      for (gsize i = 0, j = 0;; i++)
        {
          if (value->str[i] != '\r' && value->str[i] != '\n')
            value->str[j++] = value->str[i];
          if (value->str[i] == '\0')
            break;
        }
      f.value = g_string_free (g_steal_pointer (&value), FALSE);
      g_array_append_val (fields, f);
    }
  /* no empty line: where the header ends is a guess, and a "From:" line
   * after a line that is no field may be the author's text; the header
   * is then taken to end at that line */
  if (pos >= len)
    for (guint i = 0; i < fields->len; i++)
      if (g_array_index (fields, RawField, i).name == NULL)
        {
          g_array_set_size (fields, i);
          break;
        }
  return fields;
}

static gboolean
is_field (const RawField *f, const char *name)
{
  return f->name != NULL && g_ascii_strcasecmp (f->name, name) == 0;
}

GBytes *
_rf_policy_dmarc_pass_through (GBytes *raw, const RfPolicyContext *ctx, GMimeMessage *shell)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  g_autoptr (GArray) fields = raw_fields (data, len);
  g_autoptr (GPtrArray) authors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) known = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) cc_lists = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) added = NULL;
  InternetAddress *replacement;
  gboolean has_reply_to = FALSE, cc_readable = TRUE, drop_cc;
  const char *why = NULL, *kept;
  GByteArray *out;
  gsize at = 0;

  for (guint i = 0; i < fields->len; i++)
    {
      RawField *f = &g_array_index (fields, RawField, i);
      gboolean from = is_field (f, "From"), reply_to = is_field (f, "Reply-To");
      g_autoptr (InternetAddressList) list = NULL;

      if (!from && !reply_to && !is_field (f, "Cc"))
        continue;
      list = internet_address_list_parse (NULL, f->value);
      has_reply_to |= reply_to;
      if (from)
        add_mailboxes (list, authors);
      else
        add_mailboxes (list, known);
      if (is_field (f, "Cc"))
        {
          if (list != NULL && internet_address_list_length (list) > 0)
            g_ptr_array_add (cc_lists, g_steal_pointer (&list));
          else if (*g_strstrip (f->value) != '\0')
            cc_readable = FALSE;
        }
    }
  if (authors->len == 0 || !wants_rewrite (ctx, authors, &why))
    return g_bytes_ref (raw);

  added = additions (authors, known);
  /* a Cc that GMime cannot read is not rewritten from what it could */
  drop_cc = has_reply_to && added->len > 0 && cc_readable;
  replacement = list_from (ctx, authors);
  internet_address_list_add (g_mime_message_get_from (shell), replacement);
  g_object_unref (replacement);
  if (!has_reply_to)
    {
      add_all (g_mime_message_get_reply_to (shell), added);
      kept = added->len > 0 ? "kept in Reply-To" : "was in Reply-To or Cc already";
    }
  else if (drop_cc)
    {
      /* one Cc: the old ones' addresses, then the authors */
      InternetAddressList *cc = g_mime_message_get_cc (shell);

      for (guint i = 0; i < cc_lists->len; i++)
        internet_address_list_append (cc, g_ptr_array_index (cc_lists, i));
      add_all (cc, added);
      kept = "kept in Cc";
    }
  else
    kept = added->len > 0 ? "not kept: the post's Cc cannot be read"
                          : "was in Reply-To or Cc already";

  /* the original bytes without the fields the shell replaces */
  out = g_byte_array_sized_new (len);
  for (guint i = 0; i < fields->len; i++)
    {
      RawField *f = &g_array_index (fields, RawField, i);

      if (is_field (f, "From") || (drop_cc && is_field (f, "Cc")))
        {
          g_byte_array_append (out, data + at, f->start - at);
          at = f->end;
        }
    }
  g_byte_array_append (out, data + at, len - at);
  log_rewrite (ctx, authors, why, kept);
  return g_byte_array_free_to_bytes (out);
}
