/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dicom-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ch-dcm.h"
#include "ch-dicom-view.h"
#include "ch-ui-test-util.h"

/* The DICOM viewer over Debian's pydicom test files and over files written
 * here (a tiny Explicit VR Little Endian writer), so that spacing, MONOCHROME1,
 * instance order and frame counts are known exactly. */

#define TEST_FILES "/usr/lib/python3/dist-packages/pydicom/data/test_files"

/* ---- a minimal DICOM writer --------------------------------------------- */

static void
put16 (GByteArray *out,
       guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out,
       guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (out, b, 4);
}

static void
element (GByteArray   *out,
         guint16       group,
         guint16       elem,
         const char   *vr,
         const void   *value,
         gsize         length)
{
  gboolean long_form = strcmp (vr, "OB") == 0 || strcmp (vr, "OW") == 0;
  gsize padded = length + (length & 1);
  guint8 pad = strcmp (vr, "UI") == 0 || long_form ? 0 : ' ';

  put16 (out, group);
  put16 (out, elem);
  g_byte_array_append (out, (const guint8 *) vr, 2);
  if (long_form)
    {
      put16 (out, 0);
      put32 (out, (guint32) padded);
    }
  else
    put16 (out, (guint16) padded);
  g_byte_array_append (out, value, (guint) length);
  if (padded != length)
    g_byte_array_append (out, &pad, 1);
}

static void
put_str (GByteArray *out,
        guint16     group,
        guint16     elem,
        const char *vr,
        const char *value)
{
  element (out, group, elem, vr, value, strlen (value));
}

static void
put_us (GByteArray *out,
        guint16     group,
        guint16     elem,
        guint16     value)
{
  guint8 b[2] = { value & 0xff, value >> 8 };

  element (out, group, elem, "US", b, 2);
}

typedef struct
{
  guint       rows, columns, frames;
  int         instance;
  double      location;
  const char *photometric;
  double      row_spacing, column_spacing;
  double      center, width;      /* no window when width is 0 */
  double      slope, intercept;
  int         seed;
} Spec;

/* The stored value of pixel (x, y) of @frame. */
static gint16
stored_value (const Spec *spec,
              guint       x,
              guint       y,
              guint       frame)
{
  return (gint16) ((int) (x * 7 + y * 13) % 900 - 300 + spec->seed * 3 + (int) frame * 40);
}

