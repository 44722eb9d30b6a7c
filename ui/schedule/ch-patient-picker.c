/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-picker"

#include "config.h"

#include "ch-patient-picker.h"
#include "ch-schedule-ui.h"
#include "ch-ui.h"

struct _ChPatientPicker
{
  GtkBox          parent_instance;

  GtkSearchEntry *entry;
  GtkListBox     *results;

  ChSession      *session;
  gint64          patient_id;
  char           *patient_name;
  gboolean        filling;
};

G_DEFINE_FINAL_TYPE (ChPatientPicker, ch_patient_picker, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PATIENT_CHOSEN,
  STOP_SEARCH,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
ch_patient_picker_new (void)
{
  return g_object_new (CH_TYPE_PATIENT_PICKER, NULL);
}

void
ch_patient_picker_set_session (ChPatientPicker *self,
                               ChSession       *session)
{
  g_return_if_fail (CH_IS_PATIENT_PICKER (self));
  g_return_if_fail (session == NULL || CH_IS_SESSION (session));

  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* Returns: (transfer none) (nullable): the session searched */
ChSession *
ch_patient_picker_get_session (ChPatientPicker *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_PICKER (self), NULL);

  return self->session;
}

/* Takes @patient_id as the patient, @name shown in the entry, without
 * searching; "patient-chosen" is not emitted. */
void
ch_patient_picker_set_patient (ChPatientPicker *self,
                               gint64           patient_id,
                               const char      *name)
{
  g_return_if_fail (CH_IS_PATIENT_PICKER (self));

  self->patient_id = patient_id;
  g_free (self->patient_name);
  self->patient_name = g_strdup (name);
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), name ? name : "");
  self->filling = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
}

/* Returns: the patient chosen, or 0 while none is */
gint64
ch_patient_picker_get_patient_id (ChPatientPicker *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_PICKER (self), 0);

  return self->patient_id;
}

/* Returns: (transfer none) (nullable): the name of the patient last chosen */
const char *
ch_patient_picker_get_patient_name (ChPatientPicker *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_PICKER (self), NULL);

  return self->patient_name;
}

/* Returns: (transfer none): the search entry, to focus */
GtkWidget *
ch_patient_picker_get_entry (ChPatientPicker *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_PICKER (self), NULL);

  return GTK_WIDGET (self->entry);
}

/* Returns: (transfer none): the list of matches, hidden while there are none */
GtkWidget *
ch_patient_picker_get_results (ChPatientPicker *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_PICKER (self), NULL);

  return GTK_WIDGET (self->results);
}

static void
on_search_changed (ChPatientPicker *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  gboolean found = FALSE;

  /* The chosen name written back into the entry is no new search. */
  if (self->filling || g_strcmp0 (text, self->patient_name) == 0)
    return;
  self->patient_id = 0;
  if (self->session != NULL)
    found = ch_schedule_ui_search_patients (self->session, text, self->results);
  gtk_widget_set_visible (GTK_WIDGET (self->results), found);
}

static void
on_row_activated (ChPatientPicker *self,
                  GtkListBoxRow   *row)
{
  ch_patient_picker_set_patient (self, ch_schedule_ui_row_patient_id (row),
                                 ch_schedule_ui_row_patient_name (row));
  g_signal_emit (self, signals[PATIENT_CHOSEN], 0);
}

static void
on_stop_search (ChPatientPicker *self)
{
  g_signal_emit (self, signals[STOP_SEARCH], 0);
}

static void
on_entry_activate (ChPatientPicker *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->results, 0);

  if (first != NULL && gtk_widget_get_visible (GTK_WIDGET (self->results)))
    on_row_activated (self, first);
}

static void
ch_patient_picker_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ChPatientPicker *self = CH_PATIENT_PICKER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_patient_picker_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ChPatientPicker *self = CH_PATIENT_PICKER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      ch_patient_picker_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_patient_picker_dispose (GObject *object)
{
  ChPatientPicker *self = CH_PATIENT_PICKER (object);

  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PATIENT_PICKER);

  G_OBJECT_CLASS (ch_patient_picker_parent_class)->dispose (object);
}

static void
ch_patient_picker_finalize (GObject *object)
{
  ChPatientPicker *self = CH_PATIENT_PICKER (object);

  g_free (self->patient_name);

  G_OBJECT_CLASS (ch_patient_picker_parent_class)->finalize (object);
}

static void
ch_patient_picker_class_init (ChPatientPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->get_property = ch_patient_picker_get_property;
  object_class->set_property = ch_patient_picker_set_property;
  object_class->dispose = ch_patient_picker_dispose;
  object_class->finalize = ch_patient_picker_finalize;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CH_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChPatientPicker::patient-chosen:
   *
   * A match was taken, with a click or Enter.
   */
  signals[PATIENT_CHOSEN] = g_signal_new ("patient-chosen", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  /**
   * ChPatientPicker::stop-search:
   *
   * Escape in the search: the dialog closes, as Escape does elsewhere in it.
   */
  signals[STOP_SEARCH] = g_signal_new ("stop-search", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-patient-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPatientPicker, entry);
  gtk_widget_class_bind_template_child (widget_class, ChPatientPicker, results);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
}

static void
ch_patient_picker_init (ChPatientPicker *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
