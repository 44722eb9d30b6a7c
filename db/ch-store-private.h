/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Only db/ includes this: the rest of Charta never sees a statement. */

#include <sqlite3.h>

#include "ch-store.h"

G_BEGIN_DECLS

sqlite3_stmt *ch_store_prepare        (ChStore       *self,
                                       const char    *sql,
                                       GError       **error);
gboolean      ch_store_step_done      (ChStore       *self,
                                       sqlite3_stmt  *stmt,
                                       GError       **error);
int           ch_store_step           (ChStore       *self,
                                       sqlite3_stmt  *stmt,
                                       GError       **error);
void          ch_store_set_error      (ChStore       *self,
                                       int            rc,
                                       GError       **error,
                                       const char    *what);
gint64        ch_store_last_insert_id (ChStore       *self);
int           ch_store_changes        (ChStore       *self);

/* Keeps an earlier version of a versioned item (db/ only). */
gboolean      ch_db_history_write     (ChStore       *store,
                                       const char    *item_type,
                                       gint64         item_id,
                                       gint64         version,
                                       const char    *snapshot,
                                       const char    *changed_by,
                                       const char    *reason,
                                       GError       **error);

static inline const char *
ch_store_column_text (sqlite3_stmt *stmt,
                      int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);
  return text != NULL ? (const char *) text : "";
}

static inline void
ch_store_bind_text (sqlite3_stmt *stmt,
                    int           idx,
                    const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

G_END_DECLS
