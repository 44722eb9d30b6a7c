/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-schedule-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-book-dialog.h"
#include "ch-calendar-view.h"
#include "ch-day-sheet-pdf.h"
#include "ch-hours-dialog.h"
#include "ch-schedule-page.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-validate.h"

/* The front desk's calendar: a day with a column per provider, a week of
 * one provider, or a month at a glance. Appointments are booked by
 * double-click, Enter or Ctrl+N, moved and resized by dragging, opened to
 * change their status or cancel them. Every controller call runs on a
 * worker through the session gate; a move that needs confirming (outside
 * hours, a double booking the type allows) or a scope (a recurring
 * appointment) asks first. */

#define MIN_USEC ((gint64) 60 * G_USEC_PER_SEC)

typedef enum
{
  MODE_DAY,
  MODE_WEEK,
  MODE_MONTH,
} Mode;

struct _ChSchedulePage
{
  AdwBin          parent_instance;

  GtkLabel       *title_label;
  GtkDropDown    *provider_dropdown;
  GtkToggleButton *day_button;
  GtkToggleButton *week_button;
  GtkToggleButton *month_button;
  GtkSpinner     *spinner;
  GtkStack       *stack;
  ChCalendarView *calendar;
  GtkGrid        *month_grid;

  ChSession      *session;
  Mode            mode;
  GDateTime      *day;           /* local midnight */
  GPtrArray      *providers;     /* (element-type ChResource) */
  GPtrArray      *rooms;
  GPtrArray      *types;         /* (element-type ChApptType) */
  GHashTable     *hours;         /* provider id → GArray of ChHours */
  GPtrArray      *appointments;  /* (element-type ChAppointment) */
  GPtrArray      *month_cells;
  GCancellable   *cancellable;
  char           *print_export;  /* for tests: print into this PDF file */
  gpointer        pending;       /* a Load waiting for another page's worker */
  gboolean        busy;
};

G_DEFINE_FINAL_TYPE (ChSchedulePage, ch_schedule_page, ADW_TYPE_BIN)

static void
ch_schedule_page_update_actions (ChSchedulePage *self)
{
  gboolean idle = !self->busy && self->session && !ch_ui_session_is_busy (self->session);
  gboolean can_write = idle && ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.book",
                                 can_write && self->providers && self->providers->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.previous", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.next", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.today", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.print-day-sheet",
                                 idle && self->providers && self->providers->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "schedule.hours",
                                 can_write && self->providers && self->rooms);
}

static void
ch_schedule_page_set_busy (ChSchedulePage *self,
                           gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_schedule_page_update_actions (self);
}

static GDateTime *
midnight_of (GDateTime *t)
{
  return g_date_time_new_local (g_date_time_get_year (t), g_date_time_get_month (t),
                                g_date_time_get_day_of_month (t), 0, 0, 0);
}

/* The days the view shows: [*from, *to). */
static void
visible_range (ChSchedulePage *self,
               GDateTime     **from,
               GDateTime     **to)
{
  switch (self->mode)
    {
    case MODE_DAY:
      *from = g_date_time_ref (self->day);
      *to = g_date_time_add_days (self->day, 1);
      break;
    case MODE_WEEK:
      *from = g_date_time_add_days (self->day, 1 - g_date_time_get_day_of_week (self->day));
      *to = g_date_time_add_days (*from, 7);
      break;
    default:
      {
        g_autoptr (GDateTime) first = g_date_time_new_local (g_date_time_get_year (self->day),
                                                             g_date_time_get_month (self->day),
                                                             1, 0, 0, 0);

        *from = g_date_time_add_days (first, 1 - g_date_time_get_day_of_week (first));
        *to = g_date_time_add_days (*from, 42);
      }
    }
}

/* @minute of @day's wall clock, also on a day the clocks change. */
static GDateTime *
wall_clock (GDateTime *day,
            int        minute)
{
  return g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                g_date_time_get_day_of_month (day), minute / 60, minute % 60, 0);
}

static const char *
selected_provider (ChSchedulePage *self)
{
  guint selected = gtk_drop_down_get_selected (self->provider_dropdown);

  if (self->providers == NULL || selected >= self->providers->len)
    return NULL;
  return ((ChResource *) self->providers->pdata[selected])->id;
}

/* ---- filling the views ----------------------------------------------------------- */

