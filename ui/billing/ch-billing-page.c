/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-page"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-account-view.h"
#include "ch-billing-desk.h"
#include "ch-billing-page.h"
#include "ch-billing-ui.h"
#include "ch-close-day-dialog.h"
#include "ch-chart-ui.h"
#include "ch-patient-picker.h"
#include "ch-ui.h"

/* The Billing section: find a patient to open their account; under it,
 * what came in today by method, and the encounters waiting to be billed,
 * each opening its account. The account opens on the page itself, with a
 * way back. */

#define READY_ROWS 20

struct _ChBillingPage
{
  AdwBin               parent_instance;

  GtkStack            *pages;
  ChPatientPicker     *picker;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkListBox          *payments_list;
  GtkLabel            *payments_label;
  GtkWidget           *close_day_button;
  GtkListBox          *ready_list;
  GtkLabel            *ready_label;
  GtkLabel            *patient_label;
  ChAccountView       *account_view;

  ChSession           *session;
  GPtrArray           *payments;    /* (element-type ChDeskMethodTotal) */
  GPtrArray           *ready;       /* (element-type ChDeskReadyEncounter) */
  gint64               n_ready;
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             loaded;
  gboolean             reload_pending;
};

G_DEFINE_FINAL_TYPE (ChBillingPage, ch_billing_page, ADW_TYPE_BIN)

static void ch_billing_page_start_load (ChBillingPage *self);

static void
update_actions (ChBillingPage *self)
{
  gboolean can_close = self->session != NULL
                       && ch_session_can (self->session, CH_AREA_BILLING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.reload",
                                 self->session != NULL && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.close-day", can_close);
  /* What the role may never do is not offered at all. */
  gtk_widget_set_visible (self->close_day_button, can_close);
}

static void
show_error (ChBillingPage *self,
            const char    *message)
{
  if (message != NULL)
    gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static GtkWidget *
add_row (GtkListBox          *list,
         const char          *title,
         const char          *subtitle,
         const char          *amount)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (amount != NULL)
    {
      GtkWidget *label = gtk_label_new (amount);

      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  gtk_list_box_append (list, row);
  return row;
}

static void
fill (ChBillingPage *self)
{
  gint64 total = 0, count = 0;
  g_autofree char *ready_text = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->payments_list))) != NULL)
    gtk_list_box_remove (self->payments_list, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->ready_list))) != NULL)
    gtk_list_box_remove (self->ready_list, child);

  for (guint i = 0; self->payments != NULL && i < self->payments->len; i++)
    {
      const ChDeskMethodTotal *method = g_ptr_array_index (self->payments, i);
      g_autofree char *amount = ch_billing_ui_money (method->total_cents);
      g_autofree char *n = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " payment",
                                                         "%" PRId64 " payments",
                                                         method->count),
                                            method->count);
      GtkWidget *row = add_row (self->payments_list,
                                ch_billing_ui_method_label (method->method), n, amount);

      gtk_widget_set_name (row, method->method);
      total += method->total_cents;
      count += method->count;
    }
  if (count > 0)
    {
      g_autofree char *amount = ch_billing_ui_money (total);
      GtkWidget *row = add_row (self->payments_list, _("Total"), NULL, amount);

      gtk_widget_set_name (row, "total");
      gtk_widget_add_css_class (row, "heading");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->payments_list), count > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->payments_label), self->loaded && count == 0);

  for (guint i = 0; self->ready != NULL && i < self->ready->len; i++)
    {
      const ChDeskReadyEncounter *e = g_ptr_array_index (self->ready, i);
      g_autofree char *title = g_strdup_printf ("%s, %s · %s", e->family_name, e->given_name, e->mrn);
      g_autofree char *when = ch_chart_ui_format_date (e->start_at);
      g_autofree char *amount = ch_billing_ui_money (e->charged_cents);
      g_autofree char *subtitle = NULL;
      g_autofree char *name = g_strdup_printf ("ready-%" PRId64, e->encounter_id);
      GtkWidget *row, *open;

      /* TRANSLATORS: an encounter ready to bill: its date, the provider, how many lines */
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%s · %s · %" PRId64 " line",
                                               "%s · %s · %" PRId64 " lines",
                                               e->n_lines),
                                  when, e->provider, e->n_lines);
      row = add_row (self->ready_list, title, subtitle, amount);
      gtk_widget_set_name (row, name);
      open = gtk_button_new_from_icon_name ("go-next-symbolic");
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (open, "flat");
      gtk_widget_set_tooltip_text (open, _("Open the account"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Open the account"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "billing.open");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (open), "(xs)", e->patient_id, title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), open);
    }
  if (self->n_ready == 0)
    ready_text = g_strdup (self->loaded ? _("No encounter waits to be billed. Physicians mark an "
                                            "encounter ready to bill once its charges are coded.")
                                        : "");
  else if (self->ready != NULL && self->n_ready > (gint64) self->ready->len)
    ready_text = g_strdup_printf (_("%" PRId64 " encounters; the %u marked last are shown"),
                                  self->n_ready, self->ready->len);
  else
    ready_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " encounter",
                                               "%" PRId64 " encounters", self->n_ready),
                                  self->n_ready);
  gtk_label_set_text (self->ready_label, ready_text);
  gtk_widget_set_visible (GTK_WIDGET (self->ready_list),
                          self->ready != NULL && self->ready->len > 0);
}

