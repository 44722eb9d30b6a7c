/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-audit-model"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-audit-model.h"

/* ---- ChAuditEntry ---------------------------------------------------------- */

struct _ChAuditEntry
{
  GObject  parent_instance;

  gint64   id;
  gint64   ts;
  gint64   patient_id;
  char    *time;
  char    *username;
  char    *role;
  char    *action;
  char    *object;
  char    *detail;
};

G_DEFINE_TYPE (ChAuditEntry, ch_audit_entry, G_TYPE_OBJECT)

enum {
  ENTRY_PROP_0,
  ENTRY_PROP_ID,
  ENTRY_PROP_TIME,
  ENTRY_PROP_USERNAME,
  ENTRY_PROP_ROLE,
  ENTRY_PROP_ACTION,
  ENTRY_PROP_ACTION_LABEL,
  ENTRY_PROP_OBJECT,
  ENTRY_PROP_PATIENT_ID,
  ENTRY_PROP_DETAIL,
  ENTRY_N_PROPS
};

static GParamSpec *entry_properties[ENTRY_N_PROPS];

static void
ch_audit_entry_finalize (GObject *object)
{
  ChAuditEntry *self = CH_AUDIT_ENTRY (object);

  g_free (self->time);
  g_free (self->username);
  g_free (self->role);
  g_free (self->action);
  g_free (self->object);
  g_free (self->detail);

  G_OBJECT_CLASS (ch_audit_entry_parent_class)->finalize (object);
}

