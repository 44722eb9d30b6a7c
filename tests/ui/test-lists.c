/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-lists"

#include "config.h"

#include <string.h>

#include "ch-book-dialog.h"
#include "ch-demo.h"
#include "ch-lists-page.h"
#include "ch-main-page.h"
#include "ch-patient-picker.h"
#include "ch-patients.h"
#include "ch-recall-dialog.h"
#include "ch-recall.h"
#include "ch-schedule-ui.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"
#include "ch-waitlist-dialog.h"
#include "ch-waitlist.h"

/* The front desk's waitlist and recalls in the real window, over a demo
 * practice: the demo's open offer accepted (and one whose time has left the
 * working hours, booked only once the desk says so); an offer declined,
 * passing to the next patient it suits; a patient put on the waitlist with
 * the keyboard; a recall called about, done, cancelled, and booked through
 * the booking dialog; the office manager reading without changing; and a
 * nurse finding the immunizations due. Each is checked through the
 * controller, not through what the page shows. */

#define DEMO_PATIENTS 10

typedef struct
{
  char        *dir;
  ChWindow    *window;
  ChSession   *session;
  ChListsPage *page;
} Fixture;

static void
wait_idle (Fixture *f)
{
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session) && !ch_lists_page_get_busy (f->page));
  ch_ui_test_spin (20);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();
  const char *user = data != NULL ? data : "frontdesk";
  GtkWidget *main_page;

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, DEMO_PATIENTS, 7, NULL, &error);
  g_assert_no_error (error);

  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, user, CH_DEMO_PASSWORD);
  f->session = ch_window_get_session (f->window);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));

  main_page = ch_window_get_main_page (f->window);
  g_assert_true (gtk_widget_activate_action (main_page, "main.show-section", "s", "lists"));
  f->page = CH_LISTS_PAGE (ch_main_page_get_section_widget (CH_MAIN_PAGE (main_page), "lists"));
  g_assert_true (CH_IS_LISTS_PAGE (f->page));
  g_assert_cmpstr (ch_main_page_get_visible_section (CH_MAIN_PAGE (main_page)), ==, "lists");
  wait_idle (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL)) != NULL
         || (dialog = ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL)) != NULL
         || (dialog = ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL)) != NULL
         || (dialog = ch_ui_test_find_toplevel (CH_TYPE_RECALL_DIALOG, NULL)) != NULL)
    gtk_window_destroy (dialog);
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (f->session));
  ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* ---- finding what the page shows ------------------------------------------------- */

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

/* A widget under @widget of @type, if any. */
static GtkWidget *
find_of_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A label under @widget whose text ends with @suffix. */
static GtkWidget *
find_label_ending (GtkWidget  *widget,
                   const char *suffix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_suffix (gtk_label_get_text (GTK_LABEL (widget)), suffix))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_ending (child, suffix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many widgets under @widget have a name starting with @prefix. */
static guint
count_named (GtkWidget  *widget,
             const char *prefix)
{
  guint n = g_str_has_prefix (gtk_widget_get_name (widget), prefix) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_named (child, prefix);
  return n;
}

static GtkWidget *
row_of (Fixture    *f,
        const char *kind,
        gint64      id)
{
  g_autofree char *name = g_strdup_printf ("%s-%" G_GINT64_FORMAT, kind, id);

  return find_named (GTK_WIDGET (f->page), name);
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  return GTK_WIDGET (ch_ui_test_child (f->page, CH_TYPE_LISTS_PAGE, name));
}

/* The patient search of a scheduling dialog of @type. */
static ChPatientPicker *
patient_picker (gpointer dialog,
                GType    type)
{
  return CH_PATIENT_PICKER (ch_ui_test_child (dialog, type, "patient_picker"));
}

/* Whether the row is shown in the group @name. */
static gboolean
in_group (Fixture    *f,
          GtkWidget  *row,
          const char *name)
{
  return row != NULL && gtk_widget_is_ancestor (row, child (f, name))
         && gtk_widget_get_visible (child (f, name));
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
show_tab (Fixture    *f,
          const char *name)
{
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (f, "view_stack")), name);
  ch_ui_test_spin (20);
}

static AdwMessageDialog *
wait_for_message (Fixture *f)
{
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (f->window))
                   != NULL);
  return ADW_MESSAGE_DIALOG (ch_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                       GTK_WINDOW (f->window)));
}

static void
set_note (AdwMessageDialog *dialog,
          const char       *note)
{
  ch_ui_test_set_text (adw_message_dialog_get_extra_child (dialog), note);
}

static void
assert_accessible_label (GtkWidget  *widget,
                         const char *label)
{
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       label);
}

/* ---- reading the controller ------------------------------------------------------- */

static GPtrArray *
open_offers (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *offers = ch_waitlist_list_offers (f->session, &error);

  g_assert_no_error (error);
  return offers;
}

