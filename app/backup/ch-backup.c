/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-backup"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ch-audit.h"
#include "ch-backup.h"
#include "ch-keyring.h"
#include "ch-records.h"
#include "ch-roles.h"
#include "ch-session-private.h"
#include "ch-sftp.h"

/* Backups of a practice: one archive file a backup.
 *
 * The archive ("charta-YYYYMMDD-HHMMSS.chbk") starts with a plaintext header:
 *
 *   "CHARTABK"            8 bytes, the magic
 *   format version        u16 little-endian (CH_BACKUP_FORMAT_VERSION)
 *   reserved              u16, 0
 *   key id                32 ASCII hex digits: ch_master_key_id() of the master key
 *   created               i64 LE, Unix seconds
 *   keyring length        u32 LE
 *   keyring               the practice's PRACTICE/keyring, as it was: the master
 *                         key wrapped per user and for recovery, no patient data
 *   secretstream header   24 bytes
 *
 * then libsodium secretstream (XChaCha20-Poly1305) messages, each a u32 LE
 * length and the ciphertext, under the backup subkey of the master key
 * (CH_SUBKEY_BACKUP). The first message authenticates the header before it
 * as additional data; the last is tagged FINAL, so an archive cut short, grown
 * or changed anywhere does not verify. The keyring travels in the clear so
 * that an archive opens by itself, with a user's password or the recovery key,
 * on a machine that has nothing else (and after the practice's master key was
 * rotated).
 *
 * The messages carry a zstd stream (CHUNK_SIZE compressed bytes a message)
 * whose content is a sequence of records:
 *
 *   'F' u16 path length, path, u32 mode, u64 size, content    a file
 *   'M' u32 length, manifest text, 32-byte BLAKE2b of it      the manifest
 *   'Z'                                                       the end
 *
 * The files are charta.db (the encrypted database file, copied under the write
 * lock after a WAL checkpoint: never a plaintext page; see db/ch-backup-db.c),
 * charta.db-wal when a busy practice kept the checkpoint from emptying it,
 * keyring, and every blob
 * under documents/ (already encrypted). keyring.service, the backup service's
 * slot, is left out: it opens the master key with no password at all, so an
 * archive that held it would be only as safe as the target folder. A restore
 * makes the restored practice a new service slot instead.
 *
 * The manifest is text, a "key value" line each: the format, creation time,
 * key id, practice name, schema version, the audit trail's head, then
 * "file SIZE BLAKE2B MODE PATH" for every file.
 *
 * Compression and encryption happen in memory: no byte of the archive's
 * content is ever on disk unencrypted. An archive is written under a
 * temporary name (".charta-backup-XXXXXX.tmp", locked while written), synced,
 * read back and verified whole, and only then renamed into place: a
 * "*.chbk" is whole and good, or absent. */

#define MAGIC "CHARTABK"
#define MAGIC_LEN 8
#define KEY_ID_LEN 32
#define FIXED_HEADER_LEN (MAGIC_LEN + 2 + 2 + KEY_ID_LEN + 8 + 4)
#define KEYRING_MAX (1024 * 1024)
#define MANIFEST_MAX (64 * 1024 * 1024)
#define PATH_MAX_LEN 1024
#define CHUNK_SIZE (64 * 1024)
#define FILE_CHUNK (256 * 1024)
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define HASH_BYTES 32
#define ZSTD_LEVEL 3
#define TEMP_PREFIX ".charta-backup-"
#define TEMP_SUFFIX ".tmp"
#define ARCHIVE_PREFIX "charta-"
#define ARCHIVE_SUFFIX ".chbk"
#define MANIFEST_HEAD "charta-backup-manifest 1"
#define DB_FILE "charta.db"
#define KEYRING_FILE "keyring"
#define DOCUMENTS_DIR "documents"

G_DEFINE_QUARK (ch-backup-error-quark, ch_backup_error)

void
ch_backup_info_free (ChBackupInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->key_id);
  g_free (info->practice_name);
  g_free (info->audit_head);
  g_free (info);
}

/* ---- small helpers ------------------------------------------------------- */

static void
put_le (guint8 *p,
        guint64 value,
        guint   n)
{
  for (guint i = 0; i < n; i++)
    p[i] = (guint8) (value >> (8 * i));
}

static guint64
get_le (const guint8 *p,
        guint         n)
{
  guint64 value = 0;

  for (guint i = 0; i < n; i++)
    value |= (guint64) p[i] << (8 * i);
  return value;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len,
           const char   *name,
           GError      **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == ENOSPC || saved == EDQUOT)
            {
              g_autofree char *folder = g_path_get_dirname (name);

              g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                           _("The backup folder “%s” is full (its disk is full or over "
                             "quota): this backup was not kept; older ones are untouched"),
                           folder);
            }
          else
            g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                         _("Could not write “%s”: %s"), name, g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Reads up to @len bytes; fewer only at the end of the file. */
static gssize
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, buf + done, len - done);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

static gboolean
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* Removes a folder this module made, with everything in it. */
static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static char *
hash_hex (const guint8 *hash)
{
  char hex[HASH_BYTES * 2 + 1];

  sodium_bin2hex (hex, sizeof hex, hash, HASH_BYTES);
  return g_strdup (hex);
}

/* A path inside an archive: relative, plain names only, under one of the
 * things a practice holds. Anything else would write outside the restore. */
static gboolean
valid_member_path (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL || *path == '\0' || strlen (path) > PATH_MAX_LEN)
    return FALSE;

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
        return FALSE;
      for (const char *p = parts[i]; *p != '\0'; p++)
        if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_'))
          return FALSE;
    }

  if (g_str_equal (parts[0], DB_FILE) || g_str_equal (parts[0], DB_FILE "-wal")
      || g_str_equal (parts[0], KEYRING_FILE))
    return parts[1] == NULL;
  return g_str_equal (parts[0], DOCUMENTS_DIR) && parts[1] != NULL;
}

/* ---- target -------------------------------------------------------------- */

/**
 * ch_backup_parse_target:
 *
 * Returns: (transfer full): the folder "dir:PATH" names, or %NULL with
 *   CH_BACKUP_ERROR_TARGET
 */
char *
ch_backup_parse_target (const char *target,
                        GError    **error)
{
  const char *path = target;

  if (target != NULL && g_str_has_prefix (target, "dir:"))
    path = target + strlen ("dir:");
  else if (target != NULL && g_str_has_prefix (target, "sftp://"))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_UNSUPPORTED,
                   _("SFTP targets are not supported yet (“%s”): give dir:PATH, "
                     "for example a mounted NAS"), target);
      return NULL;
    }
  else if (target != NULL && strstr (target, "://") != NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Unsupported backup target “%s”: give dir:PATH"), target);
      return NULL;
    }

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                           _("No backup target: give dir:PATH"));
      return NULL;
    }

  return g_canonicalize_filename (path, NULL);
}

static gboolean
is_archive_name (const char *name)
{
  gsize len = strlen (name);
  const char *stamp = name + strlen (ARCHIVE_PREFIX);

  if (!g_str_has_prefix (name, ARCHIVE_PREFIX) || !g_str_has_suffix (name, ARCHIVE_SUFFIX)
      || len < strlen (ARCHIVE_PREFIX "YYYYMMDD-HHMMSS" ARCHIVE_SUFFIX))
    return FALSE;

  /* YYYYMMDD-HHMMSS, then an optional -N */
  for (guint i = 0; i < 15; i++)
    if (i == 8 ? stamp[i] != '-' : !g_ascii_isdigit (stamp[i]))
      return FALSE;

  for (const char *p = stamp + 15; p < name + len - strlen (ARCHIVE_SUFFIX); p++)
    if (!(g_ascii_isdigit (*p) || (p == stamp + 15 && *p == '-')))
      return FALSE;
  return TRUE;
}

/* Newest first: by time stamp, then by the -N a second backup in the same
 * second got. */
static int
compare_archive_names (gconstpointer a,
                       gconstpointer b)
{
  const char *na = *(const char * const *) a;
  const char *nb = *(const char * const *) b;
  const char *sa = na + strlen (ARCHIVE_PREFIX);
  const char *sb = nb + strlen (ARCHIVE_PREFIX);
  int cmp = strncmp (sb, sa, 15);

  if (cmp != 0)
    return cmp;
  return (int) (g_ascii_strtoll (sb[15] == '-' ? sb + 16 : "0", NULL, 10)
                - g_ascii_strtoll (sa[15] == '-' ? sa + 16 : "0", NULL, 10));
}

/* Returns: (transfer container): the archive names in @dir, newest first */
static GPtrArray *
list_archive_names (const char *dir,
                    GError    **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local_error = NULL;
  GDir *d = g_dir_open (dir, 0, &local_error);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not read the backup folder “%s”: %s"), dir, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (is_archive_name (name))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);

  g_ptr_array_sort (names, compare_archive_names);
  return g_steal_pointer (&names);
}

/* Removes the temporary files of backups that died; a backup under way
 * holds a lock on its own. */
static void
remove_stale_temps (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *entry;

  if (d == NULL)
    return;
  while ((entry = readdir (d)) != NULL)
    {
      g_autofree char *path = NULL;
      int fd;

      if (!g_str_has_prefix (entry->d_name, TEMP_PREFIX)
          || !g_str_has_suffix (entry->d_name, TEMP_SUFFIX))
        continue;
      path = g_build_filename (dir, entry->d_name, NULL);
      fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0 && g_unlink (path) != 0)
        g_debug ("could not remove %s: %s", path, g_strerror (errno));
      close (fd);
    }
  closedir (d);
}

/* ---- writing ------------------------------------------------------------- */

typedef struct
{
  int          fd;      /* where the archive goes: a file, */
  ChSftp      *sftp;    /* or a file open on an SFTP server */
  const char  *name;    /* for messages */
  crypto_secretstream_xchacha20poly1305_state state;
  ZSTD_CCtx   *cctx;
  guint8      *zout;    /* compressed bytes waiting to be encrypted */
  gsize        zout_len;
  guint8      *frame;   /* u32 length + ciphertext */
  GBytes      *ad;      /* the plaintext header, authenticated by the first message */
  gboolean     first;
  GString     *manifest;
  guint        n_files;
  gint64       content_size;
  /* To a file, the encryption and the writes run on a thread of their own
   * (writer_thread) while the caller's reads, hashes and compresses. */
  GThread     *thread;
  GAsyncQueue *full;      /* Blocks to encrypt and write, in order */
  GAsyncQueue *empty;     /* Blocks written, to be filled again */
  GError      *thread_error;
  gint         failed;    /* atomic: thread_error is set */
  guint64      synced;    /* bytes written back, for sync_file_range() */
  guint64      written;
} Writer;

/* A message for the writer thread: CHUNK_SIZE bytes of zstd output. */
typedef struct
{
  guint8   *data;
  gsize     len;
  guint8    tag;
  gboolean  stop;         /* no message: the thread is to end */
} Block;

#define PIPE_BLOCKS 8
/* Start writing back every so many bytes, so that the last fsync has
 * little left to do. */
#define WRITEBACK_STEP (8 * 1024 * 1024)

static void
block_free (Block *block)
{
  if (block->data != NULL)
    sodium_memzero (block->data, CHUNK_SIZE);
  g_free (block->data);
  g_free (block);
}

static void writer_join (Writer *w);

static void
writer_clear (Writer *w)
{
  writer_join (w);
  g_clear_pointer (&w->full, g_async_queue_unref);
  g_clear_pointer (&w->empty, g_async_queue_unref);
  g_clear_error (&w->thread_error);
  g_clear_pointer (&w->cctx, ZSTD_freeCCtx);
  g_clear_pointer (&w->zout, g_free);
  g_clear_pointer (&w->frame, g_free);
  g_clear_pointer (&w->ad, g_bytes_unref);
  if (w->manifest != NULL)
    g_string_free (g_steal_pointer (&w->manifest), TRUE);
  sodium_memzero (&w->state, sizeof w->state);
}

static gboolean
writer_out (Writer       *w,
            const guint8 *data,
            gsize         len,
            GError      **error)
{
  if (w->sftp != NULL)
    return ch_sftp_write (w->sftp, data, len, error);
  return write_all (w->fd, data, len, w->name, error);
}

static gboolean
writer_push (Writer      *w,
             const guint8 *data,
             gsize         len,
             guint8        tag,
             GError      **error)
{
  unsigned long long clen = 0;
  gsize ad_len = 0;
  const guint8 *ad = NULL;

  if (w->first)
    ad = g_bytes_get_data (w->ad, &ad_len);

  crypto_secretstream_xchacha20poly1305_push (&w->state, w->frame + 4, &clen, data, len,
                                              ad, ad_len, tag);
  w->first = FALSE;
  put_le (w->frame, clen, 4);
  if (!writer_out (w, w->frame, 4 + (gsize) clen, error))
    return FALSE;

  w->written += 4 + clen;
  if (w->sftp == NULL && w->written - w->synced >= WRITEBACK_STEP)
    {
      /* Only a hint: the fsync at the end is what makes the archive safe. */
      sync_file_range (w->fd, (off_t) w->synced, (off_t) (w->written - w->synced),
                       SYNC_FILE_RANGE_WRITE);
      w->synced = w->written;
    }
  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;

  for (;;)
    {
      Block *block = g_async_queue_pop (w->full);
      gboolean last = block->stop || block->tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;

      /* After a failure the blocks still go back, unwritten, so that the
       * caller never waits for one. */
      if (!block->stop && !g_atomic_int_get (&w->failed)
          && !writer_push (w, block->data, block->len, block->tag, &w->thread_error))
        g_atomic_int_set (&w->failed, 1);
      g_async_queue_push (w->empty, block);
      if (last)
        return NULL;
    }
}

