/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-x12-837p"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ch-x12-837p.h"

/* The guide's limits (005010X222A1): HI holds 12 diagnoses, a claim 50
 * service lines, SV107 four pointers. */
#define MAX_DIAGNOSES 12
#define MAX_LINES     50

static gboolean
is_empty (const char *s)
{
  return s == NULL || *s == '\0';
}

static const char *
or_empty (const char *s)
{
  return s != NULL ? s : "";
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

gboolean
ch_x12_npi_is_valid (const char *npi)
{
  /* The NPI check digit is the Luhn digit of the 15-digit number that
   * has the health-industry prefix 80840 in front. */
  g_autofree char *full = NULL;
  guint sum = 0;
  gsize len;

  if (!all_digits (npi, 10))
    return FALSE;
  full = g_strconcat ("80840", npi, NULL);
  len = strlen (full);
  for (gsize i = 0; i < len; i++)
    {
      guint digit = full[len - 1 - i] - '0';

      if (i % 2 == 1)
        {
          digit *= 2;
          if (digit > 9)
            digit -= 9;
        }
      sum += digit;
    }
  return sum % 10 == 0;
}

static gboolean
require (const char  *value,
         const char  *where,
         const char  *field,
         GError     **error)
{
  if (!is_empty (value))
    return TRUE;
  g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
               _("%s: %s is required"), where, field);
  return FALSE;
}

static gboolean
check_date (const char  *value,
            const char  *where,
            const char  *field,
            GError     **error)
{
  if (!require (value, where, field, error))
    return FALSE;
  if (all_digits (value, 8))
    {
      int y = (value[0] - '0') * 1000 + (value[1] - '0') * 100 + (value[2] - '0') * 10 + (value[3] - '0');
      int m = (value[4] - '0') * 10 + (value[5] - '0');
      int d = (value[6] - '0') * 10 + (value[7] - '0');

      if (g_date_valid_dmy (d, m, y))
        return TRUE;
    }
  g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
               _("%s: %s “%s” is not a date of the form CCYYMMDD"), where, field, value);
  return FALSE;
}

static gboolean
check_npi (const char  *npi,
           const char  *where,
           const char  *field,
           GError     **error)
{
  if (!require (npi, where, field, error))
    return FALSE;
  if (ch_x12_npi_is_valid (npi))
    return TRUE;
  g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
               _("%s: %s “%s” is not a valid NPI (ten digits with a correct check digit)"),
               where, field, npi);
  return FALSE;
}

static gboolean check_address (const ChX12Name  *name,
                               const char       *where,
                               GError          **error);

static gboolean
check_name (const ChX12Name  *name,
            const char       *where,
            gboolean          need_address,
            GError          **error)
{
  if (is_empty (name->organization) && !require (name->last_name, where, _("the last name"), error))
    return FALSE;
  if (!need_address && is_empty (name->address1))
    return TRUE;
  return check_address (name, where, error);
}

static gboolean
check_address (const ChX12Name  *name,
               const char       *where,
               GError          **error)
{
  return require (name->address1, where, _("the address"), error)
         && require (name->city, where, _("the city"), error)
         && require (name->state, where, _("the state"), error)
         && require (name->zip, where, _("the ZIP code"), error);
}

static gboolean
check_sex (const char  *sex,
           const char  *where,
           GError     **error)
{
  if (g_strcmp0 (sex, "F") == 0 || g_strcmp0 (sex, "M") == 0 || g_strcmp0 (sex, "U") == 0)
    return TRUE;
  g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
               _("%s: the sex must be F, M or U"), where);
  return FALSE;
}

/* Loop 2310A (@referring) or 2310B. The two roles are spelt out in full so
 * that translators get whole phrases. */
static gboolean
check_provider (const ChX12Provider  *provider,
                const char           *where,
                gboolean              referring,
                GError              **error)
{
  if (provider == NULL)
    return TRUE;
  return require (provider->last_name, where,
                  referring ? _("the referring provider’s last name")
                            : _("the rendering provider’s last name"), error)
         && check_npi (provider->npi, where,
                       referring ? _("the referring provider’s NPI")
                                 : _("the rendering provider’s NPI"), error);
}

