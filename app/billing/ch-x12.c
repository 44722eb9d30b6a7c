/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-x12"

#include "config.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ch-x12.h"

G_DEFINE_QUARK (ch-x12-error-quark, ch_x12_error)

static const ChX12Delimiters default_delimiters = { '*', '^', ':', '~' };

/* The ISA segment is fixed width: 105 characters and its terminator. */
#define ISA_LENGTH 106

const ChX12Delimiters *
ch_x12_delimiters_default (void)
{
  return &default_delimiters;
}

char *
ch_x12_format_amount (gint64 cents)
{
  guint64 abs = cents < 0 ? (guint64) (-(cents + 1)) + 1 : (guint64) cents;
  const char *sign = cents < 0 ? "-" : "";
  guint64 whole = abs / 100;
  guint frac = abs % 100;

  /* X12 drops trailing zeros after the decimal point. */
  if (frac == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, whole);
  if (frac % 10 == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%u", sign, whole, frac / 10);
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", sign, whole, frac);
}

gboolean
ch_x12_parse_amount (const char *text,
                     gint64     *out_cents)
{
  const char *p = text;
  gboolean negative = FALSE;
  gint64 whole = 0;
  int frac = 0, n_frac = 0, n_digits = 0;

  if (text == NULL)
    return FALSE;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (; g_ascii_isdigit (*p); p++, n_digits++)
    {
      if (whole > G_MAXINT64 / 1000)
        return FALSE;
      whole = whole * 10 + (*p - '0');
    }
  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p); p++, n_frac++)
        {
          if (n_frac >= 2)
            {
              /* More places are allowed only when they are zeros. */
              if (*p != '0')
                return FALSE;
              continue;
            }
          frac = frac * 10 + (*p - '0');
        }
      n_digits += n_frac;
    }
  if (*p != '\0' || n_digits == 0)
    return FALSE;
  if (n_frac == 1)
    frac *= 10;
  *out_cents = (negative ? -1 : 1) * (whole * 100 + frac);
  return TRUE;
}

/* Writer */

struct _ChX12Writer
{
  ChX12Delimiters delims;
  gboolean line_breaks;
  GString *out;
  GError *error;
  /* Strings handed out for the next segment, and which of them are
   * composites (allowed to hold the component separator). */
  GPtrArray *scratch;
  GHashTable *composites;

  guint isa_control;
  guint group_control;
  guint n_groups;
  guint n_sets;
  guint n_segments;
  char *st_control;
  gboolean in_interchange, in_group, in_set;
};

ChX12Writer *
ch_x12_writer_new (const ChX12Delimiters *delims,
                   gboolean               line_breaks)
{
  ChX12Writer *writer = g_new0 (ChX12Writer, 1);

  writer->delims = delims != NULL ? *delims : default_delimiters;
  writer->line_breaks = line_breaks;
  writer->out = g_string_new (NULL);
  writer->scratch = g_ptr_array_new_with_free_func (g_free);
  writer->composites = g_hash_table_new (NULL, NULL);
  return writer;
}

void
ch_x12_writer_free (ChX12Writer *writer)
{
  if (writer == NULL)
    return;
  g_string_free (writer->out, TRUE);
  g_clear_error (&writer->error);
  g_ptr_array_unref (writer->scratch);
  g_hash_table_unref (writer->composites);
  g_free (writer->st_control);
  g_free (writer);
}

static gboolean
writer_failed (ChX12Writer *writer)
{
  return writer->error != NULL;
}

static void
writer_clear_scratch (ChX12Writer *writer)
{
  g_hash_table_remove_all (writer->composites);
  g_ptr_array_set_size (writer->scratch, 0);
}

/* The delimiter @value holds, or 0. */
static char
find_delimiter (const ChX12Delimiters *d,
                const char            *value,
                gboolean               allow_component)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == d->element || *p == d->segment || *p == d->repetition
          || (!allow_component && *p == d->component))
        return *p;
    }
  return 0;
}

