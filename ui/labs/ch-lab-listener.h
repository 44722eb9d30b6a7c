/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TYPE_LAB_LISTENER (ch_lab_listener_get_type ())
G_DECLARE_FINAL_TYPE (ChLabListener, ch_lab_listener, CH, LAB_LISTENER, GObject)

ChLabListener *ch_lab_listener_start          (GtkWidget     *widget,
                                               ChSession     *session,
                                               GError       **error);
void           ch_lab_listener_stop           (ChLabListener *self);
ChLabListener *ch_lab_listener_get_for        (GtkWidget     *widget);
guint16        ch_lab_listener_get_port       (ChLabListener *self);
const char    *ch_lab_listener_get_folder     (ChLabListener *self);
guint          ch_lab_listener_get_n_received (ChLabListener *self);
const char    *ch_lab_listener_get_last_word  (ChLabListener *self);

G_END_DECLS
