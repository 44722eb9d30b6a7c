/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-patient-db"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ch-patient-db.h"
#include "ch-records.h"
#include "ch-store-private.h"

/* Patients, their phones, identifiers and insurance, the search index and
 * item history. Every versioned update keeps the row as it was in
 * item_history before changing it. */

#define HIGHEST_CHAR "\xf4\x8f\xbf\xbf"   /* U+10FFFF: after every token */
#define SEARCH_BATCH 256
#define SCAN_CAP     50000                /* candidates examined per call */
#define ESTIMATE_CAP 2000

/* ---- records ------------------------------------------------------------------ */

static void
phone_free (ChPhone *phone)
{
  g_free (phone->kind);
  g_free (phone->number);
  g_free (phone);
}

static void
identifier_free (ChIdentifier *identifier)
{
  g_free (identifier->system);
  g_free (identifier->value);
  g_free (identifier);
}

ChPatientRecord *
ch_patient_record_new (void)
{
  return g_new0 (ChPatientRecord, 1);
}

void
ch_patient_record_free (ChPatientRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->mrn);
  g_free (record->given_name);
  g_free (record->family_name);
  g_free (record->preferred_name);
  g_free (record->birth_date);
  g_free (record->sex);
  g_free (record->gender_identity);
  g_free (record->pronouns);
  g_free (record->address_line);
  g_free (record->city);
  g_free (record->region);
  g_free (record->postal_code);
  g_free (record->country);
  g_free (record->email);
  g_free (record->language);
  g_free (record->emergency_name);
  g_free (record->emergency_relation);
  g_free (record->emergency_phone);
  g_free (record->primary_provider);
  g_clear_pointer (&record->photo, g_bytes_unref);
  g_free (record->status);
  g_clear_pointer (&record->phones, g_ptr_array_unref);
  g_clear_pointer (&record->identifiers, g_ptr_array_unref);
  g_free (record);
}

void
ch_patient_record_add_phone (ChPatientRecord *record,
                             const char      *kind,
                             const char      *number)
{
  ChPhone *phone = g_new0 (ChPhone, 1);

  if (record->phones == NULL)
    record->phones = g_ptr_array_new_with_free_func ((GDestroyNotify) phone_free);

  phone->kind = g_strdup (kind ? kind : "mobile");
  phone->number = g_strdup (number);
  g_ptr_array_add (record->phones, phone);
}

void
ch_patient_record_add_identifier (ChPatientRecord *record,
                                  const char      *system,
                                  const char      *value)
{
  ChIdentifier *identifier = g_new0 (ChIdentifier, 1);

  if (record->identifiers == NULL)
    record->identifiers = g_ptr_array_new_with_free_func ((GDestroyNotify) identifier_free);

  identifier->system = g_strdup (system);
  identifier->value = g_strdup (value);
  g_ptr_array_add (record->identifiers, identifier);
}

ChPatientRecord *
ch_patient_record_copy (const ChPatientRecord *record)
{
  ChPatientRecord *copy = ch_patient_record_new ();

  copy->id = record->id;
  copy->mrn = g_strdup (record->mrn);
  copy->given_name = g_strdup (record->given_name);
  copy->family_name = g_strdup (record->family_name);
  copy->preferred_name = g_strdup (record->preferred_name);
  copy->birth_date = g_strdup (record->birth_date);
  copy->sex = g_strdup (record->sex);
  copy->gender_identity = g_strdup (record->gender_identity);
  copy->pronouns = g_strdup (record->pronouns);
  copy->address_line = g_strdup (record->address_line);
  copy->city = g_strdup (record->city);
  copy->region = g_strdup (record->region);
  copy->postal_code = g_strdup (record->postal_code);
  copy->country = g_strdup (record->country);
  copy->email = g_strdup (record->email);
  copy->language = g_strdup (record->language);
  copy->emergency_name = g_strdup (record->emergency_name);
  copy->emergency_relation = g_strdup (record->emergency_relation);
  copy->emergency_phone = g_strdup (record->emergency_phone);
  copy->primary_provider = g_strdup (record->primary_provider);
  copy->photo = record->photo ? g_bytes_ref (record->photo) : NULL;
  copy->status = g_strdup (record->status);
  copy->merged_into = record->merged_into;
  copy->version = record->version;

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      ch_patient_record_add_phone (copy, phone->kind, phone->number);
    }
  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = record->identifiers->pdata[i];
      ch_patient_record_add_identifier (copy, identifier->system, identifier->value);
    }

  return copy;
}

/* "Family, Given (Preferred)". (transfer full) */
char *
ch_patient_record_display_name (const ChPatientRecord *record)
{
  GString *name = g_string_new (record->family_name ? record->family_name : "");

  if (record->given_name != NULL && *record->given_name != '\0')
    g_string_append_printf (name, ", %s", record->given_name);
  if (record->preferred_name != NULL && *record->preferred_name != '\0')
    g_string_append_printf (name, " (%s)", record->preferred_name);

  return g_string_free (name, FALSE);
}

void
ch_patient_hit_free (ChPatientHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->mrn);
  g_free (hit->family_name);
  g_free (hit->given_name);
  g_free (hit->preferred_name);
  g_free (hit->birth_date);
  g_free (hit->sex);
  g_free (hit->phone);
  g_free (hit);
}

void
ch_history_entry_free (ChHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->snapshot);
  g_free (entry->changed_by);
  g_free (entry->reason);
  g_free (entry);
}

ChPolicyRecord *
ch_policy_record_new (void)
{
  ChPolicyRecord *record = g_new0 (ChPolicyRecord, 1);

  record->priority = 1;
  return record;
}

void
ch_policy_record_free (ChPolicyRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->payer);
  g_free (record->plan);
  g_free (record->member_id);
  g_free (record->group_id);
  g_free (record->subscriber_name);
  g_free (record->subscriber_relation);
  g_free (record->start_date);
  g_free (record->end_date);
  g_free (record->status);
  g_free (record);
}

/* The digits of a phone number, for matching however it was typed.
 * (transfer full) */
char *
ch_phone_digits (const char *number)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = number ? number : ""; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* ---- tokens -------------------------------------------------------------------- */

static void
add_token (GPtrArray  *tokens,
           const char *prefix,
           const char *text)
{
  char *token;

  if (text == NULL || *text == '\0')
    return;

  token = g_strconcat (prefix, text, NULL);
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (tokens->pdata[i], token))
      {
        g_free (token);
        return;
      }
  g_ptr_array_add (tokens, token);
}

/* A name's words, folded: each word as it is, without its punctuation
 * ("o'brien" → "obrien") and its parts ("garcia-lopez" → "garcia", "lopez"). */
