/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-prescribe-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-prescribe-dialog.h"
#include "ch-prescription-pdf.h"
#include "ch-ui.h"
#include "ch-validate.h"

/* One prescription, from the drug to the signature. The drug is found as
 * one types (generic or brand); its forms and strengths come from the
 * knowledge base, and the quantity follows the dose, frequency and days
 * until the prescriber types their own. "Check and Sign" saves the draft
 * and runs the checks against the chart: with no alert it signs at once,
 * otherwise the alerts are shown, most severe first, each saying why and
 * what to do; a contraindicated one needs a reason to override. A nurse
 * saves drafts for a physician to sign. Every controller call runs on a
 * worker through the session gate. */

#define MAX_HITS 8

struct _ChPrescribeDialog
{
  AdwWindow        parent_instance;

  AdwWindowTitle  *window_title;
  GtkWidget       *cancel_button;
  GtkWidget       *back_button;
  GtkWidget       *sign_button;
  GtkWidget       *draft_button;
  GtkSpinner      *spinner;
  GtkLabel        *error_label;
  GtkStack        *stack;
  GtkWidget       *form;
  GtkSearchEntry  *drug_entry;
  GtkListBox      *drug_results;
  AdwComboRow     *product_row;
  GtkWidget       *dose_row;
  AdwComboRow     *unit_row;
  AdwComboRow     *frequency_row;
  GtkSwitch       *as_needed_switch;
  GtkWidget       *duration_row;
  GtkWidget       *instructions_row;
  GtkWidget       *quantity_row;
  GtkLabel        *quantity_unit_label;
  GtkWidget       *refills_row;
  GtkSwitch       *substitution_switch;
  AdwComboRow     *indication_row;
  AdwComboRow     *prescriber_row;
  GtkLabel        *kb_label;
  GtkLabel        *alerts_title;
  GtkListBox      *alerts_list;
  AdwStatusPage   *done_page;

  ChSession       *session;
  ChPatientRecord *patient;
  ChDrugKb        *kb;
  const ChKbDrug  *drug;          /* (nullable): chosen */
  GPtrArray       *problems;      /* (element-type ChChartItem) offered as indications */
  GPtrArray       *prescribers;   /* (element-type ChUserRecord) */
  GStrv            units;         /* of the unit row */
  ChPrescription  *rx;            /* (nullable): the draft as saved */
  GPtrArray       *alerts;        /* (element-type ChDrugAlert) (nullable): shown */
  GPtrArray       *alert_inputs;  /* per alert: the reason row, or NULL */
  GPtrArray       *alert_silence; /* per alert: the "do not warn again" check, or NULL */
  char            *print_export;
  GCancellable    *cancellable;
  gboolean         quantity_typed;
  gboolean         filling;       /* setting fields from code: not the user typing */
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ChPrescribeDialog, ch_prescribe_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  SIGNED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
can_sign (ChPrescribeDialog *self)
{
  return ch_session_can (self->session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE);
}

static void
ch_prescribe_dialog_update_actions (ChPrescribeDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean on_form = g_strcmp0 (page, "form") == 0;
  gboolean on_alerts = g_strcmp0 (page, "alerts") == 0;
  gboolean named = self->drug != NULL
                   || ch_has_text (gtk_editable_get_text (GTK_EDITABLE (self->drug_entry)));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prescribe.save-draft",
                                 idle && on_form && named);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prescribe.sign",
                                 idle && (on_form || on_alerts) && named && can_sign (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prescribe.back", idle && on_alerts);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prescribe.print",
                                 idle && g_strcmp0 (page, "done") == 0);
}

static void
ch_prescribe_dialog_set_busy (ChPrescribeDialog *self,
                              gboolean           busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_prescribe_dialog_update_actions (self);
}