static void
writer_emit (ChX12Writer *writer,
             const char  *id,
             GPtrArray   *elements)
{
  guint last = elements->len;

  while (last > 0 && *(const char *) g_ptr_array_index (elements, last - 1) == '\0')
    last--;

  g_string_append (writer->out, id);
  for (guint i = 0; i < last; i++)
    {
      g_string_append_c (writer->out, writer->delims.element);
      g_string_append (writer->out, g_ptr_array_index (elements, i));
    }
  g_string_append_c (writer->out, writer->delims.segment);
  if (writer->line_breaks)
    g_string_append_c (writer->out, '\n');
  if (writer->in_set)
    writer->n_segments++;
}

void
ch_x12_writer_segment (ChX12Writer *writer,
                       const char  *id,
                       ...)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new ();
  const char *value;
  va_list args;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (id != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_set)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %s is written outside a transaction set (ST/SE)"), id);
      return;
    }

  va_start (args, id);
  for (value = va_arg (args, const char *); value != NULL; value = va_arg (args, const char *))
    {
      gboolean composite = g_hash_table_contains (writer->composites, value);
      char bad = find_delimiter (&writer->delims, value, composite);

      if (bad != 0)
        {
          g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_DELIMITER,
                       _("%s%02u: the value “%s” holds the delimiter “%c”, which X12 cannot escape"),
                       id, elements->len + 1, value, bad);
          break;
        }
      g_ptr_array_add (elements, (gpointer) value);
    }
  va_end (args);

  if (!writer_failed (writer))
    writer_emit (writer, id, elements);
  writer_clear_scratch (writer);
}

const char *
ch_x12_writer_composite (ChX12Writer *writer,
                         const char  *first,
                         ...)
{
  g_autoptr(GString) joined = g_string_new (NULL);
  guint n = 0, kept = 0;
  va_list args;
  char *result;

  g_return_val_if_fail (writer != NULL, "");

  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    {
      char bad = find_delimiter (&writer->delims, part, FALSE);

      n++;
      if (bad != 0 && !writer_failed (writer))
        g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_DELIMITER,
                     _("Component %u: the value “%s” holds the delimiter “%c”, which X12 cannot escape"),
                     n, part, bad);
      if (n > 1)
        g_string_append_c (joined, writer->delims.component);
      g_string_append (joined, part);
      /* Trailing empty components are dropped like trailing elements. */
      if (*part != '\0')
        kept = joined->len;
    }
  va_end (args);

  g_string_truncate (joined, kept);
  result = g_string_free (g_steal_pointer (&joined), FALSE);
  g_ptr_array_add (writer->scratch, result);
  g_hash_table_add (writer->composites, result);
  return result;
}

const char *
ch_x12_writer_amount (ChX12Writer *writer,
                      gint64       cents)
{
  char *text = ch_x12_format_amount (cents);

  g_ptr_array_add (writer->scratch, text);
  return text;
}

const char *
ch_x12_writer_uint (ChX12Writer *writer,
                    guint        value)
{
  char *text = g_strdup_printf ("%u", value);

  g_ptr_array_add (writer->scratch, text);
  return text;
}

static gboolean
check_fixed (ChX12Writer *writer,
             const char  *element,
             const char  *value,
             gsize        max_len,
             gboolean     digits)
{
  if (writer_failed (writer))
    return FALSE;
  if (value == NULL || *value == '\0' || strlen (value) > max_len)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s must hold 1 to %u characters"), element, (guint) max_len);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      if (digits ? !g_ascii_isdigit (*p) : !g_ascii_isprint (*p))
        {
          g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                       _("%s holds the character “%c”, which is not allowed there"), element, *p);
          return FALSE;
        }
    }
  if (find_delimiter (&writer->delims, value, FALSE) != 0)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_DELIMITER,
                   _("%s: the value “%s” holds a delimiter, which X12 cannot escape"),
                   element, value);
      return FALSE;
    }
  return TRUE;
}

