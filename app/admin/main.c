/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ch-admin-ccda.h"
#include "ch-admin-ccda-import.h"
#include "ch-admin-chart.h"
#include "ch-admin-csv-limit.h"
#include "ch-admin-doc.h"
#include "ch-admin-fhir.h"
#include "ch-admin-hl7.h"
#include "ch-admin-lab-orders.h"
#include "ch-admin-billing.h"
#include "ch-admin-report.h"
#include "ch-admin-claims.h"
#include "ch-admin-import-csv.h"
#include "ch-admin-dicom.h"
#include "ch-admin-json.h"
#include "ch-admin-kb.h"
#include "ch-admin-output.h"
#include "ch-admin-schedule.h"
#include "ch-admin-input.h"
#include "ch-audit-model.h"
#include "ch-audit.h"
#include "ch-backup.h"
#include "ch-demo.h"
#include "ch-dicom-receiver.h"
#include "ch-documents.h"
#include "ch-imaging.h"
#include "ch-patients.h"
#include "ch-practice.h"
#include "ch-prescribing.h"
#include "ch-recall.h"
#include "ch-roles.h"
#include "ch-schedule.h"
#include "ch-session.h"
#include "ch-users.h"
#include "ch-validate.h"
#include "ch-waitlist.h"

/* charta-admin: the administrator's command line. Every command is a thin
 * shell over the same controllers the window uses, so the permission table,
 * validation and audit apply exactly as they do there. */

#define PROGRAM "charta-admin"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef struct _Command Command;

typedef struct
{
  const Command  *command;
  GOptionContext *context;
  GStrv           args;     /* after parsing: args[0] the command, then positionals */
} Invocation;

struct _Command
{
  const char *group;        /* "user", "audit", "patient", or NULL */
  const char *name;
  const char *parameters;   /* positional arguments, for the usage line */
  const char *summary;
  gboolean  (*run) (Invocation  *inv,
                    GError     **error);
};

/* The options every command that logs in shares. */
typedef struct
{
  char *practice;
  char *user;
  char *password_file;
} LoginOptions;

static void
login_options_clear (LoginOptions *opts)
{
  g_clear_pointer (&opts->practice, g_free);
  g_clear_pointer (&opts->user, g_free);
  g_clear_pointer (&opts->password_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LoginOptions, login_options_clear)

/* A session that logs out when it goes out of scope, so that every path out
 * of a command leaves a logout entry behind its login entry. */
typedef ChSession AdminSession;

static void
admin_session_end (AdminSession *session)
{
  if (session == NULL)
    return;
  if (!ch_session_get_logged_out (session))
    ch_session_logout (session);
  g_object_unref (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdminSession, admin_session_end)

static gboolean
usage_error (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* ---- option parsing ------------------------------------------------------ */

static void
add_practice_option (Invocation *inv,
                     char      **practice)
{
  const GOptionEntry entries[] = {
    { "practice", 0, 0, G_OPTION_ARG_FILENAME, practice,
      N_("The practice folder (default: $CHARTA_PRACTICE, else the standard place)"),
      N_("DIR") },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
}

static void
add_login_options (Invocation   *inv,
                   LoginOptions *opts)
{
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &opts->user,
      N_("Log in as NAME (default: $CHARTA_USER)"), N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &opts->password_file,
      N_("Read the password from the first line of FILE (else $CHARTA_PASSWORD, else ask)"),
      N_("FILE") },
    { NULL }
  };

  add_practice_option (inv, &opts->practice);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
}

static void
add_new_password_option (Invocation *inv,
                         char      **new_password_file)
{
  const GOptionEntry entries[] = {
    { "new-password-file", 0, 0, G_OPTION_ARG_FILENAME, new_password_file,
      N_("Read the new password from the first line of FILE "
         "(else $CHARTA_NEW_PASSWORD, else ask twice)"),
      N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
}

/* Parses the command line and checks the number of positional arguments. */
static gboolean
parse_args (Invocation *inv,
            guint       min_positional,
            guint       max_positional,
            GError    **error)
{
  guint n;

  if (!g_option_context_parse_strv (inv->context, &inv->args, error))
    return FALSE;

  n = g_strv_length (inv->args) - 1;
  if (n < min_positional)
    return usage_error (error, _("Missing argument"));
  if (n > max_positional)
    return usage_error (error, _("Unexpected argument “%s”"), inv->args[1 + max_positional]);

  return TRUE;
}

static const char *
positional (Invocation *inv,
            guint       index)
{
  if (g_strv_length (inv->args) <= index + 1)
    return NULL;
  return inv->args[index + 1];
}

static gboolean
parse_role (const char *text,
            ChRole     *out_role,
            GError    **error)
{
  g_autoptr (GString) roles = g_string_new (NULL);

  if (ch_role_from_string (text, out_role))
    return TRUE;

  for (guint i = 0; i < CH_N_ROLES; i++)
    g_string_append_printf (roles, "%s%s", i > 0 ? ", " : "", ch_role_to_string (i));

  return usage_error (error, _("Unknown role “%s” (roles: %s)"), text, roles->str);
}

/* ---- practice and login -------------------------------------------------- */

static char *
resolve_practice_dir (const char *option)
{
  const char *env;

  if (option != NULL)
    return g_strdup (option);

  env = g_getenv ("CHARTA_PRACTICE");
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return ch_practice_default_dir ();
}

static const char *
resolve_user (const char *option)
{
  const char *env;

  if (option != NULL)
    return option;

  env = g_getenv ("CHARTA_USER");
  if (env != NULL && *env != '\0')
    return env;

  return NULL;
}

static ChPractice *
open_practice (const char *option,
               GError    **error)
{
  g_autofree char *dir = resolve_practice_dir (option);

  return ch_practice_open (dir, error);
}

/* Returns: (transfer full): a session for the user the options name, after
 * asking for the password where it has to. @out_password, when given, gets
 * the password itself, in guarded memory. */
static AdminSession *
login (const LoginOptions  *opts,
       ChSecret           **out_password,
       GError             **error)
{
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autofree char *prompt = NULL;
  const char *user;
  ChSession *session;

  user = resolve_user (opts->user);
  if (user == NULL)
    {
      usage_error (error, _("No user: give --user NAME or set CHARTA_USER"));
      return NULL;
    }

  practice = open_practice (opts->practice, error);
  if (practice == NULL)
    return NULL;

  prompt = g_strdup_printf (_("Password for %s: "), user);
  password = ch_admin_get_secret (opts->password_file, "CHARTA_PASSWORD", prompt,
                                  _("No password: give --password-file FILE, set "
                                    "CHARTA_PASSWORD, or run on a terminal"),
                                  error);
  if (password == NULL)
    return NULL;

  session = ch_session_login (practice, user, (const char *) password->data, error);
  if (session == NULL)
    return NULL;

  if (out_password != NULL)
    *out_password = g_steal_pointer (&password);

  return session;
}

/* Prints a secret with write(2), past stdio, whose buffer would keep a copy. */
static void
print_secret_line (const char *label,
                   const char *secret)
{
  const char *parts[] = { label, secret, "\n" };

  fflush (stdout);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *p = parts[i];
      gsize left = strlen (p);

      while (left > 0)
        {
          gssize n = write (STDOUT_FILENO, p, left);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return;
          p += n;
          left -= n;
        }
    }
}

static void
wipe_string (char *text)
{
  if (text != NULL)
    {
      sodium_memzero (text, strlen (text));
      g_free (text);
    }
}

static void
print_recovery_key (const char *recovery_key)
{
  g_print ("\n");
  print_secret_line (_("Recovery key: "), recovery_key);
  g_print ("\n%s\n",
           _("Write the recovery key down now and keep it somewhere safe, away from this "
             "computer.\nIt is shown only this once, and it is the only way back in if "
             "every administrator\npassword is lost (charta-admin recover)."));
}

/* ---- init ---------------------------------------------------------------- */

static gboolean
cmd_init (Invocation *inv,
          GError    **error)
{
  g_autofree char *practice_opt = NULL;
  g_autofree char *name = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *address = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *new_password_file = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  char *recovery_key = NULL;
  ChPracticeSetup setup = { 0 };
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      N_("The practice's name, as the window shows it"), N_("NAME") },
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin,
      N_("The administrator's user name"), N_("USER") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name,
      N_("The administrator's full name"), N_("TEXT") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address,
      N_("The practice's address"), N_("TEXT") },
    { NULL }
  };

  add_practice_option (inv, &practice_opt);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  add_new_password_option (inv, &new_password_file);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  if (name == NULL)
    return usage_error (error, _("Missing --name NAME"));
  if (admin == NULL)
    return usage_error (error, _("Missing --admin USER"));

  dir = resolve_practice_dir (practice_opt);
  file = g_file_new_for_commandline_arg (dir);
  path = g_file_get_path (file);

  /* Checked here too so that nobody types a password for nothing. */
  if (ch_practice_exists (path))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_EXISTS,
                   _("There is already a practice in %s"), path);
      return FALSE;
    }
  if (!ch_validate_username (admin, error))
    return FALSE;

  password = ch_admin_get_new_password (new_password_file, error);
  if (password == NULL)
    return FALSE;

  setup.name = name;
  setup.address = address;
  setup.admin_user = admin;
  setup.admin_display_name = display_name;
  setup.admin_password = (const char *) password->data;

  practice = ch_practice_create (path, &setup, &recovery_key, error);
  if (practice == NULL)
    return FALSE;

  g_print (_("Created the practice “%s” in %s.\n"), name, path);
  g_print (_("Log in as %s with the password just given.\n"), admin);
  print_recovery_key (recovery_key);
  wipe_string (recovery_key);

  return TRUE;
}

/* ---- user ---------------------------------------------------------------- */

static gboolean
cmd_user_add (Invocation *inv,
              GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autofree char *role_text = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *new_password_file = NULL;
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChSecret) password = NULL;
  const char *name;
  ChRole role;
  const GOptionEntry entries[] = {
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role_text,
      N_("The new user's role: physician, nurse, front-desk, manager or admin"),
      N_("ROLE") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name,
      N_("The new user's full name"), N_("TEXT") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  add_new_password_option (inv, &new_password_file);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  name = positional (inv, 0);
  if (role_text == NULL)
    return usage_error (error, _("Missing --role ROLE"));
  if (!parse_role (role_text, &role, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  /* The controller checks again; this only spares asking for a password
   * that could not be used. */
  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error) ||
      !ch_validate_username (name, error))
    return FALSE;

  password = ch_admin_get_new_password (new_password_file, error);
  if (password == NULL)
    return FALSE;

  if (!ch_users_add (session, name, display_name, role, (const char *) password->data, error))
    return FALSE;

  g_print (_("Added %s (%s).\n"), name, ch_role_to_string (role));
  return TRUE;
}

static gboolean
cmd_user_list (Invocation *inv,
               GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  users = ch_users_list (session, error);
  if (users == NULL)
    return FALSE;

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("USER"), _("ROLE"), _("STATUS"),
                                                 _("NAME"), NULL }));
  for (guint i = 0; i < users->len; i++)
    {
      const ChUserRecord *user = g_ptr_array_index (users, i);
      char *row[] = {
        user->username,
        user->role,
        user->disabled ? _("disabled") : _("active"),
        user->display_name ? user->display_name : "",
        NULL
      };

      g_ptr_array_add (rows, g_strdupv (row));
    }

  ch_admin_print_table (rows, 4);
  return TRUE;
}

static gboolean
cmd_user_passwd (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autofree char *new_password_file = NULL;
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autoptr (ChSecret) new_password = NULL;
  const char *name;
  gboolean own;

  add_login_options (inv, &opts);
  add_new_password_option (inv, &new_password_file);
  if (!parse_args (inv, 0, 1, error))
    return FALSE;

  session = login (&opts, &password, error);
  if (session == NULL)
    return FALSE;

  name = positional (inv, 0);
  if (name == NULL)
    name = ch_session_get_username (session);
  own = g_strcmp0 (name, ch_session_get_username (session)) == 0;

  if (!own && !ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;

  new_password = ch_admin_get_new_password (new_password_file, error);
  if (new_password == NULL)
    return FALSE;

  /* Changing one's own password proves the old one; the login just did. */
  if (!ch_users_set_password (session, name, own ? (const char *) password->data : NULL,
                              (const char *) new_password->data, error))
    return FALSE;

  g_print (_("Changed the password of %s.\n"), name);
  return TRUE;
}

static gboolean
cmd_user_disable (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  const char *name;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  name = positional (inv, 0);
  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  if (!ch_users_disable (session, name, error))
    return FALSE;

  g_print (_("Disabled %s: the account can no longer log in.\n"), name);
  return TRUE;
}

static gboolean
cmd_user_enable (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autofree char *new_password_file = NULL;
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChSecret) new_password = NULL;
  const char *name;

  add_login_options (inv, &opts);
  add_new_password_option (inv, &new_password_file);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  name = positional (inv, 0);
  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;

  /* A disabled account's key slot is gone, so it comes back with a new
   * password. */
  new_password = ch_admin_get_new_password (new_password_file, error);
  if (new_password == NULL)
    return FALSE;

  if (!ch_users_enable (session, name, (const char *) new_password->data, error))
    return FALSE;

  g_print (_("Enabled %s with the new password.\n"), name);
  return TRUE;
}

static gboolean
cmd_user_role (Invocation *inv,
               GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  const char *name;
  ChRole role;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 2, 2, error))
    return FALSE;

  name = positional (inv, 0);
  if (!parse_role (positional (inv, 1), &role, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  if (!ch_users_set_role (session, name, role, error))
    return FALSE;

  g_print (_("%s is now %s.\n"), name, ch_role_to_string (role));
  return TRUE;
}

static gboolean
cmd_whoami (Invocation *inv,
            GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *practice_name = NULL;
  const char *display_name;
  ChRole role;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  role = ch_session_get_role (session);
  display_name = ch_session_get_display_name (session);
  practice_name = ch_session_get_practice_name (session);

  g_print (_("User:     %s\n"), ch_session_get_username (session));
  if (display_name != NULL && *display_name != '\0')
    g_print (_("Name:     %s\n"), display_name);
  g_print (_("Role:     %s (%s)\n"), ch_role_to_string (role), ch_role_get_label (role));
  g_print (_("Practice: %s (%s)\n"), practice_name,
           ch_practice_get_dir (ch_session_get_practice (session)));
  g_print ("\n");

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("AREA"), _("ACCESS"), NULL }));
  for (guint area = 0; area < CH_N_AREAS; area++)
    {
      ChAccess access = ch_role_get_access (role, area);

      g_ptr_array_add (rows, g_strdupv ((char *[]) {
        (char *) ch_area_to_string (area), (char *) ch_access_to_string (access), NULL
      }));
    }
  ch_admin_print_table (rows, 2);
  return TRUE;
}

/* ---- keys ---------------------------------------------------------------- */

static gboolean
cmd_rekey (Invocation *inv,
           GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  if (!ch_session_rekey (session, error))
    return FALSE;

  g_print ("%s\n", _("Rotated the master key: the database is re-encrypted and every key "
                     "slot rewrapped.\nPasswords and the recovery key are unchanged."));
  return TRUE;
}

static gboolean
cmd_recover (Invocation *inv,
             GError    **error)
{
  g_autofree char *practice_opt = NULL;
  g_autofree char *user_opt = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *new_password_file = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSecret) recovery_key = NULL;
  g_autoptr (ChSecret) new_password = NULL;
  g_autoptr (AdminSession) session = NULL;
  const char *user;
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user_opt,
      N_("The administrator whose password to reset (default: $CHARTA_USER)"), N_("ADMIN") },
    { "recovery-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the recovery key from the first line of FILE "
         "(else $CHARTA_RECOVERY_KEY, else ask)"),
      N_("FILE") },
    { NULL }
  };

  add_practice_option (inv, &practice_opt);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  add_new_password_option (inv, &new_password_file);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  user = resolve_user (user_opt);
  if (user == NULL)
    return usage_error (error, _("Missing --user ADMIN"));

  practice = open_practice (practice_opt, error);
  if (practice == NULL)
    return FALSE;

  recovery_key = ch_admin_get_secret (key_file, "CHARTA_RECOVERY_KEY", _("Recovery key: "),
                                      _("No recovery key: give --recovery-key-file FILE, set "
                                        "CHARTA_RECOVERY_KEY, or run on a terminal"),
                                      error);
  if (recovery_key == NULL)
    return FALSE;

  new_password = ch_admin_get_new_password (new_password_file, error);
  if (new_password == NULL)
    return FALSE;

  session = ch_session_recover (practice, (const char *) recovery_key->data, user,
                                (const char *) new_password->data, error);
  if (session == NULL)
    return FALSE;

  g_print (_("Set a new password for %s. The recovery key stays valid; keep it safe.\n"),
           user);
  return TRUE;
}

/* ---- audit --------------------------------------------------------------- */

static gboolean archive_credentials (const char          *user_opt,
                                     const char          *password_file,
                                     const char          *key_file,
                                     ChSecret           **password,
                                     ChSecret           **recovery_key,
                                     ChBackupCredentials *credentials,
                                     GError             **error);

/* Each backup in @target recorded the trail's head when it was taken: the
 * trail must still hold that entry with that hash. */
