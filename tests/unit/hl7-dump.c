/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hl7-dump"

/* A helper for check-hl7-python.py, which compares Charta's HL7 code with
 * python-hl7:
 *
 *   hl7-dump parse FILE        every element of FILE, decoded, as JSON:
 *                              [[name, [field [rep [comp [sub]]]]] …]
 *   hl7-dump ack CODE TEXT ERR FILE
 *                              the ACK of FILE, as bytes
 *   hl7-dump write [DELIMS]    a message built from stdin, as bytes: lines
 *                              "SEG NAME" and "SET F R C S VALUE" (VALUE with
 *                              C escapes, e.g. \n)
 *
 * Exit status 0, or 1 with the error on stderr. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch-hl7.h"

static void
json_string (GString    *out,
             const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static int
count_parts (const char *raw,
             char        sep)
{
  int n = 1;

  for (const char *p = raw; *p; p++)
    if (*p == sep)
      n++;
  return n;
}

static int
do_parse (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChHl7Message) msg = NULL;
  GString *out = g_string_new ("[");
  const ChHl7Delimiters *d;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  msg = ch_hl7_message_parse ((const guint8 *) contents, len, &error);
  if (msg == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  d = ch_hl7_message_get_delimiters (msg);

  for (guint s = 0; s < ch_hl7_message_get_n_segments (msg); s++)
    {
      guint n_fields = ch_hl7_message_get_n_fields (msg, s);

      if (s > 0)
        g_string_append (out, ",\n");
      g_string_append (out, "[");
      json_string (out, ch_hl7_message_get_segment_name (msg, s));
      g_string_append (out, ", [");
      for (guint f = 1; f <= n_fields; f++)
        {
          g_autofree char *field = ch_hl7_message_get_raw_at (msg, s, f, 0, 0, 0);
          gboolean verbatim = strcmp (ch_hl7_message_get_segment_name (msg, s), "MSH") == 0 && f <= 2;
          int n_reps = verbatim ? 1 : count_parts (field, d->repetition);

          if (f > 1)
            g_string_append (out, ", ");
          if (verbatim)
            {
              json_string (out, field);
              continue;
            }
          g_string_append (out, "[");
          for (int r = 1; r <= n_reps; r++)
            {
              g_autofree char *rep = ch_hl7_message_get_raw_at (msg, s, f, r, 0, 0);
              int n_comps = count_parts (rep, d->component);

              if (r > 1)
                g_string_append (out, ", ");
              g_string_append (out, "[");
              for (int c = 1; c <= n_comps; c++)
                {
                  g_autofree char *comp = ch_hl7_message_get_raw_at (msg, s, f, r, c, 0);
                  int n_subs = count_parts (comp, d->subcomponent);

                  if (c > 1)
                    g_string_append (out, ", ");
                  g_string_append (out, "[");
                  for (int u = 1; u <= n_subs; u++)
                    {
                      g_autofree char *value = ch_hl7_message_get_at (msg, s, f, r, c, u);

                      if (u > 1)
                        g_string_append (out, ", ");
                      json_string (out, value);
                    }
                  g_string_append (out, "]");
                }
              g_string_append (out, "]");
            }
          g_string_append (out, "]");
        }
      g_string_append (out, "]]");
    }
  g_string_append (out, "]\n");
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  return 0;
}

static void
write_bytes (GBytes *bytes)
{
  fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
}

static int
do_ack (const char *code,
        const char *text,
        const char *err,
        const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChHl7Message) msg = NULL;
  g_autoptr(ChHl7Message) ack = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  msg = ch_hl7_message_parse ((const guint8 *) contents, len, &error);
  if (msg == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  ack = ch_hl7_make_ack (msg, code, *text ? text : NULL, *err ? err : NULL);
  bytes = ch_hl7_message_to_bytes (ack);
  write_bytes (bytes);
  return 0;
}

static int
do_write (const char *delims_text)
{
  ChHl7Delimiters delims = *ch_hl7_delimiters_default ();
  g_autoptr(ChHl7Writer) writer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char line[65536];

  if (delims_text != NULL)
    {
      if (strlen (delims_text) < 5)
        {
          g_printerr ("DELIMS: field, component, repetition, escape, subcomponent\n");
          return 1;
        }
      delims.field = delims_text[0];
      delims.component = delims_text[1];
      delims.repetition = delims_text[2];
      delims.escape = delims_text[3];
      delims.subcomponent = delims_text[4];
      delims.truncation = delims_text[5];
    }
  writer = ch_hl7_writer_new (&delims);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_strchomp (line);
      if (g_str_has_prefix (line, "SEG "))
        ch_hl7_writer_add_segment (writer, line + 4);
      else if (g_str_has_prefix (line, "SET "))
        {
          g_auto(GStrv) parts = g_strsplit (line + 4, " ", 5);
          g_autofree char *value = NULL;

          if (g_strv_length (parts) != 5)
            {
              g_printerr ("bad line: %s\n", line);
              return 1;
            }
          value = g_strcompress (parts[4]);
          ch_hl7_writer_set (writer, atoi (parts[0]), atoi (parts[1]), atoi (parts[2]),
                             atoi (parts[3]), value);
        }
    }
  bytes = ch_hl7_writer_to_bytes (writer);
  write_bytes (bytes);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && strcmp (argv[1], "parse") == 0)
    return do_parse (argv[2]);
  if (argc == 6 && strcmp (argv[1], "ack") == 0)
    return do_ack (argv[2], argv[3], argv[4], argv[5]);
  if ((argc == 2 || argc == 3) && strcmp (argv[1], "write") == 0)
    return do_write (argc == 3 ? argv[2] : NULL);

  g_printerr ("usage: hl7-dump parse FILE | ack CODE TEXT ERR FILE | write [DELIMS]\n");
  return 2;
}
