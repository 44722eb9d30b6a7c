/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-fhir-import"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-document-db.h"
#include "ch-documents.h"
#include "ch-fhir-db.h"
#include "ch-fhir-import.h"
#include "ch-fhir.h"
#include "ch-lab-db.h"
#include "ch-patients.h"
#include "ch-prescribing.h"
#include "ch-records.h"
#include "ch-schedule.h"
#include "ch-validate.h"

/* The reader of what ch-fhir.c writes. Every resource is read into an
 * Item; the items are grouped by the patient they belong to; each group is
 * then stored in one transaction through the controllers and the db layer,
 * each resource checked as it is stored. A resource that fails records why
 * and the group goes on being checked, so that one import reports every
 * problem of a patient; then the group is rolled back whole.
 *
 * Chart entries are written with the user who recorded them in the file
 * (the audit entry names who imported them): the record keeps its
 * provenance, and exports again as it came. When they were recorded in
 * this practice is, unavoidably, now. */

#define SYSTEM_LOINC        "http://loinc.org"
#define SYSTEM_UCUM         "http://unitsofmeasure.org"
#define SYSTEM_SNOMED       "http://snomed.info/sct"
#define SYSTEM_SUBSCRIBER   "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define SYSTEM_COV_CLASS    "http://terminology.hl7.org/CodeSystem/coverage-class"
#define SYSTEM_V2_0203      "http://terminology.hl7.org/CodeSystem/v2-0203"
#define SYSTEM_INTERP       "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define SYSTEM_OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"
#define SYSTEM_DOC_CATEGORY "urn:charta:document-category"
#define SYSTEM_LAB_PREFIX   "urn:charta:code-system:"
#define SYSTEM_USERNAME     "urn:charta:username"
#define SYSTEM_MRN          "urn:charta:mrn"
#define SYSTEM_PROVIDER     "urn:charta:schedule-provider"
#define SYSTEM_FREQUENCY    "urn:charta:frequency"
#define LOINC_BP_PANEL      "85354-9"
#define SNOMED_NKA          "716186003"

typedef struct
{
  JsonNode   *node;
  JsonObject *object;
  char       *where;
  const char *type;
  const char *id;
  char       *key;       /* "Type/id" */
  char       *patient;   /* the "Patient/id" it belongs to */
  gint64      local_id;  /* once stored: the row */
} Item;

typedef struct
{
  ChSession          *session;
  ChStore            *store;
  const char         *username;
  ChFhirImportResult *result;
  GPtrArray          *items;          /* Item, as read */
  GHashTable         *by_key;         /* "Type/id" → Item */
  GHashTable         *users;          /* "Practitioner/id" → user name (with or without account) */
  GHashTable         *taken;          /* FHIR ids fhir_ids holds (set) */
  GHashTable         *rows;           /* "family:row" made by imports (set) */
  GHashTable         *pending_taken;  /* the same, of the patient being imported */
  GHashTable         *pending_rows;
  GPtrArray          *calendar;       /* ChResource, read when first needed */
  /* The patient being imported. */
  gboolean            failed;
} Import;

static void
item_free (Item *item)
{
  g_clear_pointer (&item->node, json_node_unref);
  g_free (item->where);
  g_free (item->key);
  g_free (item->patient);
  g_free (item);
}

void
ch_fhir_import_issue_free (ChFhirImportIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->where);
  g_free (issue->resource);
  g_free (issue->message);
  g_free (issue);
}

void
ch_fhir_import_result_clear (ChFhirImportResult *result)
{
  g_clear_pointer (&result->rejected, g_ptr_array_unref);
  g_clear_pointer (&result->notes, g_ptr_array_unref);
}

static void
add_issue (GPtrArray  *list,
           const char *where,
           const char *resource,
           const char *message)
{
  ChFhirImportIssue *issue = g_new0 (ChFhirImportIssue, 1);

  issue->where = g_strdup (where ? where : "");
  issue->resource = g_strdup (resource ? resource : "");
  issue->message = g_strdup (message);
  g_ptr_array_add (list, issue);
}

static void
reject (Import     *im,
        Item       *item,
        const char *message)
{
  add_issue (im->result->rejected, item->where, item->key, message);
  im->failed = TRUE;
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CH_FHIR_ERROR, CH_FHIR_ERROR_FAILED, message);
  return FALSE;
}

