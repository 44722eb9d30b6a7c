/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-audit"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "ch-audit.h"

/* The audit trail is a hash chain: each entry's hash is BLAKE2b over its own
 * fields and the previous entry's hash. SQL triggers refuse UPDATE and DELETE;
 * someone holding the key can drop them, but not without `audit verify`
 * naming the first entry that no longer fits. */

#define HASH_VERSION "charta-audit-1"
#define HEAD_SETTING "audit.head"

G_DEFINE_QUARK (ch-audit-error-quark, ch_audit_error)

static const char * const actions[] = {
  CH_AUDIT_LOGIN,
  CH_AUDIT_LOGOUT,
  CH_AUDIT_LOGIN_FAILED,
  CH_AUDIT_LOCK,
  CH_AUDIT_UNLOCK,
  CH_AUDIT_VIEW,
  CH_AUDIT_CREATE,
  CH_AUDIT_UPDATE,
  CH_AUDIT_DELETE,
  CH_AUDIT_PRINT,
  CH_AUDIT_EXPORT,
  CH_AUDIT_BREAK_GLASS,
  CH_AUDIT_USER_ADD,
  CH_AUDIT_USER_DISABLE,
  CH_AUDIT_USER_ENABLE,
  CH_AUDIT_USER_ROLE,
  CH_AUDIT_PASSWORD,
  CH_AUDIT_RECOVERY,
  CH_AUDIT_REKEY,
  CH_AUDIT_SETTINGS,
  CH_AUDIT_PRACTICE_CREATE,
  CH_AUDIT_SIGN,
  CH_AUDIT_ALERT,
  CH_AUDIT_OVERRIDE,
  NULL
};

/* Returns: (transfer none): every action, as stored */
const char * const *
ch_audit_actions (void)
{
  return actions;
}

/* Returns: (transfer none): the action as people read it */
const char *
ch_audit_action_label (const char *action)
{
  static const struct { const char *action; const char *label; } labels[] = {
    { CH_AUDIT_LOGIN, N_("Sign in") },
    { CH_AUDIT_LOGOUT, N_("Sign out") },
    { CH_AUDIT_LOGIN_FAILED, N_("Failed sign-in") },
    { CH_AUDIT_LOCK, N_("Screen locked") },
    { CH_AUDIT_UNLOCK, N_("Screen unlocked") },
    { CH_AUDIT_VIEW, N_("View") },
    { CH_AUDIT_CREATE, N_("Create") },
    { CH_AUDIT_UPDATE, N_("Update") },
    { CH_AUDIT_DELETE, N_("Delete") },
    { CH_AUDIT_PRINT, N_("Print") },
    { CH_AUDIT_EXPORT, N_("Export") },
    { CH_AUDIT_BREAK_GLASS, N_("Emergency access") },
    { CH_AUDIT_USER_ADD, N_("User added") },
    { CH_AUDIT_USER_DISABLE, N_("User disabled") },
    { CH_AUDIT_USER_ENABLE, N_("User enabled") },
    { CH_AUDIT_USER_ROLE, N_("Role changed") },
    { CH_AUDIT_PASSWORD, N_("Password changed") },
    { CH_AUDIT_RECOVERY, N_("Recovery key used") },
    { CH_AUDIT_REKEY, N_("Master key rotated") },
    { CH_AUDIT_SETTINGS, N_("Settings changed") },
    { CH_AUDIT_PRACTICE_CREATE, N_("Practice created") },
    { CH_AUDIT_SIGN, N_("Sign") },
    { CH_AUDIT_ALERT, N_("Drug alert shown") },
    { CH_AUDIT_OVERRIDE, N_("Drug alert overridden") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (action, labels[i].action) == 0)
      return _(labels[i].label);

  return action;
}

static void
hash_field (crypto_generichash_state *state,
            const char               *text)
{
  guint32 len;
  guint8 len_le[4];

  if (text == NULL)
    text = "";

  /* Length-prefixed, so that no two field lists hash alike. */
  len = (guint32) strlen (text);
  len_le[0] = len & 0xff;
  len_le[1] = (len >> 8) & 0xff;
  len_le[2] = (len >> 16) & 0xff;
  len_le[3] = (len >> 24) & 0xff;
  crypto_generichash_update (state, len_le, sizeof len_le);
  crypto_generichash_update (state, (const guint8 *) text, len);
}

static void
hash_int (crypto_generichash_state *state,
          gint64                    value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  hash_field (state, buf);
}

/* The entry's hash: BLAKE2b-256 over its fields and the previous hash. */
void
ch_audit_compute_hash (const ChAuditRecord *record,
                       guint8              *out_hash)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, CH_AUDIT_HASH_BYTES);
  hash_field (&state, HASH_VERSION);
  hash_int (&state, record->id);
  hash_int (&state, record->ts);
  hash_field (&state, record->username);
  hash_field (&state, record->role);
  hash_field (&state, record->action);
  hash_field (&state, record->object_type);
  hash_field (&state, record->object_id);
  hash_int (&state, record->patient_id);
  hash_field (&state, record->detail);
  crypto_generichash_update (&state, record->prev_hash, CH_AUDIT_HASH_BYTES);
  crypto_generichash_final (&state, out_hash, CH_AUDIT_HASH_BYTES);
}

