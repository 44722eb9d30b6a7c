/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-session"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <sodium.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-document-db.h"
#include "ch-practice-private.h"
#include "ch-records.h"
#include "ch-session-private.h"

/* A session is one signed-in person: their role, the master key in guarded
 * memory and the open store. Locking wipes the key and closes the store; the
 * same person resumes with their password.
 *
 * Failed sign-ins cannot be written to the encrypted database (the key is what
 * failed), so they are kept in PRACTICE/login-failures (user names and times,
 * nothing else) to slow down the next attempt, and moved into the audit trail
 * by the next successful sign-in. */

#define FAILURES_FILE     "login-failures"
#define FREE_ATTEMPTS     3
#define MAX_DELAY_SECONDS 300
#define MAX_PENDING       1000
#define RECOVERY_NAME     "#recovery"
#define UNKNOWN_NAME      "#unknown"
/* The backup service's name in the audit trail: no account can have it
 * (user names take no '#'). */
#define SERVICE_NAME      "#backup-service"

struct _ChSession
{
  GObject     parent_instance;

  ChPractice *practice;
  ChStore    *store;         /* NULL while locked or after logout */
  ChSecret   *master;        /* NULL while locked or after logout */
  char       *username;
  char       *display_name;
  ChRole      role;
  gint64      break_glass_until;  /* µs since the epoch; 0: none */
  int         lock_fd;            /* the practice lock, shared, while open */
  guint       locked : 1;
  guint       logged_out : 1;
  guint       service : 1;        /* ch_session_open_service(): no person */
};

