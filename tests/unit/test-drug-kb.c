/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-drug-kb"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-drug-kb.h"

/* The shipped drug knowledge base: its size, search, and the checks a
 * prescriber relies on, case by case; then what a broken base gives. */

static ChDrugKb *
shipped (void)
{
  return ch_drug_kb_get_shipped ();
}

/* Returns: (transfer full): the alerts for @drugs (names) given together,
 * with the allergies in @allergies (NULL-terminated; may be NULL) */
static GPtrArray *
check_names (ChDrugKb           *kb,
             const char * const *drugs,
             const char * const *allergies)
{
  g_autoptr (GArray) meds = g_array_new (FALSE, TRUE, sizeof (ChKbMedication));
  g_autoptr (GArray) alls = g_array_new (FALSE, TRUE, sizeof (ChKbAllergy));

  for (guint i = 0; drugs[i]; i++)
    {
      const ChKbDrug *drug = ch_drug_kb_find (kb, drugs[i]);
      ChKbMedication med = { 0 };

      if (drug == NULL)
        g_error ("“%s” is not in the shipped base", drugs[i]);
      med.drug_id = drug->id;
      med.name = drugs[i];
      g_array_append_val (meds, med);
    }
  for (guint i = 0; allergies && allergies[i]; i++)
    {
      ChKbAllergy allergy = { allergies[i], "drug" };

      g_array_append_val (alls, allergy);
    }
  return ch_drug_kb_check (kb, (ChKbMedication *) meds->data, meds->len, NULL, 0,
                           (ChKbAllergy *) alls->data, alls->len);
}

/* The most severe alert of @kind, or NULL. */
static const ChDrugAlert *
find_alert (GPtrArray       *alerts,
            ChDrugAlertKind  kind)
{
  for (guint i = 0; i < alerts->len; i++)
    if (((ChDrugAlert *) alerts->pdata[i])->kind == kind)
      return alerts->pdata[i];
  return NULL;
}

static void
test_shipped (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  const ChKbDrug *amoxicillin;

  g_assert_cmpuint (ch_drug_kb_count_drugs (kb), >=, 300);
  g_assert_cmpuint (ch_drug_kb_count_interactions (kb), >=, 250);
  g_assert_cmpuint (ch_drug_kb_count_allergy_groups (kb), >=, 10);
  g_assert_cmpstr (ch_drug_kb_get_info (kb, "name"), !=, "");
  g_assert_cmpstr (ch_drug_kb_get_info (kb, "version"), !=, "");

  amoxicillin = ch_drug_kb_lookup (kb, "amoxicillin");
  g_assert_nonnull (amoxicillin);
  g_assert_cmpstr (amoxicillin->generic_name, ==, "amoxicillin");
  g_assert_cmpuint (amoxicillin->n_products, >=, 2);
  g_assert_cmpuint (amoxicillin->n_doses, >=, 1);
  g_assert_true (ch_drug_kb_drug_in_class (kb, amoxicillin, "X_PENICILLIN"));
  g_assert_false (ch_drug_kb_drug_in_class (kb, amoxicillin, "X_NSAID"));
  g_assert_null (ch_drug_kb_lookup (kb, "unobtainium"));

  /* Names as people write them. */
  g_assert_true (ch_drug_kb_find (kb, "LIPITOR") == ch_drug_kb_lookup (kb, "atorvastatin"));
  g_assert_true (ch_drug_kb_find_in_text (kb, "Lisinopril 10 mg tablet")
                 == ch_drug_kb_lookup (kb, "lisinopril"));
  g_assert_true (ch_drug_kb_find_in_text (kb, "Albuterol 90 mcg/actuation inhaler")
                 == ch_drug_kb_lookup (kb, "albuterol"));
  g_assert_null (ch_drug_kb_find_in_text (kb, "Chicken soup"));
}

