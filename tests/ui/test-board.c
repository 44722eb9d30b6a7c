/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-board"

#include "config.h"

#include <string.h>

#include "ch-board-view.h"
#include "ch-check-in-dialog.h"
#include "ch-demo.h"
#include "ch-patients.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* Today's board at the front desk, over a demo practice: an appointment
 * booked for now is expected; checking it in asks the desk to confirm the
 * patient's details (and cancelling that changes nothing), then it waits,
 * goes into a room and is done, each move as the controller then records
 * it; a no-show; and a day with nothing booked. The board is built on its
 * own in a window, over the session the real window signed in. */

#define DEMO_PATIENTS 10

typedef struct
{
  char        *dir;
  ChWindow    *window;
  ChSession   *session;
  GtkWindow   *board_window;
  ChBoardView *board;
  gint64       patient_id;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  guint n_patients = GPOINTER_TO_UINT (data);
  GtkWidget *overlay;

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, n_patients, 11, NULL, &error);
  g_assert_no_error (error);

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, "frontdesk", CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));

  /* The board alone, with somewhere for its toasts. */
  f->board_window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->board_window, 900, 700);
  overlay = adw_toast_overlay_new ();
  f->board = CH_BOARD_VIEW (ch_board_view_new (f->session));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->board));
  gtk_window_set_child (f->board_window, overlay);
  gtk_window_present (f->board_window);

  /* On screen, it reads the day. */
  CH_UI_TEST_WAIT (ch_board_view_get_appointments (f->board) != NULL
                   && !ch_board_view_get_busy (f->board));

  if (n_patients > 0)
    {
      g_autoptr (GPtrArray) hits = NULL;

      /* Any patient of the demo: an empty query finds none, a vowel some. */
      for (const char *q = "aeiou"; *q != '\0' && (hits == NULL || hits->len == 0); q++)
        {
          char query[2] = { *q, '\0' };

          g_clear_pointer (&hits, g_ptr_array_unref);
          hits = ch_patients_search (f->session, query, DEMO_PATIENTS, &error);
          g_assert_no_error (error);
        }
      g_assert_cmpuint (hits->len, >, 0);
      f->patient_id = ((const ChPatientHit *) g_ptr_array_index (hits, 0))->id;
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  g_object_ref (f->board);
  gtk_window_destroy (f->board_window);
  ch_ui_test_spin (20);
  g_assert_finalize_object (f->board);

  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first row of @widget titled @title. */
static AdwActionRow *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ACTION_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A label under @widget reading @text. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The button under @widget for @action. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *action)
{
  if (GTK_IS_BUTTON (widget)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
section (Fixture    *f,
         const char *name)
{
  return GTK_WIDGET (ch_ui_test_child (f->board, CH_TYPE_BOARD_VIEW, name));
}

static GtkWidget *
row_of (Fixture *f,
        gint64   id)
{
  g_autofree char *name = g_strdup_printf ("appointment-%" G_GINT64_FORMAT, id);

  return find_named (GTK_WIDGET (f->board), name);
}

/* Whether the row of @id is shown in section @name, and only there. */
static gboolean
in_section (Fixture    *f,
            gint64      id,
            const char *name)
{
  GtkWidget *row = row_of (f, id);

  return row != NULL && gtk_widget_is_ancestor (row, section (f, name))
         && gtk_widget_get_visible (section (f, name));
}

static const ChAppointment *
board_appointment (Fixture *f,
                   gint64   id)
{
  GPtrArray *list = ch_board_view_get_appointments (f->board);

  for (guint i = 0; list != NULL && i < list->len; i++)
    if (((const ChAppointment *) g_ptr_array_index (list, i))->id == id)
      return g_ptr_array_index (list, i);
  return NULL;
}

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board) && !ch_ui_session_is_busy (f->session));
  ch_ui_test_spin (20);
}

static char *
status_of (Fixture *f,
           gint64   id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChAppointment) a = ch_schedule_get (f->session, id, &error);

  g_assert_no_error (error);
  return g_strdup (a->status);
}

/* Books @patient now (to the minute) with Dr Patel, whatever the hour or
 * the bookings already there, and shows it on the board. */
