/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hl7"

#include "config.h"

#include <string.h>

#include "ch-hl7.h"
#include "ch-hl7-oru.h"

/* Helpers */

static ChHl7Message *
parse_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  ChHl7Message *msg = ch_hl7_message_parse ((const guint8 *) text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

static void
assert_parse_fails (const char *text,
                    gsize       len,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChHl7Message) msg = ch_hl7_message_parse ((const guint8 *) text, len, &error);

  g_assert_null (msg);
  g_assert_error (error, CH_HL7_ERROR, code);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

static char *
data_path (const char *name)
{
  const char *src = g_getenv ("CHARTA_SOURCE_DIR");

  g_assert_nonnull (src);
  return g_build_filename (src, "tests", "data", "hl7", name, NULL);
}

static ChHl7Message *
load_sample (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  ChHl7Message *msg;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  msg = ch_hl7_message_parse ((const guint8 *) contents, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

static ChHl7Oru *
load_oru (const char *name)
{
  g_autoptr(ChHl7Message) msg = load_sample (name);
  g_autoptr(GError) error = NULL;
  ChHl7Oru *oru = ch_hl7_oru_from_message (msg, &error);

  g_assert_no_error (error);
  g_assert_nonnull (oru);
  return oru;
}

static char *
bytes_to_string (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

#define assert_get(msg, seg, i, f, r, c, s, expected) \
  G_STMT_START { \
    g_autofree char *_v = ch_hl7_message_get ((msg), (seg), (i), (f), (r), (c), (s)); \
    g_assert_cmpstr (_v, ==, (expected)); \
  } G_STMT_END

static const char *simple =
  "MSH|^~\\&|LAB|FAC^1.2.3^ISO|CHARTA|OAKWOOD|20240315101502||ORU^R01^ORU_R01|CTL123|P|2.5.1\r"
  "PID|1||MRN1^^^OAKWOOD^MR~X9^^^LAB^PI||Doe^Jane^Q||19800101|F\r"
  "OBR|1|P1|F1|CBC^Blood count^L\r"
  "OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|12.0-16.0|N|||F\r";

/* Parsing */

static void
test_parse_default_delimiters (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (simple);
  const ChHl7Delimiters *d = ch_hl7_message_get_delimiters (msg);

  g_assert_cmpint (d->field, ==, '|');
  g_assert_cmpint (d->component, ==, '^');
  g_assert_cmpint (d->repetition, ==, '~');
  g_assert_cmpint (d->escape, ==, '\\');
  g_assert_cmpint (d->subcomponent, ==, '&');
  g_assert_cmpint (d->truncation, ==, 0);

  g_assert_cmpuint (ch_hl7_message_get_n_segments (msg), ==, 4);
  g_assert_cmpstr (ch_hl7_message_get_segment_name (msg, 2), ==, "OBR");
  g_assert_null (ch_hl7_message_get_segment_name (msg, 4));
  g_assert_cmpuint (ch_hl7_message_count (msg, "OBX"), ==, 1);
  g_assert_cmpint (ch_hl7_message_find (msg, "OBX", 0), ==, 3);
  g_assert_cmpint (ch_hl7_message_find (msg, "OBX", 1), ==, -1);

  assert_get (msg, "MSH", 0, 1, 0, 0, 0, "|");
  assert_get (msg, "MSH", 0, 2, 0, 0, 0, "^~\\&");
  assert_get (msg, "MSH", 0, 2, 1, 1, 1, "^~\\&");
  assert_get (msg, "MSH", 0, 3, 1, 1, 1, "LAB");
  assert_get (msg, "MSH", 0, 4, 1, 2, 1, "1.2.3");
  assert_get (msg, "MSH", 0, 9, 1, 1, 1, "ORU");
  assert_get (msg, "MSH", 0, 9, 1, 3, 1, "ORU_R01");
  assert_get (msg, "MSH", 0, 9, 0, 0, 0, "ORU^R01^ORU_R01");
  assert_get (msg, "MSH", 0, 10, 1, 1, 1, "CTL123");
  assert_get (msg, "PID", 0, 3, 1, 1, 1, "MRN1");
  assert_get (msg, "PID", 0, 3, 2, 1, 1, "X9");
  assert_get (msg, "PID", 0, 3, 2, 5, 1, "PI");
  assert_get (msg, "PID", 0, 3, 0, 0, 0, "MRN1^^^OAKWOOD^MR~X9^^^LAB^PI");
  assert_get (msg, "PID", 0, 5, 1, 2, 1, "Jane");
  assert_get (msg, "OBX", 0, 5, 1, 1, 1, "13.2");
  g_assert_cmpuint (ch_hl7_message_get_n_repetitions (msg, 1, 3), ==, 2);
  g_assert_cmpuint (ch_hl7_message_get_n_repetitions (msg, 1, 2), ==, 0);
  g_assert_cmpuint (ch_hl7_message_get_n_fields (msg, 0), ==, 12);
  g_assert_cmpuint (ch_hl7_message_get_n_fields (msg, 1), ==, 8);
  g_assert_cmpstr (ch_hl7_message_get_charset (msg), ==, "UTF-8");
}

static void
test_parse_custom_delimiters (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (
    "MSH*:~#@*SND*SF*RCV*RF*20240101**ORU:R01*C1*P*2.5.1\r"
    "PID*1**ID1@sub2::::MR~ID2*Doe:Jane*A|B^C\\D&E*#F# and #S# and #E##R##T##X41#");
  const ChHl7Delimiters *d = ch_hl7_message_get_delimiters (msg);

  g_assert_cmpint (d->field, ==, '*');
  g_assert_cmpint (d->component, ==, ':');
  g_assert_cmpint (d->repetition, ==, '~');
  g_assert_cmpint (d->escape, ==, '#');
  g_assert_cmpint (d->subcomponent, ==, '@');
  assert_get (msg, "MSH", 0, 1, 0, 0, 0, "*");
  assert_get (msg, "MSH", 0, 2, 0, 0, 0, ":~#@");
  assert_get (msg, "MSH", 0, 9, 1, 2, 1, "R01");
  assert_get (msg, "PID", 0, 3, 1, 1, 1, "ID1");
  assert_get (msg, "PID", 0, 3, 1, 1, 2, "sub2");
  assert_get (msg, "PID", 0, 3, 1, 5, 1, "MR");
  assert_get (msg, "PID", 0, 3, 2, 1, 1, "ID2");
  assert_get (msg, "PID", 0, 4, 1, 2, 1, "Jane");
  /* The usual delimiters are plain text here. */
  assert_get (msg, "PID", 0, 5, 1, 1, 1, "A|B^C\\D&E");
  assert_get (msg, "PID", 0, 6, 1, 1, 1, "* and : and #~@A");
}

static void
test_parse_truncation_character (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (
    "MSH|^~\\&#|SND|SF|RCV|RF|20240101||ORU^R01|C1|P|2.7\r"
    "NTE|1||50\\P\\ of samples#lost");
  const ChHl7Delimiters *d = ch_hl7_message_get_delimiters (msg);

  g_assert_cmpint (d->truncation, ==, '#');
  assert_get (msg, "MSH", 0, 2, 0, 0, 0, "^~\\&#");
  assert_get (msg, "MSH", 0, 3, 1, 1, 1, "SND");
  assert_get (msg, "NTE", 0, 3, 1, 1, 1, "50# of samples#lost");
}

static void
test_parse_line_ends (void)
{
  const char *variants[] = {
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|1||X\rOBX|1|ST|c||v\r",
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\nPID|1||X\nOBX|1|ST|c||v\n",
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r\nPID|1||X\r\nOBX|1|ST|c||v\r\n",
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\n\nPID|1||X\r\n  \r\nOBX|1|ST|c||v",
    "\r\n  MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r\rPID|1||X\n\r\nOBX|1|ST|c||v\n\n\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(ChHl7Message) msg = parse_text (variants[i]);
      g_autoptr(GBytes) bytes = ch_hl7_message_to_bytes (msg);
      g_autofree char *text = bytes_to_string (bytes);

      g_assert_cmpuint (ch_hl7_message_get_n_segments (msg), ==, 3);
      assert_get (msg, "MSH", 0, 12, 1, 1, 1, "2.5.1");
      assert_get (msg, "PID", 0, 3, 1, 1, 1, "X");
      assert_get (msg, "OBX", 0, 5, 1, 1, 1, "v");
      g_assert_cmpstr (text, ==, "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|1||X\rOBX|1|ST|c||v");
    }
}

static void
test_parse_mllp (void)
{
  const char *framed = "\x0bMSH|^~\\&|A|B|C|D|20240101||ACK|1|P|2.5.1\rMSA|AA|77\r\x1c\r";
  g_autoptr(ChHl7Message) msg = parse_text (framed);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) again = NULL;
  gsize offset, len, consumed;
  const char *stream;
  gsize stream_len;

  g_assert_cmpuint (ch_hl7_message_get_n_segments (msg), ==, 2);
  assert_get (msg, "MSA", 0, 2, 1, 1, 1, "77");

  plain = ch_hl7_message_to_bytes (msg);
  again = ch_hl7_mllp_frame (plain);
  g_assert_cmpuint (g_bytes_get_size (again), ==, g_bytes_get_size (plain) + 3);
  stream = g_bytes_get_data (again, &stream_len);
  g_assert_cmpint (stream[0], ==, 0x0b);
  g_assert_cmpint (stream[stream_len - 2], ==, 0x1c);
  g_assert_cmpint (stream[stream_len - 1], ==, '\r');

  /* A frame read from a socket, with noise before it and half of the next
   * frame after it. */
  {
    g_autoptr(GString) buf = g_string_new ("xx");

    g_string_append_len (buf, stream, stream_len);
    g_string_append (buf, "\x0bMSH|^~\\&|partial");
    g_assert_true (ch_hl7_mllp_unframe ((const guint8 *) buf->str, buf->len, &offset, &len, &consumed));
    g_assert_cmpuint (offset, ==, 3);
    g_assert_cmpuint (len, ==, g_bytes_get_size (plain));
    g_assert_cmpmem (buf->str + offset, len, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
    g_assert_cmpuint (consumed, ==, 2 + stream_len);
    /* The rest is no complete frame yet. */
    g_assert_false (ch_hl7_mllp_unframe ((const guint8 *) buf->str + consumed,
                                         buf->len - consumed, &offset, &len, &consumed));
    g_assert_false (ch_hl7_mllp_unframe ((const guint8 *) stream, stream_len - 1, NULL, NULL, NULL));
  }
}

static void
test_parse_missing_trailing (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
    "PID|1||X^^^AUTH||Doe\r"
    "OBX|1\r"
    "NTE\r");

  /* Absent: NULL. */
  assert_get (msg, "PID", 0, 9, 1, 1, 1, NULL);
  assert_get (msg, "PID", 0, 5, 1, 2, 1, NULL);
  assert_get (msg, "PID", 0, 3, 2, 1, 1, NULL);
  assert_get (msg, "PID", 0, 3, 1, 5, 1, NULL);
  assert_get (msg, "PID", 0, 3, 1, 4, 2, NULL);
  assert_get (msg, "OBX", 0, 2, 1, 1, 1, NULL);
  assert_get (msg, "NTE", 0, 1, 1, 1, 1, NULL);
  assert_get (msg, "OBX", 1, 1, 1, 1, 1, NULL);
  assert_get (msg, "ZZZ", 0, 1, 1, 1, 1, NULL);
  assert_get (msg, "MSH", 0, 30, 1, 1, 1, NULL);
  /* There but empty: "". */
  assert_get (msg, "PID", 0, 2, 1, 1, 1, "");
  assert_get (msg, "PID", 0, 3, 1, 2, 1, "");
  assert_get (msg, "PID", 0, 3, 1, 4, 1, "AUTH");
  assert_get (msg, "OBX", 0, 1, 1, 1, 1, "1");
  g_assert_cmpuint (ch_hl7_message_get_n_fields (msg, 3), ==, 0);
  g_assert_null (ch_hl7_message_get_at (msg, 99, 1, 1, 1, 1));
  g_assert_null (ch_hl7_message_get_at (msg, 1, 0, 1, 1, 1));
}

static void
test_parse_z_segments (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
    "ZPI|1|VIP^Very important\r"
    "PID|1||X\r"
    "ZPI|2|Second\r"
    "Z01|custom");

  g_assert_cmpuint (ch_hl7_message_count (msg, "ZPI"), ==, 2);
  g_assert_cmpstr (ch_hl7_message_get_segment_name (msg, 4), ==, "Z01");
  assert_get (msg, "ZPI", 0, 2, 1, 2, 1, "Very important");
  assert_get (msg, "ZPI", 1, 2, 1, 1, 1, "Second");
  assert_get (msg, "Z01", 0, 1, 1, 1, 1, "custom");
}

static void
test_parse_escapes (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (
    "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
    "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\r"
    "NTE|2||line one\\.br\\line two\r"
    "NTE|3||\\X48656C6C6F\\ and \\XC3A9\\\r"
    "NTE|4||\\H\\bold\\N\\ text\r"
    "NTE|5||C:\\temp\\file and \\Zcustom\\ and \\Xzz\\ and \\\\ and trailing \\\r"
    "NTE|6||^\\S\\^");

  assert_get (msg, "NTE", 0, 3, 1, 1, 1, "a|b^c&d~e\\f");
  assert_get (msg, "NTE", 1, 3, 1, 1, 1, "line one\nline two");
  assert_get (msg, "NTE", 2, 3, 1, 1, 1, "Hello and é");
  assert_get (msg, "NTE", 3, 3, 1, 1, 1, "bold text");
  assert_get (msg, "NTE", 4, 3, 1, 1, 1,
              "C:\\temp\\file and \\Zcustom\\ and \\Xzz\\ and \\\\ and trailing \\");
  /* Escapes are decoded after splitting: \S\ is no component separator. */
  assert_get (msg, "NTE", 5, 3, 1, 2, 1, "^");
  assert_get (msg, "NTE", 5, 3, 1, 3, 1, "");
  assert_get (msg, "NTE", 5, 3, 1, 0, 0, "^^^");

  {
    g_autofree char *raw = ch_hl7_message_get_raw_at (msg, 1, 3, 1, 1, 1);

    g_assert_cmpstr (raw, ==, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f");
  }
}

static void
test_escape_round_trip (void)
{
  const char *texts[] = {
    "plain",
    "",
    "a|b^c~d\\e&f",
    "\\F\\ is literal text",
    "two\nlines\r\nand\rthree",
    "tab\there and bell\a",
    "Ünïcödé — 5 µg/L ≥ 3",
    "#hash and * star and : colon and @ at",
    "\\\\\\|||^^^",
  };
  ChHl7Delimiters custom = { '*', ':', '~', '#', '@', '!' };
  const ChHl7Delimiters *sets[] = { ch_hl7_delimiters_default (), &custom };

  for (gsize s = 0; s < G_N_ELEMENTS (sets); s++)
    for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        const ChHl7Delimiters *d = sets[s];
        g_autofree char *escaped = ch_hl7_escape (d, texts[i]);
        g_autofree char *back = ch_hl7_unescape (d, escaped, -1);
        g_autofree char *expected = NULL;
        g_auto(GStrv) lines = NULL;

        /* No delimiter and no line end survives escaping. */
        g_assert_null (strchr (escaped, d->field));
        g_assert_null (strchr (escaped, d->component));
        g_assert_null (strchr (escaped, d->repetition));
        g_assert_null (strchr (escaped, d->subcomponent));
        g_assert_null (strchr (escaped, '\r'));
        g_assert_null (strchr (escaped, '\n'));
        if (d->truncation)
          g_assert_null (strchr (escaped, d->truncation));

        /* Line ends come back as \n. */
        lines = g_regex_split_simple ("\r\n|\r|\n", texts[i], 0, 0);
        expected = g_strjoinv ("\n", lines);
        g_assert_cmpstr (back, ==, expected);
      }

  {
    g_autofree char *e = ch_hl7_escape (ch_hl7_delimiters_default (), "a|b^c~d\\e&f\ng");

    g_assert_cmpstr (e, ==, "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\.br\\g");
  }
}

static void
test_parse_charset (void)
{
  /* ISO 8859-1, as MSH-18 says. */
  {
    const char latin1[] =
      "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1||||||8859/1\r"
      "PID|1||X||Lef\xe8vre^Ren\xe9" "e\r"
      "NTE|1||\\XE9\\t\\XE9\\";
    g_autoptr(ChHl7Message) msg = parse_text (latin1);

    g_assert_cmpstr (ch_hl7_message_get_charset (msg), ==, "ISO-8859-1");
    assert_get (msg, "PID", 0, 5, 1, 1, 1, "Lefèvre");
    assert_get (msg, "PID", 0, 5, 1, 2, 1, "Renée");
    assert_get (msg, "NTE", 0, 3, 1, 1, 1, "été");
  }
  /* No MSH-18: UTF-8, and what is not UTF-8 never passed on as it is. */
  {
    const char bad[] =
      "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
      "PID|1||X||M\xc3\xbcller^Bad\xff\xfe" "byte\r";
    g_autoptr(ChHl7Message) msg = parse_text (bad);
    g_autofree char *name = ch_hl7_message_get (msg, "PID", 0, 5, 1, 2, 1);

    assert_get (msg, "PID", 0, 5, 1, 1, 1, "Müller");
    g_assert_true (g_utf8_validate (name, -1, NULL));
    g_assert_true (g_str_has_prefix (name, "Bad"));
    g_assert_true (g_str_has_suffix (name, "byte"));
  }
  /* No MSH-18 and not UTF-8: read as Windows-1252, as labs that leave
   * MSH-18 out write (raw bytes, or \Xhh\ escapes of them). */
  {
    const char legacy[] =
      "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
      "PID|1||X||Lef\\XE8\\vre^Ren\xe9" "e\r"
      "NTE|1||5 \\XB5\\g \x96 see \\X80\\";
    g_autoptr(ChHl7Message) msg = parse_text (legacy);

    assert_get (msg, "PID", 0, 5, 1, 1, 1, "Lefèvre");
    assert_get (msg, "PID", 0, 5, 1, 2, 1, "Renée");
    assert_get (msg, "NTE", 0, 3, 1, 1, 1, "5 µg – see €");
  }
  /* The sample file. */
  {
    g_autoptr(ChHl7Message) msg = load_sample ("latin1.hl7");

    assert_get (msg, "PID", 0, 5, 1, 1, 1, "Lefèvre");
    assert_get (msg, "OBX", 0, 3, 1, 2, 1, "Hémoglobine");
  }
}

static void
test_parse_malformed (void)
{
  static const struct
  {
    const char *text;
    int code;
  } cases[] = {
    { "", CH_HL7_ERROR_EMPTY },
    { " \r\n\x0b\x1c\r", CH_HL7_ERROR_EMPTY },
    { "PID|1||X\r", CH_HL7_ERROR_NO_MSH },
    { "FHS|^~\\&|A\r", CH_HL7_ERROR_NO_MSH },
    { "MS", CH_HL7_ERROR_NO_MSH },
    { "MSH", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~\\", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~|A|B", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~\\&#!|A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^^\\&|A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~\\||A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~a&|A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH ^~\\& A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSHA^~\\&A", CH_HL7_ERROR_BAD_DELIMITERS },
    { "MSH|^~\\&|A\rpid|1\r", CH_HL7_ERROR_BAD_SEGMENT },
    { "MSH|^~\\&|A\rPI\r", CH_HL7_ERROR_BAD_SEGMENT },
    { "MSH|^~\\&|A\rPIDX|1\r", CH_HL7_ERROR_BAD_SEGMENT },
    { "MSH|^~\\&|A\rMSH|^~\\&|B\r", CH_HL7_ERROR_BAD_SEGMENT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_fails (cases[i].text, strlen (cases[i].text), cases[i].code);

  /* A NUL byte. */
  {
    const char nul[] = "MSH|^~\\&|A|B\rPID|1|\0|X\r";

    assert_parse_fails (nul, sizeof nul - 1, CH_HL7_ERROR_NUL);
  }

  /* Over 64 MB: refused before anything is read. */
  {
    gsize big = CH_HL7_MAX_MESSAGE_SIZE + 1;
    g_autofree char *buf = g_malloc (big);

    memset (buf, 'A', big);
    memcpy (buf, "MSH|^~\\&|", 9);
    assert_parse_fails (buf, big, CH_HL7_ERROR_TOO_LARGE);
  }

  /* Random bytes and truncations of a good message never crash. */
  {
    GRand *rand = g_rand_new_with_seed (42);
    gsize len = strlen (simple);

    for (gsize cut = 0; cut < len; cut++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ChHl7Message) msg = ch_hl7_message_parse ((const guint8 *) simple, cut, &error);

        g_assert_true ((msg == NULL) != (error == NULL));
        if (msg != NULL)
          {
            g_autoptr(GError) oru_error = NULL;
            g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (msg, &oru_error);

            g_assert_true ((oru == NULL) != (oru_error == NULL));
          }
      }
    for (int round = 0; round < 2000; round++)
      {
        g_autofree char *copy = g_strdup (simple);
        g_autoptr(GError) error = NULL;
        g_autoptr(ChHl7Message) msg = NULL;

        for (int k = 0; k < 4; k++)
          copy[g_rand_int_range (rand, 0, len)] = (char) g_rand_int_range (rand, 1, 256);
        msg = ch_hl7_message_parse ((const guint8 *) copy, len, &error);
        g_assert_true ((msg == NULL) != (error == NULL));
        if (msg != NULL)
          {
            g_autoptr(GError) oru_error = NULL;
            g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (msg, &oru_error);
            g_autofree char *v = ch_hl7_message_get (msg, "OBX", 0, 5, 1, 1, 1);

            g_assert_true ((oru == NULL) != (oru_error == NULL));
            g_assert_true (v == NULL || g_utf8_validate (v, -1, NULL));
          }
      }
    g_rand_free (rand);
  }
}

/* Writing */

static void
test_write_build (void)
{
  g_autoptr(ChHl7Writer) writer = ch_hl7_writer_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autoptr(ChHl7Message) msg = NULL;
  g_autoptr(GError) error = NULL;

  ch_hl7_writer_add_segment (writer, "MSH");
  ch_hl7_writer_set_field (writer, 3, "CHARTA");
  ch_hl7_writer_set (writer, 4, 1, 1, 1, "OAKWOOD");
  ch_hl7_writer_set (writer, 4, 1, 2, 1, "2.16.840.1.113883.3.99");
  ch_hl7_writer_set (writer, 4, 1, 3, 1, "ISO");
  ch_hl7_writer_set_field (writer, 7, "20240401120000");
  ch_hl7_writer_set (writer, 9, 1, 1, 1, "ORM");
  ch_hl7_writer_set (writer, 9, 1, 2, 1, "O01");
  ch_hl7_writer_set_field (writer, 10, "MSG0001");
  ch_hl7_writer_set_field (writer, 11, "P");
  ch_hl7_writer_set_field (writer, 12, "2.5.1");
  ch_hl7_writer_add_segment (writer, "PID");
  ch_hl7_writer_set_field (writer, 1, "1");
  ch_hl7_writer_set (writer, 3, 1, 1, 1, "MRN1");
  ch_hl7_writer_set (writer, 3, 1, 4, 1, "OAKWOOD");
  ch_hl7_writer_set (writer, 3, 1, 4, 2, "1.2.3");
  ch_hl7_writer_set (writer, 3, 1, 5, 1, "MR");
  ch_hl7_writer_set (writer, 3, 2, 1, 1, "X9");
  ch_hl7_writer_set (writer, 5, 1, 1, 1, "O'Brien|Smith");
  ch_hl7_writer_set (writer, 5, 1, 2, 1, "Ann^Marie");
  ch_hl7_writer_set (writer, 5, 1, 3, 1, NULL);
  ch_hl7_writer_set (writer, 11, 1, 1, 1, "");
  ch_hl7_writer_add_segment (writer, "NTE");
  ch_hl7_writer_set_field (writer, 3, "Fasting?\nYes & since 8pm ~ confirmed \\ ok");
  ch_hl7_writer_add_segment (writer, "ZCH");
  ch_hl7_writer_set_field_raw (writer, 2, "A^B~C");

  bytes = ch_hl7_writer_to_bytes (writer);
  text = bytes_to_string (bytes);
  g_assert_cmpstr (text, ==,
                   "MSH|^~\\&|CHARTA|OAKWOOD^2.16.840.1.113883.3.99^ISO|||20240401120000||ORM^O01|MSG0001|P|2.5.1\r"
                   "PID|1||MRN1^^^OAKWOOD&1.2.3^MR~X9||O'Brien\\F\\Smith^Ann\\S\\Marie\r"
                   "NTE|||Fasting?\\.br\\Yes \\T\\ since 8pm \\R\\ confirmed \\E\\ ok\r"
                   "ZCH||A^B~C\r");

  msg = ch_hl7_writer_to_message (writer, &error);
  g_assert_no_error (error);
  assert_get (msg, "PID", 0, 5, 1, 1, 1, "O'Brien|Smith");
  assert_get (msg, "PID", 0, 5, 1, 2, 1, "Ann^Marie");
  assert_get (msg, "PID", 0, 3, 1, 4, 2, "1.2.3");
  assert_get (msg, "NTE", 0, 3, 1, 1, 1, "Fasting?\nYes & since 8pm ~ confirmed \\ ok");
  assert_get (msg, "ZCH", 0, 2, 2, 1, 1, "C");

  /* Nothing but a segment without MSH does not parse back. */
  {
    g_autoptr(ChHl7Writer) w = ch_hl7_writer_new (NULL);
    g_autoptr(ChHl7Message) m = NULL;
    g_autoptr(GError) e = NULL;

    ch_hl7_writer_add_segment (w, "PID");
    m = ch_hl7_writer_to_message (w, &e);
    g_assert_null (m);
    g_assert_error (e, CH_HL7_ERROR, CH_HL7_ERROR_NO_MSH);
  }
}

static void
test_write_custom_delimiters (void)
{
  ChHl7Delimiters d = { '!', '@', '~', '$', '%', '#' };
  g_autoptr(ChHl7Writer) writer = ch_hl7_writer_new (&d);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autoptr(ChHl7Message) msg = NULL;
  g_autoptr(GError) error = NULL;

  ch_hl7_writer_add_segment (writer, "MSH");
  ch_hl7_writer_set_field (writer, 3, "A!B");
  ch_hl7_writer_add_segment (writer, "NTE");
  ch_hl7_writer_set (writer, 3, 1, 2, 1, "$5 @ 50% #1 | ^ & \\");
  bytes = ch_hl7_writer_to_bytes (writer);
  text = bytes_to_string (bytes);
  g_assert_cmpstr (text, ==,
                   "MSH!@~$%#!A$F$B\r"
                   "NTE!!!@$E$5 $S$ 50$T$ $P$1 | ^ & \\\r");

  msg = ch_hl7_writer_to_message (writer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch_hl7_message_get_delimiters (msg)->truncation, ==, '#');
  assert_get (msg, "MSH", 0, 3, 1, 1, 1, "A!B");
  assert_get (msg, "NTE", 0, 3, 1, 2, 1, "$5 @ 50% #1 | ^ & \\");
}

/* ACK */

static void
assert_control_id (const char *id)
{
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 20);
  for (const char *p = id; *p; p++)
    g_assert_true (g_ascii_isdigit (*p));
}

static void
test_ack_accept (void)
{
  g_autoptr(ChHl7Message) msg = parse_text (simple);
  g_autoptr(ChHl7Message) ack = ch_hl7_make_ack (msg, "AA", NULL, NULL);
  g_autofree char *id = ch_hl7_message_get (ack, "MSH", 0, 10, 1, 1, 1);
  g_autofree char *stamp = ch_hl7_message_get (ack, "MSH", 0, 7, 1, 1, 1);
  g_autoptr(ChHl7Message) ack2 = ch_hl7_make_ack (msg, "AA", NULL, NULL);
  g_autofree char *id2 = ch_hl7_message_get (ack2, "MSH", 0, 10, 1, 1, 1);

  g_assert_cmpuint (ch_hl7_message_get_n_segments (ack), ==, 2);
  /* Sender and receiver swapped, components and all. */
  assert_get (ack, "MSH", 0, 3, 1, 1, 1, "CHARTA");
  assert_get (ack, "MSH", 0, 4, 1, 1, 1, "OAKWOOD");
  assert_get (ack, "MSH", 0, 5, 1, 1, 1, "LAB");
  assert_get (ack, "MSH", 0, 6, 0, 0, 0, "FAC^1.2.3^ISO");
  assert_get (ack, "MSH", 0, 9, 0, 0, 0, "ACK^R01^ACK");
  assert_get (ack, "MSH", 0, 11, 1, 1, 1, "P");
  assert_get (ack, "MSH", 0, 12, 1, 1, 1, "2.5.1");
  assert_control_id (id);
  g_assert_cmpstr (id, !=, "CTL123");
  g_assert_cmpstr (id, !=, id2);
  g_assert_true (g_regex_match_simple ("^[0-9]{14}[+-][0-9]{4}$", stamp, 0, 0));

  assert_get (ack, "MSA", 0, 1, 1, 1, 1, "AA");
  assert_get (ack, "MSA", 0, 2, 1, 1, 1, "CTL123");
  assert_get (ack, "MSA", 0, 3, 1, 1, 1, NULL);
  g_assert_cmpuint (ch_hl7_message_count (ack, "ERR"), ==, 0);
}

static void
test_ack_error (void)
{
  g_autoptr(ChHl7Message) msg = load_sample ("custom-delimiters.hl7");
  g_autoptr(ChHl7Message) ack = ch_hl7_make_ack (msg, "AE", "OBX-5: “abc” is not a number | see lab", "102");
  g_autoptr(ChHl7Message) reject = ch_hl7_make_ack (msg, "AR", "Unsupported", NULL);

  /* The ACK keeps the sender's own delimiters. */
  g_assert_cmpint (ch_hl7_message_get_delimiters (ack)->field, ==, '!');
  assert_get (ack, "MSH", 0, 3, 1, 1, 1, "CHARTA");
  assert_get (ack, "MSH", 0, 5, 1, 1, 1, "MEDITECH");
  assert_get (ack, "MSH", 0, 18, 1, 1, 1, "UNICODE UTF-8");
  assert_get (ack, "MSA", 0, 1, 1, 1, 1, "AE");
  assert_get (ack, "MSA", 0, 2, 1, 1, 1, "MM20240327-4");
  assert_get (ack, "MSA", 0, 3, 1, 1, 1, "OBX-5: “abc” is not a number | see lab");
  assert_get (ack, "ERR", 0, 3, 1, 1, 1, "102");
  assert_get (ack, "ERR", 0, 3, 1, 2, 1, "Data type error");
  assert_get (ack, "ERR", 0, 3, 1, 3, 1, "HL70357");
  assert_get (ack, "ERR", 0, 4, 1, 1, 1, "E");
  assert_get (ack, "ERR", 0, 8, 1, 1, 1, "OBX-5: “abc” is not a number | see lab");

  assert_get (reject, "MSA", 0, 1, 1, 1, 1, "AR");
  assert_get (reject, "ERR", 0, 3, 1, 1, 1, "207");
  assert_get (reject, "ERR", 0, 3, 1, 2, 1, "Application internal error");
  assert_get (reject, "MSH", 0, 18, 1, 1, 1, NULL);
}

static void
test_ack_unparseable (void)
{
  g_autoptr(ChHl7Message) ack = ch_hl7_make_ack (NULL, "AR", "Not an HL7 message", "200");
  g_autoptr(GBytes) bytes = ch_hl7_message_to_bytes (ack);
  g_autofree char *text = bytes_to_string (bytes);

  g_assert_true (g_str_has_prefix (text, "MSH|^~\\&|||||"));
  assert_get (ack, "MSH", 0, 9, 0, 0, 0, "ACK");
  assert_get (ack, "MSA", 0, 1, 1, 1, 1, "AR");
  assert_get (ack, "MSA", 0, 2, 1, 1, 1, "");
  assert_get (ack, "MSA", 0, 3, 1, 1, 1, "Not an HL7 message");
  assert_get (ack, "ERR", 0, 3, 1, 2, 1, "Unsupported message type");
}

/* ORU^R01 */

static ChHl7Order *
first_order (ChHl7Oru *oru)
{
  ChHl7PatientResult *p = g_ptr_array_index (oru->patients, 0);

  return g_ptr_array_index (p->orders, 0);
}

static ChHl7Observation *
nth_obx (ChHl7Order *order,
         guint       i)
{
  g_assert_cmpuint (i, <, order->observations->len);
  return g_ptr_array_index (order->observations, i);
}

static void
test_oru_cbc (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("cbc-quest.hl7");
  ChHl7PatientResult *p;
  ChHl7Order *order;
  const ChHl7Identifier *mrn;
  static const struct
  {
    const char *loinc;
    const char *value;
    const char *units;
    const char *flag;
  } expected[] = {
    { "6690-2", "6.2", "10*3/uL", "N" },
    { "789-8", "4.21", "10*6/uL", "N" },
    { "718-7", "11.4", "g/dL", "L" },
    { "4544-3", "35.2", "%", "N" },
    { "787-2", "83.6", "fL", "N" },
    { "785-6", "27.1", "pg", "N" },
    { "786-4", "32.4", "g/dL", "N" },
    { "788-0", "15.9", "%", "H" },
    { "777-3", "412", "10*3/uL", "H" },
    { "32623-1", "9.8", "fL", "N" },
  };

  g_assert_cmpstr (oru->control_id, ==, "Q7731885510");
  g_assert_cmpstr (oru->sending_facility, ==, "QUEST DIAGNOSTICS-WOOD DALE");
  g_assert_cmpstr (oru->version, ==, "2.5.1");
  g_assert_cmpuint (oru->patients->len, ==, 1);
  p = g_ptr_array_index (oru->patients, 0);
  g_assert_cmpuint (p->patient.identifiers->len, ==, 2);
  mrn = ch_hl7_patient_find_identifier (&p->patient, "MR");
  g_assert_cmpstr (mrn->id, ==, "MRN20391");
  g_assert_cmpstr (mrn->assigning_authority, ==, "OAKWOOD");
  g_assert_cmpstr (ch_hl7_patient_find_identifier (&p->patient, "PI")->assigning_authority, ==, "QUEST");
  g_assert_null (ch_hl7_patient_find_identifier (&p->patient, "SS"));
  g_assert_cmpstr (p->patient.family, ==, "Brennan");
  g_assert_cmpstr (p->patient.given, ==, "Maeve");
  g_assert_cmpstr (p->patient.middle, ==, "T");
  g_assert_cmpstr (p->patient.birth_date, ==, "19780412");
  g_assert_cmpstr (p->patient.sex, ==, "F");

  g_assert_cmpuint (p->orders->len, ==, 1);
  order = first_order (oru);
  g_assert_cmpstr (order->placer_number, ==, "ORD448812");
  g_assert_cmpstr (order->filler_number, ==, "WD0114522Q");
  g_assert_cmpstr (order->test.code, ==, "CBC");
  g_assert_cmpstr (order->test.text, ==, "CBC (INCLUDES DIFF/PLT)");
  g_assert_cmpstr (order->test.system, ==, "L");
  g_assert_cmpstr (order->observed_at, ==, "20240314093000-0500");
  g_assert_cmpstr (order->status_changed_at, ==, "20240315101200-0500");
  g_assert_cmpstr (order->result_status, ==, "F");
  g_assert_cmpuint (order->comments->len, ==, 0);

  g_assert_cmpuint (order->observations->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ChHl7Observation *obs = nth_obx (order, i);

      g_assert_cmpuint (obs->set_id, ==, i + 1);
      g_assert_cmpint (obs->value_type, ==, CH_HL7_VALUE_NM);
      g_assert_cmpstr (obs->value_type_name, ==, "NM");
      g_assert_cmpstr (obs->observation.code, ==, expected[i].loinc);
      g_assert_cmpstr (obs->observation.system, ==, "LN");
      g_assert_cmpstr (obs->value, ==, expected[i].value);
      g_assert_cmpstr (obs->units, ==, expected[i].units);
      g_assert_cmpstr (obs->abnormal_flags, ==, expected[i].flag);
      g_assert_cmpstr (obs->status, ==, "F");
      g_assert_cmpstr (obs->observed_at, ==, "20240314093000-0500");
      g_assert_null (obs->data);
    }
  g_assert_cmpstr (nth_obx (order, 2)->observation.text, ==, "Hemoglobin");
  g_assert_cmpstr (nth_obx (order, 2)->reference_range, ==, "11.7-15.5");
}

static void
test_oru_pdf (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("pdf-report.hl7");
  ChHl7Order *order = first_order (oru);
  ChHl7Observation *obs;
  g_autofree char *pdf_path = data_path ("report.pdf");
  g_autofree char *pdf = NULL;
  gsize pdf_len;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (order->observations->len, ==, 2);
  g_assert_cmpstr (order->test.code, ==, "322758");
  g_assert_cmpstr (nth_obx (order, 0)->value, ==, "212");
  obs = nth_obx (order, 1);
  g_assert_cmpint (obs->value_type, ==, CH_HL7_VALUE_ED);
  g_assert_null (obs->value);
  g_assert_cmpstr (obs->data_type, ==, "Application");
  g_assert_cmpstr (obs->data_subtype, ==, "PDF");
  g_assert_nonnull (obs->data);

  g_file_get_contents (pdf_path, &pdf, &pdf_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (obs->data, NULL), g_bytes_get_size (obs->data), pdf, pdf_len);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (obs->data, NULL), "%PDF-"));
}

static void
test_oru_corrected (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("corrected.hl7");
  ChHl7Order *order = first_order (oru);
  ChHl7Observation *obs;

  g_assert_cmpstr (order->result_status, ==, "C");
  g_assert_cmpuint (order->observations->len, ==, 5);
  obs = nth_obx (order, 0);
  g_assert_cmpstr (obs->status, ==, "C");
  g_assert_cmpstr (obs->observation.code, ==, "2345-7");
  g_assert_cmpstr (obs->value, ==, "98");

  obs = nth_obx (order, 1);
  g_assert_cmpint (obs->value_type, ==, CH_HL7_VALUE_SN);
  g_assert_cmpstr (obs->value, ==, ">300");
  g_assert_cmpstr (obs->reference_range, ==, "<30");
  g_assert_cmpstr (obs->abnormal_flags, ==, "A");

  obs = nth_obx (order, 2);
  g_assert_cmpstr (obs->value, ==, "1:128");
  g_assert_cmpstr (obs->status, ==, "F");
  g_assert_null (obs->units);

  obs = nth_obx (order, 3);
  g_assert_cmpint (obs->value_type, ==, CH_HL7_VALUE_CE);
  g_assert_cmpstr (obs->value_type_name, ==, "CWE");
  g_assert_cmpstr (obs->coded_value.code, ==, "112283007");
  g_assert_cmpstr (obs->coded_value.system, ==, "SCT");
  g_assert_cmpstr (obs->value, ==, "Escherichia coli");

  obs = nth_obx (order, 4);
  g_assert_cmpstr (obs->status, ==, "X");
  g_assert_cmpstr (obs->value, ==, "Straw");
}

static void
test_oru_comments (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("nte-comments.hl7");
  ChHl7PatientResult *p = g_ptr_array_index (oru->patients, 0);
  ChHl7Order *order = first_order (oru);
  ChHl7Observation *obs;

  g_assert_cmpstr (p->patient.family, ==, "O'Neill");
  g_assert_cmpstr (ch_hl7_patient_find_identifier (&p->patient, "SS")->assigning_authority, ==, "SSA");
  g_assert_cmpuint (order->comments->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order->comments, 0), ==, "Specimen received ambient&stable.");
  g_assert_cmpstr (g_ptr_array_index (order->comments, 1), ==, "Fasting status: unknown");

  g_assert_cmpuint (order->observations->len, ==, 2);
  obs = nth_obx (order, 0);
  g_assert_cmpuint (obs->comments->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (obs->comments, 0), ==,
                   "Consistent with diabetes (|ADA criteria| ^ 6.5 \\ above).\nRepeat in 3 months.");
  obs = nth_obx (order, 1);
  g_assert_cmpint (obs->value_type, ==, CH_HL7_VALUE_TX);
  g_assert_cmpstr (obs->value, ==, "Estimated GFR\ncalculated by CKD-EPI 2021");
  g_assert_cmpuint (obs->comments->len, ==, 0);
  g_assert_null (obs->units);
  g_assert_null (obs->reference_range);
}

