/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-ccda-import"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-ccda-import.h"
#include "ch-chart.h"
#include "ch-chart-db.h"
#include "ch-documents.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-reconcile.h"
#include "ch-reconcile-db.h"
#include "ch-validate.h"

/* Real CCDs differ from the guide in many small ways: entries without
 * templateIds, codes with nullFlavor and the text only in the narrative,
 * R1.1 and R2.1 templateIds side by side. So sections are found by
 * templateId or LOINC code, entries by their shape (the act and its
 * observation, the substanceAdministration) rather than by templateId, and
 * every text falls back along displayName → originalText → the narrative
 * the reference points at. An entry that yields neither a code nor a text
 * is skipped: there is nothing a person could decide about. */

#define NS_HL7  "urn:hl7-org:v3"
#define NS_SDTC "urn:hl7-org:sdtc"

#define OID_ICD10CM "2.16.840.1.113883.6.90"
#define OID_SNOMED  "2.16.840.1.113883.6.96"
#define OID_RXNORM  "2.16.840.1.113883.6.88"
#define OID_UNII    "2.16.840.1.113883.4.9"
#define OID_LOINC   "2.16.840.1.113883.6.1"

#define MAX_TEXT 2000

G_DEFINE_QUARK (ch-ccda-import-error-quark, ch_ccda_import_error)

void
ch_ccda_import_free (ChCcdaImport *import)
{
  if (import == NULL)
    return;
  ch_incoming_document_free (import->header);
  g_free (import->family_name);
  g_free (import->given_name);
  g_clear_pointer (&import->items, g_ptr_array_unref);
  g_free (import);
}

/* ---- reading ----------------------------------------------------------------- */

typedef struct
{
  xmlDoc             *doc;
  xmlXPathContext    *xpath;
  GHashTable         *ids;     /* narrative ID attribute → element (not owned) */
} Parser;

static void
parser_clear (Parser *p)
{
  g_clear_pointer (&p->xpath, xmlXPathFreeContext);
  g_clear_pointer (&p->doc, xmlFreeDoc);
  g_clear_pointer (&p->ids, g_hash_table_unref);
}

static void
collect_ids (GHashTable *ids,
             xmlNode    *node)
{
  for (; node != NULL; node = node->next)
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      for (xmlAttr *a = node->properties; a != NULL; a = a->next)
        if (a->ns == NULL && xmlStrEqual (a->name, BAD_CAST "ID") && a->children != NULL
            && a->children->content != NULL)
          g_hash_table_insert (ids, a->children->content, node);
      collect_ids (ids, node->children);
    }
}

/* Returns: (transfer full): the nodes @expr selects from @node */
static GPtrArray *
select_nodes (Parser     *p,
              xmlNode    *node,
              const char *expr)
{
  GPtrArray *out = g_ptr_array_new ();
  xmlXPathObject *result;

  p->xpath->node = node;
  result = xmlXPathEvalExpression (BAD_CAST expr, p->xpath);
  if (result != NULL && result->type == XPATH_NODESET && result->nodesetval != NULL)
    for (int i = 0; i < result->nodesetval->nodeNr; i++)
      g_ptr_array_add (out, result->nodesetval->nodeTab[i]);
  xmlXPathFreeObject (result);
  return out;
}

static xmlNode *
select_node (Parser     *p,
             xmlNode    *node,
             const char *expr)
{
  g_autoptr (GPtrArray) nodes = select_nodes (p, node, expr);

  return nodes->len > 0 ? nodes->pdata[0] : NULL;
}

