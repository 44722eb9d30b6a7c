/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-imaging"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-dcm-net.h"
#include "ch-dcm.h"
#include "ch-documents.h"
#include "ch-imaging.h"
#include "ch-records.h"
#include "ch-validate.h"

/* Imaging: DICOM instances into charts, or into the reconciliation inbox.
 *
 * An instance in a chart is an ordinary document (so the chart's document
 * list, export, "entered in error" and the audit of every view apply to it
 * as they do to a scanned letter) plus a dicom_instances row for browsing by
 * study and series. One that cannot be matched to exactly one patient waits
 * in dicom_inbox, its bytes a blob of the same encrypted store that no
 * document names yet; assigning it makes the document then.
 *
 * The receiver settings are practice policy, like the idle-lock time: the
 * permission table's "users" area (administrator, office manager) changes
 * them. They hold no patient data, so anyone logged in reads them: the
 * physician running the receiver needs the allowed list. */

#define KEY_ENABLED "imaging.receiver.enabled"
#define KEY_AE_TITLE "imaging.receiver.ae-title"
#define KEY_PORT "imaging.receiver.port"
#define KEY_PEERS "imaging.receiver.allowed-peers"
#define DESCRIPTION_MAX 200
#define REASON_MAX 500

G_DEFINE_QUARK (ch-imaging-error-quark, ch_imaging_error)

/* ---- records --------------------------------------------------------------- */

void
ch_imaging_store_result_clear (ChImagingStoreResult *r)
{
  g_clear_pointer (&r->mrn, g_free);
  g_clear_pointer (&r->reason, g_free);
  g_clear_pointer (&r->modality, g_free);
  g_clear_pointer (&r->sop_class_uid, g_free);
  g_clear_pointer (&r->sop_instance_uid, g_free);
  g_clear_pointer (&r->study_instance_uid, g_free);
  g_clear_pointer (&r->patient_name, g_free);
  g_clear_pointer (&r->patient_ref, g_free);
  memset (r, 0, sizeof *r);
}

void
ch_imaging_receiver_settings_free (ChImagingReceiverSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->ae_title);
  g_strfreev (settings->allowed_peers);
  g_free (settings);
}

gboolean
ch_imaging_valid_ae_title (const char *title)
{
  return ch_dcm_net_valid_ae_title (title);
}

/* ---- parsing --------------------------------------------------------------- */

static char *
or_empty_dup (const char *text)
{
  return g_strdup (text != NULL ? text : "");
}

/* DICOM DA "YYYYMMDD" as "YYYY-MM-DD", or "" when it is not a date. */
static char *
dicom_date (const char *da)
{
  g_autofree char *iso = NULL;

  if (da == NULL || strlen (da) < 8)
    return g_strdup ("");
  for (guint i = 0; i < 8; i++)
    if (!g_ascii_isdigit (da[i]))
      return g_strdup ("");
  iso = g_strdup_printf ("%.4s-%.2s-%.2s", da, da + 4, da + 6);
  return ch_valid_date (iso) ? g_steal_pointer (&iso) : g_strdup ("");
}

/* DICOM TM "HHMMSS.FFFFFF" (or shorter) as "HH:MM:SS", or "". */
static char *
dicom_time (const char *tm)
{
  char parts[3][3] = { "00", "00", "00" };
  gsize len;

  if (tm == NULL)
    return g_strdup ("");
  len = strspn (tm, "0123456789");
  if (len < 2 || len % 2 != 0)
    return g_strdup ("");
  for (guint i = 0; i < 3 && i * 2 < len; i++)
    {
      parts[i][0] = tm[i * 2];
      parts[i][1] = tm[i * 2 + 1];
    }
  if (atoi (parts[0]) > 23 || atoi (parts[1]) > 59 || atoi (parts[2]) > 60)
    return g_strdup ("");
  return g_strdup_printf ("%s:%s:%s", parts[0], parts[1], parts[2]);
}

/* What filing needs from an instance. */
typedef struct
{
  ChImagingInstance *instance;   /* without document, patient or calling AE */
  char *patient_name;            /* PN as received */
  char *patient_ref;
  char *birth_date;              /* YYYY-MM-DD or "" */
  char *sex;
  char *family;                  /* from the PN's first group */
  char *given;
  char *middle;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->instance, ch_imaging_instance_free);
  g_clear_pointer (&p->patient_name, g_free);
  g_clear_pointer (&p->patient_ref, g_free);
  g_clear_pointer (&p->birth_date, g_free);
  g_clear_pointer (&p->sex, g_free);
  g_clear_pointer (&p->family, g_free);
  g_clear_pointer (&p->given, g_free);
  g_clear_pointer (&p->middle, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

static char *
clip (const char *text,
      glong       max)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (g_utf8_strlen (copy, -1) <= max)
    return g_steal_pointer (&copy);
  return g_utf8_substring (copy, 0, max);
}

