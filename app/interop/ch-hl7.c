/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-hl7"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ch-hl7.h"

G_DEFINE_QUARK (ch-hl7-error-quark, ch_hl7_error)

static const ChHl7Delimiters default_delimiters = { '|', '^', '~', '\\', '&', 0 };

const ChHl7Delimiters *
ch_hl7_delimiters_default (void)
{
  return &default_delimiters;
}

/* A stretch of the message buffer; not NUL-terminated. */
typedef struct
{
  const char *p;
  gsize len;
} Span;

typedef struct
{
  char name[4];
  /* fields[i] is field i + 1; for MSH, fields[0] is the field separator
   * itself and fields[1] the encoding characters. */
  GArray *fields;
} Segment;

struct _ChHl7Message
{
  gatomicrefcount ref_count;
  ChHl7Delimiters delims;
  char *charset;
  gboolean utf8;
  /* The message with framing and line ends as received; every Span points
   * into it. */
  char *data;
  gsize len;
  GArray *segments; /* Segment */
};

G_DEFINE_BOXED_TYPE (ChHl7Message, ch_hl7_message, ch_hl7_message_ref, ch_hl7_message_unref)

static void
segment_clear (gpointer data)
{
  Segment *seg = data;

  g_clear_pointer (&seg->fields, g_array_unref);
}

ChHl7Message *
ch_hl7_message_ref (ChHl7Message *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);

  g_atomic_ref_count_inc (&msg->ref_count);
  return msg;
}

void
ch_hl7_message_unref (ChHl7Message *msg)
{
  g_return_if_fail (msg != NULL);

  if (!g_atomic_ref_count_dec (&msg->ref_count))
    return;

  g_clear_pointer (&msg->segments, g_array_unref);
  g_free (msg->charset);
  g_free (msg->data);
  g_free (msg);
}

static gboolean
is_valid_delimiter (char c)
{
  /* Printable ASCII punctuation only: letters, digits and white space would
   * make segment names and values ambiguous. */
  return c > ' ' && c < 0x7f && !g_ascii_isalnum (c);
}

/* Reads MSH-1 and MSH-2 from the start of the message (which begins "MSH"). */
static gboolean
read_delimiters (const char      *line,
                 gsize            line_len,
                 ChHl7Delimiters *delims,
                 GError         **error)
{
  const char *enc;
  gsize n_enc = 0;
  char chars[5] = { 0 };

  if (line_len < 8)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_DELIMITERS,
                   _("The MSH segment is too short to hold the field separator and encoding characters (MSH-1, MSH-2)"));
      return FALSE;
    }

  delims->field = line[3];
  if (!is_valid_delimiter (delims->field))
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_DELIMITERS,
                   _("MSH-1: the field separator must be a punctuation character"));
      return FALSE;
    }

  enc = line + 4;
  while (4 + n_enc < line_len && enc[n_enc] != delims->field)
    n_enc++;

  if (n_enc != 4 && n_enc != 5)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_DELIMITERS,
                   _("MSH-2: expected 4 or 5 encoding characters, found %u"),
                   (guint) n_enc);
      return FALSE;
    }

  memcpy (chars, enc, n_enc);
  for (gsize i = 0; i < n_enc; i++)
    {
      if (!is_valid_delimiter (chars[i]))
        {
          g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_DELIMITERS,
                       _("MSH-2: encoding character %u is not a punctuation character"),
                       (guint) i + 1);
          return FALSE;
        }
      for (gsize j = 0; j < i; j++)
        if (chars[i] == chars[j])
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_DELIMITERS,
                         _("MSH-2: the encoding character “%c” is used twice"), chars[i]);
            return FALSE;
          }
    }

  delims->component = chars[0];
  delims->repetition = chars[1];
  delims->escape = chars[2];
  delims->subcomponent = chars[3];
  delims->truncation = chars[4];
  return TRUE;
}

static void
split_fields (Segment               *seg,
              const char            *line,
              gsize                  len,
              const ChHl7Delimiters *delims,
              gboolean               is_msh)
{
  const char *p = line + 3;
  const char *end = line + len;

  seg->fields = g_array_new (FALSE, FALSE, sizeof (Span));

  if (is_msh)
    {
      Span sep = { line + 3, 1 };

      g_array_append_val (seg->fields, sep);
    }

  /* p is at a field separator (or the end of the line). */
  while (p < end)
    {
      const char *start = p + 1;
      const char *q = memchr (start, delims->field, end - start);
      Span span;

      if (q == NULL)
        q = end;
      span.p = start;
      span.len = q - start;
      g_array_append_val (seg->fields, span);
      p = q;
    }
}

