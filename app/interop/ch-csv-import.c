/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-csv-import"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-csv-import.h"
#include "ch-import-db.h"
#include "ch-patients.h"
#include "ch-refdata.h"
#include "ch-schedule.h"
#include "ch-validate.h"

/* Migration from another EHR's CSV exports: see ch-csv-import.h for the
 * files, the mapping and what each section imports. The rows go through the
 * same controllers as the window (ch_patients_register(), ch_chart_add(),
 * ch_schedule_book() …), so they are validated, versioned and audited as
 * anything typed in would be. */

G_DEFINE_QUARK (ch-csv-import-error-quark, ch_csv_import_error)

/* ---- the CSV reader ------------------------------------------------------------ */

static void
csv_record_free (ChCsvRecord *record)
{
  if (record == NULL)
    return;
  g_strfreev (record->fields);
  g_free (record);
}

void
ch_csv_table_free (ChCsvTable *table)
{
  if (table == NULL)
    return;
  g_free (table->name);
  g_strfreev (table->header);
  g_clear_pointer (&table->records, g_ptr_array_unref);
  g_free (table);
}

static gboolean
parse_error (GError    **error,
             const char *name,
             guint       line,
             const char *message)
{
  g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_PARSE, "%s:%u: %s", name, line,
               message);
  return FALSE;
}

/* The text as UTF-8: a byte order mark dropped, Windows-1252 converted.
 * Returns: (transfer full) (nullable) */
static char *
to_utf8 (const char  *name,
         const char  *data,
         gsize        length,
         const char  *encoding,
         GError     **error)
{
  const char *end = NULL;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  if (encoding == NULL || g_ascii_strcasecmp (encoding, "utf-8") == 0
      || g_ascii_strcasecmp (encoding, "utf8") == 0)
    {
      if (!g_utf8_validate_len (data, length, &end))
        {
          guint line = 1;

          for (const char *p = data; p < end; p++)
            line += *p == '\n';
          parse_error (error, name, line,
                       _("not UTF-8 text; if the file is Windows-1252, say encoding=windows-1252 "
                         "in the mapping"));
          return NULL;
        }
      return g_strndup (data, length);
    }

  if (g_ascii_strcasecmp (encoding, "windows-1252") == 0
      || g_ascii_strcasecmp (encoding, "cp1252") == 0)
    {
      g_autoptr (GError) local_error = NULL;
      char *text = g_convert (data, length, "UTF-8", "WINDOWS-1252", NULL, NULL, &local_error);

      if (text == NULL)
        {
          g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_PARSE,
                       _("%s: not Windows-1252 text: %s"), name, local_error->message);
          return NULL;
        }
      return text;
    }

  g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_MAPPING,
               _("“%s” is not an encoding Charta reads (utf-8, windows-1252)"), encoding);
  return NULL;
}

static gboolean
record_is_blank (GPtrArray *fields)
{
  return fields->len == 1 && *(const char *) fields->pdata[0] == '\0';
}

/**
 * ch_csv_parse:
 *
 * Reads RFC 4180 CSV: quoted fields with delimiters, line breaks and doubled
 * quotes inside, CRLF or LF line ends. A quote inside an unquoted field is
 * taken as it is (old exports write 5'10"); text after a closing quote and a
 * quote never closed are errors, since the record's end is then unknown.
 */
ChCsvTable *
ch_csv_parse (const char  *name,
              const char  *data,
              gsize        length,
              const char  *encoding,
              char         delimiter,
              GError     **error)
{
  g_autoptr (ChCsvTable) table = g_new0 (ChCsvTable, 1);
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) fields = NULL;
  g_autoptr (GString) field = g_string_new (NULL);
  const char *p;
  guint line = 1, record_line = 1;
  gboolean quoted = FALSE, was_quoted = FALSE;

  g_return_val_if_fail (name != NULL, NULL);

  text = to_utf8 (name, data, length, encoding, error);
  if (text == NULL)
    return NULL;

  table->name = g_strdup (name);
  table->records = g_ptr_array_new_with_free_func ((GDestroyNotify) csv_record_free);
  fields = g_ptr_array_new_with_free_func (g_free);

  for (p = text;; p++)
    {
      char c = *p;

      if (quoted)
        {
          if (c == '\0')
            {
              parse_error (error, name, record_line,
                           _("a quoted field is not closed before the end of the file"));
              return NULL;
            }
          if (c == '"' && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p++;
            }
          else if (c == '"')
            quoted = FALSE;
          else
            {
              /* A line break inside a field is kept as LF. */
              if (c == '\r' && p[1] == '\n')
                continue;
              if (c == '\n')
                line++;
              g_string_append_c (field, c == '\r' ? '\n' : c);
            }
          continue;
        }

      if (c == delimiter)
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          was_quoted = FALSE;
        }
      else if (c == '\n' || c == '\r' || c == '\0')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          was_quoted = FALSE;

          if (!record_is_blank (fields))
            {
              if (table->header == NULL)
                {
                  g_ptr_array_add (fields, NULL);
                  table->n_columns = fields->len - 1;
                  table->header = (GStrv) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
                }
              else
                {
                  ChCsvRecord *record = g_new0 (ChCsvRecord, 1);

                  record->line = record_line;
                  record->n_fields = fields->len;
                  g_ptr_array_add (fields, NULL);
                  record->fields = (GStrv) g_ptr_array_free (g_steal_pointer (&fields), FALSE);
                  g_ptr_array_add (table->records, record);
                }
              fields = g_ptr_array_new_with_free_func (g_free);
            }
          else
            g_ptr_array_set_size (fields, 0);

          if (c == '\0')
            break;
          if (c == '\r' && p[1] == '\n')
            p++;
          line++;
          record_line = line;
        }
      else if (c == '"' && field->len == 0 && !was_quoted)
        {
          quoted = TRUE;
          was_quoted = TRUE;
        }
      else if (was_quoted)
        {
          parse_error (error, name, line, _("text after the closing quote of a field"));
          return NULL;
        }
      else
        g_string_append_c (field, c);
    }

  if (table->header == NULL)
    {
      parse_error (error, name, 1, _("the file is empty: the first line names the columns"));
      return NULL;
    }

  return g_steal_pointer (&table);
}

int
ch_csv_table_column (const ChCsvTable *table,
                     const char       *column)
{
  for (guint i = 0; i < table->n_columns; i++)
    if (g_strcmp0 (g_strstrip (table->header[i]), column) == 0)
      return (int) i;
  return -1;
}

/* ---- dates, times and amounts -------------------------------------------------- */

static gboolean
read_number (const char **p,
             guint        min_digits,
             guint        max_digits,
             int         *out)
{
  guint n = 0;
  int value = 0;

  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    {
      value = value * 10 + ((*p)[n] - '0');
      n++;
    }
  if (n < min_digits)
    return FALSE;
  *p += n;
  *out = value;
  return TRUE;
}

