/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-hours-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-hours-dialog.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-validate.h"

/* Each weekday's hours are one line of spans, "08:00-12:00, 13:00-17:00":
 * the controller keeps the whole day with the gaps as breaks. Every call
 * runs on a worker through the session gate, and reads the hours and the
 * days off again after a change. */

struct _ChHoursDialog
{
  AdwWindow     parent_instance;

  GtkSpinner   *spinner;
  GtkLabel     *error_label;
  GtkWidget    *form;
  AdwPreferencesGroup *hours_group;
  AdwComboRow  *resource_row;
  AdwComboRow  *who_row;
  GtkWidget    *off_day_row;
  GtkWidget    *off_reason_row;
  GtkListBox   *days_list;
  GtkWidget    *day_rows[7];   /* Monday first */

  ChSession    *session;
  GPtrArray    *resources;     /* (element-type ChResource) */
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (ChHoursDialog, ch_hours_dialog, ADW_TYPE_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_hours_dialog_update_actions (ChHoursDialog *self)
{
  gboolean idle = !self->busy && self->session && !ch_ui_session_is_busy (self->session);
  gboolean can_write = idle && ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hours.save", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hours.add-day-off", can_write);
}

static void
ch_hours_dialog_set_busy (ChHoursDialog *self,
                          gboolean       busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_hours_dialog_update_actions (self);
}

static void
show_error (ChHoursDialog *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static const char *
resource_at (GPtrArray *resources,
             guint      position)
{
  return position < resources->len ? ((ChResource *) resources->pdata[position])->id : NULL;
}

static const char *
resource_name (ChHoursDialog *self,
               const char    *id)
{
  for (guint i = 0; i < self->resources->len; i++)
    if (g_strcmp0 (((ChResource *) self->resources->pdata[i])->id, id) == 0)
      return ((ChResource *) self->resources->pdata[i])->name;
  return id;
}

/* ---- one day's line ------------------------------------------------------------ */

static char *
format_day (GArray *hours,
            int     weekday)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < hours->len; i++)
    {
      const ChHours *work = &g_array_index (hours, ChHours, i);
      int start;

      if (work->weekday != weekday || work->is_break)
        continue;
      /* The work span less its breaks, in order. */
      start = work->start_min;
      for (int minute = work->start_min; minute <= work->end_min; minute++)
        {
          gboolean in_break = FALSE;

          for (guint b = 0; b < hours->len; b++)
            {
              const ChHours *pause = &g_array_index (hours, ChHours, b);

              if (pause->weekday == weekday && pause->is_break && minute >= pause->start_min
                  && minute < pause->end_min)
                in_break = TRUE;
            }
          if ((in_break || minute == work->end_min) && start >= 0 && minute > start)
            {
              g_string_append_printf (text, "%s%02d:%02d-%02d:%02d", text->len ? ", " : "",
                                      start / 60, start % 60, minute / 60, minute % 60);
              start = -1;
            }
          if (in_break)
            start = -1;
          else if (start < 0)
            start = minute;
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "08:00-12:00, 13:00-17:00" into the day's span and its breaks; "" is a day off. */
static gboolean
parse_day (const char *text,
           GArray     *out_hours)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GArray) spans = g_array_new (FALSE, FALSE, sizeof (ChHours));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      ChHours span = { 0, 0, 0, FALSE };

      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        continue;
      if (!ch_schedule_parse_times (parts[i], &span.start_min, &span.end_min)
          || span.end_min <= span.start_min)
        return FALSE;
      if (spans->len > 0 && span.start_min < g_array_index (spans, ChHours, spans->len - 1).end_min)
        return FALSE;
      g_array_append_val (spans, span);
    }
  if (spans->len == 0)
    return TRUE;
  {
    ChHours day = { 0, g_array_index (spans, ChHours, 0).start_min,
                    g_array_index (spans, ChHours, spans->len - 1).end_min, FALSE };

    g_array_append_val (out_hours, day);
  }
  for (guint i = 1; i < spans->len; i++)
    {
      ChHours pause = { 0, g_array_index (spans, ChHours, i - 1).end_min,
                        g_array_index (spans, ChHours, i).start_min, TRUE };

      if (pause.end_min > pause.start_min)
        g_array_append_val (out_hours, pause);
    }
  return TRUE;
}

/* ---- the worker ------------------------------------------------------------------ */

typedef enum
{
  JOB_LOAD,
  JOB_SAVE_HOURS,
  JOB_ADD_DAY_OFF,
  JOB_REMOVE_DAY_OFF,
} JobKind;