static void
add_name_tokens (GPtrArray  *tokens,
                 const char *name)
{
  g_autofree char *folded = ch_fold (name);
  g_auto (GStrv) words = g_strsplit (folded, " ", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autoptr (GString) joined = g_string_new (NULL);
      const char *word = words[i];

      if (*word == '\0')
        continue;

      add_token (tokens, "n:", word);

      for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          if (g_unichar_isalnum (c))
            g_string_append_unichar (joined, c);
        }
      add_token (tokens, "n:", joined->str);

      if (strpbrk (word, "-'’.") != NULL)
        {
          g_auto (GStrv) parts = g_strsplit_set (word, "-'.", -1);
          for (guint j = 0; parts[j] != NULL; j++)
            if (strlen (parts[j]) >= 2)
              add_token (tokens, "n:", parts[j]);
        }
    }
}

/* "family given|birth-date|preferred", folded: the order of results, and
 * what the search checks further words against without another read. */
static char *
make_sort_key (const ChPatientRecord *record)
{
  g_autofree char *name = g_strconcat (or_empty (record->family_name), " ",
                                       or_empty (record->given_name), NULL);
  g_autofree char *folded = ch_fold (name);
  g_autofree char *preferred = ch_fold (record->preferred_name);

  return g_strconcat (folded, "|", or_empty (record->birth_date), "|", preferred, NULL);
}

/* Whether a word of the name parts of @sort_key, or a variant of it as
 * add_name_tokens() indexes it, starts with @prefix. */
static gboolean
sort_key_has_name (const char *sort_key,
                   const char *prefix)
{
  g_auto (GStrv) fields = g_strsplit (sort_key, "|", 3);
  gsize len = strlen (prefix);

  for (guint f = 0; fields[f] != NULL; f++)
    {
      g_auto (GStrv) words = NULL;

      if (f == 1)
        continue;  /* the birth date */

      words = g_strsplit (fields[f], " ", -1);
      for (guint i = 0; words[i] != NULL; i++)
        {
          g_autoptr (GString) joined = NULL;
          const char *word = words[i];

          if (strncmp (word, prefix, len) == 0)
            return TRUE;
          if (strpbrk (word, "-'’.") == NULL)
            continue;

          joined = g_string_new (NULL);
          for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
            {
              gunichar c = g_utf8_get_char (p);
              if (g_unichar_isalnum (c))
                g_string_append_unichar (joined, c);
            }
          if (strncmp (joined->str, prefix, len) == 0)
            return TRUE;

          {
            g_auto (GStrv) parts = g_strsplit_set (word, "-'.", -1);
            for (guint j = 0; parts[j] != NULL; j++)
              if (strlen (parts[j]) >= 2 && strncmp (parts[j], prefix, len) == 0)
                return TRUE;
          }
        }
    }

  return FALSE;
}

/* The birth date field of @sort_key matches a "d:" range of a term. */
static gboolean
sort_key_has_date (const char *sort_key,
                   const char *lo,
                   const char *hi)
{
  const char *bar = strchr (sort_key, '|');
  char token[32];
  const char *end;
  gsize len;

  if (bar == NULL)
    return FALSE;
  end = strchr (bar + 1, '|');
  len = end != NULL ? (gsize) (end - bar - 1) : strlen (bar + 1);
  if (len == 0 || len > 20)
    return FALSE;

  g_snprintf (token, sizeof token, "d:%.*s", (int) len, bar + 1);
  return strcmp (token, lo) >= 0 && strcmp (token, hi) < 0;
}

static GPtrArray *
record_tokens (const ChPatientRecord *record)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  add_name_tokens (tokens, record->family_name);
  add_name_tokens (tokens, record->given_name);
  add_name_tokens (tokens, record->preferred_name);
  add_token (tokens, "m:", record->mrn);
  add_token (tokens, "d:", record->birth_date);
  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      g_autofree char *digits = ch_phone_digits (phone->number);

      gsize len = strlen (digits);

      /* From the start, and without a country or area code: people type the
       * number the way they know it. */
      if (len >= 3)
        add_token (tokens, "p:", digits);
      if (len > 10)
        add_token (tokens, "p:", digits + len - 10);
      if (len > 7)
        add_token (tokens, "p:", digits + len - 7);
    }

  return tokens;
}

