/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-schedule"

#include "config.h"

#include <poppler.h>
#include <string.h>

#include "ch-board-view.h"
#include "ch-book-dialog.h"
#include "ch-calendar-view.h"
#include "ch-demo.h"
#include "ch-hours-dialog.h"
#include "ch-main-page.h"
#include "ch-patient-picker.h"
#include "ch-patients.h"
#include "ch-schedule-page.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The front desk's calendar in the real window, over a demo practice
 * signed in as the front desk: booking with the keyboard alone (arrows,
 * Enter, typing the patient, Ctrl+Return); the first free slot found and
 * booked; an appointment moved and resized by dragging, and a drag onto a
 * taken time refused with nothing changed; the day sheet printed. Each is
 * checked through the controller, not through what the page shows. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

typedef struct
{
  char           *dir;
  ChWindow       *window;
  ChSession      *session;
  ChSchedulePage *page;
  ChCalendarView *calendar;
  GPtrArray      *providers;
  gint64          day;           /* µs: local midnight of a Monday with nothing booked */
  gint64          patient_id;
  char           *family_name;
} Fixture;

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session) && !ch_schedule_page_get_busy (f->page));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) later = g_date_time_add_days (now, 70);
  g_autoptr (GDateTime) monday = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  GtkWidget *main_page;

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, 10, 7, NULL, &error);
  g_assert_no_error (error);

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, "frontdesk", CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));

  /* Ten weeks on, past the demo's bookings. */
  monday = g_date_time_new_local (g_date_time_get_year (later), g_date_time_get_month (later),
                                  g_date_time_get_day_of_month (later), 0, 0, 0);
  {
    GDateTime *m = g_date_time_add_days (monday, 1 - g_date_time_get_day_of_week (monday));

    g_date_time_unref (monday);
    monday = m;
  }
  f->day = g_date_time_to_unix (monday) * G_USEC_PER_SEC;

  f->providers = ch_schedule_list_resources (f->session, "provider", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->providers->len, >=, 2);

  /* Any patient of the demo: a letter finds the names starting with it. */
  for (const char *q = "abcdefghijklmnoprstuvwz"; *q != '\0' && (hits == NULL || hits->len == 0); q++)
    {
      char query[2] = { *q, '\0' };

      g_clear_pointer (&hits, g_ptr_array_unref);
      hits = ch_patients_search (f->session, query, 10, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (hits->len, >, 0);
  f->patient_id = ((ChPatientHit *) hits->pdata[0])->id;
  f->family_name = g_strdup (((ChPatientHit *) hits->pdata[0])->family_name);

  main_page = ch_window_get_main_page (f->window);
  g_assert_true (gtk_widget_activate_action (main_page, "main.show-section", "s", "schedule"));
  f->page = CH_SCHEDULE_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                               "schedule"));
  g_assert_nonnull (f->page);
  wait_idle (f);
  ch_schedule_page_set_day (f->page, f->day);
  wait_idle (f);
  f->calendar = CH_CALENDAR_VIEW (ch_schedule_page_get_calendar (f->page));
  g_assert_cmpuint (ch_schedule_page_get_appointments (f->page)->len, ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL)) != NULL)
    gtk_window_destroy (dialog);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_clear_pointer (&f->providers, g_ptr_array_unref);
  g_free (f->family_name);
  g_free (f->dir);
}

static const char *
provider_id (Fixture *f,
             guint    i)
{
  return ((ChResource *) f->providers->pdata[i])->id;
}

/* The appointments the controller holds for the fixture's day. */
static GPtrArray *
booked_that_day (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = ch_schedule_list (f->session, f->day, f->day + G_TIME_SPAN_DAY, NULL, &error);

  g_assert_no_error (error);
  return list;
}

static gint64
at (Fixture *f,
    int      hour,
    int      minute)
{
  return f->day + (hour * 60 + minute) * MIN_USEC;
}

static ChBookDialog *
wait_for_book_dialog (void)
{
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) != NULL);
  return CH_BOOK_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL));
}

static ChPatientPicker *
patient_picker (ChBookDialog *dialog)
{
  return CH_PATIENT_PICKER (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "patient_picker"));
}

