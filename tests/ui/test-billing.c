/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-billing"

#include "config.h"

#include <string.h>

#include "ch-account-view.h"
#include "ch-billing.h"
#include "ch-billing-desk.h"
#include "ch-billing-page.h"
#include "ch-billing-ui.h"
#include "ch-billing-docs.h"
#include "ch-charge-dialog.h"
#include "ch-claims.h"
#include "ch-close-day-dialog.h"
#include "ch-chart.h"
#include "ch-demo.h"
#include "ch-ledger-entry-dialog.h"
#include "ch-main-page.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-payment-dialog.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* Billing in the real window: the doctor codes a new encounter in the
 * chart's Account tab (a charge with units, a modifier and a diagnosis
 * pointer, a bad modifier refused in the dialog) and marks it ready; the
 * front desk takes a card payment with its terminal reference (a bad
 * amount refused) and sees it in the Billing section's day totals, with the
 * encounter among those ready to bill, and is not offered write-offs; the
 * office manager reverses the payment. After each step the balance shown is
 * the ledger's, as the controller computes it. */

#define DEMO_PATIENTS 3
#define CODE          "99213"

typedef struct
{
  char       *dir;
  ChWindow   *window;
  ChSession  *session;
  GtkWidget  *main_page;
  gint64      patient_id;
  gint64      encounter_id;
  gint64      price;       /* 99213 today, in cents */
} Fixture;

static void
sign_in (Fixture    *f,
         const char *username)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = ch_window_get_main_page (f->window);
  ch_ui_test_spin (20);
}

/* The practice: the sample fee schedule, and a patient with an active
 * ICD-10 problem and an encounter today, not coded yet. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autoptr (ChSession) manager = NULL;
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (ChEncounterRecord) encounter = ch_encounter_record_new ();
  g_autoptr (ChChartItem) problem = ch_chart_item_new (CH_SECTION_PROBLEM);
  g_autoptr (GPtrArray) fees = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  ChFeeImportResult result = { 0 };

  f->dir = g_build_filename (tmp, "practice", NULL);
  if (g_strcmp0 (data, "no-history") == 0)
    {
      ChDemoOptions options;

      ch_demo_options_init (&options);
      options.history_years = 0;
      g_assert_true (ch_demo_create_full (f->dir, DEMO_PATIENTS, 11, &options, NULL, &error));
    }
  else
    g_assert_true (ch_demo_create (f->dir, DEMO_PATIENTS, 11, NULL, &error));
  g_assert_no_error (error);

  manager = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
  g_assert_true (ch_billing_fees_import (manager, CH_TEST_FEES_CSV, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.added + result.unchanged, >, 0);
  fees = ch_billing_fees_list (manager, today, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < fees->len; i++)
    {
      const ChFee *fee = g_ptr_array_index (fees, i);

      if (g_str_equal (fee->code, CODE))
        f->price = fee->price_cents;
    }
  g_assert_cmpint (f->price, >, 0);
  ch_session_logout (manager);

  doctor = ch_ui_test_login (f->dir, "doctor", CH_DEMO_PASSWORD);
  f->patient_id = 1;
  encounter->patient_id = f->patient_id;
  encounter->start_at = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  encounter->provider = g_strdup ("doctor");
  encounter->kind = g_strdup ("office");
  encounter->reason = g_strdup ("Diabetes follow-up");
  g_assert_true (ch_chart_add_encounter (doctor, encounter, &error));
  g_assert_no_error (error);
  f->encounter_id = encounter->id;
  problem->patient_id = f->patient_id;
  problem->code = g_strdup ("E11.9");
  problem->display = g_strdup ("Type 2 diabetes mellitus without complications");
  problem->clinical_status = g_strdup ("active");
  g_assert_true (ch_chart_add (doctor, problem, &error));
  g_assert_no_error (error);
  ch_session_logout (doctor);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* The ledger's balance, as the controller computes it. */