/* The iconv name for an MSH-18 value; NULL for UTF-8 (and anything we do
 * not know, which is then read as UTF-8 with invalid bytes replaced). */
static char *
charset_from_msh18 (const char *value)
{
  g_autofree char *v = g_ascii_strup (value, -1);

  g_strstrip (v);
  if (g_str_has_prefix (v, "8859/"))
    {
      const char *n = v + 5;
      guint64 num;

      if (g_ascii_string_to_unsigned (n, 10, 1, 16, &num, NULL))
        return g_strdup_printf ("ISO-8859-%u", (guint) num);
    }
  return NULL;
}

static gboolean
is_blank_line (const char *p,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (p[i]))
      return FALSE;
  return TRUE;
}

ChHl7Message *
ch_hl7_message_parse (const guint8 *data,
                      gsize         len,
                      GError      **error)
{
  g_autoptr(ChHl7Message) msg = NULL;
  const char *p;
  const char *end;
  guint line_no = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > CH_HL7_MAX_MESSAGE_SIZE)
    {
      g_autofree char *size = g_format_size (len);
      g_autofree char *limit = g_format_size (CH_HL7_MAX_MESSAGE_SIZE);

      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_TOO_LARGE,
                   _("The HL7 message is %s long; at most %s are accepted"), size, limit);
      return NULL;
    }
  if (len > 0 && memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_NUL,
                   _("The HL7 message contains a NUL byte at offset %" PRIu64),
                   (guint64) ((const guint8 *) memchr (data, '\0', len) - data));
      return NULL;
    }

  /* White space, a byte order mark and the MLLP frame around the message. */
  {
    gsize start = 0, stop = len;

    while (start < stop && (g_ascii_isspace (data[start]) || data[start] == CH_HL7_MLLP_START))
      start++;
    if (stop - start >= 3 && memcmp (data + start, "\xef\xbb\xbf", 3) == 0)
      start += 3;
    while (stop > start && (g_ascii_isspace (data[stop - 1]) || data[stop - 1] == CH_HL7_MLLP_END))
      stop--;

    if (start == stop)
      {
        g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_EMPTY, _("The HL7 message is empty"));
        return NULL;
      }

    msg = g_new0 (ChHl7Message, 1);
    g_atomic_ref_count_init (&msg->ref_count);
    msg->len = stop - start;
    msg->data = g_malloc (msg->len + 1);
    memcpy (msg->data, data + start, msg->len);
    msg->data[msg->len] = '\0';
    msg->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
    g_array_set_clear_func (msg->segments, segment_clear);
  }

  if (msg->len < 3 || memcmp (msg->data, "MSH", 3) != 0)
    {
      g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_NO_MSH,
                   _("The HL7 message does not start with an MSH segment"));
      return NULL;
    }

  p = msg->data;
  end = msg->data + msg->len;
  while (p < end)
    {
      const char *eol = p;
      Segment seg = { { 0 }, NULL };
      gsize line_len;

      while (eol < end && *eol != '\r' && *eol != '\n')
        eol++;
      line_len = eol - p;
      line_no++;

      if (!is_blank_line (p, line_len))
        {
          gboolean is_msh;

          if (msg->segments->len == 0)
            {
              if (!read_delimiters (p, line_len, &msg->delims, error))
                return NULL;
            }

          if (line_len < 3 ||
              !(g_ascii_isupper (p[0]) && (g_ascii_isupper (p[1]) || g_ascii_isdigit (p[1])) &&
                (g_ascii_isupper (p[2]) || g_ascii_isdigit (p[2]))) ||
              (line_len > 3 && p[3] != msg->delims.field))
            {
              g_autofree char *shown = g_utf8_make_valid (p, MIN (line_len, 20));

              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_SEGMENT,
                           _("Line %u of the HL7 message does not start with a segment name: “%s”"),
                           line_no, shown);
              return NULL;
            }

          is_msh = memcmp (p, "MSH", 3) == 0;
          if (is_msh && msg->segments->len > 0)
            {
              g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_BAD_SEGMENT,
                           _("Line %u: a second MSH segment; only one message at a time is read"),
                           line_no);
              return NULL;
            }

          memcpy (seg.name, p, 3);
          split_fields (&seg, p, line_len, &msg->delims, is_msh);
          g_array_append_val (msg->segments, seg);
        }

      p = eol;
      if (p < end && *p == '\r')
        p++;
      if (p < end && *p == '\n')
        p++;
    }

  {
    g_autofree char *msh18 = ch_hl7_message_get_raw_at (msg, 0, 18, 1, 1, 1);

    msg->charset = msh18 ? charset_from_msh18 (msh18) : NULL;
    msg->utf8 = msg->charset == NULL;
    if (msg->charset == NULL)
      msg->charset = g_strdup ("UTF-8");
    else
      {
        g_autoptr(GError) local_error = NULL;
        g_autofree char *probe = g_convert ("", 0, "UTF-8", msg->charset, NULL, NULL,
                                            &local_error);

        if (probe == NULL)
          {
            g_set_error (error, CH_HL7_ERROR, CH_HL7_ERROR_CHARSET,
                         _("MSH-18: the character set %s cannot be read: %s"),
                         msh18, local_error->message);
            return NULL;
          }
      }
  }

  return g_steal_pointer (&msg);
}