/**
 * ch_audit_append_at:
 * @ts: the time of the event, microseconds since the epoch (UTC)
 *
 * Appends one entry to the chain. Inside the caller's transaction when one is
 * open (so a change and its entry commit together), else in its own.
 */
gboolean
ch_audit_append_at (ChStore    *store,
                    gint64      ts,
                    const char *username,
                    const char *role,
                    const char *action,
                    const char *object_type,
                    const char *object_id,
                    gint64      patient_id,
                    const char *detail,
                    GError    **error)
{
  ChAuditRecord record = { 0 };
  gint64 last_id = 0;
  gboolean own_transaction;

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  /* Inside the caller's transaction no savepoint is needed: a failed INSERT
   * changes nothing, and the caller rolls the whole change back. */
  own_transaction = !ch_store_in_transaction (store);
  if (own_transaction && !ch_store_begin (store, error))
    return FALSE;

  if (!ch_db_audit_last (store, &last_id, record.prev_hash, error))
    goto fail;

  record.id = last_id + 1;
  record.ts = ts;
  record.username = (char *) (username ? username : "");
  record.role = (char *) (role ? role : "");
  record.action = (char *) action;
  record.object_type = (char *) (object_type ? object_type : "");
  record.object_id = (char *) (object_id ? object_id : "");
  record.patient_id = patient_id > 0 ? patient_id : 0;
  record.detail = (char *) (detail ? detail : "");
  ch_audit_compute_hash (&record, record.hash);

  if (!ch_db_audit_insert (store, &record, error))
    goto fail;

  /* The head of the chain, kept apart from it: deleting the newest entries
   * would otherwise leave a shorter chain that still verifies. */
  {
    char hex[CH_AUDIT_HASH_BYTES * 2 + 1];
    char head[sizeof hex + 32];

    sodium_bin2hex (hex, sizeof hex, record.hash, CH_AUDIT_HASH_BYTES);
    g_snprintf (head, sizeof head, "%" G_GINT64_FORMAT ":%s", record.id, hex);
    if (!ch_db_setting_set (store, HEAD_SETTING, head, error))
      goto fail;
  }

  return !own_transaction || ch_store_commit (store, error);

fail:
  if (own_transaction)
    ch_store_rollback (store);
  return FALSE;
}

gboolean
ch_audit_append (ChStore    *store,
                 const char *username,
                 const char *role,
                 const char *action,
                 const char *object_type,
                 const char *object_id,
                 gint64      patient_id,
                 const char *detail,
                 GError    **error)
{
  return ch_audit_append_at (store, g_get_real_time (), username, role, action, object_type,
                             object_id, patient_id, detail, error);
}

typedef struct
{
  gint64  n;
  gint64  expected_id;
  guint8  prev_hash[CH_AUDIT_HASH_BYTES];
  GError *error;
} VerifyState;