void
ch_x12_writer_begin_interchange (ChX12Writer *writer,
                                 const char  *sender_qualifier,
                                 const char  *sender_id,
                                 const char  *receiver_qualifier,
                                 const char  *receiver_id,
                                 const char  *date,
                                 const char  *time,
                                 guint        control_number,
                                 gboolean     ack_requested,
                                 char         usage)
{
  const ChX12Delimiters *d = &writer->delims;

  g_return_if_fail (writer != NULL);

  if (!check_fixed (writer, "ISA05", sender_qualifier, 2, FALSE)
      || !check_fixed (writer, "ISA06", sender_id, 15, FALSE)
      || !check_fixed (writer, "ISA07", receiver_qualifier, 2, FALSE)
      || !check_fixed (writer, "ISA08", receiver_id, 15, FALSE)
      || !check_fixed (writer, "GS04", date, 8, TRUE)
      || !check_fixed (writer, "GS05", time, 4, TRUE))
    return;
  if (strlen (date) != 8 || strlen (time) != 4)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("The interchange date must be CCYYMMDD and its time HHMM"));
      return;
    }
  if (control_number == 0 || control_number > 999999999)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("ISA13: the control number must be between 1 and 999999999"));
      return;
    }
  if (usage != 'P' && usage != 'T')
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("ISA15: the usage indicator must be P (production) or T (test)"));
      return;
    }

  /* ISA01–ISA04: no authorization or security information. */
  g_string_append_printf (writer->out,
                          "ISA%c00%c%-10s%c00%c%-10s%c%-2s%c%-15s%c%-2s%c%-15s%c%.6s%c%.4s%c%c%c00501%c%09u%c%c%c%c%c%c%c",
                          d->element, d->element, "", d->element, d->element, "",
                          d->element, sender_qualifier, d->element, sender_id,
                          d->element, receiver_qualifier, d->element, receiver_id,
                          d->element, date + 2, d->element, time,
                          d->element, d->repetition, d->element, d->element,
                          control_number, d->element, ack_requested ? '1' : '0',
                          d->element, usage, d->element, d->component, d->segment);
  if (writer->line_breaks)
    g_string_append_c (writer->out, '\n');
  writer->isa_control = control_number;
  writer->n_groups = 0;
  writer->in_interchange = TRUE;
}

void
ch_x12_writer_begin_group (ChX12Writer *writer,
                           const char  *functional_id,
                           const char  *app_sender,
                           const char  *app_receiver,
                           const char  *date,
                           const char  *time,
                           guint        control_number,
                           const char  *version)
{
  g_autofree char *control = NULL;

  g_return_if_fail (writer != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_interchange || writer->in_group)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("A functional group (GS) must be inside an interchange and not inside another group"));
      return;
    }
  if (!check_fixed (writer, "GS02", app_sender, 15, FALSE)
      || !check_fixed (writer, "GS03", app_receiver, 15, FALSE)
      || !check_fixed (writer, "GS08", version, 12, FALSE))
    return;
  if (control_number == 0 || control_number > 999999999)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("GS06: the control number must be between 1 and 999999999"));
      return;
    }

  control = g_strdup_printf ("%u", control_number);
  /* The GS is counted by no one, so it is written outside a set. */
  writer->in_set = TRUE;
  writer->n_segments = 0;
  ch_x12_writer_segment (writer, "GS", functional_id, app_sender, app_receiver,
                         date, time, control, "X", version, NULL);
  writer->in_set = FALSE;
  writer->group_control = control_number;
  writer->n_sets = 0;
  writer->in_group = TRUE;
  writer->n_groups++;
}

void
ch_x12_writer_begin_transaction (ChX12Writer *writer,
                                 const char  *set_id,
                                 const char  *control_number,
                                 const char  *implementation)
{
  g_return_if_fail (writer != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_group || writer->in_set)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("A transaction set (ST) must be inside a functional group and not inside another set"));
      return;
    }
  if (!check_fixed (writer, "ST02", control_number, 9, FALSE) || strlen (control_number) < 4)
    {
      if (!writer_failed (writer))
        g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                     _("ST02: the control number must hold 4 to 9 characters"));
      return;
    }

  writer->in_set = TRUE;
  writer->n_segments = 0;
  g_free (writer->st_control);
  writer->st_control = g_strdup (control_number);
  ch_x12_writer_segment (writer, "ST", set_id, control_number, implementation, NULL);
}

