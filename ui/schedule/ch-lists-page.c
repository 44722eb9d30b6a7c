/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-lists-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-book-dialog.h"
#include "ch-lists-page.h"
#include "ch-roles.h"
#include "ch-recall-dialog.h"
#include "ch-recall.h"
#include "ch-schedule-ui.h"
#include "ch-schedule.h"
#include "ch-ui.h"
#include "ch-validate.h"
#include "ch-waitlist-dialog.h"
#include "ch-waitlist.h"

/* The front desk's calling lists, one tab each. The waitlist: the times
 * freed by cancellations, which the controller has offered to the first
 * waiting patient they suit, to call about and accept or decline; then
 * everyone waiting, with what they would take. The recalls: who is overdue
 * or due within 30 days for a follow-up, an annual exam or an immunization,
 * with the calls made so far; a call is recorded, a visit booked, the recall
 * done or cancelled. Each row names its patient and their phone, so the
 * desk can dial from the list. Every call to the controller runs on a
 * worker through the session gate; what the dialogs ask is answered there
 * too, or waits for the session to be free. */

#define IMMUNIZATION_HORIZON_DAYS 30
/* Recalls are shown a hundred at a time, the most overdue first: a row
 * with its buttons costs about a millisecond to build, and a list of many
 * hundreds (after finding the immunizations due, say) would hold up the
 * window at each reading. */
#define RECALLS_PAGE 100

struct _ChListsPage
{
  AdwBin               parent_instance;

  AdwViewStack        *view_stack;
  AdwViewStackPage    *waitlist_page;
  AdwViewStackPage    *recalls_page;
  GtkSpinner          *spinner;
  GtkWidget           *immunizations_button;
  GtkWidget           *add_recall_button;
  GtkWidget           *add_waitlist_button;
  AdwPreferencesGroup *offers_group;
  AdwPreferencesGroup *waiting_group;
  GtkWidget           *waitlist_empty;
  AdwPreferencesGroup *recalls_group;
  GtkWidget           *recalls_empty;
  GtkWidget           *more_recalls_button;

  ChSession           *session;
  GCancellable        *cancellable;
  GPtrArray           *providers;  /* (element-type ChResource) (nullable): for the dialogs */
  GPtrArray           *rooms;
  GPtrArray           *types;      /* (element-type ChApptType) */
  GPtrArray           *offers;     /* (element-type ChWaitlistOffer) (nullable): open, by start */
  GPtrArray           *entries;    /* (element-type ChWaitlistEntry): oldest first */
  GPtrArray           *recalls;    /* (element-type ChRecall): by due date */
  GPtrArray           *rows;       /* the rows shown */
  guint                recalls_shown;  /* at most this many recall rows */
  GQueue               pending;    /* Work answered in a dialog, waiting for the session */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (ChListsPage, ch_lists_page, ADW_TYPE_BIN)

static gboolean
ch_lists_page_is_idle (ChListsPage *self)
{
  return !self->busy && self->session != NULL && !ch_ui_session_is_busy (self->session);
}

static gboolean
may (ChListsPage *self,
     ChArea       area,
     ChAccess     access)
{
  return self->session != NULL && ch_session_can (self->session, area, access);
}

static gboolean
on_recalls_tab (ChListsPage *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "recalls") == 0;
}

static void
ch_lists_page_update_actions (ChListsPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean idle = ch_lists_page_is_idle (self);
  gboolean loaded = self->providers != NULL;
  gboolean may_write = idle && may (self, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);
  /* Reading every chart: the role's own right, not emergency access. */
  gboolean may_read_charts = self->session
                             && ch_role_get_access (ch_session_get_role (self->session),
                                                    CH_AREA_CLINICAL) >= CH_ACCESS_READ;

  if (self->view_stack == NULL)
    return;   /* being built, or disposed while the session was busy */
  gtk_widget_action_set_enabled (widget, "lists.reload",
                                 idle && may (self, CH_AREA_SCHEDULING, CH_ACCESS_READ));
  gtk_widget_action_set_enabled (widget, "lists.add", may_write && loaded);
  gtk_widget_action_set_enabled (widget, "lists.add-waitlist", may_write && loaded);
  gtk_widget_action_set_enabled (widget, "lists.add-recall", may_write && loaded);
  gtk_widget_action_set_enabled (widget, "lists.accept", may_write);
  gtk_widget_action_set_enabled (widget, "lists.decline", may_write);
  gtk_widget_action_set_enabled (widget, "lists.remove", may_write);
  gtk_widget_action_set_enabled (widget, "lists.called", may_write);
  gtk_widget_action_set_enabled (widget, "lists.book-recall",
                                 may_write && loaded && self->providers->len > 0);
  gtk_widget_action_set_enabled (widget, "lists.recall-done", may_write);
  gtk_widget_action_set_enabled (widget, "lists.recall-cancel", may_write);
  /* Finding them reads every chart: for those who may read charts. */
  gtk_widget_action_set_enabled (widget, "lists.find-immunizations", may_write && may_read_charts);
  gtk_widget_set_visible (self->immunizations_button, may_read_charts && on_recalls_tab (self));
}

static void
ch_lists_page_set_busy (ChListsPage *self,
                        gboolean     busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  ch_lists_page_update_actions (self);
}

static void
on_tab_changed (ChListsPage *self)
{
  gboolean recalls;

  if (self->view_stack == NULL)
    return;   /* being built */
  recalls = on_recalls_tab (self);

  gtk_widget_set_visible (self->add_waitlist_button, !recalls);
  gtk_widget_set_visible (self->add_recall_button, recalls);
  ch_lists_page_update_actions (self);
}

static const ChWaitlistOffer *
find_offer (ChListsPage *self,
            gint64       id)
{
  for (guint i = 0; self->offers != NULL && i < self->offers->len; i++)
    if (((ChWaitlistOffer *) self->offers->pdata[i])->id == id)
      return self->offers->pdata[i];
  return NULL;
}

static const ChWaitlistEntry *
find_entry (ChListsPage *self,
            gint64       id)
{
  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    if (((ChWaitlistEntry *) self->entries->pdata[i])->id == id)
      return self->entries->pdata[i];
  return NULL;
}

static const ChRecall *
find_recall (ChListsPage *self,
             gint64       id)
{
  for (guint i = 0; self->recalls != NULL && i < self->recalls->len; i++)
    if (((ChRecall *) self->recalls->pdata[i])->id == id)
      return self->recalls->pdata[i];
  return NULL;
}

