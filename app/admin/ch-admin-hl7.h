/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-session.h"

G_BEGIN_DECLS

/* The HL7 and lab commands of charta-admin over app/interop/ch-labs.h:
 * "import hl7", "hl7 queue", "hl7 assign", "hl7 reprocess", "hl7 log" and
 * "lab results". main.c logs in; these add their options, check them and
 * run. */

typedef enum
{
  CH_ADMIN_HL7_IMPORT,
  CH_ADMIN_HL7_QUEUE,
  CH_ADMIN_HL7_ASSIGN,
  CH_ADMIN_HL7_REPROCESS,
  CH_ADMIN_HL7_LOG,
  CH_ADMIN_LAB_RESULTS,
  CH_ADMIN_HL7_LISTEN,
} ChAdminHl7Command;

typedef struct
{
  char     *patient;   /* --patient MRN */
  gboolean  history;   /* --history */
  gboolean  json;      /* --json */
  gint      limit;     /* --limit N; 0: the default */
  gint      port;      /* listen: --port N; -1: none */
  char     *address;   /* listen: --address ADDRESS */
  char     *folder;    /* listen: --folder DIR */
} ChAdminHl7Options;

void     ch_admin_hl7_options_clear (ChAdminHl7Options       *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChAdminHl7Options, ch_admin_hl7_options_clear)

/* The positional arguments @command takes. */
void     ch_admin_hl7_arity         (ChAdminHl7Command        command,
                                     guint                   *out_min,
                                     guint                   *out_max);
/* Adds @command's own options (and its description) to @context. */
void     ch_admin_hl7_add_options   (GOptionContext          *context,
                                     ChAdminHl7Command        command,
                                     ChAdminHl7Options       *opts);
/* Checks the options and @args (the positional arguments) as parsed:
 * CH_ADMIN_ERROR_USAGE when they do not make sense. */
gboolean ch_admin_hl7_check         (ChAdminHl7Command        command,
                                     const ChAdminHl7Options *opts,
                                     const char * const      *args,
                                     GError                 **error);
/* Runs @command and prints what it did. "import hl7" fails when any message
 * was rejected or failed, having tried every one. */
gboolean ch_admin_hl7_run           (ChSession               *session,
                                     ChAdminHl7Command        command,
                                     const ChAdminHl7Options *opts,
                                     const char * const      *args,
                                     GError                 **error);

G_END_DECLS
