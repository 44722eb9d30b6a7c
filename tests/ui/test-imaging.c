/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-imaging"

#include "config.h"

#include <string.h>

#include "ch-demo.h"
#include "ch-dicom-view.h"
#include "ch-document-window.h"
#include "ch-documents-list.h"
#include "ch-imaging.h"
#include "ch-imaging-inbox-page.h"
#include "ch-main-page.h"
#include "ch-patient-picker.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-preferences-window.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* Received images in the real window: a study that matched no patient
 * waits in the Imaging Inbox, is assigned there through the patient search
 * and then shows in the chart by study and series, opening in the DICOM
 * viewer; another is discarded with a reason. The receiver's settings in
 * Preferences, for the office manager to change and clinicians to read. */

#define DEMO_PATIENTS 4
#define PYDICOM_FILES "/usr/lib/python3/dist-packages/pydicom/data/test_files"

typedef struct
{
  char       *dir;
  ChWindow   *window;
  ChSession  *session;
  GtkWidget  *main_page;
} Fixture;

static void
sign_in (Fixture    *f,
         const char *username)
{
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, username, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  f->main_page = ch_window_get_main_page (f->window);
  ch_ui_test_spin (20);
}

/* A port free now, for the receiver the window starts. */
static guint
receiver_port (void)
{
  static guint port;

  if (port == 0)
    {
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
      g_autoptr(GSocketAddress) bound = NULL;

      g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
      bound = g_socket_get_local_address (socket, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    }
  return port;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 7, NULL, &error);
  g_assert_no_error (error);

  if (g_strcmp0 (data, "receiver") == 0)
    {
      /* The office manager switches the receiver on first. */
      g_autoptr(ChSession) manager = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
      const char *peers[] = { "TESTSCU", NULL };
      ChImagingReceiverSettings settings = {
        .enabled = TRUE,
        .ae_title = (char *) "CHARTA",
        .port = receiver_port (),
        .allowed_peers = (GStrv) peers,
      };

      g_assert_true (ch_imaging_set_receiver_settings (manager, &settings, &error));
      g_assert_no_error (error);
      ch_session_logout (manager);
      data = "doctor";
    }
  sign_in (f, data != NULL ? data : "doctor");
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

/* What a modality sends, as the receiver hands it over. */
static ChImagingOutcome
receive (Fixture    *f,
         const char *name)
{
  g_autofree char *path = g_build_filename (PYDICOM_FILES, name, NULL);
  g_autofree char *data = NULL;
  gsize size = 0;
  g_auto(ChImagingStoreResult) result = { 0 };
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &size, &error);
  g_assert_no_error (error);
  g_assert_true (ch_imaging_store_instance (f->session, (const guint8 *) data, size, "CT01",
                                            "CT01 (127.0.0.1) over DICOM", &result, &error));
  g_assert_no_error (error);
  return result.outcome;
}

static ChImagingInboxPage *
show_inbox (Fixture *f)
{
  ChImagingInboxPage *page;

  g_assert_true (gtk_widget_activate_action (f->main_page, "main.show-section", "s", "imaging"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page), "imaging") !=
                   NULL);
  page = CH_IMAGING_INBOX_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (f->main_page),
                                                                 "imaging"));
  CH_UI_TEST_WAIT (!ch_imaging_inbox_page_get_busy (page) &&
                   !ch_ui_session_is_busy (f->session));
  return page;
}

static gint64
first_patient (Fixture *f)
{
  /* Any patient of the demo practice: the first a letter finds. */
  for (char letter = 'a'; letter <= 'z'; letter++)
    {
      char query[2] = { letter, '\0' };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = ch_patients_search (f->session, query, DEMO_PATIENTS, &error);

      g_assert_no_error (error);
      if (hits->len > 0)
        return ((const ChPatientHit *) g_ptr_array_index (hits, 0))->id;
    }
  g_assert_not_reached ();
  return 0;
}