gboolean
ch_csv_parse_date (const char  *text,
                   const char  *format,
                   char       **out_date,
                   int         *out_minutes)
{
  static const char * const months[] = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  };
  const char *p = text, *f = format;
  int year = -1, month = -1, day = -1, hour = -1, minute = 0, second = 0;
  int pm = -1;

  for (; *f != '\0'; f++)
    {
      if (*f != '%')
        {
          if (*p != *f)
            return FALSE;
          p++;
          continue;
        }
      switch (*++f)
        {
        case 'Y':
          if (!read_number (&p, 4, 4, &year))
            return FALSE;
          break;
        case 'y':
          /* Two-digit years: 00-68 are 20xx, 69-99 19xx, as POSIX has it. */
          if (!read_number (&p, 2, 2, &year))
            return FALSE;
          year += year < 69 ? 2000 : 1900;
          break;
        case 'm':
          if (!read_number (&p, 1, 2, &month))
            return FALSE;
          break;
        case 'd':
          if (!read_number (&p, 1, 2, &day))
            return FALSE;
          break;
        case 'b':
          month = -1;
          for (guint i = 0; i < G_N_ELEMENTS (months); i++)
            if (g_ascii_strncasecmp (p, months[i], 3) == 0)
              month = (int) i + 1;
          if (month < 0)
            return FALSE;
          p += 3;
          break;
        case 'H':
        case 'I':
          if (!read_number (&p, 1, 2, &hour))
            return FALSE;
          if (*f == 'I' && pm < 0)
            pm = 0;
          break;
        case 'M':
          if (!read_number (&p, 2, 2, &minute))
            return FALSE;
          break;
        case 'S':
          if (!read_number (&p, 2, 2, &second))
            return FALSE;
          break;
        case 'p':
          if (g_ascii_strncasecmp (p, "am", 2) == 0)
            pm = 0;
          else if (g_ascii_strncasecmp (p, "pm", 2) == 0)
            pm = 1;
          else
            return FALSE;
          p += 2;
          break;
        case '%':
          if (*p++ != '%')
            return FALSE;
          break;
        default:
          return FALSE;
        }
    }
  if (*p != '\0')
    return FALSE;

  if (pm >= 0 && hour >= 0)
    {
      if (hour < 1 || hour > 12)
        return FALSE;
      hour = hour % 12 + (pm == 1 ? 12 : 0);
    }
  if (hour > 23 || minute > 59 || second > 59)
    return FALSE;

  if (out_date != NULL)
    {
      if (year < 1 || month < 1 || day < 1 || !g_date_valid_dmy (day, month, year))
        return FALSE;
      *out_date = g_strdup_printf ("%04d-%02d-%02d", year, month, day);
    }
  if (out_minutes != NULL)
    *out_minutes = hour >= 0 ? hour * 60 + minute : -1;
  return TRUE;
}

gboolean
ch_csv_parse_money (const char *text,
                    gint64     *out_cents)
{
  g_autoptr (GString) digits = g_string_new (NULL);
  gboolean negative = FALSE, parens = FALSE, point = FALSE;
  guint decimals = 0;
  gint64 units = 0;
  const char *p = text;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '(')
    {
      parens = negative = TRUE;
      p++;
    }
  if (*p == '-')
    {
      negative = !negative;
      p++;
    }
  if (*p == '$')
    p++;
  if (*p == '-' && !negative)
    {
      negative = TRUE;
      p++;
    }
  if (!g_ascii_isdigit (*p) && *p != '.')
    return FALSE;
  for (; *p != '\0' && *p != ')' && !g_ascii_isspace (*p); p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (point && ++decimals > 2)
            return FALSE;
          if (units > G_MAXINT64 / 100)
            return FALSE;
          units = units * 10 + (*p - '0');
        }
      else if (*p == '.' && !point)
        point = TRUE;
      else if (*p == ',' && !point)
        continue;
      else
        return FALSE;
    }
  if (parens)
    {
      if (*p != ')')
        return FALSE;
      p++;
    }
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  for (; decimals < 2; decimals++)
    units *= 10;
  *out_cents = negative ? -units : units;
  return TRUE;
}

/* ---- sections ------------------------------------------------------------------ */

typedef enum
{
  SECTION_PATIENTS,
  SECTION_INSURANCE,
  SECTION_PROBLEMS,
  SECTION_MEDICATIONS,
  SECTION_ALLERGIES,
  SECTION_IMMUNIZATIONS,
  SECTION_APPOINTMENTS,
  SECTION_BALANCES,
  N_SECTIONS
} SectionId;

typedef struct
{
  const char *name;
  const char *fields;         /* ";"-separated, those needed marked with "*" */
  const char *code_systems;   /* ";"-separated, the default first; NULL: no codes */
  ChArea      area;
  ChAccess    access;
} SectionInfo;

/* In the order they are imported: patients first, for the others to find. */
static const SectionInfo section_info[N_SECTIONS] = {
  [SECTION_PATIENTS] = {
    "patients",
    "family_name*;given_name;preferred_name;birth_date*;sex;address_line;city;region;"
    "postal_code;country;email;language;home_phone;mobile_phone;work_phone;emergency_name;"
    "emergency_relation;emergency_phone",
    NULL, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE },
  [SECTION_INSURANCE] = {
    "insurance",
    "payer*;plan;member_id;group_id;subscriber_name;subscriber_relation;priority;start_date;"
    "end_date",
    NULL, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE },
  [SECTION_PROBLEMS] = {
    "problems", "display;code;clinical_status;start_date;end_date",
    "icd10cm;text", CH_AREA_CLINICAL, CH_ACCESS_WRITE },
  [SECTION_MEDICATIONS] = {
    "medications", "display*;code;dose;clinical_status;start_date;end_date",
    "text;rxnorm;ndc", CH_AREA_CLINICAL, CH_ACCESS_WRITE },
  [SECTION_ALLERGIES] = {
    "allergies", "display*;kind;severity;reaction;clinical_status;start_date",
    NULL, CH_AREA_CLINICAL, CH_ACCESS_WRITE },
  [SECTION_IMMUNIZATIONS] = {
    "immunizations", "display;code;date*;clinical_status;lot;site;route",
    "cvx;text", CH_AREA_CLINICAL, CH_ACCESS_WRITE },
  [SECTION_APPOINTMENTS] = {
    "appointments", "date*;time*;provider*;type*;duration;room;reason;status",
    NULL, CH_AREA_SCHEDULING, CH_ACCESS_WRITE },
  /* Only kept for the ledger to take in: reading billing is enough. */
  [SECTION_BALANCES] = {
    "balances", "amount*;as_of;note",
    NULL, CH_AREA_BILLING, CH_ACCESS_READ },
};

/* The keys of a section's group that are settings, not fields. */
static const char * const setting_keys[] = {
  "file", "key", "patient", "encoding", "delimiter", "date-formats", "time-formats",
  "code-system", NULL,
};

