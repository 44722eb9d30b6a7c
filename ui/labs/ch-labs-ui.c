/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-labs-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-lab-queue-page.h"
#include "ch-lab-results-page.h"
#include "ch-labs-ui.h"

/* OBX-11, in words: a clinician reads "Corrected", not "C". */
const char *
ch_labs_ui_status_label (const char *status)
{
  static const struct { const char *code; const char *label; } statuses[] = {
    { "P", N_("Preliminary") },
    { "F", N_("Final") },
    { "C", N_("Corrected") },
    { "X", N_("Cancelled, no result") },
    { "R", N_("Not verified") },
    { "I", N_("Pending") },
    { "S", N_("Partial") },
    { "D", N_("Deleted") },
    { "W", N_("Entered in error") },
    { "U", N_("Final (status changed)") },
    { "A", N_("Amended") },
  };

  if (status == NULL || *status == '\0')
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (status, statuses[i].code))
      return _(statuses[i].label);
  return status;
}

static const char *
flag_word (const char *code)
{
  static const struct { const char *code; const char *label; } flags[] = {
    { "L", N_("Low") },
    { "H", N_("High") },
    { "LL", N_("Critically low") },
    { "HH", N_("Critically high") },
    { "LU", N_("Significantly low") },
    { "HU", N_("Significantly high") },
    { "<", N_("Below the measurable range") },
    { ">", N_("Above the measurable range") },
    { "A", N_("Abnormal") },
    { "AA", N_("Critically abnormal") },
    { "N", N_("Normal") },
    { "S", N_("Susceptible") },
    { "R", N_("Resistant") },
    { "I", N_("Intermediate") },
    { "POS", N_("Positive") },
    { "NEG", N_("Negative") },
    { "DET", N_("Detected") },
    { "ND", N_("Not detected") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    if (g_str_equal (code, flags[i].code))
      return _(flags[i].label);
  return code;
}

/* OBX-8 ("H", or repetitions "H~A"), in words; "" when normal or none. */
char *
ch_labs_ui_flag_label (const char *flags)
{
  g_auto(GStrv) codes = NULL;
  GString *text;

  if (!ch_labs_ui_flag_abnormal (flags))
    return g_strdup ("");
  codes = g_strsplit (flags, "~", -1);
  text = g_string_new (NULL);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_strstrip (codes[i]);
      if (codes[i][0] == '\0' || g_str_equal (codes[i], "N"))
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, flag_word (codes[i]));
    }
  return g_string_free (text, FALSE);
}

/* Whether the lab flagged the result as anything but normal. */
gboolean
ch_labs_ui_flag_abnormal (const char *flags)
{
  g_auto(GStrv) codes = NULL;

  if (flags == NULL || *flags == '\0')
    return FALSE;
  codes = g_strsplit (flags, "~", -1);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_strstrip (codes[i]);
      if (codes[i][0] != '\0' && !g_str_equal (codes[i], "N") && !g_str_equal (codes[i], "NEG") &&
          !g_str_equal (codes[i], "ND"))
        return TRUE;
    }
  return FALSE;
}

/* Critical values (panic values) call for action now: they stand out more. */
gboolean
ch_labs_ui_flag_critical (const char *flags)
{
  g_auto(GStrv) codes = NULL;

  if (flags == NULL || *flags == '\0')
    return FALSE;
  codes = g_strsplit (flags, "~", -1);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_strstrip (codes[i]);
      if (g_str_equal (codes[i], "LL") || g_str_equal (codes[i], "HH") ||
          g_str_equal (codes[i], "AA") || g_str_equal (codes[i], "LU") ||
          g_str_equal (codes[i], "HU"))
        return TRUE;
    }
  return FALSE;
}

/* A message's outcome, as the log stores it, in words. */
const char *
ch_labs_ui_outcome_label (const char *outcome)
{
  if (g_strcmp0 (outcome, "imported") == 0)
    return _("Filed");
  if (g_strcmp0 (outcome, "queued") == 0)
    return _("Waiting for review");
  if (g_strcmp0 (outcome, "rejected") == 0)
    return _("Rejected");
  if (g_strcmp0 (outcome, "error") == 0)
    return _("Failed");
  return outcome != NULL ? outcome : "";
}

/* "Brennan, Maeve T" from the HL7 "Brennan^Maeve^T". */
char *
ch_labs_ui_person_name (const char *hl7_name)
{
  g_auto(GStrv) parts = g_strsplit (hl7_name != NULL ? hl7_name : "", "^", 4);
  guint n = g_strv_length (parts);

  if (n == 0 || parts[0][0] == '\0')
    return g_strdup (_("No name given"));
  if (n == 1 || parts[1][0] == '\0')
    return g_strdup (parts[0]);
  if (n >= 3 && parts[2][0] != '\0')
    /* TRANSLATORS: family name, given name and middle name of a patient */
    return g_strdup_printf (_("%s, %s %s"), parts[0], parts[1], parts[2]);
  /* TRANSLATORS: family name and given name of a patient */
  return g_strdup_printf (_("%s, %s"), parts[0], parts[1]);
}

static void
results_changed_in (GtkWidget *widget,
                    gint64     patient_id)
{
  if (CH_IS_LAB_RESULTS_PAGE (widget))
    {
      ChLabResultsPage *page = CH_LAB_RESULTS_PAGE (widget);

      if (patient_id == 0 || ch_lab_results_page_get_patient_id (page) == patient_id)
        ch_lab_results_page_reload (page);
      return;
    }
  if (CH_IS_LAB_QUEUE_PAGE (widget))
    {
      ch_lab_queue_page_reload (CH_LAB_QUEUE_PAGE (widget));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    results_changed_in (child, patient_id);
}

/**
 * ch_labs_ui_results_changed:
 * @widget: a widget of the window
 * @patient_id: whose results changed, 0 for anyone's, -1 for no chart's (the queue only)
 *
 * Has the window's review queue, and the Labs page of @patient_id's chart
 * if it is open, read again.
 */
void
ch_labs_ui_results_changed (GtkWidget *widget,
                            gint64     patient_id)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  root = gtk_widget_get_root (widget);
  results_changed_in (root != NULL ? GTK_WIDGET (root) : widget, patient_id);
}
