/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-patients"

#include "config.h"

#include <string.h>

#include "ch-audit.h"
#include "ch-patients.h"
#include "ch-test-util.h"
#include "ch-users.h"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *desk;
} Fixture;

static ChPatientRecord *
make_patient (const char *given,
              const char *family,
              const char *birth_date,
              const char *phone)
{
  ChPatientRecord *record = ch_patient_record_new ();

  record->given_name = g_strdup (given);
  record->family_name = g_strdup (family);
  record->birth_date = g_strdup (birth_date);
  record->sex = g_strdup ("female");
  if (phone != NULL)
    ch_patient_record_add_phone (record, "mobile", phone);
  return record;
}

static gint64
register_patient (Fixture    *f,
                  const char *given,
                  const char *family,
                  const char *birth_date,
                  const char *phone)
{
  g_autoptr (ChPatientRecord) record = make_patient (given, family, birth_date, phone);
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_patients_register (f->desk, record, &error));
  g_assert_no_error (error);
  return record->id;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (GError) error = NULL;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "mgr", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  ch_session_logout (admin);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);

  register_patient (f, "Ana María", "García-López", "1980-05-17", "+1 (555) 201-3344");
  register_patient (f, "Anabel", "Smith", "1975-11-02", "555-777-0000");
  register_patient (f, "Siobhán", "O'Brien", "2001-03-04", NULL);
  register_patient (f, "José", "Núñez", "1980-05-17", "555 888 1212");
  register_patient (f, "Ana", "Andersson", "1999-12-31", NULL);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->desk);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* The family names found for @query, in list order, joined with "|". */
static char *
search (Fixture    *f,
        const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hits = ch_patients_search (f->desk, query, 50, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < hits->len; i++)
    {
      const ChPatientHit *hit = hits->pdata[i];
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, hit->family_name);
    }
  return g_string_free (out, FALSE);
}

#define assert_search(f, query, expected)        \
  G_STMT_START {                                  \
    g_autofree char *found_ = search (f, query);  \
    g_assert_cmpstr (found_, ==, expected);       \
  } G_STMT_END

static void
test_search_names (Fixture      *f,
                   gconstpointer data)
{
  /* Any part of the name, by prefix, whatever the case and accents. */
  assert_search (f, "garcia", "García-López");
  assert_search (f, "LOPEZ", "García-López");
  assert_search (f, "nunez", "Núñez");
  assert_search (f, "Núñ", "Núñez");
  assert_search (f, "obrien", "O'Brien");
  assert_search (f, "brien", "O'Brien");
  assert_search (f, "siob", "O'Brien");
  assert_search (f, "maria", "García-López");

  /* "ana" is a given name of three patients and the start of "Anabel":
   * exact words come first, then longer ones, each by name. */
  assert_search (f, "ana", "Andersson|García-López|Smith");
  assert_search (f, "ana gar", "García-López");
  assert_search (f, "gar ana", "García-López");
  assert_search (f, "ana 1999", "Andersson");
  assert_search (f, "zzz", "");
}

static void
test_search_dates_numbers (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) one = NULL;
  const ChPatientHit *hit;
  g_autofree char *mrn = NULL;

  /* Dates of birth as people type them. */
  assert_search (f, "1980-05-17", "García-López|Núñez");
  assert_search (f, "17.05.1980", "García-López|Núñez");
  assert_search (f, "17/05/1980", "García-López|Núñez");
  assert_search (f, "05/17/1980", "García-López|Núñez");
  assert_search (f, "19800517", "García-López|Núñez");
  assert_search (f, "4.3.01", "O'Brien");
  assert_search (f, "17.05.1980 jose", "Núñez");

  /* Phone numbers however they are written, from the start of the number. */
  assert_search (f, "555-201", "García-López");
  assert_search (f, "(555) 888", "Núñez");
  assert_search (f, "5558881212", "Núñez");

  /* The MRN, whole or its start. */
  one = ch_patients_search (f->desk, "smith", 1, &error);
  hit = one->pdata[0];
  mrn = g_strdup (hit->mrn);
  assert_search (f, mrn, "Smith");
}

