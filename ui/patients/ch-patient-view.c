/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-account-view.h"
#include "ch-chart-summary-view.h"
#include "ch-documents-list.h"
#include "ch-lab-results-page.h"
#include "ch-notes-list.h"
#include "ch-patient-ui.h"
#include "ch-patient-history.h"
#include "ch-patient-list-model.h"
#include "ch-patient-view.h"
#include "ch-patients.h"
#include "ch-policy-dialog.h"
#include "ch-summary-pdf.h"
#include "ch-ui.h"

/* As wide as the content below: the demographics alone, or the chart. */
#define DEMOGRAPHICS_WIDTH 760
#define CHART_WIDTH        1120

/* One opened patient's demographics and insurance, as the controller
 * returned them. Whoever opened the patient (the patients page) hands the
 * record over; the view changes insurance itself, through the controller.
 * For those who may read the clinical record, the chart and the progress
 * notes come first, on pages of their own that read them themselves. */

struct _ChPatientView
{
  AdwBin               parent_instance;

  GtkWidget           *back_button;
  GtkWidget           *edit_button;
  GtkWidget           *history_button;
  GtkWidget           *print_button;
  GtkWidget           *add_policy_button;
  GtkWidget           *page_switcher;
  AdwClamp            *header_clamp;
  GtkStack            *pages;
  ChChartSummaryView  *chart_view;
  ChNotesList         *notes_list;
  ChDocumentsList     *documents_list;
  ChLabResultsPage    *lab_results_page;
  ChAccountView       *account_view;
  AdwAvatar           *avatar;
  GtkLabel            *name_label;
  GtkLabel            *summary_label;
  GtkScrolledWindow   *scroller;
  AdwPreferencesGroup *contact_group;
  AdwPreferencesGroup *insurance_group;
  AdwPreferencesGroup *emergency_group;
  AdwPreferencesGroup *details_group;
  AdwPreferencesGroup *identifiers_group;

  ChSession           *session;
  ChPatientRecord     *record;
  GPtrArray           *policies;   /* (element-type ChPolicyRecord) */
  GPtrArray           *rows;       /* the rows shown, to take away on change */
  GCancellable        *cancellable;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChPatientView, ch_patient_view, ADW_TYPE_BIN)

static ChPolicyRecord *
policy_copy (const ChPolicyRecord *policy)
{
  ChPolicyRecord *copy = ch_policy_record_new ();

  copy->id = policy->id;
  copy->patient_id = policy->patient_id;
  copy->priority = policy->priority;
  copy->payer = g_strdup (policy->payer);
  copy->plan = g_strdup (policy->plan);
  copy->member_id = g_strdup (policy->member_id);
  copy->group_id = g_strdup (policy->group_id);
  copy->subscriber_name = g_strdup (policy->subscriber_name);
  copy->subscriber_relation = g_strdup (policy->subscriber_relation);
  copy->start_date = g_strdup (policy->start_date);
  copy->end_date = g_strdup (policy->end_date);
  copy->status = g_strdup (policy->status);
  copy->version = policy->version;

  return copy;
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

static ChPolicyRecord *
ch_patient_view_find_policy (ChPatientView *self,
                             gint64         policy_id)
{
  for (guint i = 0; self->policies != NULL && i < self->policies->len; i++)
    {
      ChPolicyRecord *policy = g_ptr_array_index (self->policies, i);

      if (policy->id == policy_id)
        return policy;
    }

  return NULL;
}

gboolean
ch_patient_view_get_busy (ChPatientView *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_VIEW (self), FALSE);

  return self->busy;
}

/**
 * ch_patient_view_update_actions:
 * @self: a patient view
 *
 * Offers the changes the session may make, when nothing else uses it.
 */
void
ch_patient_view_update_actions (ChPatientView *self)
{
  gboolean ready;
  gboolean can_write;

  g_return_if_fail (CH_IS_PATIENT_VIEW (self));

  ready = self->session != NULL && self->record != NULL && !self->busy &&
          !ch_ui_session_is_busy (self->session);
  can_write = ready && ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_WRITE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.history", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.print-summary",
                                 ready && ch_session_can (self->session, CH_AREA_CLINICAL,
                                                          CH_ACCESS_READ));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.add-policy", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.edit-policy", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.policy-entered-in-error", can_write);

  ch_chart_summary_view_update_actions (self->chart_view);
  ch_notes_list_update_actions (self->notes_list);
}

