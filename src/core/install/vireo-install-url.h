/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Install tree locations: what a user types as a network install URL, checked
 * and split, and files inside the tree resolved against it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VIREO_URL_SCHEME_FILE,    /* file:///abs/dir or a plain absolute path */
  VIREO_URL_SCHEME_HTTP,
  VIREO_URL_SCHEME_HTTPS,
  VIREO_URL_SCHEME_FTP,
  VIREO_URL_SCHEME_NFS,
} VireoUrlScheme;

typedef struct {
  VireoUrlScheme scheme;
  char          *host;      /* NULL for file */
  int            port;      /* -1 when absent */
  char          *user;      /* NULL when absent */
  char          *password;  /* NULL when absent */
  char          *path;      /* unescaped, always starts with "/" */
  char          *base;      /* the URL as a directory (ends with "/"); a file:// URL for paths */
} VireoInstallUrl;

void      vireo_install_url_clear (VireoInstallUrl *url);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VireoInstallUrl, vireo_install_url_clear)

/* Parses and checks an install tree location. Accepts http, https, ftp and
 * nfs URLs, file:// URLs and absolute local paths; anything else fails with
 * VIREO_ERROR_INVALID_URI and a message naming the supported schemes. */
gboolean  vireo_install_url_parse (const char      *text,
                                   VireoInstallUrl *url,
                                   GError         **error);

/* A file of the tree as a full URL ("images/pxeboot/vmlinuz" against the
 * base; ".." is resolved, unsafe characters are escaped). */
char     *vireo_install_url_resolve (const VireoInstallUrl *url,
                                     const char            *relative);

/* The same, as a local path, for file trees only (NULL otherwise). */
char     *vireo_install_url_resolve_local (const VireoInstallUrl *url,
                                           const char            *relative);

/* The URL for messages: the base without a password. */
char     *vireo_install_url_to_display (const VireoInstallUrl *url);

const char *vireo_url_scheme_to_string (VireoUrlScheme scheme);

G_END_DECLS