static gboolean
check_claim (const ChX12Claim  *claim,
             GError           **error)
{
  g_autofree char *where = NULL;
  guint n_diagnoses;
  gint64 sum = 0;

  if (is_empty (claim->claim_id))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("A claim has no claim id (CLM01)"));
      return FALSE;
    }
  where = g_strdup_printf (_("Claim “%s”"), claim->claim_id);
  if (strlen (claim->claim_id) > 20)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: the claim id must be at most 20 characters (CLM01)"), where);
      return FALSE;
    }
  if (!require (claim->place_of_service, where, _("the place of service (CLM05-1)"), error)
      || !require (claim->frequency, where, _("the claim frequency code (CLM05-3)"), error)
      || !require (claim->assignment, where, _("the assignment of benefits (CLM07)"), error)
      || !require (claim->release_of_info, where, _("the release of information code (CLM09)"), error))
    return FALSE;

  if (strlen (claim->place_of_service) != 2 || !g_ascii_isdigit (claim->place_of_service[0])
      || !g_ascii_isdigit (claim->place_of_service[1]))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: the place of service (CLM05-1) must be a two-digit code"), where);
      return FALSE;
    }
  if (!g_strv_contains ((const char * const[]) { "1", "7", "8", NULL }, claim->frequency))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: the claim frequency code (CLM05-3) must be 1 (original), 7 (replacement) or 8 (void)"),
                   where);
      return FALSE;
    }
  /* A replacement or a void names the payer's number for the claim it
   * replaces (REF*F8). */
  if (!g_str_equal (claim->frequency, "1")
      && !require (claim->payer_claim_number, where, _("the payer’s claim number of the claim replaced or voided (REF*F8)"), error))
    return FALSE;
  if (!g_strv_contains ((const char * const[]) { "A", "B", "C", NULL }, claim->assignment)
      || !g_strv_contains ((const char * const[]) { "I", "Y", NULL }, claim->release_of_info))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: the assignment code (CLM07) must be A, B or C and the release of information code (CLM09) I or Y"),
                   where);
      return FALSE;
    }

  n_diagnoses = claim->diagnoses != NULL ? g_strv_length ((char **) claim->diagnoses) : 0;
  if (n_diagnoses == 0 || n_diagnoses > MAX_DIAGNOSES)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: a claim needs 1 to %u diagnosis codes (HI), not %u"),
                   where, MAX_DIAGNOSES, n_diagnoses);
      return FALSE;
    }
  for (guint i = 0; i < n_diagnoses; i++)
    {
      const char *code = claim->diagnoses[i];

      if (*code == '\0' || strchr (code, '.') != NULL || strlen (code) > 7)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                       _("%s: diagnosis %u “%s” must be an ICD-10-CM code without its dot"),
                       where, i + 1, code);
          return FALSE;
        }
    }

  if (!check_provider (claim->referring, where, TRUE, error)
      || !check_provider (claim->rendering, where, FALSE, error))
    return FALSE;

  if (claim->n_lines == 0 || claim->n_lines > MAX_LINES)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("%s: a claim needs 1 to %u service lines, not %u"),
                   where, MAX_LINES, claim->n_lines);
      return FALSE;
    }
  for (guint i = 0; i < claim->n_lines; i++)
    {
      const ChX12ServiceLine *line = &claim->lines[i];
      g_autofree char *line_where = g_strdup_printf (_("Claim “%s”, line %u"), claim->claim_id, i + 1);

      if (!require (line->procedure, line_where, _("the procedure code (SV101-2)"), error)
          || !check_date (line->date, line_where, _("the service date (DTP*472)"), error))
        return FALSE;
      if (line->charge <= 0 || line->units == 0)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                       _("%s: the charge and the units must be above zero (SV102, SV104)"), line_where);
          return FALSE;
        }
      if (line->pointers[0] == 0)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                       _("%s: at least one diagnosis pointer is required (SV107)"), line_where);
          return FALSE;
        }
      for (guint p = 0; p < 4 && line->pointers[p] != 0; p++)
        {
          if (line->pointers[p] > n_diagnoses)
            {
              g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                           _("%s: diagnosis pointer %u points past the claim’s %u diagnoses (SV107)"),
                           line_where, line->pointers[p], n_diagnoses);
              return FALSE;
            }
        }
      sum += line->charge;
    }

  if (sum != claim->total_charge)
    {
      g_autofree char *total = ch_x12_format_amount (claim->total_charge);
      g_autofree char *lines = ch_x12_format_amount (sum);

      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_TOTALS,
                   _("%s: the total charge %s (CLM02) is not the sum of its service lines, %s"),
                   where, total, lines);
      return FALSE;
    }
  return TRUE;
}