static GtkWindow *
parent_window (ChListsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* ---- texts ---------------------------------------------------------------------- */

static char *
phone_text (const char *phone)
{
  if (!ch_has_text (phone))
    return g_strdup (_("No phone on file"));
  /* TRANSLATORS: a patient's phone number on the calling lists */
  return g_strdup_printf (_("Phone %s"), phone);
}

/* The days of @weekdays (1 << 1 Monday … 1 << 7 Sunday), abbreviated. */
static char *
weekdays_text (guint weekdays)
{
  g_autoptr (GString) text = g_string_new (NULL);
  /* A Monday, to name the days by. */
  g_autoptr (GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 12, 0, 0);

  for (int day = 1; day <= 7; day++)
    if (weekdays & (1u << day))
      {
        g_autoptr (GDateTime) date = g_date_time_add_days (monday, day - 1);
        g_autofree char *name = g_date_time_format (date, "%a");

        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, name);
      }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* What @entry would take, as the desk reads it out. */
static char *
wishes_text (const ChWaitlistEntry *entry)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (entry->appointment_start > 0)
    {
      g_autofree char *when = ch_schedule_ui_local_text (entry->appointment_start,
                                                         "%a %-d %b %Y, %H:%M");

      /* TRANSLATORS: what a waiting patient wants: "Before their appointment on Tue 4 Mar 2031, 09:30" */
      g_ptr_array_add (parts, g_strdup_printf (_("Before their appointment on %s"), when));
    }
  if (entry->weekdays != 0)
    g_ptr_array_add (parts, weekdays_text (entry->weekdays));
  if (entry->from_min != 0 || entry->to_min != 0)
    g_ptr_array_add (parts, g_strdup_printf ("%02d:%02d–%02d:%02d", entry->from_min / 60,
                                             entry->from_min % 60, entry->to_min / 60,
                                             entry->to_min % 60));
  if (entry->earliest_day != NULL && entry->latest_day != NULL)
    /* TRANSLATORS: the days a waiting patient would take: "Between 2031-03-01 and 2031-04-01" */
    g_ptr_array_add (parts, g_strdup_printf (_("Between %s and %s"), entry->earliest_day,
                                             entry->latest_day));
  else if (entry->earliest_day != NULL)
    /* TRANSLATORS: the first day a waiting patient would take: "From 2031-03-01" */
    g_ptr_array_add (parts, g_strdup_printf (_("From %s"), entry->earliest_day));
  else if (entry->latest_day != NULL)
    /* TRANSLATORS: the last day a waiting patient would take: "Until 2031-04-01" */
    g_ptr_array_add (parts, g_strdup_printf (_("Until %s"), entry->latest_day));

  if (parts->len == 0)
    return g_strdup (_("Any earlier time"));
  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (text, " · ");
      g_string_append (text, parts->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Days from today to @day (YYYY-MM-DD); FALSE if it is no date. */
static gboolean
days_until (const char *day,
            int        *out_days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  GDate today, then;
  int y, m, d;
  char extra;

  if (day == NULL || sscanf (day, "%d-%d-%d%c", &y, &m, &d, &extra) != 3
      || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (&today, 1);
  g_date_clear (&then, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  g_date_set_dmy (&then, d, m, y);
  *out_days = g_date_days_between (&today, &then);
  return TRUE;
}

/* How late a recall is: in days for the first two months, then coarser. */
static char *
overdue_text (int days)
{
  if (days < 60)
    /* TRANSLATORS: how late a recall is */
    return g_strdup_printf (ngettext ("%d day overdue", "%d days overdue", days), days);
  if (days < 730)
    /* TRANSLATORS: how late a recall is, from two months on */
    return g_strdup_printf (ngettext ("%d month overdue", "%d months overdue", days / 30),
                            days / 30);
  /* TRANSLATORS: how late a recall is, from two years on */
  return g_strdup_printf (ngettext ("%d year overdue", "%d years overdue", days / 365), days / 365);
}

/* ---- rows ------------------------------------------------------------------------- */

/* A date or time at the start of a row, with a line under it. */
static GtkWidget *
row_prefix (const char *top,
            const char *top_class,
            const char *bottom,
            const char *bottom_class)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *first = gtk_label_new (top);
  GtkWidget *second = gtk_label_new (bottom);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (box, 104, -1);
  gtk_label_set_xalign (GTK_LABEL (first), 0);
  gtk_label_set_xalign (GTK_LABEL (second), 0);
  gtk_widget_add_css_class (first, "numeric");
  gtk_widget_add_css_class (first, top_class);
  gtk_widget_add_css_class (second, "caption");
  if (bottom_class != NULL)
    gtk_widget_add_css_class (second, bottom_class);
  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), second);
  return box;
}

static GtkWidget *
row_new (const char *kind,
         gint64      id,
         const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *name = g_strdup_printf ("%s-%" G_GINT64_FORMAT, kind, id);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, name);
  return row;
}

static void
add_button (GtkWidget  *row,
            gint64      id,
            const char *action,
            const char *label,
            const char *accessible,
            gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (id));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
}

/* Who a button of an offer is for. */
static char *
offer_who (const ChWaitlistOffer *offer)
{
  g_autofree char *clock = ch_schedule_ui_local_text (offer->start_at, "%H:%M");

  /* TRANSLATORS: who a button of an offer is for: "García, Ana at 09:30" */
  return g_strdup_printf (_("%s at %s"), offer->patient_name ? offer->patient_name : "", clock);
}

