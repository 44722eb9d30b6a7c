/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-book-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-book-dialog.h"
#include "ch-recall.h"
#include "ch-patient-picker.h"
#include "ch-ui.h"

static const struct { const char *rule; const char *label; } repeats[] = {
  { NULL, N_("Does not repeat") },
  { "FREQ=WEEKLY", N_("Every week") },
  { "FREQ=WEEKLY;INTERVAL=2", N_("Every two weeks") },
  { "FREQ=MONTHLY", N_("Every month") },
};

struct _ChBookDialog
{
  AdwWindow        parent_instance;

  GtkSpinner      *spinner;
  GtkLabel        *error_label;
  GtkWidget       *form;
  ChPatientPicker *patient_picker;
  AdwComboRow     *type_row;
  AdwComboRow     *provider_row;
  AdwComboRow     *room_row;
  GtkWidget       *date_row;
  GtkWidget       *time_row;
  GtkWidget       *duration_row;
  GtkWidget       *reason_row;
  AdwComboRow     *repeat_row;
  GtkWidget       *count_row;
  GtkSwitch       *any_provider_switch;
  AdwComboRow     *part_of_day_row;
  GtkFlowBox      *slot_box;
  GtkLabel        *slot_status;

  ChSession       *session;
  GPtrArray       *providers;   /* (element-type ChResource) */
  GPtrArray       *rooms;
  GPtrArray       *types;       /* (element-type ChApptType) */
  GCancellable    *cancellable;
  gboolean         busy;
  GPtrArray       *slots;       /* (element-type ChSlot): the last found */
  gint64           recall_id;   /* booked for this recall, in the same transaction */
};

/* Parts of the day one may ask for, in local minutes [from, to). */
static const struct { int from_min; int to_min; const char *label; } parts_of_day[] = {
  { 0, 0, N_("Any time") },
  { 0, 12 * 60, N_("Mornings") },
  { 12 * 60, 24 * 60, N_("Afternoons") },
};

G_DEFINE_FINAL_TYPE (ChBookDialog, ch_book_dialog, ADW_TYPE_WINDOW)

enum {
  BOOKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ch_book_dialog_update_actions (ChBookDialog *self)
{
  gboolean idle = !self->busy && self->session && !ch_ui_session_is_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "book.save", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "book.find-slots", idle);
}

static void
ch_book_dialog_set_busy (ChBookDialog *self,
                         gboolean      busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_ui_set_input_sensitive (self->form, !busy);
  ch_book_dialog_update_actions (self);
}

static void
show_error (ChBookDialog *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- the patient --------------------------------------------------------------- */

void
ch_book_dialog_set_patient (ChBookDialog *self,
                            gint64        patient_id,
                            const char   *name)
{
  g_return_if_fail (CH_IS_BOOK_DIALOG (self));

  ch_patient_picker_set_patient (self->patient_picker, patient_id, name);
}

static void
on_type_changed (ChBookDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->type_row);
  g_autofree char *minutes = NULL;

  if (self->types == NULL || selected >= self->types->len)
    return;
  minutes = g_strdup_printf ("%d", ((ChApptType *) self->types->pdata[selected])->duration_min);
  gtk_editable_set_text (GTK_EDITABLE (self->duration_row), minutes);
}

void
ch_book_dialog_set_purpose (ChBookDialog *self,
                            gint64        type_id,
                            const char   *reason)
{
  g_return_if_fail (CH_IS_BOOK_DIALOG (self));

  for (guint i = 0; type_id != 0 && i < self->types->len; i++)
    if (((ChApptType *) self->types->pdata[i])->id == type_id)
      adw_combo_row_set_selected (self->type_row, i);
  on_type_changed (self);
  if (reason != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->reason_row), reason);
}

void
ch_book_dialog_set_recall (ChBookDialog *self,
                           gint64        recall_id)
{
  g_return_if_fail (CH_IS_BOOK_DIALOG (self));
  self->recall_id = recall_id;
}

/* ---- finding a slot ------------------------------------------------------------ */

