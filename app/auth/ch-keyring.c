/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-keyring"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "ch-keyring.h"

/* PRACTICE/keyring holds the master key wrapped once per way in: a slot per
 * user, a recovery slot, and (in PRACTICE/keyring.service, mode 0600) the
 * backup service's slot. It holds no patient data and no key in the clear.
 *
 * A slot has two layers. The password (or recovery key) gives, through
 * Argon2id, a password key PK; PK opens K, a random key of the slot's own; K
 * opens the master key M. The slot also keeps K wrapped under M ("escrow"), so
 * that rotating M (rekey) rewraps every slot without anybody's password, and a
 * password change rewraps only K under the new PK. PK is bound to the slot's
 * name, so a slot copied under another user's name opens nothing.
 *
 * Every write is atomic: a temporary file, fsync, rename, fsync of the folder.
 * A process killed at any point leaves the old keyring or the new one. */

#define KEYRING_FILE    "keyring"
#define SERVICE_FILE    "keyring.service"
#define FORMAT_VERSION  1
#define GROUP_HEADER    "Keyring"
#define GROUP_RECOVERY  "Recovery"
#define GROUP_SERVICE   "Service backup"
#define USER_PREFIX     "User "
#define KDF_NAME        "argon2id13"
#define KDF_CONTEXT     "CHARTA01"
#define NEXT_SUFFIX     ".next"
#define RECOVERY_BYTES  20
#define BOX_BYTES(n)    (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + (n))

struct _ChKeyring
{
  GObject   parent_instance;

  char     *dir;
  GKeyFile *main;
  GKeyFile *service;  /* the service slot when read or changed; NULL otherwise */
  gboolean  service_changed;
  char     *suffix;   /* "" or NEXT_SUFFIX: which files this was read from */
  char     *key_id;   /* of the master key the slots wrap */
};

G_DEFINE_TYPE (ChKeyring, ch_keyring, G_TYPE_OBJECT)

G_DEFINE_QUARK (ch-keyring-error-quark, ch_keyring_error)

static void
ch_keyring_finalize (GObject *object)
{
  ChKeyring *self = CH_KEYRING (object);

  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->suffix, g_free);
  g_clear_pointer (&self->main, g_key_file_unref);
  g_clear_pointer (&self->service, g_key_file_unref);

  G_OBJECT_CLASS (ch_keyring_parent_class)->finalize (object);
}

static void
ch_keyring_class_init (ChKeyringClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ch_keyring_finalize;
}

static void
ch_keyring_init (ChKeyring *self)
{
}

/* ---- keys ---------------------------------------------------------------- */

/**
 * ch_master_derive:
 *
 * Returns: (transfer full): the 32-byte subkey of @master for @which
 */
ChSecret *
ch_master_derive (const ChSecret *master,
                  ChSubkey        which)
{
  ChSecret *subkey = ch_secret_new (32);

  g_return_val_if_fail (master != NULL && master->len == crypto_kdf_KEYBYTES, subkey);

  crypto_kdf_derive_from_key (subkey->data, subkey->len, which, KDF_CONTEXT, master->data);
  return subkey;
}

/* A public fingerprint of the master key, to tell key generations apart.
 * Returns: (transfer full): 32 hex digits */
char *
ch_master_key_id (const ChSecret *master)
{
  static const char msg[] = "charta-key-id";
  guint8 id[16];
  char hex[sizeof id * 2 + 1];

  crypto_generichash (id, sizeof id, (const guint8 *) msg, sizeof msg - 1,
                      master->data, master->len);
  sodium_bin2hex (hex, sizeof hex, id, sizeof id);
  return g_strdup (hex);
}

