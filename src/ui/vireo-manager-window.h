/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vireo-application.h"

G_BEGIN_DECLS

#define VIREO_TYPE_MANAGER_WINDOW (vireo_manager_window_get_type ())
G_DECLARE_FINAL_TYPE (VireoManagerWindow, vireo_manager_window, VIREO, MANAGER_WINDOW, AdwApplicationWindow)

VireoManagerWindow *vireo_manager_window_new               (VireoApplication   *application);
/* Selects and scrolls to the row of `connection`. */
void                vireo_manager_window_select_connection (VireoManagerWindow *self,
                                                            VireoConnection    *connection);
void                vireo_manager_window_show_toast        (VireoManagerWindow *self,
                                                            const char         *message);

G_END_DECLS
