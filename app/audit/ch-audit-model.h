/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* One audit entry, for list views. */
#define CH_TYPE_AUDIT_ENTRY (ch_audit_entry_get_type ())
G_DECLARE_FINAL_TYPE (ChAuditEntry, ch_audit_entry, CH, AUDIT_ENTRY, GObject)

gint64      ch_audit_entry_get_id           (ChAuditEntry *self);
gint64      ch_audit_entry_get_timestamp    (ChAuditEntry *self);
const char *ch_audit_entry_get_time         (ChAuditEntry *self);  /* local, "YYYY-MM-DD HH:MM:SS" */
const char *ch_audit_entry_get_username     (ChAuditEntry *self);
const char *ch_audit_entry_get_role         (ChAuditEntry *self);
const char *ch_audit_entry_get_action       (ChAuditEntry *self);
const char *ch_audit_entry_get_action_label (ChAuditEntry *self);
const char *ch_audit_entry_get_object       (ChAuditEntry *self);  /* "type id" */
gint64      ch_audit_entry_get_patient_id   (ChAuditEntry *self);
const char *ch_audit_entry_get_detail       (ChAuditEntry *self);

/* The audit trail as a lazy GListModel of ChAuditEntry, newest first: rows are
 * paged from the database as the view asks for them, so a million entries
 * cost a count and the pages on screen. Creating one needs audit read access. */
#define CH_TYPE_AUDIT_MODEL (ch_audit_model_get_type ())
G_DECLARE_FINAL_TYPE (ChAuditModel, ch_audit_model, CH, AUDIT_MODEL, GObject)

ChAuditModel *ch_audit_model_new        (ChSession           *session,
                                         GError             **error);
void          ch_audit_model_set_filter (ChAuditModel        *self,
                                         const ChAuditFilter *filter);
void          ch_audit_model_reload     (ChAuditModel        *self);
gboolean      ch_audit_model_export_csv (ChAuditModel        *self,
                                         GOutputStream       *stream,
                                         GCancellable        *cancellable,
                                         GError             **error);
GPtrArray    *ch_audit_model_list_usernames (ChAuditModel    *self,
                                             GError         **error);
gboolean      ch_audit_model_verify     (ChAuditModel        *self,
                                         gint64              *out_n_entries,
                                         GError             **error);

G_END_DECLS