/* Secretbox with a fresh nonce; returns nonce ‖ box, base64. */
static char *
seal (const guint8 *plain,
      gsize         len,
      const guint8 *key)
{
  gsize out_len = BOX_BYTES (len);
  g_autofree guint8 *out = g_malloc (out_len);

  randombytes_buf (out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy (out + crypto_secretbox_NONCEBYTES, plain, len, out, key);
  return g_base64_encode (out, out_len);
}

/* Opens what seal() made into a new secret of @len bytes; %NULL if it does not
 * authenticate under @key. */
static ChSecret *
unseal (const char   *text,
        gsize         len,
        const guint8 *key)
{
  g_autofree guint8 *box = NULL;
  g_autoptr (ChSecret) plain = NULL;
  gsize box_len = 0;

  if (text == NULL)
    return NULL;

  box = g_base64_decode (text, &box_len);
  if (box == NULL || box_len != BOX_BYTES (len))
    return NULL;

  plain = ch_secret_new (len);
  if (crypto_secretbox_open_easy (plain->data, box + crypto_secretbox_NONCEBYTES,
                                  box_len - crypto_secretbox_NONCEBYTES, box, key) != 0)
    return NULL;

  return g_steal_pointer (&plain);
}

/* The password key of a slot: Argon2id of the password, bound to the slot's
 * group name. */
static ChSecret *
password_key (const char   *group,
              const char   *password,
              const guint8 *salt,
              guint64       opslimit,
              gsize         memlimit,
              GError      **error)
{
  g_autoptr (ChSecret) stretched = ch_secret_new (crypto_secretbox_KEYBYTES);
  g_autoptr (ChSecret) bound = ch_secret_new (crypto_secretbox_KEYBYTES);

  if (crypto_pwhash (stretched->data, stretched->len, password, strlen (password), salt,
                     opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_FAILED,
                           _("Not enough memory to check the password"));
      return NULL;
    }

  crypto_generichash (bound->data, bound->len, (const guint8 *) group, strlen (group),
                      stretched->data, stretched->len);
  return g_steal_pointer (&bound);
}

/* ---- files ----------------------------------------------------------------- */

static gboolean
write_all (int           fd,
           const char   *data,
           gsize         len,
           GError      **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                       _("Could not write the keyring: %s"), g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* A rename is durable only once its folder is. */
static void
sync_dir (const char *dir)
{
  int dfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
}

/* Replaces DIR/NAME with @data atomically and durably. */
static gboolean
atomic_write (const char *dir,
              const char *name,
              const char *data,
              gsize       len,
              GError    **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX.tmp", NULL);
  int synced;
  int closed;
  int fd;

  /* A temporary file of its own: two writers never truncate each other's. */
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                   _("Could not write the keyring in “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  if (!write_all (fd, data, len, error))
    {
      close (fd);
      g_unlink (tmp);
      return FALSE;
    }

  synced = fsync (fd);
  closed = close (fd);
  if (synced != 0 || closed != 0)
    {
      int saved = errno;
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                   _("Could not write the keyring: %s"), g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }

  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                   _("Could not replace the keyring: %s"), g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }

  sync_dir (dir);
  return TRUE;
}

gboolean
ch_keyring_exists (const char *practice_dir)
{
  g_autofree char *path = g_build_filename (practice_dir, KEYRING_FILE, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/**
 * ch_keyring_new:
 * @master: the practice's master key
 *
 * Returns: (transfer full): an empty keyring for @master, not yet saved
 */
ChKeyring *
ch_keyring_new (const char     *practice_dir,
                const ChSecret *master)
{
  ChKeyring *self;
  g_return_val_if_fail (practice_dir != NULL, NULL);
  g_return_val_if_fail (master != NULL, NULL);

  self = g_object_new (CH_TYPE_KEYRING, NULL);
  self->dir = g_strdup (practice_dir);
  self->suffix = g_strdup ("");
  self->main = g_key_file_new ();

  self->key_id = ch_master_key_id (master);
  g_key_file_set_integer (self->main, GROUP_HEADER, "Format", FORMAT_VERSION);
  g_key_file_set_string (self->main, GROUP_HEADER, "KeyId", self->key_id);
  return self;
}

/*
 * load_file:
 * @suffix: "" for the keyring, NEXT_SUFFIX for the one a rekey prepared
 *
 * Returns: (transfer full): the keyring, or %NULL with CH_KEYRING_ERROR_NOT_FOUND
 *   or CH_KEYRING_ERROR_CORRUPT
 */
static ChKeyring *
load_file (const char  *practice_dir,
           const char  *suffix,
           GError     **error)
{
  g_autoptr (ChKeyring) self = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) local_error = NULL;
  int format;

  g_return_val_if_fail (practice_dir != NULL, NULL);

  path = g_strconcat (practice_dir, G_DIR_SEPARATOR_S KEYRING_FILE, suffix, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND,
                   _("There is no Charta practice in “%s”"), practice_dir);
      return NULL;
    }

  self = g_object_new (CH_TYPE_KEYRING, NULL);
  self->dir = g_strdup (practice_dir);
  self->main = g_key_file_new ();

  if (!g_key_file_load_from_file (self->main, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                     _("The keyring of the practice in “%s” is not readable: %s"),
                     practice_dir, local_error->message);
      else
        g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                     _("The keyring of the practice in “%s” is damaged: %s"),
                     practice_dir, local_error->message);
      return NULL;
    }

  format = g_key_file_get_integer (self->main, GROUP_HEADER, "Format", NULL);
  self->key_id = g_key_file_get_string (self->main, GROUP_HEADER, "KeyId", NULL);
  if (format != FORMAT_VERSION || self->key_id == NULL)
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                   _("The keyring of the practice in “%s” is damaged or of an unknown format"),
                   practice_dir);
      return NULL;
    }

  /* The service slot is read only when it is used (load_service()): a
   * process that does not need it never holds its secret. */
  self->suffix = g_strdup (suffix);
  return g_steal_pointer (&self);
}