static void
ch_prescribe_dialog_show_error (ChPrescribeDialog *self,
                                const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
ch_prescribe_dialog_show_page (ChPrescribeDialog *self,
                               const char        *page)
{
  gboolean alerts = g_str_equal (page, "alerts");
  gboolean done = g_str_equal (page, "done");

  ch_ui_stack_show (self->stack, page);
  gtk_widget_set_visible (self->back_button, alerts);
  gtk_widget_set_visible (self->cancel_button, !alerts && !done);
  gtk_widget_set_visible (self->draft_button, !alerts && !done);
  gtk_widget_set_visible (self->sign_button, !done && can_sign (self));
  gtk_button_set_label (GTK_BUTTON (self->sign_button),
                        alerts ? _("_Sign") : _("_Check and Sign"));
  ch_prescribe_dialog_update_actions (self);
}

/* ---- the form -------------------------------------------------------------------- */

static void
set_model (AdwComboRow *row,
           GStrv        items)
{
  g_autoptr (GtkStringList) list = gtk_string_list_new ((const char * const *) items);

  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

static const ChKbProduct *
selected_product (ChPrescribeDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->product_row);

  if (self->drug == NULL || selected == GTK_INVALID_LIST_POSITION
      || selected >= self->drug->n_products)
    return NULL;
  return &self->drug->products[selected];
}

static double
parse_number (GtkWidget *row)
{
  g_autofree char *text = ch_chart_ui_dup_text (GTK_EDITABLE (row));
  char *end = NULL;
  double value;

  if (text == NULL)
    return NAN;
  g_strdelimit (text, ",", '.');
  value = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && isfinite (value) ? value : -1;
}

static void
set_number (GtkWidget *row,
            double     value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_editable_set_text (GTK_EDITABLE (row),
                         isnan (value) ? "" : g_ascii_formatd (buffer, sizeof buffer, "%g", value));
}

/* The prescription as the form says it; NULL with a message when it cannot. */
static ChPrescription *
read_form (ChPrescribeDialog  *self,
           const char        **problem)
{
  g_autoptr (ChPrescription) rx = self->rx ? ch_prescription_copy (self->rx) : ch_prescription_new ();
  const ChKbProduct *product = selected_product (self);
  guint frequency = adw_combo_row_get_selected (self->frequency_row);
  guint unit = adw_combo_row_get_selected (self->unit_row);
  guint indication = adw_combo_row_get_selected (self->indication_row);
  guint n_frequencies;
  const ChFrequency *frequencies = ch_prescribing_frequencies (&n_frequencies);
  double duration = parse_number (self->duration_row);
  double refills = parse_number (self->refills_row);

  rx->patient_id = self->patient->id;
  g_free (rx->drug_id);
  g_free (rx->drug_name);
  if (self->drug != NULL)
    {
      rx->drug_id = g_strdup (self->drug->id);
      rx->drug_name = g_strdup (self->drug->generic_name);
    }
  else
    {
      /* A drug outside the base: prescribed by name, checked by nobody but the prescriber. */
      rx->drug_id = g_strdup ("");
      rx->drug_name = ch_chart_ui_dup_text (GTK_EDITABLE (self->drug_entry));
    }
  g_free (rx->form);
  rx->form = g_strdup (product ? product->form : "");
  g_free (rx->strength);
  rx->strength = g_strdup (product ? product->strength : "");
  g_free (rx->route);
  rx->route = g_strdup (product ? product->route : "");

  rx->dose = parse_number (self->dose_row);
  if (rx->dose < 0)
    {
      *problem = _("The dose must be a number.");
      return NULL;
    }
  g_free (rx->dose_unit);
  rx->dose_unit = g_strdup (self->units && unit < g_strv_length (self->units)
                            ? self->units[unit] : "");
  g_free (rx->frequency);
  rx->frequency = g_strdup (frequency > 0 && frequency <= n_frequencies
                            ? frequencies[frequency - 1].code : "");
  rx->as_needed = gtk_switch_get_active (self->as_needed_switch);
  if (duration < 0 || (!isnan (duration) && duration != floor (duration)))
    {
      *problem = _("The number of days must be a whole number.");
      return NULL;
    }
  /* Not cast out of int's range; the controller says what the range is. */
  if (duration > 1000)
    duration = 1000;
  rx->duration_days = isnan (duration) ? 0 : (int) duration;
  rx->quantity = parse_number (self->quantity_row);
  if (rx->quantity < 0)
    {
      *problem = _("The quantity must be a number.");
      return NULL;
    }
  g_free (rx->quantity_unit);
  rx->quantity_unit = g_strdup (gtk_label_get_text (self->quantity_unit_label));
  if (refills < 0 || (!isnan (refills) && refills != floor (refills)))
    {
      *problem = _("Refills must be a whole number.");
      return NULL;
    }
  if (refills > 1000)
    refills = 1000;
  rx->refills = isnan (refills) ? 0 : (int) refills;
  rx->substitution = gtk_switch_get_active (self->substitution_switch);
  g_free (rx->instructions);
  rx->instructions = ch_chart_ui_dup_text (GTK_EDITABLE (self->instructions_row));
  g_free (rx->indication);
  rx->indication_id = 0;
  rx->indication = NULL;
  if (indication > 0 && self->problems && indication <= self->problems->len)
    {
      ChChartItem *problem_item = self->problems->pdata[indication - 1];

      rx->indication_id = problem_item->id;
      rx->indication = g_strdup (problem_item->display);
    }
  if (gtk_widget_get_visible (GTK_WIDGET (self->prescriber_row)))
    {
      guint chosen = adw_combo_row_get_selected (self->prescriber_row);

      g_free (rx->prescriber);
      rx->prescriber = chosen < self->prescribers->len
                       ? g_strdup (((ChUserRecord *) self->prescribers->pdata[chosen])->username)
                       : NULL;
    }
  return g_steal_pointer (&rx);
}

/* The quantity follows the sig until the prescriber types one. */
static void
update_quantity (ChPrescribeDialog *self)
{
  const char *problem = NULL;
  g_autoptr (ChPrescription) rx = NULL;
  const ChKbProduct *product = selected_product (self);

  gtk_label_set_text (self->quantity_unit_label, product ? product->per_unit : "");
  if (self->quantity_typed || self->drug == NULL)
    return;
  rx = read_form (self, &problem);
  if (rx == NULL)
    return;
  rx->quantity = NAN;
  self->filling = TRUE;
  if (ch_prescription_compute_quantity (self->kb, rx))
    set_number (self->quantity_row, rx->quantity);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->quantity_row), "");
  self->filling = FALSE;
}

