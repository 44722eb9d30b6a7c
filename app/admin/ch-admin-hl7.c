/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ch-admin-hl7.h"
#include "ch-admin-input.h"
#include "ch-admin-json.h"
#include "ch-admin-output.h"
#include "ch-audit.h"
#include "ch-labs.h"
#include "ch-mllp.h"
#include "ch-patients.h"

/* Tables for people, JSON for scripts: every JSON key is always there,
 * null when there is nothing, so that absent and empty can be told apart. */

void
ch_admin_hl7_options_clear (ChAdminHl7Options *opts)
{
  g_clear_pointer (&opts->patient, g_free);
  g_clear_pointer (&opts->address, g_free);
  g_clear_pointer (&opts->folder, g_free);
}

void
ch_admin_hl7_arity (ChAdminHl7Command  command,
                    guint             *out_min,
                    guint             *out_max)
{
  switch (command)
    {
    case CH_ADMIN_HL7_IMPORT:
      *out_min = 1;
      *out_max = G_MAXUINT;
      break;
    case CH_ADMIN_HL7_ASSIGN:
    case CH_ADMIN_HL7_REPROCESS:
      *out_min = *out_max = 1;
      break;
    case CH_ADMIN_HL7_QUEUE:
    case CH_ADMIN_HL7_LOG:
    case CH_ADMIN_LAB_RESULTS:
    case CH_ADMIN_HL7_LISTEN:
    default:
      *out_min = *out_max = 0;
      break;
    }
}

void
ch_admin_hl7_add_options (GOptionContext    *context,
                          ChAdminHl7Command  command,
                          ChAdminHl7Options *opts)
{
  const GOptionEntry patient_entry[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &opts->patient,
      N_("The patient's medical record number"), N_("MRN") },
    { NULL }
  };
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, N_("Write a JSON array instead of a table"),
      NULL },
    { NULL }
  };
  const GOptionEntry limit_entry[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &opts->limit,
      N_("Show the newest N messages only (default: 50; 0 for all)"), N_("N") },
    { NULL }
  };
  const GOptionEntry history_entry[] = {
    { "history", 0, 0, G_OPTION_ARG_NONE, &opts->history,
      N_("Also list the results that corrections or later results replaced"), NULL },
    { NULL }
  };
  const GOptionEntry listen_entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &opts->port,
      N_("Listen for MLLP connections on port N (0: any free port, printed)"), N_("N") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &opts->address,
      N_("Listen on this IP address only (default: every interface)"), N_("ADDRESS") },
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &opts->folder,
      N_("Watch DIR for files of results; each goes to DIR/processed or DIR/failed once read"),
      N_("DIR") },
    { NULL }
  };
  const char *description = NULL;

  opts->limit = -1;
  opts->port = -1;
  switch (command)
    {
    case CH_ADMIN_HL7_IMPORT:
      description = _("Imports HL7 v2 laboratory results (ORU^R01) from each FILE (- for the "
                      "standard input): one message a file, or several, each starting with its "
                      "MSH segment or each in an MLLP frame. Each message is logged with its "
                      "outcome, and one line printed for it: imported (into the charts of the "
                      "patients it names, matched by MRN or identifier, else by name and birth "
                      "date), queued (no patient matched, or several: see “hl7 queue”), "
                      "rejected (not a readable ORU^R01, or a duplicate) or error (storing "
                      "failed; nothing of it was kept: see “hl7 reprocess”). Exits 1 when any "
                      "message was rejected or failed. Needs write access to the clinical "
                      "record; audited.");
      break;
    case CH_ADMIN_HL7_QUEUE:
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the lab messages waiting for a patient, oldest first, with the "
                      "message id “hl7 assign” takes and why each waits.");
      break;
    case CH_ADMIN_HL7_ASSIGN:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      description = _("Files the results of a queued (or failed) message in the chart of the "
                      "patient given, all or none, and prints what was filed. A message already "
                      "imported is refused. Audited.");
      break;
    case CH_ADMIN_HL7_REPROCESS:
      description = _("Processes a message that failed, or one still queued, again from the "
                      "bytes kept in the log, matching its patients as on arrival. A message "
                      "already imported is refused. Audited.");
      break;
    case CH_ADMIN_HL7_LOG:
      g_option_context_add_main_entries (context, limit_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists the HL7 messages received, newest first, with their outcome.");
      break;
    case CH_ADMIN_LAB_RESULTS:
      g_option_context_add_main_entries (context, patient_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, history_entry, GETTEXT_PACKAGE);
      g_option_context_add_main_entries (context, json_entry, GETTEXT_PACKAGE);
      description = _("Lists a patient's lab results, newest first: value, units, reference "
                      "range, abnormal flags and status (P preliminary, F final, C corrected, "
                      "X cancelled). Audited.");
      break;
    case CH_ADMIN_HL7_LISTEN:
      g_option_context_add_main_entries (context, listen_entries, GETTEXT_PACKAGE);
      description = _("Receives lab results until stopped with Ctrl+C or SIGTERM: over MLLP "
                      "on --port (each message answered with an acknowledgement: AA when it "
                      "was imported or queued, AR or AE with the reason when not), and from "
                      "the files put in --folder. Prints “Listening on port N” and “Watching "
                      "DIR”, then a line for each message. Needs write access to the clinical "
                      "record.");
      break;
    default:
      break;
    }
  if (description != NULL)
    g_option_context_set_description (context, description);
}