/* Whitespace collapsed, trimmed, capped; NULL when empty. */
static char *
clean_text (const char *text)
{
  g_autoptr (GString) out = NULL;
  gboolean space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  out = g_string_new (NULL);
  for (const char *s = text; *s != '\0'; s++)
    {
      if (g_ascii_isspace (*s))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *s);
    }
  if (out->len == 0)
    return NULL;
  if (g_utf8_strlen (out->str, -1) > MAX_TEXT)
    {
      char *end = g_utf8_offset_to_pointer (out->str, MAX_TEXT);

      g_string_truncate (out, end - out->str);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
get_attr (xmlNode    *node,
          const char *name)
{
  xmlChar *value;
  char *out;

  if (node == NULL)
    return NULL;
  value = xmlGetNoNsProp (node, BAD_CAST name);
  out = clean_text ((const char *) value);
  xmlFree (value);
  return out;
}

static char *
node_text (xmlNode *node)
{
  xmlChar *value;
  char *out;

  if (node == NULL)
    return NULL;
  value = xmlNodeGetContent (node);
  out = clean_text ((const char *) value);
  xmlFree (value);
  return out;
}

/* The narrative element a <reference value="#id"/> under @node points at. */
static xmlNode *
referenced_node (Parser  *p,
                 xmlNode *node)
{
  xmlNode *reference = select_node (p, node, "h:reference");
  g_autofree char *value = get_attr (reference, "value");

  if (value == NULL || value[0] != '#')
    return NULL;
  return g_hash_table_lookup (p->ids, value + 1);
}

static char *
referenced_text (Parser  *p,
                 xmlNode *node)
{
  return node_text (referenced_node (p, node));
}

/* An originalText's own words, else the narrative it references. */
static char *
original_text (Parser  *p,
               xmlNode *code)
{
  xmlNode *original = select_node (p, code, "h:originalText");
  g_autoptr (GString) own = NULL;

  if (original == NULL)
    return NULL;
  own = g_string_new (NULL);
  for (xmlNode *child = original->children; child != NULL; child = child->next)
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
      g_string_append (own, (const char *) child->content);
  if (own->len > 0)
    {
      char *text = clean_text (own->str);

      if (text != NULL)
        return text;
    }
  return referenced_text (p, original);
}

/* Charta's short names for the code systems it knows; else the OID. */
static const char *
system_name (const char *oid)
{
  static const struct
  {
    const char *oid;
    const char *name;
  } systems[] = {
    { OID_ICD10CM, "icd10cm" },
    { OID_SNOMED, "snomed" },
    { OID_RXNORM, "rxnorm" },
    { OID_UNII, "unii" },
    { OID_LOINC, "loinc" },
    { "2.16.840.1.113883.6.103", "icd9cm" },
    { "2.16.840.1.113883.12.292", "cvx" },
    { "2.16.840.1.113883.6.69", "ndc" },
  };

  for (guint i = 0; oid != NULL && i < G_N_ELEMENTS (systems); i++)
    if (g_str_equal (oid, systems[i].oid))
      return systems[i].name;
  return oid;
}

typedef struct
{
  char *code;
  char *system;
  char *text;
} Coded;

static void
coded_clear (Coded *c)
{
  g_clear_pointer (&c->code, g_free);
  g_clear_pointer (&c->system, g_free);
  g_clear_pointer (&c->text, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Coded, coded_clear)

/* Reads a coded element (code, value, …) with its translations: the code
 * in the first of the @preferred systems (OIDs) it is given in, else the
 * first code given; its text as the fallbacks say. @extra: (nullable): a
 * node whose text/reference names the entry, the last fallback. */
static void
read_coded (Parser             *p,
            xmlNode            *element,
            const char * const *preferred,
            xmlNode            *extra,
            Coded              *out)
{
  g_autoptr (GPtrArray) candidates = NULL;
  xmlNode *chosen = NULL;
  guint best = G_MAXUINT;

  if (element != NULL)
    {
      candidates = select_nodes (p, element, ". | h:translation");
      for (guint i = 0; i < candidates->len; i++)
        {
          xmlNode *c = candidates->pdata[i];
          g_autofree char *code = get_attr (c, "code");
          g_autofree char *oid = get_attr (c, "codeSystem");
          guint rank = G_MAXUINT - 1;

          if (code == NULL || xmlHasProp (c, BAD_CAST "nullFlavor") != NULL)
            continue;
          for (guint j = 0; preferred != NULL && preferred[j] != NULL; j++)
            if (g_strcmp0 (oid, preferred[j]) == 0)
              {
                rank = j;
                break;
              }
          if (rank < best)
            {
              best = rank;
              chosen = c;
            }
        }
    }

  if (chosen != NULL)
    {
      g_autofree char *oid = get_attr (chosen, "codeSystem");

      out->code = get_attr (chosen, "code");
      out->system = g_strdup (oid != NULL ? system_name (oid) : "");
      out->text = get_attr (chosen, "displayName");
    }
  if (out->text == NULL && element != NULL)
    out->text = get_attr (element, "displayName");
  for (guint i = 0; out->text == NULL && candidates != NULL && i < candidates->len; i++)
    out->text = get_attr (candidates->pdata[i], "displayName");
  if (out->text == NULL && element != NULL)
    out->text = original_text (p, element);
  if (out->text == NULL && extra != NULL)
    {
      xmlNode *text = select_node (p, extra, "h:text");

      out->text = referenced_text (p, text);
      if (out->text == NULL && text != NULL)
        out->text = original_text (p, extra);
    }
}

/* "20190304…" → "2019-03-04"; NULL unless it has a whole date. */
static char *
read_date (xmlNode *node)
{
  g_autofree char *value = get_attr (node, "value");
  char *date;

  if (value == NULL || strlen (value) < 8)
    return NULL;
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit (value[i]))
      return NULL;
  date = g_strdup_printf ("%.4s-%.2s-%.2s", value, value + 4, value + 6);
  if (!ch_valid_date (date))
    g_clear_pointer (&date, g_free);
  return date;
}

static gboolean
is_negated (xmlNode *node)
{
  xmlChar *value = xmlGetNoNsProp (node, BAD_CAST "negationInd");
  gboolean negated = value != NULL && xmlStrEqual (value, BAD_CAST "true");

  xmlFree (value);
  return negated;
}

static char *
lower_word (const char *text)
{
  return text != NULL ? g_utf8_strdown (text, -1) : NULL;
}

/* A section by its templateIds (R2.1 "entries required" and the older
 * "entries optional") or its LOINC code. */
static xmlNode *
find_section (Parser     *p,
              const char *template_root,
              const char *loinc)
{
  g_autofree char *expr = g_strdup_printf (
    "/h:ClinicalDocument/h:component/h:structuredBody/h:component/h:section"
    "[h:templateId[@root='%s' or @root='%s.1'] or h:code[@code='%s']]",
    template_root, template_root, loinc);

  return select_node (p, xmlDocGetRootElement (p->doc), expr);
}

static void
append_detail (GString    *details,
               const char *label,
               const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;
  if (details->len > 0)
    g_string_append (details, "; ");
  g_string_append_printf (details, "%s %s", label, value);
}

static ChIncomingItem *
item_from (const char *kind,
           Coded      *coded)
{
  ChIncomingItem *item = ch_incoming_item_new (kind);

  item->code = g_strdup (coded->code ? coded->code : "");
  item->system = g_strdup (coded->code && coded->system ? coded->system : "");
  item->text = g_strdup (coded->text ? coded->text : coded->code);
  return item;
}

static void
read_problems (Parser    *p,
               GPtrArray *items)
{
  static const char * const preferred[] = { OID_ICD10CM, OID_SNOMED, NULL };
  xmlNode *section = find_section (p, "2.16.840.1.113883.10.20.22.2.5", "11450-4");
  g_autoptr (GPtrArray) observations = NULL;

  if (section == NULL)
    return;
  /* A concern act may hold other observations (a priority preference, a
   * note) beside its Problem Observation: when one of its observations has
   * that templateId, only those count. */
  observations = select_nodes (p, section,
                               "h:entry/h:act/h:entryRelationship/h:observation[h:value]"
                               "[h:templateId[@root='2.16.840.1.113883.10.20.22.4.4']"
                               " or not(../../h:entryRelationship/h:observation/h:templateId"
                               "[@root='2.16.840.1.113883.10.20.22.4.4'])]"
                               " | h:entry/h:observation[h:value]");
  for (guint i = 0; i < observations->len; i++)
    {
      xmlNode *obs = observations->pdata[i];
      xmlNode *act = obs->parent != NULL && obs->parent->parent != NULL
                     && xmlStrEqual (obs->parent->parent->name, BAD_CAST "act")
                     ? obs->parent->parent : NULL;
      g_auto (Coded) coded = { 0 };
      g_autofree char *act_status = NULL;
      g_autofree char *state = NULL;
      g_autoptr (GString) details = g_string_new (NULL);
      ChIncomingItem *item;
      xmlNode *high;

      if (is_negated (obs))
        continue;
      read_coded (p, select_node (p, obs, "h:value"), preferred, obs, &coded);
      if (coded.code == NULL && coded.text == NULL)
        continue;
      item = item_from ("problem", &coded);

      item->onset = read_date (select_node (p, obs, "h:effectiveTime/h:low"));
      if (item->onset == NULL)
        item->onset = read_date (select_node (p, obs, "h:effectiveTime"));
      high = select_node (p, obs, "h:effectiveTime/h:high[@value]");
      /* A Problem Status observation says it in words; else the concern
       * act's state, else a resolution date. */
      state = lower_word (get_attr (select_node (p, obs, "h:entryRelationship/h:observation"
                                                 "[h:code[@code='33999-4']]/h:value"),
                                    "displayName"));
      act_status = get_attr (select_node (p, act, "h:statusCode"), "code");
      if (state != NULL && (strstr (state, "resolved") || strstr (state, "inactive")))
        item->clinical_status = g_strdup ("resolved");
      else if (state != NULL && strstr (state, "active"))
        item->clinical_status = g_strdup ("active");
      else if (g_strcmp0 (act_status, "completed") == 0 || high != NULL)
        item->clinical_status = g_strdup ("resolved");
      else
        item->clinical_status = g_strdup ("active");

      append_detail (details, _("onset"), item->onset);
      append_detail (details, _("status"), item->clinical_status);
      item->details = g_string_free (g_steal_pointer (&details), FALSE);
      g_ptr_array_add (items, item);
    }
}

static const char *
severity_from (const char *code,
               const char *text)
{
  g_autofree char *lower = lower_word (text);

  if (g_strcmp0 (code, "255604002") == 0 || (lower && strstr (lower, "mild")))
    return "mild";
  if (g_strcmp0 (code, "6736007") == 0 || (lower && strstr (lower, "moderate")))
    return "moderate";
  if (g_strcmp0 (code, "24484000") == 0 || (lower && strstr (lower, "severe")))
    return "severe";
  return "";
}

static const char *
allergy_kind_from (const char *code,
                   const char *substance_system)
{
  /* SNOMED's allergy and intolerance types, then the substance's system. */
  static const struct
  {
    const char *code;
    const char *kind;
  } types[] = {
    { "419511003", "drug" }, { "416098002", "drug" }, { "59037007", "drug" },
    { "418038007", "other" }, { "420134006", "other" },
    { "414285001", "food" }, { "235719002", "food" }, { "418471000", "food" },
    { "426232007", "environment" }, { "419199007", "other" },
  };

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (code, types[i].code))
      return types[i].kind;
  if (g_strcmp0 (substance_system, "rxnorm") == 0)
    return "drug";
  return "other";
}

