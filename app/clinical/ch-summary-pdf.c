/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-summary-pdf"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdio.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-growth.h"
#include "ch-pdf-doc.h"
#include "ch-plot.h"
#include "ch-summary-pdf.h"

#define PAGE_WIDTH   CH_PDF_PAGE_WIDTH
#define PAGE_HEIGHT  CH_PDF_PAGE_HEIGHT
#define MARGIN       CH_PDF_MARGIN
#define BODY_WIDTH   CH_PDF_BODY_WIDTH
#define BODY_BOTTOM  CH_PDF_BODY_BOTTOM
#define BODY_SIZE    CH_PDF_BODY_SIZE
#define SMALL_SIZE   CH_PDF_SMALL_SIZE
#define PLOT_HEIGHT  190.0
#define GROWTH_HEIGHT 260.0

#define DAY_USEC ((gint64) G_USEC_PER_SEC * 86400)

/* ---- dates and numbers -------------------------------------------------------------- */

static char *
format_date (GDateTime *date)
{
  /* TRANSLATORS: a date on the patient summary (g_date_time_format), "12 Apr 2024" */
  return g_date_time_format (date, _("%-d %b %Y"));
}

static GDateTime *
parse_iso_date (const char *text)
{
  int y, m, d;
  char extra;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3
      || !g_date_valid_dmy (d, m, y))
    return NULL;
  return g_date_time_new_local (y, m, d, 0, 0, 0);
}

static char *
iso_date_text (const char *text)
{
  g_autoptr (GDateTime) date = parse_iso_date (text);

  if (date == NULL)
    return g_strdup (text ? text : "");
  return format_date (date);
}

static char *
time_text (gint64 usec)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return date != NULL ? format_date (date) : g_strdup ("");
}

/* A value with no more decimals than it has. */
static char *
number_text (double value)
{
  int decimals = fabs (value - round (value)) < 1e-9 ? 0
                 : fabs (value * 10 - round (value * 10)) < 1e-9 ? 1 : 2;

  return g_strdup_printf ("%.*f", decimals, value);
}

static char *
with_unit (const char *value,
           const char *unit)
{
  const char *label = ch_plot_unit_label (unit);

  if (label == NULL || *label == '\0')
    return g_strdup (value);
  if (g_str_equal (label, "%") || g_str_has_prefix (label, "°") || *label == '/')
    return g_strconcat (value, label, NULL);
  return g_strconcat (value, " ", label, NULL);
}

/* Whole months and years between two days. */
static int
months_between (GDate *from,
                GDate *to)
{
  int months = (g_date_get_year (to) - g_date_get_year (from)) * 12
               + (int) g_date_get_month (to) - (int) g_date_get_month (from);

  if (g_date_get_day (to) < g_date_get_day (from))
    months--;
  return months;
}

