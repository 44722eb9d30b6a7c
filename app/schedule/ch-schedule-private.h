/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-schedule.h"

G_BEGIN_DECLS

/* Between the scheduling controllers (app/schedule/) only. */

/* Whether @appointment could be booked now with @flags, as ch_schedule_book()
 * checks it (patient, provider, type, room, working hours, double-booking),
 * without booking it. No permission check: the caller has made it. */
gboolean ch_schedule_check_booking (ChSession            *session,
                                    const ChAppointment  *appointment,
                                    guint                 flags,
                                    GError              **error);

/* Offers the time @was held and @now no longer holds (all of it when @now
 * is NULL: cancelled or a no-show) to the waitlist, in the caller's
 * transaction, after the change is written. */
gboolean ch_waitlist_offer_freed   (ChSession            *session,
                                    const ChAppointment  *was,
                                    const ChAppointment  *now,
                                    GError              **error);

G_END_DECLS
