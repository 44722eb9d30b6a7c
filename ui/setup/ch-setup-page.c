/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-setup-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-setup-page.h"
#include "ch-ui.h"

/* The first-run assistant: the practice, its first administrator, then the
 * recovery key, shown once. */

struct _ChSetupPage
{
  AdwBin        parent_instance;

  GtkStack     *steps;
  GtkLabel     *dir_label;
  AdwEntryRow  *name_row;
  AdwEntryRow  *address_row;
  AdwEntryRow  *username_row;
  AdwEntryRow  *display_name_row;
  GtkWidget    *password_row;
  GtkWidget    *confirm_row;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkLabel     *recovery_label;
  GtkCheckButton *confirm_check;

  char         *practice_dir;
  ChPractice   *practice;
  char         *recovery_key;
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (ChSetupPage, ch_setup_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PRACTICE_DIR,
  PROP_BUSY,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  char *dir;
  char *name;
  char *address;
  char *username;
  char *display_name;
  char *password;
} CreateData;

typedef struct
{
  ChPractice *practice;
  char       *recovery_key;
} CreateResult;

static void
create_data_free (gpointer data)
{
  CreateData *create = data;

  g_free (create->dir);
  g_free (create->name);
  g_free (create->address);
  g_free (create->username);
  g_free (create->display_name);
  ch_ui_free_secret (create->password);
  g_free (create);
}

static void
create_result_free (gpointer data)
{
  CreateResult *result = data;

  g_clear_object (&result->practice);
  ch_ui_free_secret (result->recovery_key);
  g_free (result);
}

static void
ch_setup_page_set_busy (ChSetupPage *self,
                        gboolean     busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.create", !busy);
  ch_ui_stack_show (self->steps, busy ? "working" : "form");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
ch_setup_page_show_error (ChSetupPage *self,
                          const char  *message,
                          GtkWidget   *row)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (row != NULL)
    {
      ch_ui_set_row_error (row, TRUE);
      gtk_widget_grab_focus (row);
    }
}

static void
ch_setup_page_clear_errors (ChSetupPage *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->name_row), GTK_WIDGET (self->address_row),
    GTK_WIDGET (self->username_row), GTK_WIDGET (self->display_name_row),
    self->password_row, self->confirm_row,
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    ch_ui_set_row_error (rows[i], FALSE);

  ch_setup_page_show_error (self, NULL, NULL);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *create = task_data;
  ChPracticeSetup setup = {
    .name = create->name,
    .address = create->address,
    .admin_user = create->username,
    .admin_display_name = create->display_name,
    .admin_password = create->password,
  };
  g_autoptr(GError) error = NULL;
  CreateResult *result = g_new0 (CreateResult, 1);

  result->practice = ch_practice_create (create->dir, &setup, &result->recovery_key, &error);
  if (result->practice == NULL)
    {
      create_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, result, create_result_free);
}

static void
create_done (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  ChSetupPage *self = CH_SETUP_PAGE (object);
  g_autoptr(GError) error = NULL;
  CreateResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ch_setup_page_set_busy (self, FALSE);
      ch_setup_page_show_error (self, error->message, NULL);
      return;
    }

  ch_setup_page_set_busy (self, FALSE);

  self->practice = g_steal_pointer (&result->practice);
  self->recovery_key = g_steal_pointer (&result->recovery_key);
  create_result_free (result);

  /* The password has served its purpose; do not leave it in the entries. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");

  gtk_label_set_text (self->recovery_label, self->recovery_key);
  gtk_check_button_set_active (self->confirm_check, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.finish", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.copy-key", TRUE);
  ch_ui_stack_show (self->steps, "recovery");
}

static char *
entry_text (gpointer editable)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable)));

  return g_strstrip (g_steal_pointer (&text));
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChSetupPage *self = CH_SETUP_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *username = NULL;
  g_autofree char *display_name = NULL;
  const char *password;
  const char *confirm;
  CreateData *create;

  if (self->busy || self->practice_dir == NULL)
    return;

  ch_setup_page_clear_errors (self);

  name = entry_text (self->name_row);
  address = entry_text (self->address_row);
  username = entry_text (self->username_row);
  display_name = entry_text (self->display_name_row);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  if (!ch_validate_username (username, &error))
    {
      ch_setup_page_show_error (self, error->message, GTK_WIDGET (self->username_row));
      return;
    }

  if (!ch_validate_password (password, &error))
    {
      ch_setup_page_show_error (self, error->message, self->password_row);
      return;
    }

  if (g_strcmp0 (password, confirm) != 0)
    {
      ch_setup_page_show_error (self, _("The two passwords do not match."), self->confirm_row);
      return;
    }

  create = g_new0 (CreateData, 1);
  create->dir = g_strdup (self->practice_dir);
  create->name = g_steal_pointer (&name);
  create->address = *address != '\0' ? g_steal_pointer (&address) : NULL;
  create->username = g_steal_pointer (&username);
  create->display_name = *display_name != '\0' ? g_steal_pointer (&display_name) : NULL;
  create->password = ch_ui_strdup_secret (password);

  ch_setup_page_set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, create_done, NULL);
  g_task_set_source_tag (task, create_activated);
  g_task_set_task_data (task, create, create_data_free);
  g_task_run_in_thread (task, create_thread);
}

static void
copy_key_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ChSetupPage *self = CH_SETUP_PAGE (widget);

  if (self->recovery_key == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->recovery_key);
  ch_ui_toast (widget, _("Recovery key copied"));
}

static void
finish_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChSetupPage *self = CH_SETUP_PAGE (widget);
  g_autoptr(ChPractice) practice = NULL;

  if (self->practice == NULL || !gtk_check_button_get_active (self->confirm_check))
    return;

  practice = g_steal_pointer (&self->practice);

  gtk_label_set_text (self->recovery_label, "");
  g_clear_pointer (&self->recovery_key, ch_ui_free_secret);
  gtk_widget_action_set_enabled (widget, "setup.copy-key", FALSE);
  gtk_widget_action_set_enabled (widget, "setup.finish", FALSE);

  g_signal_emit (self, signals[FINISHED], 0, practice);
}

static void
on_confirm_check_active (ChSetupPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.finish",
                                 self->practice != NULL &&
                                 gtk_check_button_get_active (self->confirm_check));
}

static void
on_entry_activated (ChSetupPage *self,
                    AdwEntryRow *row)
{
  GtkWidget *order[] = {
    GTK_WIDGET (self->name_row), GTK_WIDGET (self->address_row),
    GTK_WIDGET (self->username_row), GTK_WIDGET (self->display_name_row),
    self->password_row, self->confirm_row,
  };

  /* Enter moves to the next field, and on the last one creates the practice. */
  for (guint i = 0; i + 1 < G_N_ELEMENTS (order); i++)
    {
      if (order[i] == GTK_WIDGET (row))
        {
          gtk_widget_grab_focus (order[i + 1]);
          return;
        }
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "setup.create", NULL);
}

