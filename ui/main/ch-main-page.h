/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-dicom-receiver.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_MAIN_PAGE (ch_main_page_get_type ())
G_DECLARE_FINAL_TYPE (ChMainPage, ch_main_page, CH, MAIN_PAGE, AdwBin)

GtkWidget  *ch_main_page_new                 (ChSession  *session);
ChSession  *ch_main_page_get_session         (ChMainPage *self);
void        ch_main_page_refresh             (ChMainPage *self);
char      **ch_main_page_dup_sections        (ChMainPage *self);
const char *ch_main_page_get_visible_section (ChMainPage *self);
void        ch_main_page_open_patient        (ChMainPage *self,
                                              gint64      patient_id);
GtkWidget  *ch_main_page_get_section_widget  (ChMainPage *self,
                                              const char *name);
ChDicomReceiver *ch_main_page_get_receiver   (ChMainPage *self);
const char *ch_main_page_get_receiver_error  (ChMainPage *self);
gboolean    ch_main_page_get_backup_banner   (ChMainPage *self);

G_END_DECLS
