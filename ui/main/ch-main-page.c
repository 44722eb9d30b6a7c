/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-main-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-audit-page.h"
#include "ch-main-page.h"
#include "ch-patients-page.h"
#include "ch-refills-page.h"
#include "ch-roles.h"
#include "ch-board-view.h"
#include "ch-backup.h"
#include "ch-backup-page.h"
#include "ch-billing-page.h"
#include "ch-dicom-receiver.h"
#include "ch-imaging-inbox-page.h"
#include "ch-lab-listener.h"
#include "ch-lab-queue-page.h"
#include "ch-lists-page.h"
#include "ch-reports-page.h"
#include "ch-schedule-page.h"
#include "ch-ui.h"
#include "ch-users-page.h"

/* The signed-in window: the areas the session's role may use in a sidebar,
 * one at a time on the right. The window destroys this page when the
 * session locks, so nothing it showed outlives the lock.
 *
 * While a worker uses the session (ch-ui.c, the session's gate), the whole
 * page but its header is insensitive and no area can be opened: whatever
 * the user could reach would read the store at the same time. */

typedef struct
{
  const char *name;
  ChArea      area;
  gboolean    admin;
  gboolean    own_role;   /* the role's own access, not emergency access, opens it */
} Section;

static const Section sections[] = {
  { "patients", CH_AREA_DEMOGRAPHICS, FALSE },
  /* A queue of many patients: emergency access is for the one in front of you. */
  { "refills", CH_AREA_PRESCRIBING, FALSE, TRUE },
  { "schedule", CH_AREA_SCHEDULING, FALSE },
  { "today", CH_AREA_SCHEDULING, FALSE },
  { "lists", CH_AREA_SCHEDULING, FALSE },
  { "billing", CH_AREA_BILLING, FALSE },
  { "reports", CH_AREA_REPORTS, FALSE },
  { "users", CH_AREA_USERS, TRUE },
  { "audit", CH_AREA_AUDIT, TRUE },
  /* Listed after the waitlist; last here for its shortcut, Alt+0. Studies of
   * patients not yet known: the role's own clinical access opens it. */
  { "imaging", CH_AREA_CLINICAL, FALSE, TRUE },
  /* Listed after the Imaging Inbox, for the same people; Alt+L. */
  { "labs", CH_AREA_CLINICAL, FALSE, TRUE },
  /* Listed with the administration; no Alt+number left for it. */
  { "backups", CH_AREA_BACKUP, TRUE },
};

struct _ChMainPage
{
  AdwBin          parent_instance;

  AdwWindowTitle *window_title;
  GtkMenuButton  *user_button;
  GtkLabel       *user_name_label;
  GtkLabel       *user_role_label;
  GtkLabel       *user_break_glass_label;
  GtkLabel       *break_glass_label;
  GtkSpinner     *gate_spinner;
  GtkWidget      *body;
  GtkListBox     *nav_list;
  GtkStack       *content_stack;
  AdwBin         *patients_bin;
  AdwBin         *refills_bin;
  AdwBin         *schedule_bin;
  AdwBin         *today_bin;
  AdwBin         *lists_bin;
  AdwBin         *imaging_bin;
  AdwBin         *labs_bin;
  AdwBin         *billing_bin;
  AdwBin         *reports_bin;
  AdwBin         *backups_bin;
  GtkRevealer    *backup_banner;
  GtkLabel       *backup_banner_label;
  AdwBin         *users_bin;
  AdwBin         *audit_bin;

  ChSession      *session;
  guint           break_glass_source;
  GtkWidget      *gate_focus;  /* weak; had the focus when the gate closed */

  ChDicomReceiver *receiver;   /* (nullable): while images may be received */
  char           *receiver_error;
  guint           received;    /* since the last word of it */
  guint           queued;
  guint           received_source;

  ChLabListener  *lab_listener;  /* (nullable): while lab results may be received */
  char           *lab_listener_error;
};

