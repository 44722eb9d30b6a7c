/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-reports-money"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-billing.h"
#include "ch-chart.h"
#include "ch-money-report-db.h"
#include "ch-patients.h"
#include "ch-reports.h"
#include "ch-schedule.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* The money reports on a small practice built through the billing
 * controllers, every figure checked by hand:
 *
 * Fees: 99213 $100, 83036 $20, 36415 $10. Providers garcia (user doc) and
 * lee (user doc2). "N d" is an encounter N days before today.
 *   A  policy Acme Health. doc: 0 d 99213 (10000), 30 d 36415 (1000),
 *      31 d 83036 (2000), 60 d 36415 ×3 (3000), 61 d 36415 ×4 (4000),
 *      90 d 36415 ×5 (5000), 91 d 36415 ×6 (6000): the ageing boundaries.
 *      A write-off of 300, reversed. A claim to United Health for the 0 d
 *      encounter, paid (so not awaited).
 *   B  self-pay. doc2: 45 d 99213 (10000); 10 d 83036 (2000), reversed.
 *      Card payment 3000 allocated to the 45 d line; write-off 1000 tied to
 *      it; refund 500; adjustment −1500.
 *   C  policy Blue Shield, but claims to Medicare: doc 5 d 99213 ×2 (20000),
 *      claim made 3 d ago; doc2 100 d 83036 (2000), claim made 95 d ago;
 *      both awaiting.
 *   D  doc 200 d 99213 (10000, before the period), paid in full by an
 *      allocated cash payment; a cheque of 2500 reversed. Balance 0.
 *   E  an unallocated payment of 4000: a credit balance.
 *   G  doc: 100 d 99213, 40 d 83036, 5 d 36415; cash 11500 unallocated:
 *      credits pay the oldest debits first (the 100 d and 1500 of the 40 d).
 * Period of the revenue and collections reports: 120 days ago to today. */

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *doctor2;
  ChSession  *manager;
  ChSession  *desk;
  gint64      a, b, c, d, e, g;
  gint64      a_today;   /* A's encounter today, claimed */
  gint64      c_5, c_100;
} Fixture;

static const char fee_csv[] =
  "code,description,price,effective_from\n"
  "99213,\"Established patient office visit, low complexity\",100.00,2020-01-01\n"
  "83036,Glycated haemoglobin (HbA1c),20.00,2020-01-01\n"
  "36415,Drawing venous blood for tests,10.00,2020-01-01\n";

/* The local day @days before today, YYYY-MM-DD. */
static char *
day_before (int days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, -days);

  return g_date_time_format (then, "%Y-%m-%d");
}

static gint64
us_days_ago (int days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = NULL;

  if (days == 0)
    return g_date_time_to_unix (now) * G_USEC_PER_SEC - 60 * G_USEC_PER_SEC;
  then = g_date_time_add_days (now, -days);
  return g_date_time_to_unix (then) * G_USEC_PER_SEC;
}

static gint64
register_patient (Fixture    *f,
                  const char *given,
                  const char *family,
                  const char *payer)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup ("1970-03-04");
  patient->sex = g_strdup ("female");
  g_assert_true (ch_patients_register (f->doctor, patient, &error));
  g_assert_no_error (error);
  if (payer != NULL)
    {
      g_autoptr (ChPolicyRecord) policy = g_new0 (ChPolicyRecord, 1);

      policy->patient_id = patient->id;
      policy->priority = 1;
      policy->payer = g_strdup (payer);
      policy->member_id = g_strdup ("M-1");
      policy->subscriber_name = g_strdup (family);
      policy->subscriber_relation = g_strdup ("self");
      g_assert_true (ch_patients_add_policy (f->desk, policy, &error));
      g_assert_no_error (error);
    }
  return patient->id;
}

/* An encounter @days ago (just before now for today) with one charge line. */
static gint64
visit (Fixture    *f,
       ChSession  *doctor,
       gint64      patient_id,
       int         days,
       const char *code,
       gint64      units,
       gint64     *out_line)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *date = day_before (days);

  encounter->patient_id = patient_id;
  encounter->start_at = us_days_ago (days);
  encounter->provider = g_strdup (doctor == f->doctor ? "doc" : "doc2");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Follow-up");
  g_assert_true (ch_chart_add_encounter (doctor, encounter, &error));
  g_assert_no_error (error);
  line = ch_billing_charge_add (doctor, encounter->id, code, units, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line->service_date, ==, date);
  if (out_line != NULL)
    *out_line = line->ledger_entry_id;
  return encounter->id;
}

static gint64
line_of (Fixture *f,
         gint64   encounter_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) lines = ch_billing_charges (f->manager, encounter_id, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, 1);
  return ((ChChargeLine *) lines->pdata[0])->id;
}

static gint64
pay (Fixture    *f,
     gint64      patient_id,
     gint64      cents,
     const char *method,
     gint64      line_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPayment) payment = NULL;
  ChAllocation allocation = { line_id, cents };

  payment = ch_billing_pay (f->desk, patient_id, cents, method, "ref", line_id ? &allocation : NULL,
                            line_id ? 1 : 0, &error);
  g_assert_no_error (error);
  return payment->ledger_entry_id;
}

