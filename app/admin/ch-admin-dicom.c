/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-dicom"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ch-admin-dicom.h"
#include "ch-admin-output.h"

/* "charta-admin dicom …": a DICOM file looked at through the DCMTK shim,
 * with no practice involved. Every key of the JSON is always there, null
 * when the file leaves it out, so that scripts can tell absent from zero. */

static void
add_string (JsonBuilder *builder,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *key,
         gboolean     present,
         gint64       value)
{
  json_builder_set_member_name (builder, key);
  if (present)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_doubles (JsonBuilder  *builder,
             const char   *key,
             gboolean      present,
             const double *values,
             guint         n)
{
  json_builder_set_member_name (builder, key);
  if (!present)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_double_value (builder, values[i]);
  json_builder_end_array (builder);
}

char *
ch_admin_dicom_info_json (ChDcm *dcm)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError) problem = NULL;
  const ChDcmInfo *info;
  gboolean image;

  g_return_val_if_fail (dcm != NULL, NULL);

  info = ch_dcm_get_info (dcm);
  image = info->has_pixel_data;

  json_builder_begin_object (builder);
  add_string (builder, "patient_name", info->patient_name);
  add_string (builder, "patient_id", info->patient_id);
  add_string (builder, "patient_birth_date", info->patient_birth_date);
  add_string (builder, "patient_sex", info->patient_sex);
  add_string (builder, "study_instance_uid", info->study_instance_uid);
  add_string (builder, "series_instance_uid", info->series_instance_uid);
  add_string (builder, "sop_instance_uid", info->sop_instance_uid);
  add_string (builder, "sop_class_uid", info->sop_class_uid);
  add_string (builder, "study_date", info->study_date);
  add_string (builder, "study_time", info->study_time);
  add_string (builder, "study_description", info->study_description);
  add_string (builder, "series_description", info->series_description);
  add_string (builder, "modality", info->modality);
  add_int (builder, "series_number", info->has_series_number, info->series_number);
  add_int (builder, "instance_number", info->has_instance_number, info->instance_number);
  add_string (builder, "transfer_syntax_uid", info->transfer_syntax_uid);
  add_string (builder, "transfer_syntax_name", info->transfer_syntax_name);

  json_builder_set_member_name (builder, "has_pixel_data");
  json_builder_add_boolean_value (builder, image);
  add_int (builder, "rows", image, info->rows);
  add_int (builder, "columns", image, info->columns);
  add_int (builder, "frames", image, info->frames);
  add_int (builder, "bits_allocated", image, info->bits_allocated);
  add_int (builder, "bits_stored", image, info->bits_stored);
  add_int (builder, "samples_per_pixel", image, info->samples_per_pixel);
  add_int (builder, "pixel_representation", image, info->pixel_representation);
  add_string (builder, "photometric_interpretation", info->photometric_interpretation);
  add_doubles (builder, "pixel_spacing", info->has_pixel_spacing, info->pixel_spacing, 2);
  json_builder_set_member_name (builder, "slice_location");
  if (info->has_slice_location)
    json_builder_add_double_value (builder, info->slice_location);
  else
    json_builder_add_null_value (builder);
  add_doubles (builder, "image_position", info->has_image_position, info->image_position, 3);
  json_builder_set_member_name (builder, "rescale_slope");
  json_builder_add_double_value (builder, info->rescale_slope);
  json_builder_set_member_name (builder, "rescale_intercept");
  json_builder_add_double_value (builder, info->rescale_intercept);

  json_builder_set_member_name (builder, "windows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < info->n_windows; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "center");
      json_builder_add_double_value (builder, info->windows[i].center);
      json_builder_set_member_name (builder, "width");
      json_builder_add_double_value (builder, info->windows[i].width);
      add_string (builder, "explanation", info->windows[i].explanation);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* Whether "dicom render" would get to decoding, and if not, why. */
  json_builder_set_member_name (builder, "decodable");
  json_builder_add_boolean_value (builder, ch_dcm_check_decodable (dcm, &problem));
  add_string (builder, "problem", problem != NULL ? problem->message : NULL);
  json_builder_end_object (builder);

  return ch_admin_json_text (builder);
}

