/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-close-day-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-billing.h"
#include "ch-billing-docs.h"
#include "ch-billing-ui.h"
#include "ch-close-day-dialog.h"
#include "ch-ui.h"

/* The figures are worked out on a worker a moment after the day or the
 * float stop changing; a newer change makes an older answer moot. */
#define SETTLE_MS 250

struct _ChCloseDayDialog
{
  AdwWindow             parent_instance;

  GtkSpinner           *spinner;
  GtkLabel             *error_label;
  GtkWidget            *form;
  AdwPreferencesGroup  *day_group;
  AdwEntryRow          *day_row;
  AdwEntryRow          *reason_row;
  AdwEntryRow          *float_row;
  GtkLabel             *expected_label;
  AdwEntryRow          *counted_row;
  GtkLabel             *difference_label;
  AdwEntryRow          *note_row;

  ChSession            *session;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  guint                 settle_id;
  guint                 generation;   /* of the figures asked for */
  gint64                expected;     /* -1: not known for what is typed */
  gboolean              closed_before;
  gboolean              load_last_float;  /* the first load, put off */
  gboolean              loading;
  gboolean              busy;
  char                 *error;
};

G_DEFINE_FINAL_TYPE (ChCloseDayDialog, ch_close_day_dialog, ADW_TYPE_WINDOW)