static gboolean
parse_instance (const guint8  *data,
                gsize          size,
                Parsed        *p,
                GError       **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (ChDcm) dcm = NULL;
  g_auto (GStrv) groups = NULL;
  g_auto (GStrv) components = NULL;
  const ChDcmInfo *info;
  ChImagingInstance *i;

  dcm = ch_dcm_open_memory (data, size, &local_error);
  if (dcm == NULL)
    {
      g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_INVALID,
                   _("The DICOM data cannot be read: %s"), local_error->message);
      return FALSE;
    }
  info = ch_dcm_get_info (dcm);
  if (!ch_has_text (info->sop_instance_uid) || !ch_has_text (info->study_instance_uid))
    {
      g_set_error_literal (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_INVALID,
                           _("The DICOM data has no SOP instance UID or no study instance UID, "
                             "so it cannot be filed"));
      return FALSE;
    }

  p->instance = i = ch_imaging_instance_new ();
  i->study_uid = clip (info->study_instance_uid, 64);
  i->series_uid = clip (info->series_instance_uid, 64);
  i->sop_instance_uid = clip (info->sop_instance_uid, 64);
  i->sop_class_uid = clip (info->sop_class_uid, 64);
  i->modality = clip (info->modality, 16);
  i->study_date = dicom_date (info->study_date);
  i->study_time = dicom_time (info->study_time);
  i->study_description = clip (info->study_description, DESCRIPTION_MAX);
  i->series_description = clip (info->series_description, DESCRIPTION_MAX);
  i->has_series_number = info->has_series_number;
  i->series_number = info->series_number;
  i->has_instance_number = info->has_instance_number;
  i->instance_number = info->instance_number;
  i->has_slice_location = info->has_slice_location;
  i->slice_location = info->slice_location;
  if (!i->has_slice_location && info->has_image_position)
    {
      /* Without SliceLocation, the position along the patient's axis orders
       * a stack as well. */
      i->has_slice_location = TRUE;
      i->slice_location = info->image_position[2];
    }
  i->rows = info->has_pixel_data ? info->rows : 0;
  i->columns = info->has_pixel_data ? info->columns : 0;
  i->frames = info->has_pixel_data ? info->frames : 0;
  i->transfer_syntax = or_empty_dup (info->transfer_syntax_uid);

  p->patient_name = clip (info->patient_name, 200);
  p->patient_ref = clip (info->patient_id, 64);
  p->birth_date = dicom_date (info->patient_birth_date);
  p->sex = clip (info->patient_sex, 16);

  /* PN: "Family^Given^Middle^Prefix^Suffix", alphabetic group first. */
  groups = g_strsplit (p->patient_name, "=", 2);
  components = g_strsplit (groups[0] != NULL ? groups[0] : "", "^", 5);
  p->family = clip (components[0], 200);
  p->given = clip (components[0] != NULL ? components[1] : NULL, 200);
  p->middle = clip (components[0] != NULL && components[1] != NULL ? components[2] : NULL, 200);
  return TRUE;
}

/* "Ana García" from the PN, for messages. */
static char *
display_name (const Parsed *p)
{
  if (*p->given != '\0' && *p->family != '\0')
    return g_strdup_printf ("%s %s", p->given, p->family);
  return g_strdup (*p->family != '\0' ? p->family : p->given);
}

/* ---- matching -------------------------------------------------------------- */