static void
read_allergies (Parser    *p,
                GPtrArray *items)
{
  static const char * const preferred[] = { OID_RXNORM, OID_UNII, OID_SNOMED, NULL };
  xmlNode *section = find_section (p, "2.16.840.1.113883.10.20.22.2.6", "48765-2");
  g_autoptr (GPtrArray) observations = NULL;

  if (section == NULL)
    return;
  observations = select_nodes (p, section,
                               "h:entry/h:act/h:entryRelationship/h:observation"
                               " | h:entry/h:observation");
  for (guint i = 0; i < observations->len; i++)
    {
      xmlNode *obs = observations->pdata[i];
      xmlNode *act = obs->parent != NULL && obs->parent->parent != NULL
                     && xmlStrEqual (obs->parent->parent->name, BAD_CAST "act")
                     ? obs->parent->parent : NULL;
      xmlNode *entity = select_node (p, obs, "h:participant[@typeCode='CSM']/h:participantRole"
                                             "/h:playingEntity");
      xmlNode *severity_value = select_node (p, obs,
                                             ".//h:observation[h:code[@code='SEV']]/h:value");
      xmlNode *reaction_value = select_node (p, obs, "h:entryRelationship[@typeCode='MFST']"
                                                     "/h:observation/h:value");
      g_auto (Coded) coded = { 0 };
      g_auto (Coded) reaction = { 0 };
      g_autofree char *type_code = NULL;
      g_autofree char *act_status = NULL;
      g_autofree char *state = NULL;
      g_autofree char *severity_code = NULL;
      g_autofree char *severity_text = NULL;
      g_autoptr (GString) details = g_string_new (NULL);
      ChIncomingItem *item;

      /* "No known allergies" is a negated observation, not an allergy. */
      if (is_negated (obs) || entity == NULL)
        continue;
      read_coded (p, select_node (p, entity, "h:code"), preferred, NULL, &coded);
      if (coded.text == NULL)
        coded.text = node_text (select_node (p, entity, "h:name"));
      if (coded.text == NULL)
        {
          xmlNode *text = select_node (p, obs, "h:text");

          coded.text = referenced_text (p, text);
        }
      if (coded.code == NULL && coded.text == NULL)
        continue;
      item = item_from ("allergy", &coded);

      type_code = get_attr (select_node (p, obs, "h:value"), "code");
      item->allergy_kind = g_strdup (allergy_kind_from (type_code, item->system));
      read_coded (p, reaction_value, NULL, reaction_value ? reaction_value->parent : NULL,
                  &reaction);
      item->reaction = g_strdup (reaction.text ? reaction.text : "");
      severity_code = get_attr (severity_value, "code");
      severity_text = get_attr (severity_value, "displayName");
      item->severity = g_strdup (severity_from (severity_code, severity_text));
      item->onset = read_date (select_node (p, obs, "h:effectiveTime/h:low"));

      state = lower_word (get_attr (select_node (p, obs, "h:entryRelationship/h:observation"
                                                 "[h:code[@code='33999-4']]/h:value"),
                                    "displayName"));
      act_status = get_attr (select_node (p, act, "h:statusCode"), "code");
      if (state != NULL && (strstr (state, "inactive") || strstr (state, "resolved")))
        item->clinical_status = g_strdup ("inactive");
      else if (state == NULL && g_strcmp0 (act_status, "completed") == 0)
        item->clinical_status = g_strdup ("inactive");
      else
        item->clinical_status = g_strdup ("active");

      append_detail (details, _("reaction"), item->reaction);
      append_detail (details, _("severity"), item->severity);
      append_detail (details, _("status"), item->clinical_status);
      item->details = g_string_free (g_steal_pointer (&details), FALSE);
      g_ptr_array_add (items, item);
    }
}

