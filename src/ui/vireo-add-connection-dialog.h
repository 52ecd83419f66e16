/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vireo-application.h"

G_BEGIN_DECLS

#define VIREO_TYPE_ADD_CONNECTION_DIALOG (vireo_add_connection_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VireoAddConnectionDialog, vireo_add_connection_dialog, VIREO, ADD_CONNECTION_DIALOG, AdwWindow)

GtkWidget *vireo_add_connection_dialog_new (VireoApplication *application,
                                            GtkWindow        *parent);

G_END_DECLS
