/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* ---- the waitlist ------------------------------------------------------------------ */

/* A patient waiting for an earlier slot, and what they would take. */
typedef struct
{
  gint64    id;
  gint64    patient_id;
  gint64    type_id;
  char     *provider_id;     /* nullable: any provider who sees the type */
  gint64    appointment_id;  /* 0: none; else the booking they want moved earlier */
  char     *earliest_day;    /* nullable: YYYY-MM-DD, from today */
  char     *latest_day;      /* nullable: YYYY-MM-DD, no limit */
  guint     weekdays;        /* bit mask, 1 << 1 Monday … 1 << 7 Sunday; 0 any day */
  int       from_min;        /* local minutes the appointment may start from … */
  int       to_min;          /* … and must end by; 0 and 0: any time */
  char     *note;
  char     *status;          /* waiting, offered, booked, removed */
  gint64    booked_id;       /* 0, or the appointment an accepted offer booked */
  gint64    version;
  gint64    created_at;      /* µs: first come, first served */
  char     *created_by;
  gint64    updated_at;
  char     *updated_by;
  /* As read with it, for lists: */
  char     *patient_name;    /* "Family, Given" */
  char     *patient_mrn;
  char     *patient_phone;   /* the first one, or "" */
  char     *type_name;
  int       type_minutes;
  char     *provider_name;   /* nullable */
  gint64    appointment_start;  /* µs, 0: no current appointment */
} ChWaitlistEntry;

ChWaitlistEntry *ch_waitlist_entry_new  (void);
ChWaitlistEntry *ch_waitlist_entry_copy (const ChWaitlistEntry *entry);
void             ch_waitlist_entry_free (ChWaitlistEntry       *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChWaitlistEntry, ch_waitlist_entry_free)

/* Sets id, version, status (waiting unless set) and the times. */
gboolean         ch_db_waitlist_insert     (ChStore           *store,
                                            ChWaitlistEntry   *entry,
                                            const char        *username,
                                            GError           **error);
/* Sets the status (and booked_id) of @entry if its version is the one read
 * (else CH_STORE_ERROR_CONSTRAINT); bumps the version. */
gboolean         ch_db_waitlist_set_status (ChStore           *store,
                                            ChWaitlistEntry   *entry,
                                            const char        *status,
                                            gint64             booked_id,
                                            const char        *username,
                                            GError           **error);
/* Returns: (transfer full) (nullable): NULL with CH_STORE_ERROR_NOT_FOUND */
ChWaitlistEntry *ch_db_waitlist_get        (ChStore           *store,
                                            gint64             id,
                                            GError           **error);
/* @status: (nullable): NULL for those still waiting or offered a slot, "all"
 * for every entry, else one status.
 * Returns: (transfer full) (element-type ChWaitlistEntry): oldest first */
GPtrArray       *ch_db_waitlist_list       (ChStore           *store,
                                            const char        *status,
                                            GError           **error);
/* The entries waiting (not offered) that have not already declined time of
 * @provider_id overlapping [@from, @until), oldest first. */
GPtrArray       *ch_db_waitlist_candidates (ChStore           *store,
                                            const char        *provider_id,
                                            gint64             from,
                                            gint64             until,
                                            GError           **error);
/* Whether @patient_id is waiting (or has an offer) for @type_id already. */
gboolean         ch_db_waitlist_has_active (ChStore           *store,
                                            gint64             patient_id,
                                            gint64             type_id,
                                            gboolean          *out_has,
                                            GError           **error);

/* ---- offers ------------------------------------------------------------------------ */

typedef struct
{
  gint64    id;
  gint64    entry_id;
  char     *provider_id;
  char     *room_id;         /* nullable */
  gint64    start_at;        /* µs */
  int       duration_min;
  gint64    free_from;       /* µs: the freed span the slot was found in */
  gint64    free_until;
  char     *free_room_id;    /* nullable: the room freed with it */
  char     *status;          /* open, accepted, declined, expired */
  gint64    appointment_id;  /* 0, or what accepting booked */
  char     *note;
  gint64    created_at;
  char     *created_by;
  gint64    closed_at;       /* 0 while open */
  char     *closed_by;       /* nullable */
  /* As read with it, for lists: */
  gint64    patient_id;
  char     *patient_name;
  char     *patient_mrn;
  char     *patient_phone;
  gint64    type_id;
  char     *type_name;
  char     *provider_name;
} ChWaitlistOffer;

ChWaitlistOffer *ch_waitlist_offer_new  (void);
void             ch_waitlist_offer_free (ChWaitlistOffer *offer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChWaitlistOffer, ch_waitlist_offer_free)

/* Sets id, status open and created_*. */
gboolean         ch_db_offer_insert        (ChStore           *store,
                                            ChWaitlistOffer   *offer,
                                            const char        *username,
                                            GError           **error);
