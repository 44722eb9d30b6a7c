/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patients-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-patient-dialog.h"
#include "ch-patient-list-model.h"
#include "ch-patient-view.h"
#include "ch-patients-page.h"
#include "ch-patients.h"
#include "ch-ui.h"

/* Finding a patient and opening them: one search field over the lazy
 * search of the controller, recent patients when it is empty, and the
 * opened patient in place of the list until the user goes back.
 *
 * The search runs on the main thread as one types (the controller answers
 * within milliseconds), but never while a worker holds the session: then
 * the query waits for the gate to open. Opening a patient writes to the
 * audit trail and so runs on a worker. */

/* Fetch the next page when fewer than this many rows' height is left below. */
#define LOAD_MORE_MARGIN_PAGES 1.0

struct _ChPatientsPage
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  GtkWidget          *search_box;
  GtkSearchEntry     *search_entry;
  GtkWidget          *new_button;
  GtkLabel           *heading_label;
  GtkStack           *results_stack;
  GtkScrolledWindow  *scroller;
  GtkListView        *list_view;
  GtkSingleSelection *selection;
  AdwStatusPage      *no_match_page;
  AdwStatusPage      *error_page;
  ChPatientView      *patient_view;

  ChSession          *session;
  ChPatientListModel *results;
  GCancellable       *cancellable;
  gint64              last_opened;
  guint               load_more_source;
  gboolean            busy;
  gboolean            focus_pending;  /* on the patient, once the page is sensitive */
};

G_DEFINE_FINAL_TYPE (ChPatientsPage, ch_patients_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
ch_patients_page_ready (ChPatientsPage *self)
{
  return !self->busy && !ch_ui_session_is_busy (self->session);
}

/* The main page turns insensitive while a worker runs, and sensitive
 * again only after the worker's callback: the patient just opened gets the
 * focus once it can take it. */
static void
ch_patients_page_focus_patient (ChPatientsPage *self)
{
  if (!self->focus_pending || !gtk_widget_is_sensitive (GTK_WIDGET (self)))
    return;

  self->focus_pending = FALSE;
  ch_patient_view_focus (self->patient_view);
}

static void
ch_patients_page_update_actions (ChPatientsPage *self)
{
  gboolean ready = ch_patients_page_ready (self);
  gboolean can_write = ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE);
  gboolean showing = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "patient") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.new",
                                 ready && can_write && self->results != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.edit",
                                 ready && can_write && showing &&
                                 ch_patient_view_get_record (self->patient_view) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.back", showing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.focus-search",
                                 self->results != NULL);
  ch_patient_view_update_actions (self->patient_view);
  ch_patients_page_focus_patient (self);
}

static void
ch_patients_page_set_busy (ChPatientsPage *self,
                           gboolean        busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  ch_patients_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
ch_patients_page_show_error (ChPatientsPage *self,
                             const char     *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_widget_set_visible (GTK_WIDGET (self->heading_label), FALSE);
  ch_ui_stack_show (self->results_stack, "error");
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;

  return TRUE;
}

/* Shows the list, or says why it is empty. */
static void
ch_patients_page_update_results (ChPatientsPage *self)
{
  const char *query = ch_patient_list_model_get_query (self->results);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  gboolean empty_query = is_blank (query);

  gtk_widget_set_visible (GTK_WIDGET (self->heading_label), empty_query && n > 0);

  if (n > 0)
    ch_ui_stack_show (self->results_stack, "list");
  else if (empty_query)
    ch_ui_stack_show (self->results_stack, "no-recent");
  else
    {
      g_autofree char *title = NULL;

      /* Translators: %s is what was typed into the patient search */
      title = g_strdup_printf (_("No patient matches “%s”"), query);
      adw_status_page_set_title (self->no_match_page, title);
      ch_ui_stack_show (self->results_stack, "no-match");
    }
}

static void
ch_patients_page_select_position (ChPatientsPage *self,
                                  guint           position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  if (n == 0)
    return;

  position = MIN (position, n - 1);
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

/* Runs the query typed, keeping @keep_id selected if it is still listed. */
static void
ch_patients_page_run_query (ChPatientsPage *self,
                            gint64          keep_id)
{
  g_autoptr(GError) error = NULL;
  guint position = 0;

  if (self->results == NULL)
    return;

  if (!ch_patient_list_model_set_query (self->results,
                                        gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                                        &error))
    {
      ch_patients_page_show_error (self, error->message);
      return;
    }

  for (guint i = 0; keep_id > 0 && i < g_list_model_get_n_items (G_LIST_MODEL (self->results)); i++)
    {
      g_autoptr(ChPatientItem) item = g_list_model_get_item (G_LIST_MODEL (self->results), i);

      if (ch_patient_item_get_id (item) == keep_id)
        {
          position = i;
          break;
        }
    }

  ch_patients_page_update_results (self);
  ch_patients_page_select_position (self, position);
}

static void
ch_patients_page_search (ChPatientsPage *self)
{
  /* The store is the worker's until the gate opens; then this runs again. */
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_patients_page_search));
      return;
    }

  ch_patients_page_run_query (self, 0);
}

