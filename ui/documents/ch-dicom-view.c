/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-dicom-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ch-dicom-view.h"

/* How many slices (or frames) on each side of the shown one are decoded
 * ahead and kept. */
#define CACHE_RADIUS   16
#define ZOOM_STEP      1.25
#define ZOOM_MIN       0.05
#define ZOOM_MAX       32.0
#define WL_MIN_WIDTH   1.0
/* A window/level drag never moves by less than this many values a pixel. */
#define WL_MIN_STEP    (10.0 * CH_DICOM_VIEW_WL_FACTOR)
/* Raw integer ranges up to this many values are windowed through a table. */
#define LUT_MAX        (1 << 20)

/* ---- metadata, copied out of the ChDcm so that it crosses threads -------- */

typedef struct
{
  ChDcmInfo    info;
  GPtrArray   *strings;
  ChDcmWindow *windows;
} Info;

static const char *
keep (Info       *copy,
      const char *s)
{
  char *dup;

  if (s == NULL)
    return NULL;
  dup = g_strdup (s);
  g_ptr_array_add (copy->strings, dup);
  return dup;
}

static void
info_clear (Info *copy)
{
  g_ptr_array_unref (copy->strings);
  g_free (copy->windows);
}

static Info *
info_new (const ChDcmInfo *info)
{
  Info *copy = g_atomic_rc_box_new0 (Info);
  ChDcmInfo *c = &copy->info;

  copy->strings = g_ptr_array_new_with_free_func (g_free);
  *c = *info;
  c->patient_name = keep (copy, info->patient_name);
  c->patient_id = keep (copy, info->patient_id);
  c->patient_birth_date = keep (copy, info->patient_birth_date);
  c->patient_sex = keep (copy, info->patient_sex);
  c->study_instance_uid = keep (copy, info->study_instance_uid);
  c->series_instance_uid = keep (copy, info->series_instance_uid);
  c->sop_instance_uid = keep (copy, info->sop_instance_uid);
  c->sop_class_uid = keep (copy, info->sop_class_uid);
  c->study_date = keep (copy, info->study_date);
  c->study_time = keep (copy, info->study_time);
  c->study_description = keep (copy, info->study_description);
  c->series_description = keep (copy, info->series_description);
  c->modality = keep (copy, info->modality);
  c->photometric_interpretation = keep (copy, info->photometric_interpretation);
  c->transfer_syntax_uid = keep (copy, info->transfer_syntax_uid);
  c->transfer_syntax_name = keep (copy, info->transfer_syntax_name);
  copy->windows = g_new0 (ChDcmWindow, MAX (info->n_windows, 1));
  for (guint i = 0; i < info->n_windows; i++)
    {
      copy->windows[i] = info->windows[i];
      copy->windows[i].explanation = keep (copy, info->windows[i].explanation);
    }
  c->windows = copy->windows;
  return copy;
}

static void
info_unref (Info *copy)
{
  g_atomic_rc_box_release_full (copy, (GDestroyNotify) info_clear);
}

/* ---- the worker ---------------------------------------------------------- */

typedef enum
{
  JOB_SORT,
  JOB_IMAGE,
} JobKind;

typedef struct
{
  JobKind    kind;
  guint      generation;
  guint      slice;
  guint      frame;
  GBytes    *bytes;       /* JOB_IMAGE */
  GPtrArray *instances;   /* JOB_SORT, of GBytes */
} Job;

typedef struct _Shared Shared;

typedef struct
{
  Shared      *shared;
  JobKind      kind;
  guint        generation;
  guint        slice;
  guint        frame;
  GError      *error;
  Info        *info;
  guint        width, height, channels;
  ChDcmRawType raw_type;
  gpointer     raw;       /* mono: modality values; colour: 8-bit RGB */
  double       min, max;
  guint       *order;     /* JOB_SORT */
} Result;

/* What the view and its worker thread share; the worker holds a reference
 * of its own, so the view may go while a decode runs. */
struct _Shared
{
  GMutex        lock;
  GCond         cond;
  GQueue        jobs;       /* of Job, under lock */
  gboolean      cancelled;  /* under lock */
  GMainContext *context;
  ChDicomView  *view;       /* main thread only; NULL once disposed */
};

static Shared *
shared_new (void)
{
  Shared *shared = g_atomic_rc_box_new0 (Shared);

  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  g_queue_init (&shared->jobs);
  shared->context = g_main_context_ref_thread_default ();
  return shared;
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_pointer (&job->instances, g_ptr_array_unref);
  g_free (job);
}

static void
shared_clear (Shared *shared)
{
  g_queue_clear_full (&shared->jobs, (GDestroyNotify) job_free);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
  g_main_context_unref (shared->context);
}

static Shared *
shared_ref (Shared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) shared_clear);
}

static void
result_free (Result *result)
{
  g_clear_error (&result->error);
  g_clear_pointer (&result->info, info_unref);
  g_free (result->raw);
  g_free (result->order);
  shared_unref (result->shared);
  g_free (result);
}

/* The ChDcm of a multi-frame file stays open on the worker, its pixel data
 * decoded, while its frames are asked for. */
typedef struct
{
  guint  generation;
  guint  slice;
  ChDcm *dcm;
} OpenFile;

typedef struct
{
  guint slice;
  int   instance;
  double location;
} SortKey;

static int
compare_instance (gconstpointer a,
                  gconstpointer b)
{
  const SortKey *x = a, *y = b;

  if (x->instance != y->instance)
    return x->instance < y->instance ? -1 : 1;
  return x->slice < y->slice ? -1 : x->slice > y->slice;
}

static int
compare_location (gconstpointer a,
                  gconstpointer b)
{
  const SortKey *x = a, *y = b;

  if (x->location != y->location)
    return x->location < y->location ? -1 : 1;
  return x->slice < y->slice ? -1 : x->slice > y->slice;
}

/* The display order: by instance number when every file has one, else by
 * slice location when every file has one, else as given. */
static void
run_sort (Job    *job,
          Result *result)
{
  guint n = job->instances->len;
  g_autofree SortKey *keys = g_new0 (SortKey, n);
  gboolean all_instance = TRUE, all_location = TRUE;

  for (guint i = 0; i < n; i++)
    {
      GBytes *bytes = job->instances->pdata[i];
      gsize size;
      const void *data = g_bytes_get_data (bytes, &size);
      g_autoptr (ChDcm) dcm = ch_dcm_open_memory (data, size, NULL);
      const ChDcmInfo *info = dcm != NULL ? ch_dcm_get_info (dcm) : NULL;

      keys[i].slice = i;
      if (info != NULL && info->has_instance_number)
        keys[i].instance = info->instance_number;
      else
        all_instance = FALSE;
      if (info != NULL && info->has_slice_location)
        keys[i].location = info->slice_location;
      else
        all_location = FALSE;
    }
  if (all_instance)
    qsort (keys, n, sizeof (SortKey), compare_instance);
  else if (all_location)
    qsort (keys, n, sizeof (SortKey), compare_location);
  result->order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    result->order[i] = keys[i].slice;
}

static ChDcm *
open_file (OpenFile *open,
           Job      *job,
           GError  **error)
{
  gsize size;
  const void *data;

  if (open->dcm != NULL && open->generation == job->generation && open->slice == job->slice)
    return open->dcm;
  g_clear_pointer (&open->dcm, ch_dcm_free);
  data = g_bytes_get_data (job->bytes, &size);
  open->dcm = ch_dcm_open_memory (data, size, error);
  open->generation = job->generation;
  open->slice = job->slice;
  return open->dcm;
}