/* ---- loading ---------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *today;
  GPtrArray *payments;
  GPtrArray *ready;
  gint64     n_ready;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_free (load->today);
  g_clear_pointer (&load->payments, g_ptr_array_unref);
  g_clear_pointer (&load->ready, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  load->payments = ch_billing_desk_payments_on (load->session, load->today, &error);
  if (load->payments != NULL)
    load->ready = ch_billing_desk_ready (load->session, READY_ROWS, &load->n_ready, &error);
  if (load->ready == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChBillingPage *self = CH_BILLING_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      show_error (self, error->message);
    }
  else
    {
      g_clear_pointer (&self->payments, g_ptr_array_unref);
      g_clear_pointer (&self->ready, g_ptr_array_unref);
      self->payments = g_steal_pointer (&load->payments);
      self->ready = g_steal_pointer (&load->ready);
      self->n_ready = load->n_ready;
      self->loaded = TRUE;
      self->busy = FALSE;
      show_error (self, NULL);
      fill (self);
    }
  update_actions (self);
  if (self->reload_pending)
    ch_billing_page_start_load (self);
}

static void
ch_billing_page_start_load (ChBillingPage *self)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  Load *load;

  if (self->busy)
    {
      self->reload_pending = TRUE;
      return;
    }
  self->reload_pending = FALSE;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_billing_page_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->today = g_date_time_format (now, "%Y-%m-%d");
  self->busy = TRUE;
  update_actions (self);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_billing_page_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

/* ---- commands ------------------------------------------------------------------ */

void
ch_billing_page_open_account (ChBillingPage *self,
                              gint64         patient_id,
                              const char    *label)
{
  g_return_if_fail (CH_IS_BILLING_PAGE (self));
  g_return_if_fail (patient_id > 0);

  gtk_label_set_text (self->patient_label, label != NULL ? label : "");
  ch_account_view_load (self->account_view, patient_id, label);
  ch_ui_stack_show (self->pages, "account");
}

static void
on_patient_chosen (ChBillingPage *self)
{
  gint64 id = ch_patient_picker_get_patient_id (self->picker);

  if (id > 0)
    ch_billing_page_open_account (self, id, ch_patient_picker_get_patient_name (self->picker));
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gint64 id = 0;
  const char *label = NULL;

  g_variant_get (parameter, "(x&s)", &id, &label);
  ch_billing_page_open_account (CH_BILLING_PAGE (widget), id, label);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChBillingPage *self = CH_BILLING_PAGE (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "account") != 0)
    return;
  ch_account_view_clear (self->account_view);
  ch_patient_picker_set_patient (self->picker, 0, NULL);
  ch_ui_stack_show (self->pages, "overview");
  /* Payments taken meanwhile show in today's totals. */
  ch_billing_page_start_load (self);
}

static void
on_day_closed (ChBillingPage *self)
{
  ch_billing_page_start_load (self);
}

/* Returns: (transfer none): the dialog, shown */
GtkWidget *
ch_billing_page_close_day (ChBillingPage *self)
{
  GtkWidget *dialog;

  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  g_return_val_if_fail (self->session != NULL, NULL);

  dialog = ch_close_day_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                    self->session);
  g_signal_connect_object (dialog, "closed", G_CALLBACK (on_day_closed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
close_day_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ch_billing_page_close_day (CH_BILLING_PAGE (widget));
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_billing_page_reload (CH_BILLING_PAGE (widget));
}

/* ---- public ------------------------------------------------------------------- */

void
ch_billing_page_reload (ChBillingPage *self)
{
  g_return_if_fail (CH_IS_BILLING_PAGE (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "account") == 0)
    ch_account_view_reload (self->account_view);
  ch_billing_page_start_load (self);
}

gboolean
ch_billing_page_get_busy (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), FALSE);
  return self->busy || self->reload_pending || !self->loaded;
}

GtkWidget *
ch_billing_page_get_account_view (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return GTK_WIDGET (self->account_view);
}

GtkWidget *
ch_billing_page_get_picker (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return GTK_WIDGET (self->picker);
}

GPtrArray *
ch_billing_page_get_payments (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return self->payments;
}

GPtrArray *
ch_billing_page_get_ready (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return self->ready;
}

gint64
ch_billing_page_get_n_ready (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), 0);
  return self->n_ready;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_billing_page_dispose (GObject *object)
{
  ChBillingPage *self = CH_BILLING_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  /* The stack is both the bin's child and a template child: let the bin
   * drop it first, or both would unparent it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_BILLING_PAGE);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_billing_page_parent_class)->dispose (object);
}

static void
ch_billing_page_finalize (GObject *object)
{
  ChBillingPage *self = CH_BILLING_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->payments, g_ptr_array_unref);
  g_clear_pointer (&self->ready, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_billing_page_parent_class)->finalize (object);
}

static void
ch_billing_page_class_init (ChBillingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);
  g_type_ensure (CH_TYPE_ACCOUNT_VIEW);

  object_class->dispose = ch_billing_page_dispose;
  object_class->finalize = ch_billing_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-billing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, pages);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, picker);
  
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, payments_list);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, payments_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, close_day_button);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, ready_list);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, ready_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, patient_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, account_view);
  gtk_widget_class_bind_template_callback (widget_class, on_patient_chosen);

  gtk_widget_class_install_action (widget_class, "billing.open", "(xs)", open_activated);
  gtk_widget_class_install_action (widget_class, "billing.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "billing.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "billing.close-day", NULL, close_day_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "billing.back",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "billing.reload", NULL);
}

static void
ch_billing_page_init (ChBillingPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  ch_ui_stack_show (self->pages, "overview");
}

GtkWidget *
ch_billing_page_new (ChSession *session)
{
  ChBillingPage *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_BILLING_PAGE, NULL);
  self->session = g_object_ref (session);
  ch_patient_picker_set_session (self->picker, session);
  ch_account_view_set_session (self->account_view, session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (update_actions));
  ch_billing_page_start_load (self);
  return GTK_WIDGET (self);
}
