/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-lab-orders"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-lab-orders.h"
#include "ch-labs.h"
#include "ch-mllp.h"
#include "ch-patients.h"
#include "ch-test-util.h"
#include "ch-users.h"

/* Lab orders through the controller: the ORM^O01 as ch-hl7.c reads it back
 * (the chart's active ICD-10 problems as DG1, a resolved one left out, the
 * cancellation's ORC-1 CA); results linking to the test they answer, a
 * reflex test the lab added linking to none, a cancelled order staying
 * cancelled, another patient's report linking nothing; parsing tests from
 * the command line's form; an MLLP peer that hangs up without answering or
 * acknowledges another message; who may order, send again and say where;
 * nothing deleted. */

typedef struct
{
  char       *dir;
  char       *outbox;
  ChPractice *practice;
  ChSession  *admin;
  ChSession  *doctor;
  ChSession  *nurse;
  ChSession  *manager;
  gint64      patient_id;
  gint64      other_id;
} Fixture;

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

static void
set_target (Fixture    *f,
            const char *target)
{
  g_autoptr (GError) error = NULL;
  ChLabOrdersSettings settings = { .target = (char *) target };

  g_assert_true (ch_lab_orders_set_settings (f->manager, &settings, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *target = NULL;

  f->dir = ch_test_make_dir ();
  f->outbox = g_build_filename (f->dir, "outbox", NULL);
  g_assert_cmpint (g_mkdir (f->outbox, 0700), ==, 0);
  f->practice = ch_test_make_practice (f->dir, NULL);
  f->admin = ch_test_login (f->practice, "admin", CH_TEST_PASSWORD);
  g_assert_true (ch_users_add (f->admin, "doc", "Dr. Ana María García", CH_ROLE_PHYSICIAN,
                               CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "nurse", NULL, CH_ROLE_NURSE, CH_TEST_PASSWORD, &error));
  g_assert_true (ch_users_add (f->admin, "boss", NULL, CH_ROLE_MANAGER, CH_TEST_PASSWORD, &error));
  g_assert_no_error (error);
  f->doctor = ch_test_login (f->practice, "doc", CH_TEST_PASSWORD);
  f->nurse = ch_test_login (f->practice, "nurse", CH_TEST_PASSWORD);
  f->manager = ch_test_login (f->practice, "boss", CH_TEST_PASSWORD);
  f->patient_id = register_patient (f->doctor, "Zoë", "Ångström");
  f->other_id = register_patient (f->doctor, "Other", "Person");
  target = g_strconcat ("dir:", f->outbox, NULL);
  set_target (f, target);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->doctor);
  g_clear_object (&f->nurse);
  g_clear_object (&f->manager);
  g_clear_object (&f->admin);
  g_clear_object (&f->practice);
  ch_test_remove_dir (f->dir);
  g_free (f->outbox);
  g_free (f->dir);
}

static GPtrArray *
tests_of (const char * const *specs)
{
  GPtrArray *tests = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_test_free);

  for (guint i = 0; specs[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      ChLabOrderTest *test = ch_lab_orders_parse_test (specs[i], &error);

      g_assert_no_error (error);
      g_ptr_array_add (tests, test);
    }
  return tests;
}

static ChLabOrder *
place (Fixture            *f,
       const char * const *specs,
       const char         *note)
{
  g_autoptr (GPtrArray) tests = tests_of (specs);
  g_autoptr (GError) error = NULL;
  ChLabOrder *order = NULL;

  g_assert_true (ch_lab_orders_place (f->doctor, f->patient_id, tests, "asap", NULL, note,
                                      &order, &error));
  g_assert_no_error (error);
  return order;
}

static void
add_problem (Fixture    *f,
             const char *code,
             const char *display,
             const char *status)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_PROBLEM);
  g_autoptr (GError) error = NULL;

  item->patient_id = f->patient_id;
  item->code = g_strdup (code);
  item->display = g_strdup (display);
  item->clinical_status = g_strdup (status);
  g_assert_true (ch_chart_add (f->doctor, item, &error));
  g_assert_no_error (error);
}

static char *
get (ChHl7Message *msg,
     const char   *segment,
     guint         index,
     guint         field,
     guint         comp)
{
  return ch_hl7_message_get (msg, segment, index, field, 1, comp, 0);
}

#define ASSERT_FIELD(msg, seg, index, field, comp, expected)         \
  G_STMT_START {                                                     \
    g_autofree char *_value = get (msg, seg, index, field, comp);    \
    g_assert_cmpstr (_value, ==, expected);                          \
  } G_STMT_END