G_DEFINE_TYPE (ChSession, ch_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USERNAME,
  PROP_ROLE,
  PROP_LOCKED,
  PROP_LOGGED_OUT,
  PROP_BREAK_GLASS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- failed sign-ins ------------------------------------------------------- */

static char *
failures_path (ChPractice *practice)
{
  return g_build_filename (ch_practice_get_dir (practice), FAILURES_FILE, NULL);
}

static GKeyFile *
failures_load (ChPractice *practice)
{
  g_autofree char *path = failures_path (practice);
  GKeyFile *file = g_key_file_new ();

  /* A missing or unreadable file only means no delays are pending. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  return file;
}

static void
failures_save (ChPractice *practice,
               GKeyFile   *file)
{
  g_autofree char *path = failures_path (practice);
  g_autoptr (GError) error = NULL;

  if (!g_key_file_save_to_file (file, path, &error))
    g_message ("Could not record failed sign-ins: %s", error->message);
  else
    g_chmod (path, 0600);
}

/* Seconds @username must still wait before trying again. */
static const char *failures_bucket (ChPractice *practice,
                                    const char *username);

static gint64
failures_wait (ChPractice *practice,
               const char *username)
{
  g_autoptr (GKeyFile) file = failures_load (practice);
  const char *bucket = failures_bucket (practice, username);
  gint64 count = g_key_file_get_int64 (file, bucket, "Count", NULL);
  gint64 last = g_key_file_get_int64 (file, bucket, "Last", NULL);
  gint64 delay;
  gint64 elapsed;

  if (count < FREE_ATTEMPTS)
    return 0;

  delay = (gint64) 1 << MIN (count - FREE_ATTEMPTS, 16);
  delay = MIN (delay, MAX_DELAY_SECONDS);
  elapsed = (g_get_real_time () - last) / G_USEC_PER_SEC;
  return elapsed >= delay ? 0 : delay - elapsed;
}

/* Failures are counted per real account; a name that is no account goes to
 * one shared bucket, and is not written down: people type their password
 * into the user name field. */
static const char *
failures_bucket (ChPractice *practice,
                 const char *username)
{
  if (g_strcmp0 (username, RECOVERY_NAME) == 0)
    return RECOVERY_NAME;

  if (username != NULL && ch_validate_username (username, NULL)
      && ch_keyring_has_user (ch_practice_get_keyring (practice), username))
    return username;

  return UNKNOWN_NAME;
}

static void
failures_record (ChPractice *practice,
                 const char *username)
{
  g_autoptr (GKeyFile) file = failures_load (practice);
  const char *bucket = failures_bucket (practice, username);
  gint64 now = g_get_real_time ();
  gint64 count = g_key_file_get_int64 (file, bucket, "Count", NULL);
  g_autofree char *times_text = g_key_file_get_string (file, bucket, "Pending", NULL);
  g_autoptr (GString) list = g_string_new (times_text);

  /* The times wait here for the next sign-in to audit them; past the cap
   * only their number is kept. */
  if (list->len / 17 >= MAX_PENDING)
    g_key_file_set_int64 (file, bucket, "Dropped",
                          g_key_file_get_int64 (file, bucket, "Dropped", NULL) + 1);
  else
    {
      if (list->len > 0)
        g_string_append_c (list, ';');
      g_string_append_printf (list, "%" G_GINT64_FORMAT, now);
      g_key_file_set_string (file, bucket, "Pending", list->str);
    }

  g_key_file_set_int64 (file, bucket, "Count", count + 1);
  g_key_file_set_int64 (file, bucket, "Last", now);
  failures_save (practice, file);
}

/* Writes every pending failed sign-in into the audit trail (in the caller's
 * transaction) and clears the count of @username, who just signed in.
 * @out_file is set to the file to save once the transaction has committed
 * (NULL when nothing changed): saved earlier, a rolled-back sign-in would
 * lose the failures. */
static gboolean
failures_flush (ChPractice *practice,
                ChStore    *store,
                const char *username,
                GKeyFile  **out_file,
                GError    **error)
{
  g_autoptr (GKeyFile) file = failures_load (practice);
  g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);
  const char *bucket = failures_bucket (practice, username);
  gboolean changed = FALSE;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *pending = g_key_file_get_string (file, groups[i], "Pending", NULL);
      gint64 dropped = g_key_file_get_int64 (file, groups[i], "Dropped", NULL);
      gboolean recovery = g_str_equal (groups[i], RECOVERY_NAME);
      gboolean unknown = g_str_equal (groups[i], UNKNOWN_NAME);
      const char *who = recovery || unknown ? "" : groups[i];
      const char *what = recovery ? "recovery" : unknown ? "unknown-user" : "";

      if (pending != NULL && *pending != '\0')
        {
          g_auto (GStrv) times = g_strsplit (pending, ";", -1);

          for (guint j = 0; times[j] != NULL; j++)
            {
              gint64 ts = g_ascii_strtoll (times[j], NULL, 10);

              if (ts > 0 && !ch_audit_append_at (store, ts, who, "", CH_AUDIT_LOGIN_FAILED, what,
                                                 "", 0, "", error))
                return FALSE;
            }
          g_key_file_remove_key (file, groups[i], "Pending", NULL);
          changed = TRUE;
        }

      if (dropped > 0)
        {
          g_autofree char *detail = g_strdup_printf ("%" G_GINT64_FORMAT " more, not itemised",
                                                     dropped);

          if (!ch_audit_append (store, who, "", CH_AUDIT_LOGIN_FAILED, what, "", 0, detail, error))
            return FALSE;
          g_key_file_remove_key (file, groups[i], "Dropped", NULL);
          changed = TRUE;
        }

      if (g_str_equal (groups[i], bucket) && !unknown)
        {
          g_key_file_remove_group (file, groups[i], NULL);
          changed = TRUE;
        }
    }

  *out_file = changed ? g_steal_pointer (&file) : NULL;
  return TRUE;
}

static gboolean
check_throttle (ChPractice *practice,
                const char *username,
                GError    **error)
{
  gint64 wait = failures_wait (practice, username);

  if (wait > 0)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_THROTTLED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Too many failed sign-ins. Try again in %d second.",
                                "Too many failed sign-ins. Try again in %d seconds.",
                                (gulong) wait),
                   (int) wait);
      return FALSE;
    }
  return TRUE;
}

/* ---- GObject --------------------------------------------------------------- */

static void
close_keys (ChSession *self)
{
  if (self->store != NULL)
    {
      ch_store_close (self->store);
      g_clear_object (&self->store);
    }
  g_clear_pointer (&self->master, ch_secret_free);
  ch_practice_unlock (self->lock_fd);
  self->lock_fd = -1;
}

