/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-billing-docs"

#include "config.h"

#include <glib/gstdio.h>

#include <inttypes.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing-docs.h"
#include "ch-chart.h"
#include "ch-patients.h"
#include "ch-report.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The billing print-outs through their controller, read back with
 * pdftotext -layout: an invoice's lines, diagnoses, payments, write-offs,
 * reversed lines and amount due, to the patient and to the insurer; a
 * statement's opening and closing balances, running balance, reversed
 * entries and ageing over a history posted on chosen days; many lines
 * breaking across pages with the table's head on each; the daily close's
 * cash drawer arithmetic (over and short), a second close refused, a reopen
 * superseding it, nothing recorded when the PDF cannot be written; who may
 * print and who may close; the audit entries. */

typedef struct
{
  char       *dir;
  char       *fees;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *nurse;
  ChSession  *desk;
  ChSession  *manager;
  gint64      patient_id;
  gint64      encounter;
} Fixture;

static const char fee_csv[] =
  "code,description,price,effective_from,effective_to\n"
  "99213,\"Established patient office visit, low complexity\",102.50,2024-01-01,\n"
  "83036,Glycated haemoglobin (HbA1c),21.00,2024-01-01,\n"
  "36415,Drawing venous blood for tests,12,2024-01-01,\n";

static gint64
add_encounter (Fixture    *f,
               const char *iso)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (GDateTime) at = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr (GError) error = NULL;

  encounter->patient_id = f->patient_id;
  encounter->start_at = g_date_time_to_unix (at) * G_USEC_PER_SEC;
  encounter->provider = g_strdup ("doc");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Follow-up");
  g_assert_true (ch_chart_add_encounter (f->doctor, encounter, &error));
  g_assert_no_error (error);
  return encounter->id;
}

static void
add_problem (Fixture    *f,
             const char *code,
             const char *display)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_PROBLEM);
  g_autoptr (GError) error = NULL;

  item->patient_id = f->patient_id;
  item->code = g_strdup (code);
  item->display = g_strdup (display);
  item->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
}

/* One practice for every test (logging in is slow by design); each test has
 * its own patient. The daily close counts the whole practice's day, so its
 * test runs first. */
static Fixture shared;

static void
shared_setup (void)
{
  g_autoptr (GError) error = NULL;
  Fixture *f = &shared;
  ChFeeImportResult result = { 0 };

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD,
                               &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);

  f->fees = g_build_filename (f->dir, "fees.csv", NULL);
  g_assert_true (g_file_set_contents (f->fees, fee_csv, -1, NULL));
  g_assert_true (ch_billing_fees_import (f->manager, f->fees, &result, &error));
  g_assert_no_error (error);
}

