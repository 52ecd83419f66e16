/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vireo-connection.h"

G_BEGIN_DECLS

#define VIREO_TYPE_APPLICATION (vireo_application_get_type ())
G_DECLARE_FINAL_TYPE (VireoApplication, vireo_application, VIREO, APPLICATION, AdwApplication)

#define VIREO_APPLICATION_DEFAULT (VIREO_APPLICATION (g_application_get_default ()))

VireoApplication *vireo_application_new               (void);
GSettings        *vireo_application_get_settings      (VireoApplication *self);
/* The open and remembered connections, a GListModel of VireoConnection. */
GListModel       *vireo_application_get_connections   (VireoApplication *self);
VireoConnection  *vireo_application_find_connection   (VireoApplication *self,
                                                       const char       *uri);
/* Adds (or finds, when the URI is already known) a connection and opens it.
 * `remember` keeps it in GSettings; `autoconnect` opens it at start-up. */
VireoConnection  *vireo_application_add_connection    (VireoApplication *self,
                                                       const char       *uri,
                                                       gboolean          remember,
                                                       gboolean          autoconnect,
                                                       GError          **error);
void              vireo_application_open_connection   (VireoApplication *self,
                                                       VireoConnection  *connection);
void              vireo_application_close_connection  (VireoApplication *self,
                                                       VireoConnection  *connection);
/* Closes it, drops it from the list and forgets it. */
void              vireo_application_remove_connection (VireoApplication *self,
                                                       VireoConnection  *connection);

/* Presents the VM's console window, making it on first use. */
void              vireo_application_show_console      (VireoApplication *self,
                                                       VireoDomain      *domain);

G_END_DECLS
