/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-desk"

#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-billing-desk.h"

GPtrArray *
ch_billing_desk_payments_on (ChSession   *session,
                             const char  *day,
                             GError     **error)
{
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) end = NULL;
  int y = 0, m = 0, d = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (day != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  if (strlen (day) == 10 && sscanf (day, "%4d-%2d-%2d", &y, &m, &d) == 3)
    start = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (start == NULL)
    {
      g_set_error (error, CH_BILLING_ERROR, CH_BILLING_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD)"), day);
      return NULL;
    }
  /* The local day, whatever its length (daylight saving). */
  end = g_date_time_add_days (start, 1);
  return ch_db_desk_payments_by_method (ch_session_get_store (session),
                                        g_date_time_to_unix (start) * G_USEC_PER_SEC,
                                        g_date_time_to_unix (end) * G_USEC_PER_SEC, error);
}

GPtrArray *
ch_billing_desk_ready (ChSession  *session,
                       guint       limit,
                       gint64     *out_total,
                       GError    **error)
{
  g_autoptr (GPtrArray) list = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  list = ch_db_desk_ready_encounters (ch_session_get_store (session), limit, out_total, error);
  if (list == NULL)
    return NULL;
  if (!ch_session_audit (session, CH_AUDIT_VIEW, "billing-ready", "", 0, NULL, error))
    return NULL;
  return g_steal_pointer (&list);
}

GPtrArray *
ch_billing_desk_payments_of (ChSession  *session,
                             gint64      patient_id,
                             GError    **error)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  /* Read with the ledger (ch_billing_ledger()), which is audited. */
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_desk_patient_payments (ch_session_get_store (session), patient_id, error);
}
