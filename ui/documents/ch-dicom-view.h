/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-dcm.h"

G_BEGIN_DECLS

/* A DICOM viewer: one image (a slice of a series, a frame of a multi-frame
 * file) on black, with the patient, study and window in the corners and a
 * compact toolbar above: window presets, the mouse tool (window/level, pan,
 * measure), invert, zoom, cine and a slice or frame slider.
 *
 * Files are parsed and decoded on the view's own worker thread, one job at
 * a time; the main thread only re-windows cached modality values and uploads
 * textures. Neighbouring slices are decoded ahead into a bounded cache.
 *
 * Mouse: in window/level mode a primary drag changes the width by the
 * horizontal motion and the center by the vertical motion, each pixel of
 * motion CH_DICOM_VIEW_WL_FACTOR (1/256) of the width as it was when the
 * drag began, or of 10 when that is narrower (right = wider, down = higher
 * center, so the image darkens, as most viewers do): 256 px doubles a
 * width. The right
 * button does window/level in any mode, the middle button pans, the wheel
 * steps through slices and Ctrl+wheel zooms about the pointer. In measure
 * mode a drag draws a distance in millimetres from PixelSpacing. */

#define CH_DICOM_VIEW_WL_FACTOR (1.0 / 256.0)

#define CH_TYPE_DICOM_VIEW (ch_dicom_view_get_type ())
G_DECLARE_FINAL_TYPE (ChDicomView, ch_dicom_view, CH, DICOM_VIEW, GtkWidget)

typedef enum
{
  CH_DICOM_TOOL_WINDOW,
  CH_DICOM_TOOL_PAN,
  CH_DICOM_TOOL_MEASURE,
} ChDicomTool;

GtkWidget       *ch_dicom_view_new               (void);
/* @instances: (element-type GBytes) (transfer none): the files, in display
 * order (sorted by instance number, else slice location, when every one has
 * it); the view keeps its own references to the GBytes, and the caller may
 * change the array afterwards. Emits ChDicomView::loaded when the first
 * image is shown or cannot be. */
void             ch_dicom_view_set_series        (ChDicomView *self,
                                                  GPtrArray   *instances);
/* Returns: (transfer none) (nullable): why nothing is shown (CH_DCM_ERROR) */
const GError    *ch_dicom_view_get_error         (ChDicomView *self);
gboolean         ch_dicom_view_get_loading       (ChDicomView *self);
/* Returns: (transfer none) (nullable): the current slice's metadata */
const ChDcmInfo *ch_dicom_view_get_info          (ChDicomView *self);

guint            ch_dicom_view_get_n_slices      (ChDicomView *self);
guint            ch_dicom_view_get_slice         (ChDicomView *self);
void             ch_dicom_view_set_slice         (ChDicomView *self,
                                                  guint        slice);
guint            ch_dicom_view_get_n_frames      (ChDicomView *self);
guint            ch_dicom_view_get_frame         (ChDicomView *self);
void             ch_dicom_view_set_frame         (ChDicomView *self,
                                                  guint        frame);

void             ch_dicom_view_get_window        (ChDicomView *self,
                                                  double      *center,
                                                  double      *width);
void             ch_dicom_view_set_window        (ChDicomView *self,
                                                  double       center,
                                                  double       width);
/* @index: one of the file's presets, or the number of them for the full
 * range of the values. */
void             ch_dicom_view_apply_preset      (ChDicomView *self,
                                                  guint        index);
gboolean         ch_dicom_view_get_invert        (ChDicomView *self);
void             ch_dicom_view_set_invert        (ChDicomView *self,
                                                  gboolean     invert);
/* Screen pixels per image pixel; 0 in set_zoom() fits the image. */
double           ch_dicom_view_get_zoom          (ChDicomView *self);
void             ch_dicom_view_set_zoom          (ChDicomView *self,
                                                  double       zoom);
/* The offset of the image's centre from the view's, in screen pixels. */
void             ch_dicom_view_get_pan           (ChDicomView *self,
                                                  double      *x,
                                                  double      *y);
void             ch_dicom_view_set_pan           (ChDicomView *self,
                                                  double       x,
                                                  double       y);
ChDicomTool      ch_dicom_view_get_tool          (ChDicomView *self);
void             ch_dicom_view_set_tool          (ChDicomView *self,
                                                  ChDicomTool  tool);
gboolean         ch_dicom_view_get_cine_playing  (ChDicomView *self);
void             ch_dicom_view_set_cine_playing  (ChDicomView *self,
                                                  gboolean     playing);
double           ch_dicom_view_get_cine_fps      (ChDicomView *self);
void             ch_dicom_view_set_cine_fps      (ChDicomView *self,
                                                  double       fps);
/* The distance between two points in image pixel coordinates: in mm from
 * PixelSpacing (*@in_mm TRUE), else in pixels. It becomes the measurement
 * shown. */
double           ch_dicom_view_measure           (ChDicomView *self,
                                                  double       x0,
                                                  double       y0,
                                                  double       x1,
                                                  double       y1,
                                                  gboolean    *in_mm);
/* Returns: the measurement shown (in mm when *@in_mm), or -1 when none */
double           ch_dicom_view_get_measurement   (ChDicomView *self,
                                                  gboolean    *in_mm);

/* For tests: a window/level drag by (@dx, @dy) screen pixels, through the
 * code a pointer drag runs. */
void             ch_dicom_view_drag_window_for_testing (ChDicomView *self,
                                                        double       dx,
                                                        double       dy);
/* Returns: (transfer none) (nullable): the shown 8-bit image as it is
 * uploaded, rows of @width × @channels bytes; @channels is 4, each pixel
 * one GDK_MEMORY_DEFAULT word (B, G, R, A bytes on a little-endian host;
 * grey images have B = G = R) */
const guint8    *ch_dicom_view_get_pixels_for_testing  (ChDicomView *self,
                                                        guint       *width,
                                                        guint       *height,
                                                        guint       *channels);
/* Whether the current slice's image is decoded and shown (not pending on
 * the worker). */
gboolean         ch_dicom_view_is_ready_for_testing    (ChDicomView *self);

G_END_DECLS
