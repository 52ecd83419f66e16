/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vireo-connection.h"

G_BEGIN_DECLS

#define VIREO_TYPE_CONSOLE_WINDOW (vireo_console_window_get_type ())
G_DECLARE_FINAL_TYPE (VireoConsoleWindow, vireo_console_window, VIREO, CONSOLE_WINDOW, AdwApplicationWindow)

/* One window per VM: its graphical console (VNC or SPICE) or its serial
 * console, following the VM as it starts, stops and reboots. */
VireoConsoleWindow *vireo_console_window_new        (GtkApplication *application,
                                                     VireoDomain    *domain);
VireoDomain        *vireo_console_window_get_domain (VireoConsoleWindow *self);

G_END_DECLS
