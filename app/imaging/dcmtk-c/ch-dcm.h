/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The DCMTK shim: the only C++ in Charta, behind this plain C API.
 *
 * A ChDcm is one DICOM file or buffer, parsed once; its metadata is read at
 * open time into a ChDcmInfo, its pixel data is decoded on the first request
 * for a frame. No C++ exception crosses this API: every failure is a GError
 * in the CH_DCM_ERROR domain. An image whose declared pixel data exceeds
 * CH_DCM_MAX_PIXEL_BYTES is refused before anything is decoded. */

#include <glib.h>

G_BEGIN_DECLS

/* What one image may claim (rows × columns × frames × samples × bytes). */
#define CH_DCM_MAX_PIXEL_BYTES ((guint64) 1 << 30)

#define CH_DCM_ERROR (ch_dcm_error_quark ())

typedef enum
{
  CH_DCM_ERROR_IO,          /* the file could not be read */
  CH_DCM_ERROR_INVALID,     /* not DICOM, truncated or malformed */
  CH_DCM_ERROR_NO_PIXELS,   /* no image in it */
  CH_DCM_ERROR_UNSUPPORTED, /* a transfer syntax or pixel format not decoded here */
  CH_DCM_ERROR_TOO_LARGE,   /* declares more pixel data than CH_DCM_MAX_PIXEL_BYTES */
  CH_DCM_ERROR_FRAME,       /* no such frame */
  CH_DCM_ERROR_DECODE,      /* the pixel data could not be decoded */
} ChDcmError;

typedef struct _ChDcm ChDcm;

/* A window (VOI) preset from the file. */
typedef struct
{
  double      center;
  double      width;
  const char *explanation;  /* (nullable) */
} ChDcmWindow;

/* Strings are UTF-8 as stored (NULL when absent); numbers are 0 when absent
 * unless a has_ flag says otherwise. Owned by the ChDcm. */
typedef struct
{
  const char *patient_name;
  const char *patient_id;
  const char *patient_birth_date;
  const char *patient_sex;

  const char *study_instance_uid;
  const char *series_instance_uid;
  const char *sop_instance_uid;
  const char *sop_class_uid;
  const char *study_date;
  const char *study_time;
  const char *study_description;
  const char *series_description;
  const char *modality;
  gboolean    has_series_number;
  gint        series_number;
  gboolean    has_instance_number;
  gint        instance_number;

  gboolean    has_pixel_data;
  guint       rows;
  guint       columns;
  guint       frames;              /* 1 when NumberOfFrames is absent */
  guint       bits_allocated;
  guint       bits_stored;
  guint       samples_per_pixel;
  guint       pixel_representation; /* 0 unsigned, 1 signed */
  const char *photometric_interpretation;

  gboolean    has_pixel_spacing;
  double      pixel_spacing[2];    /* row spacing, column spacing, in mm */
  gboolean    has_slice_location;
  double      slice_location;
  gboolean    has_image_position;
  double      image_position[3];

  double      rescale_slope;       /* 1 when absent */
  double      rescale_intercept;   /* 0 when absent */

  guint              n_windows;
  const ChDcmWindow *windows;

  const char *transfer_syntax_uid;
  const char *transfer_syntax_name;
} ChDcmInfo;

typedef enum
{
  CH_DCM_RAW_INT32,
  CH_DCM_RAW_FLOAT64,
} ChDcmRawType;

GQuark ch_dcm_error_quark (void);

/* Returns: (transfer full) (nullable): the parsed file, or NULL with @error
 * set (CH_DCM_ERROR_IO, CH_DCM_ERROR_INVALID). Pixel data is not decoded. */
ChDcm *ch_dcm_open_file (const char *path,
                         GError    **error);

/* As ch_dcm_open_file(), from @size bytes at @data (copied). */
ChDcm *ch_dcm_open_memory (const void *data,
                           gsize       size,
                           GError    **error);

void ch_dcm_free (ChDcm *dcm);

/* Returns: (transfer none): the metadata, valid as long as @dcm. */
const ChDcmInfo *ch_dcm_get_info (ChDcm *dcm);

/* Checks that @dcm holds an image this build can decode and whose size is
 * within the cap, without decoding it. Sets CH_DCM_ERROR_NO_PIXELS,
 * CH_DCM_ERROR_UNSUPPORTED (naming the transfer syntax) or
 * CH_DCM_ERROR_TOO_LARGE. */
gboolean ch_dcm_check_decodable (ChDcm   *dcm,
                                 GError **error);

/* Renders @frame (from 0) for display, 8 bits a sample: 1 channel (gray,
 * MONOCHROME1 already inverted) or 3 (RGB), rows of @width × channels bytes.
 * With @use_preset the file's first window preset is used, else @center and
 * @width; with no preset, or a @width ≤ 0, the frame's own minimum and
 * maximum. Colour images ignore the window.
 *
 * Returns: (transfer full) (nullable): g_free() it; NULL with @error set. */
guint8 *ch_dcm_render_frame (ChDcm    *dcm,
                             guint     frame,
                             double    center,
                             double    width,
                             gboolean  use_preset,
                             guint    *out_width,
                             guint    *out_height,
                             guint    *out_channels,
                             GError  **error);

/* The values of @frame after the modality LUT (rescale slope and intercept),
 * rows × columns × samples of them, samples interleaved (colour converted
 * to RGB). *out_type says whether they are gint32 or double.
 *
 * Returns: (transfer full) (nullable): g_free() it; NULL with @error set. */
void *ch_dcm_get_frame_raw (ChDcm        *dcm,
                            guint         frame,
                            ChDcmRawType *out_type,
                            gsize        *out_n_values,
                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDcm, ch_dcm_free)

G_END_DECLS