/* Reads the backup service's slot, which only the service's account should
 * be able to read. %FALSE with @error when it exists but cannot be read;
 * %TRUE with no slot loaded when there is none. */
static gboolean
load_service (ChKeyring *self,
              GError   **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GKeyFile) file = NULL;
  g_autoptr (GError) local_error = NULL;

  if (self->service != NULL)
    return TRUE;

  path = g_strconcat (self->dir, G_DIR_SEPARATOR_S SERVICE_FILE, self->suffix, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  file = g_key_file_new ();
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                   _("The backup service's key slot cannot be read: %s"), local_error->message);
      return FALSE;
    }

  self->service = g_steal_pointer (&file);
  return TRUE;
}

/**
 * ch_keyring_load:
 *
 * Returns: (transfer full): the practice's keyring, or %NULL with
 *   CH_KEYRING_ERROR_NOT_FOUND or CH_KEYRING_ERROR_CORRUPT
 */
ChKeyring *
ch_keyring_load (const char  *practice_dir,
                 GError     **error)
{
  return load_file (practice_dir, "", error);
}

/* A rekey writes the rewrapped keyring beside the old one first, then rekeys
 * the database, then promotes it: if the process dies in between, the next
 * login finds which of the two opens the database. */
ChKeyring *
ch_keyring_load_next (const char  *practice_dir,
                      GError     **error)
{
  return load_file (practice_dir, NEXT_SUFFIX, error);
}