G_DEFINE_FINAL_TYPE (ChMainPage, ch_main_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const Section *
find_section (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_strcmp0 (sections[i].name, name) == 0)
      return &sections[i];

  return NULL;
}

static GtkListBoxRow *
find_row (ChMainPage *self,
          const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->nav_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static AdwBin *
section_bin (ChMainPage *self,
             const char *name)
{
  if (g_strcmp0 (name, "patients") == 0)
    return self->patients_bin;
  if (g_strcmp0 (name, "refills") == 0)
    return self->refills_bin;
  if (g_strcmp0 (name, "schedule") == 0)
    return self->schedule_bin;
  if (g_strcmp0 (name, "today") == 0)
    return self->today_bin;
  if (g_strcmp0 (name, "lists") == 0)
    return self->lists_bin;
  if (g_strcmp0 (name, "imaging") == 0)
    return self->imaging_bin;
  if (g_strcmp0 (name, "labs") == 0)
    return self->labs_bin;
  if (g_strcmp0 (name, "billing") == 0)
    return self->billing_bin;
  if (g_strcmp0 (name, "reports") == 0)
    return self->reports_bin;
  if (g_strcmp0 (name, "backups") == 0)
    return self->backups_bin;
  if (g_strcmp0 (name, "users") == 0)
    return self->users_bin;
  if (g_strcmp0 (name, "audit") == 0)
    return self->audit_bin;
  return NULL;
}

/* The patients, users and audit pages read from the database, so they are
 * built when first shown and only for a role that may see them. */
static void
ensure_section_widget (ChMainPage *self,
                       const char *name)
{
  AdwBin *bin = section_bin (self, name);

  if (bin == NULL)
    return;
  /* The queue changes while one looks elsewhere: read again on each visit. */
  if (adw_bin_get_child (bin) != NULL)
    {
      if (CH_IS_REFILLS_PAGE (adw_bin_get_child (bin)))
        ch_refills_page_reload (CH_REFILLS_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_SCHEDULE_PAGE (adw_bin_get_child (bin)))
        ch_schedule_page_reload (CH_SCHEDULE_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_BOARD_VIEW (adw_bin_get_child (bin)))
        ch_board_view_reload (CH_BOARD_VIEW (adw_bin_get_child (bin)));
      else if (CH_IS_LISTS_PAGE (adw_bin_get_child (bin)))
        ch_lists_page_reload (CH_LISTS_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_BACKUP_PAGE (adw_bin_get_child (bin)))
        ch_backup_page_reload (CH_BACKUP_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_IMAGING_INBOX_PAGE (adw_bin_get_child (bin)))
        ch_imaging_inbox_page_reload (CH_IMAGING_INBOX_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_LAB_QUEUE_PAGE (adw_bin_get_child (bin)))
        ch_lab_queue_page_reload (CH_LAB_QUEUE_PAGE (adw_bin_get_child (bin)));
      else if (CH_IS_BILLING_PAGE (adw_bin_get_child (bin)))
        ch_billing_page_reload (CH_BILLING_PAGE (adw_bin_get_child (bin)));
      return;
    }

  if (g_strcmp0 (name, "patients") == 0)
    adw_bin_set_child (bin, ch_patients_page_new (self->session));
  else if (g_strcmp0 (name, "refills") == 0)
    adw_bin_set_child (bin, ch_refills_page_new (self->session));
  else if (g_strcmp0 (name, "schedule") == 0)
    adw_bin_set_child (bin, ch_schedule_page_new (self->session));
  else if (g_strcmp0 (name, "today") == 0)
    adw_bin_set_child (bin, ch_board_view_new (self->session));
  else if (g_strcmp0 (name, "lists") == 0)
    adw_bin_set_child (bin, ch_lists_page_new (self->session));
  else if (g_strcmp0 (name, "imaging") == 0)
    adw_bin_set_child (bin, ch_imaging_inbox_page_new (self->session));
  else if (g_strcmp0 (name, "labs") == 0)
    adw_bin_set_child (bin, ch_lab_queue_page_new (self->session));
  else if (g_strcmp0 (name, "backups") == 0)
    adw_bin_set_child (bin, ch_backup_page_new (self->session));
  else if (g_strcmp0 (name, "users") == 0)
    adw_bin_set_child (bin, ch_users_page_new (self->session));
  else if (g_strcmp0 (name, "audit") == 0)
    adw_bin_set_child (bin, ch_audit_page_new (self->session));
  else if (g_strcmp0 (name, "reports") == 0)
    adw_bin_set_child (bin, ch_reports_page_new (self->session));
  else if (g_strcmp0 (name, "billing") == 0)
    adw_bin_set_child (bin, ch_billing_page_new (self->session));
}

static void
ch_main_page_show_selected (ChMainPage *self)
{
  const char *name;
  GtkStackPage *page;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->nav_list);

  if (row == NULL)
    return;

  /* Building a section reads the store. */
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_main_page_show_selected));
      return;
    }

  name = gtk_widget_get_name (GTK_WIDGET (row));
  ensure_section_widget (self, name);
  ch_ui_stack_show (self->content_stack, name);
  /* The Backups page says it itself. */
  gtk_widget_set_visible (GTK_WIDGET (self->backup_banner), g_strcmp0 (name, "backups") != 0);

  page = gtk_stack_get_page (self->content_stack,
                             gtk_stack_get_visible_child (self->content_stack));
  adw_window_title_set_subtitle (self->window_title, gtk_stack_page_get_title (page));
}

