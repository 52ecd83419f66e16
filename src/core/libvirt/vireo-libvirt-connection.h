/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vireo-connection-private.h"

G_BEGIN_DECLS

#define VIREO_TYPE_LIBVIRT_CONNECTION (vireo_libvirt_connection_get_type ())
G_DECLARE_FINAL_TYPE (VireoLibvirtConnection, vireo_libvirt_connection,
                      VIREO, LIBVIRT_CONNECTION, VireoConnection)

/* Silences libvirt's default error printing; errors become GErrors. */
void vireo_libvirt_connection_global_init (void);

G_END_DECLS
