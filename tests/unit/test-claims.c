/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-claims"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ch-billing.h"
#include "ch-chart.h"
#include "ch-claims.h"
#include "ch-patients.h"
#include "ch-store-private.h"
#include "ch-test-util.h"
#include "ch-users.h"
#include "ch-x12.h"

/* Insurance claims through the controller, on a hand-built practice:
 *
 *   patient       policy                        encounter     lines (after corrections)
 *   Zoë Ångström  "ACME  health" (Acme), self   E1 2024-06-10 99213 100.00 (E11.9, I10), 83036 21.00 (E11.9);
 *                                                             36415 12.00 charged and reversed
 *   Timmy Doe     Blue Valley, child of Jane    E2 2024-06-11 99393-25 150.00, 90460 ×2 50.00
 *   Sam Cash      none (self-pay)               E3 2024-06-12 99213
 *   Ann Acme      Acme, self                    E4 2024-06-13 99213 100.00
 *   Zoë Ångström                                E5 2024-06-20 99213, not ready to bill
 *
 * One build makes two 837P files: Acme (batch 1: CH1 = E1, CH2 = E4) and
 * Blue Valley (batch 2: CH3 = E2); E3 is skipped as self-pay and E5 is not
 * ready. The 835s below are written by hand for those claims:
 *
 *   Acme, EFT EFT555, 87.00: CH1 99213 paid 72 (CO-45 18, PR-2 10), 83036 paid 15 (CO-45 6);
 *                            CH2 denied (CLP02 4, CO-29 100).
 *   Blue Valley, CHK9001, 200.00: CH3 paid in full.
 *
 * so that after posting Zoë owes 10.00 (her coinsurance), Timmy 0, Ann
 * 100.00 (denied: nothing posted, the office decides what next). */

#define BILLING_NPI   "1234567893"
#define DOCTOR_NPI    "1497758544"

typedef struct
{
  char       *dir;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *desk;
  ChSession  *manager;
  gint64      zoe, timmy, sam, ann;
  gint64      e1, e2, e3, e4, e5;
} Fixture;

static const char fee_csv[] =
  "code,description,price,effective_from\n"
  "99213,Established patient office visit,100.00,2024-01-01\n"
  "83036,Glycated haemoglobin (HbA1c),21.00,2024-01-01\n"
  "36415,Drawing venous blood,12.00,2024-01-01\n"
  "99393,Preventive visit age 5-11,150.00,2024-01-01\n"
  "90460,Immunization administration,25.00,2024-01-01\n";

static gint64
register_patient (Fixture    *f,
                  const char *given,
                  const char *family,
                  const char *birth,
                  const char *sex,
                  const char *region)
{
  g_autoptr (ChPatientRecord) patient = ch_patient_record_new ();
  g_autoptr (GError) error = NULL;

  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  patient->birth_date = g_strdup (birth);
  patient->sex = g_strdup (sex);
  patient->address_line = g_strdup ("7 Elm Street");
  patient->city = g_strdup ("Springfield");
  patient->region = g_strdup (region);
  patient->postal_code = g_strdup ("62701");
  patient->country = g_strdup ("US");
  g_assert_true (ch_patients_register (f->doctor, patient, &error));
  g_assert_no_error (error);
  return patient->id;
}

static void
add_policy (Fixture    *f,
            gint64      patient_id,
            const char *payer,
            const char *member_id,
            const char *relation,
            const char *subscriber)
{
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  g_autoptr (GError) error = NULL;

  policy->patient_id = patient_id;
  policy->priority = 1;
  policy->payer = g_strdup (payer);
  policy->member_id = g_strdup (member_id);
  policy->group_id = g_strdup ("G100");
  policy->subscriber_relation = g_strdup (relation);
  policy->subscriber_name = g_strdup (subscriber);
  g_assert_true (ch_patients_add_policy (f->desk, policy, &error));
  g_assert_no_error (error);
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
  encounter->reason = g_strdup ("Visit");
  g_assert_true (ch_chart_add_encounter (f->doctor, encounter, &error));
  g_assert_no_error (error);
  return encounter->id;
}

static void
add_problem (Fixture    *f,
             gint64      patient_id,
             const char *code,
             const char *display)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_PROBLEM);
  g_autoptr (GError) error = NULL;

  item->patient_id = patient_id;
  item->code = g_strdup (code);
  item->display = g_strdup (display);
  item->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
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
  ChChargeLine *line = ch_billing_charge_add (f->doctor, encounter_id, code, units, modifiers, dx,
                                              &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static void
ready (Fixture *f,
       gint64   encounter_id)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_billing_mark_ready (f->doctor, encounter_id, &error));
  g_assert_no_error (error);
}

static void
add_payer (Fixture    *f,
           const char *id,
           const char *name)
{
  ChPayer payer = { .id = (char *) id, .name = (char *) name };
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_claims_payer_add (f->manager, &payer, &error));
  g_assert_no_error (error);
}