typedef struct
{
  ChSession   *session;
  ChSlotQuery  query;
  char        *provider_id;
  GPtrArray   *slots;
} Find;

static void
find_free (gpointer data)
{
  Find *find = data;

  g_clear_object (&find->session);
  g_free (find->provider_id);
  g_clear_pointer (&find->slots, g_ptr_array_unref);
  g_free (find);
}

static void
find_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Find *find = task_data;
  GError *error = NULL;

  find->query.provider_id = find->provider_id;
  find->slots = ch_schedule_find_slots (find->session, &find->query, &error);
  if (find->slots == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static const char *
resource_name (GPtrArray  *resources,
               const char *id)
{
  for (guint i = 0; resources != NULL && i < resources->len; i++)
    if (g_strcmp0 (((ChResource *) resources->pdata[i])->id, id) == 0)
      return ((ChResource *) resources->pdata[i])->name;
  return id;
}

static void
select_resource (AdwComboRow *row,
                 GPtrArray   *resources,
                 const char  *id,
                 guint        offset)
{
  for (guint i = 0; i < resources->len; i++)
    if (g_strcmp0 (((ChResource *) resources->pdata[i])->id, id) == 0)
      adw_combo_row_set_selected (row, i + offset);
}

/* Takes a found slot: its provider, room, day, time and length go into the form. */
static void
on_slot_clicked (GtkButton    *button,
                 ChBookDialog *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "slot-index"));
  const ChSlot *slot;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  g_autofree char *minutes = NULL;

  if (self->slots == NULL || index >= self->slots->len)
    return;
  slot = self->slots->pdata[index];
  utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);
  date = g_date_time_format (local, "%Y-%m-%d");
  time = g_date_time_format (local, "%H:%M");
  minutes = g_strdup_printf ("%d", slot->duration_min);
  select_resource (self->provider_row, self->providers, slot->provider_id, 0);
  if (slot->room_id != NULL)
    select_resource (self->room_row, self->rooms, slot->room_id, 1);
  else
    adw_combo_row_set_selected (self->room_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), time);
  gtk_editable_set_text (GTK_EDITABLE (self->duration_row), minutes);
  gtk_widget_grab_focus (self->reason_row);
}

static void
show_slots (ChBookDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->slot_box))) != NULL)
    gtk_flow_box_remove (self->slot_box, child);

  for (guint i = 0; i < self->slots->len; i++)
    {
      const ChSlot *slot = self->slots->pdata[i];
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (slot->start / G_USEC_PER_SEC);
      g_autoptr (GDateTime) local = g_date_time_to_local (utc);
      /* Translators: a free slot on a button: weekday, day, month, time */
      g_autofree char *when = g_date_time_format (local, _("%a %e %b, %H:%M"));
      g_autofree char *label = g_strdup_printf ("%s\n%s", g_strstrip (when),
                                                resource_name (self->providers, slot->provider_id));
      GtkWidget *button = gtk_button_new ();
      GtkWidget *text = gtk_label_new (label);

      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
      gtk_button_set_child (GTK_BUTTON (button), text);
      g_object_set_data (G_OBJECT (button), "slot-index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (on_slot_clicked), self);
      gtk_flow_box_append (self->slot_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->slot_box), self->slots->len > 0);
  gtk_label_set_text (self->slot_status,
                      self->slots->len > 0 ? _("Choose one to fill in the day and time.")
                                           : _("No free slot in the next 90 days. Try any provider or any time of day."));
  gtk_widget_set_visible (GTK_WIDGET (self->slot_status), TRUE);
  if (self->slots->len > 0)
    gtk_widget_grab_focus (gtk_widget_get_first_child (GTK_WIDGET (self->slot_box)));
}

static void
find_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChBookDialog *self = CH_BOOK_DIALOG (object);
  Find *find = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ch_book_dialog_set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  ch_book_dialog_set_busy (self, FALSE);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  self->slots = g_steal_pointer (&find->slots);
  show_slots (self);
}

