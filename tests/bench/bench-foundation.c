/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-foundation"

#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-keyring.h"
#include "ch-records.h"
#include "ch-practice.h"
#include "ch-session.h"
#include "ch-store-private.h"

/* Figures for the foundation:
 *   - the key derivation (Argon2id, interactive limits) and a whole sign-in;
 *   - the same insert and lookup workloads on an encrypted database (SQLCipher
 *     with Charta's settings: raw key, 4096-byte pages, 64 MiB cache, WAL) and
 *     on a plain one (the same SQLite library without a key, so that the
 *     difference is the encryption alone), as a ratio. Budget: ≤ 1.25.
 * The time from start to the login window is measured by bench-startup.sh.
 *
 * Prints a table, then one "bench NAME VALUE UNIT" line per figure. */

#define N_ROWS        100000
#define N_LOOKUPS     200000
#define N_RANGES      20000
#define BATCH         10000
#define BUDGET_RATIO  1.25
#define N_REPEATS     5
#define N_AUDIT       1000000

typedef struct
{
  const char *name;
  double      value;
  const char *unit;
  const char *budget;
  int         met;  /* -1: no budget */
} Figure;

static Figure figures[32];
static guint n_figures;

static void
figure (const char *name,
        double      value,
        const char *unit,
        const char *budget,
        int         met)
{
  g_assert (n_figures < G_N_ELEMENTS (figures));
  figures[n_figures++] = (Figure) { name, value, unit, budget, met };
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);
  return values[n / 2];
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static sqlite3 *
open_db (const char *path,
         gboolean    encrypted)
{
  static const char key[] =
    "x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'";
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    g_error ("open %s", path);

  if (encrypted)
    {
      sqlite3_key (db, key, strlen (key));
      exec_or_die (db, "PRAGMA cipher_page_size = 4096");
    }
  else
    exec_or_die (db, "PRAGMA page_size = 4096");

  exec_or_die (db, "PRAGMA cache_size = -65536");
  exec_or_die (db, "PRAGMA temp_store = MEMORY");
  exec_or_die (db, "PRAGMA journal_mode = WAL");
  exec_or_die (db, "PRAGMA synchronous = FULL");
  return db;
}

typedef struct
{
  double insert_ms;
  double lookup_ms;
  double range_ms;
  double cold_lookup_ms;
} Workload;

static const char * const families[] = {
  "garcia", "smith", "muller", "nguyen", "kim", "patel", "okafor", "nowak", "dubois", "rossi",
  "silva", "cohen", "jensen", "kelly", "sato", "chen", "haddad", "novak", "popescu", "lee",
};