/* "500 mg, oral, every 8 h" from the structured dose, route and period. */
static char *
read_dose (Parser  *p,
           xmlNode *sbadm)
{
  g_autoptr (GString) out = g_string_new (NULL);
  xmlNode *dose = select_node (p, sbadm, "h:doseQuantity");
  xmlNode *period = select_node (p, sbadm, "h:effectiveTime/h:period");
  g_autofree char *value = get_attr (dose, "value");
  g_autofree char *unit = get_attr (dose, "unit");
  g_autofree char *route = get_attr (select_node (p, sbadm, "h:routeCode"), "displayName");
  g_autofree char *every = get_attr (period, "value");
  g_autofree char *every_unit = get_attr (period, "unit");

  if (value != NULL)
    g_string_append_printf (out, "%s%s%s", value,
                            unit != NULL && g_strcmp0 (unit, "1") != 0 ? " " : "",
                            unit != NULL && g_strcmp0 (unit, "1") != 0 ? unit : "");
  if (route != NULL)
    g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", route);
  if (every != NULL)
    /* TRANSLATORS: a dosing interval, "every 8 h" */
    g_string_append_printf (out, "%s%s %s %s", out->len > 0 ? ", " : "", _("every"), every,
                            every_unit ? every_unit : "");
  if (out->len == 0)
    return NULL;
  return clean_text (out->str);
}

/* The sig a medication's text references: the element itself, or when it
 * is a whole row of the narrative table, the row's cell under a "Dose",
 * "Sig", "Directions" or "Instructions" heading (none: no sig). */
static char *
narrative_sig (Parser  *p,
               xmlNode *target)
{
  static const char * const headings[] = { "dose", "sig", "direction", "instruction", NULL };
  g_autoptr (GPtrArray) heads = NULL;
  g_autoptr (GPtrArray) cells = NULL;
  xmlNode *table;

  if (target == NULL)
    return NULL;
  if (!xmlStrEqual (target->name, BAD_CAST "tr"))
    return node_text (target);

  for (table = target->parent; table != NULL && table->type == XML_ELEMENT_NODE;
       table = table->parent)
    if (xmlStrEqual (table->name, BAD_CAST "table"))
      break;
  if (table == NULL || table->type != XML_ELEMENT_NODE)
    return NULL;
  heads = select_nodes (p, table, "(h:thead/h:tr | h:tbody/h:tr | h:tr)[h:th][1]/h:th");
  cells = select_nodes (p, target, "h:td | h:th");
  for (guint i = 0; i < heads->len && i < cells->len; i++)
    {
      g_autofree char *head = node_text (heads->pdata[i]);
      g_autofree char *lower = lower_word (head);

      for (guint j = 0; lower != NULL && headings[j] != NULL; j++)
        if (strstr (lower, headings[j]) != NULL)
          return node_text (cells->pdata[i]);
    }
  return NULL;
}

static void
read_medications (Parser    *p,
                  GPtrArray *items)
{
  static const char * const preferred[] = { OID_RXNORM, NULL };
  xmlNode *section = find_section (p, "2.16.840.1.113883.10.20.22.2.1", "10160-0");
  g_autoptr (GPtrArray) administrations = NULL;

  if (section == NULL)
    return;
  administrations = select_nodes (p, section, "h:entry/h:substanceAdministration");
  for (guint i = 0; i < administrations->len; i++)
    {
      xmlNode *sbadm = administrations->pdata[i];
      xmlNode *material = select_node (p, sbadm, "h:consumable/h:manufacturedProduct"
                                                 "/h:manufacturedMaterial");
      g_auto (Coded) coded = { 0 };
      g_autofree char *status = NULL;
      g_autofree char *sig = NULL;
      g_autoptr (GString) details = g_string_new (NULL);
      ChIncomingItem *item;

      if (is_negated (sbadm) || material == NULL)
        continue;
      read_coded (p, select_node (p, material, "h:code"), preferred, NULL, &coded);
      if (coded.text == NULL)
        coded.text = node_text (select_node (p, material, "h:name"));
      if (coded.text == NULL)
        coded.text = referenced_text (p, select_node (p, sbadm, "h:text"));
      if (coded.code == NULL && coded.text == NULL)
        continue;
      item = item_from ("medication", &coded);

      /* The sig as the narrative gives it (what people read), when it is
       * not just the name; else the structured dose. */
      sig = narrative_sig (p, referenced_node (p, select_node (p, sbadm, "h:text")));
      if (sig != NULL && g_strcmp0 (sig, item->text) != 0)
        item->dose = g_steal_pointer (&sig);
      else
        item->dose = read_dose (p, sbadm);
      if (item->dose == NULL)
        item->dose = g_strdup ("");
      item->onset = read_date (select_node (p, sbadm, "h:effectiveTime/h:low"));
      status = get_attr (select_node (p, sbadm, "h:statusCode"), "code");
      item->clinical_status = g_strdup (g_strcmp0 (status, "completed") == 0
                                        || g_strcmp0 (status, "aborted") == 0
                                        ? "stopped" : "active");

      append_detail (details, _("dose"), item->dose);
      append_detail (details, _("since"), item->onset);
      append_detail (details, _("status"), item->clinical_status);
      item->details = g_string_free (g_steal_pointer (&details), FALSE);
      g_ptr_array_add (items, item);
    }
}