/* Ends the writer thread, if it runs; its error stays in thread_error. */
static void
writer_join (Writer *w)
{
  Block *stop;

  if (w->thread == NULL)
    return;
  stop = g_new0 (Block, 1);
  stop->stop = TRUE;
  g_async_queue_push (w->full, stop);
  g_thread_join (g_steal_pointer (&w->thread));
}

/* Encrypts and writes the compressed bytes in w->zout: on the writer thread
 * when there is one. */
static gboolean
writer_emit (Writer  *w,
             guint8   tag,
             GError **error)
{
  Block *block;
  guint8 *spare;

  if (w->full == NULL)
    return writer_push (w, w->zout, w->zout_len, tag, error);

  if (g_atomic_int_get (&w->failed))
    {
      writer_join (w);
      g_propagate_error (error, g_steal_pointer (&w->thread_error));
      return FALSE;
    }
  block = g_async_queue_pop (w->empty);
  spare = block->data;
  block->data = w->zout;
  block->len = w->zout_len;
  block->tag = tag;
  w->zout = spare;
  g_async_queue_push (w->full, block);
  return TRUE;
}

static gboolean
writer_compress (Writer       *w,
                 const guint8 *data,
                 gsize         len,
                 ZSTD_EndDirective mode,
                 GError      **error)
{
  ZSTD_inBuffer in = { data, len, 0 };

  for (;;)
    {
      ZSTD_outBuffer out = { w->zout + w->zout_len, CHUNK_SIZE - w->zout_len, 0 };
      size_t remaining = ZSTD_compressStream2 (w->cctx, &out, &in, mode);

      if (ZSTD_isError (remaining))
        {
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                       _("Could not compress the backup: %s"), ZSTD_getErrorName (remaining));
          return FALSE;
        }
      w->zout_len += out.pos;
      if (w->zout_len == CHUNK_SIZE)
        {
          if (!writer_emit (w, 0, error))
            return FALSE;
          w->zout_len = 0;
        }

      if (mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0)
        return TRUE;
    }
}

static gboolean
writer_put (Writer       *w,
            const void   *data,
            gsize         len,
            GError      **error)
{
  return len == 0 || writer_compress (w, data, len, ZSTD_e_continue, error);
}

static gboolean
writer_finish (Writer  *w,
               GError **error)
{
  if (!writer_compress (w, NULL, 0, ZSTD_e_end, error)
      || !writer_emit (w, crypto_secretstream_xchacha20poly1305_TAG_FINAL, error))
    return FALSE;
  /* The thread ends after the final message. */
  if (w->thread != NULL)
    g_thread_join (g_steal_pointer (&w->thread));
  if (w->thread_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&w->thread_error));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
make_header (const char   *key_id,
             gint64        created,
             const guint8 *keyring,
             gsize         keyring_len)
{
  GByteArray *header = g_byte_array_sized_new (FIXED_HEADER_LEN + keyring_len);
  guint8 fixed[FIXED_HEADER_LEN] = { 0 };
  guint8 *p = fixed;

  memcpy (p, MAGIC, MAGIC_LEN);
  p += MAGIC_LEN;
  put_le (p, CH_BACKUP_FORMAT_VERSION, 2);
  p += 4;
  memcpy (p, key_id, KEY_ID_LEN);
  p += KEY_ID_LEN;
  put_le (p, (guint64) created, 8);
  p += 8;
  put_le (p, keyring_len, 4);

  g_byte_array_append (header, fixed, sizeof fixed);
  g_byte_array_append (header, keyring, keyring_len);
  return g_byte_array_free_to_bytes (header);
}

static gboolean
writer_begin (Writer         *w,
              int             fd,
              ChSftp         *sftp,
              const char     *name,
              const ChSecret *backup_key,
              GBytes         *header,
              GError        **error)
{
  guint8 ss_header[SS_HEADER_BYTES];
  gsize len;
  const guint8 *data = g_bytes_get_data (header, &len);

  w->fd = fd;
  w->sftp = sftp;
  w->name = name;
  w->cctx = ZSTD_createCCtx ();
  w->zout = g_malloc (CHUNK_SIZE);
  w->frame = g_malloc (4 + CHUNK_SIZE + ABYTES);
  w->ad = g_bytes_ref (header);
  w->first = TRUE;
  w->manifest = g_string_new (NULL);
  if (w->cctx == NULL)
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("Could not start compressing the backup"));
      return FALSE;
    }
  ZSTD_CCtx_setParameter (w->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
  ZSTD_CCtx_setParameter (w->cctx, ZSTD_c_checksumFlag, 1);

  crypto_secretstream_xchacha20poly1305_init_push (&w->state, ss_header, backup_key->data);
  if (!writer_out (w, data, len, error) || !writer_out (w, ss_header, sizeof ss_header, error))
    return FALSE;
  w->written = len + sizeof ss_header;

  /* SFTP writes stay on the calling thread. */
  if (sftp == NULL)
    {
      w->full = g_async_queue_new ();
      w->empty = g_async_queue_new_full ((GDestroyNotify) block_free);
      for (guint i = 0; i < PIPE_BLOCKS; i++)
        {
          Block *block = g_new0 (Block, 1);

          block->data = g_malloc (CHUNK_SIZE);
          g_async_queue_push (w->empty, block);
        }
      w->thread = g_thread_new ("ch-backup-writer", writer_thread, w);
    }
  return TRUE;
}

typedef struct
{
  Writer  *w;
  crypto_generichash_state hash;
  const char *path;
  guint32  mode;
  guint64  size;
  guint64  done;
  gboolean started;
} FileRecord;

static gboolean
file_record_start (FileRecord  *rec,
                   Writer      *w,
                   const char  *path,
                   guint32      mode,
                   guint64      size,
                   GError     **error)
{
  guint8 head[1 + 2];
  guint8 tail[4 + 8];
  gsize path_len = strlen (path);

  rec->w = w;
  rec->path = path;
  rec->mode = mode;
  rec->size = size;
  rec->done = 0;
  rec->started = TRUE;
  crypto_generichash_init (&rec->hash, NULL, 0, HASH_BYTES);

  head[0] = 'F';
  put_le (head + 1, path_len, 2);
  put_le (tail, mode, 4);
  put_le (tail + 4, size, 8);
  return writer_put (w, head, sizeof head, error)
         && writer_put (w, path, path_len, error)
         && writer_put (w, tail, sizeof tail, error);
}

static gboolean
file_record_data (FileRecord   *rec,
                  const guint8 *data,
                  gsize         len,
                  GError      **error)
{
  if (rec->done + len > rec->size)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("“%s” grew while it was backed up"), rec->path);
      return FALSE;
    }
  rec->done += len;
  crypto_generichash_update (&rec->hash, data, len);
  return writer_put (rec->w, data, len, error);
}

static gboolean
file_record_end (FileRecord  *rec,
                 GError     **error)
{
  guint8 hash[HASH_BYTES];
  g_autofree char *hex = NULL;

  if (rec->done != rec->size)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("“%s” changed size while it was backed up"), rec->path);
      return FALSE;
    }
  crypto_generichash_final (&rec->hash, hash, sizeof hash);
  hex = hash_hex (hash);
  g_string_append_printf (rec->w->manifest, "file %" G_GUINT64_FORMAT " %s %o %s\n", rec->size,
                          hex, rec->mode, rec->path);
  rec->w->n_files++;
  rec->w->content_size += (gint64) rec->size;
  return TRUE;
}

static gboolean
write_bytes_record (Writer      *w,
                    const char  *path,
                    GBytes      *bytes,
                    GError     **error)
{
  FileRecord rec = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return file_record_start (&rec, w, path, 0600, len, error)
         && file_record_data (&rec, data, len, error)
         && file_record_end (&rec, error);
}

/* A regular file under the practice, streamed. A file that vanished since
 * it was listed is skipped: a blob is written once and never changed. */
static gboolean
write_file_record (Writer      *w,
                   const char  *abs_path,
                   const char  *member,
                   GError     **error)
{
  g_autofree guint8 *buf = NULL;
  FileRecord rec = { 0 };
  struct stat st;
  int fd;
  gboolean ok = FALSE;

  fd = open (abs_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return TRUE;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not read “%s” for the backup: %s"), abs_path, g_strerror (saved));
      return FALSE;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return TRUE;
    }

  buf = g_malloc (FILE_CHUNK);
  if (!file_record_start (&rec, w, member, st.st_mode & 0777, (guint64) st.st_size, error))
    goto out;

  for (;;)
    {
      gssize n = read_full (fd, buf, FILE_CHUNK);

      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                       _("Could not read “%s” for the backup: %s"), abs_path, g_strerror (saved));
          goto out;
        }
      if (n == 0)
        break;
      if (!file_record_data (&rec, buf, (gsize) n, error))
        goto out;
    }
  ok = file_record_end (&rec, error);

out:
  close (fd);
  return ok;
}

static gboolean
write_tree (Writer      *w,
            const char  *abs_dir,
            const char  *member_dir,
            guint       *n_files,
            GError     **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local_error = NULL;
  GDir *dir = g_dir_open (abs_dir, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not read “%s” for the backup: %s"), abs_dir, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    /* Temporary files of imports under way; never named by a row. */
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  for (guint i = 0; i < names->len; i++)
    {
      const char *child = g_ptr_array_index (names, i);
      g_autofree char *abs_path = g_build_filename (abs_dir, child, NULL);
      g_autofree char *member = g_strconcat (member_dir, "/", child, NULL);
      GStatBuf st;

      if (g_lstat (abs_path, &st) != 0)
        continue;
      if (!valid_member_path (member))
        {
          g_debug ("not backed up: %s", abs_path);
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!write_tree (w, abs_path, member, n_files, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        {
          if (!write_file_record (w, abs_path, member, error))
            return FALSE;
          (*n_files)++;
        }
    }
  return TRUE;
}

typedef struct
{
  Writer           *w;
  char             *member;  /* the record's path: owned, it outlives the call */
  FileRecord        rec;
} DbCopy;

static gboolean
db_copy_chunk (const char   *name,
               guint64       size,
               const guint8 *data,
               gsize         len,
               gpointer      user_data,
               GError      **error)
{
  DbCopy *copy = user_data;

  if (data == NULL)
    {
      if (copy->rec.started && !file_record_end (&copy->rec, error))
        return FALSE;
      copy->rec.started = FALSE;
      g_free (copy->member);
      copy->member = g_strdup (name);
      return file_record_start (&copy->rec, copy->w, copy->member, 0600, size, error);
    }
  return file_record_data (&copy->rec, data, len, error);
}

static gboolean
write_manifest (Writer                 *w,
                gint64                  created,
                const char             *key_id,
                const ChDbSnapshotInfo *info,
                GError                **error)
{
  g_autoptr (GString) text = g_string_new (MANIFEST_HEAD "\n");
  g_autofree char *name = g_strescape (info->practice_name != NULL ? info->practice_name : "", NULL);
  guint8 head[1 + 4];
  guint8 hash[HASH_BYTES];

  g_string_append_printf (text, "created %" G_GINT64_FORMAT "\n", created);
  g_string_append_printf (text, "key-id %s\n", key_id);
  g_string_append_printf (text, "practice %s\n", name);
  g_string_append_printf (text, "schema %d\n", info->schema_version);
  g_string_append_printf (text, "audit-head %s\n",
                          info->audit_head != NULL && *info->audit_head != '\0'
                          ? info->audit_head : "-");
  g_string_append (text, w->manifest->str);

  crypto_generichash (hash, sizeof hash, (const guint8 *) text->str, text->len, NULL, 0);
  head[0] = 'M';
  put_le (head + 1, text->len, 4);
  return writer_put (w, head, sizeof head, error)
         && writer_put (w, text->str, text->len, error)
         && writer_put (w, hash, sizeof hash, error)
         && writer_put (w, "Z", 1, error);
}

/* ---- reading ------------------------------------------------------------- */

typedef struct
{
  int          fd;
  char        *name;     /* the archive's path, for messages */
  crypto_secretstream_xchacha20poly1305_state state;
  ZSTD_DCtx   *dctx;
  guint8      *cipher;
  guint8      *plain;
  ZSTD_inBuffer in;
  guint8      *out;
  gsize        out_cap;
  gsize        out_pos;
  gsize        out_len;
  gboolean     flush_pending;
  gboolean     final_seen;
  GBytes      *ad;
  gboolean     first;
} Reader;

static void
reader_clear (Reader *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  g_clear_pointer (&r->name, g_free);
  g_clear_pointer (&r->dctx, ZSTD_freeDCtx);
  g_clear_pointer (&r->cipher, g_free);
  if (r->plain != NULL)
    sodium_memzero (r->plain, CHUNK_SIZE);
  g_clear_pointer (&r->plain, g_free);
  if (r->out != NULL)
    sodium_memzero (r->out, r->out_cap);
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->ad, g_bytes_unref);
  sodium_memzero (&r->state, sizeof r->state);
}

static gboolean
corrupt (Reader     *r,
         GError    **error,
         const char *why)
{
  g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
               _("The backup “%s” is damaged: %s"), r->name, why);
  return FALSE;
}

/* The plaintext header. Returns the info, the keyring's bytes and the header
 * as authenticated. */
/* The fixed part of an archive's header, @len bytes read of it, into @info. */
static gboolean
parse_fixed_header (const guint8 *fixed,
                    gssize        len,
                    const char   *path,
                    ChBackupInfo *info,
                    guint32      *out_keyring_len,
                    GError      **error)
{
  guint32 keyring_len;

  if (len != FIXED_HEADER_LEN || memcmp (fixed, MAGIC, MAGIC_LEN) != 0)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("“%s” is not a Charta backup, or is damaged: its header is unreadable"),
                   path);
      return FALSE;
    }

  info->format_version = (int) get_le (fixed + MAGIC_LEN, 2);
  if (info->format_version != CH_BACKUP_FORMAT_VERSION)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” has format %d, which this version of Charta cannot read"),
                   path, info->format_version);
      return FALSE;
    }

  info->key_id = g_strndup ((const char *) fixed + MAGIC_LEN + 4, KEY_ID_LEN);
  for (const char *p = info->key_id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      {
        g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                     _("The backup “%s” is damaged: its header is unreadable"), path);
        return FALSE;
      }
  info->created = (gint64) get_le (fixed + MAGIC_LEN + 4 + KEY_ID_LEN, 8);
  keyring_len = (guint32) get_le (fixed + MAGIC_LEN + 4 + KEY_ID_LEN + 8, 4);
  if (keyring_len == 0 || keyring_len > KEYRING_MAX || strlen (info->key_id) != KEY_ID_LEN)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” is damaged: its header is unreadable"), path);
      return FALSE;
    }
  *out_keyring_len = keyring_len;
  return TRUE;
}

