/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <vte/vte.h>

G_BEGIN_DECLS

#define VIREO_TYPE_SERIAL_CONSOLE (vireo_serial_console_get_type ())

G_DECLARE_FINAL_TYPE (VireoSerialConsole, vireo_serial_console, VIREO, SERIAL_CONSOLE, GtkWidget)

/* A guest's serial console: a terminal on a connected stream socket (a
 * QEMU chardev socket, or a console stream the app bridged to a socket
 * pair). Bytes from the socket are shown; keys typed are sent.
 *
 * Signals: "disconnected" (const char *reason, NULL when the peer simply
 * closed). Read-only property "connected". */

GtkWidget   *vireo_serial_console_new          (void);

/* Takes ownership of @fd. FALSE (and @fd closed) if already connected. */
gboolean     vireo_serial_console_open_fd      (VireoSerialConsole *self,
                                                int                 fd);
void         vireo_serial_console_close        (VireoSerialConsole *self);
gboolean     vireo_serial_console_is_connected (VireoSerialConsole *self);
VteTerminal *vireo_serial_console_get_terminal (VireoSerialConsole *self);

G_END_DECLS