static GBytes *
make_dicom (const Spec *spec)
{
  GByteArray *meta = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  guint8 version[2] = { 0, 1 };
  g_autofree char *sop = g_strdup_printf ("1.2.826.0.1.3680043.9.7777.2.%d", spec->instance);
  g_autofree char *instance = g_strdup_printf ("%d", spec->instance);
  g_autofree char *location = g_strdup_printf ("%.1f", spec->location);
  g_autofree char *frames = g_strdup_printf ("%u", spec->frames);
  g_autofree char *spacing = g_strdup_printf ("%g\\%g", spec->row_spacing, spec->column_spacing);
  g_autofree char *center = g_strdup_printf ("%g", spec->center);
  g_autofree char *width = g_strdup_printf ("%g", spec->width);
  g_autofree char *slope = g_strdup_printf ("%g", spec->slope);
  g_autofree char *intercept = g_strdup_printf ("%g", spec->intercept);
  gsize n = (gsize) spec->rows * spec->columns * spec->frames;
  g_autofree gint16 *pixels = g_new (gint16, n);
  const char *ct_image = "1.2.840.10008.5.1.4.1.1.2";
  guint8 zero[128] = { 0 };

  for (guint f = 0; f < spec->frames; f++)
    for (guint y = 0; y < spec->rows; y++)
      for (guint x = 0; x < spec->columns; x++)
        pixels[((gsize) f * spec->rows + y) * spec->columns + x] =
          GINT16_TO_LE (stored_value (spec, x, y, f));

  element (meta, 0x0002, 0x0001, "OB", version, 2);
  put_str (meta, 0x0002, 0x0002, "UI", ct_image);
  put_str (meta, 0x0002, 0x0003, "UI", sop);
  put_str (meta, 0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");

  g_byte_array_append (out, zero, 128);
  g_byte_array_append (out, (const guint8 *) "DICM", 4);
  put16 (out, 0x0002);
  put16 (out, 0x0000);
  g_byte_array_append (out, (const guint8 *) "UL", 2);
  put16 (out, 4);
  put32 (out, meta->len);
  g_byte_array_append (out, meta->data, meta->len);
  g_byte_array_unref (meta);

  put_str (out, 0x0008, 0x0016, "UI", ct_image);
  put_str (out, 0x0008, 0x0018, "UI", sop);
  put_str (out, 0x0008, 0x0020, "DA", "20240517");
  put_str (out, 0x0008, 0x0060, "CS", "CT");
  put_str (out, 0x0008, 0x103e, "LO", "Test series");
  put_str (out, 0x0010, 0x0010, "PN", "Test^Patient");
  put_str (out, 0x0010, 0x0020, "LO", "TEST-42");
  put_str (out, 0x0020, 0x000d, "UI", "1.2.826.0.1.3680043.9.7777.1");
  put_str (out, 0x0020, 0x000e, "UI", "1.2.826.0.1.3680043.9.7777.1.1");
  put_str (out, 0x0020, 0x0013, "IS", instance);
  put_str (out, 0x0020, 0x1041, "DS", location);
  put_us (out, 0x0028, 0x0002, 1);
  put_str (out, 0x0028, 0x0004, "CS", spec->photometric);
  if (spec->frames > 1)
    put_str (out, 0x0028, 0x0008, "IS", frames);
  put_us (out, 0x0028, 0x0010, (guint16) spec->rows);
  put_us (out, 0x0028, 0x0011, (guint16) spec->columns);
  put_str (out, 0x0028, 0x0030, "DS", spacing);
  put_us (out, 0x0028, 0x0100, 16);
  put_us (out, 0x0028, 0x0101, 16);
  put_us (out, 0x0028, 0x0102, 15);
  put_us (out, 0x0028, 0x0103, 1);
  if (spec->width > 0)
    {
      put_str (out, 0x0028, 0x1050, "DS", center);
      put_str (out, 0x0028, 0x1051, "DS", width);
    }
  put_str (out, 0x0028, 0x1052, "DS", intercept);
  put_str (out, 0x0028, 0x1053, "DS", slope);
  element (out, 0x7fe0, 0x0010, "OW", pixels, n * 2);

  return g_byte_array_free_to_bytes (out);
}

static Spec
default_spec (void)
{
  return (Spec) { 48, 64, 1, 1, 0, "MONOCHROME2", 0.5, 0.25, 40, 400, 2, -1000, 0 };
}

/* ---- helpers -------------------------------------------------------------- */

typedef struct
{
  GtkWindow   *window;
  ChDicomView *view;
  int          loaded;   /* -1 not yet, else the signal's success */
  guint        n_loaded;
} Fixture;

static void
on_loaded (ChDicomView *view,
           gboolean     success,
           Fixture     *fixture)
{
  fixture->loaded = success;
  fixture->n_loaded++;
}

static void
fixture_open (Fixture *fixture)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->view = CH_DICOM_VIEW (ch_dicom_view_new ());
  fixture->loaded = -1;
  fixture->n_loaded = 0;
  g_signal_connect (fixture->view, "loaded", G_CALLBACK (on_loaded), fixture);
  gtk_window_set_default_size (fixture->window, 900, 700);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  ch_ui_test_spin (50);
}

static void
fixture_close (Fixture *fixture)
{
  GtkWidget *view = GTK_WIDGET (fixture->view);

  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  g_object_ref (fixture->window);
  gtk_window_destroy (fixture->window);
  ch_ui_test_spin (50);
  g_assert_finalize_object (fixture->window);
  g_assert_null (view);
}

