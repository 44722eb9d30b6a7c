/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-x12"

#include "config.h"

#include <string.h>

#include "ch-x12.h"
#include "ch-x12-837p.h"
#include "ch-x12-835.h"

/* Helpers */

static char *
load_sample (const char *name,
             gsize      *len)
{
  const char *src = g_getenv ("CHARTA_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_nonnull (src);
  path = g_build_filename (src, "tests", "data", "x12", name, NULL);
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

/* The two claims of tests/data/x12/837p-two-claims.x12: John Smith is his
 * own subscriber, Timmy Doe is his mother Jane's dependent. */
static const ChX12ServiceLine smith_lines[] = {
  { "99213", { NULL }, 10000, 1, { 1, 2 }, "20261115" },
  { "36415", { NULL }, 1550, 1, { 1 }, "20261115" },
};
static const char * const smith_dx[] = { "E119", "I10", NULL };
static const ChX12Provider welby = { "WELBY", "MARCUS", "1987654328" };
static const ChX12ServiceLine doe_lines[] = {
  { "99393", { "25" }, 15000, 1, { 1 }, "20261116" },
  { "90460", { NULL }, 5000, 2, { 2 }, "20261116" },
};
static const char * const doe_dx[] = { "Z00129", "Z23", NULL };
static const ChX12Provider casey = { "CASEY", "BEN", "1456789019" };
static const ChX12Name timmy = {
  .last_name = "DOE", .first_name = "TIMMY",
  .address1 = "9 ELM ST", .city = "SPRINGFIELD", .state = "IL", .zip = "62702",
};
static const ChX12Name pay_to = {
  .address1 = "PO BOX 500", .city = "SPRINGFIELD", .state = "IL", .zip = "627050500",
};

typedef struct
{
  ChX12ServiceLine smith_lines[G_N_ELEMENTS (smith_lines)];
  ChX12ServiceLine doe_lines[G_N_ELEMENTS (doe_lines)];
  ChX12Claim claims[2];
  ChX12Subscriber subscribers[2];
  ChX12Batch batch;
} Sample;

/* A fresh, writable copy so that each test can spoil one field. */
static Sample *
sample_new (void)
{
  Sample *s = g_new0 (Sample, 1);

  memcpy (s->smith_lines, smith_lines, sizeof smith_lines);
  memcpy (s->doe_lines, doe_lines, sizeof doe_lines);
  s->claims[0] = (ChX12Claim) {
    .claim_id = "CLM1001", .total_charge = 11550, .place_of_service = "11", .frequency = "1",
    .provider_signature = TRUE, .assignment = "A", .benefits_assigned = TRUE,
    .release_of_info = "Y", .diagnoses = smith_dx, .rendering = &welby,
    .lines = s->smith_lines, .n_lines = G_N_ELEMENTS (smith_lines),
  };
  s->claims[1] = (ChX12Claim) {
    .claim_id = "CLM1002", .total_charge = 20000, .place_of_service = "11", .frequency = "1",
    .provider_signature = TRUE, .assignment = "A", .benefits_assigned = TRUE,
    .release_of_info = "Y", .diagnoses = doe_dx, .referring = &casey,
    .lines = s->doe_lines, .n_lines = G_N_ELEMENTS (doe_lines),
  };
  s->subscribers[0] = (ChX12Subscriber) {
    .subscriber = { .last_name = "SMITH", .first_name = "JOHN", .middle_name = "A",
                    .address1 = "45 OAK AVE", .city = "SPRINGFIELD", .state = "IL", .zip = "62704" },
    .member_id = "XYZ123456", .group_number = "GRP100", .payer_responsibility = "P",
    .claim_filing = "CI", .birth_date = "19700315", .sex = "M",
    .claims = &s->claims[0], .n_claims = 1,
  };
  s->subscribers[1] = (ChX12Subscriber) {
    .subscriber = { .last_name = "DOE", .first_name = "JANE" },
    .member_id = "ABC987654", .group_number = "GRP200", .payer_responsibility = "P",
    .claim_filing = "CI", .patient = &timmy, .patient_relationship = "19",
    .patient_birth_date = "20150610", .patient_sex = "M",
    .claims = &s->claims[1], .n_claims = 1,
  };
  s->batch = (ChX12Batch) {
    .sender_qualifier = "ZZ", .sender_id = "CHARTA01",
    .receiver_qualifier = "ZZ", .receiver_id = "CLEARHOUSE",
    .date = "20261120", .time = "1030",
    .interchange_control = 1234, .group_control = 5678, .transaction_control = "0001",
    .reference = "BATCH0001",
    .submitter_name = "RIVERSIDE FAMILY PRACTICE", .submitter_id = "CHARTA01",
    .contact_name = "JANE CLERK", .contact_phone = "5555550100",
    .receiver_name = "ACME CLEARINGHOUSE", .receiver_etin = "CLEARHOUSE",
    .billing_taxonomy = "207Q00000X",
    .billing = { .organization = "RIVERSIDE FAMILY PRACTICE", .address1 = "123 MAIN ST",
                 .city = "SPRINGFIELD", .state = "IL", .zip = "627011234" },
    .billing_npi = "1234567893", .billing_tax_id = "371234567",
    .pay_to = &pay_to,
    .payer_name = "HEALTHY MUTUAL", .payer_id = "HM001",
    .subscribers = s->subscribers, .n_subscribers = 2,
  };
  return s;
}

static void
assert_build_fails (Sample     *s,
                    int         code,
                    const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = ch_x12_837p_build (&s->batch, TRUE, &error);

  g_assert_null (bytes);
  g_assert_error (error, CH_X12_ERROR, code);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, expected);
  g_free (s);
}

static void
assert_835_fails (const char *text,
                  gsize       len,
                  int         code,
                  const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = ch_x12_835_parse ((const guint8 *) text, len, &error);

  g_assert_null (result);
  g_assert_error (error, CH_X12_ERROR, code);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not hold “%s”", error->message, expected);
}

/* @text with its first @from replaced by @to. */
static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static const ChX12Adjustment *
adjustment (GArray *array,
            guint   i)
{
  g_assert_cmpuint (i, <, array->len);
  return &g_array_index (array, ChX12Adjustment, i);
}

static void
assert_adjustment (GArray     *array,
                   guint       i,
                   const char *group,
                   const char *reason,
                   gint64      amount)
{
  const ChX12Adjustment *adj = adjustment (array, i);

  g_assert_cmpstr (adj->group, ==, group);
  g_assert_cmpstr (adj->reason, ==, reason);
  g_assert_cmpint (adj->amount, ==, amount);
}

/* Tests */

static void
test_npi (void)
{
  g_assert_true (ch_x12_npi_is_valid ("1234567893"));
  g_assert_true (ch_x12_npi_is_valid ("1987654328"));
  g_assert_false (ch_x12_npi_is_valid ("1234567890"));
  g_assert_false (ch_x12_npi_is_valid ("123456789"));
  g_assert_false (ch_x12_npi_is_valid ("12345678931"));
  g_assert_false (ch_x12_npi_is_valid ("12345A7893"));
  g_assert_false (ch_x12_npi_is_valid (NULL));
}

static void
test_amount (void)
{
  struct { gint64 cents; const char *text; } cases[] = {
    { 0, "0" }, { 10000, "100" }, { 1550, "15.5" }, { 1525, "15.25" }, { 5, "0.05" },
    { -125, "-1.25" }, { -2500, "-25" },
  };
  gint64 cents;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ch_x12_format_amount (cases[i].cents);

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_true (ch_x12_parse_amount (text, &cents));
      g_assert_cmpint (cents, ==, cases[i].cents);
    }
  g_assert_true (ch_x12_parse_amount ("115.50", &cents));
  g_assert_cmpint (cents, ==, 11550);
  g_assert_true (ch_x12_parse_amount (".5", &cents));
  g_assert_cmpint (cents, ==, 50);
  g_assert_false (ch_x12_parse_amount ("", &cents));
  g_assert_false (ch_x12_parse_amount ("1.234", &cents));
  g_assert_false (ch_x12_parse_amount ("12a", &cents));
  g_assert_false (ch_x12_parse_amount ("-", &cents));
}

