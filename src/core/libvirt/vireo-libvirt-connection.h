/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vireo-connection-private.h"

G_BEGIN_DECLS

#define VIREO_TYPE_LIBVIRT_CONNECTION (vireo_libvirt_connection_get_type ())
G_DECLARE_FINAL_TYPE (VireoLibvirtConnection, vireo_libvirt_connection,
                      VIREO, LIBVIRT_CONNECTION, VireoConnection)

/* Silences libvirt's default error printing; errors become GErrors. */
void vireo_libvirt_connection_global_init (void);

#ifdef VIREO_LIBVIRT_INTERNAL
#include <libvirt/libvirt.h>
/* For the backend's own files. */
virConnectPtr vireo_libvirt_connection_ref_conn      (VireoLibvirtConnection *self,
                                                      GError                **error);
int           vireo_libvirt_connection_open_graphics (VireoConnection   *conn,
                                                      const char        *uuid,
                                                      VireoGraphicsType *type,
                                                      GError           **error);
int           vireo_libvirt_connection_open_console  (VireoConnection  *conn,
                                                      const char       *uuid,
                                                      GError          **error);
/* vireo-libvirt-storage.c: creating VMs */
char             *vireo_libvirt_connection_get_capabilities (VireoConnection *conn, GError **error);
GPtrArray        *vireo_libvirt_connection_list_drives     (VireoConnection *conn, GError **error);
GPtrArray        *vireo_libvirt_connection_list_volumes    (VireoConnection *conn, const char *pool, GError **error);
gboolean          vireo_libvirt_connection_needs_upload   (VireoConnection *conn);
VireoPoolDetails *vireo_libvirt_connection_get_pool       (VireoConnection *conn,
                                                           const char      *name,
                                                           gboolean         create,
                                                           GError         **error);
gboolean          vireo_libvirt_connection_delete_pool    (VireoConnection *conn,
                                                           const char      *name,
                                                           GError         **error);
char             *vireo_libvirt_connection_create_volume  (VireoConnection *conn,
                                                           const char      *pool,
                                                           const char      *volume_xml,
                                                           GError         **error);
gboolean          vireo_libvirt_connection_delete_volume  (VireoConnection *conn,
                                                           const char      *pool,
                                                           const char      *volume,
                                                           GError         **error);
char             *vireo_libvirt_connection_upload_volume  (VireoConnection      *conn,
                                                           const char           *pool,
                                                           const char           *volume,
                                                           const char           *local_path,
                                                           VireoTransferProgress progress,
                                                           gpointer              progress_data,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
char             *vireo_libvirt_connection_create_domain  (VireoConnection *conn,
                                                           const char      *xml,
                                                           GError         **error);
gboolean          vireo_libvirt_connection_undefine_domain (VireoConnection *conn,
                                                            const char      *uuid,
                                                            GError         **error);
#endif

G_END_DECLS
