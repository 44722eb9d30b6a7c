/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-summary-pdf"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-demo.h"
#include "ch-patients.h"
#include "ch-summary-pdf.h"
#include "ch-test-util.h"

/* One demo practice for every test: making it is the slow part. */
static char       *practice_dir;
static ChPractice *practice;
static ChSession  *doctor;

static gint64
count_prints (ChSession  *session,
              const char *username)
{
  g_autoptr (GError) error = NULL;
  ChAuditFilter filter = { .action = CH_AUDIT_PRINT, .username = username };
  g_autoptr (GPtrArray) entries = ch_db_audit_page (ch_session_get_store (session), &filter, 0,
                                                    1000, &error);

  g_assert_no_error (error);
  return entries->len;
}

static GHashTable *
list_dir (const char *path)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_hash_table_add (names, g_strdup (name));
  return names;
}

/* Patient 1's summary, as a doctor prints it: who they are, every active
 * problem, the allergies or "No known allergies", each medication with its
 * dose, the results; one "print" in the audit naming the chart's MRN; and
 * nothing in the folder but the PDF itself. */
static void
test_write (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (practice_dir, "summary-1.pdf", NULL);
  g_autoptr (GHashTable) before = list_dir (practice_dir);
  g_autoptr (GHashTable) after = NULL;
  g_autoptr (ChChartSummary) summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autoptr (GPtrArray) prints = NULL;
  g_autofree char *practice_name = ch_session_get_practice_name (doctor);
  ChAuditFilter filter = { .action = CH_AUDIT_PRINT, .username = "doctor" };
  ChAuditRecord *entry;
  GStatBuf st;
  guint active = 0;

  g_assert_cmpint (count_prints (doctor, NULL), ==, 0);
  g_assert_true (ch_summary_pdf_write (doctor, 1, path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  after = list_dir (practice_dir);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before) + 1);
  g_assert_true (g_hash_table_contains (after, "summary-1.pdf"));

  text = ch_test_pdf_text (path);
  flat = ch_test_squeeze (text);
  summary = ch_chart_open (doctor, 1, &error);
  g_assert_no_error (error);

  ch_test_assert_has (flat, practice_name);
  ch_test_assert_has (flat, summary->patient->family_name);
  ch_test_assert_has (flat, summary->patient->given_name);
  ch_test_assert_has (flat, summary->patient->mrn);
  for (guint i = 0; i < summary->problems->len; i++)
    {
      ChChartItem *problem = summary->problems->pdata[i];

      if (g_strcmp0 (problem->clinical_status, "active") == 0)
        {
          ch_test_assert_has (flat, problem->display);
          active++;
        }
    }
  if (summary->allergies->len > 0)
    for (guint i = 0; i < summary->allergies->len; i++)
      ch_test_assert_has (flat, ((ChChartItem *) summary->allergies->pdata[i])->display);
  else
    {
      g_assert_true (summary->no_known_allergies);
      ch_test_assert_has (flat, "No known allergies");
    }
  for (guint i = 0; i < summary->medications->len; i++)
    {
      ChChartItem *med = summary->medications->pdata[i];

      ch_test_assert_has (flat, med->display);
      ch_test_assert_has (flat, ch_chart_item_get_detail (med, "dose"));
    }
  for (guint i = 0; i < summary->recent_results->len; i++)
    ch_test_assert_has (flat, ((ChChartItem *) summary->recent_results->pdata[i])->display);
  if (active == 0)
    ch_test_assert_has (flat, "No current health problems recorded.");
  g_test_message ("patient 1: %u active problems, %u allergies, %u medications, %u results",
                  active, summary->allergies->len, summary->medications->len,
                  summary->recent_results->len);
  g_assert_cmpuint (summary->vitals->len, >, 0);
  ch_test_assert_has (flat, "Blood pressure (mmHg)");
  ch_test_assert_has (flat, "Weight (kg)");
  ch_test_assert_has (flat, "Page 1");

  /* One print, by the doctor, of this chart. */
  g_assert_cmpint (count_prints (doctor, NULL), ==, 1);
  prints = ch_db_audit_page (ch_session_get_store (doctor), &filter, 0, 10, &error);
  g_assert_no_error (error);
  entry = prints->pdata[0];
  g_assert_cmpstr (entry->object_type, ==, "chart");
  g_assert_cmpstr (entry->object_id, ==, summary->patient->mrn);
  g_assert_cmpint (entry->patient_id, ==, 1);

  /* Printing again replaces the file, and is audited again. */
  g_assert_true (ch_summary_pdf_write (doctor, 1, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_prints (doctor, NULL), ==, 2);
  g_clear_pointer (&after, g_hash_table_unref);
  after = list_dir (practice_dir);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before) + 1);
  g_unlink (path);
}

