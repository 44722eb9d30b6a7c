/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-labs"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-documents.h"
#include "ch-hl7-oru.h"
#include "ch-imaging-db.h"
#include "ch-lab-order-db.h"
#include "ch-labs.h"
#include "ch-patient-db.h"
#include "ch-records.h"
#include "ch-validate.h"

/* Results in: the log first, then the chart.
 *
 * A message is logged in a transaction of its own before anything else is
 * tried (outcome "error", "not processed yet"), so that a crash or a full
 * disk midway leaves a message that can be processed again, never one
 * lost. Then its results go in, in one transaction that also sets its
 * outcome: a failure rolls all of it back and records the outcome "error"
 * with the reason instead. Assigning and processing again take the same
 * path from the stored bytes. */

G_DEFINE_QUARK (ch-labs-error-quark, ch_labs_error)

#define REASON_MAX 2000

/* HL7 table 0085, the observation result statuses the schema accepts. */
static const char * const result_statuses[] = {
  "C", "D", "F", "I", "N", "O", "P", "R", "S", "U", "W", "X", NULL,
};

const char *
ch_labs_source_to_string (ChLabsSource source)
{
  switch (source)
    {
    case CH_LABS_SOURCE_FILE: return "file";
    case CH_LABS_SOURCE_MLLP: return "mllp";
    case CH_LABS_SOURCE_FOLDER: return "folder";
    case CH_LABS_SOURCE_CLI: return "cli";
    default:
      g_return_val_if_reached ("file");
    }
}

const char *
ch_labs_outcome_to_string (ChLabsOutcome outcome)
{
  switch (outcome)
    {
    case CH_LABS_OUTCOME_IMPORTED: return "imported";
    case CH_LABS_OUTCOME_QUEUED: return "queued";
    case CH_LABS_OUTCOME_REJECTED: return "rejected";
    case CH_LABS_OUTCOME_FAILED: return "error";
    default:
      g_return_val_if_reached ("error");
    }
}

void
ch_labs_import_result_clear (ChLabsImportResult *r)
{
  g_clear_pointer (&r->reason, g_free);
  g_clear_pointer (&r->control_id, g_free);
  g_clear_pointer (&r->mrns, g_free);
  memset (r, 0, sizeof *r);
}

/* ---- splitting ------------------------------------------------------------- */

static gboolean
only_space (const guint8 *data,
            gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]) && data[i] != CH_HL7_MLLP_START && data[i] != CH_HL7_MLLP_END)
      return FALSE;
  return TRUE;
}

static gboolean
starts_segment (const guint8 *data,
                gsize         len,
                gsize         pos,
                const char   *name)
{
  return (pos == 0 || data[pos - 1] == '\r' || data[pos - 1] == '\n') &&
         pos + 3 <= len && memcmp (data + pos, name, 3) == 0;
}

/* Whether @data (what came before the first MSH) is only a batch envelope. */
static gboolean
only_envelope (const guint8 *data,
               gsize         len)
{
  gsize pos = 0;

  while (pos < len)
    {
      gsize end = pos;

      while (end < len && data[end] != '\r' && data[end] != '\n')
        end++;
      if (end > pos && !only_space (data + pos, end - pos) &&
          !(end - pos >= 3 && (memcmp (data + pos, "FHS", 3) == 0 ||
                               memcmp (data + pos, "BHS", 3) == 0)))
        return FALSE;
      pos = end + 1;
    }
  return TRUE;
}

GPtrArray *
ch_labs_split_batch (GBytes *data)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const guint8 *bytes;
  gsize len, pos = 0, start = G_MAXSIZE;

  g_return_val_if_fail (data != NULL, messages);

  bytes = g_bytes_get_data (data, &len);
  if (len > 0 && memchr (bytes, CH_HL7_MLLP_START, len) != NULL)
    {
      gsize offset, msg_len, consumed;

      while (pos < len &&
             ch_hl7_mllp_unframe (bytes + pos, len - pos, &offset, &msg_len, &consumed))
        {
          g_ptr_array_add (messages, g_bytes_new_from_bytes (data, pos + offset, msg_len));
          pos += consumed;
        }
      /* A last frame cut short is still something received. */
      if (pos < len && !only_space (bytes + pos, len - pos))
        g_ptr_array_add (messages, g_bytes_new_from_bytes (data, pos, len - pos));
      if (messages->len == 0)
        g_ptr_array_add (messages, g_bytes_ref (data));
      return messages;
    }

  for (pos = 0; pos < len; pos++)
    {
      if (!starts_segment (bytes, len, pos, "MSH"))
        continue;
      if (start == G_MAXSIZE)
        {
          if (pos > 0 && !only_envelope (bytes, pos))
            g_ptr_array_add (messages, g_bytes_new_from_bytes (data, 0, pos));
        }
      else
        g_ptr_array_add (messages, g_bytes_new_from_bytes (data, start, pos - start));
      start = pos;
    }
  if (start != G_MAXSIZE)
    g_ptr_array_add (messages, g_bytes_new_from_bytes (data, start, len - start));
  else if (!only_space (bytes, len))
    g_ptr_array_add (messages, g_bytes_ref (data));
  else if (messages->len == 0)
    g_ptr_array_add (messages, g_bytes_ref (data));
  return messages;
}

/* ---- values ---------------------------------------------------------------- */

