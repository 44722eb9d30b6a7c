/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-report"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ch-report.h"

/* How many categories a chart's description reads out. */
#define DESCRIBE_CATEGORIES 40

typedef struct
{
  char               *name;
  ChReportColumnKind  kind;
} Column;

struct _ChReport
{
  GObject        parent_instance;

  char          *title;
  char          *subtitle;
  GArray        *columns;  /* (element-type Column) */
  GPtrArray     *rows;     /* (element-type GPtrArray of GVariant, NULL for empty cells) */
  GArray        *patients; /* (element-type gint64) per row, 0 for none; as long as rows */
  GPtrArray     *details;  /* (element-type ChReport) (nullable items) per row */
  GArray        *detail_sources;  /* (element-type DetailSource) (nullable) per row */
  ChReportChart *chart;
};

/* A detail made when it is first asked for. */
typedef struct
{
  ChReportDetailFunc func;
  gpointer           user_data;
  GDestroyNotify     destroy;
} DetailSource;

static void
detail_source_clear (DetailSource *source)
{
  if (source->destroy != NULL)
    source->destroy (source->user_data);
  memset (source, 0, sizeof *source);
}

G_DEFINE_FINAL_TYPE (ChReport, ch_report, G_TYPE_OBJECT)

static void
object_unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
series_free (gpointer data)
{
  ChReportSeries *series = data;

  g_free (series->name);
  g_array_unref (series->values);
  g_free (series);
}

ChReportChart *
ch_report_chart_new (ChReportChartKind    kind,
                     ChReportValueFormat  format,
                     const char          *x_title,
                     const char          *y_title)
{
  ChReportChart *chart = g_new0 (ChReportChart, 1);

  chart->kind = kind;
  chart->format = format;
  chart->x_title = g_strdup (x_title);
  chart->y_title = g_strdup (y_title);
  chart->categories = g_ptr_array_new_with_free_func (g_free);
  chart->series = g_ptr_array_new_with_free_func (series_free);
  return chart;
}

void
ch_report_chart_free (ChReportChart *chart)
{
  if (chart == NULL)
    return;
  g_free (chart->x_title);
  g_free (chart->y_title);
  g_ptr_array_unref (chart->categories);
  g_ptr_array_unref (chart->series);
  g_free (chart);
}

void
ch_report_chart_add_category (ChReportChart *chart,
                              const char    *category)
{
  g_return_if_fail (chart != NULL);
  g_return_if_fail (category != NULL);

  g_ptr_array_add (chart->categories, g_strdup (category));
}

void
ch_report_chart_add_series (ChReportChart *chart,
                            const char    *name,
                            const double  *values,
                            guint          n_values)
{
  ChReportSeries *series;

  g_return_if_fail (chart != NULL);
  g_return_if_fail (n_values == 0 || values != NULL);

  series = g_new0 (ChReportSeries, 1);
  series->name = g_strdup (name ? name : "");
  series->values = g_array_sized_new (FALSE, FALSE, sizeof (double), chart->categories->len);
  for (guint i = 0; i < chart->categories->len; i++)
    {
      /* A short series reads as missing values, never as memory past its end. */
      double value = i < n_values ? values[i] : NAN;

      g_array_append_val (series->values, value);
    }
  g_ptr_array_add (chart->series, series);
}

gboolean
ch_report_chart_has_data (const ChReportChart *chart)
{
  if (chart == NULL || chart->kind == CH_REPORT_CHART_NONE || chart->categories->len == 0)
    return FALSE;
  for (guint s = 0; s < chart->series->len; s++)
    {
      ChReportSeries *series = g_ptr_array_index (chart->series, s);

      for (guint i = 0; i < series->values->len; i++)
        if (isfinite (g_array_index (series->values, double, i)))
          return TRUE;
    }
  return FALSE;
}