/* The one patient @p belongs to, or 0 with *@out_reason saying why not. */
static gboolean
match_patient (ChStore       *store,
               const Parsed  *p,
               gint64        *out_patient_id,
               char         **out_reason,
               GError       **error)
{
  g_autoptr (GArray) by_ref = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) by_name = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *name = display_name (p);
  gboolean have_ref = *p->patient_ref != '\0';
  gboolean have_name = *p->family != '\0' && *p->birth_date != '\0';

  *out_patient_id = 0;
  *out_reason = NULL;

  if (have_ref)
    {
      if (!ch_db_imaging_match_ref (store, p->patient_ref, by_ref, error))
        return FALSE;
      if (by_ref->len == 1)
        {
          gint64 id = g_array_index (by_ref, gint64, 0);
          g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, id, error);
          g_autofree char *family = NULL;
          g_autofree char *chart_family = NULL;

          if (patient == NULL)
            return FALSE;
          /* An ID alone is not trusted against what else the image says: an
           * outside site's number may be one of ours by chance. */
          family = ch_fold (p->family);
          chart_family = ch_fold (patient->family_name);
          if (*p->birth_date != '\0' && g_strcmp0 (p->birth_date, patient->birth_date) != 0)
            {
              *out_reason = g_strdup_printf (_("The ID “%s” is of patient %s, born %s, but the "
                                               "images say born %s"),
                                             p->patient_ref, patient->mrn, patient->birth_date,
                                             p->birth_date);
              return TRUE;
            }
          if (*family != '\0' && g_strcmp0 (family, chart_family) != 0)
            {
              *out_reason = g_strdup_printf (_("The ID “%s” is of patient %s, but the images name "
                                               "%s"), p->patient_ref, patient->mrn, name);
              return TRUE;
            }
          *out_patient_id = id;
          return TRUE;
        }
      if (by_ref->len > 1)
        {
          *out_reason = g_strdup_printf (_("%u patients have the ID “%s”"), by_ref->len,
                                         p->patient_ref);
          return TRUE;
        }
    }

  if (have_name)
    {
      g_autofree char *full = g_strconcat (p->family, " ", p->given, NULL);
      g_autofree char *key = ch_fold (full);

      if (!ch_db_imaging_match_name (store, key, p->birth_date, by_name, error))
        return FALSE;
      /* A middle name in the PN may be part of the given name in the chart. */
      if (by_name->len == 0 && *p->middle != '\0')
        {
          g_autofree char *longer = g_strconcat (p->family, " ", p->given, " ", p->middle, NULL);
          g_autofree char *longer_key = ch_fold (longer);

          if (!ch_db_imaging_match_name (store, longer_key, p->birth_date, by_name, error))
            return FALSE;
        }
      if (by_name->len == 1)
        {
          *out_patient_id = g_array_index (by_name, gint64, 0);
          return TRUE;
        }
      if (by_name->len > 1)
        {
          *out_reason = g_strdup_printf (_("%u patients match %s, born %s"), by_name->len, name,
                                         p->birth_date);
          return TRUE;
        }
    }

  if (have_ref && have_name)
    *out_reason = g_strdup_printf (_("No patient has the ID “%s”, and none is %s, born %s"),
                                   p->patient_ref, name, p->birth_date);
  else if (have_ref)
    *out_reason = g_strdup_printf (_("No patient has the ID “%s” (and no name with a birth date "
                                     "came with it)"), p->patient_ref);
  else if (have_name)
    *out_reason = g_strdup_printf (_("No patient is %s, born %s"), name, p->birth_date);
  else
    *out_reason = g_strdup (_("It names no patient ID, nor a name with a birth date"));
  return TRUE;
}

/* ---- filing ---------------------------------------------------------------- */

static gboolean
audit_imaging (ChSession   *session,
               const char  *action,
               const char  *object_type,
               const char  *object_id,
               gint64       patient_id,
               const char  *detail,
               GError     **error)
{
  return ch_session_audit (session, action, object_type, object_id, patient_id, detail, error);
}

static char *
make_title (const ChImagingInstance *i)
{
  g_autoptr (GString) title = g_string_new (NULL);

  if (*i->modality != '\0')
    g_string_append (title, i->modality);
  if (*i->study_description != '\0')
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", i->study_description);
  if (*i->series_description != '\0' && g_strcmp0 (i->series_description, i->study_description) != 0)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " — " : "", i->series_description);
  if (title->len == 0)
    g_string_append (title, _("DICOM image"));
  if (i->has_instance_number)
    g_string_append_printf (title, _(", image %d"), i->instance_number);
  return g_string_free (g_steal_pointer (&title), FALSE);
}

static char *
make_source (const char *calling_ae,
             const char *source)
{
  if (ch_has_text (source))
    return clip (source, 400);
  if (ch_has_text (calling_ae))
    return g_strdup_printf (_("%s over DICOM"), calling_ae);
  return g_strdup ("DICOM");
}

/* Files @p (whose bytes are @bytes) in @patient_id's chart: the document,
 * its dicom_instances row and the audit entry. In the caller's transaction. */