typedef struct
{
  const SectionInfo *info;
  SectionId          id;
  char              *file;
  char              *source;       /* the import's source name */
  ChCsvTable        *table;
  int                key_column;   /* -1: a hash of the row */
  int                patient_column;
  GHashTable        *columns;      /* field → column index + 1 */
  GHashTable        *defaults;     /* field → value */
  GHashTable        *maps;         /* field → (source value → value) */
  GStrv              date_formats;
  GStrv              time_formats;
  char              *code_system;
  /* Appointments: the practice's setup, read once. */
  GPtrArray         *resources;
  GPtrArray         *types;
} Section;

static void
section_free (Section *section)
{
  if (section == NULL)
    return;
  g_free (section->file);
  g_free (section->source);
  g_clear_pointer (&section->table, ch_csv_table_free);
  g_clear_pointer (&section->columns, g_hash_table_unref);
  g_clear_pointer (&section->defaults, g_hash_table_unref);
  g_clear_pointer (&section->maps, g_hash_table_unref);
  g_strfreev (section->date_formats);
  g_strfreev (section->time_formats);
  g_free (section->code_system);
  g_clear_pointer (&section->resources, g_ptr_array_unref);
  g_clear_pointer (&section->types, g_ptr_array_unref);
  g_free (section);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Section, section_free)

static gboolean
mapping_error (GError    **error,
               const char *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
mapping_error (GError    **error,
               const char *format,
               ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_MAPPING, _("Mapping: %s"), message);
  return FALSE;
}

static gboolean
field_known (const SectionInfo *info,
             const char        *field,
             gboolean          *out_required)
{
  g_auto (GStrv) fields = g_strsplit (info->fields, ";", -1);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      gsize len = strlen (fields[i]);
      gboolean required = len > 0 && fields[i][len - 1] == '*';

      if (required)
        fields[i][len - 1] = '\0';
      if (g_str_equal (fields[i], field))
        {
          if (out_required != NULL)
            *out_required = required;
          return TRUE;
        }
    }
  return FALSE;
}

/* A setting of the section's group, else of [source], else @fallback. */
static char *
get_setting (GKeyFile   *keyfile,
             const char *group,
             const char *key,
             const char *fallback)
{
  char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value == NULL)
    value = g_key_file_get_string (keyfile, "source", key, NULL);
  if (value == NULL)
    value = g_strdup (fallback);
  return value;
}

