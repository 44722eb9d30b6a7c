/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-report.h"
#include "ch-session.h"
#include "ch-store.h"

G_BEGIN_DECLS

/* The office manager's reports (issue 9): a catalogue of named reports, each
 * run over a period with a provider and its own filters into a ChReport
 * (table + chart), off the main thread on a reader connection of its own,
 * with progress and cancellation; and filters saved by name.
 *
 * Who may run them: read access to reports (physician, office manager,
 * administrator). A report whose rows or details name patients
 * (ChReportDef.names_patients) also needs read access to demographics: the
 * administrator sees the counts, not the names. Every run is audited
 * ("report NAME run", with its filters, no patient data).
 *
 * Days are the practice's local days: "2026-03-01" runs from local midnight
 * to the next; appointment and encounter times (µs UTC) are compared with
 * the local day's bounds, charge lines by their service date. */

#define CH_REPORTS_ERROR (ch_reports_error_quark ())

typedef enum
{
  CH_REPORTS_ERROR_FAILED,
  CH_REPORTS_ERROR_NOT_FOUND,   /* no such report, saved filter or provider */
  CH_REPORTS_ERROR_INVALID,     /* a bad date, period, option or value */
} ChReportsError;

GQuark ch_reports_error_quark (void);

/* What a report's own filters are chosen from. */
typedef enum
{
  CH_REPORT_OPTION_CHOICE,            /* one of @choices */
  CH_REPORT_OPTION_PAYER,             /* a payer's name, as on insurance policies */
  CH_REPORT_OPTION_APPOINTMENT_TYPE,  /* an appointment type's id, as text */
} ChReportOptionKind;

typedef struct
{
  const char               *name;           /* "status": the CLI's --option status=VALUE */
  const char               *label;          /* N_(): "Status" */
  ChReportOptionKind        kind;
  const char * const       *choices;        /* CHOICE: the values, NULL-terminated */
  const char * const       *choice_labels;  /* CHOICE: N_() labels, as many */
  const char               *default_value;  /* (nullable): NULL is "all" / none chosen */
} ChReportOption;

/* The filters of one run. A plain struct: set the fields directly.
 * With @period set ("this-month", "last-month", "this-quarter",
 * "last-quarter", "this-year", "last-year", "last-12-months"),
 * ch_report_params_resolve() computes @from and @to from today's date, so
 * that a saved "last month" is always last month. */
typedef struct
{
  char       *period;    /* (nullable) a named period, or NULL for from–to */
  char       *from;      /* YYYY-MM-DD, inclusive */
  char       *to;        /* YYYY-MM-DD, inclusive; the "as of" day of point-in-time reports */
  char       *provider;  /* (nullable) a provider's id (resources.id, kind provider); NULL: all */
  GHashTable *options;   /* (element-type utf8 utf8) the report's own filters, by option name */
} ChReportParams;

ChReportParams *ch_report_params_new         (const char            *from,
                                              const char            *to);
ChReportParams *ch_report_params_copy        (const ChReportParams  *params);
void            ch_report_params_free        (ChReportParams        *params);
/* Returns: (nullable): the option's value, NULL when not set */
const char     *ch_report_params_get_option  (const ChReportParams  *params,
                                              const char            *name);
/* @value: (nullable): NULL unsets it */
void            ch_report_params_set_option  (ChReportParams        *params,
                                              const char            *name,
                                              const char            *value);
/* Fills @from and @to from @period as of @today (YYYY-MM-DD, NULL: the local
 * date); checks the dates (from ≤ to, real days). */
gboolean        ch_report_params_resolve     (ChReportParams        *params,
                                              const char            *today,
                                              GError               **error);
/* As key file text, for saved filters. Returns: (transfer full) */
char           *ch_report_params_to_string   (const ChReportParams  *params);
/* Returns: (transfer full) (nullable) */
ChReportParams *ch_report_params_from_string (const char            *text,
                                              GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChReportParams, ch_report_params_free)

/* Called on the thread that runs the report, @fraction from 0 to 1. */
typedef void (*ChReportProgressFunc) (double    fraction,
                                      gpointer  user_data);

typedef struct _ChReportDef ChReportDef;

/* Runs a report on @reader (a connection nobody else uses while it runs,
 * any thread). @params are resolved and checked against the definition.
 * Checks @cancellable often (between queries, and through
 * ch_store_set_cancellable() inside long ones).
 * Returns: (transfer full) (nullable) */