/* Types the patient's name and takes the first match with Enter. */
static void
choose_patient (Fixture      *f,
                ChBookDialog *dialog)
{
  ChPatientPicker *picker = patient_picker (dialog);
  GtkWidget *entry = ch_patient_picker_get_entry (picker);
  GtkWidget *results = ch_patient_picker_get_results (picker);
  GtkWidget *focus;
  GtkWidget *type_row;

  ch_ui_test_set_text (entry, f->family_name);
  /* The search entry reports a change after its short delay. */
  CH_UI_TEST_WAIT (gtk_widget_get_visible (results));
  g_signal_emit_by_name (entry, "activate");
  g_assert_false (gtk_widget_get_visible (results));
  g_assert_cmpint (ch_patient_picker_get_patient_id (picker), ==, f->patient_id);
  /* Taken, the patient leaves the keyboard on the next field. */
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  type_row = GTK_WIDGET (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "type_row"));
  g_assert_true (focus == type_row || gtk_widget_is_ancestor (focus, type_row));
}

static const char *
entry_text (ChBookDialog *dialog,
            const char   *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, name)));
}

/* The arrows move the cursor to the second provider at 10:00, Enter opens
 * the booking there, the patient is typed and taken with Enter, and
 * Ctrl+Return books: the controller then holds that appointment. */
static void
test_book_by_keyboard (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr (GPtrArray) booked = NULL;
  ChBookDialog *dialog;
  ChAppointment *a;
  guint column = 99;
  int minute = -1;

  gtk_widget_grab_focus (GTK_WIDGET (f->calendar));
  ch_calendar_view_set_cursor (f->calendar, 0, 8 * 60);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Right, 0));
  for (int i = 0; i < 8; i++)
    g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Down, 0));
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Up, 0));
  ch_calendar_view_get_cursor (f->calendar, &column, &minute);
  g_assert_cmpuint (column, ==, 1);
  g_assert_cmpint (minute, ==, 9 * 60 + 45);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Down, 0));
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Return, 0));

  dialog = wait_for_book_dialog ();
  g_assert_cmpstr (entry_text (dialog, "time_row"), ==, "10:00");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ch_ui_test_child (
                      dialog, CH_TYPE_BOOK_DIALOG, "provider_row"))), ==, 1);
  /* Without a patient nothing is booked, and the dialog says why. */
  g_assert_true (ch_ui_test_press_key (ch_patient_picker_get_entry (patient_picker (dialog)),
                                       GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG,
                                                                       "error_label"))));
  choose_patient (f, dialog);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "reason_row"), "Knee pain");
  g_assert_true (ch_ui_test_press_key (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "reason_row"),
                                       GDK_KEY_Return, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) == NULL);
  wait_idle (f);

  booked = booked_that_day (f);
  g_assert_cmpuint (booked->len, ==, 1);
  a = booked->pdata[0];
  g_assert_cmpint (a->patient_id, ==, f->patient_id);
  g_assert_cmpstr (a->provider_id, ==, provider_id (f, 1));
  g_assert_cmpint (a->start_at, ==, at (f, 10, 0));
  g_assert_cmpint (a->duration_min, ==, 20);   /* the follow-up's */
  g_assert_cmpstr (a->reason, ==, "Knee pain");
  g_assert_cmpstr (a->status, ==, "booked");
  /* And the page shows it. */
  CH_UI_TEST_WAIT (ch_schedule_page_get_appointments (f->page)->len == 1);

  /* Enter on it opens it rather than booking over it. */
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Return, 0));
  ch_ui_test_spin (50);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL);
  ch_ui_test_respond (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL), "close");

  /* Alt+Right goes to the next day (empty), Alt+Left back: the page's, not the cursor's. */
  ch_calendar_view_get_cursor (f->calendar, &column, &minute);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Right, GDK_ALT_MASK));
  wait_idle (f);
  g_assert_cmpuint (ch_schedule_page_get_appointments (f->page)->len, ==, 0);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Left, GDK_ALT_MASK));
  wait_idle (f);
  g_assert_cmpuint (ch_schedule_page_get_appointments (f->page)->len, ==, 1);
  {
    guint column_after = 99;
    int minute_after = -1;

    ch_calendar_view_get_cursor (f->calendar, &column_after, &minute_after);
    g_assert_cmpuint (column_after, ==, column);
  }
}

/* Ctrl+N opens the booking, Ctrl+Shift+F finds the free slots for the
 * patient, the first is taken: it is the controller's own first slot, and
 * it books without any question. */
