/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-refdata"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ch-refdata.h"
#include "ch-refdata-resources.h"

/* The tables are parsed once, on first use, into arrays that live as long as
 * the process; the strings point into the resource's own bytes where they
 * can, and into a string chunk otherwise. */

#define PREFIX "/org/charta/Charta/data/"
#define CHILDHOOD_DAYS (18 * 365)
#define ADULT_DAYS     (19 * 365)

typedef struct
{
  GArray *entries;  /* of ChRefEntry */
  GPtrArray *folded; /* folded "code display short_name", parallel to entries */
} Table;

typedef struct
{
  char *vaccine_group;
  int   dose;
  int   min_days;
  int   recommended_days;
  int   max_days;      /* -1: none */
  char *notes;
} ScheduleRow;

typedef struct
{
  Table         tables[3];
  GArray       *schedule;  /* of ScheduleRow */
  GStringChunk *strings;
} RefData;

static char *
intern (RefData    *data,
        const char *text)
{
  return g_string_chunk_insert_const (data->strings, text ? text : "");
}

/* Splits @bytes into rows of tab-separated fields, skipping the header. */
static GPtrArray *
read_rows (const char *name,
           guint       n_fields)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_strconcat (PREFIX, name, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  bytes = g_resource_lookup_data (ch_refdata_get_resource (), path, 0, &error);
  if (bytes == NULL)
    {
      g_critical ("reference data %s missing: %s", name, error->message);
      return rows;
    }

  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      char **fields;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (fields) != n_fields)
        {
          g_strfreev (fields);
          continue;
        }
      g_ptr_array_add (rows, fields);
    }

  return rows;
}

static double
parse_number (const char *text)
{
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return NAN;
  value = g_ascii_strtod (text, &end);
  return end != text ? value : NAN;
}

static void
add_entry (RefData          *data,
           Table            *table,
           const ChRefEntry *entry)
{
  g_autofree char *joined = g_strconcat (entry->code, " ", entry->display, " ",
                                         entry->short_name, NULL);

  g_array_append_val (table->entries, *entry);
  g_ptr_array_add (table->folded, ch_fold (joined));
}

static gpointer
load (gpointer user_data)
{
  RefData *data = g_new0 (RefData, 1);
  g_autoptr (GPtrArray) icd = NULL;
  g_autoptr (GPtrArray) cvx = NULL;
  g_autoptr (GPtrArray) loinc = NULL;
  g_autoptr (GPtrArray) schedule = NULL;

  data->strings = g_string_chunk_new (65536);
  for (guint t = 0; t < G_N_ELEMENTS (data->tables); t++)
    {
      data->tables[t].entries = g_array_new (FALSE, TRUE, sizeof (ChRefEntry));
      data->tables[t].folded = g_ptr_array_new_with_free_func (g_free);
    }

  /* code, description, chapter */
  icd = read_rows ("icd10/icd10cm-common.tsv", 3);
  for (guint i = 0; i < icd->len; i++)
    {
      char **f = icd->pdata[i];
      ChRefEntry entry = {
        .code = intern (data, f[0]), .display = intern (data, f[1]),
        .short_name = intern (data, f[1]), .group = intern (data, f[2]), .unit = "",
        .low = NAN, .high = NAN, .sex = "any", .active = TRUE,
      };
      add_entry (data, &data->tables[CH_REF_ICD10], &entry);
    }

  /* cvx, short_name, full_name, status, vaccine_group */
  cvx = read_rows ("cvx/cvx.tsv", 5);
  for (guint i = 0; i < cvx->len; i++)
    {
      char **f = cvx->pdata[i];
      ChRefEntry entry = {
        .code = intern (data, f[0]), .display = intern (data, f[2]),
        .short_name = intern (data, f[1]), .group = intern (data, f[4]), .unit = "",
        .low = NAN, .high = NAN, .sex = "any", .active = g_str_equal (f[3], "active"),
      };
      add_entry (data, &data->tables[CH_REF_CVX], &entry);
    }

  /* loinc, short_name, long_name, unit, low, high, sex, category */
  loinc = read_rows ("loinc/loinc-common.tsv", 8);
  for (guint i = 0; i < loinc->len; i++)
    {
      char **f = loinc->pdata[i];
      ChRefEntry entry = {
        .code = intern (data, f[0]), .display = intern (data, f[2]),
        .short_name = intern (data, f[1]), .group = intern (data, f[7]),
        .unit = intern (data, f[3]), .low = parse_number (f[4]), .high = parse_number (f[5]),
        .sex = intern (data, f[6]), .active = TRUE,
      };
      add_entry (data, &data->tables[CH_REF_LOINC], &entry);
    }

  /* vaccine_group, dose, min_age_days, recommended_age_days, max_age_days, notes */
  data->schedule = g_array_new (FALSE, TRUE, sizeof (ScheduleRow));
  schedule = read_rows ("cvx/immunization-schedule.tsv", 6);
  for (guint i = 0; i < schedule->len; i++)
    {
      char **f = schedule->pdata[i];
      ScheduleRow row = {
        .vaccine_group = intern (data, f[0]), .dose = (int) g_ascii_strtoll (f[1], NULL, 10),
        .min_days = (int) g_ascii_strtoll (f[2], NULL, 10),
        .recommended_days = (int) g_ascii_strtoll (f[3], NULL, 10),
        .max_days = f[4][0] ? (int) g_ascii_strtoll (f[4], NULL, 10) : -1,
        .notes = intern (data, f[5]),
      };
      g_array_append_val (data->schedule, row);
    }

  return data;
}

