/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-refdata.h"
#include "ch-ui.h"

typedef ChUiChoice Entry;

static const Entry problem_statuses[] = {
  { "active", "problem", NC_("problem", "Active") },
  { "resolved", "problem", NC_("problem", "Resolved") },
  { NULL }
};

static const Entry allergy_kinds[] = {
  { "drug", "allergy", NC_("allergy", "Drug") },
  { "food", "allergy", NC_("allergy", "Food") },
  { "environment", "allergy", NC_("allergy", "Environment") },
  { "other", "allergy", NC_("allergy", "Other") },
  { NULL }
};

static const Entry severities[] = {
  { "", "severity", NC_("severity", "Not recorded") },
  { "mild", "severity", NC_("severity", "Mild") },
  { "moderate", "severity", NC_("severity", "Moderate") },
  { "severe", "severity", NC_("severity", "Severe") },
  { NULL }
};

static const Entry allergy_statuses[] = {
  { "active", "allergy", NC_("allergy", "Active") },
  { "inactive", "allergy", NC_("allergy", "Inactive") },
  { NULL }
};

static const Entry medication_statuses[] = {
  { "active", "medication", NC_("medication", "Current") },
  { "stopped", "medication", NC_("medication", "Stopped") },
  { NULL }
};

static const Entry history_kinds[] = {
  { "medical", "history", NC_("history", "Medical") },
  { "surgical", "history", NC_("history", "Surgical") },
  { "family", "history", NC_("history", "Family") },
  { "social", "history", NC_("history", "Social") },
  { NULL }
};

static const Entry immunization_statuses[] = {
  { "given", "immunization", NC_("immunization", "Given") },
  { "refused", "immunization", NC_("immunization", "Refused") },
  { "historical", "immunization", NC_("immunization", "Historical (given elsewhere)") },
  { NULL }
};

static const Entry encounter_kinds[] = {
  { "office", "encounter", NC_("encounter", "Office visit") },
  { "telephone", "encounter", NC_("encounter", "Telephone") },
  { "video", "encounter", NC_("encounter", "Video visit") },
  { "home", "encounter", NC_("encounter", "Home visit") },
  { "urgent", "encounter", NC_("encounter", "Urgent visit") },
  { "other", "encounter", NC_("encounter", "Other") },
  { NULL }
};

static const Entry *
entries (ChChartUiChoice choice)
{
  switch (choice)
    {
    case CH_CHART_UI_PROBLEM_STATUS:
      return problem_statuses;
    case CH_CHART_UI_ALLERGY_KIND:
      return allergy_kinds;
    case CH_CHART_UI_SEVERITY:
      return severities;
    case CH_CHART_UI_ALLERGY_STATUS:
      return allergy_statuses;
    case CH_CHART_UI_MEDICATION_STATUS:
      return medication_statuses;
    case CH_CHART_UI_HISTORY_KIND:
      return history_kinds;
    case CH_CHART_UI_IMMUNIZATION_STATUS:
      return immunization_statuses;
    case CH_CHART_UI_ENCOUNTER_KIND:
      return encounter_kinds;
    default:
      g_return_val_if_reached (problem_statuses);
    }
}

/* Returns: (transfer full): the labels of @choice, for a drop-down */
GtkStringList *
ch_chart_ui_model (ChChartUiChoice choice)
{
  return ch_ui_choice_model (entries (choice));
}

/* Returns: the code at @position of the drop-down, or %NULL */
const char *
ch_chart_ui_code (ChChartUiChoice choice,
                  guint           position)
{
  return ch_ui_choice_code (entries (choice), position);
}

/* Returns: the position of @code in the drop-down, or @fallback */
guint
ch_chart_ui_find (ChChartUiChoice  choice,
                  const char      *code,
                  guint            fallback)
{
  return ch_ui_choice_find (entries (choice), (code != NULL ? code : ""), fallback);
}

/* Returns: the label of @code, or @code itself when it is not one of the
 * list (an import may hold another) */
const char *
ch_chart_ui_label (ChChartUiChoice  choice,
                   const char      *code)
{
  return ch_ui_choice_label (entries (choice), code);
}

