/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-claims-db"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "ch-claims-db.h"
#include "ch-store-private.h"

/* The store caches one statement per SQL text: every list below is read to
 * the end into an array before another query runs. */

ChPayer *
ch_payer_new (void)
{
  return g_new0 (ChPayer, 1);
}

void
ch_payer_free (ChPayer *payer)
{
  if (payer == NULL)
    return;
  g_free (payer->id);
  g_free (payer->name);
  g_free (payer->receiver_id);
  g_free (payer->claim_filing);
  g_free (payer->address1);
  g_free (payer->city);
  g_free (payer->state);
  g_free (payer->zip);
  g_free (payer);
}

void
ch_claim_provider_free (ChClaimProvider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->username);
  g_free (provider->npi);
  g_free (provider->last_name);
  g_free (provider->first_name);
  g_free (provider);
}

void
ch_claim_candidate_free (ChClaimCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->kind);
  g_free (candidate->provider);
  g_free (candidate->policy_payer);
  g_free (candidate->payer_id);
  g_free (candidate);
}

void
ch_claim_free (ChClaim *claim)
{
  if (claim == NULL)
    return;
  g_free (claim->claim_number);
  g_free (claim->payer_id);
  g_free (claim->payer_name);
  g_free (claim->mrn);
  g_free (claim->member_id);
  g_free (claim->status);
  g_free (claim->trace_number);
  g_free (claim);
}

static gboolean
not_found (GError    **error,
           const char *message)
{
  g_set_error_literal (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND, message);
  return FALSE;
}

/* ---- payers and providers -------------------------------------------------- */

#define PAYER_COLUMNS "id, name, receiver_id, claim_filing, address1, city, state, zip"

static ChPayer *
payer_from_row (sqlite3_stmt *stmt)
{
  ChPayer *payer = ch_payer_new ();

  payer->id = g_strdup (ch_store_column_text (stmt, 0));
  payer->name = g_strdup (ch_store_column_text (stmt, 1));
  payer->receiver_id = g_strdup (ch_store_column_text (stmt, 2));
  payer->claim_filing = g_strdup (ch_store_column_text (stmt, 3));
  payer->address1 = g_strdup (ch_store_column_text (stmt, 4));
  payer->city = g_strdup (ch_store_column_text (stmt, 5));
  payer->state = g_strdup (ch_store_column_text (stmt, 6));
  payer->zip = g_strdup (ch_store_column_text (stmt, 7));
  return payer;
}

gboolean
ch_db_payer_insert (ChStore        *store,
                    const ChPayer  *payer,
                    const char     *username,
                    GError        **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *key = NULL;
  int rc;

  g_return_val_if_fail (payer != NULL && payer->id != NULL && payer->name != NULL, FALSE);

  key = ch_fold (payer->name);
  stmt = ch_store_prepare (store, "SELECT id FROM payers WHERE id = ? OR name_key = ?", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, payer->id);
  ch_store_bind_text (stmt, 2, key);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      g_autofree char *other = g_strdup (ch_store_column_text (stmt, 0));

      sqlite3_reset (stmt);
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("There is already a payer %s with that id or name"), other);
      return FALSE;
    }
  sqlite3_reset (stmt);

  stmt = ch_store_prepare (store,
                           "INSERT INTO payers (id, name, name_key, receiver_id, claim_filing,"
                           " address1, city, state, zip, created_at, created_by)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, payer->id);
  ch_store_bind_text (stmt, 2, payer->name);
  ch_store_bind_text (stmt, 3, key);
  ch_store_bind_text (stmt, 4, payer->receiver_id ? payer->receiver_id : payer->id);
  ch_store_bind_text (stmt, 5, payer->claim_filing ? payer->claim_filing : "CI");
  ch_store_bind_text (stmt, 6, payer->address1 ? payer->address1 : "");
  ch_store_bind_text (stmt, 7, payer->city ? payer->city : "");
  ch_store_bind_text (stmt, 8, payer->state ? payer->state : "");
  ch_store_bind_text (stmt, 9, payer->zip ? payer->zip : "");
  sqlite3_bind_int64 (stmt, 10, g_get_real_time ());
  ch_store_bind_text (stmt, 11, username ? username : "");
  return ch_store_step_done (store, stmt, error);
}

