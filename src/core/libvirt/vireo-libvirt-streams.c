/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reaching a libvirt VM's display and serial console as a socket fd, on a
 * worker thread: the widgets in src/display know nothing but the fd. */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define VIREO_LIBVIRT_INTERNAL
#include "vireo-libvirt-connection.h"
#include "vireo-socket-util.h"
#include "vireo-uri.h"

typedef struct {
  VireoGraphicsType type;
  char             *listen;   /* address, NULL for any */
  char             *socket;   /* unix socket path, for listen type='socket' */
  int               port;
} GraphicsInfo;

static void
graphics_info_clear (GraphicsInfo *g)
{
  g_free (g->listen);
  g_free (g->socket);
}

typedef struct {
  GraphicsInfo *info;
  gboolean      found;
  gboolean      in_graphics;
} GraphicsParser;

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (guint i = 0; names[i]; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static void
graphics_start (GMarkupParseContext *context,
                const char          *element,
                const char         **names,
                const char         **values,
                gpointer             user_data,
                GError             **error)
{
  GraphicsParser *p = user_data;

  if (!p->found && g_str_equal (element, "graphics"))
    {
      const char *type = attr (names, values, "type");
      const char *port = attr (names, values, "port");
      const char *listen = attr (names, values, "listen");
      const char *socket = attr (names, values, "socket");

      if (g_strcmp0 (type, "vnc") != 0 && g_strcmp0 (type, "spice") != 0)
        return;
      p->found = TRUE;
      p->in_graphics = TRUE;
      p->info->type = g_str_equal (type, "vnc") ? VIREO_GRAPHICS_VNC : VIREO_GRAPHICS_SPICE;
      p->info->port = port ? atoi (port) : -1;
      p->info->listen = g_strdup (listen);
      p->info->socket = g_strdup (socket);
    }
  else if (p->in_graphics && g_str_equal (element, "listen"))
    {
      const char *type = attr (names, values, "type");
      const char *address = attr (names, values, "address");
      const char *socket = attr (names, values, "socket");

      if (g_strcmp0 (type, "socket") == 0 && socket != NULL && p->info->socket == NULL)
        p->info->socket = g_strdup (socket);
      else if (g_strcmp0 (type, "address") == 0 && address != NULL && p->info->listen == NULL)
        p->info->listen = g_strdup (address);
    }
}

static void
graphics_end (GMarkupParseContext *context,
              const char          *element,
              gpointer             user_data,
              GError             **error)
{
  GraphicsParser *p = user_data;

  if (g_str_equal (element, "graphics"))
    p->in_graphics = FALSE;
}

static gboolean
read_graphics (virDomainPtr  dom,
               GraphicsInfo *info,
               GError      **error)
{
  static const GMarkupParser parser = { graphics_start, graphics_end, NULL, NULL, NULL };
  GraphicsParser p = { info, FALSE, FALSE };
  g_autoptr(GMarkupParseContext) context = NULL;
  char *xml = virDomainGetXMLDesc (dom, 0);

  if (xml == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s", virGetLastErrorMessage ());
      return FALSE;
    }
  context = g_markup_parse_context_new (&parser, 0, &p, NULL);
  g_markup_parse_context_parse (context, xml, -1, NULL);
  free (xml);
  if (!p.found)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This VM has no graphical display: add VNC or SPICE graphics."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_loopback_or_any (const char *address)
{
  return address == NULL || g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::") ||
         g_str_equal (address, "127.0.0.1") || g_str_equal (address, "::1") ||
         g_str_equal (address, "localhost");
}

/* ssh -W to the display, as the connection's own user, port and key. */
static int
open_over_ssh (const VireoUriInfo *uri,
               const char         *target,
               int                 port,
               GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *query = g_strdup (uri->query ? uri->query : "");
  g_auto(GStrv) params = g_strsplit (query, "&", -1);

  g_ptr_array_add (argv, g_strdup ("ssh"));
  g_ptr_array_add (argv, g_strdup ("-W"));
  g_ptr_array_add (argv, g_strdup_printf ("%s:%d", target, port));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("BatchMode=yes"));
  if (uri->port > 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", uri->port));
    }
  if (uri->user != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (uri->user));
    }
  for (guint i = 0; params[i]; i++)
    {
      g_autofree char *value = NULL;

      if (g_str_has_prefix (params[i], "keyfile="))
        {
          value = g_uri_unescape_string (params[i] + 8, NULL);
          g_ptr_array_add (argv, g_strdup ("-i"));
          g_ptr_array_add (argv, g_steal_pointer (&value));
        }
      else if (g_str_equal (params[i], "no_verify=1"))
        {
          g_ptr_array_add (argv, g_strdup ("-o"));
          g_ptr_array_add (argv, g_strdup ("StrictHostKeyChecking=no"));
        }
    }
  /* "--" so a host name can never be read as an option. */
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (uri->host));
  g_ptr_array_add (argv, NULL);
  return vireo_socket_spawn_pipe ((const char * const *) argv->pdata, error);
}

