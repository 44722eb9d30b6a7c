/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* A provider's day sheet: the A4 list a provider carries through the day.
 * The practice's name, the provider, the date, and each appointment of
 * that day (cancelled ones left out), by start: time and duration, the
 * patient's name, MRN and date of birth, the type, the reason, the status,
 * and a line to write notes on; as many pages as it takes. A day with
 * nothing booked still gives a sheet, saying so. Needs scheduling read
 * access; each print-out is audited ("print", object "day-sheet", id
 * "PROVIDER/YYYY-MM-DD"): one entry for each patient on it, so that it shows
 * in their access history, or one without a patient for an empty day.
 * Rendering takes a moment: run it in a GTask off the main thread. */

/* @day_start_usec: any instant of the day wanted; the practice's local day
 * holding it is printed.
 * Errors: CH_AUTH_ERROR (permission, or @provider_id not a provider), the
 * store's (CH_STORE_ERROR_NOT_FOUND: no such provider).
 * Returns: (transfer full) (nullable): the PDF */
GBytes   *ch_day_sheet_pdf_render (ChSession   *session,
                                   const char  *provider_id,
                                   gint64       day_start_usec,
                                   GError     **error);
/* Writes the PDF to @path (a temporary file renamed into place, 0600);
 * errors as ch_day_sheet_pdf_render(), and G_FILE_ERROR. */
gboolean  ch_day_sheet_pdf_write  (ChSession   *session,
                                   const char  *provider_id,
                                   gint64       day_start_usec,
                                   const char  *path,
                                   GError     **error);

G_END_DECLS