static gboolean
write_tokens (ChStore               *store,
              const ChPatientRecord *record,
              GError               **error)
{
  g_autoptr (GPtrArray) tokens = record_tokens (record);
  g_autofree char *sort_key = make_sort_key (record);
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "DELETE FROM patient_search WHERE patient_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  /* A merged record is found through the one it was merged into. */
  if (g_strcmp0 (record->status, "merged") == 0)
    return TRUE;

  stmt = ch_store_prepare (store,
                           "INSERT OR IGNORE INTO patient_search (token, sort_key, patient_id)"
                           " VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < tokens->len; i++)
    {
      sqlite3_bind_text (stmt, 1, tokens->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, sort_key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, record->id);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* ---- patients ------------------------------------------------------------------ */

#define PATIENT_COLUMNS                                                            \
  "id, mrn, given_name, family_name, birth_date, sex, preferred_name,"            \
  " gender_identity, pronouns, address_line, city, region, postal_code, country," \
  " email, language, emergency_name, emergency_relation, emergency_phone,"        \
  " primary_provider, photo, status, merged_into, version"

static char *
dup_column (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup (ch_store_column_text (stmt, col));
}

static ChPatientRecord *
patient_from_row (sqlite3_stmt *stmt)
{
  ChPatientRecord *record = ch_patient_record_new ();

  record->id = sqlite3_column_int64 (stmt, 0);
  record->mrn = dup_column (stmt, 1);
  record->given_name = dup_column (stmt, 2);
  record->family_name = dup_column (stmt, 3);
  record->birth_date = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? NULL : dup_column (stmt, 4);
  record->sex = dup_column (stmt, 5);
  record->preferred_name = dup_column (stmt, 6);
  record->gender_identity = dup_column (stmt, 7);
  record->pronouns = dup_column (stmt, 8);
  record->address_line = dup_column (stmt, 9);
  record->city = dup_column (stmt, 10);
  record->region = dup_column (stmt, 11);
  record->postal_code = dup_column (stmt, 12);
  record->country = dup_column (stmt, 13);
  record->email = dup_column (stmt, 14);
  record->language = dup_column (stmt, 15);
  record->emergency_name = dup_column (stmt, 16);
  record->emergency_relation = dup_column (stmt, 17);
  record->emergency_phone = dup_column (stmt, 18);
  record->primary_provider = dup_column (stmt, 19);
  if (sqlite3_column_type (stmt, 20) == SQLITE_BLOB)
    record->photo = g_bytes_new (sqlite3_column_blob (stmt, 20), sqlite3_column_bytes (stmt, 20));
  record->status = dup_column (stmt, 21);
  record->merged_into = sqlite3_column_int64 (stmt, 22);
  record->version = sqlite3_column_int64 (stmt, 23);
  return record;
}

/* Seven digits and a Luhn check digit, so that a mistyped number is caught
 * rather than opening the wrong chart. */
static char *
make_mrn (gint64 n)
{
  char digits[16];
  int sum = 0;
  int len;

  len = g_snprintf (digits, sizeof digits, "%07" G_GINT64_FORMAT, n);
  for (int i = len - 1, pos = 0; i >= 0; i--, pos++)
    {
      int d = digits[i] - '0';
      if (pos % 2 == 0)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }

  return g_strdup_printf ("%s%d", digits, (10 - sum % 10) % 10);
}

static void
bind_demographics (sqlite3_stmt          *stmt,
                   const ChPatientRecord *record,
                   const char            *name_key,
                   const char            *sort_key)
{
  sqlite3_bind_text (stmt, 1, or_empty (record->given_name), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record->family_name, -1, SQLITE_STATIC);
  ch_store_bind_text (stmt, 3, record->birth_date);
  sqlite3_bind_text (stmt, 4, record->sex ? record->sex : "unknown", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, name_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, or_empty (record->preferred_name), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, or_empty (record->gender_identity), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, or_empty (record->pronouns), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, or_empty (record->address_line), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, or_empty (record->city), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, or_empty (record->region), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, or_empty (record->postal_code), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, or_empty (record->country), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 14, or_empty (record->email), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 15, or_empty (record->language), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 16, or_empty (record->emergency_name), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 17, or_empty (record->emergency_relation), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 18, or_empty (record->emergency_phone), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 19, or_empty (record->primary_provider), -1, SQLITE_STATIC);
  if (record->photo != NULL)
    sqlite3_bind_blob (stmt, 20, g_bytes_get_data (record->photo, NULL),
                       (int) g_bytes_get_size (record->photo), SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 20);
  sqlite3_bind_text (stmt, 21, sort_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 22, g_get_real_time ());
}

static gboolean
write_phones_and_identifiers (ChStore               *store,
                              const ChPatientRecord *record,
                              GError               **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store, "DELETE FROM patient_phones WHERE patient_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  stmt = ch_store_prepare (store, "DELETE FROM patient_identifiers WHERE patient_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      g_autofree char *digits = ch_phone_digits (phone->number);

      stmt = ch_store_prepare (store,
                               "INSERT INTO patient_phones (patient_id, kind, number, digits)"
                               " VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, record->id);
      sqlite3_bind_text (stmt, 2, phone->kind ? phone->kind : "mobile", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, or_empty (phone->number), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, digits, -1, SQLITE_STATIC);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }

  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = record->identifiers->pdata[i];

      stmt = ch_store_prepare (store,
                               "INSERT INTO patient_identifiers (patient_id, system, value)"
                               " VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, record->id);
      sqlite3_bind_text (stmt, 2, or_empty (identifier->system), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, or_empty (identifier->value), -1, SQLITE_STATIC);
      if (!ch_store_step_done (store, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
load_phones_and_identifiers (ChStore         *store,
                             ChPatientRecord *record,
                             GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT kind, number FROM patient_phones WHERE patient_id = ?"
                                  " ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    ch_patient_record_add_phone (record, ch_store_column_text (stmt, 0),
                                 ch_store_column_text (stmt, 1));
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;

  stmt = ch_store_prepare (store, "SELECT system, value FROM patient_identifiers"
                                  " WHERE patient_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, record->id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    ch_patient_record_add_identifier (record, ch_store_column_text (stmt, 0),
                                      ch_store_column_text (stmt, 1));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/**
 * ch_db_patient_insert:
 * @record: the new patient; when its mrn is %NULL one is assigned. On success
 *   its id, mrn, status and version are filled in.
 *
 * Inserts the patient with phones, identifiers and search tokens. Call inside
 * a transaction, so that the MRN sequence cannot race.
 */
gboolean
ch_db_patient_insert (ChStore          *store,
                      ChPatientRecord  *record,
                      GError          **error)
{
  g_autofree char *name_key = NULL;
  g_autofree char *sort_key = NULL;
  g_autofree char *name = NULL;
  sqlite3_stmt *stmt;

  if (record->mrn == NULL)
    {
      gint64 next;

      stmt = ch_store_prepare (store, "SELECT coalesce (max (id), 0) + 1 FROM patients", error);
      if (stmt == NULL || ch_store_step (store, stmt, error) != SQLITE_ROW)
        return FALSE;
      next = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      record->mrn = make_mrn (next);
    }

  name = g_strconcat (record->family_name, " ", or_empty (record->given_name), NULL);
  name_key = ch_fold (name);
  sort_key = make_sort_key (record);

  stmt = ch_store_prepare (store,
                           "INSERT INTO patients (given_name, family_name, birth_date, sex, name_key,"
                           " preferred_name, gender_identity, pronouns, address_line, city, region,"
                           " postal_code, country, email, language, emergency_name,"
                           " emergency_relation, emergency_phone, primary_provider, photo, sort_key,"
                           " created_at, updated_at, mrn)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                           " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?22, ?23)",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_demographics (stmt, record, name_key, sort_key);
  sqlite3_bind_text (stmt, 23, record->mrn, -1, SQLITE_STATIC);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  record->id = ch_store_last_insert_id (store);
  record->version = 1;
  g_free (record->status);
  record->status = g_strdup ("active");

  return write_phones_and_identifiers (store, record, error)
         && write_tokens (store, record, error);
}

/* The record as GVariant text, for item_history. */
static char *
patient_snapshot (const ChPatientRecord *record)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto (GVariantBuilder) phones = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ss)"));
  g_auto (GVariantBuilder) identifiers = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ss)"));
  g_autoptr (GVariant) variant = NULL;
  const struct { const char *key; const char *value; } fields[] = {
    { "mrn", record->mrn }, { "given_name", record->given_name },
    { "family_name", record->family_name }, { "preferred_name", record->preferred_name },
    { "birth_date", record->birth_date }, { "sex", record->sex },
    { "gender_identity", record->gender_identity }, { "pronouns", record->pronouns },
    { "address_line", record->address_line }, { "city", record->city },
    { "region", record->region }, { "postal_code", record->postal_code },
    { "country", record->country }, { "email", record->email },
    { "language", record->language }, { "emergency_name", record->emergency_name },
    { "emergency_relation", record->emergency_relation },
    { "emergency_phone", record->emergency_phone },
    { "primary_provider", record->primary_provider }, { "status", record->status },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_variant_builder_add (&builder, "{sv}", fields[i].key,
                           g_variant_new_string (or_empty (fields[i].value)));

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      g_variant_builder_add (&phones, "(ss)", or_empty (phone->kind), or_empty (phone->number));
    }
  for (guint i = 0; record->identifiers != NULL && i < record->identifiers->len; i++)
    {
      const ChIdentifier *identifier = record->identifiers->pdata[i];
      g_variant_builder_add (&identifiers, "(ss)", or_empty (identifier->system),
                             or_empty (identifier->value));
    }
  g_variant_builder_add (&builder, "{sv}", "phones", g_variant_builder_end (&phones));
  g_variant_builder_add (&builder, "{sv}", "identifiers", g_variant_builder_end (&identifiers));
  g_variant_builder_add (&builder, "{sv}", "has_photo", g_variant_new_boolean (record->photo != NULL));

  variant = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_print (variant, FALSE);
}

gboolean
ch_db_history_write (ChStore    *store,
               const char *item_type,
               gint64      item_id,
               gint64      version,
               const char *snapshot,
               const char *changed_by,
               const char *reason,
               GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO item_history (item_type, item_id, version, snapshot,"
                           " changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, item_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, item_id);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_text (stmt, 4, snapshot, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, or_empty (changed_by), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  sqlite3_bind_text (stmt, 7, or_empty (reason), -1, SQLITE_STATIC);
  return ch_store_step_done (store, stmt, error);
}

/**
 * ch_db_patient_update:
 * @record: the patient as it should now be; its id and version identify the
 *   version it was edited from. On success its version is the new one.
 *
 * Keeps the current version in item_history (with @changed_by and @reason),
 * then writes @record. Refuses with CH_STORE_ERROR_CONSTRAINT when somebody
 * else changed the patient since @record was read.
 */
gboolean
ch_db_patient_update (ChStore          *store,
                      ChPatientRecord  *record,
                      const char       *changed_by,
                      const char       *reason,
                      GError          **error)
{
  g_autoptr (ChPatientRecord) current = NULL;
  g_autofree char *snapshot = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *sort_key = NULL;
  sqlite3_stmt *stmt;

  current = ch_db_patient_get (store, record->id, error);
  if (current == NULL)
    return FALSE;

  if (record->version != current->version)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("Someone else changed this patient in the meantime; reopen it and try again"));
      return FALSE;
    }

  snapshot = patient_snapshot (current);
  if (!ch_db_history_write (store, "patient", current->id, current->version, snapshot, changed_by,
                      reason, error))
    return FALSE;

  name = g_strconcat (record->family_name, " ", or_empty (record->given_name), NULL);
  name_key = ch_fold (name);
  sort_key = make_sort_key (record);

  stmt = ch_store_prepare (store,
                           "UPDATE patients SET given_name = ?1, family_name = ?2, birth_date = ?3,"
                           " sex = ?4, name_key = ?5, preferred_name = ?6, gender_identity = ?7,"
                           " pronouns = ?8, address_line = ?9, city = ?10, region = ?11,"
                           " postal_code = ?12, country = ?13, email = ?14, language = ?15,"
                           " emergency_name = ?16, emergency_relation = ?17, emergency_phone = ?18,"
                           " primary_provider = ?19, photo = ?20, sort_key = ?21, updated_at = ?22,"
                           " status = ?23, merged_into = ?24, version = version + 1"
                           " WHERE id = ?25",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_demographics (stmt, record, name_key, sort_key);
  sqlite3_bind_text (stmt, 23, record->status ? record->status : "active", -1, SQLITE_STATIC);
  if (record->merged_into > 0)
    sqlite3_bind_int64 (stmt, 24, record->merged_into);
  else
    sqlite3_bind_null (stmt, 24);
  sqlite3_bind_int64 (stmt, 25, record->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  record->version = current->version + 1;
  g_free (record->mrn);
  record->mrn = g_strdup (current->mrn);

  return write_phones_and_identifiers (store, record, error)
         && write_tokens (store, record, error);
}

static ChPatientRecord *
get_by (ChStore    *store,
        const char *sql,
        gint64      id,
        const char *mrn,
        GError    **error)
{
  g_autoptr (ChPatientRecord) record = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;

  if (mrn != NULL)
    sqlite3_bind_text (stmt, 1, mrn, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    record = patient_from_row (stmt);
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      if (mrn != NULL)
        g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                     _("There is no patient with the medical record number %s"), mrn);
      else
        g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                     _("There is no patient with id %" PRId64), id);
    }
  if (record == NULL)
    return NULL;

  if (!load_phones_and_identifiers (store, record, error))
    return NULL;

  return g_steal_pointer (&record);
}

/* Returns: (transfer full): the patient, or %NULL with CH_STORE_ERROR_NOT_FOUND */
ChPatientRecord *
ch_db_patient_get (ChStore *store,
                   gint64   id,
                   GError **error)
{
  return get_by (store, "SELECT " PATIENT_COLUMNS " FROM patients WHERE id = ?", id, NULL, error);
}

ChPatientRecord *
ch_db_patient_get_by_mrn (ChStore    *store,
                          const char *mrn,
                          GError    **error)
{
  return get_by (store, "SELECT " PATIENT_COLUMNS " FROM patients WHERE mrn = ?", 0, mrn, error);
}

gint64
ch_db_patient_count (ChStore *store,
                     GError **error)
{
  sqlite3_stmt *stmt;
  gint64 count = -1;

  stmt = ch_store_prepare (store, "SELECT count(*) FROM patients WHERE status = 'active'", error);
  if (stmt == NULL)
    return -1;
  if (ch_store_step (store, stmt, error) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

/* Patients whose folded "family given" starts with the folded @prefix.
 * Returns: (transfer full) (element-type ChPatientRecord) */
GPtrArray *
ch_db_patient_find_name (ChStore    *store,
                         const char *prefix,
                         guint       limit,
                         GError    **error)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_record_free);
  g_autofree char *key = ch_fold (prefix);
  g_autofree char *upper = g_strconcat (key, HIGHEST_CHAR, NULL);
  sqlite3_stmt *stmt;
  int rc;

  /* A range on the index instead of LIKE, which SQLite would not index here. */
  stmt = ch_store_prepare (store,
                           "SELECT " PATIENT_COLUMNS " FROM patients"
                           " WHERE name_key >= ? AND name_key < ? AND status = 'active'"
                           " ORDER BY name_key, id LIMIT ?",
                           error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, upper, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, (int) MIN (limit, G_MAXINT));
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (found, patient_from_row (stmt));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&found) : NULL;
}

static ChPatientHit *
hit_for_id (ChStore *store,
            gint64   id,
            GError **error)
{
  ChPatientHit *hit = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, mrn, family_name, given_name, preferred_name, birth_date, sex,"
                           " (SELECT number FROM patient_phones WHERE patient_id = patients.id"
                           "  ORDER BY id LIMIT 1)"
                           " FROM patients WHERE id = ?",
                           error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    {
      hit = g_new0 (ChPatientHit, 1);
      hit->id = sqlite3_column_int64 (stmt, 0);
      hit->mrn = dup_column (stmt, 1);
      hit->family_name = dup_column (stmt, 2);
      hit->given_name = dup_column (stmt, 3);
      hit->preferred_name = dup_column (stmt, 4);
      hit->birth_date = dup_column (stmt, 5);
      hit->sex = dup_column (stmt, 6);
      hit->phone = dup_column (stmt, 7);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no patient with id %" PRId64), id);
  sqlite3_reset (stmt);
  return hit;
}

/**
 * ch_db_patient_find_duplicates:
 *
 * Active patients who may be @record: the same folded family and given name
 * and date of birth, or a phone number in common. @record itself (by id) is
 * left out.
 *
 * Returns: (transfer full) (element-type ChPatientHit)
 */
GPtrArray *
ch_db_patient_find_duplicates (ChStore               *store,
                               const ChPatientRecord *record,
                               GError               **error)
{
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_hit_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *name = g_strconcat (or_empty (record->family_name), " ",
                                       or_empty (record->given_name), NULL);
  g_autofree char *name_key = ch_fold (name);
  sqlite3_stmt *stmt;
  int rc;

  if (record->birth_date != NULL)
    {
      stmt = ch_store_prepare (store,
                               "SELECT id FROM patients WHERE name_key = ? AND birth_date = ?"
                               " AND status = 'active' AND id != ?", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, name_key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, record->birth_date, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, record->id);
      while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      sqlite3_reset (stmt);
      if (rc < 0)
        return NULL;
    }

  for (guint i = 0; record->phones != NULL && i < record->phones->len; i++)
    {
      const ChPhone *phone = record->phones->pdata[i];
      g_autofree char *digits = ch_phone_digits (phone->number);
      g_autofree char *token = NULL;
      gsize len = strlen (digits);

      if (len < 7)
        continue;

      /* The last ten digits, as the search index keeps them, so that a
       * country code written or not makes no difference. */
      token = g_strconcat ("p:", len > 10 ? digits + len - 10 : digits, NULL);
      stmt = ch_store_prepare (store,
                               "SELECT DISTINCT patient_id FROM patient_search"
                               " WHERE token = ? AND patient_id != ?", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, token, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, record->id);
      while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      sqlite3_reset (stmt);
      if (rc < 0)
        return NULL;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 *id = &g_array_index (ids, gint64, i);
      ChPatientHit *hit;

      if (g_hash_table_contains (seen, id))
        continue;
      g_hash_table_add (seen, id);

      hit = hit_for_id (store, *id, error);
      if (hit == NULL)
        return NULL;
      g_ptr_array_add (hits, hit);
    }

  return g_steal_pointer (&hits);
}

/* Returns: (transfer full) (element-type ChHistoryEntry): earlier versions,
 * oldest first */
GPtrArray *
ch_db_item_history (ChStore    *store,
                    const char *item_type,
                    gint64      item_id,
                    GError    **error)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_history_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT id, version, snapshot, changed_by, changed_at, reason"
                           " FROM item_history WHERE item_type = ? AND item_id = ?"
                           " ORDER BY version, id", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, item_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, item_id);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      ChHistoryEntry *entry = g_new0 (ChHistoryEntry, 1);

      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->version = sqlite3_column_int64 (stmt, 1);
      entry->snapshot = dup_column (stmt, 2);
      entry->changed_by = dup_column (stmt, 3);
      entry->changed_at = sqlite3_column_int64 (stmt, 4);
      entry->reason = dup_column (stmt, 5);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&entries) : NULL;
}

