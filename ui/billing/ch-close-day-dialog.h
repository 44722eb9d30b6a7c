/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_CLOSE_DAY_DIALOG (ch_close_day_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChCloseDayDialog, ch_close_day_dialog, CH, CLOSE_DAY_DIALOG, AdwWindow)

/* Closes a day at the desk (issue 9's daily close): the day (today by
 * default), the drawer's opening float (the last close's by default), the
 * cash expected in it (float + the day's cash payments − its cash refunds,
 * worked out as the figures are typed), the cash counted, over or short,
 * and a note. A day closed before says so, and closing it again needs a
 * reason: the new close supersedes the old. Close Day asks where to save
 * the daily close PDF and records the close only if it could be written.
 * Preview saves the day's PDF without recording anything. Emits ::closed,
 * then closes. */
GtkWidget  *ch_close_day_dialog_new          (GtkWindow        *parent,
                                              ChSession        *session);
void        ch_close_day_dialog_set_day      (ChCloseDayDialog *self,
                                              const char       *day);
void        ch_close_day_dialog_set_float    (ChCloseDayDialog *self,
                                              const char       *text);
void        ch_close_day_dialog_set_counted  (ChCloseDayDialog *self,
                                              const char       *text);
void        ch_close_day_dialog_set_note     (ChCloseDayDialog *self,
                                              const char       *text);
void        ch_close_day_dialog_set_reason   (ChCloseDayDialog *self,
                                              const char       *text);
/* Closes the day with the PDF written to @path, as Close Day does once a
 * file is chosen (FALSE: the figures were refused; see get_error). */
gboolean    ch_close_day_dialog_close_to     (ChCloseDayDialog *self,
                                              GFile            *file);
/* Saves the preview PDF to @file, as Preview does once a file is chosen. */
void        ch_close_day_dialog_preview_to   (ChCloseDayDialog *self,
                                              GFile            *file);
/* The expected cash as shown ("" until worked out), and over or short. */
const char *ch_close_day_dialog_get_expected (ChCloseDayDialog *self);
const char *ch_close_day_dialog_get_difference (ChCloseDayDialog *self);
/* Whether the day shown was closed before (a reason is then asked). */
gboolean    ch_close_day_dialog_get_closed_before (ChCloseDayDialog *self);
gboolean    ch_close_day_dialog_get_busy     (ChCloseDayDialog *self);
const char *ch_close_day_dialog_get_error    (ChCloseDayDialog *self);

G_END_DECLS