static void
run_workload (const char *path,
              gboolean    encrypted,
              Workload   *out)
{
  sqlite3 *db = open_db (path, encrypted);
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *lookup = NULL;
  sqlite3_stmt *range = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  double start;
  gint64 sink = 0;

  exec_or_die (db, "CREATE TABLE patients (id INTEGER PRIMARY KEY, mrn TEXT NOT NULL UNIQUE,"
                   " given_name TEXT, family_name TEXT, birth_date TEXT, sex TEXT,"
                   " name_key TEXT, created_at INTEGER, updated_at INTEGER)");
  exec_or_die (db, "CREATE INDEX patients_name_key ON patients (name_key)");
  sqlite3_prepare_v2 (db, "INSERT INTO patients (mrn, given_name, family_name, birth_date, sex,"
                          " name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      -1, &insert, NULL);

  start = now_ms ();
  for (int i = 0; i < N_ROWS; i++)
    {
      char mrn[16], given[32], dob[16], key[64];
      const char *family = families[g_rand_int_range (rand, 0, G_N_ELEMENTS (families))];

      if (i % BATCH == 0)
        exec_or_die (db, "BEGIN IMMEDIATE");
      g_snprintf (mrn, sizeof mrn, "%08d", i + 1);
      g_snprintf (given, sizeof given, "given%d", g_rand_int_range (rand, 0, 5000));
      g_snprintf (dob, sizeof dob, "%04d-%02d-%02d", g_rand_int_range (rand, 1930, 2024),
                  g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));
      g_snprintf (key, sizeof key, "%s %s", family, given);
      sqlite3_bind_text (insert, 1, mrn, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, given, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 3, family, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, dob, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 5, "female", -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 7, i);
      sqlite3_bind_int64 (insert, 8, i);
      if (sqlite3_step (insert) != SQLITE_DONE)
        g_error ("insert: %s", sqlite3_errmsg (db));
      sqlite3_reset (insert);
      if (i % BATCH == BATCH - 1)
        exec_or_die (db, "COMMIT");
    }
  out->insert_ms = now_ms () - start;
  sqlite3_finalize (insert);
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");

  sqlite3_prepare_v2 (db, "SELECT family_name, birth_date FROM patients WHERE id = ?", -1,
                      &lookup, NULL);
  start = now_ms ();
  for (int i = 0; i < N_LOOKUPS; i++)
    {
      sqlite3_bind_int64 (lookup, 1, g_rand_int_range (rand, 1, N_ROWS + 1));
      if (sqlite3_step (lookup) == SQLITE_ROW)
        sink += sqlite3_column_bytes (lookup, 0);
      sqlite3_reset (lookup);
    }
  out->lookup_ms = now_ms () - start;

  sqlite3_prepare_v2 (db, "SELECT id FROM patients WHERE name_key >= ? AND name_key < ?"
                          " ORDER BY name_key LIMIT 50", -1, &range, NULL);
  start = now_ms ();
  for (int i = 0; i < N_RANGES; i++)
    {
      char lo[64], hi[64];
      const char *family = families[g_rand_int_range (rand, 0, G_N_ELEMENTS (families))];

      g_snprintf (lo, sizeof lo, "%s given%d", family, g_rand_int_range (rand, 0, 500));
      g_snprintf (hi, sizeof hi, "%s\xff", lo);
      sqlite3_bind_text (range, 1, lo, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (range, 2, hi, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (range) == SQLITE_ROW)
        sink += sqlite3_column_int64 (range, 0);
      sqlite3_reset (range);
    }
  out->range_ms = now_ms () - start;

  sqlite3_finalize (lookup);
  sqlite3_finalize (range);
  sqlite3_close (db);

  /* Cold: a fresh connection, every page read from the file and decrypted. */
  db = open_db (path, encrypted);
  sqlite3_prepare_v2 (db, "SELECT family_name, birth_date FROM patients WHERE id = ?", -1,
                      &lookup, NULL);
  start = now_ms ();
  for (int i = 0; i < N_LOOKUPS / 10; i++)
    {
      sqlite3_bind_int64 (lookup, 1, g_rand_int_range (rand, 1, N_ROWS + 1));
      if (sqlite3_step (lookup) == SQLITE_ROW)
        sink += sqlite3_column_bytes (lookup, 0);
      sqlite3_reset (lookup);
    }
  out->cold_lookup_ms = now_ms () - start;
  sqlite3_finalize (lookup);
  sqlite3_close (db);

  if (sink == 42)
    g_print (" ");
}

static void
bench_kdf (void)
{
  guint8 out[32];
  guint8 salt[crypto_pwhash_SALTBYTES] = { 1 };
  double times[5];

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      double start = now_ms ();
      if (crypto_pwhash (out, sizeof out, "a password", 10, salt,
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                         crypto_pwhash_ALG_ARGON2ID13) != 0)
        g_error ("crypto_pwhash: out of memory");
      times[i] = now_ms () - start;
    }

  figure ("kdf.argon2id.interactive", median (times, G_N_ELEMENTS (times)), "ms", "-", -1);
}