ChPayer *
ch_db_payer_get (ChStore     *store,
                 const char  *id,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  ChPayer *payer;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " PAYER_COLUMNS " FROM payers WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      not_found (error, _("No such payer"));
      return NULL;
    }
  payer = payer_from_row (stmt);
  sqlite3_reset (stmt);
  return payer;
}

char *
ch_db_payer_match (ChStore     *store,
                   const char  *policy_payer,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  char *id = NULL;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id FROM payers WHERE name_key = ch_fold (?1) OR id = ?1"
                           " ORDER BY name_key = ch_fold (?1) DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, policy_payer);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    id = g_strdup (ch_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return id;
}

GPtrArray *
ch_db_payer_list (ChStore  *store,
                  GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_payer_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " PAYER_COLUMNS " FROM payers ORDER BY name_key, id",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, payer_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
ch_db_claim_provider_set (ChStore                *store,
                          const ChClaimProvider  *provider,
                          const char             *username,
                          GError                **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO claim_providers (username, npi, last_name,"
                           " first_name, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, provider->username);
  ch_store_bind_text (stmt, 2, provider->npi);
  ch_store_bind_text (stmt, 3, provider->last_name);
  ch_store_bind_text (stmt, 4, provider->first_name ? provider->first_name : "");
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  ch_store_bind_text (stmt, 6, username ? username : "");
  return ch_store_step_done (store, stmt, error);
}

static ChClaimProvider *
provider_from_row (sqlite3_stmt *stmt)
{
  ChClaimProvider *provider = g_new0 (ChClaimProvider, 1);

  provider->username = g_strdup (ch_store_column_text (stmt, 0));
  provider->npi = g_strdup (ch_store_column_text (stmt, 1));
  provider->last_name = g_strdup (ch_store_column_text (stmt, 2));
  provider->first_name = g_strdup (ch_store_column_text (stmt, 3));
  return provider;
}

ChClaimProvider *
ch_db_claim_provider_get (ChStore     *store,
                          const char  *username,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  ChClaimProvider *provider = NULL;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT username, npi, last_name, first_name FROM claim_providers"
                           " WHERE username = ?", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, username);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    provider = provider_from_row (stmt);
  sqlite3_reset (stmt);
  return provider;
}

GPtrArray *
ch_db_claim_provider_list (ChStore  *store,
                           GError  **error)
{
  g_autoptr (GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_claim_provider_free);
  stmt = ch_store_prepare (store,
                           "SELECT username, npi, last_name, first_name FROM claim_providers"
                           " ORDER BY username", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, provider_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

/* ---- building -------------------------------------------------------------- */

/* A charge line counts while its charge entry has not been reversed. */
#define LINE_LIVE(alias) \
  " NOT EXISTS (SELECT 1 FROM ledger_entries le JOIN ledger_entries lr ON lr.reverses = le.id" \
  " WHERE le.charge_line_id = " alias ".id AND le.kind = 'charge')"

GPtrArray *
ch_db_claim_candidates (ChStore  *store,
                        GError  **error)
{
  g_autoptr (GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_claim_candidate_free);
  /* The primary policy: the active one of the lowest priority. */
  stmt = ch_store_prepare (store,
                           "SELECT e.id, e.patient_id, e.start_at, e.kind, e.provider,"
                           " ip.id, ip.payer"
                           " FROM billing_encounters b JOIN encounters e ON e.id = b.encounter_id"
                           " LEFT JOIN insurance_policies ip ON ip.id ="
                           "  (SELECT p.id FROM insurance_policies p WHERE p.patient_id = e.patient_id"
                           "   AND p.status = 'active' ORDER BY p.priority, p.id LIMIT 1)"
                           " WHERE e.status = 'active'"
                           " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.encounter_id = e.id)"
                           " AND EXISTS (SELECT 1 FROM charge_lines cl WHERE cl.encounter_id = e.id"
                           " AND" LINE_LIVE ("cl") ")"
                           " ORDER BY e.start_at, e.id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChClaimCandidate *c = g_new0 (ChClaimCandidate, 1);

      c->encounter_id = sqlite3_column_int64 (stmt, 0);
      c->patient_id = sqlite3_column_int64 (stmt, 1);
      c->start_at = sqlite3_column_int64 (stmt, 2);
      c->kind = g_strdup (ch_store_column_text (stmt, 3));
      c->provider = g_strdup (ch_store_column_text (stmt, 4));
      c->policy_id = sqlite3_column_int64 (stmt, 5);
      if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
        c->policy_payer = g_strdup (ch_store_column_text (stmt, 6));
      g_ptr_array_add (list, c);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;

  for (guint i = 0; i < list->len; i++)
    {
      ChClaimCandidate *c = list->pdata[i];
      g_autoptr (GError) local = NULL;

      if (c->policy_payer == NULL)
        continue;
      c->payer_id = ch_db_payer_match (store, c->policy_payer, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  return g_steal_pointer (&list);
}

char *
ch_db_claim_problem_code (ChStore  *store,
                          gint64    chart_item_id,
                          GError  **error)
{
  sqlite3_stmt *stmt;
  char *code = NULL;

  stmt = ch_store_prepare (store, "SELECT code FROM chart_items WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, chart_item_id);
  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    code = g_strdup (ch_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return code;
}

gboolean
ch_db_claim_batch_next_id (ChStore  *store,
                           gint64   *out_id,
                           GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT max (coalesce ((SELECT seq FROM sqlite_sequence"
                           " WHERE name = 'claim_batches'), 0),"
                           " coalesce ((SELECT max (id) FROM claim_batches), 0)) + 1", error);
  if (stmt == NULL)
    return FALSE;
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    *out_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

gboolean
ch_db_claim_batch_insert (ChStore     *store,
                          gint64       batch_id,
                          const char  *payer_id,
                          const char  *file_name,
                          gint64       n_claims,
                          gint64       total_cents,
                          const char  *username,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO claim_batches (id, payer_id, file_name, n_claims,"
                           " total_cents, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  ch_store_bind_text (stmt, 2, payer_id);
  ch_store_bind_text (stmt, 3, file_name);
  sqlite3_bind_int64 (stmt, 4, n_claims);
  sqlite3_bind_int64 (stmt, 5, total_cents);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  ch_store_bind_text (stmt, 7, username ? username : "");
  return ch_store_step_done (store, stmt, error);
}

gboolean
ch_db_claim_insert (ChStore       *store,
                    ChClaim       *claim,
                    const gint64  *charge_line_ids,
                    guint          n_lines,
                    const char    *username,
                    GError       **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();

  /* The claim number is the row's id with a prefix. Claims are never
   * deleted, so an id, and its number, is never given twice. */
  stmt = ch_store_prepare (store,
                           "INSERT INTO claims (id, claim_number, batch_id, payer_id, patient_id,"
                           " encounter_id, policy_id, member_id, billed_cents, status, created_at,"
                           " created_by) VALUES ((SELECT coalesce (max (id), 0) + 1 FROM claims),"
                           " 'CH' || (SELECT coalesce (max (id), 0) + 1 FROM claims),"
                           " ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, claim->batch_id);
  ch_store_bind_text (stmt, 2, claim->payer_id);
  sqlite3_bind_int64 (stmt, 3, claim->patient_id);
  sqlite3_bind_int64 (stmt, 4, claim->encounter_id);
  if (claim->policy_id > 0)
    sqlite3_bind_int64 (stmt, 5, claim->policy_id);
  else
    sqlite3_bind_null (stmt, 5);
  ch_store_bind_text (stmt, 6, claim->member_id ? claim->member_id : "");
  sqlite3_bind_int64 (stmt, 7, claim->billed_cents);
  sqlite3_bind_int64 (stmt, 8, now);
  ch_store_bind_text (stmt, 9, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  claim->id = ch_store_last_insert_id (store);
  g_free (claim->claim_number);
  claim->claim_number = g_strdup_printf ("CH%" PRId64, claim->id);
  claim->status = g_strdup ("submitted");
  claim->created_at = now;

  for (guint i = 0; i < n_lines; i++)
    {
      stmt = ch_store_prepare (store,
                               "INSERT INTO claim_lines (claim_id, position, charge_line_id)"
                               " VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, claim->id);
      sqlite3_bind_int64 (stmt, 2, i + 1);
      sqlite3_bind_int64 (stmt, 3, charge_line_ids[i]);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- reading --------------------------------------------------------------- */

#define CLAIM_SELECT \
  "SELECT c.id, c.claim_number, c.batch_id, c.payer_id, py.name, c.patient_id, p.mrn," \
  " c.encounter_id, c.member_id, c.billed_cents, c.status, c.created_at," \
  " coalesce (r.paid_cents, 0), coalesce (r.contractual_cents + r.other_adjustment_cents, 0)," \
  " coalesce (r.patient_cents, 0), coalesce (r.trace_number, ''), coalesce (c.policy_id, 0)" \
  " FROM claims c JOIN payers py ON py.id = c.payer_id JOIN patients p ON p.id = c.patient_id" \
  " LEFT JOIN claim_remittances r ON r.claim_id = c.id"

static ChClaim *
claim_from_row (sqlite3_stmt *stmt)
{
  ChClaim *claim = g_new0 (ChClaim, 1);

  claim->id = sqlite3_column_int64 (stmt, 0);
  claim->claim_number = g_strdup (ch_store_column_text (stmt, 1));
  claim->batch_id = sqlite3_column_int64 (stmt, 2);
  claim->payer_id = g_strdup (ch_store_column_text (stmt, 3));
  claim->payer_name = g_strdup (ch_store_column_text (stmt, 4));
  claim->patient_id = sqlite3_column_int64 (stmt, 5);
  claim->mrn = g_strdup (ch_store_column_text (stmt, 6));
  claim->encounter_id = sqlite3_column_int64 (stmt, 7);
  claim->member_id = g_strdup (ch_store_column_text (stmt, 8));
  claim->billed_cents = sqlite3_column_int64 (stmt, 9);
  claim->status = g_strdup (ch_store_column_text (stmt, 10));
  claim->created_at = sqlite3_column_int64 (stmt, 11);
  claim->paid_cents = sqlite3_column_int64 (stmt, 12);
  claim->adjusted_cents = sqlite3_column_int64 (stmt, 13);
  claim->patient_cents = sqlite3_column_int64 (stmt, 14);
  claim->trace_number = g_strdup (ch_store_column_text (stmt, 15));
  claim->policy_id = sqlite3_column_int64 (stmt, 16);
  return claim;
}

GPtrArray *
ch_db_claim_list (ChStore  *store,
                  GError  **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_claim_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, CLAIM_SELECT " ORDER BY c.id DESC", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (list, claim_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&list);
}

ChClaim *
ch_db_claim_get_by_number (ChStore     *store,
                           const char  *claim_number,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  ChClaim *claim;
  int rc;

  stmt = ch_store_prepare (store, CLAIM_SELECT " WHERE c.claim_number = ?", error);
  if (stmt == NULL)
    return NULL;
  ch_store_bind_text (stmt, 1, claim_number);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      not_found (error, _("No such claim"));
      return NULL;
    }
  claim = claim_from_row (stmt);
  sqlite3_reset (stmt);
  return claim;
}

GArray *
ch_db_claim_line_ids (ChStore  *store,
                      gint64    claim_id,
                      GError  **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT charge_line_id FROM claim_lines WHERE claim_id = ?"
                           " ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, claim_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;
  return g_steal_pointer (&ids);
}

/* ---- remittances ----------------------------------------------------------- */

gint64
ch_db_remittance_advice_find (ChStore     *store,
                              const char  *trace_originator,
                              const char  *trace_number,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id FROM remittance_advices WHERE trace_originator = ?"
                           " AND trace_number = ?", error);
  if (stmt == NULL)
    return -1;
  ch_store_bind_text (stmt, 1, trace_originator);
  ch_store_bind_text (stmt, 2, trace_number);
  rc = ch_store_step (store, stmt, error);
  if (rc < 0)
    return -1;
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

gboolean
ch_db_remittance_advice_insert (ChStore                   *store,
                                const ChRemittanceAdvice  *a,
                                const char                *username,
                                gint64                    *out_id,
                                GError                   **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO remittance_advices (trace_number, trace_originator, payer_id,"
                           " payer_name, payment_cents, method, payment_date,"
                           " provider_adjustment_cents, file_name, posted_at, posted_by)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, a->trace_number);
  ch_store_bind_text (stmt, 2, a->trace_originator);
  ch_store_bind_text (stmt, 3, a->payer_id ? a->payer_id : "");
  ch_store_bind_text (stmt, 4, a->payer_name ? a->payer_name : "");
  sqlite3_bind_int64 (stmt, 5, a->payment_cents);
  ch_store_bind_text (stmt, 6, a->method ? a->method : "");
  ch_store_bind_text (stmt, 7, a->payment_date ? a->payment_date : "");
  sqlite3_bind_int64 (stmt, 8, a->provider_adjustment_cents);
  ch_store_bind_text (stmt, 9, a->file_name ? a->file_name : "");
  sqlite3_bind_int64 (stmt, 10, g_get_real_time ());
  ch_store_bind_text (stmt, 11, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  *out_id = ch_store_last_insert_id (store);
  return TRUE;
}

gboolean
ch_db_claim_remittance_insert (ChStore                  *store,
                               const ChClaimRemittance  *r,
                               const char               *new_status,
                               const char               *username,
                               gint64                   *out_id,
                               GError                  **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO claim_remittances (claim_id, advice_id, claim_status,"
                           " charge_cents, paid_cents, contractual_cents, other_adjustment_cents,"
                           " patient_cents, denied, payer_claim_number, trace_number, payment_id,"
                           " posted_at, posted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, r->claim_id);
  sqlite3_bind_int64 (stmt, 2, r->advice_id);
  ch_store_bind_text (stmt, 3, r->claim_status);
  sqlite3_bind_int64 (stmt, 4, r->charge_cents);
  sqlite3_bind_int64 (stmt, 5, r->paid_cents);
  sqlite3_bind_int64 (stmt, 6, r->contractual_cents);
  sqlite3_bind_int64 (stmt, 7, r->other_adjustment_cents);
  sqlite3_bind_int64 (stmt, 8, r->patient_cents);
  sqlite3_bind_int (stmt, 9, r->denied ? 1 : 0);
  ch_store_bind_text (stmt, 10, r->payer_claim_number ? r->payer_claim_number : "");
  ch_store_bind_text (stmt, 11, r->trace_number ? r->trace_number : "");
  if (r->payment_id > 0)
    sqlite3_bind_int64 (stmt, 12, r->payment_id);
  else
    sqlite3_bind_null (stmt, 12);
  sqlite3_bind_int64 (stmt, 13, g_get_real_time ());
  ch_store_bind_text (stmt, 14, username ? username : "");
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;
  *out_id = ch_store_last_insert_id (store);

  stmt = ch_store_prepare (store, "UPDATE claims SET status = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  ch_store_bind_text (stmt, 1, new_status);
  sqlite3_bind_int64 (stmt, 2, r->claim_id);
  return ch_store_step_done (store, stmt, error);
}

gboolean
ch_db_claim_adjustment_insert (ChStore     *store,
                               gint64       remittance_id,
                               gint64       charge_line_id,
                               const char  *group_code,
                               const char  *reason_code,
                               gint64       amount_cents,
                               gint64       ledger_entry_id,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO claim_adjustments (remittance_id, charge_line_id, group_code,"
                           " reason_code, amount_cents, ledger_entry_id) VALUES (?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, remittance_id);
  if (charge_line_id > 0)
    sqlite3_bind_int64 (stmt, 2, charge_line_id);
  else
    sqlite3_bind_null (stmt, 2);
  ch_store_bind_text (stmt, 3, group_code);
  ch_store_bind_text (stmt, 4, reason_code);
  sqlite3_bind_int64 (stmt, 5, amount_cents);
  if (ledger_entry_id > 0)
    sqlite3_bind_int64 (stmt, 6, ledger_entry_id);
  else
    sqlite3_bind_null (stmt, 6);
  return ch_store_step_done (store, stmt, error);
}
