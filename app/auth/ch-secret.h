/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A key in guarded memory: sodium_malloc()ed, locked against swapping, wiped
 * when freed. Never copy its bytes into ordinary memory. */
typedef struct
{
  gsize  len;
  guint8 data[];
} ChSecret;

ChSecret *ch_secret_new        (gsize           len);
ChSecret *ch_secret_new_random (gsize           len);
ChSecret *ch_secret_dup        (const ChSecret *secret);
gboolean  ch_secret_equal      (const ChSecret *a,
                                const ChSecret *b);
void      ch_secret_free       (ChSecret       *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChSecret, ch_secret_free)

G_END_DECLS