static void
on_sig_changed (ChPrescribeDialog *self)
{
  if (!self->filling)
    update_quantity (self);
}

static void
on_quantity_changed (ChPrescribeDialog *self)
{
  if (!self->filling)
    self->quantity_typed = ch_has_text (gtk_editable_get_text (GTK_EDITABLE (self->quantity_row)));
}

static void
on_product_changed (ChPrescribeDialog *self)
{
  const ChKbProduct *product = selected_product (self);
  g_autoptr (GStrvBuilder) units = g_strv_builder_new ();

  if (product == NULL)
    return;

  /* Dosed in what the patient takes (1 tablet) or in its amount (500 mg). */
  g_strv_builder_add (units, product->per_unit);
  if (g_strcmp0 (product->amount_unit, product->per_unit) != 0)
    g_strv_builder_add (units, product->amount_unit);
  g_strfreev (self->units);
  self->units = g_strv_builder_end (units);

  self->filling = TRUE;
  set_model (self->unit_row, self->units);
  adw_combo_row_set_selected (self->unit_row, 0);
  if (!ch_has_text (gtk_editable_get_text (GTK_EDITABLE (self->dose_row))))
    gtk_editable_set_text (GTK_EDITABLE (self->dose_row), "1");
  self->filling = FALSE;
  update_quantity (self);
}

static void
choose_drug (ChPrescribeDialog *self,
             const ChKbDrug    *drug)
{
  g_autoptr (GStrvBuilder) products = g_strv_builder_new ();
  g_auto (GStrv) items = NULL;

  self->drug = drug;
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->drug_entry), drug->generic_name);
  self->filling = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->drug_results), FALSE);

  for (guint i = 0; i < drug->n_products; i++)
    {
      g_autofree char *item = g_strdup_printf ("%s %s (%s)", drug->products[i].strength,
                                               drug->products[i].form, drug->products[i].route);

      g_strv_builder_add (products, item);
    }
  items = g_strv_builder_end (products);
  set_model (self->product_row, items);
  gtk_widget_set_sensitive (GTK_WIDGET (self->product_row), drug->n_products > 0);
  adw_combo_row_set_selected (self->product_row, 0);
  on_product_changed (self);
  gtk_widget_grab_focus (self->dose_row);
  ch_prescribe_dialog_update_actions (self);
}

static GtkWidget *
drug_hit_row (const ChKbDrugHit *hit)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *brands = g_strjoinv (", ", (char **) hit->drug->brand_names);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), hit->drug->generic_name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (brands[0] != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), brands);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "drug", (gpointer) hit->drug);
  return row;
}

