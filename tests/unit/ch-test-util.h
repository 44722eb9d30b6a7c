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

/* The text of a PDF, by Poppler's pdftotext. */
char       *ch_test_pdf_text        (const char *path);
/* @text without any white space, so wrapped lines still match. */
char       *ch_test_squeeze         (const char *text);
/* Fails unless @squeezed (see ch_test_squeeze()) holds @expected. */
void        ch_test_assert_has      (const char *squeezed,
                                     const char *expected);

G_END_DECLS
