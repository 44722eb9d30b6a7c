/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* The chart's sections, as stored. */
#define CH_SECTION_PROBLEM      "problem"
#define CH_SECTION_HISTORY      "history"
#define CH_SECTION_ALLERGY      "allergy"
#define CH_SECTION_MEDICATION   "medication"
#define CH_SECTION_IMMUNIZATION "immunization"
#define CH_SECTION_VITAL        "vital"
#define CH_SECTION_LAB          "lab"

/* Vital signs, by LOINC code. */
#define CH_LOINC_SYSTOLIC     "8480-6"
#define CH_LOINC_DIASTOLIC    "8462-4"
#define CH_LOINC_PULSE        "8867-4"
#define CH_LOINC_TEMPERATURE  "8310-5"
#define CH_LOINC_RESPIRATION  "9279-1"
#define CH_LOINC_SPO2         "59408-5"
#define CH_LOINC_HEIGHT       "8302-2"
#define CH_LOINC_WEIGHT       "29463-7"
#define CH_LOINC_BMI          "39156-5"
#define CH_LOINC_HEAD         "9843-4"
#define CH_LOINC_PAIN         "72514-3"

/* Tobacco smoking status: a social history item (kind "social", code system
 * "loinc") whose value_text is a SNOMED CT code, 449868002 current every day
 * smoker, 428041000124106 current some day smoker, 8517006 former smoker,
 * 266919005 never smoker, 77176002 smoker current status unknown, 266927001
 * unknown if ever smoked; its display says the words. */
#define CH_LOINC_SMOKING_STATUS "72166-2"

typedef struct
{
  const char *code;   /* a CH_LOINC_… vital sign */
  double      value;
  const char *unit;   /* UCUM, metric or imperial: kg, [lb_av], cm, [in_i], Cel, [degF] … */
} ChVitalInput;

typedef struct
{
  ChChartItem *latest;
  int          trend;   /* -1 lower than the time before, 0 same or first, +1 higher */
} ChVitalSummary;

typedef struct
{
  ChPatientRecord *patient;
  GPtrArray       *problems;        /* (element-type ChChartItem) active, then resolved */
  GPtrArray       *allergies;       /* (element-type ChChartItem) active */
  gboolean         no_known_allergies;
  GPtrArray       *medications;     /* (element-type ChChartItem) current */
  GPtrArray       *vitals;          /* (element-type ChVitalSummary) one per sign */
  GPtrArray       *recent_results;  /* (element-type ChChartItem) newest 10 */
  GPtrArray       *immunizations;   /* (element-type ChChartItem) newest first */
  GPtrArray       *encounters;      /* (element-type ChEncounterRecord) newest 5 */
  GPtrArray       *immunizations_due; /* (element-type ChDueDose) by the shipped schedule */
  GPtrArray       *appointments;    /* (element-type ChAppointment) the next 5, for those who
                                     * may read the schedule; else empty */
} ChChartSummary;

void             ch_chart_summary_free   (ChChartSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChChartSummary, ch_chart_summary_free)

ChChartSummary  *ch_chart_open           (ChSession        *session,
                                          gint64            patient_id,
                                          GError          **error);
GPtrArray       *ch_chart_list           (ChSession        *session,
                                          gint64            patient_id,
                                          const char       *section,
                                          gboolean          include_errors,
                                          GError          **error);
GPtrArray       *ch_chart_series         (ChSession        *session,
                                          gint64            patient_id,
                                          const char       *section,
                                          const char       *code,
                                          GError          **error);
GPtrArray       *ch_chart_item_history   (ChSession        *session,
                                          gint64            item_id,
                                          GError          **error);

gboolean         ch_chart_add            (ChSession        *session,
                                          ChChartItem      *item,
                                          GError          **error);
gboolean         ch_chart_update         (ChSession        *session,
                                          ChChartItem      *item,
                                          const char       *reason,
                                          GError          **error);
gboolean         ch_chart_entered_in_error (ChSession      *session,
                                            gint64          item_id,
                                            const char     *reason,
                                            GError        **error);
gboolean         ch_chart_set_no_known_allergies (ChSession *session,
                                                  gint64     patient_id,
                                                  gboolean   none,
                                                  GError   **error);
gboolean         ch_chart_record_vitals  (ChSession        *session,
                                          gint64            patient_id,
                                          gint64            encounter_id,
                                          gint64            effective_at,
                                          const ChVitalInput *inputs,
                                          guint             n_inputs,
                                          GError          **error);
gboolean         ch_chart_import         (ChSession        *session,
                                          gint64            patient_id,
                                          GPtrArray        *items,
                                          const char       *source,
                                          GError          **error);
gboolean         ch_chart_add_encounter  (ChSession        *session,
                                          ChEncounterRecord *encounter,
                                          GError          **error);

/* Units: every vital sign is stored in one canonical (metric) unit. */
gboolean         ch_vital_to_canonical   (const char       *code,
                                          double            value,
                                          const char       *unit,
                                          double           *out_value,
                                          const char      **out_unit,
                                          GError          **error);
double           ch_vital_to_imperial    (const char       *code,
                                          double            value,
                                          const char      **out_unit);

G_END_DECLS
