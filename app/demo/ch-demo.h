/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CH_DEMO_PASSWORD "charta-demo"
#define CH_DEMO_DEFAULT_PATIENTS 250

/* Creates a deterministic synthetic practice in @dir: users admin, doctor,
 * nurse, frontdesk and manager (one per role, all with CH_DEMO_PASSWORD) and
 * @n_patients patients drawn from @seed. */
gboolean ch_demo_create (const char  *dir,
                         guint        n_patients,
                         guint32      seed,
                         char       **out_recovery_key,
                         GError     **error);

G_END_DECLS
