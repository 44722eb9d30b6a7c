/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-dicom"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ch-dcm.h"
#include "ch-dicom-view.h"
#include "ch-ui.h"

/* The DICOM viewer's speed, on files make-dicom-series.py writes with
 * pydicom: a 512×512 16-bit CT slice, and a series of 300 of them.
 *
 *   slice    decoding and windowing the slice to 8 bits with the shim, from
 *            the file's bytes on disk to the 8-bit image, median of RUNS:
 *            "render" is ch_dcm_open_file + ch_dcm_render_frame (DCMTK's own
 *            windowing, the work dcmj2pnm does), "raw" is what the viewer's
 *            worker and main thread do (ch_dcm_open_memory of the bytes,
 *            ch_dcm_get_frame_raw, then the view's window loop). Compared in
 *            the same run with `dcmj2pnm +Ww 40 400 FILE /dev/null` (PGM to
 *            /dev/null) as a process, median wall time of RUNS; that includes
 *            the process start-up and DCMTK's dictionary load (dcmj2pnm +Wm
 *            and a run of `dcmj2pnm --version` are timed too, to show how
 *            much of it is start-up). The ratio is dcmj2pnm / shim.
 *   scroll   a ChDicomView in a 1280×1024 window given the 300-slice series:
 *            one step is set_slice(i + 1) until that slice's frame is drawn
 *            (the widget's snapshot, its render node drawn by the cairo
 *            renderer into a surface the size of the view, as a frame does).
 *            "cold": the first pass from slice 1 to 300, stepping as fast as
 *            the decoder behind it allows (the view reads ahead on its
 *            worker); "warm": back and forth over 16 slices its cache
 *            keeps (it keeps 16 on each side of the shown one), already
 *            decoded, as when a reader scrolls to and fro.
 *            Reported as frames a second from the median step, and from the
 *            99th percentile and the worst. Budget: warm p99 ≥ 60 fps, cold
 *            median ≥ 60 fps. */

#define RUNS        21
#define N_SLICES    300
#define WIN_W       1280
#define WIN_H       1024
#define BUDGET_FPS  60.0
#define WARM_PASSES 12
/* Any two of these many slices are within the cache's reach of each other. */
#define WARM_SPAN   16

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return v[n / 2];
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

/* ---- the slice ---------------------------------------------------------- */

static double
time_process (char **argv)
{
  double times[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr (GError) error = NULL;
      int status = 0;
      double start = now_ms ();

      if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                         G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, NULL))
        {
          g_printerr ("FAIL: %s did not run: %s\n", argv[0], error ? error->message : "it failed");
          exit (1);
        }
      times[i] = now_ms () - start;
    }
  return median (times, RUNS);
}

/* The view's windowing (DICOM PS3.3 C.11.2.1.2.1) through a table, as the
 * view does it for integer values. */
static void
window_values (const gint32 *v,
               gsize         n,
               double        c,
               double        w,
               guint32      *out)
{
  gint32 lo = G_MAXINT32, hi = G_MININT32;
  double a = c - 0.5 - (w - 1) / 2, b = c - 0.5 + (w - 1) / 2;
  g_autofree guint32 *lut = NULL;

  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
    }
  lut = g_new (guint32, (gsize) (hi - lo) + 1);
  for (gint64 x = lo; x <= hi; x++)
    {
      guint8 y = x <= a ? 0 : x > b ? 255 : (guint8) CLAMP (round (((x - (c - 0.5)) / (w - 1) + 0.5) * 255), 0, 255);

      lut[x - lo] = 0xff000000u | (guint32) y << 16 | (guint32) y << 8 | y;
    }
  for (gsize i = 0; i < n; i++)
    out[i] = lut[v[i] - lo];
}