static gint64
book_now (Fixture *f,
          gint64   patient)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (ChApptType) type = ch_schedule_find_type (f->session, "walk-in", &error);
  gint64 now = g_get_real_time ();

  g_assert_no_error (error);
  a->patient_id = patient;
  a->provider_id = g_strdup ("patel");
  a->type_id = type->id;
  a->start_at = now - now % ((gint64) 60 * G_USEC_PER_SEC);
  a->duration_min = 15;
  a->reason = g_strdup ("Walked in");
  g_assert_true (ch_schedule_book (f->session, a,
                                   CH_BOOK_CONFIRM_OUTSIDE_HOURS | CH_BOOK_CONFIRM_OVERBOOK,
                                   &error));
  g_assert_no_error (error);

  ch_board_view_reload (f->board);
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board) && board_appointment (f, a->id) != NULL);
  wait_idle (f);
  return a->id;
}

static ChCheckInDialog *
activate_check_in (Fixture *f,
                   gint64   id)
{
  ChCheckInDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->board), "board.check-in", "x", id));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_CHECK_IN_DIALOG, NULL) != NULL);
  wait_idle (f);
  dialog = CH_CHECK_IN_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_CHECK_IN_DIALOG, NULL));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == f->board_window);
  g_assert_cmpint (ch_check_in_dialog_get_appointment_id (dialog), ==, id);
  return dialog;
}