static ChBackupInfo *
read_header (int          fd,
             const char  *path,
             GBytes     **out_keyring,
             GBytes     **out_header,
             GError     **error)
{
  g_autoptr (ChBackupInfo) info = g_new0 (ChBackupInfo, 1);
  g_autofree guint8 *keyring = NULL;
  guint8 fixed[FIXED_HEADER_LEN];
  guint32 keyring_len;
  struct stat st;
  gssize n;

  info->path = g_strdup (path);
  if (fstat (fd, &st) == 0)
    info->size = st.st_size;

  n = read_full (fd, fixed, sizeof fixed);
  if (!parse_fixed_header (fixed, n, path, info, &keyring_len, error))
    return NULL;

  keyring = g_malloc (keyring_len);
  if (read_full (fd, keyring, keyring_len) != (gssize) keyring_len)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” is damaged: it is cut short"), path);
      return NULL;
    }

  if (out_header != NULL)
    {
      GByteArray *header = g_byte_array_sized_new (sizeof fixed + keyring_len);

      g_byte_array_append (header, fixed, sizeof fixed);
      g_byte_array_append (header, keyring, keyring_len);
      *out_header = g_byte_array_free_to_bytes (header);
    }
  if (out_keyring != NULL)
    *out_keyring = g_bytes_new_take (g_steal_pointer (&keyring), keyring_len);

  return g_steal_pointer (&info);
}

/**
 * ch_backup_read_header:
 *
 * Reads what an archive says about itself in the clear: format, key id and
 * creation time. Proves nothing: ch_backup_verify() does.
 *
 * Returns: (transfer full): the info, or %NULL with a CH_BACKUP_ERROR
 */
ChBackupInfo *
ch_backup_read_header (const char *archive,
                       GError    **error)
{
  ChBackupInfo *info;
  int fd;

  g_return_val_if_fail (archive != NULL, NULL);

  fd = open (archive, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not open the backup “%s”: %s"), archive, g_strerror (saved));
      return NULL;
    }
  info = read_header (fd, archive, NULL, NULL, error);
  close (fd);
  return info;
}

static gboolean
reader_next_message (Reader  *r,
                     GError **error)
{
  guint8 len_bytes[4];
  unsigned long long mlen = 0;
  guint8 tag = 0;
  gsize ad_len = 0;
  const guint8 *ad = NULL;
  guint32 clen;
  gssize n;

  n = read_full (r->fd, len_bytes, sizeof len_bytes);
  if (n < 0)
    return corrupt (r, error, g_strerror (errno));
  if (n != (gssize) sizeof len_bytes)
    return corrupt (r, error, _("it is cut short"));

  clen = (guint32) get_le (len_bytes, 4);
  if (clen < ABYTES || clen > CHUNK_SIZE + ABYTES)
    return corrupt (r, error, _("a block has an impossible length"));

  n = read_full (r->fd, r->cipher, clen);
  if (n < 0)
    return corrupt (r, error, g_strerror (errno));
  if (n != (gssize) clen)
    return corrupt (r, error, _("it is cut short"));

  if (r->first)
    ad = g_bytes_get_data (r->ad, &ad_len);
  if (crypto_secretstream_xchacha20poly1305_pull (&r->state, r->plain, &mlen, &tag, r->cipher,
                                                  clen, ad, ad_len) != 0)
    return corrupt (r, error, _("its content fails authentication (changed or not this key's)"));
  r->first = FALSE;

  r->in.src = r->plain;
  r->in.size = (size_t) mlen;
  r->in.pos = 0;

  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    {
      guint8 extra;

      r->final_seen = TRUE;
      if (read_full (r->fd, &extra, 1) != 0)
        return corrupt (r, error, _("it has data past its end"));
    }
  return TRUE;
}

/* Fills the output buffer. Returns 1 with data, 0 at the end, -1 on error. */
static int
reader_fill (Reader  *r,
             GError **error)
{
  for (;;)
    {
      if (r->in.pos < r->in.size || r->flush_pending)
        {
          ZSTD_outBuffer out = { r->out, r->out_cap, 0 };
          size_t ret = ZSTD_decompressStream (r->dctx, &out, &r->in);

          if (ZSTD_isError (ret))
            {
              corrupt (r, error, ZSTD_getErrorName (ret));
              return -1;
            }
          r->flush_pending = out.pos == out.size;
          r->out_pos = 0;
          r->out_len = out.pos;
          if (out.pos > 0)
            return 1;
          continue;
        }

      if (r->final_seen)
        return 0;
      if (!reader_next_message (r, error))
        return -1;
    }
}

static gboolean
reader_read (Reader  *r,
             void    *buf,
             gsize    len,
             GError **error)
{
  guint8 *p = buf;

  while (len > 0)
    {
      gsize n;

      if (r->out_pos == r->out_len)
        {
          int got = reader_fill (r, error);

          if (got < 0)
            return FALSE;
          if (got == 0)
            return corrupt (r, error, _("it is cut short"));
        }
      n = MIN (len, r->out_len - r->out_pos);
      memcpy (p, r->out + r->out_pos, n);
      r->out_pos += n;
      p += n;
      len -= n;
    }
  return TRUE;
}

typedef struct
{
  guint64  size;
  char    *hash;
  guint32  mode;
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->hash);
  g_free (entry);
}

/* Opens the master key from the keyring an archive carries. */
static ChSecret *
unlock_archive (const char                *archive,
                GBytes                    *keyring_bytes,
                const ChBackupCredentials *credentials,
                GError                   **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("charta-keyring-XXXXXX", &local_error);
  g_autofree char *path = NULL;
  ChSecret *master = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (keyring_bytes, &len);

  if (tmp == NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not make a private temporary folder: %s"), local_error->message);
      return NULL;
    }
  path = g_build_filename (tmp, KEYRING_FILE, NULL);

  if (!g_file_set_contents_full (path, (const char *) data, (gssize) len,
                                 G_FILE_SET_CONTENTS_NONE, 0600, &local_error)
      || (keyring = ch_keyring_load (tmp, &local_error)) == NULL)
    {
      remove_tree (tmp);
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” is damaged: its key slots are unreadable (%s)"), archive,
                   local_error->message);
      return NULL;
    }
  remove_tree (tmp);

  if (credentials->recovery_key != NULL)
    master = ch_keyring_unlock_recovery (keyring, credentials->recovery_key, &local_error);
  else if (credentials->username != NULL && credentials->password != NULL)
    master = ch_keyring_unlock_user (keyring, credentials->username, credentials->password,
                                     &local_error);
  else
    g_set_error_literal (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_WRONG_KEY,
                         _("No password or recovery key given"));

  if (master == NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_WRONG_KEY,
                   _("Could not open the backup “%s”: %s"), archive, local_error->message);
      return NULL;
    }
  return master;
}

static gboolean
parse_manifest (Reader       *r,
                const char   *text,
                GHashTable   *seen,
                ChBackupInfo *info,
                GError      **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_listed = 0;

  if (lines[0] == NULL || !g_str_equal (lines[0], MANIFEST_HEAD))
    return corrupt (r, error, _("its manifest is unreadable"));

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "practice "))
        {
          g_free (info->practice_name);
          info->practice_name = g_strcompress (line + strlen ("practice "));
        }
      else if (g_str_has_prefix (line, "schema "))
        info->schema_version = (int) g_ascii_strtoll (line + strlen ("schema "), NULL, 10);
      else if (g_str_has_prefix (line, "audit-head "))
        {
          const char *head = line + strlen ("audit-head ");

          g_free (info->audit_head);
          info->audit_head = g_str_equal (head, "-") ? NULL : g_strdup (head);
        }
      else if (g_str_has_prefix (line, "key-id "))
        {
          if (g_strcmp0 (line + strlen ("key-id "), info->key_id) != 0)
            return corrupt (r, error, _("its manifest names another key"));
        }
      else if (g_str_has_prefix (line, "file "))
        {
          g_auto (GStrv) f = g_strsplit (line, " ", 5);
          Entry *entry;

          if (g_strv_length (f) != 5)
            return corrupt (r, error, _("its manifest is unreadable"));
          entry = g_hash_table_lookup (seen, f[4]);
          if (entry == NULL)
            {
              g_autofree char *why = g_strdup_printf (_("“%s” is listed but missing"), f[4]);
              return corrupt (r, error, why);
            }
          if (entry->size != g_ascii_strtoull (f[1], NULL, 10)
              || g_ascii_strcasecmp (entry->hash, f[2]) != 0)
            {
              g_autofree char *why = g_strdup_printf (_("“%s” does not match its hash"), f[4]);
              return corrupt (r, error, why);
            }
          n_listed++;
        }
    }

  if (n_listed != g_hash_table_size (seen))
    return corrupt (r, error, _("it holds files its manifest does not list"));
  if (!g_hash_table_contains (seen, DB_FILE) || !g_hash_table_contains (seen, KEYRING_FILE))
    return corrupt (r, error, _("it lacks the database or the key slots"));
  info->n_files = n_listed;
  return TRUE;
}

