/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CH_STORE_KEY_BYTES 32

#define CH_STORE_ERROR (ch_store_error_quark ())

typedef enum
{
  CH_STORE_ERROR_FAILED,
  CH_STORE_ERROR_WRONG_KEY,  /* wrong key, or not a Charta database at all */
  CH_STORE_ERROR_NOT_FOUND,
  CH_STORE_ERROR_CONSTRAINT,
  CH_STORE_ERROR_BUSY,
  CH_STORE_ERROR_FULL,       /* the disk is full */
  CH_STORE_ERROR_SCHEMA,     /* a migration failed, or the schema is newer than this build */
  CH_STORE_ERROR_CORRUPT,
} ChStoreError;

typedef enum
{
  CH_STORE_FLAGS_NONE       = 0,
  CH_STORE_FLAGS_CREATE     = 1 << 0,  /* create the file if it does not exist */
  CH_STORE_FLAGS_READ_ONLY  = 1 << 1,  /* a reader connection for a worker thread */
  CH_STORE_FLAGS_NO_MIGRATE = 1 << 2,  /* leave the schema as found (tests, tools) */
} ChStoreFlags;

#define CH_TYPE_STORE (ch_store_get_type ())
G_DECLARE_FINAL_TYPE (ChStore, ch_store, CH, STORE, GObject)

GQuark       ch_store_error_quark          (void);

ChStore     *ch_store_open                 (const char    *path,
                                            const guint8  *key,
                                            ChStoreFlags   flags,
                                            GError       **error);
ChStore     *ch_store_open_reader          (ChStore       *self,
                                            GError       **error);
void         ch_store_close                (ChStore       *self);
gboolean     ch_store_is_open              (ChStore       *self);
/* @cancellable: (nullable): interrupts a running statement when cancelled */
void         ch_store_set_cancellable      (ChStore       *self,
                                            GCancellable  *cancellable);
const char  *ch_store_get_path             (ChStore       *self);

int          ch_store_get_schema_version   (ChStore       *self);
int          ch_store_get_latest_schema_version (void);
gboolean     ch_store_migrate              (ChStore       *self,
                                            GError       **error);
gboolean     ch_store_migrate_scripts      (ChStore            *self,
                                            const char * const *scripts,
                                            guint               n_scripts,
                                            GError            **error);

gboolean     ch_store_begin                (ChStore       *self,
                                            GError       **error);
gboolean     ch_store_commit               (ChStore       *self,
                                            GError       **error);
void         ch_store_rollback             (ChStore       *self);
gboolean     ch_store_commit_or_rollback   (ChStore       *self,
                                            gboolean       ok,
                                            GError       **error);
gboolean     ch_store_in_transaction       (ChStore       *self);
gboolean     ch_store_begin_batch          (ChStore       *self,
                                            GError       **error);
gboolean     ch_store_batch_spoiled        (ChStore       *self);

gboolean     ch_store_exec                 (ChStore       *self,
                                            const char    *sql,
                                            GError       **error);
gboolean     ch_store_rekey                (ChStore       *self,
                                            const guint8  *new_key,
                                            GError       **error);
gboolean     ch_store_integrity_check      (ChStore       *self,
                                            GError       **error);
gboolean     ch_store_checkpoint           (ChStore       *self,
                                            GError       **error);

char        *ch_fold                       (const char    *text);

G_END_DECLS
