/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-refills"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-audit.h"
#include "ch-practice.h"
#include "ch-prescribing.h"
#include "ch-prescription-db.h"
#include "ch-refill-db.h"
#include "ch-refills.h"
#include "ch-validate.h"

/* The refill queue's controller. A request only points at a prescription;
 * approving it goes through ch_prescribing_renew() and ch_prescribing_sign(),
 * so a refill meets the same checks, overrides and audit as any signature,
 * and a refused signature leaves the request pending and no renewal behind. */

#define MAX_NOTE 2000

G_DEFINE_QUARK (ch-refills-error-quark, ch_refills_error)

static gboolean
state_error (GError    **error,
             const char *message)
{
  g_set_error_literal (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE, message);
  return FALSE;
}

static char *
clean_note (const char *note)
{
  return g_strstrip (g_strdup (note ? note : ""));
}

static gboolean
audit_request (ChSession              *session,
               const ChRefillRequest  *request,
               const char             *action,
               const char             *detail,
               GError                **error)
{
  char id[32];

  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, request->id);
  return ch_session_audit (session, action, "refill-request", id, request->patient_id, detail,
                           error);
}

gint64
ch_refills_request (ChSession   *session,
                    gint64       prescription_id,
                    const char  *note,
                    GError     **error)
{
  ChStore *store;
  g_autoptr (ChPrescription) rx = NULL;
  g_autoptr (ChRefillRequest) request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;
  gint64 pending = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), 0);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return 0;
  text = clean_note (note);
  if (g_utf8_strlen (text, -1) > MAX_NOTE)
    {
      ch_invalid (error, _("A refill request’s note has at most 2000 characters"));
      return 0;
    }

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return 0;

  rx = ch_db_prescription_get (store, prescription_id, error);
  if (rx == NULL)
    goto fail;
  if (!g_str_equal (rx->state, "signed"))
    {
      state_error (error, _("Only a current prescription can be refilled"));
      goto fail;
    }
  if (!ch_db_refill_find_pending (store, rx->id, &pending, error))
    goto fail;
  if (pending != 0)
    {
      g_set_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_PENDING,
                   _("A refill of this prescription is already waiting for %s"), rx->prescriber);
      goto fail;
    }

  request = ch_refill_request_new ();
  request->prescription_id = rx->id;
  request->patient_id = rx->patient_id;
  request->prescriber = g_strdup (rx->prescriber);
  request->note = g_steal_pointer (&text);
  detail = g_strdup_printf ("refill of %s %s requested for %s",
                            rx->number ? rx->number : "", rx->drug_name, rx->prescriber);
  if (!ch_db_refill_insert (store, request, ch_session_get_username (session), error)
      || !audit_request (session, request, CH_AUDIT_CREATE, detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return request->id;

fail:
  ch_store_rollback (store);
  return 0;
}

GPtrArray *
ch_refills_queue (ChSession   *session,
                  const char  *prescriber,
                  GError     **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  if (prescriber == NULL)
    prescriber = ch_session_get_username (session);
  return ch_db_refill_list_pending (ch_session_get_store (session), prescriber, error);
}

ChRefillRequest *
ch_refills_get (ChSession  *session,
                gint64      request_id,
                GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_refill_get (ch_session_get_store (session), request_id, error);
}

GPtrArray *
ch_refills_check (ChSession  *session,
                  gint64      request_id,
                  GError    **error)
{
  ChStore *store;
  g_autoptr (ChRefillRequest) request = NULL;
  g_autoptr (ChPrescription) rx = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_READ, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  /* A renewal is a copy of the prescription, so it meets the same alerts. */
  store = ch_session_get_store (session);
  request = ch_db_refill_get (store, request_id, error);
  if (request == NULL)
    return NULL;
  rx = ch_db_prescription_get (store, request->prescription_id, error);
  if (rx == NULL)
    return NULL;
  /* As the renewal: in place of this prescription, so not checked against
   * its own medication list entry (no "same drug twice"). */
  rx->replaces_id = rx->id;
  return ch_prescribing_check_prescription (session, rx, error);
}

/* The request, read inside the caller's transaction, if it is still pending. */
static ChRefillRequest *
get_pending (ChStore  *store,
             gint64    request_id,
             GError  **error)
{
  g_autoptr (ChRefillRequest) request = ch_db_refill_get (store, request_id, error);

  if (request == NULL)
    return NULL;
  if (g_str_equal (request->state, "approved"))
    {
      g_set_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE,
                   _("This refill request was already approved by %s"),
                   request->decided_by ? request->decided_by : "");
      return NULL;
    }
  if (!g_str_equal (request->state, "pending"))
    {
      g_set_error (error, CH_REFILLS_ERROR, CH_REFILLS_ERROR_STATE,
                   _("This refill request was already denied by %s"),
                   request->decided_by ? request->decided_by : "");
      return NULL;
    }
  return g_steal_pointer (&request);
}

gboolean
ch_refills_approve (ChSession              *session,
                    gint64                  request_id,
                    const ChAlertDecision  *decisions,
                    guint                   n_decisions,
                    const char             *note,
                    gint64                 *out_prescription_id,
                    GError                **error)
{
  ChStore *store;
  const char *username;
  g_autoptr (ChRefillRequest) request = NULL;
  g_autoptr (ChPrescription) renewal = NULL;
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;
  gint64 renewal_id;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (out_prescription_id != NULL)
    *out_prescription_id = 0;
  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  text = clean_note (note);
  if (g_utf8_strlen (text, -1) > MAX_NOTE)
    return ch_invalid (error, _("A refill decision’s note has at most 2000 characters"));

  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  request = get_pending (store, request_id, error);
  if (request == NULL)
    goto fail;

  /* Both run in savepoints of this transaction: a signature refused for a
   * missing override reason takes the new draft back with it. */
  renewal_id = ch_prescribing_renew (session, request->prescription_id, error);
  if (renewal_id == 0
      || !ch_prescribing_sign (session, renewal_id, decisions, n_decisions, error))
    goto fail;

  renewal = ch_db_prescription_get (store, renewal_id, error);
  if (renewal == NULL)
    goto fail;
  detail = g_strdup_printf ("approved: %s %s%s%s", renewal->number ? renewal->number : "",
                            renewal->drug_name, text[0] ? ": " : "", text);
  if (!ch_db_refill_decide (store, request->id, "approved", username, text, renewal_id, error)
      || !audit_request (session, request, CH_AUDIT_UPDATE, detail, error)
      || !ch_store_commit (store, error))
    goto fail;

  if (out_prescription_id != NULL)
    *out_prescription_id = renewal_id;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_refills_deny (ChSession   *session,
                 gint64       request_id,
                 const char  *reason,
                 GError     **error)
{
  ChStore *store;
  g_autoptr (ChRefillRequest) request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_PRESCRIBING, CH_ACCESS_WRITE, error))
    return FALSE;
  text = clean_note (reason);
  if (text[0] == '\0')
    return ch_invalid (error, _("Say why the refill is denied"));
  if (g_utf8_strlen (text, -1) > MAX_NOTE)
    return ch_invalid (error, _("A refill decision’s note has at most 2000 characters"));

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;

  request = get_pending (store, request_id, error);
  if (request == NULL)
    goto fail;
  detail = g_strdup_printf ("denied: %s: %s", request->drug_name, text);
  if (!ch_db_refill_decide (store, request->id, "denied", ch_session_get_username (session), text,
                            0, error)
      || !audit_request (session, request, CH_AUDIT_UPDATE, detail, error)
      || !ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}