static void
fill_calendar (ChSchedulePage *self)
{
  g_autoptr (GArray) columns = g_array_new (FALSE, TRUE, sizeof (ChCalendarColumn));
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDateTime) from = NULL, to = NULL;

  visible_range (self, &from, &to);
  if (self->mode == MODE_DAY)
    for (guint i = 0; self->providers && i < self->providers->len; i++)
      {
        ChResource *provider = self->providers->pdata[i];
        GArray *hours = g_hash_table_lookup (self->hours, provider->id);
        g_autoptr (GArray) today = g_array_new (FALSE, FALSE, sizeof (ChHours));
        ChCalendarColumn column = { provider->name, provider->id,
                                    g_date_time_to_unix (self->day) * G_USEC_PER_SEC, NULL, 0 };

        for (guint h = 0; hours && h < hours->len; h++)
          if (g_array_index (hours, ChHours, h).weekday == g_date_time_get_day_of_week (self->day))
            g_array_append_val (today, g_array_index (hours, ChHours, h));
        column.hours = (ChHours *) g_memdup2 (today->data, today->len * sizeof (ChHours));
        column.n_hours = today->len;
        g_ptr_array_add (titles, (gpointer) column.hours);
        g_array_append_val (columns, column);
      }
  else
    for (int d = 0; d < 7 && selected_provider (self); d++)
      {
        g_autoptr (GDateTime) day = g_date_time_add_days (from, d);
        GArray *hours = g_hash_table_lookup (self->hours, selected_provider (self));
        g_autoptr (GArray) today = g_array_new (FALSE, FALSE, sizeof (ChHours));
        char *title = g_date_time_format (day, "%a %d");
        ChCalendarColumn column = { title, selected_provider (self),
                                    g_date_time_to_unix (day) * G_USEC_PER_SEC, NULL, 0 };

        for (guint h = 0; hours && h < hours->len; h++)
          if (g_array_index (hours, ChHours, h).weekday == d + 1)
            g_array_append_val (today, g_array_index (hours, ChHours, h));
        column.hours = (ChHours *) g_memdup2 (today->data, today->len * sizeof (ChHours));
        column.n_hours = today->len;
        g_ptr_array_add (titles, title);
        g_ptr_array_add (titles, (gpointer) column.hours);
        g_array_append_val (columns, column);
      }

  ch_calendar_view_set_columns (self->calendar, (ChCalendarColumn *) columns->data, columns->len);
  ch_calendar_view_set_appointments (self->calendar, self->appointments);
}

static void
on_month_day_clicked (GtkButton      *button,
                      ChSchedulePage *self)
{
  GDateTime *day = g_object_get_data (G_OBJECT (button), "day");

  g_clear_pointer (&self->day, g_date_time_unref);
  self->day = g_date_time_ref (day);
  gtk_toggle_button_set_active (self->day_button, TRUE);
}

static void
fill_month (ChSchedulePage *self)
{
  g_autoptr (GDateTime) from = NULL, to = NULL;
  int month = g_date_time_get_month (self->day);

  for (guint i = 0; i < self->month_cells->len; i++)
    gtk_grid_remove (self->month_grid, self->month_cells->pdata[i]);
  g_ptr_array_set_size (self->month_cells, 0);

  visible_range (self, &from, &to);
  for (int d = 0; d < 42; d++)
    {
      GDateTime *day = g_date_time_add_days (from, d);
      gint64 start = g_date_time_to_unix (day) * G_USEC_PER_SEC;
      guint count = 0;
      g_autofree char *number = g_date_time_format (day, "%e");
      g_autofree char *label = NULL;
      GtkWidget *button;

      for (guint i = 0; self->appointments && i < self->appointments->len; i++)
        {
          const ChAppointment *a = self->appointments->pdata[i];

          count += a->start_at >= start && a->start_at < start + 24 * 60 * MIN_USEC;
        }
      label = count ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s\n%u appointment",
                                                    "%s\n%u appointments", count),
                                       number, count)
                    : g_strdup (number);
      button = gtk_button_new_with_label (label);
      gtk_widget_add_css_class (button, "flat");
      if (g_date_time_get_month (day) != month)
        gtk_widget_add_css_class (button, "dim-label");
      g_object_set_data_full (G_OBJECT (button), "day", day, (GDestroyNotify) g_date_time_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (on_month_day_clicked), self);
      gtk_grid_attach (self->month_grid, button, d % 7, d / 7, 1, 1);
      g_ptr_array_add (self->month_cells, button);
    }
}

static void
fill (ChSchedulePage *self)
{
  g_autofree char *title = NULL;

  switch (self->mode)
    {
    case MODE_DAY:
      title = g_date_time_format (self->day, "%A %e %B %Y");
      break;
    case MODE_WEEK:
      {
        g_autoptr (GDateTime) from = NULL, to = NULL;
        g_autofree char *first = NULL;

        visible_range (self, &from, &to);
        first = g_date_time_format (from, "%e %B %Y");
        /* TRANSLATORS: "Week of 3 March 2031" */
        title = g_strdup_printf (_("Week of %s"), g_strstrip (first));
      }
      break;
    default:
      title = g_date_time_format (self->day, "%B %Y");
    }
  gtk_label_set_text (self->title_label, g_strstrip (title));
  gtk_widget_set_visible (GTK_WIDGET (self->provider_dropdown), self->mode == MODE_WEEK);
  if (self->mode == MODE_MONTH)
    {
      fill_month (self);
      ch_ui_stack_show (self->stack, "month");
    }
  else
    {
      fill_calendar (self);
      ch_ui_stack_show (self->stack, "calendar");
    }
}