static void
set_up_claims (Fixture *f)
{
  ChClaimsSetup setup = {
    .name = "Riverside Family Practice", .npi = BILLING_NPI, .tax_id = "123456789",
    .address1 = "12 River Road", .city = "Springfield", .state = "IL", .zip = "627011234",
    .submitter_id = "CHARTA01", .contact_name = "Billing Office", .contact_phone = "5555550100",
  };
  g_autoptr (GError) error = NULL;

  g_assert_true (ch_claims_setup_set (f->manager, &setup, &error));
  g_assert_no_error (error);
  g_assert_true (ch_claims_provider_set (f->manager, "doc", DOCTOR_NPI, "Welby", "Marcus", &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChChargeLine) l1 = NULL, l2 = NULL, l3 = NULL, l4 = NULL, l5 = NULL, l6 = NULL;
  g_autoptr (ChChargeLine) l7 = NULL, l8 = NULL;
  g_autoptr (ChLedgerEntry) reversal = NULL;
  g_autofree char *fees = NULL;
  ChFeeImportResult result = { 0 };
  const char *dm_htn[] = { "E11.9", "I10", NULL };
  const char *dm[] = { "E11.9", NULL };
  const char *well[] = { "Z00.129", NULL };
  const char *mod25[] = { "25", NULL };

  f->dir = ch_test_make_dir ();
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", NULL, CH_ROLE_PHYSICIAN, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "desk", NULL, CH_ROLE_FRONT_DESK, CH_TEST_PASSWORD,
                               &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->desk = ch_test_login (f->practice, "desk", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);

  fees = g_build_filename (f->dir, "fees.csv", NULL);
  g_assert_true (g_file_set_contents (fees, fee_csv, -1, NULL));
  g_assert_true (ch_billing_fees_import (f->manager, fees, &result, &error));
  g_assert_no_error (error);

  f->zoe = register_patient (f, "Zoë", "Ångström", "1970-03-04", "female", "IL");
  f->timmy = register_patient (f, "Timmy", "Doe", "2016-05-01", "male", "IL");
  f->sam = register_patient (f, "Sam", "Cash", "1980-01-01", "male", "IL");
  f->ann = register_patient (f, "Ann", "Acme", "1960-12-24", "female", "IL");
  add_policy (f, f->zoe, "ACME  health", "M1", "self", NULL);
  add_policy (f, f->timmy, "Blue Valley Insurance", "BV7", "child", "Doe, Jane");
  add_policy (f, f->ann, "Acme Health", "M4", "self", NULL);
  add_problem (f, f->zoe, "E11.9", "Type 2 diabetes mellitus");
  add_problem (f, f->zoe, "I10", "Essential hypertension");
  add_problem (f, f->timmy, "Z00.129", "Routine child health examination");
  add_problem (f, f->sam, "I10", "Essential hypertension");
  add_problem (f, f->ann, "I10", "Essential hypertension");

  f->e1 = add_encounter (f, f->zoe, "2024-06-10T10:00:00Z");
  f->e2 = add_encounter (f, f->timmy, "2024-06-11T10:00:00Z");
  f->e3 = add_encounter (f, f->sam, "2024-06-12T10:00:00Z");
  f->e4 = add_encounter (f, f->ann, "2024-06-13T10:00:00Z");
  f->e5 = add_encounter (f, f->zoe, "2024-06-20T10:00:00Z");

  l1 = charge (f, f->e1, "99213", 1, NULL, dm_htn);
  l2 = charge (f, f->e1, "36415", 1, NULL, dm);
  l3 = charge (f, f->e1, "83036", 1, NULL, dm);
  reversal = ch_billing_reverse (f->manager, l2->ledger_entry_id, "Charged on the wrong visit",
                                 &error);
  g_assert_no_error (error);
  l4 = charge (f, f->e2, "99393", 1, mod25, well);
  l5 = charge (f, f->e2, "90460", 2, NULL, well);
  l6 = charge (f, f->e3, "99213", 1, NULL, (const char *[]) { "I10", NULL });
  l7 = charge (f, f->e4, "99213", 1, NULL, (const char *[]) { "I10", NULL });
  l8 = charge (f, f->e5, "99213", 1, NULL, dm);
  ready (f, f->e1);
  ready (f, f->e2);
  ready (f, f->e3);
  ready (f, f->e4);

  add_payer (f, "ACME01", "Acme Health");
  add_payer (f, "BV01", "Blue Valley Insurance");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->desk);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
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
  for (guint i = 0; i < entries->len; i++)
    sum += ((ChLedgerEntry *) entries->pdata[i])->amount_cents;
  g_assert_cmpint (balance, ==, sum);
  return balance;
}

/* The segments of an X12 file written with "~\n" terminators. */
static GStrv
segments_of (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) parts = NULL;
  GPtrArray *segments = g_ptr_array_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  parts = g_strsplit (text, "~\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (segments, g_strdup (parts[i]));
  g_ptr_array_add (segments, NULL);
  return (GStrv) g_ptr_array_free (segments, FALSE);
}

