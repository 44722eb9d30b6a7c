/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-documents"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-audit.h"
#include "ch-documents.h"
#include "ch-keyring.h"
#include "ch-patient-db.h"
#include "ch-session-private.h"
#include "ch-validate.h"

/* The document store. Each file is one blob under PRACTICE/documents/, a
 * libsodium secretstream (XChaCha20-Poly1305): the 24-byte header, then one
 * message per CH_DOCUMENTS_CHUNK_SIZE bytes of content, the last tagged
 * FINAL, so that a blob cut short or grown fails to authenticate. The keys
 * come from the documents keys kept in the encrypted database (table
 * document_keys; generation 1 is the documents subkey of the master key,
 * stored at the first use): the newest encrypts, any may have encrypted a
 * blob read. A second key, from generation 1 always, names blobs: the keyed
 * BLAKE2b of the content, so identical files
 * share a blob, and a name tells nothing to whoever lacks the key (not even
 * whether a known file is stored). The name is also checked after
 * decryption, which catches one blob swapped for another.
 *
 * Import writes a temporary file beside the blobs, fsyncs it, renames it
 * into place and fsyncs the folders before the row is inserted, so a row
 * never names a blob that is not whole. An importer holds a lock on its
 * temporary file; one that nobody holds is what a crash left behind, and the
 * next import removes it. A crash after the rename leaves a blob no row
 * names: harmless, and reused if the same file is imported again.
 *
 * Not every blob has a document row: a DICOM image that matched no patient
 * waits in the imaging inbox (app/imaging/) as a blob that a dicom_inbox
 * row names (ch_documents_store_blob()), until it is assigned to a chart.
 *
 * The master key is rotated by "charta-admin rekey" (ch_session_rekey()): the
 * database, keys included, is re-encrypted and a new generation of the
 * documents key added, so blobs stay readable without being rewritten and
 * those written afterwards are under a key the old master key never gave. */

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define HASH_BYTES 32
#define SNIFF_BYTES 4096
#define TEMP_PREFIX ".import-"
#define TEXT_MAX 500
#define TAGS_MAX 1000

/* crypto_kdf contexts (8 bytes) for the two keys under the documents subkey. */
#define KDF_CONTEXT_BLOB "chdocblb"
#define KDF_CONTEXT_NAME "chdocnam"

G_DEFINE_QUARK (ch-documents-error-quark, ch_documents_error)

static const char * const categories[] = {
  "referral", "lab-report", "imaging", "consent", "id-card", "correspondence", "other", NULL,
};

const char * const *
ch_documents_categories (void)
{
  return categories;
}

gboolean
ch_documents_valid_category (const char *category)
{
  return category != NULL && g_strv_contains (categories, category);
}

const char *
ch_documents_category_label (const char *category)
{
  static const struct { const char *category; const char *label; } labels[] = {
    { "referral", N_("Referral") }, { "lab-report", N_("Lab report") },
    { "imaging", N_("Imaging") }, { "consent", N_("Consent") },
    { "id-card", N_("ID or insurance card") }, { "correspondence", N_("Correspondence") },
    { "other", N_("Other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].category, category) == 0)
      return _(labels[i].label);
  return category;
}

/* The permission table has no area of its own for documents: ID and
 * insurance cards belong with the registration (demographics, which the
 * front desk keeps), everything else with the clinical record. */
static ChArea
area_for (const char *category)
{
  return g_strcmp0 (category, "id-card") == 0 ? CH_AREA_DEMOGRAPHICS : CH_AREA_CLINICAL;
}

char *
ch_documents_dir (ChSession *session)
{
  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  return g_build_filename (ch_practice_get_dir (ch_session_get_practice (session)), "documents",
                           NULL);
}

/* ---- keys ---------------------------------------------------------------- */

typedef struct
{
  ChSecret  *blob;    /* secretstream key that encrypts: the newest generation's */
  GPtrArray *older;   /* (element-type ChSecret): the others' too, newest first */
  ChSecret  *name;    /* BLAKE2b key that names blobs: generation 1's */
} Keys;

static void
keys_clear (Keys *keys)
{
  g_clear_pointer (&keys->blob, ch_secret_free);
  g_clear_pointer (&keys->older, g_ptr_array_unref);
  g_clear_pointer (&keys->name, ch_secret_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Keys, keys_clear)

static ChSecret *
derive (GBytes     *generation,
        gsize       len,
        guint64     id,
        const char *context)
{
  ChSecret *key = ch_secret_new (len);

  crypto_kdf_derive_from_key (key->data, key->len, id, context,
                              g_bytes_get_data (generation, NULL));
  return key;
}

static gboolean
keys_init (Keys       *keys,
           ChSession  *session,
           GError    **error)
{
  const ChSecret *master = ch_session_get_master_key (session);
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) generations = NULL;

  if (master == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED, _("The screen is locked"));
      return FALSE;
    }

  if (!ch_db_document_keys_load (store, &generations, error))
    return FALSE;
  if (generations->len == 0)
    {
      /* The first use: generation 1 is what the master key gives. */
      g_autoptr (ChSecret) documents = ch_master_derive (master, CH_SUBKEY_DOCUMENTS);

      g_clear_pointer (&generations, g_ptr_array_unref);
      if (!ch_db_document_key_add (store, documents->data, documents->len, TRUE, error)
          || !ch_db_document_keys_load (store, &generations, error))
        return FALSE;
    }
  for (guint i = 0; i < generations->len; i++)
    if (g_bytes_get_size (g_ptr_array_index (generations, i)) != crypto_kdf_KEYBYTES)
      {
        g_set_error_literal (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_FAILED,
                             _("The document store's keys are damaged"));
        return FALSE;
      }

  keys->blob = derive (g_ptr_array_index (generations, generations->len - 1),
                       crypto_secretstream_xchacha20poly1305_KEYBYTES, 1, KDF_CONTEXT_BLOB);
  keys->older = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_secret_free);
  for (guint i = generations->len - 1; i > 0; i--)
    g_ptr_array_add (keys->older, derive (g_ptr_array_index (generations, i - 1),
                                          crypto_secretstream_xchacha20poly1305_KEYBYTES, 1,
                                          KDF_CONTEXT_BLOB));
  keys->name = derive (g_ptr_array_index (generations, 0), crypto_generichash_KEYBYTES, 2,
                       KDF_CONTEXT_NAME);
  return TRUE;
}

/* ---- small file helpers -------------------------------------------------- */

/* Reads up to @len bytes, fewer only at the end of the file; -1 on error. */
static gssize
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

static gboolean
write_all (int           fd,
           const guint8 *buf,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }
  return TRUE;
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

static void set_io_error (GError    **error,
                          int         saved_errno,
                          const char *format,
                          ...) G_GNUC_PRINTF (3, 4);

static void
set_io_error (GError    **error,
              int         saved_errno,
              const char *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO, "%s: %s", what,
               saved_errno == ENOSPC || saved_errno == EDQUOT ? _("the disk is full")
                                                              : g_strerror (saved_errno));
}