static void
on_nav_row_selected (ChMainPage    *self,
                     GtkListBoxRow *row)
{
  if (row != NULL)
    ch_main_page_show_selected (self);
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  const Section *section = find_section (gtk_widget_get_name (GTK_WIDGET (row)));
  const Section *previous = NULL;
  GtkWidget *header;

  if (before != NULL)
    previous = find_section (gtk_widget_get_name (GTK_WIDGET (before)));

  if (section == NULL || !section->admin || (previous != NULL && previous->admin))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  if (gtk_list_box_row_get_header (row) != NULL)
    return;

  header = gtk_label_new (_("Administration"));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_set_margin_top (header, before != NULL ? 18 : 6);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_widget_set_margin_start (header, 12);
  gtk_list_box_row_set_header (row, header);
}

static gboolean
break_glass_expired (gpointer user_data)
{
  ChMainPage *self = user_data;

  self->break_glass_source = 0;
  ch_main_page_refresh (self);

  return G_SOURCE_REMOVE;
}

static void
ch_main_page_update_break_glass (ChMainPage *self)
{
  gboolean active = ch_session_get_break_glass (self->session);

  g_clear_handle_id (&self->break_glass_source, g_source_remove);

  if (active)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) until = ch_session_get_break_glass_until (self->session);
      g_autofree char *time = NULL;
      g_autofree char *text = NULL;
      GTimeSpan left;

      if (until == NULL)
        return;

      time = g_date_time_format (until, "%H:%M");
      /* Translators: %s is a time of day, like 14:30 */
      text = g_strdup_printf (_("Emergency access until %s"), time);
      gtk_label_set_text (self->break_glass_label, text);
      gtk_label_set_text (self->user_break_glass_label, text);

      /* Narrow the navigation again as soon as the access ends. */
      left = g_date_time_difference (until, now);
      self->break_glass_source =
        g_timeout_add_seconds ((guint) (MAX (left, 0) / G_USEC_PER_SEC) + 1,
                               break_glass_expired, self);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->break_glass_label), active);
  gtk_widget_set_visible (GTK_WIDGET (self->user_break_glass_label), active);
}

