/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ccda"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libxml/xmlwriter.h>
#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-ccda.h"
#include "ch-chart.h"
#include "ch-lab-db.h"
#include "ch-patients.h"
#include "ch-records.h"
#include "ch-validate.h"

/* The C-CDA CCD writer. It reads through the store of a session whose
 * rights it checked first and streams the document through libxml2's
 * xmlTextWriter into memory; the whole export, its audit entry included,
 * is one transaction, so that a failed export leaves no trace.
 *
 * Each section is written in two passes over the same items: the narrative
 * table first (the schema puts <text> before the entries), then the
 * entries, each pointing at its row by the row's ID. */

G_DEFINE_QUARK (ch-ccda-error-quark, ch_ccda_error)

#define OID_LOINC        "2.16.840.1.113883.6.1"
#define OID_SNOMED       "2.16.840.1.113883.6.96"
#define OID_ICD10CM      "2.16.840.1.113883.6.90"
#define OID_CVX          "2.16.840.1.113883.12.292"
#define OID_RXNORM       "2.16.840.1.113883.6.88"
#define OID_ACT_CODE     "2.16.840.1.113883.5.4"
#define OID_ACT_CLASS    "2.16.840.1.113883.5.6"
#define OID_GENDER       "2.16.840.1.113883.5.1"
#define OID_CONFIDENTIAL "2.16.840.1.113883.5.25"
#define OID_INTERPRET    "2.16.840.1.113883.5.83"

#define TEMPLATE_ALLERGY_CONCERN   "2.16.840.1.113883.10.20.22.4.30"
#define TEMPLATE_ALLERGY_OBS       "2.16.840.1.113883.10.20.22.4.7"
#define TEMPLATE_REACTION          "2.16.840.1.113883.10.20.22.4.9"
#define TEMPLATE_SEVERITY          "2.16.840.1.113883.10.20.22.4.8"
#define TEMPLATE_MEDICATION        "2.16.840.1.113883.10.20.22.4.16"
#define TEMPLATE_MED_INFORMATION   "2.16.840.1.113883.10.20.22.4.23"
#define TEMPLATE_PROBLEM_CONCERN   "2.16.840.1.113883.10.20.22.4.3"
#define TEMPLATE_PROBLEM_OBS       "2.16.840.1.113883.10.20.22.4.4"
#define TEMPLATE_IMMUNIZATION      "2.16.840.1.113883.10.20.22.4.52"
#define TEMPLATE_IMM_MEDICATION    "2.16.840.1.113883.10.20.22.4.54"
#define TEMPLATE_VITALS_ORGANIZER  "2.16.840.1.113883.10.20.22.4.26"
#define TEMPLATE_VITAL_OBS         "2.16.840.1.113883.10.20.22.4.27"
#define TEMPLATE_RESULT_ORGANIZER  "2.16.840.1.113883.10.20.22.4.1"
#define TEMPLATE_RESULT_OBS        "2.16.840.1.113883.10.20.22.4.2"
#define TEMPLATE_ENCOUNTER         "2.16.840.1.113883.10.20.22.4.49"
#define TEMPLATE_INDICATION        "2.16.840.1.113883.10.20.22.4.19"

#define EXT_2015 "2015-08-01"
#define EXT_2014 "2014-06-09"

typedef struct
{
  ChSession        *session;
  ChStore          *store;
  xmlTextWriterPtr  w;
  gboolean          failed;     /* a writer call failed: out of memory */
  char             *root;       /* the practice's UUID, the root of every id */
  char             *practice;   /* its name */
  char             *address;    /* its address, free text (nullable) */
  GHashTable       *users;      /* username → ChUserRecord */
  guint             n_entries;
} Doc;

static void
doc_clear (Doc *d)
{
  if (d->w != NULL)
    xmlFreeTextWriter (d->w);
  d->w = NULL;
  g_clear_pointer (&d->root, g_free);
  g_clear_pointer (&d->practice, g_free);
  g_clear_pointer (&d->address, g_free);
  g_clear_pointer (&d->users, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Doc, doc_clear)

/* ---- writing ------------------------------------------------------------------- */

static void
check (Doc *d,
       int  rc)
{
  if (rc < 0)
    d->failed = TRUE;
}

static void
start (Doc        *d,
       const char *name)
{
  check (d, xmlTextWriterStartElement (d->w, BAD_CAST name));
}

static void
end (Doc *d)
{
  check (d, xmlTextWriterEndElement (d->w));
}

/* Text as XML 1.0 can hold it: valid UTF-8, without the control
 * characters it forbids. */
static char *
clean_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        continue;
      g_string_append_c (out, (char) c);
    }
  return g_string_free (out, FALSE);
}

static void
attr (Doc        *d,
      const char *name,
      const char *value)
{
  g_autofree char *clean = NULL;

  if (value == NULL)
    return;
  clean = clean_text (value);
  check (d, xmlTextWriterWriteAttribute (d->w, BAD_CAST name, BAD_CAST clean));
}

static void
text (Doc        *d,
      const char *value)
{
  g_autofree char *clean = NULL;

  if (!ch_has_text (value))
    return;
  clean = clean_text (value);
  check (d, xmlTextWriterWriteString (d->w, BAD_CAST clean));
}

static void
element_text (Doc        *d,
              const char *name,
              const char *value)
{
  start (d, name);
  text (d, value);
  end (d);
}

static void
null_element (Doc        *d,
              const char *name,
              const char *flavor)
{
  start (d, name);
  attr (d, "nullFlavor", flavor);
  end (d);
}

/* A CDA code (type cs): one token, no white space. */
static gboolean
valid_cs (const char *code)
{
  if (!ch_has_text (code))
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static void
template_id (Doc        *d,
             const char *root,
             const char *extension)
{
  start (d, "templateId");
  attr (d, "root", root);
  end (d);
  if (extension != NULL)
    {
      start (d, "templateId");
      attr (d, "root", root);
      attr (d, "extension", extension);
      end (d);
    }
}

static void
id_element (Doc        *d,
            const char *prefix,
            gint64      id)
{
  g_autofree char *extension = g_strdup_printf ("%s-%" G_GINT64_FORMAT, prefix, id);

  start (d, "id");
  attr (d, "root", d->root);
  attr (d, "extension", extension);
  end (d);
}

static void
random_id (Doc *d)
{
  g_autofree char *uuid = g_uuid_string_random ();

  start (d, "id");
  attr (d, "root", uuid);
  end (d);
}

/* <NAME code codeSystem codeSystemName displayName/>; starts the element
 * and leaves it open for an originalText or translation. */
static void
code_start (Doc        *d,
            const char *name,
            const char *code,
            const char *system,
            const char *system_name,
            const char *display)
{
  start (d, name);
  attr (d, "code", code);
  attr (d, "codeSystem", system);
  attr (d, "codeSystemName", system_name);
  attr (d, "displayName", display);
}

static void
code_element (Doc        *d,
              const char *name,
              const char *code,
              const char *system,
              const char *system_name,
              const char *display)
{
  code_start (d, name, code, system, system_name, display);
  end (d);
}

static void
reference (Doc        *d,
           const char *row_id)
{
  g_autofree char *target = g_strconcat ("#", row_id, NULL);

  start (d, "reference");
  attr (d, "value", target);
  end (d);
}

static void
original_text (Doc        *d,
               const char *row_id)
{
  start (d, "originalText");
  reference (d, row_id);
  end (d);
}

static void
text_reference (Doc        *d,
                const char *row_id)
{
  start (d, "text");
  reference (d, row_id);
  end (d);
}

static void
status_code (Doc        *d,
             const char *status)
{
  start (d, "statusCode");
  attr (d, "code", status);
  end (d);
}

/* Charta's short code system names as OIDs. */
static const char *
system_oid (const char *system,
            const char **out_name)
{
  static const struct
  {
    const char *name;
    const char *oid;
    const char *display;
  } systems[] = {
    { "icd10cm", OID_ICD10CM, "ICD-10-CM" },
    { "icd-10-cm", OID_ICD10CM, "ICD-10-CM" },
    { "loinc", OID_LOINC, "LOINC" },
    { "ln", OID_LOINC, "LOINC" },
    { "cvx", OID_CVX, "CVX" },
    { "snomed", OID_SNOMED, "SNOMED CT" },
    { "snomedct", OID_SNOMED, "SNOMED CT" },
    { "rxnorm", OID_RXNORM, "RxNorm" },
  };

  for (guint i = 0; system != NULL && i < G_N_ELEMENTS (systems); i++)
    if (g_ascii_strcasecmp (system, systems[i].name) == 0)
      {
        if (out_name != NULL)
          *out_name = systems[i].display;
        return systems[i].oid;
      }
  return NULL;
}

/* An item's code as the element @name: coded where Charta knows the system,
 * else "other" with the text; either way the narrative row as originalText. */
static void
item_code (Doc        *d,
           const char *name,
           const char *system,
           const char *code,
           const char *display,
           const char *row_id)
{
  const char *system_name = NULL;
  const char *oid = system_oid (system, &system_name);

  if (oid != NULL && valid_cs (code))
    code_start (d, name, code, oid, system_name, display);
  else
    {
      start (d, name);
      attr (d, "nullFlavor", "OTH");
    }
  if (row_id != NULL)
    original_text (d, row_id);
  end (d);
}

/* The same, as an observation's <value xsi:type="CD">. */
static void
item_value_cd (Doc        *d,
               const char *system,
               const char *code,
               const char *display,
               const char *row_id)
{
  const char *system_name = NULL;
  const char *oid = system_oid (system, &system_name);

  start (d, "value");
  attr (d, "xsi:type", "CD");
  if (oid != NULL && valid_cs (code))
    {
      attr (d, "code", code);
      attr (d, "codeSystem", oid);
      attr (d, "codeSystemName", system_name);
      attr (d, "displayName", display);
    }
  else
    attr (d, "nullFlavor", "OTH");
  if (row_id != NULL)
    original_text (d, row_id);
  end (d);
}

/* A value people write: 36.8, not 36.799999999999997. */
static char *
number_text (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == floor (value) && fabs (value) < 1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return g_strdup (buf);
}

/* µs since the epoch as a CDA TS: 20240131143000+0000. */
static char *
ts_text (gint64 usec)
{
  g_autoptr (GDateTime) moment = NULL;
  gint64 seconds = usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0);

  moment = g_date_time_new_from_unix_utc (seconds);
  if (moment == NULL || g_date_time_get_year (moment) < 1000)
    return NULL;
  return g_date_time_format (moment, "%Y%m%d%H%M%S+0000");
}