static void
ch_patient_view_set_busy (ChPatientView *self,
                          gboolean       busy)
{
  self->busy = busy;
  ch_patient_view_update_actions (self);
}

/* ---- showing ------------------------------------------------------------------ */

static void
ch_patient_view_remove_rows (ChPatientView *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }

  g_ptr_array_set_size (self->rows, 0);
}

static GtkWidget *
ch_patient_view_add_row (ChPatientView       *self,
                         AdwPreferencesGroup *group,
                         const char          *title,
                         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* The record's own words are shown as they are, never as markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "patient-field");
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);

  return row;
}

/* A row for @value under @title, if there is a value. */
static gboolean
ch_patient_view_add_field (ChPatientView       *self,
                           AdwPreferencesGroup *group,
                           const char          *title,
                           const char          *value)
{
  if (!has_text (value))
    return FALSE;

  ch_patient_view_add_row (self, group, title, value);
  return TRUE;
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

static char *
address_text (const ChPatientRecord *record)
{
  GString *address = g_string_new (NULL);
  g_autoptr(GString) town = g_string_new (NULL);

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

static char *
policy_subtitle (const ChPolicyRecord *policy)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autoptr(GString) rest = g_string_new (NULL);
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
      join_nonempty (rest, " · ", part);
    }
  if (has_text (policy->start_date) || has_text (policy->end_date))
    {
      /* Translators: the dates an insurance policy covers, from – to */
      const char *start = has_text (policy->start_date) ? policy->start_date : "…";
      const char *end = has_text (policy->end_date) ? policy->end_date : "…";
      g_autofree char *part = g_strdup_printf (_("Covered %s – %s"), start, end);
      join_nonempty (rest, " · ", part);
    }

  join_nonempty (text, "\n", ids->str);
  join_nonempty (text, "\n", rest->str);

  return g_string_free (text, FALSE);
}

static GMenuModel *
policy_menu (const ChPolicyRecord *policy)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("_Entered in Error…"), NULL);
  g_menu_item_set_action_and_target_value (item, "patient.policy-entered-in-error",
                                           g_variant_new_int64 (policy->id));
  g_menu_append_item (menu, item);

  return G_MENU_MODEL (menu);
}

