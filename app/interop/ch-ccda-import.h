/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ch-incoming-db.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* C-CDA import: a Continuity of Care Document from another practice or
 * hospital, its problems, allergies and medications staged for a patient
 * and reconciled item by item.
 *
 * The document is read with libxml2 without network access, without a DTD
 * and without entity substitution (a document that declares a DOCTYPE is
 * refused: a CCD has none, and entities are how XXE attacks come in); it
 * must be a ClinicalDocument in the urn:hl7-org:v3 namespace, at most
 * CH_CCDA_IMPORT_MAX_SIZE bytes. Its header gives the patient (name, birth
 * date, sex, identifiers) and where it came from; the Problems (LOINC
 * 11450-4), Allergies (48765-2) and Medications (10160-0) sections, found
 * by templateId (R1.1 or R2.1) or by LOINC code, give coded entries. A
 * code's text is its displayName, else its originalText, else the
 * narrative the originalText or the entry references. */

#define CH_CCDA_IMPORT_ERROR (ch_ccda_import_error_quark ())

typedef enum
{
  CH_CCDA_IMPORT_ERROR_FAILED,
  CH_CCDA_IMPORT_ERROR_IO,        /* the file; the message names it */
  CH_CCDA_IMPORT_ERROR_TOO_LARGE,
  CH_CCDA_IMPORT_ERROR_NOT_XML,   /* not well-formed XML, or an XML with a DOCTYPE */
  CH_CCDA_IMPORT_ERROR_NOT_CCD,   /* XML, but not a ClinicalDocument */
  CH_CCDA_IMPORT_ERROR_MISMATCH,  /* the document's patient is not the chart's */
  CH_CCDA_IMPORT_ERROR_INVALID,   /* a decision that cannot be carried out */
} ChCcdaImportError;

#define CH_CCDA_IMPORT_MAX_SIZE ((gsize) 16 * 1024 * 1024)

/* A document as read: its header and items (not yet stored: ids 0). */
typedef struct
{
  ChIncomingDocument *header;
  char               *family_name;
  char               *given_name;
  GPtrArray          *items;   /* (element-type ChIncomingItem) problems, allergies, medications */
} ChCcdaImport;

void          ch_ccda_import_free        (ChCcdaImport  *import);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChCcdaImport, ch_ccda_import_free)

GQuark        ch_ccda_import_error_quark (void);

/* Reads a CCD. Sets CH_CCDA_IMPORT_ERROR_NOT_XML, _NOT_CCD or _TOO_LARGE.
 * Returns: (transfer full) (nullable) */
ChCcdaImport *ch_ccda_import_parse       (const char    *data,
                                          gsize          length,
                                          GError       **error);

/* Stages the CCD at @path (or in @bytes: exactly one of them) for
 * @patient_id: the document filed in the document store ("referral"), its
 * items listed for reconciliation, those the chart holds already marked
 * so, all in one transaction, audited. The document's patient must have the
 * chart's family name and birth date; else CH_CCDA_IMPORT_ERROR_MISMATCH
 * naming both, unless @force (then recorded as forced). Needs write access
 * to the clinical record.
 * Returns: (transfer full) (element-type ChIncomingItem): the items staged,
 *   in order, or NULL with @error set */
GPtrArray    *ch_ccda_import_stage       (ChSession     *session,
                                          gint64         patient_id,
                                          const char    *path,
                                          GBytes        *bytes,
                                          gboolean       force,
                                          gint64        *out_incoming_id,
                                          GError       **error);

/* Returns: (transfer full) (element-type ChIncomingItem): @patient_id's
 *   outside record items, all or pending only; needs clinical read access */
GPtrArray    *ch_ccda_import_list        (ChSession     *session,
                                          gint64         patient_id,
                                          gboolean       pending_only,
                                          GError       **error);

typedef struct
{
  gint64      item_id;
  gboolean    accept;
  const char *reason;   /* decline: why (required) */
} ChIncomingDecision;

/* Carries out decisions on pending items of @patient_id, all in one
 * transaction or none: an accepted problem or allergy becomes a chart item
 * (ch_chart_add()), the accepted medications are added through one
 * medication reconciliation (ch_reconcile_save()) whose outside text is
 * the CCD's; a declined item keeps its reason. Every item must be pending
 * and this patient's, each named once; else CH_CCDA_IMPORT_ERROR_INVALID
 * naming it. Needs clinical write access; audited. */
gboolean      ch_ccda_import_decide      (ChSession                *session,
                                          gint64                    patient_id,
                                          const ChIncomingDecision *decisions,
                                          guint                     n_decisions,
                                          GError                  **error);

/* "Jane Doe, born 1980-02-03": the patient as a staged document names them.
 * (transfer full) */
char         *ch_ccda_import_describe_patient (const char *name,
                                               const char *birth_date);

G_END_DECLS