static gboolean
parse_message_id (const char  *text,
                  gint64      *out_id)
{
  guint64 id = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL))
    return FALSE;
  *out_id = (gint64) id;
  return TRUE;
}

gboolean
ch_admin_hl7_check (ChAdminHl7Command         command,
                    const ChAdminHl7Options  *opts,
                    const char * const       *args,
                    GError                  **error)
{
  gint64 id;

  switch (command)
    {
    case CH_ADMIN_HL7_ASSIGN:
      if (opts->patient == NULL)
        return ch_admin_usage (error, _("Give --patient MRN"));
      G_GNUC_FALLTHROUGH;
    case CH_ADMIN_HL7_REPROCESS:
      if (args[0] == NULL || !parse_message_id (args[0], &id))
        return ch_admin_usage (error, _("Give the message id, a number as “hl7 queue” and "
                                        "“hl7 log” show it"));
      return TRUE;
    case CH_ADMIN_HL7_LOG:
      if (opts->limit < -1)
        return ch_admin_usage (error, _("Give --limit as 0 or more"));
      return TRUE;
    case CH_ADMIN_LAB_RESULTS:
      if (opts->patient == NULL)
        return ch_admin_usage (error, _("Give --patient MRN"));
      return TRUE;
    case CH_ADMIN_HL7_LISTEN:
      if (opts->port < -1 || opts->port > 65535)
        return ch_admin_usage (error, _("Give the port as --port N, from 0 to 65535"));
      if (opts->port < 0 && opts->folder == NULL)
        return ch_admin_usage (error, _("Give --port N, --folder DIR or both"));
      return TRUE;
    case CH_ADMIN_HL7_IMPORT:
    case CH_ADMIN_HL7_QUEUE:
    default:
      return TRUE;
    }
}

/* ---- JSON ------------------------------------------------------------------ */

static char *
messages_json (GPtrArray *messages)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    {
      const ChLabMessage *m = messages->pdata[i];

      json_builder_begin_object (builder);
      ch_admin_json_add_id (builder, "id", m->id);
      ch_admin_json_add_time (builder, "received_at", m->received_at);
      ch_admin_json_add_string (builder, "source", m->source);
      ch_admin_json_add_string (builder, "control_id", m->control_id);
      ch_admin_json_add_string (builder, "sending_application", m->sending_application);
      ch_admin_json_add_string (builder, "sending_facility", m->sending_facility);
      ch_admin_json_add_string (builder, "message_type", m->message_type);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, m->size);
      ch_admin_json_add_string (builder, "patient_name", m->patient_name);
      ch_admin_json_add_string (builder, "patient_ids", m->patient_ref);
      ch_admin_json_add_string (builder, "birth_date", m->birth_date);
      ch_admin_json_add_string (builder, "outcome", m->outcome);
      ch_admin_json_add_string (builder, "reason", m->reason);
      ch_admin_json_add_string (builder, "patient", m->patient_mrn);
      ch_admin_json_add_time (builder, "processed_at", m->processed_at);
      ch_admin_json_add_string (builder, "processed_by", m->processed_by);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, m->attempts);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}