static void
ch_patient_view_add_policy_row (ChPatientView        *self,
                                const ChPolicyRecord *policy)
{
  g_autofree char *title = policy_title (policy);
  g_autofree char *subtitle = policy_subtitle (policy);
  g_autoptr(GMenuModel) menu = policy_menu (policy);
  GtkWidget *row = ch_patient_view_add_row (self, self->insurance_group, title, subtitle);
  GtkWidget *edit = gtk_button_new_with_mnemonic (_("_Edit…"));
  GtkWidget *more = gtk_menu_button_new ();

  gtk_widget_remove_css_class (row, "patient-field");
  gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (edit, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "patient.edit-policy");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (edit),
                                          g_variant_new_int64 (policy->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);

  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), menu);
  gtk_widget_set_tooltip_text (more, _("More"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
}

static void
ch_patient_view_fill (ChPatientView *self)
{
  const ChPatientRecord *record = self->record;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  gboolean any;

  ch_patient_view_remove_rows (self);

  if (record == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->summary_label, "");
      ch_patient_ui_set_avatar (self->avatar, NULL);
      return;
    }

  name = ch_patient_record_display_name (record);
  gtk_label_set_text (self->name_label, name);
  ch_patient_ui_set_avatar (self->avatar, record);

  /* Translators: %s is a medical record number */
  g_string_append_printf (summary, _("MRN %s"), record->mrn);
  if (has_text (record->birth_date))
    {
      g_autofree char *age = ch_patient_age_text (record->birth_date, now);

      g_string_append (summary, " · ");
      /* Translators: a date of birth, then the age */
      g_string_append_printf (summary, _("born %s (%s)"), record->birth_date, age);
    }
  if (has_text (record->sex) && g_strcmp0 (record->sex, "unknown") != 0)
    {
      g_string_append (summary, " · ");
      g_string_append (summary, ch_patient_ui_label (CH_PATIENT_UI_SEX, record->sex));
    }
  if (has_text (record->pronouns))
    {
      g_string_append (summary, " · ");
      g_string_append (summary, record->pronouns);
    }
  gtk_label_set_text (self->summary_label, summary->str);

  /* Contact */
  address = address_text (record);
  any = ch_patient_view_add_field (self, self->contact_group, _("Address"), address);
  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (record->phones, i);
      g_autofree char *title = NULL;

      /* Translators: %s is a kind of phone, such as Mobile */
      title = g_strdup_printf (_("Phone (%s)"), ch_patient_ui_label (CH_PATIENT_UI_PHONE_KIND,
                                                                     phone->kind));
      any |= ch_patient_view_add_field (self, self->contact_group, title, phone->number);
    }
  any |= ch_patient_view_add_field (self, self->contact_group, _("E-mail"), record->email);
  adw_preferences_group_set_description (self->contact_group,
                                         any ? NULL : _("No address, phone or e-mail on file."));

  /* Insurance */
  for (guint i = 0; self->policies != NULL && i < self->policies->len; i++)
    ch_patient_view_add_policy_row (self, g_ptr_array_index (self->policies, i));
  adw_preferences_group_set_description (self->insurance_group,
                                         self->policies != NULL && self->policies->len > 0
                                         ? NULL : _("No insurance on file."));

  /* Emergency contact */
  if (has_text (record->emergency_name) && has_text (record->emergency_relation))
    {
      /* Translators: a person's name, then how they are related to the patient */
      g_autofree char *who = g_strdup_printf (_("%s (%s)"), record->emergency_name,
                                              record->emergency_relation);

      any = ch_patient_view_add_field (self, self->emergency_group, _("Name"), who);
    }
  else
    any = ch_patient_view_add_field (self, self->emergency_group, _("Name"),
                                     record->emergency_name);
  any |= ch_patient_view_add_field (self, self->emergency_group, _("Phone"),
                                    record->emergency_phone);
  adw_preferences_group_set_description (self->emergency_group,
                                         any ? NULL : _("None on file."));

  /* Details */
  any = ch_patient_view_add_field (self, self->details_group, _("Gender Identity"),
                                   record->gender_identity);
  any |= ch_patient_view_add_field (self, self->details_group, _("Preferred Language"),
                                    record->language);
  any |= ch_patient_view_add_field (self, self->details_group, _("Primary Provider"),
                                    record->primary_provider);
  gtk_widget_set_visible (GTK_WIDGET (self->details_group), any);

  /* Identifiers */
  ch_patient_view_add_field (self, self->identifiers_group, _("MRN"), record->mrn);
  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = g_ptr_array_index (record->identifiers, i);

      ch_patient_view_add_field (self, self->identifiers_group, identifier->system,
                                 identifier->value);
    }
}

void
ch_patient_view_set_session (ChPatientView *self,
                             ChSession     *session)
{
  g_return_if_fail (CH_IS_PATIENT_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_chart_summary_view_set_session (self->chart_view, session);
  ch_notes_list_set_session (self->notes_list, session);
  ch_documents_list_set_session (self->documents_list, session);
  ch_lab_results_page_set_session (self->lab_results_page, session);
  ch_account_view_set_session (self->account_view, session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_patient_view_update_actions));
  ch_patient_view_update_actions (self);
}

/* The demographics' own commands belong to their page. */
static void
on_page_changed (ChPatientView *self)
{
  gboolean details;

  /* Called while the template is built, before its children are bound. */
  if (self->pages == NULL || self->history_button == NULL || self->edit_button == NULL)
    return;

  details = g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "details") == 0;
  gtk_widget_set_visible (self->history_button, details);
  gtk_widget_set_visible (self->edit_button, details);

  /* The account is read (and its reading audited) when it is looked at. */
  if (self->account_view != NULL && self->record != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "account") == 0 &&
      ch_account_view_get_patient_id (self->account_view) != self->record->id)
    {
      g_autofree char *label = g_strdup_printf ("%s, %s · %s", self->record->family_name,
                                                self->record->given_name, self->record->mrn);

      ch_account_view_load (self->account_view, self->record->id, label);
    }
}