enum { CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void ch_close_day_dialog_load (ChCloseDayDialog *self,
                                      gboolean          with_last_float);
static gboolean settle_cb (gpointer user_data);

static void
show_error (ChCloseDayDialog *self,
            const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_spinner (ChCloseDayDialog *self)
{
  gtk_spinner_set_spinning (self->spinner, self->busy || self->loading);
}

static void
set_busy (ChCloseDayDialog *self,
          gboolean          busy)
{
  self->busy = busy;
  update_spinner (self);
  ch_ui_set_input_sensitive (self->form, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "close-day.close", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "close-day.preview", !busy);
}

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* A YYYY-MM-DD day that exists. */
static gboolean
valid_day (const char *text)
{
  int y, m, d;
  char end;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-'
      || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3)
    return FALSE;
  return g_date_valid_dmy (d, m, y);
}

/* An amount of zero or more; nothing typed is zero. */
static gboolean
read_amount (AdwEntryRow *row,
             gint64      *out_cents)
{
  g_autofree char *text = entry_text (row);

  if (text[0] == '\0')
    {
      *out_cents = 0;
      return TRUE;
    }
  return ch_billing_parse_amount (text, out_cents);
}

static void
set_figure (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_text (label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

/* Over or short, from what is expected and what was counted. */
static void
update_difference (ChCloseDayDialog *self)
{
  g_autofree char *counted_text = entry_text (self->counted_row);
  g_autofree char *money = NULL;
  g_autofree char *text = NULL;
  gint64 counted = 0, difference;

  if (self->expected < 0 || counted_text[0] == '\0'
      || !ch_billing_parse_amount (counted_text, &counted))
    {
      set_figure (self->difference_label, "");
      return;
    }
  difference = counted - self->expected;
  money = ch_billing_ui_money (ABS (difference));
  if (difference == 0)
    text = g_strdup (_("Balanced"));
  else if (difference > 0)
    /* TRANSLATORS: the cash drawer holds more than expected: "Over by $2.00" */
    text = g_strdup_printf (_("Over by %s"), money);
  else
    /* TRANSLATORS: the cash drawer holds less than expected: "Short by $2.00" */
    text = g_strdup_printf (_("Short by %s"), money);
  set_figure (self->difference_label, text);
}

static void
on_counted_changed (ChCloseDayDialog *self)
{
  update_difference (self);
}

/* ---- the figures ---------------------------------------------------------------- */

typedef struct
{
  guint         generation;
  char         *day;
  gint64        float_cents;
  gboolean      with_last_float;
  gint64        last_float;        /* out: -1 none */
  gint64        expected;          /* out */
  ChCashClose  *previous;          /* out: the day's close that counts, if any */
} Load;

static void
load_free (Load *load)
{
  g_free (load->day);
  g_clear_pointer (&load->previous, ch_cash_close_free);
  g_free (load);
}

static gboolean
load_func (ChSession  *session,
           gpointer    data,
           GError    **error)
{
  Load *load = data;
  g_autoptr (GPtrArray) closes = NULL;

  load->last_float = -1;
  if (load->with_last_float)
    {
      g_autoptr (GPtrArray) all = ch_billing_closes (session, NULL, error);

      if (all == NULL)
        return FALSE;
      if (all->len > 0)
        load->last_float = ((ChCashClose *) all->pdata[all->len - 1])->float_cents;
      if (load->last_float >= 0)
        load->float_cents = load->last_float;
    }
  closes = ch_billing_closes (session, load->day, error);
  if (closes == NULL)
    return FALSE;
  for (guint i = 0; i < closes->len; i++)
    if (((ChCashClose *) closes->pdata[i])->superseded_by == 0)
      {
        load->previous = g_ptr_array_steal_index (closes, i);
        break;
      }
  return ch_billing_cash_expected (session, load->day, load->float_cents, &load->expected, error);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChCloseDayDialog *self = CH_CLOSE_DAY_DIALOG (object);
  g_autoptr (GError) error = NULL;
  Load *load;
  g_autofree char *expected = NULL;
  g_autofree char *description = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->loading = FALSE;
      update_spinner (self);
      show_error (self, error->message);
      return;
    }
  load = ch_billing_ui_run_get_data (G_TASK (result));
  self->loading = FALSE;
  update_spinner (self);
  if (load->generation != self->generation)
    return;

  if (load->last_float >= 0)
    {
      g_autofree char *text = ch_billing_format_amount (load->last_float);

      /* Setting it asks for the figures again, with the same answer. */
      gtk_editable_set_text (GTK_EDITABLE (self->float_row), text);
    }

  self->expected = load->expected;
  expected = ch_billing_ui_money (load->expected);
  set_figure (self->expected_label, expected);
  update_difference (self);

  self->closed_before = load->previous != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->reason_row), self->closed_before);
  if (load->previous != NULL)
    {
      g_autoptr (GDateTime) at = g_date_time_new_from_unix_local (load->previous->closed_at /
                                                                  G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (at, "%H:%M");
      g_autofree char *counted = ch_billing_ui_money (load->previous->counted_cents);

      /* TRANSLATORS: "Closed by manager at 17:45 with $312.50 counted. Closing it again
       * needs a reason; the new close replaces it." */
      description = g_strdup_printf (_("Closed by %s at %s with %s counted. Closing it again "
                                       "needs a reason; the new close replaces it."),
                                     load->previous->closed_by, when, counted);
    }
  adw_preferences_group_set_description (self->day_group, description);
}

static void
ch_close_day_dialog_load (ChCloseDayDialog *self,
                          gboolean          with_last_float)
{
  g_autofree char *day = entry_text (self->day_row);
  gint64 float_cents = 0;
  Load *load;

  /* One worker uses the session at a time: ask again in a moment. */
  if (self->loading || ch_ui_session_is_busy (self->session))
    {
      self->load_last_float |= with_last_float;
      g_clear_handle_id (&self->settle_id, g_source_remove);
      self->settle_id = g_timeout_add (SETTLE_MS, settle_cb, self);
      return;
    }
  with_last_float |= self->load_last_float;
  self->load_last_float = FALSE;

  self->generation++;
  self->expected = -1;
  set_figure (self->expected_label, "");
  update_difference (self);
  if (!valid_day (day))
    {
      set_figure (self->expected_label, _("Type a day like 2026-03-31"));
      return;
    }
  if (!read_amount (self->float_row, &float_cents))
    {
      set_figure (self->expected_label, _("Type the float like 100.00"));
      return;
    }

  load = g_new0 (Load, 1);
  load->generation = self->generation;
  load->day = g_steal_pointer (&day);
  load->float_cents = float_cents;
  load->with_last_float = with_last_float;
  self->loading = TRUE;
  update_spinner (self);
  ch_billing_ui_run (self->session, self, self->cancellable, load_func, load,
                     (GDestroyNotify) load_free, load_done);
}

static gboolean
settle_cb (gpointer user_data)
{
  ChCloseDayDialog *self = user_data;

  self->settle_id = 0;
  ch_close_day_dialog_load (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_figures_changed (ChCloseDayDialog *self)
{
  if (self->session == NULL)
    return;
  self->generation++;
  self->expected = -1;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SETTLE_MS, settle_cb, self);
}

/* ---- closing ------------------------------------------------------------------- */

typedef struct
{
  char   *day;
  gint64  float_cents;
  gint64  counted_cents;
  char   *note;
  char   *reason;
  char   *path;
  gboolean preview;
} Close;

static void
close_free (Close *close)
{
  g_free (close->day);
  g_free (close->note);
  g_free (close->reason);
  g_free (close->path);
  g_free (close);
}

static gboolean
close_func (ChSession  *session,
            gpointer    data,
            GError    **error)
{
  Close *close = data;
  g_autoptr (ChCashClose) recorded = NULL;

  if (close->preview)
    return ch_billing_close_write (session, close->day, close->float_cents, close->path, error);
  recorded = ch_billing_close_day (session, close->day, close->float_cents, close->counted_cents,
                                   close->note, close->reason, close->path, error);
  return recorded != NULL;
}

static void
close_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChCloseDayDialog *self = CH_CLOSE_DAY_DIALOG (object);
  g_autoptr (GError) error = NULL;
  gboolean preview = GPOINTER_TO_INT (user_data);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  set_busy (self, FALSE);
  if (preview)
    {
      adw_preferences_group_set_description (self->day_group,
                                             _("Preview saved. Nothing was recorded."));
      return;
    }
  g_signal_emit (self, signals[CLOSED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
close_done_preview (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  close_done (object, result, GINT_TO_POINTER (TRUE));
}

static void
close_done_record (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  close_done (object, result, GINT_TO_POINTER (FALSE));
}

/* The figures as typed, checked; NULL (with the reason shown) if wrong. */
static Close *
read_close (ChCloseDayDialog *self,
            gboolean          preview)
{
  g_autofree char *day = entry_text (self->day_row);
  g_autofree char *reason = entry_text (self->reason_row);
  g_autofree char *counted_text = entry_text (self->counted_row);
  Close *close;
  gint64 float_cents = 0, counted = 0;

  if (!valid_day (day))
    {
      show_error (self, _("Type the day like 2026-03-31"));
      gtk_widget_grab_focus (GTK_WIDGET (self->day_row));
      return NULL;
    }
  if (!read_amount (self->float_row, &float_cents))
    {
      show_error (self, _("The float is not an amount: type it like 100.00"));
      gtk_widget_grab_focus (GTK_WIDGET (self->float_row));
      return NULL;
    }
  if (!preview)
    {
      if (counted_text[0] == '\0' || !ch_billing_parse_amount (counted_text, &counted))
        {
          show_error (self, _("Count the cash in the drawer and type it like 312.50"));
          gtk_widget_grab_focus (GTK_WIDGET (self->counted_row));
          return NULL;
        }
      if (self->closed_before && reason[0] == '\0')
        {
          show_error (self, _("This day was closed before: say why it is closed again"));
          gtk_widget_grab_focus (GTK_WIDGET (self->reason_row));
          return NULL;
        }
    }

  close = g_new0 (Close, 1);
  close->day = g_steal_pointer (&day);
  close->float_cents = float_cents;
  close->counted_cents = counted;
  close->note = entry_text (self->note_row);
  close->reason = self->closed_before ? g_steal_pointer (&reason) : NULL;
  close->preview = preview;
  return close;
}

static gboolean
start_close (ChCloseDayDialog *self,
             GFile            *file,
             gboolean          preview)
{
  Close *close;

  if (self->busy)
    return FALSE;
  if (ch_ui_session_is_busy (self->session))
    {
      show_error (self, _("Charta is busy; try again in a moment"));
      return FALSE;
    }
  close = read_close (self, preview);
  if (close == NULL)
    return FALSE;
  close->path = g_file_get_path (file);
  if (close->path == NULL)
    {
      close_free (close);
      show_error (self, _("Choose a folder on this computer"));
      return FALSE;
    }
  show_error (self, NULL);
  set_busy (self, TRUE);
  ch_billing_ui_run (self->session, self, self->cancellable, close_func, close,
                     (GDestroyNotify) close_free, preview ? close_done_preview : close_done_record);
  return TRUE;
}

gboolean
ch_close_day_dialog_close_to (ChCloseDayDialog *self,
                              GFile            *file)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  return start_close (self, file, FALSE);
}

void
ch_close_day_dialog_preview_to (ChCloseDayDialog *self,
                                GFile            *file)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  start_close (self, file, TRUE);
}

static void
on_chooser_response (GtkNativeDialog  *chooser,
                     int               response,
                     ChCloseDayDialog *self)
{
  gboolean preview = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "preview"));
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  if (file != NULL)
    start_close (self, file, preview);
}

