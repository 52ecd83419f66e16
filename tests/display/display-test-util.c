/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "display-test-util.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void
test_pump (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

void
test_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

gboolean
test_start_xvfb (int           width,
                 int           height,
                 GSubprocess **xvfb,
                 GError      **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *screen = NULL;
  g_autofree char *display = NULL;
  char buf[32] = { 0 };
  gssize n = 0;
  int fds[2];

  *xvfb = NULL;
  if (g_getenv ("DISPLAY") != NULL && *g_getenv ("DISPLAY") != '\0')
    return TRUE;
  if (g_find_program_in_path ("Xvfb") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "DISPLAY is unset and Xvfb is not installed (package xvfb)");
      return FALSE;
    }
  if (pipe (fds) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return FALSE;
    }
  screen = g_strdup_printf ("%dx%dx24", width, height);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  *xvfb = g_subprocess_launcher_spawn (launcher, error, "Xvfb", "-displayfd", "3", "-screen", "0",
                                       screen, "-nolisten", "tcp", "-noreset", NULL);
  g_clear_object (&launcher);  /* drops our write end */
  if (*xvfb == NULL)
    {
      close (fds[0]);
      return FALSE;
    }
  /* Xvfb writes the number and the newline separately, and dies if the
   * pipe is gone before the newline: read up to it. */
  while (n < (gssize) sizeof buf - 1 && strchr (buf, '\n') == NULL)
    {
      gssize r = read (fds[0], buf + n, sizeof buf - 1 - n);

      if (r <= 0)
        break;
      n += r;
    }
  close (fds[0]);
  g_strstrip (buf);
  if (*buf == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Xvfb did not report a display");
      return FALSE;
    }
  display = g_strdup_printf (":%s", buf);
  g_setenv ("DISPLAY", display, TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");
  return TRUE;
}

void
test_stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

void
test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

int
test_connect_unix (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  strcpy (addr.sun_path, path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

gboolean
test_run_quiet (const char * const *argv)
{
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  gboolean done = FALSE;

  if (p == NULL)
    return FALSE;
  g_subprocess_wait_async (p, NULL, wait_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return g_subprocess_get_successful (p);
}
