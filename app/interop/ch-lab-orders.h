/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-hl7.h"
#include "ch-lab-order-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* Laboratory orders out: HL7 v2.5.1 ORM^O01 messages for tests ordered from
 * a chart, written to a folder the lab's interface engine reads, or sent to
 * it over MLLP.
 *
 * An order is stored first (pending, with the next placer number, audited),
 * then sent to the practice's destination: accepted (a file written, or an
 * MLLP acknowledgement AA) makes it "sent"; refused (AE/AR, with the lab's
 * reason), unreachable, or no destination set makes it "failed" with why.
 * A failed order is kept and can be sent again (ch_lab_orders_resend()).
 * Cancelling one the lab has sends the cancellation (ORC-1 CA) too. The
 * lab's results (ORU^R01) name the order by its placer number in OBR-2:
 * ch-labs.c links each report to its test and the order becomes partial,
 * then resulted.
 *
 * The message: MSH (sending application "Charta", the practice as sending
 * facility, the lab as set with ch_lab_orders_set_settings()), PID (the MRN
 * in PID-3 with type MR, name, birth date, sex, address, phone), PV1
 * (outpatient), then for each test ORC (NW or CA, the placer number, the
 * ordering provider, when), TQ1 (priority), OBR (the placer number, the
 * test as code^text^system, priority, clinical information, specimen), the
 * note as NTE after the first OBR and the chart's active ICD-10 problems as
 * DG1.
 *
 * Permissions: ordering and cancelling need write access to the clinical
 * record and to prescribing (a physician); sending again write access to
 * the clinical record; listing read access to it; setting the destination
 * write access to users (office manager, administrator). */

#define CH_LAB_ORDERS_ERROR (ch_lab_orders_error_quark ())

typedef enum
{
  CH_LAB_ORDERS_ERROR_FAILED,
  CH_LAB_ORDERS_ERROR_NOT_FOUND,   /* no such order */
  CH_LAB_ORDERS_ERROR_STATE,       /* not in a state that allows it */
  CH_LAB_ORDERS_ERROR_INVALID,     /* bad input: no test, a bad code, a bad target … */
} ChLabOrdersError;

/* How long a lab has to acknowledge an order sent over MLLP. */
#define CH_LAB_ORDERS_TIMEOUT_SECONDS 30

/* The longest test code, text, note and reason accepted, in characters. */
#define CH_LAB_ORDERS_MAX_CODE  50
#define CH_LAB_ORDERS_MAX_TEXT  200
#define CH_LAB_ORDERS_MAX_NOTE  2000
#define CH_LAB_ORDERS_MAX_TESTS 50

GQuark      ch_lab_orders_error_quark     (void);

/**
 * ch_lab_orders_parse_test:
 * @spec: "CODE^TEXT[^SYSTEM]", as the command line takes it
 *
 * Reads one test. Without a system a code of LOINC's form (digits, a dash,
 * a check digit) is "LN", any other the lab's own ("L").
 *
 * Returns: (transfer full) (nullable): the test, or NULL with
 *   CH_LAB_ORDERS_ERROR_INVALID
 */
ChLabOrderTest *ch_lab_orders_parse_test  (const char  *spec,
                                           GError     **error);

/**
 * ch_lab_orders_place:
 * @patient_id: the chart
 * @tests: (element-type ChLabOrderTest): what is ordered, in order
 * @priority: (nullable): "routine" (NULL), "stat" or "asap"
 * @clinical_info: (nullable): OBR-13, for the lab
 * @note: (nullable): a comment for the lab (NTE)
 * @out_order: (out) (optional) (transfer full): the order as it now stands
 *
 * Stores the order and sends it (see above). Blocks while it is sent: run
 * it on a worker in a window.
 *
 * Returns: TRUE when the order was stored, whether it could be sent or not
 *   (its status and reason say); FALSE with nothing stored on bad input
 *   (CH_LAB_ORDERS_ERROR_INVALID), CH_STORE_ERROR_NOT_FOUND (no such
 *   patient), CH_AUTH_ERROR_* or a store error.
 */