gboolean
ch_x12_837p_validate (const ChX12Batch  *batch,
                      GError           **error)
{
  const char *where = _("The claim file");

  g_return_val_if_fail (batch != NULL, FALSE);

  if (!require (batch->sender_id, where, _("the sender id (ISA06)"), error)
      || !require (batch->receiver_id, where, _("the receiver id (ISA08)"), error)
      || !check_date (batch->date, where, _("the date"), error)
      || !require (batch->time, where, _("the time"), error)
      || !require (batch->transaction_control, where, _("the transaction set control number (ST02)"), error)
      || !require (batch->reference, where, _("the reference (BHT03)"), error)
      || !require (batch->submitter_name, where, _("the submitter name (loop 1000A)"), error)
      || !require (batch->submitter_id, where, _("the submitter id (loop 1000A)"), error)
      || !require (batch->contact_phone, where, _("the submitter’s contact telephone (PER)"), error)
      || !require (batch->receiver_name, where, _("the receiver name (loop 1000B)"), error)
      || !require (batch->receiver_etin, where, _("the receiver id (loop 1000B)"), error)
      || !require (batch->payer_name, where, _("the payer name (loop 2010BB)"), error)
      || !require (batch->payer_id, where, _("the payer id (loop 2010BB)"), error))
    return FALSE;
  if (batch->interchange_control == 0 || batch->group_control == 0)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("The claim file: the interchange and group control numbers (ISA13, GS06) are required"));
      return FALSE;
    }

  where = _("The billing provider");
  if (!check_name (&batch->billing, where, TRUE, error)
      || !check_npi (batch->billing_npi, where, _("the NPI"), error))
    return FALSE;
  if (!all_digits (batch->billing_tax_id, 9))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("The billing provider: the tax id (EIN) must be nine digits without a dash"));
      return FALSE;
    }
  /* The guide wants a street address for the billing provider, not a
   * post office box; that it cannot check. */
  if (!all_digits (batch->billing.zip, 9))
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID,
                   _("The billing provider: the ZIP code must be the nine-digit ZIP+4"));
      return FALSE;
    }
  if (batch->pay_to != NULL && !check_address (batch->pay_to, _("The pay-to address"), error))
    return FALSE;

  if (batch->n_subscribers == 0)
    {
      g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                   _("The claim file holds no claims"));
      return FALSE;
    }
  for (guint s = 0; s < batch->n_subscribers; s++)
    {
      const ChX12Subscriber *sub = &batch->subscribers[s];
      g_autofree char *sub_where = NULL;

      sub_where = g_strdup_printf (_("Subscriber %s"), or_empty (sub->member_id));
      if (!require (sub->member_id, sub_where, _("the member id"), error)
          || !require (sub->payer_responsibility, sub_where, _("the payer responsibility (SBR01)"), error)
          || !require (sub->claim_filing, sub_where, _("the claim filing indicator (SBR09)"), error)
          || !check_name (&sub->subscriber, sub_where, sub->patient == NULL, error))
        return FALSE;
      if (sub->patient == NULL)
        {
          if (!check_date (sub->birth_date, sub_where, _("the birth date"), error)
              || !check_sex (sub->sex, sub_where, error))
            return FALSE;
        }
      else
        {
          g_autofree char *pat_where = g_strdup_printf (_("The patient of subscriber %s"), sub->member_id);

          if (!check_name (sub->patient, pat_where, TRUE, error)
              || !require (sub->patient_relationship, pat_where, _("the relationship to the subscriber (PAT01)"), error)
              || !check_date (sub->patient_birth_date, pat_where, _("the birth date"), error)
              || !check_sex (sub->patient_sex, pat_where, error))
            return FALSE;
        }
      if (sub->n_claims == 0)
        {
          g_set_error (error, CH_X12_ERROR, CH_X12_ERROR_MISSING,
                       _("%s: no claims"), sub_where);
          return FALSE;
        }
      for (guint c = 0; c < sub->n_claims; c++)
        if (!check_claim (&sub->claims[c], error))
          return FALSE;
    }
  return TRUE;
}