static void
ch_session_dispose (GObject *object)
{
  ChSession *self = CH_SESSION (object);

  close_keys (self);
  g_clear_object (&self->practice);

  G_OBJECT_CLASS (ch_session_parent_class)->dispose (object);
}

static void
ch_session_finalize (GObject *object)
{
  ChSession *self = CH_SESSION (object);

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (ch_session_parent_class)->finalize (object);
}

static void
ch_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ChSession *self = CH_SESSION (object);

  switch (prop_id)
    {
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ROLE:
      g_value_set_string (value, ch_role_to_string (self->role));
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;
    case PROP_LOGGED_OUT:
      g_value_set_boolean (value, self->logged_out);
      break;
    case PROP_BREAK_GLASS:
      g_value_set_boolean (value, ch_session_get_break_glass (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_session_class_init (ChSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ch_session_dispose;
  object_class->finalize = ch_session_finalize;
  object_class->get_property = ch_session_get_property;

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOGGED_OUT] =
    g_param_spec_boolean ("logged-out", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BREAK_GLASS] =
    g_param_spec_boolean ("break-glass", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ch_session_init (ChSession *self)
{
  self->lock_fd = -1;
}

/* ---- signing in -------------------------------------------------------------- */

static ChSecret *
open_user_slot (ChKeyring *keyring,
                gpointer   user_data,
                GError   **error)
{
  const char * const *credentials = user_data;

  return ch_keyring_unlock_user (keyring, credentials[0], credentials[1], error);
}

/* Opens @username's slot and the store, with throttling and failure records.
 * On success the session holds the key and the store. */
static gboolean
open_as_user (ChSession  *self,
              const char *username,
              const char *password,
              GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChStore) store = NULL;
  const char *credentials[] = { username, password };
  int lock_fd;

  /* Held from before the keyring is read: a change of the master key cannot
   * come in between. */
  lock_fd = ch_practice_lock_shared (self->practice, error);
  if (lock_fd < 0)
    return FALSE;
  self->lock_fd = lock_fd;

  if (!ch_practice_reload_keyring (self->practice, error)
      || !check_throttle (self->practice, username, error))
    {
      close_keys (self);
      return FALSE;
    }

  master = ch_keyring_unlock_user (ch_practice_get_keyring (self->practice), username, password,
                                   &local_error);
  if (master == NULL)
    {
      if (g_error_matches (local_error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD)
          || g_error_matches (local_error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND))
        {
          failures_record (self->practice, username);
          g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS,
                               _("Wrong user name or password"));
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      close_keys (self);
      return FALSE;
    }

  store = ch_practice_open_store (self->practice, &master, open_user_slot, credentials, error);
  if (store == NULL)
    {
      close_keys (self);
      return FALSE;
    }

  self->master = g_steal_pointer (&master);
  self->store = g_steal_pointer (&store);
  return TRUE;
}

static gboolean
load_user (ChSession  *self,
           const char *username,
           GError    **error)
{
  g_autoptr (ChUserRecord) user = NULL;
  g_autoptr (GError) local_error = NULL;

  user = ch_db_user_lookup (self->store, username, &local_error);
  if (user == NULL || user->disabled)
    {
      if (user != NULL || g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_DISABLED,
                     _("The account “%s” is disabled"), username);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!ch_role_from_string (user->role, &self->role))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("The account “%s” has an unknown role “%s”"), username, user->role);
      return FALSE;
    }

  g_free (self->username);
  self->username = g_strdup (user->username);
  g_free (self->display_name);
  self->display_name = g_strdup (user->display_name);
  return TRUE;
}

/**
 * ch_session_login:
 *
 * Signs @username in. Takes a fraction of a second (Argon2id): call it from a
 * worker thread in the GUI.
 *
 * Returns: (transfer full): the session, or %NULL with CH_AUTH_ERROR_BAD_CREDENTIALS,
 *   CH_AUTH_ERROR_THROTTLED, CH_AUTH_ERROR_DISABLED, or a store or keyring error
 */
ChSession *
ch_session_login (ChPractice *practice,
                  const char *username,
                  const char *password,
                  GError    **error)
{
  g_autoptr (ChSession) self = NULL;
  g_autoptr (GKeyFile) failures = NULL;

  g_return_val_if_fail (CH_IS_PRACTICE (practice), NULL);

  if (username == NULL || *username == '\0' || password == NULL || *password == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS,
                           _("Enter your user name and password"));
      return NULL;
    }

  self = g_object_new (CH_TYPE_SESSION, NULL);
  self->practice = g_object_ref (practice);

  if (!open_as_user (self, username, password, error))
    return NULL;

  if (!load_user (self, username, error))
    return NULL;

  if (!ch_store_begin (self->store, error))
    return NULL;
  if (!failures_flush (practice, self->store, username, &failures, error)
      || !ch_session_audit (self, CH_AUDIT_LOGIN, "", "", 0, "", error)
      || !ch_store_commit (self->store, error))
    {
      ch_store_rollback (self->store);
      return NULL;
    }
  if (failures != NULL)
    failures_save (practice, failures);

  return g_steal_pointer (&self);
}