static void
bench_login (const char *dir)
{
  g_autofree char *practice_dir = g_build_filename (dir, "practice", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChPractice) practice = NULL;
  ChPracticeSetup setup = {
    .name = "Bench", .admin_user = "admin", .admin_password = "bench password",
  };
  double times[5];
  double start;

  start = now_ms ();
  practice = ch_practice_create (practice_dir, &setup, NULL, &error);
  if (practice == NULL)
    g_error ("%s", error->message);
  figure ("practice.create", now_ms () - start, "ms", "-", -1);

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autoptr (ChSession) session = NULL;

      start = now_ms ();
      session = ch_session_login (practice, "admin", "bench password", &error);
      times[i] = now_ms () - start;
      if (session == NULL)
        g_error ("%s", error->message);
      ch_session_logout (session);
    }
  figure ("login", median (times, G_N_ELEMENTS (times)), "ms", "< 1000 ms", median (times, 5) < 1000);
}

/* The audit viewer over a million entries: what one screenful costs at the
 * top, the middle and the end of the trail, with and without a filter. */
static void
bench_audit (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "audit.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChStore) store = NULL;
  static const char * const users[] = { "doctor", "nurse", "frontdesk", "manager", "admin" };
  const gint64 n = N_AUDIT;
  guint8 key[CH_STORE_KEY_BYTES];
  ChAuditFilter by_user = { .username = "nurse" };
  struct { const char *name; const ChAuditFilter *filter; gint64 offset; } pages[] = {
    { "audit.page.top", NULL, 0 },
    { "audit.page.middle", NULL, N_AUDIT / 2 },
    { "audit.page.end", NULL, N_AUDIT - 60 },
    { "audit.page.user.top", &by_user, 0 },
    { "audit.page.user.end", &by_user, N_AUDIT / 5 - 60 },
  };
  double start;
  gint64 count;

  randombytes_buf (key, sizeof key);
  store = ch_store_open (path, key, CH_STORE_FLAGS_CREATE, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  start = now_ms ();
  for (gint64 i = 0; i < n; i++)
    {
      char object[32];

      if (i % 20000 == 0 && !ch_store_begin (store, &error))
        g_error ("%s", error->message);
      g_snprintf (object, sizeof object, "%" G_GINT64_FORMAT, i % 5000 + 1);
      if (!ch_audit_append (store, users[i % 5], users[i % 5], CH_AUDIT_VIEW, "patient", object,
                            i % 5000 + 1, "", &error))
        g_error ("%s", error->message);
      if (i % 20000 == 19999 && !ch_store_commit (store, &error))
        g_error ("%s", error->message);
    }
  figure ("audit.append.1m", now_ms () - start, "ms", "-", -1);

  start = now_ms ();
  count = ch_db_audit_count (store, NULL, &error);
  figure ("audit.count.1m", now_ms () - start, "ms", "-", -1);
  g_assert (count == n);

  start = now_ms ();
  count = ch_db_audit_count (store, &by_user, &error);
  figure ("audit.count.user.1m", now_ms () - start, "ms", "< 100 ms", now_ms () - start < 100);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr (GPtrArray) page = NULL;
      double t;

      start = now_ms ();
      page = ch_db_audit_page (store, pages[i].filter, pages[i].offset, 256, &error);
      t = now_ms () - start;
      if (page == NULL || page->len == 0)
        g_error ("%s: no rows", pages[i].name);
      figure (pages[i].name, t, "ms", "< 100 ms", t < 100);
    }

  start = now_ms ();
  if (!ch_audit_verify (store, &count, &error))
    g_error ("%s", error->message);
  figure ("audit.verify.1m", now_ms () - start, "ms", "-", -1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("charta-bench-XXXXXX", &error);
  Workload plain = { 0 }, cipher = { 0 };
  double samples[8][N_REPEATS];
  struct { const char *name; double plain, cipher; } rows[4];

  if (dir == NULL || sodium_init () < 0)
    g_error ("set-up failed");

  bench_kdf ();
  bench_login (dir);
  bench_audit (dir);

  /* Alternate the two, several times, and keep the medians. */
  for (guint r = 0; r < N_REPEATS; r++)
    {
      g_autofree char *plain_path = g_strdup_printf ("%s/plain-%u.db", dir, r);
      g_autofree char *cipher_path = g_strdup_printf ("%s/cipher-%u.db", dir, r);
      Workload p = { 0 }, c = { 0 };

      run_workload (plain_path, FALSE, &p);
      run_workload (cipher_path, TRUE, &c);
      samples[0][r] = p.insert_ms; samples[1][r] = c.insert_ms;
      samples[2][r] = p.lookup_ms; samples[3][r] = c.lookup_ms;
      samples[4][r] = p.range_ms; samples[5][r] = c.range_ms;
      samples[6][r] = p.cold_lookup_ms; samples[7][r] = c.cold_lookup_ms;
    }
  plain.insert_ms = median (samples[0], N_REPEATS);
  cipher.insert_ms = median (samples[1], N_REPEATS);
  plain.lookup_ms = median (samples[2], N_REPEATS);
  cipher.lookup_ms = median (samples[3], N_REPEATS);
  plain.range_ms = median (samples[4], N_REPEATS);
  cipher.range_ms = median (samples[5], N_REPEATS);
  plain.cold_lookup_ms = median (samples[6], N_REPEATS);
  cipher.cold_lookup_ms = median (samples[7], N_REPEATS);

  rows[0].name = "insert"; rows[0].plain = plain.insert_ms; rows[0].cipher = cipher.insert_ms;
  rows[1].name = "lookup"; rows[1].plain = plain.lookup_ms; rows[1].cipher = cipher.lookup_ms;
  rows[2].name = "range"; rows[2].plain = plain.range_ms; rows[2].cipher = cipher.range_ms;
  rows[3].name = "cold_lookup"; rows[3].plain = plain.cold_lookup_ms; rows[3].cipher = cipher.cold_lookup_ms;

  g_print ("\nEncrypted vs plain, same SQLite %s, %d rows, %d lookups, %d name ranges,"
           " median of %d runs\n", sqlite3_libversion (), N_ROWS, N_LOOKUPS, N_RANGES, N_REPEATS);
  g_print ("%-14s %12s %12s %8s  %s\n", "workload", "plain ms", "sqlcipher ms", "ratio", "budget");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      double ratio = rows[i].cipher / MAX (rows[i].plain, 0.001);
      g_autofree char *name = g_strdup_printf ("store.%s.ratio", rows[i].name);
      gboolean met = ratio <= BUDGET_RATIO;

      g_print ("%-14s %12.1f %12.1f %8.2f  %s\n", rows[i].name, rows[i].plain, rows[i].cipher,
               ratio, met ? "≤ 1.25 met" : "≤ 1.25 MISSED");
      figure (g_intern_string (name), ratio, "x", "<= 1.25", met);
      name = g_strdup_printf ("store.%s.sqlcipher", rows[i].name);
      figure (g_intern_string (name), rows[i].cipher, "ms", "-", -1);
      name = g_strdup_printf ("store.%s.plain", rows[i].name);
      figure (g_intern_string (name), rows[i].plain, "ms", "-", -1);
    }

  g_print ("\n%-28s %10s %-5s %-10s %s\n", "figure", "value", "unit", "budget", "met");
  for (guint i = 0; i < n_figures; i++)
    g_print ("%-28s %10.2f %-5s %-10s %s\n", figures[i].name, figures[i].value, figures[i].unit,
             figures[i].budget, figures[i].met < 0 ? "-" : figures[i].met ? "yes" : "NO");
  g_print ("\n");
  for (guint i = 0; i < n_figures; i++)
    g_print ("bench %s %.2f %s\n", figures[i].name, figures[i].value, figures[i].unit);

  /* Leave no practice behind. */
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }

  return 0;
}