static char *
clip (const char *text,
      glong       max)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (g_utf8_strlen (copy, -1) <= max)
    return g_steal_pointer (&copy);
  return g_utf8_substring (copy, 0, max);
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* A plain decimal number, all of @text. */
static gboolean
parse_number (const char *text,
              double     *out)
{
  const char *p = text;
  gboolean digits = FALSE;
  char *end = NULL;

  if (text == NULL)
    return FALSE;
  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  if (*p == '.')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  if (!digits || *p != '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && isfinite (*out);
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static int
digits_at (const char *text,
           gsize       at,
           gsize       width)
{
  int value = 0;

  for (gsize i = 0; i < width; i++)
    value = value * 10 + (text[at + i] - '0');
  return value;
}

/* An HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S…]]]]]][±ZZZZ]) as ISO 8601 with the
 * precision it has, and as µs since the epoch (the practice's time zone
 * when it names none). FALSE when it is not a time. */
static gboolean
parse_hl7_time (const char  *text,
                char       **out_iso,
                gint64      *out_ts)
{
  g_autoptr (GTimeZone) tz = NULL;
  g_autoptr (GDateTime) dt = NULL;
  int parts[6] = { 0, 1, 1, 0, 0, 0 };
  double fraction = 0;
  gsize n_digits;
  const char *p;
  int offset = 0;
  gboolean has_offset = FALSE;
  GString *iso;

  *out_iso = NULL;
  *out_ts = 0;
  if (text == NULL)
    return FALSE;

  n_digits = strspn (text, "0123456789");
  if (n_digits < 4 || n_digits > 14 || n_digits % 2 != 0)
    return FALSE;
  parts[0] = digits_at (text, 0, 4);
  for (guint i = 1; i < 6 && 2 + i * 2 + 2 <= n_digits; i++)
    parts[i] = digits_at (text, 2 + i * 2, 2);
  p = text + n_digits;
  if (*p == '.')
    {
      gsize n = strspn (p + 1, "0123456789");

      if (n == 0 || n_digits != 14)
        return FALSE;
      fraction = g_ascii_strtod (p, NULL);
      p += 1 + n;
    }
  if (*p == '+' || *p == '-')
    {
      if (strlen (p + 1) != 4 || !all_digits (p + 1, 4))
        return FALSE;
      offset = (int) ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
               (int) ((p[3] - '0') * 10 + (p[4] - '0')) * 60;
      if (*p == '-')
        offset = -offset;
      has_offset = TRUE;
      p += 5;
    }
  if (*p != '\0')
    return FALSE;

  tz = has_offset ? g_time_zone_new_offset (offset) : g_time_zone_new_local ();
  dt = g_date_time_new (tz, parts[0], parts[1], parts[2], parts[3], parts[4],
                        parts[5] + fraction);
  if (dt == NULL)
    return FALSE;

  iso = g_string_new (NULL);
  g_string_append_printf (iso, "%04d", parts[0]);
  if (n_digits >= 6)
    g_string_append_printf (iso, "-%02d", parts[1]);
  if (n_digits >= 8)
    g_string_append_printf (iso, "-%02d", parts[2]);
  if (n_digits >= 12)
    g_string_append_printf (iso, "T%02d:%02d", parts[3], parts[4]);
  else if (n_digits >= 10)
    g_string_append_printf (iso, "T%02d:00", parts[3]);
  if (n_digits >= 14)
    g_string_append_printf (iso, ":%02d", parts[5]);
  if (n_digits >= 10 && has_offset)
    g_string_append_printf (iso, "%c%02d:%02d", offset < 0 ? '-' : '+', abs (offset) / 3600,
                            (abs (offset) % 3600) / 60);

  *out_iso = g_string_free (iso, FALSE);
  *out_ts = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* "YYYY-MM-DD" of an HL7 date or time, or NULL. */
static char *
hl7_date (const char *text)
{
  g_autofree char *iso = NULL;

  if (text == NULL || strlen (text) < 8 || !all_digits (text, 8))
    return NULL;
  iso = g_strdup_printf ("%.4s-%.2s-%.2s", text, text + 4, text + 6);
  return ch_valid_date (iso) ? g_steal_pointer (&iso) : NULL;
}

static char *
join_comments (GPtrArray *comments)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; comments != NULL && i < comments->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "\n" : "", (char *) comments->pdata[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- the header, for the log ----------------------------------------------- */

/* The element, stripped and clipped to @max characters; "" when absent. */
static char *
get_field (ChHl7Message *msg,
           const char   *segment,
           guint         field,
           guint         comp,
           glong         max)
{
  g_autofree char *value = ch_hl7_message_get (msg, segment, 0, field, 1, comp, 0);

  return clip (value, max);
}

/* What the log keeps about @msg, read leniently: even from a message that
 * is no ORU. */
static void
read_header (ChHl7Message *msg,
             ChLabMessage *m)
{
  g_autofree char *type = get_field (msg, "MSH", 9, 1, 20);
  g_autofree char *trigger = get_field (msg, "MSH", 9, 2, 20);
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;
  g_autofree char *middle = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *birth_date = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GString) refs = g_string_new (NULL);
  int pid = ch_hl7_message_find (msg, "PID", 0);

  g_free (m->control_id);
  m->control_id = get_field (msg, "MSH", 10, 1, 200);
  g_free (m->sending_application);
  m->sending_application = get_field (msg, "MSH", 3, 1, 200);
  g_free (m->sending_facility);
  m->sending_facility = get_field (msg, "MSH", 4, 1, 200);
  g_free (m->message_type);
  if (*trigger != '\0')
    m->message_type = g_strdup_printf ("%s^%s", type, trigger);
  else
    m->message_type = g_strdup (type);

  if (pid < 0)
    return;
  family = ch_hl7_message_get_at (msg, pid, 5, 1, 1, 1);
  given = ch_hl7_message_get_at (msg, pid, 5, 1, 2, 0);
  middle = ch_hl7_message_get_at (msg, pid, 5, 1, 3, 0);
  birth = ch_hl7_message_get_at (msg, pid, 7, 1, 1, 0);
  name = g_strdup_printf ("%s^%s^%s", or_empty (family), or_empty (given), or_empty (middle));
  /* "Doe^Jane^" reads better as "Doe^Jane". */
  while (g_str_has_suffix (name, "^"))
    name[strlen (name) - 1] = '\0';
  g_free (m->patient_name);
  m->patient_name = clip (name, 200);
  g_free (m->birth_date);
  birth_date = hl7_date (birth);
  m->birth_date = g_strdup (or_empty (birth_date));

  for (guint r = 1; r <= ch_hl7_message_get_n_repetitions (msg, pid, 3); r++)
    {
      g_autofree char *id = ch_hl7_message_get_at (msg, pid, 3, r, 1, 0);
      g_autofree char *id_type = ch_hl7_message_get_at (msg, pid, 3, r, 5, 0);

      if (!ch_has_text (id))
        continue;
      g_string_append_printf (refs, "%s%s", refs->len > 0 ? ", " : "", g_strstrip (id));
      if (ch_has_text (id_type))
        g_string_append_printf (refs, " (%s)", g_strstrip (id_type));
    }
  g_free (m->patient_ref);
  m->patient_ref = clip (refs->str, 400);
}

/* ---- matching -------------------------------------------------------------- */

static char *
display_name (const ChHl7Patient *p)
{
  if (ch_has_text (p->given) && ch_has_text (p->family))
    return g_strdup_printf ("%s %s", p->given, p->family);
  return g_strdup (ch_has_text (p->family) ? p->family : or_empty (p->given));
}

static char *
identifiers_text (const ChHl7Patient *p)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < p->identifiers->len; i++)
    {
      const ChHl7Identifier *id = p->identifiers->pdata[i];

      g_string_append_printf (out, "%s“%s”", i > 0 ? ", " : "", id->id);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The one patient @p is, or 0 with *@out_reason saying why not. */
static gboolean
match_patient (ChStore             *store,
               const ChHl7Patient  *p,
               gint64              *out_patient_id,
               char               **out_reason,
               GError             **error)
{
  g_autoptr (GArray) by_ref = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) by_name = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *name = display_name (p);
  g_autofree char *ids = identifiers_text (p);
  g_autofree char *birth_date = hl7_date (p->birth_date);
  gboolean have_name = ch_has_text (p->family) && birth_date != NULL;

  *out_patient_id = 0;
  *out_reason = NULL;

  for (guint i = 0; i < p->identifiers->len; i++)
    {
      const ChHl7Identifier *id = p->identifiers->pdata[i];
      gboolean ok;

      /* The medical record number is ours only when the sender says so, or
       * says nothing; a lab's own number (PI) or a social security number
       * can only be another identifier of the chart. */
      if (id->type == NULL || g_strcmp0 (id->type, "MR") == 0)
        ok = ch_db_imaging_match_ref (store, id->id, by_ref, error);
      else
        ok = ch_db_lab_match_identifier (store, id->id, by_ref, error);
      if (!ok)
        return FALSE;
    }

  if (by_ref->len == 1)
    {
      gint64 patient_id = g_array_index (by_ref, gint64, 0);
      g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, patient_id, error);
      g_autofree char *family = NULL;
      g_autofree char *chart_family = NULL;

      if (patient == NULL)
        return FALSE;
      /* An identifier alone is not trusted against what else the message
       * says: another site's number may be one of ours by chance. */
      family = ch_fold (or_empty (p->family));
      chart_family = ch_fold (or_empty (patient->family_name));
      if (birth_date != NULL && g_strcmp0 (birth_date, patient->birth_date) != 0)
        {
          *out_reason = g_strdup_printf (_("The ID %s is of patient %s, born %s, but the message "
                                           "says %s, born %s"),
                                         ids, patient->mrn, or_empty (patient->birth_date),
                                         name, birth_date);
          return TRUE;
        }
      if (*family != '\0' && g_strcmp0 (family, chart_family) != 0)
        {
          *out_reason = g_strdup_printf (_("The ID %s is of patient %s, but the message names %s"),
                                         ids, patient->mrn, name);
          return TRUE;
        }
      *out_patient_id = patient_id;
      return TRUE;
    }
  if (by_ref->len > 1)
    {
      *out_reason = g_strdup_printf (_("%u patients have the ID %s"), by_ref->len, ids);
      return TRUE;
    }

  if (have_name)
    {
      g_autofree char *full = g_strconcat (p->family, " ", or_empty (p->given), NULL);
      g_autofree char *key = ch_fold (full);

      if (!ch_db_imaging_match_name (store, key, birth_date, by_name, error))
        return FALSE;
      /* A middle name sent may be part of the given name in the chart. */
      if (by_name->len == 0 && ch_has_text (p->middle))
        {
          g_autofree char *longer = g_strconcat (p->family, " ", or_empty (p->given), " ",
                                                 p->middle, NULL);
          g_autofree char *longer_key = ch_fold (longer);

          if (!ch_db_imaging_match_name (store, longer_key, birth_date, by_name, error))
            return FALSE;
        }
      if (by_name->len == 1)
        {
          *out_patient_id = g_array_index (by_name, gint64, 0);
          return TRUE;
        }
      if (by_name->len > 1)
        {
          *out_reason = g_strdup_printf (_("%u patients match %s, born %s"), by_name->len, name,
                                         birth_date);
          return TRUE;
        }
      *out_reason = g_strdup_printf (_("No patient has the ID %s, and none is %s, born %s"), ids,
                                     name, birth_date);
      return TRUE;
    }

  *out_reason = g_strdup_printf (_("No patient has the ID %s (and no name with a birth date "
                                   "came with it)"), ids);
  return TRUE;
}

/* ---- processing ------------------------------------------------------------ */

static char *
message_id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* Records an outcome other than "imported", with its audit entry, in a
 * transaction of its own. */
static gboolean
finish (ChSession           *session,
        const ChLabMessage  *header,
        ChLabsOutcome        outcome,
        const char          *reason,
        gboolean             new_attempt,
        ChLabsImportResult  *result,
        GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *id = message_id_text (header->id);
  g_autofree char *why = clip (reason, REASON_MAX);
  g_autofree char *detail = NULL;
  gboolean ok;

  detail = g_strdup_printf ("HL7 message %s (%s %s from %s): %s: %s", id,
                            ch_has_text (header->message_type) ? header->message_type : "?",
                            or_empty (header->control_id), or_empty (header->sending_facility),
                            ch_labs_outcome_to_string (outcome), why);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_lab_message_set_header (store, header, error) &&
       ch_db_lab_message_set_outcome (store, header->id, ch_labs_outcome_to_string (outcome), why,
                                      0, ch_session_get_username (session), new_attempt, error) &&
       ch_session_audit (session, CH_AUDIT_UPDATE, "hl7-message", id, 0, detail, error);
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;

  result->outcome = outcome;
  result->reason = g_steal_pointer (&why);
  return TRUE;
}

/* What one PID group comes to. */
typedef struct
{
  const ChHl7PatientResult *group;
  gint64 patient_id;
  char *reason;
  guint n_reports;
  guint n_results;
  guint n_replaced;
  guint n_documents;
} Group;

static void
group_free (gpointer data)
{
  Group *g = data;

  g_free (g->reason);
  g_free (g);
}

static gboolean
is_pdf (const ChHl7Observation *obs)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (obs->data, &len);

  return g_ascii_strcasecmp (or_empty (obs->data_subtype), "PDF") == 0 ||
         (len >= 5 && memcmp (data, "%PDF-", 5) == 0);
}