static void
on_drug_search_changed (ChPrescribeDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->drug_entry));
  g_autoptr (GPtrArray) hits = NULL;
  GtkWidget *child;

  if (self->filling)
    return;
  /* The entry showing the chosen drug's name (the search signal comes late). */
  if (self->drug != NULL && g_strcmp0 (text, self->drug->generic_name) == 0)
    return;

  /* Typing again is choosing again. */
  self->drug = NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->product_row), FALSE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->drug_results))) != NULL)
    gtk_list_box_remove (self->drug_results, child);

  hits = ch_drug_kb_search (self->kb, text, MAX_HITS);
  for (guint i = 0; i < hits->len; i++)
    gtk_list_box_append (self->drug_results, drug_hit_row (hits->pdata[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->drug_results), hits->len > 0);
  ch_prescribe_dialog_update_actions (self);
}

static void
on_drug_entry_activate (ChPrescribeDialog *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->drug_results, 0);

  if (first != NULL && gtk_widget_get_visible (GTK_WIDGET (self->drug_results)))
    choose_drug (self, g_object_get_data (G_OBJECT (first), "drug"));
}

static void
on_drug_row_activated (ChPrescribeDialog *self,
                       GtkListBoxRow     *row)
{
  choose_drug (self, g_object_get_data (G_OBJECT (row), "drug"));
}

/* ---- alerts ------------------------------------------------------------------- */

static GtkWidget *
text_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
add_line (GtkBox     *box,
          const char *label,
          const char *text)
{
  g_autofree char *line = NULL;

  if (text == NULL || text[0] == '\0')
    return;
  line = g_strdup_printf ("%s %s", label, text);
  gtk_box_append (box, text_label (line, NULL));
}

static void
show_alerts (ChPrescribeDialog *self,
             GPtrArray         *alerts)
{
  GtkWidget *child;
  guint must = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alerts_list))) != NULL)
    gtk_list_box_remove (self->alerts_list, child);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  g_clear_pointer (&self->alert_inputs, g_ptr_array_unref);
  g_clear_pointer (&self->alert_silence, g_ptr_array_unref);
  self->alerts = g_ptr_array_ref (alerts);
  self->alert_inputs = g_ptr_array_new ();
  self->alert_silence = g_ptr_array_new ();

  for (guint i = 0; i < alerts->len; i++)
    {
      ChDrugAlert *alert = alerts->pdata[i];
      g_autofree char *title = ch_drug_alert_title (alert);
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *severity = text_label (ch_drug_severity_label (alert->severity), "rx-severity");
      GtkWidget *reason = NULL;
      GtkWidget *silence = NULL;

      gtk_widget_add_css_class (severity, ch_drug_severity_to_string (alert->severity));
      gtk_widget_set_valign (severity, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (header), severity);
      gtk_box_append (GTK_BOX (header), text_label (title, "heading"));
      gtk_widget_add_css_class (box, "rx-alert");
      gtk_box_append (GTK_BOX (box), header);
      add_line (GTK_BOX (box), _("Why:"), alert->effect);
      add_line (GTK_BOX (box), _("Mechanism:"), alert->mechanism);
      add_line (GTK_BOX (box), _("What to do:"), alert->management);
      if (alert->source && alert->source[0])
        {
          g_autofree char *source = g_strdup_printf (_("Source: %s"), alert->source);

          gtk_box_append (GTK_BOX (box), text_label (source, "dim-label"));
        }

      if (alert->severity >= CH_DRUG_SEVERITY_MINOR)
        {
          reason = gtk_entry_new ();
          gtk_entry_set_placeholder_text (GTK_ENTRY (reason),
                                          alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED
                                          ? _("Reason to override (required)")
                                          : _("Reason to go ahead (optional)"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (reason),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Reason to override"), -1);
          gtk_box_append (GTK_BOX (box), reason);
          must += alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED;
        }
      /* A contraindicated alert needs its reason every time: never silenced. */
      if ((alert->kind == CH_DRUG_ALERT_INTERACTION || alert->kind == CH_DRUG_ALERT_DUPLICATE)
          && alert->severity != CH_DRUG_SEVERITY_CONTRAINDICATED)
        {
          silence = gtk_check_button_new_with_label (_("Do not warn again for this patient and pair"));
          gtk_box_append (GTK_BOX (box), silence);
        }

      g_ptr_array_add (self->alert_inputs, reason);
      g_ptr_array_add (self->alert_silence, silence);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->alerts_list, row);
    }

  gtk_label_set_text (self->alerts_title,
                      must > 0 ? _("Check these alerts. A contraindicated one needs a reason to go ahead.")
                               : _("Check these alerts before signing."));
  ch_prescribe_dialog_show_page (self, "alerts");
}

