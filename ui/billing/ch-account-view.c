/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-account-view"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-account-view.h"
#include "ch-billing.h"
#include "ch-billing-desk.h"
#include "ch-billing-docs.h"
#include "ch-billing-ui.h"
#include "ch-charge-dialog.h"
#include "ch-chart.h"
#include "ch-chart-ui.h"
#include "ch-ledger-entry-dialog.h"
#include "ch-payment-dialog.h"
#include "ch-ui.h"

/* A patient's account: the balance (the sum of the ledger, as the
 * controller returns it), the encounters with their charge lines and what
 * each still owes, and the ledger with its running balance. The commands
 * are offered by role (the controller refuses the others anyway): charges
 * to physicians and billing staff, "ready to bill" to physicians, payments
 * to the front desk and the office manager, refunds, write-offs,
 * adjustments and reversals to the office manager. */

struct _ChAccountView
{
  AdwBin         parent_instance;

  GtkLabel      *balance_label;
  GtkLabel      *summary_label;
  GtkWidget     *pay_button;
  GtkWidget     *apply_credit_button;
  GtkWidget     *corrections_button;
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkStack      *stack;
  GtkListBox    *encounter_list;
  GtkLabel      *encounter_empty_label;
  GtkListBox    *ledger_list;
  GtkLabel      *ledger_empty_label;
  AdwStatusPage *error_page;

  ChSession     *session;
  gint64         patient_id;
  char          *patient_label;
  GPtrArray     *encounters;   /* (element-type ChBillingEncounter): newest first */
  GPtrArray     *charges;      /* (element-type GPtrArray of ChChargeLine): as encounters */
  GPtrArray     *ledger;       /* (element-type ChLedgerEntry): oldest first */
  GPtrArray     *payments;     /* (element-type ChPayment) */
  GPtrArray     *fees;         /* (element-type ChFee): every version */
  GPtrArray     *problems;     /* (element-type ChChartItem) (nullable): when readable */
  gint64         balance;
  char          *balance_text;
  char          *error;
  GCancellable  *cancellable;
  guint          generation;   /* which patient a load was for */
  gboolean       loaded;
  gboolean       busy;
  gboolean       reload_pending;
};

G_DEFINE_FINAL_TYPE (ChAccountView, ch_account_view, ADW_TYPE_BIN)

static void ch_account_view_start_load (ChAccountView *self);

/* ---- who may do what ---------------------------------------------------------- */

static gboolean
is_ready (ChAccountView *self)
{
  return self->session != NULL && self->loaded && !self->busy &&
         !ch_ui_session_is_busy (self->session);
}

static gboolean
can_charge (ChSession *session)
{
  return ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE) ||
         (ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE) &&
          ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE));
}

static gboolean
can_mark_ready (ChSession *session)
{
  return ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE) &&
         ch_session_can (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE);
}

static gboolean
can_pay (ChSession *session)
{
  return ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE);
}

static gboolean
is_manager (ChSession *session)
{
  return ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE) &&
         ch_session_get_role (session) == CH_ROLE_MANAGER;
}

static gboolean any_line_owed (ChAccountView *self);

