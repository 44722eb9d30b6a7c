/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-practice"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <sodium.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-practice-private.h"
#include "ch-records.h"
#include "ch-roles.h"

/* A practice is a folder: charta.db (SQLCipher), keyring (+ keyring.service)
 * and documents/. ChPractice knows the folder and its keyring; opening the
 * database takes a user's password (ChSession). */

#define DB_FILE "charta.db"

struct _ChPractice
{
  GObject    parent_instance;

  char      *dir;
  ChKeyring *keyring;
};

G_DEFINE_TYPE (ChPractice, ch_practice, G_TYPE_OBJECT)

G_DEFINE_QUARK (ch-auth-error-quark, ch_auth_error)

static void
ch_practice_finalize (GObject *object)
{
  ChPractice *self = CH_PRACTICE (object);

  g_clear_pointer (&self->dir, g_free);
  g_clear_object (&self->keyring);

  G_OBJECT_CLASS (ch_practice_parent_class)->finalize (object);
}

static void
ch_practice_class_init (ChPracticeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ch_practice_finalize;
}

static void
ch_practice_init (ChPractice *self)
{
}

/* Returns: (transfer full): $XDG_DATA_HOME/charta/practice */
char *
ch_practice_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "charta", "practice", NULL);
}

gboolean
ch_practice_exists (const char *dir)
{
  g_return_val_if_fail (dir != NULL, FALSE);

  return ch_keyring_exists (dir);
}

const char *
ch_practice_get_dir (ChPractice *self)
{
  g_return_val_if_fail (CH_IS_PRACTICE (self), NULL);

  return self->dir;
}

/* Returns: (transfer full): the practice's name, readable before sign-in */
char *
ch_practice_get_name (ChPractice *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (CH_IS_PRACTICE (self), NULL);

  name = ch_keyring_get_practice_name (self->keyring);
  return name != NULL ? g_steal_pointer (&name) : g_strdup (_("Charta"));
}

char *
ch_practice_get_db_path (ChPractice *self)
{
  g_return_val_if_fail (CH_IS_PRACTICE (self), NULL);

  return g_build_filename (self->dir, DB_FILE, NULL);
}

/* Returns: (transfer none): the keyring as last loaded */
ChKeyring *
ch_practice_get_keyring (ChPractice *self)
{
  g_return_val_if_fail (CH_IS_PRACTICE (self), NULL);

  return self->keyring;
}

/* Reads the keyring again: another desk or charta-admin may have changed it. */
gboolean
ch_practice_reload_keyring (ChPractice *self,
                            GError    **error)
{
  g_autoptr (ChKeyring) keyring = NULL;

  g_return_val_if_fail (CH_IS_PRACTICE (self), FALSE);

  keyring = ch_keyring_load (self->dir, error);
  if (keyring == NULL)
    return FALSE;

  g_set_object (&self->keyring, keyring);
  return TRUE;
}

static ChPractice *
practice_new (const char *dir,
              ChKeyring  *keyring)
{
  ChPractice *self = g_object_new (CH_TYPE_PRACTICE, NULL);

  self->dir = g_strdup (dir);
  self->keyring = g_object_ref (keyring);
  return self;
}

/**
 * ch_practice_open:
 *
 * Returns: (transfer full): the practice in @dir, or %NULL with
 *   CH_AUTH_ERROR_NO_PRACTICE or a CH_KEYRING_ERROR
 */
ChPractice *
ch_practice_open (const char *dir,
                  GError    **error)
{
  g_autoptr (ChKeyring) keyring = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  keyring = ch_keyring_load (dir, &local_error);
  if (keyring == NULL)
    {
      if (g_error_matches (local_error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND))
        g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_NO_PRACTICE,
                     _("There is no Charta practice in “%s”"), dir);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return practice_new (dir, keyring);
}

/* Returns: a descriptor holding the practice lock shared, or -1 with @error.
 * Waits while a change of the master key holds it. */
int
ch_practice_lock_shared (ChPractice *self,
                         GError    **error)
{
  g_autofree char *path = g_build_filename (self->dir, "practice.lock", NULL);
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("Could not open the practice in “%s”: %s"), self->dir, g_strerror (saved));
      return -1;
    }

  while (flock (fd, LOCK_SH) != 0)
    {
      int saved = errno;

      if (saved == EINTR)
        continue;
      close (fd);
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("Could not open the practice in “%s”: %s"), self->dir, g_strerror (saved));
      return -1;
    }

  return fd;
}

/* Takes the lock held shared by @fd exclusively, without waiting: fails
 * while any other session has the practice open. */