ChHl7Message *
ch_hl7_message_parse_bytes (GBytes  *bytes,
                            GError **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  return ch_hl7_message_parse (data ? data : (const guint8 *) "", len, error);
}

const ChHl7Delimiters *
ch_hl7_message_get_delimiters (ChHl7Message *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);

  return &msg->delims;
}

const char *
ch_hl7_message_get_charset (ChHl7Message *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);

  return msg->charset;
}

guint
ch_hl7_message_get_n_segments (ChHl7Message *msg)
{
  g_return_val_if_fail (msg != NULL, 0);

  return msg->segments->len;
}

const char *
ch_hl7_message_get_segment_name (ChHl7Message *msg,
                                 guint         pos)
{
  g_return_val_if_fail (msg != NULL, NULL);

  if (pos >= msg->segments->len)
    return NULL;
  return g_array_index (msg->segments, Segment, pos).name;
}

guint
ch_hl7_message_count (ChHl7Message *msg,
                      const char   *name)
{
  guint n = 0;

  g_return_val_if_fail (msg != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  for (guint i = 0; i < msg->segments->len; i++)
    if (strcmp (g_array_index (msg->segments, Segment, i).name, name) == 0)
      n++;
  return n;
}

int
ch_hl7_message_find (ChHl7Message *msg,
                     const char   *name,
                     guint         index)
{
  g_return_val_if_fail (msg != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < msg->segments->len; i++)
    if (strcmp (g_array_index (msg->segments, Segment, i).name, name) == 0)
      {
        if (index == 0)
          return (int) i;
        index--;
      }
  return -1;
}

guint
ch_hl7_message_get_n_fields (ChHl7Message *msg,
                             guint         pos)
{
  g_return_val_if_fail (msg != NULL, 0);

  if (pos >= msg->segments->len)
    return 0;
  return g_array_index (msg->segments, Segment, pos).fields->len;
}

/* The @n-th (from 1) piece of @in split at @sep; FALSE when there are fewer. */
static gboolean
nth_piece (Span  in,
           char  sep,
           guint n,
           Span *out)
{
  const char *p = in.p;
  const char *end = in.p + in.len;

  for (guint i = 1; i < n; i++)
    {
      const char *q = memchr (p, sep, end - p);

      if (q == NULL)
        return FALSE;
      p = q + 1;
    }

  out->p = p;
  out->len = end - p;
  {
    const char *q = memchr (p, sep, end - p);

    if (q != NULL)
      out->len = q - p;
  }
  return TRUE;
}

/* Finds an element; @verbatim is set for MSH-1 and MSH-2, which are never
 * split or unescaped. */
static gboolean
locate (ChHl7Message *msg,
        guint         pos,
        guint         field,
        guint         rep,
        guint         comp,
        guint         sub,
        Span         *out,
        gboolean     *verbatim)
{
  Segment *seg;
  Span span;

  *verbatim = FALSE;
  if (pos >= msg->segments->len || field == 0)
    return FALSE;
  seg = &g_array_index (msg->segments, Segment, pos);
  if (field > seg->fields->len)
    return FALSE;
  span = g_array_index (seg->fields, Span, field - 1);

  if (strcmp (seg->name, "MSH") == 0 && field <= 2)
    {
      *verbatim = TRUE;
      *out = span;
      return TRUE;
    }

  if (rep == 0)
    {
      *out = span;
      return TRUE;
    }
  if (!nth_piece (span, msg->delims.repetition, rep, &span))
    return FALSE;
  if (comp == 0)
    {
      *out = span;
      return TRUE;
    }
  if (!nth_piece (span, msg->delims.component, comp, &span))
    return FALSE;
  if (sub == 0)
    {
      *out = span;
      return TRUE;
    }
  if (!nth_piece (span, msg->delims.subcomponent, sub, &span))
    return FALSE;
  *out = span;
  return TRUE;
}

char *
ch_hl7_message_get_raw_at (ChHl7Message *msg,
                           guint         pos,
                           guint         field,
                           guint         rep,
                           guint         comp,
                           guint         sub)
{
  Span span;
  gboolean verbatim;

  g_return_val_if_fail (msg != NULL, NULL);

  if (!locate (msg, pos, field, rep, comp, sub, &span, &verbatim))
    return NULL;
  return g_strndup (span.p, span.len);
}

static char *
to_utf8 (ChHl7Message *msg,
         const char   *text,
         gsize         len)
{
  if (!msg->utf8)
    {
      g_autofree char *converted = g_convert (text, len, "UTF-8", msg->charset, NULL, NULL, NULL);

      if (converted != NULL)
        return g_steal_pointer (&converted);
    }
  if (g_utf8_validate (text, len, NULL))
    return g_strndup (text, len);
  /* Not UTF-8 although MSH-18 says nothing (or says UTF-8): what labs send
   * then is almost always Windows-1252 or Latin-1 (raw, or as \Xhh\
   * escapes) — "Lef\XE8\vre" is Lefèvre, not "Lef?vre". Every byte has a
   * meaning in Windows-1252 but five; those fall back to U+FFFD. */
  {
    g_autofree char *converted = g_convert (text, len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);

    if (converted != NULL)
      return g_steal_pointer (&converted);
  }
  return g_utf8_make_valid (text, len);
}

char *
ch_hl7_message_get_at (ChHl7Message *msg,
                       guint         pos,
                       guint         field,
                       guint         rep,
                       guint         comp,
                       guint         sub)
{
  Span span;
  gboolean verbatim;
  g_autofree char *decoded = NULL;

  g_return_val_if_fail (msg != NULL, NULL);

  if (!locate (msg, pos, field, rep, comp, sub, &span, &verbatim))
    return NULL;
  if (verbatim)
    return g_strndup (span.p, span.len);

  decoded = ch_hl7_unescape (&msg->delims, span.p, span.len);
  return to_utf8 (msg, decoded, strlen (decoded));
}

char *
ch_hl7_message_get (ChHl7Message *msg,
                    const char   *segment,
                    guint         seg_index,
                    guint         field,
                    guint         rep,
                    guint         comp,
                    guint         sub)
{
  int pos;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  pos = ch_hl7_message_find (msg, segment, seg_index);
  if (pos < 0)
    return NULL;
  return ch_hl7_message_get_at (msg, pos, field, rep, comp, sub);
}

guint
ch_hl7_message_get_n_repetitions (ChHl7Message *msg,
                                  guint         pos,
                                  guint         field)
{
  Span span;
  gboolean verbatim;
  guint n = 1;

  g_return_val_if_fail (msg != NULL, 0);

  if (!locate (msg, pos, field, 0, 0, 0, &span, &verbatim) || span.len == 0)
    return 0;
  if (verbatim)
    return 1;
  for (gsize i = 0; i < span.len; i++)
    if (span.p[i] == msg->delims.repetition)
      n++;
  return n;
}

GBytes *
ch_hl7_message_to_bytes (ChHl7Message *msg)
{
  GString *out;

  g_return_val_if_fail (msg != NULL, NULL);

  out = g_string_sized_new (msg->len + 1);
  for (guint i = 0; i < msg->segments->len; i++)
    {
      Segment *seg = &g_array_index (msg->segments, Segment, i);
      gboolean is_msh = strcmp (seg->name, "MSH") == 0;

      if (i > 0)
        g_string_append_c (out, '\r');
      g_string_append (out, seg->name);
      for (guint f = is_msh ? 1 : 0; f < seg->fields->len; f++)
        {
          Span span = g_array_index (seg->fields, Span, f);

          g_string_append_c (out, msg->delims.field);
          g_string_append_len (out, span.p, span.len);
        }
    }
  return g_string_free_to_bytes (out);
}

/* Escapes */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes one escape sequence's content (between the escape characters);
 * FALSE when it is not one we know, to be kept as it is. */
static gboolean
decode_escape (const ChHl7Delimiters *delims,
               const char            *seq,
               gsize                  len,
               GString               *out)
{
  if (len == 1)
    {
      switch (seq[0])
        {
        case 'F': g_string_append_c (out, delims->field); return TRUE;
        case 'S': g_string_append_c (out, delims->component); return TRUE;
        case 'T': g_string_append_c (out, delims->subcomponent); return TRUE;
        case 'R': g_string_append_c (out, delims->repetition); return TRUE;
        case 'E': g_string_append_c (out, delims->escape); return TRUE;
        case 'P': g_string_append_c (out, delims->truncation ? delims->truncation : '#'); return TRUE;
        /* Highlighting on and off: plain text has no such thing. */
        case 'H':
        case 'N':
          return TRUE;
        default:
          return FALSE;
        }
    }

  if (len == 3 && memcmp (seq, ".br", 3) == 0)
    {
      g_string_append_c (out, '\n');
      return TRUE;
    }

  if (seq[0] == 'X' && len >= 3 && (len - 1) % 2 == 0)
    {
      gsize before = out->len;

      for (gsize i = 1; i < len; i += 2)
        {
          int hi = hex_value (seq[i]);
          int lo = hex_value (seq[i + 1]);

          if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            {
              g_string_truncate (out, before);
              return FALSE;
            }
          g_string_append_c (out, (char) (hi * 16 + lo));
        }
      return TRUE;
    }

  return FALSE;
}

char *
ch_hl7_unescape (const ChHl7Delimiters *delims,
                 const char            *text,
                 gssize                 len)
{
  GString *out;
  const char *p, *end;

  g_return_val_if_fail (delims != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = strlen (text);
  end = text + len;

  if (memchr (text, delims->escape, len) == NULL)
    return g_strndup (text, len);

  out = g_string_sized_new (len);
  p = text;
  while (p < end)
    {
      const char *close;

      if (*p != delims->escape)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      close = memchr (p + 1, delims->escape, end - p - 1);
      if (close == NULL || close == p + 1 ||
          !decode_escape (delims, p + 1, close - p - 1, out))
        {
          /* Not an escape we know: keep the escape character and go on
           * from the next one, so that "C:\tmp\" stays as it was. */
          g_string_append_c (out, *p++);
          continue;
        }
      p = close + 1;
    }
  return g_string_free (out, FALSE);
}

char *
ch_hl7_escape (const ChHl7Delimiters *delims,
               const char            *text)
{
  GString *out;

  g_return_val_if_fail (delims != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) + 8);
  for (const char *p = text; *p; p++)
    {
      char c = *p;
      char code = 0;

      if (c == delims->field)
        code = 'F';
      else if (c == delims->component)
        code = 'S';
      else if (c == delims->subcomponent)
        code = 'T';
      else if (c == delims->repetition)
        code = 'R';
      else if (c == delims->escape)
        code = 'E';
      else if (delims->truncation && c == delims->truncation)
        code = 'P';

      if (code)
        g_string_append_printf (out, "%c%c%c", delims->escape, code, delims->escape);
      else if (c == '\r' || c == '\n')
        {
          if (c == '\r' && p[1] == '\n')
            p++;
          g_string_append_printf (out, "%c.br%c", delims->escape, delims->escape);
        }
      else if ((guchar) c < 0x20 && c != '\t')
        g_string_append_printf (out, "%cX%02X%c", delims->escape, (guint) (guchar) c,
                                delims->escape);
      else
        g_string_append_c (out, c);
    }
  return g_string_free (out, FALSE);
}

/* MLLP */

GBytes *
ch_hl7_mllp_frame (GBytes *message)
{
  GByteArray *out;
  gsize len;
  const guint8 *data;
  const guint8 start = CH_HL7_MLLP_START;
  const guint8 tail[2] = { CH_HL7_MLLP_END, '\r' };

  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message, &len);
  out = g_byte_array_sized_new (len + 3);
  g_byte_array_append (out, &start, 1);
  if (len > 0)
    g_byte_array_append (out, data, len);
  g_byte_array_append (out, tail, 2);
  return g_byte_array_free_to_bytes (out);
}