static void
read_header (Parser       *p,
             ChCcdaImport *import)
{
  xmlNode *root = xmlDocGetRootElement (p->doc);
  xmlNode *role = select_node (p, root, "h:recordTarget/h:patientRole");
  xmlNode *patient = select_node (p, role, "h:patient");
  xmlNode *name = select_node (p, patient, "h:name");
  ChIncomingDocument *h = import->header;
  g_autoptr (GPtrArray) given = select_nodes (p, name, "h:given");
  g_autoptr (GPtrArray) ids = select_nodes (p, role, "h:id");
  g_autoptr (GString) given_names = g_string_new (NULL);
  g_autoptr (GString) refs = g_string_new (NULL);
  g_autofree char *sex = NULL;
  g_autofree char *person = NULL;
  g_autofree char *device = NULL;
  const char *sex_word = "";

  for (guint i = 0; i < given->len; i++)
    {
      g_autofree char *text = node_text (given->pdata[i]);

      if (text != NULL)
        g_string_append_printf (given_names, "%s%s", given_names->len ? " " : "", text);
    }
  import->given_name = g_strdup (given_names->str);
  import->family_name = node_text (select_node (p, name, "h:family"));
  if (import->family_name == NULL && name != NULL && given->len == 0)
    import->family_name = node_text (name);   /* an unstructured name */
  h->patient_name = g_strdup_printf ("%s%s%s", given_names->str, given_names->len ? " " : "",
                                     import->family_name ? import->family_name : "");
  h->birth_date = read_date (select_node (p, patient, "h:birthTime"));
  if (h->birth_date == NULL)
    h->birth_date = g_strdup ("");
  sex = get_attr (select_node (p, patient, "h:administrativeGenderCode"), "code");
  if (g_strcmp0 (sex, "F") == 0)
    sex_word = "female";
  else if (g_strcmp0 (sex, "M") == 0)
    sex_word = "male";
  else if (sex != NULL)
    sex_word = "unknown";
  h->sex = g_strdup (sex_word);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *extension = get_attr (ids->pdata[i], "extension");
      g_autofree char *root_oid = get_attr (ids->pdata[i], "root");

      if (extension == NULL)
        continue;
      g_string_append_printf (refs, "%s%s (%s)", refs->len ? ", " : "", extension,
                              root_oid ? root_oid : "");
    }
  h->patient_ref = g_strdup (refs->str);

  h->title = node_text (select_node (p, root, "h:title"));
  h->document_date = read_date (select_node (p, root, "h:effectiveTime"));
  h->organization = node_text (select_node (p, root, "h:custodian/h:assignedCustodian"
                                                     "/h:representedCustodianOrganization/h:name"));
  if (h->organization == NULL)
    h->organization = node_text (select_node (p, root, "h:author/h:assignedAuthor"
                                                       "/h:representedOrganization/h:name"));
  person = node_text (select_node (p, root, "h:author/h:assignedAuthor/h:assignedPerson/h:name"));
  device = node_text (select_node (p, root, "h:author/h:assignedAuthor/h:assignedAuthoringDevice"
                                            "/h:softwareName"));
  h->author = g_strdup (person ? person : device ? device : "");
  if (h->title == NULL)
    h->title = g_strdup (_("Continuity of Care Document"));
  if (h->document_date == NULL)
    h->document_date = g_strdup ("");
  if (h->organization == NULL)
    h->organization = g_strdup ("");
}

ChCcdaImport *
ch_ccda_import_parse (const char  *data,
                      gsize        length,
                      GError     **error)
{
  Parser p = { 0 };
  g_autoptr (ChCcdaImport) import = NULL;
  xmlNode *root;
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > CH_CCDA_IMPORT_MAX_SIZE)
    {
      g_autofree char *cap = g_format_size (CH_CCDA_IMPORT_MAX_SIZE);

      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_TOO_LARGE,
                   _("The document is larger than the %s a CCD may be"), cap);
      return NULL;
    }
  if (length == 0 || length > G_MAXINT)
    {
      g_set_error_literal (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_NOT_XML,
                           _("The document is empty"));
      return NULL;
    }

  /* A DOCTYPE is refused before parsing, whatever it declares: a CCD has
   * none, and it is where external entities (XXE) and entity bombs come
   * from. Besides, no XML_PARSE_NOENT and no XML_PARSE_DTDLOAD: entities
   * would stay references and nothing outside the document is ever read. */
  if (memmem (data, length, "<!DOCTYPE", strlen ("<!DOCTYPE")) != NULL)
    {
      g_set_error_literal (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_NOT_XML,
                           _("The document declares a DOCTYPE, which a CCD never does; it was "
                             "not read, so that no entity it declares is resolved"));
      return NULL;
    }
  p.doc = xmlReadMemory (data, (int) length, "ccd.xml", NULL, options);
  if (p.doc == NULL)
    {
      const xmlError *xml_error = xmlGetLastError ();

      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_NOT_XML,
                   _("The document is not well-formed XML (line %d: %s)"),
                   xml_error ? xml_error->line : 0,
                   xml_error && xml_error->message ? g_strstrip (xml_error->message) : "?");
      return NULL;
    }
  if (p.doc->intSubset != NULL || p.doc->extSubset != NULL)
    {
      parser_clear (&p);
      g_set_error_literal (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_NOT_XML,
                           _("The document declares a DOCTYPE, which a CCD never does; it was "
                             "not read, so that no entity it declares is resolved"));
      return NULL;
    }
  root = xmlDocGetRootElement (p.doc);
  if (root == NULL || root->ns == NULL || !xmlStrEqual (root->ns->href, BAD_CAST NS_HL7)
      || !xmlStrEqual (root->name, BAD_CAST "ClinicalDocument"))
    {
      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_NOT_CCD,
                   _("The document is XML but not a CDA document: its root is “%s”, not a "
                     "ClinicalDocument in the urn:hl7-org:v3 namespace"),
                   root ? (const char *) root->name : "");
      parser_clear (&p);
      return NULL;
    }

  p.xpath = xmlXPathNewContext (p.doc);
  p.ids = g_hash_table_new (g_str_hash, g_str_equal);
  if (p.xpath == NULL
      || xmlXPathRegisterNs (p.xpath, BAD_CAST "h", BAD_CAST NS_HL7) != 0
      || xmlXPathRegisterNs (p.xpath, BAD_CAST "sdtc", BAD_CAST NS_SDTC) != 0)
    {
      parser_clear (&p);
      g_set_error_literal (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_FAILED,
                           _("Could not prepare to read the document"));
      return NULL;
    }
  collect_ids (p.ids, root);

  import = g_new0 (ChCcdaImport, 1);
  import->header = ch_incoming_document_new ();
  import->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_incoming_item_free);
  read_header (&p, import);
  read_problems (&p, import->items);
  read_allergies (&p, import->items);
  read_medications (&p, import->items);
  parser_clear (&p);
  return g_steal_pointer (&import);
}

