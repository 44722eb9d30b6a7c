/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-x12-835"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-x12-835.h"

/* CAS carries at most six group/reason/amount/quantity runs: CAS02–CAS19. */
#define MAX_CAS_TRIPLES 6
/* PLB carries at most six reason/amount pairs: PLB03–PLB14. */
#define MAX_PLB_PAIRS 6

static void
adjustment_clear (gpointer data)
{
  ChX12Adjustment *adj = data;

  g_free (adj->group);
  g_free (adj->reason);
  g_free (adj->quantity);
}

static void
provider_adjustment_clear (gpointer data)
{
  ChX12ProviderAdjustment *adj = data;

  g_free (adj->provider_id);
  g_free (adj->date);
  g_free (adj->reason);
  g_free (adj->reference);
}

static GArray *
adjustments_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (ChX12Adjustment));

  g_array_set_clear_func (array, adjustment_clear);
  return array;
}

static void
service_free (gpointer data)
{
  ChX12ServicePayment *svc = data;

  g_free (svc->qualifier);
  g_free (svc->procedure);
  g_free (svc->modifiers);
  g_free (svc->units);
  g_free (svc->date);
  g_array_unref (svc->adjustments);
  g_free (svc);
}

static void
claim_free (gpointer data)
{
  ChX12ClaimPayment *claim = data;

  g_free (claim->claim_id);
  g_free (claim->status);
  g_free (claim->filing_indicator);
  g_free (claim->payer_control);
  g_free (claim->patient_last_name);
  g_free (claim->patient_first_name);
  g_array_unref (claim->adjustments);
  g_ptr_array_unref (claim->services);
  g_free (claim);
}

void
ch_x12_remittance_free (ChX12Remittance *r)
{
  if (r == NULL)
    return;
  g_free (r->handling);
  g_free (r->credit_debit);
  g_free (r->method);
  g_free (r->payment_date);
  g_free (r->trace_number);
  g_free (r->trace_originator);
  g_free (r->payer_name);
  g_free (r->payer_id);
  g_free (r->payee_name);
  g_free (r->payee_id);
  g_clear_pointer (&r->claims, g_ptr_array_unref);
  g_clear_pointer (&r->provider_adjustments, g_array_unref);
  g_free (r);
}

static gboolean
get_amount (const ChX12Segment  *seg,
            guint                index,
            gboolean             required,
            gint64              *out,
            GError             **error)
{
  const char *text = ch_x12_segment_get (seg, index);

  *out = 0;
  if (*text == '\0' && !required)
    return TRUE;
  if (*text == '\0')
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %u (%s): %s%02u, an amount, is missing"),
                   seg->position, seg->elements[0], seg->elements[0], index);
      return FALSE;
    }
  if (!ch_x12_parse_amount (text, out))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("Segment %u (%s): %s%02u “%s” is not an amount"),
                   seg->position, seg->elements[0], seg->elements[0], index, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_required (const ChX12Segment  *seg,
              guint                index,
              char               **out,
              GError             **error)
{
  const char *text = ch_x12_segment_get (seg, index);

  if (*text == '\0')
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %u (%s): %s%02u is required"),
                   seg->position, seg->elements[0], seg->elements[0], index);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (text);
  return TRUE;
}

