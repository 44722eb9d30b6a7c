/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* Migration from another EHR's CSV exports ("charta-admin import csv").
 *
 * The CSV files: RFC 4180 — a header line naming the columns, fields
 * separated by commas (or the mapping's delimiter), a field in double quotes
 * may hold the delimiter, line breaks and doubled quotes (""), records end
 * with CRLF or LF; blank lines are skipped. UTF-8 with or without a byte
 * order mark, or Windows-1252 when the mapping says so.
 *
 * The mapping file is a GKeyFile (.ini, the format of .desktop files):
 *
 *   [source]
 *   name=oldehr               # required: names the old system; rows are
 *                             # remembered per source, so a repeated run skips them
 *   encoding=windows-1252     # utf-8 (default) or windows-1252, for every file
 *   delimiter=,               # default ","; "tab" for tab-separated files
 *   date-formats=%m/%d/%Y;%Y-%m-%d   # tried in turn (default %Y-%m-%d); %y reads
 *                             # 00-68 as 20xx and 69-99 as 19xx (POSIX): a birth
 *                             # date that lands in the future is rejected, not guessed
 *   time-formats=%I:%M %p;%H:%M      # for appointments (default %H:%M)
 *
 *   [patients]                # one group a section; sections left out are not imported
 *   file=patients.csv         # required: relative to the folder given
 *   key=PatientID             # patients: required, the source's patient key column;
 *                             # other sections: optional, a column naming the row
 *                             # uniquely (else a hash of the whole row is its key,
 *                             # and a row changed in a later export is a new row)
 *   patient=PatientID         # other sections: required, the column with the patient key
 *   encoding=…                # the [source] settings again, for this file only
 *   date-formats=…
 *   FIELD=Column              # where each Charta field is read from (see below)
 *   FIELD.default=value       # the value when the column is empty or not mapped
 *
 *   [patients.sex]            # a value map for one field: source value=Charta value
 *   M=male                    # (compared as written, then ignoring case);
 *   F=female                  # values not in the map are taken as they are
 *
 * Fields (* required), checked as the window checks them:
 *   patients       family_name*, given_name, preferred_name, birth_date* (date),
 *                  sex (female, male, other, unknown), address_line, city,
 *                  region, postal_code, country, email, language, home_phone,
 *                  mobile_phone, work_phone, emergency_name, emergency_relation,
 *                  emergency_phone. The patient key is kept as an identifier
 *                  of the system named after the source. A row with the name
 *                  and date of birth of a patient already in Charta is
 *                  rejected, not registered twice (nor merged: a person
 *                  decides), and so are the rows of the other sections for it.
 *   insurance      payer*, plan, member_id, group_id, subscriber_name,
 *                  subscriber_relation (self, spouse, child, other),
 *                  priority (1 primary … 9; default 1), start_date, end_date
 *   problems       display or code*, code, clinical_status (active, resolved),
 *                  start_date, end_date. code-system=icd10cm (default): codes
 *                  must be in Charta's ICD-10-CM list ("E119" is read as
 *                  "E11.9"); code-system=text: no code, the description only.
 *   medications    display*, code, dose, clinical_status (active, stopped),
 *                  start_date, end_date. code-system=rxnorm, ndc or text
 *                  (default): codes are kept as given, not checked.
 *   allergies      display*, kind (drug, food, environment, other), severity
 *                  (mild, moderate, severe), reaction, clinical_status
 *                  (active, inactive), start_date
 *   immunizations  code or display*, date*, clinical_status (given, refused,
 *                  historical; default historical), lot, site, route.
 *                  code-system=cvx (default): codes must be CVX codes Charta
 *                  knows; the name comes from the CVX list when not given.
 *   appointments   date*, time*, provider*, type*, duration (minutes; default
 *                  the type's), room, reason, status (booked, confirmed,
 *                  arrived, in-room, done, no-show, cancelled; default booked).
 *                  Providers, rooms and types must exist in Charta: matched
 *                  by id or by name (ignoring case); one unknown rejects the
 *                  row with the reason — nothing is created behind the
 *                  manager's back. Times past, outside working hours and
 *                  double bookings where the type allows them are taken as
 *                  the old system had them.
 *   balances       amount* (1234.56, 1,234.56, $12.00, -12.00 or (12.00)),
 *                  as_of (date), note. Kept in import_balances for the
 *                  billing ledger to take in as opening entries.
 *
 * The import goes section by section in that order (patients first, so the
 * later sections find them by their source key). Each row is imported whole
 * or not at all (a savepoint a row) with the audit entries the controllers
 * write; a row already imported (same source, section and key) is skipped;
 * a row that cannot be imported is rejected with its file, line and reason,
 * and the others go on. Every section is one transaction, committed before
 * the next begins. A dry run does all of it and rolls it back: what it
 * reports is exactly what the real run would do, and nothing is written.
 *
 * Permissions: the import writes demographics, the clinical record and the
 * schedule through the same controllers as the window, so it needs write
 * access to each area its sections touch (a physician, or a nurse for a
 * migration without balances); balances need read access to billing.
 * Administrators and office managers have no access to the clinical record
 * in Charta's permission table, so they cannot run it. */