/* Groups of three digits: 1234567 → "1,234,567". */
static void
append_grouped (GString *out,
                guint64  whole)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, whole);
  gsize len = strlen (digits);
  /* TRANSLATORS: the thousands separator in numbers and money: "1,234" */
  const char *separator = C_("number", ",");

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
}

char *
ch_report_format_value (ChReportValueFormat format,
                        double              value,
                        gboolean            whole_units)
{
  g_autoptr (GString) number = g_string_new (NULL);
  gboolean negative;

  if (!isfinite (value))
    return g_strdup ("");

  switch (format)
    {
    case CH_REPORT_VALUE_MONEY:
      {
        gint64 cents = (gint64) llround (value);

        negative = cents < 0;
        if (whole_units)
          append_grouped (number, (guint64) llabs (llround ((double) cents / 100.0)));
        else
          {
            append_grouped (number, (guint64) (llabs (cents) / 100));
            /* TRANSLATORS: the decimal mark in money: "$1,234.56" */
            g_string_append_printf (number, "%s%02d", C_("number", "."), (int) (llabs (cents) % 100));
          }
        if (negative && strcmp (number->str, "0") != 0)
          /* TRANSLATORS: a negative amount of money; %s is the amount without sign, "1,234.56" */
          return g_strdup_printf (_("−$%s"), number->str);
        /* TRANSLATORS: an amount of money; %s is the amount, "1,234.56" */
        return g_strdup_printf (_("$%s"), number->str);
      }

    case CH_REPORT_VALUE_PERCENT:
      {
        double rounded = round (value * 10.0) / 10.0;
        g_autofree char *text = NULL;

        /* Whole percentages read better without ".0"; tenths where they matter. */
        if (whole_units || rounded == round (rounded))
          text = g_strdup_printf ("%.0f", round (value) == 0 ? 0.0 : round (value));
        else
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.1f", rounded));
            g_strdelimit (text, ".", C_("number", ".")[0]);
          }
        /* TRANSLATORS: a percentage; %s is the number, "12.5" */
        return g_strdup_printf (_("%s %%"), text);
      }

    case CH_REPORT_VALUE_INTEGER:
    default:
      {
        gint64 whole = (gint64) llround (value);

        if (whole < 0)
          g_string_append (number, "−");
        append_grouped (number, (guint64) llabs (whole));
        return g_string_free (g_steal_pointer (&number), FALSE);
      }
    }
}

char *
ch_report_format_cents_plain (gint64 cents)
{
  guint64 magnitude = cents < 0 ? (guint64) (-(cents + 1)) + 1 : (guint64) cents;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", cents < 0 ? "-" : "",
                          magnitude / 100, (guint) (magnitude % 100));
}

static const char *
chart_kind_name (ChReportChartKind kind)
{
  switch (kind)
    {
    case CH_REPORT_CHART_BARS:
      return _("Bar chart");
    case CH_REPORT_CHART_GROUPED_BARS:
      return _("Grouped bar chart");
    case CH_REPORT_CHART_STACKED_BARS:
      return _("Stacked bar chart");
    case CH_REPORT_CHART_LINES:
      return _("Line chart");
    case CH_REPORT_CHART_NONE:
    default:
      return _("Chart");
    }
}

