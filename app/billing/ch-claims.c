/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-claims"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <inttypes.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-billing-db.h"
#include "ch-chart-db.h"
#include "ch-claims.h"
#include "ch-patient-db.h"
#include "ch-practice.h"
#include "ch-records.h"
#include "ch-schedule-db.h"
#include "ch-x12-835.h"
#include "ch-x12-837p.h"

/* Every write checks its input fully before its transaction opens, then
 * writes its rows and audit entries together: a refused or failed call
 * leaves nothing behind, in the database or on disk. */

G_DEFINE_QUARK (ch-claims-error-quark, ch_claims_error)

#define MAX_PAYER_ID 80

static gboolean
fail (GError        **error,
      ChClaimsError   code,
      const char     *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError        **error,
      ChClaimsError   code,
      const char     *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CH_CLAIMS_ERROR, code, message);
  return FALSE;
}

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_one_line (const char *text,
             guint       max_chars)
{
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > max_chars)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return FALSE;
  return TRUE;
}

/* Payers read claims in capitals and in the basic character set: "Zoë
 * Ångström" goes out as "ZOE ANGSTROM". */
static char *
x12_text (const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text != NULL ? text : "", "C");

  return g_ascii_strup (g_strstrip (ascii), -1);
}

/* ---- permissions ------------------------------------------------------------- */

static gboolean
check_manager (ChSession  *session,
               GError    **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_WRITE, error))
    return FALSE;
  if (ch_session_get_role (session) != CH_ROLE_MANAGER)
    {
      g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_PERMISSION_DENIED,
                   _("Not allowed: only the office manager may set up, build or post "
                     "insurance claims (you are “%s”)"),
                   ch_role_get_label (ch_session_get_role (session)));
      return FALSE;
    }
  return TRUE;
}

/* ---- payers ------------------------------------------------------------------ */

static gboolean
is_payer_id (const char *id)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len == 0 || len > MAX_PAYER_ID)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
ch_claims_payer_add (ChSession      *session,
                     const ChPayer  *payer,
                     GError        **error)
{
  ChStore *store = ch_session_get_store (session);
  static const char * const filings[] = {
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ", NULL
  };
  gboolean ok;

  g_return_val_if_fail (payer != NULL, FALSE);

  if (!check_manager (session, error))
    return FALSE;
  if (!is_payer_id (payer->id))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("“%s” is not a payer id (letters, digits and dashes, at most %d)"),
                 payer->id ? payer->id : "", MAX_PAYER_ID);
  if (!is_set (payer->name) || !is_one_line (payer->name, 60))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("The payer's name must be one line of 1 to 60 characters"));
  if (is_set (payer->receiver_id) && !is_payer_id (payer->receiver_id))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("“%s” is not a receiver id (letters, digits and dashes)"), payer->receiver_id);
  if (is_set (payer->claim_filing) && !g_strv_contains (filings, payer->claim_filing))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("“%s” is not a claim filing indicator (SBR09: CI, MB, MC, BL …)"),
                 payer->claim_filing);
  {
    const char *fields[] = { payer->address1, payer->city, payer->state, payer->zip };

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      if (fields[i] != NULL && !is_one_line (fields[i], 55))
        return fail (error, CH_CLAIMS_ERROR_INVALID,
                     _("The payer's address must be single lines of at most 55 characters"));
  }

  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_payer_insert (store, payer, ch_session_get_username (session), error)
       && ch_session_audit (session, CH_AUDIT_CREATE, "payer", payer->id, 0, payer->name, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

void
ch_claims_payers_free (ChClaimsPayers *payers)
{
  if (payers == NULL)
    return;
  g_clear_pointer (&payers->payers, g_ptr_array_unref);
  g_clear_pointer (&payers->unmatched, g_ptr_array_unref);
  g_free (payers);
}

ChClaimsPayers *
ch_claims_payers (ChSession  *session,
                  GError    **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChClaimsPayers) result = g_new0 (ChClaimsPayers, 1);
  g_autoptr (GPtrArray) candidates = NULL;

  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  result->payers = ch_db_payer_list (store, error);
  if (result->payers == NULL)
    return NULL;
  candidates = ch_db_claim_candidates (store, error);
  if (candidates == NULL)
    return NULL;
  result->unmatched = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_claim_candidate_free);
  for (guint i = 0; i < candidates->len; i++)
    {
      ChClaimCandidate *c = candidates->pdata[i];

      if (c->policy_id == 0)
        {
          result->self_pay++;
          continue;
        }
      if (c->payer_id == NULL)
        {
          g_ptr_array_add (result->unmatched, g_steal_pointer (&candidates->pdata[i]));
          continue;
        }
      for (guint p = 0; p < result->payers->len; p++)
        {
          ChPayer *payer = result->payers->pdata[p];

          if (g_str_equal (payer->id, c->payer_id))
            payer->n_ready++;
        }
    }
  return g_steal_pointer (&result);
}

/* ---- setup ------------------------------------------------------------------- */

static const struct
{
  const char *key;
  gsize       offset;
} setup_keys[] = {
  { "claims.name", G_STRUCT_OFFSET (ChClaimsSetup, name) },
  { "claims.npi", G_STRUCT_OFFSET (ChClaimsSetup, npi) },
  { "claims.tax-id", G_STRUCT_OFFSET (ChClaimsSetup, tax_id) },
  { "claims.taxonomy", G_STRUCT_OFFSET (ChClaimsSetup, taxonomy) },
  { "claims.address1", G_STRUCT_OFFSET (ChClaimsSetup, address1) },
  { "claims.city", G_STRUCT_OFFSET (ChClaimsSetup, city) },
  { "claims.state", G_STRUCT_OFFSET (ChClaimsSetup, state) },
  { "claims.zip", G_STRUCT_OFFSET (ChClaimsSetup, zip) },
  { "claims.submitter-id", G_STRUCT_OFFSET (ChClaimsSetup, submitter_id) },
  { "claims.contact-name", G_STRUCT_OFFSET (ChClaimsSetup, contact_name) },
  { "claims.contact-phone", G_STRUCT_OFFSET (ChClaimsSetup, contact_phone) },
};

#define SETUP_FIELD(setup, i) G_STRUCT_MEMBER (char *, (setup), setup_keys[(i)].offset)

