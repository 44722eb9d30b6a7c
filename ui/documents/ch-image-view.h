/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CH_TYPE_IMAGE_VIEW (ch_image_view_get_type ())
G_DECLARE_FINAL_TYPE (ChImageView, ch_image_view, CH, IMAGE_VIEW, GtkWidget)

GtkWidget    *ch_image_view_new         (void);
void          ch_image_view_load        (ChImageView *self,
                                         GBytes      *bytes);
const GError *ch_image_view_get_error   (ChImageView *self);
GdkTexture   *ch_image_view_get_texture (ChImageView *self);
double        ch_image_view_get_zoom    (ChImageView *self);
void          ch_image_view_set_zoom    (ChImageView *self,
                                         double       zoom);
gboolean      ch_image_view_get_fit     (ChImageView *self);
void          ch_image_view_set_fit     (ChImageView *self,
                                         gboolean     fit);
void          ch_image_view_get_pan     (ChImageView *self,
                                         double      *x,
                                         double      *y);
void          ch_image_view_pan_by      (ChImageView *self,
                                         double       dx,
                                         double       dy);

G_END_DECLS