static void
write_name (ChX12Writer     *w,
            const char      *entity,
            const ChX12Name *name,
            const char      *id_qualifier,
            const char      *id)
{
  gboolean org = !is_empty (name->organization);

  ch_x12_writer_segment (w, "NM1", entity, org ? "2" : "1",
                         org ? name->organization : name->last_name,
                         org ? "" : or_empty (name->first_name),
                         org ? "" : or_empty (name->middle_name), "",
                         org ? "" : or_empty (name->suffix),
                         is_empty (id) ? "" : id_qualifier, or_empty (id), NULL);
}

static void
write_address (ChX12Writer     *w,
               const ChX12Name *name)
{
  if (is_empty (name->address1))
    return;
  ch_x12_writer_segment (w, "N3", name->address1, or_empty (name->address2), NULL);
  ch_x12_writer_segment (w, "N4", name->city, name->state, name->zip, NULL);
}

static void
write_provider (ChX12Writer         *w,
                const char          *entity,
                const ChX12Provider *provider)
{
  if (provider == NULL)
    return;
  ch_x12_writer_segment (w, "NM1", entity, "1", provider->last_name,
                         or_empty (provider->first_name), "", "", "", "XX", provider->npi, NULL);
}

static void
write_claim (ChX12Writer      *w,
             const ChX12Claim *claim)
{
  const char *hi[MAX_DIAGNOSES + 1] = { NULL };
  guint n_diagnoses = g_strv_length ((char **) claim->diagnoses);

  ch_x12_writer_segment (w, "CLM", claim->claim_id,
                         ch_x12_writer_amount (w, claim->total_charge), "", "",
                         ch_x12_writer_composite (w, claim->place_of_service, "B", claim->frequency, NULL),
                         claim->provider_signature ? "Y" : "N",
                         claim->assignment,
                         claim->benefits_assigned ? "Y" : "N",
                         claim->release_of_info, NULL);

  if (!g_str_equal (claim->frequency, "1"))
    ch_x12_writer_segment (w, "REF", "F8", claim->payer_claim_number, NULL);

  /* HI01 is the principal diagnosis (ABK), the rest ABF; unused
   * positions stay NULL and end the element list. */
  for (guint i = 0; i < n_diagnoses; i++)
    hi[i] = ch_x12_writer_composite (w, i == 0 ? "ABK" : "ABF", claim->diagnoses[i], NULL);
  ch_x12_writer_segment (w, "HI", hi[0], hi[1], hi[2], hi[3], hi[4], hi[5], hi[6], hi[7],
                         hi[8], hi[9], hi[10], hi[11], NULL);

  write_provider (w, "DN", claim->referring);
  write_provider (w, "82", claim->rendering);

  for (guint i = 0; i < claim->n_lines; i++)
    {
      const ChX12ServiceLine *line = &claim->lines[i];
      char pointers[4][4] = { "", "", "", "" };

      for (guint p = 0; p < 4 && line->pointers[p] != 0; p++)
        g_snprintf (pointers[p], sizeof pointers[p], "%u", line->pointers[p]);

      ch_x12_writer_segment (w, "LX", ch_x12_writer_uint (w, i + 1), NULL);
      ch_x12_writer_segment (w, "SV1",
                             ch_x12_writer_composite (w, "HC", line->procedure,
                                                      or_empty (line->modifiers[0]),
                                                      or_empty (line->modifiers[1]),
                                                      or_empty (line->modifiers[2]),
                                                      or_empty (line->modifiers[3]), NULL),
                             ch_x12_writer_amount (w, line->charge), "UN",
                             ch_x12_writer_uint (w, line->units), "", "",
                             ch_x12_writer_composite (w, pointers[0], pointers[1],
                                                      pointers[2], pointers[3], NULL),
                             NULL);
      ch_x12_writer_segment (w, "DTP", "472", "D8", line->date, NULL);
    }
}

