/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-reports"

#include "config.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch-demo.h"
#include "ch-practice.h"
#include "ch-reports.h"
#include "ch-session.h"
#include "ch-store-private.h"

/* Every report of ch_reports_list() on a demo practice of 100,000 patients
 * with three years of visits, ten a patient on average: about a million
 * appointments and a million encounters with their charges and payments.
 * Budget (issue 9): every report under 2 seconds.
 *
 * Each report runs over the last 12 months for all providers, with its
 * default options and then with each value of each of its choices (the
 * others left at their defaults), three times; the median and the worst
 * of the three count. The office manager runs them, or a physician those
 * the manager may not.
 *
 * The practice is generated once into CHARTA_BENCH_REPORTS_DIR (meson.build:
 * BUILDDIR/bench-reports-practice; ten minutes or so) and reused; remove the
 * folder to make it again. BENCH_REPORTS_PATIENTS, BENCH_REPORTS_VISITS and
 * BENCH_REPORTS_RUNS change the sizes; names on the command line run only
 * those reports. */

#define DEFAULT_PATIENTS 100000
#define DEFAULT_VISITS   10
#define DEFAULT_RUNS     3
#define BUDGET_SECONDS   2.0

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL && *text ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

typedef struct
{
  gint64       start;
  const char  *stage;
  guint        shown;   /* tenths of the stage shown */
} Progress;

static void
on_progress (const char *stage,
             guint       done,
             guint       total,
             gpointer    user_data)
{
  Progress *p = user_data;
  guint tenths = total > 0 ? done * 10 / total : 10;

  if (p->stage == NULL || strcmp (p->stage, stage) != 0)
    {
      p->stage = stage;
      p->shown = 0;
    }
  if (tenths <= p->shown && done != total)
    return;
  p->shown = tenths;
  g_print ("  %-9s %7u / %u  (%.0f s)\n", stage, done, total,
           (g_get_monotonic_time () - p->start) / (double) G_USEC_PER_SEC);
}