static void
test_find_slot (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) expected = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (ChApptType) type = NULL;
  ChSlotQuery query = { 0 };
  ChBookDialog *dialog;
  GtkFlowBox *slots;
  GtkFlowBoxChild *first;
  const ChSlot *slot;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  gboolean found = FALSE;

  gtk_widget_grab_focus (GTK_WIDGET (f->calendar));
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_n, GDK_CONTROL_MASK));
  dialog = wait_for_book_dialog ();
  choose_patient (f, dialog);
  g_assert_true (ch_ui_test_press_key (ch_patient_picker_get_entry (patient_picker (dialog)),
                                       GDK_KEY_F, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  slots = GTK_FLOW_BOX (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "slot_box"));
  CH_UI_TEST_WAIT (!ch_book_dialog_get_busy (dialog) && gtk_widget_get_visible (GTK_WIDGET (slots)));

  type = ch_schedule_find_type (f->session, "follow-up", &error);
  g_assert_no_error (error);
  query.type_id = type->id;
  query.patient_id = f->patient_id;
  query.from = g_get_real_time ();
  query.to = query.from + 90 * G_TIME_SPAN_DAY;
  query.count = 8;
  expected = ch_schedule_find_slots (f->session, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected->len, >, 0);
  slot = expected->pdata[0];

  first = gtk_flow_box_get_child_at_index (slots, 0);
  g_assert_nonnull (first);
  g_signal_emit_by_name (gtk_flow_box_child_get_child (first), "clicked");

  utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);
  date = g_date_time_format (local, "%Y-%m-%d");
  time = g_date_time_format (local, "%H:%M");
  g_assert_cmpstr (entry_text (dialog, "date_row"), ==, date);
  g_assert_cmpstr (entry_text (dialog, "time_row"), ==, time);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "book.save", NULL));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) == NULL);
  wait_idle (f);

  after = ch_schedule_list (f->session, slot->start, slot->start + 1, slot->provider_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < after->len; i++)
    {
      ChAppointment *a = after->pdata[i];

      if (a->patient_id == f->patient_id && a->start_at == slot->start)
        {
          g_assert_cmpstr (a->provider_id, ==, slot->provider_id);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static gint64
book (Fixture    *f,
      const char *provider,
      gint64      start)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (ChApptType) type = ch_schedule_find_type (f->session, "follow-up", &error);

  g_assert_no_error (error);
  a->patient_id = f->patient_id;
  a->provider_id = g_strdup (provider);
  a->type_id = type->id;
  a->start_at = start;
  a->duration_min = type->duration_min;
  g_assert_true (ch_schedule_book (f->session, a, 0, &error));
  g_assert_no_error (error);
  return a->id;
}

static ChAppointment *
get (Fixture *f,
     gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChAppointment *a = ch_schedule_get (f->session, id, &error);

  g_assert_no_error (error);
  return a;
}

/* Drags from (@column, @minute) to (@to_column, @to_minute) as the pointer would. */
static void
drag (Fixture *f,
      guint    column,
      int      minute,
      guint    to_column,
      int      to_minute)
{
  double x0, y0, x1, y1;

  ch_calendar_view_point (f->calendar, column, minute, &x0, &y0);
  ch_calendar_view_point (f->calendar, to_column, to_minute, &x1, &y1);
  ch_calendar_view_drag (f->calendar, x0, y0, x1, y1);
  ch_ui_test_spin (20);
  wait_idle (f);
}

/* A block dragged later and to the other provider moves there; its lower
 * edge dragged makes it longer; dragged onto another patient's time it is
 * refused and stays where it was. */
static void
test_drag (Fixture       *f,
           gconstpointer  data)
{
  gint64 id, other;

  id = book (f, provider_id (f, 0), at (f, 9, 0));
  other = book (f, provider_id (f, 1), at (f, 14, 0));
  ch_schedule_page_reload (f->page);
  wait_idle (f);
  CH_UI_TEST_WAIT (ch_schedule_page_get_appointments (f->page)->len == 2);

  /* Grabbed in its middle, dropped two hours lower in the next column. */
  drag (f, 0, 9 * 60 + 10, 1, 11 * 60 + 10);
  {
    g_autoptr (ChAppointment) a = get (f, id);

    g_assert_cmpint (a->start_at, ==, at (f, 11, 0));
    g_assert_cmpstr (a->provider_id, ==, provider_id (f, 1));
    g_assert_cmpint (a->duration_min, ==, 20);
  }

  /* Its lower edge pulled down by twenty minutes. */
  {
    double x, y0, y1;

    ch_calendar_view_point (f->calendar, 1, 11 * 60 + 20, &x, &y0);
    ch_calendar_view_point (f->calendar, 1, 11 * 60 + 40, &x, &y1);
    ch_calendar_view_drag (f->calendar, x, y0 - 2, x, y1 - 2);
    ch_ui_test_spin (20);
    wait_idle (f);
  }
  {
    g_autoptr (ChAppointment) a = get (f, id);

    g_assert_cmpint (a->start_at, ==, at (f, 11, 0));
    g_assert_cmpint (a->duration_min, ==, 40);
  }

  /* Onto the other booking: a follow-up may not double-book; nothing moves. */
  drag (f, 1, 11 * 60 + 10, 1, 14 * 60 + 10);
  {
    g_autoptr (ChAppointment) a = get (f, id);
    g_autoptr (ChAppointment) b = get (f, other);

    g_assert_cmpint (a->start_at, ==, at (f, 11, 0));
    g_assert_cmpint (b->start_at, ==, at (f, 14, 0));
  }

  /* A drag on an empty time moves nothing. */
  drag (f, 0, 16 * 60, 0, 16 * 60 + 30);
  {
    g_autoptr (GPtrArray) booked = booked_that_day (f);

    g_assert_cmpuint (booked->len, ==, 2);
  }
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

static AdwMessageDialog *
wait_for_message (const char *heading)
{
  AdwMessageDialog *dialog = NULL;

  CH_UI_TEST_WAIT ((dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                                          NULL))) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  return dialog;
}

/* Enter on an appointment opens it; Edit… changes its room, length and
 * reason; Cancel Appointment… needs a reason and records it. */
static void
test_edit_and_cancel (Fixture       *f,
                      gconstpointer  data)
{
  AdwMessageDialog *dialog;
  GtkWidget *extra;
  gint64 id = book (f, provider_id (f, 0), at (f, 9, 0));

  ch_schedule_page_reload (f->page);
  wait_idle (f);
  gtk_widget_grab_focus (GTK_WIDGET (f->calendar));
  ch_calendar_view_set_cursor (f->calendar, 0, 9 * 60);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Return, 0));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL);
  dialog = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (dialog), f->family_name));
  ch_ui_test_respond (dialog, "edit");

  dialog = wait_for_message ("Edit Appointment");
  extra = adw_message_dialog_get_extra_child (dialog);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_named (extra, "room")), 2);   /* the second room */
  ch_ui_test_set_text (find_named (extra, "minutes"), "35");
  ch_ui_test_set_text (find_named (extra, "reason"), "Blood pressure review");
  ch_ui_test_set_text (find_named (extra, "notes"), "Bring the home readings");
  /* Moved from the keyboard: to the other provider at 10:30. */
  ch_ui_test_set_text (find_named (extra, "time"), "10:30");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_named (extra, "provider")), 1);
  ch_ui_test_respond (dialog, "save");
  wait_idle (f);
  {
    g_autoptr (ChAppointment) a = get (f, id);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) rooms = ch_schedule_list_resources (f->session, "room", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (a->room_id, ==, ((ChResource *) rooms->pdata[1])->id);
    g_assert_cmpint (a->duration_min, ==, 35);
    g_assert_cmpint (a->start_at, ==, at (f, 10, 30));
    g_assert_cmpstr (a->provider_id, ==, provider_id (f, 1));
    g_assert_cmpstr (a->reason, ==, "Blood pressure review");
    g_assert_cmpstr (a->notes, ==, "Bring the home readings");
  }

  /* Cancelling asks why; without a reason it cannot. */
  CH_UI_TEST_WAIT (ch_schedule_page_get_appointments (f->page)->len == 1
                   && ((ChAppointment *) ch_schedule_page_get_appointments (f->page)->pdata[0])->start_at
                      == at (f, 10, 30));
  ch_calendar_view_set_cursor (f->calendar, 1, 10 * 60 + 30);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_Return, 0));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL);
  ch_ui_test_respond (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL),
                      "cancel-appointment");
  dialog = wait_for_message ("Cancel Appointment?");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "cancel-appointment"));
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (dialog), "Patient called: flu");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "cancel-appointment"));
  ch_ui_test_respond (dialog, "cancel-appointment");
  wait_idle (f);
  {
    g_autoptr (ChAppointment) a = get (f, id);

    g_assert_cmpstr (a->status, ==, "cancelled");
    g_assert_cmpstr (a->cancel_reason, ==, "Patient called: flu");
  }
  CH_UI_TEST_WAIT (ch_schedule_page_get_appointments (f->page)->len == 0);
}