static GtkWidget *
offer_row (ChListsPage           *self,
           const ChWaitlistOffer *offer)
{
  g_autofree char *day = ch_schedule_ui_local_text (offer->start_at, "%a %-d %b");
  g_autofree char *clock = ch_schedule_ui_local_text (offer->start_at, "%H:%M");
  g_autofree char *phone = phone_text (offer->patient_phone);
  g_autofree char *what = NULL;
  g_autofree char *whom = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *who = offer_who (offer);
  g_autofree char *accept = NULL;
  g_autofree char *decline = NULL;
  GtkWidget *row;

  /* TRANSLATORS: an offered time: "follow-up · Dr. Ana García · 20 min" */
  what = g_strdup_printf (_("%s · %s · %d min"), offer->type_name ? offer->type_name : "",
                          offer->provider_name ? offer->provider_name : offer->provider_id,
                          offer->duration_min);
  /* TRANSLATORS: whom to call about an offer: "Phone 555-0101 · MRN 00000012" */
  whom = g_strdup_printf (_("%s · MRN %s"), phone, offer->patient_mrn ? offer->patient_mrn : "");
  subtitle = g_strdup_printf ("%s\n%s", what, whom);
  row = row_new ("offer", offer->id, offer->patient_name, subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), row_prefix (clock, "heading", day, "dim-label"));

  /* TRANSLATORS: the accessible name of a button; %s is "García, Ana at 09:30" */
  decline = g_strdup_printf (_("Decline offer for %s"), who);
  /* TRANSLATORS: the accessible name of a button; %s is "García, Ana at 09:30" */
  accept = g_strdup_printf (_("Accept offer for %s"), who);
  add_button (row, offer->id, "lists.decline", _("Decline…"), decline, FALSE);
  add_button (row, offer->id, "lists.accept", _("Accept"), accept, TRUE);
  return row;
}

static GtkWidget *
entry_row (ChListsPage           *self,
           const ChWaitlistEntry *entry)
{
  g_autoptr (GString) subtitle = g_string_new (NULL);
  g_autofree char *wishes = wishes_text (entry);
  g_autofree char *phone = phone_text (entry->patient_phone);
  g_autofree char *since = ch_schedule_ui_local_text (entry->created_at, "%Y-%m-%d");
  g_autofree char *remove = NULL;
  const char *name = entry->patient_name ? entry->patient_name : "";
  GtkWidget *row;

  /* TRANSLATORS: what a patient waits for: "follow-up with Dr. Ana García" */
  g_string_append_printf (subtitle, _("%s with %s"), entry->type_name ? entry->type_name : "",
                          entry->provider_name ? entry->provider_name : _("any provider"));
  g_string_append_printf (subtitle, "\n%s", wishes);
  if (ch_has_text (entry->note))
    {
      g_string_append_c (subtitle, '\n');
      /* TRANSLATORS: the desk's note about a waiting patient, quoted */
      g_string_append_printf (subtitle, _("“%s”"), entry->note);
    }
  g_string_append_c (subtitle, '\n');
  /* TRANSLATORS: "Phone 555-0101 · waiting since 2031-03-04" */
  g_string_append_printf (subtitle, _("%s · waiting since %s"), phone, since);

  row = row_new ("entry", entry->id, name, subtitle->str);
  if (g_strcmp0 (entry->status, "offered") == 0)
    {
      GtkWidget *label = gtk_label_new (ch_waitlist_status_label (entry->status));

      gtk_widget_add_css_class (label, "accent");
      gtk_widget_set_tooltip_text (label, _("The offer is under Open Offers"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  /* TRANSLATORS: the accessible name of a button; %s is a patient, "García, Ana" */
  remove = g_strdup_printf (_("Remove %s from the waitlist"), name);
  add_button (row, entry->id, "lists.remove", _("Remove…"), remove, FALSE);
  return row;
}

/* Whose recall a button is for. */
static char *
recall_who (const ChRecall *recall)
{
  /* TRANSLATORS: whose recall a button is for: "García, Ana (Follow-up)" */
  return g_strdup_printf (_("%s (%s)"), recall->patient_name ? recall->patient_name : "",
                          ch_recall_kind_label (recall->kind));
}

static GQuark
recall_id_quark (void)
{
  return g_quark_from_static_string ("ch-lists-page-recall-id");
}

static void
create_recall_menu (GtkMenuButton *button,
                    gpointer       user_data)
{
  gint64 *id = g_object_get_qdata (G_OBJECT (button), recall_id_quark ());
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenuItem) item = g_menu_item_new (_("_Cancel Recall…"), NULL);

  if (gtk_menu_button_get_menu_model (button) != NULL || id == NULL)
    return;
  g_menu_item_set_action_and_target_value (item, "lists.recall-cancel",
                                           g_variant_new_int64 (*id));
  g_menu_append_item (menu, item);
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

static GtkWidget *
recall_row (ChListsPage    *self,
            const ChRecall *recall)
{
  g_autoptr (GString) subtitle = g_string_new (ch_recall_kind_label (recall->kind));
  g_autofree char *phone = phone_text (recall->patient_phone);
  g_autofree char *who = recall_who (recall);
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;
  const char *when_class = "dim-label";
  GtkWidget *row;
  GtkWidget *prefix;
  GtkWidget *more;
  int days = 0;

  if (ch_has_text (recall->reason))
    g_string_append_printf (subtitle, " · %s", recall->reason);
  if (ch_has_text (recall->provider_name))
    g_string_append_printf (subtitle, " · %s", recall->provider_name);
  g_string_append_printf (subtitle, "\n%s · ", phone);
  if (recall->n_contacts == 0)
    g_string_append (subtitle, _("not called yet"));
  else
    {
      g_autofree char *last = ch_schedule_ui_local_text (recall->last_contact_at, "%Y-%m-%d");

      /* TRANSLATORS: the calls made about a recall: "2 calls, the last on 2031-03-04: “No answer”" */
      g_string_append_printf (subtitle, ngettext ("%u call, on %s: “%s”",
                                                  "%u calls, the last on %s: “%s”",
                                                  recall->n_contacts),
                              recall->n_contacts, last,
                              recall->last_contact_note ? recall->last_contact_note : "");
    }

  row = row_new ("recall", recall->id, recall->patient_name, subtitle->str);
  if (!days_until (recall->due_date, &days))
    when = g_strdup ("");
  else if (days < 0)
    {
      when = overdue_text (-days);
      when_class = "error";
    }
  else if (days == 0)
    {
      when = g_strdup (_("due today"));
      when_class = "warning";
    }
  else
    /* TRANSLATORS: how soon a recall is due */
    when = g_strdup_printf (ngettext ("in %d day", "in %d days", days), days);
  prefix = row_prefix (recall->due_date, "heading", when, when_class);
  if (g_str_equal (when_class, "error"))
    gtk_widget_add_css_class (gtk_widget_get_first_child (prefix), "error");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), prefix);

  /* TRANSLATORS: the accessible name of a button; %s is "García, Ana (Follow-up)" */
  text = g_strdup_printf (_("Record a call to %s"), who);
  add_button (row, recall->id, "lists.called", _("Called…"), text, FALSE);
  g_free (text);
  /* TRANSLATORS: the accessible name of a button; %s is "García, Ana (Follow-up)" */
  text = g_strdup_printf (_("Book an appointment for %s"), who);
  add_button (row, recall->id, "lists.book-recall", _("Book…"), text, FALSE);
  g_free (text);
  /* TRANSLATORS: the accessible name of a button; %s is "García, Ana (Follow-up)" */
  text = g_strdup_printf (_("Mark the recall of %s done"), who);
  add_button (row, recall->id, "lists.recall-done", _("Done"), text, FALSE);
  g_free (text);

  more = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  /* Its menu is made when first opened: a popover each would slow a long list. */
  g_object_set_qdata_full (G_OBJECT (more), recall_id_quark (),
                           g_memdup2 (&recall->id, sizeof recall->id), g_free);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (more), create_recall_menu, NULL, NULL);
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_widget_set_tooltip_text (more, _("More"));
  /* TRANSLATORS: the accessible name of a menu button; %s is "García, Ana (Follow-up)" */
  text = g_strdup_printf (_("More for the recall of %s"), who);
  gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_sensitive (more, may (self, CH_AREA_SCHEDULING, CH_ACCESS_WRITE));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
  return row;
}

