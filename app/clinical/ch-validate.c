/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-validate"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ch-practice.h"
#include "ch-validate.h"

/* A real calendar date written YYYY-MM-DD. */
gboolean
ch_valid_date (const char *text)
{
  int y, m, d;
  char extra;

  return text != NULL && strlen (text) == 10
         && sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && g_date_valid_dmy (d, m, y);
}

/* Whether @text has anything but white space. */
gboolean
ch_has_text (const char *text)
{
  if (text == NULL)
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return TRUE;
  return FALSE;
}

/* Sets CH_AUTH_ERROR_INVALID with @message; returns %FALSE. */
gboolean
ch_invalid (GError    **error,
            const char *message)
{
  g_set_error_literal (error, CH_AUTH_ERROR, CH_AUTH_ERROR_INVALID, message);
  return FALSE;
}
