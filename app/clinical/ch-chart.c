/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-schedule-db.h"
#include "ch-plot.h"
#include "ch-refdata.h"
#include "ch-validate.h"

/* The chart's controller: every read needs clinical read access, every change
 * clinical write access; changes are validated, versioned (item_history) and
 * audited in one transaction, and nothing is deleted: a wrong entry is marked
 * "entered in error" with the reason. */

#define NO_KNOWN_ALLERGIES "no-known-allergies"

/* ---- vital signs and units ------------------------------------------------------ */

typedef struct
{
  const char *code;
  const char *unit;     /* canonical */
  double      min;      /* plausible range, canonical unit */
  double      max;
} VitalSign;

static const VitalSign vital_signs[] = {
  { CH_LOINC_SYSTOLIC, "mm[Hg]", 40, 300 },
  { CH_LOINC_DIASTOLIC, "mm[Hg]", 20, 200 },
  { CH_LOINC_PULSE, "/min", 20, 300 },
  { CH_LOINC_TEMPERATURE, "Cel", 25, 45 },
  { CH_LOINC_RESPIRATION, "/min", 4, 80 },
  { CH_LOINC_SPO2, "%", 40, 100 },
  { CH_LOINC_HEIGHT, "cm", 20, 250 },
  { CH_LOINC_WEIGHT, "kg", 0.3, 400 },
  { CH_LOINC_BMI, "kg/m2", 5, 100 },
  { CH_LOINC_HEAD, "cm", 20, 70 },
  { CH_LOINC_PAIN, "{score}", 0, 10 },
};

static const VitalSign *
find_vital (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (vital_signs); i++)
    if (g_strcmp0 (vital_signs[i].code, code) == 0)
      return &vital_signs[i];
  return NULL;
}

/**
 * ch_vital_to_canonical:
 * @unit: the unit the value was taken in (UCUM; a few everyday spellings such
 *   as "lb", "in", "F" too); %NULL or "" for the canonical one
 *
 * Converts a vital sign to the unit it is stored in, and checks it is a value
 * a living patient can have.
 */
gboolean
ch_vital_to_canonical (const char  *code,
                       double       value,
                       const char  *unit,
                       double      *out_value,
                       const char **out_unit,
                       GError     **error)
{
  const VitalSign *sign = find_vital (code);
  double canonical = value;

  if (sign == NULL)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a vital sign Charta records"), code ? code : "");
      return FALSE;
    }

  if (unit == NULL || *unit == '\0' || g_str_equal (unit, sign->unit))
    canonical = value;
  else if (g_str_equal (sign->unit, "kg") && (g_str_equal (unit, "[lb_av]") || g_str_equal (unit, "lb")))
    canonical = value * 0.45359237;
  else if (g_str_equal (sign->unit, "kg") && g_str_equal (unit, "g"))
    canonical = value / 1000.0;
  else if (g_str_equal (sign->unit, "cm") && (g_str_equal (unit, "[in_i]") || g_str_equal (unit, "in")))
    canonical = value * 2.54;
  else if (g_str_equal (sign->unit, "cm") && g_str_equal (unit, "m"))
    canonical = value * 100.0;
  else if (g_str_equal (sign->unit, "Cel") && (g_str_equal (unit, "[degF]") || g_str_equal (unit, "F")))
    canonical = (value - 32.0) * 5.0 / 9.0;
  else
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a unit for this vital sign (use %s)"), unit, sign->unit);
      return FALSE;
    }

  if (!isfinite (canonical) || canonical < sign->min || canonical > sign->max)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("%g %s is not a plausible value (expected %g to %g %s)"), value,
                   ch_plot_unit_label (unit && *unit ? unit : sign->unit), sign->min, sign->max,
                   ch_plot_unit_label (sign->unit));
      return FALSE;
    }

  *out_value = canonical;
  *out_unit = sign->unit;
  return TRUE;
}