static gboolean
check_backup_anchors (AdminSession  *session,
                      const char    *target,
                      const char    *user,
                      const char    *password_file,
                      guint         *out_n_checked,
                      GError       **error)
{
  gboolean sftp = g_str_has_prefix (target, "sftp://");
  g_autofree char *dir = NULL;
  g_autoptr (GPtrArray) infos = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autoptr (ChSecret) recovery_key = NULL;
  ChBackupCredentials credentials;

  *out_n_checked = 0;
  if (sftp)
    infos = ch_backup_list_sftp (session, target, error);
  else
    {
      dir = ch_backup_parse_target (target, error);
      if (dir == NULL)
        return FALSE;
      infos = ch_backup_list (dir, error);
    }
  if (infos == NULL)
    return FALSE;
  if (infos->len == 0)
    return TRUE;
  if (!archive_credentials (user, password_file, NULL, &password, &recovery_key, &credentials,
                            error))
    return FALSE;

  for (guint i = 0; i < infos->len; i++)
    {
      ChBackupInfo *listed = g_ptr_array_index (infos, i);
      g_autoptr (ChBackupInfo) info = NULL;
      g_autofree char *name = g_path_get_basename (listed->path);
      g_autofree char *where = NULL;

      if (sftp)
        {
          /* Fetched (still encrypted) into a private folder, checked there. */
          g_autofree char *folder = g_dir_make_tmp ("charta-fetch-XXXXXX", error);
          g_autofree char *copy = NULL;
          int fd;

          if (folder == NULL)
            return FALSE;
          copy = g_build_filename (folder, name, NULL);
          fd = open (copy, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
          if (fd >= 0 && ch_backup_fetch_sftp (session, listed->path, fd, error))
            info = ch_backup_verify (copy, &credentials, error);
          else if (fd < 0)
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", copy,
                         g_strerror (errno));
          if (fd >= 0)
            close (fd);
          g_unlink (copy);
          g_rmdir (folder);
        }
      else
        info = ch_backup_verify (listed->path, &credentials, error);

      if (info == NULL)
        return FALSE;
      if (info->audit_head == NULL)
        continue;
      /* TRANSLATORS: %s is a backup archive's file name */
      where = g_strdup_printf (_("the backup %s"), name);
      if (!ch_audit_check_anchor (ch_session_get_store (session), info->audit_head, where, error))
        return FALSE;
      (*out_n_checked)++;
    }
  return TRUE;
}

static gboolean
cmd_audit_verify (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChAuditModel) model = NULL;
  g_autofree char *count = NULL;
  g_autofree char *backups = NULL;
  gint64 n_entries = 0;
  guint n_anchors = 0;
  const GOptionEntry entries[] = {
    { "backups", 0, 0, G_OPTION_ARG_STRING, &backups,
      N_("Also check the trail against the heads recorded in the backups in TARGET "
         "(dir:PATH): history rewritten since is found even if its hashes were recomputed"),
      N_("TARGET") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  /* The model checks audit read access. */
  model = ch_audit_model_new (session, error);
  if (model == NULL)
    return FALSE;

  if (!ch_audit_model_verify (model, &n_entries, error))
    return FALSE;
  if (backups != NULL &&
      !check_backup_anchors (session, backups, opts.user, opts.password_file, &n_anchors, error))
    return FALSE;

  count = g_strdup_printf ("%" G_GINT64_FORMAT, n_entries);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Audit trail intact: %s entry\n",
                        "Audit trail intact: %s entries\n", (gulong) n_entries),
           count);
  if (backups != NULL)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "It holds the head recorded in %u backup\n",
                          "It holds the heads recorded in %u backups\n", n_anchors),
             n_anchors);
  return TRUE;
}

/* Parses YYYY-MM-DD as the start of that local day, in microseconds since the
 * epoch; @next_day moves to the start of the day after. */
static gboolean
parse_day (const char *option,
           const char *text,
           gboolean    next_day,
           gint64     *out_ts,
           GError    **error)
{
  g_autoptr (GDateTime) day = NULL;
  guint year, month, dayno;
  char tail;

  if (sscanf (text, "%4u-%2u-%2u%c", &year, &month, &dayno, &tail) != 3 ||
      strlen (text) != 10 ||
      !g_date_valid_dmy (dayno, month, year))
    return usage_error (error, _("%s needs a date as YYYY-MM-DD, not “%s”"), option, text);

  day = g_date_time_new_local (year, month, dayno, 0, 0, 0);
  if (day == NULL)
    return usage_error (error, _("%s needs a date as YYYY-MM-DD, not “%s”"), option, text);

  if (next_day)
    {
      g_autoptr (GDateTime) after = g_date_time_add_days (day, 1);

      g_clear_pointer (&day, g_date_time_unref);
      day = g_steal_pointer (&after);
    }

  *out_ts = g_date_time_to_unix (day) * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
valid_action (const char *action)
{
  const char * const *actions = ch_audit_actions ();

  for (guint i = 0; actions[i] != NULL; i++)
    if (g_str_equal (actions[i], action))
      return TRUE;
  return FALSE;
}

static gboolean
audit_list_csv (ChAuditModel *model,
                gint          limit,
                GError      **error)
{
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr (GOutputStream) limited = NULL;

  fflush (stdout);
  if (limit < 0)
    return ch_audit_model_export_csv (model, out, NULL, error);

  /* The export still reads every matching entry; the stream keeps the first. */
  limited = ch_admin_csv_limit_new (out, limit);
  return ch_audit_model_export_csv (model, limited, NULL, error);
}

static void
audit_list_table (ChAuditModel *model,
                  gint          limit)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (model));

  if (limit >= 0 && (guint) limit < n_items)
    n_items = limit;

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("TIME"), _("USER"), _("ROLE"), _("ACTION"),
                                                 _("OBJECT"), _("PATIENT"), _("DETAIL"),
                                                 NULL }));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (ChAuditEntry) entry = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *patient = NULL;

      if (entry == NULL)
        break;

      if (ch_audit_entry_get_patient_id (entry) > 0)
        patient = g_strdup_printf ("%" G_GINT64_FORMAT, ch_audit_entry_get_patient_id (entry));

      g_ptr_array_add (rows, g_strdupv ((char *[]) {
        (char *) ch_audit_entry_get_time (entry),
        (char *) ch_audit_entry_get_username (entry),
        (char *) ch_audit_entry_get_role (entry),
        (char *) ch_audit_entry_get_action (entry),
        (char *) ch_audit_entry_get_object (entry),
        patient ? patient : "",
        (char *) ch_audit_entry_get_detail (entry),
        NULL
      }));
    }

  ch_admin_print_table (rows, 7);
}

static gboolean
cmd_audit_list (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChAuditModel) model = NULL;
  g_autofree char *user = NULL;
  g_autofree char *action = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean csv = FALSE;
  gint64 patient = 0;
  gint limit = -1;
  ChAuditFilter filter = { 0 };
  const GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Write RFC 4180 CSV instead of columns"), NULL },
    { "by", 0, 0, G_OPTION_ARG_STRING, &user,
      N_("Only entries by this user"), N_("USER") },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action,
      N_("Only entries of this action (login, view, user-add …)"), N_("ACTION") },
    { "patient", 0, 0, G_OPTION_ARG_INT64, &patient,
      N_("Only entries about this patient"), N_("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("Only entries from this day on"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("Only entries up to and including this day"), N_("YYYY-MM-DD") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit,
      N_("At most N entries, the newest first"), N_("N") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  if (action != NULL && !valid_action (action))
    return usage_error (error, _("Unknown action “%s”"), action);
  if (patient < 0)
    return usage_error (error, _("--patient needs a positive number"));
  if (limit < -1)
    return usage_error (error, _("--limit needs a number of entries"));
  if (from != NULL && !parse_day ("--from", from, FALSE, &filter.from_ts, error))
    return FALSE;
  if (to != NULL && !parse_day ("--to", to, TRUE, &filter.to_ts, error))
    return FALSE;

  filter.username = user;
  filter.action = action;
  filter.patient_id = patient;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  model = ch_audit_model_new (session, error);
  if (model == NULL)
    return FALSE;
  ch_audit_model_set_filter (model, &filter);

  if (csv)
    return audit_list_csv (model, limit, error);

  audit_list_table (model, limit);
  return TRUE;
}

/* ---- patient ------------------------------------------------------------- */

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* Returns: (transfer full): a hit's name as ch_patient_record_display_name()
 * writes a record's: "Family, Given (Preferred)". */
static char *
hit_display_name (const ChPatientHit *hit)
{
  const ChPatientRecord name = {
    .family_name = hit->family_name,
    .given_name = hit->given_name,
    .preferred_name = hit->preferred_name,
  };

  return ch_patient_record_display_name (&name);
}

/* Returns: (transfer full): @hits as the rows of a table, header first. */
static GPtrArray *
hit_rows (GPtrArray *hits)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("MRN"), _("NAME"), _("BORN"), _("SEX"),
                                                 _("PHONE"), NULL }));
  for (guint i = 0; i < hits->len; i++)
    {
      const ChPatientHit *hit = g_ptr_array_index (hits, i);
      g_autofree char *name = hit_display_name (hit);

      g_ptr_array_add (rows, g_strdupv ((char *[]) {
        (char *) or_empty (hit->mrn), name, (char *) or_empty (hit->birth_date),
        (char *) or_empty (hit->sex), (char *) or_empty (hit->phone), NULL
      }));
    }

  return rows;
}

/* Whether the search field would count @query as empty: nothing but the
 * blanks and separators it splits on. */
static gboolean
is_blank_query (const char *query)
{
  return strspn (query, " \t,;") == strlen (query);
}

static gboolean
cmd_patient_search (Invocation *inv,
                    GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *query = NULL;
  gint limit = 20;
  const GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit,
      N_("At most N patients (default: 20)"), N_("N") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context,
    _("QUERY is what you would type in the window's search field: parts of a name "
      "(accents and case do not matter), a date of birth (1980-05-17, 17.05.1980, "
      "05/17/1980), a medical record number or a phone number. Every word must match.\n"
      "Without QUERY, your recent patients."));
  if (!parse_args (inv, 0, G_MAXUINT, error))
    return FALSE;

  if (limit < 1)
    return usage_error (error, _("--limit needs a positive number"));

  /* "patient search garcia ana" is the query "garcia ana". */
  query = g_strjoinv (" ", inv->args + 1);

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  hits = ch_patients_search (session, query, (guint) limit, error);
  if (hits == NULL)
    return FALSE;

  /* Finding nobody is an answer, not a failure; stdout stays empty for
   * scripts. */
  if (hits->len == 0)
    {
      if (is_blank_query (query))
        g_printerr ("%s\n", _("No recent patients"));
      else
        g_printerr (_("No patient matches “%s”\n"), query);
      return TRUE;
    }

  rows = hit_rows (hits);
  ch_admin_print_table (rows, 5);
  return TRUE;
}

/* Returns: (transfer full) (nullable): how old someone born on @birth_date is
 * today: in years, or for the very young in months or days. */
static char *
age_text (const char *birth_date)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  int year, month, day;
  int months;
  char extra;

  if (birth_date == NULL ||
      sscanf (birth_date, "%4d-%2d-%2d%c", &year, &month, &day, &extra) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return NULL;

  months = (g_date_time_get_year (now) - year) * 12 + (g_date_time_get_month (now) - month) -
           (g_date_time_get_day_of_month (now) < day ? 1 : 0);
  if (months < 0)
    return NULL;

  if (months >= 24)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", months / 12),
                            months / 12);
  if (months >= 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d month", "%d months", months),
                            months);
  else
    {
      g_autoptr (GDate) born = g_date_new_dmy (day, month, year);
      g_autoptr (GDate) today = g_date_new_dmy (g_date_time_get_day_of_month (now),
                                                g_date_time_get_month (now),
                                                g_date_time_get_year (now));
      int days = g_date_days_between (born, today);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), days);
    }
}

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

/* Adds the row "@label  @value" when @value is set. */
static void
add_field (GPtrArray  *rows,
           const char *label,
           const char *value)
{
  if (is_set (value))
    g_ptr_array_add (rows, g_strdupv ((char *[]) { (char *) label, (char *) value, NULL }));
}

/* Joins those of the @n_parts @parts that are set with @separator. */
static char *
join_set (const char  *separator,
          const char **parts,
          guint        n_parts)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_parts; i++)
    if (is_set (parts[i]))
      g_string_append_printf (text, "%s%s", text->len > 0 ? separator : "", parts[i]);

  return g_strdup (text->str);
}

static void
print_demographics (const ChPatientRecord *record)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *name = ch_patient_record_display_name (record);
  g_autofree char *age = age_text (record->birth_date);
  g_autofree char *born = NULL;
  g_autofree char *region = NULL;
  g_autofree char *address = NULL;
  g_autofree char *relation = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *version = NULL;

  if (is_set (record->birth_date))
    born = age != NULL ? g_strdup_printf ("%s (%s)", record->birth_date, age)
                       : g_strdup (record->birth_date);

  region = join_set (" ", (const char *[]) { record->region, record->postal_code }, 2);
  address = join_set (", ", (const char *[]) { record->address_line, record->city, region,
                                               record->country }, 4);

  if (is_set (record->emergency_relation))
    relation = g_strdup_printf ("(%s)", record->emergency_relation);
  contact = join_set (" ", (const char *[]) { record->emergency_name, relation }, 2);
  if (is_set (record->emergency_phone))
    {
      char *with_phone = join_set (", ", (const char *[]) { contact, record->emergency_phone },
                                   2);

      g_free (contact);
      contact = with_phone;
    }

  add_field (rows, _("MRN:"), record->mrn);
  add_field (rows, _("Name:"), name);
  add_field (rows, _("Born:"), born);
  add_field (rows, _("Sex at birth:"), record->sex);
  add_field (rows, _("Gender identity:"), record->gender_identity);
  add_field (rows, _("Pronouns:"), record->pronouns);
  add_field (rows, _("Address:"), address);

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = g_ptr_array_index (record->phones, i);
      g_autofree char *text = g_strdup_printf ("%s (%s)", or_empty (phone->number),
                                               or_empty (phone->kind));

      add_field (rows, i == 0 ? _("Phone:") : "", text);
    }

  add_field (rows, _("Email:"), record->email);
  add_field (rows, _("Language:"), record->language);
  add_field (rows, _("Emergency contact:"), contact);
  add_field (rows, _("Primary provider:"), record->primary_provider);

  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = g_ptr_array_index (record->identifiers, i);
      g_autofree char *text = g_strdup_printf ("%s: %s", or_empty (identifier->system),
                                               or_empty (identifier->value));

      add_field (rows, i == 0 ? _("Identifiers:") : "", text);
    }

  version = g_strdup_printf ("%" G_GINT64_FORMAT, record->version);
  add_field (rows, _("Version:"), version);

  ch_admin_print_table (rows, 2);
}

static char *
priority_text (int priority)
{
  switch (priority)
    {
    case 1: return g_strdup (_("primary"));
    case 2: return g_strdup (_("secondary"));
    case 3: return g_strdup (_("tertiary"));
    default: return g_strdup_printf ("%d", priority);
    }
}

static char *
coverage_text (const ChPolicyRecord *policy)
{
  if (is_set (policy->start_date) && is_set (policy->end_date))
    return g_strdup_printf (_("%s to %s"), policy->start_date, policy->end_date);
  if (is_set (policy->start_date))
    return g_strdup_printf (_("from %s"), policy->start_date);
  if (is_set (policy->end_date))
    return g_strdup_printf (_("until %s"), policy->end_date);
  return g_strdup ("");
}

/* A table indented under its section title. */
static void
print_indented_table (GPtrArray *rows,
                      guint      n_columns)
{
  g_autofree char *table = ch_admin_format_table (rows, n_columns);
  g_auto (GStrv) lines = g_strsplit (table, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    g_print ("  %s\n", lines[i]);
}

static void
print_policies (GPtrArray *policies)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (policies->len == 0)
    {
      g_print ("%s\n", _("Insurance: none on file"));
      return;
    }

  g_print ("%s\n", _("Insurance:"));
  g_ptr_array_add (rows, g_strdupv ((char *[]) { _("PRIORITY"), _("PAYER"), _("PLAN"),
                                                 _("MEMBER"), _("GROUP"), _("SUBSCRIBER"),
                                                 _("COVERAGE"), NULL }));
  for (guint i = 0; i < policies->len; i++)
    {
      const ChPolicyRecord *policy = g_ptr_array_index (policies, i);
      g_autofree char *priority = priority_text (policy->priority);
      g_autofree char *coverage = coverage_text (policy);
      g_autofree char *relation = NULL;
      g_autofree char *subscriber = NULL;

      if (is_set (policy->subscriber_relation))
        relation = g_strdup_printf ("(%s)", policy->subscriber_relation);
      subscriber = join_set (" ", (const char *[]) { policy->subscriber_name, relation }, 2);

      g_ptr_array_add (rows, g_strdupv ((char *[]) {
        priority, (char *) or_empty (policy->payer), (char *) or_empty (policy->plan),
        (char *) or_empty (policy->member_id), (char *) or_empty (policy->group_id),
        subscriber, coverage, NULL
      }));
    }

  print_indented_table (rows, 7);
}

/* The chart summary's sections are indented lists under their title. */
static void
print_section (const char *title,
               GPtrArray  *rows,
               guint       n_columns)
{
  g_print ("\n%s\n", title);
  if (rows->len == 0)
    {
      g_print ("  %s\n", _("none"));
      return;
    }

  print_indented_table (rows, n_columns);
}

static void
add_row (GPtrArray   *rows,
         const char **cells,
         guint        n_cells)
{
  char **row = g_new0 (char *, n_cells + 1);

  for (guint i = 0; i < n_cells; i++)
    row[i] = g_strdup (or_empty (cells[i]));
  g_ptr_array_add (rows, row);
}

static const char *
vital_label (const char *code)
{
  static const struct
  {
    const char *code;
    const char *label;
  } labels[] = {
    { CH_LOINC_SYSTOLIC, N_("Blood pressure (systolic)") },
    { CH_LOINC_DIASTOLIC, N_("Blood pressure (diastolic)") },
    { CH_LOINC_PULSE, N_("Pulse") },
    { CH_LOINC_TEMPERATURE, N_("Temperature") },
    { CH_LOINC_RESPIRATION, N_("Respiratory rate") },
    { CH_LOINC_SPO2, N_("SpO₂") },
    { CH_LOINC_HEIGHT, N_("Height") },
    { CH_LOINC_WEIGHT, N_("Weight") },
    { CH_LOINC_BMI, N_("BMI") },
    { CH_LOINC_HEAD, N_("Head circumference") },
    { CH_LOINC_PAIN, N_("Pain") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (code, labels[i].code) == 0)
      return _(labels[i].label);
  return code;
}

/* Returns: (transfer full): "128 mmHg", "98%", "72/min"; the text of a
 * result without a number */
static char *
value_text (const ChChartItem *item,
            int                max_decimals)
{
  g_autofree char *number = NULL;
  const char *unit = ch_admin_unit_text (item->unit);

  if (!item->has_value)
    return g_strdup (or_empty (item->value_text));

  number = ch_admin_format_number (item->value_num, max_decimals);
  if (*unit == '\0')
    return g_steal_pointer (&number);
  return g_strdup_printf ("%s%s%s", number, *unit == '%' || *unit == '/' ? "" : " ", unit);
}

static void
print_allergies (const ChChartSummary *summary)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (summary->no_known_allergies)
    {
      g_print ("\n%s\n", _("No known allergies"));
      return;
    }
  if (summary->allergies->len == 0)
    {
      g_print ("\n%s\n", _("Allergies: not recorded"));
      return;
    }

  for (guint i = 0; i < summary->allergies->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->allergies, i);

      add_row (rows, (const char *[]) { item->display, item->reaction, item->severity }, 3);
    }
  print_section (_("Allergies:"), rows, 3);
}

