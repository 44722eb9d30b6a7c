/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-prescribing"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-chart-db.h"
#include "ch-practice.h"
#include "ch-prescribing.h"
#include "ch-prescription-db.h"
#include "ch-records.h"
#include "ch-patient-db.h"
#include "ch-roles.h"
#include "ch-validate.h"

/* Prescribing's controller. The active drug knowledge base is the practice's
 * imported one (kept in its database, so it is encrypted and backed up with
 * it) or else the shipped one; it is parsed once per session and again only
 * when the setting that counts imports has changed. */

#define KB_GENERATION "drug_kb.generation"
#define KB_CACHE "ch-prescribing-kb"

typedef struct
{
  char     *generation;
  gboolean  imported;
  ChDrugKb *kb;
} KbCache;

static void
kb_cache_free (KbCache *cache)
{
  g_free (cache->generation);
  ch_drug_kb_unref (cache->kb);
  g_free (cache);
}

static gboolean
may_read_kb (ChSession  *session,
             GError    **error)
{
  if (ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ))
    return TRUE;
  return ch_session_check (session, CH_AREA_DRUG_KB, CH_ACCESS_READ, error);
}

static char *
kb_generation (ChStore  *store,
               GError  **error)
{
  g_autoptr (GError) local_error = NULL;
  char *generation = ch_db_setting_get (store, KB_GENERATION, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return generation ? generation : g_strdup ("0");
}

static KbCache *
load_kb (ChSession  *session,
         GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  KbCache *cache = g_object_get_data (G_OBJECT (session), KB_CACHE);
  g_autofree char *generation = NULL;
  g_autoptr (GHashTable) files = NULL;
  g_autoptr (GError) local_error = NULL;
  ChDrugKb *kb;

  generation = kb_generation (store, error);
  if (generation == NULL)
    return NULL;
  if (cache != NULL && g_str_equal (cache->generation, generation))
    return cache;

  files = ch_db_drug_kb_files_load (store, error);
  if (files == NULL)
    return NULL;

  if (g_hash_table_size (files) == 0)
    kb = ch_drug_kb_get_shipped ();
  else if ((kb = ch_drug_kb_new_from_files (files, &local_error)) == NULL)
    {
      /* Validated when imported; only a damaged database gets here. */
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("The practice's drug knowledge base cannot be read: %s"),
                   local_error->message);
      return NULL;
    }

  cache = g_new0 (KbCache, 1);
  cache->generation = g_steal_pointer (&generation);
  cache->imported = g_hash_table_size (files) > 0;
  cache->kb = kb;
  g_object_set_data_full (G_OBJECT (session), KB_CACHE, cache, (GDestroyNotify) kb_cache_free);
  return cache;
}

ChDrugKb *
ch_prescribing_get_kb (ChSession  *session,
                       GError    **error)
{
  KbCache *cache;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!may_read_kb (session, error))
    return NULL;
  cache = load_kb (session, error);
  return cache ? ch_drug_kb_ref (cache->kb) : NULL;
}

gboolean
ch_prescribing_kb_is_imported (ChSession *session)
{
  KbCache *cache;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  cache = load_kb (session, NULL);
  return cache != NULL && cache->imported;
}

static gboolean
replace_kb (ChSession   *session,
            GHashTable  *files,
            const char  *detail,
            GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *generation = NULL;
  g_autofree char *next = NULL;

  if (!ch_store_begin (store, error))
    return FALSE;

  generation = kb_generation (store, error);
  if (generation == NULL)
    {
      ch_store_rollback (store);
      return FALSE;
    }
  next = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (generation, NULL, 10) + 1);

  if (!ch_db_drug_kb_files_replace (store, files, error)
      || !ch_db_setting_set (store, KB_GENERATION, next, error)
      || !ch_session_audit (session, CH_AUDIT_SETTINGS, "drug-kb", next, 0, detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

ChDrugKb *
ch_prescribing_import_kb (ChSession   *session,
                          GHashTable  *files,
                          GError     **error)
{
  g_autoptr (ChDrugKb) kb = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (files != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_DRUG_KB, CH_ACCESS_WRITE, error))
    return NULL;

  /* Validated whole before anything is written. */
  kb = ch_drug_kb_new_from_files (files, error);
  if (kb == NULL)
    return NULL;

  detail = g_strdup_printf ("imported %s %s: %u drugs, %u interactions",
                            ch_drug_kb_get_info (kb, "name"), ch_drug_kb_get_info (kb, "version"),
                            ch_drug_kb_count_drugs (kb), ch_drug_kb_count_interactions (kb));
  if (!replace_kb (session, files, detail, error))
    return NULL;

  return g_steal_pointer (&kb);
}

gboolean
ch_prescribing_reset_kb (ChSession  *session,
                         GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_DRUG_KB, CH_ACCESS_WRITE, error))
    return FALSE;
  return replace_kb (session, NULL, "back to the shipped base", error);
}