static char *
age_text (const char *birth_date,
          GDateTime  *now)
{
  g_autoptr (GDateTime) born = parse_iso_date (birth_date);
  GDate from, to;
  int months;

  if (born == NULL)
    return NULL;
  g_date_clear (&from, 1);
  g_date_clear (&to, 1);
  g_date_set_dmy (&from, g_date_time_get_day_of_month (born), g_date_time_get_month (born),
                  g_date_time_get_year (born));
  g_date_set_dmy (&to, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  months = months_between (&from, &to);
  if (months < 0)
    return NULL;
  if (months < 24)
    return g_strdup_printf (ngettext ("%d month", "%d months", months), months);
  return g_strdup_printf (ngettext ("%d year", "%d years", months / 12), months / 12);
}

typedef struct
{
  GPtrArray *cells;  /* (element-type utf8) */
  gboolean   alert;  /* abnormal: in red */
} Row;

static void
row_free (Row *row)
{
  g_ptr_array_unref (row->cells);
  g_free (row);
}

static Row *
add_row (GPtrArray *rows,
         gboolean   alert,
         ...)
{
  Row *row = g_new0 (Row, 1);
  va_list args;

  row->cells = g_ptr_array_new_with_free_func (g_free);
  row->alert = alert;
  va_start (args, alert);
  for (char *cell = va_arg (args, char *); cell != NULL; cell = va_arg (args, char *))
    g_ptr_array_add (row->cells, cell);
  va_end (args);
  g_ptr_array_add (rows, row);
  return row;
}

/* A table of @n columns (@widths fractions of the body's width), its header
 * repeated on every page it runs onto. */
static void
doc_table (ChPdfDoc               *doc,
           guint              n,
           const double      *widths,
           const char *const *header,
           GPtrArray         *rows)
{
  const double gap = 8;
  double header_h = 0;

  for (guint c = 0; c < n; c++)
    header_h = MAX (header_h, ch_pdf_doc_layout (doc, header[c], SMALL_SIZE, TRUE,
                                          widths[c] * BODY_WIDTH - gap));

  for (guint r = 0; r < rows->len; r++)
    {
      Row *row = rows->pdata[r];
      double row_h = 0, x = MARGIN;
      gboolean first_on_page = r == 0;

      for (guint c = 0; c < n && c < row->cells->len; c++)
        row_h = MAX (row_h, ch_pdf_doc_layout (doc, row->cells->pdata[c], BODY_SIZE, FALSE,
                                        widths[c] * BODY_WIDTH - gap));

      if (doc->y + row_h + 4 > BODY_BOTTOM && doc->y > MARGIN)
        {
          ch_pdf_doc_new_page (doc);
          first_on_page = TRUE;
        }
      if (first_on_page)
        {
          double hx = MARGIN;

          for (guint c = 0; c < n; c++)
            {
              ch_pdf_doc_draw (doc, header[c], SMALL_SIZE, TRUE, &ch_pdf_muted, hx, doc->y,
                        widths[c] * BODY_WIDTH - gap);
              hx += widths[c] * BODY_WIDTH;
            }
          doc->y += header_h + 2;
          ch_pdf_doc_rule (doc, doc->y, &ch_pdf_rule, 0.5);
          doc->y += 3;
        }

      for (guint c = 0; c < n && c < row->cells->len; c++)
        {
          ch_pdf_doc_draw (doc, row->cells->pdata[c], BODY_SIZE, row->alert && c == n - 1,
                    row->alert ? &ch_pdf_alert : &ch_pdf_ink, x, doc->y, widths[c] * BODY_WIDTH - gap);
          x += widths[c] * BODY_WIDTH;
        }
      doc->y += row_h + 4;
    }
}

/* ---- the sections ------------------------------------------------------------------- */

static const char *
sex_label (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return _("Female");
  if (g_strcmp0 (sex, "male") == 0)
    return _("Male");
  if (g_strcmp0 (sex, "other") == 0)
    return _("Other");
  return _("Unknown");
}

static void
write_demographics (ChPdfDoc             *doc,
                    ChPatientRecord *patient,
                    GDateTime       *now)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autofree char *name = ch_patient_record_display_name (patient);
  g_autofree char *born = iso_date_text (patient->birth_date);
  g_autofree char *age = age_text (patient->birth_date, now);
  static const double widths[] = { 0.28, 0.72 };
  const char *header[] = { _("About you"), "" };

  add_row (rows, FALSE, g_strdup (_("Name")), g_strdup (name), NULL);
  if (patient->birth_date != NULL)
    add_row (rows, FALSE, g_strdup (_("Date of birth")),
             age != NULL ? g_strdup_printf ("%s (%s)", born, age) : g_strdup (born), NULL);
  add_row (rows, FALSE, g_strdup (_("Sex at birth")), g_strdup (sex_label (patient->sex)), NULL);
  add_row (rows, FALSE, g_strdup (_("Medical record number")), g_strdup (patient->mrn), NULL);
  doc->y += 6;
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
}