void
ch_x12_writer_end_transaction (ChX12Writer *writer)
{
  g_autofree char *count = NULL;

  g_return_if_fail (writer != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_set)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("SE written without a transaction set"));
      return;
    }
  /* SE01 counts the ST, the SE and everything between. */
  count = g_strdup_printf ("%u", writer->n_segments + 1);
  ch_x12_writer_segment (writer, "SE", count, writer->st_control, NULL);
  writer->in_set = FALSE;
  writer->n_sets++;
}

void
ch_x12_writer_end_group (ChX12Writer *writer)
{
  g_autofree char *count = NULL;
  g_autofree char *control = NULL;

  g_return_if_fail (writer != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_group || writer->in_set)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("GE written without a functional group, or with a transaction set still open"));
      return;
    }
  count = g_strdup_printf ("%u", writer->n_sets);
  control = g_strdup_printf ("%u", writer->group_control);
  writer->in_set = TRUE;
  ch_x12_writer_segment (writer, "GE", count, control, NULL);
  writer->in_set = FALSE;
  writer->in_group = FALSE;
}

void
ch_x12_writer_end_interchange (ChX12Writer *writer)
{
  g_autofree char *count = NULL;
  g_autofree char *control = NULL;

  g_return_if_fail (writer != NULL);

  if (writer_failed (writer))
    return;
  if (!writer->in_interchange || writer->in_group)
    {
      g_set_error (&writer->error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("IEA written without an interchange, or with a functional group still open"));
      return;
    }
  count = g_strdup_printf ("%u", writer->n_groups);
  control = g_strdup_printf ("%09u", writer->isa_control);
  writer->in_set = TRUE;
  ch_x12_writer_segment (writer, "IEA", count, control, NULL);
  writer->in_set = FALSE;
  writer->in_interchange = FALSE;
}

GBytes *
ch_x12_writer_finish (ChX12Writer  *writer,
                      GError      **error)
{
  g_return_val_if_fail (writer != NULL, NULL);

  if (writer->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&writer->error));
      return NULL;
    }
  if (writer->in_interchange)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("The interchange was not closed with an IEA segment"));
      return NULL;
    }
  return g_bytes_new (writer->out->str, writer->out->len);
}

/* Reader */

static void
segment_free (gpointer data)
{
  ChX12Segment *seg = data;

  g_strfreev (seg->elements);
  g_free (seg);
}

void
ch_x12_document_free (ChX12Document *doc)
{
  if (doc == NULL)
    return;
  g_clear_pointer (&doc->segments, g_ptr_array_unref);
  g_free (doc);
}

const char *
ch_x12_segment_get (const ChX12Segment *seg,
                    guint               index)
{
  return index < seg->n_elements ? seg->elements[index] : "";
}

char *
ch_x12_segment_get_component (const ChX12Document *doc,
                              const ChX12Segment  *seg,
                              guint                index,
                              guint                component)
{
  char sep[2] = { doc->delims.component, '\0' };
  g_auto(GStrv) parts = g_strsplit (ch_x12_segment_get (seg, index), sep, -1);

  if (component == 0 || component > g_strv_length (parts))
    return g_strdup ("");
  return g_strdup (parts[component - 1]);
}

gboolean
ch_x12_segment_is (const ChX12Segment *seg,
                   const char         *id)
{
  return g_strcmp0 (seg->elements[0], id) == 0;
}

static gboolean
parse_count (const char *text,
             guint64    *out)
{
  return text[0] != '\0' && g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, out, NULL);
}

/* Checks one segment's count or control element against what the reader
 * counted or saw. */
