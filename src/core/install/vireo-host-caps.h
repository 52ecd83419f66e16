/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What guests a host can run, read from its capabilities XML
 * (virConnectGetCapabilities): OS types (hvm, xen for Xen PV), architectures
 * and virtualization types (kvm, qemu, xen, …). The wizard offers exactly
 * this; nothing is assumed. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VIREO_TYPE_HOST_CAPS (vireo_host_caps_get_type ())
G_DECLARE_FINAL_TYPE (VireoHostCaps, vireo_host_caps, VIREO, HOST_CAPS, GObject)

VireoHostCaps *vireo_host_caps_new            (const char    *capabilities_xml,
                                               GError       **error);

const char    *vireo_host_caps_get_host_arch  (VireoHostCaps *self);
/* Each NULL-terminated, without duplicates, in the order the host lists them.
 * A NULL filter matches everything. */
GStrv          vireo_host_caps_dup_os_types   (VireoHostCaps *self,
                                               const char    *arch);
GStrv          vireo_host_caps_dup_arches     (VireoHostCaps *self,
                                               const char    *os_type);
GStrv          vireo_host_caps_dup_virt_types (VireoHostCaps *self,
                                               const char    *os_type,
                                               const char    *arch);
gboolean       vireo_host_caps_supports       (VireoHostCaps *self,
                                               const char    *os_type,
                                               const char    *arch,
                                               const char    *virt_type);
/* TRUE when the user can choose between paravirtualized (xen) and fully
 * virtualized (hvm) guests. */
gboolean       vireo_host_caps_offers_paravirt_choice (VireoHostCaps *self);

/* Fills in what the caller left NULL (arch: the host's when offered, else
 * the first offered; virt_type: kvm when offered, since libvirt lists qemu
 * (TCG) first, else the first offered) and checks the combination. On failure the
 * message says what the host offers instead. */
gboolean       vireo_host_caps_resolve        (VireoHostCaps *self,
                                               const char    *os_type,
                                               char         **arch,
                                               char         **virt_type,
                                               GError       **error);

G_END_DECLS