static void
ch_main_page_update_user (ChMainPage *self)
{
  const char *username = ch_session_get_username (self->session);
  const char *display_name = ch_session_get_display_name (self->session);
  const char *role = ch_role_get_label (ch_session_get_role (self->session));
  g_autofree char *practice_name = ch_session_get_practice_name (self->session);
  g_autofree char *role_text = NULL;
  g_autofree char *tooltip = NULL;

  if (display_name == NULL || *display_name == '\0')
    display_name = username;

  adw_window_title_set_title (self->window_title, practice_name != NULL ? practice_name : "");
  gtk_label_set_text (self->user_name_label, display_name);
  /* Translators: the first %s is a user name, the second a role such as Nurse */
  role_text = g_strdup_printf (_("%s · %s"), username, role);
  gtk_label_set_text (self->user_role_label, role_text);

  /* Translators: %s is a person's name */
  tooltip = g_strdup_printf (_("Signed in as %s"), display_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->user_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->user_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
}

static void
ch_main_page_update_gate (ChMainPage *self)
{
  gboolean busy = ch_ui_session_is_busy (self->session);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (busy)
    {
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        g_set_weak_pointer (&self->gate_focus, focus);
      gtk_menu_button_popdown (self->user_button);
    }

  ch_ui_set_input_sensitive (self->body, !busy);
  ch_ui_set_input_sensitive (GTK_WIDGET (self->user_button), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "main.show-section", !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->gate_spinner), busy);
  gtk_spinner_set_spinning (self->gate_spinner, busy);

  /* Give the focus back to where it was, if nothing took it meanwhile. */
  if (!busy && self->gate_focus != NULL)
    {
      if (root != NULL && gtk_root_get_focus (root) == NULL &&
          gtk_widget_is_sensitive (self->gate_focus) && gtk_widget_get_mapped (self->gate_focus))
        gtk_widget_grab_focus (self->gate_focus);
      g_clear_weak_pointer (&self->gate_focus);
    }
}

/**
 * ch_main_page_refresh:
 * @self: a main page
 *
 * Reads the session's role, emergency access and practice name again and
 * shows exactly the areas the session may now use. While a worker uses the
 * session, that happens once it has returned.
 */
void
ch_main_page_refresh (ChMainPage *self)
{
  GtkListBoxRow *selected;
  GtkListBoxRow *first_visible = NULL;

  g_return_if_fail (CH_IS_MAIN_PAGE (self));

  if (ch_session_get_locked (self->session))
    return;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_main_page_refresh));
      return;
    }

  ch_main_page_update_user (self);
  ch_main_page_update_break_glass (self);

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      GtkListBoxRow *row = find_row (self, sections[i].name);
      gboolean allowed = sections[i].own_role
                         ? ch_role_get_access (ch_session_get_role (self->session),
                                               sections[i].area) >= CH_ACCESS_READ
                         : ch_session_can (self->session, sections[i].area, CH_ACCESS_READ);
      AdwBin *bin = section_bin (self, sections[i].name);

      gtk_widget_set_visible (GTK_WIDGET (row), allowed);

      /* Access that ended takes what it showed with it. */
      if (!allowed && bin != NULL)
        adw_bin_set_child (bin, NULL);

      if (allowed && first_visible == NULL)
        first_visible = row;
    }

  gtk_list_box_invalidate_headers (self->nav_list);

  selected = gtk_list_box_get_selected_row (self->nav_list);
  if (selected != NULL && gtk_widget_get_visible (GTK_WIDGET (selected)))
    return;

  if (first_visible != NULL)
    gtk_list_box_select_row (self->nav_list, first_visible);
  else
    {
      gtk_list_box_unselect_all (self->nav_list);
      ch_ui_stack_show (self->content_stack, "none");
      adw_window_title_set_subtitle (self->window_title, NULL);
    }
}

/**
 * ch_main_page_dup_sections:
 * @self: a main page
 *
 * Returns: (transfer full): the names of the areas in the sidebar, in order
 */
