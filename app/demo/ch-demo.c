/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ch-audit.h"
#include "ch-billing.h"
#include "ch-chart.h"
#include "ch-demo.h"
#include "ch-history-db.h"
#include "ch-notes.h"
#include "ch-patients.h"
#include "ch-practice.h"
#include "ch-recall.h"
#include "ch-schedule.h"
#include "ch-session.h"
#include "ch-users.h"
#include "ch-waitlist.h"

/* A synthetic practice for trying Charta and for tests: the same seed gives
 * the same patients. Names mix the languages a practice meets, accents and
 * all, so that search and sorting see realistic text. */

static const char * const given_female[] = {
  "Ana", "María", "Sofía", "Emma", "Olivia", "Chloé", "Zoë", "Aisha", "Fatima", "Mei",
  "Yuki", "Priya", "Anjali", "Grace", "Hannah", "Ingrid", "Katarzyna", "Léa", "Noémie",
  "Amara", "Nkechi", "Siobhán", "Ewa", "Lucía", "Camille", "Rosa", "Thu", "Linh", "Sara",
  "Ruth", "Esther", "Margaret", "Dorothy", "Joan", "Ngozi",
};

static const char * const given_male[] = {
  "José", "Luis", "Miguel", "Noah", "Liam", "Lukas", "Jürgen", "Søren", "Björn", "Ahmed",
  "Omar", "Wei", "Hiroshi", "Rahul", "Arjun", "Kwame", "Chidi", "Seán", "Tomás", "Piotr",
  "Łukasz", "François", "Étienne", "Mateo", "David", "Samuel", "Minh", "Duc", "George",
  "Frank", "Harold", "Walter", "Ali", "Jonas", "Emeka",
};

static const char * const family_names[] = {
  "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Smith",
  "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
  "Thomas", "Moore", "Jackson", "Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Nguyễn",
  "Trần", "Lê", "Phạm", "Kim", "Lee", "Park", "Chen", "Wang", "Li", "Zhang", "Liu", "Sato",
  "Suzuki", "Takahashi", "Patel", "Shah", "Singh", "Kumar", "Okafor", "Adeyemi", "Mensah",
  "Nowak", "Kowalski", "Wiśniewski", "Dubois", "Lefèvre", "Moreau", "O'Brien", "Murphy",
  "Kelly", "Ó Súilleabháin", "Jensen", "Nielsen", "Hansen", "Johansson", "Andersson",
  "Rossi", "Russo", "Ferrari", "Esposito", "Silva", "Santos", "Oliveira", "Costa", "Haddad",
  "Khalil", "Cohen", "Levi", "Novák", "Dvořák", "Horváth", "Nagy", "Popescu", "Ivanova",
};

#define DEMO_BATCH 10000

static const char * const streets[] = {
  "River Road", "Elm Street", "Maple Avenue", "Oak Lane", "Mill Street", "Church Road",
  "Station Road", "Park Avenue", "Hill Street", "Lake View",
};

static const char * const payers[] = {
  "Acme Health", "Riverside Mutual", "Blue Valley Insurance", "Medicare", "Medicaid",
};

typedef struct
{
  const char *username;
  const char *display_name;
  ChRole      role;
} DemoUser;

static const DemoUser demo_users[] = {
  { "doctor", "Dr. Ana García", CH_ROLE_PHYSICIAN },
  { "nurse", "Sam Okafor", CH_ROLE_NURSE },
  { "frontdesk", "Lee Chen", CH_ROLE_FRONT_DESK },
  { "manager", "Morgan Price", CH_ROLE_MANAGER },
};

static GPtrArray *
make_patients (GRand *rand,
               guint  n)
{
  GPtrArray *patients = g_ptr_array_new_full (n, (GDestroyNotify) ch_patient_record_free);

  for (guint i = 0; i < n; i++)
    {
      ChPatientRecord *record = g_new0 (ChPatientRecord, 1);
      gboolean female = g_rand_boolean (rand);
      int year = g_rand_int_range (rand, 1930, 2025);
      int month = g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 1, g_date_get_days_in_month (month, year) + 1);
      guint roll = (guint) g_rand_int_range (rand, 0, 200);

      if (female)
        record->given_name = g_strdup (given_female[g_rand_int_range (rand, 0, G_N_ELEMENTS (given_female))]);
      else
        record->given_name = g_strdup (given_male[g_rand_int_range (rand, 0, G_N_ELEMENTS (given_male))]);
      record->family_name = g_strdup (family_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (family_names))]);
      record->birth_date = g_strdup_printf ("%04d-%02d-%02d", year, month, day);
      record->sex = g_strdup (roll == 0 ? "other" : roll == 1 ? "unknown" : female ? "female" : "male");

      /* Contact details, made up (555 numbers, a fictional town). */
      {
        g_autofree char *phone = g_strdup_printf ("555-%03d-%04d", g_rand_int_range (rand, 200, 1000),
                                                  g_rand_int_range (rand, 0, 10000));
        record->address_line = g_strdup_printf ("%d %s", g_rand_int_range (rand, 1, 400),
                                                streets[g_rand_int_range (rand, 0, G_N_ELEMENTS (streets))]);
        record->city = g_strdup ("Springfield");
        record->region = g_strdup ("IL");
        record->postal_code = g_strdup_printf ("%05d", g_rand_int_range (rand, 10000, 99999));
        record->country = g_strdup ("US");
        record->language = g_strdup (g_rand_int_range (rand, 0, 10) == 0 ? "es" : "en");
        ch_patient_record_add_phone (record, "mobile", phone);
      }
      g_ptr_array_add (patients, record);
    }

  return patients;
}

/* ---- charts ------------------------------------------------------------------ */

typedef struct
{
  const char *code;
  const char *display;
  const char *medication;  /* nullable */
  const char *dose;
  int         min_age;
} Condition;

static const Condition conditions[] = {
  { "I10", "Essential (primary) hypertension", "Lisinopril 10 mg tablet", "10 mg once daily", 35 },
  { "E11.9", "Type 2 diabetes mellitus without complications", "Metformin 500 mg tablet",
    "500 mg twice daily", 35 },
  { "E78.5", "Hyperlipidemia, unspecified", "Atorvastatin 20 mg tablet", "20 mg at night", 35 },
  { "J45.909", "Unspecified asthma, uncomplicated", "Albuterol 90 mcg/actuation inhaler",
    "2 puffs as needed", 4 },
  { "F41.1", "Generalized anxiety disorder", "Sertraline 50 mg tablet", "50 mg once daily", 16 },
  { "K21.9", "Gastro-esophageal reflux disease without esophagitis", "Omeprazole 20 mg capsule",
    "20 mg before breakfast", 18 },
  { "E03.9", "Hypothyroidism, unspecified", "Levothyroxine 50 mcg tablet",
    "50 mcg once daily", 25 },
  { "M54.50", "Low back pain, unspecified", NULL, NULL, 20 },
  { "E66.9", "Obesity, unspecified", NULL, NULL, 10 },
  { "J30.9", "Allergic rhinitis, unspecified", "Cetirizine 10 mg tablet", "10 mg once daily", 4 },
};

typedef struct
{
  const char *substance;
  const char *reaction;
  const char *severity;
  const char *kind;
} Allergy;

static const Allergy allergies[] = {
  { "Penicillin", "Hives", "moderate", "drug" },
  { "Sulfonamide antibiotics", "Rash", "mild", "drug" },
  { "Peanuts", "Anaphylaxis", "severe", "food" },
  { "Latex", "Contact dermatitis", "mild", "environment" },
  { "Codeine", "Nausea and vomiting", "mild", "drug" },
};

#define DEMO_CHART_BATCH 1000
#define DAY_USEC ((gint64) G_USEC_PER_SEC * 86400)

/* What the visit history needs to know of a patient's chart. */
typedef struct
{
  int      age;
  gboolean insured;
  guint    conditions;                /* bit i: conditions[i] */
  guint    n_dx;
  gint64   dx[CH_BILLING_MAX_DX];     /* chart_items ids of ICD-10 problems */
  guint    n_chart_visits;            /* the chart's visits, oldest first */
  gint64   chart_visits[4];           /* encounters.id */
  gint64   chart_visit_at[4];         /* µs */
  gint64   last_visit_at;
  double   height, weight, systolic;  /* at the chart's visits */
} DemoPatient;

static ChChartItem *
demo_item (const char *section,
           gint64      effective_at,
           gint64      encounter_id)
{
  ChChartItem *item = ch_chart_item_new (section);

  item->effective_at = effective_at;
  item->encounter_id = encounter_id;
  item->status = g_strdup ("active");
  return item;
}

static void
add_vital (GPtrArray  *items,
           const char *code,
           double      value,
           const char *unit,
           gint64      at,
           gint64      encounter_id)
{
  ChChartItem *item = demo_item (CH_SECTION_VITAL, at, encounter_id);

  item->code_system = g_strdup ("loinc");
  item->code = g_strdup (code);
  item->has_value = TRUE;
  item->value_num = round (value * 10.0) / 10.0;
  item->unit = g_strdup (unit);
  g_ptr_array_add (items, item);
}

