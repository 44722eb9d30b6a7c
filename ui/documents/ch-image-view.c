/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-image-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-image-view.h"

/* A photo or scan (PNG, JPEG, TIFF) shown whole at first, then zoomed and
 * panned: Ctrl+wheel or Ctrl+plus/minus zoom about the pointer, 0 fits the
 * view again, a drag or the wheel pans. The file is decoded on a worker;
 * one whose header claims more than MAX_PIXELS is refused before GTK's
 * loader allocates for it. */

#define MAX_PIXELS ((guint64) 100 * 1000 * 1000)
#define ZOOM_STEP  1.25
#define ZOOM_MIN   0.02
#define ZOOM_MAX   16.0

struct _ChImageView
{
  GtkWidget     parent_instance;

  GdkTexture   *texture;
  GError       *error;
  GCancellable *cancellable;

  gboolean      fit;
  double        zoom;          /* image pixels to widget pixels, when !fit */
  double        pan_x;         /* the image centre's offset from the view's, widget pixels */
  double        pan_y;
  double        drag_pan_x;
  double        drag_pan_y;
  double        pointer_x;
  double        pointer_y;
};

G_DEFINE_FINAL_TYPE (ChImageView, ch_image_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static double
ch_image_view_fit_zoom (ChImageView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int tw, th;

  if (self->texture == NULL || width <= 0 || height <= 0)
    return 1.0;

  tw = gdk_texture_get_width (self->texture);
  th = gdk_texture_get_height (self->texture);
  /* The whole image in sight, never enlarged past its own size. */
  return MIN (1.0, MIN ((double) width / tw, (double) height / th));
}

static double
ch_image_view_scale (ChImageView *self)
{
  return self->fit ? ch_image_view_fit_zoom (self) : self->zoom;
}

/* Keeps an image larger than the view from being pushed out of it, and one
 * smaller centred. */
static void
ch_image_view_clamp_pan (ChImageView *self)
{
  double scale = ch_image_view_scale (self);
  double excess_x, excess_y;

  if (self->texture == NULL)
    return;

  excess_x = MAX (0.0, (gdk_texture_get_width (self->texture) * scale -
                        gtk_widget_get_width (GTK_WIDGET (self))) / 2.0);
  excess_y = MAX (0.0, (gdk_texture_get_height (self->texture) * scale -
                        gtk_widget_get_height (GTK_WIDGET (self))) / 2.0);
  self->pan_x = CLAMP (self->pan_x, -excess_x, excess_x);
  self->pan_y = CLAMP (self->pan_y, -excess_y, excess_y);
}

static void
ch_image_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  ChImageView *self = CH_IMAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double scale, w, h;

  if (self->texture == NULL)
    return;

  scale = ch_image_view_scale (self);
  w = gdk_texture_get_width (self->texture) * scale;
  h = gdk_texture_get_height (self->texture) * scale;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT ((float) ((width - w) / 2.0 + self->pan_x),
                                                    (float) ((height - h) / 2.0 + self->pan_y),
                                                    (float) w, (float) h));
  gtk_snapshot_pop (snapshot);
}

static void
ch_image_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  ch_image_view_clamp_pan (CH_IMAGE_VIEW (widget));
}

/* Zooms to @zoom keeping the image point under (@x, @y) where it is. */
static void
ch_image_view_zoom_at (ChImageView *self,
                       double       zoom,
                       double       x,
                       double       y)
{
  double old_scale = ch_image_view_scale (self);
  double cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  double factor;

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  factor = zoom / old_scale;

  /* The point's offset from the image centre scales with the image. */
  self->pan_x = (x - cx) - ((x - cx) - self->pan_x) * factor;
  self->pan_y = (y - cy) - ((y - cy) - self->pan_y) * factor;
  self->fit = FALSE;
  self->zoom = zoom;
  ch_image_view_clamp_pan (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "image.fit", TRUE);
}