static void
test_message (Fixture       *f,
              gconstpointer  data)
{
  const char * const specs[] = { "2345-7^Glucose", "CBC^Blood count^L", NULL };
  g_autoptr (ChLabOrder) order = NULL;
  g_autoptr (ChHl7Message) msg = NULL;
  g_autoptr (ChHl7Message) cancel = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gsize len;
  const char *expected[] = { "MSH", "PID", "PV1", "ORC", "TQ1", "OBR", "NTE", "DG1", "DG1",
                             "ORC", "TQ1", "OBR", "DG1", "DG1", NULL };

  add_problem (f, "E11.9", "Type 2 diabetes mellitus", "active");
  add_problem (f, "I10", "Essential hypertension", "active");
  add_problem (f, "J02.9", "Acute pharyngitis", "resolved");

  order = place (f, specs, "Line one, | and ^ & ~ \\ too");
  g_assert_cmpstr (order->status, ==, "sent");
  g_assert_cmpstr (order->placer_number, ==, "CH000001");
  g_assert_cmpint (order->attempts, ==, 1);
  g_assert_cmpuint (order->tests->len, ==, 2);

  path = g_build_filename (f->outbox, order->control_id, NULL);
  name = g_strconcat (path, ".hl7", NULL);
  g_assert_true (g_file_get_contents (name, &contents, &len, &error));
  g_assert_no_error (error);
  /* Every segment ends with a carriage return, none with a line feed. */
  g_assert_null (strchr (contents, '\n'));
  g_assert_cmpint (contents[len - 1], ==, '\r');
  msg = ch_hl7_message_parse ((const guint8 *) contents, len, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ch_hl7_message_get_n_segments (msg), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (ch_hl7_message_get_segment_name (msg, i), ==, expected[i]);
  ASSERT_FIELD (msg, "MSH", 0, 9, 0, "ORM^O01^ORM_O01");
  ASSERT_FIELD (msg, "MSH", 0, 10, 0, order->control_id);
  ASSERT_FIELD (msg, "PID", 0, 5, 0, "Ångström^Zoë^^^^^L");
  ASSERT_FIELD (msg, "PID", 0, 7, 0, "19700304");
  ASSERT_FIELD (msg, "PID", 0, 8, 0, "F");
  ASSERT_FIELD (msg, "ORC", 0, 2, 0, "CH000001");
  ASSERT_FIELD (msg, "ORC", 1, 12, 0, "doc^García^Ana María");
  ASSERT_FIELD (msg, "OBR", 1, 4, 0, "CBC^Blood count^L");
  ASSERT_FIELD (msg, "OBR", 0, 5, 0, "A");
  ASSERT_FIELD (msg, "NTE", 0, 3, 0, "Line one, | and ^ & ~ \\ too");
  /* The active problems, whatever their order; the resolved one left out. */
  {
    g_autofree char *first = get (msg, "DG1", 0, 3, 0);
    g_autofree char *second = get (msg, "DG1", 1, 3, 0);

    if (g_str_has_prefix (first, "I10"))
      {
        char *swap = first;

        first = second;
        second = swap;
      }
    g_assert_cmpstr (first, ==, "E11.9^Type 2 diabetes mellitus^I10");
    g_assert_cmpstr (second, ==, "I10^Essential hypertension^I10");
  }
  ASSERT_FIELD (msg, "DG1", 3, 6, 0, "W");

  /* The cancellation names the same order, without the note or problems. */
  cancel = ch_lab_orders_make_message (f->doctor, order, TRUE, "CTRL-9", &error);
  g_assert_no_error (error);
  ASSERT_FIELD (cancel, "ORC", 0, 1, 0, "CA");
  ASSERT_FIELD (cancel, "ORC", 1, 2, 0, "CH000001");
  g_assert_cmpuint (ch_hl7_message_count (cancel, "NTE"), ==, 0);
  g_assert_cmpuint (ch_hl7_message_count (cancel, "DG1"), ==, 0);
}

static ChLabsImportResult
import_result (Fixture    *f,
               const char *control,
               gint64      patient_id,
               const char *placer,
               const char *code,
               const char *status)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  ChLabsImportResult result = { 0 };

  patient = ch_patients_get (f->doctor, patient_id, &error);
  g_assert_no_error (error);
  text = g_strdup_printf ("MSH|^~\\&|LIS|ACME|Charta|P|20240405101500||ORU^R01|%s|P|2.5.1\r"
                          "PID|1||%s^^^P^MR||%s^%s||19700304|F\r"
                          "OBR|1|%s|F-%s|%s^Test^LN|||20240405080000||||||||||||||||||%s\r"
                          "OBX|1|NM|%s^Test^LN||5|mg/dL|||||%s\r",
                          control, patient->mrn, patient->family_name, patient->given_name,
                          placer, control, code, status, code, status);
  bytes = g_bytes_new (text, strlen (text));
  g_assert_true (ch_labs_import_message (f->doctor, bytes, CH_LABS_SOURCE_CLI, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.outcome, ==, CH_LABS_OUTCOME_IMPORTED);
  return result;
}

static ChLabOrder *
reread (Fixture    *f,
        const char *number)
{
  g_autoptr (GError) error = NULL;
  ChLabOrder *order = ch_lab_orders_get (f->doctor, number, &error);

  g_assert_no_error (error);
  return order;
}

static void
test_results (Fixture       *f,
              gconstpointer  data)
{
  const char * const specs[] = { "2345-7^Glucose", "2160-0^Creatinine", NULL };
  g_autoptr (ChLabOrder) order = place (f, specs, NULL);
  g_autoptr (ChLabOrder) second = place (f, specs, NULL);
  g_autoptr (GError) error = NULL;
  g_auto (ChLabsImportResult) r0 = { 0 };
  g_auto (ChLabsImportResult) r1 = { 0 };
  g_auto (ChLabsImportResult) r2 = { 0 };
  g_auto (ChLabsImportResult) r3 = { 0 };
  g_auto (ChLabsImportResult) r4 = { 0 };
  g_auto (ChLabsImportResult) r5 = { 0 };
  ChLabOrder *now;

  g_assert_cmpstr (second->placer_number, ==, "CH000002");

  /* Another patient's report naming our number: not ours to link. */
  r0 = import_result (f, "R0", f->other_id, order->placer_number, "2345-7", "F");
  now = reread (f, order->placer_number);
  g_assert_cmpstr (now->status, ==, "sent");
  ch_lab_order_free (now);

  /* The second test first: matched by code, not by position. */
  r1 = import_result (f, "R1", f->patient_id, order->placer_number, "2160-0", "F");
  now = reread (f, order->placer_number);
  g_assert_cmpstr (now->status, ==, "partial");
  g_assert_cmpint (((ChLabOrderTest *) now->tests->pdata[0])->report_id, ==, 0);
  g_assert_cmpint (((ChLabOrderTest *) now->tests->pdata[1])->report_id, >, 0);
  ch_lab_order_free (now);

  /* A code the order does not have answers the test still open. */
  r2 = import_result (f, "R2", f->patient_id, order->placer_number, "GLU-LOCAL", "F");
  now = reread (f, order->placer_number);
  g_assert_cmpstr (now->status, ==, "resulted");
  g_assert_cmpstr (((ChLabOrderTest *) now->tests->pdata[0])->result_status, ==, "F");
  ch_lab_order_free (now);

  /* A reflex test once all are answered links to none, and changes nothing. */
  r3 = import_result (f, "R3", f->patient_id, order->placer_number, "9999-9", "P");
  now = reread (f, order->placer_number);
  g_assert_cmpstr (now->status, ==, "resulted");
  g_assert_cmpstr (((ChLabOrderTest *) now->tests->pdata[0])->result_status, ==, "F");
  g_assert_cmpstr (((ChLabOrderTest *) now->tests->pdata[1])->result_status, ==, "F");
  ch_lab_order_free (now);

  /* A cancelled order whose results come anyway stays cancelled. */
  g_clear_pointer (&second, ch_lab_order_free);
  g_assert_true (ch_lab_orders_cancel (f->doctor, "CH000002", "Duplicate", &second, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (second->cancel_delivery, ==, "sent");
  r4 = import_result (f, "R4", f->patient_id, "CH000002", "2345-7", "F");
  r5 = import_result (f, "R5", f->patient_id, "CH000002", "2160-0", "F");
  now = reread (f, "CH000002");
  g_assert_cmpstr (now->status, ==, "cancelled");
  g_assert_cmpint (((ChLabOrderTest *) now->tests->pdata[1])->report_id, >, 0);
  ch_lab_order_free (now);
}

static void
test_parse (void)
{
  struct
  {
    const char *spec;
    const char *code;
    const char *text;
    const char *system;
  } good[] = {
    { "2345-7^Glucose", "2345-7", "Glucose", "LN" },
    { " 718-7 ", "718-7", "", "LN" },
    { "LIPID^Lipid panel", "LIPID", "Lipid panel", "L" },
    { "123^Local^99ACME", "123", "Local", "99ACME" },
    { "12345678-9^Too long for LOINC", "12345678-9", "Too long for LOINC", "L" },
  };
  const char *bad[] = { "", "^Glucose", "a^b^c^d" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChLabOrderTest) test = ch_lab_orders_parse_test (good[i].spec, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (test->code, ==, good[i].code);
      g_assert_cmpstr (test->text, ==, good[i].text);
      g_assert_cmpstr (test->system, ==, good[i].system);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChLabOrderTest) test = ch_lab_orders_parse_test (bad[i], &error);

      g_assert_null (test);
      g_assert_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_INVALID);
    }
}

static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  const char * const specs[] = { "2345-7^Glucose", NULL };
  g_autoptr (GPtrArray) tests = tests_of (specs);
  g_autoptr (GPtrArray) orders = NULL;
  g_autoptr (ChLabOrder) order = NULL;
  g_autoptr (GError) error = NULL;
  ChLabOrdersSettings settings = { .target = (char *) "mllp://127.0.0.1:1" };

  g_assert_false (ch_lab_orders_place (f->nurse, f->patient_id, tests, NULL, NULL, NULL, NULL,
                                       &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_lab_orders_place (f->manager, f->patient_id, tests, NULL, NULL, NULL, NULL,
                                       &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_lab_orders_set_settings (f->doctor, &settings, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  orders = ch_lab_orders_list (f->doctor, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (orders->len, ==, 0);

  /* The lab down (nothing listens on port 1): kept, failed; a nurse may send
   * it again, not cancel it. */
  set_target (f, "mllp://127.0.0.1:1");
  g_assert_true (ch_lab_orders_place (f->doctor, f->patient_id, tests, "stat", NULL, NULL,
                                      &order, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (order->status, ==, "failed");
  g_clear_pointer (&order, ch_lab_order_free);
  g_assert_true (ch_lab_orders_resend (f->nurse, "CH000001", &order, &error));
  g_assert_no_error (error);
  g_assert_cmpint (order->attempts, ==, 2);
  g_assert_false (ch_lab_orders_cancel (f->nurse, "CH000001", "no", NULL, &error));
  g_assert_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (ch_lab_orders_cancel (f->doctor, "CH000001", "  ", NULL, &error));
  g_assert_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ch_lab_orders_resend (f->doctor, "CH000404", NULL, &error));
  g_assert_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_NOT_FOUND);
}

/* A lab that hangs up without answering (@user_data NULL), or acknowledges
 * some other message. */
static GBytes *
odd_lab (GBytes     *message,
         const char *peer,
         gpointer    user_data)
{
  const char *ack = "MSH|^~\\&|LIS|ACME|Charta|P|20240101||ACK^O01^ACK|A1|P|2.5.1\r"
                    "MSA|AA|SOMEONE-ELSE\r";

  return user_data != NULL ? g_bytes_new (ack, strlen (ack)) : NULL;
}

static void
test_odd_peers (Fixture       *f,
                gconstpointer  data)
{
  const char * const specs[] = { "2345-7^Glucose", NULL };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (ChMllpServer) server = ch_mllp_server_new ("127.0.0.1", 0, odd_lab,
                                                            i == 0 ? NULL : f, &error);
      g_autofree char *target = NULL;
      g_autoptr (ChLabOrder) order = NULL;

      g_assert_no_error (error);
      target = g_strdup_printf ("mllp://127.0.0.1:%u", ch_mllp_server_get_port (server));
      set_target (f, target);
      order = place (f, specs, NULL);
      g_assert_cmpstr (order->status, ==, "failed");
      g_assert_nonnull (strstr (order->reason, i == 0 ? "did not acknowledge"
                                                      : "acknowledged message SOMEONE-ELSE"));
    }

  /* Orders are never deleted. */
  g_assert_false (ch_store_exec (ch_session_get_store (f->doctor), "DELETE FROM lab_orders",
                                 &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (ch_store_exec (ch_session_get_store (f->doctor),
                                 "DELETE FROM lab_order_tests", &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/lab-orders/message", Fixture, NULL, fixture_setup, test_message,
              fixture_teardown);
  g_test_add ("/lab-orders/results", Fixture, NULL, fixture_setup, test_results,
              fixture_teardown);
  g_test_add_func ("/lab-orders/parse-test", test_parse);
  g_test_add ("/lab-orders/odd-peers", Fixture, NULL, fixture_setup, test_odd_peers,
              fixture_teardown);
  g_test_add ("/lab-orders/permissions", Fixture, NULL, fixture_setup, test_permissions,
              fixture_teardown);

  return g_test_run ();
}
