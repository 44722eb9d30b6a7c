/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* One patient in a list: what identifies them at a glance. */
#define CH_TYPE_PATIENT_ITEM (ch_patient_item_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientItem, ch_patient_item, CH, PATIENT_ITEM, GObject)

gint64      ch_patient_item_get_id          (ChPatientItem *self);
const char *ch_patient_item_get_mrn         (ChPatientItem *self);
const char *ch_patient_item_get_name        (ChPatientItem *self);  /* "Family, Given (Preferred)" */
const char *ch_patient_item_get_birth_date  (ChPatientItem *self);  /* YYYY-MM-DD or "" */
const char *ch_patient_item_get_age         (ChPatientItem *self);  /* "42 y", "7 mo", "" */
const char *ch_patient_item_get_sex         (ChPatientItem *self);
const char *ch_patient_item_get_phone       (ChPatientItem *self);
const char *ch_patient_item_get_summary     (ChPatientItem *self);  /* "MRN · born … · sex · phone" */

/* The patient search as a lazy, growing GListModel of ChPatientItem: setting
 * the query fetches the first page; the list grows by pages when the view
 * asks for the item past the end (ch_patient_list_model_load_more). An empty
 * query lists the user's recent patients. Needs demographics read access. */
#define CH_TYPE_PATIENT_LIST_MODEL (ch_patient_list_model_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientListModel, ch_patient_list_model, CH, PATIENT_LIST_MODEL, GObject)

ChPatientListModel *ch_patient_list_model_new       (ChSession          *session,
                                                     GError            **error);
gboolean            ch_patient_list_model_set_query (ChPatientListModel *self,
                                                     const char         *query,
                                                     GError            **error);
const char         *ch_patient_list_model_get_query (ChPatientListModel *self);
gboolean            ch_patient_list_model_get_has_more (ChPatientListModel *self);
gboolean            ch_patient_list_model_load_more (ChPatientListModel *self,
                                                     GError            **error);

char               *ch_patient_age_text            (const char         *birth_date,
                                                     GDateTime          *now);

G_END_DECLS