static ChSecret *
open_recovery_slot (ChKeyring *keyring,
                    gpointer   user_data,
                    GError   **error)
{
  return ch_keyring_unlock_recovery (keyring, user_data, error);
}

/**
 * ch_session_recover:
 *
 * Opens the practice with the recovery key and gives the administrator
 * @username the password @new_password (re-enabling the account if needed).
 *
 * Returns: (transfer full): a session signed in as @username
 */
ChSession *
ch_session_recover (ChPractice *practice,
                    const char *recovery_key,
                    const char *username,
                    const char *new_password,
                    GError    **error)
{
  g_autoptr (ChSession) self = NULL;
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChStore) store = NULL;
  g_autoptr (ChUserRecord) user = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GKeyFile) failures = NULL;
  g_autoptr (ChKeyring) previous = NULL;
  ChKeyring *keyring;
  ChRole role;

  g_return_val_if_fail (CH_IS_PRACTICE (practice), NULL);

  if (!ch_validate_password (new_password, error))
    return NULL;

  self = g_object_new (CH_TYPE_SESSION, NULL);
  self->practice = g_object_ref (practice);
  self->lock_fd = ch_practice_lock_shared (practice, error);
  if (self->lock_fd < 0)
    return NULL;

  if (!check_throttle (practice, RECOVERY_NAME, error)
      || !ch_practice_reload_keyring (practice, error))
    return NULL;

  keyring = ch_practice_get_keyring (practice);
  master = ch_keyring_unlock_recovery (keyring, recovery_key, &local_error);
  if (master == NULL)
    {
      if (g_error_matches (local_error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD))
        failures_record (practice, RECOVERY_NAME);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  store = ch_practice_open_store (practice, &master, open_recovery_slot, (gpointer) recovery_key,
                                  error);
  if (store == NULL)
    return NULL;

  user = ch_db_user_lookup (store, username, error);
  if (user == NULL)
    return NULL;
  if (!ch_role_from_string (user->role, &role) || role != CH_ROLE_ADMIN)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("The recovery key resets an administrator’s password, and “%s” is not one"),
                   username);
      return NULL;
    }

  self->master = g_steal_pointer (&master);
  self->store = g_steal_pointer (&store);

  /* Under the database write lock, as every keyring writer (ChUsers). */
  if (!ch_store_begin (self->store, error))
    return NULL;

  if (!ch_practice_reload_keyring (practice, error)
      || (previous = ch_keyring_load (ch_practice_get_dir (practice), error)) == NULL
      || (user->disabled && !ch_db_user_set_disabled (self->store, username, FALSE, error))
      || !load_user (self, username, error)
      || !failures_flush (practice, self->store, RECOVERY_NAME, &failures, error)
      || !ch_session_audit (self, CH_AUDIT_RECOVERY, "user", username, 0,
                            _("Password reset with the recovery key"), error)
      || !ch_keyring_set_user (ch_practice_get_keyring (practice), self->master, username,
                               new_password, error)
      || !ch_keyring_save (ch_practice_get_keyring (practice), error))
    {
      ch_store_rollback (self->store);
      ch_practice_reload_keyring (practice, NULL);
      return NULL;
    }

  if (!ch_store_commit (self->store, error))
    {
      /* The new slot must not outlive the change it belongs to. */
      ch_keyring_save (previous, NULL);
      ch_practice_reload_keyring (practice, NULL);
      return NULL;
    }
  if (failures != NULL)
    failures_save (practice, failures);

  return g_steal_pointer (&self);
}