static char *
results_json (GPtrArray *results)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    {
      const ChLabResult *r = results->pdata[i];

      json_builder_begin_object (builder);
      ch_admin_json_add_id (builder, "id", r->id);
      ch_admin_json_add_id (builder, "report_id", r->report_id);
      ch_admin_json_add_id (builder, "message_id", r->message_id);
      ch_admin_json_add_string (builder, "test_code", r->test_code);
      ch_admin_json_add_string (builder, "test_text", r->test_text);
      ch_admin_json_add_string (builder, "placer_number", r->placer_number);
      ch_admin_json_add_string (builder, "filler_number", r->filler_number);
      ch_admin_json_add_string (builder, "code", r->code);
      ch_admin_json_add_string (builder, "text", r->text);
      ch_admin_json_add_string (builder, "system", r->system);
      ch_admin_json_add_string (builder, "sub_id", r->sub_id);
      ch_admin_json_add_string (builder, "value_type", r->value_type);
      ch_admin_json_add_string (builder, "value", r->value);
      json_builder_set_member_name (builder, "numeric_value");
      if (r->has_numeric_value)
        json_builder_add_double_value (builder, r->numeric_value);
      else
        json_builder_add_null_value (builder);
      ch_admin_json_add_string (builder, "units", r->units);
      ch_admin_json_add_string (builder, "reference_range", r->reference_range);
      ch_admin_json_add_string (builder, "abnormal_flags", r->abnormal_flags);
      ch_admin_json_add_string (builder, "status", r->status);
      ch_admin_json_add_string (builder, "observed_at", r->observed_at);
      ch_admin_json_add_string (builder, "comments", r->comments);
      ch_admin_json_add_id (builder, "document_id", r->document_id);
      json_builder_set_member_name (builder, "current");
      json_builder_add_boolean_value (builder, r->current);
      ch_admin_json_add_id (builder, "replaced_by", r->replaced_by);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}

/* ---- tables ---------------------------------------------------------------- */

static char *
one_line (const char *text)
{
  char *line = g_strdup (text != NULL ? text : "");

  g_strdelimit (line, "\r\n\t", ' ');
  return line;
}

static void
print_messages (GPtrArray *messages,
                gboolean   queue)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (queue)
    g_ptr_array_add (rows, g_strsplit (_("ID|RECEIVED|FROM|PATIENT|PATIENT IDS|BORN|WHY"), "|", -1));
  else
    g_ptr_array_add (rows, g_strsplit (_("ID|RECEIVED|SOURCE|FROM|TYPE|CONTROL ID|OUTCOME|PATIENT|"
                                         "WHY"), "|", -1));
  for (guint i = 0; i < messages->len; i++)
    {
      const ChLabMessage *m = messages->pdata[i];
      char **row = g_new0 (char *, 10);
      guint c = 0;

      row[c++] = g_strdup_printf ("%" G_GINT64_FORMAT, m->id);
      row[c++] = ch_audit_format_time (m->received_at);
      if (!queue)
        row[c++] = g_strdup (m->source);
      row[c++] = g_strdup (*m->sending_facility != '\0' ? m->sending_facility
                                                        : m->sending_application);
      if (queue)
        {
          row[c++] = g_strdup (m->patient_name);
          row[c++] = g_strdup (m->patient_ref);
          row[c++] = g_strdup (m->birth_date);
        }
      else
        {
          row[c++] = g_strdup (m->message_type);
          row[c++] = g_strdup (m->control_id);
          row[c++] = g_strdup (m->outcome);
          row[c++] = g_strdup (m->patient_mrn);
        }
      row[c++] = one_line (m->reason);
      g_ptr_array_add (rows, row);
    }
  ch_admin_print_table (rows, queue ? 7 : 9);
}

static void
print_results (GPtrArray *results,
               gboolean   history)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint n_columns = history ? 9 : 8;

  g_ptr_array_add (rows, g_strsplit (history ? _("OBSERVED|TEST|RESULT|VALUE|UNITS|RANGE|FLAGS|"
                                                 "STATUS|CURRENT")
                                             : _("OBSERVED|TEST|RESULT|VALUE|UNITS|RANGE|FLAGS|"
                                                 "STATUS"), "|", -1));
  for (guint i = 0; i < results->len; i++)
    {
      const ChLabResult *r = results->pdata[i];
      char **row = g_new0 (char *, n_columns + 1);

      row[0] = g_strdup (r->observed_at);
      row[1] = g_strdup (*r->test_text != '\0' ? r->test_text : r->test_code);
      row[2] = *r->code != '\0' && *r->text != '\0' ? g_strdup_printf ("%s (%s)", r->text, r->code)
                                                    : g_strdup (*r->text != '\0' ? r->text : r->code);
      if (r->document_id > 0)
        row[3] = g_strdup_printf (_("document %lld"), (long long) r->document_id);
      else
        row[3] = one_line (r->value);
      row[4] = g_strdup (r->units);
      row[5] = g_strdup (r->reference_range);
      row[6] = g_strdup (r->abnormal_flags);
      row[7] = g_strdup (r->status);
      if (history)
        row[8] = r->current ? g_strdup (_("yes"))
                            : g_strdup_printf (_("replaced by %lld"),
                                               (long long) r->replaced_by);
      g_ptr_array_add (rows, row);
    }
  ch_admin_print_table (rows, n_columns);
}

