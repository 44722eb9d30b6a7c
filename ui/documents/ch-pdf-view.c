/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-pdf-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "ch-pdf-view.h"
#include "ch-ui.h"

/* The largest page side, in points (PDF's 14,400 user units). */
#define PAGE_SIDE_MAX 14400.0

/* Pages are laid out in logical pixels: a page of W points is
 * W × zoom × PX_PER_PT wide, rendered at that times the scale factor. */
#define PX_PER_PT        (96.0 / 72.0)
#define GAP              12.0     /* between pages, and around them */
#define ZOOM_MIN         0.1
#define ZOOM_MAX         4.0
#define THUMB_WIDTH      112.0
#define RENDER_AHEAD     1        /* pages past the last visible rendered too */
#define CACHE_BYTES      (128 * 1024 * 1024)
#define CACHE_PAGES      24
#define THUMB_CACHE      240
/* Past this a page renders at a lower scale (and shows blurred) rather than
 * as a surface of hundreds of megabytes. */
#define MAX_PIXELS       (16 * 1024 * 1024)
#define MAX_SIDE         16000.0

static const double zoom_steps[] = {
  0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0,
};

G_DEFINE_QUARK (ch-pdf-view-error-quark, ch_pdf_view_error)

typedef struct
{
  double width;   /* points */
  double height;
} PageSize;

typedef struct
{
  guint  page;
  double x1, y1, x2, y2;   /* points, from the page's top left */
} Match;

typedef struct
{
  cairo_surface_t *surface;
  GdkTexture      *texture;
  double           scale;   /* device pixels a point */
  guint64          used;
} Rendered;

/* In the order of their priority: the worker takes a job of a lower kind
 * first. */
typedef enum
{
  JOB_LOAD,
  JOB_RENDER,
  JOB_FIND,
  JOB_THUMB,
} JobKind;

typedef struct _State State;

typedef struct
{
  JobKind          kind;
  State           *state;        /* owned */
  guint            doc_serial;
  guint            page;
  double           scale;
  GBytes          *bytes;        /* JOB_LOAD */
  char            *text;         /* JOB_FIND */
  guint            find_serial;
  gboolean         sync;         /* the main thread waits for it */
  gboolean         done;

  /* What the worker made of it. */
  cairo_surface_t *surface;
  GArray          *sizes;        /* of PageSize */
  GArray          *matches;      /* of Match */
  GError          *error;
} Job;

/* Shared by the view and its worker, and kept by every job on its way, so
 * that a render finishing after the view is gone finds it gone. */
struct _State
{
  gatomicrefcount  ref;
  GMutex           mutex;
  GCond            cond;         /* a job queued, or quit */
  GCond            done_cond;    /* a sync job done */
  GQueue           jobs;         /* (element-type Job): by kind */
  Job             *running;
  gboolean         quit;
  GMainContext    *context;
  ChPdfView       *view;         /* main thread only; NULL once disposed */
  guint            find_serial;  /* atomic: searches of another serial stop */
  guint            doc_serial;   /* atomic */
};

/* ---- the pages: a scrollable widget drawing the visible ones ------------------- */

#define CH_TYPE_PDF_PAGES (ch_pdf_pages_get_type ())
G_DECLARE_FINAL_TYPE (ChPdfPages, ch_pdf_pages, CH, PDF_PAGES, GtkWidget)

struct _ChPdfPages
{
  GtkWidget            parent_instance;
  ChPdfView           *view;          /* unowned: its ancestor */
  GtkAdjustment       *hadjustment;
  GtkAdjustment       *vadjustment;
  GtkScrollablePolicy  hscroll_policy;
  GtkScrollablePolicy  vscroll_policy;
};

enum {
  PAGES_PROP_0,
  PAGES_PROP_HADJUSTMENT,
  PAGES_PROP_VADJUSTMENT,
  PAGES_PROP_HSCROLL_POLICY,
  PAGES_PROP_VSCROLL_POLICY,
};