static char *
make_source (const ChHl7Oru *oru)
{
  if (ch_has_text (oru->sending_facility) && ch_has_text (oru->sending_application))
    return g_strdup_printf (_("%s (%s) over HL7"), oru->sending_facility,
                            oru->sending_application);
  if (ch_has_text (oru->sending_facility) || ch_has_text (oru->sending_application))
    return g_strdup_printf (_("%s over HL7"), ch_has_text (oru->sending_facility)
                                              ? oru->sending_facility
                                              : oru->sending_application);
  return g_strdup ("HL7");
}

static char *
match_key (const ChHl7Order       *order,
           const ChHl7Observation *obs)
{
  const char *order_key = ch_has_text (order->filler_number) ? order->filler_number
                                                              : order->placer_number;
  const char *code = ch_has_text (obs->observation.code) ? obs->observation.code
                                                          : obs->observation.text;

  if (!ch_has_text (order_key) || !ch_has_text (code))
    return g_strdup ("");
  return g_strdup_printf ("%s\x1f%s\x1f%s", order_key, code, or_empty (obs->sub_id));
}

/* Files one OBX of @report. In the caller's transaction. */
static gboolean
store_result (ChSession              *session,
              const ChHl7Oru         *oru,
              const ChHl7Order       *order,
              const ChHl7Observation *obs,
              const ChLabReport      *report,
              Group                  *g,
              GError                **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLabResult) r = ch_lab_result_new ();
  g_autoptr (ChLabResult) existing = NULL;
  g_autoptr (GError) local_error = NULL;
  gint64 replaces = 0;

  r->report_id = report->id;
  r->patient_id = g->patient_id;
  r->has_set_id = obs->set_id > 0;
  r->set_id = (gint) obs->set_id;
  r->code = clip (obs->observation.code, 100);
  r->text = clip (obs->observation.text, 500);
  r->system = clip (obs->observation.system, 100);
  r->sub_id = clip (obs->sub_id, 100);
  r->value_type = clip (obs->value_type_name, 10);
  r->value = obs->value != NULL ? g_strdup (obs->value) : NULL;
  if (obs->value_type == CH_HL7_VALUE_NM || obs->value_type == CH_HL7_VALUE_SN)
    r->has_numeric_value = parse_number (obs->value, &r->numeric_value);
  r->units = clip (obs->units, 100);
  r->reference_range = clip (obs->reference_range, 200);
  r->abnormal_flags = clip (obs->abnormal_flags, 100);
  r->status = g_strdup (obs->status);
  if (!parse_hl7_time (obs->observed_at, &r->observed_at, &r->observed_ts))
    {
      g_clear_pointer (&r->observed_at, g_free);
      /* No time of its own: the specimen's. */
      if (!parse_hl7_time (order->observed_at, &r->observed_at, &r->observed_ts))
        g_clear_pointer (&r->observed_at, g_free);
    }
  r->has_observed_ts = r->observed_at != NULL;
  if (r->observed_at == NULL)
    r->observed_at = clip (obs->observed_at != NULL ? obs->observed_at : order->observed_at, 50);
  r->comments = join_comments (obs->comments);
  r->match_key = match_key (order, obs);

  if (obs->value_type == CH_HL7_VALUE_ED && obs->data != NULL)
    {
      g_autofree char *title = clip (ch_has_text (order->test.text) ? order->test.text
                                     : ch_has_text (order->test.code) ? order->test.code
                                     : ch_has_text (obs->observation.text) ? obs->observation.text
                                     : _("Laboratory report"), 200);
      g_autofree char *date = hl7_date (order->observed_at);
      g_autofree char *source = make_source (oru);
      ChDocumentMeta meta = {
        .category = "lab-report",
        .date = date,
        .title = title,
        .source = source,
        .content_type = is_pdf (obs) ? "application/pdf" : NULL,
      };

      if (!ch_documents_import (session, g->patient_id, &meta, NULL, obs->data, &r->document_id,
                                error))
        return FALSE;
      g->n_documents++;
    }

  existing = ch_db_lab_result_find_current (store, g->patient_id, r->match_key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (existing != NULL)
    {
      replaces = existing->id;
      /* A preliminary arriving after the final is history, not news. */
      r->current = !(g_strcmp0 (r->status, "P") == 0 &&
                     (g_strcmp0 (existing->status, "F") == 0 ||
                      g_strcmp0 (existing->status, "C") == 0));
      if (r->current)
        g->n_replaced++;
    }
  if (!ch_db_lab_result_insert (store, r, replaces, error))
    return FALSE;
  g->n_results++;
  return TRUE;
}

