/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vireo-socket-util.h"
#include "vireo-types.h"

int
vireo_socket_connect_unix (const char *path,
                           GError    **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The socket path %s is too long."), path);
      return -1;
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                   _("Could not connect to %s: %s"), path, g_strerror (saved));
      return -1;
    }
  return fd;
}

int
vireo_socket_connect_tcp (const char *host,
                          guint       port,
                          GError    **error)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
  struct addrinfo *res = NULL;
  g_autofree char *service = g_strdup_printf ("%u", port);
  int rc, fd = -1, saved = 0;

  rc = getaddrinfo (host, service, &hints, &res);
  if (rc != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                   _("Could not find host %s: %s"), host, gai_strerror (rc));
      return -1;
    }
  for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd >= 0 && connect (fd, ai->ai_addr, ai->ai_addrlen) != 0)
        {
          saved = errno;
          close (fd);
          fd = -1;
        }
    }
  freeaddrinfo (res);
  if (fd < 0)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                 _("Could not connect to %s port %u: %s"), host, port, g_strerror (saved));
  return fd;
}

static void
child_setup (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);

  dup2 (fd, STDIN_FILENO);
  dup2 (fd, STDOUT_FILENO);
}

static void
reap (GPid     pid,
      int      status,
      gpointer data)
{
  g_spawn_close_pid (pid);
}

int
vireo_socket_spawn_pipe (const char * const *argv,
                         GError            **error)
{
  int pair[2];
  GPid pid;
  gboolean ok;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "socketpair: %s", g_strerror (saved));
      return -1;
    }
  /* dup2 clears close-on-exec on the child's stdin and stdout only. */
  ok = g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                      child_setup, GINT_TO_POINTER (pair[1]), &pid, error);
  close (pair[1]);
  if (!ok)
    {
      close (pair[0]);
      return -1;
    }
  /* Reaped on the main context whenever it ends. */
  g_child_watch_add_full (G_PRIORITY_DEFAULT, pid, reap, NULL, NULL);
  return pair[0];
}