static void
choose_file (ChCloseDayDialog *self,
             gboolean          preview)
{
  g_autofree char *day = entry_text (self->day_row);
  g_autofree char *name = NULL;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  Close *check;

  if (self->busy || self->chooser != NULL)
    return;
  /* Wrong figures are said before a file is asked for. */
  check = read_close (self, preview);
  if (check == NULL)
    return;
  close_free (check);
  show_error (self, NULL);

  self->chooser = gtk_file_chooser_native_new (preview ? _("Save the Day's Preview")
                                                       : _("Save the Daily Close"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  /* TRANSLATORS: a file name: "daily-close-2026-03-31.pdf" */
  name = g_strdup_printf (preview ? _("daily-close-preview-%s.pdf") : _("daily-close-%s.pdf"),
                          day);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "preview", GINT_TO_POINTER (preview));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  choose_file (CH_CLOSE_DAY_DIALOG (widget), FALSE);
}

static void
preview_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  choose_file (CH_CLOSE_DAY_DIALOG (widget), TRUE);
}

/* ---- construction -------------------------------------------------------------- */

GtkWidget *
ch_close_day_dialog_new (GtkWindow *parent,
                         ChSession *session)
{
  ChCloseDayDialog *self;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_CLOSE_DAY_DIALOG, "transient-for", parent, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->day_row), today);
  gtk_editable_set_text (GTK_EDITABLE (self->float_row), "0.00");
  self->session = g_object_ref (session);
  set_busy (self, FALSE);
  ch_close_day_dialog_load (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->counted_row));
  return GTK_WIDGET (self);
}