static gboolean
store_group (ChSession       *session,
             const ChHl7Oru  *oru,
             gint64           message_id,
             Group           *g,
             GError         **error)
{
  ChStore *store = ch_session_get_store (session);

  for (guint o = 0; o < g->group->orders->len; o++)
    {
      const ChHl7Order *order = g->group->orders->pdata[o];
      g_autoptr (ChLabReport) report = ch_lab_report_new ();
      gint64 ts = 0;
      gint64 order_id = 0;

      report->patient_id = g->patient_id;
      report->message_id = message_id;
      report->placer_number = clip (order->placer_number, 200);
      report->filler_number = clip (order->filler_number, 200);
      report->test_code = clip (order->test.code, 100);
      report->test_text = clip (order->test.text, 500);
      report->test_system = clip (order->test.system, 100);
      report->has_observed_ts = parse_hl7_time (order->observed_at, &report->observed_at, &ts);
      report->observed_ts = ts;
      if (!report->has_observed_ts)
        {
          g_clear_pointer (&report->observed_at, g_free);
          report->observed_at = clip (order->observed_at, 50);
        }
      if (!parse_hl7_time (order->status_changed_at, &report->reported_at, &ts))
        {
          g_clear_pointer (&report->reported_at, g_free);
          report->reported_at = clip (order->status_changed_at, 50);
        }
      report->result_status = clip (order->result_status, 10);
      report->comments = join_comments (order->comments);
      if (!ch_db_lab_report_insert (store, report, error))
        return FALSE;
      g->n_reports++;
      /* A report answering one of our orders (ch-lab-orders.h) marks it. */
      if (!ch_db_lab_order_link_report (store, report->placer_number, g->patient_id, report->id,
                                        report->test_code, report->result_status, &order_id,
                                        error))
        return FALSE;

      for (guint i = 0; i < order->observations->len; i++)
        if (!store_result (session, oru, order, order->observations->pdata[i], report, g, error))
          return FALSE;
    }
  return TRUE;
}

/* A reason to reject what the schema would refuse, before trying. */
static char *
check_oru (const ChHl7Oru *oru)
{
  for (guint p = 0; p < oru->patients->len; p++)
    {
      const ChHl7PatientResult *group = oru->patients->pdata[p];

      for (guint o = 0; o < group->orders->len; o++)
        {
          const ChHl7Order *order = group->orders->pdata[o];

          for (guint i = 0; i < order->observations->len; i++)
            {
              const ChHl7Observation *obs = order->observations->pdata[i];

              if (!g_strv_contains (result_statuses, obs->status))
                return g_strdup_printf (_("OBX-11: the result status “%s” of %s is not one of "
                                          "HL7 table 0085 (C, D, F, I, N, O, P, R, S, U, W, X)"),
                                        obs->status,
                                        ch_has_text (obs->observation.code)
                                        ? obs->observation.code : obs->observation.text);
            }
        }
    }
  return NULL;
}

static char *
mrn_of (ChStore *store,
        gint64   patient_id)
{
  g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, patient_id, NULL);

  return g_strdup (patient != NULL ? patient->mrn : "?");
}

/* Processes message @header->id from @raw. @assigned: the patient a person
 * gave for it, or 0. TRUE when its outcome was recorded. */