/* ---- staging ----------------------------------------------------------------- */

char *
ch_ccda_import_describe_patient (const char *name,
                                 const char *birth_date)
{
  /* TRANSLATORS: "Jane Doe, born 1980-02-03" */
  return g_strdup_printf (_("%s, born %s"), ch_has_text (name) ? name : _("(no name)"),
                          ch_has_text (birth_date) ? birth_date : _("(no birth date)"));
}

static char *
fold (const char *text)
{
  return ch_fold (text ? text : "");
}

static gboolean
same_code (const ChIncomingItem *item,
           const ChChartItem    *chart)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!ch_has_text (item->code) || !ch_has_text (chart->code))
    return FALSE;
  if (g_ascii_strcasecmp (item->code, chart->code) != 0)
    return FALSE;
  /* A chart item without a system is compared by code alone. */
  if (!ch_has_text (chart->code_system) || !ch_has_text (item->system))
    return TRUE;
  a = g_ascii_strdown (chart->code_system, -1);
  b = g_ascii_strdown (item->system, -1);
  return g_str_equal (a, b) || (g_str_has_prefix (a, "icd10") && g_str_has_prefix (b, "icd10"))
         || (g_str_has_prefix (a, "snomed") && g_str_has_prefix (b, "snomed"));
}

/* The chart's item with the same code, or the same text once folded
 * ("Penicillin V" is "penicillin  v"): a text never matches a mere part of
 * another, so a different strength stays a different medication. */
static gint64
find_on_chart (const ChIncomingItem *item,
               GPtrArray            *chart_items)
{
  g_autofree char *text = fold (item->text);

  for (guint i = 0; i < chart_items->len; i++)
    {
      const ChChartItem *chart = chart_items->pdata[i];
      g_autofree char *display = fold (chart->display);

      if (same_code (item, chart) || (text[0] != '\0' && g_str_equal (text, display)))
        return chart->id;
    }
  return 0;
}

static const char *
section_of (const char *kind)
{
  if (g_strcmp0 (kind, "problem") == 0)
    return CH_SECTION_PROBLEM;
  if (g_strcmp0 (kind, "allergy") == 0)
    return CH_SECTION_ALLERGY;
  return CH_SECTION_MEDICATION;
}

static GBytes *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *contents = NULL;
  gsize length = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_IO,
                   _("Cannot read “%s”: %s"), name, local_error->message);
      return NULL;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_IO,
                   _("“%s” is not a regular file"), name);
      return NULL;
    }
  if ((guint64) g_file_info_get_size (info) > CH_CCDA_IMPORT_MAX_SIZE)
    {
      g_autofree char *cap = g_format_size (CH_CCDA_IMPORT_MAX_SIZE);

      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_TOO_LARGE,
                   _("“%s” is larger than the %s a CCD may be"), name, cap);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_IO,
                   _("Cannot read “%s”: %s"), name, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static gboolean
check_patient (const ChCcdaImport     *import,
               const ChPatientRecord  *patient,
               GError                **error)
{
  g_autofree char *family = fold (import->family_name);
  g_autofree char *chart_family = fold (patient->family_name);
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *chart_name = NULL;

  if (family[0] != '\0' && g_str_equal (family, chart_family)
      && ch_has_text (import->header->birth_date)
      && g_strcmp0 (import->header->birth_date, patient->birth_date) == 0)
    return TRUE;

  chart_name = g_strdup_printf ("%s %s", patient->given_name ? patient->given_name : "",
                                patient->family_name ? patient->family_name : "");
  theirs = ch_ccda_import_describe_patient (import->header->patient_name,
                                            import->header->birth_date);
  ours = ch_ccda_import_describe_patient (g_strstrip (chart_name), patient->birth_date);
  g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_MISMATCH,
               _("The document is about %s but the chart %s is %s: the family name and the birth "
                 "date must agree (import it anyway only when you are sure it is this patient)"),
               theirs, patient->mrn, ours);
  return FALSE;
}

