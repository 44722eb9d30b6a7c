/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-practice.h"
#include "ch-roles.h"
#include "ch-store.h"

G_BEGIN_DECLS

#define CH_DEFAULT_IDLE_LOCK_MINUTES   10
#define CH_DEFAULT_BREAK_GLASS_MINUTES 60

#define CH_TYPE_SESSION (ch_session_get_type ())
G_DECLARE_FINAL_TYPE (ChSession, ch_session, CH, SESSION, GObject)

/* Login and its end. */
ChSession  *ch_session_login             (ChPractice   *practice,
                                          const char   *username,
                                          const char   *password,
                                          GError      **error);
ChSession  *ch_session_recover           (ChPractice   *practice,
                                          const char   *recovery_key,
                                          const char   *username,
                                          const char   *new_password,
                                          GError      **error);
/* The backup service (charta-backupd): the service key slot, no person. */
ChSession  *ch_session_open_service      (ChPractice   *practice,
                                          GError      **error);
gboolean    ch_session_get_is_service    (ChSession    *self);
void        ch_session_logout            (ChSession    *self);

/* Idle lock: wipes the key and closes the store; the same user resumes. */
void        ch_session_lock              (ChSession    *self);
gboolean    ch_session_unlock            (ChSession    *self,
                                          const char   *password,
                                          GError      **error);
gboolean    ch_session_get_locked        (ChSession    *self);
gboolean    ch_session_get_logged_out    (ChSession    *self);

/* Who, and what they may do. */
ChPractice *ch_session_get_practice      (ChSession    *self);
ChStore    *ch_session_get_store         (ChSession    *self);
const char *ch_session_get_username      (ChSession    *self);
const char *ch_session_get_display_name  (ChSession    *self);
ChRole      ch_session_get_role          (ChSession    *self);
gboolean    ch_session_can               (ChSession    *self,
                                          ChArea        area,
                                          ChAccess      access);
gboolean    ch_session_check             (ChSession    *self,
                                          ChArea        area,
                                          ChAccess      access,
                                          GError      **error);

/* Emergency access. */
gboolean    ch_session_break_glass       (ChSession    *self,
                                          const char   *reason,
                                          GError      **error);
gboolean    ch_session_get_break_glass   (ChSession    *self);
guint       ch_session_get_break_glass_minutes (ChSession *self);
GDateTime  *ch_session_get_break_glass_until (ChSession *self);

/* Writes one audit entry as this user (in the caller's transaction if one is open). */
gboolean    ch_session_audit             (ChSession    *self,
                                          const char   *action,
                                          const char   *object_type,
                                          const char   *object_id,
                                          gint64        patient_id,
                                          const char   *detail,
                                          GError      **error);

/* Practice settings. */
char       *ch_session_get_practice_name (ChSession    *self);
guint       ch_session_get_idle_lock_minutes (ChSession *self);
gboolean    ch_session_set_idle_lock_minutes (ChSession *self,
                                              guint      minutes,
                                              GError   **error);

/* Rotates the master key: rekeys the database and rewraps every slot. */
gboolean    ch_session_rekey             (ChSession    *self,
                                          GError      **error);

G_END_DECLS