/* ---- loading -------------------------------------------------------------------- */

typedef struct
{
  ChSession  *session;
  gboolean    with_setup;
  gint64      from;
  gint64      to;
  GPtrArray  *providers;
  GPtrArray  *rooms;
  GPtrArray  *types;
  GHashTable *hours;
  GPtrArray  *appointments;
  /* a change to make first */
  ChAppointment *change;
  ChEditScope    scope;
  guint          flags;
  gint64         status_id;
  char          *status;
  char          *note;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->session);
  g_clear_pointer (&load->providers, g_ptr_array_unref);
  g_clear_pointer (&load->rooms, g_ptr_array_unref);
  g_clear_pointer (&load->types, g_ptr_array_unref);
  g_clear_pointer (&load->hours, g_hash_table_unref);
  g_clear_pointer (&load->appointments, g_ptr_array_unref);
  g_clear_pointer (&load->change, ch_appointment_free);
  g_free (load->status);
  g_free (load->note);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr (GError) error = NULL;

  if (load->change != NULL
      && !ch_schedule_change (load->session, load->change, load->scope, load->flags, &error))
    goto fail;
  if (load->status != NULL
      && (g_str_equal (load->status, "cancelled")
          ? !ch_schedule_cancel (load->session, load->status_id, load->note, load->scope, &error)
          : !ch_schedule_set_status (load->session, load->status_id, load->status, NULL, &error)))
    goto fail;

  if (load->with_setup)
    {
      load->providers = ch_schedule_list_resources (load->session, "provider", &error);
      load->rooms = load->providers ? ch_schedule_list_resources (load->session, "room", &error) : NULL;
      load->types = load->rooms ? ch_schedule_list_types (load->session, &error) : NULL;
      if (load->types == NULL)
        goto fail;
      load->hours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_array_unref);
      for (guint i = 0; i < load->providers->len; i++)
        {
          const char *id = ((ChResource *) load->providers->pdata[i])->id;
          GArray *hours = ch_schedule_get_hours (load->session, id, &error);

          if (hours == NULL)
            goto fail;
          g_hash_table_insert (load->hours, g_strdup (id), hours);
        }
    }
  load->appointments = ch_schedule_list (load->session, load->from, load->to, NULL, &error);
  if (load->appointments == NULL)
    goto fail;
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void ask_to_confirm (ChSchedulePage *self, Load *load, const GError *error);

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  ch_schedule_page_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (load->change != NULL
          && (g_error_matches (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS)
              || g_error_matches (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OVERBOOK)))
        ask_to_confirm (self, load, error);
      else
        ch_ui_toast (GTK_WIDGET (self), error->message);
      /* Whatever was dragged goes back where it was. */
      fill (self);
      return;
    }

  if (load->with_setup)
    {
      g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);

      g_clear_pointer (&self->providers, g_ptr_array_unref);
      g_clear_pointer (&self->rooms, g_ptr_array_unref);
      g_clear_pointer (&self->types, g_ptr_array_unref);
      g_clear_pointer (&self->hours, g_hash_table_unref);
      self->providers = g_steal_pointer (&load->providers);
      self->rooms = g_steal_pointer (&load->rooms);
      self->types = g_steal_pointer (&load->types);
      self->hours = g_steal_pointer (&load->hours);
      for (guint i = 0; i < self->providers->len; i++)
        gtk_string_list_append (names, ((ChResource *) self->providers->pdata[i])->name);
      gtk_drop_down_set_model (self->provider_dropdown, G_LIST_MODEL (names));
    }
  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  self->appointments = g_steal_pointer (&load->appointments);
  fill (self);
  ch_schedule_page_update_actions (self);
  if (load->change != NULL)
    ch_ui_toast (GTK_WIDGET (self), _("Appointment changed"));
  else if (load->status != NULL)
    ch_ui_toast (GTK_WIDGET (self), ch_schedule_status_label (load->status));
}

static void run_load (ChSchedulePage *self, Load *load);

static void
run_pending_load (ChSchedulePage *self)
{
  Load *load = g_steal_pointer (&self->pending);

  if (load != NULL)
    run_load (self, load);
}

static void
run_load (ChSchedulePage *self,
          Load           *load)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GDateTime) from = NULL, to = NULL;

  /* Another page's worker has the session (the board reading the day, say):
   * this change waits for it rather than being lost. The latest wins. */
  if (ch_ui_session_is_busy (self->session))
    {
      g_clear_pointer (&self->pending, load_free);
      self->pending = load;
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (run_pending_load));
      return;
    }
  visible_range (self, &from, &to);
  load->session = g_object_ref (self->session);
  load->with_setup = self->providers == NULL;
  load->from = g_date_time_to_unix (from) * G_USEC_PER_SEC;
  load->to = g_date_time_to_unix (to) * G_USEC_PER_SEC;
  ch_schedule_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_task_data (task, load, load_free);
  ch_ui_session_run_task (task, load_thread);
}

