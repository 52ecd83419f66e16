/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A connection to one host. Backend-neutral: the libvirt backend (and later
 * the builtin one) subclass it. Every call that talks to the host runs on the
 * connection's own worker threads; results, signals and property changes
 * arrive on the thread-default main context the connection was made in. */
#pragma once

#include <gio/gio.h>
#include "vireo-types.h"
#include "vireo-ring.h"
#include "vireo-domain.h"
#include "vireo-network.h"
#include "vireo-auth-request.h"
#include "vireo-host-drives.h"

G_BEGIN_DECLS

#define VIREO_TYPE_CONNECTION (vireo_connection_get_type ())
G_DECLARE_DERIVABLE_TYPE (VireoConnection, vireo_connection, VIREO, CONNECTION, GObject)

/* Makes the right backend for the URI. Fails only on a malformed URI. */
VireoConnection     *vireo_connection_new               (const char *uri,
                                                         GError    **error);

const char          *vireo_connection_get_uri           (VireoConnection *self);
const char          *vireo_connection_get_display_name  (VireoConnection *self);
VireoConnectionState vireo_connection_get_state         (VireoConnection *self);
/* Why it is disconnected (NULL when connected or never tried). */
const char          *vireo_connection_get_error_message (VireoConnection *self);
/* "Connected", "Connecting…", "Disconnected: <reason>" */
char                *vireo_connection_dup_status_text   (VireoConnection *self);

/* Opens in the background; state goes CONNECTING then CONNECTED or
 * DISCONNECTED (with the error message). */
void                 vireo_connection_open_async        (VireoConnection     *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean             vireo_connection_open_finish       (VireoConnection *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* User-requested disconnect: no reconnection follows. */
void                 vireo_connection_close             (VireoConnection *self);

/* After a connection that was up goes away, retry with backoff
 * (1 s doubling to 30 s). On by default. */
void                 vireo_connection_set_auto_reconnect (VireoConnection *self,
                                                          gboolean         auto_reconnect);
gboolean             vireo_connection_get_auto_reconnect (VireoConnection *self);

/* Milliseconds between statistics ticks; 0 stops polling. */
void                 vireo_connection_set_stats_interval (VireoConnection *self,
                                                          guint            interval_ms);
guint                vireo_connection_get_stats_interval (VireoConnection *self);

GListModel          *vireo_connection_get_domains       (VireoConnection *self);  /* VireoDomain */
GListModel          *vireo_connection_get_networks      (VireoConnection *self);  /* VireoNetwork */
GListModel          *vireo_connection_get_pools         (VireoConnection *self);  /* VireoPool */
VireoDomain         *vireo_connection_find_domain       (VireoConnection *self,
                                                         const char      *name_or_uuid);

/* Host: CPUs, memory, and their history (percent busy / used). */
guint                vireo_connection_get_host_cpus     (VireoConnection *self);
guint64              vireo_connection_get_host_memory   (VireoConnection *self);  /* KiB */
const VireoRing     *vireo_connection_get_host_cpu_history    (VireoConnection *self);
const VireoRing     *vireo_connection_get_host_memory_history (VireoConnection *self);
guint64              vireo_connection_get_stats_ticks   (VireoConnection *self);

/* Re-reads the full list of VMs, networks and pools. */
void                 vireo_connection_refresh_async     (VireoConnection     *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean             vireo_connection_refresh_finish    (VireoConnection *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* Defines (creates or replaces) a VM from libvirt domain XML; the result is
 * the VM as listed (transfer full). */
void                 vireo_connection_define_domain_async  (VireoConnection     *self,
                                                            const char          *xml,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
VireoDomain         *vireo_connection_define_domain_finish (VireoConnection *self,
                                                            GAsyncResult    *result,
                                                            GError         **error);

/* The host's capabilities XML (guest types, arches, virtualization types),
 * read on the connection's worker. */
void                 vireo_connection_get_capabilities_async  (VireoConnection     *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
char                *vireo_connection_get_capabilities_finish (VireoConnection *self,
                                                               GAsyncResult    *result,
                                                               GError         **error);

/* The host's CD/DVD drives (a GPtrArray of VireoHostDrive, transfer
 * full): a libvirt host's from its node devices, this computer's for the
 * builtin backend. Read on the connection's worker. */
void                 vireo_connection_list_drives_async  (VireoConnection     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray           *vireo_connection_list_drives_finish (VireoConnection *self,
                                                          GAsyncResult    *result,
                                                          GError         **error);

/* The volumes of one of the host's pools (a GPtrArray of VireoVolumeInfo,
 * by name, transfer full), the pool refreshed first so files copied there
 * show. Read on the connection's worker; VIREO_ERROR_UNSUPPORTED where the
 * backend has no pools to browse. */
void                 vireo_connection_list_volumes_async  (VireoConnection     *self,
                                                           const char          *pool,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GPtrArray           *vireo_connection_list_volumes_finish (VireoConnection *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);
/* Whether list_volumes is offered (main thread, cheap). */
gboolean             vireo_connection_can_list_volumes    (VireoConnection *self);

/* Library set-up: libvirt-glib's event loop on the default main context.
 * Call once from main() before making connections. */
void                 vireo_core_init                    (void);

/* Signals:
 *   "authenticate" (VireoAuthRequest *request) -> gboolean handled
 *       Emitted on the main thread while opening. Return TRUE when you will
 *       call vireo_auth_request_complete(); FALSE lets the open fail.
 *   "stats-updated" ()  after each statistics tick was applied.
 *   "domain-event" (VireoDomain *domain, const char *what) after a libvirt
 *       event changed a VM ("started", "stopped", "defined", "undefined" …).
 */

G_END_DECLS