static void
test_inbox_assign (Fixture       *f,
                   gconstpointer  data)
{
  ChImagingInboxPage *page;
  ChImagingInboxItem *item;
  AdwMessageDialog *dialog;
  ChPatientPicker *picker;
  ChPatientView *view;
  ChDocumentsList *documents;
  ChDocumentWindow *window;
  GtkWidget *viewer;
  gint64 patient_id;
  g_autoptr(GPtrArray) studies = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (PYDICOM_FILES "/CT_small.dcm", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("pydicom's test files are not installed (python3-pydicom)");
      return;
    }

  /* CT_small.dcm's Patient ID matches no demo patient. */
  g_assert_cmpint (receive (f, "CT_small.dcm"), ==, CH_IMAGING_QUEUED);

  page = show_inbox (f);
  g_assert_cmpuint (ch_imaging_inbox_page_get_items (page)->len, ==, 1);
  item = g_ptr_array_index (ch_imaging_inbox_page_get_items (page), 0);
  g_assert_cmpstr (item->calling_ae, ==, "CT01");
  g_assert_cmpuint (item->n_instances, ==, 1);

  /* Assigned through the patient search. */
  patient_id = first_patient (f);
  dialog = ADW_MESSAGE_DIALOG (ch_imaging_inbox_page_assign (page, item->id));
  g_assert_nonnull (dialog);
  picker = CH_PATIENT_PICKER (adw_message_dialog_get_extra_child (dialog));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "assign"));
  ch_patient_picker_set_patient (picker, patient_id, "Test patient");
  g_signal_emit_by_name (picker, "patient-chosen");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "assign"));
  ch_ui_test_respond (dialog, "assign");
  CH_UI_TEST_WAIT (!ch_imaging_inbox_page_get_busy (page) && !ch_ui_session_is_busy (f->session));
  ch_ui_test_spin (50);
  CH_UI_TEST_WAIT (ch_imaging_inbox_page_get_items (page) != NULL &&
                   ch_imaging_inbox_page_get_items (page)->len == 0 &&
                   !ch_ui_session_is_busy (f->session));

  studies = ch_imaging_list_studies (f->session, patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (studies->len, ==, 1);

  /* In the chart, by study and series; the series opens in the viewer. */
  view = CH_PATIENT_VIEW (ch_ui_test_open_chart (f->main_page, f->session, patient_id));
  documents = CH_DOCUMENTS_LIST (ch_ui_test_child (view, CH_TYPE_PATIENT_VIEW, "documents_list"));
  CH_UI_TEST_WAIT (!ch_documents_list_get_busy (documents) && !ch_ui_session_is_busy (f->session));

  /* The instance is under its study, not listed on its own. */
  window = CH_DOCUMENT_WINDOW (ch_documents_list_open_series (
    documents, ((ChImagingStudy *) g_ptr_array_index (studies, 0))->study_uid, 0));
  g_assert_nonnull (window);
  CH_UI_TEST_WAIT (ch_document_window_get_ready (window));
  g_assert_null (ch_document_window_get_message (window));
  viewer = ch_document_window_get_viewer (window);
  g_assert_true (CH_IS_DICOM_VIEW (viewer));
  g_assert_cmpuint (ch_dicom_view_get_n_slices (CH_DICOM_VIEW (viewer)), ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
}

static void
test_inbox_discard (Fixture       *f,
                    gconstpointer  data)
{
  ChImagingInboxPage *page;
  ChImagingInboxItem *item;
  GtkWindow *confirm;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (PYDICOM_FILES "/MR_small.dcm", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("pydicom's test files are not installed (python3-pydicom)");
      return;
    }

  g_assert_cmpint (receive (f, "MR_small.dcm"), ==, CH_IMAGING_QUEUED);
  page = show_inbox (f);
  g_assert_cmpuint (ch_imaging_inbox_page_get_items (page)->len, ==, 1);
  item = g_ptr_array_index (ch_imaging_inbox_page_get_items (page), 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "inbox.discard", "x", item->id));
  confirm = ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);
  g_assert_nonnull (confirm);
  /* No reason, no discarding. */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (confirm),
                                                           "confirm"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (confirm)),
                       "Test images from the service engineer");
  ch_ui_test_respond (confirm, "confirm");
  CH_UI_TEST_WAIT (!ch_imaging_inbox_page_get_busy (page) && !ch_ui_session_is_busy (f->session));
  CH_UI_TEST_WAIT (ch_imaging_inbox_page_get_items (page)->len == 0 &&
                   !ch_ui_session_is_busy (f->session));

  left = ch_imaging_inbox_list (f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 0);
}

