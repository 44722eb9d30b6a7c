/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-list-model"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ch-patient-list-model.h"
#include "ch-records.h"

#define PAGE_SIZE 50

/* ---- ChPatientItem ------------------------------------------------------------ */

struct _ChPatientItem
{
  GObject  parent_instance;

  gint64   id;
  char    *mrn;
  char    *name;
  char    *birth_date;
  char    *age;
  char    *sex;
  char    *phone;
  char    *summary;
};

G_DEFINE_TYPE (ChPatientItem, ch_patient_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_MRN,
  ITEM_PROP_NAME,
  ITEM_PROP_BIRTH_DATE,
  ITEM_PROP_AGE,
  ITEM_PROP_SEX,
  ITEM_PROP_PHONE,
  ITEM_PROP_SUMMARY,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
ch_patient_item_finalize (GObject *object)
{
  ChPatientItem *self = CH_PATIENT_ITEM (object);

  g_free (self->mrn);
  g_free (self->name);
  g_free (self->birth_date);
  g_free (self->age);
  g_free (self->sex);
  g_free (self->phone);
  g_free (self->summary);

  G_OBJECT_CLASS (ch_patient_item_parent_class)->finalize (object);
}

static void
ch_patient_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ChPatientItem *self = CH_PATIENT_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID: g_value_set_int64 (value, self->id); break;
    case ITEM_PROP_MRN: g_value_set_string (value, self->mrn); break;
    case ITEM_PROP_NAME: g_value_set_string (value, self->name); break;
    case ITEM_PROP_BIRTH_DATE: g_value_set_string (value, self->birth_date); break;
    case ITEM_PROP_AGE: g_value_set_string (value, self->age); break;
    case ITEM_PROP_SEX: g_value_set_string (value, self->sex); break;
    case ITEM_PROP_PHONE: g_value_set_string (value, self->phone); break;
    case ITEM_PROP_SUMMARY: g_value_set_string (value, self->summary); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_patient_item_class_init (ChPatientItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ch_patient_item_finalize;
  object_class->get_property = ch_patient_item_get_property;

  item_properties[ITEM_PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_MRN] = g_param_spec_string ("mrn", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_BIRTH_DATE] = g_param_spec_string ("birth-date", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_AGE] = g_param_spec_string ("age", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_SEX] = g_param_spec_string ("sex", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
ch_patient_item_init (ChPatientItem *self)
{
}

/* "42 y" for adults, "2 y 3 mo" … "7 mo" … "12 d" for the youngest, from
 * @birth_date (YYYY-MM-DD) at @now. (transfer full) */
char *
ch_patient_age_text (const char *birth_date,
                     GDateTime  *now)
{
  int y, m, d;
  int years, months, days;

  if (birth_date == NULL || sscanf (birth_date, "%d-%d-%d", &y, &m, &d) != 3
      || !g_date_valid_dmy (d, m, y))
    return g_strdup ("");

  years = g_date_time_get_year (now) - y;
  months = g_date_time_get_month (now) - m;
  days = g_date_time_get_day_of_month (now) - d;
  if (days < 0)
    {
      months--;
      days += 30;
    }
  if (months < 0)
    {
      years--;
      months += 12;
    }
  if (years < 0)
    return g_strdup ("");

  if (years >= 3)
    return g_strdup_printf (C_("age", "%d y"), years);
  if (years >= 1)
    return g_strdup_printf (C_("age", "%d y %d mo"), years, months);
  if (months >= 1)
    return g_strdup_printf (C_("age", "%d mo"), months);
  return g_strdup_printf (C_("age", "%d d"), days);
}

static const char *
sex_label (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return C_("sex", "female");
  if (g_strcmp0 (sex, "male") == 0)
    return C_("sex", "male");
  if (g_strcmp0 (sex, "other") == 0)
    return C_("sex", "other");
  return C_("sex", "unknown");
}

static ChPatientItem *
item_new (const ChPatientHit *hit,
          GDateTime          *now)
{
  ChPatientItem *self = g_object_new (CH_TYPE_PATIENT_ITEM, NULL);
  GString *name = g_string_new (hit->family_name);
  GString *summary = g_string_new (hit->mrn);

  if (hit->given_name[0] != '\0')
    g_string_append_printf (name, ", %s", hit->given_name);
  if (hit->preferred_name[0] != '\0')
    g_string_append_printf (name, " (%s)", hit->preferred_name);

  self->id = hit->id;
  self->mrn = g_strdup (hit->mrn);
  self->name = g_string_free (name, FALSE);
  self->birth_date = g_strdup (hit->birth_date);
  self->age = ch_patient_age_text (hit->birth_date, now);
  self->sex = g_strdup (sex_label (hit->sex));
  self->phone = g_strdup (hit->phone);

  if (hit->birth_date[0] != '\0')
    {
      /* TRANSLATORS: in a patient's one-line summary: date of birth, then age */
      g_string_append (summary, " · ");
      g_string_append_printf (summary, _("born %s (%s)"), hit->birth_date, self->age);
    }
  g_string_append_printf (summary, " · %s", self->sex);
  if (hit->phone[0] != '\0')
    g_string_append_printf (summary, " · %s", hit->phone);
  self->summary = g_string_free (summary, FALSE);

  return self;
}

gint64 ch_patient_item_get_id (ChPatientItem *self) { return self->id; }
const char *ch_patient_item_get_mrn (ChPatientItem *self) { return self->mrn; }
const char *ch_patient_item_get_name (ChPatientItem *self) { return self->name; }
const char *ch_patient_item_get_birth_date (ChPatientItem *self) { return self->birth_date; }
const char *ch_patient_item_get_age (ChPatientItem *self) { return self->age; }
const char *ch_patient_item_get_sex (ChPatientItem *self) { return self->sex; }
const char *ch_patient_item_get_phone (ChPatientItem *self) { return self->phone; }
const char *ch_patient_item_get_summary (ChPatientItem *self) { return self->summary; }

/* ---- ChPatientListModel ------------------------------------------------------ */

struct _ChPatientListModel
{
  GObject          parent_instance;

  ChSession       *session;
  char            *query;
  ChSearchCursor  *cursor;
  GPtrArray       *items;
  gboolean         has_more;
};

static void ch_patient_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (ChPatientListModel, ch_patient_list_model, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                ch_patient_list_model_list_model_init))

enum {
  PROP_0,
  PROP_QUERY,
  PROP_HAS_MORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ch_patient_list_model_finalize (GObject *object)
{
  ChPatientListModel *self = CH_PATIENT_LIST_MODEL (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->cursor, ch_search_cursor_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (ch_patient_list_model_parent_class)->finalize (object);
}

static void
ch_patient_list_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ChPatientListModel *self = CH_PATIENT_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;
    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_patient_list_model_class_init (ChPatientListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ch_patient_list_model_finalize;
  object_class->get_property = ch_patient_list_model_get_property;

  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_MORE] =
    g_param_spec_boolean ("has-more", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ch_patient_list_model_init (ChPatientListModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->query = g_strdup ("");
}

static GType
ch_patient_list_model_get_item_type (GListModel *model)
{
  return CH_TYPE_PATIENT_ITEM;
}

static guint
ch_patient_list_model_get_n_items (GListModel *model)
{
  return CH_PATIENT_LIST_MODEL (model)->items->len;
}

static gpointer
ch_patient_list_model_get_item (GListModel *model,
                                guint       position)
{
  ChPatientListModel *self = CH_PATIENT_LIST_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
ch_patient_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ch_patient_list_model_get_item_type;
  iface->get_n_items = ch_patient_list_model_get_n_items;
  iface->get_item = ch_patient_list_model_get_item;
}

static void
set_has_more (ChPatientListModel *self,
              gboolean            has_more)
{
  if (self->has_more == has_more)
    return;
  self->has_more = has_more;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
}

/* Appends @hits as items and tells the views. */
static void
append_hits (ChPatientListModel *self,
             GPtrArray          *hits)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  guint position = self->items->len;

  for (guint i = 0; i < hits->len; i++)
    g_ptr_array_add (self->items, item_new (hits->pdata[i], now));

  if (hits->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, hits->len);
}

/**
 * ch_patient_list_model_load_more:
 *
 * Fetches the next page of the current search, if there is one.
 */
gboolean
ch_patient_list_model_load_more (ChPatientListModel *self,
                                 GError            **error)
{
  g_autoptr (GPtrArray) hits = NULL;
  gboolean more = FALSE;

  g_return_val_if_fail (CH_IS_PATIENT_LIST_MODEL (self), FALSE);

  if (!self->has_more || self->cursor == NULL)
    return TRUE;

  if (!ch_session_check (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return FALSE;

  hits = ch_db_patient_search (ch_session_get_store (self->session), self->cursor, PAGE_SIZE,
                               &more, error);
  if (hits == NULL)
    return FALSE;

  append_hits (self, hits);
  set_has_more (self, more);
  return TRUE;
}

/**
 * ch_patient_list_model_set_query:
 * @query: what was typed; empty for the recent patients
 *
 * Replaces the list with the first page of matches.
 */
gboolean
ch_patient_list_model_set_query (ChPatientListModel *self,
                                 const char         *query,
                                 GError            **error)
{
  g_autoptr (GPtrArray) hits = NULL;
  ChStore *store;
  guint removed;
  gboolean more = FALSE;

  g_return_val_if_fail (CH_IS_PATIENT_LIST_MODEL (self), FALSE);

  if (!ch_session_check (self->session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return FALSE;

  store = ch_session_get_store (self->session);
  g_clear_pointer (&self->cursor, ch_search_cursor_free);
  self->cursor = ch_search_cursor_new (query);

  if (ch_search_cursor_is_empty_query (self->cursor))
    hits = ch_db_patient_recent (store, ch_session_get_username (self->session), PAGE_SIZE,
                                 error);
  else
    hits = ch_db_patient_search (store, self->cursor, PAGE_SIZE, &more, error);
  if (hits == NULL)
    return FALSE;

  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  append_hits (self, hits);

  if (g_strcmp0 (self->query, query) != 0)
    {
      g_free (self->query);
      self->query = g_strdup (query ? query : "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
    }
  set_has_more (self, more);
  return TRUE;
}

const char *
ch_patient_list_model_get_query (ChPatientListModel *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_LIST_MODEL (self), NULL);
  return self->query;
}

gboolean
ch_patient_list_model_get_has_more (ChPatientListModel *self)
{
  g_return_val_if_fail (CH_IS_PATIENT_LIST_MODEL (self), FALSE);
  return self->has_more;
}

/**
 * ch_patient_list_model_new:
 *
 * Returns: (transfer full): the model showing the recent patients, or %NULL
 *   when the session may not read demographics
 */
ChPatientListModel *
ch_patient_list_model_new (ChSession *session,
                           GError   **error)
{
  g_autoptr (ChPatientListModel) self = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_DEMOGRAPHICS, CH_ACCESS_READ, error))
    return NULL;

  self = g_object_new (CH_TYPE_PATIENT_LIST_MODEL, NULL);
  self->session = g_object_ref (session);
  if (!ch_patient_list_model_set_query (self, "", error))
    return NULL;

  return g_steal_pointer (&self);
}