static gboolean
check_envelope (const ChX12Segment *seg,
                guint               index,
                const char         *expected,
                const char         *what,
                GError            **error)
{
  const char *got = ch_x12_segment_get (seg, index);
  guint64 a, b;

  /* Control numbers compare as numbers (ISA13 is zero-padded, IEA02
   * usually is too, GE02 never). */
  if (g_strcmp0 (got, expected) == 0
      || (parse_count (got, &a) && parse_count (expected, &b) && a == b))
    return TRUE;
  g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
               _("Segment %u (%s): %s%02u is “%s” but the %s is “%s”"),
               seg->position, seg->elements[0], seg->elements[0], index, got, what, expected);
  return FALSE;
}

static gboolean
check_envelopes (ChX12Document *doc,
                 GError       **error)
{
  GPtrArray *segs = doc->segments;
  const ChX12Segment *gs = NULL, *st = NULL;
  guint n_groups = 0, n_sets = 0, n_in_set = 0;
  const ChX12Segment *isa = g_ptr_array_index (segs, 0);
  const ChX12Segment *iea = g_ptr_array_index (segs, segs->len - 1);

  if (!ch_x12_segment_is (iea, "IEA"))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TRUNCATED,
                   _("The interchange ends at segment %u (%s) without an IEA segment; the file may be truncated"),
                   iea->position, iea->elements[0]);
      return FALSE;
    }

  for (guint i = 1; i + 1 < segs->len; i++)
    {
      const ChX12Segment *seg = g_ptr_array_index (segs, i);
      const char *id = seg->elements[0];

      if (st != NULL)
        n_in_set++;

      if (g_str_equal (id, "ISA") || g_str_equal (id, "IEA"))
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                       _("Segment %u (%s): only one interchange may be in a file"), seg->position, id);
          return FALSE;
        }
      else if (g_str_equal (id, "GS"))
        {
          if (gs != NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                           _("Segment %u (GS): a functional group begins before the previous one ended with GE"),
                           seg->position);
              return FALSE;
            }
          gs = seg;
          n_sets = 0;
          n_groups++;
        }
      else if (g_str_equal (id, "GE"))
        {
          g_autofree char *count = g_strdup_printf ("%u", n_sets);

          if (gs == NULL || st != NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                           _("Segment %u (GE): no functional group is open, or a transaction set in it has no SE"),
                           seg->position);
              return FALSE;
            }
          if (!check_envelope (seg, 1, count, _("number of transaction sets in the group"), error)
              || !check_envelope (seg, 2, ch_x12_segment_get (gs, 6), _("group control number GS06"), error))
            return FALSE;
          gs = NULL;
        }
      else if (g_str_equal (id, "ST"))
        {
          if (gs == NULL || st != NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                           _("Segment %u (ST): a transaction set must be inside a functional group and follow the previous set’s SE"),
                           seg->position);
              return FALSE;
            }
          st = seg;
          n_in_set = 1;
          n_sets++;
        }
      else if (g_str_equal (id, "SE"))
        {
          g_autofree char *count = g_strdup_printf ("%u", n_in_set);

          if (st == NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                           _("Segment %u (SE): no transaction set is open"), seg->position);
              return FALSE;
            }
          if (!check_envelope (seg, 1, count, _("number of segments from ST to SE"), error)
              || !check_envelope (seg, 2, ch_x12_segment_get (st, 2), _("transaction set control number ST02"), error))
            return FALSE;
          st = NULL;
        }
      else if (st == NULL)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                       _("Segment %u (%s) is outside any transaction set"), seg->position, id);
          return FALSE;
        }
    }

  if (st != NULL || gs != NULL)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TRUNCATED,
                   _("Segment %u (IEA): a transaction set or functional group is not closed; the file may be truncated"),
                   iea->position);
      return FALSE;
    }

  {
    g_autofree char *count = g_strdup_printf ("%u", n_groups);

    if (!check_envelope (iea, 1, count, _("number of functional groups"), error)
        || !check_envelope (iea, 2, ch_x12_segment_get (isa, 13), _("interchange control number ISA13"), error))
      return FALSE;
  }
  return TRUE;
}

/* Field widths of ISA01–ISA16. */
static const guint8 isa_widths[16] = { 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1 };