G_DEFINE_FINAL_TYPE_WITH_CODE (ChPdfPages, ch_pdf_pages, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

/* ---- the view ----------------------------------------------------------------- */

struct _ChPdfView
{
  GtkWidget      parent_instance;

  GtkWidget     *box;
  GtkWidget     *page_entry;
  GtkWidget     *page_label;
  GtkWidget     *zoom_label;
  GtkWidget     *search_bar;
  GtkWidget     *search_entry;
  GtkWidget     *match_label;
  GtkWidget     *stack;
  GtkWidget     *spinner;
  GtkWidget     *status_page;
  GtkWidget     *sidebar;
  GtkWidget     *thumb_list;
  GtkStringList *thumb_model;
  GtkWidget     *scroller;
  ChPdfPages    *pages;

  State         *state;
  GThread       *thread;
  GBytes        *bytes;
  guint          doc_serial;
  gboolean       loading;
  GError        *error;

  GArray        *sizes;           /* of PageSize */
  GArray        *offsets;         /* of double: each page's top, logical px */
  double         max_page_width;  /* points */
  double         total_height;    /* points, of all the pages */
  double         layout_zoom;     /* that of offsets; 0 before any */
  double         content_width;
  double         content_height;
  double         viewport_width;
  double         viewport_height;

  GPtrArray     *rendered;        /* of Rendered or NULL, a page */
  GPtrArray     *thumbs;          /* of Rendered or NULL, a page */
  GPtrArray     *thumb_pictures;  /* of GtkPicture (unowned) bound, or NULL */
  guint64        use_counter;

  double         zoom;
  gboolean       fit_width;
  gboolean       show_thumbnails;
  int            pending_page;    /* set before there was a layout */
  int            pinned_page;     /* set_page()'s, while not scrolled since */
  double         pinned_value;
  gboolean       updating_entry;
  gboolean       allocating;
  guint          update_idle;     /* the toolbar's update, put off from allocating */

  GArray        *matches;         /* of Match */
  int            current_match;
  char          *find_text;
  guint          find_serial;
};

G_DEFINE_FINAL_TYPE (ChPdfView, ch_pdf_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_FIT_WIDTH,
  PROP_SHOW_THUMBNAILS,
  PROP_N_PAGES,
  PROP_CURRENT_PAGE,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_renders    (ChPdfView *self);
static void update_page_ui      (ChPdfView *self);
static void update_actions      (ChPdfView *self);
static void queue_thumbnail     (ChPdfView *self,
                                 guint      page);

/* ---- jobs and the worker -------------------------------------------------------- */

static State *
state_ref (State *state)
{
  g_atomic_ref_count_inc (&state->ref);
  return state;
}

static void
state_unref (State *state)
{
  if (!g_atomic_ref_count_dec (&state->ref))
    return;
  g_assert (g_queue_is_empty (&state->jobs));
  g_mutex_clear (&state->mutex);
  g_cond_clear (&state->cond);
  g_cond_clear (&state->done_cond);
  g_main_context_unref (state->context);
  g_free (state);
}

static Job *
job_new (State   *state,
         JobKind  kind,
         guint    doc_serial)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->state = state_ref (state);
  job->doc_serial = doc_serial;
  return job;
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_pointer (&job->text, g_free);
  g_clear_pointer (&job->surface, cairo_surface_destroy);
  g_clear_pointer (&job->sizes, g_array_unref);
  g_clear_pointer (&job->matches, g_array_unref);
  g_clear_error (&job->error);
  state_unref (job->state);
  g_free (job);
}

static int
compare_job_kind (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const Job *x = a, *y = b;

  return (int) x->kind - (int) y->kind;
}

/* Called with the lock held. */
static void
push_job_locked (State *state,
                 Job   *job)
{
  GList *l;

  /* After the last of its kind or before: first come, first served within
   * a kind. */
  for (l = state->jobs.tail; l != NULL; l = l->prev)
    if (compare_job_kind (l->data, job, NULL) <= 0)
      break;
  if (l == NULL)
    g_queue_push_head (&state->jobs, job);
  else
    g_queue_insert_after (&state->jobs, l, job);
  g_cond_signal (&state->cond);
}

static void
worker_load (Job              *job,
             PopplerDocument **doc)
{
  g_autoptr (GError) error = NULL;
  PopplerDocument *loaded;
  int n_pages;

  g_clear_object (doc);
  loaded = poppler_document_new_from_bytes (job->bytes, NULL, &error);
  if (loaded == NULL)
    {
      if (g_error_matches (error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        g_set_error_literal (&job->error, CH_PDF_VIEW_ERROR, CH_PDF_VIEW_ERROR_ENCRYPTED,
                             _("This PDF is protected by a password and cannot be shown."));
      else
        g_set_error (&job->error, CH_PDF_VIEW_ERROR, CH_PDF_VIEW_ERROR_INVALID,
                     _("This file is not a readable PDF: %s"), error->message);
      return;
    }

  n_pages = poppler_document_get_n_pages (loaded);
  if (n_pages <= 0)
    {
      g_set_error_literal (&job->error, CH_PDF_VIEW_ERROR, CH_PDF_VIEW_ERROR_EMPTY,
                           _("This PDF has no pages."));
      g_object_unref (loaded);
      return;
    }

  /* Every page's size once, so that the view's extents are right before any
   * page is drawn. */
  job->sizes = g_array_sized_new (FALSE, FALSE, sizeof (PageSize), n_pages);
  for (int i = 0; i < n_pages; i++)
    {
      PopplerPage *page = poppler_document_get_page (loaded, i);
      PageSize size = { 612.0, 792.0 };

      if (page != NULL)
        {
          poppler_page_get_size (page, &size.width, &size.height);
          g_object_unref (page);
        }
      if (!(size.width >= 1.0) || !(size.height >= 1.0))
        size = (PageSize) { 612.0, 792.0 };
      /* PDF's own limit on a page (200 inches): a damaged file may say more. */
      size.width = MIN (size.width, PAGE_SIDE_MAX);
      size.height = MIN (size.height, PAGE_SIDE_MAX);
      g_array_append_val (job->sizes, size);
    }
  *doc = loaded;
}

static void
worker_render (Job             *job,
               PopplerDocument *doc)
{
  PopplerPage *page;
  double width, height;
  int w, h;
  cairo_t *cr;

  if (doc == NULL || (page = poppler_document_get_page (doc, job->page)) == NULL)
    return;
  poppler_page_get_size (page, &width, &height);
  /* As the layout measured it (see the load), and within what cairo draws. */
  if (!(width >= 1.0) || !(height >= 1.0))
    width = 612.0, height = 792.0;
  width = MIN (width, PAGE_SIDE_MAX);
  height = MIN (height, PAGE_SIDE_MAX);
  w = (int) CLAMP (ceil (width * job->scale), 1.0, 32767.0);
  h = (int) CLAMP (ceil (height * job->scale), 1.0, 32767.0);

  job->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  if (cairo_surface_status (job->surface) != CAIRO_STATUS_SUCCESS)
    {
      g_clear_pointer (&job->surface, cairo_surface_destroy);
      g_object_unref (page);
      return;
    }
  cr = cairo_create (job->surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, job->scale, job->scale);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  cairo_surface_flush (job->surface);
  g_object_unref (page);
}

static void
worker_find (Job             *job,
             PopplerDocument *doc)
{
  int n_pages;

  job->matches = g_array_new (FALSE, FALSE, sizeof (Match));
  if (doc == NULL)
    return;
  n_pages = poppler_document_get_n_pages (doc);
  for (int i = 0; i < n_pages; i++)
    {
      PopplerPage *page;
      GList *found;
      double width, height;

      /* A newer search, or the view gone: this one is of no use. */
      if ((guint) g_atomic_int_get (&job->state->find_serial) != job->find_serial
          || (guint) g_atomic_int_get (&job->state->doc_serial) != job->doc_serial)
        return;
      page = poppler_document_get_page (doc, i);
      if (page == NULL)
        continue;
      poppler_page_get_size (page, &width, &height);
      found = poppler_page_find_text_with_options (page, job->text, POPPLER_FIND_DEFAULT);
      for (GList *l = found; l != NULL; l = l->next)
        {
          PopplerRectangle *r = l->data;
          /* Poppler counts y up from the page's bottom. */
          Match match = { (guint) i, MIN (r->x1, r->x2), height - MAX (r->y1, r->y2),
                          MAX (r->x1, r->x2), height - MIN (r->y1, r->y2) };

          g_array_append_val (job->matches, match);
        }
      g_list_free_full (found, (GDestroyNotify) poppler_rectangle_free);
      g_object_unref (page);
    }
}

static gboolean job_done (gpointer data);

/* Hands @job back to the main thread. Not g_main_context_invoke(): with
 * the main context idle it would run job_done() here, on the worker. */
static void
post_job (State *state,
          Job   *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_done, job, (GDestroyNotify) job_free);
  g_source_set_static_name (source, "[ch-pdf-view] job done");
  g_source_attach (source, state->context);
  g_source_unref (source);
}

static gpointer
worker_main (gpointer data)
{
  State *state = data;
  PopplerDocument *doc = NULL;

  for (;;)
    {
      Job *job;

      g_mutex_lock (&state->mutex);
      while (!state->quit && g_queue_is_empty (&state->jobs))
        g_cond_wait (&state->cond, &state->mutex);
      if (state->quit)
        {
          g_mutex_unlock (&state->mutex);
          break;
        }
      job = g_queue_pop_head (&state->jobs);
      state->running = job;
      g_mutex_unlock (&state->mutex);

      if (job->kind == JOB_LOAD)
        worker_load (job, &doc);
      else if (job->doc_serial == (guint) g_atomic_int_get (&state->doc_serial))
        {
          if (job->kind == JOB_FIND)
            worker_find (job, doc);
          else
            worker_render (job, doc);
        }

      g_mutex_lock (&state->mutex);
      state->running = NULL;
      if (job->sync)
        {
          job->done = TRUE;
          g_cond_broadcast (&state->done_cond);
          g_mutex_unlock (&state->mutex);
          continue;
        }
      g_mutex_unlock (&state->mutex);
      post_job (state, job);
    }

  g_clear_object (&doc);
  state_unref (state);
  return NULL;
}

/* Drops the queued jobs @keep refuses (all of @kind with @keep NULL). */
static void
drop_jobs (ChPdfView *self,
           JobKind    kind,
           gboolean (*keep) (ChPdfView *self, Job *job))
{
  GSList *dropped = NULL;

  g_mutex_lock (&self->state->mutex);
  for (GList *l = self->state->jobs.head; l != NULL;)
    {
      GList *next = l->next;
      Job *job = l->data;

      if (job->kind == kind && (keep == NULL || !keep (self, job)))
        {
          g_queue_delete_link (&self->state->jobs, l);
          dropped = g_slist_prepend (dropped, job);
        }
      l = next;
    }
  g_mutex_unlock (&self->state->mutex);
  g_slist_free_full (dropped, (GDestroyNotify) job_free);
}

static void
ensure_worker (ChPdfView *self)
{
  if (self->thread != NULL)
    return;
  self->thread = g_thread_new ("ch-pdf-worker", worker_main, state_ref (self->state));
}

/* ---- geometry -------------------------------------------------------------------- */

static double
layout_scale (ChPdfView *self)
{
  return self->layout_zoom * PX_PER_PT;
}

static guint
n_pages (ChPdfView *self)
{
  return self->sizes != NULL ? self->sizes->len : 0;
}

static const PageSize *
page_size (ChPdfView *self,
           guint      page)
{
  return &g_array_index (self->sizes, PageSize, page);
}

/* Where @page is, in the content's logical pixels. */
static void
page_rect (ChPdfView       *self,
           guint            page,
           graphene_rect_t *out_rect)
{
  const PageSize *size = page_size (self, page);
  double scale = layout_scale (self);
  double width = size->width * scale;

  graphene_rect_init (out_rect,
                      (float) ((MAX (self->content_width, self->viewport_width) - width) / 2.0),
                      (float) g_array_index (self->offsets, double, page),
                      (float) width, (float) (size->height * scale));
}

static double
fit_width_zoom (ChPdfView *self)
{
  if (self->max_page_width <= 0.0 || self->viewport_width <= 2 * GAP)
    return self->zoom;
  return CLAMP ((self->viewport_width - 2 * GAP) / (self->max_page_width * PX_PER_PT),
                ZOOM_MIN, ZOOM_MAX);
}

static double
scroll_y (ChPdfView *self)
{
  return self->pages->vadjustment != NULL ? gtk_adjustment_get_value (self->pages->vadjustment) : 0.0;
}

static double
scroll_x (ChPdfView *self)
{
  return self->pages->hadjustment != NULL ? gtk_adjustment_get_value (self->pages->hadjustment) : 0.0;
}

/* The page whose top (with half a gap above) is the last at or above @y. */
static guint
page_at (ChPdfView *self,
         double     y)
{
  guint lo = 0, hi;

  if (self->offsets == NULL || self->offsets->len == 0)
    return 0;
  hi = self->offsets->len;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (self->offsets, double, mid) - GAP / 2 <= y)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

static gboolean
visible_range (ChPdfView *self,
               guint     *out_first,
               guint     *out_last)
{
  double top = scroll_y (self), bottom = top + self->viewport_height;
  guint last;

  if (self->layout_zoom <= 0.0 || n_pages (self) == 0 || self->viewport_height <= 0)
    return FALSE;
  *out_first = page_at (self, top + GAP / 2);
  last = *out_first;
  while (last + 1 < n_pages (self) && g_array_index (self->offsets, double, last + 1) < bottom)
    last++;
  *out_last = last;
  return TRUE;
}

static void
relayout (ChPdfView *self)
{
  double scale, y = GAP;

  self->layout_zoom = self->zoom;
  scale = layout_scale (self);
  g_array_set_size (self->offsets, 0);
  for (guint i = 0; i < n_pages (self); i++)
    {
      g_array_append_val (self->offsets, y);
      y += page_size (self, i)->height * scale + GAP;
    }
  self->content_height = n_pages (self) > 0 ? y : 0.0;
  self->content_width = self->max_page_width * scale + 2 * GAP;
}

static void
set_scroll (ChPdfView *self,
            double     value)
{
  GtkAdjustment *vadj = self->pages->vadjustment;

  if (vadj == NULL)
    return;
  value = CLAMP (value, 0.0, MAX (0.0, self->content_height - self->viewport_height));
  gtk_adjustment_set_value (vadj, value);
}

static void
scroll_to_page (ChPdfView *self,
                guint      page)
{
  set_scroll (self, g_array_index (self->offsets, double, page) - GAP / 2);
  self->pinned_page = (int) page;
  self->pinned_value = scroll_y (self);
  update_page_ui (self);
}

static void
pages_allocate (ChPdfView *self,
                int        width,
                int        height)
{
  GtkAdjustment *hadj = self->pages->hadjustment, *vadj = self->pages->vadjustment;
  gboolean relaid = FALSE;
  guint anchor_page = 0;
  double anchor_fraction = 0.0, anchor_x = 0.5;

  if (self->layout_zoom > 0.0 && n_pages (self) > 0 && self->offsets->len == n_pages (self))
    {
      graphene_rect_t rect;
      double top = scroll_y (self);

      anchor_page = page_at (self, top);
      page_rect (self, anchor_page, &rect);
      anchor_fraction = (top - rect.origin.y) / MAX (1.0, rect.size.height);
      if (self->content_width > self->viewport_width && self->viewport_width > 0)
        anchor_x = (scroll_x (self) + self->viewport_width / 2) / self->content_width;
    }

  self->viewport_width = width;
  self->viewport_height = height;
  if (self->fit_width && n_pages (self) > 0)
    {
      double zoom = fit_width_zoom (self);

      if (fabs (zoom - self->zoom) > 1e-6)
        {
          self->zoom = zoom;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
          update_actions (self);
        }
    }
  if (self->layout_zoom != self->zoom || self->offsets->len != n_pages (self))
    {
      gboolean had_layout = self->layout_zoom > 0.0 && self->offsets->len == n_pages (self);

      relayout (self);
      relaid = had_layout;
    }

  if (hadj != NULL)
    {
      double value = gtk_adjustment_get_value (hadj);

      if (relaid)
        value = anchor_x * self->content_width - width / 2.0;
      /* Less than a pixel wider (fit width's rounding) is no reason for a
       * scrollbar. */
      double upper = self->content_width > width + 0.5 ? self->content_width : width;

      gtk_adjustment_configure (hadj, CLAMP (value, 0, MAX (0, upper - width)), 0, upper,
                                width * 0.1, width * 0.9, width);
    }
  if (vadj != NULL)
    {
      double value = gtk_adjustment_get_value (vadj);

      if (relaid && n_pages (self) > 0)
        {
          graphene_rect_t rect;

          page_rect (self, anchor_page, &rect);
          value = rect.origin.y + anchor_fraction * rect.size.height;
        }
      gtk_adjustment_configure (vadj, CLAMP (value, 0, MAX (0, self->content_height - height)), 0,
                                MAX (self->content_height, height), height * 0.1, height * 0.9,
                                height);
    }

  if (self->pending_page >= 0 && self->layout_zoom > 0.0 && (guint) self->pending_page < n_pages (self))
    {
      guint page = (guint) self->pending_page;

      self->pending_page = -1;
      scroll_to_page (self, page);
    }
  else if (self->pinned_page >= 0 && (guint) self->pinned_page < n_pages (self) && relaid)
    {
      /* Still showing the page it was sent to. */
      set_scroll (self, g_array_index (self->offsets, double, self->pinned_page) - GAP / 2);
      self->pinned_value = scroll_y (self);
    }

  update_page_ui (self);
  schedule_renders (self);
}

/* ---- the render cache ------------------------------------------------------------ */

static void
rendered_free (Rendered *rendered)
{
  if (rendered == NULL)
    return;
  g_clear_object (&rendered->texture);
  g_clear_pointer (&rendered->surface, cairo_surface_destroy);
  g_free (rendered);
}

static Rendered *
rendered_new (cairo_surface_t *surface,
              double           scale)
{
  Rendered *rendered = g_new0 (Rendered, 1);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  g_autoptr (GBytes) bytes = NULL;

  rendered->surface = cairo_surface_reference (surface);
  rendered->scale = scale;
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) height * stride,
                                      (GDestroyNotify) cairo_surface_destroy,
                                      cairo_surface_reference (surface));
  rendered->texture = gdk_memory_texture_new (cairo_image_surface_get_width (surface), height,
                                              GDK_MEMORY_DEFAULT, bytes, stride);
  return rendered;
}

