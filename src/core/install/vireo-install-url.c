/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-install-url.h"

void
vireo_install_url_clear (VireoInstallUrl *url)
{
  g_clear_pointer (&url->host, g_free);
  g_clear_pointer (&url->user, g_free);
  g_clear_pointer (&url->password, g_free);
  g_clear_pointer (&url->path, g_free);
  g_clear_pointer (&url->base, g_free);
}

const char *
vireo_url_scheme_to_string (VireoUrlScheme scheme)
{
  switch (scheme)
    {
    case VIREO_URL_SCHEME_FILE:  return "file";
    case VIREO_URL_SCHEME_HTTP:  return "http";
    case VIREO_URL_SCHEME_HTTPS: return "https";
    case VIREO_URL_SCHEME_FTP:   return "ftp";
    case VIREO_URL_SCHEME_NFS:   return "nfs";
    default:                     return "unknown";
    }
}

static gboolean
scheme_from_string (const char     *scheme,
                    VireoUrlScheme *out)
{
  static const struct { const char *name; VireoUrlScheme scheme; } table[] = {
    { "http", VIREO_URL_SCHEME_HTTP }, { "https", VIREO_URL_SCHEME_HTTPS },
    { "ftp", VIREO_URL_SCHEME_FTP }, { "nfs", VIREO_URL_SCHEME_NFS },
    { "file", VIREO_URL_SCHEME_FILE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strcasecmp (scheme, table[i].name) == 0)
      {
        *out = table[i].scheme;
        return TRUE;
      }
  return FALSE;
}

/* "/a//b/./c/" → "/a/b/c": one spelling per directory, so joins are exact. */
static char *
normalize_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (kept->len > 0)
            g_ptr_array_remove_index (kept, kept->len - 1);
          continue;
        }
      g_ptr_array_add (kept, parts[i]);
    }

  for (guint i = 0; i < kept->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (kept, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
build_base (const VireoInstallUrl *url)
{
  g_autofree char *dir = NULL;
  g_autofree char *escaped = NULL;

  dir = g_str_has_suffix (url->path, "/") ? g_strdup (url->path)
                                          : g_strconcat (url->path, "/", NULL);
  escaped = g_uri_escape_string (dir, "/", FALSE);

  if (url->scheme == VIREO_URL_SCHEME_FILE)
    return g_strconcat ("file://", escaped, NULL);

  return g_uri_join_with_user (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH,
                               vireo_url_scheme_to_string (url->scheme),
                               url->user, url->password, NULL,
                               url->host, url->port, escaped, NULL, NULL);
}

static gboolean
fail (GError    **error,
      const char *text,
      const char *why)
{
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
               _("“%s” is not a usable install location: %s"), text, why);
  return FALSE;
}

gboolean
vireo_install_url_parse (const char      *text,
                         VireoInstallUrl *url,
                         GError         **error)
{
  g_autofree char *scheme_name = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stripped = NULL;
  VireoUrlScheme scheme;

  memset (url, 0, sizeof *url);
  url->port = -1;

  if (text == NULL || *g_strstrip ((stripped = g_strdup (text))) == '\0')
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                           _("No install location was given. Enter an http://, https://, "
                             "ftp:// or nfs:// URL of an install tree."));
      return FALSE;
    }

  if (stripped[0] == '/')
    {
      url->scheme = VIREO_URL_SCHEME_FILE;
      url->path = normalize_path (stripped);
      url->base = build_base (url);
      return TRUE;
    }

  scheme_name = g_uri_parse_scheme (stripped);
  if (scheme_name == NULL)
    return fail (error, stripped,
                 _("it has no scheme. Use http://, https://, ftp:// or nfs:// "
                   "followed by the host and path, or an absolute local path."));

  if (!scheme_from_string (scheme_name, &scheme))
    {
      g_autofree char *why =
        g_strdup_printf (_("the scheme “%s” is not supported. Use http://, https://, "
                           "ftp:// or nfs://."), scheme_name);
      return fail (error, stripped, why);
    }

  uri = g_uri_parse (stripped, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_PARSE_RELAXED,
                     &local_error);
  if (uri == NULL)
    return fail (error, stripped, local_error->message);

  url->scheme = scheme;
  url->path = normalize_path (g_uri_get_path (uri));

  if (scheme == VIREO_URL_SCHEME_FILE)
    {
      const char *host = g_uri_get_host (uri);

      if (host != NULL && *host != '\0' && g_ascii_strcasecmp (host, "localhost") != 0)
        {
          vireo_install_url_clear (url);
          return fail (error, stripped,
                       _("a file:// URL names a directory on this computer; "
                         "leave out the host name."));
        }
    }
  else
    {
      const char *host = g_uri_get_host (uri);

      if (host == NULL || *host == '\0')
        {
          vireo_install_url_clear (url);
          return fail (error, stripped,
                       _("it names no host. Write it as scheme://host/path."));
        }
      if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
        {
          vireo_install_url_clear (url);
          return fail (error, stripped,
                       _("an install tree URL cannot carry a query (?…) or a fragment (#…)."));
        }
      url->host = g_strdup (host);
      url->port = g_uri_get_port (uri);
      url->user = g_strdup (g_uri_get_user (uri));
      url->password = g_strdup (g_uri_get_password (uri));
      if (url->port == 0 || url->port > 65535)
        {
          vireo_install_url_clear (url);
          return fail (error, stripped, _("the port must be between 1 and 65535."));
        }
    }

  url->base = build_base (url);
  return TRUE;
}

char *
vireo_install_url_resolve (const VireoInstallUrl *url,
                           const char            *relative)
{
  g_autofree char *escaped = NULL;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (url != NULL && url->base != NULL, NULL);
  g_return_val_if_fail (relative != NULL, NULL);

  while (*relative == '/')
    relative++;

  /* Join the paths ourselves: a relative path from a .treeinfo may hold
   * characters (":", "?", "#") a URI resolver would read as syntax. */
  {
    g_autofree char *raw = g_strconcat (url->path, "/", relative, NULL);
    joined = normalize_path (raw);
  }
  escaped = g_uri_escape_string (joined, "/", FALSE);

  if (url->scheme == VIREO_URL_SCHEME_FILE)
    return g_strconcat ("file://", escaped, NULL);

  return g_uri_join_with_user (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH,
                               vireo_url_scheme_to_string (url->scheme),
                               url->user, url->password, NULL,
                               url->host, url->port, escaped, NULL, NULL);
}

char *
vireo_install_url_resolve_local (const VireoInstallUrl *url,
                                 const char            *relative)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  if (url->scheme != VIREO_URL_SCHEME_FILE)
    return NULL;
  while (*relative == '/')
    relative++;
  joined = g_strconcat (url->path, "/", relative, NULL);
  return normalize_path (joined);
}

char *
vireo_install_url_to_display (const VireoInstallUrl *url)
{
  g_autofree char *dir = NULL;

  if (url->scheme == VIREO_URL_SCHEME_FILE)
    return g_strdup (url->path);

  dir = g_str_has_suffix (url->path, "/") ? g_strdup (url->path)
                                          : g_strconcat (url->path, "/", NULL);
  return g_uri_join (G_URI_FLAGS_NONE, vireo_url_scheme_to_string (url->scheme),
                     url->user, url->host, url->port, dir, NULL, NULL);
}
