/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-csv-import"

#include "config.h"

#include <string.h>

#include "ch-csv-import.h"

/* The CSV reader, dates and amounts of the migration from CSV exports; the
 * import itself is tested through charta-admin (test_csv_import.py). */

static ChCsvTable *
parse (const char *text,
       gsize       length,
       const char *encoding)
{
  g_autoptr (GError) error = NULL;
  ChCsvTable *table = ch_csv_parse ("T.CSV", text, length, encoding, ',', &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

static const ChCsvRecord *
record (ChCsvTable *table,
        guint       i)
{
  g_assert_cmpuint (i, <, table->records->len);
  return table->records->pdata[i];
}

static void
test_rfc4180 (void)
{
  const char text[] = "\xef\xbb\xbf" "id,name,note\r\n"
                      "1,\"Smith, John\",\"said \"\"hi\"\"\"\r\n"
                      "\r\n"
                      "2,\"two\r\nlines\",\n"
                      "3,O'Brien 5'10\",last";
  g_autoptr (ChCsvTable) table = parse (text, sizeof text - 1, NULL);

  g_assert_cmpuint (table->n_columns, ==, 3);
  g_assert_cmpstr (table->header[0], ==, "id");
  g_assert_cmpint (ch_csv_table_column (table, "note"), ==, 2);
  g_assert_cmpint (ch_csv_table_column (table, "nope"), ==, -1);
  g_assert_cmpuint (table->records->len, ==, 3);

  g_assert_cmpuint (record (table, 0)->line, ==, 2);
  g_assert_cmpstr (record (table, 0)->fields[1], ==, "Smith, John");
  g_assert_cmpstr (record (table, 0)->fields[2], ==, "said \"hi\"");
  /* The blank line 3 is skipped; the record of lines 4-5 keeps its break. */
  g_assert_cmpuint (record (table, 1)->line, ==, 4);
  g_assert_cmpstr (record (table, 1)->fields[1], ==, "two\nlines");
  g_assert_cmpstr (record (table, 1)->fields[2], ==, "");
  g_assert_cmpuint (record (table, 1)->n_fields, ==, 3);
  /* No line end at the end of the file; a quote inside an unquoted field. */
  g_assert_cmpuint (record (table, 2)->line, ==, 6);
  g_assert_cmpstr (record (table, 2)->fields[1], ==, "O'Brien 5'10\"");
}

static void
test_windows_1252 (void)
{
  const char text[] = "name\r\nAssurance G\xe9n\xe9rale \x80\r\n";
  g_autoptr (ChCsvTable) table = parse (text, sizeof text - 1, "windows-1252");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChCsvTable) as_utf8 = NULL;

  g_assert_cmpstr (record (table, 0)->fields[0], ==, "Assurance Générale €");

  as_utf8 = ch_csv_parse ("T.CSV", text, sizeof text - 1, NULL, ',', &error);
  g_assert_null (as_utf8);
  g_assert_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "T.CSV:2: not UTF-8"));
}

static void
test_malformed (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "a,b\n1,\"open\n2,3\n", "T.CSV:2: a quoted field is not closed" },
    { "a,b\n1,\"x\"y\n", "T.CSV:2: text after the closing quote" },
    { "", "T.CSV:1: the file is empty" },
    { "\r\n\r\n", "T.CSV:1: the file is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChCsvTable) table = ch_csv_parse ("T.CSV", cases[i].text, strlen (cases[i].text),
                                                   NULL, ',', &error);

      g_assert_null (table);
      g_assert_error (error, CH_CSV_IMPORT_ERROR, CH_CSV_IMPORT_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

static void
test_dates (void)
{
  static const struct { const char *text; const char *format; const char *date; int minutes; } good[] = {
    { "03/14/1956", "%m/%d/%Y", "1956-03-14", -1 },
    { "7/4/1980", "%m/%d/%Y", "1980-07-04", -1 },
    { "1/2/03", "%m/%d/%y", "2003-01-02", -1 },
    { "1/2/69", "%m/%d/%y", "1969-01-02", -1 },
    { "2024-02-29", "%Y-%m-%d", "2024-02-29", -1 },
    { "14-Mar-1956", "%d-%b-%Y", "1956-03-14", -1 },
    { "03/04/2024 02:15 PM", "%m/%d/%Y %I:%M %p", "2024-03-04", 14 * 60 + 15 },
    { "03/04/2024 12:05 am", "%m/%d/%Y %I:%M %p", "2024-03-04", 5 },
  };
  static const struct { const char *text; const char *format; } bad[] = {
    { "02/30/1990", "%m/%d/%Y" }, { "13/01/2016", "%m/%d/%Y" }, { "1990-01-01", "%m/%d/%Y" },
    { "03/14/56", "%m/%d/%Y" }, { "03/14/1956x", "%m/%d/%Y" }, { "", "%m/%d/%Y" },
    { "13:00 PM", "%I:%M %p" }, { "25:00", "%H:%M" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *date = NULL;
      int minutes = 0;

      g_assert_true (ch_csv_parse_date (good[i].text, good[i].format, &date, &minutes));
      g_assert_cmpstr (date, ==, good[i].date);
      g_assert_cmpint (minutes, ==, good[i].minutes);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *date = NULL;
      int minutes = 0;
      gboolean has_date = strchr (bad[i].format, 'd') != NULL;

      g_assert_false (ch_csv_parse_date (bad[i].text, bad[i].format, has_date ? &date : NULL,
                                         &minutes));
    }
}

static void
test_money (void)
{
  static const struct { const char *text; gint64 cents; } good[] = {
    { "1234.56", 123456 }, { "$1,234.56", 123456 }, { "-12", -1200 }, { "(25.00)", -2500 },
    { "$-3.5", -350 }, { " 0.00 ", 0 }, { ".5", 50 },
  };
  static const char * const bad[] = { "abc", "", "1.234", "12.3.4", "(12", "12 USD", "--1" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 cents = 0;

      g_assert_true (ch_csv_parse_money (good[i].text, &cents));
      g_assert_cmpint (cents, ==, good[i].cents);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 cents = 0;

      g_assert_false (ch_csv_parse_money (bad[i], &cents));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv-import/rfc4180", test_rfc4180);
  g_test_add_func ("/csv-import/windows-1252", test_windows_1252);
  g_test_add_func ("/csv-import/malformed", test_malformed);
  g_test_add_func ("/csv-import/dates", test_dates);
  g_test_add_func ("/csv-import/money", test_money);

  return g_test_run ();
}
