/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-report-chart-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-report-chart.h"
#include "ch-report-chart-view.h"

/* A report's chart on screen. It draws through ch-report-chart, the same
 * code as the PDF, so the screen and the paper agree; and it tells screen
 * readers what the chart shows, as a picture of numbers is otherwise mute.
 * It is a plain drawing widget with nothing inside, so it has no template. */

struct _ChReportChartView
{
  GtkWidget  parent_instance;

  ChReport  *report;
};

G_DEFINE_FINAL_TYPE (ChReportChartView, ch_report_chart_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_accessible (ChReportChartView *self)
{
  const ChReportChart *chart = self->report ? ch_report_get_chart (self->report) : NULL;
  g_autofree char *description = ch_report_chart_describe (chart);
  const char *label = self->report ? ch_report_get_title (self->report) : _("Report chart");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
ch_report_chart_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  ChReportChartView *self = CH_REPORT_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  ch_report_chart_draw (cr, width, height, self->report ? ch_report_get_chart (self->report) : NULL,
                        NULL);
  cairo_destroy (cr);
}

static void
ch_report_chart_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  /* Below this the labels crowd out the bars. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 560;
    }
  else
    {
      *minimum = 180;
      *natural = 320;
    }
}

static void
ch_report_chart_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ChReportChartView *self = CH_REPORT_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_report_chart_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ChReportChartView *self = CH_REPORT_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      ch_report_chart_view_set_report (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_report_chart_view_dispose (GObject *object)
{
  ChReportChartView *self = CH_REPORT_CHART_VIEW (object);

  g_clear_object (&self->report);

  G_OBJECT_CLASS (ch_report_chart_view_parent_class)->dispose (object);
}

static void
ch_report_chart_view_class_init (ChReportChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ch_report_chart_view_get_property;
  object_class->set_property = ch_report_chart_view_set_property;
  object_class->dispose = ch_report_chart_view_dispose;
  widget_class->snapshot = ch_report_chart_view_snapshot;
  widget_class->measure = ch_report_chart_view_measure;

  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL, CH_TYPE_REPORT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "reportchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ch_report_chart_view_init (ChReportChartView *self)
{
  update_accessible (self);
}

GtkWidget *
ch_report_chart_view_new (void)
{
  return g_object_new (CH_TYPE_REPORT_CHART_VIEW, NULL);
}

ChReport *
ch_report_chart_view_get_report (ChReportChartView *self)
{
  g_return_val_if_fail (CH_IS_REPORT_CHART_VIEW (self), NULL);
  return self->report;
}

/* The report is read, never changed: reports are built whole and then shown. */
void
ch_report_chart_view_set_report (ChReportChartView *self,
                                 ChReport          *report)
{
  g_return_if_fail (CH_IS_REPORT_CHART_VIEW (self));
  g_return_if_fail (report == NULL || CH_IS_REPORT (report));

  if (!g_set_object (&self->report, report))
    return;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
}
