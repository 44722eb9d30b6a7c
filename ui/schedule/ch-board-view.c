/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-board-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-board-view.h"
#include "ch-check-in-dialog.h"
#include "ch-patients.h"
#include "ch-schedule.h"
#include "ch-ui.h"

/* Today's board, for the front desk: every provider's appointments of the
 * day, in the sections a patient passes through — expected, arrived and
 * waiting (with how long, kept current each minute), in a room, done — and
 * the no-shows. Each row offers the moves that make sense from where it
 * is. Checking in first reads the patient's demographics and insurance
 * back in a dialog, so that the desk confirms them at the counter. Every
 * call to the controller runs on a worker through the session gate. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)
/* A wait from which the desk should look up and ask. */
#define LONG_WAIT_MIN 20

typedef enum
{
  SECTION_EXPECTED,
  SECTION_WAITING,
  SECTION_IN_ROOM,
  SECTION_DONE,
  SECTION_NO_SHOW,
  N_SECTIONS
} Section;

struct _ChBoardView
{
  AdwBin               parent_instance;

  GtkSpinner          *spinner;
  GtkLabel            *date_label;
  AdwPreferencesGroup *expected_group;
  AdwPreferencesGroup *waiting_group;
  AdwPreferencesGroup *in_room_group;
  AdwPreferencesGroup *done_group;
  AdwPreferencesGroup *no_show_group;
  GtkWidget           *empty_page;

  ChSession           *session;
  GPtrArray           *appointments;  /* (element-type ChAppointment) (nullable) */
  GArray              *arrived;       /* gint64 µs, one an appointment; 0: not waiting */
  GPtrArray           *rows;          /* the rows shown */
  GPtrArray           *wait_labels;   /* (element-type GtkLabel) of the waiting rows */
  GCancellable        *cancellable;
  gint64               day_start;     /* µs: local midnight of the day shown */
  gint64               pending_check_in;
  guint                tick_id;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChBoardView, ch_board_view, ADW_TYPE_BIN)

static int
section_of (const char *status)
{
  if (g_strcmp0 (status, "booked") == 0 || g_strcmp0 (status, "confirmed") == 0)
    return SECTION_EXPECTED;
  if (g_strcmp0 (status, "arrived") == 0)
    return SECTION_WAITING;
  if (g_strcmp0 (status, "in-room") == 0)
    return SECTION_IN_ROOM;
  if (g_strcmp0 (status, "done") == 0)
    return SECTION_DONE;
  if (g_strcmp0 (status, "no-show") == 0)
    return SECTION_NO_SHOW;
  return -1;
}

/* The moves the board offers: forward through the visit, a no-show for
 * someone expected, and checking in someone marked a no-show who came late. */
static gboolean
can_move (const char *from,
          const char *to)
{
  int section = section_of (from);

  if (g_str_equal (to, "arrived"))
    return section == SECTION_EXPECTED || section == SECTION_NO_SHOW;
  if (g_str_equal (to, "in-room"))
    return section == SECTION_WAITING;
  if (g_str_equal (to, "done"))
    return section == SECTION_IN_ROOM;
  if (g_str_equal (to, "no-show"))
    return section == SECTION_EXPECTED;
  return FALSE;
}

static gint64
today_start (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                          g_date_time_get_month (now),
                                                          g_date_time_get_day_of_month (now),
                                                          0, 0, 0);

  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

static char *
local_text (gint64      usec,
            const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, format);
}

static const ChAppointment *
find_appointment (ChBoardView *self,
                  gint64       id)
{
  for (guint i = 0; self->appointments != NULL && i < self->appointments->len; i++)
    if (((ChAppointment *) self->appointments->pdata[i])->id == id)
      return self->appointments->pdata[i];
  return NULL;
}

static gboolean
ch_board_view_is_idle (ChBoardView *self)
{
  return !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
}

static void
ch_board_view_update_actions (ChBoardView *self)
{
  gboolean idle = ch_board_view_is_idle (self);
  gboolean may_move = idle && ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.reload",
                                 idle && ch_session_can (self->session, CH_AREA_SCHEDULING,
                                                         CH_ACCESS_READ));
  /* Checking in shows the patient's details: demographics too. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.check-in",
                                 may_move && ch_session_can (self->session, CH_AREA_DEMOGRAPHICS,
                                                             CH_ACCESS_READ));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.in-room", may_move);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.done", may_move);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.no-show", may_move);
}

static void
ch_board_view_set_busy (ChBoardView *self,
                        gboolean     busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_board_view_update_actions (self);
}

/* ---- rows ------------------------------------------------------------------------- */

