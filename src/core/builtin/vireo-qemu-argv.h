/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Domain XML → a QEMU command line, for the builtin backend. A pure
 * function: the same XML and options give the same argv (golden-tested). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *qemu_binary;     /* NULL: <emulator>, else qemu-system-<arch> */
  const char *runtime_dir;     /* sockets and pidfile live here (mode 0700) */
  gboolean    kvm;             /* KVM usable: -accel kvm, else TCG */
  const char *bridge_helper;   /* for <interface type='bridge'>; NULL: default path */
  gboolean    incoming;        /* restoring: wait paused for migrate-incoming */
} VireoQemuArgvOptions;

/* Doubles commas, QEMU's escape inside an option value, so a user's string
 * can never end one key=value pair and start another. */
char  *vireo_qemu_escape     (const char *value);

/* Parses a libvirt size (<memory unit='MiB'>…) into KiB. */
gboolean vireo_qemu_parse_size_kib (const char *value,
                                    const char *unit,
                                    guint64    *kib);

/* What the builtin backend needs to list a VM without building its argv. */
typedef struct {
  char      *name;
  char      *uuid;          /* NULL when the XML has none */
  char      *os_type;       /* "hvm" unless said otherwise */
  char      *arch;          /* "x86_64" unless said otherwise */
  gboolean   want_kvm;      /* <domain type='kvm'> */
  guint64    memory_kib;
  guint      vcpus;
  GPtrArray *disk_paths;    /* device='disk' source files */
} VireoQemuSummary;

void     vireo_qemu_summary_clear (VireoQemuSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VireoQemuSummary, vireo_qemu_summary_clear)
gboolean vireo_qemu_read_summary  (const char       *domain_xml,
                                   VireoQemuSummary *summary,
                                   GError          **error);
/* The same XML with <uuid> set (added when missing). */
char    *vireo_qemu_set_uuid      (const char *domain_xml,
                                   const char *uuid,
                                   GError    **error);

GStrv  vireo_qemu_build_argv (const char                 *domain_xml,
                              const VireoQemuArgvOptions *options,
                              GError                    **error);

G_END_DECLS