/* The group and place of the row that has the focus, to give it back after a fill. */
static AdwPreferencesGroup *
focused_place (ChListsPage *self,
               guint       *out_index)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *group = NULL;
  guint index = 0;

  for (guint i = 0; focus != NULL && i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *row_group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (row_group != group)
        {
          group = row_group;
          index = 0;
        }
      if (focus == row || gtk_widget_is_ancestor (focus, row))
        {
          *out_index = index;
          return ADW_PREFERENCES_GROUP (group);
        }
      index++;
    }
  return NULL;
}

static void
ch_lists_page_fill (ChListsPage *self)
{
  AdwPreferencesGroup *focus_group;
  GtkWidget *focus_row = NULL;
  guint focus_index = 0;
  guint overdue = 0;
  guint n_offers = self->offers != NULL ? self->offers->len : 0;
  guint n_entries = self->entries != NULL ? self->entries->len : 0;
  guint n_recalls = self->recalls != NULL ? self->recalls->len : 0;
  g_autofree char *waiting = NULL;
  g_autofree char *due = NULL;

  focus_group = focused_place (self, &focus_index);
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < n_offers; i++)
    {
      GtkWidget *row = offer_row (self, self->offers->pdata[i]);

      adw_preferences_group_add (self->offers_group, row);
      g_ptr_array_add (self->rows, row);
      if (focus_group == self->offers_group && (i <= focus_index || focus_row == NULL))
        focus_row = row;
    }
  for (guint i = 0; i < n_entries; i++)
    {
      GtkWidget *row = entry_row (self, self->entries->pdata[i]);

      adw_preferences_group_add (self->waiting_group, row);
      g_ptr_array_add (self->rows, row);
      if (focus_group == self->waiting_group && (i <= focus_index || focus_row == NULL))
        focus_row = row;
    }
  for (guint i = 0; i < MIN (n_recalls, self->recalls_shown); i++)
    {
      GtkWidget *row = recall_row (self, self->recalls->pdata[i]);

      adw_preferences_group_add (self->recalls_group, row);
      g_ptr_array_add (self->rows, row);
      if (focus_group == self->recalls_group && (i <= focus_index || focus_row == NULL))
        focus_row = row;
    }
  for (guint i = 0; i < n_recalls; i++)
    {
      int days = 0;

      if (days_until (((ChRecall *) self->recalls->pdata[i])->due_date, &days) && days < 0)
        overdue++;
    }

  waiting = g_strdup_printf (ngettext ("%u patient, first come, first served",
                                       "%u patients, first come, first served", n_entries),
                             n_entries);
  adw_preferences_group_set_description (self->waiting_group, waiting);
  if (n_recalls > self->recalls_shown)
    /* TRANSLATORS: the recalls listed, when there are more than shown */
    due = g_strdup_printf (ngettext ("%u recall overdue or due in the next 30 days; the first %u "
                                     "shown",
                                     "%u recalls overdue or due in the next 30 days; the first %u "
                                     "shown", n_recalls),
                           n_recalls, self->recalls_shown);
  else
    due = g_strdup_printf (ngettext ("%u recall overdue or due in the next 30 days",
                                     "%u recalls overdue or due in the next 30 days", n_recalls),
                           n_recalls);
  adw_preferences_group_set_description (self->recalls_group, due);
  gtk_widget_set_visible (self->more_recalls_button, n_recalls > self->recalls_shown);

  gtk_widget_set_visible (GTK_WIDGET (self->offers_group), n_offers > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_group), n_entries > 0);
  gtk_widget_set_visible (self->waitlist_empty, self->entries != NULL && n_entries == 0
                                                && n_offers == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->recalls_group), n_recalls > 0);
  gtk_widget_set_visible (self->recalls_empty, self->recalls != NULL && n_recalls == 0);

  /* What waits for a call shows on the tabs. */
  adw_view_stack_page_set_badge_number (self->waitlist_page, n_offers);
  adw_view_stack_page_set_needs_attention (self->waitlist_page, n_offers > 0);
  adw_view_stack_page_set_badge_number (self->recalls_page, overdue);
  adw_view_stack_page_set_needs_attention (self->recalls_page, overdue > 0);

  if (focus_row != NULL)
    gtk_widget_grab_focus (focus_row);
}

/* ---- work ----------------------------------------------------------------------- */

typedef enum
{
  WORK_RELOAD,
  WORK_ACCEPT,
  WORK_DECLINE,
  WORK_REMOVE,
  WORK_CONTACT,
  WORK_RECALL_BOOK,
  WORK_RECALL_CLOSE,
  WORK_IMMUNIZATIONS,
} WorkKind;

