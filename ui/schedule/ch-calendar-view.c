/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-calendar-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ch-calendar-view.h"
#include "ch-schedule.h"

#define HEADER_HEIGHT 34.0
#define GUTTER_WIDTH  56.0
#define PX_PER_MIN    1.2
#define FIRST_MIN     (7 * 60)
#define LAST_MIN      (20 * 60)
#define SNAP_MIN      5
#define CURSOR_STEP   15
#define EDGE_PX       6.0
#define MIN_USEC      ((gint64) 60 * G_USEC_PER_SEC)

typedef enum
{
  DRAG_NONE,
  DRAG_MOVE,
  DRAG_RESIZE,
} DragMode;

typedef struct
{
  char   *title;
  char   *resource_id;
  gint64  day;
  GArray *hours;   /* of ChHours */
  gint64  day_end;        /* the next local midnight: 23 or 25 hours on when the clocks change */
  gboolean clocks_change;
} Column;

typedef struct
{
  const ChAppointment *appointment;
  guint                column;
  int                  minute;
} Placed;

/* A text as drawn, shaped once: a redraw shapes only what changed. */
typedef struct
{
  char          *text;
  int            width;    /* Pango units */
  int            height;
  gboolean       bold;
  GdkRGBA        color;
  GskRenderNode *node;     /* drawn at (0, 0) */
  guint64        drawing;  /* the last that used it */
} Text;

struct _ChCalendarView
{
  GtkWidget  parent_instance;

  GArray    *columns;       /* of Column */
  GPtrArray *appointments;  /* (element-type ChAppointment) */
  GArray    *placed;        /* of Placed: the shown ones, by column */
  GArray    *column_start;  /* of guint: where each column's begin in placed, then the end */
  GHashTable *texts;        /* of Text: those of the last drawing, shaped */
  guint      texts_serial;  /* of the PangoContext they were shaped in */
  guint64    drawing;       /* counts the drawings */
  gint64     selected;
  guint      cursor_column;
  int        cursor_minute;

  DragMode   drag;
  gint64     drag_id;
  double     drag_x0, drag_y0;
  guint      ghost_column;
  int        ghost_minute;
  int        ghost_duration;

  GtkAdjustment *vadjustment;   /* the scrolled window's, while mapped */
  GtkAdjustment *hadjustment;
};

G_DEFINE_FINAL_TYPE (ChCalendarView, ch_calendar_view, GTK_TYPE_WIDGET)

enum {
  BOOK,
  ACTIVATE_APPOINTMENT,
  MOVE_APPOINTMENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
column_clear (Column *column)
{
  g_free (column->title);
  g_free (column->resource_id);
  g_clear_pointer (&column->hours, g_array_unref);
}

/* ---- geometry ------------------------------------------------------------------ */

static double
column_width (ChCalendarView *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self)) - GUTTER_WIDTH;

  return self->columns->len ? MAX (40.0, width / self->columns->len) : width;
}

static double
minute_y (int minute)
{
  return HEADER_HEIGHT + (minute - FIRST_MIN) * PX_PER_MIN;
}

/* How far the scrolled window around the view has scrolled it: the column
 * titles stay at its top. */
static double
scrolled_by (ChCalendarView *self)
{
  return self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0.0;
}

/* The part of the view the scrolled window around it shows (all of it when
 * it is not scrolled). The view redraws as it scrolls, both ways. */
static void
visible_area (ChCalendarView  *self,
              graphene_rect_t *out_rect)
{
  GtkWidget *widget = GTK_WIDGET (self);
  float x = 0, y = 0, w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  if (self->hadjustment != NULL && gtk_adjustment_get_page_size (self->hadjustment) > 0)
    {
      x = (float) gtk_adjustment_get_value (self->hadjustment);
      w = (float) gtk_adjustment_get_page_size (self->hadjustment);
    }
  if (self->vadjustment != NULL && gtk_adjustment_get_page_size (self->vadjustment) > 0)
    {
      y = (float) gtk_adjustment_get_value (self->vadjustment);
      h = (float) gtk_adjustment_get_page_size (self->vadjustment);
    }
  graphene_rect_init (out_rect, x, y, w, h);
}

