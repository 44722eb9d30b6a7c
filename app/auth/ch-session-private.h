/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-secret.h"
#include "ch-session.h"

G_BEGIN_DECLS

/* For app/ only: never hand the key to ui/. */
const ChSecret *ch_session_get_master_key (ChSession *self);
gboolean        ch_session_verify_password (ChSession  *self,
                                            const char *password,
                                            GError    **error);

G_END_DECLS