static RefData *
refdata (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, load, NULL);
}

guint
ch_refdata_count (ChRefSet set)
{
  g_return_val_if_fail (set <= CH_REF_LOINC, 0);

  return refdata ()->tables[set].entries->len;
}

/* Whether every word of @words starts a word of @folded. */
static gboolean
words_match (const char * const *words,
             const char         *folded)
{
  for (guint w = 0; words[w] != NULL; w++)
    {
      const char *p = folded;
      gsize len = strlen (words[w]);
      gboolean found = FALSE;

      if (len == 0)
        continue;
      while (p != NULL && *p != '\0')
        {
          if (strncmp (p, words[w], len) == 0)
            {
              found = TRUE;
              break;
            }
          /* On to the next word: after a space or punctuation. */
          while (*p != '\0' && g_ascii_isalnum (*p))
            p++;
          while (*p != '\0' && !g_ascii_isalnum (*p))
            p++;
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static int
compare_by_length (gconstpointer a,
                   gconstpointer b)
{
  const ChRefEntry *x = *(ChRefEntry * const *) a;
  const ChRefEntry *y = *(ChRefEntry * const *) b;
  gsize lx = strlen (x->display);
  gsize ly = strlen (y->display);

  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp (x->code, y->code);
}

GPtrArray *
ch_refdata_search (ChRefSet    set,
                   const char *query,
                   guint       limit)
{
  Table *table;
  g_autofree char *folded_query = NULL;
  g_auto (GStrv) words = NULL;
  g_autofree char *code_query = NULL;
  GPtrArray *out = g_ptr_array_new ();
  g_autoptr (GHashTable) taken = g_hash_table_new (NULL, NULL);

  g_return_val_if_fail (set <= CH_REF_LOINC, out);

  table = &refdata ()->tables[set];
  folded_query = ch_fold (query ? query : "");
  if (*folded_query == '\0')
    return out;
  words = g_strsplit_set (folded_query, " ,;/-()", -1);
  code_query = g_ascii_strup (g_strstrip (g_strdup (query)), -1);

  /* Codes first: "E11" lists E11.x before anything that mentions it. */
  for (guint i = 0; i < table->entries->len && out->len < limit; i++)
    {
      ChRefEntry *entry = &g_array_index (table->entries, ChRefEntry, i);

      if (g_str_has_prefix (entry->code, code_query))
        {
          g_ptr_array_add (out, entry);
          g_hash_table_add (taken, entry);
        }
    }

  /* Then by words, the shortest names first: "type 2 diabetes without"
   * means E11.9 rather than a retinopathy code that also says "without". */
  {
    g_autoptr (GPtrArray) matches = g_ptr_array_new ();

    for (guint i = 0; i < table->entries->len; i++)
      {
        ChRefEntry *entry = &g_array_index (table->entries, ChRefEntry, i);

        if (!g_hash_table_contains (taken, entry)
            && words_match ((const char * const *) words, table->folded->pdata[i]))
          g_ptr_array_add (matches, entry);
      }
    g_ptr_array_sort (matches, compare_by_length);
    for (guint i = 0; i < matches->len && out->len < limit; i++)
      g_ptr_array_add (out, matches->pdata[i]);
  }

  return out;
}

const ChRefEntry *
ch_refdata_lookup (ChRefSet    set,
                   const char *code,
                   const char *sex)
{
  Table *table;
  const ChRefEntry *any = NULL;

  g_return_val_if_fail (set <= CH_REF_LOINC, NULL);

  if (code == NULL)
    return NULL;

  table = &refdata ()->tables[set];
  for (guint i = 0; i < table->entries->len; i++)
    {
      const ChRefEntry *entry = &g_array_index (table->entries, ChRefEntry, i);

      if (!g_str_equal (entry->code, code))
        continue;
      if (sex == NULL || g_str_equal (entry->sex, "any") || g_strcmp0 (entry->sex, sex) == 0)
        {
          if (sex != NULL && g_strcmp0 (entry->sex, sex) == 0)
            return entry;
          if (any == NULL)
            any = entry;
        }
      else if (any == NULL)
        any = entry;
    }

  return any;
}

void
ch_due_dose_free (ChDueDose *due)
{
  if (due == NULL)
    return;
  g_free (due->vaccine_group);
  g_free (due->due_date);
  g_free (due->notes);
  g_free (due);
}

/* How many doses of each vaccine group @given holds. */
static GHashTable *
count_doses (GPtrArray *given)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; given != NULL && i < given->len; i++)
    {
      const ChChartItem *item = given->pdata[i];
      const ChRefEntry *vaccine;
      g_auto (GStrv) groups = NULL;

      if (g_strcmp0 (item->status, "entered-in-error") == 0
          || g_strcmp0 (item->clinical_status, "refused") == 0)
        continue;

      vaccine = ch_refdata_lookup (CH_REF_CVX, item->code, NULL);
      if (vaccine == NULL)
        continue;

      /* Combination vaccines count for each of their groups. */
      groups = g_strsplit (vaccine->group, ",", -1);
      for (guint g = 0; groups[g] != NULL; g++)
        {
          const char *key = g_intern_string (g_strstrip (groups[g]));
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));
          g_hash_table_insert (counts, (gpointer) key, GUINT_TO_POINTER (n + 1));
        }
    }

  return counts;
}