gboolean
ch_keyring_has_next (const char *practice_dir)
{
  g_autofree char *path = g_strconcat (practice_dir, G_DIR_SEPARATOR_S KEYRING_FILE NEXT_SUFFIX,
                                       NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
save_with_suffix (ChKeyring  *self,
                  const char *suffix,
                  GError    **error)
{
  g_autofree char *main_name = g_strconcat (KEYRING_FILE, suffix, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (self->service != NULL && self->service_changed)
    {
      g_autofree char *service_name = g_strconcat (SERVICE_FILE, suffix, NULL);
      g_autofree char *service = g_key_file_to_data (self->service, &len, NULL);
      gboolean ok = atomic_write (self->dir, service_name, service, len, error);

      sodium_memzero (service, len);
      if (!ok)
        return FALSE;
    }

  data = g_key_file_to_data (self->main, &len, NULL);
  return atomic_write (self->dir, main_name, data, len, error);
}

/* Writes the keyring (and the service slot, when there is one) atomically. */
gboolean
ch_keyring_save (ChKeyring *self,
                 GError   **error)
{
  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  return save_with_suffix (self, "", error);
}

gboolean
ch_keyring_save_next (ChKeyring *self,
                      GError   **error)
{
  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  return save_with_suffix (self, NEXT_SUFFIX, error);
}

static gboolean
rename_durably (const char *dir,
                const char *from,
                const char *to,
                GError    **error)
{
  g_autofree char *from_path = g_build_filename (dir, from, NULL);
  g_autofree char *to_path = g_build_filename (dir, to, NULL);

  if (!g_file_test (from_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND,
                   _("The new keyring “%s” is missing"), from);
      return FALSE;
    }

  if (g_rename (from_path, to_path) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_IO,
                   _("Could not replace the keyring: %s"), g_strerror (saved));
      return FALSE;
    }

  sync_dir (dir);
  return TRUE;
}

/* Puts the keyring a rekey prepared in place of the old one. The service file goes
 * first: until the main file is replaced, the next login retries this. */
gboolean
ch_keyring_promote_next (const char *practice_dir,
                         GError    **error)
{
  g_autofree char *service_next = g_build_filename (practice_dir, SERVICE_FILE NEXT_SUFFIX, NULL);

  /* Only the main file is certain: a keyring may have no service slot, and
   * a promotion cut short may have moved the service file already. */
  if (g_file_test (service_next, G_FILE_TEST_EXISTS)
      && !rename_durably (practice_dir, SERVICE_FILE NEXT_SUFFIX, SERVICE_FILE, error))
    return FALSE;

  return rename_durably (practice_dir, KEYRING_FILE NEXT_SUFFIX, KEYRING_FILE, error);
}

/* Drops a prepared keyring that never took effect. */
void
ch_keyring_discard_next (const char *practice_dir)
{
  g_autofree char *main_path = g_build_filename (practice_dir, KEYRING_FILE NEXT_SUFFIX, NULL);
  g_autofree char *service_path = g_build_filename (practice_dir, SERVICE_FILE NEXT_SUFFIX, NULL);

  g_unlink (service_path);
  g_unlink (main_path);
}

const char *
ch_keyring_get_key_id (ChKeyring *self)
{
  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);

  return self->key_id;
}

/* The practice's name is kept in the clear here (it is not patient data), so
 * that the sign-in screen can greet with it.
 * Returns: (transfer full) (nullable) */
char *
ch_keyring_get_practice_name (ChKeyring *self)
{
  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);

  return g_key_file_get_string (self->main, GROUP_HEADER, "PracticeName", NULL);
}

void
ch_keyring_set_practice_name (ChKeyring  *self,
                              const char *name)
{
  g_return_if_fail (CH_IS_KEYRING (self));
  g_return_if_fail (name != NULL);

  g_key_file_set_string (self->main, GROUP_HEADER, "PracticeName", name);
}

/* ---- slots ----------------------------------------------------------------- */

static char *
user_group (const char *username)
{
  return g_strconcat (USER_PREFIX, username, NULL);
}

gboolean
ch_keyring_has_user (ChKeyring  *self,
                     const char *username)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  group = user_group (username);
  return g_key_file_has_group (self->main, group);
}

/* Returns: (transfer full): the user names that have a slot */
char **
ch_keyring_list_users (ChKeyring *self)
{
  g_auto (GStrv) groups = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);

  groups = g_key_file_get_groups (self->main, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], USER_PREFIX))
      g_strv_builder_add (builder, groups[i] + strlen (USER_PREFIX));

  return g_strv_builder_end (builder);
}

/* Writes a password slot for @master into @group. */
static gboolean
write_slot (ChKeyring      *self,
            const char     *group,
            const ChSecret *master,
            const char     *password,
            GError        **error)
{
  guint8 salt[crypto_pwhash_SALTBYTES];
  g_autoptr (ChSecret) pk = NULL;
  g_autoptr (ChSecret) k = ch_secret_new_random (crypto_secretbox_KEYBYTES);
  g_autofree char *salt_text = NULL;
  g_autofree char *key_box = NULL;
  g_autofree char *master_box = NULL;
  g_autofree char *escrow_box = NULL;
  const guint64 opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const gsize memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

  randombytes_buf (salt, sizeof salt);
  pk = password_key (group, password, salt, opslimit, memlimit, error);
  if (pk == NULL)
    return FALSE;

  salt_text = g_base64_encode (salt, sizeof salt);
  key_box = seal (k->data, k->len, pk->data);
  master_box = seal (master->data, master->len, k->data);
  escrow_box = seal (k->data, k->len, master->data);

  g_key_file_remove_group (self->main, group, NULL);
  g_key_file_set_string (self->main, group, "Kdf", KDF_NAME);
  g_key_file_set_uint64 (self->main, group, "OpsLimit", opslimit);
  g_key_file_set_uint64 (self->main, group, "MemLimit", memlimit);
  g_key_file_set_string (self->main, group, "Salt", salt_text);
  g_key_file_set_string (self->main, group, "Key", key_box);
  g_key_file_set_string (self->main, group, "Master", master_box);
  g_key_file_set_string (self->main, group, "Escrow", escrow_box);
  return TRUE;
}