void
ch_claims_setup_free (ChClaimsSetup *setup)
{
  if (setup == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (setup_keys); i++)
    g_free (SETUP_FIELD (setup, i));
  g_free (setup);
}

static ChClaimsSetup *
load_setup (ChStore  *store,
            GError  **error)
{
  g_autoptr (ChClaimsSetup) setup = g_new0 (ChClaimsSetup, 1);

  for (guint i = 0; i < G_N_ELEMENTS (setup_keys); i++)
    {
      g_autoptr (GError) local = NULL;
      char *value = ch_db_setting_get (store, setup_keys[i].key, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      SETUP_FIELD (setup, i) = value != NULL ? value : g_strdup ("");
    }
  return g_steal_pointer (&setup);
}

ChClaimsSetup *
ch_claims_setup_get (ChSession  *session,
                     GError    **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  return load_setup (ch_session_get_store (session), error);
}

static gboolean
check_npi (const char  *npi,
           GError     **error)
{
  if (ch_x12_npi_is_valid (npi))
    return TRUE;
  return fail (error, CH_CLAIMS_ERROR_INVALID,
               _("“%s” is not a valid NPI (ten digits with a correct check digit)"), npi);
}

gboolean
ch_claims_setup_set (ChSession            *session,
                     const ChClaimsSetup  *changes,
                     GError              **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GString) detail = g_string_new (NULL);
  gboolean ok = TRUE;

  g_return_val_if_fail (changes != NULL, FALSE);

  if (!check_manager (session, error))
    return FALSE;
  if (changes->npi != NULL && !check_npi (changes->npi, error))
    return FALSE;
  if (changes->tax_id != NULL && !all_digits (changes->tax_id, 9))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("The tax id (EIN) must be nine digits without a dash"));
  if (changes->zip != NULL && !all_digits (changes->zip, 9))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("The billing provider's ZIP code must be the nine-digit ZIP+4, without a dash"));
  if (changes->state != NULL && (strlen (changes->state) != 2
                                 || !g_ascii_isalpha (changes->state[0])
                                 || !g_ascii_isalpha (changes->state[1])))
    return fail (error, CH_CLAIMS_ERROR_INVALID, _("The state must be its two-letter code"));
  if (changes->contact_phone != NULL
      && (strlen (changes->contact_phone) < 10 || strlen (changes->contact_phone) > 15
          || !all_digits (changes->contact_phone, strlen (changes->contact_phone))))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("The contact telephone must be 10 to 15 digits, without spaces or dashes"));
  for (guint i = 0; i < G_N_ELEMENTS (setup_keys); i++)
    {
      const char *value = SETUP_FIELD (changes, i);

      if (value != NULL && !is_one_line (value, 60))
        return fail (error, CH_CLAIMS_ERROR_INVALID,
                     _("Each setting must be one line of at most 60 characters"));
    }

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; ok && i < G_N_ELEMENTS (setup_keys); i++)
    {
      const char *value = SETUP_FIELD (changes, i);

      if (value == NULL)
        continue;
      ok = ch_db_setting_set (store, setup_keys[i].key, value, error);
      g_string_append_printf (detail, "%s%s", detail->len > 0 ? ", " : "", setup_keys[i].key);
    }
  ok = ok && ch_session_audit (session, CH_AUDIT_UPDATE, "claims-setup", "", 0, detail->str,
                               error);
  return ch_store_commit_or_rollback (store, ok, error);
}

gboolean
ch_claims_provider_set (ChSession   *session,
                        const char  *username,
                        const char  *npi,
                        const char  *last_name,
                        const char  *first_name,
                        GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChUserRecord) user = NULL;
  g_autofree char *detail = NULL;
  ChClaimProvider provider = { 0 };
  gboolean ok;

  if (!check_manager (session, error))
    return FALSE;
  /* Encounters name a provider by user name or, for a provider without an
   * account, by resource id: either may be given. */
  user = ch_db_user_lookup (store, username, NULL);
  if (user == NULL)
    {
      g_autoptr (ChResource) resource = ch_db_resource_get (store, username, NULL);

      if (resource == NULL || g_strcmp0 (resource->kind, "provider") != 0)
        return fail (error, CH_CLAIMS_ERROR_NOT_FOUND, _("No user or provider “%s”"), username);
    }
  if (!check_npi (npi, error))
    return FALSE;
  if (!is_set (last_name) || !is_one_line (last_name, 60)
      || (first_name != NULL && !is_one_line (first_name, 35)))
    return fail (error, CH_CLAIMS_ERROR_INVALID,
                 _("Give the provider's last name (and first name) as billed, one line each"));
  provider.username = (char *) username;
  provider.npi = (char *) npi;
  provider.last_name = (char *) last_name;
  provider.first_name = (char *) (first_name ? first_name : "");
  detail = g_strdup_printf ("NPI %s", npi);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_claim_provider_set (store, &provider, ch_session_get_username (session), error)
       && ch_session_audit (session, CH_AUDIT_UPDATE, "claim-provider", username, 0, detail,
                            error);
  return ch_store_commit_or_rollback (store, ok, error);
}

GPtrArray *
ch_claims_providers (ChSession  *session,
                     GError    **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_claim_provider_list (ch_session_get_store (session), error);
}

/* ---- building ---------------------------------------------------------------- */

void
ch_claims_build_result_free (ChClaimsBuildResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->batches, g_ptr_array_unref);
  g_clear_pointer (&result->skipped, g_ptr_array_unref);
  g_free (result);
}

static void
batch_free (ChClaimBatch *batch)
{
  g_free (batch->payer_id);
  g_free (batch->path);
  g_free (batch);
}

static void
skipped_free (ChClaimSkipped *skipped)
{
  g_free (skipped->reason);
  g_free (skipped);
}

static gboolean
check_setup (const ChClaimsSetup  *setup,
             GError              **error)
{
  if (!is_set (setup->name) || !is_set (setup->npi) || !is_set (setup->tax_id)
      || !is_set (setup->address1) || !is_set (setup->city) || !is_set (setup->state)
      || !is_set (setup->zip) || !is_set (setup->submitter_id) || !is_set (setup->contact_phone))
    return fail (error, CH_CLAIMS_ERROR_SETUP,
                 _("The billing provider is not set up: give its name, NPI, tax id, address "
                   "(street, city, state, ZIP+4), the submitter id and a contact telephone "
                   "with “claims setup”"));
  return TRUE;
}