/* ---- checks ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *items;       /* (element-type ChChartItem) */
  GArray    *medications; /* of ChKbMedication, pointing into items */
  GArray    *allergies;   /* of ChKbAllergy, pointing into items */
} PatientLists;

static void
patient_lists_clear (PatientLists *lists)
{
  g_clear_pointer (&lists->items, g_ptr_array_unref);
  g_clear_pointer (&lists->medications, g_array_unref);
  g_clear_pointer (&lists->allergies, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PatientLists, patient_lists_clear)

/* @exclude_item: a medication entry to leave out (the one a renewal replaces), or 0 */
static gboolean
load_patient_lists (ChStore       *store,
                    gint64         patient_id,
                    gint64         exclude_item,
                    PatientLists  *lists,
                    GError       **error)
{
  g_autoptr (GPtrArray) medications = NULL;
  g_autoptr (GPtrArray) allergies = NULL;

  medications = ch_db_chart_list (store, patient_id, CH_SECTION_MEDICATION, FALSE, 0, error);
  if (medications == NULL)
    return FALSE;
  allergies = ch_db_chart_list (store, patient_id, CH_SECTION_ALLERGY, FALSE, 0, error);
  if (allergies == NULL)
    return FALSE;

  lists->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  lists->medications = g_array_new (FALSE, TRUE, sizeof (ChKbMedication));
  lists->allergies = g_array_new (FALSE, TRUE, sizeof (ChKbAllergy));

  for (guint i = 0; i < medications->len; i++)
    {
      ChChartItem *item = medications->pdata[i];
      ChKbMedication medication = { 0 };

      if (g_strcmp0 (item->clinical_status, "active") != 0 || item->id == exclude_item)
        continue;
      medication.drug_id = g_strcmp0 (item->code_system, "charta-kb") == 0 ? item->code : NULL;
      medication.name = item->display;
      g_array_append_val (lists->medications, medication);
    }
  for (guint i = 0; i < allergies->len; i++)
    {
      ChChartItem *item = allergies->pdata[i];
      ChKbAllergy allergy = { 0 };

      if (g_strcmp0 (item->clinical_status, "inactive") == 0)
        continue;
      allergy.substance = item->display;
      allergy.kind = item->kind;
      g_array_append_val (lists->allergies, allergy);
    }

  /* The structs point into the items: keep them. */
  g_ptr_array_extend_and_steal (lists->items, g_steal_pointer (&medications));
  g_ptr_array_extend_and_steal (lists->items, g_steal_pointer (&allergies));
  return TRUE;
}

static GHashTable *
load_suppressions (ChStore  *store,
                   gint64    patient_id,
                   GError  **error);

/* Leaves out the alerts silenced for the patient, except contraindicated
 * ones: those always need a reason, however often they were overridden. */
static void
drop_silenced (GPtrArray  *alerts,
               GHashTable *silenced)
{
  for (guint i = alerts->len; i > 0; i--)
    {
      const ChDrugAlert *alert = alerts->pdata[i - 1];
      g_autofree char *key = ch_drug_alert_pair_key (alert);

      if (alert->severity != CH_DRUG_SEVERITY_CONTRAINDICATED
          && g_hash_table_contains (silenced, key))
        g_ptr_array_remove_index (alerts, i - 1);
    }
}

static GPtrArray *
check_excluding (ChSession            *session,
                 gint64                patient_id,
                 const ChKbMedication *proposed,
                 guint                 n_proposed,
                 gint64                exclude_item,
                 GError              **error)
{
  ChStore *store;
  g_auto (PatientLists) lists = { 0 };
  g_autoptr (ChDrugKb) kb = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GHashTable) silenced = NULL;
  g_autoptr (GString) detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return NULL;

  store = ch_session_get_store (session);
  if (!load_patient_lists (store, patient_id, exclude_item, &lists, error))
    return NULL;
  silenced = load_suppressions (store, patient_id, error);
  if (silenced == NULL)
    return NULL;

  alerts = ch_drug_kb_check (kb, proposed, n_proposed,
                             (ChKbMedication *) lists.medications->data, lists.medications->len,
                             (ChKbAllergy *) lists.allergies->data, lists.allergies->len);

  drop_silenced (alerts, silenced);

  if (alerts->len > 0)
    {
      detail = g_string_new (NULL);
      for (guint i = 0; i < alerts->len; i++)
        {
          ChDrugAlert *alert = alerts->pdata[i];

          g_string_append_printf (detail, "%s%s %s %s", i ? "; " : "",
                                  ch_drug_severity_to_string (alert->severity), alert->rule,
                                  alert->drug_a ? alert->drug_a : alert->party_a);
          if (alert->drug_b || alert->party_b[0])
            g_string_append_printf (detail, "+%s", alert->drug_b ? alert->drug_b : alert->party_b);
        }
      if (!ch_session_audit (session, CH_AUDIT_ALERT, "prescription-check", NULL, patient_id,
                             detail->str, error))
        return NULL;
    }

  return g_steal_pointer (&alerts);
}

