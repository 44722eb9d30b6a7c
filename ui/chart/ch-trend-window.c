/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-trend-window"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-plot.h"
#include "ch-trend-window.h"
#include "ch-ui.h"

/* One vital sign or lab test over time: the plot (ch_plot_trend(), the
 * normal range shaded) and the values, newest first. For a child's weight,
 * height, head circumference and BMI, the growth chart with its percentile
 * curves too. The values are read on a worker through the session gate. */

#define MAX_LISTED 30
#define DAYS_PER_MONTH 30.4375

struct _ChTrendWindow
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkWidget           *view_box;
  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *error_page;
  GtkDrawingArea      *plot_area;
  AdwPreferencesGroup *values_group;

  ChSession           *session;
  ChPatientRecord     *patient;
  char                *section;
  char                *code;
  char                *title;
  char                *unit;       /* UCUM, of the newest value */
  GPtrArray           *series;     /* (element-type ChChartItem) oldest first */
  GPtrArray           *diastolic;  /* (nullable): blood pressure's second series */
  GArray              *growth;     /* (nullable) (element-type ChGrowthPoint) */
  ChGrowthMeasure      measure;
  char                *view;       /* trend, growth */
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChTrendWindow, ch_trend_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_blood_pressure (ChTrendWindow *self)
{
  return g_strcmp0 (self->code, CH_TREND_BLOOD_PRESSURE) == 0;
}

static void
draw_plot (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  ChTrendWindow *self = CH_TREND_WINDOW (user_data);

  if (self->series == NULL)
    return;

  if (g_strcmp0 (self->view, "growth") == 0 && self->growth != NULL)
    {
      ch_plot_growth (cr, width, height, self->measure, self->patient->sex, self->growth);
      return;
    }

  if (is_blood_pressure (self))
    {
      ChPlotSeries series[] = {
        { _("Systolic"), self->series },
        { _("Diastolic"), self->diastolic },
      };

      ch_plot_trend_series (cr, width, height, self->title, "mm[Hg]", series,
                            G_N_ELEMENTS (series), TRUE, NULL);
      return;
    }

  ch_plot_trend (cr, width, height, self->title, self->unit, self->series, TRUE);
}

static void
ch_trend_window_set_view (ChTrendWindow *self,
                          const char    *view)
{
  if (g_strcmp0 (view, "growth") != 0)
    view = "trend";

  if (g_strcmp0 (self->view, view) == 0)
    return;

  g_free (self->view);
  self->view = g_strdup (view);
  gtk_widget_queue_draw (GTK_WIDGET (self->plot_area));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

/* ---- the values --------------------------------------------------------------- */

static const char *
flag_class (const char *flag)
{
  if (g_strcmp0 (flag, "HH") == 0 || g_strcmp0 (flag, "LL") == 0)
    return "error";
  if (ch_chart_ui_has_text (flag))
    return "warning";
  return NULL;
}

static void
ch_trend_window_fill_values (ChTrendWindow *self)
{
  guint n = self->series->len;
  guint listed = 0;

  for (guint i = n; i > 0 && listed < MAX_LISTED; i--, listed++)
    {
      const ChChartItem *item = g_ptr_array_index (self->series, i - 1);
      g_autofree char *when = ch_chart_ui_format_time (item->effective_at);
      g_autofree char *value = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label;
      const char *css = flag_class (item->flag);

      /* Blood pressure: the diastolic value taken with the systolic one. */
      if (is_blood_pressure (self))
        {
          g_autofree char *high = ch_chart_ui_format_number (item->value_num, 0);
          g_autofree char *low = g_strdup ("–");

          for (guint j = 0; self->diastolic != NULL && j < self->diastolic->len; j++)
            {
              const ChChartItem *other = g_ptr_array_index (self->diastolic, j);

              if (other->effective_at == item->effective_at)
                {
                  g_free (low);
                  low = ch_chart_ui_format_number (other->value_num, 0);
                }
            }
          value = g_strdup_printf ("%s/%s mmHg", high, low);
        }
      else
        value = ch_chart_ui_format_value (item);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when);
      gtk_widget_add_css_class (row, "chart-vital");

      label = gtk_label_new (value);
      gtk_widget_add_css_class (label, "chart-value");
      if (css != NULL)
        gtk_widget_add_css_class (label, css);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      if (css != NULL)
        {
          label = gtk_label_new (item->flag);
          gtk_widget_add_css_class (label, "chart-flag");
          gtk_widget_add_css_class (label, css);
          gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }

      adw_preferences_group_add (self->values_group, row);
    }

  if (n > listed)
    {
      /* Translators: how many values are not listed, and are only plotted */
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "The newest %u of %u values; the "
                                                            "plot shows them all.",
                                                            "The newest %u of %u values; the "
                                                            "plot shows them all.",
                                                            listed),
                                               listed, n);
      adw_preferences_group_set_description (self->values_group, more);
    }
  else if (n == 0)
    adw_preferences_group_set_description (self->values_group, _("No values recorded."));
}

