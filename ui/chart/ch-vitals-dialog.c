/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-vitals-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-ui.h"
#include "ch-vitals-dialog.h"

/* A set of vital signs taken together, in metric or imperial units as the
 * user prefers (switching converts what is typed). The controller converts
 * to the units it stores, computes the BMI and refuses implausible values;
 * each value is checked the same way before it is sent, so that the field
 * at fault is the one marked. */

typedef enum
{
  FIELD_SYSTOLIC,
  FIELD_DIASTOLIC,
  FIELD_PULSE,
  FIELD_RESPIRATION,
  FIELD_SPO2,
  FIELD_TEMPERATURE,
  FIELD_PAIN,
  FIELD_HEIGHT,
  FIELD_WEIGHT,
  FIELD_HEAD,
  N_FIELDS
} Field;

typedef struct
{
  const char *code;
  const char *metric_unit;    /* UCUM */
  const char *imperial_unit;
  int         decimals;       /* kept when converting */
} FieldInfo;

static const FieldInfo field_info[N_FIELDS] = {
  [FIELD_SYSTOLIC] = { CH_LOINC_SYSTOLIC, "mm[Hg]", "mm[Hg]", 0 },
  [FIELD_DIASTOLIC] = { CH_LOINC_DIASTOLIC, "mm[Hg]", "mm[Hg]", 0 },
  [FIELD_PULSE] = { CH_LOINC_PULSE, "/min", "/min", 0 },
  [FIELD_RESPIRATION] = { CH_LOINC_RESPIRATION, "/min", "/min", 0 },
  [FIELD_SPO2] = { CH_LOINC_SPO2, "%", "%", 0 },
  [FIELD_TEMPERATURE] = { CH_LOINC_TEMPERATURE, "Cel", "[degF]", 1 },
  [FIELD_PAIN] = { CH_LOINC_PAIN, "{score}", "{score}", 0 },
  [FIELD_HEIGHT] = { CH_LOINC_HEIGHT, "cm", "[in_i]", 1 },
  [FIELD_WEIGHT] = { CH_LOINC_WEIGHT, "kg", "[lb_av]", 1 },
  [FIELD_HEAD] = { CH_LOINC_HEAD, "cm", "[in_i]", 1 },
};

struct _ChVitalsDialog
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  GtkSpinner      *spinner;
  GtkWidget       *form;
  GtkWidget       *taken_row;
  GtkWidget       *systolic_row;
  GtkWidget       *diastolic_row;
  GtkWidget       *pulse_row;
  GtkWidget       *respiration_row;
  GtkWidget       *spo2_row;
  GtkWidget       *temperature_row;
  GtkWidget       *pain_row;
  GtkWidget       *height_row;
  GtkWidget       *weight_row;
  GtkWidget       *head_row;
  GtkLabel        *error_label;

  GtkWidget       *rows[N_FIELDS];
  ChSession       *session;
  ChPatientRecord *patient;
  GCancellable    *cancellable;
  gboolean         imperial;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChVitalsDialog, ch_vitals_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_IMPERIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
field_unit (ChVitalsDialog *self,
            Field           field)
{
  return self->imperial ? field_info[field].imperial_unit : field_info[field].metric_unit;
}

static void
ch_vitals_dialog_update_titles (ChVitalsDialog *self)
{
  for (Field field = 0; field < N_FIELDS; field++)
    {
      g_autofree char *title = NULL;

      if (field == FIELD_PAIN)
        title = g_strdup (_("Pain (0–10)"));
      else
        /* Translators: a vital sign, then its unit: "Weight (kg)" */
        title = g_strdup_printf (_("%s (%s)"), ch_chart_ui_vital_name (field_info[field].code),
                                 ch_chart_ui_unit_text (field_unit (self, field)));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rows[field]), title);
    }
}

/* Converts what is typed into @field from one system to the other. The
 * conversions are linear, so two points of ch_vital_to_imperial() give
 * them both ways. */
static void
convert_field (ChVitalsDialog *self,
               Field           field,
               gboolean        to_imperial)
{
  const FieldInfo *info = &field_info[field];
  const char *unit = NULL;
  double value, offset, scale, converted;
  g_autofree char *text = NULL;

  if (g_str_equal (info->metric_unit, info->imperial_unit) ||
      !ch_chart_ui_parse_number (gtk_editable_get_text (GTK_EDITABLE (self->rows[field])), &value))
    return;

  offset = ch_vital_to_imperial (info->code, 0.0, &unit);
  scale = ch_vital_to_imperial (info->code, 1.0, &unit) - offset;
  converted = to_imperial ? value * scale + offset : (value - offset) / scale;

  text = ch_chart_ui_format_number (converted, info->decimals);
  gtk_editable_set_text (GTK_EDITABLE (self->rows[field]), text);
}