static void
reverse (Fixture *f,
         gint64   entry_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChLedgerEntry) entry = ch_billing_reverse (f->manager, entry_id, "Entered by mistake",
                                                        &error);

  g_assert_no_error (error);
  g_assert_nonnull (entry);
}

static void
exec_sql (Fixture    *f,
          const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_store_exec (ch_session_get_store (f->manager), sql, &error));
  g_assert_no_error (error);
}

static void
add_claim (Fixture    *f,
           gint64      id,
           const char *payer_id,
           gint64      patient_id,
           gint64      encounter_id,
           gint64      billed,
           int         days,
           const char *status)
{
  g_autofree char *sql = NULL;

  /* Claims as helper "claims"' controller leaves them (schema 0019): made
   * @days ago, awaiting the payer while 'submitted'. */
  sql = g_strdup_printf ("INSERT INTO claim_batches (id, payer_id, file_name, n_claims, total_cents,"
                         " created_at, created_by) VALUES (%" G_GINT64_FORMAT ", '%s', 'b.x12', 1,"
                         " %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'boss');"
                         "INSERT INTO claims (id, claim_number, batch_id, payer_id, patient_id,"
                         " encounter_id, member_id, billed_cents, status, created_at, created_by)"
                         " VALUES (%" G_GINT64_FORMAT ", 'CH%" G_GINT64_FORMAT "', %" G_GINT64_FORMAT
                         ", '%s', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'M-1', %" G_GINT64_FORMAT
                         ", '%s', %" G_GINT64_FORMAT ", 'boss');",
                         id, payer_id, billed, us_days_ago (days),
                         id, id, id, payer_id, patient_id, encounter_id, billed, status,
                         us_days_ago (days));
  exec_sql (f, sql);
}