static gsize
rendered_bytes (const Rendered *rendered)
{
  return (gsize) cairo_image_surface_get_stride (rendered->surface)
         * cairo_image_surface_get_height (rendered->surface);
}

/* Device pixels a point for @page at the current zoom. */
static double
wanted_scale (ChPdfView *self,
              guint      page,
              double     zoom,
              double     factor)
{
  const PageSize *size = page_size (self, page);
  double scale = zoom * PX_PER_PT * factor;
  double pixels = size->width * scale * size->height * scale;

  if (pixels > MAX_PIXELS)
    scale *= sqrt (MAX_PIXELS / pixels);
  scale = MIN (scale, MAX_SIDE / MAX (size->width, size->height));
  return scale;
}

static double
render_scale (ChPdfView *self,
              guint      page)
{
  return wanted_scale (self, page, self->layout_zoom,
                       gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

static double
thumb_scale (ChPdfView *self,
             guint      page)
{
  return THUMB_WIDTH * gtk_widget_get_scale_factor (GTK_WIDGET (self))
         / page_size (self, page)->width;
}

/* Keeps the cache under its bounds, dropping the renders used longest ago
 * except those of the pages on screen. */
static void
trim_cache (ChPdfView *self)
{
  guint first = 0, last = 0;
  gboolean shown = visible_range (self, &first, &last);

  for (;;)
    {
      gsize total = 0;
      guint count = 0;
      int oldest = -1;

      for (guint i = 0; i < self->rendered->len; i++)
        {
          Rendered *r = self->rendered->pdata[i];

          if (r == NULL)
            continue;
          total += rendered_bytes (r);
          count++;
          if (shown && i + RENDER_AHEAD >= first && i <= last + RENDER_AHEAD)
            continue;
          if (oldest < 0 || r->used < ((Rendered *) self->rendered->pdata[oldest])->used)
            oldest = (int) i;
        }
      if ((total <= CACHE_BYTES && count <= CACHE_PAGES) || oldest < 0)
        break;
      g_clear_pointer (&self->rendered->pdata[oldest], rendered_free);
    }
}

static void
trim_thumbs (ChPdfView *self)
{
  guint count = 0;

  for (guint i = 0; i < self->thumbs->len; i++)
    count += self->thumbs->pdata[i] != NULL;
  for (guint i = 0; i < self->thumbs->len && count > THUMB_CACHE; i++)
    if (self->thumbs->pdata[i] != NULL && self->thumb_pictures->pdata[i] == NULL)
      {
        g_clear_pointer (&self->thumbs->pdata[i], rendered_free);
        count--;
      }
}

static gboolean
keep_render (ChPdfView *self,
             Job       *job)
{
  guint first, last;

  if (job->doc_serial != self->doc_serial || !visible_range (self, &first, &last))
    return FALSE;
  return job->page >= first && job->page <= MIN (last + RENDER_AHEAD, n_pages (self) - 1)
         && job->scale == render_scale (self, job->page);
}

/* Queues renders of the pages on screen and the one after that are not
 * rendered at the current zoom, and drops queued ones no longer wanted (a
 * zoom since changed, pages scrolled away). */
static void
schedule_renders (ChPdfView *self)
{
  guint first, last;

  if (self->state == NULL || n_pages (self) == 0)
    return;
  drop_jobs (self, JOB_RENDER, keep_render);
  if (!visible_range (self, &first, &last))
    return;
  last = MIN (last + RENDER_AHEAD, n_pages (self) - 1);

  g_mutex_lock (&self->state->mutex);
  for (guint i = first; i <= last; i++)
    {
      Rendered *r = self->rendered->pdata[i];
      double scale = render_scale (self, i);
      gboolean queued = FALSE;
      Job *job;

      if (r != NULL)
        r->used = ++self->use_counter;
      if (r != NULL && r->scale == scale)
        continue;
      for (GList *l = self->state->jobs.head; l != NULL && !queued; l = l->next)
        {
          Job *other = l->data;

          queued = other->kind == JOB_RENDER && other->page == i && other->scale == scale;
        }
      if (queued || (self->state->running != NULL && self->state->running->kind == JOB_RENDER
                     && self->state->running->page == i && self->state->running->scale == scale
                     && self->state->running->doc_serial == self->doc_serial))
        continue;
      job = job_new (self->state, JOB_RENDER, self->doc_serial);
      job->page = i;
      job->scale = scale;
      push_job_locked (self->state, job);
    }
  g_mutex_unlock (&self->state->mutex);
}

/* ---- results -------------------------------------------------------------------- */

static void
set_thumbnail_picture (ChPdfView *self,
                       guint      page)
{
  GtkPicture *picture = self->thumb_pictures->pdata[page];
  Rendered *thumb = self->thumbs->pdata[page];

  if (picture != NULL)
    gtk_picture_set_paintable (picture, thumb != NULL ? GDK_PAINTABLE (thumb->texture) : NULL);
}

static void
clear_document (ChPdfView *self)
{
  g_array_set_size (self->sizes, 0);
  g_array_set_size (self->offsets, 0);
  g_ptr_array_set_size (self->rendered, 0);
  g_ptr_array_set_size (self->thumbs, 0);
  g_ptr_array_set_size (self->thumb_pictures, 0);
  g_array_set_size (self->matches, 0);
  self->current_match = -1;
  self->max_page_width = 0.0;
  self->total_height = 0.0;
  self->layout_zoom = 0.0;
  self->content_width = self->content_height = 0.0;
  self->pinned_page = -1;
  self->pending_page = -1;
  g_clear_pointer (&self->find_text, g_free);
  gtk_string_list_splice (self->thumb_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->thumb_model)), NULL);
}

