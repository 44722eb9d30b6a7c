/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-prescription-pdf"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <math.h>

#include "ch-audit.h"
#include "ch-patient-db.h"
#include "ch-pdf-doc.h"
#include "ch-prescribing.h"
#include "ch-prescription-pdf.h"
#include "ch-records.h"

#define PER_PAGE 3
#define BLOCK_HEIGHT ((CH_PDF_BODY_BOTTOM - CH_PDF_MARGIN) / PER_PAGE)

static char *
date_text (gint64 usec)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y-%m-%d");
}

/* "30 capsules (thirty)" */
static char *
quantity_text (const ChPrescription *rx)
{
  g_autofree char *words = NULL;
  guint64 whole;

  if (isnan (rx->quantity))
    return g_strdup ("—");
  whole = (guint64) llround (rx->quantity);
  if (fabs (rx->quantity - (double) whole) > 1e-9)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup_printf ("%s %s", g_ascii_formatd (buffer, sizeof buffer, "%.2f", rx->quantity),
                              rx->quantity_unit);
    }
  words = ch_number_in_words (whole);
  /* TRANSLATORS: quantity, unit dispensed, the quantity in words: "30 capsule (thirty)" */
  return g_strdup_printf (_("%" PRIu64 " %s (%s)"), whole, rx->quantity_unit, words);
}

typedef struct
{
  char *practice;
  char *address;
} Header;

static void
draw_label_value (ChPdfDoc   *doc,
                  const char *label,
                  const char *value,
                  double      x,
                  double      y,
                  double      width)
{
  double h = ch_pdf_doc_draw (doc, label, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, y, width);

  ch_pdf_doc_draw (doc, value, CH_PDF_BODY_SIZE, TRUE, &ch_pdf_ink, x, y + h, width);
}

static gboolean
draw_prescription (ChPdfDoc             *doc,
                   ChStore              *store,
                   const Header         *header,
                   const ChPrescription *rx,
                   GError              **error)
{
  g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, rx->patient_id, error);
  g_autoptr (ChUserRecord) prescriber = NULL;
  g_autofree char *licence = NULL;
  g_autofree char *name = NULL;
  g_autofree char *drug = NULL;
  g_autofree char *directions = NULL;
  g_autofree char *sig = NULL;
  g_autofree char *quantity = NULL;
  g_autofree char *refills = NULL;
  g_autofree char *refill_words = NULL;
  g_autofree char *date = NULL;
  g_autofree char *prescriber_line = NULL;
  double top = doc->y, x = CH_PDF_MARGIN, w = CH_PDF_BODY_WIDTH, y, h;

  if (patient == NULL)
    return FALSE;
  prescriber = ch_db_user_lookup (store, rx->prescriber, NULL);
  licence = ch_prescribing_get_licence (store, rx->prescriber);

  /* The practice and the prescriber. */
  y = top;
  y += ch_pdf_doc_draw (doc, header->practice, 12, TRUE, &ch_pdf_ink, x, y, w * 0.6);
  if (header->address[0])
    y += ch_pdf_doc_draw (doc, header->address, CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x, y,
                          w * 0.6);
  prescriber_line = g_strdup_printf ("%s\n%s %s",
                                     prescriber && prescriber->display_name[0]
                                     ? prescriber->display_name : rx->prescriber,
                                     _("Licence no."),
                                     licence && licence[0] ? licence : "________________");
  ch_pdf_doc_draw (doc, prescriber_line, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink, x + w * 0.6, top,
                   w * 0.4);
  y += 6;
  ch_pdf_doc_rule (doc, y, &ch_pdf_rule, 0.75);
  y += 6;

  /* The patient. */
  name = ch_patient_record_display_name (patient);
  draw_label_value (doc, _("Patient"), name, x, y, w * 0.6);
  draw_label_value (doc, _("Date of birth"), patient->birth_date ? patient->birth_date : "",
                    x + w * 0.6, y, w * 0.4);
  y += 28;

  /* Rx. */
  ch_pdf_doc_draw (doc, "℞", 20, TRUE, &ch_pdf_ink, x, y - 2, 24);
  drug = g_strdup_printf ("%s %s %s", rx->drug_name, rx->strength, rx->form);
  h = ch_pdf_doc_draw (doc, drug, 12, TRUE, &ch_pdf_ink, x + 28, y, w - 28);
  y += h + 2;
  directions = ch_prescription_sig_text (rx);
  /* TRANSLATORS: the directions on a prescription */
  sig = g_strdup_printf (_("Sig: %s"), directions);
  h = ch_pdf_doc_draw (doc, sig, CH_PDF_BODY_SIZE, FALSE, &ch_pdf_ink, x + 28, y, w - 28);
  y += h + 6;

  quantity = quantity_text (rx);
  refill_words = ch_number_in_words ((guint64) MAX (rx->refills, 0));
  refills = g_strdup_printf ("%d (%s)", rx->refills, refill_words);
  draw_label_value (doc, _("Dispense"), quantity, x + 28, y, (w - 28) * 0.45);
  draw_label_value (doc, _("Refills"), refills, x + 28 + (w - 28) * 0.45, y, (w - 28) * 0.25);
  draw_label_value (doc, _("Substitution"),
                    rx->substitution ? _("permitted") : _("dispense as written"),
                    x + 28 + (w - 28) * 0.7, y, (w - 28) * 0.3);
  y += 30;

  /* Date, number, signature. */
  date = date_text (rx->signed_at);
  draw_label_value (doc, _("Date"), date, x, y, w * 0.25);
  draw_label_value (doc, _("Prescription no."), rx->number, x + w * 0.25, y, w * 0.35);
  cairo_set_source_rgb (doc->cr, 0, 0, 0);
  cairo_set_line_width (doc->cr, 0.6);
  cairo_move_to (doc->cr, x + w * 0.62, y + 22);
  cairo_line_to (doc->cr, x + w, y + 22);
  cairo_stroke (doc->cr);
  ch_pdf_doc_draw (doc, _("Signature"), CH_PDF_SMALL_SIZE, FALSE, &ch_pdf_muted, x + w * 0.62,
                   y + 24, w * 0.38);

  /* A dashed line to cut along. */
  cairo_save (doc->cr);
  cairo_set_dash (doc->cr, (double[]) { 4, 3 }, 2, 0);
  ch_pdf_doc_rule (doc, top + BLOCK_HEIGHT - 8, &ch_pdf_rule, 0.5);
  cairo_restore (doc->cr);

  doc->y = top + BLOCK_HEIGHT;
  return TRUE;
}

