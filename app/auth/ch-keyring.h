/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-secret.h"

G_BEGIN_DECLS

#define CH_MASTER_KEY_BYTES 32

#define CH_KEYRING_ERROR (ch_keyring_error_quark ())

typedef enum
{
  CH_KEYRING_ERROR_FAILED,
  CH_KEYRING_ERROR_NOT_FOUND,     /* no keyring, or no slot of that name */
  CH_KEYRING_ERROR_BAD_PASSWORD,  /* the password (or recovery key) does not open the slot */
  CH_KEYRING_ERROR_CORRUPT,       /* unreadable or tampered with */
  CH_KEYRING_ERROR_IO,
} ChKeyringError;

#define CH_TYPE_KEYRING (ch_keyring_get_type ())
G_DECLARE_FINAL_TYPE (ChKeyring, ch_keyring, CH, KEYRING, GObject)

GQuark      ch_keyring_error_quark           (void);

gboolean    ch_keyring_exists                (const char      *practice_dir);
ChKeyring  *ch_keyring_new                   (const char      *practice_dir,
                                              const ChSecret  *master);
ChKeyring  *ch_keyring_load                  (const char      *practice_dir,
                                              GError         **error);
ChKeyring  *ch_keyring_load_next             (const char      *practice_dir,
                                              GError         **error);
gboolean    ch_keyring_has_next              (const char      *practice_dir);
gboolean    ch_keyring_promote_next          (const char      *practice_dir,
                                              GError         **error);
void        ch_keyring_discard_next          (const char      *practice_dir);
gboolean    ch_keyring_save                  (ChKeyring       *self,
                                              GError         **error);
gboolean    ch_keyring_save_next             (ChKeyring       *self,
                                              GError         **error);

const char *ch_keyring_get_key_id            (ChKeyring       *self);
char       *ch_keyring_get_practice_name     (ChKeyring       *self);
void        ch_keyring_set_practice_name     (ChKeyring       *self,
                                              const char      *name);
gboolean    ch_keyring_has_user              (ChKeyring       *self,
                                              const char      *username);
char      **ch_keyring_list_users            (ChKeyring       *self);

ChSecret   *ch_keyring_unlock_user           (ChKeyring       *self,
                                              const char      *username,
                                              const char      *password,
                                              GError         **error);
ChSecret   *ch_keyring_unlock_recovery       (ChKeyring       *self,
                                              const char      *recovery_key,
                                              GError         **error);
ChSecret   *ch_keyring_unlock_service        (ChKeyring       *self,
                                              GError         **error);

gboolean    ch_keyring_set_user              (ChKeyring       *self,
                                              const ChSecret  *master,
                                              const char      *username,
                                              const char      *password,
                                              GError         **error);
gboolean    ch_keyring_remove_user           (ChKeyring       *self,
                                              const char      *username);
gboolean    ch_keyring_set_recovery          (ChKeyring       *self,
                                              const ChSecret  *master,
                                              const char      *recovery_key,
                                              GError         **error);
gboolean    ch_keyring_set_service           (ChKeyring       *self,
                                              const ChSecret  *master,
                                              GError         **error);
gboolean    ch_keyring_rewrap                (ChKeyring       *self,
                                              const ChSecret  *old_master,
                                              const ChSecret  *new_master,
                                              GError         **error);

char       *ch_keyring_generate_recovery_key (void);
char       *ch_keyring_normalize_recovery_key (const char     *text);

/* Subkeys of the master key (crypto_kdf), one per use. */
typedef enum
{
  CH_SUBKEY_DATABASE  = 1,
  CH_SUBKEY_DOCUMENTS = 2,
  CH_SUBKEY_BACKUP    = 3,
} ChSubkey;

ChSecret   *ch_master_derive                 (const ChSecret  *master,
                                              ChSubkey         which);
char       *ch_master_key_id                 (const ChSecret  *master);

G_END_DECLS