static void
print_vitals (const ChAdminChart *chart)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *vitals = chart->summary->vitals;

  for (guint i = 0; i < vitals->len; i++)
    {
      const ChVitalSummary *vital = g_ptr_array_index (vitals, i);
      g_autofree char *value = value_text (vital->latest, 1);
      g_autofree char *date = ch_admin_format_date (vital->latest->effective_at);
      const char *arrow = "";

      if (chart->trend_known[i])
        arrow = vital->trend > 0 ? "↑" : vital->trend < 0 ? "↓" : "→";
      add_row (rows, (const char *[]) { vital_label (vital->latest->code), value, arrow, date },
               4);
    }
  print_section (_("Latest vital signs:"), rows, 4);
}

static void
print_notes (GPtrArray *notes)
{
  const ChNoteRecord *latest;
  g_autofree char *date = NULL;
  g_autofree char *line = NULL;

  if (notes->len == 0)
    {
      g_print ("\n%s\n", _("Notes: none"));
      return;
    }

  latest = g_ptr_array_index (notes, 0);
  date = ch_admin_format_date (latest->created_at);
  /* TRANSLATORS: the number of notes, then the newest one's date and state */
  line = g_strdup_printf (_("Notes: %u, newest %s (%s)"), notes->len, or_empty (date),
                          or_empty (latest->state));
  g_print ("\n%s\n", line);
}

static void
print_chart (const ChAdminChart *chart)
{
  const ChChartSummary *summary = chart->summary;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) medications = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) vaccines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) encounters = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < summary->problems->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->problems, i);

      add_row (problems, (const char *[]) { item->code, item->display, item->clinical_status,
                                            item->start_date }, 4);
    }
  print_section (_("Problems:"), problems, 4);

  print_allergies (summary);

  for (guint i = 0; i < summary->medications->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->medications, i);

      add_row (medications,
               (const char *[]) { item->display, ch_chart_item_get_detail (item, "dose") }, 2);
    }
  print_section (_("Medications:"), medications, 2);

  print_vitals (chart);

  for (guint i = 0; i < summary->recent_results->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->recent_results, i);
      g_autofree char *date = ch_admin_format_date (item->effective_at);
      g_autofree char *value = value_text (item, 3);

      add_row (results, (const char *[]) { date, item->display ? item->display : item->code,
                                           value, item->flag }, 4);
    }
  print_section (_("Recent results:"), results, 4);

  for (guint i = 0; i < summary->immunizations->len; i++)
    {
      const ChChartItem *item = g_ptr_array_index (summary->immunizations, i);
      g_autofree char *date = is_set (item->start_date) ? g_strdup (item->start_date)
                                                        : ch_admin_format_date (item->effective_at);

      add_row (vaccines, (const char *[]) { date, item->display, item->clinical_status }, 3);
    }
  print_section (_("Immunizations:"), vaccines, 3);

  for (guint i = 0; i < summary->encounters->len; i++)
    {
      const ChEncounterRecord *encounter = g_ptr_array_index (summary->encounters, i);
      g_autofree char *date = ch_admin_format_date (encounter->start_at);

      add_row (encounters, (const char *[]) { date, encounter->kind, encounter->reason }, 3);
    }
  print_section (_("Recent encounters:"), encounters, 3);

  print_notes (chart->notes);
}

static gboolean
cmd_patient_show (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) record = NULL;
  g_autoptr (GPtrArray) policies = NULL;
  g_autoptr (ChAdminChart) chart = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Write one JSON object instead of text, every field present (null when unset)"),
      NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context,
    _("Shows the patient's demographics and insurance and, to those who may read the "
      "clinical record, the chart summary: problems, allergies, medications, the latest "
      "vital signs, recent results, immunizations, encounters and notes.\n"
      "Like opening the patient in the window, this is written in the audit trail."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  record = ch_patients_get_by_mrn (session, positional (inv, 0), error);
  if (record == NULL)
    return FALSE;

  policies = ch_patients_list_policies (session, record->id, error);
  if (policies == NULL)
    return FALSE;

  /* Other roles see the record without the chart, and are told so: not
   * being allowed the chart is no failure of the command. */
  if (ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_READ))
    {
      chart = ch_admin_chart_load (session, record->id, error);
      if (chart == NULL)
        return FALSE;
    }

  if (json)
    {
      g_autofree char *text = ch_admin_patient_to_json (record, policies, chart);

      g_print ("%s\n", text);
      return TRUE;
    }

  print_demographics (record);
  g_print ("\n");
  print_policies (policies);
  if (chart != NULL)
    print_chart (chart);
  else
    g_print ("\n%s\n", _("Clinical summary: not shown for your role"));
  return TRUE;
}

/* Splits "KIND:NUMBER" at its first colon, both sides trimmed and not empty. */
static gboolean
split_pair (const char  *option,
            const char  *form,
            const char  *text,
            char       **out_first,
            char       **out_second,
            GError     **error)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *colon = strchr (text, ':');

  if (colon != NULL)
    {
      first = g_strstrip (g_strndup (text, colon - text));
      second = g_strstrip (g_strdup (colon + 1));
    }
  if (first == NULL || *first == '\0' || *second == '\0')
    return usage_error (error, _("%s needs %s, not “%s”"), option, form, text);

  *out_first = g_steal_pointer (&first);
  *out_second = g_steal_pointer (&second);
  return TRUE;
}

/* An option given as "" is an option not given. */
static void
clear_if_empty (char **text)
{
  if (*text != NULL && **text == '\0')
    g_clear_pointer (text, g_free);
}