/* The chart and the notes, for those who may read them; the rest see the
 * demographics only, and nothing clinical is read for them. */
static void
ch_patient_view_show_clinical (ChPatientView *self)
{
  gboolean clinical = self->record != NULL && self->session != NULL &&
                      ch_session_can (self->session, CH_AREA_CLINICAL, CH_ACCESS_READ);
  gboolean documents = clinical ||
                       (self->record != NULL && self->session != NULL &&
                        ch_session_can (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ));
  gboolean billing = self->record != NULL && self->session != NULL &&
                     ch_session_can (self->session, CH_AREA_BILLING, CH_ACCESS_READ);

  gtk_stack_page_set_visible (gtk_stack_get_page (self->pages, GTK_WIDGET (self->chart_view)),
                              clinical);
  gtk_stack_page_set_visible (gtk_stack_get_page (self->pages, GTK_WIDGET (self->notes_list)),
                              clinical);
  gtk_stack_page_set_visible (gtk_stack_get_page (self->pages,
                                                  GTK_WIDGET (self->lab_results_page)),
                              clinical);
  /* ID and insurance cards are the front desk's too. */
  gtk_stack_page_set_visible (gtk_stack_get_page (self->pages,
                                                  GTK_WIDGET (self->documents_list)),
                              documents);
  /* The account is for those who may read billing: physicians, the front
   * desk, the office manager. */
  gtk_stack_page_set_visible (gtk_stack_get_page (self->pages, GTK_WIDGET (self->account_view)),
                              billing);
  ch_account_view_clear (self->account_view);
  gtk_widget_set_visible (self->page_switcher, clinical || documents || billing);
  /* The tabs of the account need the chart's width too. */
  adw_clamp_set_maximum_size (self->header_clamp,
                              clinical || billing ? CHART_WIDTH : DEMOGRAPHICS_WIDTH);
  ch_ui_stack_show (self->pages, clinical ? "chart" : "details");
  on_page_changed (self);

  if (clinical)
    {
      ch_chart_summary_view_load (self->chart_view, self->record);
      ch_notes_list_load (self->notes_list, self->record);
      /* Read when the Labs page is first shown, not now. */
      ch_lab_results_page_load (self->lab_results_page, self->record);
    }
  else
    {
      ch_chart_summary_view_clear (self->chart_view);
      ch_notes_list_clear (self->notes_list);
      ch_lab_results_page_clear (self->lab_results_page);
    }

  if (documents)
    ch_documents_list_load (self->documents_list, self->record);
  else
    ch_documents_list_clear (self->documents_list);
}

/**
 * ch_patient_view_show:
 * @self: a patient view
 * @record: the patient, as opened
 * @policies: (element-type ChPolicyRecord): their insurance
 *
 * Shows @record and @policies (both copied), from the top.
 */
void
ch_patient_view_show (ChPatientView         *self,
                      const ChPatientRecord *record,
                      GPtrArray             *policies)
{
  g_return_if_fail (CH_IS_PATIENT_VIEW (self));
  g_return_if_fail (record != NULL);

  g_clear_pointer (&self->record, ch_patient_record_free);
  g_clear_pointer (&self->policies, g_ptr_array_unref);

  self->record = ch_patient_record_copy (record);
  self->policies = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_policy_record_free);
  for (guint i = 0; policies != NULL && i < policies->len; i++)
    g_ptr_array_add (self->policies, policy_copy (g_ptr_array_index (policies, i)));

  ch_patient_view_fill (self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  ch_patient_view_show_clinical (self);
  ch_patient_view_update_actions (self);
}

/* Shows @record (copied), as it is after a change, with the same insurance. */
void
ch_patient_view_set_record (ChPatientView         *self,
                            const ChPatientRecord *record)
{
  g_return_if_fail (CH_IS_PATIENT_VIEW (self));
  g_return_if_fail (record != NULL);

  g_clear_pointer (&self->record, ch_patient_record_free);
  self->record = ch_patient_record_copy (record);
  ch_patient_view_fill (self);
  ch_patient_view_update_actions (self);
}

