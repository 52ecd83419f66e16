/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Connection URIs: building them from what a user picks, and naming them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VIREO_HYPERVISOR_QEMU,
  VIREO_HYPERVISOR_XEN,
  VIREO_HYPERVISOR_TEST,
  VIREO_HYPERVISOR_BUILTIN,
  VIREO_HYPERVISOR_OTHER,
} VireoHypervisor;

typedef enum {
  VIREO_TRANSPORT_LOCAL,
  VIREO_TRANSPORT_SSH,
  VIREO_TRANSPORT_TLS,
  VIREO_TRANSPORT_TCP,
  VIREO_TRANSPORT_OTHER,
} VireoTransport;

typedef struct {
  VireoHypervisor hypervisor;
  VireoTransport  transport;
  char           *scheme;     /* "qemu+ssh" */
  char           *user;       /* NULL when absent */
  char           *host;       /* NULL for local */
  int             port;       /* -1 when absent */
  char           *path;       /* "/system", "/session", "/abs/file.xml" */
  char           *query;      /* NULL when absent */
} VireoUriInfo;

void      vireo_uri_info_clear (VireoUriInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VireoUriInfo, vireo_uri_info_clear)

/* Parses and checks a connection URI; the error says what is wrong. */
gboolean  vireo_uri_parse      (const char   *uri,
                                VireoUriInfo *info,
                                GError      **error);

/* Builds a URI for the add-connection dialog. `host` may carry ":port".
 * For QEMU, `session` picks /session over /system. */
char     *vireo_uri_build      (VireoHypervisor hypervisor,
                                VireoTransport  transport,
                                const char     *user,
                                const char     *host,
                                gboolean        session,
                                GError        **error);

/* A short human name: "QEMU/KVM", "QEMU/KVM User session",
 * "QEMU/KVM: root@host (SSH)", "Test: node.xml". */
char     *vireo_uri_display_name (const char *uri);

/* TRUE when both name the same connection after normalisation (trailing
 * slashes, case of scheme and host). */
gboolean  vireo_uri_equal      (const char *a,
                                const char *b);

G_END_DECLS