static double
bench_slice (const char *path)
{
  double render[RUNS], raw[RUNS];
  double dcmj2pnm, dcmj2pnm_minmax, startup, ratio_render, ratio_raw;
  char *argv_window[] = { "dcmj2pnm", "+Ww", "40", "400", (char *) path, "/dev/null", NULL };
  char *argv_minmax[] = { "dcmj2pnm", "+Wm", (char *) path, "/dev/null", NULL };
  char *argv_version[] = { "dcmj2pnm", "--version", NULL };
  g_autofree char *found = g_find_program_in_path ("dcmj2pnm");

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr (GError) error = NULL;
      double start = now_ms ();
      g_autoptr (ChDcm) dcm = ch_dcm_open_file (path, &error);
      g_autofree guint8 *pixels = NULL;
      guint w, h, ch;

      if (dcm != NULL)
        pixels = ch_dcm_render_frame (dcm, 0, 40, 400, FALSE, &w, &h, &ch, &error);
      if (pixels == NULL)
        g_error ("render: %s", error->message);
      render[i] = now_ms () - start;
    }

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr (GError) error = NULL;
      double start = now_ms ();
      g_autofree char *contents = NULL;
      gsize size = 0, n = 0;
      g_autoptr (ChDcm) dcm = NULL;
      g_autofree gint32 *values = NULL;
      g_autofree guint32 *out = NULL;
      ChDcmRawType type;

      if (!g_file_get_contents (path, &contents, &size, &error))
        g_error ("%s", error->message);
      dcm = ch_dcm_open_memory (contents, size, &error);
      if (dcm != NULL)
        values = ch_dcm_get_frame_raw (dcm, 0, &type, &n, &error);
      if (values == NULL || type != CH_DCM_RAW_INT32)
        g_error ("raw: %s", error ? error->message : "not integers");
      out = g_new (guint32, n);
      window_values (values, n, 40, 400, out);
      raw[i] = now_ms () - start;
    }

  if (found == NULL)
    {
      g_printerr ("FAIL: dcmj2pnm is not installed (Debian package dcmtk)\n");
      exit (1);
    }
  dcmj2pnm = time_process (argv_window);
  dcmj2pnm_minmax = time_process (argv_minmax);
  startup = time_process (argv_version);

  ratio_render = dcmj2pnm / median (render, RUNS);
  ratio_raw = dcmj2pnm / median (raw, RUNS);
  g_print ("Decoding and windowing a 512×512 16-bit CT slice (median of %d)\n", RUNS);
  g_print ("  %-44s %8.2f ms\n", "shim: open_file + render_frame (C 40 W 400)", median (render, RUNS));
  g_print ("  %-44s %8.2f ms\n", "shim: open_memory + get_frame_raw + window", median (raw, RUNS));
  g_print ("  %-44s %8.2f ms\n", "dcmj2pnm +Ww 40 400 → /dev/null (process)", dcmj2pnm);
  g_print ("  %-44s %8.2f ms\n", "dcmj2pnm +Wm → /dev/null (process)", dcmj2pnm_minmax);
  g_print ("  %-44s %8.2f ms\n", "dcmj2pnm --version (start-up alone)", startup);
  g_print ("  %-44s %8.1f ×\n", "ratio dcmj2pnm / shim render", ratio_render);
  g_print ("  %-44s %8.1f ×\n", "ratio dcmj2pnm / shim raw path", ratio_raw);
  g_print ("  %-44s %8.1f ×\n", "ratio (dcmj2pnm − start-up) / shim render",
           (dcmj2pnm - startup) / median (render, RUNS));
  g_print ("bench dicom.slice.render.median %.2f ms\n", median (render, RUNS));
  g_print ("bench dicom.slice.raw.median %.2f ms\n", median (raw, RUNS));
  g_print ("bench dicom.slice.dcmj2pnm.median %.2f ms\n", dcmj2pnm);
  g_print ("bench dicom.slice.dcmj2pnm-minmax.median %.2f ms\n", dcmj2pnm_minmax);
  g_print ("bench dicom.slice.dcmj2pnm-startup.median %.2f ms\n", startup);
  g_print ("bench dicom.slice.ratio %.2f x\n", ratio_render);
  g_print ("bench dicom.slice.ratio-raw %.2f x\n", ratio_raw);
  return ratio_render;
}

/* ---- scrolling ---------------------------------------------------------- */

/* Where the time of the steps went: set_slice (until shown), layout,
 * snapshot, render. */
typedef struct
{
  double part[4];
} Parts;

static Parts *parts;
static guint  n_parts;

/* One frame of @view as the cairo renderer paints it. */
static void
paint (GtkWidget       *view,
       cairo_surface_t *surface)
{
  double t0 = now_ms (), t1, t2;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GtkAllocation allocation;
  cairo_t *cr;

  /* The layout a frame does first: the toolbar's position label changed. */
  gtk_widget_get_allocation (view, &allocation);
  gtk_widget_size_allocate (view, &allocation, -1);
  t1 = now_ms ();
  snapshot = gtk_snapshot_new ();
  gtk_widget_snapshot_child (gtk_widget_get_parent (view), view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    g_error ("the view drew nothing");
  t2 = now_ms ();
  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  gsk_render_node_unref (node);
  if (parts != NULL)
    {
      parts[n_parts].part[1] = t1 - t0;
      parts[n_parts].part[2] = t2 - t1;
      parts[n_parts].part[3] = now_ms () - t2;
    }
}

/* set_slice until the slice is shown and painted, in ms. */
static double
step (ChDicomView     *view,
      guint            slice,
      cairo_surface_t *surface)
{
  double start = now_ms ();
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  ch_dicom_view_set_slice (view, slice);
  while (!ch_dicom_view_is_ready_for_testing (view))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("slice %u was never shown", slice);
      g_main_context_iteration (NULL, TRUE);
    }
  if (parts != NULL)
    parts[n_parts].part[0] = now_ms () - start;
  paint (GTK_WIDGET (view), surface);
  if (parts != NULL)
    n_parts++;
  return now_ms () - start;
}