static void
add_lab (GPtrArray  *items,
         const char *code,
         const char *display,
         double      value,
         const char *unit,
         double      low,
         double      high,
         gint64      at)
{
  ChChartItem *item = demo_item (CH_SECTION_LAB, at, 0);

  item->code_system = g_strdup ("loinc");
  item->code = g_strdup (code);
  item->display = g_strdup (display);
  item->has_value = TRUE;
  item->value_num = round (value * 10.0) / 10.0;
  item->unit = g_strdup (unit);
  item->has_range = TRUE;
  item->ref_low = low;
  item->ref_high = high;
  item->flag = g_strdup (item->value_num < low ? "L" : item->value_num > high ? "H" : "");
  ch_chart_item_set_detail (item, "performer", "Riverside Clinical Laboratory");
  g_ptr_array_add (items, item);
}

static int
age_in_years (const char *birth_date,
              GDateTime  *now)
{
  int y = (int) g_ascii_strtoll (birth_date, NULL, 10);
  return g_date_time_get_year (now) - y;
}

/* One patient's chart: problems and their medications, allergies or none
 * known, a few visits with vital signs, results, a signed note, vaccines. */
static gboolean
make_chart (ChSession   *doctor,
            gint64       patient_id,
            GRand       *rand,
            GDateTime   *now,
            DemoPatient *info,
            GError     **error)
{
  ChStore *store = ch_session_get_store (doctor);
  const char *username = ch_session_get_username (doctor);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  g_autoptr (ChPatientRecord) patient = ch_db_patient_get (store, patient_id, error);
  gint64 today = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  gboolean has[G_N_ELEMENTS (conditions)] = { FALSE };
  double height, weight, systolic;
  int age, n_visits;
  gint64 last_encounter = 0;
  gint64 last_visit_at = 0;

  if (patient == NULL)
    return FALSE;
  age = age_in_years (patient->birth_date, now);

  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    has[i] = age >= conditions[i].min_age
             && g_rand_int_range (rand, 0, 100) < (age > 60 ? 30 : age > 35 ? 15 : 6);

  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      ChChartItem *problem;
      char onset[16];
      int onset_years = g_rand_int_range (rand, 1, MAX (2, MIN (age - conditions[i].min_age, 20)));

      if (!has[i])
        continue;

      g_snprintf (onset, sizeof onset, "%04d-%02d-01", g_date_time_get_year (now) - onset_years,
                  g_rand_int_range (rand, 1, 13));
      problem = demo_item (CH_SECTION_PROBLEM, today - onset_years * 365 * DAY_USEC, 0);
      problem->code_system = g_strdup ("icd10cm");
      problem->code = g_strdup (conditions[i].code);
      problem->display = g_strdup (conditions[i].display);
      problem->clinical_status = g_strdup ("active");
      problem->start_date = g_strdup (onset);
      g_ptr_array_add (items, problem);

      if (conditions[i].medication != NULL)
        {
          ChChartItem *med = demo_item (CH_SECTION_MEDICATION, problem->effective_at, 0);

          med->display = g_strdup (conditions[i].medication);
          med->clinical_status = g_strdup ("active");
          med->start_date = g_strdup (onset);
          ch_chart_item_set_detail (med, "dose", conditions[i].dose);
          g_ptr_array_add (items, med);
        }
    }

  if (g_rand_int_range (rand, 0, 100) < 25)
    {
      const Allergy *allergy = &allergies[g_rand_int_range (rand, 0, G_N_ELEMENTS (allergies))];
      ChChartItem *item = demo_item (CH_SECTION_ALLERGY, today - 400 * DAY_USEC, 0);

      item->display = g_strdup (allergy->substance);
      item->reaction = g_strdup (allergy->reaction);
      item->severity = g_strdup (allergy->severity);
      item->kind = g_strdup (allergy->kind);
      item->clinical_status = g_strdup ("active");
      g_ptr_array_add (items, item);
    }
  else if (!ch_db_chart_flag_set (store, patient_id, "no-known-allergies", "yes", username, error))
    return FALSE;

  /* Adults' size; children grow between visits. */
  /* Roughly the median child of each age (CDC 2000), give or take. */
  if (age >= 18)
    {
      height = g_rand_double_range (rand, 150, 195);
      weight = g_rand_double_range (rand, 50, 120);
    }
  else if (age >= 13)
    {
      height = 150 + (age - 12) * 4.5 + g_rand_double_range (rand, -6, 6);
      weight = 42 + (age - 12) * 4.5 + g_rand_double_range (rand, -6, 8);
    }
  else if (age >= 2)
    {
      height = 77 + age * 6 + g_rand_double_range (rand, -5, 5);
      weight = 8 + age * 2.3 + g_rand_double_range (rand, -2, 3);
    }
  else
    {
      height = 52 + age * 24 + g_rand_double_range (rand, -3, 3);
      weight = 3.6 + age * 6 + g_rand_double_range (rand, -0.5, 0.8);
    }
  info->height = height;
  info->weight = weight;
  systolic = age < 13 ? g_rand_double_range (rand, 92, 112)
                      : g_rand_double_range (rand, 105, has[0] ? 165 : 140);
  info->systolic = systolic;
  n_visits = g_rand_int_range (rand, 1, 5);

  for (int v = n_visits - 1; v >= 0; v--)
    {
      g_autoptr (ChEncounterRecord) visit = ch_encounter_record_new ();
      gint64 at = today - ((gint64) v * 180 + g_rand_int_range (rand, 1, 60)) * DAY_USEC;
      double w = weight + g_rand_double_range (rand, -2, 2);

      visit->patient_id = patient_id;
      visit->start_at = at;
      visit->provider = g_strdup ("doctor");
      visit->kind = g_strdup (v == 0 && g_rand_boolean (rand) ? "video" : "office");
      visit->reason = g_strdup (v == n_visits - 1 ? "New patient visit" : "Follow-up");
      if (!ch_db_encounter_insert (store, visit, username, error))
        return FALSE;
      last_encounter = visit->id;
      last_visit_at = at;
      if (info->n_chart_visits < G_N_ELEMENTS (info->chart_visits))
        {
          info->chart_visits[info->n_chart_visits] = visit->id;
          info->chart_visit_at[info->n_chart_visits++] = at;
        }

      add_vital (items, CH_LOINC_SYSTOLIC, systolic + g_rand_double_range (rand, -8, 8), "mm[Hg]",
                 at, visit->id);
      add_vital (items, CH_LOINC_DIASTOLIC, systolic * 0.62 + g_rand_double_range (rand, -5, 5),
                 "mm[Hg]", at, visit->id);
      add_vital (items, CH_LOINC_PULSE, g_rand_double_range (rand, 58, 96), "/min", at, visit->id);
      add_vital (items, CH_LOINC_TEMPERATURE, g_rand_double_range (rand, 36.3, 37.4), "Cel", at,
                 visit->id);
      add_vital (items, CH_LOINC_WEIGHT, w, "kg", at, visit->id);
      add_vital (items, CH_LOINC_HEIGHT, height, "cm", at, visit->id);
      add_vital (items, CH_LOINC_BMI, w / ((height / 100) * (height / 100)), "kg/m2", at,
                 visit->id);

      if (has[1])
        add_lab (items, "4548-4", "Hemoglobin A1c", g_rand_double_range (rand, 6.0, 9.5), "%", 4.0,
                 5.6, at);
      if (has[2] && v % 2 == 0)
        add_lab (items, "13457-7", "LDL cholesterol (calculated)",
                 g_rand_double_range (rand, 70, 190), "mg/dL", 0, 99, at);
      if (v == 0 && age >= 18)
        add_lab (items, "2160-0", "Creatinine", g_rand_double_range (rand, 0.6, 1.4), "mg/dL", 0.6,
                 1.3, at);
    }

  if (g_rand_int_range (rand, 0, 100) < 60)
    {
      ChChartItem *flu = demo_item (CH_SECTION_IMMUNIZATION, today - 60 * DAY_USEC, 0);
      g_autoptr (GDateTime) given = g_date_time_add_days (now, -60);

      flu->code_system = g_strdup ("cvx");
      flu->code = g_strdup ("141");
      flu->display = g_strdup ("Influenza, seasonal, injectable");
      flu->clinical_status = g_strdup ("given");
      flu->start_date = g_date_time_format (given, "%Y-%m-%d");
      ch_chart_item_set_detail (flu, "lot", "FLU2025A");
      ch_chart_item_set_detail (flu, "site", "left deltoid");
      ch_chart_item_set_detail (flu, "route", "intramuscular");
      g_ptr_array_add (items, flu);
    }

  for (guint i = 0; i < items->len; i++)
    {
      ChChartItem *item = items->pdata[i];

      item->patient_id = patient_id;
      if (!ch_db_chart_insert (store, item, username, error))
        return FALSE;
      if (g_strcmp0 (item->section, CH_SECTION_PROBLEM) == 0 && info->n_dx < CH_BILLING_MAX_DX)
        info->dx[info->n_dx++] = item->id;
    }

  info->age = age;
  info->last_visit_at = last_visit_at;
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    if (has[i])
      info->conditions |= 1u << i;

  if (g_rand_int_range (rand, 0, 100) < 70)
    {
      g_autoptr (ChPolicyRecord) policy = ch_policy_record_new ();

      policy->patient_id = patient_id;
      policy->payer = g_strdup (age >= 65 ? "Medicare" : payers[g_rand_int_range (rand, 0, 3)]);
      policy->plan = g_strdup (age >= 65 ? "Part B" : "Standard PPO");
      policy->member_id = g_strdup_printf ("M%08d", g_rand_int_range (rand, 0, 100000000));
      policy->group_id = g_strdup_printf ("G%04d", g_rand_int_range (rand, 0, 10000));
      policy->subscriber_name = ch_patient_record_display_name (patient);
      policy->subscriber_relation = g_strdup ("self");
      policy->start_date = g_strdup_printf ("%04d-01-01", g_date_time_get_year (now) - 2);
      if (!ch_db_policy_insert (store, policy, username, error))
        return FALSE;
      info->insured = TRUE;
    }

  /* The last visit's note, signed. */
  {
    g_autoptr (ChNoteRecord) note = ch_note_record_new ();
    GString *assessment = g_string_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
      if (has[i])
        g_string_append_printf (assessment, "%s%s: stable.", assessment->len ? " " : "",
                                conditions[i].display);

    note->patient_id = patient_id;
    note->encounter_id = last_encounter;
    note->kind = g_strdup ("soap");
    note->subjective = g_strdup ("Feels well. No new complaints.");
    note->objective = g_strdup ("Vital signs as recorded. Examination unremarkable.");
    note->assessment = assessment->len ? g_string_free (assessment, FALSE)
                                       : (g_string_free (assessment, TRUE), g_strdup ("Healthy."));
    note->plan = g_strdup ("Continue current management. Review in six months.");
    note->author = g_strdup (username);
    note->author_role = g_strdup ("physician");
    note->created_at = last_visit_at;
    if (!ch_db_note_insert (store, note, error))
      return FALSE;
    g_free (note->state);
    note->state = g_strdup ("signed");
    note->signed_at = last_visit_at + (gint64) 3600 * G_USEC_PER_SEC;
    if (!ch_db_note_set_state (store, note, error))
      return FALSE;
  }

  {
    g_autofree char *detail = g_strdup_printf ("%u entries from demo", items->len);
    return ch_session_audit (doctor, CH_AUDIT_CREATE, "chart", "import", patient_id, detail,
                             error);
  }
}