static ChWaitlistOffer *
get_offer (Fixture *f,
           gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChWaitlistOffer *offer = ch_waitlist_get_offer (f->session, id, &error);

  g_assert_no_error (error);
  return offer;
}

static ChWaitlistEntry *
get_entry (Fixture *f,
           gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChWaitlistEntry *entry = ch_waitlist_get (f->session, id, &error);

  g_assert_no_error (error);
  return entry;
}

static ChRecall *
get_recall (Fixture *f,
            gint64   id)
{
  g_autoptr (GError) error = NULL;
  ChRecall *recall = ch_recall_get (f->session, id, &error);

  g_assert_no_error (error);
  return recall;
}

static GPtrArray *
recalls_due (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *recalls = ch_recall_list (f->session, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (recalls->len, >, 2);
  return recalls;
}

/* Whether @patient_id waits (or has an offer) on the list. */
static gboolean
is_waiting (Fixture *f,
            gint64   patient_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = ch_waitlist_list (f->session, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (((ChWaitlistEntry *) entries->pdata[i])->patient_id == patient_id)
      return TRUE;
  return FALSE;
}

/* A demo patient not on the waitlist, other than @other, whom a search by
 * their family name finds first. */
static gint64
patient_not_waiting (Fixture  *f,
                     gint64    other,
                     char    **out_family_name)
{
  for (gint64 id = 1; id <= DEMO_PATIENTS; id++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChPatientRecord) patient = NULL;
      g_autoptr (GPtrArray) hits = NULL;

      if (id == other || is_waiting (f, id))
        continue;
      patient = ch_patients_get (f->session, id, &error);
      g_assert_no_error (error);
      hits = ch_patients_search (f->session, patient->family_name, 6, &error);
      g_assert_no_error (error);
      if (hits->len > 0 && ((ChPatientHit *) hits->pdata[0])->id == id)
        {
          if (out_family_name != NULL)
            *out_family_name = g_strdup (patient->family_name);
          return id;
        }
    }
  g_assert_not_reached ();
  return 0;
}

static ChApptType *
type_named (Fixture    *f,
            const char *name)
{
  g_autoptr (GError) error = NULL;
  ChApptType *type = ch_schedule_find_type (f->session, name, &error);

  g_assert_no_error (error);
  return type;
}

/* ---- the waitlist ------------------------------------------------------------------ */

/* The demo's open offer is listed first, with its patient's phone, and
 * Accept books it: the offer is accepted, the appointment exists at the
 * offered time, and the entry is booked. */
static void
test_accept (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GPtrArray) offers = open_offers (f);
  g_autoptr (ChWaitlistOffer) after = NULL;
  g_autoptr (ChWaitlistEntry) entry = NULL;
  g_autoptr (ChAppointment) appointment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *label = NULL;
  const ChWaitlistOffer *offer;
  GtkWidget *row;

  g_assert_cmpuint (offers->len, ==, 1);
  offer = offers->pdata[0];
  row = row_of (f, "offer", offer->id);
  g_assert_true (in_group (f, row, "offers_group"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   offer->patient_name);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            offer->patient_phone));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            offer->provider_name));
  /* Its patient also shows among those waiting, offered a slot. */
  g_assert_true (in_group (f, row_of (f, "entry", offer->entry_id), "waiting_group"));
  g_assert_false (gtk_widget_get_visible (child (f, "waitlist_empty")));

  clock = ch_schedule_ui_local_text (offer->start_at, "%H:%M");
  label = g_strdup_printf ("Accept offer for %s at %s", offer->patient_name, clock);
  assert_accessible_label (find_button (row, "lists.accept"), label);
  g_clear_pointer (&label, g_free);
  label = g_strdup_printf ("Decline offer for %s at %s", offer->patient_name, clock);
  assert_accessible_label (find_button (row, "lists.decline"), label);

  click (find_button (row, "lists.accept"));
  wait_idle (f);

  after = get_offer (f, offer->id);
  g_assert_cmpstr (after->status, ==, "accepted");
  g_assert_cmpint (after->appointment_id, >, 0);
  appointment = ch_schedule_get (f->session, after->appointment_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (appointment->patient_id, ==, offer->patient_id);
  g_assert_cmpint (appointment->start_at, ==, offer->start_at);
  g_assert_cmpstr (appointment->provider_id, ==, offer->provider_id);
  g_assert_cmpstr (appointment->status, ==, "booked");
  entry = get_entry (f, offer->entry_id);
  g_assert_cmpstr (entry->status, ==, "booked");
  g_assert_cmpint (entry->booked_id, ==, appointment->id);

  /* Off the page: no offers left, and the patient no longer waits. */
  g_assert_null (row_of (f, "offer", offer->id));
  g_assert_null (row_of (f, "entry", offer->entry_id));
  g_assert_false (gtk_widget_get_visible (child (f, "offers_group")));
}

/* Working hours changed since the time was offered: accepting asks before
 * booking it; "Cancel" changes nothing, "Book Anyway" books. */