/* Builds the search tokens of patients registered before the search index
 * existed (schema 3), once. */
gboolean
ch_db_patient_search_ensure_index (ChStore *store,
                                   GError **error)
{
  g_autofree char *done = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  done = ch_db_setting_get (store, "search.index-version", error);
  if (done != NULL)
    return TRUE;

  if (!ch_store_begin (store, error))
    return FALSE;

  stmt = ch_store_prepare (store, "SELECT id FROM patients", error);
  if (stmt == NULL)
    goto fail;
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    goto fail;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (ChPatientRecord) record = ch_db_patient_get (store, g_array_index (ids, gint64, i),
                                                              error);
      if (record == NULL || !write_tokens (store, record, error))
        goto fail;
    }

  if (!ch_db_setting_set (store, "search.index-version", "1", error))
    goto fail;

  return ch_store_commit (store, error);

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* ---- search ---------------------------------------------------------------------- */

typedef struct
{
  char *lo;
  char *hi;
} Range;

typedef struct
{
  GArray *ranges;  /* of Range */
} Term;

struct _ChSearchCursor
{
  char       *query;
  GPtrArray  *terms;        /* of Term */
  int         driver;       /* -1: not chosen yet */
  guint       range;        /* within the driver */
  char       *last_token;   /* NULL: start of the range */
  char       *last_sort_key;
  gint64      last_id;
  GHashTable *seen;         /* patient ids already returned */
  gboolean    done;
};