static gint64
ledger_balance (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 balance = 0;

  entries = ch_billing_ledger (f->session, f->patient_id, &balance, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return balance;
}

/* The balance shown at the top is the ledger's, in words and figures. */
static void
assert_balance_shown (Fixture       *f,
                      ChAccountView *account)
{
  gint64 balance = ledger_balance (f);
  g_autofree char *expected = ch_billing_ui_balance_text (balance);

  g_assert_cmpint (ch_account_view_get_balance (account), ==, balance);
  g_assert_cmpstr (ch_account_view_get_balance_text (account), ==, expected);
}

static void
wait_idle (Fixture       *f,
           ChAccountView *account)
{
  CH_UI_TEST_WAIT (!ch_account_view_get_busy (account) && !ch_ui_session_is_busy (f->session));
}

/* Opens the chart's Account tab. */
static ChAccountView *
open_account (Fixture *f)
{
  GtkWidget *view = ch_ui_test_open_chart (f->main_page, f->session, f->patient_id);
  GtkStack *pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  ChAccountView *account = CH_ACCOUNT_VIEW (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW,
                                                              "account_view"));

  g_assert_true (gtk_stack_page_get_visible (gtk_stack_get_page (pages, GTK_WIDGET (account))));
  gtk_stack_set_visible_child_name (pages, "account");
  CH_UI_TEST_WAIT (ch_account_view_get_patient_id (account) == f->patient_id);
  wait_idle (f, account);
  g_assert_null (ch_account_view_get_error (account));
  return account;
}

static const ChBillingEncounter *
find_encounter (ChAccountView *account,
                gint64         id)
{
  GPtrArray *encounters = ch_account_view_get_encounters (account);

  for (guint i = 0; encounters != NULL && i < encounters->len; i++)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (encounters, i);

      if (encounter->encounter_id == id)
        return encounter;
    }
  return NULL;
}

static const ChLedgerEntry *
last_entry (ChAccountView *account)
{
  GPtrArray *ledger = ch_account_view_get_ledger (account);

  g_assert_nonnull (ledger);
  g_assert_cmpuint (ledger->len, >, 0);
  return g_ptr_array_index (ledger, ledger->len - 1);
}

/* Runs @action on @dialog and waits until it is gone (stored) or idle again
 * (refused). Returns: whether it closed */
static gboolean
run_dialog (Fixture    *f,
            GtkWidget  *dialog,
            const char *action,
            gboolean  (*get_busy) (gpointer))
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (dialog, action, NULL));
  CH_UI_TEST_WAIT (dialog == NULL || (!get_busy (dialog) && !ch_ui_session_is_busy (f->session)));
  if (dialog == NULL)
    return TRUE;
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  return FALSE;
}

