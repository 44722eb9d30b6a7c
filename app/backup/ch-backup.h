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
  CH_BACKUP_ERROR_INVALID,     /* a configuration value is malformed or out of range */
  CH_BACKUP_ERROR_UNSUPPORTED, /* a target kind this version cannot write to yet (SFTP) */
  CH_BACKUP_ERROR_NOT_CONFIGURED, /* no target given and none configured */
  CH_BACKUP_ERROR_HOST_KEY,    /* the SFTP server's host key is not the one pinned */
} ChBackupError;

/* The archive format's version, in the plaintext header. */
#define CH_BACKUP_FORMAT_VERSION 1
/* Retention, unless configured otherwise. */
#define CH_BACKUP_DEFAULT_KEEP_DAILY   7
#define CH_BACKUP_DEFAULT_KEEP_WEEKLY  4
#define CH_BACKUP_DEFAULT_KEEP_MONTHLY 12
#define CH_BACKUP_KEEP_MAX             1000
/* The nightly run, unless configured otherwise (local time). */
#define CH_BACKUP_DEFAULT_HOUR   2
#define CH_BACKUP_DEFAULT_MINUTE 0
/* The last good backup is overdue past this age. */
#define CH_BACKUP_OVERDUE_SECONDS (36 * 60 * 60)

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

/* ---- retention ---------------------------------------------------------- */

/* Which archives to keep: the newest of each of the @daily most recent days,
 * @weekly ISO weeks and @monthly months that have one (each rule counted on
 * its own; an archive any rule keeps stays), plus the @last newest. */
typedef struct
{
  guint last;
  guint daily;
  guint weekly;
  guint monthly;
} ChBackupRetention;

/* One archive in a target, for ch_backup_retention_decide(). */
typedef struct
{
  const char *name;
  gint64      time;   /* when it was made, Unix seconds */
  gboolean    good;   /* a successful run of this practice wrote it */
  gboolean    keep;   /* (out) */
} ChBackupArchiveItem;

void          ch_backup_retention_default (ChBackupRetention   *retention);
void          ch_backup_retention_decide  (ChBackupArchiveItem *items,
                                           guint                n_items,
                                           const ChBackupRetention *retention,
                                           GTimeZone           *tz);

/* ---- configuration ------------------------------------------------------ */

typedef enum
{
  CH_BACKUP_TARGET_DIR,
  CH_BACKUP_TARGET_SFTP,
} ChBackupTargetKind;

typedef struct
{
  char              *target;    /* "dir:/ABSOLUTE/PATH" or "sftp://USER@HOST[:PORT]/PATH"; NULL: none */
  char              *identity;  /* SFTP only: the private key file */
  char              *host_key;  /* SFTP only: the server's key as first seen, "TYPE SHA256:…";
                                 * pinned by the first connection, not by saving */
  guint              hour;      /* the nightly run, local time */
  guint              minute;
  ChBackupRetention  retention;
} ChBackupConfig;

ChBackupConfig *ch_backup_config_new      (void);
void            ch_backup_config_free     (ChBackupConfig      *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChBackupConfig, ch_backup_config_free)

gboolean      ch_backup_parse_time      (const char          *text,
                                         guint               *out_hour,
                                         guint               *out_minute,
                                         GError             **error);
gboolean      ch_backup_normalize_target (const char         *target,
                                          ChBackupTargetKind *out_kind,
                                          char              **out_normalized,
                                          GError            **error);
gboolean      ch_backup_config_validate (const ChBackupConfig *config,
                                         GError             **error);
ChBackupConfig *ch_backup_config_load   (ChSession           *session,
                                         GError             **error);
gboolean      ch_backup_config_save     (ChSession           *session,
                                         const ChBackupConfig *config,
                                         GError             **error);
gboolean      ch_backup_forget_host_key (ChSession         *session,
                                         const char          *target,
                                         GError             **error);
gint64        ch_backup_next_run        (const ChBackupConfig *config,
                                         gint64               now,
                                         GTimeZone           *tz);

/* Parses "dir:PATH" (or a plain absolute path). (transfer full) */
char         *ch_backup_parse_target  (const char          *target,
                                       GError             **error);

char         *ch_backup_now           (ChSession           *session,
                                       const char          *target_dir,
                                       const ChBackupRetention *retention,
                                       ChBackupProgress     progress,
                                       gpointer             user_data,
                                       GError             **error);
char         *ch_backup_run           (ChSession           *session,
                                       const char          *target,
                                       const ChBackupRetention *retention,
                                       ChBackupProgress     progress,
                                       gpointer             user_data,
                                       GError             **error);
ChBackupInfo *ch_backup_read_header   (const char          *archive,
                                       GError             **error);
GPtrArray    *ch_backup_list          (const char          *target_dir,
                                       GError             **error);
GPtrArray    *ch_backup_list_sftp     (ChSession           *session,
                                       const char          *target,
                                       GError             **error);
gboolean      ch_backup_fetch_sftp    (ChSession           *session,
                                       const char          *archive,
                                       int                  fd,
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

/* What the office manager is shown, and the daemon logs. */
typedef struct
{
  ChBackupRunRecord *last_ok;      /* nullable */
  ChBackupRunRecord *last_failed;  /* nullable */
  char              *target;       /* configured; nullable */
  gint64             next_run;     /* Unix seconds; 0 when no target is configured */
  gboolean           overdue;      /* no good backup within CH_BACKUP_OVERDUE_SECONDS */
} ChBackupStatus;

void            ch_backup_status_free   (ChBackupStatus      *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChBackupStatus, ch_backup_status_free)

gboolean        ch_backup_is_overdue    (gint64               last_ok_unix,
                                         gint64               now_unix);
ChBackupStatus *ch_backup_get_status    (ChSession           *session,
                                         gint64               now,
                                         GError             **error);

G_END_DECLS