gboolean
ch_hl7_mllp_unframe (const guint8 *data,
                     gsize         len,
                     gsize        *msg_offset,
                     gsize        *msg_len,
                     gsize        *consumed)
{
  const guint8 *start, *stop;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len == 0)
    return FALSE;
  start = memchr (data, CH_HL7_MLLP_START, len);
  if (start == NULL)
    return FALSE;
  stop = memchr (start + 1, CH_HL7_MLLP_END, data + len - start - 1);
  if (stop == NULL || stop + 1 >= data + len)
    return FALSE;
  if (stop[1] != '\r')
    return FALSE;

  if (msg_offset)
    *msg_offset = start + 1 - data;
  if (msg_len)
    *msg_len = stop - start - 1;
  if (consumed)
    *consumed = stop + 2 - data;
  return TRUE;
}

/* Writer */

/* One element of a segment: a field, repetition, component or
 * subcomponent. Either @text (already escaped, or raw) or @children. */
typedef struct
{
  char *text;
  GPtrArray *children;
} Node;

static void
node_free (gpointer data)
{
  Node *node = data;

  if (node == NULL)
    return;
  g_free (node->text);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node);
}

static Node *
node_child (Node  *node,
            guint  index)
{
  if (node->children == NULL)
    {
      node->children = g_ptr_array_new_with_free_func (node_free);
      /* A raw value set earlier becomes the first child. */
      if (node->text != NULL)
        {
          Node *first = g_new0 (Node, 1);

          first->text = g_steal_pointer (&node->text);
          g_ptr_array_add (node->children, first);
        }
    }
  while (node->children->len <= index)
    g_ptr_array_add (node->children, g_new0 (Node, 1));
  return g_ptr_array_index (node->children, index);
}