/* Front desk may not read the chart, so may not print it: refused, no file,
 * no print in the audit. */
static void
test_front_desk_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) desk = ch_test_login (practice, "frontdesk", CH_DEMO_PASSWORD);
  g_autofree char *path = g_build_filename (practice_dir, "desk.pdf", NULL);
  g_autoptr (GHashTable) before = list_dir (practice_dir);
  g_autoptr (GHashTable) after = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint64 prints = count_prints (doctor, NULL);

  g_assert_false (ch_summary_pdf_write (desk, 1, path, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  after = list_dir (practice_dir);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));

  bytes = ch_summary_pdf_render (desk, 1, &error);
  g_assert_null (bytes);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);

  g_assert_cmpint (count_prints (doctor, NULL), ==, prints);
  g_assert_cmpint (count_prints (doctor, "frontdesk"), ==, 0);
  ch_session_logout (desk);
}

/* A folder that cannot be written: an error, nothing left, nothing audited. */
static void
test_unwritable (void)
{
  g_autoptr (GError) error = NULL;
  gint64 prints = count_prints (doctor, NULL);
  g_autofree char *missing = g_build_filename (practice_dir, "no-such-folder", "x.pdf", NULL);
  g_autofree char *nobody = g_build_filename (practice_dir, "nobody.pdf", NULL);

  g_assert_false (ch_summary_pdf_write (doctor, 1, "/proc/x.pdf", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/proc/x.pdf"));
  g_clear_error (&error);
  g_assert_false (g_file_test ("/proc/x.pdf", G_FILE_TEST_EXISTS));

  g_assert_false (ch_summary_pdf_write (doctor, 1, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* No such patient. */
  g_assert_false (ch_summary_pdf_write (doctor, 999999, nobody, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (nobody, G_FILE_TEST_EXISTS));

  g_assert_cmpint (count_prints (doctor, NULL), ==, prints);
}

/* The bytes are a PDF, and are audited as a print too. */
static void
test_render_bytes (void)
{
  g_autoptr (GError) error = NULL;
  gint64 prints = count_prints (doctor, NULL);
  g_autoptr (GBytes) bytes = ch_summary_pdf_render (doctor, 2, &error);
  gsize size = 0;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, >, 2000);
  g_assert_true (memcmp (data, "%PDF-", 5) == 0);
  g_assert_cmpint (count_prints (doctor, NULL), ==, prints + 1);
}

/* A long chart runs onto more pages, every problem on one of them; a
 * medication with its dose, an allergy in place of "no known allergies". */
static void
test_page_breaks (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (practice_dir, "long.pdf", NULL);
  g_auto (GStrv) pages = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;

  for (int i = 0; i < 70; i++)
    {
      g_autoptr (ChChartItem) problem = ch_chart_item_new (CH_SECTION_PROBLEM);

      problem->patient_id = 3;
      problem->display = g_strdup_printf ("Made-up condition number %d of a long list", i);
      problem->start_date = g_strdup ("2020-02-02");
      g_assert_true (ch_chart_add (doctor, problem, &error));
      g_assert_no_error (error);
    }

  /* A medication and an allergy of our own too. */
  {
    g_autoptr (ChChartItem) med = ch_chart_item_new (CH_SECTION_MEDICATION);
    g_autoptr (ChChartItem) allergy = ch_chart_item_new (CH_SECTION_ALLERGY);

    med->patient_id = allergy->patient_id = 3;
    med->display = g_strdup ("Placebomab 5 mg tablet");
    ch_chart_item_set_detail (med, "dose", "5 mg with breakfast");
    allergy->display = g_strdup ("Ragweed pollen");
    allergy->kind = g_strdup ("environment");
    allergy->reaction = g_strdup ("Sneezing");
    allergy->severity = g_strdup ("severe");
    g_assert_true (ch_chart_add (doctor, med, &error));
    g_assert_true (ch_chart_add (doctor, allergy, &error));
    g_assert_no_error (error);
  }

  g_assert_true (ch_summary_pdf_write (doctor, 3, path, &error));
  g_assert_no_error (error);
  text = ch_test_pdf_text (path);
  flat = ch_test_squeeze (text);
  ch_test_assert_has (flat, "Placebomab 5 mg tablet");
  ch_test_assert_has (flat, "5 mg with breakfast");
  ch_test_assert_has (flat, "Ragweed pollen");
  ch_test_assert_has (flat, "Sneezing");
  g_assert_null (strstr (text, "No known allergies"));
  for (int i = 0; i < 70; i++)
    {
      g_autofree char *name = g_strdup_printf ("Made-up condition number %d of a long list", i);

      ch_test_assert_has (flat, name);
    }
  ch_test_assert_has (flat, "Page 2");
  ch_test_assert_has (flat, "Page 3");
  /* Each page names the patient; the table's header is repeated. */
  pages = g_strsplit (text, "MRN", -1);
  g_assert_cmpuint (g_strv_length (pages), >=, 4);
  g_unlink (path);
}

/* A toddler's summary carries growth charts with the child's percentile. */
static void
test_child (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSession) desk = ch_test_login (practice, "frontdesk", CH_DEMO_PASSWORD);
  g_autoptr (ChPatientRecord) child = ch_patient_record_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) born = g_date_time_add_months (now, -20);
  g_autofree char *path = g_build_filename (practice_dir, "child.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  static const struct
  {
    int    months;
    double kg, cm;
  } visits[] = { { 2, 5.6, 58 }, { 6, 7.9, 67 }, { 12, 9.9, 76 }, { 18, 11.0, 82 } };

  child->given_name = g_strdup ("Milo");
  child->family_name = g_strdup ("Achterberg");
  child->birth_date = g_date_time_format (born, "%Y-%m-%d");
  child->sex = g_strdup ("male");
  g_assert_true (ch_patients_register (desk, child, &error));
  g_assert_no_error (error);
  ch_session_logout (desk);

  for (guint i = 0; i < G_N_ELEMENTS (visits); i++)
    {
      g_autoptr (GDateTime) at = g_date_time_add_months (born, visits[i].months);
      ChVitalInput inputs[] = {
        { CH_LOINC_WEIGHT, visits[i].kg, "kg" },
        { CH_LOINC_HEIGHT, visits[i].cm, "cm" },
      };

      g_assert_true (ch_chart_record_vitals (doctor, child->id, 0,
                                             g_date_time_to_unix (at) * G_USEC_PER_SEC, inputs,
                                             G_N_ELEMENTS (inputs), &error));
      g_assert_no_error (error);
    }

  g_assert_true (ch_summary_pdf_write (doctor, child->id, path, &error));
  g_assert_no_error (error);
  text = ch_test_pdf_text (path);
  flat = ch_test_squeeze (text);
  ch_test_assert_has (flat, "Achterberg");
  ch_test_assert_has (flat, "20 months");
  ch_test_assert_has (flat, "No allergies recorded");
  ch_test_assert_has (flat, "Weight for age (kg)");
  ch_test_assert_has (flat, "Length or height for age (cm)");
  ch_test_assert_has (flat, "Boys, birth to 36 months");
  ch_test_assert_has (flat, "Latest: percentile");
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  practice_dir = ch_test_make_dir ();
  g_assert_true (ch_demo_create (practice_dir, 5, 1, NULL, &error));
  g_assert_no_error (error);
  practice = ch_practice_open (practice_dir, &error);
  g_assert_no_error (error);
  doctor = ch_test_login (practice, "doctor", CH_DEMO_PASSWORD);

  g_test_add_func ("/summary-pdf/write", test_write);
  g_test_add_func ("/summary-pdf/front-desk-refused", test_front_desk_refused);
  g_test_add_func ("/summary-pdf/unwritable", test_unwritable);
  g_test_add_func ("/summary-pdf/render-bytes", test_render_bytes);
  g_test_add_func ("/summary-pdf/page-breaks", test_page_breaks);
  g_test_add_func ("/summary-pdf/child", test_child);

  status = g_test_run ();

  ch_session_logout (doctor);
  g_clear_object (&doctor);
  g_clear_object (&practice);
  ch_test_remove_dir (practice_dir);
  g_free (practice_dir);
  return status;
}
