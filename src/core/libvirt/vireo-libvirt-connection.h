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
#endif

G_END_DECLS
