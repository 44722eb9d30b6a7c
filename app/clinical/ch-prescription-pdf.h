/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* Prescription print-outs: current (signed, not stopped or replaced)
 * prescriptions, up to three to an A4 page, each with the practice's name
 * and address, the prescriber and their licence number, the patient's name
 * and date of birth, the drug, strength and form, the sig, the quantity in
 * numbers and words, refills, whether substitution is allowed, the date, the
 * prescription's number and a signature line. Needs clinical read access;
 * each prescription printed is audited ("print", object "prescription", its
 * number). */

/* Returns: (transfer full) (nullable): the PDF */
GBytes   *ch_prescription_pdf_render (ChSession     *session,
                                      const gint64  *prescription_ids,
                                      guint          n_ids,
                                      GError       **error);
/* Writes the PDF to @path (a temporary file renamed into place, 0600). */
gboolean  ch_prescription_pdf_write  (ChSession     *session,
                                      const gint64  *prescription_ids,
                                      guint          n_ids,
                                      const char    *path,
                                      GError       **error);

G_END_DECLS