static void
load_done (ChPdfView *self,
           Job       *job)
{
  self->loading = FALSE;
  g_clear_error (&self->error);
  gtk_spinner_stop (GTK_SPINNER (self->spinner));

  if (job->error != NULL)
    {
      self->error = g_error_copy (job->error);
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->status_page),
                                     g_error_matches (job->error, CH_PDF_VIEW_ERROR,
                                                      CH_PDF_VIEW_ERROR_ENCRYPTED)
                                     ? "channel-secure-symbolic" : "dialog-warning-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (self->status_page),
                                 _("Cannot Show This Document"));
      adw_status_page_set_description (ADW_STATUS_PAGE (self->status_page), job->error->message);
      ch_ui_stack_show (GTK_STACK (self->stack), "error");
    }
  else
    {
      g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

      g_array_append_vals (self->sizes, job->sizes->data, job->sizes->len);
      for (guint i = 0; i < self->sizes->len; i++)
        {
          self->max_page_width = MAX (self->max_page_width, page_size (self, i)->width);
          self->total_height += page_size (self, i)->height;
          g_ptr_array_add (labels, g_strdup_printf ("%u", i + 1));
        }
      g_ptr_array_add (labels, NULL);
      g_ptr_array_set_size (self->rendered, self->sizes->len);
      g_ptr_array_set_size (self->thumbs, self->sizes->len);
      g_ptr_array_set_size (self->thumb_pictures, self->sizes->len);
      gtk_string_list_splice (self->thumb_model, 0, 0, (const char *const *) labels->pdata);
      ch_ui_stack_show (GTK_STACK (self->stack), "document");
      gtk_widget_queue_resize (GTK_WIDGET (self->pages));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  update_page_ui (self);
  update_actions (self);
  g_signal_emit (self, signals[LOADED], 0, job->error == NULL);
}

static void scroll_to_match (ChPdfView *self);
static void update_match_label (ChPdfView *self);

static void
find_done (ChPdfView *self,
           Job       *job)
{
  guint current = ch_pdf_view_get_current_page (self);

  if (job->find_serial != self->find_serial || job->matches == NULL)
    return;
  g_array_set_size (self->matches, 0);
  g_array_append_vals (self->matches, job->matches->data, job->matches->len);
  self->current_match = self->matches->len > 0 ? 0 : -1;
  /* The first match from the page shown on. */
  for (guint i = 0; i < self->matches->len; i++)
    if (g_array_index (self->matches, Match, i).page >= current)
      {
        self->current_match = (int) i;
        break;
      }
  update_match_label (self);
  scroll_to_match (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->pages));
}

static gboolean
job_done (gpointer data)
{
  Job *job = data;
  ChPdfView *self = job->state->view;

  if (self == NULL || job->doc_serial != self->doc_serial)
    return G_SOURCE_REMOVE;

  switch (job->kind)
    {
    case JOB_LOAD:
      load_done (self, job);
      break;

    case JOB_RENDER:
      if (job->surface != NULL && job->page < n_pages (self))
        {
          Rendered *old = self->rendered->pdata[job->page];

          /* A stale zoom's render is better than a blank page until the
           * right one comes. */
          if (old == NULL || job->scale == render_scale (self, job->page))
            {
              g_clear_pointer (&self->rendered->pdata[job->page], rendered_free);
              self->rendered->pdata[job->page] = rendered_new (job->surface, job->scale);
              ((Rendered *) self->rendered->pdata[job->page])->used = ++self->use_counter;
              trim_cache (self);
              gtk_widget_queue_draw (GTK_WIDGET (self->pages));
            }
        }
      break;

    case JOB_THUMB:
      if (job->surface != NULL && job->page < n_pages (self))
        {
          g_clear_pointer (&self->thumbs->pdata[job->page], rendered_free);
          self->thumbs->pdata[job->page] = rendered_new (job->surface, job->scale);
          set_thumbnail_picture (self, job->page);
          trim_thumbs (self);
        }
      break;

    case JOB_FIND:
      find_done (self, job);
      break;

    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

/* ---- the pages widget ----------------------------------------------------------- */

static void
pages_value_changed (GtkAdjustment *adjustment,
                     ChPdfPages    *pages)
{
  ChPdfView *self = pages->view;

  if (self == NULL)
    return;
  gtk_widget_queue_draw (GTK_WIDGET (pages));
  update_page_ui (self);
  schedule_renders (self);
}

static void
pages_set_adjustment (ChPdfPages     *pages,
                      GtkAdjustment **slot,
                      GtkAdjustment  *adjustment)
{
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, pages_value_changed, pages);
      g_clear_object (slot);
    }
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (pages_value_changed), pages);
  gtk_widget_queue_allocate (GTK_WIDGET (pages));
}

static void
ch_pdf_pages_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ChPdfPages *pages = CH_PDF_PAGES (object);

  switch (prop_id)
    {
    case PAGES_PROP_HADJUSTMENT:
      g_value_set_object (value, pages->hadjustment);
      break;
    case PAGES_PROP_VADJUSTMENT:
      g_value_set_object (value, pages->vadjustment);
      break;
    case PAGES_PROP_HSCROLL_POLICY:
      g_value_set_enum (value, pages->hscroll_policy);
      break;
    case PAGES_PROP_VSCROLL_POLICY:
      g_value_set_enum (value, pages->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_pdf_pages_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ChPdfPages *pages = CH_PDF_PAGES (object);

  switch (prop_id)
    {
    case PAGES_PROP_HADJUSTMENT:
      pages_set_adjustment (pages, &pages->hadjustment, g_value_get_object (value));
      break;
    case PAGES_PROP_VADJUSTMENT:
      pages_set_adjustment (pages, &pages->vadjustment, g_value_get_object (value));
      break;
    case PAGES_PROP_HSCROLL_POLICY:
      if (pages->hscroll_policy != (GtkScrollablePolicy) g_value_get_enum (value))
        {
          pages->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (pages));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PAGES_PROP_VSCROLL_POLICY:
      if (pages->vscroll_policy != (GtkScrollablePolicy) g_value_get_enum (value))
        {
          pages->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (pages));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_pdf_pages_dispose (GObject *object)
{
  ChPdfPages *pages = CH_PDF_PAGES (object);

  if (pages->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (pages->hadjustment, pages_value_changed, pages);
  if (pages->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (pages->vadjustment, pages_value_changed, pages);
  g_clear_object (&pages->hadjustment);
  g_clear_object (&pages->vadjustment);
  pages->view = NULL;

  G_OBJECT_CLASS (ch_pdf_pages_parent_class)->dispose (object);
}

static void
ch_pdf_pages_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  ChPdfView *self = CH_PDF_PAGES (widget)->view;
  double scale, size = 0.0;

  /* The scrolled window decides on its scrollbars from this, as the
   * adjustments will then say. */
  *minimum = 0;
  if (self != NULL && n_pages (self) > 0)
    {
      scale = self->zoom * PX_PER_PT;
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        size = self->fit_width ? 0.0 : self->max_page_width * scale + 2 * GAP;
      else
        size = self->total_height * scale + (n_pages (self) + 1) * GAP;
    }
  *natural = (int) MIN (ceil (size), G_MAXINT / 2);
}

static void
ch_pdf_pages_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  ChPdfPages *pages = CH_PDF_PAGES (widget);

  if (pages->view != NULL)
    {
      pages->view->allocating = TRUE;
      pages_allocate (pages->view, width, height);
      pages->view->allocating = FALSE;
    }
}

static void
ch_pdf_pages_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  ChPdfPages *pages = CH_PDF_PAGES (widget);
  ChPdfView *self = pages->view;
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA shadow = { 0, 0, 0, 0.22f };
  static const GdkRGBA border = { 0, 0, 0, 0.12f };
  static const GdkRGBA found = { 0.96f, 0.83f, 0.18f, 0.45f };
  static const GdkRGBA current = { 1.0f, 0.47f, 0.0f, 0.55f };
  double dx, dy, scale;
  guint first, last;

  if (self == NULL || !visible_range (self, &first, &last))
    return;
  dx = -scroll_x (self);
  dy = -scroll_y (self);
  scale = layout_scale (self);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget)));
  for (guint i = first; i <= last; i++)
    {
      Rendered *r = self->rendered->pdata[i];
      graphene_rect_t rect;
      GskRoundedRect outline;

      page_rect (self, i, &rect);
      graphene_rect_offset (&rect, (float) dx, (float) dy);
      gsk_rounded_rect_init_from_rect (&outline, &rect, 0);
      gtk_snapshot_append_outset_shadow (snapshot, &outline, &shadow, 0, 1, 1, 4);
      gtk_snapshot_append_border (snapshot, &GSK_ROUNDED_RECT_INIT (rect.origin.x - 1, rect.origin.y - 1,
                                                                    rect.size.width + 2,
                                                                    rect.size.height + 2),
                                  (float[4]) { 1, 1, 1, 1 },
                                  (GdkRGBA[4]) { border, border, border, border });
      /* A render at a lower zoom stands in, blurred, until the right one
       * comes; one at a higher zoom does not: scaling a large texture down
       * costs the cairo renderer more than the render itself. */
      if (r != NULL && r->scale <= render_scale (self, i) + 1e-9)
        gtk_snapshot_append_texture (snapshot, r->texture, &rect);
      else
        gtk_snapshot_append_color (snapshot, &white, &rect);

      for (guint m = 0; m < self->matches->len; m++)
        {
          const Match *match = &g_array_index (self->matches, Match, m);

          if (match->page != i)
            continue;
          gtk_snapshot_append_color (snapshot, (int) m == self->current_match ? &current : &found,
                                     &GRAPHENE_RECT_INIT (rect.origin.x + (float) (match->x1 * scale),
                                                          rect.origin.y + (float) (match->y1 * scale),
                                                          (float) ((match->x2 - match->x1) * scale),
                                                          (float) ((match->y2 - match->y1) * scale)));
        }
    }
  gtk_snapshot_pop (snapshot);
}