GBytes *
ch_x12_837p_build (const ChX12Batch  *batch,
                   gboolean           line_breaks,
                   GError           **error)
{
  g_autoptr(ChX12Writer) w = NULL;
  guint hl = 0;

  g_return_val_if_fail (batch != NULL, NULL);

  if (!ch_x12_837p_validate (batch, error))
    return NULL;

  w = ch_x12_writer_new (NULL, line_breaks);
  ch_x12_writer_begin_interchange (w, or_empty (batch->sender_qualifier), batch->sender_id,
                                   or_empty (batch->receiver_qualifier), batch->receiver_id,
                                   batch->date, batch->time, batch->interchange_control,
                                   FALSE, batch->test ? 'T' : 'P');
  ch_x12_writer_begin_group (w, "HC", batch->sender_id, batch->receiver_id, batch->date,
                             batch->time, batch->group_control, "005010X222A1");
  ch_x12_writer_begin_transaction (w, "837", batch->transaction_control, "005010X222A1");
  /* 0019: original; 00: original transmission; CH: chargeable claims. */
  ch_x12_writer_segment (w, "BHT", "0019", "00", batch->reference, batch->date, batch->time,
                         "CH", NULL);

  /* 1000A submitter, 1000B receiver. */
  ch_x12_writer_segment (w, "NM1", "41", "2", batch->submitter_name, "", "", "", "", "46",
                         batch->submitter_id, NULL);
  ch_x12_writer_segment (w, "PER", "IC", or_empty (batch->contact_name), "TE",
                         batch->contact_phone, NULL);
  ch_x12_writer_segment (w, "NM1", "40", "2", batch->receiver_name, "", "", "", "", "46",
                         batch->receiver_etin, NULL);

  /* 2000A billing provider: the root of the HL tree. */
  ch_x12_writer_segment (w, "HL", "1", "", "20", "1", NULL);
  hl = 1;
  if (!is_empty (batch->billing_taxonomy))
    ch_x12_writer_segment (w, "PRV", "BI", "PXC", batch->billing_taxonomy, NULL);
  write_name (w, "85", &batch->billing, "XX", batch->billing_npi);
  write_address (w, &batch->billing);
  ch_x12_writer_segment (w, "REF", "EI", batch->billing_tax_id, NULL);
  if (batch->pay_to != NULL)
    {
      /* 2010AB carries only an address; NM103 is not used. */
      ch_x12_writer_segment (w, "NM1", "87", "2", NULL);
      write_address (w, batch->pay_to);
    }

  for (guint s = 0; s < batch->n_subscribers; s++)
    {
      const ChX12Subscriber *sub = &batch->subscribers[s];
      gboolean self = sub->patient == NULL;
      guint sub_hl = ++hl;

      /* 2000B: HL04 says whether a 2000C patient level follows. */
      ch_x12_writer_segment (w, "HL", ch_x12_writer_uint (w, sub_hl), "1", "22",
                             self ? "0" : "1", NULL);
      ch_x12_writer_segment (w, "SBR", sub->payer_responsibility, self ? "18" : "",
                             or_empty (sub->group_number), "", "", "", "", "",
                             sub->claim_filing, NULL);
      write_name (w, "IL", &sub->subscriber, "MI", sub->member_id);
      write_address (w, &sub->subscriber);
      if (self)
        ch_x12_writer_segment (w, "DMG", "D8", sub->birth_date, sub->sex, NULL);
      ch_x12_writer_segment (w, "NM1", "PR", "2", batch->payer_name, "", "", "", "", "PI",
                             batch->payer_id, NULL);

      if (!self)
        {
          ch_x12_writer_segment (w, "HL", ch_x12_writer_uint (w, ++hl),
                                 ch_x12_writer_uint (w, sub_hl), "23", "0", NULL);
          ch_x12_writer_segment (w, "PAT", sub->patient_relationship, NULL);
          /* 2010CA: the patient has no id of its own in 5010. */
          write_name (w, "QC", sub->patient, NULL, NULL);
          write_address (w, sub->patient);
          ch_x12_writer_segment (w, "DMG", "D8", sub->patient_birth_date, sub->patient_sex, NULL);
        }

      for (guint c = 0; c < sub->n_claims; c++)
        write_claim (w, &sub->claims[c]);
    }

  ch_x12_writer_end_transaction (w);
  ch_x12_writer_end_group (w);
  ch_x12_writer_end_interchange (w);
  return ch_x12_writer_finish (w, error);
}
