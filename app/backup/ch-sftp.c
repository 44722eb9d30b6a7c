/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-backup"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "ch-backup.h"
#include "ch-sftp.h"

/* The SFTP side of backups: a connection that only ever touches one folder.
 * Nothing from ~/.ssh is read (no config file, no known_hosts, no agent):
 * the host key is checked against the practice's own pin, and the one key
 * the practice was configured with logs in. */

/* What one SFTP request carries: OpenSSH's server takes up to 256 KiB. */
#define IO_CHUNK (64 * 1024)
/* How long a silent server is waited for. */
#define TIMEOUT_SECONDS 30

struct _ChSftp
{
  ssh_session   ssh;
  sftp_session  sftp;
  char         *dir;     /* the folder on the server */
  char         *label;   /* USER@HOST:PORT/PATH */
  sftp_file     file;    /* open for writing, between create and finish */
  char         *file_name;
};

void
ch_sftp_entry_free (ChSftpEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

const char *
ch_sftp_get_label (ChSftp *sftp)
{
  return sftp->label;
}

void
ch_sftp_free (ChSftp *sftp)
{
  if (sftp == NULL)
    return;
  if (sftp->file != NULL)
    sftp_close (sftp->file);
  if (sftp->sftp != NULL)
    sftp_free (sftp->sftp);
  if (sftp->ssh != NULL)
    {
      ssh_disconnect (sftp->ssh);
      ssh_free (sftp->ssh);
    }
  g_free (sftp->dir);
  g_free (sftp->label);
  g_free (sftp->file_name);
  g_free (sftp);
}

/* The server's words for a failed file operation, and the session's. */
static char *
describe_sftp_error (ChSftp *sftp)
{
  int code = sftp->sftp != NULL ? sftp_get_error (sftp->sftp) : SSH_FX_OK;
  const char *what;

  switch (code)
    {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      what = _("no such file or folder");
      break;
    case SSH_FX_PERMISSION_DENIED:
      what = _("permission denied");
      break;
    case SSH_FX_FILE_ALREADY_EXISTS:
      what = _("the file already exists");
      break;
    case SSH_FX_FAILURE:
      /* OpenSSH's server says no more than this for a full disk. */
      what = _("the server could not do it (is its disk full?)");
      break;
    case SSH_FX_OK:
      what = NULL;
      break;
    default:
      what = _("the server refused");
      break;
    }

  if (ssh_get_error_code (sftp->ssh) != SSH_NO_ERROR || what == NULL)
    {
      const char *session = ssh_get_error (sftp->ssh);

      if (what == NULL)
        return g_strdup (session != NULL && *session != '\0' ? session
                                                               : _("the connection failed"));
      return g_strdup_printf ("%s; %s", what, session);
    }
  return g_strdup (what);
}

/* Sets a CH_BACKUP_ERROR_TARGET of @message (transfer full) and why. */
static gboolean
file_failed (ChSftp  *sftp,
             GError **error,
             char    *message)
{
  g_autofree char *owned = message;
  g_autofree char *why = describe_sftp_error (sftp);

  g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET, "%s: %s", owned, why);
  return FALSE;
}

static char *
remote_path (ChSftp     *sftp,
             const char *name)
{
  if (g_str_has_suffix (sftp->dir, "/"))
    return g_strconcat (sftp->dir, name, NULL);
  return g_strconcat (sftp->dir, "/", name, NULL);
}