static GStrv
split_formats (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ";", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
read_file (const char  *dir,
           const char  *file,
           char       **out_data,
           gsize       *out_length,
           GError     **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (path, out_data, out_length, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_FILE,
                   _("Cannot read %s: %s"), display,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? _("there is no such file") : local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Reads one section of the mapping and its file, and checks that every
 * column it names is there. Returns: (transfer full) (nullable) */
static Section *
load_section (GKeyFile    *keyfile,
              SectionId    id,
              const char  *source,
              const char  *dir,
              GError     **error)
{
  const SectionInfo *info = &section_info[id];
  g_autoptr (Section) section = g_new0 (Section, 1);
  g_auto (GStrv) keys = NULL;
  g_auto (GStrv) groups = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *delimiter = NULL;
  g_autofree char *dates = NULL;
  g_autofree char *times = NULL;
  g_autofree char *key = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  char delim;

  section->info = info;
  section->id = id;
  section->source = g_strdup (source);
  section->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  section->defaults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  section->maps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);

  section->file = g_key_file_get_string (keyfile, info->name, "file", NULL);
  if (section->file == NULL || *g_strstrip (section->file) == '\0')
    {
      mapping_error (error, _("[%s] needs file=, the CSV file to read"), info->name);
      return NULL;
    }

  encoding = get_setting (keyfile, info->name, "encoding", "utf-8");
  delimiter = get_setting (keyfile, info->name, "delimiter", ",");
  dates = get_setting (keyfile, info->name, "date-formats", "%Y-%m-%d");
  times = get_setting (keyfile, info->name, "time-formats", "%H:%M");
  section->date_formats = split_formats (dates);
  section->time_formats = split_formats (times);
  if (section->date_formats[0] == NULL)
    {
      mapping_error (error, _("[%s] date-formats= names no format"), info->name);
      return NULL;
    }
  if (g_ascii_strcasecmp (delimiter, "tab") == 0)
    delim = '\t';
  else if (strlen (delimiter) == 1 && delimiter[0] != '"' && delimiter[0] != '\n')
    delim = delimiter[0];
  else
    {
      mapping_error (error, _("delimiter=%s is not one character (or “tab”)"), delimiter);
      return NULL;
    }

  if (info->code_systems != NULL)
    {
      g_auto (GStrv) systems = g_strsplit (info->code_systems, ";", -1);

      section->code_system = g_key_file_get_string (keyfile, info->name, "code-system", NULL);
      if (section->code_system == NULL)
        section->code_system = g_strdup (systems[0]);
      g_strstrip (section->code_system);
      if (!g_strv_contains ((const char * const *) systems, section->code_system))
        {
          g_autofree char *choices = g_strjoinv (", ", systems);

          mapping_error (error, _("[%s] code-system=%s is not one of %s"), info->name,
                         section->code_system, choices);
          return NULL;
        }
    }
  else if (g_key_file_has_key (keyfile, info->name, "code-system", NULL))
    {
      mapping_error (error, _("[%s] has no codes: code-system= does not apply"), info->name);
      return NULL;
    }

  if (!read_file (dir, section->file, &data, &length, error))
    return NULL;
  section->table = ch_csv_parse (section->file, data, length, encoding, delim, error);
  if (section->table == NULL)
    return NULL;

  /* The key and patient columns. */
  key = g_key_file_get_string (keyfile, info->name, "key", NULL);
  patient = g_key_file_get_string (keyfile, info->name, "patient", NULL);
  if (id == SECTION_PATIENTS && key == NULL)
    {
      mapping_error (error, _("[patients] needs key=, the column with the old system’s patient "
                              "key"));
      return NULL;
    }
  if (id != SECTION_PATIENTS && patient == NULL)
    {
      mapping_error (error, _("[%s] needs patient=, the column with the patient key"),
                     info->name);
      return NULL;
    }
  if (id == SECTION_PATIENTS && patient != NULL)
    {
      mapping_error (error, _("[patients] names its key with key=, not patient="));
      return NULL;
    }
  section->key_column = -1;
  section->patient_column = -1;
  if (key != NULL)
    {
      section->key_column = ch_csv_table_column (section->table, g_strstrip (key));
      if (section->key_column < 0)
        {
          mapping_error (error, _("%s has no column “%s” (key= of [%s])"), section->file, key,
                         info->name);
          return NULL;
        }
    }
  if (id == SECTION_PATIENTS)
    section->patient_column = section->key_column;
  else
    {
      section->patient_column = ch_csv_table_column (section->table, g_strstrip (patient));
      if (section->patient_column < 0)
        {
          mapping_error (error, _("%s has no column “%s” (patient= of [%s])"), section->file,
                         patient, info->name);
          return NULL;
        }
    }

  /* Fields and their defaults. */
  keys = g_key_file_get_keys (keyfile, info->name, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *k = keys[i];
      g_autofree char *value = NULL;
      g_autofree char *field = NULL;
      gboolean is_default = g_str_has_suffix (k, ".default");
      int column;

      if (g_strv_contains (setting_keys, k))
        continue;
      field = is_default ? g_strndup (k, strlen (k) - strlen (".default")) : g_strdup (k);
      if (!field_known (info, field, NULL))
        {
          mapping_error (error, _("[%s] has no field “%s”"), info->name, field);
          return NULL;
        }
      value = g_strstrip (g_key_file_get_string (keyfile, info->name, k, NULL));
      if (is_default)
        {
          g_hash_table_replace (section->defaults, g_steal_pointer (&field),
                                g_steal_pointer (&value));
          continue;
        }
      column = ch_csv_table_column (section->table, value);
      if (column < 0)
        {
          mapping_error (error, _("%s has no column “%s” (%s= of [%s])"), section->file, value,
                         field, info->name);
          return NULL;
        }
      g_hash_table_replace (section->columns, g_steal_pointer (&field),
                            GINT_TO_POINTER (column + 1));
    }

  /* Every field needed must come from somewhere. */
  {
    g_auto (GStrv) fields = g_strsplit (info->fields, ";", -1);

    for (guint i = 0; fields[i] != NULL; i++)
      {
        gsize len = strlen (fields[i]);

        if (len == 0 || fields[i][len - 1] != '*')
          continue;
        fields[i][len - 1] = '\0';
        if (!g_hash_table_contains (section->columns, fields[i])
            && !g_hash_table_contains (section->defaults, fields[i]))
          {
            mapping_error (error, _("[%s] needs %s=, the column it is read from"), info->name,
                           fields[i]);
            return NULL;
          }
      }
  }

  /* Value maps: groups "[section.field]". */
  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *prefix = g_strconcat (info->name, ".", NULL);
      g_auto (GStrv) map_keys = NULL;
      GHashTable *map;
      const char *field;

      if (!g_str_has_prefix (groups[i], prefix))
        continue;
      field = groups[i] + strlen (prefix);
      if (!field_known (info, field, NULL))
        {
          mapping_error (error, _("[%s] maps the values of “%s”, which is not a field of [%s]"),
                         groups[i], field, info->name);
          return NULL;
        }
      map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_replace (section->maps, g_strdup (field), map);
      map_keys = g_key_file_get_keys (keyfile, groups[i], NULL, NULL);
      for (guint j = 0; map_keys != NULL && map_keys[j] != NULL; j++)
        g_hash_table_replace (map, g_strdup (map_keys[j]),
                              g_strstrip (g_key_file_get_string (keyfile, groups[i], map_keys[j],
                                                                 NULL)));
    }

  return g_steal_pointer (&section);
}

/* ---- one row --------------------------------------------------------------------- */

typedef struct
{
  ChSession         *session;
  ChStore           *store;
  Section           *section;
  const ChCsvRecord *record;
  GPtrArray         *scratch;   /* strings owned for the row's time */
  gint64             patient_id;
} Row;

/* The field's value: the column's, trimmed, through the value map, else the
 * default. Returns: (transfer none) (nullable): NULL when empty */
static const char *
row_get (Row        *row,
         const char *field)
{
  Section *section = row->section;
  int column = GPOINTER_TO_INT (g_hash_table_lookup (section->columns, field)) - 1;
  GHashTable *map = g_hash_table_lookup (section->maps, field);
  char *value = NULL;

  if (column >= 0 && (guint) column < row->record->n_fields)
    {
      value = g_strstrip (g_strdup (row->record->fields[column]));
      if (*value == '\0')
        g_clear_pointer (&value, g_free);
    }

  if (value != NULL && map != NULL)
    {
      const char *mapped = g_hash_table_lookup (map, value);

      if (mapped == NULL)
        {
          GHashTableIter iter;
          gpointer k, v;

          g_hash_table_iter_init (&iter, map);
          while (mapped == NULL && g_hash_table_iter_next (&iter, &k, &v))
            if (g_utf8_collate (k, value) == 0 || g_ascii_strcasecmp (k, value) == 0)
              mapped = v;
        }
      if (mapped != NULL)
        {
          g_free (value);
          value = *mapped != '\0' ? g_strdup (mapped) : NULL;
        }
    }

  if (value == NULL)
    {
      const char *fallback = g_hash_table_lookup (section->defaults, field);

      if (fallback == NULL || *fallback == '\0')
        return NULL;
      value = g_strdup (fallback);
    }

  g_ptr_array_add (row->scratch, value);
  return value;
}

static char *
row_dup (Row        *row,
         const char *field)
{
  return g_strdup (row_get (row, field));
}

static gboolean
row_invalid (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
row_invalid (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, format,
                                                args));
  va_end (args);
  return FALSE;
}

/* A date field as YYYY-MM-DD: Returns: (transfer full) (nullable), with
 * @error set when the text is there but no date in any format given. */
static gboolean
row_date (Row         *row,
          const char  *field,
          gboolean     needed,
          char       **out_date,
          GError     **error)
{
  const char *text = row_get (row, field);
  g_autofree char *formats = NULL;

  *out_date = NULL;
  if (text == NULL)
    return !needed || row_invalid (error, _("no %s"), field);
  for (guint i = 0; row->section->date_formats[i] != NULL; i++)
    if (ch_csv_parse_date (text, row->section->date_formats[i], out_date, NULL))
      return TRUE;
  formats = g_strjoinv (", ", row->section->date_formats);
  return row_invalid (error, _("“%s” is not a date (%s: %s)"), text, field, formats);
}

static gboolean
needed (Row         *row,
        const char  *field,
        const char **out_value,
        GError     **error)
{
  *out_value = row_get (row, field);
  return *out_value != NULL || row_invalid (error, _("no %s"), field);
}

/* ---- the sections' rows ------------------------------------------------------------ */

typedef struct
{
  const char *record_type;
  gint64      record_id;
  gint64      patient_id;
} Imported;