typedef struct
{
  char name[4];
  Node root; /* children are the fields, from field 1 */
} WSegment;

struct _ChHl7Writer
{
  ChHl7Delimiters delims;
  GPtrArray *segments; /* WSegment */
};

static void
wsegment_free (gpointer data)
{
  WSegment *seg = data;

  g_clear_pointer (&seg->root.children, g_ptr_array_unref);
  g_free (seg->root.text);
  g_free (seg);
}

ChHl7Writer *
ch_hl7_writer_new (const ChHl7Delimiters *delims)
{
  ChHl7Writer *writer = g_new0 (ChHl7Writer, 1);

  writer->delims = delims ? *delims : default_delimiters;
  writer->segments = g_ptr_array_new_with_free_func (wsegment_free);
  return writer;
}

void
ch_hl7_writer_free (ChHl7Writer *writer)
{
  if (writer == NULL)
    return;
  g_ptr_array_unref (writer->segments);
  g_free (writer);
}

void
ch_hl7_writer_add_segment (ChHl7Writer *writer,
                           const char  *name)
{
  WSegment *seg;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (name != NULL && strlen (name) == 3);

  seg = g_new0 (WSegment, 1);
  memcpy (seg->name, name, 3);
  g_ptr_array_add (writer->segments, seg);

  if (strcmp (name, "MSH") == 0)
    {
      GString *enc = g_string_new (NULL);
      Node *msh2;

      g_string_append_c (enc, writer->delims.component);
      g_string_append_c (enc, writer->delims.repetition);
      g_string_append_c (enc, writer->delims.escape);
      g_string_append_c (enc, writer->delims.subcomponent);
      if (writer->delims.truncation)
        g_string_append_c (enc, writer->delims.truncation);
      node_child (&seg->root, 0)->text = g_strdup ("");
      msh2 = node_child (&seg->root, 1);
      msh2->text = g_string_free (enc, FALSE);
    }
}