/* Returns: what a section of the chart is called, in the singular */
const char *
ch_chart_ui_section_title (const char *section)
{
  if (g_strcmp0 (section, CH_SECTION_PROBLEM) == 0)
    return _("Problem");
  if (g_strcmp0 (section, CH_SECTION_HISTORY) == 0)
    return _("History Entry");
  if (g_strcmp0 (section, CH_SECTION_ALLERGY) == 0)
    return _("Allergy");
  if (g_strcmp0 (section, CH_SECTION_MEDICATION) == 0)
    return _("Medication");
  if (g_strcmp0 (section, CH_SECTION_IMMUNIZATION) == 0)
    return _("Immunization");
  if (g_strcmp0 (section, CH_SECTION_VITAL) == 0)
    return _("Vital Sign");
  if (g_strcmp0 (section, CH_SECTION_LAB) == 0)
    return _("Lab Result");
  return section != NULL ? section : "";
}

const char *
ch_chart_ui_vital_name (const char *code)
{
  static const struct
  {
    const char *code;
    const char *name;
  } names[] = {
    { CH_LOINC_SYSTOLIC, N_("Systolic pressure") },
    { CH_LOINC_DIASTOLIC, N_("Diastolic pressure") },
    { CH_LOINC_PULSE, N_("Pulse") },
    { CH_LOINC_TEMPERATURE, N_("Temperature") },
    { CH_LOINC_RESPIRATION, N_("Respiratory rate") },
    { CH_LOINC_SPO2, N_("SpO₂") },
    { CH_LOINC_HEIGHT, N_("Height") },
    { CH_LOINC_WEIGHT, N_("Weight") },
    { CH_LOINC_BMI, N_("BMI") },
    { CH_LOINC_HEAD, N_("Head circumference") },
    { CH_LOINC_PAIN, N_("Pain") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].code, code) == 0)
      return _(names[i].name);

  return code != NULL ? code : "";
}

/* Returns: how many decimals a vital sign is written with */
int
ch_chart_ui_vital_decimals (const char *code)
{
  if (g_strcmp0 (code, CH_LOINC_TEMPERATURE) == 0 || g_strcmp0 (code, CH_LOINC_HEIGHT) == 0 ||
      g_strcmp0 (code, CH_LOINC_WEIGHT) == 0 || g_strcmp0 (code, CH_LOINC_BMI) == 0 ||
      g_strcmp0 (code, CH_LOINC_HEAD) == 0)
    return 1;

  return 0;
}

/* Returns: the name of a vaccine group of the shipped schedule */
const char *
ch_chart_ui_vaccine_group (const char *group)
{
  return ch_refdata_vaccine_group_name (group);
}

/* A UCUM unit as people write it: mm[Hg] is mmHg, Cel is °C. */
const char *
ch_chart_ui_unit_text (const char *ucum)
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

/* Returns: ↑ for higher than the time before, ↓ for lower, → for the same */
const char *
ch_chart_ui_trend_arrow (int trend)
{
  return trend > 0 ? "↑" : trend < 0 ? "↓" : "→";
}

/* Returns: (transfer full): @value with at most @max_decimals decimals and
 * no trailing zeros: 120, 36.8, 1.25 */
char *
ch_chart_ui_format_number (double value,
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

/* Returns: (transfer full): a result's or sign's value with its unit */
char *
ch_chart_ui_format_value (const ChChartItem *item)
{
  g_autofree char *number = NULL;
  const char *unit;

  if (!item->has_value)
    return g_strdup (item->value_text != NULL ? item->value_text : "");

  number = ch_chart_ui_format_number (item->value_num,
                                      g_strcmp0 (item->section, CH_SECTION_VITAL) == 0
                                      ? ch_chart_ui_vital_decimals (item->code) : 2);
  unit = ch_chart_ui_unit_text (item->unit);
  if (*unit == '\0')
    return g_steal_pointer (&number);
  if (g_str_equal (unit, "%") || g_str_equal (unit, "/10"))
    return g_strconcat (number, unit, NULL);

  return g_strdup_printf ("%s %s", number, unit);
}

static GDateTime *
local_time (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0);

  return g_date_time_new_from_unix_local (seconds);
}