void
ch_close_day_dialog_set_day (ChCloseDayDialog *self,
                             const char       *day)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->day_row), day);
}

void
ch_close_day_dialog_set_float (ChCloseDayDialog *self,
                               const char       *text)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->float_row), text);
}

void
ch_close_day_dialog_set_counted (ChCloseDayDialog *self,
                                 const char       *text)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->counted_row), text);
}

void
ch_close_day_dialog_set_note (ChCloseDayDialog *self,
                              const char       *text)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), text);
}

void
ch_close_day_dialog_set_reason (ChCloseDayDialog *self,
                                const char       *text)
{
  g_return_if_fail (CH_IS_CLOSE_DAY_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), text);
}

const char *
ch_close_day_dialog_get_expected (ChCloseDayDialog *self)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), NULL);
  return self->expected >= 0 ? gtk_label_get_text (self->expected_label) : "";
}

const char *
ch_close_day_dialog_get_difference (ChCloseDayDialog *self)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), NULL);
  return gtk_label_get_text (self->difference_label);
}

gboolean
ch_close_day_dialog_get_closed_before (ChCloseDayDialog *self)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), FALSE);
  return self->closed_before;
}

gboolean
ch_close_day_dialog_get_busy (ChCloseDayDialog *self)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), FALSE);
  return self->busy || self->loading || self->settle_id != 0;
}

const char *
ch_close_day_dialog_get_error (ChCloseDayDialog *self)
{
  g_return_val_if_fail (CH_IS_CLOSE_DAY_DIALOG (self), NULL);
  return self->error;
}

static gboolean
ch_close_day_dialog_close_request (GtkWindow *window)
{
  if (CH_CLOSE_DAY_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_close_day_dialog_parent_class)->close_request (window);
}

static void
ch_close_day_dialog_dispose (GObject *object)
{
  ChCloseDayDialog *self = CH_CLOSE_DAY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, on_chooser_response, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_CLOSE_DAY_DIALOG);

  G_OBJECT_CLASS (ch_close_day_dialog_parent_class)->dispose (object);
}

static void
ch_close_day_dialog_finalize (GObject *object)
{
  ChCloseDayDialog *self = CH_CLOSE_DAY_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->error);

  G_OBJECT_CLASS (ch_close_day_dialog_parent_class)->finalize (object);
}

static void
ch_close_day_dialog_class_init (ChCloseDayDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_close_day_dialog_dispose;
  object_class->finalize = ch_close_day_dialog_finalize;
  window_class->close_request = ch_close_day_dialog_close_request;

  /**
   * ChCloseDayDialog::closed:
   *
   * The close is recorded and its PDF written.
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-close-day-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, day_group);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, day_row);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, float_row);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, expected_label);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, counted_row);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, difference_label);
  gtk_widget_class_bind_template_child (widget_class, ChCloseDayDialog, note_row);
  gtk_widget_class_bind_template_callback (widget_class, on_figures_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_counted_changed);

  gtk_widget_class_install_action (widget_class, "close-day.close", NULL, close_activated);
  gtk_widget_class_install_action (widget_class, "close-day.preview", NULL, preview_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "close-day.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_close_day_dialog_init (ChCloseDayDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->expected = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}