/* Removes the temporary files of imports that ended without finishing: those
 * whose importer no longer holds their lock. */
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

      if (!g_str_has_prefix (entry->d_name, TEMP_PREFIX))
        continue;
      path = g_build_filename (dir, entry->d_name, NULL);
      fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          if (g_unlink (path) != 0 && errno != ENOENT)
            g_debug ("could not remove %s: %s", path, g_strerror (errno));
        }
      close (fd);
    }
  closedir (d);
}

/* A temporary file for an import, locked while we live. (transfer full) */
static char *
create_temp (const char  *dir,
             int         *out_fd,
             GError     **error)
{
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autofree char *path = g_build_filename (dir, TEMP_PREFIX "XXXXXX", NULL);
      struct stat st;
      int fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          set_io_error (error, errno, _("Cannot write in “%s”"), dir);
          return NULL;
        }
      /* Between creating and locking, another import may have taken the
       * file for a leftover and removed it: then try another. */
      if (flock (fd, LOCK_EX) == 0 && fstat (fd, &st) == 0 && st.st_nlink > 0)
        {
          *out_fd = fd;
          return g_steal_pointer (&path);
        }
      close (fd);
    }
  g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO,
               _("Cannot write in “%s”"), dir);
  return NULL;
}

/* ---- encrypting and decrypting ------------------------------------------- */