/* ---- commands -------------------------------------------------------------- */

static void
print_outcome (const char               *label,
               const ChLabsImportResult *r)
{
  switch (r->outcome)
    {
    case CH_LABS_OUTCOME_IMPORTED:
      g_print (_("%s: message %lld imported for MRN %s: %u reports, %u results "
                 "(%u replacing earlier ones), %u documents\n"),
               label, (long long) r->message_id, r->mrns, r->n_reports, r->n_results, r->n_replaced,
               r->n_documents);
      break;
    case CH_LABS_OUTCOME_QUEUED:
      g_print (_("%s: message %lld queued: %s\n"), label, (long long) r->message_id,
               r->reason);
      break;
    case CH_LABS_OUTCOME_REJECTED:
      g_print (_("%s: message %lld rejected: %s\n"), label, (long long) r->message_id,
               r->reason);
      break;
    case CH_LABS_OUTCOME_FAILED:
    default:
      g_print (_("%s: message %lld error: %s\n"), label, (long long) r->message_id,
               r->reason);
      break;
    }
  fflush (stdout);
}

static GBytes *
read_input (const char  *path,
            GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_strcmp0 (path, "-") == 0)
    {
      g_autoptr (GByteArray) data = g_byte_array_new ();
      guint8 buffer[65536];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_byte_array_append (data, buffer, (guint) n);
      if (ferror (stdin))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Cannot read the standard input"));
          return NULL;
        }
      return g_byte_array_free_to_bytes (g_steal_pointer (&data));
    }
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static gboolean
run_import (ChSession           *session,
            const char * const  *files,
            GError             **error)
{
  guint n_messages = 0, n_failed = 0, n_unread = 0;

  for (guint f = 0; files[f] != NULL; f++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GBytes) data = read_input (files[f], &local_error);
      g_autoptr (GPtrArray) messages = NULL;
      g_autoptr (GArray) results = NULL;
      g_autofree char *display = g_filename_display_name (files[f]);

      if (data == NULL)
        {
          g_printerr ("charta-admin: %s\n", local_error->message);
          n_unread++;
          continue;
        }
      messages = ch_labs_split_batch (data);
      /* A file's messages are stored together (each one whole or not at
       * all): a lab's batch file of thousands takes seconds, not minutes. */
      if (!ch_labs_import_messages (session, messages,
                                    g_strcmp0 (files[f], "-") == 0 ? CH_LABS_SOURCE_CLI
                                                                   : CH_LABS_SOURCE_FILE,
                                    &results, error))
        return FALSE;
      for (guint i = 0; i < results->len; i++)
        {
          ChLabsImportResult *result = &g_array_index (results, ChLabsImportResult, i);
          g_autofree char *label = messages->len > 1
                                   ? g_strdup_printf ("%s (%u/%u)", display, i + 1, messages->len)
                                   : g_strdup (display);

          n_messages++;
          print_outcome (label, result);
          if (result->outcome == CH_LABS_OUTCOME_REJECTED || result->outcome == CH_LABS_OUTCOME_FAILED)
            n_failed++;
        }
    }
  if (n_unread > 0)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE, "%u file could not be read",
                                "%u files could not be read", n_unread), n_unread);
      return FALSE;
    }
  if (n_failed > 0)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE, "%u of %u message was not imported (rejected "
                                "or failed)", "%u of %u messages were not imported (rejected "
                                "or failed)", n_messages), n_failed, n_messages);
      return FALSE;
    }
  return TRUE;
}

/* ---- listening ------------------------------------------------------------- */

/* The MLLP server's thread and the main thread's look at the folder take
 * turns with the session. */
typedef struct
{
  ChSession  *session;
  GMutex      lock;
  const char *folder;
  GMainLoop  *loop;
} Listener;

static GBytes *
on_mllp_message (GBytes     *message,
                 const char *peer,
                 gpointer    user_data)
{
  Listener *l = user_data;
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ChHl7Message) ack = NULL;
  gboolean logged;

  g_mutex_lock (&l->lock);
  logged = ch_labs_import_message (l->session, message, CH_LABS_SOURCE_MLLP, &result, &error);
  g_mutex_unlock (&l->lock);

  if (logged)
    print_outcome (peer, &result);
  else
    {
      g_printerr (_("%s: the message could not be stored: %s\n"), peer, error->message);
      fflush (stderr);
    }
  ack = ch_labs_make_ack (message, logged ? &result : NULL);
  return ch_hl7_message_to_bytes (ack);
}

