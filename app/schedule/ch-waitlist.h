/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-schedule.h"
#include "ch-session.h"
#include "ch-waitlist-db.h"

G_BEGIN_DECLS

/* The waitlist: patients who want an earlier slot, first come first served.
 * When an appointment is cancelled, marked a no-show, moved away or
 * shortened, the time it frees is offered to the first waiting patient whose
 * wishes fit (type, provider, days, times, range, earlier than the booking
 * they have); the front desk calls them and accepts or declines the offer. A
 * declined offer passes to the next who fits. Reads need scheduling read
 * access, changes scheduling write access; every change is audited. */

#define CH_WAITLIST_ERROR (ch_waitlist_error_quark ())

typedef enum
{
  CH_WAITLIST_ERROR_STATE,     /* the entry or offer is no longer open */
  CH_WAITLIST_ERROR_TAKEN,     /* the offered time is no longer free */
  CH_WAITLIST_ERROR_PASSED,    /* the offered time has begun or passed */
  CH_WAITLIST_ERROR_DUPLICATE, /* the patient already waits for that type */
} ChWaitlistError;

GQuark      ch_waitlist_error_quark  (void);

/* Puts a patient on the waitlist: @entry (id 0) with patient, type and, as
 * they wish, provider, the appointment to move earlier, a range of days,
 * weekdays and times of day, and a note. Sets its id and status "waiting". */
gboolean    ch_waitlist_add          (ChSession        *session,
                                      ChWaitlistEntry  *entry,
                                      GError          **error);
/* @status: (nullable): NULL for those waiting or offered a slot, "all", or
 * one of waiting, offered, booked, removed.
 * Returns: (transfer full) (element-type ChWaitlistEntry): oldest first */
GPtrArray  *ch_waitlist_list         (ChSession        *session,
                                      const char       *status,
                                      GError          **error);
/* Returns: (transfer full) */
ChWaitlistEntry *ch_waitlist_get     (ChSession        *session,
                                      gint64            entry_id,
                                      GError          **error);
/* Takes a waiting or offered entry off the list (@reason optional); an open
 * offer it had passes to the next patient who fits. */
gboolean    ch_waitlist_remove       (ChSession        *session,
                                      gint64            entry_id,
                                      const char       *reason,
                                      GError          **error);

/* The offers still open, for the front desk to call: by start.
 * Returns: (transfer full) (element-type ChWaitlistOffer) */
GPtrArray  *ch_waitlist_list_offers  (ChSession        *session,
                                      GError          **error);
/* Returns: (transfer full) */
ChWaitlistOffer *ch_waitlist_get_offer (ChSession      *session,
                                        gint64          offer_id,
                                        GError        **error);
/* The patient took it: books the offered time through ch_schedule_book()
 * (@flags as there: CH_SCHEDULE_ERROR_OUTSIDE_HOURS asks to confirm), cancels
 * the appointment the entry wanted moved earlier ("moved earlier from
 * waitlist"), and marks the entry booked — all or nothing. A time taken in
 * the meantime is CH_WAITLIST_ERROR_TAKEN, one begun CH_WAITLIST_ERROR_PASSED;
 * nothing changes then.
 * @out_appointment_id: (out) (optional): what was booked */
gboolean    ch_waitlist_accept       (ChSession        *session,
                                      gint64            offer_id,
                                      guint             flags,
                                      gint64           *out_appointment_id,
                                      GError          **error);
/* The patient does not want it (@note optional): they wait on, and the time
 * is offered to the next patient who fits. */
gboolean    ch_waitlist_decline      (ChSession        *session,
                                      gint64            offer_id,
                                      const char       *note,
                                      GError          **error);
/* Closes the open offers whose time has begun or been taken meanwhile,
 * putting their patients back to waiting.
 * @out_expired: (out) (optional): how many */
gboolean    ch_waitlist_expire_offers (ChSession       *session,
                                       guint           *out_expired,
                                       GError         **error);

/* Returns: the status (of an entry or an offer) as people read it, translated */
const char *ch_waitlist_status_label (const char       *status);

G_END_DECLS