static void
update_actions (ChAccountView *self)
{
  gboolean ready = is_ready (self);
  gboolean manager = self->session != NULL && is_manager (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.add-charge",
                                 ready && can_charge (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.mark-ready",
                                 ready && can_mark_ready (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.pay",
                                 ready && can_pay (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.apply-credit",
                                 ready && can_pay (self->session) && any_line_owed (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.refund", ready && manager);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.write-off", ready && manager);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.adjust", ready && manager);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.reverse", ready && manager);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.print-statement", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.print-invoice", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.reload",
                                 self->session != NULL && self->patient_id > 0 && !self->busy);

  /* What the role may never do is not offered at all. */
  gtk_widget_set_visible (self->pay_button, self->session != NULL && can_pay (self->session));
  gtk_widget_set_visible (self->apply_credit_button,
                          self->session != NULL && can_pay (self->session));
  gtk_widget_set_visible (self->corrections_button, manager);
}

static void
set_busy (ChAccountView *self,
          gboolean       busy)
{
  self->busy = busy;
  update_actions (self);
}

static void
show_error (ChAccountView *self,
            const char    *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  if (message != NULL)
    gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

/* ---- filling ---------------------------------------------------------------- */

static const ChFee *
find_fee (ChAccountView *self,
          gint64         fee_id)
{
  for (guint i = 0; self->fees != NULL && i < self->fees->len; i++)
    {
      const ChFee *fee = g_ptr_array_index (self->fees, i);

      if (fee->id == fee_id)
        return fee;
    }
  return NULL;
}

static const char *
problem_code (ChAccountView *self,
              gint64         item_id)
{
  for (guint i = 0; self->problems != NULL && i < self->problems->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (self->problems, i);

      if (item->id == item_id)
        return item->code;
    }
  return NULL;
}


static gboolean
any_line_owed (ChAccountView *self)
{
  for (guint i = 0; self->charges != NULL && i < self->charges->len; i++)
    {
      GPtrArray *lines = g_ptr_array_index (self->charges, i);

      for (guint j = 0; lines != NULL && j < lines->len; j++)
        if (ch_charge_line_owed (g_ptr_array_index (lines, j)) > 0)
          return TRUE;
    }
  return FALSE;
}

/* "99213 — Office visit, established patient" Returns: (transfer full) */
static char *
line_title (ChAccountView      *self,
            const ChChargeLine *line)
{
  const ChFee *fee = find_fee (self, line->fee_id);

  if (fee != NULL && fee->description != NULL && fee->description[0] != '\0')
    return g_strdup_printf ("%s — %s", line->code, fee->description);
  return g_strdup (line->code);
}

static GtkWidget *
flag_new (const char *text,
          const char *style)
{
  GtkWidget *flag = gtk_label_new (text);

  gtk_widget_set_valign (flag, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (flag, "chart-flag");
  if (style != NULL)
    gtk_widget_add_css_class (flag, style);
  return flag;
}

static GtkWidget *
button_new (const char *label,
            const char *action,
            gint64      id,
            const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", id);
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

/* Two lines at the end of a row: the amount, and under it a figure in grey. */
static GtkWidget *
amounts_new (const char *amount,
             const char *under)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *top = gtk_label_new (amount);
  GtkWidget *bottom = gtk_label_new (under);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (top), 1);
  gtk_label_set_xalign (GTK_LABEL (bottom), 1);
  gtk_widget_add_css_class (top, "numeric");
  gtk_widget_add_css_class (bottom, "numeric");
  gtk_widget_add_css_class (bottom, "dim-label");
  gtk_widget_add_css_class (bottom, "caption");
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), bottom);
  gtk_widget_set_visible (bottom, under != NULL && under[0] != '\0');
  return box;
}

static GtkWidget *
line_row_new (ChAccountView      *self,
              const ChChargeLine *line)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = line_title (self, line);
  g_autofree char *price = ch_billing_ui_money (line->unit_price_cents);
  g_autofree char *amount = ch_billing_ui_money (line->amount_cents);
  g_autofree char *owed_text = NULL;
  g_autofree char *name = g_strdup_printf ("line-%" PRId64, line->id);
  GString *subtitle = g_string_new (NULL);
  GString *dx = g_string_new (NULL);
  guint n_dx = 0;

  /* TRANSLATORS: a charge line's units and unit price: "2 × $75.00" */
  g_string_append_printf (subtitle, _("%" PRId64 " × %s"), line->units, price);
  if (line->modifiers != NULL && line->modifiers[0] != '\0')
    {
      g_auto (GStrv) mods = g_strsplit (line->modifiers, ":", -1);
      g_autofree char *joined = g_strjoinv (" ", mods);

      /* TRANSLATORS: a charge line's modifiers: " · Modifiers 25 59" */
      g_string_append_printf (subtitle, _(" · Modifiers %s"), joined);
    }
  for (guint i = 0; i < G_N_ELEMENTS (line->dx); i++)
    {
      const char *code;

      if (line->dx[i] == 0)
        continue;
      code = problem_code (self, line->dx[i]);
      if (code != NULL)
        g_string_append_printf (dx, "%s%s", dx->len > 0 ? ", " : "", code);
      n_dx++;
    }
  if (self->problems == NULL && n_dx > 0)
    /* The codes are the chart's, which this role does not read. */
    g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, " · %u diagnosis",
                                                   " · %u diagnoses", n_dx), n_dx);
  else if (dx->len > 0)
    /* TRANSLATORS: a charge line's diagnoses: " · Dx E11.9, I10" */
    g_string_append_printf (subtitle, _(" · Dx %s"), dx->str);

  if (line->reversed)
    owed_text = g_strdup (_("Reversed"));
  else if (ch_charge_line_owed (line) == 0)
    owed_text = g_strdup (_("Paid"));
  else
    {
      g_autofree char *owed = ch_billing_ui_money (ch_charge_line_owed (line));

      /* TRANSLATORS: what a charge line still owes: "Owed $75.00" */
      owed_text = g_strdup_printf (_("Owed %s"), owed);
    }

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), amounts_new (amount, owed_text));
  if (line->reversed)
    gtk_widget_add_css_class (row, "dim-label");
  g_string_free (subtitle, TRUE);
  g_string_free (dx, TRUE);
  return row;
}