static void
test_accept_outside_hours (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr (GPtrArray) offers = open_offers (f);
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GError) error = NULL;
  const ChWaitlistOffer *offer;
  ChHours early = { 0, 6 * 60, 7 * 60, FALSE };
  AdwMessageDialog *dialog;

  g_assert_cmpuint (offers->len, ==, 1);
  offer = offers->pdata[0];
  start = g_date_time_new_from_unix_local (offer->start_at / G_USEC_PER_SEC);
  g_assert_true (ch_schedule_set_hours (f->session, offer->provider_id,
                                        1u << g_date_time_get_day_of_week (start), &early, 1,
                                        &error));
  g_assert_no_error (error);
  /* F5 reads the lists again. */
  g_assert_true (ch_ui_test_press_key (f->page, GDK_KEY_F5, 0));
  g_assert_true (ch_lists_page_get_busy (f->page));
  wait_idle (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lists.accept", "x",
                                             offer->id));
  wait_idle (f);
  dialog = wait_for_message (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Book Anyway?");
  ch_ui_test_respond (dialog, "cancel");
  wait_idle (f);
  {
    g_autoptr (ChWaitlistOffer) still = get_offer (f, offer->id);

    g_assert_cmpstr (still->status, ==, "open");
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lists.accept", "x",
                                             offer->id));
  wait_idle (f);
  ch_ui_test_respond (wait_for_message (f), "book");
  wait_idle (f);
  {
    g_autoptr (ChWaitlistOffer) after = get_offer (f, offer->id);

    g_assert_cmpstr (after->status, ==, "accepted");
    g_assert_cmpint (after->appointment_id, >, 0);
  }
}

/* A cancellation frees an afternoon of Dr Patel's: the first waiting
 * patient it suits is offered it; they decline (with a note), wait on, and
 * the time passes to the next patient it suits. */
static void
test_decline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChApptType) follow_up = type_named (f, "follow-up");
  g_autoptr (ChWaitlistEntry) extra = ch_waitlist_entry_new ();
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GPtrArray) slots = NULL;
  g_autoptr (GPtrArray) offers = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (ChWaitlistOffer) declined = NULL;
  g_autoptr (ChWaitlistEntry) first = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) later = g_date_time_add_days (now, 56);
  const ChWaitlistOffer *offer = NULL;
  const ChWaitlistOffer *next = NULL;
  ChSlotQuery query = { 0 };
  AdwMessageDialog *dialog;
  gint64 extra_patient;

  /* One more patient who would take any follow-up, behind those waiting already. */
  extra_patient = patient_not_waiting (f, 0, NULL);
  extra->patient_id = extra_patient;
  extra->type_id = follow_up->id;
  g_assert_true (ch_waitlist_add (f->session, extra, &error));
  g_assert_no_error (error);

  query.type_id = follow_up->id;
  query.provider_id = "patel";
  query.from = g_date_time_to_unix (later) * G_USEC_PER_SEC;
  query.to = query.from + 14 * G_TIME_SPAN_DAY;
  query.from_min = 14 * 60;
  query.to_min = 16 * 60;
  query.count = 1;
  slots = ch_schedule_find_slots (f->session, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 1);

  a->patient_id = patient_not_waiting (f, extra_patient, NULL);
  a->provider_id = g_strdup ("patel");
  a->type_id = follow_up->id;
  a->start_at = ((ChSlot *) slots->pdata[0])->start;
  a->duration_min = follow_up->duration_min;
  g_assert_true (ch_schedule_book (f->session, a, 0, &error));
  g_assert_no_error (error);
  g_assert_true (ch_schedule_cancel (f->session, a->id, "Patient called to cancel", CH_SCOPE_THIS,
                                     &error));
  g_assert_no_error (error);

  offers = open_offers (f);
  for (guint i = 0; i < offers->len; i++)
    if (((ChWaitlistOffer *) offers->pdata[i])->free_from == a->start_at)
      offer = offers->pdata[i];
  g_assert_nonnull (offer);

  ch_lists_page_reload (f->page);
  wait_idle (f);
  g_assert_true (in_group (f, row_of (f, "offer", offer->id), "offers_group"));

  click (find_button (row_of (f, "offer", offer->id), "lists.decline"));
  dialog = wait_for_message (f);
  /* The note is optional. */
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "decline"));
  set_note (dialog, "At work then");
  ch_ui_test_respond (dialog, "decline");
  wait_idle (f);

  declined = get_offer (f, offer->id);
  g_assert_cmpstr (declined->status, ==, "declined");
  g_assert_cmpstr (declined->note, ==, "At work then");
  first = get_entry (f, offer->entry_id);
  g_assert_cmpstr (first->status, ==, "waiting");

  after = open_offers (f);
  for (guint i = 0; i < after->len; i++)
    {
      const ChWaitlistOffer *o = after->pdata[i];

      if (o->free_from == declined->free_from && o->free_until == declined->free_until
          && g_strcmp0 (o->provider_id, "patel") == 0)
        next = o;
    }
  g_assert_nonnull (next);
  g_assert_cmpint (next->entry_id, !=, offer->entry_id);
  g_assert_null (row_of (f, "offer", offer->id));
  g_assert_true (in_group (f, row_of (f, "offer", next->id), "offers_group"));
}