gboolean
ch_practice_lock_exclusive (int      fd,
                            GError **error)
{
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                           _("The practice is open elsewhere (another window, desk or "
                             "charta-admin); close it there and try again"));
      /* A failed conversion may have dropped the shared lock: take it back. */
      flock (fd, LOCK_SH);
      return FALSE;
    }
  return TRUE;
}

void
ch_practice_lock_release_exclusive (int fd)
{
  flock (fd, LOCK_SH);
}

void
ch_practice_unlock (int fd)
{
  if (fd >= 0)
    close (fd);
}

/* What a practice opened by an older version still needs done once. */
static ChStore *
finish_open (ChStore *store,
             GError **error)
{
  if (!ch_db_patient_search_ensure_index (store, error))
    {
      g_object_unref (store);
      return NULL;
    }
  return store;
}

/**
 * ch_practice_open_store:
 * @master: the master key a slot gave
 *
 * Opens the database under @master. Finishes an interrupted rekey: when the
 * database no longer opens under the keyring's key but does under the key the
 * rekey prepared, that keyring is put in place (and @master replaced by the
 * new key, opened from @keyring_next_opener).
 *
 * Returns: (transfer full): the store
 */
ChStore *
ch_practice_open_store (ChPractice      *self,
                        ChSecret       **master,
                        ChSlotOpener     opener,
                        gpointer         opener_data,
                        GError         **error)
{
  g_autofree char *path = ch_practice_get_db_path (self);
  g_autoptr (ChSecret) db_key = ch_master_derive (*master, CH_SUBKEY_DATABASE);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChKeyring) next = NULL;
  g_autoptr (ChSecret) next_master = NULL;
  g_autoptr (ChSecret) next_db_key = NULL;
  ChStore *store;

  store = ch_store_open (path, db_key->data, CH_STORE_FLAGS_NONE, &local_error);
  if (store != NULL)
    {
      /* A rekey that died before touching the database left this behind. */
      if (ch_keyring_has_next (self->dir))
        ch_keyring_discard_next (self->dir);
      return finish_open (store, error);
    }

  if (!g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_WRONG_KEY)
      || !ch_keyring_has_next (self->dir) || opener == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  next = ch_keyring_load_next (self->dir, NULL);
  if (next != NULL)
    next_master = opener (next, opener_data, NULL);
  if (next_master == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  next_db_key = ch_master_derive (next_master, CH_SUBKEY_DATABASE);
  store = ch_store_open (path, next_db_key->data, CH_STORE_FLAGS_NONE, error);
  if (store == NULL)
    return NULL;

  g_message ("%s: finishing an interrupted change of the master key", self->dir);
  if (!ch_keyring_promote_next (self->dir, error) || !ch_practice_reload_keyring (self, error))
    {
      g_object_unref (store);
      return NULL;
    }

  ch_secret_free (*master);
  *master = g_steal_pointer (&next_master);
  return finish_open (store, error);
}

gboolean
ch_validate_username (const char *username,
                      GError    **error)
{
  gsize len = username != NULL ? strlen (username) : 0;

  if (len < 2 || len > 32)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("A user name has 2 to 32 characters"));
      return FALSE;
    }

  for (const char *p = username; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '.' || *p == '-' || *p == '_'))
      {
        g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                             _("A user name may use lower-case letters a–z, digits, “.”, “-” and “_” only"));
        return FALSE;
      }

  if (!g_ascii_islower (username[0]))
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("A user name starts with a letter"));
      return FALSE;
    }

  return TRUE;
}

gboolean
ch_validate_password (const char *password,
                      GError    **error)
{
  if (password == NULL || g_utf8_strlen (password, -1) < CH_MIN_PASSWORD_LENGTH)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "A password has at least %d character",
                                "A password has at least %d characters",
                                CH_MIN_PASSWORD_LENGTH),
                   CH_MIN_PASSWORD_LENGTH);
      return FALSE;
    }

  if (!g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("The password is not valid text"));
      return FALSE;
    }

  return TRUE;
}

/* Removes what a failed creation wrote, and only that. */
static void
remove_created (const char *dir,
                gboolean    dir_created)
{
  static const char * const files[] = {
    DB_FILE, DB_FILE "-wal", DB_FILE "-shm", DB_FILE "-journal",
    "keyring", "keyring.tmp", "keyring.service", "keyring.service.tmp",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_unlink (path);
    }

  {
    g_autofree char *documents = g_build_filename (dir, "documents", NULL);
    g_rmdir (documents);
  }

  if (dir_created)
    g_rmdir (dir);
}

