/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-charge-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-billing.h"
#include "ch-billing-ui.h"
#include "ch-charge-dialog.h"
#include "ch-chart-db.h"
#include "ch-ui.h"

struct _ChChargeDialog
{
  AdwWindow             parent_instance;

  AdwWindowTitle       *window_title;
  GtkSpinner           *spinner;
  GtkLabel             *error_label;
  GtkWidget            *form;
  GtkSearchEntry       *search_entry;
  GtkListBox           *fee_list;
  GtkSpinButton        *units_spin;
  AdwEntryRow          *modifiers_row;
  AdwActionRow         *amount_row;
  AdwPreferencesGroup  *dx_group;

  ChSession            *session;
  gint64                encounter_id;
  GPtrArray            *fees;        /* (element-type ChFee): in force on the encounter's date */
  GPtrArray            *dx_checks;   /* (element-type GtkCheckButton) */
  GPtrArray            *dx_codes;    /* (element-type utf8): as dx_checks */
  AdwEntryRow          *dx_entry;    /* when the chart cannot be read: codes typed */
  GCancellable         *cancellable;
  char                 *search;
  char                 *error;
  gboolean              busy;
};

G_DEFINE_FINAL_TYPE (ChChargeDialog, ch_charge_dialog, ADW_TYPE_WINDOW)

enum { ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (ChChargeDialog *self,
            const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ChChargeDialog *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "charge.add", !busy);
}

static const ChFee *
selected_fee (ChChargeDialog *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->fee_list);
  int i = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  return i >= 0 && (guint) i < self->fees->len ? g_ptr_array_index (self->fees, i) : NULL;
}

static void
update_amount (ChChargeDialog *self)
{
  const ChFee *fee;
  guint units;
  g_autofree char *amount = NULL;

  /* Called while the template is built, before its children are bound. */
  if (self->fee_list == NULL || self->units_spin == NULL || self->amount_row == NULL)
    return;
  fee = selected_fee (self);
  units = (guint) gtk_spin_button_get_value_as_int (self->units_spin);
  if (fee == NULL)
    {
      adw_action_row_set_subtitle (self->amount_row, _("Choose a procedure"));
      return;
    }
  amount = ch_billing_ui_money (fee->price_cents * units);
  adw_action_row_set_subtitle (self->amount_row, amount);
}

static void
on_fee_selected (ChChargeDialog *self)
{
  update_amount (self);
}

static void
on_units_changed (ChChargeDialog *self)
{
  update_amount (self);
}

static gboolean
filter_fee (GtkListBoxRow *row,
            gpointer       user_data)
{
  ChChargeDialog *self = user_data;
  int i = gtk_list_box_row_get_index (row);
  const ChFee *fee;
  g_autofree char *text = NULL;

  if (self->search == NULL || self->search[0] == '\0' || i < 0)
    return TRUE;
  fee = g_ptr_array_index (self->fees, i);
  text = g_utf8_casefold (fee->description, -1);
  return g_ascii_strncasecmp (fee->code, self->search, strlen (self->search)) == 0 ||
         strstr (text, self->search) != NULL;
}

static void
on_search_changed (ChChargeDialog *self)
{
  g_free (self->search);
  self->search = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  g_strstrip (self->search);
  gtk_list_box_invalidate_filter (self->fee_list);
}

/* ---- adding ---------------------------------------------------------------------- */

typedef struct
{
  gint64  encounter_id;
  char   *code;
  gint64  units;
  GStrv   modifiers;
  GStrv   diagnoses;
} Add;

static void
add_free (Add *add)
{
  g_free (add->code);
  g_strfreev (add->modifiers);
  g_strfreev (add->diagnoses);
  g_free (add);
}

static gboolean
add_func (ChSession  *session,
          gpointer    data,
          GError    **error)
{
  Add *add = data;
  g_autoptr (ChChargeLine) line = ch_billing_charge_add (session, add->encounter_id, add->code,
                                                         add->units,
                                                         (const char * const *) add->modifiers,
                                                         (const char * const *) add->diagnoses,
                                                         error);

  return line != NULL;
}