static gboolean
parse_url (const char *url,
           char      **out_user,
           char      **out_host,
           int        *out_port,
           char      **out_path)
{
  const char *rest, *at, *slash, *colon;
  g_autofree char *hostport = NULL;

  if (!g_str_has_prefix (url, "sftp://"))
    return FALSE;
  rest = url + strlen ("sftp://");
  at = strchr (rest, '@');
  slash = at != NULL ? strchr (at, '/') : NULL;
  if (at == NULL || slash == NULL)
    return FALSE;

  hostport = g_strndup (at + 1, (gsize) (slash - at - 1));
  *out_port = 22;
  colon = strrchr (hostport, ':');
  if (colon != NULL && (hostport[0] != '[' || colon > strchr (hostport, ']')))
    {
      *out_port = (int) g_ascii_strtoll (colon + 1, NULL, 10);
      *out_host = g_strndup (hostport, (gsize) (colon - hostport));
    }
  else
    *out_host = g_strdup (hostport);
  /* An IPv6 literal goes to libssh without its brackets. */
  if ((*out_host)[0] == '[')
    {
      char *bare = g_strndup (*out_host + 1, strlen (*out_host) - 2);
      g_free (*out_host);
      *out_host = bare;
    }
  *out_user = g_strndup (rest, (gsize) (at - rest));
  *out_path = g_strdup (slash);
  return TRUE;
}

static gpointer
init_libssh (gpointer data)
{
  ssh_init ();
  return NULL;
}

/* "TYPE SHA256:BASE64" of the server's host key. */
static char *
host_key_of (ssh_session ssh)
{
  ssh_key key = NULL;
  unsigned char *hash = NULL;
  size_t hash_len = 0;
  char *fingerprint;
  char *result = NULL;

  if (ssh_get_server_publickey (ssh, &key) != SSH_OK)
    return NULL;
  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == 0)
    {
      fingerprint = ssh_get_fingerprint_hash (SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
      if (fingerprint != NULL)
        result = g_strdup_printf ("%s %s", ssh_key_type_to_char (ssh_key_type (key)),
                                  fingerprint);
      ssh_string_free_char (fingerprint);
      ssh_clean_pubkey_hash (&hash);
    }
  ssh_key_free (key);
  return result;
}

/**
 * ch_sftp_connect:
 *
 * Connects, checks the host key against @pinned (when given), logs in with
 * the private key in @identity (no passphrase: the daemon runs unattended)
 * and checks that the folder exists.
 *
 * Returns: (transfer full): the connection, or %NULL with
 *   CH_BACKUP_ERROR_TARGET or CH_BACKUP_ERROR_HOST_KEY
 */
ChSftp *
ch_sftp_connect (const char  *url,
                 const char  *identity,
                 const char  *pinned,
                 char       **out_host_key,
                 GError     **error)
{
  static GOnce once = G_ONCE_INIT;
  g_autoptr (ChSftp) self = g_new0 (ChSftp, 1);
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *host_key = NULL;
  ssh_key private_key = NULL;
  sftp_attributes attributes;
  bool no = false;
  long timeout = TIMEOUT_SECONDS;
  int port = 22;
  int rc;

  g_return_val_if_fail (url != NULL, NULL);

  g_once (&once, init_libssh, NULL);

  if (!parse_url (url, &user, &host, &port, &self->dir))
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                   _("“%s” is not an SFTP target: give sftp://USER@HOST[:PORT]/PATH"), url);
      return NULL;
    }
  self->label = g_strdup (url + strlen ("sftp://"));

  if (identity == NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_INVALID,
                   _("An SFTP target needs --identity KEYFILE, the private key that logs in "
                     "to %s"), self->label);
      return NULL;
    }

  self->ssh = ssh_new ();
  if (self->ssh == NULL)
    {
      g_set_error_literal (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("Could not start an SSH connection"));
      return NULL;
    }
  ssh_options_set (self->ssh, SSH_OPTIONS_PROCESS_CONFIG, &no);
  ssh_options_set (self->ssh, SSH_OPTIONS_HOST, host);
  ssh_options_set (self->ssh, SSH_OPTIONS_PORT, &port);
  ssh_options_set (self->ssh, SSH_OPTIONS_USER, user);
  ssh_options_set (self->ssh, SSH_OPTIONS_TIMEOUT, &timeout);
  ssh_options_set (self->ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
  ssh_options_set (self->ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");

  if (ssh_connect (self->ssh) != SSH_OK)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not reach the backup server %s: %s"), self->label,
                   ssh_get_error (self->ssh));
      return NULL;
    }

  host_key = host_key_of (self->ssh);
  if (host_key == NULL)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("The backup server %s did not show a host key"), self->label);
      return NULL;
    }
  if (pinned != NULL && strcmp (pinned, host_key) != 0)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_HOST_KEY,
                   _("The backup server %s shows a different host key (%s) from the one "
                     "Charta pinned when it first connected (%s). Nothing was sent. If the "
                     "server was reinstalled, check its key and run “charta-admin backup "
                     "config --forget-host-key”"),
                   self->label, host_key, pinned);
      return NULL;
    }

  if (ssh_pki_import_privkey_file (identity, NULL, NULL, NULL, &private_key) != SSH_OK)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("Could not read the private key “%s”: it must exist, be readable by "
                     "this user and have no passphrase"), identity);
      return NULL;
    }
  rc = ssh_userauth_publickey (self->ssh, NULL, private_key);
  ssh_key_free (private_key);
  if (rc != SSH_AUTH_SUCCESS)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("The backup server %s refused the key “%s”: is its public key in the "
                     "user’s authorized_keys there?"), self->label, identity);
      return NULL;
    }

  self->sftp = sftp_new (self->ssh);
  if (self->sftp == NULL || sftp_init (self->sftp) != SSH_OK)
    {
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("The backup server %s does not offer SFTP: %s"), self->label,
                   ssh_get_error (self->ssh));
      return NULL;
    }

  attributes = sftp_stat (self->sftp, self->dir);
  if (attributes == NULL || attributes->type != SSH_FILEXFER_TYPE_DIRECTORY)
    {
      g_autofree char *why = attributes == NULL ? describe_sftp_error (self)
                                                : g_strdup (_("not a folder"));

      sftp_attributes_free (attributes);
      g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_TARGET,
                   _("The backup folder %s is not usable: %s"), self->label, why);
      return NULL;
    }
  sftp_attributes_free (attributes);

  if (out_host_key != NULL)
    *out_host_key = g_steal_pointer (&host_key);
  return g_steal_pointer (&self);
}