static void
test_oru_two_patients_lf (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("lf-two-patients.hl7");
  ChHl7PatientResult *p1, *p2;
  ChHl7Order *o;

  g_assert_cmpuint (oru->patients->len, ==, 2);
  p1 = g_ptr_array_index (oru->patients, 0);
  p2 = g_ptr_array_index (oru->patients, 1);
  g_assert_cmpstr (p1->patient.family, ==, "Lindqvist");
  g_assert_cmpuint (p1->orders->len, ==, 1);
  g_assert_cmpstr (p2->patient.family, ==, "Mbeki");
  g_assert_cmpstr (p2->patient.sex, ==, "M");
  g_assert_cmpuint (p2->orders->len, ==, 2);
  o = g_ptr_array_index (p2->orders, 0);
  g_assert_cmpstr (o->result_status, ==, "P");
  g_assert_cmpstr (nth_obx (o, 0)->status, ==, "P");
  g_assert_cmpstr (nth_obx (o, 0)->value, ==, "5.6");
  o = g_ptr_array_index (p2->orders, 1);
  g_assert_cmpstr (o->placer_number, ==, "ORD460003");
  g_assert_cmpstr (nth_obx (o, 0)->observation.code, ==, "2160-0");
  g_assert_cmpstr (nth_obx (o, 0)->value, ==, "1.42");
}