/* Where the content comes from: a file or memory. */
typedef struct
{
  int           fd;       /* -1 for memory */
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Source;

static gssize
source_read (Source *src,
             guint8 *buf,
             gsize   len)
{
  gsize n;

  if (src->fd >= 0)
    return read_full (src->fd, buf, len);
  n = MIN (len, src->len - src->pos);
  if (n > 0)
    memcpy (buf, src->data + src->pos, n);
  src->pos += n;
  return n;
}

/* Encrypts @src into @out_fd. Sets @out_hash (hex of the keyed hash of the
 * content), @out_size and the first bytes of the content in @sniff. */
static gboolean
encrypt_stream (Source         *src,
                int             out_fd,
                const Keys     *keys,
                const char     *name,
                char            out_hash[HASH_BYTES * 2 + 1],
                gint64         *out_size,
                guint8         *sniff,
                gsize          *out_sniff_len,
                GError        **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_generichash_state hash;
  guint8 header[HEADER_BYTES];
  guint8 digest[HASH_BYTES];
  g_autofree guint8 *cur = g_malloc (CH_DOCUMENTS_CHUNK_SIZE);
  g_autofree guint8 *next = g_malloc (CH_DOCUMENTS_CHUNK_SIZE);
  g_autofree guint8 *cipher = g_malloc (CH_DOCUMENTS_CHUNK_SIZE + ABYTES);
  gssize n_cur, n_next;
  gint64 total = 0;
  gboolean ok = FALSE;

  crypto_secretstream_xchacha20poly1305_init_push (&state, header, keys->blob->data);
  crypto_generichash_init (&hash, keys->name->data, keys->name->len, sizeof digest);
  if (!write_all (out_fd, header, sizeof header))
    {
      set_io_error (error, errno, _("Cannot store “%s”"), name);
      goto out;
    }

  n_cur = source_read (src, cur, CH_DOCUMENTS_CHUNK_SIZE);
  if (n_cur < 0)
    {
      set_io_error (error, errno, _("Cannot read “%s”"), name);
      goto out;
    }
  *out_sniff_len = MIN ((gsize) n_cur, SNIFF_BYTES);
  memcpy (sniff, cur, *out_sniff_len);

  for (;;)
    {
      unsigned long long clen;
      guint8 tag;
      guint8 *swap;

      /* Read ahead: the last message has to be tagged as such. */
      n_next = n_cur < CH_DOCUMENTS_CHUNK_SIZE ? 0 : source_read (src, next, CH_DOCUMENTS_CHUNK_SIZE);
      if (n_next < 0)
        {
          set_io_error (error, errno, _("Cannot read “%s”"), name);
          goto out;
        }
      total += n_cur;
      if (total > CH_DOCUMENTS_MAX_SIZE)
        {
          g_autofree char *cap = g_format_size (CH_DOCUMENTS_MAX_SIZE);

          g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_TOO_LARGE,
                       _("“%s” is larger than the %s a document may be"), name, cap);
          goto out;
        }
      crypto_generichash_update (&hash, cur, n_cur);
      tag = n_next == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
      crypto_secretstream_xchacha20poly1305_push (&state, cipher, &clen, cur, n_cur, NULL, 0, tag);
      if (!write_all (out_fd, cipher, clen))
        {
          set_io_error (error, errno, _("Cannot store “%s”"), name);
          goto out;
        }
      if (n_next == 0)
        break;
      swap = cur;
      cur = next;
      next = swap;
      n_cur = n_next;
    }

  crypto_generichash_final (&hash, digest, sizeof digest);
  sodium_bin2hex (out_hash, HASH_BYTES * 2 + 1, digest, sizeof digest);
  *out_size = total;
  ok = TRUE;

out:
  sodium_memzero (cur, CH_DOCUMENTS_CHUNK_SIZE);
  sodium_memzero (next, CH_DOCUMENTS_CHUNK_SIZE);
  sodium_memzero (&state, sizeof state);
  return ok;
}

typedef enum
{
  BLOB_OK,
  BLOB_MISSING,
  BLOB_DAMAGED,
  BLOB_IO,
} BlobStatus;

/* Decrypts the blob at @path, checking every message, the final tag, the
 * length and the content hash. With @out, appends the content to it; on
 * any failure what was appended must be thrown away. */
static BlobStatus
decrypt_blob_with (const char     *path,
                   const ChSecret *blob_key,
                   const Keys     *keys,
                   const char     *expected_hash,
              gint64        expected_size,
              GByteArray   *out,
              int          *out_errno)
{
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_generichash_state hash;
  guint8 header[HEADER_BYTES];
  guint8 digest[HASH_BYTES];
  char hex[HASH_BYTES * 2 + 1];
  g_autofree guint8 *cipher = g_malloc (CH_DOCUMENTS_CHUNK_SIZE + ABYTES + 1);
  g_autofree guint8 *plain = g_malloc (CH_DOCUMENTS_CHUNK_SIZE);
  BlobStatus status = BLOB_DAMAGED;
  gint64 total = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      *out_errno = errno;
      return errno == ENOENT ? BLOB_MISSING : BLOB_IO;
    }

  crypto_generichash_init (&hash, keys->name->data, keys->name->len, sizeof digest);
  if (read_full (fd, header, sizeof header) != sizeof header
      || crypto_secretstream_xchacha20poly1305_init_pull (&state, header, blob_key->data) != 0)
    goto out;

  for (;;)
    {
      unsigned long long mlen;
      guint8 tag;
      gssize n = read_full (fd, cipher, CH_DOCUMENTS_CHUNK_SIZE + ABYTES);

      if (n < 0)
        {
          *out_errno = errno;
          status = BLOB_IO;
          goto out;
        }
      if (n < (gssize) ABYTES
          || crypto_secretstream_xchacha20poly1305_pull (&state, plain, &mlen, &tag, cipher, n,
                                                         NULL, 0) != 0)
        goto out;
      total += mlen;
      if (total > expected_size)
        goto out;
      crypto_generichash_update (&hash, plain, mlen);
      if (out != NULL)
        g_byte_array_append (out, plain, mlen);
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        {
          /* Nothing may follow the last message. */
          if (read_full (fd, cipher, 1) != 0)
            goto out;
          break;
        }
      if (tag != 0 || n < CH_DOCUMENTS_CHUNK_SIZE + (gssize) ABYTES)
        goto out;
    }

  crypto_generichash_final (&hash, digest, sizeof digest);
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  if (total == expected_size && g_str_equal (hex, expected_hash))
    status = BLOB_OK;

