/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-admin-chart.h"
#include "ch-records.h"

G_BEGIN_DECLS

char *ch_admin_patient_to_json (const ChPatientRecord *record,
                                GPtrArray             *policies,
                                const ChAdminChart    *chart);

G_END_DECLS