static void
ch_pdf_pages_class_init (ChPdfPagesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ch_pdf_pages_get_property;
  object_class->set_property = ch_pdf_pages_set_property;
  object_class->dispose = ch_pdf_pages_dispose;
  widget_class->measure = ch_pdf_pages_measure;
  widget_class->size_allocate = ch_pdf_pages_size_allocate;
  widget_class->snapshot = ch_pdf_pages_snapshot;

  g_object_class_override_property (object_class, PAGES_PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PAGES_PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PAGES_PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PAGES_PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DOCUMENT);
}

static void
pages_pressed (GtkGestureClick *gesture,
               int              n_press,
               double           x,
               double           y,
               ChPdfPages      *pages)
{
  /* Focused, the keys scroll it: arrows, Page Up and Down, Home, End. */
  gtk_widget_grab_focus (GTK_WIDGET (pages));
}

static void
ch_pdf_pages_init (ChPdfPages *pages)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "pressed", G_CALLBACK (pages_pressed), pages);
  gtk_widget_add_controller (GTK_WIDGET (pages), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_focusable (GTK_WIDGET (pages), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (pages), GTK_OVERFLOW_HIDDEN);
}

/* ---- find ------------------------------------------------------------------------ */

static void
update_match_label (ChPdfView *self)
{
  g_autofree char *text = NULL;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->matches->len > 0)
    /* Translators: the match shown of those found, as in "3 of 12" */
    text = g_strdup_printf (_("%d of %u"), self->current_match + 1, self->matches->len);
  else if (self->find_text != NULL && *self->find_text != '\0')
    text = g_strdup (_("No matches"));
  gtk_label_set_text (GTK_LABEL (self->match_label), text != NULL ? text : "");
  if (self->matches->len == 0 && self->find_text != NULL && *self->find_text != '\0'
      && g_strcmp0 (query, self->find_text) == 0)
    gtk_widget_add_css_class (self->search_entry, "error");
  else
    gtk_widget_remove_css_class (self->search_entry, "error");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pdf.find-next", self->matches->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pdf.find-previous", self->matches->len > 0);
}

static void
scroll_to_match (ChPdfView *self)
{
  const Match *match;
  graphene_rect_t rect;
  double scale = layout_scale (self), top, bottom, value;

  if (self->current_match < 0 || self->layout_zoom <= 0.0 || self->offsets->len != n_pages (self))
    return;
  match = &g_array_index (self->matches, Match, self->current_match);
  page_rect (self, match->page, &rect);
  top = rect.origin.y + match->y1 * scale;
  bottom = rect.origin.y + match->y2 * scale;
  value = scroll_y (self);

  if (top < value || bottom > value + self->viewport_height)
    {
      double page_top = rect.origin.y - GAP / 2;

      /* The page from its top when the match is on screen so, else the
       * match a third down. */
      if (bottom <= page_top + self->viewport_height)
        value = page_top;
      else
        value = top - self->viewport_height / 3;
      set_scroll (self, value);
    }
  if (self->pages->hadjustment != NULL)
    {
      double left = rect.origin.x + match->x1 * scale, right = rect.origin.x + match->x2 * scale;
      double x = scroll_x (self);

      if (left < x || right > x + self->viewport_width)
        gtk_adjustment_set_value (self->pages->hadjustment, left - self->viewport_width / 3);
    }
  self->pinned_page = (int) match->page;
  self->pinned_value = scroll_y (self);
  update_page_ui (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->pages));
}

/* Starts searching for @text on the worker: Returns: (transfer none) the
 * job, or NULL when there is nothing to search */
static Job *
start_find (ChPdfView  *self,
            const char *text,
            gboolean    sync)
{
  Job *job;

  self->find_serial++;
  g_atomic_int_set (&self->state->find_serial, self->find_serial);
  g_free (self->find_text);
  self->find_text = g_strdup (text);
  g_array_set_size (self->matches, 0);
  self->current_match = -1;
  drop_jobs (self, JOB_FIND, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->pages));

  if (text == NULL || *text == '\0' || n_pages (self) == 0 || self->loading)
    {
      update_match_label (self);
      return NULL;
    }

  job = job_new (self->state, JOB_FIND, self->doc_serial);
  job->text = g_strdup (text);
  job->find_serial = self->find_serial;
  job->sync = sync;
  g_mutex_lock (&self->state->mutex);
  push_job_locked (self->state, job);
  g_mutex_unlock (&self->state->mutex);
  update_match_label (self);
  return job;
}

static void
move_match (ChPdfView *self,
            int        delta)
{
  int n = (int) self->matches->len;

  if (n == 0)
    return;
  self->current_match = ((self->current_match + delta) % n + n) % n;
  update_match_label (self);
  scroll_to_match (self);
}

static void
search_changed (GtkSearchEntry *entry,
                ChPdfView      *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  if (g_strcmp0 (text, self->find_text) != 0)
    start_find (self, text, FALSE);
}

static gboolean
search_key_pressed (GtkEventControllerKey *controller,
                    guint                  keyval,
                    guint                  keycode,
                    GdkModifierType        state,
                    ChPdfView             *self)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  /* Enter straight after typing: the search may still be waiting out the
   * entry's delay. */
  search_changed (GTK_SEARCH_ENTRY (self->search_entry), self);
  move_match (self, (state & GDK_SHIFT_MASK) ? -1 : 1);
  return TRUE;
}

static void
search_next_match (ChPdfView *self)
{
  move_match (self, 1);
}

static void
search_previous_match (ChPdfView *self)
{
  move_match (self, -1);
}

static void
search_stopped (ChPdfView *self)
{
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (self->search_bar), FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->pages));
}

static void
search_mode_changed (ChPdfView *self)
{
  if (!gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (self->search_bar)))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      start_find (self, NULL, FALSE);
    }
}

/* ---- toolbar and actions -------------------------------------------------------- */

static gboolean
update_idle_cb (gpointer data)
{
  ChPdfView *self = data;

  self->update_idle = 0;
  update_page_ui (self);
  update_actions (self);
  return G_SOURCE_REMOVE;
}

static void
update_page_ui (ChPdfView *self)
{
  guint n = n_pages (self);
  guint current = ch_pdf_view_get_current_page (self);
  g_autofree char *of = NULL;
  g_autofree char *number = NULL;
  g_autofree char *zoom = NULL;

  /* Labels changing size while the view is being allocated would queue a
   * resize in the middle of it. */
  if (self->allocating)
    {
      if (self->update_idle == 0)
        self->update_idle = g_idle_add (update_idle_cb, self);
      return;
    }

  /* Translators: after the page number entry, as in "3 of 12" */
  of = g_strdup_printf (_("of %u"), n);
  gtk_label_set_text (GTK_LABEL (self->page_label), n > 0 ? of : "");
  number = n > 0 ? g_strdup_printf ("%u", current + 1) : g_strdup ("");
  if (!gtk_widget_has_focus (gtk_widget_get_first_child (self->page_entry))
      && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->page_entry)), number) != 0)
    {
      self->updating_entry = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->page_entry), number);
      self->updating_entry = FALSE;
    }
  /* Translators: the zoom level, as in "125 %" */
  zoom = g_strdup_printf (_("%.0f %%"), self->zoom * 100.0);
  gtk_label_set_text (GTK_LABEL (self->zoom_label), zoom);

  if (n > 0)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "pdf.previous-page", current > 0);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "pdf.next-page", current + 1 < n);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PAGE]);
}