static GQuark
arrived_quark (void)
{
  return g_quark_from_static_string ("ch-board-arrived-at");
}

static void
update_wait_label (GtkLabel *label,
                   gint64    now)
{
  gint64 *arrived_at = g_object_get_qdata (G_OBJECT (label), arrived_quark ());
  int minutes = (int) MAX (0, (now - *arrived_at) / MIN_USEC);
  /* TRANSLATORS: how long a patient has waited since checking in, in minutes */
  g_autofree char *text = g_strdup_printf (_("%d min"), minutes);

  gtk_label_set_text (label, text);
  if (minutes >= LONG_WAIT_MIN)
    gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
}

static GtkWidget *
wait_label (gint64 arrived_at)
{
  GtkWidget *label = gtk_label_new (NULL);
  g_autofree char *since = local_text (arrived_at, "%H:%M");
  /* TRANSLATORS: the tooltip of how long a patient has waited: "Arrived at 09:12" */
  g_autofree char *tooltip = g_strdup_printf (_("Arrived at %s"), since);

  g_object_set_qdata_full (G_OBJECT (label), arrived_quark (),
                           g_memdup2 (&arrived_at, sizeof arrived_at), g_free);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_add_css_class (label, "numeric");
  update_wait_label (GTK_LABEL (label), g_get_real_time ());
  return label;
}

static void
add_move_button (GtkWidget           *row,
                 const ChAppointment *a,
                 const char          *action,
                 const char          *label,
                 const char          *accessible,
                 gboolean             suggested)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (a->id));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
}

static GtkWidget *
appointment_row (ChBoardView         *self,
                 const ChAppointment *a,
                 gint64               arrived_at)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *time = NULL;
  g_autofree char *clock = local_text (a->start_at, "%H:%M");
  g_autofree char *subtitle = NULL;
  g_autofree char *name = g_strdup_printf ("appointment-%" G_GINT64_FORMAT, a->id);
  g_autofree char *who = NULL;
  const char *patient = a->patient_name ? a->patient_name : "";
  int section = section_of (a->status);

  /* TRANSLATORS: a row of the day's board: "MRN 00000012 · Dr. Ana García · follow-up" */
  subtitle = g_strdup_printf (_("MRN %s · %s · %s"), a->patient_mrn ? a->patient_mrn : "",
                              a->provider_name ? a->provider_name : a->provider_id,
                              a->type_name ? a->type_name : "");
  if (g_strcmp0 (a->status, "confirmed") == 0)
    {
      g_autofree char *plain = g_steal_pointer (&subtitle);

      subtitle = g_strdup_printf ("%s · %s", plain, ch_schedule_status_label (a->status));
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), patient);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, name);

  time = gtk_label_new (clock);
  gtk_widget_add_css_class (time, "numeric");
  gtk_widget_add_css_class (time, "heading");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), time);

  if (section == SECTION_WAITING && arrived_at > 0)
    {
      GtkWidget *label = wait_label (arrived_at);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      g_ptr_array_add (self->wait_labels, label);
    }

  /* TRANSLATORS: who a button of the board is for: "García, Ana at 09:30" */
  who = g_strdup_printf (_("%s at %s"), patient, clock);
  if (can_move (a->status, "no-show"))
    {
      /* TRANSLATORS: the accessible name of a board button; %s is "García, Ana at 09:30" */
      g_autofree char *accessible = g_strdup_printf (_("Mark %s as a no-show"), who);

      add_move_button (row, a, "board.no-show", _("No-Show"), accessible, FALSE);
    }
  if (can_move (a->status, "arrived"))
    {
      /* TRANSLATORS: the accessible name of a board button; %s is "García, Ana at 09:30" */
      g_autofree char *accessible = g_strdup_printf (_("Check in %s"), who);

      add_move_button (row, a, "board.check-in", _("Check In"), accessible, TRUE);
    }
  if (can_move (a->status, "in-room"))
    {
      /* TRANSLATORS: the accessible name of a board button; %s is "García, Ana at 09:30" */
      g_autofree char *accessible = g_strdup_printf (_("Show %s to a room"), who);

      add_move_button (row, a, "board.in-room", _("In Room"), accessible, TRUE);
    }
  if (can_move (a->status, "done"))
    {
      /* TRANSLATORS: the accessible name of a board button; %s is "García, Ana at 09:30" */
      g_autofree char *accessible = g_strdup_printf (_("Mark the visit of %s done"), who);

      add_move_button (row, a, "board.done", _("Done"), accessible, TRUE);
    }
  return row;
}

