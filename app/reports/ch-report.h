/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The result of a report, with no database behind it: a title, a subtitle
 * naming the period and the filters, typed columns, rows of cells and a
 * chart spec. Reports fill one; the chart, the exports and the chart view
 * only read it.
 *
 * A cell is a GVariant (or NULL for an empty cell) whose type follows its
 * column's kind:
 *   TEXT     "s"
 *   INTEGER  "x"
 *   MONEY    "x"  cents, so that sums stay exact
 *   PERCENT  "d"  in percent: 12.5 is 12.5 %
 *   DATE     "s"  ISO 8601, "2026-03-01"
 * ch_report_append_row() checks the types. */

typedef enum
{
  CH_REPORT_COLUMN_TEXT,
  CH_REPORT_COLUMN_INTEGER,
  CH_REPORT_COLUMN_MONEY,
  CH_REPORT_COLUMN_PERCENT,
  CH_REPORT_COLUMN_DATE,
} ChReportColumnKind;

typedef enum
{
  CH_REPORT_CHART_NONE,
  CH_REPORT_CHART_BARS,          /* one series, one bar per category */
  CH_REPORT_CHART_GROUPED_BARS,  /* the series side by side in each category */
  CH_REPORT_CHART_STACKED_BARS,  /* the series on top of each other */
  CH_REPORT_CHART_LINES,         /* one line per series across the categories */
} ChReportChartKind;

/* How a chart's values read: as counts, as money (cents) or as percent. */
typedef enum
{
  CH_REPORT_VALUE_INTEGER,
  CH_REPORT_VALUE_MONEY,
  CH_REPORT_VALUE_PERCENT,
} ChReportValueFormat;

typedef struct
{
  char   *name;
  GArray *values;   /* (element-type double) one per category; NAN for none */
} ChReportSeries;

/* A plain struct: the chart code reads its fields directly. */
typedef struct
{
  ChReportChartKind    kind;
  ChReportValueFormat  format;
  char                *x_title;     /* (nullable) */
  char                *y_title;     /* (nullable) */
  GPtrArray           *categories;  /* (element-type utf8) */
  GPtrArray           *series;      /* (element-type ChReportSeries) */
} ChReportChart;

/* An empty chart: add the categories, then the series.
 * Returns: (transfer full), freed with ch_report_chart_free() */
ChReportChart  *ch_report_chart_new           (ChReportChartKind    kind,
                                               ChReportValueFormat  format,
                                               const char          *x_title,
                                               const char          *y_title);
void            ch_report_chart_free          (ChReportChart       *chart);
void            ch_report_chart_add_category  (ChReportChart       *chart,
                                               const char          *category);
/* Adds a series; @values holds one value per category added so far. */
void            ch_report_chart_add_series    (ChReportChart       *chart,
                                               const char          *name,
                                               const double        *values,
                                               guint                n_values);
/* Whether there is anything to draw: a category with a value. */
gboolean        ch_report_chart_has_data      (const ChReportChart *chart);
/* A sentence or two for screen readers: the kind, the series, each
 * category's values. Returns: (transfer full) */
char           *ch_report_chart_describe      (const ChReportChart *chart);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChReportChart, ch_report_chart_free)

/* Values as people read them: money "$1,234.56" (or "$1,234" when
 * @whole_units), percent "12.5 %", integers "1,234". Returns: (transfer full) */
char           *ch_report_format_value        (ChReportValueFormat  format,
                                               double               value,
                                               gboolean             whole_units);
/* Cents as a plain decimal for files: -1234 → "-12.34". Returns: (transfer full) */
char           *ch_report_format_cents_plain  (gint64               cents);

#define CH_TYPE_REPORT (ch_report_get_type ())
G_DECLARE_FINAL_TYPE (ChReport, ch_report, CH, REPORT, GObject)

ChReport           *ch_report_new              (const char         *title,
                                                const char         *subtitle);
const char         *ch_report_get_title        (ChReport           *self);
const char         *ch_report_get_subtitle     (ChReport           *self);
guint               ch_report_add_column       (ChReport           *self,
                                                const char         *name,
                                                ChReportColumnKind  kind);
guint               ch_report_get_n_columns    (ChReport           *self);
const char         *ch_report_get_column_name  (ChReport           *self,
                                                guint               column);
ChReportColumnKind  ch_report_get_column_kind  (ChReport           *self,
                                                guint               column);
/* Appends a row of ch_report_get_n_columns() cells, each NULL or of its
 * column's type; floating references are sunk. */
void                ch_report_append_row       (ChReport           *self,
                                                GVariant * const   *cells);
guint               ch_report_get_n_rows       (ChReport           *self);
/* Returns: (transfer none) (nullable) */
GVariant           *ch_report_get_cell         (ChReport           *self,
                                                guint               row,
                                                guint               column);
/* A cell as shown in the table: money "$1,234.56", percent "12.5 %", dates
 * as written; "" when empty. Returns: (transfer full) */
char               *ch_report_format_cell      (ChReport           *self,
                                                guint               row,
                                                guint               column);
/* A row about one patient (0: none), whose chart the table can open. */
void                ch_report_set_row_patient  (ChReport           *self,
                                                guint               row,
                                                gint64              patient_id);
gint64              ch_report_get_row_patient  (ChReport           *self,
                                                guint               row);
/* A report behind a row (a measure's patients …): takes @detail
 * (transfer full, nullable). */
void                ch_report_set_row_detail   (ChReport           *self,
                                                guint               row,
                                                ChReport           *detail);
/* Returns: (transfer full) (nullable): a row's detail */
typedef ChReport *(*ChReportDetailFunc) (gpointer user_data);
void                ch_report_set_row_detail_func (ChReport           *self,
                                                   guint               row,
                                                   ChReportDetailFunc  func,
                                                   gpointer            user_data,
                                                   GDestroyNotify      destroy);
gboolean            ch_report_has_row_detail   (ChReport           *self,
                                                guint               row);
/* Makes a detail set by ch_report_set_row_detail_func() the first time.
 * Returns: (transfer none) (nullable) */
ChReport           *ch_report_get_row_detail   (ChReport           *self,
                                                guint               row);
/* Takes @chart (transfer full, nullable). */
void                ch_report_set_chart        (ChReport           *self,
                                                ChReportChart      *chart);
/* Returns: (transfer none) (nullable) */
const ChReportChart *ch_report_get_chart       (ChReport           *self);

G_END_DECLS