static void
range_clear (Range *range)
{
  g_free (range->lo);
  g_free (range->hi);
}

static void
term_free (Term *term)
{
  g_array_unref (term->ranges);
  g_free (term);
}

static Term *
term_new (void)
{
  Term *term = g_new0 (Term, 1);

  term->ranges = g_array_new (FALSE, TRUE, sizeof (Range));
  g_array_set_clear_func (term->ranges, (GDestroyNotify) range_clear);
  return term;
}

static void
term_add_prefix (Term       *term,
                 const char *kind,
                 const char *text)
{
  Range range;

  range.lo = g_strconcat (kind, text, NULL);
  range.hi = g_strconcat (kind, text, HIGHEST_CHAR, NULL);
  g_array_append_val (term->ranges, range);
}

static void
term_add_exact (Term       *term,
                const char *kind,
                const char *text)
{
  Range range;

  range.lo = g_strconcat (kind, text, NULL);
  range.hi = g_strconcat (kind, text, "\x01", NULL);
  g_array_append_val (term->ranges, range);
}

static gboolean
valid_ymd (int y,
           int m,
           int d)
{
  return y >= 1850 && y <= 2200 && g_date_valid_dmy (d, m, y);
}

static void
term_add_date (Term *term,
               int   y,
               int   m,
               int   d)
{
  char iso[16];

  if (!valid_ymd (y, m, d))
    return;

  g_snprintf (iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  for (guint i = 0; i < term->ranges->len; i++)
    if (strncmp (g_array_index (term->ranges, Range, i).lo + 2, iso, 10) == 0)
      return;
  term_add_exact (term, "d:", iso);
}

static int
expand_year (int year,
             int digits)
{
  if (digits != 2)
    return year;

  /* 05 → 2005 unless that is in the future; then 1905. */
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    int this_year = g_date_time_get_year (now);
    return 2000 + year > this_year ? 1900 + year : 2000 + year;
  }
}

