/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-dcm.h"
#include "ch-imaging.h"

G_BEGIN_DECLS

/* What "dicom info" prints: every field of @info, null when absent, plus
 * whether the pixel data can be shown here and, if not, why. */
char    *ch_admin_dicom_info_json (ChDcm       *dcm);

/* "dicom render --png": @pixels (1 or 3 channels, 8 bits) as a PNG. */
gboolean ch_admin_dicom_write_png (const guint8 *pixels,
                                   guint         width,
                                   guint         height,
                                   guint         channels,
                                   const char   *path,
                                   GError      **error);

/* "dicom render --raw": the frame's values after the modality LUT, as
 * little-endian IEEE doubles (which hold every 32-bit integer exactly),
 * row by row, samples interleaved. */
gboolean ch_admin_dicom_write_raw (ChDcm       *dcm,
                                   guint        frame,
                                   const char  *path,
                                   GError     **error);

/* "dicom inbox --json": the waiting studies (ChImagingInboxItem). */
char    *ch_admin_dicom_inbox_json (GPtrArray   *items);

/* "dicom studies --json": @studies (ChImagingStudy) of @patient_id, each
 * with its series and, for each series, its instances' document ids in
 * display order. */
char    *ch_admin_dicom_studies_json (ChSession  *session,
                                      gint64      patient_id,
                                      GPtrArray  *studies,
                                      GError    **error);

G_END_DECLS