GPtrArray *
ch_prescribing_check (ChSession            *session,
                      gint64                patient_id,
                      const ChKbMedication *proposed,
                      guint                 n_proposed,
                      GError              **error)
{
  return check_excluding (session, patient_id, proposed, n_proposed, 0, error);
}

GPtrArray *
ch_prescribing_review (ChSession  *session,
                       gint64      patient_id,
                       GError    **error)
{
  g_auto (PatientLists) lists = { 0 };
  g_autoptr (ChDrugKb) kb = NULL;
  g_autoptr (GHashTable) silenced = NULL;
  GPtrArray *alerts;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return NULL;

  store = ch_session_get_store (session);
  if (!load_patient_lists (store, patient_id, 0, &lists, error))
    return NULL;
  silenced = load_suppressions (store, patient_id, error);
  if (silenced == NULL)
    return NULL;

  /* Each current medication in turn against the others after it and the allergies. */
  alerts = ch_drug_kb_check (kb, (ChKbMedication *) lists.medications->data,
                             lists.medications->len, NULL, 0,
                             (ChKbAllergy *) lists.allergies->data, lists.allergies->len);
  drop_silenced (alerts, silenced);
  return alerts;
}

static GHashTable *
load_suppressions (ChStore  *store,
                   gint64    patient_id,
                   GError  **error)
{
  g_autoptr (GPtrArray) keys = ch_db_alert_suppressions (store, patient_id, error);
  GHashTable *set;

  if (keys == NULL)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < keys->len; i++)
    g_hash_table_add (set, g_strdup (keys->pdata[i]));
  return set;
}

/* ---- prescriptions -------------------------------------------------------- */

G_DEFINE_QUARK (ch-prescribing-error-quark, ch_prescribing_error)

static const ChFrequency frequencies[] = {
  { "daily", 1, N_("once a day") },
  { "bid", 2, N_("twice a day") },
  { "tid", 3, N_("three times a day") },
  { "qid", 4, N_("four times a day") },
  { "qam", 1, N_("every morning") },
  { "qhs", 1, N_("at bedtime") },
  { "q4h", 6, N_("every 4 hours") },
  { "q6h", 4, N_("every 6 hours") },
  { "q8h", 3, N_("every 8 hours") },
  { "q12h", 2, N_("every 12 hours") },
  { "weekly", 1.0 / 7, N_("once a week") },
  { "once", 0, N_("once") },
};

const ChFrequency *
ch_prescribing_frequencies (guint *n_frequencies)
{
  static ChFrequency translated[G_N_ELEMENTS (frequencies)];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < G_N_ELEMENTS (frequencies); i++)
        {
          translated[i] = frequencies[i];
          translated[i].label = _(frequencies[i].label);
        }
      g_once_init_leave (&done, 1);
    }
  *n_frequencies = G_N_ELEMENTS (frequencies);
  return translated;
}

const ChFrequency *
ch_prescribing_find_frequency (const char *code)
{
  guint n;
  const ChFrequency *all = ch_prescribing_frequencies (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (all[i].code, code) == 0)
      return &all[i];
  return NULL;
}

static const ChKbProduct *
find_product (const ChKbDrug       *drug,
              const ChPrescription *rx)
{
  for (guint i = 0; i < drug->n_products; i++)
    if (g_strcmp0 (drug->products[i].form, rx->form) == 0
        && g_strcmp0 (drug->products[i].strength, rx->strength) == 0)
      return &drug->products[i];
  return NULL;
}

/* Whether the quantity of @unit is counted in whole pieces. */
static gboolean
countable (const char *unit)
{
  return g_strcmp0 (unit, "mL") != 0 && g_strcmp0 (unit, "g") != 0;
}