static void
test_billing_flow (Fixture       *f,
                   gconstpointer  data)
{
  ChAccountView *account;
  GtkWidget *dialog;
  const ChBillingEncounter *encounter;
  const ChLedgerEntry *entry;
  ChBillingPage *billing;
  gint64 before, charged, payment_entry = 0;
  gboolean found = FALSE;

  /* ---- the doctor codes the visit ---- */
  sign_in (f, "doctor");
  account = open_account (f);
  assert_balance_shown (f, account);
  before = ch_account_view_get_balance (account);
  encounter = find_encounter (account, f->encounter_id);
  g_assert_nonnull (encounter);
  g_assert_false (encounter->ready);
  g_assert_cmpint (encounter->n_lines, ==, 0);
  /* The provider by name, as the account shows it. */
  g_assert_cmpstr (encounter->provider_name, ==, "Dr. Ana García");
  /* Payments are the desk's: not offered to the doctor. */
  g_assert_null (ch_account_view_take_payment (account));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (account,
                                                                        CH_TYPE_ACCOUNT_VIEW,
                                                                        "pay_button"))));

  dialog = ch_account_view_add_charge (account, f->encounter_id);
  g_assert_true (CH_IS_CHARGE_DIALOG (dialog));
  g_assert_cmpuint (ch_charge_dialog_get_n_fees (CH_CHARGE_DIALOG (dialog)), >, 0);
  g_assert_true (ch_charge_dialog_select_code (CH_CHARGE_DIALOG (dialog), CODE));
  g_assert_true (ch_charge_dialog_set_diagnosis (CH_CHARGE_DIALOG (dialog), "E11.9", TRUE));
  ch_charge_dialog_set_units (CH_CHARGE_DIALOG (dialog), 2);
  /* A bad modifier: said in the dialog, which stays; nothing stored. */
  ch_charge_dialog_set_modifiers (CH_CHARGE_DIALOG (dialog), "25 XYZ");
  g_assert_false (run_dialog (f, dialog, "charge.add", (gpointer) ch_charge_dialog_get_busy));
  g_assert_nonnull (ch_charge_dialog_get_error (CH_CHARGE_DIALOG (dialog)));
  g_assert_nonnull (strstr (ch_charge_dialog_get_error (CH_CHARGE_DIALOG (dialog)), "XYZ"));
  g_assert_cmpint (ledger_balance (f), ==, before);
  ch_charge_dialog_set_modifiers (CH_CHARGE_DIALOG (dialog), "25");
  g_assert_true (run_dialog (f, dialog, "charge.add", (gpointer) ch_charge_dialog_get_busy));
  wait_idle (f, account);

  charged = 2 * f->price;
  g_assert_cmpint (ch_account_view_get_balance (account), ==, before + charged);
  assert_balance_shown (f, account);
  entry = last_entry (account);
  g_assert_cmpstr (entry->kind, ==, "charge");
  g_assert_cmpint (entry->amount_cents, ==, charged);
  encounter = find_encounter (account, f->encounter_id);
  g_assert_cmpint (encounter->n_lines, ==, 1);
  g_assert_cmpint (encounter->charged_cents, ==, charged);

  /* Ready to bill, after a confirmation. */
  dialog = ch_account_view_mark_ready (account, f->encounter_id);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  ch_ui_test_respond (dialog, "ready");
  wait_idle (f, account);
  encounter = find_encounter (account, f->encounter_id);
  g_assert_true (encounter->ready);
  /* It takes no more charges: not offered. */
  g_assert_null (ch_account_view_add_charge (account, f->encounter_id));
  assert_balance_shown (f, account);

  /* ---- the front desk takes a card payment ---- */
  sign_in (f, "frontdesk");
  account = open_account (f);
  assert_balance_shown (f, account);
  before = ch_account_view_get_balance (account);
  g_assert_cmpint (before, >=, charged);
  /* Write-offs are the manager's: neither offered nor shown. */
  g_assert_null (ch_account_view_correct (account, "write-off"));
  g_assert_null (ch_account_view_reverse (account, last_entry (account)->id));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (account,
                                                                        CH_TYPE_ACCOUNT_VIEW,
                                                                        "corrections_button"))));
  g_assert_null (ch_account_view_add_charge (account, f->encounter_id));

  dialog = ch_account_view_take_payment (account);
  g_assert_true (CH_IS_PAYMENT_DIALOG (dialog));
  ch_payment_dialog_set_method (CH_PAYMENT_DIALOG (dialog), "card");
  g_assert_cmpstr (ch_payment_dialog_get_reference_title (CH_PAYMENT_DIALOG (dialog)), ==,
                   "Card terminal reference");
  ch_payment_dialog_set_reference (CH_PAYMENT_DIALOG (dialog), "TERM-0042");
  /* Not an amount: said in the dialog; nothing stored. */
  ch_payment_dialog_set_amount (CH_PAYMENT_DIALOG (dialog), "12,5x");
  g_assert_false (run_dialog (f, dialog, "payment.record", (gpointer) ch_payment_dialog_get_busy));
  g_assert_nonnull (ch_payment_dialog_get_error (CH_PAYMENT_DIALOG (dialog)));
  g_assert_cmpint (ledger_balance (f), ==, before);
  ch_payment_dialog_set_amount (CH_PAYMENT_DIALOG (dialog), "50.00");
  g_assert_true (run_dialog (f, dialog, "payment.record", (gpointer) ch_payment_dialog_get_busy));
  wait_idle (f, account);
  g_assert_cmpint (ch_account_view_get_balance (account), ==, before - 5000);
  assert_balance_shown (f, account);
  entry = last_entry (account);
  g_assert_cmpstr (entry->kind, ==, "payment");
  g_assert_cmpint (entry->amount_cents, ==, -5000);
  payment_entry = entry->id;
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) payments = ch_billing_desk_payments_of (f->session, f->patient_id,
                                                                   &error);

    g_assert_no_error (error);
    for (guint i = 0; i < payments->len; i++)
      {
        const ChPayment *payment = g_ptr_array_index (payments, i);

        if (payment->ledger_entry_id == payment_entry)
          {
            g_assert_cmpstr (payment->method, ==, "card");
            g_assert_cmpstr (payment->reference, ==, "TERM-0042");
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* The statement, printed to a file: the payment is on it. */
  {
    g_autofree char *tmp = g_path_get_dirname (f->dir);
    g_autofree char *path = g_build_filename (tmp, "statement.pdf", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;

    ch_account_view_print (account, 0, path);
    wait_idle (f, account);
    g_assert_null (ch_account_view_get_error (account));
    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    g_assert_cmpuint (length, >, 4);
    g_assert_true (g_str_has_prefix (contents, "%PDF"));
  }

  /* The Billing section: today's card payments, and the encounter ready. */
  g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "billing"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "billing") != NULL);
  billing = CH_BILLING_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page),
                                                              "billing"));
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  found = FALSE;
  for (guint i = 0; i < ch_billing_page_get_payments (billing)->len; i++)
    {
      const ChDeskMethodTotal *total = g_ptr_array_index (ch_billing_page_get_payments (billing), i);

      if (g_str_equal (total->method, "card"))
        {
          g_assert_cmpint (total->total_cents, >=, 5000);
          found = TRUE;
        }
    }
  g_assert_true (found);
  found = FALSE;
  g_assert_cmpint (ch_billing_page_get_n_ready (billing), >=, 1);
  for (guint i = 0; i < ch_billing_page_get_ready (billing)->len; i++)
    {
      const ChDeskReadyEncounter *ready = g_ptr_array_index (ch_billing_page_get_ready (billing), i);

      if (ready->encounter_id == f->encounter_id)
        {
          g_assert_cmpint (ready->charged_cents, ==, charged);
          /* The provider by name, not by user name. */
          g_assert_cmpstr (ready->provider, ==, "Dr. Ana García");
          found = TRUE;
        }
    }
  g_assert_true (found);
  /* Opening the account from the section shows the same balance. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (billing), "billing.open", "(xs)",
                                             f->patient_id, "patient"));
  account = CH_ACCOUNT_VIEW (ch_billing_page_get_account_view (billing));
  CH_UI_TEST_WAIT (ch_account_view_get_patient_id (account) == f->patient_id);
  wait_idle (f, account);
  assert_balance_shown (f, account);

  /* ---- the office manager reverses the payment ---- */
  sign_in (f, "manager");
  account = open_account (f);
  assert_balance_shown (f, account);
  g_assert_cmpint (ch_account_view_get_balance (account), ==, before - 5000);
  dialog = ch_account_view_reverse (account, payment_entry);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  /* The confirmation names the entry and its amount. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "TERM-0042"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "50.00"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)),
                       "Card charged twice by the terminal");
  ch_ui_test_respond (dialog, "confirm");
  wait_idle (f, account);
  g_assert_null (ch_account_view_get_error (account));
  g_assert_cmpint (ch_account_view_get_balance (account), ==, before);
  assert_balance_shown (f, account);
  entry = last_entry (account);
  g_assert_cmpstr (entry->kind, ==, "reversal");
  g_assert_cmpint (entry->reverses, ==, payment_entry);
  /* Reversed once: not offered again. */
  g_assert_null (ch_account_view_reverse (account, payment_entry));

  /* A write-off needs its reason; with one, it is posted. */
  dialog = ch_account_view_correct (account, "write-off");
  g_assert_true (CH_IS_LEDGER_ENTRY_DIALOG (dialog));
  ch_ledger_entry_dialog_set_amount (CH_LEDGER_ENTRY_DIALOG (dialog), "10.00");
  ch_ledger_entry_dialog_set_reason (CH_LEDGER_ENTRY_DIALOG (dialog), "Courtesy discount");
  g_assert_true (run_dialog (f, dialog, "entry.post", (gpointer) ch_ledger_entry_dialog_get_busy));
  wait_idle (f, account);
  g_assert_cmpint (ch_account_view_get_balance (account), ==, before - 1000);
  assert_balance_shown (f, account);
  g_assert_cmpstr (last_entry (account)->kind, ==, "write-off");
}

