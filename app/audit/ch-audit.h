/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-records.h"
#include "ch-store.h"

G_BEGIN_DECLS

#define CH_AUDIT_ERROR (ch_audit_error_quark ())

typedef enum
{
  CH_AUDIT_ERROR_FAILED,
  CH_AUDIT_ERROR_BROKEN,  /* the chain does not verify; the message names the entry */
} ChAuditError;

/* Actions, as stored. */
#define CH_AUDIT_LOGIN           "login"
#define CH_AUDIT_LOGOUT          "logout"
#define CH_AUDIT_LOGIN_FAILED    "login-failed"
#define CH_AUDIT_LOCK            "lock"
#define CH_AUDIT_UNLOCK          "unlock"
#define CH_AUDIT_VIEW            "view"
#define CH_AUDIT_CREATE          "create"
#define CH_AUDIT_UPDATE          "update"
#define CH_AUDIT_DELETE          "delete"
#define CH_AUDIT_PRINT           "print"
#define CH_AUDIT_EXPORT          "export"
#define CH_AUDIT_BREAK_GLASS     "break-glass"
#define CH_AUDIT_USER_ADD        "user-add"
#define CH_AUDIT_USER_DISABLE    "user-disable"
#define CH_AUDIT_USER_ENABLE     "user-enable"
#define CH_AUDIT_USER_ROLE       "user-role"
#define CH_AUDIT_PASSWORD        "password-change"
#define CH_AUDIT_RECOVERY        "recovery"
#define CH_AUDIT_REKEY           "rekey"
#define CH_AUDIT_SETTINGS        "settings"
#define CH_AUDIT_PRACTICE_CREATE "practice-create"
#define CH_AUDIT_SIGN            "sign"
#define CH_AUDIT_ALERT           "alert"      /* drug alerts shown */
#define CH_AUDIT_OVERRIDE        "override"   /* a drug alert overridden or silenced */

GQuark              ch_audit_error_quark  (void);

const char * const *ch_audit_actions      (void);
const char         *ch_audit_action_label (const char          *action);

gboolean            ch_audit_append       (ChStore             *store,
                                           const char          *username,
                                           const char          *role,
                                           const char          *action,
                                           const char          *object_type,
                                           const char          *object_id,
                                           gint64               patient_id,
                                           const char          *detail,
                                           GError             **error);
gboolean            ch_audit_append_at    (ChStore             *store,
                                           gint64               ts,
                                           const char          *username,
                                           const char          *role,
                                           const char          *action,
                                           const char          *object_type,
                                           const char          *object_id,
                                           gint64               patient_id,
                                           const char          *detail,
                                           GError             **error);
gboolean            ch_audit_check_anchor (ChStore             *store,
                                           const char          *anchor,
                                           const char          *where,
                                           GError             **error);
gboolean            ch_audit_verify       (ChStore             *store,
                                           gint64              *out_n_entries,
                                           GError             **error);
void                ch_audit_compute_hash (const ChAuditRecord *record,
                                           guint8              *out_hash);
gboolean            ch_audit_write_csv    (ChStore             *store,
                                           const ChAuditFilter *filter,
                                           GOutputStream       *stream,
                                           GCancellable        *cancellable,
                                           GError             **error);
char               *ch_audit_format_time  (gint64               ts);

G_END_DECLS
