/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-billing-docs"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing-docs.h"
#include "ch-patient-db.h"
#include "ch-pdf-doc.h"
#include "ch-records.h"
#include "ch-report.h"

/* The print-outs are drawn twice: once to count the pages, then for real,
 * so that every page can say "Page X of N" although rows wrap and their
 * height is only known once laid out. Drawing is deterministic, so both
 * passes break the pages at the same rows. */

#define CELL_GAP       6.0
#define STATEMENT_DAYS 90

/* ---- small helpers ---------------------------------------------------------- */

static gboolean
fail (GError         **error,
      ChBillingError   code,
      const char      *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError         **error,
      ChBillingError   code,
      const char      *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CH_BILLING_ERROR, code, message);
  return FALSE;
}

static char *
money (gint64 cents)
{
  return ch_report_format_value (CH_REPORT_VALUE_MONEY, (double) cents, FALSE);
}

static GDateTime *
local_of (gint64 usec)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return g_date_time_to_local (utc);
}

static char *
local_text (gint64      usec,
            const char *format)
{
  g_autoptr (GDateTime) local = local_of (usec);

  return g_date_time_format (local, format);
}

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* Reads a YYYY-MM-DD day into a GDate. */
static gboolean
parse_day (const char *text,
           GDate      *out)
{
  int y, m, d;
  char tail;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-'
      || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

static char *
day_text (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/* The instants the local day @date starts and ends: 23 or 25 hours when the
 * clocks change. */
static void
day_window (const GDate *date,
            gint64      *out_from,
            gint64      *out_to)
{
  g_autoptr (GDateTime) start = g_date_time_new_local (g_date_get_year (date),
                                                       g_date_get_month (date),
                                                       g_date_get_day (date), 0, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_days (start, 1);

  *out_from = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  *out_to = g_date_time_to_unix (end) * G_USEC_PER_SEC;
}

static gboolean
check_day (const char  *text,
           GDate       *out,
           GError     **error)
{
  if (!parse_day (text, out))
    return fail (error, CH_BILLING_ERROR_INVALID, _("“%s” is not a date (YYYY-MM-DD)"),
                 text ? text : "");
  return TRUE;
}

static gboolean
check_line (const char  *text,
            const char  *what,
            GError     **error)
{
  if (text == NULL)
    return TRUE;
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > CH_BILLING_MAX_REASON)
    return fail (error, CH_BILLING_ERROR_INVALID,
                 /* TRANSLATORS: %s is "The note" or "The reason for reopening" */
                 _("%s must be one line of at most %d characters"), what, CH_BILLING_MAX_REASON);
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return fail (error, CH_BILLING_ERROR_INVALID,
                   _("%s must be one line of at most %d characters"), what,
                   CH_BILLING_MAX_REASON);
  return TRUE;
}

static const char *
method_label (const char *method)
{
  if (g_strcmp0 (method, "cash") == 0)
    return C_("payment method", "cash");
  if (g_strcmp0 (method, "card") == 0)
    return C_("payment method", "card");
  if (g_strcmp0 (method, "cheque") == 0)
    return C_("payment method", "cheque");
  if (g_strcmp0 (method, "transfer") == 0)
    return C_("payment method", "transfer");
  if (g_strcmp0 (method, "insurer") == 0)
    return C_("payment method", "insurer");
  return method ? method : "";
}

static const char * const method_order[] = { "cash", "card", "cheque", "transfer", "insurer" };

static int
method_index (const char *method)
{
  for (guint i = 0; i < G_N_ELEMENTS (method_order); i++)
    if (g_strcmp0 (method, method_order[i]) == 0)
      return i;
  return -1;
}

/* "Payment — card (ref 1234)" */
static char *
payment_words (const char *method,
               const char *reference)
{
  if (reference != NULL && *reference != '\0')
    /* TRANSLATORS: a payment in a statement or an invoice: "Payment — card (ref 1234)" */
    return g_strdup_printf (_("Payment — %s (ref %s)"), method_label (method), reference);
  /* TRANSLATORS: a payment in a statement or an invoice: "Payment — cash" */
  return g_strdup_printf (_("Payment — %s"), method_label (method));
}

/* ---- pages ----------------------------------------------------------------- */

typedef struct
{
  const char *head;
  double      width;   /* a part of the body's width */
  gboolean    right;   /* numbers: right-aligned */
} Column;

typedef struct
{
  ChPdfDoc      pdf;
  int           n_pages;     /* 0 while counting */
  const Column *columns;     /* the table being drawn, whose head each page repeats */
  guint         n_columns;
} Doc;

static double
draw_text (Doc            *doc,
           const char     *text,
           double          size,
           gboolean        bold,
           const ChPdfRgb *color,
           double          x,
           double          y,
           double          width,
           gboolean        right)
{
  double h = ch_pdf_doc_layout (&doc->pdf, text, size, bold, width);

  if (right)
    pango_layout_set_alignment (doc->pdf.layout, PANGO_ALIGN_RIGHT);
  cairo_set_source_rgb (doc->pdf.cr, color->r, color->g, color->b);
  cairo_move_to (doc->pdf.cr, x, y);
  pango_cairo_show_layout (doc->pdf.cr, doc->pdf.layout);
  return h;
}

static void
doc_footer (Doc *doc)
{
  g_autofree char *page = NULL;
  const double y = CH_PDF_PAGE_HEIGHT - CH_PDF_MARGIN - 4;

  if (doc->n_pages > 0)
    /* TRANSLATORS: the foot of a print-out's pages: "Page 2 of 5" */
    page = g_strdup_printf (_("Page %d of %d"), doc->pdf.page, doc->n_pages);
  else
    page = g_strdup_printf (_("Page %d of %d"), doc->pdf.page, doc->pdf.page);
  ch_pdf_doc_rule (&doc->pdf, y - 4, &ch_pdf_rule, 0.5);
  draw_text (doc, doc->pdf.footer, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, CH_PDF_MARGIN, y,
             CH_PDF_BODY_WIDTH * 0.75, FALSE);
  draw_text (doc, page, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, CH_PDF_MARGIN, y,
             CH_PDF_BODY_WIDTH, TRUE);
}

static void table_head (Doc *doc);

static void
doc_new_page (Doc *doc)
{
  doc_footer (doc);
  cairo_show_page (doc->pdf.cr);
  doc->pdf.page++;
  doc->pdf.y = CH_PDF_MARGIN;
  if (doc->columns != NULL)
    table_head (doc);
}

/* Starts a new page unless @height still fits on this one. */
static void
doc_ensure (Doc    *doc,
            double  height)
{
  if (doc->pdf.y + height > CH_PDF_BODY_BOTTOM && doc->pdf.y > CH_PDF_MARGIN)
    doc_new_page (doc);
}

static void
doc_heading (Doc        *doc,
             const char *text)
{
  double h = ch_pdf_doc_layout (&doc->pdf, text, 11.5, TRUE, CH_PDF_BODY_WIDTH);

  doc->columns = NULL;
  /* Keep a heading with at least its first rows. */
  doc_ensure (doc, 12 + h + 4 + 40);
  doc->pdf.y += 12;
  draw_text (doc, text, 11.5, TRUE, &ch_pdf_ink, CH_PDF_MARGIN, doc->pdf.y, CH_PDF_BODY_WIDTH,
             FALSE);
  doc->pdf.y += h + 2;
  ch_pdf_doc_rule (&doc->pdf, doc->pdf.y, &ch_pdf_rule, 0.75);
  doc->pdf.y += 5;
}

static void
doc_paragraph (Doc            *doc,
               const char     *text,
               double          size,
               gboolean        bold,
               const ChPdfRgb *color)
{
  double h = ch_pdf_doc_layout (&doc->pdf, text, size, bold, CH_PDF_BODY_WIDTH);

  doc_ensure (doc, h);
  draw_text (doc, text, size, bold, color, CH_PDF_MARGIN, doc->pdf.y, CH_PDF_BODY_WIDTH, FALSE);
  doc->pdf.y += h + 3;
}

static void
table_head (Doc *doc)
{
  double x = CH_PDF_MARGIN, h = 0;

  for (guint c = 0; c < doc->n_columns; c++)
    {
      double w = CH_PDF_BODY_WIDTH * doc->columns[c].width;

      h = MAX (h, draw_text (doc, doc->columns[c].head, CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted, x,
                             doc->pdf.y, w - CELL_GAP, doc->columns[c].right));
      x += w;
    }
  doc->pdf.y += h + 2;
  ch_pdf_doc_rule (&doc->pdf, doc->pdf.y, &ch_pdf_rule, 0.75);
  doc->pdf.y += 4;
}

static void
table_begin (Doc          *doc,
             const Column *columns,
             guint         n_columns)
{
  doc->columns = NULL;
  /* The head never sits alone at the foot of a page. */
  doc_ensure (doc, 40);
  doc->columns = columns;
  doc->n_columns = n_columns;
  table_head (doc);
}

/* One row; long text wraps inside its cell, and a row is never split. */
static void
table_row (Doc                *doc,
           const char * const *cells,
           gboolean            bold,
           const ChPdfRgb     *color)
{
  double x = CH_PDF_MARGIN, h = 0;

  for (guint c = 0; c < doc->n_columns; c++)
    h = MAX (h, ch_pdf_doc_layout (&doc->pdf, cells[c] ? cells[c] : "", CH_PDF_BODY_SIZE, bold,
                                   CH_PDF_BODY_WIDTH * doc->columns[c].width - CELL_GAP));
  doc_ensure (doc, h + 3);
  for (guint c = 0; c < doc->n_columns; c++)
    {
      double w = CH_PDF_BODY_WIDTH * doc->columns[c].width;

      draw_text (doc, cells[c] ? cells[c] : "", CH_PDF_BODY_SIZE, bold, color, x, doc->pdf.y,
                 w - CELL_GAP, doc->columns[c].right);
      x += w;
    }
  doc->pdf.y += h + 3;
}

static void
table_end (Doc *doc)
{
  doc->columns = NULL;
  doc->pdf.y += 4;
}

/* A label and an amount on one line, the amount under the tables' last column. */
static void
doc_amount (Doc        *doc,
            const char *label,
            gint64      cents,
            gboolean    bold)
{
  g_autofree char *text = money (cents);
  const char *cells[] = { label, text };
  const Column columns[] = { { "", 0.78, TRUE }, { "", 0.22, TRUE } };
  double h;

  h = ch_pdf_doc_layout (&doc->pdf, label, CH_PDF_BODY_SIZE, bold,
                         CH_PDF_BODY_WIDTH * 0.78 - CELL_GAP);
  doc_ensure (doc, h + 3);
  draw_text (doc, cells[0], CH_PDF_BODY_SIZE, bold, &ch_pdf_ink, CH_PDF_MARGIN, doc->pdf.y,
             CH_PDF_BODY_WIDTH * columns[0].width - CELL_GAP, TRUE);
  draw_text (doc, cells[1], CH_PDF_BODY_SIZE, bold, &ch_pdf_ink,
             CH_PDF_MARGIN + CH_PDF_BODY_WIDTH * columns[0].width, doc->pdf.y,
             CH_PDF_BODY_WIDTH * columns[1].width - CELL_GAP, TRUE);
  doc->pdf.y += h + 3;
}

/* The practice on the left, the document's title and particulars on the right. */
static void
doc_letterhead (Doc                *doc,
                ChSession          *session,
                const char         *title,
                const char * const *particulars)
{
  ChStore *store = ch_session_get_store (session);
  g_autofree char *practice = ch_session_get_practice_name (session);
  g_autofree char *address = ch_db_setting_get (store, "practice.address", NULL);
  const double w = CH_PDF_BODY_WIDTH;
  double x = CH_PDF_MARGIN, y = doc->pdf.y, right = doc->pdf.y;

  y += draw_text (doc, practice ? practice : "", 13, TRUE, &ch_pdf_ink, x, y, w * 0.55, FALSE);
  if (address != NULL && *address != '\0')
    y += draw_text (doc, address, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, y, w * 0.55, FALSE);
  right += draw_text (doc, title, 16, TRUE, &ch_pdf_ink, x + w * 0.55, right, w * 0.45, TRUE);
  for (guint i = 0; particulars != NULL && particulars[i] != NULL; i++)
    right += draw_text (doc, particulars[i], CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink, x + w * 0.55,
                        right, w * 0.45, TRUE);
  doc->pdf.y = MAX (y, right) + 8;
  ch_pdf_doc_rule (&doc->pdf, doc->pdf.y, &ch_pdf_ink, 1.0);
  doc->pdf.y += 8;
}

typedef void (*DrawFunc) (Doc      *doc,
                          gpointer  data);

static GBytes *
render (const char  *title,
        const char  *footer,
        DrawFunc     draw,
        gpointer     data,
        GError     **error)
{
  int n_pages = 0;

  for (int pass = 0;; pass++)
    {
      Doc doc = { 0 };

      ch_pdf_doc_begin (&doc.pdf, title, footer);
      doc.n_pages = n_pages;
      draw (&doc, data);
      doc_footer (&doc);
      if (pass > 0)
        return ch_pdf_doc_finish (&doc.pdf, TRUE, error);
      n_pages = doc.pdf.page;
      ch_pdf_doc_finish (&doc.pdf, FALSE, NULL);
    }
}

static char *
patient_address (const ChPatientRecord *p)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) town = g_string_new (NULL);

  if (p->address_line != NULL && *p->address_line != '\0')
    g_string_append (text, p->address_line);
  if (p->postal_code != NULL && *p->postal_code != '\0')
    g_string_append (town, p->postal_code);
  if (p->city != NULL && *p->city != '\0')
    g_string_append_printf (town, "%s%s", town->len ? " " : "", p->city);
  if (p->region != NULL && *p->region != '\0')
    g_string_append_printf (town, "%s%s", town->len ? ", " : "", p->region);
  if (town->len > 0)
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", town->str);
  if (p->country != NULL && *p->country != '\0')
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", p->country);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
patient_ids (const ChPatientRecord *p)
{
  if (p->birth_date != NULL && *p->birth_date != '\0')
    /* TRANSLATORS: "MRN 00000012 · born 1948-06-01" */
    return g_strdup_printf (_("MRN %s · born %s"), p->mrn, p->birth_date);
  return g_strdup_printf (_("MRN %s"), p->mrn);
}

static ChPatientRecord *
get_patient (ChStore  *store,
             gint64    patient_id,
             GError  **error)
{
  g_autoptr (GError) local = NULL;
  ChPatientRecord *patient = ch_db_patient_get (store, patient_id, &local);

  if (patient == NULL)
    {
      if (g_error_matches (local, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        fail (error, CH_BILLING_ERROR_NOT_FOUND, _("No such patient"));
      else
        g_propagate_error (error, g_steal_pointer (&local));
    }
  return patient;
}

static gboolean
audit_patient_print (ChSession   *session,
                     const char  *object_type,
                     const char  *object_id,
                     gint64       patient_id,
                     const char  *detail,
                     GError     **error)
{
  ChStore *store = ch_session_get_store (session);

  if (!ch_store_begin (store, error))
    return FALSE;
  return ch_store_commit_or_rollback (store,
                                      ch_session_audit (session, CH_AUDIT_PRINT, object_type,
                                                        object_id, patient_id, detail, error),
                                      error);
}

/* Writes @pdf, then runs @audit; no print-out exists that the audit does
 * not know of. */
static gboolean
write_and_audit (GBytes      *pdf,
                 const char  *path,
                 const char  *what,
                 gboolean   (*audit) (gpointer data, GError **error),
                 gpointer     data,
                 GError     **error)
{
  if (!ch_pdf_write_file (pdf, path, what, error))
    return FALSE;
  if (!audit (data, error))
    {
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

/* ---- invoices ---------------------------------------------------------------- */

typedef struct
{
  ChSession          *session;
  ChInvoiceRecipient  to;
  char               *number;
  char               *printed;
  ChBillingEncounter *encounter;
  ChPatientRecord    *patient;
  ChPolicyRecord     *policy;
  GPtrArray          *lines;         /* (element-type ChChargeLine) */
  GPtrArray          *descriptions;  /* (element-type utf8): one a line */
  GPtrArray          *diagnoses;     /* (element-type utf8): "E11.9 Type 2 diabetes mellitus" */
  GPtrArray          *credits;       /* (element-type ChLineCredit) */
  GPtrArray          *entries;       /* (element-type ChLedgerEntry): write-offs and reversals */
  gint64              charged;
  gint64              paid;
  gint64              adjusted;      /* signed, as in the ledger */
} Invoice;

static void
invoice_clear (Invoice *inv)
{
  g_clear_pointer (&inv->number, g_free);
  g_clear_pointer (&inv->printed, g_free);
  g_clear_pointer (&inv->encounter, ch_billing_encounter_free);
  g_clear_pointer (&inv->patient, ch_patient_record_free);
  g_clear_pointer (&inv->policy, ch_policy_record_free);
  g_clear_pointer (&inv->lines, g_ptr_array_unref);
  g_clear_pointer (&inv->descriptions, g_ptr_array_unref);
  g_clear_pointer (&inv->diagnoses, g_ptr_array_unref);
  g_clear_pointer (&inv->credits, g_ptr_array_unref);
  g_clear_pointer (&inv->entries, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Invoice, invoice_clear)

char *
ch_billing_invoice_number (gint64 encounter_id)
{
  return g_strdup_printf ("INV-%06" PRId64, encounter_id);
}

static gboolean
line_reversed (const Invoice *inv,
               gint64         line_id)
{
  for (guint i = 0; i < inv->lines->len; i++)
    {
      const ChChargeLine *line = inv->lines->pdata[i];

      if (line->id == line_id)
        return line->reversed;
    }
  return FALSE;
}

/* The primary policy: the active one of the lowest priority in force on @date. */
static ChPolicyRecord *
primary_policy (ChStore     *store,
                gint64       patient_id,
                const char  *date,
                GError     **error)
{
  g_autoptr (GPtrArray) policies = ch_db_policy_list (store, patient_id, FALSE, error);

  if (policies == NULL)
    return NULL;
  for (guint i = 0; i < policies->len; i++)
    {
      ChPolicyRecord *p = policies->pdata[i];

      if (g_strcmp0 (p->status, "active") != 0)
        continue;
      if (p->start_date != NULL && *p->start_date != '\0' && strcmp (p->start_date, date) > 0)
        continue;
      if (p->end_date != NULL && *p->end_date != '\0' && strcmp (p->end_date, date) < 0)
        continue;
      return g_ptr_array_steal_index (policies, i);
    }
  fail (error, CH_BILLING_ERROR_STATE,
        _("The patient has no active insurance policy on %s to bill"), date);
  return NULL;
}

static gboolean
invoice_load (Invoice             *inv,
              ChSession           *session,
              gint64               encounter_id,
              ChInvoiceRecipient   to,
              GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GHashTable) seen_dx = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) dx_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return FALSE;
  inv->session = session;
  inv->to = to;
  inv->encounter = ch_db_billing_encounter_get (store, encounter_id, error);
  if (inv->encounter == NULL)
    {
      if (error != NULL && g_error_matches (*error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        {
          g_clear_error (error);
          return fail (error, CH_BILLING_ERROR_NOT_FOUND, _("No such encounter: %" PRId64),
                       encounter_id);
        }
      return FALSE;
    }
  if (!inv->encounter->active)
    return fail (error, CH_BILLING_ERROR_STATE, _("Encounter %" PRId64 " was entered in error"),
                 encounter_id);
  inv->patient = get_patient (store, inv->encounter->patient_id, error);
  if (inv->patient == NULL)
    return FALSE;
  if (to == CH_INVOICE_TO_INSURER)
    {
      inv->policy = primary_policy (store, inv->patient->id, inv->encounter->date, error);
      if (inv->policy == NULL)
        return FALSE;
    }
  inv->lines = ch_db_charge_list (store, encounter_id, 0, error);
  if (inv->lines == NULL)
    return FALSE;
  if (inv->lines->len == 0)
    return fail (error, CH_BILLING_ERROR_STATE,
                 _("Encounter %" PRId64 " has no charges to bill"), encounter_id);

  inv->descriptions = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < inv->lines->len; i++)
    {
      const ChChargeLine *line = inv->lines->pdata[i];
      char *text = ch_db_cash_fee_description (store, line->fee_id, error);

      if (text == NULL)
        return FALSE;
      g_ptr_array_add (inv->descriptions, text);
      if (!line->reversed)
        inv->charged += line->amount_cents;
      for (guint d = 0; d < G_N_ELEMENTS (line->dx); d++)
        if (line->dx[d] != 0 && !g_hash_table_contains (seen_dx, &line->dx[d]))
          {
            g_hash_table_add (seen_dx, (gpointer) &line->dx[d]);
            g_array_append_val (dx_ids, line->dx[d]);
          }
    }
  inv->diagnoses = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < dx_ids->len; i++)
    {
      g_autofree char *code = NULL;
      g_autofree char *display = NULL;

      if (!ch_db_cash_problem_text (store, g_array_index (dx_ids, gint64, i), &code, &display,
                                    error))
        return FALSE;
      g_ptr_array_add (inv->diagnoses, g_strdup_printf ("%s %s", code, display));
    }

  inv->credits = ch_db_cash_encounter_allocations (store, encounter_id, error);
  if (inv->credits == NULL)
    return FALSE;
  for (guint i = 0; i < inv->credits->len; i++)
    {
      const ChLineCredit *c = inv->credits->pdata[i];

      /* Allocations to a reversed line, or of a reversed payment, no longer count. */
      if (c->live && !line_reversed (inv, c->charge_line_id))
        inv->paid += c->amount_cents;
    }
  inv->entries = ch_db_cash_encounter_entries (store, encounter_id, error);
  if (inv->entries == NULL)
    return FALSE;
  for (guint i = 0; i < inv->entries->len; i++)
    {
      const ChLedgerEntry *e = inv->entries->pdata[i];

      /* A charge's reversal shows as its line reversed; a reversed write-off
       * and its reversal cancel out. */
      if (!g_str_equal (e->kind, "reversal") && e->reversed_by == 0)
        inv->adjusted += e->amount_cents;
    }
  inv->number = ch_billing_invoice_number (encounter_id);
  inv->printed = today ();
  return TRUE;
}

static const char *
line_code (const Invoice *inv,
           gint64         line_id)
{
  for (guint i = 0; i < inv->lines->len; i++)
    if (((ChChargeLine *) inv->lines->pdata[i])->id == line_id)
      return ((ChChargeLine *) inv->lines->pdata[i])->code;
  return "";
}

static void
draw_invoice (Doc      *doc,
              gpointer  data)
{
  Invoice *inv = data;
  const Column line_columns[] = {
    { C_("invoice column", "Code"), 0.11, FALSE },
    { C_("invoice column", "Description"), 0.37, FALSE },
    { C_("invoice column", "Modifiers"), 0.11, FALSE },
    { C_("invoice column", "Units"), 0.08, TRUE },
    { C_("invoice column", "Unit price"), 0.14, TRUE },
    { C_("invoice column", "Amount"), 0.19, TRUE },
  };
  const Column credit_columns[] = {
    { C_("invoice column", "Date"), 0.14, FALSE },
    { C_("invoice column", "Applied"), 0.50, FALSE },
    { C_("invoice column", "Line"), 0.15, FALSE },
    { C_("invoice column", "Amount"), 0.21, TRUE },
  };
  g_autofree char *number = g_strdup_printf (_("Invoice %s"), inv->number);
  g_autofree char *issued = g_strdup_printf (_("Issued %s"), inv->printed);
  g_autofree char *served = g_strdup_printf (_("Date of service %s"), inv->encounter->date);
  g_autofree char *provider = g_strdup_printf (_("Provider: %s"), inv->encounter->provider_name);
  const char *particulars[] = { number, issued, served, provider, NULL };
  g_autofree char *name = ch_patient_record_display_name (inv->patient);
  g_autofree char *ids = patient_ids (inv->patient);
  g_autofree char *address = patient_address (inv->patient);
  gint64 due = inv->charged - inv->paid + inv->adjusted;

  doc_letterhead (doc, inv->session, _("Invoice"), particulars);

  doc_paragraph (doc, _("Bill to"), CH_PDF_SMALL_SIZE, TRUE, &ch_pdf_muted);
  if (inv->to == CH_INVOICE_TO_INSURER)
    {
      g_autofree char *member = g_strdup_printf (_("Member ID: %s"), inv->policy->member_id);
      g_autofree char *group = g_strdup_printf (_("Group: %s"), inv->policy->group_id);
      g_autofree char *subscriber = NULL;
      g_autofree char *patient = g_strdup_printf (_("Patient: %s (%s)"), name, ids);

      doc_paragraph (doc, inv->policy->payer, CH_PDF_BODY_SIZE + 1, TRUE, &ch_pdf_ink);
      if (*inv->policy->plan != '\0')
        doc_paragraph (doc, inv->policy->plan, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
      doc_paragraph (doc, member, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
      if (*inv->policy->group_id != '\0')
        doc_paragraph (doc, group, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
      if (*inv->policy->subscriber_name != '\0')
        {
          subscriber = g_strdup_printf (_("Subscriber: %s"), inv->policy->subscriber_name);
          doc_paragraph (doc, subscriber, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
        }
      doc_paragraph (doc, patient, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
    }
  else
    {
      doc_paragraph (doc, name, CH_PDF_BODY_SIZE + 1, TRUE, &ch_pdf_ink);
      if (*address != '\0')
        doc_paragraph (doc, address, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
      doc_paragraph (doc, ids, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_muted);
    }

  doc_heading (doc, _("Services"));
  table_begin (doc, line_columns, G_N_ELEMENTS (line_columns));
  for (guint i = 0; i < inv->lines->len; i++)
    {
      const ChChargeLine *line = inv->lines->pdata[i];
      g_autofree char *mods = g_strdelimit (g_strdup (line->modifiers), ":", ' ');
      g_autofree char *units = g_strdup_printf ("%" PRId64, line->units);
      g_autofree char *price = money (line->unit_price_cents);
      g_autofree char *amount = money (line->amount_cents);
      g_autofree char *description = NULL;
      const char *cells[6];

      if (line->reversed)
        /* TRANSLATORS: a charge line that was reversed and no longer counts */
        description = g_strdup_printf (_("%s (reversed, not counted)"),
                                       (char *) inv->descriptions->pdata[i]);
      else
        description = g_strdup (inv->descriptions->pdata[i]);
      cells[0] = line->code;
      cells[1] = description;
      cells[2] = mods;
      cells[3] = units;
      cells[4] = price;
      cells[5] = amount;
      table_row (doc, cells, FALSE, line->reversed ? &ch_pdf_muted : &ch_pdf_ink);
    }
  table_end (doc);
  doc_amount (doc, _("Total charges"), inv->charged, TRUE);

  if (inv->diagnoses->len > 0)
    {
      doc_heading (doc, _("Diagnoses"));
      for (guint i = 0; i < inv->diagnoses->len; i++)
        doc_paragraph (doc, inv->diagnoses->pdata[i], CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
    }

  doc_heading (doc, _("Payments and adjustments"));
  if (inv->credits->len == 0 && inv->entries->len == 0)
    doc_paragraph (doc, _("None yet."), CH_PDF_BODY_SIZE, FALSE, &ch_pdf_muted);
  else
    {
      table_begin (doc, credit_columns, G_N_ELEMENTS (credit_columns));
      for (guint i = 0; i < inv->credits->len; i++)
        {
          const ChLineCredit *c = inv->credits->pdata[i];
          g_autofree char *date = local_text (c->received_at, "%Y-%m-%d");
          g_autofree char *words = payment_words (c->method, c->reference);
          g_autofree char *amount = money (-c->amount_cents);
          gboolean counts = c->live && !line_reversed (inv, c->charge_line_id);
          g_autofree char *label = NULL;
          const char *cells[4];

          if (counts)
            label = g_strdup (words);
          else
            label = g_strdup_printf (_("%s (reversed, not counted)"), words);
          cells[0] = date;
          cells[1] = label;
          cells[2] = line_code (inv, c->charge_line_id);
          cells[3] = amount;
          table_row (doc, cells, FALSE, counts ? &ch_pdf_ink : &ch_pdf_muted);
        }
      for (guint i = 0; i < inv->entries->len; i++)
        {
          const ChLedgerEntry *e = inv->entries->pdata[i];
          g_autofree char *date = local_text (e->posted_at, "%Y-%m-%d");
          g_autofree char *amount = money (e->amount_cents);
          g_autofree char *label = NULL;
          gboolean counts = !g_str_equal (e->kind, "reversal") && e->reversed_by == 0;
          const char *cells[4];

          if (g_str_equal (e->kind, "write-off"))
            label = g_strdup_printf (_("Write-off: %s"), e->reason);
          else if (g_str_equal (e->kind, "reversal"))
            label = g_strdup_printf (_("Reversal: %s"), e->reason);
          else
            label = g_strdup_printf (_("Adjustment: %s"), e->reason);
          if (!counts && !g_str_equal (e->kind, "reversal"))
            {
              char *marked = g_strdup_printf (_("%s (reversed, not counted)"), label);

              g_free (label);
              label = marked;
            }
          cells[0] = date;
          cells[1] = label;
          cells[2] = line_code (inv, e->charge_line_id);
          cells[3] = amount;
          table_row (doc, cells, FALSE, counts ? &ch_pdf_ink : &ch_pdf_muted);
        }
      table_end (doc);
    }
  doc_amount (doc, _("Total charges"), inv->charged, FALSE);
  doc_amount (doc, _("Payments"), -inv->paid, FALSE);
  doc_amount (doc, _("Adjustments"), inv->adjusted, FALSE);
  doc->pdf.y += 2;
  ch_pdf_doc_rule (&doc->pdf, doc->pdf.y, &ch_pdf_ink, 0.75);
  doc->pdf.y += 4;
  doc_amount (doc, _("Amount due"), due, TRUE);
}

static GBytes *
invoice_render (Invoice             *inv,
                ChSession           *session,
                gint64               encounter_id,
                ChInvoiceRecipient   to,
                GError             **error)
{
  g_autofree char *name = NULL;
  g_autofree char *footer = NULL;

  if (!invoice_load (inv, session, encounter_id, to, error))
    return NULL;
  name = ch_patient_record_display_name (inv->patient);
  /* TRANSLATORS: the foot of an invoice's pages:
   * "Invoice INV-000123 · Ångström, Zoë · MRN 00000012" */
  footer = g_strdup_printf (_("Invoice %s · %s · MRN %s"), inv->number, name, inv->patient->mrn);
  return render (_("Invoice"), footer, draw_invoice, inv, error);
}

static gboolean
invoice_audit (gpointer   data,
               GError   **error)
{
  Invoice *inv = data;

  return audit_patient_print (inv->session, "invoice", inv->number, inv->patient->id,
                              inv->to == CH_INVOICE_TO_INSURER ? "invoice PDF to the insurer"
                                                               : "invoice PDF to the patient",
                              error);
}

GBytes *
ch_billing_invoice_pdf (ChSession           *session,
                        gint64               encounter_id,
                        ChInvoiceRecipient   to,
                        GError             **error)
{
  g_auto (Invoice) inv = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  pdf = invoice_render (&inv, session, encounter_id, to, error);
  if (pdf == NULL || !invoice_audit (&inv, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_billing_invoice_write (ChSession           *session,
                          gint64               encounter_id,
                          ChInvoiceRecipient   to,
                          const char          *path,
                          GError             **error)
{
  g_auto (Invoice) inv = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pdf = invoice_render (&inv, session, encounter_id, to, error);
  return pdf != NULL && write_and_audit (pdf, path, _("the invoice"), invoice_audit, &inv, error);
}

/* ---- statements ------------------------------------------------------------- */

typedef struct
{
  ChLedgerEntry *entry;
  GDate          date;
  char          *words;
} Item;

/* A statement reads in the order things happened, whatever order they were
 * entered in (a migration posts history late). */
static int
item_compare (gconstpointer a,
              gconstpointer b)
{
  const Item *x = *(Item **) a;
  const Item *y = *(Item **) b;

  if (x->entry->posted_at != y->entry->posted_at)
    return x->entry->posted_at < y->entry->posted_at ? -1 : 1;
  return x->entry->id < y->entry->id ? -1 : x->entry->id > y->entry->id;
}

static void
item_free (Item *item)
{
  ch_ledger_entry_free (item->entry);
  g_free (item->words);
  g_free (item);
}

typedef struct
{
  ChSession       *session;
  ChPatientRecord *patient;
  GDate            from;
  GDate            to;
  char            *from_text;
  char            *to_text;
  GPtrArray       *items;       /* (element-type Item): every entry up to @to, oldest first */
  gint64           opening;
  gint64           closing;
  gint64           ageing[4];   /* current, 31–60, 61–90, over 90 */
} Statement;

static void
statement_clear (Statement *st)
{
  g_clear_pointer (&st->patient, ch_patient_record_free);
  g_clear_pointer (&st->from_text, g_free);
  g_clear_pointer (&st->to_text, g_free);
  g_clear_pointer (&st->items, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statement, statement_clear)

/* An entry in words, as a patient reads it. */
static char *
entry_words (ChStore              *store,
             const ChLedgerEntry  *e,
             GHashTable           *by_id,
             GError              **error)
{
  if (g_str_equal (e->kind, "charge"))
    {
      g_autoptr (ChChargeLine) line = ch_db_charge_get (store, e->charge_line_id, error);
      g_autofree char *description = NULL;

      if (line == NULL)
        return NULL;
      description = ch_db_cash_fee_description (store, line->fee_id, error);
      if (description == NULL)
        return NULL;
      if (line->units > 1)
        /* TRANSLATORS: a charge: "Office visit 99213 × 2" */
        return g_strdup_printf (_("%s %s × %" PRId64), description, line->code, line->units);
      /* TRANSLATORS: a charge: "Office visit 99213" */
      return g_strdup_printf (_("%s %s"), description, line->code);
    }
  if (g_str_equal (e->kind, "payment"))
    {
      g_autoptr (ChPayment) payment = ch_db_payment_get (store, e->payment_id, error);

      if (payment == NULL)
        return NULL;
      return payment_words (payment->method, payment->reference);
    }
  if (g_str_equal (e->kind, "refund"))
    /* TRANSLATORS: "Refund — cash: overpaid" */
    return g_strdup_printf (_("Refund — %s: %s"), method_label (e->method), e->reason);
  if (g_str_equal (e->kind, "write-off"))
    return g_strdup_printf (_("Write-off: %s"), e->reason);
  if (g_str_equal (e->kind, "adjustment"))
    return g_strdup_printf (_("Adjustment: %s"), e->reason);
  if (g_str_equal (e->kind, "opening"))
    return *e->reason != '\0' ? g_strdup (e->reason) : g_strdup (_("Opening balance"));
  if (g_str_equal (e->kind, "reversal"))
    {
      Item *original = g_hash_table_lookup (by_id, &e->reverses);

      /* TRANSLATORS: "Reversal of Payment — card (ref 1234): entered twice" */
      return g_strdup_printf (_("Reversal of %s: %s"),
                              original != NULL ? original->words : e->kind, e->reason);
    }
  return g_strdup (e->kind);
}

/* Ages what is owed at the end of the period: each amount by the day it was
 * posted, an entry and its reversal cancelling out, the other credits taken
 * off the oldest amounts first; what credit is left shows as current. */
static void
statement_age (Statement *st)
{
  g_autoptr (GArray) debits = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) ages = g_array_new (FALSE, FALSE, sizeof (int));
  gint64 credit = 0;
  g_autoptr (GHashTable) cancelled = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < st->items->len; i++)
    {
      const Item *item = st->items->pdata[i];

      if (item->entry->reverses != 0)
        {
          g_hash_table_add (cancelled, &item->entry->id);
          g_hash_table_add (cancelled, &item->entry->reverses);
        }
    }
  for (guint i = 0; i < st->items->len; i++)
    {
      const Item *item = st->items->pdata[i];
      gint64 amount = item->entry->amount_cents;
      int age = g_date_days_between (&item->date, &st->to);

      if (g_hash_table_contains (cancelled, &item->entry->id))
        continue;
      if (amount > 0)
        {
          g_array_append_val (debits, amount);
          g_array_append_val (ages, age);
        }
      else
        credit += -amount;
    }
  memset (st->ageing, 0, sizeof st->ageing);
  for (guint i = 0; i < debits->len; i++)
    {
      gint64 amount = g_array_index (debits, gint64, i);
      int age = g_array_index (ages, int, i);
      gint64 taken = MIN (amount, credit);
      int bucket = age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : 3;

      credit -= taken;
      st->ageing[bucket] += amount - taken;
    }
  st->ageing[0] -= credit;
}

static gboolean
statement_load (Statement   *st,
                ChSession   *session,
                gint64       patient_id,
                const char  *from,
                const char  *to,
                GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree char *now = today ();
  GDate last;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return FALSE;
  st->session = session;
  parse_day (now, &last);
  if (to != NULL)
    {
      if (!check_day (to, &st->to, error))
        return FALSE;
      if (g_date_compare (&st->to, &last) > 0)
        return fail (error, CH_BILLING_ERROR_INVALID,
                     _("A statement cannot end after today (%s)"), now);
    }
  else
    st->to = last;
  if (from != NULL)
    {
      if (!check_day (from, &st->from, error))
        return FALSE;
    }
  else
    {
      st->from = st->to;
      g_date_subtract_days (&st->from, STATEMENT_DAYS - 1);
    }
  if (g_date_compare (&st->from, &st->to) > 0)
    return fail (error, CH_BILLING_ERROR_INVALID,
                 _("The period must start on or before the day it ends"));
  st->from_text = day_text (&st->from);
  st->to_text = day_text (&st->to);

  st->patient = get_patient (store, patient_id, error);
  if (st->patient == NULL)
    return FALSE;
  /* Balances from a CSV migration belong on the statement, as on the ledger. */
  if (ch_session_can (session, CH_AREA_BILLING, CH_ACCESS_WRITE)
      && !ch_billing_post_opening_balances (session, patient_id, NULL, error))
    return FALSE;
  entries = ch_db_ledger_list (store, patient_id, error);
  if (entries == NULL)
    return FALSE;

  st->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  for (guint i = 0; i < entries->len; i++)
    {
      ChLedgerEntry *e = entries->pdata[i];
      g_autoptr (GDateTime) local = local_of (e->posted_at);
      Item *item;

      item = g_new0 (Item, 1);
      g_date_clear (&item->date, 1);
      g_date_set_dmy (&item->date, g_date_time_get_day_of_month (local),
                      g_date_time_get_month (local), g_date_time_get_year (local));
      if (g_date_compare (&item->date, &st->to) > 0)
        {
          g_free (item);
          continue;
        }
      item->entry = g_steal_pointer (&entries->pdata[i]);
      /* Reversals come after what they reverse: words looked up by id. */
      item->words = entry_words (store, item->entry, by_id, error);
      if (item->words == NULL)
        {
          item_free (item);
          return FALSE;
        }
      g_ptr_array_add (st->items, item);
      g_hash_table_insert (by_id, &item->entry->id, item);
      if (g_date_compare (&item->date, &st->from) < 0)
        st->opening += item->entry->amount_cents;
      st->closing += item->entry->amount_cents;
    }
  g_ptr_array_sort (st->items, item_compare);
  statement_age (st);
  return TRUE;
}

static void
draw_statement (Doc      *doc,
                gpointer  data)
{
  Statement *st = data;
  const Column columns[] = {
    { C_("statement column", "Date"), 0.14, FALSE },
    { C_("statement column", "Description"), 0.54, FALSE },
    { C_("statement column", "Amount"), 0.16, TRUE },
    { C_("statement column", "Balance"), 0.16, TRUE },
  };
  const Column ageing_columns[] = {
    { _("Current"), 0.2, TRUE },
    { _("31–60 days"), 0.2, TRUE },
    { _("61–90 days"), 0.2, TRUE },
    { _("Over 90 days"), 0.2, TRUE },
    { _("Total"), 0.2, TRUE },
  };
  g_autofree char *period = g_strdup_printf (_("%s to %s"), st->from_text, st->to_text);
  g_autofree char *issued = NULL;
  g_autofree char *name = ch_patient_record_display_name (st->patient);
  g_autofree char *ids = patient_ids (st->patient);
  g_autofree char *address = patient_address (st->patient);
  g_autofree char *now = today ();
  const char *particulars[] = { period, NULL, NULL };
  GDate before = st->from;
  g_autofree char *before_text = NULL;
  g_autofree char *opening_label = NULL;
  g_autofree char *closing_label = NULL;
  g_autofree char *opening = money (st->opening);
  gint64 running = st->opening;
  guint n = 0;

  issued = g_strdup_printf (_("Issued %s"), now);
  particulars[1] = issued;
  doc_letterhead (doc, st->session, _("Statement"), particulars);

  doc_paragraph (doc, name, CH_PDF_BODY_SIZE + 1, TRUE, &ch_pdf_ink);
  if (*address != '\0')
    doc_paragraph (doc, address, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
  doc_paragraph (doc, ids, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_muted);

  doc_heading (doc, _("Account activity"));
  g_date_subtract_days (&before, 1);
  before_text = day_text (&before);
  /* TRANSLATORS: the first row of a statement: "Balance on 2026-08-27" */
  opening_label = g_strdup_printf (_("Balance on %s"), before_text);
  table_begin (doc, columns, G_N_ELEMENTS (columns));
  {
    const char *cells[] = { "", opening_label, "", opening };

    table_row (doc, cells, TRUE, &ch_pdf_ink);
  }
  for (guint i = 0; i < st->items->len; i++)
    {
      const Item *item = st->items->pdata[i];
      g_autofree char *date = NULL;
      g_autofree char *amount = NULL;
      g_autofree char *balance = NULL;
      g_autofree char *words = NULL;
      const char *cells[4];

      if (g_date_compare (&item->date, &st->from) < 0)
        continue;
      running += item->entry->amount_cents;
      date = day_text (&item->date);
      amount = money (item->entry->amount_cents);
      balance = money (running);
      if (item->entry->reversed_by != 0)
        /* TRANSLATORS: an entry that a later one reversed */
        words = g_strdup_printf (_("%s (reversed)"), item->words);
      else
        words = g_strdup (item->words);
      cells[0] = date;
      cells[1] = words;
      cells[2] = amount;
      cells[3] = balance;
      table_row (doc, cells, FALSE, item->entry->reversed_by != 0 ? &ch_pdf_muted : &ch_pdf_ink);
      n++;
    }
  if (n == 0)
    {
      const char *cells[] = { "", _("No activity in this period."), "", "" };

      table_row (doc, cells, FALSE, &ch_pdf_muted);
    }
  table_end (doc);
  /* TRANSLATORS: "Balance on 2026-11-25" */
  closing_label = g_strdup_printf (_("Balance on %s"), st->to_text);
  doc_amount (doc, closing_label, st->closing, TRUE);

  /* TRANSLATORS: a heading: "Ageing on 2026-11-25" */
  {
    g_autofree char *heading = g_strdup_printf (_("Ageing on %s"), st->to_text);
    g_autofree char *a0 = money (st->ageing[0]);
    g_autofree char *a1 = money (st->ageing[1]);
    g_autofree char *a2 = money (st->ageing[2]);
    g_autofree char *a3 = money (st->ageing[3]);
    g_autofree char *total = money (st->closing);
    const char *cells[] = { a0, a1, a2, a3, total };

    doc_heading (doc, heading);
    table_begin (doc, ageing_columns, G_N_ELEMENTS (ageing_columns));
    table_row (doc, cells, FALSE, &ch_pdf_ink);
    table_end (doc);
  }
  doc->pdf.y += 4;
  ch_pdf_doc_rule (&doc->pdf, doc->pdf.y, &ch_pdf_ink, 0.75);
  doc->pdf.y += 4;
  doc_amount (doc, _("Amount due"), MAX (st->closing, 0), TRUE);
  if (st->closing < 0)
    {
      g_autofree char *credit = money (-st->closing);
      g_autofree char *text = g_strdup_printf (_("You have a credit of %s with the practice."),
                                               credit);

      doc_paragraph (doc, text, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_muted);
    }
}

static GBytes *
statement_render (Statement   *st,
                  ChSession   *session,
                  gint64       patient_id,
                  const char  *from,
                  const char  *to,
                  GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *footer = NULL;

  if (!statement_load (st, session, patient_id, from, to, error))
    return NULL;
  name = ch_patient_record_display_name (st->patient);
  /* TRANSLATORS: the foot of a statement's pages:
   * "Statement · Ångström, Zoë · MRN 00000012 · 2026-08-28 to 2026-11-25" */
  footer = g_strdup_printf (_("Statement · %s · MRN %s · %s to %s"), name, st->patient->mrn,
                            st->from_text, st->to_text);
  return render (_("Statement"), footer, draw_statement, st, error);
}

static gboolean
statement_audit (gpointer   data,
                 GError   **error)
{
  Statement *st = data;
  g_autofree char *object = g_strdup_printf ("%s/%s", st->from_text, st->to_text);
  g_autofree char *closing = ch_billing_format_amount (st->closing);
  g_autofree char *detail = g_strdup_printf ("statement PDF, balance %s", closing);

  return audit_patient_print (st->session, "statement", object, st->patient->id, detail, error);
}

GBytes *
ch_billing_statement_pdf (ChSession   *session,
                          gint64       patient_id,
                          const char  *from,
                          const char  *to,
                          GError     **error)
{
  g_auto (Statement) st = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  pdf = statement_render (&st, session, patient_id, from, to, error);
  if (pdf == NULL || !statement_audit (&st, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_billing_statement_write (ChSession   *session,
                            gint64       patient_id,
                            const char  *from,
                            const char  *to,
                            const char  *path,
                            GError     **error)
{
  g_auto (Statement) st = { 0 };
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pdf = statement_render (&st, session, patient_id, from, to, error);
  return pdf != NULL
         && write_and_audit (pdf, path, _("the statement"), statement_audit, &st, error);
}

/* ---- the daily close -------------------------------------------------------- */

typedef struct
{
  ChSession   *session;
  GDate        date;
  char        *day;
  char        *day_long;
  GPtrArray   *charges;     /* (element-type ChDayCharges) */
  GPtrArray   *money;       /* (element-type ChDayMoney) */
  ChCashClose *close;       /* the close that counts, or NULL: a preview */
  gint64       float_cents; /* the preview's */
  gint64       cash_in;
  gint64       cash_out;
} Close;

static void
close_clear (Close *c)
{
  g_clear_pointer (&c->day, g_free);
  g_clear_pointer (&c->day_long, g_free);
  g_clear_pointer (&c->charges, g_ptr_array_unref);
  g_clear_pointer (&c->money, g_ptr_array_unref);
  g_clear_pointer (&c->close, ch_cash_close_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Close, close_clear)

static gboolean
close_load (Close       *c,
            ChSession   *session,
            const char  *day,
            GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GDateTime) start = NULL;
  gint64 from, to;

  c->session = session;
  if (!check_day (day, &c->date, error))
    return FALSE;
  c->day = day_text (&c->date);
  day_window (&c->date, &from, &to);
  start = local_of (from);
  c->day_long = g_date_time_format (start, "%A %Y-%m-%d");
  c->charges = ch_db_cash_day_charges (store, from, to, error);
  if (c->charges == NULL)
    return FALSE;
  c->money = ch_db_cash_day_money (store, from, to, error);
  if (c->money == NULL)
    return FALSE;
  c->cash_in = c->cash_out = 0;
  for (guint i = 0; i < c->money->len; i++)
    {
      const ChDayMoney *m = c->money->pdata[i];

      /* Money entered in error and reversed never went through the drawer. */
      if (m->reversed || g_strcmp0 (m->method, "cash") != 0)
        continue;
      if (g_str_equal (m->kind, "payment"))
        c->cash_in += m->amount_cents;
      else if (g_str_equal (m->kind, "refund"))
        c->cash_out += m->amount_cents;
    }
  return TRUE;
}

static const char *
kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "charge") == 0)
    return C_("ledger entry", "charge");
  if (g_strcmp0 (kind, "payment") == 0)
    return C_("ledger entry", "payment");
  if (g_strcmp0 (kind, "refund") == 0)
    return C_("ledger entry", "refund");
  if (g_strcmp0 (kind, "write-off") == 0)
    return C_("ledger entry", "write-off");
  if (g_strcmp0 (kind, "adjustment") == 0)
    return C_("ledger entry", "adjustment");
  if (g_strcmp0 (kind, "opening") == 0)
    return C_("ledger entry", "opening balance");
  return kind ? kind : "";
}

static void
draw_charges (Doc   *doc,
              Close *c)
{
  const Column columns[] = {
    { C_("close column", "Provider"), 0.18, FALSE },
    { C_("close column", "Code"), 0.11, FALSE },
    { C_("close column", "Description"), 0.37, FALSE },
    { C_("close column", "Lines"), 0.08, TRUE },
    { C_("close column", "Units"), 0.08, TRUE },
    { C_("close column", "Amount"), 0.18, TRUE },
  };
  gint64 total = 0, provider_total = 0, n_total = 0;

  doc_heading (doc, _("Charges posted"));
  if (c->charges->len == 0)
    {
      doc_paragraph (doc, _("No charges were posted this day."), CH_PDF_BODY_SIZE, FALSE,
                     &ch_pdf_muted);
      return;
    }
  table_begin (doc, columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < c->charges->len; i++)
    {
      const ChDayCharges *r = c->charges->pdata[i];
      const ChDayCharges *next = i + 1 < c->charges->len ? c->charges->pdata[i + 1] : NULL;
      g_autofree char *lines = g_strdup_printf ("%" PRId64, r->n_lines);
      g_autofree char *units = g_strdup_printf ("%" PRId64, r->units);
      g_autofree char *amount = money (r->amount_cents);
      const char *cells[] = { r->provider, r->code, r->description, lines, units, amount };

      table_row (doc, cells, FALSE, &ch_pdf_ink);
      provider_total += r->amount_cents;
      total += r->amount_cents;
      n_total += r->n_lines;
      if (next == NULL || g_strcmp0 (next->provider, r->provider) != 0)
        {
          g_autofree char *label = g_strdup_printf (_("Total for %s"), r->provider);
          g_autofree char *sum = money (provider_total);
          const char *row[] = { "", "", label, "", "", sum };

          table_row (doc, row, TRUE, &ch_pdf_ink);
          provider_total = 0;
        }
    }
  table_end (doc);
  doc_amount (doc, _("Total charges posted"), total, TRUE);
}

static void
draw_money (Doc   *doc,
            Close *c)
{
  const Column method_columns[] = {
    { C_("close column", "Method"), 0.50, FALSE },
    { C_("close column", "Count"), 0.20, TRUE },
    { C_("close column", "Total"), 0.30, TRUE },
  };
  const Column list_columns[] = {
    { C_("close column", "Time"), 0.10, FALSE },
    { C_("close column", "MRN"), 0.14, FALSE },
    { C_("close column", "Method"), 0.12, FALSE },
    { C_("close column", "Reference"), 0.30, FALSE },
    { C_("close column", "By"), 0.14, FALSE },
    { C_("close column", "Amount"), 0.20, TRUE },
  };
  const Column reversal_columns[] = {
    { C_("close column", "Time"), 0.10, FALSE },
    { C_("close column", "MRN"), 0.14, FALSE },
    { C_("close column", "Reverses"), 0.36, FALSE },
    { C_("close column", "By"), 0.14, FALSE },
    { C_("close column", "Amount"), 0.26, TRUE },
  };
  gint64 pay_count[G_N_ELEMENTS (method_order)] = { 0 };
  gint64 pay_sum[G_N_ELEMENTS (method_order)] = { 0 };
  gint64 ref_count[G_N_ELEMENTS (method_order)] = { 0 };
  gint64 ref_sum[G_N_ELEMENTS (method_order)] = { 0 };
  gint64 pay_total = 0, ref_total = 0;
  guint n_payments = 0, n_refunds = 0, n_reversals = 0;

  for (guint i = 0; i < c->money->len; i++)
    {
      const ChDayMoney *m = c->money->pdata[i];
      int k = method_index (m->method);

      if (g_str_equal (m->kind, "payment"))
        n_payments++;
      else if (g_str_equal (m->kind, "refund"))
        n_refunds++;
      else
        n_reversals++;
      if (m->reversed || k < 0)
        continue;
      if (g_str_equal (m->kind, "payment"))
        {
          pay_count[k]++;
          pay_sum[k] += m->amount_cents;
          pay_total += m->amount_cents;
        }
      else if (g_str_equal (m->kind, "refund"))
        {
          ref_count[k]++;
          ref_sum[k] += m->amount_cents;
          ref_total += m->amount_cents;
        }
    }

  doc_heading (doc, _("Payments received, by method"));
  if (n_payments == 0)
    doc_paragraph (doc, _("No payments were received this day."), CH_PDF_BODY_SIZE, FALSE,
                   &ch_pdf_muted);
  else
    {
      table_begin (doc, method_columns, G_N_ELEMENTS (method_columns));
      for (guint k = 0; k < G_N_ELEMENTS (method_order); k++)
        {
          g_autofree char *count = g_strdup_printf ("%" PRId64, pay_count[k]);
          g_autofree char *sum = money (pay_sum[k]);
          const char *cells[] = { method_label (method_order[k]), count, sum };

          if (pay_count[k] > 0)
            table_row (doc, cells, FALSE, &ch_pdf_ink);
        }
      table_end (doc);
      doc_amount (doc, _("Total payments"), pay_total, TRUE);

      doc_heading (doc, _("Payments received"));
      table_begin (doc, list_columns, G_N_ELEMENTS (list_columns));
      for (guint i = 0; i < c->money->len; i++)
        {
          const ChDayMoney *m = c->money->pdata[i];
          g_autofree char *time = NULL;
          g_autofree char *amount = NULL;
          g_autofree char *reference = NULL;
          const char *cells[6];

          if (!g_str_equal (m->kind, "payment"))
            continue;
          time = local_text (m->posted_at, "%H:%M");
          amount = money (m->amount_cents);
          reference = m->reversed ? g_strdup_printf (_("%s (reversed, not counted)"), m->reference)
                                  : g_strdup (m->reference);
          cells[0] = time;
          cells[1] = m->mrn;
          cells[2] = method_label (m->method);
          cells[3] = reference;
          cells[4] = m->posted_by;
          cells[5] = amount;
          table_row (doc, cells, FALSE, m->reversed ? &ch_pdf_muted : &ch_pdf_ink);
        }
      table_end (doc);
    }

  doc_heading (doc, _("Refunds, by method"));
  if (n_refunds == 0)
    doc_paragraph (doc, _("No refunds were paid this day."), CH_PDF_BODY_SIZE, FALSE,
                   &ch_pdf_muted);
  else
    {
      table_begin (doc, method_columns, G_N_ELEMENTS (method_columns));
      for (guint k = 0; k < G_N_ELEMENTS (method_order); k++)
        {
          g_autofree char *count = g_strdup_printf ("%" PRId64, ref_count[k]);
          g_autofree char *sum = money (ref_sum[k]);
          const char *cells[] = { method_label (method_order[k]), count, sum };

          if (ref_count[k] > 0)
            table_row (doc, cells, FALSE, &ch_pdf_ink);
        }
      table_end (doc);
      doc_amount (doc, _("Total refunds"), ref_total, TRUE);
    }

  doc_heading (doc, _("Reversals"));
  if (n_reversals == 0)
    doc_paragraph (doc, _("Nothing was reversed this day."), CH_PDF_BODY_SIZE, FALSE,
                   &ch_pdf_muted);
  else
    {
      table_begin (doc, reversal_columns, G_N_ELEMENTS (reversal_columns));
      for (guint i = 0; i < c->money->len; i++)
        {
          const ChDayMoney *m = c->money->pdata[i];
          g_autofree char *time = NULL;
          g_autofree char *amount = NULL;
          g_autofree char *when = NULL;
          g_autofree char *what = NULL;
          const char *cells[5];

          if (!g_str_equal (m->kind, "reversal"))
            continue;
          time = local_text (m->posted_at, "%H:%M");
          amount = money (m->amount_cents);
          when = local_text (m->reverses_posted_at, "%Y-%m-%d");
          /* TRANSLATORS: "entry 12, payment of 2026-11-24: entered twice" */
          what = g_strdup_printf (_("entry %" PRId64 ", %s of %s: %s"), m->reverses,
                                  kind_label (m->reverses_kind), when, m->reason);
          cells[0] = time;
          cells[1] = m->mrn;
          cells[2] = what;
          cells[3] = m->posted_by;
          cells[4] = amount;
          table_row (doc, cells, FALSE, &ch_pdf_ink);
        }
      table_end (doc);
    }
}

static void
draw_drawer (Doc   *doc,
             Close *c)
{
  gint64 float_cents = c->close ? c->close->float_cents : c->float_cents;
  gint64 expected_now = float_cents + c->cash_in - c->cash_out;

  doc_heading (doc, _("Cash drawer"));
  doc_amount (doc, _("Opening float"), float_cents, FALSE);
  doc_amount (doc, _("Cash payments received"), c->cash_in, FALSE);
  doc_amount (doc, _("Cash refunds paid"), -c->cash_out, FALSE);
  if (c->close == NULL)
    {
      doc_amount (doc, _("Expected cash"), expected_now, TRUE);
      doc->pdf.y += 4;
      doc_paragraph (doc, _("Not closed yet (preview): the drawer has not been counted."),
                     CH_PDF_BODY_SIZE, TRUE, &ch_pdf_alert);
      return;
    }

  doc_amount (doc, _("Expected cash"), c->close->expected_cents, TRUE);
  doc_amount (doc, _("Counted cash"), c->close->counted_cents, TRUE);
  {
    g_autofree char *diff = money (ABS (c->close->difference_cents));
    g_autofree char *label = NULL;

    if (c->close->difference_cents > 0)
      /* TRANSLATORS: the cash drawer held more than expected: "Difference: over by $2.00" */
      label = g_strdup_printf (_("Difference: over by %s"), diff);
    else if (c->close->difference_cents < 0)
      /* TRANSLATORS: the cash drawer held less than expected: "Difference: short by $2.00" */
      label = g_strdup_printf (_("Difference: short by %s"), diff);
    else
      label = g_strdup (_("Difference: none, the drawer balances"));
    doc->pdf.y += 2;
    doc_paragraph (doc, label, CH_PDF_BODY_SIZE + 1, TRUE,
                   c->close->difference_cents != 0 ? &ch_pdf_alert : &ch_pdf_ink);
  }
  {
    g_autofree char *at = local_text (c->close->closed_at, "%Y-%m-%d %H:%M");
    /* TRANSLATORS: "Closed by frontdesk at 2026-11-25 18:02" */
    g_autofree char *by = g_strdup_printf (_("Closed by %s at %s"), c->close->closed_by, at);

    doc_paragraph (doc, by, CH_PDF_BODY_SIZE, TRUE, &ch_pdf_ink);
  }
  if (*c->close->reopen_reason != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("Reopened and closed again: %s"),
                                               c->close->reopen_reason);

      doc_paragraph (doc, text, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
    }
  if (*c->close->note != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("Note: %s"), c->close->note);

      doc_paragraph (doc, text, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink);
    }
  if (expected_now != c->close->expected_cents)
    {
      g_autofree char *now = money (expected_now);
      g_autofree char *text =
        g_strdup_printf (_("Since the close, this day's cash entries changed: the drawer "
                           "should now hold %s."), now);

      doc_paragraph (doc, text, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_alert);
    }
}

static void
draw_close (Doc      *doc,
            gpointer  data)
{
  Close *c = data;
  g_autofree char *status = NULL;
  const char *particulars[] = { c->day_long, NULL, NULL };

  if (c->close != NULL)
    {
      g_autofree char *at = local_text (c->close->closed_at, "%Y-%m-%d %H:%M");

      status = g_strdup_printf (_("Closed by %s at %s"), c->close->closed_by, at);
    }
  else
    status = g_strdup (_("Not closed yet (preview)"));
  particulars[1] = status;
  doc_letterhead (doc, c->session, _("Daily close"), particulars);
  draw_charges (doc, c);
  draw_money (doc, c);
  draw_drawer (doc, c);
}

static GBytes *
close_render (Close       *c,
              GError     **error)
{
  /* TRANSLATORS: the foot of the daily close's pages: "Daily close · Wednesday 2026-11-25" */
  g_autofree char *footer = g_strdup_printf (_("Daily close · %s"), c->day_long);

  return render (_("Daily close"), footer, draw_close, c, error);
}

/* One entry a patient whose money it lists (all or none), or one for a day
 * without any; in the caller's transaction. */
static gboolean
close_audit_entries (Close   *c,
                     GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (c->money->len == 0)
    return ch_session_audit (c->session, CH_AUDIT_PRINT, "daily-close", c->day, 0,
                             "daily close PDF", error);
  for (guint i = 0; i < c->money->len; i++)
    {
      ChDayMoney *m = c->money->pdata[i];

      if (g_hash_table_contains (seen, &m->patient_id))
        continue;
      g_hash_table_add (seen, &m->patient_id);
      if (!ch_session_audit (c->session, CH_AUDIT_PRINT, "daily-close", c->day, m->patient_id,
                             "daily close PDF", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
close_audit (gpointer   data,
             GError   **error)
{
  Close *c = data;
  ChStore *store = ch_session_get_store (c->session);

  if (!ch_store_begin (store, error))
    return FALSE;
  return ch_store_commit_or_rollback (store, close_audit_entries (c, error), error);
}

static gboolean
close_prepare_print (Close       *c,
                     ChSession   *session,
                     const char  *day,
                     gint64       preview_float_cents,
                     GError     **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return FALSE;
  if (preview_float_cents > CH_BILLING_MAX_AMOUNT_CENTS)
    return fail (error, CH_BILLING_ERROR_INVALID, _("The float is too large"));
  if (!close_load (c, session, day, error))
    return FALSE;
  c->float_cents = MAX (preview_float_cents, 0);
  c->close = ch_db_cash_close_latest (ch_session_get_store (session), c->day, error);
  return c->close != NULL || error == NULL || *error == NULL;
}

GBytes *
ch_billing_close_pdf (ChSession   *session,
                      const char  *day,
                      gint64       preview_float_cents,
                      GError     **error)
{
  g_auto (Close) c = { 0 };
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!close_prepare_print (&c, session, day, preview_float_cents, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  pdf = close_render (&c, error);
  if (pdf == NULL || !close_audit (&c, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_billing_close_write (ChSession   *session,
                        const char  *day,
                        gint64       preview_float_cents,
                        const char  *path,
                        GError     **error)
{
  g_auto (Close) c = { 0 };
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!close_prepare_print (&c, session, day, preview_float_cents, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  pdf = close_render (&c, error);
  return pdf != NULL && write_and_audit (pdf, path, _("the daily close"), close_audit, &c, error);
}

gboolean
ch_billing_cash_expected (ChSession   *session,
                          const char  *day,
                          gint64       float_cents,
                          gint64      *out_expected,
                          GError     **error)
{
  g_auto (Close) c = { 0 };

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error)
      || !close_load (&c, session, day, error))
    return FALSE;
  *out_expected = float_cents + c.cash_in - c.cash_out;
  return TRUE;
}

ChCashClose *
ch_billing_close_day (ChSession   *session,
                      const char  *day,
                      gint64       float_cents,
                      gint64       counted_cents,
                      const char  *note,
                      const char  *reopen_reason,
                      const char  *path,
                      GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_auto (Close) c = { 0 };
  g_autoptr (ChCashClose) close = NULL;
  g_autoptr (ChCashClose) latest = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *now = today ();
  g_autofree char *object_id = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *diff = NULL;
  GDate last;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return NULL;
  if (float_cents < 0 || float_cents > CH_BILLING_MAX_AMOUNT_CENTS
      || counted_cents < 0 || counted_cents > CH_BILLING_MAX_AMOUNT_CENTS)
    {
      fail (error, CH_BILLING_ERROR_INVALID,
            _("The float and the cash counted must be from 0.00 to %" PRId64 ".00"),
            CH_BILLING_MAX_AMOUNT_CENTS / 100);
      return NULL;
    }
  if (!check_line (note, _("The note"), error)
      || !check_line (reopen_reason, _("The reason for reopening"), error))
    return NULL;
  if (!close_load (&c, session, day, error))
    return NULL;
  parse_day (now, &last);
  if (g_date_compare (&c.date, &last) > 0)
    {
      fail (error, CH_BILLING_ERROR_INVALID, _("%s has not come yet: it cannot be closed"),
            c.day);
      return NULL;
    }
  latest = ch_db_cash_close_latest (store, c.day, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (latest != NULL && (reopen_reason == NULL || *reopen_reason == '\0'))
    {
      g_autofree char *at = local_text (latest->closed_at, "%Y-%m-%d %H:%M");

      fail (error, CH_BILLING_ERROR_STATE,
            _("%s was closed by %s at %s; to close it again, give a reason for reopening it"),
            c.day, latest->closed_by, at);
      return NULL;
    }
  if (latest == NULL && reopen_reason != NULL && *reopen_reason != '\0')
    {
      fail (error, CH_BILLING_ERROR_STATE, _("%s is not closed: there is nothing to reopen"),
            c.day);
      return NULL;
    }

  close = g_new0 (ChCashClose, 1);
  close->day = g_strdup (c.day);
  close->float_cents = float_cents;
  close->expected_cents = float_cents + c.cash_in - c.cash_out;
  close->counted_cents = counted_cents;
  close->note = g_strdup (note ? note : "");
  close->supersedes = latest ? latest->id : 0;
  close->reopen_reason = g_strdup (reopen_reason ? reopen_reason : "");

  /* The close, its audit, and the print-out (when asked for) stand or fall
   * together: a close is never recorded without the PDF that was asked for. */
  if (!ch_store_begin (store, error))
    return NULL;
  ok = ch_db_cash_close_insert (store, close, ch_session_get_username (session), error);
  if (ok)
    {
      g_autofree char *expected = ch_billing_format_amount (close->expected_cents);
      g_autofree char *counted = ch_billing_format_amount (close->counted_cents);

      diff = ch_billing_format_amount (close->difference_cents);
      object_id = g_strdup_printf ("%" PRId64, close->id);
      detail = g_strdup_printf ("%s: expected %s, counted %s, difference %s%s", c.day, expected,
                                counted, diff, close->supersedes ? " (reopened)" : "");
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "cash-close", object_id, 0, detail, error);
    }
  if (ok && path != NULL)
    {
      c.close = ch_db_cash_close_latest (store, c.day, error);
      ok = c.close != NULL;
      if (ok)
        pdf = close_render (&c, error);
      ok = ok && pdf != NULL && ch_pdf_write_file (pdf, path, _("the daily close"), error)
           && close_audit_entries (&c, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    {
      if (ok && path != NULL)
        g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&close);
}

GPtrArray *
ch_billing_closes (ChSession   *session,
                   const char  *day,
                   GError     **error)
{
  GDate date;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  if (day != NULL && !check_day (day, &date, error))
    return NULL;
  return ch_db_cash_close_list (ch_session_get_store (session), day, error);
}