static void
update_actions (ChPdfView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean ready = n_pages (self) > 0;

  if (self->allocating)
    {
      update_page_ui (self);
      return;
    }

  gtk_widget_action_set_enabled (widget, "pdf.zoom-in", ready && self->zoom < ZOOM_MAX - 1e-6);
  gtk_widget_action_set_enabled (widget, "pdf.zoom-out", ready && self->zoom > ZOOM_MIN + 1e-6);
  gtk_widget_action_set_enabled (widget, "pdf.fit-width", ready);
  gtk_widget_action_set_enabled (widget, "pdf.thumbnails", ready);
  gtk_widget_action_set_enabled (widget, "pdf.find", ready);
  gtk_widget_action_set_enabled (widget, "pdf.print", self->bytes != NULL && !self->loading
                                                      && self->error == NULL);
  if (!ready)
    {
      gtk_widget_action_set_enabled (widget, "pdf.previous-page", FALSE);
      gtk_widget_action_set_enabled (widget, "pdf.next-page", FALSE);
    }
  gtk_widget_set_sensitive (self->page_entry, ready);
}

static void
zoom_step (ChPdfView *self,
           int        direction)
{
  double zoom = self->zoom;

  if (direction > 0)
    {
      zoom = ZOOM_MAX;
      for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
        if (zoom_steps[i] > self->zoom + 1e-3)
          {
            zoom = zoom_steps[i];
            break;
          }
    }
  else
    {
      zoom = ZOOM_MIN;
      for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
        if (zoom_steps[i - 1] < self->zoom - 1e-3)
          {
            zoom = zoom_steps[i - 1];
            break;
          }
    }
  ch_pdf_view_set_zoom (self, zoom);
}

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  zoom_step (CH_PDF_VIEW (widget), 1);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  zoom_step (CH_PDF_VIEW (widget), -1);
}

static void
next_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChPdfView *self = CH_PDF_VIEW (widget);

  ch_pdf_view_set_page (self, ch_pdf_view_get_current_page (self) + 1);
}

static void
previous_page_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ChPdfView *self = CH_PDF_VIEW (widget);
  guint current = ch_pdf_view_get_current_page (self);

  if (current > 0)
    ch_pdf_view_set_page (self, current - 1);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ChPdfView *self = CH_PDF_VIEW (widget);

  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (self->search_bar), TRUE);
  gtk_widget_grab_focus (self->search_entry);
}

static void
find_next_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_match (CH_PDF_VIEW (widget), 1);
}

static void
find_previous_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  move_match (CH_PDF_VIEW (widget), -1);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_autoptr (GError) error = NULL;

  if (!ch_pdf_view_print (CH_PDF_VIEW (widget), NULL, &error))
    ch_ui_toast (widget, error->message);
}

static void
page_entry_activated (GtkEntry  *entry,
                      ChPdfView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  char *end = NULL;
  guint64 number = g_ascii_strtoull (text, &end, 10);

  if (end != text && *end == '\0' && number >= 1 && number <= n_pages (self))
    ch_pdf_view_set_page (self, (guint) number - 1);
  gtk_widget_grab_focus (GTK_WIDGET (self->pages));
  update_page_ui (self);
}

static void
thumbnail_activated (GtkListView *list,
                     guint        position,
                     ChPdfView   *self)
{
  ch_pdf_view_set_page (self, position);
}

static void
queue_thumbnail (ChPdfView *self,
                 guint      page)
{
  Job *job;

  g_mutex_lock (&self->state->mutex);
  for (GList *l = self->state->jobs.head; l != NULL; l = l->next)
    {
      Job *other = l->data;

      if (other->kind == JOB_THUMB && other->page == page)
        {
          g_mutex_unlock (&self->state->mutex);
          return;
        }
    }
  job = job_new (self->state, JOB_THUMB, self->doc_serial);
  job->page = page;
  job->scale = thumb_scale (self, page);
  push_job_locked (self->state, job);
  g_mutex_unlock (&self->state->mutex);
}

static void
thumb_setup (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ChPdfView                *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_add_css_class (picture, "card");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (item, box);
}

static void
thumb_bind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ChPdfView                *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *picture = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_last_child (box);
  guint page = gtk_list_item_get_position (item);
  const PageSize *size;
  g_autofree char *accessible = NULL;

  if (page >= n_pages (self))
    return;
  size = page_size (self, page);
  gtk_widget_set_size_request (picture, (int) THUMB_WIDTH,
                               (int) round (THUMB_WIDTH * size->height / size->width));
  gtk_label_set_text (GTK_LABEL (label),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
  /* Translators: a thumbnail's name for screen readers */
  accessible = g_strdup_printf (_("Page %u"), page + 1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  g_object_set_data (G_OBJECT (item), "ch-pdf-page", GUINT_TO_POINTER (page + 1));
  self->thumb_pictures->pdata[page] = picture;
  set_thumbnail_picture (self, page);
  if (self->thumbs->pdata[page] == NULL && self->show_thumbnails)
    queue_thumbnail (self, page);
}

static void
thumb_unbind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ChPdfView                *self)
{
  guint page = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (item), "ch-pdf-page"));
  GtkWidget *box = gtk_list_item_get_child (item);

  if (page == 0)
    return;
  page--;
  g_object_set_data (G_OBJECT (item), "ch-pdf-page", NULL);
  gtk_picture_set_paintable (GTK_PICTURE (gtk_widget_get_first_child (box)), NULL);
  if (page < self->thumb_pictures->len)
    self->thumb_pictures->pdata[page] = NULL;
}

/* ---- building ------------------------------------------------------------------- */

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip,
             const char *action_name,
             gboolean    toggle)
{
  GtkWidget *button = toggle ? gtk_toggle_button_new () : gtk_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (button), icon_name);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static GtkWidget *
build_toolbar (ChPdfView *self)
{
  GtkWidget *toolbar = gtk_center_box_new ();
  GtkWidget *start = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *center = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *end = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  gtk_widget_add_css_class (toolbar, "toolbar");

  gtk_box_append (GTK_BOX (start), icon_button ("sidebar-show-symbolic", _("Show Thumbnails"),
                                                "pdf.thumbnails", TRUE));
  gtk_box_append (GTK_BOX (start), icon_button ("go-up-symbolic", _("Previous Page"),
                                                "pdf.previous-page", FALSE));
  gtk_box_append (GTK_BOX (start), icon_button ("go-down-symbolic", _("Next Page"),
                                                "pdf.next-page", FALSE));
  self->page_entry = gtk_entry_new ();
  gtk_editable_set_width_chars (GTK_EDITABLE (self->page_entry), 4);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->page_entry), 5);
  gtk_entry_set_alignment (GTK_ENTRY (self->page_entry), 0.5);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->page_entry), GTK_INPUT_PURPOSE_DIGITS);
  gtk_widget_set_valign (self->page_entry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->page_entry, _("Go to Page"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->page_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Page number"), -1);
  g_signal_connect (self->page_entry, "activate", G_CALLBACK (page_entry_activated), self);
  gtk_box_append (GTK_BOX (start), self->page_entry);
  self->page_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->page_label, "dim-label");
  gtk_widget_add_css_class (self->page_label, "numeric");
  gtk_box_append (GTK_BOX (start), self->page_label);

  gtk_box_append (GTK_BOX (center), icon_button ("zoom-out-symbolic", _("Zoom Out"),
                                                 "pdf.zoom-out", FALSE));
  self->zoom_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (self->zoom_label), 6);
  gtk_widget_add_css_class (self->zoom_label, "numeric");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->zoom_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Zoom level"), -1);
  gtk_box_append (GTK_BOX (center), self->zoom_label);
  gtk_box_append (GTK_BOX (center), icon_button ("zoom-in-symbolic", _("Zoom In"),
                                                 "pdf.zoom-in", FALSE));
  gtk_box_append (GTK_BOX (center), icon_button ("zoom-fit-best-symbolic", _("Fit Width"),
                                                 "pdf.fit-width", TRUE));

  gtk_box_append (GTK_BOX (end), icon_button ("edit-find-symbolic", _("Find in Document"),
                                              "pdf.find", FALSE));
  gtk_box_append (GTK_BOX (end), icon_button ("printer-symbolic", _("Print"), "pdf.print", FALSE));

  gtk_center_box_set_start_widget (GTK_CENTER_BOX (toolbar), start);
  gtk_center_box_set_center_widget (GTK_CENTER_BOX (toolbar), center);
  gtk_center_box_set_end_widget (GTK_CENTER_BOX (toolbar), end);
  return toolbar;
}