static void
ch_audit_entry_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ChAuditEntry *self = CH_AUDIT_ENTRY (object);

  switch (prop_id)
    {
    case ENTRY_PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case ENTRY_PROP_TIME:
      g_value_set_string (value, self->time);
      break;
    case ENTRY_PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case ENTRY_PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case ENTRY_PROP_ACTION:
      g_value_set_string (value, self->action);
      break;
    case ENTRY_PROP_ACTION_LABEL:
      g_value_set_string (value, ch_audit_action_label (self->action));
      break;
    case ENTRY_PROP_OBJECT:
      g_value_set_string (value, self->object);
      break;
    case ENTRY_PROP_PATIENT_ID:
      g_value_set_int64 (value, self->patient_id);
      break;
    case ENTRY_PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_audit_entry_class_init (ChAuditEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ch_audit_entry_finalize;
  object_class->get_property = ch_audit_entry_get_property;

  entry_properties[ENTRY_PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  entry_properties[ENTRY_PROP_TIME] = g_param_spec_string ("time", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_ACTION] = g_param_spec_string ("action", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_ACTION_LABEL] =
    g_param_spec_string ("action-label", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_OBJECT] = g_param_spec_string ("object", NULL, NULL, NULL, flags);
  entry_properties[ENTRY_PROP_PATIENT_ID] =
    g_param_spec_int64 ("patient-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  entry_properties[ENTRY_PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, ENTRY_N_PROPS, entry_properties);
}

static void
ch_audit_entry_init (ChAuditEntry *self)
{
}

static ChAuditEntry *
entry_new (const ChAuditRecord *record)
{
  ChAuditEntry *self = g_object_new (CH_TYPE_AUDIT_ENTRY, NULL);

  self->id = record->id;
  self->ts = record->ts;
  self->patient_id = record->patient_id;
  self->time = ch_audit_format_time (record->ts);
  self->username = g_strdup (record->username);
  self->role = g_strdup (record->role);
  self->action = g_strdup (record->action);
  if (record->object_type[0] != '\0' && record->object_id[0] != '\0')
    self->object = g_strdup_printf ("%s %s", record->object_type, record->object_id);
  else
    self->object = g_strdup (record->object_type[0] != '\0' ? record->object_type
                                                              : record->object_id);
  self->detail = g_strdup (record->detail);
  return self;
}

gint64 ch_audit_entry_get_id (ChAuditEntry *self) { return self->id; }
gint64 ch_audit_entry_get_timestamp (ChAuditEntry *self) { return self->ts; }
const char *ch_audit_entry_get_time (ChAuditEntry *self) { return self->time; }
const char *ch_audit_entry_get_username (ChAuditEntry *self) { return self->username; }
const char *ch_audit_entry_get_role (ChAuditEntry *self) { return self->role; }
const char *ch_audit_entry_get_action (ChAuditEntry *self) { return self->action; }
const char *ch_audit_entry_get_action_label (ChAuditEntry *self) { return ch_audit_action_label (self->action); }
const char *ch_audit_entry_get_object (ChAuditEntry *self) { return self->object; }
gint64 ch_audit_entry_get_patient_id (ChAuditEntry *self) { return self->patient_id; }
const char *ch_audit_entry_get_detail (ChAuditEntry *self) { return self->detail; }

/* ---- ChAuditModel ---------------------------------------------------------- */

#define PAGE_SIZE 256
#define MAX_PAGES 16

struct _ChAuditModel
{
  GObject     parent_instance;

  ChSession  *session;
  char       *username;
  char       *action;
  ChAuditFilter filter;    /* points into the strings above */
  guint       n_items;
  GHashTable *pages;       /* page number → GPtrArray of ChAuditEntry */
  GQueue      page_order;  /* page numbers, most recently used first */
};

static void ch_audit_model_list_model_init (GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (ChAuditModel, ch_audit_model, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                ch_audit_model_list_model_init))

static void
ch_audit_model_finalize (GObject *object)
{
  ChAuditModel *self = CH_AUDIT_MODEL (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->action, g_free);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_queue_clear (&self->page_order);

  G_OBJECT_CLASS (ch_audit_model_parent_class)->finalize (object);
}

static void
ch_audit_model_class_init (ChAuditModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ch_audit_model_finalize;
}

static void
ch_audit_model_init (ChAuditModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_order);
}

static GType
ch_audit_model_get_item_type (GListModel *model)
{
  return CH_TYPE_AUDIT_ENTRY;
}

static guint
ch_audit_model_get_n_items (GListModel *model)
{
  return CH_AUDIT_MODEL (model)->n_items;
}

static GPtrArray *
load_page (ChAuditModel *self,
           guint         page_number)
{
  ChStore *store = ch_session_get_store (self->session);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *page;

  /* The session may have been locked since; a locked view shows nothing. */
  if (store == NULL || !ch_session_can (self->session, CH_AREA_AUDIT, CH_ACCESS_READ))
    return NULL;

  records = ch_db_audit_page (store, &self->filter, (gint64) page_number * PAGE_SIZE, PAGE_SIZE,
                              &error);
  if (records == NULL)
    {
      g_debug ("audit page %u: %s", page_number, error->message);
      return NULL;
    }

  page = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (page, entry_new (g_ptr_array_index (records, i)));

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page_number), page);
  g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page_number));

  while (g_queue_get_length (&self->page_order) > MAX_PAGES)
    {
      gpointer oldest = g_queue_pop_tail (&self->page_order);
      g_hash_table_remove (self->pages, oldest);
    }

  return page;
}

static gpointer
ch_audit_model_get_item (GListModel *model,
                         guint       position)
{
  ChAuditModel *self = CH_AUDIT_MODEL (model);
  guint page_number = position / PAGE_SIZE;
  guint index = position % PAGE_SIZE;
  GPtrArray *page;

  if (position >= self->n_items)
    return NULL;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page_number));
  if (page == NULL)
    page = load_page (self, page_number);
  else
    {
      g_queue_remove (&self->page_order, GUINT_TO_POINTER (page_number));
      g_queue_push_head (&self->page_order, GUINT_TO_POINTER (page_number));
    }

  if (page == NULL || index >= page->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (page, index));
}