static void
write_problems (ChPdfDoc            *doc,
                ChChartSummary *summary)
{
  g_autoptr (GPtrArray) active = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr (GPtrArray) past = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.75, 0.25 };
  static const double past_widths[] = { 0.6, 0.2, 0.2 };
  const char *header[] = { _("Problem"), _("Since") };
  const char *past_header[] = { _("Problem"), _("Since"), _("Resolved") };

  for (guint i = 0; i < summary->problems->len; i++)
    {
      ChChartItem *item = summary->problems->pdata[i];

      if (g_strcmp0 (item->clinical_status, "resolved") == 0)
        add_row (past, FALSE, g_strdup (item->display), iso_date_text (item->start_date),
                 iso_date_text (item->end_date), NULL);
      else
        add_row (active, FALSE, g_strdup (item->display), iso_date_text (item->start_date), NULL);
    }

  ch_pdf_doc_heading (doc, _("Health problems"));
  if (active->len == 0)
    ch_pdf_doc_paragraph (doc, _("No current health problems recorded."), BODY_SIZE, &ch_pdf_ink);
  else
    doc_table (doc, G_N_ELEMENTS (widths), widths, header, active);

  if (past->len > 0)
    {
      ch_pdf_doc_heading (doc, _("Past health problems"));
      doc_table (doc, G_N_ELEMENTS (past_widths), past_widths, past_header, past);
    }
}

static void
write_allergies (ChPdfDoc            *doc,
                 ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.4, 0.4, 0.2 };
  const char *header[] = { _("Allergic to"), _("Reaction"), _("Severity") };

  ch_pdf_doc_heading (doc, _("Allergies"));
  if (summary->allergies->len == 0)
    {
      const char *text =
        summary->no_known_allergies
          ? _("No known allergies")
          : _("No allergies recorded. Tell your care team about any allergy you have.");

      ch_pdf_doc_paragraph (doc, text, BODY_SIZE, &ch_pdf_ink);
      return;
    }

  for (guint i = 0; i < summary->allergies->len; i++)
    {
      ChChartItem *item = summary->allergies->pdata[i];
      const char *severity = g_strcmp0 (item->severity, "severe") == 0     ? _("Severe")
                             : g_strcmp0 (item->severity, "moderate") == 0 ? _("Moderate")
                             : g_strcmp0 (item->severity, "mild") == 0     ? _("Mild")
                                                                          : "";

      add_row (rows, g_strcmp0 (item->severity, "severe") == 0, g_strdup (item->display),
               g_strdup (item->reaction ? item->reaction : ""), g_strdup (severity), NULL);
    }
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
}

static void
write_medications (ChPdfDoc            *doc,
                   ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.45, 0.35, 0.2 };
  const char *header[] = { _("Medication"), _("How to take it"), _("Since") };

  ch_pdf_doc_heading (doc, _("Current medications"));
  if (summary->medications->len == 0)
    {
      ch_pdf_doc_paragraph (doc, _("No current medications recorded."), BODY_SIZE, &ch_pdf_ink);
      return;
    }

  for (guint i = 0; i < summary->medications->len; i++)
    {
      ChChartItem *item = summary->medications->pdata[i];
      const char *dose = ch_chart_item_get_detail (item, "dose");

      add_row (rows, FALSE, g_strdup (item->display), g_strdup (dose ? dose : ""),
               iso_date_text (item->start_date), NULL);
    }
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
}

static void
write_immunizations (ChPdfDoc            *doc,
                     ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.55, 0.2, 0.25 };
  const char *header[] = { _("Vaccine"), _("Date"), _("Status") };

  ch_pdf_doc_heading (doc, _("Immunizations"));
  if (summary->immunizations->len == 0)
    {
      ch_pdf_doc_paragraph (doc, _("No immunizations recorded."), BODY_SIZE, &ch_pdf_ink);
      return;
    }

  for (guint i = 0; i < summary->immunizations->len; i++)
    {
      ChChartItem *item = summary->immunizations->pdata[i];
      const char *status = _("Given");

      if (g_strcmp0 (item->clinical_status, "refused") == 0)
        status = _("Declined");
      else if (g_strcmp0 (item->clinical_status, "historical") == 0)
        status = _("Given elsewhere");

      add_row (rows, FALSE,
               g_strdup (item->display && *item->display ? item->display : item->code),
               iso_date_text (item->start_date), g_strdup (status), NULL);
    }
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
}