/* Strings and arrays the X12 structs point into, freed together. */
static const char *
keep (GPtrArray *pool,
      char      *text)
{
  g_ptr_array_add (pool, text);
  return text;
}

static gpointer
keep_new0 (GPtrArray *pool,
           gsize      size)
{
  gpointer block = g_malloc0 (size);

  g_ptr_array_add (pool, block);
  return block;
}

/* YYYY-MM-DD as CCYYMMDD. */
static const char *
x12_date (GPtrArray  *pool,
          const char *iso)
{
  if (iso == NULL || strlen (iso) != 10)
    return "";
  return keep (pool, g_strdup_printf ("%.4s%.2s%.2s", iso, iso + 5, iso + 8));
}

/* An ICD-10-CM code as claims carry it: "E11.9" is "E119". */
static char *
bare_code (const char *code)
{
  GString *bare = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    if (*p != '.' && !g_ascii_isspace (*p))
      g_string_append_c (bare, g_ascii_toupper (*p));
  return g_string_free (bare, FALSE);
}

static const char *
x12_sex (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return "F";
  if (g_strcmp0 (sex, "male") == 0)
    return "M";
  return "U";
}

/* CMS place of service codes for our encounter kinds. */
static const char *
place_of_service (const char *kind)
{
  if (g_strcmp0 (kind, "home") == 0)
    return "12";
  if (g_strcmp0 (kind, "urgent") == 0)
    return "20";
  if (g_strcmp0 (kind, "telephone") == 0 || g_strcmp0 (kind, "video") == 0)
    return "02";
  return "11";
}

static void
fill_name (GPtrArray             *pool,
           ChX12Name             *name,
           const ChPatientRecord *patient)
{
  name->last_name = keep (pool, x12_text (patient->family_name));
  name->first_name = keep (pool, x12_text (patient->given_name));
  name->address1 = keep (pool, x12_text (patient->address_line));
  name->city = keep (pool, x12_text (patient->city));
  name->state = keep (pool, x12_text (patient->region));
  name->zip = keep (pool, x12_text (patient->postal_code));
}

/* Our record of a claim being built, and the X12 structs for it. */
typedef struct
{
  ChClaimCandidate *candidate;
  ChClaim          *claim;
  char             *mrn;
  GArray           *line_ids;   /* of gint64 */
  ChX12Subscriber  *subscriber;
} PendingClaim;

static void
pending_free (PendingClaim *pending)
{
  ch_claim_free (pending->claim);
  g_free (pending->mrn);
  g_clear_pointer (&pending->line_ids, g_array_unref);
  g_free (pending);
}

/* Reads the encounter's lines, problems, patient and policy into @pending's
 * subscriber loop (one subscriber loop a claim). */
static gboolean
prepare_claim (ChStore         *store,
               GPtrArray       *pool,
               const ChPayer   *payer,
               PendingClaim    *pending,
               GError         **error)
{
  ChClaimCandidate *c = pending->candidate;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autoptr (ChPolicyRecord) policy = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GPtrArray) diagnoses = g_ptr_array_new ();
  g_autoptr (GArray) x12_lines = g_array_new (FALSE, TRUE, sizeof (ChX12ServiceLine));
  g_autoptr (ChClaimProvider) rendering = NULL;
  ChX12Subscriber *sub;
  ChX12Claim *claim;
  gint64 total = 0;

  patient = ch_db_patient_get (store, c->patient_id, error);
  if (patient == NULL)
    return FALSE;
  policy = ch_db_policy_get (store, c->policy_id, error);
  if (policy == NULL)
    return FALSE;
  lines = ch_db_charge_list (store, c->encounter_id, 0, error);
  if (lines == NULL)
    return FALSE;
  pending->mrn = g_strdup (patient->mrn);
  pending->line_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < lines->len; i++)
    {
      const ChChargeLine *line = lines->pdata[i];
      ChX12ServiceLine x = { 0 };
      g_auto (GStrv) mods = NULL;
      guint n_ptr = 0;

      if (line->reversed)
        continue;
      x.procedure = keep (pool, g_strdup (line->code));
      mods = g_strsplit (line->modifiers, ":", CH_BILLING_MAX_MODIFIERS);
      for (guint m = 0; mods[m] != NULL && m < 4; m++)
        if (*mods[m] != '\0')
          x.modifiers[m] = keep (pool, g_strdup (mods[m]));
      x.charge = line->amount_cents;
      x.units = (guint) line->units;
      x.date = x12_date (pool, line->service_date);
      for (guint d = 0; d < CH_BILLING_MAX_DX && line->dx[d] != 0; d++)
        {
          g_autoptr (GError) local = NULL;
          g_autofree char *code = ch_db_claim_problem_code (store, line->dx[d], &local);
          g_autofree char *bare = NULL;
          guint index;

          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          if (code == NULL)
            continue;
          bare = bare_code (code);
          for (index = 0; index < diagnoses->len; index++)
            if (g_str_equal (diagnoses->pdata[index], bare))
              break;
          if (index == diagnoses->len)
            g_ptr_array_add (diagnoses, (gpointer) keep (pool, g_strdup (bare)));
          x.pointers[n_ptr++] = index + 1;
        }
      total += line->amount_cents;
      g_array_append_val (x12_lines, x);
      g_array_append_val (pending->line_ids, line->id);
    }
  g_ptr_array_add (diagnoses, NULL);

  pending->claim = g_new0 (ChClaim, 1);
  pending->claim->payer_id = g_strdup (payer->id);
  pending->claim->patient_id = c->patient_id;
  pending->claim->encounter_id = c->encounter_id;
  pending->claim->policy_id = c->policy_id;
  pending->claim->member_id = g_strdup (policy->member_id);
  pending->claim->billed_cents = total;

  claim = keep_new0 (pool, sizeof (ChX12Claim));
  claim->total_charge = total;
  claim->place_of_service = place_of_service (c->kind);
  claim->frequency = "1";
  claim->provider_signature = TRUE;
  claim->assignment = "A";
  claim->benefits_assigned = TRUE;
  claim->release_of_info = "Y";
  claim->diagnoses = (const char * const *) keep (pool, g_memdup2 (diagnoses->pdata,
                                                                  diagnoses->len * sizeof (gpointer)));
  rendering = ch_db_claim_provider_get (store, c->provider, error);
  if (rendering == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (rendering != NULL)
    {
      ChX12Provider *r = keep_new0 (pool, sizeof (ChX12Provider));

      r->last_name = keep (pool, x12_text (rendering->last_name));
      r->first_name = keep (pool, x12_text (rendering->first_name));
      r->npi = keep (pool, g_strdup (rendering->npi));
      claim->rendering = r;
    }
  claim->n_lines = x12_lines->len;
  claim->lines = (const ChX12ServiceLine *) keep (pool, g_memdup2 (x12_lines->data,
                                                                    x12_lines->len * sizeof (ChX12ServiceLine)));

  sub = keep_new0 (pool, sizeof (ChX12Subscriber));
  sub->member_id = keep (pool, x12_text (policy->member_id));
  sub->group_number = keep (pool, x12_text (policy->group_id));
  sub->payer_responsibility = "P";
  sub->claim_filing = payer->claim_filing;
  if (g_strcmp0 (policy->subscriber_relation, "self") == 0)
    {
      fill_name (pool, &sub->subscriber, patient);
      sub->birth_date = x12_date (pool, patient->birth_date);
      sub->sex = x12_sex (patient->sex);
    }
  else
    {
      ChX12Name *who = keep_new0 (pool, sizeof (ChX12Name));
      g_autofree char *name = x12_text (policy->subscriber_name);
      char *space = strrchr (name, ' ');
      char *comma = strchr (name, ',');

      /* "Family, Given" as Charta writes names, or "Given Family". */
      if (comma != NULL)
        {
          *comma = '\0';
          sub->subscriber.last_name = keep (pool, g_strdup (g_strstrip (name)));
          sub->subscriber.first_name = keep (pool, g_strdup (g_strstrip (comma + 1)));
        }
      else if (space != NULL)
        {
          *space = '\0';
          sub->subscriber.last_name = keep (pool, g_strdup (space + 1));
          sub->subscriber.first_name = keep (pool, g_strdup (name));
        }
      else
        sub->subscriber.last_name = keep (pool, g_strdup (name));
      fill_name (pool, who, patient);
      sub->patient = who;
      sub->patient_relationship = g_strcmp0 (policy->subscriber_relation, "spouse") == 0 ? "01"
                                  : g_strcmp0 (policy->subscriber_relation, "child") == 0 ? "19"
                                  : "G8";
      sub->patient_birth_date = x12_date (pool, patient->birth_date);
      sub->patient_sex = x12_sex (patient->sex);
    }
  sub->claims = claim;
  sub->n_claims = 1;
  pending->subscriber = sub;
  return TRUE;
}

