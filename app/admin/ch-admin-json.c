/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-json"

#include "config.h"

#include <json-glib/json-glib.h>

#include "ch-admin-json.h"
#include "ch-admin-output.h"

/* The patient as scripts read it from "charta-admin patient show --json".
 * Every key is always there, null when the record leaves it unset, so that a
 * script can tell "not given" from "not printed". */

void
ch_admin_json_add_string (JsonBuilder *builder,
                          const char  *key,
                          const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
ch_admin_json_add_id (JsonBuilder *builder,
                      const char  *key,
                      gint64       id)
{
  json_builder_set_member_name (builder, key);
  if (id > 0)
    json_builder_add_int_value (builder, id);
  else
    json_builder_add_null_value (builder);
}

void
ch_admin_json_add_time (JsonBuilder *builder,
                        const char  *key,
                        gint64       usec)
{
  g_autofree char *text = usec > 0 ? ch_admin_format_utc (usec) : NULL;

  ch_admin_json_add_string (builder, key, text);
}

static void
add_address (JsonBuilder           *builder,
             const ChPatientRecord *record)
{
  json_builder_set_member_name (builder, "address");
  json_builder_begin_object (builder);
  ch_admin_json_add_string (builder, "line", record->address_line);
  ch_admin_json_add_string (builder, "city", record->city);
  ch_admin_json_add_string (builder, "region", record->region);
  ch_admin_json_add_string (builder, "postal_code", record->postal_code);
  ch_admin_json_add_string (builder, "country", record->country);
  json_builder_end_object (builder);
}

static void
add_phones (JsonBuilder           *builder,
            const ChPatientRecord *record)
{
  json_builder_set_member_name (builder, "phones");
  json_builder_begin_array (builder);
  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (record->phones, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "kind", phone->kind);
      ch_admin_json_add_string (builder, "number", phone->number);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_identifiers (JsonBuilder           *builder,
                 const ChPatientRecord *record)
{
  json_builder_set_member_name (builder, "identifiers");
  json_builder_begin_array (builder);
  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = g_ptr_array_index (record->identifiers, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "system", identifier->system);
      ch_admin_json_add_string (builder, "value", identifier->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_emergency_contact (JsonBuilder           *builder,
                       const ChPatientRecord *record)
{
  json_builder_set_member_name (builder, "emergency_contact");
  json_builder_begin_object (builder);
  ch_admin_json_add_string (builder, "name", record->emergency_name);
  ch_admin_json_add_string (builder, "relation", record->emergency_relation);
  ch_admin_json_add_string (builder, "phone", record->emergency_phone);
  json_builder_end_object (builder);
}

static void
add_insurance (JsonBuilder *builder,
               GPtrArray   *policies)
{
  json_builder_set_member_name (builder, "insurance");
  json_builder_begin_array (builder);
  for (guint i = 0; policies != NULL && i < policies->len; i++)
    {
      const ChPolicyRecord *policy = g_ptr_array_index (policies, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "priority");
      json_builder_add_int_value (builder, policy->priority);
      ch_admin_json_add_string (builder, "payer", policy->payer);
      ch_admin_json_add_string (builder, "plan", policy->plan);
      ch_admin_json_add_string (builder, "member_id", policy->member_id);
      ch_admin_json_add_string (builder, "group_id", policy->group_id);
      ch_admin_json_add_string (builder, "subscriber_name", policy->subscriber_name);
      ch_admin_json_add_string (builder, "subscriber_relation", policy->subscriber_relation);
      ch_admin_json_add_string (builder, "start_date", policy->start_date);
      ch_admin_json_add_string (builder, "end_date", policy->end_date);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_number (JsonBuilder *builder,
            const char  *key,
            gboolean     has_value,
            double       value)
{
  json_builder_set_member_name (builder, key);
  if (has_value)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A result's value: its number, else its text, else null. */
static void
add_value (JsonBuilder       *builder,
           const ChChartItem *item)
{
  if (item->has_value)
    add_number (builder, "value", TRUE, item->value_num);
  else
    ch_admin_json_add_string (builder, "value", item->value_text);
}

static void
add_problems (JsonBuilder          *builder,
              const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->problems->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->problems, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "code", item->code);
      ch_admin_json_add_string (builder, "display", item->display);
      ch_admin_json_add_string (builder, "status", item->clinical_status);
      ch_admin_json_add_string (builder, "onset", item->start_date);
      ch_admin_json_add_string (builder, "resolved", item->end_date);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_allergies (JsonBuilder          *builder,
               const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "allergies");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->allergies->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->allergies, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "substance", item->display);
      ch_admin_json_add_string (builder, "reaction", item->reaction);
      ch_admin_json_add_string (builder, "severity", item->severity);
      ch_admin_json_add_string (builder, "kind", item->kind);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "no_known_allergies");
  json_builder_add_boolean_value (builder, summary->no_known_allergies);
}

static void
add_medications (JsonBuilder          *builder,
                 const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "medications");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->medications->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->medications, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "name", item->display);
      ch_admin_json_add_string (builder, "dose", ch_chart_item_get_detail (item, "dose"));
      ch_admin_json_add_string (builder, "start", item->start_date);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* A trend is -1, 0 or +1 against the value before, null when there is none. */
static void
add_vitals (JsonBuilder        *builder,
            const ChAdminChart *chart)
{
  GPtrArray *vitals = chart->summary->vitals;

  json_builder_set_member_name (builder, "vitals");
  json_builder_begin_array (builder);
  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "code", vital->latest->code);
      add_value (builder, vital->latest);
      ch_admin_json_add_string (builder, "unit", vital->latest->unit);
      json_builder_set_member_name (builder, "trend");
      if (chart->trend_known[i])
        json_builder_add_int_value (builder, vital->trend);
      else
        json_builder_add_null_value (builder);
      ch_admin_json_add_time (builder, "effective_at", vital->latest->effective_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_results (JsonBuilder          *builder,
             const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->recent_results->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->recent_results, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "code", item->code);
      ch_admin_json_add_string (builder, "display", item->display);
      add_value (builder, item);
      ch_admin_json_add_string (builder, "unit", item->unit);
      ch_admin_json_add_string (builder, "flag", item->flag);
      add_number (builder, "low", item->has_range, item->ref_low);
      add_number (builder, "high", item->has_range, item->ref_high);
      ch_admin_json_add_time (builder, "effective_at", item->effective_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_immunizations (JsonBuilder          *builder,
                   const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "immunizations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->immunizations->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->immunizations, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_string (builder, "cvx", item->code);
      ch_admin_json_add_string (builder, "display", item->display);
      ch_admin_json_add_string (builder, "date", item->start_date);
      ch_admin_json_add_string (builder, "status", item->clinical_status);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_encounters (JsonBuilder          *builder,
                const ChChartSummary *summary)
{
  json_builder_set_member_name (builder, "encounters");
  json_builder_begin_array (builder);
  for (guint i = 0; i < summary->encounters->len; i++)
    {
      const ChEncounterRecord *encounter = g_ptr_array_index (summary->encounters, i);

      json_builder_begin_object (builder);
      ch_admin_json_add_time (builder, "start", encounter->start_at);
      ch_admin_json_add_string (builder, "kind", encounter->kind);
      ch_admin_json_add_string (builder, "reason", encounter->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_notes (JsonBuilder *builder,
           GPtrArray   *notes)
{
  const ChNoteRecord *latest = notes->len > 0 ? g_ptr_array_index (notes, 0) : NULL;

  json_builder_set_member_name (builder, "notes");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, notes->len);
  ch_admin_json_add_string (builder, "latest_state", latest != NULL ? latest->state : NULL);
  json_builder_end_object (builder);
}

/* The chart, or null for a reader without clinical access. */
static void
add_chart (JsonBuilder        *builder,
           const ChAdminChart *chart)
{
  json_builder_set_member_name (builder, "chart");
  if (chart == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  add_problems (builder, chart->summary);
  add_allergies (builder, chart->summary);
  add_medications (builder, chart->summary);
  add_vitals (builder, chart);
  add_results (builder, chart->summary);
  add_immunizations (builder, chart->summary);
  add_encounters (builder, chart->summary);
  add_notes (builder, chart->notes);
  json_builder_end_object (builder);
}

/**
 * ch_admin_patient_to_json:
 * @policies: (element-type ChPolicyRecord) (nullable): the patient's insurance
 * @chart: (nullable): the chart summary, %NULL where the reader may not see it
 *
 * Returns: (transfer full): @record, @policies and @chart as one indented
 *   JSON object
 */
char *
ch_admin_patient_to_json (const ChPatientRecord *record,
                          GPtrArray             *policies,
                          const ChAdminChart    *chart)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (record != NULL, NULL);

  json_builder_begin_object (builder);
  ch_admin_json_add_string (builder, "mrn", record->mrn);
  ch_admin_json_add_string (builder, "given_name", record->given_name);
  ch_admin_json_add_string (builder, "family_name", record->family_name);
  ch_admin_json_add_string (builder, "preferred_name", record->preferred_name);
  ch_admin_json_add_string (builder, "birth_date", record->birth_date);
  ch_admin_json_add_string (builder, "sex", record->sex);
  ch_admin_json_add_string (builder, "gender_identity", record->gender_identity);
  ch_admin_json_add_string (builder, "pronouns", record->pronouns);
  add_address (builder, record);
  add_phones (builder, record);
  ch_admin_json_add_string (builder, "email", record->email);
  ch_admin_json_add_string (builder, "language", record->language);
  add_emergency_contact (builder, record);
  ch_admin_json_add_string (builder, "primary_provider", record->primary_provider);
  add_identifiers (builder, record);
  add_insurance (builder, policies);
  add_chart (builder, chart);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, record->version);
  json_builder_end_object (builder);

  return ch_admin_json_text (builder);
}