static gboolean
file_in_chart (ChSession     *session,
               GBytes        *bytes,
               Parsed        *p,
               gint64         patient_id,
               const char    *calling_ae,
               const char    *source,
               const char    *how,
               GError       **error)
{
  ChImagingInstance *i = p->instance;
  g_autofree char *title = make_title (i);
  g_autofree char *origin = make_source (calling_ae, source);
  g_autofree char *detail = NULL;
  ChDocumentMeta meta = {
    .category = "imaging",
    .date = *i->study_date != '\0' ? i->study_date : NULL,
    .title = title,
    .source = origin,
    .content_type = "application/dicom",
  };
  gint64 document_id = 0;

  if (!ch_documents_import (session, patient_id, &meta, NULL, bytes, &document_id, error))
    return FALSE;

  i->document_id = document_id;
  i->patient_id = patient_id;
  g_free (i->calling_ae);
  i->calling_ae = or_empty_dup (calling_ae);
  if (!ch_db_imaging_instance_insert (ch_session_get_store (session), i, error))
    return FALSE;

  detail = g_strdup_printf ("%s %s: %s, study %s, document %" PRId64, how, origin,
                            *i->modality != '\0' ? i->modality : "?", i->study_uid, document_id);
  return audit_imaging (session, CH_AUDIT_CREATE, "dicom-instance", i->sop_instance_uid,
                        patient_id, detail, error);
}

static void
fill_result (ChImagingStoreResult *out,
             const Parsed         *p)
{
  out->modality = g_strdup (p->instance->modality);
  out->sop_class_uid = g_strdup (p->instance->sop_class_uid);
  out->sop_instance_uid = g_strdup (p->instance->sop_instance_uid);
  out->study_instance_uid = g_strdup (p->instance->study_uid);
  out->patient_name = g_strdup (p->patient_name);
  out->patient_ref = g_strdup (p->patient_ref);
}

static char *
mrn_of (ChStore *store,
        gint64   patient_id)
{
  g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, patient_id, NULL);

  return patient != NULL ? g_strdup (patient->mrn) : NULL;
}

gboolean
ch_imaging_store_instance (ChSession             *session,
                           const guint8          *data,
                           gsize                  size,
                           const char            *calling_ae,
                           const char            *source,
                           ChImagingStoreResult  *out,
                           GError               **error)
{
  g_auto (ChImagingStoreResult) result = { 0 };
  g_auto (Parsed) p = { 0 };
  g_autoptr (ChImagingInstance) known = NULL;
  g_autoptr (ChImagingInboxEntry) waiting = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *reason = NULL;
  ChStore *store;
  gint64 patient_id = 0;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!parse_instance (data, size, &p, error))
    return FALSE;
  fill_result (&result, &p);

  store = ch_session_get_store (session);

  /* Sent again (a modality retrying, or a whole study resent): the first
   * copy stands. */
  known = ch_db_imaging_instance_find_sop (store, p.instance->sop_instance_uid, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (known != NULL)
    {
      result.outcome = CH_IMAGING_DUPLICATE;
      result.patient_id = known->patient_id;
      result.document_id = known->document_id;
      result.mrn = mrn_of (store, known->patient_id);
      goto done;
    }
  waiting = ch_db_imaging_inbox_find_waiting_sop (store, p.instance->sop_instance_uid,
                                                  &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (waiting != NULL)
    {
      result.outcome = CH_IMAGING_DUPLICATE;
      result.inbox_id = waiting->id;
      result.reason = g_strdup (waiting->reason);
      goto done;
    }

  if (!match_patient (store, &p, &patient_id, &reason, error))
    return FALSE;

  bytes = g_bytes_new (data, size);
  if (patient_id > 0)
    {
      if (!ch_store_begin (store, error))
        return FALSE;
      ok = file_in_chart (session, bytes, &p, patient_id, calling_ae, source, "received from",
                          error);
      if (!ch_store_commit_or_rollback (store, ok, error))
        return FALSE;
      result.outcome = CH_IMAGING_STORED;
      result.patient_id = patient_id;
      result.document_id = p.instance->document_id;
      result.mrn = mrn_of (store, patient_id);
    }
  else
    {
      g_autoptr (ChImagingInboxEntry) e = ch_imaging_inbox_entry_new ();
      g_autofree char *detail = NULL;
      char id[32];

      /* The blob first: a row never names a blob that is not whole. */
      if (!ch_documents_store_blob (session, bytes, p.instance->sop_instance_uid, &e->blob,
                                    &e->content_hash, &e->size, error))
        return FALSE;
      e->calling_ae = or_empty_dup (calling_ae);
      e->source = make_source (calling_ae, source);
      e->patient_name = g_strdup (p.patient_name);
      e->patient_ref = g_strdup (p.patient_ref);
      e->birth_date = g_strdup (p.birth_date);
      e->sex = g_strdup (p.sex);
      e->study_uid = g_strdup (p.instance->study_uid);
      e->series_uid = g_strdup (p.instance->series_uid);
      e->sop_instance_uid = g_strdup (p.instance->sop_instance_uid);
      e->modality = g_strdup (p.instance->modality);
      e->study_date = g_strdup (p.instance->study_date);
      e->study_description = g_strdup (p.instance->study_description);
      e->reason = g_strdup (reason);

      if (!ch_store_begin (store, error))
        return FALSE;
      ok = ch_db_imaging_inbox_insert (store, e, error);
      if (ok)
        {
          g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, e->id);
          detail = g_strdup_printf ("received from %s: %s, study %s; waiting: %s", e->source,
                                    *e->modality != '\0' ? e->modality : "?", e->study_uid,
                                    e->reason);
          ok = audit_imaging (session, CH_AUDIT_CREATE, "dicom-inbox", id, 0, detail, error);
        }
      if (!ch_store_commit_or_rollback (store, ok, error))
        return FALSE;
      result.outcome = CH_IMAGING_QUEUED;
      result.inbox_id = e->id;
      result.reason = g_steal_pointer (&reason);
    }

done:
  if (out != NULL)
    {
      *out = result;
      memset (&result, 0, sizeof result);
    }
  return TRUE;
}