gboolean
ch_prescription_compute_quantity (ChDrugKb       *kb,
                                  ChPrescription *rx)
{
  const ChKbDrug *drug = ch_drug_kb_lookup (kb, rx->drug_id);
  const ChFrequency *frequency = ch_prescribing_find_frequency (rx->frequency);
  const ChKbProduct *product;
  double per_dose, total;

  if (drug == NULL || frequency == NULL || !(rx->dose > 0))
    return FALSE;
  product = find_product (drug, rx);
  if (product == NULL)
    return FALSE;

  if (g_strcmp0 (rx->dose_unit, product->per_unit) == 0)
    per_dose = rx->dose;
  else if (ch_drug_dose_convert (rx->dose, rx->dose_unit, product->amount_unit, &per_dose))
    per_dose = per_dose / product->amount * product->per;
  else
    return FALSE;

  if (frequency->per_day == 0)
    total = per_dose;
  else if (rx->duration_days > 0)
    total = per_dose * frequency->per_day * rx->duration_days;
  else
    return FALSE;

  /* Whole pieces; liquids to the next whole mL. A tiny excess from floating
   * point (29.0000001 tablets) is not a 30th tablet. */
  total = ceil (total - 1e-6);
  if (!countable (product->per_unit) && total < 1)
    total = 1;

  rx->quantity = total;
  g_free (rx->quantity_unit);
  rx->quantity_unit = g_strdup (product->per_unit);
  return TRUE;
}

static const char *
route_phrase (const char *route)
{
  static const struct { const char *route; const char *phrase; } phrases[] = {
    { "oral", N_("by mouth") },
    { "sublingual", N_("under the tongue") },
    { "buccal", N_("in the cheek") },
    { "topical", N_("to the skin") },
    { "transdermal", N_("to the skin") },
    { "inhalation", N_("by inhalation") },
    { "nasal", N_("in the nose") },
    { "ophthalmic", N_("in the eye") },
    { "otic", N_("in the ear") },
    { "rectal", N_("rectally") },
    { "vaginal", N_("vaginally") },
    { "subcutaneous", N_("under the skin") },
    { "intramuscular", N_("into the muscle") },
    { "intravenous", N_("into a vein") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    if (g_strcmp0 (phrases[i].route, route) == 0)
      return _(phrases[i].phrase);
  return route;
}

static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

char *
ch_prescription_sig_text (const ChPrescription *rx)
{
  g_autoptr (GString) sig = g_string_new (NULL);
  const ChFrequency *frequency = ch_prescribing_find_frequency (rx->frequency);

  if (rx->dose > 0)
    {
      g_autofree char *dose = format_number (rx->dose);

      g_string_append_printf (sig, "%s %s", dose, rx->dose_unit ? rx->dose_unit : "");
    }
  if (rx->route && rx->route[0])
    g_string_append_printf (sig, "%s%s", sig->len ? " " : "", route_phrase (rx->route));
  if (frequency != NULL)
    g_string_append_printf (sig, "%s%s", sig->len ? " " : "", frequency->label);
  if (rx->as_needed)
    g_string_append_printf (sig, "%s%s", sig->len ? " " : "", _("as needed"));
  if (rx->duration_days > 0)
    {
      g_string_append_c (sig, ' ');
      g_string_append_printf (sig, g_dngettext (GETTEXT_PACKAGE, "for %d day", "for %d days",
                                                rx->duration_days),
                              rx->duration_days);
    }
  if (rx->instructions && rx->instructions[0])
    g_string_append_printf (sig, "%s%s", sig->len ? ". " : "", rx->instructions);
  return g_string_free (g_steal_pointer (&sig), FALSE);
}

char *
ch_number_in_words (guint64 number)
{
  static const char * const ones[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
  };
  static const char * const tens[] = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
  };
  GString *words = g_string_new (NULL);

  /* English, as prescriptions are written in the United States; a spelled
   * quantity is there to stop a 1 from becoming a 7, not to be translated. */
  if (number >= 1000000)
    {
      g_autofree char *millions = ch_number_in_words (number / 1000000);

      g_string_append_printf (words, "%s million", millions);
      number %= 1000000;
      if (number == 0)
        return g_string_free (words, FALSE);
      g_string_append_c (words, ' ');
    }
  if (number >= 1000)
    {
      g_autofree char *thousands = ch_number_in_words (number / 1000);

      g_string_append_printf (words, "%s thousand", thousands);
      number %= 1000;
      if (number == 0)
        return g_string_free (words, FALSE);
      g_string_append_c (words, ' ');
    }
  if (number >= 100)
    {
      g_string_append_printf (words, "%s hundred", ones[number / 100]);
      number %= 100;
      if (number == 0)
        return g_string_free (words, FALSE);
      g_string_append_c (words, ' ');
    }
  if (number < 20)
    g_string_append (words, ones[number]);
  else
    {
      g_string_append (words, tens[number / 10]);
      if (number % 10)
        g_string_append_printf (words, "-%s", ones[number % 10]);
    }
  return g_string_free (words, FALSE);
}

static gboolean
state_error (GError    **error,
             const char *message)
{
  g_set_error_literal (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE, message);
  return FALSE;
}

/* Whether @username is an enabled account that may prescribe. */
static gboolean
check_prescriber (ChStore     *store,
                  const char  *username,
                  GError     **error)
{
  g_autoptr (ChUserRecord) user = NULL;
  ChRole role;

  if (!ch_has_text (username))
    return ch_invalid (error, _("Name the physician who is to sign the prescription"));
  user = ch_db_user_lookup (store, username, NULL);
  if (user == NULL || user->disabled || !ch_role_from_string (user->role, &role)
      || ch_role_get_access (role, CH_AREA_PRESCRIBING) != CH_ACCESS_WRITE)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a prescriber of this practice"), username);
      return FALSE;
    }
  return TRUE;
}