static void
test_search (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  g_autoptr (GPtrArray) hits = NULL;
  gboolean clavulanate = FALSE;

  hits = ch_drug_kb_search (kb, "amox", 10);
  g_assert_cmpuint (hits->len, >=, 2);
  g_assert_cmpstr (((ChKbDrugHit *) hits->pdata[0])->drug->id, ==, "amoxicillin");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Brands find their generic, and say which name matched. */
  hits = ch_drug_kb_search (kb, "zoco", 10);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((ChKbDrugHit *) hits->pdata[0])->drug->id, ==, "simvastatin");
  g_assert_cmpstr (((ChKbDrugHit *) hits->pdata[0])->matched, ==, "Zocor");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A word inside the name; case and accents do not matter. */
  hits = ch_drug_kb_search (kb, "CLÁVULAN", 10);
  for (guint i = 0; i < hits->len; i++)
    clavulanate |= g_str_equal (((ChKbDrugHit *) hits->pdata[i])->drug->id,
                                "amoxicillin_clavulanate");
  g_assert_true (clavulanate);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = ch_drug_kb_search (kb, "  ", 10);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = ch_drug_kb_search (kb, "a", 5);
  g_assert_cmpuint (hits->len, ==, 5);
}

typedef struct
{
  const char     *a;
  const char     *b;
  ChDrugSeverity  at_least;   /* NOTICE: no interaction expected */
} Case;

/* The ONC high-priority pairs (Phansalkar et al. 2012), each by two
 * representative drugs. */
static const Case onc_cases[] = {
  { "amphetamine_dextroamphetamine", "phenelzine", CH_DRUG_SEVERITY_MAJOR },
  { "atazanavir", "omeprazole", CH_DRUG_SEVERITY_MAJOR },
  { "ergotamine", "clarithromycin", CH_DRUG_SEVERITY_MAJOR },
  { "simvastatin", "clarithromycin", CH_DRUG_SEVERITY_MAJOR },
  { "lovastatin", "ketoconazole", CH_DRUG_SEVERITY_MAJOR },
  { "irinotecan", "ketoconazole", CH_DRUG_SEVERITY_MAJOR },
  { "tranylcypromine", "meperidine", CH_DRUG_SEVERITY_MAJOR },
  { "procarbazine", "tranylcypromine", CH_DRUG_SEVERITY_MAJOR },
  { "phenelzine", "sertraline", CH_DRUG_SEVERITY_MAJOR },
  { "phenelzine", "amitriptyline", CH_DRUG_SEVERITY_MAJOR },
  { "isocarboxazid", "sumatriptan", CH_DRUG_SEVERITY_MAJOR },
  { "phenelzine", "pseudoephedrine", CH_DRUG_SEVERITY_MAJOR },
  { "ritonavir", "rifampin", CH_DRUG_SEVERITY_MAJOR },
  { "citalopram", "haloperidol", CH_DRUG_SEVERITY_MAJOR },
  { "ramelteon", "fluvoxamine", CH_DRUG_SEVERITY_MAJOR },
  { "azathioprine", "allopurinol", CH_DRUG_SEVERITY_MAJOR },
  { "mercaptopurine", "febuxostat", CH_DRUG_SEVERITY_MAJOR },
  { "tizanidine", "ciprofloxacin", CH_DRUG_SEVERITY_MAJOR },
};

/* Pairs often cited with them as high-priority (older lists, FDA labels). */
static const Case classic_cases[] = {
  { "bosentan", "glyburide", CH_DRUG_SEVERITY_MAJOR },
  { "didanosine", "allopurinol", CH_DRUG_SEVERITY_MAJOR },
  { "methotrexate", "trimethoprim", CH_DRUG_SEVERITY_MAJOR },
  { "warfarin", "ibuprofen", CH_DRUG_SEVERITY_MAJOR },
  { "sildenafil", "nitroglycerin", CH_DRUG_SEVERITY_CONTRAINDICATED },
};

static const Case other_cases[] = {
  /* Class level: any NSAID with warfarin, any PPI with atazanavir. */
  { "warfarin", "naproxen", CH_DRUG_SEVERITY_MAJOR },
  { "atazanavir", "pantoprazole", CH_DRUG_SEVERITY_MAJOR },
  { "lisinopril", "spironolactone", CH_DRUG_SEVERITY_MODERATE },
  { "lithium", "hydrochlorothiazide", CH_DRUG_SEVERITY_MODERATE },
  { "oxycodone", "alprazolam", CH_DRUG_SEVERITY_MAJOR },
  { "levothyroxine", "calcium_carbonate", CH_DRUG_SEVERITY_MINOR },
  { "digoxin", "amiodarone", CH_DRUG_SEVERITY_MODERATE },
  { "clopidogrel", "omeprazole", CH_DRUG_SEVERITY_MODERATE },
  /* Unrelated pairs: no interaction. */
  { "amoxicillin", "lisinopril", CH_DRUG_SEVERITY_NOTICE },
  { "metformin", "atorvastatin", CH_DRUG_SEVERITY_NOTICE },
  { "cetirizine", "omeprazole", CH_DRUG_SEVERITY_NOTICE },
  { "levothyroxine", "amlodipine", CH_DRUG_SEVERITY_NOTICE },
  { "albuterol", "sertraline", CH_DRUG_SEVERITY_NOTICE },
};