/* ---- reading JSON without trusting it ------------------------------------------- */

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static const char *
str (JsonObject *object,
     const char *name)
{
  JsonNode *node = member (object, name);

  if (node == NULL || json_node_get_node_type (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
obj (JsonObject *object,
     const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
arr (JsonObject *object,
     const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static guint
arr_len (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
}

static JsonObject *
arr_obj (JsonArray *array,
         guint      i)
{
  JsonNode *node;

  if (array == NULL || i >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, i);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
arr_str (JsonArray *array,
         guint      i)
{
  JsonNode *node;

  if (array == NULL || i >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, i);
  if (json_node_get_node_type (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
first (JsonObject *object,
       const char *name)
{
  return arr_obj (arr (object, name), 0);
}

static gboolean
number (JsonObject *object,
        const char *name,
        double     *out)
{
  JsonNode *node = member (object, name);
  GType type;

  if (node == NULL || json_node_get_node_type (node) != JSON_NODE_VALUE)
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return isfinite (*out);
}

static gboolean
boolean (JsonObject *object,
         const char *name,
         gboolean    fallback)
{
  JsonNode *node = member (object, name);

  if (node == NULL || json_node_get_node_type (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

/* The first coding of @concept in @system (any when %NULL). */
static JsonObject *
coding_in (JsonObject *concept,
           const char *system)
{
  JsonArray *codings = arr (concept, "coding");

  for (guint i = 0; i < arr_len (codings); i++)
    {
      JsonObject *coding = arr_obj (codings, i);

      if (coding != NULL && (system == NULL || g_strcmp0 (str (coding, "system"), system) == 0))
        return coding;
    }
  return NULL;
}

static const char *
code_in (JsonObject *concept,
         const char *system)
{
  return str (coding_in (concept, system), "code");
}

static const char *
reference (JsonObject *object,
           const char *name)
{
  return str (obj (object, name), "reference");
}

/* An instant or dateTime with a time, as µs since the epoch; 0 when none. */
static gint64
parse_instant (const char *text)
{
  g_autoptr (GTimeZone) utc = NULL;
  g_autoptr (GDateTime) dt = NULL;

  if (text == NULL || strchr (text, 'T') == NULL)
    return 0;
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

/* The YYYY-MM-DD of a FHIR date or dateTime, or NULL. */
static char *
date_part (const char *text)
{
  g_autofree char *date = NULL;

  if (text == NULL || strlen (text) < 10)
    return NULL;
  date = g_strndup (text, 10);
  return ch_valid_date (date) ? g_steal_pointer (&date) : NULL;
}

/* Charta's name for a code system URI, as ch-fhir.c writes them. */
static const char *
system_name (const char *uri)
{
  static const char * const map[][2] = {
    { "http://hl7.org/fhir/sid/icd-10-cm", "icd10cm" },
    { SYSTEM_LOINC, "loinc" },
    { "http://hl7.org/fhir/sid/cvx", "cvx" },
    { SYSTEM_SNOMED, "snomed" },
    { "http://www.nlm.nih.gov/research/umls/rxnorm", "rxnorm" },
  };

  if (uri == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (uri, map[i][0]))
      return map[i][1];
  return uri;
}

/* A chart entry's code, system and name from a CodeableConcept. */
static void
item_set_concept (ChChartItem *item,
                  JsonObject  *concept)
{
  JsonObject *coding = coding_in (concept, NULL);
  const char *text = str (concept, "text");

  if (coding != NULL && str (coding, "code") != NULL)
    {
      g_free (item->code_system);
      item->code_system = g_strdup (system_name (str (coding, "system")));
      g_free (item->code);
      item->code = g_strdup (str (coding, "code"));
    }
  g_free (item->display);
  item->display = g_strdup (text != NULL ? text : str (coding, "display"));
}

/* ---- references ---------------------------------------------------------------- */

/* The user name a Practitioner reference names; %NULL for none. An
 * unresolvable one fails the resource: the import would lose who did it. */
static gboolean
practitioner_username (Import      *im,
                       JsonObject  *ref,
                       char       **out,
                       GError     **error)
{
  const char *target = str (ref, "reference");

  *out = NULL;
  if (ref == NULL)
    return TRUE;
  if (target == NULL)
    {
      /* By name only: someone the exporting practice had no account for. */
      *out = g_strdup (str (ref, "display"));
      return TRUE;
    }
  if (!g_hash_table_contains (im->users, target))
    return invalid (error, _("It refers to %s, which is not in the import"), target);
  *out = g_strdup (g_hash_table_lookup (im->users, target));
  return TRUE;
}

/* The row of a resource of this patient stored before, by reference. */
static gboolean
local_target (Import     *im,
              Item       *from,
              const char *target,
              const char *type,
              gint64     *out_id,
              GError    **error)
{
  Item *item;

  *out_id = 0;
  if (target == NULL)
    return TRUE;
  item = g_hash_table_lookup (im->by_key, target);
  if (item == NULL || !g_str_has_prefix (target, type) || target[strlen (type)] != '/')
    return invalid (error, _("It refers to %s, which is not in the import"), target);
  if (g_strcmp0 (item->patient, from->patient) != 0)
    return invalid (error, _("It refers to %s, which is another patient’s"), target);
  if (item->local_id == 0)
    return invalid (error, _("It refers to %s, which was not imported"), target);
  *out_id = item->local_id;
  return TRUE;
}

/* The table the rows of an id prefix are in: the chart's entries share
 * one; "no known allergies" and the Bundle are made from the patient's. */
static const char *
row_family (const char *prefix)
{
  static const char * const chart[] = {
    "condition", "allergy", "medicationstatement", "immunization", "observation", NULL,
  };

  if (g_strv_contains (chart, prefix))
    return "chart";
  if (g_str_equal (prefix, "allergy-nka") || g_str_equal (prefix, "bundle-patient"))
    return "patient";
  return prefix;
}

/* Row @row of @family was made by an import (this patient's, until it
 * commits). */
static void
created (Import     *im,
         const char *family,
         gint64      row)
{
  g_hash_table_add (im->pending_rows, g_strdup_printf ("%s:%" G_GINT64_FORMAT, family, row));
}

static gboolean
imported_row (Import     *im,
              const char *family,
              gint64      row)
{
  g_autofree char *key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, family, row);

  return g_hash_table_contains (im->rows, key) || g_hash_table_contains (im->pending_rows, key);
}

static gboolean
id_taken (Import     *im,
          const char *fhir_id)
{
  return g_hash_table_contains (im->taken, fhir_id)
         || g_hash_table_contains (im->pending_taken, fhir_id);
}

/* Keeps the id @fhir_id a record came with for the row Charta exports as
 * PREFIX-@local_id, so that it exports under that id again. Unless the id
 * is another's: one imported before, or one a record of this practice's
 * own already had (a smaller row of that table that no import made) — a
 * record exported before keeps its id, and the newcomer takes the one
 * Charta gives it. */
static gboolean
remember_id (Import     *im,
             const char *prefix,
             gint64      local_id,
             const char *fhir_id,
             GError    **error)
{
  g_autofree char *local = g_strdup_printf ("%s-%" G_GINT64_FORMAT, prefix, local_id);
  const char *family = row_family (prefix);
  gsize n_prefix = strlen (prefix);

  created (im, family, local_id);
  if (g_str_equal (local, fhir_id) || id_taken (im, fhir_id))
    return TRUE;
  if (g_str_has_prefix (fhir_id, prefix) && fhir_id[n_prefix] == '-')
    {
      guint64 row = 0;

      if (g_ascii_string_to_unsigned (fhir_id + n_prefix + 1, 10, 1, G_MAXINT64, &row, NULL)
          && (gint64) row < local_id && !imported_row (im, family, (gint64) row))
        return TRUE;
    }
  if (!ch_db_fhir_id_insert (im->store, local, fhir_id, error))
    return FALSE;
  g_hash_table_add (im->pending_taken, g_strdup (fhir_id));
  return TRUE;
}

/* What fhir_ids holds: the ids taken, the rows imports made. */
static gboolean
load_ids (Import  *im,
          GError **error)
{
  g_autoptr (GHashTable) map = ch_db_fhir_id_map (im->store, error);
  GHashTableIter iter;
  gpointer key, value;

  if (map == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *dash = strrchr (key, '-');
      g_autofree char *prefix = dash ? g_strndup (key, dash - (const char *) key) : NULL;
      guint64 row = 0;

      g_hash_table_add (im->taken, g_strdup (value));
      if (prefix != NULL && g_ascii_string_to_unsigned (dash + 1, 10, 1, G_MAXINT64, &row, NULL))
        g_hash_table_add (im->rows, g_strdup_printf ("%s:%" G_GUINT64_FORMAT,
                                                     row_family (prefix), row));
    }
  return TRUE;
}

/* The patient's transaction ended: what it made stays, or is gone. */
static void
settle (Import  *im,
        gboolean committed)
{
  GHashTableIter iter;
  gpointer key;

  if (committed)
    {
      g_hash_table_iter_init (&iter, im->pending_taken);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (im->taken, g_strdup (key));
      g_hash_table_iter_init (&iter, im->pending_rows);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (im->rows, g_strdup (key));
    }
  g_hash_table_remove_all (im->pending_taken);
  g_hash_table_remove_all (im->pending_rows);
}

/* ---- Patient and Coverage --------------------------------------------------------- */

static const char *
phone_kind (const char *use)
{
  if (g_strcmp0 (use, "mobile") == 0 || g_strcmp0 (use, "home") == 0
      || g_strcmp0 (use, "work") == 0)
    return use;
  return "other";
}

static gboolean
import_patient_resource (Import     *im,
                         Item       *item,
                         gint64      patient_id,
                         GError    **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChPatientRecord) p = ch_patient_record_new ();
  JsonArray *list;
  g_autofree char *provider = NULL;
  g_autofree char *bundle = NULL;

  list = arr (r, "identifier");
  for (guint i = 0; i < arr_len (list); i++)
    {
      JsonObject *identifier = arr_obj (list, i);
      const char *value = str (identifier, "value");

      if (value == NULL)
        continue;
      if (g_strcmp0 (str (identifier, "system"), SYSTEM_MRN) == 0
          || g_strcmp0 (code_in (obj (identifier, "type"), SYSTEM_V2_0203), "MR") == 0)
        {
          if (p->mrn == NULL)
            p->mrn = g_strdup (value);
        }
      else
        ch_patient_record_add_identifier (p, str (obj (identifier, "type"), "text")
                                             ? str (obj (identifier, "type"), "text") : "other",
                                          value);
    }
  if (p->mrn == NULL)
    return invalid (error,
                    _("The patient has no medical record number (an identifier of type MR)"));

  list = arr (r, "name");
  for (guint i = 0; i < arr_len (list); i++)
    {
      JsonObject *name = arr_obj (list, i);
      const char *use = str (name, "use");

      if (g_strcmp0 (use, "usual") == 0)
        {
          if (p->preferred_name == NULL)
            p->preferred_name = g_strdup (arr_str (arr (name, "given"), 0));
        }
      else if (p->family_name == NULL && p->given_name == NULL)
        {
          p->family_name = g_strdup (str (name, "family"));
          p->given_name = g_strdup (arr_str (arr (name, "given"), 0));
        }
    }
  if (!ch_has_text (p->family_name) && !ch_has_text (p->given_name))
    return invalid (error, _("The patient has no name"));

  list = arr (r, "telecom");
  for (guint i = 0; i < arr_len (list); i++)
    {
      JsonObject *telecom = arr_obj (list, i);
      const char *system = str (telecom, "system");
      const char *value = str (telecom, "value");

      if (value == NULL)
        continue;
      if (g_strcmp0 (system, "email") == 0 && p->email == NULL)
        p->email = g_strdup (value);
      else if (g_strcmp0 (system, "phone") == 0)
        ch_patient_record_add_phone (p, phone_kind (str (telecom, "use")), value);
    }

  p->sex = g_strdup (str (r, "gender"));
  p->birth_date = g_strdup (str (r, "birthDate"));
  if (p->birth_date != NULL && !ch_valid_date (p->birth_date))
    return invalid (error, _("The birth date “%s” is not a date Charta can keep (YYYY-MM-DD)"),
                    p->birth_date);
  {
    JsonObject *address = first (r, "address");

    p->address_line = g_strdup (arr_str (arr (address, "line"), 0));
    p->city = g_strdup (str (address, "city"));
    p->region = g_strdup (str (address, "state"));
    p->postal_code = g_strdup (str (address, "postalCode"));
    p->country = g_strdup (str (address, "country"));
  }
  {
    JsonObject *photo = first (r, "photo");
    const char *data = str (photo, "data");

    if (data != NULL)
      {
        gsize size = 0;
        guchar *bytes = g_base64_decode (data, &size);

        p->photo = g_bytes_new_take (bytes, size);
        if (!ch_patients_photo_ok (p->photo))
          return invalid (error,
                          _("The patient’s photo is not a PNG or JPEG image of at most 1 MB"));
      }
  }
  {
    JsonObject *contact = first (r, "contact");
    JsonArray *relations = arr (contact, "relationship");

    for (guint i = 0; i < arr_len (relations); i++)
      {
        JsonObject *relation = arr_obj (relations, i);

        if (coding_in (relation, NULL) == NULL && str (relation, "text") != NULL)
          p->emergency_relation = g_strdup (str (relation, "text"));
      }
    p->emergency_name = g_strdup (str (obj (contact, "name"), "text"));
    p->emergency_phone = g_strdup (str (first (contact, "telecom"), "value"));
  }
  p->language = g_strdup (code_in (obj (first (r, "communication"), "language"), NULL));

  if (!practitioner_username (im, first (r, "generalPractitioner"), &provider, error))
    return FALSE;
  p->primary_provider = g_steal_pointer (&provider);

  if (!ch_patients_register (im->session, p, error))
    return FALSE;
  item->local_id = p->id;
  /* Its Bundle's id is made from the patient's. */
  bundle = g_strconcat ("bundle-", item->id, NULL);
  return remember_id (im, "patient", p->id, item->id, error)
         && remember_id (im, "bundle-patient", p->id, bundle, error);
}

static gboolean
import_coverage (Import  *im,
                 Item    *item,
                 gint64   patient_id,
                 GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  JsonObject *period = obj (r, "period");
  JsonArray *classes = arr (r, "class");
  double order = 0;

  policy->patient_id = patient_id;
  policy->payer = g_strdup (str (first (r, "payor"), "display"));
  if (!ch_has_text (policy->payer))
    return invalid (error, _("The coverage names no payer (payor.display)"));
  policy->member_id = g_strdup (str (r, "subscriberId"));
  policy->subscriber_relation = g_strdup (code_in (obj (r, "relationship"), SYSTEM_SUBSCRIBER));
  if (g_strcmp0 (policy->subscriber_relation, "self") != 0)
    policy->subscriber_name = g_strdup (str (obj (r, "subscriber"), "display"));
  policy->start_date = g_strdup (str (period, "start"));
  policy->end_date = g_strdup (str (period, "end"));
  for (guint i = 0; i < arr_len (classes); i++)
    {
      JsonObject *klass = arr_obj (classes, i);
      const char *kind = code_in (obj (klass, "type"), SYSTEM_COV_CLASS);

      if (g_strcmp0 (kind, "group") == 0)
        policy->group_id = g_strdup (str (klass, "value"));
      else if (g_strcmp0 (kind, "plan") == 0)
        policy->plan = g_strdup (str (klass, "value"));
    }
  if (number (r, "order", &order) && order >= 1 && order < 100)
    policy->priority = (int) order;

  if (!ch_patients_add_policy (im->session, policy, error))
    return FALSE;
  item->local_id = policy->id;
  return remember_id (im, "coverage", policy->id, item->id, error);
}

/* ---- Encounter -------------------------------------------------------------------- */

static gboolean
import_encounter (Import  *im,
                  Item    *item,
                  gint64   patient_id,
                  GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChEncounterRecord) e = ch_encounter_record_new ();
  g_autofree char *provider = NULL;
  const char *start = str (obj (r, "period"), "start");

  e->patient_id = patient_id;
  e->kind = g_strdup (str (first (r, "type"), "text"));
  e->reason = g_strdup (str (first (r, "reasonCode"), "text"));
  e->start_at = parse_instant (start);
  if (e->start_at == 0)
    return invalid (error, _("The encounter has no start time (period.start)"));
  if (!practitioner_username (im, obj (first (r, "participant"), "individual"), &provider, error))
    return FALSE;
  e->provider = g_steal_pointer (&provider);

  if (!ch_chart_add_encounter (im->session, e, error))
    return FALSE;
  item->local_id = e->id;
  return remember_id (im, "encounter", e->id, item->id, error);
}

/* ---- the chart ---------------------------------------------------------------------- */

static gboolean
one_of (const char *value,
        ...)
{
  va_list args;
  const char *option;
  gboolean found = FALSE;

  va_start (args, value);
  while (!found && (option = va_arg (args, const char *)) != NULL)
    found = g_strcmp0 (value, option) == 0;
  va_end (args);
  return found;
}

/* Stores @entry as recorded by the user the file names: the db layer,
 * since the chart's controller records entries as the session's user. The
 * checks the controller makes of a new entry are made here first. */
static gboolean
store_entry (Import      *im,
             Item        *item,
             ChChartItem *entry,
             const char  *recorder,
             const char  *prefix,
             GError     **error)
{
  if ((entry->start_date != NULL && !ch_valid_date (entry->start_date))
      || (entry->end_date != NULL && !ch_valid_date (entry->end_date)))
    return invalid (error, _("Dates are written YYYY-MM-DD"));
  if (entry->start_date != NULL && entry->end_date != NULL
      && strcmp (entry->start_date, entry->end_date) > 0)
    return invalid (error, _("The end date is before the start date"));
  /* When it was first recorded, as the export says (entry->recorded_at,
   * set by the caller), stays: it is the record's history. */
  if (!ch_db_chart_insert_recorded (im->store, entry,
                                    ch_has_text (recorder) ? recorder : im->username,
                                    entry->recorded_at, error))
    return FALSE;
  created (im, "chart", entry->id);
  if (item->local_id == 0)
    item->local_id = entry->id;
  return prefix == NULL || remember_id (im, prefix, entry->id, item->id, error);
}

static gboolean
entry_common (Import      *im,
              Item        *item,
              ChChartItem *entry,
              gint64       patient_id,
              const char  *recorder_member,
              char       **out_recorder,
              GError     **error)
{
  const char *encounter = reference (item->object, "encounter");
  JsonObject *recorder = obj (item->object, recorder_member);

  entry->patient_id = patient_id;
  if (recorder == NULL)
    recorder = first (item->object, recorder_member);
  return local_target (im, item, encounter, "Encounter", &entry->encounter_id, error)
         && practitioner_username (im, recorder, out_recorder, error);
}

static gboolean
import_condition (Import  *im,
                  Item    *item,
                  gint64   patient_id,
                  GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChChartItem) entry = ch_chart_item_new (CH_SECTION_PROBLEM);
  g_autofree char *recorder = NULL;
  const char *status = code_in (obj (r, "clinicalStatus"), NULL);

  if (!entry_common (im, item, entry, patient_id, "recorder", &recorder, error))
    return FALSE;
  item_set_concept (entry, obj (r, "code"));
  if (!ch_has_text (entry->display))
    return invalid (error, _("The condition has no name (code.text)"));
  entry->clinical_status = g_strdup (g_strcmp0 (status, "resolved") == 0
                                     || g_strcmp0 (status, "inactive") == 0
                                     || g_strcmp0 (status, "remission") == 0 ? "resolved"
                                                                            : "active");
  entry->start_date = date_part (str (r, "onsetDateTime"));
  entry->end_date = date_part (str (r, "abatementDateTime"));
  entry->effective_at = parse_instant (str (r, "recordedDate"));
  entry->recorded_at = entry->effective_at;
  return store_entry (im, item, entry, recorder, "condition", error);
}

static gboolean
import_allergy (Import  *im,
                Item    *item,
                gint64   patient_id,
                GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChChartItem) entry = ch_chart_item_new (CH_SECTION_ALLERGY);
  g_autofree char *recorder = NULL;
  const char *status = code_in (obj (r, "clinicalStatus"), NULL);
  const char *category = arr_str (arr (r, "category"), 0);
  JsonObject *reaction = first (r, "reaction");
  const char *severity = str (reaction, "severity");

  if (!entry_common (im, item, entry, patient_id, "recorder", &recorder, error))
    return FALSE;

  /* "No known allergies": the chart's flag, not an entry. */
  if (g_strcmp0 (code_in (obj (r, "code"), SYSTEM_SNOMED), SNOMED_NKA) == 0)
    {
      if (!ch_db_chart_flag_set (im->store, patient_id, "no-known-allergies", "yes",
                                 ch_has_text (recorder) ? recorder : im->username, error))
        return FALSE;
      item->local_id = patient_id;
      return remember_id (im, "allergy-nka", patient_id, item->id, error);
    }

  item_set_concept (entry, obj (r, "code"));
  if (!ch_has_text (entry->display))
    return invalid (error, _("The allergy names no substance (code.text)"));
  entry->clinical_status = g_strdup (g_strcmp0 (status, "inactive") == 0
                                     || g_strcmp0 (status, "resolved") == 0 ? "inactive"
                                                                            : "active");
  entry->kind = g_strdup (g_strcmp0 (category, "medication") == 0 ? "drug"
                          : g_strcmp0 (category, "food") == 0 ? "food"
                          : g_strcmp0 (category, "environment") == 0 ? "environment"
                          : "other");
  if (one_of (severity, "mild", "moderate", "severe", NULL))
    entry->severity = g_strdup (severity);
  else if (g_strcmp0 (str (r, "criticality"), "high") == 0)
    entry->severity = g_strdup ("severe");
  entry->reaction = g_strdup (str (first (reaction, "manifestation"), "text"));
  entry->start_date = date_part (str (r, "onsetDateTime"));
  entry->effective_at = parse_instant (str (r, "recordedDate"));
  entry->recorded_at = entry->effective_at;
  return store_entry (im, item, entry, recorder, "allergy", error);
}

static gboolean
import_medication_statement (Import  *im,
                             Item    *item,
                             gint64   patient_id,
                             GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChChartItem) entry = ch_chart_item_new (CH_SECTION_MEDICATION);
  g_autofree char *recorder = NULL;
  JsonObject *period = obj (r, "effectivePeriod");
  const char *dose = str (first (r, "dosage"), "text");

  if (!entry_common (im, item, entry, patient_id, "informationSource", &recorder, error))
    return FALSE;
  item_set_concept (entry, obj (r, "medicationCodeableConcept"));
  if (!ch_has_text (entry->display))
    return invalid (error, _("The medication has no name (medicationCodeableConcept.text)"));
  entry->clinical_status = g_strdup (g_strcmp0 (str (r, "status"), "stopped") == 0
                                     || g_strcmp0 (str (r, "status"), "completed") == 0
                                     ? "stopped" : "active");
  entry->start_date = date_part (str (period, "start"));
  entry->end_date = date_part (str (period, "end"));
  entry->effective_at = parse_instant (str (r, "dateAsserted"));
  entry->recorded_at = entry->effective_at;
  if (dose != NULL)
    ch_chart_item_set_detail (entry, "dose", dose);
  return store_entry (im, item, entry, recorder, "medicationstatement", error);
}

static gboolean
import_immunization (Import  *im,
                     Item    *item,
                     gint64   patient_id,
                     GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChChartItem) entry = ch_chart_item_new (CH_SECTION_IMMUNIZATION);
  g_autofree char *recorder = NULL;
  const char *occurrence = str (r, "occurrenceDateTime");
  const char *detail;

  if (!entry_common (im, item, entry, patient_id, "performer", &recorder, error))
    return FALSE;
  item_set_concept (entry, obj (r, "vaccineCode"));
  if (g_strcmp0 (entry->display, "unknown vaccine") == 0 && entry->code == NULL)
    return invalid (error, _("The immunization names no vaccine"));
  if (g_strcmp0 (str (r, "status"), "not-done") == 0)
    entry->clinical_status = g_strdup ("refused");
  else if (!boolean (r, "primarySource", TRUE))
    entry->clinical_status = g_strdup ("historical");
  else
    entry->clinical_status = g_strdup ("given");
  entry->start_date = date_part (occurrence);
  if (entry->start_date == NULL)
    return invalid (error, _("The immunization has no date (occurrenceDateTime)"));
  entry->effective_at = parse_instant (occurrence);
  entry->recorded_at = parse_instant (str (r, "recorded"));
  if ((detail = str (r, "lotNumber")) != NULL)
    ch_chart_item_set_detail (entry, "lot", detail);
  if ((detail = str (obj (r, "site"), "text")) != NULL)
    ch_chart_item_set_detail (entry, "site", detail);
  if ((detail = str (obj (r, "route"), "text")) != NULL)
    ch_chart_item_set_detail (entry, "route", detail);
  return store_entry (im, item, entry, recorder, "immunization", error);
}

/* One vital sign: the LOINC code of @concept, the value of @quantity. */
static gboolean
vital_entry (Import       *im,
             Item         *item,
             ChChartItem  *entry,
             JsonObject   *concept,
             JsonObject   *quantity,
             GError      **error)
{
  const char *code = code_in (concept, SYSTEM_LOINC);

  if (code == NULL)
    return invalid (error, _("The vital sign has no LOINC code"));
  if (!number (quantity, "value", &entry->value_num))
    return invalid (error, _("The vital sign %s has no value (valueQuantity.value)"), code);
  entry->has_value = TRUE;
  entry->code_system = g_strdup ("loinc");
  entry->code = g_strdup (code);
  entry->display = g_strdup (str (coding_in (concept, SYSTEM_LOINC), "display"));
  entry->unit = g_strdup (str (quantity, "code") ? str (quantity, "code") : str (quantity, "unit"));
  return TRUE;
}

static gboolean
import_vital (Import  *im,
              Item    *item,
              gint64   patient_id,
              GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChChartItem) entry = ch_chart_item_new (CH_SECTION_VITAL);
  g_autofree char *recorder = NULL;
  JsonObject *code = obj (r, "code");
  gint64 effective_at = parse_instant (str (r, "effectiveDateTime"));

  if (!entry_common (im, item, entry, patient_id, "performer", &recorder, error))
    return FALSE;
  if (effective_at == 0)
    return invalid (error, _("The vital sign has no time (effectiveDateTime)"));
  entry->effective_at = effective_at;
  entry->recorded_at = parse_instant (str (r, "issued"));

  if (g_strcmp0 (code_in (code, SYSTEM_LOINC), LOINC_BP_PANEL) == 0)
    {
      JsonArray *components = arr (r, "component");
      gint64 first_id = 0;

      if (arr_len (components) == 0)
        return invalid (error, _("The blood pressure has no components"));
      for (guint i = 0; i < arr_len (components); i++)
        {
          JsonObject *component = arr_obj (components, i);
          g_autoptr (ChChartItem) part = ch_chart_item_new (CH_SECTION_VITAL);

          part->patient_id = patient_id;
          part->encounter_id = entry->encounter_id;
          part->effective_at = effective_at;
          part->recorded_at = entry->recorded_at;
          if (!vital_entry (im, item, part, obj (component, "code"),
                            obj (component, "valueQuantity"), error)
              || !store_entry (im, item, part, recorder, NULL, error))
            return FALSE;
          if (first_id == 0)
            first_id = part->id;
        }
      return remember_id (im, "observation", first_id, item->id, error);
    }

  if (!vital_entry (im, item, entry, code, obj (r, "valueQuantity"), error))
    return FALSE;
  return store_entry (im, item, entry, recorder, "observation", error);
}

/* ---- laboratory results ---------------------------------------------------------- */

/* HL7 table 0085 of an Observation status, as ch-fhir.c maps it. */
static const char *
result_status_code (const char *status)
{
  static const char * const map[][2] = {
    { "final", "F" }, { "corrected", "C" }, { "amended", "C" }, { "preliminary", "P" },
    { "registered", "I" }, { "cancelled", "X" }, { "entered-in-error", "W" }, { "unknown", "F" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (status, map[i][0]) == 0)
      return map[i][1];
  return NULL;
}

/* HL7 table 0123 of a DiagnosticReport status. */
static const char *
report_status_code (const char *status)
{
  static const char * const map[][2] = {
    { "final", "F" }, { "corrected", "C" }, { "amended", "C" }, { "appended", "C" },
    { "partial", "A" }, { "preliminary", "P" }, { "registered", "I" }, { "cancelled", "X" },
    { "entered-in-error", "X" }, { "unknown", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (status, map[i][0]) == 0)
      return map[i][1];
  return NULL;
}

/* An HL7 coding system back from ch-fhir.c's URI for it. */
static char *
lab_system (JsonObject *coding)
{
  const char *uri = str (coding, "system");

  if (uri == NULL)
    return g_strdup ("");
  if (g_str_equal (uri, SYSTEM_LOINC))
    return g_strdup ("LN");
  if (g_str_has_prefix (uri, SYSTEM_LAB_PREFIX))
    return g_strdup (uri + strlen (SYSTEM_LAB_PREFIX));
  return g_strdup (uri);
}

/* A FHIR dateTime as lab_* rows keep it: the text, and the instant. */
static void
lab_time (const char *text,
          char      **out_iso,
          gboolean   *out_has_ts,
          gint64     *out_ts)
{
  *out_iso = g_strdup (text ? text : "");
  *out_has_ts = FALSE;
  *out_ts = 0;
  if (text == NULL)
    return;
  if (strchr (text, 'T') != NULL)
    *out_ts = parse_instant (text);
  else
    {
      g_autofree char *date = date_part (text);
      g_autoptr (GDateTime) dt = NULL;
      g_autoptr (GTimeZone) tz = g_time_zone_new_local ();

      if (date != NULL)
        dt = g_date_time_new (tz, atoi (date), atoi (date + 5), atoi (date + 8), 0, 0, 0);
      if (dt != NULL)
        *out_ts = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
    }
  *out_has_ts = *out_ts != 0;
}

static gboolean
import_lab_result (Import            *im,
                   Item              *item,
                   const ChLabReport *report,
                   gint               set_id,
                   GError           **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChLabResult) result = ch_lab_result_new ();
  JsonObject *code = obj (r, "code");
  JsonObject *coding = coding_in (code, NULL);
  JsonObject *quantity = obj (r, "valueQuantity");
  const char *status = result_status_code (str (r, "status"));
  JsonArray *interpretations = arr (r, "interpretation");
  g_autoptr (GString) flags = g_string_new (NULL);
  JsonArray *notes = arr (r, "note");
  g_autoptr (GString) comments = g_string_new (NULL);
  const char *derived = str (first (r, "derivedFrom"), "reference");

  if (status == NULL)
    return invalid (error, _("The result’s status “%s” is not one of FHIR’s"),
                    str (r, "status") ? str (r, "status") : "");
  result->report_id = report->id;
  result->patient_id = report->patient_id;
  result->has_set_id = TRUE;
  result->set_id = set_id;
  result->code = g_strdup (str (coding, "code") ? str (coding, "code") : "");
  result->text = g_strdup (str (code, "text") ? str (code, "text") : "");
  result->system = lab_system (coding);
  if (!ch_has_text (result->code) && !ch_has_text (result->text))
    return invalid (error, _("The result names no test (code)"));
  result->sub_id = g_strdup ("");
  result->status = g_strdup (status);
  if (quantity != NULL)
    {
      if (!number (quantity, "value", &result->numeric_value))
        return invalid (error, _("The result’s quantity has no value"));
      result->has_numeric_value = TRUE;
      result->value_type = g_strdup ("NM");
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        result->value = g_strdup (g_ascii_dtostr (buf, sizeof buf, result->numeric_value));
      }
      result->units = g_strdup (str (quantity, "code") ? str (quantity, "code")
                                : str (quantity, "unit") ? str (quantity, "unit") : "");
    }
  else
    {
      result->value_type = g_strdup (str (r, "valueString") ? "ST" : "");
      result->value = g_strdup (str (r, "valueString"));
      result->units = g_strdup ("");
    }
  result->reference_range = g_strdup (str (first (r, "referenceRange"), "text")
                                      ? str (first (r, "referenceRange"), "text") : "");
  for (guint i = 0; i < arr_len (interpretations); i++)
    {
      JsonObject *concept = arr_obj (interpretations, i);
      const char *flag = code_in (concept, SYSTEM_INTERP) ? code_in (concept, SYSTEM_INTERP)
                                                           : str (concept, "text");

      if (flag == NULL)
        continue;
      if (flags->len > 0)
        g_string_append_c (flags, '~');
      g_string_append (flags, flag);
    }
  result->abnormal_flags = g_strdup (flags->str);
  for (guint i = 0; i < arr_len (notes); i++)
    {
      const char *text = str (arr_obj (notes, i), "text");

      if (text == NULL)
        continue;
      if (comments->len > 0)
        g_string_append_c (comments, '\n');
      g_string_append (comments, text);
    }
  result->comments = g_strdup (comments->str);
  lab_time (str (r, "effectiveDateTime"), &result->observed_at, &result->has_observed_ts,
            &result->observed_ts);
  /* The report as a document: filed with this import when its bytes came. */
  if (derived != NULL && g_str_has_prefix (derived, "DocumentReference/"))
    {
      Item *document = g_hash_table_lookup (im->by_key, derived);

      if (document != NULL && g_strcmp0 (document->patient, item->patient) == 0)
        result->document_id = document->local_id;
    }
  /* As ch-labs.c keys a result, so that a correction the lab sends later
   * by HL7 replaces this one. */
  {
    const char *order = ch_has_text (report->filler_number) ? report->filler_number
                                                             : report->placer_number;
    const char *test = ch_has_text (result->code) ? result->code : result->text;

    result->match_key = ch_has_text (order) ? g_strdup_printf ("%s\x1f%s\x1f", order, test)
                                            : g_strdup ("");
  }
  result->current = TRUE;

  if (!ch_db_lab_result_insert (im->store, result, 0, error))
    return FALSE;
  item->local_id = result->id;
  return remember_id (im, "labresult", result->id, item->id, error);
}

static gboolean
import_diagnostic_report (Import  *im,
                          Item    *item,
                          gint64   patient_id,
                          GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChLabReport) report = ch_lab_report_new ();
  g_autoptr (ChLabMessage) message = ch_lab_message_new ();
  g_autoptr (JsonArray) all = json_array_new ();
  g_autoptr (JsonNode) all_node = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GPtrArray) observations = g_ptr_array_new ();
  JsonArray *identifiers = arr (r, "identifier");
  JsonArray *results = arr (r, "result");
  JsonObject *code = obj (r, "code");
  JsonObject *coding = coding_in (code, NULL);
  const char *status = report_status_code (str (r, "status"));
  gboolean has_ts = FALSE;
  char *text;

  if (status == NULL)
    return invalid (error, _("The report’s status “%s” is not one of FHIR’s"),
                    str (r, "status") ? str (r, "status") : "");
  if (code == NULL)
    return invalid (error, _("The report names no test (code)"));

  /* Every result first: one that is missing fails the report. */
  json_array_add_element (all, json_node_copy (item->node));
  for (guint i = 0; i < arr_len (results); i++)
    {
      const char *target = str (arr_obj (results, i), "reference");
      Item *observation = target ? g_hash_table_lookup (im->by_key, target) : NULL;

      if (observation == NULL || !g_str_equal (observation->type, "Observation"))
        return invalid (error, _("It refers to %s, which is not in the import"),
                        target ? target : _("a result without a reference"));
      if (g_strcmp0 (observation->patient, item->patient) != 0)
        return invalid (error, _("It refers to %s, which is another patient’s"), target);
      g_ptr_array_add (observations, observation);
      json_array_add_element (all, json_node_copy (observation->node));
    }

  /* Logged as received, as results that come by HL7 are: the report and
   * its results, as the file had them. */
  all_node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (all_node, all);
  text = ch_fhir_to_string (all_node, NULL);
  raw = g_bytes_new_take (text, strlen (text));
  message->source = g_strdup ("cli");
  message->message_type = g_strdup ("FHIR R4 DiagnosticReport");
  message->control_id = g_strdup (item->id);
  message->outcome = g_strdup ("imported");
  message->patient_id = patient_id;
  message->processed_by = g_strdup (im->username);
  if (!ch_db_lab_message_insert (im->store, message, raw, error))
    return FALSE;

  report->patient_id = patient_id;
  report->message_id = message->id;
  for (guint i = 0; i < arr_len (identifiers); i++)
    {
      JsonObject *identifier = arr_obj (identifiers, i);
      const char *kind = code_in (obj (identifier, "type"), SYSTEM_V2_0203);

      if (g_strcmp0 (kind, "PLAC") == 0 && report->placer_number == NULL)
        report->placer_number = g_strdup (str (identifier, "value"));
      else if (g_strcmp0 (kind, "FILL") == 0 && report->filler_number == NULL)
        report->filler_number = g_strdup (str (identifier, "value"));
    }
  report->test_code = g_strdup (str (coding, "code"));
  report->test_text = g_strdup (str (code, "text"));
  report->test_system = lab_system (coding);
  lab_time (str (r, "effectiveDateTime"), &report->observed_at, &has_ts, &report->observed_ts);
  report->has_observed_ts = has_ts;
  report->reported_at = g_strdup (str (r, "issued"));
  report->result_status = g_strdup (status);
  report->comments = g_strdup (str (r, "conclusion"));
  if (!ch_db_lab_report_insert (im->store, report, error))
    return FALSE;
  item->local_id = report->id;
  if (!remember_id (im, "labreport", report->id, item->id, error))
    return FALSE;

  for (guint i = 0; i < observations->len; i++)
    {
      Item *observation = observations->pdata[i];
      g_autoptr (GError) local_error = NULL;

      if (observation->local_id != 0)
        continue;
      if (!import_lab_result (im, observation, report, (gint) i + 1, &local_error))
        {
          reject (im, observation, local_error->message);
          observation->local_id = -1;
        }
    }
  return TRUE;
}

/* ---- documents ---------------------------------------------------------------------- */

static gboolean
import_document (Import  *im,
                 Item    *item,
                 gint64   patient_id,
                 GError **error)
{
  JsonObject *r = item->object;
  JsonObject *attachment = obj (first (r, "content"), "attachment");
  const char *data = str (attachment, "data");
  const char *hash = str (attachment, "hash");
  g_autofree char *date = date_part (str (attachment, "creation"));
  g_autoptr (GBytes) bytes = NULL;
  gsize size = 0;
  guchar *decoded;
  double declared = -1;
  ChDocumentMeta meta = { 0 };
  gint64 filed_at;
  gint64 id = 0;

  decoded = g_base64_decode (data, &size);
  bytes = g_bytes_new_take (decoded, size);
  if (number (attachment, "size", &declared) && (gsize) declared != size)
    return invalid (error, _("The document’s content is %lu bytes, not the %.0f its size says"),
                    (unsigned long) size, declared);
  if (hash != NULL)
    {
      guint8 digest[20];
      gsize digest_len = sizeof digest;
      g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
      g_autofree char *sha1 = NULL;

      g_checksum_update (checksum, decoded, size);
      g_checksum_get_digest (checksum, digest, &digest_len);
      sha1 = g_base64_encode (digest, digest_len);
      if (!g_str_equal (sha1, hash))
        return invalid (error, _("The document’s content does not match its hash"));
    }

  meta.category = code_in (first (r, "category"), SYSTEM_DOC_CATEGORY);
  if (meta.category != NULL && !ch_documents_valid_category (meta.category))
    meta.category = "other";
  meta.date = date;
  meta.title = str (attachment, "title") ? str (attachment, "title") : str (r, "description");
  meta.author = str (first (r, "author"), "display");
  meta.source = str (first (obj (r, "context"), "related"), "display");
  meta.content_type = str (attachment, "contentType");

  if (!ch_documents_import (im->session, patient_id, &meta, NULL, bytes, &id, error))
    return FALSE;
  /* When it was filed in the system it comes from stays its history. */
  filed_at = parse_instant (str (r, "date"));
  if (filed_at > 0 && !ch_db_document_set_filed_at (im->store, id, filed_at, error))
    return FALSE;
  item->local_id = id;
  return remember_id (im, "documentreference", id, item->id, error);
}

/* ---- prescriptions ---------------------------------------------------------------------- */

/* A prescription of the file, on record as it was written and signed
 * there: no checks against the knowledge base are made again, nor does it
 * add to the medication list (its MedicationStatement does). What the
 * store stamps when a prescription is signed here — its number, the time —
 * is new. */
static gboolean
import_medication_request (Import  *im,
                           Item    *item,
                           gint64   patient_id,
                           GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChPrescription) rx = ch_prescription_new ();
  JsonObject *dosage = first (r, "dosageInstruction");
  JsonObject *dose = obj (first (dosage, "doseAndRate"), "doseQuantity");
  JsonObject *dispense = obj (r, "dispenseRequest");
  const char *status = str (r, "status");
  g_autofree char *prescriber = NULL;
  g_autofree char *recorder = NULL;
  double number_value = 0;

  if (!ch_session_check (im->session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!one_of (status, "draft", "active", "completed", "stopped", NULL))
    return invalid (error, _("A prescription that is “%s” is not one Charta keeps"),
                    status ? status : "");
  rx->patient_id = patient_id;
  rx->drug_id = g_strdup ("");
  rx->drug_name = g_strdup (str (obj (r, "medicationCodeableConcept"), "text"));
  if (!ch_has_text (rx->drug_name))
    return invalid (error, _("The prescription names no medication "
                             "(medicationCodeableConcept.text)"));
  rx->route = g_strdup (str (obj (dosage, "route"), "text"));
  rx->dose = NAN;
  if (number (dose, "value", &number_value))
    {
      rx->dose = number_value;
      rx->dose_unit = g_strdup (str (dose, "unit"));
    }
  rx->frequency = g_strdup (code_in (obj (obj (dosage, "timing"), "code"), SYSTEM_FREQUENCY));
  rx->as_needed = boolean (dosage, "asNeededBoolean", FALSE);
  rx->instructions = g_strdup (str (dosage, "patientInstruction"));
  rx->quantity = NAN;
  if (number (obj (dispense, "quantity"), "value", &number_value))
    {
      rx->quantity = number_value;
      rx->quantity_unit = g_strdup (str (obj (dispense, "quantity"), "unit"));
    }
  if (number (obj (dispense, "expectedSupplyDuration"), "value", &number_value)
      && number_value >= 1 && number_value <= 3650)
    rx->duration_days = (int) number_value;
  rx->refills = number (dispense, "numberOfRepeatsAllowed", &number_value)
                && number_value >= 0 && number_value <= 99 ? (int) number_value : 0;
  rx->substitution = boolean (obj (r, "substitution"), "allowedBoolean", TRUE);
  rx->indication = g_strdup (str (first (r, "reasonCode"), "text"));
  if (!practitioner_username (im, obj (r, "requester"), &prescriber, error)
      || !practitioner_username (im, obj (r, "recorder"), &recorder, error)
      || !local_target (im, item, reference (r, "priorPrescription"), "MedicationRequest",
                        &rx->replaces_id, error))
    return FALSE;
  if (!ch_has_text (prescriber))
    return invalid (error, _("The prescription names no prescriber (requester)"));

  if (!ch_db_prescription_insert (im->store, rx, ch_has_text (recorder) ? recorder : prescriber,
                                  error))
    return FALSE;
  item->local_id = rx->id;
  if (!g_str_equal (status, "draft"))
    {
      gint64 medication_item_id = 0;

      /* The medication list's entry that the signature put there. */
      for (guint i = 0; i < im->items->len && medication_item_id == 0; i++)
        {
          Item *statement = im->items->pdata[i];
          JsonArray *based_on;

          if (!g_str_equal (statement->type, "MedicationStatement")
              || g_strcmp0 (statement->patient, item->patient) != 0 || statement->local_id <= 0)
            continue;
          based_on = arr (statement->object, "basedOn");
          for (guint j = 0; j < arr_len (based_on); j++)
            if (g_strcmp0 (str (arr_obj (based_on, j), "reference"), item->key) == 0)
              medication_item_id = statement->local_id;
        }
      if (!ch_db_prescription_sign (im->store, rx->id, prescriber, medication_item_id, error))
        return FALSE;
    }
  if (g_str_equal (status, "completed")
      && !ch_db_prescription_end (im->store, rx->id, "replaced", NULL, prescriber, error))
    return FALSE;
  if (g_str_equal (status, "stopped")
      && !ch_db_prescription_end (im->store, rx->id, "stopped",
                                  str (obj (r, "statusReason"), "text"), prescriber, error))
    return FALSE;
  return remember_id (im, "medicationrequest", rx->id, item->id, error);
}

/* ---- appointments ---------------------------------------------------------------------- */

static gboolean
load_calendar (Import  *im,
               GError **error)
{
  if (im->calendar != NULL)
    return TRUE;
  im->calendar = ch_schedule_list_resources (im->session, NULL, error);
  return im->calendar != NULL;
}

/* The calendar's provider a participant names: by the account it is, or by
 * its own id (a provider without an account). */
static const ChResource *
find_provider (Import     *im,
               const char *target)
{
  Item *practitioner = target ? g_hash_table_lookup (im->by_key, target) : NULL;
  JsonArray *identifiers = practitioner ? arr (practitioner->object, "identifier") : NULL;

  for (guint i = 0; i < arr_len (identifiers); i++)
    {
      JsonObject *identifier = arr_obj (identifiers, i);
      const char *system = str (identifier, "system");
      const char *value = str (identifier, "value");

      for (guint j = 0; value != NULL && j < im->calendar->len; j++)
        {
          const ChResource *resource = im->calendar->pdata[j];

          if (g_strcmp0 (resource->kind, "provider") != 0)
            continue;
          if ((g_strcmp0 (system, SYSTEM_USERNAME) == 0
               && g_strcmp0 (resource->username, value) == 0)
              || (g_strcmp0 (system, SYSTEM_PROVIDER) == 0 && g_strcmp0 (resource->id, value) == 0))
            return resource;
        }
    }
  return NULL;
}

static const ChResource *
find_room (Import     *im,
           const char *name)
{
  for (guint j = 0; name != NULL && j < im->calendar->len; j++)
    {
      const ChResource *resource = im->calendar->pdata[j];

      if (g_strcmp0 (resource->kind, "room") == 0
          && (g_strcmp0 (resource->name, name) == 0 || g_strcmp0 (resource->id, name) == 0))
        return resource;
    }
  return NULL;
}

static gboolean
import_appointment (Import  *im,
                    Item    *item,
                    gint64   patient_id,
                    GError **error)
{
  JsonObject *r = item->object;
  g_autoptr (ChAppointment) a = g_new0 (ChAppointment, 1);
  g_autoptr (ChApptType) type = NULL;
  JsonArray *participants = arr (r, "participant");
  const char *status = str (r, "status");
  const char *type_name = str (obj (r, "appointmentType"), "text");
  const ChResource *provider = NULL;
  double minutes = 0;
  static const char * const fulfilled[] = { "arrived", "in-room", "done", NULL };
  static const char * const checked_in[] = { "arrived", "in-room", NULL };
  static const char * const arrived[] = { "arrived", NULL };
  static const char * const noshow[] = { "no-show", NULL };
  const char * const *steps = NULL;

  if (!load_calendar (im, error))
    return FALSE;
  if (!ch_has_text (type_name))
    return invalid (error, _("The appointment has no type (appointmentType.text)"));
  type = ch_schedule_find_type (im->session, type_name, error);
  if (type == NULL)
    return FALSE;

  a->patient_id = patient_id;
  a->type_id = type->id;
  a->start_at = parse_instant (str (r, "start"));
  if (a->start_at == 0)
    return invalid (error, _("The appointment has no start time"));
  if (number (r, "minutesDuration", &minutes) && minutes >= 1 && minutes <= 24 * 60)
    a->duration_min = (int) minutes;
  else
    a->duration_min = type->duration_min;
  a->reason = g_strdup (str (r, "description"));
  a->notes = g_strdup (str (r, "comment"));
  for (guint i = 0; i < arr_len (participants); i++)
    {
      JsonObject *participant = arr_obj (participants, i);
      JsonObject *actor = obj (participant, "actor");
      const char *role = code_in (first (participant, "type"), NULL);

      if (g_strcmp0 (role, "PPRF") == 0)
        {
          provider = find_provider (im, str (actor, "reference"));
          if (provider == NULL)
            return invalid (error, _("The appointment’s practitioner (%s) is not a provider in "
                                     "this practice’s calendar"),
                            str (actor, "reference") ? str (actor, "reference")
                            : str (actor, "display") ? str (actor, "display") : "?");
        }
      else if (g_strcmp0 (role, "LOC") == 0)
        {
          const ChResource *room = find_room (im, str (actor, "display"));

          if (room == NULL)
            return invalid (error, _("The appointment’s room “%s” is not in this practice’s "
                                     "calendar"), str (actor, "display") ? str (actor, "display")
                                                                         : "?");
          a->room_id = g_strdup (room->id);
        }
    }
  if (provider == NULL)
    return invalid (error, _("The appointment names no provider"));
  a->provider_id = g_strdup (provider->id);

  /* What happened is history: booked as it was, busy or not. */
  if (!ch_schedule_book (im->session, a, CH_BOOK_CONFIRM_OVERBOOK | CH_BOOK_CONFIRM_OUTSIDE_HOURS,
                         error))
    return FALSE;
  item->local_id = a->id;

  if (g_strcmp0 (status, "cancelled") == 0)
    {
      const char *reason = str (obj (r, "cancelationReason"), "text");

      if (!ch_schedule_cancel (im->session, a->id, reason ? reason : _("Cancelled"),
                               CH_SCOPE_THIS, error))
        return FALSE;
    }
  else if (g_strcmp0 (status, "fulfilled") == 0)
    steps = fulfilled;
  else if (g_strcmp0 (status, "checked-in") == 0)
    steps = checked_in;
  else if (g_strcmp0 (status, "arrived") == 0)
    steps = arrived;
  else if (g_strcmp0 (status, "noshow") == 0)
    steps = noshow;
  for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
    if (!ch_schedule_set_status (im->session, a->id, steps[i], NULL, error))
      return FALSE;
  return remember_id (im, "appointment", a->id, item->id, error);
}

/* ---- one patient ---------------------------------------------------------------------- */

typedef gboolean (*ImportFunc) (Import  *im,
                                Item    *item,
                                gint64   patient_id,
                                GError **error);

static gboolean
is_lab (Item *item)
{
  JsonArray *categories = arr (item->object, "category");

  for (guint i = 0; i < arr_len (categories); i++)
    if (g_strcmp0 (code_in (arr_obj (categories, i), SYSTEM_OBS_CATEGORY), "laboratory") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
run (Import     *im,
     Item       *item,
     ImportFunc  func,
     gint64      patient_id)
{
  g_autoptr (GError) local_error = NULL;

  if (!func (im, item, patient_id, &local_error))
    {
      reject (im, item, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The patient @patient and @members (Items of theirs): all or nothing. */
static void
import_one (Import    *im,
            Item      *patient,
            GPtrArray *members)
{
  static const struct
  {
    const char *type;
    ImportFunc  func;
    gboolean    reversed;  /* listed newest first: stored oldest first */
  } steps[] = {
    { "Coverage", import_coverage, FALSE },
    { "Encounter", import_encounter, FALSE },
    { "Condition", import_condition, FALSE },
    { "AllergyIntolerance", import_allergy, FALSE },
    { "MedicationStatement", import_medication_statement, FALSE },
    { "MedicationRequest", import_medication_request, FALSE },
    { "Immunization", import_immunization, FALSE },
    { "Observation", import_vital, FALSE },
    { "DocumentReference", import_document, TRUE },
    { "DiagnosticReport", import_diagnostic_report, FALSE },
    { "Appointment", import_appointment, FALSE },
  };
  g_autoptr (GError) local_error = NULL;
  guint rejected_before = im->result->rejected->len;
  const char *mrn = NULL;
  g_autofree char *detail = NULL;

  im->failed = FALSE;

  /* Already here: skipped whole, so that a second import adds nothing. */
  {
    JsonArray *identifiers = arr (patient->object, "identifier");

    for (guint i = 0; i < arr_len (identifiers) && mrn == NULL; i++)
      {
        JsonObject *identifier = arr_obj (identifiers, i);

        if (g_strcmp0 (str (identifier, "system"), SYSTEM_MRN) == 0
            || g_strcmp0 (code_in (obj (identifier, "type"), SYSTEM_V2_0203), "MR") == 0)
          mrn = str (identifier, "value");
      }
    if (mrn != NULL)
      {
        g_autoptr (ChPatientRecord) existing = ch_db_patient_get_by_mrn (im->store, mrn, NULL);

        if (existing != NULL)
          {
            g_autofree char *message = g_strdup_printf (
              _("The practice already has a patient with MRN %s: skipped, with their %u other "
                "resources"), mrn, members->len);

            add_issue (im->result->notes, patient->where, patient->key, message);
            im->result->n_skipped++;
            return;
          }
      }
  }

  if (!ch_store_begin (im->store, &local_error))
    {
      reject (im, patient, local_error->message);
      return;
    }

  if (run (im, patient, import_patient_resource, 0))
    {
      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        for (guint n = 0; n < members->len; n++)
          {
            Item *item = members->pdata[steps[s].reversed ? members->len - 1 - n : n];

            if (!g_str_equal (item->type, steps[s].type) || item->local_id != 0)
              continue;
            /* Lab results go in with their report. */
            if (g_str_equal (item->type, "Observation") && is_lab (item))
              continue;
            run (im, item, steps[s].func, patient->local_id);
          }
      for (guint n = 0; n < members->len; n++)
        {
          Item *item = members->pdata[n];

          if (g_str_equal (item->type, "Observation") && is_lab (item) && item->local_id == 0)
            reject (im, item, _("A laboratory result must be part of a DiagnosticReport in the "
                                "import"));
        }
    }

  if (!im->failed)
    {
      detail = g_strdup_printf ("FHIR R4 import, %u resources of the patient's", members->len + 1);
      if (!ch_session_audit (im->session, CH_AUDIT_CREATE, "fhir", mrn, patient->local_id,
                             detail, &local_error)
          || !ch_store_commit (im->store, &local_error))
        reject (im, patient, local_error->message);
    }
  if (im->failed)
    {
      g_autofree char *message = NULL;

      ch_store_rollback (im->store);
      message = g_strdup_printf (_("Nothing of this patient was imported: %u of their resources "
                                   "were rejected"),
                                 im->result->rejected->len - rejected_before);
      add_issue (im->result->rejected, patient->where, patient->key, message);
      settle (im, FALSE);
      return;
    }
  settle (im, TRUE);
  im->result->n_patients++;
  im->result->n_resources += members->len + 1;
}

/* ---- reading the files ---------------------------------------------------------------- */

static void
add_resource (Import     *im,
              JsonNode   *node,
              const char *where)
{
  Item *item;
  JsonObject *object;
  const char *type, *id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      add_issue (im->result->rejected, where, NULL, _("Not a FHIR resource (a JSON object)"));
      return;
    }
  object = json_node_get_object (node);
  type = str (object, "resourceType");
  id = str (object, "id");
  if (type == NULL)
    {
      add_issue (im->result->rejected, where, NULL,
                 _("Not a FHIR resource: it has no resourceType"));
      return;
    }
  if (id == NULL || *id == '\0')
    {
      add_issue (im->result->rejected, where, type, _("The resource has no id"));
      return;
    }

  item = g_new0 (Item, 1);
  item->node = json_node_ref (node);
  item->object = object;
  item->where = g_strdup (where);
  item->type = type;
  item->id = id;
  item->key = g_strdup_printf ("%s/%s", type, id);
  if (g_hash_table_contains (im->by_key, item->key))
    {
      add_issue (im->result->rejected, where, item->key,
                 _("Another resource of the import has the same type and id"));
      item_free (item);
      return;
    }
  g_hash_table_insert (im->by_key, item->key, item);
  g_ptr_array_add (im->items, item);
}

static void
read_text (Import     *im,
           const char *name,
           const char *text,
           gsize       length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_lines = 0;

  if (!g_utf8_validate (text, length, NULL))
    {
      add_issue (im->result->rejected, name, NULL, _("The file is not UTF-8 text"));
      return;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      n_lines++;

  /* JSON-GLib reads the first value of a file and ignores what follows:
   * NDJSON is told by its name, or by holding more than one line that is
   * not a Bundle. */
  if (!g_str_has_suffix (name, ".ndjson")
      && json_parser_load_from_data (parser, text, length, &local_error))
    {
      JsonNode *root = json_parser_get_root (parser);
      JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root)
                                                                  : NULL;

      if (g_strcmp0 (str (object, "resourceType"), "Bundle") == 0)
        {
          JsonArray *entries = arr (object, "entry");

          for (guint i = 0; i < arr_len (entries); i++)
            {
              g_autofree char *where = g_strdup_printf (_("%s entry %u"), name, i + 1);
              JsonNode *resource = member (arr_obj (entries, i), "resource");

              if (resource == NULL)
                add_issue (im->result->rejected, where, NULL, _("The entry has no resource"));
              else
                add_resource (im, resource, where);
            }
          return;
        }
      if (root != NULL && n_lines <= 1)
        {
          g_autofree char *where = g_strdup_printf (_("%s line %u"), name, 1);
          add_resource (im, root, where);
          return;
        }
    }
  if (n_lines <= 1 && local_error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Not valid JSON: %s"),
                                                  local_error ? local_error->message : "");
      add_issue (im->result->rejected, name, NULL, message);
      return;
    }

  /* NDJSON: one resource a line; a bad line loses only itself. */
  {
    g_auto (GStrv) raw = g_strsplit (text, "\n", -1);

    for (guint i = 0; raw[i] != NULL; i++)
      {
        g_autoptr (JsonParser) line_parser = NULL;
        g_autoptr (GError) line_error = NULL;
        g_autofree char *where = NULL;

        if (*g_strstrip (raw[i]) == '\0')
          continue;
        where = g_strdup_printf (_("%s line %u"), name, i + 1);
        line_parser = json_parser_new ();
        if (!json_parser_load_from_data (line_parser, raw[i], -1, &line_error))
          {
            g_autofree char *message = g_strdup_printf (_("Not valid JSON: %s"),
                                                        line_error->message);
            add_issue (im->result->rejected, where, NULL, message);
            continue;
          }
        add_resource (im, json_parser_get_root (line_parser), where);
      }
  }
}

static gboolean
read_file (Import     *im,
           GFile      *file,
           GError    **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = g_file_get_basename (file);
  gsize length = 0;
  GError *local_error = NULL;

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_autofree char *display = g_file_get_parse_name (file);

      g_set_error (error, CH_FHIR_ERROR, CH_FHIR_ERROR_IO, _("Could not read “%s”: %s"), display,
                   local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  read_text (im, name, contents, length);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
read_path (Import     *im,
           const char *path,
           GError    **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GError *local_error = NULL;
  GFileInfo *info;

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    return read_file (im, file, error);

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  while (children != NULL
         && (info = g_file_enumerator_next_file (children, NULL, &local_error)) != NULL)
    {
      const char *name = g_file_info_get_name (info);

      if (g_str_has_suffix (name, ".ndjson"))
        g_ptr_array_add (names, g_strdup (name));
      g_object_unref (info);
    }
  if (local_error != NULL)
    {
      g_autofree char *display = g_file_get_parse_name (file);

      g_set_error (error, CH_FHIR_ERROR, CH_FHIR_ERROR_IO, _("Could not read “%s”: %s"), display,
                   local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  if (names->len == 0)
    {
      g_autofree char *display = g_file_get_parse_name (file);

      g_set_error (error, CH_FHIR_ERROR, CH_FHIR_ERROR_FAILED,
                   _("“%s” holds no NDJSON files (*.ndjson)"), display);
      return FALSE;
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GFile) child = g_file_get_child (file, names->pdata[i]);

      if (!read_file (im, child, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- the whole import ------------------------------------------------------------------- */

/* The patient @item belongs to: "Patient/id", or %NULL with why not. */
static char *
owner (Item        *item,
       const char **out_why)
{
  JsonObject *r = item->object;
  const char *target = NULL;

  *out_why = NULL;
  if (g_str_equal (item->type, "Patient"))
    return g_strdup (item->key);
  if (g_str_equal (item->type, "Coverage"))
    target = reference (r, "beneficiary");
  else if (g_str_equal (item->type, "AllergyIntolerance")
           || g_str_equal (item->type, "Immunization"))
    target = reference (r, "patient");
  else if (g_str_equal (item->type, "Appointment"))
    {
      JsonArray *participants = arr (r, "participant");

      for (guint i = 0; i < arr_len (participants) && target == NULL; i++)
        {
          const char *actor = reference (arr_obj (participants, i), "actor");

          if (actor != NULL && g_str_has_prefix (actor, "Patient/"))
            target = actor;
        }
    }
  else
    target = reference (r, "subject");

  if (target == NULL || !g_str_has_prefix (target, "Patient/"))
    {
      *out_why = _("It names no patient (a reference to a Patient)");
      return NULL;
    }
  return g_strdup (target);
}

/**
 * ch_fhir_import_path:
 * @path: a Bundle, an NDJSON file, or a folder of NDJSON files
 * @result: (out caller-allocates): what was imported, skipped and rejected
 *
 * Imports what @path holds (see ch-fhir-import.h). Problems with single
 * resources and patients are reported in @result, not as an error.
 *
 * Returns: %FALSE with @error set when nothing could be imported at all:
 *   permission denied (CH_AUTH_ERROR), @path unreadable (CH_FHIR_ERROR_IO),
 *   a folder without NDJSON files (CH_FHIR_ERROR_FAILED)
 */
gboolean
ch_fhir_import_path (ChSession          *session,
                     const char         *path,
                     ChFhirImportResult *result,
                     GError            **error)
{
  Import im = { 0 };
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr (GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) pending_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                NULL);
  g_autoptr (GHashTable) pending_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) accounts = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL && result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  result->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_fhir_import_issue_free);
  result->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_fhir_import_issue_free);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  im.session = session;
  im.store = ch_session_get_store (session);
  im.username = ch_session_get_username (session);
  im.result = result;
  im.items = items;
  im.by_key = by_key;
  im.users = users;
  im.taken = taken;
  im.rows = rows;
  im.pending_taken = pending_taken;
  im.pending_rows = pending_rows;

  if (!read_path (&im, path, error))
    return FALSE;

  if (!load_ids (&im, error))
    return FALSE;
  accounts = ch_db_user_list (im.store, error);
  if (accounts == NULL)
    return FALSE;

  /* Practitioners: the accounts they are, by user name. An account is the
   * practice's own record and keeps its own id. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = items->pdata[i];
      JsonArray *identifiers;
      const char *username = NULL;
      const ChUserRecord *account = NULL;

      if (!g_str_equal (item->type, "Practitioner"))
        continue;
      identifiers = arr (item->object, "identifier");
      for (guint j = 0; j < arr_len (identifiers) && username == NULL; j++)
        if (g_strcmp0 (str (arr_obj (identifiers, j), "system"), SYSTEM_USERNAME) == 0)
          username = str (arr_obj (identifiers, j), "value");
      if (username == NULL)
        username = str (first (item->object, "name"), "text");
      g_hash_table_insert (users, g_strdup (item->key), g_strdup (username));
      for (guint j = 0; j < accounts->len && username != NULL && account == NULL; j++)
        if (g_strcmp0 (((ChUserRecord *) accounts->pdata[j])->username, username) == 0)
          account = accounts->pdata[j];
      if (account == NULL && username != NULL && g_str_has_prefix (item->id, "practitioner-"))
        {
          g_autofree char *message = g_strdup_printf (
            _("No account “%s” in this practice: what they recorded keeps their user name"),
            username);
          add_issue (result->notes, item->where, item->key, message);
        }
    }

  /* Everything else, by patient. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = items->pdata[i];
      const char *why = NULL;
      GPtrArray *group;

      if (g_str_equal (item->type, "Practitioner") || g_str_equal (item->type, "Organization"))
        continue;
      if (!g_strv_contains ((const char * const[]) { "Patient", "Coverage", "Encounter",
                                                     "Condition", "AllergyIntolerance",
                                                     "MedicationStatement", "MedicationRequest",
                                                     "Immunization",
                                                     "Observation", "DiagnosticReport",
                                                     "DocumentReference", "Appointment", NULL },
                             item->type))
        {
          add_issue (result->notes, item->where, item->key,
                     _("Not imported: not a resource type Charta keeps"));
          continue;
        }
      if (g_str_equal (item->type, "DocumentReference")
          && str (obj (first (item->object, "content"), "attachment"), "data") == NULL)
        {
          add_issue (result->notes, item->where, item->key,
                     _("Not imported: the document’s content is not in the file (export it "
                       "with --with-documents)"));
          continue;
        }
      item->patient = owner (item, &why);
      if (item->patient == NULL)
        {
          add_issue (result->rejected, item->where, item->key, why);
          continue;
        }
      if (!g_hash_table_contains (by_key, item->patient))
        {
          g_autofree char *message = g_strdup_printf (
            _("It belongs to %s, which is not in the import"), item->patient);
          add_issue (result->rejected, item->where, item->key, message);
          continue;
        }
      if (g_str_equal (item->type, "Patient"))
        continue;
      group = g_hash_table_lookup (groups, item->patient);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (groups, item->patient, group);
        }
      g_ptr_array_add (group, item);
    }

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = items->pdata[i];
      GPtrArray *group;
      g_autoptr (GPtrArray) none = NULL;

      if (!g_str_equal (item->type, "Patient"))
        continue;
      group = g_hash_table_lookup (groups, item->key);
      if (group == NULL)
        group = none = g_ptr_array_new ();
      import_one (&im, item, group);
    }

  g_clear_pointer (&im.calendar, g_ptr_array_unref);
  return TRUE;
}
