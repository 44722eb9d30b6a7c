/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-audit-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-audit-page.h"
#include "ch-audit.h"
#include "ch-ui.h"
#include "ch-users.h"

/* The audit trail, filtered, over the controller's lazy model: the view asks
 * for the rows on screen and the model pages them from the database. */

struct _ChAuditPage
{
  AdwBin                parent_instance;

  GtkDropDown          *user_dropdown;
  GtkStringList        *user_list;
  GtkDropDown          *action_dropdown;
  GtkStringList        *action_list;
  GtkEntry             *patient_entry;
  GtkEntry             *from_entry;
  GtkEntry             *to_entry;
  GtkStack             *stack;
  GtkColumnView        *column_view;
  GtkSingleSelection   *selection;
  AdwStatusPage        *busy_page;
  GtkSpinner           *spinner;
  AdwStatusPage        *error_page;
  GtkLabel             *count_label;
  GtkLabel             *verify_label;

  ChSession            *session;
  ChAuditModel         *model;
  GPtrArray            *usernames;  /* of the user dropdown, after "Any user" */
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  gboolean              busy;
  gboolean              filling;
};

G_DEFINE_FINAL_TYPE (ChAuditPage, ch_audit_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_patient_id (GtkListItem *item,
                   gint64       patient_id)
{
  if (patient_id <= 0)
    return g_strdup ("");

  return g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
}

/* Nothing here reads the store while a worker uses the session, this
 * page's or another's. */
static gboolean
ch_audit_page_is_ready (ChAuditPage *self)
{
  return self->model != NULL && !self->busy && !ch_ui_session_is_busy (self->session);
}

static void
ch_audit_page_update_actions (ChAuditPage *self)
{
  gboolean ready = self->session != NULL && ch_audit_page_is_ready (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.apply-filter", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.clear-filter", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.verify", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", ready);
}

static void
ch_audit_page_show_model (ChAuditPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *count = NULL;

  /* Translators: %u is a number of audit entries */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", n), n);
  gtk_label_set_text (self->count_label, count);
  ch_ui_stack_show (self->stack, n > 0 ? "list" : "empty");
}

/* While a worker uses the session, the view lets go of the model, so that
 * scrolling cannot make the model read from the store at the same time. */
static void
ch_audit_page_set_busy (ChAuditPage *self,
                        gboolean     busy,
                        const char  *what)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->user_dropdown), !busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->action_dropdown), !busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->patient_entry), !busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->from_entry), !busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->to_entry), !busy);

  if (busy)
    {
      adw_status_page_set_title (self->busy_page, what);
      gtk_single_selection_set_model (self->selection, NULL);
      ch_ui_stack_show (self->stack, "busy");
    }
  else
    {
      gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->model));
      ch_audit_page_show_model (self);
    }

  ch_audit_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
parse_day (GtkEntry   *entry,
           gboolean    end,
           gint64     *out_ts)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GDateTime) day = NULL;
  guint year, month, mday;
  char extra;

  *out_ts = 0;
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");

  if (*text == '\0')
    return TRUE;

  if (sscanf (text, "%4u-%2u-%2u%c", &year, &month, &mday, &extra) != 3 ||
      !g_date_valid_dmy (mday, month, year))
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return FALSE;
    }

  day = g_date_time_new_local (year, month, mday, 0, 0, 0);
  if (day == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return FALSE;
    }

  /* "To" includes the whole day: the filter's end is exclusive. */
  if (end)
    {
      g_autoptr(GDateTime) next = g_date_time_add_days (day, 1);

      *out_ts = g_date_time_to_unix (next) * G_USEC_PER_SEC;
    }
  else
    *out_ts = g_date_time_to_unix (day) * G_USEC_PER_SEC;

  return TRUE;
}

