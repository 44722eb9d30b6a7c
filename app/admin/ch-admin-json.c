/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-json"

#include "config.h"

#include <json-glib/json-glib.h>

#include "ch-admin-json.h"

/* The patient as scripts read it from "charta-admin patient show --json".
 * Every key is always there, null when the record leaves it unset, so that a
 * script can tell "not given" from "not printed". */

static void
add_string (JsonBuilder *builder,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_address (JsonBuilder           *builder,
             const ChPatientRecord *record)
{
  json_builder_set_member_name (builder, "address");
  json_builder_begin_object (builder);
  add_string (builder, "line", record->address_line);
  add_string (builder, "city", record->city);
  add_string (builder, "region", record->region);
  add_string (builder, "postal_code", record->postal_code);
  add_string (builder, "country", record->country);
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
      add_string (builder, "kind", phone->kind);
      add_string (builder, "number", phone->number);
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
      add_string (builder, "system", identifier->system);
      add_string (builder, "value", identifier->value);
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
  add_string (builder, "name", record->emergency_name);
  add_string (builder, "relation", record->emergency_relation);
  add_string (builder, "phone", record->emergency_phone);
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
      add_string (builder, "payer", policy->payer);
      add_string (builder, "plan", policy->plan);
      add_string (builder, "member_id", policy->member_id);
      add_string (builder, "group_id", policy->group_id);
      add_string (builder, "subscriber_name", policy->subscriber_name);
      add_string (builder, "subscriber_relation", policy->subscriber_relation);
      add_string (builder, "start_date", policy->start_date);
      add_string (builder, "end_date", policy->end_date);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/**
 * ch_admin_patient_to_json:
 * @policies: (element-type ChPolicyRecord) (nullable): the patient's insurance
 *
 * Returns: (transfer full): @record and @policies as one indented JSON object
 */
char *
ch_admin_patient_to_json (const ChPatientRecord *record,
                          GPtrArray             *policies)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "mrn", record->mrn);
  add_string (builder, "given_name", record->given_name);
  add_string (builder, "family_name", record->family_name);
  add_string (builder, "preferred_name", record->preferred_name);
  add_string (builder, "birth_date", record->birth_date);
  add_string (builder, "sex", record->sex);
  add_string (builder, "gender_identity", record->gender_identity);
  add_string (builder, "pronouns", record->pronouns);
  add_address (builder, record);
  add_phones (builder, record);
  add_string (builder, "email", record->email);
  add_string (builder, "language", record->language);
  add_emergency_contact (builder, record);
  add_string (builder, "primary_provider", record->primary_provider);
  add_identifiers (builder, record);
  add_insurance (builder, policies);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, record->version);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}
