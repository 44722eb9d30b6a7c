/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-fhir"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-documents.h"
#include "ch-fhir-db.h"
#include "ch-fhir.h"
#include "ch-lab-db.h"
#include "ch-patients.h"
#include "ch-prescribing.h"
#include "ch-records.h"
#include "ch-schedule.h"
#include "ch-validate.h"

/* The FHIR R4 export engine. It reads through the store of a session whose
 * rights it checked first, builds each resource as a JsonObject, and hands
 * it to a sink: a Bundle being assembled, or the NDJSON file of its type.
 *
 * The whole export runs in one transaction, so that its audit entries are
 * committed only once every file is in place: an export that failed left
 * no file and no trace of having happened. */

G_DEFINE_QUARK (ch-fhir-error-quark, ch_fhir_error)

#define SYSTEM_LOINC        "http://loinc.org"
#define SYSTEM_UCUM         "http://unitsofmeasure.org"
#define SYSTEM_ICD10CM      "http://hl7.org/fhir/sid/icd-10-cm"
#define SYSTEM_CVX          "http://hl7.org/fhir/sid/cvx"
#define SYSTEM_SNOMED       "http://snomed.info/sct"
#define SYSTEM_RXNORM       "http://www.nlm.nih.gov/research/umls/rxnorm"
#define SYSTEM_BCP47        "urn:ietf:bcp:47"
#define SYSTEM_V2_0203      "http://terminology.hl7.org/CodeSystem/v2-0203"
#define SYSTEM_ACT_CODE     "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define SYSTEM_OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"
#define SYSTEM_COND_CLIN    "http://terminology.hl7.org/CodeSystem/condition-clinical"
#define SYSTEM_COND_VER     "http://terminology.hl7.org/CodeSystem/condition-ver-status"
#define SYSTEM_COND_CAT     "http://terminology.hl7.org/CodeSystem/condition-category"
#define SYSTEM_ALLERGY_CLIN "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
#define SYSTEM_ALLERGY_VER  "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
#define SYSTEM_SUBSCRIBER   "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define SYSTEM_COV_CLASS    "http://terminology.hl7.org/CodeSystem/coverage-class"
#define SYSTEM_PART_TYPE    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
/* Charta's own codes of how often a dose is taken (daily, bid, tid …). */
#define SYSTEM_FREQUENCY    "urn:charta:frequency"

#define LOINC_BP_PANEL      "85354-9"
#define LOINC_SPO2_ARTERIAL "2708-6"

#define ORGANIZATION_ID     "practice"

/* The order NDJSON files are written and listed in. */
static const char * const resource_types[] = {
  "Organization", "Practitioner", "Patient", "Coverage", "Encounter", "Condition",
  "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Immunization",
  "Observation", "DiagnosticReport", "DocumentReference", "Appointment",
};

typedef struct _Export Export;

/* Takes @resource (its JsonObject, transfer full). */
typedef gboolean (*EmitFunc) (Export     *ex,
                              JsonObject *resource,
                              GError    **error);

typedef struct
{
  GFile         *part;     /* written to, renamed to final when all went well */
  GFile         *final;
  GOutputStream *stream;
  GString       *buffer;
  guint          count;
} Sink;

struct _Export
{
  ChSession         *session;
  ChStore           *store;
  ChFhirExportFlags  flags;
  gboolean           can_schedule;
  gboolean           can_prescribing;
  GHashTable        *users;         /* username → ChUserRecord */
  GHashTable        *referenced;    /* usernames a resource refers to (set) */
  GHashTable        *providers;     /* schedule provider ids without an account, referred to */
  GHashTable        *calendar;      /* schedule resource id → ChResource: providers, rooms */
  GHashTable        *appointments;  /* patient id (gint64 *) → GPtrArray of ChAppointment */
  GHashTable        *ids;           /* local id → FHIR id, of records imported from FHIR */
  GHashTable        *taken;         /* those FHIR ids (set) */
  EmitFunc           emit;
  JsonArray         *entries;       /* Bundle: its entries */
  GHashTable        *sinks;         /* NDJSON: resource type → Sink */
  guint              count;
};

static void
sink_free (Sink *sink)
{
  g_clear_object (&sink->stream);
  g_clear_object (&sink->part);
  g_clear_object (&sink->final);
  if (sink->buffer != NULL)
    g_string_free (sink->buffer, TRUE);
  g_free (sink);
}

static void
export_clear (Export *ex)
{
  g_clear_pointer (&ex->users, g_hash_table_unref);
  g_clear_pointer (&ex->referenced, g_hash_table_unref);
  g_clear_pointer (&ex->providers, g_hash_table_unref);
  g_clear_pointer (&ex->calendar, g_hash_table_unref);
  g_clear_pointer (&ex->appointments, g_hash_table_unref);
  g_clear_pointer (&ex->ids, g_hash_table_unref);
  g_clear_pointer (&ex->taken, g_hash_table_unref);
  g_clear_pointer (&ex->entries, json_array_unref);
  g_clear_pointer (&ex->sinks, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Export, export_clear)

void
ch_fhir_output_free (ChFhirOutput *output)
{
  if (output == NULL)
    return;
  g_free (output->resource_type);
  g_free (output->path);
  g_free (output);
}

/* ---- serialising ------------------------------------------------------------- */

/* The shortest text that reads back as @value: 36.8, not 36.799999999999997
 * — a FHIR decimal's digits say how precise it is. */
static void
append_double (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  if (value == floor (value) && fabs (value) < 1e15)
    {
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) value);
      return;
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
}

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_node (GString  *out,
             JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr (GList) members = json_object_get_members (object);

        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (l != members)
              g_string_append_c (out, ',');
            append_string (out, l->data);
            g_string_append_c (out, ':');
            append_node (out, json_object_get_member (object, l->data));
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          append_string (out, json_node_get_string (node) ? json_node_get_string (node) : "");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * ch_fhir_to_string:
 * @node: a resource or Bundle
 * @out_length: (out) (optional): its length in bytes
 *
 * Writes @node as compact JSON on one line, members in the order they were
 * set, decimals as short as they read back exactly.
 *
 * Returns: (transfer full): the text
 */
char *
ch_fhir_to_string (JsonNode *node,
                   gsize    *out_length)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  append_node (out, node);
  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

/* ---- building blocks ------------------------------------------------------------ */

/* Sets a string member, only when there is something to say: FHIR has no
 * empty strings. */
static void
set_string (JsonObject *object,
            const char *name,
            const char *value)
{
  if (ch_has_text (value))
    json_object_set_string_member (object, name, value);
}

/* A FHIR code: no leading, trailing or doubled white space. */
static void
set_code (JsonObject *object,
          const char *name,
          const char *value)
{
  g_autofree char *code = NULL;

  if (!ch_has_text (value))
    return;
  code = g_strstrip (g_strdup (value));
  json_object_set_string_member (object, name, code);
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  if (!json_object_has_member (object, name))
    json_object_set_array_member (object, name, json_array_new ());
  return json_object_get_array_member (object, name);
}

/* Appends @element (transfer full) to the array member @name. */
static void
append_object (JsonObject *object,
               const char *name,
               JsonObject *element)
{
  if (element != NULL)
    json_array_add_object_element (array_member (object, name), element);
}

static void
append_string_element (JsonObject *object,
                       const char *name,
                       const char *value)
{
  if (ch_has_text (value))
    json_array_add_string_element (array_member (object, name), value);
}

static void
set_object (JsonObject *object,
            const char *name,
            JsonObject *value)
{
  if (value != NULL)
    json_object_set_object_member (object, name, value);
}

static JsonObject *
coding_new (const char *system,
            const char *code,
            const char *display)
{
  JsonObject *coding = json_object_new ();

  set_string (coding, "system", system);
  set_code (coding, "code", code);
  set_string (coding, "display", display);
  return coding;
}

/* A CodeableConcept with one coding when there is a code, and the text. */
static JsonObject *
concept_new (const char *system,
             const char *code,
             const char *display,
             const char *text)
{
  JsonObject *concept = json_object_new ();

  if (system != NULL && ch_has_text (code))
    append_object (concept, "coding", coding_new (system, code, display));
  set_string (concept, "text", text);
  if (json_object_get_size (concept) == 0)
    {
      json_object_unref (concept);
      return NULL;
    }
  return concept;
}

static JsonObject *
text_concept_new (const char *text)
{
  return concept_new (NULL, NULL, NULL, text);
}

/* Charta's short code system names, as FHIR system URIs. */
static const char *
system_uri (const char *system)
{
  static const struct
  {
    const char *name;
    const char *uri;
  } systems[] = {
    { "icd10cm", SYSTEM_ICD10CM },
    { "icd-10-cm", SYSTEM_ICD10CM },
    { "loinc", SYSTEM_LOINC },
    { "cvx", SYSTEM_CVX },
    { "snomed", SYSTEM_SNOMED },
    { "snomedct", SYSTEM_SNOMED },
    { "rxnorm", SYSTEM_RXNORM },
  };

  if (system == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (systems); i++)
    if (g_ascii_strcasecmp (system, systems[i].name) == 0)
      return systems[i].uri;
  /* Already a URI. */
  if (strstr (system, ":") != NULL && strchr (system, ' ') == NULL)
    return system;
  return NULL;
}

static JsonObject *
item_concept_new (const ChChartItem *item)
{
  return concept_new (system_uri (item->code_system), item->code, item->display, item->display);
}

/* The id of row @id: "prefix-ID", or, for a record imported from FHIR, the
 * id it came with (fhir_ids), so that an export imported elsewhere exports
 * again to the same ids. A row of our own whose id an imported record
 * already took gets a suffix no imported id of ours can have. */
static char *
resource_id (Export     *ex,
             const char *prefix,
             gint64      id)
{
  char *local = g_strdup_printf ("%s-%" G_GINT64_FORMAT, prefix, id);
  const char *imported = g_hash_table_lookup (ex->ids, local);

  if (imported != NULL)
    {
      g_free (local);
      return g_strdup (imported);
    }
  if (g_hash_table_contains (ex->taken, local))
    {
      char *renamed = g_strconcat (local, "-local", NULL);

      g_free (local);
      return renamed;
    }
  return local;
}

static JsonObject *
reference_new (const char *type,
               const char *id,
               const char *display)
{
  JsonObject *reference = json_object_new ();

  if (id != NULL)
    {
      g_autofree char *target = g_strdup_printf ("%s/%s", type, id);
      json_object_set_string_member (reference, "reference", target);
    }
  set_string (reference, "display", display);
  return reference;
}

static JsonObject *
reference_to (Export     *ex,
              const char *type,
              const char *prefix,
              gint64      id,
              const char *display)
{
  g_autofree char *target = resource_id (ex, prefix, id);

  return reference_new (type, target, display);
}

static JsonObject *
patient_reference (Export                *ex,
                   const ChPatientRecord *patient)
{
  g_autofree char *name = ch_patient_record_display_name (patient);

  return reference_to (ex, "Patient", "patient", patient->id, name);
}

static JsonObject *
organization_reference (Export *ex)
{
  g_autofree char *name = ch_session_get_practice_name (ex->session);

  return reference_new ("Organization", ORGANIZATION_ID, name);
}

/* A user as a Practitioner reference (and the Practitioner exported);
 * someone Charta has no account for, by name only. */
static JsonObject *
practitioner_reference (Export     *ex,
                        const char *username)
{
  const ChUserRecord *user;

  if (!ch_has_text (username))
    return NULL;
  user = g_hash_table_lookup (ex->users, username);
  if (user == NULL)
    return reference_new ("Practitioner", NULL, username);

  g_hash_table_add (ex->referenced, g_strdup (username));
  return reference_to (ex, "Practitioner", "practitioner", user->id,
                       ch_has_text (user->display_name) ? user->display_name
                                                        : user->username);
}

/* µs since the epoch as a FHIR instant (UTC, to the second). */
static char *
instant_text (gint64 usec)
{
  g_autoptr (GDateTime) moment = NULL;
  gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0);

  moment = g_date_time_new_from_unix_utc (seconds);
  if (moment == NULL || g_date_time_get_year (moment) < 1000)
    return NULL;
  return g_date_time_format (moment, "%Y-%m-%dT%H:%M:%SZ");
}