/* Charts for every demo patient, by the demo physician, in batches. */
static gboolean
make_charts (ChPractice          *practice,
             guint                n_patients,
             guint32              seed,
             const ChDemoOptions *options,
             DemoPatient         *infos,
             GError             **error)
{
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed ^ 0x5eed);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  ChStore *store;

  if (n_patients == 0)
    return TRUE;

  doctor = ch_session_login (practice, "doctor", CH_DEMO_PASSWORD, error);
  if (doctor == NULL || !ch_session_check (doctor, CH_AREA_CLINICAL, CH_ACCESS_WRITE, error))
    return FALSE;
  store = ch_session_get_store (doctor);

  for (guint done = 0; done < n_patients; done += DEMO_CHART_BATCH)
    {
      guint end = MIN (done + DEMO_CHART_BATCH, n_patients);

      if (!ch_store_begin (store, error))
        return FALSE;
      for (guint id = done + 1; id <= end; id++)
        if (!make_chart (doctor, id, rand, now, &infos[id - 1], error))
          {
            ch_store_rollback (store);
            return FALSE;
          }
      if (!ch_store_commit (store, error))
        return FALSE;
      if (options->progress != NULL)
        options->progress ("charts", end, n_patients, options->progress_data);
    }

  ch_session_logout (doctor);
  return TRUE;
}

/* The schedule: two providers and two rooms working weekdays 08:00–17:00
 * with an hour for lunch, the usual appointment types (a "follow-up" among
 * them), and a fortnight of bookings around today — a few per patient at
 * most, so that small demo practices stay small. */
typedef struct
{
  const char *name;
  int         minutes;
  int         buffer;
  gboolean    overbook;
  gboolean    room;
  const char *color;
} DemoType;

/* Colours after the GNOME palette, dark enough for white text. */
static const DemoType demo_types[] = {
  { "follow-up", 20, 0, FALSE, FALSE, "#1c71d8" },
  { "new-patient", 40, 0, FALSE, FALSE, "#26a269" },
  { "annual-exam", 30, 0, FALSE, FALSE, "#613583" },
  { "walk-in", 15, 0, TRUE, FALSE, "#c64600" },
  { "procedure", 45, 0, FALSE, TRUE, "#a51d2d" },
  { "injection", 15, 5, FALSE, FALSE, "#1a5fb4" },
};

/* Takes one of today's appointments as far as it has got by @now. */
static gboolean
demo_progress (ChSession           *desk,
               const ChAppointment *a,
               gint64               now,
               GError             **error)
{
  static const char * const steps[] = { "arrived", "in-room", "done" };
  gint64 end = a->start_at + (gint64) a->duration_min * 60 * G_USEC_PER_SEC;
  guint n_steps;

  if (end <= now)
    n_steps = 3;
  else if (a->start_at <= now)
    n_steps = 2;
  else if (a->start_at - now <= 20 * 60 * G_USEC_PER_SEC)
    n_steps = 1;
  else
    n_steps = 0;
  for (guint i = 0; i < n_steps; i++)
    if (!ch_schedule_set_status (desk, a->id, steps[i], NULL, error))
      return FALSE;
  return TRUE;
}

static gboolean
make_schedule (ChPractice *practice,
               guint       n_patients,
               guint32     seed,
               GError    **error)
{
  static const struct { const char *id, *kind, *name, *username; } resources[] = {
    { "garcia", "provider", "Dr. Ana García", "doctor" },
    { "patel", "provider", "Dr. Ravi Patel", NULL },
    { "room-1", "room", "Room 1", NULL },
    { "room-2", "room", "Room 2", NULL },
  };
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  g_autoptr (ChSession) desk = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed ^ 0xca1e);
  g_autoptr (GPtrArray) types = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_appt_type_free);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  guint budget = MIN (n_patients * 2, 300);
  ChStore *store;

  desk = ch_session_login (practice, "frontdesk", CH_DEMO_PASSWORD, error);
  if (desk == NULL)
    return FALSE;
  store = ch_session_get_store (desk);
  if (!ch_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      g_autoptr (ChResource) resource = ch_resource_new ();

      resource->id = g_strdup (resources[i].id);
      resource->kind = g_strdup (resources[i].kind);
      resource->name = g_strdup (resources[i].name);
      resource->username = g_strdup (resources[i].username);
      if (!ch_schedule_put_resource (desk, resource, error)
          || !ch_schedule_set_hours (desk, resources[i].id, 0x3e, week, G_N_ELEMENTS (week), error))
        goto fail;
    }
  for (guint i = 0; i < G_N_ELEMENTS (demo_types); i++)
    {
      ChApptType *type = ch_appt_type_new ();

      type->name = g_strdup (demo_types[i].name);
      type->duration_min = demo_types[i].minutes;
      type->buffer_min = demo_types[i].buffer;
      type->allow_overbook = demo_types[i].overbook;
      type->needs_room = demo_types[i].room;
      type->color = g_strdup (demo_types[i].color);
      g_ptr_array_add (types, type);
      if (!ch_schedule_add_type (desk, type, error))
        goto fail;
    }

  /* From yesterday, a fortnight of weekdays, each provider's day filled in
   * turn until the patients have had their share. */
  for (int offset = -1; offset < 14 && budget > 0; offset++)
    {
      g_autoptr (GDateTime) day = g_date_time_add_days (now, offset);

      if (g_date_time_get_day_of_week (day) > 5)
        continue;
      for (guint p = 0; p < 2 && budget > 0; p++)
        {
          int minute = 8 * 60;

          while (minute < 17 * 60 && budget > 0)
            {
              const ChApptType *type = types->pdata[g_rand_int_range (rand, 0, 3)];
              g_autoptr (ChAppointment) a = ch_appointment_new ();
              g_autoptr (GDateTime) start = NULL;

              if (minute < 13 * 60 && minute + type->duration_min > 12 * 60)
                {
                  minute = 13 * 60;
                  continue;
                }
              if (minute + type->duration_min > 17 * 60)
                break;
              /* Some slots stay free. */
              if (g_rand_int_range (rand, 0, 100) < 35)
                {
                  minute += 20;
                  continue;
                }
              start = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                             g_date_time_get_day_of_month (day), minute / 60,
                                             minute % 60, 0);
              a->patient_id = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
              a->provider_id = g_strdup (resources[p].id);
              a->type_id = type->id;
              a->start_at = g_date_time_to_unix (start) * G_USEC_PER_SEC;
              a->duration_min = type->duration_min;
              a->reason = g_strdup (type->duration_min == 30 ? "Annual check-up" : "Review");
              if (!ch_schedule_book (desk, a, 0, error))
                goto fail;
              /* What has happened by now: yesterday's are over; today's
               * have come and gone, are in a room or in the waiting room. */
              if (offset < 0 && (g_rand_int_range (rand, 0, 10)
                                 ? !demo_progress (desk, a, G_MAXINT64, error)
                                 : !ch_schedule_set_status (desk, a->id, "no-show", NULL, error)))
                goto fail;
              if (offset == 0 && !demo_progress (desk, a, g_get_real_time (), error))
                goto fail;
              minute += type->duration_min;
              budget--;
            }
        }
    }

  if (!ch_store_commit (store, error))
    goto fail;
  ch_session_logout (desk);
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* The waitlist and the recall list: a few patients waiting for an earlier
 * slot (one with an offer open, from a cancellation next week) and a dozen
 * recalls from three weeks overdue to two months ahead, a few already called. */