static void
fill_envelope (ChX12Batch           *batch,
               GPtrArray            *pool,
               const ChClaimsSetup  *setup,
               const ChPayer        *payer,
               gint64                batch_id,
               GDateTime            *now)
{
  batch->sender_qualifier = "ZZ";
  batch->sender_id = keep (pool, x12_text (setup->submitter_id));
  batch->receiver_qualifier = "ZZ";
  batch->receiver_id = payer->receiver_id;
  batch->date = keep (pool, g_date_time_format (now, "%Y%m%d"));
  batch->time = keep (pool, g_date_time_format (now, "%H%M"));
  batch->interchange_control = (guint) batch_id;
  batch->group_control = (guint) batch_id;
  batch->transaction_control = keep (pool, g_strdup_printf ("%04" PRId64, batch_id));
  batch->reference = keep (pool, g_strdup_printf ("CHB%" PRId64, batch_id));
  batch->submitter_name = keep (pool, x12_text (setup->name));
  batch->submitter_id = batch->sender_id;
  batch->contact_name = keep (pool, x12_text (setup->contact_name));
  batch->contact_phone = keep (pool, g_strdup (setup->contact_phone));
  batch->receiver_name = keep (pool, x12_text (payer->name));
  batch->receiver_etin = payer->receiver_id;
  batch->billing_taxonomy = is_set (setup->taxonomy) ? setup->taxonomy : NULL;
  batch->billing.organization = keep (pool, x12_text (setup->name));
  batch->billing.address1 = keep (pool, x12_text (setup->address1));
  batch->billing.city = keep (pool, x12_text (setup->city));
  batch->billing.state = keep (pool, x12_text (setup->state));
  batch->billing.zip = setup->zip;
  batch->billing_npi = setup->npi;
  batch->billing_tax_id = setup->tax_id;
  batch->payer_name = batch->receiver_name;
  batch->payer_id = payer->id;
}

static void
unlink_all (GPtrArray *paths)
{
  for (guint i = 0; i < paths->len; i++)
    g_unlink (paths->pdata[i]);
}