static gboolean
import_patient (Row       *row,
                Imported  *out,
                GError   **error)
{
  g_autoptr (ChPatientRecord) record = ch_patient_record_new ();
  g_autoptr (GPtrArray) duplicates = NULL;
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_key = NULL;
  static const struct { const char *field; const char *kind; } phones[] = {
    { "home_phone", "home" }, { "mobile_phone", "mobile" }, { "work_phone", "work" },
  };
  const char *family;

  if (!needed (row, "family_name", &family, error)
      || !row_date (row, "birth_date", TRUE, &record->birth_date, error))
    return FALSE;
  record->family_name = g_strdup (family);
  record->given_name = row_dup (row, "given_name");
  record->preferred_name = row_dup (row, "preferred_name");
  record->sex = row_dup (row, "sex");
  record->address_line = row_dup (row, "address_line");
  record->city = row_dup (row, "city");
  record->region = row_dup (row, "region");
  record->postal_code = row_dup (row, "postal_code");
  record->country = row_dup (row, "country");
  record->email = row_dup (row, "email");
  record->language = row_dup (row, "language");
  record->emergency_name = row_dup (row, "emergency_name");
  record->emergency_relation = row_dup (row, "emergency_relation");
  record->emergency_phone = row_dup (row, "emergency_phone");
  for (guint i = 0; i < G_N_ELEMENTS (phones); i++)
    {
      const char *number = row_get (row, phones[i].field);

      if (number != NULL)
        ch_patient_record_add_phone (record, phones[i].kind, number);
    }
  /* The old system's key stays with the patient, for people to find it. */
  key = g_strstrip (g_strdup (row->record->fields[row->section->key_column]));
  ch_patient_record_add_identifier (record, row->section->source, key);

  /* A practice migrating may have registered some of its patients already:
   * the same name and date of birth is that chart, not a second one. (A
   * phone number in common is not enough: families share one.) */
  duplicates = ch_patients_find_duplicates (row->session, record, error);
  if (duplicates == NULL)
    return FALSE;
  name = g_strconcat (record->family_name, " ", record->given_name ? record->given_name : "", NULL);
  name_key = ch_fold (name);
  for (guint i = 0; i < duplicates->len; i++)
    {
      const ChPatientHit *hit = duplicates->pdata[i];
      g_autofree char *hit_name = g_strconcat (hit->family_name ? hit->family_name : "", " ",
                                               hit->given_name ? hit->given_name : "", NULL);
      g_autofree char *hit_key = ch_fold (hit_name);

      if (g_strcmp0 (hit->birth_date, record->birth_date) == 0 && g_str_equal (hit_key, name_key))
        return row_invalid (error, _("already in Charta as MRN %s (the same name and date of "
                                     "birth)"), hit->mrn);
    }

  if (!ch_patients_register (row->session, record, error))
    return FALSE;
  out->record_type = "patient";
  out->record_id = record->id;
  out->patient_id = record->id;
  return TRUE;
}

static gboolean
import_policy (Row       *row,
               Imported  *out,
               GError   **error)
{
  g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();
  const char *payer, *priority;

  if (!needed (row, "payer", &payer, error)
      || !row_date (row, "start_date", FALSE, &policy->start_date, error)
      || !row_date (row, "end_date", FALSE, &policy->end_date, error))
    return FALSE;
  priority = row_get (row, "priority");
  policy->priority = 1;
  if (priority != NULL)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (priority, 10, 1, 9, &value, NULL))
        return row_invalid (error, _("“%s” is not a priority (1 primary … 9)"), priority);
      policy->priority = (int) value;
    }
  policy->patient_id = row->patient_id;
  policy->payer = g_strdup (payer);
  policy->plan = row_dup (row, "plan");
  policy->member_id = row_dup (row, "member_id");
  policy->group_id = row_dup (row, "group_id");
  policy->subscriber_name = row_dup (row, "subscriber_name");
  policy->subscriber_relation = row_dup (row, "subscriber_relation");

  if (!ch_patients_add_policy (row->session, policy, error))
    return FALSE;
  out->record_type = "policy";
  out->record_id = policy->id;
  return TRUE;
}

/* "E119" as "E11.9": exports often leave the dot out. */
static const ChRefEntry *
lookup_icd10 (const char *text)
{
  g_autofree char *code = g_ascii_strup (text, -1);
  const ChRefEntry *entry;

  g_strstrip (code);
  entry = ch_refdata_lookup (CH_REF_ICD10, code, NULL);
  if (entry == NULL && strchr (code, '.') == NULL && strlen (code) > 3)
    {
      g_autofree char *dotted = g_strdup_printf ("%.3s.%s", code, code + 3);

      entry = ch_refdata_lookup (CH_REF_ICD10, dotted, NULL);
    }
  return entry;
}

/* "3" as "03": CVX codes are at least two digits. */
static const ChRefEntry *
lookup_cvx (const char *text)
{
  const ChRefEntry *entry = ch_refdata_lookup (CH_REF_CVX, text, NULL);

  if (entry == NULL && strlen (text) == 1)
    {
      g_autofree char *padded = g_strdup_printf ("0%s", text);

      entry = ch_refdata_lookup (CH_REF_CVX, padded, NULL);
    }
  return entry;
}

static gint64
date_to_usec (const char *date)
{
  g_autoptr (GDateTime) dt = NULL;
  int y, m, d;

  if (date == NULL || sscanf (date, "%d-%d-%d", &y, &m, &d) != 3)
    return 0;
  dt = g_date_time_new_local (y, m, d, 12, 0, 0);
  return dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC : 0;
}

