/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-interop"

#include "config.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch-demo.h"
#include "ch-fhir.h"
#include "ch-labs.h"
#include "ch-patients.h"
#include "ch-practice.h"
#include "ch-session.h"

/* Labs and interoperability on a demo practice of 100,000 patients with
 * full charts (problems, medications, allergies, immunizations, vital signs,
 * encounters, appointments):
 *
 *   hl7    ORU^R01 messages with 10 OBX each, as a lab sends them, imported
 *          one after another through ch_labs_import_message() — each one
 *          logged with its raw bytes, matched to its patient by MRN with the
 *          name and birth date checked, its report and results stored in its
 *          own transaction with the audit entry (goal: 1,000 messages a
 *          second);
 *   fhir   the bulk export of the whole practice to NDJSON
 *          (ch_fhir_export_all()): time, resources and MB/s.
 *
 * The practice is generated once into CHARTA_BENCH_INTEROP_DIR (meson.build:
 * BUILDDIR/bench-interop-practice; several minutes) and reused; every run
 * imports another batch of results into it (so the exported charts grow a
 * little). BENCH_INTEROP_PATIENTS and BENCH_INTEROP_MESSAGES change the
 * sizes. */

#define DEFAULT_PATIENTS  100000
#define DEFAULT_MESSAGES  5000
#define OBX_PER_MESSAGE   10
#define BATCH             100

/* The practice this bench was first measured on: charts and today's
 * schedule, without the visit and billing history the demo has since
 * gained, so that its figures stay comparable. */
static const ChDemoOptions no_history = { 0 };

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL && *text ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

/* Control IDs unique across runs on the same practice. */
static guint32 run_id;

static const char * const panel[OBX_PER_MESSAGE][5] = {
  /* LOINC, name, units, range, mean */
  { "2345-7", "Glucose", "mg/dL", "70-99", "95" },
  { "3094-0", "Urea nitrogen", "mg/dL", "7-20", "14" },
  { "2160-0", "Creatinine", "mg/dL", "0.6-1.3", "0.9" },
  { "2951-2", "Sodium", "mmol/L", "135-145", "140" },
  { "2823-3", "Potassium", "mmol/L", "3.5-5.1", "4.2" },
  { "2075-0", "Chloride", "mmol/L", "98-107", "102" },
  { "2028-9", "Carbon dioxide", "mmol/L", "22-29", "25" },
  { "17861-6", "Calcium", "mg/dL", "8.6-10.3", "9.4" },
  { "2885-2", "Protein", "g/dL", "6.0-8.3", "7.1" },
  { "1751-7", "Albumin", "g/dL", "3.5-5.2", "4.3" },
};

/* An ORU^R01 in the style of a reference lab: CR segment ends, ORC, one
 * OBR, ten OBX with units, ranges, flags and status, an NTE. */
static GBytes *
make_oru (const ChPatientRecord *patient,
          guint                  serial,
          GRand                 *rand)
{
  GString *m = g_string_new (NULL);
  g_autofree char *dob = NULL;
  const char *sex = g_str_equal (patient->sex, "female") ? "F"
                  : g_str_equal (patient->sex, "male") ? "M" : "U";

  dob = patient->birth_date != NULL ? g_strdup (patient->birth_date) : g_strdup ("");
  for (char *s = dob, *d = dob;; s++)
    if (*s != '-' && (*d++ = *s) == '\0')
      break;

  g_string_append_printf (m, "MSH|^~\\&|BENCHLAB|BENCH REFERENCE LAB|CHARTA|RIVERSIDE|20261125083000||"
                             "ORU^R01^ORU_R01|BL%08X%07u|P|2.5.1\r", run_id, serial);
  g_string_append_printf (m, "PID|1||%s^^^RIVERSIDE^MR||%s^%s||%s|%s\r",
                          patient->mrn, patient->family_name, patient->given_name, dob, sex);
  g_string_append_printf (m, "ORC|RE|P%08u|F%08u\r", serial, serial);
  g_string_append_printf (m, "OBR|1|P%08u|F%08u|24323-8^Comprehensive metabolic panel^LN|||"
                             "20261125071500|||||||||DOC123^Doctor^Dana||||||20261125083000|||F\r",
                          serial, serial);
  for (guint i = 0; i < OBX_PER_MESSAGE; i++)
    {
      double mean = g_ascii_strtod (panel[i][4], NULL);
      double value = mean * g_rand_double_range (rand, 0.8, 1.25);
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (buffer, sizeof buffer, "%.1f", value);
      g_string_append_printf (m, "OBX|%u|NM|%s^%s^LN||%s|%s|%s|%s|||F|||20261125071500\r",
                              i + 1, panel[i][0], panel[i][1], buffer, panel[i][2], panel[i][3],
                              value > mean * 1.2 ? "H" : "N");
    }
  g_string_append (m, "NTE|1|L|Fasting specimen.\r");

  return g_string_free_to_bytes (m);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
bench_hl7 (ChSession *doctor,
           guint      n_patients,
           guint      n_messages)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_get_real_time ());
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree double *times = g_new (double, n_messages);
  guint serial = 0;
  gsize bytes = 0;
  guint imported = 0;
  gint64 start;
  double total;

  /* The messages are made first: building them is the lab's work. */
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 id = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
      g_autoptr (ChPatientRecord) patient = ch_patients_get (doctor, id, &error);

      check (patient != NULL, error);
      g_ptr_array_add (messages, make_oru (patient, serial + i, rand));
      bytes += g_bytes_get_size (messages->pdata[i]);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr (GError) error = NULL;
      g_auto (ChLabsImportResult) result = { 0 };
      gint64 t0 = g_get_monotonic_time ();

      check (ch_labs_import_message (doctor, messages->pdata[i], CH_LABS_SOURCE_MLLP, &result, &error),
             error);
      times[i] = (g_get_monotonic_time () - t0) / 1000.0;
      if (result.outcome == CH_LABS_OUTCOME_IMPORTED)
        imported++;
      else
        g_error ("message %u was not imported: %s", i, result.reason);
    }
  total = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  qsort (times, n_messages, sizeof (double), compare_double);

  g_print ("HL7 ORU^R01 in (%u OBX each, %u patients):\n", OBX_PER_MESSAGE, n_patients);
  g_print ("  one at a time (MLLP: each message durably committed before its ACK):\n");
  g_print ("    %u messages (%.1f MB) in %.2f s: %.0f messages/s, %.0f results/s\n",
           imported, bytes / 1e6, total, imported / total, imported * OBX_PER_MESSAGE / total);
  g_print ("    per message: median %.2f ms, p99 %.2f ms, worst %.2f ms\n",
           times[n_messages / 2], times[(gsize) (n_messages * 0.99)], times[n_messages - 1]);

  /* The same again as batches (a file or the drop folder): one commit a
   * batch, each message still whole or not at all. */
  for (guint i = 0; i < messages->len; i++)
    {
      g_bytes_unref (messages->pdata[i]);
      messages->pdata[i] = NULL;
    }
  g_ptr_array_set_size (messages, 0);
  serial += n_messages;
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 id = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
      g_autoptr (ChPatientRecord) patient = ch_patients_get (doctor, id, &error);

      check (patient != NULL, error);
      g_ptr_array_add (messages, make_oru (patient, serial + i, rand));
    }
  imported = 0;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_messages; i += BATCH)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) batch = g_ptr_array_new ();
      g_autoptr (GArray) results = NULL;

      for (guint j = i; j < MIN (i + BATCH, n_messages); j++)
        g_ptr_array_add (batch, messages->pdata[j]);
      check (ch_labs_import_messages (doctor, batch, CH_LABS_SOURCE_FOLDER, &results, &error), error);
      for (guint j = 0; j < results->len; j++)
        if (g_array_index (results, ChLabsImportResult, j).outcome == CH_LABS_OUTCOME_IMPORTED)
          imported++;
    }
  total = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (imported != n_messages)
    g_error ("only %u of %u messages were imported in batches", imported, n_messages);
  g_print ("  in batches of %u (a file, the drop folder):\n", BATCH);
  g_print ("    %u messages in %.2f s: %.0f messages/s, %.0f results/s (goal: 1,000 messages/s)\n",
           imported, total, imported / total, imported * OBX_PER_MESSAGE / total);
}