static const char *
flag_label (const char *flag)
{
  if (g_strcmp0 (flag, "H") == 0)
    return _("High");
  if (g_strcmp0 (flag, "L") == 0)
    return _("Low");
  if (g_strcmp0 (flag, "HH") == 0)
    return _("Very high");
  if (g_strcmp0 (flag, "LL") == 0)
    return _("Very low");
  if (g_strcmp0 (flag, "A") == 0)
    return _("Abnormal");
  return "";
}

static void
write_results (ChPdfDoc            *doc,
               ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.36, 0.18, 0.16, 0.18, 0.12 };
  const char *header[] = { _("Test"), _("Result"), _("Normal range"), _("Date"), _("Flag") };
  gboolean any_flag = FALSE;

  ch_pdf_doc_heading (doc, _("Recent test results"));
  if (summary->recent_results->len == 0)
    {
      ch_pdf_doc_paragraph (doc, _("No test results recorded."), BODY_SIZE, &ch_pdf_ink);
      return;
    }

  for (guint i = 0; i < summary->recent_results->len; i++)
    {
      ChChartItem *item = summary->recent_results->pdata[i];
      const char *flag = flag_label (item->flag);
      g_autofree char *value = item->has_value
                                 ? number_text (item->value_num)
                                 : g_strdup (item->value_text ? item->value_text : "");
      char *range = NULL;

      if (item->has_range)
        {
          g_autofree char *low = number_text (item->ref_low);
          g_autofree char *high = number_text (item->ref_high);

          /* TRANSLATORS: a normal range with no lower limit, "up to 99" */
          range = item->ref_low == 0 ? g_strdup_printf (_("up to %s"), high)
                                     : g_strdup_printf ("%s–%s", low, high);
        }
      any_flag |= *flag != '\0';
      add_row (rows, *flag != '\0',
               g_strdup (item->display && *item->display ? item->display : item->code),
               with_unit (value, item->unit), range ? range : g_strdup (""),
               time_text (item->effective_at), g_strdup (flag), NULL);
    }
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
  if (any_flag)
    ch_pdf_doc_paragraph (doc,
                   _("Results outside the normal range are marked. Your care team will "
                     "explain what they mean for you."),
                   SMALL_SIZE, &ch_pdf_muted);
}

