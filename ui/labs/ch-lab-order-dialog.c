/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lab-order-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-lab-order-dialog.h"
#include "ch-lab-orders.h"
#include "ch-ui.h"

/* The doctor ticks the tests (found by a few letters of their name or
 * their code) and sends. Sending may wait on the lab's MLLP peer, so it
 * runs on a worker; an order that could not be sent is already stored, and
 * the dialog then only offers to send that same order again — editing it
 * would make a second one. */

#define ORDERABLES_RESOURCE "/org/charta/Charta/ui/lab-orderables.tsv"

/* The priorities, in the order of the combo row. */
static const char * const priorities[] = { "routine", "stat", "asap" };

typedef struct
{
  ChLabOrderTest *test;
  GtkWidget      *row;      /* owned by the list */
  GtkCheckButton *check;
  char           *folded;   /* code and name, case-folded, for the search */
} Row;

struct _ChLabOrderDialog
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkButton           *send_button;
  GtkSpinner          *spinner;
  GtkLabel            *error_label;
  GtkWidget           *form;
  AdwPreferencesGroup *tests_group;
  GtkSearchEntry      *search_entry;
  GtkListBox          *test_list;
  GtkWidget           *other_code_row;
  GtkWidget           *other_text_row;
  AdwComboRow         *priority_row;
  GtkWidget           *info_row;
  GtkWidget           *note_row;

  ChSession           *session;
  gint64               patient_id;
  GWeakRef             parent;         /* the widget told the outcome */
  GPtrArray           *rows;           /* (element-type Row) */
  char                *search;         /* case-folded, "" for all */
  char                *placer_number;  /* once the order is stored */
  char                *patient_label;  /* nullable: "Doe, Jane · MRN 0042" */
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChLabOrderDialog, ch_lab_order_dialog, ADW_TYPE_WINDOW)

enum {
  PLACED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_free (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->test, ch_lab_order_test_free);
  g_free (row->folded);
  g_free (row);
}

static guint
count_chosen (ChLabOrderDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->rows->len; i++)
    if (gtk_check_button_get_active (((Row *) self->rows->pdata[i])->check))
      n++;
  return n;
}

static void
update_actions (ChLabOrderDialog *self)
{
  gboolean idle = !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
  gboolean stored = self->placer_number != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "order.send",
                                 idle && (stored || count_chosen (self) > 0));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "order.add-other", idle && !stored);
}

static void
set_busy (ChLabOrderDialog *self,
          gboolean          busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  /* A stored order is not edited: only sent again. */
  ch_ui_set_input_sensitive (self->form, !busy && self->placer_number == NULL);
  update_actions (self);
}

static void
show_error (ChLabOrderDialog *self,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- the list of tests ------------------------------------------------------- */

static void
on_chosen_toggled (ChLabOrderDialog *self)
{
  guint n = count_chosen (self);
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("No test chosen yet"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u test chosen", "%u tests chosen", n),
                            n);
  adw_preferences_group_set_description (self->tests_group, text);
  /* A test ticked stays in sight whatever is searched next. */
  gtk_list_box_invalidate_filter (self->test_list);
  update_actions (self);
}

static Row *
add_row (ChLabOrderDialog *self,
         ChLabOrderTest   *test,
         gboolean          chosen,
         gboolean          first)
{
  Row *row = g_new0 (Row, 1);
  g_autofree char *subtitle = NULL;
  g_autofree char *both = NULL;

  row->test = test;
  both = g_strconcat (test->code, " ", test->text, NULL);
  row->folded = g_utf8_casefold (both, -1);
  row->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row),
                                 *test->text != '\0' ? test->text : test->code);
  if (*test->specimen != '\0')
    subtitle = g_strdup_printf ("%s · %s", test->code, test->specimen);
  else
    subtitle = g_strdup_printf ("%s · %s", test->code, test->system);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), subtitle);
  row->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->check), GTK_ALIGN_CENTER);
  gtk_check_button_set_active (row->check, chosen);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row->row), GTK_WIDGET (row->check));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row->row), GTK_WIDGET (row->check));
  g_object_set_data (G_OBJECT (row->row), "ch-lab-order-row", row);
  g_signal_connect_swapped (row->check, "toggled", G_CALLBACK (on_chosen_toggled), self);

  if (first)
    {
      gtk_list_box_prepend (self->test_list, row->row);
      g_ptr_array_insert (self->rows, 0, row);
    }
  else
    {
      gtk_list_box_append (self->test_list, row->row);
      g_ptr_array_add (self->rows, row);
    }
  return row;
}