ChClaimsBuildResult *
ch_claims_build (ChSession   *session,
                 const char  *payer_id,
                 const char  *out,
                 GError     **error)
{
  ChStore *store = ch_session_get_store (session);
  const char *username = ch_session_get_username (session);
  g_autoptr (ChClaimsBuildResult) result = g_new0 (ChClaimsBuildResult, 1);
  g_autoptr (ChClaimsSetup) setup = NULL;
  g_autoptr (GPtrArray) candidates = NULL;
  g_autoptr (GPtrArray) payer_ids = g_ptr_array_new ();
  g_autoptr (GHashTable) groups = NULL;
  g_autoptr (GPtrArray) pool = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  gboolean ok = TRUE;

  g_return_val_if_fail (out != NULL, NULL);

  if (!check_manager (session, error))
    return NULL;
  if (payer_id != NULL)
    {
      g_autoptr (ChPayer) payer = ch_db_payer_get (store, payer_id, NULL);

      if (payer == NULL)
        {
          fail (error, CH_CLAIMS_ERROR_NOT_FOUND,
                _("No payer “%s”; “claims payers” lists them"), payer_id);
          return NULL;
        }
      if (g_file_test (out, G_FILE_TEST_EXISTS))
        {
          fail (error, CH_CLAIMS_ERROR_INVALID,
                _("%s exists already; a claim file is never overwritten, give another name"),
                out);
          return NULL;
        }
    }
  else if (g_mkdir_with_parents (out, 0700) != 0 || !g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("Without --payer, --out is a folder that receives one file a payer; %s is not "
              "one"), out);
      return NULL;
    }
  setup = load_setup (store, error);
  if (setup == NULL || !check_setup (setup, error))
    return NULL;

  result->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
  result->skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) skipped_free);
  candidates = ch_db_claim_candidates (store, error);
  if (candidates == NULL)
    return NULL;
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                  (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < candidates->len; i++)
    {
      ChClaimCandidate *c = candidates->pdata[i];
      GPtrArray *group;

      if ((c->policy_id == 0 || c->payer_id == NULL) && payer_id != NULL)
        continue;  /* not this payer's; "claims payers" lists them */
      if (c->policy_id == 0 || c->payer_id == NULL)
        {
          ChClaimSkipped *skipped = g_new0 (ChClaimSkipped, 1);

          skipped->encounter_id = c->encounter_id;
          skipped->patient_id = c->patient_id;
          skipped->reason = c->policy_id == 0
                            ? g_strdup (_("self-pay: the patient has no active insurance policy"))
                            : g_strdup_printf (_("the payer “%s” is not set up (claims payers add)"),
                                               c->policy_payer);
          g_ptr_array_add (result->skipped, skipped);
          continue;
        }
      if (payer_id != NULL && !g_str_equal (payer_id, c->payer_id))
        continue;
      group = g_hash_table_lookup (groups, c->payer_id);
      if (group == NULL)
        {
          group = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
          g_hash_table_insert (groups, c->payer_id, group);
          g_ptr_array_add (payer_ids, c->payer_id);
        }
      {
        PendingClaim *pending = g_new0 (PendingClaim, 1);

        pending->candidate = c;
        g_ptr_array_add (group, pending);
      }
    }
  if (payer_ids->len == 0)
    return g_steal_pointer (&result);

  if (!ch_store_begin (store, error))
    return NULL;
  for (guint p = 0; ok && p < payer_ids->len; p++)
    {
      GPtrArray *group = g_hash_table_lookup (groups, payer_ids->pdata[p]);
      g_autoptr (ChPayer) payer = ch_db_payer_get (store, payer_ids->pdata[p], error);
      g_autoptr (GBytes) bytes = NULL;
      g_autofree char *path = NULL;
      g_autofree char *object_id = NULL;
      g_autofree char *detail = NULL;
      ChX12Subscriber *subs;
      ChX12Batch batch = { 0 };
      ChClaimBatch *info;
      gint64 batch_id = 0, total = 0;

      ok = payer != NULL && ch_db_claim_batch_next_id (store, &batch_id, error);
      if (!ok)
        break;
      fill_envelope (&batch, pool, setup, payer, batch_id, now);
      subs = keep_new0 (pool, group->len * sizeof (ChX12Subscriber));
      for (guint i = 0; ok && i < group->len; i++)
        {
          PendingClaim *pending = group->pdata[i];

          ok = prepare_claim (store, pool, payer, pending, error);
          if (ok)
            {
              pending->claim->batch_id = batch_id;
              total += pending->claim->billed_cents;
              subs[i] = *pending->subscriber;
            }
        }
      if (!ok)
        break;
      if (payer_id != NULL)
        path = g_strdup (out);
      else
        {
          g_autofree char *name = g_strdup_printf ("%s-%" PRId64 ".x12", payer->id, batch_id);

          path = g_build_filename (out, name, NULL);
        }
      {
        g_autofree char *base = g_path_get_basename (path);

        ok = ch_db_claim_batch_insert (store, batch_id, payer->id, base, group->len, total,
                                       username, error);
      }
      for (guint i = 0; ok && i < group->len; i++)
        {
          PendingClaim *pending = group->pdata[i];
          ChX12Claim *claim = (ChX12Claim *) subs[i].claims;
          g_autofree char *amount = NULL;
          g_autofree char *claim_detail = NULL;

          ok = ch_db_claim_insert (store, pending->claim,
                                   (const gint64 *) pending->line_ids->data,
                                   pending->line_ids->len, username, error);
          if (!ok)
            break;
          claim->claim_id = pending->claim->claim_number;

          /* Checked one claim at a time so that the message can name the
           * encounter, which the office manager can find and correct. */
          {
            ChX12Batch one = batch;
            g_autoptr (GBytes) check = NULL;
            g_autoptr (GError) local = NULL;

            one.subscribers = &subs[i];
            one.n_subscribers = 1;
            check = ch_x12_837p_build (&one, TRUE, &local);
            if (check == NULL)
              {
                g_set_error (error, CH_CLAIMS_ERROR, CH_CLAIMS_ERROR_INVALID,
                             _("Encounter %" PRId64 " (patient %s): %s"),
                             pending->candidate->encounter_id, pending->mrn, local->message);
                ok = FALSE;
                break;
              }
          }
          amount = ch_billing_format_amount (pending->claim->billed_cents);
          claim_detail = g_strdup_printf ("%s to %s, encounter %" PRId64 ", batch %" PRId64,
                                          amount, payer->id, pending->candidate->encounter_id,
                                          batch_id);
          ok = ch_session_audit (session, CH_AUDIT_CREATE, "claim",
                                 pending->claim->claim_number, pending->claim->patient_id,
                                 claim_detail, error);
        }
      if (!ok)
        break;
      batch.subscribers = subs;
      batch.n_subscribers = group->len;
      bytes = ch_x12_837p_build (&batch, TRUE, error);
      if (bytes == NULL)
        {
          ok = FALSE;
          break;
        }
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          fail (error, CH_CLAIMS_ERROR_INVALID,
                _("%s exists already; a claim file is never overwritten, give another name"),
                path);
          ok = FALSE;
          break;
        }
      ok = g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                error);
      if (!ok)
        break;
      g_ptr_array_add (written, g_strdup (path));
      object_id = g_strdup_printf ("%" PRId64, batch_id);
      {
        g_autofree char *amount = ch_billing_format_amount (total);

        detail = g_strdup_printf ("837P to %s: %u claim(s), %s, %s", payer->id, group->len,
                                  amount, path);
      }
      ok = ch_session_audit (session, CH_AUDIT_EXPORT, "claim-batch", object_id, 0, detail, error);
      info = g_new0 (ChClaimBatch, 1);
      info->batch_id = batch_id;
      info->payer_id = g_strdup (payer->id);
      info->path = g_strdup (path);
      info->n_claims = group->len;
      info->total_cents = total;
      g_ptr_array_add (result->batches, info);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    {
      unlink_all (written);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* ---- posting ----------------------------------------------------------------- */

/* One claim payment checked against our claim, ready to post. */
typedef struct
{
  const ChX12ClaimPayment *cp;
  ChClaim                 *claim;
  GPtrArray               *lines;      /* of ChChargeLine, the claim's, SV1 order */
  GArray                  *service_line; /* per SVC: index into lines */
  gboolean                 denied;
  gint64                   contractual;
  gint64                   other;
  gint64                   patient;
} CheckedClaim;

static void
checked_free (CheckedClaim *checked)
{
  ch_claim_free (checked->claim);
  g_clear_pointer (&checked->lines, g_ptr_array_unref);
  g_clear_pointer (&checked->service_line, g_array_unref);
  g_free (checked);
}

static gint64
sum_adjustments (const GArray *adjustments,
                 CheckedClaim *checked)
{
  gint64 sum = 0;

  for (guint i = 0; adjustments != NULL && i < adjustments->len; i++)
    {
      const ChX12Adjustment *a = &g_array_index (adjustments, ChX12Adjustment, i);

      sum += a->amount;
      if (g_str_equal (a->group, "PR"))
        checked->patient += a->amount;
      else if (g_str_equal (a->group, "CO"))
        checked->contractual += a->amount;
      else
        checked->other += a->amount;
    }
  return sum;
}

static gboolean
same_modifiers (const char *ours,
                const char *theirs)
{
  return g_strcmp0 (ours ? ours : "", theirs ? theirs : "") == 0;
}

static CheckedClaim *
check_claim_payment (ChStore                  *store,
                     const char               *file,
                     const ChX12Remittance    *r,
                     const ChX12ClaimPayment  *cp,
                     GError                  **error)
{
  g_autoptr (GError) local = NULL;
  CheckedClaim *checked = g_new0 (CheckedClaim, 1);
  g_autoptr (GArray) line_ids = NULL;
  g_autofree char *billed = NULL;
  g_autofree char *said = NULL;
  gint64 adjusted, services_charge = 0;
  g_autofree gboolean *used = NULL;

  checked->cp = cp;
  checked->claim = ch_db_claim_get_by_number (store, cp->claim_id, &local);
  if (checked->claim == NULL)
    {
      checked_free (checked);
      if (!g_error_matches (local, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim “%s” (CLP01) is not one of this practice's claims; nothing was posted"),
            file, cp->claim_id);
      return NULL;
    }
  if (!g_str_equal (checked->claim->status, "submitted"))
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s was settled already (%s, trace %s); nothing was posted"),
            file, cp->claim_id, checked->claim->status, checked->claim->trace_number);
      checked_free (checked);
      return NULL;
    }
  if (is_set (r->payer_id) && !g_str_equal (r->payer_id, checked->claim->payer_id))
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s went to payer %s, but this remittance is from %s; nothing was posted"),
            file, cp->claim_id, checked->claim->payer_id, r->payer_id);
      checked_free (checked);
      return NULL;
    }
  billed = ch_billing_format_amount (checked->claim->billed_cents);
  said = ch_billing_format_amount (cp->charge);
  if (cp->charge != checked->claim->billed_cents)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s billed %s, but the remittance says %s (CLP03); nothing was posted"),
            file, cp->claim_id, billed, said);
      checked_free (checked);
      return NULL;
    }
  checked->denied = g_str_equal (cp->status, "4");
  if (!checked->denied && !g_strv_contains ((const char * const[]) { "1", "2", "3", "19", "20",
                                                                     "21", NULL }, cp->status))
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s has status %s (CLP02), which Charta does not post (only processed "
              "and denied claims); nothing was posted"), file, cp->claim_id, cp->status);
      checked_free (checked);
      return NULL;
    }
  if (checked->denied && cp->paid != 0)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s is denied (CLP02 = 4) but paid; nothing was posted"),
            file, cp->claim_id);
      checked_free (checked);
      return NULL;
    }
  if (cp->paid < 0)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s has a negative payment (CLP04); Charta does not post payer "
              "take-backs; nothing was posted"), file, cp->claim_id);
      checked_free (checked);
      return NULL;
    }

  line_ids = ch_db_claim_line_ids (store, checked->claim->id, error);
  if (line_ids == NULL)
    {
      checked_free (checked);
      return NULL;
    }
  checked->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_charge_line_free);
  for (guint i = 0; i < line_ids->len; i++)
    {
      ChChargeLine *line = ch_db_charge_get (store, g_array_index (line_ids, gint64, i), error);

      if (line == NULL)
        {
          checked_free (checked);
          return NULL;
        }
      g_ptr_array_add (checked->lines, line);
    }

  /* What the payer says must add up: the charge is what was paid plus every
   * adjustment, for the claim and for each service line. */
  adjusted = sum_adjustments (cp->adjustments, checked);
  checked->service_line = g_array_new (FALSE, FALSE, sizeof (guint));
  used = g_new0 (gboolean, checked->lines->len);
  for (guint s = 0; s < cp->services->len; s++)
    {
      const ChX12ServicePayment *svc = cp->services->pdata[s];
      gint64 svc_adjusted = sum_adjustments (svc->adjustments, checked);
      guint match;

      adjusted += svc_adjusted;
      services_charge += svc->charge;
      if (svc->charge - svc->paid != svc_adjusted)
        {
          fail (error, CH_CLAIMS_ERROR_INVALID,
                _("%s: claim %s, service %s: the charge less the payment is not the sum of its "
                  "adjustments (SVC, CAS); nothing was posted"), file, cp->claim_id, svc->procedure);
          checked_free (checked);
          return NULL;
        }
      for (match = 0; match < checked->lines->len; match++)
        {
          const ChChargeLine *line = checked->lines->pdata[match];

          if (!used[match] && g_ascii_strcasecmp (line->code, svc->procedure) == 0
              && same_modifiers (line->modifiers, svc->modifiers)
              && line->amount_cents == svc->charge)
            break;
        }
      if (match == checked->lines->len)
        {
          g_autofree char *amount = ch_billing_format_amount (svc->charge);

          fail (error, CH_CLAIMS_ERROR_INVALID,
                _("%s: claim %s, service %s %s (SVC) matches none of the claim's lines; "
                  "nothing was posted"), file, cp->claim_id, svc->procedure, amount);
          checked_free (checked);
          return NULL;
        }
      used[match] = TRUE;
      g_array_append_val (checked->service_line, match);
    }
  if (cp->services->len > 0 && services_charge != cp->charge)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s: its service lines (SVC) do not add up to the claim's charge; "
              "nothing was posted"), file, cp->claim_id);
      checked_free (checked);
      return NULL;
    }
  if (cp->charge - cp->paid != adjusted)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s: the charge %s less the payment is not the sum of the adjustments "
              "(CLP, CAS); nothing was posted"), file, cp->claim_id, said);
      checked_free (checked);
      return NULL;
    }
  if ((cp->patient_responsibility != 0 || checked->patient != 0)
      && cp->patient_responsibility != checked->patient)
    {
      fail (error, CH_CLAIMS_ERROR_INVALID,
            _("%s: claim %s: the patient's share (CLP05) is not the sum of the PR adjustments; "
              "nothing was posted"), file, cp->claim_id);
      checked_free (checked);
      return NULL;
    }
  return checked;
}