static void
test_837p_sample (void)
{
  g_autofree Sample *s = sample_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = ch_x12_837p_build (&s->batch, TRUE, &error);
  g_autofree char *expected = NULL;
  gsize expected_len, len;
  const char *got;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  expected = load_sample ("837p-two-claims.x12", &expected_len);
  got = g_bytes_get_data (bytes, &len);
  if (len != expected_len || memcmp (got, expected, len) != 0)
    g_error ("The 837P differs from the sample:\n%.*s", (int) len, got);

  /* Without line breaks the same segments follow each other directly. */
  {
    g_autoptr(GBytes) flat = ch_x12_837p_build (&s->batch, FALSE, &error);
    g_autofree char *joined = NULL;
    g_auto(GStrv) lines = g_strsplit (expected, "\n", -1);

    g_assert_no_error (error);
    joined = g_strjoinv ("", lines);
    g_assert_cmpmem (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat), joined, strlen (joined));
  }
}

static void
test_837p_round_trip (void)
{
  g_autofree Sample *s = sample_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = ch_x12_837p_build (&s->batch, FALSE, &error);
  g_autoptr(ChX12Document) doc = NULL;
  const ChX12Segment *seg;
  g_autofree char *procedure = NULL;
  g_autofree char *modifier = NULL;
  guint n_clm = 0, n_hl = 0;

  g_assert_no_error (error);
  doc = ch_x12_document_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpint (doc->delims.element, ==, '*');
  g_assert_cmpint (doc->delims.repetition, ==, '^');
  g_assert_cmpint (doc->delims.component, ==, ':');
  g_assert_cmpint (doc->delims.segment, ==, '~');
  /* ISA, GS, 50 segments ST…SE, GE, IEA. */
  g_assert_cmpuint (doc->segments->len, ==, 54);

  for (guint i = 0; i < doc->segments->len; i++)
    {
      seg = g_ptr_array_index (doc->segments, i);
      g_assert_cmpuint (seg->position, ==, i + 1);
      if (ch_x12_segment_is (seg, "CLM"))
        n_clm++;
      if (ch_x12_segment_is (seg, "HL"))
        n_hl++;
    }
  g_assert_cmpuint (n_clm, ==, 2);
  g_assert_cmpuint (n_hl, ==, 4);

  seg = g_ptr_array_index (doc->segments, 46);
  g_assert_true (ch_x12_segment_is (seg, "SV1"));
  procedure = ch_x12_segment_get_component (doc, seg, 1, 2);
  modifier = ch_x12_segment_get_component (doc, seg, 1, 3);
  g_assert_cmpstr (procedure, ==, "99393");
  g_assert_cmpstr (modifier, ==, "25");
  g_assert_cmpstr (ch_x12_segment_get (seg, 2), ==, "150");
  g_assert_cmpstr (ch_x12_segment_get (seg, 9), ==, "");
}

