/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-day-sheet-pdf"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ch-audit.h"
#include "ch-day-sheet-pdf.h"
#include "ch-patient-db.h"
#include "ch-pdf-doc.h"
#include "ch-records.h"
#include "ch-schedule.h"

/* Columns, as parts of the body's width: time, patient, visit, status. */
#define COL_TIME     0.13
#define COL_PATIENT  0.37
#define COL_VISIT    0.35
#define COL_STATUS   0.15
#define COL_GAP      6.0
#define NOTES_HEIGHT 22.0

typedef struct
{
  ChResource *provider;
  GDateTime  *day;           /* local midnight */
  char       *date;          /* as printed */
  GPtrArray  *appointments;  /* (element-type ChAppointment) */
  GPtrArray  *patients;      /* (element-type ChPatientRecord), one an appointment */
} Sheet;

static void
sheet_clear (Sheet *sheet)
{
  g_clear_pointer (&sheet->provider, ch_resource_free);
  g_clear_pointer (&sheet->day, g_date_time_unref);
  g_clear_pointer (&sheet->date, g_free);
  g_clear_pointer (&sheet->appointments, g_ptr_array_unref);
  g_clear_pointer (&sheet->patients, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Sheet, sheet_clear)

static gint64
usec_of (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static char *
local_text (gint64      usec,
            const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, format);
}

/* Reads what the sheet shows, checking the provider and the day. */
static gboolean
sheet_load (Sheet       *sheet,
            ChSession   *session,
            const char  *provider_id,
            gint64       day_usec,
            GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GDateTime) next = NULL;
  g_autoptr (GPtrArray) all = NULL;

  if (!ch_session_check (session, CH_AREA_SCHEDULING, CH_ACCESS_READ, error))
    return FALSE;

  sheet->provider = ch_db_resource_get (store, provider_id, error);
  if (sheet->provider == NULL)
    return FALSE;
  if (!g_str_equal (sheet->provider->kind, "provider"))
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, _("“%s” is not a provider"),
                   sheet->provider->name);
      return FALSE;
    }

  /* The local day holding @day_usec, midnight to midnight: 23 or 25 hours
   * when the clocks change. */
  utc = g_date_time_new_from_unix_utc (day_usec / G_USEC_PER_SEC);
  if (utc == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, _("That is not a day"));
      return FALSE;
    }
  local = g_date_time_to_local (utc);
  sheet->day = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                                      g_date_time_get_day_of_month (local), 0, 0, 0);
  next = g_date_time_add_days (sheet->day, 1);
  sheet->date = g_date_time_format (sheet->day, "%A %Y-%m-%d");

  all = ch_schedule_list (session, usec_of (sheet->day), usec_of (next), provider_id, error);
  if (all == NULL)
    return FALSE;

  /* The list holds the resource's bookings as provider or as room; a
   * provider's sheet holds only those they see. */
  sheet->appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appointment_free);
  sheet->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_record_free);
  for (guint i = 0; i < all->len; i++)
    {
      ChAppointment *a = all->pdata[i];
      ChPatientRecord *patient;

      if (g_strcmp0 (a->provider_id, provider_id) != 0)
        continue;
      patient = ch_db_patient_get (store, a->patient_id, error);
      if (patient == NULL)
        return FALSE;
      g_ptr_array_add (sheet->appointments, ch_appointment_copy (a));
      g_ptr_array_add (sheet->patients, patient);
    }
  return TRUE;
}

/* ---- drawing ---------------------------------------------------------------------- */

static void
draw_column_heads (ChPdfDoc *doc)
{
  const double w = CH_PDF_BODY_WIDTH;
  double x = CH_PDF_MARGIN;
  double h;

  h = ch_pdf_doc_draw (doc, C_("day sheet column", "Time"), CH_PDF_SMALL_SIZE, TRUE,
                       &ch_pdf_muted, x, doc->y, w * COL_TIME - COL_GAP);
  x += w * COL_TIME;
  ch_pdf_doc_draw (doc, _("Patient"), CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted, x, doc->y,
                   w * COL_PATIENT - COL_GAP);
  x += w * COL_PATIENT;
  ch_pdf_doc_draw (doc, _("Visit"), CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted, x, doc->y,
                   w * COL_VISIT - COL_GAP);
  x += w * COL_VISIT;
  ch_pdf_doc_draw (doc, _("Status"), CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted, x, doc->y,
                   w * COL_STATUS);
  doc->y += h + 2;
  ch_pdf_doc_rule (doc, doc->y, &ch_pdf_rule, 0.75);
  doc->y += 6;
}

typedef struct
{
  char *time;
  char *duration;
  char *name;
  char *ids;
  char *type;
  char *reason;
  const char *status;
} Row;