int
vireo_libvirt_connection_open_graphics (VireoConnection   *conn_base,
                                        const char        *uuid,
                                        VireoGraphicsType *type,
                                        GError           **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  g_auto(VireoUriInfo) uri = { 0 };
  GraphicsInfo info = { 0 };
  virConnectPtr conn;
  virDomainPtr dom;
  int fd = -1;

  if (!vireo_uri_parse (vireo_connection_get_uri (conn_base), &uri, error) ||
      (conn = vireo_libvirt_connection_ref_conn (self, error)) == NULL)
    return -1;
  dom = virDomainLookupByUUIDString (conn, uuid);
  if (dom == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
      virConnectClose (conn);
      return -1;
    }
  if (!read_graphics (dom, &info, error))
    goto out;
  *type = info.type;

  if (uri.host == NULL)
    {
      /* Local: libvirt hands over a connected socket; no ports, no auth. */
      fd = virDomainOpenGraphicsFD (dom, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
      if (fd >= 0)
        goto out;
      virResetLastError ();
      if (info.socket != NULL)
        fd = vireo_socket_connect_unix (info.socket, error);
      else if (info.port > 0)
        fd = vireo_socket_connect_tcp (is_loopback_or_any (info.listen) ? "127.0.0.1" : info.listen,
                                       info.port, error);
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("The VM's display has no port yet; is it running?"));
      goto out;
    }

  if (info.port <= 0 && info.socket != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The VM's display listens on a unix socket on %s, which Vireo can only "
                     "reach locally. Give it a TCP listen address."), uri.host);
      goto out;
    }
  /* No port yet: the VM is not running, or still starting (autoport). */
  if (info.port <= 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The VM's display has no port yet; is it running?"));
      goto out;
    }

  if (uri.transport == VIREO_TRANSPORT_SSH)
    fd = open_over_ssh (&uri, is_loopback_or_any (info.listen) ? "localhost" : info.listen,
                        info.port, error);
  else if (info.listen != NULL && (g_str_equal (info.listen, "127.0.0.1") ||
                                   g_str_equal (info.listen, "::1") ||
                                   g_str_equal (info.listen, "localhost")))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                 _("The VM's display listens on %s of %s only, so it cannot be reached over %s. "
                   "Connect over SSH instead, or set the display's listen address to 0.0.0.0."),
                 info.listen, uri.host, uri.transport == VIREO_TRANSPORT_TLS ? "TLS" : "TCP");
  else
    fd = vireo_socket_connect_tcp (is_loopback_or_any (info.listen) ? uri.host : info.listen,
                                   info.port, error);

out:
  graphics_info_clear (&info);
  virDomainFree (dom);
  virConnectClose (conn);
  return fd;
}

/* The console stream is bridged to a socket pair by two threads with
 * blocking I/O: one copies guest output to the socket, one copies what is
 * typed to the stream. Either side ending ends both. */
typedef struct {
  virStreamPtr stream;
  int          fd;
  gint         refs;
} Bridge;

static void
bridge_unref (Bridge *b)
{
  if (g_atomic_int_dec_and_test (&b->refs))
    {
      virStreamAbort (b->stream);
      virStreamFree (b->stream);
      close (b->fd);
      g_free (b);
    }
}

static gpointer
stream_to_socket (gpointer data)
{
  Bridge *b = data;
  char buf[4096];
  int n;

  while ((n = virStreamRecv (b->stream, buf, sizeof buf)) > 0)
    {
      for (int done = 0; done < n;)
        {
          ssize_t w = write (b->fd, buf + done, n - done);
          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            goto out;
          done += w;
        }
    }
out:
  shutdown (b->fd, SHUT_RDWR);
  bridge_unref (b);
  return NULL;
}

static gpointer
socket_to_stream (gpointer data)
{
  Bridge *b = data;
  char buf[4096];
  ssize_t n;

  while ((n = read (b->fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && virStreamSend (b->stream, buf, n) < 0)
      break;
  shutdown (b->fd, SHUT_RDWR);
  bridge_unref (b);
  return NULL;
}

int
vireo_libvirt_connection_open_console (VireoConnection *conn_base,
                                       const char      *uuid,
                                       GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);
  virDomainPtr dom;
  virStreamPtr stream;
  Bridge *b;
  int pair[2];

  if (conn == NULL)
    return -1;
  dom = virDomainLookupByUUIDString (conn, uuid);
  if (dom == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
      virConnectClose (conn);
      return -1;
    }
  stream = virStreamNew (conn, 0);
  if (stream == NULL || virDomainOpenConsole (dom, NULL, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("Could not open the serial console: %s"), virGetLastErrorMessage ());
      if (stream != NULL)
        virStreamFree (stream);
      virDomainFree (dom);
      virConnectClose (conn);
      return -1;
    }
  virDomainFree (dom);
  virConnectClose (conn);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int saved = errno;
      virStreamAbort (stream);
      virStreamFree (stream);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "socketpair: %s", g_strerror (saved));
      return -1;
    }
  b = g_new0 (Bridge, 1);
  b->stream = stream;
  b->fd = pair[1];
  b->refs = 2;
  g_thread_unref (g_thread_new ("console-out", stream_to_socket, b));
  g_thread_unref (g_thread_new ("console-in", socket_to_stream, b));
  return pair[0];
}