static WSegment *
last_segment (ChHl7Writer *writer)
{
  if (writer->segments->len == 0)
    return NULL;
  return g_ptr_array_index (writer->segments, writer->segments->len - 1);
}

static void
writer_set (ChHl7Writer *writer,
            WSegment    *seg,
            guint        field,
            guint        rep,
            guint        comp,
            guint        sub,
            const char  *value)
{
  Node *node = node_child (&seg->root, field - 1);

  node = node_child (node, rep - 1);
  node = node_child (node, comp - 1);
  node = node_child (node, sub - 1);
  g_free (node->text);
  node->text = value ? ch_hl7_escape (&writer->delims, value) : NULL;
}

void
ch_hl7_writer_set (ChHl7Writer *writer,
                   guint        field,
                   guint        rep,
                   guint        comp,
                   guint        sub,
                   const char  *value)
{
  WSegment *seg;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (field >= 1 && rep >= 1 && comp >= 1 && sub >= 1);
  seg = last_segment (writer);
  g_return_if_fail (seg != NULL);
  g_return_if_fail (strcmp (seg->name, "MSH") != 0 || field > 2);

  writer_set (writer, seg, field, rep, comp, sub, value);
}

void
ch_hl7_writer_set_field (ChHl7Writer *writer,
                         guint        field,
                         const char  *value)
{
  ch_hl7_writer_set (writer, field, 1, 1, 1, value);
}