#define MAX_NAME 200
#define MAX_TEXT 2000

static gboolean
too_long (const char *text,
          glong       max)
{
  return text != NULL && g_utf8_strlen (text, -1) > max;
}

static gboolean
validate_prescription (ChSession       *session,
                       ChPrescription  *rx,
                       GError         **error)
{
  g_autoptr (ChDrugKb) kb = NULL;

  if (!ch_has_text (rx->drug_name))
    return ch_invalid (error, _("Choose the drug"));
  if (too_long (rx->drug_name, MAX_NAME) || too_long (rx->form, MAX_NAME)
      || too_long (rx->strength, MAX_NAME) || too_long (rx->route, MAX_NAME)
      || too_long (rx->dose_unit, MAX_NAME) || too_long (rx->quantity_unit, MAX_NAME)
      || too_long (rx->drug_id, MAX_NAME) || too_long (rx->frequency, MAX_NAME))
    return ch_invalid (error, _("The drug, its form, strength, route and units have at most 200 characters each"));
  if (too_long (rx->instructions, MAX_TEXT) || too_long (rx->indication, MAX_TEXT))
    return ch_invalid (error, _("The instructions and the indication have at most 2000 characters each"));
  if (!isnan (rx->dose) && !(rx->dose > 0 && rx->dose < 1e6))
    return ch_invalid (error, _("The dose must be a positive number"));
  if (rx->dose > 0 && !ch_has_text (rx->dose_unit))
    return ch_invalid (error, _("Give the dose's unit"));
  if (ch_has_text (rx->frequency) && ch_prescribing_find_frequency (rx->frequency) == NULL)
    return ch_invalid (error, _("Unknown frequency"));
  if (rx->refills < 0 || rx->refills > 11)
    return ch_invalid (error, _("Refills must be between 0 and 11"));
  if (rx->duration_days < 0 || rx->duration_days > 365)
    return ch_invalid (error, _("The duration must be between 1 and 365 days"));
  if (!isnan (rx->quantity) && !(rx->quantity > 0 && rx->quantity < 1e6))
    return ch_invalid (error, _("The quantity must be a positive number"));

  /* An id the active base does not know is kept as a drug outside it. */
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return FALSE;
  if (ch_has_text (rx->drug_id) && ch_drug_kb_lookup (kb, rx->drug_id) == NULL)
    {
      g_free (rx->drug_id);
      rx->drug_id = g_strdup ("");
    }
  return TRUE;
}