char **
ch_main_page_dup_sections (ChMainPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      GtkListBoxRow *row = find_row (self, sections[i].name);

      if (gtk_widget_get_visible (GTK_WIDGET (row)))
        g_strv_builder_add (builder, sections[i].name);
    }

  return g_strv_builder_end (builder);
}

const char *
ch_main_page_get_visible_section (ChMainPage *self)
{
  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}

/**
 * ch_main_page_get_section_widget:
 * @self: a main page
 * @name: a section such as "users"
 *
 * Returns: (transfer none) (nullable): the page built for @name, if any
 */
GtkWidget *
ch_main_page_get_section_widget (ChMainPage *self,
                                 const char *name)
{
  AdwBin *bin;

  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  bin = section_bin (self, name);
  if (bin != NULL)
    return adw_bin_get_child (bin);

  return gtk_stack_get_child_by_name (self->content_stack, name);
}

/* The section reads as it opens, and the page takes no focus meanwhile:
 * once the session is idle, the focus goes into the section shown. */
static void
focus_visible_section (ChMainPage *self)
{
  GtkWidget *content = gtk_stack_get_visible_child (self->content_stack);

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (focus_visible_section));
      return;
    }
  if (ADW_IS_BIN (content) && adw_bin_get_child (ADW_BIN (content)) != NULL)
    content = adw_bin_get_child (ADW_BIN (content));
  if (content == NULL)
    return;
  if (CH_IS_SCHEDULE_PAGE (content))
    gtk_widget_grab_focus (ch_schedule_page_get_calendar (CH_SCHEDULE_PAGE (content)));
  else
    gtk_widget_child_focus (content, GTK_DIR_TAB_FORWARD);
}

static void
show_section_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChMainPage *self = CH_MAIN_PAGE (widget);
  GtkListBoxRow *row = find_row (self, g_variant_get_string (parameter, NULL));

  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)))
    return;
  gtk_list_box_select_row (self->nav_list, row);
  /* From the keyboard, the keyboard goes along: into the section shown. */
  focus_visible_section (self);
}

/**
 * ch_main_page_open_patient:
 * @self: a main page
 * @patient_id: the patient to open
 *
 * Shows the Patients section with @patient_id's chart open, for pages
 * that list patients (reports, queues); they reach it through the
 * "main.open-patient" action. Does nothing for a role that may not open
 * charts, or while the session is busy.
 */
void
ch_main_page_open_patient (ChMainPage *self,
                           gint64      patient_id)
{
  GtkListBoxRow *row;
  GtkWidget *page;

  g_return_if_fail (CH_IS_MAIN_PAGE (self));

  row = find_row (self, "patients");
  if (row == NULL || !gtk_widget_get_visible (GTK_WIDGET (row)) || patient_id <= 0 ||
      ch_ui_session_is_busy (self->session))
    return;

  gtk_list_box_select_row (self->nav_list, row);
  page = ch_main_page_get_section_widget (self, "patients");
  if (page != NULL && CH_IS_PATIENTS_PAGE (page))
    ch_patients_page_open_patient (CH_PATIENTS_PAGE (page), patient_id);
}

static void
open_patient_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ch_main_page_open_patient (CH_MAIN_PAGE (widget), g_variant_get_int64 (parameter));
}

GtkWidget *
ch_main_page_new (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_object_new (CH_TYPE_MAIN_PAGE,
                       "session", session,
                       NULL);
}

ChSession *
ch_main_page_get_session (ChMainPage *self)
{
  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  return self->session;
}

/* ---- the DICOM receiver ------------------------------------------------------ */

static gboolean
receiver_session_busy (ChSession *session,
                       gpointer   user_data)
{
  return ch_ui_session_is_busy (session);
}

typedef struct
{
  GFunc          work;
  GDestroyNotify finish;
  gpointer       data;
} ReceiverRun;

static void
receiver_run_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ReceiverRun *run = task_data;

  run->work (run->data, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
receiver_run_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ReceiverRun *run = g_task_get_task_data (G_TASK (result));

  g_task_propagate_boolean (G_TASK (result), NULL);
  run->finish (run->data);
}