static void
fixture_load (Fixture   *fixture,
              GPtrArray *instances)
{
  fixture->loaded = -1;
  ch_dicom_view_set_series (fixture->view, instances);
  g_assert_true (ch_dicom_view_get_loading (fixture->view) || fixture->loaded != -1);
  CH_UI_TEST_WAIT (fixture->loaded != -1);
  g_assert_false (ch_dicom_view_get_loading (fixture->view));
}

/* With CHARTA_TEST_SHOW=MS in the environment the window stays up that
 * long, for a person to look at (or take a screenshot of). */
static void
maybe_show (void)
{
  const char *ms = g_getenv ("CHARTA_TEST_SHOW");

  if (ms != NULL)
    ch_ui_test_spin ((guint) g_ascii_strtoull (ms, NULL, 10));
}

/* Returns: (transfer none): @widget's controller of @type */
static GtkEventController *
find_controller (gpointer widget,
                 GType    type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (widget));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return GTK_EVENT_CONTROLLER (controller);
    }
  g_assert_not_reached ();
}

/* Returns: (transfer full) (nullable): a test file's bytes, or NULL having
 * skipped the test */
static GBytes *
read_test_file (const char *name)
{
  g_autofree char *path = g_build_filename (TEST_FILES, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mapped = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf ("%s is missing (python3-pydicom)", path);

      g_test_skip (message);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  return g_mapped_file_get_bytes (mapped);
}

static GPtrArray *
one (GBytes *bytes)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (array, bytes);
  return array;
}

/* The windowing of DICOM PS3.3 C.11.2.1.2.1 to 0…255, as the view states it. */
static guint8
expected_window (double x,
                 double c,
                 double w)
{
  if (x <= c - 0.5 - (w - 1) / 2)
    return 0;
  if (x > c - 0.5 + (w - 1) / 2)
    return 255;
  return (guint8) CLAMP (round (((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0), 0, 255);
}

/* The modality values of frame 0 as the shim reads them, independently. */
static double *
shim_values (GBytes *bytes,
             guint   frame,
             gsize  *n,
             double *min,
             double *max)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDcm) dcm = ch_dcm_open_memory (data, size, &error);
  ChDcmRawType type;
  g_autofree void *raw = NULL;
  double *values;

  g_assert_no_error (error);
  raw = ch_dcm_get_frame_raw (dcm, frame, &type, n, &error);
  g_assert_no_error (error);
  values = g_new (double, *n);
  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (gsize i = 0; i < *n; i++)
    {
      values[i] = type == CH_DCM_RAW_INT32 ? ((gint32 *) raw)[i] : ((double *) raw)[i];
      *min = MIN (*min, values[i]);
      *max = MAX (*max, values[i]);
    }
  return values;
}

