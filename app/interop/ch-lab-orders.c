/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-orders"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart-db.h"
#include "ch-chart.h"
#include "ch-lab-orders.h"
#include "ch-mllp.h"
#include "ch-patient-db.h"
#include "ch-records.h"
#include "ch-validate.h"

/* An order is stored, in a transaction with its audit entry, before it is
 * sent, and each attempt at sending it is recorded in a transaction of its
 * own afterwards: the network is never waited on inside a transaction, and
 * an order the lab never got is never lost. */

G_DEFINE_QUARK (ch-lab-orders-error-quark, ch_lab_orders_error)

#define KEY_TARGET                "hl7.orders-target"
#define KEY_RECEIVING_APPLICATION "hl7.orders-receiving-application"
#define KEY_RECEIVING_FACILITY    "hl7.orders-receiving-facility"

/* DG1 segments: the chart's active problems, up to this many. */
#define MAX_DIAGNOSES 12

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_INVALID, message);
  return FALSE;
}

static char *
strip_dup (const char *text)
{
  return g_strstrip (g_strdup (or_empty (text)));
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return TRUE;
  return FALSE;
}

/* ---- permissions ----------------------------------------------------------- */

/* Ordering is a prescriber's act, like a prescription: the lab bills it to
 * the ordering provider named in the message. */
static gboolean
check_may_order (ChSession  *session,
                 GError    **error)
{
  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("Not allowed: the role “%s” may not order lab tests (a prescriber orders "
                     "them)"), ch_role_get_label (ch_session_get_role (session)));
      return FALSE;
    }
  return TRUE;
}

/* ---- tests ----------------------------------------------------------------- */

/* LOINC's form: up to seven digits, a dash and the check digit. */
static gboolean
looks_like_loinc (const char *code)
{
  gsize n = strspn (code, "0123456789");

  return n >= 1 && n <= 7 && code[n] == '-' && g_ascii_isdigit (code[n + 1]) &&
         code[n + 2] == '\0';
}

ChLabOrderTest *
ch_lab_orders_parse_test (const char  *spec,
                          GError     **error)
{
  g_auto (GStrv) parts = NULL;
  g_autofree char *code = NULL;
  g_autofree char *text = NULL;
  g_autofree char *system = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  parts = g_strsplit (spec, "^", 4);
  if (g_strv_length (parts) > 3)
    {
      invalid (error, _("“%s” is not a test: give CODE^TEXT or CODE^TEXT^SYSTEM"), spec);
      return NULL;
    }
  code = strip_dup (parts[0]);
  text = strip_dup (parts[0] != NULL ? parts[1] : NULL);
  system = strip_dup (parts[0] != NULL && parts[1] != NULL ? parts[2] : NULL);
  if (*code == '\0')
    {
      invalid (error, _("“%s” is not a test: it has no code (give CODE^TEXT)"), spec);
      return NULL;
    }
  if (*system == '\0')
    {
      g_free (system);
      system = g_strdup (looks_like_loinc (code) ? "LN" : "L");
    }
  return ch_lab_order_test_new (code, text, system, NULL);
}

/* A copy of @tests checked and stripped, or NULL with an error. */
static GPtrArray *
check_tests (GPtrArray  *tests,
             GError    **error)
{
  g_autoptr (GPtrArray) checked = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_test_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (tests == NULL || tests->len == 0)
    {
      invalid (error, _("Choose at least one test to order"));
      return NULL;
    }
  if (tests->len > CH_LAB_ORDERS_MAX_TESTS)
    {
      invalid (error, _("An order holds at most %d tests"), CH_LAB_ORDERS_MAX_TESTS);
      return NULL;
    }
  for (guint i = 0; i < tests->len; i++)
    {
      const ChLabOrderTest *in = tests->pdata[i];
      g_autofree char *code = strip_dup (in->code);
      g_autofree char *text = strip_dup (in->text);
      g_autofree char *system = strip_dup (in->system);
      g_autofree char *specimen = strip_dup (in->specimen);
      ChLabOrderTest *t;

      if (*code == '\0')
        {
          invalid (error, _("Test %u has no code"), i + 1);
          return NULL;
        }
      if (g_utf8_strlen (code, -1) > CH_LAB_ORDERS_MAX_CODE || has_control_chars (code)
          || g_utf8_strlen (system, -1) > CH_LAB_ORDERS_MAX_CODE || has_control_chars (system))
        {
          invalid (error, _("The test code “%s” is not a code (at most %d characters, on one "
                            "line)"), code, CH_LAB_ORDERS_MAX_CODE);
          return NULL;
        }
      if (g_utf8_strlen (text, -1) > CH_LAB_ORDERS_MAX_TEXT || has_control_chars (text)
          || g_utf8_strlen (specimen, -1) > CH_LAB_ORDERS_MAX_TEXT || has_control_chars (specimen))
        {
          invalid (error, _("The name of test %s is too long (at most %d characters, on one "
                            "line)"), code, CH_LAB_ORDERS_MAX_TEXT);
          return NULL;
        }
      t = ch_lab_order_test_new (code, text, system, specimen);
      g_ptr_array_add (checked, t);
      if (!g_hash_table_add (seen, t->code))
        {
          invalid (error, _("The test %s is ordered twice"), code);
          return NULL;
        }
    }
  return g_steal_pointer (&checked);
}

