/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-input"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ch-admin-input.h"

/* Passwords and recovery keys are read straight into guarded memory, one
 * byte at a time, so no copy of them is left in a stdio or GLib buffer. */

G_DEFINE_QUARK (ch-admin-error-quark, ch_admin_error)

gboolean
ch_admin_usage (GError     **error,
                const char  *message)
{
  g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_USAGE, message);
  return FALSE;
}

static ChSecret *
secret_string_new (void)
{
  /* One byte more than the longest secret, for the terminating NUL. */
  return ch_secret_new (CH_ADMIN_MAX_SECRET + 1);
}

ChSecret *
ch_admin_read_secret_file (const char  *path,
                           GError     **error)
{
  g_autoptr (ChSecret) secret = NULL;
  gsize len = 0;
  gboolean line_done = FALSE;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot read %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }

  secret = secret_string_new ();

  /* Only the first line counts; reading stops at its newline. */
  while (!line_done)
    {
      char c;
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_autofree char *display = g_filename_display_name (path);

          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot read %s: %s"), display, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0 || c == '\n')
        break;
      if (len == CH_ADMIN_MAX_SECRET)
        {
          g_autofree char *display = g_filename_display_name (path);

          close (fd);
          g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                       _("The first line of %s is longer than %d bytes"),
                       display, CH_ADMIN_MAX_SECRET);
          return NULL;
        }
      secret->data[len++] = (guint8) c;
    }
  close (fd);

  /* A file written on Windows ends its line with CR LF. */
  if (len > 0 && secret->data[len - 1] == '\r')
    secret->data[--len] = '\0';

  if (len == 0)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("The first line of %s is empty"), display);
      return NULL;
    }

  return g_steal_pointer (&secret);
}

static ChSecret *
secret_from_env (const char *name,
                 GError    **error)
{
  g_autoptr (ChSecret) secret = NULL;
  const char *value = g_getenv (name);
  gsize len;

  if (value == NULL || *value == '\0')
    return NULL;

  len = strlen (value);
  if (len > CH_ADMIN_MAX_SECRET)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("%s is longer than %d bytes"), name, CH_ADMIN_MAX_SECRET);
      return NULL;
    }

  secret = secret_string_new ();
  memcpy (secret->data, value, len);
  return g_steal_pointer (&secret);
}

/* The terminal's settings while echo is off, so that a signal arriving
 * in the middle of a prompt leaves the terminal as it found it. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_changed;

static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

static void
restore_terminal_and_reraise (int signum)
{
  if (termios_changed)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

ChSecret *
ch_admin_prompt_secret (const char  *prompt,
                        GError     **error)
{
  g_autoptr (ChSecret) secret = NULL;
  struct sigaction action = { 0 };
  struct sigaction old_actions[G_N_ELEMENTS (prompt_signals)];
  struct termios quiet;
  gboolean too_long = FALSE;
  gboolean got_newline = FALSE;
  int read_errno = 0;
  gsize len = 0;

  g_return_val_if_fail (prompt != NULL, NULL);

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved_termios) != 0)
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_NO_SECRET,
                           _("Standard input is not a terminal"));
      return NULL;
    }

  secret = secret_string_new ();

  action.sa_handler = restore_terminal_and_reraise;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &action, &old_actions[i]);

  quiet = saved_termios;
  quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;

  /* Echo goes off before the prompt shows, so nothing typed after it is seen. */
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0)
    termios_changed = TRUE;

  fputs (prompt, stderr);
  fflush (stderr);

  for (;;)
    {
      char c;
      gssize n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          read_errno = errno;
          break;
        }
      if (n == 0)
        break;
      if (c == '\n' || c == '\r')
        {
          got_newline = TRUE;
          break;
        }
      if (len < CH_ADMIN_MAX_SECRET)
        secret->data[len++] = (guint8) c;
      else
        too_long = TRUE;
    }

  if (termios_changed)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
      termios_changed = FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &old_actions[i], NULL);

  /* The user's Enter was not echoed. */
  fputc ('\n', stderr);

  if (read_errno != 0)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("Cannot read from the terminal: %s"), g_strerror (read_errno));
      return NULL;
    }
  if (too_long)
    {
      g_set_error (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                   _("The entry is longer than %d bytes"), CH_ADMIN_MAX_SECRET);
      return NULL;
    }
  if (len == 0 && !got_newline)
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_FAILED,
                           _("Nothing was entered"));
      return NULL;
    }

  return g_steal_pointer (&secret);
}

/**
 * ch_admin_get_secret:
 * @file: (nullable): a file whose first line holds the secret
 * @env_name: the environment variable to try next
 * @prompt: what to ask on the terminal, last
 * @hint: how to give the secret without a terminal, for the error message
 *
 * Returns: (transfer full): the secret from the first source that has one.
 */
ChSecret *
ch_admin_get_secret (const char  *file,
                     const char  *env_name,
                     const char  *prompt,
                     const char  *hint,
                     GError     **error)
{
  GError *local_error = NULL;
  ChSecret *secret;

  if (file != NULL)
    return ch_admin_read_secret_file (file, error);

  secret = secret_from_env (env_name, &local_error);
  if (secret != NULL)
    return secret;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  secret = ch_admin_prompt_secret (prompt, &local_error);
  if (secret == NULL &&
      g_error_matches (local_error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_NO_SECRET))
    {
      g_clear_error (&local_error);
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_NO_SECRET, hint);
      return NULL;
    }
  if (secret == NULL)
    g_propagate_error (error, local_error);

  return secret;
}

/* Returns: (transfer full): a new password from @file, CHARTA_NEW_PASSWORD,
 * or asked twice on the terminal. */
ChSecret *
ch_admin_get_new_password (const char  *file,
                           GError     **error)
{
  g_autoptr (ChSecret) first = NULL;
  g_autoptr (ChSecret) again = NULL;
  GError *local_error = NULL;

  if (file != NULL)
    return ch_admin_read_secret_file (file, error);

  first = secret_from_env ("CHARTA_NEW_PASSWORD", &local_error);
  if (first != NULL)
    return g_steal_pointer (&first);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  first = ch_admin_prompt_secret (_("New password: "), &local_error);
  if (first == NULL)
    {
      if (g_error_matches (local_error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_NO_SECRET))
        {
          g_clear_error (&local_error);
          g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_NO_SECRET,
                               _("No new password: give --new-password-file FILE, set "
                                 "CHARTA_NEW_PASSWORD, or run on a terminal"));
          return NULL;
        }
      g_propagate_error (error, local_error);
      return NULL;
    }

  again = ch_admin_prompt_secret (_("New password again: "), error);
  if (again == NULL)
    return NULL;

  if (sodium_memcmp (first->data, again->data, first->len) != 0)
    {
      g_set_error_literal (error, CH_ADMIN_ERROR, CH_ADMIN_ERROR_MISMATCH,
                           _("The two passwords do not match"));
      return NULL;
    }

  return g_steal_pointer (&first);
}