static GtkWidget *
build_search_bar (ChPdfView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkWidget *button;

  self->search_entry = gtk_search_entry_new ();
  gtk_editable_set_width_chars (GTK_EDITABLE (self->search_entry), 28);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Find in document"), -1);
  g_object_set (self->search_entry, "placeholder-text", _("Find in document"), NULL);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed), self);
  g_signal_connect_swapped (self->search_entry, "next-match", G_CALLBACK (search_next_match), self);
  g_signal_connect_swapped (self->search_entry, "previous-match", G_CALLBACK (search_previous_match),
                            self);
  g_signal_connect_swapped (self->search_entry, "stop-search", G_CALLBACK (search_stopped), self);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_pressed), self);
  gtk_widget_add_controller (self->search_entry, keys);
  gtk_box_append (GTK_BOX (box), self->search_entry);

  gtk_widget_add_css_class (buttons, "linked");
  button = icon_button ("go-up-symbolic", _("Previous Match"), "pdf.find-previous", FALSE);
  gtk_widget_remove_css_class (button, "flat");
  gtk_box_append (GTK_BOX (buttons), button);
  button = icon_button ("go-down-symbolic", _("Next Match"), "pdf.find-next", FALSE);
  gtk_widget_remove_css_class (button, "flat");
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);

  self->match_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (self->match_label), 10);
  gtk_label_set_xalign (GTK_LABEL (self->match_label), 0.0);
  gtk_widget_add_css_class (self->match_label, "dim-label");
  gtk_widget_add_css_class (self->match_label, "numeric");
  gtk_box_append (GTK_BOX (box), self->match_label);

  self->search_bar = gtk_search_bar_new ();
  gtk_search_bar_set_child (GTK_SEARCH_BAR (self->search_bar), box);
  gtk_search_bar_connect_entry (GTK_SEARCH_BAR (self->search_bar), GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_show_close_button (GTK_SEARCH_BAR (self->search_bar), TRUE);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (search_mode_changed), self);
  return self->search_bar;
}

static GtkWidget *
build_document (ChPdfView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *selection;

  g_signal_connect (factory, "setup", G_CALLBACK (thumb_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (thumb_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (thumb_unbind), self);
  self->thumb_model = gtk_string_list_new (NULL);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->thumb_model)));
  self->thumb_list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), factory);
  gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (self->thumb_list), TRUE);
  gtk_widget_add_css_class (self->thumb_list, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thumb_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Page thumbnails"), -1);
  g_signal_connect (self->thumb_list, "activate", G_CALLBACK (thumbnail_activated), self);

  self->sidebar = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->sidebar), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->sidebar), self->thumb_list);
  gtk_widget_set_size_request (self->sidebar, (int) THUMB_WIDTH + 48, -1);
  gtk_widget_set_visible (self->sidebar, FALSE);
  gtk_box_append (GTK_BOX (box), self->sidebar);

  self->pages = g_object_new (CH_TYPE_PDF_PAGES, NULL);
  self->pages->view = self;
  self->scroller = gtk_scrolled_window_new ();
  gtk_widget_set_hexpand (self->scroller, TRUE);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->pages));
  gtk_box_append (GTK_BOX (box), self->scroller);
  return box;
}

static void
scale_factor_changed (ChPdfView *self)
{
  schedule_renders (self);
}

/* ---- GObject --------------------------------------------------------------------- */

static void
ch_pdf_view_dispose (GObject *object)
{
  ChPdfView *self = CH_PDF_VIEW (object);

  if (self->state != NULL)
    {
      GQueue dropped = G_QUEUE_INIT;

      /* The worker finishes the job it is on, posts it to no one, and goes,
       * dropping its document and its hold on the state. Nobody waits. */
      g_mutex_lock (&self->state->mutex);
      self->state->quit = TRUE;
      self->state->view = NULL;
      g_atomic_int_inc (&self->state->find_serial);
      g_atomic_int_inc (&self->state->doc_serial);
      dropped = self->state->jobs;
      g_queue_init (&self->state->jobs);
      g_cond_broadcast (&self->state->cond);
      g_mutex_unlock (&self->state->mutex);
      g_queue_clear_full (&dropped, (GDestroyNotify) job_free);
      g_clear_pointer (&self->thread, g_thread_unref);
      g_clear_pointer (&self->state, state_unref);
    }
  g_clear_handle_id (&self->update_idle, g_source_remove);
  if (self->pages != NULL)
    self->pages->view = NULL;
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->thumb_model);
  g_clear_pointer (&self->bytes, g_bytes_unref);

  G_OBJECT_CLASS (ch_pdf_view_parent_class)->dispose (object);
}

static void
ch_pdf_view_finalize (GObject *object)
{
  ChPdfView *self = CH_PDF_VIEW (object);

  g_clear_error (&self->error);
  g_array_unref (self->sizes);
  g_array_unref (self->offsets);
  g_ptr_array_unref (self->rendered);
  g_ptr_array_unref (self->thumbs);
  g_ptr_array_unref (self->thumb_pictures);
  g_array_unref (self->matches);
  g_free (self->find_text);

  G_OBJECT_CLASS (ch_pdf_view_parent_class)->finalize (object);
}

static void
ch_pdf_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ChPdfView *self = CH_PDF_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_FIT_WIDTH:
      g_value_set_boolean (value, self->fit_width);
      break;
    case PROP_SHOW_THUMBNAILS:
      g_value_set_boolean (value, self->show_thumbnails);
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, n_pages (self));
      break;
    case PROP_CURRENT_PAGE:
      g_value_set_uint (value, ch_pdf_view_get_current_page (self));
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_pdf_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ChPdfView *self = CH_PDF_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      ch_pdf_view_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_FIT_WIDTH:
      ch_pdf_view_set_fit_width (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_THUMBNAILS:
      ch_pdf_view_set_show_thumbnails (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_pdf_view_class_init (ChPdfViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ch_pdf_view_dispose;
  object_class->finalize = ch_pdf_view_finalize;
  object_class->get_property = ch_pdf_view_get_property;
  object_class->set_property = ch_pdf_view_set_property;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FIT_WIDTH] =
    g_param_spec_boolean ("fit-width", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_THUMBNAILS] =
    g_param_spec_boolean ("show-thumbnails", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURRENT_PAGE] =
    g_param_spec_uint ("current-page", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ChPdfView::loaded:
   * @success: whether the pages are shown; else ch_pdf_view_get_error() says why
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (widget_class, "pdf.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "pdf.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_property_action (widget_class, "pdf.fit-width", "fit-width");
  gtk_widget_class_install_action (widget_class, "pdf.next-page", NULL, next_page_action);
  gtk_widget_class_install_action (widget_class, "pdf.previous-page", NULL, previous_page_action);
  gtk_widget_class_install_action (widget_class, "pdf.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "pdf.find-next", NULL, find_next_action);
  gtk_widget_class_install_action (widget_class, "pdf.find-previous", NULL, find_previous_action);
  gtk_widget_class_install_action (widget_class, "pdf.print", NULL, print_action);
  gtk_widget_class_install_property_action (widget_class, "pdf.thumbnails", "show-thumbnails");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pdfview");
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  keyval,
              GdkModifierType        modifiers,
              const char            *action_name)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (keyval, modifiers),
                                                          gtk_named_action_new (action_name)));
}

static void
ch_pdf_view_init (ChPdfView *self)
{
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  GtkShortcutController *sc = GTK_SHORTCUT_CONTROLLER (shortcuts);
  GtkWidget *loading = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *label;

  self->zoom = 1.0;
  self->pending_page = -1;
  self->pinned_page = -1;
  self->current_match = -1;
  self->sizes = g_array_new (FALSE, FALSE, sizeof (PageSize));
  self->offsets = g_array_new (FALSE, FALSE, sizeof (double));
  self->rendered = g_ptr_array_new_with_free_func ((GDestroyNotify) rendered_free);
  self->thumbs = g_ptr_array_new_with_free_func ((GDestroyNotify) rendered_free);
  self->thumb_pictures = g_ptr_array_new ();
  self->matches = g_array_new (FALSE, FALSE, sizeof (Match));

  self->state = g_new0 (State, 1);
  g_atomic_ref_count_init (&self->state->ref);
  g_mutex_init (&self->state->mutex);
  g_cond_init (&self->state->cond);
  g_cond_init (&self->state->done_cond);
  g_queue_init (&self->state->jobs);
  self->state->context = g_main_context_ref_thread_default ();
  self->state->view = self;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_box_append (GTK_BOX (self->box), build_toolbar (self));
  gtk_box_append (GTK_BOX (self->box), build_search_bar (self));
  gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_stack_add_named (GTK_STACK (self->stack), gtk_box_new (GTK_ORIENTATION_VERTICAL, 0), "empty");

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_size_request (self->spinner, 32, 32);
  label = gtk_label_new (_("Opening the document…"));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_valign (loading, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (loading, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (loading), self->spinner);
  gtk_box_append (GTK_BOX (loading), label);
  gtk_stack_add_named (GTK_STACK (self->stack), loading, "loading");

  self->status_page = adw_status_page_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), self->status_page, "error");
  gtk_stack_add_named (GTK_STACK (self->stack), build_document (self), "document");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  gtk_box_append (GTK_BOX (self->box), self->stack);

  add_shortcut (sc, GDK_KEY_plus, GDK_CONTROL_MASK, "pdf.zoom-in");
  add_shortcut (sc, GDK_KEY_equal, GDK_CONTROL_MASK, "pdf.zoom-in");
  add_shortcut (sc, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "pdf.zoom-in");
  add_shortcut (sc, GDK_KEY_minus, GDK_CONTROL_MASK, "pdf.zoom-out");
  add_shortcut (sc, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "pdf.zoom-out");
  add_shortcut (sc, GDK_KEY_0, GDK_CONTROL_MASK, "pdf.fit-width");
  add_shortcut (sc, GDK_KEY_Page_Down, GDK_CONTROL_MASK, "pdf.next-page");
  add_shortcut (sc, GDK_KEY_Page_Up, GDK_CONTROL_MASK, "pdf.previous-page");
  add_shortcut (sc, GDK_KEY_f, GDK_CONTROL_MASK, "pdf.find");
  add_shortcut (sc, GDK_KEY_p, GDK_CONTROL_MASK, "pdf.print");
  add_shortcut (sc, GDK_KEY_F9, 0, "pdf.thumbnails");
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_changed), NULL);
  update_page_ui (self);
  update_actions (self);
}

