/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-backup"

#include "config.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ch-backup.h"
#include "ch-backup-db.h"
#include "ch-demo.h"
#include "ch-documents.h"
#include "ch-keyring.h"
#include "ch-practice.h"
#include "ch-session.h"
#include "ch-session-private.h"

/* The backup engine on a practice of about 1 GB: a demo database of some
 * 320 MB and encrypted documents for the rest.
 *
 *   cp        `cp -r` of charta.db, keyring and documents/ to a folder on the
 *             same file system, then with an fsync of every copy (a backup
 *             fsyncs its archive)
 *   backup    ch_backup_now() to a folder: the write phase (snapshot,
 *             compression, encryption, fsync: until "Verifying the backup…"),
 *             the verification, the whole; then ch_backup_verify() and
 *             ch_backup_restore() alone
 *   db        the database alone: (a) checkpoint + copy of the encrypted file
 *             under the write lock (ch_db_backup_snapshot), (b) SQLCipher's
 *             online backup API into a database keyed like the store
 *   cpu       what each step of the write phase costs on incompressible
 *             (encrypted) bytes in memory
 *
 * Goal (the issue): the write phase at least half as fast as cp, that is
 * within 2 × the time of cp + fsync. Medians of RUNS runs; "cold" runs drop
 * the practice's files from the page cache first (posix_fadvise DONTNEED on
 * those files only), "warm" ones read them from memory.
 *
 * The practice is generated once (a minute or two) into
 * CHARTA_BENCH_BACKUP_DIR (meson.build: BUILDDIR/bench-backup-practice) and
 * reused. BENCH_BACKUP_PATIENTS and BENCH_BACKUP_TOTAL_MB change its size
 * (remove the folder to regenerate). */

#define RUNS              3
#define DEFAULT_PATIENTS  50000
#define DEFAULT_TOTAL_MB  1000
#define DOC_MIN_BYTES     (20 * 1024)
#define DOC_MAX_BYTES     (6 * 1024 * 1024)
#define CPU_BYTES         (256 * 1024 * 1024)
#define CPU_CHUNK         (64 * 1024)
#define MB                (1024.0 * 1024.0)

/* The practice this bench was first measured on: charts and today's
 * schedule, without the visit and billing history the demo has since
 * gained, so that its figures stay comparable. */
static const ChDemoOptions no_history = { 0 };

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (const double *values,
        guint         n)
{
  double sorted[16];

  g_assert (n > 0 && n <= G_N_ELEMENTS (sorted));
  memcpy (sorted, values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_double);
  return sorted[n / 2];
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

/* ---- files ---------------------------------------------------------------- */

typedef enum
{
  TREE_SIZE,
  TREE_FSYNC,
  TREE_EVICT,
} TreeOp;

/* Walks @path (a file or a folder): adds up the sizes of its files, fsyncs
 * every file and folder, or drops its files' pages from the page cache. */
static void
tree_walk (const char *path,
           TreeOp      op,
           guint64    *bytes,
           guint      *files)
{
  struct stat st;
  int fd;

  if (lstat (path, &st) != 0)
    return;

  if (S_ISDIR (st.st_mode))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          tree_walk (child, op, bytes, files);
        }
      if (dir != NULL)
        g_dir_close (dir);
    }
  else if (S_ISREG (st.st_mode) && op == TREE_SIZE)
    {
      *bytes += (guint64) st.st_size;
      (*files)++;
      return;
    }
  else if (!S_ISREG (st.st_mode))
    return;

  if (op == TREE_SIZE)
    return;
  fd = open (path, O_RDONLY | O_CLOEXEC | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
  if (fd < 0)
    return;
  if (fsync (fd) != 0)
    g_printerr ("fsync %s: %s\n", path, g_strerror (errno));
  if (op == TREE_EVICT && S_ISREG (st.st_mode))
    posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
  close (fd);
}

static guint64
tree_size (const char *path,
           guint      *out_files)
{
  guint64 bytes = 0;
  guint files = 0;

  tree_walk (path, TREE_SIZE, &bytes, &files);
  if (out_files != NULL)
    *out_files = files;
  return bytes;
}

static void
tree_fsync (const char *path)
{
  tree_walk (path, TREE_FSYNC, NULL, NULL);
}

