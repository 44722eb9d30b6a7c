/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-growth"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ch-growth.h"
#include "ch-refdata-resources.h"

#define GROWTH_RESOURCE "/org/charta/Charta/data/growth-cdc2000/"

/* Below this age the infant tables answer ch_growth_lms(): children are
 * measured lying down until two, standing after (CDC's own advice). */
#define CHILD_FROM_MONTHS 24.0

typedef enum
{
  TABLE_WEIGHT_INFANT,
  TABLE_LENGTH_INFANT,
  TABLE_HEAD_INFANT,
  TABLE_WEIGHT_CHILD,
  TABLE_STATURE_CHILD,
  TABLE_BMI_CHILD,
  N_TABLES,
  TABLE_NONE = -1,
} Table;

static const char *const table_files[N_TABLES] = {
  [TABLE_WEIGHT_INFANT] = "wtageinf.csv",
  [TABLE_LENGTH_INFANT] = "lenageinf.csv",
  [TABLE_HEAD_INFANT] = "hcageinf.csv",
  [TABLE_WEIGHT_CHILD] = "wtage.csv",
  [TABLE_STATURE_CHILD] = "statage.csv",
  [TABLE_BMI_CHILD] = "bmiagerev.csv",
};

typedef struct
{
  double age;
  double L, M, S;
} LmsRow;

/* rows[0] boys, rows[1] girls, each by increasing age. */
typedef struct
{
  GArray *rows[2];
} LmsTable;

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;
  double value;

  text = text + strspn (text, " \t");
  value = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (value))
    return FALSE;
  end += strspn (end, " \t\r");
  if (*end != '\0')
    return FALSE;
  *out = value;
  return TRUE;
}

/* Finds @name among the header's fields. */
static int
column_of (char      **header,
           const char *name)
{
  for (int i = 0; header[i] != NULL; i++)
    {
      g_autofree char *field = g_strstrip (g_strdup (header[i]));

      if (g_str_equal (field, name))
        return i;
    }
  return -1;
}

/* The CDC files repeat their header before the girls' rows in places, end
 * their lines with CR LF and may end with a blank line: all skipped. */
static gboolean
parse_table (const char *file,
             LmsTable   *table,
             GError    **error)
{
  g_autofree char *path = g_strconcat (GROWTH_RESOURCE, file, NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  int c_sex, c_age, c_l, c_m, c_s;
  gsize size = 0;
  const char *data;

  bytes = g_resource_lookup_data (ch_refdata_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                  error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data, size);
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: empty", file);
      return FALSE;
    }

  header = g_strsplit (lines[0], ",", -1);
  c_sex = column_of (header, "Sex");
  c_age = column_of (header, "Agemos");
  c_l = column_of (header, "L");
  c_m = column_of (header, "M");
  c_s = column_of (header, "S");
  if (c_sex < 0 || c_age < 0 || c_l < 0 || c_m < 0 || c_s < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: no Sex, Agemos, L, M and S columns", file);
      return FALSE;
    }

  table->rows[0] = g_array_new (FALSE, FALSE, sizeof (LmsRow));
  table->rows[1] = g_array_new (FALSE, FALSE, sizeof (LmsRow));

  for (guint n = 1; lines[n] != NULL; n++)
    {
      g_auto (GStrv) fields = NULL;
      double sex = 0;
      LmsRow row;
      GArray *rows;
      int max_column = MAX (MAX (c_sex, c_age), MAX (c_l, MAX (c_m, c_s)));

      g_strstrip (lines[n]);
      if (lines[n][0] == '\0' || g_str_has_prefix (lines[n], "Sex"))
        continue;

      fields = g_strsplit (lines[n], ",", -1);
      if ((int) g_strv_length (fields) <= max_column
          || !parse_number (fields[c_sex], &sex) || (sex != 1 && sex != 2)
          || !parse_number (fields[c_age], &row.age) || !parse_number (fields[c_l], &row.L)
          || !parse_number (fields[c_m], &row.M) || !parse_number (fields[c_s], &row.S)
          || row.M <= 0 || row.S <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: line %u is not a row",
                       file, n + 1);
          return FALSE;
        }

      rows = table->rows[sex == 1 ? 0 : 1];
      if (rows->len > 0 && g_array_index (rows, LmsRow, rows->len - 1).age >= row.age)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: line %u is out of order", file, n + 1);
          return FALSE;
        }
      g_array_append_val (rows, row);
    }

  if (table->rows[0]->len < 2 || table->rows[1]->len < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: too few rows", file);
      return FALSE;
    }

  return TRUE;
}

