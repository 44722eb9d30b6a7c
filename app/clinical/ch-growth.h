/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Children's growth against the CDC 2000 growth charts (LMS tables compiled
 * in from resources/data/growth-cdc2000). Loaded once, on first use, shared
 * read-only by every thread. */

typedef enum
{
  CH_GROWTH_WEIGHT_FOR_AGE,   /* kg; 0–36 months, then 2–20 years */
  CH_GROWTH_LENGTH_FOR_AGE,   /* cm; recumbent length 0–24 months, then stature 2–20 years */
  CH_GROWTH_HEAD_FOR_AGE,     /* cm; 0–36 months */
  CH_GROWTH_BMI_FOR_AGE,      /* kg/m²; 2–20 years */
} ChGrowthMeasure;

/* The two sets of charts: infants (birth to 36 months) and children
 * (2 to 20 years). They overlap between 24 and 36 months. */
typedef enum
{
  CH_GROWTH_CHART_INFANT,
  CH_GROWTH_CHART_CHILD,
} ChGrowthChart;

/* One measurement of a child, for a growth chart. */
typedef struct
{
  double age_months;
  double value;
} ChGrowthPoint;

/* The L, M and S of @measure for @sex ("female" or "male") at @age_months,
 * interpolated linearly between tabulated ages: the infant tables below 24
 * months, the children's from 24 months (head circumference only infants,
 * BMI only children). FALSE outside the tables' ages or for another sex. */
gboolean      ch_growth_lms            (ChGrowthMeasure  measure,
                                        const char      *sex,
                                        double           age_months,
                                        double          *L,
                                        double          *M,
                                        double          *S);
/* The same from one chart's tables, for drawing the 24–36 month overlap of
 * the infant chart from the infant tables. */
gboolean      ch_growth_lms_in_chart   (ChGrowthMeasure  measure,
                                        ChGrowthChart    chart,
                                        const char      *sex,
                                        double           age_months,
                                        double          *L,
                                        double          *M,
                                        double          *S);
/* The ages one chart covers for @measure; FALSE when it has no such chart
 * (head circumference for children, BMI for infants). */
gboolean      ch_growth_chart_range    (ChGrowthMeasure  measure,
                                        ChGrowthChart    chart,
                                        double          *min_age_months,
                                        double          *max_age_months);

/* The z-score of the measurement @x: ((x/M)^L − 1)/(L·S), or ln(x/M)/S when
 * L is 0. NAN when @x or @M is not positive. */
double        ch_growth_zscore         (double           L,
                                        double           M,
                                        double           S,
                                        double           x);
/* The standard normal distribution function: the fraction (0–1) of
 * children below z-score @z. */
double        ch_growth_percentile     (double           z);
/* The inverse of ch_growth_percentile(); NAN unless 0 < @p < 1. */
double        ch_growth_zscore_at      (double           p);
/* The measurement at percentile @p (0–1): M·(1 + L·S·z)^(1/L) with
 * z = Φ⁻¹(p), or M·exp(S·z) when L is 0; NAN when there is none. */
double        ch_growth_value_at_percentile (double      L,
                                             double      M,
                                             double      S,
                                             double      p);

/* A measurement's z-score and percentile (0–1) in one call; FALSE when the
 * tables do not cover @age_months or @sex, or @value is not positive. */
gboolean      ch_growth_assess         (ChGrowthMeasure  measure,
                                        const char      *sex,
                                        double           age_months,
                                        double           value,
                                        double          *out_z,
                                        double          *out_percentile);

/* The measure's name for people, and its unit. */
const char   *ch_growth_measure_label  (ChGrowthMeasure  measure);
const char   *ch_growth_measure_unit   (ChGrowthMeasure  measure);

G_END_DECLS
