/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-recall"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-chart-db.h"
#include "ch-chart.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-recall.h"
#include "ch-refdata.h"
#include "ch-roles.h"
#include "ch-schedule.h"
#include "ch-schedule-db.h"
#include "ch-validate.h"

#define TEXT_MAX 2000
#define DEFAULT_AHEAD_DAYS 30
#define MAX_HORIZON_DAYS 366

G_DEFINE_QUARK (ch-recall-error-quark, ch_recall_error)

static const char * const kinds[] = { "follow-up", "annual-exam", "immunization", "other", NULL };
static const char * const statuses[] = { "due", "contacted", "booked", "done", "cancelled", NULL };

const char *
ch_recall_kind_label (const char *kind)
{
  static const struct { const char *kind; const char *label; } labels[] = {
    { "follow-up", N_("Follow-up") }, { "annual-exam", N_("Annual exam") },
    { "immunization", N_("Immunization") }, { "other", N_("Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].kind, kind) == 0)
      return _(labels[i].label);
  return kind;
}

const char *
ch_recall_status_label (const char *status)
{
  static const struct { const char *status; const char *label; } labels[] = {
    { "due", N_("Due") }, { "contacted", N_("Contacted") }, { "booked", N_("Booked") },
    { "done", N_("Done") }, { "cancelled", N_("Cancelled") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].status, status) == 0)
      return _(labels[i].label);
  return status;
}

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
too_long (const char *text)
{
  return text != NULL && g_utf8_strlen (text, -1) > TEXT_MAX;
}

/* YYYY-MM-DD @days from today, local. */
static char *
day_from_today (int days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%d");
}

static gboolean
is_open (const ChRecall *recall)
{
  return g_str_equal (recall->status, "due") || g_str_equal (recall->status, "contacted")
         || g_str_equal (recall->status, "booked");
}

static gboolean
audit_recall (ChSession       *session,
              const char      *action,
              const ChRecall  *recall,
              const char      *what,
              GError         **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, recall->id);
  g_autofree char *detail = g_strdup_printf ("%s: %s%s%s due %s", what, recall->kind,
                                             recall->code ? " " : "", recall->code ? recall->code : "",
                                             recall->due_date);

  return ch_session_audit (session, action, "recall", id, recall->patient_id, detail, error);
}

/* Inserts @recall and its audit entry, in the caller's transaction. */
static gboolean
insert_recall (ChSession  *session,
               ChRecall   *recall,
               GError    **error)
{
  return ch_db_recall_insert (ch_session_get_store (session), recall,
                              ch_session_get_username (session), error)
         && audit_recall (session, CH_AUDIT_CREATE, recall, "added", error);
}

gboolean
ch_recall_add (ChSession  *session,
               ChRecall   *recall,
               GError    **error)
{
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (recall != NULL && recall->id == 0, FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (recall->patient_id <= 0)
    return invalid (error, _("Choose the patient"));
  if (!g_strv_contains (kinds, recall->kind ? recall->kind : ""))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a kind of recall (follow-up, annual-exam, immunization, other)"),
                   recall->kind ? recall->kind : "");
      return FALSE;
    }
  if (!ch_valid_date (recall->due_date))
    return invalid (error, _("Write the due date as YYYY-MM-DD"));
  if (g_str_equal (recall->kind, "other") && !ch_has_text (recall->reason))
    return invalid (error, _("Say what the recall is for"));
  if (too_long (recall->reason))
    return invalid (error, _("The reason is too long (at most 2000 characters)"));
  if (recall->code != NULL && (strlen (recall->code) > 64 || !ch_has_text (recall->code)))
    return invalid (error, _("A vaccine group is a short code, such as “influenza”"));
  if (recall->dose < 0 || recall->dose > 20)
    return invalid (error, _("A dose is numbered from 1"));

  store = ch_session_get_store (session);
  {
    g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, recall->patient_id, error);

    if (patient == NULL)
      return FALSE;
  }
  if (ch_has_text (recall->provider_id))
    {
      g_autoptr (ChResource) provider = ch_db_resource_get (store, recall->provider_id, error);

      if (provider == NULL)
        return FALSE;
      if (!g_str_equal (provider->kind, "provider"))
        {
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                       _("“%s” is not a provider"), provider->name);
          return FALSE;
        }
    }
  else
    g_clear_pointer (&recall->provider_id, g_free);
  if (g_str_equal (recall->kind, "immunization") && recall->code != NULL)
    {
      gboolean has = FALSE;

      /* Only the open ones count here: "since" lies in the future. */
      if (!ch_db_recall_has_immunization (store, recall->patient_id, recall->code, recall->dose,
                                          G_MAXINT64, &has, error))
        return FALSE;
      if (has)
        {
          g_set_error (error, CH_RECALL_ERROR, CH_RECALL_ERROR_DUPLICATE,
                       _("The patient already has an open recall for “%s”"), recall->code);
          return FALSE;
        }
    }

  g_free (recall->status);
  recall->status = g_strdup ("due");
  recall->appointment_id = 0;
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!insert_recall (session, recall, error) || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      recall->id = 0;
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
ch_recall_list (ChSession   *session,
                const char  *from_day,
                const char  *to_day,
                const char  *status,
                GError     **error)
{
  g_autofree char *ahead = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  if ((from_day != NULL && !ch_valid_date (from_day)) || (to_day != NULL && !ch_valid_date (to_day)))
    {
      invalid (error, _("Write the days as YYYY-MM-DD"));
      return NULL;
    }
  if (from_day != NULL && to_day != NULL && strcmp (from_day, to_day) > 0)
    {
      invalid (error, _("The first day is after the last"));
      return NULL;
    }
  if (status != NULL && !g_str_equal (status, "all") && !g_strv_contains (statuses, status))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("“%s” is not a recall status"), status);
      return NULL;
    }
  /* By default: what is overdue and what comes due in the next days. */
  if (from_day == NULL && to_day == NULL)
    to_day = ahead = day_from_today (DEFAULT_AHEAD_DAYS);
  return ch_db_recall_list (ch_session_get_store (session), from_day, to_day, status, error);
}