static void
put_provider (Fixture    *f,
              const char *id,
              const char *name,
              const char *username)
{
  g_autoptr (ChResource) resource = ch_resource_new ();
  g_autoptr (GError) error = NULL;

  resource->id = g_strdup (id);
  resource->kind = g_strdup ("provider");
  resource->name = g_strdup (name);
  resource->username = g_strdup (username);
  g_assert_true (ch_schedule_put_resource (f->admin, resource, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fees = NULL;
  g_autoptr (ChLedgerEntry) write_off = NULL;
  g_autoptr (ChLedgerEntry) b_write_off = NULL;
  g_autoptr (ChLedgerEntry) refund = NULL;
  g_autoptr (ChLedgerEntry) adjust = NULL;
  ChFeeImportResult result = { 0 };
  gint64 entry, b_45, d_200;

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "doc2", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD,
                               &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->doctor2 = ch_test_login (f->practice, "doc2", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
  put_provider (f, "garcia", "Dr. Ana García", "doc");
  put_provider (f, "lee", "Dr. Sam Lee", "doc2");

  fees = g_build_filename (f->dir, "fees.csv", NULL);
  g_assert_true (g_file_set_contents (fees, fee_csv, -1, NULL));
  g_assert_true (ch_billing_fees_import (f->manager, fees, &result, &error));
  g_assert_no_error (error);

  f->a = register_patient (f, "Ana", "Alba", "Acme Health");
  f->b = register_patient (f, "Bea", "Bravo", NULL);
  f->c = register_patient (f, "Cid", "Campo", "Blue Shield");
  f->d = register_patient (f, "Dan", "Duro", NULL);
  f->e = register_patient (f, "Eva", "Este", NULL);
  f->g = register_patient (f, "Gil", "Gomez", NULL);

  /* A: one charge on each side of each ageing boundary. */
  f->a_today = visit (f, f->doctor, f->a, 0, "99213", 1, NULL);
  visit (f, f->doctor, f->a, 30, "36415", 1, NULL);
  visit (f, f->doctor, f->a, 31, "83036", 1, NULL);
  visit (f, f->doctor, f->a, 60, "36415", 3, NULL);
  visit (f, f->doctor, f->a, 61, "36415", 4, NULL);
  visit (f, f->doctor, f->a, 90, "36415", 5, NULL);
  visit (f, f->doctor, f->a, 91, "36415", 6, NULL);
  write_off = ch_billing_write_off (f->manager, f->a, 300, 0, "Small balance", &error);
  g_assert_no_error (error);
  reverse (f, write_off->id);

  /* B */
  b_45 = visit (f, f->doctor2, f->b, 45, "99213", 1, NULL);
  visit (f, f->doctor2, f->b, 10, "83036", 1, &entry);
  reverse (f, entry);
  pay (f, f->b, 3000, "card", line_of (f, b_45));
  b_write_off = ch_billing_write_off (f->manager, f->b, 1000, line_of (f, b_45), "Hardship", &error);
  g_assert_no_error (error);
  refund = ch_billing_refund (f->manager, f->b, 500, "cash", "Overpaid copay", &error);
  g_assert_no_error (error);
  adjust = ch_billing_adjust (f->manager, f->b, -1500, "Prompt-pay discount", &error);
  g_assert_no_error (error);

  /* C */
  f->c_5 = visit (f, f->doctor, f->c, 5, "99213", 2, NULL);
  f->c_100 = visit (f, f->doctor2, f->c, 100, "83036", 1, NULL);

  /* D */
  d_200 = visit (f, f->doctor, f->d, 200, "99213", 1, NULL);
  pay (f, f->d, 10000, "cash", line_of (f, d_200));
  reverse (f, pay (f, f->d, 2500, "cheque", 0));

  /* E */
  pay (f, f->e, 4000, "cash", 0);

  /* G */
  visit (f, f->doctor, f->g, 100, "99213", 1, NULL);
  visit (f, f->doctor, f->g, 40, "83036", 1, NULL);
  visit (f, f->doctor, f->g, 5, "36415", 1, NULL);
  pay (f, f->g, 11500, "cash", 0);

  /* Claims. */
  exec_sql (f, "INSERT INTO payers (id, name, name_key, receiver_id, created_at, created_by) VALUES"
               " ('MCR', 'Medicare', 'medicare', 'MCR', 1, 'boss'),"
               " ('UHC', 'United Health', 'united health', 'UHC', 1, 'boss')");
  add_claim (f, 1, "UHC", f->a, f->a_today, 10000, 0, "paid");
  add_claim (f, 2, "MCR", f->c, f->c_5, 20000, 3, "submitted");
  add_claim (f, 3, "MCR", f->c, f->c_100, 2000, 95, "submitted");
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->doctor2);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChReport *
run (ChSession  *session,
     const char *name,
     int         from_days,
     const char *provider,
     const char *option,
     const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *from = day_before (from_days);
  g_autofree char *to = day_before (0);
  g_autoptr (ChReportParams) params = ch_report_params_new (from, to);
  ChReport *report;

  params->provider = g_strdup (provider);
  if (option != NULL)
    ch_report_params_set_option (params, option, value);
  report = ch_reports_run (session, name, params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static const char *
text_at (ChReport *report,
         guint     row,
         guint     column)
{
  GVariant *cell = ch_report_get_cell (report, row, column);

  g_assert_nonnull (cell);
  return g_variant_get_string (cell, NULL);
}

static gint64
cents_at (ChReport *report,
          guint     row,
          guint     column)
{
  GVariant *cell = ch_report_get_cell (report, row, column);

  g_assert_nonnull (cell);
  return g_variant_get_int64 (cell);
}

/* Checks row @row: its label, then @n money cells. */
static void
assert_row (ChReport     *report,
            guint         row,
            const char   *label,
            const gint64 *cents,
            guint         n)
{
  g_assert_cmpuint (row, <, ch_report_get_n_rows (report));
  g_assert_cmpstr (text_at (report, row, 0), ==, label);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (cents_at (report, row, 1 + i), ==, cents[i]);
}

#define ROW(report, row, label, ...) \
  G_STMT_START { \
    const gint64 values_[] = { __VA_ARGS__ }; \
    assert_row (report, row, label, values_, G_N_ELEMENTS (values_)); \
  } G_STMT_END

static double
series_value (ChReport *report,
              guint     series,
              guint     category)
{
  const ChReportChart *chart = ch_report_get_chart (report);
  ChReportSeries *s;

  g_assert_nonnull (chart);
  g_assert_cmpuint (series, <, chart->series->len);
  s = chart->series->pdata[series];
  g_assert_cmpuint (category, <, s->values->len);
  return g_array_index (s->values, double, category);
}

/* ---- revenue ------------------------------------------------------------------ */

static void
test_revenue_by_provider (Fixture *f)
{
  g_autoptr (ChReport) report = run (f->manager, "revenue", 120, NULL, "group", "provider");
  const ChReportChart *chart = ch_report_get_chart (report);

  g_assert_cmpuint (ch_report_get_n_columns (report), ==, 4);
  g_assert_cmpuint (ch_report_get_column_kind (report, 1), ==, CH_REPORT_COLUMN_MONEY);
  g_assert_cmpuint (ch_report_get_n_rows (report), ==, 4);
  /* Charges in the period, not reversed (B's 10 d line, D's 200 d line are
   * not); payments by allocation (D's is garcia's, B's lee's), the rest not
   * allocated; D's reversed cheque nowhere. */
  ROW (report, 0, "Dr. Ana García", 64000, 10000, 54000);
  ROW (report, 1, "Dr. Sam Lee", 12000, 3000, 9000);
  ROW (report, 2, "Not allocated to a charge", 0, 15500, -15500);
  ROW (report, 3, "Total", 76000, 28500, 47500);
  for (guint i = 0; i < ch_report_get_n_rows (report); i++)
    g_assert_cmpint (ch_report_get_row_patient (report, i), ==, 0);

  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_GROUPED_BARS);
  g_assert_cmpint (chart->format, ==, CH_REPORT_VALUE_MONEY);
  g_assert_cmpuint (chart->categories->len, ==, 3);
  g_assert_cmpstr (chart->categories->pdata[1], ==, "Dr. Sam Lee");
  g_assert_cmpuint (chart->series->len, ==, 2);
  g_assert_cmpfloat (series_value (report, 0, 0), ==, 64000);
  g_assert_cmpfloat (series_value (report, 1, 2), ==, 15500);
}

static void
test_revenue_by_code_and_payer (Fixture *f)
{
  g_autoptr (ChReport) code = run (f->manager, "revenue", 120, NULL, "group", "code");
  g_autoptr (ChReport) payer = run (f->manager, "revenue", 120, NULL, "group", "payer");
  g_autoptr (ChReport) garcia = run (f->manager, "revenue", 120, "garcia", "group", "code");

  g_assert_cmpuint (ch_report_get_n_rows (code), ==, 5);
  ROW (code, 0, "99213", 50000, 13000, 37000);
  ROW (code, 1, "36415", 20000, 0, 20000);
  ROW (code, 2, "83036", 6000, 0, 6000);
  ROW (code, 3, "Not allocated to a charge", 0, 15500, -15500);
  ROW (code, 4, "Total", 76000, 28500, 47500);

  /* The claim's payer first (C's Medicare, not their Blue Shield policy;
   * A's claimed visit to United Health), then the primary policy, then
   * self-pay. */
  g_assert_cmpuint (ch_report_get_n_rows (payer), ==, 6);
  ROW (payer, 0, "Self-pay", 23000, 13000, 10000);
  ROW (payer, 1, "Medicare", 22000, 0, 22000);
  ROW (payer, 2, "Acme Health", 21000, 0, 21000);
  ROW (payer, 3, "United Health", 10000, 0, 10000);
  ROW (payer, 4, "Not allocated to a charge", 0, 15500, -15500);
  ROW (payer, 5, "Total", 76000, 28500, 47500);

  /* One provider: their encounters' lines and what was allocated to them;
   * nothing "not allocated". */
  g_assert_nonnull (strstr (ch_report_get_subtitle (garcia), "Dr. Ana García"));
  g_assert_cmpuint (ch_report_get_n_rows (garcia), ==, 4);
  ROW (garcia, 0, "99213", 40000, 10000, 30000);
  ROW (garcia, 1, "36415", 20000, 0, 20000);
  ROW (garcia, 2, "83036", 4000, 0, 4000);
  ROW (garcia, 3, "Total", 64000, 10000, 54000);
}

typedef struct
{
  int         days;
  gint64      cents;
  const char *provider;   /* NULL: any */
} Charge;

/* The period's charges, as set up above. */
static const Charge charges[] = {
  { 0, 10000, "doc" }, { 30, 1000, "doc" }, { 31, 2000, "doc" }, { 60, 3000, "doc" },
  { 61, 4000, "doc" }, { 90, 5000, "doc" }, { 91, 6000, "doc" },
  { 45, 10000, "doc2" },
  { 5, 20000, "doc" }, { 100, 2000, "doc2" },
  { 100, 10000, "doc" }, { 40, 2000, "doc" }, { 5, 1000, "doc" },
};

static gint64
charges_in_month (const char *month)
{
  gint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (charges); i++)
    {
      g_autofree char *date = day_before (charges[i].days);

      if (strncmp (date, month, 7) == 0)
        sum += charges[i].cents;
    }
  return sum;
}

static void
test_revenue_by_month (Fixture *f)
{
  g_autoptr (ChReport) report = run (f->manager, "revenue", 120, NULL, "group", "month");
  g_autofree char *first = day_before (120);
  g_autofree char *today = day_before (0);
  guint n_rows = ch_report_get_n_rows (report);
  gint64 sum = 0;

  /* Every month of the period, the empty ones too, oldest first. */
  g_assert_cmpuint (n_rows, >=, 5);
  g_assert_cmpuint (n_rows, <=, 6);
  g_assert_true (strncmp (text_at (report, 0, 0), first, 7) == 0);
  g_assert_true (strncmp (text_at (report, n_rows - 2, 0), today, 7) == 0);
  for (guint i = 0; i + 1 < n_rows; i++)
    {
      const char *month = text_at (report, i, 0);
      /* Every payment was received today. */
      gint64 paid = strncmp (month, today, 7) == 0 ? 28500 : 0;

      ROW (report, i, month, charges_in_month (month), paid, charges_in_month (month) - paid);
      sum += charges_in_month (month);
      g_assert_cmpfloat (series_value (report, 0, i), ==, charges_in_month (month));
    }
  g_assert_cmpint (sum, ==, 76000);
  ROW (report, n_rows - 1, "Total", 76000, 28500, 47500);
}

/* ---- collections ------------------------------------------------------------ */

static double
percent_at (ChReport *report,
            guint     row,
            guint     column)
{
  GVariant *cell = ch_report_get_cell (report, row, column);

  return cell != NULL ? g_variant_get_double (cell) : NAN;
}

static void
test_collections (Fixture *f)
{
  g_autoptr (ChReport) by_provider = run (f->manager, "collections", 120, NULL, "group", "provider");
  g_autoptr (ChReport) by_month = run (f->manager, "collections", 120, NULL, NULL, NULL);
  g_autofree char *today = day_before (0);
  const ChReportChart *chart;
  guint n_rows;

  /* Write-offs: B's 1000 (tied to lee's line) and the −1500 adjustment
   * (tied to nothing); A's reversed write-off does not count. Rate =
   * payments / (charges − write-offs). */
  g_assert_cmpuint (ch_report_get_n_columns (by_provider), ==, 5);
  g_assert_cmpuint (ch_report_get_column_kind (by_provider, 4), ==, CH_REPORT_COLUMN_PERCENT);
  g_assert_cmpuint (ch_report_get_n_rows (by_provider), ==, 4);
  ROW (by_provider, 0, "Dr. Ana García", 64000, 10000, 0);
  g_assert_cmpfloat (percent_at (by_provider, 0, 4), ==, 15.63);   /* 10000 / 64000 */
  ROW (by_provider, 1, "Dr. Sam Lee", 12000, 3000, 1000);
  g_assert_cmpfloat (percent_at (by_provider, 1, 4), ==, 27.27);   /* 3000 / 11000 */
  ROW (by_provider, 2, "Not allocated to a charge", 0, 15500, 1500);
  g_assert_null (ch_report_get_cell (by_provider, 2, 4));          /* nothing was due */
  ROW (by_provider, 3, "Total", 76000, 28500, 2500);
  g_assert_cmpfloat (percent_at (by_provider, 3, 4), ==, 38.78);   /* 28500 / 73500 */
  g_assert_cmpint (ch_report_get_chart (by_provider)->kind, ==, CH_REPORT_CHART_BARS);

  /* One provider by month: lee's lines, the payment and the write-off
   * tied to them, nothing else. */
  {
    g_autoptr (ChReport) lee = run (f->manager, "collections", 120, "lee", NULL, NULL);
    guint n = ch_report_get_n_rows (lee);

    g_assert_nonnull (strstr (ch_report_get_subtitle (lee), "Dr. Sam Lee"));
    ROW (lee, n - 1, "Total", 12000, 3000, 1000);
    g_assert_cmpfloat (percent_at (lee, n - 1, 4), ==, 27.27);
    for (guint i = 0; i + 1 < n; i++)
      {
        const char *month = text_at (lee, i, 0);
        g_autofree char *day_45 = day_before (45);
        g_autofree char *day_100 = day_before (100);
        gint64 c = (strncmp (month, day_45, 7) == 0 ? 10000 : 0)
                   + (strncmp (month, day_100, 7) == 0 ? 2000 : 0);
        gboolean now = strncmp (month, today, 7) == 0;

        ROW (lee, i, month, c, now ? 3000 : 0, now ? 1000 : 0);
      }
  }

  n_rows = ch_report_get_n_rows (by_month);
  ROW (by_month, n_rows - 1, "Total", 76000, 28500, 2500);
  g_assert_cmpfloat (percent_at (by_month, n_rows - 1, 4), ==, 38.78);
  chart = ch_report_get_chart (by_month);
  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_LINES);
  g_assert_cmpint (chart->format, ==, CH_REPORT_VALUE_PERCENT);
  g_assert_cmpuint (chart->categories->len, ==, n_rows - 1);
  for (guint i = 0; i + 1 < n_rows; i++)
    {
      const char *month = text_at (by_month, i, 0);
      gboolean now = strncmp (month, today, 7) == 0;
      gint64 c = charges_in_month (month);
      gint64 p = now ? 28500 : 0;
      gint64 a = now ? 2500 : 0;

      ROW (by_month, i, month, c, p, a);
      if (c - a > 0)
        {
          double rate = round (p * 10000.0 / (c - a)) / 100.0;

          g_assert_cmpfloat (percent_at (by_month, i, 4), ==, rate);
          g_assert_cmpfloat (series_value (by_month, 0, i), ==, rate);
        }
      else
        {
          g_assert_null (ch_report_get_cell (by_month, i, 4));
          g_assert_true (isnan (series_value (by_month, 0, i)));
        }
    }
}

/* ---- ageing ------------------------------------------------------------------- */

static gint64
ledger_balance (Fixture *f,
                gint64   patient_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 balance = G_MININT64;

  entries = ch_billing_ledger (f->manager, patient_id, &balance, &error);
  g_assert_no_error (error);
  return balance;
}

static void
test_ageing_patients (Fixture *f)
{
  g_autoptr (ChReport) report = run (f->manager, "ar-ageing", 0, NULL, NULL, NULL);
  const ChReportChart *chart = ch_report_get_chart (report);
  gint64 patients[] = { f->a, f->b, f->c, f->d, f->e, f->g };
  guint n_rows = ch_report_get_n_rows (report);

  g_assert_cmpuint (ch_report_get_n_columns (report), ==, 7);
  g_assert_cmpstr (ch_report_get_column_name (report, 2), ==, "0–30 days");
  g_assert_cmpstr (ch_report_get_column_name (report, 5), ==, "Over 90 days");
  g_assert_cmpuint (n_rows, ==, 6);

  /* Largest balance first. A: 0 d and 30 d in 0–30, 31 d and 60 d in
   * 31–60, 61 d and 90 d in 61–90, 91 d over 90. */
  g_assert_cmpstr (text_at (report, 0, 0), ==, "Alba, Ana");
  g_assert_cmpint (ch_report_get_row_patient (report, 0), ==, f->a);
  g_assert_cmpint (cents_at (report, 0, 2), ==, 10000 + 1000);
  g_assert_cmpint (cents_at (report, 0, 3), ==, 2000 + 3000);
  g_assert_cmpint (cents_at (report, 0, 4), ==, 4000 + 5000);
  g_assert_cmpint (cents_at (report, 0, 5), ==, 6000);
  g_assert_cmpint (cents_at (report, 0, 6), ==, 31000);
  /* C: its claims still await Medicare, but the patient's ledger owes it. */
  g_assert_cmpstr (text_at (report, 1, 0), ==, "Campo, Cid");
  g_assert_cmpint (ch_report_get_row_patient (report, 1), ==, f->c);
  g_assert_cmpint (cents_at (report, 1, 2), ==, 20000);
  g_assert_cmpint (cents_at (report, 1, 3), ==, 0);
  g_assert_cmpint (cents_at (report, 1, 4), ==, 0);
  g_assert_cmpint (cents_at (report, 1, 5), ==, 2000);
  /* B: the reversed 10 d charge gone; credits (3000 + 1000 + 1500) took
   * the 45 d charge down to 4500; the refund is a debit of today. */
  g_assert_cmpstr (text_at (report, 2, 0), ==, "Bravo, Bea");
  g_assert_cmpint (cents_at (report, 2, 2), ==, 500);
  g_assert_cmpint (cents_at (report, 2, 3), ==, 4500);
  g_assert_cmpint (cents_at (report, 2, 6), ==, 5000);
  /* G: 11500 paid the 100 d charge and 1500 of the 40 d one. */
  g_assert_cmpstr (text_at (report, 3, 0), ==, "Gomez, Gil");
  g_assert_cmpint (cents_at (report, 3, 2), ==, 1000);
  g_assert_cmpint (cents_at (report, 3, 3), ==, 500);
  g_assert_cmpint (cents_at (report, 3, 5), ==, 0);
  /* E: a credit balance, current. D (balance 0) is not listed. */
  g_assert_cmpstr (text_at (report, 4, 0), ==, "Este, Eva");
  g_assert_cmpint (cents_at (report, 4, 2), ==, -4000);
  g_assert_cmpint (cents_at (report, 4, 6), ==, -4000);
  g_assert_cmpstr (text_at (report, 5, 0), ==, "Total");
  g_assert_cmpstr (text_at (report, 5, 1), ==, "");
  g_assert_cmpint (cents_at (report, 5, 2), ==, 28500);
  g_assert_cmpint (cents_at (report, 5, 3), ==, 10000);
  g_assert_cmpint (cents_at (report, 5, 4), ==, 9000);
  g_assert_cmpint (cents_at (report, 5, 5), ==, 8000);
  g_assert_cmpint (cents_at (report, 5, 6), ==, 55500);
  g_assert_cmpint (ch_report_get_row_patient (report, 5), ==, 0);

  /* Every patient's buckets add up to their ledger balance. */
  for (guint p = 0; p < G_N_ELEMENTS (patients); p++)
    {
      gint64 balance = ledger_balance (f, patients[p]);
      gboolean listed = FALSE;

      for (guint i = 0; i + 1 < n_rows; i++)
        {
          gint64 sum = 0;

          if (ch_report_get_row_patient (report, i) != patients[p])
            continue;
          listed = TRUE;
          for (guint b = 2; b <= 5; b++)
            sum += cents_at (report, i, b);
          g_assert_cmpint (sum, ==, balance);
          g_assert_cmpint (cents_at (report, i, 6), ==, balance);
          g_assert_cmpstr (text_at (report, i, 1), !=, "");
        }
      g_assert_cmpint (listed, ==, balance != 0);
    }

  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_STACKED_BARS);
  g_assert_cmpuint (chart->series->len, ==, 4);
  /* The chart: those who owe, largest first. */
  g_assert_cmpuint (chart->categories->len, ==, 4);
  g_assert_cmpstr (chart->categories->pdata[0], ==, "Alba, Ana");
  g_assert_cmpfloat (series_value (report, 3, 0), ==, 6000);
  g_assert_cmpfloat (series_value (report, 0, 1), ==, 20000);
}

static void
test_ageing_model (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);

  /* Balance-forward against a model: random debits and credits on random
   * days, credits paying the oldest debits first, for each bucket. */
  for (guint round_ = 0; round_ < 2000; round_++)
    {
      gint64 debits[CH_MONEY_N_BUCKETS] = { 0 };
      gint64 buckets[CH_MONEY_N_BUCKETS];
      gint64 model[CH_MONEY_N_BUCKETS] = { 0 };
      gint64 amounts[16];
      int ages[16];
      guint n = g_rand_int_range (rand, 0, 16);
      gint64 credits = g_rand_int_range (rand, 0, 30000), balance = -credits, sum = 0;

      for (guint i = 0; i < n; i++)
        {
          amounts[i] = g_rand_int_range (rand, 1, 5000);
          ages[i] = g_rand_int_range (rand, -3, 200);
          debits[ch_money_bucket_for_age (ages[i])] += amounts[i];
          balance += amounts[i];
        }
      /* The model: pay the oldest first. */
      for (int age = 200; age >= -3 && credits > 0; age--)
        for (guint i = 0; i < n && credits > 0; i++)
          if (ages[i] == age)
            {
              gint64 take = MIN (credits, amounts[i]);

              amounts[i] -= take;
              credits -= take;
            }
      for (guint i = 0; i < n; i++)
        model[ch_money_bucket_for_age (ages[i])] += amounts[i];
      if (balance < 0)
        model[0] = balance;

      ch_money_age_balance (balance, debits, buckets);
      for (guint b = 0; b < CH_MONEY_N_BUCKETS; b++)
        {
          g_assert_cmpint (buckets[b], ==, model[b]);
          sum += buckets[b];
        }
      g_assert_cmpint (sum, ==, balance);
    }
  g_assert_cmpuint (ch_money_bucket_for_age (30), ==, 0);
  g_assert_cmpuint (ch_money_bucket_for_age (31), ==, 1);
  g_assert_cmpuint (ch_money_bucket_for_age (60), ==, 1);
  g_assert_cmpuint (ch_money_bucket_for_age (61), ==, 2);
  g_assert_cmpuint (ch_money_bucket_for_age (90), ==, 2);
  g_assert_cmpuint (ch_money_bucket_for_age (91), ==, 3);
}

