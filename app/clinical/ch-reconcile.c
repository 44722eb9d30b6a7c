/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-reconcile"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-chart-db.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-prescription-db.h"
#include "ch-reconcile.h"
#include "ch-reconcile-db.h"
#include "ch-validate.h"

/* Medication reconciliation's controller. Every line is checked against the
 * chart first, inside the transaction that then carries the decisions out
 * through ch_chart_add() and ch_chart_update() (each a savepoint of it), so
 * one bad line leaves the chart, the prescriptions and the record of the
 * reconciliation as they were. */

#define MAX_SOURCE 500
#define MAX_TEXT   2000

static const char * const decision_names[] = {
  [CH_RECONCILE_KEEP] = "keep",
  [CH_RECONCILE_STOP] = "stop",
  [CH_RECONCILE_CHANGE] = "change",
  [CH_RECONCILE_ADD] = "add",
};

const char *
ch_reconcile_decision_to_string (ChReconcileDecision decision)
{
  if ((guint) decision >= G_N_ELEMENTS (decision_names))
    return NULL;
  return decision_names[decision];
}

static gboolean
line_invalid (GError     **error,
              guint        line,
              const char  *message)
{
  /* TRANSLATORS: "Line 3: that is not an entry of this patient's medication list" */
  g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, _("Line %u: %s"), line, message);
  return FALSE;
}

/* The entry a keep, stop or change line is about, when it is one of
 * @patient_id's medications. Returns: (transfer full) (nullable) */
static ChChartItem *
get_medication (ChStore  *store,
                gint64    patient_id,
                gint64    item_id,
                guint     line,
                GError  **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChChartItem) item = ch_db_chart_get (store, item_id, &local_error);

  if (item == NULL && !g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (item == NULL || item->patient_id != patient_id
      || g_strcmp0 (item->section, CH_SECTION_MEDICATION) != 0
      || g_strcmp0 (item->status, "entered-in-error") == 0)
    {
      line_invalid (error, line, _("that is not an entry of this patient’s medication list"));
      return NULL;
    }
  return g_steal_pointer (&item);
}

/* Checks every line; fills @items with the entries they are about (NULL for
 * an added medication), in order. */
static gboolean
check_lines (ChStore                *store,
             gint64                  patient_id,
             const ChReconcileLine  *lines,
             guint                   n_lines,
             GPtrArray              *items,
             GError                **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < n_lines; i++)
    {
      const ChReconcileLine *line = &lines[i];
      guint number = i + 1;
      g_autoptr (ChChartItem) item = NULL;
      g_autofree char *message = NULL;

      if (ch_reconcile_decision_to_string (line->decision) == NULL)
        return line_invalid (error, number, _("keep, stop, change or add the medication"));
      if ((line->outside_text && g_utf8_strlen (line->outside_text, -1) > MAX_TEXT)
          || (line->note && g_utf8_strlen (line->note, -1) > MAX_TEXT))
        return line_invalid (error, number, _("a line and its note have at most 2000 characters each"));

      if (line->decision == CH_RECONCILE_ADD)
        {
          if (!ch_has_text (line->outside_text))
            return line_invalid (error, number, _("write the medication to add as the outside list gives it"));
          if (line->medication_item_id != 0)
            return line_invalid (error, number, _("a medication to add is not on the list yet"));
          g_ptr_array_add (items, NULL);
          continue;
        }

      if (line->medication_item_id == 0)
        return line_invalid (error, number, _("choose the entry of the medication list it is about"));
      item = get_medication (store, patient_id, line->medication_item_id, number, error);
      if (item == NULL)
        return FALSE;
      if (g_hash_table_contains (seen, &line->medication_item_id))
        {
          message = g_strdup_printf (_("“%s” is decided on another line already"), item->display);
          return line_invalid (error, number, message);
        }
      g_hash_table_add (seen, (gpointer) &line->medication_item_id);

      if (line->decision != CH_RECONCILE_KEEP && g_strcmp0 (item->clinical_status, "active") != 0)
        {
          message = g_strdup_printf (_("“%s” is stopped already"), item->display);
          return line_invalid (error, number, message);
        }
      if (line->decision == CH_RECONCILE_STOP && !ch_has_text (line->note))
        {
          message = g_strdup_printf (_("say why “%s” is stopped"), item->display);
          return line_invalid (error, number, message);
        }
      if (line->decision == CH_RECONCILE_CHANGE && !ch_has_text (line->note))
        {
          message = g_strdup_printf (_("give the new dose of “%s”"), item->display);
          return line_invalid (error, number, message);
        }
      g_ptr_array_add (items, g_steal_pointer (&item));
    }
  return TRUE;
}

/* The signed prescription @item stands for, if any: the one its
 * "prescription" detail names, else the one that points at it. */