/* The same for people: 2024-01-31 14:30 UTC. */
static char *
time_display (gint64 usec)
{
  g_autoptr (GDateTime) moment = NULL;

  if (usec == 0)
    return NULL;
  moment = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (moment == NULL)
    return NULL;
  return g_date_time_format (moment, "%Y-%m-%d %H:%M UTC");
}

/* A YYYY-MM-DD date as a TS: 20240131. */
static char *
date_ts (const char *date)
{
  if (!ch_valid_date (date))
    return NULL;
  return g_strdup_printf ("%.4s%.2s%.2s", date, date + 5, date + 8);
}

/* <NAME value="…"/>, or nullFlavor UNK when there is no such time. */
static void
time_element (Doc        *d,
              const char *name,
              const char *value)
{
  start (d, name);
  if (value != NULL)
    attr (d, "value", value);
  else
    attr (d, "nullFlavor", "UNK");
  end (d);
}

static void
ts_element (Doc        *d,
            const char *name,
            gint64      usec)
{
  g_autofree char *value = usec != 0 ? ts_text (usec) : NULL;

  time_element (d, name, value);
}

static void
date_element (Doc        *d,
              const char *name,
              const char *date)
{
  g_autofree char *value = date_ts (date);

  time_element (d, name, value);
}

/* An effectiveTime interval: low from @low_date (else @low_usec), high
 * from @high_date when there is one. */
static void
interval (Doc        *d,
          const char *low_date,
          gint64      low_usec,
          const char *high_date)
{
  start (d, "effectiveTime");
  attr (d, "xsi:type", "IVL_TS");
  if (ch_valid_date (low_date))
    date_element (d, "low", low_date);
  else
    ts_element (d, "low", low_usec);
  if (ch_valid_date (high_date))
    date_element (d, "high", high_date);
  end (d);
}

/* ---- narrative ------------------------------------------------------------------ */

static void
narrative_empty (Doc        *d,
                 const char *message)
{
  start (d, "text");
  element_text (d, "paragraph", message);
  end (d);
}

/* Opens <text><table>…<tbody>; @headers NULL-terminated, translated. */
static void
table_begin (Doc                *d,
             const char * const *headers)
{
  start (d, "text");
  start (d, "table");
  attr (d, "border", "1");
  attr (d, "width", "100%");
  start (d, "thead");
  start (d, "tr");
  for (guint i = 0; headers[i] != NULL; i++)
    element_text (d, "th", headers[i]);
  end (d);
  end (d);
  start (d, "tbody");
}

static void
table_end (Doc *d)
{
  end (d);   /* tbody */
  end (d);   /* table */
  end (d);   /* text */
}

static void
row_begin (Doc        *d,
           const char *row_id)
{
  start (d, "tr");
  attr (d, "ID", row_id);
}

static void
cell (Doc        *d,
      const char *value)
{
  element_text (d, "td", value);
}

static char *
row_id (const char *prefix,
        gint64      id)
{
  return g_strdup_printf ("%s-%" G_GINT64_FORMAT, prefix, id);
}

/* ---- sections ------------------------------------------------------------------ */

typedef struct
{
  const char *template_root;
  const char *template_extension;
  const char *code;
  const char *display;
} SectionCode;

static const SectionCode section_allergies = {
  "2.16.840.1.113883.10.20.22.2.6.1", EXT_2015, "48765-2",
  "Allergies and adverse reactions Document"
};
static const SectionCode section_medications = {
  "2.16.840.1.113883.10.20.22.2.1.1", EXT_2014, "10160-0", "History of Medication use Narrative"
};
static const SectionCode section_problems = {
  "2.16.840.1.113883.10.20.22.2.5.1", EXT_2015, "11450-4", "Problem list - Reported"
};
static const SectionCode section_immunizations = {
  "2.16.840.1.113883.10.20.22.2.2.1", EXT_2015, "11369-6", "History of Immunization Narrative"
};
static const SectionCode section_vitals = {
  "2.16.840.1.113883.10.20.22.2.4.1", EXT_2015, "8716-3", "Vital signs"
};
static const SectionCode section_results = {
  "2.16.840.1.113883.10.20.22.2.3.1", EXT_2015, "30954-2",
  "Relevant diagnostic tests/laboratory data Narrative"
};
static const SectionCode section_encounters = {
  "2.16.840.1.113883.10.20.22.2.22.1", EXT_2015, "46240-8",
  "History of Hospitalizations+Outpatient visits Narrative"
};

static void
section_begin (Doc               *d,
               const SectionCode *section,
               const char        *title,
               gboolean           empty)
{
  start (d, "component");
  start (d, "section");
  if (empty)
    attr (d, "nullFlavor", "NI");
  template_id (d, section->template_root, section->template_extension);
  code_element (d, "code", section->code, OID_LOINC, "LOINC", section->display);
  element_text (d, "title", title);
}

static void
section_end (Doc *d)
{
  end (d);   /* section */
  end (d);   /* component */
}

static void
entry_begin (Doc *d)
{
  start (d, "entry");
  attr (d, "typeCode", "DRIV");
  d->n_entries++;
}

/* ---- allergies ------------------------------------------------------------------ */

static const char *
severity_label (const char *severity)
{
  if (g_strcmp0 (severity, "mild") == 0)
    return C_("CCD narrative", "mild");
  if (g_strcmp0 (severity, "moderate") == 0)
    return C_("CCD narrative", "moderate");
  if (g_strcmp0 (severity, "severe") == 0)
    return C_("CCD narrative", "severe");
  return severity;
}

static gboolean
is_inactive (const ChChartItem *item)
{
  return g_strcmp0 (item->clinical_status, "inactive") == 0
         || g_strcmp0 (item->clinical_status, "resolved") == 0
         || g_strcmp0 (item->clinical_status, "stopped") == 0;
}

/* The allergy's type, as SNOMED CT names it. */
static void
allergy_type_value (Doc        *d,
                    const char *kind)
{
  const char *code = "419199007", *display = "Allergy to substance (disorder)";

  if (g_strcmp0 (kind, "drug") == 0)
    code = "419511003", display = "Propensity to adverse reactions to drug (finding)";
  else if (g_strcmp0 (kind, "food") == 0)
    code = "414285001", display = "Allergy to food (finding)";
  else if (g_strcmp0 (kind, "environment") == 0)
    code = "426232007", display = "Environmental allergy (finding)";

  start (d, "value");
  attr (d, "xsi:type", "CD");
  attr (d, "code", code);
  attr (d, "codeSystem", OID_SNOMED);
  attr (d, "codeSystemName", "SNOMED CT");
  attr (d, "displayName", display);
  end (d);
}

