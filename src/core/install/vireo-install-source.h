/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where an installation comes from, as the user gave it, checked once when
 * it is made: a constructor that returns a source has validated it. */
#pragma once

#include <glib-object.h>
#include "vireo-install-url.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_INSTALL_METHOD_ISO,      /* a local ISO image file */
  VIREO_INSTALL_METHOD_CDROM,    /* a physical CD/DVD drive (block device) */
  VIREO_INSTALL_METHOD_URL,      /* a network (or local) install tree */
  VIREO_INSTALL_METHOD_PXE,      /* network boot */
  VIREO_INSTALL_METHOD_IMPORT,   /* boot an existing disk image */
  VIREO_INSTALL_METHOD_KERNEL,   /* a kernel, initrd and command line the user gives */
} VireoInstallMethod;

const char *vireo_install_method_to_string (VireoInstallMethod method);

#define VIREO_TYPE_INSTALL_SOURCE (vireo_install_source_get_type ())
G_DECLARE_FINAL_TYPE (VireoInstallSource, vireo_install_source, VIREO, INSTALL_SOURCE, GObject)

/* The file must exist, be a regular file and be readable. */
VireoInstallSource *vireo_install_source_new_iso    (const char  *path,
                                                     GError     **error);
/* An ISO on this computer that the installer uploads into a storage pool
 * of the host (the disk's, or "default") before defining the VM: for a
 * remote host, which cannot read it here. The volume, named after the file,
 * stays in the pool after the install; a failed or cancelled run removes it. */
VireoInstallSource *vireo_install_source_new_iso_upload (const char *path,
                                                         GError    **error);
gboolean            vireo_install_source_get_upload     (VireoInstallSource *self);
/* An ISO that lives on a remote host (e.g. in one of its storage pools):
 * only the form of the path is checked. */
VireoInstallSource *vireo_install_source_new_remote_iso (const char *path,
                                                         GError    **error);
/* The device must exist and be a block device. */
VireoInstallSource *vireo_install_source_new_cdrom  (const char  *device,
                                                     GError     **error);
/* A drive of the host's (from vireo_connection_list_drives_async) that
 * this computer cannot check: only its form is. */
VireoInstallSource *vireo_install_source_new_host_cdrom (const char  *device,
                                                         GError     **error);
/* `extra_args` (may be NULL) go on the installer's kernel command line. */
VireoInstallSource *vireo_install_source_new_url    (const char  *url,
                                                     const char  *extra_args,
                                                     GError     **error);
VireoInstallSource *vireo_install_source_new_pxe    (void);
/* The disk image must exist and be a readable file or block device. */
VireoInstallSource *vireo_install_source_new_import (const char  *disk_path,
                                                     GError     **error);
/* Kernel and initrd must be readable files; `initrd` and `cmdline` may be NULL. */
VireoInstallSource *vireo_install_source_new_kernel (const char  *kernel,
                                                     const char  *initrd,
                                                     const char  *cmdline,
                                                     GError     **error);

VireoInstallMethod     vireo_install_source_get_method     (VireoInstallSource *self);
/* ISO, CD device or imported disk; NULL for the others. */
const char            *vireo_install_source_get_path       (VireoInstallSource *self);
/* URL method only. */
const VireoInstallUrl *vireo_install_source_get_url        (VireoInstallSource *self);
const char            *vireo_install_source_get_url_string (VireoInstallSource *self);
/* URL: the extra args; KERNEL: the command line. */
const char            *vireo_install_source_get_extra_args (VireoInstallSource *self);
const char            *vireo_install_source_get_kernel     (VireoInstallSource *self);
const char            *vireo_install_source_get_initrd     (VireoInstallSource *self);
/* Whether a Xen paravirtualized guest can install from it (never from an
 * ISO, a CD or PXE); when not, the error says why and what to use. */
gboolean               vireo_install_source_allows_paravirt (VireoInstallSource *self,
                                                             GError            **error);

G_END_DECLS