static gboolean
parse_cas (const ChX12Segment  *seg,
           GArray              *into,
           GError             **error)
{
  const char *group = ch_x12_segment_get (seg, 1);
  static const char * const groups[] = { "CO", "CR", "OA", "PI", "PR", NULL };

  if (!g_strv_contains (groups, group))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("Segment %u (CAS): “%s” is not a claim adjustment group code (CO, CR, OA, PI or PR)"),
                   seg->position, group);
      return FALSE;
    }
  if (seg->n_elements > 2 + MAX_CAS_TRIPLES * 3)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("Segment %u (CAS): more than six adjustments in one segment"), seg->position);
      return FALSE;
    }
  for (guint t = 0; t < MAX_CAS_TRIPLES; t++)
    {
      guint at = 2 + t * 3;
      const char *reason = ch_x12_segment_get (seg, at);
      ChX12Adjustment adj = { 0 };

      if (*reason == '\0')
        {
          if (t == 0)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                           _("Segment %u (CAS): CAS02, the reason code, is required"), seg->position);
              return FALSE;
            }
          if (*ch_x12_segment_get (seg, at + 1) != '\0')
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                           _("Segment %u (CAS): CAS%02u has an amount but no reason code"),
                           seg->position, at + 1);
              return FALSE;
            }
          continue;
        }
      if (!get_amount (seg, at + 1, TRUE, &adj.amount, error))
        return FALSE;
      adj.group = g_strdup (group);
      adj.reason = g_strdup (reason);
      adj.quantity = g_strdup (ch_x12_segment_get (seg, at + 2));
      g_array_append_val (into, adj);
    }
  return TRUE;
}

static gboolean
parse_plb (const ChX12Document *doc,
           const ChX12Segment  *seg,
           ChX12Remittance     *r,
           GError             **error)
{
  g_autofree char *provider = NULL;
  g_autofree char *date = NULL;

  if (!get_required (seg, 1, &provider, error) || !get_required (seg, 2, &date, error))
    return FALSE;
  if (seg->n_elements > 3 + MAX_PLB_PAIRS * 2 || seg->n_elements < 5)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("Segment %u (PLB): it must hold one to six adjustment and amount pairs"),
                   seg->position);
      return FALSE;
    }
  for (guint at = 3; at < seg->n_elements; at += 2)
    {
      ChX12ProviderAdjustment adj = { 0 };
      g_autofree char *reason = ch_x12_segment_get_component (doc, seg, at, 1);

      if (*reason == '\0')
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                       _("Segment %u (PLB): PLB%02u, the adjustment reason, is missing"),
                       seg->position, at);
          return FALSE;
        }
      if (!get_amount (seg, at + 1, TRUE, &adj.amount, error))
        return FALSE;
      adj.provider_id = g_strdup (provider);
      adj.date = g_strdup (date);
      adj.reason = g_steal_pointer (&reason);
      adj.reference = ch_x12_segment_get_component (doc, seg, at, 2);
      g_array_append_val (r->provider_adjustments, adj);
    }
  return TRUE;
}

static gboolean
parse_clp (const ChX12Segment  *seg,
           ChX12ClaimPayment   *claim,
           GError             **error)
{
  static const char * const statuses[] = { "1", "2", "3", "4", "19", "20", "21", "22", "23", "25", NULL };

  if (!get_required (seg, 1, &claim->claim_id, error)
      || !get_required (seg, 2, &claim->status, error)
      || !get_amount (seg, 3, TRUE, &claim->charge, error)
      || !get_amount (seg, 4, TRUE, &claim->paid, error)
      || !get_amount (seg, 5, FALSE, &claim->patient_responsibility, error)
      || !get_required (seg, 6, &claim->filing_indicator, error)
      || !get_required (seg, 7, &claim->payer_control, error))
    return FALSE;
  if (!g_strv_contains (statuses, claim->status))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("Segment %u (CLP): “%s” is not a claim status code (CLP02)"),
                   seg->position, claim->status);
      return FALSE;
    }
  return TRUE;
}

/* Parses the transaction set from @seg_index (its ST) to its SE, which the
 * envelope check has already found. */
