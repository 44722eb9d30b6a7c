/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ch-audit.h"
#include "ch-chart.h"
#include "ch-demo.h"
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
make_chart (ChSession *doctor,
            gint64     patient_id,
            GRand     *rand,
            GDateTime *now,
            GError   **error)
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
  systolic = age < 13 ? g_rand_double_range (rand, 92, 112)
                      : g_rand_double_range (rand, 105, has[0] ? 165 : 140);
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
    }

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
make_charts (ChPractice *practice,
             guint       n_patients,
             guint32     seed,
             GError    **error)
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
        if (!make_chart (doctor, id, rand, now, error))
          {
            ch_store_rollback (store);
            return FALSE;
          }
      if (!ch_store_commit (store, error))
        return FALSE;
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
  g_autoptr (ChPractice) practice = NULL;
  g_autoptr (ChSession) admin = NULL;
  g_autoptr (ChSession) frontdesk = NULL;
  g_autoptr (GRand) rand = NULL;
  ChPracticeSetup setup = {
    .name = "Riverside Family Practice (demo)",
    .address = "12 River Road, Springfield",
    .admin_user = "admin",
    .admin_display_name = "Alex Admin",
    .admin_password = CH_DEMO_PASSWORD,
  };

  g_return_val_if_fail (dir != NULL, FALSE);

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
    return make_schedule (practice, 0, seed, error);

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
    }

  ch_session_logout (frontdesk);

  return make_charts (practice, n_patients, seed, error)
         && make_schedule (practice, n_patients, seed, error)
         && make_waitlist (practice, n_patients, seed, error);
}
