/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vireo-connection.h"

G_BEGIN_DECLS

#define VIREO_TYPE_AUTH_DIALOG (vireo_auth_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VireoAuthDialog, vireo_auth_dialog, VIREO, AUTH_DIALOG, AdwMessageDialog)

/* Asks for the credentials of `request` and completes it: with the values on
 * "Log In", as cancelled on "Cancel" or when the dialog is closed. */
VireoAuthDialog *vireo_auth_dialog_new (GtkWindow        *parent,
                                        VireoConnection  *connection,
                                        VireoAuthRequest *request);

G_END_DECLS