void
ch_schedule_page_reload (ChSchedulePage *self)
{
  g_return_if_fail (CH_IS_SCHEDULE_PAGE (self));

  if (self->busy || ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_schedule_page_reload));
      return;
    }
  run_load (self, g_new0 (Load, 1));
}

/* ---- moving ------------------------------------------------------------------- */

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChSchedulePage   *self)
{
  Load *load = g_object_steal_data (G_OBJECT (dialog), "load");

  if (g_strcmp0 (response, "confirm") != 0 || self->busy)
    {
      load_free (load);
      return;
    }
  run_load (self, load);
}

static void
ask_to_confirm (ChSchedulePage *self,
                Load           *load,
                const GError   *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              _("Move Anyway?"), error->message);
  Load *again = g_new0 (Load, 1);

  again->change = g_steal_pointer (&load->change);
  again->scope = load->scope;
  again->flags = load->flags | (g_error_matches (error, CH_SCHEDULE_ERROR,
                                                 CH_SCHEDULE_ERROR_OUTSIDE_HOURS)
                                ? CH_BOOK_CONFIRM_OUTSIDE_HOURS : CH_BOOK_CONFIRM_OVERBOOK);
  g_object_set_data_full (G_OBJECT (dialog), "load", again, load_free);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "confirm", _("_Move Anyway"), NULL);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const ChAppointment *
find_appointment (ChSchedulePage *self,
                  gint64          id)
{
  for (guint i = 0; self->appointments && i < self->appointments->len; i++)
    if (((ChAppointment *) self->appointments->pdata[i])->id == id)
      return self->appointments->pdata[i];
  return NULL;
}

static void
on_scope_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ChSchedulePage   *self)
{
  Load *load = g_object_steal_data (G_OBJECT (dialog), "load");

  if (g_strcmp0 (response, "cancel") == 0 || response == NULL || self->busy)
    {
      load_free (load);
      fill (self);
      return;
    }
  load->scope = g_str_equal (response, "all") ? CH_SCOPE_ALL
                : g_str_equal (response, "following") ? CH_SCOPE_FOLLOWING : CH_SCOPE_THIS;
  run_load (self, load);
}

/* A recurring appointment: which of them? Else straight on. */
static void
run_with_scope (ChSchedulePage      *self,
                const ChAppointment *a,
                Load                *load,
                const char          *heading)
{
  GtkWidget *dialog;

  if (a->series_id == 0)
    {
      load->scope = CH_SCOPE_THIS;
      run_load (self, load);
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("This appointment repeats."));
  g_object_set_data_full (G_OBJECT (dialog), "load", load, load_free);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "this", _("_This One"), "following", _("This and _Following"),
                                    "all", _("_All"), NULL);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_scope_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_calendar_move (ChSchedulePage *self,
                  gint64          id,
                  guint           column,
                  int             minute,
                  int             duration)
{
  const ChAppointment *a = find_appointment (self, id);
  g_autoptr (GDateTime) from = NULL, to = NULL;
  g_autoptr (GDateTime) day = NULL;
  Load *load;

  if (a == NULL || self->busy || ch_ui_session_is_busy (self->session))
    {
      fill (self);
      return;
    }
  visible_range (self, &from, &to);
  load = g_new0 (Load, 1);
  load->change = ch_appointment_copy (a);
  if (self->mode == MODE_DAY)
    {
      day = g_date_time_ref (self->day);
      g_free (load->change->provider_id);
      load->change->provider_id = g_strdup (((ChResource *) self->providers->pdata[column])->id);
    }
  else
    day = g_date_time_add_days (from, (int) column);
  {
    g_autoptr (GDateTime) start = wall_clock (day, minute);

    load->change->start_at = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  }
  load->change->duration_min = duration;
  run_with_scope (self, a, load, _("Move Which Appointments?"));
}

/* ---- booking and opening ------------------------------------------------------- */

static void
on_booked (ChSchedulePage *self)
{
  ch_schedule_page_reload (self);
}

static void
book_at (ChSchedulePage *self,
         const char     *provider_id,
         gint64          start)
{
  GtkWidget *dialog;

  if (self->busy || ch_ui_session_is_busy (self->session) || self->providers == NULL
      || !ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE))
    return;
  dialog = ch_book_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->session,
                               self->providers, self->rooms, self->types, provider_id, start);
  g_signal_connect_object (dialog, "booked", G_CALLBACK (on_booked), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cell_start (ChSchedulePage *self,
            guint           column,
            int             minute,
            const char    **out_provider,
            gint64         *out_start)
{
  g_autoptr (GDateTime) from = NULL, to = NULL;
  g_autoptr (GDateTime) day = NULL;
  g_autoptr (GDateTime) start = NULL;

  visible_range (self, &from, &to);
  if (self->mode == MODE_DAY)
    {
      day = g_date_time_ref (self->day);
      *out_provider = column < self->providers->len
                      ? ((ChResource *) self->providers->pdata[column])->id : NULL;
    }
  else
    {
      day = g_date_time_add_days (from, (int) column);
      *out_provider = selected_provider (self);
    }
  start = wall_clock (day, minute);
  *out_start = g_date_time_to_unix (start) * G_USEC_PER_SEC;
}

static void
on_calendar_book (ChSchedulePage *self,
                  guint           column,
                  int             minute)
{
  const char *provider = NULL;
  gint64 start = 0;

  if (self->providers == NULL)
    return;
  cell_start (self, column, minute, &provider, &start);
  book_at (self, provider, start);
}

static void
book_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (widget);
  guint column = 0;
  int minute = 9 * 60;

  ch_calendar_view_get_cursor (self->calendar, &column, &minute);
  on_calendar_book (self, column, minute);
}