static gboolean
point_to_cell (ChCalendarView *self,
               double          x,
               double          y,
               guint          *out_column,
               int            *out_minute)
{
  double width = column_width (self);
  int column;

  if (x < GUTTER_WIDTH || y < HEADER_HEIGHT || y < scrolled_by (self) + HEADER_HEIGHT
      || self->columns->len == 0)
    return FALSE;
  column = (int) ((x - GUTTER_WIDTH) / width);
  if (column < 0 || (guint) column >= self->columns->len)
    return FALSE;
  *out_column = (guint) column;
  *out_minute = FIRST_MIN + (int) ((y - HEADER_HEIGHT) / PX_PER_MIN);
  return TRUE;
}

/* The column and minute of @a in this view, or FALSE when it is not shown. */
static gboolean
place (ChCalendarView      *self,
       const ChAppointment *a,
       guint               *out_column,
       int                 *out_minute)
{
  for (guint c = 0; c < self->columns->len; c++)
    {
      const Column *column = &g_array_index (self->columns, Column, c);

      if (a->start_at >= column->day && a->start_at < column->day_end
          && (g_strcmp0 (a->provider_id, column->resource_id) == 0
              || g_strcmp0 (a->room_id, column->resource_id) == 0))
        {
          *out_column = c;
          /* The wall clock's minute; only the day the clocks change needs the zone. */
          if (column->clocks_change)
            {
              g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
              g_autoptr (GDateTime) local = g_date_time_to_local (utc);

              *out_minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
            }
          else
            *out_minute = (int) ((a->start_at - column->day) / MIN_USEC);
          return TRUE;
        }
    }
  return FALSE;
}

static int
compare_column (gconstpointer a,
                gconstpointer b)
{
  const Placed *x = a, *y = b;

  return x->column < y->column ? -1 : x->column > y->column;
}

/* Sorts the shown appointments by column, so that laying out a block need
 * look only at its own column's for overlaps. The appointments are only
 * referenced, so this is redone before each drawing and hit test. */
static void
index_columns (ChCalendarView *self)
{
  guint p = 0;

  g_array_set_size (self->placed, 0);
  for (guint i = 0; self->appointments != NULL && i < self->appointments->len; i++)
    {
      Placed placed = { self->appointments->pdata[i], 0, 0 };

      if (place (self, placed.appointment, &placed.column, &placed.minute))
        g_array_append_val (self->placed, placed);
    }
  g_array_sort (self->placed, compare_column);
  g_array_set_size (self->column_start, self->columns->len + 1);
  for (guint c = 0; c <= self->columns->len; c++)
    {
      while (p < self->placed->len && g_array_index (self->placed, Placed, p).column < c)
        p++;
      g_array_index (self->column_start, guint, c) = p;
    }
}

static graphene_rect_t
appointment_rect (ChCalendarView      *self,
                  const ChAppointment *a,
                  guint                column,
                  int                  minute,
                  int                  duration)
{
  double width = column_width (self);
  guint lanes = 1, lane = 0;

  /* Side by side with the ones it overlaps (an overbooked time), of those
   * index_columns() found in its column. */
  for (guint i = g_array_index (self->column_start, guint, column);
       i < g_array_index (self->column_start, guint, column + 1); i++)
    {
      const Placed *placed = &g_array_index (self->placed, Placed, i);
      const ChAppointment *other = placed->appointment;
      int other_minute = placed->minute;

      if (other == a)
        continue;
      if (other_minute < minute + duration && other_minute + other->duration_min > minute)
        {
          lanes++;
          if (other_minute < minute || (other_minute == minute && other->id < a->id))
            lane++;
        }
    }
  return GRAPHENE_RECT_INIT ((float) (GUTTER_WIDTH + column * width + 2 + lane * (width - 4) / lanes),
                             (float) minute_y (minute) + 1,
                             (float) ((width - 4) / lanes - 2),
                             (float) MAX (duration * PX_PER_MIN - 2, 10));
}