/* Reads a typed date: 1980-05-17, 1980/05/17, 17.05.1980, 17/05/1980 or
 * 05/17/1980 (both readings when both are dates), 17-05-1980, two-digit years,
 * and 19800517. Adds every date it can be. */
static gboolean
parse_date (const char *text,
            Term       *term)
{
  int a, b, c;
  char s1, s2;
  int n_c = 0;
  int pos = 0;
  guint before = term->ranges->len;

  if (strlen (text) == 8 && strspn (text, "0123456789") == 8)
    {
      int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
      int m = (text[4] - '0') * 10 + (text[5] - '0');
      int d = (text[6] - '0') * 10 + (text[7] - '0');
      term_add_date (term, y, m, d);
      return term->ranges->len > before;
    }

  if (sscanf (text, "%d%c%d%c%n", &a, &s1, &b, &s2, &pos) != 4 || s1 != s2
      || strchr ("-/.", s1) == NULL)
    return FALSE;

  if (sscanf (text + pos, "%d%n", &c, &n_c) != 1 || text[pos + n_c] != '\0')
    return FALSE;

  if (pos >= 5 && a >= 1000)
    term_add_date (term, a, b, c);                 /* Y-M-D */
  else
    {
      int year = expand_year (c, n_c);

      term_add_date (term, year, b, a);            /* D.M.Y */
      if (s1 == '/')
        term_add_date (term, year, a, b);          /* M/D/Y */
    }

  return term->ranges->len > before;
}

/* Splits @query into terms, each a set of token ranges any of which matches. */
static GPtrArray *
parse_query (const char *query)
{
  GPtrArray *terms = g_ptr_array_new_with_free_func ((GDestroyNotify) term_free);
  g_auto (GStrv) words = g_strsplit_set (query ? query : "", " \t,;", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      g_autofree char *digits = NULL;
      Term *term;
      gboolean numeric = TRUE;

      if (*word == '\0')
        continue;

      for (const char *p = word; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p) && strchr ("+-/.()", *p) == NULL)
          numeric = FALSE;

      term = term_new ();
      digits = ch_phone_digits (word);

      if (numeric && *digits != '\0')
        {
          parse_date (word, term);
          if (strlen (digits) == 4)
            term_add_prefix (term, "d:", digits);   /* a year of birth */
          term_add_prefix (term, "m:", digits);
          term_add_prefix (term, "p:", digits);
        }
      else
        {
          g_autofree char *folded = ch_fold (word);
          term_add_prefix (term, "n:", folded);
        }

      g_ptr_array_add (terms, term);
    }

  return terms;
}

ChSearchCursor *
ch_search_cursor_new (const char *query)
{
  ChSearchCursor *cursor = g_new0 (ChSearchCursor, 1);

  cursor->query = g_strdup (query ? query : "");
  cursor->terms = parse_query (cursor->query);
  cursor->driver = -1;
  cursor->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return cursor;
}

void
ch_search_cursor_free (ChSearchCursor *cursor)
{
  if (cursor == NULL)
    return;
  g_free (cursor->query);
  g_ptr_array_unref (cursor->terms);
  g_free (cursor->last_token);
  g_free (cursor->last_sort_key);
  g_hash_table_unref (cursor->seen);
  g_free (cursor);
}

/* No terms: the caller shows recent patients instead. */
gboolean
ch_search_cursor_is_empty_query (ChSearchCursor *cursor)
{
  return cursor->terms->len == 0;
}

/* How many index entries a term matches, counted up to ESTIMATE_CAP. */
static gint64
estimate (ChStore    *store,
          const Term *term,
          GError    **error)
{
  gint64 total = 0;

  for (guint i = 0; i < term->ranges->len; i++)
    {
      const Range *range = &g_array_index (term->ranges, Range, i);
      sqlite3_stmt *stmt;

      stmt = ch_store_prepare (store,
                               "SELECT count(*) FROM (SELECT 1 FROM patient_search"
                               " WHERE token >= ? AND token < ? LIMIT " G_STRINGIFY (ESTIMATE_CAP) ")",
                               error);
      if (stmt == NULL)
        return -1;
      sqlite3_bind_text (stmt, 1, range->lo, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, range->hi, -1, SQLITE_STATIC);
      if (ch_store_step (store, stmt, error) != SQLITE_ROW)
        return -1;
      total += sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }

  return total;
}

/* Whether patient @id (whose sort key is @sort_key) has a token in one of
 * @term's ranges. Names and dates of birth are in the sort key, so only MRNs
 * and phones need the index. */
static int
patient_matches (ChStore    *store,
                 gint64      id,
                 const char *sort_key,
                 const Term *term,
                 GError    **error)
{
  for (guint i = 0; i < term->ranges->len; i++)
    {
      const Range *range = &g_array_index (term->ranges, Range, i);

      if (g_str_has_prefix (range->lo, "n:") && sort_key_has_name (sort_key, range->lo + 2))
        return 1;
      if (g_str_has_prefix (range->lo, "d:") && sort_key_has_date (sort_key, range->lo, range->hi))
        return 1;
    }

  for (guint i = 0; i < term->ranges->len; i++)
    {
      const Range *range = &g_array_index (term->ranges, Range, i);
      sqlite3_stmt *stmt;
      int rc;

      /* Preferred names are in the sort key too: a name not found there is
       * not in the index either. */
      if (g_str_has_prefix (range->lo, "n:") || g_str_has_prefix (range->lo, "d:"))
        continue;

      stmt = ch_store_prepare (store,
                               "SELECT 1 FROM patient_search WHERE patient_id = ?"
                               " AND token >= ? AND token < ? LIMIT 1", error);
      if (stmt == NULL)
        return -1;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, range->lo, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, range->hi, -1, SQLITE_STATIC);
      rc = ch_store_step (store, stmt, error);
      sqlite3_reset (stmt);
      if (rc < 0)
        return -1;
      if (rc == SQLITE_ROW)
        return 1;
    }

  return 0;
}

typedef struct
{
  char   *token;
  char   *sort_key;
  gint64  id;
} Candidate;

static void
candidate_clear (Candidate *candidate)
{
  g_free (candidate->token);
  g_free (candidate->sort_key);
}

/* The next batch of index entries of the driver's current range after the
 * cursor. The continuation is two seeks: the rest of the current token, then
 * the tokens after it, so that neither re-reads what came before. */
