/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-records.h"

G_BEGIN_DECLS

/* One row of the users list: a view of a ChUserRecord for GtkColumnView. */
#define CH_TYPE_USER_ITEM (ch_user_item_get_type ())
G_DECLARE_FINAL_TYPE (ChUserItem, ch_user_item, CH, USER_ITEM, GObject)

ChUserItem *ch_user_item_new              (const ChUserRecord *record);
const char *ch_user_item_get_username     (ChUserItem         *self);
const char *ch_user_item_get_display_name (ChUserItem         *self);
const char *ch_user_item_get_role         (ChUserItem         *self);
const char *ch_user_item_get_role_label   (ChUserItem         *self);
gboolean    ch_user_item_get_disabled     (ChUserItem         *self);
const char *ch_user_item_get_status       (ChUserItem         *self);

G_END_DECLS