static const ChAppointment *
hit (ChCalendarView *self,
     double          x,
     double          y,
     gboolean       *out_edge)
{
  index_columns (self);
  for (guint i = self->appointments ? self->appointments->len : 0; i > 0; i--)
    {
      const ChAppointment *a = self->appointments->pdata[i - 1];
      guint column;
      int minute;
      graphene_rect_t r;

      if (!place (self, a, &column, &minute))
        continue;
      r = appointment_rect (self, a, column, minute, a->duration_min);
      if (x >= r.origin.x && x <= r.origin.x + r.size.width && y >= r.origin.y
          && y <= r.origin.y + r.size.height)
        {
          if (out_edge)
            *out_edge = y >= r.origin.y + r.size.height - EDGE_PX;
          return a;
        }
    }
  return NULL;
}

/* ---- drawing --------------------------------------------------------------------- */

/* The block is the type's colour; a stripe down its left side says how far
 * the visit has got, and a visit over (done, no-show) fades, its text then
 * dark. Returns: whether it faded */
static gboolean
block_color (const ChAppointment *a,
             GdkRGBA             *color)
{
  if (a->type_color == NULL || !gdk_rgba_parse (color, a->type_color))
    gdk_rgba_parse (color, "#3584e4");
  if (g_strcmp0 (a->status, "done") != 0 && g_strcmp0 (a->status, "no-show") != 0)
    return FALSE;
  color->alpha = 0.25f;
  return TRUE;
}

static gboolean
status_color (const char *status,
              GdkRGBA    *color)
{
  static const struct { const char *status; const char *color; } colors[] = {
    { "confirmed", "#99c1f1" }, { "arrived", "#f6d32d" }, { "in-room", "#ffa348" },
    { "done", "#8ff0a4" }, { "no-show", "#ed333b" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    if (g_strcmp0 (colors[i].status, status) == 0)
      return gdk_rgba_parse (color, colors[i].color);
  return FALSE;
}

static guint
text_hash (gconstpointer data)
{
  const Text *t = data;

  return g_str_hash (t->text) ^ (guint) t->width ^ ((guint) t->height << 16) ^ (guint) t->bold;
}

static gboolean
text_equal (gconstpointer a,
            gconstpointer b)
{
  const Text *x = a, *y = b;

  return x->width == y->width && x->height == y->height && x->bold == y->bold
         && gdk_rgba_equal (&x->color, &y->color) && strcmp (x->text, y->text) == 0;
}

static void
text_free (gpointer data)
{
  Text *t = data;

  g_free (t->text);
  g_clear_pointer (&t->node, gsk_render_node_unref);
  g_free (t);
}

static gboolean
text_unused (gpointer key,
             gpointer value,
             gpointer drawing)
{
  return ((Text *) key)->drawing < *(guint64 *) drawing;
}

/* Before each drawing: which appointments each column shows, and of the
 * texts shaped, only those the last drawing used (none if the fonts have
 * changed since). */
static void
begin_drawing (ChCalendarView *self)
{
  guint serial = pango_context_get_serial (gtk_widget_get_pango_context (GTK_WIDGET (self)));

  index_columns (self);
  if (serial != self->texts_serial)
    g_hash_table_remove_all (self->texts);
  else
    g_hash_table_foreach_remove (self->texts, text_unused, &self->drawing);
  self->texts_serial = serial;
  self->drawing++;
}

static void
draw_text (ChCalendarView *self,
           GtkSnapshot    *snapshot,
           const char     *text,
           double          x,
           double          y,
           double          width,
           double          height,
           const GdkRGBA  *color,
           gboolean        bold)
{
  Text key = { (char *) (text ? text : ""), (int) (MAX (width, 1) * PANGO_SCALE),
               (int) (MAX (height, 1) * PANGO_SCALE), bold, *color, NULL, 0 };
  Text *shaped = g_hash_table_lookup (self->texts, &key);

  if (shaped == NULL)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      PangoAttrList *attrs = pango_attr_list_new ();
      GtkSnapshot *alone = gtk_snapshot_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (0.8));
      if (bold)
        pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_layout_set_width (layout, key.width);
      pango_layout_set_height (layout, key.height);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      gtk_snapshot_append_layout (alone, layout, color);
      shaped = g_memdup2 (&key, sizeof key);
      shaped->text = g_strdup (key.text);
      shaped->node = gtk_snapshot_free_to_node (alone);
      g_hash_table_add (self->texts, shaped);
      pango_attr_list_unref (attrs);
      g_object_unref (layout);
    }
  shaped->drawing = self->drawing;
  if (shaped->node == NULL)
    return;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_node (snapshot, shaped->node);
  gtk_snapshot_restore (snapshot);
}