static char *
element (const char *segment,
         guint       index)
{
  g_auto (GStrv) elements = g_strsplit (segment, "*", -1);

  return g_strdup (index < g_strv_length (elements) ? elements[index] : "");
}

/* "ISA GS ST BHT NM1 …": the segment ids in order. */
static char *
segment_ids (GStrv segments)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_autofree char *id = element (segments[i], 0);

      g_string_append_printf (ids, "%s%s", i > 0 ? " " : "", id);
    }
  return g_string_free (ids, FALSE);
}

static ChClaimBatch *
batch_for (ChClaimsBuildResult *result,
           const char          *payer_id)
{
  for (guint i = 0; i < result->batches->len; i++)
    {
      ChClaimBatch *batch = result->batches->pdata[i];

      if (g_str_equal (batch->payer_id, payer_id))
        return batch;
    }
  g_assert_not_reached ();
}

/* Checks the envelope of a file holding one 837P: ISA13 = GS06 = the
 * batch's id, ST02 = SE02, SE01 = the segments from ST to SE, GE and IEA
 * counts; and each CLM02 the sum of its SV1 lines. */
static void
check_837p (const char *path,
            gint64      batch_id)
{
  g_auto (GStrv) segs = segments_of (path);
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChX12Document) doc = NULL;
  g_autofree char *isa13 = NULL, *gs06 = NULL, *st02 = NULL;
  guint n = g_strv_length (segs), st = 0, se = 0;
  gsize len;
  gint64 clm = -1, sum = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  doc = ch_x12_document_parse ((const guint8 *) data, len, &error);
  g_assert_no_error (error);

  isa13 = element (segs[0], 13);
  g_assert_cmpint (g_ascii_strtoll (isa13, NULL, 10), ==, batch_id);
  g_assert_cmpuint (strlen (isa13), ==, 9);
  gs06 = element (segs[1], 6);
  g_assert_cmpint (g_ascii_strtoll (gs06, NULL, 10), ==, batch_id);
  g_assert_true (g_str_has_prefix (segs[2], "ST*837*"));
  st02 = element (segs[2], 2);
  g_assert_cmpint (g_ascii_strtoll (st02, NULL, 10), ==, batch_id);
  for (guint i = 0; i < n; i++)
    {
      if (g_str_has_prefix (segs[i], "ST*"))
        st = i;
      else if (g_str_has_prefix (segs[i], "SE*"))
        se = i;
    }
  {
    g_autofree char *se01 = element (segs[se], 1);
    g_autofree char *se02 = element (segs[se], 2);
    g_autofree char *ge = element (segs[n - 2], 2);
    g_autofree char *iea = element (segs[n - 1], 2);

    g_assert_cmpint (g_ascii_strtoll (se01, NULL, 10), ==, se - st + 1);
    g_assert_cmpstr (se02, ==, st02);
    g_assert_cmpstr (ge, ==, gs06);
    g_assert_cmpstr (iea, ==, isa13);
  }

  for (guint i = 0; i <= n; i++)
    {
      if (i == n || g_str_has_prefix (segs[i], "CLM*") || g_str_has_prefix (segs[i], "SE*"))
        {
          if (clm >= 0)
            g_assert_cmpint (clm, ==, sum);
          clm = -1;
          sum = 0;
          if (i < n && g_str_has_prefix (segs[i], "CLM*"))
            {
              g_autofree char *total = element (segs[i], 2);

              clm = (gint64) (g_ascii_strtod (total, NULL) * 100 + 0.5);
            }
          continue;
        }
      if (g_str_has_prefix (segs[i], "SV1*"))
        {
          g_autofree char *amount = element (segs[i], 2);

          sum += (gint64) (g_ascii_strtod (amount, NULL) * 100 + 0.5);
        }
    }
}

