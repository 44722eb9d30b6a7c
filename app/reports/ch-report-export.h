/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-report.h"

G_BEGIN_DECLS

/* A report saved as CSV for spreadsheets and as PDF for people. Both are
 * made whole in memory and then written to a temporary file beside the
 * target and renamed over it, so that a failure or a cancellation leaves
 * the target as it was (absent, or the previous file), never half written.
 * Both may run on a worker thread: they touch nothing but @report, which
 * the caller must not change meanwhile. */

/* Called with the share of the work done, from 0 to 1, on the calling thread. */
typedef void (*ChReportProgressFunc) (double   fraction,
                                      gpointer user_data);

typedef enum
{
  CH_REPORT_CSV_NONE = 0,
  /* A UTF-8 byte order mark first, which spreadsheets on Windows need to
   * read accents right. */
  CH_REPORT_CSV_BOM  = 1 << 0,
} ChReportCsvFlags;

/* RFC 4180: a header row of the column names, then one record per row,
 * CRLF line ends, fields quoted when they hold a comma, a quote or a line
 * break. Numbers plain: money as decimals ("1234.50", no symbol, no
 * grouping), percent as the number ("12.5"), dates ISO 8601.
 * Errors: G_IO_ERROR_CANCELLED, or the file's error. */
gboolean  ch_report_export_csv  (ChReport              *report,
                                 const char            *path,
                                 ChReportCsvFlags       flags,
                                 ChReportProgressFunc   progress,
                                 gpointer               user_data,
                                 GCancellable          *cancellable,
                                 GError               **error);

/* A4 pages: the title, the subtitle and when it was made (@generated, or
 * now when NULL), the chart when there is one, then the table, its header
 * repeated on every page, each page numbered "Page 2 of 5".
 * Errors: G_IO_ERROR_CANCELLED, or the file's or Cairo's error. */
gboolean  ch_report_export_pdf  (ChReport              *report,
                                 const char            *path,
                                 GDateTime             *generated,
                                 ChReportProgressFunc   progress,
                                 gpointer               user_data,
                                 GCancellable          *cancellable,
                                 GError               **error);

G_END_DECLS