static ChSecret *
check_master (ChKeyring *self,
              ChSecret  *master,
              GError   **error)
{
  g_autofree char *id = NULL;

  if (master == NULL)
    return NULL;

  id = ch_master_key_id (master);
  if (g_strcmp0 (id, ch_keyring_get_key_id (self)) != 0)
    {
      ch_secret_free (master);
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                           _("The keyring slot belongs to another key; the keyring was tampered with"));
      return NULL;
    }

  return master;
}

/* Opens the password slot @group. */
static ChSecret *
open_slot (ChKeyring  *self,
           const char *group,
           const char *password,
           GError    **error)
{
  g_autofree char *kdf = NULL;
  g_autofree char *salt_text = NULL;
  g_autofree guchar *salt = NULL;
  g_autofree char *key_box = NULL;
  g_autofree char *master_box = NULL;
  g_autoptr (ChSecret) pk = NULL;
  g_autoptr (ChSecret) k = NULL;
  ChSecret *master;
  guint64 opslimit;
  guint64 memlimit;
  gsize salt_len = 0;

  if (!g_key_file_has_group (self->main, group))
    {
      /* Spend the same time as a real attempt, so that timing does not tell
       * which user names exist. */
      guint8 dummy_salt[crypto_pwhash_SALTBYTES] = { 0 };
      g_autoptr (ChSecret) dummy = password_key (group, password, dummy_salt,
                                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, NULL);
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND,
                           _("Wrong user name or password"));
      return NULL;
    }

  kdf = g_key_file_get_string (self->main, group, "Kdf", NULL);
  opslimit = g_key_file_get_uint64 (self->main, group, "OpsLimit", NULL);
  memlimit = g_key_file_get_uint64 (self->main, group, "MemLimit", NULL);
  salt_text = g_key_file_get_string (self->main, group, "Salt", NULL);
  key_box = g_key_file_get_string (self->main, group, "Key", NULL);
  master_box = g_key_file_get_string (self->main, group, "Master", NULL);
  if (salt_text != NULL)
    salt = g_base64_decode (salt_text, &salt_len);

  /* Parameters below the interactive limits are refused, and absurd ones are
   * refused before they can exhaust memory. */
  if (g_strcmp0 (kdf, KDF_NAME) != 0 || salt_len != crypto_pwhash_SALTBYTES
      || opslimit < crypto_pwhash_OPSLIMIT_INTERACTIVE || opslimit > 64
      || memlimit < crypto_pwhash_MEMLIMIT_INTERACTIVE || memlimit > (G_GUINT64_CONSTANT (4) << 30)
      || key_box == NULL || master_box == NULL)
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                   _("The keyring slot “%s” is damaged"), group);
      return NULL;
    }

  pk = password_key (group, password, salt, opslimit, (gsize) memlimit, error);
  if (pk == NULL)
    return NULL;

  k = unseal (key_box, crypto_secretbox_KEYBYTES, pk->data);
  if (k == NULL)
    {
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD,
                           _("Wrong user name or password"));
      return NULL;
    }

  master = unseal (master_box, CH_MASTER_KEY_BYTES, k->data);
  if (master == NULL)
    {
      g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                   _("The keyring slot “%s” is damaged"), group);
      return NULL;
    }

  return check_master (self, master, error);
}

/**
 * ch_keyring_unlock_user:
 *
 * Returns: (transfer full): the master key, or %NULL with
 *   CH_KEYRING_ERROR_NOT_FOUND (no such slot), CH_KEYRING_ERROR_BAD_PASSWORD or
 *   CH_KEYRING_ERROR_CORRUPT
 */
ChSecret *
ch_keyring_unlock_user (ChKeyring  *self,
                        const char *username,
                        const char *password,
                        GError    **error)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);
  g_return_val_if_fail (username != NULL && password != NULL, NULL);

  group = user_group (username);
  return open_slot (self, group, password, error);
}

