/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-schedule-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Scheduling's controller: providers and rooms with their working hours,
 * appointment types, and appointments — booked, moved, recurring, and taken
 * through their statuses. Reads need scheduling read access, changes
 * scheduling write access; every change is audited, nothing is deleted. */

#define CH_SCHEDULE_ERROR (ch_schedule_error_quark ())

typedef enum
{
  CH_SCHEDULE_ERROR_CONFLICT,       /* the provider or room is taken then */
  CH_SCHEDULE_ERROR_OUTSIDE_HOURS,  /* not within working hours: confirm to book anyway */
  CH_SCHEDULE_ERROR_RULE,           /* not a recurrence rule Charta can follow */
  CH_SCHEDULE_ERROR_STATE,          /* cancelled, or a status that cannot follow */
  CH_SCHEDULE_ERROR_OVERBOOK,       /* taken, but the type may double-book: confirm to book anyway */
} ChScheduleError;

GQuark ch_schedule_error_quark (void);

/* What the person booking confirmed after being asked. */
typedef enum
{
  CH_BOOK_CONFIRM_OVERBOOK      = 1 << 0,  /* double-book, where the type allows it */
  CH_BOOK_CONFIRM_OUTSIDE_HOURS = 1 << 1,
} ChBookFlags;

/* Which occurrences of a recurring appointment a change applies to. */
typedef enum
{
  CH_SCOPE_THIS,
  CH_SCOPE_FOLLOWING,   /* this one and those after it */
  CH_SCOPE_ALL,
} ChEditScope;

/* ---- providers, rooms, hours ---------------------------------------------------- */

/* Adds or changes a provider or room. Its id is made of a-z, 0-9, '.', '-', '_'. */
gboolean    ch_schedule_put_resource   (ChSession         *session,
                                        const ChResource  *resource,
                                        GError           **error);
/* @kind: (nullable): provider, room, or NULL for both.
 * Returns: (transfer full) (element-type ChResource) */
GPtrArray  *ch_schedule_list_resources (ChSession         *session,
                                        const char        *kind,
                                        GError           **error);
/* Sets the hours of @resource_id on every weekday in @weekdays (bit mask,
 * 1 << 1 Monday … 1 << 7 Sunday): @hours with weekday 0 are repeated for
 * each of those days. An empty @hours makes them days off. */
gboolean    ch_schedule_set_hours      (ChSession         *session,
                                        const char        *resource_id,
                                        guint              weekdays,
                                        const ChHours     *hours,
                                        guint              n_hours,
                                        GError           **error);
/* Returns: (transfer full) (element-type ChHours) */
GArray     *ch_schedule_get_hours      (ChSession         *session,
                                        const char        *resource_id,
                                        GError           **error);
/* @resource_id: (nullable): NULL for a practice holiday */
gboolean    ch_schedule_add_day_off    (ChSession         *session,
                                        const char        *resource_id,
                                        const char        *day,
                                        const char        *reason,
                                        GError           **error);
/* Returns: (transfer full) (element-type ChDayOff): days off and practice
 * holidays from @from_day (YYYY-MM-DD) on, by day */
GPtrArray  *ch_schedule_list_days_off  (ChSession         *session,
                                        const char        *from_day,
                                        GError           **error);
/* @resource_id: (nullable): NULL for a practice holiday */
gboolean    ch_schedule_remove_day_off (ChSession         *session,
                                        const char        *resource_id,
                                        const char        *day,
                                        GError           **error);
/* Parses "mon,tue,fri" or "mon-fri" into a weekday mask. */
gboolean    ch_schedule_parse_days     (const char        *text,
                                        guint             *out_weekdays);
/* Parses "HH:MM-HH:MM" into minutes. */
gboolean    ch_schedule_parse_times    (const char        *text,
                                        int               *out_start_min,
                                        int               *out_end_min);

/* ---- appointment types ---------------------------------------------------------- */

gboolean    ch_schedule_add_type       (ChSession         *session,
                                        ChApptType        *type,
                                        GError           **error);
/* Returns: (transfer full) (element-type ChApptType): by name */
GPtrArray  *ch_schedule_list_types     (ChSession         *session,
                                        GError           **error);
ChApptType *ch_schedule_find_type      (ChSession         *session,
                                        const char        *name,
                                        GError           **error);

/* ---- appointments --------------------------------------------------------------- */