static void
apply_filter_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChAuditPage *self = CH_AUDIT_PAGE (widget);
  const char * const *actions = ch_audit_actions ();
  const char *patient = gtk_editable_get_text (GTK_EDITABLE (self->patient_entry));
  ChAuditFilter filter = { 0 };
  guint user_index = gtk_drop_down_get_selected (self->user_dropdown);
  guint action_index = gtk_drop_down_get_selected (self->action_dropdown);
  gboolean valid = TRUE;

  if (!ch_audit_page_is_ready (self))
    return;

  if (user_index != GTK_INVALID_LIST_POSITION && user_index > 0 &&
      user_index - 1 < self->usernames->len)
    filter.username = g_ptr_array_index (self->usernames, user_index - 1);

  if (action_index != GTK_INVALID_LIST_POSITION && action_index > 0 &&
      action_index - 1 < g_strv_length ((char **) actions))
    filter.action = actions[action_index - 1];

  gtk_widget_remove_css_class (GTK_WIDGET (self->patient_entry), "error");
  if (*patient != '\0')
    {
      guint64 id;

      if (g_ascii_string_to_unsigned (patient, 10, 1, G_MAXINT64, &id, NULL))
        filter.patient_id = (gint64) id;
      else
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->patient_entry), "error");
          valid = FALSE;
        }
    }

  valid &= parse_day (self->from_entry, FALSE, &filter.from_ts);
  valid &= parse_day (self->to_entry, TRUE, &filter.to_ts);

  if (!valid)
    {
      ch_ui_toast (widget, _("Enter patient IDs as numbers and dates as YYYY-MM-DD"));
      return;
    }

  ch_audit_model_set_filter (self->model, &filter);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_label), FALSE);
  ch_audit_page_show_model (self);
}

static void
clear_filter_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChAuditPage *self = CH_AUDIT_PAGE (widget);

  self->filling = TRUE;
  gtk_drop_down_set_selected (self->user_dropdown, 0);
  gtk_drop_down_set_selected (self->action_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->patient_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), "");
  self->filling = FALSE;

  gtk_widget_activate_action (widget, "audit.apply-filter", NULL);
}

static void
on_filter_changed (ChAuditPage *self)
{
  if (!self->filling)
    gtk_widget_activate_action (GTK_WIDGET (self), "audit.apply-filter", NULL);
}

/* ---- verify --------------------------------------------------------------- */

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ChAuditModel *model = task_data;
  g_autoptr(GError) error = NULL;
  gint64 n = 0;

  if (ch_audit_model_verify (model, &n, &error))
    g_task_return_int (task, n);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
verify_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gssize n;

  n = g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ch_audit_page_set_busy (self, FALSE, NULL);

  /* Refused by the session's gate: nothing was checked. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "error");

  if (error != NULL)
    {
      /* Translators: %s says which entry does not verify */
      text = g_strdup_printf (_("The audit trail is broken: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "error");
    }
  else
    {
      g_autofree char *number = g_strdup_printf ("%" G_GSSIZE_FORMAT, n);

      /* Translators: %s is a number of entries */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Intact: %s entry verified",
                                           "Intact: %s entries verified",
                                           (gulong) n),
                              number);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "success");
    }

  gtk_label_set_text (self->verify_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->verify_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_label), TRUE);
}

static void
verify_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChAuditPage *self = CH_AUDIT_PAGE (widget);
  g_autoptr(GTask) task = NULL;

  if (!ch_audit_page_is_ready (self))
    return;

  ch_audit_page_set_busy (self, TRUE, _("Verifying the Audit Trail…"));

  task = ch_ui_session_task_new (self->session, self, self->cancellable, verify_done, NULL);
  g_task_set_source_tag (task, verify_activated);
  g_task_set_task_data (task, g_object_ref (self->model), g_object_unref);
  ch_ui_session_run_task (task, verify_thread);
}

/* ---- export --------------------------------------------------------------- */

typedef struct
{
  ChAuditModel *model;
  GFile        *file;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  g_clear_object (&export->model);
  g_clear_object (&export->file);
  g_free (export);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *export = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!ch_audit_model_export_csv (export->model, G_OUTPUT_STREAM (stream), NULL, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error))
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* Closing a replacing stream as cancelled keeps whatever the file
       * held before, rather than half an export. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);
  ExportData *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_audit_page_set_busy (self, FALSE, NULL);
      /* Translators: %s is an error message */
      text = g_strdup_printf (_("Could not export the audit log: %s"), error->message);
      ch_ui_toast (GTK_WIDGET (self), text);
      return;
    }

  ch_audit_page_set_busy (self, FALSE, NULL);

  /* The export is itself audited: show it. */
  ch_audit_model_reload (self->model);
  ch_audit_page_show_model (self);

  {
    g_autofree char *name = g_file_get_basename (export->file);

    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Exported to %s"), name);
    ch_ui_toast (GTK_WIDGET (self), text);
  }
}

/**
 * ch_audit_page_export_to:
 * @self: an audit page
 * @file: where to write
 *
 * Writes the entries that match the filter to @file as CSV, in a worker.
 */
