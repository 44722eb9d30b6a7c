/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A folder on another machine, reached over SFTP (libssh) with a private key,
 * for the backup engine: the server's host key is checked against the one
 * pinned on first use. Blocking; one thread uses a connection at a time.
 * Errors are CH_BACKUP_ERROR_TARGET (unreachable, refused, a file operation
 * failed) or CH_BACKUP_ERROR_HOST_KEY. */
typedef struct _ChSftp ChSftp;

typedef struct
{
  char   *name;
  gint64  size;
  gint64  mtime;   /* Unix seconds */
} ChSftpEntry;

void          ch_sftp_entry_free     (ChSftpEntry *entry);

/* @url: "sftp://USER@HOST[:PORT]/PATH" as ch_backup_normalize_target() gives
 * it. @pinned: the host key recorded before ("TYPE SHA256:…"), or %NULL on
 * first use. @out_host_key: (out) (optional): the server's. */
ChSftp       *ch_sftp_connect        (const char   *url,
                                      const char   *identity,
                                      const char   *pinned,
                                      char        **out_host_key,
                                      GError      **error);
void          ch_sftp_free           (ChSftp       *sftp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChSftp, ch_sftp_free)

/* "USER@HOST:PORT/PATH", for messages. */
const char   *ch_sftp_get_label      (ChSftp       *sftp);

/* The files in the folder (element-type ChSftpEntry), any order. */
GPtrArray    *ch_sftp_list           (ChSftp       *sftp,
                                      GError      **error);

/* Creates @name in the folder, which must not exist, for the writes that
 * follow; ch_sftp_finish() syncs (where the server can) and closes it. */
gboolean      ch_sftp_create         (ChSftp       *sftp,
                                      const char   *name,
                                      GError      **error);
gboolean      ch_sftp_write          (ChSftp       *sftp,
                                      const void   *data,
                                      gsize         len,
                                      GError      **error);
gboolean      ch_sftp_finish         (ChSftp       *sftp,
                                      GError      **error);

/* Copies @name from the folder into @fd. */
gboolean      ch_sftp_download       (ChSftp       *sftp,
                                      const char   *name,
                                      int           fd,
                                      GError      **error);
/* Up to @max bytes from the start of @name. */
GBytes       *ch_sftp_read_prefix    (ChSftp       *sftp,
                                      const char   *name,
                                      gsize         max,
                                      GError      **error);
gboolean      ch_sftp_rename         (ChSftp       *sftp,
                                      const char   *from,
                                      const char   *to,
                                      GError      **error);
gboolean      ch_sftp_remove         (ChSftp       *sftp,
                                      const char   *name,
                                      GError      **error);

G_END_DECLS
