/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ch-admin-chart.h"
#include "ch-records.h"

G_BEGIN_DECLS

char *ch_admin_patient_to_json (const ChPatientRecord *record,
                                GPtrArray             *policies,
                                const ChAdminChart    *chart);

/* Members as the --json outputs write them: every key always there, null
 * when unset — an empty string, an id of 0, a time of 0 — so that a script
 * can tell "not given" from "not printed". Times are UTC, ISO 8601. */
void  ch_admin_json_add_string (JsonBuilder *builder,
                                const char  *key,
                                const char  *value);
void  ch_admin_json_add_id     (JsonBuilder *builder,
                                const char  *key,
                                gint64       id);
void  ch_admin_json_add_time   (JsonBuilder *builder,
                                const char  *key,
                                gint64       usec);

G_END_DECLS
