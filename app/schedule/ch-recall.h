/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-session.h"
#include "ch-schedule-db.h"
#include "ch-waitlist-db.h"

G_BEGIN_DECLS

/* The recall list: patients due for a follow-up, an annual exam, an
 * immunization or something else, with the date, to call. Each call is
 * recorded; a recall is then booked (with the appointment), done or
 * cancelled. Reads need scheduling read access, changes scheduling write
 * access; every change is audited. */

#define CH_RECALL_ERROR (ch_recall_error_quark ())

typedef enum
{
  CH_RECALL_ERROR_STATE,      /* done or cancelled already, or not open for that */
  CH_RECALL_ERROR_DUPLICATE,  /* an open recall for the same vaccine exists */
} ChRecallError;

GQuark     ch_recall_error_quark (void);

/* Adds @recall (id 0): patient, kind (follow-up, annual-exam, immunization,
 * other), due date (YYYY-MM-DD), and optionally reason, provider and, for an
 * immunization, the vaccine group (code) and dose. Sets id and status "due". */
gboolean   ch_recall_add        (ChSession   *session,
                                 ChRecall    *recall,
                                 GError     **error);
/* The recalls due from @from_day to @to_day (YYYY-MM-DD, inclusive). Both
 * NULL: those overdue and due in the next 30 days. @status NULL for the open
 * ones (due, contacted), "all", or one status.
 * Returns: (transfer full) (element-type ChRecall): by due date */
GPtrArray *ch_recall_list       (ChSession   *session,
                                 const char  *from_day,
                                 const char  *to_day,
                                 const char  *status,
                                 GError     **error);
/* Returns: (transfer full) */
ChRecall  *ch_recall_get        (ChSession   *session,
                                 gint64       recall_id,
                                 GError     **error);
/* Records a call (or a message) about an open recall, with what came of it;
 * a due recall becomes "contacted". */
gboolean   ch_recall_contact    (ChSession   *session,
                                 gint64       recall_id,
                                 const char  *note,
                                 GError     **error);
/* Returns: (transfer full) (element-type ChRecallContact): oldest first */
GPtrArray *ch_recall_contacts   (ChSession   *session,
                                 gint64       recall_id,
                                 GError     **error);
/* Books @appointment (with @rrule, a series) for @recall_id and marks the
 * recall booked, in one transaction: both or neither. Errors as
 * ch_schedule_book(), ch_schedule_book_series() and ch_recall_book().
 * Returns: the appointment's id (the first of a series), or 0 */
gint64     ch_recall_book_new   (ChSession      *session,
                                 gint64          recall_id,
                                 ChAppointment  *appointment,
                                 const char     *rrule,
                                 guint           flags,
                                 GError        **error);
/* The patient is booked for it: @appointment_id must be theirs and not
 * cancelled. */
gboolean   ch_recall_book       (ChSession   *session,
                                 gint64       recall_id,
                                 gint64       appointment_id,
                                 GError     **error);
/* Closes an open (or booked) recall as "done" or "cancelled", @note saying
 * why (needed to cancel). */
gboolean   ch_recall_close      (ChSession   *session,
                                 gint64       recall_id,
                                 const char  *status,
                                 const char  *note,
                                 GError     **error);
/* Adds an immunization recall for each routine dose (as the chart summary
 * lists them due, ch_immunizations_due()) that a patient will be due for
 * within @horizon_days, unless one for that vaccine is still open or that
 * dose's was closed within the year. Needs clinical read access besides
 * scheduling write access; all in one transaction.
 * @out_created: (out) (optional): how many were added */
gboolean   ch_recall_generate_immunizations (ChSession  *session,
                                             int         horizon_days,
                                             guint      *out_created,
                                             GError    **error);

/* Returns: the kind or status as people read it, translated */
const char *ch_recall_kind_label   (const char *kind);
const char *ch_recall_status_label (const char *status);

G_END_DECLS