static void
test_writer_delimiters (void)
{
  /* Other delimiters, read back from the ISA alone. */
  const ChX12Delimiters delims = { '|', '!', '>', '\n' };
  g_autoptr(ChX12Writer) w = ch_x12_writer_new (&delims, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ChX12Document) doc = NULL;
  const ChX12Segment *seg;
  g_autofree char *second = NULL;

  ch_x12_writer_begin_interchange (w, "ZZ", "A", "ZZ", "B", "20260101", "0000", 1, TRUE, 'T');
  ch_x12_writer_begin_group (w, "HC", "A", "B", "20260101", "0000", 9, "005010X222A1");
  ch_x12_writer_begin_transaction (w, "837", "0042", "005010X222A1");
  ch_x12_writer_segment (w, "REF", "EI", "12*34~56:78", NULL);
  ch_x12_writer_segment (w, "SV1", ch_x12_writer_composite (w, "HC", "99213", "", "", NULL),
                         ch_x12_writer_amount (w, 4299), "", "", NULL);
  ch_x12_writer_end_transaction (w);
  ch_x12_writer_end_group (w);
  ch_x12_writer_end_interchange (w);
  bytes = ch_x12_writer_finish (w, &error);
  g_assert_no_error (error);

  doc = ch_x12_document_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpint (doc->delims.element, ==, '|');
  g_assert_cmpint (doc->delims.repetition, ==, '!');
  g_assert_cmpint (doc->delims.component, ==, '>');
  g_assert_cmpint (doc->delims.segment, ==, '\n');
  seg = g_ptr_array_index (doc->segments, 3);
  g_assert_cmpstr (ch_x12_segment_get (seg, 2), ==, "12*34~56:78");
  seg = g_ptr_array_index (doc->segments, 4);
  g_assert_cmpstr (ch_x12_segment_get (seg, 1), ==, "HC>99213");
  g_assert_cmpuint (seg->n_elements, ==, 3);
  second = ch_x12_segment_get_component (doc, seg, 1, 2);
  g_assert_cmpstr (second, ==, "99213");
  seg = g_ptr_array_index (doc->segments, 5);
  g_assert_cmpstr (ch_x12_segment_get (seg, 1), ==, "4");
  seg = g_ptr_array_index (doc->segments, 0);
  g_assert_cmpstr (ch_x12_segment_get (seg, 14), ==, "1");
  g_assert_cmpstr (ch_x12_segment_get (seg, 15), ==, "T");
}