/* ---- cancelling and editing ----------------------------------------------------- */

static void
on_cancel_reason_changed (GtkEditable      *entry,
                          AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "cancel-appointment",
                                           ch_has_text (gtk_editable_get_text (entry)));
}

static void
on_cancel_reason_activate (GtkEntry         *entry,
                           AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "cancel-appointment"))
    {
      /* A response from code leaves the dialog open: close it, as a click would. */
      adw_message_dialog_response (dialog, "cancel-appointment");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
on_cancel_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChSchedulePage   *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "id");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const ChAppointment *a = find_appointment (self, id);
  Load *load;

  if (a == NULL || g_strcmp0 (response, "cancel-appointment") != 0 || self->busy)
    return;
  load = g_new0 (Load, 1);
  load->status_id = id;
  load->status = g_strdup ("cancelled");
  load->note = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  run_with_scope (self, a, load, _("Cancel Which Appointments?"));
}

/* A cancellation says why: the patient called, the provider is ill… */
static void
present_cancel_dialog (ChSchedulePage      *self,
                       const ChAppointment *a)
{
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *when = g_date_time_format (local, "%A %e %B, %H:%M");
  g_autofree char *body = NULL;

  /* TRANSLATORS: cancelling: the patient, then when */
  body = g_strdup_printf (_("%s, %s. The time becomes free and is offered to the waitlist."),
                          a->patient_name, when);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Cancel Appointment?"), body);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Why, e.g. the patient called to cancel"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for cancelling"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep It"),
                                    "cancel-appointment", _("Cancel _Appointment"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&a->id, sizeof a->id), g_free);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (entry, "changed", G_CALLBACK (on_cancel_reason_changed), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (on_cancel_reason_activate), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_edit_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ChSchedulePage   *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "id");
  const ChAppointment *a = find_appointment (self, id);
  AdwComboRow *type_row = g_object_get_data (G_OBJECT (dialog), "type");
  AdwComboRow *room_row = g_object_get_data (G_OBJECT (dialog), "room");
  AdwComboRow *provider_row = g_object_get_data (G_OBJECT (dialog), "provider");
  const char *minutes = gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "minutes"));
  const char *date = gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "date"));
  const char *time = gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "time"));
  guint type = adw_combo_row_get_selected (type_row);
  guint room = adw_combo_row_get_selected (room_row);
  guint provider = adw_combo_row_get_selected (provider_row);
  char extra;
  int duration = 0, y, mo, d, hh, mm;
  g_autoptr (GDateTime) start = NULL;
  Load *load;

  if (a == NULL || g_strcmp0 (response, "save") != 0 || self->busy)
    return;
  if (sscanf (minutes, "%d%c", &duration, &extra) != 1 || duration <= 0 || type >= self->types->len)
    {
      ch_ui_toast (GTK_WIDGET (self), _("The length is a number of minutes."));
      return;
    }
  if (sscanf (date, "%d-%d-%d%c", &y, &mo, &d, &extra) != 3
      || sscanf (time, "%d:%d%c", &hh, &mm, &extra) != 2
      || (start = g_date_time_new_local (y, mo, d, hh, mm, 0)) == NULL
      || provider >= self->providers->len)
    {
      ch_ui_toast (GTK_WIDGET (self), _("Write the day as YYYY-MM-DD and the time as HH:MM."));
      return;
    }
  load = g_new0 (Load, 1);
  load->change = ch_appointment_copy (a);
  load->change->start_at = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  g_free (load->change->provider_id);
  load->change->provider_id = g_strdup (((ChResource *) self->providers->pdata[provider])->id);
  load->change->type_id = ((ChApptType *) self->types->pdata[type])->id;
  g_free (load->change->room_id);
  load->change->room_id = room > 0 && room <= self->rooms->len
                          ? g_strdup (((ChResource *) self->rooms->pdata[room - 1])->id) : NULL;
  load->change->duration_min = duration;
  g_free (load->change->reason);
  load->change->reason = g_strdup (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog),
                                                                             "reason")));
  g_free (load->change->notes);
  load->change->notes = g_strdup (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog),
                                                                            "notes")));
  run_with_scope (self, a, load, _("Change Which Appointments?"));
}