static void
find_slots_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ChBookDialog *self = CH_BOOK_DIALOG (widget);
  guint type = adw_combo_row_get_selected (self->type_row);
  guint provider = adw_combo_row_get_selected (self->provider_row);
  guint part = adw_combo_row_get_selected (self->part_of_day_row);
  g_autoptr (GTask) task = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  Find *find;

  if (self->busy || ch_ui_session_is_busy (self->session) || type >= self->types->len)
    return;

  show_error (self, NULL);
  find = g_new0 (Find, 1);
  find->session = g_object_ref (self->session);
  find->query.type_id = ((ChApptType *) self->types->pdata[type])->id;
  find->query.patient_id = ch_patient_picker_get_patient_id (self->patient_picker);
  if (!gtk_switch_get_active (self->any_provider_switch) && provider < self->providers->len)
    find->provider_id = g_strdup (((ChResource *) self->providers->pdata[provider])->id);
  if (part < G_N_ELEMENTS (parts_of_day))
    {
      find->query.from_min = parts_of_day[part].from_min;
      find->query.to_min = parts_of_day[part].to_min;
    }
  /* From now on: a slot that has begun is no use to the desk. */
  find->query.from = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  find->query.to = find->query.from + (gint64) 90 * G_TIME_SPAN_DAY;
  find->query.count = 8;

  ch_book_dialog_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, find_done, NULL);
  g_task_set_task_data (task, find, find_free);
  ch_ui_session_run_task (task, find_thread);
}

/* ---- booking ------------------------------------------------------------------- */

typedef struct
{
  ChSession     *session;
  ChAppointment *appointment;
  char          *rrule;
  guint          flags;
  gint64         recall_id;
} Book;

static void
book_free (gpointer data)
{
  Book *book = data;

  g_clear_object (&book->session);
  g_clear_pointer (&book->appointment, ch_appointment_free);
  g_free (book->rrule);
  g_free (book);
}

static void
book_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Book *book = task_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (book->recall_id != 0)
    ok = ch_recall_book_new (book->session, book->recall_id, book->appointment, book->rrule,
                             book->flags, &error) != 0;
  else if (book->rrule != NULL)
    ok = ch_schedule_book_series (book->session, book->appointment, book->rrule, book->flags, NULL,
                                  &error) != 0;
  else
    ok = ch_schedule_book (book->session, book->appointment, book->flags, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void run_book (ChBookDialog *self, Book *book);

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChBookDialog     *self)
{
  Book *book = g_object_steal_data (G_OBJECT (dialog), "book");

  if (g_strcmp0 (response, "book") != 0)
    {
      book_free (book);
      return;
    }
  run_book (self, book);
}

static void
book_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChBookDialog *self = CH_BOOK_DIALOG (object);
  Book *book = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  ch_book_dialog_set_busy (self, FALSE);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_signal_emit (self, signals[BOOKED], 0, book->appointment->id);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Asked, not refused: a time outside working hours, or a double booking the type allows. */
  if (g_error_matches (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS)
      || g_error_matches (error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OVERBOOK))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Book Anyway?"),
                                                  error->message);
      Book *again = g_new0 (Book, 1);

      again->session = g_object_ref (book->session);
      again->appointment = ch_appointment_copy (book->appointment);
      again->appointment->id = 0;
      again->rrule = g_strdup (book->rrule);
      again->flags = book->flags | (g_error_matches (error, CH_SCHEDULE_ERROR,
                                                     CH_SCHEDULE_ERROR_OUTSIDE_HOURS)
                                    ? CH_BOOK_CONFIRM_OUTSIDE_HOURS : CH_BOOK_CONFIRM_OVERBOOK);
      g_object_set_data_full (G_OBJECT (dialog), "book", again, book_free);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                        "book", _("_Book Anyway"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "book",
                                                  ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  show_error (self, error->message);
}

