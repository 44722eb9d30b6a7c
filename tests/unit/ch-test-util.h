/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ch-practice.h"
#include "ch-session.h"

G_BEGIN_DECLS

#define CH_TEST_PASSWORD "correct horse battery"

char       *ch_test_make_dir        (void);
void        ch_test_remove_dir      (const char *dir);
ChPractice *ch_test_make_practice   (const char *dir,
                                     char      **out_recovery_key);
ChSession  *ch_test_login           (ChPractice *practice,
                                     const char *username,
                                     const char *password);
GBytes     *ch_test_read_resource   (const char *path);

G_END_DECLS