/* Books @appointment (id 0): the provider, room and type must exist; a
 * provider's or room's time already taken is CH_SCHEDULE_ERROR_CONFLICT
 * unless the type allows overbooking and @flags confirm it; a time outside
 * working hours (or on a day off) is CH_SCHEDULE_ERROR_OUTSIDE_HOURS unless
 * confirmed. Sets its id, version and status "booked". */
gboolean    ch_schedule_book           (ChSession         *session,
                                        ChAppointment     *appointment,
                                        guint              flags,
                                        GError           **error);
/* Books a recurring appointment: @appointment's start is the first
 * occurrence, @rrule an RFC 5545 RRULE ("FREQ=WEEKLY;COUNT=6"); occurrences
 * up to a year ahead are booked (at most 500), each checked as in
 * ch_schedule_book(), all or none.
 * @out_count: (out) (optional): how many were booked
 * Returns: the series' id, or 0 */
gint64      ch_schedule_book_series    (ChSession         *session,
                                        ChAppointment     *appointment,
                                        const char        *rrule,
                                        guint              flags,
                                        guint             *out_count,
                                        GError           **error);
/* Changes an appointment (@changed: as read, with new start, duration,
 * provider, room, type, reason or notes) — for a recurring one, this
 * occurrence, this and the following, or all of them: start times move by
 * the same amount. Checked as a booking is, all or none. */
gboolean    ch_schedule_change         (ChSession         *session,
                                        const ChAppointment *changed,
                                        ChEditScope        scope,
                                        guint              flags,
                                        GError           **error);
/* Cancels (with a reason) one appointment, or this and the following or all
 * of its series. */
gboolean    ch_schedule_cancel         (ChSession         *session,
                                        gint64             appointment_id,
                                        const char        *reason,
                                        ChEditScope        scope,
                                        GError           **error);
/* Moves an appointment on: confirmed, arrived, in-room, done, no-show (and
 * back to booked); each change time-stamped. */
gboolean    ch_schedule_set_status     (ChSession         *session,
                                        gint64             appointment_id,
                                        const char        *status,
                                        const char        *note,
                                        GError           **error);
ChAppointment *ch_schedule_get         (ChSession         *session,
                                        gint64             appointment_id,
                                        GError           **error);
/* @resource_id: (nullable): one provider's or room's, or everyone's.
 * Returns: (transfer full) (element-type ChAppointment): those starting in
 * [@from, @to), cancelled ones left out, by start */
GPtrArray  *ch_schedule_list           (ChSession         *session,
                                        gint64             from,
                                        gint64             to,
                                        const char        *resource_id,
                                        GError           **error);
/* Returns: (transfer full) (element-type utf8): "status|µs|user|note" lines, oldest first */
GPtrArray  *ch_schedule_status_history (ChSession         *session,
                                        gint64             appointment_id,
                                        GError           **error);

/* ---- finding a slot ---------------------------------------------------------------- */

typedef struct
{
  gint64      type_id;
  gint64      patient_id;    /* 0: no preference or continuity to weigh */
  const char *provider_id;   /* NULL: any provider who sees the type */
  guint       weekdays;      /* bit mask (1 << 1 Monday …); 0: any day */
  int         from_min;      /* time of day the appointment may start from … */
  int         to_min;        /* … and must end by, local minutes; 0 and 0: any */
  gint64      from;          /* µs: the range searched, [from, to) */
  gint64      to;
  guint       count;         /* at most this many */
  int         step_min;      /* starts on multiples of this (default 15) */
} ChSlotQuery;

typedef struct
{
  gint64  start;
  char   *provider_id;
  char   *room_id;           /* nullable: the room it would use */
  int     duration_min;
} ChSlot;

void        ch_slot_free               (ChSlot            *slot);

/* The best free slots for an appointment of the query's type: within
 * working hours and clear of breaks, days off, bookings (with buffers) and,
 * where the type needs one, with a free room. Ranked earliest first, then
 * the patient's own provider first, then the provider they saw last.
 * Returns: (transfer full) (element-type ChSlot) (nullable) */
GPtrArray  *ch_schedule_find_slots     (ChSession         *session,
                                        const ChSlotQuery *query,
                                        GError           **error);

/* Returns: the status as people read it, translated */
const char *ch_schedule_status_label   (const char        *status);

G_END_DECLS