static void
shared_teardown (void)
{
  Fixture *f = &shared;

  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->fees);
  g_free (f->dir);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();

  *f = shared;
  patient->given_name = g_strdup ("Zoë");
  patient->family_name = g_strdup ("Ångström");
  patient->birth_date = g_strdup ("1970-03-04");
  patient->sex = g_strdup ("female");
  patient->address_line = g_strdup ("7 Long Lane");
  patient->city = g_strdup ("Springfield");
  patient->postal_code = g_strdup ("80174");
  g_assert_true (ch_patients_register (f->doctor, patient, &error));
  g_assert_no_error (error);
  f->patient_id = patient->id;
  f->encounter = add_encounter (f, "2025-02-03T10:00:00Z");
  add_problem (f, "E11.9", "Type 2 diabetes mellitus");
  add_problem (f, "I10", "Essential hypertension");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  g_autoptr (GError) error = NULL;
  ChStore *store = ch_session_get_store (f->admin);
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (ch_store_step (store, stmt, &error), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static gboolean
exec (Fixture    *f,
      const char *sql)
{
  g_autoptr (GError) error = NULL;

  return ch_store_exec (ch_session_get_store (f->admin), sql, &error);
}

static ChChargeLine *
charge (Fixture            *f,
        gint64              encounter_id,
        const char         *code,
        gint64              units,
        const char * const *modifiers,
        const char * const *dx)
{
  g_autoptr (GError) error = NULL;
  ChChargeLine *line = ch_billing_charge_add (f->desk, encounter_id, code, units, modifiers, dx,
                                              &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static ChPayment *
pay (Fixture    *f,
     gint64      cents,
     const char *method,
     const char *reference,
     gint64      line_id,
     gint64      allocated)
{
  g_autoptr (GError) error = NULL;
  ChAllocation a = { line_id, allocated };
  ChPayment *payment = ch_billing_pay (f->desk, f->patient_id, cents, method, reference, &a,
                                       line_id ? 1 : 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (payment);
  return payment;
}

/* The pages of @pdf as pdftotext -layout sees them. */
static char **
pdf_pages (Fixture *f,
           GBytes  *pdf)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "read.pdf", NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  gsize size;
  const char *data = g_bytes_get_data (pdf, &size);
  int status;
  char **pages;
  guint n;

  g_assert_true (g_file_set_contents (path, data, size, NULL));
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    g_error ("pdftotext is missing: install poppler-utils (%s)", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  pages = g_strsplit (out, "\f", -1);
  n = g_strv_length (pages);
  if (n > 0 && *pages[n - 1] == '\0')
    g_clear_pointer (&pages[n - 1], g_free);
  return pages;
}

static char *
pdf_text (Fixture *f,
          GBytes  *pdf)
{
  g_auto (GStrv) pages = pdf_pages (f, pdf);

  return g_strjoinv ("\f", pages);
}

/* Fails unless one line of @text holds @first and, after it, @second. */
static void
assert_line (const char *text,
             const char *first,
             const char *second)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *a = strstr (lines[i], first);

      if (a != NULL && (second == NULL || strstr (a + strlen (first), second) != NULL))
        return;
    }
  g_error ("no line holds “%s” then “%s” in:\n%s", first, second ? second : "", text);
}

static void
assert_no_line (const char *text,
                const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, text);
}

static char *
day_ago (int days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, -days);

  return g_date_time_format (then, "%Y-%m-%d");
}

/* ---- invoices ------------------------------------------------------------------- */