static void
ch_calendar_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  ChCalendarView *self = CH_CALENDAR_VIEW (widget);
  double width = column_width (self);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, line, off, cursor, white = { 1, 1, 1, 1 }, working, band;
  /* Working time is the view's light ground, the titles' band the window's. */
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  graphene_rect_t visible;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  line = fg;
  line.alpha = 0.12;
  off = fg;
  off.alpha = 0.06;
  gdk_rgba_parse (&cursor, "#3584e4");
  gdk_rgba_parse (&working, dark ? "#1e1e1e" : "#ffffff");
  gdk_rgba_parse (&band, dark ? "#242424" : "#fafafa");
  cursor.alpha = 0.25;
  begin_drawing (self);

  /* Columns: shaded outside working hours and in breaks. */
  for (guint c = 0; c < self->columns->len; c++)
    {
      const Column *column = &g_array_index (self->columns, Column, c);
      double x = GUTTER_WIDTH + c * width;
      int last = FIRST_MIN;

      gtk_snapshot_append_color (snapshot, &off,
                                 &GRAPHENE_RECT_INIT ((float) x, HEADER_HEIGHT, (float) width,
                                                      (float) (height - HEADER_HEIGHT)));
      for (guint h = 0; h < column->hours->len; h++)
        {
          const ChHours *span = &g_array_index (column->hours, ChHours, h);

          if (span->is_break)
            continue;
          gtk_snapshot_append_color (snapshot, &working,
                                     &GRAPHENE_RECT_INIT ((float) x, (float) minute_y (span->start_min),
                                                          (float) width,
                                                          (float) ((span->end_min - span->start_min) * PX_PER_MIN)));
          last = MAX (last, span->end_min);
        }
      for (guint h = 0; h < column->hours->len; h++)
        {
          const ChHours *span = &g_array_index (column->hours, ChHours, h);

          if (span->is_break)
            gtk_snapshot_append_color (snapshot, &off,
                                       &GRAPHENE_RECT_INIT ((float) x, (float) minute_y (span->start_min),
                                                            (float) width,
                                                            (float) ((span->end_min - span->start_min) * PX_PER_MIN)));
        }
      (void) last;
      gtk_snapshot_append_color (snapshot, &line,
                                 &GRAPHENE_RECT_INIT ((float) x, 0, 1, (float) height));
    }

  /* Hours. */
  for (int minute = FIRST_MIN; minute <= LAST_MIN; minute += 60)
    {
      g_autofree char *label = g_strdup_printf ("%02d:00", minute / 60);

      gtk_snapshot_append_color (snapshot, &line,
                                 &GRAPHENE_RECT_INIT (GUTTER_WIDTH, (float) minute_y (minute),
                                                      (float) (width * self->columns->len), 1));
      draw_text (self, snapshot, label, 6, minute_y (minute) - 2, GUTTER_WIDTH - 10, 16, &fg, FALSE);
    }

  /* The keyboard's cursor. */
  if (gtk_widget_has_focus (widget) && self->cursor_column < self->columns->len)
    gtk_snapshot_append_color (snapshot, &cursor,
                               &GRAPHENE_RECT_INIT ((float) (GUTTER_WIDTH + self->cursor_column * width),
                                                    (float) minute_y (self->cursor_minute),
                                                    (float) width, (float) (CURSOR_STEP * PX_PER_MIN)));

  /* Appointments. */
  visible_area (self, &visible);
  for (guint i = 0; self->appointments != NULL && i < self->appointments->len; i++)
    {
      const ChAppointment *a = self->appointments->pdata[i];
      g_autoptr (GDateTime) utc = NULL;
      g_autoptr (GDateTime) local = NULL;
      g_autofree char *when = NULL;
      g_autofree char *text = NULL;
      guint column;
      int minute, duration = a->duration_min;
      graphene_rect_t r;
      GskRoundedRect rounded;
      GdkRGBA color, stripe;
      gboolean faded;

      if (!place (self, a, &column, &minute))
        continue;
      if (self->drag != DRAG_NONE && a->id == self->drag_id)
        {
          column = self->ghost_column;
          minute = self->ghost_minute;
          duration = self->ghost_duration;
        }
      r = appointment_rect (self, a, column, minute, duration);
      /* Only what is in sight: a week of twenty providers is mostly not. */
      if (!graphene_rect_intersection (&r, &visible, NULL))
        continue;
      utc = g_date_time_new_from_unix_utc (a->start_at / G_USEC_PER_SEC);
      local = g_date_time_to_local (utc);
      when = g_date_time_format (local, "%H:%M");
      faded = block_color (a, &color);
      /* Square corners: a rounded clip a block costs the cairo renderer
       * more than the rest of the block together. */
      gsk_rounded_rect_init_from_rect (&rounded, &r, 0);
      gtk_snapshot_append_color (snapshot, &color, &r);
      if (status_color (a->status, &stripe))
        gtk_snapshot_append_color (snapshot, &stripe,
                                   &GRAPHENE_RECT_INIT (r.origin.x, r.origin.y, 5, r.size.height));
      if (a->id == self->selected)
        {
          float widths[4] = { 2, 2, 2, 2 };
          GdkRGBA border[4];

          for (int k = 0; k < 4; k++)
            border[k] = fg;
          gtk_snapshot_append_border (snapshot, &rounded, widths, border);
        }
      if (g_strcmp0 (a->status, "booked") == 0)
        text = g_strdup_printf ("%s %s\n%s", when, a->patient_name, a->type_name);
      else
        /* Translators: time, patient, then type · status, in a calendar block */
        text = g_strdup_printf (_("%s %s\n%s · %s"), when, a->patient_name, a->type_name,
                                ch_schedule_status_label (a->status));
      draw_text (self, snapshot, text, r.origin.x + 7, r.origin.y + 2, r.size.width - 11,
                 r.size.height - 4, faded ? &fg : &white, FALSE);
    }

  /* The column titles, over whatever scrolled under them. */
  {
    double top = scrolled_by (self);

    gtk_snapshot_append_color (snapshot, &band,
                               &GRAPHENE_RECT_INIT (0, (float) top, (float) gtk_widget_get_width (widget),
                                                    HEADER_HEIGHT));
    gtk_snapshot_append_color (snapshot, &line,
                               &GRAPHENE_RECT_INIT (0, (float) (top + HEADER_HEIGHT - 1),
                                                    (float) gtk_widget_get_width (widget), 1));
    for (guint c = 0; c < self->columns->len; c++)
      draw_text (self, snapshot, g_array_index (self->columns, Column, c).title,
                 GUTTER_WIDTH + c * width + 6, top + 8, width - 12, HEADER_HEIGHT - 8, &fg, TRUE);
  }
}