typedef struct
{
  const char *type;
  const char *provider;   /* nullable */
  int         from_min;
  int         to_min;
  const char *days;       /* nullable */
  const char *note;
} DemoWait;

static const DemoWait demo_waits[] = {
  { "follow-up", NULL, 0, 0, NULL, "Would take any earlier time; works from home" },
  { "annual-exam", "garcia", 8 * 60, 12 * 60, NULL, "Mornings only" },
  { "new-patient", NULL, 0, 0, "mon,wed,fri", "Not on Tuesdays or Thursdays" },
  { "follow-up", "patel", 13 * 60, 17 * 60, NULL, "Afternoons, after school" },
};

typedef struct
{
  const char *kind;
  int         due_in;     /* days from today */
  const char *reason;
  const char *provider;   /* nullable */
  const char *code;       /* immunization: the vaccine group */
  int         dose;
  const char *calls;      /* nullable: notes of calls made, '|' between */
} DemoRecall;

static const DemoRecall demo_recalls[] = {
  { "follow-up", -20, "Blood pressure review", "garcia", NULL, 0, "No answer|Left a voicemail" },
  { "annual-exam", -9, "Annual physical", NULL, NULL, 0, NULL },
  { "immunization", -3, "Seasonal influenza vaccine", NULL, "influenza", 1, "Will call back" },
  { "follow-up", 0, "Diabetes review with HbA1c", "patel", NULL, 0, NULL },
  { "follow-up", 3, "Wound check", "garcia", NULL, 0, NULL },
  { "annual-exam", 7, "Annual physical", "patel", NULL, 0, NULL },
  { "immunization", 10, "Shingles vaccine, first dose", NULL, "zoster", 1, NULL },
  { "other", 14, "Repeat the lipid panel after the diet change", NULL, NULL, 0, NULL },
  { "follow-up", 21, "Thyroid dose check", "garcia", NULL, 0, NULL },
  { "annual-exam", 28, "Annual physical", NULL, NULL, 0, NULL },
  { "immunization", 40, "Td booster", NULL, "tdap_td", 2, NULL },
  { "follow-up", 60, "Six-month review", "patel", NULL, 0, NULL },
};

static gboolean
make_waitlist (ChPractice *practice,
               guint       n_patients,
               guint32     seed,
               GError    **error)
{
  g_autoptr (ChSession) desk = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed ^ 0x3a17);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GHashTable) waiting = g_hash_table_new (NULL, NULL);
  ChStore *store;

  if (n_patients == 0)
    return TRUE;
  desk = ch_session_login (practice, "frontdesk", CH_DEMO_PASSWORD, error);
  if (desk == NULL)
    return FALSE;
  store = ch_session_get_store (desk);
  if (!ch_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_waits) && i < n_patients; i++)
    {
      g_autoptr (ChWaitlistEntry) entry = ch_waitlist_entry_new ();
      g_autoptr (ChApptType) type = ch_schedule_find_type (desk, demo_waits[i].type, error);
      gint64 patient;

      if (type == NULL)
        goto fail;
      /* A different patient each. */
      do
        patient = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
      while (g_hash_table_contains (waiting, GINT_TO_POINTER (patient)));
      g_hash_table_add (waiting, GINT_TO_POINTER (patient));

      entry->patient_id = patient;
      entry->type_id = type->id;
      entry->provider_id = g_strdup (demo_waits[i].provider);
      entry->from_min = demo_waits[i].from_min;
      entry->to_min = demo_waits[i].to_min;
      if (demo_waits[i].days != NULL)
        ch_schedule_parse_days (demo_waits[i].days, &entry->weekdays);
      entry->note = g_strdup (demo_waits[i].note);
      if (!ch_waitlist_add (desk, entry, error))
        goto fail;
    }

  /* Someone booked for next week calls to cancel: the first on the list the
   * time suits is offered it. */
  if (n_patients > G_N_ELEMENTS (demo_waits))
    {
      g_autoptr (ChApptType) type = ch_schedule_find_type (desk, "follow-up", error);
      g_autoptr (GDateTime) from = g_date_time_add_days (now, 5);
      g_autoptr (ChAppointment) a = ch_appointment_new ();
      g_autoptr (GPtrArray) slots = NULL;
      ChSlotQuery query = { 0 };

      if (type == NULL)
        goto fail;
      query.type_id = type->id;
      query.from = g_date_time_to_unix (from) * G_USEC_PER_SEC;
      query.to = query.from + (gint64) 14 * G_TIME_SPAN_DAY;
      query.count = 1;
      slots = ch_schedule_find_slots (desk, &query, error);
      if (slots == NULL)
        goto fail;
      do
        a->patient_id = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
      while (g_hash_table_contains (waiting, GINT_TO_POINTER (a->patient_id)));
      if (slots->len > 0)
        {
          const ChSlot *slot = slots->pdata[0];

          a->provider_id = g_strdup (slot->provider_id);
          a->room_id = g_strdup (slot->room_id);
          a->type_id = type->id;
          a->start_at = slot->start;
          a->duration_min = type->duration_min;
          a->reason = g_strdup ("Review");
          if (!ch_schedule_book (desk, a, 0, error)
              || !ch_schedule_cancel (desk, a->id, "Patient called to cancel", CH_SCOPE_THIS, error))
            goto fail;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (demo_recalls); i++)
    {
      const DemoRecall *d = &demo_recalls[i];
      g_autoptr (ChRecall) recall = ch_recall_new ();
      g_autoptr (GDateTime) due = g_date_time_add_days (now, d->due_in);

      recall->patient_id = g_rand_int_range (rand, 1, (gint32) n_patients + 1);
      recall->kind = g_strdup (d->kind);
      recall->due_date = g_date_time_format (due, "%Y-%m-%d");
      recall->reason = g_strdup (d->reason);
      recall->provider_id = g_strdup (d->provider);
      recall->code = g_strdup (d->code);
      recall->dose = d->dose;
      if (!ch_recall_add (desk, recall, error))
        goto fail;
      if (d->calls != NULL)
        {
          g_auto (GStrv) calls = g_strsplit (d->calls, "|", -1);

          for (guint c = 0; calls[c] != NULL; c++)
            if (!ch_recall_contact (desk, recall->id, calls[c], error))
              goto fail;
        }
    }

  if (!ch_store_commit (store, error))
    goto fail;
  ch_session_logout (desk);
  return TRUE;

fail:
  ch_store_rollback (store);
  return FALSE;
}

/* ---- the visit history and its billing --------------------------------------- */

/* Years of visits before the schedule's fortnight: appointments and what
 * became of them (mostly seen, some no-shows, some cancelled — late, within
 * a day of the time, or early), an encounter for each visit seen, its
 * charges from the sample fee schedule, and the money that followed:
 * payments at the desk and from insurers, contractual write-offs, a few
 * refunds, adjustments and reversals, and what is still owed, spread over
 * the ageing buckets.
 *
 * The rows are those the schedule's and billing's db functions write
 * (ch_db_appointment_insert(), ch_db_charge_insert(), ch_db_payment_insert()
 * …), with the same statements, but back-dated: those functions stamp the
 * present, and three years of payments all received today would leave no
 * ageing, no collections by month, and a daily close of every payment ever.
 * Every amount is posted to the ledger as they post it, so a patient's
 * balance is still the sum of their entries. */

#define DEMO_HISTORY_BATCH 2000
#define MINUTE_USEC ((gint64) 60 * G_USEC_PER_SEC)
#define HOUR_USEC (60 * MINUTE_USEC)
#define DEMO_DAY_MINUTES (9 * 60)      /* 08:00–17:00 */
#define DEMO_MAX_LINES 6

/* The index in demo_types of each kind of visit. */
enum { VISIT_FOLLOW_UP, VISIT_NEW, VISIT_ANNUAL, VISIT_WALK_IN, VISIT_PROCEDURE, VISIT_INJECTION };

static const char * const visit_reasons[] = {
  "Follow-up", "New patient visit", "Annual check-up", "Walk-in", "Minor procedure", "Injection",
};

static const char * const cancel_reasons[] = {
  "Patient called to cancel", "Feeling better", "Work commitment", "Childcare problem",
  "Rebooked for another day",
};

typedef struct
{
  ChStore     *store;
  GRand       *rand;
  gint64       now;
  GPtrArray   *fees;            /* ChFee: every version */
  guint        n_days;          /* weekdays of the history, oldest first */
  gint64      *day_8am;         /* µs: 08:00 local time that day */
  char       **day_text;        /* YYYY-MM-DD */
  guint16     *cursor;          /* per day and provider: minutes after 08:00 taken */
  guint        n_providers;
  char       **provider_ids;
  char       **provider_users;  /* what encounters name: the user, or the resource */
  ChApptType  *types[G_N_ELEMENTS (demo_types)];
  guint        n_visits;
  guint        n_encounters;
} DemoHistory;

typedef struct
{
  gint64  id;
  gint64  entry_id;
  gint64  owed;                 /* what is still to pay on it, as far as the demo knows */
} DemoLine;

static const ChFee *
demo_fee (DemoHistory *h,
          const char  *code,
          const char  *date)
{
  for (guint i = 0; i < h->fees->len; i++)
    {
      const ChFee *fee = h->fees->pdata[i];

      if (g_str_equal (fee->code, code) && strcmp (fee->effective_from, date) <= 0
          && (fee->effective_to == NULL || strcmp (date, fee->effective_to) <= 0))
        return fee;
    }
  return NULL;
}