static const char *
group_label (const char *group)
{
  if (g_str_equal (group, "CO"))
    return "contractual obligation";
  if (g_str_equal (group, "OA"))
    return "other adjustment";
  if (g_str_equal (group, "PI"))
    return "payer initiated reduction";
  return "correction";
}

/* Writes off (or, for a negative amount, adds back) one CO, OA or PI amount
 * and records it with the remittance. */
static gboolean
post_adjustment (ChSession               *session,
                 const CheckedClaim      *checked,
                 const ChX12Remittance   *r,
                 gint64                   remittance_id,
                 gint64                   charge_line_id,
                 const ChX12Adjustment   *a,
                 gint64                  *written_off,
                 GError                 **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (ChLedgerEntry) entry = NULL;
  gint64 entry_id = 0;

  if (!g_str_equal (a->group, "PR") && !checked->denied && a->amount != 0)
    {
      g_autofree char *amount = NULL;
      g_autofree char *object_id = NULL;
      g_autofree char *detail = NULL;

      entry = ch_ledger_entry_new ();
      entry->patient_id = checked->claim->patient_id;
      entry->kind = g_strdup (a->amount > 0 ? "write-off" : "adjustment");
      entry->amount_cents = -a->amount;
      entry->charge_line_id = charge_line_id;
      entry->reason = g_strdup_printf ("%s-%s %s, claim %s, remittance %s", a->group, a->reason,
                                       group_label (a->group), checked->claim->claim_number,
                                       r->trace_number);
      if (!ch_db_ledger_insert (store, entry, ch_session_get_username (session), error))
        return FALSE;
      entry_id = entry->id;
      *written_off += a->amount;
      amount = ch_billing_format_amount (entry->amount_cents);
      object_id = g_strdup_printf ("%" PRId64, entry->id);
      detail = g_strdup_printf ("%s %s: %s", entry->kind, amount, entry->reason);
      if (!ch_session_audit (session, CH_AUDIT_CREATE, entry->kind, object_id, entry->patient_id,
                             detail, error))
        return FALSE;
    }
  return ch_db_claim_adjustment_insert (store, remittance_id, charge_line_id, a->group, a->reason,
                                        a->amount, entry_id, error);
}