static void
run_image (OpenFile *open,
           Job      *job,
           Result   *result)
{
  ChDcm *dcm = open_file (open, job, &result->error);
  const ChDcmInfo *info;

  if (dcm == NULL)
    return;
  info = ch_dcm_get_info (dcm);
  result->info = info_new (info);
  if (!ch_dcm_check_decodable (dcm, &result->error))
    goto done;
  if (job->frame >= info->frames)
    {
      g_set_error (&result->error, CH_DCM_ERROR, CH_DCM_ERROR_FRAME,
                   _("The image has %u frames; there is no frame %u"), info->frames, job->frame + 1);
      goto done;
    }

  if (info->samples_per_pixel == 1)
    {
      gsize n = 0;

      result->raw = ch_dcm_get_frame_raw (dcm, job->frame, &result->raw_type, &n, &result->error);
      if (result->raw == NULL)
        goto done;
      if (n != (gsize) info->rows * info->columns)
        {
          g_clear_pointer (&result->raw, g_free);
          g_set_error (&result->error, CH_DCM_ERROR, CH_DCM_ERROR_DECODE,
                       _("The image’s pixel values are incomplete"));
          goto done;
        }
      result->width = info->columns;
      result->height = info->rows;
      result->channels = 1;
      if (result->raw_type == CH_DCM_RAW_INT32)
        {
          const gint32 *v = result->raw;
          gint32 lo = G_MAXINT32, hi = G_MININT32;

          for (gsize i = 0; i < n; i++)
            {
              lo = MIN (lo, v[i]);
              hi = MAX (hi, v[i]);
            }
          result->min = lo;
          result->max = hi;
        }
      else
        {
          const double *v = result->raw;
          double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

          for (gsize i = 0; i < n; i++)
            if (isfinite (v[i]))
              {
                lo = MIN (lo, v[i]);
                hi = MAX (hi, v[i]);
              }
          result->min = lo <= hi ? lo : 0;
          result->max = lo <= hi ? hi : 0;
        }
    }
  else
    {
      /* Colour: no window applies; DCMTK converts to RGB. */
      result->raw = ch_dcm_render_frame (dcm, job->frame, 0, 0, FALSE, &result->width,
                                         &result->height, &result->channels, &result->error);
      if (result->raw != NULL && result->channels != 3)
        {
          g_clear_pointer (&result->raw, g_free);
          g_set_error (&result->error, CH_DCM_ERROR, CH_DCM_ERROR_UNSUPPORTED,
                       _("Unsupported colour image"));
        }
    }

done:
  /* Only a multi-frame file is worth keeping decoded. */
  if (info->frames <= 1 || result->error != NULL)
    g_clear_pointer (&open->dcm, ch_dcm_free);
}

static gboolean result_deliver (gpointer data);

static gpointer
worker_main (gpointer data)
{
  Shared *shared = data;
  OpenFile open = { 0, };

  g_mutex_lock (&shared->lock);
  while (!shared->cancelled)
    {
      Job *job = g_queue_pop_head (&shared->jobs);
      Result *result;
      GSource *source;

      if (job == NULL)
        {
          g_cond_wait (&shared->cond, &shared->lock);
          continue;
        }
      g_mutex_unlock (&shared->lock);

      result = g_new0 (Result, 1);
      result->shared = shared_ref (shared);
      result->kind = job->kind;
      result->generation = job->generation;
      result->slice = job->slice;
      result->frame = job->frame;
      if (job->kind == JOB_SORT)
        run_sort (job, result);
      else
        run_image (&open, job, result);
      job_free (job);
      /* Always through a source: g_main_context_invoke() would run it
       * right here when the main context happens to be free. */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (source, "[ch-dicom-view] result");
      g_source_set_callback (source, result_deliver, result, (GDestroyNotify) result_free);
      g_source_attach (source, shared->context);
      g_source_unref (source);

      g_mutex_lock (&shared->lock);
    }
  g_mutex_unlock (&shared->lock);

  g_clear_pointer (&open.dcm, ch_dcm_free);
  shared_unref (shared);
  return NULL;
}

/* ---- the view ------------------------------------------------------------ */

typedef struct
{
  guint        slice;
  guint        frame;
  Info        *info;
  guint        width, height, channels;
  ChDcmRawType raw_type;
  gpointer     raw;
  double       min, max;
  guint32     *pixels;         /* GDK_MEMORY_DEFAULT (0xAARRGGBB words), opaque */
  guint        window_serial;  /* of the window pixels were made with */
  GdkTexture  *texture;
} Image;

typedef enum
{
  DRAG_NONE,
  DRAG_WINDOW,
  DRAG_PAN,
  DRAG_MEASURE,
} DragKind;

struct _ChDicomView
{
  GtkWidget     parent_instance;

  GtkWidget    *toolbar;
  GtkWidget    *preset_drop;
  GtkStringList *preset_list;
  GtkWidget    *fps_spin;
  GtkWidget    *fps_button;
  GtkWidget    *slider_row;
  GtkWidget    *play_button;
  GtkWidget    *slider;
  GtkWidget    *position_label;
  GtkWidget    *spinner;
  GtkWidget    *message;

  Shared       *shared;
  guint         generation;
  GPtrArray    *instances;     /* of GBytes, in display order once sorted */
  gboolean      sorted;
  gboolean      loading;
  GError       *error;         /* of the shown slice */
  GHashTable   *images;        /* key (slice, frame) → Image */
  GHashTable   *pending;       /* keys asked of the worker */
  GHashTable   *slice_errors;  /* slice → GError */
  guint        *n_frames;      /* per slice, 0 while unknown */
  Image        *shown;
  gint          direction;     /* of the last step, for reading ahead */

  guint         slice;
  guint         frame;

  double        center, width;
  gboolean      has_window;
  guint         window_serial;
  gboolean      invert;
  char         *tool;
  gboolean      fit;
  double        zoom;
  double        pan_x, pan_y;

  gboolean      cine_playing;
  double        cine_fps;
  guint         cine_source;

  DragKind      drag;
  double        drag_x, drag_y;
  double        drag_center, drag_width;
  double        drag_pan_x, drag_pan_y;
  double        pointer_x, pointer_y;

  gboolean      has_measure;
  guint         measure_slice;
  double        measure[4];
  double        measure_value;
  gboolean      measure_mm;

  gboolean      updating;      /* the toolbar, from the state */
};

G_DEFINE_FINAL_TYPE (ChDicomView, ch_dicom_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INVERT,
  PROP_TOOL,
  PROP_CINE_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define KEY(slice, frame) GSIZE_TO_POINTER (((gsize) (slice) << 20 | (frame)) + 1)

static void
image_free (Image *image)
{
  g_clear_pointer (&image->info, info_unref);
  g_free (image->raw);
  g_free (image->pixels);
  g_clear_object (&image->texture);
  g_free (image);
}

static Image *
lookup (ChDicomView *self,
        guint        slice,
        guint        frame)
{
  return g_hash_table_lookup (self->images, KEY (slice, frame));
}

/* ---- windowing ----------------------------------------------------------- */

static inline guint8
window_value (double x,
              double lo,
              double hi,
              double c,
              double w)
{
  double y;

  /* DICOM PS3.3 C.11.2.1.2.1, to 0…255. */
  if (x <= lo)
    return 0;
  if (x > hi)
    return 255;
  if (w <= 1)
    return 255;
  y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0;
  return (guint8) CLAMP (round (y), 0, 255);
}

static inline guint32
gray (guint8 v)
{
  return 0xff000000u | (guint32) v << 16 | (guint32) v << 8 | v;
}

/* Makes @image's 8-bit pixels from its values with the current window and
 * inversion. MONOCHROME1 is dark for high values. */
static void
image_window (ChDicomView *self,
              Image       *image)
{
  gsize n = (gsize) image->width * image->height;
  gboolean flip = self->invert;
  GBytes *bytes;

  if (image->pixels == NULL)
    image->pixels = g_new (guint32, n);

  if (image->channels == 3)
    {
      const guint8 *rgb = image->raw;

      for (gsize i = 0; i < n; i++)
        {
          guint8 r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];

          if (flip)
            r = 255 - r, g = 255 - g, b = 255 - b;
          image->pixels[i] = 0xff000000u | (guint32) r << 16 | (guint32) g << 8 | b;
        }
    }
  else
    {
      double c = self->center, w = MAX (self->width, WL_MIN_WIDTH);
      double lo = c - 0.5 - (w - 1) / 2, hi = c - 0.5 + (w - 1) / 2;
      double range = image->max - image->min + 1;

      if (g_strcmp0 (image->info->info.photometric_interpretation, "MONOCHROME1") == 0)
        flip = !flip;

      if (image->raw_type == CH_DCM_RAW_INT32 && range <= LUT_MAX && range <= 4.0 * n)
        {
          const gint32 *v = image->raw;
          gint32 base = (gint32) image->min;
          g_autofree guint32 *lut = g_new (guint32, (gsize) range);

          for (gsize k = 0; k < (gsize) range; k++)
            {
              guint8 y = window_value ((double) base + (double) k, lo, hi, c, w);

              lut[k] = gray (flip ? 255 - y : y);
            }
          for (gsize i = 0; i < n; i++)
            image->pixels[i] = lut[v[i] - base];
        }
      else if (image->raw_type == CH_DCM_RAW_INT32)
        {
          const gint32 *v = image->raw;

          for (gsize i = 0; i < n; i++)
            {
              guint8 y = window_value (v[i], lo, hi, c, w);

              image->pixels[i] = gray (flip ? 255 - y : y);
            }
        }
      else
        {
          const double *v = image->raw;

          for (gsize i = 0; i < n; i++)
            {
              guint8 y = isfinite (v[i]) ? window_value (v[i], lo, hi, c, w) : 0;

              image->pixels[i] = gray (flip ? 255 - y : y);
            }
        }
    }

  g_clear_object (&image->texture);
  bytes = g_bytes_new (image->pixels, n * 4);
  image->texture = gdk_memory_texture_new ((int) image->width, (int) image->height,
                                           GDK_MEMORY_DEFAULT, bytes,
                                           (gsize) image->width * 4);
  g_bytes_unref (bytes);
  image->window_serial = self->window_serial;
}