double
ch_image_view_get_zoom (ChImageView *self)
{
  g_return_val_if_fail (CH_IS_IMAGE_VIEW (self), 1.0);

  return ch_image_view_scale (self);
}

void
ch_image_view_set_zoom (ChImageView *self,
                        double       zoom)
{
  g_return_if_fail (CH_IS_IMAGE_VIEW (self));

  ch_image_view_zoom_at (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                         gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

gboolean
ch_image_view_get_fit (ChImageView *self)
{
  g_return_val_if_fail (CH_IS_IMAGE_VIEW (self), FALSE);

  return self->fit;
}

void
ch_image_view_set_fit (ChImageView *self,
                       gboolean     fit)
{
  g_return_if_fail (CH_IS_IMAGE_VIEW (self));

  if (!fit)
    {
      self->zoom = ch_image_view_scale (self);
      self->fit = FALSE;
      return;
    }

  self->fit = TRUE;
  self->pan_x = self->pan_y = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ch_image_view_get_pan (ChImageView *self,
                       double      *x,
                       double      *y)
{
  g_return_if_fail (CH_IS_IMAGE_VIEW (self));

  if (x != NULL)
    *x = self->pan_x;
  if (y != NULL)
    *y = self->pan_y;
}

void
ch_image_view_pan_by (ChImageView *self,
                      double       dx,
                      double       dy)
{
  g_return_if_fail (CH_IS_IMAGE_VIEW (self));

  self->pan_x += dx;
  self->pan_y += dy;
  ch_image_view_clamp_pan (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const GError *
ch_image_view_get_error (ChImageView *self)
{
  g_return_val_if_fail (CH_IS_IMAGE_VIEW (self), NULL);

  return self->error;
}

/* Returns: (transfer none) (nullable): the image, once loaded */
GdkTexture *
ch_image_view_get_texture (ChImageView *self)
{
  g_return_val_if_fail (CH_IS_IMAGE_VIEW (self), NULL);

  return self->texture;
}

/* ---- loading ------------------------------------------------------------- */

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The size a PNG or JPEG header declares, without decoding; FALSE when it
 * cannot be told this way (the loader then decides). */
static gboolean
declared_size (const guint8 *data,
               gsize         size,
               guint64      *out_width,
               guint64      *out_height)
{
  static const guint8 png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (size >= 24 && memcmp (data, png, sizeof png) == 0 && memcmp (data + 12, "IHDR", 4) == 0)
    {
      *out_width = read_be32 (data + 16);
      *out_height = read_be32 (data + 20);
      return TRUE;
    }

  if (size >= 4 && data[0] == 0xff && data[1] == 0xd8)
    {
      gsize i = 2;

      /* Walk the markers to the first start-of-frame. */
      while (i + 4 <= size)
        {
          guint8 marker;
          gsize length;

          if (data[i] != 0xff)
            return FALSE;
          marker = data[i + 1];
          if (marker == 0xff)
            {
              i++;
              continue;
            }
          length = ((gsize) data[i + 2] << 8) | data[i + 3];
          if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
              marker != 0xcc)
            {
              if (i + 9 > size)
                return FALSE;
              *out_height = ((guint64) data[i + 5] << 8) | data[i + 6];
              *out_width = ((guint64) data[i + 7] << 8) | data[i + 8];
              return TRUE;
            }
          if (length < 2)
            return FALSE;
          i += 2 + length;
        }
    }

  return FALSE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint64 width, height;
  GdkTexture *texture;
  GError *error = NULL;

  if (declared_size (data, size, &width, &height) && width * height > MAX_PIXELS)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               /* Translators: the image's width and height in pixels */
                               _("This image declares %u × %u pixels, more than Charta shows "
                                 "(100 megapixels)."),
                               (guint) width, (guint) height);
      return;
    }

  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("This image cannot be shown: %s"), error->message);
      g_error_free (error);
      return;
    }

  g_task_return_pointer (task, texture, g_object_unref);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ChImageView *self = CH_IMAGE_VIEW (object);
  GError *error = NULL;
  GdkTexture *texture;

  texture = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }

  g_clear_object (&self->texture);
  g_clear_error (&self->error);
  self->texture = texture;
  self->error = error;
  self->fit = TRUE;
  self->pan_x = self->pan_y = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_LOADED], 0, texture != NULL);
}