static gboolean
make_parents (const char *root,
              const char *member,
              GError    **error)
{
  g_autofree char *path = g_build_filename (root, member, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not create “%s”: %s"), parent, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Reads one file record's content, hashing it and writing it under
 * @out_root when given (with @only_db, the database only). */
static gboolean
read_file_record (Reader      *r,
                  const char  *out_root,
                  gboolean     only_db,
                  GHashTable  *seen,
                  GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree guint8 *buf = NULL;
  g_autofree char *out_path = NULL;
  crypto_generichash_state hash;
  guint8 digest[HASH_BYTES];
  guint8 len_bytes[2];
  guint8 tail[12];
  guint16 path_len;
  guint64 size;
  guint32 mode;
  Entry *entry;
  int fd = -1;
  gboolean ok = FALSE;

  if (!reader_read (r, len_bytes, sizeof len_bytes, error))
    return FALSE;
  path_len = (guint16) get_le (len_bytes, 2);
  if (path_len == 0 || path_len > PATH_MAX_LEN)
    return corrupt (r, error, _("a file has an impossible name"));
  path = g_malloc0 (path_len + 1u);
  if (!reader_read (r, path, path_len, error) || !reader_read (r, tail, sizeof tail, error))
    return FALSE;
  if (!valid_member_path (path))
    return corrupt (r, error, _("a file has an impossible name"));
  if (g_hash_table_contains (seen, path))
    return corrupt (r, error, _("a file is there twice"));
  mode = (guint32) get_le (tail, 4) & 0600;
  size = get_le (tail + 4, 8);

  if (out_root != NULL
      && (!only_db || g_str_equal (path, DB_FILE) || g_str_equal (path, DB_FILE "-wal")))
    {
      if (!make_parents (out_root, path, error))
        return FALSE;
      out_path = g_build_filename (out_root, path, NULL);
      fd = open (out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0)
        {
          int saved = errno;
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                       _("Could not write “%s”: %s"), out_path, g_strerror (saved));
          return FALSE;
        }
    }

  crypto_generichash_init (&hash, NULL, 0, HASH_BYTES);
  buf = g_malloc (FILE_CHUNK);
  for (guint64 done = 0; done < size;)
    {
      gsize n = (gsize) MIN ((guint64) FILE_CHUNK, size - done);

      if (!reader_read (r, buf, n, error))
        goto out;
      crypto_generichash_update (&hash, buf, n);
      if (fd >= 0 && !write_all (fd, buf, n, out_path, error))
        goto out;
      done += n;
    }
  crypto_generichash_final (&hash, digest, sizeof digest);

  if (fd >= 0 && fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not write “%s”: %s"), out_path, g_strerror (saved));
      goto out;
    }

  entry = g_new0 (Entry, 1);
  entry->size = size;
  entry->hash = hash_hex (digest);
  entry->mode = mode;
  g_hash_table_insert (seen, g_steal_pointer (&path), entry);
  ok = TRUE;

out:
  if (fd >= 0)
    close (fd);
  return ok;
}

/* Opens the database snapshot in @dir under @master and checks it; with
 * @username, also that this user may restore (the backup area, writable). */
static gboolean
check_database (const char     *archive,
                const char     *dir,
                const ChSecret *master,
                const char     *username,
                GError        **error)
{
  g_autofree char *path = g_build_filename (dir, DB_FILE, NULL);
  g_autoptr (ChSecret) db_key = ch_master_derive (master, CH_SUBKEY_DATABASE);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChStore) store = NULL;
  gboolean ok;

  store = ch_store_open (path, db_key->data, CH_STORE_FLAGS_NO_MIGRATE, &local_error);
  ok = store != NULL && ch_store_integrity_check (store, &local_error);
  if (!ok)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” is damaged: its database does not check out (%s)"),
                   archive, local_error->message);
      if (store != NULL)
        ch_store_close (store);
      return FALSE;
    }

  if (username != NULL)
    {
      g_autoptr (ChUserRecord) user = ch_db_user_lookup (store, username, NULL);
      ChRole role;

      if (user == NULL || user->disabled || !ch_role_from_string (user->role, &role)
          || ch_role_get_access (role, CH_AREA_BACKUP) < CH_ACCESS_WRITE)
        {
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_PERMISSION_DENIED,
                       _("%s may not open backups: that takes an administrator or the "
                         "office manager, or the recovery key"), username);
          ch_store_close (store);
          return FALSE;
        }
    }

  ch_store_close (store);
  return TRUE;
}

/* A verification writes the (still encrypted) database snapshot to a private
 * temporary folder, locked while in use. A process killed meanwhile leaves it
 * behind: the next verification removes the folders nobody holds. */
#define VERIFY_PREFIX "charta-verify-"

static void
remove_stale_verify_dirs (void)
{
  const char *tmp = g_get_tmp_dir ();
  GDir *dir = g_dir_open (tmp, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat st;
      int fd;

      if (!g_str_has_prefix (name, VERIFY_PREFIX))
        continue;
      path = g_build_filename (tmp, name, NULL);
      fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        continue;
      if (fstat (fd, &st) == 0 && st.st_uid == geteuid ()
          && flock (fd, LOCK_EX | LOCK_NB) == 0)
        remove_tree (path);
      close (fd);
    }
  g_dir_close (dir);
}

/* Reads an archive whole and checks everything. @master, when given, opens
 * it (the backup just written), else @credentials do. With @out_root, the
 * files are written there; else only the database, to a private temporary
 * folder removed after its check. */
static ChBackupInfo *
read_archive (const char                *archive,
              const ChSecret            *given_master,
              const ChBackupCredentials *credentials,
              const char                *out_root,
              ChSecret                 **out_master,
              GError                   **error)
{
  g_autoptr (ChBackupInfo) info = NULL;
  g_autoptr (GBytes) keyring = NULL;
  g_autoptr (GBytes) header = NULL;
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChSecret) backup_key = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) entry_free);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *tmp = NULL;
  guint8 ss_header[SS_HEADER_BYTES];
  Reader r = { .fd = -1 };
  int tmp_fd = -1;
  gboolean done = FALSE;
  gboolean ok = FALSE;

  r.name = g_strdup (archive);
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("The cryptography library could not start"));
      reader_clear (&r);
      return NULL;
    }
  r.fd = open (archive, O_RDONLY | O_CLOEXEC);
  if (r.fd < 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not open the backup “%s”: %s"), archive, g_strerror (saved));
      reader_clear (&r);
      return NULL;
    }

  info = read_header (r.fd, archive, &keyring, &header, error);
  if (info == NULL)
    goto out;

  if (given_master != NULL)
    master = ch_secret_dup (given_master);
  else
    master = unlock_archive (archive, keyring, credentials, error);
  if (master == NULL)
    goto out;

  key_id = ch_master_key_id (master);
  if (g_strcmp0 (key_id, info->key_id) != 0)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_CORRUPT,
                   _("The backup “%s” is damaged: its key slots do not match its content"),
                   archive);
      goto out;
    }

  backup_key = ch_master_derive (master, CH_SUBKEY_BACKUP);
  if (read_full (r.fd, ss_header, sizeof ss_header) != (gssize) sizeof ss_header)
    {
      corrupt (&r, error, _("it is cut short"));
      goto out;
    }
  if (crypto_secretstream_xchacha20poly1305_init_pull (&r.state, ss_header, backup_key->data) != 0)
    {
      corrupt (&r, error, _("its header is unreadable"));
      goto out;
    }

  r.dctx = ZSTD_createDCtx ();
  r.cipher = g_malloc (CHUNK_SIZE + ABYTES);
  r.plain = g_malloc (CHUNK_SIZE);
  r.out_cap = ZSTD_DStreamOutSize ();
  r.out = g_malloc (r.out_cap);
  r.ad = g_bytes_ref (header);
  r.first = TRUE;
  if (r.dctx == NULL)
    {
      corrupt (&r, error, _("could not start decompressing"));
      goto out;
    }

  if (out_root == NULL)
    {
      remove_stale_verify_dirs ();
      tmp = g_dir_make_tmp (VERIFY_PREFIX "XXXXXX", &local_error);
      if (tmp == NULL)
        {
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                       _("Could not make a private temporary folder: %s"), local_error->message);
          goto out;
        }
      tmp_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (tmp_fd >= 0)
        flock (tmp_fd, LOCK_EX | LOCK_NB);
    }

  while (!done)
    {
      guint8 type;

      if (!reader_read (&r, &type, 1, error))
        goto out;

      switch (type)
        {
        case 'F':
          if (info->n_files > 0)
            {
              corrupt (&r, error, _("it holds files past its manifest"));
              goto out;
            }
          /* When only verifying, the database goes to the temporary
           * folder (to be checked), the other files nowhere. */
          if (!read_file_record (&r, out_root != NULL ? out_root : tmp, out_root == NULL, seen,
                                 error))
            goto out;
          break;

        case 'M':
          {
            g_autofree char *text = NULL;
            guint8 len_bytes[4];
            guint8 hash[HASH_BYTES];
            guint8 expected[HASH_BYTES];
            guint32 len;

            if (info->n_files > 0)
              {
                corrupt (&r, error, _("it has two manifests"));
                goto out;
              }
            if (!reader_read (&r, len_bytes, sizeof len_bytes, error))
              goto out;
            len = (guint32) get_le (len_bytes, 4);
            if (len == 0 || len > MANIFEST_MAX)
              {
                corrupt (&r, error, _("its manifest is unreadable"));
                goto out;
              }
            text = g_malloc (len + 1u);
            text[len] = '\0';
            if (!reader_read (&r, text, len, error)
                || !reader_read (&r, expected, sizeof expected, error))
              goto out;
            crypto_generichash (hash, sizeof hash, (const guint8 *) text, len, NULL, 0);
            if (sodium_memcmp (hash, expected, sizeof hash) != 0 || strlen (text) != len)
              {
                corrupt (&r, error, _("its manifest does not match its hash"));
                goto out;
              }
            if (!parse_manifest (&r, text, seen, info, error))
              goto out;
          }
          break;

        case 'Z':
          {
            int more = r.out_pos < r.out_len ? 1 : reader_fill (&r, error);

            if (more < 0)
              goto out;
            if (more > 0)
              {
                corrupt (&r, error, _("it has data past its end"));
                goto out;
              }
            if (info->n_files == 0)
              {
                corrupt (&r, error, _("it has no manifest"));
                goto out;
              }
            done = TRUE;
          }
          break;

        default:
          corrupt (&r, error, _("it holds a record of an unknown kind"));
          goto out;
        }
    }

  if (!check_database (archive, out_root != NULL ? out_root : tmp, master,
                       given_master == NULL && credentials->recovery_key == NULL
                       ? credentials->username : NULL,
                       error))
    goto out;

  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      info->content_size += (gint64) ((Entry *) value)->size;
  }

  ok = TRUE;

out:
  reader_clear (&r);
  if (tmp != NULL)
    remove_tree (tmp);
  if (tmp_fd >= 0)
    close (tmp_fd);
  if (!ok)
    return NULL;
  if (out_master != NULL)
    *out_master = g_steal_pointer (&master);
  return g_steal_pointer (&info);
}

/**
 * ch_backup_verify:
 *
 * Reads @archive back whole: decrypts and authenticates every block, checks
 * every file against the manifest and the manifest against its hash, and
 * opens the database snapshot (still encrypted, in a private temporary
 * folder) to run SQLCipher's integrity check.
 *
 * Returns: (transfer full): what the archive holds, or %NULL with
 *   CH_BACKUP_ERROR_CORRUPT (the message names the archive),
 *   CH_BACKUP_ERROR_WRONG_KEY or CH_BACKUP_ERROR_PERMISSION_DENIED
 */
ChBackupInfo *
ch_backup_verify (const char                *archive,
                  const ChBackupCredentials *credentials,
                  GError                   **error)
{
  g_return_val_if_fail (archive != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  return read_archive (archive, NULL, credentials, NULL, NULL, error);
}

/* ---- backing up ---------------------------------------------------------- */

static void
progress_say (ChBackupProgress progress,
              gpointer         user_data,
              const char      *message)
{
  if (progress != NULL)
    progress (message, user_data);
}

/* A name that sorts after every archive in @names (those in the target): a
 * second backup within the same second gets "-2", and so on. */
static char *
archive_name_for (GPtrArray *names,
                  GDateTime *when)
{
  g_autofree char *stamp = g_date_time_format (when, "%Y%m%d-%H%M%S");
  g_autofree char *prefix = g_strconcat (ARCHIVE_PREFIX, stamp, NULL);
  guint64 next = 1;

  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      const char *rest;

      if (!g_str_has_prefix (name, prefix))
        continue;
      rest = name + strlen (prefix);
      next = MAX (next, rest[0] == '-' ? g_ascii_strtoull (rest + 1, NULL, 10) + 1 : 2);
    }

  if (next == 1)
    return g_strconcat (prefix, ARCHIVE_SUFFIX, NULL);
  return g_strdup_printf ("%s-%" G_GUINT64_FORMAT ARCHIVE_SUFFIX, prefix, next);
}

/* ---- retention ---------------------------------------------------------- */

void
ch_backup_retention_default (ChBackupRetention *retention)
{
  g_return_if_fail (retention != NULL);

  retention->last = 0;
  retention->daily = CH_BACKUP_DEFAULT_KEEP_DAILY;
  retention->weekly = CH_BACKUP_DEFAULT_KEEP_WEEKLY;
  retention->monthly = CH_BACKUP_DEFAULT_KEEP_MONTHLY;
}

typedef enum
{
  PERIOD_DAY,
  PERIOD_WEEK,
  PERIOD_MONTH,
} Period;

static gint64
period_key (gint64     time,
            Period     period,
            GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;

  /* Out of GDateTime's range: a period of its own. */
  if (local == NULL)
    return G_MININT64 + time;

  switch (period)
    {
    case PERIOD_DAY:
      return (gint64) g_date_time_get_year (local) * 10000
             + g_date_time_get_month (local) * 100 + g_date_time_get_day_of_month (local);
    case PERIOD_WEEK:
      return (gint64) g_date_time_get_week_numbering_year (local) * 100
             + g_date_time_get_week_of_year (local);
    case PERIOD_MONTH:
    default:
      return (gint64) g_date_time_get_year (local) * 100 + g_date_time_get_month (local);
    }
}

static int
compare_items_newest_first (gconstpointer a,
                            gconstpointer b,
                            gpointer      user_data)
{
  const ChBackupArchiveItem *items = user_data;
  const ChBackupArchiveItem *ia = &items[*(const guint *) a];
  const ChBackupArchiveItem *ib = &items[*(const guint *) b];

  if (ia->time != ib->time)
    return ia->time > ib->time ? -1 : 1;
  /* Within a second, by the -N a later backup got. */
  if (ia->name != NULL && ib->name != NULL && is_archive_name (ia->name)
      && is_archive_name (ib->name))
    return compare_archive_names (&ia->name, &ib->name);
  return g_strcmp0 (ib->name, ia->name);
}