ChX12Document *
ch_x12_document_parse (const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  g_autoptr(ChX12Document) doc = g_new0 (ChX12Document, 1);
  const char *text = (const char *) data;
  gsize pos = 0, start;
  char elem_sep[2] = { 0 };
  guint position = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  doc->segments = g_ptr_array_new_with_free_func (segment_free);

  while (pos < len && g_ascii_isspace (text[pos]))
    pos++;
  if (len - pos < 3 || memcmp (text + pos, "ISA", 3) != 0)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                   _("This is not an X12 interchange: it does not begin with an ISA segment"));
      return NULL;
    }
  if (len - pos < ISA_LENGTH)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TRUNCATED,
                   _("The ISA segment is cut short: it must be 106 characters long"));
      return NULL;
    }

  /* The ISA is fixed width, so its delimiters are found by position. */
  doc->delims.element = text[pos + 3];
  doc->delims.repetition = text[pos + 82];
  doc->delims.component = text[pos + 104];
  doc->delims.segment = text[pos + 105];
  {
    gsize at = pos + 3;

    for (guint i = 0; i < 16; i++)
      {
        if (text[at] != doc->delims.element)
          {
            g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                         _("ISA%02u is not where the fixed-width ISA segment puts it (column %u)"),
                         i + 1, (guint) (at - pos + 1));
            return NULL;
          }
        at += 1 + isa_widths[i];
      }
  }
  if (g_ascii_isalnum (doc->delims.element) || g_ascii_isalnum (doc->delims.component)
      || g_ascii_isalnum (doc->delims.segment) || doc->delims.element == doc->delims.segment
      || doc->delims.element == doc->delims.component
      || doc->delims.component == doc->delims.segment)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                   _("The ISA segment declares delimiters that cannot be told apart"));
      return NULL;
    }
  /* ISA11 was "U" (a standards identifier) before version 4020: no
   * repetition separator then. */
  if (g_ascii_isalnum (doc->delims.repetition))
    doc->delims.repetition = '\0';
  else if (doc->delims.repetition == doc->delims.element
           || doc->delims.repetition == doc->delims.component
           || doc->delims.repetition == doc->delims.segment)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                   _("The ISA segment declares delimiters that cannot be told apart"));
      return NULL;
    }

  elem_sep[0] = doc->delims.element;
  while (pos < len)
    {
      const char *end = memchr (text + pos, doc->delims.segment, len - pos);
      ChX12Segment *seg;
      g_autofree char *body = NULL;

      if (end == NULL)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TRUNCATED,
                       _("Segment %u has no segment terminator; the file may be truncated"),
                       position + 1);
          return NULL;
        }
      start = pos;
      body = g_strndup (text + start, end - (text + start));
      if (memchr (text + start, '\0', end - (text + start)) != NULL)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                       _("Segment %u holds a NUL byte"), position + 1);
          return NULL;
        }
      seg = g_new0 (ChX12Segment, 1);
      seg->elements = g_strsplit (body, elem_sep, -1);
      seg->n_elements = g_strv_length (seg->elements);
      seg->position = ++position;
      g_ptr_array_add (doc->segments, seg);

      /* An empty segment ("~~") splits into no elements at all. */
      if (seg->n_elements == 0 || strlen (seg->elements[0]) < 2 || strlen (seg->elements[0]) > 3)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                       _("Segment %u has no valid segment identifier"), seg->position);
          return NULL;
        }
      for (const char *p = seg->elements[0]; *p != '\0'; p++)
        if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p))
          {
            g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_NOT_X12,
                         _("Segment %u has no valid segment identifier"), seg->position);
            return NULL;
          }

      pos = end - text + 1;
      while (pos < len && (text[pos] == '\r' || text[pos] == '\n' || text[pos] == ' ' || text[pos] == '\t'))
        pos++;
      if (ch_x12_segment_is (seg, "IEA"))
        break;
    }
  if (pos < len)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_ENVELOPE,
                   _("Data follows the IEA segment (segment %u)"), position);
      return NULL;
    }

  if (!check_envelopes (doc, error))
    return NULL;
  return g_steal_pointer (&doc);
}