static gboolean
post_claim (ChSession              *session,
            const ChX12Remittance  *r,
            gint64                  advice_id,
            const CheckedClaim     *checked,
            ChClaimsPostResult     *result,
            GError                **error)
{
  ChStore *store = ch_session_get_store (session);
  const char *username = ch_session_get_username (session);
  const ChX12ClaimPayment *cp = checked->cp;
  ChClaimRemittance rem = { 0 };
  g_autoptr (ChPayment) payment = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *paid = NULL;
  const char *status;
  gint64 remittance_id = 0;

  if (cp->paid > 0)
    {
      g_autofree gint64 *remaining = g_new0 (gint64, checked->lines->len);
      g_autofree gint64 *allocate = g_new0 (gint64, checked->lines->len);
      g_autofree char *object_id = NULL;
      g_autofree char *payment_detail = NULL;
      g_autofree char *trace = g_utf8_substring (r->trace_number, 0, 60);

      payment = g_new0 (ChPayment, 1);
      payment->patient_id = checked->claim->patient_id;
      payment->method = g_strdup ("insurer");
      payment->reference = g_strdup_printf ("%s claim %s", trace, checked->claim->claim_number);
      payment->amount_cents = cp->paid;
      if (!ch_db_payment_insert (store, payment, username, error))
        return FALSE;

      /* To each line what the payer paid for it (SVC03), or, without
       * service lines, in order; never more than a line still owes. */
      for (guint i = 0; i < checked->lines->len; i++)
        {
          const ChChargeLine *line = checked->lines->pdata[i];

          remaining[i] = MAX (line->amount_cents - line->allocated_cents, 0);
        }
      if (cp->services->len > 0)
        for (guint s = 0; s < cp->services->len; s++)
          {
            const ChX12ServicePayment *svc = cp->services->pdata[s];
            guint i = g_array_index (checked->service_line, guint, s);

            allocate[i] += MIN (svc->paid, remaining[i] - allocate[i]);
          }
      else
        {
          gint64 left = cp->paid;

          for (guint i = 0; i < checked->lines->len && left > 0; i++)
            {
              allocate[i] = MIN (left, remaining[i]);
              left -= allocate[i];
            }
        }
      for (guint i = 0; i < checked->lines->len; i++)
        if (allocate[i] > 0
            && !ch_db_allocation_insert (store, payment->id,
                                         ((ChChargeLine *) checked->lines->pdata[i])->id,
                                         allocate[i], username, error))
          return FALSE;
      paid = ch_billing_format_amount (cp->paid);
      object_id = g_strdup_printf ("%" PRId64, payment->id);
      payment_detail = g_strdup_printf ("insurer %s ref %s", paid, payment->reference);
      if (!ch_session_audit (session, CH_AUDIT_CREATE, "payment", object_id, payment->patient_id,
                             payment_detail, error))
        return FALSE;
    }

  status = checked->denied ? "denied" : checked->patient > 0 ? "partial" : "paid";
  rem.claim_id = checked->claim->id;
  rem.advice_id = advice_id;
  rem.claim_status = cp->status;
  rem.charge_cents = cp->charge;
  rem.paid_cents = cp->paid;
  rem.contractual_cents = checked->contractual;
  rem.other_adjustment_cents = checked->other;
  rem.patient_cents = checked->patient;
  rem.denied = checked->denied;
  rem.payer_claim_number = cp->payer_control;
  rem.trace_number = r->trace_number;
  rem.payment_id = payment != NULL ? payment->id : 0;
  if (!ch_db_claim_remittance_insert (store, &rem, status, username, &remittance_id, error))
    return FALSE;

  for (guint i = 0; cp->adjustments != NULL && i < cp->adjustments->len; i++)
    if (!post_adjustment (session, checked, r, remittance_id, 0,
                          &g_array_index (cp->adjustments, ChX12Adjustment, i),
                          &result->written_off_cents, error))
      return FALSE;
  for (guint s = 0; s < cp->services->len; s++)
    {
      const ChX12ServicePayment *svc = cp->services->pdata[s];
      const ChChargeLine *line =
        checked->lines->pdata[g_array_index (checked->service_line, guint, s)];

      for (guint i = 0; svc->adjustments != NULL && i < svc->adjustments->len; i++)
        if (!post_adjustment (session, checked, r, remittance_id, line->id,
                              &g_array_index (svc->adjustments, ChX12Adjustment, i),
                              &result->written_off_cents, error))
          return FALSE;
    }

  result->claims++;
  if (checked->denied)
    result->denied++;
  result->paid_cents += cp->paid;
  result->patient_cents += checked->patient;
  g_free (paid);
  paid = ch_billing_format_amount (cp->paid);
  detail = g_strdup_printf ("%s: paid %s, trace %s", status, paid, r->trace_number);
  return ch_session_audit (session, CH_AUDIT_UPDATE, "claim", checked->claim->claim_number,
                           checked->claim->patient_id, detail, error);
}