static gboolean
import_chart_item (Row       *row,
                   Imported  *out,
                   GError   **error)
{
  static const char * const sections[N_SECTIONS] = {
    [SECTION_PROBLEMS] = CH_SECTION_PROBLEM,
    [SECTION_MEDICATIONS] = CH_SECTION_MEDICATION,
    [SECTION_ALLERGIES] = CH_SECTION_ALLERGY,
    [SECTION_IMMUNIZATIONS] = CH_SECTION_IMMUNIZATION,
  };
  Section *section = row->section;
  g_autoptr (ChChartItem) item = ch_chart_item_new (sections[section->id]);
  const char *code = row_get (row, "code");
  const char *display = row_get (row, "display");

  item->patient_id = row->patient_id;
  item->clinical_status = row_dup (row, "clinical_status");

  switch (section->id)
    {
    case SECTION_PROBLEMS:
      if (!row_date (row, "start_date", FALSE, &item->start_date, error)
          || !row_date (row, "end_date", FALSE, &item->end_date, error))
        return FALSE;
      if (g_str_equal (section->code_system, "icd10cm") && code != NULL)
        {
          const ChRefEntry *entry = lookup_icd10 (code);

          if (entry == NULL)
            return row_invalid (error, _("“%s” is not an ICD-10-CM code Charta knows"), code);
          item->code_system = g_strdup ("icd10cm");
          item->code = g_strdup (entry->code);
          if (display == NULL)
            display = entry->display;
        }
      if (display == NULL)
        return row_invalid (error, _("no display or code"));
      break;

    case SECTION_MEDICATIONS:
      if (!row_date (row, "start_date", FALSE, &item->start_date, error)
          || !row_date (row, "end_date", FALSE, &item->end_date, error))
        return FALSE;
      if (code != NULL && !g_str_equal (section->code_system, "text"))
        {
          item->code_system = g_strdup (section->code_system);
          item->code = g_strdup (code);
        }
      if (row_get (row, "dose") != NULL)
        ch_chart_item_set_detail (item, "dose", row_get (row, "dose"));
      break;

    case SECTION_ALLERGIES:
      if (!row_date (row, "start_date", FALSE, &item->start_date, error))
        return FALSE;
      item->kind = row_dup (row, "kind");
      item->severity = row_dup (row, "severity");
      item->reaction = row_dup (row, "reaction");
      break;

    case SECTION_IMMUNIZATIONS:
      if (!row_date (row, "date", TRUE, &item->start_date, error))
        return FALSE;
      if (g_str_equal (section->code_system, "cvx") && code != NULL)
        {
          const ChRefEntry *entry = lookup_cvx (code);

          if (entry == NULL)
            return row_invalid (error, _("“%s” is not a CVX code Charta knows"), code);
          item->code_system = g_strdup ("cvx");
          item->code = g_strdup (entry->code);
          if (display == NULL)
            display = entry->short_name;
        }
      if (display == NULL)
        return row_invalid (error, _("no display or code"));
      /* What another system recorded was given elsewhere, as far as
       * Charta knows. */
      if (item->clinical_status == NULL)
        item->clinical_status = g_strdup ("historical");
      for (guint i = 0; i < 3; i++)
        {
          const char *key = (const char *[]) { "lot", "site", "route" }[i];

          if (row_get (row, key) != NULL)
            ch_chart_item_set_detail (item, key, row_get (row, key));
        }
      break;

    case SECTION_PATIENTS:
    case SECTION_INSURANCE:
    case SECTION_APPOINTMENTS:
    case SECTION_BALANCES:
    case N_SECTIONS:
    default:
      g_assert_not_reached ();
    }

  item->display = g_strdup (display);
  item->effective_at = date_to_usec (item->start_date);
  ch_chart_item_set_detail (item, "source", section->source);
  if (!ch_chart_add (row->session, item, error))
    return FALSE;
  out->record_type = "chart-item";
  out->record_id = item->id;
  return TRUE;
}

static gboolean
name_matches (const char *name,
              const char *wanted)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (name == NULL)
    return FALSE;
  a = g_utf8_casefold (name, -1);
  b = g_utf8_casefold (wanted, -1);
  return g_str_equal (a, b);
}

/* Returns: (transfer none) (nullable): the provider or room with the id or name */
static const ChResource *
find_resource (Section    *section,
               const char *kind,
               const char *wanted)
{
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < section->resources->len; i++)
      {
        const ChResource *r = section->resources->pdata[i];

        if (!g_str_equal (r->kind, kind))
          continue;
        if (pass == 0 ? g_str_equal (r->id, wanted) : name_matches (r->name, wanted))
          return r;
      }
  return NULL;
}

/* The statuses an appointment passes through to reach @status from booked;
 * NULL for one Charta does not know (or cancelled, which is no step). */
static const char * const *
status_path (const char *status)
{
  static const char * const confirmed[] = { "confirmed", NULL };
  static const char * const arrived[] = { "arrived", NULL };
  static const char * const in_room[] = { "arrived", "in-room", NULL };
  static const char * const done[] = { "arrived", "done", NULL };
  static const char * const no_show[] = { "no-show", NULL };
  static const char * const booked[] = { NULL };

  if (status == NULL || g_str_equal (status, "booked"))
    return booked;
  if (g_str_equal (status, "confirmed"))
    return confirmed;
  if (g_str_equal (status, "arrived"))
    return arrived;
  if (g_str_equal (status, "in-room"))
    return in_room;
  if (g_str_equal (status, "done"))
    return done;
  if (g_str_equal (status, "no-show"))
    return no_show;
  return NULL;
}

static gboolean
import_appointment (Row       *row,
                    Imported  *out,
                    GError   **error)
{
  Section *section = row->section;
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  g_autoptr (GDateTime) start = NULL;
  g_autofree char *date = NULL;
  const ChResource *provider, *room = NULL;
  const ChApptType *type = NULL;
  const char *provider_name, *type_name, *time_text, *room_name, *duration, *status;
  const char * const *path;
  int minutes = -1, y, m, d;

  if (!row_date (row, "date", TRUE, &date, error)
      || !needed (row, "time", &time_text, error)
      || !needed (row, "provider", &provider_name, error)
      || !needed (row, "type", &type_name, error))
    return FALSE;
  for (guint i = 0; minutes < 0 && section->time_formats[i] != NULL; i++)
    if (!ch_csv_parse_date (time_text, section->time_formats[i], NULL, &minutes))
      minutes = -1;
  if (minutes < 0)
    {
      g_autofree char *formats = g_strjoinv (", ", section->time_formats);

      return row_invalid (error, _("“%s” is not a time (time: %s)"), time_text, formats);
    }

  provider = find_resource (section, "provider", provider_name);
  if (provider == NULL)
    return row_invalid (error, _("no provider “%s” in Charta: add it first, or map the name"),
                        provider_name);
  room_name = row_get (row, "room");
  if (room_name != NULL && (room = find_resource (section, "room", room_name)) == NULL)
    return row_invalid (error, _("no room “%s” in Charta: add it first, or map the name"),
                        room_name);
  for (guint i = 0; i < section->types->len && type == NULL; i++)
    if (name_matches (((ChApptType *) section->types->pdata[i])->name, type_name))
      type = section->types->pdata[i];
  if (type == NULL)
    return row_invalid (error, _("no appointment type “%s” in Charta: add it first, or map the "
                                 "name"), type_name);

  duration = row_get (row, "duration");
  a->duration_min = type->duration_min;
  if (duration != NULL)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (duration, 10, 1, 24 * 60, &value, NULL))
        return row_invalid (error, _("“%s” is not a duration in minutes"), duration);
      a->duration_min = (int) value;
    }

  sscanf (date, "%d-%d-%d", &y, &m, &d);
  start = g_date_time_new_local (y, m, d, minutes / 60, minutes % 60, 0);
  if (start == NULL)
    return row_invalid (error, _("“%s %s” is not a time that exists here"), date, time_text);

  a->patient_id = row->patient_id;
  a->provider_id = g_strdup (provider->id);
  a->room_id = room != NULL ? g_strdup (room->id) : NULL;
  a->type_id = type->id;
  a->start_at = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  a->reason = row_dup (row, "reason");

  /* The old system's calendar is history: taken as it was, outside hours
   * and double-booked where the type allows it. */
  if (!ch_schedule_book (row->session, a,
                         CH_BOOK_CONFIRM_OVERBOOK | CH_BOOK_CONFIRM_OUTSIDE_HOURS, error))
    return FALSE;

  /* Then moved on to its status, the way the desk would have: a status
   * Charta does not know fails here, and the booking is undone with it. */
  status = row_get (row, "status");
  path = status_path (status);
  if (g_strcmp0 (status, "cancelled") == 0)
    {
      if (!ch_schedule_cancel (row->session, a->id, _("Cancelled in the system migrated from"),
                               CH_SCOPE_THIS, error))
        return FALSE;
    }
  else if (path == NULL)
    {
      if (!ch_schedule_set_status (row->session, a->id, status, NULL, error))
        return FALSE;
    }
  for (guint i = 0; path != NULL && path[i] != NULL; i++)
    if (!ch_schedule_set_status (row->session, a->id, path[i], NULL, error))
      return FALSE;

  out->record_type = "appointment";
  out->record_id = a->id;
  return TRUE;
}