static void
run_cases (const Case *cases,
           guint       n_cases,
           gboolean    onc)
{
  g_autoptr (ChDrugKb) kb = shipped ();

  for (guint i = 0; i < n_cases; i++)
    for (guint order = 0; order < 2; order++)
      {
        const char *first = order ? cases[i].b : cases[i].a;
        const char *second = order ? cases[i].a : cases[i].b;
        const char *drugs[] = { first, second, NULL };
        g_autoptr (GPtrArray) alerts = check_names (kb, drugs, NULL);
        const ChDrugAlert *alert = find_alert (alerts, CH_DRUG_ALERT_INTERACTION);

        if (cases[i].at_least == CH_DRUG_SEVERITY_NOTICE)
          {
            if (alert != NULL)
              g_error ("%s + %s: unexpected alert %s", first, second, alert->rule);
            continue;
          }
        if (alert == NULL)
          g_error ("%s + %s: no interaction alert", first, second);
        if (alert->severity < cases[i].at_least)
          g_error ("%s + %s: %s is only %s", first, second, alert->rule,
                   ch_drug_severity_to_string (alert->severity));
        /* Every alert says why and what to do, and where it comes from. */
        g_assert_cmpstr (alert->effect, !=, "");
        g_assert_cmpstr (alert->management, !=, "");
        g_assert_cmpstr (alert->source, !=, "");
        if (onc && strstr (alert->source, "Phansalkar") == NULL
            && strstr (alert->source, "ONC") == NULL)
          {
            gboolean named = FALSE;

            /* The ONC row may be another of the matching rows. */
            for (guint k = 0; k < alerts->len; k++)
              {
                const ChDrugAlert *other = alerts->pdata[k];

                named |= other->kind == CH_DRUG_ALERT_INTERACTION
                         && (strstr (other->source, "Phansalkar") || strstr (other->source, "ONC"));
              }
            if (!named)
              g_error ("%s + %s: no alert names the ONC list as its source", first, second);
          }
        /* The drug being prescribed is party a, whichever order. */
        g_assert_cmpstr (alert->drug_a, ==, first);
        g_assert_cmpstr (alert->drug_b, ==, second);
      }
}

static void
test_onc_pairs (void)
{
  run_cases (onc_cases, G_N_ELEMENTS (onc_cases), TRUE);
}

static void
test_classic_pairs (void)
{
  run_cases (classic_cases, G_N_ELEMENTS (classic_cases), FALSE);
}

static void
test_interactions (void)
{
  run_cases (other_cases, G_N_ELEMENTS (other_cases), FALSE);
}

static void
test_ranked (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  const char *drugs[] = { "warfarin", "ibuprofen", "simvastatin", "clarithromycin", "cetirizine",
                          NULL };
  g_autoptr (GPtrArray) alerts = check_names (kb, drugs, NULL);

  g_assert_cmpuint (alerts->len, >=, 3);
  for (guint i = 1; i < alerts->len; i++)
    g_assert_cmpint (((ChDrugAlert *) alerts->pdata[i - 1])->severity, >=,
                     ((ChDrugAlert *) alerts->pdata[i])->severity);
}

