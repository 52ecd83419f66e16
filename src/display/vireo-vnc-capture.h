/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Connects to the VNC server on @fd (a connected stream socket; ownership
 * is taken: it is closed before returning), waits until one complete frame
 * has been received and writes it to @path as PNG.
 *
 * GTK-free (gvnc + cairo), for vireoctl. It runs the default main context
 * until done or @timeout_ms passes, so call it from a program's main
 * thread, not from inside a running GTK application. Servers asking for a
 * password fail with G_IO_ERROR_PERMISSION_DENIED. */
gboolean vireo_vnc_capture_png (int          fd,
                                const char  *path,
                                guint        timeout_ms,
                                GError     **error);

G_END_DECLS
