/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-drug-kb.h"

G_BEGIN_DECLS

/* What "kb check" prints: every alert with its severity, the two parties,
 * why and what to do, as text for people or as one JSON object. */
char *ch_admin_kb_alerts_text (GPtrArray *alerts);
char *ch_admin_kb_alerts_json (ChDrugKb  *kb,
                               GPtrArray *alerts);
/* "kb info": the base's name, version and what it holds. */
char *ch_admin_kb_info_text   (ChDrugKb  *kb,
                               gboolean   imported);

G_END_DECLS