static GtkWidget *
entry_row (GtkWidget  *group,
           const char *name,
           const char *title,
           const char *text)
{
  GtkWidget *row = adw_entry_row_new ();

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

/* The appointment's day, time, provider, type, room, length, reason and
 * notes: what dragging does, from the keyboard too. */
static void
present_edit_dialog (ChSchedulePage      *self,
                     const ChAppointment *a)
{
  GtkWidget *dialog;
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *type_row = adw_combo_row_new ();
  GtkWidget *room_row = adw_combo_row_new ();
  GtkWidget *provider_row = adw_combo_row_new ();
  g_autoptr (GtkStringList) types = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) rooms = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) providers = gtk_string_list_new (NULL);
  g_autofree char *minutes = g_strdup_printf ("%d", a->duration_min);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *time = g_date_time_format (local, "%H:%M");
  GtkWidget *minutes_row, *reason_row, *notes_row, *date_row, *time_row;

  if (self->types == NULL || self->rooms == NULL || self->providers == NULL)
    return;
  for (guint i = 0; i < self->types->len; i++)
    gtk_string_list_append (types, ((ChApptType *) self->types->pdata[i])->name);
  gtk_string_list_append (rooms, _("No room"));
  for (guint i = 0; i < self->rooms->len; i++)
    gtk_string_list_append (rooms, ((ChResource *) self->rooms->pdata[i])->name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (type_row), _("Type"));
  adw_combo_row_set_model (ADW_COMBO_ROW (type_row), G_LIST_MODEL (types));
  for (guint i = 0; i < self->types->len; i++)
    if (((ChApptType *) self->types->pdata[i])->id == a->type_id)
      adw_combo_row_set_selected (ADW_COMBO_ROW (type_row), i);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (room_row), _("Room"));
  adw_combo_row_set_model (ADW_COMBO_ROW (room_row), G_LIST_MODEL (rooms));
  adw_combo_row_set_selected (ADW_COMBO_ROW (room_row), 0);
  for (guint i = 0; i < self->rooms->len; i++)
    if (g_strcmp0 (((ChResource *) self->rooms->pdata[i])->id, a->room_id) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (room_row), i + 1);
  for (guint i = 0; i < self->providers->len; i++)
    gtk_string_list_append (providers, ((ChResource *) self->providers->pdata[i])->name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (provider_row), _("Provider"));
  adw_combo_row_set_model (ADW_COMBO_ROW (provider_row), G_LIST_MODEL (providers));
  for (guint i = 0; i < self->providers->len; i++)
    if (g_strcmp0 (((ChResource *) self->providers->pdata[i])->id, a->provider_id) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (provider_row), i);
  gtk_widget_set_name (provider_row, "provider");
  /* Moved from the keyboard as well as by dragging. */
  date_row = entry_row (group, "date", _("Day (YYYY-MM-DD)"), date);
  time_row = entry_row (group, "time", _("Time (HH:MM)"), time);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), provider_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), type_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), room_row);
  minutes_row = entry_row (group, "minutes", _("Minutes"), minutes);
  reason_row = entry_row (group, "reason", _("Reason"), a->reason);
  notes_row = entry_row (group, "notes", _("Notes"), a->notes);
  gtk_widget_set_name (type_row, "type");
  gtk_widget_set_name (room_row, "room");

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Edit Appointment"), a->patient_name);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), group);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&a->id, sizeof a->id), g_free);
  g_object_set_data (G_OBJECT (dialog), "type", type_row);
  g_object_set_data (G_OBJECT (dialog), "room", room_row);
  g_object_set_data (G_OBJECT (dialog), "minutes", minutes_row);
  g_object_set_data (G_OBJECT (dialog), "provider", provider_row);
  g_object_set_data (G_OBJECT (dialog), "date", date_row);
  g_object_set_data (G_OBJECT (dialog), "time", time_row);
  g_object_set_data (G_OBJECT (dialog), "reason", reason_row);
  g_object_set_data (G_OBJECT (dialog), "notes", notes_row);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_edit_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_status_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChSchedulePage   *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "id");
  const ChAppointment *a = find_appointment (self, id);
  Load *load;

  if (a == NULL || response == NULL || g_str_equal (response, "close") || self->busy)
    return;
  if (g_str_equal (response, "cancel-appointment"))
    {
      present_cancel_dialog (self, a);
      return;
    }
  if (g_str_equal (response, "edit"))
    {
      present_edit_dialog (self, a);
      return;
    }
  load = g_new0 (Load, 1);
  load->status_id = id;
  load->status = g_strdup (response);
  run_load (self, load);
}