static void
report_parts (const char  *figure,
              Parts       *from,
              guint        n)
{
  static const char *const names[] = { "set-slice", "layout", "snapshot", "render" };
  g_autofree double *v = g_new (double, MAX (n, 1));
  double med[4], p99[4];

  for (guint k = 0; k < 4; k++)
    {
      for (guint i = 0; i < n; i++)
        v[i] = from[i].part[k];
      med[k] = median (v, n);
      p99[k] = v[MIN (n - 1, n * 99 / 100)];
    }
  g_print ("  %-6s median (p99) ms: set_slice until shown %.2f (%.2f), layout %.2f (%.2f), "
           "snapshot %.2f (%.2f), render %.2f (%.2f)\n", figure, med[0], p99[0], med[1], p99[1],
           med[2], p99[2], med[3], p99[3]);
  for (guint k = 0; k < 4; k++)
    g_print ("bench dicom.scroll.%s.%s.median %.2f ms\n", figure, names[k], med[k]);
}

static void
report (const char *figure,
        double     *times,
        guint       n,
        gboolean   *met,
        gboolean    by_p99)
{
  double med, p99, worst, fps_p99;

  qsort (times, n, sizeof (double), compare_double);
  med = times[n / 2];
  p99 = times[MIN (n - 1, n * 99 / 100)];
  worst = times[n - 1];
  fps_p99 = 1000.0 / p99;
  *met = by_p99 ? fps_p99 >= BUDGET_FPS : 1000.0 / med >= BUDGET_FPS;
  g_print ("  %-6s %5u %9.2f %9.2f %9.2f %9.1f %9.1f %9.1f  %-12s %s\n", figure, n, med, p99, worst,
           1000.0 / med, fps_p99, 1000.0 / worst, by_p99 ? "p99 ≥ 60 fps" : "med ≥ 60 fps",
           *met ? "yes" : "NO");
  g_print ("bench dicom.scroll.%s.step.median %.2f ms\n", figure, med);
  g_print ("bench dicom.scroll.%s.step.p99 %.2f ms\n", figure, p99);
  g_print ("bench dicom.scroll.%s.step.max %.2f ms\n", figure, worst);
  g_print ("bench dicom.scroll.%s.fps.median %.1f fps\n", figure, 1000.0 / med);
  g_print ("bench dicom.scroll.%s.fps.p99 %.1f fps\n", figure, fps_p99);
  g_print ("bench dicom.scroll.%s.fps.worst %.1f fps\n", figure, 1000.0 / worst);
}

static void
on_loaded (ChDicomView *view,
           gboolean     success,
           int         *loaded)
{
  *loaded = success;
}