static void
test_ageing_payers (Fixture *f)
{
  g_autoptr (ChReport) report = run (f->manager, "ar-ageing", 0, NULL, "party", "payers");
  const ChReportChart *chart = ch_report_get_chart (report);

  /* Medicare awaits C's two claims (made 3 and 95 days ago); United
   * Health's claim is paid. The rest is the patients' own: A, B, G and E's
   * credit; C owes nothing beyond the claims. */
  g_assert_cmpuint (ch_report_get_n_columns (report), ==, 6);
  g_assert_cmpuint (ch_report_get_n_rows (report), ==, 3);
  ROW (report, 0, "Medicare", 20000, 0, 0, 2000, 22000);
  ROW (report, 1, "Patients", 11000 + 500 + 1000 - 4000, 5000 + 4500 + 500, 9000, 6000, 33500);
  ROW (report, 2, "Total", 28500, 10000, 9000, 8000, 55500);
  g_assert_cmpint (chart->kind, ==, CH_REPORT_CHART_STACKED_BARS);
  g_assert_cmpuint (chart->categories->len, ==, 2);
  g_assert_cmpfloat (series_value (report, 3, 0), ==, 2000);
}

static void
test_ageing_as_of (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *yesterday = day_before (1);
  g_autoptr (ChReportParams) params = ch_report_params_new (yesterday, yesterday);
  g_autoptr (ChReport) report = NULL;

  /* Everything was posted today: as of yesterday nobody owed anything. */
  report = ch_reports_run (f->manager, "ar-ageing", params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ch_report_get_n_rows (report), ==, 1);
  g_assert_cmpint (cents_at (report, 0, 6), ==, 0);
  g_assert_nonnull (strstr (ch_report_get_subtitle (report), "As of"));
}