static void
test_oru_custom_delimiters (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("custom-delimiters.hl7");
  ChHl7PatientResult *p = g_ptr_array_index (oru->patients, 0);
  ChHl7Order *order = first_order (oru);
  const ChHl7Identifier *id = ch_hl7_patient_find_identifier (&p->patient, NULL);

  g_assert_cmpstr (id->id, ==, "MRN70010");
  g_assert_cmpstr (id->assigning_authority, ==, "OAKWOOD");
  g_assert_cmpstr (id->type, ==, "MR");
  g_assert_cmpstr (p->patient.given, ==, "Kenji");
  g_assert_cmpstr (order->test.text, ==, "Fasting glucose");
  g_assert_cmpstr (nth_obx (order, 0)->value, ==, "104");
  g_assert_cmpstr (nth_obx (order, 0)->abnormal_flags, ==, "H");
  g_assert_cmpstr (nth_obx (order, 1)->value, ==, "Drawn at 07@15 $ lab 3 ! 50%50 split");
}

static void
test_oru_latin1 (void)
{
  g_autoptr(ChHl7Oru) oru = load_oru ("latin1.hl7");
  ChHl7PatientResult *p = g_ptr_array_index (oru->patients, 0);

  g_assert_cmpstr (p->patient.family, ==, "Lefèvre");
  g_assert_cmpstr (p->patient.given, ==, "Renée");
  g_assert_cmpstr (first_order (oru)->test.text, ==, "Hémoglobine");
}