static void
on_scrolled (ChCalendarView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ch_calendar_view_map (GtkWidget *widget)
{
  ChCalendarView *self = CH_CALENDAR_VIEW (widget);
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  GTK_WIDGET_CLASS (ch_calendar_view_parent_class)->map (widget);
  if (scroller != NULL)
    {
      self->vadjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
      self->hadjustment = g_object_ref (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller)));
      g_signal_connect_object (self->vadjustment, "value-changed", G_CALLBACK (on_scrolled), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->hadjustment, "value-changed", G_CALLBACK (on_scrolled), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->hadjustment, "notify::page-size", G_CALLBACK (on_scrolled), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->vadjustment, "notify::page-size", G_CALLBACK (on_scrolled), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
ch_calendar_view_unmap (GtkWidget *widget)
{
  ChCalendarView *self = CH_CALENDAR_VIEW (widget);

  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, on_scrolled, self);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, on_scrolled, self);
  g_clear_object (&self->vadjustment);
  g_clear_object (&self->hadjustment);
  GTK_WIDGET_CLASS (ch_calendar_view_parent_class)->unmap (widget);
}

static void
ch_calendar_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  ChCalendarView *self = CH_CALENDAR_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) GUTTER_WIDTH + 60 * (int) MAX (self->columns->len, 1);
      *natural = (int) GUTTER_WIDTH + 180 * (int) MAX (self->columns->len, 1);
    }
  else
    *minimum = *natural = (int) (minute_y (LAST_MIN) + 8);
}

