/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "vireo-types.h"
#include "vireo-ring.h"

G_BEGIN_DECLS

typedef struct _VireoConnection VireoConnection;

#define VIREO_TYPE_DOMAIN (vireo_domain_get_type ())
G_DECLARE_FINAL_TYPE (VireoDomain, vireo_domain, VIREO, DOMAIN, GObject)

VireoConnection  *vireo_domain_get_connection     (VireoDomain *self);
const char       *vireo_domain_get_name           (VireoDomain *self);
const char       *vireo_domain_get_uuid           (VireoDomain *self);
int               vireo_domain_get_id             (VireoDomain *self);  /* -1 when off */
VireoDomainState  vireo_domain_get_state          (VireoDomain *self);
const char       *vireo_domain_get_os_type        (VireoDomain *self);  /* "hvm", "xen", … */
gboolean          vireo_domain_get_persistent     (VireoDomain *self);
gboolean          vireo_domain_get_autostart      (VireoDomain *self);
gboolean          vireo_domain_get_has_managed_save (VireoDomain *self);
guint64           vireo_domain_get_max_memory     (VireoDomain *self);  /* KiB */
guint64           vireo_domain_get_memory         (VireoDomain *self);  /* KiB */
guint             vireo_domain_get_vcpus          (VireoDomain *self);
/* How the VM runs: "KVM" or "TCG" (NULL when the backend does not say),
 * and when it is TCG, why KVM is not used. */
const char       *vireo_domain_get_accelerator    (VireoDomain *self);
const char       *vireo_domain_get_accelerator_reason (VireoDomain *self);
/* More about the state, when there is more to say: for a crashed VM, how
 * it ended and the last lines of its log. NULL otherwise. */
const char       *vireo_domain_get_state_reason   (VireoDomain *self);
/* "web-1, Running" — for rows and accessible names */
char             *vireo_domain_dup_description    (VireoDomain *self);

gboolean          vireo_domain_can                (VireoDomain      *self,
                                                   VireoDomainAction action);

/* History of one series (see VireoSeries); owned by the domain. */
const VireoRing  *vireo_domain_get_history        (VireoDomain *self,
                                                   VireoSeries  series);

void              vireo_domain_run_action_async   (VireoDomain         *self,
                                                   VireoDomainAction    action,
                                                   VireoActionFlags     flags,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean          vireo_domain_run_action_finish  (VireoDomain  *self,
                                                   GAsyncResult *result,
                                                   GError      **error);

/* A new connected stream socket to the VM's graphical display (VNC or
 * SPICE, in `type`); call again for each further SPICE channel. The caller
 * owns the fd. Local libvirt hands the socket over directly; a remote host
 * over SSH is reached through `ssh -W`, as the connection's user. */
void              vireo_domain_open_graphics_async  (VireoDomain         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
int               vireo_domain_open_graphics_finish (VireoDomain       *self,
                                                     GAsyncResult      *result,
                                                     VireoGraphicsType *type,
                                                     GError           **error);
/* A connected stream socket carrying the VM's serial console both ways. */
void              vireo_domain_open_console_async   (VireoDomain         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
int               vireo_domain_open_console_finish  (VireoDomain  *self,
                                                     GAsyncResult *result,
                                                     GError      **error);

G_END_DECLS
