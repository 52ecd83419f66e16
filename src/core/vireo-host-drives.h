/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CD/DVD drives of a host: this computer's from /dev and /sys, a
 * libvirt host's from its node devices (vireo_connection_list_drives_async). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char     *path;    /* the device on the host: "/dev/sr0" */
  char     *label;   /* "/dev/sr0 (QEMU DVD-ROM)" */
  gboolean  local;   /* found on this computer, so its access can be checked here */
} VireoHostDrive;

void            vireo_host_drive_free        (VireoHostDrive *drive);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoHostDrive, vireo_host_drive_free)

/* This computer's optical drives: the block devices sr* under `dev_dir`
 * ("/dev"), their model from `sys_dir` ("/sys/block"), sorted by path. */
GPtrArray      *vireo_host_drives_scan_local (const char *dev_dir,
                                              const char *sys_dir);
/* The drive a libvirt node device's XML describes, or NULL when it is not
 * a CD/DVD drive (or the XML is not a storage device's). */
VireoHostDrive *vireo_host_drive_from_nodedev (const char *xml);
/* A storage volume of a host's pool, as a picker shows it. */
typedef struct {
  char    *name;
  char    *path;       /* on the host */
  guint64  capacity;   /* bytes */
} VireoVolumeInfo;

void            vireo_volume_info_free       (VireoVolumeInfo *volume);

/* By path: /dev/sr0 before /dev/sr1. */
void            vireo_host_drives_sort       (GPtrArray  *drives);
/* The drive with that path in `drives`, or NULL. */
VireoHostDrive *vireo_host_drives_find       (GPtrArray  *drives,
                                              const char *path);

G_END_DECLS