ChSecret *
ch_keyring_unlock_recovery (ChKeyring  *self,
                            const char *recovery_key,
                            GError    **error)
{
  g_autofree char *normal = NULL;
  ChSecret *master;

  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);

  normal = ch_keyring_normalize_recovery_key (recovery_key);
  if (normal == NULL)
    {
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD,
                           _("That is not a recovery key: it has 32 letters and digits in 8 groups"));
      return NULL;
    }

  master = open_slot (self, GROUP_RECOVERY, normal, error);
  sodium_memzero (normal, strlen (normal));
  if (master == NULL && error != NULL && *error != NULL
      && (*error)->code == CH_KEYRING_ERROR_BAD_PASSWORD)
    {
      g_clear_error (error);
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_BAD_PASSWORD,
                           _("The recovery key is wrong"));
    }
  return master;
}

ChSecret *
ch_keyring_unlock_service (ChKeyring *self,
                           GError   **error)
{
  g_autofree char *secret_text = NULL;
  g_autofree char *master_box = NULL;
  g_autofree guchar *secret = NULL;
  gsize secret_len = 0;
  ChSecret *master;

  g_return_val_if_fail (CH_IS_KEYRING (self), NULL);

  if (!load_service (self, error))
    return NULL;

  if (self->service == NULL)
    {
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_NOT_FOUND,
                           _("The practice has no key slot for the backup service"));
      return NULL;
    }

  secret_text = g_key_file_get_string (self->service, GROUP_SERVICE, "Secret", NULL);
  master_box = g_key_file_get_string (self->service, GROUP_SERVICE, "Master", NULL);
  if (secret_text != NULL)
    secret = g_base64_decode (secret_text, &secret_len);

  if (secret == NULL || secret_len != crypto_secretbox_KEYBYTES
      || (master = unseal (master_box, CH_MASTER_KEY_BYTES, secret)) == NULL)
    {
      if (secret != NULL)
        sodium_memzero (secret, secret_len);
      g_set_error_literal (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                           _("The backup service's key slot is damaged"));
      return NULL;
    }

  sodium_memzero (secret, secret_len);
  sodium_memzero (secret_text, strlen (secret_text));
  /* Not kept: the next use reads the file again. */
  if (!self->service_changed)
    g_clear_pointer (&self->service, g_key_file_unref);
  return check_master (self, master, error);
}

gboolean
ch_keyring_set_user (ChKeyring      *self,
                     const ChSecret *master,
                     const char     *username,
                     const char     *password,
                     GError        **error)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);
  g_return_val_if_fail (master != NULL && username != NULL && password != NULL, FALSE);

  group = user_group (username);
  return write_slot (self, group, master, password, error);
}

gboolean
ch_keyring_remove_user (ChKeyring  *self,
                        const char *username)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  group = user_group (username);
  return g_key_file_remove_group (self->main, group, NULL);
}

gboolean
ch_keyring_set_recovery (ChKeyring      *self,
                         const ChSecret *master,
                         const char     *recovery_key,
                         GError        **error)
{
  g_autofree char *normal = NULL;
  gboolean ok;

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  normal = ch_keyring_normalize_recovery_key (recovery_key);
  g_return_val_if_fail (normal != NULL, FALSE);

  ok = write_slot (self, GROUP_RECOVERY, master, normal, error);
  sodium_memzero (normal, strlen (normal));
  return ok;
}

/* Creates (or replaces) the backup service's slot: a random secret that opens
 * the master key, kept apart in a file only the service account reads. */
gboolean
ch_keyring_set_service (ChKeyring      *self,
                        const ChSecret *master,
                        GError        **error)
{
  g_autoptr (ChSecret) secret = ch_secret_new_random (crypto_secretbox_KEYBYTES);
  g_autofree char *secret_text = NULL;
  g_autofree char *master_box = NULL;
  g_autofree char *key_id = ch_master_key_id (master);

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  secret_text = g_base64_encode (secret->data, secret->len);
  master_box = seal (master->data, master->len, secret->data);

  g_clear_pointer (&self->service, g_key_file_unref);
  self->service = g_key_file_new ();
  g_key_file_set_comment (self->service, NULL, NULL,
                          " Charta backup service key slot: keep this file mode 0600,"
                          " readable by the backup service only.", NULL);
  g_key_file_set_string (self->service, GROUP_SERVICE, "KeyId", key_id);
  g_key_file_set_string (self->service, GROUP_SERVICE, "Secret", secret_text);
  g_key_file_set_string (self->service, GROUP_SERVICE, "Master", master_box);
  self->service_changed = TRUE;

  sodium_memzero (secret_text, strlen (secret_text));
  return TRUE;
}