GtkWidget *
ch_setup_page_new (void)
{
  return g_object_new (CH_TYPE_SETUP_PAGE, NULL);
}

const char *
ch_setup_page_get_practice_dir (ChSetupPage *self)
{
  g_return_val_if_fail (CH_IS_SETUP_PAGE (self), NULL);

  return self->practice_dir;
}

void
ch_setup_page_set_practice_dir (ChSetupPage *self,
                                const char  *practice_dir)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CH_IS_SETUP_PAGE (self));

  if (g_strcmp0 (self->practice_dir, practice_dir) == 0)
    return;

  g_free (self->practice_dir);
  self->practice_dir = g_strdup (practice_dir);

  if (practice_dir != NULL)
    /* Translators: %s is a folder */
    text = g_strdup_printf (_("Practice folder: %s"), practice_dir);
  gtk_label_set_text (self->dir_label, text);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRACTICE_DIR]);
}

gboolean
ch_setup_page_get_busy (ChSetupPage *self)
{
  g_return_val_if_fail (CH_IS_SETUP_PAGE (self), FALSE);

  return self->busy;
}

/* Returns: (transfer full): the practice name as entered */
char *
ch_setup_page_dup_practice_name (ChSetupPage *self)
{
  g_return_val_if_fail (CH_IS_SETUP_PAGE (self), NULL);

  return entry_text (self->name_row);
}

/* Returns: (transfer full): the administrator's user name as entered */
char *
ch_setup_page_dup_username (ChSetupPage *self)
{
  g_return_val_if_fail (CH_IS_SETUP_PAGE (self), NULL);

  return entry_text (self->username_row);
}

static void
ch_setup_page_dispose (GObject *object)
{
  ChSetupPage *self = CH_SETUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->practice);
  g_clear_pointer (&self->recovery_key, ch_ui_free_secret);

  gtk_widget_dispose_template (GTK_WIDGET (self), CH_TYPE_SETUP_PAGE);

  G_OBJECT_CLASS (ch_setup_page_parent_class)->dispose (object);
}

static void
ch_setup_page_finalize (GObject *object)
{
  ChSetupPage *self = CH_SETUP_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->practice_dir, g_free);

  G_OBJECT_CLASS (ch_setup_page_parent_class)->finalize (object);
}

static void
ch_setup_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChSetupPage *self = CH_SETUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      g_value_set_string (value, self->practice_dir);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_setup_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ChSetupPage *self = CH_SETUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICE_DIR:
      ch_setup_page_set_practice_dir (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_setup_page_class_init (ChSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ch_ui_init ();

  object_class->dispose = ch_setup_page_dispose;
  object_class->finalize = ch_setup_page_finalize;
  object_class->get_property = ch_setup_page_get_property;
  object_class->set_property = ch_setup_page_set_property;

  properties[PROP_PRACTICE_DIR] =
    g_param_spec_string ("practice-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChSetupPage::finished:
   * @practice: the new practice
   *
   * The practice exists and the recovery key has been acknowledged.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CH_TYPE_PRACTICE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/charta/Charta/ui/ch-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, steps);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, dir_label);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, recovery_label);
  gtk_widget_class_bind_template_child (widget_class, ChSetupPage, confirm_check);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_check_active);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "setup.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "setup.copy-key", NULL, copy_key_activated);
  gtk_widget_class_install_action (widget_class, "setup.finish", NULL, finish_activated);
}

static void
ch_setup_page_init (ChSetupPage *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.copy-key", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.finish", FALSE);
}