static AdwPreferencesGroup *
section_group (ChBoardView *self,
               Section      section)
{
  switch (section)
    {
    case SECTION_EXPECTED:
      return self->expected_group;
    case SECTION_WAITING:
      return self->waiting_group;
    case SECTION_IN_ROOM:
      return self->in_room_group;
    case SECTION_DONE:
      return self->done_group;
    case SECTION_NO_SHOW:
    case N_SECTIONS:
    default:
      return self->no_show_group;
    }
}

static void
ch_board_view_fill (ChBoardView *self)
{
  guint counts[N_SECTIONS] = { 0 };
  guint total = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->wait_labels, 0);

  for (guint i = 0; self->appointments != NULL && i < self->appointments->len; i++)
    {
      const ChAppointment *a = self->appointments->pdata[i];
      int section = section_of (a->status);
      GtkWidget *row;

      if (section < 0)
        continue;
      row = appointment_row (self, a, g_array_index (self->arrived, gint64, i));
      adw_preferences_group_add (section_group (self, section), row);
      g_ptr_array_add (self->rows, row);
      counts[section]++;
      total++;
    }

  for (guint s = 0; s < N_SECTIONS; s++)
    {
      AdwPreferencesGroup *group = section_group (self, s);
      g_autofree char *count = g_strdup_printf (ngettext ("%u appointment", "%u appointments",
                                                          counts[s]), counts[s]);

      adw_preferences_group_set_description (group, count);
      gtk_widget_set_visible (GTK_WIDGET (group), counts[s] > 0);
    }
  gtk_widget_set_visible (self->empty_page, self->appointments != NULL && total == 0);
}

/* Minutes waited move on by themselves; and past midnight the board is a
 * new day's. */
static gboolean
on_tick (gpointer data)
{
  ChBoardView *self = data;
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < self->wait_labels->len; i++)
    update_wait_label (self->wait_labels->pdata[i], now);
  if (self->appointments != NULL && today_start () != self->day_start)
    ch_board_view_reload (self);
  return G_SOURCE_CONTINUE;
}

/* ---- work ----------------------------------------------------------------------- */

typedef enum
{
  WORK_RELOAD,
  WORK_DETAILS,   /* the patient's details, for checking in */
  WORK_STATUS,    /* a move, then a reload */
} WorkKind;

typedef struct
{
  WorkKind         kind;
  ChSession       *session;
  gint64           from;
  gint64           to;
  gint64           appointment_id;
  char            *status;
  GError          *status_error;  /* out: the move refused; the reload still ran */
  GPtrArray       *appointments;  /* out */
  GArray          *arrived;       /* out */
  ChAppointment   *appointment;   /* for WORK_DETAILS */
  ChPatientRecord *patient;       /* out */
  GPtrArray       *policies;      /* out */
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_clear_object (&work->session);
  g_free (work->status);
  g_clear_error (&work->status_error);
  g_clear_pointer (&work->appointments, g_ptr_array_unref);
  g_clear_pointer (&work->arrived, g_array_unref);
  g_clear_pointer (&work->appointment, ch_appointment_free);
  g_clear_pointer (&work->patient, ch_patient_record_free);
  g_clear_pointer (&work->policies, g_ptr_array_unref);
  g_free (work);
}

/* When @appointment_id last became "arrived", or 0. */
static gboolean
arrived_at (ChSession  *session,
            gint64      appointment_id,
            gint64     *out_usec,
            GError    **error)
{
  g_autoptr (GPtrArray) history = ch_schedule_status_history (session, appointment_id, error);

  if (history == NULL)
    return FALSE;
  *out_usec = 0;
  for (guint i = 0; i < history->len; i++)
    {
      g_auto (GStrv) fields = g_strsplit (history->pdata[i], "|", 4);

      if (g_strv_length (fields) >= 2 && g_str_equal (fields[0], "arrived"))
        *out_usec = g_ascii_strtoll (fields[1], NULL, 10);
    }
  return TRUE;
}

