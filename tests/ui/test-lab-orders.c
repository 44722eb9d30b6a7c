/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-lab-orders"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "ch-demo.h"
#include "ch-hl7.h"
#include "ch-lab-order-dialog.h"
#include "ch-lab-orders.h"
#include "ch-patients.h"
#include "ch-ui-test-util.h"

/* The Order Labs dialog over a demo practice: tests found by a few letters
 * and ticked, one typed in, a priority and a note; sent on a worker into a
 * folder, where the ORM^O01 is read back; an unreachable lab leaves the
 * order stored and failed, the dialog saying why and sending the same order
 * again once the lab is there; the front desk is refused, nothing stored. */

#define NOTE "Fasting | 12 h ^ no & ~ sure \\ ok"

typedef struct
{
  char      *dir;
  char      *outbox;
  ChSession *session;
  GtkWindow *window;
  gint64     patient_id;
} Fixture;

static void
set_target (Fixture    *f,
            const char *target)
{
  g_autoptr(GError) error = NULL;
  ChSession *manager = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
  ChLabOrdersSettings settings = {
    .target = (char *) target,
    .receiving_application = (char *) "LIS",
    .receiving_facility = (char *) "ACME LAB",
  };

  ch_lab_orders_set_settings (manager, &settings, &error);
  g_assert_no_error (error);
  ch_session_logout (manager);
  g_assert_finalize_object (manager);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChPatientRecord) patient = NULL;
  g_autofree char *parent = NULL;

  f->dir = ch_ui_test_make_demo ();
  parent = g_path_get_dirname (f->dir);
  f->outbox = g_build_filename (parent, "outbox", NULL);
  g_assert_cmpint (g_mkdir (f->outbox, 0700), ==, 0);
  f->session = ch_ui_test_login (f->dir, data != NULL ? data : "doctor", CH_DEMO_PASSWORD);
  patient = ch_patients_get_by_mrn (f->session, "00000018", &error);
  g_assert_no_error (error);
  f->patient_id = patient->id;
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (f->window, adw_toast_overlay_new ());
  gtk_window_present (f->window);
  ch_ui_test_spin (20);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_ref (f->window);
  gtk_window_destroy (f->window);
  ch_ui_test_spin (20);
  g_assert_finalize_object (f->window);

  ch_session_logout (f->session);
  g_assert_finalize_object (f->session);

  ch_ui_test_remove_dir (f->outbox);
  g_free (f->outbox);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static ChLabOrderDialog *
open_dialog (Fixture *f)
{
  GtkWidget *dialog = ch_lab_order_dialog_new (f->window, f->session, f->patient_id);

  gtk_window_present (GTK_WINDOW (dialog));
  ch_ui_test_spin (20);
  return CH_LAB_ORDER_DIALOG (dialog);
}

static gpointer
child (ChLabOrderDialog *dialog,
       const char       *name)
{
  return ch_ui_test_child (dialog, CH_TYPE_LAB_ORDER_DIALOG, name);
}

/* The list's row for test @code. */
static GtkWidget *
find_row (ChLabOrderDialog *dialog,
          const char       *code)
{
  g_autofree char *prefix = g_strconcat (code, " · ", NULL);
  GtkWidget *list = child (dialog, "test_list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row)
        && g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), prefix))
      return row;
  return NULL;
}

static gboolean
sensitive (ChLabOrderDialog *dialog,
           const char       *name)
{
  return gtk_widget_is_sensitive (child (dialog, name));
}

/* The order files in the outbox. */
static GPtrArray *
outbox_files (Fixture *f)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (f->outbox, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (files, g_build_filename (f->outbox, name, NULL));
  return files;
}

static ChHl7Message *
read_message (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  ChHl7Message *msg;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  msg = ch_hl7_message_parse ((const guint8 *) contents, len, &error);
  g_assert_no_error (error);
  return msg;
}

static void
assert_field (ChHl7Message *msg,
              const char   *segment,
              guint         index,
              guint         field,
              guint         comp,
              const char   *expected)
{
  g_autofree char *value = ch_hl7_message_get (msg, segment, index, field, 1, comp, 0);

  g_assert_cmpstr (value, ==, expected);
}