static const char *
priority_code (const char *priority)
{
  if (g_strcmp0 (priority, "stat") == 0)
    return "S";
  if (g_strcmp0 (priority, "asap") == 0)
    return "A";
  return "R";
}

/* ---- settings -------------------------------------------------------------- */

void
ch_lab_orders_settings_free (ChLabOrdersSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->target);
  g_free (settings->receiving_application);
  g_free (settings->receiving_facility);
  g_free (settings);
}

static ChLabOrdersSettings *
read_settings (ChStore  *store,
               GError  **error)
{
  g_autoptr (ChLabOrdersSettings) s = g_new0 (ChLabOrdersSettings, 1);
  GError *local_error = NULL;

  s->target = ch_db_setting_get (store, KEY_TARGET, &local_error);
  if (local_error == NULL)
    s->receiving_application = ch_db_setting_get (store, KEY_RECEIVING_APPLICATION, &local_error);
  if (local_error == NULL)
    s->receiving_facility = ch_db_setting_get (store, KEY_RECEIVING_FACILITY, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (s->target == NULL)
    s->target = g_strdup ("");
  if (s->receiving_application == NULL)
    s->receiving_application = g_strdup ("");
  if (s->receiving_facility == NULL)
    s->receiving_facility = g_strdup ("");
  return g_steal_pointer (&s);
}

ChLabOrdersSettings *
ch_lab_orders_get_settings (ChSession  *session,
                            GError    **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  store = ch_session_get_store (session);
  if (store == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED, _("The screen is locked"));
      return NULL;
    }
  return read_settings (store, error);
}

/* Where a target sends: a folder (@out_dir), or an MLLP peer. */
typedef struct
{
  char    *dir;
  char    *host;
  guint16  port;
} Target;

static void
target_clear (Target *t)
{
  g_clear_pointer (&t->dir, g_free);
  g_clear_pointer (&t->host, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Target, target_clear)

static gboolean
parse_target (const char  *target,
              Target      *out,
              GError     **error)
{
  if (g_str_has_prefix (target, "dir:"))
    {
      const char *path = target + strlen ("dir:");

      /* Every desk sends orders: a relative path would name a different
       * folder for each. */
      if (!g_path_is_absolute (path))
        return invalid (error, _("The folder “%s” is not a full path (one starting with /)"),
                        path);
      out->dir = g_strdup (path);
      return TRUE;
    }
  if (g_str_has_prefix (target, "mllp://"))
    {
      g_autoptr (GUri) uri = g_uri_parse (target, G_URI_FLAGS_NONE, NULL);
      const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
          || g_uri_get_port (uri) < 1 || g_uri_get_port (uri) > 65535
          || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
          || (path != NULL && *path != '\0' && g_strcmp0 (path, "/") != 0))
        return invalid (error, _("“%s” is not an MLLP address: give mllp://HOST:PORT, the port "
                                 "from 1 to 65535"), target);
      out->host = g_strdup (g_uri_get_host (uri));
      out->port = (guint16) g_uri_get_port (uri);
      return TRUE;
    }
  return invalid (error, _("“%s” is not a destination for lab orders: give dir:/PATH (a folder "
                           "the lab reads) or mllp://HOST:PORT"), target);
}