static void
set_instant (JsonObject *object,
             const char *name,
             gint64      usec)
{
  g_autofree char *text = usec != 0 ? instant_text (usec) : NULL;

  set_string (object, name, text);
}

/* A YYYY-MM-DD date, only when it is one. */
static void
set_date (JsonObject *object,
          const char *name,
          const char *date)
{
  if (ch_valid_date (date))
    json_object_set_string_member (object, name, date);
}

static JsonObject *
quantity_new (double      value,
              const char *ucum,
              const char *unit_text)
{
  JsonObject *quantity = json_object_new ();

  json_object_set_double_member (quantity, "value", value);
  set_string (quantity, "unit", unit_text != NULL ? unit_text : ucum);
  if (ch_has_text (ucum))
    {
      json_object_set_string_member (quantity, "system", SYSTEM_UCUM);
      set_code (quantity, "code", ucum);
    }
  return quantity;
}

static JsonObject *
resource_new (Export     *ex,
              const char *type,
              const char *prefix,
              gint64      id)
{
  JsonObject *resource = json_object_new ();
  g_autofree char *rid = resource_id (ex, prefix, id);

  json_object_set_string_member (resource, "resourceType", type);
  json_object_set_string_member (resource, "id", rid);
  return resource;
}

static gboolean
emit (Export     *ex,
      JsonObject *resource,
      GError    **error)
{
  ex->count++;
  return ex->emit (ex, resource, error);
}

/* ---- Organization and Practitioner --------------------------------------------- */

static gboolean
emit_organization (Export  *ex,
                   GError **error)
{
  JsonObject *org = json_object_new ();
  g_autofree char *name = ch_session_get_practice_name (ex->session);
  g_autofree char *address = ch_db_setting_get (ex->store, "practice.address", NULL);

  json_object_set_string_member (org, "resourceType", "Organization");
  json_object_set_string_member (org, "id", ORGANIZATION_ID);
  json_object_set_boolean_member (org, "active", TRUE);
  set_string (org, "name", name);
  if (ch_has_text (address))
    {
      JsonObject *addr = json_object_new ();

      json_object_set_string_member (addr, "text", address);
      append_object (org, "address", addr);
    }
  return emit (ex, org, error);
}

static const char *
role_display (const char *role)
{
  if (g_strcmp0 (role, "physician") == 0)
    return "Physician";
  if (g_strcmp0 (role, "nurse") == 0)
    return "Nurse";
  return role;
}

static gboolean
emit_practitioner (Export             *ex,
                   const ChUserRecord *user,
                   GError            **error)
{
  JsonObject *practitioner = resource_new (ex, "Practitioner", "practitioner", user->id);
  g_autofree char *licence = ch_prescribing_get_licence (ex->store, user->username);
  JsonObject *identifier = json_object_new ();
  JsonObject *name = json_object_new ();
  JsonObject *qualification = NULL;

  json_object_set_string_member (identifier, "system", "urn:charta:username");
  json_object_set_string_member (identifier, "value", user->username);
  append_object (practitioner, "identifier", identifier);
  if (ch_has_text (licence))
    {
      identifier = json_object_new ();
      set_object (identifier, "type", text_concept_new ("licence"));
      json_object_set_string_member (identifier, "value", licence);
      append_object (practitioner, "identifier", identifier);
    }
  json_object_set_boolean_member (practitioner, "active", !user->disabled);
  set_string (name, "text", ch_has_text (user->display_name) ? user->display_name : user->username);
  append_object (practitioner, "name", name);

  if (g_strcmp0 (user->role, "physician") == 0 || g_strcmp0 (user->role, "nurse") == 0)
    {
      qualification = json_object_new ();
      set_object (qualification, "code", text_concept_new (role_display (user->role)));
      append_object (practitioner, "qualification", qualification);
    }
  return emit (ex, practitioner, error);
}

/* A schedule provider with no account of their own: the id is the
 * provider's where FHIR allows it, else made from a hash of it (another
 * prefix, so the two never meet). */
static char *
provider_practitioner_id (const char *provider_id)
{
  gboolean safe = *provider_id != '\0' && strlen (provider_id) <= 55;

  for (const char *c = provider_id; safe && *c != '\0'; c++)
    safe = g_ascii_isalnum (*c) || *c == '-' || *c == '.';
  if (safe)
    return g_strconcat ("provider-", provider_id, NULL);
  else
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, provider_id, -1);
      return g_strconcat ("provider.", hash, NULL);
    }
}