/* ---- state --------------------------------------------------------------- */

static void update_toolbar (ChDicomView *self);
static void update_presets (ChDicomView *self);
static void request_around (ChDicomView *self);

static guint
current_n_frames (ChDicomView *self)
{
  if (self->instances == NULL || self->slice >= self->instances->len)
    return 1;
  return MAX (self->n_frames[self->slice], 1);
}

static double
pixel_aspect (const Image *image)
{
  const ChDcmInfo *info = &image->info->info;

  if (info->has_pixel_spacing && info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0)
    return CLAMP (info->pixel_spacing[0] / info->pixel_spacing[1], 0.1, 10.0);
  return 1.0;
}

static void
image_area (ChDicomView     *self,
            graphene_rect_t *out)
{
  int top = gtk_widget_get_visible (self->toolbar) ? gtk_widget_get_height (self->toolbar) : 0;
  int bottom = gtk_widget_get_visible (self->slider_row) ? gtk_widget_get_height (self->slider_row) : 0;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  graphene_rect_init (out, 0, (float) top, (float) width, (float) MAX (height - top - bottom, 0));
}

static double
fit_zoom (ChDicomView *self)
{
  graphene_rect_t area;

  if (self->shown == NULL)
    return 1.0;
  image_area (self, &area);
  if (area.size.width < 1 || area.size.height < 1)
    return 1.0;
  return MIN (area.size.width / self->shown->width,
              area.size.height / (self->shown->height * pixel_aspect (self->shown)));
}

static double
effective_zoom (ChDicomView *self)
{
  return self->fit ? fit_zoom (self) : self->zoom;
}

/* Where @image is drawn, in widget coordinates. */
static void
image_rect (ChDicomView     *self,
            graphene_rect_t *out)
{
  graphene_rect_t area;
  double zoom = effective_zoom (self);
  double w, h;

  image_area (self, &area);
  w = self->shown->width * zoom;
  h = self->shown->height * zoom * pixel_aspect (self->shown);
  graphene_rect_init (out,
                      (float) (area.origin.x + area.size.width / 2 + self->pan_x - w / 2),
                      (float) (area.origin.y + area.size.height / 2 + self->pan_y - h / 2),
                      (float) w, (float) h);
}

static void
widget_to_image (ChDicomView *self,
                 double       x,
                 double       y,
                 double      *out_x,
                 double      *out_y)
{
  graphene_rect_t r;

  image_rect (self, &r);
  *out_x = (x - r.origin.x) / r.size.width * self->shown->width;
  *out_y = (y - r.origin.y) / r.size.height * self->shown->height;
}

static void
set_error (ChDicomView  *self,
           const GError *error)
{
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
}

/* Shows the current slice and frame if it is decoded, and asks for it and
 * its neighbours otherwise. */
static void
show_current (ChDicomView *self)
{
  Image *image;
  const GError *error;

  if (self->instances == NULL || !self->sorted)
    return;

  error = g_hash_table_lookup (self->slice_errors, GUINT_TO_POINTER (self->slice));
  image = lookup (self, self->slice, self->frame);
  if (error != NULL)
    {
      set_error (self, error);
      self->shown = NULL;
    }
  else if (image != NULL)
    {
      set_error (self, NULL);
      if (image->window_serial != self->window_serial || image->texture == NULL)
        image_window (self, image);
      self->shown = image;
    }

  request_around (self);
  update_toolbar (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
prune_image (gpointer key,
             gpointer value,
             gpointer data)
{
  ChDicomView *self = data;
  Image *image = value;
  guint ds = image->slice > self->slice ? image->slice - self->slice : self->slice - image->slice;
  guint base = image->slice == self->slice ? self->frame : 0;
  guint df = image->frame > base ? image->frame - base : base - image->frame;

  if (image == self->shown)
    return FALSE;
  return ds > CACHE_RADIUS || df > CACHE_RADIUS;
}

static void
request (ChDicomView *self,
         guint        slice,
         guint        frame)
{
  Job *job;

  if (lookup (self, slice, frame) != NULL ||
      g_hash_table_contains (self->pending, KEY (slice, frame)) ||
      g_hash_table_contains (self->slice_errors, GUINT_TO_POINTER (slice)))
    return;
  if (self->n_frames[slice] != 0 && frame >= self->n_frames[slice])
    return;
  job = g_new0 (Job, 1);
  job->kind = JOB_IMAGE;
  job->generation = self->generation;
  job->slice = slice;
  job->frame = frame;
  job->bytes = g_bytes_ref (self->instances->pdata[slice]);
  g_hash_table_add (self->pending, KEY (slice, frame));
  g_queue_push_tail (&self->shared->jobs, job);
}

/* Asks the worker for the current image first, then its neighbours in the
 * direction of travel, dropping what was asked for before and not started:
 * scrolling fast never queues up work for slices already left behind. */
static void
request_around (ChDicomView *self)
{
  guint n_slices = self->instances->len;
  guint n_frames = current_n_frames (self);
  gint ahead = self->direction >= 0 ? 1 : -1;
  Job *job;

  g_hash_table_foreach_remove (self->images, prune_image, self);

  g_mutex_lock (&self->shared->lock);
  while ((job = g_queue_pop_head (&self->shared->jobs)) != NULL)
    {
      g_hash_table_remove (self->pending, KEY (job->slice, job->frame));
      job_free (job);
    }

  request (self, self->slice, self->frame);
  /* This file's frames first: the worker keeps one multi-frame file
   * decoded, and going back and forth between files would decode each
   * again. */
  for (guint d = 1; d <= CACHE_RADIUS && n_frames > 1; d++)
    for (int side = 0; side < 2; side++)
      {
        gint f = (gint) self->frame + (side == 0 ? ahead : -ahead) * (gint) d;

        if (f >= 0 && (guint) f < n_frames)
          request (self, self->slice, (guint) f);
      }
  for (guint d = 1; d <= CACHE_RADIUS && n_slices > 1; d++)
    for (int side = 0; side < 2; side++)
      {
        gint s = (gint) self->slice + (side == 0 ? ahead : -ahead) * (gint) d;

        if (s >= 0 && (guint) s < n_slices)
          request (self, (guint) s, 0);
      }
  g_cond_signal (&self->shared->cond);
  g_mutex_unlock (&self->shared->lock);
}

/* Asks for one image (the one a cine loop goes to next) if it is not. */
static void
ensure_requested (ChDicomView *self,
                  guint        slice,
                  guint        frame)
{
  g_mutex_lock (&self->shared->lock);
  request (self, slice, frame);
  g_cond_signal (&self->shared->cond);
  g_mutex_unlock (&self->shared->lock);
}

static void
set_window_internal (ChDicomView *self,
                     double       center,
                     double       width)
{
  if (!isfinite (center) || !isfinite (width))
    return;
  width = MAX (width, WL_MIN_WIDTH);
  if (self->has_window && center == self->center && width == self->width)
    return;
  self->center = center;
  self->width = width;
  self->has_window = TRUE;
  self->window_serial++;
  if (self->shown != NULL)
    image_window (self, self->shown);
  /* A window of one's own is no preset; apply_preset() selects its own. */
  self->updating = TRUE;
  if (self->shown != NULL && self->shown->channels == 1)
    {
      update_presets (self);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset_drop),
                                  self->shown->info->info.n_windows + 1);
    }
  self->updating = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
full_range (const Image *image,
            double      *center,
            double      *width)
{
  *center = (image->min + image->max) / 2 + 0.5;
  *width = image->max - image->min + 1;
}

static void
update_presets (ChDicomView *self)
{
  const ChDcmInfo *info = self->shown != NULL ? &self->shown->info->info : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->preset_list));
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (info != NULL && info->samples_per_pixel == 1)
    {
      for (guint i = 0; i < info->n_windows; i++)
        {
          const ChDcmWindow *w = &info->windows[i];

          if (w->explanation != NULL)
            g_ptr_array_add (names, g_strdup_printf (_("%s (C %g W %g)"), w->explanation,
                                                     w->center, w->width));
          else
            g_ptr_array_add (names, g_strdup_printf (_("C %g W %g"), w->center, w->width));
        }
      g_ptr_array_add (names, g_strdup (_("Full range")));
      /* Selected while the window is one set by hand. */
      g_ptr_array_add (names, g_strdup (_("Custom")));
    }
  g_ptr_array_add (names, NULL);

  /* Rebuilt only when the presets differ, so that a selection survives
   * scrolling through a series. */
  if (n == names->len - 1)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < n && same; i++)
        same = g_str_equal (gtk_string_list_get_string (self->preset_list, i), names->pdata[i]);
      if (same)
        return;
    }
  gtk_string_list_splice (self->preset_list, 0, n, (const char *const *) names->pdata);
  gtk_widget_set_sensitive (self->preset_drop, names->len > 1);
}