static void
test_writer_refuses_delimiters (void)
{
  struct { const char *value; gboolean composite; } cases[] = {
    { "SMITH*JONES", FALSE }, { "A~B", FALSE }, { "A^B", FALSE }, { "A:B", FALSE },
    { "A:B", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ChX12Writer) w = ch_x12_writer_new (NULL, FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      ch_x12_writer_begin_interchange (w, "ZZ", "A", "ZZ", "B", "20260101", "0000", 1, FALSE, 'P');
      ch_x12_writer_begin_group (w, "HC", "A", "B", "20260101", "0000", 1, "005010X222A1");
      ch_x12_writer_begin_transaction (w, "837", "0001", "005010X222A1");
      if (cases[i].composite)
        ch_x12_writer_segment (w, "SV1", ch_x12_writer_composite (w, "HC", cases[i].value, NULL), NULL);
      else
        ch_x12_writer_segment (w, "NM1", "IL", "1", cases[i].value, NULL);
      ch_x12_writer_end_transaction (w);
      ch_x12_writer_end_group (w);
      ch_x12_writer_end_interchange (w);
      bytes = ch_x12_writer_finish (w, &error);
      g_assert_null (bytes);
      g_assert_error (error, CH_X12_ERROR, CH_X12_ERROR_DELIMITER);
      g_assert_nonnull (strstr (error->message, cases[i].value));
    }

  /* An interchange id that does not fit the ISA's fixed width. */
  {
    g_autoptr(ChX12Writer) w = ch_x12_writer_new (NULL, FALSE);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = NULL;

    ch_x12_writer_begin_interchange (w, "ZZ", "A-SENDER-ID-TOO-LONG", "ZZ", "B", "20260101", "0000",
                                     1, FALSE, 'P');
    bytes = ch_x12_writer_finish (w, &error);
    g_assert_error (error, CH_X12_ERROR, CH_X12_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "ISA06"));
  }
}

static void
test_837p_invalid (void)
{
  Sample *s;
  ChX12Name bad_name;
  ChX12Provider bad_provider = { "WELBY", "MARCUS", "1987654320" };
  static const char * const many_dx[] = { "A01", "A02", "A03", "A04", "A05", "A06", "A07",
                                          "A08", "A09", "A10", "A11", "A12", "A13", NULL };
  static const char * const dotted_dx[] = { "E11.9", NULL };
  ChX12ServiceLine many_lines[51];

  s = sample_new ();
  s->batch.billing_npi = "1234567890";
  assert_build_fails (s, CH_X12_ERROR_INVALID, "billing provider");

  s = sample_new ();
  s->claims[1].rendering = &bad_provider;
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1002”: the rendering provider’s NPI “1987654320”");

  s = sample_new ();
  s->claims[0].total_charge = 11500;
  assert_build_fails (s, CH_X12_ERROR_TOTALS, "Claim “CLM1001”: the total charge 115 (CLM02) is not the sum of its service lines, 115.5");

  s = sample_new ();
  s->claims[1].diagnoses = many_dx;
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1002”: a claim needs 1 to 12 diagnosis codes (HI), not 13");

  s = sample_new ();
  s->claims[0].diagnoses = dotted_dx;
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1001”: diagnosis 1 “E11.9”");

  s = sample_new ();
  for (guint i = 0; i < G_N_ELEMENTS (many_lines); i++)
    many_lines[i] = smith_lines[1];
  s->claims[0].lines = many_lines;
  s->claims[0].n_lines = G_N_ELEMENTS (many_lines);
  s->claims[0].total_charge = 51 * 1550;
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1001”: a claim needs 1 to 50 service lines, not 51");

  s = sample_new ();
  s->doe_lines[1].pointers[0] = 3;
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1002”, line 2: diagnosis pointer 3");

  s = sample_new ();
  s->doe_lines[0].date = "20261331";
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1002”, line 1: the service date (DTP*472) “20261331”");

  s = sample_new ();
  s->claims[0].place_of_service = NULL;
  assert_build_fails (s, CH_X12_ERROR_MISSING, "Claim “CLM1001”: the place of service (CLM05-1) is required");

  s = sample_new ();
  s->claims[0].frequency = "7";
  assert_build_fails (s, CH_X12_ERROR_MISSING, "Claim “CLM1001”: the payer’s claim number of the claim replaced or voided (REF*F8) is required");

  s = sample_new ();
  s->claims[0].frequency = "2";
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1001”: the claim frequency code (CLM05-3) must be");

  s = sample_new ();
  s->claims[1].place_of_service = "1";
  assert_build_fails (s, CH_X12_ERROR_INVALID, "Claim “CLM1002”: the place of service (CLM05-1) must be a two-digit code");

  s = sample_new ();
  s->batch.billing_tax_id = "37-1234567";
  assert_build_fails (s, CH_X12_ERROR_INVALID, "tax id");

  s = sample_new ();
  s->subscribers[0].birth_date = NULL;
  assert_build_fails (s, CH_X12_ERROR_MISSING, "Subscriber XYZ123456: the birth date is required");

  /* X12 cannot escape: a name with the element separator is refused. */
  s = sample_new ();
  bad_name = s->subscribers[1].subscriber;
  bad_name.last_name = "DOE*SMITH";
  s->subscribers[1].subscriber = bad_name;
  assert_build_fails (s, CH_X12_ERROR_DELIMITER, "“DOE*SMITH”");
}