static gboolean
cmd_patient_add (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) record = ch_patient_record_new ();
  g_auto (GStrv) phones = NULL;
  g_auto (GStrv) identifiers = NULL;
  gboolean force = FALSE;
  /* The options fill the record itself. */
  const GOptionEntry entries[] = {
    { "family", 0, 0, G_OPTION_ARG_STRING, &record->family_name,
      N_("Family name (required)"), N_("NAME") },
    { "given", 0, 0, G_OPTION_ARG_STRING, &record->given_name,
      N_("Given name"), N_("NAME") },
    { "preferred", 0, 0, G_OPTION_ARG_STRING, &record->preferred_name,
      N_("The name the patient goes by"), N_("NAME") },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &record->birth_date,
      N_("Date of birth (required)"), N_("YYYY-MM-DD") },
    { "sex", 0, 0, G_OPTION_ARG_STRING, &record->sex,
      N_("Sex at birth: female, male, other or unknown (required)"), N_("SEX") },
    { "gender-identity", 0, 0, G_OPTION_ARG_STRING, &record->gender_identity,
      N_("Gender identity"), N_("TEXT") },
    { "pronouns", 0, 0, G_OPTION_ARG_STRING, &record->pronouns,
      N_("Pronouns"), N_("TEXT") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &record->address_line,
      N_("Street address"), N_("TEXT") },
    { "city", 0, 0, G_OPTION_ARG_STRING, &record->city, N_("City"), N_("TEXT") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &record->region,
      N_("State, province or region"), N_("TEXT") },
    { "postal-code", 0, 0, G_OPTION_ARG_STRING, &record->postal_code,
      N_("Postal code"), N_("TEXT") },
    { "country", 0, 0, G_OPTION_ARG_STRING, &record->country, N_("Country"), N_("TEXT") },
    { "phone", 0, 0, G_OPTION_ARG_STRING_ARRAY, &phones,
      N_("A phone number with its kind (mobile, home, work, other), e.g. mobile:555-1234; "
         "may be repeated"),
      N_("KIND:NUMBER") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &record->email, N_("E-mail address"), N_("TEXT") },
    { "language", 0, 0, G_OPTION_ARG_STRING, &record->language,
      N_("Preferred language, e.g. en or es-MX"), N_("TAG") },
    { "emergency-name", 0, 0, G_OPTION_ARG_STRING, &record->emergency_name,
      N_("Emergency contact's name"), N_("TEXT") },
    { "emergency-relation", 0, 0, G_OPTION_ARG_STRING, &record->emergency_relation,
      N_("Emergency contact's relation to the patient"), N_("TEXT") },
    { "emergency-phone", 0, 0, G_OPTION_ARG_STRING, &record->emergency_phone,
      N_("Emergency contact's phone number"), N_("NUMBER") },
    { "primary-provider", 0, 0, G_OPTION_ARG_STRING, &record->primary_provider,
      N_("The patient's primary provider, a user name"), N_("USER") },
    { "identifier", 0, 0, G_OPTION_ARG_STRING_ARRAY, &identifiers,
      N_("Another identifier, e.g. passport:X1234567; may be repeated"),
      N_("SYSTEM:VALUE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Register the patient even if others look like them"), NULL },
    { NULL }
  };
  char **optional[] = {
    &record->given_name, &record->preferred_name, &record->gender_identity,
    &record->pronouns, &record->address_line, &record->city, &record->region,
    &record->postal_code, &record->country, &record->email, &record->language,
    &record->emergency_name, &record->emergency_relation, &record->emergency_phone,
    &record->primary_provider,
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context,
    _("Patients who may be this one (the same name and date of birth, or a phone number "
      "in common) are listed instead, unless --force is given.\n"
      "On success, prints the new patient's medical record number, alone on its line."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  if (record->family_name == NULL)
    return usage_error (error, _("Missing --family NAME"));
  if (record->birth_date == NULL)
    return usage_error (error, _("Missing --birth-date YYYY-MM-DD"));
  if (record->sex == NULL)
    return usage_error (error, _("Missing --sex SEX"));

  for (guint i = 0; phones != NULL && phones[i] != NULL; i++)
    {
      g_autofree char *kind = NULL;
      g_autofree char *number = NULL;

      if (!split_pair ("--phone", "KIND:NUMBER", phones[i], &kind, &number, error))
        return FALSE;
      ch_patient_record_add_phone (record, kind, number);
    }
  for (guint i = 0; identifiers != NULL && identifiers[i] != NULL; i++)
    {
      g_autofree char *system = NULL;
      g_autofree char *value = NULL;

      if (!split_pair ("--identifier", "SYSTEM:VALUE", identifiers[i], &system, &value, error))
        return FALSE;
      ch_patient_record_add_identifier (record, system, value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    clear_if_empty (optional[i]);

  /* The controller checks again; this only spares asking for a password
   * that could not be used. */
  if (!ch_patients_validate (record, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  if (!force)
    {
      g_autoptr (GPtrArray) duplicates = ch_patients_find_duplicates (session, record, error);

      if (duplicates == NULL)
        return FALSE;
      if (duplicates->len > 0)
        {
          g_autoptr (GPtrArray) rows = hit_rows (duplicates);
          g_autofree char *table = ch_admin_format_table (rows, 5);

          g_printerr ("%s\n%s\n", _("Patients who may be the same person:"), table);
          g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                               _("Possible duplicates; check them, or add --force to register "
                                 "the patient anyway"));
          return FALSE;
        }
    }

  if (!ch_patients_register (session, record, error))
    return FALSE;

  /* Alone on its line, for scripts: MRN=$(charta-admin patient add …). */
  g_print ("%s\n", record->mrn);
  return TRUE;
}

/* ---- demo ---------------------------------------------------------------- */

static gboolean
cmd_demo (Invocation *inv,
          GError    **error)
{
  g_autofree char *practice_opt = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *count = NULL;
  g_autofree char *seed_text = NULL;
  const char *env;
  char *recovery_key = NULL;
  gint64 n_patients = CH_DEMO_DEFAULT_PATIENTS;
  gint64 seed = 1;
  gint64 history_years = CH_DEMO_DEFAULT_HISTORY_YEARS;
  gint64 visits = CH_DEMO_DEFAULT_VISITS;
  ChDemoOptions demo_options;
  const GOptionEntry entries[] = {
    { "patients", 0, 0, G_OPTION_ARG_INT64, &n_patients,
      N_("How many synthetic patients (default: 250)"), N_("N") },
    { "history-years", 0, 0, G_OPTION_ARG_INT64, &history_years,
      N_("Years of past visits, charges and payments; 0 for none (default: 3)"), N_("N") },
    { "visits", 0, 0, G_OPTION_ARG_INT64, &visits,
      N_("Past visits a patient over those years, on average (default: 6)"), N_("N") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      N_("The seed the data is drawn from; the same seed gives the same practice "
         "(default: 1)"), N_("S") },
    { NULL }
  };

  add_practice_option (inv, &practice_opt);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  /* Never fall back to the standard place: demo data there would pass for
   * the practice's own. */
  env = g_getenv ("CHARTA_PRACTICE");
  if (practice_opt == NULL && (env == NULL || *env == '\0'))
    return usage_error (error, _("Missing --practice DIR"));
  if (n_patients < 0 || n_patients > G_MAXUINT)
    return usage_error (error, _("--patients needs a number from 0 to %u"), G_MAXUINT);
  if (seed < 0 || seed > G_MAXUINT32)
    return usage_error (error, _("--seed needs a number from 0 to %u"), G_MAXUINT32);
  if (history_years < 0 || history_years > 20)
    return usage_error (error, _("--history-years needs a number from 0 to %u"), 20u);
  if (visits < 0 || visits > 40)
    return usage_error (error, _("--visits needs a number from 0 to %u"), 40u);

  dir = resolve_practice_dir (practice_opt);
  file = g_file_new_for_commandline_arg (dir);
  path = g_file_get_path (file);

  ch_demo_options_init (&demo_options);
  demo_options.history_years = (guint) history_years;
  demo_options.visits_per_patient = (guint) visits;
  if (!ch_demo_create_full (path, (guint) n_patients, (guint32) seed, &demo_options, &recovery_key,
                            error))
    return FALSE;

  count = g_strdup_printf ("%" G_GINT64_FORMAT, n_patients);
  seed_text = g_strdup_printf ("%" G_GINT64_FORMAT, seed);
  g_print (_("Created a demo practice in %s\nwith %s synthetic patients (seed %s).\n\n"),
           path, count, seed_text);

  /* The users as the practice holds them, through the controller. */
  practice = ch_practice_open (path, error);
  if (practice != NULL)
    session = ch_session_login (practice, "admin", CH_DEMO_PASSWORD, error);
  if (session != NULL)
    users = ch_users_list (session, error);

  if (users != NULL)
    {
      g_ptr_array_add (rows, g_strdupv ((char *[]) { _("USER"), _("ROLE"), _("PASSWORD"),
                                                     _("NAME"), NULL }));
      for (guint i = 0; i < users->len; i++)
        {
          const ChUserRecord *user = g_ptr_array_index (users, i);

          g_ptr_array_add (rows, g_strdupv ((char *[]) {
            user->username, user->role, (char *) CH_DEMO_PASSWORD,
            user->display_name ? user->display_name : "", NULL
          }));
        }
      ch_admin_print_table (rows, 4);
      g_print ("\n");
      g_print (_("Open it with: charta --practice %s\n"), path);
    }

  /* Shown even if the listing failed: it is the only time it can be. */
  print_recovery_key (recovery_key);
  wipe_string (recovery_key);

  return users != NULL;
}

/* ---- kb: the drug knowledge base ------------------------------------------ */

static gboolean
cmd_kb_info (Invocation *inv,
             GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChDrugKb) kb = NULL;
  g_autofree char *text = NULL;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return FALSE;

  text = ch_admin_kb_info_text (kb, ch_prescribing_kb_is_imported (session));
  fputs (text, stdout);
  return TRUE;
}

/* Splits "a,b, c" into trimmed, non-empty names. */
static GStrv
split_names (const char *list)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit (list ? list : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
cmd_kb_check (Invocation *inv,
              GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChDrugKb) kb = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (GArray) medications = g_array_new (FALSE, TRUE, sizeof (ChKbMedication));
  g_autoptr (GArray) allergies = g_array_new (FALSE, TRUE, sizeof (ChKbAllergy));
  g_autoptr (GString) unknown = g_string_new (NULL);
  g_autofree char *drugs_option = NULL;
  g_autofree char *allergies_option = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) drugs = NULL;
  g_auto (GStrv) allergy_names = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "drugs", 0, 0, G_OPTION_ARG_STRING, &drugs_option,
      N_("The drugs to check together, generic or brand names separated by commas"),
      N_("NAME[,NAME…]") },
    { "allergies", 0, 0, G_OPTION_ARG_STRING, &allergies_option,
      N_("The patient's allergies as they would be recorded, separated by commas"),
      N_("NAME[,NAME…]") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write one JSON object instead of text"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context,
    _("Prints every alert the prescribing screen would show for these drugs prescribed "
      "together to a patient with these allergies: drug–drug interactions, allergies by "
      "cross-sensitivity group, duplicate therapy, and allergies the base cannot check. "
      "Most severe first, each with the two parties, why, what to do and the source."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  drugs = split_names (drugs_option);
  allergy_names = split_names (allergies_option);
  if (drugs[0] == NULL)
    return usage_error (error, _("Give the drugs to check with --drugs NAME[,NAME…]"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  kb = ch_prescribing_get_kb (session, error);
  if (kb == NULL)
    return FALSE;

  for (guint i = 0; drugs[i] != NULL; i++)
    {
      const ChKbDrug *drug = ch_drug_kb_find (kb, drugs[i]);
      ChKbMedication medication = { 0 };

      if (drug == NULL)
        drug = ch_drug_kb_find_in_text (kb, drugs[i]);
      if (drug == NULL)
        {
          g_string_append_printf (unknown, "%s“%s”", unknown->len ? ", " : "", drugs[i]);
          continue;
        }
      medication.drug_id = drug->id;
      medication.name = drug->generic_name;
      g_array_append_val (medications, medication);
    }
  if (unknown->len > 0)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("Not in the drug knowledge base: %s"), unknown->str);
      return FALSE;
    }

  for (guint i = 0; allergy_names[i] != NULL; i++)
    {
      ChKbAllergy allergy = { allergy_names[i], "" };

      g_array_append_val (allergies, allergy);
    }

  alerts = ch_drug_kb_check (kb, (ChKbMedication *) medications->data, medications->len,
                             NULL, 0, (ChKbAllergy *) allergies->data, allergies->len);
  text = json ? ch_admin_kb_alerts_json (kb, alerts) : ch_admin_kb_alerts_text (alerts);
  fputs (text, stdout);
  if (json)
    fputc ('\n', stdout);
  return TRUE;
}

static gboolean
cmd_kb_import (Invocation *inv,
               GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GHashTable) files = NULL;
  g_autoptr (ChDrugKb) kb = NULL;

  add_login_options (inv, &opts);
  g_option_context_set_description (
    inv->context,
    _("DIR holds a drug knowledge base in Charta's format (see resources/data/drugs/README.md): "
      "info.tsv, classes.tsv, drugs.tsv, products.tsv, doses.tsv, interactions.tsv, "
      "allergy-groups.tsv, allergy-cross.tsv and duplicates.tsv. Every file is checked first; "
      "only a base without a single problem replaces the active one, all at once. "
      "“charta-admin kb reset” goes back to the base shipped with Charta."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  files = ch_drug_kb_read_dir (positional (inv, 0), error);
  if (files == NULL)
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  kb = ch_prescribing_import_kb (session, files, error);
  if (kb == NULL)
    return FALSE;

  g_print (_("Imported %s %s: %u drugs, %u interactions, %u allergy groups\n"),
           ch_drug_kb_get_info (kb, "name"), ch_drug_kb_get_info (kb, "version"),
           ch_drug_kb_count_drugs (kb), ch_drug_kb_count_interactions (kb),
           ch_drug_kb_count_allergy_groups (kb));
  return TRUE;
}

static gboolean
cmd_kb_reset (Invocation *inv,
              GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL || !ch_prescribing_reset_kb (session, error))
    return FALSE;

  g_print ("%s\n", _("The drug knowledge base shipped with Charta is active again."));
  return TRUE;
}

/* ---- provider and schedule ------------------------------------------------- */

static gboolean
cmd_provider_add (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChResource) resource = ch_resource_new ();
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *account = NULL;
  gboolean room = FALSE;
  const GOptionEntry entries[] = {
    { "id", 0, 0, G_OPTION_ARG_STRING, &id,
      N_("Its id in scripts and on the command line: a-z, 0-9, “.”, “-”, “_”"), N_("ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The name shown in the calendar"), N_("NAME") },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account,
      N_("The provider's user account, if they have one"), N_("USER") },
    { "room", 0, 0, G_OPTION_ARG_NONE, &room, N_("A room or other resource, not a provider"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Adds a provider (or with --room, a room) to the calendar, or renames one. "
                    "Set their working hours with “charta-admin provider hours”."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (id == NULL || name == NULL)
    return usage_error (error, _("Give the provider's --id and --name"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  resource->id = g_steal_pointer (&id);
  resource->name = g_steal_pointer (&name);
  resource->kind = g_strdup (room ? "room" : "provider");
  resource->username = g_steal_pointer (&account);
  return ch_schedule_put_resource (session, resource, error);
}

static gboolean
cmd_provider_hours (Invocation *inv,
                    GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autofree char *days = NULL;
  g_autofree char *times = NULL;
  g_autofree char *lunch = NULL;
  gboolean off = FALSE;
  ChHours hours[2] = { { 0, 0, 0, FALSE }, { 0, 0, 0, TRUE } };
  guint weekdays = 0;
  const GOptionEntry entries[] = {
    { "days", 0, 0, G_OPTION_ARG_STRING, &days, N_("The days: mon,tue… or mon-fri"), N_("DAYS") },
    { "times", 0, 0, G_OPTION_ARG_STRING, &times, N_("The hours worked those days"),
      N_("HH:MM-HH:MM") },
    { "break", 0, 0, G_OPTION_ARG_STRING, &lunch, N_("A break within them"), N_("HH:MM-HH:MM") },
    { "off", 0, 0, G_OPTION_ARG_NONE, &off, N_("No work on those days"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  if (days == NULL || !ch_schedule_parse_days (days, &weekdays))
    return usage_error (error, _("Give the days as --days mon,tue… or --days mon-fri"));
  if (!off && (times == NULL || !ch_schedule_parse_times (times, &hours[0].start_min,
                                                          &hours[0].end_min)))
    return usage_error (error, _("Give the hours as --times HH:MM-HH:MM (or --off)"));
  if (lunch != NULL && !ch_schedule_parse_times (lunch, &hours[1].start_min, &hours[1].end_min))
    return usage_error (error, _("Give the break as --break HH:MM-HH:MM"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  return ch_schedule_set_hours (session, positional (inv, 0), weekdays, hours,
                                off ? 0 : lunch ? 2 : 1, error);
}

static gboolean
cmd_provider_off (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autofree char *day = NULL;
  g_autofree char *reason = NULL;
  gboolean holiday = FALSE;
  const GOptionEntry entries[] = {
    { "day", 0, 0, G_OPTION_ARG_STRING, &day, N_("The day off"), N_("YYYY-MM-DD") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (leave, training, a holiday…)"),
      N_("TEXT") },
    { "holiday", 0, 0, G_OPTION_ARG_NONE, &holiday,
      N_("A practice holiday: nobody works that day (give no ID)"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Marks a day on which a provider or room does not work, or with --holiday "
                    "one on which the practice is closed. Nothing can be booked then without "
                    "confirming it is outside working hours; appointments already booked stay."));
  if (!parse_args (inv, 0, 1, error))
    return FALSE;
  if (day == NULL)
    return usage_error (error, _("Give the day as --day YYYY-MM-DD"));
  if (holiday == (positional (inv, 0) != NULL))
    return usage_error (error, _("Give the provider's or room's ID, or --holiday for the whole practice"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  return ch_schedule_add_day_off (session, holiday ? NULL : positional (inv, 0), day, reason, error);
}

static gboolean
cmd_schedule_type_add (Invocation *inv,
                       GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChApptType) type = ch_appt_type_new ();
  g_autofree char *name = NULL;
  g_autofree char *color = NULL;
  g_autofree char *providers = NULL;
  g_autofree char *rooms = NULL;
  int minutes = 0, buffer = 0;
  gboolean overbook = FALSE, room = FALSE;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Its name, as typed in “schedule book --type”"),
      N_("NAME") },
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, N_("How long it usually lasts"), N_("MIN") },
    { "color", 0, 0, G_OPTION_ARG_STRING, &color, N_("Its colour in the calendar"), N_("#RRGGBB") },
    { "buffer", 0, 0, G_OPTION_ARG_INT, &buffer, N_("Minutes kept free after it"), N_("MIN") },
    { "overbook", 0, 0, G_OPTION_ARG_NONE, &overbook,
      N_("It may be booked over another appointment, once confirmed"), NULL },
    { "needs-room", 0, 0, G_OPTION_ARG_NONE, &room, N_("It needs a room"), NULL },
    { "providers", 0, 0, G_OPTION_ARG_STRING, &providers,
      N_("Only these providers see it (default: any)"), N_("ID,ID…") },
    { "rooms", 0, 0, G_OPTION_ARG_STRING, &rooms, N_("Only these rooms (default: any)"),
      N_("ID,ID…") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (name == NULL || minutes <= 0)
    return usage_error (error, _("Give the type's --name and --minutes"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  type->name = g_steal_pointer (&name);
  type->duration_min = minutes;
  type->buffer_min = buffer;
  type->color = g_steal_pointer (&color);
  type->allow_overbook = overbook;
  type->needs_room = room;
  type->providers = g_strdup (providers ? providers : "");
  type->rooms = g_strdup (rooms ? rooms : "");
  return ch_schedule_add_type (session, type, error);
}

static gboolean
cmd_schedule_types (Invocation *inv,
                    GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) types = NULL;

  add_login_options (inv, &opts);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  types = ch_schedule_list_types (session, error);
  if (types == NULL)
    return FALSE;
  for (guint i = 0; i < types->len; i++)
    {
      const ChApptType *type = types->pdata[i];

      g_print ("%s\t%d\n", type->name, type->duration_min);
    }
  return TRUE;
}

/* Parses an ISO-8601 date-time; without an offset it is local time. */
static gboolean
parse_instant (const char *text,
               gint64     *out_usec)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  g_autoptr (GDateTime) parsed = text ? g_date_time_new_from_iso8601 (text, local) : NULL;

  /* GLib wants the seconds; people write 2030-03-04T09:00 or 2030-03-04T09:00+02:00.
   * The seconds go right after the minutes, before any offset. */
  if (parsed == NULL && text != NULL)
    {
      const char *t = strchr (text, 'T');
      g_autofree char *with_seconds = t != NULL && strlen (t) >= 6
        ? g_strdup_printf ("%.*s:00%s", (int) (t - text) + 6, text, t + 6)
        : g_strconcat (text, ":00", NULL);

      parsed = g_date_time_new_from_iso8601 (with_seconds, local);
    }
  if (parsed == NULL)
    return FALSE;
  *out_usec = g_date_time_to_unix (parsed) * G_USEC_PER_SEC;
  return TRUE;
}

/* Books, and on the command line says which option confirms what was refused. */
static gboolean
book_with_hint (ChSession      *session,
                ChAppointment  *appointment,
                const char     *rrule,
                guint           flags,
                GError        **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean booked;

  if (rrule != NULL)
    {
      guint n = 0;

      booked = ch_schedule_book_series (session, appointment, rrule, flags, &n, &local_error) != 0;
      if (booked)
        g_print (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " (series of %u)\n",
                              "%" PRId64 " (series of %u)\n", n),
                 appointment->id, n);
    }
  else
    {
      booked = ch_schedule_book (session, appointment, flags, &local_error);
      if (booked)
        g_print ("%" G_GINT64_FORMAT "\n", appointment->id);
    }
  if (booked)
    return TRUE;

  if (g_error_matches (local_error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OUTSIDE_HOURS))
    g_set_error (error, local_error->domain, local_error->code, "%s %s", local_error->message,
                 _("(--outside-hours books it)"));
  else if (g_error_matches (local_error, CH_SCHEDULE_ERROR, CH_SCHEDULE_ERROR_OVERBOOK))
    g_set_error (error, local_error->domain, local_error->code, "%s %s", local_error->message,
                 _("(--overbook books it)"));
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
cmd_schedule_book (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChApptType) type = NULL;
  g_autoptr (ChAppointment) appointment = ch_appointment_new ();
  g_autofree char *mrn = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *start = NULL;
  g_autofree char *room = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *rrule = NULL;
  gboolean overbook = FALSE;
  gboolean outside = FALSE;
  gint minutes = 0;
  guint flags;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), N_("MRN") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("The provider's id"), N_("ID") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_name, N_("The appointment type"), N_("NAME") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start,
      N_("When: 2030-03-04T09:00 (local time unless an offset is given)"), N_("ISO-8601") },
    { "duration", 0, 0, G_OPTION_ARG_INT, &minutes,
      N_("Minutes (default: the type's)"), N_("MIN") },
    { "room", 0, 0, G_OPTION_ARG_STRING, &room, N_("The room's id"), N_("ID") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why the patient comes"), N_("TEXT") },
    { "rrule", 0, 0, G_OPTION_ARG_STRING, &rrule,
      N_("Repeat by an RFC 5545 rule, such as FREQ=WEEKLY;COUNT=6"), N_("RULE") },
    { "overbook", 0, 0, G_OPTION_ARG_NONE, &overbook,
      N_("Double-book where the type allows it"), NULL },
    { "outside-hours", 0, 0, G_OPTION_ARG_NONE, &outside,
      N_("Book even outside the provider's working hours"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Books an appointment (or with --rrule, a series) and prints its id. A time "
                    "already taken, or outside working hours, is refused with what stands in "
                    "the way; --overbook and --outside-hours confirm it."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (mrn == NULL || provider == NULL || type_name == NULL || start == NULL)
    return usage_error (error, _("Give --patient, --provider, --type and --start"));
  if (!parse_instant (start, &appointment->start_at))
    return usage_error (error, _("“%s” is not a date and time (2030-03-04T09:00)"), start);
  if (minutes < 0)
    return usage_error (error, _("--duration needs a positive number of minutes"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  type = ch_schedule_find_type (session, type_name, error);
  if (type == NULL)
    return FALSE;

  appointment->patient_id = patient->id;
  appointment->provider_id = g_steal_pointer (&provider);
  appointment->room_id = g_steal_pointer (&room);
  appointment->type_id = type->id;
  appointment->duration_min = minutes > 0 ? minutes : type->duration_min;
  appointment->reason = g_steal_pointer (&reason);
  flags = (overbook ? CH_BOOK_CONFIRM_OVERBOOK : 0) | (outside ? CH_BOOK_CONFIRM_OUTSIDE_HOURS : 0);
  if (!book_with_hint (session, appointment, rrule, flags, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_day_start (const char *text,
                 gint64     *out_usec)
{
  int y, m, d;
  char extra;
  g_autoptr (GDateTime) day = NULL;

  if (text == NULL || sscanf (text, "%d-%d-%d%c", &y, &m, &d, &extra) != 3)
    return FALSE;
  day = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (day == NULL)
    return FALSE;
  *out_usec = g_date_time_to_unix (day) * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
cmd_schedule_list (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *provider = NULL;
  gboolean json = FALSE;
  gint64 from, to;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("The first day"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("The last day"), N_("YYYY-MM-DD") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("One provider's or room's"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (!parse_day_start (from_text, &from) || !parse_day_start (to_text, &to))
    return usage_error (error, _("Give the days as --from YYYY-MM-DD --to YYYY-MM-DD"));
  if (to < from)
    return usage_error (error, _("--to is before --from"));
  to += (gint64) 24 * 3600 * G_USEC_PER_SEC;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  list = ch_schedule_list (session, from, to, provider, error);
  if (list == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_appointments_json (list);

      g_print ("%s\n", text);
      return TRUE;
    }
  rows = ch_admin_appointment_rows (list);
  ch_admin_print_table (rows, 7);
  return TRUE;
}

static gboolean
cmd_schedule_find_slot (Invocation *inv,
                        GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChApptType) type = NULL;
  g_autoptr (GPtrArray) slots = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *days = NULL;
  g_autofree char *times = NULL;
  g_autofree char *mrn = NULL;
  gboolean json = FALSE;
  gint count = 10;
  ChSlotQuery query = { 0 };
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_name, N_("The appointment type"), N_("NAME") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("Only this provider"), N_("ID") },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn,
      N_("For this patient: their own provider and the last one seen come first"), N_("MRN") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("From this day (default: now)"),
      N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("Up to this day (default: 30 days on)"),
      N_("YYYY-MM-DD") },
    { "days", 0, 0, G_OPTION_ARG_STRING, &days, N_("Only these days: mon,tue… or mon-fri"),
      N_("DAYS") },
    { "times", 0, 0, G_OPTION_ARG_STRING, &times, N_("Only between these times"),
      N_("HH:MM-HH:MM") },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("At most N slots (default: 10)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Lists the best free slots for an appointment of the type: within working "
                    "hours, clear of breaks, days off and bookings, with a room where the type "
                    "needs one. Earliest first; at the same time, the patient's own provider, then "
                    "the one they saw last."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (type_name == NULL)
    return usage_error (error, _("Give the appointment --type"));
  if (count < 1 || count > 500)
    return usage_error (error, _("--count needs a number from 1 to 500"));
  query.from = g_get_real_time ();
  if (from_text != NULL && !parse_day_start (from_text, &query.from))
    return usage_error (error, _("Give the day as --from YYYY-MM-DD"));
  query.to = query.from + (gint64) 30 * 24 * 3600 * G_USEC_PER_SEC;
  if (to_text != NULL)
    {
      if (!parse_day_start (to_text, &query.to))
        return usage_error (error, _("Give the day as --to YYYY-MM-DD"));
      query.to += (gint64) 24 * 3600 * G_USEC_PER_SEC;
    }
  if (query.to <= query.from)
    return usage_error (error, _("--to is before --from"));
  if (days != NULL && !ch_schedule_parse_days (days, &query.weekdays))
    return usage_error (error, _("Give the days as --days mon,tue… or --days mon-fri"));
  if (times != NULL && !ch_schedule_parse_times (times, &query.from_min, &query.to_min))
    return usage_error (error, _("Give the times as --times HH:MM-HH:MM"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  type = ch_schedule_find_type (session, type_name, error);
  if (type == NULL)
    return FALSE;
  if (mrn != NULL)
    {
      g_autoptr (ChPatientRecord) patient = ch_patients_get_by_mrn (session, mrn, error);

      if (patient == NULL)
        return FALSE;
      query.patient_id = patient->id;
    }
  query.type_id = type->id;
  query.provider_id = provider;
  query.count = (guint) count;
  slots = ch_schedule_find_slots (session, &query, error);
  if (slots == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_slots_json (slots);

      g_print ("%s\n", text);
    }
  else if (slots->len == 0)
    g_print ("%s\n", _("No free slot in that range."));
  else
    {
      g_autoptr (GPtrArray) rows = ch_admin_slot_rows (slots);

      ch_admin_print_table (rows, 4);
    }
  return TRUE;
}

/* ---- waitlist and recalls -------------------------------------------------- */

static gboolean
cmd_waitlist_add (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChApptType) type = NULL;
  g_autoptr (ChWaitlistEntry) entry = ch_waitlist_entry_new ();
  g_autofree char *mrn = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *days = NULL;
  g_autofree char *times = NULL;
  g_autofree char *note = NULL;
  gint64 appointment = 0;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), N_("MRN") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_name, N_("The appointment type"), N_("NAME") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("Only with this provider (default: any)"),
      N_("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Not before this day"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Not after this day"), N_("YYYY-MM-DD") },
    { "days", 0, 0, G_OPTION_ARG_STRING, &days, N_("Only these days: mon,tue… or mon-fri"),
      N_("DAYS") },
    { "times", 0, 0, G_OPTION_ARG_STRING, &times, N_("Only between these times"),
      N_("HH:MM-HH:MM") },
    { "appointment", 0, 0, G_OPTION_ARG_INT64, &appointment,
      N_("The patient's booked appointment to move earlier (cancelled once a slot is taken)"),
      N_("ID") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("A note for the front desk"), N_("TEXT") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Puts a patient on the waitlist for an earlier slot and prints the entry's id. "
                    "When an appointment is cancelled, marked a no-show, moved or shortened, its "
                    "time is offered to the first patient on the list whose wishes it fits."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (mrn == NULL || type_name == NULL)
    return usage_error (error, _("Give --patient and --type"));
  if ((from != NULL && !ch_valid_date (from)) || (to != NULL && !ch_valid_date (to)))
    return usage_error (error, _("Give the days as --from YYYY-MM-DD --to YYYY-MM-DD"));
  if (from != NULL && to != NULL && strcmp (to, from) < 0)
    return usage_error (error, _("--to is before --from"));
  if (days != NULL && !ch_schedule_parse_days (days, &entry->weekdays))
    return usage_error (error, _("Give the days as --days mon,tue… or --days mon-fri"));
  if (times != NULL && !ch_schedule_parse_times (times, &entry->from_min, &entry->to_min))
    return usage_error (error, _("Give the times as --times HH:MM-HH:MM"));
  if (appointment < 0)
    return usage_error (error, _("--appointment needs an appointment's id"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  type = ch_schedule_find_type (session, type_name, error);
  if (type == NULL)
    return FALSE;

  entry->patient_id = patient->id;
  entry->type_id = type->id;
  entry->provider_id = g_steal_pointer (&provider);
  entry->appointment_id = appointment;
  entry->earliest_day = g_steal_pointer (&from);
  entry->latest_day = g_steal_pointer (&to);
  entry->note = g_steal_pointer (&note);
  if (!ch_waitlist_add (session, entry, error))
    return FALSE;
  g_print ("%" G_GINT64_FORMAT "\n", entry->id);
  return TRUE;
}

static gboolean
cmd_waitlist_list (Invocation *inv,
                   GError    **error)
{
  static const char * const known[] = { "waiting", "offered", "booked", "removed", "all", NULL };
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) offers = NULL;
  g_autofree char *status = NULL;
  gboolean json = FALSE;
  const GOptionEntry options[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status,
      N_("Only those waiting, offered, booked or removed, or all (default: waiting and offered)"),
      N_("STATUS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, options, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Lists the waitlist, first come first served, with the slot offered to each "
                    "patient who has an offer open."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (status != NULL && !g_strv_contains (known, status))
    return usage_error (error, _("Unknown status “%s” (waiting, offered, booked, removed, all)"),
                        status);

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  entries = ch_waitlist_list (session, status, error);
  if (entries == NULL)
    return FALSE;
  offers = ch_waitlist_list_offers (session, error);
  if (offers == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_waitlist_json (entries, offers);

      g_print ("%s\n", text);
    }
  else
    {
      g_autoptr (GPtrArray) rows = ch_admin_waitlist_rows (entries, offers);

      ch_admin_print_table (rows, 7);
    }
  return TRUE;
}

static gboolean
cmd_recall_add (Invocation *inv,
                GError    **error)
{
  static const char * const kinds[] = { "follow-up", "annual-exam", "immunization", "other", NULL };
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChRecall) recall = ch_recall_new ();
  g_autofree char *mrn = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *due = NULL;
  g_autofree char *note = NULL;
  g_autofree char *provider = NULL;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), N_("MRN") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind,
      N_("follow-up, annual-exam, immunization or other"), N_("KIND") },
    { "due", 0, 0, G_OPTION_ARG_STRING, &due, N_("The day it is due"), N_("YYYY-MM-DD") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What it is for (needed for “other”)"),
      N_("TEXT") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, N_("The provider to see"), N_("ID") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Puts a patient on the recall list, to be called when it comes due, and prints "
                    "the recall's id."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (mrn == NULL || kind == NULL || due == NULL)
    return usage_error (error, _("Give --patient, --kind and --due"));
  if (!g_strv_contains (kinds, kind))
    return usage_error (error, _("Unknown kind “%s” (follow-up, annual-exam, immunization, other)"),
                        kind);
  if (!ch_valid_date (due))
    return usage_error (error, _("Give the day as --due YYYY-MM-DD"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  recall->patient_id = patient->id;
  recall->kind = g_steal_pointer (&kind);
  recall->due_date = g_steal_pointer (&due);
  recall->reason = g_steal_pointer (&note);
  recall->provider_id = g_steal_pointer (&provider);
  if (!ch_recall_add (session, recall, error))
    return FALSE;
  g_print ("%" G_GINT64_FORMAT "\n", recall->id);
  return TRUE;
}

static gboolean
cmd_recall_list (Invocation *inv,
                 GError    **error)
{
  static const char * const known[] = { "due", "contacted", "booked", "done", "cancelled", "all",
                                        NULL };
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) recalls = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *status = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Due on or after this day"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Due on or before this day"), N_("YYYY-MM-DD") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status,
      N_("Only due, contacted, booked, done or cancelled ones, or all (default: due and contacted)"),
      N_("STATUS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Lists the recalls to call, by due date: without --from and --to, those overdue "
                    "and those due in the next 30 days."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if ((from != NULL && !ch_valid_date (from)) || (to != NULL && !ch_valid_date (to)))
    return usage_error (error, _("Give the days as --from YYYY-MM-DD --to YYYY-MM-DD"));
  if (from != NULL && to != NULL && strcmp (to, from) < 0)
    return usage_error (error, _("--to is before --from"));
  if (status != NULL && !g_strv_contains (known, status))
    return usage_error (error,
                        _("Unknown status “%s” (due, contacted, booked, done, cancelled, all)"),
                        status);

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  recalls = ch_recall_list (session, from, to, status, error);
  if (recalls == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_recalls_json (recalls);

      g_print ("%s\n", text);
    }
  else
    {
      g_autoptr (GPtrArray) rows = ch_admin_recall_rows (recalls);

      ch_admin_print_table (rows, 7);
    }
  return TRUE;
}

/* ---- dicom --------------------------------------------------------------- */

/* Neither command opens a practice or logs in: they read a file someone
 * hands them, and touch nothing in the record. */

static gboolean
cmd_dicom_info (Invocation *inv,
                GError    **error)
{
  g_autoptr (ChDcm) dcm = NULL;
  g_autofree char *text = NULL;

  g_option_context_set_description (
    inv->context, _("Prints the file's patient, study, series and image details as one JSON "
                    "object. No practice or login is needed: it reads the file only."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  dcm = ch_dcm_open_file (positional (inv, 0), error);
  if (dcm == NULL)
    return FALSE;
  text = ch_admin_dicom_info_json (dcm);
  g_print ("%s\n", text);
  return TRUE;
}

/* "C,W" with a positive width. */
static gboolean
parse_window (const char *text,
              double     *center,
              double     *width)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  char *end;

  if (g_strv_length (parts) != 2)
    return FALSE;
  *center = g_ascii_strtod (g_strstrip (parts[0]), &end);
  if (*parts[0] == '\0' || *end != '\0' || !isfinite (*center))
    return FALSE;
  *width = g_ascii_strtod (g_strstrip (parts[1]), &end);
  if (*parts[1] == '\0' || *end != '\0' || !isfinite (*width) || *width <= 0)
    return FALSE;
  return TRUE;
}

static gboolean
cmd_dicom_render (Invocation *inv,
                  GError    **error)
{
  g_autoptr (ChDcm) dcm = NULL;
  g_autofree guint8 *pixels = NULL;
  g_autofree char *png = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *window = NULL;
  gint frame = 1;
  double center = 0, width = 0;
  guint out_width, out_height, channels;
  const GOptionEntry entries[] = {
    { "frame", 0, 0, G_OPTION_ARG_INT, &frame, N_("The frame to render, from 1 (default: 1)"),
      N_("N") },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window,
      N_("Window centre and width (default: the file's first preset, else the full range)"),
      N_("C,W") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("Write the frame as a PNG to FILE"),
      N_("FILE") },
    { "raw", 0, 0, G_OPTION_ARG_FILENAME, &raw,
      N_("Write the frame's values after the modality LUT to FILE, as little-endian doubles"),
      N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Renders one frame of a DICOM image to a PNG with the given window. No "
                    "practice or login is needed: it reads the file only."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  if (png == NULL && raw == NULL)
    return usage_error (error, _("Give --png FILE (or --raw FILE)"));
  if (frame < 1)
    return usage_error (error, _("Frames count from 1"));
  if (window != NULL && !parse_window (window, &center, &width))
    return usage_error (error, _("Give the window as --window CENTER,WIDTH with a positive width"));

  dcm = ch_dcm_open_file (positional (inv, 0), error);
  if (dcm == NULL)
    return FALSE;

  if (png != NULL)
    {
      pixels = ch_dcm_render_frame (dcm, (guint) frame - 1, center, width, window == NULL,
                                    &out_width, &out_height, &channels, error);
      if (pixels == NULL ||
          !ch_admin_dicom_write_png (pixels, out_width, out_height, channels, png, error))
        return FALSE;
    }
  if (raw != NULL && !ch_admin_dicom_write_raw (dcm, (guint) frame - 1, raw, error))
    return FALSE;
  return TRUE;
}

/* ---- dicom: the receiver and the inbox ------------------------------------- */

/* "CT01,MR2" as a list, each a valid AE title. */
static gboolean
parse_ae_list (const char  *text,
               GStrv       *out,
               GError     **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GStrvBuilder) list = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (!ch_imaging_valid_ae_title (parts[i]))
        return usage_error (error, _("“%s” is not an AE title (1 to 16 letters, digits or "
                                     "punctuation)"), parts[i]);
      g_strv_builder_add (list, parts[i]);
    }
  *out = g_strv_builder_end (list);
  return TRUE;
}

static const char *
modality_or_dicom (const char *modality)
{
  return modality != NULL && *modality != '\0' ? modality : "DICOM";
}

static void
on_dicom_received (ChDicomReceiver            *receiver,
                   const ChImagingStoreResult *result,
                   const char                 *source,
                   gpointer                    user_data)
{
  char entry[32];

  g_snprintf (entry, sizeof entry, "%" G_GINT64_FORMAT, result->inbox_id);
  switch (result->outcome)
    {
    case CH_IMAGING_STORED:
      g_print (_("stored %s image %s for MRN %s\n"), modality_or_dicom (result->modality),
               result->sop_instance_uid, result->mrn != NULL ? result->mrn : "?");
      break;
    case CH_IMAGING_DUPLICATE:
      if (result->document_id > 0)
        g_print (_("already stored: %s image %s for MRN %s\n"),
                 modality_or_dicom (result->modality), result->sop_instance_uid,
                 result->mrn != NULL ? result->mrn : "?");
      else
        g_print (_("already waiting: %s image %s, inbox entry %s\n"),
                 modality_or_dicom (result->modality), result->sop_instance_uid, entry);
      break;
    case CH_IMAGING_QUEUED:
    default:
      g_print (_("unmatched: %s image %s (%s), waiting for reconciliation as inbox entry %s\n"),
               modality_or_dicom (result->modality), result->sop_instance_uid, result->reason,
               entry);
      break;
    }
  fflush (stdout);
}

static void
on_dicom_store_failed (ChDicomReceiver *receiver,
                       const char      *sop_instance_uid,
                       const char      *source,
                       const char      *message,
                       gpointer         user_data)
{
  g_printerr (_("%s: not stored: image %s from %s: %s\n"), PROGRAM, sop_instance_uid, source,
              message);
}

static void
on_dicom_association (ChDicomReceiver *receiver,
                      const char      *calling_ae,
                      const char      *peer_address,
                      gboolean         accepted,
                      const char      *reason,
                      gpointer         user_data)
{
  if (!accepted)
    g_printerr (_("%s: refused %s at %s: %s\n"), PROGRAM, calling_ae, peer_address, reason);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
cmd_dicom_listen (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChImagingReceiverSettings) settings = NULL;
  g_autoptr (ChDicomReceiver) receiver = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_auto (GStrv) allowed = NULL;
  g_autofree char *ae = NULL;
  g_autofree char *allow = NULL;
  g_autofree char *address = NULL;
  gint port = -1;
  guint sigint, sigterm;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      N_("Listen on port N; 0 lets the system choose (default: the practice's setting, else "
         "11112)"), N_("N") },
    { "ae", 0, 0, G_OPTION_ARG_STRING, &ae,
      N_("Answer as AE title TITLE (default: the practice's setting, else CHARTA)"), N_("TITLE") },
    { "allow", 0, 0, G_OPTION_ARG_STRING, &allow,
      N_("Accept only these calling AE titles, separated by commas (default: the practice's "
         "list)"), N_("AET,…") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address,
      N_("Listen on this IPv4 address only (default: every interface)"), N_("ADDRESS") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Receives DICOM images from modalities (C-ECHO and C-STORE) until stopped with "
                    "Ctrl+C or SIGTERM. Each image is filed in the chart of the patient whose MRN "
                    "or identifier is its Patient ID, else whose name and birth date it names; "
                    "one that matches no patient, or several, waits in “dicom inbox”. Only the "
                    "allowed calling AE titles may connect. Prints “Listening as TITLE on port N”, "
                    "then a line for each image. The user needs write access to the clinical "
                    "record."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (port < -1 || port > 65535)
    return usage_error (error, _("Give the port as --port N, from 0 to 65535"));
  if (ae != NULL && !ch_imaging_valid_ae_title (ae))
    return usage_error (error, _("“%s” is not an AE title (1 to 16 letters, digits or "
                                 "punctuation)"), ae);
  if (allow != NULL && !parse_ae_list (allow, &allowed, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  settings = ch_imaging_get_receiver_settings (session, error);
  if (settings == NULL)
    return FALSE;
  if (allowed == NULL)
    allowed = g_strdupv (settings->allowed_peers);
  if (g_strv_length (allowed) == 0)
    g_printerr (_("%s: no calling AE title is allowed, so every association will be refused "
                  "(give --allow)\n"), PROGRAM);

  receiver = ch_dicom_receiver_new (session, ae != NULL ? ae : settings->ae_title,
                                    (const char * const *) allowed);
  g_signal_connect (receiver, "received", G_CALLBACK (on_dicom_received), NULL);
  g_signal_connect (receiver, "store-failed", G_CALLBACK (on_dicom_store_failed), NULL);
  g_signal_connect (receiver, "association", G_CALLBACK (on_dicom_association), NULL);
  if (!ch_dicom_receiver_start (receiver, address, port >= 0 ? (guint) port : settings->port,
                                error))
    return FALSE;

  g_print (_("Listening as %s on port %u\n"), ch_dicom_receiver_get_ae_title (receiver),
           ch_dicom_receiver_get_port (receiver));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  ch_dicom_receiver_stop (receiver);
  g_print (_("Stopped\n"));
  return TRUE;
}

static gboolean
cmd_dicom_inbox (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (GPtrArray) items = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Lists the studies received that match no patient, or several, oldest first: "
                    "one line a study, with the entry id that “dicom assign” and “dicom discard” "
                    "take, and why it waits."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  items = ch_imaging_inbox_list (session, error);
  if (items == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_dicom_inbox_json (items);

      g_print ("%s\n", text);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("ID|PATIENT|PATIENT ID|BORN|STUDY DATE|MODALITY|IMAGES|"
                                           "FROM|WHY"), "|", -1));
      for (guint i = 0; i < items->len; i++)
        {
          const ChImagingInboxItem *item = items->pdata[i];
          char **row = g_new0 (char *, 10);

          row[0] = g_strdup_printf ("%" G_GINT64_FORMAT, item->id);
          row[1] = g_strdup (item->patient_name);
          row[2] = g_strdup (item->patient_ref);
          row[3] = g_strdup (item->birth_date);
          row[4] = g_strdup (item->study_date);
          row[5] = g_strdup (item->modalities);
          row[6] = g_strdup_printf ("%u", item->n_instances);
          row[7] = g_strdup (item->calling_ae);
          row[8] = g_strdup (item->reason);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 9);
    }
  return TRUE;
}

static gboolean
cmd_dicom_assign (Invocation *inv,
                  GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autofree char *mrn = NULL;
  guint moved = 0;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"),
      N_("MRN") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Files the study of inbox entry ID (or the study with that instance UID) in "
                    "the patient's chart: every image of it that waits, all or none. Audited."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  if (mrn == NULL)
    return usage_error (error, _("Give --patient MRN"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  if (!ch_imaging_inbox_assign (session, positional (inv, 0), patient->id, &moved, error))
    return FALSE;
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u image filed for MRN %s\n",
                        "%u images filed for MRN %s\n", moved), moved, patient->mrn);
  return TRUE;
}

static gboolean
cmd_dicom_discard (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (required)"), N_("TEXT") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Takes the study of inbox entry ID (or the study with that instance UID) out of "
                    "the inbox, with the reason. Nothing is deleted; it is audited."));
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  if (reason == NULL)
    return usage_error (error, _("Give --reason TEXT"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  return ch_imaging_inbox_discard (session, positional (inv, 0), reason, error);
}

static gboolean
cmd_dicom_studies (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) studies = NULL;
  g_autofree char *mrn = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"),
      N_("MRN") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Write a JSON array, with each study's series and their documents"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Lists the imaging studies in a patient's chart, newest first. Audited."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (mrn == NULL)
    return usage_error (error, _("Give --patient MRN"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  studies = ch_imaging_list_studies (session, patient->id, error);
  if (studies == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_dicom_studies_json (session, patient->id, studies, error);

      if (text == NULL)
        return FALSE;
      g_print ("%s\n", text);
    }
  else
    {
      g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

      g_ptr_array_add (rows, g_strsplit (_("DATE|MODALITY|DESCRIPTION|SERIES|IMAGES|STUDY UID"),
                                         "|", -1));
      for (guint i = 0; i < studies->len; i++)
        {
          const ChImagingStudy *study = studies->pdata[i];
          char **row = g_new0 (char *, 7);

          row[0] = g_strdup (study->date);
          row[1] = g_strdup (study->modalities);
          row[2] = g_strdup (study->description);
          row[3] = g_strdup_printf ("%u", study->n_series);
          row[4] = g_strdup_printf ("%u", study->n_instances);
          row[5] = g_strdup (study->study_uid);
          g_ptr_array_add (rows, row);
        }
      ch_admin_print_table (rows, 6);
    }
  return TRUE;
}

static gboolean
cmd_dicom_settings (Invocation *inv,
                    GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChImagingReceiverSettings) settings = NULL;
  g_autofree char *ae = NULL;
  g_autofree char *allow = NULL;
  g_autofree char *peers = NULL;
  gboolean enable = FALSE, disable = FALSE;
  gint port = -1;
  const GOptionEntry entries[] = {
    { "enable", 0, 0, G_OPTION_ARG_NONE, &enable, N_("Run the receiver in the application"), NULL },
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable, N_("Do not run it"), NULL },
    { "ae", 0, 0, G_OPTION_ARG_STRING, &ae, N_("The practice's AE title"), N_("TITLE") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The port to listen on"), N_("N") },
    { "allow", 0, 0, G_OPTION_ARG_STRING, &allow,
      N_("The calling AE titles accepted, separated by commas (\"\" for none)"), N_("AET,…") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Shows the DICOM receiver's settings, or changes those given (administrator "
                    "or office manager)."));
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (enable && disable)
    return usage_error (error, _("Give --enable or --disable, not both"));
  if (port == 0 || port < -1 || port > 65535)
    return usage_error (error, _("Give the port as --port N, from 1 to 65535"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  settings = ch_imaging_get_receiver_settings (session, error);
  if (settings == NULL)
    return FALSE;

  if (enable || disable || ae != NULL || port > 0 || allow != NULL)
    {
      if (enable || disable)
        settings->enabled = enable;
      if (ae != NULL)
        {
          g_free (settings->ae_title);
          settings->ae_title = g_steal_pointer (&ae);
        }
      if (port > 0)
        settings->port = (guint) port;
      if (allow != NULL)
        {
          g_strfreev (settings->allowed_peers);
          settings->allowed_peers = NULL;
          if (!parse_ae_list (allow, &settings->allowed_peers, error))
            return FALSE;
        }
      if (!ch_imaging_set_receiver_settings (session, settings, error))
        return FALSE;
    }

  peers = g_strjoinv (",", settings->allowed_peers);
  g_print ("%s %s\n", _("Enabled:"), settings->enabled ? _("yes") : _("no"));
  g_print ("%s %s\n", _("AE title:"), settings->ae_title);
  g_print ("%s %u\n", _("Port:"), settings->port);
  g_print ("%s %s\n", _("Allowed peers:"), *peers != '\0' ? peers : _("(none)"));
  return TRUE;
}

/* ---- documents ----------------------------------------------------------- */

static gboolean
cmd_doc_import (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GError) failed = NULL;
  g_autofree char *mrn = NULL;
  g_autofree char *category = NULL;
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *author = NULL;
  g_autofree char *source = NULL;
  g_autofree char *tags = NULL;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), N_("MRN") },
    { "category", 0, 0, G_OPTION_ARG_STRING, &category,
      N_("referral, lab-report, imaging, consent, id-card, correspondence or other (default)"),
      N_("CATEGORY") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("The title (default: the file's name)"),
      N_("TEXT") },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, N_("The document's date (default: today)"),
      N_("YYYY-MM-DD") },
    { "author", 0, 0, G_OPTION_ARG_STRING, &author, N_("Who wrote it"), N_("TEXT") },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source, N_("Where it came from"), N_("TEXT") },
    { "tags", 0, 0, G_OPTION_ARG_STRING, &tags, N_("Tags, separated by commas"), N_("TAGS") },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (
    inv->context, _("Stores each FILE, encrypted, in the patient's chart and prints its document "
                    "id, one a line. A file that cannot be imported is reported and the others "
                    "still are; the exit status is then 1."));
  if (!parse_args (inv, 1, G_MAXUINT, error))
    return FALSE;
  if (mrn == NULL)
    return usage_error (error, _("Give --patient MRN"));
  if (category != NULL && !ch_documents_valid_category (category))
    return usage_error (error, _("Unknown category “%s” (referral, lab-report, imaging, consent, "
                                 "id-card, correspondence, other)"), category);
  if (date != NULL && !ch_valid_date (date))
    return usage_error (error, _("Give the date as --date YYYY-MM-DD"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;

  for (guint i = 0; positional (inv, i) != NULL; i++)
    {
      const char *file = positional (inv, i);
      ChDocumentMeta meta = { .category = category, .date = date, .title = title,
                              .author = author, .source = source, .tags = tags };
      g_autoptr (GError) local_error = NULL;
      g_autofree char *display = g_filename_display_name (file);
      gint64 id = 0;

      /* DICOM images are filed by study and series as well. */
      if (ch_imaging_import_path (session, patient->id, &meta, file, &id, NULL, &local_error))
        {
          g_print ("%" G_GINT64_FORMAT "\n", id);
          continue;
        }
      /* What fails every file fails at once. */
      if (g_error_matches (local_error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED)
          || g_error_matches (local_error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* The last failure is the command's error; those before it are told now. */
      if (failed != NULL)
        g_printerr ("%s: %s\n", PROGRAM, failed->message);
      g_clear_error (&failed);
      if (strstr (local_error->message, display) != NULL)
        failed = g_steal_pointer (&local_error);
      else
        failed = g_error_new (local_error->domain, local_error->code, "%s: %s", display,
                              local_error->message);
    }

  if (failed != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&failed));
      return FALSE;
    }
  return TRUE;
}

static gboolean
cmd_doc_list (Invocation *inv,
              GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) documents = NULL;
  g_autofree char *mrn = NULL;
  gboolean json = FALSE;
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient's medical record number"), N_("MRN") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Also those entered in error"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Write a JSON array instead of a table"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (mrn == NULL)
    return usage_error (error, _("Give --patient MRN"));

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  patient = ch_patients_get_by_mrn (session, mrn, error);
  if (patient == NULL)
    return FALSE;
  documents = ch_documents_list (session, patient->id, all, error);
  if (documents == NULL)
    return FALSE;

  if (json)
    {
      g_autofree char *text = ch_admin_documents_json (documents);

      g_print ("%s\n", text);
    }
  else
    {
      g_autoptr (GPtrArray) rows = ch_admin_document_rows (documents);

      ch_admin_print_table (rows, 7);
    }
  return TRUE;
}

static gboolean
cmd_doc_export (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  const char *id_text;
  char *end = NULL;
  gint64 id;

  add_login_options (inv, &opts);
  g_option_context_set_description (
    inv->context, _("Writes document ID, decrypted, to OUT (readable by you alone), whole or not "
                    "at all. The export is audited."));
  if (!parse_args (inv, 2, 2, error))
    return FALSE;
  id_text = positional (inv, 0);
  id = g_ascii_strtoll (id_text, &end, 10);
  if (*id_text == '\0' || *end != '\0' || id <= 0)
    return usage_error (error, _("“%s” is not a document id"), id_text);

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  return ch_documents_export (session, id, positional (inv, 1), error);
}

/* ---- dispatch ------------------------------------------------------------ */

/* ---- backup -------------------------------------------------------------- */

static void
backup_progress (const char *message,
                 gpointer    user_data)
{
  g_printerr ("%s\n", message);
}

static char *
format_unix_time (gint64 seconds)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (seconds);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static char *
format_unix_time_iso (gint64 seconds)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (seconds);

  return when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("");
}

/* What opens an archive: --recovery-key-file (or $CHARTA_RECOVERY_KEY with
 * no user given), else a user's password. The secrets stay in guarded memory,
 * in @password and @recovery_key, which @credentials points into. */
static gboolean
archive_credentials (const char          *user_opt,
                     const char          *password_file,
                     const char          *key_file,
                     ChSecret           **password,
                     ChSecret           **recovery_key,
                     ChBackupCredentials *credentials,
                     GError             **error)
{
  const char *user = resolve_user (user_opt);
  const char *env_key = g_getenv ("CHARTA_RECOVERY_KEY");

  memset (credentials, 0, sizeof *credentials);

  if (key_file != NULL || (user == NULL && env_key != NULL && *env_key != '\0'))
    {
      *recovery_key = ch_admin_get_secret (key_file, "CHARTA_RECOVERY_KEY", _("Recovery key: "),
                                           _("No recovery key: give --recovery-key-file FILE, "
                                             "set CHARTA_RECOVERY_KEY, or run on a terminal"),
                                           error);
      if (*recovery_key == NULL)
        return FALSE;
      credentials->recovery_key = (const char *) (*recovery_key)->data;
      return TRUE;
    }

  if (user == NULL)
    return usage_error (error, _("Give --user ADMIN (with a password) or --recovery-key-file FILE"));

  {
    g_autofree char *prompt = g_strdup_printf (_("Password for %s: "), user);

    *password = ch_admin_get_secret (password_file, "CHARTA_PASSWORD", prompt,
                                     _("No password: give --password-file FILE, set "
                                       "CHARTA_PASSWORD, or run on a terminal"),
                                     error);
  }
  if (*password == NULL)
    return FALSE;
  credentials->username = user;
  credentials->password = (const char *) (*password)->data;
  return TRUE;
}

static void
add_archive_credential_options (Invocation *inv,
                                char      **user_opt,
                                char      **password_file,
                                char      **key_file)
{
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, user_opt,
      N_("Open the backup as ADMIN, an administrator or office manager in it "
         "(default: $CHARTA_USER)"), N_("ADMIN") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, password_file,
      N_("Read the password from the first line of FILE (else $CHARTA_PASSWORD, else ask)"),
      N_("FILE") },
    { "recovery-key-file", 0, 0, G_OPTION_ARG_FILENAME, key_file,
      N_("Open the backup with the recovery key on the first line of FILE "
         "(else $CHARTA_RECOVERY_KEY)"),
      N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
}

static void
add_target_option (Invocation *inv,
                   char      **target)
{
  const GOptionEntry entries[] = {
    { "target", 't', 0, G_OPTION_ARG_FILENAME, target,
      N_("Where the backups go: dir:PATH, a folder (a mounted NAS or another disk), or "
         "sftp://USER@HOST[:PORT]/PATH (with the configured identity); default: the "
         "configured target"),
      N_("TARGET") },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
}

static gboolean
cmd_backup_now (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autofree char *target = NULL;
  g_autofree char *archive = NULL;
  ChBackupRetention keep_last = { 0 };
  int keep = -1;   /* not given */
  const GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_INT, &keep,
      N_("Keep only the N newest backups in the target, of those Charta wrote, instead of "
         "the configured daily, weekly and monthly ones"), N_("N") },
    { NULL }
  };

  add_login_options (inv, &opts);
  add_target_option (inv, &target);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  if (keep == 0 || keep < -1)
    return usage_error (error, _("--keep takes a number of at least 1"));
  keep_last.last = keep > 0 ? (guint) keep : 0;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  archive = ch_backup_run (session, target, keep > 0 ? &keep_last : NULL, backup_progress,
                           NULL, error);
  if (archive == NULL)
    return FALSE;

  g_printerr ("%s\n", _("The backup is written and verified."));
  g_print ("%s\n", archive);
  return TRUE;
}

static char *
format_backup_target (const char *target)
{
  return g_strdup (target != NULL ? target : _("(none)"));
}

static gboolean
parse_keep (const char *option,
            const char *text,
            guint      *out,
            GError    **error)
{
  guint64 n = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, CH_BACKUP_KEEP_MAX, &n, NULL))
    return usage_error (error, _("%s takes a number from 0 to %d"), option, CH_BACKUP_KEEP_MAX);
  *out = (guint) n;
  return TRUE;
}

static gboolean
cmd_backup_config (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChBackupConfig) config = NULL;
  g_autofree char *target = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *time = NULL;
  g_autofree char *daily = NULL;
  g_autofree char *weekly = NULL;
  g_autofree char *monthly = NULL;
  g_autofree char *shown = NULL;
  gboolean forget = FALSE;
  const GOptionEntry entries[] = {
    { "identity", 0, 0, G_OPTION_ARG_FILENAME, &identity,
      N_("SFTP targets: the private key file that logs in"), N_("KEYFILE") },
    { "time", 0, 0, G_OPTION_ARG_STRING, &time,
      N_("When the nightly backup runs, local time (default: 02:00)"), N_("HH:MM") },
    { "keep-daily", 0, 0, G_OPTION_ARG_STRING, &daily,
      N_("Keep the newest backup of each of the last N days (default: 7)"), N_("N") },
    { "keep-weekly", 0, 0, G_OPTION_ARG_STRING, &weekly,
      N_("Keep the newest backup of each of the last N weeks (default: 4)"), N_("N") },
    { "keep-monthly", 0, 0, G_OPTION_ARG_STRING, &monthly,
      N_("Keep the newest backup of each of the last N months (default: 12)"), N_("N") },
    { "forget-host-key", 0, 0, G_OPTION_ARG_NONE, &forget,
      N_("Forget the SFTP server's pinned host key (after the server was reinstalled): the "
         "next backup pins the key it then shows"), NULL },
    { NULL }
  };
  const GOptionEntry target_entries[] = {
    { "target", 't', 0, G_OPTION_ARG_FILENAME, &target,
      N_("Where the backups go: dir:PATH, a folder (a mounted NAS or another disk), or "
         "sftp://USER@HOST[:PORT]/PATH with --identity"), N_("TARGET") },
    { NULL }
  };
  gboolean change;

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, target_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;
  change = target != NULL || identity != NULL || time != NULL || daily != NULL || weekly != NULL
           || monthly != NULL;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;
  config = ch_backup_config_load (session, error);
  if (config == NULL)
    return FALSE;

  if (change)
    {
      if (target != NULL)
        {
          g_free (config->target);
          config->target = g_steal_pointer (&target);
          /* A new target forgets the old one's key unless given again. */
          g_clear_pointer (&config->identity, g_free);
        }
      if (identity != NULL)
        {
          g_free (config->identity);
          config->identity = g_canonicalize_filename (identity, NULL);
        }
      if (time != NULL && !ch_backup_parse_time (time, &config->hour, &config->minute, error))
        return FALSE;
      if (!parse_keep ("--keep-daily", daily, &config->retention.daily, error)
          || !parse_keep ("--keep-weekly", weekly, &config->retention.weekly, error)
          || !parse_keep ("--keep-monthly", monthly, &config->retention.monthly, error))
        return FALSE;
      if (!ch_backup_config_save (session, config, error))
        return FALSE;
      g_clear_pointer (&config, ch_backup_config_free);
      config = ch_backup_config_load (session, error);
      if (config == NULL)
        return FALSE;
      g_printerr ("%s\n", _("The backup configuration is saved."));
    }
  if (forget)
    {
      if (config->target == NULL)
        return usage_error (error, _("No backup target is configured"));
      if (!ch_backup_forget_host_key (session, config->target, error))
        return FALSE;
      g_clear_pointer (&config->host_key, g_free);
      g_printerr ("%s\n", _("The server’s host key is forgotten: the next backup pins the key "
                             "it then shows."));
    }

  shown = format_backup_target (config->target);
  g_print (_("Target:   %s\n"), shown);
  if (config->identity != NULL)
    g_print (_("Identity: %s\n"), config->identity);
  if (config->target != NULL && g_str_has_prefix (config->target, "sftp://"))
    g_print (_("Host key: %s\n"), config->host_key != NULL
                                   ? config->host_key
                                   : _("not pinned yet (the next backup pins the server’s)"));
  g_print (_("Time:     %02u:%02u (local time)\n"), config->hour, config->minute);
  g_print (_("Keep:     %u daily, %u weekly, %u monthly\n"), config->retention.daily,
           config->retention.weekly, config->retention.monthly);
  return TRUE;
}

static gboolean
cmd_backup_list (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GPtrArray) infos = NULL;
  g_autoptr (ChBackupConfig) config = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  add_target_option (inv, &target);
  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  /* A folder is read as it is; an SFTP server, or the configured target,
   * through the practice (its identity and the server's pinned key). */
  if (target == NULL || g_str_has_prefix (target, "sftp://"))
    {
      session = login (&opts, NULL, error);
      if (session == NULL)
        return FALSE;
      config = ch_backup_config_load (session, error);
      if (config == NULL)
        return FALSE;
      if (target == NULL && config->target == NULL)
        return usage_error (error, _("No backup target is configured: give --target dir:PATH"));
      if (target == NULL && g_str_has_prefix (config->target, "dir:"))
        target = g_strdup (config->target);
    }
  if (target != NULL && !g_str_has_prefix (target, "sftp://"))
    {
      dir = ch_backup_parse_target (target, error);
      if (dir == NULL)
        return FALSE;
      infos = ch_backup_list (dir, error);
    }
  else
    {
      infos = ch_backup_list_sftp (session, target, error);
      dir = g_strdup (target != NULL ? target : config->target);
    }
  if (infos == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < infos->len; i++)
        {
          ChBackupInfo *info = g_ptr_array_index (infos, i);
          g_autofree char *created = format_unix_time_iso (info->created);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, info->path);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, info->size);
          json_builder_set_member_name (builder, "readable");
          json_builder_add_boolean_value (builder, info->format_version != 0);
          if (info->format_version != 0)
            {
              json_builder_set_member_name (builder, "created");
              json_builder_add_string_value (builder, created);
              json_builder_set_member_name (builder, "key_id");
              json_builder_add_string_value (builder, info->key_id);
              json_builder_set_member_name (builder, "format");
              json_builder_add_int_value (builder, info->format_version);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ch_admin_print_json (builder);
      return TRUE;
    }

  if (infos->len == 0)
    {
      g_print (_("No backups in %s\n"), dir);
      return TRUE;
    }

  {
    g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

    g_ptr_array_add (rows, g_strdupv ((char *[]) { _("ARCHIVE"), _("CREATED"), _("SIZE"),
                                                   NULL }));
    for (guint i = 0; i < infos->len; i++)
      {
        ChBackupInfo *info = g_ptr_array_index (infos, i);
        g_autofree char *name = g_path_get_basename (info->path);
        char **row = g_new0 (char *, 4);

        row[0] = g_strdup (name);
        row[1] = info->format_version != 0 ? format_unix_time (info->created)
                                           : g_strdup (_("unreadable"));
        row[2] = g_format_size (info->size);
        g_ptr_array_add (rows, row);
      }
    ch_admin_print_table (rows, 3);
  }
  return TRUE;
}

static void
print_backup_info (const ChBackupInfo *info)
{
  g_autofree char *created = format_unix_time (info->created);
  g_autofree char *size = g_format_size (info->size);
  g_autofree char *content = g_format_size (info->content_size);

  g_print (_("Backup:    %s\n"), info->path);
  g_print (_("Practice:  %s\n"), info->practice_name != NULL ? info->practice_name : "");
  g_print (_("Created:   %s\n"), created);
  g_print (_("Files:     %u (%s; archive %s)\n"), info->n_files, content, size);
  g_print (_("Schema:    %d\n"), info->schema_version);
  g_print (_("Audit head: %s\n"), info->audit_head != NULL ? info->audit_head : "-");
}

static gboolean
cmd_backup_verify (Invocation *inv,
                   GError    **error)
{
  g_autofree char *user_opt = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *key_file = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autoptr (ChSecret) recovery_key = NULL;
  g_autoptr (ChBackupInfo) info = NULL;
  ChBackupCredentials credentials;

  add_archive_credential_options (inv, &user_opt, &password_file, &key_file);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;

  if (!archive_credentials (user_opt, password_file, key_file, &password, &recovery_key,
                            &credentials, error))
    return FALSE;

  info = ch_backup_verify (positional (inv, 0), &credentials, error);
  if (info == NULL)
    return FALSE;

  print_backup_info (info);
  g_print ("%s\n", _("The backup is intact: every file matches its hash and the database "
                     "checks out."));
  return TRUE;
}

static gboolean
cmd_backup_restore (Invocation *inv,
                    GError    **error)
{
  g_autofree char *user_opt = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *to = NULL;
  g_autofree char *aside = NULL;
  g_autoptr (ChSecret) password = NULL;
  g_autoptr (ChSecret) recovery_key = NULL;
  g_autoptr (ChBackupInfo) info = NULL;
  gboolean replace = FALSE;
  ChBackupCredentials credentials;
  const GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("Restore into DIR, a new or empty folder"), N_("DIR") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
      N_("If DIR holds something, move it aside to DIR.before-restore-TIME first"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  add_archive_credential_options (inv, &user_opt, &password_file, &key_file);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  if (to == NULL)
    return usage_error (error, _("Missing --to DIR"));

  if (!archive_credentials (user_opt, password_file, key_file, &password, &recovery_key,
                            &credentials, error))
    return FALSE;

  info = ch_backup_restore (positional (inv, 0), &credentials, to, replace, &aside, error);
  if (info == NULL)
    return FALSE;

  print_backup_info (info);
  if (aside != NULL)
    g_print (_("What was in the folder before is now in %s\n"), aside);
  g_print (_("Restored the practice into %s\n"), to);
  return TRUE;
}

static void
add_run_json (JsonBuilder             *builder,
              const char              *member,
              const ChBackupRunRecord *run)
{
  g_autofree char *finished = NULL;

  json_builder_set_member_name (builder, member);
  if (run == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  finished = format_unix_time_iso (run->finished_at);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, finished);
  json_builder_set_member_name (builder, "target");
  json_builder_add_string_value (builder, run->target);
  json_builder_set_member_name (builder, "archive");
  json_builder_add_string_value (builder, run->archive);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, run->size);
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, run->duration_ms);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, run->reason);
  json_builder_end_object (builder);
}

static gboolean
cmd_backup_status (Invocation *inv,
                   GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;
  g_autoptr (ChBackupStatus) status = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  add_login_options (inv, &opts);
  g_option_context_add_main_entries (inv->context, entries, GETTEXT_PACKAGE);
  if (!parse_args (inv, 0, 0, error))
    return FALSE;

  session = login (&opts, NULL, error);
  if (session == NULL)
    return FALSE;

  status = ch_backup_get_status (session, g_get_real_time () / G_USEC_PER_SEC, error);
  if (status == NULL)
    return FALSE;

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_run_json (builder, "last_success", status->last_ok);
      add_run_json (builder, "last_failure", status->last_failed);
      json_builder_set_member_name (builder, "target");
      if (status->target != NULL)
        json_builder_add_string_value (builder, status->target);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "next_run");
      if (status->next_run != 0)
        {
          g_autofree char *next = format_unix_time_iso (status->next_run);
          json_builder_add_string_value (builder, next);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "overdue");
      json_builder_add_boolean_value (builder, status->overdue);
      json_builder_end_object (builder);
      ch_admin_print_json (builder);
      return TRUE;
    }

  if (status->last_ok != NULL)
    {
      g_autofree char *when = format_unix_time (status->last_ok->finished_at);
      g_autofree char *size = g_format_size (status->last_ok->size);

      g_print (_("Last good backup: %s, %s/%s (%s)\n"), when, status->last_ok->target,
               status->last_ok->archive != NULL ? status->last_ok->archive : "", size);
    }
  else
    g_print ("%s\n", _("Last good backup: never"));

  if (status->last_failed != NULL)
    {
      g_autofree char *when = format_unix_time (status->last_failed->finished_at);

      g_print (_("Last failure: %s, %s: %s\n"), when, status->last_failed->target,
               status->last_failed->reason != NULL ? status->last_failed->reason : "");
    }
  else
    g_print ("%s\n", _("Last failure: none"));

  if (status->next_run != 0)
    {
      g_autofree char *next = format_unix_time (status->next_run);

      g_print (_("Next run: %s, to %s\n"), next, status->target);
    }
  else
    g_print ("%s\n", _("Next run: none, no target is configured (backup config --target)"));

  if (status->overdue)
    g_print ("%s\n", _("OVERDUE: there is no good backup from the last 36 hours"));
  return TRUE;
}

/* ---- export ------------------------------------------------------------- */

static gboolean
cmd_export_fhir (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminFhirOptions) fhir = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  ch_admin_fhir_add_options (inv->context, &fhir);
  if (!parse_args (inv, 0, 0, error) || !ch_admin_fhir_check_options (&fhir, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL && ch_admin_fhir_export (session, &fhir, error);
}

static gboolean
cmd_import_fhir (Invocation *inv,
                 GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  ch_admin_fhir_import_add_options (inv->context);
  if (!parse_args (inv, 1, 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL && ch_admin_fhir_import (session, inv->args[1], error);
}

static gboolean
cmd_export_ccd (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminCcdaOptions) ccda = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  ch_admin_ccda_add_options (inv->context, &ccda);
  if (!parse_args (inv, 0, 0, error) || !ch_admin_ccda_check_options (&ccda, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL && ch_admin_ccda_export (session, &ccda, error);
}

/* ---- hl7 and lab results ------------------------------------------------- */

static gboolean
run_hl7 (Invocation         *inv,
         ChAdminHl7Command   command,
         GError            **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminHl7Options) hl7 = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_hl7_arity (command, &min, &max);
  add_login_options (inv, &opts);
  ch_admin_hl7_add_options (inv->context, command, &hl7);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_hl7_check (command, &hl7, (const char * const *) inv->args + 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL &&
         ch_admin_hl7_run (session, command, &hl7, (const char * const *) inv->args + 1, error);
}

/* ---- migration from CSV exports --------------------------------------- */

static gboolean
cmd_import_csv (Invocation *inv,
                GError    **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminImportCsvOptions) csv = { 0 };
  g_autoptr (AdminSession) session = NULL;

  add_login_options (inv, &opts);
  ch_admin_import_csv_add_options (inv->context, &csv);
  if (!parse_args (inv, 1, 1, error) || !ch_admin_import_csv_check (&csv, inv->args[1], error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL && ch_admin_import_csv_run (session, &csv, inv->args[1], error);
}

static gboolean
cmd_import_hl7 (Invocation *inv,
                GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_IMPORT, error);
}

static gboolean
cmd_hl7_queue (Invocation *inv,
               GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_QUEUE, error);
}

static gboolean
cmd_hl7_assign (Invocation *inv,
                GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_ASSIGN, error);
}

static gboolean
cmd_hl7_reprocess (Invocation *inv,
                   GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_REPROCESS, error);
}

static gboolean
cmd_hl7_listen (Invocation *inv,
                GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_LISTEN, error);
}

static gboolean
cmd_hl7_log (Invocation *inv,
             GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_HL7_LOG, error);
}

static gboolean
cmd_lab_results (Invocation *inv,
                 GError    **error)
{
  return run_hl7 (inv, CH_ADMIN_LAB_RESULTS, error);
}

/* ---- lab orders ----------------------------------------------------------- */

static gboolean
run_lab_order (Invocation              *inv,
               ChAdminLabOrderCommand   command,
               GError                 **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminLabOrderOptions) orders = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_lab_order_arity (command, &min, &max);
  add_login_options (inv, &opts);
  ch_admin_lab_order_add_options (inv->context, command, &orders);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_lab_order_check (command, &orders, (const char * const *) inv->args + 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL &&
         ch_admin_lab_order_run (session, command, &orders, (const char * const *) inv->args + 1,
                                 error);
}

static gboolean
cmd_lab_order (Invocation *inv,
               GError    **error)
{
  return run_lab_order (inv, CH_ADMIN_LAB_ORDER, error);
}

static gboolean
cmd_lab_orders (Invocation *inv,
                GError    **error)
{
  return run_lab_order (inv, CH_ADMIN_LAB_ORDERS, error);
}

static gboolean
cmd_lab_order_resend (Invocation *inv,
                      GError    **error)
{
  return run_lab_order (inv, CH_ADMIN_LAB_ORDER_RESEND, error);
}

static gboolean
cmd_lab_order_cancel (Invocation *inv,
                      GError    **error)
{
  return run_lab_order (inv, CH_ADMIN_LAB_ORDER_CANCEL, error);
}

static gboolean
cmd_lab_order_target (Invocation *inv,
                      GError    **error)
{
  return run_lab_order (inv, CH_ADMIN_LAB_ORDER_TARGET, error);
}

/* ---- billing ------------------------------------------------------------------ */

static gboolean
run_billing (Invocation             *inv,
             ChAdminBillingCommand   command,
             GError                **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminBillingOptions) billing = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_billing_arity (command, &min, &max);
  add_login_options (inv, &opts);
  ch_admin_billing_add_options (inv->context, command, &billing);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_billing_check (command, &billing, (const char * const *) inv->args + 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL &&
         ch_admin_billing_run (session, command, &billing, (const char * const *) inv->args + 1,
                               error);
}

#define BILLING_COMMAND(name, command) \
  static gboolean \
  name (Invocation *inv, \
        GError    **error) \
  { \
    return run_billing (inv, command, error); \
  }

BILLING_COMMAND (cmd_billing_fees_import, CH_ADMIN_BILLING_FEES_IMPORT)
BILLING_COMMAND (cmd_billing_fees_list, CH_ADMIN_BILLING_FEES_LIST)
BILLING_COMMAND (cmd_billing_encounters, CH_ADMIN_BILLING_ENCOUNTERS)
BILLING_COMMAND (cmd_billing_charge, CH_ADMIN_BILLING_CHARGE)
BILLING_COMMAND (cmd_billing_charges, CH_ADMIN_BILLING_CHARGES)
BILLING_COMMAND (cmd_billing_ready, CH_ADMIN_BILLING_READY)
BILLING_COMMAND (cmd_billing_pay, CH_ADMIN_BILLING_PAY)
BILLING_COMMAND (cmd_billing_refund, CH_ADMIN_BILLING_REFUND)
BILLING_COMMAND (cmd_billing_write_off, CH_ADMIN_BILLING_WRITE_OFF)
BILLING_COMMAND (cmd_billing_adjust, CH_ADMIN_BILLING_ADJUST)
BILLING_COMMAND (cmd_billing_reverse, CH_ADMIN_BILLING_REVERSE)
BILLING_COMMAND (cmd_billing_ledger, CH_ADMIN_BILLING_LEDGER)
BILLING_COMMAND (cmd_billing_post_openings, CH_ADMIN_BILLING_POST_OPENINGS)
BILLING_COMMAND (cmd_billing_invoice, CH_ADMIN_BILLING_INVOICE)
BILLING_COMMAND (cmd_billing_statement, CH_ADMIN_BILLING_STATEMENT)
BILLING_COMMAND (cmd_billing_close, CH_ADMIN_BILLING_CLOSE)
BILLING_COMMAND (cmd_billing_closes, CH_ADMIN_BILLING_CLOSES)

#undef BILLING_COMMAND

/* ---- reports ------------------------------------------------------------------ */

static gboolean
run_report (Invocation            *inv,
            ChAdminReportCommand   command,
            GError               **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminReportOptions) report = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_report_arity (command, &min, &max);
  if (ch_admin_report_needs_login (command))
    add_login_options (inv, &opts);
  ch_admin_report_add_options (inv->context, command, &report);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_report_check (command, &report, (const char * const *) inv->args + 1, error))
    return FALSE;
  if (ch_admin_report_needs_login (command))
    {
      session = login (&opts, NULL, error);
      if (session == NULL)
        return FALSE;
    }
  return ch_admin_report_run (session, command, &report, (const char * const *) inv->args + 1,
                              error);
}

#define REPORT_COMMAND(name, command) \
  static gboolean \
  name (Invocation *inv, \
        GError    **error) \
  { \
    return run_report (inv, command, error); \
  }

REPORT_COMMAND (cmd_report_list, CH_ADMIN_REPORT_LIST)
REPORT_COMMAND (cmd_report_run, CH_ADMIN_REPORT_RUN)
REPORT_COMMAND (cmd_report_filters_save, CH_ADMIN_REPORT_FILTERS_SAVE)
REPORT_COMMAND (cmd_report_filters_list, CH_ADMIN_REPORT_FILTERS_LIST)
REPORT_COMMAND (cmd_report_filters_delete, CH_ADMIN_REPORT_FILTERS_DELETE)

#undef REPORT_COMMAND

/* ---- insurance claims ------------------------------------------------------- */

static gboolean
run_claims (Invocation            *inv,
            ChAdminClaimsCommand   command,
            GError               **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminClaimsOptions) claims = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_claims_arity (command, &min, &max);
  add_login_options (inv, &opts);
  ch_admin_claims_add_options (inv->context, command, &claims);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_claims_check (command, &claims, (const char * const *) inv->args + 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL &&
         ch_admin_claims_run (session, command, &claims, (const char * const *) inv->args + 1,
                              error);
}

#define CLAIMS_COMMAND(name, command) \
  static gboolean \
  name (Invocation *inv, \
        GError    **error) \
  { \
    return run_claims (inv, command, error); \
  }

CLAIMS_COMMAND (cmd_claims_payers, CH_ADMIN_CLAIMS_PAYERS)
CLAIMS_COMMAND (cmd_claims_setup, CH_ADMIN_CLAIMS_SETUP)
CLAIMS_COMMAND (cmd_claims_provider, CH_ADMIN_CLAIMS_PROVIDER)
CLAIMS_COMMAND (cmd_claims_build, CH_ADMIN_CLAIMS_BUILD)
CLAIMS_COMMAND (cmd_claims_post_835, CH_ADMIN_CLAIMS_POST_835)
CLAIMS_COMMAND (cmd_claims_list, CH_ADMIN_CLAIMS_LIST)

#undef CLAIMS_COMMAND

/* ---- outside records: CCD import and reconciliation ---------------------- */

static gboolean
run_ccda_import (Invocation                *inv,
                 ChAdminCcdaImportCommand   command,
                 GError                   **error)
{
  g_auto (LoginOptions) opts = { 0 };
  g_auto (ChAdminCcdaImportOptions) ccda = { 0 };
  g_autoptr (AdminSession) session = NULL;
  guint min, max;

  ch_admin_ccda_import_arity (command, &min, &max);
  add_login_options (inv, &opts);
  ch_admin_ccda_import_add_options (inv->context, command, &ccda);
  if (!parse_args (inv, min, max, error) ||
      !ch_admin_ccda_import_check (command, &ccda, (const char * const *) inv->args + 1, error))
    return FALSE;
  session = login (&opts, NULL, error);
  return session != NULL &&
         ch_admin_ccda_import_run (session, command, &ccda, (const char * const *) inv->args + 1,
                                   error);
}

static gboolean
cmd_import_ccd (Invocation *inv,
                GError    **error)
{
  return run_ccda_import (inv, CH_ADMIN_CCDA_IMPORT, error);
}

static gboolean
cmd_reconcile_list (Invocation *inv,
                    GError    **error)
{
  return run_ccda_import (inv, CH_ADMIN_RECONCILE_LIST, error);
}

static gboolean
cmd_reconcile_accept (Invocation *inv,
                      GError    **error)
{
  return run_ccda_import (inv, CH_ADMIN_RECONCILE_ACCEPT, error);
}

static gboolean
cmd_reconcile_decline (Invocation *inv,
                       GError    **error)
{
  return run_ccda_import (inv, CH_ADMIN_RECONCILE_DECLINE, error);
}

static const Command commands[] = {
  { NULL, "init", NULL, N_("Create a new practice with its administrator"), cmd_init },
  { "user", "add", N_("NAME"), N_("Add a user with a role and a password"), cmd_user_add },
  { "user", "list", NULL, N_("List the users, their roles and whether they are enabled"),
    cmd_user_list },
  { "user", "passwd", N_("[NAME]"), N_("Set a user's password (yours without NAME)"),
    cmd_user_passwd },
  { "user", "disable", N_("NAME"), N_("Disable a user: the account can no longer log in"),
    cmd_user_disable },
  { "user", "enable", N_("NAME"), N_("Enable a disabled user again, with a new password"),
    cmd_user_enable },
  { "user", "role", N_("NAME ROLE"), N_("Give a user another role"), cmd_user_role },
  { NULL, "whoami", NULL, N_("Log in and show your role and what it may do"), cmd_whoami },
  { NULL, "rekey", NULL, N_("Rotate the master key; passwords stay the same"), cmd_rekey },
  { NULL, "recover", NULL, N_("Set an administrator's password with the recovery key"),
    cmd_recover },
  { "audit", "verify", NULL, N_("Check that the audit trail is unbroken"), cmd_audit_verify },
  { "audit", "list", NULL, N_("Show the audit trail, newest first"), cmd_audit_list },
  { "patient", "search", N_("[QUERY…]"),
    N_("Find patients by name, date of birth, MRN or phone"), cmd_patient_search },
  { "patient", "show", N_("MRN"), N_("Show a patient's record"), cmd_patient_show },
  { "patient", "add", NULL, N_("Register a new patient"), cmd_patient_add },
  { "kb", "info", NULL, N_("Show the active drug knowledge base"), cmd_kb_info },
  { "kb", "check", NULL, N_("Show the alerts for drugs prescribed together"), cmd_kb_check },
  { "kb", "import", N_("DIR"), N_("Replace the drug knowledge base with the one in DIR"),
    cmd_kb_import },
  { "kb", "reset", NULL, N_("Go back to the drug knowledge base shipped with Charta"),
    cmd_kb_reset },
  { "provider", "add", NULL, N_("Add a provider or room to the calendar"), cmd_provider_add },
  { "provider", "hours", N_("ID"), N_("Set a provider's or room's working hours"),
    cmd_provider_hours },
  { "provider", "off", N_("[ID]"), N_("Give a provider or room a day off, or the practice a holiday"),
    cmd_provider_off },
  { "schedule", "types", NULL, N_("List the appointment types and their durations"),
    cmd_schedule_types },
  { "schedule", "type add", NULL, N_("Add an appointment type"), cmd_schedule_type_add },
  { "schedule", "book", NULL, N_("Book an appointment or a recurring series"), cmd_schedule_book },
  { "schedule", "list", NULL, N_("List the appointments of some days"), cmd_schedule_list },
  { "schedule", "find-slot", NULL, N_("Find the best free slots for an appointment"),
    cmd_schedule_find_slot },
  { "schedule", "waitlist add", NULL, N_("Put a patient on the waitlist for an earlier slot"),
    cmd_waitlist_add },
  { "schedule", "waitlist list", NULL, N_("List the waitlist and the slots offered"),
    cmd_waitlist_list },
  { "schedule", "recall add", NULL, N_("Put a patient on the recall list"), cmd_recall_add },
  { "schedule", "recall list", NULL, N_("List the recalls due, to call"), cmd_recall_list },
  { NULL, "demo", NULL, N_("Create a practice full of synthetic demo data"), cmd_demo },
  { "doc", "import", N_("FILE…"), N_("Store documents in a patient's chart"), cmd_doc_import },
  { "doc", "list", NULL, N_("List a patient's documents"), cmd_doc_list },
  { "doc", "export", N_("ID OUT"), N_("Write a document, decrypted, to a file"), cmd_doc_export },
  { "dicom", "info", N_("FILE"), N_("Show a DICOM file's details as JSON (no login)"),
    cmd_dicom_info },
  { "dicom", "render", N_("FILE"), N_("Render a frame of a DICOM image to a PNG (no login)"),
    cmd_dicom_render },
  { "dicom", "listen", NULL, N_("Receive images from modalities until stopped (DICOM C-STORE)"),
    cmd_dicom_listen },
  { "dicom", "inbox", NULL, N_("List the received studies that wait for a patient"),
    cmd_dicom_inbox },
  { "dicom", "assign", N_("ID"), N_("File a waiting study in a patient's chart"),
    cmd_dicom_assign },
  { "dicom", "discard", N_("ID"), N_("Take a waiting study out of the inbox, with a reason"),
    cmd_dicom_discard },
  { "dicom", "studies", NULL, N_("List the imaging studies in a patient's chart"),
    cmd_dicom_studies },
  { "dicom", "settings", NULL, N_("Show or change the DICOM receiver's settings"),
    cmd_dicom_settings },
  { "backup", "now", NULL, N_("Back the practice up now into one encrypted, verified archive"),
    cmd_backup_now },
  { "backup", "list", NULL, N_("List the backups in a target"), cmd_backup_list },
  { "backup", "verify", N_("ARCHIVE"), N_("Check that a backup is whole and restorable"),
    cmd_backup_verify },
  { "backup", "restore", N_("ARCHIVE"), N_("Restore a backup into a new folder"),
    cmd_backup_restore },
  { "backup", "status", NULL,
    N_("Show the last good and the last failed backup, the next run and whether one is overdue"),
    cmd_backup_status },
  { "backup", "config", NULL,
    N_("Show the backup configuration, or set its target, time and retention"),
    cmd_backup_config },
  { "export", "fhir", NULL,
    N_("Export a patient, or the whole practice, as FHIR R4 JSON (Bundle or NDJSON)"),
    cmd_export_fhir },
  { "import", "fhir", N_("FILE|DIR"),
    N_("Import FHIR R4 JSON (a Bundle, NDJSON, or a folder of NDJSON files)"),
    cmd_import_fhir },
  { "export", "ccd", NULL,
    N_("Export a patient as a Continuity of Care Document (C-CDA R2.1 CCD, XML)"),
    cmd_export_ccd },
  { "import", "hl7", N_("FILE…"), N_("Import HL7 v2 lab results (ORU^R01) into the charts"),
    cmd_import_hl7 },
  { "import", "csv", N_("DIR"),
    N_("Migrate another EHR's CSV exports (patients, charts, appointments, balances)"),
    cmd_import_csv },
  { "hl7", "queue", NULL, N_("List the lab messages that wait for a patient"), cmd_hl7_queue },
  { "hl7", "assign", N_("MESSAGE-ID"), N_("File a waiting lab message in a patient's chart"),
    cmd_hl7_assign },
  { "hl7", "reprocess", N_("MESSAGE-ID"), N_("Process a failed or waiting lab message again"),
    cmd_hl7_reprocess },
  { "hl7", "log", NULL, N_("List the HL7 messages received and what became of them"),
    cmd_hl7_log },
  { "hl7", "listen", NULL, N_("Receive lab results over MLLP and from a drop folder until stopped"),
    cmd_hl7_listen },
  { "lab", "results", NULL, N_("List a patient's lab results"), cmd_lab_results },
  { "lab", "order", NULL, N_("Order lab tests for a patient and send the order (HL7 ORM^O01)"),
    cmd_lab_order },
  { "lab", "orders", NULL, N_("List lab orders and what became of them"), cmd_lab_orders },
  { "lab", "order-resend", N_("NUMBER"), N_("Send a lab order that failed again"),
    cmd_lab_order_resend },
  { "lab", "order-cancel", N_("NUMBER"), N_("Cancel a lab order, telling the lab"),
    cmd_lab_order_cancel },
  { "lab", "order-target", N_("[TARGET]"), N_("Show or set where lab orders go"),
    cmd_lab_order_target },
  { "billing", "fees import", N_("FILE"), N_("Add a fee schedule from a CSV file"),
    cmd_billing_fees_import },
  { "billing", "fees list", NULL, N_("List the fee schedule"), cmd_billing_fees_list },
  { "billing", "encounters", NULL, N_("List a patient's encounters and their billing status"),
    cmd_billing_encounters },
  { "billing", "charge", NULL, N_("Add a charge line to an encounter"), cmd_billing_charge },
  { "billing", "charges", N_("ENCOUNTER"), N_("List an encounter's charge lines"),
    cmd_billing_charges },
  { "billing", "ready", N_("ENCOUNTER"), N_("Mark an encounter ready to bill"),
    cmd_billing_ready },
  { "billing", "pay", NULL, N_("Record a payment and allocate it to charge lines"),
    cmd_billing_pay },
  { "billing", "refund", NULL, N_("Record money paid back to a patient"), cmd_billing_refund },
  { "billing", "write-off", NULL, N_("Write off part of a patient's balance"),
    cmd_billing_write_off },
  { "billing", "adjust", NULL, N_("Adjust a patient's balance, with a reason"),
    cmd_billing_adjust },
  { "billing", "reverse", N_("ENTRY"), N_("Correct a ledger entry with its reversing entry"),
    cmd_billing_reverse },
  { "billing", "ledger", NULL, N_("Show a patient's ledger and balance"), cmd_billing_ledger },
  { "billing", "post-openings", NULL,
    N_("Take a CSV migration's opening balances into the ledger"), cmd_billing_post_openings },
  { "billing", "invoice", N_("ENCOUNTER"), N_("Write an encounter's invoice as a PDF"),
    cmd_billing_invoice },
  { "billing", "statement", N_("PATIENT"), N_("Write a patient's statement as a PDF"),
    cmd_billing_statement },
  { "billing", "close", N_("DATE"),
    N_("Close a day's cash drawer and write the daily close PDF (or preview it)"),
    cmd_billing_close },
  { "billing", "closes", NULL, N_("List the cash drawer's closes"), cmd_billing_closes },
  { "claims", "payers", N_("[add ID NAME]"),
    N_("List the payers and the encounters awaiting a claim, or add a payer"), cmd_claims_payers },
  { "claims", "setup", NULL, N_("Show or set the billing provider and submitter for claims"),
    cmd_claims_setup },
  { "claims", "provider", N_("USER"), N_("Set the NPI a provider renders care under"),
    cmd_claims_provider },
  { "claims", "build", NULL, N_("Write 837P claim files, one a payer, for encounters ready to bill"),
    cmd_claims_build },
  { "claims", "post-835", N_("FILE"), N_("Post an 835 remittance file to the claims and the ledger"),
    cmd_claims_post_835 },
  { "claims", "list", NULL, N_("List the claims and their status"), cmd_claims_list },
  { "report", "list", NULL, N_("List the reports and the filters each takes"), cmd_report_list },
  { "report", "run", N_("NAME"), N_("Run a report to CSV or PDF (also “report NAME”)"),
    cmd_report_run },
  { "report", "filters save", N_("REPORT NAME"), N_("Save a report's filters under a name"),
    cmd_report_filters_save },
  { "report", "filters list", NULL, N_("List your saved report filters"), cmd_report_filters_list },
  { "report", "filters delete", N_("REPORT NAME"), N_("Delete a saved report filter"),
    cmd_report_filters_delete },
  { "import", "ccd", N_("FILE"),
    N_("Stage a CCD's problems, allergies and medications for reconciliation"), cmd_import_ccd },
  { "reconcile", "list", NULL, N_("List a patient's outside record items and their status"),
    cmd_reconcile_list },
  { "reconcile", "accept", N_("ITEM…"), N_("Add outside record items to the chart"),
    cmd_reconcile_accept },
  { "reconcile", "decline", N_("ITEM…"), N_("Decline outside record items, with a reason"),
    cmd_reconcile_decline },
};

static char *
command_title (const Command *command)
{
  if (command->group != NULL)
    return g_strdup_printf ("%s %s", command->group, command->name);
  return g_strdup (command->name);
}

/* @group: (nullable): every command, or those whose title starts with it
 * ("user", "schedule waitlist") */
static void
print_overview (FILE       *stream,
                const char *group)
{
  g_autofree char *prefix = group != NULL ? g_strconcat (group, " ", NULL) : NULL;
  int width = 16;

  /* The summaries line up after the longest title. */
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *title = command_title (&commands[i]);

      width = MAX (width, (int) strlen (title));
    }

  fprintf (stream, "%s\n  %s%s%s %s\n\n", _("Usage:"), PROGRAM,
           group != NULL ? " " : "", group != NULL ? group : "", _("COMMAND [OPTION…]"));
  if (group == NULL)
    fprintf (stream, "%s\n\n", _("Administer a Charta practice."));
  fprintf (stream, "%s\n", _("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *title = command_title (&commands[i]);

      if (prefix != NULL && !g_str_has_prefix (title, prefix))
        continue;
      fprintf (stream, "  %-*s %s\n", width, title, _(commands[i].summary));
    }

  fprintf (stream, "\n%s\n", _("Run “charta-admin COMMAND --help” for a command's options."));
  if (group == NULL)
    fprintf (stream, "%s\n  %s\n",
             _("Environment:"),
             "CHARTA_PRACTICE CHARTA_USER CHARTA_PASSWORD CHARTA_NEW_PASSWORD "
             "CHARTA_RECOVERY_KEY");
}

static gboolean
is_help (const char *arg)
{
  return g_strcmp0 (arg, "--help") == 0 || g_strcmp0 (arg, "-h") == 0 ||
         g_strcmp0 (arg, "-?") == 0 || g_strcmp0 (arg, "help") == 0;
}

static gboolean
is_group (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].group, name) == 0)
      return TRUE;
  return FALSE;
}

/* Whether commands of @group have names of two words, the first @name
 * ("schedule waitlist add"). */
static gboolean
is_subgroup (const char *group,
             const char *name)
{
  g_autofree char *prefix = g_strconcat (name, " ", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].group, group) == 0 && g_str_has_prefix (commands[i].name, prefix))
      return TRUE;
  return FALSE;
}

static const Command *
find_command (const char *group,
              const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].group, group) == 0 && g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Prints @message on one line, however many the message had. */