static void
keep_per_period (ChBackupArchiveItem *items,
                 const guint         *order,
                 guint                n_good,
                 guint                n_periods,
                 Period               period,
                 GTimeZone           *tz)
{
  guint seen = 0;
  gint64 previous = 0;

  for (guint i = 0; i < n_good && n_periods > 0; i++)
    {
      gint64 key = period_key (items[order[i]].time, period, tz);

      if (seen > 0 && key == previous)
        continue;
      /* The newest archive of a period it has not seen yet. */
      if (++seen > n_periods)
        break;
      items[order[i]].keep = TRUE;
      previous = key;
    }
}

/**
 * ch_backup_retention_decide:
 * @items: (array length=n_items) (inout): the archives in a target, in any
 *   order; on return, @keep says which stay
 * @tz: (nullable): where days, weeks and months begin (%NULL: local time)
 *
 * Decides what retention keeps, without touching a file. An archive not
 * @good (one that no successful run of this practice wrote: someone else's,
 * or a copy put there by hand) is always kept and counts for nothing. Of
 * the good ones: the newest of each of the @retention->daily most recent
 * days that have one, likewise for ISO weeks and months, and the
 * @retention->last newest. The newest good archive, the last good backup,
 * is always kept, whatever @retention says.
 */
void
ch_backup_retention_decide (ChBackupArchiveItem     *items,
                            guint                    n_items,
                            const ChBackupRetention *retention,
                            GTimeZone               *tz)
{
  g_autoptr (GTimeZone) local = NULL;
  g_autofree guint *order = NULL;
  guint n_good = 0;

  g_return_if_fail (items != NULL || n_items == 0);
  g_return_if_fail (retention != NULL);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();

  order = g_new (guint, MAX (n_items, 1));
  for (guint i = 0; i < n_items; i++)
    {
      items[i].keep = !items[i].good;
      if (items[i].good)
        order[n_good++] = i;
    }
  if (n_good == 0)
    return;

  g_qsort_with_data (order, (gint) n_good, sizeof (guint), compare_items_newest_first, items);

  items[order[0]].keep = TRUE;
  for (guint i = 0; i < MIN (retention->last, n_good); i++)
    items[order[i]].keep = TRUE;
  keep_per_period (items, order, n_good, retention->daily, PERIOD_DAY, tz);
  keep_per_period (items, order, n_good, retention->weekly, PERIOD_WEEK, tz);
  keep_per_period (items, order, n_good, retention->monthly, PERIOD_MONTH, tz);
}

/* When the archive @name was made: its UTC time stamp. */
static gint64
archive_name_time (const char *name)
{
  const char *stamp = name + strlen (ARCHIVE_PREFIX);
  int y, mo, d, h, mi, sec;
  g_autoptr (GDateTime) when = NULL;

  if (sscanf (stamp, "%4d%2d%2d-%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return 0;
  when = g_date_time_new_utc (y, mo, d, h, mi, sec);
  return when != NULL ? g_date_time_to_unix (when) : 0;
}

typedef gboolean (*RemoveFunc) (gpointer    target,
                                const char *name,
                                GError    **error);

static gboolean
remove_from_dir (gpointer    target_dir,
                 const char *name,
                 GError    **error)
{
  g_autofree char *path = g_build_filename (target_dir, name, NULL);

  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET, "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
remove_from_sftp (gpointer    sftp,
                  const char *name,
                  GError    **error)
{
  return ch_sftp_remove (sftp, name, error);
}

/* Deletes the archives retention lets go of @names (those in @target, where
 * @where shows it to a person), only ever those a successful run recorded
 * writing there. The newest it wrote is the one just written and verified,
 * so the last good backup always stays. */
static void
apply_retention (ChStore                 *store,
                 const char              *target,
                 const char              *where,
                 GPtrArray               *names,
                 RemoveFunc               remove,
                 gpointer                 remove_data,
                 const ChBackupRetention *retention,
                 ChBackupProgress         progress,
                 gpointer                 user_data)
{
  g_autofree ChBackupArchiveItem *items = NULL;

  if (names == NULL || names->len == 0)
    return;

  items = g_new0 (ChBackupArchiveItem, names->len);
  for (guint i = 0; i < names->len; i++)
    {
      gboolean wrote = FALSE;

      items[i].name = g_ptr_array_index (names, i);
      items[i].time = archive_name_time (items[i].name);
      items[i].good = ch_db_backup_run_wrote (store, target, items[i].name, &wrote, NULL)
                      && wrote;
    }

  ch_backup_retention_decide (items, names->len, retention, NULL);

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *line = NULL;

      if (items[i].keep || !items[i].good)
        continue;
      path = g_build_filename (where, items[i].name, NULL);
      if (!remove (remove_data, items[i].name, &local_error))
        {
          g_warning ("Could not remove the old backup %s: %s", path, local_error->message);
          continue;
        }
      line = g_strdup_printf (_("Removed the old backup %s"), path);
      progress_say (progress, user_data, line);
    }
}

/* A backup takes the whole practice elsewhere: the audit trail says so. */
static void
audit_backup (ChSession  *session,
              const char *where,
              const char *name,
              gint64      size)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *detail = g_strdup_printf ("backup: written and verified, %s/%s, %"
                                             G_GINT64_FORMAT " bytes", where, name, size);

  if (!ch_session_audit (session, CH_AUDIT_EXPORT, "backup", name, 0, detail, &local_error))
    g_warning ("Could not record the backup in the audit trail: %s", local_error->message);
}

static void
record_run (ChStore    *store,
            const char *target_dir,
            gint64      started_us,
            const char *archive_name,
            gint64      size,
            GError     *failure)
{
  g_autoptr (GError) local_error = NULL;
  gint64 now_us = g_get_real_time ();
  ChBackupRunRecord record = {
    .started_at = started_us / G_USEC_PER_SEC,
    .finished_at = now_us / G_USEC_PER_SEC,
    .ok = failure == NULL,
    .target = (char *) target_dir,
    .archive = (char *) archive_name,
    .size = size,
    .duration_ms = (now_us - started_us) / 1000,
    .reason = failure != NULL ? failure->message : NULL,
  };

  if (!ch_db_backup_run_insert (store, &record, &local_error))
    g_warning ("Could not record the backup run: %s", local_error->message);
}

/* Writes the archive to @fd, or to the file open in @sftp. */
static gboolean
write_archive (ChSession        *session,
               int               fd,
               ChSftp           *sftp,
               const char       *tmp_path,
               gint64            created,
               ChBackupProgress  progress,
               gpointer          user_data,
               GError          **error)
{
  const ChSecret *master = ch_session_get_master_key (session);
  const char *practice_dir = ch_practice_get_dir (ch_session_get_practice (session));
  g_autofree char *keyring_path = g_build_filename (practice_dir, KEYRING_FILE, NULL);
  g_autofree char *documents = g_build_filename (practice_dir, DOCUMENTS_DIR, NULL);
  g_autofree char *keyring_data = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GBytes) keyring = NULL;
  g_autoptr (GBytes) header = NULL;
  g_autoptr (ChSecret) backup_key = NULL;
  g_autoptr (GError) local_error = NULL;
  ChDbSnapshotInfo info = { 0 };
  Writer w = { 0 };
  DbCopy copy = { 0 };
  gsize keyring_len = 0;
  guint n_docs = 0;
  gboolean ok = FALSE;

  if (!g_file_get_contents (keyring_path, &keyring_data, &keyring_len, &local_error))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not read the key slots: %s"), local_error->message);
      return FALSE;
    }
  keyring = g_bytes_new_take (g_steal_pointer (&keyring_data), keyring_len);

  key_id = ch_master_key_id (master);
  backup_key = ch_master_derive (master, CH_SUBKEY_BACKUP);
  header = make_header (key_id, created, g_bytes_get_data (keyring, NULL), keyring_len);

  if (!writer_begin (&w, fd, sftp, tmp_path, backup_key, header, error))
    goto out;

  progress_say (progress, user_data, _("Copying the database…"));
  copy.w = &w;
  if (!ch_db_backup_snapshot (ch_session_get_store (session), &info, db_copy_chunk, &copy, error))
    goto out;
  if (!copy.rec.started)
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("The practice database could not be copied"));
      goto out;
    }
  if (!file_record_end (&copy.rec, error))
    goto out;

  if (!write_bytes_record (&w, KEYRING_FILE, keyring, error))
    goto out;

  progress_say (progress, user_data, _("Copying the documents…"));
  if (!write_tree (&w, documents, DOCUMENTS_DIR, &n_docs, error))
    goto out;

  if (!write_manifest (&w, created, key_id, &info, error) || !writer_finish (&w, error))
    goto out;

  if (sftp != NULL)
    {
      if (!ch_sftp_finish (sftp, error))
        goto out;
    }
  else if (fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not write “%s”: %s"), tmp_path, g_strerror (saved));
      goto out;
    }

  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Wrote the database and %u document",
                                       "Wrote the database and %u documents", n_docs),
                          n_docs);
  progress_say (progress, user_data, line);
  ok = TRUE;

out:
  writer_clear (&w);
  g_free (copy.member);
  ch_db_snapshot_info_clear (&info);
  return ok;
}

/**
 * ch_backup_now:
 * @target_dir: the folder to write the archive into; it must exist
 * @retention: (nullable): which archives to keep there (%NULL: the
 *   default, 7 daily, 4 weekly, 12 monthly)
 * @progress: (nullable): told what is being done
 *
 * Backs the practice up into one archive in @target_dir, verifies it and
 * only then gives it its name; records the run (either way) for
 * ch_backup_status(); removes the archives @retention lets go, of those it
 * wrote. Needs write access to backups.
 *
 * Returns: (transfer full): the archive's path, or %NULL with a
 *   CH_BACKUP_ERROR, CH_STORE_ERROR or CH_AUTH_ERROR
 */
char *
ch_backup_now (ChSession        *session,
               const char       *target_dir,
               const ChBackupRetention *retention,
               ChBackupProgress  progress,
               gpointer          user_data,
               GError          **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (ChBackupInfo) verified = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *final_path = NULL;
  gint64 started = g_get_real_time ();
  ChBackupRetention default_retention;
  ChStore *store;
  struct stat st;
  int fd = -1;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (target_dir != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_WRITE, error))
    return NULL;
  store = ch_session_get_store (session);

  if (!g_file_test (target_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("The backup folder “%s” does not exist or is not a folder"), target_dir);
      goto fail;
    }

  remove_stale_temps (target_dir);

  tmp_path = g_build_filename (target_dir, TEMP_PREFIX "XXXXXX" TEMP_SUFFIX, NULL);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not write to the backup folder “%s”: %s"), target_dir,
                   g_strerror (saved));
      g_clear_pointer (&tmp_path, g_free);
      goto fail;
    }
  /* Tells the next run that this temporary file is not a leftover. */
  flock (fd, LOCK_EX | LOCK_NB);

  if (!write_archive (session, fd, NULL, tmp_path, g_date_time_to_unix (now), progress, user_data,
                      &local_error))
    goto fail;

  progress_say (progress, user_data, _("Verifying the backup…"));
  verified = read_archive (tmp_path, ch_session_get_master_key (session), NULL, NULL, NULL,
                           &local_error);
  if (verified == NULL)
    goto fail;

  names = list_archive_names (target_dir, NULL);
  name = archive_name_for (names, now);
  final_path = g_build_filename (target_dir, name, NULL);
  /* Killed between the rename and the record, the archive is still known
   * as this practice's own to retention. */
  ch_db_backup_pending_set (store, target_dir, name, started / G_USEC_PER_SEC, NULL);
  if (g_rename (tmp_path, final_path) != 0 || !fsync_dir (target_dir))
    {
      int saved = errno;
      ch_db_backup_pending_set (store, target_dir, name, 0, NULL);
      g_set_error (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not name the backup “%s”: %s"), final_path, g_strerror (saved));
      g_clear_pointer (&final_path, g_free);
      goto fail;
    }
  g_clear_pointer (&tmp_path, g_free);
  close (fd);
  fd = -1;

  record_run (store, target_dir, started, name,
              g_stat (final_path, &st) == 0 ? (gint64) st.st_size : 0, NULL);
  ch_db_backup_pending_set (store, target_dir, name, 0, NULL);
  audit_backup (session, target_dir, name, g_stat (final_path, &st) == 0 ? st.st_size : 0);
  if (retention == NULL)
    {
      ch_backup_retention_default (&default_retention);
      retention = &default_retention;
    }
  g_clear_pointer (&names, g_ptr_array_unref);
  names = list_archive_names (target_dir, NULL);
  apply_retention (store, target_dir, target_dir, names, remove_from_dir, (gpointer) target_dir,
                   retention, progress, user_data);
  return g_steal_pointer (&final_path);

fail:
  if (tmp_path != NULL)
    g_unlink (tmp_path);
  if (fd >= 0)
    close (fd);
  record_run (store, target_dir, started, NULL, 0, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * ch_backup_list:
 *
 * Returns: (transfer full) (element-type ChBackupInfo): the archives in
 *   @target_dir, newest first, as their headers describe them (unverified);
 *   one whose header is unreadable has format_version 0
 */
GPtrArray *
ch_backup_list (const char *target_dir,
                GError    **error)
{
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_backup_info_free);

  g_return_val_if_fail (target_dir != NULL, NULL);

  names = list_archive_names (target_dir, error);
  if (names == NULL)
    return NULL;

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (target_dir, g_ptr_array_index (names, i), NULL);
      ChBackupInfo *info = ch_backup_read_header (path, NULL);

      if (info == NULL)
        {
          GStatBuf st;

          info = g_new0 (ChBackupInfo, 1);
          info->path = g_strdup (path);
          if (g_stat (path, &st) == 0)
            info->size = st.st_size;
        }
      g_ptr_array_add (infos, info);
    }
  return g_steal_pointer (&infos);
}