static void
fill_encounters (ChAccountView *self)
{
  GtkWidget *child;
  guint n = self->encounters != NULL ? self->encounters->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->encounter_list))) != NULL)
    gtk_list_box_remove (self->encounter_list, child);

  for (guint i = 0; i < n; i++)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (self->encounters, i);
      GPtrArray *lines = g_ptr_array_index (self->charges, i);
      GtkWidget *row = adw_expander_row_new ();
      g_autofree char *date = ch_billing_ui_format_date (encounter->date);
      g_autofree char *charged = ch_billing_ui_money (encounter->charged_cents);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *name = g_strdup_printf ("encounter-%" PRId64,
                                               encounter->encounter_id);
      gint64 owed = 0;

      for (guint j = 0; lines != NULL && j < lines->len; j++)
        owed += ch_charge_line_owed (g_ptr_array_index (lines, j));

      if (encounter->reason != NULL && encounter->reason[0] != '\0')
        /* TRANSLATORS: an encounter: its date, then why the patient came */
        title = g_strdup_printf (_("%s · %s"), date, encounter->reason);
      else
        title = g_strdup (date);
      if (encounter->n_lines == 0)
        subtitle = g_strdup_printf (_("%s · no charges"),
                                    encounter->provider_name != NULL ? encounter->provider_name : "");
      else if (owed == 0)
        /* TRANSLATORS: "dr.smith · 2 charges, $150.00 · paid" */
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "%s · %" PRId64 " charge, %s · paid",
                                                 "%s · %" PRId64 " charges, %s · paid",
                                                 encounter->n_lines),
                                    encounter->provider_name != NULL ? encounter->provider_name : "",
                                    encounter->n_lines, charged);
      else
        {
          g_autofree char *owed_text = ch_billing_ui_money (owed);

          /* TRANSLATORS: "dr.smith · 2 charges, $150.00 · owed $75.00" */
          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "%s · %" PRId64 " charge, %s · owed %s",
                                                   "%s · %" PRId64 " charges, %s · owed %s",
                                                   encounter->n_lines),
                                      encounter->provider_name != NULL ? encounter->provider_name : "",
                                      encounter->n_lines, charged, owed_text);
        }

      gtk_widget_set_name (row, name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

      if (!encounter->active)
        adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                     flag_new (_("Entered in Error"), "error"));
      else if (encounter->ready)
        {
          GtkWidget *invoice = gtk_button_new_from_icon_name ("printer-symbolic");

          gtk_widget_set_valign (invoice, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (invoice), "account.print-invoice");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (invoice), "x",
                                            encounter->encounter_id);
          gtk_widget_set_tooltip_text (invoice, _("Print Invoice…"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (invoice),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Print Invoice…"), -1);
          gtk_widget_add_css_class (invoice, "flat");
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row), invoice);
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                       flag_new (_("Ready to Bill"), NULL));
        }
      else
        {
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                       flag_new (C_("encounter billing status", "Open"),
                                                 "warning"));
          if (can_charge (self->session))
            {
              GtkWidget *add = button_new (_("Add _Charge…"), "account.add-charge",
                                           encounter->encounter_id,
                                           _("Add a procedure from the fee schedule"));

              gtk_widget_add_css_class (add, "flat");
              adw_expander_row_add_action (ADW_EXPANDER_ROW (row), add);
            }
          if (can_mark_ready (self->session) && encounter->n_lines > 0)
            adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                         button_new (_("Mark _Ready to Bill…"),
                                                     "account.mark-ready",
                                                     encounter->encounter_id,
                                                     _("The coding is done: the encounter can be billed")));
        }

      for (guint j = 0; lines != NULL && j < lines->len; j++)
        adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                  line_row_new (self, g_ptr_array_index (lines, j)));
      if (lines == NULL || lines->len == 0)
        {
          GtkWidget *none = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (none), _("No charges yet"));
          gtk_widget_add_css_class (none, "dim-label");
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), none);
        }
      /* The open ones are being worked on: show their lines. */
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row),
                                     encounter->active && !encounter->ready && i < 3);
      gtk_list_box_append (self->encounter_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->encounter_list), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->encounter_empty_label), n == 0);
}

static const ChChargeLine *
find_line (ChAccountView *self,
           gint64         line_id)
{
  for (guint i = 0; self->charges != NULL && i < self->charges->len; i++)
    {
      GPtrArray *lines = g_ptr_array_index (self->charges, i);

      for (guint j = 0; j < lines->len; j++)
        {
          const ChChargeLine *line = g_ptr_array_index (lines, j);

          if (line->id == line_id)
            return line;
        }
    }
  return NULL;
}

/* A charge says what was done: "Charge — 99213 — Office visit …". */
static char *
describe_entry (ChAccountView       *self,
                const ChLedgerEntry *entry)
{
  const ChChargeLine *line = NULL;

  if (g_strcmp0 (entry->kind, "charge") == 0)
    line = find_line (self, entry->charge_line_id);
  if (line != NULL)
    {
      g_autofree char *title = line_title (self, line);

      /* TRANSLATORS: a charge in the ledger: "Charge — 99213 — Office visit" */
      return g_strdup_printf (_("Charge — %s"), title);
    }
  return ch_billing_ui_describe_entry (entry, self->payments);
}