/* A double-click on a free time books there; on an appointment, opens it. */
static void
test_double_click (Fixture       *f,
                   gconstpointer  data)
{
  ChBookDialog *dialog;
  AdwMessageDialog *message;
  double x, y;

  book (f, provider_id (f, 1), at (f, 9, 0));
  ch_schedule_page_reload (f->page);
  wait_idle (f);

  ch_calendar_view_point (f->calendar, 0, 14 * 60 + 30, &x, &y);
  g_assert_true (ch_ui_test_click (f->calendar, 2, x + 10, y + 1));
  dialog = wait_for_book_dialog ();
  g_assert_cmpstr (entry_text (dialog, "time_row"), ==, "14:30");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ch_ui_test_child (
                      dialog, CH_TYPE_BOOK_DIALOG, "provider_row"))), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) == NULL);

  ch_calendar_view_point (f->calendar, 1, 9 * 60 + 10, &x, &y);
  g_assert_true (ch_ui_test_click (f->calendar, 2, x + 10, y));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) != NULL);
  message = ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (message), f->family_name));
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL));
  ch_ui_test_respond (message, "close");
}

static ChHoursDialog *
open_hours_dialog (Fixture *f)
{
  ChHoursDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "schedule.hours", NULL));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_HOURS_DIALOG, NULL) != NULL);
  dialog = CH_HOURS_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_HOURS_DIALOG, NULL));
  CH_UI_TEST_WAIT (!ch_hours_dialog_get_busy (dialog) && !ch_ui_session_is_busy (f->session));
  return dialog;
}

