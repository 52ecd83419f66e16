/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The New VM wizard: connection and method, source, OS, memory and CPUs,
 * storage, name and network (and "customize before install"), then the
 * install engine's run with progress and Cancel. */
#pragma once

#include <adwaita.h>

#include "vireo-application.h"

G_BEGIN_DECLS

#define VIREO_TYPE_NEW_VM_WIZARD (vireo_new_vm_wizard_get_type ())
G_DECLARE_FINAL_TYPE (VireoNewVmWizard, vireo_new_vm_wizard, VIREO, NEW_VM_WIZARD, AdwWindow)

/* `connection` (may be NULL) is preselected. */
GtkWidget *vireo_new_vm_wizard_new (VireoApplication *application,
                                    GtkWindow        *parent,
                                    VireoConnection  *connection);

G_END_DECLS
