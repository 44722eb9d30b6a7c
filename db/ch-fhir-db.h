/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-store.h"

G_BEGIN_DECLS

/* The ids of records imported from FHIR, as the file they came from had
 * them (table fhir_ids). A local id is the id Charta's exporter makes from
 * a row ("patient-3"); its FHIR id the one to export instead. */

/* Every mapping, local id → FHIR id.
 * Returns: (transfer full) (element-type utf8 utf8) (nullable) */
GHashTable   *ch_db_fhir_id_map          (ChStore       *store,
                                          GError       **error);
/* Records that the row exported as @local_id came as @fhir_id. In the
 * caller's transaction. CH_STORE_ERROR_CONSTRAINT when either is taken. */
gboolean      ch_db_fhir_id_insert       (ChStore       *store,
                                          const char    *local_id,
                                          const char    *fhir_id,
                                          GError       **error);

G_END_DECLS
