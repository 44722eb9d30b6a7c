/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* The reports' SQL (schema 0021): saved filters, the values filters are
 * chosen from, and the aggregates behind the schedule and patient reports.
 * The aggregates count in SQL and return a few rows each, never one row per
 * appointment or patient. app/reports/ is the controller over them. */

/* One report_filters row. */
typedef struct
{
  char   *report;
  char   *name;
  char   *params;    /* key file text */
  gint64  saved_at;  /* µs */
} ChDbReportFilter;

void               ch_db_report_filter_free   (ChDbReportFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDbReportFilter, ch_db_report_filter_free)

/* Inserts or replaces @owner's filter @name of @report. */
gboolean           ch_db_report_filter_save   (ChStore      *store,
                                               const char   *owner,
                                               const char   *report,
                                               const char   *name,
                                               const char   *params,
                                               gint64        saved_at,
                                               GError      **error);
/* @report: (nullable): all of @owner's.
 * Returns: (transfer full) (element-type ChDbReportFilter): by report, then name */
GPtrArray         *ch_db_report_filter_list   (ChStore      *store,
                                               const char   *owner,
                                               const char   *report,
                                               GError      **error);
/* Returns: (transfer full) (nullable): NULL with no error when there is none */
ChDbReportFilter  *ch_db_report_filter_get    (ChStore      *store,
                                               const char   *owner,
                                               const char   *report,
                                               const char   *name,
                                               GError      **error);
/* @out_found: whether there was one to delete */
gboolean           ch_db_report_filter_delete (ChStore      *store,
                                               const char   *owner,
                                               const char   *report,
                                               const char   *name,
                                               gboolean     *out_found,
                                               GError      **error);

/* Values to choose from, as pairs: value, label, value, label …
 * Providers (id, name) by name; payers of active policies (name, name);
 * appointment types (id as text, name) by name.
 * Returns: (transfer full) (element-type utf8) */
GPtrArray         *ch_db_report_providers     (ChStore      *store,
                                               GError      **error);
GPtrArray         *ch_db_report_payers        (ChStore      *store,
                                               GError      **error);
GPtrArray         *ch_db_report_appointment_types (ChStore  *store,
                                               GError      **error);
/* A provider's name, or a type's name: NULL with no error when none.
 * Returns: (transfer full) (nullable) */
char              *ch_db_report_provider_name (ChStore      *store,
                                               const char   *provider_id,
                                               GError      **error);
char              *ch_db_report_appointment_type_name (ChStore *store,
                                               gint64        type_id,
                                               GError      **error);

/* ---- the schedule and patient reports' aggregates ---------------------------
 * Times are µs since the epoch, ranges half-open [start, end). A visit is a
 * 'done' appointment or an active encounter; an encounter's provider is a
 * user name, matched to the provider resource with that account. */

/* One aggregate row; what each field holds is said at each function. */
typedef struct
{
  char   *key;
  char   *label;
  char   *status;
  gint64  values[4];
} ChDbReportRow;

void       ch_db_report_row_free          (ChDbReportRow *row);

/* Appointments starting in the range, counted by @group ("provider", "type"
 * or "status") and status: key (provider id, type id, status), label (its
 * name), status, values[0] the count. @type_id: 0 for every type. */
GPtrArray *ch_db_report_appointments      (ChStore      *store,
                                           gint64        start,
                                           gint64        end,
                                           const char   *provider,
                                           gint64        type_id,
                                           const char   *group,
                                           GError      **error);
/* Minutes booked (appointments not cancelled) per provider: key, label,
 * values[0] minutes. */
GPtrArray *ch_db_report_booked_minutes    (ChStore      *store,
                                           gint64        start,
                                           gint64        end,
                                           const char   *provider,
                                           GError      **error);
/* Working hours of providers: key (provider), label (name), status ("work"
 * or "break"), values: weekday (1 Monday), start and end minute. */
GPtrArray *ch_db_report_working_hours     (ChStore      *store,
                                           const char   *provider,
                                           GError      **error);
/* Days off from @from to @to (YYYY-MM-DD): key (provider, "" for a practice
 * holiday), label (the day). */
GPtrArray *ch_db_report_days_off          (ChStore      *store,
                                           const char   *from,
                                           const char   *to,
                                           GError      **error);
/* Per provider: key, label, values[0] appointments, [1] no-shows, [2] late
 * cancellations (cancelled less than 24 hours before the start). */
GPtrArray *ch_db_report_no_shows          (ChStore      *store,
                                           gint64        start,
                                           gint64        end,
                                           const char   *provider,
                                           GError      **error);
/* Patients whose first visit ever falls in the range, by local month of that
 * visit: key "YYYY-MM", values[0] patients. @provider: who saw them first. */
GPtrArray *ch_db_report_new_patients      (ChStore      *store,
                                           gint64        start,
                                           gint64        end,
                                           const char   *provider,
                                           GError      **error);
/* Active patients by @by ("age-band", "sex", "language", "payer") as of @day
 * (YYYY-MM-DD): key (the band "0-17" … "80+", the sex, the language tag,
 * the primary payer; "" when unknown or, for payer, none), values[0]. */
GPtrArray *ch_db_report_demographics      (ChStore      *store,
                                           const char   *day,
                                           const char   *by,
                                           GError      **error);
/* Active patients with a visit in the range, by the provider of their last
 * one: key (provider id, "" when unknown), label, values[0]. */
GPtrArray *ch_db_report_active_patients   (ChStore      *store,
                                           gint64        start,
                                           gint64        end,
                                           const char   *provider,
                                           GError      **error);

G_END_DECLS
