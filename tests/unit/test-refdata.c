/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-refdata"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-refdata.h"

static void
test_icd10_search (void)
{
  g_autoptr (GPtrArray) found = NULL;
  const ChRefEntry *entry;

  g_assert_cmpuint (ch_refdata_count (CH_REF_ICD10), >=, 2000);

  /* By code, codes first. */
  found = ch_refdata_search (CH_REF_ICD10, "e11", 20);
  g_assert_cmpuint (found->len, >, 3);
  for (guint i = 0; i < found->len; i++)
    g_assert_true (g_str_has_prefix (((ChRefEntry *) found->pdata[i])->code, "E11"));
  g_clear_pointer (&found, g_ptr_array_unref);

  /* By words of the description, any order, any case. */
  found = ch_refdata_search (CH_REF_ICD10, "HYPERTENSION essential", 10);
  g_assert_cmpuint (found->len, >=, 1);
  g_assert_cmpstr (((ChRefEntry *) found->pdata[0])->code, ==, "I10");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = ch_refdata_search (CH_REF_ICD10, "diab type 2 without", 10);
  g_assert_cmpuint (found->len, >=, 1);
  {
    gboolean e119 = FALSE;
    for (guint i = 0; i < found->len; i++)
      e119 |= g_str_equal (((ChRefEntry *) found->pdata[i])->code, "E11.9");
    g_assert_true (e119);
  }
  g_clear_pointer (&found, g_ptr_array_unref);

  found = ch_refdata_search (CH_REF_ICD10, "   ", 10);
  g_assert_cmpuint (found->len, ==, 0);

  entry = ch_refdata_lookup (CH_REF_ICD10, "J45.909", NULL);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->display, ==, "Unspecified asthma, uncomplicated");
  g_assert_null (ch_refdata_lookup (CH_REF_ICD10, "NOPE", NULL));
}

static void
test_cvx_loinc (void)
{
  const ChRefEntry *flu = ch_refdata_lookup (CH_REF_CVX, "141", NULL);
  const ChRefEntry *hb_f = ch_refdata_lookup (CH_REF_LOINC, "718-7", "female");
  const ChRefEntry *hb_m = ch_refdata_lookup (CH_REF_LOINC, "718-7", "male");
  const ChRefEntry *a1c = ch_refdata_lookup (CH_REF_LOINC, "4548-4", "female");
  g_autoptr (GPtrArray) found = ch_refdata_search (CH_REF_LOINC, "a1c", 5);

  g_assert_nonnull (flu);
  g_assert_nonnull (strstr (flu->group, "influenza"));

  /* Hemoglobin's range depends on sex; A1c's does not. */
  g_assert_nonnull (hb_f);
  g_assert_nonnull (hb_m);
  g_assert_cmpfloat (hb_f->low, <, hb_m->low);
  g_assert_nonnull (a1c);
  g_assert_cmpstr (a1c->unit, ==, "%");
  g_assert_true (isfinite (a1c->high));

  g_assert_cmpuint (found->len, >=, 1);
  g_assert_cmpstr (((ChRefEntry *) found->pdata[0])->code, ==, "4548-4");
}

static ChChartItem *
given (const char *cvx,
       gint64      at)
{
  ChChartItem *item = ch_chart_item_new (CH_SECTION_IMMUNIZATION);

  item->code = g_strdup (cvx);
  item->clinical_status = g_strdup ("given");
  item->status = g_strdup ("active");
  item->effective_at = at;
  return item;
}

static gboolean
is_due (GPtrArray  *due,
        const char *group,
        int         dose)
{
  for (guint i = 0; i < due->len; i++)
    {
      ChDueDose *d = due->pdata[i];
      if (g_str_equal (d->vaccine_group, group) && (dose < 0 || d->dose == dose))
        return TRUE;
    }
  return FALSE;
}

static void
test_immunizations_due (void)
{
  g_autoptr (GDateTime) today = g_date_time_new_local (2026, 11, 25, 12, 0, 0);
  g_autoptr (GPtrArray) none = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autoptr (GPtrArray) infant_given = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autoptr (GPtrArray) elder_given = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autoptr (GPtrArray) due = NULL;
  gint64 now = g_date_time_to_unix (today) * G_USEC_PER_SEC;

  /* A two-month-old with nothing on record: the 2-month doses, and the
   * birth dose of hepatitis B, are due; nothing for teenagers. */
  due = ch_immunizations_due ("2026-09-20", none, today);
  g_assert_true (is_due (due, "dtap", 1));
  g_assert_true (is_due (due, "hepb", 1));
  g_assert_false (is_due (due, "hpv", -1));
  g_assert_false (is_due (due, "zoster", -1));
  g_clear_pointer (&due, g_ptr_array_unref);

  /* Once hepatitis B dose 1 is on record, dose 2 is next. */
  g_ptr_array_add (infant_given, given ("08", now - 60 * G_TIME_SPAN_DAY));
  due = ch_immunizations_due ("2026-09-20", infant_given, today);
  g_assert_false (is_due (due, "hepb", 1));
  g_assert_true (is_due (due, "hepb", 2));
  g_clear_pointer (&due, g_ptr_array_unref);

  /* A seventy-year-old: shingles is due; a flu shot two months ago means
   * no influenza this season, but without it, it is due. */
  due = ch_immunizations_due ("1956-03-01", none, today);
  g_assert_true (is_due (due, "zoster", -1));
  g_assert_true (is_due (due, "influenza", -1));
  g_assert_false (is_due (due, "dtap", -1));
  /* No childhood series for an adult, however empty the record. */
  g_assert_false (is_due (due, "hepb", -1));
  g_assert_false (is_due (due, "mmr", -1));
  g_assert_false (is_due (due, "varicella", -1));
  g_clear_pointer (&due, g_ptr_array_unref);

  g_ptr_array_add (elder_given, given ("141", now - 60 * G_TIME_SPAN_DAY));
  due = ch_immunizations_due ("1956-03-01", elder_given, today);
  g_assert_false (is_due (due, "influenza", -1));
  g_clear_pointer (&due, g_ptr_array_unref);

  /* No birth date, no schedule. */
  due = ch_immunizations_due (NULL, none, today);
  g_assert_cmpuint (due->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/refdata/icd10-search", test_icd10_search);
  g_test_add_func ("/refdata/cvx-loinc", test_cvx_loinc);
  g_test_add_func ("/refdata/immunizations-due", test_immunizations_due);

  return g_test_run ();
}
