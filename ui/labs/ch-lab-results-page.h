/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LAB_RESULTS_PAGE (ch_lab_results_page_get_type ())
G_DECLARE_FINAL_TYPE (ChLabResultsPage, ch_lab_results_page, CH, LAB_RESULTS_PAGE, AdwBin)

void        ch_lab_results_page_set_session  (ChLabResultsPage      *self,
                                              ChSession             *session);
void        ch_lab_results_page_load         (ChLabResultsPage      *self,
                                              const ChPatientRecord *patient);
void        ch_lab_results_page_reload       (ChLabResultsPage      *self);
void        ch_lab_results_page_clear        (ChLabResultsPage      *self);
gint64      ch_lab_results_page_get_patient_id (ChLabResultsPage    *self);
gboolean    ch_lab_results_page_get_busy     (ChLabResultsPage      *self);
gboolean    ch_lab_results_page_get_loaded   (ChLabResultsPage      *self);
GPtrArray  *ch_lab_results_page_get_results  (ChLabResultsPage      *self);
guint       ch_lab_results_page_get_n_shown  (ChLabResultsPage      *self);
void        ch_lab_results_page_set_filter   (ChLabResultsPage      *self,
                                              const char            *text,
                                              gboolean               abnormal_only);
GtkWidget  *ch_lab_results_page_open_document (ChLabResultsPage     *self,
                                               gint64                document_id);

G_END_DECLS
