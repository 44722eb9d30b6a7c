/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "ch-fuzz.h"

/* Runs every file under the given folders through the fuzz target its
 * folder is named for ("dcm" or "pdf"): the inputs a fuzzer once crashed
 * on, and hand-made damaged files. Passing means none crashes (under ASan in
 * CI, none reads or writes out of bounds either).
 *
 *   fuzz-regress DIR…   (each DIR ends in /dcm or /pdf) */

static void
silence (const char    *domain,
         GLogLevelFlags level,
         const char    *message,
         gpointer       user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  guint n_files = 0;

  /* Poppler says what it cannot parse through GLib's log; that is no
   * failure here, whatever G_DEBUG says. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_default_handler (silence, NULL);

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *kind = g_path_get_basename (argv[i]);
      void (*target) (const guint8 *, gsize) = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (g_str_equal (kind, "dcm"))
        target = ch_fuzz_dcm;
      else if (g_str_equal (kind, "pdf"))
        target = ch_fuzz_pdf;
      else
        {
          fprintf (stderr, "fuzz-regress: %s: the folder must be named dcm or pdf\n", argv[i]);
          return 2;
        }

      dir = g_dir_open (argv[i], 0, &error);
      if (dir == NULL)
        {
          fprintf (stderr, "fuzz-regress: %s\n", error->message);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *data = NULL;
          gsize size = 0;

          if (name[0] == '.' || g_str_has_suffix (name, ".md"))
            continue;
          if (!g_file_get_contents (path, &data, &size, &error))
            {
              fprintf (stderr, "fuzz-regress: %s\n", error->message);
              return 1;
            }
          target ((const guint8 *) data, size);
          n_files++;
        }
    }

  printf ("fuzz-regress: %u inputs, no crash\n", n_files);
  return n_files > 0 ? 0 : 1;
}