static ChClaimsBuildResult *
build_all (Fixture    *f,
           const char *folder)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, folder, NULL);
  ChClaimsBuildResult *result = ch_claims_build (f->manager, NULL, out, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* ---- building ----------------------------------------------------------------- */

static void
test_build (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChClaimsBuildResult) result = NULL;
  g_autoptr (ChClaimsBuildResult) again = NULL;
  g_autoptr (ChClaimsBuildResult) third = NULL;
  g_autoptr (ChClaimsPayers) payers = NULL;
  g_autoptr (GPtrArray) claims = NULL;
  g_autofree char *out = g_build_filename (f->dir, "claims", NULL);
  g_autofree char *ids = NULL;
  g_auto (GStrv) acme = NULL;
  g_auto (GStrv) bv = NULL;
  ChClaimBatch *acme_batch, *bv_batch;
  ChClaimSkipped *skipped;

  /* Without the billing provider there is nothing to send. */
  g_assert_null (ch_claims_build (f->manager, NULL, out, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_SETUP);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 0);
  set_up_claims (f);

  payers = ch_claims_payers (f->desk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payers->payers->len, ==, 2);
  g_assert_cmpstr (((ChPayer *) payers->payers->pdata[0])->id, ==, "ACME01");
  g_assert_cmpint (((ChPayer *) payers->payers->pdata[0])->n_ready, ==, 2);
  g_assert_cmpint (((ChPayer *) payers->payers->pdata[1])->n_ready, ==, 1);
  g_assert_cmpuint (payers->self_pay, ==, 1);
  g_assert_cmpuint (payers->unmatched->len, ==, 0);

  result = build_all (f, "claims");
  g_assert_cmpuint (result->batches->len, ==, 2);
  g_assert_cmpuint (result->skipped->len, ==, 1);
  skipped = result->skipped->pdata[0];
  g_assert_cmpint (skipped->encounter_id, ==, f->e3);
  g_assert_nonnull (strstr (skipped->reason, "self-pay"));

  acme_batch = batch_for (result, "ACME01");
  bv_batch = batch_for (result, "BV01");
  g_assert_cmpint (acme_batch->batch_id, ==, 1);
  g_assert_cmpint (bv_batch->batch_id, ==, 2);
  g_assert_cmpuint (acme_batch->n_claims, ==, 2);
  g_assert_cmpint (acme_batch->total_cents, ==, 22100);
  g_assert_cmpint (bv_batch->total_cents, ==, 20000);
  g_assert_true (g_str_has_suffix (acme_batch->path, "/ACME01-1.x12"));
  check_837p (acme_batch->path, 1);
  check_837p (bv_batch->path, 2);

  /* Loop order, segment by segment (see tests/data/x12/README.md for the
   * loops): header, 1000A/B, 2000A/2010AA, then per claim 2000B/2010BA
   * (the subscriber is the patient: DMG), 2010BB, 2300, 2310B, 2400s. */
  acme = segments_of (acme_batch->path);
  ids = segment_ids (acme);
  g_assert_cmpstr (ids, ==,
                   "ISA GS ST BHT NM1 PER NM1 HL NM1 N3 N4 REF"
                   " HL SBR NM1 N3 N4 DMG NM1 CLM HI NM1 LX SV1 DTP LX SV1 DTP"
                   " HL SBR NM1 N3 N4 DMG NM1 CLM HI NM1 LX SV1 DTP"
                   " SE GE IEA");
  g_assert_cmpstr (acme[4], ==, "NM1*41*2*RIVERSIDE FAMILY PRACTICE*****46*CHARTA01");
  g_assert_cmpstr (acme[6], ==, "NM1*40*2*ACME HEALTH*****46*ACME01");
  g_assert_cmpstr (acme[8], ==, "NM1*85*2*RIVERSIDE FAMILY PRACTICE*****XX*" BILLING_NPI);
  g_assert_cmpstr (acme[10], ==, "N4*SPRINGFIELD*IL*627011234");
  g_assert_cmpstr (acme[11], ==, "REF*EI*123456789");
  g_assert_cmpstr (acme[12], ==, "HL*2*1*22*0");
  g_assert_cmpstr (acme[13], ==, "SBR*P*18*G100******CI");
  g_assert_cmpstr (acme[14], ==, "NM1*IL*1*ANGSTROM*ZOE****MI*M1");
  g_assert_cmpstr (acme[17], ==, "DMG*D8*19700304*F");
  g_assert_cmpstr (acme[18], ==, "NM1*PR*2*ACME HEALTH*****PI*ACME01");
  g_assert_cmpstr (acme[19], ==, "CLM*CH1*121***11:B:1*Y*A*Y*Y");
  g_assert_cmpstr (acme[20], ==, "HI*ABK:E119*ABF:I10");
  g_assert_cmpstr (acme[21], ==, "NM1*82*1*WELBY*MARCUS****XX*" DOCTOR_NPI);
  g_assert_cmpstr (acme[23], ==, "SV1*HC:99213*100*UN*1***1:2");
  g_assert_cmpstr (acme[24], ==, "DTP*472*D8*20240610");
  /* The reversed 36415 is not claimed. */
  g_assert_cmpstr (acme[26], ==, "SV1*HC:83036*21*UN*1***1");
  g_assert_cmpstr (acme[35], ==, "CLM*CH2*100***11:B:1*Y*A*Y*Y");
  g_assert_cmpstr (acme[36], ==, "HI*ABK:I10");

  /* The dependent: 2000B without DMG, then 2000C with PAT and the patient. */
  bv = segments_of (bv_batch->path);
  g_free (ids);
  ids = segment_ids (bv);
  g_assert_cmpstr (ids, ==,
                   "ISA GS ST BHT NM1 PER NM1 HL NM1 N3 N4 REF"
                   " HL SBR NM1 NM1 HL PAT NM1 N3 N4 DMG CLM HI NM1 LX SV1 DTP LX SV1 DTP"
                   " SE GE IEA");
  g_assert_cmpstr (bv[12], ==, "HL*2*1*22*1");
  g_assert_cmpstr (bv[13], ==, "SBR*P**G100******CI");
  g_assert_cmpstr (bv[14], ==, "NM1*IL*1*DOE*JANE****MI*BV7");
  g_assert_cmpstr (bv[16], ==, "HL*3*2*23*0");
  g_assert_cmpstr (bv[17], ==, "PAT*19");
  g_assert_cmpstr (bv[18], ==, "NM1*QC*1*DOE*TIMMY");
  g_assert_cmpstr (bv[22], ==, "CLM*CH3*200***11:B:1*Y*A*Y*Y");
  g_assert_cmpstr (bv[23], ==, "HI*ABK:Z00129");
  g_assert_cmpstr (bv[26], ==, "SV1*HC:99393:25*150*UN*1***1");
  g_assert_cmpstr (bv[29], ==, "SV1*HC:90460*50*UN*2***1");

  claims = ch_claims_list (f->desk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claims->len, ==, 3);
  for (guint i = 0; i < claims->len; i++)
    {
      ChClaim *claim = claims->pdata[i];

      g_assert_cmpstr (claim->status, ==, "submitted");
      g_assert_true (claim->encounter_id == f->e1 || claim->encounter_id == f->e2
                     || claim->encounter_id == f->e4);
    }

  /* Claimed once: nothing new to build. */
  again = build_all (f, "claims-again");
  g_assert_cmpuint (again->batches->len, ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 3);

  /* A new ready encounter goes in a new batch with the next control
   * numbers, never one used before. */
  ready (f, f->e5);
  third = build_all (f, "claims-third");
  g_assert_cmpuint (third->batches->len, ==, 1);
  g_assert_cmpint (((ChClaimBatch *) third->batches->pdata[0])->batch_id, ==, 3);
  check_837p (((ChClaimBatch *) third->batches->pdata[0])->path, 3);
  g_assert_cmpint (count (f, "SELECT count(DISTINCT id) FROM claim_batches"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims WHERE encounter_id = 5"), <=, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE object_type = 'claim'"), ==, 4);
}

