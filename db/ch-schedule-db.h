/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* ---- resources: providers and rooms -------------------------------------------- */

typedef struct
{
  char     *id;
  char     *kind;       /* provider, room */
  char     *name;
  char     *username;   /* nullable */
  char     *color;
  gboolean  active;
} ChResource;

ChResource *ch_resource_new  (void);
void        ch_resource_free (ChResource *resource);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChResource, ch_resource_free)

/* Inserts or replaces @resource. */
gboolean    ch_db_resource_put   (ChStore           *store,
                                  const ChResource  *resource,
                                  const char        *username,
                                  GError           **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChResource *ch_db_resource_get   (ChStore           *store,
                                  const char        *id,
                                  GError           **error);
/* @kind: (nullable): provider, room, or NULL for both.
 * Returns: (transfer full) (element-type ChResource): by name */
GPtrArray  *ch_db_resource_list  (ChStore           *store,
                                  const char        *kind,
                                  GError           **error);

/* A span of a weekday, in local minutes since midnight. */
typedef struct
{
  int      weekday;     /* 1 Monday … 7 Sunday */
  int      start_min;
  int      end_min;
  gboolean is_break;
} ChHours;

/* Replaces the hours of @resource_id on the weekdays of @weekdays (a bit
 * mask, 1 << weekday) with @hours. */
gboolean    ch_db_hours_replace  (ChStore           *store,
                                  const char        *resource_id,
                                  guint              weekdays,
                                  const ChHours     *hours,
                                  guint              n_hours,
                                  GError           **error);
/* Returns: (transfer full) (element-type ChHours): by weekday and start */
GArray     *ch_db_hours_list     (ChStore           *store,
                                  const char        *resource_id,
                                  GError           **error);

gboolean    ch_db_day_off_add    (ChStore           *store,
                                  const char        *resource_id,
                                  const char        *day,
                                  const char        *reason,
                                  GError           **error);
/* Whether @day (YYYY-MM-DD) is a day off for @resource_id or a practice holiday. */
gboolean    ch_db_day_off_check  (ChStore           *store,
                                  const char        *resource_id,
                                  const char        *day,
                                  gboolean          *out_off,
                                  GError           **error);

/* The days off between @from_day and @to_day (YYYY-MM-DD, inclusive), as
 * "resource_id|day" strings ("|day" for a practice holiday). */
GPtrArray  *ch_db_days_off_range (ChStore          *store,
                                  const char       *from_day,
                                  const char       *to_day,
                                  GError          **error);
typedef struct
{
  char *resource_id;   /* NULL: a practice holiday */
  char *day;           /* YYYY-MM-DD */
  char *reason;
} ChDayOff;

void        ch_day_off_free      (ChDayOff          *day_off);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDayOff, ch_day_off_free)

/* Returns: (transfer full) (element-type ChDayOff): the days off from
 * @from_day on, by day, practice holidays first */
GPtrArray  *ch_db_days_off_list  (ChStore          *store,
                                  const char       *from_day,
                                  GError          **error);
/* Removes @resource_id's (NULL: the practice's) day off on @day;
 * CH_STORE_ERROR_NOT_FOUND when there is none. */
gboolean    ch_db_day_off_remove (ChStore          *store,
                                  const char       *resource_id,
                                  const char       *day,
                                  GError          **error);

/* The provider of @patient_id's latest appointment before @before, not
 * cancelled. Returns: (transfer full) (nullable) */
char       *ch_db_last_provider  (ChStore          *store,
                                  gint64            patient_id,
                                  gint64            before,
                                  GError          **error);

/* ---- appointment types ------------------------------------------------------------ */

typedef struct
{
  gint64    id;
  char     *name;
  int       duration_min;
  char     *color;
  gboolean  allow_overbook;
  int       buffer_min;
  char     *providers;   /* comma-separated resource ids; "" any */
  gboolean  needs_room;
  char     *rooms;       /* comma-separated; "" any */
  gboolean  active;
} ChApptType;

ChApptType *ch_appt_type_new  (void);
void        ch_appt_type_free (ChApptType *type);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChApptType, ch_appt_type_free)

gboolean    ch_db_appt_type_insert (ChStore     *store,
                                    ChApptType  *type,
                                    GError     **error);
ChApptType *ch_db_appt_type_get    (ChStore     *store,
                                    gint64       id,
                                    GError     **error);