/* Ctrl+N opens the waitlist dialog; the patient is typed and taken with
 * Enter, a first day and a note given, Ctrl+Return adds them: the controller
 * holds the entry, a follow-up with any provider. The same again is refused
 * in the dialog, which stays open to say so. */
static void
test_add_to_waitlist (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChApptType) follow_up = type_named (f, "follow-up");
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *day = g_date_time_format (tomorrow, "%Y-%m-%d");
  g_autofree char *family_name = NULL;
  const ChWaitlistEntry *added = NULL;
  ChWaitlistDialog *dialog;
  GtkWidget *entry;
  GtkWidget *results;
  gint64 patient_id = patient_not_waiting (f, 0, &family_name);

  gtk_widget_grab_focus (child (f, "add_waitlist_button"));
  g_assert_true (ch_ui_test_press_key (gtk_root_get_focus (GTK_ROOT (f->window)), GDK_KEY_n,
                                       GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL) != NULL);
  dialog = CH_WAITLIST_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));

  /* Without a patient nothing is added, and the dialog says why. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "waitlist.save", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (dialog,
                                                                       CH_TYPE_WAITLIST_DIALOG,
                                                                       "error_label"))));

  entry = ch_patient_picker_get_entry (patient_picker (dialog, CH_TYPE_WAITLIST_DIALOG));
  results = ch_patient_picker_get_results (patient_picker (dialog, CH_TYPE_WAITLIST_DIALOG));
  ch_ui_test_set_text (entry, family_name);
  /* The search entry reports a change after its short delay. */
  CH_UI_TEST_WAIT (gtk_widget_get_visible (results));
  g_signal_emit_by_name (entry, "activate");
  g_assert_false (gtk_widget_get_visible (results));
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_WAITLIST_DIALOG, "earliest_row"), day);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_WAITLIST_DIALOG, "note_row"),
                       "Can come at short notice");
  g_assert_true (ch_ui_test_press_key (ch_ui_test_child (dialog, CH_TYPE_WAITLIST_DIALOG,
                                                         "note_row"),
                                       GDK_KEY_Return, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL) == NULL);
  wait_idle (f);

  entries = ch_waitlist_list (f->session, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (((ChWaitlistEntry *) entries->pdata[i])->patient_id == patient_id)
      added = entries->pdata[i];
  g_assert_nonnull (added);
  g_assert_cmpint (added->type_id, ==, follow_up->id);
  g_assert_null (added->provider_id);
  g_assert_cmpstr (added->earliest_day, ==, day);
  g_assert_null (added->latest_day);
  g_assert_cmpstr (added->note, ==, "Can come at short notice");
  g_assert_cmpstr (added->status, ==, "waiting");
  g_assert_true (in_group (f, row_of (f, "entry", added->id), "waiting_group"));

  /* Once is enough: the controller's refusal shows in the dialog. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lists.add-waitlist", NULL));
  dialog = CH_WAITLIST_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL));
  g_assert_nonnull (dialog);
  {
    g_autoptr (ChPatientRecord) patient = ch_patients_get (f->session, patient_id, &error);
    g_autofree char *name = ch_patient_record_display_name (patient);

    g_assert_no_error (error);
    ch_waitlist_dialog_set_patient (dialog, patient_id, name);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "waitlist.save", NULL));
  CH_UI_TEST_WAIT (!ch_waitlist_dialog_get_busy (dialog) && !ch_ui_session_is_busy (f->session));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ch_ui_test_child (dialog,
                                                                       CH_TYPE_WAITLIST_DIALOG,
                                                                       "error_label"))));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ch_ui_test_child (
                              dialog, CH_TYPE_WAITLIST_DIALOG, "error_label"))),
                            "already on the waitlist"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Remove asks first (the reason optional); cancelled, the patient stays. */
static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = ch_waitlist_list (f->session, "waiting", &error);
  g_autoptr (ChWaitlistEntry) after = NULL;
  g_autofree char *label = NULL;
  const ChWaitlistEntry *entry;
  GtkWidget *button;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, >, 0);
  entry = entries->pdata[0];
  button = find_button (row_of (f, "entry", entry->id), "lists.remove");
  label = g_strdup_printf ("Remove %s from the waitlist", entry->patient_name);
  assert_accessible_label (button, label);

  click (button);
  ch_ui_test_respond (wait_for_message (f), "cancel");
  wait_idle (f);
  after = get_entry (f, entry->id);
  g_assert_cmpstr (after->status, ==, "waiting");
  g_clear_pointer (&after, ch_waitlist_entry_free);

  click (button);
  {
    AdwMessageDialog *dialog = wait_for_message (f);

    set_note (dialog, "Found another practice");
    ch_ui_test_respond (dialog, "remove");
  }
  wait_idle (f);
  after = get_entry (f, entry->id);
  g_assert_cmpstr (after->status, ==, "removed");
  g_assert_null (row_of (f, "entry", entry->id));
}