GPtrArray *
ch_ccda_import_stage (ChSession   *session,
                      gint64       patient_id,
                      const char  *path,
                      GBytes      *bytes,
                      gboolean     force,
                      gint64      *out_incoming_id,
                      GError     **error)
{
  ChStore *store;
  g_autoptr (GBytes) content = NULL;
  g_autoptr (ChCcdaImport) import = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) staged = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *id_text = NULL;
  ChDocumentMeta meta = { 0 };
  ChIncomingDocument *header;
  guint already = 0;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail ((path == NULL) != (bytes == NULL), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return NULL;
  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return NULL;

  content = path != NULL ? read_file (path, error) : g_bytes_ref (bytes);
  if (content == NULL)
    return NULL;
  data = g_bytes_get_data (content, &length);
  import = ch_ccda_import_parse (data, length, error);
  if (import == NULL)
    return NULL;
  if (!force && !check_patient (import, patient, error))
    return NULL;

  header = import->header;
  header->patient_id = patient_id;
  header->forced = force && !check_patient (import, patient, NULL);
  header->imported_by = g_strdup (ch_session_get_username (session));
  staged = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_incoming_item_free);

  if (!ch_store_begin (store, error))
    return NULL;

  /* The document as received, for reading later and for the record. */
  title = g_strdup_printf (_("CCD: %s"), header->title);
  meta.category = "referral";
  meta.title = title;
  meta.date = ch_has_text (header->document_date) ? header->document_date : NULL;
  meta.author = header->author;
  meta.source = header->organization;
  meta.content_type = "application/xml";
  if (!ch_documents_import (session, patient_id, &meta, NULL, content, &header->document_id, error)
      || !ch_db_incoming_document_insert (store, header, error))
    goto fail;

  for (guint i = 0; i < import->items->len; i++)
    {
      ChIncomingItem *item = import->items->pdata[i];
      g_autoptr (GPtrArray) chart = ch_db_chart_list (store, patient_id, section_of (item->kind),
                                                      FALSE, 0, error);

      if (chart == NULL)
        goto fail;
      item->incoming_id = header->id;
      item->patient_id = patient_id;
      item->already_item_id = find_on_chart (item, chart);
      if (item->already_item_id != 0)
        {
          g_free (item->status);
          item->status = g_strdup ("already");
          already++;
        }
      if (!ch_db_incoming_item_insert (store, item, error))
        goto fail;
    }

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, header->id);
  detail = g_strdup_printf ("CCD from %s%s%s: %u items, %u already on the chart%s",
                            header->organization[0] ? header->organization : header->title,
                            header->author[0] ? ", " : "", header->author,
                            import->items->len, already,
                            header->forced ? "; FORCED: the patient did not match" : "");
  if (!ch_session_audit (session, CH_AUDIT_CREATE, "incoming", id_text, patient_id, detail, error)
      || !ch_store_commit (store, error))
    goto fail;

  if (out_incoming_id != NULL)
    *out_incoming_id = header->id;
  while (import->items->len > 0)
    g_ptr_array_add (staged, g_ptr_array_steal_index (import->items, 0));
  return g_steal_pointer (&staged);

fail:
  ch_store_rollback (store);
  return NULL;
}

GPtrArray *
ch_ccda_import_list (ChSession  *session,
                     gint64      patient_id,
                     gboolean    pending_only,
                     GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_incoming_item_list (ch_session_get_store (session), patient_id, pending_only, error);
}

/* ---- deciding ---------------------------------------------------------------- */

static gboolean
invalid (GError     **error,
         gint64       item_id,
         const char  *message)
{
  char id_text[32];

  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, item_id);
  /* TRANSLATORS: "Item 12: it is decided already" */
  g_set_error (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_INVALID,
               _("Item %s: %s"), id_text, message);
  return FALSE;
}

/* The chart item an accepted problem or allergy becomes. */
static ChChartItem *
chart_item_for (const ChIncomingItem *in)
{
  ChChartItem *item = ch_chart_item_new (section_of (in->kind));

  item->patient_id = in->patient_id;
  item->display = g_strdup (in->text);
  item->status = g_strdup ("active");
  if (ch_has_text (in->code) && (g_str_equal (in->system, "icd10cm")
                                 || g_str_equal (in->system, "snomed")
                                 || g_str_equal (in->system, "rxnorm")
                                 || g_str_equal (in->system, "unii")))
    {
      item->code = g_strdup (in->code);
      item->code_system = g_strdup (in->system);
    }
  if (ch_valid_date (in->onset))
    item->start_date = g_strdup (in->onset);
  ch_chart_item_set_detail (item, "source", "ccd");

  if (g_str_equal (in->kind, "problem"))
    item->clinical_status = g_strdup (g_strcmp0 (in->clinical_status, "resolved") == 0
                                      ? "resolved" : "active");
  else
    {
      item->clinical_status = g_strdup (g_strcmp0 (in->clinical_status, "inactive") == 0
                                        ? "inactive" : "active");
      item->kind = g_strdup (ch_has_text (in->allergy_kind) ? in->allergy_kind : "other");
      item->reaction = g_strdup (in->reaction);
      item->severity = g_strdup (in->severity);
    }
  return item;
}

static char *
medication_line (const ChIncomingItem *in)
{
  if (ch_has_text (in->dose))
    return g_strdup_printf ("%s, %s", in->text, in->dose);
  return g_strdup (in->text);
}

/* A medication reconciliation adds the outside line as it reads; the CCD
 * says more: the name alone, its RxNorm code, the dose, start and state
 * apart. */
static gboolean
code_medication (ChSession             *session,
                 const ChIncomingItem  *in,
                 gint64                 item_id,
                 GError               **error)
{
  g_autoptr (ChChartItem) item = ch_db_chart_get (ch_session_get_store (session), item_id, error);

  if (item == NULL)
    return FALSE;
  g_free (item->display);
  item->display = g_strdup (in->text);
  if (ch_has_text (in->code) && g_strcmp0 (in->system, "rxnorm") == 0)
    {
      g_free (item->code);
      item->code = g_strdup (in->code);
      g_free (item->code_system);
      item->code_system = g_strdup ("rxnorm");
    }
  if (ch_has_text (in->dose))
    ch_chart_item_set_detail (item, "dose", in->dose);
  if (ch_valid_date (in->onset) && item->start_date == NULL)
    item->start_date = g_strdup (in->onset);
  /* A medication the outside record lists as finished goes on the list as
   * one the patient took, not as current. */
  if (g_strcmp0 (in->clinical_status, "stopped") == 0)
    {
      g_free (item->clinical_status);
      item->clinical_status = g_strdup ("stopped");
    }
  ch_chart_item_set_detail (item, "source", "ccd");
  return ch_chart_update (session, item, _("Coded as the outside record gives it"), error);
}