static GPtrArray *
stored_orders (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *orders;

  /* Read as a doctor, whoever is signed in; the window's session is idle
   * between the dialog's workers. */
  if (ch_session_can (f->session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    orders = ch_lab_orders_list (f->session, f->patient_id, NULL, &error);
  else
    {
      ChSession *doctor = ch_ui_test_login (f->dir, "doctor", CH_DEMO_PASSWORD);

      orders = ch_lab_orders_list (doctor, f->patient_id, NULL, &error);
      ch_session_logout (doctor);
      g_assert_finalize_object (doctor);
    }
  g_assert_no_error (error);
  return orders;
}

static void
test_send_to_folder (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *target = g_strconcat ("dir:", f->outbox, NULL);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(ChHl7Message) msg = NULL;
  ChLabOrderDialog *dialog;
  const ChLabOrder *order;
  GtkWidget *a1c;
  GtkWidget *cbc;

  set_target (f, target);
  dialog = open_dialog (f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* Nothing chosen: nothing to send. */
  g_assert_cmpuint (ch_lab_order_dialog_get_n_chosen (dialog), ==, 0);
  g_assert_false (sensitive (dialog, "send_button"));

  /* A few letters find the test; the others step aside. */
  a1c = find_row (dialog, "4548-4");
  cbc = find_row (dialog, "58410-2");
  g_assert_nonnull (a1c);
  g_assert_nonnull (cbc);
  ch_ui_test_set_text (child (dialog, "search_entry"), "a1c");
  CH_UI_TEST_WAIT (!gtk_widget_get_child_visible (cbc));
  g_assert_true (gtk_widget_get_child_visible (a1c));
  gtk_widget_activate (a1c);
  g_assert_cmpuint (ch_lab_order_dialog_get_n_chosen (dialog), ==, 1);
  g_assert_true (sensitive (dialog, "send_button"));

  /* A test typed in; one without a code is refused. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-other", NULL);
  g_assert_true (gtk_widget_get_visible (child (dialog, "error_label")));
  g_assert_cmpuint (ch_lab_order_dialog_get_n_chosen (dialog), ==, 1);
  ch_ui_test_set_text (child (dialog, "other_code_row"), "LIPID");
  ch_ui_test_set_text (child (dialog, "other_text_row"), "Lipid panel");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.add-other", NULL);
  g_assert_cmpuint (ch_lab_order_dialog_get_n_chosen (dialog), ==, 2);
  g_assert_false (gtk_widget_get_visible (child (dialog, "error_label")));
  g_assert_cmpstr (gtk_editable_get_text (child (dialog, "other_code_row")), ==, "");

  adw_combo_row_set_selected (child (dialog, "priority_row"), 1);
  ch_ui_test_set_text (child (dialog, "note_row"), NOTE);
  ch_ui_test_set_text (child (dialog, "info_row"), "Follow-up");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  g_assert_true (dialog == NULL || ch_lab_order_dialog_get_busy (dialog));
  /* Sent: the dialog closes. */
  CH_UI_TEST_WAIT (dialog == NULL);

  files = outbox_files (f);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_true (g_str_has_suffix (files->pdata[0], ".hl7"));
  msg = read_message (files->pdata[0]);
  assert_field (msg, "MSH", 0, 9, 0, "ORM^O01^ORM_O01");
  assert_field (msg, "MSH", 0, 5, 1, "LIS");
  assert_field (msg, "PID", 0, 3, 1, "00000018");
  assert_field (msg, "ORC", 0, 1, 1, "NW");
  g_assert_cmpuint (ch_hl7_message_count (msg, "OBR"), ==, 2);
  /* The ones typed in first, then the list's. */
  assert_field (msg, "OBR", 0, 4, 0, "LIPID^Lipid panel^L");
  assert_field (msg, "OBR", 1, 4, 0, "4548-4^Hemoglobin A1c^LN");
  assert_field (msg, "OBR", 0, 5, 1, "S");
  assert_field (msg, "OBR", 0, 13, 1, "Follow-up");
  assert_field (msg, "NTE", 0, 3, 1, NOTE);

  orders = stored_orders (f);
  g_assert_cmpuint (orders->len, ==, 1);
  order = orders->pdata[0];
  g_assert_cmpstr (order->status, ==, "sent");
  g_assert_cmpstr (order->priority, ==, "stat");
  g_assert_cmpstr (order->ordered_by, ==, "doctor");
  g_assert_cmpstr (order->note, ==, NOTE);
}

static void
test_failed_then_again (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *unreachable = NULL;
  g_autofree char *target = g_strconcat ("dir:", f->outbox, NULL);
  g_autofree char *number = NULL;
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GPtrArray) files = NULL;
  ChLabOrderDialog *dialog;
  const ChLabOrder *order;
  GtkWidget *error_label;

  /* A port bound but not listening: the lab is down. */
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  unreachable = g_strdup_printf ("mllp://127.0.0.1:%u",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  set_target (f, unreachable);

  dialog = open_dialog (f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_widget_activate (find_row (dialog, "718-7"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  CH_UI_TEST_WAIT (!ch_lab_order_dialog_get_busy (dialog)
                   && ch_lab_order_dialog_get_placer_number (dialog) != NULL);

  /* Kept, failed, and the dialog says why and offers to send it again. */
  number = g_strdup (ch_lab_order_dialog_get_placer_number (dialog));
  error_label = child (dialog, "error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "could not be reached"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), number));
  g_assert_cmpstr (gtk_button_get_label (child (dialog, "send_button")), ==, "Send _Again");
  g_assert_true (sensitive (dialog, "send_button"));
  g_assert_false (sensitive (dialog, "other_code_row"));
  orders = stored_orders (f);
  g_assert_cmpuint (orders->len, ==, 1);
  order = orders->pdata[0];
  g_assert_cmpstr (order->status, ==, "failed");
  g_assert_cmpstr (order->placer_number, ==, number);
  g_clear_pointer (&orders, g_ptr_array_unref);
  files = outbox_files (f);
  g_assert_cmpuint (files->len, ==, 0);
  g_clear_pointer (&files, g_ptr_array_unref);

  /* The lab's folder is there now: the same order goes. */
  set_target (f, target);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  CH_UI_TEST_WAIT (dialog == NULL);
  files = outbox_files (f);
  g_assert_cmpuint (files->len, ==, 1);
  orders = stored_orders (f);
  g_assert_cmpuint (orders->len, ==, 1);
  order = orders->pdata[0];
  g_assert_cmpstr (order->status, ==, "sent");
  g_assert_cmpstr (order->placer_number, ==, number);
  g_assert_cmpint (order->attempts, ==, 2);
}

static void
test_front_desk_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *target = g_strconcat ("dir:", f->outbox, NULL);
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GPtrArray) files = NULL;
  ChLabOrderDialog *dialog;
  GtkWidget *error_label;

  set_target (f, target);
  dialog = open_dialog (f);
  gtk_widget_activate (find_row (dialog, "2345-7"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "order.send", NULL);
  CH_UI_TEST_WAIT (!ch_lab_order_dialog_get_busy (dialog));

  error_label = child (dialog, "error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "Not allowed"));
  g_assert_null (ch_lab_order_dialog_get_placer_number (dialog));
  orders = stored_orders (f);
  g_assert_cmpuint (orders->len, ==, 0);
  files = outbox_files (f);
  g_assert_cmpuint (files->len, ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/lab-orders/dialog/send-to-folder", Fixture, NULL, fixture_set_up,
              test_send_to_folder, fixture_tear_down);
  g_test_add ("/lab-orders/dialog/failed-then-again", Fixture, NULL, fixture_set_up,
              test_failed_then_again, fixture_tear_down);
  g_test_add ("/lab-orders/dialog/front-desk-refused", Fixture, "frontdesk", fixture_set_up,
              test_front_desk_refused, fixture_tear_down);

  return g_test_run ();
}
