/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CH_DEMO_PASSWORD "charta-demo"
#define CH_DEMO_DEFAULT_PATIENTS 250
/* The visit history ch_demo_create() writes: three years (no further back
 * than the sample fee schedule goes), six visits a patient on average. */
#define CH_DEMO_DEFAULT_HISTORY_YEARS 3
#define CH_DEMO_DEFAULT_VISITS 6

/* Called as the generator goes: @stage names the step ("patients",
 * "charts", "visits" …), @done of @total units of it are written. */
typedef void (*ChDemoProgressFunc) (const char *stage,
                                    guint       done,
                                    guint       total,
                                    gpointer    user_data);

typedef struct
{
  guint               history_years;       /* of past visits and billing; 0: none */
  guint               visits_per_patient;  /* over those years, on average; 0: none */
  ChDemoProgressFunc  progress;            /* (nullable) */
  gpointer            progress_data;
} ChDemoOptions;

/* Fills @options with the defaults ch_demo_create() uses. */
void     ch_demo_options_init (ChDemoOptions  *options);

/* Creates a deterministic synthetic practice in @dir: users admin, doctor,
 * nurse, frontdesk and manager (one per role, all with CH_DEMO_PASSWORD),
 * @n_patients patients drawn from @seed with their charts, the schedule
 * around today, and a history of visits with their appointments, charges,
 * payments and balances (the defaults of ch_demo_options_init()). */
gboolean ch_demo_create       (const char     *dir,
                               guint           n_patients,
                               guint32         seed,
                               char          **out_recovery_key,
                               GError        **error);

/* The same with @options: a longer or denser history (the reports' bench
 * asks for ten visits each of 100,000 patients), progress reports. */
gboolean ch_demo_create_full  (const char           *dir,
                               guint                 n_patients,
                               guint32               seed,
                               const ChDemoOptions  *options,
                               char                **out_recovery_key,
                               GError              **error);

G_END_DECLS