static void
assert_oru_fails (const char *text,
                  int         code,
                  const char *mentions)
{
  g_autoptr(ChHl7Message) msg = parse_text (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (msg, &error);

  g_assert_null (oru);
  g_assert_error (error, CH_HL7_ERROR, code);
  if (strstr (error->message, mentions) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, mentions);
}

static void
test_oru_errors (void)
{
#define HDR "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\r"
#define PID "PID|1||MRN1^^^X^MR||Doe^Jane\r"
#define OBR "OBR|1|P|F|CBC^Count^L\r"

  {
    g_autoptr(ChHl7Message) adt = load_sample ("adt-a01.hl7");
    g_autoptr(GError) error = NULL;
    g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (adt, &error);

    g_assert_null (oru);
    g_assert_error (error, CH_HL7_ERROR, CH_HL7_ERROR_WRONG_TYPE);
    g_assert_nonnull (strstr (error->message, "MSH-9"));
    g_assert_nonnull (strstr (error->message, "ADT^A01"));
  }
  assert_oru_fails ("MSH|^~\\&|A|B|C|D|20240101||ORU^R30|1|P|2.5.1\r" PID OBR,
                    CH_HL7_ERROR_WRONG_TYPE, "MSH-9");
  assert_oru_fails (HDR, CH_HL7_ERROR_MISSING, "PID");
  assert_oru_fails (HDR PID, CH_HL7_ERROR_MISSING, "OBR");
  assert_oru_fails (HDR OBR, CH_HL7_ERROR_MISSING, "OBR (segment 2)");
  assert_oru_fails (HDR PID "OBX|1|NM|718-7^Hgb^LN||13|g/dL||||F\r",
                    CH_HL7_ERROR_MISSING, "OBX (segment 3)");
  assert_oru_fails (HDR "PID|1||||Doe\r" OBR, CH_HL7_ERROR_MISSING, "PID-3");
  assert_oru_fails (HDR PID "OBR|1|P|F\r", CH_HL7_ERROR_MISSING, "OBR-4");
  assert_oru_fails (HDR PID OBR "OBX|1|NM|||13|g/dL||||F\r", CH_HL7_ERROR_MISSING, "OBX-3");
  assert_oru_fails (HDR PID OBR "OBX|1|NM|718-7^Hgb^LN||13|g/dL\r", CH_HL7_ERROR_MISSING, "OBX-11");
  assert_oru_fails (HDR PID OBR "OBX|1||718-7^Hgb^LN||13|g/dL||||F\r", CH_HL7_ERROR_MISSING, "OBX-2");
  assert_oru_fails (HDR PID OBR "OBX|1|SN|718-7^Hgb^LN||<^ten||||F\r", CH_HL7_ERROR_INVALID, "OBX-5");
  assert_oru_fails (HDR PID OBR "OBX|1|ED|PDF^Report^L||^Application^PDF^Base64^JVBER!!!||||||F\r",
                    CH_HL7_ERROR_INVALID, "OBX-5.5");
  assert_oru_fails (HDR PID OBR "OBX|1|ED|PDF^Report^L||^Application^PDF^Base64^JVBERi0||||||F\r",
                    CH_HL7_ERROR_INVALID, "OBX-5.5");
  assert_oru_fails (HDR PID OBR "OBX|1|ED|PDF^Report^L||^Application^PDF^Gzip^AAAA||||||F\r",
                    CH_HL7_ERROR_INVALID, "OBX-5.4");
  assert_oru_fails (HDR PID OBR "OBX|1|ED|PDF^Report^L||^Application^PDF^Base64||||||F\r",
                    CH_HL7_ERROR_MISSING, "OBX-5.5");
  assert_oru_fails (HDR PID "PID|2||MRN2\r" OBR, CH_HL7_ERROR_MISSING, "PID (segment 3)");

  /* An NM value that is not a number ("<5", "thirteen") is kept as text,
   * not a reason to lose the message. */
  {
    g_autoptr(ChHl7Message) msg = parse_text (HDR PID OBR
                                              "OBX|1|NM|718-7^Hgb^LN||thirteen|g/dL|||||F\r"
                                              "OBX|2|NM|2345-7^Glu^LN||<5|mg/dL|||||F\r");
    g_autoptr(GError) error = NULL;
    g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (msg, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (nth_obx (first_order (oru), 0)->value, ==, "thirteen");
    g_assert_cmpstr (nth_obx (first_order (oru), 1)->value, ==, "<5");
    g_assert_cmpint (nth_obx (first_order (oru), 1)->value_type, ==, CH_HL7_VALUE_NM);
  }

  /* An NM result left empty (a cancelled test) is no error; NTEs after
   * other segments are not mistaken for result comments. */
  {
    g_autoptr(ChHl7Message) msg = parse_text (HDR PID "NTE|1||about the patient\r" OBR
                                              "OBX|1|NM|718-7^Hgb^LN||||||||X\r"
                                              "ZXX|1\rNTE|1||still about the OBX\r"
                                              "SPM|1\rNTE|1||about the specimen\r");
    g_autoptr(GError) error = NULL;
    g_autoptr(ChHl7Oru) oru = ch_hl7_oru_from_message (msg, &error);
    ChHl7Observation *obs;

    g_assert_no_error (error);
    obs = nth_obx (first_order (oru), 0);
    g_assert_null (obs->value);
    g_assert_cmpstr (obs->status, ==, "X");
    g_assert_cmpuint (obs->comments->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (obs->comments, 0), ==, "still about the OBX");
    g_assert_cmpuint (first_order (oru)->comments->len, ==, 0);
  }
#undef HDR
#undef PID
#undef OBR
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hl7/parse/default-delimiters", test_parse_default_delimiters);
  g_test_add_func ("/hl7/parse/custom-delimiters", test_parse_custom_delimiters);
  g_test_add_func ("/hl7/parse/truncation-character", test_parse_truncation_character);
  g_test_add_func ("/hl7/parse/line-ends", test_parse_line_ends);
  g_test_add_func ("/hl7/parse/mllp", test_parse_mllp);
  g_test_add_func ("/hl7/parse/missing-trailing", test_parse_missing_trailing);
  g_test_add_func ("/hl7/parse/z-segments", test_parse_z_segments);
  g_test_add_func ("/hl7/parse/escapes", test_parse_escapes);
  g_test_add_func ("/hl7/parse/charset", test_parse_charset);
  g_test_add_func ("/hl7/parse/malformed", test_parse_malformed);
  g_test_add_func ("/hl7/write/escape-round-trip", test_escape_round_trip);
  g_test_add_func ("/hl7/write/build", test_write_build);
  g_test_add_func ("/hl7/write/custom-delimiters", test_write_custom_delimiters);
  g_test_add_func ("/hl7/ack/accept", test_ack_accept);
  g_test_add_func ("/hl7/ack/error", test_ack_error);
  g_test_add_func ("/hl7/ack/unparseable", test_ack_unparseable);
  g_test_add_func ("/hl7/oru/cbc", test_oru_cbc);
  g_test_add_func ("/hl7/oru/pdf", test_oru_pdf);
  g_test_add_func ("/hl7/oru/corrected", test_oru_corrected);
  g_test_add_func ("/hl7/oru/comments", test_oru_comments);
  g_test_add_func ("/hl7/oru/two-patients-lf", test_oru_two_patients_lf);
  g_test_add_func ("/hl7/oru/custom-delimiters", test_oru_custom_delimiters);
  g_test_add_func ("/hl7/oru/latin1", test_oru_latin1);
  g_test_add_func ("/hl7/oru/errors", test_oru_errors);

  return g_test_run ();
}
