/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* ---- records --------------------------------------------------------------- */

typedef struct
{
  char *kind;    /* mobile, home, work, other */
  char *number;  /* as typed */
} ChPhone;

typedef struct
{
  char *system;  /* e.g. national-id, passport, old-mrn */
  char *value;
} ChIdentifier;

typedef struct
{
  gint64     id;
  char      *mrn;
  char      *given_name;
  char      *family_name;
  char      *preferred_name;
  char      *birth_date;        /* YYYY-MM-DD or NULL */
  char      *sex;               /* at birth: female, male, other, unknown */
  char      *gender_identity;
  char      *pronouns;
  char      *address_line;
  char      *city;
  char      *region;
  char      *postal_code;
  char      *country;
  char      *email;
  char      *language;          /* BCP 47 */
  char      *emergency_name;
  char      *emergency_relation;
  char      *emergency_phone;
  char      *primary_provider;  /* a user name */
  GBytes    *photo;             /* nullable */
  char      *status;            /* active, merged */
  gint64     merged_into;
  gint64     version;
  GPtrArray *phones;            /* (element-type ChPhone) (nullable) */
  GPtrArray *identifiers;       /* (element-type ChIdentifier) (nullable) */
} ChPatientRecord;

ChPatientRecord *ch_patient_record_new      (void);
void             ch_patient_record_free     (ChPatientRecord *record);
ChPatientRecord *ch_patient_record_copy     (const ChPatientRecord *record);
void             ch_patient_record_add_phone (ChPatientRecord *record,
                                              const char      *kind,
                                              const char      *number);
void             ch_patient_record_add_identifier (ChPatientRecord *record,
                                                   const char      *system,
                                                   const char      *value);
char            *ch_patient_record_display_name (const ChPatientRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPatientRecord, ch_patient_record_free)

/* What the search lists: enough to recognise a patient. */
typedef struct
{
  gint64  id;
  char   *mrn;
  char   *family_name;
  char   *given_name;
  char   *preferred_name;
  char   *birth_date;
  char   *sex;
  char   *phone;          /* the first one, or "" */
} ChPatientHit;

void             ch_patient_hit_free        (ChPatientHit *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPatientHit, ch_patient_hit_free)

typedef struct
{
  gint64  id;
  gint64  version;
  char   *snapshot;      /* GVariant text of the item as it was */
  char   *changed_by;
  gint64  changed_at;
  char   *reason;
} ChHistoryEntry;

void             ch_history_entry_free      (ChHistoryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChHistoryEntry, ch_history_entry_free)

typedef struct
{
  gint64  id;
  gint64  patient_id;
  int     priority;             /* 1 primary, 2 secondary, … */
  char   *payer;
  char   *plan;
  char   *member_id;
  char   *group_id;
  char   *subscriber_name;
  char   *subscriber_relation;  /* self, spouse, child, other */
  char   *start_date;           /* nullable */
  char   *end_date;             /* nullable */
  char   *status;               /* active, entered-in-error */
  gint64  version;
} ChPolicyRecord;

ChPolicyRecord  *ch_policy_record_new       (void);
void             ch_policy_record_free      (ChPolicyRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChPolicyRecord, ch_policy_record_free)

/* ---- patients ---------------------------------------------------------------- */

gboolean         ch_db_patient_insert       (ChStore          *store,
                                             ChPatientRecord  *record,
                                             GError          **error);
gboolean         ch_db_patient_update       (ChStore          *store,
                                             ChPatientRecord  *record,
                                             const char       *changed_by,
                                             const char       *reason,
                                             GError          **error);
ChPatientRecord *ch_db_patient_get          (ChStore          *store,
                                             gint64            id,
                                             GError          **error);
ChPatientRecord *ch_db_patient_get_by_mrn   (ChStore          *store,
                                             const char       *mrn,
                                             GError          **error);
gint64           ch_db_patient_count        (ChStore          *store,
                                             GError          **error);
GPtrArray       *ch_db_patient_find_name    (ChStore          *store,
                                             const char       *prefix,
                                             guint             limit,
                                             GError          **error);
GPtrArray       *ch_db_patient_find_duplicates (ChStore               *store,
                                                const ChPatientRecord *record,
                                                GError               **error);
GPtrArray       *ch_db_item_history         (ChStore          *store,
                                             const char       *item_type,
                                             gint64            item_id,
                                             GError          **error);
gboolean         ch_db_patient_search_ensure_index (ChStore   *store,
                                                    GError   **error);

/* ---- search -------------------------------------------------------------------- */

/* Where a search left off, to continue it (opaque). */
typedef struct _ChSearchCursor ChSearchCursor;

ChSearchCursor  *ch_search_cursor_new       (const char       *query);
void             ch_search_cursor_free      (ChSearchCursor   *cursor);
gboolean         ch_search_cursor_is_empty_query (ChSearchCursor *cursor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChSearchCursor, ch_search_cursor_free)

GPtrArray       *ch_db_patient_search       (ChStore          *store,
                                             ChSearchCursor   *cursor,
                                             guint             limit,
                                             gboolean         *out_more,
                                             GError          **error);
GPtrArray       *ch_db_patient_recent       (ChStore          *store,
                                             const char       *username,
                                             guint             limit,
                                             GError          **error);
gboolean         ch_db_patient_touch_recent (ChStore          *store,
                                             const char       *username,
                                             gint64            patient_id,
                                             GError          **error);

/* ---- insurance ------------------------------------------------------------------ */

gboolean         ch_db_policy_insert        (ChStore          *store,
                                             ChPolicyRecord   *record,
                                             const char       *changed_by,
                                             GError          **error);
gboolean         ch_db_policy_update        (ChStore          *store,
                                             ChPolicyRecord   *record,
                                             const char       *changed_by,
                                             const char       *reason,
                                             GError          **error);
ChPolicyRecord  *ch_db_policy_get           (ChStore          *store,
                                             gint64            id,
                                             GError          **error);
GPtrArray       *ch_db_policy_list          (ChStore          *store,
                                             gint64            patient_id,
                                             gboolean          include_errors,
                                             GError          **error);

char            *ch_phone_digits            (const char       *number);

G_END_DECLS
