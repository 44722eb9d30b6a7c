/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-notes-item"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-chart-ui.h"
#include "ch-notes-item.h"

/* One progress note in the notes list: what its columns show, as
 * properties for the list's expressions. */

#define SUMMARY_CHARS 90

struct _ChNotesItem
{
  GObject   parent_instance;

  gint64    id;
  char     *when;
  char     *summary;
  char     *author;
  char     *state;         /* draft, signed, entered-in-error */
  gboolean  needs_cosign;
  char     *state_label;
  char    **state_classes;
};

G_DEFINE_FINAL_TYPE (ChNotesItem, ch_notes_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_WHEN,
  PROP_SUMMARY,
  PROP_AUTHOR,
  PROP_STATE_LABEL,
  PROP_STATE_CLASSES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Returns: (transfer full): where @note stands, in words */
char *
ch_notes_item_state_label (const ChNoteRecord *note)
{
  if (g_strcmp0 (note->state, "entered-in-error") == 0)
    return g_strdup (_("Entered in error"));
  if (g_strcmp0 (note->state, "draft") == 0)
    return g_strdup (_("Draft"));
  if (note->cosign_required && note->cosigned_at == 0)
    return g_strdup (_("Co-signature needed"));
  if (note->cosigned_at != 0)
    /* Translators: %s is a user name */
    return g_strdup_printf (_("Co-signed by %s"), note->cosigned_by);
  return g_strdup (_("Signed"));
}

/* Returns: the style class that marks where @note stands */
const char *
ch_notes_item_state_class (const ChNoteRecord *note)
{
  if (g_strcmp0 (note->state, "entered-in-error") == 0)
    return "chart-note-error";
  if (g_strcmp0 (note->state, "draft") == 0)
    return "chart-note-draft";
  if (note->cosign_required && note->cosigned_at == 0)
    return "chart-note-cosign";
  return "chart-note-signed";
}

static char *
first_line (const char *text)
{
  g_autofree char *copy = NULL;
  char *end;

  if (!ch_chart_ui_has_text (text))
    return NULL;

  copy = g_strstrip (g_strdup (text));
  end = strchr (copy, '\n');
  if (end != NULL)
    *end = '\0';

  if (g_utf8_strlen (copy, -1) > SUMMARY_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (copy, 0, SUMMARY_CHARS - 1);

      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&copy);
}

static char *
note_summary (const ChNoteRecord *note)
{
  g_autofree char *line = NULL;

  if (ch_chart_ui_has_text (note->title))
    return g_strdup (note->title);

  line = first_line (g_strcmp0 (note->kind, "free") == 0 ? note->body : note->assessment);
  if (line == NULL)
    line = first_line (note->subjective);
  if (line == NULL)
    line = first_line (note->body);
  if (line != NULL)
    return g_steal_pointer (&line);

  return g_strdup (g_strcmp0 (note->kind, "free") == 0 ? _("Note") : _("SOAP note"));
}

/* Returns: (transfer full): a list item for @note (its fields copied) */
ChNotesItem *
ch_notes_item_new (const ChNoteRecord *note)
{
  ChNotesItem *self;

  g_return_val_if_fail (note != NULL, NULL);

  self = g_object_new (CH_TYPE_NOTES_ITEM, NULL);
  self->id = note->id;
  self->when = ch_chart_ui_format_time (note->created_at);
  self->summary = note_summary (note);
  self->author = g_strdup (note->author);
  self->state = g_strdup (note->state);
  self->needs_cosign = g_strcmp0 (note->state, "signed") == 0 && note->cosign_required &&
                       note->cosigned_at == 0;
  self->state_label = ch_notes_item_state_label (note);
  self->state_classes = g_new0 (char *, 3);
  self->state_classes[0] = g_strdup ("chart-note-state");
  self->state_classes[1] = g_strdup (ch_notes_item_state_class (note));

  return self;
}

gint64
ch_notes_item_get_id (ChNotesItem *self)
{
  g_return_val_if_fail (CH_IS_NOTES_ITEM (self), 0);

  return self->id;
}

/* Returns: draft, signed or entered-in-error */
const char *
ch_notes_item_get_state (ChNotesItem *self)
{
  g_return_val_if_fail (CH_IS_NOTES_ITEM (self), NULL);

  return self->state;
}

/* Returns: whether the note waits for a physician's co-signature */
gboolean
ch_notes_item_get_needs_cosign (ChNotesItem *self)
{
  g_return_val_if_fail (CH_IS_NOTES_ITEM (self), FALSE);

  return self->needs_cosign;
}

const char *
ch_notes_item_get_summary (ChNotesItem *self)
{
  g_return_val_if_fail (CH_IS_NOTES_ITEM (self), NULL);

  return self->summary;
}

static void
ch_notes_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChNotesItem *self = CH_NOTES_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_WHEN:
      g_value_set_string (value, self->when);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    case PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;

    case PROP_STATE_LABEL:
      g_value_set_string (value, self->state_label);
      break;

    case PROP_STATE_CLASSES:
      g_value_set_boxed (value, self->state_classes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ch_notes_item_finalize (GObject *object)
{
  ChNotesItem *self = CH_NOTES_ITEM (object);

  g_free (self->when);
  g_free (self->summary);
  g_free (self->author);
  g_free (self->state);
  g_free (self->state_label);
  g_strfreev (self->state_classes);

  G_OBJECT_CLASS (ch_notes_item_parent_class)->finalize (object);
}

static void
ch_notes_item_class_init (ChNotesItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ch_notes_item_get_property;
  object_class->finalize = ch_notes_item_finalize;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WHEN] =
    g_param_spec_string ("when", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_LABEL] =
    g_param_spec_string ("state-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_CLASSES] =
    g_param_spec_boxed ("state-classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ch_notes_item_init (ChNotesItem *self)
{
}
