/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ch-session.h"
#include "ch-user-item.h"

G_BEGIN_DECLS

typedef enum
{
  CH_USER_DIALOG_ADD,
  CH_USER_DIALOG_PASSWORD,
  CH_USER_DIALOG_ENABLE,
  CH_USER_DIALOG_ROLE,
} ChUserDialogMode;

#define CH_TYPE_USER_DIALOG (ch_user_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChUserDialog, ch_user_dialog, CH, USER_DIALOG, AdwWindow)

GtkWidget        *ch_user_dialog_new      (GtkWindow        *parent,
                                           ChSession        *session,
                                           ChUserDialogMode  mode,
                                           ChUserItem       *user);
ChUserDialogMode  ch_user_dialog_get_mode (ChUserDialog     *self);
gboolean          ch_user_dialog_get_busy (ChUserDialog     *self);

G_END_DECLS
