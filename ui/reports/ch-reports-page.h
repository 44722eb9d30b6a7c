/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-reports.h"
#include "ch-session.h"

G_BEGIN_DECLS

typedef enum
{
  CH_REPORTS_EXPORT_CSV,
  CH_REPORTS_EXPORT_PDF,
} ChReportsExportFormat;

#define CH_TYPE_REPORTS_PAGE (ch_reports_page_get_type ())
G_DECLARE_FINAL_TYPE (ChReportsPage, ch_reports_page, CH, REPORTS_PAGE, AdwBin)

GtkWidget  *ch_reports_page_new            (ChSession             *session);
/* Shows @name's filters, as choosing it in the list does. */
gboolean    ch_reports_page_select_report  (ChReportsPage         *self,
                                            const char            *name);
/* @period: (nullable): a named period ("last-month" …), or NULL for the
 * From and To dates. Returns: FALSE for an unknown period */
gboolean    ch_reports_page_set_period     (ChReportsPage         *self,
                                            const char            *period);
/* The dates of a custom period, or the "as of" day in @to. */
void        ch_reports_page_set_dates      (ChReportsPage         *self,
                                            const char            *from,
                                            const char            *to);
/* @provider: (nullable): a provider's id, NULL for all.
 * Returns: FALSE when the list does not offer it */
gboolean    ch_reports_page_set_provider   (ChReportsPage         *self,
                                            const char            *provider);
/* @value: (nullable): NULL for "all". Returns: FALSE when not offered */
gboolean    ch_reports_page_set_option     (ChReportsPage         *self,
                                            const char            *name,
                                            const char            *value);
/* The filters as set. Returns: (transfer full) (nullable) */
ChReportParams *ch_reports_page_get_params (ChReportsPage         *self,
                                            GError               **error);
void        ch_reports_page_run            (ChReportsPage         *self);
void        ch_reports_page_cancel         (ChReportsPage         *self);
gboolean    ch_reports_page_get_running    (ChReportsPage         *self);
gboolean    ch_reports_page_get_exporting  (ChReportsPage         *self);
/* Returns: (transfer none) (nullable): the last run's result */
ChReport   *ch_reports_page_get_report     (ChReportsPage         *self);
/* Returns: (transfer none) (nullable): the report in the table: the
 * result, or the detail of one of its rows */
ChReport   *ch_reports_page_get_shown      (ChReportsPage         *self);
/* Returns: (transfer none) (nullable): the message shown above the
 * results (an error, a refusal, a cancelled run), or the last toast */
const char *ch_reports_page_get_message    (ChReportsPage         *self);
/* The row of the shown report at @position of the table as sorted. */
guint       ch_reports_page_get_row_index  (ChReportsPage         *self,
                                            guint                  position);
/* Activates row @position of the table as it is sorted, as a double
 * click does: opens its detail or its patient's chart. */
void        ch_reports_page_activate_row   (ChReportsPage         *self,
                                            guint                  position);
/* Writes the shown report to @path on a worker, skipping the file chooser. */
void        ch_reports_page_export_to      (ChReportsPage         *self,
                                            const char            *path,
                                            ChReportsExportFormat  format);
/* Saves the filters as set under @name, replacing one of that name. */
gboolean    ch_reports_page_save_filter    (ChReportsPage         *self,
                                            const char            *name,
                                            GError               **error);
/* Sets the filters saved as @name and runs the report. */
gboolean    ch_reports_page_apply_filter   (ChReportsPage         *self,
                                            const char            *name,
                                            GError               **error);

G_END_DECLS