static void
test_835_paid (void)
{
  gsize len;
  g_autofree char *text = load_sample ("835-paid.x12", &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = ch_x12_835_parse ((const guint8 *) text, len, &error);
  ChX12Remittance *r;
  ChX12ClaimPayment *claim;

  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 1);
  r = g_ptr_array_index (result, 0);
  g_assert_cmpstr (r->handling, ==, "I");
  g_assert_cmpint (r->payment, ==, 11550);
  g_assert_cmpstr (r->credit_debit, ==, "C");
  g_assert_cmpstr (r->method, ==, "ACH");
  g_assert_cmpstr (r->payment_date, ==, "20261201");
  g_assert_cmpstr (r->trace_number, ==, "EFT0001");
  g_assert_cmpstr (r->trace_originator, ==, "1512345678");
  g_assert_cmpstr (r->payer_name, ==, "HEALTHY MUTUAL");
  g_assert_cmpstr (r->payer_id, ==, "HM001");
  g_assert_cmpstr (r->payee_name, ==, "RIVERSIDE FAMILY PRACTICE");
  g_assert_cmpstr (r->payee_id, ==, "1234567893");
  g_assert_cmpuint (r->claims->len, ==, 1);
  g_assert_cmpuint (r->provider_adjustments->len, ==, 0);

  claim = g_ptr_array_index (r->claims, 0);
  g_assert_cmpstr (claim->claim_id, ==, "CLM1001");
  g_assert_cmpstr (claim->status, ==, "1");
  g_assert_cmpint (claim->charge, ==, 11550);
  g_assert_cmpint (claim->paid, ==, 11550);
  g_assert_cmpint (claim->patient_responsibility, ==, 0);
  g_assert_cmpstr (claim->filing_indicator, ==, "12");
  g_assert_cmpstr (claim->payer_control, ==, "HM2026000001");
  g_assert_cmpstr (claim->patient_last_name, ==, "SMITH");
  g_assert_cmpuint (claim->adjustments->len, ==, 0);
  g_assert_cmpuint (claim->services->len, ==, 0);
}

