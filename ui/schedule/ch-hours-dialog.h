/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_HOURS_DIALOG (ch_hours_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChHoursDialog, ch_hours_dialog, CH, HOURS_DIALOG, AdwWindow)

/* The working hours of each provider and room, day by day, and the days off
 * ahead (theirs and the practice's holidays): changed here, kept by the
 * controller. Emits "changed" after each change, for the calendar to read
 * again.
 * @resources: (element-type ChResource): the providers and rooms, copied */
GtkWidget *ch_hours_dialog_new      (GtkWindow     *parent,
                                     ChSession     *session,
                                     GPtrArray     *resources);
gboolean   ch_hours_dialog_get_busy (ChHoursDialog *self);

G_END_DECLS