char *
ch_report_chart_describe (const ChReportChart *chart)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint n_shown;

  if (!ch_report_chart_has_data (chart))
    return g_strdup (_("No data to chart."));

  {
    const char *kind = chart_kind_name (chart->kind);
    gboolean has_y = chart->y_title != NULL && *chart->y_title != '\0';
    gboolean has_x = chart->x_title != NULL && *chart->x_title != '\0';

    if (has_y && has_x)
      /* TRANSLATORS: a chart for screen readers: kind, values, categories; "Bar chart of Visits by Month" */
      g_string_append_printf (text, _("%s of %s by %s"), kind, chart->y_title, chart->x_title);
    else if (has_y)
      /* TRANSLATORS: a chart for screen readers: kind, values; "Bar chart of Visits" */
      g_string_append_printf (text, _("%s of %s"), kind, chart->y_title);
    else if (has_x)
      /* TRANSLATORS: a chart for screen readers: kind, categories; "Bar chart by Month" */
      g_string_append_printf (text, _("%s by %s"), kind, chart->x_title);
    else
      g_string_append (text, kind);
  }
  g_string_append (text, ". ");

  /* Past a screenful the reader would rather have the table. */
  n_shown = MIN (chart->categories->len, DESCRIBE_CATEGORIES);
  for (guint i = 0; i < n_shown; i++)
    {
      g_string_append_printf (text, "%s: ", (const char *) g_ptr_array_index (chart->categories, i));
      for (guint s = 0; s < chart->series->len; s++)
        {
          ChReportSeries *series = g_ptr_array_index (chart->series, s);
          double value = g_array_index (series->values, double, i);
          g_autofree char *shown = isfinite (value)
                                   ? ch_report_format_value (chart->format, value, FALSE)
                                   : g_strdup (_("no value"));

          if (s > 0)
            g_string_append (text, ", ");
          if (chart->series->len > 1 && *series->name != '\0')
            g_string_append_printf (text, "%s %s", series->name, shown);
          else
            g_string_append (text, shown);
        }
      g_string_append (text, i + 1 < n_shown ? "; " : ".");
    }
  if (n_shown < chart->categories->len)
    {
      guint more = chart->categories->len - n_shown;

      g_string_append_c (text, ' ');
      /* TRANSLATORS: after the first categories of a long chart, for screen readers */
      g_string_append_printf (text, ngettext ("And %u more category.", "And %u more categories.", more),
                              more);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
ch_report_finalize (GObject *object)
{
  ChReport *self = CH_REPORT (object);

  g_free (self->title);
  g_free (self->subtitle);
  for (guint i = 0; i < self->columns->len; i++)
    g_free (g_array_index (self->columns, Column, i).name);
  g_array_unref (self->columns);
  g_ptr_array_unref (self->rows);
  g_array_unref (self->patients);
  g_ptr_array_unref (self->details);
  if (self->detail_sources != NULL)
    {
      for (guint i = 0; i < self->detail_sources->len; i++)
        detail_source_clear (&g_array_index (self->detail_sources, DetailSource, i));
      g_array_unref (self->detail_sources);
    }
  ch_report_chart_free (self->chart);

  G_OBJECT_CLASS (ch_report_parent_class)->finalize (object);
}

static void
ch_report_class_init (ChReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ch_report_finalize;
}

static void
ch_report_init (ChReport *self)
{
  self->columns = g_array_new (FALSE, FALSE, sizeof (Column));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->patients = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->details = g_ptr_array_new_with_free_func (object_unref_nullable);
}

/**
 * ch_report_new:
 * @title: what the report is, "Appointments by provider"
 * @subtitle: (nullable): its period and filters, "1 March – 31 March 2026, all providers"
 *
 * Returns: (transfer full): an empty report with no columns and no chart
 */
ChReport *
ch_report_new (const char *title,
               const char *subtitle)
{
  ChReport *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (CH_TYPE_REPORT, NULL);
  self->title = g_strdup (title);
  self->subtitle = g_strdup (subtitle ? subtitle : "");
  return self;
}

const char *
ch_report_get_title (ChReport *self)
{
  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  return self->title;
}

const char *
ch_report_get_subtitle (ChReport *self)
{
  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  return self->subtitle;
}

guint
ch_report_add_column (ChReport           *self,
                      const char         *name,
                      ChReportColumnKind  kind)
{
  Column column = { g_strdup (name), kind };

  g_return_val_if_fail (CH_IS_REPORT (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  /* Rows are checked against the columns, so the columns come first. */
  g_return_val_if_fail (self->rows->len == 0, 0);

  g_array_append_val (self->columns, column);
  return self->columns->len - 1;
}

guint
ch_report_get_n_columns (ChReport *self)
{
  g_return_val_if_fail (CH_IS_REPORT (self), 0);
  return self->columns->len;
}

const char *
ch_report_get_column_name (ChReport *self,
                           guint     column)
{
  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return g_array_index (self->columns, Column, column).name;
}

ChReportColumnKind
ch_report_get_column_kind (ChReport *self,
                           guint     column)
{
  g_return_val_if_fail (CH_IS_REPORT (self), CH_REPORT_COLUMN_TEXT);
  g_return_val_if_fail (column < self->columns->len, CH_REPORT_COLUMN_TEXT);
  return g_array_index (self->columns, Column, column).kind;
}

static const GVariantType *
kind_type (ChReportColumnKind kind)
{
  switch (kind)
    {
    case CH_REPORT_COLUMN_INTEGER:
    case CH_REPORT_COLUMN_MONEY:
      return G_VARIANT_TYPE_INT64;
    case CH_REPORT_COLUMN_PERCENT:
      return G_VARIANT_TYPE_DOUBLE;
    case CH_REPORT_COLUMN_TEXT:
    case CH_REPORT_COLUMN_DATE:
    default:
      return G_VARIANT_TYPE_STRING;
    }
}

/* Empty cells are NULL, which g_variant_unref() refuses. */
static void
variant_clear (gpointer data)
{
  if (data != NULL)
    g_variant_unref (data);
}

void
ch_report_append_row (ChReport         *self,
                      GVariant * const *cells)
{
  GPtrArray *row;

  g_return_if_fail (CH_IS_REPORT (self));
  g_return_if_fail (cells != NULL || self->columns->len == 0);

  row = g_ptr_array_new_full (self->columns->len, variant_clear);
  for (guint i = 0; i < self->columns->len; i++)
    {
      GVariant *cell = cells[i];

      if (cell != NULL && !g_variant_is_of_type (cell, kind_type (ch_report_get_column_kind (self, i))))
        {
          g_critical ("Report “%s”, column %u: a cell of type %s", self->title, i,
                      g_variant_get_type_string (cell));
          g_variant_unref (g_variant_ref_sink (cell));
          cell = NULL;
        }
      g_ptr_array_add (row, cell ? g_variant_ref_sink (cell) : NULL);
    }
  g_ptr_array_add (self->rows, row);
  g_array_set_size (self->patients, self->rows->len);
  g_ptr_array_add (self->details, NULL);
  if (self->detail_sources != NULL)
    g_array_set_size (self->detail_sources, self->rows->len);
}

/**
 * ch_report_set_row_patient:
 * @patient_id: the patient the row is about, or 0
 *
 * Ties a row to a patient, so that the table can open their chart. The
 * exports do not write it: a report names patients in its cells.
 */
void
ch_report_set_row_patient (ChReport *self,
                           guint     row,
                           gint64    patient_id)
{
  g_return_if_fail (CH_IS_REPORT (self));
  g_return_if_fail (row < self->rows->len);
  g_array_index (self->patients, gint64, row) = patient_id;
}

gint64
ch_report_get_row_patient (ChReport *self,
                           guint     row)
{
  g_return_val_if_fail (CH_IS_REPORT (self), 0);
  g_return_val_if_fail (row < self->rows->len, 0);
  return g_array_index (self->patients, gint64, row);
}

/**
 * ch_report_set_row_detail:
 * @detail: (transfer full) (nullable): what is behind the row
 *
 * Gives a row a report of its own: a quality measure's patients, the
 * entries an ageing bucket adds up. The table shows it when the row is
 * activated.
 */
void
ch_report_set_row_detail (ChReport *self,
                          guint     row,
                          ChReport *detail)
{
  g_return_if_fail (CH_IS_REPORT (self));
  g_return_if_fail (row < self->rows->len);
  g_return_if_fail (detail == NULL || CH_IS_REPORT (detail));
  g_clear_object (&g_ptr_array_index (self->details, row));
  g_ptr_array_index (self->details, row) = detail;
  if (self->detail_sources != NULL)
    detail_source_clear (&g_array_index (self->detail_sources, DetailSource, row));
}

/**
 * ch_report_set_row_detail_func:
 * @func: makes the row's detail (transfer full, nullable) when it is first
 *   asked for
 * @destroy: (nullable): frees @user_data, once the detail is made or the
 *   report is gone
 *
 * A row's detail made on demand: a quality measure has tens of thousands
 * of patients behind it on a large practice, and the office manager looks
 * at one measure's list, not all six.
 */
void
ch_report_set_row_detail_func (ChReport           *self,
                               guint               row,
                               ChReportDetailFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  DetailSource *source;

  g_return_if_fail (CH_IS_REPORT (self));
  g_return_if_fail (row < self->rows->len);
  g_return_if_fail (func != NULL);

  ch_report_set_row_detail (self, row, NULL);
  if (self->detail_sources == NULL)
    {
      self->detail_sources = g_array_new (FALSE, TRUE, sizeof (DetailSource));
      g_array_set_size (self->detail_sources, self->rows->len);
    }
  source = &g_array_index (self->detail_sources, DetailSource, row);
  source->func = func;
  source->user_data = user_data;
  source->destroy = destroy;
}

gboolean
ch_report_has_row_detail (ChReport *self,
                          guint     row)
{
  g_return_val_if_fail (CH_IS_REPORT (self), FALSE);
  g_return_val_if_fail (row < self->rows->len, FALSE);
  return g_ptr_array_index (self->details, row) != NULL
         || (self->detail_sources != NULL
             && g_array_index (self->detail_sources, DetailSource, row).func != NULL);
}

/* A detail still to be made is made now, on the calling thread. */
ChReport *
ch_report_get_row_detail (ChReport *self,
                          guint     row)
{
  DetailSource *source;

  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);

  if (g_ptr_array_index (self->details, row) == NULL && self->detail_sources != NULL)
    {
      source = &g_array_index (self->detail_sources, DetailSource, row);
      if (source->func != NULL)
        {
          g_ptr_array_index (self->details, row) = source->func (source->user_data);
          detail_source_clear (source);
        }
    }
  return g_ptr_array_index (self->details, row);
}

guint
ch_report_get_n_rows (ChReport *self)
{
  g_return_val_if_fail (CH_IS_REPORT (self), 0);
  return self->rows->len;
}

GVariant *
ch_report_get_cell (ChReport *self,
                    guint     row,
                    guint     column)
{
  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return g_ptr_array_index ((GPtrArray *) g_ptr_array_index (self->rows, row), column);
}

char *
ch_report_format_cell (ChReport *self,
                       guint     row,
                       guint     column)
{
  GVariant *cell = ch_report_get_cell (self, row, column);

  if (cell == NULL)
    return g_strdup ("");

  switch (ch_report_get_column_kind (self, column))
    {
    case CH_REPORT_COLUMN_INTEGER:
      return ch_report_format_value (CH_REPORT_VALUE_INTEGER, (double) g_variant_get_int64 (cell), FALSE);
    case CH_REPORT_COLUMN_MONEY:
      return ch_report_format_value (CH_REPORT_VALUE_MONEY, (double) g_variant_get_int64 (cell), FALSE);
    case CH_REPORT_COLUMN_PERCENT:
      return ch_report_format_value (CH_REPORT_VALUE_PERCENT, g_variant_get_double (cell), FALSE);
    case CH_REPORT_COLUMN_TEXT:
    case CH_REPORT_COLUMN_DATE:
    default:
      return g_variant_dup_string (cell, NULL);
    }
}

void
ch_report_set_chart (ChReport      *self,
                     ChReportChart *chart)
{
  g_return_if_fail (CH_IS_REPORT (self));

  ch_report_chart_free (self->chart);
  self->chart = chart;
}

const ChReportChart *
ch_report_get_chart (ChReport *self)
{
  g_return_val_if_fail (CH_IS_REPORT (self), NULL);
  return self->chart;
}
