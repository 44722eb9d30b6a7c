/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-backup.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_BACKUP_PAGE (ch_backup_page_get_type ())
G_DECLARE_FINAL_TYPE (ChBackupPage, ch_backup_page, CH, BACKUP_PAGE, AdwBin)

GtkWidget *ch_backup_page_new         (ChSession    *session);
void       ch_backup_page_reload      (ChBackupPage *self);
gboolean   ch_backup_page_get_busy    (ChBackupPage *self);
gboolean   ch_backup_page_get_overdue (ChBackupPage *self);
const char *ch_backup_page_get_summary (ChBackupPage *self);
const char *ch_backup_page_get_failure (ChBackupPage *self);

/* Whether the last good backup (finished at @last_ok_unix, 0 for none) is
 * overdue at @now_unix; and a sentence saying so for a banner (transfer
 * full) when @out_message is given. */
gboolean   ch_backup_overdue          (gint64        last_ok_unix,
                                       gint64        now_unix,
                                       char        **out_message);

G_END_DECLS
