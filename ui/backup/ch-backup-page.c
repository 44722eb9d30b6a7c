/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-backup-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-backup.h"
#include "ch-backup-page.h"
#include "ch-ui.h"

/* The office manager's view of the backups: the last good one, the last
 * failure and why, read from the runs recorded (by charta-admin backup now
 * and charta-backupd). Overdue — none in 36 hours — it says so first. */

struct _ChBackupPage
{
  AdwBin         parent_instance;

  GtkStack      *stack;
  AdwStatusPage *error_page;
  GtkWidget     *overdue_box;
  GtkLabel      *overdue_label;
  AdwActionRow  *ok_row;
  GtkImage      *ok_icon;
  AdwActionRow  *failed_row;
  AdwActionRow  *target_row;

  ChSession     *session;
  GCancellable  *cancellable;
  char          *summary;
  gboolean       busy;
  gboolean       loaded;
  gboolean       overdue;
};

G_DEFINE_FINAL_TYPE (ChBackupPage, ch_backup_page, ADW_TYPE_BIN)

gboolean
ch_backup_overdue (gint64   last_ok_unix,
                   gint64   now_unix,
                   char   **out_message)
{
  gint64 age = now_unix - last_ok_unix;
  gboolean overdue = ch_backup_is_overdue (last_ok_unix, now_unix);

  if (out_message == NULL)
    return overdue;
  *out_message = NULL;
  if (!overdue)
    return FALSE;

  if (last_ok_unix <= 0)
    *out_message = g_strdup (_("No backup of this practice has succeeded yet. Set one up now: "
                               "a dead disk or ransomware would take every record with it."));
  else
    {
      guint hours = (guint) (age / 3600);

      if (hours < 72)
        *out_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The last good backup is %u hour old.",
                                                     "The last good backup is %u hours old.",
                                                     hours), hours);
      else
        *out_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The last good backup is %u day old.",
                                                     "The last good backup is %u days old.",
                                                     hours / 24), hours / 24);
    }
  return TRUE;
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  /* TRANSLATORS: a date and time as g_date_time_format() writes it */
  return time != NULL ? g_date_time_format (time, _("%-d %b %Y, %H:%M")) : g_strdup ("");
}

static void
ch_backup_page_show (ChBackupPage      *self,
                     ChBackupRunRecord *last_ok,
                     ChBackupRunRecord *last_failed,
                     const char        *target,
                     gint64             next_run)
{
  g_autofree char *message = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->overdue = ch_backup_overdue (last_ok != NULL ? last_ok->finished_at : 0,
                                     g_date_time_to_unix (now), &message);
  gtk_label_set_text (self->overdue_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->overdue_box, self->overdue);

  if (last_ok != NULL)
    {
      g_autofree char *when = format_time (last_ok->finished_at);
      g_autofree char *size = g_format_size (last_ok->size);
      g_autofree char *name = last_ok->archive != NULL ? g_path_get_basename (last_ok->archive)
                                                       : g_strdup ("");
      /* TRANSLATORS: when · archive file · size · where */
      g_autofree char *text = g_strdup_printf (_("%s · %s, %s · verified · in %s"), when, name,
                                               size, last_ok->target);

      adw_action_row_set_subtitle (self->ok_row, text);
      gtk_image_set_from_icon_name (self->ok_icon, self->overdue ? "dialog-warning-symbolic"
                                                                 : "emblem-ok-symbolic");
      g_free (self->summary);
      self->summary = g_strdup (text);
    }
  else
    {
      adw_action_row_set_subtitle (self->ok_row, _("None yet"));
      gtk_image_set_from_icon_name (self->ok_icon, "dialog-warning-symbolic");
      g_free (self->summary);
      self->summary = g_strdup (_("None yet"));
    }

  if (target != NULL)
    {
      g_autofree char *next = next_run > 0 ? format_time (next_run) : g_strdup ("—");
      /* TRANSLATORS: where backups go, and when the next one runs */
      g_autofree char *text = g_strdup_printf (_("%s · next %s"), target, next);

      adw_action_row_set_subtitle (self->target_row, text);
    }
  else
    adw_action_row_set_subtitle (self->target_row,
                                 _("None set: “charta-admin backup config --target dir:PATH”"));

  gtk_widget_set_visible (GTK_WIDGET (self->failed_row), last_failed != NULL);
  if (last_failed != NULL)
    {
      g_autofree char *when = format_time (last_failed->finished_at);
      const char *reason = last_failed->reason != NULL ? last_failed->reason : "";
      gboolean resolved = last_ok != NULL && last_ok->finished_at >= last_failed->finished_at;
      g_autofree char *text = NULL;

      if (resolved)
        /* TRANSLATORS: when a backup failed, and why; one after it succeeded */
        text = g_strdup_printf (_("%s · %s · a later backup succeeded"), when, reason);
      else
        text = g_strdup_printf ("%s · %s", when, reason);

      adw_action_row_set_subtitle (self->failed_row, text);
    }
  ch_ui_stack_show (self->stack, "status");
}

/* ---- loading ---------------------------------------------------------------- */

typedef struct
{
  ChSession      *session;
  ChBackupStatus *status;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->session);
  g_clear_pointer (&load->status, ch_backup_status_free);
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

  load->status = ch_backup_get_status (load->session, g_get_real_time () / G_USEC_PER_SEC,
                                       &error);
  if (load->status != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChBackupPage *self = CH_BACKUP_PAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      adw_status_page_set_description (self->error_page, error->message);
      ch_ui_stack_show (self->stack, "error");
      return;
    }

  self->busy = FALSE;
  self->loaded = TRUE;
  ch_backup_page_show (self, load->status->last_ok, load->status->last_failed,
                       load->status->target, load->status->next_run);
}

