/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-demo"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-demo.h"
#include "ch-patients.h"
#include "ch-practice.h"
#include "ch-session.h"
#include "ch-users.h"

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
      g_ptr_array_add (patients, record);
    }

  return patients;
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
    return TRUE;

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
  return TRUE;
}