static void
on_search_changed (ChPatientsPage *self)
{
  ch_patients_page_search (self);
}

static void
ch_patients_page_move_selection (ChPatientsPage *self,
                                 int             delta)
{
  guint selected = gtk_single_selection_get_selected (self->selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  if (n == 0)
    return;

  if (selected == GTK_INVALID_LIST_POSITION)
    selected = 0;
  else if (delta < 0 && selected > 0)
    selected--;
  else if (delta > 0 && selected + 1 < n)
    selected++;

  ch_patients_page_select_position (self, selected);
}

static void
on_next_match (ChPatientsPage *self)
{
  ch_patients_page_move_selection (self, 1);
}

static void
on_previous_match (ChPatientsPage *self)
{
  ch_patients_page_move_selection (self, -1);
}

/* Up and Down in the search field walk the list; the focus stays in the
 * field, so one may go on typing. */
static gboolean
on_search_key_pressed (ChPatientsPage        *self,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       GtkEventControllerKey *controller)
{
  if ((state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      ch_patients_page_move_selection (self, 1);
      return TRUE;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      ch_patients_page_move_selection (self, -1);
      return TRUE;

    default:
      return FALSE;
    }
}

/* ---- more results ------------------------------------------------------------ */

static void
ch_patients_page_load_more (ChPatientsPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->results == NULL || !ch_patient_list_model_get_has_more (self->results))
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_patients_page_load_more));
      return;
    }

  if (!ch_patient_list_model_load_more (self->results, &error))
    ch_ui_toast (GTK_WIDGET (self), error->message);
}

static gboolean
load_more_idle (gpointer user_data)
{
  ChPatientsPage *self = user_data;

  self->load_more_source = 0;
  ch_patients_page_load_more (self);

  return G_SOURCE_REMOVE;
}

/* Near the end of the list, the next page is fetched: out of the scrolling
 * or the layout that noticed it, since it changes the list. */
static void
on_scrolled (ChPatientsPage *self,
             GtkAdjustment  *adjustment)
{
  double page = gtk_adjustment_get_page_size (adjustment);
  double left = gtk_adjustment_get_upper (adjustment) -
                (gtk_adjustment_get_value (adjustment) + page);

  if (self->results == NULL || !ch_patient_list_model_get_has_more (self->results) ||
      left > page * LOAD_MORE_MARGIN_PAGES || self->load_more_source != 0)
    return;

  self->load_more_source = g_idle_add (load_more_idle, self);
}

/* ---- opening a patient -------------------------------------------------------- */

typedef struct
{
  ChSession       *session;
  gint64           patient_id;
  ChPatientRecord *record;
  GPtrArray       *policies;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *open = data;

  g_clear_object (&open->session);
  g_clear_pointer (&open->record, ch_patient_record_free);
  g_clear_pointer (&open->policies, g_ptr_array_unref);
  g_free (open);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *open = task_data;
  g_autoptr(GError) error = NULL;

  open->record = ch_patients_open (open->session, open->patient_id, &error);
  if (open->record != NULL)
    open->policies = ch_patients_list_policies (open->session, open->patient_id, &error);

  if (open->record == NULL || open->policies == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);
  OpenData *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_patients_page_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  self->last_opened = open->patient_id;
  ch_patient_view_show (self->patient_view, open->record, open->policies);
  ch_ui_stack_show (self->stack, "patient");
  self->focus_pending = TRUE;
  ch_patients_page_set_busy (self, FALSE);
}