/* As ch_db_ledger_insert(), posted at @at. */
static gint64
hist_ledger (DemoHistory  *h,
             gint64        patient_id,
             const char   *kind,
             gint64        amount_cents,
             gint64        charge_line_id,
             gint64        payment_id,
             gint64        reverses,
             const char   *method,
             const char   *reason,
             gint64        at,
             const char   *username,
             GError      **error)
{
  return ch_db_history_ledger (h->store, patient_id, kind, amount_cents, charge_line_id, payment_id,
                               reverses, method, reason, at, username, error);
}

/* As ch_db_charge_insert(): the line at the price in force on @date, and
 * its charge entry. FALSE only on a database error; a code the schedule
 * does not price that day adds nothing. */
static gboolean
hist_charge (DemoHistory   *h,
             gint64         patient_id,
             gint64         encounter_id,
             const char    *date,
             const char    *code,
             gint64         units,
             const char    *modifiers,
             const gint64  *dx,
             guint          n_dx,
             gint64         at,
             const char    *username,
             DemoLine      *lines,
             guint         *n_lines,
             GError       **error)
{
  const ChFee *fee = demo_fee (h, code, date);
  DemoLine *line = &lines[*n_lines];
  gint64 dx_ids[CH_BILLING_MAX_DX] = { 0 };

  if (fee == NULL || *n_lines >= DEMO_MAX_LINES)
    return TRUE;
  for (guint i = 0; i < n_dx && i < CH_BILLING_MAX_DX; i++)
    dx_ids[i] = dx[i];
  line->id = ch_db_history_charge_line (h->store, encounter_id, patient_id, fee->id, fee->code, date,
                                        units, fee->price_cents, modifiers, dx_ids, at, username,
                                        error);
  if (line->id == 0)
    return FALSE;
  line->owed = units * fee->price_cents;
  line->entry_id = hist_ledger (h, patient_id, "charge", line->owed, line->id, 0, 0, NULL, NULL,
                                at, username, error);
  if (line->entry_id == 0)
    return FALSE;
  (*n_lines)++;
  return TRUE;
}

/* As ch_db_payment_insert() and ch_db_allocation_insert(): @amount_cents
 * received at @at, allocated to @lines in order up to what each still owes
 * when @allocate. Sets *@out_entry_id to the payment's entry. */
static gint64
hist_pay (DemoHistory  *h,
          gint64        patient_id,
          gint64        amount_cents,
          const char   *method,
          const char   *reference,
          gint64        at,
          const char   *username,
          DemoLine     *lines,
          guint         n_lines,
          gboolean      allocate,
          gint64       *out_entry_id,
          GError      **error)
{
  gint64 payment_id, left = amount_cents;

  payment_id = ch_db_history_payment (h->store, patient_id, method, reference, amount_cents, at,
                                      username, error);
  if (payment_id == 0)
    return 0;
  *out_entry_id = hist_ledger (h, patient_id, "payment", -amount_cents, 0, payment_id, 0, method,
                               NULL, at, username, error);
  if (*out_entry_id == 0)
    return 0;

  for (guint i = 0; allocate && i < n_lines && left > 0; i++)
    {
      gint64 part = MIN (left, lines[i].owed);

      if (part <= 0)
        continue;
      if (ch_db_history_allocation (h->store, payment_id, lines[i].id, part, at, username,
                                    error) == 0)
        return 0;
      lines[i].owed -= part;
      left -= part;
    }
  return payment_id;
}

/* What the payment's paper trail says: the card terminal's reference, the
 * cheque's number, the transfer's or the remittance's; nothing for cash. */
static char *
demo_reference (GRand      *rand,
                const char *method)
{
  int n = g_rand_int_range (rand, 0, 1000000);

  if (g_str_equal (method, "card"))
    return g_strdup_printf ("TRM-%06d", n);
  if (g_str_equal (method, "cheque"))
    return g_strdup_printf ("CHQ %06d", n);
  if (g_str_equal (method, "transfer"))
    return g_strdup_printf ("TRF-%06d", n);
  if (g_str_equal (method, "insurer"))
    return g_strdup_printf ("EFT%06d", n);
  return NULL;
}

static gint64
lines_owed (const DemoLine *lines,
            guint           n_lines)
{
  gint64 owed = 0;

  for (guint i = 0; i < n_lines; i++)
    owed += lines[i].owed;
  return owed;
}

static gboolean
hist_status (DemoHistory  *h,
             gint64        appointment_id,
             const char   *status,
             gint64        at,
             const char   *username,
             const char   *note,
             GError      **error)
{
  return ch_db_history_status (h->store, appointment_id, status, at, username, note, error);
}

/* The appointment as it ended up, with the steps that took it there. */
static gboolean
hist_appointment (DemoHistory  *h,
                  gint64        patient_id,
                  guint         provider,
                  guint         kind,
                  gint64        start,
                  gint64        booked_at,
                  const char   *status,
                  const char   *cancel_reason,
                  gint64        cancelled_at,
                  GError      **error)
{
  const ChApptType *type = h->types[kind];
  gint64 end = start + type->duration_min * MINUTE_USEC;
  gboolean done = g_str_equal (status, "done");
  gint64 last = done ? end + g_rand_int_range (h->rand, 0, 10) * MINUTE_USEC
                : cancel_reason != NULL ? cancelled_at
                : start + 30 * MINUTE_USEC;
  gint64 id;

  /* A procedure needs a room, as booking one does: each provider keeps to
   * one of the two rooms, and no provider is double-booked. */
  id = ch_db_history_appointment (h->store, patient_id, h->provider_ids[provider],
                                  type->needs_room ? (provider % 2 == 0 ? "room-1" : "room-2") : NULL,
                                  type->id, start, type->duration_min, visit_reasons[kind], status,
                                  cancel_reason, done ? 4 : 2, booked_at, last, "frontdesk", error);
  if (id == 0)
    return FALSE;
  h->n_visits++;

  if (!hist_status (h, id, "booked", booked_at, "frontdesk", NULL, error))
    return FALSE;
  if (done)
    return hist_status (h, id, "arrived", start - g_rand_int_range (h->rand, 0, 15) * MINUTE_USEC,
                        "frontdesk", NULL, error)
           && hist_status (h, id, "in-room", start + g_rand_int_range (h->rand, 0, 10) * MINUTE_USEC,
                           "nurse", NULL, error)
           && hist_status (h, id, "done", last, h->provider_users[provider], NULL, error);
  return hist_status (h, id, status, last, "frontdesk", cancel_reason, error);
}

/* The codes of a visit seen: an office visit by its length, with a
 * procedure, an injection or tests now and then, each pointing to the
 * patient's problems. Then what the money did. */