void
ch_hl7_writer_set_field_raw (ChHl7Writer *writer,
                             guint        field,
                             const char  *raw)
{
  WSegment *seg;
  Node *node;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (field >= 1);
  seg = last_segment (writer);
  g_return_if_fail (seg != NULL);
  g_return_if_fail (strcmp (seg->name, "MSH") != 0 || field > 2);

  node = node_child (&seg->root, field - 1);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node->text);
  node->text = g_strdup (raw);
}

/* Writes @node's children joined by @seps[0], trailing empty ones left out. */
static void
node_write (const Node *node,
            const char *seps,
            GString    *out)
{
  if (node->text != NULL)
    {
      g_string_append (out, node->text);
      return;
    }
  if (node->children == NULL || seps[0] == '\0')
    return;

  {
    GString *part = g_string_new (NULL);
    gsize keep = out->len;

    for (guint i = 0; i < node->children->len; i++)
      {
        g_string_truncate (part, 0);
        if (i > 0)
          g_string_append_c (out, seps[0]);
        node_write (g_ptr_array_index (node->children, i), seps + 1, part);
        g_string_append_len (out, part->str, part->len);
        if (part->len > 0)
          keep = out->len;
      }
    g_string_truncate (out, keep);
    g_string_free (part, TRUE);
  }
}

GBytes *
ch_hl7_writer_to_bytes (ChHl7Writer *writer)
{
  GString *out;
  char seps[4];

  g_return_val_if_fail (writer != NULL, NULL);

  seps[0] = writer->delims.repetition;
  seps[1] = writer->delims.component;
  seps[2] = writer->delims.subcomponent;
  seps[3] = '\0';

  out = g_string_new (NULL);
  for (guint i = 0; i < writer->segments->len; i++)
    {
      WSegment *seg = g_ptr_array_index (writer->segments, i);
      gboolean is_msh = strcmp (seg->name, "MSH") == 0;
      GString *field = g_string_new (NULL);
      gsize keep;

      g_string_append (out, seg->name);
      keep = out->len;
      if (seg->root.children != NULL)
        for (guint f = is_msh ? 1 : 0; f < seg->root.children->len; f++)
          {
            g_string_truncate (field, 0);
            node_write (g_ptr_array_index (seg->root.children, f), seps, field);
            g_string_append_c (out, writer->delims.field);
            g_string_append_len (out, field->str, field->len);
            if (field->len > 0)
              keep = out->len;
          }
      g_string_truncate (out, keep);
      g_string_append_c (out, '\r');
      g_string_free (field, TRUE);
    }
  return g_string_free_to_bytes (out);
}

ChHl7Message *
ch_hl7_writer_to_message (ChHl7Writer *writer,
                          GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (writer != NULL, NULL);

  bytes = ch_hl7_writer_to_bytes (writer);
  return ch_hl7_message_parse_bytes (bytes, error);
}

/* ACK */

char *
ch_hl7_format_time (GDateTime *time)
{
  g_return_val_if_fail (time != NULL, NULL);

  return g_date_time_format (time, "%Y%m%d%H%M%S%z");
}

char *
ch_hl7_new_control_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S");

  return g_strdup_printf ("%s%06u", stamp, (guint) g_random_int_range (0, 1000000));
}

