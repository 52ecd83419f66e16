/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unattended installs: the answers to the installer's questions (user,
 * passwords, time zone, host name) written by the OS's libosinfo install
 * script ("jeos" profile) and carried in the installer's initrd, so a
 * network-tree install runs without questions. */
#pragma once

#include <glib.h>
#include "vireo-os-guess.h"

G_BEGIN_DECLS

typedef struct _VireoUnattended VireoUnattended;

/* `user` and `password` are required; the administrator (root) password
 * defaults to the user's. */
VireoUnattended *vireo_unattended_new                (const char *user,
                                                      const char *password);
void             vireo_unattended_free               (VireoUnattended *self);
VireoUnattended *vireo_unattended_copy               (const VireoUnattended *self);
void             vireo_unattended_set_admin_password (VireoUnattended *self,
                                                      const char      *password);
void             vireo_unattended_set_timezone       (VireoUnattended *self,
                                                      const char      *timezone);  /* "Europe/Paris" */
void             vireo_unattended_set_hostname       (VireoUnattended *self,
                                                      const char      *hostname);
const char      *vireo_unattended_get_user           (const VireoUnattended *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoUnattended, vireo_unattended_free)

/* Checks the answers themselves (a valid user name, host name and time
 * zone, a password that is not empty). */
gboolean         vireo_unattended_check              (const VireoUnattended *self,
                                                      GError               **error);

/* The OS's script, filled in: the name the installer looks for in its
 * initrd ("preseed.cfg"), the text, and kernel arguments to add (or NULL).
 * Fails with a message naming the OS when it has no unattended script
 * this computer can inject into an initrd. */
gboolean         vireo_unattended_generate           (const VireoUnattended *self,
                                                      VireoOsGuess          *os,
                                                      char                 **filename,
                                                      char                 **script,
                                                      char                 **cmdline,
                                                      GError               **error);

/* Appends a gzip-compressed cpio archive holding `filename` with
 * `contents` to the initrd at `initrd_path`: the kernel unpacks both. */
gboolean         vireo_unattended_inject_initrd      (const char  *initrd_path,
                                                      const char  *filename,
                                                      const char  *contents,
                                                      GError     **error);

G_END_DECLS