static const char *
vital_label (const char *code)
{
  static const struct
  {
    const char *code;
    const char *label;
  } labels[] = {
    { CH_LOINC_SYSTOLIC, N_("Systolic blood pressure") },
    { CH_LOINC_DIASTOLIC, N_("Diastolic blood pressure") },
    { CH_LOINC_PULSE, N_("Pulse") },
    { CH_LOINC_TEMPERATURE, N_("Temperature") },
    { CH_LOINC_RESPIRATION, N_("Breathing rate") },
    { CH_LOINC_SPO2, N_("Oxygen saturation") },
    { CH_LOINC_HEIGHT, N_("Height") },
    { CH_LOINC_WEIGHT, N_("Weight") },
    { CH_LOINC_BMI, N_("Body mass index (BMI)") },
    { CH_LOINC_HEAD, N_("Head circumference") },
    { CH_LOINC_PAIN, N_("Pain (0–10)") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (code, labels[i].code) == 0)
      return _(labels[i].label);
  return code;
}

static char *
vital_value (const ChChartItem *item)
{
  gboolean whole = g_strcmp0 (item->code, CH_LOINC_SYSTOLIC) == 0
                   || g_strcmp0 (item->code, CH_LOINC_DIASTOLIC) == 0
                   || g_strcmp0 (item->code, CH_LOINC_PULSE) == 0
                   || g_strcmp0 (item->code, CH_LOINC_RESPIRATION) == 0
                   || g_strcmp0 (item->code, CH_LOINC_SPO2) == 0
                   || g_strcmp0 (item->code, CH_LOINC_PAIN) == 0;
  g_autofree char *number = g_strdup_printf ("%.*f", whole ? 0 : 1, item->value_num);

  return with_unit (number, item->unit);
}

static void
write_vitals (ChPdfDoc            *doc,
              ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  static const double widths[] = { 0.45, 0.3, 0.25 };
  const char *header[] = { _("Measurement"), _("Value"), _("Date") };
  const ChChartItem *systolic = NULL, *diastolic = NULL;

  ch_pdf_doc_heading (doc, _("Latest measurements"));
  if (summary->vitals->len == 0)
    {
      ch_pdf_doc_paragraph (doc, _("No measurements recorded."), BODY_SIZE, &ch_pdf_ink);
      return;
    }

  for (guint i = 0; i < summary->vitals->len; i++)
    {
      const ChChartItem *item = ((ChVitalSummary *) summary->vitals->pdata[i])->latest;

      if (g_strcmp0 (item->code, CH_LOINC_SYSTOLIC) == 0)
        systolic = item;
      else if (g_strcmp0 (item->code, CH_LOINC_DIASTOLIC) == 0)
        diastolic = item;
    }

  /* Blood pressure as people read it, 128/82, when both were taken together. */
  if (systolic != NULL && diastolic != NULL && systolic->effective_at == diastolic->effective_at)
    add_row (rows, FALSE, g_strdup (_("Blood pressure")),
             g_strdup_printf ("%.0f/%.0f %s", systolic->value_num, diastolic->value_num,
                              ch_plot_unit_label (systolic->unit)),
             time_text (systolic->effective_at), NULL);
  else
    systolic = diastolic = NULL;

  for (guint i = 0; i < summary->vitals->len; i++)
    {
      const ChChartItem *item = ((ChVitalSummary *) summary->vitals->pdata[i])->latest;

      if (item == systolic || item == diastolic || !item->has_value)
        continue;
      add_row (rows, FALSE, g_strdup (vital_label (item->code)), vital_value (item),
               time_text (item->effective_at), NULL);
    }
  doc_table (doc, G_N_ELEMENTS (widths), widths, header, rows);
}

static void
doc_plot_trend (ChPdfDoc                *doc,
                const char         *title,
                const char         *unit,
                const ChPlotSeries *series,
                guint               n_series,
                gboolean            shade)
{
  ch_pdf_doc_ensure (doc, PLOT_HEIGHT + 8);
  cairo_save (doc->cr);
  cairo_translate (doc->cr, MARGIN, doc->y);
  ch_plot_trend_series (doc->cr, BODY_WIDTH, PLOT_HEIGHT, title, unit, series, n_series, shade,
                        NULL);
  cairo_restore (doc->cr);
  doc->y += PLOT_HEIGHT + 8;
}

static gboolean
write_trends (ChPdfDoc             *doc,
              ChSession       *session,
              ChPatientRecord *patient,
              gboolean         adult,
              GError         **error)
{
  g_autoptr (GPtrArray) systolic = NULL;
  g_autoptr (GPtrArray) diastolic = NULL;
  g_autoptr (GPtrArray) weight = NULL;
  ChPlotSeries pressure[2];
  ChPlotSeries weights[1];

  systolic = ch_chart_series (session, patient->id, CH_SECTION_VITAL, CH_LOINC_SYSTOLIC, error);
  if (systolic == NULL)
    return FALSE;
  diastolic = ch_chart_series (session, patient->id, CH_SECTION_VITAL, CH_LOINC_DIASTOLIC, error);
  if (diastolic == NULL)
    return FALSE;
  weight = ch_chart_series (session, patient->id, CH_SECTION_VITAL, CH_LOINC_WEIGHT, error);
  if (weight == NULL)
    return FALSE;

  if (systolic->len == 0 && diastolic->len == 0 && weight->len == 0)
    return TRUE;

  /* The heading goes with the first plot. */
  ch_pdf_doc_ensure (doc, 60 + PLOT_HEIGHT + 8);
  ch_pdf_doc_heading (doc, _("Over time"));
  if (adult)
    ch_pdf_doc_paragraph (doc, _("The shaded band shows the usual range for adults."), SMALL_SIZE,
                   &ch_pdf_muted);
  pressure[0] = (ChPlotSeries) { _("Systolic"), systolic };
  pressure[1] = (ChPlotSeries) { _("Diastolic"), diastolic };
  /* The shaded bands are adults' normal values. */
  doc_plot_trend (doc, _("Blood pressure"), "mm[Hg]", pressure, 2, adult);
  weights[0] = (ChPlotSeries) { NULL, weight };
  doc_plot_trend (doc, _("Weight"), "kg", weights, 1, FALSE);
  return TRUE;
}

/* The months from birth to a measurement. */
static double
age_months_at (GDateTime *born,
               gint64     usec)
{
  g_autoptr (GDateTime) at = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  if (at == NULL)
    return NAN;
  return (double) g_date_time_difference (at, born) / DAY_USEC / (365.25 / 12.0);
}

static gboolean
add_growth_chart (ChPdfDoc             *doc,
                  ChSession       *session,
                  ChPatientRecord *patient,
                  GDateTime       *born,
                  ChGrowthMeasure  measure,
                  const char      *code,
                  GError         **error)
{
  g_autoptr (GPtrArray) series = ch_chart_series (session, patient->id, CH_SECTION_VITAL, code,
                                                  error);
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (ChGrowthPoint));

  if (series == NULL)
    return FALSE;
  for (guint i = 0; i < series->len; i++)
    {
      const ChChartItem *item = series->pdata[i];
      ChGrowthPoint point = { age_months_at (born, item->effective_at), item->value_num };

      if (item->has_value && isfinite (point.age_months) && point.age_months >= 0)
        g_array_append_val (points, point);
    }
  if (points->len == 0)
    return TRUE;

  ch_pdf_doc_ensure (doc, GROWTH_HEIGHT + 8);
  cairo_save (doc->cr);
  cairo_translate (doc->cr, MARGIN, doc->y);
  ch_plot_growth (doc->cr, BODY_WIDTH, GROWTH_HEIGHT, measure, patient->sex, points);
  cairo_restore (doc->cr);
  doc->y += GROWTH_HEIGHT + 8;
  return TRUE;
}