/* HL7 table 0357, the codes an ERR segment carries. */
static const char *
error_code_text (const char *code)
{
  static const struct
  {
    const char *code;
    const char *text;
  } codes[] = {
    { "0", "Message accepted" },
    { "100", "Segment sequence error" },
    { "101", "Required field missing" },
    { "102", "Data type error" },
    { "103", "Table value not found" },
    { "200", "Unsupported message type" },
    { "201", "Unsupported event code" },
    { "202", "Unsupported processing id" },
    { "203", "Unsupported version id" },
    { "204", "Unknown key identifier" },
    { "205", "Duplicate key identifier" },
    { "206", "Application record locked" },
    { "207", "Application internal error" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    if (strcmp (codes[i].code, code) == 0)
      return codes[i].text;
  return NULL;
}

/* Copies the first repetition of a field, component by component, decoded
 * and escaped again: the ACK is UTF-8 whatever the received message was. */
static void
copy_field (ChHl7Writer  *writer,
            guint         to_field,
            ChHl7Message *from,
            guint         from_field)
{
  for (guint c = 1;; c++)
    {
      g_autofree char *comp = ch_hl7_message_get_at (from, 0, from_field, 1, c, 0);

      if (comp == NULL)
        break;
      for (guint s = 1;; s++)
        {
          g_autofree char *sub = ch_hl7_message_get_at (from, 0, from_field, 1, c, s);

          if (sub == NULL)
            break;
          if (*sub)
            ch_hl7_writer_set (writer, to_field, 1, c, s, sub);
        }
    }
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; p && *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

ChHl7Message *
ch_hl7_make_ack (ChHl7Message *received,
                 const char   *code,
                 const char   *text,
                 const char   *error_code)
{
  g_autoptr(ChHl7Writer) writer = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = ch_hl7_format_time (now);
  g_autofree char *control_id = ch_hl7_new_control_id ();
  g_autofree char *trigger = NULL;
  g_autofree char *received_id = NULL;
  g_autofree char *processing = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GError) error = NULL;
  ChHl7Message *ack;
  gboolean accepted;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (g_str_equal (code, "AA") || g_str_equal (code, "AE") ||
                        g_str_equal (code, "AR") || g_str_equal (code, "CA") ||
                        g_str_equal (code, "CE") || g_str_equal (code, "CR"), NULL);

  accepted = code[1] == 'A';
  writer = ch_hl7_writer_new (received ? &received->delims : NULL);
  ch_hl7_writer_add_segment (writer, "MSH");

  if (received != NULL)
    {
      copy_field (writer, 3, received, 5);
      copy_field (writer, 4, received, 6);
      copy_field (writer, 5, received, 3);
      copy_field (writer, 6, received, 4);
      trigger = ch_hl7_message_get_at (received, 0, 9, 1, 2, 1);
      received_id = ch_hl7_message_get_at (received, 0, 10, 1, 1, 1);
      processing = ch_hl7_message_get_at (received, 0, 11, 1, 1, 1);
      version = ch_hl7_message_get_at (received, 0, 12, 1, 1, 1);
    }

  ch_hl7_writer_set_field (writer, 7, stamp);
  ch_hl7_writer_set (writer, 9, 1, 1, 1, "ACK");
  if (trigger != NULL && *trigger)
    {
      ch_hl7_writer_set (writer, 9, 1, 2, 1, trigger);
      ch_hl7_writer_set (writer, 9, 1, 3, 1, "ACK");
    }
  ch_hl7_writer_set_field (writer, 10, control_id);
  ch_hl7_writer_set_field (writer, 11, processing && *processing ? processing : "P");
  ch_hl7_writer_set_field (writer, 12, version && *version ? version : "2.5.1");

  ch_hl7_writer_add_segment (writer, "MSA");
  ch_hl7_writer_set_field (writer, 1, code);
  ch_hl7_writer_set_field (writer, 2, received_id);
  if (text != NULL && *text)
    ch_hl7_writer_set_field (writer, 3, text);

  if (!accepted)
    {
      const char *err = error_code && *error_code ? error_code : "207";
      const char *err_text = error_code_text (err);

      ch_hl7_writer_add_segment (writer, "ERR");
      ch_hl7_writer_set (writer, 3, 1, 1, 1, err);
      if (err_text != NULL)
        ch_hl7_writer_set (writer, 3, 1, 2, 1, err_text);
      ch_hl7_writer_set (writer, 3, 1, 3, 1, "HL70357");
      ch_hl7_writer_set_field (writer, 4, "E");
      if (text != NULL && *text)
        ch_hl7_writer_set_field (writer, 8, text);
    }

  {
    g_autoptr(GBytes) bytes = ch_hl7_writer_to_bytes (writer);
    g_autofree char *flat = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

    if (!is_ascii (flat))
      writer_set (writer, g_ptr_array_index (writer->segments, 0), 18, 1, 1, 1, "UNICODE UTF-8");
  }

  ack = ch_hl7_writer_to_message (writer, &error);
  /* What we wrote ourselves always parses. */
  if (ack == NULL)
    g_critical ("Could not parse our own ACK: %s", error->message);
  return ack;
}