static void
allergen (Doc               *d,
          const ChChartItem *item,
          const char        *substance_row)
{
  start (d, "participant");
  attr (d, "typeCode", "CSM");
  start (d, "participantRole");
  attr (d, "classCode", "MANU");
  start (d, "playingEntity");
  attr (d, "classCode", "MMAT");
  if (item != NULL)
    {
      item_code (d, "code", item->code_system, item->code, item->display, substance_row);
      element_text (d, "name", item->display);
    }
  else
    null_element (d, "code", "NA");
  end (d);
  end (d);
  end (d);
}

static void
severity_observation (Doc        *d,
                      const char *severity,
                      const char *row)
{
  const char *code = NULL, *display = NULL;

  if (g_strcmp0 (severity, "mild") == 0)
    code = "255604002", display = "Mild (qualifier value)";
  else if (g_strcmp0 (severity, "moderate") == 0)
    code = "6736007", display = "Moderate (severity modifier) (qualifier value)";
  else if (g_strcmp0 (severity, "severe") == 0)
    code = "24484000", display = "Severe (severity modifier) (qualifier value)";
  if (code == NULL)
    return;

  start (d, "entryRelationship");
  attr (d, "typeCode", "SUBJ");
  attr (d, "inversionInd", "true");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_SEVERITY, EXT_2014);
  code_element (d, "code", "SEV", OID_ACT_CODE, "ActCode", "Severity Observation");
  text_reference (d, row);
  status_code (d, "completed");
  start (d, "value");
  attr (d, "xsi:type", "CD");
  attr (d, "code", code);
  attr (d, "codeSystem", OID_SNOMED);
  attr (d, "codeSystemName", "SNOMED CT");
  attr (d, "displayName", display);
  end (d);
  end (d);
  end (d);
}

static void
reaction_observation (Doc               *d,
                      const ChChartItem *item)
{
  g_autofree char *row = row_id ("allergy-reaction", item->id);
  g_autofree char *severity_row = row_id ("allergy-severity", item->id);

  start (d, "entryRelationship");
  attr (d, "typeCode", "MFST");
  attr (d, "inversionInd", "true");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_REACTION, EXT_2014);
  id_element (d, "allergy-reaction", item->id);
  code_element (d, "code", "ASSERTION", OID_ACT_CODE, "ActCode", NULL);
  text_reference (d, row);
  status_code (d, "completed");
  item_value_cd (d, NULL, NULL, NULL, row);
  severity_observation (d, item->severity, severity_row);
  end (d);
  end (d);
}

static void
allergy_entry (Doc               *d,
               const ChChartItem *item)
{
  g_autofree char *row = row_id ("allergy", item->id);
  g_autofree char *substance_row = row_id ("allergy-substance", item->id);
  gboolean active = !is_inactive (item);

  entry_begin (d);
  start (d, "act");
  attr (d, "classCode", "ACT");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_ALLERGY_CONCERN, EXT_2015);
  id_element (d, "allergy-concern", item->id);
  code_element (d, "code", "CONC", OID_ACT_CLASS, "HL7ActClass", "Concern");
  status_code (d, active ? "active" : "completed");
  start (d, "effectiveTime");
  ts_element (d, "low", item->recorded_at);
  end (d);

  start (d, "entryRelationship");
  attr (d, "typeCode", "SUBJ");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_ALLERGY_OBS, EXT_2014);
  id_element (d, "allergy", item->id);
  code_element (d, "code", "ASSERTION", OID_ACT_CODE, "ActCode", "Assertion");
  text_reference (d, row);
  status_code (d, "completed");
  interval (d, item->start_date, 0, item->end_date);
  allergy_type_value (d, item->kind);
  allergen (d, item, substance_row);
  if (ch_has_text (item->reaction))
    reaction_observation (d, item);
  end (d);   /* observation */
  end (d);   /* entryRelationship */
  end (d);   /* act */
  end (d);   /* entry */
}

/* "No known allergies": the allergy observation, negated, of no substance. */
static void
no_known_allergies_entry (Doc    *d,
                          gint64  patient_id)
{
  entry_begin (d);
  start (d, "act");
  attr (d, "classCode", "ACT");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_ALLERGY_CONCERN, EXT_2015);
  id_element (d, "allergy-concern-nka", patient_id);
  code_element (d, "code", "CONC", OID_ACT_CLASS, "HL7ActClass", "Concern");
  status_code (d, "active");
  start (d, "effectiveTime");
  null_element (d, "low", "UNK");
  end (d);

  start (d, "entryRelationship");
  attr (d, "typeCode", "SUBJ");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  attr (d, "negationInd", "true");
  template_id (d, TEMPLATE_ALLERGY_OBS, EXT_2014);
  id_element (d, "allergy-nka", patient_id);
  code_element (d, "code", "ASSERTION", OID_ACT_CODE, "ActCode", "Assertion");
  text_reference (d, "allergy-nka");
  status_code (d, "completed");
  start (d, "effectiveTime");
  null_element (d, "low", "UNK");
  end (d);
  allergy_type_value (d, NULL);
  allergen (d, NULL, NULL);
  end (d);
  end (d);
  end (d);
  end (d);
}