static void
print_error (const char *prefix,
             const char *message)
{
  g_autofree char *line = g_strdup (message);

  g_strdelimit (line, "\r\n", ' ');
  g_printerr ("%s: %s\n", prefix, g_strstrip (line));
}

static int
run_command (const Command *command,
             int            argc,
             char         **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *title = command_title (command);
  g_autofree char *prgname = g_strdup_printf ("%s %s", PROGRAM, title);
  Invocation inv = { 0 };
  gboolean ok;

  /* The usage line GOptionContext prints names the command. */
  g_set_prgname (prgname);

  context = g_option_context_new (command->parameters ? _(command->parameters) : NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_set_strict_posix (context, FALSE);

  inv.command = command;
  inv.context = context;
  inv.args = g_new0 (char *, argc + 2);
  inv.args[0] = g_strdup (prgname);
  for (int i = 0; i < argc; i++)
    inv.args[i + 1] = g_strdup (argv[i]);

  ok = command->run (&inv, &error);
  g_strfreev (inv.args);

  if (ok)
    return EXIT_OK;

  if (error != NULL &&
      (error->domain == G_OPTION_ERROR ||
       g_error_matches (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE)))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      print_error (prgname, error->message);
      g_printerr ("\n%s", help);
      return EXIT_USAGE;
    }

  print_error (PROGRAM, error != NULL ? error->message : _("Failed"));
  return EXIT_FAILED;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char **rewritten = NULL;
  const Command *command;
  const char *first;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname (PROGRAM);

  if (sodium_init () < 0)
    {
      print_error (PROGRAM, _("libsodium could not be initialised"));
      return EXIT_FAILED;
    }

  if (argc < 2)
    {
      print_overview (stderr, NULL);
      return EXIT_USAGE;
    }

  first = argv[1];
  if (is_help (first))
    {
      /* "help COMMAND…" is "COMMAND… --help". */
      if (g_str_equal (first, "help") && argc > 2)
        {
          rewritten = g_new0 (char *, argc + 1);
          rewritten[0] = argv[0];
          for (int i = 2; i < argc; i++)
            rewritten[i - 1] = argv[i];
          rewritten[argc - 1] = (char *) "--help";
          argv = rewritten;
          first = argv[1];
        }
      else
        {
          print_overview (stdout, NULL);
          return EXIT_OK;
        }
    }

  if (g_str_equal (first, "--version") || g_str_equal (first, "-V"))
    {
      g_print ("%s %s\n", PROGRAM, PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (is_group (first))
    {
      if (argc < 3 || (argv[2][0] == '-' && !is_help (argv[2])))
        {
          g_printerr (_("%s: “%s” needs a command\n\n"), PROGRAM, first);
          print_overview (stderr, first);
          return EXIT_USAGE;
        }
      if (is_help (argv[2]))
        {
          print_overview (stdout, first);
          return EXIT_OK;
        }

      command = find_command (first, argv[2]);
      if (command == NULL && is_subgroup (first, argv[2]))
        {
          g_autofree char *sub = g_strdup_printf ("%s %s", first, argv[2]);
          g_autofree char *name = NULL;

          if (argc < 4 || (argv[3][0] == '-' && !is_help (argv[3])))
            {
              g_printerr (_("%s: “%s” needs a command\n\n"), PROGRAM, sub);
              print_overview (stderr, sub);
              return EXIT_USAGE;
            }
          if (is_help (argv[3]))
            {
              print_overview (stdout, sub);
              return EXIT_OK;
            }
          name = g_strdup_printf ("%s %s", argv[2], argv[3]);
          command = find_command (first, name);
          if (command == NULL)
            {
              g_printerr (_("%s: unknown command “%s %s”\n\n"), PROGRAM, sub, argv[3]);
              print_overview (stderr, sub);
              return EXIT_USAGE;
            }
          return run_command (command, argc - 4, argv + 4);
        }
      /* "report NAME …" is "report run NAME …". */
      if (command == NULL && g_str_equal (first, "report") && argv[2][0] != '-')
        return run_command (find_command (first, "run"), argc - 2, argv + 2);
      if (command == NULL)
        {
          g_printerr (_("%s: unknown command “%s %s”\n\n"), PROGRAM, first, argv[2]);
          print_overview (stderr, first);
          return EXIT_USAGE;
        }
      return run_command (command, argc - 3, argv + 3);
    }

  command = find_command (NULL, first);
  if (command == NULL)
    {
      g_printerr (_("%s: unknown command “%s”\n\n"), PROGRAM, first);
      print_overview (stderr, NULL);
      return EXIT_USAGE;
    }

  return run_command (command, argc - 2, argv + 2);
}
