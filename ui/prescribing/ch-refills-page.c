/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-refills-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-chart-ui.h"
#include "ch-prescribing.h"
#include "ch-refills-page.h"
#include "ch-refills.h"
#include "ch-ui.h"

/* A prescriber's refill queue: each pending request with its patient, drug,
 * who asked and why. Approving first looks at the alerts the renewal would
 * meet: none, and it is signed at once; else they are shown, and a
 * contraindicated one needs a reason. Denying needs a reason. Every call to
 * the controller runs on a worker through the session gate. */

struct _ChRefillsPage
{
  AdwBin               parent_instance;

  GtkSpinner          *spinner;
  AdwComboRow         *prescriber_row;
  AdwPreferencesGroup *queue_group;
  GtkWidget           *empty_page;

  ChSession           *session;
  GPtrArray           *prescribers;  /* (element-type ChUserRecord) */
  GPtrArray           *queue;        /* (element-type ChRefillRequest) shown */
  GPtrArray           *rows;
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChRefillsPage, ch_refills_page, ADW_TYPE_BIN)

static void
ch_refills_page_update_actions (ChRefillsPage *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean can_sign = idle && ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "refills.approve", can_sign);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "refills.deny", can_sign);
}

static void
ch_refills_page_set_busy (ChRefillsPage *self,
                          gboolean       busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_refills_page_update_actions (self);
}

static const char *
selected_prescriber (ChRefillsPage *self)
{
  guint selected = adw_combo_row_get_selected (self->prescriber_row);

  if (self->prescribers == NULL || selected >= self->prescribers->len)
    return NULL;
  return ((ChUserRecord *) self->prescribers->pdata[selected])->username;
}

static const ChRefillRequest *
find_request (ChRefillsPage *self,
              gint64         id)
{
  for (guint i = 0; self->queue != NULL && i < self->queue->len; i++)
    if (((ChRefillRequest *) self->queue->pdata[i])->id == id)
      return self->queue->pdata[i];
  return NULL;
}

static GtkWidget *
request_row (const ChRefillRequest *request)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *deny = gtk_button_new_with_mnemonic (_("_Deny…"));
  GtkWidget *approve = gtk_button_new_with_mnemonic (_("_Approve"));
  g_autofree char *title = NULL;
  g_autofree char *when = ch_chart_ui_format_time (request->requested_at);
  g_autofree char *subtitle = NULL;
  g_autofree char *name = g_strdup_printf ("request-%" G_GINT64_FORMAT, request->id);

  /* TRANSLATORS: "Garcia, Ana (MRN 00000012): metformin 500 mg tablet" */
  title = g_strdup_printf (_("%s (MRN %s): %s %s %s"), request->patient_name, request->patient_mrn,
                           request->drug_name, request->strength, request->form);
  /* TRANSLATORS: "asked by nurse, 2026-11-25 10:04 — Patient has 3 days left" */
  subtitle = g_strdup_printf (_("asked by %s, %s%s%s"), request->requested_by, when,
                              request->note[0] ? " — " : "", request->note);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, name);

  gtk_widget_set_valign (deny, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (deny), "refills.deny");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (deny), g_variant_new_int64 (request->id));
  gtk_widget_set_valign (approve, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (approve, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (approve), "refills.approve");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (approve),
                                          g_variant_new_int64 (request->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), deny);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), approve);
  return row;
}

static void
ch_refills_page_fill (ChRefillsPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->queue_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; self->queue != NULL && i < self->queue->len; i++)
    {
      GtkWidget *row = request_row (self->queue->pdata[i]);

      adw_preferences_group_add (self->queue_group, row);
      g_ptr_array_add (self->rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->queue_group), self->rows->len > 0);
  gtk_widget_set_visible (self->empty_page, self->rows->len == 0);
}

/* ---- work -------------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *prescriber;
  gint64     request_id;
  char      *reason;
  GPtrArray *alerts;   /* out: what approving meets */
  GPtrArray *queue;    /* out */
  gint64     renewal;  /* out */
  gboolean   deny;
  gboolean   approve;
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_clear_object (&work->session);
  g_free (work->prescriber);
  g_free (work->reason);
  g_clear_pointer (&work->alerts, g_ptr_array_unref);
  g_clear_pointer (&work->queue, g_ptr_array_unref);
  g_free (work);
}

