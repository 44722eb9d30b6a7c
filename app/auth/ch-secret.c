/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ch-secret"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "ch-secret.h"

/* Returns: (transfer full): @len zeroed bytes in guarded memory. Aborts only
 * when the process is out of memory, as g_malloc() does. */
ChSecret *
ch_secret_new (gsize len)
{
  ChSecret *secret;

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");

  secret = sodium_malloc (sizeof (ChSecret) + len);
  if (secret == NULL)
    g_error ("out of secure memory");

  sodium_memzero (secret->data, len);
  secret->len = len;
  return secret;
}

ChSecret *
ch_secret_new_random (gsize len)
{
  ChSecret *secret = ch_secret_new (len);

  randombytes_buf (secret->data, len);
  return secret;
}

ChSecret *
ch_secret_dup (const ChSecret *secret)
{
  ChSecret *copy;

  g_return_val_if_fail (secret != NULL, NULL);

  copy = ch_secret_new (secret->len);
  memcpy (copy->data, secret->data, secret->len);
  return copy;
}

gboolean
ch_secret_equal (const ChSecret *a,
                 const ChSecret *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->len == b->len && sodium_memcmp (a->data, b->data, a->len) == 0;
}

void
ch_secret_free (ChSecret *secret)
{
  if (secret != NULL)
    sodium_free (secret);  /* wipes before freeing */
}