gboolean
ch_prescribing_save_draft (ChSession       *session,
                           ChPrescription  *rx,
                           GError         **error)
{
  ChStore *store;
  const char *username;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (rx != NULL, FALSE);

  /* Nurses draft (prescribing read, chart write); physicians too. */
  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!ch_has_text (rx->prescriber) && ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE))
    {
      g_free (rx->prescriber);
      rx->prescriber = g_strdup (username);
    }
  if (!validate_prescription (session, rx, error) || !check_prescriber (store, rx->prescriber, error))
    return FALSE;
  /* The indication is one of this patient's problems. */
  if (rx->indication_id != 0)
    {
      g_autoptr (ChChartItem) problem = ch_db_chart_get (store, rx->indication_id, NULL);

      if (problem == NULL || problem->patient_id != rx->patient_id
          || g_strcmp0 (problem->section, CH_SECTION_PROBLEM) != 0)
        return ch_invalid (error, _("The indication is not a problem of this patient"));
    }

  if (!ch_store_begin (store, error))
    return FALSE;
  if (rx->id == 0)
    {
      g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, rx->patient_id, error);

      if (patient == NULL || !ch_db_prescription_insert (store, rx, username, error))
        goto fail;
    }
  else if (!ch_db_prescription_update_draft (store, rx, username, error))
    goto fail;

  detail = g_strdup_printf ("draft %s for %s", rx->drug_name, rx->prescriber);
  if (!ch_session_audit (session, rx->version == 1 ? CH_AUDIT_CREATE : CH_AUDIT_UPDATE,
                         "prescription", NULL, rx->patient_id, detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* @kb: (transfer none): must outlive the result, which may point into it */
static ChKbMedication
medication_of (ChDrugKb             *kb,
               const ChPrescription *rx)
{
  const ChFrequency *frequency = ch_prescribing_find_frequency (rx->frequency);
  const ChKbDrug *drug;
  const ChKbProduct *product;
  ChKbMedication medication = {
    .drug_id = ch_has_text (rx->drug_id) ? rx->drug_id : NULL,
    .name = rx->drug_name,
    .dose = rx->dose,
    .unit = rx->dose_unit,
    .route = rx->route,
    .per_day = frequency ? (frequency->per_day > 0 ? frequency->per_day : 1) : 0,
  };

  /* Dosed in what is dispensed ("2 tablets", "5 mL"), as the form suggests:
   * the usual range is in the drug's amount, so check that amount. */
  drug = ch_drug_kb_lookup (kb, medication.drug_id);
  product = drug != NULL ? find_product (drug, rx) : NULL;
  if (product != NULL && rx->dose > 0 && g_strcmp0 (rx->dose_unit, product->per_unit) == 0)
    {
      medication.dose = rx->dose * product->amount / product->per;
      medication.unit = product->amount_unit;
    }
  return medication;
}

GPtrArray *
ch_prescribing_check_prescription (ChSession            *session,
                                   const ChPrescription *rx,
                                   GError              **error)
{
  g_autoptr (ChDrugKb) kb = NULL;
  ChKbMedication medication;
  gint64 replaced_item = 0;

  g_return_val_if_fail (rx != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return NULL;

  /* A renewal or change is not the same drug twice: the entry it replaces is left out. */
  if (rx->replaces_id != 0 && ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    {
      g_autoptr (ChPrescription) replaced = ch_db_prescription_get (ch_session_get_store (session),
                                                                    rx->replaces_id, error);

      if (replaced == NULL)
        return NULL;
      replaced_item = replaced->medication_item_id;
    }
  medication = medication_of (kb, rx);
  return check_excluding (session, rx->patient_id, &medication, 1, replaced_item, error);
}

static const ChAlertDecision *
find_decision (const ChAlertDecision *decisions,
               guint                  n_decisions,
               const char            *pair_key)
{
  for (guint i = 0; i < n_decisions; i++)
    if (g_strcmp0 (decisions[i].pair_key, pair_key) == 0)
      return &decisions[i];
  return NULL;
}

/* The medication list entry a signed prescription stands for. */
static void
fill_medication_item (ChChartItem          *item,
                      const ChPrescription *rx)
{
  g_autofree char *sig = ch_prescription_sig_text (rx);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  g_free (item->code_system);
  item->code_system = g_strdup (ch_has_text (rx->drug_id) ? "charta-kb" : "");
  g_free (item->code);
  item->code = g_strdup (rx->drug_id ? rx->drug_id : "");
  g_free (item->display);
  item->display = g_strdup_printf ("%s%s%s%s%s", rx->drug_name,
                                   ch_has_text (rx->strength) ? " " : "", rx->strength ? rx->strength : "",
                                   ch_has_text (rx->form) ? " " : "", rx->form ? rx->form : "");
  g_free (item->clinical_status);
  item->clinical_status = g_strdup ("active");
  if (item->start_date == NULL)
    item->start_date = g_date_time_format (now, "%Y-%m-%d");
  g_clear_pointer (&item->end_date, g_free);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, rx->id);

  ch_chart_item_set_detail (item, "dose", sig);
  ch_chart_item_set_detail (item, "route", rx->route);
  ch_chart_item_set_detail (item, "prescription", id);
}

/* Puts @rx on the medication list: the entry of the prescription it renews
 * or changes, else a new one. Returns: the entry's id, or 0 */
static gint64
record_medication (ChSession             *session,
                   const ChPrescription  *rx,
                   GError               **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChPrescription) previous = NULL;
  g_autoptr (ChChartItem) item = NULL;

  if (rx->replaces_id != 0)
    {
      previous = ch_db_prescription_get (store, rx->replaces_id, error);
      if (previous == NULL)
        return 0;
      if (previous->medication_item_id != 0)
        item = ch_db_chart_get (store, previous->medication_item_id, error);
    }

  if (item != NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Renewed or changed by a new prescription"));

      fill_medication_item (item, rx);
      if (!ch_chart_update (session, item, reason, error))
        return 0;
      return item->id;
    }

  item = ch_chart_item_new (CH_SECTION_MEDICATION);
  item->patient_id = rx->patient_id;
  item->status = g_strdup ("active");
  fill_medication_item (item, rx);
  if (!ch_chart_add (session, item, error))
    return 0;
  return item->id;
}

gboolean
ch_prescribing_sign (ChSession             *session,
                     gint64                 prescription_id,
                     const ChAlertDecision *decisions,
                     guint                  n_decisions,
                     GError               **error)
{
  ChStore *store;
  const char *username;
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChPrescription) signed_rx = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autofree char *detail = NULL;
  gint64 item_id;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;

  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  rx = ch_db_prescription_get (store, prescription_id, error);
  if (rx == NULL)
    return FALSE;
  if (!g_str_equal (rx->state, "draft"))
    return state_error (error, _("Only a draft can be signed; renew or change a signed prescription"));

  /* The checks run again here, against the chart as it is now. */
  alerts = ch_prescribing_check_prescription (session, rx, error);
  if (alerts == NULL)
    return FALSE;
  for (guint i = 0; i < alerts->len; i++)
    {
      ChDrugAlert *alert = alerts->pdata[i];
      g_autofree char *key = ch_drug_alert_pair_key (alert);
      const ChAlertDecision *decision = find_decision (decisions, n_decisions, key);

      if (decision != NULL && too_long (decision->reason, MAX_TEXT))
        return ch_invalid (error, _("A reason has at most 2000 characters"));
      if (decision != NULL && decision->silence
          && alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED)
        return ch_invalid (error, _("A contraindicated alert cannot be silenced; give a reason each time"));
      if (alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED
          && (decision == NULL || !ch_has_text (decision->reason)))
        {
          g_autofree char *title = ch_drug_alert_title (alert);

          g_set_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_OVERRIDE_NEEDED,
                       _("Give a reason to override “%s”"), title);
          return FALSE;
        }
    }

  if (!ch_store_begin (store, error))
    return FALSE;

  /* A renewal takes the place of a current prescription: not of one stopped
   * meanwhile (its stop would be undone), nor of one another renewal has
   * replaced already (two signed prescriptions would share one entry). */
  if (rx->replaces_id != 0)
    {
      g_autoptr (ChPrescription) replaced = ch_db_prescription_get (store, rx->replaces_id, error);

      if (replaced == NULL)
        goto fail;
      if (!g_str_equal (replaced->state, "signed"))
        {
          state_error (error, _("The prescription this one renews was stopped or renewed "
                                "meanwhile; discard this draft and prescribe anew"));
          goto fail;
        }
    }

  for (guint i = 0; i < alerts->len; i++)
    {
      ChDrugAlert *alert = alerts->pdata[i];
      g_autofree char *key = ch_drug_alert_pair_key (alert);
      g_autofree char *title = ch_drug_alert_title (alert);
      const ChAlertDecision *decision = find_decision (decisions, n_decisions, key);
      gboolean overridden = decision != NULL && ch_has_text (decision->reason);
      gboolean silenced = decision != NULL && decision->silence;

      if (!ch_db_prescription_alert_insert (store, rx->id, ch_drug_alert_kind_to_string (alert->kind),
                                            ch_drug_severity_to_string (alert->severity),
                                            alert->rule, key, title, username,
                                            silenced ? "suppressed" : overridden ? "overridden" : "shown",
                                            decision ? decision->reason : "", error))
        goto fail;

      if (overridden || silenced)
        {
          g_autofree char *line = g_strdup_printf ("%s%s: %s", title,
                                                   silenced ? " (do not warn again)" : "",
                                                   decision->reason ? decision->reason : "");

          if (!ch_session_audit (session, CH_AUDIT_OVERRIDE, "prescription", NULL, rx->patient_id,
                                 line, error))
            goto fail;
        }
      if (silenced && !ch_db_alert_suppress (store, rx->patient_id, key, title, username, error))
        goto fail;
    }

  item_id = record_medication (session, rx, error);
  if (item_id == 0 || !ch_db_prescription_sign (store, rx->id, username, item_id, error))
    goto fail;
  if (rx->replaces_id != 0
      && !ch_db_prescription_end (store, rx->replaces_id, "replaced", "renewed or changed",
                                  username, error))
    goto fail;

  signed_rx = ch_db_prescription_get (store, rx->id, error);
  if (signed_rx == NULL)
    goto fail;
  detail = g_strdup_printf ("%s %s, %u alerts", signed_rx->number, rx->drug_name, alerts->len);
  if (!ch_session_audit (session, CH_AUDIT_SIGN, "prescription", signed_rx->number, rx->patient_id,
                         detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

static gboolean
end_prescription (ChSession   *session,
                  gint64       prescription_id,
                  const char  *from_state,
                  const char  *to_state,
                  const char  *reason,
                  GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  const char *username = ch_session_get_username (session);
  g_autoptr (ChPrescription) rx = ch_db_prescription_get (store, prescription_id, error);
  g_autofree char *detail = NULL;

  if (rx == NULL)
    return FALSE;
  if (!g_str_equal (rx->state, from_state))
    return state_error (error, g_str_equal (from_state, "draft")
                               ? _("Only a draft can be discarded")
                               : _("Only a current prescription can be stopped"));

  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_prescription_end (store, rx->id, to_state, reason, username, error))
    goto fail;

  if (rx->medication_item_id != 0)
    {
      g_autoptr (ChChartItem) item = ch_db_chart_get (store, rx->medication_item_id, error);
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

      if (item == NULL)
        goto fail;
      g_free (item->clinical_status);
      item->clinical_status = g_strdup ("stopped");
      g_free (item->end_date);
      item->end_date = g_date_time_format (now, "%Y-%m-%d");
      if (!ch_chart_update (session, item, reason, error))
        goto fail;
    }

  detail = g_strdup_printf ("%s %s: %s", to_state, rx->number ? rx->number : rx->drug_name, reason);
  if (!ch_session_audit (session, CH_AUDIT_UPDATE, "prescription", rx->number, rx->patient_id,
                         detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_prescribing_discard (ChSession  *session,
                        gint64      prescription_id,
                        GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  return end_prescription (session, prescription_id, "draft", "discarded", "discarded", error);
}

gboolean
ch_prescribing_stop (ChSession   *session,
                     gint64       prescription_id,
                     const char  *reason,
                     GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (reason))
    return ch_invalid (error, _("Say why the medication is stopped"));
  if (too_long (reason, MAX_TEXT))
    return ch_invalid (error, _("A reason has at most 2000 characters"));
  return end_prescription (session, prescription_id, "signed", "stopped", reason, error);
}

gint64
ch_prescribing_renew (ChSession  *session,
                      gint64      prescription_id,
                      GError    **error)
{
  g_autoptr (ChPrescription) old = NULL;
  g_autoptr (ChPrescription) renewal = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), 0);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error))
    return 0;
  old = ch_db_prescription_get (ch_session_get_store (session), prescription_id, error);
  if (old == NULL)
    return 0;
  if (!g_str_equal (old->state, "signed"))
    {
      state_error (error, _("Only a current prescription can be renewed or changed"));
      return 0;
    }

  renewal = ch_prescription_copy (old);
  renewal->id = 0;
  g_clear_pointer (&renewal->number, g_free);
  renewal->replaces_id = old->id;
  renewal->medication_item_id = 0;
  renewal->signed_at = 0;
  if (ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE))
    {
      g_free (renewal->prescriber);
      renewal->prescriber = g_strdup (ch_session_get_username (session));
    }
  if (!ch_prescribing_save_draft (session, renewal, error))
    return 0;
  return renewal->id;
}