static void
fill_ledger (ChAccountView *self)
{
  GtkWidget *child;
  guint n = self->ledger != NULL ? self->ledger->len : 0;
  g_autofree gint64 *running = g_new0 (gint64, n + 1);
  gint64 sum = 0;
  gboolean manager = is_manager (self->session);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->ledger_list))) != NULL)
    gtk_list_box_remove (self->ledger_list, child);

  for (guint i = 0; i < n; i++)
    {
      const ChLedgerEntry *entry = g_ptr_array_index (self->ledger, i);

      sum += entry->amount_cents;
      running[i] = sum;
    }

  /* Newest first: what the desk asks about is what just happened. */
  for (guint k = n; k > 0; k--)
    {
      const ChLedgerEntry *entry = g_ptr_array_index (self->ledger, k - 1);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *what = describe_entry (self, entry);
      g_autofree char *title = NULL;
      g_autofree char *when = ch_chart_ui_format_time (entry->posted_at);
      g_autofree char *amount = ch_billing_ui_money (entry->amount_cents);
      g_autofree char *after = ch_billing_ui_money (running[k - 1]);
      g_autofree char *after_text = NULL;
      g_autofree char *name = g_strdup_printf ("entry-%" PRId64, entry->id);
      GString *subtitle = g_string_new (NULL);

      /* TRANSLATORS: a ledger entry's number and what it is: "12 · Payment — card" */
      title = g_strdup_printf (_("%" PRId64 " · %s"), entry->id, what);
      g_string_append_printf (subtitle, "%s · %s", when,
                              entry->posted_by != NULL ? entry->posted_by : "");
      if (entry->reason != NULL && entry->reason[0] != '\0')
        g_string_append_printf (subtitle, " · %s", entry->reason);
      /* TRANSLATORS: the running balance after a ledger entry */
      after_text = g_strdup_printf (_("balance %s"), after);

      gtk_widget_set_name (row, name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      if (entry->reversed_by != 0)
        {
          g_autofree char *by = g_strdup_printf (_("Reversed by %" PRId64),
                                                 entry->reversed_by);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row), flag_new (by, "warning"));
        }
      else if (manager && g_strcmp0 (entry->kind, "reversal") != 0)
        {
          GtkWidget *reverse = gtk_button_new_from_icon_name ("edit-undo-symbolic");

          /* An icon on every row: a word would crowd the ledger. */
          gtk_widget_set_valign (reverse, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (reverse), "account.reverse");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (reverse), "x", entry->id);
          gtk_widget_set_tooltip_text (reverse, _("Reverse… (post the entry that undoes this one)"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (reverse), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Reverse…"), -1);
          gtk_widget_add_css_class (reverse, "flat");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), reverse);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), amounts_new (amount, after_text));
      gtk_list_box_append (self->ledger_list, row);
      g_string_free (subtitle, TRUE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->ledger_list), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->ledger_empty_label), n == 0);
}

static void
fill (ChAccountView *self)
{
  guint n_open = 0, n_ready = 0;
  g_autofree char *summary = NULL;

  g_free (self->balance_text);
  self->balance_text = ch_billing_ui_balance_text (self->balance);
  gtk_label_set_text (self->balance_label, self->balance_text);
  for (guint i = 0; self->encounters != NULL && i < self->encounters->len; i++)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (self->encounters, i);

      if (!encounter->active)
        continue;
      if (encounter->ready)
        n_ready++;
      else if (encounter->n_lines > 0)
        n_open++;
    }
  if (n_open > 0 && n_ready > 0)
    /* TRANSLATORS: under the balance */
    summary = g_strdup_printf (_("Encounters being coded: %u · ready to bill: %u"), n_open,
                               n_ready);
  else if (n_open > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u encounter being coded",
                                            "%u encounters being coded", n_open), n_open);
  else if (n_ready > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u encounter ready to bill",
                                            "%u encounters ready to bill", n_ready), n_ready);
  else
    summary = g_strdup (_("No encounter charged yet"));
  gtk_label_set_text (self->summary_label, summary);
  fill_encounters (self);
  fill_ledger (self);
  ch_ui_stack_show (self->stack, "account");
}

