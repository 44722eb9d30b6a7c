/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-billing"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-chart.h"
#include "ch-import-db.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Billing through the controller: prices by effective date; charges on open
 * encounters only, with modifiers and diagnosis pointers; payments and their
 * allocation; refunds, write-offs, adjustments and reversals; the ledger
 * invariant (the balance is the sum of the entries, and equals a model kept
 * beside it) after thousands of random steps; rows that SQL cannot change
 * or delete; who may do what; the audit entries; opening balances from a
 * CSV migration taken in once. */

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
  gint64      other_id;
  gint64      encounter_2024;
  gint64      encounter_2025;
} Fixture;

static const char fee_csv[] =
  "code,description,price,effective_from,effective_to\n"
  "99213,\"Established patient office visit, low complexity\",98.00,2024-01-01,2024-12-31\n"
  "99213,\"Established patient office visit, low complexity\",102.50,2025-01-01,\n"
  "83036,Glycated haemoglobin (HbA1c),21.00,2024-01-01,\n"
  "36415,Drawing venous blood for tests,12,2024-01-01,\n";

static gint64
register_patient (ChSession  *session,
                  const char *given,
                  const char *family)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup ("1970-03-04");
  patient->sex = g_strdup ("female");
  g_assert_true (ch_patients_register (session, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static gint64
add_encounter (Fixture    *f,
               gint64      patient_id,
               const char *iso)
{
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (GDateTime) at = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr (GError) error = NULL;

  encounter->patient_id = patient_id;
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

static char *
write_file (Fixture    *f,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
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
  f->patient_id = register_patient (f->doctor, "Zoë", "Ångström");
  f->other_id = register_patient (f->doctor, "Other", "Person");
  f->encounter_2024 = add_encounter (f, f->patient_id, "2024-06-10T10:00:00Z");
  f->encounter_2025 = add_encounter (f, f->patient_id, "2025-02-03T10:00:00Z");
  add_problem (f, "E11.9", "Type 2 diabetes mellitus");
  add_problem (f, "I10", "Essential hypertension");

  f->fees = write_file (f, "fees.csv", fee_csv);
  g_assert_true (ch_billing_fees_import (f->manager, f->fees, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.added, ==, 4);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
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

static gint64
balance_of (Fixture *f,
            gint64   patient_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 balance = G_MININT64, sum = 0;

  entries = ch_billing_ledger (f->manager, patient_id, &balance, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  for (guint i = 0; i < entries->len; i++)
    sum += ((ChLedgerEntry *) entries->pdata[i])->amount_cents;
  g_assert_cmpint (balance, ==, sum);
  return balance;
}

static ChChargeLine *
charge (Fixture    *f,
        gint64      encounter_id,
        const char *code,
        gint64      units)
{
  g_autoptr (GError) error = NULL;
  ChChargeLine *line = ch_billing_charge_add (f->doctor, encounter_id, code, units, NULL, NULL,
                                              &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* ---- the fee schedule and charges ------------------------------------------ */

static void
test_fees_by_date (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fees = NULL;
  g_autoptr (ChChargeLine) old_visit = NULL;
  g_autoptr (ChChargeLine) new_visit = NULL;
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (ChChargeLine) none = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  const char *mods[] = { "25", "qw", NULL };
  const char *too_many_mods[] = { "25", "59", "76", "77", "91", NULL };
  const char *dx[] = { "e119", "I10", NULL };
  const char *bad_dx[] = { "J02.9", NULL };
  ChFeeImportResult result = { 0 };

  fees = ch_billing_fees_list (f->doctor, "2024-12-31", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fees->len, ==, 3);
  for (guint i = 0; i < fees->len; i++)
    if (g_str_equal (((ChFee *) fees->pdata[i])->code, "99213"))
      g_assert_cmpint (((ChFee *) fees->pdata[i])->price_cents, ==, 9800);
  g_clear_pointer (&fees, g_ptr_array_unref);
  fees = ch_billing_fees_list (f->doctor, "2025-01-01", &error);
  for (guint i = 0; i < fees->len; i++)
    if (g_str_equal (((ChFee *) fees->pdata[i])->code, "99213"))
      g_assert_cmpint (((ChFee *) fees->pdata[i])->price_cents, ==, 10250);
  g_clear_pointer (&fees, g_ptr_array_unref);
  fees = ch_billing_fees_list (f->doctor, NULL, &error);
  g_assert_cmpuint (fees->len, ==, 4);
  g_clear_pointer (&fees, g_ptr_array_unref);
  fees = ch_billing_fees_list (f->doctor, "2023-12-31", &error);
  g_assert_cmpuint (fees->len, ==, 0);

  /* Importing the same file again changes nothing. */
  g_assert_true (ch_billing_fees_import (f->manager, f->fees, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.added, ==, 0);
  g_assert_cmpuint (result.unchanged, ==, 4);

  /* Each encounter takes the price in force on its own date. */
  old_visit = ch_billing_charge_add (f->doctor, f->encounter_2024, "99213", 1, mods, dx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (old_visit->amount_cents, ==, 9800);
  g_assert_cmpstr (old_visit->modifiers, ==, "25:QW");
  g_assert_cmpstr (old_visit->service_date, ==, "2024-06-10");
  g_assert_cmpint (old_visit->dx[0], >, 0);
  g_assert_cmpint (old_visit->dx[1], >, 0);
  g_assert_cmpint (old_visit->dx[2], ==, 0);
  new_visit = charge (f, f->encounter_2025, "99213", 1);
  g_assert_cmpint (new_visit->amount_cents, ==, 10250);
  line = charge (f, f->encounter_2025, "36415", 3);
  g_assert_cmpint (line->amount_cents, ==, 3600);
  g_assert_cmpint (balance_of (f, f->patient_id), ==, 9800 + 10250 + 3600);

  /* Bad charges store nothing. */
  none = ch_billing_charge_add (f->doctor, f->encounter_2025, "99999", 1, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  none = ch_billing_charge_add (f->doctor, f->encounter_2025, "99213", 1, too_many_mods, NULL,
                                &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  none = ch_billing_charge_add (f->doctor, f->encounter_2025, "99213", 1, NULL, bad_dx, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  none = ch_billing_charge_add (f->doctor, f->encounter_2025, "99213", 0, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  none = ch_billing_charge_add (f->doctor, 4242, "99213", 1, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM charge_lines"), ==, 3);

  /* Ready to bill: the physician marks it; then it takes no more charges. */
  g_assert_false (ch_billing_mark_ready (f->desk, f->encounter_2025, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (ch_billing_mark_ready (f->doctor, f->encounter_2025, &error));
  g_assert_no_error (error);
  g_assert_false (ch_billing_mark_ready (f->doctor, f->encounter_2025, &error));
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  none = ch_billing_charge_add (f->doctor, f->encounter_2025, "83036", 1, NULL, NULL, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  lines = ch_billing_charges (f->desk, f->encounter_2025, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, 2);
}

static void
test_fees_bad_csv (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { const char *csv; const char *expect; } cases[] = {
    { "code,description,price,effective_from\nA1,Fine,10.00,2024-01-01\nA2,Bad price,12.345,2024-01-01\n",
      "line 3" },
    { "code,description,price,effective_from\nA1,Fine,10.00,2024-01-01\nA2,Bad date,1.00,2024-13-01\n",
      "line 3" },
    { "code,description,price,effective_from\nA1,Fine,10.00,2024-01-01\n\"A 2\",Bad code,1.00,2024-01-01\n",
      "line 3" },
    { "code,description,price,effective_from\nA1,Fine,10.00,2024-01-01\nA1,Twice,10.00,2024-01-01\n",
      "line 3" },
    { "code,description,price,effective_from,effective_to\nA1,Ends first,1.00,2024-05-01,2024-04-01\n",
      "line 2" },
    { "code,price\nA1,1.00\n", "header" },
    /* A changed price under the same date is refused, not overwritten. */
    { "code,description,price,effective_from\nA1,Fine,10.00,2024-01-01\n83036,Glycated haemoglobin (HbA1c),25.00,2024-01-01\n",
      "83036" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("bad-%u.csv", i);
      g_autofree char *path = write_file (f, name, cases[i].csv);

      g_assert_false (ch_billing_fees_import (f->manager, path, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_cmpint (count (f, "SELECT count (*) FROM fee_schedule"), ==, 4);
    }
}

/* ---- the ledger invariant --------------------------------------------------- */

typedef struct
{
  gint64 id;
  gint64 patient_id;
  gint64 amount;
  gboolean reversible;
} ModelEntry;

static void
test_random_ledger (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261126);
  g_autoptr (GArray) entries = g_array_new (FALSE, TRUE, sizeof (ModelEntry));
  g_autoptr (GArray) lines = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autoptr (GArray) payments = g_array_new (FALSE, TRUE, sizeof (gint64));
  gint64 patients[2] = { f->patient_id, f->other_id };
  gint64 encounters[2][8];
  gint64 expect[2] = { 0, 0 };
  const char *codes[] = { "99213", "83036", "36415" };
  const char *kinds[] = { "cash", "card", "cheque", "transfer", "insurer" };
  guint steps = g_test_slow () ? 20000 : 3000;
  guint done[8] = { 0 };

  /* Thousands of small transactions: durability on disk is not what this
   * test is about, and waiting for fsync would make it slow. */
  {
    ChSession *sessions[] = { f->doctor, f->desk, f->manager, f->admin };

    for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
      g_assert_true (ch_store_exec (ch_session_get_store (sessions[i]),
                                    "PRAGMA synchronous = OFF", NULL));
  }

  for (int p = 0; p < 2; p++)
    for (int e = 0; e < 8; e++)
      {
        g_autofree char *iso = g_strdup_printf ("2025-%02d-15T09:00:00Z", e + 1);

        encounters[p][e] = add_encounter (f, patients[p], iso);
      }

  for (guint step = 0; step < steps; step++)
    {
      g_autoptr (GError) error = NULL;
      int p = g_rand_int_range (rand, 0, 2);
      gint64 patient = patients[p];
      int action = g_rand_int_range (rand, 0, 7);
      gint64 amount = g_rand_int_range (rand, 1, 20000);
      ModelEntry m = { 0 };

      switch (action)
        {
        case 0:   /* a charge */
          {
            g_autoptr (ChChargeLine) line = NULL;

            line = ch_billing_charge_add (f->doctor, encounters[p][g_rand_int_range (rand, 0, 8)],
                                          codes[g_rand_int_range (rand, 0, 3)],
                                          g_rand_int_range (rand, 1, 4), NULL, NULL, &error);
            g_assert_no_error (error);
            m = (ModelEntry) { line->ledger_entry_id, patient, line->amount_cents, TRUE };
            g_array_append_val (lines, line->id);
            break;
          }
        case 1:   /* a payment, allocated to a line of the patient's when one has room */
        case 2:
          {
            g_autoptr (ChPayment) payment = NULL;
            ChAllocation a = { 0 };
            guint n = 0;

            if (lines->len > 0)
              {
                g_autoptr (ChChargeLine) line = NULL;

                line = ch_db_charge_get (ch_session_get_store (f->desk),
                                         g_array_index (lines, gint64,
                                                        g_rand_int_range (rand, 0, lines->len)),
                                         &error);
                g_assert_no_error (error);
                if (line->patient_id == patient && !line->reversed
                    && line->amount_cents - line->allocated_cents > 0)
                  {
                    a.charge_line_id = line->id;
                    a.amount_cents = MIN (amount, line->amount_cents - line->allocated_cents);
                    n = 1;
                  }
              }
            payment = ch_billing_pay (f->desk, patient, amount, kinds[g_rand_int_range (rand, 0, 5)],
                                      "REF", n > 0 ? &a : NULL, n, &error);
            g_assert_no_error (error);
            m = (ModelEntry) { payment->ledger_entry_id, patient, -amount, TRUE };
            g_array_append_val (payments, payment->id);
            break;
          }
        case 3:   /* a refund */
          {
            g_autoptr (ChLedgerEntry) e = ch_billing_refund (f->manager, patient, amount, "cash",
                                                             "overpaid", &error);
            g_assert_no_error (error);
            m = (ModelEntry) { e->id, patient, amount, TRUE };
            break;
          }
        case 4:   /* a write-off or an adjustment either way */
          {
            g_autoptr (ChLedgerEntry) e = NULL;
            gint64 signed_amount = g_rand_boolean (rand) ? amount : -amount;

            if (g_rand_boolean (rand))
              e = ch_billing_write_off (f->manager, patient, amount, 0, "small balance", &error);
            else
              e = ch_billing_adjust (f->manager, patient, signed_amount, "correction", &error);
            g_assert_no_error (error);
            m = (ModelEntry) { e->id, patient, e->amount_cents, TRUE };
            break;
          }
        case 5:   /* a reversal: of an entry not yet reversed, or refused */
          if (entries->len > 0)
            {
              guint k = g_rand_int_range (rand, 0, entries->len);
              ModelEntry *target = &g_array_index (entries, ModelEntry, k);
              g_autoptr (ChLedgerEntry) e = ch_billing_reverse (f->manager, target->id, "mistake",
                                                                &error);

              if (target->reversible)
                {
                  g_assert_no_error (error);
                  g_assert_cmpint (e->amount_cents, ==, -target->amount);
                  target->reversible = FALSE;
                  m = (ModelEntry) { e->id, target->patient_id, e->amount_cents, FALSE };
                  patient = target->patient_id;
                  p = patient == patients[0] ? 0 : 1;
                }
              else
                {
                  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
                  g_assert_null (e);
                }
            }
          break;
        case 6:   /* allocating an earlier payment, refused when it does not fit */
          if (payments->len > 0 && lines->len > 0)
            {
              ChAllocation a = {
                g_array_index (lines, gint64, g_rand_int_range (rand, 0, lines->len)),
                g_rand_int_range (rand, 1, 5000),
              };
              gint64 before = count (f, "SELECT count (*) FROM payment_allocations");
              gboolean ok = ch_billing_allocate (f->desk, g_array_index (payments, gint64,
                                                  g_rand_int_range (rand, 0, payments->len)),
                                                 &a, &error);

              g_assert_true (ok == (error == NULL));
              g_assert_cmpint (count (f, "SELECT count (*) FROM payment_allocations"), ==,
                               before + (ok ? 1 : 0));
            }
          break;
        default:
          g_assert_not_reached ();
        }
      done[action]++;
      if (m.id != 0)
        {
          g_array_append_val (entries, m);
          expect[p] += m.amount;
        }
      if (step % 500 == 0 || step + 1 == steps)
        for (int q = 0; q < 2; q++)
          g_assert_cmpint (balance_of (f, patients[q]), ==, expect[q]);
    }

  for (guint a = 0; a < 7; a++)
    g_assert_cmpuint (done[a], >, steps / 20);
  /* No line is ever allocated more than it costs, no payment more than it brought. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM charge_lines c WHERE c.amount_cents <"
                             " (SELECT coalesce (sum (a.amount_cents), 0) FROM payment_allocations a"
                             "  WHERE a.charge_line_id = c.id AND NOT EXISTS (SELECT 1 FROM"
                             "  ledger_entries pe JOIN ledger_entries pr ON pr.reverses = pe.id"
                             "  WHERE pe.payment_id = a.payment_id))"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_entries"), ==, entries->len);
  /* The totals the database keeps (schema 0026) are the sums of the entries. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_totals t WHERE t.balance_cents <>"
                             " (SELECT sum (e.amount_cents) FROM ledger_entries e"
                             "  WHERE e.patient_id = t.patient_id)"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_totals"), ==,
                   count (f, "SELECT count (DISTINCT patient_id) FROM ledger_entries"));
  /* Every charge line, allocation, write-off and adjustment has its money
   * fact (schema 0024), with its amount. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM money_facts"), ==,
                   count (f, "SELECT (SELECT count (*) FROM charge_lines)"
                             " + (SELECT count (*) FROM payment_allocations)"
                             " + (SELECT count (*) FROM ledger_entries"
                             "    WHERE kind IN ('write-off', 'adjustment'))"));
  g_assert_cmpint (count (f, "SELECT count (*) FROM money_facts f WHERE f.kind = 'payment'"
                             " AND f.amount_cents <> (SELECT a.amount_cents FROM payment_allocations a"
                             "  WHERE a.id = f.source_id)"), ==, 0);
}

/* ---- nothing changed, nothing deleted -------------------------------------- */

static void
test_append_only (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const attempts[] = {
    "UPDATE ledger_entries SET amount_cents = 1",
    "DELETE FROM ledger_entries",
    "UPDATE charge_lines SET amount_cents = 0, unit_price_cents = 0",
    "DELETE FROM charge_lines",
    "UPDATE payments SET amount_cents = 1",
    "DELETE FROM payments",
    "UPDATE payment_allocations SET amount_cents = 1",
    "DELETE FROM payment_allocations",
    "UPDATE fee_schedule SET price_cents = 1",
    "DELETE FROM fee_schedule",
    "DELETE FROM billing_encounters",
    "UPDATE billing_encounters SET marked_by = 'x'",
    "INSERT INTO ledger_entries (patient_id, kind, amount_cents, reason, posted_at, posted_by)"
    " VALUES (1, 'write-off', 100, 'positive write-off', 0, 'x')",
    "INSERT INTO ledger_entries (patient_id, kind, amount_cents, posted_at, posted_by)"
    " VALUES (1, 'adjustment', 100, 0, 'x')",
  };
  g_autoptr (ChChargeLine) line = charge (f, f->encounter_2025, "99213", 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPayment) payment = NULL;
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autoptr (ChLedgerEntry) again = NULL;
  ChAllocation a = { line->id, 5000 };
  ChStore *store = ch_session_get_store (f->admin);
  gint64 entries_before;

  payment = ch_billing_pay (f->desk, f->patient_id, 5000, "cheque", "000123", &a, 1, &error);
  g_assert_no_error (error);
  g_assert_true (ch_billing_mark_ready (f->doctor, f->encounter_2025, &error));
  g_assert_no_error (error);
  entries_before = count (f, "SELECT count (*) FROM ledger_entries");

  for (guint i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_assert_false (ch_store_exec (store, attempts[i], &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_entries"), ==, entries_before);
  g_assert_cmpint (count (f, "SELECT sum (amount_cents) FROM ledger_entries"), ==,
                   2 * 10250 - 5000);

  /* The correction is a reversing entry, once; a reversal is not reversed. */
  reversal = ch_billing_reverse (f->manager, payment->ledger_entry_id, "cheque bounced", &error);
  g_assert_no_error (error);
  g_assert_cmpint (reversal->amount_cents, ==, 5000);
  g_assert_cmpint (reversal->reverses, ==, payment->ledger_entry_id);
  again = ch_billing_reverse (f->manager, payment->ledger_entry_id, "again", &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  again = ch_billing_reverse (f->manager, reversal->id, "undo", &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);
  again = ch_billing_reverse (f->manager, payment->ledger_entry_id, "", &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (balance_of (f, f->patient_id), ==, 2 * 10250);
  /* The bounced cheque's allocation no longer counts: the line is owed in full. */
  g_clear_pointer (&line, ch_charge_line_free);
  line = ch_db_charge_get (store, a.charge_line_id, &error);
  g_assert_cmpint (line->allocated_cents, ==, 0);
}

/* ---- permissions and audit -------------------------------------------------- */

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChargeLine) line = NULL;
  g_autoptr (ChPayment) payment = NULL;
  g_autoptr (ChLedgerEntry) entry = NULL;
  g_autoptr (GPtrArray) list = NULL;
  ChFeeImportResult result;
  gint64 audit_before = count (f, "SELECT count (*) FROM audit");
  gint64 entries_before;

#define DENIED() \
  G_STMT_START { \
    g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED); \
    g_clear_error (&error); \
  } G_STMT_END

  /* Fees: the office manager imports; the front desk, the doctor may not. */
  g_assert_false (ch_billing_fees_import (f->desk, f->fees, &result, &error));
  DENIED ();
  g_assert_false (ch_billing_fees_import (f->doctor, f->fees, &result, &error));
  DENIED ();
  list = ch_billing_fees_list (f->nurse, NULL, &error);
  DENIED ();
  list = ch_billing_fees_list (f->admin, NULL, &error);
  DENIED ();

  /* Charges: the physician and the front desk; not the nurse or the administrator. */
  line = ch_billing_charge_add (f->nurse, f->encounter_2025, "99213", 1, NULL, NULL, &error);
  DENIED ();
  line = ch_billing_charge_add (f->admin, f->encounter_2025, "99213", 1, NULL, NULL, &error);
  DENIED ();
  line = ch_billing_charge_add (f->desk, f->encounter_2025, "83036", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, ch_charge_line_free);
  line = charge (f, f->encounter_2025, "99213", 1);

  /* Payments: front desk and manager; not the physician or the nurse. */
  payment = ch_billing_pay (f->doctor, f->patient_id, 1000, "cash", NULL, NULL, 0, &error);
  DENIED ();
  payment = ch_billing_pay (f->nurse, f->patient_id, 1000, "cash", NULL, NULL, 0, &error);
  DENIED ();
  payment = ch_billing_pay (f->desk, f->patient_id, 1000, "bitcoin", NULL, NULL, 0, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  payment = ch_billing_pay (f->desk, f->patient_id, 0, "cash", NULL, NULL, 0, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  payment = ch_billing_pay (f->desk, f->patient_id, 1000, "card", "", NULL, 0, &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  {
    /* An allocation to another patient's line, or past the payment, stores nothing. */
    ChAllocation too_much[] = { { line->id, 800 }, { line->id, 300 } };

    entries_before = count (f, "SELECT count (*) FROM ledger_entries");
    payment = ch_billing_pay (f->desk, f->other_id, 1000, "cash", NULL, too_much, 1, &error);
    g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
    g_clear_error (&error);
    payment = ch_billing_pay (f->desk, f->patient_id, 1000, "cash", NULL, too_much, 2, &error);
    g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_entries"), ==, entries_before);
    g_assert_cmpint (count (f, "SELECT count (*) FROM payments"), ==, 0);
    payment = ch_billing_pay (f->desk, f->patient_id, 1100, "card", "TERM-42", too_much, 2,
                              &error);
    g_assert_no_error (error);
  }

  /* Refunds, write-offs, adjustments, reversals: the office manager only. */
  entry = ch_billing_refund (f->desk, f->patient_id, 100, "cash", "overpaid", &error);
  DENIED ();
  entry = ch_billing_write_off (f->desk, f->patient_id, 100, 0, "small", &error);
  DENIED ();
  entry = ch_billing_adjust (f->desk, f->patient_id, -100, "courtesy", &error);
  DENIED ();
  entry = ch_billing_reverse (f->desk, payment->ledger_entry_id, "mistake", &error);
  DENIED ();
  entry = ch_billing_write_off (f->doctor, f->patient_id, 100, 0, "small", &error);
  DENIED ();
  entry = ch_billing_write_off (f->manager, f->patient_id, 100, 0, "", &error);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID);
  g_clear_error (&error);
  entry = ch_billing_write_off (f->manager, f->patient_id, 100, line->id, "small balance", &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->amount_cents, ==, -100);
  g_clear_pointer (&entry, ch_ledger_entry_free);

  /* Reading the ledger: billing readers; not the nurse. */
  list = ch_billing_ledger (f->nurse, f->patient_id, NULL, &error);
  DENIED ();
  list = ch_billing_ledger (f->doctor, f->patient_id, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&list, g_ptr_array_unref);

#undef DENIED

  /* Every write and every read of a ledger left an audit entry, and the
   * chain still verifies. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'charge'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'payment'"
                             " AND action = 'create'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'write-off'"), ==,
                   1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'ledger'"
                             " AND action = 'view' AND username = 'doc'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit"), >=, audit_before + 5);
  g_assert_true (ch_audit_verify (ch_session_get_store (f->admin), NULL, &error));
  g_assert_no_error (error);
}

/* ---- opening balances ------------------------------------------------------- */

static void
test_opening_balances (Fixture       *f,
                       gconstpointer  data)
{
  ChStore *store = ch_session_get_store (f->admin);
  g_autoptr (GError) error = NULL;
  guint posted = 99;
  struct { gint64 patient; gint64 cents; const char *as_of; } rows[] = {
    { f->patient_id, 12345, "2024-12-31" },
    { f->other_id, -500, "" },
  };

  g_assert_true (ch_store_begin (store, &error));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      ChOpeningBalance b = {
        .patient_id = rows[i].patient, .source = (char *) "oldehr",
        .amount_cents = rows[i].cents, .as_of = (char *) rows[i].as_of, .note = (char *) "",
      };

      g_assert_true (ch_db_opening_balance_insert (store, &b, "admin", &error));
      g_assert_no_error (error);
    }
  g_assert_true (ch_store_commit (store, &error));

  /* The doctor reads but may not post: the balance read shows none yet. */
  g_assert_false (ch_billing_post_opening_balances (f->doctor, 0, &posted, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Reading one patient's balance takes theirs in, once. */
  g_assert_cmpint (balance_of (f, f->patient_id), ==, 12345);
  g_assert_cmpint (balance_of (f, f->patient_id), ==, 12345);
  g_assert_cmpint (count (f, "SELECT count (*) FROM import_balances WHERE posted_at IS NULL"), ==,
                   1);
  g_assert_true (ch_billing_post_opening_balances (f->manager, 0, &posted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (posted, ==, 1);
  g_assert_true (ch_billing_post_opening_balances (f->desk, 0, &posted, &error));
  g_assert_cmpuint (posted, ==, 0);
  g_assert_cmpint (balance_of (f, f->other_id), ==, -500);
  g_assert_cmpint (count (f, "SELECT count (*) FROM ledger_entries WHERE kind = 'opening'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM import_balances b JOIN ledger_entries e"
                             " ON e.id = b.ledger_entry_id AND e.amount_cents = b.amount_cents"
                             " AND e.patient_id = b.patient_id WHERE b.posted_at IS NOT NULL"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM audit WHERE object_type = 'opening-balance'"),
                   ==, 2);
}

static void
test_amounts (void)
{
  static const struct { const char *text; gboolean ok; gint64 cents; } cases[] = {
    { "12.34", TRUE, 1234 }, { "12", TRUE, 1200 }, { "0.5", TRUE, 50 }, { "7.", TRUE, 700 },
    { ".25", TRUE, 25 }, { "", FALSE, 0 }, { ".", FALSE, 0 }, { "1.234", FALSE, 0 },
    { "-1", FALSE, 0 }, { "1,00", FALSE, 0 }, { "1e3", FALSE, 0 }, { "99999999999999", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 cents = -1;

      g_assert_cmpint (ch_billing_parse_amount (cases[i].text, &cents), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmpint (cents, ==, cases[i].cents);
    }
  {
    g_autofree char *a = ch_billing_format_amount (-1205);
    g_autofree char *b = ch_billing_format_amount (7);

    g_assert_cmpstr (a, ==, "-12.05");
    g_assert_cmpstr (b, ==, "0.07");
  }
}

/* Money paid ahead is applied to the charges made later: each payment's
 * rest, oldest first, to the oldest lines first; nothing posted to the
 * ledger (the balance does not move); a reversed payment's money is not
 * used; nothing left to apply is said; a nurse may not. */
static void
test_apply_credit (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPayment) ahead = NULL;
  g_autoptr (ChPayment) card = NULL;
  g_autoptr (ChPayment) bounced = NULL;
  g_autoptr (ChChargeLine) old_line = NULL;
  g_autoptr (ChChargeLine) new_line = NULL;
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  gint64 before, applied;

  ahead = ch_billing_pay (f->desk, f->patient_id, 10000, "cash", "", NULL, 0, &error);
  g_assert_no_error (error);
  /* No line owed yet: nothing to apply. */
  g_assert_cmpint (ch_billing_apply_credit (f->desk, f->patient_id, &error), ==, -1);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_clear_error (&error);

  card = ch_billing_pay (f->desk, f->patient_id, 2500, "card", "T-1", NULL, 0, &error);
  g_assert_no_error (error);
  bounced = ch_billing_pay (f->desk, f->patient_id, 50000, "cheque", "C-9", NULL, 0, &error);
  g_assert_no_error (error);
  reversal = ch_billing_reverse (f->manager, bounced->ledger_entry_id, "Cheque returned", &error);
  g_assert_no_error (error);
  /* The later visit charged first: "oldest" is by service date. */
  new_line = ch_billing_charge_add (f->doctor, f->encounter_2025, "99213", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  old_line = ch_billing_charge_add (f->doctor, f->encounter_2024, "99213", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (old_line->amount_cents + new_line->amount_cents, >, 12500);

  g_assert_cmpint (ch_billing_apply_credit (f->nurse, f->patient_id, &error), ==, -1);
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  before = balance_of (f, f->patient_id);
  applied = ch_billing_apply_credit (f->desk, f->patient_id, &error);
  g_assert_no_error (error);
  /* All of the two live payments, none of the returned cheque. */
  g_assert_cmpint (applied, ==, 12500);
  g_assert_cmpint (balance_of (f, f->patient_id), ==, before);

  lines = ch_billing_charges (f->manager, f->encounter_2024, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ChChargeLine *) lines->pdata[0])->allocated_cents, ==, old_line->amount_cents);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = ch_billing_charges (f->manager, f->encounter_2025, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ChChargeLine *) lines->pdata[0])->allocated_cents, ==,
                   12500 - old_line->amount_cents);
  g_assert_cmpint (count (f, "SELECT count (*) FROM payment_allocations"), ==, 3);

  /* Used up: nothing left, nothing done. */
  g_assert_cmpint (ch_billing_apply_credit (f->desk, f->patient_id, &error), ==, -1);
  g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
  g_assert_cmpint (count (f, "SELECT count (*) FROM payment_allocations"), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/billing/amounts", test_amounts);
  g_test_add ("/billing/fees-by-date", Fixture, NULL, fixture_setup, test_fees_by_date,
              fixture_teardown);
  g_test_add ("/billing/fees-bad-csv", Fixture, NULL, fixture_setup, test_fees_bad_csv,
              fixture_teardown);
  g_test_add ("/billing/apply-credit", Fixture, NULL, fixture_setup, test_apply_credit,
              fixture_teardown);
  g_test_add ("/billing/random-ledger", Fixture, NULL, fixture_setup, test_random_ledger,
              fixture_teardown);
  g_test_add ("/billing/append-only", Fixture, NULL, fixture_setup, test_append_only,
              fixture_teardown);
  g_test_add ("/billing/permissions", Fixture, NULL, fixture_setup, test_permissions,
              fixture_teardown);
  g_test_add ("/billing/opening-balances", Fixture, NULL, fixture_setup, test_opening_balances,
              fixture_teardown);

  return g_test_run ();
}