ChPrescription *
ch_prescribing_get (ChSession  *session,
                    gint64      prescription_id,
                    GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_prescription_get (ch_session_get_store (session), prescription_id, error);
}

GPtrArray *
ch_prescribing_list (ChSession  *session,
                     gint64      patient_id,
                     GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_prescription_list (ch_session_get_store (session), patient_id, error);
}

/* ---- prescribers ------------------------------------------------------------ */

static char *
licence_key (const char *username)
{
  return g_strdup_printf ("prescriber.licence.%s", username);
}

char *
ch_prescribing_get_licence (ChStore    *store,
                            const char *username)
{
  g_autofree char *key = licence_key (username);
  char *licence = ch_db_setting_get (store, key, NULL);

  return licence ? licence : g_strdup ("");
}

gboolean
ch_prescribing_set_licence (ChSession   *session,
                            const char  *username,
                            const char  *licence,
                            GError     **error)
{
  ChStore *store;
  g_autofree char *key = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (g_strcmp0 (username, ch_session_get_username (session)) != 0
      && !ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!check_prescriber (store, username, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (licence ? licence : ""));
  if (strlen (trimmed) > 64)
    return ch_invalid (error, _("A licence number has at most 64 characters"));

  key = licence_key (username);
  detail = g_strdup_printf ("licence number of %s", username);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_setting_set (store, key, trimmed, error)
      || !ch_session_audit (session, CH_AUDIT_SETTINGS, "user", username, 0, detail, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_prescribing_list_prescribers (ChSession  *session,
                                 GError    **error)
{
  g_autoptr (GPtrArray) users = NULL;
  GPtrArray *prescribers;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error))
    return NULL;
  users = ch_db_user_list (ch_session_get_store (session), error);
  if (users == NULL)
    return NULL;

  prescribers = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_user_record_free);
  for (guint i = 0; i < users->len; i++)
    {
      ChUserRecord *user = users->pdata[i];
      ChRole role;

      if (!user->disabled && ch_role_from_string (user->role, &role)
          && ch_role_get_access (role, CH_AREA_PRESCRIBING) == CH_ACCESS_WRITE)
        g_ptr_array_add (prescribers, g_steal_pointer (&users->pdata[i]));
    }
  return prescribers;
}