/* ---- browsing -------------------------------------------------------------- */

/* Whether the file at @path starts as a DICOM Part-10 file does
 * ("DICM" after the 128-byte preamble). */
static gboolean
looks_like_dicom (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) stream = g_file_read (file, NULL, NULL);
  guint8 head[132];
  gsize n = 0;

  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &n, NULL, NULL))
    return FALSE;
  return n == sizeof head && memcmp (head + 128, "DICM", 4) == 0;
}

/**
 * ch_imaging_import_path:
 *
 * Files the document at @path in @patient_id's chart, as a person importing
 * it does (ch_documents_import() with @meta). A DICOM image is also filed by
 * its study and series, as the receiver files one — in the chart chosen,
 * whatever patient it names. A DICOM file that cannot be read, or one
 * imported by someone without clinical write access, is stored as a plain
 * document. The same SOP instance already in that chart is not stored again
 * (its document id is returned, *@out_duplicate TRUE).
 */
gboolean
ch_imaging_import_path (ChSession            *session,
                        gint64                patient_id,
                        const ChDocumentMeta *meta,
                        const char           *path,
                        gint64               *out_document_id,
                        gboolean             *out_duplicate,
                        GError              **error)
{
  g_auto (Parsed) p = { 0 };
  g_autoptr (ChImagingInstance) known = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *contents = NULL;
  ChDocumentMeta dicom_meta;
  ChStore *store;
  gsize size = 0;
  gint64 document_id = 0;
  GStatBuf st;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (out_duplicate != NULL)
    *out_duplicate = FALSE;

  if (!looks_like_dicom (path) ||
      !ch_session_can (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE) ||
      g_stat (path, &st) != 0 || st.st_size > CH_DOCUMENTS_MAX_SIZE ||
      !g_file_get_contents (path, &contents, &size, NULL) ||
      !parse_instance ((const guint8 *) contents, size, &p, NULL))
    return ch_documents_import (session, patient_id, meta, path, NULL, out_document_id, error);

  store = ch_session_get_store (session);
  known = ch_db_imaging_instance_find_sop (store, p.instance->sop_instance_uid, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (known != NULL && known->patient_id == patient_id)
    {
      if (out_document_id != NULL)
        *out_document_id = known->document_id;
      if (out_duplicate != NULL)
        *out_duplicate = TRUE;
      return TRUE;
    }
  if (known != NULL)
    {
      g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_FAILED,
                   _("This image (SOP instance %s) is already filed in another patient's chart"),
                   p.instance->sop_instance_uid);
      return FALSE;
    }

  dicom_meta = meta != NULL ? *meta : (ChDocumentMeta) { 0 };
  dicom_meta.content_type = "application/dicom";
  if (dicom_meta.category == NULL)
    dicom_meta.category = "imaging";

  bytes = g_bytes_new_take (g_steal_pointer (&contents), size);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_documents_import (session, patient_id, &dicom_meta, NULL, bytes, &document_id, error);
  if (ok)
    {
      p.instance->document_id = document_id;
      p.instance->patient_id = patient_id;
      g_free (p.instance->calling_ae);
      p.instance->calling_ae = g_strdup ("");
      ok = ch_db_imaging_instance_insert (store, p.instance, error);
    }
  if (ok)
    {
      detail = g_strdup_printf ("imported from a file: %s, study %s, document %" PRId64,
                                *p.instance->modality != '\0' ? p.instance->modality : "?",
                                p.instance->study_uid, document_id);
      ok = audit_imaging (session, CH_AUDIT_CREATE, "dicom-instance",
                          p.instance->sop_instance_uid, patient_id, detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (out_document_id != NULL)
    *out_document_id = document_id;
  return TRUE;
}

static gboolean
check_patient (ChSession  *session,
               gint64      patient_id,
               GError    **error)
{
  g_autoptr (ChPatientRecord) patient = NULL;

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return FALSE;
  patient = ch_db_patient_get (ch_session_get_store (session), patient_id, error);
  return patient != NULL;
}

GPtrArray *
ch_imaging_list_studies (ChSession  *session,
                         gint64      patient_id,
                         GError    **error)
{
  g_autoptr (GPtrArray) studies = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!check_patient (session, patient_id, error))
    return NULL;
  studies = ch_db_imaging_list_studies (ch_session_get_store (session), patient_id, error);
  if (studies == NULL)
    return NULL;
  detail = g_strdup_printf ("imaging studies listed: %u", studies->len);
  if (!audit_imaging (session, CH_AUDIT_VIEW, "imaging", "", patient_id, detail, error))
    return NULL;
  return g_steal_pointer (&studies);
}

GPtrArray *
ch_imaging_list_series (ChSession   *session,
                        gint64       patient_id,
                        const char  *study_uid,
                        GError     **error)
{
  g_autoptr (GPtrArray) series = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (study_uid != NULL, NULL);

  if (!check_patient (session, patient_id, error))
    return NULL;
  series = ch_db_imaging_list_series (ch_session_get_store (session), patient_id, study_uid, error);
  if (series == NULL)
    return NULL;
  if (series->len == 0)
    {
      g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND,
                   _("The patient has no study %s"), study_uid);
      return NULL;
    }
  /* Listing is not looking: the images read are audited as they are read
   * (ch_documents_read_many()), the studies listed once by
   * ch_imaging_list_studies(). */
  return g_steal_pointer (&series);
}

