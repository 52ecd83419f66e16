/* SPDX-License-Identifier: GPL-3.0-or-later */
/* VireoSerialConsole against a socket peer of the test's own (a socket
 * pair): what the peer writes shows in the terminal, what is typed reaches
 * the peer, and the peer hanging up is seen. GTK needs a display: an Xvfb
 * of the test's own when DISPLAY is unset (missing Xvfb fails the test). */
#include "display-test-util.h"
#include "vireo-config.h"

#include <gio/gio.h>
#include <gtk/gtk.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-serial-console.h"

static GSubprocess *xvfb;
static char *setup_error;

static char *
terminal_text (VireoSerialConsole *console)
{
  return vte_terminal_get_text (vireo_serial_console_get_terminal (console), NULL, NULL, NULL);
}

static gboolean
wait_text (VireoSerialConsole *console,
           const char         *needle,
           guint               timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_autofree char *text = NULL;

      test_pump (20);
      text = terminal_text (console);
      if (text != NULL && strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Writes without blocking the main loop: the console reads on it. */
static void
write_all (int         fd,
           const char *data)
{
  gsize len = strlen (data);

  while (len > 0)
    {
      gssize n = send (fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          test_pump (5);
          continue;
        }
      g_assert_cmpint (n, >, 0);
      data += n;
      len -= n;
    }
}

/* Reads from the peer end, without blocking the main loop, until @needle
 * has arrived. */
static gboolean
peer_receives (int          fd,
               GString     *got,
               const char  *needle,
               guint        timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      char buf[256];
      gssize n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);

      if (n > 0)
        g_string_append_len (got, buf, n);
      if (strstr (got->str, needle) != NULL)
        return TRUE;
      test_pump (10);
    }
  return FALSE;
}

typedef struct {
  int   count;
  char *reason;
} Disconnect;

static void
on_disconnected (VireoSerialConsole *console,
                 const char         *reason,
                 Disconnect         *d)
{
  d->count++;
  g_free (d->reason);
  d->reason = g_strdup (reason);
}

static void
test_serial_console (void)
{
  GtkWidget *window, *widget;
  VireoSerialConsole *console;
  int sv[2];
  Disconnect d = { 0 };
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GString) bulk = g_string_new (NULL);

  if (setup_error != NULL)
    {
      g_test_fail_printf ("%s", setup_error);
      return;
    }
  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return;
    }

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 450);
  widget = vireo_serial_console_new ();
  console = VIREO_SERIAL_CONSOLE (widget);
  g_signal_connect (widget, "disconnected", G_CALLBACK (on_disconnected), &d);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (widget);

  g_assert_false (vireo_serial_console_is_connected (console));
  g_assert_true (vireo_serial_console_open_fd (console, sv[0]));
  g_assert_true (vireo_serial_console_is_connected (console));
  /* A second socket is refused (and closed). */
  {
    int extra = dup (sv[1]);

    g_assert_false (vireo_serial_console_open_fd (console, extra));
    g_assert_cmpint (fcntl (extra, F_GETFD), ==, -1);
  }

  /* Guest -> terminal */
  write_all (sv[1], "Hello from the guest\r\nGRUB serial> ");
  g_assert_true (wait_text (console, "Hello from the guest", 5000));
  g_assert_true (wait_text (console, "GRUB serial>", 5000));

  /* Terminal -> guest: typed text goes out through "commit". */
  vte_terminal_feed_child (vireo_serial_console_get_terminal (console), "ls -l\r", -1);
  g_assert_true (peer_receives (sv[1], got, "ls -l\r", 5000));

  /* Many small writes typed at once all arrive, in order. */
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *chunk = g_strdup_printf ("[%03d]", i);

      vte_terminal_feed_child (vireo_serial_console_get_terminal (console), chunk, -1);
      g_string_append (bulk, chunk);
    }
  g_assert_true (peer_receives (sv[1], got, bulk->str, 5000));

  /* A lot of output, e.g. a kernel booting, arrives whole. */
  for (int i = 0; i < 3000; i++)
    {
      g_autofree char *line = g_strdup_printf ("boot line %04d\r\n", i);

      write_all (sv[1], line);
      if (i % 500 == 0)
        test_pump (5);
    }
  write_all (sv[1], "login: ");
  g_assert_true (wait_text (console, "boot line 2999", 10000));
  g_assert_true (wait_text (console, "login:", 5000));

  /* The peer hangs up. */
  g_assert_cmpint (d.count, ==, 0);
  close (sv[1]);
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (d.count == 0 && g_get_monotonic_time () < end)
      test_pump (20);
  }
  g_assert_cmpint (d.count, ==, 1);
  g_assert_null (d.reason);
  g_assert_false (vireo_serial_console_is_connected (console));

  /* It can be opened again, and closed from our side. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_true (vireo_serial_console_open_fd (console, sv[0]));
  write_all (sv[1], "again\r\n");
  g_assert_true (wait_text (console, "again", 5000));
  vireo_serial_console_close (console);
  g_assert_cmpint (d.count, ==, 2);
  g_assert_false (vireo_serial_console_is_connected (console));
  {
    char c;

    test_pump (50);
    g_assert_cmpint (read (sv[1], &c, 1), ==, 0);  /* our side hung up */
  }
  close (sv[1]);

  gtk_window_destroy (GTK_WINDOW (window));
  test_pump (100);
  g_free (d.reason);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (!test_start_xvfb (1024, 768, &xvfb, &error))
    setup_error = g_strdup (error->message);
  g_test_add_func ("/display/serial/console", test_serial_console);
  ret = g_test_run ();
  test_stop_process (xvfb);
  g_clear_object (&xvfb);
  g_free (setup_error);
  return ret;
}