static void
on_calendar_activate (ChSchedulePage *self,
                      gint64          id)
{
  const ChAppointment *a = find_appointment (self, id);
  g_autoptr (GDateTime) utc = NULL, local = NULL;
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  const char *next = NULL;

  if (a == NULL)
    return;
  utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);
  when = g_date_time_format (local, "%A %e %B, %H:%M");
  /* TRANSLATORS: an appointment's details: when, how long, type, provider, status, reason */
  body = g_strdup_printf (_("%s, %d minutes\n%s with %s\nStatus: %s\n%s"), when, a->duration_min,
                          a->type_name, a->provider_name, ch_schedule_status_label (a->status),
                          a->reason);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   a->patient_name, body);
  g_object_set_data_full (G_OBJECT (dialog), "id", g_memdup2 (&id, sizeof id), g_free);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  if (ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE)
      && !g_str_equal (a->status, "cancelled"))
    {
      next = g_str_equal (a->status, "booked") ? "confirmed"
             : g_str_equal (a->status, "confirmed") ? "arrived"
             : g_str_equal (a->status, "arrived") ? "in-room"
             : g_str_equal (a->status, "in-room") ? "done" : NULL;
      if (!g_str_equal (a->status, "done") && !g_str_equal (a->status, "no-show"))
        adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "edit", _("_Edit…"));
      if (g_str_equal (a->status, "booked") || g_str_equal (a->status, "confirmed"))
        {
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment",
                                           _("Cancel _Appointment…"));
          adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                                      "cancel-appointment", ADW_RESPONSE_DESTRUCTIVE);
          /* Not coming is known once the time has come. */
          if (a->start_at <= g_get_real_time ())
            adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "no-show", _("_No-show"));
        }
      if (next != NULL)
        {
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), next,
                                           ch_schedule_status_label (next));
          adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), next,
                                                      ADW_RESPONSE_SUGGESTED);
          adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), next);
        }
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_status_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- navigation ------------------------------------------------------------------ */

static void
go (ChSchedulePage *self,
    int             direction)
{
  GDateTime *day;

  if (direction == 0)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();

      day = midnight_of (now);
    }
  else if (self->mode == MODE_MONTH)
    day = g_date_time_add_months (self->day, direction);
  else
    day = g_date_time_add_days (self->day, self->mode == MODE_WEEK ? 7 * direction : direction);
  g_clear_pointer (&self->day, g_date_time_unref);
  self->day = day;
  ch_schedule_page_reload (self);
}

static void
previous_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  go (CH_SCHEDULE_PAGE (widget), -1);
}

static void
next_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  go (CH_SCHEDULE_PAGE (widget), 1);
}

static void
today_activated (GtkWidget *widget, const char *name, GVariant *parameter)
{
  go (CH_SCHEDULE_PAGE (widget), 0);
}

static void
on_mode_toggled (ChSchedulePage *self)
{
  Mode mode = gtk_toggle_button_get_active (self->week_button) ? MODE_WEEK
              : gtk_toggle_button_get_active (self->month_button) ? MODE_MONTH : MODE_DAY;

  if (mode == self->mode && self->appointments != NULL)
    return;
  self->mode = mode;
  if (self->session != NULL)
    ch_schedule_page_reload (self);
}

static void
on_provider_changed (ChSchedulePage *self)
{
  if (self->mode == MODE_WEEK && self->appointments != NULL)
    fill (self);
}

/* ---- API ------------------------------------------------------------------------ */

GtkWidget *
ch_schedule_page_new (ChSession *session)
{
  ChSchedulePage *self;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_SCHEDULE_PAGE, NULL);
  self->session = g_object_ref (session);
  self->day = midnight_of (now);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_schedule_page_update_actions));
  ch_schedule_page_reload (self);
  return GTK_WIDGET (self);
}

gboolean
ch_schedule_page_get_busy (ChSchedulePage *self)
{
  g_return_val_if_fail (CH_IS_SCHEDULE_PAGE (self), FALSE);
  return self->busy;
}

GtkWidget *
ch_schedule_page_get_calendar (ChSchedulePage *self)
{
  g_return_val_if_fail (CH_IS_SCHEDULE_PAGE (self), NULL);
  return GTK_WIDGET (self->calendar);
}

void
ch_schedule_page_set_day (ChSchedulePage *self,
                          gint64          day)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (day / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  g_return_if_fail (CH_IS_SCHEDULE_PAGE (self));

  g_clear_pointer (&self->day, g_date_time_unref);
  self->day = midnight_of (local);
  ch_schedule_page_reload (self);
}

GPtrArray *
ch_schedule_page_get_appointments (ChSchedulePage *self)
{
  g_return_val_if_fail (CH_IS_SCHEDULE_PAGE (self), NULL);
  return self->appointments;
}

/* ---- working hours and days off ---------------------------------------------------- */

static void
on_hours_changed (ChSchedulePage *self)
{
  /* The shading of working time comes with the setup: read it again. */
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  ch_schedule_page_reload (self);
}

