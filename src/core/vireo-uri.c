/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-uri.h"

/* libvirt's driver names, plus our own builtin backend. */
static const char *const known_drivers[] = {
  "qemu", "xen", "libxl", "test", "lxc", "vbox", "esx", "vpx", "gsx",
  "bhyve", "ch", "vz", "openvz", "hyperv", "builtin", NULL
};
static const char *const known_transports[] = {
  "ssh", "libssh", "libssh2", "tls", "tcp", "unix", "ext", NULL
};

void
vireo_uri_info_clear (VireoUriInfo *info)
{
  g_clear_pointer (&info->scheme, g_free);
  g_clear_pointer (&info->user, g_free);
  g_clear_pointer (&info->host, g_free);
  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->query, g_free);
}

static VireoHypervisor
hypervisor_from_driver (const char *driver)
{
  if (g_str_equal (driver, "qemu"))
    return VIREO_HYPERVISOR_QEMU;
  if (g_str_equal (driver, "xen") || g_str_equal (driver, "libxl"))
    return VIREO_HYPERVISOR_XEN;
  if (g_str_equal (driver, "test"))
    return VIREO_HYPERVISOR_TEST;
  if (g_str_equal (driver, "builtin"))
    return VIREO_HYPERVISOR_BUILTIN;
  return VIREO_HYPERVISOR_OTHER;
}

static VireoTransport
transport_from_name (const char *name)
{
  if (name == NULL || g_str_equal (name, "unix"))
    return VIREO_TRANSPORT_LOCAL;
  if (g_str_has_prefix (name, "ssh") || g_str_has_prefix (name, "libssh"))
    return VIREO_TRANSPORT_SSH;
  if (g_str_equal (name, "tls"))
    return VIREO_TRANSPORT_TLS;
  if (g_str_equal (name, "tcp"))
    return VIREO_TRANSPORT_TCP;
  return VIREO_TRANSPORT_OTHER;
}

gboolean
vireo_uri_parse (const char   *uri,
                 VireoUriInfo *info,
                 GError      **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) scheme_parts = NULL;
  g_autofree char *scheme = NULL;
  const char *driver;
  const char *transport = NULL;
  const char *path;

  g_return_val_if_fail (info != NULL, FALSE);
  memset (info, 0, sizeof *info);
  info->port = -1;

  if (uri == NULL || *uri == '\0')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The URI is empty. Enter a connection URI such as qemu:///system."));
      return FALSE;
    }
  if (strpbrk (uri, " \t\n\r") != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("“%s” contains spaces. Write a space in a path as %%20."), uri);
      return FALSE;
    }
  if (strstr (uri, "://") == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("“%s” is not a connection URI. A URI looks like qemu:///system "
                     "or qemu+ssh://user@host/system."), uri);
      return FALSE;
    }

  parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("“%s” is not a valid URI: %s"), uri, local_error->message);
      return FALSE;
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (parsed), -1);
  scheme_parts = g_strsplit (scheme, "+", 2);
  driver = scheme_parts[0];
  if (scheme_parts[0] != NULL)
    transport = scheme_parts[1];

  if (!g_strv_contains (known_drivers, driver))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("Unknown hypervisor “%s” in “%s”. Use qemu, xen, test or "
                     "another libvirt driver name."), driver, uri);
      return FALSE;
    }
  if (transport != NULL && !g_strv_contains (known_transports, transport))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("Unknown transport “%s” in “%s”. Use ssh, tls or tcp."),
                   transport, uri);
      return FALSE;
    }

  info->hypervisor = hypervisor_from_driver (driver);
  info->transport = transport_from_name (transport);
  info->scheme = g_steal_pointer (&scheme);
  info->host = g_strdup (g_uri_get_host (parsed));
  if (info->host != NULL && *info->host == '\0')
    g_clear_pointer (&info->host, g_free);
  info->user = g_strdup (g_uri_get_user (parsed));
  info->port = g_uri_get_port (parsed);
  path = g_uri_get_path (parsed);
  info->path = g_strdup (path != NULL && *path != '\0' ? path : "/");
  info->query = g_strdup (g_uri_get_query (parsed));

  if (transport != NULL && info->transport != VIREO_TRANSPORT_LOCAL && info->host == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("“%s” needs a host name, as in %s://user@host/system."),
                   uri, info->scheme);
      vireo_uri_info_clear (info);
      return FALSE;
    }
  if (info->hypervisor == VIREO_HYPERVISOR_BUILTIN &&
      (info->host != NULL || !g_str_equal (info->path, "/session")))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The builtin backend runs on this computer only: use builtin:///session."));
      vireo_uri_info_clear (info);
      return FALSE;
    }
  if (info->hypervisor == VIREO_HYPERVISOR_QEMU &&
      !g_str_equal (info->path, "/system") && !g_str_equal (info->path, "/session") &&
      !g_str_equal (info->path, "/system/") && !g_str_equal (info->path, "/session/") &&
      !g_str_has_prefix (info->path, "/embed"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("A QEMU URI ends in /system or /session, not “%s”."), info->path);
      vireo_uri_info_clear (info);
      return FALSE;
    }
  if (info->hypervisor == VIREO_HYPERVISOR_TEST && !g_str_equal (info->path, "/default") &&
      !g_str_has_suffix (info->path, ".xml"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("A test URI names /default or the absolute path of a node XML file, "
                     "as in test:///path/to/node.xml."));
      vireo_uri_info_clear (info);
      return FALSE;
    }

  return TRUE;
}