typedef ChReport *(*ChReportRunFunc) (const ChReportDef     *def,
                                      ChStore               *reader,
                                      const ChReportParams  *params,
                                      ChReportProgressFunc   progress,
                                      gpointer               progress_data,
                                      GCancellable          *cancellable,
                                      GError               **error);

struct _ChReportDef
{
  const char            *name;            /* "appointments": the CLI's and saved filters' name */
  const char            *category;        /* N_(): "Appointments", "Patients", "Money", "Quality" */
  const char            *title;           /* N_(): "Appointments by provider, type and status" */
  const char            *description;     /* N_(): one sentence on what it counts */
  gboolean               period;          /* TRUE: over from–to; FALSE: as of @to only */
  gboolean               provider;        /* takes a provider */
  gboolean               names_patients;  /* rows or details name patients */
  const ChReportOption  *options;         /* (nullable) ending with a NULL name */
  ChReportRunFunc        run;
};

/* Returns: (transfer none): every report, NULL-terminated, in the order
 * they are listed (by category) */
const ChReportDef * const *ch_reports_list         (void);
/* Returns: (transfer none) (nullable) */
const ChReportDef         *ch_reports_find         (const char           *name);
/* Returns: (transfer none) (nullable) */
const ChReportOption      *ch_report_def_find_option (const ChReportDef  *def,
                                                      const char         *name);

/* Whether @session may run @def: FALSE with CH_AUTH_ERROR_PERMISSION_DENIED
 * (through ch_session_check()) when not. */
gboolean   ch_reports_check        (ChSession             *session,
                                    const ChReportDef     *def,
                                    GError               **error);

/* The values an option of kind PAYER or APPOINTMENT_TYPE, or the provider
 * filter (@option NULL), can take: pairs of value and label, in order.
 * Returns: (transfer full) (element-type utf8): value, label, value, label … */
GPtrArray *ch_reports_option_values (ChSession            *session,
                                     const ChReportDef    *def,
                                     const ChReportOption *option,
                                     GError              **error);

/* Runs @name on the calling thread, on the session's own connection (the
 * command line). Checks, resolves @params (a copy) and audits first.
 * Returns: (transfer full) (nullable) */
ChReport  *ch_reports_run          (ChSession             *session,
                                    const char            *name,
                                    const ChReportParams  *params,
                                    ChReportProgressFunc   progress,
                                    gpointer               progress_data,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* The same off the main thread: checks, resolves and audits now, opens a
 * reader connection and runs the report on a worker; @progress is called
 * on the caller's main context. The session stays free for other work.
 * A cancelled run finishes with G_IO_ERROR_CANCELLED. */
void       ch_reports_run_async    (ChSession             *session,
                                    const char            *name,
                                    const ChReportParams  *params,
                                    GCancellable          *cancellable,
                                    ChReportProgressFunc   progress,
                                    gpointer               progress_data,
                                    GDestroyNotify         progress_data_free,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* Returns: (transfer full) (nullable) */
ChReport  *ch_reports_run_finish   (GAsyncResult          *result,
                                    GError               **error);

/* Saved filters: a user's own, by report and name. Saving a name again
 * replaces it. */
typedef struct
{
  char           *report;    /* the report's name */
  char           *name;      /* as the user called it */
  ChReportParams *params;
  gint64          saved_at;  /* µs */
} ChReportFilter;

void        ch_report_filter_free   (ChReportFilter       *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChReportFilter, ch_report_filter_free)

gboolean    ch_reports_filter_save   (ChSession            *session,
                                      const char           *report,
                                      const char           *name,
                                      const ChReportParams *params,
                                      GError              **error);
/* @report: (nullable): one report's, or all of the user's.
 * Returns: (transfer full) (element-type ChReportFilter): by report, then name */
GPtrArray  *ch_reports_filter_list   (ChSession            *session,
                                      const char           *report,
                                      GError              **error);
/* Returns: (transfer full) (nullable): CH_REPORTS_ERROR_NOT_FOUND when none */
ChReportFilter *ch_reports_filter_get (ChSession           *session,
                                      const char           *report,
                                      const char           *name,
                                      GError              **error);
gboolean    ch_reports_filter_delete (ChSession            *session,
                                      const char           *report,
                                      const char           *name,
                                      GError              **error);

G_END_DECLS
