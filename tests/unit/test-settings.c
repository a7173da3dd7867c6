/* test-settings.c - the settings table: normalisation and rejection.
 *
 * Copyright (C) 2026 the reflector developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <reflector/reflector.h>

#include <string.h>

static char *
norm (const char *name, const char *value, GError **error)
{
  const RfSettingDef *def = rf_setting_lookup (name);

  g_assert_nonnull (def);
  return rf_setting_normalize (def, value, error);
}

static void
assert_norm (const char *name, const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = norm (name, value, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_reject (const char *name, const char *value, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = norm (name, value, &error);

  if (got != NULL)
    g_error ("%s: '%s' accepted as '%s'", name, value, got);
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  if (strstr (error->message, message_part) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, message_part);
  /* every message names the setting */
  g_assert_nonnull (strstr (error->message, name));
}

static void
test_table (void)
{
  gsize n = 0;
  const RfSettingDef *defs = rf_settings_table (&n);

  g_assert_cmpuint (n, >=, 6);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *again = rf_setting_normalize (&defs[i], defs[i].default_value, &error);

      /* defaults are stored in normalised form */
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, defs[i].default_value);
      g_assert_true (rf_setting_lookup (defs[i].name) == &defs[i]);
      g_assert_nonnull (defs[i].help);
      g_assert_true (defs[i].type != RF_SETTING_ENUM || defs[i].allowed != NULL);
    }
  g_assert_null (rf_setting_lookup ("no_such_setting"));
  g_assert_null (rf_setting_lookup (NULL));
  g_assert_cmpstr (rf_setting_lookup ("posting")->default_value, ==, "members");
  g_assert_cmpstr (rf_setting_lookup ("max_message_size")->default_value, ==, "10485760");
  g_assert_cmpstr (rf_setting_lookup ("list_headers")->default_value, ==, "on");
}

static void
test_bool (void)
{
  static const char *const on[] = { "on", "ON", "yes", "True", "1" };
  static const char *const off[] = { "off", "No", "false", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (on); i++)
    assert_norm ("list_headers", on[i], "on");
  for (gsize i = 0; i < G_N_ELEMENTS (off); i++)
    assert_norm ("list_headers", off[i], "off");
  assert_reject ("list_headers", "maybe", "is not on or off");
  assert_reject ("list_headers", "", "is not on or off");
  g_assert_true (rf_setting_value_bool ("on"));
  g_assert_false (rf_setting_value_bool ("off"));
}

static void
test_size (void)
{
  assert_norm ("max_message_size", "0", "0");
  assert_norm ("max_message_size", "1000", "1000");
  assert_norm ("max_message_size", "10k", "10240");
  assert_norm ("max_message_size", "10K", "10240");
  assert_norm ("max_message_size", "10M", "10485760");
  assert_norm ("max_message_size", "1g", "1073741824");
  assert_reject ("max_message_size", "", "is not a size");
  assert_reject ("max_message_size", "-1", "is not a size");
  assert_reject ("max_message_size", "10x", "is not a size");
  assert_reject ("max_message_size", "10MB", "is not a size");
  assert_reject ("max_message_size", "k", "is not a size");
  assert_reject ("max_message_size", " 10", "is not a size");
  assert_reject ("max_message_size", "99999999999999999999", "is more than 1G");
  assert_reject ("max_message_size", "9999999999999G", "is more than 1G");
  g_assert_cmpuint (rf_setting_value_uint ("10485760"), ==, 10485760);
}

/* issue 12: one range per type, refused beyond with a sentence that says
 * it, and what 0 means written in the setting's help */
static void
test_ranges (void)
{
  assert_norm ("max_message_size", "1073741824", "1073741824");
  assert_reject ("max_message_size", "1073741825", "is more than 1G (1073741824 bytes)");
  assert_reject ("max_message_size", "2g", "is more than 1G");
  assert_reject ("max_message_size", "1025M", "0 means no limit of the list's own");
  g_assert_nonnull (strstr (rf_setting_lookup ("max_message_size")->help,
                            "0 means no limit of the list's own"));
  assert_norm ("bounce_threshold", "0", "0");
  assert_norm ("bounce_threshold", "1000000", "1000000");
  assert_reject ("bounce_threshold", "1000001", "is out of range: a whole number from 0 to 1000000");
  assert_reject ("bounce_threshold", "4294967296", "is out of range: a whole number from 0 to 1000000");
  assert_reject ("bounce_threshold", "18446744073709551616", "is out of range");
  assert_reject ("bounce_stale_days", "4294967296", "is out of range");
  assert_reject ("bounce_threshold", "-1", "is not a non-negative whole number");
}

