/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An asynchronous QMP client (QEMU Machine Protocol) on any GIOStream: a
 * unix socket to a running QEMU, or one end of a socket pair in tests.
 * Results and events arrive on the thread-default main context the client
 * was connected from. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VIREO_TYPE_QMP_CLIENT (vireo_qmp_client_get_type ())
G_DECLARE_FINAL_TYPE (VireoQmpClient, vireo_qmp_client, VIREO, QMP_CLIENT, GObject)

VireoQmpClient *vireo_qmp_client_new              (void);

/* Reads the greeting and negotiates capabilities. */
void            vireo_qmp_client_connect_async    (VireoQmpClient      *self,
                                                   GIOStream           *stream,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        vireo_qmp_client_connect_finish   (VireoQmpClient *self,
                                                   GAsyncResult   *result,
                                                   GError        **error);
void            vireo_qmp_client_connect_unix_async (VireoQmpClient      *self,
                                                     const char          *path,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* Runs one command. `arguments` may be NULL; it is not taken. The result is
 * the "return" member (a new reference), or an error with QEMU's "desc". */
void            vireo_qmp_client_execute_async    (VireoQmpClient      *self,
                                                   const char          *command,
                                                   JsonObject          *arguments,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* The same, passing `fd` (kept by the caller) along with the command, as
 * "getfd" and "add-fd" expect; the stream must be a local socket. */
void            vireo_qmp_client_execute_with_fd_async (VireoQmpClient      *self,
                                                        const char          *command,
                                                        JsonObject          *arguments,
                                                        int                  fd,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
JsonNode       *vireo_qmp_client_execute_finish   (VireoQmpClient *self,
                                                   GAsyncResult   *result,
                                                   GError        **error);

/* The same on a private main context, for worker threads. */
JsonNode       *vireo_qmp_execute_sync            (const char  *socket_path,
                                                   const char  *command,
                                                   JsonObject  *arguments,
                                                   guint        timeout_ms,
                                                   GError     **error);

/* Several commands on one connection, for worker threads: a file passed
 * with "getfd" belongs to the connection it came on. `fd` is -1 for none. */
typedef struct _VireoQmpSync VireoQmpSync;
VireoQmpSync   *vireo_qmp_sync_open               (const char  *socket_path,
                                                   guint        timeout_ms,
                                                   GError     **error);
JsonNode       *vireo_qmp_sync_execute            (VireoQmpSync *sync,
                                                   const char   *command,
                                                   JsonObject   *arguments,
                                                   int           fd,
                                                   guint         timeout_ms,
                                                   GError      **error);
void            vireo_qmp_sync_free               (VireoQmpSync *sync);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoQmpSync, vireo_qmp_sync_free)

gboolean        vireo_qmp_client_is_connected     (VireoQmpClient *self);
void            vireo_qmp_client_close            (VireoQmpClient *self);

/* Signals:
 *   "event" (const char *name, JsonObject *data or NULL)
 *   "closed" (const GError *reason or NULL)  — the peer went away, sent
 *       something that is not QMP, or close() was called. Pending commands
 *       fail with the same reason. */

G_END_DECLS