static void
tree_evict (const char *path)
{
  tree_walk (path, TREE_EVICT, NULL, NULL);
}

static void
run_argv (const char * const *argv)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", argv[0], error->message);
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", "--", path, NULL };

  run_argv (argv);
}

/* Empties @dir and starts the next run with no dirty pages of the last one
 * still to be written back (syncfs of the scratch folder's file system). */
static void
reset_dir (const char *dir)
{
  int fd;

  remove_tree (dir);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_error ("mkdir %s: %s", dir, g_strerror (errno));
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      syncfs (fd);
      close (fd);
    }
}

/* ---- the practice --------------------------------------------------------- */

static GBytes *
make_document (GRand       *rand,
               gsize        size,
               const char **out_type)
{
  static const struct { const char *type; const char *head; gsize len; } kinds[] = {
    { "application/pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15 },
    { "image/jpeg", "\xff\xd8\xff\xe0\0\x10JFIF\0", 11 },
    { "image/png", "\x89PNG\r\n\x1a\n", 8 },
    { "image/tiff", "II*\0", 4 },
  };
  guint kind = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (kinds));
  guint8 *data = g_malloc (size);

  /* Scans and photos hardly compress; blobs are encrypted anyway. */
  randombytes_buf (data, size);
  memcpy (data, kinds[kind].head, MIN (size, kinds[kind].len));
  *out_type = kinds[kind].type;
  return g_bytes_new_take (data, size);
}

static void
generate (const char *dir,
          guint       n_patients,
          guint64     total_bytes)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *partial = g_strconcat (dir, ".partial", NULL);
  g_autofree char *db_path = g_build_filename (partial, "charta.db", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (2026);
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) doctor = NULL;
  const char * const *categories = ch_documents_categories ();
  guint n_categories = g_strv_length ((char **) categories);
  double start = now_s (), docs_start;
  guint64 db_bytes, docs_bytes = 0;
  guint n_docs = 0;

  g_printerr ("generating the practice in %s (%u patients, %" G_GUINT64_FORMAT " MB) ...\n",
              dir, n_patients, total_bytes >> 20);
  remove_tree (partial);
  check (ch_demo_create_full (partial, n_patients, 2026, &no_history, NULL, &error), error);
  g_print ("bench backup.generate.database %.1f s\n", now_s () - start);

  practice = ch_practice_open (partial, &error);
  check (practice != NULL, error);
  doctor = ch_session_login (practice, "doctor", CH_DEMO_PASSWORD, &error);
  check (doctor != NULL, error);

  db_bytes = tree_size (db_path, NULL);
  docs_start = now_s ();
  while (db_bytes + docs_bytes < total_bytes)
    {
      /* Log-uniform between 20 KB and 6 MB: many letters and lab reports,
       * fewer photos and long scans. */
      double l = g_rand_double_range (rand, log (DOC_MIN_BYTES), log (DOC_MAX_BYTES));
      gsize size = (gsize) exp (l);
      g_autofree char *date = g_strdup_printf ("%04d-%02d-%02d",
                                               g_rand_int_range (rand, 2016, 2026),
                                               g_rand_int_range (rand, 1, 13),
                                               g_rand_int_range (rand, 1, 29));
      g_autofree char *title = g_strdup_printf ("Scanned document %u", n_docs + 1);
      ChDocumentMeta meta = {
        .category = categories[n_docs % n_categories],
        .date = date,
        .title = title,
        .source = "bench",
      };
      g_autoptr (GBytes) bytes = make_document (rand, size, &meta.content_type);

      check (ch_documents_import (doctor, g_rand_int_range (rand, 1, (gint32) n_patients + 1),
                                  &meta, NULL, bytes, NULL, &error),
             error);
      docs_bytes += size;
      n_docs++;
    }
  g_print ("bench backup.generate.documents %.1f s (%u documents)\n", now_s () - docs_start,
           n_docs);

  ch_session_logout (doctor);
  g_clear_object (&doctor);
  g_clear_object (&practice);

  if (g_rename (partial, dir) != 0)
    g_error ("rename %s: %s", partial, g_strerror (errno));
  g_print ("bench backup.generate.total %.1f s\n", now_s () - start);
}