static void
test_recent_when_empty (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) opened = NULL;

  assert_search (f, "", "");

  opened = ch_patients_open (f->desk, 2, &error);
  g_assert_no_error (error);
  g_clear_pointer (&opened, ch_patient_record_free);
  opened = ch_patients_open (f->desk, 4, &error);
  g_assert_no_error (error);

  /* The last opened first. */
  assert_search (f, "  ", "Núñez|Smith");
}

static void
test_register_details (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) record = make_patient ("Wei", "Chen", "1966-06-06", "555 1000 200");
  g_autoptr (ChPatientRecord) back = NULL;
  ChAuditFilter filter = { .action = CH_AUDIT_CREATE };
  g_autoptr (GPtrArray) created = NULL;

  record->preferred_name = g_strdup ("Vivian");
  record->pronouns = g_strdup ("she/her");
  record->gender_identity = g_strdup ("woman");
  record->address_line = g_strdup ("3 Elm Street");
  record->city = g_strdup ("Springfield");
  record->postal_code = g_strdup ("12345");
  record->email = g_strdup ("wei@example.org");
  record->language = g_strdup ("zh");
  record->emergency_name = g_strdup ("Li Chen");
  record->emergency_relation = g_strdup ("daughter");
  record->emergency_phone = g_strdup ("555 2000");
  record->primary_provider = g_strdup ("nobody");
  g_assert_false (ch_patients_register (f->desk, record, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_free (record->primary_provider);
  record->primary_provider = g_strdup ("doc");
  ch_patient_record_add_phone (record, "home", "555 3000 400");
  ch_patient_record_add_identifier (record, "national-id", "AB123456");

  g_assert_true (ch_patients_register (f->desk, record, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (record->mrn), ==, 8);

  back = ch_patients_get_by_mrn (f->desk, record->mrn, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->preferred_name, ==, "Vivian");
  g_assert_cmpstr (back->pronouns, ==, "she/her");
  g_assert_cmpstr (back->city, ==, "Springfield");
  g_assert_cmpstr (back->language, ==, "zh");
  g_assert_cmpstr (back->emergency_name, ==, "Li Chen");
  g_assert_cmpuint (back->phones->len, ==, 2);
  g_assert_cmpstr (((ChPhone *) back->phones->pdata[1])->kind, ==, "home");
  g_assert_cmpuint (back->identifiers->len, ==, 1);
  g_assert_cmpstr (((ChIdentifier *) back->identifiers->pdata[0])->value, ==, "AB123456");
  g_assert_cmpint (back->version, ==, 1);

  /* The preferred name and the second phone are searchable too. */
  assert_search (f, "vivian", "Chen");
  assert_search (f, "5553000", "Chen");

  created = ch_db_audit_page (ch_session_get_store (f->desk), &filter, 0, 1, &error);
  g_assert_cmpstr (((ChAuditRecord *) created->pdata[0])->object_id, ==, record->mrn);
}

/* An optional photo: a PNG or JPEG of at most 1 MB, stored with the record. */
static void
test_photo (Fixture      *f,
            gconstpointer data)
{
  static const guchar png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
  static const guchar jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F' };
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) record = make_patient ("Ana", "Photo", "1980-01-01", NULL);
  g_autoptr (ChPatientRecord) back = NULL;
  g_autofree guchar *big = g_malloc0 (CH_PATIENT_PHOTO_MAX_BYTES + 1);

  record->photo = g_bytes_new_static ("GIF89a......", 12);
  g_assert_false (ch_patients_register (f->desk, record, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "PNG or JPEG"));
  g_clear_error (&error);

  memcpy (big, png, sizeof png);
  g_bytes_unref (record->photo);
  record->photo = g_bytes_new (big, CH_PATIENT_PHOTO_MAX_BYTES + 1);
  g_assert_false (ch_patients_register (f->desk, record, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  g_bytes_unref (record->photo);
  record->photo = g_bytes_new_static (jpeg, sizeof jpeg);
  g_assert_true (ch_patients_register (f->desk, record, &error));
  g_assert_no_error (error);

  back = ch_patients_get_by_mrn (f->desk, record->mrn, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back->photo);
  g_assert_true (g_bytes_equal (back->photo, record->photo));
  {
    g_autoptr (GBytes) header = g_bytes_new_static (png, sizeof png);

    g_assert_true (ch_patients_photo_ok (header));
  }
}

static void
test_validation (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) bad = NULL;

  bad = make_patient ("No", "  ", "1980-01-01", NULL);
  g_assert_false (ch_patients_register (f->desk, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&bad, ch_patient_record_free);

  bad = make_patient ("Feb", "Thirty", "1980-02-30", NULL);
  g_assert_false (ch_patients_register (f->desk, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&bad, ch_patient_record_free);

  bad = make_patient ("Future", "Child", "2999-01-01", NULL);
  g_assert_false (ch_patients_register (f->desk, bad, &error));
  g_clear_error (&error);
  g_clear_pointer (&bad, ch_patient_record_free);

  bad = make_patient ("Phone", "Letters", "1980-01-01", "call me maybe");
  g_assert_false (ch_patients_register (f->desk, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&bad, ch_patient_record_free);

  bad = make_patient ("Mail", "Bad", "1980-01-01", NULL);
  bad->email = g_strdup ("not an address");
  g_assert_false (ch_patients_register (f->desk, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing of it was stored. */
  assert_search (f, "thirty", "");
  assert_search (f, "letters", "");
}

static void
test_duplicates (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) same_name = make_patient ("ana maria", "GARCIA-LOPEZ", "1980-05-17", NULL);
  g_autoptr (ChPatientRecord) same_phone = make_patient ("Other", "Person", "1990-01-01",
                                                         "555.888.1212");
  g_autoptr (ChPatientRecord) nobody = make_patient ("New", "Person", "1990-01-01", "555 123 9999");
  g_autoptr (GPtrArray) dups = NULL;

  dups = ch_patients_find_duplicates (f->desk, same_name, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dups->len, ==, 1);
  g_assert_cmpstr (((ChPatientHit *) dups->pdata[0])->family_name, ==, "García-López");
  g_clear_pointer (&dups, g_ptr_array_unref);

  dups = ch_patients_find_duplicates (f->desk, same_phone, &error);
  g_assert_cmpuint (dups->len, ==, 1);
  g_assert_cmpstr (((ChPatientHit *) dups->pdata[0])->family_name, ==, "Núñez");
  g_clear_pointer (&dups, g_ptr_array_unref);

  dups = ch_patients_find_duplicates (f->desk, nobody, &error);
  g_assert_cmpuint (dups->len, ==, 0);
  g_clear_pointer (&dups, g_ptr_array_unref);

  /* With or without the country code, the same number. */
  {
    g_autoptr (ChPatientRecord) abroad = make_patient ("Third", "Person", "1991-01-01",
                                                       "555 201 3344");
    dups = ch_patients_find_duplicates (f->desk, abroad, &error);
    g_assert_cmpuint (dups->len, ==, 1);
    g_assert_cmpstr (((ChPatientHit *) dups->pdata[0])->family_name, ==, "García-López");
  }
}

static void
test_update_keeps_history (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) record = ch_patients_get (f->desk, 2, &error);
  g_autoptr (ChPatientRecord) stale = ch_patient_record_copy (record);
  g_autoptr (ChPatientRecord) back = NULL;
  g_autoptr (GPtrArray) history = NULL;
  const ChHistoryEntry *entry;
  ChAuditFilter filter = { .action = CH_AUDIT_UPDATE };

  g_free (record->family_name);
  record->family_name = g_strdup ("Smith-Jones");
  g_assert_true (ch_patients_update (f->desk, record, "Married", &error));
  g_assert_no_error (error);
  g_assert_cmpint (record->version, ==, 2);

  back = ch_patients_get (f->desk, 2, &error);
  g_assert_cmpstr (back->family_name, ==, "Smith-Jones");
  assert_search (f, "jones", "Smith-Jones");

  history = ch_patients_history (f->desk, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  entry = history->pdata[0];
  g_assert_cmpint (entry->version, ==, 1);
  g_assert_cmpstr (entry->changed_by, ==, "desk");
  g_assert_cmpstr (entry->reason, ==, "Married");
  g_assert_nonnull (strstr (entry->snapshot, "'family_name': <'Smith'>"));

  g_assert_cmpint (ch_db_audit_count (ch_session_get_store (f->desk), &filter, &error), ==, 1);

  /* An edit of the old version is refused, not silently applied over. */
  g_free (stale->city);
  stale->city = g_strdup ("Shelbyville");
  g_assert_false (ch_patients_update (f->desk, stale, NULL, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT);
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_autoptr (ChSession) manager = ch_test_login (f->practice, "mgr", CH_TEST_PASSWORD);
  g_autoptr (ChPatientRecord) record = NULL;
  g_autoptr (ChPatientRecord) newcomer = make_patient ("New", "Comer", "1990-01-01", NULL);

  /* The administrator sees no patients at all. */
  g_assert_null (ch_patients_search (admin, "ana", 10, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (ch_patients_get (admin, 1, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The office manager reads demographics but changes nothing. */
  record = ch_patients_get (manager, 1, &error);
  g_assert_no_error (error);
  g_free (record->city);
  record->city = g_strdup ("Elsewhere");
  g_assert_false (ch_patients_update (manager, record, NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_patients_register (manager, newcomer, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
}

static void
test_insurance (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPolicyRecord) primary = ch_policy_record_new ();
  g_autoptr (ChPolicyRecord) secondary = ch_policy_record_new ();
  g_autoptr (ChPolicyRecord) bad = ch_policy_record_new ();
  g_autoptr (GPtrArray) policies = NULL;
  g_autoptr (GPtrArray) history = NULL;

  primary->patient_id = 1;
  primary->payer = g_strdup ("Acme Health");
  primary->plan = g_strdup ("Gold PPO");
  primary->member_id = g_strdup ("M-1001");
  primary->group_id = g_strdup ("G-77");
  primary->subscriber_name = g_strdup ("Ana María García-López");
  primary->subscriber_relation = g_strdup ("self");
  primary->start_date = g_strdup ("2024-01-01");
  g_assert_true (ch_patients_add_policy (f->desk, primary, &error));
  g_assert_no_error (error);

  secondary->patient_id = 1;
  secondary->priority = 2;
  secondary->payer = g_strdup ("Spouse Mutual");
  secondary->subscriber_name = g_strdup ("Luis García");
  secondary->subscriber_relation = g_strdup ("spouse");
  g_assert_true (ch_patients_add_policy (f->desk, secondary, &error));

  bad->patient_id = 1;
  bad->payer = g_strdup ("Backwards");
  bad->start_date = g_strdup ("2025-01-01");
  bad->end_date = g_strdup ("2024-01-01");
  g_assert_false (ch_patients_add_policy (f->desk, bad, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);

  policies = ch_patients_list_policies (f->desk, 1, &error);
  g_assert_cmpuint (policies->len, ==, 2);
  g_assert_cmpstr (((ChPolicyRecord *) policies->pdata[0])->payer, ==, "Acme Health");
  g_assert_cmpstr (((ChPolicyRecord *) policies->pdata[1])->subscriber_relation, ==, "spouse");
  g_clear_pointer (&policies, g_ptr_array_unref);

  g_free (primary->member_id);
  primary->member_id = g_strdup ("M-2002");
  g_assert_true (ch_patients_update_policy (f->desk, primary, "New card", &error));
  g_assert_no_error (error);

  g_assert_false (ch_patients_policy_entered_in_error (f->desk, secondary->id, "", &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ch_patients_policy_entered_in_error (f->desk, secondary->id,
                                                      "Wrong patient", &error));
  g_assert_no_error (error);

  policies = ch_patients_list_policies (f->desk, 1, &error);
  g_assert_cmpuint (policies->len, ==, 1);
  g_assert_cmpstr (((ChPolicyRecord *) policies->pdata[0])->member_id, ==, "M-2002");

  history = ch_db_item_history (ch_session_get_store (f->desk), "insurance", primary->id, &error);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_nonnull (strstr (((ChHistoryEntry *) history->pdata[0])->snapshot, "M-1001"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/patients/search/names", test_search_names);
  ADD ("/patients/search/dates-numbers", test_search_dates_numbers);
  ADD ("/patients/search/recent", test_recent_when_empty);
  ADD ("/patients/register/details", test_register_details);
  ADD ("/patients/register/validation", test_validation);
  ADD ("/patients/register/photo", test_photo);
  ADD ("/patients/register/duplicates", test_duplicates);
  ADD ("/patients/update/history", test_update_keeps_history);
  ADD ("/patients/permissions", test_permissions);
  ADD ("/patients/insurance", test_insurance);

  return g_test_run ();
}