/* For users who read imperial units: @value (canonical) in pounds, inches or
 * degrees Fahrenheit where those apply; other signs unchanged. */
double
ch_vital_to_imperial (const char  *code,
                      double       value,
                      const char **out_unit)
{
  const VitalSign *sign = find_vital (code);

  *out_unit = sign ? sign->unit : "";
  if (sign == NULL)
    return value;
  if (g_str_equal (sign->unit, "kg"))
    {
      *out_unit = "[lb_av]";
      return value / 0.45359237;
    }
  if (g_str_equal (sign->unit, "cm"))
    {
      *out_unit = "[in_i]";
      return value / 2.54;
    }
  if (g_str_equal (sign->unit, "Cel"))
    {
      *out_unit = "[degF]";
      return value * 9.0 / 5.0 + 32.0;
    }
  return value;
}

/* ---- validation ------------------------------------------------------------------- */

static gboolean
one_of (const char *value,
        const char *first,
        ...)
{
  va_list args;
  gboolean found = FALSE;

  va_start (args, first);
  for (const char *choice = first; choice != NULL; choice = va_arg (args, const char *))
    if (g_strcmp0 (value, choice) == 0)
      {
        found = TRUE;
        break;
      }
  va_end (args);
  return found;
}

static void
set_default (char      **field,
             const char *value)
{
  if (*field == NULL || **field == '\0')
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

/* Checks @item for its section, fills in defaults, converts vital signs to
 * their canonical unit and flags results outside their reference range. */
static gboolean
validate (ChChartItem *item,
          GError     **error)
{
  const char *section = item->section;

  if ((item->start_date != NULL && !ch_valid_date (item->start_date))
      || (item->end_date != NULL && !ch_valid_date (item->end_date)))
    return ch_invalid (error, _("Dates are written YYYY-MM-DD"));
  if (item->start_date != NULL && item->end_date != NULL
      && strcmp (item->start_date, item->end_date) > 0)
    return ch_invalid (error, _("The end date is before the start date"));

  if (g_strcmp0 (section, CH_SECTION_PROBLEM) == 0)
    {
      set_default (&item->clinical_status, "active");
      if (!ch_has_text (item->display))
        return ch_invalid (error, _("Name the problem"));
      if (!one_of (item->clinical_status, "active", "resolved", NULL))
        return ch_invalid (error, _("A problem is active or resolved"));
      if (ch_has_text (item->code))
        set_default (&item->code_system, "icd10cm");
    }
  else if (g_strcmp0 (section, CH_SECTION_HISTORY) == 0)
    {
      if (!one_of (item->kind, "medical", "surgical", "family", "social", NULL))
        return ch_invalid (error, _("History is medical, surgical, family or social"));
      if (!ch_has_text (item->display))
        return ch_invalid (error, _("Describe the history entry"));
    }
  else if (g_strcmp0 (section, CH_SECTION_ALLERGY) == 0)
    {
      set_default (&item->clinical_status, "active");
      set_default (&item->kind, "drug");
      if (!ch_has_text (item->display))
        return ch_invalid (error, _("Name the substance the patient is allergic or intolerant to"));
      if (!one_of (item->kind, "drug", "food", "environment", "other", NULL))
        return ch_invalid (error, _("An allergy is to a drug, a food, something in the environment, or other"));
      if (!one_of (item->severity, "", "mild", "moderate", "severe", NULL) && item->severity != NULL)
        return ch_invalid (error, _("Severity is mild, moderate or severe"));
      if (!one_of (item->clinical_status, "active", "inactive", NULL))
        return ch_invalid (error, _("An allergy is active or inactive"));
    }
  else if (g_strcmp0 (section, CH_SECTION_MEDICATION) == 0)
    {
      set_default (&item->clinical_status, "active");
      if (!ch_has_text (item->display))
        return ch_invalid (error, _("Name the medication"));
      if (!one_of (item->clinical_status, "active", "stopped", NULL))
        return ch_invalid (error, _("A medication is current (active) or stopped"));
    }
  else if (g_strcmp0 (section, CH_SECTION_IMMUNIZATION) == 0)
    {
      set_default (&item->clinical_status, "given");
      if (!ch_has_text (item->display) && !ch_has_text (item->code))
        return ch_invalid (error, _("Name the vaccine"));
      if (!one_of (item->clinical_status, "given", "refused", "historical", NULL))
        return ch_invalid (error, _("An immunization is given, refused or historical"));
      if (item->start_date == NULL)
        return ch_invalid (error, _("Give the date of the immunization"));
      if (ch_has_text (item->code))
        set_default (&item->code_system, "cvx");
    }
  else if (g_strcmp0 (section, CH_SECTION_VITAL) == 0)
    {
      const char *unit = NULL;
      double value = 0;

      if (!item->has_value)
        return ch_invalid (error, _("A vital sign needs a value"));
      if (!ch_vital_to_canonical (item->code, item->value_num, item->unit, &value, &unit, error))
        return FALSE;
      item->value_num = value;
      g_free (item->unit);
      item->unit = g_strdup (unit);
      set_default (&item->code_system, "loinc");
    }
  else if (g_strcmp0 (section, CH_SECTION_LAB) == 0)
    {
      if (!ch_has_text (item->display) && !ch_has_text (item->code))
        return ch_invalid (error, _("Name the test"));
      if (!item->has_value && !ch_has_text (item->value_text))
        return ch_invalid (error, _("A result needs a value"));
      if (item->has_value && !isfinite (item->value_num))
        return ch_invalid (error, _("The result is not a number"));
      if (ch_has_text (item->code))
        set_default (&item->code_system, "loinc");
      if (!ch_has_text (item->flag) && item->has_value && item->has_range)
        {
          g_free (item->flag);
          item->flag = g_strdup (item->value_num < item->ref_low ? "L"
                                 : item->value_num > item->ref_high ? "H" : "");
        }
      if (!one_of (item->flag, "", "L", "H", "LL", "HH", "A", NULL) && item->flag != NULL)
        return ch_invalid (error, _("An abnormal flag is L, H, LL, HH or A"));
    }
  else
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a section of the chart"), section ? section : "");
      return FALSE;
    }

  return TRUE;
}