static gboolean
bench_scroll (const char *dir)
{
  g_autoptr (GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree double *cold = g_new (double, N_SLICES);
  g_autofree double *warm = g_new (double, WARM_PASSES * 64);
  g_autofree Parts *cold_parts = g_new0 (Parts, N_SLICES);
  g_autofree Parts *warm_parts = g_new0 (Parts, WARM_PASSES * 64);
  guint n_cold_parts;
  GtkWindow *window;
  GtkWidget *view;
  cairo_surface_t *surface;
  gint64 deadline;
  int loaded = -1;
  guint n_cold = 0, n_warm = 0;
  double load_ms, cold_total, start;
  gboolean met_cold, met_warm;

  for (guint i = 1; i <= N_SLICES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.dcm", i);
      g_autofree char *path = g_build_filename (dir, "series", name, NULL);
      g_autoptr (GError) error = NULL;
      char *contents;
      gsize size;

      if (!g_file_get_contents (path, &contents, &size, &error))
        g_error ("%s", error->message);
      g_ptr_array_add (series, g_bytes_new_take (contents, size));
    }

  window = GTK_WINDOW (gtk_window_new ());
  view = ch_dicom_view_new ();
  g_signal_connect (view, "loaded", G_CALLBACK (on_loaded), &loaded);
  gtk_window_set_child (window, view);
  gtk_window_set_default_size (window, WIN_W, WIN_H);
  gtk_window_present (window);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((!gtk_widget_get_mapped (view) || gtk_widget_get_width (view) == 0) &&
         g_get_monotonic_time () < deadline)
    iterate_for (10);
  iterate_for (200);
  if (gtk_widget_get_width (view) < WIN_W || gtk_widget_get_height (view) < WIN_H)
    {
      g_printerr ("FAIL: the window is %d×%d, not %d×%d: the screen is too small; run it under "
                  "xvfb-run -a -s '-screen 0 1920x1200x24'\n",
                  gtk_widget_get_width (view), gtk_widget_get_height (view), WIN_W, WIN_H);
      exit (1);
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, gtk_widget_get_width (view),
                                        gtk_widget_get_height (view));

  start = now_ms ();
  ch_dicom_view_set_series (CH_DICOM_VIEW (view), series);
  while (loaded == -1)
    g_main_context_iteration (NULL, TRUE);
  if (!loaded)
    g_error ("the series did not load: %s", ch_dicom_view_get_error (CH_DICOM_VIEW (view))->message);
  paint (view, surface);
  load_ms = now_ms () - start;

  /* Cold: the first pass through the series. */
  parts = cold_parts;
  n_parts = 0;
  start = now_ms ();
  for (guint s = 1; s < N_SLICES; s++)
    cold[n_cold++] = step (CH_DICOM_VIEW (view), s, surface);
  cold_total = now_ms () - start;

  /* Warm: to and fro over what the cache holds around the last slice. */
  iterate_for (1500);
  n_cold_parts = n_parts;
  parts = warm_parts;
  n_parts = 0;
  for (guint pass = 0; pass < WARM_PASSES; pass++)
    for (guint k = 0; k < WARM_SPAN; k++)
      {
        guint s = pass % 2 == 0 ? N_SLICES - 2 - k : N_SLICES - 1 - WARM_SPAN + k;

        warm[n_warm++] = step (CH_DICOM_VIEW (view), s, surface);
      }

  g_print ("\nScrolling a %u-slice 512×512 series in a %d×%d ChDicomView (cairo renderer)\n",
           N_SLICES, gtk_widget_get_width (view), gtk_widget_get_height (view));
  g_print ("  first image shown %.1f ms after set_series (sorting %u headers included); "
           "cold pass %.0f ms, %.1f slices/s decoded\n", load_ms, N_SLICES, cold_total,
           (N_SLICES - 1) / (cold_total / 1000.0));
  g_print ("  %-6s %5s %9s %9s %9s %9s %9s %9s  %-12s %s\n", "figure", "steps", "med ms", "p99 ms",
           "max ms", "fps med", "fps p99", "fps min", "budget", "met");
  report ("cold", cold, n_cold, &met_cold, FALSE);
  report ("warm", warm, n_warm, &met_warm, TRUE);
  report_parts ("cold", cold_parts, n_cold_parts);
  report_parts ("warm", warm_parts, n_parts);
  parts = NULL;
  g_print ("bench dicom.scroll.first-image %.1f ms\n", load_ms);
  g_print ("bench dicom.scroll.cold.decoded %.1f slices/s\n", (N_SLICES - 1) / (cold_total / 1000.0));

  cairo_surface_destroy (surface);
  gtk_window_destroy (window);
  iterate_for (100);
  return met_cold && met_warm;
}

static void
remove_tree (const char *dir)
{
  g_autofree char *series = g_build_filename (dir, "series", NULL);
  g_autoptr (GDir) d = g_dir_open (series, 0, NULL);
  const char *name;
  g_autofree char *slice = g_build_filename (dir, "slice.dcm", NULL);

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (series, name, NULL);

      g_unlink (path);
    }
  g_rmdir (series);
  g_unlink (slice);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *script = g_getenv ("CHARTA_DICOM_SERIES_SCRIPT");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *slice = NULL;
  g_autofree char *n = g_strdup_printf ("%d", N_SLICES);
  int status = 0;
  gboolean met;

  /* Without a display GTK would run nothing and pass (STYLE.md). */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("FAIL: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run it with "
                  "build-aux/dev bench dicom, or under xvfb-run -a -s '-screen 0 1920x1200x24'\n");
      return 1;
    }
  if (script == NULL)
    script = argc > 1 ? argv[1] : "tests/bench/make-dicom-series.py";

  gtk_init ();
  adw_init ();
  ch_ui_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  dir = g_dir_make_tmp ("charta-bench-dicom-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  {
    char *python[] = { "/usr/bin/python3", (char *) script, dir, n, NULL };

    g_print ("Writing the test files with %s…\n", script);
    if (!g_spawn_sync (NULL, python, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("FAIL: %s could not write the files (needs python3-pydicom and "
                    "python3-numpy): %s\n", script, error->message);
        remove_tree (dir);
        return 1;
      }
  }
  slice = g_build_filename (dir, "slice.dcm", NULL);

  bench_slice (slice);
  met = bench_scroll (dir);

  remove_tree (dir);
  return met ? 0 : 1;
}