/* ---- refusals ----------------------------------------------------------------- */

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_refusals (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *from = day_before (120);
  g_autofree char *to = day_before (0);
  g_autoptr (ChReportParams) params = ch_report_params_new (from, to);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ChReport) report = NULL;
  const ChReportDef *def;
  double last = 0;

  def = ch_reports_find ("revenue");
  g_assert_nonnull (def);
  g_assert_cmpstr (def->category, ==, "Money");
  g_assert_nonnull (ch_reports_find ("ar-ageing"));
  g_assert_true (ch_reports_find ("ar-ageing")->names_patients);
  g_assert_nonnull (ch_reports_find ("collections"));

  /* Progress, in order, ending at 1. */
  report = ch_reports_run (f->manager, "collections", params, progress_cb, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_clear_object (&report);

  ch_report_params_set_option (params, "group", "week");
  report = ch_reports_run (f->manager, "revenue", params, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_INVALID);
  g_assert_null (report);
  g_clear_error (&error);
  ch_report_params_set_option (params, "group", NULL);

  params->provider = g_strdup ("nobody");
  report = ch_reports_run (f->manager, "revenue", params, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_REPORTS_ERROR, CH_REPORTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&params->provider, g_free);

  /* The administrator sees the figures, not who owes them. */
  report = ch_reports_run (f->admin, "revenue", params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  report = ch_reports_run (f->admin, "ar-ageing", params, NULL, NULL, NULL, &error);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_assert_null (report);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  report = ch_reports_run (f->manager, "ar-ageing", params, NULL, NULL, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (report);
}

/* Every row of @report, each cell printed. */
static char *
report_text (ChReport *report)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ch_report_get_n_rows (report); i++)
    {
      for (guint j = 0; j < ch_report_get_n_columns (report); j++)
        {
          GVariant *cell = ch_report_get_cell (report, i, j);
          g_autofree char *printed = cell != NULL ? g_variant_print (cell, FALSE) : NULL;

          g_string_append_printf (text, "%s|", printed != NULL ? printed : "-");
        }
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* The money facts (schema 0024) of a practice that had billed before
 * them: the migration's own statements fill them from the billing tables,
 * and every total comes out as from the facts the triggers wrote. */
static void
test_facts_filled (Fixture *f)
{
  static const char * const groups[] = { "provider", "code", "payer", "month" };
  g_autoptr (GBytes) script = ch_test_read_resource ("/org/charta/Charta/db/schema/0024-money-facts.sql");
  g_autofree char *sql = g_strndup (g_bytes_get_data (script, NULL), g_bytes_get_size (script));
  char *before[G_N_ELEMENTS (groups) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autoptr (ChReport) report = run (f->manager, "revenue", 120, NULL, "group", groups[i]);

      before[i] = report_text (report);
    }
  {
    g_autoptr (ChReport) report = run (f->manager, "collections", 120, "lee", "group", "provider");

    before[G_N_ELEMENTS (groups)] = report_text (report);
  }

  /* As before schema 0024, then 0024 again. */
  exec_sql (f, "DROP TRIGGER money_facts_charge; DROP TRIGGER money_facts_payment;"
               " DROP TRIGGER money_facts_adjustment; DROP TABLE money_facts");
  exec_sql (f, sql);

  for (guint i = 0; i <= G_N_ELEMENTS (groups); i++)
    {
      g_autoptr (ChReport) report = i < G_N_ELEMENTS (groups)
                                    ? run (f->manager, "revenue", 120, NULL, "group", groups[i])
                                    : run (f->manager, "collections", 120, "lee", "group", "provider");
      g_autofree char *after = report_text (report);

      g_assert_cmpstr (after, ==, before[i]);
      g_assert_nonnull (strstr (after, "Total"));
      g_free (before[i]);
    }
}

/* A provider without an account is named on encounters by resource id:
 * revenue shows their name, and the provider filter finds them. */
static void
test_provider_without_account (Fixture *f)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (ChReport) all = NULL;
  g_autoptr (ChReport) patel = NULL;
  g_autoptr (GError) error = NULL;
  gint64 patient_id;
  gboolean found = FALSE;

  put_provider (f, "patel", "Dr. Ravi Patel", NULL);
  patient_id = register_patient (f, "Hana", "Patel-Visit", NULL);
  encounter->patient_id = patient_id;
  encounter->start_at = us_days_ago (0);
  encounter->provider = g_strdup ("patel");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Locum visit");
  g_assert_true (ch_chart_add_encounter (f->doctor, encounter, &error));
  g_assert_no_error (error);
  line = ch_billing_charge_add (f->doctor, encounter->id, "83036", 3, NULL, NULL, &error);
  g_assert_no_error (error);

  all = run (f->manager, "revenue", 1, NULL, "group", "provider");
  for (guint i = 0; i < ch_report_get_n_rows (all); i++)
    if (g_str_equal (text_at (all, i, 0), "Dr. Ravi Patel"))
      {
        g_assert_cmpint (cents_at (all, i, 1), ==, 6000);
        found = TRUE;
      }
  g_assert_true (found);

  patel = run (f->manager, "revenue", 1, "patel", "group", "code");
  g_assert_nonnull (strstr (ch_report_get_subtitle (patel), "Dr. Ravi Patel"));
  g_assert_cmpuint (ch_report_get_n_rows (patel), ==, 2);
  ROW (patel, 0, "83036", 6000, 0, 6000);
  ROW (patel, 1, "Total", 6000, 0, 6000);
}

/* The reports only read (but for the last two tests): one practice serves
 * every test (a practice and its logins take seconds to make). */
static Fixture practice;

#define ADD(path, func) \
  g_test_add_data_func (path, &practice, (GTestDataFunc) func)

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  ADD ("/reports-money/revenue/provider", test_revenue_by_provider);
  ADD ("/reports-money/revenue/code-payer", test_revenue_by_code_and_payer);
  ADD ("/reports-money/revenue/month", test_revenue_by_month);
  ADD ("/reports-money/collections", test_collections);
  ADD ("/reports-money/ageing/patients", test_ageing_patients);
  ADD ("/reports-money/ageing/payers", test_ageing_payers);
  ADD ("/reports-money/ageing/as-of", test_ageing_as_of);
  g_test_add_func ("/reports-money/ageing/model", test_ageing_model);
  ADD ("/reports-money/refusals", test_refusals);
  /* These two write: last. */
  ADD ("/reports-money/written/facts-filled", test_facts_filled);
  ADD ("/reports-money/written/provider-without-account", test_provider_without_account);

  fixture_setup (&practice);
  status = g_test_run ();
  fixture_teardown (&practice);
  return status;
}