static gboolean
emit_provider (Export           *ex,
               const ChResource *provider,
               GError          **error)
{
  JsonObject *practitioner = json_object_new ();
  g_autofree char *id = provider_practitioner_id (provider->id);
  JsonObject *identifier = json_object_new ();
  JsonObject *name = json_object_new ();

  json_object_set_string_member (practitioner, "resourceType", "Practitioner");
  json_object_set_string_member (practitioner, "id", id);
  json_object_set_string_member (identifier, "system", "urn:charta:schedule-provider");
  json_object_set_string_member (identifier, "value", provider->id);
  append_object (practitioner, "identifier", identifier);
  json_object_set_boolean_member (practitioner, "active", provider->active);
  set_string (name, "text", ch_has_text (provider->name) ? provider->name : provider->id);
  append_object (practitioner, "name", name);
  return emit (ex, practitioner, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_users (gconstpointer a,
               gconstpointer b)
{
  const ChUserRecord *x = *(ChUserRecord * const *) a;
  const ChUserRecord *y = *(ChUserRecord * const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

/* The Practitioners referred to, by user id. */
static gboolean
emit_practitioners (Export  *ex,
                    GError **error)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, ex->referenced);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (users, g_hash_table_lookup (ex->users, key));
  g_ptr_array_sort (users, compare_users);

  for (guint i = 0; i < users->len; i++)
    if (!emit_practitioner (ex, users->pdata[i], error))
      return FALSE;

  /* Then the calendar's providers who have no account, by id. */
  {
    g_autoptr (GPtrArray) ids = g_ptr_array_new ();

    g_hash_table_iter_init (&iter, ex->providers);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (ids, key);
    g_ptr_array_sort (ids, (GCompareFunc) compare_strings);
    for (guint i = 0; i < ids->len; i++)
      if (!emit_provider (ex, g_hash_table_lookup (ex->calendar, ids->pdata[i]), error))
        return FALSE;
  }
  return TRUE;
}

/* ---- Patient and Coverage ------------------------------------------------------- */

static const char *
phone_use (const char *kind)
{
  if (g_strcmp0 (kind, "mobile") == 0 || g_strcmp0 (kind, "home") == 0
      || g_strcmp0 (kind, "work") == 0)
    return kind;
  return NULL;
}

static const char *
gender_code (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0 || g_strcmp0 (sex, "male") == 0
      || g_strcmp0 (sex, "other") == 0 || g_strcmp0 (sex, "unknown") == 0)
    return sex;
  return NULL;
}

static gboolean
emit_patient (Export                *ex,
              const ChPatientRecord *p,
              GError               **error)
{
  JsonObject *patient = resource_new (ex, "Patient", "patient", p->id);
  JsonObject *identifier = json_object_new ();
  JsonObject *name = json_object_new ();

  /* The MRN: type MR, assigned by the practice. */
  set_object (identifier, "type", concept_new (SYSTEM_V2_0203, "MR", "Medical record number",
                                               NULL));
  json_object_set_string_member (identifier, "system", "urn:charta:mrn");
  set_string (identifier, "value", p->mrn);
  set_object (identifier, "assigner", organization_reference (ex));
  append_object (patient, "identifier", identifier);
  for (guint i = 0; p->identifiers != NULL && i < p->identifiers->len; i++)
    {
      const ChIdentifier *id = p->identifiers->pdata[i];

      if (!ch_has_text (id->value))
        continue;
      identifier = json_object_new ();
      set_object (identifier, "type", text_concept_new (id->system));
      json_object_set_string_member (identifier, "value", id->value);
      append_object (patient, "identifier", identifier);
    }

  json_object_set_boolean_member (patient, "active", g_strcmp0 (p->status, "merged") != 0);

  json_object_set_string_member (name, "use", "official");
  set_string (name, "family", p->family_name);
  append_string_element (name, "given", p->given_name);
  append_object (patient, "name", name);
  if (ch_has_text (p->preferred_name))
    {
      name = json_object_new ();
      json_object_set_string_member (name, "use", "usual");
      append_string_element (name, "given", p->preferred_name);
      append_object (patient, "name", name);
    }

  for (guint i = 0; p->phones != NULL && i < p->phones->len; i++)
    {
      const ChPhone *phone = p->phones->pdata[i];
      JsonObject *telecom;

      if (!ch_has_text (phone->number))
        continue;
      telecom = json_object_new ();
      json_object_set_string_member (telecom, "system", "phone");
      json_object_set_string_member (telecom, "value", phone->number);
      set_string (telecom, "use", phone_use (phone->kind));
      append_object (patient, "telecom", telecom);
    }
  if (ch_has_text (p->email))
    {
      JsonObject *telecom = json_object_new ();

      json_object_set_string_member (telecom, "system", "email");
      json_object_set_string_member (telecom, "value", p->email);
      append_object (patient, "telecom", telecom);
    }

  set_string (patient, "gender", gender_code (p->sex));
  set_date (patient, "birthDate", p->birth_date);

  if (ch_has_text (p->address_line) || ch_has_text (p->city) || ch_has_text (p->region)
      || ch_has_text (p->postal_code) || ch_has_text (p->country))
    {
      JsonObject *address = json_object_new ();

      json_object_set_string_member (address, "use", "home");
      append_string_element (address, "line", p->address_line);
      set_string (address, "city", p->city);
      set_string (address, "state", p->region);
      set_string (address, "postalCode", p->postal_code);
      set_string (address, "country", p->country);
      append_object (patient, "address", address);
    }

  if (p->photo != NULL && (ex->flags & CH_FHIR_EXPORT_DOCUMENT_DATA) != 0)
    {
      JsonObject *photo = json_object_new ();
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (p->photo, &size);
      g_autofree char *base64 = g_base64_encode (data, size);

      json_object_set_string_member (photo, "contentType",
                                     size > 3 && data[0] == 0x89 ? "image/png" : "image/jpeg");
      json_object_set_string_member (photo, "data", base64);
      append_object (patient, "photo", photo);
    }

  if (ch_has_text (p->emergency_name) || ch_has_text (p->emergency_phone))
    {
      JsonObject *contact = json_object_new ();

      append_object (contact, "relationship", text_concept_new (p->emergency_relation));
      append_object (contact, "relationship",
                     concept_new ("http://terminology.hl7.org/CodeSystem/v2-0131", "C",
                                  "Emergency Contact", NULL));
      if (ch_has_text (p->emergency_name))
        {
          JsonObject *contact_name = json_object_new ();

          json_object_set_string_member (contact_name, "text", p->emergency_name);
          set_object (contact, "name", contact_name);
        }
      if (ch_has_text (p->emergency_phone))
        {
          JsonObject *telecom = json_object_new ();

          json_object_set_string_member (telecom, "system", "phone");
          json_object_set_string_member (telecom, "value", p->emergency_phone);
          append_object (contact, "telecom", telecom);
        }
      append_object (patient, "contact", contact);
    }

  if (ch_has_text (p->language))
    {
      JsonObject *communication = json_object_new ();

      set_object (communication, "language", concept_new (SYSTEM_BCP47, p->language, NULL, NULL));
      json_object_set_boolean_member (communication, "preferred", TRUE);
      append_object (patient, "communication", communication);
    }

  append_object (patient, "generalPractitioner", practitioner_reference (ex, p->primary_provider));
  set_object (patient, "managingOrganization", organization_reference (ex));

  return emit (ex, patient, error);
}

static gboolean
emit_coverages (Export                *ex,
                const ChPatientRecord *p,
                GError               **error)
{
  g_autoptr (GPtrArray) policies = ch_db_policy_list (ex->store, p->id, FALSE, error);

  if (policies == NULL)
    return FALSE;

  for (guint i = 0; i < policies->len; i++)
    {
      const ChPolicyRecord *policy = policies->pdata[i];
      JsonObject *coverage = resource_new (ex, "Coverage", "coverage", policy->id);
      JsonObject *payor = json_object_new ();

      json_object_set_string_member (coverage, "status", "active");
      if (g_strcmp0 (policy->subscriber_relation, "self") == 0)
        set_object (coverage, "subscriber", patient_reference (ex, p));
      else if (ch_has_text (policy->subscriber_name))
        set_object (coverage, "subscriber", reference_new ("RelatedPerson", NULL,
                                                           policy->subscriber_name));
      set_string (coverage, "subscriberId", policy->member_id);
      set_object (coverage, "beneficiary", patient_reference (ex, p));
      if (ch_has_text (policy->subscriber_relation))
        set_object (coverage, "relationship",
                    concept_new (SYSTEM_SUBSCRIBER, policy->subscriber_relation, NULL, NULL));
      if (policy->start_date != NULL || policy->end_date != NULL)
        {
          JsonObject *period = json_object_new ();

          set_date (period, "start", policy->start_date);
          set_date (period, "end", policy->end_date);
          set_object (coverage, "period", period);
        }
      set_string (payor, "display", policy->payer);
      append_object (coverage, "payor", payor);
      if (ch_has_text (policy->group_id))
        {
          JsonObject *klass = json_object_new ();

          set_object (klass, "type", concept_new (SYSTEM_COV_CLASS, "group", "Group", NULL));
          json_object_set_string_member (klass, "value", policy->group_id);
          append_object (coverage, "class", klass);
        }
      if (ch_has_text (policy->plan))
        {
          JsonObject *klass = json_object_new ();

          set_object (klass, "type", concept_new (SYSTEM_COV_CLASS, "plan", "Plan", NULL));
          json_object_set_string_member (klass, "value", policy->plan);
          set_string (klass, "name", policy->plan);
          append_object (coverage, "class", klass);
        }
      if (policy->priority > 0)
        json_object_set_int_member (coverage, "order", policy->priority);

      if (!emit (ex, coverage, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Encounter -------------------------------------------------------------------- */

static gboolean
emit_encounters (Export                *ex,
                 const ChPatientRecord *p,
                 GHashTable            *exported,
                 GError               **error)
{
  g_autoptr (GPtrArray) encounters = ch_db_encounter_list (ex->store, p->id, 0, error);

  if (encounters == NULL)
    return FALSE;

  /* Oldest first, as the chart grew. */
  for (guint n = encounters->len; n > 0; n--)
    {
      const ChEncounterRecord *e = encounters->pdata[n - 1];
      JsonObject *encounter = resource_new (ex, "Encounter", "encounter", e->id);
      JsonObject *period = json_object_new ();
      const char *act = "AMB", *act_display = "ambulatory";
      JsonObject *participant;

      if (g_strcmp0 (e->kind, "telephone") == 0 || g_strcmp0 (e->kind, "video") == 0)
        act = "VR", act_display = "virtual";
      else if (g_strcmp0 (e->kind, "home") == 0)
        act = "HH", act_display = "home health";

      json_object_set_string_member (encounter, "status", "finished");
      set_object (encounter, "class", coding_new (SYSTEM_ACT_CODE, act, act_display));
      append_object (encounter, "type", text_concept_new (e->kind));
      set_object (encounter, "subject", patient_reference (ex, p));
      participant = practitioner_reference (ex, e->provider);
      if (participant != NULL)
        {
          JsonObject *who = json_object_new ();

          append_object (who, "type", concept_new (SYSTEM_PART_TYPE, "PPRF", "primary performer",
                                                   NULL));
          set_object (who, "individual", participant);
          append_object (encounter, "participant", who);
        }
      set_instant (period, "start", e->start_at);
      set_object (encounter, "period", period);
      append_object (encounter, "reasonCode", text_concept_new (e->reason));
      set_object (encounter, "serviceProvider", organization_reference (ex));

      g_hash_table_add (exported, g_memdup2 (&e->id, sizeof e->id));
      if (!emit (ex, encounter, error))
        return FALSE;
    }
  return TRUE;
}

static void
set_encounter (Export            *ex,
               JsonObject        *resource,
               const ChChartItem *item,
               GHashTable        *encounters)
{
  if (item->encounter_id != 0 && g_hash_table_contains (encounters, &item->encounter_id))
    set_object (resource, "encounter", reference_to (ex, "Encounter", "encounter",
                                                     item->encounter_id, NULL));
}

/* ---- the chart: problems, allergies, medications, immunizations ------------------ */

static gboolean
emit_conditions (Export                *ex,
                 const ChPatientRecord *p,
                 GPtrArray             *items,
                 GHashTable            *encounters,
                 GError               **error)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      JsonObject *condition = resource_new (ex, "Condition", "condition", item->id);
      const char *status = g_strcmp0 (item->clinical_status, "resolved") == 0 ? "resolved"
                                                                               : "active";

      set_object (condition, "clinicalStatus", concept_new (SYSTEM_COND_CLIN, status, NULL, NULL));
      set_object (condition, "verificationStatus",
                  concept_new (SYSTEM_COND_VER, "confirmed", "Confirmed", NULL));
      append_object (condition, "category", concept_new (SYSTEM_COND_CAT, "problem-list-item",
                                                         "Problem List Item", NULL));
      set_object (condition, "code", item_concept_new (item));
      set_object (condition, "subject", patient_reference (ex, p));
      set_encounter (ex, condition, item, encounters);
      set_date (condition, "onsetDateTime", item->start_date);
      set_date (condition, "abatementDateTime", item->end_date);
      set_instant (condition, "recordedDate", item->recorded_at);
      set_object (condition, "recorder", practitioner_reference (ex, item->recorded_by));

      if (!emit (ex, condition, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
emit_allergies (Export                *ex,
                const ChPatientRecord *p,
                GPtrArray             *items,
                GError               **error)
{
  g_autofree char *nka = NULL;
  gboolean any_active = FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      JsonObject *allergy = resource_new (ex, "AllergyIntolerance", "allergy", item->id);
      const char *status = g_strcmp0 (item->clinical_status, "inactive") == 0 ? "inactive"
                                                                               : "active";
      const char *category = NULL;

      any_active |= g_str_equal (status, "active");
      if (g_strcmp0 (item->kind, "drug") == 0)
        category = "medication";
      else if (g_strcmp0 (item->kind, "food") == 0 || g_strcmp0 (item->kind, "environment") == 0)
        category = item->kind;

      set_object (allergy, "clinicalStatus", concept_new (SYSTEM_ALLERGY_CLIN, status, NULL, NULL));
      set_object (allergy, "verificationStatus",
                  concept_new (SYSTEM_ALLERGY_VER, "confirmed", "Confirmed", NULL));
      if (category != NULL)
        append_string_element (allergy, "category", category);
      if (g_strcmp0 (item->severity, "severe") == 0)
        json_object_set_string_member (allergy, "criticality", "high");
      set_object (allergy, "code", item_concept_new (item));
      set_object (allergy, "patient", patient_reference (ex, p));
      set_date (allergy, "onsetDateTime", item->start_date);
      set_instant (allergy, "recordedDate", item->recorded_at);
      set_object (allergy, "recorder", practitioner_reference (ex, item->recorded_by));
      if (ch_has_text (item->reaction))
        {
          JsonObject *reaction = json_object_new ();

          append_object (reaction, "manifestation", text_concept_new (item->reaction));
          if (g_strcmp0 (item->severity, "mild") == 0 || g_strcmp0 (item->severity, "moderate") == 0
              || g_strcmp0 (item->severity, "severe") == 0)
            json_object_set_string_member (reaction, "severity", item->severity);
          append_object (allergy, "reaction", reaction);
        }

      if (!emit (ex, allergy, error))
        return FALSE;
    }

  /* "No known allergies", as the chart records it: SNOMED CT's own concept. */
  nka = ch_db_chart_flag_get (ex->store, p->id, "no-known-allergies", NULL);
  if (nka != NULL && !any_active)
    {
      JsonObject *allergy = json_object_new ();
      g_autofree char *id = resource_id (ex, "allergy-nka", p->id);

      json_object_set_string_member (allergy, "resourceType", "AllergyIntolerance");
      json_object_set_string_member (allergy, "id", id);
      set_object (allergy, "clinicalStatus",
                  concept_new (SYSTEM_ALLERGY_CLIN, "active", NULL, NULL));
      set_object (allergy, "verificationStatus",
                  concept_new (SYSTEM_ALLERGY_VER, "confirmed", "Confirmed", NULL));
      set_object (allergy, "code", concept_new (SYSTEM_SNOMED, "716186003", "No known allergy",
                                                "No known allergies"));
      set_object (allergy, "patient", patient_reference (ex, p));
      if (!emit (ex, allergy, error))
        return FALSE;
    }
  return TRUE;
}

/* The MedicationRequest status of a prescription in @state; NULL for those
 * not exported (discarded, entered in error). */
static const char *request_status (const char *state);

static gboolean
emit_medication_statements (Export                *ex,
                            const ChPatientRecord *p,
                            GPtrArray             *items,
                            GPtrArray             *prescriptions,
                            GError               **error)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      JsonObject *statement = resource_new (ex, "MedicationStatement", "medicationstatement",
                                            item->id);
      const char *dose = ch_chart_item_get_detail (item, "dose");

      json_object_set_string_member (statement, "status",
                                     g_strcmp0 (item->clinical_status, "stopped") == 0
                                     ? "stopped" : "active");
      set_object (statement, "medicationCodeableConcept", item_concept_new (item));
      set_object (statement, "subject", patient_reference (ex, p));
      if (item->start_date != NULL || item->end_date != NULL)
        {
          JsonObject *period = json_object_new ();

          set_date (period, "start", item->start_date);
          set_date (period, "end", item->end_date);
          if (json_object_get_size (period) > 0)
            set_object (statement, "effectivePeriod", period);
          else
            json_object_unref (period);
        }
      /* An entry a signed prescription put on the list is based on it. */
      for (guint j = 0; prescriptions != NULL && j < prescriptions->len; j++)
        {
          const ChPrescription *rx = prescriptions->pdata[j];

          if (rx->medication_item_id == item->id && request_status (rx->state) != NULL)
            append_object (statement, "basedOn",
                           reference_to (ex, "MedicationRequest", "medicationrequest", rx->id,
                                         NULL));
        }
      set_instant (statement, "dateAsserted", item->recorded_at);
      set_object (statement, "informationSource", practitioner_reference (ex, item->recorded_by));
      if (ch_has_text (dose))
        {
          JsonObject *dosage = json_object_new ();

          json_object_set_string_member (dosage, "text", dose);
          append_object (statement, "dosage", dosage);
        }

      if (!emit (ex, statement, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
emit_immunizations (Export                *ex,
                    const ChPatientRecord *p,
                    GPtrArray             *items,
                    GHashTable            *encounters,
                    GError               **error)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      JsonObject *immunization = resource_new (ex, "Immunization", "immunization", item->id);
      gboolean refused = g_strcmp0 (item->clinical_status, "refused") == 0;
      JsonObject *vaccine = item_concept_new (item);
      const char *lot = ch_chart_item_get_detail (item, "lot");

      json_object_set_string_member (immunization, "status", refused ? "not-done" : "completed");
      if (refused)
        set_object (immunization, "statusReason",
                    concept_new ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "PATOBJ",
                                 "patient objection", NULL));
      set_object (immunization, "vaccineCode",
                  vaccine != NULL ? vaccine : text_concept_new ("unknown vaccine"));
      set_object (immunization, "patient", patient_reference (ex, p));
      set_encounter (ex, immunization, item, encounters);
      set_date (immunization, "occurrenceDateTime", item->start_date);
      if (!json_object_has_member (immunization, "occurrenceDateTime"))
        set_instant (immunization, "occurrenceDateTime", item->effective_at);
      set_instant (immunization, "recorded", item->recorded_at);
      json_object_set_boolean_member (immunization, "primarySource",
                                      g_strcmp0 (item->clinical_status, "historical") != 0);
      set_string (immunization, "lotNumber", lot);
      set_object (immunization, "site", text_concept_new (ch_chart_item_get_detail (item, "site")));
      set_object (immunization, "route",
                  text_concept_new (ch_chart_item_get_detail (item, "route")));

      if (!emit (ex, immunization, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- vital signs ---------------------------------------------------------------------- */

typedef struct
{
  const char *code;
  const char *display;
  const char *unit_text;   /* for people: mmHg rather than mm[Hg] */
} VitalCode;

static const VitalCode vital_codes[] = {
  { CH_LOINC_SYSTOLIC, "Systolic blood pressure", "mmHg" },
  { CH_LOINC_DIASTOLIC, "Diastolic blood pressure", "mmHg" },
  { CH_LOINC_PULSE, "Heart rate", "beats/minute" },
  { CH_LOINC_TEMPERATURE, "Body temperature", "C" },
  { CH_LOINC_RESPIRATION, "Respiratory rate", "breaths/minute" },
  { CH_LOINC_SPO2, "Oxygen saturation in Arterial blood by Pulse oximetry", "%" },
  { CH_LOINC_HEIGHT, "Body height", "cm" },
  { CH_LOINC_WEIGHT, "Body weight", "kg" },
  { CH_LOINC_BMI, "Body mass index (BMI) [Ratio]", "kg/m2" },
  { CH_LOINC_HEAD, "Head Occipital-frontal circumference", "cm" },
  { CH_LOINC_PAIN, "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "score" },
};

static const VitalCode *
find_vital_code (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (vital_codes); i++)
    if (g_strcmp0 (vital_codes[i].code, code) == 0)
      return &vital_codes[i];
  return NULL;
}

static JsonObject *
vital_concept_new (const char *code)
{
  const VitalCode *vital = find_vital_code (code);
  JsonObject *concept = concept_new (SYSTEM_LOINC, code, vital ? vital->display : NULL,
                                     vital ? vital->display : NULL);

  /* Pulse oximetry is also the arterial saturation; the vital-signs profile
   * asks for both codes. */
  if (g_strcmp0 (code, CH_LOINC_SPO2) == 0)
    append_object (concept, "coding", coding_new (SYSTEM_LOINC, LOINC_SPO2_ARTERIAL,
                                                  "Oxygen saturation in Arterial blood"));
  return concept;
}

static JsonObject *
vital_quantity_new (const ChChartItem *item)
{
  const VitalCode *vital = find_vital_code (item->code);

  return quantity_new (item->value_num, item->unit, vital ? vital->unit_text : NULL);
}

static JsonObject *
observation_new (Export            *ex,
                 const ChChartItem *item)
{
  JsonObject *observation = resource_new (ex, "Observation", "observation", item->id);
  gboolean survey = g_strcmp0 (item->code, CH_LOINC_PAIN) == 0;

  json_object_set_string_member (observation, "status", "final");
  append_object (observation, "category",
                 concept_new (SYSTEM_OBS_CATEGORY, survey ? "survey" : "vital-signs",
                              survey ? "Survey" : "Vital Signs", NULL));
  return observation;
}

static void
observation_finish (Export                *ex,
                    JsonObject            *observation,
                    const ChPatientRecord *p,
                    const ChChartItem     *item,
                    GHashTable            *encounters)
{
  set_object (observation, "subject", patient_reference (ex, p));
  set_encounter (ex, observation, item, encounters);
  set_instant (observation, "effectiveDateTime", item->effective_at);
  set_instant (observation, "issued", item->recorded_at);
  append_object (observation, "performer", practitioner_reference (ex, item->recorded_by));
}

static gboolean
same_measurement (const ChChartItem *a,
                  const ChChartItem *b)
{
  return a->effective_at == b->effective_at && a->encounter_id == b->encounter_id;
}

static gboolean
emit_vitals (Export                *ex,
             const ChPatientRecord *p,
             GPtrArray             *items,
             GHashTable            *encounters,
             GError               **error)
{
  /* A diastolic pressure taken with a systolic one goes into its panel. */
  g_autoptr (GHashTable) in_panel = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                           NULL);

  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      const ChChartItem *diastolic = NULL;
      JsonObject *observation;

      if (!item->has_value || !isfinite (item->value_num)
          || g_hash_table_contains (in_panel, &item->id))
        continue;

      if (g_strcmp0 (item->code, CH_LOINC_SYSTOLIC) == 0)
        for (guint j = 0; j < items->len && diastolic == NULL; j++)
          {
            const ChChartItem *other = items->pdata[j];

            if (g_strcmp0 (other->code, CH_LOINC_DIASTOLIC) == 0 && other->has_value
                && same_measurement (item, other)
                && !g_hash_table_contains (in_panel, &other->id))
              diastolic = other;
          }

      observation = observation_new (ex, item);
      if (diastolic != NULL)
        {
          JsonObject *component;

          g_hash_table_add (in_panel, g_memdup2 (&diastolic->id, sizeof diastolic->id));
          set_object (observation, "code",
                      concept_new (SYSTEM_LOINC, LOINC_BP_PANEL,
                                   "Blood pressure panel with all children optional",
                                   "Blood pressure"));
          observation_finish (ex, observation, p, item, encounters);

          component = json_object_new ();
          set_object (component, "code", vital_concept_new (item->code));
          set_object (component, "valueQuantity", vital_quantity_new (item));
          append_object (observation, "component", component);
          component = json_object_new ();
          set_object (component, "code", vital_concept_new (diastolic->code));
          set_object (component, "valueQuantity", vital_quantity_new (diastolic));
          append_object (observation, "component", component);
        }
      else
        {
          set_object (observation, "code", vital_concept_new (item->code));
          observation_finish (ex, observation, p, item, encounters);
          set_object (observation, "valueQuantity", vital_quantity_new (item));
        }

      if (!emit (ex, observation, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- laboratory results ------------------------------------------------------------------ */

/* Only the current result of each test is exported: one a corrected or a
 * final result replaced stays in Charta as history but would, in FHIR, be a
 * second live Observation of the same test, which a client would read as
 * two results. The one exported carries the status that says it was
 * corrected. */

#define SYSTEM_INTERP  "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define SYSTEM_V2_0074 "http://terminology.hl7.org/CodeSystem/v2-0074"
#define SYSTEM_LAB_CODE_PREFIX "urn:charta:code-system:"

/* OBR-25 (HL7 table 0123) as a DiagnosticReport status. */
static const char *
report_status (const char *status)
{
  static const char * const map[][2] = {
    { "F", "final" }, { "C", "corrected" }, { "A", "partial" }, { "P", "preliminary" },
    { "R", "preliminary" }, { "I", "registered" }, { "O", "registered" }, { "S", "registered" },
    { "X", "cancelled" }, { "Y", "unknown" }, { "Z", "unknown" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (status, map[i][0]) == 0)
      return map[i][1];
  return "unknown";
}

/* OBX-11 (HL7 table 0085) as an Observation status. */
static const char *
result_status (const char *status)
{
  static const char * const map[][2] = {
    { "F", "final" }, { "U", "final" }, { "C", "corrected" }, { "P", "preliminary" },
    { "R", "preliminary" }, { "S", "preliminary" }, { "I", "registered" }, { "O", "registered" },
    { "X", "cancelled" }, { "N", "cancelled" }, { "D", "entered-in-error" },
    { "W", "entered-in-error" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (status, map[i][0]) == 0)
      return map[i][1];
  return "unknown";
}

/* An HL7 coding system as a FHIR one: LOINC by its URI, a lab's own (or
 * another) by a URN that keeps its name; none when it has none. */
static char *
lab_system_uri (const char *system)
{
  if (!ch_has_text (system))
    return NULL;
  if (g_ascii_strcasecmp (system, "LN") == 0)
    return g_strdup (SYSTEM_LOINC);
  for (const char *c = system; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.' && *c != '_')
      return NULL;
  return g_strconcat (SYSTEM_LAB_CODE_PREFIX, system, NULL);
}

static JsonObject *
lab_concept_new (const char *system,
                 const char *code,
                 const char *text)
{
  g_autofree char *uri = lab_system_uri (system);
  JsonObject *concept = json_object_new ();

  if (ch_has_text (code))
    {
      JsonObject *coding = json_object_new ();

      set_string (coding, "system", uri);
      set_code (coding, "code", code);
      set_string (coding, "display", text);
      append_object (concept, "coding", coding);
    }
  set_string (concept, "text", ch_has_text (text) ? text : code);
  if (json_object_get_size (concept) == 0)
    json_object_set_string_member (concept, "text", "unknown test");
  return concept;
}

/* A lab's time as a FHIR dateTime: as the lab wrote it when that is a date
 * (or part of one), else — it may have no zone, which FHIR requires with a
 * time — the instant it was read as. */
static void
set_lab_time (JsonObject *object,
              const char *name,
              const char *iso,
              gboolean    has_ts,
              gint64      ts)
{
  if (ch_has_text (iso) && strlen (iso) <= 10 && strchr (iso, 'T') == NULL)
    json_object_set_string_member (object, name, iso);
  else if (has_ts)
    set_instant (object, name, ts);
}

/* OBR-22 as an instant, when it can be read as one (a time without a zone
 * in the practice's). */
static void
set_lab_instant (JsonObject *object,
                 const char *name,
                 const char *iso)
{
  g_autoptr (GTimeZone) tz = NULL;
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char *text = NULL;

  if (!ch_has_text (iso) || strchr (iso, 'T') == NULL)
    return;
  tz = g_time_zone_new_local ();
  /* GLib wants the seconds. */
  if (strlen (iso) == 16 || (strlen (iso) > 16 && (iso[16] == '+' || iso[16] == '-'
                                                   || iso[16] == 'Z')))
    text = g_strdup_printf ("%.16s:00%s", iso, iso + 16);
  else
    text = g_strdup (iso);
  dt = g_date_time_new_from_iso8601 (text, tz);
  if (dt != NULL)
    set_instant (object, name, g_date_time_to_unix (dt) * G_USEC_PER_SEC);
}

static void
append_interpretations (JsonObject *observation,
                        const char *flags)
{
  static const char * const known[][2] = {
    { "H", "High" }, { "L", "Low" }, { "A", "Abnormal" }, { "HH", "Critical high" },
    { "LL", "Critical low" }, { "N", "Normal" }, { "AA", "Critical abnormal" },
    { "HU", "Significantly high" }, { "LU", "Significantly low" }, { "U", "Significant change up" },
    { "D", "Significant change down" }, { "B", "Better" }, { "W", "Worse" },
    { "S", "Susceptible" }, { "R", "Resistant" }, { "I", "Intermediate" },
    { "POS", "Positive" }, { "NEG", "Negative" }, { "IND", "Indeterminate" },
    { "DET", "Detected" }, { "ND", "Not detected" }, { "<", "Off scale low" },
    { ">", "Off scale high" },
  };
  g_auto (GStrv) parts = NULL;

  if (!ch_has_text (flags))
    return;
  parts = g_strsplit (flags, "~", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *flag = g_strstrip (parts[i]);
      JsonObject *concept = NULL;

      if (*flag == '\0')
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (known) && concept == NULL; j++)
        if (g_str_equal (flag, known[j][0]))
          concept = concept_new (SYSTEM_INTERP, flag, known[j][1], NULL);
      if (concept == NULL)
        concept = text_concept_new (flag);
      append_object (observation, "interpretation", concept);
    }
}

static void
append_order_identifiers (JsonObject        *resource,
                          const ChLabReport *report)
{
  if (ch_has_text (report->placer_number))
    {
      JsonObject *identifier = json_object_new ();

      set_object (identifier, "type", concept_new (SYSTEM_V2_0203, "PLAC", "Placer Identifier",
                                                   NULL));
      json_object_set_string_member (identifier, "value", report->placer_number);
      append_object (resource, "identifier", identifier);
    }
  if (ch_has_text (report->filler_number))
    {
      JsonObject *identifier = json_object_new ();

      set_object (identifier, "type", concept_new (SYSTEM_V2_0203, "FILL", "Filler Identifier",
                                                   NULL));
      json_object_set_string_member (identifier, "value", report->filler_number);
      append_object (resource, "identifier", identifier);
    }
}

static void
append_note (JsonObject *resource,
             const char *comments)
{
  if (ch_has_text (comments))
    {
      JsonObject *note = json_object_new ();

      json_object_set_string_member (note, "text", comments);
      append_object (resource, "note", note);
    }
}

/* By OBX set id, then as stored. */
static int
compare_lab_results (gconstpointer a,
                     gconstpointer b)
{
  const ChLabResult *x = *(ChLabResult * const *) a;
  const ChLabResult *y = *(ChLabResult * const *) b;
  gint xs = x->has_set_id ? x->set_id : G_MAXINT;
  gint ys = y->has_set_id ? y->set_id : G_MAXINT;

  if (xs != ys)
    return xs < ys ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static JsonObject *
lab_observation_new (Export                *ex,
                     const ChPatientRecord *p,
                     const ChLabResult     *r,
                     GHashTable            *documents)
{
  JsonObject *observation = resource_new (ex, "Observation", "labresult", r->id);

  json_object_set_string_member (observation, "status", result_status (r->status));
  append_object (observation, "category",
                 concept_new (SYSTEM_OBS_CATEGORY, "laboratory", "Laboratory", NULL));
  set_object (observation, "code", lab_concept_new (r->system, r->code, r->text));
  set_object (observation, "subject", patient_reference (ex, p));
  set_lab_time (observation, "effectiveDateTime", r->observed_at, r->has_observed_ts,
                r->observed_ts);
  if (r->has_numeric_value && isfinite (r->numeric_value))
    {
      JsonObject *quantity = json_object_new ();

      json_object_set_double_member (quantity, "value", r->numeric_value);
      if (ch_has_text (r->units))
        {
          json_object_set_string_member (quantity, "unit", r->units);
          json_object_set_string_member (quantity, "system", SYSTEM_UCUM);
          set_code (quantity, "code", r->units);
        }
      set_object (observation, "valueQuantity", quantity);
    }
  else if (ch_has_text (r->value))
    json_object_set_string_member (observation, "valueString", r->value);
  append_interpretations (observation, r->abnormal_flags);
  append_note (observation, r->comments);
  if (ch_has_text (r->reference_range))
    {
      JsonObject *range = json_object_new ();

      json_object_set_string_member (range, "text", r->reference_range);
      append_object (observation, "referenceRange", range);
    }
  /* The report the lab sent as a document (an ED result), filed in the
   * chart. */
  if (r->document_id != 0 && g_hash_table_contains (documents, &r->document_id))
    append_object (observation, "derivedFrom",
                   reference_to (ex, "DocumentReference", "documentreference", r->document_id,
                                 NULL));
  return observation;
}

static gboolean
emit_labs (Export                *ex,
           const ChPatientRecord *p,
           GHashTable            *documents,
           GError               **error)
{
  g_autoptr (GPtrArray) reports = ch_db_lab_report_list (ex->store, p->id, error);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GHashTable) by_report = NULL;

  if (reports == NULL)
    return FALSE;
  if (reports->len == 0)
    return TRUE;
  results = ch_db_lab_result_list (ex->store, p->id, FALSE, error);
  if (results == NULL)
    return FALSE;

  /* The results of each report, in the order the lab sent them. */
  by_report = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                     (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < reports->len; i++)
    {
      ChLabReport *report = reports->pdata[i];
      g_hash_table_insert (by_report, &report->id, g_ptr_array_new ());
    }
  for (guint i = 0; i < results->len; i++)
    {
      ChLabResult *r = results->pdata[i];
      GPtrArray *list = g_hash_table_lookup (by_report, &r->report_id);

      if (list != NULL)
        g_ptr_array_add (list, r);
    }

  for (guint i = 0; i < reports->len; i++)
    {
      const ChLabReport *report = reports->pdata[i];
      GPtrArray *list = g_hash_table_lookup (by_report, &report->id);
      JsonObject *diagnostic;

      g_ptr_array_sort (list, compare_lab_results);
      for (guint j = 0; j < list->len; j++)
        if (!emit (ex, lab_observation_new (ex, p, list->pdata[j], documents), error))
          return FALSE;

      diagnostic = resource_new (ex, "DiagnosticReport", "labreport", report->id);
      append_order_identifiers (diagnostic, report);
      json_object_set_string_member (diagnostic, "status", report_status (report->result_status));
      append_object (diagnostic, "category",
                     concept_new (SYSTEM_V2_0074, "LAB", "Laboratory", NULL));
      set_object (diagnostic, "code",
                  lab_concept_new (report->test_system, report->test_code, report->test_text));
      set_object (diagnostic, "subject", patient_reference (ex, p));
      set_lab_time (diagnostic, "effectiveDateTime", report->observed_at,
                    report->has_observed_ts, report->observed_ts);
      set_lab_instant (diagnostic, "issued", report->reported_at);
      for (guint j = 0; j < list->len; j++)
        {
          const ChLabResult *r = list->pdata[j];

          append_object (diagnostic, "result",
                         reference_to (ex, "Observation", "labresult", r->id, NULL));
        }
      if (ch_has_text (report->comments))
        set_string (diagnostic, "conclusion", report->comments);

      if (!emit (ex, diagnostic, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- prescriptions ---------------------------------------------------------------------- */

static const char *
request_status (const char *state)
{
  if (g_strcmp0 (state, "draft") == 0)
    return "draft";
  if (g_strcmp0 (state, "signed") == 0)
    return "active";
  if (g_strcmp0 (state, "replaced") == 0)
    return "completed";
  if (g_strcmp0 (state, "stopped") == 0)
    return "stopped";
  return NULL;
}

static gboolean
emit_medication_requests (Export                *ex,
                          const ChPatientRecord *p,
                          GPtrArray             *prescriptions,
                          GError               **error)
{
  g_autoptr (GHashTable) exported = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                           NULL);

  if (prescriptions == NULL)
    return TRUE;

  for (guint i = 0; i < prescriptions->len; i++)
    {
      const ChPrescription *rx = prescriptions->pdata[i];

      if (request_status (rx->state) != NULL)
        g_hash_table_add (exported, g_memdup2 (&rx->id, sizeof rx->id));
    }

  /* Oldest first. */
  for (guint n = prescriptions->len; n > 0; n--)
    {
      const ChPrescription *rx = prescriptions->pdata[n - 1];
      const char *status = request_status (rx->state);
      JsonObject *request, *dosage, *dispense;
      g_autofree char *sig = NULL;
      g_autofree char *medication = NULL;

      if (status == NULL)
        continue;

      request = resource_new (ex, "MedicationRequest", "medicationrequest", rx->id);
      if (ch_has_text (rx->number))
        {
          JsonObject *identifier = json_object_new ();

          set_object (identifier, "type", text_concept_new ("prescription number"));
          json_object_set_string_member (identifier, "value", rx->number);
          append_object (request, "identifier", identifier);
        }
      json_object_set_string_member (request, "status", status);
      if (ch_has_text (rx->end_reason) && g_strcmp0 (rx->state, "stopped") == 0)
        set_object (request, "statusReason", text_concept_new (rx->end_reason));
      json_object_set_string_member (request, "intent", "order");

      medication = g_strjoin (" ", rx->drug_name ? rx->drug_name : "",
                              rx->strength ? rx->strength : "", rx->form ? rx->form : "", NULL);
      g_strstrip (medication);
      set_object (request, "medicationCodeableConcept",
                  text_concept_new (ch_has_text (medication) ? medication : rx->drug_name));
      set_object (request, "subject", patient_reference (ex, p));
      set_instant (request, "authoredOn", rx->signed_at != 0 ? rx->signed_at : rx->created_at);
      set_object (request, "requester", practitioner_reference (ex, rx->prescriber));
      if (ch_has_text (rx->drafted_by) && g_strcmp0 (rx->drafted_by, rx->prescriber) != 0)
        set_object (request, "recorder", practitioner_reference (ex, rx->drafted_by));
      append_object (request, "reasonCode", text_concept_new (rx->indication));

      dosage = json_object_new ();
      sig = ch_prescription_sig_text (rx);
      set_string (dosage, "text", sig);
      set_string (dosage, "patientInstruction", rx->instructions);
      if (ch_has_text (rx->frequency))
        {
          const ChFrequency *frequency = ch_prescribing_find_frequency (rx->frequency);
          JsonObject *timing = json_object_new ();

          set_object (timing, "code",
                      concept_new (SYSTEM_FREQUENCY, rx->frequency, NULL,
                                   frequency != NULL ? frequency->label : NULL));
          set_object (dosage, "timing", timing);
        }
      json_object_set_boolean_member (dosage, "asNeededBoolean", rx->as_needed);
      set_object (dosage, "route", text_concept_new (rx->route));
      if (isfinite (rx->dose) && rx->dose > 0)
        {
          JsonObject *dose_and_rate = json_object_new ();
          JsonObject *quantity = json_object_new ();

          json_object_set_double_member (quantity, "value", rx->dose);
          set_string (quantity, "unit", rx->dose_unit);
          set_object (dose_and_rate, "doseQuantity", quantity);
          append_object (dosage, "doseAndRate", dose_and_rate);
        }
      append_object (request, "dosageInstruction", dosage);

      dispense = json_object_new ();
      if (rx->refills >= 0)
        json_object_set_int_member (dispense, "numberOfRepeatsAllowed", rx->refills);
      if (isfinite (rx->quantity) && rx->quantity > 0)
        {
          JsonObject *quantity = json_object_new ();

          json_object_set_double_member (quantity, "value", rx->quantity);
          set_string (quantity, "unit", rx->quantity_unit);
          set_object (dispense, "quantity", quantity);
        }
      if (rx->duration_days > 0)
        set_object (dispense, "expectedSupplyDuration",
                    quantity_new (rx->duration_days, "d", "days"));
      set_object (request, "dispenseRequest", dispense);

      {
        JsonObject *substitution = json_object_new ();

        json_object_set_boolean_member (substitution, "allowedBoolean", rx->substitution);
        set_object (request, "substitution", substitution);
      }
      if (rx->replaces_id != 0 && g_hash_table_contains (exported, &rx->replaces_id))
        set_object (request, "priorPrescription",
                    reference_to (ex, "MedicationRequest", "medicationrequest", rx->replaces_id,
                                  NULL));

      if (!emit (ex, request, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- documents -------------------------------------------------------------------------- */

/* The kind of document, as LOINC names it where Charta's category is one. */
static JsonObject *
document_type_new (const char *category)
{
  static const char * const types[][3] = {
    { "referral", "57133-1", "Referral note" },
    { "lab-report", "11502-2", "Laboratory report" },
    { "imaging", "18748-4", "Diagnostic imaging study" },
  };
  const char *label = ch_documents_category_label (category);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_strcmp0 (category, types[i][0]) == 0)
      return concept_new (SYSTEM_LOINC, types[i][1], types[i][2], label);
  return text_concept_new (label != NULL ? label : category);
}

static gboolean
emit_documents (Export                *ex,
                const ChPatientRecord *p,
                GPtrArray             *documents,
                GError               **error)
{
  for (guint i = 0; i < documents->len; i++)
    {
      const ChDocument *d = documents->pdata[i];
      JsonObject *reference = resource_new (ex, "DocumentReference", "documentreference", d->id);
      JsonObject *content = json_object_new ();
      JsonObject *attachment = json_object_new ();

      json_object_set_string_member (reference, "status", "current");
      json_object_set_string_member (reference, "docStatus", "final");
      set_object (reference, "type", document_type_new (d->category));
      append_object (reference, "category",
                     concept_new ("urn:charta:document-category", d->category,
                                  ch_documents_category_label (d->category), NULL));
      set_object (reference, "subject", patient_reference (ex, p));
      set_instant (reference, "date", d->created_at);
      if (ch_has_text (d->author))
        append_object (reference, "author", reference_new ("Practitioner", NULL, d->author));
      set_string (reference, "description", d->title);

      set_code (attachment, "contentType", d->content_type);
      if ((ex->flags & CH_FHIR_EXPORT_DOCUMENT_DATA) != 0)
        {
          g_autoptr (GBytes) bytes = ch_documents_read (ex->session, d->id, error);
          g_autofree char *base64 = NULL;
          g_autofree char *sha1 = NULL;
          gsize size = 0;
          const guint8 *data;
          guint8 digest[20];
          gsize digest_len = sizeof digest;
          g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);

          if (bytes == NULL)
            {
              json_object_unref (attachment);
              json_object_unref (content);
              json_object_unref (reference);
              return FALSE;
            }
          data = g_bytes_get_data (bytes, &size);
          base64 = g_base64_encode (data, size);
          json_object_set_string_member (attachment, "data", base64);
          g_checksum_update (checksum, data, size);
          g_checksum_get_digest (checksum, digest, &digest_len);
          sha1 = g_base64_encode (digest, digest_len);
          json_object_set_int_member (attachment, "size", (gint64) size);
          json_object_set_string_member (attachment, "hash", sha1);
        }
      else
        json_object_set_int_member (attachment, "size", d->size);
      set_string (attachment, "title", d->title);
      set_date (attachment, "creation", d->date);
      set_object (content, "attachment", attachment);
      append_object (reference, "content", content);
      if (ch_has_text (d->source))
        {
          JsonObject *context = json_object_new ();

          append_object (context, "related", reference_new ("Organization", NULL, d->source));
          set_object (reference, "context", context);
        }

      if (!emit (ex, reference, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- appointments ---------------------------------------------------------------------- */

static const char *
appointment_status (const char *status)
{
  static const char * const map[][2] = {
    { "booked", "booked" },
    { "confirmed", "booked" },
    { "arrived", "arrived" },
    { "in-room", "checked-in" },
    { "done", "fulfilled" },
    { "no-show", "noshow" },
    { "cancelled", "cancelled" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (status, map[i][0]) == 0)
      return map[i][1];
  return "booked";
}

/* Every appointment, cancelled ones too, by patient; read once for the
 * whole export. */
static gboolean
load_appointments (Export  *ex,
                   GError **error)
{
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) resources = NULL;

  ex->appointments = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  ex->calendar = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) ch_resource_free);
  if (!ex->can_schedule)
    return TRUE;

  resources = ch_db_resource_list (ex->store, NULL, error);
  if (resources == NULL)
    return FALSE;
  for (guint i = 0; i < resources->len; i++)
    {
      ChResource *resource = g_steal_pointer (&resources->pdata[i]);
      g_hash_table_replace (ex->calendar, resource->id, resource);
    }

  all = ch_db_appointment_range (ex->store, G_MININT64, G_MAXINT64, NULL, TRUE, error);
  if (all == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    {
      ChAppointment *a = all->pdata[i];
      GPtrArray *list;

      if (a->patient_id == 0)
        continue;
      list = g_hash_table_lookup (ex->appointments, &a->patient_id);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);
          g_hash_table_insert (ex->appointments, g_memdup2 (&a->patient_id, sizeof a->patient_id),
                               list);
        }
      g_ptr_array_add (list, ch_appointment_copy (a));
    }
  return TRUE;
}

static JsonObject *
participant_new (JsonObject *actor,
                 const char *type_code,
                 const char *type_display)
{
  JsonObject *participant = json_object_new ();

  if (type_code != NULL)
    append_object (participant, "type", concept_new (SYSTEM_PART_TYPE, type_code, type_display,
                                                     NULL));
  set_object (participant, "actor", actor);
  json_object_set_string_member (participant, "required", "required");
  json_object_set_string_member (participant, "status", "accepted");
  return participant;
}

static gboolean
emit_appointments (Export                *ex,
                   const ChPatientRecord *p,
                   GError               **error)
{
  GPtrArray *list = g_hash_table_lookup (ex->appointments, &p->id);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const ChAppointment *a = list->pdata[i];
      JsonObject *appointment = resource_new (ex, "Appointment", "appointment", a->id);
      const char *status = appointment_status (a->status);
      const ChResource *provider = g_hash_table_lookup (ex->calendar,
                                                        a->provider_id ? a->provider_id : "");
      JsonObject *actor;

      json_object_set_string_member (appointment, "status", status);
      if (g_str_equal (status, "cancelled"))
        set_object (appointment, "cancelationReason", text_concept_new (a->cancel_reason));
      set_object (appointment, "appointmentType", text_concept_new (a->type_name));
      append_object (appointment, "reasonCode", text_concept_new (a->reason));
      set_string (appointment, "description", a->reason);
      set_instant (appointment, "start", a->start_at);
      set_instant (appointment, "end",
                   a->start_at + (gint64) a->duration_min * 60 * G_USEC_PER_SEC);
      if (a->duration_min > 0)
        json_object_set_int_member (appointment, "minutesDuration", a->duration_min);
      set_string (appointment, "comment", a->notes);

      append_object (appointment, "participant",
                     participant_new (patient_reference (ex, p), NULL, NULL));
      if (provider != NULL && ch_has_text (provider->username)
          && g_hash_table_contains (ex->users, provider->username))
        actor = practitioner_reference (ex, provider->username);
      else if (provider != NULL)
        {
          g_autofree char *id = provider_practitioner_id (provider->id);

          g_hash_table_add (ex->providers, g_strdup (provider->id));
          actor = reference_new ("Practitioner", id, provider->name);
        }
      else
        actor = reference_new ("Practitioner", NULL,
                               ch_has_text (a->provider_name) ? a->provider_name : a->provider_id);
      append_object (appointment, "participant", participant_new (actor, "PPRF",
                                                                  "primary performer"));
      if (ch_has_text (a->room_id))
        {
          const ChResource *room = g_hash_table_lookup (ex->calendar, a->room_id);

          append_object (appointment, "participant",
                         participant_new (reference_new ("Location", NULL,
                                                         room ? room->name : a->room_id),
                                          "LOC", "location"));
        }

      if (!emit (ex, appointment, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- one patient ------------------------------------------------------------------------- */

/* Everything of @p's (and, in bulk, the audit entry). */
static gboolean
emit_patient_compartment (Export                *ex,
                          const ChPatientRecord *p,
                          GError               **error)
{
  g_autoptr (GHashTable) encounters = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                             NULL);
  guint before = ex->count;
  static const char * const sections[] = {
    CH_SECTION_PROBLEM, CH_SECTION_ALLERGY, CH_SECTION_MEDICATION, CH_SECTION_IMMUNIZATION,
    CH_SECTION_VITAL,
  };
  GPtrArray *items[G_N_ELEMENTS (sections)] = { NULL };
  g_autoptr (GPtrArray) prescriptions = NULL;
  g_autoptr (GPtrArray) documents = NULL;
  g_autoptr (GHashTable) document_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                               NULL);
  g_autofree char *detail = NULL;
  gboolean ok = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      items[i] = ch_db_chart_list (ex->store, p->id, sections[i], FALSE, 0, error);
      if (items[i] == NULL)
        goto out;
      /* Oldest first: the lists come newest first. */
      for (guint a = 0, b = items[i]->len; a + 1 < b; a++, b--)
        {
          gpointer tmp = items[i]->pdata[a];
          items[i]->pdata[a] = items[i]->pdata[b - 1];
          items[i]->pdata[b - 1] = tmp;
        }
    }

  documents = ch_documents_list (ex->session, p->id, FALSE, error);
  if (documents == NULL)
    goto out;
  for (guint i = 0; i < documents->len; i++)
    {
      const ChDocument *d = documents->pdata[i];
      g_hash_table_add (document_ids, g_memdup2 (&d->id, sizeof d->id));
    }

  /* Prescriptions only for those who may read them. */
  if (ex->can_prescribing)
    {
      prescriptions = ch_db_prescription_list (ex->store, p->id, error);
      if (prescriptions == NULL)
        goto out;
    }

  ok = emit_patient (ex, p, error)
       && emit_coverages (ex, p, error)
       && emit_encounters (ex, p, encounters, error)
       && emit_conditions (ex, p, items[0], encounters, error)
       && emit_allergies (ex, p, items[1], error)
       && emit_medication_statements (ex, p, items[2], prescriptions, error)
       && emit_medication_requests (ex, p, prescriptions, error)
       && emit_immunizations (ex, p, items[3], encounters, error)
       && emit_vitals (ex, p, items[4], encounters, error)
       && emit_labs (ex, p, document_ids, error)
       && emit_documents (ex, p, documents, error)
       && emit_appointments (ex, p, error);
  if (!ok)
    goto out;

  /* In bulk, each patient's own entry in the audit trail. */
  if (ex->entries == NULL)
    {
      detail = g_strdup_printf ("FHIR R4 bulk export, %u resources of the patient's%s",
                                ex->count - before,
                                (ex->flags & CH_FHIR_EXPORT_DOCUMENT_DATA) ? ", with documents"
                                                                           : "");
      ok = ch_session_audit (ex->session, CH_AUDIT_EXPORT, "fhir", p->mrn, p->id, detail, error);
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    g_clear_pointer (&items[i], g_ptr_array_unref);
  return ok;
}

static gboolean
export_begin (Export            *ex,
              ChSession         *session,
              ChFhirExportFlags  flags,
              GError           **error)
{
  g_autoptr (GPtrArray) users = NULL;

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return FALSE;

  ex->session = session;
  ex->store = ch_session_get_store (session);
  ex->flags = flags;
  ex->can_schedule = ch_session_can (session, CH_AREA_SCHEDULING, CH_ACCESS_READ);
  ex->can_prescribing = ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ);
  ex->referenced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ex->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ex->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) ch_user_record_free);

  /* The clinicians' names go with what they recorded: read here, not through
   * the user administration (which the clinicians may not open). */
  users = ch_db_user_list (ex->store, error);
  if (users == NULL)
    return FALSE;
  ex->ids = ch_db_fhir_id_map (ex->store, error);
  if (ex->ids == NULL)
    return FALSE;
  ex->taken = g_hash_table_new (g_str_hash, g_str_equal);
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, ex->ids);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_hash_table_add (ex->taken, value);
  }
  for (guint i = 0; i < users->len; i++)
    {
      ChUserRecord *user = g_steal_pointer (&users->pdata[i]);
      g_hash_table_replace (ex->users, user->username, user);
    }

  return load_appointments (ex, error);
}

/* ---- a Bundle ------------------------------------------------------------------------- */

static gboolean
emit_to_bundle (Export     *ex,
                JsonObject *resource,
                GError    **error)
{
  JsonObject *entry = json_object_new ();

  json_object_set_object_member (entry, "resource", resource);
  json_array_add_object_element (ex->entries, entry);
  return TRUE;
}

static JsonNode *
bundle_patient (Export  *ex,
                gint64   patient_id,
                GError **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  JsonObject *bundle;
  JsonNode *node;
  g_autofree char *id = NULL;

  patient = ch_db_patient_get (ex->store, patient_id, error);
  if (patient == NULL)
    return NULL;

  ex->emit = emit_to_bundle;
  ex->entries = json_array_new ();
  if (!emit_patient_compartment (ex, patient, error)
      || !emit_organization (ex, error)
      || !emit_practitioners (ex, error))
    return NULL;

  {
    g_autofree char *detail = g_strdup_printf ("FHIR R4 Bundle, %u resources%s", ex->count,
                                               (ex->flags & CH_FHIR_EXPORT_DOCUMENT_DATA)
                                               ? ", with documents" : "");
    if (!ch_session_audit (ex->session, CH_AUDIT_EXPORT, "fhir", patient->mrn, patient->id,
                           detail, error))
      return NULL;
  }

  bundle = json_object_new ();
  id = resource_id (ex, "bundle-patient", patient->id);
  json_object_set_string_member (bundle, "resourceType", "Bundle");
  json_object_set_string_member (bundle, "id", id);
  json_object_set_string_member (bundle, "type", "collection");
  set_instant (bundle, "timestamp", g_get_real_time ());
  json_object_set_array_member (bundle, "entry", g_steal_pointer (&ex->entries));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, bundle);
  return node;
}

/**
 * ch_fhir_export_patient:
 * @patient_id: the patient's Charta id
 *
 * One patient's record as a FHIR R4 Bundle of type "collection": the
 * Patient, their coverage, encounters, chart, prescriptions, documents and
 * appointments, with the Practitioners they name and the practice as
 * Organization. Audited when the session's transaction commits (at once
 * when none is open).
 *
 * Returns: (transfer full): the Bundle, or %NULL with @error set: permission
 *   denied (CH_AUTH_ERROR), the patient not found (CH_STORE_ERROR), a
 *   document that cannot be read (CH_DOCUMENTS_ERROR)
 */
JsonNode *
ch_fhir_export_patient (ChSession          *session,
                        gint64              patient_id,
                        ChFhirExportFlags   flags,
                        GError            **error)
{
  g_auto (Export) ex = { 0 };
  ChStore *store;
  JsonNode *bundle;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!export_begin (&ex, session, flags, error))
    return NULL;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return NULL;
  bundle = bundle_patient (&ex, patient_id, error);
  if (bundle == NULL)
    {
      ch_store_rollback (store);
      return NULL;
    }
  if (!ch_store_commit (store, error))
    {
      json_node_unref (bundle);
      return NULL;
    }
  return bundle;
}

/* ---- files ----------------------------------------------------------------------------- */

static gboolean
io_error (GError    **error,
          GFile      *file,
          GError     *cause)
{
  g_autofree char *name = g_file_get_parse_name (file);

  g_set_error (error, CH_FHIR_ERROR, CH_FHIR_ERROR_IO, _("Could not write “%s”: %s"), name,
               cause->message);
  g_error_free (cause);
  return FALSE;
}

static GFile *
part_file (GFile *final)
{
  g_autofree char *path = g_file_get_path (final);
  g_autofree char *part = g_strconcat (path, ".part", NULL);

  return g_file_new_for_path (part);
}

/* Opens @sink's .part file next to where it will go, readable by its owner
 * only: it holds patients' records. */
static gboolean
sink_open (Sink    *sink,
           GError **error)
{
  GError *local_error = NULL;

  sink->part = part_file (sink->final);
  sink->stream = G_OUTPUT_STREAM (g_file_replace (sink->part, NULL, FALSE,
                                                  G_FILE_CREATE_PRIVATE
                                                  | G_FILE_CREATE_REPLACE_DESTINATION,
                                                  NULL, &local_error));
  if (sink->stream == NULL)
    return io_error (error, sink->final, local_error);
  sink->buffer = g_string_sized_new (64 * 1024);
  return TRUE;
}

static gboolean
sink_flush (Sink    *sink,
            GError **error)
{
  GError *local_error = NULL;

  if (sink->buffer->len == 0)
    return TRUE;
  if (!g_output_stream_write_all (sink->stream, sink->buffer->str, sink->buffer->len, NULL, NULL,
                                  &local_error))
    return io_error (error, sink->final, local_error);
  g_string_truncate (sink->buffer, 0);
  return TRUE;
}

/* Writes out the rest and closes the .part file. */
static gboolean
sink_close (Sink    *sink,
            GError **error)
{
  GError *local_error = NULL;

  if (!sink_flush (sink, error))
    return FALSE;
  if (!g_output_stream_close (sink->stream, NULL, &local_error))
    return io_error (error, sink->final, local_error);
  return TRUE;
}

/* Moves the closed .part file in place. */
static gboolean
sink_move (Sink    *sink,
           GError **error)
{
  GError *local_error = NULL;

  if (!g_file_move (sink->part, sink->final, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL,
                    &local_error))
    return io_error (error, sink->final, local_error);
  return TRUE;
}

static void
sink_abandon (Sink *sink)
{
  if (sink->stream != NULL && !g_output_stream_is_closed (sink->stream))
    g_output_stream_close (sink->stream, NULL, NULL);
  if (sink->part != NULL)
    g_file_delete (sink->part, NULL, NULL);
}

static gboolean
write_text (GFile      *file,
            const char *text,
            gsize       length,
            GError    **error)
{
  Sink *sink = g_new0 (Sink, 1);
  gboolean ok;

  sink->final = g_object_ref (file);
  ok = sink_open (sink, error);
  if (ok)
    {
      g_string_append_len (sink->buffer, text, length);
      ok = sink_close (sink, error) && sink_move (sink, error);
    }
  if (!ok)
    sink_abandon (sink);
  sink_free (sink);
  return ok;
}

/**
 * ch_fhir_write_patient:
 * @path: the file to write the Bundle to; replaced whole, or left as it
 *   was when anything failed
 * @out_count: (out) (optional): how many resources the Bundle holds
 *
 * ch_fhir_export_patient() into a file (mode 0600). The export is audited
 * only once the file is in place.
 */
gboolean
ch_fhir_write_patient (ChSession          *session,
                       gint64              patient_id,
                       ChFhirExportFlags   flags,
                       const char         *path,
                       guint              *out_count,
                       GError            **error)
{
  g_auto (Export) ex = { 0 };
  g_autoptr (JsonNode) bundle = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!export_begin (&ex, session, flags, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  bundle = bundle_patient (&ex, patient_id, error);
  if (bundle == NULL)
    goto fail;

  text = ch_fhir_to_string (bundle, &length);
  file = g_file_new_for_path (path);
  {
    g_autofree char *line = g_strconcat (text, "\n", NULL);
    if (!write_text (file, line, length + 1, error))
      goto fail;
  }
  if (!ch_store_commit (store, error))
    return FALSE;
  if (out_count != NULL)
    *out_count = ex.count;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* ---- bulk: NDJSON ------------------------------------------------------------------------- */

static gboolean
emit_to_ndjson (Export     *ex,
                JsonObject *resource,
                GError    **error)
{
  const char *type = json_object_get_string_member (resource, "resourceType");
  Sink *sink = g_hash_table_lookup (ex->sinks, type);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, resource);
  g_return_val_if_fail (sink != NULL, FALSE);

  if (sink->stream == NULL && !sink_open (sink, error))
    return FALSE;
  append_node (sink->buffer, node);
  g_string_append_c (sink->buffer, '\n');
  sink->count++;
  if (sink->buffer->len >= 64 * 1024)
    return sink_flush (sink, error);
  return TRUE;
}

static int
compare_patients (gconstpointer a,
                  gconstpointer b)
{
  const ChPatientRecord *x = *(ChPatientRecord * const *) a;
  const ChPatientRecord *y = *(ChPatientRecord * const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean
ensure_dir (GFile   *dir,
            GError **error)
{
  GError *local_error = NULL;

  if (g_file_make_directory_with_parents (dir, NULL, &local_error))
    {
      g_autofree char *path = g_file_get_path (dir);
      g_chmod (path, 0700);
      return TRUE;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)
      && g_file_query_file_type (dir, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_error_free (local_error);
      return TRUE;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_autofree char *name = g_file_get_parse_name (dir);

      g_clear_error (&local_error);
      g_set_error (error, CH_FHIR_ERROR, CH_FHIR_ERROR_IO, _("“%s” is not a folder"), name);
      return FALSE;
    }
  return io_error (error, dir, local_error);
}

/**
 * ch_fhir_export_all:
 * @dir: the folder to write to (made when missing)
 *
 * The whole practice as FHIR bulk data: one NDJSON file a resource type
 * (DIR/Patient.ndjson …), one resource a line; types with nothing to export
 * get no file. Each file is written beside its place and moved there only
 * when every file is complete; an export that fails leaves the folder as it
 * was. Each patient exported is audited, and the export as a whole.
 *
 * Returns: (transfer full) (element-type ChFhirOutput): the files written,
 *   or %NULL with @error set (as ch_fhir_export_patient(), and
 *   CH_FHIR_ERROR_IO naming the file that could not be written)
 */
GPtrArray *
ch_fhir_export_all (ChSession          *session,
                    const char         *dir,
                    ChFhirExportFlags   flags,
                    GError            **error)
{
  g_auto (Export) ex = { 0 };
  g_autoptr (GFile) folder = NULL;
  g_autoptr (GPtrArray) patients = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  g_autofree char *detail = NULL;
  ChStore *store;
  guint n_patients = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  if (!export_begin (&ex, session, flags, error))
    return NULL;

  folder = g_file_new_for_path (dir);
  if (!ensure_dir (folder, error))
    return NULL;

  ex.emit = emit_to_ndjson;
  ex.sinks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sink_free);
  for (guint i = 0; i < G_N_ELEMENTS (resource_types); i++)
    {
      Sink *sink = g_new0 (Sink, 1);
      g_autofree char *name = g_strconcat (resource_types[i], ".ndjson", NULL);

      sink->final = g_file_get_child (folder, name);
      g_hash_table_insert (ex.sinks, (gpointer) resource_types[i], sink);
    }

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return NULL;

  /* Every clinician, whether or not a patient's record names them. */
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, ex.users);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        const ChUserRecord *user = value;

        if (g_strcmp0 (user->role, "physician") == 0 || g_strcmp0 (user->role, "nurse") == 0)
          g_hash_table_add (ex.referenced, g_strdup (key));
      }

    g_hash_table_iter_init (&iter, ex.calendar);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        const ChResource *resource = value;

        if (g_strcmp0 (resource->kind, "provider") == 0
            && !(ch_has_text (resource->username)
                 && g_hash_table_contains (ex.users, resource->username)))
          g_hash_table_add (ex.providers, g_strdup (key));
      }
  }

  patients = ch_db_patient_find_name (store, "", G_MAXINT, error);
  if (patients == NULL)
    goto fail;
  g_ptr_array_sort (patients, compare_patients);

  if (!emit_organization (&ex, error))
    goto fail;
  for (guint i = 0; i < patients->len; i++)
    {
      const ChPatientRecord *hit = patients->pdata[i];
      g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, hit->id, error);

      if (patient == NULL || !emit_patient_compartment (&ex, patient, error))
        goto fail;
      n_patients++;
    }
  if (!emit_practitioners (&ex, error))
    goto fail;

  /* Every file complete before any is moved in place; a type with nothing
   * to export loses the file an earlier export left, so that the folder
   * holds this export and nothing older. */
  for (guint i = 0; i < G_N_ELEMENTS (resource_types); i++)
    {
      Sink *sink = g_hash_table_lookup (ex.sinks, resource_types[i]);

      if (sink->stream != NULL && !sink_close (sink, error))
        goto fail;
    }
  outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_fhir_output_free);
  for (guint i = 0; i < G_N_ELEMENTS (resource_types); i++)
    {
      Sink *sink = g_hash_table_lookup (ex.sinks, resource_types[i]);
      GError *local_error = NULL;
      ChFhirOutput *output;

      if (sink->stream == NULL)
        {
          if (!g_file_delete (sink->final, NULL, &local_error)
              && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            {
              io_error (error, sink->final, local_error);
              goto fail;
            }
          g_clear_error (&local_error);
          continue;
        }
      if (!sink_move (sink, error))
        goto fail;
      output = g_new0 (ChFhirOutput, 1);
      output->resource_type = g_strdup (resource_types[i]);
      output->path = g_file_get_path (sink->final);
      output->count = sink->count;
      g_ptr_array_add (outputs, output);
    }

  detail = g_strdup_printf ("FHIR R4 bulk export: %u patients, %u resources%s", n_patients,
                            ex.count,
                            (flags & CH_FHIR_EXPORT_DOCUMENT_DATA) ? ", with documents" : "");
  if (!ch_session_audit (session, CH_AUDIT_EXPORT, "fhir", "all", 0, detail, error)
      || !ch_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&outputs);

fail:
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, ex.sinks);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      sink_abandon (value);
  }
  ch_store_rollback (store);
  return NULL;
}