static void
run_book (ChBookDialog *self,
          Book         *book)
{
  g_autoptr (GTask) task = NULL;

  /* Asked and answered while another page's worker had the session. */
  if (ch_ui_session_is_busy (self->session))
    {
      book_free (book);
      show_error (self, _("Charta is busy with another page; book again in a moment."));
      return;
    }
  task = ch_ui_session_task_new (self->session, self, self->cancellable, book_done, NULL);
  g_task_set_task_data (task, book, book_free);
  ch_book_dialog_set_busy (self, TRUE);
  ch_ui_session_run_task (task, book_thread);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChBookDialog *self = CH_BOOK_DIALOG (widget);
  g_autoptr (ChAppointment) a = ch_appointment_new ();
  const char *date = gtk_editable_get_text (GTK_EDITABLE (self->date_row));
  const char *time = gtk_editable_get_text (GTK_EDITABLE (self->time_row));
  guint type = adw_combo_row_get_selected (self->type_row);
  guint provider = adw_combo_row_get_selected (self->provider_row);
  guint room = adw_combo_row_get_selected (self->room_row);
  guint repeat = adw_combo_row_get_selected (self->repeat_row);
  gint64 patient_id = ch_patient_picker_get_patient_id (self->patient_picker);
  int y, mo, d, hh, mm, minutes = 0, count = 0;
  char extra;
  g_autoptr (GDateTime) start = NULL;
  Book *book;

  if (self->busy || ch_ui_session_is_busy (self->session))
    return;
  if (patient_id == 0)
    {
      show_error (self, _("Find and choose the patient."));
      gtk_widget_grab_focus (ch_patient_picker_get_entry (self->patient_picker));
      return;
    }
  if (sscanf (date, "%d-%d-%d%c", &y, &mo, &d, &extra) != 3
      || sscanf (time, "%d:%d%c", &hh, &mm, &extra) != 2
      || (start = g_date_time_new_local (y, mo, d, hh, mm, 0)) == NULL)
    {
      show_error (self, _("Write the day as YYYY-MM-DD and the time as HH:MM."));
      return;
    }
  if (sscanf (gtk_editable_get_text (GTK_EDITABLE (self->duration_row)), "%d%c", &minutes,
              &extra) != 1 || minutes <= 0)
    {
      show_error (self, _("The length is a number of minutes."));
      return;
    }
  if (repeat > 0 && (sscanf (gtk_editable_get_text (GTK_EDITABLE (self->count_row)), "%d%c",
                             &count, &extra) != 1 || count < 2 || count > 100))
    {
      show_error (self, _("A repeating appointment happens 2 to 100 times."));
      return;
    }
  if (type >= self->types->len || provider >= self->providers->len)
    return;

  a->patient_id = patient_id;
  a->provider_id = g_strdup (((ChResource *) self->providers->pdata[provider])->id);
  a->room_id = room > 0 && room <= self->rooms->len
               ? g_strdup (((ChResource *) self->rooms->pdata[room - 1])->id) : NULL;
  a->type_id = ((ChApptType *) self->types->pdata[type])->id;
  a->start_at = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  a->duration_min = minutes;
  a->reason = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row)));

  show_error (self, NULL);
  book = g_new0 (Book, 1);
  book->session = g_object_ref (self->session);
  book->appointment = g_steal_pointer (&a);
  book->recall_id = self->recall_id;
  book->rrule = repeat > 0 && repeat < G_N_ELEMENTS (repeats)
                ? g_strdup_printf ("%s;COUNT=%d", repeats[repeat].rule, count) : NULL;
  run_book (self, book);
}

/* ---- construction -------------------------------------------------------------- */

static GtkStringList *
names_of (GPtrArray  *items,
          gboolean    resources,
          const char *first)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  if (first != NULL)
    gtk_string_list_append (list, first);
  for (guint i = 0; items && i < items->len; i++)
    gtk_string_list_append (list, resources ? ((ChResource *) items->pdata[i])->name
                                            : ((ChApptType *) items->pdata[i])->name);
  return list;
}

