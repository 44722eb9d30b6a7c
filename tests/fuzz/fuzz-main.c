/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stddef.h>
#include <stdint.h>

#include "ch-fuzz.h"

/* libFuzzer's entry point; CH_FUZZ_TARGET names the ch_fuzz_*() function. */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
silence (const char    *domain,
         GLogLevelFlags level,
         const char    *message,
         gpointer       user_data)
{
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialised;

  if (!initialised)
    {
      /* Poppler reports what it cannot parse through GLib's log. */
      g_log_set_default_handler (silence, NULL);
      initialised = TRUE;
    }
  CH_FUZZ_TARGET (data, size);
  return 0;
}