static void
test_build_one_payer (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChClaimsBuildResult) result = NULL;
  g_autofree char *file = g_build_filename (f->dir, "bv.x12", NULL);

  set_up_claims (f);
  result = ch_claims_build (f->manager, "BV01", file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->batches->len, ==, 1);
  g_assert_cmpstr (((ChClaimBatch *) result->batches->pdata[0])->path, ==, file);
  check_837p (file, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 1);

  /* A claim file is never overwritten; an unknown payer is named. */
  g_clear_pointer (&result, ch_claims_build_result_free);
  result = ch_claims_build (f->manager, "ACME01", file, &error);
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_assert_null (result);
  g_clear_error (&error);
  result = ch_claims_build (f->manager, "NOPE", file, &error);
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 1);
}

static void
test_build_invalid (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChClaimsBuildResult) result = NULL;
  g_autoptr (ChClaimsBuildResult) later = NULL;
  g_autoptr (ChPatientRecord) ann = NULL;
  g_autofree char *out = g_build_filename (f->dir, "claims", NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GDir) dir = NULL;
  ChClaimsSetup bad_npi = { .npi = "1234567890" };
  ChClaimsSetup bad_zip = { .zip = "62701" };
  ChClaimsSetup bad_phone = { .contact_phone = "555-555-0100" };
  ChPayer bad_payer = { .id = "A*B", .name = "Star" };
  ChPayer same_name = { .id = "ACME02", .name = "ACME HEALTH" };

  g_assert_false (ch_claims_setup_set (f->manager, &bad_npi, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_claims_setup_set (f->manager, &bad_zip, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_claims_setup_set (f->manager, &bad_phone, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_claims_provider_set (f->manager, "doc", "1497758545", "Welby", NULL, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_clear_error (&error);
  /* Neither a user nor a provider: refused. */
  g_assert_false (ch_claims_provider_set (f->manager, "nobody", DOCTOR_NPI, "Welby", NULL, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ch_claims_payer_add (f->manager, &bad_payer, &error));
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_claims_payer_add (f->manager, &same_name, &error));
  g_assert_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  set_up_claims (f);

  /* Ann's address lacks its state: the whole build fails naming her
   * encounter, and nothing is recorded or left on disk. */
  ann = ch_patients_get (f->manager, f->ann, &error);
  g_assert_no_error (error);
  g_clear_pointer (&ann->region, g_free);
  ann->region = g_strdup ("");
  g_assert_true (ch_patients_update (f->doctor, ann, "Moved", &error));
  g_assert_no_error (error);
  result = ch_claims_build (f->manager, NULL, out, &error);
  g_assert_null (result);
  g_assert_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID);
  expected = g_strdup_printf ("Encounter %" G_GINT64_FORMAT " (patient ", f->e4);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_assert_nonnull (strstr (error->message, "the state is required"));
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claim_batches"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claim_lines"), ==, 0);
  dir = g_dir_open (out, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));

  /* Corrected, it goes; the numbers the failed build saw are used now. */
  g_clear_pointer (&ann->region, g_free);
  ann->region = g_strdup ("IL");
  g_assert_true (ch_patients_update (f->doctor, ann, "Address completed", &error));
  g_assert_no_error (error);
  later = build_all (f, "claims");
  g_assert_cmpuint (later->batches->len, ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 3);
}

