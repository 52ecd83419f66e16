/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What an install tree is and where its boot files are: read from .treeinfo,
 * a Debian/Ubuntu installer MANIFEST, or a SUSE content file. Paths are
 * relative to the tree's URL, ready for the same VireoFetcher. */
#pragma once

#include <gio/gio.h>
#include "vireo-fetcher.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_TREE_LAYOUT_TREEINFO,   /* Fedora, RHEL, CentOS, … (.treeinfo) */
  VIREO_TREE_LAYOUT_DEBIAN,     /* dists/CODENAME/main/installer-ARCH/…, MANIFEST */
  VIREO_TREE_LAYOUT_UBUNTU,     /* the same with ubuntu-installer */
  VIREO_TREE_LAYOUT_SUSE,       /* content file, boot/ARCH/loader */
} VireoTreeLayout;

const char *vireo_tree_layout_to_string (VireoTreeLayout layout);

/* libvirt's architecture name → Debian's ("x86_64" → "amd64"). */
const char *vireo_arch_to_debian (const char *arch);

#define VIREO_TYPE_TREE_INFO (vireo_tree_info_get_type ())
G_DECLARE_FINAL_TYPE (VireoTreeInfo, vireo_tree_info, VIREO, TREE_INFO, GObject)

/* Pure parsers (no I/O). `arch` is libvirt's name (x86_64, i686, aarch64);
 * a tree without boot files for it fails with VIREO_ERROR_UNSUPPORTED. */
VireoTreeInfo *vireo_tree_info_new_from_treeinfo (const char  *data,
                                                  gssize       length,
                                                  const char  *arch,
                                                  GError     **error);
VireoTreeInfo *vireo_tree_info_new_from_suse_content (const char *data,
                                                      gssize      length,
                                                      const char *arch,
                                                      GError    **error);
/* `images_dir` is the directory holding MANIFEST, relative to the tree URL
 * ("dists/bookworm/main/installer-amd64/current/images/"); `release` is the
 * suite's Release file when known (codename, version, origin), else NULL. */
VireoTreeInfo *vireo_tree_info_new_from_manifest (const char *manifest,
                                                  gssize      length,
                                                  const char *images_dir,
                                                  const char *release,
                                                  const char *codename,
                                                  const char *arch,
                                                  GError    **error);

/* Detection: fetches what it needs through `fetcher`. Call from a worker
 * thread, or use the async form. Errors: VIREO_ERROR_NOT_FOUND when no known
 * layout is there, VIREO_ERROR_UNSUPPORTED when none for `arch`, and the
 * fetcher's own (unreachable host, …). */
VireoTreeInfo *vireo_tree_info_detect        (VireoFetcher  *fetcher,
                                              const char    *arch,
                                              GCancellable  *cancellable,
                                              GError       **error);
void           vireo_tree_info_detect_async  (VireoFetcher        *fetcher,
                                              const char          *arch,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
VireoTreeInfo *vireo_tree_info_detect_finish (GAsyncResult  *result,
                                              GError       **error);

VireoTreeLayout vireo_tree_info_get_layout      (VireoTreeInfo *self);
/* libosinfo's distro name where known: "fedora", "rhel", "centos", "debian",
 * "ubuntu", "opensuse", "sles"; else the tree's family in lower case. */
const char     *vireo_tree_info_get_family      (VireoTreeInfo *self);
/* As the tree names itself: "Fedora", "Debian", "openSUSE Leap". */
const char     *vireo_tree_info_get_name        (VireoTreeInfo *self);
const char     *vireo_tree_info_get_version     (VireoTreeInfo *self);   /* may be NULL */
const char     *vireo_tree_info_get_codename    (VireoTreeInfo *self);   /* may be NULL */
/* ".treeinfo" trees: "Server", "BaseOS" …; may be NULL. */
const char     *vireo_tree_info_get_variant     (VireoTreeInfo *self);
const char     *vireo_tree_info_get_arch        (VireoTreeInfo *self);
const char     *vireo_tree_info_get_kernel      (VireoTreeInfo *self);
const char     *vireo_tree_info_get_initrd      (VireoTreeInfo *self);
/* Xen PV kernel and initrd, NULL when the tree has none. */
const char     *vireo_tree_info_get_xen_kernel  (VireoTreeInfo *self);
const char     *vireo_tree_info_get_xen_initrd  (VireoTreeInfo *self);
gboolean        vireo_tree_info_has_xen         (VireoTreeInfo *self);
/* The .treeinfo text (for libosinfo's tree identification), else NULL. */
const char     *vireo_tree_info_get_treeinfo    (VireoTreeInfo *self);
/* The tree URL it was detected at, NULL for parsed-only infos. */
const char     *vireo_tree_info_get_url         (VireoTreeInfo *self);

/* The files to boot: Xen PV ones when `paravirt`; fails with a clear message
 * when the tree has no Xen PV kernel. */
gboolean        vireo_tree_info_get_boot_files  (VireoTreeInfo *self,
                                                 gboolean       paravirt,
                                                 const char   **kernel,
                                                 const char   **initrd,
                                                 GError       **error);

/* Kernel arguments the installer needs to find the tree again (inst.repo=,
 * install=), or NULL. */
char           *vireo_tree_info_dup_install_args (VireoTreeInfo *self,
                                                  const char    *tree_url);

G_END_DECLS