/* ---- recalls ------------------------------------------------------------------- */

/* The overdue recall at the top: its date says so in red; a call with a
 * note (needed) is recorded, then Done closes it. Another is cancelled
 * from its menu, with a reason. */
static void
test_recall_called_done (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr (GPtrArray) recalls = recalls_due (f);
  g_autoptr (GPtrArray) contacts = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChRecall) after = NULL;
  g_autofree char *label = NULL;
  g_autofree char *today = ch_schedule_ui_local_text (g_get_real_time (), "%Y-%m-%d");
  const ChRecall *recall = recalls->pdata[0];
  const ChRecall *other = recalls->pdata[1];
  AdwMessageDialog *dialog;
  GtkWidget *row;
  guint calls = recall->n_contacts;

  show_tab (f, "recalls");
  /* The front desk may not read the charts: no finding immunizations due. */
  g_assert_false (gtk_widget_get_visible (child (f, "immunizations_button")));
  g_assert_true (gtk_widget_get_visible (child (f, "add_recall_button")));
  g_assert_false (gtk_widget_get_visible (child (f, "add_waitlist_button")));

  row = row_of (f, "recall", recall->id);
  g_assert_true (in_group (f, row, "recalls_group"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   recall->patient_name);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            recall->patient_phone));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), recall->reason));
  /* Past its day: it says so, in red. */
  g_assert_cmpstr (recall->due_date, <, today);
  g_assert_nonnull (find_label_ending (row, "days overdue"));
  g_assert_true (gtk_widget_has_css_class (find_label_ending (row, "days overdue"), "error"));
  label = g_strdup_printf ("Record a call to %s (%s)", recall->patient_name,
                           ch_recall_kind_label (recall->kind));
  assert_accessible_label (find_button (row, "lists.called"), label);

  /* No note, no call recorded. */
  click (find_button (row, "lists.called"));
  dialog = wait_for_message (f);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "record"));
  set_note (dialog, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "record"));
  set_note (dialog, "Left a message");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "record"));
  ch_ui_test_respond (dialog, "record");
  wait_idle (f);

  contacts = ch_recall_contacts (f->session, recall->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, calls + 1);
  g_assert_cmpstr (((ChRecallContact *) contacts->pdata[contacts->len - 1])->note, ==,
                   "Left a message");
  after = get_recall (f, recall->id);
  g_assert_cmpstr (after->status, ==, "contacted");
  g_clear_pointer (&after, ch_recall_free);
  /* The row says so. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (f, "recall",
                                                                                recall->id))),
                            "Left a message"));

  click (find_button (row_of (f, "recall", recall->id), "lists.recall-done"));
  wait_idle (f);
  after = get_recall (f, recall->id);
  g_assert_cmpstr (after->status, ==, "done");
  g_clear_pointer (&after, ch_recall_free);
  g_assert_null (row_of (f, "recall", recall->id));

  /* Its menu, made as it opens, offers to cancel it. */
  {
    GtkMenuButton *more = GTK_MENU_BUTTON (find_of_type (row_of (f, "recall", other->id),
                                                         GTK_TYPE_MENU_BUTTON));
    GMenuModel *menu;
    g_autofree char *action = NULL;
    g_autoptr (GVariant) target = NULL;

    g_assert_nonnull (more);
    gtk_menu_button_popup (more);
    ch_ui_test_spin (20);
    menu = gtk_menu_button_get_menu_model (more);
    g_assert_nonnull (menu);
    g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
    g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_ACTION, "s",
                                                    &action));
    g_assert_cmpstr (action, ==, "lists.recall-cancel");
    target = g_menu_model_get_item_attribute_value (menu, 0, G_MENU_ATTRIBUTE_TARGET,
                                                    G_VARIANT_TYPE_INT64);
    g_assert_cmpint (g_variant_get_int64 (target), ==, other->id);
    gtk_menu_button_popdown (more);
    ch_ui_test_spin (20);
  }

  /* Cancelling needs a reason. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lists.recall-cancel", "x",
                                             other->id));
  dialog = wait_for_message (f);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "cancel-recall"));
  set_note (dialog, "Moved away");
  ch_ui_test_respond (dialog, "cancel-recall");
  wait_idle (f);
  after = get_recall (f, other->id);
  g_assert_cmpstr (after->status, ==, "cancelled");
  g_assert_cmpstr (after->outcome, ==, "Moved away");
  g_assert_null (row_of (f, "recall", other->id));
}

/* Book… opens the booking dialog with the patient and the reason filled
 * in; booked, the recall is booked with that appointment. */