/* ---- cp --------------------------------------------------------------------- */

typedef struct
{
  double copy;
  double copy_sync;
} CpRun;

static CpRun
time_cp (const char *practice_dir,
         const char *scratch,
         gboolean    cold)
{
  g_autofree char *db = g_build_filename (practice_dir, "charta.db", NULL);
  g_autofree char *keyring = g_build_filename (practice_dir, "keyring", NULL);
  g_autofree char *documents = g_build_filename (practice_dir, "documents", NULL);
  g_autofree char *dest = g_build_filename (scratch, "cp", NULL);
  const char *argv[] = { "cp", "-r", "--", db, keyring, documents, dest, NULL };
  CpRun run;
  double start, copied;

  reset_dir (dest);
  if (cold)
    tree_evict (practice_dir);

  start = now_s ();
  run_argv (argv);
  copied = now_s ();
  tree_fsync (dest);
  run.copy = copied - start;
  run.copy_sync = now_s () - start;

  remove_tree (dest);
  return run;
}

/* ---- backup ----------------------------------------------------------------- */

typedef struct
{
  double start;
  double database;   /* "Copying the database…" */
  double documents;  /* "Copying the documents…" */
  double verifying;  /* "Verifying the backup…" */
  double end;
} BackupRun;

static void
on_progress (const char *message,
             gpointer    user_data)
{
  BackupRun *run = user_data;
  double t = now_s ();

  if (g_str_has_prefix (message, "Copying the database"))
    run->database = t;
  else if (g_str_has_prefix (message, "Copying the documents"))
    run->documents = t;
  else if (g_str_has_prefix (message, "Verifying"))
    run->verifying = t;
}

static BackupRun
time_backup (ChSession   *session,
             const char  *target,
             char       **out_archive)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *archive = NULL;
  BackupRun run = { 0 };

  run.start = now_s ();
  archive = ch_backup_now (session, target, NULL, on_progress, &run, &error);
  run.end = now_s ();
  check (archive != NULL, error);
  if (run.verifying == 0 || run.documents == 0 || run.database == 0)
    g_error ("the backup's progress messages were not recognized");
  if (out_archive != NULL)
    *out_archive = g_steal_pointer (&archive);
  return run;
}

/* ---- the database alone ------------------------------------------------------ */

typedef struct
{
  int fd;
  double first_byte;
} SnapshotSink;

static gboolean
snapshot_to_file (const char   *name,
                  guint64       size,
                  const guint8 *data,
                  gsize         len,
                  gpointer      user_data,
                  GError      **error)
{
  SnapshotSink *sink = user_data;

  if (data == NULL)
    {
      if (sink->first_byte == 0)
        sink->first_byte = now_s ();
      return TRUE;
    }
  while (len > 0)
    {
      ssize_t n = write (sink->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "write: %s",
                       g_strerror (errno));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* (a): the checkpoint and the copy of the encrypted file, into a file, synced.
 * @out_locked: from the checkpoint's end (the first byte) to the copy's. */
static double
time_snapshot (ChStore    *store,
               const char *dest,
               double     *out_locked)
{
  g_autoptr (GError) error = NULL;
  ChDbSnapshotInfo info = { 0 };
  SnapshotSink sink = { 0 };
  double start, copied;

  g_unlink (dest);
  sink.fd = open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    g_error ("%s: %s", dest, g_strerror (errno));
  start = now_s ();
  check (ch_db_backup_snapshot (store, &info, snapshot_to_file, &sink, &error), error);
  copied = now_s ();
  if (fsync (sink.fd) != 0)
    g_error ("fsync: %s", g_strerror (errno));
  close (sink.fd);
  ch_db_snapshot_info_clear (&info);
  *out_locked = copied - sink.first_byte;
  return now_s () - start;
}

/* (b): sqlite3_backup into a database keyed like the store, synced. */
static double
time_keyed_copy (ChSession  *session,
                 const char *dest)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChSecret) key = ch_master_derive (ch_session_get_master_key (session),
                                               CH_SUBKEY_DATABASE);
  double start;

  g_unlink (dest);
  start = now_s ();
  check (ch_db_backup_keyed_copy (ch_session_get_store (session), key->data, dest, &error),
         error);
  return now_s () - start;
}