/* Forgets the patient, so that no record stays in a hidden widget. */
void
ch_patient_view_clear (ChPatientView *self)
{
  g_return_if_fail (CH_IS_PATIENT_VIEW (self));

  g_clear_pointer (&self->record, ch_patient_record_free);
  g_clear_pointer (&self->policies, g_ptr_array_unref);
  ch_patient_view_fill (self);
  ch_patient_view_show_clinical (self);
  ch_patient_view_update_actions (self);
}

/* Returns: (transfer none) (nullable): the patient shown */
const ChPatientRecord *
ch_patient_view_get_record (ChPatientView *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_VIEW (self), NULL);

  return self->record;
}

/* Returns: (transfer none) (nullable) (element-type ChPolicyRecord): the
 * insurance shown */
GPtrArray *
ch_patient_view_get_policies (ChPatientView *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_VIEW (self), NULL);

  return self->policies;
}

void
ch_patient_view_focus (ChPatientView *self)
{
  g_return_if_fail (CH_IS_PATIENT_VIEW (self));

  gtk_widget_grab_focus (self->back_button);
}

/* ---- insurance ----------------------------------------------------------------- */

static void
ch_patient_view_reload_policies (ChPatientView *self)
{
  g_autoptr(GPtrArray) policies = NULL;
  g_autoptr(GError) error = NULL;

  if (self->record == NULL)
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_patient_view_reload_policies));
      return;
    }

  policies = ch_patients_list_policies (self->session, self->record->id, &error);
  if (policies == NULL)
    {
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  g_clear_pointer (&self->policies, g_ptr_array_unref);
  self->policies = g_steal_pointer (&policies);
  ch_patient_view_fill (self);
}

static void
on_policy_saved (ChPatientView  *self,
                 ChPolicyDialog *dialog)
{
  ch_patient_view_reload_policies (self);
  ch_ui_toast (GTK_WIDGET (self), _("Insurance saved"));
}

static void
ch_patient_view_present_policy_dialog (ChPatientView        *self,
                                       const ChPolicyRecord *policy)
{
  GtkWidget *dialog;
  int next_priority = 1;

  for (guint i = 0; self->policies != NULL && i < self->policies->len; i++)
    {
      const ChPolicyRecord *other = g_ptr_array_index (self->policies, i);

      next_priority = MAX (next_priority, other->priority + 1);
    }

  dialog = ch_policy_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 self->session, self->record->id, policy,
                                 MIN (next_priority, 9));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_policy_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_policy_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);

  if (self->record == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_patient_view_present_policy_dialog (self, NULL);
}

static void
edit_policy_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);
  ChPolicyRecord *policy = ch_patient_view_find_policy (self, g_variant_get_int64 (parameter));

  if (policy == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  ch_patient_view_present_policy_dialog (self, policy);
}

typedef struct
{
  ChSession *session;
  gint64     policy_id;
  char      *reason;
} Retraction;

static void
retraction_free (gpointer data)
{
  Retraction *retraction = data;

  g_clear_object (&retraction->session);
  g_free (retraction->reason);
  g_free (retraction);
}

static void
retract_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Retraction *retraction = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_patients_policy_entered_in_error (retraction->session, retraction->policy_id,
                                           retraction->reason, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
retract_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChPatientView *self = CH_PATIENT_VIEW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_patient_view_set_busy (self, FALSE);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  ch_patient_view_set_busy (self, FALSE);
  ch_patient_view_reload_policies (self);
  ch_ui_toast (GTK_WIDGET (self), _("Policy marked as entered in error"));
}

