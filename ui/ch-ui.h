/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-session.h"

G_BEGIN_DECLS

void      ch_ui_init                (void);

GTask    *ch_ui_session_task_new    (ChSession           *session,
                                     gpointer             source_object,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             callback_data);
gboolean  ch_ui_session_run_task    (GTask               *task,
                                     GTaskThreadFunc      func);
gboolean  ch_ui_session_is_busy     (ChSession           *session);
void      ch_ui_session_when_idle   (ChSession           *session,
                                     GObject             *owner,
                                     GCallback            callback);
void      ch_ui_session_watch_busy  (ChSession           *session,
                                     GObject             *owner,
                                     GCallback            callback);

char     *ch_ui_strdup_secret       (const char      *text);
void      ch_ui_free_secret         (char            *text);

void      ch_ui_close_transients    (GtkWindow       *parent);
void      ch_ui_toast               (GtkWidget       *widget,
                                     const char      *title);
void      ch_ui_set_row_error       (GtkWidget       *row,
                                     gboolean         error);
void      ch_ui_drop_focus_within   (GtkWidget       *widget);
void      ch_ui_set_input_sensitive (GtkWidget       *widget,
                                     gboolean         sensitive);
void      ch_ui_stack_show          (GtkStack        *stack,
                                     const char      *name);

G_END_DECLS