GArray *
ch_imaging_list_instances (ChSession   *session,
                           gint64       patient_id,
                           const char  *series_uid,
                           GError     **error)
{
  g_autoptr (GArray) ids = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);
  g_return_val_if_fail (series_uid != NULL, NULL);

  if (!check_patient (session, patient_id, error))
    return NULL;
  ids = ch_db_imaging_list_instances (ch_session_get_store (session), patient_id, series_uid,
                                      error);
  if (ids == NULL)
    return NULL;
  if (ids->len == 0)
    {
      g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND,
                   _("The patient has no series %s"), series_uid);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

ChImagingInstance *
ch_imaging_get_instance (ChSession  *session,
                         gint64      document_id,
                         GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  ChImagingInstance *instance;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  instance = ch_db_imaging_instance_find_document (ch_session_get_store (session), document_id,
                                                   &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (instance == NULL)
    g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND,
                 _("Document %" PRId64 " is not a received DICOM image"), document_id);
  return instance;
}

/* ---- the inbox ------------------------------------------------------------- */

GPtrArray *
ch_imaging_inbox_list (ChSession  *session,
                       GError    **error)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_READ, error))
    return NULL;
  items = ch_db_imaging_inbox_list (ch_session_get_store (session), error);
  if (items == NULL)
    return NULL;
  detail = g_strdup_printf ("imaging inbox listed: %u studies", items->len);
  if (!audit_imaging (session, CH_AUDIT_VIEW, "dicom-inbox", "", 0, detail, error))
    return NULL;
  return g_steal_pointer (&items);
}

/* The waiting entries of the study @entry names (an entry id or a study
 * UID), oldest first, never empty. */
