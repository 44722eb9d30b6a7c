/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-user-item"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-roles.h"
#include "ch-user-item.h"

struct _ChUserItem
{
  GObject   parent_instance;

  char     *username;
  char     *display_name;
  char     *role;
  char     *role_label;
  gboolean  disabled;
};

G_DEFINE_FINAL_TYPE (ChUserItem, ch_user_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USERNAME,
  PROP_DISPLAY_NAME,
  PROP_ROLE,
  PROP_ROLE_LABEL,
  PROP_DISABLED,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ChUserItem *
ch_user_item_new (const ChUserRecord *record)
{
  ChUserItem *self;
  ChRole role;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (CH_TYPE_USER_ITEM, NULL);
  self->username = g_strdup (record->username);
  self->display_name = g_strdup (record->display_name != NULL ? record->display_name : "");
  self->role = g_strdup (record->role);
  self->disabled = record->disabled;

  if (ch_role_from_string (record->role, &role))
    self->role_label = g_strdup (ch_role_get_label (role));
  else
    self->role_label = g_strdup (record->role);

  return self;
}

const char *
ch_user_item_get_username (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), NULL);

  return self->username;
}

const char *
ch_user_item_get_display_name (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), NULL);

  return self->display_name;
}

const char *
ch_user_item_get_role (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), NULL);

  return self->role;
}

const char *
ch_user_item_get_role_label (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), NULL);

  return self->role_label;
}

gboolean
ch_user_item_get_disabled (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), FALSE);

  return self->disabled;
}

const char *
ch_user_item_get_status (ChUserItem *self)
{
  g_return_val_if_fail (CH_IS_USER_ITEM (self), NULL);

  return self->disabled ? _("Disabled") : _("Active");
}

static void
ch_user_item_finalize (GObject *object)
{
  ChUserItem *self = CH_USER_ITEM (object);

  g_free (self->username);
  g_free (self->display_name);
  g_free (self->role);
  g_free (self->role_label);

  G_OBJECT_CLASS (ch_user_item_parent_class)->finalize (object);
}

static void
ch_user_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ChUserItem *self = CH_USER_ITEM (object);

  switch (prop_id)
    {
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;

    case PROP_ROLE_LABEL:
      g_value_set_string (value, self->role_label);
      break;

    case PROP_DISABLED:
      g_value_set_boolean (value, self->disabled);
      break;

    case PROP_STATUS:
      g_value_set_string (value, ch_user_item_get_status (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_user_item_class_init (ChUserItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ch_user_item_finalize;
  object_class->get_property = ch_user_item_get_property;

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ROLE_LABEL] =
    g_param_spec_string ("role-label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_DISABLED] =
    g_param_spec_boolean ("disabled", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ch_user_item_init (ChUserItem *self)
{
}
