/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An output stream that passes on an RFC 4180 CSV text up to the end of its
 * header line and @max_records records, and drops the rest. Quoted fields may
 * hold line breaks; only a CR LF outside quotes ends a record. */
#define CH_TYPE_ADMIN_CSV_LIMIT (ch_admin_csv_limit_get_type ())
G_DECLARE_FINAL_TYPE (ChAdminCsvLimit, ch_admin_csv_limit, CH, ADMIN_CSV_LIMIT,
                      GFilterOutputStream)

GOutputStream *ch_admin_csv_limit_new (GOutputStream *base_stream,
                                       guint64        max_records);

G_END_DECLS
