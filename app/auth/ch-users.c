/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-users"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-audit.h"
#include "ch-session-private.h"
#include "ch-users.h"

/* Each change runs in one database transaction with its audit entry; the
 * keyring is written inside it, before the commit, so that a failed keyring
 * write rolls the change back. Only an administrator makes, changes or
 * disables administrators, so that no other role can raise itself to one. */

/* Returns: (transfer full) (element-type ChUserRecord): every user */
GPtrArray *
ch_users_list (ChSession *session,
               GError   **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_user_list (ch_session_get_store (session), error);
}

static gboolean
refresh_keyring (ChSession *session,
                 GError   **error)
{
  return ch_practice_reload_keyring (ch_session_get_practice (session), error);
}

static ChKeyring *
keyring_of (ChSession *session)
{
  return ch_practice_get_keyring (ch_session_get_practice (session));
}

static gboolean
check_admin_rule (ChSession *session,
                  ChRole     touched_role,
                  GError   **error)
{
  if (touched_role == CH_ROLE_ADMIN && ch_session_get_role (session) != CH_ROLE_ADMIN)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                           _("Only an administrator can make, change or disable administrators"));
      return FALSE;
    }
  return TRUE;
}

/* Fetches @username's record and role, with clear errors. */
static ChUserRecord *
lookup (ChSession  *session,
        const char *username,
        ChRole     *out_role,
        GError    **error)
{
  g_autoptr (ChUserRecord) user = NULL;

  user = ch_db_user_lookup (ch_session_get_store (session), username, error);
  if (user == NULL)
    return NULL;

  if (!ch_role_from_string (user->role, out_role))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("The account “%s” has an unknown role “%s”"), username, user->role);
      return NULL;
    }

  return g_steal_pointer (&user);
}

/* The practice must keep at least one administrator who can sign in. */
static gboolean
check_not_last_admin (ChSession  *session,
                      ChRole      role,
                      gboolean    disabled,
                      GError    **error)
{
  gint64 admins;

  if (role != CH_ROLE_ADMIN || disabled)
    return TRUE;

  admins = ch_db_user_count_active (ch_session_get_store (session),
                                    ch_role_to_string (CH_ROLE_ADMIN), error);
  if (admins < 0)
    return FALSE;

  if (admins <= 1)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("This is the practice’s last administrator; make another one first"));
      return FALSE;
    }
  return TRUE;
}

/* Starts a change: the database write lock first, then the keyring read
 * again under it. Every keyring writer holds that lock, so two desks never
 * write over each other's slots. @out_previous keeps the keyring as it was,
 * to put back if the change does not commit. */
static gboolean
begin_change (ChSession  *session,
              ChKeyring **out_previous,
              GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  const char *dir = ch_practice_get_dir (ch_session_get_practice (session));

  if (!ch_store_begin (store, error))
    return FALSE;

  if (!refresh_keyring (session, error)
      || (*out_previous = ch_keyring_load (dir, error)) == NULL)
    {
      ch_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

/* Writes the keyring, then commits. When the commit fails, the keyring as it
 * was goes back, so that the slots match the database and its audit trail. */
static gboolean
finish (ChSession *session,
        ChKeyring *previous,
        gboolean   ok,
        GError   **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChKeyring) owned = previous;

  if (ok && ch_keyring_save (keyring_of (session), error))
    {
      g_autoptr (GError) restore_error = NULL;

      if (ch_store_commit (store, error))
        return TRUE;

      if (!ch_keyring_save (owned, &restore_error))
        g_message ("Could not put the keyring back after a failed change: %s",
                   restore_error->message);
    }

  if (ch_store_in_transaction (store))
    ch_store_rollback (store);

  refresh_keyring (session, NULL);
  return FALSE;
}

gboolean
ch_users_add (ChSession  *session,
              const char *username,
              const char *display_name,
              ChRole      role,
              const char *password,
              GError    **error)
{
  ChStore *store;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChUserRecord) existing = NULL;
  ChKeyring *previous = NULL;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (role < CH_N_ROLES, FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error)
      || !check_admin_rule (session, role, error)
      || !ch_validate_username (username, error)
      || !ch_validate_password (password, error)
      || !refresh_keyring (session, error))
    return FALSE;

  store = ch_session_get_store (session);
  existing = ch_db_user_lookup (store, username, &local_error);
  if (existing != NULL)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("There is already a user “%s”"), username);
      return FALSE;
    }

  if (!begin_change (session, &previous, error))
    return FALSE;

  ok = ch_db_user_insert (store, username, display_name, ch_role_to_string (role), NULL, error)
       && ch_session_audit (session, CH_AUDIT_USER_ADD, "user", username, 0,
                            ch_role_to_string (role), error)
       && ch_keyring_set_user (keyring_of (session), ch_session_get_master_key (session), username,
                               password, error);

  return finish (session, previous, ok, error);
}

/**
 * ch_users_set_password:
 * @old_password: the current password when users change their own; ignored
 *   (may be %NULL) when a users administrator resets someone else's
 */