static void
on_retract_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChPatientView    *self)
{
  g_autoptr(GTask) task = NULL;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *reason = ch_patient_ui_dup_text (entry);
  Retraction *retraction;

  if (g_strcmp0 (response, "retract") != 0 || reason == NULL || self->busy ||
      ch_ui_session_is_busy (self->session))
    return;

  retraction = g_new0 (Retraction, 1);
  retraction->session = g_object_ref (self->session);
  retraction->policy_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "policy-id");
  retraction->reason = g_steal_pointer (&reason);

  ch_patient_view_set_busy (self, TRUE);

  task = ch_ui_session_task_new (self->session, self, self->cancellable, retract_done, NULL);
  g_task_set_source_tag (task, on_retract_response);
  g_task_set_task_data (task, retraction, retraction_free);
  ch_ui_session_run_task (task, retract_thread);
}

static void
on_reason_changed (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = ch_patient_ui_dup_text (entry);

  adw_message_dialog_set_response_enabled (dialog, "retract", reason != NULL);
}

static void
on_reason_activate (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "retract"))
    {
      adw_message_dialog_response (dialog, "retract");
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
entered_in_error_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);
  ChPolicyRecord *policy = ch_patient_view_find_policy (self, g_variant_get_int64 (parameter));
  g_autofree char *title = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (policy == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  title = policy_title (policy);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Mark as Entered in Error?"), NULL);
  /* Translators: %s names an insurance policy, like "Primary · Acme — Gold" */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” leaves the patient's insurance. It is kept, with "
                                    "your reason, in the record's history."),
                                  title);

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "retract", _("_Mark Entered in Error"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "retract",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "retract", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "policy-id",
                          g_memdup2 (&policy->id, sizeof policy->id), g_free);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_reason_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_reason_activate), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_retract_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
history_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);
  GtkWidget *window;

  if (self->record == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  window = ch_patient_history_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session,
                                   self->record);
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- the summary print-out ----------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  char      *path;
} Printing;

static void
printing_free (Printing *printing)
{
  g_clear_object (&printing->session);
  g_free (printing->path);
  g_free (printing);
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Printing *printing = task_data;
  g_autoptr(GError) error = NULL;

  if (ch_summary_pdf_write (printing->session, printing->patient_id, printing->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
print_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChPatientView *self = CH_PATIENT_VIEW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ch_patient_view_set_busy (self, FALSE);
  ch_ui_toast (GTK_WIDGET (self), error ? error->message : _("Summary saved as PDF"));
}

/**
 * ch_patient_view_print_summary_to:
 * @path: the PDF file to write
 *
 * Writes the patient's summary print-out (a worker; audited as a print).
 */
void
ch_patient_view_print_summary_to (ChPatientView *self,
                                  const char    *path)
{
  g_autoptr(GTask) task = NULL;
  Printing *printing;

  g_return_if_fail (CH_IS_PATIENT_VIEW (self));
  g_return_if_fail (path != NULL);

  if (self->record == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  printing = g_new0 (Printing, 1);
  printing->session = g_object_ref (self->session);
  printing->patient_id = self->record->id;
  printing->path = g_strdup (path);

  ch_patient_view_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, print_done, NULL);
  g_task_set_source_tag (task, ch_patient_view_print_summary_to);
  g_task_set_task_data (task, printing, (GDestroyNotify) printing_free);
  ch_ui_session_run_task (task, print_thread);
}

static void
on_print_chooser_response (GtkNativeDialog *chooser,
                           int              response,
                           ChPatientView   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ch_patient_view_print_summary_to (self, path);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
print_summary_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->record == NULL || self->busy || ch_ui_session_is_busy (self->session))
    return;

  chooser = gtk_file_chooser_native_new (_("Save the Patient Summary"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  /* TRANSLATORS: the suggested file name of a patient's summary print-out */
  name = g_strdup_printf (_("summary-%s.pdf"), self->record->mrn);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_print_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Ctrl+Shift+N and Ctrl+Shift+V, from anywhere in the window while the
 * patient is shown (the focus may be nowhere after the chart is rebuilt). */
static gboolean
new_note_shortcut (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);

  if (!gtk_widget_get_visible (self->page_switcher))
    return FALSE;

  ch_ui_stack_show (self->pages, "notes");
  return gtk_widget_activate_action (GTK_WIDGET (self->notes_list), "notes.new", NULL);
}

static gboolean
record_vitals_shortcut (GtkWidget *widget,
                        GVariant  *args,
                        gpointer   user_data)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);

  if (!gtk_widget_get_visible (self->page_switcher))
    return FALSE;

  ch_ui_stack_show (self->pages, "chart");
  return gtk_widget_activate_action (GTK_WIDGET (self->chart_view), "chart.record-vitals", NULL);
}

static gboolean
import_documents_shortcut (GtkWidget *widget,
                           GVariant  *args,
                           gpointer   user_data)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);
  GtkStackPage *page = gtk_stack_get_page (self->pages, GTK_WIDGET (self->documents_list));

  if (!gtk_stack_page_get_visible (page))
    return FALSE;

  ch_ui_stack_show (self->pages, "documents");
  return gtk_widget_activate_action (GTK_WIDGET (self->documents_list), "documents.import", NULL);
}

