/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Plain records that db/ reads and writes. All SQL stays in db/; callers see
 * these structs and functions named for what they do. */

#include "ch-store.h"
#include "ch-patient-db.h"
#include "ch-chart-db.h"

G_BEGIN_DECLS

#define CH_AUDIT_HASH_BYTES 32

/* ---- settings ---------------------------------------------------------- */

char         *ch_db_setting_get        (ChStore     *store,
                                        const char  *key,
                                        GError     **error);
gboolean      ch_db_setting_set        (ChStore     *store,
                                        const char  *key,
                                        const char  *value,
                                        GError     **error);

/* ---- users ------------------------------------------------------------- */

typedef struct
{
  gint64    id;
  char     *username;
  char     *display_name;
  char     *role;
  gboolean  disabled;
  gint64    created_at;
} ChUserRecord;

void          ch_user_record_free      (ChUserRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChUserRecord, ch_user_record_free)

gboolean      ch_db_user_insert        (ChStore     *store,
                                        const char  *username,
                                        const char  *display_name,
                                        const char  *role,
                                        gint64      *out_id,
                                        GError     **error);
ChUserRecord *ch_db_user_lookup        (ChStore     *store,
                                        const char  *username,
                                        GError     **error);
GPtrArray    *ch_db_user_list          (ChStore     *store,
                                        GError     **error);
gboolean      ch_db_user_set_role      (ChStore     *store,
                                        const char  *username,
                                        const char  *role,
                                        GError     **error);
gboolean      ch_db_user_set_disabled  (ChStore     *store,
                                        const char  *username,
                                        gboolean     disabled,
                                        GError     **error);
gint64        ch_db_user_count_active  (ChStore     *store,
                                        const char  *role,
                                        GError     **error);

/* ---- audit ------------------------------------------------------------- */

typedef struct
{
  gint64  id;
  gint64  ts;           /* microseconds since the epoch, UTC */
  char   *username;
  char   *role;
  char   *action;
  char   *object_type;
  char   *object_id;
  gint64  patient_id;   /* 0: none */
  char   *detail;
  guint8  prev_hash[CH_AUDIT_HASH_BYTES];
  guint8  hash[CH_AUDIT_HASH_BYTES];
} ChAuditRecord;

void           ch_audit_record_free    (ChAuditRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChAuditRecord, ch_audit_record_free)

typedef struct
{
  const char *username;   /* NULL: any */
  const char *action;     /* NULL: any */
  gint64      patient_id; /* 0: any */
  gint64      from_ts;    /* 0: open */
  gint64      to_ts;      /* 0: open; exclusive */
} ChAuditFilter;

typedef gboolean (*ChAuditRecordFunc) (const ChAuditRecord *record,
                                       gpointer             user_data);

gboolean       ch_db_audit_last        (ChStore             *store,
                                        gint64              *out_id,
                                        guint8              *out_hash,
                                        GError             **error);
gboolean       ch_db_audit_hash_at     (ChStore             *store,
                                        gint64               id,
                                        guint8              *out_hash,
                                        gboolean            *out_found,
                                        GError             **error);
gboolean       ch_db_audit_insert      (ChStore             *store,
                                        const ChAuditRecord *record,
                                        GError             **error);
gboolean       ch_db_audit_foreach     (ChStore             *store,
                                        ChAuditRecordFunc    func,
                                        gpointer             user_data,
                                        GError             **error);
gint64         ch_db_audit_count       (ChStore             *store,
                                        const ChAuditFilter *filter,
                                        GError             **error);
GPtrArray     *ch_db_audit_page        (ChStore             *store,
                                        const ChAuditFilter *filter,
                                        gint64               offset,
                                        guint                limit,
                                        GError             **error);
GPtrArray     *ch_db_audit_page_before (ChStore             *store,
                                        const ChAuditFilter *filter,
                                        gint64               before_id,
                                        guint                limit,
                                        GError             **error);
GPtrArray     *ch_db_audit_usernames   (ChStore             *store,
                                        GError             **error);

G_END_DECLS