static gboolean
work_reload (Work    *work,
             GError **error)
{
  work->appointments = ch_schedule_list (work->session, work->from, work->to, NULL, error);
  if (work->appointments == NULL)
    return FALSE;
  work->arrived = g_array_sized_new (FALSE, TRUE, sizeof (gint64), work->appointments->len);
  for (guint i = 0; i < work->appointments->len; i++)
    {
      const ChAppointment *a = work->appointments->pdata[i];
      gint64 usec = 0;

      if (g_strcmp0 (a->status, "arrived") == 0 && !arrived_at (work->session, a->id, &usec, error))
        return FALSE;
      g_array_append_val (work->arrived, usec);
    }
  return TRUE;
}

static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  switch (work->kind)
    {
    case WORK_DETAILS:
      work->patient = ch_patients_get (work->session, work->appointment->patient_id, &error);
      if (work->patient == NULL)
        break;
      work->policies = ch_patients_list_policies (work->session, work->appointment->patient_id,
                                                  &error);
      break;

    case WORK_STATUS:
      /* Refused (another desk moved it first, say), the board still
       * shows what is so now. */
      ch_schedule_set_status (work->session, work->appointment_id, work->status, NULL,
                              &work->status_error);
      G_GNUC_FALLTHROUGH;
    case WORK_RELOAD:
    default:
      work_reload (work, &error);
      break;
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void present_check_in (ChBoardView *self, Work *work);

static void
work_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChBoardView *self = CH_BOARD_VIEW (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_board_view_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }
  ch_board_view_set_busy (self, FALSE);

  if (work->kind == WORK_DETAILS)
    {
      present_check_in (self, work);
      return;
    }
  if (work->status_error != NULL)
    ch_ui_toast (GTK_WIDGET (self), work->status_error->message);

  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  g_clear_pointer (&self->arrived, g_array_unref);
  self->appointments = g_steal_pointer (&work->appointments);
  self->arrived = g_steal_pointer (&work->arrived);
  self->day_start = work->from;
  ch_board_view_fill (self);
}

static void
run (ChBoardView *self,
     Work        *work)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) day = NULL;
  g_autoptr (GDateTime) next = NULL;
  g_autofree char *date = NULL;

  /* Today as it is when the work starts: midnight to midnight, local. */
  work->from = today_start ();
  utc = g_date_time_new_from_unix_utc (work->from / G_USEC_PER_SEC);
  day = g_date_time_to_local (utc);
  next = g_date_time_add_days (day, 1);
  work->to = g_date_time_to_unix (next) * G_USEC_PER_SEC;
  date = g_date_time_format (day, "%A %Y-%m-%d");
  gtk_label_set_text (self->date_label, date);

  work->session = g_object_ref (self->session);
  ch_board_view_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, work_done, NULL);
  g_task_set_task_data (task, work, work_free);
  ch_ui_session_run_task (task, work_thread);
}

static void
run_move (ChBoardView *self,
          gint64       appointment_id,
          const char  *status)
{
  Work *work = g_new0 (Work, 1);

  work->kind = WORK_STATUS;
  work->appointment_id = appointment_id;
  work->status = g_strdup (status);
  run (self, work);
}

/**
 * ch_board_view_reload:
 *
 * Reads today's appointments again: now, or once the session is free.
 */
void
ch_board_view_reload (ChBoardView *self)
{
  g_return_if_fail (CH_IS_BOARD_VIEW (self));

  if (self->session == NULL)
    return;   /* disposed while a reload waited */
  /* Shown again at unlock, which reads it then. */
  if (ch_session_get_locked (self->session) || ch_session_get_logged_out (self->session))
    return;
  if (!ch_board_view_is_idle (self))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_board_view_reload));
      return;
    }
  run (self, g_new0 (Work, 1));
}

/* ---- checking in ---------------------------------------------------------------- */

/* The answer may come while a worker of another page holds the session:
 * the check-in waits for it rather than being lost. */
static void
run_pending_check_in (ChBoardView *self)
{
  gint64 id = self->pending_check_in;

  if (self->session == NULL || id == 0)
    return;
  if (!ch_board_view_is_idle (self))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (run_pending_check_in));
      return;
    }
  self->pending_check_in = 0;
  run_move (self, id, "arrived");
}