/* Images are filed on a worker through the session's gate, like every
 * other use of the session here: a series of hundreds never holds up the
 * window. */
static gboolean
receiver_run (ChSession      *session,
              GFunc           work,
              GDestroyNotify  finish,
              gpointer        work_data,
              gpointer        user_data)
{
  g_autoptr(GTask) task = NULL;
  ReceiverRun *run;

  if (ch_ui_session_is_busy (session))
    return FALSE;

  run = g_new0 (ReceiverRun, 1);
  run->work = work;
  run->finish = finish;
  run->data = work_data;
  task = ch_ui_session_task_new (session, NULL, NULL, receiver_run_done, NULL);
  g_task_set_source_tag (task, receiver_run);
  g_task_set_task_data (task, run, g_free);
  /* Refused after all, the task still ends through receiver_run_done():
   * the instance is then told not stored, and the sender sends it again. */
  ch_ui_session_run_task (task, receiver_run_thread);
  return TRUE;
}

/* Images come in bursts (a series is hundreds): one word for each burst. */
static gboolean
received_quiet (gpointer user_data)
{
  ChMainPage *self = user_data;
  g_autofree char *message = NULL;
  GtkWidget *inbox = ch_main_page_get_section_widget (self, "imaging");

  self->received_source = 0;
  if (self->queued > 0)
    {
      g_autofree char *received = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "%u image received",
                                                                "%u images received",
                                                                self->received),
                                                   self->received);
      g_autofree char *queued = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%u waits in the Imaging Inbox",
                                                              "%u wait in the Imaging Inbox",
                                                              self->queued),
                                                 self->queued);

      /* TRANSLATORS: "12 images received; 3 wait in the Imaging Inbox" */
      message = g_strdup_printf (_("%s; %s"), received, queued);
    }
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image received and filed",
                                            "%u images received and filed", self->received),
                               self->received);
  ch_ui_toast (GTK_WIDGET (self), message);
  self->received = 0;
  self->queued = 0;

  if (inbox != NULL && CH_IS_IMAGING_INBOX_PAGE (inbox))
    ch_imaging_inbox_page_reload (CH_IMAGING_INBOX_PAGE (inbox));
  return G_SOURCE_REMOVE;
}

static void
on_image_received (ChMainPage                 *self,
                   const ChImagingStoreResult *result,
                   const char                 *source)
{
  if (result->outcome == CH_IMAGING_DUPLICATE)
    return;
  self->received++;
  if (result->outcome == CH_IMAGING_QUEUED)
    self->queued++;
  g_clear_handle_id (&self->received_source, g_source_remove);
  self->received_source = g_timeout_add (1500, received_quiet, self);
}

static void
on_image_store_failed (ChMainPage *self,
                       const char *sop_instance_uid,
                       const char *source,
                       const char *message)
{
  /* TRANSLATORS: the first %s is the sender, the second why it failed */
  g_autofree char *text = g_strdup_printf (_("An image from %s could not be filed: %s"), source,
                                           message);

  ch_ui_toast (GTK_WIDGET (self), text);
}

/* While someone who may file images is signed in (their role's own access,
 * not emergency access) and the practice has the receiver switched on,
 * modalities can send: the page lives as long as the unlocked session, so
 * nothing is received while the window is locked (senders retry). */