static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  if (work->deny && !ch_refills_deny (work->session, work->request_id, work->reason, &error))
    goto fail;

  if (work->approve)
    {
      g_autoptr (GArray) decisions = g_array_new (FALSE, TRUE, sizeof (ChAlertDecision));
      g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

      work->alerts = ch_refills_check (work->session, work->request_id, &error);
      if (work->alerts == NULL)
        goto fail;
      /* Without a reason, alerts that need one stop here and are shown. */
      if (work->reason == NULL && work->alerts->len > 0)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      for (guint i = 0; i < work->alerts->len; i++)
        {
          ChAlertDecision decision = { 0 };
          char *key = ch_drug_alert_pair_key (work->alerts->pdata[i]);

          g_ptr_array_add (keys, key);
          decision.pair_key = key;
          decision.reason = work->reason;
          g_array_append_val (decisions, decision);
        }
      if (!ch_refills_approve (work->session, work->request_id,
                               (ChAlertDecision *) decisions->data, decisions->len, NULL,
                               &work->renewal, &error))
        goto fail;
      g_clear_pointer (&work->alerts, g_ptr_array_unref);
    }

  work->queue = ch_refills_queue (work->session, work->prescriber, &error);
  if (work->queue == NULL)
    goto fail;
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void show_alerts (ChRefillsPage *self, gint64 request_id, GPtrArray *alerts);

static void
work_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChRefillsPage *self = CH_REFILLS_PAGE (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_refills_page_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }
  ch_refills_page_set_busy (self, FALSE);

  if (work->alerts != NULL)
    {
      show_alerts (self, work->request_id, work->alerts);
      return;
    }
  if (work->queue != NULL)
    {
      g_clear_pointer (&self->queue, g_ptr_array_unref);
      self->queue = g_steal_pointer (&work->queue);
      ch_refills_page_fill (self);
    }
  if (work->approve)
    ch_ui_toast (GTK_WIDGET (self), _("Refill approved and signed"));
  else if (work->deny)
    ch_ui_toast (GTK_WIDGET (self), _("Refill denied"));
}

static void
run (ChRefillsPage *self,
     Work          *work)
{
  g_autoptr (GTask) task = NULL;

  work->session = g_object_ref (self->session);
  work->prescriber = g_strdup (selected_prescriber (self));
  ch_refills_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, work_done, NULL);
  g_task_set_task_data (task, work, work_free);
  ch_ui_session_run_task (task, work_thread);
}

void
ch_refills_page_reload (ChRefillsPage *self)
{
  g_return_if_fail (CH_IS_REFILLS_PAGE (self));

  if (self->session == NULL)
    return;   /* disposed while a reload waited */
  if (self->busy || ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_refills_page_reload));
      return;
    }
  run (self, g_new0 (Work, 1));
}

static void
on_prescriber_changed (ChRefillsPage *self)
{
  if (self->session != NULL)
    ch_refills_page_reload (self);
}

/* ---- approving and denying ----------------------------------------------------- */

/* Approving despite alerts and denying both need a reason, typed in a
 * reason dialog that carries the request's id and what to do with it. */
static void
on_reason_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ChRefillsPage    *self)
{
  g_autofree char *reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  Work *work;

  /* As the page's actions: not while another worker holds the session. */
  if (g_strcmp0 (response, "confirm") != 0 || reason == NULL || self->session == NULL
      || self->busy || ch_ui_session_is_busy (self->session))
    return;
  work = g_new0 (Work, 1);
  work->deny = g_object_get_data (G_OBJECT (dialog), "deny") != NULL;
  work->approve = !work->deny;
  work->request_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "request-id");
  work->reason = g_steal_pointer (&reason);
  run (self, work);
}