static void
on_check_in_response (ChCheckInDialog *dialog,
                      const char      *response,
                      ChBoardView     *self)
{
  if (g_strcmp0 (response, "check-in") != 0 || self->session == NULL)
    return;
  self->pending_check_in = ch_check_in_dialog_get_appointment_id (dialog);
  run_pending_check_in (self);
}

static void
present_check_in (ChBoardView *self,
                  Work        *work)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = ch_check_in_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   work->appointment, work->patient, work->policies);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_check_in_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- actions -------------------------------------------------------------------- */

static void
check_in_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ChBoardView *self = CH_BOARD_VIEW (widget);
  const ChAppointment *a = find_appointment (self, g_variant_get_int64 (parameter));
  Work *work;

  if (!ch_board_view_is_idle (self) || a == NULL || !can_move (a->status, "arrived"))
    return;
  work = g_new0 (Work, 1);
  work->kind = WORK_DETAILS;
  work->appointment = ch_appointment_copy (a);
  run (self, work);
}

static void
move (ChBoardView *self,
      GVariant    *parameter,
      const char  *status)
{
  const ChAppointment *a = find_appointment (self, g_variant_get_int64 (parameter));

  if (!ch_board_view_is_idle (self) || a == NULL || !can_move (a->status, status))
    return;
  run_move (self, a->id, status);
}

static void
in_room_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  move (CH_BOARD_VIEW (widget), parameter, "in-room");
}

static void
done_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  move (CH_BOARD_VIEW (widget), parameter, "done");
}

static void
no_show_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  move (CH_BOARD_VIEW (widget), parameter, "no-show");
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_board_view_reload (CH_BOARD_VIEW (widget));
}

/* ---- construction ---------------------------------------------------------------- */

/**
 * ch_board_view_new:
 * @session: the signed-in session
 *
 * The board reads today's appointments each time it comes on screen, and
 * when ch_board_view_reload() asks.
 *
 * Returns: (transfer floating): a new board
 */
GtkWidget *
ch_board_view_new (ChSession *session)
{
  ChBoardView *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_BOARD_VIEW, NULL);
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_board_view_update_actions));
  ch_board_view_update_actions (self);
  return GTK_WIDGET (self);
}

gboolean
ch_board_view_get_busy (ChBoardView *self)
{
  g_return_val_if_fail (CH_IS_BOARD_VIEW (self), FALSE);

  return self->busy;
}

GPtrArray *
ch_board_view_get_appointments (ChBoardView *self)
{
  g_return_val_if_fail (CH_IS_BOARD_VIEW (self), NULL);

  return self->appointments;
}

static void
ch_board_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ch_board_view_parent_class)->map (widget);

  /* Other desks move patients on too: what comes on screen is read afresh. */
  ch_board_view_reload (CH_BOARD_VIEW (widget));
}

static void
ch_board_view_dispose (GObject *object)
{
  ChBoardView *self = CH_BOARD_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_BOARD_VIEW);

  G_OBJECT_CLASS (ch_board_view_parent_class)->dispose (object);
}

static void
ch_board_view_finalize (GObject *object)
{
  ChBoardView *self = CH_BOARD_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  g_clear_pointer (&self->arrived, g_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->wait_labels, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_board_view_parent_class)->finalize (object);
}

static void
ch_board_view_class_init (ChBoardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_board_view_dispose;
  object_class->finalize = ch_board_view_finalize;
  widget_class->map = ch_board_view_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-board-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, date_label);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, expected_group);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, waiting_group);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, in_room_group);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, done_group);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, no_show_group);
  gtk_widget_class_bind_template_child (widget_class, ChBoardView, empty_page);

  gtk_widget_class_install_action (widget_class, "board.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "board.check-in", "x", check_in_activated);
  gtk_widget_class_install_action (widget_class, "board.in-room", "x", in_room_activated);
  gtk_widget_class_install_action (widget_class, "board.done", "x", done_activated);
  gtk_widget_class_install_action (widget_class, "board.no-show", "x", no_show_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "board.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "board.reload",
                                       NULL);
}

static void
ch_board_view_init (ChBoardView *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->wait_labels = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint s = 0; s < N_SECTIONS; s++)
    gtk_widget_set_visible (GTK_WIDGET (section_group (self, s)), FALSE);
  self->tick_id = g_timeout_add_seconds (60, on_tick, self);
}
