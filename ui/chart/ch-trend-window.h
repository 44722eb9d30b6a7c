/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-records.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* The code of blood pressure's two series together. */
#define CH_TREND_BLOOD_PRESSURE "blood-pressure"

#define CH_TYPE_TREND_WINDOW (ch_trend_window_get_type ())
G_DECLARE_FINAL_TYPE (ChTrendWindow, ch_trend_window, CH, TREND_WINDOW, AdwWindow)

GtkWidget  *ch_trend_window_new          (GtkWindow             *parent,
                                          ChSession             *session,
                                          const ChPatientRecord *patient,
                                          const char            *section,
                                          const char            *code,
                                          const char            *title);
gboolean    ch_trend_window_get_busy     (ChTrendWindow         *self);
guint       ch_trend_window_get_n_values (ChTrendWindow         *self);
gboolean    ch_trend_window_has_growth   (ChTrendWindow         *self);

G_END_DECLS