typedef struct
{
  WorkKind   kind;
  ChSession *session;
  gboolean   with_setup;     /* read the providers, rooms and types too */
  gboolean   may_expire;     /* close the offers whose time has begun */
  gint64     id;             /* the offer, entry or recall */
  gint64     appointment_id; /* in: booked for a recall; out: booked by accepting */
  guint      flags;          /* of ch_waitlist_accept() */
  char      *status;         /* of a recall closed */
  char      *note;           /* as the dialog asked */
  char      *name;           /* the patient, for the toast */
  char      *when;           /* the offered time, for the toast */
  char      *freed_provider; /* a declined offer's freed span, to see who has it now */
  gint64     freed_from;
  gint64     freed_until;
  guint      created;        /* out: immunization recalls added */
  GError    *action_error;   /* out: the change refused; the lists were read all the same */
  GPtrArray *providers;      /* out */
  GPtrArray *rooms;
  GPtrArray *types;
  GPtrArray *offers;
  GPtrArray *entries;
  GPtrArray *recalls;
} Work;

static Work *
work_new (WorkKind kind)
{
  Work *work = g_new0 (Work, 1);

  work->kind = kind;
  return work;
}

static void
work_free (gpointer data)
{
  Work *work = data;

  g_clear_object (&work->session);
  g_free (work->status);
  g_free (work->note);
  g_free (work->name);
  g_free (work->when);
  g_free (work->freed_provider);
  g_clear_error (&work->action_error);
  g_clear_pointer (&work->providers, g_ptr_array_unref);
  g_clear_pointer (&work->rooms, g_ptr_array_unref);
  g_clear_pointer (&work->types, g_ptr_array_unref);
  g_clear_pointer (&work->offers, g_ptr_array_unref);
  g_clear_pointer (&work->entries, g_ptr_array_unref);
  g_clear_pointer (&work->recalls, g_ptr_array_unref);
  g_free (work);
}

static void
work_change (Work *work)
{
  GError **error = &work->action_error;

  switch (work->kind)
    {
    case WORK_ACCEPT:
      ch_waitlist_accept (work->session, work->id, work->flags, &work->appointment_id, error);
      break;
    case WORK_DECLINE:
      ch_waitlist_decline (work->session, work->id, work->note, error);
      break;
    case WORK_REMOVE:
      ch_waitlist_remove (work->session, work->id, work->note, error);
      break;
    case WORK_CONTACT:
      ch_recall_contact (work->session, work->id, work->note, error);
      break;
    case WORK_RECALL_BOOK:
      ch_recall_book (work->session, work->id, work->appointment_id, error);
      break;
    case WORK_RECALL_CLOSE:
      ch_recall_close (work->session, work->id, work->status, work->note, error);
      break;
    case WORK_IMMUNIZATIONS:
      ch_recall_generate_immunizations (work->session, IMMUNIZATION_HORIZON_DAYS, &work->created,
                                        error);
      break;
    case WORK_RELOAD:
    default:
      break;
    }
}

static gboolean
any_begun (GPtrArray *offers)
{
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < offers->len; i++)
    if (((ChWaitlistOffer *) offers->pdata[i])->start_at <= now)
      return TRUE;
  return FALSE;
}

static gboolean
work_read (Work    *work,
           GError **error)
{
  if (work->with_setup)
    {
      work->providers = ch_schedule_list_resources (work->session, "provider", error);
      if (work->providers == NULL)
        return FALSE;
      work->rooms = ch_schedule_list_resources (work->session, "room", error);
      if (work->rooms == NULL)
        return FALSE;
      work->types = ch_schedule_list_types (work->session, error);
      if (work->types == NULL)
        return FALSE;
    }
  work->offers = ch_waitlist_list_offers (work->session, error);
  if (work->offers == NULL)
    return FALSE;
  /* An offer of a time that has begun can no longer be taken: its patient
   * waits on. Only then is anything written on the way. */
  if (work->may_expire && any_begun (work->offers))
    {
      g_autoptr (GError) expire_error = NULL;
      guint expired = 0;

      if (!ch_waitlist_expire_offers (work->session, &expired, &expire_error)
          && work->action_error == NULL)
        work->action_error = g_steal_pointer (&expire_error);
      if (expired > 0)
        {
          g_clear_pointer (&work->offers, g_ptr_array_unref);
          work->offers = ch_waitlist_list_offers (work->session, error);
          if (work->offers == NULL)
            return FALSE;
        }
    }
  work->entries = ch_waitlist_list (work->session, NULL, error);
  if (work->entries == NULL)
    return FALSE;
  work->recalls = ch_recall_list (work->session, NULL, NULL, NULL, error);
  return work->recalls != NULL;
}

static void
work_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Work *work = task_data;
  g_autoptr (GError) error = NULL;

  /* Refused (another desk got there first, say), the lists still show
   * what is so now. */
  work_change (work);
  if (work_read (work, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void run (ChListsPage *self, Work *work);
static void ask_to_book_anyway (ChListsPage *self, Work *work);

/* Who has the time @work declined now, if anyone. */
static const ChWaitlistOffer *
passed_to (ChListsPage *self,
           Work        *work)
{
  for (guint i = 0; self->offers != NULL && i < self->offers->len; i++)
    {
      const ChWaitlistOffer *offer = self->offers->pdata[i];

      if (offer->id != work->id && g_strcmp0 (offer->provider_id, work->freed_provider) == 0
          && offer->free_from == work->freed_from && offer->free_until == work->freed_until)
        return offer;
    }
  return NULL;
}

/* Tells what came of @work's change. */
static void
report (ChListsPage *self,
        Work        *work)
{
  g_autofree char *text = NULL;

  if (work->action_error != NULL)
    {
      if (work->kind == WORK_ACCEPT
          && g_error_matches (work->action_error, CH_SCHEDULE_ERROR,
                              CH_SCHEDULE_ERROR_OUTSIDE_HOURS))
        ask_to_book_anyway (self, work);
      else
        ch_ui_toast (GTK_WIDGET (self), work->action_error->message);
      return;
    }

  switch (work->kind)
    {
    case WORK_ACCEPT:
      /* TRANSLATORS: "García, Ana booked for Tue 4 Mar 09:30" */
      text = g_strdup_printf (_("%s booked for %s"), work->name, work->when);
      break;
    case WORK_DECLINE:
      {
        const ChWaitlistOffer *next = passed_to (self, work);

        if (next != NULL)
          /* TRANSLATORS: a declined time went to the next patient it suits: "Offered to García, Ana next" */
          text = g_strdup_printf (_("Declined. Offered to %s next"), next->patient_name);
        else
          text = g_strdup (_("Declined. No one else waiting suits that time"));
      }
      break;
    case WORK_REMOVE:
      /* TRANSLATORS: %s is a patient, "García, Ana" */
      text = g_strdup_printf (_("%s taken off the waitlist"), work->name);
      break;
    case WORK_CONTACT:
      text = g_strdup (_("Call recorded"));
      break;
    case WORK_RECALL_BOOK:
      text = g_strdup (_("Recall booked"));
      break;
    case WORK_RECALL_CLOSE:
      text = g_strdup (g_strcmp0 (work->status, "done") == 0 ? _("Recall done")
                                                            : _("Recall cancelled"));
      break;
    case WORK_IMMUNIZATIONS:
      if (work->created == 0)
        text = g_strdup (_("No immunizations newly due"));
      else
        text = g_strdup_printf (ngettext ("%u immunization recall added",
                                          "%u immunization recalls added", work->created),
                                work->created);
      break;
    case WORK_RELOAD:
    default:
      return;
    }
  ch_ui_toast (GTK_WIDGET (self), text);
}

static void
run_pending (ChListsPage *self)
{
  if (self->session == NULL || g_queue_is_empty (&self->pending))
    return;
  if (!ch_lists_page_is_idle (self))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (run_pending));
      return;
    }
  run (self, g_queue_pop_head (&self->pending));
}