/* The nurse reads no billing: no Account tab. */
static void
test_billing_hidden (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *view;
  GtkStack *pages;

  sign_in (f, "nurse");
  view = ch_ui_test_open_chart (f->main_page, f->session, f->patient_id);
  pages = GTK_STACK (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "pages"));
  g_assert_false (gtk_stack_page_get_visible (gtk_stack_get_page (
    pages, GTK_WIDGET (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "account_view")))));
}

/* The front desk closes the day from the Billing section: the cash
 * expected follows the float typed (and is what the controller works out),
 * over or short follows the count, a count that is not an amount is refused
 * in the dialog, and Close Day records the close and writes its PDF. The
 * day closed again needs a reason, and the float defaults to the last. */
static void
test_close_day (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *tmp = g_path_get_dirname (f->dir);
  g_autofree char *path = g_build_filename (tmp, "close.pdf", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (ChPayment) payment = NULL;
  g_autoptr (GPtrArray) closes = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *contents = NULL;
  ChBillingPage *billing;
  GtkWidget *dialog;
  gint64 expected = 0;
  gsize length = 0;

  {
    g_autoptr (ChSession) doctor = ch_ui_test_login (f->dir, "doctor", CH_DEMO_PASSWORD);
    g_autoptr (ChChargeLine) line = ch_billing_charge_add (doctor, f->encounter_id, CODE, 1, NULL,
                                                           NULL, &error);

    g_assert_no_error (error);
    ch_session_logout (doctor);
  }
  sign_in (f, "frontdesk");
  payment = ch_billing_pay (f->session, f->patient_id, 2500, "cash", "", NULL, 0, &error);
  g_assert_no_error (error);

  /* The cash was taken before it was allocated: Apply Credit puts it on the
   * lines owed; the balance stays, and nothing is left to apply. */
  {
    ChAccountView *account = open_account (f);
    gint64 balance = ledger_balance (f);

    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (
      GTK_WIDGET (account), CH_TYPE_ACCOUNT_VIEW, "apply_credit_button"))));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (account), "account.apply-credit", NULL));
    wait_idle (f, account);
    g_assert_null (ch_account_view_get_error (account));
    g_assert_cmpint (ledger_balance (f), ==, balance);
    assert_balance_shown (f, account);
    g_assert_cmpint (ch_billing_apply_credit (f->session, f->patient_id, &error), ==, -1);
    g_assert_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_STATE);
    g_clear_error (&error);
  }

  g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "billing"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "billing") != NULL);
  billing = CH_BILLING_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page),
                                                              "billing"));
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (GTK_WIDGET (billing),
                                                                      CH_TYPE_BILLING_PAGE,
                                                                      "close_day_button"))));

  dialog = ch_billing_page_close_day (billing);