static void
add_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ChChargeDialog *self = CH_CHARGE_DIALOG (object);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  self->busy = FALSE;
  g_signal_emit (self, signals[ADDED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* "25 59", "25,59", "25, 59": the words typed. Returns: (transfer full) */
static GStrv
split_words (const char *text)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit_set (text != NULL ? text : "", " ,;", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ChChargeDialog *self = CH_CHARGE_DIALOG (widget);
  const ChFee *fee = selected_fee (self);
  g_autoptr (GStrvBuilder) dx = g_strv_builder_new ();
  Add *add;

  if (self->busy)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      show_error (self, _("Charta is busy; try again in a moment"));
      return;
    }
  if (fee == NULL)
    {
      show_error (self, _("Choose the procedure from the fee schedule."));
      return;
    }

  add = g_new0 (Add, 1);
  add->encounter_id = self->encounter_id;
  add->code = g_strdup (fee->code);
  add->units = gtk_spin_button_get_value_as_int (self->units_spin);
  add->modifiers = split_words (gtk_editable_get_text (GTK_EDITABLE (self->modifiers_row)));
  for (guint i = 0; i < self->dx_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->dx_checks, i)))
      g_strv_builder_add (dx, g_ptr_array_index (self->dx_codes, i));
  if (self->dx_entry != NULL)
    {
      g_auto (GStrv) typed = split_words (gtk_editable_get_text (GTK_EDITABLE (self->dx_entry)));

      for (guint i = 0; typed[i] != NULL; i++)
        g_strv_builder_add (dx, typed[i]);
    }
  add->diagnoses = g_strv_builder_end (dx);

  show_error (self, NULL);
  set_busy (self, TRUE);
  ch_billing_ui_run (self->session, self, self->cancellable, add_func, add,
                     (GDestroyNotify) add_free, add_done);
}

/* ---- construction -------------------------------------------------------------- */

static gboolean
in_force (const ChFee *fee,
          const char  *date)
{
  return g_strcmp0 (fee->effective_from, date) <= 0 &&
         (fee->effective_to == NULL || fee->effective_to[0] == '\0' ||
          g_strcmp0 (date, fee->effective_to) <= 0);
}

static void
on_dx_toggled (ChChargeDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->dx_checks->len; i++)
    n += gtk_check_button_get_active (g_ptr_array_index (self->dx_checks, i)) ? 1 : 0;
  /* At most four pointers: the others wait until one is unticked. */
  for (guint i = 0; i < self->dx_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->dx_checks, i);

      gtk_widget_set_sensitive (GTK_WIDGET (check),
                                gtk_check_button_get_active (check) || n < CH_BILLING_MAX_DX);
    }
}

static void
fill_diagnoses (ChChargeDialog *self,
                GPtrArray      *problems)
{
  if (problems == NULL)
    {
      /* The chart is not this role's to read: the codes are typed. */
      self->dx_entry = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dx_entry),
                                     _("ICD-10 codes (up to 4, such as E11.9 I10)"));
      adw_preferences_group_set_description (self->dx_group,
                                             _("Codes of problems in the patient's chart"));
      adw_preferences_group_add (self->dx_group, GTK_WIDGET (self->dx_entry));
      return;
    }

  for (guint i = 0; i < problems->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (problems, i);
      GtkWidget *row, *check;

      if (item->code == NULL || item->code[0] == '\0' ||
          g_strcmp0 (item->status, "entered-in-error") == 0 ||
          (item->clinical_status != NULL && item->clinical_status[0] != '\0' &&
           g_strcmp0 (item->clinical_status, "active") != 0) ||
          (item->code_system != NULL && !g_str_has_prefix (item->code_system, "icd10")))
        continue;

      row = adw_action_row_new ();
      check = gtk_check_button_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->display);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->code);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_dx_toggled), self);
      g_ptr_array_add (self->dx_checks, check);
      g_ptr_array_add (self->dx_codes, g_strdup (item->code));
      adw_preferences_group_add (self->dx_group, row);
    }
  if (self->dx_checks->len == 0)
    adw_preferences_group_set_description (self->dx_group,
                                           _("The chart lists no active ICD-10 problem"));
}