static void
update_toolbar (ChDicomView *self)
{
  guint n_slices = self->instances != NULL ? self->instances->len : 0;
  guint n_frames = current_n_frames (self);
  GtkAdjustment *adjustment = gtk_range_get_adjustment (GTK_RANGE (self->slider));
  gboolean by_slice = n_slices > 1;
  guint n = by_slice ? n_slices : n_frames;
  guint at = by_slice ? self->slice : self->frame;
  g_autofree char *position = NULL;

  self->updating = TRUE;
  update_presets (self);
  gtk_widget_set_visible (self->slider_row, n > 1);
  gtk_adjustment_configure (adjustment, at, 0, MAX (n, 1) - 1, 1, 10, 0);
  position = g_strdup_printf (_("%u / %u"), at + 1, MAX (n, 1));
  gtk_label_set_text (GTK_LABEL (self->position_label), position);
  gtk_widget_set_sensitive (self->play_button, n > 1);
  gtk_widget_set_visible (self->spinner, self->loading || (self->shown == NULL && self->error == NULL &&
                                                           self->instances != NULL &&
                                                           self->instances->len > 0));
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), gtk_widget_get_visible (self->spinner));
  if (self->error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->error->message, -1);
      g_autofree char *markup = g_strdup_printf ("<b>%s</b>\n%s", _("This image cannot be shown"),
                                                 escaped);

      gtk_label_set_markup (GTK_LABEL (self->message), markup);
    }
  gtk_widget_set_visible (self->message, self->error != NULL);
  self->updating = FALSE;
}

static void
apply_initial_window (ChDicomView *self)
{
  const ChDcmInfo *info = &self->shown->info->info;

  if (info->n_windows > 0)
    ch_dicom_view_apply_preset (self, 0);
  else
    ch_dicom_view_apply_preset (self, info->n_windows);
}

static void
finish_loading (ChDicomView *self,
                gboolean     success)
{
  if (!self->loading)
    return;
  self->loading = FALSE;
  update_toolbar (self);
  g_signal_emit (self, signals[LOADED], 0, success);
}

static gboolean
result_deliver (gpointer data)
{
  Result *result = data;
  ChDicomView *self = result->shared->view;
  Image *image;

  if (self == NULL || result->generation != self->generation)
    return G_SOURCE_REMOVE;

  if (result->kind == JOB_SORT)
    {
      g_autoptr (GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

      for (guint i = 0; i < self->instances->len; i++)
        g_ptr_array_add (sorted, g_bytes_ref (self->instances->pdata[result->order[i]]));
      g_ptr_array_unref (self->instances);
      self->instances = g_steal_pointer (&sorted);
      self->sorted = TRUE;
      show_current (self);
      return G_SOURCE_REMOVE;
    }

  g_hash_table_remove (self->pending, KEY (result->slice, result->frame));
  if (result->info != NULL)
    self->n_frames[result->slice] = MAX (result->info->info.frames, 1);

  if (result->error != NULL)
    {
      if (!g_hash_table_contains (self->slice_errors, GUINT_TO_POINTER (result->slice)))
        g_hash_table_insert (self->slice_errors, GUINT_TO_POINTER (result->slice),
                             g_error_copy (result->error));
      if (result->slice == self->slice)
        {
          show_current (self);
          finish_loading (self, FALSE);
        }
      return G_SOURCE_REMOVE;
    }

  image = g_new0 (Image, 1);
  image->slice = result->slice;
  image->frame = result->frame;
  image->info = g_steal_pointer (&result->info);
  image->width = result->width;
  image->height = result->height;
  image->channels = result->channels;
  image->raw_type = result->raw_type;
  image->raw = g_steal_pointer (&result->raw);
  image->min = result->min;
  image->max = result->max;
  g_hash_table_replace (self->images, KEY (image->slice, image->frame), image);

  if (image->slice == self->slice && image->frame == self->frame)
    {
      if (!self->has_window && image->channels == 1)
        {
          self->shown = image;
          apply_initial_window (self);
        }
      show_current (self);
      finish_loading (self, TRUE);
    }
  else
    /* Windowed now, while idle, so that stepping to it only uploads. */
    image_window (self, image);
  return G_SOURCE_REMOVE;
}

/* ---- drawing ------------------------------------------------------------- */

static void
draw_text (ChDicomView *self,
           GtkSnapshot *snapshot,
           const char  *text,
           float        x,
           float        y,
           float        right,
           float        bottom,
           gboolean     align_right,
           gboolean     align_bottom)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  static const GdkRGBA shadow = { 0, 0, 0, 0.9 };
  static const GdkRGBA fg = { 0.93, 0.93, 0.87, 1 };
  PangoAttrList *attrs = pango_attr_list_new ();
  int w, h;
  float px, py;

  pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_alignment (layout, align_right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_get_pixel_size (layout, &w, &h);
  px = align_right ? right - w : x;
  py = align_bottom ? bottom - h : y;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (px + 1, py + 1));
  gtk_snapshot_append_layout (snapshot, layout, &shadow);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-1, -1));
  gtk_snapshot_append_layout (snapshot, layout, &fg);
  gtk_snapshot_restore (snapshot);
}

static char *
format_date (const char *date)
{
  if (date != NULL && strlen (date) == 8 && g_ascii_isdigit (date[0]))
    return g_strdup_printf ("%.4s-%.2s-%.2s", date, date + 4, date + 6);
  return g_strdup (date != NULL ? date : "");
}

/* A DICOM person name (Family^Given^Middle^Prefix^Suffix, then other
 * representations after '=') as people write it: "Family, Given Middle". */
