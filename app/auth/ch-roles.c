/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-roles"

#include "config.h"

#include <glib/gi18n.h>

#include "ch-roles.h"

#define N CH_ACCESS_NONE
#define R CH_ACCESS_READ
#define W CH_ACCESS_WRITE

/* The one permission table. Least privilege: the administrator runs users,
 * keys and backups but reads no clinical record; the office manager runs the
 * practice's business but not its charts. */
static const ChAccess permissions[CH_N_ROLES + 1][CH_N_AREAS] = {
  /*                 demogr clinic presc  sched  bill   report users  audit  backup drugkb */
  [CH_ROLE_PHYSICIAN]  = { W,     W,     W,     W,     R,     R,     N,     N,     N,     W },
  [CH_ROLE_NURSE]      = { W,     W,     R,     W,     N,     N,     N,     N,     N,     R },
  [CH_ROLE_FRONT_DESK] = { W,     N,     N,     W,     W,     N,     N,     N,     N,     N },
  [CH_ROLE_MANAGER]    = { R,     N,     N,     R,     W,     W,     W,     R,     W,     R },
  [CH_ROLE_ADMIN]      = { N,     N,     N,     N,     N,     R,     W,     R,     W,     W },
  /* Not a user's role: the narrowest that runs backups. */
  [CH_ROLE_BACKUP_SERVICE] = { N,  N,     N,     N,     N,     N,     N,     N,     W,     N },
};

/* What emergency access adds: the chart, to read and to write, for the
 * patient in front of you; not prescribing, nor anything of the office. */
static const ChAccess break_glass[CH_N_AREAS] = {
  /* demogr clinic presc  sched  bill   report users  audit  backup drugkb */
     W,     W,     R,     N,     N,     N,     N,     N,     N,     R,
};

#undef N
#undef R
#undef W

static const char * const role_names[CH_N_ROLES + 1] = {
  [CH_ROLE_PHYSICIAN] = "physician",
  [CH_ROLE_NURSE] = "nurse",
  [CH_ROLE_FRONT_DESK] = "front-desk",
  [CH_ROLE_MANAGER] = "manager",
  [CH_ROLE_ADMIN] = "admin",
  [CH_ROLE_BACKUP_SERVICE] = "backup-service",
};

static const char * const area_names[CH_N_AREAS] = {
  [CH_AREA_DEMOGRAPHICS] = "demographics",
  [CH_AREA_CLINICAL] = "clinical",
  [CH_AREA_PRESCRIBING] = "prescribing",
  [CH_AREA_SCHEDULING] = "scheduling",
  [CH_AREA_BILLING] = "billing",
  [CH_AREA_REPORTS] = "reports",
  [CH_AREA_USERS] = "users",
  [CH_AREA_AUDIT] = "audit",
  [CH_AREA_BACKUP] = "backup",
  [CH_AREA_DRUG_KB] = "drug-kb",
};

const char *
ch_role_to_string (ChRole role)
{
  g_return_val_if_fail (role <= CH_ROLE_BACKUP_SERVICE, NULL);
  return role_names[role];
}

gboolean
ch_role_from_string (const char *text,
                     ChRole     *out_role)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < CH_N_ROLES; i++)
    if (g_str_equal (text, role_names[i]))
      {
        if (out_role != NULL)
          *out_role = i;
        return TRUE;
      }

  return FALSE;
}

const char *
ch_role_get_label (ChRole role)
{
  switch (role)
    {
    case CH_ROLE_PHYSICIAN: return _("Physician");
    case CH_ROLE_NURSE: return _("Nurse");
    case CH_ROLE_FRONT_DESK: return _("Front desk");
    case CH_ROLE_MANAGER: return _("Office manager");
    case CH_ROLE_ADMIN: return _("Administrator");
    case CH_ROLE_BACKUP_SERVICE: return _("Backup service");
    default:
      g_return_val_if_reached (NULL);
    }
}

ChAccess
ch_role_get_access (ChRole role,
                    ChArea area)
{
  g_return_val_if_fail (role <= CH_ROLE_BACKUP_SERVICE, CH_ACCESS_NONE);
  g_return_val_if_fail (area < CH_N_AREAS, CH_ACCESS_NONE);

  return permissions[role][area];
}

/* People at the point of care may break the glass; the administrator and
 * the office manager, whose roles keep them out of charts, may not. */
gboolean
ch_role_can_break_glass (ChRole role)
{
  return role == CH_ROLE_PHYSICIAN || role == CH_ROLE_NURSE || role == CH_ROLE_FRONT_DESK;
}

ChAccess
ch_break_glass_get_access (ChArea area)
{
  g_return_val_if_fail (area < CH_N_AREAS, CH_ACCESS_NONE);

  return break_glass[area];
}

const char *
ch_area_to_string (ChArea area)
{
  g_return_val_if_fail (area < CH_N_AREAS, NULL);
  return area_names[area];
}

const char *
ch_area_get_label (ChArea area)
{
  switch (area)
    {
    case CH_AREA_DEMOGRAPHICS: return _("Demographics");
    case CH_AREA_CLINICAL: return _("Clinical record");
    case CH_AREA_PRESCRIBING: return _("Prescribing");
    case CH_AREA_SCHEDULING: return _("Scheduling");
    case CH_AREA_BILLING: return _("Billing");
    case CH_AREA_REPORTS: return _("Reports");
    case CH_AREA_USERS: return _("Users");
    case CH_AREA_AUDIT: return _("Audit trail");
    case CH_AREA_BACKUP: return _("Backups");
    case CH_AREA_DRUG_KB: return _("Drug knowledge base");
    case CH_N_AREAS:
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ch_access_to_string (ChAccess access)
{
  switch (access)
    {
    case CH_ACCESS_NONE: return "none";
    case CH_ACCESS_READ: return "read";
    case CH_ACCESS_WRITE: return "write";
    default:
      g_return_val_if_reached (NULL);
    }
}