static void
write_allergies (Doc       *d,
                 gint64     patient_id,
                 GPtrArray *items,
                 gboolean   no_known)
{
  const char * const headers[] = {
    _("Substance"), _("Reaction"), _("Severity"), _("Status"), _("Recorded"), NULL
  };
  gboolean any_active = FALSE;
  gboolean nka;

  for (guint i = 0; i < items->len; i++)
    any_active |= !is_inactive (items->pdata[i]);
  nka = no_known && !any_active;

  section_begin (d, &section_allergies, _("Allergies and Adverse Reactions"),
                 items->len == 0 && !nka);
  if (items->len == 0 && !nka)
    {
      narrative_empty (d, _("No allergies recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  if (nka)
    {
      row_begin (d, "allergy-nka");
      cell (d, _("No known allergies"));
      cell (d, NULL);
      cell (d, NULL);
      cell (d, C_("CCD narrative", "active"));
      cell (d, NULL);
      end (d);
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      g_autofree char *row = row_id ("allergy", item->id);
      g_autofree char *substance_row = row_id ("allergy-substance", item->id);
      g_autofree char *reaction_row = row_id ("allergy-reaction", item->id);
      g_autofree char *severity_row = row_id ("allergy-severity", item->id);
      g_autofree char *recorded = time_display (item->recorded_at);

      row_begin (d, row);
      start (d, "td");
      attr (d, "ID", substance_row);
      text (d, item->display);
      end (d);
      start (d, "td");
      attr (d, "ID", reaction_row);
      text (d, item->reaction);
      end (d);
      start (d, "td");
      attr (d, "ID", severity_row);
      text (d, severity_label (item->severity));
      end (d);
      cell (d, is_inactive (item) ? C_("CCD narrative", "inactive")
                                  : C_("CCD narrative", "active"));
      cell (d, recorded);
      end (d);
    }
  table_end (d);

  if (nka)
    no_known_allergies_entry (d, patient_id);
  for (guint i = 0; i < items->len; i++)
    allergy_entry (d, items->pdata[i]);
  section_end (d);
}

/* ---- medications ---------------------------------------------------------------- */

static void
medication_entry (Doc               *d,
                  const ChChartItem *item)
{
  g_autofree char *row = row_id ("medication", item->id);
  g_autofree char *name_row = row_id ("medication-name", item->id);

  entry_begin (d);
  start (d, "substanceAdministration");
  attr (d, "classCode", "SBADM");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_MEDICATION, EXT_2014);
  id_element (d, "medication", item->id);
  text_reference (d, row);
  status_code (d, is_inactive (item) ? "completed" : "active");
  interval (d, item->start_date, item->effective_at, item->end_date);
  start (d, "consumable");
  start (d, "manufacturedProduct");
  attr (d, "classCode", "MANU");
  template_id (d, TEMPLATE_MED_INFORMATION, EXT_2014);
  start (d, "manufacturedMaterial");
  item_code (d, "code", item->code_system, item->code, item->display, name_row);
  element_text (d, "name", item->display);
  end (d);
  end (d);
  end (d);
  end (d);   /* substanceAdministration */
  end (d);   /* entry */
}

static void
write_medications (Doc       *d,
                   GPtrArray *items)
{
  const char * const headers[] = {
    _("Medication"), _("Dose"), _("Start"), _("End"), _("Status"), NULL
  };

  section_begin (d, &section_medications, _("Medications"), items->len == 0);
  if (items->len == 0)
    {
      narrative_empty (d, _("No medications recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      g_autofree char *row = row_id ("medication", item->id);
      g_autofree char *name_row = row_id ("medication-name", item->id);

      row_begin (d, row);
      start (d, "td");
      attr (d, "ID", name_row);
      text (d, item->display);
      end (d);
      cell (d, ch_chart_item_get_detail (item, "dose"));
      cell (d, item->start_date);
      cell (d, item->end_date);
      cell (d, is_inactive (item) ? C_("CCD narrative", "stopped") : C_("CCD narrative", "active"));
      end (d);
    }
  table_end (d);

  for (guint i = 0; i < items->len; i++)
    medication_entry (d, items->pdata[i]);
  section_end (d);
}

/* ---- problems ------------------------------------------------------------------- */

static void
problem_entry (Doc               *d,
               const ChChartItem *item)
{
  g_autofree char *row = row_id ("problem", item->id);
  g_autofree char *name_row = row_id ("problem-name", item->id);
  gboolean resolved = is_inactive (item);

  entry_begin (d);
  start (d, "act");
  attr (d, "classCode", "ACT");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_PROBLEM_CONCERN, EXT_2015);
  id_element (d, "problem-concern", item->id);
  code_element (d, "code", "CONC", OID_ACT_CLASS, "HL7ActClass", "Concern");
  status_code (d, resolved ? "completed" : "active");
  start (d, "effectiveTime");
  ts_element (d, "low", item->recorded_at);
  end (d);

  start (d, "entryRelationship");
  attr (d, "typeCode", "SUBJ");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_PROBLEM_OBS, EXT_2015);
  id_element (d, "problem", item->id);
  code_start (d, "code", "55607006", OID_SNOMED, "SNOMED CT", "Problem");
  code_element (d, "translation", "75326-9", OID_LOINC, "LOINC", "Problem");
  end (d);
  text_reference (d, row);
  status_code (d, "completed");
  interval (d, item->start_date, 0, resolved ? item->end_date : NULL);
  item_value_cd (d, item->code_system, item->code, item->display, name_row);
  end (d);
  end (d);
  end (d);
  end (d);
}

static void
write_problems (Doc       *d,
                GPtrArray *items)
{
  const char * const headers[] = {
    _("Problem"), _("ICD-10-CM"), _("Onset"), _("Resolved"), _("Status"), NULL
  };

  section_begin (d, &section_problems, _("Problems"), items->len == 0);
  if (items->len == 0)
    {
      narrative_empty (d, _("No problems recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      g_autofree char *row = row_id ("problem", item->id);
      g_autofree char *name_row = row_id ("problem-name", item->id);

      row_begin (d, row);
      start (d, "td");
      attr (d, "ID", name_row);
      text (d, item->display);
      end (d);
      cell (d, system_oid (item->code_system, NULL) != NULL ? item->code : NULL);
      cell (d, item->start_date);
      cell (d, is_inactive (item) ? item->end_date : NULL);
      cell (d, is_inactive (item) ? C_("CCD narrative", "resolved")
                                  : C_("CCD narrative", "active"));
      end (d);
    }
  table_end (d);

  for (guint i = 0; i < items->len; i++)
    problem_entry (d, items->pdata[i]);
  section_end (d);
}

/* ---- immunizations ----------------------------------------------------------------- */

static gboolean
is_refused (const ChChartItem *item)
{
  return g_strcmp0 (item->clinical_status, "refused") == 0;
}

static void
immunization_entry (Doc               *d,
                    const ChChartItem *item)
{
  g_autofree char *row = row_id ("immunization", item->id);
  g_autofree char *name_row = row_id ("immunization-name", item->id);
  const char *lot = ch_chart_item_get_detail (item, "lot");

  entry_begin (d);
  start (d, "substanceAdministration");
  attr (d, "classCode", "SBADM");
  attr (d, "moodCode", "EVN");
  attr (d, "negationInd", is_refused (item) ? "true" : "false");
  template_id (d, TEMPLATE_IMMUNIZATION, EXT_2015);
  id_element (d, "immunization", item->id);
  text_reference (d, row);
  status_code (d, "completed");
  if (ch_valid_date (item->start_date))
    date_element (d, "effectiveTime", item->start_date);
  else
    ts_element (d, "effectiveTime", item->effective_at);
  start (d, "consumable");
  start (d, "manufacturedProduct");
  attr (d, "classCode", "MANU");
  template_id (d, TEMPLATE_IMM_MEDICATION, EXT_2014);
  start (d, "manufacturedMaterial");
  item_code (d, "code", item->code_system, item->code, item->display, name_row);
  if (ch_has_text (lot))
    element_text (d, "lotNumberText", lot);
  end (d);
  end (d);
  end (d);
  end (d);
  end (d);
}

static void
write_immunizations (Doc       *d,
                     GPtrArray *items)
{
  const char * const headers[] = {
    _("Vaccine"), _("CVX"), _("Date"), _("Status"), _("Lot"), _("Site"), _("Route"), NULL
  };

  section_begin (d, &section_immunizations, _("Immunizations"), items->len == 0);
  if (items->len == 0)
    {
      narrative_empty (d, _("No immunizations recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      g_autofree char *row = row_id ("immunization", item->id);
      g_autofree char *name_row = row_id ("immunization-name", item->id);
      g_autofree char *when = ch_valid_date (item->start_date) ? g_strdup (item->start_date)
                                                               : time_display (item->effective_at);
      const char *status;

      if (is_refused (item))
        status = C_("CCD narrative", "refused");
      else if (g_strcmp0 (item->clinical_status, "historical") == 0)
        status = C_("CCD narrative", "given (reported)");
      else
        status = C_("CCD narrative", "given");

      row_begin (d, row);
      start (d, "td");
      attr (d, "ID", name_row);
      text (d, item->display);
      end (d);
      cell (d, g_strcmp0 (system_oid (item->code_system, NULL), OID_CVX) == 0 ? item->code : NULL);
      cell (d, when);
      cell (d, status);
      cell (d, ch_chart_item_get_detail (item, "lot"));
      cell (d, ch_chart_item_get_detail (item, "site"));
      cell (d, ch_chart_item_get_detail (item, "route"));
      end (d);
    }
  table_end (d);

  for (guint i = 0; i < items->len; i++)
    immunization_entry (d, items->pdata[i]);
  section_end (d);
}

/* ---- vital signs ------------------------------------------------------------------- */

typedef struct
{
  const char *code;
  const char *display;   /* LOINC's */
  const char *label;     /* for people, translated */
} VitalCode;

static const VitalCode vital_codes[] = {
  { CH_LOINC_SYSTOLIC, "Systolic blood pressure", N_("Blood pressure, systolic") },
  { CH_LOINC_DIASTOLIC, "Diastolic blood pressure", N_("Blood pressure, diastolic") },
  { CH_LOINC_PULSE, "Heart rate", N_("Heart rate") },
  { CH_LOINC_TEMPERATURE, "Body temperature", N_("Body temperature") },
  { CH_LOINC_RESPIRATION, "Respiratory rate", N_("Respiratory rate") },
  { CH_LOINC_SPO2, "Oxygen saturation in Arterial blood by Pulse oximetry",
    N_("Oxygen saturation (pulse oximetry)") },
  { CH_LOINC_HEIGHT, "Body height", N_("Height") },
  { CH_LOINC_WEIGHT, "Body weight", N_("Weight") },
  { CH_LOINC_BMI, "Body mass index (BMI) [Ratio]", N_("Body mass index") },
  { CH_LOINC_HEAD, "Head Occipital-frontal circumference", N_("Head circumference") },
  { CH_LOINC_PAIN, "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    N_("Pain (0–10)") },
};

static const VitalCode *
find_vital_code (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (vital_codes); i++)
    if (g_strcmp0 (vital_codes[i].code, code) == 0)
      return &vital_codes[i];
  return NULL;
}

/* A UCUM unit as people write it. */
static const char *
unit_label (const char *ucum)
{
  static const char * const units[][2] = {
    { "mm[Hg]", "mmHg" }, { "Cel", "°C" }, { "[degF]", "°F" }, { "/min", "/min" },
    { "{score}", "" }, { "[lb_av]", "lb" }, { "[in_i]", "in" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_strcmp0 (ucum, units[i][0]) == 0)
      return units[i][1];
  return ucum;
}

/* A physical quantity: <value xsi:type="PQ" value unit/>, the unit UCUM
 * ("1" when there is none). */
static void
pq_value (Doc        *d,
          const char *name,
          const char *type,
          double      value,
          const char *unit)
{
  g_autofree char *number = number_text (value);

  start (d, name);
  if (type != NULL)
    attr (d, "xsi:type", type);
  attr (d, "value", number);
  attr (d, "unit", valid_cs (unit) ? unit : "1");
  end (d);
}

static gboolean
same_measurement (const ChChartItem *a,
                  const ChChartItem *b)
{
  return a->effective_at == b->effective_at && a->encounter_id == b->encounter_id;
}

static gboolean
is_measured (const ChChartItem *item)
{
  return item->has_value && isfinite (item->value_num);
}

static void
vital_observation (Doc               *d,
                   const ChChartItem *item)
{
  const VitalCode *vital = find_vital_code (item->code);
  g_autofree char *row = row_id ("vital", item->id);

  start (d, "component");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_VITAL_OBS, EXT_2014);
  id_element (d, "vital", item->id);
  item_code (d, "code", item->code_system ? item->code_system : "loinc", item->code,
             vital ? vital->display : item->display, NULL);
  text_reference (d, row);
  status_code (d, "completed");
  ts_element (d, "effectiveTime", item->effective_at);
  pq_value (d, "value", "PQ", item->value_num, item->unit);
  end (d);
  end (d);
}

/* @items oldest first; one organizer a measurement (a time and visit). */
static void
write_vitals (Doc       *d,
              GPtrArray *items)
{
  const char * const headers[] = { _("Date"), _("Vital sign"), _("Value"), _("Unit"), NULL };
  g_autoptr (GPtrArray) measured = g_ptr_array_new ();

  for (guint i = 0; i < items->len; i++)
    if (is_measured (items->pdata[i]))
      g_ptr_array_add (measured, items->pdata[i]);

  section_begin (d, &section_vitals, _("Vital Signs"), measured->len == 0);
  if (measured->len == 0)
    {
      narrative_empty (d, _("No vital signs recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint i = 0; i < measured->len; i++)
    {
      const ChChartItem *item = measured->pdata[i];
      const VitalCode *vital = find_vital_code (item->code);
      g_autofree char *row = row_id ("vital", item->id);
      g_autofree char *when = time_display (item->effective_at);
      g_autofree char *value = number_text (item->value_num);

      row_begin (d, row);
      cell (d, when);
      cell (d, vital != NULL ? _(vital->label) : item->display ? item->display : item->code);
      cell (d, value);
      cell (d, unit_label (item->unit));
      end (d);
    }
  table_end (d);

  for (guint i = 0; i < measured->len;)
    {
      const ChChartItem *first = measured->pdata[i];

      entry_begin (d);
      start (d, "organizer");
      attr (d, "classCode", "CLUSTER");
      attr (d, "moodCode", "EVN");
      template_id (d, TEMPLATE_VITALS_ORGANIZER, EXT_2015);
      id_element (d, "vitals", first->id);
      code_start (d, "code", "46680005", OID_SNOMED, "SNOMED CT", "Vital signs");
      code_element (d, "translation", "74728-7", OID_LOINC, "LOINC",
                    "Vital signs, weight, height, head circumference, oximetry, BMI, and BSA panel");
      end (d);
      status_code (d, "completed");
      ts_element (d, "effectiveTime", first->effective_at);
      for (; i < measured->len && same_measurement (first, measured->pdata[i]); i++)
        vital_observation (d, measured->pdata[i]);
      end (d);   /* organizer */
      end (d);   /* entry */
    }
  section_end (d);
}

/* ---- results ----------------------------------------------------------------------- */

/* An abnormal flag as an ObservationInterpretation code, or NULL. */
static const char *
interpretation (const char *flag)
{
  static const char * const known[] = { "H", "L", "HH", "LL", "A", "AA", "N", "<", ">" };
  g_autofree char *first = NULL;

  if (!ch_has_text (flag))
    return NULL;
  /* HL7 v2 may repeat the field: the first one. */
  first = g_strstrip (g_strdup (flag));
  first[strcspn (first, "~^ ")] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (first, known[i]))
      return known[i];
  return NULL;
}

static const char *
flag_label (const char *code)
{
  if (g_strcmp0 (code, "H") == 0 || g_strcmp0 (code, "HH") == 0)
    return C_("CCD narrative", "high");
  if (g_strcmp0 (code, "L") == 0 || g_strcmp0 (code, "LL") == 0)
    return C_("CCD narrative", "low");
  if (g_strcmp0 (code, "A") == 0 || g_strcmp0 (code, "AA") == 0)
    return C_("CCD narrative", "abnormal");
  if (g_strcmp0 (code, "N") == 0)
    return C_("CCD narrative", "normal");
  return code;
}

static void
interpretation_code (Doc        *d,
                     const char *code)
{
  if (code == NULL)
    return;
  code_element (d, "interpretationCode", code, OID_INTERPRET, "ObservationInterpretation", NULL);
}

static const char *
chart_lab_flag (const ChChartItem *item)
{
  const char *code = interpretation (item->flag);

  if (code == NULL && item->has_range && is_measured (item))
    return "N";
  return code;
}

static char *
range_text (double      low,
            double      high,
            const char *unit)
{
  g_autofree char *l = number_text (low);
  g_autofree char *h = number_text (high);

  return g_strdup_printf ("%s–%s %s", l, h, unit ? unit_label (unit) : "");
}

static void
lab_item_observation (Doc               *d,
                      const ChChartItem *item)
{
  g_autofree char *row = row_id ("result", item->id);
  g_autofree char *name_row = row_id ("result-name", item->id);

  start (d, "component");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_RESULT_OBS, EXT_2015);
  id_element (d, "result", item->id);
  item_code (d, "code", item->code_system, item->code, item->display, name_row);
  text_reference (d, row);
  status_code (d, "completed");
  ts_element (d, "effectiveTime", item->effective_at);
  if (is_measured (item))
    pq_value (d, "value", "PQ", item->value_num, item->unit);
  else
    {
      start (d, "value");
      attr (d, "xsi:type", "ST");
      text (d, item->value_text);
      end (d);
    }
  interpretation_code (d, chart_lab_flag (item));
  if (item->has_range && is_measured (item))
    {
      start (d, "referenceRange");
      start (d, "observationRange");
      start (d, "value");
      attr (d, "xsi:type", "IVL_PQ");
      pq_value (d, "low", NULL, item->ref_low, item->unit);
      pq_value (d, "high", NULL, item->ref_high, item->unit);
      end (d);
      end (d);
      end (d);
    }
  end (d);
  end (d);
}

static const char *
hl7_status (const char *status)
{
  if (g_strcmp0 (status, "P") == 0 || g_strcmp0 (status, "I") == 0
      || g_strcmp0 (status, "R") == 0 || g_strcmp0 (status, "S") == 0)
    return "active";
  if (g_strcmp0 (status, "X") == 0)
    return "aborted";
  return "completed";
}

static const char *
hl7_status_label (const char *status)
{
  if (g_strcmp0 (status, "P") == 0)
    return C_("CCD narrative", "preliminary");
  if (g_strcmp0 (status, "C") == 0)
    return C_("CCD narrative", "corrected");
  if (g_strcmp0 (status, "X") == 0)
    return C_("CCD narrative", "cancelled");
  if (g_strcmp0 (status, "F") == 0)
    return C_("CCD narrative", "final");
  return status;
}

static gboolean
numeric_result (const ChLabResult *r)
{
  return r->has_numeric_value && isfinite (r->numeric_value)
         && (!ch_has_text (r->units) || valid_cs (r->units));
}

static void
hl7_result_observation (Doc               *d,
                        const ChLabResult *r)
{
  g_autofree char *row = row_id ("labresult", r->id);
  g_autofree char *name_row = row_id ("labresult-name", r->id);

  start (d, "component");
  start (d, "observation");
  attr (d, "classCode", "OBS");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_RESULT_OBS, EXT_2015);
  id_element (d, "labresult", r->id);
  item_code (d, "code", r->system, r->code, r->text, name_row);
  text_reference (d, row);
  status_code (d, hl7_status (r->status));
  if (r->has_observed_ts)
    ts_element (d, "effectiveTime", r->observed_ts);
  else
    null_element (d, "effectiveTime", "UNK");
  if (numeric_result (r))
    pq_value (d, "value", "PQ", r->numeric_value, r->units);
  else
    {
      g_autofree char *value = g_strjoin (" ", r->value ? r->value : "",
                                          r->units ? r->units : "", NULL);

      start (d, "value");
      attr (d, "xsi:type", "ST");
      text (d, g_strstrip (value));
      end (d);
    }
  interpretation_code (d, interpretation (r->abnormal_flags));
  if (ch_has_text (r->reference_range))
    {
      start (d, "referenceRange");
      start (d, "observationRange");
      element_text (d, "text", r->reference_range);
      end (d);
      end (d);
    }
  end (d);
  end (d);
}

static void
result_organizer_begin (Doc        *d,
                        const char *prefix,
                        gint64      id,
                        const char *system,
                        const char *code,
                        const char *display,
                        const char *status)
{
  entry_begin (d);
  start (d, "organizer");
  attr (d, "classCode", "BATTERY");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_RESULT_ORGANIZER, EXT_2015);
  id_element (d, prefix, id);
  if (system_oid (system, NULL) != NULL && valid_cs (code))
    item_code (d, "code", system, code, display, NULL);
  else
    {
      start (d, "code");
      attr (d, "nullFlavor", "OTH");
      element_text (d, "originalText", ch_has_text (display) ? display : _("Laboratory results"));
      end (d);
    }
  status_code (d, status);
}

/* @items (chart lab items) oldest first, one organizer a date; @results
 * (imported from HL7) newest first, one organizer a report. */
static void
write_results (Doc       *d,
               GPtrArray *items,
               GPtrArray *results)
{
  const char * const headers[] = {
    _("Date"), _("Test"), _("Value"), _("Unit"), _("Reference range"), _("Flag"), _("Status"),
    NULL
  };
  gboolean empty = items->len == 0 && results->len == 0;

  section_begin (d, &section_results, _("Results"), empty);
  if (empty)
    {
      narrative_empty (d, _("No results recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint i = 0; i < items->len; i++)
    {
      const ChChartItem *item = items->pdata[i];
      g_autofree char *row = row_id ("result", item->id);
      g_autofree char *name_row = row_id ("result-name", item->id);
      g_autofree char *when = time_display (item->effective_at);
      g_autofree char *value = is_measured (item) ? number_text (item->value_num)
                                                  : g_strdup (item->value_text);
      g_autofree char *range = item->has_range ? range_text (item->ref_low, item->ref_high,
                                                             item->unit)
                                               : NULL;

      row_begin (d, row);
      cell (d, when);
      start (d, "td");
      attr (d, "ID", name_row);
      text (d, ch_has_text (item->display) ? item->display : item->code);
      end (d);
      cell (d, value);
      cell (d, unit_label (item->unit));
      cell (d, range);
      cell (d, flag_label (chart_lab_flag (item)));
      cell (d, C_("CCD narrative", "final"));
      end (d);
    }
  for (guint i = 0; i < results->len; i++)
    {
      const ChLabResult *r = results->pdata[i];
      g_autofree char *row = row_id ("labresult", r->id);
      g_autofree char *name_row = row_id ("labresult-name", r->id);
      g_autofree char *when = r->has_observed_ts ? time_display (r->observed_ts)
                                                 : g_strdup (r->observed_at);

      row_begin (d, row);
      cell (d, when);
      start (d, "td");
      attr (d, "ID", name_row);
      text (d, ch_has_text (r->text) ? r->text : r->code);
      end (d);
      cell (d, r->value);
      cell (d, r->units);
      cell (d, r->reference_range);
      cell (d, flag_label (interpretation (r->abnormal_flags)));
      cell (d, hl7_status_label (r->status));
      end (d);
    }
  table_end (d);

  for (guint i = 0; i < items->len;)
    {
      const ChChartItem *first = items->pdata[i];

      result_organizer_begin (d, "results", first->id, NULL, NULL, NULL, "completed");
      ts_element (d, "effectiveTime", first->effective_at);
      for (; i < items->len && ((const ChChartItem *) items->pdata[i])->effective_at
                               == first->effective_at; i++)
        lab_item_observation (d, items->pdata[i]);
      end (d);
      end (d);
    }
  for (guint i = 0; i < results->len;)
    {
      const ChLabResult *first = results->pdata[i];
      gboolean final = TRUE;

      for (guint j = i; j < results->len
                        && ((const ChLabResult *) results->pdata[j])->report_id
                           == first->report_id; j++)
        final &= g_str_equal (hl7_status (((const ChLabResult *) results->pdata[j])->status),
                              "completed");
      /* The listing does not say which code system the test's code is
       * from: its name only. */
      result_organizer_begin (d, "labreport", first->report_id, NULL, NULL,
                              ch_has_text (first->test_text) ? first->test_text
                                                             : first->test_code,
                              final ? "completed" : "active");
      if (first->has_observed_ts)
        ts_element (d, "effectiveTime", first->observed_ts);
      for (; i < results->len && ((const ChLabResult *) results->pdata[i])->report_id
                                 == first->report_id; i++)
        hl7_result_observation (d, results->pdata[i]);
      end (d);
      end (d);
    }
  section_end (d);
}

/* ---- encounters ----------------------------------------------------------------------- */

static const char *
user_name (Doc        *d,
           const char *username)
{
  const ChUserRecord *user = username ? g_hash_table_lookup (d->users, username) : NULL;

  if (user != NULL && ch_has_text (user->display_name))
    return user->display_name;
  return username;
}

static const char *
encounter_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "office") == 0)
    return _("office visit");
  if (g_strcmp0 (kind, "video") == 0)
    return _("video visit");
  if (g_strcmp0 (kind, "telephone") == 0)
    return _("telephone visit");
  if (g_strcmp0 (kind, "home") == 0)
    return _("home visit");
  return kind;
}

static void
encounter_entry (Doc                     *d,
                 const ChEncounterRecord *e)
{
  g_autofree char *row = row_id ("encounter", e->id);
  g_autofree char *kind_row = row_id ("encounter-kind", e->id);
  g_autofree char *reason_row = row_id ("encounter-reason", e->id);
  const char *act = "AMB", *act_display = "ambulatory";

  if (g_strcmp0 (e->kind, "telephone") == 0 || g_strcmp0 (e->kind, "video") == 0)
    act = "VR", act_display = "virtual";
  else if (g_strcmp0 (e->kind, "home") == 0)
    act = "HH", act_display = "home health";

  entry_begin (d);
  start (d, "encounter");
  attr (d, "classCode", "ENC");
  attr (d, "moodCode", "EVN");
  template_id (d, TEMPLATE_ENCOUNTER, EXT_2015);
  id_element (d, "encounter", e->id);
  start (d, "code");
  attr (d, "nullFlavor", "OTH");
  original_text (d, kind_row);
  code_element (d, "translation", act, OID_ACT_CODE, "ActCode", act_display);
  end (d);
  text_reference (d, row);
  ts_element (d, "effectiveTime", e->start_at);
  if (ch_has_text (e->provider))
    {
      start (d, "performer");
      start (d, "assignedEntity");
      start (d, "id");
      attr (d, "root", d->root);
      {
        g_autofree char *extension = g_strconcat ("user-", e->provider, NULL);
        attr (d, "extension", extension);
      }
      end (d);
      start (d, "assignedPerson");
      element_text (d, "name", user_name (d, e->provider));
      end (d);
      end (d);
      end (d);
    }
  if (ch_has_text (e->reason))
    {
      start (d, "entryRelationship");
      attr (d, "typeCode", "RSON");
      start (d, "observation");
      attr (d, "classCode", "OBS");
      attr (d, "moodCode", "EVN");
      template_id (d, TEMPLATE_INDICATION, EXT_2014);
      id_element (d, "encounter-reason", e->id);
      code_element (d, "code", "404684003", OID_SNOMED, "SNOMED CT", "Clinical finding");
      status_code (d, "completed");
      item_value_cd (d, NULL, NULL, NULL, reason_row);
      end (d);
      end (d);
    }
  end (d);
  end (d);
}

/* @encounters newest first, as listed; written oldest first. */
static void
write_encounters (Doc       *d,
                  GPtrArray *encounters)
{
  const char * const headers[] = { _("Date"), _("Visit"), _("Provider"), _("Reason"), NULL };

  section_begin (d, &section_encounters, _("Encounters"), encounters->len == 0);
  if (encounters->len == 0)
    {
      narrative_empty (d, _("No encounters recorded"));
      section_end (d);
      return;
    }

  table_begin (d, headers);
  for (guint n = encounters->len; n > 0; n--)
    {
      const ChEncounterRecord *e = encounters->pdata[n - 1];
      g_autofree char *row = row_id ("encounter", e->id);
      g_autofree char *kind_row = row_id ("encounter-kind", e->id);
      g_autofree char *reason_row = row_id ("encounter-reason", e->id);
      g_autofree char *when = time_display (e->start_at);

      row_begin (d, row);
      cell (d, when);
      start (d, "td");
      attr (d, "ID", kind_row);
      text (d, encounter_kind_label (e->kind));
      end (d);
      cell (d, user_name (d, e->provider));
      start (d, "td");
      attr (d, "ID", reason_row);
      text (d, e->reason);
      end (d);
      end (d);
    }
  table_end (d);

  for (guint n = encounters->len; n > 0; n--)
    encounter_entry (d, encounters->pdata[n - 1]);
  section_end (d);
}

/* ---- the header ------------------------------------------------------------------------ */

static void
practice_address (Doc *d)
{
  start (d, "addr");
  if (ch_has_text (d->address))
    {
      g_auto (GStrv) lines = g_strsplit (d->address, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (ch_has_text (lines[i]))
          element_text (d, "streetAddressLine", g_strstrip (lines[i]));
    }
  else
    attr (d, "nullFlavor", "UNK");
  end (d);
}

/* The practice as an Organization (tag @name), with id, name, telecom and
 * address in the order the schema asks. */
static void
organization (Doc        *d,
              const char *name)
{
  start (d, name);
  start (d, "id");
  attr (d, "root", d->root);
  end (d);
  element_text (d, "name", d->practice);
  null_element (d, "telecom", "UNK");
  practice_address (d);
  end (d);
}

static const char *
telecom_use (const char *kind)
{
  if (g_strcmp0 (kind, "mobile") == 0)
    return "MC";
  if (g_strcmp0 (kind, "home") == 0)
    return "HP";
  if (g_strcmp0 (kind, "work") == 0)
    return "WP";
  return NULL;
}

/* A phone number as a tel: URI: digits and the visual separators RFC 3966
 * allows, no spaces. */
static char *
tel_uri (const char *number)
{
  GString *uri = g_string_new ("tel:");

  for (const char *p = number; *p != '\0'; p++)
    if (g_ascii_isdigit (*p) || strchr ("+-.()", *p) != NULL)
      g_string_append_c (uri, *p);
  if (uri->len == 4)
    {
      g_string_free (uri, TRUE);
      return NULL;
    }
  return g_string_free (uri, FALSE);
}

static void
patient_role (Doc                   *d,
              const ChPatientRecord *p)
{
  gboolean any_telecom = FALSE;

  start (d, "recordTarget");
  start (d, "patientRole");
  start (d, "id");
  attr (d, "root", d->root);
  attr (d, "extension", p->mrn);
  attr (d, "assigningAuthorityName", d->practice);
  end (d);

  start (d, "addr");
  if (ch_has_text (p->address_line) || ch_has_text (p->city) || ch_has_text (p->postal_code))
    {
      attr (d, "use", "HP");
      if (ch_has_text (p->address_line))
        element_text (d, "streetAddressLine", p->address_line);
      if (ch_has_text (p->city))
        element_text (d, "city", p->city);
      if (ch_has_text (p->region))
        element_text (d, "state", p->region);
      if (ch_has_text (p->postal_code))
        element_text (d, "postalCode", p->postal_code);
      if (ch_has_text (p->country))
        element_text (d, "country", p->country);
    }
  else
    attr (d, "nullFlavor", "UNK");
  end (d);

  for (guint i = 0; p->phones != NULL && i < p->phones->len; i++)
    {
      const ChPhone *phone = p->phones->pdata[i];
      g_autofree char *uri = ch_has_text (phone->number) ? tel_uri (phone->number) : NULL;

      if (uri == NULL)
        continue;
      start (d, "telecom");
      attr (d, "use", telecom_use (phone->kind));
      attr (d, "value", uri);
      end (d);
      any_telecom = TRUE;
    }
  if (ch_has_text (p->email) && strpbrk (p->email, " \t\r\n") == NULL)
    {
      g_autofree char *uri = g_strconcat ("mailto:", p->email, NULL);

      start (d, "telecom");
      attr (d, "value", uri);
      end (d);
      any_telecom = TRUE;
    }
  if (!any_telecom)
    null_element (d, "telecom", "UNK");

  start (d, "patient");
  start (d, "name");
  attr (d, "use", "L");
  if (ch_has_text (p->given_name))
    element_text (d, "given", p->given_name);
  element_text (d, "family", p->family_name);
  end (d);
  if (g_strcmp0 (p->sex, "female") == 0)
    code_element (d, "administrativeGenderCode", "F", OID_GENDER, "AdministrativeGender",
                  "Female");
  else if (g_strcmp0 (p->sex, "male") == 0)
    code_element (d, "administrativeGenderCode", "M", OID_GENDER, "AdministrativeGender",
                  "Male");
  else if (g_strcmp0 (p->sex, "other") == 0)
    code_element (d, "administrativeGenderCode", "UN", OID_GENDER, "AdministrativeGender",
                  "Undifferentiated");
  else
    null_element (d, "administrativeGenderCode", "UNK");
  date_element (d, "birthTime", p->birth_date);
  if (valid_cs (p->language))
    {
      start (d, "languageCommunication");
      start (d, "languageCode");
      attr (d, "code", p->language);
      end (d);
      start (d, "preferenceInd");
      attr (d, "value", "true");
      end (d);
      end (d);
    }
  end (d);   /* patient */
  organization (d, "providerOrganization");
  end (d);   /* patientRole */
  end (d);   /* recordTarget */
}

static void
header (Doc                   *d,
        const ChPatientRecord *p,
        gint64                 now)
{
  g_autofree char *name = ch_patient_record_display_name (p);
  g_autofree char *title = g_strdup_printf (_("Continuity of Care Document: %s"), name);
  const char *username = ch_session_get_username (d->session);
  const char *author = ch_session_get_display_name (d->session);
  g_autofree char *user_id = g_strconcat ("user-", username, NULL);

  start (d, "realmCode");
  attr (d, "code", "US");
  end (d);
  start (d, "typeId");
  attr (d, "root", "2.16.840.1.113883.1.3");
  attr (d, "extension", "POCD_HD000040");
  end (d);
  template_id (d, "2.16.840.1.113883.10.20.22.1.1", EXT_2015);
  template_id (d, "2.16.840.1.113883.10.20.22.1.2", EXT_2015);
  random_id (d);
  code_element (d, "code", "34133-9", OID_LOINC, "LOINC", "Summarization of Episode Note");
  element_text (d, "title", title);
  ts_element (d, "effectiveTime", now);
  code_element (d, "confidentialityCode", "N", OID_CONFIDENTIAL, "Confidentiality", "normal");
  start (d, "languageCode");
  /* Translators: the BCP 47 tag of the language you translate into, e.g.
   * "es" or "fr-CA": it tells the reader of an exported CCD (a C-CDA
   * document) which language its narrative is in. */
  attr (d, "code", _("en-US"));
  end (d);

  patient_role (d, p);

  start (d, "author");
  ts_element (d, "time", now);
  start (d, "assignedAuthor");
  start (d, "id");
  attr (d, "root", d->root);
  attr (d, "extension", user_id);
  end (d);
  practice_address (d);
  null_element (d, "telecom", "UNK");
  start (d, "assignedPerson");
  element_text (d, "name", ch_has_text (author) ? author : username);
  end (d);
  organization (d, "representedOrganization");
  end (d);
  end (d);

  start (d, "custodian");
  start (d, "assignedCustodian");
  organization (d, "representedCustodianOrganization");
  end (d);
  end (d);

  start (d, "documentationOf");
  start (d, "serviceEvent");
  attr (d, "classCode", "PCPR");
  start (d, "effectiveTime");
  date_element (d, "low", p->birth_date);
  ts_element (d, "high", now);
  end (d);
  end (d);
  end (d);
}

/* ---- the document -------------------------------------------------------------------- */

static void
reverse (GPtrArray *array)
{
  for (guint a = 0, b = array->len; a + 1 < b; a++, b--)
    {
      gpointer tmp = array->pdata[a];
      array->pdata[a] = array->pdata[b - 1];
      array->pdata[b - 1] = tmp;
    }
}

/* The practice's UUID, the root of every id a CCD gives: made and kept the
 * first time, so that a record keeps its id from one export to the next. */
static char *
practice_root (ChStore  *store,
               GError  **error)
{
  GError *local_error = NULL;
  char *uuid = ch_db_setting_get (store, "practice.uuid", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (uuid != NULL && g_uuid_string_is_valid (uuid))
    return uuid;
  g_free (uuid);
  uuid = g_uuid_string_random ();
  if (!ch_db_setting_set (store, "practice.uuid", uuid, error))
    {
      g_free (uuid);
      return NULL;
    }
  return uuid;
}

/* The document, in the caller's transaction; audited. */
static char *
build (ChSession  *session,
       gint64      patient_id,
       gsize      *out_length,
       guint      *out_entries,
       GError    **error)
{
  g_auto (Doc) d = { 0 };
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GPtrArray) encounters = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autofree char *nka = NULL;
  g_autofree char *detail = NULL;
  static const char * const sections[] = {
    CH_SECTION_ALLERGY, CH_SECTION_MEDICATION, CH_SECTION_PROBLEM, CH_SECTION_IMMUNIZATION,
    CH_SECTION_VITAL, CH_SECTION_LAB,
  };
  GPtrArray *items[G_N_ELEMENTS (sections)] = { NULL };
  xmlBufferPtr buffer = NULL;
  char *xml = NULL;
  GError *local_error = NULL;

  d.session = session;
  d.store = ch_session_get_store (session);

  patient = ch_db_patient_get (d.store, patient_id, error);
  if (patient == NULL)
    return NULL;

  d.root = practice_root (d.store, error);
  if (d.root == NULL)
    return NULL;
  d.practice = ch_session_get_practice_name (session);
  d.address = ch_db_setting_get (d.store, "practice.address", NULL);
  d.users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                   (GDestroyNotify) ch_user_record_free);
  /* The clinicians' names go with their visits: read here, not through the
   * user administration (which clinicians may not open). */
  users = ch_db_user_list (d.store, error);
  if (users == NULL)
    return NULL;
  for (guint i = 0; i < users->len; i++)
    {
      ChUserRecord *user = g_steal_pointer (&users->pdata[i]);
      g_hash_table_replace (d.users, user->username, user);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      items[i] = ch_db_chart_list (d.store, patient->id, sections[i], FALSE, 0, error);
      if (items[i] == NULL)
        goto out;
      /* Oldest first: the lists come newest first. */
      reverse (items[i]);
    }
  encounters = ch_db_encounter_list (d.store, patient->id, 0, error);
  if (encounters == NULL)
    goto out;
  results = ch_db_lab_result_list (d.store, patient->id, FALSE, error);
  if (results == NULL)
    goto out;
  nka = ch_db_chart_flag_get (d.store, patient->id, "no-known-allergies", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      goto out;
    }

  buffer = xmlBufferCreate ();
  d.w = buffer != NULL ? xmlNewTextWriterMemory (buffer, 0) : NULL;
  if (d.w == NULL)
    {
      g_set_error_literal (error, CH_CCDA_ERROR, CH_CCDA_ERROR_FAILED,
                           _("Could not start the document: out of memory"));
      goto out;
    }
  check (&d, xmlTextWriterSetIndent (d.w, 1));
  check (&d, xmlTextWriterSetIndentString (d.w, BAD_CAST "  "));
  check (&d, xmlTextWriterStartDocument (d.w, NULL, "UTF-8", NULL));
  start (&d, "ClinicalDocument");
  attr (&d, "xmlns", "urn:hl7-org:v3");
  attr (&d, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
  attr (&d, "xmlns:sdtc", "urn:hl7-org:sdtc");
  header (&d, patient, g_get_real_time ());

  start (&d, "component");
  start (&d, "structuredBody");
  write_allergies (&d, patient->id, items[0], nka != NULL);
  write_medications (&d, items[1]);
  write_problems (&d, items[2]);
  write_immunizations (&d, items[3]);
  write_vitals (&d, items[4]);
  write_results (&d, items[5], results);
  write_encounters (&d, encounters);
  end (&d);   /* structuredBody */
  end (&d);   /* component */
  end (&d);   /* ClinicalDocument */
  check (&d, xmlTextWriterEndDocument (d.w));
  xmlFreeTextWriter (d.w);
  d.w = NULL;

  if (d.failed)
    {
      g_set_error_literal (error, CH_CCDA_ERROR, CH_CCDA_ERROR_FAILED,
                           _("Could not write the document: out of memory"));
      goto out;
    }

  detail = g_strdup_printf ("C-CDA R2.1 CCD, %u entries", d.n_entries);
  if (!ch_session_audit (session, CH_AUDIT_EXPORT, "ccda", patient->mrn, patient->id, detail,
                         error))
    goto out;

  if (out_length != NULL)
    *out_length = (gsize) xmlBufferLength (buffer);
  if (out_entries != NULL)
    *out_entries = d.n_entries;
  xml = g_strndup ((const char *) xmlBufferContent (buffer), xmlBufferLength (buffer));

out:
  if (buffer != NULL)
    {
      if (d.w != NULL)
        {
          xmlFreeTextWriter (d.w);
          d.w = NULL;
        }
      xmlBufferFree (buffer);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    g_clear_pointer (&items[i], g_ptr_array_unref);
  return xml;
}

static gboolean
export_begin (ChSession  *session,
              GError    **error)
{
  return ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error)
         && ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error);
}

/**
 * ch_ccda_export_patient:
 * @patient_id: the patient's Charta id
 * @out_length: (out) (optional): the document's length in bytes
 * @out_entries: (out) (optional): how many entries its sections hold
 *
 * One patient's Continuity of Care Document (C-CDA R2.1), as UTF-8 XML.
 * Audited when the session's transaction commits (at once when none is
 * open).
 *
 * Returns: (transfer full): the document, or %NULL with @error set:
 *   permission denied (CH_AUTH_ERROR), the patient not found
 *   (CH_STORE_ERROR), out of memory (CH_CCDA_ERROR_FAILED)
 */
char *
ch_ccda_export_patient (ChSession  *session,
                        gint64      patient_id,
                        gsize      *out_length,
                        guint      *out_entries,
                        GError    **error)
{
  ChStore *store;
  char *xml;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!export_begin (session, error))
    return NULL;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return NULL;
  xml = build (session, patient_id, out_length, out_entries, error);
  if (xml == NULL)
    {
      ch_store_rollback (store);
      return NULL;
    }
  if (!ch_store_commit (store, error))
    {
      g_free (xml);
      return NULL;
    }
  return xml;
}

/**
 * ch_ccda_write_patient:
 * @path: the file to write the document to; replaced whole (mode 0600),
 *   or left as it was when anything failed
 * @out_entries: (out) (optional): how many entries its sections hold
 *
 * ch_ccda_export_patient() into a file. The export is audited only once
 * the file is in place.
 *
 * Returns: %TRUE, or %FALSE with @error set as ch_ccda_export_patient()
 *   does, or CH_CCDA_ERROR_IO naming the file that could not be written
 */
gboolean
ch_ccda_write_patient (ChSession   *session,
                       gint64       patient_id,
                       const char  *path,
                       guint       *out_entries,
                       GError     **error)
{
  g_autofree char *xml = NULL;
  GError *local_error = NULL;
  ChStore *store;
  gsize length = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!export_begin (session, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  xml = build (session, patient_id, &length, out_entries, error);
  if (xml == NULL)
    {
      ch_store_rollback (store);
      return FALSE;
    }
  if (!g_file_set_contents_full (path, xml, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &local_error))
    {
      g_autofree char *name = g_filename_display_name (path);

      ch_store_rollback (store);
      g_set_error (error, CH_CCDA_ERROR, CH_CCDA_ERROR_IO, _("Could not write “%s”: %s"), name,
                   local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  if (!ch_store_commit (store, error))
    {
      /* Not on record as exported: not exported. */
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}