static void
ch_vitals_dialog_set_imperial (ChVitalsDialog *self,
                               gboolean        imperial)
{
  imperial = !!imperial;
  if (self->imperial == imperial)
    return;

  self->imperial = imperial;
  for (Field field = 0; field < N_FIELDS; field++)
    convert_field (self, field, imperial);
  ch_vitals_dialog_update_titles (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPERIAL]);
}

static void
ch_vitals_dialog_update_actions (ChVitalsDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vitals.save",
                                 !self->busy && self->session != NULL &&
                                 !ch_ui_session_is_busy (self->session));
}

static void
ch_vitals_dialog_set_busy (ChVitalsDialog *self,
                           gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_vitals_dialog_update_actions (self);
}

static void
ch_vitals_dialog_show_error (ChVitalsDialog *self,
                             const char     *message,
                             GtkWidget      *row)
{
  for (Field field = 0; field < N_FIELDS; field++)
    ch_ui_set_row_error (self->rows[field], FALSE);
  ch_ui_set_row_error (self->taken_row, FALSE);

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

/* ---- saving ---------------------------------------------------------------------- */

typedef struct
{
  ChSession    *session;
  gint64        patient_id;
  gint64        effective_at;
  ChVitalInput  inputs[N_FIELDS];
  guint         n_inputs;
} Save;

static void
save_free (gpointer data)
{
  Save *save = data;

  g_clear_object (&save->session);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_chart_record_vitals (save->session, save->patient_id, 0, save->effective_at,
                              save->inputs, save->n_inputs, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_vitals_dialog_set_busy (self, FALSE);
      ch_vitals_dialog_show_error (self, error->message, NULL);
      return;
    }

  ch_vitals_dialog_set_busy (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *taken = NULL;
  Save *save;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_vitals_dialog_show_error (self, NULL, NULL);

  save = g_new0 (Save, 1);
  taken = ch_chart_ui_dup_text (GTK_EDITABLE (self->taken_row));
  if (taken != NULL && !ch_chart_ui_parse_date (taken, &save->effective_at))
    {
      ch_vitals_dialog_show_error (self, _("Write when they were taken as YYYY-MM-DD HH:MM."),
                                   self->taken_row);
      save_free (save);
      return;
    }

  for (Field field = 0; field < N_FIELDS; field++)
    {
      GtkWidget *row = self->rows[field];
      const char *name = ch_chart_ui_vital_name (field_info[field].code);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      const char *canonical_unit = NULL;
      double value, canonical;

      if (!gtk_widget_get_visible (row))
        continue;

      text = ch_chart_ui_dup_text (GTK_EDITABLE (row));
      if (text == NULL)
        continue;

      if (!ch_chart_ui_parse_number (text, &value))
        {
          /* Translators: a vital sign, then what was typed for it */
          g_autofree char *message = g_strdup_printf (_("%s: “%s” is not a number."),
                                                      name, text);
          ch_vitals_dialog_show_error (self, message, row);
          save_free (save);
          return;
        }

      /* The controller's own check, here to mark the field at fault. */
      if (!ch_vital_to_canonical (field_info[field].code, value, field_unit (self, field),
                                  &canonical, &canonical_unit, &error))
        {
          /* Translators: a vital sign, then what is wrong with its value */
          g_autofree char *message = g_strdup_printf (_("%s: %s"), name, error->message);
          ch_vitals_dialog_show_error (self, message, row);
          save_free (save);
          return;
        }

      save->inputs[save->n_inputs].code = field_info[field].code;
      save->inputs[save->n_inputs].value = value;
      save->inputs[save->n_inputs].unit = field_unit (self, field);
      save->n_inputs++;
    }

  if (save->n_inputs == 0)
    {
      ch_vitals_dialog_show_error (self, _("Enter at least one vital sign."),
                                   self->rows[FIELD_SYSTOLIC]);
      save_free (save);
      return;
    }

  save->session = g_object_ref (self->session);
  save->patient_id = self->patient->id;

  ch_vitals_dialog_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, save_done, NULL);
  g_task_set_source_tag (task, save_activated);
  g_task_set_task_data (task, save, save_free);
  ch_ui_session_run_task (task, save_thread);
}

/* Enter in a field moves on to the next one; in the last one it saves. */
static void
on_entry_activated (ChVitalsDialog *self,
                    GtkWidget      *row)
{
  if (row == self->taken_row)
    {
      gtk_widget_grab_focus (self->rows[0]);
      return;
    }

  for (Field field = 0; field < N_FIELDS; field++)
    {
      if (self->rows[field] != row)
        continue;

      for (Field next = field + 1; next < N_FIELDS; next++)
        if (gtk_widget_get_visible (self->rows[next]))
          {
            gtk_widget_grab_focus (self->rows[next]);
            return;
          }
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "vitals.save", NULL);
}

/* Head circumference is measured in the first three years. */
static gboolean
under_three (const char *birth_date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int y, m, d;

  if (birth_date == NULL || sscanf (birth_date, "%d-%d-%d", &y, &m, &d) != 3)
    return FALSE;

  y += 3;
  return y > g_date_time_get_year (now) ||
         (y == g_date_time_get_year (now) &&
          (m > g_date_time_get_month (now) ||
           (m == g_date_time_get_month (now) && d > g_date_time_get_day_of_month (now))));
}

/**
 * ch_vitals_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @session: the session that records the signs
 * @patient: whose signs
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_vitals_dialog_new (GtkWindow             *parent,
                      ChSession             *session,
                      const ChPatientRecord *patient)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *taken = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *name = NULL;
  ChVitalsDialog *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_VITALS_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_vitals_dialog_update_actions));

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);
  gtk_editable_set_text (GTK_EDITABLE (self->taken_row), taken);
  gtk_widget_set_visible (self->head_row, under_three (patient->birth_date));
  gtk_widget_grab_focus (self->rows[FIELD_SYSTOLIC]);
  ch_vitals_dialog_update_actions (self);

  return GTK_WIDGET (self);
}

gboolean
ch_vitals_dialog_get_busy (ChVitalsDialog *self)
{
  g_return_val_if_fail (CH_IS_VITALS_DIALOG (self), FALSE);

  return self->busy;
}

gboolean
ch_vitals_dialog_get_imperial (ChVitalsDialog *self)
{
  g_return_val_if_fail (CH_IS_VITALS_DIALOG (self), FALSE);

  return self->imperial;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_vitals_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_IMPERIAL:
      g_value_set_boolean (value, self->imperial);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_vitals_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_IMPERIAL:
      ch_vitals_dialog_set_imperial (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
ch_vitals_dialog_close_request (GtkWindow *window)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (window);

  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_vitals_dialog_parent_class)->close_request (window);
}

static void
ch_vitals_dialog_dispose (GObject *object)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_VITALS_DIALOG);

  G_OBJECT_CLASS (ch_vitals_dialog_parent_class)->dispose (object);
}

static void
ch_vitals_dialog_finalize (GObject *object)
{
  ChVitalsDialog *self = CH_VITALS_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);

  G_OBJECT_CLASS (ch_vitals_dialog_parent_class)->finalize (object);
}

static void
ch_vitals_dialog_class_init (ChVitalsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_vitals_dialog_dispose;
  object_class->finalize = ch_vitals_dialog_finalize;
  object_class->get_property = ch_vitals_dialog_get_property;
  object_class->set_property = ch_vitals_dialog_set_property;
  window_class->close_request = ch_vitals_dialog_close_request;

  /**
   * ChVitalsDialog:imperial:
   *
   * Whether values are typed in pounds, inches and degrees Fahrenheit.
   * Changing it converts what is typed.
   */
  properties[PROP_IMPERIAL] =
    g_param_spec_boolean ("imperial", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChVitalsDialog::saved:
   *
   * The signs are recorded; the dialog closes right after.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-vitals-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, taken_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, systolic_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, diastolic_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, pulse_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, respiration_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, spo2_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, temperature_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, pain_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, height_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, weight_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, head_row);
  gtk_widget_class_bind_template_child (widget_class, ChVitalsDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "vitals.save", NULL, save_activated);
  gtk_widget_class_install_property_action (widget_class, "vitals.imperial", "imperial");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "vitals.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_vitals_dialog_init (ChVitalsDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows[FIELD_SYSTOLIC] = self->systolic_row;
  self->rows[FIELD_DIASTOLIC] = self->diastolic_row;
  self->rows[FIELD_PULSE] = self->pulse_row;
  self->rows[FIELD_RESPIRATION] = self->respiration_row;
  self->rows[FIELD_SPO2] = self->spo2_row;
  self->rows[FIELD_TEMPERATURE] = self->temperature_row;
  self->rows[FIELD_PAIN] = self->pain_row;
  self->rows[FIELD_HEIGHT] = self->height_row;
  self->rows[FIELD_WEIGHT] = self->weight_row;
  self->rows[FIELD_HEAD] = self->head_row;
  ch_vitals_dialog_update_titles (self);
}