static gboolean
filter_row (GtkListBoxRow *list_row,
            gpointer       user_data)
{
  ChLabOrderDialog *self = user_data;
  Row *row = g_object_get_data (G_OBJECT (list_row), "ch-lab-order-row");

  if (row == NULL || self->search == NULL || *self->search == '\0')
    return TRUE;
  return gtk_check_button_get_active (row->check) || strstr (row->folded, self->search) != NULL;
}

static void
on_search_changed (ChLabOrderDialog *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  g_free (self->search);
  self->search = g_utf8_casefold (text, -1);
  gtk_list_box_invalidate_filter (self->test_list);
}

/* The tests shipped with Charta (lab-orderables.tsv): code, name, specimen. */
static void
load_orderables (ChLabOrderDialog *self)
{
  g_autoptr (GBytes) data = g_resources_lookup_data (ORDERABLES_RESOURCE, 0, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (data == NULL)
    {
      g_warning ("The list of lab tests %s is missing", ORDERABLES_RESOURCE);
      return;
    }
  text = g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 3);
      if (g_strv_length (fields) < 2)
        continue;
      add_row (self, ch_lab_order_test_new (fields[0], fields[1], "LN", fields[2]), FALSE, FALSE);
    }
}

static Row *
find_row (ChLabOrderDialog *self,
          const char       *code)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = self->rows->pdata[i];

      if (g_ascii_strcasecmp (row->test->code, code) == 0)
        return row;
    }
  return NULL;
}

static void
add_other_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ChLabOrderDialog *self = CH_LAB_ORDER_DIALOG (widget);
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->other_code_row))));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->other_text_row))));
  g_autofree char *spec = NULL;
  g_autoptr (GError) error = NULL;
  ChLabOrderTest *test;
  Row *row;

  if (*code == '\0' || strchr (code, '^') != NULL || strchr (name, '^') != NULL)
    {
      show_error (self, _("Give the test's code (and its name), without “^”."));
      ch_ui_set_row_error (self->other_code_row, TRUE);
      gtk_widget_grab_focus (self->other_code_row);
      return;
    }
  ch_ui_set_row_error (self->other_code_row, FALSE);
  row = find_row (self, code);
  if (row != NULL)
    {
      gtk_check_button_set_active (row->check, TRUE);
      show_error (self, NULL);
      return;
    }
  spec = g_strdup_printf ("%s^%s", code, name);
  test = ch_lab_orders_parse_test (spec, &error);
  if (test == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  add_row (self, test, TRUE, TRUE);
  on_chosen_toggled (self);
  gtk_editable_set_text (GTK_EDITABLE (self->other_code_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->other_text_row), "");
}

static void
on_other_activated (ChLabOrderDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "order.add-other", NULL);
}

/* ---- sending ------------------------------------------------------------------- */

typedef struct
{
  ChSession  *session;
  gint64      patient_id;
  GPtrArray  *tests;          /* (element-type ChLabOrderTest) */
  const char *priority;
  char       *info;
  char       *note;
  char       *placer_number;  /* set: send that order again */
} Send;