ChRecall *
ch_recall_get (ChSession  *session,
               gint64      recall_id,
               GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_recall_get (ch_session_get_store (session), recall_id, error);
}

GPtrArray *
ch_recall_contacts (ChSession  *session,
                    gint64      recall_id,
                    GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_recall_contacts (ch_session_get_store (session), recall_id, error);
}

/* The recall @recall_id, still open, for a change. */
static ChRecall *
open_recall (ChStore  *store,
             gint64    recall_id,
             GError  **error)
{
  g_autoptr (ChRecall) recall = ch_db_recall_get (store, recall_id, error);

  if (recall == NULL)
    return NULL;
  if (!is_open (recall))
    {
      g_set_error (error, CH_RECALL_ERROR, CH_RECALL_ERROR_STATE,
                   _("The recall is closed already: %s"), ch_recall_status_label (recall->status));
      return NULL;
    }
  return g_steal_pointer (&recall);
}

gboolean
ch_recall_contact (ChSession   *session,
                   gint64       recall_id,
                   const char  *note,
                   GError     **error)
{
  ChStore *store;
  g_autoptr (ChRecall) recall = NULL;
  g_autofree char *what = NULL;
  const char *username;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (note))
    return invalid (error, _("Say what came of the call (no answer, message left, will call back…)"));
  if (too_long (note))
    return invalid (error, _("The note is too long (at most 2000 characters)"));
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  recall = open_recall (store, recall_id, error);
  if (recall == NULL)
    return FALSE;

  what = g_strdup_printf ("contacted: %s", note);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (g_str_equal (recall->status, "due"))
    {
      g_free (recall->status);
      recall->status = g_strdup ("contacted");
      if (!ch_db_recall_update (store, recall, username, error))
        goto fail;
    }
  if (!ch_db_recall_contact_add (store, recall->id, note, username, error)
      || !audit_recall (session, CH_AUDIT_UPDATE, recall, what, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_recall_book (ChSession  *session,
                gint64      recall_id,
                gint64      appointment_id,
                GError    **error)
{
  ChStore *store;
  g_autoptr (ChRecall) recall = NULL;
  g_autoptr (ChAppointment) appointment = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);
  recall = open_recall (store, recall_id, error);
  if (recall == NULL)
    return FALSE;
  appointment = ch_db_appointment_get (store, appointment_id, error);
  if (appointment == NULL)
    return FALSE;
  if (appointment->patient_id != recall->patient_id)
    return invalid (error, _("That appointment is another patient's"));
  if (g_str_equal (appointment->status, "cancelled"))
    return invalid (error, _("That appointment is cancelled"));

  g_free (recall->status);
  recall->status = g_strdup ("booked");
  recall->appointment_id = appointment->id;
  what = g_strdup_printf ("booked: appointment %" G_GINT64_FORMAT, appointment->id);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_recall_update (store, recall, ch_session_get_username (session), error)
      || !audit_recall (session, CH_AUDIT_UPDATE, recall, what, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gint64
ch_recall_book_new (ChSession      *session,
                    gint64          recall_id,
                    ChAppointment  *appointment,
                    const char     *rrule,
                    guint           flags,
                    GError        **error)
{
  ChStore *store;
  gint64 id;

  g_return_val_if_fail (CH_IS_SESSION (session), 0);
  g_return_val_if_fail (appointment != NULL, 0);

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return 0;
  id = rrule != NULL ? ch_schedule_book_series (session, appointment, rrule, flags, NULL, error)
                     : (ch_schedule_book (session, appointment, flags, error) ? appointment->id : 0);
  if (id == 0
      || !ch_recall_book (session, recall_id, id, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      appointment->id = 0;
      return 0;
    }
  return id;
}

gboolean
ch_recall_close (ChSession   *session,
                 gint64       recall_id,
                 const char  *status,
                 const char  *note,
                 GError     **error)
{
  ChStore *store;
  g_autoptr (ChRecall) recall = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (g_strcmp0 (status, "done") != 0 && g_strcmp0 (status, "cancelled") != 0)
    return invalid (error, _("A recall is closed as done or cancelled"));
  if (g_str_equal (status, "cancelled") && !ch_has_text (note))
    return invalid (error, _("Say why the recall is cancelled"));
  if (too_long (note))
    return invalid (error, _("The note is too long (at most 2000 characters)"));
  store = ch_session_get_store (session);
  recall = open_recall (store, recall_id, error);
  if (recall == NULL)
    return FALSE;

  g_free (recall->status);
  recall->status = g_strdup (status);
  g_free (recall->outcome);
  recall->outcome = g_strstrip (g_strdup (note ? note : ""));
  what = g_strdup_printf ("%s%s%s", status, recall->outcome[0] ? ": " : "", recall->outcome);
  if (!ch_store_begin (store, error))
    return FALSE;
  if (!ch_db_recall_update (store, recall, ch_session_get_username (session), error)
      || !audit_recall (session, CH_AUDIT_UPDATE, recall, what, error)
      || !ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* ---- immunizations due, from the charts -------------------------------------------- */

/* When a yearly dose of @group falls due: a year after the last one given,
 * else today, never before the age the schedule says (@scheduled). */
static char *
yearly_due (GPtrArray  *given,
            const char *group,
            const char *scheduled)
{
  gint64 last = 0;
  g_autofree char *due = NULL;

  for (guint i = 0; given != NULL && i < given->len; i++)
    {
      const ChChartItem *item = given->pdata[i];
      const ChRefEntry *vaccine = ch_refdata_lookup (CH_REF_CVX, item->code, NULL);

      if (vaccine != NULL && strstr (vaccine->group, group) != NULL
          && g_strcmp0 (item->clinical_status, "refused") != 0
          && g_strcmp0 (item->status, "entered-in-error") != 0)
        last = MAX (last, item->effective_at);
    }
  if (last > 0)
    {
      g_autoptr (GDateTime) given_at = g_date_time_new_from_unix_local (last / G_USEC_PER_SEC);
      g_autoptr (GDateTime) next = g_date_time_add_days (given_at, 365);

      due = g_date_time_format (next, "%Y-%m-%d");
    }
  else
    due = day_from_today (0);
  return g_strdup (strcmp (due, scheduled) < 0 ? scheduled : due);
}

gboolean
ch_recall_generate_immunizations (ChSession  *session,
                                  int         horizon_days,
                                  guint      *out_created,
                                  GError    **error)
{
  ChStore *store;
  g_autoptr (GArray) patients = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) horizon = NULL;
  g_autofree char *last_day = NULL;
  g_autofree char *today = NULL;
  g_autofree char *detail = NULL;
  gint64 year_ago = g_get_real_time () - (gint64) 365 * G_TIME_SPAN_DAY;
  guint created = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return FALSE;
  /* Reading every chart is the role's own right, never emergency access:
   * that is for the one patient in front of you. */
  if (ch_role_get_access (ch_session_get_role (session), CH_AREA_CLINICAL) < CH_ACCESS_READ)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                           _("Finding the immunizations due reads every chart: emergency access "
                             "does not allow it"));
      return FALSE;
    }
  if (horizon_days < 0 || horizon_days > MAX_HORIZON_DAYS)
    return invalid (error, _("Look ahead from 0 to 366 days"));

  store = ch_session_get_store (session);
  horizon = g_date_time_add_days (now, horizon_days);
  last_day = g_date_time_format (horizon, "%Y-%m-%d");
  today = g_date_time_format (now, "%Y-%m-%d");
  patients = ch_db_recall_birthdays (store, error);
  if (patients == NULL)
    return FALSE;

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint p = 0; p < patients->len; p++)
    {
      const ChBirthday *patient = &g_array_index (patients, ChBirthday, p);
      g_autoptr (GPtrArray) given = NULL;
      g_autoptr (GPtrArray) due = NULL;

      given = ch_db_chart_list (store, patient->id, CH_SECTION_IMMUNIZATION, FALSE, 0, error);
      if (given == NULL)
        goto fail;
      /* What they will be due for by the horizon, given what they had. */
      due = ch_immunizations_due (patient->birth_date, given, horizon);
      for (guint d = 0; d < due->len; d++)
        {
          const ChDueDose *dose = due->pdata[d];
          gboolean yearly = strstr (dose->notes, "yearly") != NULL
                            || strstr (dose->notes, "annual") != NULL;
          g_autoptr (ChRecall) recall = NULL;
          g_autofree char *due_date = yearly ? yearly_due (given, dose->vaccine_group, dose->due_date)
                                             : g_strdup (dose->due_date);
          gboolean has = FALSE;

          if (strcmp (due_date, last_day) > 0)
            continue;
          if (!ch_db_recall_has_immunization (store, patient->id, dose->vaccine_group, dose->dose,
                                              year_ago, &has, error))
            goto fail;
          if (has)
            continue;

          recall = ch_recall_new ();
          recall->patient_id = patient->id;
          recall->kind = g_strdup ("immunization");
          recall->code = g_strdup (dose->vaccine_group);
          recall->dose = dose->dose;
          /* Long overdue is due now: the call is today's work, and the
           * reason keeps when it was first due. */
          if (strcmp (due_date, today) < 0)
            {
              /* TRANSLATORS: a recall's reason: vaccine, dose number, when it was due */
              recall->reason = g_strdup_printf (_("%s, dose %d (due since %s)"),
                                                ch_refdata_vaccine_group_name (dose->vaccine_group),
                                                dose->dose, due_date);
              recall->due_date = g_strdup (today);
            }
          else
            {
              /* TRANSLATORS: a recall's reason: vaccine and dose number */
              recall->reason = g_strdup_printf (_("%s, dose %d"),
                                                ch_refdata_vaccine_group_name (dose->vaccine_group),
                                                dose->dose);
              recall->due_date = g_steal_pointer (&due_date);
            }
          if (!insert_recall (session, recall, error))
            goto fail;
          created++;
        }
    }
  /* The charts were read to find them: that is a look at each, on record. */
  detail = g_strdup_printf ("immunization recalls up to %s: %u patients checked, %u recalls added",
                            last_day, patients->len, created);
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "immunizations", "recall-generation", 0, detail,
                         error)
      || !ch_store_commit (store, error))
    goto fail;
  if (out_created != NULL)
    *out_created = created;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}