static gpointer
load_tables (gpointer data)
{
  LmsTable *tables = g_new0 (LmsTable, N_TABLES);

  for (guint i = 0; i < N_TABLES; i++)
    {
      g_autoptr (GError) error = NULL;

      /* The tables are compiled in: failing here is a broken build. The
       * measure then has no answer rather than a wrong one. */
      if (!parse_table (table_files[i], &tables[i], &error))
        {
          g_critical ("Growth table %s: %s", table_files[i], error->message);
          g_clear_pointer (&tables[i].rows[0], g_array_unref);
          g_clear_pointer (&tables[i].rows[1], g_array_unref);
        }
    }

  return tables;
}

static const LmsTable *
get_table (Table table)
{
  static GOnce once = G_ONCE_INIT;
  LmsTable *tables = g_once (&once, load_tables, NULL);

  return &tables[table];
}

static int
sex_index (const char *sex)
{
  if (g_strcmp0 (sex, "male") == 0)
    return 0;
  if (g_strcmp0 (sex, "female") == 0)
    return 1;
  return -1;
}

static Table
table_for (ChGrowthMeasure measure,
           ChGrowthChart   chart)
{
  gboolean infant = chart == CH_GROWTH_CHART_INFANT;

  switch (measure)
    {
    case CH_GROWTH_WEIGHT_FOR_AGE:
      return infant ? TABLE_WEIGHT_INFANT : TABLE_WEIGHT_CHILD;
    case CH_GROWTH_LENGTH_FOR_AGE:
      return infant ? TABLE_LENGTH_INFANT : TABLE_STATURE_CHILD;
    case CH_GROWTH_HEAD_FOR_AGE:
      return infant ? TABLE_HEAD_INFANT : TABLE_NONE;
    case CH_GROWTH_BMI_FOR_AGE:
      return infant ? TABLE_NONE : TABLE_BMI_CHILD;
    default:
      return TABLE_NONE;
    }
}

static gboolean
lookup (Table       table,
        const char *sex,
        double      age,
        double     *L,
        double     *M,
        double     *S)
{
  const LmsTable *t;
  GArray *rows;
  const LmsRow *lo, *hi;
  guint a, b;
  double f;
  int s = sex_index (sex);

  if (table == TABLE_NONE || s < 0 || !isfinite (age))
    return FALSE;
  t = get_table (table);
  rows = t->rows[s];
  if (rows == NULL)
    return FALSE;

  lo = &g_array_index (rows, LmsRow, 0);
  hi = &g_array_index (rows, LmsRow, rows->len - 1);
  if (age < lo->age || age > hi->age)
    return FALSE;

  /* The last row at or before @age. */
  a = 0;
  b = rows->len - 1;
  while (b - a > 1)
    {
      guint mid = (a + b) / 2;

      if (g_array_index (rows, LmsRow, mid).age <= age)
        a = mid;
      else
        b = mid;
    }
  lo = &g_array_index (rows, LmsRow, a);
  hi = &g_array_index (rows, LmsRow, b);
  if (age >= hi->age)
    lo = hi;
  f = hi->age > lo->age ? (age - lo->age) / (hi->age - lo->age) : 0.0;

  *L = lo->L + f * (hi->L - lo->L);
  *M = lo->M + f * (hi->M - lo->M);
  *S = lo->S + f * (hi->S - lo->S);
  return TRUE;
}

gboolean
ch_growth_lms_in_chart (ChGrowthMeasure measure,
                        ChGrowthChart   chart,
                        const char     *sex,
                        double          age_months,
                        double         *L,
                        double         *M,
                        double         *S)
{
  g_return_val_if_fail (L != NULL && M != NULL && S != NULL, FALSE);

  return lookup (table_for (measure, chart), sex, age_months, L, M, S);
}

gboolean
ch_growth_lms (ChGrowthMeasure measure,
               const char     *sex,
               double          age_months,
               double         *L,
               double         *M,
               double         *S)
{
  ChGrowthChart chart;

  g_return_val_if_fail (L != NULL && M != NULL && S != NULL, FALSE);

  if (measure == CH_GROWTH_HEAD_FOR_AGE)
    chart = CH_GROWTH_CHART_INFANT;
  else if (measure == CH_GROWTH_BMI_FOR_AGE)
    chart = CH_GROWTH_CHART_CHILD;
  else
    chart = age_months < CHILD_FROM_MONTHS ? CH_GROWTH_CHART_INFANT : CH_GROWTH_CHART_CHILD;

  return lookup (table_for (measure, chart), sex, age_months, L, M, S);
}