static gboolean
hist_bill (DemoHistory        *h,
           gint64              patient_id,
           const DemoPatient  *info,
           guint               provider,
           guint               kind,
           const char         *date,
           gint64              encounter_id,
           gint64              end,
           GError            **error)
{
  const char *user = h->provider_users[provider];
  const char *em;
  const char *em_modifier = NULL;
  DemoLine lines[DEMO_MAX_LINES];
  guint n = 0;
  gint64 at = end + 20 * MINUTE_USEC;
  gint64 ready_at, desk_entry = 0, later_entry = 0;
  const char *later_method = NULL;
  GRand *rand = h->rand;
  gboolean ready;
  int roll = g_rand_int_range (rand, 0, 100);

  switch (kind)
    {
    case VISIT_NEW:
      em = info->n_dx >= 2 || info->age >= 65 ? "99204" : "99203";
      break;
    case VISIT_ANNUAL:
      em = info->age < 1 ? "99391" : info->age < 18 ? "99213" : info->age < 40 ? "99395" : "99396";
      break;
    case VISIT_WALK_IN:
      em = roll < 80 ? "99212" : "99213";
      break;
    case VISIT_INJECTION:
      em = "99211";
      break;
    case VISIT_PROCEDURE:
      em = "99213";
      em_modifier = "25";
      break;
    default:
      em = roll < 65 ? "99213" : roll < 95 ? "99214" : "99215";
      break;
    }
  if (!hist_charge (h, patient_id, encounter_id, date, em, 1, em_modifier, info->dx, info->n_dx, at,
                    user, lines, &n, error))
    return FALSE;

  if (kind == VISIT_PROCEDURE)
    {
      static const char * const procedures[] = { "11200", "17110", "69210" };

      if (!hist_charge (h, patient_id, encounter_id, date,
                        procedures[g_rand_int_range (rand, 0, G_N_ELEMENTS (procedures))], 1, NULL,
                        info->dx, MIN (info->n_dx, 1), at, user, lines, &n, error))
        return FALSE;
    }
  else if (kind == VISIT_INJECTION)
    {
      const char *month = date + 5;

      /* Flu jabs in the autumn, steroid injections the rest of the year. */
      if (strncmp (month, "09", 2) >= 0 && strncmp (month, "12", 2) <= 0)
        {
          if (!hist_charge (h, patient_id, encounter_id, date, "90686", 1, NULL, NULL, 0, at, user,
                            lines, &n, error)
              || !hist_charge (h, patient_id, encounter_id, date, "90471", 1, NULL, NULL, 0, at, user,
                               lines, &n, error))
            return FALSE;
        }
      else if (!hist_charge (h, patient_id, encounter_id, date, "96372", 1, NULL, info->dx,
                             MIN (info->n_dx, 1), at, user, lines, &n, error)
               || !hist_charge (h, patient_id, encounter_id, date, "J1030",
                                g_rand_int_range (rand, 1, 3), NULL, info->dx, MIN (info->n_dx, 1),
                                at, user, lines, &n, error))
        return FALSE;
    }
  else if (g_rand_int_range (rand, 0, 100) < 25)
    {
      /* Blood drawn for the tests the problems call for. */
      const char *test = (info->conditions & (1u << 1)) ? "83036"
                         : (info->conditions & (1u << 2)) ? "80061" : "85025";

      if (!hist_charge (h, patient_id, encounter_id, date, "36415", 1, NULL, info->dx,
                        MIN (info->n_dx, 1), at, user, lines, &n, error)
          || !hist_charge (h, patient_id, encounter_id, date, test, 1, NULL, info->dx,
                           MIN (info->n_dx, 1), at, user, lines, &n, error))
        return FALSE;
    }
  else if ((info->conditions & 1u) && g_rand_int_range (rand, 0, 100) < 8)
    {
      if (!hist_charge (h, patient_id, encounter_id, date, "93000", 1, NULL, info->dx,
                        MIN (info->n_dx, 1), at, user, lines, &n, error))
        return FALSE;
    }
  if (n == 0)
    return TRUE;

  /* A line charged in error, reversed the next day. */
  if (n >= 2 && g_rand_int_range (rand, 0, 200) == 0)
    {
      n--;
      if (hist_ledger (h, patient_id, "reversal", -lines[n].owed, lines[n].id, 0, lines[n].entry_id,
                       NULL, "Charged in error", at + DAY_USEC, "manager", error) == 0)
        return FALSE;
    }

  /* The physician marks most visits ready to bill within days; the last
   * fortnight's are still being worked on. */
  ready_at = end + g_rand_int_range (rand, 1, 72) * HOUR_USEC;
  ready = ready_at < h->now
          && g_rand_int_range (rand, 0, 100) < (h->now - end > 14 * DAY_USEC ? 97 : 50);
  if (ready && !ch_db_history_ready (h->store, encounter_id, ready_at, user, error))
    return FALSE;

  /* At the desk after the visit: the insured pay their copay, most others
   * the whole bill, by card (with the terminal's reference) or cash. */
  if (info->insured ? g_rand_int_range (rand, 0, 100) < 65 : g_rand_int_range (rand, 0, 100) < 55)
    {
      static const gint64 copays[] = { 1500, 2000, 2500, 3000, 4000 };
      gint64 amount = info->insured ? MIN (copays[g_rand_int_range (rand, 0, G_N_ELEMENTS (copays))],
                                          lines_owed (lines, n))
                                    : lines_owed (lines, n);
      gboolean card = g_rand_int_range (rand, 0, 100) < 65;
      g_autofree char *reference = demo_reference (rand, card ? "card" : "cash");
      gint64 paid_at = end + g_rand_int_range (rand, 2, 15) * MINUTE_USEC;

      if (hist_pay (h, patient_id, amount, card ? "card" : "cash", reference, paid_at, "frontdesk",
                    lines, n, TRUE, &desk_entry, error) == 0)
        return FALSE;

      /* The card went through twice; the second is paid back. */
      if (card && g_rand_int_range (rand, 0, 100) == 0)
        {
          gint64 twice_entry, refund_at = paid_at + g_rand_int_range (rand, 2, 10) * DAY_USEC;

          if (hist_pay (h, patient_id, amount, "card", reference, paid_at + MINUTE_USEC, "frontdesk",
                        lines, n, FALSE, &twice_entry, error) == 0)
            return FALSE;
          if (refund_at < h->now
              && hist_ledger (h, patient_id, "refund", amount, 0, 0, 0, "card",
                              "Card charged twice at the desk", refund_at, "manager", error) == 0)
            return FALSE;
        }
    }

  /* The insurer pays part of a claimed visit weeks later (or denies it),
   * and the rest of the contracted difference is written off. */
  if (info->insured && ready && lines_owed (lines, n) > 0 && g_rand_int_range (rand, 0, 100) >= 5)
    {
      gint64 paid_at = ready_at + g_rand_int_range (rand, 14, 50) * DAY_USEC;

      if (paid_at < h->now)
        {
          gint64 entry, amount = lines_owed (lines, n) * g_rand_int_range (rand, 55, 85) / 100;
          g_autofree char *reference = demo_reference (rand, "insurer");
          int off = g_rand_int_range (rand, 0, 100) < 70 ? g_rand_int_range (rand, 30, 90) : 0;

          if (amount > 0 && hist_pay (h, patient_id, amount, "insurer", reference, paid_at, "manager",
                                      lines, n, TRUE, &entry, error) == 0)
            return FALSE;
          for (guint i = 0; off > 0 && i < n; i++)
            {
              gint64 part = lines[i].owed * off / 100;

              if (part <= 0)
                continue;
              if (hist_ledger (h, patient_id, "write-off", -part, lines[i].id, 0, 0, NULL,
                               "Contractual adjustment", paid_at, "manager", error) == 0)
                return FALSE;
              lines[i].owed -= part;
            }
        }
    }

  /* What is left: most pay it within weeks by cheque, transfer or card;
   * some never do. */
  if (lines_owed (lines, n) > 0 && g_rand_int_range (rand, 0, 100) < 93)
    {
      static const char * const methods[] = { "cheque", "transfer", "card", "cash" };
      gint64 paid_at = end + g_rand_int_range (rand, 20, 110) * DAY_USEC;
      gint64 amount = lines_owed (lines, n);

      later_method = methods[g_rand_int_range (rand, 0, G_N_ELEMENTS (methods))];
      if (g_rand_int_range (rand, 0, 100) < 15)
        amount = MAX (amount / 2, 1);
      if (paid_at < h->now)
        {
          g_autofree char *reference = demo_reference (rand, later_method);

          if (hist_pay (h, patient_id, amount, later_method, reference, paid_at, "frontdesk", lines,
                        n, TRUE, &later_entry, error) == 0)
            return FALSE;

          /* A cheque comes back unpaid: its payment is reversed. */
          if (g_str_equal (later_method, "cheque") && g_rand_int_range (rand, 0, 100) < 4
              && paid_at + 6 * DAY_USEC < h->now)
            {
              if (hist_ledger (h, patient_id, "reversal", amount, 0, 0, later_entry, NULL,
                               "Cheque returned unpaid", paid_at + 6 * DAY_USEC, "manager", error) == 0)
                return FALSE;
              /* Its allocations no longer count: the lines owe again. */
              lines[0].owed += amount;
            }
        }
    }

  /* Small balances left for months are written off; now and then the
   * manager grants a courtesy discount. */
  if (lines_owed (lines, n) > 0 && lines_owed (lines, n) < 1500 && h->now - end > 150 * DAY_USEC
      && g_rand_int_range (rand, 0, 100) < 80)
    {
      if (hist_ledger (h, patient_id, "write-off", -lines_owed (lines, n), 0, 0, 0, NULL,
                       "Small balance", end + 120 * DAY_USEC, "manager", error) == 0)
        return FALSE;
      for (guint i = 0; i < n; i++)
        lines[i].owed = 0;
    }
  else if (lines_owed (lines, n) > 2000 && g_rand_int_range (rand, 0, 100) == 0)
    {
      gint64 discount = lines_owed (lines, n) / 10;

      if (hist_ledger (h, patient_id, "adjustment", -discount, 0, 0, 0, NULL,
                       "Courtesy discount agreed by the office manager", at + DAY_USEC, "manager",
                       error) == 0)
        return FALSE;
    }
  return TRUE;
}

/* Every visit takes every vital sign, as the chart's own visits do; a
 * child was smaller then. */
static gboolean
hist_vitals (DemoHistory        *h,
             gint64              patient_id,
             const DemoPatient  *info,
             gint64              encounter_id,
             gint64              at,
             GError            **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ch_chart_item_free);
  GRand *rand = h->rand;
  double years_back = (info->last_visit_at - at) / (365.25 * DAY_USEC);
  double growth = info->age < 18 ? MAX (0.4, 1.0 - 0.04 * years_back) : 1.0;
  double height = info->height * growth;
  double w = info->weight * growth * growth + g_rand_double_range (rand, -2, 2) * growth;
  double systolic = info->systolic + g_rand_double_range (rand, -8, 8);

  add_vital (items, CH_LOINC_SYSTOLIC, systolic, "mm[Hg]", at, encounter_id);
  add_vital (items, CH_LOINC_DIASTOLIC, info->systolic * 0.62 + g_rand_double_range (rand, -5, 5),
             "mm[Hg]", at, encounter_id);
  add_vital (items, CH_LOINC_PULSE, g_rand_double_range (rand, 58, 96), "/min", at, encounter_id);
  add_vital (items, CH_LOINC_TEMPERATURE, g_rand_double_range (rand, 36.3, 37.4), "Cel", at,
             encounter_id);
  add_vital (items, CH_LOINC_WEIGHT, w, "kg", at, encounter_id);
  add_vital (items, CH_LOINC_HEIGHT, height, "cm", at, encounter_id);
  add_vital (items, CH_LOINC_BMI, w / ((height / 100) * (height / 100)), "kg/m2", at, encounter_id);
  for (guint i = 0; i < items->len; i++)
    {
      ChChartItem *item = items->pdata[i];

      item->patient_id = patient_id;
      if (!ch_db_chart_insert (h->store, item, "nurse", error))
        return FALSE;
    }
  return TRUE;
}