static ChPrescription *
prescription_of (ChStore            *store,
                 const ChChartItem  *item,
                 GError            **error)
{
  const char *named = ch_chart_item_get_detail (item, "prescription");
  gint64 id = 0;

  if (named != NULL && g_ascii_string_to_signed (named, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_autoptr (ChPrescription) rx = ch_db_prescription_get (store, id, NULL);

      if (rx != NULL && rx->patient_id == item->patient_id
          && rx->medication_item_id == item->id && g_str_equal (rx->state, "signed"))
        return g_steal_pointer (&rx);
    }

  if (!ch_db_prescription_find_signed_for_item (store, item->id, &id, error))
    return NULL;
  if (id == 0)
    return NULL;
  return ch_db_prescription_get (store, id, error);
}

static gboolean
stop_medication (ChSession    *session,
                 ChChartItem  *item,
                 const char   *note,
                 GError      **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *reason = g_strdup_printf (_("Medication reconciliation: %s"), note);
  g_autofree char *detail = NULL;

  g_free (item->clinical_status);
  item->clinical_status = g_strdup ("stopped");
  g_free (item->end_date);
  item->end_date = g_date_time_format (now, "%Y-%m-%d");
  if (!ch_chart_update (session, item, reason, error))
    return FALSE;

  rx = prescription_of (store, item, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (rx == NULL)
    return TRUE;
  /* A prescription is stopped only by those who may prescribe. */
  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error))
    return FALSE;

  detail = g_strdup_printf ("stopped %s: %s", rx->number ? rx->number : rx->drug_name, reason);
  return ch_db_prescription_end (store, rx->id, "stopped", reason,
                                 ch_session_get_username (session), error)
         && ch_session_audit (session, CH_AUDIT_UPDATE, "prescription", rx->number, rx->patient_id,
                              detail, error);
}

static gboolean
change_medication (ChSession    *session,
                   ChChartItem  *item,
                   const char   *note,
                   GError      **error)
{
  g_autofree char *reason = g_strdup_printf (_("Medication reconciliation: %s"), note);

  ch_chart_item_set_detail (item, "dose", note);
  return ch_chart_update (session, item, reason, error);
}

/* Returns: the new entry's id, or 0 */
static gint64
add_medication (ChSession    *session,
                gint64        patient_id,
                const char   *outside_text,
                GError      **error)
{
  g_autoptr (ChChartItem) item = ch_chart_item_new (CH_SECTION_MEDICATION);

  item->patient_id = patient_id;
  item->display = g_strdup (outside_text);
  item->clinical_status = g_strdup ("active");
  item->status = g_strdup ("active");
  if (!ch_chart_add (session, item, error))
    return 0;
  return item->id;
}

gint64
ch_reconcile_save (ChSession              *session,
                   gint64                  patient_id,
                   const char             *source,
                   const ChReconcileLine  *lines,
                   guint                   n_lines,
                   GError                **error)
{
  ChStore *store;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autofree char *where = g_strstrip (g_strdup (source ? source : ""));
  g_autofree char *detail = NULL;
  guint counts[G_N_ELEMENTS (decision_names)] = { 0 };
  gint64 id = 0;
  char id_text[32];

  g_return_val_if_fail (CH_IS_SESSION (session), 0);
  g_return_val_if_fail (lines != NULL || n_lines == 0, 0);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return 0;
  if (g_utf8_strlen (where, -1) > MAX_SOURCE)
    {
      ch_invalid (error, _("The source of the outside list has at most 500 characters"));
      return 0;
    }

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return 0;

  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL
      || !check_lines (store, patient_id, lines, n_lines, items, error)
      || !ch_db_reconciliation_insert (store, patient_id, where,
                                       ch_session_get_username (session), &id, error))
    goto fail;

  for (guint i = 0; i < n_lines; i++)
    {
      const ChReconcileLine *line = &lines[i];
      ChChartItem *item = items->pdata[i];
      g_autofree char *outside = g_strstrip (g_strdup (line->outside_text ? line->outside_text : ""));
      g_autofree char *note = g_strstrip (g_strdup (line->note ? line->note : ""));
      gint64 item_id = line->medication_item_id;

      switch (line->decision)
        {
        case CH_RECONCILE_KEEP:
          break;
        case CH_RECONCILE_STOP:
          if (!stop_medication (session, item, note, error))
            goto fail;
          break;
        case CH_RECONCILE_CHANGE:
          if (!change_medication (session, item, note, error))
            goto fail;
          break;
        case CH_RECONCILE_ADD:
          item_id = add_medication (session, patient_id, outside, error);
          if (item_id == 0)
            goto fail;
          break;
        }

      counts[line->decision]++;
      if (!ch_db_reconciliation_line_insert (store, id, outside, item_id,
                                             ch_reconcile_decision_to_string (line->decision),
                                             note, error))
        goto fail;
    }

  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("%s%s%u lines: %u kept, %u stopped, %u changed, %u added",
                            where, where[0] ? ": " : "", n_lines,
                            counts[CH_RECONCILE_KEEP], counts[CH_RECONCILE_STOP],
                            counts[CH_RECONCILE_CHANGE], counts[CH_RECONCILE_ADD]);
  if (!ch_session_audit (session, CH_AUDIT_CREATE, "reconciliation", id_text, patient_id, detail,
                         error)
      || !ch_store_commit (store, error))
    goto fail;
  return id;

fail:
  ch_store_rollback (store);
  return 0;
}

GPtrArray *
ch_reconcile_list (ChSession  *session,
                   gint64      patient_id,
                   GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_reconciliation_list (ch_session_get_store (session), patient_id, error);
}