/* Returns: (transfer full): the local date of @usec, "2024-05-17" */
char *
ch_chart_ui_format_date (gint64 usec)
{
  g_autoptr(GDateTime) moment = usec != 0 ? local_time (usec) : NULL;

  return moment != NULL ? g_date_time_format (moment, "%Y-%m-%d") : g_strdup ("");
}

/* Returns: (transfer full): the local date and time of @usec */
char *
ch_chart_ui_format_time (gint64 usec)
{
  g_autoptr(GDateTime) moment = usec != 0 ? local_time (usec) : NULL;

  return moment != NULL ? g_date_time_format (moment, "%Y-%m-%d %H:%M") : g_strdup ("");
}

/* Reads a number as typed, with a decimal point or a decimal comma. */
gboolean
ch_chart_ui_parse_number (const char *text,
                          double     *out_value)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  double value;

  if (text == NULL)
    return FALSE;

  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    return FALSE;

  g_strdelimit (copy, ",", '.');
  value = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0' || !isfinite (value))
    return FALSE;

  *out_value = value;
  return TRUE;
}

/* Reads "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (local time). A date alone is
 * taken as now if it is today, else as its noon, so that it stays the same
 * day in every time zone nearby. */
gboolean
ch_chart_ui_parse_date (const char *text,
                        gint64     *out_usec)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) moment = NULL;
  int y, m, d, hh = 12, mm = 0;
  char extra;
  int n;

  if (text == NULL)
    return FALSE;

  n = sscanf (text, "%4d-%2d-%2d %2d:%2d%c", &y, &m, &d, &hh, &mm, &extra);
  if (n != 3 && n != 5)
    return FALSE;
  if (!g_date_valid_dmy (d, m, y) || hh < 0 || hh > 23 || mm < 0 || mm > 59)
    return FALSE;

  if (n == 3 && y == g_date_time_get_year (now) && m == g_date_time_get_month (now) &&
      d == g_date_time_get_day_of_month (now))
    moment = g_date_time_ref (now);
  else
    moment = g_date_time_new_local (y, m, d, hh, mm, 0);
  if (moment == NULL)
    return FALSE;

  *out_usec = g_date_time_to_unix (moment) * G_USEC_PER_SEC;
  return TRUE;
}

gboolean
ch_chart_ui_has_text (const char *text)
{
  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return TRUE;

  return FALSE;
}

/* Returns: (transfer full) (nullable): the text of @editable without
 * surrounding blanks, or %NULL when nothing is left */
char *
ch_chart_ui_dup_text (GtkEditable *editable)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  if (*text == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

static void
on_reason_changed (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = ch_chart_ui_dup_text (entry);

  adw_message_dialog_set_response_enabled (dialog, "confirm", reason != NULL);
}

static void
on_reason_activate (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "confirm"))
    {
      adw_message_dialog_response (dialog, "confirm");
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

/**
 * ch_chart_ui_reason_dialog_new:
 * @parent: the window to stay on top of
 * @heading: the question
 * @body: what follows
 * @confirm_label: the label of the destructive answer, with a mnemonic
 *
 * A confirmation that needs a reason: its "confirm" response is enabled
 * only once a reason is typed (ch_chart_ui_reason_dialog_get_reason()).
 *
 * Returns: (transfer none): a new #AdwMessageDialog, not yet shown
 */
GtkWidget *
ch_chart_ui_reason_dialog_new (GtkWindow  *parent,
                               const char *heading,
                               const char *body,
                               const char *confirm_label)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "confirm", confirm_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "confirm", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (entry, "changed", G_CALLBACK (on_reason_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_reason_activate), dialog, 0);
  gtk_widget_grab_focus (entry);

  return dialog;
}

/* Returns: (transfer full) (nullable): the reason typed into a dialog of
 * ch_chart_ui_reason_dialog_new() */
char *
ch_chart_ui_reason_dialog_get_reason (AdwMessageDialog *dialog)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  g_return_val_if_fail (GTK_IS_EDITABLE (entry), NULL);

  return ch_chart_ui_dup_text (GTK_EDITABLE (entry));
}
