/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which OS a tree or ISO holds, from libosinfo, with the resources it
 * recommends. Identification never fails for an unknown OS: it falls back to
 * the closest release of the same family, or to a generic Linux, and says so
 * in fallback_reason. */
#pragma once

#include <gio/gio.h>
#include "vireo-tree-info.h"

G_BEGIN_DECLS

#define VIREO_TYPE_OS_GUESS (vireo_os_guess_get_type ())
G_DECLARE_FINAL_TYPE (VireoOsGuess, vireo_os_guess, VIREO, OS_GUESS, GObject)

/* From a detected tree (libosinfo's tree identification, then the family
 * and version or codename). Never NULL. Loads the OS database on first use
 * (a fraction of a second): call from a worker, or use the async form. */
VireoOsGuess *vireo_os_guess_for_tree          (VireoTreeInfo *tree);
void          vireo_os_guess_for_tree_async    (VireoTreeInfo       *tree,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
VireoOsGuess *vireo_os_guess_for_tree_finish   (GAsyncResult  *result,
                                                GError       **error);

/* From an ISO image (libosinfo's media detection). Fails only when the file
 * cannot be read as an ISO image or on cancellation. */
VireoOsGuess *vireo_os_guess_for_media         (const char    *iso_path,
                                                GCancellable  *cancellable,
                                                GError       **error);
void          vireo_os_guess_for_media_async   (const char          *iso_path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
VireoOsGuess *vireo_os_guess_for_media_finish  (GAsyncResult  *result,
                                                GError       **error);

/* The user's pick (--os-variant): an unknown short id is an error that says
 * how to list the known ones. */
VireoOsGuess *vireo_os_guess_for_short_id      (const char  *short_id,
                                                GError     **error);

/* Loads the OS database in a worker, so the synchronous calls above and
 * below cost no more than a lookup afterwards. Call when the wizard opens. */
void          vireo_os_guess_preload_async     (GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* FALSE with a message when no OS database could be loaded (the engine
 * still works, with generic defaults). */
gboolean      vireo_os_guess_preload_finish    (GAsyncResult  *result,
                                                GError       **error);

/* Every OS the database knows, newest first within a family (for the
 * wizard's searchable list). A GListModel of VireoOsGuess. */
GListModel   *vireo_os_guess_list_all          (void);

const char   *vireo_os_guess_get_id              (VireoOsGuess *self);  /* "http://debian.org/debian/11"; NULL if no database */
const char   *vireo_os_guess_get_short_id        (VireoOsGuess *self);  /* "debian11" */
const char   *vireo_os_guess_get_name            (VireoOsGuess *self);  /* "Debian 11" */
const char   *vireo_os_guess_get_distro          (VireoOsGuess *self);  /* "debian", may be NULL */
const char   *vireo_os_guess_get_version         (VireoOsGuess *self);
/* NULL when the OS was identified exactly; else why and what was used. */
const char   *vireo_os_guess_get_fallback_reason (VireoOsGuess *self);
gboolean      vireo_os_guess_is_fallback         (VireoOsGuess *self);
guint         vireo_os_guess_get_memory_mib      (VireoOsGuess *self);  /* recommended */
guint         vireo_os_guess_get_vcpus           (VireoOsGuess *self);
guint         vireo_os_guess_get_disk_gib        (VireoOsGuess *self);

/* For the engine: the libosinfo OsinfoOs behind the guess (a new
 * reference), or NULL for a generic guess or without a database. */
gpointer      vireo_os_guess_dup_osinfo_os       (VireoOsGuess *self);

G_END_DECLS