gboolean
ch_claims_post_835 (ChSession           *session,
                    const char          *path,
                    ChClaimsPostResult  *out_result,
                    GError             **error)
{
  ChStore *store = ch_session_get_store (session);
  g_autoptr (GPtrArray) remittances = NULL;
  g_autoptr (GPtrArray) checked = g_ptr_array_new_with_free_func ((GDestroyNotify) checked_free);
  g_autoptr (GArray) skip = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  ChClaimsPostResult result = { 0 };
  gsize length;
  gboolean ok = TRUE;
  guint next = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!check_manager (session, error))
    return FALSE;
  if (!g_file_get_contents (path, &data, &length, error))
    return FALSE;
  name = g_path_get_basename (path);
  remittances = ch_x12_835_parse ((const guint8 *) data, length, error);
  if (remittances == NULL)
    {
      g_prefix_error (error, _("%s: not posted: "), name);
      return FALSE;
    }

  /* Everything is checked before anything is written. */
  for (guint i = 0; i < remittances->len; i++)
    {
      const ChX12Remittance *r = remittances->pdata[i];
      gint64 found = ch_db_remittance_advice_find (store, r->trace_originator, r->trace_number,
                                                   error);
      gboolean already = found > 0;

      if (found < 0)
        return FALSE;
      g_array_append_val (skip, already);
      if (already)
        {
          result.already_posted++;
          continue;
        }
      for (guint c = 0; c < r->claims->len; c++)
        {
          const ChX12ClaimPayment *cp = r->claims->pdata[c];
          CheckedClaim *one;

          if (!g_hash_table_add (seen, cp->claim_id))
            return fail (error, CH_CLAIMS_ERROR_INVALID,
                         _("%s: claim %s is paid twice in the file; nothing was posted"),
                         name, cp->claim_id);
          one = check_claim_payment (store, name, r, cp, error);
          if (one == NULL)
            return FALSE;
          g_ptr_array_add (checked, one);
        }
    }
  if (result.already_posted == remittances->len)
    {
      if (out_result != NULL)
        *out_result = result;
      return TRUE;
    }

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 0; ok && i < remittances->len; i++)
    {
      const ChX12Remittance *r = remittances->pdata[i];
      ChRemittanceAdvice advice = { 0 };
      g_autofree char *object_id = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *amount = NULL;
      gint64 advice_id = 0;

      if (g_array_index (skip, gboolean, i))
        continue;
      for (guint p = 0; r->provider_adjustments != NULL && p < r->provider_adjustments->len; p++)
        advice.provider_adjustment_cents +=
          g_array_index (r->provider_adjustments, ChX12ProviderAdjustment, p).amount;
      advice.trace_number = r->trace_number;
      advice.trace_originator = r->trace_originator;
      advice.payer_id = r->payer_id;
      advice.payer_name = r->payer_name;
      advice.payment_cents = r->payment;
      advice.method = r->method;
      advice.payment_date = r->payment_date;
      advice.file_name = name;
      ok = ch_db_remittance_advice_insert (store, &advice, ch_session_get_username (session),
                                           &advice_id, error);
      for (guint c = 0; ok && c < r->claims->len; c++)
        ok = post_claim (session, r, advice_id, checked->pdata[next++], &result, error);
      if (!ok)
        break;
      result.advices++;
      result.provider_adjustment_cents += advice.provider_adjustment_cents;
      object_id = g_strdup_printf ("%" PRId64, advice_id);
      amount = ch_billing_format_amount (r->payment);
      detail = g_strdup_printf ("835 %s from %s, trace %s, %u claim(s), %s", amount,
                                r->payer_name, r->trace_number, r->claims->len, name);
      ok = ch_session_audit (session, CH_AUDIT_CREATE, "remittance", object_id, 0, detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (out_result != NULL)
    *out_result = result;
  return TRUE;
}

GPtrArray *
ch_claims_list (ChSession  *session,
                GError    **error)
{
  if (!ch_session_check (session, CH_AREA_BILLING, CH_ACCESS_READ, error))
    return NULL;
  return ch_db_claim_list (ch_session_get_store (session), error);
}