static gboolean
import_balance (Row       *row,
                Imported  *out,
                GError   **error)
{
  g_autoptr (ChOpeningBalance) balance = g_new0 (ChOpeningBalance, 1);
  g_autofree char *detail = NULL;
  char id[32];
  const char *amount;

  if (!needed (row, "amount", &amount, error)
      || !row_date (row, "as_of", FALSE, &balance->as_of, error))
    return FALSE;
  if (!ch_csv_parse_money (amount, &balance->amount_cents))
    return row_invalid (error, _("“%s” is not an amount of money"), amount);
  balance->patient_id = row->patient_id;
  balance->source = g_strdup (row->section->source);
  balance->note = row_dup (row, "note");

  /* Kept for the billing ledger, which does not exist yet: it takes each
   * one in as the patient's opening entry. */
  if (!ch_db_opening_balance_insert (row->store, balance, ch_session_get_username (row->session),
                                     error))
    return FALSE;
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, balance->id);
  detail = g_strdup_printf ("opening balance %s%" G_GINT64_FORMAT ".%02d from %s",
                            balance->amount_cents < 0 ? "-" : "",
                            ABS (balance->amount_cents) / 100,
                            (int) (ABS (balance->amount_cents) % 100), balance->source);
  if (!ch_session_audit (row->session, CH_AUDIT_CREATE, "opening-balance", id, row->patient_id,
                         detail, error))
    return FALSE;
  out->record_type = "balance";
  out->record_id = balance->id;
  return TRUE;
}

/* ---- the import ------------------------------------------------------------------ */

static void
reject_free (ChCsvReject *reject)
{
  if (reject == NULL)
    return;
  g_free (reject->section);
  g_free (reject->file);
  g_free (reject->reason);
  g_free (reject);
}

void
ch_csv_import_report_free (ChCsvImportReport *report)
{
  if (report == NULL)
    return;
  g_free (report->source);
  g_clear_pointer (&report->sections, g_array_unref);
  g_clear_pointer (&report->rejects, g_ptr_array_unref);
  g_free (report);
}

static void
add_reject (ChCsvImportReport *report,
            Section           *section,
            guint              line,
            const char        *reason)
{
  ChCsvReject *reject = g_new0 (ChCsvReject, 1);

  reject->section = g_strdup (section->info->name);
  reject->file = g_strdup (section->file);
  reject->line = line;
  reject->reason = g_strdup (reason);
  g_ptr_array_add (report->rejects, reject);
}

/* The row's key: its key column, else a hash of every field. */
static char *
row_key (Section           *section,
         const ChCsvRecord *record)
{
  g_autoptr (GChecksum) checksum = NULL;

  if (section->key_column >= 0)
    return g_strstrip (g_strdup (record->fields[section->key_column]));

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; i < record->n_fields; i++)
    {
      g_autofree char *field = g_strstrip (g_strdup (record->fields[i]));

      g_checksum_update (checksum, (const guchar *) field, strlen (field));
      g_checksum_update (checksum, (const guchar *) "\x1f", 1);
    }
  return g_strconcat ("sha256:", g_checksum_get_string (checksum), NULL);
}

typedef enum
{
  ROW_IMPORTED,
  ROW_SKIPPED,
  ROW_REJECTED,
} RowOutcome;

/* Imports one record in its own savepoint: whole, or nothing of it.
 * @seen: the keys of this run so far (key → line), to tell a repeat within
 * the file from a row imported before. Returns FALSE only when the store
 * fails (not for a rejected row: @out_reason says why). */
static gboolean
import_row (ChSession          *session,
            Section            *section,
            const ChCsvRecord  *record,
            GHashTable         *seen,
            RowOutcome         *out_outcome,
            char              **out_reason,
            GError            **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) scratch = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) row_error = NULL;
  g_autofree char *key = NULL;
  Row row = { session, store, section, record, scratch, 0 };
  Imported imported = { NULL, 0, 0 };
  gboolean found = FALSE, ok;
  gpointer earlier;

  *out_outcome = ROW_REJECTED;
  *out_reason = NULL;

  if (record->n_fields != section->table->n_columns)
    {
      *out_reason = g_strdup_printf (_("%u fields where the header names %u columns"),
                                     record->n_fields, section->table->n_columns);
      return TRUE;
    }

  key = row_key (section, record);
  if (*key == '\0')
    {
      *out_reason = g_strdup_printf (_("no key in column “%s”"),
                                     section->table->header[section->key_column]);
      return TRUE;
    }
  if (g_hash_table_lookup_extended (seen, key, NULL, &earlier))
    {
      *out_reason = g_strdup_printf (_("the same key as line %u: “%s” twice"),
                                     GPOINTER_TO_UINT (earlier), key);
      return TRUE;
    }
  g_hash_table_insert (seen, g_strdup (key), GUINT_TO_POINTER (record->line));

  if (!ch_db_import_lookup (store, section->source, section->info->name, key, &found, NULL, NULL,
                            error))
    return FALSE;
  if (found)
    {
      *out_outcome = ROW_SKIPPED;
      return TRUE;
    }

  if (section->id != SECTION_PATIENTS)
    {
      g_autofree char *patient_key =
        g_strstrip (g_strdup (record->fields[section->patient_column]));

      if (*patient_key == '\0')
        {
          *out_reason = g_strdup_printf (_("no patient key in column “%s”"),
                                         section->table->header[section->patient_column]);
          return TRUE;
        }
      if (!ch_db_import_lookup (store, section->source, "patients", patient_key, &found, NULL,
                                &row.patient_id, error))
        return FALSE;
      if (!found)
        {
          *out_reason = g_strdup_printf (_("unknown patient key “%s”"), patient_key);
          return TRUE;
        }
      /* A chart imported and then merged into another: its rows go where
       * the chart went. */
      for (guint hops = 0; hops < 16; hops++)
        {
          g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, row.patient_id, error);

          if (patient == NULL)
            return FALSE;
          if (g_strcmp0 (patient->status, "merged") != 0 || patient->merged_into <= 0)
            break;
          row.patient_id = patient->merged_into;
        }
    }

  if (!ch_store_begin (store, error))
    return FALSE;

  switch (section->id)
    {
    case SECTION_PATIENTS:
      ok = import_patient (&row, &imported, &row_error);
      break;
    case SECTION_INSURANCE:
      ok = import_policy (&row, &imported, &row_error);
      break;
    case SECTION_APPOINTMENTS:
      ok = import_appointment (&row, &imported, &row_error);
      break;
    case SECTION_BALANCES:
      ok = import_balance (&row, &imported, &row_error);
      break;
    case SECTION_PROBLEMS:
    case SECTION_MEDICATIONS:
    case SECTION_ALLERGIES:
    case SECTION_IMMUNIZATIONS:
    case N_SECTIONS:
    default:
      ok = import_chart_item (&row, &imported, &row_error);
      break;
    }

  if (ok)
    ok = ch_db_import_remember (store, section->source, section->info->name, key,
                                imported.record_type, imported.record_id,
                                imported.patient_id ? imported.patient_id : row.patient_id,
                                section->file, record->line, ch_session_get_username (session),
                                &row_error);
  if (ok && ch_store_commit (store, &row_error))
    {
      *out_outcome = ROW_IMPORTED;
      return TRUE;
    }
  ch_store_rollback (store);

  /* A store that failed under the row (a full disk …) fails the import; a
   * row the controllers refuse is rejected, and the others go on. */
  if (row_error->domain == CH_STORE_ERROR
      && !g_error_matches (row_error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT)
      && !g_error_matches (row_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&row_error));
      return FALSE;
    }
  *out_reason = g_strdup (row_error->message);
  return TRUE;
}

