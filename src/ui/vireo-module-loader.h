/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parts of the app that bring large libraries are loadable modules, loaded
 * the first time they are used: the console (vireo-console.so: the display
 * libraries, spice-client-glib with GStreamer and NSS, VTE, gtk-vnc) and the
 * New VM wizard (vireo-new-vm.so: libosinfo, libcurl, libnfs). The manager
 * alone loads none of them (~6 MiB and ~45 shared libraries less). A module
 * is loaded in a worker thread, so its first use never stalls the window;
 * its undefined symbols (the core, the UI helpers) resolve to the program. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Loads `module` ("vireo-console") once and looks up `symbol` in it. */
void     vireo_module_lookup_async  (const char          *module,
                                     const char          *symbol,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
/* The symbol's address, or NULL with a message that says what to do. */
gpointer vireo_module_lookup_finish (GAsyncResult  *result,
                                     GError       **error);

G_END_DECLS