GPtrArray *
ch_sftp_list (ChSftp  *sftp,
              GError **error)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_sftp_entry_free);
  sftp_dir dir = sftp_opendir (sftp->sftp, sftp->dir);
  sftp_attributes attributes;

  if (dir == NULL)
    {
      file_failed (sftp, error, g_strdup_printf (_("Could not list %s"), sftp->label));
      return NULL;
    }
  while ((attributes = sftp_readdir (sftp->sftp, dir)) != NULL)
    {
      if (attributes->type == SSH_FILEXFER_TYPE_REGULAR && attributes->name != NULL)
        {
          ChSftpEntry *entry = g_new0 (ChSftpEntry, 1);

          entry->name = g_strdup (attributes->name);
          entry->size = (gint64) attributes->size;
          entry->mtime = (gint64) attributes->mtime;
          g_ptr_array_add (entries, entry);
        }
      sftp_attributes_free (attributes);
    }
  if (!sftp_dir_eof (dir))
    {
      sftp_closedir (dir);
      file_failed (sftp, error, g_strdup_printf (_("Could not list %s"), sftp->label));
      return NULL;
    }
  sftp_closedir (dir);
  return g_steal_pointer (&entries);
}

gboolean
ch_sftp_create (ChSftp     *sftp,
                const char *name,
                GError    **error)
{
  g_autofree char *path = remote_path (sftp, name);

  g_return_val_if_fail (sftp->file == NULL, FALSE);

  sftp->file = sftp_open (sftp->sftp, path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (sftp->file == NULL)
    return file_failed (sftp, error, g_strdup_printf (_("Could not create %s/%s"), sftp->label, name));
  g_free (sftp->file_name);
  sftp->file_name = g_strdup (name);
  return TRUE;
}

gboolean
ch_sftp_write (ChSftp      *sftp,
               const void  *data,
               gsize        len,
               GError     **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (sftp->file != NULL, FALSE);

  while (len > 0)
    {
      gsize n = MIN (len, IO_CHUNK);
      ssize_t written = sftp_write (sftp->file, p, n);

      if (written <= 0)
        return file_failed (sftp, error, g_strdup_printf (_("Could not write %s/%s"), sftp->label, sftp->file_name));
      p += written;
      len -= (gsize) written;
    }
  return TRUE;
}

gboolean
ch_sftp_finish (ChSftp  *sftp,
                GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (sftp->file != NULL, FALSE);

  /* Only OpenSSH's extension makes the server flush to its disk. */
  if (sftp_extension_supported (sftp->sftp, "fsync@openssh.com", "1")
      && sftp_fsync (sftp->file) != 0)
    ok = file_failed (sftp, error, g_strdup_printf (_("Could not write %s/%s"), sftp->label, sftp->file_name));
  if (sftp_close (g_steal_pointer (&sftp->file)) != SSH_OK && ok)
    ok = file_failed (sftp, error, g_strdup_printf (_("Could not write %s/%s"), sftp->label, sftp->file_name));
  return ok;
}

gboolean
ch_sftp_download (ChSftp     *sftp,
                  const char *name,
                  int         fd,
                  GError    **error)
{
  g_autofree char *path = remote_path (sftp, name);
  g_autofree guint8 *buffer = NULL;
  sftp_file file = sftp_open (sftp->sftp, path, O_RDONLY, 0);

  if (file == NULL)
    return file_failed (sftp, error, g_strdup_printf (_("Could not read %s/%s"), sftp->label, name));

  buffer = g_malloc (IO_CHUNK);
  for (;;)
    {
      ssize_t n = sftp_read (file, buffer, IO_CHUNK);
      gsize done = 0;

      if (n == 0)
        break;
      if (n < 0)
        {
          file_failed (sftp, error, g_strdup_printf (_("Could not read %s/%s"), sftp->label, name));
          sftp_close (file);
          return FALSE;
        }
      while (done < (gsize) n)
        {
          ssize_t w = write (fd, buffer + done, (gsize) n - done);

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int saved = errno;

              g_set_error (error, CH_BACKUP_ERROR, CH_BACKUP_ERROR_FAILED,
                           _("Could not keep a copy of %s to verify it: %s"), name,
                           g_strerror (saved));
              sftp_close (file);
              return FALSE;
            }
          done += (gsize) w;
        }
    }
  sftp_close (file);
  return TRUE;
}