/* ---- API --------------------------------------------------------------------------- */

GtkWidget *
ch_pdf_view_new (void)
{
  return g_object_new (CH_TYPE_PDF_VIEW, NULL);
}

void
ch_pdf_view_load (ChPdfView *self,
                  GBytes    *pdf)
{
  Job *job;

  g_return_if_fail (CH_IS_PDF_VIEW (self));
  g_return_if_fail (pdf != NULL);

  /* Whatever the worker had queued was for the document before. */
  self->doc_serial++;
  g_atomic_int_set (&self->state->doc_serial, self->doc_serial);
  drop_jobs (self, JOB_RENDER, NULL);
  drop_jobs (self, JOB_THUMB, NULL);
  drop_jobs (self, JOB_FIND, NULL);
  drop_jobs (self, JOB_LOAD, NULL);
  clear_document (self);
  g_clear_error (&self->error);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  self->bytes = g_bytes_ref (pdf);
  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (self->search_bar), FALSE);

  ensure_worker (self);
  job = job_new (self->state, JOB_LOAD, self->doc_serial);
  job->bytes = g_bytes_ref (pdf);
  g_mutex_lock (&self->state->mutex);
  push_job_locked (self->state, job);
  g_mutex_unlock (&self->state->mutex);

  gtk_spinner_start (GTK_SPINNER (self->spinner));
  ch_ui_stack_show (GTK_STACK (self->stack), "loading");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  update_page_ui (self);
  update_actions (self);
}

const GError *
ch_pdf_view_get_error (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), NULL);
  return self->error;
}

gboolean
ch_pdf_view_get_loading (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);
  return self->loading;
}

guint
ch_pdf_view_get_n_pages (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), 0);
  return n_pages (self);
}

gboolean
ch_pdf_view_get_page_size (ChPdfView *self,
                           guint      page,
                           double    *out_width,
                           double    *out_height)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);

  if (page >= n_pages (self))
    return FALSE;
  if (out_width != NULL)
    *out_width = page_size (self, page)->width;
  if (out_height != NULL)
    *out_height = page_size (self, page)->height;
  return TRUE;
}

guint
ch_pdf_view_get_current_page (ChPdfView *self)
{
  double value;

  g_return_val_if_fail (CH_IS_PDF_VIEW (self), 0);

  if (n_pages (self) == 0)
    return 0;
  if (self->pending_page >= 0)
    return (guint) self->pending_page;
  if (self->layout_zoom <= 0.0 || self->offsets->len != n_pages (self))
    return 0;
  value = scroll_y (self);
  if (self->pinned_page >= 0 && fabs (value - self->pinned_value) < 0.5)
    return (guint) self->pinned_page;
  return page_at (self, value + GAP);
}

void
ch_pdf_view_set_page (ChPdfView *self,
                      guint      page)
{
  g_return_if_fail (CH_IS_PDF_VIEW (self));

  if (page >= n_pages (self))
    return;
  if (self->layout_zoom <= 0.0 || self->layout_zoom != self->zoom
      || self->offsets->len != n_pages (self) || self->pages->vadjustment == NULL
      || self->viewport_height <= 0)
    {
      self->pending_page = (int) page;
      gtk_widget_queue_allocate (GTK_WIDGET (self->pages));
      update_page_ui (self);
      return;
    }
  scroll_to_page (self, page);
}

double
ch_pdf_view_get_zoom (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), 1.0);
  return self->zoom;
}

static void
set_zoom (ChPdfView *self,
          double     zoom)
{
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - self->zoom) < 1e-9)
    return;
  self->zoom = zoom;
  gtk_widget_queue_resize (GTK_WIDGET (self->pages));
  update_page_ui (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
ch_pdf_view_set_zoom (ChPdfView *self,
                      double     zoom)
{
  g_return_if_fail (CH_IS_PDF_VIEW (self));

  ch_pdf_view_set_fit_width (self, FALSE);
  set_zoom (self, zoom);
}

gboolean
ch_pdf_view_get_fit_width (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);
  return self->fit_width;
}

void
ch_pdf_view_set_fit_width (ChPdfView *self,
                           gboolean   fit_width)
{
  g_return_if_fail (CH_IS_PDF_VIEW (self));

  fit_width = !!fit_width;
  if (self->fit_width == fit_width)
    return;
  self->fit_width = fit_width;
  if (fit_width && n_pages (self) > 0 && self->viewport_width > 0)
    set_zoom (self, fit_width_zoom (self));
  gtk_widget_queue_resize (GTK_WIDGET (self->pages));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT_WIDTH]);
}

gboolean
ch_pdf_view_get_show_thumbnails (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);
  return self->show_thumbnails;
}

void
ch_pdf_view_set_show_thumbnails (ChPdfView *self,
                                 gboolean   show_thumbnails)
{
  g_return_if_fail (CH_IS_PDF_VIEW (self));

  show_thumbnails = !!show_thumbnails;
  if (self->show_thumbnails == show_thumbnails)
    return;
  self->show_thumbnails = show_thumbnails;
  gtk_widget_set_visible (self->sidebar, show_thumbnails);
  if (!show_thumbnails)
    drop_jobs (self, JOB_THUMB, NULL);
  else
    for (guint i = 0; i < self->thumb_pictures->len; i++)
      if (self->thumb_pictures->pdata[i] != NULL && self->thumbs->pdata[i] == NULL)
        queue_thumbnail (self, i);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_THUMBNAILS]);
}

guint
ch_pdf_view_find (ChPdfView  *self,
                  const char *text)
{
  Job *job;

  g_return_val_if_fail (CH_IS_PDF_VIEW (self), 0);

  job = start_find (self, text, TRUE);
  if (job == NULL)
    return 0;
  g_mutex_lock (&self->state->mutex);
  while (!job->done)
    g_cond_wait (&self->state->done_cond, &self->state->mutex);
  g_mutex_unlock (&self->state->mutex);

  /* The find bar shows the same search. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text) != 0)
    {
      g_signal_handlers_block_by_func (self->search_entry, search_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed, self);
    }
  find_done (self, job);
  job_free (job);
  return self->matches->len;
}

guint
ch_pdf_view_get_n_matches (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), 0);
  return self->matches->len;
}

int
ch_pdf_view_get_current_match (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), -1);
  return self->current_match;
}

gboolean
ch_pdf_view_print (ChPdfView   *self,
                   const char  *export_path,
                   GError     **error)
{
  GtkRoot *root;

  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->bytes == NULL || self->loading || self->error != NULL)
    {
      g_set_error_literal (error, CH_PDF_VIEW_ERROR, CH_PDF_VIEW_ERROR_NO_DOCUMENT,
                           _("There is no document to print."));
      return FALSE;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  return ch_ui_print_pdf (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->bytes,
                          _("Document"), export_path, error);
}

cairo_surface_t *
ch_pdf_view_get_page_surface_for_testing (ChPdfView *self,
                                          guint      page)
{
  Rendered *r;

  g_return_val_if_fail (CH_IS_PDF_VIEW (self), NULL);

  if (page >= self->rendered->len || (r = self->rendered->pdata[page]) == NULL)
    return NULL;
  return r->surface;
}

cairo_surface_t *
ch_pdf_view_get_thumbnail_surface_for_testing (ChPdfView *self,
                                               guint      page)
{
  Rendered *r;

  g_return_val_if_fail (CH_IS_PDF_VIEW (self), NULL);

  if (page >= self->thumbs->len || (r = self->thumbs->pdata[page]) == NULL)
    return NULL;
  return r->surface;
}

gboolean
ch_pdf_view_get_page_area_for_testing (ChPdfView       *self,
                                       guint            page,
                                       graphene_rect_t *out_page,
                                       graphene_rect_t *out_visible)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), FALSE);

  if (page >= n_pages (self) || self->layout_zoom <= 0.0 || self->offsets->len != n_pages (self))
    return FALSE;
  page_rect (self, page, out_page);
  graphene_rect_init (out_visible, (float) scroll_x (self), (float) scroll_y (self),
                      (float) self->viewport_width, (float) self->viewport_height);
  return TRUE;
}

GtkListView *
ch_pdf_view_get_thumbnails_for_testing (ChPdfView *self)
{
  g_return_val_if_fail (CH_IS_PDF_VIEW (self), NULL);
  return GTK_LIST_VIEW (self->thumb_list);
}