/**
 * ch_patients_page_open_patient:
 * @self: a patients page
 * @patient_id: the patient to open
 *
 * Opens the patient (audited, and first among the user's recent patients)
 * and shows them in place of the search. Ignored while the session is busy.
 */
void
ch_patients_page_open_patient (ChPatientsPage *self,
                               gint64          patient_id)
{
  g_autoptr(GTask) task = NULL;
  OpenData *open;

  g_return_if_fail (CH_IS_PATIENTS_PAGE (self));

  if (!ch_patients_page_ready (self) || patient_id <= 0)
    return;

  open = g_new0 (OpenData, 1);
  open->session = g_object_ref (self->session);
  open->patient_id = patient_id;

  ch_patients_page_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, open_done, NULL);
  g_task_set_source_tag (task, ch_patients_page_open_patient);
  g_task_set_task_data (task, open, open_data_free);
  ch_ui_session_run_task (task, open_thread);
}

static void
ch_patients_page_open_position (ChPatientsPage *self,
                                guint           position)
{
  g_autoptr(ChPatientItem) item = NULL;

  if (self->results == NULL)
    return;

  item = g_list_model_get_item (G_LIST_MODEL (self->results), position);
  if (item != NULL)
    ch_patients_page_open_patient (self, ch_patient_item_get_id (item));
}

static void
on_list_activate (ChPatientsPage *self,
                  guint           position)
{
  ch_patients_page_open_position (self, position);
}

/* Enter in the search field opens the selected patient, else the first. */
static void
on_search_activate (ChPatientsPage *self)
{
  guint selected = gtk_single_selection_get_selected (self->selection);

  /* The list may still show an older query. */
  if (self->results != NULL &&
      g_strcmp0 (ch_patient_list_model_get_query (self->results),
                 gtk_editable_get_text (GTK_EDITABLE (self->search_entry))) != 0)
    {
      if (ch_ui_session_is_busy (self->session))
        return;
      ch_patients_page_run_query (self, 0);
      selected = gtk_single_selection_get_selected (self->selection);
    }

  ch_patients_page_open_position (self, selected == GTK_INVALID_LIST_POSITION ? 0 : selected);
}

/* ---- actions ------------------------------------------------------------------ */

static void
ch_patients_page_show_search (ChPatientsPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "search") != 0)
    {
      self->focus_pending = FALSE;
      ch_ui_stack_show (self->stack, "search");
      ch_patient_view_clear (self->patient_view);

      /* The one just opened now heads the recent patients. */
      if (!ch_ui_session_is_busy (self->session))
        ch_patients_page_run_query (self, self->last_opened);
      ch_patients_page_update_actions (self);
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ch_patients_page_show_search (CH_PATIENTS_PAGE (widget));
}

static void
focus_search_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (widget);

  ch_patients_page_show_search (self);
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
on_dialog_saved (ChPatientsPage  *self,
                 gpointer         record_pointer,
                 gboolean         registered,
                 ChPatientDialog *dialog)
{
  const ChPatientRecord *record = record_pointer;

  if (registered)
    {
      ch_ui_toast (GTK_WIDGET (self), _("Patient registered"));
      ch_patients_page_open_patient (self, record->id);
    }
  else
    {
      ch_patient_view_set_record (self->patient_view, record);
      ch_ui_toast (GTK_WIDGET (self), _("Changes saved"));
    }
}

static void
on_dialog_open_existing (ChPatientsPage  *self,
                         gint64           patient_id,
                         ChPatientDialog *dialog)
{
  ch_patients_page_open_patient (self, patient_id);
}

static void
ch_patients_page_present_dialog (ChPatientsPage        *self,
                                 const ChPatientRecord *record)
{
  GtkWidget *dialog;

  dialog = ch_patient_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                  self->session, record);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "open-existing", G_CALLBACK (on_dialog_open_existing), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (widget);

  if (!ch_patients_page_ready (self))
    return;

  ch_patients_page_present_dialog (self, NULL);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (widget);
  const ChPatientRecord *record = ch_patient_view_get_record (self->patient_view);

  if (!ch_patients_page_ready (self) || record == NULL)
    return;

  ch_patients_page_present_dialog (self, record);
}

