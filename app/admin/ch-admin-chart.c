/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-chart"

#include "config.h"

#include <string.h>

#include "ch-admin-chart.h"
#include "ch-notes.h"

/**
 * ch_admin_chart_load:
 *
 * Opens the patient's chart (which audits the view) and lists the notes.
 * The summary's trend of 0 means "same as before" or "nothing before"; a
 * sign with a 0 trend is looked up once more to tell which.
 *
 * Returns: (transfer full): the chart, or %NULL with @error set (as
 *   ch_chart_open() and ch_notes_list() set it)
 */
ChAdminChart *
ch_admin_chart_load (ChSession *session,
                     gint64     patient_id,
                     GError   **error)
{
  g_autoptr (ChAdminChart) chart = g_new0 (ChAdminChart, 1);
  GPtrArray *vitals;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  chart->summary = ch_chart_open (session, patient_id, error);
  if (chart->summary == NULL)
    return NULL;

  vitals = chart->summary->vitals;
  chart->trend_known = g_new0 (gboolean, vitals->len + 1);
  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);
      g_autoptr (GPtrArray) series = NULL;

      if (vital->trend != 0)
        {
          chart->trend_known[i] = TRUE;
          continue;
        }
      series = ch_chart_series (session, patient_id, CH_SECTION_VITAL, vital->latest->code,
                                error);
      if (series == NULL)
        return NULL;
      chart->trend_known[i] = series->len > 1;
    }

  chart->notes = ch_notes_list (session, patient_id, error);
  if (chart->notes == NULL)
    return NULL;

  return g_steal_pointer (&chart);
}

void
ch_admin_chart_free (ChAdminChart *chart)
{
  if (chart == NULL)
    return;
  g_clear_pointer (&chart->summary, ch_chart_summary_free);
  g_clear_pointer (&chart->trend_known, g_free);
  g_clear_pointer (&chart->notes, g_ptr_array_unref);
  g_free (chart);
}

/* Returns: (transfer full): @value with at most @max_decimals decimals and
 * no trailing zeros, in the locale's notation: 120, 36.8, 1.25 */
char *
ch_admin_format_number (double value,
                        int    max_decimals)
{
  char *text = g_strdup_printf ("%.*f", max_decimals, value);
  gsize len = strlen (text);

  if (max_decimals > 0)
    {
      while (len > 0 && text[len - 1] == '0')
        text[--len] = '\0';
      /* The locale's decimal separator, whatever it is. */
      if (len > 0 && !g_ascii_isdigit (text[len - 1]))
        text[--len] = '\0';
    }
  if (g_str_equal (text, "-0"))
    {
      g_free (text);
      text = g_strdup ("0");
    }
  return text;
}

static GDateTime *
date_time_from_usec (gint64   usec,
                     gboolean utc)
{
  gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0);

  return utc ? g_date_time_new_from_unix_utc (seconds) : g_date_time_new_from_unix_local (seconds);
}

/* Returns: (transfer full) (nullable): @usec (since the epoch) as ISO 8601
 * in UTC to the second, "2024-05-17T08:30:00Z"; %NULL for 0 (not known) */
char *
ch_admin_format_utc (gint64 usec)
{
  g_autoptr (GDateTime) moment = NULL;

  if (usec == 0)
    return NULL;
  moment = date_time_from_usec (usec, TRUE);
  return moment != NULL ? g_date_time_format (moment, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* Returns: (transfer full) (nullable): the local date of @usec, "2024-05-17";
 * %NULL for 0 (not known) */
char *
ch_admin_format_date (gint64 usec)
{
  g_autoptr (GDateTime) moment = NULL;

  if (usec == 0)
    return NULL;
  moment = date_time_from_usec (usec, FALSE);
  return moment != NULL ? g_date_time_format (moment, "%Y-%m-%d") : NULL;
}

/* A UCUM unit as people write it: mm[Hg] is mmHg, Cel is °C. */
const char *
ch_admin_unit_text (const char *ucum)
{
  static const struct
  {
    const char *ucum;
    const char *text;
  } units[] = {
    { "mm[Hg]", "mmHg" },
    { "Cel", "°C" },
    { "[degF]", "°F" },
    { "kg/m2", "kg/m²" },
    { "[lb_av]", "lb" },
    { "[in_i]", "in" },
    { "{score}", "/10" },
  };

  if (ucum == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (ucum, units[i].ucum))
      return units[i].text;
  return ucum;
}
