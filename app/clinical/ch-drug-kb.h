/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The drug knowledge base: drugs with their classes, products and usual
 * doses; interactions; allergy cross-sensitivity groups; duplicate-therapy
 * classes. The format is documented in resources/data/drugs/README.md.
 *
 * A ChDrugKb is immutable once loaded and may be read from any thread. The
 * shipped base is compiled in; a practice's own base is kept in its database
 * (see ch-prescribing.h) and parsed with ch_drug_kb_new_from_files(). */

#define CH_DRUG_KB_ERROR (ch_drug_kb_error_quark ())

typedef enum
{
  CH_DRUG_KB_ERROR_INVALID,   /* a file breaks the format; the message lists where */
  CH_DRUG_KB_ERROR_MISSING,   /* a required file is absent */
} ChDrugKbError;

GQuark ch_drug_kb_error_quark (void);

/* The files of a base, in the order the README lists them. */
extern const char * const ch_drug_kb_file_names[];

typedef enum
{
  CH_DRUG_SEVERITY_NOTICE,           /* not an interaction: an unchecked allergy, an unknown drug */
  CH_DRUG_SEVERITY_MINOR,
  CH_DRUG_SEVERITY_MODERATE,
  CH_DRUG_SEVERITY_MAJOR,
  CH_DRUG_SEVERITY_CONTRAINDICATED,  /* an override needs a reason */
} ChDrugSeverity;

const char     *ch_drug_severity_to_string   (ChDrugSeverity severity);
/* Returns: the severity's name for people, translated */
const char     *ch_drug_severity_label       (ChDrugSeverity severity);
gboolean        ch_drug_severity_from_string (const char     *text,
                                              ChDrugSeverity *severity);

typedef struct
{
  const char *form;         /* tablet, oral suspension, … */
  const char *strength;     /* as printed: "500 mg", "250 mg/5 mL" */
  const char *route;
  double      amount;       /* active amount … */
  const char *amount_unit;
  double      per;          /* … in this many … */
  const char *per_unit;     /* … of what the patient takes: tablet, mL, puff */
} ChKbProduct;

typedef struct
{
  const char *route;
  const char *unit;
  double      min_dose;     /* NAN: not checked */
  double      max_dose;
  double      max_daily;
  const char *source;
} ChKbDose;

typedef struct
{
  const char         *id;
  const char         *generic_name;
  const char * const *brand_names;   /* NULL-terminated */
  const char * const *classes;       /* as listed, NULL-terminated; see ch_drug_kb_drug_in_class() */
  const ChKbProduct  *products;
  guint               n_products;
  const ChKbDose     *doses;
  guint               n_doses;
} ChKbDrug;

typedef struct _ChDrugKb ChDrugKb;

/* Returns: (transfer full): the base compiled into Charta */
ChDrugKb       *ch_drug_kb_get_shipped       (void);
/* @files: (element-type utf8 GBytes): file name → contents.
 * Returns: (transfer full) (nullable): the base, or NULL with
 * CH_DRUG_KB_ERROR_INVALID listing (up to a limit) every FILE:LINE problem */
ChDrugKb       *ch_drug_kb_new_from_files    (GHashTable  *files,
                                              GError     **error);
/* Reads the files of ch_drug_kb_file_names from @dir.
 * Returns: (transfer full) (element-type utf8 GBytes) (nullable) */
GHashTable     *ch_drug_kb_read_dir          (const char  *dir,
                                              GError     **error);
ChDrugKb       *ch_drug_kb_ref               (ChDrugKb    *kb);
void            ch_drug_kb_unref             (ChDrugKb    *kb);

/* info.tsv: name, version, publisher, date, license, description; "" when absent */
const char     *ch_drug_kb_get_info          (ChDrugKb    *kb,
                                              const char  *key);
guint           ch_drug_kb_count_drugs       (ChDrugKb    *kb);
guint           ch_drug_kb_count_interactions (ChDrugKb   *kb);
guint           ch_drug_kb_count_allergy_groups (ChDrugKb *kb);

/* Returns: (transfer none) (nullable) */
const ChKbDrug *ch_drug_kb_lookup            (ChDrugKb    *kb,
                                              const char  *id);
/* Finds a drug by its generic or a brand name, case- and accent-insensitive.
 * Returns: (transfer none) (nullable) */
