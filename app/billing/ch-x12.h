/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ASC X12 (version 5010) interchanges: a writer that builds the ISA/GS/ST
 * envelopes and counts segments for the trailers, and a reader that takes
 * its delimiters from the ISA segment and checks the envelopes.
 *
 * X12 has no escape mechanism, so the writer refuses any value holding one
 * of the interchange's delimiters instead of sending a file the payer would
 * read differently. */

#define CH_X12_ERROR (ch_x12_error_quark ())

typedef enum
{
  CH_X12_ERROR_NOT_X12,    /* does not start with an ISA segment */
  CH_X12_ERROR_TRUNCATED,  /* ends before the IEA segment */
  CH_X12_ERROR_ENVELOPE,   /* ISA/IEA, GS/GE or ST/SE do not match or miscount */
  CH_X12_ERROR_DELIMITER,  /* a value holds one of the delimiters */
  CH_X12_ERROR_WRONG_TYPE, /* not the transaction set the caller expects */
  CH_X12_ERROR_MISSING,    /* a required segment or element is missing */
  CH_X12_ERROR_INVALID,    /* an element holds a value of the wrong form */
  CH_X12_ERROR_TOTALS,     /* amounts that must add up do not */
} ChX12Error;

/* The four delimiters of one interchange. */
typedef struct
{
  char element;
  char repetition;
  char component;
  char segment;
} ChX12Delimiters;

/* The usual '*', '^', ':' and '~'. */
const ChX12Delimiters *ch_x12_delimiters_default (void);

GQuark ch_x12_error_quark (void);

/* Money is carried in cents. Returns: (transfer full): @cents as an X12
 * decimal ("150", "150.5", "-12.25"). */
char     *ch_x12_format_amount (gint64       cents);
/* Parses an X12 decimal with at most two decimal places into cents.
 * Returns FALSE when @text is not one. */
gboolean  ch_x12_parse_amount  (const char  *text,
                                gint64      *out_cents);

/* The writer. Errors are sticky: the first one is kept, later calls do
 * nothing, and ch_x12_writer_finish() reports it, so that a builder can
 * write a run of segments and check once. */
typedef struct _ChX12Writer ChX12Writer;

/* @line_breaks puts a newline after each segment terminator, as many
 * clearing houses accept and people can read. Returns: (transfer full) */
ChX12Writer *ch_x12_writer_new               (const ChX12Delimiters *delims,
                                              gboolean               line_breaks);
void         ch_x12_writer_free              (ChX12Writer           *writer);

/* ISA: interchange sender and receiver (qualifier and id, at most 15
 * characters), @date as CCYYMMDD and @time as HHMM, @control_number
 * (ISA13, 1–999999999) and the usage indicator (P or T). */
void         ch_x12_writer_begin_interchange (ChX12Writer           *writer,
                                              const char            *sender_qualifier,
                                              const char            *sender_id,
                                              const char            *receiver_qualifier,
                                              const char            *receiver_id,
                                              const char            *date,
                                              const char            *time,
                                              guint                  control_number,
                                              gboolean               ack_requested,
                                              char                   usage);
/* GS: @functional_id ("HC" claims, "HP" remittances), application sender
 * and receiver codes, @date as CCYYMMDD, @time as HHMM, GS06 and the
 * version (GS08, "005010X222A1"). */
void         ch_x12_writer_begin_group       (ChX12Writer           *writer,
                                              const char            *functional_id,
                                              const char            *app_sender,
                                              const char            *app_receiver,
                                              const char            *date,
                                              const char            *time,
                                              guint                  control_number,
                                              const char            *version);
/* ST: @set_id ("837"), ST02 and ST03 (the guide's version). */
void         ch_x12_writer_begin_transaction (ChX12Writer           *writer,
                                              const char            *set_id,
                                              const char            *control_number,
                                              const char            *implementation);
/* One segment: @id then its elements, NULL-terminated; "" leaves an
 * element empty, and trailing empty elements are dropped as X12 requires.
 * A value holding a delimiter sets CH_X12_ERROR_DELIMITER; only strings
 * from ch_x12_writer_composite() may hold the component separator. */
void         ch_x12_writer_segment           (ChX12Writer           *writer,
                                              const char            *id,
                                              ...) G_GNUC_NULL_TERMINATED;
/* A composite element for the next segment, from its components
 * (NULL-terminated). Returns: (transfer none): owned by @writer until the
 * next segment is written. */
const char  *ch_x12_writer_composite         (ChX12Writer           *writer,
                                              const char            *first,
                                              ...) G_GNUC_NULL_TERMINATED;
/* @cents as an element of the next segment. Returns: (transfer none) */
const char  *ch_x12_writer_amount            (ChX12Writer           *writer,
                                              gint64                 cents);
/* @value as an element of the next segment. Returns: (transfer none) */
const char  *ch_x12_writer_uint              (ChX12Writer           *writer,
                                              guint                  value);
/* SE with the segment count (ST to SE), GE and IEA with their counts. */
void         ch_x12_writer_end_transaction   (ChX12Writer           *writer);
void         ch_x12_writer_end_group         (ChX12Writer           *writer);
void         ch_x12_writer_end_interchange   (ChX12Writer           *writer);
/* Sets CH_X12_ERROR_DELIMITER, _MISSING or _INVALID (the first error met).
 * Returns: (transfer full): the interchange, or NULL with @error set. */
GBytes      *ch_x12_writer_finish            (ChX12Writer           *writer,
                                              GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChX12Writer, ch_x12_writer_free)

/* The reader: one segment, its elements split (elements[0] is the segment
 * id) and its position in the interchange counting from 1 (the ISA). */
typedef struct
{
  char **elements;
  guint  n_elements;
  guint  position;
} ChX12Segment;

typedef struct
{
  ChX12Delimiters delims;
  GPtrArray      *segments; /* of ChX12Segment */
} ChX12Document;

/* Parses an interchange and checks its envelopes: the fixed-width ISA,
 * IEA01/IEA02, each GS with its GE (count and control number) and each ST
 * with its SE (SE01 count, ST02 = SE02). White space after a segment
 * terminator is ignored. Sets CH_X12_ERROR_NOT_X12, _TRUNCATED or
 * _ENVELOPE. Returns: (transfer full): the document, or NULL. */
ChX12Document *ch_x12_document_parse (const guint8  *data,
                                      gsize          len,
                                      GError       **error);
void           ch_x12_document_free  (ChX12Document *doc);

/* Returns: (transfer none): element @index of @seg, "" when absent. */
const char    *ch_x12_segment_get    (const ChX12Segment *seg,
                                      guint               index);
/* Returns: (transfer full): component @component (from 1) of element
 * @index, "" when absent. */
char          *ch_x12_segment_get_component (const ChX12Document *doc,
                                             const ChX12Segment  *seg,
                                             guint                index,
                                             guint                component);
gboolean       ch_x12_segment_is     (const ChX12Segment *seg,
                                      const char         *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChX12Document, ch_x12_document_free)

G_END_DECLS
