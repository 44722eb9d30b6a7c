/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-keyring.h"

G_BEGIN_DECLS

#define CH_AUTH_ERROR (ch_auth_error_quark ())

typedef enum
{
  CH_AUTH_ERROR_FAILED,
  CH_AUTH_ERROR_NO_PRACTICE,        /* no practice in that folder */
  CH_AUTH_ERROR_EXISTS,             /* a practice is already there */
  CH_AUTH_ERROR_BAD_CREDENTIALS,    /* wrong user name or password */
  CH_AUTH_ERROR_THROTTLED,          /* too many failures; wait */
  CH_AUTH_ERROR_DISABLED,           /* the account is disabled */
  CH_AUTH_ERROR_PERMISSION_DENIED,  /* the role may not do this */
  CH_AUTH_ERROR_INVALID,            /* bad input: user name, password, reason … */
  CH_AUTH_ERROR_LOCKED,             /* the session is locked */
} ChAuthError;

GQuark ch_auth_error_quark (void);

#define CH_MIN_PASSWORD_LENGTH 8

typedef struct
{
  const char *name;       /* practice name, shown in the window */
  const char *address;    /* may be NULL */
  const char *admin_user;
  const char *admin_display_name;  /* may be NULL */
  const char *admin_password;
} ChPracticeSetup;

#define CH_TYPE_PRACTICE (ch_practice_get_type ())
G_DECLARE_FINAL_TYPE (ChPractice, ch_practice, CH, PRACTICE, GObject)

char       *ch_practice_default_dir  (void);
gboolean    ch_practice_exists       (const char             *dir);
ChPractice *ch_practice_create       (const char             *dir,
                                      const ChPracticeSetup  *setup,
                                      char                  **out_recovery_key,
                                      GError                **error);
ChPractice *ch_practice_open         (const char             *dir,
                                      GError                **error);
const char *ch_practice_get_dir      (ChPractice             *self);
char       *ch_practice_get_name     (ChPractice             *self);
char       *ch_practice_get_db_path  (ChPractice             *self);
ChKeyring  *ch_practice_get_keyring  (ChPractice             *self);
gboolean    ch_practice_reload_keyring (ChPractice           *self,
                                        GError              **error);

gboolean    ch_validate_username     (const char             *username,
                                      GError                **error);
gboolean    ch_validate_password     (const char             *password,
                                      GError                **error);

G_END_DECLS
