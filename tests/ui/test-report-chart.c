/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-report-chart"

#include "config.h"

#include <math.h>

#include "ch-report-chart.h"
#include "ch-report-chart-view.h"
#include "ch-ui-test-util.h"

/* The report chart view in a real window: it tells screen readers the
 * report's title and what the chart shows, follows a new report, and draws
 * the chart's bars on screen (read back from the window's own renderer). */

static ChReport *
make_report (const char *title,
             double      adams,
             double      baker)
{
  ChReport *report = ch_report_new (title, "March 2026");
  ChReportChart *chart = ch_report_chart_new (CH_REPORT_CHART_BARS, CH_REPORT_VALUE_INTEGER, "Provider",
                                              "Visits");
  double values[] = { adams, baker };

  ch_report_chart_add_category (chart, "Dr. Adams");
  ch_report_chart_add_category (chart, "Dr. Baker");
  ch_report_chart_add_series (chart, "Visits", values, 2);
  ch_report_set_chart (report, chart);
  return report;
}

/* Pixels of the first series' colour in each half of the view as shown;
 * FALSE while a redraw is pending and the view has no picture yet. */
static gboolean
count_bars (GtkWidget *view,
            guint     *left,
            guint     *right)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (view);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (view));
  int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);
  double r, g, b;
  guint32 want;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, width * 4);

  ch_report_chart_series_color (0, &r, &g, &b);
  want = 0xff000000 | (guint32) lround (r * 255) << 16 | (guint32) lround (g * 255) << 8 | (guint32) lround (b * 255);
  *left = *right = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (pixels[y * width + x] == want)
        {
          if (x < width / 2)
            (*left)++;
          else
            (*right)++;
        }
  return TRUE;
}

static void
test_chart_view (void)
{
  g_autoptr (ChReport) report = make_report ("Visits by provider", 10, 30);
  g_autoptr (ChReport) other = make_report ("Visits in April", 25, 0);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *view = ch_report_chart_view_new ();
  guint left, right;

  g_object_ref (view);
  ch_report_chart_view_set_report (CH_REPORT_CHART_VIEW (view), report);
  gtk_window_set_default_size (window, 600, 360);
  gtk_window_set_child (window, view);
  gtk_window_present (window);
  CH_UI_TEST_WAIT (gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 300);

  g_assert_true (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (view)) == GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Visits by provider");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Bar chart of Visits by Provider. Dr. Adams: 10; Dr. Baker: 30.");

  /* Dr. Baker's bar is three times Dr. Adams's on screen too. */
  CH_UI_TEST_WAIT (count_bars (view, &left, &right));
  g_test_message ("bars: %u and %u pixels", left, right);
  g_assert_cmpuint (left, >, 500);
  g_assert_cmpfloat (fabs ((double) right / left - 3.0), <, 0.3);

  /* A new report: a new description and a new picture. */
  ch_report_chart_view_set_report (CH_REPORT_CHART_VIEW (view), other);
  g_assert_true (ch_report_chart_view_get_report (CH_REPORT_CHART_VIEW (view)) == other);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Visits in April");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Bar chart of Visits by Provider. Dr. Adams: 25; Dr. Baker: 0.");
  CH_UI_TEST_WAIT (count_bars (view, &left, &right));
  g_assert_cmpuint (left, >, 500);
  g_assert_cmpuint (right, ==, 0);

  /* No report: said so, and nothing drawn in the series' colour. */
  ch_report_chart_view_set_report (CH_REPORT_CHART_VIEW (view), NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "No data to chart.");
  CH_UI_TEST_WAIT (count_bars (view, &left, &right));
  g_assert_cmpuint (left + right, ==, 0);

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
  /* The view let go of the reports. */
  g_assert_cmpuint (G_OBJECT (report)->ref_count, ==, 1);
  g_assert_cmpuint (G_OBJECT (other)->ref_count, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add_func ("/report-chart/view", test_chart_view);

  return g_test_run ();
}
