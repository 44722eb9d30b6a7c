/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charta-backupd"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "ch-backup.h"
#include "ch-practice.h"
#include "ch-session.h"

/* charta-backupd: the nightly backup, with no person at the keyboard.
 *
 * It opens the practice with the backup service's key slot
 * (PRACTICE/keyring.service, ch_session_open_service()), whose role may run
 * backups and nothing else, and runs the same code as "charta-admin backup
 * now" (ch_backup_run()) against the configured target at the configured
 * time (local time). A failed run is retried after 5, 15 and 60 minutes,
 * never past the next scheduled run; each run, good or bad, is recorded in
 * backup_runs, where "backup status" and the office manager's window read it.
 *
 * The practice is opened only while it is needed: to read the configuration
 * and to run a backup. Held open, the service's session would keep the
 * practice lock and so keep "charta-admin rekey" out. The daemon sleeps in
 * steps of at most CHECK_SECONDS and compares the wall clock with the planned
 * time at each step, so a suspended machine, a changed clock or a changed
 * configuration are noticed within one step; SIGHUP re-reads at once.
 *
 * A backup runs on the main thread: SIGTERM during one is acted on when it
 * ends. A backup killed outright leaves only a temporary file, which the
 * next run removes.
 *
 * --once runs one backup and exits 0 or 1 (for tests and a systemd timer);
 * --now runs one at start, then keeps the schedule. */

#define CHECK_SECONDS (5 * 60)

/* After a failure, tries again after these many seconds, then waits for the
 * schedule. CHARTA_BACKUPD_RETRY_SECONDS ("5,10,20") sets others, for tests. */
#define MAX_RETRIES 8
static guint retry_seconds[MAX_RETRIES] = { 5 * 60, 15 * 60, 60 * 60 };
static guint n_retries = 3;

static void
load_retry_seconds (void)
{
  const char *env = g_getenv ("CHARTA_BACKUPD_RETRY_SECONDS");
  g_auto (GStrv) parts = NULL;
  guint n = 0;

  if (env == NULL || *env == '\0')
    return;
  parts = g_strsplit (env, ",", -1);
  for (guint i = 0; parts[i] != NULL && n < MAX_RETRIES; i++)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 24 * 60 * 60, &value, NULL))
        {
          g_printerr ("charta-backupd: ignoring CHARTA_BACKUPD_RETRY_SECONDS=%s\n", env);
          return;
        }
      retry_seconds[n++] = (guint) value;
    }
  n_retries = n;
}

typedef struct
{
  GMainLoop  *loop;
  ChPractice *practice;
  guint       timeout_id;
  gint64      next_run;        /* Unix seconds: the next attempt, scheduled or a retry */
  gint64      scheduled;       /* the next scheduled run, from the configuration */
  guint       hour;            /* the configured time next_run was computed from */
  guint       minute;
  guint       failures;        /* consecutive failed attempts */
  gboolean    have_config;
} Daemon;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
format_time (gint64 seconds)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (seconds);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S %Z") : g_strdup ("?");
}

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("%s\n", text);
  /* Line by line into the journal, not a pipe's buffer at a time. */
  fflush (stdout);
}

static void
complain (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
complain (const char *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s\n", text);
}

static void
end_session (ChSession *session)
{
  if (session == NULL)
    return;
  ch_session_logout (session);
  g_object_unref (session);
}

typedef ChSession ServiceSession;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServiceSession, end_session)

static void
progress (const char *message,
          gpointer    user_data)
{
  say ("%s", message);
}

