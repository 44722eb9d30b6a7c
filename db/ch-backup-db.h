/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-store.h"

G_BEGIN_DECLS

/* Takes the bytes of a file of the encrypted database, as they are on disk:
 * @data %NULL starts the file @name (a name beside the database file's),
 * @size bytes long. */
typedef gboolean (*ChDbSnapshotFunc) (const char    *name,
                                      guint64        size,
                                      const guint8  *data,
                                      gsize          len,
                                      gpointer       user_data,
                                      GError       **error);

typedef struct
{
  int    schema_version;
  char  *audit_head;      /* "ID:HASH", or NULL before the first entry */
  char  *practice_name;
  gint64 db_size;
  gint64 wal_size;        /* 0 when the checkpoint emptied the WAL */
} ChDbSnapshotInfo;

void     ch_db_snapshot_info_clear (ChDbSnapshotInfo *info);

gboolean ch_db_backup_snapshot     (ChStore           *store,
                                    ChDbSnapshotInfo  *out_info,
                                    ChDbSnapshotFunc   func,
                                    gpointer           user_data,
                                    GError           **error);

typedef struct
{
  gint64    id;
  gint64    started_at;
  gint64    finished_at;
  gboolean  ok;
  char     *target;
  char     *archive;       /* may be NULL */
  gint64    size;
  gint64    duration_ms;
  char     *reason;        /* may be NULL */
} ChBackupRunRecord;

void               ch_backup_run_record_free (ChBackupRunRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChBackupRunRecord, ch_backup_run_record_free)

gboolean           ch_db_backup_run_insert   (ChStore                 *store,
                                              const ChBackupRunRecord *record,
                                              GError                 **error);
/* The newest run that succeeded (@ok) or failed; NULL without error when none. */
ChBackupRunRecord *ch_db_backup_run_last     (ChStore                 *store,
                                              gboolean                 ok,
                                              GError                 **error);
/* Marks @archive as about to be named in @target by a run under way;
 * @started_at 0 clears the mark. */
gboolean           ch_db_backup_pending_set  (ChStore                 *store,
                                              const char              *target,
                                              const char              *archive,
                                              gint64                   started_at,
                                              GError                 **error);
/* Whether a successful run wrote @archive into @target, or a run was about to
 * name it when it stopped. */
gboolean           ch_db_backup_run_wrote    (ChStore                 *store,
                                              const char              *target,
                                              const char              *archive,
                                              gboolean                *out_wrote,
                                              GError                 **error);

/* For the backup benchmark only: the database through SQLCipher's online
 * backup API into a new file keyed like the store (see ch-backup-db.c). */
gboolean           ch_db_backup_keyed_copy   (ChStore                 *store,
                                              const guint8            *key,
                                              const char              *dest_path,
                                              GError                 **error);

G_END_DECLS