static void
test_recall_book (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr (GPtrArray) recalls = recalls_due (f);
  g_autoptr (GPtrArray) providers = NULL;
  g_autoptr (GPtrArray) types = NULL;
  g_autoptr (GPtrArray) slots = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChRecall) after = NULL;
  g_autoptr (ChAppointment) appointment = NULL;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  const ChRecall *recall = NULL;
  ChBookDialog *dialog;
  ChSlotQuery query = { 0 };
  const ChSlot *slot;
  guint provider, type;

  /* A follow-up, booked as one. */
  for (guint i = 0; i < recalls->len && recall == NULL; i++)
    if (g_str_equal (((ChRecall *) recalls->pdata[i])->kind, "follow-up"))
      recall = recalls->pdata[i];
  g_assert_nonnull (recall);
  show_tab (f, "recalls");

  /* Escape in its patient search closes it, booking nothing. */
  click (find_button (row_of (f, "recall", recall->id), "lists.book-recall"));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) != NULL);
  dialog = CH_BOOK_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL));
  g_assert_true (ch_ui_test_press_key (
    ch_patient_picker_get_entry (patient_picker (dialog, CH_TYPE_BOOK_DIALOG)), GDK_KEY_Escape, 0));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) == NULL);

  click (find_button (row_of (f, "recall", recall->id), "lists.book-recall"));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) != NULL);
  dialog = CH_BOOK_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ch_patient_picker_get_entry (
                     patient_picker (dialog, CH_TYPE_BOOK_DIALOG)))),
                   ==, recall->patient_name);
  g_assert_cmpint (ch_patient_picker_get_patient_id (patient_picker (dialog, CH_TYPE_BOOK_DIALOG)),
                   ==, recall->patient_id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ch_ui_test_child (dialog,
                                                                           CH_TYPE_BOOK_DIALOG,
                                                                           "reason_row"))),
                   ==, recall->reason);

  /* The first free slot of the provider and type the dialog holds. */
  providers = ch_schedule_list_resources (f->session, "provider", &error);
  g_assert_no_error (error);
  types = ch_schedule_list_types (f->session, &error);
  g_assert_no_error (error);
  provider = adw_combo_row_get_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog,
                                                                           CH_TYPE_BOOK_DIALOG,
                                                                           "provider_row")));
  type = adw_combo_row_get_selected (ADW_COMBO_ROW (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG,
                                                                       "type_row")));
  g_assert_cmpuint (provider, <, providers->len);
  g_assert_cmpuint (type, <, types->len);
  g_assert_cmpstr (((ChApptType *) types->pdata[type])->name, ==, "follow-up");
  if (recall->provider_id != NULL)
    g_assert_cmpstr (((ChResource *) providers->pdata[provider])->id, ==, recall->provider_id);
  query.type_id = ((ChApptType *) types->pdata[type])->id;
  query.provider_id = ((ChResource *) providers->pdata[provider])->id;
  query.patient_id = recall->patient_id;
  query.from = g_get_real_time () + G_TIME_SPAN_DAY;
  query.to = query.from + 60 * G_TIME_SPAN_DAY;
  query.count = 1;
  slots = ch_schedule_find_slots (f->session, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 1);
  slot = slots->pdata[0];
  utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);
  date = g_date_time_format (local, "%Y-%m-%d");
  time = g_date_time_format (local, "%H:%M");
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "date_row"), date);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_BOOK_DIALOG, "time_row"), time);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "book.save", NULL));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_BOOK_DIALOG, NULL) == NULL);
  wait_idle (f);

  after = get_recall (f, recall->id);
  g_assert_cmpstr (after->status, ==, "booked");
  g_assert_cmpint (after->appointment_id, >, 0);
  appointment = ch_schedule_get (f->session, after->appointment_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (appointment->patient_id, ==, recall->patient_id);
  g_assert_cmpint (appointment->start_at, ==, slot->start);
  g_assert_cmpstr (appointment->reason, ==, recall->reason);
  /* Booked, it is off the list of those to call. */
  g_assert_null (row_of (f, "recall", recall->id));
}

/* On the recalls tab Ctrl+N adds a recall: the patient typed and taken
 * with Enter, what for, when and why; Ctrl+Return adds it to the list. */
