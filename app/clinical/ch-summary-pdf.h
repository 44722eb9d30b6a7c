/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The patient summary print-out: what a patient may take home. An A4 PDF
 * with the practice's name, the patient's demographics, problems, allergies,
 * current medications, immunizations, recent results with abnormal ones
 * marked, the latest vital signs and trend plots of blood pressure and
 * weight (and growth charts for children). Needs clinical read access; each
 * print-out is audited ("print", object "chart", the MRN). Rendering takes
 * a moment: run it in a GTask off the main thread. */

/* Writes the summary to @path, through a temporary file in the same folder
 * renamed into place (mode 0600), so a failure leaves no half-written file.
 * Errors: CH_AUTH_ERROR (permission), the store's, G_FILE_ERROR. */
gboolean  ch_summary_pdf_write  (ChSession   *session,
                                 gint64       patient_id,
                                 const char  *path,
                                 GError     **error);

/* Returns: (transfer full): the summary as PDF bytes, for printing or a
 * preview; audited as a print-out like ch_summary_pdf_write(). */
GBytes   *ch_summary_pdf_render (ChSession   *session,
                                 gint64       patient_id,
                                 GError     **error);

G_END_DECLS