static ChSecret *
open_service_slot (ChKeyring *keyring,
                   gpointer   user_data,
                   GError   **error)
{
  return ch_keyring_unlock_service (keyring, error);
}

/**
 * ch_session_open_service:
 *
 * Opens the practice as the backup service, with the key slot in
 * PRACTICE/keyring.service (readable by the service's account only): no
 * password, no person. The session's role is %CH_ROLE_BACKUP_SERVICE, which
 * may run backups (ch_backup_now(), ch_backup_run(), the backup settings
 * and runs) and nothing else: ch_session_check() refuses it every chart,
 * user and audit area. Opening and closing it are not audited (the daemon
 * opens it every few minutes to read its configuration); what it does is
 * recorded in backup_runs. Any audit entry it writes is signed
 * "#backup-service".
 *
 * Returns: (transfer full): the session, or %NULL with a CH_KEYRING_ERROR
 *   (CH_KEYRING_ERROR_NOT_FOUND when there is no service slot, or it cannot
 *   be read), a CH_AUTH_ERROR or a store error
 */
ChSession *
ch_session_open_service (ChPractice *practice,
                         GError    **error)
{
  g_autoptr (ChSession) self = NULL;
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChStore) store = NULL;

  g_return_val_if_fail (CH_IS_PRACTICE (practice), NULL);

  self = g_object_new (CH_TYPE_SESSION, NULL);
  self->practice = g_object_ref (practice);
  self->service = TRUE;
  self->role = CH_ROLE_BACKUP_SERVICE;
  self->username = g_strdup (SERVICE_NAME);
  self->display_name = g_strdup (_("Backup service"));

  self->lock_fd = ch_practice_lock_shared (practice, error);
  if (self->lock_fd < 0)
    return NULL;

  if (!ch_practice_reload_keyring (practice, error))
    return NULL;

  master = ch_keyring_unlock_service (ch_practice_get_keyring (practice), error);
  if (master == NULL)
    return NULL;

  store = ch_practice_open_store (practice, &master, open_service_slot, NULL, error);
  if (store == NULL)
    return NULL;

  self->master = g_steal_pointer (&master);
  self->store = g_steal_pointer (&store);
  return g_steal_pointer (&self);
}

/* Whether the session is the backup service's (ch_session_open_service()). */
gboolean
ch_session_get_is_service (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  return self->service;
}

/**
 * ch_session_logout:
 *
 * Ends the session: audited while the store is open, then the key is wiped.
 */
void
ch_session_logout (ChSession *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (CH_IS_SESSION (self));

  if (self->logged_out)
    return;

  if (self->store != NULL && !self->service
      && !ch_session_audit (self, CH_AUDIT_LOGOUT, "", "", 0, "", &error))
    g_message ("Could not record the sign-out: %s", error->message);

  close_keys (self);
  self->break_glass_until = 0;
  self->logged_out = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOGGED_OUT]);
}

/**
 * ch_session_lock:
 *
 * Locks the session: the lock is audited, then the master key is wiped and the
 * store closed, so nothing can be read until ch_session_unlock().
 */
void
ch_session_lock (ChSession *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (CH_IS_SESSION (self));

  if (self->locked || self->logged_out)
    return;

  if (!ch_session_audit (self, CH_AUDIT_LOCK, "", "", 0, "", &error))
    g_message ("Could not record the lock: %s", error->message);

  close_keys (self);
  self->locked = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

/**
 * ch_session_unlock:
 *
 * Resumes a locked session with the same user's password (Argon2id: call it
 * from a worker thread in the GUI).
 */
gboolean
ch_session_unlock (ChSession  *self,
                   const char *password,
                   GError    **error)
{
  g_autoptr (GKeyFile) failures = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (self->logged_out)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                           _("The session has ended; sign in again"));
      return FALSE;
    }

  if (!self->locked)
    return TRUE;

  if (self->service)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                           _("The backup service's session cannot be resumed; open it again"));
      return FALSE;
    }

  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS,
                           _("Enter your password"));
      return FALSE;
    }

  if (!open_as_user (self, self->username, password, error))
    return FALSE;

  /* Disabled or demoted while the screen was locked? */
  if (!load_user (self, self->username, error))
    {
      close_keys (self);
      return FALSE;
    }

  if (!ch_store_begin (self->store, error))
    {
      close_keys (self);
      return FALSE;
    }
  if (!failures_flush (self->practice, self->store, self->username, &failures, error)
      || !ch_session_audit (self, CH_AUDIT_UNLOCK, "", "", 0, "", error)
      || !ch_store_commit (self->store, error))
    {
      ch_store_rollback (self->store);
      close_keys (self);
      return FALSE;
    }
  if (failures != NULL)
    failures_save (self->practice, failures);

  self->locked = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
  return TRUE;
}