static GPtrArray *
resolve_entry (ChStore     *store,
               const char  *entry,
               GError     **error)
{
  g_autofree char *study_uid = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const char *p;

  for (p = entry; g_ascii_isdigit (*p); p++)
    ;
  if (*entry != '\0' && *p == '\0' && strlen (entry) < 19)
    {
      g_autoptr (ChImagingInboxEntry) e = NULL;
      g_autoptr (GError) local_error = NULL;

      e = ch_db_imaging_inbox_get (store, g_ascii_strtoll (entry, NULL, 10), &local_error);
      if (e == NULL)
        {
          if (g_error_matches (local_error, CH_STORE_ERROR, CH_STORE_ERROR_NOT_FOUND))
            g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND,
                         _("There is no inbox entry %s"), entry);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!g_str_equal (e->status, "waiting"))
        {
          g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_CLOSED,
                       g_str_equal (e->status, "assigned")
                       ? _("Inbox entry %s was assigned to a patient already")
                       : _("Inbox entry %s was discarded already"), entry);
          return NULL;
        }
      study_uid = g_strdup (e->study_uid);
    }
  else
    study_uid = g_strdup (entry);

  entries = ch_db_imaging_inbox_list_study (store, study_uid, error);
  if (entries == NULL)
    return NULL;
  if (entries->len == 0)
    {
      g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_NOT_FOUND,
                   _("Nothing of study %s waits in the inbox"), study_uid);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

gboolean
ch_imaging_inbox_assign (ChSession   *session,
                         const char  *entry,
                         gint64       patient_id,
                         guint       *out_n_moved,
                         GError     **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (ChPatientRecord) patient = NULL;
  g_autofree char *detail = NULL;
  const char *username;
  ChStore *store;
  char id[32];
  gboolean ok = TRUE;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (session);
  username = ch_session_get_username (session);
  entries = resolve_entry (store, entry, error);
  if (entries == NULL)
    return FALSE;
  patient = ch_db_patient_get (store, patient_id, error);
  if (patient == NULL)
    return FALSE;

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint n = 0; ok && n < entries->len; n++)
    {
      ChImagingInboxEntry *e = entries->pdata[n];
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (ChImagingInstance) known = NULL;
      g_autoptr (GError) local_error = NULL;
      g_auto (Parsed) p = { 0 };
      gint64 document_id;

      bytes = ch_documents_read_blob (session, e->blob, e->content_hash, e->size,
                                      e->sop_instance_uid, error);
      ok = bytes != NULL
           && parse_instance (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &p, error);
      if (!ok)
        break;

      /* Filed meanwhile by another way in: the chart has it already. */
      known = ch_db_imaging_instance_find_sop (store, p.instance->sop_instance_uid, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
          break;
        }
      if (known != NULL && known->patient_id != patient_id)
        {
          g_set_error (error, CH_IMAGING_ERROR, CH_IMAGING_ERROR_FAILED,
                       _("This image (SOP instance %s) is already filed in another patient's "
                         "chart"), p.instance->sop_instance_uid);
          ok = FALSE;
          break;
        }
      if (known != NULL)
        document_id = known->document_id;
      else
        {
          ok = file_in_chart (session, bytes, &p, patient_id, e->calling_ae, e->source,
                              "assigned from the inbox, received from", error);
          document_id = p.instance->document_id;
        }
      ok = ok && ch_db_imaging_inbox_close (store, e->id, "assigned", "", patient_id, document_id,
                                            username, error);
    }
  if (ok)
    {
      ChImagingInboxEntry *first = entries->pdata[0];

      g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, first->id);
      detail = g_strdup_printf ("assigned to %s: %u instances of study %s", patient->mrn,
                                entries->len, first->study_uid);
      ok = audit_imaging (session, CH_AUDIT_UPDATE, "dicom-inbox", id, patient_id, detail, error);
    }
  if (!ch_store_commit_or_rollback (store, ok, error))
    return FALSE;
  if (out_n_moved != NULL)
    *out_n_moved = entries->len;
  return TRUE;
}

gboolean
ch_imaging_inbox_discard (ChSession   *session,
                          const char  *entry,
                          const char  *reason,
                          GError     **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *why = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  g_autofree char *detail = NULL;
  ChImagingInboxEntry *first;
  ChStore *store;
  char id[32];
  gboolean ok = TRUE;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_has_text (why))
    return ch_invalid (error, _("Say why the images are discarded"));
  if (g_utf8_strlen (why, -1) > REASON_MAX)
    return ch_invalid (error, _("The reason is at most 500 characters"));

  store = ch_session_get_store (session);
  entries = resolve_entry (store, entry, error);
  if (entries == NULL)
    return FALSE;

  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint n = 0; ok && n < entries->len; n++)
    {
      ChImagingInboxEntry *e = entries->pdata[n];

      ok = ch_db_imaging_inbox_close (store, e->id, "discarded", why, 0, 0,
                                      ch_session_get_username (session), error);
    }
  first = entries->pdata[0];
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, first->id);
  detail = g_strdup_printf ("discarded %u instances of study %s: %s", entries->len,
                            first->study_uid, why);
  ok = ok && audit_imaging (session, CH_AUDIT_UPDATE, "dicom-inbox", id, 0, detail, error);
  return ch_store_commit_or_rollback (store, ok, error);
}

