/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-check-in-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-check-in-dialog.h"
#include "ch-patient-list-model.h"
#include "ch-patient-ui.h"
#include "ch-ui.h"

/* Checking a patient in starts with the desk reading back what is on file:
 * date of birth, address, phones and insurance, so that a wrong number or
 * a lapsed policy is caught while the patient is at the counter. The
 * dialog only asks; the board checks in on its "check-in" response. */

struct _ChCheckInDialog
{
  AdwMessageDialog     parent_instance;

  AdwPreferencesGroup *contact_group;
  AdwActionRow        *birth_row;
  AdwPreferencesGroup *insurance_group;

  gint64               appointment_id;
};

G_DEFINE_FINAL_TYPE (ChCheckInDialog, ch_check_in_dialog, ADW_TYPE_MESSAGE_DIALOG)

static gboolean
has_text (const char *text)
{
  return text != NULL && text[0] != '\0';
}

static void
join_nonempty (GString    *string,
               const char *separator,
               const char *part)
{
  if (!has_text (part))
    return;
  if (string->len > 0)
    g_string_append (string, separator);
  g_string_append (string, part);
}

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), has_text (value) ? value : _("Not on file"));
  adw_preferences_group_add (group, row);
  return row;
}

static char *
address_text (const ChPatientRecord *record)
{
  GString *address = g_string_new (NULL);
  g_autoptr (GString) town = g_string_new (NULL);

  join_nonempty (address, "\n", record->address_line);
  join_nonempty (town, "", record->city);
  join_nonempty (town, ", ", record->region);
  join_nonempty (town, " ", record->postal_code);
  join_nonempty (address, "\n", town->str);
  join_nonempty (address, "\n", record->country);
  return g_string_free (address, FALSE);
}

static const char *
priority_label (int priority)
{
  switch (priority)
    {
    case 1:
      return _("Primary");
    case 2:
      return _("Secondary");
    case 3:
      return _("Tertiary");
    default:
      return NULL;
    }
}

static char *
policy_title (const ChPolicyRecord *policy)
{
  const char *priority = priority_label (policy->priority);
  g_autofree char *fallback = NULL;

  if (priority == NULL)
    /* Translators: the rank of an insurance policy past the third */
    priority = fallback = g_strdup_printf (_("Priority %d"), policy->priority);
  if (has_text (policy->plan))
    /* Translators: priority, payer and plan of an insurance policy */
    return g_strdup_printf (_("%s · %s — %s"), priority, policy->payer, policy->plan);
  /* Translators: priority and payer of an insurance policy */
  return g_strdup_printf (_("%s · %s"), priority, policy->payer);
}

/* Whether @policy has ended by @today (YYYY-MM-DD): the desk asks for the new card. */
static gboolean
policy_ended (const ChPolicyRecord *policy,
              const char           *today)
{
  return has_text (policy->end_date) && g_strcmp0 (policy->end_date, today) < 0;
}

static char *
policy_subtitle (const ChPolicyRecord *policy,
                 const char           *today)
{
  g_autoptr (GString) ids = g_string_new (NULL);
  g_autoptr (GString) rest = g_string_new (NULL);
  GString *text = g_string_new (NULL);

  if (has_text (policy->member_id))
    {
      /* Translators: %s is an insurance member id */
      g_autofree char *part = g_strdup_printf (_("Member %s"), policy->member_id);
      join_nonempty (ids, " · ", part);
    }
  if (has_text (policy->group_id))
    {
      /* Translators: %s is an insurance group id */
      g_autofree char *part = g_strdup_printf (_("Group %s"), policy->group_id);
      join_nonempty (ids, " · ", part);
    }
  if (has_text (policy->subscriber_name))
    {
      /* Translators: the subscriber of a policy and their relation to the patient */
      g_autofree char *part = g_strdup_printf (_("Subscriber %s (%s)"), policy->subscriber_name,
                                               ch_patient_ui_label (CH_PATIENT_UI_RELATION,
                                                                    policy->subscriber_relation));
      join_nonempty (rest, "\n", part);
    }
  if (has_text (policy->start_date) || has_text (policy->end_date))
    {
      /* Translators: the dates an insurance policy covers, from – to */
      const char *start = has_text (policy->start_date) ? policy->start_date : "…";
      const char *end = has_text (policy->end_date) ? policy->end_date : "…";
      g_autofree char *part = g_strdup_printf (_("Covered %s – %s"), start, end);
      join_nonempty (rest, "\n", part);
    }
  if (policy_ended (policy, today))
    join_nonempty (rest, " · ", _("ended: ask for the current card"));

  join_nonempty (text, "\n", ids->str);
  join_nonempty (text, "\n", rest->str);
  return g_string_free (text, FALSE);
}