/* Checks the signed-in user's password as a sign-in would: throttled after
 * failures, each failure recorded. CH_AUTH_ERROR_BAD_CREDENTIALS when wrong. */
gboolean
ch_session_verify_password (ChSession  *self,
                            const char *password,
                            GError    **error)
{
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (!ch_practice_reload_keyring (self->practice, error)
      || !check_throttle (self->practice, self->username, error))
    return FALSE;

  master = ch_keyring_unlock_user (ch_practice_get_keyring (self->practice), self->username,
                                   password, &local_error);
  if (master == NULL)
    {
      if (g_error_matches (local_error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD))
        {
          failures_record (self->practice, self->username);
          g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS,
                               _("Wrong user name or password"));
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
ch_session_get_locked (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), TRUE);

  return self->locked;
}

gboolean
ch_session_get_logged_out (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), TRUE);

  return self->logged_out;
}

/* ---- who and what ---------------------------------------------------------- */

ChPractice *
ch_session_get_practice (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  return self->practice;
}

/* Returns: (transfer none) (nullable): the store; %NULL while locked */
ChStore *
ch_session_get_store (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  return self->store;
}

/* Returns: (transfer none) (nullable): the master key; %NULL while locked.
 * For app/ only (wrapping a new slot, deriving subkeys). */
const ChSecret *
ch_session_get_master_key (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  return self->master;
}

const char *
ch_session_get_username (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  return self->username;
}

const char *
ch_session_get_display_name (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  return (self->display_name != NULL && *self->display_name != '\0')
         ? self->display_name : self->username;
}

ChRole
ch_session_get_role (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), CH_ROLE_ADMIN);

  return self->role;
}

gboolean
ch_session_get_break_glass (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  return self->break_glass_until > g_get_real_time ();
}

/* Returns: (transfer full) (nullable): when emergency access ends, local time */
GDateTime *
ch_session_get_break_glass_until (ChSession *self)
{
  g_autoptr (GDateTime) utc = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  if (!ch_session_get_break_glass (self))
    return NULL;

  utc = g_date_time_new_from_unix_utc (self->break_glass_until / G_USEC_PER_SEC);
  return utc ? g_date_time_to_local (utc) : NULL;
}

/* What the session may do now: its role, widened by emergency access while it
 * lasts; nothing while locked. */
gboolean
ch_session_can (ChSession *self,
                ChArea     area,
                ChAccess   access)
{
  ChAccess granted;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);
  g_return_val_if_fail (area < CH_N_AREAS, FALSE);

  if (self->locked || self->logged_out || self->store == NULL)
    return FALSE;

  granted = ch_role_get_access (self->role, area);
  if (ch_session_get_break_glass (self))
    granted = MAX (granted, ch_break_glass_get_access (area));

  return granted >= access;
}

/* An account disabled, or given another role, on another desk stops
 * working here at its next action, not at its next sign-in. */
static gboolean
account_still_active (ChSession *self,
                      GError   **error)
{
  g_autoptr (ChUserRecord) user = NULL;
  g_autoptr (GError) local_error = NULL;
  ChRole role;

  /* The service has no account to disable: removing its key slot file is
   * what ends it. */
  if (self->service)
    return TRUE;

  user = ch_db_user_lookup (self->store, self->username, &local_error);
  if (user == NULL || user->disabled)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_DISABLED,
                   _("The account “%s” is disabled"), self->username);
      return FALSE;
    }

  if (ch_role_from_string (user->role, &role) && role != self->role)
    {
      self->role = role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
    }

  return TRUE;
}