/* ---- changes ------------------------------------------------------------------------ */

static gboolean
audit_item (ChSession         *session,
            const char        *action,
            const ChChartItem *item,
            const char        *detail,
            GError           **error)
{
  char id[32];

  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, item->id);
  return ch_session_audit (session, action, item->section, id, item->patient_id, detail, error);
}

static gboolean
patient_exists (ChStore *store,
                gint64   patient_id,
                GError **error)
{
  g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, patient_id, error);

  return patient != NULL;
}

/* Inserts @item inside the caller's transaction (validated already). */
static gboolean
insert_item (ChSession   *session,
             ChChartItem *item,
             GError     **error)
{
  ChStore *store = ch_session_get_store (session);

  if (!ch_db_chart_insert (store, item, ch_session_get_username (session), error)
      || !audit_item (session, CH_AUDIT_CREATE, item, item->display ? item->display : "", error))
    return FALSE;

  /* An allergy recorded takes back "no known allergies". */
  if (g_strcmp0 (item->section, CH_SECTION_ALLERGY) == 0
      && g_strcmp0 (item->clinical_status, "active") == 0)
    {
      g_autofree char *nka = ch_db_chart_flag_get (store, item->patient_id, NO_KNOWN_ALLERGIES,
                                                   error);
      if (nka != NULL
          && !ch_db_chart_flag_set (store, item->patient_id, NO_KNOWN_ALLERGIES, NULL,
                                    ch_session_get_username (session), error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ch_chart_add:
 * @item: the new entry (its patient_id and section set); on success its id,
 *   version and recording fields are filled in
 */
gboolean
ch_chart_add (ChSession   *session,
              ChChartItem *item,
              GError     **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error)
      || !validate (item, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  if (!patient_exists (store, item->patient_id, error)
      || !insert_item (session, item, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

static gboolean
update_item (ChSession   *session,
             ChChartItem *item,
             const char  *action,
             const char  *reason,
             GError     **error)
{
  ChStore *store = ch_session_get_store (session);

  if (!ch_store_begin (store, error))
    return FALSE;

  if (!ch_db_chart_update (store, item, ch_session_get_username (session), reason, error)
      || !audit_item (session, action, item, reason ? reason : "", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_chart_update:
 * @item: as read, with the changes (its version says which it was edited from)
 * @reason: (nullable): why, kept with the earlier version
 */
gboolean
ch_chart_update (ChSession   *session,
                 ChChartItem *item,
                 const char  *reason,
                 GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error)
      || !validate (item, error))
    return FALSE;

  if (g_strcmp0 (item->status, "entered-in-error") == 0)
    return ch_invalid (error, _("Use “entered in error” to take an entry back, with the reason"));

  return update_item (session, item, CH_AUDIT_UPDATE, reason, error);
}

/* Marks an entry as entered in error: it leaves the chart's lists but stays,
 * with its history, the reason and who did it. */
gboolean
ch_chart_entered_in_error (ChSession  *session,
                           gint64      item_id,
                           const char *reason,
                           GError    **error)
{
  g_autoptr (ChChartItem) item = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  if (!ch_has_text (reason))
    return ch_invalid (error, _("Say why the entry was made in error"));

  item = ch_db_chart_get (ch_session_get_store (session), item_id, error);
  if (item == NULL)
    return FALSE;

  if (g_strcmp0 (item->status, "entered-in-error") == 0)
    return TRUE;

  g_free (item->status);
  item->status = g_strdup ("entered-in-error");
  return update_item (session, item, CH_AUDIT_DELETE, reason, error);
}

/* Records "no known allergies" (or takes it back). Refused while an allergy
 * is on the list: that would contradict the chart. */
gboolean
ch_chart_set_no_known_allergies (ChSession *session,
                                 gint64     patient_id,
                                 gboolean   none,
                                 GError   **error)
{
  ChStore *store;
  g_autoptr (GPtrArray) allergies = NULL;
  char id[32];

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (none)
    {
      allergies = ch_db_chart_list (store, patient_id, CH_SECTION_ALLERGY, FALSE, 0, error);
      if (allergies == NULL)
        return FALSE;
      for (guint i = 0; i < allergies->len; i++)
        if (g_strcmp0 (((ChChartItem *) allergies->pdata[i])->clinical_status, "active") == 0)
          return ch_invalid (error, _("The patient has allergies on record; mark those inactive or "
                                   "entered in error first"));
    }

  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, patient_id);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!patient_exists (store, patient_id, error)
      || !ch_db_chart_flag_set (store, patient_id, NO_KNOWN_ALLERGIES, none ? "yes" : NULL,
                                ch_session_get_username (session), error)
      || !ch_session_audit (session, CH_AUDIT_UPDATE, "allergy", NO_KNOWN_ALLERGIES, patient_id,
                            none ? "yes" : "no", error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_chart_record_vitals:
 * @encounter_id: 0 for none
 * @effective_at: when measured (µs since the epoch); 0 for now
 *
 * Records a set of vital signs taken together, each in the unit given and
 * stored in its canonical one. When weight and height are known (height from
 * this set, else the latest on record), the BMI is computed and recorded too.
 * All or nothing.
 */
gboolean
ch_chart_record_vitals (ChSession          *session,
                        gint64              patient_id,
                        gint64              encounter_id,
                        gint64              effective_at,
                        const ChVitalInput *inputs,
                        guint               n_inputs,
                        GError            **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  ChStore *store;
  double weight = -1, height = -1;
  gboolean has_bmi = FALSE;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (n_inputs == 0)
    return ch_invalid (error, _("Enter at least one vital sign"));
  if (effective_at == 0)
    effective_at = g_get_real_time ();

  for (guint i = 0; i < n_inputs; i++)
    {
      ChChartItem *item = ch_chart_item_new (CH_SECTION_VITAL);

      g_ptr_array_add (items, item);
      item->patient_id = patient_id;
      item->encounter_id = encounter_id;
      item->effective_at = effective_at;
      item->code = g_strdup (inputs[i].code);
      item->has_value = TRUE;
      item->value_num = inputs[i].value;
      item->unit = g_strdup (inputs[i].unit);
      if (!validate (item, error))
        return FALSE;
      if (g_str_equal (item->code, CH_LOINC_WEIGHT))
        weight = item->value_num;
      else if (g_str_equal (item->code, CH_LOINC_HEIGHT))
        height = item->value_num;
      else if (g_str_equal (item->code, CH_LOINC_BMI))
        has_bmi = TRUE;
    }

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  if (!patient_exists (store, patient_id, error))
    goto fail;

  if (weight > 0 && !has_bmi)
    {
      if (height < 0)
        {
          g_autoptr (GPtrArray) heights = ch_db_chart_latest_per_code (store, patient_id,
                                                                       CH_SECTION_VITAL, 1, error);
          if (heights == NULL)
            goto fail;
          for (guint i = 0; i < heights->len; i++)
            if (g_strcmp0 (((ChChartItem *) heights->pdata[i])->code, CH_LOINC_HEIGHT) == 0)
              height = ((ChChartItem *) heights->pdata[i])->value_num;
        }

      if (height > 0)
        {
          ChChartItem *bmi = ch_chart_item_new (CH_SECTION_VITAL);
          double metres = height / 100.0;

          g_ptr_array_add (items, bmi);
          bmi->patient_id = patient_id;
          bmi->encounter_id = encounter_id;
          bmi->effective_at = effective_at;
          bmi->code = g_strdup (CH_LOINC_BMI);
          bmi->has_value = TRUE;
          bmi->value_num = round (weight / (metres * metres) * 10.0) / 10.0;
          ch_chart_item_set_detail (bmi, "computed", "weight/height²");
          if (!validate (bmi, error))
            goto fail;
        }
    }

  for (guint i = 0; i < items->len; i++)
    if (!insert_item (session, items->pdata[i], error))
      goto fail;

  if (!ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/**
 * ch_chart_import:
 * @items: (element-type ChChartItem): entries for @patient_id, each validated
 * @source: where they come from, for the audit entry ("demo", a file …)
 *
 * Records many entries at once (a migration, the demo practice): all or
 * none, in one transaction with one audit entry naming the source and count.
 */
gboolean
ch_chart_import (ChSession  *session,
                 gint64      patient_id,
                 GPtrArray  *items,
                 const char *source,
                 GError    **error)
{
  ChStore *store;
  g_autofree char *detail = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      ChChartItem *item = items->pdata[i];

      item->patient_id = patient_id;
      if (!validate (item, error))
        return FALSE;
    }

  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  detail = g_strdup_printf ("%u entries from %s", items->len, source ? source : "import");
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!patient_exists (store, patient_id, error))
    goto fail;
  for (guint i = 0; i < items->len; i++)
    if (!ch_db_chart_insert (store, items->pdata[i], username, error))
      goto fail;
  if (!ch_session_audit (session, CH_AUDIT_CREATE, "chart", "import", patient_id, detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_chart_add_encounter (ChSession         *session,
                        ChEncounterRecord *encounter,
                        GError           **error)
{
  ChStore *store;
  char id[32];

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (encounter->kind != NULL
      && !one_of (encounter->kind, "office", "telephone", "video", "home", "urgent", "other", NULL))
    return ch_invalid (error, _("An encounter is office, telephone, video, home, urgent or other"));
  if (encounter->start_at == 0)
    encounter->start_at = g_get_real_time ();

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!patient_exists (store, encounter->patient_id, error)
      || !ch_db_encounter_insert (store, encounter, ch_session_get_username (session), error))
    goto fail;
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, encounter->id);
  if (!ch_session_audit (session, CH_AUDIT_CREATE, "encounter", id, encounter->patient_id,
                         encounter->reason ? encounter->reason : "", error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* ---- reading ----------------------------------------------------------------------- */

GPtrArray *
ch_chart_list (ChSession  *session,
               gint64      patient_id,
               const char *section,
               gboolean    include_errors,
               GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_chart_list (ch_session_get_store (session), patient_id, section, include_errors, 0,
                           error);
}

/* Returns: (transfer full) (element-type ChChartItem): one code's values,
 * oldest first, for a trend plot */
GPtrArray *
ch_chart_series (ChSession  *session,
                 gint64      patient_id,
                 const char *section,
                 const char *code,
                 GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_chart_series (ch_session_get_store (session), patient_id, section, code, error);
}

/* Returns: (transfer full) (element-type ChHistoryEntry): the entry's earlier
 * versions, oldest first */
GPtrArray *
ch_chart_item_history (ChSession *session,
                       gint64     item_id,
                       GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_item_history (ch_session_get_store (session), "chart", item_id, error);
}

void
ch_chart_summary_free (ChChartSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->patient, ch_patient_record_free);
  g_clear_pointer (&summary->problems, g_ptr_array_unref);
  g_clear_pointer (&summary->allergies, g_ptr_array_unref);
  g_clear_pointer (&summary->medications, g_ptr_array_unref);
  g_clear_pointer (&summary->vitals, g_ptr_array_unref);
  g_clear_pointer (&summary->recent_results, g_ptr_array_unref);
  g_clear_pointer (&summary->immunizations, g_ptr_array_unref);
  g_clear_pointer (&summary->encounters, g_ptr_array_unref);
  g_clear_pointer (&summary->immunizations_due, g_ptr_array_unref);
  g_clear_pointer (&summary->appointments, g_ptr_array_unref);
  g_free (summary);
}

static void
vital_summary_free (ChVitalSummary *vital)
{
  ch_chart_item_free (vital->latest);
  g_free (vital);
}

/* Keeps the items with @status (active first for problems). */
static GPtrArray *
filter_status (GPtrArray  *items,
               const char *status)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);

  for (guint i = 0; i < items->len; i++)
    if (status == NULL || g_strcmp0 (((ChChartItem *) items->pdata[i])->clinical_status, status) == 0)
      g_ptr_array_add (out, ch_chart_item_copy (items->pdata[i]));
  return out;
}

static int
compare_vitals (gconstpointer a,
                gconstpointer b)
{
  const ChVitalSummary *x = *(ChVitalSummary * const *) a;
  const ChVitalSummary *y = *(ChVitalSummary * const *) b;
  guint ix = 0, iy = 0;

  for (guint i = 0; i < G_N_ELEMENTS (vital_signs); i++)
    {
      if (g_strcmp0 (vital_signs[i].code, x->latest->code) == 0)
        ix = i;
      if (g_strcmp0 (vital_signs[i].code, y->latest->code) == 0)
        iy = i;
    }
  return (int) ix - (int) iy;
}

/**
 * ch_chart_open:
 *
 * Opens a patient's chart: the summary page's content in one call, and the
 * view audited.
 *
 * Returns: (transfer full): the summary
 */
ChChartSummary *
ch_chart_open (ChSession *session,
               gint64     patient_id,
               GError   **error)
{
  g_autoptr (ChChartSummary) summary = g_new0 (ChChartSummary, 1);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) allergies = NULL;
  g_autoptr (GPtrArray) medications = NULL;
  g_autoptr (GPtrArray) vitals = NULL;
  g_autofree char *nka = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  store = ch_session_get_store (session);
  summary->patient = ch_db_patient_get (store, patient_id, error);
  if (summary->patient == NULL)
    return NULL;

  problems = ch_db_chart_list (store, patient_id, CH_SECTION_PROBLEM, FALSE, 0, error);
  allergies = ch_db_chart_list (store, patient_id, CH_SECTION_ALLERGY, FALSE, 0, error);
  medications = ch_db_chart_list (store, patient_id, CH_SECTION_MEDICATION, FALSE, 0, error);
  vitals = ch_db_chart_latest_per_code (store, patient_id, CH_SECTION_VITAL, 2, error);
  summary->recent_results = ch_db_chart_list (store, patient_id, CH_SECTION_LAB, FALSE, 10, error);
  summary->immunizations = ch_db_chart_list (store, patient_id, CH_SECTION_IMMUNIZATION, FALSE, 0,
                                             error);
  summary->encounters = ch_db_encounter_list (store, patient_id, 5, error);
  if (problems == NULL || allergies == NULL || medications == NULL || vitals == NULL
      || summary->recent_results == NULL || summary->immunizations == NULL
      || summary->encounters == NULL)
    return NULL;

  nka = ch_db_chart_flag_get (store, patient_id, NO_KNOWN_ALLERGIES, error);

  /* Active problems first, then resolved ones. */
  summary->problems = filter_status (problems, "active");
  {
    g_autoptr (GPtrArray) resolved = filter_status (problems, "resolved");
    g_ptr_array_extend_and_steal (summary->problems, g_steal_pointer (&resolved));
  }
  summary->allergies = filter_status (allergies, "active");
  summary->no_known_allergies = nka != NULL && summary->allergies->len == 0;
  summary->medications = filter_status (medications, "active");

  /* latest_per_code gives each code's newest, then the one before. */
  summary->vitals = g_ptr_array_new_with_free_func ((GDestroyNotify) vital_summary_free);
  for (guint i = 0; i < vitals->len; i++)
    {
      ChChartItem *item = vitals->pdata[i];
      ChChartItem *next = i + 1 < vitals->len ? vitals->pdata[i + 1] : NULL;
      ChVitalSummary *vital = g_new0 (ChVitalSummary, 1);

      vital->latest = ch_chart_item_copy (item);
      if (next != NULL && g_strcmp0 (next->code, item->code) == 0)
        {
          vital->trend = item->value_num > next->value_num + 1e-9 ? 1
                         : item->value_num < next->value_num - 1e-9 ? -1 : 0;
          i++;
        }
      g_ptr_array_add (summary->vitals, vital);
    }
  g_ptr_array_sort (summary->vitals, compare_vitals);

  {
    g_autoptr (GDateTime) today = g_date_time_new_now_local ();
    summary->immunizations_due = ch_immunizations_due (summary->patient->birth_date,
                                                       summary->immunizations, today);
  }

  /* Today's appointments count as upcoming until the day is over. */
  if (ch_session_can (session, CH_AREA_SCHEDULING, CH_ACCESS_READ))
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autoptr (GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                              g_date_time_get_month (now),
                                                              g_date_time_get_day_of_month (now),
                                                              0, 0, 0);

      summary->appointments = ch_db_appointment_upcoming (store, patient_id,
                                                          g_date_time_to_unix (midnight) * G_USEC_PER_SEC,
                                                          5, error);
      if (summary->appointments == NULL)
        return NULL;
    }
  else
    summary->appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);

  if (!ch_session_audit (session, CH_AUDIT_VIEW, "chart", summary->patient->mrn, patient_id, "",
                         error))
    return NULL;

  return g_steal_pointer (&summary);
}
