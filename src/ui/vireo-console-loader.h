/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console window lives in a loadable module (vireo-console.so), loaded
 * the first time a console is opened: the manager alone does not load the
 * display libraries (spice-client-glib with GStreamer and NSS, VTE,
 * gtk-vnc), ~75 shared libraries and ~4 MiB of memory. The module is
 * loaded in a worker thread, so opening the first console never stalls the
 * window. */
#pragma once

#include <gtk/gtk.h>
#include "vireo-domain.h"

G_BEGIN_DECLS

void       vireo_console_loader_new_window_async  (GtkApplication      *application,
                                                   VireoDomain         *domain,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* A new console window for the domain (transfer none: the application
 * holds it), or NULL with the reason the module could not be loaded. */
GtkWindow *vireo_console_loader_new_window_finish (GAsyncResult  *result,
                                                   GError       **error);

G_END_DECLS