/* Every shown pixel against the formula applied to the shim's values. */
static void
assert_windowed (ChDicomView *view,
                 GBytes      *bytes,
                 guint        frame,
                 gboolean     monochrome1)
{
  guint w, h, channels;
  const guint8 *pixels = ch_dicom_view_get_pixels_for_testing (view, &w, &h, &channels);
  double c, width, min, max;
  gsize n;
  g_autofree double *values = shim_values (bytes, frame, &n, &min, &max);

  g_assert_nonnull (pixels);
  g_assert_cmpuint (channels, ==, 4);
  g_assert_cmpuint ((gsize) w * h, ==, n);
  ch_dicom_view_get_window (view, &c, &width);
  for (gsize i = 0; i < n; i++)
    {
      guint8 want = expected_window (values[i], c, width);

      if (monochrome1 != ch_dicom_view_get_invert (view))
        want = 255 - want;
      if (pixels[i * 4] != want)
        g_error ("pixel %" G_GSIZE_FORMAT " (value %g, C %g W %g): shown %u, expected %u", i,
                 values[i], c, width, pixels[i * 4], want);
      g_assert_cmpuint (pixels[i * 4 + 1], ==, want);
      g_assert_cmpuint (pixels[i * 4 + 2], ==, want);
    }
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_ct (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("CT_small.dcm");
  g_autoptr (GPtrArray) series = NULL;
  Fixture fixture;
  const ChDcmInfo *info;
  double c, w, min, max, value;
  gsize n;
  g_autofree double *values = NULL;
  gboolean in_mm = FALSE;

  if (bytes == NULL)
    return;
  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);

  g_assert_cmpint (fixture.loaded, ==, TRUE);
  g_assert_cmpuint (fixture.n_loaded, ==, 1);
  g_assert_null (ch_dicom_view_get_error (fixture.view));
  info = ch_dicom_view_get_info (fixture.view);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->modality, ==, "CT");
  g_assert_cmpstr (info->patient_name, ==, "CompressedSamples^CT1");
  g_assert_cmpstr (info->patient_id, ==, "1CT1");
  g_assert_cmpuint (info->rows, ==, 128);
  g_assert_cmpuint (ch_dicom_view_get_n_slices (fixture.view), ==, 1);
  g_assert_cmpuint (ch_dicom_view_get_n_frames (fixture.view), ==, 1);

  /* No preset in the file: the full range of its values. */
  values = shim_values (bytes, 0, &n, &min, &max);
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat_with_epsilon (w, max - min + 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (c, (min + max) / 2 + 0.5, 1e-9);
  assert_windowed (fixture.view, bytes, 0, FALSE);

  /* A soft-tissue window, as a person would set it. */
  ch_dicom_view_set_window (fixture.view, 40, 400);
  assert_windowed (fixture.view, bytes, 0, FALSE);

  value = ch_dicom_view_measure (fixture.view, 10, 20, 70, 100, &in_mm);
  g_assert_true (in_mm);
  g_assert_cmpfloat_with_epsilon (value, sqrt (pow (60 * 0.661468, 2) + pow (80 * 0.661468, 2)), 1e-6);
  maybe_show ();

  fixture_close (&fixture);
}