static void
on_folder_file (const char               *path,
                const ChLabsImportResult *result,
                const GError             *error,
                gpointer                  user_data)
{
  g_autofree char *name = g_path_get_basename (path);

  if (result != NULL)
    print_outcome (name, result);
  else
    {
      g_printerr ("%s: %s\n", name, error->message);
      fflush (stderr);
    }
}

static gboolean
look_at_folder (gpointer user_data)
{
  Listener *l = user_data;
  g_autoptr (GError) error = NULL;
  gint taken;

  g_mutex_lock (&l->lock);
  taken = ch_labs_import_folder (l->session, l->folder, on_folder_file, NULL, &error);
  g_mutex_unlock (&l->lock);
  if (taken < 0)
    {
      g_printerr (_("%s: %s (trying again)\n"), l->folder, error->message);
      fflush (stderr);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
run_listen (ChSession                *session,
            const ChAdminHl7Options  *opts,
            GError                  **error)
{
  g_autoptr (ChMllpServer) server = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Listener l = { .session = session, .folder = opts->folder, .loop = loop };
  guint sigint, sigterm, timer = 0;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (opts->folder != NULL && !g_file_test (opts->folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("The drop folder “%s” does not exist"), opts->folder);
      return FALSE;
    }
  g_mutex_init (&l.lock);

  if (opts->port >= 0)
    {
      server = ch_mllp_server_new (opts->address, (guint16) opts->port, on_mllp_message, &l,
                                   error);
      if (server == NULL)
        {
          g_mutex_clear (&l.lock);
          return FALSE;
        }
      g_print (_("Listening on port %u\n"), ch_mllp_server_get_port (server));
    }
  if (opts->folder != NULL)
    {
      g_print (_("Watching %s\n"), opts->folder);
      look_at_folder (&l);
      timer = g_timeout_add_seconds (1, look_at_folder, &l);
    }
  fflush (stdout);

  sigint = g_unix_signal_add (SIGINT, on_stop_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (timer != 0)
    g_source_remove (timer);

  /* Waits for a message being filed, if one is. */
  g_clear_pointer (&server, ch_mllp_server_free);
  g_mutex_clear (&l.lock);
  g_print ("%s\n", _("Stopped"));
  return TRUE;
}

gboolean
ch_admin_hl7_run (ChSession                *session,
                  ChAdminHl7Command         command,
                  const ChAdminHl7Options  *opts,
                  const char * const       *args,
                  GError                  **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_auto (ChLabsImportResult) result = { 0 };
  gint64 id = 0;

  switch (command)
    {
    case CH_ADMIN_HL7_IMPORT:
      return run_import (session, args, error);

    case CH_ADMIN_HL7_LISTEN:
      return run_listen (session, opts, error);

    case CH_ADMIN_HL7_QUEUE:
    case CH_ADMIN_HL7_LOG:
      if (command == CH_ADMIN_HL7_QUEUE)
        list = ch_labs_list_queue (session, error);
      else
        list = ch_labs_list_messages (session, opts->limit < 0 ? 50 : (guint) opts->limit, error);
      if (list == NULL)
        return FALSE;
      if (opts->json)
        {
          g_autofree char *text = messages_json (list);

          g_print ("%s\n", text);
        }
      else
        print_messages (list, command == CH_ADMIN_HL7_QUEUE);
      return TRUE;

    case CH_ADMIN_HL7_ASSIGN:
    case CH_ADMIN_HL7_REPROCESS:
      if (!parse_message_id (args[0], &id))
        return ch_admin_usage (error, _("Give the message id, a number as “hl7 queue” and "
                                        "“hl7 log” show it"));
      if (command == CH_ADMIN_HL7_ASSIGN)
        {
          patient = ch_patients_get_by_mrn (session, opts->patient, error);
          if (patient == NULL || !ch_labs_assign (session, id, patient->id, &result, error))
            return FALSE;
        }
      else if (!ch_labs_reprocess (session, id, &result, error))
        return FALSE;
      print_outcome (args[0], &result);
      if (result.outcome == CH_LABS_OUTCOME_IMPORTED)
        return TRUE;
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("Message %s was not imported: %s"), args[0], result.reason);
      return FALSE;

    case CH_ADMIN_LAB_RESULTS:
      patient = ch_patients_get_by_mrn (session, opts->patient, error);
      if (patient == NULL)
        return FALSE;
      list = ch_labs_list_results (session, patient->id, opts->history, error);
      if (list == NULL)
        return FALSE;
      if (opts->json)
        {
          g_autofree char *text = results_json (list);

          g_print ("%s\n", text);
        }
      else
        print_results (list, opts->history);
      return TRUE;

    default:
      g_return_val_if_reached (FALSE);
    }
}