/* ---- posting ------------------------------------------------------------------ */

/* An interchange around @body (segments joined by "~\n", ST to SE). */
static char *
interchange (const char *sender,
             guint       control,
             const char *body)
{
  return g_strdup_printf ("ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*240801*1200*^*00501*%09u*0*P*:~\n"
                          "GS*HP*%s*CHARTA01*20240801*1200*%u*X*005010X221A1~\n"
                          "%s"
                          "GE*1*%u~\n"
                          "IEA*1*%09u~\n",
                          sender, "CHARTA01", control, sender, control, body, control, control);
}

static const char acme_body[] =
  "ST*835*0001~\n"
  "BPR*I*87*C*ACH************20240801~\n"
  "TRN*1*EFT555*1999999999~\n"
  "N1*PR*ACME HEALTH~\n"
  "REF*2U*ACME01~\n"
  "N1*PE*RIVERSIDE FAMILY PRACTICE*XX*1234567893~\n"
  "LX*1~\n"
  "CLP*CH1*1*121*87*10*12*ACME0001*11*1~\n"
  "NM1*QC*1*ANGSTROM*ZOE****MI*M1~\n"
  "SVC*HC:99213*100*72**1~\n"
  "DTM*472*20240610~\n"
  "CAS*CO*45*18~\n"
  "CAS*PR*2*10~\n"
  "SVC*HC:83036*21*15**1~\n"
  "DTM*472*20240610~\n"
  "CAS*CO*45*6~\n"
  "CLP*CH2*4*100*0*0*12*ACME0002*11*1~\n"
  "CAS*CO*29*100~\n"
  "NM1*QC*1*ACME*ANN****MI*M4~\n"
  "SE*20*0001~\n";

static const char bv_body[] =
  "ST*835*0001~\n"
  "BPR*I*200*C*CHK************20240802~\n"
  "TRN*1*CHK9001*1888888888~\n"
  "N1*PR*BLUE VALLEY INSURANCE~\n"
  "REF*2U*BV01~\n"
  "N1*PE*RIVERSIDE FAMILY PRACTICE*XX*1234567893~\n"
  "LX*1~\n"
  "CLP*CH3*1*200*200*0*12*BV0003*11*1~\n"
  "NM1*QC*1*DOE*TIMMY****MI*BV7~\n"
  "SVC*HC:99393:25*150*150**1~\n"
  "SVC*HC:90460*50*50**2~\n"
  "SE*12*0001~\n";

static char *
write_835 (Fixture    *f,
           const char *name,
           const char *sender,
           guint       control,
           const char *body)
{
  g_autofree char *text = interchange (sender, control, body);
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static gint64
rows_posted (Fixture *f)
{
  return count (f, "SELECT (SELECT count(*) FROM ledger_entries) + (SELECT count(*) FROM payments)"
                   " + (SELECT count(*) FROM payment_allocations)"
                   " + (SELECT count(*) FROM claim_remittances)"
                   " + (SELECT count(*) FROM remittance_advices)"
                   " + (SELECT count(*) FROM claim_adjustments)");
}

static ChClaim *
claim_named (Fixture    *f,
             const char *number)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) claims = ch_claims_list (f->manager, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < claims->len; i++)
    if (g_str_equal (((ChClaim *) claims->pdata[i])->claim_number, number))
      return g_steal_pointer (&claims->pdata[i]);
  g_assert_not_reached ();
}