static gint64
count_rows (ChStore    *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = ch_store_prepare (store, sql, &error);
  gint64 n = -1;

  check (stmt != NULL, error);
  if (ch_store_step (store, stmt, &error) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static guint64
folder_size (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint64 total = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += folder_size (child);
      else if (S_ISREG (st.st_mode))
        total += st.st_size;
    }
  return total;
}

/* Runs @def @runs times with @params; prints one line. Returns whether it
 * met the budget. */
static gboolean
bench_one (ChSession            *session,
           const ChReportDef    *def,
           const ChReportParams *params,
           const char           *what,
           guint                 runs,
           GPtrArray            *over)
{
  g_autofree double *times = g_new0 (double, runs);
  guint rows = 0;
  double median, worst;
  gboolean met;

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChReport) report = NULL;
      gint64 start = g_get_monotonic_time ();

      report = ch_reports_run (session, def->name, params, NULL, NULL, NULL, &error);
      times[r] = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (report == NULL)
        {
          g_print ("%-28s %-34s ERROR: %s\n", def->name, what, error->message);
          g_ptr_array_add (over, g_strdup_printf ("%s [%s]: error: %s", def->name, what,
                                                  error->message));
          return FALSE;
        }
      rows = ch_report_get_n_rows (report);
    }
  qsort (times, runs, sizeof *times, compare_double);
  median = times[runs / 2];
  worst = times[runs - 1];
  met = worst < BUDGET_SECONDS;
  g_print ("%-28s %-34s %8u %9.3f %9.3f  %s\n", def->name, what, rows, median, worst,
           met ? "PASS" : "FAIL");
  if (!met)
    g_ptr_array_add (over, g_strdup_printf ("%s [%s]: median %.3f s, max %.3f s", def->name, what,
                                            median, worst));
  return met;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  const char *work_dir = g_getenv ("CHARTA_BENCH_REPORTS_DIR");
  g_autofree char *practice_dir = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) manager = NULL;
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (GPtrArray) over = g_ptr_array_new_with_free_func (g_free);
  const ChReportDef * const *defs = ch_reports_list ();
  guint n_patients = env_uint ("BENCH_REPORTS_PATIENTS", DEFAULT_PATIENTS);
  guint visits = env_uint ("BENCH_REPORTS_VISITS", DEFAULT_VISITS);
  guint runs = MAX (1, env_uint ("BENCH_REPORTS_RUNS", DEFAULT_RUNS));
  guint n_variants = 0;
  ChStore *store;
  static const char * const tables[] = {
    "patients", "encounters", "appointments", "charge_lines", "payments", "payment_allocations",
    "ledger_entries", "chart_items", "audit",
  };

  if (work_dir == NULL)
    work_dir = g_get_tmp_dir ();
  practice_dir = g_build_filename (work_dir, "practice", NULL);

  if (!g_file_test (practice_dir, G_FILE_TEST_IS_DIR))
    {
      Progress progress = { .start = g_get_monotonic_time () };
      ChDemoOptions options;

      ch_demo_options_init (&options);
      options.visits_per_patient = visits;
      options.progress = on_progress;
      options.progress_data = &progress;
      g_mkdir_with_parents (work_dir, 0700);
      g_print ("Generating a demo practice of %u patients, %u visits each over %u years, in %s...\n",
               n_patients, visits, options.history_years, practice_dir);
      check (ch_demo_create_full (practice_dir, n_patients, 1, &options, NULL, &error), error);
      g_print ("  done in %.0f s\n",
               (g_get_monotonic_time () - progress.start) / (double) G_USEC_PER_SEC);
    }

  practice = ch_practice_open (practice_dir, &error);
  check (practice != NULL, error);
  manager = ch_session_login (practice, "manager", CH_DEMO_PASSWORD, &error);
  check (manager != NULL, error);
  doctor = ch_session_login (practice, "doctor", CH_DEMO_PASSWORD, &error);
  check (doctor != NULL, error);

  g_print ("\nReports over the last 12 months, all providers; %u runs each; budget %.0f s\n", runs,
           BUDGET_SECONDS);
  g_print ("%-28s %-34s %8s %9s %9s  %s\n", "report", "options", "rows", "median s", "max s",
           "met");
  for (guint i = 0; defs[i] != NULL; i++)
    {
      const ChReportDef *def = defs[i];
      g_autoptr (ChReportParams) params = ch_report_params_new (NULL, NULL);
      ChSession *session = manager;

      if (argc > 1 && !g_strv_contains ((const char * const *) argv + 1, def->name))
        continue;
      /* The manager runs what they may; a physician the rest. */
      if (!ch_reports_check (manager, def, NULL))
        {
          session = doctor;
          if (!ch_reports_check (doctor, def, &error))
            {
              g_print ("%-28s skipped: %s\n", def->name, error->message);
              g_clear_error (&error);
              continue;
            }
        }
      params->period = g_strdup ("last-12-months");

      n_variants++;
      bench_one (session, def, params, "(defaults)", runs, over);
      for (const ChReportOption *option = def->options; option != NULL && option->name != NULL;
           option++)
        {
          if (option->kind != CH_REPORT_OPTION_CHOICE || option->choices == NULL)
            continue;
          for (guint c = 0; option->choices[c] != NULL; c++)
            {
              g_autoptr (ChReportParams) variant = ch_report_params_copy (params);
              g_autofree char *what = g_strdup_printf ("%s=%s", option->name, option->choices[c]);

              ch_report_params_set_option (variant, option->name, option->choices[c]);
              n_variants++;
              bench_one (session, def, variant, what, runs, over);
            }
        }
    }

  store = ch_session_get_store (manager);
  g_print ("\nPractice: %.1f MB on disk (%s)\n", folder_size (practice_dir) / 1e6, practice_dir);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_print ("  %-20s %10" G_GINT64_FORMAT "\n", tables[i], count_rows (store, tables[i]));

  if (over->len > 0)
    {
      g_print ("\n%u of %u runs over the %.0f s budget or failing:\n", over->len, n_variants,
               BUDGET_SECONDS);
      for (guint i = 0; i < over->len; i++)
        g_print ("  %s\n", (const char *) over->pdata[i]);
      return 1;
    }
  g_print ("\nEvery report (%u runs of options) under %.0f s.\n", n_variants, BUDGET_SECONDS);
  return 0;
}