gboolean
ch_users_set_password (ChSession  *session,
                       const char *username,
                       const char *old_password,
                       const char *new_password,
                       GError    **error)
{
  g_autoptr (ChUserRecord) user = NULL;
  gboolean own;
  ChKeyring *previous = NULL;
  gboolean ok;
  ChRole role;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);

  own = g_strcmp0 (username, ch_session_get_username (session)) == 0;

  if (own)
    {
      g_autoptr (GError) local_error = NULL;

      if (ch_session_get_locked (session) || ch_session_get_logged_out (session))
        return ch_session_check (session, CH_AREA_USERS, CH_ACCESS_READ, error);

      /* Throttled and counted like a sign-in: an unlocked desk is no place to
       * guess the current password at leisure. */
      if (!ch_session_verify_password (session, old_password ? old_password : "", &local_error))
        {
          if (g_error_matches (local_error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS))
            g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_BAD_CREDENTIALS,
                                 _("The current password is wrong"));
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  else if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error)
           || !refresh_keyring (session, error))
    return FALSE;

  if (!ch_validate_password (new_password, error))
    return FALSE;

  user = lookup (session, username, &role, error);
  if (user == NULL)
    return FALSE;

  if (!own && !check_admin_rule (session, role, error))
    return FALSE;

  if (user->disabled)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_DISABLED,
                   _("The account “%s” is disabled; enable it with a new password"), username);
      return FALSE;
    }

  if (!begin_change (session, &previous, error))
    return FALSE;

  ok = ch_session_audit (session, CH_AUDIT_PASSWORD, "user", username, 0,
                         own ? "changed by the user" : "reset", error)
       && ch_keyring_set_user (keyring_of (session), ch_session_get_master_key (session), username,
                               new_password, error);

  return finish (session, previous, ok, error);
}

/* Disabling removes the user's key slot: the password no longer opens
 * anything, whatever copy of it exists. */
gboolean
ch_users_disable (ChSession  *session,
                  const char *username,
                  GError    **error)
{
  ChStore *store;
  g_autoptr (ChUserRecord) user = NULL;
  ChKeyring *previous = NULL;
  gboolean ok;
  ChRole role;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error)
      || !refresh_keyring (session, error))
    return FALSE;

  if (g_strcmp0 (username, ch_session_get_username (session)) == 0)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("You cannot disable your own account"));
      return FALSE;
    }

  user = lookup (session, username, &role, error);
  if (user == NULL)
    return FALSE;

  if (user->disabled)
    return TRUE;

  if (!check_admin_rule (session, role, error)
      || !check_not_last_admin (session, role, user->disabled, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!begin_change (session, &previous, error))
    return FALSE;

  ok = ch_db_user_set_disabled (store, username, TRUE, error)
       && ch_session_audit (session, CH_AUDIT_USER_DISABLE, "user", username, 0, "", error);
  if (ok)
    ch_keyring_remove_user (keyring_of (session), username);

  return finish (session, previous, ok, error);
}

gboolean
ch_users_enable (ChSession  *session,
                 const char *username,
                 const char *new_password,
                 GError    **error)
{
  ChStore *store;
  g_autoptr (ChUserRecord) user = NULL;
  ChKeyring *previous = NULL;
  gboolean ok;
  ChRole role;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error)
      || !ch_validate_password (new_password, error)
      || !refresh_keyring (session, error))
    return FALSE;

  user = lookup (session, username, &role, error);
  if (user == NULL || !check_admin_rule (session, role, error))
    return FALSE;

  /* Not a password reset in disguise: that has its own action and entry. */
  if (!user->disabled)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("The account “%s” is not disabled"), username);
      return FALSE;
    }

  store = ch_session_get_store (session);
  if (!begin_change (session, &previous, error))
    return FALSE;

  ok = ch_db_user_set_disabled (store, username, FALSE, error)
       && ch_session_audit (session, CH_AUDIT_USER_ENABLE, "user", username, 0, "", error)
       && ch_keyring_set_user (keyring_of (session), ch_session_get_master_key (session), username,
                               new_password, error);

  return finish (session, previous, ok, error);
}

gboolean
ch_users_set_role (ChSession  *session,
                   const char *username,
                   ChRole      role,
                   GError    **error)
{
  ChStore *store;
  g_autoptr (ChUserRecord) user = NULL;
  g_autofree char *detail = NULL;
  ChKeyring *previous = NULL;
  gboolean ok;
  ChRole old_role;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (role < CH_N_ROLES, FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error)
      || !check_admin_rule (session, role, error))
    return FALSE;

  if (g_strcmp0 (username, ch_session_get_username (session)) == 0)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("You cannot change your own role"));
      return FALSE;
    }

  user = lookup (session, username, &old_role, error);
  if (user == NULL || !check_admin_rule (session, old_role, error))
    return FALSE;

  if (old_role == role)
    return TRUE;

  if (!check_not_last_admin (session, old_role, user->disabled, error))
    return FALSE;

  detail = g_strdup_printf ("%s → %s", ch_role_to_string (old_role), ch_role_to_string (role));

  store = ch_session_get_store (session);
  if (!begin_change (session, &previous, error))
    return FALSE;

  ok = ch_db_user_set_role (store, username, ch_role_to_string (role), error)
       && ch_session_audit (session, CH_AUDIT_USER_ROLE, "user", username, 0, detail, error);

  return finish (session, previous, ok, error);
}
