/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dcm"

#include "config.h"

#include <string.h>

#include "ch-dcm.h"

/* The DCMTK shim's C API on files Debian's python3-pydicom ships; the
 * expected values are what pydicom reads from the same files. */

#define TEST_FILES "/usr/lib/python3/dist-packages/pydicom/data/test_files/"

static char *
test_file (const char *name)
{
  char *path = g_build_filename (TEST_FILES, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("%s is missing: install python3-pydicom (build-aux/dev does)", path);
  return path;
}

static GBytes *
read_test_file (const char *name)
{
  g_autofree char *path = test_file (name);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  g_file_get_contents (path, &data, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

static void
test_info (void)
{
  g_autofree char *path = test_file ("CT_small.dcm");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDcm) dcm = ch_dcm_open_file (path, &error);
  const ChDcmInfo *info;

  g_assert_no_error (error);
  g_assert_nonnull (dcm);
  info = ch_dcm_get_info (dcm);
  g_assert_cmpstr (info->patient_name, ==, "CompressedSamples^CT1");
  g_assert_cmpstr (info->patient_id, ==, "1CT1");
  g_assert_null (info->patient_birth_date);
  g_assert_cmpstr (info->modality, ==, "CT");
  g_assert_cmpstr (info->study_date, ==, "20040119");
  g_assert_cmpstr (info->photometric_interpretation, ==, "MONOCHROME2");
  g_assert_cmpstr (info->transfer_syntax_uid, ==, "1.2.840.10008.1.2.1");
  g_assert_true (info->has_pixel_data);
  g_assert_cmpuint (info->rows, ==, 128);
  g_assert_cmpuint (info->columns, ==, 128);
  g_assert_cmpuint (info->frames, ==, 1);
  g_assert_cmpuint (info->bits_allocated, ==, 16);
  g_assert_cmpuint (info->samples_per_pixel, ==, 1);
  g_assert_true (info->has_pixel_spacing);
  g_assert_cmpfloat_with_epsilon (info->pixel_spacing[0], 0.661468, 1e-6);
  g_assert_true (info->has_image_position);
  g_assert_cmpfloat_with_epsilon (info->image_position[2], -75.699997, 1e-6);
  g_assert_cmpfloat (info->rescale_slope, ==, 1.0);
  g_assert_cmpfloat (info->rescale_intercept, ==, -1024.0);
  g_assert_true (info->has_series_number);
  g_assert_cmpint (info->series_number, ==, 1);
  g_assert_cmpuint (info->n_windows, ==, 0);
  g_assert_true (ch_dcm_check_decodable (dcm, &error));
  g_assert_no_error (error);
}

static void
test_raw_and_render (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("CT_small.dcm");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDcm) dcm = NULL;
  g_autofree gint32 *values = NULL;
  g_autofree guint8 *pixels = NULL;
  ChDcmRawType type;
  gsize n = 0;
  gint64 sum = 0;
  guint width, height, channels;

  /* From memory; the buffer may go once it is open. */
  dcm = ch_dcm_open_memory (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_clear_pointer (&bytes, g_bytes_unref);

  values = ch_dcm_get_frame_raw (dcm, 0, &type, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, CH_DCM_RAW_INT32);
  g_assert_cmpuint (n, ==, 128 * 128);
  /* pydicom: apply_modality_lut(pixel_array) */
  g_assert_cmpint (values[0], ==, -849);
  g_assert_cmpint (values[64 * 128 + 64], ==, 904);
  g_assert_cmpint (values[128 * 128 - 1], ==, -115);
  for (gsize i = 0; i < n; i++)
    sum += values[i];
  g_assert_cmpint (sum, ==, -1950906);

  /* A soft-tissue window: air black, bone white. */
  pixels = ch_dcm_render_frame (dcm, 0, 40, 400, FALSE, &width, &height, &channels, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (width, ==, 128);
  g_assert_cmpuint (height, ==, 128);
  g_assert_cmpuint (channels, ==, 1);
  g_assert_cmpuint (pixels[0], ==, 0);          /* -849 HU */
  g_assert_cmpuint (pixels[64 * 128 + 64], ==, 255); /* 904 HU */

  g_assert_null (ch_dcm_render_frame (dcm, 1, 40, 400, FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_FRAME);
}

static void
test_presets_and_frames (void)
{
  g_autofree char *mr = test_file ("MR_small.dcm");
  g_autofree char *rgb = test_file ("SC_rgb_rle_2frame.dcm");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDcm) dcm = ch_dcm_open_file (mr, &error);
  g_autofree guint8 *pixels = NULL;
  g_autofree guint8 *second = NULL;
  const ChDcmInfo *info;
  guint width, height, channels;

  g_assert_no_error (error);
  info = ch_dcm_get_info (dcm);
  g_assert_cmpuint (info->n_windows, ==, 1);
  g_assert_cmpfloat (info->windows[0].center, ==, 600);
  g_assert_cmpfloat (info->windows[0].width, ==, 1600);
  pixels = ch_dcm_render_frame (dcm, 0, 0, 0, TRUE, &width, &height, &channels, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (width * height * channels, ==, 64 * 64);
  g_clear_pointer (&pixels, g_free);
  g_clear_pointer (&dcm, ch_dcm_free);

  dcm = ch_dcm_open_file (rgb, &error);
  g_assert_no_error (error);
  info = ch_dcm_get_info (dcm);
  g_assert_cmpuint (info->frames, ==, 2);
  g_assert_cmpstr (info->transfer_syntax_uid, ==, "1.2.840.10008.1.2.5");
  pixels = ch_dcm_render_frame (dcm, 0, 0, 0, TRUE, &width, &height, &channels, &error);
  g_assert_no_error (error);
  second = ch_dcm_render_frame (dcm, 1, 0, 0, TRUE, &width, &height, &channels, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (channels, ==, 3);
  /* pydicom: the first pixel is red, and the second frame is the first inverted. */
  g_assert_cmpuint (pixels[0], ==, 255);
  g_assert_cmpuint (pixels[1], ==, 0);
  g_assert_cmpuint (second[0], ==, 0);
  g_assert_cmpuint (second[1], ==, 255);
}

static void
test_refusals (void)
{
  g_autofree char *j2k = test_file ("JPEG2000.dcm");
  g_autoptr (GBytes) bytes = read_test_file ("CT_small.dcm");
  g_autoptr (GError) error = NULL;
  g_autoptr (ChDcm) dcm = NULL;
  g_autofree guint8 *copy = NULL;
  static const guint8 rows_tag[] = { 0x28, 0x00, 0x10, 0x00, 'U', 'S', 0x02, 0x00 };
  static const guint8 columns_tag[] = { 0x28, 0x00, 0x11, 0x00, 'U', 'S', 0x02, 0x00 };
  gsize size = g_bytes_get_size (bytes);
  guint patched = 0;

  g_assert_null (ch_dcm_open_file ("/nonexistent/x.dcm", &error));
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_IO);
  g_clear_error (&error);

  g_assert_null (ch_dcm_open_memory ("\0\0\0\0", 4, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* JPEG 2000: the metadata reads, the pixels are refused by name. */
  dcm = ch_dcm_open_file (j2k, &error);
  g_assert_no_error (error);
  g_assert_null (ch_dcm_render_frame (dcm, 0, 0, 0, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "JPEG 2000"));
  g_clear_error (&error);
  g_clear_pointer (&dcm, ch_dcm_free);

  /* A header that claims 65535 × 65535: refused before decoding. */
  copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  for (gsize i = 0; i + 10 <= size; i++)
    if (memcmp (copy + i, rows_tag, 8) == 0 || memcmp (copy + i, columns_tag, 8) == 0)
      {
        copy[i + 8] = copy[i + 9] = 0xff;
        patched++;
      }
  g_assert_cmpuint (patched, ==, 2);
  dcm = ch_dcm_open_memory (copy, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ch_dcm_get_info (dcm)->rows, ==, 65535);
  g_assert_false (ch_dcm_check_decodable (dcm, &error));
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (ch_dcm_get_frame_raw (dcm, 0, &(ChDcmRawType) { 0 }, &(gsize) { 0 }, &error));
  g_assert_error (error, CH_DCM_ERROR, CH_DCM_ERROR_TOO_LARGE);
}

static void
test_truncated (void)
{
  g_autoptr (GBytes) bytes = read_test_file ("MR_small_RLE.dcm");
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize size = g_bytes_get_size (bytes);

  /* Every cut either fails with an error or renders: nothing crashes. */
  for (gsize cut = 1; cut < size; cut += 97)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ChDcm) dcm = ch_dcm_open_memory (data, cut, &error);
      g_autofree guint8 *pixels = NULL;

      if (dcm == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      pixels = ch_dcm_render_frame (dcm, 0, 0, 0, TRUE, NULL, NULL, NULL, &error);
      g_assert_true ((pixels == NULL) == (error != NULL));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dcm/info", test_info);
  g_test_add_func ("/dcm/raw-and-render", test_raw_and_render);
  g_test_add_func ("/dcm/presets-and-frames", test_presets_and_frames);
  g_test_add_func ("/dcm/refusals", test_refusals);
  g_test_add_func ("/dcm/truncated", test_truncated);

  return g_test_run ();
}