static void
test_mr_preset (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("MR_small.dcm");
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (ChDcm) dcm = NULL;
  g_autoptr (GError) error = NULL;
  const ChDcmInfo *file_info;
  Fixture fixture;
  double c, w, zoom;
  guint width, height, channels;
  const guint8 *pixels;
  guint8 before;
  gsize size;
  const void *data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &size);
  dcm = ch_dcm_open_memory (data, size, &error);
  g_assert_no_error (error);
  file_info = ch_dcm_get_info (dcm);
  g_assert_cmpuint (file_info->n_windows, >=, 1);

  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);
  g_assert_cmpstr (ch_dicom_view_get_info (fixture.view)->modality, ==, "MR");

  /* The file's first preset, as the shim reads it. */
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat (c, ==, file_info->windows[0].center);
  g_assert_cmpfloat (w, ==, file_info->windows[0].width);
  assert_windowed (fixture.view, bytes, 0, FALSE);

  /* A drag 64 px right and 32 px up: the width grows and the center falls
   * by CH_DICOM_VIEW_WL_FACTOR of the width a pixel. */
  ch_dicom_view_drag_window_for_testing (fixture.view, 64, -32);
  {
    double c2, w2;

    ch_dicom_view_get_window (fixture.view, &c2, &w2);
    g_assert_cmpfloat_with_epsilon (w2, w + 64 * w * CH_DICOM_VIEW_WL_FACTOR, 1e-9);
    g_assert_cmpfloat_with_epsilon (c2, c - 32 * w * CH_DICOM_VIEW_WL_FACTOR, 1e-9);
    assert_windowed (fixture.view, bytes, 0, FALSE);
  }

  /* The same through the view's drag gesture, as the pointer drives it. */
  ch_dicom_view_apply_preset (fixture.view, 0);
  {
    GtkGesture *drag = GTK_GESTURE (find_controller (fixture.view, GTK_TYPE_GESTURE_DRAG));
    double c2, w2, x = gtk_widget_get_width (GTK_WIDGET (fixture.view)) / 2.0;
    double y = gtk_widget_get_height (GTK_WIDGET (fixture.view)) / 2.0;

    g_signal_emit_by_name (drag, "drag-begin", x, y);
    g_signal_emit_by_name (drag, "drag-update", 10.0, 5.0);
    g_signal_emit_by_name (drag, "drag-update", 64.0, -32.0);
    g_signal_emit_by_name (drag, "drag-end", 64.0, -32.0);
    ch_dicom_view_get_window (fixture.view, &c2, &w2);
    g_assert_cmpfloat_with_epsilon (w2, w + 64 * w * CH_DICOM_VIEW_WL_FACTOR, 1e-9);
    g_assert_cmpfloat_with_epsilon (c2, c - 32 * w * CH_DICOM_VIEW_WL_FACTOR, 1e-9);

    /* In measure mode the same drag measures, in mm. */
    ch_dicom_view_set_tool (fixture.view, CH_DICOM_TOOL_MEASURE);
    g_signal_emit_by_name (drag, "drag-begin", x, y);
    g_signal_emit_by_name (drag, "drag-update", 64.0, -32.0);
    g_signal_emit_by_name (drag, "drag-end", 64.0, -32.0);
    ch_dicom_view_get_window (fixture.view, &c, &w);
    g_assert_cmpfloat (c, ==, c2);
    g_assert_cmpfloat (w, ==, w2);
    {
      gboolean in_mm = FALSE;
      double zoom0 = ch_dicom_view_get_zoom (fixture.view);

      g_assert_cmpfloat_with_epsilon (ch_dicom_view_get_measurement (fixture.view, &in_mm),
                                      hypot (64 / zoom0 * file_info->pixel_spacing[1],
                                             32 / zoom0 * file_info->pixel_spacing[0]), 1e-6);
      g_assert_true (in_mm);
    }
    ch_dicom_view_set_tool (fixture.view, CH_DICOM_TOOL_WINDOW);
  }

  /* Back to the preset through its action, then the full range. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.preset", "i", 0));
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat (c, ==, file_info->windows[0].center);
  g_assert_cmpfloat (w, ==, file_info->windows[0].width);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.preset", "i",
                                             (gint32) file_info->n_windows));
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat (w, !=, file_info->windows[0].width);
  assert_windowed (fixture.view, bytes, 0, FALSE);
  ch_dicom_view_apply_preset (fixture.view, 0);

  /* Invert, by its key: every pixel flips. */
  pixels = ch_dicom_view_get_pixels_for_testing (fixture.view, &width, &height, &channels);
  before = pixels[(32 * width + 32) * channels];
  g_assert_false (ch_dicom_view_get_invert (fixture.view));
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_i, 0));
  g_assert_true (ch_dicom_view_get_invert (fixture.view));
  pixels = ch_dicom_view_get_pixels_for_testing (fixture.view, &width, &height, &channels);
  g_assert_cmpuint (pixels[(32 * width + 32) * channels], ==, 255 - before);
  assert_windowed (fixture.view, bytes, 0, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.invert", NULL));
  g_assert_false (ch_dicom_view_get_invert (fixture.view));

  /* Zoom: in by a step, fit again with 0; pan moves; R resets. */
  zoom = ch_dicom_view_get_zoom (fixture.view);
  g_assert_cmpfloat (zoom, >, 1.0);   /* 64 px fitted into the window */
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_plus, 0));
  g_assert_cmpfloat_with_epsilon (ch_dicom_view_get_zoom (fixture.view), zoom * 1.25, 1e-9);
  ch_dicom_view_set_pan (fixture.view, 30, -20);
  {
    double px, py;

    ch_dicom_view_get_pan (fixture.view, &px, &py);
    g_assert_cmpfloat (px, ==, 30);
    g_assert_cmpfloat (py, ==, -20);
  }
  ch_dicom_view_set_window (fixture.view, 100, 50);
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_r, 0));
  g_assert_cmpfloat_with_epsilon (ch_dicom_view_get_zoom (fixture.view), zoom, 1e-9);
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat (c, ==, file_info->windows[0].center);
  g_assert_cmpfloat (w, ==, file_info->windows[0].width);

  /* A frame is drawn: the snapshot holds the image. */
  {
    GtkSnapshot *snapshot;
    GskRenderNode *node;

    ch_ui_test_spin (100);
    snapshot = gtk_snapshot_new ();
    gtk_widget_snapshot_child (GTK_WIDGET (fixture.window), GTK_WIDGET (fixture.view), snapshot);
    node = gtk_snapshot_free_to_node (snapshot);
    g_assert_nonnull (node);
    gsk_render_node_unref (node);
  }

  fixture_close (&fixture);
}