/* The office manager sets the receiver up; a clinician only reads it. */
static void
test_receiver_preferences (Fixture       *f,
                           gconstpointer  data)
{
  GtkWindow *preferences;
  GObject *ae_row, *port_row, *peers_row, *receiver_switch;
  g_autoptr(ChImagingReceiverSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  ch_window_show_preferences (f->window);
  preferences = ch_ui_test_find_toplevel (CH_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (f->window));
  g_assert_nonnull (preferences);
  ae_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "ae_row");
  port_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "port_row");
  peers_row = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "peers_row");
  receiver_switch = ch_ui_test_child (preferences, CH_TYPE_PREFERENCES_WINDOW, "receiver_switch");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ae_row)), ==, CH_IMAGING_DEFAULT_AE_TITLE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port_row)), ==, "11112");

  if (g_strcmp0 (data, "doctor") == 0)
    {
      g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (ae_row)));
      gtk_window_destroy (preferences);
      return;
    }

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (ae_row)));
  ch_ui_test_set_text (ae_row, "CHARTA_MAIN");
  ch_ui_test_set_text (port_row, "104");
  ch_ui_test_set_text (peers_row, "CT01, US_ROOM2");
  gtk_switch_set_active (GTK_SWITCH (receiver_switch), TRUE);
  g_signal_emit_by_name (ae_row, "apply");

  settings = ch_imaging_get_receiver_settings (f->session, &error);
  g_assert_no_error (error);
  g_assert_true (settings->enabled);
  g_assert_cmpstr (settings->ae_title, ==, "CHARTA_MAIN");
  g_assert_cmpuint (settings->port, ==, 104);
  g_assert_cmpuint (g_strv_length (settings->allowed_peers), ==, 2);
  g_assert_cmpstr (settings->allowed_peers[1], ==, "US_ROOM2");

  /* A bad port is refused and the stored one shown again. */
  ch_ui_test_set_text (port_row, "70000");
  g_signal_emit_by_name (port_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port_row)), ==, "104");
  gtk_window_destroy (preferences);
}

static void
on_process_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Runs @argv to its end while the window's main loop runs (the receiver
 * files what it is sent there); returns its exit status. */
static int
run_while_iterating (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                            G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                      &error);

  gboolean done = FALSE;

  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, on_process_done, &done);
  CH_UI_TEST_WAIT (done);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* With the receiver switched on, the signed-in window listens: a study sent
 * with storescu from an allowed AE title lands in the inbox, told in one
 * word; a stranger is turned away; locking stops it. */
static void
test_window_receiver (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *port = g_strdup_printf ("%u", receiver_port ());
  g_autofree char *storescu = g_find_program_in_path ("storescu");
  g_autofree char *echoscu = g_find_program_in_path ("echoscu");
  const char *store[] = { storescu, "-aet", "TESTSCU", "-aec", "CHARTA", "127.0.0.1", port,
                          PYDICOM_FILES "/CT_small.dcm", PYDICOM_FILES "/MR_small.dcm", NULL };
  const char *stranger[] = { echoscu, "-aet", "STRANGER", "-aec", "CHARTA", "127.0.0.1", port,
                             NULL };
  ChDicomReceiver *receiver;
  ChImagingInboxPage *page;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;

  if (storescu == NULL || echoscu == NULL ||
      !g_file_test (PYDICOM_FILES "/CT_small.dcm", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("dcmtk's storescu or pydicom's test files are not installed");
      return;
    }

  g_assert_null (ch_main_page_get_receiver_error (CH_MAIN_PAGE (f->main_page)));
  receiver = ch_main_page_get_receiver (CH_MAIN_PAGE (f->main_page));
  g_assert_nonnull (receiver);
  g_assert_true (ch_dicom_receiver_get_running (receiver));
  g_assert_cmpuint (ch_dicom_receiver_get_port (receiver), ==, receiver_port ());

  page = show_inbox (f);
  g_assert_cmpint (run_while_iterating (store), ==, 0);
  g_assert_cmpint (run_while_iterating (stranger), !=, 0);

  waiting = ch_imaging_inbox_list (f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (waiting->len, ==, 2);
  /* The page hears of it once the burst is over. */
  CH_UI_TEST_WAIT (ch_imaging_inbox_page_get_items (page) != NULL &&
                   ch_imaging_inbox_page_get_items (page)->len == 2);

  /* Locked, nothing listens. */
  g_object_add_weak_pointer (G_OBJECT (receiver), (gpointer *) &receiver);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL));
  CH_UI_TEST_WAIT (receiver == NULL);
  g_assert_cmpint (run_while_iterating ((const char * const *) stranger), !=, 0);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/imaging/inbox-assign", Fixture, NULL, fixture_set_up, test_inbox_assign,
              fixture_tear_down);
  g_test_add ("/ui/imaging/inbox-discard", Fixture, NULL, fixture_set_up, test_inbox_discard,
              fixture_tear_down);
  g_test_add ("/ui/imaging/window-receiver", Fixture, "receiver", fixture_set_up,
              test_window_receiver, fixture_tear_down);
  g_test_add ("/ui/imaging/preferences-manager", Fixture, "manager", fixture_set_up,
              test_receiver_preferences, fixture_tear_down);
  g_test_add ("/ui/imaging/preferences-doctor", Fixture, "doctor", fixture_set_up,
              test_receiver_preferences, fixture_tear_down);

  return g_test_run ();
}