GBytes *
ch_sftp_read_prefix (ChSftp     *sftp,
                     const char *name,
                     gsize       max,
                     GError    **error)
{
  g_autofree char *path = remote_path (sftp, name);
  g_autofree guint8 *buffer = g_malloc (max);
  sftp_file file = sftp_open (sftp->sftp, path, O_RDONLY, 0);
  gsize have = 0;

  if (file == NULL)
    {
      file_failed (sftp, error, g_strdup_printf (_("Could not read %s/%s"), sftp->label, name));
      return NULL;
    }
  while (have < max)
    {
      ssize_t n = sftp_read (file, buffer + have, MIN (max - have, IO_CHUNK));

      if (n == 0)
        break;
      if (n < 0)
        {
          file_failed (sftp, error, g_strdup_printf (_("Could not read %s/%s"), sftp->label,
                                                     name));
          sftp_close (file);
          return NULL;
        }
      have += (gsize) n;
    }
  sftp_close (file);
  return g_bytes_new (buffer, have);
}

gboolean
ch_sftp_rename (ChSftp     *sftp,
                const char *from,
                const char *to,
                GError    **error)
{
  g_autofree char *from_path = remote_path (sftp, from);
  g_autofree char *to_path = remote_path (sftp, to);

  if (sftp_rename (sftp->sftp, from_path, to_path) != SSH_OK)
    return file_failed (sftp, error, g_strdup_printf (_("Could not name %s/%s"), sftp->label, to));
  return TRUE;
}

gboolean
ch_sftp_remove (ChSftp     *sftp,
                const char *name,
                GError    **error)
{
  g_autofree char *path = remote_path (sftp, name);

  if (sftp_unlink (sftp->sftp, path) != SSH_OK)
    return file_failed (sftp, error, g_strdup_printf (_("Could not remove %s/%s"), sftp->label, name));
  return TRUE;
}