gboolean
ch_growth_chart_range (ChGrowthMeasure measure,
                       ChGrowthChart   chart,
                       double         *min_age_months,
                       double         *max_age_months)
{
  Table table = table_for (measure, chart);
  const LmsTable *t;

  if (table == TABLE_NONE)
    return FALSE;
  t = get_table (table);
  if (t->rows[0] == NULL || t->rows[1] == NULL)
    return FALSE;

  /* Both sexes share their ages; take what both cover. */
  if (min_age_months != NULL)
    *min_age_months = MAX (g_array_index (t->rows[0], LmsRow, 0).age,
                           g_array_index (t->rows[1], LmsRow, 0).age);
  if (max_age_months != NULL)
    *max_age_months = MIN (g_array_index (t->rows[0], LmsRow, t->rows[0]->len - 1).age,
                           g_array_index (t->rows[1], LmsRow, t->rows[1]->len - 1).age);
  return TRUE;
}

double
ch_growth_zscore (double L,
                  double M,
                  double S,
                  double x)
{
  if (!(x > 0) || !(M > 0) || !(S > 0))
    return NAN;
  if (fabs (L) < 1e-12)
    return log (x / M) / S;
  return (pow (x / M, L) - 1.0) / (L * S);
}

double
ch_growth_percentile (double z)
{
  return 0.5 * erfc (-z / G_SQRT2);
}

/* Φ⁻¹ by Peter Acklam's rational approximation (relative error 1.15e-9),
 * refined by one step of Halley's method against erfc() to full precision. */
double
ch_growth_zscore_at (double p)
{
  static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
                              -2.759285104469687e+02, 1.383577518672690e+02,
                              -3.066479806614716e+01, 2.506628277459239e+00 };
  static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
                              -1.556989798598866e+02, 6.680131188771972e+01,
                              -1.328068155288572e+01 };
  static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
                              -2.400758277161838e+00, -2.549732539343734e+00,
                              4.374664141464968e+00, 2.938163982698783e+00 };
  static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
                              2.445134137142996e+00, 3.754408661907416e+00 };
  const double p_low = 0.02425;
  double q, r, x, e, u;

  if (!(p > 0.0 && p < 1.0))
    return NAN;

  if (p < p_low)
    {
      q = sqrt (-2.0 * log (p));
      x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
  else if (p <= 1.0 - p_low)
    {
      q = p - 0.5;
      r = q * q;
      x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
          / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
  else
    {
      q = sqrt (-2.0 * log (1.0 - p));
      x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }

  e = ch_growth_percentile (x) - p;
  u = e * sqrt (2.0 * G_PI) * exp (x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

double
ch_growth_value_at_percentile (double L,
                               double M,
                               double S,
                               double p)
{
  double z = ch_growth_zscore_at (p);
  double base;

  if (isnan (z) || !(M > 0) || !(S > 0))
    return NAN;
  if (fabs (L) < 1e-12)
    return M * exp (S * z);

  base = 1.0 + L * S * z;
  if (base <= 0)
    return NAN;
  return M * pow (base, 1.0 / L);
}

gboolean
ch_growth_assess (ChGrowthMeasure measure,
                  const char     *sex,
                  double          age_months,
                  double          value,
                  double         *out_z,
                  double         *out_percentile)
{
  double L, M, S, z;

  if (!ch_growth_lms (measure, sex, age_months, &L, &M, &S))
    return FALSE;
  z = ch_growth_zscore (L, M, S, value);
  if (!isfinite (z))
    return FALSE;

  if (out_z != NULL)
    *out_z = z;
  if (out_percentile != NULL)
    *out_percentile = ch_growth_percentile (z);
  return TRUE;
}

const char *
ch_growth_measure_label (ChGrowthMeasure measure)
{
  switch (measure)
    {
    case CH_GROWTH_WEIGHT_FOR_AGE:
      return _("Weight for age");
    case CH_GROWTH_LENGTH_FOR_AGE:
      return _("Length or height for age");
    case CH_GROWTH_HEAD_FOR_AGE:
      return _("Head circumference for age");
    case CH_GROWTH_BMI_FOR_AGE:
      return _("BMI for age");
    default:
      return "";
    }
}

const char *
ch_growth_measure_unit (ChGrowthMeasure measure)
{
  switch (measure)
    {
    case CH_GROWTH_WEIGHT_FOR_AGE:
      return "kg";
    case CH_GROWTH_LENGTH_FOR_AGE:
    case CH_GROWTH_HEAD_FOR_AGE:
      return "cm";
    case CH_GROWTH_BMI_FOR_AGE:
      return "kg/m²";
    default:
      return "";
    }
}