static void
test_add_recall (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) recalls = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) soon = g_date_time_add_days (now, 10);
  g_autofree char *day = g_date_time_format (soon, "%Y-%m-%d");
  g_autofree char *family_name = NULL;
  const ChRecall *added = NULL;
  ChRecallDialog *dialog;
  GtkWidget *entry;
  GtkWidget *results;
  gint64 patient_id = patient_not_waiting (f, 0, &family_name);

  show_tab (f, "recalls");
  g_assert_true (ch_ui_test_press_key (f->page, GDK_KEY_n, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_RECALL_DIALOG, NULL) != NULL);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL));
  dialog = CH_RECALL_DIALOG (ch_ui_test_find_toplevel (CH_TYPE_RECALL_DIALOG, NULL));

  entry = ch_patient_picker_get_entry (patient_picker (dialog, CH_TYPE_RECALL_DIALOG));
  results = ch_patient_picker_get_results (patient_picker (dialog, CH_TYPE_RECALL_DIALOG));
  ch_ui_test_set_text (entry, family_name);
  CH_UI_TEST_WAIT (gtk_widget_get_visible (results));
  g_signal_emit_by_name (entry, "activate");
  g_assert_false (gtk_widget_get_visible (results));
  /* The kinds are the controller's, in its words. */
  {
    AdwComboRow *kind = ADW_COMBO_ROW (ch_ui_test_child (dialog, CH_TYPE_RECALL_DIALOG,
                                                         "kind_row"));
    GListModel *kinds = adw_combo_row_get_model (kind);
    guint annual = G_MAXUINT;

    g_assert_cmpuint (g_list_model_get_n_items (kinds), ==, 4);
    for (guint i = 0; i < g_list_model_get_n_items (kinds); i++)
      if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (kinds), i),
                       ch_recall_kind_label ("annual-exam")))
        annual = i;
    g_assert_cmpuint (annual, <, 4);
    adw_combo_row_set_selected (kind, annual);
  }
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_RECALL_DIALOG, "due_row"), day);
  ch_ui_test_set_text (ch_ui_test_child (dialog, CH_TYPE_RECALL_DIALOG, "reason_row"),
                       "Yearly check-up");
  g_assert_true (ch_ui_test_press_key (ch_ui_test_child (dialog, CH_TYPE_RECALL_DIALOG,
                                                         "reason_row"),
                                       GDK_KEY_Return, GDK_CONTROL_MASK));
  CH_UI_TEST_WAIT (ch_ui_test_find_toplevel (CH_TYPE_RECALL_DIALOG, NULL) == NULL);
  wait_idle (f);

  recalls = ch_recall_list (f->session, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < recalls->len; i++)
    {
      const ChRecall *recall = recalls->pdata[i];

      if (recall->patient_id == patient_id && g_strcmp0 (recall->reason, "Yearly check-up") == 0)
        added = recall;
    }
  g_assert_nonnull (added);
  g_assert_cmpstr (added->kind, ==, "annual-exam");
  g_assert_cmpstr (added->due_date, ==, day);
  g_assert_cmpstr (added->status, ==, "due");
  g_assert_null (added->provider_id);
  g_assert_true (in_group (f, row_of (f, "recall", added->id), "recalls_group"));
  g_assert_nonnull (find_label_ending (row_of (f, "recall", added->id), "in 10 days"));
}

/* A long recall list shows a hundred at a time, the most overdue first;
 * Show More shows the rest. */
static void
test_recalls_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) recalls = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  GtkWidget *group = child (f, "recalls_group");

  for (int i = 0; i < 105; i++)
    {
      g_autoptr (ChRecall) recall = ch_recall_new ();
      g_autoptr (GDateTime) due = g_date_time_add_days (now, -30 - i);

      recall->patient_id = 1 + i % DEMO_PATIENTS;
      recall->kind = g_strdup ("follow-up");
      recall->due_date = g_date_time_format (due, "%Y-%m-%d");
      recall->reason = g_strdup ("Blood pressure review");
      g_assert_true (ch_recall_add (f->session, recall, &error));
      g_assert_no_error (error);
    }
  recalls = recalls_due (f);
  g_assert_cmpuint (recalls->len, >, 105);

  show_tab (f, "recalls");
  g_assert_true (ch_ui_test_press_key (f->page, GDK_KEY_r, GDK_CONTROL_MASK));
  wait_idle (f);
  g_assert_cmpuint (count_named (group, "recall-"), ==, 100);
  /* The most overdue first. */
  g_assert_nonnull (row_of (f, "recall", ((ChRecall *) recalls->pdata[0])->id));
  g_assert_null (row_of (f, "recall", ((ChRecall *) recalls->pdata[recalls->len - 1])->id));
  g_assert_true (gtk_widget_get_visible (child (f, "more_recalls_button")));

  click (child (f, "more_recalls_button"));
  g_assert_cmpuint (count_named (group, "recall-"), ==, recalls->len);
  g_assert_nonnull (row_of (f, "recall", ((ChRecall *) recalls->pdata[recalls->len - 1])->id));
  g_assert_false (gtk_widget_get_visible (child (f, "more_recalls_button")));
}

/* ---- who may do what ----------------------------------------------------------- */