static void
work_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChListsPage *self = CH_LISTS_PAGE (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  ch_lists_page_set_busy (self, FALSE);

  if (error == NULL)
    {
      if (work->with_setup)
        {
          g_clear_pointer (&self->providers, g_ptr_array_unref);
          g_clear_pointer (&self->rooms, g_ptr_array_unref);
          g_clear_pointer (&self->types, g_ptr_array_unref);
          self->providers = g_steal_pointer (&work->providers);
          self->rooms = g_steal_pointer (&work->rooms);
          self->types = g_steal_pointer (&work->types);
        }
      g_clear_pointer (&self->offers, g_ptr_array_unref);
      g_clear_pointer (&self->entries, g_ptr_array_unref);
      g_clear_pointer (&self->recalls, g_ptr_array_unref);
      self->offers = g_steal_pointer (&work->offers);
      self->entries = g_steal_pointer (&work->entries);
      self->recalls = g_steal_pointer (&work->recalls);
      ch_lists_page_fill (self);
      ch_lists_page_update_actions (self);
    }
  report (self, work);
  if (error != NULL)
    ch_ui_toast (GTK_WIDGET (self), error->message);
  run_pending (self);
}

static void
run (ChListsPage *self,
     Work        *work)
{
  g_autoptr (GTask) task = NULL;

  work->session = g_object_ref (self->session);
  work->with_setup = self->providers == NULL;
  work->may_expire = may (self, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);
  ch_lists_page_set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, work_done, NULL);
  g_task_set_task_data (task, work, work_free);
  ch_ui_session_run_task (task, work_thread);
}

/* Runs @work now, or once the session is free: an answer given in a dialog
 * is not lost because a worker of another page holds the session. */
static void
submit (ChListsPage *self,
        Work        *work)
{
  if (self->session == NULL)
    {
      work_free (work);
      return;
    }
  g_queue_push_tail (&self->pending, work);
  run_pending (self);
}

/**
 * ch_lists_page_reload:
 *
 * Reads the waitlist, its open offers and the recalls due again: now, or
 * once the session is free.
 */
void
ch_lists_page_reload (ChListsPage *self)
{
  g_return_if_fail (CH_IS_LISTS_PAGE (self));

  if (self->session == NULL)
    return;   /* disposed while a reload waited */
  /* Shown again at unlock, which reads it then. */
  if (ch_session_get_locked (self->session) || ch_session_get_logged_out (self->session))
    return;
  if (!ch_lists_page_is_idle (self))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self), G_CALLBACK (ch_lists_page_reload));
      return;
    }
  run (self, work_new (WORK_RELOAD));
}

/* ---- dialogs that ask for a note -------------------------------------------------- */

static void
on_note_changed (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  g_autofree char *note = ch_schedule_ui_dup_text (entry);

  if (g_object_get_data (G_OBJECT (dialog), "required") != NULL)
    adw_message_dialog_set_response_enabled (dialog, g_object_get_data (G_OBJECT (dialog),
                                                                         "response"),
                                             note != NULL);
}

static void
on_note_activate (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  const char *response = g_object_get_data (G_OBJECT (dialog), "response");

  if (adw_message_dialog_get_response_enabled (dialog, response))
    {
      adw_message_dialog_response (dialog, response);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
on_note_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ChListsPage      *self)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);
  Work *work;

  if (g_strcmp0 (response, g_object_get_data (G_OBJECT (dialog), "response")) != 0)
    return;
  work = g_object_steal_data (G_OBJECT (dialog), "work");
  if (work == NULL)
    return;
  work->note = ch_schedule_ui_dup_text (GTK_EDITABLE (entry));
  if (work->note == NULL && g_object_get_data (G_OBJECT (dialog), "required") != NULL)
    {
      work_free (work);
      return;
    }
  submit (self, work);
}

/* Asks @heading with a note (@required or not) before running @work, which
 * the dialog owns until then. */
static void
ask_with_note (ChListsPage           *self,
               Work                  *work,
               const char            *heading,
               const char            *body,
               const char            *note_label,
               const char            *placeholder,
               const char            *response,
               const char            *response_label,
               AdwResponseAppearance  appearance,
               gboolean               required)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, body);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, note_label,
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    response, response_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response, appearance);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), response, !required);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           appearance == ADW_RESPONSE_DESTRUCTIVE ? "cancel"
                                                                                  : response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "work", work, work_free);
  g_object_set_data_full (G_OBJECT (dialog), "response", g_strdup (response), g_free);
  if (required)
    g_object_set_data (G_OBJECT (dialog), "required", GINT_TO_POINTER (TRUE));
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_note_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_note_activate), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_note_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- the waitlist --------------------------------------------------------------- */

static gboolean
may_change (ChListsPage *self)
{
  return ch_lists_page_is_idle (self) && may (self, CH_AREA_SCHEDULING, CH_ACCESS_WRITE);
}

static Work *
accept_work (const ChWaitlistOffer *offer,
             guint                  flags)
{
  Work *work = work_new (WORK_ACCEPT);

  work->id = offer->id;
  work->flags = flags;
  work->name = g_strdup (offer->patient_name);
  work->when = ch_schedule_ui_local_text (offer->start_at, "%a %-d %b %H:%M");
  return work;
}