static void
test_allergies (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  const char *penicillin[] = { "Penicillin", NULL };
  const char *brand[] = { "Amoxil (rash)", NULL };
  const char *sulfa[] = { "sulfa drugs", NULL };
  const char *unknown[] = { "the blue pills", NULL };
  struct { const char *drug; const char * const *allergy; ChDrugSeverity at_least; } cases[] = {
    { "amoxicillin", penicillin, CH_DRUG_SEVERITY_CONTRAINDICATED },
    { "Augmentin", penicillin, CH_DRUG_SEVERITY_CONTRAINDICATED },
    { "dicloxacillin", penicillin, CH_DRUG_SEVERITY_CONTRAINDICATED },
    { "ampicillin", brand, CH_DRUG_SEVERITY_CONTRAINDICATED },
    { "cephalexin", penicillin, CH_DRUG_SEVERITY_MINOR },
    { "Bactrim", sulfa, CH_DRUG_SEVERITY_CONTRAINDICATED },
    { "azithromycin", penicillin, CH_DRUG_SEVERITY_NOTICE },
    { "furosemide", sulfa, CH_DRUG_SEVERITY_NOTICE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *drugs[] = { cases[i].drug, NULL };
      g_autoptr (GPtrArray) alerts = check_names (kb, drugs, cases[i].allergy);
      const ChDrugAlert *alert = find_alert (alerts, CH_DRUG_ALERT_ALLERGY);

      g_assert_null (find_alert (alerts, CH_DRUG_ALERT_UNCHECKED_ALLERGY));
      if (cases[i].at_least == CH_DRUG_SEVERITY_NOTICE)
        {
          if (alert != NULL)
            g_error ("%s with “%s”: unexpected %s", cases[i].drug, cases[i].allergy[0], alert->rule);
          continue;
        }
      if (alert == NULL || alert->severity < cases[i].at_least)
        g_error ("%s with “%s”: no allergy alert (or too weak)", cases[i].drug,
                 cases[i].allergy[0]);
      g_assert_cmpstr (alert->party_b, ==, cases[i].allergy[0]);
      g_assert_cmpstr (alert->effect, !=, "");
    }

  /* Cross-reactivity is weaker than the allergy's own group. */
  {
    const char *drugs[] = { "cephalexin", NULL };
    g_autoptr (GPtrArray) alerts = check_names (kb, drugs, penicillin);

    g_assert_cmpint (find_alert (alerts, CH_DRUG_ALERT_ALLERGY)->severity, <,
                     CH_DRUG_SEVERITY_CONTRAINDICATED);
  }

  /* A drug allergy in words the base does not know is said so, not ignored. */
  {
    const char *drugs[] = { "amoxicillin", NULL };
    g_autoptr (GPtrArray) alerts = check_names (kb, drugs, unknown);
    const ChDrugAlert *notice = find_alert (alerts, CH_DRUG_ALERT_UNCHECKED_ALLERGY);

    g_assert_nonnull (notice);
    g_assert_cmpstr (notice->party_b, ==, "the blue pills");
    g_assert_null (find_alert (alerts, CH_DRUG_ALERT_ALLERGY));
  }

  /* "Epi pen" is no penicillin. */
  {
    const char *drugs[] = { "amoxicillin", NULL };
    const char *epipen[] = { "Epi pen (latex)", NULL };
    g_autoptr (GPtrArray) alerts = check_names (kb, drugs, epipen);

    g_assert_null (find_alert (alerts, CH_DRUG_ALERT_ALLERGY));
  }

  /* A food allergy is no drug allergy: nothing to check, nothing to say. */
  {
    ChKbMedication med = { "amoxicillin", "amoxicillin", 0, NULL, NULL, 0 };
    ChKbAllergy peanuts = { "Peanuts", "food" };
    g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &med, 1, NULL, 0, &peanuts, 1);

    g_assert_cmpuint (alerts->len, ==, 0);
  }
}

static void
test_duplicates (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  ChKbMedication proposed = { "enalapril", "enalapril", 0, NULL, NULL, 0 };
  ChKbMedication current[] = {
    { NULL, "Lisinopril 10 mg tablet", 0, NULL, NULL, 0 },
    { NULL, "Metformin 500 mg tablet", 0, NULL, NULL, 0 },
  };
  g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &proposed, 1, current, 2, NULL, 0);
  const ChDrugAlert *duplicate = find_alert (alerts, CH_DRUG_ALERT_DUPLICATE);

  g_assert_nonnull (duplicate);
  g_assert_cmpstr (duplicate->drug_a, ==, "enalapril");
  g_assert_cmpstr (duplicate->drug_b, ==, "lisinopril");
  g_clear_pointer (&alerts, g_ptr_array_unref);

  /* The same drug again. */
  {
    ChKbMedication again = { "metformin", "metformin", 0, NULL, NULL, 0 };

    alerts = ch_drug_kb_check (kb, &again, 1, current, 2, NULL, 0);
    duplicate = find_alert (alerts, CH_DRUG_ALERT_DUPLICATE);
    g_assert_nonnull (duplicate);
    g_assert_cmpstr (duplicate->rule, ==, "same-drug");
  }
}