static gboolean
process (ChSession           *session,
         ChLabMessage        *header,
         GBytes              *raw,
         gint64               assigned,
         gboolean             new_attempt,
         ChLabsImportResult  *result,
         GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChHl7Message) msg = NULL;
  g_autoptr (ChHl7Oru) oru = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  g_autoptr (GString) reasons = g_string_new (NULL);
  g_autoptr (GString) mrns = g_string_new (NULL);
  g_autofree char *problem = NULL;
  g_autofree char *id = message_id_text (header->id);
  guint n_unmatched = 0;
  gint64 duplicate;
  gboolean ok = TRUE;

  result->message_id = header->id;

  msg = ch_hl7_message_parse_bytes (raw, &local_error);
  if (msg == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("The message cannot be read: %s"),
                                              local_error->message);

      return finish (session, header, CH_LABS_OUTCOME_REJECTED, why, new_attempt, result, error);
    }
  read_header (msg, header);
  result->control_id = g_strdup (header->control_id);

  oru = ch_hl7_oru_from_message (msg, &local_error);
  if (oru == NULL)
    return finish (session, header, CH_LABS_OUTCOME_REJECTED, local_error->message, new_attempt,
                   result, error);
  problem = check_oru (oru);
  if (problem != NULL)
    return finish (session, header, CH_LABS_OUTCOME_REJECTED, problem, new_attempt, result, error);

  if (ch_has_text (header->control_id))
    {
      duplicate = ch_db_lab_message_find_imported (store, header->control_id,
                                                   header->sending_application,
                                                   header->sending_facility, header->id, error);
      if (duplicate < 0)
        return FALSE;
      if (duplicate > 0)
        {
          g_autofree char *why = g_strdup_printf (_("A duplicate of message %lld (control ID %s), "
                                                    "imported already"),
                                                  (long long) duplicate, header->control_id);

          return finish (session, header, CH_LABS_OUTCOME_REJECTED, why, new_attempt, result,
                         error);
        }
    }

  for (guint i = 0; i < oru->patients->len; i++)
    {
      Group *g = g_new0 (Group, 1);

      g->group = oru->patients->pdata[i];
      g_ptr_array_add (groups, g);
      if (assigned > 0 && oru->patients->len == 1)
        g->patient_id = assigned;
      else if (!match_patient (store, &g->group->patient, &g->patient_id, &g->reason, error))
        return FALSE;
      if (g->patient_id == 0)
        n_unmatched++;
    }
  if (assigned > 0 && oru->patients->len > 1)
    {
      if (n_unmatched != 1)
        {
          g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_INVALID,
                       _("Message %s names %u patients and %u of them match no chart by "
                         "themselves: one only can be assigned"),
                       id, oru->patients->len, n_unmatched);
          return FALSE;
        }
      for (guint i = 0; i < groups->len; i++)
        {
          Group *g = groups->pdata[i];

          if (g->patient_id == 0)
            {
              g->patient_id = assigned;
              g_clear_pointer (&g->reason, g_free);
            }
        }
      n_unmatched = 0;
    }
  if (n_unmatched > 0)
    {
      for (guint i = 0; i < groups->len; i++)
        {
          Group *g = groups->pdata[i];

          if (g->reason == NULL)
            continue;
          if (reasons->len > 0)
            g_string_append (reasons, "; ");
          if (groups->len > 1)
            g_string_append_printf (reasons, _("PID %u: "), i + 1);
          g_string_append (reasons, g->reason);
        }
      return finish (session, header, CH_LABS_OUTCOME_QUEUED, reasons->str, new_attempt, result,
                     error);
    }

  /* Everything or nothing. */
  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; ok && i < groups->len; i++)
    ok = store_group (session, oru, header->id, groups->pdata[i], &local_error);
  /* One audit entry a chart, with what went into it. */
  for (guint i = 0; ok && i < groups->len; i++)
    {
      Group *g = groups->pdata[i];
      g_autofree char *detail = NULL;
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = ((Group *) groups->pdata[j])->patient_id == g->patient_id;
      if (seen)
        continue;
      for (guint j = i + 1; j < groups->len; j++)
        {
          Group *other = groups->pdata[j];

          if (other->patient_id != g->patient_id)
            continue;
          g->n_reports += other->n_reports;
          g->n_results += other->n_results;
          g->n_replaced += other->n_replaced;
          g->n_documents += other->n_documents;
        }
      detail = g_strdup_printf ("lab results from HL7 message %s (%s %s from %s, by %s)%s: "
                                "%u reports, %u results (%u replacing earlier ones), "
                                "%u documents",
                                id, header->message_type, header->control_id,
                                header->sending_facility, or_empty (header->source),
                                assigned > 0 ? ", assigned by hand" : "",
                                g->n_reports, g->n_results, g->n_replaced, g->n_documents);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "lab-results", id, g->patient_id, detail,
                             &local_error);
      if (ok)
        {
          g_autofree char *mrn = mrn_of (store, g->patient_id);

          g_string_append_printf (mrns, "%s%s", mrns->len > 0 ? ", " : "", mrn);
          result->n_reports += g->n_reports;
          result->n_results += g->n_results;
          result->n_replaced += g->n_replaced;
          result->n_documents += g->n_documents;
        }
    }
  if (ok)
    ok = ch_db_lab_message_set_header (store, header, &local_error) &&
         ch_db_lab_message_set_outcome (store, header->id, "imported", "",
                                        ((Group *) groups->pdata[0])->patient_id,
                                        ch_session_get_username (session), new_attempt,
                                        &local_error);
  if (ok)
    ok = ch_store_commit (store, &local_error);
  else
    ch_store_rollback (store);

  if (!ok)
    {
      g_autofree char *why = g_strdup_printf (_("Storing the results failed, nothing of them was "
                                                "kept: %s"), local_error->message);

      result->n_reports = result->n_results = result->n_replaced = result->n_documents = 0;
      return finish (session, header, CH_LABS_OUTCOME_FAILED, why, new_attempt, result, error);
    }

  result->outcome = CH_LABS_OUTCOME_IMPORTED;
  result->patient_id = ((Group *) groups->pdata[0])->patient_id;
  result->mrns = g_string_free (g_steal_pointer (&mrns), FALSE);
  return TRUE;
}

/* Logs @raw in a commit of its own, then processes it (in another). */
static gboolean
import_message_in_steps (ChSession           *session,
                         GBytes              *raw,
                         ChLabsSource         source,
                         ChLabsImportResult  *out,
                         GError             **error)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (ChLabMessage) header = ch_lab_message_new ();
  g_autoptr (GBytes) kept = NULL;
  g_autofree char *id = NULL;
  g_autofree char *detail = NULL;
  ChStore *store;
  const guint8 *data;
  gsize len, offset = 0, msg_len = 0, consumed = 0;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);

  /* Kept as received but for the frame; what is too large to be a message
   * is not kept whole (the log says why it was rejected). */
  data = g_bytes_get_data (raw, &len);
  if (len > 0 && data[0] == CH_HL7_MLLP_START &&
      ch_hl7_mllp_unframe (data, len, &offset, &msg_len, &consumed))
    kept = g_bytes_new_from_bytes (raw, offset, msg_len);
  else if (len > CH_HL7_MAX_MESSAGE_SIZE)
    kept = g_bytes_new_from_bytes (raw, 0, 4096);
  else
    kept = g_bytes_ref (raw);

  header->source = g_strdup (ch_labs_source_to_string (source));
  header->outcome = g_strdup ("error");
  header->reason = g_strdup (_("Not processed yet"));
  header->processed_by = g_strdup (ch_session_get_username (session));

  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_lab_message_insert (store, header, kept, error);
  if (ok)
    {
      id = message_id_text (header->id);
      detail = g_strdup_printf ("HL7 message received (%s, %" G_GSIZE_FORMAT " bytes)",
                                header->source, len);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "hl7-message", id, 0, detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;

  if (len > CH_HL7_MAX_MESSAGE_SIZE)
    {
      g_autofree char *size = g_format_size (CH_HL7_MAX_MESSAGE_SIZE);
      g_autofree char *why = g_strdup_printf (_("The message is larger than the %s a message may "
                                                "be; only its start is kept"), size);

      result.message_id = header->id;
      if (!finish (session, header, CH_LABS_OUTCOME_REJECTED, why, FALSE, &result, error))
        return FALSE;
    }
  else if (!process (session, header, kept, 0, FALSE, &result, error))
    return FALSE;

  if (out != NULL)
    {
      *out = result;
      memset (&result, 0, sizeof result);
    }
  return TRUE;
}