static void
accept_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChWaitlistOffer *offer = find_offer (self, g_variant_get_int64 (parameter));

  if (offer == NULL || !may_change (self))
    return;
  run (self, accept_work (offer, 0));
}

static void
on_book_anyway_response (AdwMessageDialog *dialog,
                         const char       *response,
                         ChListsPage      *self)
{
  Work *work;

  if (g_strcmp0 (response, "book") != 0)
    return;
  work = g_object_steal_data (G_OBJECT (dialog), "work");
  if (work != NULL)
    submit (self, work);
}

/* The offered time lies outside working hours now (they were changed since
 * it was offered): booked only if the desk says so. */
static void
ask_to_book_anyway (ChListsPage *self,
                    Work        *work)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), _("Book Anyway?"),
                                              work->action_error->message);
  Work *again = work_new (WORK_ACCEPT);

  again->id = work->id;
  again->flags = work->flags | CH_BOOK_CONFIRM_OUTSIDE_HOURS;
  again->name = g_strdup (work->name);
  again->when = g_strdup (work->when);
  g_object_set_data_full (G_OBJECT (dialog), "work", again, work_free);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "book", _("_Book Anyway"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "book",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_book_anyway_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
decline_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChWaitlistOffer *offer = find_offer (self, g_variant_get_int64 (parameter));
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;
  Work *work;

  if (offer == NULL || !may_change (self))
    return;
  when = ch_schedule_ui_local_text (offer->start_at, "%a %-d %b %H:%M");
  /* TRANSLATORS: "García, Ana stays on the waitlist, and Tue 4 Mar 09:30 is offered to …" */
  body = g_strdup_printf (_("%s stays on the waitlist, and %s is offered to the next waiting "
                            "patient it suits."), offer->patient_name, when);
  work = work_new (WORK_DECLINE);
  work->id = offer->id;
  work->freed_provider = g_strdup (offer->provider_id);
  work->freed_from = offer->free_from;
  work->freed_until = offer->free_until;
  ask_with_note (self, work, _("Decline the Offer?"), body, _("Note"),
                 _("Why, if the patient said (optional)"), "decline", _("_Decline"),
                 ADW_RESPONSE_DESTRUCTIVE, FALSE);
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChWaitlistEntry *entry = find_entry (self, g_variant_get_int64 (parameter));
  g_autofree char *heading = NULL;
  Work *work;

  if (entry == NULL || !may_change (self))
    return;
  /* TRANSLATORS: "Remove García, Ana from the Waitlist?" */
  heading = g_strdup_printf (_("Remove %s from the Waitlist?"), entry->patient_name);
  work = work_new (WORK_REMOVE);
  work->id = entry->id;
  work->name = g_strdup (entry->patient_name);
  ask_with_note (self, work, heading,
                 g_strcmp0 (entry->status, "offered") == 0
                 ? _("They are no longer offered freed times; the time offered to them now goes "
                     "to the next patient it suits.")
                 : _("They are no longer offered freed times."),
                 _("Reason"), _("Reason (optional)"), "remove", _("_Remove"),
                 ADW_RESPONSE_DESTRUCTIVE, FALSE);
}

static void
on_added (ChListsPage *self,
          gint64       id)
{
  ch_ui_toast (GTK_WIDGET (self), on_recalls_tab (self) ? _("Recall added")
                                                        : _("Added to the waitlist"));
  ch_lists_page_reload (self);
}

static void
add_waitlist_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  GtkWidget *dialog;

  if (!may_change (self) || self->providers == NULL)
    return;
  dialog = ch_waitlist_dialog_new (parent_window (self), self->session, self->providers,
                                   self->types);
  g_signal_connect_object (dialog, "added", G_CALLBACK (on_added), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- recalls -------------------------------------------------------------------- */

static void
called_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChRecall *recall = find_recall (self, g_variant_get_int64 (parameter));
  g_autofree char *body = NULL;
  Work *work;

  if (recall == NULL || !may_change (self))
    return;
  /* TRANSLATORS: "García, Ana · Follow-up: Blood pressure review. What came of the call?" */
  body = g_strdup_printf (_("%s · %s: %s. What came of the call?"), recall->patient_name,
                          ch_recall_kind_label (recall->kind),
                          recall->reason ? recall->reason : "");
  work = work_new (WORK_CONTACT);
  work->id = recall->id;
  ask_with_note (self, work, _("Record a Call"), body, _("What came of the call"),
                 _("No answer, left a message, will call back…"), "record", _("_Record"),
                 ADW_RESPONSE_SUGGESTED, TRUE);
}

static void
recall_done_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChRecall *recall = find_recall (self, g_variant_get_int64 (parameter));
  Work *work;

  if (recall == NULL || !may_change (self))
    return;
  work = work_new (WORK_RECALL_CLOSE);
  work->id = recall->id;
  work->status = g_strdup ("done");
  run (self, work);
}

static void
recall_cancel_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChRecall *recall = find_recall (self, g_variant_get_int64 (parameter));
  g_autofree char *who = NULL;
  g_autofree char *body = NULL;
  Work *work;

  if (recall == NULL || !may_change (self))
    return;
  who = recall_who (recall);
  /* TRANSLATORS: %s is "García, Ana (Follow-up)" */
  body = g_strdup_printf (_("The recall of %s leaves the list. Say why."), who);
  work = work_new (WORK_RECALL_CLOSE);
  work->id = recall->id;
  work->status = g_strdup ("cancelled");
  ask_with_note (self, work, _("Cancel the Recall?"), body, _("Reason"),
                 _("Moved away, seen elsewhere, declined…"), "cancel-recall", _("Cancel _Recall"),
                 ADW_RESPONSE_DESTRUCTIVE, TRUE);
}

/* The dialog booked it and marked the recall in one go: show it. */
static void
on_recall_booked (ChBookDialog *dialog,
                  gint64        appointment_id,
                  ChListsPage  *self)
{
  ch_ui_toast (GTK_WIDGET (self), _("Recall booked"));
  ch_lists_page_reload (self);
}