#define WAIT_FIGURES() \
  CH_UI_TEST_WAIT (!ch_close_day_dialog_get_busy (CH_CLOSE_DAY_DIALOG (dialog)) \
                   && !ch_ui_session_is_busy (f->session))
  WAIT_FIGURES ();
  g_assert_null (ch_close_day_dialog_get_error (CH_CLOSE_DAY_DIALOG (dialog)));
  g_assert_false (ch_close_day_dialog_get_closed_before (CH_CLOSE_DAY_DIALOG (dialog)));

  ch_close_day_dialog_set_float (CH_CLOSE_DAY_DIALOG (dialog), "100.00");
  WAIT_FIGURES ();
  g_assert_true (ch_billing_cash_expected (f->session, today, 10000, &expected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expected, >=, 12500);
  expected_text = ch_billing_ui_money (expected);
  g_assert_cmpstr (ch_close_day_dialog_get_expected (CH_CLOSE_DAY_DIALOG (dialog)), ==,
                   expected_text);

  {
    g_autofree char *counted = ch_billing_format_amount (expected - 500);

    ch_close_day_dialog_set_counted (CH_CLOSE_DAY_DIALOG (dialog), counted);
    g_assert_cmpstr (ch_close_day_dialog_get_difference (CH_CLOSE_DAY_DIALOG (dialog)), ==,
                     "Short by $5.00");
  }

  /* A count that is not an amount: said, nothing recorded. */
  ch_close_day_dialog_set_counted (CH_CLOSE_DAY_DIALOG (dialog), "lots");
  g_assert_false (ch_close_day_dialog_close_to (CH_CLOSE_DAY_DIALOG (dialog), file));
  g_assert_nonnull (ch_close_day_dialog_get_error (CH_CLOSE_DAY_DIALOG (dialog)));
  closes = ch_billing_closes (f->session, today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (closes->len, ==, 0);
  g_clear_pointer (&closes, g_ptr_array_unref);

  {
    g_autofree char *counted = ch_billing_format_amount (expected - 500);

    ch_close_day_dialog_set_counted (CH_CLOSE_DAY_DIALOG (dialog), counted);
  }
  ch_close_day_dialog_set_note (CH_CLOSE_DAY_DIALOG (dialog), "Five dollars missing");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (ch_close_day_dialog_close_to (CH_CLOSE_DAY_DIALOG (dialog), file));
  CH_UI_TEST_WAIT (dialog == NULL);

  closes = ch_billing_closes (f->session, today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (closes->len, ==, 1);
  g_assert_cmpint (((ChCashClose *) closes->pdata[0])->float_cents, ==, 10000);
  g_assert_cmpint (((ChCashClose *) closes->pdata[0])->expected_cents, ==, expected);
  g_assert_cmpint (((ChCashClose *) closes->pdata[0])->difference_cents, ==, -500);
  g_assert_cmpstr (((ChCashClose *) closes->pdata[0])->note, ==, "Five dollars missing");
  g_clear_pointer (&closes, g_ptr_array_unref);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));

  /* Closed again: the float is the last one, and a reason is needed. */
  dialog = ch_billing_page_close_day (billing);
  WAIT_FIGURES ();
  WAIT_FIGURES ();
  g_assert_true (ch_close_day_dialog_get_closed_before (CH_CLOSE_DAY_DIALOG (dialog)));
  g_assert_cmpstr (ch_close_day_dialog_get_expected (CH_CLOSE_DAY_DIALOG (dialog)), ==,
                   expected_text);
  {
    g_autofree char *counted = ch_billing_format_amount (expected);

    ch_close_day_dialog_set_counted (CH_CLOSE_DAY_DIALOG (dialog), counted);
  }
  g_assert_cmpstr (ch_close_day_dialog_get_difference (CH_CLOSE_DAY_DIALOG (dialog)), ==,
                   "Balanced");
  g_assert_false (ch_close_day_dialog_close_to (CH_CLOSE_DAY_DIALOG (dialog), file));
  g_assert_nonnull (strstr (ch_close_day_dialog_get_error (CH_CLOSE_DAY_DIALOG (dialog)),
                            "closed before"));
  ch_close_day_dialog_set_reason (CH_CLOSE_DAY_DIALOG (dialog), "The five dollars were found");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (ch_close_day_dialog_close_to (CH_CLOSE_DAY_DIALOG (dialog), file));
  CH_UI_TEST_WAIT (dialog == NULL);
  closes = ch_billing_closes (f->session, today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (closes->len, ==, 2);
  g_assert_cmpint (((ChCashClose *) closes->pdata[1])->difference_cents, ==, 0);
  g_assert_cmpint (((ChCashClose *) closes->pdata[1])->supersedes, ==,
                   ((ChCashClose *) closes->pdata[0])->id);
#undef WAIT_FIGURES
}

/* The office manager's claims in the Billing section: nothing set up, a
 * build makes no claim; a malformed 835 is refused with its reason and
 * posts nothing; once the practice, its payers and its providers are set
 * up, Build Claims writes the payers' 837P files into the folder chosen and
 * says what it made. The front desk is not offered claims at all. */
static void
test_claims (Fixture       *f,
             gconstpointer  data)
{
  static const struct { const char *id, *name; } payers[] = {
    { "ACME", "Acme Health" }, { "RIVER", "Riverside Mutual" },
    { "BVI", "Blue Valley Insurance" }, { "MCR", "Medicare" }, { "MCD", "Medicaid" },
  };
  ChClaimsSetup setup = {
    .name = "Riverside Family Practice", .npi = "1234567893", .tax_id = "123456789",
    .address1 = "12 River Road", .city = "Springfield", .state = "IL", .zip = "627011234",
    .submitter_id = "CHARTA01", .contact_name = "Billing Office", .contact_phone = "5555550100",
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_path_get_dirname (f->dir);
  g_autofree char *folder_path = g_build_filename (tmp, "claims", NULL);
  g_autofree char *bad_path = g_build_filename (tmp, "bad.835", NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (folder_path);
  g_autoptr (GFile) bad = g_file_new_for_path (bad_path);
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GDir) dir = NULL;
  ChBillingPage *billing;
  gint64 balance;
  guint n_files = 0;

#define OPEN_BILLING() \
  G_STMT_START { \
    g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "billing")); \
    CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "billing") != NULL); \
    billing = CH_BILLING_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "billing")); \
    CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session)); \
  } G_STMT_END