/* ---- restoring ----------------------------------------------------------- */

/* Takes the practice lock in @dir exclusively: every session holds it shared.
 * Returns: its descriptor, -1 when @dir has no lock file, or -2 with
 *   CH_BACKUP_ERROR_EXISTS while the practice is open */
static int
lock_practice_exclusive (const char *dir,
                         GError    **error)
{
  g_autofree char *path = g_build_filename (dir, "practice.lock", NULL);
  int fd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_EXISTS,
                   _("The practice in “%s” is open (a window, a desk, charta-admin or the "
                     "backup service): close it everywhere, then restore over it"), dir);
      return -2;
    }
  return fd;
}

static gboolean
dir_is_empty (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  gboolean empty;

  if (dir == NULL)
    return FALSE;
  empty = g_dir_read_name (dir) == NULL;
  g_dir_close (dir);
  return empty;
}

/**
 * ch_backup_restore:
 * @to_dir: a folder that does not exist yet or is empty; with @replace, an
 *   existing practice there is moved aside to TO_DIR.before-restore-STAMP
 * @out_moved_aside: (out) (optional): where the old folder went, if it did
 *
 * Verifies @archive while writing it into a new folder beside @to_dir, then
 * puts that folder in place: @to_dir is the practice as backed up, or what
 * it was. The restored practice gets a new backup service slot.
 *
 * Returns: (transfer full): what was restored, or %NULL with a CH_BACKUP_ERROR
 */
ChBackupInfo *
ch_backup_restore (const char                *archive,
                   const ChBackupCredentials *credentials,
                   const char                *to_dir,
                   gboolean                   replace,
                   char                     **out_moved_aside,
                   GError                   **error)
{
  g_autofree char *target = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *aside = NULL;
  g_autoptr (ChBackupInfo) info = NULL;
  g_autoptr (ChSecret) master = NULL;
  g_autoptr (ChKeyring) keyring = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean exists;
  int lock_fd = -1;

  g_return_val_if_fail (archive != NULL && to_dir != NULL && credentials != NULL, NULL);

  target = g_canonicalize_filename (to_dir, NULL);
  parent = g_path_get_dirname (target);
  base = g_path_get_basename (target);

  exists = g_file_test (target, G_FILE_TEST_EXISTS);
  if (exists && !g_file_test (target, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_EXISTS,
                   _("Cannot restore into “%s”: it is a file, not a folder"), target);
      return NULL;
    }
  if (exists && !dir_is_empty (target) && !replace)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_EXISTS,
                   _("Cannot restore into “%s”: the folder is not empty (give --replace to "
                     "move what is there aside)"), target);
      return NULL;
    }
  /* Refused at once rather than after reading the whole archive. */
  if (exists && replace)
    {
      lock_fd = lock_practice_exclusive (target, error);
      if (lock_fd == -2)
        return NULL;
      if (lock_fd >= 0)
        close (lock_fd);
      lock_fd = -1;
    }

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not create “%s”: %s"), parent, g_strerror (saved));
      return NULL;
    }
  staging = g_strdup_printf ("%s/.%s.restore-XXXXXX", parent, base);
  if (g_mkdtemp_full (staging, 0700) == NULL)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not restore into “%s”: %s"), parent, g_strerror (saved));
      return NULL;
    }

  info = read_archive (archive, NULL, credentials, staging, &master, error);
  if (info == NULL)
    goto fail;

  documents = g_build_filename (staging, DOCUMENTS_DIR, NULL);
  if (g_mkdir_with_parents (documents, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not create “%s”: %s"), documents, g_strerror (saved));
      goto fail;
    }

  /* The archive carries no service slot (see above): the restored practice
   * gets a new one, so that its backups can run unattended again. */
  keyring = ch_keyring_load (staging, &local_error);
  if (keyring == NULL || !ch_keyring_set_service (keyring, master, &local_error)
      || !ch_keyring_save (keyring, &local_error))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not write the restored practice's key slots: %s"),
                   local_error->message);
      goto fail;
    }
  fsync_dir (documents);
  fsync_dir (staging);

  if (g_file_test (target, G_FILE_TEST_IS_DIR))
    {
      if (dir_is_empty (target))
        g_rmdir (target);
      else
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
          /* Not from under anyone: every session holds the lock shared, and
           * keeps it held while the folder moves. */
          lock_fd = lock_practice_exclusive (target, error);
          if (lock_fd == -2)
            goto fail;
          g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

          aside = g_strdup_printf ("%s.before-restore-%s", target, stamp);
          if (g_rename (target, aside) != 0)
            {
              int saved = errno;
              g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("Could not move “%s” aside: %s"), target, g_strerror (saved));
              goto fail;
            }
        }
    }

  if (g_rename (staging, target) != 0)
    {
      int saved = errno;
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not put the restored practice in “%s”: %s"), target,
                   g_strerror (saved));
      if (aside != NULL)
        g_rename (aside, target);
      goto fail;
    }
  fsync_dir (parent);
  if (lock_fd >= 0)
    close (lock_fd);

  if (out_moved_aside != NULL)
    *out_moved_aside = g_steal_pointer (&aside);
  return g_steal_pointer (&info);

fail:
  if (lock_fd >= 0)
    close (lock_fd);
  remove_tree (staging);
  return NULL;
}

/* ---- status -------------------------------------------------------------- */

/**
 * ch_backup_status:
 * @out_last_ok: (out) (transfer full) (nullable): the newest successful run
 * @out_last_failed: (out) (transfer full) (nullable): the newest failed run
 *
 * Needs read access to backups.
 */
gboolean
ch_backup_status (ChSession          *session,
                  ChBackupRunRecord **out_last_ok,
                  ChBackupRunRecord **out_last_failed,
                  GError            **error)
{
  g_autoptr (GError) local_error = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_READ, error))
    return FALSE;
  store = ch_session_get_store (session);

  *out_last_ok = ch_db_backup_run_last (store, TRUE, &local_error);
  if (local_error == NULL)
    *out_last_failed = ch_db_backup_run_last (store, FALSE, &local_error);
  if (local_error != NULL)
    {
      g_clear_pointer (out_last_ok, ch_backup_run_record_free);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
ch_backup_status_free (ChBackupStatus *status)
{
  if (status == NULL)
    return;
  ch_backup_run_record_free (status->last_ok);
  ch_backup_run_record_free (status->last_failed);
  g_free (status->target);
  g_free (status);
}

/* ---- configuration -------------------------------------------------------- */

/* In the practice's settings table (no migration): what the office manager
 * configured, read by charta-admin and charta-backupd alike. */
#define KEY_TARGET        "backup.target"
#define KEY_IDENTITY      "backup.identity"
#define KEY_TIME          "backup.time"
#define KEY_KEEP_DAILY    "backup.keep-daily"
#define KEY_KEEP_WEEKLY   "backup.keep-weekly"
#define KEY_KEEP_MONTHLY  "backup.keep-monthly"
/* "HOST:PORT TYPE SHA256:…" a line, one for each SFTP server seen */
#define KEY_HOST_KEYS     "backup.sftp-host-keys"

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID, message);
  return FALSE;
}

/* Returns: (transfer full): the defaults: no target, 02:00, 7/4/12 */
ChBackupConfig *
ch_backup_config_new (void)
{
  ChBackupConfig *config = g_new0 (ChBackupConfig, 1);

  config->hour = CH_BACKUP_DEFAULT_HOUR;
  config->minute = CH_BACKUP_DEFAULT_MINUTE;
  ch_backup_retention_default (&config->retention);
  return config;
}

void
ch_backup_config_free (ChBackupConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->target);
  g_free (config->identity);
  g_free (config->host_key);
  g_free (config);
}

/**
 * ch_backup_parse_time:
 *
 * Parses "HH:MM" (24-hour clock).
 *
 * Returns: %TRUE, or %FALSE with CH_BACKUP_ERROR_INVALID
 */
gboolean
ch_backup_parse_time (const char *text,
                      guint      *out_hour,
                      guint      *out_minute,
                      GError    **error)
{
  guint hour, minute;

  if (text == NULL || strlen (text) != 5 || !g_ascii_isdigit (text[0])
      || !g_ascii_isdigit (text[1]) || text[2] != ':' || !g_ascii_isdigit (text[3])
      || !g_ascii_isdigit (text[4]))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                   _("“%s” is not a time: give HH:MM, for example 02:30"), text ? text : "");
      return FALSE;
    }
  hour = (guint) ((text[0] - '0') * 10 + (text[1] - '0'));
  minute = (guint) ((text[3] - '0') * 10 + (text[4] - '0'));
  if (hour > 23 || minute > 59)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                   _("“%s” is not a time: the hour is 00 to 23, the minute 00 to 59"), text);
      return FALSE;
    }
  *out_hour = hour;
  *out_minute = minute;
  return TRUE;
}

static gboolean
valid_sftp_user (const char *user)
{
  if (*user == '\0' || strlen (user) > 64)
    return FALSE;
  for (const char *p = user; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-'))
      return FALSE;
  return TRUE;
}

static gboolean
valid_host (const char *host)
{
  gsize len = strlen (host);

  if (len == 0 || len > 253)
    return FALSE;
  /* An IPv6 literal, in brackets. */
  if (host[0] == '[')
    {
      if (host[len - 1] != ']' || len < 4)
        return FALSE;
      for (gsize i = 1; i < len - 1; i++)
        if (!(g_ascii_isxdigit (host[i]) || host[i] == ':' || host[i] == '.'))
          return FALSE;
      return TRUE;
    }
  for (const char *p = host; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '-'))
      return FALSE;
  return host[0] != '-' && host[0] != '.';
}

/* sftp://USER@HOST[:PORT]/PATH, rebuilt from its parts. */
static char *
normalize_sftp (const char *target,
                GError    **error)
{
  const char *rest = target + strlen ("sftp://");
  const char *at = strchr (rest, '@');
  const char *slash = strchr (rest, '/');
  g_autofree char *user = NULL;
  g_autofree char *hostport = NULL;
  g_autofree char *host = NULL;
  const char *path;
  const char *colon;
  guint64 port = 22;

  if (at == NULL || slash == NULL || at > slash)
    goto bad;
  user = g_strndup (rest, (gsize) (at - rest));
  hostport = g_strndup (at + 1, (gsize) (slash - at - 1));
  path = slash;

  colon = strrchr (hostport, ':');
  if (colon != NULL && (hostport[0] != '[' || colon > strchr (hostport, ']')))
    {
      char *end = NULL;

      if (colon[1] == '\0')
        goto bad;
      port = g_ascii_strtoull (colon + 1, &end, 10);
      if (*end != '\0' || port < 1 || port > 65535)
        {
          g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                       _("“%s”: the port is a number from 1 to 65535"), target);
          return NULL;
        }
      host = g_strndup (hostport, (gsize) (colon - hostport));
    }
  else
    host = g_strdup (hostport);

  if (!valid_sftp_user (user) || !valid_host (host) || strlen (path) < 2
      || strchr (path, '\n') != NULL || strstr (path, "/../") != NULL
      || g_str_has_suffix (path, "/.."))
    goto bad;

  if (port == 22)
    return g_strdup_printf ("sftp://%s@%s%s", user, host, path);
  return g_strdup_printf ("sftp://%s@%s:%" G_GUINT64_FORMAT "%s", user, host, port, path);

bad:
  g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
               _("“%s” is not an SFTP target: give sftp://USER@HOST[:PORT]/PATH"), target);
  return NULL;
}

/**
 * ch_backup_normalize_target:
 * @out_normalized: (out) (transfer full): "dir:" and the absolute folder, or
 *   the SFTP address rebuilt from its parts
 *
 * Checks the syntax of a target: "dir:PATH" (a plain absolute path too) or
 * "sftp://USER@HOST[:PORT]/PATH". Does not look at the folder or the host.
 *
 * Returns: %TRUE, or %FALSE with CH_BACKUP_ERROR_INVALID or _TARGET
 */
