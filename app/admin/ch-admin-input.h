/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-secret.h"

G_BEGIN_DECLS

/* Longest password, or recovery key, that charta-admin accepts. */
#define CH_ADMIN_MAX_SECRET 1024

#define CH_ADMIN_ERROR (ch_admin_error_quark ())

typedef enum
{
  CH_ADMIN_ERROR_FAILED,
  CH_ADMIN_ERROR_NO_SECRET,  /* no file, no environment variable and no terminal */
  CH_ADMIN_ERROR_MISMATCH,   /* the two entries of a new password differ */
  CH_ADMIN_ERROR_USAGE,      /* bad command line: exit status 2 */
} ChAdminError;

GQuark    ch_admin_error_quark     (void);

/* Sets CH_ADMIN_ERROR_USAGE with @message (a bad command line: exit
 * status 2) and returns FALSE, for checks to return in one line. */
gboolean  ch_admin_usage           (GError     **error,
                                    const char  *message);

/* Each returns (transfer full) a NUL-terminated string in guarded memory
 * (read it as (const char *) secret->data), or NULL with @error set. */
ChSecret *ch_admin_read_secret_file (const char  *path,
                                     GError     **error);
ChSecret *ch_admin_prompt_secret    (const char  *prompt,
                                     GError     **error);
ChSecret *ch_admin_get_secret       (const char  *file,
                                     const char  *env_name,
                                     const char  *prompt,
                                     const char  *hint,
                                     GError     **error);
ChSecret *ch_admin_get_new_password (const char  *file,
                                     GError     **error);

G_END_DECLS