static gboolean
write_growth (ChPdfDoc             *doc,
              ChSession       *session,
              ChPatientRecord *patient,
              GDateTime       *now,
              GError         **error)
{
  g_autoptr (GDateTime) born = parse_iso_date (patient->birth_date);

  if (born == NULL
      || (g_strcmp0 (patient->sex, "male") != 0 && g_strcmp0 (patient->sex, "female") != 0)
      || age_months_at (born, g_date_time_to_unix (now) * G_USEC_PER_SEC) >= 240)
    return TRUE;

  ch_pdf_doc_ensure (doc, 70 + GROWTH_HEIGHT + 8);
  ch_pdf_doc_heading (doc, _("Growth"));
  ch_pdf_doc_paragraph (doc,
                 _("The lines show how children of the same age and sex grow (CDC growth "
                   "charts): half are above the 50th percentile line, half below."),
                 SMALL_SIZE, &ch_pdf_muted);
  return add_growth_chart (doc, session, patient, born, CH_GROWTH_WEIGHT_FOR_AGE, CH_LOINC_WEIGHT,
                           error)
         && add_growth_chart (doc, session, patient, born, CH_GROWTH_LENGTH_FOR_AGE,
                              CH_LOINC_HEIGHT, error);
}

/* ---- rendering ---------------------------------------------------------------------- */