out:
  close (fd);
  sodium_memzero (plain, CH_DOCUMENTS_CHUNK_SIZE);
  sodium_memzero (&state, sizeof state);
  return status;
}

/* decrypt_blob_with() under the newest key, then the older ones: a blob
 * written before a rekey is under the key of its time. */
static BlobStatus
decrypt_blob (const char   *path,
              const Keys   *keys,
              const char   *expected_hash,
              gint64        expected_size,
              GByteArray   *out,
              int          *out_errno)
{
  guint start = out != NULL ? out->len : 0;
  BlobStatus status;

  status = decrypt_blob_with (path, keys->blob, keys, expected_hash, expected_size, out,
                             out_errno);
  for (guint i = 0; status == BLOB_DAMAGED && keys->older != NULL && i < keys->older->len; i++)
    {
      if (out != NULL)
        {
          sodium_memzero (out->data + start, out->len - start);
          g_byte_array_set_size (out, start);
        }
      status = decrypt_blob_with (path, g_ptr_array_index (keys->older, i), keys, expected_hash,
                                  expected_size, out, out_errno);
    }
  return status;
}

static char *
blob_path (const char *dir,
           const char *blob)
{
  return g_build_filename (dir, blob, NULL);
}

/* Decrypts the blob @blob whole into *@out, or says why not. */
static BlobStatus
read_blob_content (ChSession   *session,
                   const char  *blob,
                   const char  *content_hash,
                   gint64       size,
                   GBytes     **out,
                   int         *out_errno,
                   GError     **error)
{
  g_auto (Keys) keys = { 0 };
  g_autofree char *dir = ch_documents_dir (session);
  g_autofree char *path = NULL;
  GByteArray *data;
  BlobStatus status;

  *out = NULL;
  if (!keys_init (&keys, session, error))
    return BLOB_IO;

  /* A name that is not a shard and a hash would point outside the folder. */
  if (strlen (blob) != 3 + HASH_BYTES * 2 || blob[2] != '/' || strchr (blob, '.') != NULL)
    return BLOB_DAMAGED;

  path = blob_path (dir, blob);
  data = g_byte_array_sized_new (MIN (size, CH_DOCUMENTS_MAX_SIZE));
  status = decrypt_blob (path, &keys, content_hash, size, data, out_errno);
  if (status == BLOB_OK)
    {
      *out = g_byte_array_free_to_bytes (data);
      return BLOB_OK;
    }
  sodium_memzero (data->data, data->len);
  g_byte_array_unref (data);
  return status;
}

/* Reads a whole document. (transfer full) */
static GBytes *
read_document (ChSession         *session,
               const ChDocument  *document,
               GError           **error)
{
  GBytes *bytes = NULL;
  GError *local_error = NULL;
  BlobStatus status;
  int saved_errno = 0;

  status = read_blob_content (session, document->blob, document->content_hash, document->size,
                              &bytes, &saved_errno, &local_error);
  if (status == BLOB_OK)
    return bytes;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  switch (status)
    {
    case BLOB_MISSING:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_MISSING,
                   _("The file of document %" PRId64 " “%s” is missing from the "
                     "practice folder"), document->id, document->title);
      break;
    case BLOB_IO:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO,
                   _("The file of document %" PRId64 " “%s” cannot be read: %s"),
                   document->id, document->title, g_strerror (saved_errno));
      break;
    case BLOB_DAMAGED:
    case BLOB_OK:
    default:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_DAMAGED,
                   _("The file of document %" PRId64 " “%s” is damaged: it does not "
                     "decrypt whole"), document->id, document->title);
      break;
    }
  return NULL;
}

/* ---- validation, permission, audit --------------------------------------- */

static gboolean
check_category_access (ChSession   *session,
                       const char  *category,
                       ChAccess     access,
                       GError     **error)
{
  return ch_session_check (session, area_for (category), access, error);
}

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static gboolean
validate_fields (const ChDocument  *d,
                 GError           **error)
{
  if (!ch_documents_valid_category (d->category))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                   _("Unknown document category “%s” (categories: referral, lab-report, imaging, "
                     "consent, id-card, correspondence, other)"), d->category ? d->category : "");
      return FALSE;
    }
  if (!ch_valid_date (d->date))
    return ch_invalid (error, _("Write the document's date as YYYY-MM-DD"));
  if (!ch_has_text (d->title))
    return ch_invalid (error, _("Give the document a title"));
  if (g_utf8_strlen (d->title, -1) > TEXT_MAX || g_utf8_strlen (d->author, -1) > TEXT_MAX
      || g_utf8_strlen (d->source, -1) > TEXT_MAX)
    return ch_invalid (error, _("The title, author and source are at most 500 characters each"));
  if (g_utf8_strlen (d->tags, -1) > TAGS_MAX)
    return ch_invalid (error, _("The tags are at most 1000 characters"));
  if (!ch_has_text (d->content_type) || strlen (d->content_type) > 200)
    return ch_invalid (error, _("The content type is missing or too long"));
  return TRUE;
}