/* The child's measurements by age, when the growth charts cover them. */
static void
ch_trend_window_find_growth (ChTrendWindow *self)
{
  g_autoptr(GDateTime) birth = NULL;
  int y, m, d;

  if (g_strcmp0 (self->section, CH_SECTION_VITAL) != 0 ||
      (g_strcmp0 (self->patient->sex, "female") != 0 &&
       g_strcmp0 (self->patient->sex, "male") != 0) ||
      self->patient->birth_date == NULL ||
      sscanf (self->patient->birth_date, "%d-%d-%d", &y, &m, &d) != 3)
    return;

  if (g_strcmp0 (self->code, CH_LOINC_WEIGHT) == 0)
    self->measure = CH_GROWTH_WEIGHT_FOR_AGE;
  else if (g_strcmp0 (self->code, CH_LOINC_HEIGHT) == 0)
    self->measure = CH_GROWTH_LENGTH_FOR_AGE;
  else if (g_strcmp0 (self->code, CH_LOINC_HEAD) == 0)
    self->measure = CH_GROWTH_HEAD_FOR_AGE;
  else if (g_strcmp0 (self->code, CH_LOINC_BMI) == 0)
    self->measure = CH_GROWTH_BMI_FOR_AGE;
  else
    return;

  birth = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (birth == NULL)
    return;

  for (guint i = 0; i < self->series->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (self->series, i);
      ChGrowthPoint point;
      double min_age, max_age;
      gboolean covered;

      point.age_months = (double) (item->effective_at / G_USEC_PER_SEC -
                                   g_date_time_to_unix (birth)) / 86400.0 / DAYS_PER_MONTH;
      point.value = item->value_num;

      covered = FALSE;
      for (ChGrowthChart c = CH_GROWTH_CHART_INFANT; c <= CH_GROWTH_CHART_CHILD; c++)
        covered |= ch_growth_chart_range (self->measure, c, &min_age, &max_age) &&
                   point.age_months >= min_age && point.age_months <= max_age;
      if (!covered)
        continue;

      if (self->growth == NULL)
        self->growth = g_array_new (FALSE, FALSE, sizeof (ChGrowthPoint));
      g_array_append_val (self->growth, point);
    }
}

/* ---- loading -------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  char      *section;
  char      *code;
  GPtrArray *series;
  GPtrArray *diastolic;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->session);
  g_clear_pointer (&load->series, g_ptr_array_unref);
  g_clear_pointer (&load->diastolic, g_ptr_array_unref);
  g_free (load->section);
  g_free (load->code);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;
  gboolean pressure = g_strcmp0 (load->code, CH_TREND_BLOOD_PRESSURE) == 0;

  load->series = ch_chart_series (load->session, load->patient_id, load->section,
                                  pressure ? CH_LOINC_SYSTOLIC : load->code, &error);
  if (load->series != NULL && pressure)
    load->diastolic = ch_chart_series (load->session, load->patient_id, load->section,
                                       CH_LOINC_DIASTOLIC, &error);

  if (load->series == NULL || (pressure && load->diastolic == NULL))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChTrendWindow *self = CH_TREND_WINDOW (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  self->series = g_steal_pointer (&load->series);
  self->diastolic = g_steal_pointer (&load->diastolic);
  if (self->series->len > 0)
    {
      const ChChartItem *newest = g_ptr_array_index (self->series, self->series->len - 1);

      self->unit = g_strdup (newest->unit);
    }

  ch_trend_window_find_growth (self);
  gtk_widget_set_visible (self->view_box, self->growth != NULL);
  ch_trend_window_set_view (self, self->growth != NULL ? "growth" : "trend");

  ch_trend_window_fill_values (self);
  ch_ui_stack_show (self->stack, "plot");
  gtk_widget_queue_draw (GTK_WIDGET (self->plot_area));
}

/**
 * ch_trend_window_new:
 * @parent: (nullable): the window to stay on top of
 * @session: a session that may read the chart, with no worker using it
 * @patient: whose values
 * @section: %CH_SECTION_VITAL or %CH_SECTION_LAB
 * @code: the LOINC code, or %CH_TREND_BLOOD_PRESSURE
 * @title: what is plotted, as people call it
 *
 * Returns: (transfer none): a new window, not yet shown
 */