const ChKbDrug *ch_drug_kb_find              (ChDrugKb    *kb,
                                              const char  *name);
/* Finds the drug a medication line starts with: "Lisinopril 10 mg tablet",
 * "Amoxil 500 mg". Returns: (transfer none) (nullable) */
const ChKbDrug *ch_drug_kb_find_in_text      (ChDrugKb    *kb,
                                              const char  *text);
gboolean        ch_drug_kb_drug_in_class     (ChDrugKb       *kb,
                                              const ChKbDrug *drug,
                                              const char     *class_code);
/* Returns: (transfer none) (nullable): the class's name */
const char     *ch_drug_kb_class_name        (ChDrugKb    *kb,
                                              const char  *class_code);

typedef struct
{
  const ChKbDrug *drug;
  const char     *matched;   /* the name that matched: the generic or a brand */
} ChKbDrugHit;

/* Drugs whose generic or brand name starts with @query, then those with a
 * word starting with it; each drug once, at most @limit.
 * Returns: (transfer full) (element-type ChKbDrugHit) */
GPtrArray      *ch_drug_kb_search            (ChDrugKb    *kb,
                                              const char  *query,
                                              guint        limit);

/* Converts a dose between units of mass (g, mg, mcg) or between equal units.
 * Returns: FALSE when they do not convert */
gboolean        ch_drug_dose_convert         (double       value,
                                              const char  *unit,
                                              const char  *target,
                                              double      *result);

/* What the checks look at. */
typedef struct
{
  const char *drug_id;    /* NULL: found from @name by ch_drug_kb_find_in_text();
                           * not found: only an "unknown drug" notice */
  const char *name;       /* as shown to people */
  double      dose;       /* one dose; 0 or NAN: not checked */
  const char *unit;
  const char *route;      /* NULL: any */
  double      per_day;    /* doses a day; 0 or NAN: unknown */
} ChKbMedication;

typedef struct
{
  const char *substance;  /* as recorded */
  const char *kind;       /* drug, food, environment, other or "" */
} ChKbAllergy;

typedef enum
{
  CH_DRUG_ALERT_INTERACTION,
  CH_DRUG_ALERT_ALLERGY,
  CH_DRUG_ALERT_DUPLICATE,
  CH_DRUG_ALERT_DOSE,
  CH_DRUG_ALERT_UNCHECKED_ALLERGY,
  CH_DRUG_ALERT_UNKNOWN_DRUG,
} ChDrugAlertKind;

const char     *ch_drug_alert_kind_to_string (ChDrugAlertKind kind);

typedef struct
{
  ChDrugAlertKind kind;
  ChDrugSeverity  severity;
  char           *rule;        /* interaction id, allergy group, duplicate class, "dose" */
  char           *drug_a;      /* the drug being prescribed (id), or NULL */
  char           *drug_b;      /* the other drug (id), or NULL for allergies and doses */
  char           *party_a;     /* names as people read them */
  char           *party_b;     /* the other drug, or the recorded allergy */
  char           *effect;      /* why: what may happen */
  char           *mechanism;
  char           *management;  /* what to do */
  char           *source;
} ChDrugAlert;

void            ch_drug_alert_free           (ChDrugAlert *alert);
/* Returns: (transfer full): "major interaction: warfarin + ibuprofen" */
char           *ch_drug_alert_title          (const ChDrugAlert *alert);
/* Returns: (transfer full): a key naming the rule and the pair, order-free,
 * for "do not warn again for this patient and pair" */
char           *ch_drug_alert_pair_key       (const ChDrugAlert *alert);

/* Checks @proposed against each other, against @current and against
 * @allergies: drug–drug interactions, drug–allergy (by cross-sensitivity
 * group), duplicate therapy and doses outside the usual range. Allergies
 * recorded as drug (or unspecified) allergies that match nothing in the base
 * give one UNCHECKED_ALLERGY notice each.
 * Returns: (transfer full) (element-type ChDrugAlert): most severe first */
GPtrArray      *ch_drug_kb_check             (ChDrugKb             *kb,
                                              const ChKbMedication *proposed,
                                              guint                 n_proposed,
                                              const ChKbMedication *current,
                                              guint                 n_current,
                                              const ChKbAllergy    *allergies,
                                              guint                 n_allergies);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDrugKb, ch_drug_kb_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChDrugAlert, ch_drug_alert_free)

G_END_DECLS