/**
 * ch_immunizations_due:
 *
 * The next dose of each routine series that the patient's age has reached
 * (from its minimum age) and that the record does not show. Yearly series
 * (influenza) are due when none was given in the last 12 months. Within a
 * group only the next dose is listed, in the order of the schedule.
 */
GPtrArray *
ch_immunizations_due (const char *birth_date,
                      GPtrArray  *given,
                      GDateTime  *today)
{
  GPtrArray *due = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_due_dose_free);
  RefData *data = refdata ();
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GDateTime) born = NULL;
  int y, m, d;
  gint64 age_days;

  if (birth_date == NULL || sscanf (birth_date, "%d-%d-%d", &y, &m, &d) != 3
      || !g_date_valid_dmy (d, m, y))
    return due;

  born = g_date_time_new (g_date_time_get_timezone (today), y, m, d, 0, 0, 0);
  if (born == NULL)
    return due;
  age_days = g_date_time_difference (today, born) / G_TIME_SPAN_DAY;
  if (age_days < 0)
    return due;

  counts = count_doses (given);

  for (guint i = 0; i < data->schedule->len; i++)
    {
      const ScheduleRow *row = &g_array_index (data->schedule, ScheduleRow, i);
      guint had = GPOINTER_TO_UINT (g_hash_table_lookup (counts, g_intern_string (row->vaccine_group)));
      gboolean yearly = strstr (row->notes, "yearly") != NULL || strstr (row->notes, "annual") != NULL;
      ChDueDose *dose;
      g_autoptr (GDateTime) when = NULL;

      if (g_hash_table_contains (listed, row->vaccine_group))
        continue;
      if (age_days < row->min_days || (row->max_days >= 0 && age_days > row->max_days))
        continue;
      /* Childhood doses are not listed for adults: catching up on them is a
       * clinician's decision, not a routine reminder. */
      if (row->recommended_days < CHILDHOOD_DAYS && age_days >= ADULT_DAYS && !yearly)
        continue;

      if (yearly)
        {
          gboolean recent = FALSE;

          for (guint j = 0; given != NULL && j < given->len; j++)
            {
              const ChChartItem *item = given->pdata[j];
              const ChRefEntry *vaccine = ch_refdata_lookup (CH_REF_CVX, item->code, NULL);

              if (vaccine != NULL && strstr (vaccine->group, row->vaccine_group) != NULL
                  && g_strcmp0 (item->clinical_status, "refused") != 0
                  && g_strcmp0 (item->status, "entered-in-error") != 0
                  && g_date_time_to_unix (today) * G_USEC_PER_SEC - item->effective_at
                     < (gint64) 365 * G_TIME_SPAN_DAY)
                recent = TRUE;
            }
          if (recent)
            continue;
        }
      else if ((int) had >= row->dose)
        continue;

      dose = g_new0 (ChDueDose, 1);
      dose->vaccine_group = g_strdup (row->vaccine_group);
      dose->dose = row->dose;
      when = g_date_time_add_days (born, row->recommended_days);
      dose->due_date = g_date_time_format (when, "%Y-%m-%d");
      dose->overdue = age_days > row->recommended_days + 30;
      dose->notes = g_strdup (row->notes);
      g_ptr_array_add (due, dose);
      g_hash_table_add (listed, row->vaccine_group);
    }

  return due;
}

/* Returns: the name of a vaccine group of the shipped schedule, translated */
const char *
ch_refdata_vaccine_group_name (const char *group)
{
  static const struct
  {
    const char *group;
    const char *name;
  } groups[] = {
    { "hepb", N_("Hepatitis B") },
    { "rotavirus", N_("Rotavirus") },
    { "dtap", N_("DTaP") },
    { "hib", N_("Hib") },
    { "pcv", N_("Pneumococcal") },
    { "ipv", N_("Polio (IPV)") },
    { "covid19", N_("COVID-19") },
    { "influenza", N_("Influenza") },
    { "mmr", N_("MMR") },
    { "varicella", N_("Varicella") },
    { "hepa", N_("Hepatitis A") },
    { "tdap_td", N_("Tdap or Td") },
    { "hpv", N_("HPV") },
    { "menacwy", N_("Meningococcal ACWY") },
    { "zoster", N_("Zoster (shingles)") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_strcmp0 (groups[i].group, group) == 0)
      return _(groups[i].name);

  return group != NULL ? group : "";
}