/* Runs one backup to the configured target. */
static gboolean
run_backup (Daemon *self)
{
  g_autoptr (ServiceSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *archive = NULL;

  say ("%s", _("Starting the backup"));
  session = ch_session_open_service (self->practice, &error);
  if (session != NULL)
    archive = ch_backup_run (session, NULL, NULL, progress, NULL, &error);

  if (archive == NULL)
    {
      complain (_("The backup failed: %s"), error->message);
      return FALSE;
    }
  say (_("The backup is written and verified: %s"), archive);
  return TRUE;
}

/* Re-reads the configuration; when the time changed (or at the first
 * read), plans the next scheduled run from it, and with @announce says when
 * that is. */
static void
reload_config (Daemon   *self,
               gboolean  announce)
{
  g_autoptr (ServiceSession) session = NULL;
  g_autoptr (ChBackupConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = now_seconds ();

  session = ch_session_open_service (self->practice, &error);
  if (session != NULL)
    config = ch_backup_config_load (session, &error);
  if (config == NULL)
    {
      complain (_("Could not read the backup configuration: %s"), error->message);
      if (!self->have_config)
        {
          /* Try again at the next step. */
          self->next_run = self->scheduled = now + CHECK_SECONDS;
        }
      return;
    }

  if (self->have_config && config->hour == self->hour && config->minute == self->minute)
    return;

  self->have_config = TRUE;
  self->hour = config->hour;
  self->minute = config->minute;
  self->scheduled = ch_backup_next_run (config, now, NULL);
  if (self->failures == 0 || self->next_run > self->scheduled)
    self->next_run = self->scheduled;
  if (announce)
    {
      g_autofree char *when = format_time (self->next_run);
      say (_("Next backup: %s"), when);
    }
}

static gboolean on_timeout (gpointer user_data);

static void
arm_timer (Daemon *self)
{
  gint64 wait = self->next_run - now_seconds ();

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  wait = CLAMP (wait, 1, CHECK_SECONDS);
  self->timeout_id = g_timeout_add_seconds ((guint) wait, on_timeout, self);
}

static void
run_and_plan (Daemon *self)
{
  gint64 now;

  if (run_backup (self))
    self->failures = 0;
  else
    self->failures++;

  /* The next scheduled run is after this one, even when it ran early. */
  self->have_config = FALSE;
  reload_config (self, FALSE);
  now = now_seconds ();

  if (self->failures > 0 && self->failures <= n_retries)
    {
      gint64 retry = now + (gint64) retry_seconds[self->failures - 1];
      g_autofree char *when = NULL;

      if (retry < self->scheduled)
        {
          self->next_run = retry;
          when = format_time (retry);
          say (_("Trying again at %s"), when);
          return;
        }
    }
  if (self->failures > n_retries)
    self->failures = 0;
  self->next_run = self->scheduled;
  {
    g_autofree char *when = format_time (self->next_run);
    say (_("Next backup: %s"), when);
  }
}

static gboolean
on_timeout (gpointer user_data)
{
  Daemon *self = user_data;

  self->timeout_id = 0;
  reload_config (self, TRUE);
  if (now_seconds () >= self->next_run)
    run_and_plan (self);
  arm_timer (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop (gpointer user_data)
{
  Daemon *self = user_data;

  say ("%s", _("Stopping"));
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  Daemon *self = user_data;

  say ("%s", _("Reading the configuration again"));
  self->have_config = FALSE;
  reload_config (self, TRUE);
  arm_timer (self);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *practice_dir = NULL;
  g_auto (GStrv) args = NULL;
  gboolean once = FALSE;
  gboolean now = FALSE;
  Daemon self = { 0 };
  const GOptionEntry entries[] = {
    { "practice", 0, 0, G_OPTION_ARG_FILENAME, &practice_dir,
      N_("The practice folder (default: $CHARTA_PRACTICE, else the standard place)"),
      N_("DIR") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      N_("Run one backup now and exit: 0 when it is written and verified, 1 when not"), NULL },
    { "now", 0, 0, G_OPTION_ARG_NONE, &now,
      N_("Run one backup at start, then keep the schedule"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      complain ("%s", _("Could not initialise libsodium"));
      return 1;
    }

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Charta's backup service: backs the practice up "
                                           "every night at the configured time, to the "
                                           "configured target."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  args = g_strdupv (argv);
  load_retry_seconds ();
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      complain ("charta-backupd: %s", error->message);
      return 2;
    }
  if (g_strv_length (args) > 1)
    {
      complain (_("charta-backupd: unexpected argument “%s”"), args[1]);
      return 2;
    }
  if (once && now)
    {
      complain ("%s", _("charta-backupd: give --once or --now, not both"));
      return 2;
    }

  if (practice_dir == NULL)
    {
      const char *env = g_getenv ("CHARTA_PRACTICE");

      practice_dir = env != NULL && *env != '\0' ? g_strdup (env) : ch_practice_default_dir ();
    }

  self.practice = ch_practice_open (practice_dir, &error);
  if (self.practice == NULL)
    {
      complain (_("charta-backupd: %s"), error->message);
      return 1;
    }

  if (once)
    {
      gboolean ok = run_backup (&self);

      g_clear_object (&self.practice);
      return ok ? 0 : 1;
    }

  self.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_stop, &self);
  g_unix_signal_add (SIGINT, on_stop, &self);
  g_unix_signal_add (SIGHUP, on_hangup, &self);

  say (_("charta-backupd started for %s"), practice_dir);
  if (now)
    run_and_plan (&self);
  else
    reload_config (&self, TRUE);
  arm_timer (&self);

  g_main_loop_run (self.loop);

  g_clear_handle_id (&self.timeout_id, g_source_remove);
  g_main_loop_unref (self.loop);
  g_clear_object (&self.practice);
  return 0;
}