static void
row_clear (Row *row)
{
  g_free (row->time);
  g_free (row->duration);
  g_free (row->name);
  g_free (row->ids);
  g_free (row->type);
  g_free (row->reason);
}

/* As draw_column() will draw it. */
static double
column_height (ChPdfDoc   *doc,
               const char *first,
               const char *second,
               double      width)
{
  double h = ch_pdf_doc_layout (doc, first, CH_PDF_BODY_SIZE, TRUE, width);

  if (second != NULL && second[0])
    h += ch_pdf_doc_layout (doc, second, CH_PDF_SMALL_SIZE, FALSE, width);
  return h;
}

static double
draw_column (ChPdfDoc   *doc,
             const char *first,
             const char *second,
             double      x,
             double      y,
             double      width)
{
  double h = ch_pdf_doc_draw (doc, first, CH_PDF_BODY_SIZE, TRUE, &ch_pdf_ink, x, y, width);

  if (second != NULL && second[0])
    h += ch_pdf_doc_draw (doc, second, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, y + h, width);
  return h;
}

static void
draw_appointment (ChPdfDoc              *doc,
                  const ChAppointment   *a,
                  const ChPatientRecord *patient)
{
  const double w = CH_PDF_BODY_WIDTH;
  double x = CH_PDF_MARGIN;
  double top, h = 0;
  int page = doc->page;
  Row row = { 0 };

  row.time = local_text (a->start_at, "%H:%M");
  /* TRANSLATORS: an appointment's length, in minutes */
  row.duration = g_strdup_printf (_("%d min"), a->duration_min);
  row.name = g_strdup (a->patient_name ? a->patient_name : "");
  if (patient->birth_date != NULL && patient->birth_date[0])
    /* TRANSLATORS: "MRN 00000012 · born 1948-06-01" */
    row.ids = g_strdup_printf (_("MRN %s · born %s"), a->patient_mrn ? a->patient_mrn : "",
                               patient->birth_date);
  else
    row.ids = g_strdup_printf (_("MRN %s"), a->patient_mrn ? a->patient_mrn : "");
  row.type = g_strdup (a->type_name ? a->type_name : "");
  row.reason = g_strdup (a->reason ? a->reason : "");
  row.status = ch_schedule_status_label (a->status);

  h = MAX (h, column_height (doc, row.time, row.duration, w * COL_TIME - COL_GAP));
  h = MAX (h, column_height (doc, row.name, row.ids, w * COL_PATIENT - COL_GAP));
  h = MAX (h, column_height (doc, row.type, row.reason, w * COL_VISIT - COL_GAP));
  h = MAX (h, column_height (doc, row.status, NULL, w * COL_STATUS));

  /* An appointment is never split across pages; each page has the heads. */
  ch_pdf_doc_ensure (doc, h + NOTES_HEIGHT + 8);
  if (doc->page != page)
    draw_column_heads (doc);

  top = doc->y;
  draw_column (doc, row.time, row.duration, x, top, w * COL_TIME - COL_GAP);
  x += w * COL_TIME;
  draw_column (doc, row.name, row.ids, x, top, w * COL_PATIENT - COL_GAP);
  x += w * COL_PATIENT;
  draw_column (doc, row.type, row.reason, x, top, w * COL_VISIT - COL_GAP);
  x += w * COL_VISIT;
  ch_pdf_doc_draw (doc, row.status, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink, x, top, w * COL_STATUS);

  /* A line to write on, under the patient and the visit. */
  doc->y = top + h + NOTES_HEIGHT - 4;
  x = CH_PDF_MARGIN + w * COL_TIME;
  ch_pdf_doc_draw (doc, _("Notes"), CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, doc->y - 10,
                   w * COL_TIME);
  cairo_save (doc->cr);
  cairo_set_source_rgb (doc->cr, ch_pdf_muted.r, ch_pdf_muted.g, ch_pdf_muted.b);
  cairo_set_line_width (doc->cr, 0.5);
  cairo_move_to (doc->cr, x + 32, doc->y);
  cairo_line_to (doc->cr, CH_PDF_PAGE_WIDTH - CH_PDF_MARGIN, doc->y);
  cairo_stroke (doc->cr);
  cairo_restore (doc->cr);
  doc->y += 12;

  row_clear (&row);
}

