/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_PATIENTS_PAGE (ch_patients_page_get_type ())
G_DECLARE_FINAL_TYPE (ChPatientsPage, ch_patients_page, CH, PATIENTS_PAGE, AdwBin)

GtkWidget  *ch_patients_page_new              (ChSession      *session);
GListModel *ch_patients_page_get_results      (ChPatientsPage *self);
GtkWidget  *ch_patients_page_get_patient_view (ChPatientsPage *self);
const char *ch_patients_page_get_visible      (ChPatientsPage *self);
gboolean    ch_patients_page_get_busy         (ChPatientsPage *self);
void        ch_patients_page_open_patient     (ChPatientsPage *self,
                                               gint64          patient_id);

G_END_DECLS
