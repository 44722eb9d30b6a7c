/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* User administration. Every call checks the session's permissions, changes
 * the database and the keyring together, and writes its audit entry in the
 * same transaction. */

GPtrArray *ch_users_list         (ChSession   *session,
                                  GError     **error);
gboolean   ch_users_add          (ChSession   *session,
                                  const char  *username,
                                  const char  *display_name,
                                  ChRole       role,
                                  const char  *password,
                                  GError     **error);
gboolean   ch_users_set_password (ChSession   *session,
                                  const char  *username,
                                  const char  *old_password,
                                  const char  *new_password,
                                  GError     **error);
gboolean   ch_users_disable      (ChSession   *session,
                                  const char  *username,
                                  GError     **error);
gboolean   ch_users_enable       (ChSession   *session,
                                  const char  *username,
                                  const char  *new_password,
                                  GError     **error);
gboolean   ch_users_set_role     (ChSession   *session,
                                  const char  *username,
                                  ChRole       role,
                                  GError     **error);

G_END_DECLS