static void
ch_check_in_dialog_fill (ChCheckInDialog       *self,
                         const ChAppointment   *appointment,
                         const ChPatientRecord *patient,
                         GPtrArray             *policies)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (appointment->start_at
                                                             / G_USEC_PER_SEC);
  g_autoptr (GDateTime) start = g_date_time_to_local (utc);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *time = g_date_time_format (start, "%H:%M");
  g_autofree char *name = ch_patient_record_display_name (patient);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *address = address_text (patient);
  guint shown = 0;

  /* TRANSLATORS: the question before checking a patient in: "Check In García, Ana?" */
  heading = g_strdup_printf (_("Check In %s?"), name);
  /* TRANSLATORS: "MRN 00000012 · 09:30 follow-up with Dr. Ana García. Confirm …" */
  body = g_strdup_printf (_("MRN %s · %s %s with %s. Confirm these details with the patient."),
                          patient->mrn, time, appointment->type_name ? appointment->type_name : "",
                          appointment->provider_name ? appointment->provider_name : "");
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  if (has_text (patient->birth_date))
    {
      g_autofree char *age = ch_patient_age_text (patient->birth_date, now);
      /* Translators: a date of birth, then the age */
      g_autofree char *born = g_strdup_printf (_("%s (%s)"), patient->birth_date, age);

      adw_action_row_set_subtitle (self->birth_row, born);
    }
  else
    adw_action_row_set_subtitle (self->birth_row, _("Not on file"));

  add_row (self->contact_group, _("Address"), address);
  for (guint i = 0; patient->phones != NULL && i < patient->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (patient->phones, i);
      /* Translators: %s is a kind of phone, such as Mobile */
      g_autofree char *title = g_strdup_printf (_("Phone (%s)"),
                                                ch_patient_ui_label (CH_PATIENT_UI_PHONE_KIND,
                                                                     phone->kind));

      add_row (self->contact_group, title, phone->number);
    }
  if (patient->phones == NULL || patient->phones->len == 0)
    add_row (self->contact_group, _("Phone"), NULL);

  for (guint i = 0; policies != NULL && i < policies->len; i++)
    {
      const ChPolicyRecord *policy = g_ptr_array_index (policies, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (g_strcmp0 (policy->status, "active") != 0)
        continue;
      title = policy_title (policy);
      subtitle = policy_subtitle (policy, today);
      row = add_row (self->insurance_group, title, subtitle);
      if (policy_ended (policy, today))
        gtk_widget_add_css_class (row, "warning");
      shown++;
    }
  adw_preferences_group_set_description (self->insurance_group,
                                         shown > 0 ? NULL : _("No insurance on file."));
}

/**
 * ch_check_in_dialog_new:
 * @parent: (nullable): the window to stay on top of
 * @appointment: the appointment to check in
 * @patient: its patient, as read just now
 * @policies: (element-type ChPolicyRecord) (nullable): the patient's policies
 *
 * Returns: (transfer none): a new dialog, not yet shown; it answers
 * "check-in" or "cancel"
 */
GtkWidget *
ch_check_in_dialog_new (GtkWindow             *parent,
                        const ChAppointment   *appointment,
                        const ChPatientRecord *patient,
                        GPtrArray             *policies)
{
  ChCheckInDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (appointment != NULL, NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CH_TYPE_CHECK_IN_DIALOG, "transient-for", parent, NULL);
  self->appointment_id = appointment->id;
  ch_check_in_dialog_fill (self, appointment, patient, policies);
  return GTK_WIDGET (self);
}

gint64
ch_check_in_dialog_get_appointment_id (ChCheckInDialog *self)
{
  g_return_val_if_fail (CH_IS_CHECK_IN_DIALOG (self), 0);

  return self->appointment_id;
}

static void
ch_check_in_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CH_TYPE_CHECK_IN_DIALOG);

  G_OBJECT_CLASS (ch_check_in_dialog_parent_class)->dispose (object);
}

static void
ch_check_in_dialog_class_init (ChCheckInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_check_in_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-check-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChCheckInDialog, contact_group);
  gtk_widget_class_bind_template_child (widget_class, ChCheckInDialog, birth_row);
  gtk_widget_class_bind_template_child (widget_class, ChCheckInDialog, insurance_group);
}

static void
ch_check_in_dialog_init (ChCheckInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