gboolean
ch_labs_import_message (ChSession           *session,
                        GBytes              *raw,
                        ChLabsSource         source,
                        ChLabsImportResult  *out,
                        GError             **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);

  /* Alone, the message is logged and processed under one commit (each
   * commit waits for the disk: an MLLP peer waits for its ACK that long).
   * Should storing its results fail, that rolls everything back, and the
   * steps are taken again with a commit each, so that the message is kept,
   * logged as failed, to be processed again. */
  if (!ch_store_in_transaction (store) && ch_store_begin_batch (store, NULL))
    {
      g_auto (ChLabsImportResult) result = { 0 };
      g_autoptr (GError) local_error = NULL;
      gboolean ok;

      ok = import_message_in_steps (session, raw, source, &result, &local_error) &&
           !ch_store_batch_spoiled (store);
      if (ok && ch_store_commit (store, &local_error))
        {
          if (out != NULL)
            {
              *out = result;
              memset (&result, 0, sizeof result);
            }
          return TRUE;
        }
      ch_store_rollback (store);
      g_debug ("a message could not be stored under one commit (%s): in steps instead",
               local_error != NULL ? local_error->message : "its results failed");
    }

  return import_message_in_steps (session, raw, source, out, error);
}

/* Messages a transaction: a file of thousands is not one huge WAL. */
#define LABS_BATCH 200

static void
clear_result_element (gpointer data)
{
  ch_labs_import_result_clear (data);
}

static GArray *
new_result_array (guint n)
{
  GArray *results = g_array_sized_new (FALSE, TRUE, sizeof (ChLabsImportResult), n);

  g_array_set_clear_func (results, clear_result_element);
  return results;
}

/* One at a time: each message commits on its own. */
static gboolean
import_one_by_one (ChSession     *session,
                   GPtrArray     *messages,
                   guint          first,
                   guint          end,
                   ChLabsSource   source,
                   GArray        *results,
                   GError       **error)
{
  for (guint i = first; i < end; i++)
    {
      ChLabsImportResult result = { 0 };
      g_autoptr (GError) local_error = NULL;

      if (!ch_labs_import_message (session, messages->pdata[i], source, &result, &local_error))
        {
          if (results->len == 0 || g_error_matches (local_error, CH_AUTH_ERROR,
                                                    CH_AUTH_ERROR_PERMISSION_DENIED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          result.outcome = CH_LABS_OUTCOME_FAILED;
          result.reason = g_strdup (local_error->message);
        }
      g_array_append_val (results, result);
    }
  return TRUE;
}

/* Messages first to end in one transaction without savepoints (under
 * SQLCipher a savepoint costs more than the work: every page it first
 * touches is encrypted into its journal). A message that fails to be
 * stored spoils the batch; FALSE then, with nothing kept. */
static gboolean
import_together (ChSession     *session,
                 GPtrArray     *messages,
                 guint          first,
                 guint          end,
                 ChLabsSource   source,
                 GArray        *results)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GError) local_error = NULL;
  guint before = results->len;
  gboolean ok = TRUE;

  if (end - first < 2 || ch_store_in_transaction (store) ||
      !ch_store_begin_batch (store, NULL))
    return FALSE;
  for (guint i = first; ok && i < end; i++)
    {
      ChLabsImportResult result = { 0 };

      ok = ch_labs_import_message (session, messages->pdata[i], source, &result, &local_error) &&
           !ch_store_batch_spoiled (store);
      g_array_append_val (results, result);
    }
  if (ok && ch_store_commit (store, &local_error))
    return TRUE;
  ch_store_rollback (store);
  g_debug ("importing %u messages together failed (%s): one at a time instead", end - first,
           local_error != NULL ? local_error->message : "a message could not be stored");
  g_array_set_size (results, before);
  return FALSE;
}

gboolean
ch_labs_import_messages (ChSession    *session,
                         GPtrArray    *messages,
                         ChLabsSource  source,
                         GArray      **out_results,
                         GError      **error)
{
  g_autoptr (GArray) results = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (messages != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  results = new_result_array (messages->len);

  for (guint first = 0; first < messages->len; first += LABS_BATCH)
    {
      guint end = MIN (first + LABS_BATCH, messages->len);

      if (!import_together (session, messages, first, end, source, results) &&
          !import_one_by_one (session, messages, first, end, source, results, error))
        return FALSE;
    }

  if (out_results != NULL)
    *out_results = g_steal_pointer (&results);
  return TRUE;
}

/* The message @message_id, with its bytes, when it may be processed again. */
static ChLabMessage *
get_for_processing (ChSession  *session,
                    gint64      message_id,
                    gboolean    for_assign,
                    GBytes    **out_raw,
                    GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLabMessage) header = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return NULL;
  header = ch_db_lab_message_get (store, message_id, &local_error);
  if (header == NULL)
    {
      if (g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_NOT_FOUND,
                     _("There is no HL7 message %lld"), (long long) message_id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_strcmp0 (header->outcome, "imported") == 0)
    {
      g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_STATE,
                   _("Message %lld was imported already (into %s's chart); "
                     "it cannot be processed again"),
                   (long long) message_id, *header->patient_mrn != '\0' ? header->patient_mrn : "?");
      return NULL;
    }
  if (for_assign && g_strcmp0 (header->outcome, "rejected") == 0)
    {
      g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_STATE,
                   _("Message %lld was rejected (%s): no patient can make it "
                     "importable"), (long long) message_id, header->reason);
      return NULL;
    }
  *out_raw = ch_db_lab_message_get_raw (store, message_id, error);
  if (*out_raw == NULL)
    return NULL;
  return g_steal_pointer (&header);
}

