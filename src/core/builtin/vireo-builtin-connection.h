/* SPDX-License-Identifier: GPL-3.0-or-later */
/* builtin:///session — runs QEMU directly, for machines without libvirt.
 * Definitions are libvirt domain XML, one file per VM. */
#pragma once

#include "vireo-connection-private.h"

G_BEGIN_DECLS

#define VIREO_TYPE_BUILTIN_CONNECTION (vireo_builtin_connection_get_type ())
G_DECLARE_FINAL_TYPE (VireoBuiltinConnection, vireo_builtin_connection,
                      VIREO, BUILTIN_CONNECTION, VireoConnection)

/* Where things live; each honours the XDG variables. */
char *vireo_builtin_config_dir  (void);   /* $XDG_CONFIG_HOME/vireo/builtin */
char *vireo_builtin_images_dir  (void);   /* $XDG_DATA_HOME/vireo/images */
char *vireo_builtin_runtime_dir (void);   /* $XDG_RUNTIME_DIR/vireo, mode 0700 */

/* The Debian package that ships qemu-system-ARCH. */
const char *vireo_builtin_qemu_package (const char *arch);

/* vireo-builtin-storage.c: creating VMs (worker threads). */
gboolean          vireo_builtin_kvm_usable       (void);
char             *vireo_builtin_capabilities_xml (void);
VireoPoolDetails *vireo_builtin_get_pool         (const char *name,
                                                  gboolean    create,
                                                  GError    **error);
char             *vireo_builtin_create_volume    (const char *pool,
                                                  const char *volume_xml,
                                                  GError    **error);
gboolean          vireo_builtin_delete_volume    (const char *pool,
                                                  const char *volume,
                                                  GError    **error);
char             *vireo_builtin_upload_volume    (const char           *pool,
                                                  const char           *volume,
                                                  const char           *local_path,
                                                  VireoTransferProgress progress,
                                                  gpointer              progress_data,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
/* Disks given as volumes of the pool "default" become its files. */
char             *vireo_builtin_resolve_volumes  (const char *domain_xml,
                                                  GError    **error);

G_END_DECLS
