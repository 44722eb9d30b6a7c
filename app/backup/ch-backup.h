/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-backup-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_BACKUP_ERROR (ch_backup_error_quark ())

typedef enum
{
  CH_BACKUP_ERROR_FAILED,
  CH_BACKUP_ERROR_TARGET,      /* the target folder cannot be written or read */
  CH_BACKUP_ERROR_CORRUPT,     /* the archive is damaged, cut short or not an archive */
  CH_BACKUP_ERROR_WRONG_KEY,   /* the credentials do not open the archive */
  CH_BACKUP_ERROR_EXISTS,      /* the restore folder is in use */
  CH_BACKUP_ERROR_PERMISSION_DENIED,
} ChBackupError;

/* The archive format's version, in the plaintext header. */
#define CH_BACKUP_FORMAT_VERSION 1
/* How many archives "backup now" keeps in a folder, unless told. */
#define CH_BACKUP_DEFAULT_KEEP 7

/* A line of progress for a person ("Copying the documents…"). */
typedef void (*ChBackupProgress) (const char *message,
                                  gpointer    user_data);

/* What an archive holds, from its header and, once verified, its manifest. */
typedef struct
{
  char   *path;
  gint64  size;            /* of the archive file */
  gint64  created;         /* Unix seconds */
  char   *key_id;
  int     format_version;
  /* From the manifest, after verification: */
  char   *practice_name;
  int     schema_version;
  char   *audit_head;      /* "ID:HASH", or NULL */
  guint   n_files;
  gint64  content_size;    /* the files' bytes, before compression */
} ChBackupInfo;

void          ch_backup_info_free     (ChBackupInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChBackupInfo, ch_backup_info_free)

/* How to open an archive: a user's password, or the recovery key. */
typedef struct
{
  const char *username;      /* with @password */
  const char *password;
  const char *recovery_key;  /* instead of the two above */
} ChBackupCredentials;

GQuark        ch_backup_error_quark   (void);

/* Parses "dir:PATH" (or a plain absolute path). (transfer full) */
char         *ch_backup_parse_target  (const char          *target,
                                       GError             **error);

char         *ch_backup_now           (ChSession           *session,
                                       const char          *target_dir,
                                       guint                keep,
                                       ChBackupProgress     progress,
                                       gpointer             user_data,
                                       GError             **error);
ChBackupInfo *ch_backup_read_header   (const char          *archive,
                                       GError             **error);
GPtrArray    *ch_backup_list          (const char          *target_dir,
                                       GError             **error);
ChBackupInfo *ch_backup_verify        (const char          *archive,
                                       const ChBackupCredentials *credentials,
                                       GError             **error);
ChBackupInfo *ch_backup_restore       (const char          *archive,
                                       const ChBackupCredentials *credentials,
                                       const char          *to_dir,
                                       gboolean             replace,
                                       char               **out_moved_aside,
                                       GError             **error);

/* The newest successful and failed runs; either may be NULL. */
gboolean      ch_backup_status        (ChSession           *session,
                                       ChBackupRunRecord  **out_last_ok,
                                       ChBackupRunRecord  **out_last_failed,
                                       GError             **error);

G_END_DECLS
