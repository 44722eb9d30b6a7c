/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ch-test-util.h"
#include "ch-schema-resources.h"

/* Returns: (transfer full): a new empty folder under the temporary directory */
char *
ch_test_make_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("charta-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
ch_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = NULL;
  const char *name;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;

  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        ch_test_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* A practice with the administrator "admin" (password CH_TEST_PASSWORD) in @dir. */
ChPractice *
ch_test_make_practice (const char *dir,
                       char      **out_recovery_key)
{
  g_autoptr (GError) error = NULL;
  ChPracticeSetup setup = {
    .name = "Test Practice",
    .address = "1 Test Street",
    .admin_user = "admin",
    .admin_display_name = "Ada Admin",
    .admin_password = CH_TEST_PASSWORD,
  };
  ChPractice *practice;

  practice = ch_practice_create (dir, &setup, out_recovery_key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (practice);
  return practice;
}

ChSession *
ch_test_login (ChPractice *practice,
               const char *username,
               const char *password)
{
  g_autoptr (GError) error = NULL;
  ChSession *session = ch_session_login (practice, username, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

GBytes *
ch_test_read_resource (const char *path)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = g_resource_lookup_data (ch_schema_get_resource (), path, 0, &error);

  g_assert_no_error (error);
  return bytes;
}

char *
ch_test_pdf_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *program = g_find_program_in_path ("pdftotext");
  const char *argv[] = { "pdftotext", path, "-", NULL };
  int status = 0;

  if (program == NULL)
    g_error ("pdftotext is missing: install poppler-utils (build-aux/dev does)");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

char *
ch_test_squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

void
ch_test_assert_has (const char *squeezed,
                    const char *expected)
{
  g_autofree char *needle = ch_test_squeeze (expected);

  if (strstr (squeezed, needle) == NULL)
    g_error ("the PDF lacks “%s”", expected);
}