static const struct
{
  const char *code;     /* SNOMED CT */
  const char *display;
  int         percent;
} smoking_statuses[] = {
  { "266919005", "Never smoker", 60 },
  { "8517006", "Former smoker", 25 },
  { "449868002", "Current every day smoker", 15 },
};

/* One patient's visits, oldest first, each on a weekday before the chart's
 * last visit (which stays open, still to be charged), with the patient's
 * usual provider mostly. */
static gboolean
make_patient_history (ChSession          *session,
                      DemoHistory        *h,
                      gint64              patient_id,
                      const DemoPatient  *info,
                      guint               visits_per_patient,
                      GError            **error)
{
  GRand *rand = h->rand;
  guint usual = g_rand_int_range (rand, 0, h->n_providers);
  guint n_days = 0, n_visits;
  guint days[64];
  g_autofree char *detail = NULL;

  /* Most adults' smoking status is on record, from their last visit. */
  if (info->age >= 18 && g_rand_int_range (rand, 0, 100) < 85 && info->last_visit_at > 0)
    {
      g_autoptr (ChChartItem) item = demo_item (CH_SECTION_HISTORY, info->last_visit_at, 0);
      int roll = g_rand_int_range (rand, 0, 100);
      guint s = 0;

      while (s + 1 < G_N_ELEMENTS (smoking_statuses) && roll >= smoking_statuses[s].percent)
        roll -= smoking_statuses[s++].percent;
      item->patient_id = patient_id;
      item->kind = g_strdup ("social");
      item->code_system = g_strdup ("loinc");
      item->code = g_strdup ("72166-2");
      item->value_text = g_strdup (smoking_statuses[s].code);
      item->display = g_strdup (smoking_statuses[s].display);
      if (!ch_db_chart_insert (h->store, item, "doctor", error))
        return FALSE;
    }

  /* The chart's visits are billed too, all but the last: that one is
   * still open, its charges to come. */
  for (guint i = 0; i + 1 < info->n_chart_visits; i++)
    {
      g_autoptr (GDateTime) at = g_date_time_new_from_unix_local (info->chart_visit_at[i] / G_USEC_PER_SEC);
      g_autofree char *date = g_date_time_format (at, "%Y-%m-%d");

      if (!hist_bill (h, patient_id, info, 0, i == 0 ? VISIT_NEW : VISIT_FOLLOW_UP, date,
                      info->chart_visits[i], info->chart_visit_at[i] + 20 * MINUTE_USEC, error))
        return FALSE;
    }

  while (n_days < h->n_days && h->day_8am[n_days] + DAY_USEC < info->last_visit_at)
    n_days++;
  if (n_days == 0 || visits_per_patient == 0)
    return TRUE;
  n_visits = g_rand_int_range (rand, (visits_per_patient + 1) / 2, visits_per_patient * 3 / 2 + 1);
  n_visits = MIN (n_visits, G_N_ELEMENTS (days));
  for (guint i = 0; i < n_visits; i++)
    days[i] = g_rand_int_range (rand, 0, n_days);
  for (guint i = 1; i < n_visits; i++)
    for (guint j = i; j > 0 && days[j - 1] > days[j]; j--)
      {
        guint t = days[j];
        days[j] = days[j - 1];
        days[j - 1] = t;
      }

  for (guint v = 0; v < n_visits; v++)
    {
      int roll = g_rand_int_range (rand, 0, 100);
      guint kind = v == 0 && roll < 20 ? VISIT_NEW
                   : roll < 45 ? VISIT_FOLLOW_UP
                   : roll < 65 ? VISIT_ANNUAL
                   : roll < 80 ? VISIT_WALK_IN
                   : roll < 92 ? VISIT_INJECTION : VISIT_PROCEDURE;
      const ChApptType *type = h->types[kind];
      guint provider = g_rand_int_range (rand, 0, 100) < 85
                       ? usual : (guint) g_rand_int_range (rand, 0, h->n_providers);
      guint day = days[v], slot = 0;
      gboolean placed = FALSE;
      int minute = 0, status_roll;
      gint64 start, booked_at, cancelled_at = 0;
      const char *status = "done", *reason = NULL;

      /* The first free time that day, this provider's or another's, or
       * the next weekday's. */
      for (guint tries = 0; tries < 2 * h->n_providers + 4 && !placed; tries++)
        {
          guint16 *cursor;

          slot = day * h->n_providers + provider;
          cursor = &h->cursor[slot];
          minute = *cursor + 10 * g_rand_int_range (rand, 0, 3);
          if (minute < 4 * 60 && minute + type->duration_min > 4 * 60)
            minute = 5 * 60;
          if (minute + type->duration_min <= DEMO_DAY_MINUTES)
            {
              *cursor = minute + type->duration_min + type->buffer_min;
              placed = TRUE;
            }
          else if (tries % 2 == 0)
            provider = (provider + 1) % h->n_providers;
          else if (day + 1 < n_days)
            day++;
        }
      if (!placed)
        continue;
      start = h->day_8am[day] + minute * MINUTE_USEC;

      status_roll = kind == VISIT_WALK_IN ? 0 : g_rand_int_range (rand, 0, 1000);
      booked_at = kind == VISIT_WALK_IN ? start - g_rand_int_range (rand, 10, 60) * MINUTE_USEC
                                        : start - g_rand_int_range (rand, 1, 40) * DAY_USEC;
      if (status_roll >= 960)
        {
          status = "cancelled";
          reason = cancel_reasons[g_rand_int_range (rand, 0, G_N_ELEMENTS (cancel_reasons))];
          cancelled_at = start - g_rand_int_range (rand, 2, 14) * DAY_USEC;
          booked_at = MIN (booked_at, cancelled_at - 3 * DAY_USEC);
        }
      else if (status_roll >= 925)
        {
          /* Late: within a day of the time. */
          status = "cancelled";
          reason = cancel_reasons[g_rand_int_range (rand, 0, 3)];
          cancelled_at = start - g_rand_int_range (rand, 1, 23) * HOUR_USEC;
        }
      else if (status_roll >= 870)
        status = "no-show";

      if (!hist_appointment (h, patient_id, provider, kind, start, booked_at, status, reason,
                             cancelled_at, error))
        return FALSE;

      if (g_str_equal (status, "done"))
        {
          gint64 end = start + type->duration_min * MINUTE_USEC;
          gint64 encounter_id = ch_db_history_encounter (h->store, patient_id, start,
                                                         h->provider_users[provider],
                                                         visit_reasons[kind], end, error);

          if (encounter_id == 0)
            return FALSE;
          h->n_encounters++;
          if (!hist_vitals (h, patient_id, info, encounter_id, start, error))
            return FALSE;
          if (!hist_bill (h, patient_id, info, provider, kind, h->day_text[day], encounter_id, end,
                          error))
            return FALSE;
        }
    }

  detail = g_strdup_printf ("%u visits from demo", n_visits);
  return ch_session_audit (session, CH_AUDIT_CREATE, "history", "import", patient_id, detail, error);
}

/* The sample fee schedule, compiled in, through the importer. */
static GPtrArray *
import_fees (ChPractice  *practice,
             GError     **error)
{
  g_autoptr (ChSession) manager = ch_session_login (practice, "manager", CH_DEMO_PASSWORD, error);
  g_autoptr (GBytes) csv = NULL;
  g_autofree char *path = NULL;
  gboolean ok;
  int fd;

  if (manager == NULL)
    return NULL;
  csv = g_resources_lookup_data ("/org/charta/Charta/data/fees/sample-fee-schedule.csv",
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (csv == NULL)
    return NULL;
  fd = g_file_open_tmp ("charta-demo-fees-XXXXXX.csv", &path, error);
  if (fd < 0)
    return NULL;
  g_close (fd, NULL);
  ok = g_file_set_contents (path, g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), error)
       && ch_billing_fees_import (manager, path, NULL, error);
  g_unlink (path);
  if (!ok)
    return NULL;
  return ch_billing_fees_list (manager, NULL, error);
}

/* More providers for a large practice (about one to a thousand patients),
 * working the same hours as the first two. */
static gboolean
add_providers (ChPractice  *practice,
               guint        n_providers,
               GError     **error)
{
  ChHours week[] = { { 0, 8 * 60, 17 * 60, FALSE }, { 0, 12 * 60, 13 * 60, TRUE } };
  g_autoptr (ChSession) desk = NULL;
  ChStore *store;

  if (n_providers <= 2)
    return TRUE;
  desk = ch_session_login (practice, "frontdesk", CH_DEMO_PASSWORD, error);
  if (desk == NULL)
    return FALSE;
  store = ch_session_get_store (desk);
  if (!ch_store_begin (store, error))
    return FALSE;
  for (guint i = 2; i < n_providers; i++)
    {
      g_autoptr (ChResource) resource = ch_resource_new ();

      resource->id = g_strdup_printf ("dr-%03u", i);
      resource->kind = g_strdup ("provider");
      resource->name = g_strdup_printf ("Dr. %s %s", given_female[i % G_N_ELEMENTS (given_female)],
                                        family_names[i % G_N_ELEMENTS (family_names)]);
      if (!ch_schedule_put_resource (desk, resource, error)
          || !ch_schedule_set_hours (desk, resource->id, 0x3e, week, G_N_ELEMENTS (week), error))
        {
          ch_store_rollback (store);
          return FALSE;
        }
    }
  return ch_store_commit (store, error);
}