static void
test_int (void)
{
  /* no setting of the table is an int yet: test the type on a local row */
  RfSettingDef def = { "count", RF_SETTING_INT, "0", NULL, "a count", FALSE, RF_SETTING_OWNER };
  g_autoptr (GError) error = NULL;
  g_autofree char *v = rf_setting_normalize (&def, "42", &error);
  g_autofree char *bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (v, ==, "42");
  bad = rf_setting_normalize (&def, "4k", &error);
  g_assert_null (bad);
  g_assert_error (error, RF_ERROR, RF_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "is not a non-negative whole number"));
}

static void
test_enum (void)
{
  assert_norm ("posting", "open", "open");
  assert_norm ("posting", "Members", "members");
  assert_norm ("posting", "Moderated", "moderated");
  assert_norm ("posting", "announce", "announce");
  assert_reject ("posting", "closed", "is not one of: open, members, moderated, announce");
  assert_reject ("posting", "", "is not one of");
  assert_norm ("nonmember_action", "Reject", "reject");
  assert_reject ("nonmember_action", "bounce", "is not one of: hold, reject, discard");
}

static void
test_addresses (void)
{
  g_autoptr (GPtrArray) list = NULL;

  assert_norm ("posters", "", "");
  assert_norm ("posters", "Ann <ann@Example.ORG>", "ann@example.org");
  assert_norm ("owner_addresses", "a@x.test, b@y.test\nc@z.test  a@x.test",
               "a@x.test, b@y.test, c@z.test");
  assert_norm ("owner_addresses", " ,a@x.test,, ", "a@x.test");
  assert_reject ("posters", "a@x.test, not-an-address", "'not-an-address' is not an address");
  list = rf_setting_value_addresses ("a@x.test, b@y.test");
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (list, 1), ==, "b@y.test");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = rf_setting_value_addresses ("");
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_string (void)
{
  assert_norm ("subject_prefix", "[dev] ", "[dev] ");
  assert_norm ("subject_prefix", "", "");
  assert_norm ("description", "Développeurs", "Développeurs");
  assert_norm ("footer", "--\\nbye", "--\nbye");
  assert_norm ("footer", "a\\\\nb", "a\\nb");      /* \\ is a backslash */
  assert_norm ("footer", "C:\\dir", "C:\\dir");    /* lone backslash kept */
  assert_reject ("subject_prefix", "a\\nb", "must be one line");
  assert_reject ("description", "a\nb", "control character");
  assert_reject ("footer", "a\nb", "with \\n for a new line");
  assert_reject ("footer", "a\tb", "control character");
  assert_reject ("description", "\xff\xfe", "not valid UTF-8");
}

/* issue 11: the privacy settings are the owners' (and site admins'), never
 * a moderator's; the list's texts are a moderator's too */
static void
test_who (void)
{
  static const char *const privacy[] = { "archive", "archive_access", "attachments",
                                         "attachment_unguessable", "attachment_retention",
                                         "attachment_signed", "bounce_redelivery" };
  static const char *const texts[] = { "subject_prefix", "footer", "description", "posting" };

  for (gsize i = 0; i < G_N_ELEMENTS (privacy); i++)
    {
      const RfSettingDef *def = rf_setting_lookup (privacy[i]);

      g_assert_nonnull (def);
      g_assert_false (rf_setting_may_change (def, FALSE));
      g_assert_true (rf_setting_may_change (def, TRUE));
      g_assert_cmpstr (rf_setting_who_name (def), ==, "owner");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      const RfSettingDef *def = rf_setting_lookup (texts[i]);

      g_assert_true (rf_setting_may_change (def, FALSE));
      g_assert_cmpstr (rf_setting_who_name (def), ==, "moderator");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/table", test_table);
  g_test_add_func ("/settings/bool", test_bool);
  g_test_add_func ("/settings/size", test_size);
  g_test_add_func ("/settings/ranges", test_ranges);
  g_test_add_func ("/settings/int", test_int);
  g_test_add_func ("/settings/enum", test_enum);
  g_test_add_func ("/settings/string", test_string);
  g_test_add_func ("/settings/who", test_who);
  g_test_add_func ("/settings/addresses", test_addresses);
  return g_test_run ();
}