/**
 * ch_image_view_load:
 * @self: an image view
 * @bytes: a PNG, JPEG or TIFF file's content
 *
 * Decodes @bytes on a worker and shows the image fitted to the view; emits
 * ChImageView::loaded when done, with the error in
 * ch_image_view_get_error() on failure.
 */
void
ch_image_view_load (ChImageView *self,
                    GBytes      *bytes)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CH_IS_IMAGE_VIEW (self));
  g_return_if_fail (bytes != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  task = g_task_new (self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, ch_image_view_load);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  /* No return on cancel: the task, which holds the view, then ends in the
   * main context, never letting the view go on the worker. */
  g_task_run_in_thread (task, load_thread);
}

/* ---- input --------------------------------------------------------------- */

static void
zoom_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChImageView *self = CH_IMAGE_VIEW (widget);
  double scale = ch_image_view_scale (self);

  if (g_str_equal (action_name, "image.zoom-in"))
    ch_image_view_set_zoom (self, scale * ZOOM_STEP);
  else if (g_str_equal (action_name, "image.zoom-out"))
    ch_image_view_set_zoom (self, scale / ZOOM_STEP);
  else if (g_str_equal (action_name, "image.zoom-original"))
    ch_image_view_set_zoom (self, 1.0);
  else
    ch_image_view_set_fit (self, TRUE);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           ChImageView              *self)
{
  GdkModifierType state;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  if (state & GDK_CONTROL_MASK)
    {
      double scale = ch_image_view_scale (self);

      ch_image_view_zoom_at (self, dy < 0 ? scale * ZOOM_STEP : scale / ZOOM_STEP,
                             self->pointer_x, self->pointer_y);
      return TRUE;
    }

  ch_image_view_pan_by (self, -dx * 40.0, -dy * 40.0);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           ChImageView              *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               ChImageView    *self)
{
  self->drag_pan_x = self->pan_x;
  self->drag_pan_y = self->pan_y;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                ChImageView    *self)
{
  self->pan_x = self->drag_pan_x + dx;
  self->pan_y = self->drag_pan_y + dy;
  ch_image_view_clamp_pan (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             ChImageView    *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
}

/* ---- GObject ------------------------------------------------------------- */

static void
ch_image_view_dispose (GObject *object)
{
  ChImageView *self = CH_IMAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (ch_image_view_parent_class)->dispose (object);
}

static void
ch_image_view_finalize (GObject *object)
{
  ChImageView *self = CH_IMAGE_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ch_image_view_parent_class)->finalize (object);
}

static void
ch_image_view_class_init (ChImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ch_image_view_dispose;
  object_class->finalize = ch_image_view_finalize;
  widget_class->snapshot = ch_image_view_snapshot;
  widget_class->size_allocate = ch_image_view_size_allocate;

  /**
   * ChImageView::loaded:
   * @success: whether the image could be shown
   */
  signals[SIGNAL_LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (widget_class, "image.zoom-in", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "image.zoom-out", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "image.zoom-original", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "image.fit", NULL, zoom_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK,
                                       "image.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "image.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK,
                                       "image.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "image.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK,
                                       "image.zoom-original", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "imageview");
}

static void
ch_image_view_init (ChImageView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->fit = TRUE;
  self->zoom = 1.0;
  self->cancellable = g_cancellable_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
ch_image_view_new (void)
{
  return g_object_new (CH_TYPE_IMAGE_VIEW, NULL);
}