static void
ch_audit_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ch_audit_model_get_item_type;
  iface->get_n_items = ch_audit_model_get_n_items;
  iface->get_item = ch_audit_model_get_item;
}

/**
 * ch_audit_model_new:
 *
 * Returns: (transfer full): the trail, or %NULL with CH_AUTH_ERROR_PERMISSION_DENIED
 *   when the session's role may not read it
 */
ChAuditModel *
ch_audit_model_new (ChSession *session,
                    GError   **error)
{
  ChAuditModel *self;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_AUDIT, CH_ACCESS_READ, error))
    return NULL;

  self = g_object_new (CH_TYPE_AUDIT_MODEL, NULL);
  self->session = g_object_ref (session);
  ch_audit_model_reload (self);
  return self;
}

/* Reads the count again and drops the cached pages (new entries arrive at the
 * top). */
void
ch_audit_model_reload (ChAuditModel *self)
{
  ChStore *store;
  guint old_n;
  gint64 n = 0;

  g_return_if_fail (CH_IS_AUDIT_MODEL (self));

  old_n = self->n_items;
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->page_order);

  store = ch_session_get_store (self->session);
  if (store != NULL && ch_session_can (self->session, CH_AREA_AUDIT, CH_ACCESS_READ))
    n = ch_db_audit_count (store, &self->filter, NULL);

  self->n_items = (guint) CLAMP (n, 0, G_MAXUINT);
  if (old_n != 0 || self->n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

void
ch_audit_model_set_filter (ChAuditModel        *self,
                           const ChAuditFilter *filter)
{
  g_return_if_fail (CH_IS_AUDIT_MODEL (self));

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->action, g_free);
  memset (&self->filter, 0, sizeof self->filter);

  if (filter != NULL)
    {
      self->username = g_strdup (filter->username);
      self->action = g_strdup (filter->action);
      self->filter.username = self->username;
      self->filter.action = self->action;
      self->filter.patient_id = filter->patient_id;
      self->filter.from_ts = filter->from_ts;
      self->filter.to_ts = filter->to_ts;
    }

  ch_audit_model_reload (self);
}

/**
 * ch_audit_model_export_csv:
 *
 * Writes the filtered trail as CSV, and audits the export.
 */
gboolean
ch_audit_model_export_csv (ChAuditModel  *self,
                           GOutputStream *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_AUDIT_MODEL (self), FALSE);

  if (!ch_session_check (self->session, CH_AREA_AUDIT, CH_ACCESS_READ, error))
    return FALSE;

  if (!ch_audit_write_csv (ch_session_get_store (self->session), &self->filter, stream,
                           cancellable, error))
    return FALSE;

  detail = g_strdup_printf ("user=%s action=%s patient=%" G_GINT64_FORMAT,
                            self->username ? self->username : "*",
                            self->action ? self->action : "*", self->filter.patient_id);
  return ch_session_audit (self->session, CH_AUDIT_EXPORT, "audit", "csv", 0, detail, error);
}

/* Returns: (transfer full) (element-type utf8): every user name the trail
 * mentions, failed sign-ins and removed accounts included, sorted */
GPtrArray *
ch_audit_model_list_usernames (ChAuditModel *self,
                               GError      **error)
{
  g_return_val_if_fail (CH_IS_AUDIT_MODEL (self), NULL);

  if (!ch_session_check (self->session, CH_AREA_AUDIT, CH_ACCESS_READ, error))
    return NULL;

  return ch_db_audit_usernames (ch_session_get_store (self->session), error);
}

gboolean
ch_audit_model_verify (ChAuditModel *self,
                       gint64       *out_n_entries,
                       GError      **error)
{
  g_return_val_if_fail (CH_IS_AUDIT_MODEL (self), FALSE);

  if (!ch_session_check (self->session, CH_AREA_AUDIT, CH_ACCESS_READ, error))
    return FALSE;

  return ch_audit_verify (ch_session_get_store (self->session), out_n_entries, error);
}