gboolean
ch_labs_assign (ChSession           *session,
                gint64               message_id,
                gint64               patient_id,
                ChLabsImportResult  *out,
                GError             **error)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (ChLabMessage) header = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GBytes) raw = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  header = get_for_processing (session, message_id, TRUE, &raw, error);
  if (header == NULL)
    return FALSE;
  patient = ch_db_patient_get (ch_session_get_store (session), patient_id, error);
  if (patient == NULL)
    return FALSE;
  if (g_strcmp0 (patient->status, "merged") == 0)
    {
      g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_INVALID,
                   _("Patient %s was merged into another chart: assign the message to that one"),
                   patient->mrn);
      return FALSE;
    }
  if (!process (session, header, raw, patient_id, TRUE, &result, error))
    return FALSE;
  if (out != NULL)
    {
      *out = result;
      memset (&result, 0, sizeof result);
    }
  return TRUE;
}

gboolean
ch_labs_reprocess (ChSession           *session,
                   gint64               message_id,
                   ChLabsImportResult  *out,
                   GError             **error)
{
  g_auto (ChLabsImportResult) result = { 0 };
  g_autoptr (ChLabMessage) header = NULL;
  g_autoptr (GBytes) raw = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  header = get_for_processing (session, message_id, FALSE, &raw, error);
  if (header == NULL)
    return FALSE;
  if (!process (session, header, raw, 0, TRUE, &result, error))
    return FALSE;
  if (out != NULL)
    {
      *out = result;
      memset (&result, 0, sizeof result);
    }
  return TRUE;
}

/* ---- listing --------------------------------------------------------------- */

GPtrArray *
ch_labs_list_queue (ChSession  *session,
                    GError    **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  list = ch_db_lab_message_list (ch_session_get_store (session), "queued", TRUE, 0, error);
  if (list == NULL)
    return NULL;
  detail = g_strdup_printf ("lab review queue listed: %u messages", list->len);
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "hl7-queue", "", 0, detail, error))
    return NULL;
  return g_steal_pointer (&list);
}

GPtrArray *
ch_labs_list_messages (ChSession  *session,
                       guint       limit,
                       GError    **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  list = ch_db_lab_message_list (ch_session_get_store (session), NULL, FALSE, limit, error);
  if (list == NULL)
    return NULL;
  detail = g_strdup_printf ("HL7 message log listed: %u messages", list->len);
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "hl7-log", "", 0, detail, error))
    return NULL;
  return g_steal_pointer (&list);
}

ChLabMessage *
ch_labs_get_message (ChSession  *session,
                     gint64      message_id,
                     GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  ChLabMessage *m;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  m = ch_db_lab_message_get (ch_session_get_store (session), message_id, &local_error);
  if (m == NULL)
    {
      if (g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        g_set_error (error, CH_LABS_ERROR, CH_LABS_ERROR_NOT_FOUND,
                     _("There is no HL7 message %lld"), (long long) message_id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return m;
}

GPtrArray *
ch_labs_list_results (ChSession  *session,
                      gint64      patient_id,
                      gboolean    include_history,
                      GError    **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *detail = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return NULL;
  list = ch_db_lab_result_list (store, patient_id, include_history, error);
  if (list == NULL)
    return NULL;
  detail = g_strdup_printf ("lab results listed: %u%s", list->len,
                            include_history ? ", with history" : "");
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "lab-results", "", patient_id, detail, error))
    return NULL;
  return g_steal_pointer (&list);
}

/* ---- acknowledgements ------------------------------------------------------ */

ChHl7Message *
ch_labs_make_ack (GBytes                   *raw,
                  const ChLabsImportResult *result)
{
  g_autoptr (ChHl7Message) received = raw != NULL ? ch_hl7_message_parse_bytes (raw, NULL) : NULL;

  if (result == NULL)
    return ch_hl7_make_ack (received, "AE", _("The message could not be stored; send it again"),
                            "207");
  switch (result->outcome)
    {
    case CH_LABS_OUTCOME_IMPORTED:
    case CH_LABS_OUTCOME_QUEUED:
      return ch_hl7_make_ack (received, "AA", NULL, NULL);
    case CH_LABS_OUTCOME_REJECTED:
      return ch_hl7_make_ack (received, "AR", result->reason, "207");
    case CH_LABS_OUTCOME_FAILED:
    default:
      return ch_hl7_make_ack (received, "AE", result->reason, "207");
    }
}

/* ---- the drop folder --------------------------------------------------------- */

/* A file this recently changed may still be being written by the lab's
 * interface engine: it waits for the next look. */
#define FOLDER_SETTLE_SECONDS 1

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Moves @path into @dir/@sub, under another name when the name is taken. */
static gboolean
move_into (const char  *dir,
           const char  *sub,
           const char  *name,
           const char  *path,
           char       **out_moved,
           GError     **error)
{
  g_autofree char *folder = g_build_filename (dir, sub, NULL);
  g_autofree char *dest = NULL;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create “%s”: %s"), folder, g_strerror (saved));
      return FALSE;
    }
  dest = g_build_filename (folder, name, NULL);
  for (guint n = 2; g_file_test (dest, G_FILE_TEST_EXISTS); n++)
    {
      g_autofree char *other = g_strdup_printf ("%s-%u", name, n);

      g_free (dest);
      dest = g_build_filename (folder, other, NULL);
    }
  if (g_rename (path, dest) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not move “%s” to “%s”: %s"), path, dest, g_strerror (saved));
      return FALSE;
    }
  if (out_moved != NULL)
    *out_moved = g_steal_pointer (&dest);
  return TRUE;
}

/**
 * ch_labs_import_folder:
 * @dir: the drop folder
 * @callback: (nullable): told what became of each message and file
 *
 * Imports every file in @dir (not those starting with a dot, nor ones
 * changed within the last second, which may still be being written): each
 * message in it is logged and filed as by ch_labs_import_message(). A file
 * whose messages were all imported or queued then moves to
 * @dir/processed/, one with a message rejected or failed to @dir/failed/
 * (the log says why, and the message can be processed again from there or
 * from the log). Nothing is deleted.
 *
 * Returns: the number of files taken, or -1 with an error (the folder is
 *   unreadable, or the user may not import)
 */