/* ---- loading ---------------------------------------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  guint      generation;
  GPtrArray *encounters;
  GPtrArray *charges;
  GPtrArray *ledger;
  GPtrArray *payments;
  GPtrArray *fees;
  GPtrArray *problems;
  gint64     balance;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->encounters, g_ptr_array_unref);
  g_clear_pointer (&load->charges, g_ptr_array_unref);
  g_clear_pointer (&load->ledger, g_ptr_array_unref);
  g_clear_pointer (&load->payments, g_ptr_array_unref);
  g_clear_pointer (&load->fees, g_ptr_array_unref);
  g_clear_pointer (&load->problems, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  load->ledger = ch_billing_ledger (load->session, load->patient_id, &load->balance, &error);
  if (load->ledger != NULL)
    load->encounters = ch_billing_encounters (load->session, load->patient_id, &error);
  if (load->encounters != NULL)
    load->payments = ch_billing_desk_payments_of (load->session, load->patient_id, &error);
  if (load->payments != NULL)
    load->fees = ch_billing_fees_list (load->session, NULL, &error);
  if (load->fees == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  load->charges = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < load->encounters->len; i++)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (load->encounters, i);
      GPtrArray *lines = ch_billing_charges (load->session, encounter->encounter_id, &error);

      if (lines == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (load->charges, lines);
    }

  /* The diagnosis codes are the chart's: read them for those who may. */
  if (ch_session_can (load->session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    {
      load->problems = ch_chart_list (load->session, load->patient_id, "problem", FALSE, &error);
      if (load->problems == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChAccountView *self = CH_ACCOUNT_VIEW (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (load->generation == self->generation)
        {
          adw_status_page_set_description (self->error_page, error->message);
          ch_ui_stack_show (self->stack, "error");
        }
      if (self->reload_pending)
        ch_account_view_start_load (self);
      return;
    }

  if (load->generation == self->generation)
    {
#define TAKE(field) \
      g_clear_pointer (&self->field, g_ptr_array_unref); \
      self->field = g_steal_pointer (&load->field)
      TAKE (encounters);
      TAKE (charges);
      TAKE (ledger);
      TAKE (payments);
      TAKE (fees);
      TAKE (problems);
#undef TAKE
      self->balance = load->balance;
      self->loaded = TRUE;
      fill (self);
    }
  set_busy (self, FALSE);
  if (self->reload_pending)
    ch_account_view_start_load (self);
}

static void
ch_account_view_start_load (ChAccountView *self)
{
  g_autoptr (GTask) task = NULL;
  Load *load;

  if (self->session == NULL || self->patient_id <= 0)
    return;
  if (self->busy)
    {
      self->reload_pending = TRUE;
      return;
    }
  self->reload_pending = FALSE;
  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_account_view_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  load->patient_id = self->patient_id;
  load->generation = self->generation;
  set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_account_view_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

/* ---- commands ------------------------------------------------------------------ */

static GtkWindow *
parent_window (ChAccountView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static gint
find_encounter (ChAccountView *self,
                gint64         encounter_id)
{
  for (guint i = 0; self->encounters != NULL && i < self->encounters->len; i++)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (self->encounters, i);

      if (encounter->encounter_id == encounter_id)
        return (gint) i;
    }
  return -1;
}

static const ChLedgerEntry *
find_entry (ChAccountView *self,
            gint64         entry_id)
{
  for (guint i = 0; self->ledger != NULL && i < self->ledger->len; i++)
    {
      const ChLedgerEntry *entry = g_ptr_array_index (self->ledger, i);

      if (entry->id == entry_id)
        return entry;
    }
  return NULL;
}

/* After a dialog stored something: say so, and read the account again. */
static void
on_changed (ChAccountView *self,
            const char    *message)
{
  show_error (self, NULL);
  if (message != NULL)
    ch_ui_toast (GTK_WIDGET (self), message);
  ch_account_view_reload (self);
}

static void
on_charge_added (ChAccountView *self)
{
  on_changed (self, _("Charge added"));
}

static void
on_paid (ChAccountView *self)
{
  on_changed (self, _("Payment recorded"));
}

static void
on_posted (ChAccountView *self)
{
  on_changed (self, _("Entry posted"));
}

GtkWidget *
ch_account_view_add_charge (ChAccountView *self,
                            gint64         encounter_id)
{
  const ChBillingEncounter *encounter;
  GtkWidget *dialog;
  gint i;

  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);

  i = find_encounter (self, encounter_id);
  if (i < 0 || !is_ready (self) || !can_charge (self->session))
    return NULL;
  encounter = g_ptr_array_index (self->encounters, i);
  /* Ready to bill, it takes no more charges (a wrong one is reversed). */
  if (!encounter->active || encounter->ready)
    return NULL;
  dialog = ch_charge_dialog_new (parent_window (self), self->session, encounter, self->fees,
                                 self->problems);
  g_signal_connect_object (dialog, "added", G_CALLBACK (on_charge_added), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
add_charge_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ch_account_view_add_charge (CH_ACCOUNT_VIEW (widget), g_variant_get_int64 (parameter));
}

static gboolean
mark_ready_func (ChSession  *session,
                 gpointer    data,
                 GError    **error)
{
  return ch_billing_mark_ready (session, *(gint64 *) data, error);
}

static void
change_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ChAccountView *self = CH_ACCOUNT_VIEW (object);
  g_autoptr (GError) error = NULL;
  g_autofree char *done = g_strdup (g_object_get_data (object, "next-done-message"));

  set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
      ch_ui_toast (GTK_WIDGET (self), error->message);
      ch_account_view_reload (self);
      return;
    }
  on_changed (self, done);
}

static void
run_change (ChAccountView   *self,
            ChBillingUiFunc  func,
            gpointer         data,
            GDestroyNotify   data_free,
            const char      *done_message)
{
  if (!is_ready (self))
    {
      if (data_free != NULL)
        data_free (data);
      ch_ui_toast (GTK_WIDGET (self), _("Charta is busy; try again in a moment"));
      return;
    }
  set_busy (self, TRUE);
  /* One change at a time (busy): change_done() reads it back. */
  g_object_set_data_full (G_OBJECT (self), "next-done-message", g_strdup (done_message), g_free);
  ch_billing_ui_run (self->session, self, self->cancellable, func, data, data_free, change_done);
}

static gboolean
apply_credit_func (ChSession  *session,
                   gpointer    data,
                   GError    **error)
{
  return ch_billing_apply_credit (session, *(gint64 *) data, error) >= 0;
}

/* Payments not allocated yet (money paid ahead) go to the lines still
 * owed, oldest first. The balance stays: it is the same money. */
void
ch_account_view_apply_credit (ChAccountView *self)
{
  gint64 *id;

  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));
  if (self->patient_id <= 0)
    return;
  id = g_new (gint64, 1);
  *id = self->patient_id;
  run_change (self, apply_credit_func, id, g_free, _("Payments applied to the lines owed"));
}