static void
test_835_mixed (void)
{
  gsize len;
  g_autofree char *text = load_sample ("835-mixed.x12", &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = ch_x12_835_parse ((const guint8 *) text, len, &error);
  ChX12Remittance *r;
  ChX12ClaimPayment *claim;
  ChX12ServicePayment *svc;
  ChX12ProviderAdjustment *plb;

  g_assert_no_error (error);
  r = g_ptr_array_index (result, 0);
  g_assert_cmpint (r->payment, ==, 15575);
  g_assert_cmpstr (r->method, ==, "CHK");
  g_assert_cmpstr (r->trace_number, ==, "CHK0042");
  g_assert_cmpuint (r->claims->len, ==, 3);

  /* Partly paid, with line detail: CO-45 write-offs, PR-1 and PR-2. */
  claim = g_ptr_array_index (r->claims, 0);
  g_assert_cmpstr (claim->claim_id, ==, "CLM1002");
  g_assert_cmpint (claim->charge, ==, 20000);
  g_assert_cmpint (claim->paid, ==, 12000);
  g_assert_cmpint (claim->patient_responsibility, ==, 4000);
  g_assert_cmpstr (claim->patient_first_name, ==, "TIMMY");
  g_assert_cmpuint (claim->adjustments->len, ==, 0);
  g_assert_cmpuint (claim->services->len, ==, 2);
  svc = g_ptr_array_index (claim->services, 0);
  g_assert_cmpstr (svc->qualifier, ==, "HC");
  g_assert_cmpstr (svc->procedure, ==, "99393");
  g_assert_cmpstr (svc->modifiers, ==, "25");
  g_assert_cmpint (svc->charge, ==, 15000);
  g_assert_cmpint (svc->paid, ==, 9000);
  g_assert_cmpstr (svc->units, ==, "1");
  g_assert_cmpstr (svc->date, ==, "20261116");
  g_assert_cmpuint (svc->adjustments->len, ==, 2);
  assert_adjustment (svc->adjustments, 0, "CO", "45", 3000);
  assert_adjustment (svc->adjustments, 1, "PR", "1", 3000);
  svc = g_ptr_array_index (claim->services, 1);
  g_assert_cmpstr (svc->procedure, ==, "90460");
  g_assert_cmpstr (svc->modifiers, ==, "");
  g_assert_cmpstr (svc->units, ==, "2");
  g_assert_cmpuint (svc->adjustments->len, ==, 2);
  assert_adjustment (svc->adjustments, 0, "CO", "45", 1000);
  assert_adjustment (svc->adjustments, 1, "PR", "2", 1000);

  /* Denied. */
  claim = g_ptr_array_index (r->claims, 1);
  g_assert_cmpstr (claim->claim_id, ==, "CLM1003");
  g_assert_cmpstr (claim->status, ==, "4");
  g_assert_cmpint (claim->paid, ==, 0);
  g_assert_cmpuint (claim->adjustments->len, ==, 1);
  assert_adjustment (claim->adjustments, 0, "CO", "29", 8500);
  g_assert_cmpstr (claim->patient_last_name, ==, "BROWN");

  /* Two adjustments in one CAS, at claim level. */
  claim = g_ptr_array_index (r->claims, 2);
  g_assert_cmpstr (claim->status, ==, "2");
  g_assert_cmpuint (claim->adjustments->len, ==, 3);
  assert_adjustment (claim->adjustments, 0, "CO", "45", 1500);
  assert_adjustment (claim->adjustments, 1, "CO", "253", 500);
  assert_adjustment (claim->adjustments, 2, "PR", "1", 2000);

  g_assert_cmpuint (r->provider_adjustments->len, ==, 2);
  plb = &g_array_index (r->provider_adjustments, ChX12ProviderAdjustment, 0);
  g_assert_cmpstr (plb->provider_id, ==, "1234567893");
  g_assert_cmpstr (plb->date, ==, "20261231");
  g_assert_cmpstr (plb->reason, ==, "WO");
  g_assert_cmpstr (plb->reference, ==, "HM2026000009");
  g_assert_cmpint (plb->amount, ==, 2550);
  plb = &g_array_index (r->provider_adjustments, ChX12ProviderAdjustment, 1);
  g_assert_cmpstr (plb->reason, ==, "L6");
  g_assert_cmpstr (plb->reference, ==, "");
  g_assert_cmpint (plb->amount, ==, -125);
}

static void
test_835_malformed (void)
{
  gsize len;
  g_autofree char *paid = load_sample ("835-paid.x12", &len);
  g_autofree char *mixed = load_sample ("835-mixed.x12", NULL);
  g_autofree char *claim837 = load_sample ("837p-two-claims.x12", NULL);
  struct
  {
    const char *text;  /* the file, spoilt */
    const char *from;
    const char *to;
    int code;
    const char *message;
  } cases[] = {
    { paid, "SE*16*1001", "SE*15*1001", CH_X12_ERROR_ENVELOPE,
      "Segment 18 (SE): SE01 is “15” but the number of segments from ST to SE is “16”" },
    { paid, "SE*16*1001", "SE*16*1002", CH_X12_ERROR_ENVELOPE,
      "Segment 18 (SE): SE02 is “1002” but the transaction set control number ST02 is “1001”" },
    { paid, "GE*1*77", "GE*1*78", CH_X12_ERROR_ENVELOPE,
      "Segment 19 (GE): GE02 is “78” but the group control number GS06 is “77”" },
    { paid, "GE*1*77", "GE*2*77", CH_X12_ERROR_ENVELOPE,
      "GE01 is “2” but the number of transaction sets in the group is “1”" },
    { paid, "IEA*1*000000077", "IEA*1*000000076", CH_X12_ERROR_ENVELOPE,
      "Segment 20 (IEA): IEA02 is “000000076” but the interchange control number ISA13 is “000000077”" },
    { paid, "BPR*I*115.5*", "BPR*I*115.05*", CH_X12_ERROR_TOTALS,
      "Segment 4 (BPR): the payment BPR02 115.05 does not equal the claims paid (CLP04) less the provider adjustments (PLB), 115.5" },
    { mixed, "*25.5*L6", "*25*L6", CH_X12_ERROR_TOTALS,
      "the payment BPR02 155.75 does not equal the claims paid (CLP04) less the provider adjustments (PLB), 156.25" },
    { paid, "CLP*CLM1001*1*", "CLP*CLM1001*9*", CH_X12_ERROR_INVALID,
      "Segment 15 (CLP): “9” is not a claim status code (CLP02)" },
    { paid, "CLP*CLM1001*1*115.5*115.5", "CLP*CLM1001*1*115.5*ABC", CH_X12_ERROR_INVALID,
      "Segment 15 (CLP): CLP04 “ABC” is not an amount" },
    { mixed, "CAS*CO*29*85", "CAS*XX*29*85", CH_X12_ERROR_INVALID,
      "Segment 22 (CAS): “XX” is not a claim adjustment group code" },
    { mixed, "CAS*CO*45*15**253*5", "CAS*CO*45*15***5", CH_X12_ERROR_MISSING,
      "Segment 25 (CAS): CAS06 has an amount but no reason code" },
    { paid, "TRN*1*EFT0001*1512345678~\n", "", CH_X12_ERROR_ENVELOPE,
      "SE01 is “16” but the number of segments from ST to SE is “15”" },
    { paid, "ISA*00", "MSH|^~\\&|LAB|", CH_X12_ERROR_NOT_X12,
      "it does not begin with an ISA segment" },
    { paid, "*ZZ*HEALTHYMUTUAL  *", "*ZZ*HEALTHYMUTUAL*", CH_X12_ERROR_NOT_X12,
      "ISA07 is not where the fixed-width ISA segment puts it" },
    { paid, "*^*00501", "***00501", CH_X12_ERROR_NOT_X12,
      "The ISA segment declares delimiters that cannot be told apart" },
    { paid, "LX*1~\n", "LX*1~\nLX*2~\n", CH_X12_ERROR_ENVELOPE,
      "SE01 is “16” but the number of segments from ST to SE is “17”" },
    { paid, "IEA*1*000000077~\n", "IEA*1*000000077~\nGS*HP~\n", CH_X12_ERROR_ENVELOPE,
      "Data follows the IEA segment" },
    { claim837, "", "", CH_X12_ERROR_WRONG_TYPE,
      "Segment 3 (ST): this is an X12 837, not an 835 remittance advice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *spoilt = replace_once (cases[i].text, cases[i].from, cases[i].to);

      g_test_message ("case %u: %s", i, cases[i].message);
      assert_835_fails (spoilt, strlen (spoilt), cases[i].code, cases[i].message);
    }

  /* Truncated: in the middle of a segment, and after a whole segment. */
  assert_835_fails (paid, len / 2, CH_X12_ERROR_TRUNCATED, "no segment terminator");
  {
    const char *cut = strstr (paid, "SE*16");

    assert_835_fails (paid, cut - paid, CH_X12_ERROR_TRUNCATED,
                      "The interchange ends at segment 17 (DTM) without an IEA segment");
  }
  assert_835_fails (paid, 60, CH_X12_ERROR_TRUNCATED, "must be 106 characters long");

  /* Not X12 at all. */
  assert_835_fails ("", 0, CH_X12_ERROR_NOT_X12, "does not begin with an ISA segment");
  assert_835_fails ("%PDF-1.4\n%âãÏÓ\n", strlen ("%PDF-1.4\n%âãÏÓ\n"), CH_X12_ERROR_NOT_X12, "does not begin with an ISA segment");
  {
    const char binary[] = "ISA*00*\0\0\0";

    assert_835_fails (binary, sizeof binary - 1, CH_X12_ERROR_TRUNCATED, "must be 106 characters long");
  }
}

/* A replacement claim (frequency 7) carries the payer's number of the
 * claim it replaces, in REF*F8 between CLM and HI. */
static void
test_837p_replacement (void)
{
  g_autofree Sample *s = sample_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ChX12Document) doc = NULL;
  const ChX12Segment *seg;
  g_autofree char *frequency = NULL;

  s->claims[0].frequency = "7";
  s->claims[0].payer_claim_number = "HM2026000001";
  bytes = ch_x12_837p_build (&s->batch, FALSE, &error);
  g_assert_no_error (error);
  doc = ch_x12_document_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->segments->len, ==, 55);

  seg = g_ptr_array_index (doc->segments, 23);
  g_assert_true (ch_x12_segment_is (seg, "CLM"));
  frequency = ch_x12_segment_get_component (doc, seg, 5, 3);
  g_assert_cmpstr (frequency, ==, "7");
  seg = g_ptr_array_index (doc->segments, 24);
  g_assert_true (ch_x12_segment_is (seg, "REF"));
  g_assert_cmpstr (ch_x12_segment_get (seg, 1), ==, "F8");
  g_assert_cmpstr (ch_x12_segment_get (seg, 2), ==, "HM2026000001");
  seg = g_ptr_array_index (doc->segments, 25);
  g_assert_true (ch_x12_segment_is (seg, "HI"));
  /* SE01 grew by one. */
  seg = g_ptr_array_index (doc->segments, 52);
  g_assert_cmpstr (ch_x12_segment_get (seg, 1), ==, "51");
}