static void
test_doses (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  struct { double dose; const char *unit; double per_day; ChDrugSeverity severity; } cases[] = {
    { 500, "mg", 4, CH_DRUG_SEVERITY_NOTICE },           /* usual */
    { 1, "g", 4, CH_DRUG_SEVERITY_NOTICE },              /* 1 g converts to mg */
    { 1000, "mg", 6, CH_DRUG_SEVERITY_MAJOR },           /* 6 g a day */
    { 3000, "mg", 1, CH_DRUG_SEVERITY_MODERATE },        /* one dose too big */
    { 10, "mg", 4, CH_DRUG_SEVERITY_MINOR },             /* too small */
    { 2, "tablet", 4, CH_DRUG_SEVERITY_NOTICE },         /* not comparable: not checked */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ChKbMedication med = { "acetaminophen", "acetaminophen", cases[i].dose, cases[i].unit,
                             "oral", cases[i].per_day };
      g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &med, 1, NULL, 0, NULL, 0);
      const ChDrugAlert *alert = find_alert (alerts, CH_DRUG_ALERT_DOSE);

      if (cases[i].severity == CH_DRUG_SEVERITY_NOTICE)
        g_assert_null (alert);
      else
        {
          g_assert_nonnull (alert);
          g_assert_cmpint (alert->severity, ==, cases[i].severity);
          g_assert_cmpstr (alert->source, !=, "");
        }
    }

  /* Amounts as people write them, not in scientific notation. */
  {
    ChKbMedication med = { "acetaminophen", "acetaminophen", 12500, "mg", "oral", 2 };
    g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &med, 1, NULL, 0, NULL, 0);
    const ChDrugAlert *alert = find_alert (alerts, CH_DRUG_ALERT_DOSE);

    g_assert_nonnull (alert);
    g_assert_cmpstr (alert->effect, ==,
                     "25000 mg a day is more than the usual adult maximum of 4000 mg a day.");
    g_assert_cmpstr (alert->party_b, ==, "12500 mg");
  }
  {
    ChKbMedication med = { "acetaminophen", "acetaminophen", 0.125, "g", "oral", 1 };
    g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &med, 1, NULL, 0, NULL, 0);
    const ChDrugAlert *alert = find_alert (alerts, CH_DRUG_ALERT_DOSE);

    g_assert_nonnull (alert);
    g_assert_cmpstr (alert->effect, ==,
                     "A dose of 0.125 g is less than the usual adult dose of at least 325 mg.");
  }
}

static void
test_unknown_drug (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  ChKbMedication proposed = { NULL, "Grandma's tonic", 0, NULL, NULL, 0 };
  g_autoptr (GPtrArray) alerts = ch_drug_kb_check (kb, &proposed, 1, NULL, 0, NULL, 0);
  const ChDrugAlert *notice = find_alert (alerts, CH_DRUG_ALERT_UNKNOWN_DRUG);
  g_autofree char *title = NULL;

  g_assert_nonnull (notice);
  title = ch_drug_alert_title (notice);
  g_assert_nonnull (strstr (title, "Grandma's tonic"));
}

static void
test_pair_key (void)
{
  g_autoptr (ChDrugKb) kb = shipped ();
  const char *ab[] = { "warfarin", "ibuprofen", NULL };
  const char *ba[] = { "ibuprofen", "warfarin", NULL };
  g_autoptr (GPtrArray) first = check_names (kb, ab, NULL);
  g_autoptr (GPtrArray) second = check_names (kb, ba, NULL);
  g_autofree char *key_ab = ch_drug_alert_pair_key (find_alert (first, CH_DRUG_ALERT_INTERACTION));
  g_autofree char *key_ba = ch_drug_alert_pair_key (find_alert (second, CH_DRUG_ALERT_INTERACTION));

  g_assert_cmpstr (key_ab, ==, key_ba);
}