#define CH_CSV_IMPORT_ERROR (ch_csv_import_error_quark ())

typedef enum
{
  CH_CSV_IMPORT_ERROR_MAPPING,  /* the mapping file is missing, unreadable or wrong */
  CH_CSV_IMPORT_ERROR_FILE,     /* a CSV file is missing or cannot be read */
  CH_CSV_IMPORT_ERROR_PARSE,    /* a CSV file is not well-formed (an open quote …) */
} ChCsvImportError;

GQuark ch_csv_import_error_quark (void);

/* ---- the CSV reader ------------------------------------------------------------ */

typedef struct
{
  guint   line;     /* where the record starts, from 1 */
  GStrv   fields;
  guint   n_fields;
} ChCsvRecord;

typedef struct
{
  char      *name;      /* the file's name, for messages */
  GStrv      header;
  guint      n_columns;
  GPtrArray *records;   /* (element-type ChCsvRecord) after the header */
} ChCsvTable;

void        ch_csv_table_free     (ChCsvTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChCsvTable, ch_csv_table_free)

/* @encoding: (nullable): "utf-8" (the default) or "windows-1252"
 * @delimiter: ',' or another single byte such as '\t' or ';'
 * Returns: (transfer full) (nullable): the table, or NULL with
 *   CH_CSV_IMPORT_ERROR_PARSE naming the file and line */
ChCsvTable *ch_csv_parse          (const char  *name,
                                   const char  *data,
                                   gsize        length,
                                   const char  *encoding,
                                   char         delimiter,
                                   GError     **error);
/* Returns: the column's index, or -1 */
int         ch_csv_table_column   (const ChCsvTable *table,
                                   const char       *column);

/* Parses @text with one strftime-like @format (%Y %y %m %d %b %H %I %M %S
 * %p %%; other characters literally) into a date (YYYY-MM-DD) and, when the
 * format has one, a time of day in minutes (else -1). */
gboolean    ch_csv_parse_date     (const char  *text,
                                   const char  *format,
                                   char       **out_date,
                                   int         *out_minutes);
/* "1,234.56", "$12", "-3.5", "(12.00)" → cents. */
gboolean    ch_csv_parse_money    (const char  *text,
                                   gint64      *out_cents);

/* ---- the import ------------------------------------------------------------- */

typedef struct
{
  const char *section;     /* patients, insurance … */
  const char *file;        /* the CSV file's name */
  guint       imported;    /* (or would be, in a dry run) */
  guint       skipped;     /* imported already */
  guint       rejected;
} ChCsvSectionResult;

typedef struct
{
  char  *section;
  char  *file;
  guint  line;
  char  *reason;
} ChCsvReject;

typedef struct
{
  gboolean   dry_run;
  char      *source;
  GArray    *sections;   /* (element-type ChCsvSectionResult) in the order run */
  GPtrArray *rejects;    /* (element-type ChCsvReject) by section, then line */
} ChCsvImportReport;

void ch_csv_import_report_free (ChCsvImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChCsvImportReport, ch_csv_import_report_free)

/* Called when a section is done (committed, or in a dry run, checked), with
 * the report so far: its last section is the one done. */
typedef void (*ChCsvMilestoneFunc) (const ChCsvImportReport  *report,
                                    const ChCsvSectionResult *section,
                                    gpointer                  user_data);

/* Reads @mapping_path and the CSV files it names in @dir, checks them all
 * (the mapping, every file's presence, encoding, form and columns) before
 * anything is written, then imports (or with @dry_run, checks and rolls
 * back) section by section.
 * Returns: (transfer full) (nullable): the report, or NULL with @error set
 *   when nothing could be imported at all (a bad mapping, a missing file, a
 *   malformed CSV, no rights, a failed write); sections committed before a
 *   failed write stay, and are skipped when the import is run again. */
ChCsvImportReport *ch_csv_import (ChSession          *session,
                                  const char         *mapping_path,
                                  const char         *dir,
                                  gboolean            dry_run,
                                  ChCsvMilestoneFunc  milestone,
                                  gpointer            user_data,
                                  GError            **error);

G_END_DECLS