static gboolean
audit_document (ChSession         *session,
                const char        *action,
                const ChDocument  *d,
                const char        *detail,
                GError           **error)
{
  char id[32];

  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, d->id);
  return ch_session_audit (session, action, "document", id, d->patient_id, detail, error);
}

static char *
dup_text (const char *text)
{
  return g_strstrip (g_strdup (text != NULL ? text : ""));
}

static char *
guess_content_type (const char   *filename,
                    const guint8 *data,
                    gsize         len)
{
  g_autofree char *type = g_content_type_guess (filename, data, len, NULL);
  char *mime = type != NULL ? g_content_type_get_mime_type (type) : NULL;

  return mime != NULL ? mime : g_strdup ("application/octet-stream");
}

/* ---- import -------------------------------------------------------------- */

/* Stores the content of @src as a blob, or finds it stored already. */
static gboolean
store_blob (ChSession   *session,
            Source      *src,
            const char  *name,
            const char  *filename,
            ChDocument  *d,
            GError     **error)
{
  g_auto (Keys) keys = { 0 };
  g_autofree char *dir = ch_documents_dir (session);
  g_autofree char *temp = NULL;
  g_autofree char *shard = NULL;
  g_autofree char *final = NULL;
  g_autofree guint8 *sniff = g_malloc (SNIFF_BYTES);
  char hash[HASH_BYTES * 2 + 1];
  char shard_name[3];
  gsize sniff_len = 0;
  gint64 size = 0;
  int fd = -1;
  int saved_errno = 0;
  gboolean ok = FALSE;

  if (!keys_init (&keys, session, error))
    return FALSE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_io_error (error, errno, _("Cannot write in “%s”"), dir);
      return FALSE;
    }
  remove_stale_temps (dir);

  temp = create_temp (dir, &fd, error);
  if (temp == NULL)
    return FALSE;
  if (!encrypt_stream (src, fd, &keys, name, hash, &size, sniff, &sniff_len, error))
    goto out;
  if (fsync (fd) != 0)
    {
      set_io_error (error, errno, _("Cannot store “%s”"), name);
      goto out;
    }

  memcpy (shard_name, hash, 2);
  shard_name[2] = '\0';
  shard = g_build_filename (dir, shard_name, NULL);
  final = g_build_filename (shard, hash, NULL);
  if (g_mkdir_with_parents (shard, 0700) != 0)
    {
      set_io_error (error, errno, _("Cannot write in “%s”"), shard);
      goto out;
    }

  /* The same file stored before: keep that blob if it is whole, else this
   * one takes its place. */
  if (decrypt_blob (final, &keys, hash, size, NULL, &saved_errno) == BLOB_OK)
    g_unlink (temp);
  else if (rename (temp, final) != 0 || !fsync_dir (shard) || !fsync_dir (dir))
    {
      set_io_error (error, errno, _("Cannot store “%s”"), name);
      goto out;
    }
  g_clear_pointer (&temp, g_free);

  d->size = size;
  d->content_hash = g_strdup (hash);
  d->blob = g_strdup_printf ("%s/%s", shard_name, hash);
  if (!ch_has_text (d->content_type))
    {
      g_free (d->content_type);
      d->content_type = guess_content_type (filename, sniff, sniff_len);
    }
  ok = TRUE;

out:
  sodium_memzero (sniff, SNIFF_BYTES);
  if (temp != NULL)
    g_unlink (temp);
  if (fd >= 0)
    close (fd);
  return ok;
}

/**
 * ch_documents_import:
 * @meta: (nullable): what is known of the document; see #ChDocumentMeta
 * @path: (nullable): the file to import, or
 * @bytes: (nullable): its content
 * @out_id: (out) (optional): the new document's id
 *
 * Stores a document in @patient_id's chart: the content encrypted under
 * PRACTICE/documents/ (once, however often it is imported), a row with
 * @meta, and the audit entry. Needs write access to the clinical record (to
 * demographics for an ID or insurance card).
 *
 * Errors: CH_AUTH_ERROR (permission, invalid @meta), CH_STORE_ERROR_NOT_FOUND
 * (no such patient), CH_DOCUMENTS_ERROR_IO (the file cannot be read, or the
 * blob written), CH_DOCUMENTS_ERROR_TOO_LARGE.
 */