static void
test_spacing_monochrome1 (void)
{
  Spec spec = default_spec ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) series = NULL;
  Fixture fixture;
  gboolean in_mm = FALSE;
  double value, c, w;
  const ChDcmInfo *info;

  spec.photometric = "MONOCHROME1";
  bytes = make_dicom (&spec);
  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);

  info = ch_dicom_view_get_info (fixture.view);
  g_assert_cmpstr (info->patient_name, ==, "Test^Patient");
  g_assert_cmpstr (info->series_description, ==, "Test series");
  ch_dicom_view_get_window (fixture.view, &c, &w);
  g_assert_cmpfloat (c, ==, 40);
  g_assert_cmpfloat (w, ==, 400);

  /* MONOCHROME1: high values dark. */
  assert_windowed (fixture.view, bytes, 0, TRUE);

  /* Rows 0.5 mm apart, columns 0.25 mm. */
  value = ch_dicom_view_measure (fixture.view, 10, 20, 40, 60, &in_mm);
  g_assert_true (in_mm);
  g_assert_cmpfloat_with_epsilon (value, sqrt (pow (30 * 0.25, 2) + pow (40 * 0.5, 2)), 1e-9);

  fixture_close (&fixture);
}

static void
test_cine (void)
{
  Spec spec = default_spec ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) series = NULL;
  Fixture fixture;
  guint frame;

  spec.frames = 20;
  bytes = make_dicom (&spec);
  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);
  g_assert_cmpuint (ch_dicom_view_get_n_frames (fixture.view), ==, 20);
  g_assert_cmpuint (ch_dicom_view_get_frame (fixture.view), ==, 0);

  /* Right: the next frame, once decoded, windowed from its own values. */
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_Right, 0));
  g_assert_cmpuint (ch_dicom_view_get_frame (fixture.view), ==, 1);
  CH_UI_TEST_WAIT (ch_dicom_view_is_ready_for_testing (fixture.view));
  assert_windowed (fixture.view, bytes, 1, FALSE);
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_Left, 0));
  g_assert_cmpuint (ch_dicom_view_get_frame (fixture.view), ==, 0);

  /* 10 frames a second for half a second, by Space. */
  ch_dicom_view_set_cine_fps (fixture.view, 10);
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_space, 0));
  g_assert_true (ch_dicom_view_get_cine_playing (fixture.view));
  ch_ui_test_spin (550);
  frame = ch_dicom_view_get_frame (fixture.view);
  g_assert_cmpuint (frame, >=, 2);
  g_assert_cmpuint (frame, <=, 7);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.play", NULL));
  g_assert_false (ch_dicom_view_get_cine_playing (fixture.view));
  frame = ch_dicom_view_get_frame (fixture.view);
  ch_ui_test_spin (300);
  g_assert_cmpuint (ch_dicom_view_get_frame (fixture.view), ==, frame);
  CH_UI_TEST_WAIT (ch_dicom_view_is_ready_for_testing (fixture.view));
  assert_windowed (fixture.view, bytes, frame, FALSE);

  fixture_close (&fixture);
}