static void
send_free (gpointer data)
{
  Send *send = data;

  g_clear_object (&send->session);
  g_clear_pointer (&send->tests, g_ptr_array_unref);
  g_free (send->info);
  g_free (send->note);
  g_free (send->placer_number);
  g_free (send);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Send *send = task_data;
  ChLabOrder *order = NULL;
  GError *error = NULL;
  gboolean ok;

  if (send->placer_number != NULL)
    ok = ch_lab_orders_resend (send->session, send->placer_number, &order, &error);
  else
    ok = ch_lab_orders_place (send->session, send->patient_id, send->tests, send->priority,
                              send->info, send->note, &order, &error);
  if (ok)
    g_task_return_pointer (task, order, (GDestroyNotify) ch_lab_order_free);
  else
    g_task_return_error (task, error);
}

static void
send_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChLabOrderDialog *self = CH_LAB_ORDER_DIALOG (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChLabOrder) order = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GtkWidget) parent = NULL;
  g_autofree char *message = NULL;
  gboolean first = self->placer_number == NULL;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (order == NULL)
    {
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }

  g_free (self->placer_number);
  self->placer_number = g_strdup (order->placer_number);
  if (self->patient_label != NULL)
    {
      /* TRANSLATORS: the order dialog's subtitle once the order is stored:
       * "Doe, Jane · MRN 0042 · order CH000123" */
      g_autofree char *subtitle = g_strdup_printf (_("%s · order %s"), self->patient_label,
                                                   order->placer_number);

      adw_window_title_set_subtitle (self->window_title, subtitle);
    }
  else
    adw_window_title_set_subtitle (self->window_title, order->placer_number);
  if (first)
    g_signal_emit (self, signals[PLACED], 0, order->placer_number);

  if (g_strcmp0 (order->status, "failed") == 0 || g_strcmp0 (order->status, "pending") == 0)
    {
      set_busy (self, FALSE);
      message = g_strdup_printf (_("Order %s was not sent: %s. It is kept: send it again when "
                                   "the lab can take it."), order->placer_number, order->reason);
      show_error (self, message);
      gtk_button_set_label (self->send_button, _("Send _Again"));
      g_clear_pointer (&message, g_free);
      message = g_strdup_printf (_("Order %s not sent"), order->placer_number);
      ch_ui_toast (GTK_WIDGET (self->form), message);
      return;
    }

  self->busy = FALSE;
  message = g_strdup_printf (_("Order %s sent to the lab"), order->placer_number);
  parent = g_weak_ref_get (&self->parent);
  if (parent != NULL)
    ch_ui_toast (parent, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChLabOrderDialog *self = CH_LAB_ORDER_DIALOG (widget);
  g_autoptr (GTask) task = NULL;
  guint priority = adw_combo_row_get_selected (self->priority_row);
  Send *send;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  if (self->placer_number == NULL && count_chosen (self) == 0)
    {
      show_error (self, _("Choose at least one test."));
      return;
    }

  show_error (self, NULL);
  send = g_new0 (Send, 1);
  send->session = g_object_ref (self->session);
  send->patient_id = self->patient_id;
  send->placer_number = g_strdup (self->placer_number);
  send->tests = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_lab_order_test_free);
  /* In the order shown: the ones typed in first, then the list's. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = self->rows->pdata[i];

      if (gtk_check_button_get_active (row->check))
        g_ptr_array_add (send->tests, ch_lab_order_test_new (row->test->code, row->test->text,
                                                             row->test->system,
                                                             row->test->specimen));
    }
  send->priority = priorities[priority < G_N_ELEMENTS (priorities) ? priority : 0];
  send->info = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->info_row)));
  send->note = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_row)));

  set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, send_done, NULL);
  g_task_set_task_data (task, send, send_free);
  ch_ui_session_run_task (task, send_thread);
}

/* ---- construction -------------------------------------------------------------- */