static void
apply_credit_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ch_account_view_apply_credit (CH_ACCOUNT_VIEW (widget));
}

static void
on_mark_ready_response (AdwMessageDialog *dialog,
                        const char       *response,
                        ChAccountView    *self)
{
  gint64 *id;

  if (!g_str_equal (response, "ready"))
    return;
  id = g_new (gint64, 1);
  *id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "encounter-id"));
  run_change (self, mark_ready_func, id, g_free, _("Marked ready to bill"));
}

GtkWidget *
ch_account_view_mark_ready (ChAccountView *self,
                            gint64         encounter_id)
{
  const ChBillingEncounter *encounter;
  g_autofree char *date = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  gint i;

  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);

  i = find_encounter (self, encounter_id);
  if (i < 0 || !is_ready (self) || !can_mark_ready (self->session))
    return NULL;
  encounter = g_ptr_array_index (self->encounters, i);
  if (!encounter->active || encounter->ready || encounter->n_lines == 0)
    return NULL;
  date = ch_billing_ui_format_date (encounter->date);
  amount = ch_billing_ui_money (encounter->charged_cents);
  /* TRANSLATORS: "The encounter of 12 Mar 2026 (2 charges, $150.00) …" */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The encounter of %s (%" PRId64 " charge, %s) "
                                       "can then be billed, and takes no more charges; a wrong "
                                       "charge is corrected by reversing it.",
                                       "The encounter of %s (%" PRId64 " charges, %s) "
                                       "can then be billed, and takes no more charges; a wrong "
                                       "charge is corrected by reversing it.",
                                       encounter->n_lines),
                          date, encounter->n_lines, amount);
  dialog = adw_message_dialog_new (parent_window (self), _("Mark Ready to Bill?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "ready", _("Mark _Ready"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ready",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ready");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "encounter-id", GSIZE_TO_POINTER ((gsize) encounter_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_mark_ready_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
mark_ready_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ch_account_view_mark_ready (CH_ACCOUNT_VIEW (widget), g_variant_get_int64 (parameter));
}

GtkWidget *
ch_account_view_take_payment (ChAccountView *self)
{
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (GHashTable) descriptions = NULL;
  GtkWidget *dialog;

  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);

  if (!is_ready (self) || !can_pay (self->session))
    return NULL;

  /* The lines still owed, oldest first: encounters are newest first. */
  open = g_ptr_array_new ();
  descriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = self->encounters->len; i > 0; i--)
    {
      const ChBillingEncounter *encounter = g_ptr_array_index (self->encounters, i - 1);
      GPtrArray *lines = g_ptr_array_index (self->charges, i - 1);

      for (guint j = 0; j < lines->len; j++)
        {
          ChChargeLine *line = g_ptr_array_index (lines, j);
          g_autofree char *date = NULL;
          g_autofree char *title = NULL;
          gint64 *key;

          if (ch_charge_line_owed (line) <= 0)
            continue;
          g_ptr_array_add (open, line);
          date = ch_billing_ui_format_date (encounter->date);
          title = line_title (self, line);
          key = g_new (gint64, 1);
          *key = line->id;
          g_hash_table_insert (descriptions, key, g_strdup_printf ("%s · %s", date, title));
        }
    }

  dialog = ch_payment_dialog_new (parent_window (self), self->session, self->patient_id, open,
                                  descriptions);
  g_signal_connect_object (dialog, "paid", G_CALLBACK (on_paid), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
pay_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ch_account_view_take_payment (CH_ACCOUNT_VIEW (widget));
}

GtkWidget *
ch_account_view_correct (ChAccountView *self,
                         const char    *kind)
{
  GtkWidget *dialog;

  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);

  if (!is_ready (self) || !is_manager (self->session))
    return NULL;
  dialog = ch_ledger_entry_dialog_new (parent_window (self), self->session, self->patient_id,
                                       kind);
  g_signal_connect_object (dialog, "posted", G_CALLBACK (on_posted), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
correct_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  const char *kind = "adjustment";

  if (g_str_equal (action_name, "account.refund"))
    kind = "refund";
  else if (g_str_equal (action_name, "account.write-off"))
    kind = "write-off";
  ch_account_view_correct (CH_ACCOUNT_VIEW (widget), kind);
}

typedef struct
{
  gint64  entry_id;
  char   *reason;
} Reverse;