static void
test_rgb (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("SC_rgb_rle.dcm");
  g_autoptr (GPtrArray) series = NULL;
  g_autoptr (ChDcm) dcm = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *rgb = NULL;
  Fixture fixture;
  guint w, h, channels, rw, rh, rc;
  const guint8 *pixels;
  gsize size;
  const void *data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &size);
  dcm = ch_dcm_open_memory (data, size, &error);
  g_assert_no_error (error);
  rgb = ch_dcm_render_frame (dcm, 0, 0, 0, FALSE, &rw, &rh, &rc, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rc, ==, 3);

  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);

  /* Colour as the file has it, whatever the window. */
  ch_dicom_view_drag_window_for_testing (fixture.view, 100, 100);
  pixels = ch_dicom_view_get_pixels_for_testing (fixture.view, &w, &h, &channels);
  g_assert_cmpuint (w, ==, rw);
  g_assert_cmpuint (h, ==, rh);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      g_assert_cmpuint (pixels[i * 4 + 2], ==, rgb[i * 3]);      /* R */
      g_assert_cmpuint (pixels[i * 4 + 1], ==, rgb[i * 3 + 1]);  /* G */
      g_assert_cmpuint (pixels[i * 4], ==, rgb[i * 3 + 2]);      /* B */
    }
  ch_dicom_view_set_invert (fixture.view, TRUE);
  pixels = ch_dicom_view_get_pixels_for_testing (fixture.view, &w, &h, &channels);
  g_assert_cmpuint (pixels[2], ==, 255 - rgb[0]);

  fixture_close (&fixture);
}

static void
test_series (void)
{
  g_autoptr (GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Fixture fixture;
  const ChDcmInfo *info;

  /* Given in reverse: shown by instance number. */
  for (int i = 5; i >= 1; i--)
    {
      Spec spec = default_spec ();

      spec.instance = i;
      spec.location = -10.0 * i;
      spec.seed = i;
      g_ptr_array_add (series, make_dicom (&spec));
    }
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);
  g_assert_cmpuint (ch_dicom_view_get_n_slices (fixture.view), ==, 5);
  g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 0);
  g_assert_cmpint (ch_dicom_view_get_info (fixture.view)->instance_number, ==, 1);
  assert_windowed (fixture.view, series->pdata[4], 0, FALSE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.next-slice", NULL));
  g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 1);
  CH_UI_TEST_WAIT (ch_dicom_view_is_ready_for_testing (fixture.view));
  g_assert_cmpint (ch_dicom_view_get_info (fixture.view)->instance_number, ==, 2);
  assert_windowed (fixture.view, series->pdata[3], 0, FALSE);

  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_Page_Down, 0));
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_Down, 0));
  g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 3);
  g_assert_true (ch_ui_test_press_key (fixture.view, GDK_KEY_Up, 0));
  g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 2);

  /* The wheel steps through the slices too. */
  {
    GtkEventController *scroll = find_controller (fixture.view, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
    gboolean handled = FALSE;

    CH_UI_TEST_WAIT (ch_dicom_view_is_ready_for_testing (fixture.view));
    g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
    g_assert_true (handled);
    g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 3);
    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
    g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 2);
  }

  /* The neighbours are read ahead: the last one is ready without waiting
   * once the worker has had a moment. */
  ch_ui_test_spin (200);
  ch_dicom_view_set_slice (fixture.view, 4);
  g_assert_true (ch_dicom_view_is_ready_for_testing (fixture.view));
  info = ch_dicom_view_get_info (fixture.view);
  g_assert_cmpint (info->instance_number, ==, 5);
  assert_windowed (fixture.view, series->pdata[0], 0, FALSE);
  maybe_show ();
  /* The window set by the user holds across slices. */
  ch_dicom_view_set_window (fixture.view, 0, 1000);
  ch_dicom_view_set_slice (fixture.view, 0);
  assert_windowed (fixture.view, series->pdata[4], 0, FALSE);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.no-such", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "dicom.previous-slice", NULL));
  g_assert_cmpuint (ch_dicom_view_get_slice (fixture.view), ==, 0);

  fixture_close (&fixture);
}

