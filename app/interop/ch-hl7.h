/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* HL7 v2 (2.5.1, tolerant of 2.3–2.8) messages: a parser that takes its
 * delimiters from MSH-1/MSH-2 and decodes escapes and the MSH-18 character
 * set on access, a writer that escapes, MLLP framing and ACK replies.
 *
 * Addresses follow HL7's own numbering: PID-5.1.2 is field 5, component 1,
 * subcomponent 2 of a PID segment. Fields, repetitions, components and
 * subcomponents count from 1; segments (by position or among those of one
 * name) count from 0. */

#define CH_HL7_ERROR (ch_hl7_error_quark ())

typedef enum
{
  CH_HL7_ERROR_EMPTY,           /* nothing but white space or framing */
  CH_HL7_ERROR_TOO_LARGE,       /* over CH_HL7_MAX_MESSAGE_SIZE */
  CH_HL7_ERROR_NUL,             /* a NUL byte inside the message */
  CH_HL7_ERROR_NO_MSH,          /* does not start with an MSH segment */
  CH_HL7_ERROR_BAD_DELIMITERS,  /* MSH-1/MSH-2 missing, repeated or invalid */
  CH_HL7_ERROR_BAD_SEGMENT,     /* a segment without a valid name */
  CH_HL7_ERROR_CHARSET,         /* MSH-18 names a character set we cannot read */
  CH_HL7_ERROR_WRONG_TYPE,      /* not the message type the caller expects */
  CH_HL7_ERROR_MISSING,         /* a required segment or field is missing */
  CH_HL7_ERROR_INVALID,         /* a field holds a value of the wrong form */
} ChHl7Error;

/* The largest message the parser accepts, in bytes: an order with a few
 * embedded PDF reports fits with room to spare. */
#define CH_HL7_MAX_MESSAGE_SIZE (64 * 1024 * 1024)

/* The MLLP frame: a vertical tab, the message, then FS CR. */
#define CH_HL7_MLLP_START 0x0b
#define CH_HL7_MLLP_END   0x1c

/* The delimiters of one message. @truncation is 0 unless MSH-2 carries the
 * fifth (v2.7) truncation character. */
typedef struct
{
  char field;
  char component;
  char repetition;
  char escape;
  char subcomponent;
  char truncation;
} ChHl7Delimiters;

/* The usual |^~\& delimiters. */
const ChHl7Delimiters *ch_hl7_delimiters_default (void);

typedef struct _ChHl7Message ChHl7Message;

GQuark        ch_hl7_error_quark                (void);
GType         ch_hl7_message_get_type           (void) G_GNUC_CONST;

/* Parses one message from @data (@len bytes): segments separated by CR, LF or
 * CRLF, blank lines ignored, an MLLP frame around it removed. Sets
 * CH_HL7_ERROR_EMPTY, _TOO_LARGE, _NUL, _NO_MSH, _BAD_DELIMITERS,
 * _BAD_SEGMENT or _CHARSET.
 * Returns: (transfer full): the message, or NULL with @error set. */
ChHl7Message *ch_hl7_message_parse              (const guint8  *data,
                                                 gsize          len,
                                                 GError       **error);
/* The same for a GBytes. Returns: (transfer full) */
ChHl7Message *ch_hl7_message_parse_bytes        (GBytes        *bytes,
                                                 GError       **error);

ChHl7Message *ch_hl7_message_ref                (ChHl7Message  *msg);
void          ch_hl7_message_unref              (ChHl7Message  *msg);

/* Returns: (transfer none): the message's own delimiters. */
const ChHl7Delimiters *ch_hl7_message_get_delimiters (ChHl7Message *msg);
/* Returns: (transfer none): the iconv name of the character set read from
 * MSH-18 ("UTF-8" when it names none). */
const char   *ch_hl7_message_get_charset        (ChHl7Message  *msg);

/* Segments in order, Z-segments included. */
guint         ch_hl7_message_get_n_segments     (ChHl7Message  *msg);
/* Returns: (transfer none): the three-letter name of segment @pos, or NULL
 * past the end. */
const char   *ch_hl7_message_get_segment_name   (ChHl7Message  *msg,
                                                 guint          pos);
/* How many segments are named @name. */
guint         ch_hl7_message_count              (ChHl7Message  *msg,
                                                 const char    *name);
/* The position of the @index-th (from 0) segment named @name, or -1. */
int           ch_hl7_message_find               (ChHl7Message  *msg,
                                                 const char    *name,
                                                 guint          index);

/* One element of the segment at position @pos, escapes decoded, in UTF-8
 * (from MSH-18's character set; bytes that are not UTF-8 where MSH-18 names
 * none are read as Windows-1252). @rep, @comp and @sub count from 1; 0 means
 * "the whole": @rep 0 is every repetition, @comp 0 the whole repetition,
 * @sub 0 the whole component (delimiters inside stay, escapes are still
 * decoded). MSH-1 is the field separator and MSH-2 the encoding characters,
 * both returned as they are.
 * Returns: (transfer full) (nullable): NULL when the message does not reach
 * that far, "" when the element is there but empty. */
char         *ch_hl7_message_get_at             (ChHl7Message  *msg,
                                                 guint          pos,
                                                 guint          field,
                                                 guint          rep,
                                                 guint          comp,
                                                 guint          sub);
/* ch_hl7_message_get_at() on the @seg_index-th (from 0) segment named
 * @segment. Returns: (transfer full) (nullable) */
