/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-audit-model.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_AUDIT_PAGE (ch_audit_page_get_type ())
G_DECLARE_FINAL_TYPE (ChAuditPage, ch_audit_page, CH, AUDIT_PAGE, AdwBin)

GtkWidget    *ch_audit_page_new        (ChSession   *session);
ChAuditModel *ch_audit_page_get_model  (ChAuditPage *self);
gboolean      ch_audit_page_get_busy   (ChAuditPage *self);
void          ch_audit_page_export_to  (ChAuditPage *self,
                                        GFile       *file);

G_END_DECLS