/* ---- saving, checking and signing -------------------------------------------- */

typedef struct
{
  ChSession      *session;
  ChPrescription *rx;
  gboolean        check;
  GPtrArray      *alerts;     /* out */
  GArray         *decisions;  /* of ChAlertDecision, for signing */
  GPtrArray      *strings;    /* owns the decisions' strings */
  GBytes         *pdf;        /* out, printing */
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_clear_object (&work->session);
  g_clear_pointer (&work->rx, ch_prescription_free);
  g_clear_pointer (&work->alerts, g_ptr_array_unref);
  g_clear_pointer (&work->decisions, g_array_unref);
  g_clear_pointer (&work->strings, g_ptr_array_unref);
  g_clear_pointer (&work->pdf, g_bytes_unref);
  g_free (work);
}

static Work *
work_new (ChPrescribeDialog *self,
          ChPrescription    *rx)
{
  Work *work = g_new0 (Work, 1);

  work->session = g_object_ref (self->session);
  work->rx = rx;
  return work;
}

static void
run (ChPrescribeDialog   *self,
     Work                *work,
     GAsyncReadyCallback  done,
     GTaskThreadFunc      thread)
{
  g_autoptr (GTask) task = ch_ui_session_task_new (self->session, self, self->cancellable, done,
                                                   NULL);

  g_task_set_task_data (task, work, work_free);
  ch_prescribe_dialog_set_busy (self, TRUE);
  ch_ui_session_run_task (task, thread);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  if (!ch_prescribing_save_draft (work->session, work->rx, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (work->check)
    {
      work->alerts = ch_prescribing_check_prescription (work->session, work->rx, &error);
      if (work->alerts == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void sign_with_decisions (ChPrescribeDialog *self);

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_prescribe_dialog_set_busy (self, FALSE);
      ch_prescribe_dialog_show_error (self, error->message);
      return;
    }

  ch_prescribe_dialog_set_busy (self, FALSE);
  g_clear_pointer (&self->rx, ch_prescription_free);
  self->rx = ch_prescription_copy (work->rx);

  if (!work->check)
    {
      g_signal_emit (self, signals[SAVED], 0);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (work->alerts->len > 0)
    show_alerts (self, work->alerts);
  else
    {
      /* The alerts of an earlier check (before going back to the form) are
       * no longer there: nothing of them may hold up or go with this signature. */
      g_clear_pointer (&self->alerts, g_ptr_array_unref);
      g_clear_pointer (&self->alert_inputs, g_ptr_array_unref);
      g_clear_pointer (&self->alert_silence, g_ptr_array_unref);
      sign_with_decisions (self);
    }
}

static void
sign_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;
  ChPrescription *signed_rx;

  if (!ch_prescribing_sign (work->session, work->rx->id,
                            (ChAlertDecision *) work->decisions->data, work->decisions->len,
                            &error)
      || (signed_rx = ch_prescribing_get (work->session, work->rx->id, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ch_prescription_free (work->rx);
  work->rx = signed_rx;
  g_task_return_boolean (task, TRUE);
}

static void
sign_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_prescribe_dialog_set_busy (self, FALSE);
      ch_prescribe_dialog_show_error (self, error->message);
      return;
    }

  g_clear_pointer (&self->rx, ch_prescription_free);
  self->rx = ch_prescription_copy (work->rx);
  ch_prescribe_dialog_set_busy (self, FALSE);
  ch_prescribe_dialog_show_error (self, NULL);
  /* TRANSLATORS: "RX-2026-000012: amoxicillin 500 mg capsule" */
  description = g_strdup_printf (_("%s: %s %s %s"), self->rx->number, self->rx->drug_name,
                                 self->rx->strength, self->rx->form);
  adw_status_page_set_description (self->done_page, description);
  ch_prescribe_dialog_show_page (self, "done");
  g_signal_emit (self, signals[SIGNED], 0, self->rx->id);
}

static void
sign_with_decisions (ChPrescribeDialog *self)
{
  Work *work = work_new (self, ch_prescription_copy (self->rx));

  work->decisions = g_array_new (FALSE, TRUE, sizeof (ChAlertDecision));
  work->strings = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; self->alerts != NULL && i < self->alerts->len; i++)
    {
      ChDrugAlert *alert = self->alerts->pdata[i];
      GtkWidget *reason = self->alert_inputs->pdata[i];
      GtkWidget *silence = self->alert_silence->pdata[i];
      ChAlertDecision decision = { 0 };
      char *key = ch_drug_alert_pair_key (alert);
      char *text = reason ? g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (reason))))
                          : g_strdup ("");

      if (alert->severity == CH_DRUG_SEVERITY_CONTRAINDICATED && text[0] == '\0')
        {
          g_autofree char *title = ch_drug_alert_title (alert);
          g_autofree char *message = g_strdup_printf (_("Give a reason to override “%s”."), title);

          g_free (key);
          g_free (text);
          work_free (work);
          ch_prescribe_dialog_show_error (self, message);
          gtk_widget_grab_focus (reason);
          return;
        }
      g_ptr_array_add (work->strings, key);
      g_ptr_array_add (work->strings, text);
      decision.pair_key = key;
      decision.reason = text;
      decision.silence = silence && gtk_check_button_get_active (GTK_CHECK_BUTTON (silence));
      g_array_append_val (work->decisions, decision);
    }

  ch_prescribe_dialog_show_error (self, NULL);
  run (self, work, sign_done, sign_thread);
}

