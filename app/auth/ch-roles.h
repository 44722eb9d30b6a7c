/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CH_ROLE_PHYSICIAN,
  CH_ROLE_NURSE,
  CH_ROLE_FRONT_DESK,
  CH_ROLE_MANAGER,
  CH_ROLE_ADMIN,
  CH_N_ROLES,   /* the roles a user account can hold */
  /* The backup service (charta-backupd, ch_session_open_service()): no
   * person and no account, so it is past CH_N_ROLES, where no role list,
   * user dialog or ch_role_from_string() finds it. It may back up (write
   * backup runs, read the backup settings, copy the still-encrypted
   * database) and nothing else: no chart, no user, no audit review. */
  CH_ROLE_BACKUP_SERVICE = CH_N_ROLES,
} ChRole;

typedef enum
{
  CH_AREA_DEMOGRAPHICS,
  CH_AREA_CLINICAL,
  CH_AREA_PRESCRIBING,
  CH_AREA_SCHEDULING,
  CH_AREA_BILLING,
  CH_AREA_REPORTS,
  CH_AREA_USERS,
  CH_AREA_AUDIT,
  CH_AREA_BACKUP,
  CH_AREA_DRUG_KB,   /* the drug knowledge base: read to check, write to replace */
  CH_N_AREAS
} ChArea;

typedef enum
{
  CH_ACCESS_NONE  = 0,
  CH_ACCESS_READ  = 1,
  CH_ACCESS_WRITE = 2,
} ChAccess;

const char *ch_role_to_string   (ChRole       role);
gboolean    ch_role_from_string (const char  *text,
                                 ChRole      *out_role);
const char *ch_role_get_label   (ChRole       role);
ChAccess    ch_role_get_access  (ChRole       role,
                                 ChArea       area);
const char *ch_area_to_string   (ChArea       area);
const char *ch_area_get_label   (ChArea       area);
const char *ch_access_to_string (ChAccess     access);

/* Emergency access ("break the glass"): who may ask for it, and what it adds
 * for a while to their own rights. */
gboolean    ch_role_can_break_glass  (ChRole      role);
ChAccess    ch_break_glass_get_access (ChArea     area);

G_END_DECLS