/* ---- what the write phase's steps cost ------------------------------------- */

static double
mb_per_s (gsize  bytes,
          double seconds)
{
  return bytes / MB / seconds;
}

/* One zstd stream over @data as the backup writer drives it: CPU_CHUNK of
 * output at a time. Returns the seconds, or -1 when @workers is refused. */
static double
time_zstd (const guint8 *data,
           gsize         len,
           int           level,
           int           workers,
           gsize        *out_compressed)
{
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  g_autofree guint8 *out = g_malloc (CPU_CHUNK);
  ZSTD_inBuffer in = { data, len, 0 };
  gsize compressed = 0;
  double start = now_s ();

  ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_checksumFlag, 1);
  if (workers > 0 && ZSTD_isError (ZSTD_CCtx_setParameter (cctx, ZSTD_c_nbWorkers, workers)))
    {
      ZSTD_freeCCtx (cctx);
      return -1;
    }
  for (;;)
    {
      ZSTD_outBuffer o = { out, CPU_CHUNK, 0 };
      ZSTD_EndDirective mode = in.pos < in.size ? ZSTD_e_continue : ZSTD_e_end;
      size_t remaining = ZSTD_compressStream2 (cctx, &o, &in, mode);

      if (ZSTD_isError (remaining))
        g_error ("zstd: %s", ZSTD_getErrorName (remaining));
      compressed += o.pos;
      if (mode == ZSTD_e_end && remaining == 0)
        break;
    }
  ZSTD_freeCCtx (cctx);
  *out_compressed = compressed;
  return now_s () - start;
}

static void
bench_cpu (void)
{
  g_autofree guint8 *data = g_malloc (CPU_BYTES);
  g_autofree guint8 *frame = g_malloc (CPU_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  guint8 hash[32];
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_generichash_state hstate;
  static const struct { const char *name; int level; int workers; } zstd_runs[] = {
    { "zstd level 3 (as now)", 3, 0 },
    { "zstd level 1", 1, 0 },
    { "zstd level -1", -1, 0 },
    { "zstd level 3, 2 workers", 3, 2 },
  };
  double t, start;

  randombytes_buf (data, CPU_BYTES);
  randombytes_buf (key, sizeof key);

  g_print ("\nWhat the write phase's steps cost on %d MB of incompressible bytes in memory "
           "(one core)\n", CPU_BYTES >> 20);
  g_print ("%-34s %10s %10s\n", "step", "s", "MB/s");

  start = now_s ();
  crypto_generichash_init (&hstate, NULL, 0, sizeof hash);
  for (gsize off = 0; off < CPU_BYTES; off += 256 * 1024)
    crypto_generichash_update (&hstate, data + off, 256 * 1024);
  crypto_generichash_final (&hstate, hash, sizeof hash);
  t = now_s () - start;
  g_print ("%-34s %10.3f %10.0f\n", "BLAKE2b hash (per file)", t, mb_per_s (CPU_BYTES, t));
  g_print ("bench backup.cpu.blake2b %.0f MB/s\n", mb_per_s (CPU_BYTES, t));

  start = now_s ();
  crypto_secretstream_xchacha20poly1305_init_push (&state, header, key);
  for (gsize off = 0; off < CPU_BYTES; off += CPU_CHUNK)
    crypto_secretstream_xchacha20poly1305_push (&state, frame, NULL, data + off, CPU_CHUNK,
                                                NULL, 0, 0);
  t = now_s () - start;
  g_print ("%-34s %10.3f %10.0f\n", "XChaCha20-Poly1305 (64 KB msgs)", t, mb_per_s (CPU_BYTES, t));
  g_print ("bench backup.cpu.secretstream %.0f MB/s\n", mb_per_s (CPU_BYTES, t));
  sodium_memzero (&state, sizeof state);

  for (guint i = 0; i < G_N_ELEMENTS (zstd_runs); i++)
    {
      gsize compressed = 0;

      t = time_zstd (data, CPU_BYTES, zstd_runs[i].level, zstd_runs[i].workers, &compressed);
      if (t < 0)
        {
          g_print ("%-34s %10s %10s  (this libzstd has no threads)\n", zstd_runs[i].name, "-", "-");
          continue;
        }
      g_print ("%-34s %10.3f %10.0f  (out %.1f%% of in)\n", zstd_runs[i].name, t,
               mb_per_s (CPU_BYTES, t), 100.0 * compressed / CPU_BYTES);
      g_print ("bench backup.cpu.zstd.l%d.w%d %.0f MB/s\n", zstd_runs[i].level,
               zstd_runs[i].workers, mb_per_s (CPU_BYTES, t));
    }
  sodium_memzero (key, sizeof key);
}

/* ---- main --------------------------------------------------------------------- */

/* The machine may be shared: the figures mean little under load. */
static void
print_load (const char *when)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    g_print ("load average %s: %s (%u CPUs)\n", when, g_strstrip (text), g_get_num_processors ());
}