static gboolean
write_setup (ChStore               *store,
             const ChPracticeSetup *setup,
             const char            *name,
             GError               **error)
{
  g_autofree char *practice_id = g_uuid_string_random ();
  g_autofree char *idle = g_strdup_printf ("%d", CH_DEFAULT_IDLE_LOCK_MINUTES);
  g_autofree char *glass = g_strdup_printf ("%d", CH_DEFAULT_BREAK_GLASS_MINUTES);
  const char *admin_role = ch_role_to_string (CH_ROLE_ADMIN);

  return ch_db_setting_set (store, "practice.id", practice_id, error)
         && ch_db_setting_set (store, "practice.name", name, error)
         && ch_db_setting_set (store, "practice.address", setup->address ? setup->address : "",
                               error)
         && ch_db_setting_set (store, "session.idle-lock-minutes", idle, error)
         && ch_db_setting_set (store, "session.break-glass-minutes", glass, error)
         && ch_db_user_insert (store, setup->admin_user,
                               setup->admin_display_name ? setup->admin_display_name : "",
                               admin_role, NULL, error)
         && ch_audit_append (store, setup->admin_user, admin_role, CH_AUDIT_PRACTICE_CREATE,
                             "practice", practice_id, 0, name, error)
         && ch_audit_append (store, setup->admin_user, admin_role, CH_AUDIT_USER_ADD,
                             "user", setup->admin_user, 0, admin_role, error);
}

/**
 * ch_practice_create:
 * @out_recovery_key: (out): the recovery key, to show once; wipe it with
 *   sodium_memzero() and g_free() it
 *
 * Creates a practice in @dir (made if missing): the encrypted database with
 * its schema, the first administrator, the keyring with the administrator's,
 * the recovery and the backup service's slots. On failure nothing of it is
 * left behind.
 *
 * Returns: (transfer full): the practice
 */
ChPractice *
ch_practice_create (const char             *dir,
                    const ChPracticeSetup  *setup,
                    char                  **out_recovery_key,
                    GError                **error)
{
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChSecret) db_key = NULL;
  g_autoptr (ChStore) store = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *name = NULL;
  char *recovery = NULL;
  gboolean dir_created = FALSE;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (setup != NULL, NULL);

  name = g_strstrip (g_strdup (setup->name ? setup->name : ""));
  if (*name == '\0')
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                           _("Give the practice a name"));
      return NULL;
    }
  if (!ch_validate_username (setup->admin_user, error)
      || !ch_validate_password (setup->admin_password, error))
    return NULL;

  db_path = g_build_filename (dir, DB_FILE, NULL);
  if (ch_keyring_exists (dir) || g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_EXISTS,
                   _("There is already a practice in “%s”"), dir);
      return NULL;
    }

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *parent = g_path_get_dirname (dir);

      if (g_mkdir_with_parents (parent, 0700) != 0 || g_mkdir (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                       _("Could not create the practice folder “%s”: %s"), dir,
                       g_strerror (saved));
          return NULL;
        }
      dir_created = TRUE;
    }

  documents = g_build_filename (dir, "documents", NULL);
  if (g_mkdir_with_parents (documents, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_FAILED,
                   _("Could not create the practice folder “%s”: %s"), dir, g_strerror (saved));
      remove_created (dir, dir_created);
      return NULL;
    }

  master = ch_secret_new_random (CH_MASTER_KEY_BYTES);
  db_key = ch_master_derive (master, CH_SUBKEY_DATABASE);

  store = ch_store_open (db_path, db_key->data, CH_STORE_FLAGS_CREATE, error);
  if (store == NULL)
    goto fail;

  if (!ch_store_begin (store, error))
    goto fail;

  if (!write_setup (store, setup, name, error))
    {
      ch_store_rollback (store);
      goto fail;
    }

  recovery = ch_keyring_generate_recovery_key ();
  keyring = ch_keyring_new (dir, master);
  ch_keyring_set_practice_name (keyring, name);
  if (!ch_keyring_set_user (keyring, master, setup->admin_user, setup->admin_password, error)
      || !ch_keyring_set_recovery (keyring, master, recovery, error)
      || !ch_keyring_set_service (keyring, master, error)
      || !ch_keyring_save (keyring, error))
    {
      ch_store_rollback (store);
      goto fail;
    }

  if (!ch_store_commit (store, error))
    goto fail;

  ch_store_close (store);

  if (out_recovery_key != NULL)
    *out_recovery_key = g_steal_pointer (&recovery);
  else
    {
      sodium_memzero (recovery, strlen (recovery));
      g_free (recovery);
    }

  return practice_new (dir, keyring);

fail:
  if (recovery != NULL)
    {
      sodium_memzero (recovery, strlen (recovery));
      g_free (recovery);
    }
  if (store != NULL)
    ch_store_close (store);
  remove_created (dir, dir_created);
  return NULL;
}