gboolean
ch_backup_normalize_target (const char         *target,
                            ChBackupTargetKind *out_kind,
                            char              **out_normalized,
                            GError            **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (out_kind != NULL && out_normalized != NULL, FALSE);

  if (target != NULL && g_str_has_prefix (target, "sftp://"))
    {
      char *sftp = normalize_sftp (target, error);

      if (sftp == NULL)
        return FALSE;
      *out_kind = CH_BACKUP_TARGET_SFTP;
      *out_normalized = sftp;
      return TRUE;
    }

  if (target != NULL && strchr (target, '\n') != NULL)
    return invalid (error, _("A backup target is one line"));

  dir = ch_backup_parse_target (target, error);
  if (dir == NULL)
    return FALSE;
  *out_kind = CH_BACKUP_TARGET_DIR;
  *out_normalized = g_strconcat ("dir:", dir, NULL);
  return TRUE;
}

/**
 * ch_backup_config_validate:
 *
 * Returns: %TRUE when @config may be saved, else %FALSE with
 *   CH_BACKUP_ERROR_INVALID (or _TARGET) naming what is wrong
 */
gboolean
ch_backup_config_validate (const ChBackupConfig *config,
                           GError              **error)
{
  ChBackupTargetKind kind = CH_BACKUP_TARGET_DIR;
  g_autofree char *normalized = NULL;
  const ChBackupRetention *r;

  g_return_val_if_fail (config != NULL, FALSE);
  r = &config->retention;

  if (config->target == NULL)
    return invalid (error, _("No backup target: give dir:PATH or sftp://USER@HOST[:PORT]/PATH"));
  if (!ch_backup_normalize_target (config->target, &kind, &normalized, error))
    return FALSE;
  if (kind == CH_BACKUP_TARGET_SFTP && (config->identity == NULL || *config->identity == '\0'))
    return invalid (error, _("An SFTP target needs --identity KEYFILE, the private key that "
                             "logs in"));
  if (kind == CH_BACKUP_TARGET_DIR && config->identity != NULL)
    return invalid (error, _("--identity is for SFTP targets only"));
  if (config->identity != NULL
      && (!g_path_is_absolute (config->identity) || strchr (config->identity, '\n') != NULL))
    return invalid (error, _("The identity is the absolute path of a private key file"));
  if (config->hour > 23 || config->minute > 59)
    return invalid (error, _("The backup time is HH:MM, 00:00 to 23:59"));
  if (r->daily > CH_BACKUP_KEEP_MAX || r->weekly > CH_BACKUP_KEEP_MAX
      || r->monthly > CH_BACKUP_KEEP_MAX || r->last > CH_BACKUP_KEEP_MAX)
    return invalid (error, _("Keep at most 1000 backups a period"));
  if (r->daily + r->weekly + r->monthly + r->last == 0)
    return invalid (error, _("Keep at least one backup: daily, weekly or monthly"));
  return TRUE;
}

static guint
setting_uint (ChStore    *store,
              const char *key,
              guint       fallback,
              GError    **error)
{
  g_autofree char *value = ch_db_setting_get (store, key, error);
  guint64 number;
  char *end = NULL;

  if (value == NULL)
    return fallback;
  number = g_ascii_strtoull (value, &end, 10);
  if (end == value || *end != '\0' || number > CH_BACKUP_KEEP_MAX)
    return fallback;
  return (guint) number;
}

static char *sftp_host_port  (const char *url);
static char *pinned_host_key (ChStore    *store,
                              const char *host_port,
                              GError    **error);

/**
 * ch_backup_config_load:
 *
 * Reads the backup configuration (the defaults where nothing is set). Needs
 * read access to backups (the backup service has it).
 *
 * Returns: (transfer full): the configuration, or %NULL with an error
 */
ChBackupConfig *
ch_backup_config_load (ChSession *session,
                       GError   **error)
{
  g_autoptr (ChBackupConfig) config = ch_backup_config_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *time = NULL;
  ChStore *store;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_READ, error))
    return NULL;
  store = ch_session_get_store (session);

  config->target = ch_db_setting_get (store, KEY_TARGET, &local_error);
  if (local_error == NULL)
    config->identity = ch_db_setting_get (store, KEY_IDENTITY, &local_error);
  if (local_error == NULL)
    time = ch_db_setting_get (store, KEY_TIME, &local_error);
  if (local_error == NULL)
    config->retention.daily = setting_uint (store, KEY_KEEP_DAILY, config->retention.daily,
                                            &local_error);
  if (local_error == NULL)
    config->retention.weekly = setting_uint (store, KEY_KEEP_WEEKLY, config->retention.weekly,
                                             &local_error);
  if (local_error == NULL)
    config->retention.monthly = setting_uint (store, KEY_KEEP_MONTHLY,
                                              config->retention.monthly, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (config->target != NULL && *config->target == '\0')
    g_clear_pointer (&config->target, g_free);
  if (config->identity != NULL && *config->identity == '\0')
    g_clear_pointer (&config->identity, g_free);
  if (config->target != NULL && g_str_has_prefix (config->target, "sftp://"))
    {
      g_autofree char *host_port = sftp_host_port (config->target);

      config->host_key = pinned_host_key (store, host_port, NULL);
    }
  if (time != NULL && !ch_backup_parse_time (time, &config->hour, &config->minute, NULL))
    {
      config->hour = CH_BACKUP_DEFAULT_HOUR;
      config->minute = CH_BACKUP_DEFAULT_MINUTE;
    }
  return g_steal_pointer (&config);
}

/**
 * ch_backup_config_save:
 *
 * Validates and stores @config (its target normalized), audited as a
 * change of settings. Backups are practice policy: it needs write access to
 * backups and to users, as the office manager and the administrator have
 * (and the backup service has not).
 *
 * Returns: %TRUE, or %FALSE with CH_AUTH_ERROR_PERMISSION_DENIED,
 *   CH_BACKUP_ERROR_INVALID or a store error
 */
gboolean
ch_backup_config_save (ChSession            *session,
                       const ChBackupConfig *config,
                       GError              **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *time = NULL;
  g_autofree char *daily = NULL;
  g_autofree char *weekly = NULL;
  g_autofree char *monthly = NULL;
  g_autofree char *detail = NULL;
  ChBackupTargetKind kind;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_backup_config_validate (config, error)
      || !ch_backup_normalize_target (config->target, &kind, &normalized, error))
    return FALSE;

  time = g_strdup_printf ("%02u:%02u", config->hour, config->minute);
  daily = g_strdup_printf ("%u", config->retention.daily);
  weekly = g_strdup_printf ("%u", config->retention.weekly);
  monthly = g_strdup_printf ("%u", config->retention.monthly);
  detail = g_strdup_printf ("backup: target %s%s%s, at %s, keep %s daily, %s weekly, %s monthly",
                            normalized, config->identity != NULL ? ", identity " : "",
                            config->identity != NULL ? config->identity : "", time, daily,
                            weekly, monthly);

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_setting_set (store, KEY_TARGET, normalized, error)
       && ch_db_setting_set (store, KEY_IDENTITY, config->identity != NULL ? config->identity : "",
                             error)
       && ch_db_setting_set (store, KEY_TIME, time, error)
       && ch_db_setting_set (store, KEY_KEEP_DAILY, daily, error)
       && ch_db_setting_set (store, KEY_KEEP_WEEKLY, weekly, error)
       && ch_db_setting_set (store, KEY_KEEP_MONTHLY, monthly, error)
       && ch_session_audit (session, CH_AUDIT_SETTINGS, "setting", "backup", 0, detail, error)
       && ch_store_commit (store, error);
  if (!ok)
    ch_store_rollback (store);
  return ok;
}

/**
 * ch_backup_next_run:
 * @now: Unix seconds
 * @tz: (nullable): the clock the time is on (%NULL: local time)
 *
 * Returns: the next time, after @now, that the configured time of day comes
 *   round: today if it has not passed, else tomorrow (Unix seconds)
 */
gint64
ch_backup_next_run (const ChBackupConfig *config,
                    gint64                now,
                    GTimeZone            *tz)
{
  g_autoptr (GTimeZone) local = NULL;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) today = NULL;

  g_return_val_if_fail (config != NULL, 0);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();

  utc = g_date_time_new_from_unix_utc (now);
  today = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;
  if (today == NULL)
    return now + 24 * 60 * 60;

  for (int days = 0; days < 3; days++)
    {
      g_autoptr (GDateTime) day = g_date_time_add_days (today, days);
      g_autoptr (GDateTime) when = NULL;

      if (day == NULL)
        break;
      when = g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                              g_date_time_get_day_of_month (day), (int) config->hour,
                              (int) config->minute, 0);
      if (when != NULL && g_date_time_to_unix (when) > now)
        return g_date_time_to_unix (when);
    }
  return now + 24 * 60 * 60;
}

/* ---- SFTP targets --------------------------------------------------------- */

/* A temporary file on a server that nothing has touched for this long is the
 * leftover of a run that died (a lock cannot be seen over SFTP). */
#define STALE_REMOTE_TEMP_SECONDS (12 * 60 * 60)

/* "HOST:PORT" of "sftp://USER@HOST[:PORT]/PATH" (normalized). */
static char *
sftp_host_port (const char *url)
{
  const char *at = strchr (url + strlen ("sftp://"), '@');
  const char *slash = at != NULL ? strchr (at, '/') : NULL;
  g_autofree char *host_port = NULL;
  const char *bracket, *colon;

  if (slash == NULL)
    return g_strdup (url);
  host_port = g_strndup (at + 1, (gsize) (slash - at - 1));
  bracket = strrchr (host_port, ']');
  colon = strrchr (host_port, ':');
  if (colon == NULL || (bracket != NULL && colon < bracket))
    return g_strconcat (host_port, ":22", NULL);
  return g_steal_pointer (&host_port);
}

/* The host key pinned for @host_port, or %NULL. */
static char *
pinned_host_key (ChStore    *store,
                 const char *host_port,
                 GError    **error)
{
  g_autofree char *all = ch_db_setting_get (store, KEY_HOST_KEYS, error);
  g_auto (GStrv) lines = NULL;
  gsize len = strlen (host_port);

  if (all == NULL)
    return NULL;
  lines = g_strsplit (all, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], host_port, len) == 0 && lines[i][len] == ' ')
      return g_strdup (lines[i] + len + 1);
  return NULL;
}

/* Replaces the pins of @host_port with @host_key (%NULL: none). */
static gboolean
set_host_key (ChSession  *session,
              const char *host_port,
              const char *host_key,
              GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GString) kept = g_string_new (NULL);
  g_autofree char *all = NULL;
  g_autofree char *detail = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len = strlen (host_port);

  if (!ch_store_begin (store, error))
    return FALSE;
  all = ch_db_setting_get (store, KEY_HOST_KEYS, &local_error);
  if (local_error != NULL)
    {
      ch_store_rollback (store);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  lines = g_strsplit (all != NULL ? all : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !(strncmp (lines[i], host_port, len) == 0 && lines[i][len] == ' '))
      g_string_append_printf (kept, "%s\n", lines[i]);
  if (host_key != NULL)
    g_string_append_printf (kept, "%s %s\n", host_port, host_key);

  if (host_key != NULL)
    detail = g_strdup_printf ("backup: pinned the host key of %s on first use: %s", host_port,
                              host_key);
  else
    detail = g_strdup_printf ("backup: forgot the host key of %s", host_port);
  return ch_store_commit_or_rollback (store,
                                      ch_db_setting_set (store, KEY_HOST_KEYS, kept->str, error)
                                      && ch_session_audit (session, CH_AUDIT_SETTINGS, "setting",
                                                           "backup", 0, detail, error),
                                      error);
}

/**
 * ch_backup_forget_host_key:
 * @target: an SFTP target
 *
 * Forgets the host key pinned for @target's server, so that the next backup
 * pins the one it then shows (after the server was reinstalled). Needs the
 * right to configure backups.
 *
 * Returns: %TRUE, or %FALSE with an error
 */
gboolean
ch_backup_forget_host_key (ChSession  *session,
                           const char *target,
                           GError    **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *host_port = NULL;
  ChBackupTargetKind kind;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_WRITE, error)
      || !ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_backup_normalize_target (target, &kind, &normalized, error))
    return FALSE;
  if (kind != CH_BACKUP_TARGET_SFTP)
    return invalid (error, _("Only SFTP targets have a host key"));
  host_port = sftp_host_port (normalized);
  return set_host_key (session, host_port, NULL, error);
}

/* Removes what runs that died left on the server. */
static void
remove_stale_remote_temps (ChSftp    *sftp,
                           GPtrArray *entries,
                           gint64     now)
{
  for (guint i = 0; i < entries->len; i++)
    {
      ChSftpEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (GError) local_error = NULL;

      if (g_str_has_prefix (entry->name, TEMP_PREFIX) && g_str_has_suffix (entry->name, TEMP_SUFFIX)
          && now - entry->mtime > STALE_REMOTE_TEMP_SECONDS
          && !ch_sftp_remove (sftp, entry->name, &local_error))
        g_debug ("could not remove %s: %s", entry->name, local_error->message);
    }
}

/* Returns: (transfer container): the archive names of @entries, newest first */
static GPtrArray *
archive_names_of (GPtrArray *entries)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      ChSftpEntry *entry = g_ptr_array_index (entries, i);

      if (is_archive_name (entry->name))
        g_ptr_array_add (names, g_strdup (entry->name));
    }
  g_ptr_array_sort (names, compare_archive_names);
  return names;
}