static gboolean
verify_one (const ChAuditRecord *record,
            gpointer             user_data)
{
  VerifyState *state = user_data;
  guint8 hash[CH_AUDIT_HASH_BYTES];

  if (record->id != state->expected_id)
    {
      if (record->id > state->expected_id)
        g_set_error (&state->error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                     _("Audit trail broken at entry %" PRId64
                       ": it is missing (the trail jumps to entry %" PRId64 ")"),
                     state->expected_id, record->id);
      else
        g_set_error (&state->error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                     _("Audit trail broken at entry %" PRId64 ": it is out of order"),
                     record->id);
      return FALSE;
    }

  ch_audit_compute_hash (record, hash);
  if (sodium_memcmp (hash, record->hash, CH_AUDIT_HASH_BYTES) != 0)
    {
      g_set_error (&state->error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %" PRId64
                     ": its contents were changed after it was written"),
                   record->id);
      return FALSE;
    }

  if (sodium_memcmp (record->prev_hash, state->prev_hash, CH_AUDIT_HASH_BYTES) != 0)
    {
      g_set_error (&state->error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %" PRId64
                     ": it does not follow the entry before it (an entry was removed,"
                     " replaced or reordered)"),
                   record->id);
      return FALSE;
    }

  memcpy (state->prev_hash, record->hash, CH_AUDIT_HASH_BYTES);
  state->expected_id++;
  state->n++;
  return TRUE;
}

/* The chain must end where the head says it does. */
static gboolean
verify_head (ChStore           *store,
             const VerifyState *state,
             GError           **error)
{
  g_autofree char *head = ch_db_setting_get (store, HEAD_SETTING, error);
  char hex[CH_AUDIT_HASH_BYTES * 2 + 1];
  gint64 head_id;
  const char *colon;

  if (head == NULL)
    return error == NULL || *error == NULL;  /* no entry written since the head was kept */

  colon = strchr (head, ':');
  head_id = g_ascii_strtoll (head, NULL, 10);
  sodium_bin2hex (hex, sizeof hex, state->prev_hash, CH_AUDIT_HASH_BYTES);

  if (head_id != state->expected_id - 1)
    {
      g_set_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %" PRId64 ": the trail ends there, but "
                     "it had %" PRId64 " entries"),
                   state->expected_id - 1, head_id);
      return FALSE;
    }

  if (colon == NULL || g_ascii_strcasecmp (colon + 1, hex) != 0)
    {
      g_set_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %" PRId64 ": it is not the entry that was "
                     "written last"),
                   state->expected_id - 1);
      return FALSE;
    }

  return TRUE;
}

/**
 * ch_audit_check_anchor:
 * @anchor: "ID:HASH" as a backup's manifest recorded the trail's head
 * @where: (nullable): names the backup, for the message
 *
 * Checks that entry ID is still there with the hash it had then. A chain
 * that verifies may still have been rewritten by someone holding the key,
 * who can recompute every hash; an anchor kept elsewhere (in a backup, on
 * another machine) cannot be.
 */
gboolean
ch_audit_check_anchor (ChStore     *store,
                       const char  *anchor,
                       const char  *where,
                       GError     **error)
{
  guint8 hash[CH_AUDIT_HASH_BYTES];
  char hex[CH_AUDIT_HASH_BYTES * 2 + 1];
  const char *colon = anchor != NULL ? strchr (anchor, ':') : NULL;
  gboolean found = FALSE;
  char id_text[32];
  gint64 id;

  if (colon == NULL || colon == anchor)
    {
      g_set_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_FAILED,
                   _("%s records no audit head that can be read"), where);
      return FALSE;
    }
  id = g_ascii_strtoll (anchor, NULL, 10);
  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, id);
  if (!ch_db_audit_hash_at (store, id, hash, &found, error))
    return FALSE;
  if (!found)
    {
      /* TRANSLATORS: the first %s is an audit entry's number, the second names a backup */
      g_set_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %s: %s recorded it, and it is gone"),
                   id_text, where);
      return FALSE;
    }
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  if (g_ascii_strcasecmp (colon + 1, hex) != 0)
    {
      /* TRANSLATORS: the first %s is an audit entry's number, the second names a backup */
      g_set_error (error, CH_AUDIT_ERROR, CH_AUDIT_ERROR_BROKEN,
                   _("Audit trail broken at entry %s: it is not the entry %s recorded, so the "
                     "history up to it was rewritten"),
                   id_text, where);
      return FALSE;
    }
  return TRUE;
}