static void
save_or_check (ChPrescribeDialog *self,
               gboolean           check)
{
  const char *problem = NULL;
  ChPrescription *rx;
  Work *work;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  rx = read_form (self, &problem);
  if (rx == NULL)
    {
      ch_prescribe_dialog_show_error (self, problem);
      return;
    }
  ch_prescribe_dialog_show_error (self, NULL);
  work = work_new (self, rx);
  work->check = check;
  run (self, work, save_done, save_thread);
}

static void
save_draft_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  save_or_check (CH_PRESCRIBE_DIALOG (widget), FALSE);
}

static void
sign_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (widget);

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "alerts") == 0)
    sign_with_decisions (self);
  else
    save_or_check (self, TRUE);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (widget);

  ch_prescribe_dialog_show_error (self, NULL);
  ch_prescribe_dialog_show_page (self, "form");
}

/* ---- printing ------------------------------------------------------------------ */

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  work->pdf = ch_prescription_pdf_render (work->session, &work->rx->id, 1, &error);
  if (work->pdf == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
print_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *job = NULL;

  ch_prescribe_dialog_set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ch_prescribe_dialog_show_error (self, error->message);
      return;
    }

  job = g_strdup_printf (_("Prescription %s"), work->rx->number);
  if (!ch_ui_print_pdf (GTK_WINDOW (self), work->pdf, job, self->print_export, &error))
    ch_prescribe_dialog_show_error (self, error->message);
}

static void
print_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (widget);

  if (self->busy || self->rx == NULL || ch_ui_session_is_busy (self->session))
    return;
  run (self, work_new (self, ch_prescription_copy (self->rx)), print_done, print_thread);
}

/* ---- construction -------------------------------------------------------------- */

static void
fill_choices (ChPrescribeDialog *self)
{
  g_autoptr (GStrvBuilder) frequencies = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) indications = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) prescribers = g_strv_builder_new ();
  g_auto (GStrv) frequency_items = NULL;
  g_auto (GStrv) indication_items = NULL;
  g_auto (GStrv) prescriber_items = NULL;
  const ChFrequency *all;
  guint n;

  all = ch_prescribing_frequencies (&n);
  g_strv_builder_add (frequencies, _("As written in the instructions"));
  for (guint i = 0; i < n; i++)
    g_strv_builder_add (frequencies, all[i].label);
  frequency_items = g_strv_builder_end (frequencies);
  set_model (self->frequency_row, frequency_items);

  g_strv_builder_add (indications, _("None given"));
  for (guint i = 0; self->problems && i < self->problems->len; i++)
    g_strv_builder_add (indications, ((ChChartItem *) self->problems->pdata[i])->display);
  indication_items = g_strv_builder_end (indications);
  set_model (self->indication_row, indication_items);

  for (guint i = 0; i < self->prescribers->len; i++)
    {
      ChUserRecord *user = self->prescribers->pdata[i];

      g_strv_builder_add (prescribers, user->display_name && user->display_name[0]
                                       ? user->display_name : user->username);
    }
  prescriber_items = g_strv_builder_end (prescribers);
  set_model (self->prescriber_row, prescriber_items);
  /* Physicians prescribe as themselves; a nurse names the physician. */
  gtk_widget_set_visible (GTK_WIDGET (self->prescriber_row), !can_sign (self));
}