static void
assert_post_fails (Fixture    *f,
                   const char *path,
                   GQuark      domain,
                   int         code,
                   const char *fragment)
{
  g_autoptr (GError) error = NULL;
  gint64 before = rows_posted (f);
  ChClaimsPostResult result = { 0 };

  g_assert_false (ch_claims_post_835 (f->manager, path, &result, &error));
  g_assert_error (error, domain, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
  g_assert_cmpint (rows_posted (f), ==, before);
}

static void
test_post (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChClaimsBuildResult) built = NULL;
  g_autoptr (ChClaim) ch1 = NULL, ch2 = NULL, ch3 = NULL;
  g_autoptr (GPtrArray) ledger = NULL;
  g_autofree char *acme = write_835 (f, "acme.835", "ACMEHEALTH", 501, acme_body);
  g_autofree char *bv = write_835 (f, "bv.835", "BLUEVALLEY", 9001, bv_body);
  ChClaimsPostResult result = { 0 };
  gint64 zoe_before, payments = 0, write_offs = 0, charges = 0, before;

  set_up_claims (f);
  built = build_all (f, "claims");
  zoe_before = balance_of (f, f->zoe);
  /* E1's 121.00 and E5's 100.00, which is not ready to bill. */
  g_assert_cmpint (zoe_before, ==, 22100);
  g_assert_cmpint (balance_of (f, f->ann), ==, 10000);
  g_assert_cmpint (balance_of (f, f->timmy), ==, 20000);

  /* The front desk takes payments but does not post remittances. */
  g_assert_false (ch_claims_post_835 (f->desk, acme, &result, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_true (ch_claims_post_835 (f->manager, acme, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.advices, ==, 1);
  g_assert_cmpuint (result.claims, ==, 2);
  g_assert_cmpuint (result.denied, ==, 1);
  g_assert_cmpint (result.paid_cents, ==, 8700);
  g_assert_cmpint (result.written_off_cents, ==, 2400);
  g_assert_cmpint (result.patient_cents, ==, 1000);

  /* Zoë owes her coinsurance on E1: 121 − 87 paid − 24 contractual, and E5. */
  g_assert_cmpint (balance_of (f, f->zoe), ==, 1000 + 10000);
  /* Ann's claim was denied: recorded, nothing posted. */
  g_assert_cmpint (balance_of (f, f->ann), ==, 10000);
  ch1 = claim_named (f, "CH1");
  ch2 = claim_named (f, "CH2");
  g_assert_cmpstr (ch1->status, ==, "partial");
  g_assert_cmpint (ch1->paid_cents, ==, 8700);
  g_assert_cmpint (ch1->adjusted_cents, ==, 2400);
  g_assert_cmpint (ch1->patient_cents, ==, 1000);
  g_assert_cmpstr (ch1->trace_number, ==, "EFT555");
  g_assert_cmpstr (ch2->status, ==, "denied");
  g_assert_cmpint (ch2->paid_cents, ==, 0);
  g_assert_cmpint (count (f, "SELECT denied FROM claim_remittances WHERE claim_id = 2"), ==, 1);

  /* Zoë's ledger: her charges, one insurer payment naming the trace and
   * the claim, allocated to the lines as the payer paid them, and the
   * contractual write-offs on those lines. */
  ledger = ch_billing_ledger (f->manager, f->zoe, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ledger->len; i++)
    {
      ChLedgerEntry *e = ledger->pdata[i];

      if (g_str_equal (e->kind, "payment"))
        {
          g_autoptr (ChPayment) payment = NULL;

          payments += e->amount_cents;
          payment = ch_db_payment_get (ch_session_get_store (f->manager), e->payment_id, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (payment->method, ==, "insurer");
          g_assert_cmpstr (payment->reference, ==, "EFT555 claim CH1");
        }
      else if (g_str_equal (e->kind, "write-off"))
        {
          write_offs += e->amount_cents;
          g_assert_true (g_str_has_prefix (e->reason, "CO-45 "));
          g_assert_nonnull (strstr (e->reason, "CH1"));
          g_assert_cmpint (e->charge_line_id, !=, 0);
        }
      else if (g_str_equal (e->kind, "charge") || g_str_equal (e->kind, "reversal"))
        charges += e->amount_cents;
    }
  g_assert_cmpint (payments, ==, -8700);
  g_assert_cmpint (write_offs, ==, -2400);
  g_assert_cmpint (charges + payments + write_offs, ==, balance_of (f, f->zoe));
  g_assert_cmpint (count (f, "SELECT sum(amount_cents) FROM payment_allocations"), ==, 8700);
  g_assert_cmpint (count (f, "SELECT a.amount_cents FROM payment_allocations a"
                             " JOIN charge_lines l ON l.id = a.charge_line_id"
                             " WHERE l.code = '99213' AND l.encounter_id = 1"), ==, 7200);
  g_assert_cmpint (count (f, "SELECT sum(amount_cents) FROM claim_adjustments WHERE"
                             " group_code = 'PR'"), ==, 1000);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claim_adjustments WHERE group_code = 'PR'"
                             " AND ledger_entry_id IS NOT NULL"), ==, 0);

  /* The same file again posts nothing. */
  before = rows_posted (f);
  memset (&result, 0, sizeof result);
  g_assert_true (ch_claims_post_835 (f->manager, acme, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.advices, ==, 0);
  g_assert_cmpuint (result.already_posted, ==, 1);
  g_assert_cmpint (rows_posted (f), ==, before);
  g_assert_cmpint (balance_of (f, f->zoe), ==, 11000);

  /* Paid in full: nothing left to the family. */
  g_assert_true (ch_claims_post_835 (f->manager, bv, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (balance_of (f, f->timmy), ==, 0);
  ch3 = claim_named (f, "CH3");
  g_assert_cmpstr (ch3->status, ==, "paid");
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims WHERE status = 'submitted'"), ==, 0);
}

static void
test_post_bad (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (ChClaimsBuildResult) built = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *good = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *not_x12 = NULL;
  g_autofree char *wrong_amount = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *unbalanced = NULL;
  g_autofree char *wrong_line = NULL;
  g_autofree char *wrong_payer = NULL;
  g_autoptr (ChClaim) ch1 = NULL;
  g_autoptr (GString) body = NULL;
  ChClaimsPostResult result = { 0 };

  set_up_claims (f);
  built = build_all (f, "claims");

  /* Truncated, and not X12 at all. */
  text = interchange ("ACMEHEALTH", 501, acme_body);
  cut = g_build_filename (f->dir, "cut.835", NULL);
  g_assert_true (g_file_set_contents (cut, text, strlen (text) / 2, NULL));
  assert_post_fails (f, cut, CH_X12_ERROR, CH_X12_ERROR_TRUNCATED, "cut.835");
  not_x12 = g_build_filename (f->dir, "note.txt", NULL);
  g_assert_true (g_file_set_contents (not_x12, "Dear doctor,\n", -1, NULL));
  assert_post_fails (f, not_x12, CH_X12_ERROR, CH_X12_ERROR_NOT_X12, NULL);

  /* A claim amount that is not what we billed: nothing posted, not even
   * CH2's denial, which was fine. */
  body = g_string_new (acme_body);
  g_string_replace (body, "CLP*CH1*1*121*87", "CLP*CH1*1*131*87", 1);
  g_string_replace (body, "SVC*HC:99213*100*72", "SVC*HC:99213*110*72", 1);
  g_string_replace (body, "CAS*CO*45*18", "CAS*CO*45*28", 1);
  wrong_amount = write_835 (f, "amount.835", "ACMEHEALTH", 502, body->str);
  assert_post_fails (f, wrong_amount, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID, "CLP03");

  /* A claim we never sent. */
  g_string_assign (body, acme_body);
  g_string_replace (body, "CLP*CH2*", "CLP*CH99*", 1);
  unknown = write_835 (f, "unknown.835", "ACMEHEALTH", 503, body->str);
  assert_post_fails (f, unknown, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID, "“CH99”");

  /* Adjustments that do not account for the difference. */
  g_string_assign (body, acme_body);
  g_string_replace (body, "CAS*CO*45*6~", "CAS*CO*45*5~", 1);
  unbalanced = write_835 (f, "unbalanced.835", "ACMEHEALTH", 504, body->str);
  assert_post_fails (f, unbalanced, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID, "CH1");

  /* A service line the claim did not have. */
  g_string_assign (body, acme_body);
  g_string_replace (body, "SVC*HC:83036*", "SVC*HC:83037*", 1);
  wrong_line = write_835 (f, "line.835", "ACMEHEALTH", 505, body->str);
  assert_post_fails (f, wrong_line, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID, "83037");

  /* Another payer's remittance for Acme's claims. */
  g_string_assign (body, acme_body);
  g_string_replace (body, "REF*2U*ACME01", "REF*2U*BV01", 1);
  wrong_payer = write_835 (f, "payer.835", "ACMEHEALTH", 506, body->str);
  assert_post_fails (f, wrong_payer, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID, "BV01");

  ch1 = claim_named (f, "CH1");
  g_assert_cmpstr (ch1->status, ==, "submitted");
  g_assert_cmpint (balance_of (f, f->zoe), ==, 22100);

  /* The good file still posts afterwards. */
  good = write_835 (f, "good.835", "ACMEHEALTH", 507, acme_body);
  g_assert_true (ch_claims_post_835 (f->manager, good, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (balance_of (f, f->zoe), ==, 11000);
}

static void
test_immutable (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (ChClaimsBuildResult) built = NULL;
  ChStore *store = ch_session_get_store (f->admin);
  const char *refused[] = {
    "UPDATE claims SET billed_cents = 1 WHERE id = 1",
    "UPDATE claims SET payer_id = 'BV01' WHERE id = 1",
    "DELETE FROM claims WHERE id = 1",
    "UPDATE claim_batches SET file_name = 'x' WHERE id = 1",
    "DELETE FROM claim_batches WHERE id = 1",
    "DELETE FROM claim_lines",
  };

  set_up_claims (f);
  built = build_all (f, "claims");
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (ch_store_exec (store, refused[i], &error));
      g_assert_nonnull (error);
    }
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims WHERE billed_cents > 1"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claim_lines"), ==, 5);
}

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "claims", NULL);
  ChPayer payer = { .id = "X1", .name = "Xenon" };
  ChClaimsSetup setup = { .name = "Mine" };

  g_assert_false (ch_claims_payer_add (f->desk, &payer, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_claims_setup_set (f->doctor, &setup, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  set_up_claims (f);
  g_assert_null (ch_claims_build (f->desk, NULL, out, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM claims"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/claims/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("build", test_build);
  ADD ("build-one-payer", test_build_one_payer);
  ADD ("build-invalid", test_build_invalid);
  ADD ("post", test_post);
  ADD ("post-bad", test_post_bad);
  ADD ("immutable", test_immutable);
  ADD ("permissions", test_permissions);
#undef ADD

  return g_test_run ();
}
