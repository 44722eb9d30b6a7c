/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ch-practice.h"
#include "ch-session.h"
#include "ch-store.h"

G_BEGIN_DECLS

/* Opens the master key from a keyring (a user's slot, the recovery slot …). */
typedef ChSecret *(*ChSlotOpener) (ChKeyring *keyring,
                                   gpointer   user_data,
                                   GError   **error);

ChStore *ch_practice_open_store (ChPractice    *self,
                                 ChSecret     **master,
                                 ChSlotOpener   opener,
                                 gpointer       opener_data,
                                 GError       **error);

/* The practice lock (PRACTICE/practice.lock, flock): every open session holds
 * it shared; changing the master key takes it exclusively. */
int      ch_practice_lock_shared  (ChPractice    *self,
                                   GError       **error);
gboolean ch_practice_lock_exclusive (int          fd,
                                     GError     **error);
void     ch_practice_lock_release_exclusive (int   fd);
void     ch_practice_unlock       (int            fd);

G_END_DECLS
