/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-page"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-account-view.h"
#include "ch-billing-desk.h"
#include "ch-billing-page.h"
#include "ch-billing-ui.h"
#include "ch-claims.h"
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
  GtkWidget           *claims_box;
  GtkLabel            *claims_label;
  GtkLabel            *claims_message;
  GtkFileChooserNative *chooser;
  GtkListBox          *ready_list;
  GtkLabel            *ready_label;
  GtkLabel            *patient_label;
  ChAccountView       *account_view;

  ChSession           *session;
  GPtrArray           *payments;    /* (element-type ChDeskMethodTotal) */
  GPtrArray           *ready;       /* (element-type ChDeskReadyEncounter) */
  ChClaimsPayers      *claims_payers; /* the office manager's only */
  char                *claims_text;   /* what the last build or posting did */
  gboolean             claims_busy;
  gint64               n_ready;
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             loaded;
  gboolean             reload_pending;
};

G_DEFINE_FINAL_TYPE (ChBillingPage, ch_billing_page, ADW_TYPE_BIN)

static void ch_billing_page_start_load (ChBillingPage *self);

/* Claims are the office manager's (ch-claims.c refuses anyone else). */
static gboolean
claims_allowed (ChBillingPage *self)
{
  return self->session != NULL
         && ch_session_can (self->session, CH_AREA_BILLING, CH_ACCESS_WRITE)
         && ch_session_get_role (self->session) == CH_ROLE_MANAGER;
}

static void
update_actions (ChBillingPage *self)
{
  gboolean can_close = self->session != NULL
                       && ch_session_can (self->session, CH_AREA_BILLING, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.reload",
                                 self->session != NULL && !self->busy);
  gboolean claims = claims_allowed (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.close-day", can_close);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.build-claims",
                                 claims && !self->claims_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "billing.post-remittance",
                                 claims && !self->claims_busy);
  /* What the role may never do is not offered at all. */
  gtk_widget_set_visible (self->close_day_button, can_close);
  gtk_widget_set_visible (self->claims_box, claims);
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

/* What awaits a claim, payer by payer, and what the last build or
 * posting did. */
static void
fill_claims (ChBillingPage *self)
{
  g_autoptr (GString) text = g_string_new (NULL);
  ChClaimsPayers *payers = self->claims_payers;

  if (payers != NULL)
    {
      for (guint i = 0; i < payers->payers->len; i++)
        {
          const ChPayer *payer = payers->payers->pdata[i];

          if (payer->n_ready == 0)
            continue;
          if (text->len > 0)
            g_string_append (text, ", ");
          /* TRANSLATORS: a payer and how many encounters await a claim to it: "Medicare 12" */
          g_string_append_printf (text, _("%s %" PRId64), payer->name, payer->n_ready);
        }
      if (text->len > 0)
        {
          g_autofree char *list = g_string_free (g_steal_pointer (&text), FALSE);

          /* TRANSLATORS: "Ready for a claim: Medicare 12, Acme Health 3" */
          text = g_string_new (NULL);
          g_string_printf (text, _("Ready for a claim: %s."), list);
        }
      else if (payers->payers->len == 0)
        g_string_assign (text, _("No payer is set up yet: add the practice's payers and the "
                                 "billing provider with charta-admin claims."));
      else
        g_string_assign (text, _("No encounter waits for a claim."));
      if (payers->unmatched->len > 0 && payers->payers->len > 0)
        g_string_append_printf (text, " %s",
                                g_dngettext (GETTEXT_PACKAGE,
                                             "One encounter's payer is not set up.",
                                             "Some encounters' payers are not set up.",
                                             payers->unmatched->len));
    }
  gtk_label_set_text (self->claims_label, text->str);
  gtk_label_set_text (self->claims_message, self->claims_text != NULL ? self->claims_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->claims_message), self->claims_text != NULL);
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
  fill_claims (self);
}