static void
ch_main_page_start_receiver (ChMainPage *self)
{
  g_autoptr(ChImagingReceiverSettings) settings = NULL;
  g_autoptr(ChDicomReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  if (ch_role_get_access (ch_session_get_role (self->session), CH_AREA_CLINICAL) <
      CH_ACCESS_WRITE)
    return;
  settings = ch_imaging_get_receiver_settings (self->session, NULL);
  if (settings == NULL || !settings->enabled)
    return;

  receiver = ch_dicom_receiver_new_from_settings (self->session, &port, &error);
  if (receiver != NULL)
    {
      ch_dicom_receiver_set_busy_func (receiver, receiver_session_busy, NULL, NULL);
      ch_dicom_receiver_set_run_func (receiver, receiver_run, NULL);
      if (ch_dicom_receiver_start (receiver, NULL, port, &error))
        {
          g_signal_connect_object (receiver, "received", G_CALLBACK (on_image_received), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (receiver, "store-failed", G_CALLBACK (on_image_store_failed),
                                   self, G_CONNECT_SWAPPED);
          self->receiver = g_steal_pointer (&receiver);
          return;
        }
    }

  /* TRANSLATORS: %s says why, e.g. "Port 104 is already in use" */
  self->receiver_error = g_strdup_printf (_("Images cannot be received: %s"), error->message);
  ch_ui_toast (GTK_WIDGET (self), self->receiver_error);
}

/* Returns: (transfer none) (nullable): the DICOM receiver, while it listens */
ChDicomReceiver *
ch_main_page_get_receiver (ChMainPage *self)
{
  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  return self->receiver;
}

/* Returns: (nullable): why the receiver, switched on, does not listen */
const char *
ch_main_page_get_receiver_error (ChMainPage *self)
{
  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), NULL);

  return self->receiver_error;
}

/* ---- the lab listener -------------------------------------------------------- */

/* Said once the page is in its window, where toasts show. */
static void
tell_lab_listener_error (ChMainPage *self)
{
  g_signal_handlers_disconnect_by_func (self, tell_lab_listener_error, NULL);
  ch_ui_toast (GTK_WIDGET (self), self->lab_listener_error);
}

/* Like the DICOM receiver: for someone who may file results, while the
 * practice has it switched on, as long as the unlocked session. */
static void
ch_main_page_start_lab_listener (ChMainPage *self)
{
  g_autoptr(GError) error = NULL;

  self->lab_listener = ch_lab_listener_start (GTK_WIDGET (self), self->session, &error);
  if (self->lab_listener != NULL || error == NULL)
    return;

  /* TRANSLATORS: %s says why, e.g. "Address already in use" */
  self->lab_listener_error = g_strdup_printf (_("Lab results cannot be received: %s"),
                                              error->message);
  g_signal_connect_after (self, "map", G_CALLBACK (tell_lab_listener_error), NULL);
}

/* ---- the backup banner ------------------------------------------------------- */

/* Whoever looks after backups is told, on every page, when the last good
 * one is more than 36 hours old (or there is none). Read once per page,
 * that is at each sign-in and unlock, on a worker. */
typedef struct
{
  ChSession *session;
  gint64     last_ok;   /* Unix seconds, 0 for none */
} BannerCheck;

static void
banner_check_free (BannerCheck *check)
{
  g_clear_object (&check->session);
  g_free (check);
}

static void
banner_check_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  BannerCheck *check = task_data;
  g_autoptr(ChBackupRunRecord) last_ok = NULL;
  g_autoptr(ChBackupRunRecord) last_failed = NULL;
  GError *error = NULL;

  if (!ch_backup_status (check->session, &last_ok, &last_failed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  check->last_ok = last_ok != NULL ? last_ok->finished_at : 0;
  g_task_return_boolean (task, TRUE);
}

static void
banner_check_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChMainPage *self = CH_MAIN_PAGE (object);
  BannerCheck *check = g_task_get_task_data (G_TASK (result));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  if (ch_backup_overdue (check->last_ok, g_date_time_to_unix (now), &message))
    gtk_label_set_text (self->backup_banner_label, message);
  gtk_revealer_set_reveal_child (self->backup_banner, message != NULL);
}