static char *
random_temp_name (void)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  char suffix[11];

  for (guint i = 0; i < sizeof suffix - 1; i++)
    suffix[i] = chars[randombytes_uniform (sizeof chars - 1)];
  suffix[sizeof suffix - 1] = '\0';
  return g_strconcat (TEMP_PREFIX, suffix, TEMP_SUFFIX, NULL);
}

/* Connects to the server of @url, its host key checked against the pin, or
 * pinned when it is the first connection. */
static ChSftp *
connect_sftp (ChSession        *session,
              const char       *url,
              const char       *identity,
              ChBackupProgress  progress,
              gpointer          user_data,
              GError          **error)
{
  g_autofree char *host_port = sftp_host_port (url);
  g_autofree char *pinned = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChSftp) sftp = NULL;

  pinned = pinned_host_key (ch_session_get_store (session), host_port, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  line = g_strdup_printf (_("Connecting to %s…"), host_port);
  progress_say (progress, user_data, line);
  sftp = ch_sftp_connect (url, identity, pinned, &seen, error);
  if (sftp == NULL)
    return NULL;
  if (pinned == NULL)
    {
      if (!set_host_key (session, host_port, seen, error))
        return NULL;
      g_free (line);
      line = g_strdup_printf (_("First connection to %s: its host key %s is pinned; a "
                                "different key will be refused"), host_port, seen);
      progress_say (progress, user_data, line);
    }
  return g_steal_pointer (&sftp);
}

/**
 * ch_backup_list_sftp:
 * @target: (nullable): an SFTP target (%NULL: the configured one)
 *
 * The archives on an SFTP server, with the configured identity, as
 * ch_backup_list() gives them for a folder; each path is the archive's
 * sftp:// address. Needs read access to backups.
 *
 * Returns: (transfer full) (element-type ChBackupInfo): newest first, or
 *   %NULL with an error
 */
GPtrArray *
ch_backup_list_sftp (ChSession  *session,
                     const char *target,
                     GError    **error)
{
  g_autoptr (ChBackupConfig) config = NULL;
  g_autoptr (ChSftp) sftp = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_backup_info_free);
  g_autofree char *normalized = NULL;
  ChBackupTargetKind kind;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  config = ch_backup_config_load (session, error);
  if (config == NULL)
    return NULL;
  if (target == NULL)
    target = config->target;
  if (target == NULL)
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_NOT_CONFIGURED,
                           _("No backup target is configured"));
      return NULL;
    }
  if (!ch_backup_normalize_target (target, &kind, &normalized, error))
    return NULL;
  if (kind != CH_BACKUP_TARGET_SFTP)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                   _("“%s” is not an SFTP target"), normalized);
      return NULL;
    }

  sftp = connect_sftp (session, normalized, config->identity, NULL, NULL, error);
  if (sftp == NULL)
    return NULL;
  entries = ch_sftp_list (sftp, error);
  if (entries == NULL)
    return NULL;
  names = archive_names_of (entries);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr (ChBackupInfo) info = g_new0 (ChBackupInfo, 1);
      g_autoptr (GBytes) head = ch_sftp_read_prefix (sftp, name, FIXED_HEADER_LEN, NULL);
      guint32 keyring_len;

      info->path = g_strdup_printf ("%s/%s", normalized, name);
      for (guint j = 0; j < entries->len; j++)
        {
          ChSftpEntry *entry = g_ptr_array_index (entries, j);

          if (strcmp (entry->name, name) == 0)
            info->size = entry->size;
        }
      if (head == NULL
          || !parse_fixed_header (g_bytes_get_data (head, NULL),
                                  (gssize) g_bytes_get_size (head), info->path, info,
                                  &keyring_len, NULL))
        {
          /* Unreadable: shown as such, as for a folder. */
          g_clear_pointer (&info->key_id, g_free);
          info->format_version = 0;
          info->created = 0;
        }
      g_ptr_array_add (infos, g_steal_pointer (&info));
    }
  return g_steal_pointer (&infos);
}

/**
 * ch_backup_fetch_sftp:
 * @archive: "sftp://USER@HOST[:PORT]/PATH/NAME", as ch_backup_list_sftp() gives it
 * @fd: where to copy it
 *
 * Copies an archive (encrypted as it is) from an SFTP server with the
 * configured identity, the server's host key checked against the pin.
 * Needs read access to backups.
 */
gboolean
ch_backup_fetch_sftp (ChSession  *session,
                      const char *archive,
                      int         fd,
                      GError    **error)
{
  g_autoptr (ChBackupConfig) config = NULL;
  g_autoptr (ChSftp) sftp = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *normalized = NULL;
  const char *slash;
  ChBackupTargetKind kind;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (archive != NULL, FALSE);

  config = ch_backup_config_load (session, error);
  if (config == NULL)
    return FALSE;
  slash = strrchr (archive, '/');
  if (slash == NULL || !is_archive_name (slash + 1))
    return invalid (error, _("Not the address of a backup on an SFTP server"));
  folder = g_strndup (archive, (gsize) (slash - archive));
  if (!ch_backup_normalize_target (folder, &kind, &normalized, error))
    return FALSE;
  if (kind != CH_BACKUP_TARGET_SFTP)
    return invalid (error, _("Not the address of a backup on an SFTP server"));

  sftp = connect_sftp (session, normalized, config->identity, NULL, NULL, error);
  return sftp != NULL && ch_sftp_download (sftp, slash + 1, fd, error);
}

/* Like ch_backup_now(), to a folder on an SFTP server: written under a
 * temporary name, read back whole into a private temporary folder (still
 * encrypted) and verified there, then renamed. */
static char *
backup_to_sftp (ChSession               *session,
                const char              *url,
                const char              *identity,
                const ChBackupRetention *retention,
                ChBackupProgress         progress,
                gpointer                 user_data,
                GError                 **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (ChSftp) sftp = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (ChBackupInfo) verified = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *tmp_name = random_temp_name ();
  g_autofree char *shown = NULL;
  g_autofree char *verify_dir = NULL;
  g_autofree char *local_copy = NULL;
  g_autofree char *name = NULL;
  gint64 started = g_get_real_time ();
  gboolean created = FALSE;
  struct stat st;
  gint64 size = 0;
  int dir_fd = -1;
  int fd = -1;

  sftp = connect_sftp (session, url, identity, progress, user_data, &local_error);
  if (sftp == NULL)
    goto fail;

  entries = ch_sftp_list (sftp, &local_error);
  if (entries == NULL)
    goto fail;
  remove_stale_remote_temps (sftp, entries, g_date_time_to_unix (now));

  if (!ch_sftp_create (sftp, tmp_name, &local_error))
    goto fail;
  created = TRUE;
  shown = g_strdup_printf ("%s/%s", ch_sftp_get_label (sftp), tmp_name);
  if (!write_archive (session, -1, sftp, shown, g_date_time_to_unix (now), progress, user_data,
                      &local_error))
    goto fail;

  progress_say (progress, user_data, _("Reading the backup back from the server…"));
  remove_stale_verify_dirs ();
  verify_dir = g_dir_make_tmp (VERIFY_PREFIX "XXXXXX", &local_error);
  if (verify_dir == NULL)
    goto fail;
  dir_fd = open (verify_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    flock (dir_fd, LOCK_EX | LOCK_NB);
  local_copy = g_build_filename (verify_dir, tmp_name + 1, NULL);
  fd = open (local_copy, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                   _("Could not keep a copy of %s to verify it: %s"), shown, g_strerror (saved));
      goto fail;
    }
  if (!ch_sftp_download (sftp, tmp_name, fd, &local_error))
    goto fail;
  size = fstat (fd, &st) == 0 ? (gint64) st.st_size : 0;
  close (fd);
  fd = -1;

  progress_say (progress, user_data, _("Verifying the backup…"));
  verified = read_archive (local_copy, ch_session_get_master_key (session), NULL, NULL, NULL,
                           &local_error);
  if (verified == NULL)
    {
      g_prefix_error (&local_error, _("Read back from %s: "), shown);
      goto fail;
    }
  remove_tree (verify_dir);
  g_clear_pointer (&verify_dir, g_free);

  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = ch_sftp_list (sftp, &local_error);
  if (entries == NULL)
    goto fail;
  names = archive_names_of (entries);
  name = archive_name_for (names, now);
  ch_db_backup_pending_set (store, url, name, started / G_USEC_PER_SEC, NULL);
  if (!ch_sftp_rename (sftp, tmp_name, name, &local_error))
    {
      ch_db_backup_pending_set (store, url, name, 0, NULL);
      goto fail;
    }
  created = FALSE;
  if (dir_fd >= 0)
    close (dir_fd);

  record_run (store, url, started, name, size, NULL);
  ch_db_backup_pending_set (store, url, name, 0, NULL);
  audit_backup (session, url, name, size);
  g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_archive_names);
  apply_retention (store, url, ch_sftp_get_label (sftp), names, remove_from_sftp, sftp,
                   retention, progress, user_data);
  return g_strdup_printf ("%s/%s", url, name);

fail:
  if (fd >= 0)
    close (fd);
  if (verify_dir != NULL)
    remove_tree (verify_dir);
  if (dir_fd >= 0)
    close (dir_fd);
  /* Best effort: the connection may be what failed. */
  if (created)
    ch_sftp_remove (sftp, tmp_name, NULL);
  record_run (store, url, started, NULL, 0, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* ---- running the configured backup ---------------------------------------- */

static void
record_failure (ChStore    *store,
                const char *target,
                GError     *failure)
{
  record_run (store, target, g_get_real_time (), NULL, 0, failure);
}

/**
 * ch_backup_run:
 * @target: (nullable): where to, overriding the configured target
 * @retention: (nullable): what to keep, overriding the configured retention
 *
 * The backup "charta-admin backup now" and charta-backupd run: to @target,
 * or the configured one, with the configured retention; an SFTP target with
 * the configured identity, its server's host key pinned on first use.
 *
 * Returns: (transfer full): the archive's path, or %NULL with
 *   CH_BACKUP_ERROR_NOT_CONFIGURED, _HOST_KEY, or ch_backup_now()'s errors;
 *   an SFTP target's archive is "sftp://USER@HOST[:PORT]/PATH/NAME"
 */
char *
ch_backup_run (ChSession               *session,
               const char              *target,
               const ChBackupRetention *retention,
               ChBackupProgress         progress,
               gpointer                 user_data,
               GError                 **error)
{
  g_autoptr (ChBackupConfig) config = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *normalized = NULL;
  ChBackupTargetKind kind;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_BACKUP, CH_ACCESS_WRITE, error))
    return NULL;
  config = ch_backup_config_load (session, error);
  if (config == NULL)
    return NULL;

  if (target == NULL)
    target = config->target;
  if (target == NULL)
    {
      g_set_error_literal (&local_error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_NOT_CONFIGURED,
                           _("No backup target is configured: run “charta-admin backup config "
                             "--target dir:PATH”, or give --target"));
      record_failure (ch_session_get_store (session), "", local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (retention == NULL)
    retention = &config->retention;

  if (!ch_backup_normalize_target (target, &kind, &normalized, &local_error))
    {
      record_failure (ch_session_get_store (session), target, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (kind == CH_BACKUP_TARGET_SFTP)
    return backup_to_sftp (session, normalized, config->identity, retention, progress, user_data,
                           error);

  return ch_backup_now (session, normalized + strlen ("dir:"), retention, progress, user_data,
                        error);
}

/* Whether a last good backup finished at @last_ok_unix (0: none) is overdue
 * at @now_unix: none, or older than CH_BACKUP_OVERDUE_SECONDS. */
gboolean
ch_backup_is_overdue (gint64 last_ok_unix,
                      gint64 now_unix)
{
  return last_ok_unix <= 0 || now_unix - last_ok_unix > CH_BACKUP_OVERDUE_SECONDS;
}

/**
 * ch_backup_get_status:
 * @now: Unix seconds (g_get_real_time () / G_USEC_PER_SEC)
 *
 * The last good and the last failed run, the configured target, the next
 * scheduled run and whether the last good backup is overdue (older than
 * 36 hours, or none at all). Needs read access to backups.
 *
 * Returns: (transfer full): the status, or %NULL with an error
 */
ChBackupStatus *
ch_backup_get_status (ChSession *session,
                      gint64     now,
                      GError   **error)
{
  g_autoptr (ChBackupStatus) status = g_new0 (ChBackupStatus, 1);
  g_autoptr (ChBackupConfig) config = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  config = ch_backup_config_load (session, error);
  if (config == NULL)
    return NULL;
  if (!ch_backup_status (session, &status->last_ok, &status->last_failed, error))
    return NULL;

  status->target = g_strdup (config->target);
  status->next_run = config->target != NULL ? ch_backup_next_run (config, now, NULL) : 0;
  status->overdue = ch_backup_is_overdue (status->last_ok != NULL ? status->last_ok->finished_at
                                                                : 0, now);
  return g_steal_pointer (&status);
}