static gboolean
run_section (ChSession         *session,
             Section           *section,
             ChCsvImportReport *report,
             GError           **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ChCsvSectionResult result = { section->info->name, g_intern_string (section->file), 0, 0, 0 };
  g_autofree char *detail = NULL;

  if (section->id == SECTION_APPOINTMENTS)
    {
      section->resources = ch_schedule_list_resources (session, NULL, error);
      if (section->resources == NULL)
        return FALSE;
      section->types = ch_schedule_list_types (session, error);
      if (section->types == NULL)
        return FALSE;
    }

  if (!ch_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < section->table->records->len; i++)
    {
      const ChCsvRecord *record = section->table->records->pdata[i];
      g_autofree char *reason = NULL;
      RowOutcome outcome;

      if (!import_row (session, section, record, seen, &outcome, &reason, error))
        {
          ch_store_rollback (store);
          return FALSE;
        }
      switch (outcome)
        {
        case ROW_IMPORTED:
          result.imported++;
          break;
        case ROW_SKIPPED:
          result.skipped++;
          break;
        case ROW_REJECTED:
        default:
          result.rejected++;
          add_reject (report, section, record->line, reason);
          break;
        }
    }

  detail = g_strdup_printf ("%s from %s (%s): %u imported, %u skipped, %u rejected",
                            section->info->name, section->file, section->source,
                            result.imported, result.skipped, result.rejected);
  if (!ch_session_audit (session, CH_AUDIT_CREATE, "migration", section->info->name, 0, detail,
                         error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }

  g_array_append_val (report->sections, result);
  return TRUE;
}

static gboolean
load_mapping (const char  *mapping_path,
              GKeyFile    *keyfile,
              char       **out_source,
              GError     **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (mapping_path);
  g_auto (GStrv) groups = NULL;
  char *source;

  if (!g_key_file_load_from_file (keyfile, mapping_path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_MAPPING,
                   _("Cannot read the mapping %s: %s"), display,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? _("there is no such file") : local_error->message);
      return FALSE;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      gboolean known = g_str_equal (groups[i], "source");
      const char *dot = strchr (groups[i], '.');
      g_autofree char *base = dot ? g_strndup (groups[i], dot - groups[i]) : g_strdup (groups[i]);

      for (guint j = 0; !known && j < N_SECTIONS; j++)
        known = g_str_equal (base, section_info[j].name);
      if (!known)
        return mapping_error (error, _("[%s] is not a section Charta imports (patients, "
                                       "insurance, problems, medications, allergies, "
                                       "immunizations, appointments, balances)"), groups[i]);
    }

  source = g_key_file_get_string (keyfile, "source", "name", NULL);
  if (source == NULL || *g_strstrip (source) == '\0')
    {
      g_free (source);
      return mapping_error (error, _("[source] needs name=, the name of the system migrated "
                                     "from"));
    }
  *out_source = source;
  return TRUE;
}

ChCsvImportReport *
ch_csv_import (ChSession          *session,
               const char         *mapping_path,
               const char         *dir,
               gboolean            dry_run,
               ChCsvMilestoneFunc  milestone,
               gpointer            user_data,
               GError            **error)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (ChCsvImportReport) report = g_new0 (ChCsvImportReport, 1);
  Section *sections[N_SECTIONS] = { NULL };
  ChStore *store;
  gboolean ok = TRUE, any = FALSE, outer = FALSE;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (mapping_path != NULL && dir != NULL, NULL);

  report->dry_run = dry_run;
  report->sections = g_array_new (FALSE, TRUE, sizeof (ChCsvSectionResult));
  report->rejects = g_ptr_array_new_with_free_func ((GDestroyNotify) reject_free);

  if (!load_mapping (mapping_path, keyfile, &report->source, error))
    return NULL;

  /* Everything read and checked before anything is written. */
  for (guint i = 0; ok && i < N_SECTIONS; i++)
    if (g_key_file_has_group (keyfile, section_info[i].name))
      {
        any = TRUE;
        ok = ch_session_check (session, section_info[i].area, section_info[i].access, error)
             && (sections[i] = load_section (keyfile, i, report->source, dir, error)) != NULL;
      }
  if (ok && !any)
    ok = mapping_error (error, _("no section to import: add [patients] and the others"));
  if (ok && sections[SECTION_PATIENTS] == NULL)
    for (guint i = 0; i < N_SECTIONS; i++)
      if (sections[i] != NULL && ch_db_import_count (ch_session_get_store (session),
                                                     report->source, "patients", NULL) <= 0)
        {
          ok = mapping_error (error, _("[%s] finds patients by the keys of [patients], and no "
                                       "patient was imported from %s yet"),
                              section_info[i].name, report->source);
          break;
        }

  store = ch_session_get_store (session);
  /* A dry run is the real run in one transaction, rolled back: what it
   * reports is what the real run would do. */
  if (ok && dry_run)
    ok = outer = ch_store_begin (store, error);
  for (guint i = 0; ok && i < N_SECTIONS; i++)
    if (sections[i] != NULL)
      {
        ok = run_section (session, sections[i], report, error);
        if (ok && milestone != NULL)
          milestone (report, &g_array_index (report->sections, ChCsvSectionResult,
                                             report->sections->len - 1), user_data);
      }
  if (outer)
    ch_store_rollback (store);

  for (guint i = 0; i < N_SECTIONS; i++)
    section_free (sections[i]);

  if (!ok)
    return NULL;
  return g_steal_pointer (&report);
}