static void
print_row (const char *figure,
           double      seconds,
           guint64     bytes,
           const char *note)
{
  g_print ("%-34s %9.2f s %9.0f MB/s  %s\n", figure, seconds, bytes / MB / seconds,
           note != NULL ? note : "");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  const char *env_dir = g_getenv ("CHARTA_BENCH_BACKUP_DIR");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *practice_dir = env_dir != NULL && *env_dir != '\0'
                                  ? g_strdup (env_dir)
                                  : g_build_filename (cwd, "bench-backup-practice", NULL);
  g_autofree char *scratch = g_strconcat (practice_dir, "-scratch", NULL);
  g_autofree char *target = g_build_filename (scratch, "target", NULL);
  g_autofree char *restore_dir = g_build_filename (scratch, "restored", NULL);
  g_autofree char *db_path = g_build_filename (practice_dir, "charta.db", NULL);
  g_autofree char *wal_path = g_build_filename (practice_dir, "charta.db-wal", NULL);
  g_autofree char *keyring_path = g_build_filename (practice_dir, "keyring", NULL);
  g_autofree char *docs_path = g_build_filename (practice_dir, "documents", NULL);
  g_autofree char *archive = NULL;
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) admin = NULL;
  ChBackupCredentials creds = { .username = "admin", .password = CH_DEMO_PASSWORD };
  guint64 db_bytes, keyring_bytes, docs_bytes, total_bytes, archive_bytes = 0;
  guint n_docs = 0;
  CpRun cp[2][RUNS];
  BackupRun bk[2][RUNS];
  double cp_copy[2], cp_sync[2], ratio[2];
  double bk_write[2], bk_verify[2], bk_total[2], bk_db[2], bk_docs[2];
  double verify[RUNS], restore[RUNS], snap[RUNS], snap_locked[RUNS], keyed[RUNS];
  static const char * const mode_names[] = { "cold", "warm" };

  if (sodium_init () < 0)
    g_error ("libsodium");

  if (!ch_practice_exists (practice_dir))
    generate (practice_dir, env_uint ("BENCH_BACKUP_PATIENTS", DEFAULT_PATIENTS),
              (guint64) env_uint ("BENCH_BACKUP_TOTAL_MB", DEFAULT_TOTAL_MB) << 20);

  practice = ch_practice_open (practice_dir, &error);
  check (practice != NULL, error);
  admin = ch_session_login (practice, "admin", CH_DEMO_PASSWORD, &error);
  check (admin != NULL, error);
  /* The WAL folded in, as the backup's snapshot does first. */
  check (ch_store_checkpoint (ch_session_get_store (admin), &error), error);

  db_bytes = tree_size (db_path, NULL) + tree_size (wal_path, NULL);
  keyring_bytes = tree_size (keyring_path, NULL);
  docs_bytes = tree_size (docs_path, &n_docs);
  total_bytes = db_bytes + keyring_bytes + docs_bytes;

  g_print ("Backup of a practice in %s\n", practice_dir);
  g_print ("  database  %8.1f MB\n", db_bytes / MB);
  g_print ("  keyring   %8.1f KB\n", keyring_bytes / 1024.0);
  g_print ("  documents %8.1f MB in %u files\n", docs_bytes / MB, n_docs);
  g_print ("  total     %8.1f MB\n", total_bytes / MB);
  g_print ("Medians of %d runs. cold: the practice's files dropped from the page cache first "
           "(posix_fadvise); warm: read from memory (%.0f MB fit in RAM).\n"
           "Every run starts with no dirty pages (syncfs).\n",
           RUNS, total_bytes / MB);
  print_load ("at the start");
  g_print ("bench backup.size.database %.1f MB\n", db_bytes / MB);
  g_print ("bench backup.size.documents %.1f MB\n", docs_bytes / MB);
  g_print ("bench backup.size.total %.1f MB\n", total_bytes / MB);

  /* cp and the backup in turns, cold and warm: a load that comes and goes
   * (the machine is shared) weighs on both alike, and each pair gives a
   * ratio of its own. */
  for (int mode = 0; mode < 2; mode++)
    {
      double a[RUNS], b[RUNS], c[RUNS], d[RUNS], e[RUNS], f[RUNS], g[RUNS], r[RUNS];

      for (int i = 0; i < RUNS; i++)
        {
          g_autofree char *path = NULL;

          cp[mode][i] = time_cp (practice_dir, scratch, mode == 0);
          f[i] = cp[mode][i].copy;
          g[i] = cp[mode][i].copy_sync;

          reset_dir (target);
          if (mode == 0)
            tree_evict (practice_dir);
          bk[mode][i] = time_backup (admin, target, &path);
          a[i] = bk[mode][i].verifying - bk[mode][i].start;
          b[i] = bk[mode][i].end - bk[mode][i].verifying;
          c[i] = bk[mode][i].end - bk[mode][i].start;
          d[i] = bk[mode][i].documents - bk[mode][i].database;
          e[i] = bk[mode][i].verifying - bk[mode][i].documents;
          r[i] = a[i] / g[i];
          if (mode == 1 && i == RUNS - 1)
            {
              archive = g_build_filename (scratch, "archive.chbk", NULL);
              if (g_rename (path, archive) != 0)
                g_error ("rename: %s", g_strerror (errno));
              archive_bytes = tree_size (archive, NULL);
            }
        }
      cp_copy[mode] = median (f, RUNS);
      cp_sync[mode] = median (g, RUNS);
      ratio[mode] = median (r, RUNS);
      bk_write[mode] = median (a, RUNS);
      bk_verify[mode] = median (b, RUNS);
      bk_total[mode] = median (c, RUNS);
      bk_db[mode] = median (d, RUNS);
      bk_docs[mode] = median (e, RUNS);
    }
  remove_tree (target);

  /* The archive alone. */
  for (int i = 0; i < RUNS; i++)
    {
      g_autoptr (ChBackupInfo) info = NULL;
      double start = now_s ();

      info = ch_backup_verify (archive, &creds, &error);
      check (info != NULL, error);
      verify[i] = now_s () - start;
    }
  for (int i = 0; i < RUNS; i++)
    {
      g_autoptr (ChBackupInfo) info = NULL;
      double start;

      reset_dir (restore_dir);
      g_rmdir (restore_dir);
      start = now_s ();
      info = ch_backup_restore (archive, &creds, restore_dir, FALSE, NULL, &error);
      check (info != NULL, error);
      restore[i] = now_s () - start;
    }
  remove_tree (restore_dir);

  /* The database alone, warm. */
  {
    g_autofree char *dest_a = g_build_filename (scratch, "snapshot.db", NULL);
    g_autofree char *dest_b = g_build_filename (scratch, "keyed.db", NULL);

    for (int i = 0; i < RUNS; i++)
      {
        reset_dir (scratch);
        snap[i] = time_snapshot (ch_session_get_store (admin), dest_a, &snap_locked[i]);
        reset_dir (scratch);
        keyed[i] = time_keyed_copy (admin, dest_b);
      }
  }

  g_print ("\n%-34s %11s %14s\n", "figure (median)", "time", "throughput");
  for (int mode = 0; mode < 2; mode++)
    {
      g_autofree char *n1 = g_strdup_printf ("cp -r, %s", mode_names[mode]);
      g_autofree char *n2 = g_strdup_printf ("cp -r + fsync, %s", mode_names[mode]);
      g_autofree char *n3 = g_strdup_printf ("backup write phase, %s", mode_names[mode]);
      g_autofree char *n4 = g_strdup_printf ("  of which the database, %s", mode_names[mode]);
      g_autofree char *n5 = g_strdup_printf ("  of which the documents, %s", mode_names[mode]);
      g_autofree char *n6 = g_strdup_printf ("backup verify phase, %s", mode_names[mode]);
      g_autofree char *n7 = g_strdup_printf ("backup total, %s", mode_names[mode]);

      print_row (n1, cp_copy[mode], total_bytes, NULL);
      print_row (n2, cp_sync[mode], total_bytes, NULL);
      print_row (n3, bk_write[mode], total_bytes, "snapshot+zstd+encrypt+fsync");
      print_row (n4, bk_db[mode], db_bytes, "under the write lock");
      print_row (n5, bk_docs[mode], docs_bytes, "incl. manifest + fsync");
      print_row (n6, bk_verify[mode], total_bytes, "read back, decrypt, hash, integrity_check");
      print_row (n7, bk_total[mode], total_bytes, NULL);
    }
  print_row ("ch_backup_verify", median (verify, RUNS), total_bytes, "warm; incl. password KDF");
  print_row ("ch_backup_restore", median (restore, RUNS), total_bytes,
             "warm; incl. password KDF, fsync per file");
  g_print ("archive: %.1f MB (%.1f%% of the practice)\n", archive_bytes / MB,
           100.0 * archive_bytes / total_bytes);

  g_print ("\nGoal: the write phase within 2 x cp (+ fsync, as the backup syncs); the median\n"
           "of each run's ratio to the cp run just before it\n");
  for (int mode = 0; mode < 2; mode++)
    g_print ("  %s: write phase / (cp + fsync) = %.2f (of the medians %.2f; / cp alone %.2f)"
             "  -> %s\n",
             mode_names[mode], ratio[mode], bk_write[mode] / cp_sync[mode],
             bk_write[mode] / cp_copy[mode], ratio[mode] <= 2.0 ? "met" : "MISSED");

  g_print ("\nThe database alone (%.1f MB, warm, into a file on the same file system, synced)\n",
           db_bytes / MB);
  print_row ("(a) checkpoint + copy of the file", median (snap, RUNS), db_bytes,
             "writers wait while it is locked");
  print_row ("    of which under the write lock", median (snap_locked, RUNS), db_bytes, NULL);
  print_row ("(b) sqlite3_backup, keyed dest", median (keyed, RUNS), db_bytes,
             "a read transaction; writers go on");

  for (int mode = 0; mode < 2; mode++)
    {
      g_print ("bench backup.%s.cp %.3f s\n", mode_names[mode], cp_copy[mode]);
      g_print ("bench backup.%s.cp_fsync %.3f s\n", mode_names[mode], cp_sync[mode]);
      g_print ("bench backup.%s.write %.3f s\n", mode_names[mode], bk_write[mode]);
      g_print ("bench backup.%s.write.database %.3f s\n", mode_names[mode], bk_db[mode]);
      g_print ("bench backup.%s.write.documents %.3f s\n", mode_names[mode], bk_docs[mode]);
      g_print ("bench backup.%s.verify_phase %.3f s\n", mode_names[mode], bk_verify[mode]);
      g_print ("bench backup.%s.total %.3f s\n", mode_names[mode], bk_total[mode]);
      g_print ("bench backup.%s.write_mb_s %.0f MB/s\n", mode_names[mode],
               total_bytes / MB / bk_write[mode]);
      g_print ("bench backup.%s.ratio_write_cp_fsync %.2f\n", mode_names[mode], ratio[mode]);
    }
  g_print ("bench backup.verify %.3f s\n", median (verify, RUNS));
  g_print ("bench backup.restore %.3f s\n", median (restore, RUNS));
  g_print ("bench backup.db.snapshot %.3f s\n", median (snap, RUNS));
  g_print ("bench backup.db.snapshot_locked %.3f s\n", median (snap_locked, RUNS));
  g_print ("bench backup.db.keyed_backup_api %.3f s\n", median (keyed, RUNS));

  bench_cpu ();
  print_load ("at the end");

  ch_session_logout (admin);
  remove_tree (scratch);
  return 0;
}
