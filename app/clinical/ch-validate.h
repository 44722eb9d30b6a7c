/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks shared by the clinical controllers. */

gboolean ch_valid_date (const char *text);
gboolean ch_has_text   (const char *text);
gboolean ch_invalid    (GError    **error,
                        const char *message);

G_END_DECLS