static gboolean
make_history (ChPractice           *practice,
              guint                 n_patients,
              guint32               seed,
              const ChDemoOptions  *options,
              const DemoPatient    *infos,
              GError              **error)
{
  g_autoptr (ChSession) doctor = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed ^ 0xb111);
  g_autoptr (GPtrArray) fees = NULL;
  g_autoptr (GPtrArray) resources = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDate) date = NULL;
  g_autoptr (GDate) last = NULL;
  g_autofree gint64 *day_8am = NULL;
  g_autoptr (GPtrArray) day_text = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint16 *cursor = NULL;
  g_autoptr (GPtrArray) provider_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) provider_users = g_ptr_array_new_with_free_func (g_free);
  DemoHistory h = { 0 };
  const char *first_fee = NULL;
  guint n_providers = MAX (2, n_patients / 1000);
  gboolean ok = TRUE;

  /* Without a history the practice starts with no fee schedule either, as
   * a new one does. */
  if (options->history_years == 0 || options->visits_per_patient == 0)
    return TRUE;
  fees = import_fees (practice, error);
  if (fees == NULL)
    return FALSE;
  if (n_patients == 0)
    return TRUE;
  if (!add_providers (practice, n_providers, error))
    return FALSE;

  doctor = ch_session_login (practice, "doctor", CH_DEMO_PASSWORD, error);
  if (doctor == NULL)
    return FALSE;
  h.store = ch_session_get_store (doctor);
  h.rand = rand;
  h.now = g_get_real_time ();
  h.fees = fees;

  /* The providers in the order they were added: the demo's two first. */
  resources = ch_schedule_list_resources (doctor, "provider", error);
  if (resources == NULL)
    return FALSE;
  for (guint i = 0; i < resources->len; i++)
    {
      const ChResource *r = resources->pdata[i];

      if (!r->active)
        continue;
      g_ptr_array_add (provider_ids, g_strdup (r->id));
      g_ptr_array_add (provider_users, g_strdup (r->username != NULL && *r->username ? r->username : r->id));
    }
  if (provider_ids->len == 0)
    return TRUE;
  h.n_providers = provider_ids->len;
  h.provider_ids = (char **) provider_ids->pdata;
  h.provider_users = (char **) provider_users->pdata;
  for (guint i = 0; i < G_N_ELEMENTS (demo_types); i++)
    {
      h.types[i] = ch_schedule_find_type (doctor, demo_types[i].name, error);
      if (h.types[i] == NULL)
        {
          ok = FALSE;
          goto out;
        }
    }

  /* The weekdays from @history_years ago (no earlier than the fee
   * schedule's first prices) to the day before yesterday: the schedule has
   * yesterday on. */
  for (guint i = 0; i < fees->len; i++)
    {
      const ChFee *fee = fees->pdata[i];

      if (first_fee == NULL || strcmp (fee->effective_from, first_fee) < 0)
        first_fee = fee->effective_from;
    }
  date = g_date_new_dmy (g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                         g_date_time_get_year (now));
  last = g_date_copy (date);
  g_date_subtract_days (last, 2);
  g_date_subtract_days (date, 365 * options->history_years);
  if (first_fee != NULL)
    {
      g_autoptr (GDate) from = g_date_new ();

      g_date_set_parse (from, first_fee);
      if (g_date_valid (from) && g_date_compare (from, date) > 0)
        *date = *from;
    }
  day_8am = g_new0 (gint64, (gsize) 366 * options->history_years + 1);
  for (; g_date_compare (date, last) <= 0; g_date_add_days (date, 1))
    {
      g_autoptr (GDateTime) at = NULL;

      if (g_date_get_weekday (date) >= G_DATE_SATURDAY)
        continue;
      at = g_date_time_new_local (g_date_get_year (date), g_date_get_month (date),
                                  g_date_get_day (date), 8, 0, 0);
      day_8am[day_text->len] = g_date_time_to_unix (at) * G_USEC_PER_SEC;
      g_ptr_array_add (day_text, g_date_time_format (at, "%Y-%m-%d"));
    }
  h.n_days = day_text->len;
  h.day_8am = day_8am;
  h.day_text = (char **) day_text->pdata;
  cursor = g_new0 (guint16, (gsize) MAX (h.n_days, 1) * h.n_providers);
  h.cursor = cursor;

  for (guint done = 0; done < n_patients && ok; done += DEMO_HISTORY_BATCH)
    {
      guint end = MIN (done + DEMO_HISTORY_BATCH, n_patients);

      if (!ch_store_begin_batch (h.store, error))
        {
          ok = FALSE;
          break;
        }
      for (guint id = done + 1; id <= end && ok; id++)
        ok = make_patient_history (doctor, &h, id, &infos[id - 1], options->visits_per_patient,
                                   error);
      if (!ok)
        ch_store_rollback (h.store);
      else
        ok = ch_store_commit (h.store, error);
      if (ok && options->progress != NULL)
        options->progress ("visits", end, n_patients, options->progress_data);
    }
  /* The history was written patient by patient: the reports' indexes by
   * time get the dense order a practice's own days would give them. */
  if (ok)
    {
      if (options->progress != NULL)
        options->progress ("indexes", 0, 1, options->progress_data);
      ok = ch_db_history_settle (h.store, error);
      if (ok && options->progress != NULL)
        options->progress ("indexes", 1, 1, options->progress_data);
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (h.types); i++)
    g_clear_pointer (&h.types[i], ch_appt_type_free);
  if (ok)
    ch_session_logout (doctor);
  return ok;
}

/**
 * ch_demo_options_init:
 *
 * Sets @options to what ch_demo_create() uses.
 */
void
ch_demo_options_init (ChDemoOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (ChDemoOptions) {
    .history_years = CH_DEMO_DEFAULT_HISTORY_YEARS,
    .visits_per_patient = CH_DEMO_DEFAULT_VISITS,
  };
}

/**
 * ch_demo_create:
 * @out_recovery_key: (out) (optional): the practice's recovery key
 *
 * Creates the demo practice in @dir, which must not hold one already.
 */
gboolean
ch_demo_create (const char  *dir,
                guint        n_patients,
                guint32      seed,
                char       **out_recovery_key,
                GError     **error)
{
  ChDemoOptions options;

  ch_demo_options_init (&options);
  return ch_demo_create_full (dir, n_patients, seed, &options, out_recovery_key, error);
}

/**
 * ch_demo_create_full:
 * @options: (nullable): NULL for the defaults
 * @out_recovery_key: (out) (optional): the practice's recovery key
 *
 * Creates the demo practice in @dir, which must not hold one already.
 */
gboolean
ch_demo_create_full (const char           *dir,
                     guint                 n_patients,
                     guint32               seed,
                     const ChDemoOptions  *options,
                     char                **out_recovery_key,
                     GError              **error)
{
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (ChSession) frontdesk = NULL;
  g_autoptr (GRand) rand = NULL;
  g_autofree DemoPatient *infos = NULL;
  ChDemoOptions defaults;
  ChPracticeSetup setup = {
    .name = "Riverside Family Practice (demo)",
    .address = "12 River Road, Springfield",
    .admin_user = "admin",
    .admin_display_name = "Alex Admin",
    .admin_password = CH_DEMO_PASSWORD,
  };

  g_return_val_if_fail (dir != NULL, FALSE);

  if (options == NULL)
    {
      ch_demo_options_init (&defaults);
      options = &defaults;
    }

  practice = ch_practice_create (dir, &setup, out_recovery_key, error);
  if (practice == NULL)
    return FALSE;

  admin = ch_session_login (practice, "admin", CH_DEMO_PASSWORD, error);
  if (admin == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_users); i++)
    if (!ch_users_add (admin, demo_users[i].username, demo_users[i].display_name,
                       demo_users[i].role, CH_DEMO_PASSWORD, error))
      return FALSE;

  ch_session_logout (admin);

  if (n_patients == 0)
    return make_schedule (practice, 0, seed, error)
           && make_history (practice, 0, seed, options, NULL, error);

  frontdesk = ch_session_login (practice, "frontdesk", CH_DEMO_PASSWORD, error);
  if (frontdesk == NULL)
    return FALSE;

  /* In batches: a million patients in one transaction would be a WAL the
   * size of the database. */
  rand = g_rand_new_with_seed (seed);
  for (guint done = 0; done < n_patients; done += DEMO_BATCH)
    {
      g_autoptr (GPtrArray) patients = make_patients (rand, MIN (DEMO_BATCH, n_patients - done));

      if (!ch_patients_register_many (frontdesk, patients, error))
        return FALSE;
      if (options->progress != NULL)
        options->progress ("patients", MIN (done + DEMO_BATCH, n_patients), n_patients,
                           options->progress_data);
    }

  ch_session_logout (frontdesk);

  infos = g_new0 (DemoPatient, n_patients);
  return make_charts (practice, n_patients, seed, options, infos, error)
         && make_schedule (practice, n_patients, seed, error)
         && make_waitlist (practice, n_patients, seed, error)
         && make_history (practice, n_patients, seed, options, infos, error);
}
