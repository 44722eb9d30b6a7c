/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-backups"

#include "config.h"

#include <string.h>

#include "ch-backup-db.h"
#include "ch-backup-page.h"
#include "ch-demo.h"
#include "ch-main-page.h"
#include "ch-ui.h"
#include "ch-ui-test-util.h"

/* The backup status in the real window: the office manager's Backups page
 * and the banner over every page when the last good backup is more than 36
 * hours old or missing — and nothing of it for those without the right.
 * Runs are recorded as charta-admin backup now and charta-backupd record
 * them. */

typedef struct
{
  char     *dir;
  ChWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = ch_ui_test_make_tmp_dir ();

  f->dir = g_build_filename (tmp, "practice", NULL);
  ch_demo_create (f->dir, 2, 3, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  ch_ui_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* A run as the backup code records it, @age_hours ago. */
static void
record_run (Fixture  *f,
            gboolean  ok,
            double    age_hours,
            const char *reason)
{
  g_autoptr(ChSession) session = ch_ui_test_login (f->dir, "manager", CH_DEMO_PASSWORD);
  ChStore *store = ch_session_get_store (session);
  gint64 finished = g_get_real_time () / G_USEC_PER_SEC - (gint64) (age_hours * 3600);
  ChBackupRunRecord run = {
    .started_at = finished - 2,
    .finished_at = finished,
    .ok = ok,
    .target = (char *) "/srv/nas/charta",
    .archive = ok ? (char *) "/srv/nas/charta/charta-20261124-020000.chbk" : NULL,
    .size = 205 * 1000 * 1000,
    .duration_ms = 1260,
    .reason = (char *) reason,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (ch_db_backup_run_insert (store, &run, &error));
  g_assert_no_error (error);
  ch_session_logout (session);
}

static ChMainPage *
sign_in (Fixture    *f,
         const char *user)
{
  ChMainPage *page;

  if (f->window != NULL)
    ch_ui_test_window_destroy (f->window);
  f->window = ch_ui_test_window_new (f->dir);
  ch_ui_test_window_sign_in (f->window, user, CH_DEMO_PASSWORD);
  page = CH_MAIN_PAGE (ch_window_get_main_page (f->window));
  CH_UI_TEST_WAIT (!ch_ui_session_is_busy (ch_window_get_session (f->window)));
  ch_ui_test_spin (50);
  return page;
}

static ChBackupPage *
show_backups (Fixture    *f,
              ChMainPage *main_page)
{
  ChBackupPage *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_page), "main.show-section", "s",
                                             "backups"));
  CH_UI_TEST_WAIT (ch_main_page_get_section_widget (main_page, "backups") != NULL);
  page = CH_BACKUP_PAGE (ch_main_page_get_section_widget (main_page, "backups"));
  CH_UI_TEST_WAIT (!ch_backup_page_get_busy (page));
  return page;
}

static void
test_never_backed_up (Fixture       *f,
                      gconstpointer  data)
{
  ChMainPage *main_page = sign_in (f, "manager");
  ChBackupPage *page;

  CH_UI_TEST_WAIT (ch_main_page_get_backup_banner (main_page));
  page = show_backups (f, main_page);
  g_assert_true (ch_backup_page_get_overdue (page));
  g_assert_cmpstr (ch_backup_page_get_summary (page), ==, "None yet");
}

static void
test_recent_and_old (Fixture       *f,
                     gconstpointer  data)
{
  ChMainPage *main_page;
  ChBackupPage *page;

  /* Last night's backup: no banner, the page names it. */
  record_run (f, TRUE, 5.0, NULL);
  record_run (f, FALSE, 2.0, "The target folder /srv/nas/charta is not mounted");
  main_page = sign_in (f, "manager");
  ch_ui_test_spin (200);
  g_assert_false (ch_main_page_get_backup_banner (main_page));
  page = show_backups (f, main_page);
  g_assert_false (ch_backup_page_get_overdue (page));
  g_assert_nonnull (strstr (ch_backup_page_get_summary (page), "charta-20261124-020000.chbk"));
  /* The failure since is shown as standing… */
  g_assert_nonnull (strstr (ch_backup_page_get_failure (page), "is not mounted"));
  g_assert_null (strstr (ch_backup_page_get_failure (page), "later backup succeeded"));

  /* … until a backup succeeds after it. */
  record_run (f, TRUE, 1.0, NULL);
  main_page = sign_in (f, "manager");
  page = show_backups (f, main_page);
  g_assert_nonnull (strstr (ch_backup_page_get_failure (page), "is not mounted"));
  g_assert_nonnull (strstr (ch_backup_page_get_failure (page), "a later backup succeeded"));

  /* The administrator sees it too. */
  main_page = sign_in (f, "admin");
  ch_ui_test_spin (200);
  g_assert_false (ch_main_page_get_backup_banner (main_page));
}

static void
test_overdue (Fixture       *f,
              gconstpointer  data)
{
  ChMainPage *main_page;

  record_run (f, TRUE, 40.0, NULL);
  main_page = sign_in (f, "admin");
  CH_UI_TEST_WAIT (ch_main_page_get_backup_banner (main_page));

  /* Not for those who do not look after backups. */
  main_page = sign_in (f, "doctor");
  ch_ui_test_spin (300);
  g_assert_false (ch_main_page_get_backup_banner (main_page));
  g_assert_null (ch_main_page_get_section_widget (main_page, "backups"));
}

static void
test_overdue_words (void)
{
  g_autofree char *none = NULL;
  g_autofree char *hours = NULL;
  g_autofree char *days = NULL;
  gint64 now = 1800000000;

  g_assert_true (ch_backup_overdue (0, now, &none));
  g_assert_nonnull (strstr (none, "No backup"));
  g_assert_false (ch_backup_overdue (now - 35 * 3600, now, NULL));
  g_assert_true (ch_backup_overdue (now - 40 * 3600, now, &hours));
  g_assert_nonnull (strstr (hours, "40 hours"));
  g_assert_true (ch_backup_overdue (now - 5 * 24 * 3600, now, &days));
  g_assert_nonnull (strstr (days, "5 days"));
}

/* Reading the status at sign-in does not hold up logging out. */
static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  sign_in (f, "manager");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL));
  CH_UI_TEST_WAIT (g_strcmp0 (ch_window_get_page_name (f->window), "login") == 0);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/backups/overdue-words", test_overdue_words);
  g_test_add ("/ui/backups/never", Fixture, NULL, fixture_set_up, test_never_backed_up,
              fixture_tear_down);
  g_test_add ("/ui/backups/recent-and-old", Fixture, NULL, fixture_set_up, test_recent_and_old,
              fixture_tear_down);
  g_test_add ("/ui/backups/overdue", Fixture, NULL, fixture_set_up, test_overdue,
              fixture_tear_down);
  g_test_add ("/ui/backups/logout", Fixture, NULL, fixture_set_up, test_logout,
              fixture_tear_down);

  return g_test_run ();
}
