/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One input through what Charta does with an untrusted file of that kind:
 * the same calls the viewers and charta-admin make. The fuzzers
 * (fuzz-main.c, `build-aux/dev fuzz`) and the regression test
 * (fuzz-regress.c, part of `build-aux/dev test`) share them. */
void ch_fuzz_dcm (const guint8 *data,
                  gsize         size);
void ch_fuzz_pdf (const guint8 *data,
                  gsize         size);

G_END_DECLS
