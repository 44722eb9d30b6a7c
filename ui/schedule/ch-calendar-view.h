/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-schedule-db.h"

G_BEGIN_DECLS

/* The calendar's grid: one column a provider (a day) or a day (a week),
 * hours down the side, working time light and the rest shaded, each
 * appointment a block. Click selects, double-click (or Enter) opens an
 * appointment or books at an empty time; dragging a block moves it, dragging
 * its lower edge resizes it; the arrows move a cursor. The view only draws
 * and reports: the page owning it asks the controller. */

#define CH_TYPE_CALENDAR_VIEW (ch_calendar_view_get_type ())
G_DECLARE_FINAL_TYPE (ChCalendarView, ch_calendar_view, CH, CALENDAR_VIEW, GtkWidget)

typedef struct
{
  const char    *title;
  const char    *resource_id;   /* whose appointments it shows */
  gint64         day;           /* µs: the local midnight of its day */
  const ChHours *hours;         /* that weekday's spans (work and breaks) */
  guint          n_hours;
} ChCalendarColumn;

GtkWidget *ch_calendar_view_new              (void);
/* Copies @columns. */
void       ch_calendar_view_set_columns      (ChCalendarView         *self,
                                              const ChCalendarColumn *columns,
                                              guint                   n_columns);
/* @appointments: (element-type ChAppointment) (transfer none): kept, referenced */
void       ch_calendar_view_set_appointments (ChCalendarView         *self,
                                              GPtrArray              *appointments);
gint64     ch_calendar_view_get_selected     (ChCalendarView         *self);
void       ch_calendar_view_get_cursor       (ChCalendarView         *self,
                                              guint                  *out_column,
                                              int                    *out_minute);
void       ch_calendar_view_set_cursor       (ChCalendarView         *self,
                                              guint                   column,
                                              int                     minute);
/* Where @column and @minute are drawn (widget coordinates), for tests that
 * drag with the pointer. */
void       ch_calendar_view_point            (ChCalendarView         *self,
                                              guint                   column,
                                              int                     minute,
                                              double                 *out_x,
                                              double                 *out_y);
/* Runs a drag from (@x0, @y0) to (@x1, @y1) through the same code a
 * pointer drag runs. */
void       ch_calendar_view_drag             (ChCalendarView         *self,
                                              double                  x0,
                                              double                  y0,
                                              double                  x1,
                                              double                  y1);

G_END_DECLS