static char *
format_person_name (const char *name)
{
  g_autofree char *alphabetic = g_strndup (name, strcspn (name, "="));
  g_auto (GStrv) parts = g_strsplit (alphabetic, "^", 5);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, i == 1 && *parts[0] != '\0' ? ", " : " ");
      g_string_append (out, parts[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
format_measure (double   value,
                gboolean in_mm)
{
  return in_mm ? g_strdup_printf (_("%.2f mm"), value) : g_strdup_printf (_("%.2f px"), value);
}

static void
draw_overlay (ChDicomView           *self,
              GtkSnapshot           *snapshot,
              const graphene_rect_t *area)
{
  const ChDcmInfo *info = &self->shown->info->info;
  float l = area->origin.x + 8, t = area->origin.y + 6;
  float r = area->origin.x + area->size.width - 8, b = area->origin.y + area->size.height - 6;
  g_autoptr (GString) tl = g_string_new (NULL);
  g_autoptr (GString) tr = g_string_new (NULL);
  g_autoptr (GString) bl = g_string_new (NULL);
  g_autoptr (GString) br = g_string_new (NULL);
  g_autofree char *date = format_date (info->study_date);
  guint n_frames = current_n_frames (self);

  if (info->patient_name != NULL)
    {
      g_autofree char *name = format_person_name (info->patient_name);

      g_string_append (tl, name);
    }
  else
    g_string_append (tl, _("(no name)"));
  if (info->patient_id != NULL)
    g_string_append_printf (tl, "\n%s", info->patient_id);

  g_string_append (tr, date);
  if (info->modality != NULL)
    g_string_append_printf (tr, "%s%s", tr->len > 0 ? "\n" : "", info->modality);
  if (info->series_description != NULL)
    g_string_append_printf (tr, "%s%s", tr->len > 0 ? "\n" : "", info->series_description);

  if (self->instances->len > 1)
    g_string_append_printf (bl, _("Image %u / %u"), self->slice + 1, self->instances->len);
  if (n_frames > 1)
    {
      if (bl->len > 0)
        g_string_append_c (bl, '\n');
      g_string_append_printf (bl, _("Frame %u / %u"), self->frame + 1, n_frames);
    }

  if (self->shown->channels == 1)
    /* Translators: the window center and width, as radiologists abbreviate them */
    g_string_append_printf (br, _("C %g W %g"), round (self->center * 10) / 10,
                            round (self->width * 10) / 10);
  if (self->invert)
    g_string_append_printf (br, "%s%s", br->len > 0 ? "  " : "", _("Inverted"));
  g_string_append_printf (br, "%s", br->len > 0 ? "\n" : "");
  g_string_append_printf (br, _("Zoom %.0f%%"), effective_zoom (self) * 100);

  draw_text (self, snapshot, tl->str, l, t, r, b, FALSE, FALSE);
  draw_text (self, snapshot, tr->str, l, t, r, b, TRUE, FALSE);
  if (bl->len > 0)
    draw_text (self, snapshot, bl->str, l, t, r, b, FALSE, TRUE);
  draw_text (self, snapshot, br->str, l, t, r, b, TRUE, TRUE);
}

static void
draw_measure (ChDicomView           *self,
              GtkSnapshot           *snapshot,
              const graphene_rect_t *rect)
{
  static const GdkRGBA line_color = { 1.0, 0.85, 0.2, 1 };
  double sx = rect->size.width / self->shown->width, sy = rect->size.height / self->shown->height;
  float x0 = (float) (rect->origin.x + self->measure[0] * sx);
  float y0 = (float) (rect->origin.y + self->measure[1] * sy);
  float x1 = (float) (rect->origin.x + self->measure[2] * sx);
  float y1 = (float) (rect->origin.y + self->measure[3] * sy);
  g_autofree char *label = format_measure (self->measure_value, self->measure_mm);
  cairo_t *cr;
  graphene_rect_t bounds;

  graphene_rect_init (&bounds, MIN (x0, x1) - 6, MIN (y0, y1) - 6, fabsf (x1 - x0) + 12,
                      fabsf (y1 - y0) + 12);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_width (cr, 1.5);
  cairo_set_source_rgba (cr, line_color.red, line_color.green, line_color.blue, 1);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
  cairo_arc (cr, x0, y0, 3, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_arc (cr, x1, y1, 3, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_destroy (cr);

  draw_text (self, snapshot, label, x1 + 8, y1 + 4, 0, 0, FALSE, FALSE);
}

static void
ch_dicom_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);
  static const GdkRGBA black = { 0, 0, 0, 1 };
  graphene_rect_t area;

  image_area (self, &area);
  gtk_snapshot_append_color (snapshot, &black, &area);

  if (self->shown != NULL && self->shown->texture != NULL)
    {
      graphene_rect_t rect;

      image_rect (self, &rect);
      gtk_snapshot_push_clip (snapshot, &area);
      gtk_snapshot_append_texture (snapshot, self->shown->texture, &rect);
      if (self->has_measure && self->measure_slice == self->slice)
        draw_measure (self, snapshot, &rect);
      draw_overlay (self, snapshot, &area);
      gtk_snapshot_pop (snapshot);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_snapshot_child (widget, child, snapshot);
}

/* ---- layout -------------------------------------------------------------- */

static void
ch_dicom_view_measure_size (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);
  int tmin = 0, tnat = 0, smin = 0, snat = 0;

  gtk_widget_measure (self->toolbar, orientation, -1, &tmin, &tnat, NULL, NULL);
  if (gtk_widget_get_visible (self->slider_row))
    gtk_widget_measure (self->slider_row, orientation, -1, &smin, &snat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (MAX (tmin, smin), 200);
      *natural = MAX (MAX (tnat, snat), 512);
    }
  else
    {
      *minimum = tmin + smin + 200;
      *natural = tnat + snat + 512;
    }
}

static void
ch_dicom_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);
  int th = 0, mw = 0, mh = 0, sw = 32, image_top, image_height, msg_width;

  gtk_widget_measure (self->toolbar, GTK_ORIENTATION_VERTICAL, width, NULL, &th, NULL, NULL);
  gtk_widget_size_allocate (self->toolbar, &(GtkAllocation) { 0, 0, width, th }, -1);
  image_top = th;
  image_height = MAX (height - th, 0);
  if (gtk_widget_get_visible (self->slider_row))
    {
      int sh = 0;

      gtk_widget_measure (self->slider_row, GTK_ORIENTATION_VERTICAL, width, NULL, &sh, NULL, NULL);
      sh = MIN (sh, image_height);
      gtk_widget_size_allocate (self->slider_row, &(GtkAllocation) { 0, height - sh, width, sh }, -1);
      image_height -= sh;
    }

  gtk_widget_measure (self->spinner, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
  gtk_widget_size_allocate (self->spinner,
                            &(GtkAllocation) { (width - sw) / 2, image_top + (image_height - sw) / 2,
                                               sw, sw }, -1);

  msg_width = MAX (MIN (width - 48, 520), 1);
  gtk_widget_measure (self->message, GTK_ORIENTATION_HORIZONTAL, -1, &mw, NULL, NULL, NULL);
  msg_width = MAX (msg_width, mw);
  gtk_widget_measure (self->message, GTK_ORIENTATION_VERTICAL, msg_width, &mh, NULL, NULL, NULL);
  gtk_widget_size_allocate (self->message,
                            &(GtkAllocation) { (width - msg_width) / 2,
                                               image_top + (image_height - mh) / 2, msg_width, mh },
                            -1);
}

/* ---- interaction --------------------------------------------------------- */

static void
drag_window (ChDicomView *self,
             double       center0,
             double       width0,
             double       dx,
             double       dy)
{
  double step = MAX (width0 * CH_DICOM_VIEW_WL_FACTOR, WL_MIN_STEP);

  set_window_internal (self, center0 + dy * step, width0 + dx * step);
}

void
ch_dicom_view_drag_window_for_testing (ChDicomView *self,
                                       double       dx,
                                       double       dy)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  drag_window (self, self->center, self->width, dx, dy);
}