/* ---- a base that breaks the format ----------------------------------------- */

static GHashTable *
shipped_files (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("CHARTA_SOURCE_DIR"), "resources", "data",
                                           "drugs", NULL);
  g_autoptr (GError) error = NULL;
  GHashTable *files = ch_drug_kb_read_dir (dir, &error);

  g_assert_no_error (error);
  return files;
}

static void
replace_file (GHashTable *files,
              const char *name,
              const char *from,
              const char *to)
{
  GBytes *bytes = g_hash_table_lookup (files, name);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr (GString) edited = g_string_new (text);

  g_assert_nonnull (strstr (text, from));
  g_string_replace (edited, from, to, 1);
  g_hash_table_insert (files, g_strdup (name),
                       g_bytes_new (edited->str, edited->len));
}

static void
test_invalid (void)
{
  struct { const char *file; const char *from; const char *to; const char *message; } cases[] = {
    { "drugs.tsv", ",X_PENICILLIN", ",X_NO_SUCH_CLASS", "unknown class “X_NO_SUCH_CLASS”" },
    { "interactions.tsv", "\tmajor\t", "\tdeadly\t", "unknown severity “deadly”" },
    { "interactions.tsv", "drug:warfarin", "drug:warfarine", "drug:warfarine" },
    { "products.tsv", "\toral\t", "\tby mouth\t", "unknown route" },
    { "doses.tsv", "\tmg\t", "\tmg\tX\t", "fields instead of" },
    { "classes.tsv", "class\tname\tkind\tparents", "code\tname\tkind\tparents", "header" },
    { "info.tsv", "version\t", "versio\t", "unknown key" },
    { "drugs.tsv", "\n", "\r\n", "carriage return" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GHashTable) files = shipped_files ();
      g_autoptr (GError) error = NULL;
      g_autoptr (ChDrugKb) kb = NULL;

      replace_file (files, cases[i].file, cases[i].from, cases[i].to);
      kb = ch_drug_kb_new_from_files (files, &error);
      g_assert_null (kb);
      g_assert_error (error, CH_DRUG_KB_ERROR, CH_DRUG_KB_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL
          || strstr (error->message, cases[i].file) == NULL)
        g_error ("case %u: “%s” lacks “%s” or the file name", i, error->message, cases[i].message);
    }

  /* A missing file is named. */
  {
    g_autoptr (GHashTable) files = shipped_files ();
    g_autoptr (GError) error = NULL;
    g_autoptr (ChDrugKb) kb = NULL;

    g_hash_table_remove (files, "allergy-groups.tsv");
    kb = ch_drug_kb_new_from_files (files, &error);
    g_assert_null (kb);
    g_assert_nonnull (strstr (error->message, "allergy-groups.tsv"));
  }

  /* Not a folder. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GHashTable) files = ch_drug_kb_read_dir ("/nonexistent/kb", &error);

    g_assert_null (files);
    g_assert_error (error, CH_DRUG_KB_ERROR, CH_DRUG_KB_ERROR_MISSING);
  }

  /* And the files as they are load. */
  {
    g_autoptr (GHashTable) files = shipped_files ();
    g_autoptr (GError) error = NULL;
    g_autoptr (ChDrugKb) kb = ch_drug_kb_new_from_files (files, &error);

    g_assert_no_error (error);
    g_assert_nonnull (kb);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/drug-kb/shipped", test_shipped);
  g_test_add_func ("/drug-kb/search", test_search);
  g_test_add_func ("/drug-kb/onc-pairs", test_onc_pairs);
  g_test_add_func ("/drug-kb/classic-pairs", test_classic_pairs);
  g_test_add_func ("/drug-kb/interactions", test_interactions);
  g_test_add_func ("/drug-kb/ranked", test_ranked);
  g_test_add_func ("/drug-kb/allergies", test_allergies);
  g_test_add_func ("/drug-kb/duplicates", test_duplicates);
  g_test_add_func ("/drug-kb/doses", test_doses);
  g_test_add_func ("/drug-kb/unknown-drug", test_unknown_drug);
  g_test_add_func ("/drug-kb/pair-key", test_pair_key);
  g_test_add_func ("/drug-kb/invalid", test_invalid);

  return g_test_run ();
}