/* The chart summary's lab results and critical lab alert lead here. */
static void
show_labs_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ChPatientView *self = CH_PATIENT_VIEW (widget);

  if (gtk_stack_page_get_visible (gtk_stack_get_page (self->pages,
                                                      GTK_WIDGET (self->lab_results_page))))
    ch_ui_stack_show (self->pages, "labs");
}

static void
add_shortcut (GtkEventController *controller,
              guint               keyval,
              GtkShortcutFunc     func)
{
  GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keyval,
                                                        GDK_CONTROL_MASK | GDK_SHIFT_MASK);

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (trigger,
                                                          gtk_callback_action_new (func, NULL,
                                                                                   NULL)));
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ch_patient_view_dispose (GObject *object)
{
  ChPatientView *self = CH_PATIENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_PATIENT_VIEW);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_patient_view_parent_class)->dispose (object);
}

static void
ch_patient_view_finalize (GObject *object)
{
  ChPatientView *self = CH_PATIENT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->record, ch_patient_record_free);
  g_clear_pointer (&self->policies, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_patient_view_parent_class)->finalize (object);
}

static void
ch_patient_view_class_init (ChPatientViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();
  g_type_ensure (CH_TYPE_CHART_SUMMARY_VIEW);
  g_type_ensure (CH_TYPE_NOTES_LIST);
  g_type_ensure (CH_TYPE_DOCUMENTS_LIST);
  g_type_ensure (CH_TYPE_LAB_RESULTS_PAGE);
  g_type_ensure (CH_TYPE_ACCOUNT_VIEW);

  object_class->dispose = ch_patient_view_dispose;
  object_class->finalize = ch_patient_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-patient-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, back_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, history_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, print_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, page_switcher);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, header_clamp);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, pages);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, chart_view);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, notes_list);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, documents_list);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, lab_results_page);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, account_view);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, add_policy_button);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, avatar);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, name_label);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, contact_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, insurance_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, emergency_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, details_group);
  gtk_widget_class_bind_template_child (widget_class, ChPatientView, identifiers_group);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);

  gtk_widget_class_install_action (widget_class, "patient.history", NULL, history_activated);
  gtk_widget_class_install_action (widget_class, "patient.show-labs", NULL, show_labs_activated);
  gtk_widget_class_install_action (widget_class, "patient.print-summary", NULL,
                                   print_summary_activated);
  gtk_widget_class_install_action (widget_class, "patient.add-policy", NULL,
                                   add_policy_activated);
  gtk_widget_class_install_action (widget_class, "patient.edit-policy", "x",
                                   edit_policy_activated);
  gtk_widget_class_install_action (widget_class, "patient.policy-entered-in-error", "x",
                                   entered_in_error_activated);

}

static void
ch_patient_view_init (ChPatientView *self)
{
  GtkEventController *shortcuts;

  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  add_shortcut (shortcuts, GDK_KEY_n, new_note_shortcut);
  add_shortcut (shortcuts, GDK_KEY_v, record_vitals_shortcut);
  /* Ctrl+O: importing is opening files into the chart. (Ctrl+Shift+D and
   * Ctrl+Shift+I are GTK's own, for its inspector.) */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_o,
                                                                                  GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (
                                                            import_documents_shortcut, NULL,
                                                            NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  ch_patient_view_update_actions (self);
}