/* The office manager reads both lists; every change is off. */
static void
test_manager_reads (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr (GPtrArray) offers = open_offers (f);
  g_autoptr (GPtrArray) recalls = recalls_due (f);
  g_autoptr (ChWaitlistOffer) after = NULL;
  const ChWaitlistOffer *offer;
  const ChRecall *recall = recalls->pdata[0];
  GtkWidget *row;

  g_assert_cmpuint (offers->len, ==, 1);
  offer = offers->pdata[0];
  row = row_of (f, "offer", offer->id);
  g_assert_true (in_group (f, row, "offers_group"));
  g_assert_false (gtk_widget_is_sensitive (find_button (row, "lists.accept")));
  g_assert_false (gtk_widget_is_sensitive (find_button (row, "lists.decline")));
  g_assert_false (gtk_widget_is_sensitive (find_button (row_of (f, "entry", offer->entry_id),
                                                        "lists.remove")));
  g_assert_false (gtk_widget_is_sensitive (child (f, "add_waitlist_button")));
  g_assert_true (gtk_widget_is_sensitive (find_button (GTK_WIDGET (f->page), "lists.reload")));

  /* Asked all the same, nothing happens. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "lists.accept", "x", offer->id);
  wait_idle (f);
  after = get_offer (f, offer->id);
  g_assert_cmpstr (after->status, ==, "open");

  show_tab (f, "recalls");
  row = row_of (f, "recall", recall->id);
  g_assert_true (in_group (f, row, "recalls_group"));
  g_assert_false (gtk_widget_is_sensitive (find_button (row, "lists.called")));
  g_assert_false (gtk_widget_is_sensitive (find_button (row, "lists.book-recall")));
  g_assert_false (gtk_widget_is_sensitive (find_button (row, "lists.recall-done")));
  g_assert_false (gtk_widget_is_sensitive (find_of_type (row, GTK_TYPE_MENU_BUTTON)));
  g_assert_false (gtk_widget_is_sensitive (child (f, "add_recall_button")));
  g_assert_false (gtk_widget_get_visible (child (f, "immunizations_button")));
  ch_ui_test_press_key (f->page, GDK_KEY_n, GDK_CONTROL_MASK);
  ch_ui_test_spin (20);
  g_assert_null (ch_ui_test_find_toplevel (CH_TYPE_WAITLIST_DIALOG, NULL));
  g_assert_null (ch_ui_test_find_toplevel (ADW_TYPE_WINDOW, GTK_WINDOW (f->window)));
}

/* A nurse may read the charts: Find Immunizations Due adds a recall for
 * each routine dose due within 30 days, once. */
static void
test_find_immunizations (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) before = ch_recall_list (f->session, NULL, NULL, "all", &error);
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GPtrArray) again = NULL;
  guint added = 0;

  g_assert_no_error (error);
  show_tab (f, "recalls");
  g_assert_true (gtk_widget_get_visible (child (f, "immunizations_button")));
  click (child (f, "immunizations_button"));
  g_assert_true (ch_lists_page_get_busy (f->page));
  wait_idle (f);

  after = ch_recall_list (f->session, NULL, NULL, "all", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, >, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      const ChRecall *recall = after->pdata[i];
      gboolean known = FALSE;

      for (guint j = 0; j < before->len; j++)
        known = known || ((ChRecall *) before->pdata[j])->id == recall->id;
      if (!known)
        {
          g_assert_cmpstr (recall->kind, ==, "immunization");
          g_assert_nonnull (recall->code);
          added++;
        }
    }
  g_assert_cmpuint (added, ==, after->len - before->len);

  /* Asked again, nothing more is due. */
  click (child (f, "immunizations_button"));
  wait_idle (f);
  again = ch_recall_list (f->session, NULL, NULL, "all", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, after->len);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add ("/ui/lists/accept", Fixture, NULL, fixture_set_up, test_accept, fixture_tear_down);
  g_test_add ("/ui/lists/accept-outside-hours", Fixture, NULL, fixture_set_up,
              test_accept_outside_hours, fixture_tear_down);
  g_test_add ("/ui/lists/decline", Fixture, NULL, fixture_set_up, test_decline,
              fixture_tear_down);
  g_test_add ("/ui/lists/add-to-waitlist", Fixture, NULL, fixture_set_up, test_add_to_waitlist,
              fixture_tear_down);
  g_test_add ("/ui/lists/remove", Fixture, NULL, fixture_set_up, test_remove, fixture_tear_down);
  g_test_add ("/ui/lists/recall-called-done", Fixture, NULL, fixture_set_up,
              test_recall_called_done, fixture_tear_down);
  g_test_add ("/ui/lists/recall-book", Fixture, NULL, fixture_set_up, test_recall_book,
              fixture_tear_down);
  g_test_add ("/ui/lists/add-recall", Fixture, NULL, fixture_set_up, test_add_recall,
              fixture_tear_down);
  g_test_add ("/ui/lists/recalls-page", Fixture, NULL, fixture_set_up, test_recalls_page,
              fixture_tear_down);
  g_test_add ("/ui/lists/manager-reads", Fixture, "manager", fixture_set_up, test_manager_reads,
              fixture_tear_down);
  g_test_add ("/ui/lists/find-immunizations", Fixture, "nurse", fixture_set_up,
              test_find_immunizations, fixture_tear_down);

  return g_test_run ();
}
