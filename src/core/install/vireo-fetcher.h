/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads files of an install tree: libcurl for http, https and ftp, libnfs for
 * nfs (no mounting, no root), plain reads for local trees. The synchronous
 * calls are for worker threads; the asynchronous ones run there themselves
 * and report "progress" on the caller's main context. Every transfer checks
 * its GCancellable; a file download that fails or is cancelled leaves no
 * partial file behind. */
#pragma once

#include <gio/gio.h>
#include "vireo-install-url.h"

G_BEGIN_DECLS

/* Called in the thread doing the transfer; `total` is 0 when unknown. */
typedef void (*VireoFetchProgressFunc) (guint64  done,
                                        guint64  total,
                                        gpointer user_data);

/* Files larger than this are refused by fetch_bytes (.treeinfo, MANIFEST and
 * content files are a few KiB). */
#define VIREO_FETCHER_DEFAULT_MAX_BYTES (4 * 1024 * 1024)

#define VIREO_TYPE_FETCHER (vireo_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (VireoFetcher, vireo_fetcher, VIREO, FETCHER, GObject)

/* Fails (VIREO_ERROR_INVALID_URI) when the URL is not a usable tree location. */
VireoFetcher          *vireo_fetcher_new            (const char *url,
                                                     GError    **error);
const VireoInstallUrl *vireo_fetcher_get_url        (VireoFetcher *self);
/* The full URL of a file of the tree (for messages and kernel arguments). */
char                  *vireo_fetcher_dup_file_url   (VireoFetcher *self,
                                                     const char   *relative);

/* ---- Synchronous: call from a worker thread ---- */

/* The whole file in memory; VIREO_ERROR_NOT_FOUND when the tree lacks it. */
GBytes   *vireo_fetcher_fetch_bytes   (VireoFetcher  *self,
                                       const char    *relative,
                                       gsize          max_size,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* TRUE when the file exists; FALSE without an error when it does not. */
gboolean  vireo_fetcher_exists        (VireoFetcher  *self,
                                       const char    *relative,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* Downloads to `dest_path` (replaced only on success). */
gboolean  vireo_fetcher_fetch_to_file (VireoFetcher          *self,
                                       const char            *relative,
                                       const char            *dest_path,
                                       VireoFetchProgressFunc progress,
                                       gpointer               progress_data,
                                       GCancellable          *cancellable,
                                       GError               **error);

/* ---- Asynchronous: run in a worker; "progress" arrives on the calling
 * thread's default main context ---- */

void      vireo_fetcher_fetch_bytes_async    (VireoFetcher        *self,
                                              const char          *relative,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GBytes   *vireo_fetcher_fetch_bytes_finish   (VireoFetcher  *self,
                                              GAsyncResult  *result,
                                              GError       **error);
void      vireo_fetcher_fetch_to_file_async  (VireoFetcher        *self,
                                              const char          *relative,
                                              const char          *dest_path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  vireo_fetcher_fetch_to_file_finish (VireoFetcher  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Several files in turn (a kernel and its initrd), all or nothing: when one
 * fails or is cancelled, those already fetched are removed too. "progress"
 * names each file as it goes. */
void      vireo_fetcher_fetch_files_async    (VireoFetcher        *self,
                                              const char * const  *relatives,
                                              const char * const  *dest_paths,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  vireo_fetcher_fetch_files_finish   (VireoFetcher  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Where fetched kernels and initrds go ($XDG_CACHE_HOME/vireo/boot, made
 * 0700 when missing). The caller removes its files after the install. */
char     *vireo_fetcher_dup_cache_dir        (GError **error);

/* Signals:
 *   "progress" (const char *relative, guint64 done, guint64 total)
 *       During an async transfer, on its caller's main context, at most a
 *       few times a second and once at the end. total is 0 when unknown.
 */

G_END_DECLS