gint
ch_labs_import_folder (ChSession              *session,
                       const char             *dir,
                       ChLabsFolderCallback    callback,
                       gpointer                user_data,
                       GError                **error)
{
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;
  gint taken = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), -1);
  g_return_val_if_fail (dir != NULL, -1);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return -1;
  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return -1;
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  /* In the order the lab wrote them, as far as names tell. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *moved = NULL;
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GBytes) data = NULL;
      g_autoptr (GPtrArray) messages = NULL;
      g_autofree char *contents = NULL;
      gboolean all_good = TRUE;
      GStatBuf st;
      gsize len;

      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode)
          || now - (gint64) st.st_mtime < FOLDER_SETTLE_SECONDS)
        continue;
      if (st.st_size > CH_HL7_MAX_MESSAGE_SIZE * (gint64) 16)
        {
          g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("“%s” is too large to be lab results"), path);
          all_good = FALSE;
        }
      else if (!g_file_get_contents (path, &contents, &len, &local_error))
        all_good = FALSE;
      else
        {
          g_autoptr (GArray) results = NULL;

          data = g_bytes_new_take (g_steal_pointer (&contents), len);
          messages = ch_labs_split_batch (data);
          if (!ch_labs_import_messages (session, messages, CH_LABS_SOURCE_FOLDER, &results,
                                        error))
            return -1;   /* not logged at all: leave the file for later */
          for (guint m = 0; m < results->len; m++)
            {
              ChLabsImportResult *result = &g_array_index (results, ChLabsImportResult, m);

              if (result->outcome != CH_LABS_OUTCOME_IMPORTED
                  && result->outcome != CH_LABS_OUTCOME_QUEUED)
                all_good = FALSE;
              if (callback != NULL)
                callback (path, result, NULL, user_data);
            }
        }

      if (!move_into (dir, all_good ? "processed" : "failed", file, path, &moved,
                      local_error == NULL ? &local_error : NULL))
        {
          /* It cannot leave the folder: it would be read again and again. */
          if (local_error == NULL)
            g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         _("Could not move “%s” out of the drop folder"), path);
          if (callback != NULL)
            callback (path, NULL, local_error, user_data);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      if (local_error != NULL && callback != NULL)
        callback (moved, NULL, local_error, user_data);
      taken++;
    }
  return taken;
}

/* ---- the listener's settings ------------------------------------------------- */

#define KEY_LISTENER_ENABLED "labs.listener.enabled"
#define KEY_LISTENER_PORT    "labs.listener.port"
#define KEY_LISTENER_ADDRESS "labs.listener.address"
#define KEY_LISTENER_FOLDER  "labs.listener.folder"
#define KEY_LISTENER_SENDERS "labs.listener.allowed-senders"

void
ch_labs_listener_settings_free (ChLabsListenerSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->address);
  g_free (settings->folder);
  g_strfreev (settings->allowed_senders);
  g_free (settings);
}

ChLabsListenerSettings *
ch_labs_get_listener_settings (ChSession  *session,
                               GError    **error)
{
  g_autoptr (ChLabsListenerSettings) s = g_new0 (ChLabsListenerSettings, 1);
  g_autofree char *enabled = NULL;
  g_autofree char *port = NULL;
  g_autofree char *address = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *senders = NULL;
  GError *local_error = NULL;
  ChStore *store;
  gint64 value;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  store = ch_session_get_store (session);
  if (store == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED, _("The screen is locked"));
      return NULL;
    }
  enabled = ch_db_setting_get (store, KEY_LISTENER_ENABLED, &local_error);
  if (local_error == NULL)
    port = ch_db_setting_get (store, KEY_LISTENER_PORT, &local_error);
  if (local_error == NULL)
    address = ch_db_setting_get (store, KEY_LISTENER_ADDRESS, &local_error);
  if (local_error == NULL)
    folder = ch_db_setting_get (store, KEY_LISTENER_FOLDER, &local_error);
  if (local_error == NULL)
    senders = ch_db_setting_get (store, KEY_LISTENER_SENDERS, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  s->enabled = g_strcmp0 (enabled, "1") == 0;
  value = port != NULL ? g_ascii_strtoll (port, NULL, 10) : 0;
  s->port = value >= 1 && value <= 65535 ? (guint) value : CH_LABS_DEFAULT_PORT;
  s->address = g_strdup (address != NULL ? address : "");
  s->folder = g_strdup (folder != NULL ? folder : "");
  /* Comma-separated: no IP address holds one. */
  s->allowed_senders = senders != NULL && *senders != '\0' ? g_strsplit (senders, ",", -1)
                                                           : g_new0 (char *, 1);
  return g_steal_pointer (&s);
}

gboolean
ch_labs_set_listener_settings (ChSession                     *session,
                               const ChLabsListenerSettings  *settings,
                               GError                       **error)
{
  g_autofree char *port = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *senders = NULL;
  const char *address;
  const char *folder;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  address = settings->address != NULL ? settings->address : "";
  folder = settings->folder != NULL ? settings->folder : "";
  if (settings->port < 1 || settings->port > 65535)
    return ch_invalid (error, _("The port is a number from 1 to 65535"));
  if (*address != '\0' && !g_hostname_is_ip_address (address))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not an IP address (leave it empty to listen on every address)"),
                   address);
      return FALSE;
    }
  /* The listener runs in every clinician's window: a relative path would
   * name a different folder for each. */
  if (*folder != '\0' && !g_path_is_absolute (folder))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("The drop folder “%s” is not a full path (one starting with /)"), folder);
      return FALSE;
    }
  if (*folder != '\0' && !g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("The drop folder “%s” does not exist"), folder);
      return FALSE;
    }

  for (guint i = 0; settings->allowed_senders != NULL && settings->allowed_senders[i] != NULL; i++)
    if (!g_hostname_is_ip_address (settings->allowed_senders[i]))
      {
        g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                     _("“%s” is not an IP address (the lab's interface engine is named by "
                       "its address)"), settings->allowed_senders[i]);
        return FALSE;
      }

  port = g_strdup_printf ("%u", settings->port);
  senders = settings->allowed_senders != NULL ? g_strjoinv (",", settings->allowed_senders)
                                              : g_strdup ("");
  detail = g_strdup_printf ("lab listener: %s, port %u, address %s, folder %s, senders %s",
                            settings->enabled ? "on" : "off", settings->port,
                            *address != '\0' ? address : "(any)",
                            *folder != '\0' ? folder : "(none)",
                            *senders != '\0' ? senders : "(any)");

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_setting_set (store, KEY_LISTENER_ENABLED, settings->enabled ? "1" : "0", error)
       && ch_db_setting_set (store, KEY_LISTENER_PORT, port, error)
       && ch_db_setting_set (store, KEY_LISTENER_ADDRESS, address, error)
       && ch_db_setting_set (store, KEY_LISTENER_FOLDER, folder, error)
       && ch_db_setting_set (store, KEY_LISTENER_SENDERS, senders, error)
       && ch_session_audit (session, CH_AUDIT_SETTINGS, "setting", "labs.listener", 0, detail,
                            error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* ---- the chart summary's results (appended) -------------------------------------- */

GPtrArray *
ch_labs_list_latest (ChSession  *session,
                     gint64      patient_id,
                     gint64      since,
                     guint       limit,
                     GError    **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return NULL;
  /* Not audited here: these are part of the chart's summary, whose
   * opening ch_chart_open() audits once, as the other sections' lists. */
  return ch_db_lab_result_list_latest (store, patient_id, since, limit, error);
}