static void
reverse_free (Reverse *reverse)
{
  g_free (reverse->reason);
  g_free (reverse);
}

static gboolean
reverse_func (ChSession  *session,
              gpointer    data,
              GError    **error)
{
  Reverse *reverse = data;
  g_autoptr (ChLedgerEntry) entry = ch_billing_reverse (session, reverse->entry_id,
                                                        reverse->reason, error);

  return entry != NULL;
}

static void
on_reverse_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ChAccountView    *self)
{
  Reverse *reverse;

  if (!g_str_equal (response, "confirm"))
    return;
  reverse = g_new0 (Reverse, 1);
  reverse->entry_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "entry-id"));
  reverse->reason = ch_chart_ui_reason_dialog_get_reason (dialog);
  run_change (self, reverse_func, reverse, (GDestroyNotify) reverse_free, _("Entry reversed"));
}

GtkWidget *
ch_account_view_reverse (ChAccountView *self,
                         gint64         entry_id)
{
  const ChLedgerEntry *entry;
  g_autofree char *what = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);

  entry = find_entry (self, entry_id);
  if (entry == NULL || !is_ready (self) || !is_manager (self->session) ||
      entry->reversed_by != 0 || g_strcmp0 (entry->kind, "reversal") == 0)
    return NULL;
  what = describe_entry (self, entry);
  amount = ch_billing_ui_money (entry->amount_cents);
  /* TRANSLATORS: "Reverse Entry 12?" */
  heading = g_strdup_printf (_("Reverse Entry %" PRId64 "?"), entry->id);
  /* TRANSLATORS: "“Payment — card (ref 1234)”, −$50.00, is undone by …" */
  body = g_strdup_printf (_("“%s”, %s, is undone by a reversing entry of the opposite amount. "
                            "Both stay in the ledger. Say why."), what, amount);
  dialog = ch_chart_ui_reason_dialog_new (parent_window (self), heading, body, _("Re_verse"));
  g_object_set_data (G_OBJECT (dialog), "entry-id", GSIZE_TO_POINTER ((gsize) entry_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_reverse_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
reverse_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ch_account_view_reverse (CH_ACCOUNT_VIEW (widget), g_variant_get_int64 (parameter));
}

/* ---- print-outs (app/billing/ch-billing-docs.h) -------------------------------- */

typedef struct
{
  ChSession *session;
  gint64     patient_id;
  gint64     encounter_id;   /* 0: the statement */
  char      *path;           /* (nullable): written there, not printed */
} Print;

static void
print_free (Print *print)
{
  g_clear_object (&print->session);
  g_free (print->path);
  g_free (print);
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Print *print = task_data;
  GError *error = NULL;
  GBytes *pdf;

  if (print->encounter_id > 0)
    pdf = ch_billing_invoice_pdf (print->session, print->encounter_id, CH_INVOICE_TO_PATIENT,
                                  &error);
  else
    pdf = ch_billing_statement_pdf (print->session, print->patient_id, NULL, NULL, &error);
  if (pdf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pdf, (GDestroyNotify) g_bytes_unref);
}

static void
print_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ChAccountView *self = CH_ACCOUNT_VIEW (object);
  Print *print = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *job = NULL;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (pdf == NULL)
    {
      show_error (self, error->message);
      return;
    }
  if (print->encounter_id > 0)
    job = ch_billing_invoice_number (print->encounter_id);
  else
    /* TRANSLATORS: the print job of a patient's statement */
    job = g_strdup (_("Statement"));
  if (!ch_ui_print_pdf (parent_window (self), pdf, job, print->path, &error))
    show_error (self, error->message);
}

/**
 * ch_account_view_print:
 * @encounter_id: the encounter whose invoice to print, or 0 for the
 *   patient's statement (the last 90 days)
 * @export_path: (nullable): a PDF file to write instead of printing
 *
 * Renders the print-out on a worker, then prints it.
 */
void
ch_account_view_print (ChAccountView *self,
                       gint64         encounter_id,
                       const char    *export_path)
{
  g_autoptr (GTask) task = NULL;
  Print *print;

  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));

  if (!is_ready (self))
    return;
  print = g_new0 (Print, 1);
  print->session = g_object_ref (self->session);
  print->patient_id = self->patient_id;
  print->encounter_id = encounter_id;
  print->path = g_strdup (export_path);
  set_busy (self, TRUE);
  task = ch_ui_session_task_new (self->session, self, self->cancellable, print_done, NULL);
  g_task_set_source_tag (task, ch_account_view_print);
  g_task_set_task_data (task, print, (GDestroyNotify) print_free);
  ch_ui_session_run_task (task, print_thread);
}

static void
print_statement_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ch_account_view_print (CH_ACCOUNT_VIEW (widget), 0, NULL);
}

static void
print_invoice_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ch_account_view_print (CH_ACCOUNT_VIEW (widget), g_variant_get_int64 (parameter), NULL);
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ch_account_view_reload (CH_ACCOUNT_VIEW (widget));
}

/* ---- public ------------------------------------------------------------------- */