static void
test_jpeg2000 (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("JPEG2000.dcm");
  g_autoptr (GPtrArray) series = NULL;
  Fixture fixture;
  const GError *error;

  if (bytes == NULL)
    return;
  series = one (g_bytes_ref (bytes));
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, FALSE);
  error = ch_dicom_view_get_error (fixture.view);
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "JPEG 2000"));
  maybe_show ();
  g_assert_null (ch_dicom_view_get_pixels_for_testing (fixture.view, &(guint) { 0 },
                                                       &(guint) { 0 }, &(guint) { 0 }));
  ch_ui_test_spin (50);
  fixture_close (&fixture);
}

static void
test_damaged (void)
{
  g_autoptr (GBytes) ct = read_test_file ("CT_small.dcm");
  g_autoptr (GBytes) truncated = NULL;
  g_autoptr (GBytes) garbage = g_bytes_new_static ("not a DICOM file at all", 23);
  g_autoptr (GPtrArray) series = NULL;
  Fixture fixture;

  if (ct == NULL)
    return;
  truncated = g_bytes_new_from_bytes (ct, 0, g_bytes_get_size (ct) * 2 / 3);
  fixture_open (&fixture);

  series = one (g_bytes_ref (truncated));
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, FALSE);
  g_assert_nonnull (ch_dicom_view_get_error (fixture.view));
  g_assert_true (ch_dicom_view_get_error (fixture.view)->domain == CH_DCM_ERROR);
  g_assert_cmpstr (ch_dicom_view_get_error (fixture.view)->message, !=, "");
  g_clear_pointer (&series, g_ptr_array_unref);

  series = one (g_bytes_ref (garbage));
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, FALSE);
  g_assert_error (ch_dicom_view_get_error (fixture.view), CH_DCM_ERROR, CH_DCM_ERROR_INVALID);
  g_clear_pointer (&series, g_ptr_array_unref);

  /* An empty series says so. */
  series = g_ptr_array_new ();
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, FALSE);
  g_assert_nonnull (ch_dicom_view_get_error (fixture.view));
  g_clear_pointer (&series, g_ptr_array_unref);

  /* And a good file after them shows. */
  series = one (g_bytes_ref (ct));
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);
  g_assert_null (ch_dicom_view_get_error (fixture.view));

  fixture_close (&fixture);
}

static void
test_dispose_mid_decode (void)
{
  g_autoptr (GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Fixture fixture;

  for (int i = 1; i <= 12; i++)
    {
      Spec spec = default_spec ();

      spec.rows = spec.columns = 512;
      spec.instance = i;
      spec.seed = i;
      g_ptr_array_add (series, make_dicom (&spec));
    }

  /* Gone while sorting. */
  fixture_open (&fixture);
  ch_dicom_view_set_series (fixture.view, series);
  fixture_close (&fixture);

  /* Gone while decoding and reading ahead, after a series was replaced. */
  fixture_open (&fixture);
  fixture_load (&fixture, series);
  g_assert_cmpint (fixture.loaded, ==, TRUE);
  ch_dicom_view_set_series (fixture.view, series);
  ch_dicom_view_set_slice (fixture.view, 5);
  ch_ui_test_spin (5);
  fixture_close (&fixture);

  /* The worker's results arriving afterwards find no view. */
  ch_ui_test_spin (300);
}

int
main (int   argc,
      char *argv[])
{
  ch_ui_test_init (&argc, &argv);

  g_test_add_func ("/dicom-view/ct", test_ct);
  g_test_add_func ("/dicom-view/mr-preset", test_mr_preset);
  g_test_add_func ("/dicom-view/spacing-monochrome1", test_spacing_monochrome1);
  g_test_add_func ("/dicom-view/cine", test_cine);
  g_test_add_func ("/dicom-view/rgb", test_rgb);
  g_test_add_func ("/dicom-view/series", test_series);
  g_test_add_func ("/dicom-view/jpeg2000", test_jpeg2000);
  g_test_add_func ("/dicom-view/damaged", test_damaged);
  g_test_add_func ("/dicom-view/dispose-mid-decode", test_dispose_mid_decode);

  return g_test_run ();
}