static void
ch_main_page_check_backups (ChMainPage *self)
{
  g_autoptr(GTask) task = NULL;
  BannerCheck *check;

  if (self->session == NULL || ch_session_get_locked (self->session) ||
      ch_role_get_access (ch_session_get_role (self->session), CH_AREA_BACKUP) < CH_ACCESS_READ)
    return;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_main_page_check_backups));
      return;
    }

  check = g_new0 (BannerCheck, 1);
  check->session = g_object_ref (self->session);
  task = ch_ui_session_task_new (self->session, self, NULL, banner_check_done, NULL);
  g_task_set_source_tag (task, ch_main_page_check_backups);
  g_task_set_task_data (task, check, (GDestroyNotify) banner_check_free);
  ch_ui_session_run_task (task, banner_check_thread);
}

/* Returns: whether the overdue-backup banner shows */
gboolean
ch_main_page_get_backup_banner (ChMainPage *self)
{
  g_return_val_if_fail (CH_IS_MAIN_PAGE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->backup_banner);
}

static void
ch_main_page_constructed (GObject *object)
{
  ChMainPage *self = CH_MAIN_PAGE (object);

  G_OBJECT_CLASS (ch_main_page_parent_class)->constructed (object);

  g_return_if_fail (self->session != NULL);

  ch_ui_session_watch_busy (self->session, object, G_CALLBACK (ch_main_page_update_gate));
  ch_main_page_update_gate (self);
  ch_main_page_refresh (self);
  ch_main_page_start_receiver (self);
  ch_main_page_start_lab_listener (self);
  ch_main_page_check_backups (self);
}

static void
ch_main_page_dispose (GObject *object)
{
  ChMainPage *self = CH_MAIN_PAGE (object);

  g_clear_handle_id (&self->break_glass_source, g_source_remove);
  g_clear_handle_id (&self->received_source, g_source_remove);
  g_clear_weak_pointer (&self->gate_focus);
  if (self->receiver != NULL)
    ch_dicom_receiver_stop (self->receiver);
  g_clear_object (&self->receiver);
  g_clear_pointer (&self->receiver_error, g_free);
  if (self->lab_listener != NULL)
    ch_lab_listener_stop (self->lab_listener);
  g_clear_object (&self->lab_listener);
  g_clear_pointer (&self->lab_listener_error, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_MAIN_PAGE);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_main_page_parent_class)->dispose (object);
}

static void
ch_main_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ChMainPage *self = CH_MAIN_PAGE (object);

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
ch_main_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ChMainPage *self = CH_MAIN_PAGE (object);

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
ch_main_page_class_init (ChMainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->constructed = ch_main_page_constructed;
  object_class->dispose = ch_main_page_dispose;
  object_class->get_property = ch_main_page_get_property;
  object_class->set_property = ch_main_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CH_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-main-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, user_button);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, user_name_label);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, user_role_label);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, user_break_glass_label);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, break_glass_label);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, gate_spinner);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, body);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, nav_list);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, patients_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, refills_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, schedule_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, today_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, lists_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, imaging_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, labs_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, billing_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, reports_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, backups_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, backup_banner);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, backup_banner_label);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, users_bin);
  gtk_widget_class_bind_template_child (widget_class, ChMainPage, audit_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_nav_row_selected);

  gtk_widget_class_install_action (widget_class, "main.show-section", "s",
                                   show_section_activated);
  gtk_widget_class_install_action (widget_class, "main.open-patient", "x",
                                   open_patient_activated);

  /* Alt+1 … Alt+9, then Alt+0. */
  for (guint i = 0; i < MIN (G_N_ELEMENTS (sections), 10u); i++)
    gtk_widget_class_add_binding_action (widget_class, i < 9 ? GDK_KEY_1 + i : GDK_KEY_0,
                                         GDK_ALT_MASK,
                                         "main.show-section", "s", sections[i].name);
  /* The numbers are taken: L for labs. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_ALT_MASK,
                                       "main.show-section", "s", "labs");
}

static void
ch_main_page_init (ChMainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_set_header_func (self->nav_list, update_header, self, NULL);
}