/* ---- receiver settings ----------------------------------------------------- */

ChImagingReceiverSettings *
ch_imaging_get_receiver_settings (ChSession  *session,
                                  GError    **error)
{
  g_autoptr (ChImagingReceiverSettings) s = g_new0 (ChImagingReceiverSettings, 1);
  g_autofree char *enabled = NULL;
  g_autofree char *title = NULL;
  g_autofree char *port = NULL;
  g_autofree char *peers = NULL;
  GError *local_error = NULL;
  ChStore *store;
  gint64 value;

  g_return_val_if_fail (CH_IS_SESSION (session), NULL);

  store = ch_session_get_store (session);
  if (store == NULL)
    {
      g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_LOCKED, _("The screen is locked"));
      return NULL;
    }
  enabled = ch_db_setting_get (store, KEY_ENABLED, &local_error);
  if (local_error == NULL)
    title = ch_db_setting_get (store, KEY_AE_TITLE, &local_error);
  if (local_error == NULL)
    port = ch_db_setting_get (store, KEY_PORT, &local_error);
  if (local_error == NULL)
    peers = ch_db_setting_get (store, KEY_PEERS, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  s->enabled = g_strcmp0 (enabled, "1") == 0;
  s->ae_title = g_strdup (ch_imaging_valid_ae_title (title) ? title : CH_IMAGING_DEFAULT_AE_TITLE);
  value = port != NULL ? g_ascii_strtoll (port, NULL, 10) : 0;
  s->port = value >= 1 && value <= 65535 ? (guint) value : CH_IMAGING_DEFAULT_PORT;
  /* Backslash-separated, as DICOM separates values: no AE title holds one. */
  s->allowed_peers = peers != NULL && *peers != '\0' ? g_strsplit (peers, "\\", -1)
                                                     : g_new0 (char *, 1);
  return g_steal_pointer (&s);
}

gboolean
ch_imaging_set_receiver_settings (ChSession                        *session,
                                  const ChImagingReceiverSettings  *settings,
                                  GError                          **error)
{
  g_autofree char *port = NULL;
  g_autofree char *peers = NULL;
  g_autofree char *detail = NULL;
  ChStore *store;
  gboolean ok;

  g_return_val_if_fail (CH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  if (!ch_session_check (session, CH_AREA_USERS, CH_ACCESS_WRITE, error))
    return FALSE;
  if (!ch_imaging_valid_ae_title (settings->ae_title))
    return ch_invalid (error, _("The AE title is 1 to 16 letters, digits, spaces or punctuation, "
                                "without a backslash"));
  if (settings->port < 1 || settings->port > 65535)
    return ch_invalid (error, _("The port is a number from 1 to 65535"));
  for (guint i = 0; settings->allowed_peers != NULL && settings->allowed_peers[i] != NULL; i++)
    if (!ch_imaging_valid_ae_title (settings->allowed_peers[i]))
      {
        g_set_error (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID,
                     _("“%s” is not a valid AE title (1 to 16 letters, digits, spaces or "
                       "punctuation, without a backslash)"), settings->allowed_peers[i]);
        return FALSE;
      }

  port = g_strdup_printf ("%u", settings->port);
  peers = settings->allowed_peers != NULL ? g_strjoinv ("\\", settings->allowed_peers)
                                          : g_strdup ("");
  detail = g_strdup_printf ("DICOM receiver: %s, AE title %s, port %u, peers %s",
                            settings->enabled ? "on" : "off", settings->ae_title, settings->port,
                            *peers != '\0' ? peers : "(none)");

  store = ch_session_get_store (session);
  if (!ch_store_begin (store, error))
    return FALSE;
  ok = ch_db_setting_set (store, KEY_ENABLED, settings->enabled ? "1" : "0", error)
       && ch_db_setting_set (store, KEY_AE_TITLE, settings->ae_title, error)
       && ch_db_setting_set (store, KEY_PORT, port, error)
       && ch_db_setting_set (store, KEY_PEERS, peers, error)
       && audit_imaging (session, CH_AUDIT_SETTINGS, "setting", "imaging.receiver", 0, detail,
                         error);
  return ch_store_commit_or_rollback (store, ok, error);
}
