/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What "schedule list" prints: @appointments (element-type ChAppointment)
 * as table rows (header first) or as one JSON array. */
GPtrArray *ch_admin_appointment_rows  (GPtrArray *appointments);
char      *ch_admin_appointments_json (GPtrArray *appointments);

/* What "schedule find-slot" prints: @slots (element-type ChSlot). */
GPtrArray *ch_admin_slot_rows         (GPtrArray *slots);
char      *ch_admin_slots_json        (GPtrArray *slots);

/* What "schedule waitlist list" prints: @entries (element-type
 * ChWaitlistEntry), each with the open offer among @offers (element-type
 * ChWaitlistOffer) made to it, if any. */
GPtrArray *ch_admin_waitlist_rows     (GPtrArray *entries,
                                       GPtrArray *offers);
char      *ch_admin_waitlist_json     (GPtrArray *entries,
                                       GPtrArray *offers);

/* What "schedule recall list" prints: @recalls (element-type ChRecall). */
GPtrArray *ch_admin_recall_rows       (GPtrArray *recalls);
char      *ch_admin_recalls_json      (GPtrArray *recalls);

G_END_DECLS