GtkWidget *
ch_charge_dialog_new (GtkWindow                *parent,
                      ChSession                *session,
                      const ChBillingEncounter *encounter,
                      GPtrArray                *fees,
                      GPtrArray                *problems)
{
  ChChargeDialog *self;
  g_autofree char *date = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (encounter != NULL, NULL);

  self = g_object_new (CH_TYPE_CHARGE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->encounter_id = encounter->encounter_id;

  date = ch_billing_ui_format_date (encounter->date);
  /* TRANSLATORS: the charge dialog's subtitle: the encounter's date */
  subtitle = g_strdup_printf (_("Encounter of %s"), date);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  /* The prices in force on the day of the encounter, not today's. */
  for (guint i = 0; fees != NULL && i < fees->len; i++)
    {
      const ChFee *fee = g_ptr_array_index (fees, i);
      g_autofree char *price = NULL;
      g_autofree char *title = NULL;
      GtkWidget *row;

      if (!in_force (fee, encounter->date))
        continue;
      g_ptr_array_add (self->fees, (gpointer) fee);
      price = ch_billing_ui_money (fee->price_cents);
      title = g_strdup_printf ("%s — %s", fee->code, fee->description);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (price));
      gtk_list_box_append (self->fee_list, row);
    }
  /* The rows point at @fees' entries: keep them. */
  g_object_set_data_full (G_OBJECT (self), "fees", fees != NULL ? g_ptr_array_ref (fees) : NULL,
                          (GDestroyNotify) g_ptr_array_unref);
  if (self->fees->len == 0)
    show_error (self, _("The fee schedule has no procedure in force on the day of this "
                        "encounter. The office manager imports it."));

  fill_diagnoses (self, problems);
  update_amount (self);
  set_busy (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return GTK_WIDGET (self);
}

gboolean
ch_charge_dialog_select_code (ChChargeDialog *self,
                              const char     *code)
{
  g_return_val_if_fail (CH_IS_CHARGE_DIALOG (self), FALSE);

  for (guint i = 0; i < self->fees->len; i++)
    {
      const ChFee *fee = g_ptr_array_index (self->fees, i);

      if (g_ascii_strcasecmp (fee->code, code) == 0)
        {
          gtk_list_box_select_row (self->fee_list,
                                   gtk_list_box_get_row_at_index (self->fee_list, (int) i));
          return TRUE;
        }
    }
  return FALSE;
}

void
ch_charge_dialog_set_units (ChChargeDialog *self,
                            guint           units)
{
  g_return_if_fail (CH_IS_CHARGE_DIALOG (self));
  gtk_spin_button_set_value (self->units_spin, units);
}

void
ch_charge_dialog_set_modifiers (ChChargeDialog *self,
                                const char     *text)
{
  g_return_if_fail (CH_IS_CHARGE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->modifiers_row), text);
}

gboolean
ch_charge_dialog_set_diagnosis (ChChargeDialog *self,
                                const char     *code,
                                gboolean        chosen)
{
  g_return_val_if_fail (CH_IS_CHARGE_DIALOG (self), FALSE);

  for (guint i = 0; i < self->dx_codes->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->dx_codes, i), code) == 0)
      {
        gtk_check_button_set_active (g_ptr_array_index (self->dx_checks, i), chosen);
        return TRUE;
      }
  return FALSE;
}

guint
ch_charge_dialog_get_n_fees (ChChargeDialog *self)
{
  g_return_val_if_fail (CH_IS_CHARGE_DIALOG (self), 0);
  return self->fees->len;
}

gboolean
ch_charge_dialog_get_busy (ChChargeDialog *self)
{
  g_return_val_if_fail (CH_IS_CHARGE_DIALOG (self), FALSE);
  return self->busy;
}

const char *
ch_charge_dialog_get_error (ChChargeDialog *self)
{
  g_return_val_if_fail (CH_IS_CHARGE_DIALOG (self), NULL);
  return self->error;
}

static gboolean
ch_charge_dialog_close_request (GtkWindow *window)
{
  if (CH_CHARGE_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_charge_dialog_parent_class)->close_request (window);
}

static void
ch_charge_dialog_dispose (GObject *object)
{
  ChChargeDialog *self = CH_CHARGE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_CHARGE_DIALOG);

  G_OBJECT_CLASS (ch_charge_dialog_parent_class)->dispose (object);
}

static void
ch_charge_dialog_finalize (GObject *object)
{
  ChChargeDialog *self = CH_CHARGE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->fees, g_ptr_array_unref);
  g_clear_pointer (&self->dx_checks, g_ptr_array_unref);
  g_clear_pointer (&self->dx_codes, g_ptr_array_unref);
  g_free (self->search);
  g_free (self->error);

  G_OBJECT_CLASS (ch_charge_dialog_parent_class)->finalize (object);
}

static void
ch_charge_dialog_class_init (ChChargeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_charge_dialog_dispose;
  object_class->finalize = ch_charge_dialog_finalize;
  window_class->close_request = ch_charge_dialog_close_request;

  /**
   * ChChargeDialog::added:
   *
   * The charge line is stored.
   */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-charge-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, fee_list);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, units_spin);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, modifiers_row);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, ChChargeDialog, dx_group);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_fee_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_units_changed);

  gtk_widget_class_install_action (widget_class, "charge.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "charge.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_charge_dialog_init (ChChargeDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->fees = g_ptr_array_new ();
  self->dx_checks = g_ptr_array_new ();
  self->dx_codes = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_filter_func (self->fee_list, filter_fee, self, NULL);
}