static guint
count_named (GtkWidget  *widget,
             const char *name)
{
  guint n = g_strcmp0 (gtk_widget_get_name (widget), name) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_named (child, name);
  return n;
}

/* The first provider's Tuesday shortened and split, saved: the controller
 * keeps it and the other days; a day off added makes the day unbookable,
 * removed it is bookable again. Bad hours are refused in the dialog. */
static void
test_hours (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  ChHoursDialog *dialog = open_hours_dialog (f);
  GtkWidget *tuesday = find_named (GTK_WIDGET (dialog), "day-2");
  GtkWidget *error_label = GTK_WIDGET (ch_ui_test_child (dialog, CH_TYPE_HOURS_DIALOG, "error_label"));
  g_autofree char *monday_day = NULL;

  /* The demo's hours, as the dialog writes them. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "day-1"))),
                   ==, "08:00-12:00, 13:00-17:00");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "day-6"))),
                   ==, "");

  ch_ui_test_set_text (tuesday, "09:00-10:00, 9:30-11:00");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "hours.save", NULL));
  g_assert_true (gtk_widget_get_visible (error_label));

  ch_ui_test_set_text (tuesday, "09:00-10:30, 11:00-12:00");
  g_assert_true (ch_ui_test_press_key (tuesday, GDK_KEY_s, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (!ch_hours_dialog_get_busy (dialog) && !ch_ui_session_is_busy (f->session));
  g_assert_false (gtk_widget_get_visible (error_label));
  {
    g_autoptr (GArray) hours = ch_schedule_get_hours (f->session, provider_id (f, 0), &error);
    g_autoptr (GString) tuesday_spans = g_string_new (NULL);
    guint monday_spans = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < hours->len; i++)
      {
        const ChHours *h = &g_array_index (hours, ChHours, i);

        if (h->weekday == 2)
          g_string_append_printf (tuesday_spans, "%d-%d%s;", h->start_min, h->end_min,
                                  h->is_break ? "b" : "");
        monday_spans += h->weekday == 1;
      }
    g_assert_cmpstr (tuesday_spans->str, ==, "540-720;630-660b;");
    g_assert_cmpuint (monday_spans, ==, 2);
  }

  /* A day off for the first provider on the fixture's Monday. */
  monday_day = g_strdup_printf ("%" G_GINT64_FORMAT, f->day);
  {
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (f->day / G_USEC_PER_SEC);
    g_autoptr (GDateTime) local = g_date_time_to_local (utc);

    g_free (monday_day);
    monday_day = g_date_time_format (local, "%Y-%m-%d");
  }
  adw_combo_row_set_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, CH_TYPE_HOURS_DIALOG,
                                                               "who_row")), 1);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_HOURS_DIALOG, "off_day_row"), monday_day);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_HOURS_DIALOG, "off_reason_row"), "Course");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "hours.add-day-off", NULL));
  CH_UI_TEST_WAIT (!ch_hours_dialog_get_busy (dialog) && !ch_ui_session_is_busy (f->session));
  g_assert_cmpuint (count_named (GTK_WIDGET (dialog), "day-off"), ==, 1);
  {
    g_autoptr (ChAppointment) a = ch_appointment_new ();
    g_autoptr (ChApptType) type = ch_schedule_find_type (f->session, "follow-up", &error);

    a->patient_id = f->patient_id;
    a->provider_id = g_strdup (provider_id (f, 0));
    a->type_id = type->id;
    a->start_at = at (f, 9, 0);
    a->duration_min = 20;
    g_assert_false (ch_schedule_book (f->session, a, 0, &error));
    g_assert_error (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS);
    g_clear_error (&error);
  }

  /* Its remove button. */
  {
    GtkWidget *row = find_named (GTK_WIDGET (dialog), "day-off");
    GtkWidget *button = NULL;

    for (GtkWidget *w = row; w != NULL && button == NULL;)
      {
        /* The first button inside the row. */
        GtkWidget *stack[64];
        int top = 0;

        stack[top++] = w;
        while (top > 0 && button == NULL)
          {
            GtkWidget *x = stack[--top];

            if (GTK_IS_BUTTON (x))
              button = x;
            for (GtkWidget *c = gtk_widget_get_first_child (x); c != NULL && top < 63;
                 c = gtk_widget_get_next_sibling (c))
              stack[top++] = c;
          }
        w = NULL;
      }
    g_assert_nonnull (button);
    g_signal_emit_by_name (button, "clicked");
  }
  CH_UI_TEST_WAIT (!ch_hours_dialog_get_busy (dialog) && !ch_ui_session_is_busy (f->session));
  g_assert_cmpuint (count_named (GTK_WIDGET (dialog), "day-off"), ==, 0);
  book (f, provider_id (f, 0), at (f, 9, 0));

  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_idle (f);
}

