/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Blocking socket helpers for worker threads. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A connected stream socket to a unix socket path, or to host:port over
 * TCP; -1 with a clear error. */
int  vireo_socket_connect_unix (const char *path,
                                GError    **error);
int  vireo_socket_connect_tcp  (const char *host,
                                guint       port,
                                GError    **error);

/* Runs argv with one end of a socket pair as its stdin and stdout (as
 * `ssh -W host:port` wants) and returns the other end. The child is left to
 * run; it ends when the socket closes. */
int  vireo_socket_spawn_pipe   (const char * const *argv,
                                GError            **error);

G_END_DECLS