static void
draw_sheet (ChPdfDoc    *doc,
            ChSession   *session,
            const Sheet *sheet)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *practice = ch_session_get_practice_name (session);
  g_autofree char *address = ch_db_setting_get (store, "practice.address", NULL);
  g_autofree char *printed = NULL;
  g_autofree char *printed_at = NULL;
  g_autofree char *count = NULL;
  const double w = CH_PDF_BODY_WIDTH;
  double x = CH_PDF_MARGIN, y = doc->y, right;
  guint n = sheet->appointments->len;

  /* The practice on the left; the provider and the day on the right. */
  y += ch_pdf_doc_draw (doc, practice, 12, TRUE, &ch_pdf_ink, x, y, w * 0.55);
  if (address != NULL && address[0])
    y += ch_pdf_doc_draw (doc, address, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, y, w * 0.55);
  right = doc->y;
  right += ch_pdf_doc_draw (doc, _("Day Sheet"), CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted,
                            x + w * 0.55, right, w * 0.45);
  right += ch_pdf_doc_draw (doc, sheet->provider->name, 14, TRUE, &ch_pdf_ink, x + w * 0.55,
                            right, w * 0.45);
  right += ch_pdf_doc_draw (doc, sheet->date, 11, FALSE, &ch_pdf_ink, x + w * 0.55, right,
                            w * 0.45);
  doc->y = MAX (y, right) + 8;
  ch_pdf_doc_rule (doc, doc->y, &ch_pdf_ink, 1.0);
  doc->y += 6;

  printed_at = local_text (g_get_real_time (), "%Y-%m-%d %H:%M");
  if (n == 0)
    count = g_strdup (_("No appointments booked"));
  else
    count = g_strdup_printf (ngettext ("%u appointment", "%u appointments", n), n);
  /* TRANSLATORS: "12 appointments · printed 2026-11-24 07:58 by frontdesk" */
  printed = g_strdup_printf (_("%s · printed %s by %s"), count, printed_at,
                             ch_session_get_username (session));
  doc->y += ch_pdf_doc_draw (doc, printed, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, doc->y, w);
  doc->y += 12;

  if (n == 0)
    {
      ch_pdf_doc_paragraph (doc, _("Nothing is booked with this provider on this day."),
                            CH_PDF_BODY_SIZE, &ch_pdf_ink);
      return;
    }

  draw_column_heads (doc);
  for (guint i = 0; i < n; i++)
    draw_appointment (doc, sheet->appointments->pdata[i], sheet->patients->pdata[i]);
}

/* Renders without auditing: the callers audit once the print-out exists. */
static GBytes *
render (ChSession   *session,
        Sheet       *sheet,
        const char  *provider_id,
        gint64       day_usec,
        GError     **error)
{
  g_autofree char *footer = NULL;
  ChPdfDoc doc;

  if (!sheet_load (sheet, session, provider_id, day_usec, error))
    return NULL;

  /* TRANSLATORS: the footer of each page: "Day sheet · Dr. Ana García · Tuesday 2026-11-24" */
  footer = g_strdup_printf (_("Day sheet · %s · %s"), sheet->provider->name, sheet->date);
  ch_pdf_doc_begin (&doc, _("Day sheet"), footer);
  draw_sheet (&doc, session, sheet);
  ch_pdf_doc_footer (&doc);
  return ch_pdf_doc_finish (&doc, TRUE, error);
}

/* One entry a patient on the sheet (all or none), or one for an empty day. */
static gboolean
audit_print (ChSession    *session,
             const Sheet  *sheet,
             GError      **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *day = g_date_time_format (sheet->day, "%Y-%m-%d");
  g_autofree char *object = g_strdup_printf ("%s/%s", sheet->provider->id, day);

  if (!ch_store_begin (store, error))
    return FALSE;
  if (sheet->appointments->len == 0
      && !ch_session_audit (session, CH_AUDIT_PRINT, "day-sheet", object, 0, "day sheet PDF",
                            error))
    goto fail;
  for (guint i = 0; i < sheet->appointments->len; i++)
    {
      const ChAppointment *a = sheet->appointments->pdata[i];

      if (g_hash_table_contains (seen, &a->patient_id))
        continue;
      g_hash_table_add (seen, g_memdup2 (&a->patient_id, sizeof a->patient_id));
      if (!ch_session_audit (session, CH_AUDIT_PRINT, "day-sheet", object, a->patient_id,
                             "day sheet PDF", error))
        goto fail;
    }
  if (!ch_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

GBytes *
ch_day_sheet_pdf_render (ChSession   *session,
                         const char  *provider_id,
                         gint64       day_start_usec,
                         GError     **error)
{
  g_auto (Sheet) sheet = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  pdf = render (session, &sheet, provider_id, day_start_usec, error);
  if (pdf == NULL || !audit_print (session, &sheet, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_day_sheet_pdf_write (ChSession   *session,
                        const char  *provider_id,
                        gint64       day_start_usec,
                        const char  *path,
                        GError     **error)
{
  g_auto (Sheet) sheet = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (provider_id != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pdf = render (session, &sheet, provider_id, day_start_usec, error);
  if (pdf == NULL || !ch_pdf_write_file (pdf, path, _("the day sheet"), error))
    return FALSE;
  /* No print-out exists that the audit does not know of. */
  if (!audit_print (session, &sheet, error))
    {
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}