static void
test_visit (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  g_autoptr (ChPatientRecord) patient = ch_patients_get (f->session, f->patient_id, &error);
  g_autoptr (GPtrArray) history = NULL;
  g_autofree char *name = ch_patient_record_display_name (patient);
  g_autofree char *status = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *clock = NULL;
  ChCheckInDialog *dialog;
  AdwActionRow *row;
  gint64 id, before;

  /* A policy to read back at the counter. */
  policy->patient_id = f->patient_id;
  policy->priority = 9;
  policy->payer = g_strdup ("Acme Health");
  policy->plan = g_strdup ("Gold");
  policy->member_id = g_strdup ("M-4711");
  policy->subscriber_name = g_strdup (name);
  policy->subscriber_relation = g_strdup ("self");
  g_assert_true (ch_patients_add_policy (f->session, policy, &error));
  g_assert_no_error (error);

  id = book_now (f, f->patient_id);
  g_assert_cmpstr (board_appointment (f, id)->status, ==, "booked");
  g_assert_true (in_section (f, id, "expected_group"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_of (f, id))), ==,
                   board_appointment (f, id)->patient_name);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (f, id))),
                            patient->mrn));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (f, id))),
                            "Dr. Ravi Patel"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (f, id))),
                            "walk-in"));
  /* Only the moves that make sense, each named for whom it is for. */
  g_assert_nonnull (find_button (row_of (f, id), "board.check-in"));
  g_assert_nonnull (find_button (row_of (f, id), "board.no-show"));
  g_assert_null (find_button (row_of (f, id), "board.in-room"));
  g_assert_null (find_button (row_of (f, id), "board.done"));
  {
    const ChAppointment *a = board_appointment (f, id);
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
    g_autoptr (GDateTime) local = g_date_time_to_local (utc);
    GtkWidget *button = find_button (row_of (f, id), "board.check-in");

    clock = g_date_time_format (local, "%H:%M");
    accessible = g_strdup_printf ("Check in %s at %s", a->patient_name, clock);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                         accessible);
  }
  /* A move that does not follow from "booked" does nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->board), "board.done", "x", id));
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "booked");
  g_clear_pointer (&status, g_free);

  /* Checking in asks first; cancelled, nothing changes. */
  dialog = activate_check_in (f, id);
  ch_ui_test_respond (dialog, "cancel");
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "booked");
  g_clear_pointer (&status, g_free);
  g_assert_true (in_section (f, id, "expected_group"));

  /* The dialog reads back what is on file. */
  dialog = activate_check_in (f, id);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), name));
  row = find_row (GTK_WIDGET (dialog), "Date of birth");
  g_assert_nonnull (row);
  if (patient->birth_date != NULL)
    g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), patient->birth_date));
  if (patient->address_line != NULL && patient->address_line[0])
    {
      row = find_row (GTK_WIDGET (dialog), "Address");
      g_assert_nonnull (row);
      g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), patient->address_line));
    }
  if (patient->phones != NULL && patient->phones->len > 0)
    {
      const ChPhone *phone = g_ptr_array_index (patient->phones, 0);

      g_assert_cmpstr (phone->kind, ==, "mobile");   /* as the demo registers them */
      row = find_row (GTK_WIDGET (dialog), "Phone (Mobile)");
      g_assert_nonnull (row);
      g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, phone->number);
    }
  row = find_row (GTK_WIDGET (dialog), "Priority 9 · Acme Health — Gold");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "Member M-4711"));

  /* Confirmed: arrived, and waiting since now. */
  before = g_get_real_time ();
  ch_ui_test_respond (dialog, "check-in");
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board)
                   && g_strcmp0 (board_appointment (f, id)->status, "arrived") == 0);
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "arrived");
  g_clear_pointer (&status, g_free);
  g_assert_true (in_section (f, id, "waiting_group"));
  g_assert_false (gtk_widget_is_ancestor (row_of (f, id), section (f, "expected_group")));
  g_assert_nonnull (find_button (row_of (f, id), "board.in-room"));
  g_assert_null (find_button (row_of (f, id), "board.check-in"));
  history = ch_schedule_status_history (f->session, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (history, history->len - 1), "arrived|"));
  g_assert_cmpint (g_ascii_strtoll (strchr (g_ptr_array_index (history, history->len - 1), '|') + 1,
                                    NULL, 10), >=, before - G_USEC_PER_SEC);
  /* How long: nothing yet. */
  g_assert_nonnull (find_label (row_of (f, id), "0 min"));

  /* Into a room, then done. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->board), "board.in-room", "x", id));
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board)
                   && g_strcmp0 (board_appointment (f, id)->status, "in-room") == 0);
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "in-room");
  g_clear_pointer (&status, g_free);
  g_assert_true (in_section (f, id, "in_room_group"));
  g_assert_nonnull (find_button (row_of (f, id), "board.done"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->board), "board.done", "x", id));
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board)
                   && g_strcmp0 (board_appointment (f, id)->status, "done") == 0);
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "done");
  g_clear_pointer (&status, g_free);
  g_assert_true (in_section (f, id, "done_group"));
  g_assert_null (find_button (row_of (f, id), "board.check-in"));
  g_assert_null (find_button (row_of (f, id), "board.done"));
}

static void
test_no_show (Fixture      *f,
              gconstpointer data)
{
  g_autofree char *status = NULL;
  gint64 id = book_now (f, f->patient_id);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->board), "board.no-show", "x", id));
  CH_UI_TEST_WAIT (!ch_board_view_get_busy (f->board)
                   && g_strcmp0 (board_appointment (f, id)->status, "no-show") == 0);
  wait_idle (f);
  status = status_of (f, id);
  g_assert_cmpstr (status, ==, "no-show");
  g_assert_true (in_section (f, id, "no_show_group"));
  /* Someone who comes late can still be checked in. */
  g_assert_nonnull (find_button (row_of (f, id), "board.check-in"));
  g_assert_null (find_button (row_of (f, id), "board.no-show"));
}

static void
test_empty (Fixture      *f,
            gconstpointer data)
{
  /* A demo practice without patients has nothing booked. */
  g_assert_cmpuint (ch_board_view_get_appointments (f->board)->len, ==, 0);
  g_assert_true (gtk_widget_get_visible (section (f, "empty_page")));
  g_assert_false (gtk_widget_get_visible (section (f, "expected_group")));
  g_assert_false (gtk_widget_get_visible (section (f, "waiting_group")));
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/board/visit", Fixture, GUINT_TO_POINTER (DEMO_PATIENTS),
              fixture_set_up, test_visit, fixture_tear_down);
  g_test_add ("/ui/board/no-show", Fixture, GUINT_TO_POINTER (DEMO_PATIENTS),
              fixture_set_up, test_no_show, fixture_tear_down);
  g_test_add ("/ui/board/empty", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_empty, fixture_tear_down);

  return g_test_run ();
}
