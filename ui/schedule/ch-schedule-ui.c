/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-schedule-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patients.h"
#include "ch-schedule-ui.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-validate.h"

#define MAX_HITS 6

static GQuark
patient_id_quark (void)
{
  return g_quark_from_static_string ("ch-schedule-ui-patient-id");
}

static GQuark
patient_name_quark (void)
{
  return g_quark_from_static_string ("ch-schedule-ui-patient-name");
}

/**
 * ch_schedule_ui_search_patients:
 * @session: the signed-in session, idle
 * @text: what was typed
 * @results: the list to fill, emptied first
 *
 * Finds the patients @text names, as the patient list does, one activatable
 * row each. Nothing is searched while a worker uses the session.
 *
 * Returns: whether any was found
 */
gboolean
ch_schedule_ui_search_patients (ChSession  *session,
                                const char *text,
                                GtkListBox *results)
{
  g_autoptr (GPtrArray) hits = NULL;
  GtkWidget *child;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (GTK_IS_LIST_BOX (results), FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (results))) != NULL)
    gtk_list_box_remove (results, child);
  if (!ch_has_text (text) || ch_ui_session_is_busy (session))
    return FALSE;

  hits = ch_patients_search (session, text, MAX_HITS, NULL);
  for (guint i = 0; hits != NULL && i < hits->len; i++)
    {
      const ChPatientHit *hit = hits->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *name = g_strdup_printf ("%s, %s", hit->family_name,
                                               hit->given_name ? hit->given_name : "");
      /* TRANSLATORS: a patient found by the search: "MRN 00000012 · born 1980-02-03" */
      g_autofree char *subtitle = g_strdup_printf (_("MRN %s · born %s"), hit->mrn,
                                                   hit->birth_date ? hit->birth_date : "?");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_qdata_full (G_OBJECT (row), patient_id_quark (),
                               g_memdup2 (&hit->id, sizeof hit->id), g_free);
      g_object_set_qdata_full (G_OBJECT (row), patient_name_quark (), g_steal_pointer (&name),
                               g_free);
      gtk_list_box_append (results, row);
    }
  return hits != NULL && hits->len > 0;
}

gint64
ch_schedule_ui_row_patient_id (GtkListBoxRow *row)
{
  gint64 *id = g_object_get_qdata (G_OBJECT (row), patient_id_quark ());

  return id != NULL ? *id : 0;
}

const char *
ch_schedule_ui_row_patient_name (GtkListBoxRow *row)
{
  return g_object_get_qdata (G_OBJECT (row), patient_name_quark ());
}

/* Returns: (transfer full) (nullable): the text of @editable without
 * surrounding blanks, or %NULL when nothing is left */
char *
ch_schedule_ui_dup_text (GtkEditable *editable)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  if (*text == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

/* Returns: (transfer full): the names of @resources, after @first if given */
GtkStringList *
ch_schedule_ui_resource_names (GPtrArray  *resources,
                               const char *first)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  if (first != NULL)
    gtk_string_list_append (list, first);
  for (guint i = 0; resources != NULL && i < resources->len; i++)
    gtk_string_list_append (list, ((ChResource *) resources->pdata[i])->name);
  return list;
}

/* Returns: (transfer full): @usec (µs since the epoch) in local time, as @format says */
char *
ch_schedule_ui_local_text (gint64      usec,
                           const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *text = g_date_time_format (local, format);

  return g_strdup (g_strstrip (text));
}