static GArray *
next_candidates (ChStore        *store,
                 ChSearchCursor *cursor,
                 const Range    *range,
                 GError        **error)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (Candidate));
  sqlite3_stmt *stmt;
  int rc;

  g_array_set_clear_func (out, (GDestroyNotify) candidate_clear);

  if (cursor->last_token != NULL)
    {
      stmt = ch_store_prepare (store,
                               "SELECT token, sort_key, patient_id FROM patient_search"
                               " WHERE token = ?1 AND (sort_key, patient_id) > (?2, ?3)"
                               " ORDER BY sort_key, patient_id LIMIT " G_STRINGIFY (SEARCH_BATCH),
                               error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, cursor->last_token, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, cursor->last_sort_key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, cursor->last_id);
    }
  else
    {
      stmt = ch_store_prepare (store,
                               "SELECT token, sort_key, patient_id FROM patient_search"
                               " WHERE token >= ?1 AND token < ?2"
                               " ORDER BY token, sort_key, patient_id"
                               " LIMIT " G_STRINGIFY (SEARCH_BATCH),
                               error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, range->lo, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, range->hi, -1, SQLITE_STATIC);
    }

  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      Candidate candidate;

      candidate.token = dup_column (stmt, 0);
      candidate.sort_key = dup_column (stmt, 1);
      candidate.id = sqlite3_column_int64 (stmt, 2);
      g_array_append_val (out, candidate);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    goto fail;

  /* The rest of this token is read: on to the tokens after it. */
  if (cursor->last_token != NULL && out->len < SEARCH_BATCH)
    {
      g_autofree char *after = g_strconcat (cursor->last_token, "\x01", NULL);

      stmt = ch_store_prepare (store,
                               "SELECT token, sort_key, patient_id FROM patient_search"
                               " WHERE token >= ?1 AND token < ?2"
                               " ORDER BY token, sort_key, patient_id"
                               " LIMIT " G_STRINGIFY (SEARCH_BATCH),
                               error);
      if (stmt == NULL)
        goto fail;
      /* Tokens never contain control characters, so "token\x01" is the
       * first string after every entry of "token". */
      sqlite3_bind_text (stmt, 1, after, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, range->hi, -1, SQLITE_STATIC);
      while (out->len < SEARCH_BATCH && (rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
        {
          Candidate candidate;

          candidate.token = dup_column (stmt, 0);
          candidate.sort_key = dup_column (stmt, 1);
          candidate.id = sqlite3_column_int64 (stmt, 2);
          g_array_append_val (out, candidate);
        }
      sqlite3_reset (stmt);
      if (rc < 0)
        goto fail;
    }

  return out;

fail:
  g_array_unref (out);
  return NULL;
}

/**
 * ch_db_patient_search:
 * @cursor: the query and where the last call left off; advanced
 * @limit: how many patients at most
 * @out_more: (out): whether calling again may find more
 *
 * The next patients matching every term of the cursor's query, in list
 * order: by the matched word, then by name and date of birth. The rarest term
 * drives the scan; the others are checked per patient on the index.
 *
 * Returns: (transfer full) (element-type ChPatientHit)
 */
GPtrArray *
ch_db_patient_search (ChStore        *store,
                      ChSearchCursor *cursor,
                      guint           limit,
                      gboolean       *out_more,
                      GError        **error)
{
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_hit_free);
  guint scanned = 0;
  const Term *driver;

  *out_more = FALSE;
  if (cursor->done || cursor->terms->len == 0)
    return g_steal_pointer (&hits);

  if (cursor->driver < 0)
    {
      gint64 best = G_MAXINT64;

      for (guint i = 0; i < cursor->terms->len; i++)
        {
          gint64 n = estimate (store, cursor->terms->pdata[i], error);

          if (n < 0)
            return NULL;
          if (n < best)
            {
              best = n;
              cursor->driver = (int) i;
            }
        }
    }

  driver = cursor->terms->pdata[cursor->driver];

  while (hits->len < limit && cursor->range < driver->ranges->len)
    {
      const Range *range = &g_array_index (driver->ranges, Range, cursor->range);
      g_autoptr (GArray) batch = next_candidates (store, cursor, range, error);

      if (batch == NULL)
        return NULL;

      if (batch->len == 0)
        {
          cursor->range++;
          g_clear_pointer (&cursor->last_token, g_free);
          g_clear_pointer (&cursor->last_sort_key, g_free);
          continue;
        }

      for (guint i = 0; i < batch->len && hits->len < limit; i++)
        {
          Candidate *candidate = &g_array_index (batch, Candidate, i);
          gboolean all = TRUE;

          g_free (cursor->last_token);
          cursor->last_token = g_steal_pointer (&candidate->token);
          g_free (cursor->last_sort_key);
          cursor->last_sort_key = g_steal_pointer (&candidate->sort_key);
          cursor->last_id = candidate->id;
          scanned++;

          if (g_hash_table_contains (cursor->seen, &candidate->id))
            continue;

          for (guint t = 0; t < cursor->terms->len && all; t++)
            {
              int m;

              if ((int) t == cursor->driver)
                continue;
              m = patient_matches (store, candidate->id, cursor->last_sort_key,
                                   cursor->terms->pdata[t], error);
              if (m < 0)
                return NULL;
              all = m == 1;
            }

          if (all)
            {
              ChPatientHit *hit = hit_for_id (store, candidate->id, error);

              if (hit == NULL)
                return NULL;
              g_hash_table_add (cursor->seen, g_memdup2 (&candidate->id, sizeof (gint64)));
              g_ptr_array_add (hits, hit);
            }
        }

      /* Past the cap the caller gets what was found and may ask again. */
      if (scanned >= SCAN_CAP)
        {
          *out_more = TRUE;
          return g_steal_pointer (&hits);
        }
    }

  if (cursor->range >= driver->ranges->len)
    cursor->done = TRUE;
  else
    *out_more = TRUE;

  return g_steal_pointer (&hits);
}

/* Returns: (transfer full) (element-type ChPatientHit): the patients
 * @username opened last, newest first */
GPtrArray *
ch_db_patient_recent (ChStore    *store,
                      const char *username,
                      guint       limit,
                      GError    **error)
{
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_patient_hit_free);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT r.patient_id FROM recent_patients r JOIN patients p"
                           " ON p.id = r.patient_id WHERE r.username = ? AND p.status = 'active'"
                           " ORDER BY r.opened_at DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, (int) MIN (limit, G_MAXINT));
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      ChPatientHit *hit = hit_for_id (store, g_array_index (ids, gint64, i), error);
      if (hit == NULL)
        return NULL;
      g_ptr_array_add (hits, hit);
    }

  return g_steal_pointer (&hits);
}