gboolean
ch_session_check (ChSession *self,
                  ChArea     area,
                  ChAccess   access,
                  GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (self->locked || self->logged_out)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED,
                           self->logged_out ? _("You are signed out")
                                            : _("The screen is locked"));
      return FALSE;
    }

  if (!account_still_active (self, error))
    return FALSE;

  if (!ch_session_can (self, area, access))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   access == CH_ACCESS_WRITE
                   ? _("Not allowed: the role “%s” may not change %s")
                   : _("Not allowed: the role “%s” may not see %s"),
                   ch_role_get_label (self->role), ch_area_get_label (area));
      return FALSE;
    }

  return TRUE;
}

/* ---- emergency access ------------------------------------------------------ */

static gint64
setting_int (ChSession  *self,
             const char *key,
             gint64      fallback)
{
  g_autofree char *value = NULL;
  gint64 number;
  char *end = NULL;

  if (self->store == NULL)
    return fallback;

  value = ch_db_setting_get (self->store, key, NULL);
  if (value == NULL)
    return fallback;

  number = g_ascii_strtoll (value, &end, 10);
  return (end != value && number > 0) ? number : fallback;
}

/* How long emergency access lasts in this practice. */
guint
ch_session_get_break_glass_minutes (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), CH_DEFAULT_BREAK_GLASS_MINUTES);

  return (guint) setting_int (self, "session.break-glass-minutes", CH_DEFAULT_BREAK_GLASS_MINUTES);
}

/**
 * ch_session_break_glass:
 * @reason: why; required
 *
 * Grants emergency access to charts (ch_break_glass_get_access()) for the
 * practice's break-glass time (60 minutes by default), audited with the
 * reason. Only roles at the point of care may ask.
 */
gboolean
ch_session_break_glass (ChSession  *self,
                        const char *reason,
                        GError    **error)
{
  g_autofree char *trimmed = NULL;
  gint64 minutes;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (self->locked || self->logged_out)
    return ch_session_check (self, CH_AREA_CLINICAL, CH_ACCESS_READ, error);

  if (!ch_role_can_break_glass (self->role))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("Not allowed: the role “%s” has no emergency access to charts"),
                   ch_role_get_label (self->role));
      return FALSE;
    }

  trimmed = g_strstrip (g_strdup (reason ? reason : ""));
  if (g_utf8_strlen (trimmed, -1) < 4)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Say why you need emergency access"));
      return FALSE;
    }

  minutes = ch_session_get_break_glass_minutes (self);

  self->break_glass_until = g_get_real_time () + minutes * 60 * G_USEC_PER_SEC;
  if (!ch_session_audit (self, CH_AUDIT_BREAK_GLASS, "", "", 0, trimmed, error))
    {
      self->break_glass_until = 0;
      return FALSE;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BREAK_GLASS]);
  return TRUE;
}

/* ---- audit ------------------------------------------------------------------ */

gboolean
ch_session_audit (ChSession  *self,
                  const char *action,
                  const char *object_type,
                  const char *object_id,
                  gint64      patient_id,
                  const char *detail,
                  GError    **error)
{
  g_autofree char *role = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (self->store == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED,
                           _("The screen is locked"));
      return FALSE;
    }

  /* Entries made under emergency access say so. */
  role = ch_session_get_break_glass (self)
         ? g_strconcat (ch_role_to_string (self->role), "+break-glass", NULL)
         : g_strdup (ch_role_to_string (self->role));

  return ch_audit_append (self->store, self->username, role, action, object_type, object_id,
                          patient_id, detail, error);
}

/* ---- settings -------------------------------------------------------------- */

/* Returns: (transfer full): the practice's name */
char *
ch_session_get_practice_name (ChSession *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), NULL);

  if (self->store != NULL)
    name = ch_db_setting_get (self->store, "practice.name", NULL);

  return name != NULL ? g_steal_pointer (&name) : g_strdup (_("Charta"));
}

