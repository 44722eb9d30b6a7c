/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-admin-csv-limit"

#include "config.h"

#include "ch-admin-csv-limit.h"

struct _ChAdminCsvLimit
{
  GFilterOutputStream parent_instance;

  guint64  max_lines;   /* the header and the records */
  guint64  lines;
  gboolean in_quotes;
  gboolean after_cr;
};

G_DEFINE_FINAL_TYPE (ChAdminCsvLimit, ch_admin_csv_limit, G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
ch_admin_csv_limit_write_fn (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  ChAdminCsvLimit *self = CH_ADMIN_CSV_LIMIT (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  const char *bytes = buffer;
  gsize pass = 0;

  /* Past the limit the rest is dropped, not refused: the writer then finishes
   * normally and audits the export it made. */
  if (self->lines >= self->max_lines)
    return count;

  /* Pass on bytes up to and including the CR LF that ends the last line. */
  while (pass < count && self->lines < self->max_lines)
    {
      char c = bytes[pass++];

      if (c == '"')
        self->in_quotes = !self->in_quotes;
      else if (c == '\n' && self->after_cr && !self->in_quotes)
        self->lines++;
      self->after_cr = (c == '\r');
    }

  if (!g_output_stream_write_all (base, bytes, pass, NULL, cancellable, error))
    return -1;

  return count;
}

static void
ch_admin_csv_limit_class_init (ChAdminCsvLimitClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = ch_admin_csv_limit_write_fn;
}

static void
ch_admin_csv_limit_init (ChAdminCsvLimit *self)
{
}

/* Returns: (transfer full): a stream writing to @base_stream, which it does
 * not close. */
GOutputStream *
ch_admin_csv_limit_new (GOutputStream *base_stream,
                        guint64        max_records)
{
  ChAdminCsvLimit *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base_stream), NULL);

  self = g_object_new (CH_TYPE_ADMIN_CSV_LIMIT,
                       "base-stream", base_stream,
                       "close-base-stream", FALSE,
                       NULL);
  self->max_lines = max_records + 1;
  return G_OUTPUT_STREAM (self);
}