gboolean
ch_db_patient_touch_recent (ChStore    *store,
                            const char *username,
                            gint64      patient_id,
                            GError    **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT OR REPLACE INTO recent_patients (username, patient_id, opened_at)"
                           " VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  /* Keep the list short. */
  stmt = ch_store_prepare (store,
                           "DELETE FROM recent_patients WHERE username = ?1 AND patient_id NOT IN"
                           " (SELECT patient_id FROM recent_patients WHERE username = ?1"
                           "  ORDER BY opened_at DESC LIMIT 50)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  return ch_store_step_done (store, stmt, error);
}

/* ---- insurance ------------------------------------------------------------------ */

#define POLICY_COLUMNS                                                        \
  "id, patient_id, priority, payer, plan, member_id, group_id, subscriber_name," \
  " subscriber_relation, start_date, end_date, status, version"

static ChPolicyRecord *
policy_from_row (sqlite3_stmt *stmt)
{
  ChPolicyRecord *record = ch_policy_record_new ();

  record->id = sqlite3_column_int64 (stmt, 0);
  record->patient_id = sqlite3_column_int64 (stmt, 1);
  record->priority = sqlite3_column_int (stmt, 2);
  record->payer = dup_column (stmt, 3);
  record->plan = dup_column (stmt, 4);
  record->member_id = dup_column (stmt, 5);
  record->group_id = dup_column (stmt, 6);
  record->subscriber_name = dup_column (stmt, 7);
  record->subscriber_relation = dup_column (stmt, 8);
  record->start_date = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? NULL : dup_column (stmt, 9);
  record->end_date = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? NULL : dup_column (stmt, 10);
  record->status = dup_column (stmt, 11);
  record->version = sqlite3_column_int64 (stmt, 12);
  return record;
}

static void
bind_policy (sqlite3_stmt         *stmt,
             const ChPolicyRecord *record,
             const char           *changed_by)
{
  sqlite3_bind_int64 (stmt, 1, record->patient_id);
  sqlite3_bind_int (stmt, 2, record->priority);
  sqlite3_bind_text (stmt, 3, or_empty (record->payer), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, or_empty (record->plan), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, or_empty (record->member_id), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, or_empty (record->group_id), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, or_empty (record->subscriber_name), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, record->subscriber_relation ? record->subscriber_relation : "self",
                     -1, SQLITE_STATIC);
  ch_store_bind_text (stmt, 9, record->start_date);
  ch_store_bind_text (stmt, 10, record->end_date);
  sqlite3_bind_text (stmt, 11, record->status ? record->status : "active", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, g_get_real_time ());
  sqlite3_bind_text (stmt, 13, or_empty (changed_by), -1, SQLITE_STATIC);
}

gboolean
ch_db_policy_insert (ChStore        *store,
                     ChPolicyRecord *record,
                     const char     *changed_by,
                     GError        **error)
{
  sqlite3_stmt *stmt;

  stmt = ch_store_prepare (store,
                           "INSERT INTO insurance_policies (patient_id, priority, payer, plan,"
                           " member_id, group_id, subscriber_name, subscriber_relation, start_date,"
                           " end_date, status, updated_at, updated_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_policy (stmt, record, changed_by);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  record->id = ch_store_last_insert_id (store);
  record->version = 1;
  return TRUE;
}

ChPolicyRecord *
ch_db_policy_get (ChStore *store,
                  gint64   id,
                  GError **error)
{
  ChPolicyRecord *record = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store, "SELECT " POLICY_COLUMNS " FROM insurance_policies WHERE id = ?",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = ch_store_step (store, stmt, error);
  if (rc == SQLITE_ROW)
    record = policy_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND,
                 _("There is no insurance policy with id %" PRId64), id);
  sqlite3_reset (stmt);
  return record;
}

static char *
policy_snapshot (const ChPolicyRecord *record)
{
  g_autoptr (GVariant) variant = NULL;

  variant = g_variant_ref_sink (g_variant_new_parsed (
    "{'priority': <%i>, 'payer': <%s>, 'plan': <%s>, 'member_id': <%s>, 'group_id': <%s>,"
    " 'subscriber_name': <%s>, 'subscriber_relation': <%s>, 'start_date': <%s>,"
    " 'end_date': <%s>, 'status': <%s>}",
    record->priority, or_empty (record->payer), or_empty (record->plan),
    or_empty (record->member_id), or_empty (record->group_id), or_empty (record->subscriber_name),
    or_empty (record->subscriber_relation), or_empty (record->start_date),
    or_empty (record->end_date), or_empty (record->status)));
  return g_variant_print (variant, FALSE);
}

/* Versioned like patients: the current row goes to item_history first. */
gboolean
ch_db_policy_update (ChStore        *store,
                     ChPolicyRecord *record,
                     const char     *changed_by,
                     const char     *reason,
                     GError        **error)
{
  g_autoptr (ChPolicyRecord) current = NULL;
  g_autofree char *snapshot = NULL;
  sqlite3_stmt *stmt;

  current = ch_db_policy_get (store, record->id, error);
  if (current == NULL)
    return FALSE;

  if (record->version != current->version || record->patient_id != current->patient_id)
    {
      g_set_error (error, CH_STORE_ERROR, CH_STORE_ERROR_CONSTRAINT,
                   _("Someone else changed this insurance policy in the meantime; reopen it and try again"));
      return FALSE;
    }

  snapshot = policy_snapshot (current);
  if (!ch_db_history_write (store, "insurance", current->id, current->version, snapshot, changed_by,
                      reason, error))
    return FALSE;

  stmt = ch_store_prepare (store,
                           "UPDATE insurance_policies SET patient_id = ?1, priority = ?2, payer = ?3,"
                           " plan = ?4, member_id = ?5, group_id = ?6, subscriber_name = ?7,"
                           " subscriber_relation = ?8, start_date = ?9, end_date = ?10, status = ?11,"
                           " updated_at = ?12, updated_by = ?13, version = version + 1 WHERE id = ?14",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_policy (stmt, record, changed_by);
  sqlite3_bind_int64 (stmt, 14, record->id);
  if (!ch_store_step_done (store, stmt, error))
    return FALSE;

  record->version = current->version + 1;
  return TRUE;
}

/* Returns: (transfer full) (element-type ChPolicyRecord): by priority */
GPtrArray *
ch_db_policy_list (ChStore *store,
                   gint64   patient_id,
                   gboolean include_errors,
                   GError **error)
{
  g_autoptr (GPtrArray) policies = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_policy_record_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = ch_store_prepare (store,
                           "SELECT " POLICY_COLUMNS " FROM insurance_policies WHERE patient_id = ?1"
                           " AND (?2 OR status = 'active') ORDER BY priority, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, include_errors ? 1 : 0);
  while ((rc = ch_store_step (store, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (policies, policy_from_row (stmt));
  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? g_steal_pointer (&policies) : NULL;
}