static gboolean
render_document (ChPdfDoc             *doc,
                 ChSession       *session,
                 ChChartSummary  *summary,
                 GError         **error)
{
  ChPatientRecord *patient = summary->patient;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *practice = ch_session_get_practice_name (session);
  g_autofree char *printed = format_date (now);
  g_autofree char *printed_line = g_strdup_printf (_("Printed %s"), printed);
  g_autofree char *age = age_text (patient->birth_date, now);
  gboolean adult = TRUE;
  double h, w;
  int pw;

  {
    g_autoptr (GDateTime) born = parse_iso_date (patient->birth_date);

    if (born != NULL)
      adult = age_months_at (born, g_date_time_to_unix (now) * G_USEC_PER_SEC) >= 18 * 12;
  }

  /* Letterhead. */
  h = ch_pdf_doc_draw (doc, practice, 17, TRUE, &ch_pdf_ink, MARGIN, doc->y, BODY_WIDTH);
  doc->y += h + 2;
  ch_pdf_doc_layout (doc, printed_line, BODY_SIZE, FALSE, -1);
  pango_layout_get_size (doc->layout, &pw, NULL);
  w = (double) pw / PANGO_SCALE;
  h = ch_pdf_doc_draw (doc, _("Your health summary"), 12.5, FALSE, &ch_pdf_muted, MARGIN, doc->y,
                BODY_WIDTH - w - 10);
  ch_pdf_doc_draw (doc, printed_line, BODY_SIZE, FALSE, &ch_pdf_muted, PAGE_WIDTH - MARGIN - w, doc->y + 2, -1);
  doc->y += h + 4;
  ch_pdf_doc_rule (doc, doc->y, &ch_pdf_ink, 1.2);
  doc->y += 4;

  write_demographics (doc, patient, now);
  write_problems (doc, summary);
  write_allergies (doc, summary);
  write_medications (doc, summary);
  write_immunizations (doc, summary);
  write_results (doc, summary);
  write_vitals (doc, summary);
  if (!write_trends (doc, session, patient, adult, error)
      || (!adult && !write_growth (doc, session, patient, now, error)))
    return FALSE;

  doc->y += 10;
  ch_pdf_doc_paragraph (doc,
                 _("This summary is a copy of your health record for you to keep. If "
                   "something is missing or wrong, please tell your care team."),
                 SMALL_SIZE, &ch_pdf_muted);
  ch_pdf_doc_footer (doc);
  return TRUE;
}

/* Renders without auditing: the callers audit once the print-out exists. */
static GBytes *
render_pdf (ChSession *session,
            gint64     patient_id,
            char     **out_mrn,
            GError   **error)
{
  g_autoptr (ChChartSummary) summary = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *name = NULL;
  g_autofree char *footer = NULL;
  ChPdfDoc doc;
  gboolean ok;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  summary = ch_chart_open (session, patient_id, error);
  if (summary == NULL)
    return NULL;

  name = ch_patient_record_display_name (summary->patient);
  /* TRANSLATORS: the footer of each page: the patient's name and record number */
  footer = g_strdup_printf (_("%s · MRN %s"), name, summary->patient->mrn);
  ch_pdf_doc_begin (&doc, _("Health summary"), footer);
  ok = render_document (&doc, session, summary, error);
  pdf = ch_pdf_doc_finish (&doc, ok, error);
  if (pdf == NULL)
    return NULL;

  if (out_mrn != NULL)
    *out_mrn = g_strdup (summary->patient->mrn);
  return g_steal_pointer (&pdf);
}

static gboolean
audit_print (ChSession  *session,
             gint64      patient_id,
             const char *mrn,
             GError    **error)
{
  return ch_session_audit (session, CH_AUDIT_PRINT, "chart", mrn, patient_id, "summary PDF", error);
}

GBytes *
ch_summary_pdf_render (ChSession *session,
                       gint64     patient_id,
                       GError   **error)
{
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *mrn = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  pdf = render_pdf (session, patient_id, &mrn, error);
  if (pdf == NULL || !audit_print (session, patient_id, mrn, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_summary_pdf_write (ChSession  *session,
                      gint64      patient_id,
                      const char *path,
                      GError    **error)
{
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *mrn = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pdf = render_pdf (session, patient_id, &mrn, error);
  if (pdf == NULL)
    return FALSE;

  if (!ch_pdf_write_file (pdf, path, _("the summary"), error))
    return FALSE;

  /* No print-out exists that the audit does not know of. */
  if (!audit_print (session, patient_id, mrn, error))
    {
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}