/* ---- loading ---------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  char      *today;
  GPtrArray *payments;
  GPtrArray *ready;
  gint64     n_ready;
  gboolean   with_claims;
  ChClaimsPayers *claims_payers;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_free (load->today);
  g_clear_pointer (&load->payments, g_ptr_array_unref);
  g_clear_pointer (&load->ready, g_ptr_array_unref);
  g_clear_pointer (&load->claims_payers, ch_claims_payers_free);
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
  if (load->ready != NULL && load->with_claims)
    {
      load->claims_payers = ch_claims_payers (load->session, &error);
      if (load->claims_payers == NULL)
        g_clear_pointer (&load->ready, g_ptr_array_unref);
    }
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
      g_clear_pointer (&self->claims_payers, ch_claims_payers_free);
      self->claims_payers = g_steal_pointer (&load->claims_payers);
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
  load->with_claims = claims_allowed (self);
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

/* ---- claims ------------------------------------------------------------------- */

typedef struct
{
  char                *path;
  gboolean             post;
  ChClaimsBuildResult *built;   /* out */
  ChClaimsPostResult   posted;  /* out */
} Claims;

static void
claims_free (Claims *claims)
{
  g_free (claims->path);
  g_clear_pointer (&claims->built, ch_claims_build_result_free);
  g_free (claims);
}

static gboolean
claims_func (ChSession  *session,
             gpointer    data,
             GError    **error)
{
  Claims *claims = data;

  if (claims->post)
    return ch_claims_post_835 (session, claims->path, &claims->posted, error);
  claims->built = ch_claims_build (session, NULL, claims->path, error);
  return claims->built != NULL;
}

static char *
built_text (const Claims *claims)
{
  const ChClaimsBuildResult *built = claims->built;
  g_autoptr (GString) text = g_string_new (NULL);
  guint n_claims = 0;
  gint64 total = 0;

  for (guint i = 0; i < built->batches->len; i++)
    {
      const ChClaimBatch *batch = built->batches->pdata[i];

      n_claims += batch->n_claims;
      total += batch->total_cents;
    }
  if (built->batches->len == 0)
    g_string_assign (text, _("No claim was made: no encounter ready to bill has a payer that "
                             "is set up."));
  else
    {
      g_autofree char *money = ch_billing_ui_money (total);
      g_autofree char *claims_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "%u claim", "%u claims",
                                                                   n_claims), n_claims);
      g_autofree char *files_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                  "%u file", "%u files",
                                                                  built->batches->len),
                                                     built->batches->len);

      /* TRANSLATORS: "12 claims, $1,234.00 in all, in 2 files in /home/…/claims:" */
      g_string_printf (text, _("%s, %s in all, in %s in %s:"), claims_part, money, files_part,
                       claims->path);
      for (guint i = 0; i < built->batches->len; i++)
        {
          const ChClaimBatch *batch = built->batches->pdata[i];
          g_autofree char *base = g_path_get_basename (batch->path);

          g_string_append_printf (text, "%s %s", i > 0 ? "," : "", base);
        }
    }
  if (built->skipped->len > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u encounter was left out (self-pay, or its "
                                                 "payer is not set up).",
                                                 "%u encounters were left out (self-pay, or "
                                                 "their payer is not set up).",
                                                 built->skipped->len),
                              built->skipped->len);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
posted_text (const Claims *claims)
{
  const ChClaimsPostResult *r = &claims->posted;
  g_autofree char *paid = ch_billing_ui_money (r->paid_cents);
  g_autofree char *written_off = ch_billing_ui_money (r->written_off_cents);
  g_autofree char *patients = ch_billing_ui_money (r->patient_cents);
  g_autofree char *base = g_path_get_basename (claims->path);
  g_autoptr (GString) text = g_string_new (NULL);

  if (r->advices == 0 && r->already_posted > 0)
    g_string_printf (text, _("%s was posted before: nothing was posted again."), base);
  else
    {
      /* TRANSLATORS: "era.835: 12 claims settled (1 denied); $900.00 paid, $120.00 written
       * off, $80.00 left to patients." */
      g_string_printf (text, _("%s: %u claims settled (%u denied); %s paid, %s written off, "
                               "%s left to patients."),
                       base, r->claims, r->denied, paid, written_off, patients);
      if (r->already_posted > 0)
        g_string_append_printf (text, " %s",
                                g_dngettext (GETTEXT_PACKAGE,
                                             "One remittance in it was posted before and was "
                                             "skipped.",
                                             "Some remittances in it were posted before and were "
                                             "skipped.", r->already_posted));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
claims_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChBillingPage *self = CH_BILLING_PAGE (object);
  Claims *claims = ch_billing_ui_run_get_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->claims_busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
      update_actions (self);
      return;
    }
  show_error (self, NULL);
  g_free (self->claims_text);
  self->claims_text = claims->post ? posted_text (claims) : built_text (claims);
  fill_claims (self);
  /* What awaits a claim, and what is owed, changed. */
  ch_billing_page_start_load (self);
}