static void
hours_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (widget);
  g_autoptr (GPtrArray) resources = NULL;
  GtkWidget *dialog;

  if (self->busy || self->providers == NULL || self->rooms == NULL)
    return;
  resources = g_ptr_array_new ();
  g_ptr_array_extend (resources, self->providers, NULL, NULL);
  g_ptr_array_extend (resources, self->rooms, NULL, NULL);
  dialog = ch_hours_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session, resources);
  g_signal_connect_object (dialog, "changed", G_CALLBACK (on_hours_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the day sheet ----------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *provider_id;
  gint64     day;
  GBytes    *pdf;
} Sheet;

static void
sheet_free (gpointer data)
{
  Sheet *sheet = data;

  g_clear_object (&sheet->session);
  g_free (sheet->provider_id);
  g_clear_pointer (&sheet->pdf, g_bytes_unref);
  g_free (sheet);
}

static void
sheet_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Sheet *sheet = task_data;
  GError *error = NULL;

  sheet->pdf = ch_day_sheet_pdf_render (sheet->session, sheet->provider_id, sheet->day, &error);
  if (sheet->pdf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
sheet_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (object);
  Sheet *sheet = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  GtkRoot *root;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_schedule_page_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }
  ch_schedule_page_set_busy (self, FALSE);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (!ch_ui_print_pdf (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, sheet->pdf,
                        _("Day Sheet"), self->print_export, &error))
    ch_ui_toast (GTK_WIDGET (self), error->message);
}

/* The day sheet of the provider and day under the cursor (in a month, the
 * chosen provider's first day shown is no use: the day view's is meant). */
static void
print_day_sheet_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (widget);
  g_autoptr (GDateTime) from = NULL, to = NULL;
  g_autoptr (GDateTime) day = NULL;
  g_autoptr (GTask) task = NULL;
  const char *provider = NULL;
  guint column = 0;
  int minute = 0;
  Sheet *sheet;

  if (self->busy || ch_ui_session_is_busy (self->session) || self->providers == NULL)
    return;
  visible_range (self, &from, &to);
  ch_calendar_view_get_cursor (self->calendar, &column, &minute);
  if (self->mode == MODE_DAY)
    {
      day = g_date_time_ref (self->day);
      if (column < self->providers->len)
        provider = ((ChResource *) self->providers->pdata[column])->id;
    }
  else
    {
      day = self->mode == MODE_WEEK ? g_date_time_add_days (from, MIN (column, 6))
                                    : g_date_time_ref (self->day);
      provider = selected_provider (self);
    }
  if (provider == NULL)
    return;

  sheet = g_new0 (Sheet, 1);
  sheet->session = g_object_ref (self->session);
  sheet->provider_id = g_strdup (provider);
  sheet->day = g_date_time_to_unix (day) * G_USEC_PER_SEC;
  ch_schedule_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, sheet_done, NULL);
  g_task_set_task_data (task, sheet, sheet_free);
  ch_ui_session_run_task (task, sheet_thread);
}

void
ch_schedule_page_set_print_export (ChSchedulePage *self,
                                   const char     *path)
{
  g_return_if_fail (CH_IS_SCHEDULE_PAGE (self));
  g_free (self->print_export);
  self->print_export = g_strdup (path);
}

static void
ch_schedule_page_dispose (GObject *object)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_SCHEDULE_PAGE);

  G_OBJECT_CLASS (ch_schedule_page_parent_class)->dispose (object);
}

static void
ch_schedule_page_finalize (GObject *object)
{
  ChSchedulePage *self = CH_SCHEDULE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->day, g_date_time_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->hours, g_hash_table_unref);
  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  g_clear_pointer (&self->month_cells, g_ptr_array_unref);
  g_free (self->print_export);
  g_clear_pointer (&self->pending, load_free);

  G_OBJECT_CLASS (ch_schedule_page_parent_class)->finalize (object);
}

static void
ch_schedule_page_class_init (ChSchedulePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_CALENDAR_VIEW);

  object_class->dispose = ch_schedule_page_dispose;
  object_class->finalize = ch_schedule_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-schedule-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, title_label);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, provider_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, day_button);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, week_button);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, month_button);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, calendar);
  gtk_widget_class_bind_template_child (widget_class, ChSchedulePage, month_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_book);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_move);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_provider_changed);

  gtk_widget_class_install_action (widget_class, "schedule.book", NULL, book_activated);
  gtk_widget_class_install_action (widget_class, "schedule.previous", NULL, previous_activated);
  gtk_widget_class_install_action (widget_class, "schedule.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "schedule.today", NULL, today_activated);
  gtk_widget_class_install_action (widget_class, "schedule.print-day-sheet", NULL,
                                   print_day_sheet_activated);
  gtk_widget_class_install_action (widget_class, "schedule.hours", NULL, hours_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "schedule.print-day-sheet", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "schedule.book", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "schedule.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "schedule.next", NULL);
}

static void
ch_schedule_page_init (ChSchedulePage *self)
{
  self->cancellable = g_cancellable_new ();
  self->month_cells = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