typedef struct
{
  JobKind    kind;
  ChSession *session;
  char      *resource_id;    /* whose hours are shown */
  GArray    *week[7];        /* JOB_SAVE_HOURS: each weekday's spans */
  char      *off_resource;   /* JOB_*_DAY_OFF: NULL, the practice */
  char      *off_day;
  char      *off_reason;
  char      *today;
  GArray    *hours;          /* read back */
  GPtrArray *days_off;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->session);
  g_free (job->resource_id);
  for (guint i = 0; i < 7; i++)
    g_clear_pointer (&job->week[i], g_array_unref);
  g_free (job->off_resource);
  g_free (job->off_day);
  g_free (job->off_reason);
  g_free (job->today);
  g_clear_pointer (&job->hours, g_array_unref);
  g_clear_pointer (&job->days_off, g_ptr_array_unref);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = TRUE;

  switch (job->kind)
    {
    case JOB_SAVE_HOURS:
      for (guint d = 0; d < 7 && ok; d++)
        ok = ch_schedule_set_hours (job->session, job->resource_id, 1u << (d + 1),
                                    (ChHours *) job->week[d]->data, job->week[d]->len, &error);
      break;
    case JOB_ADD_DAY_OFF:
      ok = ch_schedule_add_day_off (job->session, job->off_resource, job->off_day, job->off_reason,
                                    &error);
      break;
    case JOB_REMOVE_DAY_OFF:
      ok = ch_schedule_remove_day_off (job->session, job->off_resource, job->off_day, &error);
      break;
    case JOB_LOAD:
    default:
      break;
    }
  if (ok && job->resource_id != NULL)
    ok = (job->hours = ch_schedule_get_hours (job->session, job->resource_id, &error)) != NULL;
  if (ok)
    ok = (job->days_off = ch_schedule_list_days_off (job->session, job->today, &error)) != NULL;
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void run_job (ChHoursDialog *self, Job *job);

static void
on_remove_clicked (GtkButton     *button,
                   ChHoursDialog *self)
{
  Job *job;

  if (self->busy)
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_REMOVE_DAY_OFF;
  job->off_resource = g_strdup (g_object_get_data (G_OBJECT (button), "resource"));
  job->off_day = g_strdup (g_object_get_data (G_OBJECT (button), "day"));
  run_job (self, job);
}

static void
show_days_off (ChHoursDialog *self,
               GPtrArray     *days_off)
{
  GtkWidget *child;
  gboolean can_write = ch_session_can (self->session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->days_list))) != NULL)
    gtk_list_box_remove (self->days_list, child);
  for (guint i = 0; i < days_off->len; i++)
    {
      const ChDayOff *day_off = days_off->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      const char *who = day_off->resource_id ? resource_name (self, day_off->resource_id)
                                             : _("The whole practice");
      g_autofree char *title = g_strdup_printf ("%s · %s", day_off->day, who);
      g_autofree char *label = NULL;
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), day_off->reason);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_sensitive (remove, can_write);
      /* Translators: a button's accessible name: the day, then whose */
      label = g_strdup_printf (_("Remove the day off on %s for %s"), day_off->day, who);
      gtk_widget_set_tooltip_text (remove, _("Remove this day off"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      g_object_set_data_full (G_OBJECT (remove), "resource", g_strdup (day_off->resource_id),
                              g_free);
      g_object_set_data_full (G_OBJECT (remove), "day", g_strdup (day_off->day), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_widget_set_name (row, "day-off");
      gtk_list_box_append (self->days_list, row);
    }
  if (days_off->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No days off ahead"));
      gtk_list_box_append (self->days_list, row);
    }
}

static void
job_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ChHoursDialog *self = CH_HOURS_DIALOG (object);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_hours_dialog_set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  ch_hours_dialog_set_busy (self, FALSE);
  show_error (self, NULL);
  if (job->hours != NULL
      && g_strcmp0 (job->resource_id,
                    resource_at (self->resources, adw_combo_row_get_selected (self->resource_row))) == 0)
    for (guint d = 0; d < 7; d++)
      {
        g_autofree char *line = format_day (job->hours, (int) d + 1);

        gtk_editable_set_text (GTK_EDITABLE (self->day_rows[d]), line);
      }
  show_days_off (self, job->days_off);
  if (job->kind == JOB_ADD_DAY_OFF)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->off_day_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->off_reason_row), "");
    }
  if (job->kind != JOB_LOAD)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
run_job (ChHoursDialog *self,
         Job           *job)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  job->session = g_object_ref (self->session);
  if (job->resource_id == NULL)
    job->resource_id = g_strdup (resource_at (self->resources,
                                              adw_combo_row_get_selected (self->resource_row)));
  job->today = g_date_time_format (now, "%Y-%m-%d");
  show_error (self, NULL);
  ch_hours_dialog_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, job_done, NULL);
  g_task_set_task_data (task, job, job_free);
  ch_ui_session_run_task (task, job_thread);
}

static void
load (ChHoursDialog *self)
{
  Job *job;

  if (self->busy || ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (load));
      return;
    }
  job = g_new0 (Job, 1);
  job->kind = JOB_LOAD;
  run_job (self, job);
}