static void
zoom_about (ChDicomView *self,
            double       zoom,
            double       x,
            double       y)
{
  graphene_rect_t area;
  double z0 = effective_zoom (self), cx, cy;

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  image_area (self, &area);
  cx = area.origin.x + area.size.width / 2;
  cy = area.origin.y + area.size.height / 2;
  /* The image point under (x, y) stays there. */
  self->pan_x = (x - cx) - (x - cx - self->pan_x) * (zoom / z0);
  self->pan_y = (y - cy) - (y - cy - self->pan_y) * (zoom / z0);
  self->zoom = zoom;
  self->fit = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_begin (GtkGestureDrag *gesture,
            double          x,
            double          y,
            ChDicomView    *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  graphene_rect_t area;

  image_area (self, &area);
  if (self->shown == NULL || !graphene_rect_contains_point (&area, &GRAPHENE_POINT_INIT ((float) x, (float) y)))
    {
      self->drag = DRAG_NONE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self));

  if (button == GDK_BUTTON_SECONDARY)
    self->drag = DRAG_WINDOW;
  else if (button == GDK_BUTTON_MIDDLE)
    self->drag = DRAG_PAN;
  else if (g_strcmp0 (self->tool, "pan") == 0)
    self->drag = DRAG_PAN;
  else if (g_strcmp0 (self->tool, "measure") == 0)
    self->drag = DRAG_MEASURE;
  else
    self->drag = DRAG_WINDOW;
  if (self->drag == DRAG_WINDOW && self->shown->channels != 1)
    self->drag = DRAG_NONE;

  self->drag_x = x;
  self->drag_y = y;
  self->drag_center = self->center;
  self->drag_width = self->width;
  self->drag_pan_x = self->pan_x;
  self->drag_pan_y = self->pan_y;
  if (self->drag == DRAG_MEASURE)
    {
      double ix, iy;

      widget_to_image (self, x, y, &ix, &iy);
      ch_dicom_view_measure (self, ix, iy, ix, iy, NULL);
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             ChDicomView    *self)
{
  if (self->shown == NULL)
    return;
  switch (self->drag)
    {
    case DRAG_WINDOW:
      drag_window (self, self->drag_center, self->drag_width, dx, dy);
      break;
    case DRAG_PAN:
      if (self->fit)
        {
          self->zoom = fit_zoom (self);
          self->fit = FALSE;
        }
      self->pan_x = self->drag_pan_x + dx;
      self->pan_y = self->drag_pan_y + dy;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_MEASURE:
      {
        double ix, iy;

        widget_to_image (self, self->drag_x + dx, self->drag_y + dy, &ix, &iy);
        ch_dicom_view_measure (self, self->measure[0], self->measure[1], ix, iy, NULL);
      }
      break;
    case DRAG_NONE:
    default:
      break;
    }
}

static void
drag_end (GtkGestureDrag *gesture,
          double          dx,
          double          dy,
          ChDicomView    *self)
{
  self->drag = DRAG_NONE;
}

static void
step_slice (ChDicomView *self,
            gint         delta)
{
  guint n = self->instances != NULL ? self->instances->len : 0;
  gint s;

  if (n <= 1)
    {
      gint f = CLAMP ((gint) self->frame + delta, 0, (gint) current_n_frames (self) - 1);

      ch_dicom_view_set_frame (self, (guint) f);
      return;
    }
  s = CLAMP ((gint) self->slice + delta, 0, (gint) n - 1);
  ch_dicom_view_set_slice (self, (guint) s);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           ChDicomView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (self->shown == NULL || dy == 0)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    zoom_about (self, effective_zoom (self) * (dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP),
                self->pointer_x, self->pointer_y);
  else
    step_slice (self, dy > 0 ? 1 : -1);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           ChDicomView              *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static gboolean
cine_tick (gpointer data)
{
  ChDicomView *self = data;
  guint n_frames = current_n_frames (self);
  guint n_slices = self->instances != NULL ? self->instances->len : 0;

  /* A step waits for its image rather than skip it. */
  if (n_frames > 1)
    {
      guint next = (self->frame + 1) % n_frames;

      if (lookup (self, self->slice, next) != NULL)
        ch_dicom_view_set_frame (self, next);
      else
        ensure_requested (self, self->slice, next);
    }
  else if (n_slices > 1)
    {
      guint next = (self->slice + 1) % n_slices;

      self->direction = 1;
      if (lookup (self, next, 0) != NULL ||
          g_hash_table_contains (self->slice_errors, GUINT_TO_POINTER (next)))
        ch_dicom_view_set_slice (self, next);
      else
        ensure_requested (self, next, 0);
    }
  return G_SOURCE_CONTINUE;
}

static void
restart_cine (ChDicomView *self)
{
  g_clear_handle_id (&self->cine_source, g_source_remove);
  if (self->cine_playing)
    self->cine_source = g_timeout_add ((guint) MAX (1000.0 / self->cine_fps, 1), cine_tick, self);
}

/* ---- actions ------------------------------------------------------------- */

static void
action_step (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);

  if (g_str_equal (name, "dicom.next-slice"))
    step_slice (self, 1);
  else if (g_str_equal (name, "dicom.previous-slice"))
    step_slice (self, -1);
  else if (g_str_equal (name, "dicom.next-frame"))
    ch_dicom_view_set_frame (self, MIN (self->frame + 1, current_n_frames (self) - 1));
  else if (g_str_equal (name, "dicom.previous-frame"))
    ch_dicom_view_set_frame (self, self->frame > 0 ? self->frame - 1 : 0);
}

static void
action_zoom (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);

  if (g_str_equal (name, "dicom.zoom-in"))
    ch_dicom_view_set_zoom (self, effective_zoom (self) * ZOOM_STEP);
  else if (g_str_equal (name, "dicom.zoom-out"))
    ch_dicom_view_set_zoom (self, effective_zoom (self) / ZOOM_STEP);
  else
    ch_dicom_view_set_zoom (self, 0);
}

static void
action_reset (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  ChDicomView *self = CH_DICOM_VIEW (widget);

  if (self->shown != NULL)
    apply_initial_window (self);
  ch_dicom_view_set_zoom (self, 0);
  self->has_measure = FALSE;
  gtk_widget_queue_draw (widget);
}

static void
action_preset (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  gint32 index = g_variant_get_int32 (parameter);

  if (index >= 0)
    ch_dicom_view_apply_preset (CH_DICOM_VIEW (widget), (guint) index);
}

static void
on_preset_selected (GObject     *drop,
                    GParamSpec  *pspec,
                    ChDicomView *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (drop));

  if (self->updating || selected == GTK_INVALID_LIST_POSITION || self->shown == NULL)
    return;
  /* The last item, "Custom", keeps the window as it is. */
  if (selected <= self->shown->info->info.n_windows)
    ch_dicom_view_apply_preset (self, selected);
}

static void
on_slider_changed (GtkRange    *range,
                   ChDicomView *self)
{
  guint value = (guint) round (gtk_range_get_value (range));

  if (self->updating)
    return;
  if (self->instances != NULL && self->instances->len > 1)
    ch_dicom_view_set_slice (self, value);
  else
    ch_dicom_view_set_frame (self, value);
}

static void
on_fps_changed (GtkSpinButton *spin,
                ChDicomView   *self)
{
  ch_dicom_view_set_cine_fps (self, gtk_spin_button_get_value (spin));
}

/* ---- construction -------------------------------------------------------- */

static void
update_fps_label (ChDicomView *self)
{
  g_autofree char *text = g_strdup_printf (_("%g fps"), self->cine_fps);

  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->fps_button), text);
}

static GtkWidget *
icon_button (const char *icon,
             const char *label,
             const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
tool_button (const char *label,
             const char *tooltip,
             const char *target)
{
  GtkWidget *button = gtk_toggle_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "dicom.tool");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
separator (void)
{
  GtkWidget *sep = gtk_separator_new (GTK_ORIENTATION_VERTICAL);

  gtk_widget_set_margin_start (sep, 4);
  gtk_widget_set_margin_end (sep, 4);
  return sep;
}

static void
build_toolbar (ChDicomView *self)
{
  GtkBox *bar = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2));
  GtkWidget *tools = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *invert;

  self->toolbar = GTK_WIDGET (bar);
  gtk_widget_add_css_class (self->toolbar, "toolbar");
  gtk_widget_add_css_class (self->toolbar, "osd");
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));

  self->preset_list = gtk_string_list_new (NULL);
  self->preset_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->preset_list)), NULL);
  gtk_widget_set_tooltip_text (self->preset_drop, _("Window preset"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->preset_drop), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Window preset"), -1);
  g_signal_connect (self->preset_drop, "notify::selected", G_CALLBACK (on_preset_selected), self);
  gtk_box_append (bar, self->preset_drop);
  gtk_box_append (bar, separator ());

  gtk_widget_add_css_class (tools, "linked");
  /* Translators: the window/level tool, as radiologists abbreviate it */
  gtk_box_append (GTK_BOX (tools), tool_button (_("W/L"), _("Window/level: drag to change the "
                                                              "window (W)"), "window"));
  gtk_box_append (GTK_BOX (tools), tool_button (_("Pan"), _("Pan: drag to move the image (P)"),
                                                "pan"));
  gtk_box_append (GTK_BOX (tools), tool_button (C_("DICOM viewer tool", "Measure"),
                                                _("Measure: drag to measure a distance (M)"),
                                                "measure"));
  gtk_box_append (bar, tools);

  invert = gtk_toggle_button_new_with_label (_("Invert"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (invert), "dicom.invert");
  gtk_widget_set_tooltip_text (invert, _("Invert the grey scale (I)"));
  gtk_widget_add_css_class (invert, "flat");
  gtk_box_append (bar, invert);
  gtk_box_append (bar, separator ());

  gtk_box_append (bar, icon_button ("zoom-out-symbolic", _("Zoom out (−)"), "dicom.zoom-out"));
  gtk_box_append (bar, icon_button ("zoom-in-symbolic", _("Zoom in (+)"), "dicom.zoom-in"));
  gtk_box_append (bar, icon_button ("zoom-fit-best-symbolic", _("Fit to window (0)"), "dicom.fit"));
  gtk_box_append (bar, icon_button ("view-refresh-symbolic", _("Reset window, zoom and pan (R)"),
                                    "dicom.reset"));
  gtk_box_append (bar, separator ());

  self->play_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button), "media-playback-start-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->play_button), "dicom.play");
  gtk_widget_set_tooltip_text (self->play_button, _("Play or pause the cine loop (Space)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Play cine loop"), -1);
  gtk_widget_add_css_class (self->play_button, "flat");
  gtk_box_append (bar, self->play_button);

  /* The speed, in a popover: the toolbar stays narrow. */
  {
    GtkWidget *popover = gtk_popover_new ();
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *label = gtk_label_new_with_mnemonic (_("_Frames per second"));

    self->fps_spin = gtk_spin_button_new_with_range (1, 60, 1);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->fps_spin), self->cine_fps);
    gtk_label_set_mnemonic_widget (GTK_LABEL (label), self->fps_spin);
    g_signal_connect (self->fps_spin, "value-changed", G_CALLBACK (on_fps_changed), self);
    gtk_box_append (GTK_BOX (box), label);
    gtk_box_append (GTK_BOX (box), self->fps_spin);
    gtk_popover_set_child (GTK_POPOVER (popover), box);

    self->fps_button = gtk_menu_button_new ();
    gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->fps_button), popover);
    gtk_widget_set_tooltip_text (self->fps_button, _("Cine frames per second"));
    gtk_widget_add_css_class (self->fps_button, "flat");
    update_fps_label (self);
    gtk_box_append (bar, self->fps_button);
  }

  self->slider_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->slider_row, "osd");
  gtk_widget_set_parent (self->slider_row, GTK_WIDGET (self));

  self->slider = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1);
  gtk_scale_set_draw_value (GTK_SCALE (self->slider), FALSE);
  gtk_widget_set_hexpand (self->slider, TRUE);
  gtk_widget_set_focusable (self->slider, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->slider), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Image in the series"), -1);
  g_signal_connect (self->slider, "value-changed", G_CALLBACK (on_slider_changed), self);
  gtk_widget_set_margin_start (self->slider, 8);
  gtk_box_append (GTK_BOX (self->slider_row), self->slider);

  self->position_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (self->position_label), 9);
  gtk_widget_add_css_class (self->position_label, "numeric");
  gtk_widget_set_margin_end (self->position_label, 8);
  gtk_box_append (GTK_BOX (self->slider_row), self->position_label);

  /* The toolbar sits on the black image area's edge: keep it dark too. */
  gtk_widget_set_margin_start (self->toolbar, 4);
  gtk_widget_set_margin_end (self->toolbar, 4);
}