char         *ch_hl7_message_get                (ChHl7Message  *msg,
                                                 const char    *segment,
                                                 guint          seg_index,
                                                 guint          field,
                                                 guint          rep,
                                                 guint          comp,
                                                 guint          sub);
/* The element as it stands in the message, escapes and character set
 * untouched; same addressing and result as ch_hl7_message_get_at().
 * Returns: (transfer full) (nullable) */
char         *ch_hl7_message_get_raw_at         (ChHl7Message  *msg,
                                                 guint          pos,
                                                 guint          field,
                                                 guint          rep,
                                                 guint          comp,
                                                 guint          sub);
/* The number of fields of segment @pos (the name not counted); for MSH the
 * field separator counts as MSH-1. */
guint         ch_hl7_message_get_n_fields       (ChHl7Message  *msg,
                                                 guint          pos);
/* The number of repetitions of a field (0 when it is absent or empty). */
guint         ch_hl7_message_get_n_repetitions  (ChHl7Message  *msg,
                                                 guint          pos,
                                                 guint          field);

/* The message again, segments joined by CR (no trailing CR): the same bytes
 * as received but for line ends and framing.
 * Returns: (transfer full) */
GBytes       *ch_hl7_message_to_bytes           (ChHl7Message  *msg);

/* Text decoding and encoding with @delims, exposed for the writer's callers
 * and the tests. ch_hl7_escape() escapes the delimiters and the escape
 * character, and writes a line break as \.br\. ch_hl7_unescape() decodes
 * \F\ \S\ \T\ \R\ \E\ \P\, \Xhh…\ and \.br\, drops the highlighting
 * escapes \H\ and \N\ and keeps any other escape as it is; the result is in
 * the message's character set (bytes from \X…\ included).
 * Returns: (transfer full) */
char         *ch_hl7_escape                     (const ChHl7Delimiters *delims,
                                                 const char            *text);
char         *ch_hl7_unescape                   (const ChHl7Delimiters *delims,
                                                 const char            *text,
                                                 gssize                 len);

/* Returns: (transfer full): @message inside an MLLP frame. */
GBytes       *ch_hl7_mllp_frame                 (GBytes        *message);
/* Looks for one complete MLLP frame in @data, as read from a socket: TRUE
 * with the message's offset and length and the number of bytes the frame
 * used (junk before the start byte included), FALSE when no complete frame
 * is there yet. */
gboolean      ch_hl7_mllp_unframe               (const guint8  *data,
                                                 gsize          len,
                                                 gsize         *msg_offset,
                                                 gsize         *msg_len,
                                                 gsize         *consumed);

/* The writer: segments are added in order; each set call fills one element
 * of the last segment added, escaping its text. MSH-1 and MSH-2 are written
 * from the delimiters by ch_hl7_writer_add_segment(). */
typedef struct _ChHl7Writer ChHl7Writer;

/* @delims: (nullable): NULL for the usual |^~\&.
 * Returns: (transfer full) */
ChHl7Writer  *ch_hl7_writer_new                 (const ChHl7Delimiters *delims);
void          ch_hl7_writer_free                (ChHl7Writer   *writer);
/* Starts a segment named @name: three upper-case letters or digits. */
void          ch_hl7_writer_add_segment         (ChHl7Writer   *writer,
                                                 const char    *name);
/* Sets one element (@field ≥ 1; @rep, @comp, @sub ≥ 1) of the last segment
 * to @value, escaped. @value NULL leaves it empty. */
void          ch_hl7_writer_set                 (ChHl7Writer   *writer,
                                                 guint          field,
                                                 guint          rep,
                                                 guint          comp,
                                                 guint          sub,
                                                 const char    *value);
/* Shorthand for ch_hl7_writer_set (writer, field, 1, 1, 1, value). */
void          ch_hl7_writer_set_field           (ChHl7Writer   *writer,
                                                 guint          field,
                                                 const char    *value);
/* Sets a whole field to @raw as it is, delimiters and escapes included: for
 * copying a field from a message with the same delimiters. */
void          ch_hl7_writer_set_field_raw       (ChHl7Writer   *writer,
                                                 guint          field,
                                                 const char    *raw);
/* Returns: (transfer full): the message, segments ended by CR. */
GBytes       *ch_hl7_writer_to_bytes            (ChHl7Writer   *writer);
/* Returns: (transfer full) (nullable): the message parsed back, or NULL
 * with @error set when what was written is not a message (no MSH first). */
ChHl7Message *ch_hl7_writer_to_message          (ChHl7Writer   *writer,
                                                 GError       **error);

/* The acknowledgement (original mode) of @received: MSH with sender and
 * receiver swapped, a new control id and the current time; MSA with @code
 * ("AA", "AE" or "AR"), the received control id and @text; and for AE and AR
 * an ERR with the HL7 table 0357 code @error_code (e.g. "207"; "207" when
 * NULL), severity E and @text as the user message. @received may be NULL
 * when the message could not be parsed at all.
 * Returns: (transfer full) */
ChHl7Message *ch_hl7_make_ack                   (ChHl7Message  *received,
                                                 const char    *code,
                                                 const char    *text,
                                                 const char    *error_code);

/* A new message control id: the time and random digits, 20 characters.
 * Returns: (transfer full) */
char         *ch_hl7_new_control_id             (void);
/* @time in HL7 TS form, YYYYMMDDHHMMSS±ZZZZ. Returns: (transfer full) */
char         *ch_hl7_format_time                (GDateTime     *time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChHl7Message, ch_hl7_message_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChHl7Writer, ch_hl7_writer_free)

G_END_DECLS