static gboolean
host_is_valid (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;
  for (const char *p = host; *p; p++)
    if (g_ascii_isspace (*p) || strchr ("/?#@\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

char *
vireo_uri_build (VireoHypervisor hypervisor,
                 VireoTransport  transport,
                 const char     *user,
                 const char     *host,
                 gboolean        session,
                 GError        **error)
{
  const char *driver;
  const char *suffix = NULL;
  const char *path;
  g_autofree char *user_part = NULL;

  switch (hypervisor)
    {
    case VIREO_HYPERVISOR_QEMU:    driver = "qemu"; path = session ? "/session" : "/system"; break;
    case VIREO_HYPERVISOR_XEN:     driver = "xen";  path = "/system"; break;
    case VIREO_HYPERVISOR_TEST:    driver = "test"; path = "/default"; break;
    case VIREO_HYPERVISOR_BUILTIN: driver = "builtin"; path = "/session"; break;
    case VIREO_HYPERVISOR_OTHER:
    default:
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("Choose a hypervisor, or type a custom URI."));
      return NULL;
    }

  switch (transport)
    {
    case VIREO_TRANSPORT_LOCAL: suffix = NULL;  break;
    case VIREO_TRANSPORT_SSH:   suffix = "ssh"; break;
    case VIREO_TRANSPORT_TLS:   suffix = "tls"; break;
    case VIREO_TRANSPORT_TCP:   suffix = "tcp"; break;
    case VIREO_TRANSPORT_OTHER:
    default:
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("Choose SSH, TLS or TCP to reach a remote host."));
      return NULL;
    }

  if (transport == VIREO_TRANSPORT_LOCAL)
    return g_strdup_printf ("%s://%s", driver, path);

  if (hypervisor == VIREO_HYPERVISOR_BUILTIN)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The builtin backend runs on this computer only."));
      return NULL;
    }

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("Enter the name or address of the remote host."));
      return NULL;
    }
  /* "user@host" typed into the host field is what people do. */
  if ((user == NULL || *user == '\0') && strchr (host, '@') != NULL)
    {
      g_autofree char *copy = g_strdup (host);
      char *at = strrchr (copy, '@');
      *at = '\0';
      return vireo_uri_build (hypervisor, transport, copy, at + 1, session, error);
    }
  if (!host_is_valid (host))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("“%s” is not a valid host name. Enter a name such as "
                     "server.example.com or an address, optionally followed by :port."), host);
      return NULL;
    }
  if (user != NULL && *user != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (user, NULL, FALSE);
      user_part = g_strdup_printf ("%s@", escaped);
    }

  return g_strdup_printf ("%s+%s://%s%s%s", driver, suffix, user_part ? user_part : "",
                          host, path);
}