GtkWidget *
ch_book_dialog_new (GtkWindow   *parent,
                    ChSession   *session,
                    GPtrArray   *providers,
                    GPtrArray   *rooms,
                    GPtrArray   *types,
                    const char  *provider_id,
                    gint64       start)
{
  ChBookDialog *self;
  g_autoptr (GtkStringList) provider_names = NULL;
  g_autoptr (GtkStringList) room_names = NULL;
  g_autoptr (GtkStringList) type_names = NULL;
  g_autoptr (GtkStringList) repeat_names = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) part_names = gtk_string_list_new (NULL);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (start / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *time = g_date_time_format (local, "%H:%M");

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_BOOK_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  ch_patient_picker_set_session (self->patient_picker, session);
  self->providers = g_ptr_array_ref (providers);
  self->rooms = g_ptr_array_ref (rooms);
  self->types = g_ptr_array_ref (types);

  provider_names = names_of (providers, TRUE, NULL);
  room_names = names_of (rooms, TRUE, _("No room"));
  type_names = names_of (types, FALSE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (repeats); i++)
    gtk_string_list_append (repeat_names, _(repeats[i].label));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (provider_names));
  adw_combo_row_set_model (self->room_row, G_LIST_MODEL (room_names));
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (type_names));
  adw_combo_row_set_model (self->repeat_row, G_LIST_MODEL (repeat_names));
  for (guint i = 0; i < G_N_ELEMENTS (parts_of_day); i++)
    gtk_string_list_append (part_names, _(parts_of_day[i].label));
  adw_combo_row_set_model (self->part_of_day_row, G_LIST_MODEL (part_names));
  for (guint i = 0; i < providers->len; i++)
    if (g_strcmp0 (((ChResource *) providers->pdata[i])->id, provider_id) == 0)
      adw_combo_row_set_selected (self->provider_row, i);
  /* The follow-up is what the desk books most. */
  for (guint i = 0; i < types->len; i++)
    if (g_strcmp0 (((ChApptType *) types->pdata[i])->name, "follow-up") == 0)
      adw_combo_row_set_selected (self->type_row, i);
  on_type_changed (self);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), time);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_book_dialog_update_actions));
  ch_book_dialog_update_actions (self);
  gtk_widget_grab_focus (ch_patient_picker_get_entry (self->patient_picker));
  return GTK_WIDGET (self);
}

gboolean
ch_book_dialog_get_busy (ChBookDialog *self)
{
  g_return_val_if_fail (CH_IS_BOOK_DIALOG (self), FALSE);

  return self->busy;
}

static gboolean
ch_book_dialog_close_request (GtkWindow *window)
{
  if (CH_BOOK_DIALOG (window)->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (ch_book_dialog_parent_class)->close_request (window);
}

static void
ch_book_dialog_dispose (GObject *object)
{
  ChBookDialog *self = CH_BOOK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_BOOK_DIALOG);

  G_OBJECT_CLASS (ch_book_dialog_parent_class)->dispose (object);
}

static void
ch_book_dialog_finalize (GObject *object)
{
  ChBookDialog *self = CH_BOOK_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_book_dialog_parent_class)->finalize (object);
}

static void
ch_book_dialog_class_init (ChBookDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_PATIENT_PICKER);

  object_class->dispose = ch_book_dialog_dispose;
  object_class->finalize = ch_book_dialog_finalize;
  window_class->close_request = ch_book_dialog_close_request;

  /**
   * ChBookDialog::booked:
   * @id: the appointment (the first of a series)
   */
  signals[BOOKED] = g_signal_new ("booked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/charta/Charta/ui/ch-book-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, form);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, patient_picker);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, room_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, duration_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, count_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, any_provider_switch);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, part_of_day_row);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, slot_box);
  gtk_widget_class_bind_template_child (widget_class, ChBookDialog, slot_status);
  /* The picker's signals, connected in the template: a patient taken moves on
   * to the next field, Escape in the search closes the dialog as it does elsewhere. */
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_widget_grab_focus",
                                                G_CALLBACK (gtk_widget_grab_focus));
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_window_close",
                                                G_CALLBACK (gtk_window_close));
  gtk_widget_class_bind_template_callback (widget_class, on_type_changed);

  gtk_widget_class_install_action (widget_class, "book.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "book.find-slots", NULL, find_slots_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "book.find-slots", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "book.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ch_book_dialog_init (ChBookDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