static void
ch_dicom_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChDicomView *self = CH_DICOM_VIEW (object);

  switch (prop_id)
    {
    case PROP_INVERT:
      g_value_set_boolean (value, self->invert);
      break;
    case PROP_TOOL:
      g_value_set_string (value, self->tool);
      break;
    case PROP_CINE_PLAYING:
      g_value_set_boolean (value, self->cine_playing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_dicom_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ChDicomView *self = CH_DICOM_VIEW (object);

  switch (prop_id)
    {
    case PROP_INVERT:
      ch_dicom_view_set_invert (self, g_value_get_boolean (value));
      break;
    case PROP_TOOL:
      {
        const char *tool = g_value_get_string (value);

        if (g_strcmp0 (tool, "pan") == 0)
          ch_dicom_view_set_tool (self, CH_DICOM_TOOL_PAN);
        else if (g_strcmp0 (tool, "measure") == 0)
          ch_dicom_view_set_tool (self, CH_DICOM_TOOL_MEASURE);
        else
          ch_dicom_view_set_tool (self, CH_DICOM_TOOL_WINDOW);
      }
      break;
    case PROP_CINE_PLAYING:
      ch_dicom_view_set_cine_playing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stop_worker (ChDicomView *self)
{
  if (self->shared == NULL)
    return;
  g_mutex_lock (&self->shared->lock);
  self->shared->cancelled = TRUE;
  g_queue_clear_full (&self->shared->jobs, (GDestroyNotify) job_free);
  g_cond_signal (&self->shared->cond);
  g_mutex_unlock (&self->shared->lock);
  self->shared->view = NULL;
  g_clear_pointer (&self->shared, shared_unref);
}

static void
clear_series (ChDicomView *self)
{
  self->shown = NULL;
  g_hash_table_remove_all (self->images);
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->slice_errors);
  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_clear_pointer (&self->n_frames, g_free);
  g_clear_error (&self->error);
}

static void
ch_dicom_view_dispose (GObject *object)
{
  ChDicomView *self = CH_DICOM_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->cine_source, g_source_remove);
  stop_worker (self);
  clear_series (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->preset_list);

  G_OBJECT_CLASS (ch_dicom_view_parent_class)->dispose (object);
}

static void
ch_dicom_view_finalize (GObject *object)
{
  ChDicomView *self = CH_DICOM_VIEW (object);

  g_hash_table_unref (self->images);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->slice_errors);
  g_free (self->tool);

  G_OBJECT_CLASS (ch_dicom_view_parent_class)->finalize (object);
}

static void
ch_dicom_view_class_init (ChDicomViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ch_dicom_view_get_property;
  object_class->set_property = ch_dicom_view_set_property;
  object_class->dispose = ch_dicom_view_dispose;
  object_class->finalize = ch_dicom_view_finalize;
  widget_class->snapshot = ch_dicom_view_snapshot;
  widget_class->measure = ch_dicom_view_measure_size;
  widget_class->size_allocate = ch_dicom_view_size_allocate;

  properties[PROP_INVERT] =
    g_param_spec_boolean ("invert", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TOOL] =
    g_param_spec_string ("tool", NULL, NULL, "window",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CINE_PLAYING] =
    g_param_spec_boolean ("cine-playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChDicomView::loaded:
   * @success: whether the first image is shown
   *
   * Emitted once a series is set, when its first image is shown or could
   * not be (then ch_dicom_view_get_error() says why).
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (widget_class, "dicom.next-slice", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "dicom.previous-slice", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "dicom.next-frame", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "dicom.previous-frame", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "dicom.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "dicom.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "dicom.fit", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "dicom.reset", NULL, action_reset);
  gtk_widget_class_install_action (widget_class, "dicom.preset", "i", action_preset);
  gtk_widget_class_install_property_action (widget_class, "dicom.invert", "invert");
  gtk_widget_class_install_property_action (widget_class, "dicom.tool", "tool");
  gtk_widget_class_install_property_action (widget_class, "dicom.play", "cine-playing");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "dicom.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "dicom.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "dicom.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "dicom.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "dicom.next-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "dicom.previous-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, 0, "dicom.invert", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "dicom.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "dicom.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "dicom.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "dicom.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "dicom.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "dicom.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "dicom.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "dicom.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "dicom.reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, 0, "dicom.tool", "s", "window");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, 0, "dicom.tool", "s", "pan");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, 0, "dicom.tool", "s", "measure");

  gtk_widget_class_set_css_name (widget_class, "dicomview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ch_dicom_view_init (ChDicomView *self)
{
  GtkGesture *drag;
  GtkEventController *scroll, *motion;

  self->images = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) image_free);
  self->pending = g_hash_table_new (NULL, NULL);
  self->slice_errors = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_error_free);
  self->tool = g_strdup ("window");
  self->fit = TRUE;
  self->zoom = 1.0;
  self->cine_fps = 10;
  self->direction = 1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Medical image viewer"), -1);

  build_toolbar (self);

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_widget_set_parent (self->spinner, GTK_WIDGET (self));

  self->message = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->message), TRUE);
  gtk_label_set_justify (GTK_LABEL (self->message), GTK_JUSTIFY_CENTER);
  /* Light on the black image area, as the spinner. */
  gtk_widget_add_css_class (self->message, "osd");
  gtk_widget_add_css_class (self->spinner, "osd");
  gtk_widget_set_visible (self->message, FALSE);
  gtk_widget_set_parent (self->message, GTK_WIDGET (self));

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL |
                                            GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  update_toolbar (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
ch_dicom_view_new (void)
{
  return g_object_new (CH_TYPE_DICOM_VIEW, NULL);
}

void
ch_dicom_view_set_series (ChDicomView *self,
                          GPtrArray   *instances)
{
  Job *job;

  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  g_return_if_fail (instances != NULL);

  clear_series (self);
  self->generation++;
  self->slice = 0;
  self->frame = 0;
  self->direction = 1;
  self->has_window = FALSE;
  self->has_measure = FALSE;
  self->fit = TRUE;
  self->pan_x = self->pan_y = 0;
  ch_dicom_view_set_cine_playing (self, FALSE);

  self->instances = g_ptr_array_new_full (instances->len, (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < instances->len; i++)
    g_ptr_array_add (self->instances, g_bytes_ref (instances->pdata[i]));
  self->n_frames = g_new0 (guint, MAX (instances->len, 1));
  self->loading = TRUE;
  self->sorted = FALSE;

  if (instances->len == 0)
    {
      g_set_error (&self->error, CH_DCM_ERROR, CH_DCM_ERROR_NO_PIXELS, _("There is no image to show"));
      finish_loading (self, FALSE);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  if (self->shared == NULL)
    {
      GThread *thread;

      self->shared = shared_new ();
      self->shared->view = self;
      thread = g_thread_new ("ch-dicom-view", worker_main, shared_ref (self->shared));
      g_thread_unref (thread);
    }

  if (instances->len == 1)
    {
      self->sorted = TRUE;
      show_current (self);
    }
  else
    {
      job = g_new0 (Job, 1);
      job->kind = JOB_SORT;
      job->generation = self->generation;
      job->instances = g_ptr_array_ref (self->instances);
      g_mutex_lock (&self->shared->lock);
      g_queue_clear_full (&self->shared->jobs, (GDestroyNotify) job_free);
      g_queue_push_tail (&self->shared->jobs, job);
      g_cond_signal (&self->shared->cond);
      g_mutex_unlock (&self->shared->lock);
    }
  update_toolbar (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const GError *
ch_dicom_view_get_error (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), NULL);
  return self->error;
}

gboolean
ch_dicom_view_get_loading (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), FALSE);
  return self->loading;
}

const ChDcmInfo *
ch_dicom_view_get_info (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), NULL);
  return self->shown != NULL ? &self->shown->info->info : NULL;
}