/* Closes an open offer as accepted (with @appointment_id), declined or
 * expired; CH_STORE_ERROR_CONSTRAINT if it was no longer open. */
gboolean         ch_db_offer_close         (ChStore           *store,
                                            gint64             offer_id,
                                            const char        *status,
                                            gint64             appointment_id,
                                            const char        *note,
                                            const char        *username,
                                            GError           **error);
ChWaitlistOffer *ch_db_offer_get           (ChStore           *store,
                                            gint64             offer_id,
                                            GError           **error);
/* @status: (nullable): NULL for every offer, else one status.
 * Returns: (transfer full) (element-type ChWaitlistOffer): by start */
GPtrArray       *ch_db_offer_list          (ChStore           *store,
                                            const char        *status,
                                            GError           **error);
/* The open offer made to @entry_id. Returns: (transfer full) (nullable):
 * NULL without an error when there is none */
ChWaitlistOffer *ch_db_offer_open_for      (ChStore           *store,
                                            gint64             entry_id,
                                            GError           **error);
/* Whether an open offer of @provider_id's time overlaps [@from, @until). */
gboolean         ch_db_offer_overlaps      (ChStore           *store,
                                            const char        *provider_id,
                                            gint64             from,
                                            gint64             until,
                                            gboolean          *out_overlaps,
                                            GError           **error);

/* ---- recalls ----------------------------------------------------------------------- */

typedef struct
{
  gint64    id;
  gint64    patient_id;
  char     *kind;            /* follow-up, annual-exam, immunization, other */
  char     *due_date;        /* YYYY-MM-DD */
  char     *reason;
  char     *provider_id;     /* nullable */
  char     *code;            /* nullable; immunization: the vaccine group */
  int       dose;            /* immunization: the dose of its series, else 0 */
  char     *status;          /* due, contacted, booked, done, cancelled */
  gint64    appointment_id;  /* 0, or the booking made for it */
  char     *outcome;         /* why done or cancelled */
  gint64    version;
  gint64    created_at;
  char     *created_by;
  gint64    updated_at;
  char     *updated_by;
  /* As read with it, for lists: */
  char     *patient_name;
  char     *patient_mrn;
  char     *patient_phone;
  char     *provider_name;   /* nullable */
  guint     n_contacts;
  gint64    last_contact_at; /* µs, 0: never */
  char     *last_contact_note;
} ChRecall;

ChRecall *ch_recall_new  (void);
void      ch_recall_free (ChRecall *recall);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChRecall, ch_recall_free)

typedef struct
{
  gint64  id;
  gint64  recall_id;
  gint64  at;     /* µs */
  char   *by;
  char   *note;
} ChRecallContact;

void      ch_recall_contact_free (ChRecallContact *contact);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChRecallContact, ch_recall_contact_free)

/* Sets id, version, status (due unless set) and the times. */
gboolean   ch_db_recall_insert      (ChStore      *store,
                                     ChRecall     *recall,
                                     const char   *username,
                                     GError      **error);
/* Writes status, appointment_id and outcome if the version is the one read
 * (else CH_STORE_ERROR_CONSTRAINT); bumps the version. */
gboolean   ch_db_recall_update      (ChStore      *store,
                                     ChRecall     *recall,
                                     const char   *username,
                                     GError      **error);
ChRecall  *ch_db_recall_get         (ChStore      *store,
                                     gint64        id,
                                     GError      **error);
/* Recalls due from @from_day to @to_day (YYYY-MM-DD, inclusive; NULL: no
 * bound); @status NULL for the open ones (due, contacted), "all", or one.
 * Returns: (transfer full) (element-type ChRecall): by due date */
GPtrArray *ch_db_recall_list        (ChStore      *store,
                                     const char   *from_day,
                                     const char   *to_day,
                                     const char   *status,
                                     GError      **error);
gboolean   ch_db_recall_contact_add (ChStore      *store,
                                     gint64        recall_id,
                                     const char   *note,
                                     const char   *username,
                                     GError      **error);
/* Returns: (transfer full) (element-type ChRecallContact): oldest first */
GPtrArray *ch_db_recall_contacts    (ChStore      *store,
                                     gint64        recall_id,
                                     GError      **error);
/* Whether @patient_id has an immunization recall for @code that is still
 * open (due, contacted, booked), or one for dose @dose closed since @since (µs). */
gboolean   ch_db_recall_has_immunization (ChStore    *store,
                                          gint64      patient_id,
                                          const char *code,
                                          int         dose,
                                          gint64      since,
                                          gboolean   *out_has,
                                          GError    **error);

/* A patient as recall generation needs them. */
typedef struct
{
  gint64 id;
  char   birth_date[11];   /* YYYY-MM-DD */
} ChBirthday;

/* Returns: (transfer full) (element-type ChBirthday): the active patients with
 * a birth date, by id */
GArray    *ch_db_recall_birthdays   (ChStore      *store,
                                     GError      **error);

G_END_DECLS