static void
fill_from (ChPrescribeDialog    *self,
           const ChPrescription *rx)
{
  const ChKbDrug *drug = ch_drug_kb_lookup (self->kb, rx->drug_id);
  guint n;
  const ChFrequency *all = ch_prescribing_frequencies (&n);

  self->rx = ch_prescription_copy (rx);
  if (drug != NULL)
    {
      choose_drug (self, drug);
      for (guint i = 0; i < drug->n_products; i++)
        if (g_strcmp0 (drug->products[i].form, rx->form) == 0
            && g_strcmp0 (drug->products[i].strength, rx->strength) == 0)
          adw_combo_row_set_selected (self->product_row, i);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->drug_entry), rx->drug_name);

  self->filling = TRUE;
  set_number (self->dose_row, rx->dose);
  for (guint i = 0; self->units && self->units[i]; i++)
    if (g_strcmp0 (self->units[i], rx->dose_unit) == 0)
      adw_combo_row_set_selected (self->unit_row, i);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (all[i].code, rx->frequency) == 0)
      adw_combo_row_set_selected (self->frequency_row, i + 1);
  gtk_switch_set_active (self->as_needed_switch, rx->as_needed);
  if (rx->duration_days > 0)
    set_number (self->duration_row, rx->duration_days);
  set_number (self->quantity_row, rx->quantity);
  set_number (self->refills_row, rx->refills);
  gtk_switch_set_active (self->substitution_switch, rx->substitution);
  gtk_editable_set_text (GTK_EDITABLE (self->instructions_row), rx->instructions ? rx->instructions : "");
  for (guint i = 0; self->problems && i < self->problems->len; i++)
    if (((ChChartItem *) self->problems->pdata[i])->id == rx->indication_id)
      adw_combo_row_set_selected (self->indication_row, i + 1);
  for (guint i = 0; i < self->prescribers->len; i++)
    if (g_strcmp0 (((ChUserRecord *) self->prescribers->pdata[i])->username, rx->prescriber) == 0)
      adw_combo_row_set_selected (self->prescriber_row, i);
  self->filling = FALSE;
  self->quantity_typed = !isnan (rx->quantity);
}

/**
 * ch_prescribe_dialog_new:
 *
 * Returns: (transfer none): a new dialog, not yet shown; NULL-free even when
 * the knowledge base cannot be read (the error is shown in it)
 */
GtkWidget *
ch_prescribe_dialog_new (GtkWindow             *parent,
                         ChSession             *session,
                         const ChPatientRecord *patient,
                         GPtrArray             *problems,
                         const ChPrescription  *draft)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  ChPrescribeDialog *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_PRESCRIBE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient = ch_patient_record_copy (patient);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  for (guint i = 0; problems && i < problems->len; i++)
    {
      ChChartItem *item = problems->pdata[i];

      if (g_strcmp0 (item->clinical_status, "resolved") != 0)
        g_ptr_array_add (self->problems, ch_chart_item_copy (item));
    }
  ch_ui_session_watch_busy (session, G_OBJECT (self),
                            G_CALLBACK (ch_prescribe_dialog_update_actions));

  /* Read here, on the main thread, while the session is idle (the chart asks first). */
  self->kb = ch_prescribing_get_kb (session, &error);
  if (self->kb == NULL)
    {
      ch_prescribe_dialog_show_error (self, error->message);
      g_clear_error (&error);
      self->kb = ch_drug_kb_get_shipped ();
    }
  self->prescribers = ch_prescribing_list_prescribers (session, &error);
  if (self->prescribers == NULL)
    {
      ch_prescribe_dialog_show_error (self, error->message);
      self->prescribers = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_user_record_free);
    }

  {
    /* TRANSLATORS: "Checked against: Charta open drug knowledge base 2026.11" */
    g_autofree char *kb = g_strdup_printf (_("Checked against: %s %s"),
                                           ch_drug_kb_get_info (self->kb, "name"),
                                           ch_drug_kb_get_info (self->kb, "version"));

    gtk_label_set_text (self->kb_label, kb);
  }

  fill_choices (self);
  if (draft != NULL)
    fill_from (self, draft);

  name = ch_patient_record_display_name (patient);
  adw_window_title_set_subtitle (self->window_title, name);
  ch_prescribe_dialog_show_page (self, "form");
  gtk_widget_grab_focus (draft ? self->dose_row : GTK_WIDGET (self->drug_entry));
  return GTK_WIDGET (self);
}

