/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Copying a shut-off VM to another host on this computer — the builtin
 * backend to libvirt and back: its definition is defined there and its disks
 * are copied with qemu-img. The original is left as it was. */
#pragma once

#include "vireo-connection.h"

G_BEGIN_DECLS

/* TRUE when VMs of `from` can be copied to `to`: two different hosts of
 * this computer whose disks are files here (the builtin backend, a local
 * QEMU/KVM libvirt). Says nothing of their state or of a given VM. */
gboolean     vireo_domain_copy_supported (VireoConnection     *from,
                                          VireoConnection     *to);

void         vireo_domain_copy_to_async  (VireoDomain         *domain,
                                          VireoConnection     *to,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* The new VM on `to`. */
VireoDomain *vireo_domain_copy_to_finish (VireoDomain   *domain,
                                          GAsyncResult  *result,
                                          GError       **error);

G_END_DECLS