guint
ch_session_get_idle_lock_minutes (ChSession *self)
{
  g_return_val_if_fail (CH_IS_SESSION (self), CH_DEFAULT_IDLE_LOCK_MINUTES);

  return (guint) setting_int (self, "session.idle-lock-minutes", CH_DEFAULT_IDLE_LOCK_MINUTES);
}

/* The idle-lock time is practice policy: users administrators set it. */
gboolean
ch_session_set_idle_lock_minutes (ChSession *self,
                                  guint      minutes,
                                  GError   **error)
{
  g_autofree char *value = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (!ch_session_check (self, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;

  if (minutes < 1 || minutes > 240)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The idle lock time is between 1 and 240 minutes"));
      return FALSE;
    }

  value = g_strdup_printf ("%u", minutes);
  detail = g_strdup_printf ("session.idle-lock-minutes=%u", minutes);

  if (!ch_store_begin (self->store, error))
    return FALSE;
  if (!ch_db_setting_set (self->store, "session.idle-lock-minutes", value, error)
      || !ch_session_audit (self, CH_AUDIT_SETTINGS, "setting", "session.idle-lock-minutes", 0,
                            detail, error)
      || !ch_store_commit (self->store, error))
    {
      ch_store_rollback (self->store);
      return FALSE;
    }

  return TRUE;
}

/* ---- rekey ------------------------------------------------------------------ */

/**
 * ch_session_rekey:
 *
 * Rotates the master key. The rewrapped keyring is written beside the old one,
 * the database re-encrypted, then the new keyring put in place; a process
 * killed in between is finished by the next sign-in. Needs user
 * administration rights; no other connection may be open.
 */
static gboolean rekey_locked (ChSession *self,
                              GError   **error);

/* The document store's keys live in the database (app/documents/): the
 * first generation, what the master key gave, is stored if it is not yet,
 * and a new random generation added for the blobs written from now on. The
 * database is then re-encrypted, keys and all, so no blob needs rewriting. */
static gboolean
add_document_key_generation (ChSession  *self,
                             GError    **error)
{
  g_autoptr (ChSecret) first = ch_master_derive (self->master, CH_SUBKEY_DOCUMENTS);
  g_autoptr (ChSecret) next = ch_secret_new_random (first->len);

  if (!ch_store_begin (self->store, error))
    return FALSE;
  if (!ch_db_document_key_add (self->store, first->data, first->len, TRUE, error)
      || !ch_db_document_key_add (self->store, next->data, next->len, FALSE, error)
      || !ch_store_commit (self->store, error))
    {
      ch_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_session_rekey (ChSession *self,
                  GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (self), FALSE);

  if (!ch_session_check (self, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;

  /* No other session may have the practice open, nor open it meanwhile. */
  if (!ch_practice_lock_exclusive (self->lock_fd, error))
    return FALSE;

  ok = rekey_locked (self, error);
  ch_practice_lock_release_exclusive (self->lock_fd);
  return ok;
}

static gboolean
rekey_locked (ChSession *self,
              GError   **error)
{
  g_autoptr (ChSecret) new_master = NULL;
  g_autoptr (ChSecret) new_db_key = NULL;
  g_autoptr (ChKeyring) next = NULL;
  const char *dir;

  dir = ch_practice_get_dir (self->practice);
  next = ch_keyring_load (dir, error);
  if (next == NULL)
    return FALSE;

  new_master = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  new_db_key = ch_master_derive (new_master, CH_SUBKEY_DATABASE);

  if (!add_document_key_generation (self, error))
    return FALSE;

  if (!ch_keyring_rewrap (next, self->master, new_master, error)
      || !ch_keyring_save_next (next, error))
    {
      ch_keyring_discard_next (dir);
      return FALSE;
    }

  if (!ch_store_rekey (self->store, new_db_key->data, error))
    {
      ch_keyring_discard_next (dir);
      return FALSE;
    }

  if (!ch_keyring_promote_next (dir, error))
    return FALSE;  /* the next sign-in finishes it */

  g_clear_pointer (&self->master, ch_secret_free);
  self->master = g_steal_pointer (&new_master);
  ch_practice_reload_keyring (self->practice, NULL);

  return ch_session_audit (self, CH_AUDIT_REKEY, "keyring", ch_keyring_get_key_id (next), 0, "",
                           error);
}