ChApptType *ch_db_appt_type_find   (ChStore     *store,
                                    const char  *name,
                                    GError     **error);
/* Returns: (transfer full) (element-type ChApptType): active ones, by name */
GPtrArray  *ch_db_appt_type_list   (ChStore     *store,
                                    GError     **error);

/* ---- appointments ---------------------------------------------------------------- */

typedef struct
{
  gint64    id;
  gint64    patient_id;
  char     *provider_id;
  char     *room_id;         /* nullable */
  gint64    type_id;
  gint64    start_at;        /* µs */
  int       duration_min;
  char     *reason;
  char     *notes;
  char     *status;
  char     *cancel_reason;
  gint64    series_id;       /* 0: none */
  gint64    occurrence_at;   /* 0: none */
  gboolean  detached;
  gint64    version;
  gint64    updated_at;
  char     *updated_by;
  /* As read with it, for lists: */
  char     *patient_name;    /* "Family, Given" */
  char     *patient_mrn;
  char     *type_name;
  char     *type_color;     /* nullable: "#rrggbb" */
  char     *provider_name;
} ChAppointment;

ChAppointment *ch_appointment_new  (void);
ChAppointment *ch_appointment_copy (const ChAppointment *appointment);
void           ch_appointment_free (ChAppointment       *appointment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChAppointment, ch_appointment_free)

/* Sets id, version, status (booked unless set) and writes the first status. */
gboolean       ch_db_appointment_insert  (ChStore        *store,
                                          ChAppointment  *appointment,
                                          const char     *username,
                                          GError        **error);
/* Rewrites the appointment if its version is the one read (else CONSTRAINT). */
gboolean       ch_db_appointment_update  (ChStore        *store,
                                          ChAppointment  *appointment,
                                          const char     *username,
                                          GError        **error);
ChAppointment *ch_db_appointment_get     (ChStore        *store,
                                          gint64          id,
                                          GError        **error);
/* Appointments starting in [@from, @to), of @resource_id as provider or room
 * (NULL: all), cancelled ones too when @with_cancelled.
 * Returns: (transfer full) (element-type ChAppointment): by start */
GPtrArray     *ch_db_appointment_range   (ChStore        *store,
                                          gint64          from,
                                          gint64          to,
                                          const char     *resource_id,
                                          gboolean        with_cancelled,
                                          GError        **error);
/* One booking as a search for free time needs it. */
typedef void (*ChBusyFunc) (const char *provider_id,
                            const char *room_id,    /* nullable */
                            gint64      start,
                            gint64      end,        /* with the type's buffer */
                            gpointer    user_data);

/* Calls @func for every booking (not cancelled) starting in [@from, @to), of
 * @resource_id as provider or room (NULL: all). */
gboolean       ch_db_busy_range          (ChStore        *store,
                                          gint64          from,
                                          gint64          to,
                                          const char     *resource_id,
                                          ChBusyFunc      func,
                                          gpointer        user_data,
                                          GError        **error);
/* A patient's appointments from @from on, not cancelled, at most @limit. */
GPtrArray     *ch_db_appointment_upcoming (ChStore       *store,
                                           gint64          patient_id,
                                           gint64          from,
                                           guint           limit,
                                           GError        **error);
/* The appointments of @series_id, by occurrence. */
GPtrArray     *ch_db_appointment_series  (ChStore        *store,
                                          gint64          series_id,
                                          GError        **error);
gboolean       ch_db_status_add          (ChStore        *store,
                                          gint64          appointment_id,
                                          const char     *status,
                                          const char     *note,
                                          const char     *username,
                                          GError        **error);
/* Returns: (transfer full) (element-type utf8): "status|µs|user|note", oldest first */
GPtrArray     *ch_db_status_history      (ChStore        *store,
                                          gint64          appointment_id,
                                          GError        **error);

gint64         ch_db_series_insert       (ChStore        *store,
                                          const char     *rrule,
                                          gint64          dtstart,
                                          const char     *username,
                                          GError        **error);
gboolean       ch_db_series_set_rule     (ChStore        *store,
                                          gint64          series_id,
                                          const char     *rrule,
                                          GError        **error);
/* Returns: (transfer full) (nullable): the series' rule */
char          *ch_db_series_get_rule     (ChStore        *store,
                                          gint64          series_id,
                                          gint64         *out_dtstart,
                                          GError        **error);

G_END_DECLS