/* ---- input ------------------------------------------------------------------------ */

static void
emit_book (ChCalendarView *self,
           guint           column,
           int             minute)
{
  g_signal_emit (self, signals[BOOK], 0, column, minute / SNAP_MIN * SNAP_MIN);
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            ChCalendarView  *self)
{
  const ChAppointment *a = hit (self, x, y, NULL);
  guint column;
  int minute;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (point_to_cell (self, x, y, &column, &minute))
    {
      self->cursor_column = column;
      self->cursor_minute = minute / CURSOR_STEP * CURSOR_STEP;
    }
  self->selected = a ? a->id : 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (n_press == 2)
    {
      if (a != NULL)
        g_signal_emit (self, signals[ACTIVATE_APPOINTMENT], 0, a->id);
      else if (point_to_cell (self, x, y, &column, &minute))
        emit_book (self, column, minute);
    }
}

static void
drag_begin (ChCalendarView *self,
            double          x,
            double          y)
{
  gboolean edge = FALSE;
  const ChAppointment *a = hit (self, x, y, &edge);

  self->drag = DRAG_NONE;
  if (a == NULL || g_strcmp0 (a->status, "cancelled") == 0)
    return;
  self->drag = edge ? DRAG_RESIZE : DRAG_MOVE;
  self->drag_id = a->id;
  self->drag_x0 = x;
  self->drag_y0 = y;
  place (self, a, &self->ghost_column, &self->ghost_minute);
  self->ghost_duration = a->duration_min;
  self->selected = a->id;
}

static const ChAppointment *
find (ChCalendarView *self,
      gint64          id)
{
  for (guint i = 0; self->appointments && i < self->appointments->len; i++)
    if (((ChAppointment *) self->appointments->pdata[i])->id == id)
      return self->appointments->pdata[i];
  return NULL;
}