/**
 * ch_audit_verify:
 * @out_n_entries: (out) (optional): how many entries were proven
 *
 * Walks the whole chain. On failure @error (CH_AUDIT_ERROR_BROKEN) names the
 * first entry that does not verify.
 */
gboolean
ch_audit_verify (ChStore *store,
                 gint64  *out_n_entries,
                 GError **error)
{
  VerifyState state = { 0 };

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);

  state.expected_id = 1;
  if (!ch_db_audit_foreach (store, verify_one, &state, error))
    {
      g_clear_error (&state.error);
      return FALSE;
    }

  if (out_n_entries != NULL)
    *out_n_entries = state.n;

  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }

  return verify_head (store, &state, error);
}

/* Returns: (transfer full): @ts as local "YYYY-MM-DD HH:MM:SS" */
char *
ch_audit_format_time (gint64 ts)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ts / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
csv_field (GString    *line,
           const char *text,
           gboolean    last)
{
  if (text == NULL)
    text = "";

  if (strpbrk (text, ",\"\r\n") != NULL)
    {
      g_string_append_c (line, '"');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, text);

  g_string_append (line, last ? "\r\n" : ",");
}

/**
 * ch_audit_write_csv:
 *
 * Writes the entries matching @filter, newest first, as RFC 4180 CSV with a
 * header line. Callers check permissions and audit the export.
 */
gboolean
ch_audit_write_csv (ChStore             *store,
                    const ChAuditFilter *filter,
                    GOutputStream       *stream,
                    GCancellable        *cancellable,
                    GError             **error)
{
  const guint page_size = 2000;
  g_autoptr (GString) line = g_string_new (NULL);
  gint64 before = 0;
  guint8 unused[CH_AUDIT_HASH_BYTES];

  g_return_val_if_fail (CH_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  g_string_append (line, "id,time_utc,user,role,action,object_type,object_id,patient_id,detail\r\n");
  if (!g_output_stream_write_all (stream, line->str, line->len, NULL, cancellable, error))
    return FALSE;

  /* From the newest entry as the export starts; what is appended meanwhile
   * (the export's own entry, another desk's) neither shifts nor repeats rows. */
  if (!ch_db_audit_last (store, &before, unused, error))
    return FALSE;
  before++;

  for (;;)
    {
      g_autoptr (GPtrArray) page = ch_db_audit_page_before (store, filter, before, page_size,
                                                            error);

      if (page == NULL)
        return FALSE;

      for (guint i = 0; i < page->len; i++)
        {
          const ChAuditRecord *record = g_ptr_array_index (page, i);
          g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (record->ts / G_USEC_PER_SEC);
          g_autofree char *time = when ? g_date_time_format_iso8601 (when) : g_strdup ("");
          char id[32];
          char patient[32] = "";

          g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, record->id);
          if (record->patient_id > 0)
            g_snprintf (patient, sizeof patient, "%" G_GINT64_FORMAT, record->patient_id);

          g_string_truncate (line, 0);
          csv_field (line, id, FALSE);
          csv_field (line, time, FALSE);
          csv_field (line, record->username, FALSE);
          csv_field (line, record->role, FALSE);
          csv_field (line, record->action, FALSE);
          csv_field (line, record->object_type, FALSE);
          csv_field (line, record->object_id, FALSE);
          csv_field (line, patient, FALSE);
          csv_field (line, record->detail, TRUE);

          if (!g_output_stream_write_all (stream, line->str, line->len, NULL, cancellable, error))
            return FALSE;
        }

      if (page->len < page_size)
        break;
      before = ((ChAuditRecord *) g_ptr_array_index (page, page->len - 1))->id;
    }

  return TRUE;
}