gboolean
ch_ccda_import_decide (ChSession                 *session,
                       gint64                     patient_id,
                       const ChIncomingDecision  *decisions,
                       guint                      n_decisions,
                       GError                   **error)
{
  ChStore *store;
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ch_incoming_item_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) lines = g_array_new (FALSE, TRUE, sizeof (ChReconcileLine));
  g_autoptr (GPtrArray) line_texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) medication_items = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *source = NULL;
  guint accepted = 0, declined = 0;
  gint64 reconciliation_id = 0;
  const char *username;
  char id_text[32];
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (decisions != NULL || n_decisions == 0, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (n_decisions == 0)
    return ch_invalid (error, _("Choose the items to accept or decline"));

  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  /* Every decision is checked before anything is written. */
  for (guint i = 0; i < n_decisions; i++)
    {
      const ChIncomingDecision *d = &decisions[i];
      g_autoptr (GError) local_error = NULL;
      ChIncomingItem *item = ch_db_incoming_item_get (store, d->item_id, &local_error);

      if (item == NULL)
        {
          if (g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
            invalid (error, d->item_id, _("there is no such outside record item"));
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
      g_ptr_array_add (items, item);
      if (item->patient_id != patient_id)
        {
          invalid (error, d->item_id, _("it is not an item of this patient’s outside records"));
          goto fail;
        }
      if (g_hash_table_contains (seen, &d->item_id))
        {
          invalid (error, d->item_id, _("it is named twice"));
          goto fail;
        }
      g_hash_table_add (seen, (gpointer) &d->item_id);
      if (g_str_equal (item->status, "already"))
        {
          invalid (error, d->item_id, _("it is on the chart already"));
          goto fail;
        }
      if (!g_str_equal (item->status, "pending"))
        {
          g_autofree char *message = g_strdup_printf (_("it is %s already"), item->status);

          invalid (error, d->item_id, message);
          goto fail;
        }
      if (!d->accept && !ch_has_text (d->reason))
        {
          g_autofree char *message = g_strdup_printf (_("say why “%s” is declined"),
                                                      item->text);

          invalid (error, d->item_id, message);
          goto fail;
        }
      if (!d->accept && g_utf8_strlen (d->reason, -1) > MAX_TEXT)
        {
          invalid (error, d->item_id, _("a reason has at most 2000 characters"));
          goto fail;
        }
      if (source == NULL)
        source = g_strdup_printf ("CCD: %s", item->source);
    }

  for (guint i = 0; i < n_decisions; i++)
    {
      const ChIncomingDecision *d = &decisions[i];
      ChIncomingItem *item = items->pdata[i];
      g_autoptr (ChChartItem) chart = NULL;

      if (!d->accept)
        {
          g_autofree char *reason = g_strstrip (g_strdup (d->reason));

          if (!ch_db_incoming_item_decide (store, item->id, "declined", username, reason, 0, 0,
                                           error))
            goto fail;
          declined++;
          continue;
        }
      accepted++;
      if (g_str_equal (item->kind, "medication"))
        {
          ChReconcileLine line = { 0 };
          char *text = medication_line (item);

          g_ptr_array_add (line_texts, text);
          line.outside_text = text;
          line.decision = CH_RECONCILE_ADD;
          g_array_append_val (lines, line);
          g_array_append_val (medication_items, i);
          continue;
        }
      chart = chart_item_for (item);
      if (!ch_chart_add (session, chart, error))
        {
          g_prefix_error (error, _("“%s”: "), item->text);
          goto fail;
        }
      if (!ch_db_incoming_item_decide (store, item->id, "accepted", username, "", chart->id, 0,
                                          error))
        goto fail;
    }

  if (lines->len > 0)
    {
      g_autoptr (GPtrArray) done = NULL;
      ChReconciliation *reconciliation = NULL;

      reconciliation_id = ch_reconcile_save (session, patient_id, source,
                                             (const ChReconcileLine *) lines->data, lines->len,
                                             error);
      if (reconciliation_id == 0)
        goto fail;
      done = ch_db_reconciliation_list (store, patient_id, error);
      if (done == NULL)
        goto fail;
      for (guint i = 0; i < done->len && reconciliation == NULL; i++)
        if (((ChReconciliation *) done->pdata[i])->id == reconciliation_id)
          reconciliation = done->pdata[i];
      if (reconciliation == NULL || reconciliation->lines->len != lines->len)
        {
          g_set_error_literal (error, CH_CCDA_IMPORT_ERROR, CH_CCDA_IMPORT_ERROR_FAILED,
                               _("The medication reconciliation was not recorded whole"));
          goto fail;
        }
      for (guint j = 0; j < medication_items->len; j++)
        {
          ChIncomingItem *item = items->pdata[g_array_index (medication_items, guint, j)];
          ChReconciliationLine *line = reconciliation->lines->pdata[j];

          if (!code_medication (session, item, line->medication_item_id, error)
              || !ch_db_incoming_item_decide (store, item->id, "accepted", username, "",
                                              line->medication_item_id, reconciliation_id, error))
            goto fail;
        }
    }

  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, patient_id);
  detail = g_strdup_printf ("%s: %u accepted, %u declined", source, accepted, declined);
  if (!ch_session_audit (session, CH_AUDIT_UPDATE, "incoming", id_text, patient_id, detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}