static void
test_invoice (Fixture       *f,
              gconstpointer  data)
{
  const char *mod25[] = { "25", NULL };
  const char *e119[] = { "E11.9", NULL };
  const char *i10[] = { "I10", NULL };
  g_autoptr (ChChargeLine) visit = charge (f, f->encounter, "99213", 1, mod25, e119);
  g_autoptr (ChChargeLine) blood = charge (f, f->encounter, "36415", 2, NULL, i10);
  g_autoptr (ChChargeLine) a1c = charge (f, f->encounter, "83036", 1, NULL, NULL);
  g_autoptr (ChPayment) card = pay (f, 5000, "card", "1234", visit->id, 5000);
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autoptr (ChLedgerEntry) write_off = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  g_autofree char *text = NULL;
  g_autofree char *number = ch_billing_invoice_number (f->encounter);
  g_autofree char *sql = NULL;

  reversal = ch_billing_reverse (f->manager, a1c->ledger_entry_id, "Not done", &error);
  g_assert_no_error (error);
  write_off = ch_billing_write_off (f->manager, f->patient_id, 400, blood->id, "Small balance",
                                    &error);
  g_assert_no_error (error);

  pdf = ch_billing_invoice_pdf (f->desk, f->encounter, CH_INVOICE_TO_PATIENT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  text = pdf_text (f, pdf);

  g_autofree char *expected_number = g_strdup_printf ("INV-%06" PRId64, f->encounter);

  g_assert_cmpstr (number, ==, expected_number);
  assert_line (text, "Test Practice", "Invoice");
  assert_line (text, "Invoice", number);
  assert_line (text, "Date of service", "2025-02-03");
  assert_line (text, "Ångström, Zoë", NULL);
  assert_line (text, "7 Long Lane", NULL);
  /* The lines: code, description, modifiers, units, unit price, amount. */
  assert_line (text, "99213", "Established patient office visit");
  assert_line (text, "25", "$102.50");
  assert_line (text, "36415", "Drawing venous blood for tests");
  assert_line (text, "$12.00", "$24.00");
  assert_line (text, "83036", "Glycated");
  assert_line (text, "(reversed, not counted)", NULL);
  assert_line (text, "Total charges", "$126.50");
  assert_line (text, "E11.9 Type 2 diabetes mellitus", NULL);
  assert_line (text, "I10 Essential hypertension", NULL);
  assert_line (text, "Payment — card (ref 1234)", "−$50.00");
  assert_line (text, "Write-off: Small balance", "−$4.00");
  assert_line (text, "Payments", "−$50.00");
  /* 102.50 + 24.00 − 50.00 − 4.00 */
  assert_line (text, "Amount due", "$72.50");
  assert_line (text, "Page 1 of 1", NULL);
  assert_no_line (text, "Member ID");

  /* To the insurer: there is none yet. */
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_invoice_pdf (f->desk, f->encounter, CH_INVOICE_TO_INSURER, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_assert_null (pdf);
  g_clear_error (&error);

  policy->patient_id = f->patient_id;
  policy->priority = 1;
  policy->payer = g_strdup ("Acme Health");
  policy->plan = g_strdup ("Silver PPO");
  policy->member_id = g_strdup ("M-555");
  policy->group_id = g_strdup ("G-42");
  policy->subscriber_name = g_strdup ("Zoë Ångström");
  policy->subscriber_relation = g_strdup ("self");
  g_assert_true (ch_patients_add_policy (f->desk, policy, &error));
  g_assert_no_error (error);
  pdf = ch_billing_invoice_pdf (f->desk, f->encounter, CH_INVOICE_TO_INSURER, &error);
  g_assert_no_error (error);
  g_free (text);
  text = pdf_text (f, pdf);
  assert_line (text, "Acme Health", NULL);
  assert_line (text, "Member ID: M-555", NULL);
  assert_line (text, "Group: G-42", NULL);
  assert_line (text, "Amount due", "$72.50");

  /* The physician may print it; the nurse has no access to billing. */
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_invoice_pdf (f->doctor, f->encounter, CH_INVOICE_TO_PATIENT, &error);
  g_assert_no_error (error);
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_invoice_pdf (f->nurse, f->encounter, CH_INVOICE_TO_PATIENT, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Every print-out is in the patient's access history. */
  sql = g_strdup_printf ("SELECT count (*) FROM audit WHERE action = 'print' AND object_type ="
                         " 'invoice' AND object_id = '%s' AND patient_id = %" PRId64, number,
                         f->patient_id);
  g_assert_cmpint (count (f, sql), ==, 3);

  /* No such encounter; an encounter with nothing charged. */
  pdf = ch_billing_invoice_pdf (f->desk, 999999, CH_INVOICE_TO_PATIENT, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  pdf = ch_billing_invoice_pdf (f->desk, add_encounter (f, "2025-03-01T10:00:00Z"),
                                CH_INVOICE_TO_PATIENT, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
}

/* Many lines break across pages; every page has the table's head and says
 * which page of how many it is; the total is still right. */
static void
test_invoice_pages (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_auto (GStrv) pages = NULL;
  g_autofree char *path = g_build_filename (f->dir, "invoice.pdf", NULL);
  g_autofree char *file_text = NULL;
  g_autofree char *due = NULL;
  g_autofree char *sql = NULL;
  gint64 total = 0;
  guint n;

  for (int i = 0; i < 70; i++)
    {
      g_autoptr (ChChargeLine) line = charge (f, f->encounter, i % 2 ? "36415" : "83036",
                                              i % 3 + 1, NULL, NULL);

      total += line->amount_cents;
    }
  pdf = ch_billing_invoice_pdf (f->desk, f->encounter, CH_INVOICE_TO_PATIENT, &error);
  g_assert_no_error (error);
  pages = pdf_pages (f, pdf);
  n = g_strv_length (pages);
  g_assert_cmpuint (n, >=, 2);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", i + 1, n);

      assert_line (pages[i], footer, NULL);
      if (i == 0 || strstr (pages[i], "Glycated") != NULL)
        assert_line (pages[i], "Code", "Unit price");
    }
  due = ch_report_format_value (CH_REPORT_VALUE_MONEY, (double) total, FALSE);
  assert_line (pages[n - 1], "Amount due", due);

  /* The file is written whole and the print audited. */
  g_assert_true (ch_billing_invoice_write (f->desk, f->encounter, CH_INVOICE_TO_PATIENT, path,
                                           &error));
  g_assert_no_error (error);
  file_text = ch_test_pdf_text (path);
  g_assert_nonnull (strstr (file_text, "Amount due"));
  g_assert_false (ch_billing_invoice_write (f->desk, f->encounter, CH_INVOICE_TO_PATIENT,
                                            "/nonexistent/dir/invoice.pdf", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/invoice.pdf"));
  g_clear_error (&error);
  sql = g_strdup_printf ("SELECT count (*) FROM audit WHERE action = 'print' AND object_type ="
                         " 'invoice' AND patient_id = %" PRId64, f->patient_id);
  g_assert_cmpint (count (f, sql), ==, 2);
}

/* ---- statements ------------------------------------------------------------------ */

static void
post_old (Fixture    *f,
          int         days_ago,
          gint64      cents,
          const char *reason)
{
  g_autofree char *sql = NULL;
  gint64 at = g_get_real_time () - (gint64) days_ago * 24 * 3600 * G_USEC_PER_SEC;

  /* History as a migration leaves it: entries on days long gone. */
  sql = g_strdup_printf ("INSERT INTO ledger_entries (patient_id, kind, amount_cents, reason,"
                         " posted_at, posted_by) VALUES (%" PRId64 ", 'adjustment', %" PRId64
                         ", '%s', %" PRId64 ", 'boss')", f->patient_id, cents, reason, at);
  g_assert_true (exec (f, sql));
}

static void
test_statement (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (ChPayment) cash = NULL;
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autofree char *text = NULL;
  g_autofree char *from = day_ago (60);
  g_autofree char *before = day_ago (61);
  g_autofree char *today = day_ago (0);
  g_autofree char *opening = NULL;
  g_autofree char *closing = NULL;
  g_autofree char *tomorrow = NULL;

  post_old (f, 120, 10000, "Old balance A");
  post_old (f, 75, 5000, "Old balance B");
  post_old (f, 45, 3000, "Late fee");
  post_old (f, 10, -4000, "Courtesy discount");
  line = charge (f, f->encounter, "83036", 1, NULL, NULL);
  cash = pay (f, 1000, "cash", NULL, 0, 0);
  reversal = ch_billing_reverse (f->manager, cash->ledger_entry_id, "Entered twice", &error);
  g_assert_no_error (error);

  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, from, NULL, &error);
  g_assert_no_error (error);
  text = pdf_text (f, pdf);

  opening = g_strdup_printf ("Balance on %s", before);
  closing = g_strdup_printf ("Balance on %s", today);
  /* 100.00 + 50.00 posted before the period. */
  assert_line (text, opening, "$150.00");
  assert_no_line (text, "Old balance A");
  assert_line (text, "Adjustment: Late fee", "$180.00");
  assert_line (text, "Adjustment: Courtesy discount", "$140.00");
  assert_line (text, "Glycated haemoglobin (HbA1c) 83036", "$161.00");
  assert_line (text, "Payment — cash (reversed)", "$151.00");
  assert_line (text, "Reversal of Payment — cash: Entered twice", "$161.00");
  assert_line (text, closing, "$161.00");
  /* Ageing: the 40.00 credit comes off the oldest (100.00, over 90 days). */
  assert_line (text, "$21.00", "$30.00");
  assert_line (text, "$30.00", "$50.00");
  assert_line (text, "$50.00", "$60.00");
  assert_line (text, "$60.00", "$161.00");
  assert_line (text, "Amount due", "$161.00");
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE action = 'print'"
                             " AND object_type = 'statement'"), ==, 1);

  /* A period in the past: the balance that day, not today's. */
  g_clear_pointer (&pdf, g_bytes_unref);
  g_free (text);
  g_free (closing);
  closing = day_ago (50);
  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, NULL, closing, &error);
  g_assert_no_error (error);
  text = pdf_text (f, pdf);
  g_free (opening);
  opening = g_strdup_printf ("Balance on %s", closing);
  assert_line (text, opening, "$150.00");
  assert_line (text, "Amount due", "$150.00");
  assert_no_line (text, "Late fee");

  /* Bad periods and patients. */
  g_clear_pointer (&pdf, g_bytes_unref);
  tomorrow = day_ago (-1);
  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, NULL, tomorrow, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, today, from, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, "2025-02-30", NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  pdf = ch_billing_statement_pdf (f->desk, 424242, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  pdf = ch_billing_statement_pdf (f->nurse, f->patient_id, NULL, NULL, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE action = 'print'"
                             " AND object_type = 'statement'"), ==, 2);

  /* Many entries: as many pages as it takes, each with the table's head,
   * the running balance carried on. */
  for (int i = 0; i < 80; i++)
    post_old (f, 20, 100, "Small fee");
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_statement_pdf (f->desk, f->patient_id, from, NULL, &error);
  g_assert_no_error (error);
  {
    g_auto (GStrv) pages = pdf_pages (f, pdf);
    guint n = g_strv_length (pages);

    g_assert_cmpuint (n, >=, 2);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *footer = g_strdup_printf ("Page %u of %u", i + 1, n);

        assert_line (pages[i], footer, NULL);
        if (strstr (pages[i], "Small fee") != NULL)
          assert_line (pages[i], "Description", "Balance");
      }
    /* 180.00 after the late fee, then 80 × 1.00. */
    assert_line (pages[0], "Adjustment: Late fee", "$180.00");
    g_free (text);
    text = g_strjoinv ("\f", pages);
    assert_line (text, "Adjustment: Small fee", "$260.00");
    assert_line (pages[n - 1], "Amount due", "$241.00");
  }
}

/* ---- the daily close ---------------------------------------------------------------- */

static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autoptr (ChCashClose) first = NULL;
  g_autoptr (ChCashClose) second = NULL;
  g_autoptr (ChCashClose) refused = NULL;
  g_autoptr (GPtrArray) closes = NULL;
  g_autoptr (ChPayment) p1 = NULL;
  g_autoptr (ChPayment) p2 = NULL;
  g_autoptr (ChPayment) p3 = NULL;
  g_autoptr (ChPayment) wrong = NULL;
  g_autoptr (ChLedgerEntry) refund = NULL;
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autoptr (ChChargeLine) line = NULL;
  g_autofree char *today = day_ago (0);
  g_autofree char *tomorrow = day_ago (-1);
  g_autofree char *path = g_build_filename (f->dir, "close.pdf", NULL);
  g_autofree char *text = NULL;
  gint64 expected = 0;

  line = charge (f, f->encounter, "99213", 1, NULL, NULL);
  p1 = pay (f, 5000, "cash", NULL, 0, 0);
  p2 = pay (f, 2550, "cash", NULL, 0, 0);
  p3 = pay (f, 3000, "card", "T-99", 0, 0);
  wrong = pay (f, 9900, "cash", NULL, 0, 0);
  refund = ch_billing_refund (f->manager, f->patient_id, 500, "cash", "Overpaid", &error);
  g_assert_no_error (error);
  reversal = ch_billing_reverse (f->manager, wrong->ledger_entry_id, "Keyed wrongly", &error);
  g_assert_no_error (error);

  /* float 100.00 + 50.00 + 25.50 − 5.00; the reversed 99.00 never was in the drawer. */
  g_assert_true (ch_billing_cash_expected (f->desk, today, 10000, &expected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expected, ==, 17050);

  /* A preview records nothing. */
  pdf = ch_billing_close_pdf (f->doctor, today, 10000, &error);
  g_assert_no_error (error);
  text = pdf_text (f, pdf);
  assert_line (text, "Not closed yet (preview)", NULL);
  assert_line (text, "doc", "$102.50");
  assert_line (text, "Total charges posted", "$102.50");
  assert_line (text, "cash", "$75.50");
  assert_line (text, "card", "$30.00");
  assert_line (text, "T-99", "$30.00");
  assert_line (text, "(reversed, not counted)", "$99.00");
  assert_line (text, "Total payments", "$105.50");
  assert_line (text, "Total refunds", "$5.00");
  assert_line (text, "entry", "$99.00");
  assert_line (text, "Keyed wrongly", NULL);
  assert_line (text, "Expected cash", "$170.50");
  g_assert_cmpint (count (f, "SELECT count (*) FROM cash_closes"), ==, 0);

  /* Who may close: write access to billing. */
  refused = ch_billing_close_day (f->doctor, today, 10000, 16800, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->nurse, today, 10000, 16800, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_close_pdf (f->nurse, today, 0, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Bad input, and a PDF that cannot be written: nothing recorded. */
  refused = ch_billing_close_day (f->desk, tomorrow, 10000, 16800, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->desk, "2026-13-01", 10000, 16800, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->desk, today, -1, 16800, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->desk, today, 10000, 16800, "two\nlines", NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->desk, today, 10000, 16800, NULL, NULL,
                                  "/nonexistent/dir/close.pdf", &error);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  refused = ch_billing_close_day (f->desk, today, 10000, 16800, NULL, "Nothing to reopen", NULL,
                                  &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  g_assert_null (refused);
  g_assert_cmpint (count (f, "SELECT count (*) FROM cash_closes"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'cash-close'"),
                   ==, 0);

  /* The close: 2.50 short. */
  first = ch_billing_close_day (f->desk, today, 10000, 16800, "Till 1", NULL, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpint (first->expected_cents, ==, 17050);
  g_assert_cmpint (first->difference_cents, ==, -250);
  {
    g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
    g_autoptr (GBytes) written = NULL;

    g_assert_no_error (error);
    written = g_mapped_file_get_bytes (file);
    g_free (text);
    text = pdf_text (f, written);
  }
  assert_line (text, "Closed by desk at", NULL);
  assert_line (text, "Counted cash", "$168.00");
  assert_line (text, "Difference: short by $2.50", NULL);
  assert_line (text, "Note: Till 1", NULL);

  /* A second close of the day is refused, and changes nothing. */
  refused = ch_billing_close_day (f->manager, today, 10000, 17050, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM cash_closes"), ==, 1);

  /* Reopened with a reason: the new close supersedes it, 1.00 over. */
  second = ch_billing_close_day (f->manager, today, 10000, 17150, NULL,
                                 "Found the float was counted twice", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->supersedes, ==, first->id);
  g_assert_cmpint (second->difference_cents, ==, 100);
  g_clear_pointer (&pdf, g_bytes_unref);
  pdf = ch_billing_close_pdf (f->desk, today, -1, &error);
  g_assert_no_error (error);
  g_free (text);
  text = pdf_text (f, pdf);
  assert_line (text, "Closed by boss at", NULL);
  assert_line (text, "Counted cash", "$171.50");
  assert_line (text, "Difference: over by $1.00", NULL);
  assert_line (text, "Reopened and closed again: Found the float was counted twice", NULL);
  assert_no_line (text, "preview");

  closes = ch_billing_closes (f->doctor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (closes->len, ==, 2);
  g_assert_cmpint (((ChCashClose *) closes->pdata[0])->superseded_by, ==, second->id);
  g_assert_cmpint (((ChCashClose *) closes->pdata[1])->superseded_by, ==, 0);

  /* Closes are never changed or deleted, nor a day closed twice behind the
   * controller's back. */
  g_assert_false (exec (f, "UPDATE cash_closes SET counted_cents = 17050,"
                           " difference_cents = 0"));
  g_assert_false (exec (f, "DELETE FROM cash_closes"));
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO cash_closes (day, float_cents,"
                                            " expected_cents, counted_cents, difference_cents,"
                                            " closed_at, closed_by) VALUES ('%s', 0, 0, 0, 0,"
                                            " 1, 'x')", today);

    g_assert_false (exec (f, sql));
  }
  g_assert_cmpint (count (f, "SELECT count (*) FROM cash_closes"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'cash-close'"
                             " AND action = 'create'"), ==, 2);
  /* Each print of the close is in the patient's access history. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'daily-close'"
                             " AND action = 'print' AND patient_id IS NOT NULL"), ==, 3);
}

/* A day with nothing still prints, saying so. */
static void
test_close_empty (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = ch_billing_close_pdf (f->desk, "2024-02-29", -1, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = pdf_text (f, pdf);
  assert_line (text, "Thursday 2024-02-29", NULL);
  assert_line (text, "No charges were posted this day.", NULL);
  assert_line (text, "No payments were received this day.", NULL);
  assert_line (text, "Expected cash", "$0.00");
  assert_line (text, "Not closed yet (preview)", NULL);
  assert_line (text, "Page 1 of 1", NULL);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/billing-docs/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("close", test_close);
  ADD ("close-empty", test_close_empty);
  ADD ("invoice", test_invoice);
  ADD ("invoice-pages", test_invoice_pages);
  ADD ("statement", test_statement);
#undef ADD

  shared_setup ();
  status = g_test_run ();
  shared_teardown ();
  return status;
}