static ChX12Remittance *
parse_set (const ChX12Document  *doc,
           guint                *seg_index,
           GError              **error)
{
  g_autoptr(ChX12Remittance) r = g_new0 (ChX12Remittance, 1);
  GPtrArray *segs = doc->segments;
  ChX12ClaimPayment *claim = NULL;
  ChX12ServicePayment *svc = NULL;
  const char *loop = "";  /* the N1 loop being read: "PR" or "PE" */
  const ChX12Segment *st = g_ptr_array_index (segs, *seg_index);
  const ChX12Segment *bpr = NULL;
  gint64 sum = 0;

  r->claims = g_ptr_array_new_with_free_func (claim_free);
  r->provider_adjustments = g_array_new (FALSE, TRUE, sizeof (ChX12ProviderAdjustment));
  g_array_set_clear_func (r->provider_adjustments, provider_adjustment_clear);

  for ((*seg_index)++; *seg_index < segs->len; (*seg_index)++)
    {
      const ChX12Segment *seg = g_ptr_array_index (segs, *seg_index);
      const char *id = seg->elements[0];

      if (g_str_equal (id, "SE"))
        break;

      if (bpr == NULL && !g_str_equal (id, "BPR"))
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                       _("Segment %u (%s): an 835 must begin with a BPR segment after its ST"),
                       seg->position, id);
          return NULL;
        }

      if (g_str_equal (id, "BPR"))
        {
          if (bpr != NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                           _("Segment %u (BPR): an 835 holds only one BPR segment"), seg->position);
              return NULL;
            }
          bpr = seg;
          if (!get_required (seg, 1, &r->handling, error)
              || !get_amount (seg, 2, TRUE, &r->payment, error)
              || !get_required (seg, 3, &r->credit_debit, error)
              || !get_required (seg, 4, &r->method, error)
              || !get_required (seg, 16, &r->payment_date, error))
            return NULL;
        }
      else if (g_str_equal (id, "TRN"))
        {
          if (!get_required (seg, 2, &r->trace_number, error)
              || !get_required (seg, 3, &r->trace_originator, error))
            return NULL;
        }
      else if (g_str_equal (id, "N1") && claim == NULL)
        {
          loop = g_str_equal (ch_x12_segment_get (seg, 1), "PR") ? "PR"
                 : g_str_equal (ch_x12_segment_get (seg, 1), "PE") ? "PE" : "";
          if (g_str_equal (loop, "PR"))
            {
              if (!get_required (seg, 2, &r->payer_name, error))
                return NULL;
            }
          else if (g_str_equal (loop, "PE"))
            {
              if (!get_required (seg, 2, &r->payee_name, error))
                return NULL;
              g_free (r->payee_id);
              r->payee_id = g_strdup (ch_x12_segment_get (seg, 4));
            }
        }
      else if (g_str_equal (id, "REF") && claim == NULL && g_str_equal (loop, "PR")
               && g_str_equal (ch_x12_segment_get (seg, 1), "2U"))
        {
          if (!get_required (seg, 2, &r->payer_id, error))
            return NULL;
        }
      else if (g_str_equal (id, "CLP"))
        {
          claim = g_new0 (ChX12ClaimPayment, 1);
          claim->adjustments = adjustments_new ();
          claim->services = g_ptr_array_new_with_free_func (service_free);
          g_ptr_array_add (r->claims, claim);
          svc = NULL;
          if (!parse_clp (seg, claim, error))
            return NULL;
          sum += claim->paid;
        }
      else if (g_str_equal (id, "CAS"))
        {
          if (claim == NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                           _("Segment %u (CAS): an adjustment before any claim (CLP)"), seg->position);
              return NULL;
            }
          if (!parse_cas (seg, svc != NULL ? svc->adjustments : claim->adjustments, error))
            return NULL;
        }
      else if (g_str_equal (id, "NM1") && claim != NULL && svc == NULL
               && g_str_equal (ch_x12_segment_get (seg, 1), "QC"))
        {
          g_free (claim->patient_last_name);
          g_free (claim->patient_first_name);
          claim->patient_last_name = g_strdup (ch_x12_segment_get (seg, 3));
          claim->patient_first_name = g_strdup (ch_x12_segment_get (seg, 4));
        }
      else if (g_str_equal (id, "SVC"))
        {
          g_autoptr(GString) modifiers = g_string_new (NULL);

          if (claim == NULL)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                           _("Segment %u (SVC): a service line before any claim (CLP)"), seg->position);
              return NULL;
            }
          svc = g_new0 (ChX12ServicePayment, 1);
          svc->adjustments = adjustments_new ();
          g_ptr_array_add (claim->services, svc);
          svc->qualifier = ch_x12_segment_get_component (doc, seg, 1, 1);
          svc->procedure = ch_x12_segment_get_component (doc, seg, 1, 2);
          for (guint c = 3; c <= 6; c++)
            {
              g_autofree char *mod = ch_x12_segment_get_component (doc, seg, 1, c);

              if (*mod == '\0')
                break;
              if (modifiers->len > 0)
                g_string_append_c (modifiers, ':');
              g_string_append (modifiers, mod);
            }
          svc->modifiers = g_string_free (g_steal_pointer (&modifiers), FALSE);
          svc->units = g_strdup (ch_x12_segment_get (seg, 5));
          svc->date = g_strdup ("");
          if (*svc->procedure == '\0')
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                           _("Segment %u (SVC): SVC01 must name the procedure"), seg->position);
              return NULL;
            }
          if (!get_amount (seg, 2, TRUE, &svc->charge, error)
              || !get_amount (seg, 3, TRUE, &svc->paid, error))
            return NULL;
        }
      else if (g_str_equal (id, "DTM") && svc != NULL
               && g_str_equal (ch_x12_segment_get (seg, 1), "472"))
        {
          if (!get_required (seg, 2, &svc->date, error))
            return NULL;
        }
      else if (g_str_equal (id, "PLB"))
        {
          /* PLB is in the summary, after every claim. */
          claim = NULL;
          svc = NULL;
          if (!parse_plb (doc, seg, r, error))
            return NULL;
        }
      else if (g_str_equal (id, "LX"))
        {
          /* A new header number: what follows belongs to new claims. */
          claim = NULL;
          svc = NULL;
        }
    }

  if (bpr == NULL)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %u (ST): the 835 has no BPR segment"), st->position);
      return NULL;
    }
  if (r->trace_number == NULL)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %u (ST): the 835 has no TRN trace number"), st->position);
      return NULL;
    }
  if (r->payer_name == NULL || r->payee_name == NULL)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("Segment %u (ST): the 835 does not name its payer and payee (N1*PR, N1*PE)"),
                   st->position);
      return NULL;
    }
  if (r->payer_id == NULL)
    r->payer_id = g_strdup (r->trace_originator);

  /* The payment is what the claims were paid less what the payer takes
   * back at the provider level (a positive PLB amount lowers it). */
  for (guint i = 0; i < r->provider_adjustments->len; i++)
    sum -= g_array_index (r->provider_adjustments, ChX12ProviderAdjustment, i).amount;
  if (sum != r->payment)
    {
      g_autofree char *paid = ch_x12_format_amount (r->payment);
      g_autofree char *expected = ch_x12_format_amount (sum);

      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TOTALS,
                   _("Segment %u (BPR): the payment BPR02 %s does not equal the claims paid (CLP04) less the provider adjustments (PLB), %s"),
                   bpr->position, paid, expected);
      return NULL;
    }
  return g_steal_pointer (&r);
}

GPtrArray *
ch_x12_835_parse (const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  g_autoptr(ChX12Document) doc = NULL;
  g_autoptr(GPtrArray) result = NULL;

  doc = ch_x12_document_parse (data, len, error);
  if (doc == NULL)
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_x12_remittance_free);
  for (guint i = 0; i < doc->segments->len; i++)
    {
      const ChX12Segment *seg = g_ptr_array_index (doc->segments, i);
      ChX12Remittance *r;

      if (!ch_x12_segment_is (seg, "ST"))
        continue;
      if (!g_str_equal (ch_x12_segment_get (seg, 1), "835"))
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_WRONG_TYPE,
                       _("Segment %u (ST): this is an X12 %s, not an 835 remittance advice"),
                       seg->position, ch_x12_segment_get (seg, 1));
          return NULL;
        }
      r = parse_set (doc, &i, error);
      if (r == NULL)
        return NULL;
      g_ptr_array_add (result, r);
    }
  if (result->len == 0)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_WRONG_TYPE,
                   _("The interchange holds no 835 transaction set"));
      return NULL;
    }
  return g_steal_pointer (&result);
}