static void
bench_fhir (ChSession  *doctor,
            const char *work_dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (work_dir, "fhir-export", NULL);
  g_autoptr (GPtrArray) outputs = NULL;
  guint64 bytes = 0;
  guint resources = 0;
  gint64 start;
  double seconds;

  if (g_file_test (out_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", out_dir);
      check (system (command) == 0, NULL);
    }

  start = g_get_monotonic_time ();
  outputs = ch_fhir_export_all (doctor, out_dir, CH_FHIR_EXPORT_DEFAULT, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  check (outputs != NULL, error);

  g_print ("FHIR R4 bulk export (NDJSON, no document bytes):\n");
  for (guint i = 0; i < outputs->len; i++)
    {
      ChFhirOutput *output = outputs->pdata[i];
      GStatBuf st;

      check (g_stat (output->path, &st) == 0, NULL);
      bytes += st.st_size;
      resources += output->count;
      g_print ("  %-22s %9u resources %8.1f MB\n", output->resource_type, output->count,
               st.st_size / 1e6);
    }
  g_print ("  total: %u resources, %.1f MB in %.2f s (%.1f MB/s, %.0f resources/s)\n",
           resources, bytes / 1e6, seconds, bytes / 1e6 / seconds, resources / seconds);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *work_dir = g_getenv ("CHARTA_BENCH_INTEROP_DIR");
  g_autofree char *practice_dir = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) doctor = NULL;
  guint n_patients = env_uint ("BENCH_INTEROP_PATIENTS", DEFAULT_PATIENTS);
  guint n_messages = env_uint ("BENCH_INTEROP_MESSAGES", DEFAULT_MESSAGES);
  gboolean do_hl7 = TRUE, do_fhir = TRUE;

  run_id = g_random_int ();

  if (argc > 1)
    {
      do_hl7 = g_strv_contains ((const char * const *) argv + 1, "hl7");
      do_fhir = g_strv_contains ((const char * const *) argv + 1, "fhir");
    }
  if (work_dir == NULL)
    work_dir = g_get_tmp_dir ();
  practice_dir = g_build_filename (work_dir, "practice", NULL);

  if (!g_file_test (practice_dir, G_FILE_TEST_IS_DIR))
    {
      gint64 start = g_get_monotonic_time ();

      g_mkdir_with_parents (work_dir, 0700);
      g_print ("Generating a demo practice of %u patients in %s...\n", n_patients, practice_dir);
      check (ch_demo_create_full (practice_dir, n_patients, 1, &no_history, NULL, &error), error);
      g_print ("  done in %.0f s\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
    }

  practice = ch_practice_open (practice_dir, &error);
  check (practice != NULL, error);
  doctor = ch_session_login (practice, "doctor", CH_DEMO_PASSWORD, &error);
  check (doctor != NULL, error);

  if (do_hl7)
    bench_hl7 (doctor, n_patients, n_messages);
  if (do_fhir)
    bench_fhir (doctor, work_dir);

  return 0;
}