static void
on_resource_changed (ChHoursDialog *self)
{
  if (self->resources != NULL)
    load (self);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChHoursDialog *self = CH_HOURS_DIALOG (widget);
  g_autoptr (GDateTime) monday = g_date_time_new_local (2024, 1, 1, 0, 0, 0);
  Job *job;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_SAVE_HOURS;
  for (guint d = 0; d < 7; d++)
    {
      job->week[d] = g_array_new (FALSE, FALSE, sizeof (ChHours));
      if (!parse_day (gtk_editable_get_text (GTK_EDITABLE (self->day_rows[d])), job->week[d]))
        {
          g_autoptr (GDateTime) day = g_date_time_add_days (monday, (int) d);
          g_autofree char *name = g_date_time_format (day, "%A");
          g_autofree char *message = NULL;

          /* Translators: %s is a weekday */
          message = g_strdup_printf (_("Write %s’s hours as 08:00-12:00, 13:00-17:00, in order, "
                                       "or leave it empty for a day off."), name);
          show_error (self, message);
          gtk_widget_grab_focus (self->day_rows[d]);
          job_free (job);
          return;
        }
    }
  run_job (self, job);
}

static void
add_day_off_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChHoursDialog *self = CH_HOURS_DIALOG (widget);
  guint who = adw_combo_row_get_selected (self->who_row);
  Job *job;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_ADD_DAY_OFF;
  job->off_resource = who > 0 ? g_strdup (resource_at (self->resources, who - 1)) : NULL;
  job->off_day = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->off_day_row))));
  job->off_reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->off_reason_row))));
  run_job (self, job);
}

/* ---- construction ----------------------------------------------------------------- */

GtkWidget *
ch_hours_dialog_new (GtkWindow *parent,
                     ChSession *session,
                     GPtrArray *resources)
{
  ChHoursDialog *self;
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) who = gtk_string_list_new (NULL);

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_HOURS_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  gtk_string_list_append (who, _("The whole practice"));
  for (guint i = 0; i < resources->len; i++)
    {
      gtk_string_list_append (names, ((ChResource *) resources->pdata[i])->name);
      gtk_string_list_append (who, ((ChResource *) resources->pdata[i])->name);
    }
  adw_combo_row_set_model (self->resource_row, G_LIST_MODEL (names));
  adw_combo_row_set_model (self->who_row, G_LIST_MODEL (who));
  self->resources = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_resource_free);
  for (guint i = 0; i < resources->len; i++)
    {
      const ChResource *resource = resources->pdata[i];
      ChResource *copy = ch_resource_new ();

      copy->id = g_strdup (resource->id);
      copy->kind = g_strdup (resource->kind);
      copy->name = g_strdup (resource->name);
      g_ptr_array_add (self->resources, copy);
    }
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_hours_dialog_update_actions));
  load (self);
  return GTK_WIDGET (self);
}

gboolean
ch_hours_dialog_get_busy (ChHoursDialog *self)
{
  g_return_val_if_fail (CH_IS_HOURS_DIALOG (self), FALSE);
  return self->busy;
}

static gboolean
ch_hours_dialog_close_request (GtkWindow *window)
{
  if (CH_HOURS_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_hours_dialog_parent_class)->close_request (window);
}

static void
ch_hours_dialog_dispose (GObject *object)
{
  ChHoursDialog *self = CH_HOURS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_HOURS_DIALOG);

  G_OBJECT_CLASS (ch_hours_dialog_parent_class)->dispose (object);
}

static void
ch_hours_dialog_finalize (GObject *object)
{
  ChHoursDialog *self = CH_HOURS_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->resources, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_hours_dialog_parent_class)->finalize (object);
}

static void
ch_hours_dialog_class_init (ChHoursDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_hours_dialog_dispose;
  object_class->finalize = ch_hours_dialog_finalize;
  window_class->close_request = ch_hours_dialog_close_request;

  /**
   * ChHoursDialog::changed:
   *
   * Hours or days off were changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-hours-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, hours_group);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, resource_row);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, who_row);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, off_day_row);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, off_reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChHoursDialog, days_list);
  gtk_widget_class_bind_template_callback (widget_class, on_resource_changed);

  gtk_widget_class_install_action (widget_class, "hours.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "hours.add-day-off", NULL, add_day_off_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "hours.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_hours_dialog_init (ChHoursDialog *self)
{
  g_autoptr (GDateTime) monday = g_date_time_new_local (2024, 1, 1, 0, 0, 0);   /* a Monday */

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint d = 0; d < 7; d++)
    {
      g_autoptr (GDateTime) day = g_date_time_add_days (monday, (int) d);
      g_autofree char *title = g_date_time_format (day, "%A");
      g_autofree char *name = g_strdup_printf ("day-%u", d + 1);

      self->day_rows[d] = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->day_rows[d]), title);
      gtk_widget_set_name (self->day_rows[d], name);
      adw_preferences_group_add (self->hours_group, self->day_rows[d]);
    }
}
