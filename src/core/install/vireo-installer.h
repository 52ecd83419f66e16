/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs an install plan on a connection, for the New VM wizard and
 * `vireoctl create` alike. Like virt-install: the final definition is made
 * persistent first, then the install phase is started from the install-time
 * XML (so when the installer's reboot ends that phase, the persistent
 * configuration that remains is the final one), and the guest is started
 * again from it when the caller waits for the install.
 *
 * Every step that touches the host runs on the connection's workers or in a
 * GTask thread; progress arrives on the caller's main context. Cancelling,
 * or any failure, removes everything the run created — the volume, fetched
 * or uploaded kernel and initrd, the definition — before the run completes.
 * Nothing here is GTK. */
#pragma once

#include <gio/gio.h>
#include "vireo-connection.h"
#include "vireo-install-plan.h"
#include "vireo-host-caps.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_INSTALL_STEP_NONE,
  VIREO_INSTALL_STEP_CHECK,        /* host capabilities, pool space, name free */
  VIREO_INSTALL_STEP_DOWNLOAD,     /* the tree's kernel and initrd */
  VIREO_INSTALL_STEP_UPLOAD,       /* boot files into a remote pool */
  VIREO_INSTALL_STEP_CREATE_DISK,  /* the new volume */
  VIREO_INSTALL_STEP_DEFINE,
  VIREO_INSTALL_STEP_START,
  VIREO_INSTALL_STEP_INSTALLING,   /* install phase running; waiting for it to end */
  VIREO_INSTALL_STEP_RESTART,      /* starting the guest from its final definition */
  VIREO_INSTALL_STEP_DONE,
} VireoInstallStep;

/* The host's capabilities, for what the wizard offers (PV or HVM, arches,
 * virt types) and for building a plan. Runs on the connection's worker. */
void           vireo_install_query_host_caps_async  (VireoConnection     *connection,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
VireoHostCaps *vireo_install_query_host_caps_finish (VireoConnection *connection,
                                                     GAsyncResult    *result,
                                                     GError         **error);

#define VIREO_TYPE_INSTALLER (vireo_installer_get_type ())
G_DECLARE_FINAL_TYPE (VireoInstaller, vireo_installer, VIREO, INSTALLER, GObject)

/* The plan holds the user's choices; the installer fills in what only the
 * host knows (limits, fetched boot file paths) and builds it. */
VireoInstaller   *vireo_installer_new                (VireoConnection  *connection,
                                                      VireoInstallPlan *plan);

/* TRUE (default): start the guest (the install phase, or an imported disk).
 * FALSE: only the final definition is made (nothing fetched or started). */
void              vireo_installer_set_start          (VireoInstaller *self,
                                                      gboolean        start);
/* FALSE (default): the run completes once the install phase is running.
 * TRUE: it completes after the install phase has ended and the guest was
 * started again from its final definition (virt-install's --wait). */
void              vireo_installer_set_wait_for_install (VireoInstaller *self,
                                                        gboolean        wait);
/* "Customize before install": the final XML as the user edited it,
 * replacing the plan's (same name and UUID required). NULL: the plan's. */
void              vireo_installer_set_final_xml      (VireoInstaller *self,
                                                      const char     *xml);

/* Builds the plan against the host (capabilities and limits) without
 * creating anything, so the wizard can show and check the result. */
void              vireo_installer_prepare_async      (VireoInstaller      *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          vireo_installer_prepare_finish     (VireoInstaller *self,
                                                      GAsyncResult   *result,
                                                      GError        **error);

void              vireo_installer_run_async          (VireoInstaller      *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* The new VM (transfer full). On failure or cancellation (VIREO_ERROR_CANCELLED
 * or G_IO_ERROR_CANCELLED) nothing the run made is left on the host. */
VireoDomain      *vireo_installer_run_finish         (VireoInstaller *self,
                                                      GAsyncResult   *result,
                                                      GError        **error);

VireoInstallStep  vireo_installer_get_step           (VireoInstaller *self);
/* Translated, for a progress label: "Downloading “vmlinuz”…" */
const char       *vireo_installer_get_step_text      (VireoInstaller *self);
/* Of the current step, 0…1; negative when unknown (pulse). */
double            vireo_installer_get_fraction       (VireoInstaller *self);

/* Signals:
 *   "progress" ()  on the caller's main context whenever step, step text or
 *       fraction changed (at most ten times a second, and at each new step).
 */

G_END_DECLS