#define CLAIMS_BOX() \
  GTK_WIDGET (ch_ui_test_child (GTK_WIDGET (billing), CH_TYPE_BILLING_PAGE, "claims_box"))

  sign_in (f, "frontdesk");
  OPEN_BILLING ();
  g_assert_false (gtk_widget_get_visible (CLAIMS_BOX ()));

  sign_in (f, "manager");
  OPEN_BILLING ();
  g_assert_true (gtk_widget_get_visible (CLAIMS_BOX ()));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ch_ui_test_child (
    GTK_WIDGET (billing), CH_TYPE_BILLING_PAGE, "claims_label"))), "No payer is set up"));

  /* A malformed remittance: refused with its reason, nothing posted. */
  g_assert_true (g_file_set_contents (bad_path, "ISA*00*this is not an 835~", -1, NULL));
  before = ch_billing_ledger (f->session, f->patient_id, &balance, &error);
  g_assert_no_error (error);
  g_assert_true (ch_billing_page_post_remittance (billing, bad));
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  g_assert_nonnull (ch_billing_page_get_error (billing));
  g_assert_null (ch_billing_page_get_claims_message (billing));
  {
    gint64 balance_after = 0;

    after = ch_billing_ledger (f->session, f->patient_id, &balance_after, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (after->len, ==, before->len);
    g_assert_cmpint (balance_after, ==, balance);
  }

  /* Set up: the practice, its payers, its providers' NPIs. */
  g_assert_true (ch_claims_setup_set (f->session, &setup, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (payers); i++)
    {
      ChPayer payer = { .id = (char *) payers[i].id, .name = (char *) payers[i].name };

      g_assert_true (ch_claims_payer_add (f->session, &payer, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ch_claims_provider_set (f->session, "doctor", "1497758544", "Garcia", "Ana", &error));
  g_assert_no_error (error);
  /* Dr. Patel has no account: named by resource id. */
  g_assert_true (ch_claims_provider_set (f->session, "patel", "1111111112", "Patel", "Ravi", &error));
  g_assert_no_error (error);
  ch_billing_page_reload (billing);
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ch_ui_test_child (
    GTK_WIDGET (billing), CH_TYPE_BILLING_PAGE, "claims_label"))), "No encounter waits"));

  /* Nothing ready to bill yet: no claim, no file. */
  g_assert_true (ch_billing_page_build_claims_to (billing, folder));
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  g_assert_null (ch_billing_page_get_error (billing));
  g_assert_nonnull (strstr (ch_billing_page_get_claims_message (billing), "No claim was made"));

  /* The doctor codes the visit against the diabetes and marks it ready;
   * the patient's insurer is one of the payers set up. */
  {
    g_autoptr (ChSession) desk = ch_ui_test_login (f->dir, "frontdesk", CH_DEMO_PASSWORD);
    g_autoptr (GPtrArray) policies = ch_patients_list_policies (desk, f->patient_id, &error);
    gboolean insured = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < policies->len; i++)
      insured |= ((ChPolicyRecord *) policies->pdata[i])->priority == 1
                 && g_strcmp0 (((ChPolicyRecord *) policies->pdata[i])->status, "active") == 0;
    if (!insured)
      {
        g_autoptr (ChPolicyRecord) policy = g_new0 (ChPolicyRecord, 1);

        policy->patient_id = f->patient_id;
        policy->priority = 1;
        policy->payer = g_strdup ("Acme Health");
        policy->member_id = g_strdup ("ACM-1001");
        policy->subscriber_name = g_strdup ("Self");
        policy->subscriber_relation = g_strdup ("self");
        g_assert_true (ch_patients_add_policy (desk, policy, &error));
        g_assert_no_error (error);
      }
    ch_session_logout (desk);
  }
  {
    g_autoptr (ChSession) doctor = ch_ui_test_login (f->dir, "doctor", CH_DEMO_PASSWORD);
    const char *dx[] = { "E11.9", NULL };
    g_autoptr (ChChargeLine) line = ch_billing_charge_add (doctor, f->encounter_id, CODE, 1, NULL,
                                                           dx, &error);

    g_assert_no_error (error);
    g_assert_nonnull (line);
    g_assert_true (ch_billing_mark_ready (doctor, f->encounter_id, &error));
    g_assert_no_error (error);
    ch_session_logout (doctor);
  }
  ch_billing_page_reload (billing);
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ch_ui_test_child (
    GTK_WIDGET (billing), CH_TYPE_BILLING_PAGE, "claims_label"))), "Ready for a claim"));

  g_assert_true (ch_billing_page_build_claims_to (billing, folder));
  CH_UI_TEST_WAIT (!ch_billing_page_get_busy (billing) && !ch_ui_session_is_busy (f->session));
  if (ch_billing_page_get_error (billing) != NULL)
    g_error ("build refused: %s", ch_billing_page_get_error (billing));
  g_assert_nonnull (strstr (ch_billing_page_get_claims_message (billing), "1 claim"));
  g_assert_nonnull (strstr (ch_billing_page_get_claims_message (billing), ".x12"));
  dir = g_dir_open (folder_path, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);
  {
    g_autoptr (GPtrArray) claims = ch_claims_list (f->session, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (claims->len, ==, 1);
    g_assert_cmpint (((ChClaim *) claims->pdata[0])->encounter_id, ==, f->encounter_id);
  }
#undef OPEN_BILLING
#undef CLAIMS_BOX
}

int
main (int    argc,
      char **argv)
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/billing/flow", Fixture, NULL, fixture_set_up, test_billing_flow,
              fixture_tear_down);
  g_test_add ("/ui/billing/hidden", Fixture, NULL, fixture_set_up, test_billing_hidden,
              fixture_tear_down);
  g_test_add ("/ui/billing/close-day", Fixture, NULL, fixture_set_up, test_close_day,
              fixture_tear_down);
  g_test_add ("/ui/billing/claims", Fixture, "no-history", fixture_set_up, test_claims,
              fixture_tear_down);
  return g_test_run ();
}