/**
 * ch_keyring_rewrap:
 *
 * Rewraps every slot from @old_master to @new_master, through each slot's
 * escrow: nobody's password is needed. Saves nothing.
 */
gboolean
ch_keyring_rewrap (ChKeyring      *self,
                   const ChSecret *old_master,
                   const ChSecret *new_master,
                   GError        **error)
{
  g_auto (GStrv) groups = NULL;

  g_return_val_if_fail (CH_IS_KEYRING (self), FALSE);

  groups = g_key_file_get_groups (self->main, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *escrow = NULL;
      g_autofree char *master_box = NULL;
      g_autofree char *escrow_box = NULL;
      g_autoptr (ChSecret) k = NULL;

      if (g_str_equal (groups[i], GROUP_HEADER))
        continue;

      escrow = g_key_file_get_string (self->main, groups[i], "Escrow", NULL);
      k = unseal (escrow, crypto_secretbox_KEYBYTES, old_master->data);
      if (k == NULL)
        {
          g_set_error (error, CH_KEYRING_ERROR, CH_KEYRING_ERROR_CORRUPT,
                       _("The keyring slot “%s” is damaged"), groups[i]);
          return FALSE;
        }

      master_box = seal (new_master->data, new_master->len, k->data);
      escrow_box = seal (k->data, k->len, new_master->data);
      g_key_file_set_string (self->main, groups[i], "Master", master_box);
      g_key_file_set_string (self->main, groups[i], "Escrow", escrow_box);
    }

  if (!load_service (self, error)
      || (self->service != NULL && !ch_keyring_set_service (self, new_master, error)))
    return FALSE;

  g_free (self->key_id);
  self->key_id = ch_master_key_id (new_master);
  g_key_file_set_string (self->main, GROUP_HEADER, "KeyId", self->key_id);
  return TRUE;
}

/* ---- recovery keys ------------------------------------------------------- */

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Returns: (transfer full): a new random recovery key, 32 characters in 8
 * groups of 4 ("ABCD-EFGH-…"), to be shown once. Free it with g_free() after
 * wiping (sodium_memzero) it. */
char *
ch_keyring_generate_recovery_key (void)
{
  g_autoptr (ChSecret) raw = ch_secret_new_random (RECOVERY_BYTES);
  GString *out = g_string_sized_new (40);
  guint bits = 0;
  guint32 buffer = 0;
  guint n = 0;

  for (gsize i = 0; i < raw->len; i++)
    {
      buffer = (buffer << 8) | raw->data[i];
      bits += 8;
      while (bits >= 5)
        {
          if (n > 0 && n % 4 == 0)
            g_string_append_c (out, '-');
          g_string_append_c (out, base32_alphabet[(buffer >> (bits - 5)) & 31]);
          bits -= 5;
          n++;
        }
    }
  buffer = 0;

  return g_string_free (out, FALSE);
}

/* Returns: (transfer full) (nullable): the 32 characters of a recovery key as
 * typed, upper-cased, without separators, with 0/1/8 read as O/I/B; %NULL if
 * it cannot be one. */
char *
ch_keyring_normalize_recovery_key (const char *text)
{
  GString *out;

  if (text == NULL)
    return NULL;

  out = g_string_sized_new (32);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r')
        continue;
      if (c == '0')
        c = 'O';
      else if (c == '1')
        c = 'I';
      else if (c == '8')
        c = 'B';

      if (strchr (base32_alphabet, c) == NULL || c == '\0' || out->len >= 32)
        {
          sodium_memzero (out->str, out->len);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, c);
    }

  if (out->len != 32)
    {
      sodium_memzero (out->str, out->len);
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}