gboolean
ch_documents_import (ChSession             *session,
                     gint64                 patient_id,
                     const ChDocumentMeta  *meta,
                     const char            *path,
                     GBytes                *bytes,
                     gint64                *out_id,
                     GError               **error)
{
  static const ChDocumentMeta no_meta = { 0 };
  g_autoptr (ChDocument) d = ch_document_new ();
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
  g_autofree char *display = path != NULL ? g_filename_display_name (path) : NULL;
  const char *name;
  ChStore *store;
  Source src = { .fd = -1 };
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail ((path == NULL) != (bytes == NULL), FALSE);

  if (meta == NULL)
    meta = &no_meta;
  d->patient_id = patient_id;
  d->category = g_strdup (meta->category != NULL ? meta->category : "other");
  d->date = meta->date != NULL ? g_strdup (meta->date) : today ();
  if (ch_has_text (meta->title))
    d->title = dup_text (meta->title);
  else if (basename != NULL)
    d->title = g_filename_display_name (basename);
  else
    d->title = g_strdup (_("Document"));
  d->author = dup_text (meta->author);
  d->source = dup_text (meta->source);
  d->tags = dup_text (meta->tags);
  d->content_type = dup_text (meta->content_type);
  name = display != NULL ? display : d->title;

  if (ch_documents_valid_category (d->category)
      && !check_category_access (session, d->category, CH_ACCESS_WRITE, error))
    return FALSE;
  {
    /* The content type is checked after it is guessed. */
    g_autofree char *saved = g_steal_pointer (&d->content_type);

    d->content_type = g_strdup ("-");
    if (!validate_fields (d, error))
      return FALSE;
    g_free (d->content_type);
    d->content_type = g_steal_pointer (&saved);
  }

  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return FALSE;

  if (path != NULL)
    {
      struct stat st;

      src.fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (src.fd < 0)
        {
          set_io_error (error, errno, _("Cannot read “%s”"), name);
          return FALSE;
        }
      if (fstat (src.fd, &st) != 0 || !S_ISREG (st.st_mode))
        {
          close (src.fd);
          g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO,
                       _("“%s” is not a regular file"), name);
          return FALSE;
        }
      if (st.st_size > CH_DOCUMENTS_MAX_SIZE)
        {
          g_autofree char *cap = g_format_size (CH_DOCUMENTS_MAX_SIZE);

          close (src.fd);
          g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_TOO_LARGE,
                       _("“%s” is larger than the %s a document may be"), name, cap);
          return FALSE;
        }
    }
  else
    src.data = g_bytes_get_data (bytes, &src.len);

  ok = store_blob (session, &src, name, basename, d, error);
  if (src.fd >= 0)
    close (src.fd);
  if (!ok)
    return FALSE;

  if (!ch_has_text (d->content_type) || strlen (d->content_type) > 200)
    return ch_invalid (error, _("The content type is missing or too long"));

  if (!ch_store_begin (store, error))
    return FALSE;
  {
    g_autofree char *detail = g_strdup_printf ("%s, %s, %" G_GINT64_FORMAT " bytes", d->category,
                                               d->content_type, d->size);

    ok = ch_db_document_insert (store, d, ch_session_get_username (session), error)
         && audit_document (session, CH_AUDIT_CREATE, d, detail, error);
  }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = d->id;
  return TRUE;
}

/* ---- reading ------------------------------------------------------------- */

/**
 * ch_documents_list:
 *
 * The documents of @patient_id that the session may see: all of them with
 * read access to the clinical record, else (with read access to
 * demographics) the ID and insurance cards.
 *
 * Returns: (transfer full) (element-type ChDocument): newest first
 */
GPtrArray *
ch_documents_list (ChSession  *session,
                   gint64      patient_id,
                   gboolean    include_entered_in_error,
                   GError    **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (GPtrArray) list = NULL;
  ChStore *store;
  gboolean clinical;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  clinical = ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_READ);
  if (!clinical && !ch_session_can (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ))
    {
      ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error);
      return NULL;
    }
  if (!clinical && !ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  store = ch_session_get_store (session);
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return NULL;
  list = ch_db_document_list (store, patient_id, include_entered_in_error, error);
  if (list == NULL)
    return NULL;
  if (!clinical)
    for (guint i = list->len; i > 0; i--)
      {
        ChDocument *d = list->pdata[i - 1];

        if (area_for (d->category) != CH_AREA_DEMOGRAPHICS)
          g_ptr_array_remove_index (list, i - 1);
      }
  return g_steal_pointer (&list);
}

/**
 * ch_documents_get:
 *
 * Returns: (transfer full) (nullable): the document's row, if the session
 *   may read it
 */
ChDocument *
ch_documents_get (ChSession  *session,
                  gint64      id,
                  GError    **error)
{
  g_autoptr (ChDocument) d = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  /* Say "not allowed" before saying whether the document exists. */
  if (!ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_READ)
      && !ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;
  d = ch_db_document_get (ch_session_get_store (session), id, error);
  if (d == NULL || !check_category_access (session, d->category, CH_ACCESS_READ, error))
    return NULL;
  return g_steal_pointer (&d);
}