static GBytes *
render (ChSession     *session,
        const gint64  *ids,
        guint          n_ids,
        GPtrArray     *numbers,
        GError       **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_prescription_free);
  Header header = { 0 };
  ChPdfDoc doc;
  gboolean ok = TRUE;
  GBytes *pdf;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  if (n_ids == 0)
    {
      g_set_error_literal (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE,
                           _("Choose the prescriptions to print"));
      return NULL;
    }
  for (guint i = 0; i < n_ids; i++)
    {
      ChPrescription *rx = ch_prescribing_get (session, ids[i], error);

      if (rx == NULL)
        return NULL;
      g_ptr_array_add (list, rx);
      if (rx->number == NULL || rx->signed_at == 0)
        {
          g_set_error_literal (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE,
                               _("Only signed prescriptions can be printed"));
          return NULL;
        }
      /* A print-out is something to dispense from: never one stopped or replaced. */
      if (!g_str_equal (rx->state, "signed"))
        {
          g_set_error (error, CH_PRESCRIBING_ERROR, CH_PRESCRIBING_ERROR_STATE,
                       _("Prescription %s was stopped or replaced and can no longer be printed"),
                       rx->number);
          return NULL;
        }
      g_ptr_array_add (numbers, g_strdup (rx->number));
    }

  header.practice = ch_session_get_practice_name (session);
  header.address = ch_db_setting_get (store, "practice.address", NULL);
  if (header.address == NULL)
    header.address = g_strdup ("");

  ch_pdf_doc_begin (&doc, _("Prescriptions"), NULL);
  for (guint i = 0; i < list->len && ok; i++)
    {
      if (i > 0 && i % PER_PAGE == 0)
        {
          cairo_show_page (doc.cr);
          doc.page++;
          doc.y = CH_PDF_MARGIN;
        }
      ok = draw_prescription (&doc, store, &header, list->pdata[i], error);
    }
  pdf = ch_pdf_doc_finish (&doc, ok, error);

  g_free (header.practice);
  g_free (header.address);
  return pdf;
}

/* One entry a prescription, all or none. */
static gboolean
audit_prints (ChSession  *session,
              const gint64 *ids,
              GPtrArray  *numbers,
              GError    **error)
{
  ChStore *store = ch_session_get_store (session);

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < numbers->len; i++)
    {
      g_autoptr (ChPrescription) rx = ch_prescribing_get (session, ids[i], error);

      if (rx == NULL
          || !ch_session_audit (session, CH_AUDIT_PRINT, "prescription", numbers->pdata[i],
                                rx->patient_id, "prescription PDF", error))
        {
          ch_store_rollback (store);
          return FALSE;
        }
    }
  if (!ch_store_commit (store, error))
    {
      ch_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GBytes *
ch_prescription_pdf_render (ChSession     *session,
                            const gint64  *prescription_ids,
                            guint          n_ids,
                            GError       **error)
{
  g_autoptr (GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  pdf = render (session, prescription_ids, n_ids, numbers, error);
  if (pdf == NULL || !audit_prints (session, prescription_ids, numbers, error))
    return NULL;
  return g_steal_pointer (&pdf);
}

gboolean
ch_prescription_pdf_write (ChSession     *session,
                           const gint64  *prescription_ids,
                           guint          n_ids,
                           const char    *path,
                           GError       **error)
{
  g_autoptr (GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GBytes) pdf = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pdf = render (session, prescription_ids, n_ids, numbers, error);
  if (pdf == NULL || !ch_pdf_write_file (pdf, path, _("the prescriptions"), error))
    return FALSE;
  /* No print-out exists that the audit does not know of. */
  if (!audit_prints (session, prescription_ids, numbers, error))
    {
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}