static gboolean
start_claims (ChBillingPage *self,
              GFile         *file,
              gboolean       post)
{
  Claims *claims;

  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->claims_busy || self->busy || ch_ui_session_is_busy (self->session))
    {
      show_error (self, _("Charta is busy; try again in a moment"));
      return FALSE;
    }
  claims = g_new0 (Claims, 1);
  claims->path = g_file_get_path (file);
  claims->post = post;
  if (claims->path == NULL)
    {
      claims_free (claims);
      show_error (self, _("Choose a folder on this computer"));
      return FALSE;
    }
  self->claims_busy = TRUE;
  update_actions (self);
  ch_billing_ui_run (self->session, self, self->cancellable, claims_func, claims,
                     (GDestroyNotify) claims_free, claims_done);
  return TRUE;
}

gboolean
ch_billing_page_build_claims_to (ChBillingPage *self,
                                 GFile         *folder)
{
  return start_claims (self, folder, FALSE);
}

gboolean
ch_billing_page_post_remittance (ChBillingPage *self,
                                 GFile         *file)
{
  return start_claims (self, file, TRUE);
}

const char *
ch_billing_page_get_claims_message (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return self->claims_text;
}

const char *
ch_billing_page_get_error (ChBillingPage *self)
{
  g_return_val_if_fail (CH_IS_BILLING_PAGE (self), NULL);
  return gtk_revealer_get_reveal_child (self->error_revealer)
         ? gtk_label_get_text (self->error_label) : NULL;
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     ChBillingPage   *self)
{
  gboolean post = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "post"));
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  if (file != NULL)
    start_claims (self, file, post);
}

static void
choose_claims_file (ChBillingPage *self,
                    gboolean       post)
{
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));

  if (self->chooser != NULL || self->claims_busy)
    return;
  if (post)
    {
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

      self->chooser = gtk_file_chooser_native_new (_("Post a Remittance (X12 835)"), parent,
                                                   GTK_FILE_CHOOSER_ACTION_OPEN, _("_Post"),
                                                   _("_Cancel"));
      gtk_file_filter_set_name (filter, _("X12 835 remittances"));
      gtk_file_filter_add_pattern (filter, "*.835");
      gtk_file_filter_add_pattern (filter, "*.x12");
      gtk_file_filter_add_pattern (filter, "*.edi");
      gtk_file_filter_add_pattern (filter, "*.txt");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }
  else
    self->chooser = gtk_file_chooser_native_new (_("Choose a Folder for the Claim Files"), parent,
                                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                 _("_Build"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_object_set_data (G_OBJECT (self->chooser), "post", GINT_TO_POINTER (post));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
build_claims_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  choose_claims_file (CH_BILLING_PAGE (widget), FALSE);
}

static void
post_remittance_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  choose_claims_file (CH_BILLING_PAGE (widget), TRUE);
}

/* ---- the daily close ------------------------------------------------------------ */

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
  return self->busy || self->claims_busy || self->reload_pending || !self->loaded;
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
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, on_chooser_response, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
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
  g_clear_pointer (&self->claims_payers, ch_claims_payers_free);
  g_free (self->claims_text);

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
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, claims_box);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, claims_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, claims_message);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, ready_list);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, ready_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, patient_label);
  gtk_widget_class_bind_template_child (widget_class, ChBillingPage, account_view);
  gtk_widget_class_bind_template_callback (widget_class, on_patient_chosen);

  gtk_widget_class_install_action (widget_class, "billing.open", "(xs)", open_activated);
  gtk_widget_class_install_action (widget_class, "billing.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "billing.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "billing.close-day", NULL, close_day_activated);
  gtk_widget_class_install_action (widget_class, "billing.build-claims", NULL,
                                   build_claims_activated);
  gtk_widget_class_install_action (widget_class, "billing.post-remittance", NULL,
                                   post_remittance_activated);
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