/* ---- public ----------------------------------------------------------------- */

GtkWidget *
ch_patients_page_new (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_object_new (CH_TYPE_PATIENTS_PAGE,
                       "session", session,
                       NULL);
}

/**
 * ch_patients_page_get_results:
 * @self: a patients page
 *
 * Returns: (transfer none) (nullable): the list shown, of #ChPatientItem;
 *   %NULL when the session may not read demographics
 */
GListModel *
ch_patients_page_get_results (ChPatientsPage *self)
{
  g_return_val_if_fail (CH_IS_PATIENTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->results);
}

/* Returns: (transfer none): the #ChPatientView that shows an opened patient */
GtkWidget *
ch_patients_page_get_patient_view (ChPatientsPage *self)
{
  g_return_val_if_fail (CH_IS_PATIENTS_PAGE (self), NULL);

  return GTK_WIDGET (self->patient_view);
}

/* Returns: "search" or "patient" */
const char *
ch_patients_page_get_visible (ChPatientsPage *self)
{
  g_return_val_if_fail (CH_IS_PATIENTS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* Returns: whether a patient is being opened */
gboolean
ch_patients_page_get_busy (ChPatientsPage *self)
{
  g_return_val_if_fail (CH_IS_PATIENTS_PAGE (self), FALSE);

  return self->busy;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_patients_page_constructed (GObject *object)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (ch_patients_page_parent_class)->constructed (object);

  g_return_if_fail (self->session != NULL);

  ch_patient_view_set_session (self->patient_view, self->session);
  ch_ui_session_watch_busy (self->session, object, G_CALLBACK (ch_patients_page_update_actions));

  /* Built by the main page only while the gate is open. */
  self->results = ch_patient_list_model_new (self->session, &error);
  if (self->results == NULL)
    {
      ch_ui_set_input_sensitive (GTK_WIDGET (self->search_entry), FALSE);
      ch_patients_page_show_error (self, error->message);
    }
  else
    {
      gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->results));
      ch_patients_page_update_results (self);
      ch_patients_page_select_position (self, 0);
    }

  ch_patients_page_update_actions (self);
}

static void
ch_patients_page_map (GtkWidget *widget)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (widget);

  GTK_WIDGET_CLASS (ch_patients_page_parent_class)->map (widget);

  /* Rights may have changed while another area was shown (emergency access). */
  ch_patients_page_update_actions (self);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "search") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
ch_patients_page_dispose (GObject *object)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->load_more_source, g_source_remove);

  /* The bin's child is a template child: taken off the bin first, so that
   * neither lets go of it twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PATIENTS_PAGE);

  g_clear_object (&self->results);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_patients_page_parent_class)->dispose (object);
}

static void
ch_patients_page_finalize (GObject *object)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ch_patients_page_parent_class)->finalize (object);
}

static void
ch_patients_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);

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
ch_patients_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ChPatientsPage *self = CH_PATIENTS_PAGE (object);

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
ch_patients_page_class_init (ChPatientsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_ITEM);
  g_type_ensure (CH_TYPE_PATIENT_VIEW);

  object_class->constructed = ch_patients_page_constructed;
  object_class->dispose = ch_patients_page_dispose;
  object_class->finalize = ch_patients_page_finalize;
  object_class->get_property = ch_patients_page_get_property;
  object_class->set_property = ch_patients_page_set_property;
  widget_class->map = ch_patients_page_map;

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
                                               "/org/charta/Charta/ui/ch-patients-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, search_box);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, new_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, selection);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ChPatientsPage, patient_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_next_match);
  gtk_widget_class_bind_template_callback (widget_class, on_previous_match);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);

  gtk_widget_class_install_action (widget_class, "patients.new", NULL, new_activated);
  gtk_widget_class_install_action (widget_class, "patients.edit", NULL, edit_activated);
  gtk_widget_class_install_action (widget_class, "patients.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "patients.focus-search", NULL,
                                   focus_search_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "patients.edit", NULL);
}

static void
ch_patients_page_init (ChPatientsPage *self)
{
  GtkEventController *keys;

  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Typing anywhere in the search half goes to the search field. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, self->search_box);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_search_key_pressed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  {
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

    g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_scrolled), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_scrolled), self,
                             G_CONNECT_SWAPPED);
  }
}
