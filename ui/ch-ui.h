/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ch-session.h"

G_BEGIN_DECLS

void      ch_ui_init                (void);

/* A drop-down's choices: stored codes and their translatable labels, the
 * list ending with a NULL code. */
typedef struct
{
  const char *code;
  const char *context;  /* the msgctxt of label */
  const char *label;
} ChUiChoice;

GtkStringList *ch_ui_choice_model (const ChUiChoice *choices);
const char    *ch_ui_choice_code  (const ChUiChoice *choices,
                                   guint             position);
guint          ch_ui_choice_find  (const ChUiChoice *choices,
                                   const char       *code,
                                   guint             fallback);
const char    *ch_ui_choice_label (const ChUiChoice *choices,
                                   const char       *code);


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
/* Prints @pdf through GtkPrintOperation: the print dialog, or straight into
 * @export_path (a PDF file) when given. Returns: FALSE with @error on failure */
gboolean  ch_ui_print_pdf           (GtkWindow       *parent,
                                     GBytes          *pdf,
                                     const char      *job_name,
                                     const char      *export_path,
                                     GError         **error);
void      ch_ui_stack_show          (GtkStack        *stack,
                                     const char      *name);

G_END_DECLS