/**
 * ch_documents_read:
 *
 * Decrypts a document whole, for a viewer, and audits the view. Entered in
 * error, it stays readable.
 *
 * Errors: CH_DOCUMENTS_ERROR_MISSING or _DAMAGED naming the document (never
 * part of the content), CH_AUTH_ERROR_PERMISSION_DENIED,
 * CH_STORE_ERROR_NOT_FOUND.
 *
 * Returns: (transfer full) (nullable): the content
 */
GBytes *
ch_documents_read (ChSession  *session,
                   gint64      id,
                   GError    **error)
{
  g_autoptr (ChDocument) d = NULL;
  g_autoptr (GBytes) bytes = NULL;

  d = ch_documents_get (session, id, error);
  if (d == NULL)
    return NULL;
  bytes = read_document (session, d, error);
  if (bytes == NULL || !audit_document (session, CH_AUDIT_VIEW, d, d->title, error))
    return NULL;
  return g_steal_pointer (&bytes);
}

/**
 * ch_documents_read_many:
 * @ids: (element-type gint64): documents of one patient, such as the images
 *   of a DICOM series
 *
 * Decrypts them all, each checked as ch_documents_read() checks it, and
 * audits the viewing once (naming the first and how many): a series of
 * hundreds of images is one look, not hundreds.
 *
 * Returns: (transfer full) (element-type GBytes) (nullable): the contents,
 *   in the order of @ids
 */