/**
 * ch_lab_order_dialog_new:
 * @parent: (nullable): the window to stay on top of, whose toast overlay
 *   shows the outcome
 * @session: the signed-in session
 * @patient_id: the chart ordered from
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
ch_lab_order_dialog_new (GtkWindow *parent,
                         ChSession *session,
                         gint64     patient_id)
{
  ChLabOrderDialog *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_LAB_ORDER_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->patient_id = patient_id;
  g_weak_ref_set (&self->parent, parent);

  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (update_actions));
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return GTK_WIDGET (self);
}

void
ch_lab_order_dialog_set_patient_label (ChLabOrderDialog *self,
                                       const char       *label)
{
  g_return_if_fail (CH_IS_LAB_ORDER_DIALOG (self));

  g_free (self->patient_label);
  self->patient_label = g_strdup (label);
  adw_window_title_set_subtitle (self->window_title, label != NULL ? label : "");
}

void
ch_lab_order_dialog_present (GtkWidget  *parent,
                             ChSession  *session,
                             gint64      patient_id,
                             const char *patient_label)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  GtkWidget *dialog;

  g_return_if_fail (CH_IS_SESSION (session));

  dialog = ch_lab_order_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, session,
                                    patient_id);
  /* The toast goes where the button was: its page may have an overlay of
   * its own. */
  if (parent != NULL)
    g_weak_ref_set (&CH_LAB_ORDER_DIALOG (dialog)->parent, parent);
  ch_lab_order_dialog_set_patient_label (CH_LAB_ORDER_DIALOG (dialog), patient_label);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
ch_lab_order_dialog_get_busy (ChLabOrderDialog *self)
{
  g_return_val_if_fail (CH_IS_LAB_ORDER_DIALOG (self), FALSE);

  return self->busy;
}

const char *
ch_lab_order_dialog_get_placer_number (ChLabOrderDialog *self)
{
  g_return_val_if_fail (CH_IS_LAB_ORDER_DIALOG (self), NULL);

  return self->placer_number;
}

guint
ch_lab_order_dialog_get_n_chosen (ChLabOrderDialog *self)
{
  g_return_val_if_fail (CH_IS_LAB_ORDER_DIALOG (self), 0);

  return count_chosen (self);
}

static gboolean
ch_lab_order_dialog_close_request (GtkWindow *window)
{
  if (CH_LAB_ORDER_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_lab_order_dialog_parent_class)->close_request (window);
}

static void
ch_lab_order_dialog_dispose (GObject *object)
{
  ChLabOrderDialog *self = CH_LAB_ORDER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LAB_ORDER_DIALOG);

  G_OBJECT_CLASS (ch_lab_order_dialog_parent_class)->dispose (object);
}

static void
ch_lab_order_dialog_finalize (GObject *object)
{
  ChLabOrderDialog *self = CH_LAB_ORDER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_weak_ref_clear (&self->parent);
  g_free (self->search);
  g_free (self->placer_number);
  g_free (self->patient_label);

  G_OBJECT_CLASS (ch_lab_order_dialog_parent_class)->finalize (object);
}

static void
ch_lab_order_dialog_class_init (ChLabOrderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_lab_order_dialog_dispose;
  object_class->finalize = ch_lab_order_dialog_finalize;
  window_class->close_request = ch_lab_order_dialog_close_request;

  /**
   * ChLabOrderDialog::placed:
   * @placer_number: the new order's number
   *
   * The order is stored, whether it could be sent or not.
   */
  signals[PLACED] = g_signal_new ("placed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-lab-order-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, tests_group);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, test_list);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, other_code_row);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, other_text_row);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, priority_row);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, info_row);
  gtk_widget_class_bind_template_child (widget_class, ChLabOrderDialog, note_row);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_other_activated);

  gtk_widget_class_install_action (widget_class, "order.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "order.add-other", NULL, add_other_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "order.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_lab_order_dialog_init (ChLabOrderDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new_with_free_func (row_free);
  g_weak_ref_init (&self->parent, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_filter_func (self->test_list, filter_row, self, NULL);
  load_orderables (self);
}