guint
ch_dicom_view_get_n_slices (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);
  return self->instances != NULL ? self->instances->len : 0;
}

guint
ch_dicom_view_get_slice (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);
  return self->slice;
}

void
ch_dicom_view_set_slice (ChDicomView *self,
                         guint        slice)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  if (self->instances == NULL || slice >= self->instances->len || slice == self->slice)
    return;
  self->direction = slice > self->slice ? 1 : -1;
  self->slice = slice;
  self->frame = 0;
  show_current (self);
}

guint
ch_dicom_view_get_n_frames (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);
  return current_n_frames (self);
}

guint
ch_dicom_view_get_frame (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);
  return self->frame;
}

void
ch_dicom_view_set_frame (ChDicomView *self,
                         guint        frame)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  if (self->instances == NULL || frame >= current_n_frames (self) || frame == self->frame)
    return;
  self->direction = frame > self->frame ? 1 : -1;
  self->frame = frame;
  show_current (self);
}

void
ch_dicom_view_get_window (ChDicomView *self,
                          double      *center,
                          double      *width)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  if (center != NULL)
    *center = self->center;
  if (width != NULL)
    *width = self->width;
}

void
ch_dicom_view_set_window (ChDicomView *self,
                          double       center,
                          double       width)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  set_window_internal (self, center, width);
}

void
ch_dicom_view_apply_preset (ChDicomView *self,
                            guint        index)
{
  const ChDcmInfo *info;
  double center, width;

  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  if (self->shown == NULL || self->shown->channels != 1)
    return;
  info = &self->shown->info->info;
  if (index < info->n_windows)
    {
      center = info->windows[index].center;
      width = info->windows[index].width;
    }
  else
    {
      full_range (self->shown, &center, &width);
      index = info->n_windows;
    }
  set_window_internal (self, center, width);
  self->updating = TRUE;
  update_presets (self);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset_drop), index);
  self->updating = FALSE;
}

gboolean
ch_dicom_view_get_invert (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), FALSE);
  return self->invert;
}

void
ch_dicom_view_set_invert (ChDicomView *self,
                          gboolean     invert)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  invert = !!invert;
  if (invert == self->invert)
    return;
  self->invert = invert;
  self->window_serial++;
  if (self->shown != NULL)
    image_window (self, self->shown);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVERT]);
}

double
ch_dicom_view_get_zoom (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 1.0);
  return effective_zoom (self);
}

void
ch_dicom_view_set_zoom (ChDicomView *self,
                        double       zoom)
{
  graphene_rect_t area;

  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  if (zoom <= 0)
    {
      self->fit = TRUE;
      self->pan_x = self->pan_y = 0;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (self->shown == NULL)
    {
      self->zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
      self->fit = FALSE;
      return;
    }
  image_area (self, &area);
  zoom_about (self, zoom, area.origin.x + area.size.width / 2, area.origin.y + area.size.height / 2);
}

void
ch_dicom_view_get_pan (ChDicomView *self,
                       double      *x,
                       double      *y)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  if (x != NULL)
    *x = self->pan_x;
  if (y != NULL)
    *y = self->pan_y;
}

void
ch_dicom_view_set_pan (ChDicomView *self,
                       double       x,
                       double       y)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));
  if (self->fit)
    {
      self->zoom = fit_zoom (self);
      self->fit = FALSE;
    }
  self->pan_x = x;
  self->pan_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

ChDicomTool
ch_dicom_view_get_tool (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), CH_DICOM_TOOL_WINDOW);
  if (g_str_equal (self->tool, "pan"))
    return CH_DICOM_TOOL_PAN;
  if (g_str_equal (self->tool, "measure"))
    return CH_DICOM_TOOL_MEASURE;
  return CH_DICOM_TOOL_WINDOW;
}

void
ch_dicom_view_set_tool (ChDicomView *self,
                        ChDicomTool  tool)
{
  const char *name;

  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  name = tool == CH_DICOM_TOOL_PAN ? "pan" : tool == CH_DICOM_TOOL_MEASURE ? "measure" : "window";
  if (g_str_equal (name, self->tool))
    return;
  g_free (self->tool);
  self->tool = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

gboolean
ch_dicom_view_get_cine_playing (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), FALSE);
  return self->cine_playing;
}

void
ch_dicom_view_set_cine_playing (ChDicomView *self,
                                gboolean     playing)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  playing = !!playing;
  if (playing == self->cine_playing)
    return;
  self->cine_playing = playing;
  restart_cine (self);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  playing ? _("Pause cine loop") : _("Play cine loop"), -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CINE_PLAYING]);
}

double
ch_dicom_view_get_cine_fps (ChDicomView *self)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);
  return self->cine_fps;
}

void
ch_dicom_view_set_cine_fps (ChDicomView *self,
                            double       fps)
{
  g_return_if_fail (CH_IS_DICOM_VIEW (self));

  fps = CLAMP (fps, 1, 60);
  if (fps == self->cine_fps)
    return;
  self->cine_fps = fps;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->fps_spin), fps);
  update_fps_label (self);
  restart_cine (self);
}

double
ch_dicom_view_measure (ChDicomView *self,
                       double       x0,
                       double       y0,
                       double       x1,
                       double       y1,
                       gboolean    *in_mm)
{
  const ChDcmInfo *info;
  double dx = x1 - x0, dy = y1 - y0, value;
  gboolean mm;

  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), 0);

  info = self->shown != NULL ? &self->shown->info->info : NULL;
  mm = info != NULL && info->has_pixel_spacing && info->pixel_spacing[0] > 0 &&
       info->pixel_spacing[1] > 0;
  /* PixelSpacing is the distance between rows (y), then columns (x). */
  if (mm)
    value = hypot (dx * info->pixel_spacing[1], dy * info->pixel_spacing[0]);
  else
    value = hypot (dx, dy);

  self->has_measure = TRUE;
  self->measure_slice = self->slice;
  self->measure[0] = x0;
  self->measure[1] = y0;
  self->measure[2] = x1;
  self->measure[3] = y1;
  self->measure_value = value;
  self->measure_mm = mm;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (in_mm != NULL)
    *in_mm = mm;
  return value;
}

double
ch_dicom_view_get_measurement (ChDicomView *self,
                               gboolean    *in_mm)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), -1);

  if (in_mm != NULL)
    *in_mm = self->measure_mm;
  return self->has_measure && self->measure_slice == self->slice ? self->measure_value : -1;
}

const guint8 *
ch_dicom_view_get_pixels_for_testing (ChDicomView *self,
                                      guint       *width,
                                      guint       *height,
                                      guint       *channels)
{
  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), NULL);

  if (self->shown == NULL || self->shown->pixels == NULL)
    return NULL;
  *width = self->shown->width;
  *height = self->shown->height;
  *channels = 4;
  return (const guint8 *) self->shown->pixels;
}

gboolean
ch_dicom_view_is_ready_for_testing (ChDicomView *self)
{
  Image *image;

  g_return_val_if_fail (CH_IS_DICOM_VIEW (self), FALSE);
  image = self->instances != NULL ? lookup (self, self->slice, self->frame) : NULL;
  return image != NULL && image == self->shown && image->texture != NULL;
}