/* Two 835 transaction sets in one functional group: one remittance each. */
static void
test_835_two_sets (void)
{
  g_autofree char *paid = load_sample ("835-paid.x12", NULL);
  const char *st = strstr (paid, "ST*835");
  const char *ge = strstr (paid, "GE*1*77");
  g_autofree char *set = g_strndup (st, ge - st);
  g_autofree char *second = replace_once (set, "1001", "1002");
  g_autofree char *both = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = NULL;

  /* The second set's SE02 too. */
  both = replace_once (second, "SE*16*1001", "SE*16*1002");
  text = g_strdup_printf ("%.*s%sGE*2*77~\nIEA*1*000000077~\n", (int) (ge - paid), paid, both);
  result = ch_x12_835_parse ((const guint8 *) text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      ChX12Remittance *r = g_ptr_array_index (result, i);

      g_assert_cmpint (r->payment, ==, 11550);
      g_assert_cmpuint (r->claims->len, ==, 1);
    }
}

/* Every cut of a good file is refused, and no one-byte change makes the
 * reader crash or answer both a result and an error. */
static void
test_835_damage (void)
{
  gsize len;
  g_autofree char *text = load_sample ("835-mixed.x12", &len);
  const char *last = strrchr (text, '~');
  static const char replacements[] = { '*', '~', ':', '^', '0', 'A', '\n', '\0' };

  for (gsize cut = 0; cut < (gsize) (last - text); cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) result = ch_x12_835_parse ((const guint8 *) text, cut, &error);

      g_assert_null (result);
      g_assert_nonnull (error);
    }

  for (gsize at = 0; at < len; at++)
    for (guint r = 0; r < G_N_ELEMENTS (replacements); r++)
      {
        g_autofree char *copy = g_memdup2 (text, len);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) result = NULL;

        copy[at] = replacements[r];
        result = ch_x12_835_parse ((const guint8 *) copy, len, &error);
        g_assert_true ((result == NULL) != (error == NULL));
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/billing/x12/npi", test_npi);
  g_test_add_func ("/billing/x12/amount", test_amount);
  g_test_add_func ("/billing/x12/837p/sample", test_837p_sample);
  g_test_add_func ("/billing/x12/837p/round-trip", test_837p_round_trip);
  g_test_add_func ("/billing/x12/837p/invalid", test_837p_invalid);
  g_test_add_func ("/billing/x12/writer/delimiters", test_writer_delimiters);
  g_test_add_func ("/billing/x12/writer/refuses-delimiters", test_writer_refuses_delimiters);
  g_test_add_func ("/billing/x12/835/paid", test_835_paid);
  g_test_add_func ("/billing/x12/835/mixed", test_835_mixed);
  g_test_add_func ("/billing/x12/835/malformed", test_835_malformed);
  g_test_add_func ("/billing/x12/835/damage", test_835_damage);
  g_test_add_func ("/billing/x12/835/two-sets", test_835_two_sets);
  g_test_add_func ("/billing/x12/837p/replacement", test_837p_replacement);

  return g_test_run ();
}