static const char *
transport_label (VireoTransport transport)
{
  switch (transport)
    {
    case VIREO_TRANSPORT_SSH: return "SSH";
    case VIREO_TRANSPORT_TLS: return "TLS";
    case VIREO_TRANSPORT_TCP: return "TCP";
    case VIREO_TRANSPORT_LOCAL:
    case VIREO_TRANSPORT_OTHER:
    default:                  return NULL;
    }
}

char *
vireo_uri_display_name (const char *uri)
{
  g_auto(VireoUriInfo) info = { 0 };
  g_autofree char *base = NULL;
  const char *tlabel;

  if (!vireo_uri_parse (uri, &info, NULL))
    return g_strdup (uri ? uri : "");

  switch (info.hypervisor)
    {
    case VIREO_HYPERVISOR_QEMU:
      base = g_strdup (g_str_has_prefix (info.path, "/session") ?
                       _("QEMU/KVM User session") : _("QEMU/KVM"));
      break;
    case VIREO_HYPERVISOR_XEN:
      base = g_strdup (_("Xen"));
      break;
    case VIREO_HYPERVISOR_TEST:
      if (g_str_equal (info.path, "/default"))
        base = g_strdup (_("Test"));
      else
        {
          g_autofree char *file = g_path_get_basename (info.path);
          /* Translators: %s is the name of a test driver's XML file */
          base = g_strdup_printf (_("Test: %s"), file);
        }
      break;
    case VIREO_HYPERVISOR_BUILTIN:
      return g_strdup (_("This computer (QEMU)"));
    case VIREO_HYPERVISOR_OTHER:
    default:
      base = g_strdup (info.scheme);
      break;
    }

  if (info.host == NULL)
    return g_steal_pointer (&base);

  tlabel = transport_label (info.transport);
  {
    g_autofree char *where = NULL;
    if (info.port > 0)
      where = g_strdup_printf ("%s%s%s:%d", info.user ? info.user : "", info.user ? "@" : "",
                               info.host, info.port);
    else
      where = g_strdup_printf ("%s%s%s", info.user ? info.user : "", info.user ? "@" : "",
                               info.host);
    if (tlabel != NULL)
      /* Translators: hypervisor: host (transport), e.g. "QEMU/KVM: root@server (SSH)" */
      return g_strdup_printf (_("%s: %s (%s)"), base, where, tlabel);
    return g_strdup_printf ("%s: %s", base, where);
  }
}

static char *
normalise (const char *uri)
{
  g_auto(VireoUriInfo) info = { 0 };
  g_autofree char *path = NULL;
  gsize len;

  if (!vireo_uri_parse (uri, &info, NULL))
    return g_strdup (uri);

  path = g_strdup (info.path);
  len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';

  {
    g_autofree char *host = info.host ? g_ascii_strdown (info.host, -1) : g_strdup ("");
    g_autofree char *port = info.port > 0 ? g_strdup_printf (":%d", info.port) : g_strdup ("");

    return g_strdup_printf ("%s://%s%s%s%s%s%s%s", info.scheme,
                            info.user ? info.user : "", info.user ? "@" : "",
                            host, port, path,
                            info.query ? "?" : "", info.query ? info.query : "");
  }
}

gboolean
vireo_uri_equal (const char *a,
                 const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  na = normalise (a);
  nb = normalise (b);
  return g_strcmp0 (na, nb) == 0;
}