GtkWidget *
ch_account_view_new (void)
{
  return g_object_new (CH_TYPE_ACCOUNT_VIEW, NULL);
}

void
ch_account_view_set_session (ChAccountView *self,
                             ChSession     *session)
{
  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));
  g_return_if_fail (CH_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  ch_ui_session_watch_busy (session, G_OBJECT (self), G_CALLBACK (update_actions));
  update_actions (self);
}

void
ch_account_view_load (ChAccountView *self,
                      gint64         patient_id,
                      const char    *label)
{
  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));

  ch_account_view_clear (self);
  self->patient_id = patient_id;
  self->patient_label = g_strdup (label);
  ch_account_view_start_load (self);
}

void
ch_account_view_clear (ChAccountView *self)
{
  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));

  /* A load under way for the patient before is dropped when it returns. */
  self->generation++;
  self->patient_id = 0;
  self->loaded = FALSE;
  self->balance = 0;
  g_clear_pointer (&self->patient_label, g_free);
  g_clear_pointer (&self->balance_text, g_free);
  g_clear_pointer (&self->encounters, g_ptr_array_unref);
  g_clear_pointer (&self->charges, g_ptr_array_unref);
  g_clear_pointer (&self->ledger, g_ptr_array_unref);
  g_clear_pointer (&self->payments, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  gtk_label_set_text (self->balance_label, "");
  gtk_label_set_text (self->summary_label, "");
  show_error (self, NULL);
  ch_ui_stack_show (self->stack, "loading");
  update_actions (self);
}

void
ch_account_view_reload (ChAccountView *self)
{
  g_return_if_fail (CH_IS_ACCOUNT_VIEW (self));

  ch_account_view_start_load (self);
}

gint64
ch_account_view_get_patient_id (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), 0);
  return self->patient_id;
}

gboolean
ch_account_view_get_busy (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), FALSE);
  return self->busy || self->reload_pending || (self->patient_id > 0 && !self->loaded);
}

gint64
ch_account_view_get_balance (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), 0);
  return self->balance;
}

/* Returns: (nullable): the balance as shown at the top */
const char *
ch_account_view_get_balance_text (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);
  return gtk_label_get_text (self->balance_label);
}

/* Returns: (transfer none) (element-type ChBillingEncounter) (nullable) */
GPtrArray *
ch_account_view_get_encounters (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);
  return self->encounters;
}

/* Returns: (transfer none) (element-type ChLedgerEntry) (nullable): oldest first */
GPtrArray *
ch_account_view_get_ledger (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);
  return self->ledger;
}

const char *
ch_account_view_get_error (ChAccountView *self)
{
  g_return_val_if_fail (CH_IS_ACCOUNT_VIEW (self), NULL);
  return self->error;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ch_account_view_dispose (GObject *object)
{
  ChAccountView *self = CH_ACCOUNT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_ACCOUNT_VIEW);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_account_view_parent_class)->dispose (object);
}

static void
ch_account_view_finalize (GObject *object)
{
  ChAccountView *self = CH_ACCOUNT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->patient_label, g_free);
  g_clear_pointer (&self->balance_text, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->encounters, g_ptr_array_unref);
  g_clear_pointer (&self->charges, g_ptr_array_unref);
  g_clear_pointer (&self->ledger, g_ptr_array_unref);
  g_clear_pointer (&self->payments, g_ptr_array_unref);
  g_clear_pointer (&self->fees, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_account_view_parent_class)->finalize (object);
}

static void
ch_account_view_class_init (ChAccountViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_account_view_dispose;
  object_class->finalize = ch_account_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-account-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, balance_label);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, pay_button);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, apply_credit_button);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, corrections_button);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, stack);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, encounter_list);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, encounter_empty_label);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, ledger_list);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, ledger_empty_label);
  gtk_widget_class_bind_template_child (widget_class, ChAccountView, error_page);

  gtk_widget_class_install_action (widget_class, "account.add-charge", "x", add_charge_activated);
  gtk_widget_class_install_action (widget_class, "account.mark-ready", "x", mark_ready_activated);
  gtk_widget_class_install_action (widget_class, "account.pay", NULL, pay_activated);
  gtk_widget_class_install_action (widget_class, "account.refund", NULL, correct_activated);
  gtk_widget_class_install_action (widget_class, "account.write-off", NULL, correct_activated);
  gtk_widget_class_install_action (widget_class, "account.adjust", NULL, correct_activated);
  gtk_widget_class_install_action (widget_class, "account.reverse", "x", reverse_activated);
  gtk_widget_class_install_action (widget_class, "account.apply-credit", NULL,
                                   apply_credit_activated);
  gtk_widget_class_install_action (widget_class, "account.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "account.print-statement", NULL,
                                   print_statement_activated);
  gtk_widget_class_install_action (widget_class, "account.print-invoice", "x",
                                   print_invoice_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "account.reload", NULL);
}

static void
ch_account_view_init (ChAccountView *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  ch_ui_stack_show (self->stack, "loading");
  update_actions (self);
}
