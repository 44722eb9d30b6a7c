/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The report commands of charta-admin over app/reports/ch-reports.h:
 * "report list", "report run NAME" (also written "report NAME"),
 * "report filters save", "report filters list" and "report filters delete".
 * main.c logs in (but for "report list", which needs no practice); these add
 * their options, check them and run. */

typedef enum
{
  CH_ADMIN_REPORT_LIST,
  CH_ADMIN_REPORT_RUN,
  CH_ADMIN_REPORT_FILTERS_SAVE,
  CH_ADMIN_REPORT_FILTERS_LIST,
  CH_ADMIN_REPORT_FILTERS_DELETE,
} ChAdminReportCommand;

typedef struct
{
  char     *from;      /* --from DATE */
  char     *to;        /* --to DATE */
  char     *period;    /* --period P */
  char     *provider;  /* --provider ID */
  char    **options;   /* --option K=V, repeated */
  char     *filter;    /* --filter SAVED */
  char     *format;    /* --format csv|pdf */
  char     *out;       /* --out FILE */
  char     *report;    /* --report NAME (filters list) */
  gboolean  json;      /* --json */
} ChAdminReportOptions;

void     ch_admin_report_options_clear (ChAdminReportOptions *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminReportOptions, ch_admin_report_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_report_arity       (ChAdminReportCommand          command,
                                      guint                        *out_min,
                                      guint                        *out_max);
/* Whether @command logs in: "report list" does not. */
gboolean ch_admin_report_needs_login (ChAdminReportCommand          command);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_report_add_options (GOptionContext               *context,
                                      ChAdminReportCommand          command,
                                      ChAdminReportOptions         *opts);
/* Checks the options and @args as parsed: CH_ADMIN_ERROR_USAGE when they
 * do not make sense. */
gboolean ch_admin_report_check       (ChAdminReportCommand          command,
                                      const ChAdminReportOptions   *opts,
                                      const char * const           *args,
                                      GError                      **error);
/* Runs @command and prints what it did. @session: (nullable) for "report list". */
gboolean ch_admin_report_run         (ChSession                    *session,
                                      ChAdminReportCommand          command,
                                      const ChAdminReportOptions   *opts,
                                      const char * const           *args,
                                      GError                      **error);

G_END_DECLS