static void
drag_update (ChCalendarView *self,
             double          dx,
             double          dy)
{
  const ChAppointment *a = find (self, self->drag_id);
  guint column;
  int minute;

  if (self->drag == DRAG_NONE || a == NULL || !place (self, a, &column, &minute))
    return;
  if (self->drag == DRAG_RESIZE)
    self->ghost_duration = MAX (SNAP_MIN, (int) ((a->duration_min + dy / PX_PER_MIN) / SNAP_MIN + 0.5)
                                          * SNAP_MIN);
  else
    {
      guint new_column;
      int new_minute;

      self->ghost_minute = (int) ((minute + dy / PX_PER_MIN) / SNAP_MIN + 0.5) * SNAP_MIN;
      if (point_to_cell (self, self->drag_x0 + dx, self->drag_y0, &new_column, &new_minute))
        self->ghost_column = new_column;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end (ChCalendarView *self)
{
  const ChAppointment *a = find (self, self->drag_id);
  guint column;
  int minute;
  DragMode mode = self->drag;

  self->drag = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (mode == DRAG_NONE || a == NULL || !place (self, a, &column, &minute))
    return;
  if (column == self->ghost_column && minute == self->ghost_minute
      && a->duration_min == self->ghost_duration)
    return;
  g_signal_emit (self, signals[MOVE_APPOINTMENT], 0, a->id, self->ghost_column, self->ghost_minute,
                 self->ghost_duration);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               ChCalendarView *self)
{
  drag_begin (self, x, y);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                ChCalendarView *self)
{
  drag_update (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             ChCalendarView *self)
{
  drag_update (self, dx, dy);
  drag_end (self);
}

void
ch_calendar_view_drag (ChCalendarView *self,
                       double          x0,
                       double          y0,
                       double          x1,
                       double          y1)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  drag_begin (self, x0, y0);
  drag_update (self, x1 - x0, y1 - y0);
  drag_end (self);
}

static const ChAppointment *
at_cursor (ChCalendarView *self)
{
  for (guint i = 0; self->appointments && i < self->appointments->len; i++)
    {
      const ChAppointment *a = self->appointments->pdata[i];
      guint column;
      int minute;

      if (place (self, a, &column, &minute) && column == self->cursor_column
          && minute < self->cursor_minute + CURSOR_STEP && minute + a->duration_min > self->cursor_minute)
        return a;
    }
  return NULL;
}

/* Keeps the cursor in sight, below the column titles. */
static void
scroll_to_cursor (ChCalendarView *self)
{
  double top, bottom, value, page;

  if (self->vadjustment == NULL)
    return;
  top = minute_y (self->cursor_minute);
  bottom = top + CURSOR_STEP * PX_PER_MIN;
  value = gtk_adjustment_get_value (self->vadjustment);
  page = gtk_adjustment_get_page_size (self->vadjustment);
  if (top < value + HEADER_HEIGHT)
    gtk_adjustment_set_value (self->vadjustment, top - HEADER_HEIGHT);
  else if (bottom > value + page)
    gtk_adjustment_set_value (self->vadjustment, bottom - page);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ChCalendarView        *self)
{
  const ChAppointment *a;

  /* Alt+arrows go to the next day or week, Ctrl+N books: the page's. */
  if (state & (GDK_ALT_MASK | GDK_CONTROL_MASK | GDK_SUPER_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
      if (self->cursor_column > 0)
        self->cursor_column--;
      break;
    case GDK_KEY_Right:
      if (self->cursor_column + 1 < self->columns->len)
        self->cursor_column++;
      break;
    case GDK_KEY_Up:
      self->cursor_minute = MAX (FIRST_MIN, self->cursor_minute - CURSOR_STEP);
      break;
    case GDK_KEY_Down:
      self->cursor_minute = MIN (LAST_MIN - CURSOR_STEP, self->cursor_minute + CURSOR_STEP);
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
      a = at_cursor (self);
      if (a != NULL)
        g_signal_emit (self, signals[ACTIVATE_APPOINTMENT], 0, a->id);
      else if (self->cursor_column < self->columns->len)
        emit_book (self, self->cursor_column, self->cursor_minute);
      return TRUE;
    default:
      return FALSE;
    }
  a = at_cursor (self);
  self->selected = a ? a->id : 0;
  scroll_to_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

/* ---- API ------------------------------------------------------------------------ */

GtkWidget *
ch_calendar_view_new (void)
{
  return g_object_new (CH_TYPE_CALENDAR_VIEW, NULL);
}

void
ch_calendar_view_set_columns (ChCalendarView         *self,
                              const ChCalendarColumn *columns,
                              guint                   n_columns)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  g_array_set_size (self->columns, 0);
  for (guint i = 0; i < n_columns; i++)
    {
      Column column = { g_strdup (columns[i].title), g_strdup (columns[i].resource_id),
                        columns[i].day, g_array_new (FALSE, FALSE, sizeof (ChHours)), 0, FALSE };
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (columns[i].day / G_USEC_PER_SEC);
      g_autoptr (GDateTime) midnight = g_date_time_to_local (utc);
      g_autoptr (GDateTime) next = g_date_time_add_days (midnight, 1);

      column.day_end = g_date_time_to_unix (next) * G_USEC_PER_SEC;
      column.clocks_change = column.day_end - column.day != (gint64) 24 * 60 * MIN_USEC;

      g_array_append_vals (column.hours, columns[i].hours, columns[i].n_hours);
      g_array_append_val (self->columns, column);
    }
  if (self->cursor_column >= n_columns)
    self->cursor_column = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
ch_calendar_view_set_appointments (ChCalendarView *self,
                                   GPtrArray      *appointments)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  self->appointments = appointments ? g_ptr_array_ref (appointments) : NULL;
  if (find (self, self->selected) == NULL)
    self->selected = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
ch_calendar_view_get_selected (ChCalendarView *self)
{
  g_return_val_if_fail (CH_IS_CALENDAR_VIEW (self), 0);

  return self->selected;
}

void
ch_calendar_view_get_cursor (ChCalendarView *self,
                             guint          *out_column,
                             int            *out_minute)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  *out_column = self->cursor_column;
  *out_minute = self->cursor_minute;
}

void
ch_calendar_view_set_cursor (ChCalendarView *self,
                             guint           column,
                             int             minute)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  self->cursor_column = column;
  self->cursor_minute = CLAMP (minute, FIRST_MIN, LAST_MIN - CURSOR_STEP);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ch_calendar_view_point (ChCalendarView *self,
                        guint           column,
                        int             minute,
                        double         *out_x,
                        double         *out_y)
{
  g_return_if_fail (CH_IS_CALENDAR_VIEW (self));

  *out_x = GUTTER_WIDTH + (column + 0.5) * column_width (self);
  *out_y = minute_y (minute);
}

static void
ch_calendar_view_finalize (GObject *object)
{
  ChCalendarView *self = CH_CALENDAR_VIEW (object);

  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  g_clear_pointer (&self->texts, g_hash_table_unref);
  g_clear_pointer (&self->placed, g_array_unref);
  g_clear_pointer (&self->column_start, g_array_unref);

  G_OBJECT_CLASS (ch_calendar_view_parent_class)->finalize (object);
}

static void
ch_calendar_view_class_init (ChCalendarViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ch_calendar_view_finalize;
  widget_class->snapshot = ch_calendar_view_snapshot;
  widget_class->map = ch_calendar_view_map;
  widget_class->unmap = ch_calendar_view_unmap;
  widget_class->measure = ch_calendar_view_measure;

  /**
   * ChCalendarView::book:
   * @column: the column
   * @minute: the local minute of the day, on a 5-minute step
   *
   * An empty time was double-clicked, or Enter pressed on it.
   */
  signals[BOOK] = g_signal_new ("book", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);
  signals[ACTIVATE_APPOINTMENT] = g_signal_new ("activate-appointment", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                                1, G_TYPE_INT64);
  /**
   * ChCalendarView::move-appointment:
   * @id: the appointment
   * @column: where it was dropped
   * @minute: its new start, local minute of the day
   * @duration: its new length in minutes
   */
  signals[MOVE_APPOINTMENT] = g_signal_new ("move-appointment", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                            G_TYPE_INT64, G_TYPE_UINT, G_TYPE_INT, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "calendar-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
ch_calendar_view_init (ChCalendarView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, (GDestroyNotify) column_clear);
  self->placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  self->column_start = g_array_new (FALSE, TRUE, sizeof (guint));
  self->texts = g_hash_table_new_full (text_hash, text_equal, text_free, NULL);
  self->cursor_minute = 9 * 60;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Appointments"), -1);

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}