/* When to offer to book @recall: its day at nine, or the next hour if that has passed. */
static gint64
recall_start (const ChRecall *recall)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) next = g_date_time_add_hours (now, 1);
  g_autoptr (GDateTime) start = NULL;
  int y, m, d;

  if (recall->due_date != NULL && sscanf (recall->due_date, "%d-%d-%d", &y, &m, &d) == 3)
    start = g_date_time_new_local (y, m, d, 9, 0, 0);
  if (start == NULL || g_date_time_compare (start, now) <= 0)
    {
      g_clear_pointer (&start, g_date_time_unref);
      start = g_date_time_new_local (g_date_time_get_year (next), g_date_time_get_month (next),
                                     g_date_time_get_day_of_month (next),
                                     g_date_time_get_hour (next), 0, 0);
    }
  return g_date_time_to_unix (start) * G_USEC_PER_SEC;
}

static void
book_recall_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  const ChRecall *recall = find_recall (self, g_variant_get_int64 (parameter));
  const char *provider_id;
  gint64 type_id = 0;
  GtkWidget *dialog;

  if (recall == NULL || !may_change (self) || self->providers == NULL
      || self->providers->len == 0)
    return;
  provider_id = recall->provider_id != NULL
                ? recall->provider_id : ((ChResource *) self->providers->pdata[0])->id;
  /* A follow-up or an annual exam is booked as the type of that name, if the practice has one. */
  for (guint i = 0; i < self->types->len; i++)
    if (g_strcmp0 (((ChApptType *) self->types->pdata[i])->name, recall->kind) == 0)
      type_id = ((ChApptType *) self->types->pdata[i])->id;

  dialog = ch_book_dialog_new (parent_window (self), self->session, self->providers, self->rooms,
                               self->types, provider_id, recall_start (recall));
  ch_book_dialog_set_patient (CH_BOOK_DIALOG (dialog), recall->patient_id, recall->patient_name);
  ch_book_dialog_set_purpose (CH_BOOK_DIALOG (dialog), type_id, recall->reason);
  ch_book_dialog_set_recall (CH_BOOK_DIALOG (dialog), recall->id);
  g_signal_connect_object (dialog, "booked", G_CALLBACK (on_recall_booked), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_recall_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);
  GtkWidget *dialog;

  if (!may_change (self) || self->providers == NULL)
    return;
  dialog = ch_recall_dialog_new (parent_window (self), self->session, self->providers);
  g_signal_connect_object (dialog, "added", G_CALLBACK (on_added), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
more_recalls_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);

  if (self->recalls == NULL || self->recalls->len <= self->recalls_shown)
    return;
  self->recalls_shown += RECALLS_PAGE;
  ch_lists_page_fill (self);
}

static void
find_immunizations_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);

  if (!may_change (self) || !may (self, CH_AREA_CLINICAL, CH_ACCESS_READ))
    return;
  run (self, work_new (WORK_IMMUNIZATIONS));
}

/* ---- both ------------------------------------------------------------------------ */

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  if (on_recalls_tab (CH_LISTS_PAGE (widget)))
    add_recall_activated (widget, action_name, parameter);
  else
    add_waitlist_activated (widget, action_name, parameter);
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChListsPage *self = CH_LISTS_PAGE (widget);

  /* From the keyboard while busy: nothing, rather than a second read queued. */
  if (ch_lists_page_is_idle (self))
    ch_lists_page_reload (self);
}

/* ---- construction ---------------------------------------------------------------- */

/**
 * ch_lists_page_new:
 * @session: the signed-in session
 *
 * The page reads its lists as it is made and when ch_lists_page_reload()
 * asks (each time it comes on screen, say).
 *
 * Returns: (transfer floating): a new page
 */
GtkWidget *
ch_lists_page_new (ChSession *session)
{
  ChListsPage *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_LISTS_PAGE, NULL);
  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (ch_lists_page_update_actions));
  on_tab_changed (self);
  ch_lists_page_reload (self);
  return GTK_WIDGET (self);
}

gboolean
ch_lists_page_get_busy (ChListsPage *self)
{
  g_return_val_if_fail (CH_IS_LISTS_PAGE (self), FALSE);

  return self->busy;
}

static void
ch_lists_page_dispose (GObject *object)
{
  ChListsPage *self = CH_LISTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  g_queue_clear_full (&self->pending, work_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_LISTS_PAGE);

  G_OBJECT_CLASS (ch_lists_page_parent_class)->dispose (object);
}

static void
ch_lists_page_finalize (GObject *object)
{
  ChListsPage *self = CH_LISTS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->offers, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->recalls, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_lists_page_parent_class)->finalize (object);
}

static void
ch_lists_page_class_init (ChListsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_lists_page_dispose;
  object_class->finalize = ch_lists_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-lists-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, waitlist_page);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, recalls_page);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, immunizations_button);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, add_recall_button);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, add_waitlist_button);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, offers_group);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, waiting_group);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, waitlist_empty);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, recalls_group);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, recalls_empty);
  gtk_widget_class_bind_template_child (widget_class, ChListsPage, more_recalls_button);
  gtk_widget_class_bind_template_callback (widget_class, on_tab_changed);

  gtk_widget_class_install_action (widget_class, "lists.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "lists.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "lists.add-waitlist", NULL,
                                   add_waitlist_activated);
  gtk_widget_class_install_action (widget_class, "lists.add-recall", NULL, add_recall_activated);
  gtk_widget_class_install_action (widget_class, "lists.accept", "x", accept_activated);
  gtk_widget_class_install_action (widget_class, "lists.decline", "x", decline_activated);
  gtk_widget_class_install_action (widget_class, "lists.remove", "x", remove_activated);
  gtk_widget_class_install_action (widget_class, "lists.called", "x", called_activated);
  gtk_widget_class_install_action (widget_class, "lists.book-recall", "x", book_recall_activated);
  gtk_widget_class_install_action (widget_class, "lists.recall-done", "x",
                                   recall_done_activated);
  gtk_widget_class_install_action (widget_class, "lists.recall-cancel", "x",
                                   recall_cancel_activated);
  gtk_widget_class_install_action (widget_class, "lists.find-immunizations", NULL,
                                   find_immunizations_activated);
  gtk_widget_class_install_action (widget_class, "lists.more-recalls", NULL,
                                   more_recalls_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "lists.add",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "lists.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "lists.reload",
                                       NULL);
}

static void
ch_lists_page_init (ChListsPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->recalls_shown = RECALLS_PAGE;
  g_queue_init (&self->pending);
  gtk_widget_init_template (GTK_WIDGET (self));
}
