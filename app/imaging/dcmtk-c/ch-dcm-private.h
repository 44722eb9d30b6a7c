/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the shim's two C++ files share (not part of its C API). */

#include <glib.h>

/* Sets @error in @domain with @code, printf-style. */
void ch_dcm_set_error (GError     **error,
                       GQuark       domain,
                       gint         code,
                       const char  *format,
                       ...) G_GNUC_PRINTF (4, 5);

/* Called inside a catch (...) block: sets @error in @domain with @code from
 * the exception being handled; @out_of_memory says what ran out of memory. */
void ch_dcm_set_exception_error (GError     **error,
                                 GQuark       domain,
                                 gint         code,
                                 const char  *out_of_memory);