gboolean
ch_admin_dicom_write_png (const guint8 *pixels,
                          guint         width,
                          guint         height,
                          guint         channels,
                          const char   *path,
                          GError      **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  guint8 *data;
  int stride;

  g_return_val_if_fail (pixels != NULL && (channels == 1 || channels == 3), FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot make a %u × %u picture: %s"),
                   width, height, cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return FALSE;
    }

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);
      const guint8 *in = pixels + (gsize) y * width * channels;

      for (guint x = 0; x < width; x++, in += channels)
        {
          guint32 r = in[0];
          guint32 g = channels == 3 ? in[1] : in[0];
          guint32 b = channels == 3 ? in[2] : in[0];

          row[x] = (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);

  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), display,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_admin_dicom_write_raw (ChDcm       *dcm,
                          guint        frame,
                          const char  *path,
                          GError     **error)
{
  g_autofree void *values = NULL;
  g_autofree double *out = NULL;
  ChDcmRawType type;
  gsize n = 0;

  values = ch_dcm_get_frame_raw (dcm, frame, &type, &n, error);
  if (values == NULL)
    return FALSE;

  out = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      double v = type == CH_DCM_RAW_INT32 ? ((gint32 *) values)[i] : ((double *) values)[i];
      guint64 bits;

      memcpy (&bits, &v, sizeof bits);
      bits = GUINT64_TO_LE (bits);
      memcpy (&out[i], &bits, sizeof bits);
    }

  return g_file_set_contents (path, (const char *) out, (gssize) (n * sizeof (double)), error);
}

static void
add_text (JsonBuilder *builder,
          const char  *key,
          const char  *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_modalities (JsonBuilder *builder,
                const char  *modalities)
{
  g_auto (GStrv) parts = g_strsplit (modalities != NULL ? modalities : "", ",", -1);

  json_builder_set_member_name (builder, "modalities");
  json_builder_begin_array (builder);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*g_strstrip (parts[i]) != '\0')
      json_builder_add_string_value (builder, parts[i]);
  json_builder_end_array (builder);
}

char *
ch_admin_dicom_inbox_json (GPtrArray *items)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      const ChImagingInboxItem *item = items->pdata[i];
      g_autoptr (GDateTime) received = g_date_time_new_from_unix_utc (item->received_at / G_USEC_PER_SEC);
      g_autofree char *received_text = g_date_time_format_iso8601 (received);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, item->id);
      add_text (builder, "received_at", received_text);
      add_text (builder, "calling_ae", item->calling_ae);
      add_text (builder, "source", item->source);
      add_text (builder, "patient_name", item->patient_name);
      add_text (builder, "patient_id", item->patient_ref);
      add_string (builder, "birth_date", item->birth_date);
      add_text (builder, "study_instance_uid", item->study_uid);
      add_string (builder, "study_date", item->study_date);
      add_text (builder, "study_description", item->study_description);
      add_modalities (builder, item->modalities);
      json_builder_set_member_name (builder, "instances");
      json_builder_add_int_value (builder, item->n_instances);
      add_text (builder, "reason", item->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}

char *
ch_admin_dicom_studies_json (ChSession  *session,
                             gint64      patient_id,
                             GPtrArray  *studies,
                             GError    **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < studies->len; i++)
    {
      const ChImagingStudy *study = studies->pdata[i];
      g_autoptr (GPtrArray) series = ch_imaging_list_series (session, patient_id, study->study_uid,
                                                             error);

      if (series == NULL)
        return NULL;
      json_builder_begin_object (builder);
      add_text (builder, "study_instance_uid", study->study_uid);
      add_string (builder, "date", study->date);
      add_string (builder, "time", study->time);
      add_text (builder, "description", study->description);
      add_modalities (builder, study->modalities);
      json_builder_set_member_name (builder, "series_count");
      json_builder_add_int_value (builder, study->n_series);
      json_builder_set_member_name (builder, "instance_count");
      json_builder_add_int_value (builder, study->n_instances);
      json_builder_set_member_name (builder, "series");
      json_builder_begin_array (builder);
      for (guint s = 0; s < series->len; s++)
        {
          const ChImagingSeries *one = series->pdata[s];
          g_autoptr (GArray) ids = ch_imaging_list_instances (session, patient_id, one->series_uid,
                                                              error);

          if (ids == NULL)
            return NULL;
          json_builder_begin_object (builder);
          add_text (builder, "series_instance_uid", one->series_uid);
          add_int (builder, "number", one->has_number, one->number);
          add_text (builder, "modality", one->modality);
          add_text (builder, "description", one->description);
          json_builder_set_member_name (builder, "documents");
          json_builder_begin_array (builder);
          for (guint d = 0; d < ids->len; d++)
            json_builder_add_int_value (builder, g_array_index (ids, gint64, d));
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return ch_admin_json_text (builder);
}