GtkWidget *
ch_trend_window_new (GtkWindow             *parent,
                     ChSession             *session,
                     const ChPatientRecord *patient,
                     const char            *section,
                     const char            *code,
                     const char            *title)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  ChTrendWindow *self;
  Load *load;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (!ch_ui_session_is_busy (session), NULL);

  self = g_object_new (CH_TYPE_TREND_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  self->section = g_strdup (section);
  self->code = g_strdup (code);
  self->title = g_strdup (title);

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), title);

  load = g_new0 (Load, 1);
  load->session = g_object_ref (session);
  load->patient_id = patient->id;
  load->section = g_strdup (section);
  load->code = g_strdup (code);

  self->busy = TRUE;
  gtk_spinner_set_spinning (self->spinner, TRUE);
  ch_ui_stack_show (self->stack, "loading");

  task = ch_ui_session_task_new (session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_trend_window_new);
  g_task_set_task_data (task, load, load_free);
  ch_ui_session_run_task (task, load_thread);

  return GTK_WIDGET (self);
}

gboolean
ch_trend_window_get_busy (ChTrendWindow *self)
{
  g_return_val_if_fail (CH_IS_TREND_WINDOW (self), FALSE);

  return self->busy;
}

/* Returns: how many values are plotted */
guint
ch_trend_window_get_n_values (ChTrendWindow *self)
{
  g_return_val_if_fail (CH_IS_TREND_WINDOW (self), 0);

  return self->series != NULL ? self->series->len : 0;
}

/* Returns: whether a growth chart is offered */
gboolean
ch_trend_window_has_growth (ChTrendWindow *self)
{
  g_return_val_if_fail (CH_IS_TREND_WINDOW (self), FALSE);

  return self->growth != NULL;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_trend_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ChTrendWindow *self = CH_TREND_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_string (value, self->view);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_trend_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ChTrendWindow *self = CH_TREND_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      ch_trend_window_set_view (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
ch_trend_window_close_request (GtkWindow *window)
{
  ChTrendWindow *self = CH_TREND_WINDOW (window);

  /* The worker is the session's only user until it returns. */
  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (ch_trend_window_parent_class)->close_request (window);
}

static void
ch_trend_window_dispose (GObject *object)
{
  ChTrendWindow *self = CH_TREND_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_TREND_WINDOW);

  G_OBJECT_CLASS (ch_trend_window_parent_class)->dispose (object);
}

static void
ch_trend_window_finalize (GObject *object)
{
  ChTrendWindow *self = CH_TREND_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->diastolic, g_ptr_array_unref);
  g_clear_pointer (&self->growth, g_array_unref);
  g_free (self->section);
  g_free (self->code);
  g_free (self->title);
  g_free (self->unit);
  g_free (self->view);

  G_OBJECT_CLASS (ch_trend_window_parent_class)->finalize (object);
}

static void
ch_trend_window_class_init (ChTrendWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_trend_window_dispose;
  object_class->finalize = ch_trend_window_finalize;
  object_class->get_property = ch_trend_window_get_property;
  object_class->set_property = ch_trend_window_set_property;
  window_class->close_request = ch_trend_window_close_request;

  /**
   * ChTrendWindow:view:
   *
   * "trend" for the values over time, "growth" for the growth chart.
   */
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL,
                         "trend",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-trend-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, view_box);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, plot_area);
  gtk_widget_class_bind_template_child (widget_class, ChTrendWindow, values_group);

  gtk_widget_class_install_property_action (widget_class, "trend.view", "view");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_trend_window_init (ChTrendWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->view = g_strdup ("trend");

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->plot_area, draw_plot, self, NULL);
}
