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
} VireoQemuArgvOptions;

/* Doubles commas, QEMU's escape inside an option value, so a user's string
 * can never end one key=value pair and start another. */
char  *vireo_qemu_escape     (const char *value);

/* Parses a libvirt size (<memory unit='MiB'>…) into KiB. */
gboolean vireo_qemu_parse_size_kib (const char *value,
                                    const char *unit,
                                    guint64    *kib);

GStrv  vireo_qemu_build_argv (const char                 *domain_xml,
                              const VireoQemuArgvOptions *options,
                              GError                    **error);

G_END_DECLS
