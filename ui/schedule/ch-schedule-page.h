/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_SCHEDULE_PAGE (ch_schedule_page_get_type ())
G_DECLARE_FINAL_TYPE (ChSchedulePage, ch_schedule_page, CH, SCHEDULE_PAGE, AdwBin)

GtkWidget *ch_schedule_page_new          (ChSession      *session);
void       ch_schedule_page_reload       (ChSchedulePage *self);
gboolean   ch_schedule_page_get_busy     (ChSchedulePage *self);
/* For tests: the calendar, the day shown (µs, local midnight), the appointments loaded. */
GtkWidget *ch_schedule_page_get_calendar (ChSchedulePage *self);
void       ch_schedule_page_set_day      (ChSchedulePage *self,
                                          gint64          day);
GPtrArray *ch_schedule_page_get_appointments (ChSchedulePage *self);
/* For tests: day sheets print into @path (a PDF) instead of to a printer. */
void       ch_schedule_page_set_print_export (ChSchedulePage *self,
                                              const char     *path);

G_END_DECLS