static void
ch_backup_page_start_load (ChBackupPage *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (ch_ui_session_is_busy (self->session))
    {
      ch_ui_session_when_idle (self->session, G_OBJECT (self),
                               G_CALLBACK (ch_backup_page_start_load));
      return;
    }

  load = g_new0 (Load, 1);
  load->session = g_object_ref (self->session);
  self->busy = TRUE;
  task = ch_ui_session_task_new (self->session, self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_backup_page_start_load);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  ch_ui_session_run_task (task, load_thread);
}

void
ch_backup_page_reload (ChBackupPage *self)
{
  g_return_if_fail (CH_IS_BACKUP_PAGE (self));

  ch_backup_page_start_load (self);
}

gboolean
ch_backup_page_get_busy (ChBackupPage *self)
{
  g_return_val_if_fail (CH_IS_BACKUP_PAGE (self), FALSE);

  return self->busy || !self->loaded;
}

gboolean
ch_backup_page_get_overdue (ChBackupPage *self)
{
  g_return_val_if_fail (CH_IS_BACKUP_PAGE (self), FALSE);

  return self->overdue;
}

/* Returns: (nullable): what the last-good-backup row says, once read */
const char *
ch_backup_page_get_summary (ChBackupPage *self)
{
  g_return_val_if_fail (CH_IS_BACKUP_PAGE (self), NULL);

  return self->summary;
}

/* What the "Last Failure" row says, or %NULL when it is not shown. */
const char *
ch_backup_page_get_failure (ChBackupPage *self)
{
  g_return_val_if_fail (CH_IS_BACKUP_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->failed_row)))
    return NULL;
  return adw_action_row_get_subtitle (self->failed_row);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ch_backup_page_dispose (GObject *object)
{
  ChBackupPage *self = CH_BACKUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ch_backup_page_parent_class)->dispose (object);
}

static void
ch_backup_page_finalize (GObject *object)
{
  ChBackupPage *self = CH_BACKUP_PAGE (object);

  g_clear_object (&self->cancellable);
  g_free (self->summary);

  G_OBJECT_CLASS (ch_backup_page_parent_class)->finalize (object);
}

static void
ch_backup_page_class_init (ChBackupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  ch_ui_init ();
  object_class->dispose = ch_backup_page_dispose;
  object_class->finalize = ch_backup_page_finalize;
}

static void
ch_backup_page_init (ChBackupPage *self)
{
  GtkWidget *clamp, *box, *heading, *subtitle, *group, *spinner, *help;

  self->cancellable = g_cancellable_new ();

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  gtk_widget_set_margin_top (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  heading = gtk_label_new (_("Backups"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-2");
  gtk_box_append (GTK_BOX (box), heading);
  subtitle = gtk_label_new (_("Encrypted copies of the whole practice — records, documents and "
                              "keys — each verified after it is written."));
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (box), subtitle);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reading the backup status"), -1);
  gtk_stack_add_named (self->stack, spinner, "loading");

  group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->overdue_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->overdue_box, "backup-overdue");
  gtk_box_append (GTK_BOX (self->overdue_box),
                  gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  self->overdue_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->overdue_label, TRUE);
  gtk_label_set_xalign (self->overdue_label, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->overdue_label), TRUE);
  gtk_box_append (GTK_BOX (self->overdue_box), GTK_WIDGET (self->overdue_label));
  gtk_box_append (GTK_BOX (group), self->overdue_box);

  {
    GtkWidget *list = gtk_list_box_new ();

    gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
    gtk_widget_add_css_class (list, "boxed-list");
    self->ok_row = ADW_ACTION_ROW (adw_action_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->ok_row), _("Last Good Backup"));
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->ok_row), FALSE);
    self->ok_icon = GTK_IMAGE (gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
    adw_action_row_add_prefix (self->ok_row, GTK_WIDGET (self->ok_icon));
    self->failed_row = ADW_ACTION_ROW (adw_action_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->failed_row), _("Last Failure"));
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->failed_row), FALSE);
    adw_action_row_set_subtitle_lines (self->failed_row, 3);
    adw_action_row_add_prefix (self->failed_row,
                               gtk_image_new_from_icon_name ("dialog-error-symbolic"));
    self->target_row = ADW_ACTION_ROW (adw_action_row_new ());
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->target_row), _("Target"));
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->target_row), FALSE);
    adw_action_row_add_prefix (self->target_row,
                               gtk_image_new_from_icon_name ("drive-harddisk-symbolic"));
    gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->target_row));
    gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->ok_row));
    gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->failed_row));
    gtk_box_append (GTK_BOX (group), list);
  }

  help = gtk_label_new (_("Backups are taken every night by charta-backupd and on demand with "
                          "“charta-admin backup now”; “charta-admin backup restore” brings one "
                          "back into a new folder."));
  gtk_label_set_wrap (GTK_LABEL (help), TRUE);
  gtk_label_set_xalign (GTK_LABEL (help), 0);
  gtk_widget_add_css_class (help, "dim-label");
  gtk_widget_add_css_class (help, "caption");
  gtk_box_append (GTK_BOX (group), help);
  gtk_stack_add_named (self->stack, group, "status");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->error_page, _("The Backup Status Cannot Be Read"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");
  ch_ui_stack_show (self->stack, "loading");

  adw_bin_set_child (ADW_BIN (self), clamp);
}

GtkWidget *
ch_backup_page_new (ChSession *session)
{
  ChBackupPage *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  self = g_object_new (CH_TYPE_BACKUP_PAGE, NULL);
  self->session = g_object_ref (session);
  ch_backup_page_start_load (self);
  return GTK_WIDGET (self);
}