void
ch_audit_page_export_to (ChAuditPage *self,
                         GFile       *file)
{
  g_autoptr(GTask) task = NULL;
  ExportData *export;

  g_return_if_fail (CH_IS_AUDIT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (!ch_audit_page_is_ready (self))
    return;

  export = g_new0 (ExportData, 1);
  export->model = g_object_ref (self->model);
  export->file = g_object_ref (file);

  ch_audit_page_set_busy (self, TRUE, _("Exporting the Audit Log…"));

  task = ch_ui_session_task_new (self->session, self, self->cancellable, export_done, NULL);
  g_task_set_source_tag (task, ch_audit_page_export_to);
  g_task_set_task_data (task, export, export_data_free);
  ch_ui_session_run_task (task, export_thread);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     ChAuditPage     *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file != NULL)
    ch_audit_page_export_to (self, file);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChAuditPage *self = CH_AUDIT_PAGE (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = NULL;

  if (!ch_audit_page_is_ready (self) || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Export Audit Log"),
                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  /* Translators: a file name; %s is today's date */
  name = g_strdup_printf (_("audit-log-%s.csv"), day);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- setup ---------------------------------------------------------------- */

static void
ch_audit_page_fill_filters (ChAuditPage *self)
{
  const char * const *actions = ch_audit_actions ();
  g_autoptr(GPtrArray) users = NULL;

  self->filling = TRUE;

  gtk_string_list_append (self->user_list, _("Any User"));
  /* Every name the trail mentions: failed sign-ins under names that do not
   * exist and removed accounts too. */
  users = self->model != NULL ? ch_audit_model_list_usernames (self->model, NULL) : NULL;
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const char *username = g_ptr_array_index (users, i);

      g_ptr_array_add (self->usernames, g_strdup (username));
      gtk_string_list_append (self->user_list, username);
    }

  gtk_string_list_append (self->action_list, _("Any Action"));
  for (guint i = 0; actions[i] != NULL; i++)
    gtk_string_list_append (self->action_list, ch_audit_action_label (actions[i]));

  gtk_drop_down_set_selected (self->user_dropdown, 0);
  gtk_drop_down_set_selected (self->action_dropdown, 0);

  self->filling = FALSE;
}

GtkWidget *
ch_audit_page_new (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_object_new (CH_TYPE_AUDIT_PAGE,
                       "session", session,
                       NULL);
}

/**
 * ch_audit_page_get_model:
 *
 * Returns: (transfer none) (nullable): the filtered trail
 */
ChAuditModel *
ch_audit_page_get_model (ChAuditPage *self)
{
  g_return_val_if_fail (CH_IS_AUDIT_PAGE (self), NULL);

  return self->model;
}

gboolean
ch_audit_page_get_busy (ChAuditPage *self)
{
  g_return_val_if_fail (CH_IS_AUDIT_PAGE (self), FALSE);

  return self->busy;
}

static void
ch_audit_page_constructed (GObject *object)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (ch_audit_page_parent_class)->constructed (object);

  ch_ui_session_watch_busy (self->session, object, G_CALLBACK (ch_audit_page_update_actions));

  self->model = ch_audit_model_new (self->session, &error);
  if (self->model == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      ch_audit_page_update_actions (self);
      return;
    }

  ch_audit_page_fill_filters (self);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->model));
  ch_audit_page_show_model (self);
  ch_audit_page_update_actions (self);
}

static void
ch_audit_page_dispose (GObject *object)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);

  g_cancellable_cancel (self->cancellable);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, on_chooser_response, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_AUDIT_PAGE);

  g_clear_object (&self->model);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_audit_page_parent_class)->dispose (object);
}

static void
ch_audit_page_finalize (GObject *object)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->usernames, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_audit_page_parent_class)->finalize (object);
}

static void
ch_audit_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_audit_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ChAuditPage *self = CH_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_audit_page_class_init (ChAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_AUDIT_ENTRY);

  object_class->constructed = ch_audit_page_constructed;
  object_class->dispose = ch_audit_page_dispose;
  object_class->finalize = ch_audit_page_finalize;
  object_class->get_property = ch_audit_page_get_property;
  object_class->set_property = ch_audit_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, user_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, user_list);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, action_list);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, patient_entry);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, selection);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, busy_page);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, ChAuditPage, verify_label);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, format_patient_id);

  gtk_widget_class_install_action (widget_class, "audit.apply-filter", NULL,
                                   apply_filter_activated);
  gtk_widget_class_install_action (widget_class, "audit.clear-filter", NULL,
                                   clear_filter_activated);
  gtk_widget_class_install_action (widget_class, "audit.verify", NULL, verify_activated);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "audit.export", NULL);
}

static void
ch_audit_page_init (ChAuditPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->usernames = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  ch_audit_page_update_actions (self);
}