gboolean
ch_lab_orders_set_settings (ChSession                  *session,
                            const ChLabOrdersSettings  *settings,
                            GError                    **error)
{
  g_auto (Target) parsed = { 0 };
  g_autofree char *target = NULL;
  g_autofree char *application = NULL;
  g_autofree char *facility = NULL;
  g_autofree char *detail = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  target = strip_dup (settings->target);
  application = strip_dup (settings->receiving_application);
  facility = strip_dup (settings->receiving_facility);
  if (*target != '\0' && !parse_target (target, &parsed, error))
    return FALSE;
  if (parsed.dir != NULL && !g_file_test (parsed.dir, G_FILE_TEST_IS_DIR))
    return invalid (error, _("The folder “%s” does not exist"), parsed.dir);
  if (has_control_chars (application) || has_control_chars (facility)
      || g_utf8_strlen (application, -1) > CH_LAB_ORDERS_MAX_TEXT
      || g_utf8_strlen (facility, -1) > CH_LAB_ORDERS_MAX_TEXT)
    return invalid (error, _("The lab's application and facility are names on one line"));

  detail = g_strdup_printf ("lab orders go to %s (application %s, facility %s)",
                            *target != '\0' ? target : "(nowhere)",
                            *application != '\0' ? application : "(none)",
                            *facility != '\0' ? facility : "(none)");
  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_setting_set (store, KEY_TARGET, target, error)
       && ch_db_setting_set (store, KEY_RECEIVING_APPLICATION, application, error)
       && ch_db_setting_set (store, KEY_RECEIVING_FACILITY, facility, error)
       && ch_session_audit (session, CH_AUDIT_SETTINGS, "setting", "hl7.orders", 0, detail,
                            error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* ---- the message ----------------------------------------------------------- */

static const char *
sex_code (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return "F";
  if (g_strcmp0 (sex, "male") == 0)
    return "M";
  if (g_strcmp0 (sex, "other") == 0)
    return "O";
  return "U";
}

static char *
hl7_date (const char *iso)
{
  g_autofree char *date = g_strdup (or_empty (iso));

  if (!ch_valid_date (date))
    return NULL;
  /* "YYYY-MM-DD" to "YYYYMMDD". */
  memmove (date + 4, date + 5, 2);
  memmove (date + 6, date + 8, 3);
  return g_steal_pointer (&date);
}

static char *
format_time (gint64 us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return dt != NULL ? ch_hl7_format_time (dt) : NULL;
}

/* The ordering provider as an XCN: the user name, then the display name
 * cut into family and given names (a "Dr." in front dropped). */
static void
set_provider (ChHl7Writer      *w,
              guint             field,
              const ChLabOrder *o)
{
  g_autofree char *name = strip_dup (o->ordered_by_name);
  const char *rest = name;
  const char *space;

  if (g_str_has_prefix (rest, "Dr. ") || g_str_has_prefix (rest, "Dr "))
    rest = strchr (rest, ' ') + 1;
  ch_hl7_writer_set (w, field, 1, 1, 1, o->ordered_by);
  space = strrchr (rest, ' ');
  if (space != NULL)
    {
      g_autofree char *given = g_strndup (rest, (gsize) (space - rest));

      ch_hl7_writer_set (w, field, 1, 2, 1, space + 1);
      ch_hl7_writer_set (w, field, 1, 3, 1, g_strstrip (given));
    }
  else if (*rest != '\0')
    ch_hl7_writer_set (w, field, 1, 2, 1, rest);
}

static gboolean
is_icd10 (const ChChartItem *item)
{
  return ch_has_text (item->code) &&
         (g_ascii_strcasecmp (or_empty (item->code_system), "icd10cm") == 0 ||
          g_ascii_strcasecmp (or_empty (item->code_system), "icd-10-cm") == 0 ||
          g_ascii_strcasecmp (or_empty (item->code_system), "icd10") == 0);
}

/* The message's segments, each ended by CR. */
static GBytes *
build (ChSession         *session,
       const ChLabOrder  *o,
       gboolean           cancel,
       const char        *control_id,
       GError           **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChHl7Writer) w = ch_hl7_writer_new (NULL);
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (ChLabOrdersSettings) settings = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = ch_hl7_format_time (now);
  g_autofree char *ordered = format_time (o->created_at);
  g_autofree char *practice = ch_session_get_practice_name (session);
  g_autofree char *birth = NULL;
  guint n_diagnoses = 0;

  patient = ch_db_patient_get (store, o->patient_id, error);
  if (patient == NULL)
    return NULL;
  settings = read_settings (store, error);
  if (settings == NULL)
    return NULL;
  if (!cancel)
    {
      problems = ch_db_chart_list (store, o->patient_id, CH_SECTION_PROBLEM, FALSE, 0, error);
      if (problems == NULL)
        return NULL;
    }

  ch_hl7_writer_add_segment (w, "MSH");
  ch_hl7_writer_set_field (w, 3, "Charta");
  ch_hl7_writer_set_field (w, 4, practice);
  ch_hl7_writer_set_field (w, 5, settings->receiving_application);
  ch_hl7_writer_set_field (w, 6, settings->receiving_facility);
  ch_hl7_writer_set_field (w, 7, stamp);
  ch_hl7_writer_set (w, 9, 1, 1, 1, "ORM");
  ch_hl7_writer_set (w, 9, 1, 2, 1, "O01");
  ch_hl7_writer_set (w, 9, 1, 3, 1, "ORM_O01");
  ch_hl7_writer_set_field (w, 10, control_id);
  ch_hl7_writer_set_field (w, 11, "P");
  ch_hl7_writer_set_field (w, 12, "2.5.1");
  /* Names are written as they are: UTF-8, said so. */
  ch_hl7_writer_set_field (w, 18, "UNICODE UTF-8");

  ch_hl7_writer_add_segment (w, "PID");
  ch_hl7_writer_set_field (w, 1, "1");
  ch_hl7_writer_set (w, 3, 1, 1, 1, patient->mrn);
  ch_hl7_writer_set (w, 3, 1, 4, 1, practice);
  ch_hl7_writer_set (w, 3, 1, 5, 1, "MR");
  ch_hl7_writer_set (w, 5, 1, 1, 1, patient->family_name);
  ch_hl7_writer_set (w, 5, 1, 2, 1, patient->given_name);
  ch_hl7_writer_set (w, 5, 1, 7, 1, "L");
  birth = hl7_date (patient->birth_date);
  ch_hl7_writer_set_field (w, 7, birth);
  ch_hl7_writer_set_field (w, 8, sex_code (patient->sex));
  ch_hl7_writer_set (w, 11, 1, 1, 1, patient->address_line);
  ch_hl7_writer_set (w, 11, 1, 3, 1, patient->city);
  ch_hl7_writer_set (w, 11, 1, 4, 1, patient->region);
  ch_hl7_writer_set (w, 11, 1, 5, 1, patient->postal_code);
  ch_hl7_writer_set (w, 11, 1, 6, 1, patient->country);
  if (patient->phones != NULL && patient->phones->len > 0)
    {
      const ChPhone *phone = patient->phones->pdata[0];

      ch_hl7_writer_set (w, 13, 1, 1, 1, phone->number);
    }

  ch_hl7_writer_add_segment (w, "PV1");
  ch_hl7_writer_set_field (w, 1, "1");
  ch_hl7_writer_set_field (w, 2, "O");

  for (guint i = 0; i < o->tests->len; i++)
    {
      const ChLabOrderTest *t = o->tests->pdata[i];
      g_autofree char *position = g_strdup_printf ("%u", i + 1);

      ch_hl7_writer_add_segment (w, "ORC");
      ch_hl7_writer_set_field (w, 1, cancel ? "CA" : "NW");
      ch_hl7_writer_set_field (w, 2, o->placer_number);
      ch_hl7_writer_set_field (w, 4, o->placer_number);
      ch_hl7_writer_set_field (w, 9, ordered);
      set_provider (w, 12, o);
      if (cancel && ch_has_text (o->cancel_reason))
        ch_hl7_writer_set (w, 16, 1, 2, 1, o->cancel_reason);

      ch_hl7_writer_add_segment (w, "TQ1");
      ch_hl7_writer_set_field (w, 1, "1");
      ch_hl7_writer_set_field (w, 9, priority_code (o->priority));

      ch_hl7_writer_add_segment (w, "OBR");
      ch_hl7_writer_set_field (w, 1, position);
      ch_hl7_writer_set_field (w, 2, o->placer_number);
      ch_hl7_writer_set (w, 4, 1, 1, 1, t->code);
      ch_hl7_writer_set (w, 4, 1, 2, 1, t->text);
      ch_hl7_writer_set (w, 4, 1, 3, 1, t->system);
      /* Deprecated since 2.5 for TQ1, but what many labs still read. */
      ch_hl7_writer_set_field (w, 5, priority_code (o->priority));
      if (ch_has_text (o->clinical_info))
        ch_hl7_writer_set_field (w, 13, o->clinical_info);
      if (ch_has_text (t->specimen))
        ch_hl7_writer_set (w, 15, 1, 1, 2, t->specimen);
      set_provider (w, 16, o);

      if (i == 0 && !cancel && ch_has_text (o->note))
        {
          ch_hl7_writer_add_segment (w, "NTE");
          ch_hl7_writer_set_field (w, 1, "1");
          ch_hl7_writer_set_field (w, 2, "P");
          ch_hl7_writer_set_field (w, 3, o->note);
        }

      n_diagnoses = 0;
      for (guint p = 0; problems != NULL && p < problems->len && n_diagnoses < MAX_DIAGNOSES; p++)
        {
          const ChChartItem *item = problems->pdata[p];
          g_autofree char *set_id = NULL;

          if (!is_icd10 (item) || g_strcmp0 (item->clinical_status, "active") != 0)
            continue;
          set_id = g_strdup_printf ("%u", ++n_diagnoses);
          ch_hl7_writer_add_segment (w, "DG1");
          ch_hl7_writer_set_field (w, 1, set_id);
          ch_hl7_writer_set (w, 3, 1, 1, 1, item->code);
          ch_hl7_writer_set (w, 3, 1, 2, 1, item->display);
          ch_hl7_writer_set (w, 3, 1, 3, 1, "I10");
          ch_hl7_writer_set_field (w, 6, "W");
        }
    }

  return ch_hl7_writer_to_bytes (w);
}

ChHl7Message *
ch_lab_orders_make_message (ChSession         *session,
                            const ChLabOrder  *order,
                            gboolean           cancel,
                            const char        *control_id,
                            GError           **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (order != NULL && control_id != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  bytes = build (session, order, cancel, control_id, error);
  if (bytes == NULL)
    return NULL;
  return ch_hl7_message_parse_bytes (bytes, error);
}

/* ---- delivery -------------------------------------------------------------- */

/* Writes @bytes as @dir/@control_id.hl7, all or nothing: first under a
 * hidden name (which the lab's engine skips), then renamed. */
static gboolean
write_file (const char  *dir,
            const char  *control_id,
            GBytes      *bytes,
            GError     **error)
{
  g_autofree char *name = g_strconcat (control_id, ".hl7", NULL);
  g_autofree char *hidden = g_strconcat (".", name, ".part", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *temp = g_build_filename (dir, hidden, NULL);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The folder “%s” does not exist"), dir);
      return FALSE;
    }
  if (!g_file_set_contents_full (temp, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0640, error))
    return FALSE;
  if (g_rename (temp, path) != 0)
    {
      int saved = errno;

      g_unlink (temp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not rename “%s” to “%s”: %s"), temp, path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Whether @ack accepts message @control_id; *@out_reason says why not. */
static gboolean
read_ack (GBytes      *ack,
          const char  *control_id,
          char       **out_reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChHl7Message) msg = ch_hl7_message_parse_bytes (ack, &error);
  g_autofree char *code = NULL;
  g_autofree char *acked = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *err_code = NULL;
  g_autofree char *why = NULL;

  if (msg == NULL)
    {
      *out_reason = g_strdup_printf (_("The lab's answer is not an HL7 message: %s"),
                                     error->message);
      return FALSE;
    }
  code = ch_hl7_message_get (msg, "MSA", 0, 1, 1, 1, 1);
  acked = ch_hl7_message_get (msg, "MSA", 0, 2, 1, 1, 1);
  if (code == NULL)
    {
      *out_reason = g_strdup (_("The lab's answer is not an acknowledgement (it has no MSA)"));
      return FALSE;
    }
  g_strstrip (code);
  if (g_strcmp0 (code, "AA") == 0 || g_strcmp0 (code, "CA") == 0)
    {
      if (acked != NULL && *g_strstrip (acked) != '\0' && g_strcmp0 (acked, control_id) != 0)
        {
          *out_reason = g_strdup_printf (_("The lab acknowledged message %s, not this one (%s)"),
                                         acked, control_id);
          return FALSE;
        }
      return TRUE;
    }

  text = ch_hl7_message_get (msg, "MSA", 0, 3, 1, 0, 0);
  err_text = ch_hl7_message_get (msg, "ERR", 0, 8, 1, 0, 0);
  err_code = ch_hl7_message_get (msg, "ERR", 0, 3, 1, 0, 0);
  if (ch_has_text (text))
    why = g_strdup (g_strstrip (text));
  else if (ch_has_text (err_text))
    why = g_strdup (g_strstrip (err_text));
  else if (ch_has_text (err_code))
    why = g_strdup (g_strstrip (err_code));
  else
    why = g_strdup (_("no reason given"));
  *out_reason = g_strdup_printf (_("The lab refused the message (%s): %s"), code, why);
  return FALSE;
}

/* Sends order @id (or its cancellation) to the practice's destination and
 * records what came of it. FALSE only when that could not be recorded. */
static gboolean
deliver (ChSession  *session,
         gint64      id,
         gboolean    cancel,
         GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLabOrder) order = NULL;
  g_autoptr (ChLabOrdersSettings) settings = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (Target) target = { 0 };
  g_autofree char *control_id = ch_hl7_new_control_id ();
  g_autofree char *reason = NULL;
  g_autofree char *detail = NULL;
  gboolean accepted = FALSE;
  gboolean ok;

  order = ch_db_lab_order_get (store, id, error);
  if (order == NULL)
    return FALSE;
  settings = read_settings (store, error);
  if (settings == NULL)
    return FALSE;
  bytes = build (session, order, cancel, control_id, error);
  if (bytes == NULL)
    return FALSE;

  if (*settings->target == '\0')
    reason = g_strdup (_("No destination for lab orders is set: an office manager sets one "
                         "(charta-admin lab order-target)"));
  else if (!parse_target (settings->target, &target, &local_error))
    reason = g_strdup (local_error->message);
  else if (target.dir != NULL)
    {
      accepted = write_file (target.dir, control_id, bytes, &local_error);
      if (!accepted)
        reason = g_strdup_printf (_("The order could not be written to %s: %s"),
                                  settings->target, local_error->message);
    }
  else
    {
      g_autoptr (GBytes) ack = ch_mllp_send (target.host, target.port, bytes,
                                             CH_LAB_ORDERS_TIMEOUT_SECONDS, NULL, &local_error);

      if (ack == NULL && local_error->domain == CH_MLLP_ERROR)
        reason = g_strdup_printf (_("The lab at %s did not acknowledge the message: %s"),
                                  settings->target, local_error->message);
      else if (ack == NULL)
        reason = g_strdup_printf (_("The lab at %s could not be reached: %s"), settings->target,
                                  local_error->message);
      else
        accepted = read_ack (ack, control_id, &reason);
    }

  if (accepted)
    detail = g_strdup_printf ("lab order %s%s sent to %s (message %s)", order->placer_number,
                              cancel ? " cancellation" : "", settings->target, control_id);
  else
    detail = g_strdup_printf ("lab order %s%s not sent (message %s): %s", order->placer_number,
                              cancel ? " cancellation" : "", control_id, reason);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (cancel)
    ok = ch_db_lab_order_set_cancel_delivery (store, id, accepted, reason, settings->target,
                                              control_id, error);
  else
    ok = ch_db_lab_order_set_delivery (store, id, accepted, reason, settings->target, control_id,
                                       error);
  ok = ok && ch_session_audit (session, CH_AUDIT_UPDATE, "lab-order", order->placer_number,
                               order->patient_id, detail, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

static gboolean
reread (ChSession    *session,
        gint64        id,
        ChLabOrder  **out_order,
        GError      **error)
{
  ChLabOrder *order;

  if (out_order == NULL)
    return TRUE;
  order = ch_db_lab_order_get (ch_session_get_store (session), id, error);
  if (order == NULL)
    return FALSE;
  *out_order = order;
  return TRUE;
}

/* ---- placing, sending again, cancelling ------------------------------------ */

static char *
tests_text (const ChLabOrder *o)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < o->tests->len; i++)
    {
      const ChLabOrderTest *t = o->tests->pdata[i];

      g_string_append_printf (out, "%s%s %s", i > 0 ? ", " : "", t->code, t->text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ch_lab_orders_place (ChSession    *session,
                     gint64        patient_id,
                     GPtrArray    *tests,
                     const char   *priority,
                     const char   *clinical_info,
                     const char   *note,
                     ChLabOrder  **out_order,
                     GError      **error)
{
  g_autoptr (ChLabOrder) order = ch_lab_order_new ();
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) checked = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *what = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!check_may_order (session, error))
    return FALSE;
  store = ch_session_get_store (session);

  if (priority == NULL)
    priority = "routine";
  if (g_strcmp0 (priority, "routine") != 0 && g_strcmp0 (priority, "stat") != 0
      && g_strcmp0 (priority, "asap") != 0)
    return invalid (error, _("The priority “%s” is not one of routine, stat and asap"), priority);
  checked = check_tests (tests, error);
  if (checked == NULL)
    return FALSE;
  order->note = strip_dup (note);
  order->clinical_info = strip_dup (clinical_info);
  if (g_utf8_strlen (order->note, -1) > CH_LAB_ORDERS_MAX_NOTE
      || g_utf8_strlen (order->clinical_info, -1) > CH_LAB_ORDERS_MAX_NOTE)
    return invalid (error, _("The note for the lab is too long (at most %d characters)"),
                    CH_LAB_ORDERS_MAX_NOTE);
  /* One line each: a line break could not be told from the end of the
   * field by every lab. */
  g_strdelimit (order->note, "\r\n\t", ' ');
  g_strdelimit (order->clinical_info, "\r\n\t", ' ');

  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return FALSE;
  if (g_strcmp0 (patient->status, "merged") == 0)
    return invalid (error, _("Patient %s was merged into another chart: order for that one"),
                    patient->mrn);

  order->patient_id = patient_id;
  order->ordered_by = g_strdup (ch_session_get_username (session));
  order->ordered_by_name = g_strdup (or_empty (ch_session_get_display_name (session)));
  order->priority = g_strdup (priority);
  g_ptr_array_extend_and_steal (order->tests, g_steal_pointer (&checked));

  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_lab_order_insert (store, order, error);
  if (ok)
    {
      what = tests_text (order);
      detail = g_strdup_printf ("lab order %s placed (%s): %s", order->placer_number,
                                order->priority, what);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "lab-order", order->placer_number,
                             patient_id, detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;

  if (!deliver (session, order->id, FALSE, error))
    return FALSE;
  return reread (session, order->id, out_order, error);
}

static ChLabOrder *
find (ChSession   *session,
      const char  *placer_number,
      GError     **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *number = strip_dup (placer_number);
  ChLabOrder *order;

  order = ch_db_lab_order_get_by_number (ch_session_get_store (session), number, &local_error);
  if (order == NULL)
    {
      if (g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        g_set_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_NOT_FOUND,
                     _("There is no lab order “%s”"), number);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return order;
}

gboolean
ch_lab_orders_resend (ChSession    *session,
                      const char   *placer_number,
                      ChLabOrder  **out_order,
                      GError      **error)
{
  g_autoptr (ChLabOrder) order = NULL;
  gboolean cancel;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (placer_number != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  order = find (session, placer_number, error);
  if (order == NULL)
    return FALSE;

  cancel = g_strcmp0 (order->status, "cancelled") == 0;
  if (cancel && g_strcmp0 (order->cancel_delivery, "pending") != 0
      && g_strcmp0 (order->cancel_delivery, "failed") != 0)
    {
      g_set_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_STATE,
                   g_strcmp0 (order->cancel_delivery, "sent") == 0
                   ? _("Order %s is cancelled, and the lab has taken the cancellation")
                   : _("Order %s is cancelled; the lab never had it"),
                   order->placer_number);
      return FALSE;
    }
  if (!cancel && g_strcmp0 (order->status, "pending") != 0
      && g_strcmp0 (order->status, "failed") != 0)
    {
      g_set_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_STATE,
                   g_strcmp0 (order->status, "sent") == 0
                   ? _("Order %s was sent already: the lab has it")
                   : _("Order %s has results already: the lab has it"),
                   order->placer_number);
      return FALSE;
    }
  if (!deliver (session, order->id, cancel, error))
    return FALSE;
  return reread (session, order->id, out_order, error);
}

gboolean
ch_lab_orders_cancel (ChSession    *session,
                      const char   *placer_number,
                      const char   *reason,
                      ChLabOrder  **out_order,
                      GError      **error)
{
  g_autoptr (ChLabOrder) order = NULL;
  g_autofree char *why = strip_dup (reason);
  g_autofree char *detail = NULL;
  ChStore *store;
  gboolean lab_has_it;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (placer_number != NULL, FALSE);

  if (!check_may_order (session, error))
    return FALSE;
  if (*why == '\0')
    return invalid (error, _("Say why the order is cancelled"));
  if (g_utf8_strlen (why, -1) > CH_LAB_ORDERS_MAX_TEXT)
    return invalid (error, _("The reason is too long (at most %d characters)"),
                    CH_LAB_ORDERS_MAX_TEXT);
  g_strdelimit (why, "\r\n\t", ' ');
  order = find (session, placer_number, error);
  if (order == NULL)
    return FALSE;
  if (g_strcmp0 (order->status, "cancelled") == 0)
    {
      g_set_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_STATE,
                   _("Order %s was cancelled already (%s)"), order->placer_number,
                   order->cancel_reason);
      return FALSE;
    }
  if (g_strcmp0 (order->status, "resulted") == 0)
    {
      g_set_error (error, CH_LAB_ORDERS_ERROR, CH_LAB_ORDERS_ERROR_STATE,
                   _("Order %s has all its results: it can no longer be cancelled"),
                   order->placer_number);
      return FALSE;
    }

  /* Only a lab that took the order needs telling. */
  lab_has_it = order->sent_at != 0;
  detail = g_strdup_printf ("lab order %s cancelled: %s", order->placer_number, why);
  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_lab_order_set_cancelled (store, order->id, ch_session_get_username (session), why,
                                      lab_has_it ? "pending" : "", error)
       && ch_session_audit (session, CH_AUDIT_UPDATE, "lab-order", order->placer_number,
                            order->patient_id, detail, error);
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (lab_has_it && !deliver (session, order->id, TRUE, error))
    return FALSE;
  return reread (session, order->id, out_order, error);
}

/* ---- listing --------------------------------------------------------------- */

ChLabOrder *
ch_lab_orders_get (ChSession   *session,
                   const char  *placer_number,
                   GError     **error)
{
  g_autoptr (ChLabOrder) order = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (placer_number != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  order = find (session, placer_number, error);
  if (order == NULL)
    return NULL;
  detail = g_strdup_printf ("lab order %s viewed", order->placer_number);
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "lab-order", order->placer_number,
                         order->patient_id, detail, error))
    return NULL;
  return g_steal_pointer (&order);
}

GPtrArray *
ch_lab_orders_list (ChSession   *session,
                    gint64       patient_id,
                    const char  *status,
                    GError     **error)
{
  static const char * const statuses[] = {
    "pending", "sent", "failed", "partial", "resulted", "cancelled", NULL,
  };
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  if (status != NULL && !g_strv_contains (statuses, status))
    {
      invalid (error, _("“%s” is not an order status (pending, sent, failed, partial, resulted, "
                        "cancelled)"), status);
      return NULL;
    }
  list = ch_db_lab_order_list (ch_session_get_store (session), patient_id, status, 0, error);
  if (list == NULL)
    return NULL;
  detail = g_strdup_printf ("lab orders listed: %u%s%s", list->len, status != NULL ? ", " : "",
                            or_empty (status));
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "lab-orders", "", patient_id, detail, error))
    return NULL;
  return g_steal_pointer (&list);
}
