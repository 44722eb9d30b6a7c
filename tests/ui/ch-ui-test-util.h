/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-application.h"
#include "ch-session.h"
#include "ch-window.h"

G_BEGIN_DECLS

#define CH_UI_TEST_TIMEOUT_MS 20000

/* Iterates the main context until @expr holds, for at most @ms; then
 * asserts it, so that a timeout fails with the expression. */
#define CH_UI_TEST_WAIT_UNTIL(expr, ms)                                   \
  G_STMT_START {                                                          \
    gint64 _ch_end = g_get_monotonic_time () + (gint64) (ms) * 1000;      \
    while (!(expr) && g_get_monotonic_time () < _ch_end)                  \
      ch_ui_test_iterate ();                                              \
    g_assert_true (expr);                                                 \
  } G_STMT_END

#define CH_UI_TEST_WAIT(expr) CH_UI_TEST_WAIT_UNTIL (expr, CH_UI_TEST_TIMEOUT_MS)

void           ch_ui_test_init            (int          *argc,
                                           char       ***argv);
void           ch_ui_test_iterate         (void);
void           ch_ui_test_spin            (guint         ms);
char          *ch_ui_test_make_demo       (void);
char          *ch_ui_test_make_tmp_dir    (void);
void           ch_ui_test_remove_dir      (const char   *dir);
ChSession     *ch_ui_test_login           (const char   *dir,
                                           const char   *username,
                                           const char   *password);
ChApplication *ch_ui_test_get_app         (void);
ChWindow      *ch_ui_test_window_new      (const char   *dir);
void           ch_ui_test_window_sign_in  (ChWindow     *window,
                                           const char   *username,
                                           const char   *password);
void           ch_ui_test_window_destroy  (ChWindow     *window);
GtkWindow     *ch_ui_test_find_toplevel   (GType         type,
                                           GtkWindow    *transient_for);
void           ch_ui_test_respond         (gpointer      message_dialog,
                                           const char   *response);
GObject       *ch_ui_test_child           (gpointer      widget,
                                           GType         type,
                                           const char   *name);
void           ch_ui_test_set_text        (gpointer      editable,
                                           const char   *text);
gboolean       ch_ui_test_press_key       (gpointer      widget,
                                           guint         keyval,
                                           GdkModifierType modifiers);
gboolean       ch_ui_test_click           (gpointer      widget,
                                           int           n_press,
                                           double        x,
                                           double        y);
gboolean       ch_ui_test_strv_contains   (char        **strv,
                                           const char   *str);
/* Opens patient @patient_id's chart from the Patients section of
 * @main_page (a ChMainPage) and waits until it and @session are idle.
 * Returns: (transfer none): the ChPatientView */
GtkWidget     *ch_ui_test_open_chart      (GtkWidget    *main_page,
                                           ChSession    *session,
                                           gint64        patient_id);

G_END_DECLS
