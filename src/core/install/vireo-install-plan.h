/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An install plan: everything the user chose, turned into the two libvirt
 * domain XML documents virt-install would make — the install-time one (kernel
 * and initrd, CD or network boot; on_reboot destroy so the installer's reboot
 * ends the install phase) and the final one (boot from disk), defined in turn.
 * Building is pure: no I/O, the same choices give the same XML. */
#pragma once

#include <glib-object.h>
#include "vireo-install-source.h"
#include "vireo-tree-info.h"
#include "vireo-os-guess.h"
#include "vireo-host-caps.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_DISK_NONE,
  VIREO_DISK_NEW_VOLUME,      /* a new qcow2 volume in a pool (the caller creates it) */
  VIREO_DISK_EXISTING_PATH,   /* a file or block device on the host */
  VIREO_DISK_EXISTING_VOLUME, /* a volume of a pool */
} VireoDiskKind;

typedef enum {
  VIREO_NETWORK_NONE,
  VIREO_NETWORK_VIRTUAL,      /* a libvirt virtual network (NAT, routed, isolated) */
  VIREO_NETWORK_BRIDGE,       /* a host bridge */
  VIREO_NETWORK_USER,         /* user-mode (slirp) networking */
  VIREO_NETWORK_DIRECT,       /* macvtap on a host network device (bridge mode) */
} VireoNetworkKind;

#define VIREO_TYPE_INSTALL_PLAN (vireo_install_plan_get_type ())
G_DECLARE_FINAL_TYPE (VireoInstallPlan, vireo_install_plan, VIREO, INSTALL_PLAN, GObject)

VireoInstallPlan *vireo_install_plan_new (VireoInstallSource *source);

VireoInstallSource *vireo_install_plan_get_source (VireoInstallPlan *self);

void vireo_install_plan_set_name        (VireoInstallPlan *self, const char *name);
void vireo_install_plan_set_memory_mib  (VireoInstallPlan *self, guint memory_mib);
void vireo_install_plan_set_vcpus       (VireoInstallPlan *self, guint vcpus);
/* "kvm", "qemu", "xen" … as the host's capabilities name them; NULL picks. */
void vireo_install_plan_set_virt_type   (VireoInstallPlan *self, const char *virt_type);
/* libvirt's arch name; NULL: the tree's, else the host's. */
void vireo_install_plan_set_arch        (VireoInstallPlan *self, const char *arch);
/* TRUE: a Xen paravirtualized guest (OS type xen); FALSE: HVM. */
void vireo_install_plan_set_paravirt    (VireoInstallPlan *self, gboolean paravirt);
/* For the libosinfo metadata and the defaults of memory, vCPUs and disk. */
void vireo_install_plan_set_os          (VireoInstallPlan *self, VireoOsGuess *os);
/* URL method: the detected tree. */
void vireo_install_plan_set_tree        (VireoInstallPlan *self, VireoTreeInfo *tree);
/* URL method: where the tree's kernel and initrd were fetched to, as paths
 * the host can read (the local cache, or an uploaded volume's path). */
/* The ISO's path on the host once uploaded there (instead of the source's). */
void vireo_install_plan_set_media_path  (VireoInstallPlan *self,
                                         const char       *path);
void vireo_install_plan_set_boot_files  (VireoInstallPlan *self,
                                         const char       *kernel_path,
                                         const char       *initrd_path);

void vireo_install_plan_set_disk_none     (VireoInstallPlan *self);
/* The volume is named "<name>.qcow2". */
void vireo_install_plan_set_disk_new      (VireoInstallPlan *self,
                                           const char       *pool,
                                           guint             size_gib);
void vireo_install_plan_set_disk_path     (VireoInstallPlan *self, const char *path);
void vireo_install_plan_set_disk_volume   (VireoInstallPlan *self,
                                           const char       *pool,
                                           const char       *volume);

void vireo_install_plan_set_network_none    (VireoInstallPlan *self);
void vireo_install_plan_set_network_virtual (VireoInstallPlan *self, const char *network);
void vireo_install_plan_set_network_bridge  (VireoInstallPlan *self, const char *bridge);
void vireo_install_plan_set_network_user    (VireoInstallPlan *self);
void vireo_install_plan_set_network_direct  (VireoInstallPlan *self, const char *device);

/* What the host has, for the checks (0: unknown, not checked). */
void vireo_install_plan_set_host_limits (VireoInstallPlan *self,
                                         guint64           host_memory_mib,
                                         guint64           pool_free_bytes);
/* Fixed identity (tests, re-runs); random when not set. */
void vireo_install_plan_set_uuid        (VireoInstallPlan *self, const char *uuid);
void vireo_install_plan_set_mac         (VireoInstallPlan *self, const char *mac);

/* Checks every choice against the host's capabilities and limits, then
 * builds both documents. Errors: VIREO_ERROR_INVALID_URI for bad values,
 * VIREO_ERROR_UNSUPPORTED for what the host or source cannot do. */
gboolean    vireo_install_plan_build          (VireoInstallPlan *self,
                                               VireoHostCaps    *caps,
                                               GError          **error);
/* After a successful build. The install XML is NULL for an import (it has
 * no install phase: the final XML is defined and started directly). */
const char *vireo_install_plan_get_install_xml (VireoInstallPlan *self);
const char *vireo_install_plan_get_final_xml   (VireoInstallPlan *self);
const char *vireo_install_plan_get_name        (VireoInstallPlan *self);
const char *vireo_install_plan_get_uuid        (VireoInstallPlan *self);
const char *vireo_install_plan_get_arch        (VireoInstallPlan *self);
const char *vireo_install_plan_get_virt_type   (VireoInstallPlan *self);
VireoDiskKind vireo_install_plan_get_disk_kind (VireoInstallPlan *self);
/* For VIREO_DISK_NEW_VOLUME: the volume the caller creates before defining. */
const char *vireo_install_plan_get_volume_pool (VireoInstallPlan *self);
const char *vireo_install_plan_get_volume_name (VireoInstallPlan *self);
guint64     vireo_install_plan_get_volume_capacity (VireoInstallPlan *self);  /* bytes */
/* For VIREO_DISK_NEW_VOLUME: the storage volume XML to create in the pool
 * (virStorageVolCreateXML) before defining; NULL otherwise. */
char       *vireo_install_plan_dup_volume_xml  (VireoInstallPlan *self);
/* The kernel command line of the install phase (URL, KERNEL), else NULL. */
const char *vireo_install_plan_get_cmdline     (VireoInstallPlan *self);

/* The choices as set (before build), for the installer. */
gboolean       vireo_install_plan_get_paravirt       (VireoInstallPlan *self);
const char    *vireo_install_plan_get_requested_arch (VireoInstallPlan *self);
const char    *vireo_install_plan_get_requested_virt_type (VireoInstallPlan *self);
VireoTreeInfo *vireo_install_plan_get_tree           (VireoInstallPlan *self);
VireoOsGuess  *vireo_install_plan_get_os             (VireoInstallPlan *self);
/* The pool a new volume goes to (set_disk_new), before build too. */
const char    *vireo_install_plan_get_disk_pool      (VireoInstallPlan *self);

G_END_DECLS