GPtrArray *
ch_documents_read_many (ChSession  *session,
                        GArray     *ids,
                        GError    **error)
{
  g_autoptr (GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (ChDocument) first = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (ids != NULL && ids->len > 0, NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (ChDocument) d = ch_documents_get (session, g_array_index (ids, gint64, i), error);
      GBytes *bytes;

      if (d == NULL)
        return NULL;
      if (first != NULL && d->patient_id != first->patient_id)
        {
          g_set_error_literal (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_FAILED,
                               _("The documents asked for are not all of one patient"));
          return NULL;
        }
      bytes = read_document (session, d, error);
      if (bytes == NULL)
        return NULL;
      g_ptr_array_add (contents, bytes);
      if (first == NULL)
        first = g_steal_pointer (&d);
    }

  detail = g_strdup_printf ("%s (%u documents)", first->title, ids->len);
  if (!audit_document (session, CH_AUDIT_VIEW, first, detail, error))
    return NULL;
  return g_steal_pointer (&contents);
}

/**
 * ch_documents_export:
 * @out_path: where to write the decrypted document
 *
 * Writes the document to @out_path whole or not at all (mode 0600) and
 * audits it as an export.
 */
gboolean
ch_documents_export (ChSession   *session,
                     gint64       id,
                     const char  *out_path,
                     GError     **error)
{
  g_autoptr (ChDocument) d = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *display = NULL;
  g_autofree char *detail = NULL;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (out_path != NULL, FALSE);

  d = ch_documents_get (session, id, error);
  if (d == NULL)
    return FALSE;
  bytes = read_document (session, d, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &len);
  display = g_filename_display_name (out_path);
  if (!g_file_set_contents_full (out_path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO,
                   _("Cannot export document %" PRId64 " to “%s”: %s"), d->id, display,
                   local_error->message);
      return FALSE;
    }

  /* Not audited, not exported. */
  detail = g_strdup_printf ("%s → %s", d->title, display);
  if (!audit_document (session, CH_AUDIT_EXPORT, d, detail, error))
    {
      g_unlink (out_path);
      return FALSE;
    }
  return TRUE;
}

/* ---- changes ------------------------------------------------------------- */

/**
 * ch_documents_update_meta:
 * @document: as read, with a new category, date, title, author, source,
 *   tags or content type; its version and the rest stay as read
 *
 * Errors: CH_STORE_ERROR_CONSTRAINT when someone changed it meanwhile.
 */
gboolean
ch_documents_update_meta (ChSession   *session,
                          ChDocument  *document,
                          GError     **error)
{
  g_autoptr (ChDocument) current = NULL;
  g_autoptr (ChDocument) changed = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (document != NULL, FALSE);

  current = ch_documents_get (session, document->id, error);
  if (current == NULL
      || !check_category_access (session, current->category, CH_ACCESS_WRITE, error))
    return FALSE;
  if (ch_documents_valid_category (document->category)
      && !check_category_access (session, document->category, CH_ACCESS_WRITE, error))
    return FALSE;

  changed = ch_document_copy (current);
  g_free (changed->category);
  changed->category = g_strdup (document->category);
  g_free (changed->date);
  changed->date = g_strdup (document->date);
  g_free (changed->title);
  changed->title = dup_text (document->title);
  g_free (changed->author);
  changed->author = dup_text (document->author);
  g_free (changed->source);
  changed->source = dup_text (document->source);
  g_free (changed->tags);
  changed->tags = dup_text (document->tags);
  g_free (changed->content_type);
  changed->content_type = dup_text (document->content_type);
  changed->version = document->version;
  if (!validate_fields (changed, error))
    return FALSE;

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_document_update (store, changed, ch_session_get_username (session), "", error)
       && audit_document (session, CH_AUDIT_UPDATE, changed, changed->title, error);
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;

  g_free (document->title);
  document->title = g_strdup (changed->title);
  document->version = changed->version;
  document->updated_at = changed->updated_at;
  g_free (document->updated_by);
  document->updated_by = g_strdup (changed->updated_by);
  return TRUE;
}

/**
 * ch_documents_mark_entered_in_error:
 * @reason: why; required
 *
 * Takes a document out of the chart's list, never out of the store: it
 * stays readable, with the reason.
 */
gboolean
ch_documents_mark_entered_in_error (ChSession   *session,
                                    gint64       id,
                                    const char  *reason,
                                    GError     **error)
{
  g_autoptr (ChDocument) d = NULL;
  g_autofree char *why = dup_text (reason);
  g_autofree char *detail = NULL;
  ChStore *store;
  gboolean ok;

  d = ch_documents_get (session, id, error);
  if (d == NULL || !check_category_access (session, d->category, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (why))
    return ch_invalid (error, _("Say why the document was entered in error"));
  if (g_utf8_strlen (why, -1) > TEXT_MAX)
    return ch_invalid (error, _("The reason is at most 500 characters"));
  if (g_str_equal (d->status, "entered-in-error"))
    return ch_invalid (error, _("The document is already marked entered in error"));

  g_free (d->status);
  d->status = g_strdup ("entered-in-error");
  g_free (d->status_reason);
  d->status_reason = g_steal_pointer (&why);

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  detail = g_strdup_printf ("entered in error: %s", d->status_reason);
  ok = ch_db_document_update (store, d, ch_session_get_username (session), d->status_reason, error)
       && audit_document (session, CH_AUDIT_UPDATE, d, detail, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* ---- blobs without a document -------------------------------------------- */

/**
 * ch_documents_store_blob:
 * @out_blob: (out): the blob's name under the documents folder
 * @out_content_hash: (out): its keyed hash, hex
 * @out_size: (out): bytes of content
 *
 * Errors: CH_AUTH_ERROR_PERMISSION_DENIED, CH_DOCUMENTS_ERROR_IO,
 * CH_DOCUMENTS_ERROR_TOO_LARGE.
 */
gboolean
ch_documents_store_blob (ChSession   *session,
                         GBytes      *bytes,
                         const char  *name,
                         char       **out_blob,
                         char       **out_content_hash,
                         gint64      *out_size,
                         GError     **error)
{
  g_autoptr (ChDocument) d = ch_document_new ();
  Source src = { .fd = -1 };

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (bytes != NULL && name != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (g_bytes_get_size (bytes) > (gsize) CH_DOCUMENTS_MAX_SIZE)
    {
      g_autofree char *cap = g_format_size (CH_DOCUMENTS_MAX_SIZE);

      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_TOO_LARGE,
                   _("“%s” is larger than the %s a document may be"), name, cap);
      return FALSE;
    }

  /* A content type given: store_blob() need not guess one. */
  d->content_type = g_strdup ("application/octet-stream");
  src.data = g_bytes_get_data (bytes, &src.len);
  if (!store_blob (session, &src, name, NULL, d, error))
    return FALSE;

  *out_blob = g_steal_pointer (&d->blob);
  *out_content_hash = g_steal_pointer (&d->content_hash);
  *out_size = d->size;
  return TRUE;
}

/**
 * ch_documents_read_blob:
 *
 * Errors: CH_DOCUMENTS_ERROR_MISSING, _DAMAGED or _IO naming @name,
 * CH_AUTH_ERROR_PERMISSION_DENIED.
 */
GBytes *
ch_documents_read_blob (ChSession   *session,
                        const char  *blob,
                        const char  *content_hash,
                        gint64       size,
                        const char  *name,
                        GError     **error)
{
  GBytes *bytes = NULL;
  GError *local_error = NULL;
  BlobStatus status;
  int saved_errno = 0;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (blob != NULL && content_hash != NULL && name != NULL, NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;

  status = read_blob_content (session, blob, content_hash, size, &bytes, &saved_errno,
                              &local_error);
  if (status == BLOB_OK)
    return bytes;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  switch (status)
    {
    case BLOB_MISSING:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_MISSING,
                   _("The file of “%s” is missing from the practice folder"), name);
      break;
    case BLOB_IO:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_IO,
                   _("The file of “%s” cannot be read: %s"), name, g_strerror (saved_errno));
      break;
    case BLOB_DAMAGED:
    case BLOB_OK:
    default:
      g_set_error (error, CH_DOCUMENTS_ERROR, CH_DOCUMENTS_ERROR_DAMAGED,
                   _("The file of “%s” is damaged: it does not decrypt whole"), name);
      break;
    }
  return NULL;
}