gboolean
ch_prescribe_dialog_get_busy (ChPrescribeDialog *self)
{
  g_return_val_if_fail (CH_IS_PRESCRIBE_DIALOG (self), FALSE);

  return self->busy;
}

void
ch_prescribe_dialog_set_print_export (ChPrescribeDialog *self,
                                      const char        *path)
{
  g_return_if_fail (CH_IS_PRESCRIBE_DIALOG (self));

  g_free (self->print_export);
  self->print_export = g_strdup (path);
}

/* ---- GObject ------------------------------------------------------------------ */

static gboolean
ch_prescribe_dialog_close_request (GtkWindow *window)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (window);

  if (self->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_prescribe_dialog_parent_class)->close_request (window);
}

static void
ch_prescribe_dialog_dispose (GObject *object)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PRESCRIBE_DIALOG);

  G_OBJECT_CLASS (ch_prescribe_dialog_parent_class)->dispose (object);
}

static void
ch_prescribe_dialog_finalize (GObject *object)
{
  ChPrescribeDialog *self = CH_PRESCRIBE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient, ch_patient_record_free);
  g_clear_pointer (&self->kb, ch_drug_kb_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->prescribers, g_ptr_array_unref);
  g_clear_pointer (&self->units, g_strfreev);
  g_clear_pointer (&self->rx, ch_prescription_free);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);
  g_clear_pointer (&self->alert_inputs, g_ptr_array_unref);
  g_clear_pointer (&self->alert_silence, g_ptr_array_unref);
  g_free (self->print_export);

  G_OBJECT_CLASS (ch_prescribe_dialog_parent_class)->finalize (object);
}

static void
ch_prescribe_dialog_class_init (ChPrescribeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_prescribe_dialog_dispose;
  object_class->finalize = ch_prescribe_dialog_finalize;
  window_class->close_request = ch_prescribe_dialog_close_request;

  /**
   * ChPrescribeDialog::saved:
   *
   * A draft was saved; the dialog closes right after.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * ChPrescribeDialog::signed:
   * @id: the prescription's id
   *
   * The prescription is signed; the dialog stays open to print it.
   */
  signals[SIGNED] = g_signal_new ("signed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-prescribe-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ChPrescribeDialog, name)
  BIND (window_title);
  BIND (cancel_button);
  BIND (back_button);
  BIND (sign_button);
  BIND (draft_button);
  BIND (spinner);
  BIND (error_label);
  BIND (stack);
  BIND (form);
  BIND (drug_entry);
  BIND (drug_results);
  BIND (product_row);
  BIND (dose_row);
  BIND (unit_row);
  BIND (frequency_row);
  BIND (as_needed_switch);
  BIND (duration_row);
  BIND (instructions_row);
  BIND (quantity_row);
  BIND (quantity_unit_label);
  BIND (refills_row);
  BIND (substitution_switch);
  BIND (indication_row);
  BIND (prescriber_row);
  BIND (kb_label);
  BIND (alerts_title);
  BIND (alerts_list);
  BIND (done_page);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_drug_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_drug_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_drug_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_product_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sig_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_quantity_changed);

  gtk_widget_class_install_action (widget_class, "prescribe.save-draft", NULL, save_draft_activated);
  gtk_widget_class_install_action (widget_class, "prescribe.sign", NULL, sign_activated);
  gtk_widget_class_install_action (widget_class, "prescribe.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "prescribe.print", NULL, print_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "prescribe.sign", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "prescribe.save-draft", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "prescribe.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_prescribe_dialog_init (ChPrescribeDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