static void
present_reason_dialog (ChRefillsPage *self,
                       gint64         request_id,
                       gboolean       deny,
                       const char    *heading,
                       const char    *body,
                       const char    *confirm)
{
  GtkWidget *dialog = ch_chart_ui_reason_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                     heading, body, confirm);

  g_object_set_data_full (G_OBJECT (dialog), "request-id",
                          g_memdup2 (&request_id, sizeof request_id), g_free);
  if (deny)
    g_object_set_data (G_OBJECT (dialog), "deny", GINT_TO_POINTER (TRUE));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_reason_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_alerts (ChRefillsPage *self,
             gint64         request_id,
             GPtrArray     *alerts)
{
  g_autoptr (GString) body = g_string_new (NULL);

  for (guint i = 0; i < alerts->len; i++)
    {
      const ChDrugAlert *alert = alerts->pdata[i];
      g_autofree char *title = ch_drug_alert_title (alert);

      g_string_append_printf (body, "%s%s\n%s %s", i ? "\n\n" : "", title, alert->effect,
                              alert->management);
    }
  present_reason_dialog (self, request_id, FALSE, _("Approve Despite the Alerts?"), body->str,
                         _("_Approve and Sign"));
}

static void
approve_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChRefillsPage *self = CH_REFILLS_PAGE (widget);
  Work *work;

  if (self->busy || find_request (self, g_variant_get_int64 (parameter)) == NULL)
    return;
  work = g_new0 (Work, 1);
  work->approve = TRUE;
  work->request_id = g_variant_get_int64 (parameter);
  run (self, work);
}

static void
deny_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChRefillsPage *self = CH_REFILLS_PAGE (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const ChRefillRequest *request = find_request (self, id);
  g_autofree char *body = NULL;

  if (self->busy || request == NULL)
    return;
  /* TRANSLATORS: "metformin for Garcia, Ana: the reason is kept with the request." */
  body = g_strdup_printf (_("%s for %s: the reason is kept with the request."), request->drug_name,
                          request->patient_name);
  present_reason_dialog (self, id, TRUE, _("Deny Refill?"), body, _("_Deny"));
}

/* ---- construction -------------------------------------------------------------- */

GtkWidget *
ch_refills_page_new (ChSession *session)
{
  ChRefillsPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_auto (GStrv) items = NULL;
  g_autoptr (GtkStringList) list = NULL;
  guint own = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_REFILLS_PAGE, NULL);

  /* Built while the session is idle (the main page builds sections then). */
  self->prescribers = ch_prescribing_list_prescribers (session, &error);
  if (self->prescribers == NULL)
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      self->prescribers = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_user_record_free);
    }
  for (guint i = 0; i < self->prescribers->len; i++)
    {
      ChUserRecord *user = self->prescribers->pdata[i];

      g_strv_builder_add (names, user->display_name && user->display_name[0]
                                 ? user->display_name : user->username);
      if (g_strcmp0 (user->username, ch_session_get_username (session)) == 0)
        own = i;
    }
  items = g_strv_builder_end (names);
  list = gtk_string_list_new ((const char * const *) items);
  adw_combo_row_set_model (self->prescriber_row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (self->prescriber_row, own);

  /* Only now: choosing the prescriber above reads nothing yet. */
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_refills_page_update_actions));
  ch_refills_page_fill (self);
  ch_refills_page_update_actions (self);
  ch_refills_page_reload (self);
  return GTK_WIDGET (self);
}

gboolean
ch_refills_page_get_busy (ChRefillsPage *self)
{
  g_return_val_if_fail (CH_IS_REFILLS_PAGE (self), FALSE);

  return self->busy;
}

GPtrArray *
ch_refills_page_get_queue (ChRefillsPage *self)
{
  g_return_val_if_fail (CH_IS_REFILLS_PAGE (self), NULL);

  return self->queue;
}

static void
ch_refills_page_dispose (GObject *object)
{
  ChRefillsPage *self = CH_REFILLS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_REFILLS_PAGE);

  G_OBJECT_CLASS (ch_refills_page_parent_class)->dispose (object);
}

static void
ch_refills_page_finalize (GObject *object)
{
  ChRefillsPage *self = CH_REFILLS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prescribers, g_ptr_array_unref);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_refills_page_parent_class)->finalize (object);
}

static void
ch_refills_page_class_init (ChRefillsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_refills_page_dispose;
  object_class->finalize = ch_refills_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-refills-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChRefillsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChRefillsPage, prescriber_row);
  gtk_widget_class_bind_template_child (widget_class, ChRefillsPage, queue_group);
  gtk_widget_class_bind_template_child (widget_class, ChRefillsPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_prescriber_changed);

  gtk_widget_class_install_action (widget_class, "refills.approve", "x", approve_activated);
  gtk_widget_class_install_action (widget_class, "refills.deny", "x", deny_activated);
}

static void
ch_refills_page_init (ChRefillsPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