gboolean    ch_lab_orders_place           (ChSession    *session,
                                           gint64        patient_id,
                                           GPtrArray    *tests,
                                           const char   *priority,
                                           const char   *clinical_info,
                                           const char   *note,
                                           ChLabOrder  **out_order,
                                           GError      **error);

/**
 * ch_lab_orders_resend:
 *
 * Sends order @placer_number again: one pending or failed, or the
 * cancellation of a cancelled one that the lab did not take yet.
 *
 * Returns: TRUE when the attempt was recorded (see the order's status);
 *   FALSE with CH_LAB_ORDERS_ERROR_NOT_FOUND, CH_LAB_ORDERS_ERROR_STATE
 *   (sent already, resulted …), CH_AUTH_ERROR_* or a store error.
 */
gboolean    ch_lab_orders_resend          (ChSession    *session,
                                           const char   *placer_number,
                                           ChLabOrder  **out_order,
                                           GError      **error);

/**
 * ch_lab_orders_cancel:
 * @reason: why (required)
 *
 * Cancels order @placer_number (one not resulted yet), audited; when the
 * lab had it, sends the cancellation (its outcome in cancel_delivery).
 *
 * Returns: TRUE when the order is cancelled; FALSE with
 *   CH_LAB_ORDERS_ERROR_NOT_FOUND, _STATE (cancelled or resulted already),
 *   _INVALID (no reason), CH_AUTH_ERROR_* or a store error.
 */
gboolean    ch_lab_orders_cancel          (ChSession    *session,
                                           const char   *placer_number,
                                           const char   *reason,
                                           ChLabOrder  **out_order,
                                           GError      **error);

/* Returns: (transfer full) (nullable): order @placer_number. */
ChLabOrder *ch_lab_orders_get             (ChSession    *session,
                                           const char   *placer_number,
                                           GError      **error);

/**
 * ch_lab_orders_list:
 * @patient_id: 0 for every patient
 * @status: (nullable): only orders in that status
 *
 * Returns: (transfer full) (element-type ChLabOrder) (nullable): the
 *   newest first; audited as a view
 */
GPtrArray  *ch_lab_orders_list            (ChSession    *session,
                                           gint64        patient_id,
                                           const char   *status,
                                           GError      **error);

/**
 * ch_lab_orders_make_message:
 * @cancel: the cancellation (ORC-1 CA) rather than the order (NW)
 * @control_id: MSH-10
 *
 * The ORM^O01 for @order, as it would be sent.
 *
 * Returns: (transfer full) (nullable)
 */
ChHl7Message *ch_lab_orders_make_message  (ChSession         *session,
                                           const ChLabOrder  *order,
                                           gboolean           cancel,
                                           const char        *control_id,
                                           GError           **error);

/* Where orders go and whom they are addressed to: practice policy kept in
 * the database. */
typedef struct
{
  char *target;                  /* "dir:/PATH" or "mllp://HOST:PORT"; "" for none */
  char *receiving_application;   /* MSH-5 */
  char *receiving_facility;      /* MSH-6 */
} ChLabOrdersSettings;

void        ch_lab_orders_settings_free   (ChLabOrdersSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChLabOrdersSettings, ch_lab_orders_settings_free)

/* Returns: (transfer full) (nullable): the stored settings; needs a
 * signed-in session, any role. */
ChLabOrdersSettings *ch_lab_orders_get_settings (ChSession  *session,
                                                 GError    **error);

/**
 * ch_lab_orders_set_settings:
 *
 * Checks and stores @settings, audited: the target a folder given by its
 * full path that exists, or mllp://HOST:PORT, or "" for none.
 *
 * Errors: CH_LAB_ORDERS_ERROR_INVALID, CH_AUTH_ERROR_PERMISSION_DENIED, store
 * errors.
 */
gboolean    ch_lab_orders_set_settings    (ChSession                  *session,
                                           const ChLabOrdersSettings  *settings,
                                           GError                    **error);

G_END_DECLS
