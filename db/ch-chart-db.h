/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* One coded item of a chart section. */
typedef struct
{
  gint64    id;
  gint64    patient_id;
  char     *section;          /* problem, history, allergy, medication, immunization, vital, lab */
  char     *kind;
  char     *code_system;
  char     *code;
  char     *display;
  gboolean  has_value;
  double    value_num;
  char     *value_text;
  char     *unit;
  gboolean  has_range;
  double    ref_low;
  double    ref_high;
  char     *flag;
  char     *severity;
  char     *reaction;
  char     *clinical_status;
  char     *start_date;       /* nullable */
  char     *end_date;         /* nullable */
  gint64    effective_at;     /* µs since the epoch */
  GVariant *details;          /* a{sv} (nullable) */
  gint64    encounter_id;     /* 0: none */
  char     *status;           /* active, entered-in-error */
  gint64    version;
  gint64    recorded_at;
  char     *recorded_by;
} ChChartItem;

ChChartItem *ch_chart_item_new   (const char        *section);
ChChartItem *ch_chart_item_copy  (const ChChartItem *item);
void         ch_chart_item_free  (ChChartItem       *item);
const char  *ch_chart_item_get_detail (const ChChartItem *item,
                                       const char        *key);
void         ch_chart_item_set_detail (ChChartItem       *item,
                                       const char        *key,
                                       const char        *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChChartItem, ch_chart_item_free)

typedef struct
{
  gint64  id;
  gint64  patient_id;
  gint64  start_at;
  char   *provider;
  char   *kind;
  char   *reason;
  char   *status;
  gint64  version;
} ChEncounterRecord;

ChEncounterRecord *ch_encounter_record_new  (void);
void               ch_encounter_record_free (ChEncounterRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChEncounterRecord, ch_encounter_record_free)

/* A progress note. */
typedef struct
{
  gint64     id;
  gint64     patient_id;
  gint64     encounter_id;
  char      *kind;            /* soap, free */
  char      *title;
  char      *subjective;
  char      *objective;
  char      *assessment;
  char      *plan;
  char      *body;
  char      *author;
  char      *author_role;
  gint64     created_at;
  char      *state;           /* draft, signed, entered-in-error */
  gint64     signed_at;
  gboolean   cosign_required;
  gint64     cosigned_at;
  char      *cosigned_by;
  char      *error_reason;
  gint64     version;
  GPtrArray *addenda;         /* (element-type ChAddendum) oldest first (nullable) */
} ChNoteRecord;

typedef struct
{
  gint64  id;
  char   *author;
  gint64  created_at;
  char   *text;
} ChAddendum;

ChNoteRecord *ch_note_record_new  (void);
void          ch_note_record_free (ChNoteRecord *note);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChNoteRecord, ch_note_record_free)

gboolean      ch_db_note_insert    (ChStore       *store,
                                    ChNoteRecord  *note,
                                    GError       **error);
gboolean      ch_db_note_update_draft (ChStore    *store,
                                       ChNoteRecord *note,
                                       GError    **error);
gboolean      ch_db_note_set_state (ChStore       *store,
                                    ChNoteRecord  *note,
                                    GError       **error);
ChNoteRecord *ch_db_note_get       (ChStore       *store,
                                    gint64         id,
                                    GError       **error);
GPtrArray    *ch_db_note_list      (ChStore       *store,
                                    gint64         patient_id,
                                    guint          limit,
                                    GError       **error);
gboolean      ch_db_note_add_addendum (ChStore    *store,
                                       gint64      note_id,
                                       const char *author,
                                       const char *text,
                                       gint64     *out_id,
                                       GError    **error);

gboolean     ch_db_chart_insert        (ChStore           *store,
                                        ChChartItem       *item,
                                        const char        *changed_by,
                                        GError           **error);
/* The same, for a record brought from another system: @recorded_at (µs,
 * UTC) is when it was first recorded there — history an import must keep —
 * or 0 for now. */
gboolean     ch_db_chart_insert_recorded (ChStore         *store,
                                          ChChartItem     *item,
                                          const char      *changed_by,
                                          gint64           recorded_at,
                                          GError         **error);
gboolean     ch_db_chart_update        (ChStore           *store,
                                        ChChartItem       *item,
                                        const char        *changed_by,
                                        const char        *reason,
                                        GError           **error);
ChChartItem *ch_db_chart_get           (ChStore           *store,
                                        gint64             id,
                                        GError           **error);
GPtrArray   *ch_db_chart_list          (ChStore           *store,
                                        gint64             patient_id,
                                        const char        *section,
                                        gboolean           include_errors,
                                        guint              limit,
                                        GError           **error);
GPtrArray   *ch_db_chart_latest_per_code (ChStore         *store,
                                          gint64           patient_id,
                                          const char      *section,
                                          guint            per_code,
                                          GError         **error);
GPtrArray   *ch_db_chart_series        (ChStore           *store,
                                        gint64             patient_id,
                                        const char        *section,
                                        const char        *code,
                                        GError           **error);
char        *ch_db_chart_flag_get      (ChStore           *store,
                                        gint64             patient_id,
                                        const char        *flag,
                                        GError           **error);
gboolean     ch_db_chart_flag_set      (ChStore           *store,
                                        gint64             patient_id,
                                        const char        *flag,
                                        const char        *value,
                                        const char        *changed_by,
                                        GError           **error);

gboolean     ch_db_patient_merge       (ChStore           *store,
                                        gint64             from_id,
                                        gint64             into_id,
                                        const char        *changed_by,
                                        const char        *reason,
                                        gint64            *out_merge_id,
                                        GError           **error);
gboolean     ch_db_patient_unmerge     (ChStore           *store,
                                        gint64             from_id,
                                        const char        *changed_by,
                                        gint64            *out_into_id,
                                        GError           **error);

gboolean     ch_db_encounter_insert    (ChStore           *store,
                                        ChEncounterRecord *record,
                                        const char        *changed_by,
                                        GError           **error);
GPtrArray   *ch_db_encounter_list      (ChStore           *store,
                                        gint64             patient_id,
                                        guint              limit,
                                        GError           **error);

G_END_DECLS
