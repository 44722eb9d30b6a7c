/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-roles"

#include "config.h"

#include "ch-roles.h"

static void
test_names_roundtrip (void)
{
  const char *names[] = { "physician", "nurse", "front-desk", "manager", "admin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ChRole role;

      g_assert_true (ch_role_from_string (names[i], &role));
      g_assert_cmpstr (ch_role_to_string (role), ==, names[i]);
      g_assert_nonnull (ch_role_get_label (role));
    }

  g_assert_false (ch_role_from_string ("root", NULL));
  g_assert_false (ch_role_from_string ("", NULL));
  g_assert_false (ch_role_from_string (NULL, NULL));
}

/* The rules a practice relies on, spelled out. */
static void
test_table (void)
{
  /* Only clinicians write the chart; only physicians prescribe. */
  for (ChRole role = 0; role < CH_N_ROLES; role++)
    {
      gboolean clinician = role == CH_ROLE_PHYSICIAN || role == CH_ROLE_NURSE;

      g_assert_cmpint (ch_role_get_access (role, CH_AREA_CLINICAL) == CH_ACCESS_WRITE, ==, clinician);
      g_assert_cmpint (ch_role_get_access (role, CH_AREA_PRESCRIBING) == CH_ACCESS_WRITE, ==,
                       role == CH_ROLE_PHYSICIAN);
    }

  /* The front desk registers and schedules, takes payments, sees no chart. */
  g_assert_cmpint (ch_role_get_access (CH_ROLE_FRONT_DESK, CH_AREA_DEMOGRAPHICS), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_FRONT_DESK, CH_AREA_SCHEDULING), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_FRONT_DESK, CH_AREA_BILLING), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_FRONT_DESK, CH_AREA_CLINICAL), ==, CH_ACCESS_NONE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_FRONT_DESK, CH_AREA_USERS), ==, CH_ACCESS_NONE);

  /* The office manager runs reports, users, audit and backups. */
  g_assert_cmpint (ch_role_get_access (CH_ROLE_MANAGER, CH_AREA_REPORTS), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_MANAGER, CH_AREA_USERS), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_MANAGER, CH_AREA_AUDIT), ==, CH_ACCESS_READ);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_MANAGER, CH_AREA_BACKUP), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_MANAGER, CH_AREA_CLINICAL), ==, CH_ACCESS_NONE);

  /* The administrator keeps the system, not the charts. */
  g_assert_cmpint (ch_role_get_access (CH_ROLE_ADMIN, CH_AREA_USERS), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_ADMIN, CH_AREA_BACKUP), ==, CH_ACCESS_WRITE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_ADMIN, CH_AREA_AUDIT), ==, CH_ACCESS_READ);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_ADMIN, CH_AREA_CLINICAL), ==, CH_ACCESS_NONE);
  g_assert_cmpint (ch_role_get_access (CH_ROLE_ADMIN, CH_AREA_DEMOGRAPHICS), ==, CH_ACCESS_NONE);

  /* Nobody writes the audit trail by hand. */
  for (ChRole role = 0; role < CH_N_ROLES; role++)
    g_assert_cmpint (ch_role_get_access (role, CH_AREA_AUDIT), <, CH_ACCESS_WRITE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/roles/names", test_names_roundtrip);
  g_test_add_func ("/auth/roles/table", test_table);

  return g_test_run ();
}