/* Ctrl+P prints the day sheet of the provider under the cursor: the PDF
 * holds their patient; and the desk's board is one section away. */
static void
test_day_sheet (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (tmp, "sheet.pdf", NULL);
  g_autofree char *uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GObject) document = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  GtkWidget *main_page = ch_window_get_main_page (f->window);

  book (f, provider_id (f, 1), at (f, 9, 0));
  ch_schedule_page_reload (f->page);
  wait_idle (f);
  ch_calendar_view_set_cursor (f->calendar, 1, 9 * 60);
  ch_schedule_page_set_print_export (f->page, path);
  g_assert_true (ch_ui_test_press_key (f->calendar, GDK_KEY_p, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (g_file_test (path, G_FILE_TEST_EXISTS));
  wait_idle (f);

  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);
  document = G_OBJECT (poppler_document_new_from_file (uri, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < poppler_document_get_n_pages (POPPLER_DOCUMENT (document)); i++)
    {
      g_autoptr (GObject) page = G_OBJECT (poppler_document_get_page (POPPLER_DOCUMENT (document), i));
      g_autofree char *page_text = poppler_page_get_text (POPPLER_PAGE (page));

      g_string_append (text, page_text);
    }
  g_assert_nonnull (strstr (text->str, f->family_name));
  g_assert_nonnull (strstr (text->str, ((ChResource *) f->providers->pdata[1])->name));

  g_assert_true (gtk_widget_activate_action (main_page, "main.show-section", "s", "today"));
  g_assert_true (CH_IS_BOARD_VIEW (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page),
                                                                     "today")));
  ch_ui_test_remove_dir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/schedule/book-by-keyboard", Fixture, NULL, fixture_set_up,
              test_book_by_keyboard, fixture_tear_down);
  g_test_add ("/ui/schedule/find-slot", Fixture, NULL, fixture_set_up, test_find_slot,
              fixture_tear_down);
  g_test_add ("/ui/schedule/double-click", Fixture, NULL, fixture_set_up, test_double_click,
              fixture_tear_down);
  g_test_add ("/ui/schedule/drag", Fixture, NULL, fixture_set_up, test_drag, fixture_tear_down);
  g_test_add ("/ui/schedule/edit-and-cancel", Fixture, NULL, fixture_set_up, test_edit_and_cancel,
              fixture_tear_down);
  g_test_add ("/ui/schedule/hours", Fixture, NULL, fixture_set_up, test_hours, fixture_tear_down);
  g_test_add ("/ui/schedule/day-sheet", Fixture, NULL, fixture_set_up, test_day_sheet,
              fixture_tear_down);

  return g_test_run ();
}
